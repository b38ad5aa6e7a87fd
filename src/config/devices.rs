//! `[scanner]`, `[nfc]`, `[feedback]` and `[simulator]`: the counter's devices. Each is
//! absent when not attached; with none configured, simulated devices stand in.
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Problems;
use crate::devices::scanner::lines::Suffix;
use crate::devices::scanner::serial::PortSelector;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct FeedbackConfig {
    /// BCM number of the buzzer pin (e.g. 18).
    pub buzzer_pin: Option<u8>,
    /// BCM number of the LED pin (e.g. 23).
    pub led_pin: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScannerConfig {
    /// Serial device, e.g. `/dev/serial/by-id/usb-...` or `/dev/ttyACM0`.
    pub path: Option<PathBuf>,
    /// USB `vendor:product` in hex (e.g. `"05e0:1200"`): found again after a replug even if
    /// it comes back as another `/dev/ttyACM*`.
    pub usb_id: Option<String>,
    /// Or a keyboard-wedge (HID) scanner's input device, e.g.
    /// `/dev/input/by-id/usb-...-event-kbd`.
    pub keyboard: Option<PathBuf>,
    pub baud: u32,
    /// Line ending the scanner sends: "CR", "LF" or "CRLF".
    pub suffix: Suffix,
    /// Longest code accepted, in bytes.
    pub max_length: usize,
    /// The same code scanned again within this many milliseconds is ignored.
    pub debounce_ms: u64,
}

impl Default for ScannerConfig {
    fn default() -> Self {
        ScannerConfig {
            path: None,
            usb_id: None,
            keyboard: None,
            baud: 9600,
            suffix: Suffix::CrLf,
            max_length: 512,
            debounce_ms: 1500,
        }
    }
}

impl ScannerConfig {
    /// Which port to open (`None`: a keyboard-wedge scanner); `Err` names the problem.
    pub fn port(&self) -> Result<Option<PortSelector>, String> {
        if self.keyboard.is_some() {
            return match (&self.path, &self.usb_id) {
                (None, None) => Ok(None),
                _ => Err("give one of path, usb_id or keyboard".into()),
            };
        }
        self.serial_port().map(Some)
    }

    fn serial_port(&self) -> Result<PortSelector, String> {
        match (&self.path, &self.usb_id) {
            (Some(path), None) => Ok(PortSelector::Path(path.clone())),
            (None, Some(id)) => {
                let parse = |s: &str| u16::from_str_radix(s.trim_start_matches("0x"), 16).ok();
                match id.split_once(':') {
                    Some((v, p)) => match (parse(v), parse(p)) {
                        (Some(vid), Some(pid)) => Ok(PortSelector::Usb { vid, pid }),
                        _ => Err(format!("must be vendor:product in hex, not {id:?}")),
                    },
                    None => Err(format!("must be vendor:product in hex, not {id:?}")),
                }
            }
            (Some(_), Some(_)) => Err("give either path or usb_id, not both".into()),
            (None, None) => Err("needs path, usb_id or keyboard".into()),
        }
    }
}

/// How the PN532 is connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum NfcTransport {
    /// HSU over a serial port.
    #[default]
    Uart,
    /// I²C bus 1 on the Raspberry Pi (cargo feature `rpi`).
    I2c,
    /// SPI0 on the Raspberry Pi (cargo feature `rpi`).
    Spi,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NfcConfig {
    pub transport: NfcTransport,
    /// Serial device for `uart`, e.g. `/dev/ttyS0` or `/dev/ttyUSB0`.
    pub path: Option<PathBuf>,
    pub baud: u32,
    /// Pause between polls for a card, in milliseconds.
    pub poll_interval_ms: u64,
}

impl Default for NfcConfig {
    fn default() -> Self {
        NfcConfig {
            transport: NfcTransport::Uart,
            path: None,
            baud: 115_200,
            poll_interval_ms: 150,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct SimulatorConfig {
    /// Simulated scanner and reader driven by `member-kiosk simulate`. Default: on when no
    /// scanner and no NFC reader is configured.
    pub enabled: Option<bool>,
}

impl ScannerConfig {
    pub(super) fn check(&self, problems: &mut Problems) {
        if let Err(p) = self.port() {
            problems.add("scanner", p);
        }
        if !(1..=4096).contains(&self.max_length) {
            problems.add("scanner.max_length", "must be between 1 and 4096");
        }
        if self.baud == 0 {
            problems.add("scanner.baud", "must be a baud rate such as 9600");
        }
    }
}

impl FeedbackConfig {
    pub(super) fn check(&self, problems: &mut Problems) {
        if !cfg!(feature = "rpi") {
            problems.add(
                "feedback",
                "needs a build with Raspberry Pi support (cargo feature rpi)",
            );
        }
        if let Some(pin) = self
            .buzzer_pin
            .into_iter()
            .chain(self.led_pin)
            .find(|p| *p > 27)
        {
            problems.add(
                "feedback",
                format!("pin {pin} is not a Raspberry Pi GPIO (0..27)"),
            );
        }
    }
}

impl NfcConfig {
    pub(super) fn check(&self, problems: &mut Problems) {
        match self.transport {
            NfcTransport::Uart if self.path.is_none() => {
                problems.add("nfc.path", "is needed for transport = \"uart\"");
            }
            NfcTransport::I2c | NfcTransport::Spi if !cfg!(feature = "rpi") => problems.add(
                "nfc.transport",
                "i2c and spi need a build with Raspberry Pi support (cargo feature rpi)",
            ),
            _ => {}
        }
        if !(10..=5000).contains(&self.poll_interval_ms) {
            problems.add("nfc.poll_interval_ms", "must be between 10 and 5000");
        }
    }
}
