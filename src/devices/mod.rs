//! Devices at the counter and the typed events they deliver: QR/barcode scanners
//! ([`scanner`]) and the PN532 NFC reader ([`nfc`]). Each driver runs on its own thread and
//! reports through an [`EventSink`]; none of them touches the UI. With no hardware
//! configured, [`simulator`] stands in for both. The screen's [`backlight`] is here too.
pub mod backlight;
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

/// Events dropped because the application is not keeping up; logged within a budget.
static DROPPED: crate::logging::LogBudget = crate::logging::LogBudget::new(
    "device event dropped: the UI is not keeping up",
    crate::logging::SUMMARY_INTERVAL,
);

/// The kiosk's sink: a bounded queue of `capacity` events for the UI thread. Beyond that a
/// babbling device loses events (counted in the log, not one line each), never memory.
pub fn bounded_sink(capacity: usize) -> (EventSink, tokio::sync::mpsc::Receiver<DeviceEvent>) {
    let (tx, rx) = tokio::sync::mpsc::channel(capacity);
    let sink: EventSink = Arc::new(move |event| {
        if tx.try_send(event).is_err() && DROPPED.allow(std::time::Instant::now()) {
            tracing::warn!("device event dropped: the UI is not keeping up");
        }
    });
    (sink, rx)
}

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
