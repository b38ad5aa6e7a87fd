//! Devices at the counter (QR scanner, NFC reader, GPIO feedback) and the typed events they
//! deliver to the kiosk. The drivers themselves run off the UI thread; with no hardware
//! configured none are started.
//!
//! This release defines the boundary only: the serial scanner, PN532 reader and their
//! simulators are the next milestone (see README, "Roadmap").
use serde::Serialize;

/// What a device tells the application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum DeviceEvent {
    /// A complete code read by a scanner, with the AIM symbology if the scanner sent one.
    Scan {
        text: String,
        symbology: Option<String>,
    },
    /// An NFC card was presented (once per presentation, not a stream).
    CardTap { uid: String },
    /// A device connected, disconnected or failed.
    State { device: String, state: DeviceState },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DeviceState {
    NotConfigured,
    Connected,
    Disconnected,
}
