//! Devices at the counter and the typed events they deliver: QR/barcode scanners
//! ([`scanner`]) and the PN532 NFC reader ([`nfc`]). Each driver runs on its own thread and
//! reports through an [`EventSink`]; none of them touches the UI. With no hardware
//! configured, [`simulator`] stands in for both.
pub mod doctor;
pub mod feedback;
pub mod nfc;
pub mod runtime;
pub mod scanner;
pub mod simulator;

use std::sync::Arc;

use serde::Serialize;

/// What a device tells the application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum DeviceEvent {
    /// A complete code read by a scanner, with the AIM symbology if the scanner sent one.
    Scan {
        text: String,
        symbology: Option<String>,
    },
    /// A line from the scanner that was not a usable code (binary, overlong, not UTF-8).
    ScanRejected { reason: String },
    /// An NFC card was presented: once per presentation, not a stream.
    CardTap { uid: String },
    /// The card left the reader.
    CardRemoved { uid: String },
    /// A device connected or went away.
    State {
        device: DeviceKind,
        state: DeviceState,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DeviceKind {
    Scanner,
    Nfc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DeviceState {
    NotConfigured,
    Simulated,
    Connected,
    Disconnected,
}

/// Where drivers deliver events. Called on the driver's own thread: it must not block.
pub type EventSink = Arc<dyn Fn(DeviceEvent) + Send + Sync>;

/// A sink that forwards events into a channel, for callers that wait on events in order
/// (`doctor`, tests, benchmarks).
pub fn channel_sink() -> (EventSink, std::sync::mpsc::Receiver<DeviceEvent>) {
    let (tx, rx) = std::sync::mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    let sink: EventSink = Arc::new(move |event| {
        if let Ok(tx) = tx.lock() {
            let _ = tx.send(event);
        }
    });
    (sink, rx)
}
