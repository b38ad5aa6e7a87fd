//! The serial (USB-CDC or RS-232) scanner thread: finds the port by path or by USB vendor
//! and product id (it may come back as another `/dev/ttyACM*` after a replug), reads lines,
//! and reopens the port by itself after an unplug.
use std::io::{ErrorKind, Read};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use super::debounce::Debouncer;
use super::lines::{LineSplitter, Suffix};
use crate::devices::{DeviceEvent, DeviceKind, DeviceState, EventSink};

const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Which port the scanner is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortSelector {
    Path(PathBuf),
    Usb { vid: u16, pid: u16 },
}

#[derive(Debug, Clone)]
pub struct SerialScannerSettings {
    pub port: PortSelector,
    pub baud: u32,
    pub suffix: Suffix,
    pub max_length: usize,
    pub debounce: Duration,
}

/// The port's current path, or why there is none.
pub fn resolve(selector: &PortSelector) -> Result<PathBuf, String> {
    match selector {
        PortSelector::Path(p) => Ok(p.clone()),
        PortSelector::Usb { vid, pid } => {
            let ports = serialport::available_ports().map_err(|e| e.to_string())?;
            ports
                .into_iter()
                .find(|p| matches!(&p.port_type, serialport::SerialPortType::UsbPort(u) if u.vid == *vid && u.pid == *pid))
                .map(|p| PathBuf::from(p.port_name))
                .ok_or_else(|| format!("no USB serial device {vid:04x}:{pid:04x}"))
        }
    }
}

/// Runs until `stop` receives a message or is dropped.
pub fn spawn(
    settings: SerialScannerSettings,
    sink: EventSink,
    stop: Receiver<()>,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("scanner".into())
        .spawn(move || run(&settings, &sink, &stop))
}

fn run(s: &SerialScannerSettings, sink: &EventSink, stop: &Receiver<()>) {
    let state = |st| {
        sink(DeviceEvent::State {
            device: DeviceKind::Scanner,
            state: st,
        })
    };
    let mut splitter = LineSplitter::new(s.suffix, s.max_length);
    let mut debounce = Debouncer::new(s.debounce);
    let mut backoff = Duration::from_millis(100);
    let mut reported_down = false;
    loop {
        let opened = resolve(&s.port).and_then(|path| {
            serialport::new(path.to_string_lossy(), s.baud)
                .timeout(Duration::from_millis(100))
                .open()
                .map(|port| (path, port))
                .map_err(|e| e.to_string())
        });
        match opened {
            Ok((path, mut port)) => {
                tracing::info!(port = %path.display(), "scanner connected");
                state(DeviceState::Connected);
                backoff = Duration::from_millis(100);
                splitter.reset();
                let mut buf = [0u8; 256];
                loop {
                    if !matches!(stop.try_recv(), Err(std::sync::mpsc::TryRecvError::Empty)) {
                        return;
                    }
                    match port.read(&mut buf) {
                        Ok(0) => {
                            tracing::warn!("scanner port closed");
                            break;
                        }
                        Ok(n) => {
                            for line in splitter.push(&buf[..n]) {
                                super::deliver(line, &mut debounce, sink);
                            }
                        }
                        Err(e)
                            if e.kind() == ErrorKind::TimedOut
                                || e.kind() == ErrorKind::Interrupted => {}
                        Err(e) => {
                            tracing::warn!("scanner lost: {e}");
                            break;
                        }
                    }
                }
                state(DeviceState::Disconnected);
                reported_down = true;
            }
            Err(e) => {
                if !reported_down {
                    tracing::warn!("scanner not available: {e}");
                    state(DeviceState::Disconnected);
                    reported_down = true;
                }
            }
        }
        match stop.recv_timeout(backoff) {
            Err(RecvTimeoutError::Timeout) => {}
            _ => return,
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}
