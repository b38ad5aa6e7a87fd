//! QR/barcode scanners: the line splitter and AIM parsing ([`lines`]), repeat suppression
//! ([`debounce`]), the serial-port thread ([`serial`]) and keyboard-wedge scanners ([`wedge`]).
//!
//! Most USB scanners offer a "USB CDC / virtual COM" mode: choose it (not keyboard mode) so
//! the kiosk reads codes itself, and set the suffix to CR, LF or CRLF to match the config.
//! Enable "transmit AIM ID" to have the symbology reported.
pub mod debounce;
pub mod lines;
pub mod serial;
pub mod wedge;

use std::time::Instant;

use crate::devices::{DeviceEvent, EventSink};
use crate::logging::{LogBudget, SUMMARY_INTERVAL};

/// Rejected lines are logged a few at a time, then counted: a scanner spewing garbage must
/// not flood the journal.
static REJECTED: LogBudget = LogBudget::new("scan rejected", SUMMARY_INTERVAL);

/// Hands one line from any scanner to the application: a new code as `Scan`, a repeat
/// inside the debounce window dropped, a rejected line logged and reported as
/// `ScanRejected` (so feedback can sound it).
pub(crate) fn deliver(
    line: Result<lines::Scan, lines::Rejected>,
    debounce: &mut debounce::Debouncer,
    sink: &EventSink,
) {
    match line {
        Ok(scan) if debounce.accept(&scan.text, Instant::now()) => sink(DeviceEvent::Scan {
            text: scan.text,
            symbology: scan.symbology,
        }),
        Ok(scan) => tracing::debug!(len = scan.text.len(), "repeated scan ignored"),
        Err(reason) => {
            if REJECTED.allow(Instant::now()) {
                tracing::warn!("scan rejected: {reason}");
            }
            sink(DeviceEvent::ScanRejected {
                reason: reason.to_string(),
            });
        }
    }
}
