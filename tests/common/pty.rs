//! Pseudo-terminal "devices" for driver tests: a pty pair whose slave is reached through a
//! stable symlink (like `/dev/serial/by-id/...`), so a test can unplug the device (close the
//! pty) and plug in a new one behind the same name.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;
use std::time::Duration;

use member_kiosk::devices::DeviceEvent;
use serialport::{SerialPort, TTYPort};

pub struct PtyDevice {
    pub master: TTYPort,
    /// Held open so the pty stays up between the driver's reconnects.
    _slave: TTYPort,
}

/// Opens a new pty and points `link` at its slave.
pub fn plug_in(link: &Path) -> PtyDevice {
    let (master, slave) = TTYPort::pair().expect("pty pair");
    let target = PathBuf::from(slave.name().expect("pty name"));
    let _ = std::fs::remove_file(link);
    std::os::unix::fs::symlink(&target, link).expect("symlink");
    PtyDevice {
        master,
        _slave: slave,
    }
}

/// The next event, failing the test after 10 s.
pub fn next_event(rx: &Receiver<DeviceEvent>) -> DeviceEvent {
    rx.recv_timeout(Duration::from_secs(10))
        .expect("an event within 10 s")
}

/// Skips events until one matches, failing after 10 s in total.
pub fn wait_for(
    rx: &Receiver<DeviceEvent>,
    what: &str,
    mut want: impl FnMut(&DeviceEvent) -> bool,
) -> DeviceEvent {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(e) if want(&e) => return e,
            Ok(_) => {}
            Err(_) => panic!("timed out waiting for {what}"),
        }
    }
}

/// The serial scanner driver on the pty behind `link`, CRLF lines of at most 64 bytes,
/// delivering to `sink`; dropping the returned sender stops it.
pub fn spawn_scanner(
    link: &Path,
    debounce: Duration,
    sink: member_kiosk::devices::EventSink,
) -> (std::sync::mpsc::Sender<()>, std::thread::JoinHandle<()>) {
    use member_kiosk::devices::scanner::lines::Suffix;
    use member_kiosk::devices::scanner::serial::{self, PortSelector, SerialScannerSettings};
    let (stop, stop_rx) = std::sync::mpsc::channel();
    let thread = serial::spawn(
        SerialScannerSettings {
            port: PortSelector::Path(link.to_owned()),
            baud: 9600,
            suffix: Suffix::CrLf,
            max_length: 64,
            debounce,
        },
        sink,
        stop_rx,
    )
    .expect("scanner thread starts");
    (stop, thread)
}
