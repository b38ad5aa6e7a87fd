//! The PN532 reader driver against a simulated PN532 on a pseudo-terminal: wake-up and
//! firmware, one tap per card presentation, removal, a corrupt checksum answered with NACK,
//! garbage on the line, a reader that goes silent, and an unplug/replug.
mod common;

use std::time::Duration;

use common::pn532_sim::Pn532Sim;
use common::pty::{next_event, plug_in, wait_for};
use member_kiosk::devices::nfc::pn532::Pn532;
use member_kiosk::devices::nfc::reader;
use member_kiosk::devices::nfc::transport::Uart;
use member_kiosk::devices::{DeviceEvent, DeviceKind, DeviceState};

const CONNECTED: DeviceEvent = DeviceEvent::State {
    device: DeviceKind::Nfc,
    state: DeviceState::Connected,
};
const DISCONNECTED: DeviceEvent = DeviceEvent::State {
    device: DeviceKind::Nfc,
    state: DeviceState::Disconnected,
};

fn tap(uid: &str) -> DeviceEvent {
    DeviceEvent::CardTap { uid: uid.into() }
}

#[test]
fn command_layer_speaks_to_the_pn532() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("pn532");
    let device = plug_in(&link);
    let sim = Pn532Sim::start(device.master.try_clone_native().unwrap());
    let mut pn = Pn532::new(Uart::open(&link, 115_200).unwrap());
    pn.begin().unwrap();
    let fw = pn.firmware_version().unwrap();
    assert_eq!((fw.ic, fw.version, fw.revision), (0x32, 1, 6));
    assert_eq!(pn.list_passive_target().unwrap(), None);
    sim.set(|b| b.card = Some(vec![0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66]));
    assert_eq!(
        pn.list_passive_target()
            .unwrap()
            .map(|u| reader::uid_hex(&u)),
        Some("04112233445566".into())
    );
    // An unknown command gets the error frame.
    assert!(pn.command(&[0x7E], Duration::from_millis(200)).is_err());
    // A silent reader times out instead of hanging.
    sim.set(|b| b.silent = true);
    assert!(matches!(
        pn.firmware_version(),
        Err(member_kiosk::devices::nfc::pn532::Pn532Error::Timeout(_))
    ));
}

#[test]
fn reader_thread_taps_recovers_and_survives_unplugging() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("pn532");
    let device = plug_in(&link);
    let sim = Pn532Sim::start(device.master.try_clone_native().unwrap());
    let (sink, events) = member_kiosk::devices::channel_sink();
    let (stop, stop_rx) = std::sync::mpsc::channel();
    let open_link = link.clone();
    let thread = reader::spawn(
        move || Uart::open(&open_link, 115_200),
        Duration::from_millis(10),
        sink,
        stop_rx,
    )
    .unwrap();
    assert_eq!(next_event(&events), CONNECTED);

    // A card held on the reader: one tap, however many polls see it.
    sim.set(|b| b.card = Some(vec![0x04, 0xA1, 0xB2, 0xC3]));
    assert_eq!(next_event(&events), tap("04A1B2C3"));
    sim.wait_polls(5);
    assert!(
        events.try_recv().is_err(),
        "no stream of taps while the card stays"
    );
    sim.set(|b| b.card = None);
    assert_eq!(
        next_event(&events),
        DeviceEvent::CardRemoved {
            uid: "04A1B2C3".into()
        }
    );

    // A corrupt checksum: the driver asks again with NACK and still gets the card.
    sim.set(|b| {
        b.corrupt_next = true;
        b.card = Some(vec![0xDE, 0xAD, 0xBE, 0xEF]);
    });
    assert_eq!(next_event(&events), tap("DEADBEEF"));
    sim.nacks
        .recv_timeout(Duration::from_secs(10))
        .expect("a NACK was sent");
    sim.set(|b| b.card = None);
    assert_eq!(
        next_event(&events),
        DeviceEvent::CardRemoved {
            uid: "DEADBEEF".into()
        }
    );

    // Garbage on the line before an ACK is skipped.
    sim.set(|b| {
        b.garbage_before_next_ack = vec![0xFF, 0x13, 0x00, 0x37, 0x55];
        b.card = Some(vec![0x01, 0x02, 0x03, 0x04]);
    });
    assert_eq!(next_event(&events), tap("01020304"));
    sim.set(|b| b.card = None);
    assert_eq!(
        next_event(&events),
        DeviceEvent::CardRemoved {
            uid: "01020304".into()
        }
    );

    // The reader hangs: reported disconnected, then found again when it answers.
    sim.set(|b| b.silent = true);
    wait_for(&events, "disconnect after silence", |e| *e == DISCONNECTED);
    sim.set(|b| b.silent = false);
    wait_for(&events, "reconnect", |e| *e == CONNECTED);

    // Unplugged: reported, and a new reader behind the same name is picked up.
    drop(sim);
    drop(device);
    wait_for(&events, "disconnect after unplug", |e| *e == DISCONNECTED);
    let device = plug_in(&link);
    let sim = Pn532Sim::start(device.master.try_clone_native().unwrap());
    wait_for(&events, "reconnect after replug", |e| *e == CONNECTED);
    sim.set(|b| b.card = Some(vec![0xCA, 0xFE, 0xBA, 0xBE]));
    assert_eq!(
        wait_for(&events, "tap after replug", |e| matches!(
            e,
            DeviceEvent::CardTap { .. }
        )),
        tap("CAFEBABE")
    );

    drop(stop);
    thread.join().expect("reader thread ends cleanly");
}
