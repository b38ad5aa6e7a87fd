//! UI glue between the Slint pages in `ui/` and the rest of the kiosk. Rust talks to the UI
//! only through the adapters (`KioskAdapter`, `JoinAdapter`, `WelcomeAdapter`): the join
//! state lives in [`join_state`], navigation, the idle timer and submission in
//! [`kiosk_controller`], scans and taps in [`device_events`], staff mode in [`staff_mode`].
pub mod device_events;
pub mod join_state;
pub mod kiosk_controller;
pub mod staff_mode;

#[allow(clippy::all, clippy::pedantic, unused_qualifications)]
mod generated {
    slint::include_modules!();
}

pub use generated::*;
pub use kiosk_controller::{KioskController, UiSettings};
