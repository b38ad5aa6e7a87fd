//! The staff controller: owns `StaffAdapter`. Five quick taps on the attract screen's hidden
//! corner open the PIN entry (only when a PIN is configured), the PIN gate decides, and the
//! staff page shows the sync and device state. Nothing here blocks: the sync status and
//! device states arrive on the UI thread through [`StaffController::show_sync_status`] and
//! [`StaffController::show_device`].
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::time::{Duration, Instant};

use slint::{ComponentHandle, SharedString};

use super::navigator::{Navigator, Page};
use super::{AppWindow, DeviceStatus, PinProblem, StaffAdapter, SyncLink};
use crate::config::StaffConfig;
use crate::devices::{DeviceKind, DeviceState};
use crate::domain::staff_pin::{PinGate, PinOutcome};
use crate::sync::{Link, SyncStatus};

/// Taps on the hidden corner that open the PIN entry, and the time they must fall within.
const CORNER_TAPS: usize = 5;
const CORNER_WINDOW: Duration = Duration::from_secs(3);

/// The PIN gate and what is being typed; absent when no PIN is configured.
pub struct StaffState {
    gate: PinGate,
    entered: String,
    corner_taps: Vec<Instant>,
}

impl StaffState {
    pub fn new(config: &StaffConfig) -> StaffState {
        StaffState {
            gate: PinGate::new(
                &config.pin,
                config.max_attempts,
                Duration::from_secs(config.lockout_secs),
            ),
            entered: String::new(),
            corner_taps: Vec::new(),
        }
    }
}

pub struct StaffController {
    me: Weak<StaffController>,
    app: slint::Weak<AppWindow>,
    nav: Rc<Navigator>,
    /// `None` when no PIN is configured.
    state: RefCell<Option<StaffState>>,
}

impl StaffController {
    pub fn new(
        app: slint::Weak<AppWindow>,
        nav: Rc<Navigator>,
        config: Option<&StaffConfig>,
    ) -> Rc<Self> {
        Rc::new_cyclic(|me| StaffController {
            me: me.clone(),
            app,
            nav,
            state: RefCell::new(config.map(StaffState::new)),
        })
    }

    pub fn bind(self: &Rc<Self>, app: &AppWindow) {
        let staff = app.global::<StaffAdapter>();
        let with = |f: fn(&StaffController)| {
            let me = self.me.clone();
            move || {
                if let Some(c) = me.upgrade() {
                    f(&c);
                }
            }
        };
        staff.on_cancel(with(|c| c.nav.go(Page::Attract)));
        staff.on_exit(with(|c| {
            tracing::info!("staff mode closed");
            c.nav.go(Page::Attract)
        }));
        staff.on_pin_backspace(with(|c| {
            c.edit_pin(|entered| {
                entered.pop();
            })
        }));
        staff.on_pin_clear(with(|c| c.edit_pin(String::clear)));
        let me = self.me.clone();
        staff.on_pin_digit(move |digit: SharedString| {
            if let Some(c) = me.upgrade() {
                c.pin_digit(digit.as_str());
            }
        });
    }

    /// A tap on the attract screen's hidden corner.
    pub fn corner_tapped(&self) {
        let open = {
            let mut staff = self.state.borrow_mut();
            let Some(staff) = staff.as_mut() else {
                return; // no PIN configured: staff mode cannot be opened
            };
            let now = Instant::now();
            staff
                .corner_taps
                .retain(|t| now.duration_since(*t) <= CORNER_WINDOW);
            staff.corner_taps.push(now);
            if staff.corner_taps.len() >= CORNER_TAPS {
                staff.corner_taps.clear();
                staff.entered.clear();
                true
            } else {
                false
            }
        };
        if open && self.nav.page() == Page::Attract {
            self.show_pin_problem(PinProblem::None, 0, 0);
            self.render_pin();
            self.nav.go(Page::StaffPin);
        }
    }

    fn edit_pin(&self, f: impl FnOnce(&mut String)) {
        if let Some(staff) = self.state.borrow_mut().as_mut() {
            f(&mut staff.entered);
        }
        self.nav.touch();
        self.render_pin();
    }

