//! The serial scanner driver against a pseudo-terminal speaking like a real scanner: CRLF
//! lines with and without AIM prefixes, split across writes, garbage, overlong lines, a
//! repeat, and an unplug/replug behind the same device name.
mod common;

use std::io::Write;
use std::time::Duration;

use common::pty::{next_event, plug_in, wait_for};
use member_kiosk::devices::{DeviceEvent, DeviceKind, DeviceState};

fn scan(text: &str, symbology: Option<&str>) -> DeviceEvent {
    DeviceEvent::Scan {
        text: text.into(),
        symbology: symbology.map(Into::into),
    }
}

const CONNECTED: DeviceEvent = DeviceEvent::State {
    device: DeviceKind::Scanner,
    state: DeviceState::Connected,
};

#[test]
fn scanner_over_a_pty() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("scanner");
    let mut device = plug_in(&link);
    let (sink, events) = member_kiosk::devices::channel_sink();
    let (stop, thread) = common::pty::spawn_scanner(&link, Duration::from_secs(60), sink);
    assert_eq!(next_event(&events), CONNECTED);

    // A QR code with its AIM identifier, split across two writes.
    device.master.write_all(b"]Q1MEMBER:0192").unwrap();
    device.master.flush().unwrap();
    device.master.write_all(b"3\r\n").unwrap();
    assert_eq!(next_event(&events), scan("MEMBER:01923", Some("Q1")));

    // A barcode without AIM prefix, and the same code again (suppressed), then another.
    device
        .master
        .write_all(b"4901234567894\r\n4901234567894\r\n]E09780201379624\r\n")
        .unwrap();
    assert_eq!(next_event(&events), scan("4901234567894", None));
    assert_eq!(next_event(&events), scan("9780201379624", Some("E0")));

    // Garbage and an overlong line are rejected with a reason; the next scan still works.
    device.master.write_all(b"\x00\x01\xfe\xff\r\n").unwrap();
    device.master.write_all(&[b'7'; 200]).unwrap();
    device.master.write_all(b"\r\nAFTER\r\n").unwrap();
    let DeviceEvent::ScanRejected { reason } = next_event(&events) else {
        panic!("binary must be rejected")
    };
    assert!(reason.contains("binary"), "{reason}");
    let DeviceEvent::ScanRejected { reason } = next_event(&events) else {
        panic!("overlong must be rejected")
    };
    assert!(reason.contains("longer than 64"), "{reason}");
    assert_eq!(next_event(&events), scan("AFTER", None));

    // Unplug: the driver notices, then finds the scanner again behind the same name.
    drop(device);
    wait_for(&events, "disconnect", |e| {
        *e == DeviceEvent::State {
            device: DeviceKind::Scanner,
            state: DeviceState::Disconnected,
        }
    });
    let mut device = plug_in(&link);
    wait_for(&events, "reconnect", |e| *e == CONNECTED);
    device.master.write_all(b"]Q1BACK\r\n").unwrap();
    assert_eq!(next_event(&events), scan("BACK", Some("Q1")));

    drop(stop);
    thread.join().expect("scanner thread ends cleanly");
}
