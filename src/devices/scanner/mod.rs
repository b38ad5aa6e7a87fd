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
