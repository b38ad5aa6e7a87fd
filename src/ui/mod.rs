//! UI glue between the Slint pages in `ui/` and the rest of the kiosk.
//!
//! - [`navigator`]: plain Rust, no Slint. The page state machine and its policy table:
//!   idle timeouts, what scans and taps do per page, flow tokens, resets.
//! - [`shell`]: the navigator's Slint side (timer, `KioskAdapter`, language).
//! - [`tasks`]: the one helper for "run a storage job, then update the UI if still current".
//! - [`ports`]: the repository traits controllers use, implemented by the storage handle.
//! - One controller per screen, each owning its adapter: [`attract`], [`join`] (over the
//!   plain [`join_form`]), [`welcome`], [`points`] ("My points" and the balance),
//!   [`phone_lookup`], [`staff`] (sign-in and staff home) and [`staff_points`] (awards,
//!   redemptions, undo), the last two sharing the [`staff_session`]; [`survey`] (taking a
//!   survey), [`smiley`] (the smiley terminal) and [`staff_surveys`] (handing surveys out,
//!   results).
//! - [`device_router`]: scans and taps to whatever the page's policy says.
//! - [`kiosk_ui`]: the composition root.
//!
//! Dependencies point one way: controllers know the navigator, `tasks` and `ports`; only the
//! router and `kiosk_ui` know controllers.
pub mod attract;
pub mod codes;
pub mod convert;
pub mod device_router;
pub mod join;
pub mod join_form;
pub mod kiosk_ui;
pub mod navigator;
pub mod phone_lookup;
pub mod points;
pub mod ports;
pub mod shell;
pub mod smiley;
pub mod staff;
pub mod staff_points;
pub mod staff_session;
pub mod staff_surveys;
pub mod survey;
pub mod tasks;
pub mod verifier;
pub mod welcome;

#[allow(clippy::all, clippy::pedantic, unused_qualifications)]
mod generated {
    slint::include_modules!();
}

pub use generated::*;

/// What a screen hands a member on to when it is done (a survey that follows sign-ups or
/// awards): given the member's id and masked number, it shows something and says so with
/// `true`; with `false` the screen goes home as usual.
pub type FollowUp = Box<dyn Fn(String, String) -> bool>;
pub use kiosk_ui::{KioskUi, UiSettings};
