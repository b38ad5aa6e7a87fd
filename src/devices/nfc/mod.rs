//! The PN532 NFC reader: frame codec ([`frame`]), command layer ([`pn532`]), byte links
//! ([`transport`]) and the polling thread ([`reader`]).
//!
//! Wiring (UART/HSU): PN532 TX → Pi RX (GPIO 15), RX → TX (GPIO 14), 3.3 V, GND; set the
//! board's mode switches to HSU. Enable the Pi's UART (`enable_uart=1`, no serial console)
//! and add the kiosk user to `dialout`.
pub mod frame;
pub mod pn532;
pub mod reader;
#[cfg(feature = "rpi")]
pub mod rpi;
pub mod transport;