    fn pin_digit(&self, digit: &str) {
        self.nav.touch();
        let outcome = {
            let mut staff = self.state.borrow_mut();
            let Some(staff) = staff.as_mut() else { return };
            if staff.entered.len() < staff.gate.length() {
                staff.entered.push_str(digit);
            }
            if staff.entered.len() < staff.gate.length() {
                None
            } else {
                let entered = std::mem::take(&mut staff.entered);
                Some(staff.gate.attempt(&entered, Instant::now()))
            }
        };
        self.render_pin();
        match outcome {
            None => {}
            Some(PinOutcome::Open) => {
                tracing::info!("staff mode opened");
                self.nav.go(Page::Staff);
            }
            Some(PinOutcome::Wrong { tries_left }) => {
                tracing::warn!(tries_left, "wrong staff PIN");
                self.show_pin_problem(PinProblem::Wrong, tries_left, 0);
            }
            Some(PinOutcome::Locked { remaining }) => {
                tracing::warn!(
                    seconds = remaining.as_secs(),
                    "staff PIN locked after wrong attempts"
                );
                self.show_pin_problem(PinProblem::Locked, 0, remaining.as_secs().max(1));
            }
        }
    }

    fn render_pin(&self) {
        let (entered, length) = match self.state.borrow().as_ref() {
            Some(s) => (s.entered.len(), s.gate.length()),
            None => (0, 0),
        };
        if let Some(app) = self.app.upgrade() {
            let staff = app.global::<StaffAdapter>();
            staff.set_pin_entered(i32::try_from(entered).unwrap_or(0));
            staff.set_pin_length(i32::try_from(length).unwrap_or(0));
        }
    }

    fn show_pin_problem(&self, problem: PinProblem, tries_left: u32, locked_secs: u64) {
        if let Some(app) = self.app.upgrade() {
            let staff = app.global::<StaffAdapter>();
            staff.set_pin_problem(problem);
            staff.set_tries_left(i32::try_from(tries_left).unwrap_or(0));
            staff.set_locked_seconds(i32::try_from(locked_secs).unwrap_or(i32::MAX));
        }
    }

    /// A device connected or went away: staff see it; customers are not bothered with it.
    pub fn show_device(&self, device: DeviceKind, state: DeviceState) {
        let status = match state {
            DeviceState::NotConfigured => DeviceStatus::NotConfigured,
            DeviceState::Simulated => DeviceStatus::Simulated,
            DeviceState::Connected => DeviceStatus::Connected,
            DeviceState::Disconnected => DeviceStatus::Disconnected,
        };
        if let Some(app) = self.app.upgrade() {
            let staff = app.global::<StaffAdapter>();
            match device {
                DeviceKind::Scanner => staff.set_scanner_status(status),
                DeviceKind::Nfc => staff.set_nfc_status(status),
            }
        }
    }

    /// The sync loop's latest state, for the staff page. The CRM's own error text goes to
    /// the log only: it is English and may name the CRM's address.
    pub fn show_sync_status(&self, status: &SyncStatus) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let staff = app.global::<StaffAdapter>();
        staff.set_link(match status.link {
            Link::NotConfigured => SyncLink::NotConfigured,
            Link::Connecting => SyncLink::Connecting,
            Link::Online => SyncLink::Online,
            Link::Offline => SyncLink::Offline,
            Link::Failing => SyncLink::Failing,
            Link::Unauthorized => SyncLink::Unauthorized,
        });
        staff.set_last_sync(short_time(status.last_sync_at.as_deref()).into());
        staff.set_queue_depth(i32::try_from(status.queue_depth).unwrap_or(i32::MAX));
        staff.set_queue_warning(status.queue_warning());
        staff.set_rejected_count(i32::try_from(status.rejected_count).unwrap_or(i32::MAX));
        // Only the event kind: the reason is the CRM's own (English) text, kept in the log.
        let kind = status
            .latest_rejection
            .as_deref()
            .and_then(|r| r.split(':').next());
        staff.set_latest_rejection(kind.unwrap_or_default().into());
        staff.set_quarantined_database(status.quarantined.clone().unwrap_or_default().into());
    }
}

/// "2026-11-23T03:04:05.123Z" → "2026-11-23 03:04 UTC".
fn short_time(rfc3339: Option<&str>) -> String {
    match rfc3339 {
        Some(t) if t.len() >= 16 => format!("{} {} UTC", &t[..10], &t[11..16]),
        Some(t) => t.to_owned(),
        None => String::new(),
    }
}
