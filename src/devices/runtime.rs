//! Starts the devices the configuration names (or the simulator when none is) and stops
//! them on shutdown.
use std::path::Path;
use std::sync::mpsc::{Sender, channel};
use std::thread::JoinHandle;
use std::time::Duration;

use super::nfc::{reader, transport::Uart};
use super::scanner::serial::{self, SerialScannerSettings};
use super::scanner::wedge;
use super::{DeviceEvent, DeviceKind, DeviceState, EventSink, simulator};
use crate::config::{Config, NfcTransport};

/// The running device threads. Dropping it stops them and waits for them.
#[derive(Default)]
pub struct Devices {
    threads: Vec<(Sender<()>, JoinHandle<()>)>,
}

impl Devices {
    pub fn start(config: &Config, data_dir: &Path, sink: EventSink) -> std::io::Result<Devices> {
        let mut devices = Devices::default();
        #[cfg(feature = "rpi")]
        let sink = match &config.feedback {
            Some(f) => {
                super::feedback::wrap(sink, super::feedback::spawn_gpio(f.buzzer_pin, f.led_pin)?)
            }
            None => sink,
        };
        let stop = || channel::<()>();
        match &config.scanner {
            Some(s) => {
                let (tx, rx) = stop();
                let debounce = Duration::from_millis(s.debounce_ms);
                let handle = match (s.port().map_err(std::io::Error::other)?, &s.keyboard) {
                    (Some(port), _) => {
                        let settings = SerialScannerSettings {
                            port,
                            baud: s.baud,
                            suffix: s.suffix,
                            max_length: s.max_length,
                            debounce,
                        };
                        serial::spawn(settings, sink.clone(), rx)?
                    }
                    (None, Some(keyboard)) => {
                        wedge::spawn(keyboard.clone(), s.max_length, debounce, sink.clone(), rx)?
                    }
                    (None, None) => return Err(std::io::Error::other("scanner has no port")),
                };
                devices.threads.push((tx, handle));
            }
            None if !config.simulate_devices() => {
                sink(DeviceEvent::State {
                    device: DeviceKind::Scanner,
                    state: DeviceState::NotConfigured,
                });
            }
            None => {}
        }
        match &config.nfc {
            Some(n) => {
                let (tx, rx) = stop();
                let poll = Duration::from_millis(n.poll_interval_ms);
                let handle = match (n.transport, &n.path) {
                    (NfcTransport::Uart, Some(path)) => {
                        let (path, baud) = (path.clone(), n.baud);
                        reader::spawn(move || Uart::open(&path, baud), poll, sink.clone(), rx)?
                    }
                    #[cfg(feature = "rpi")]
                    (NfcTransport::I2c, _) => {
                        reader::spawn(super::nfc::rpi::I2c::open, poll, sink.clone(), rx)?
                    }
                    #[cfg(feature = "rpi")]
                    (NfcTransport::Spi, _) => {
                        reader::spawn(super::nfc::rpi::Spi::open, poll, sink.clone(), rx)?
                    }
                    _ => {
                        return Err(std::io::Error::other(
                            "NFC transport not available in this build",
                        ));
                    }
                };
                devices.threads.push((tx, handle));
            }
            None if !config.simulate_devices() => {
                sink(DeviceEvent::State {
                    device: DeviceKind::Nfc,
                    state: DeviceState::NotConfigured,
                });
            }
            None => {}
        }
        if config.simulate_devices() {
            let (tx, rx) = stop();
            let handle = simulator::spawn(&data_dir.join(simulator::SOCKET_NAME), sink, rx)?;
            devices.threads.push((tx, handle));
        }
        Ok(devices)
    }
}

impl Drop for Devices {
    fn drop(&mut self) {
        for (stop, _) in &self.threads {
            let _ = stop.send(());
        }
        for (_, thread) in self.threads.drain(..) {
            if thread.join().is_err() {
                tracing::error!("a device thread panicked");
            }
        }
    }
}
