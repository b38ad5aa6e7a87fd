//! Hands scans and card taps to whatever the active page's policy says (the navigator's
//! table), and device states to staff mode. Nothing else looks at the current page to decide
//! where a device event goes.
//!
//! A scan's hops: driver thread → event sink → bounded channel → [`DeviceRouter::route`]
//! (UI thread) → [`PointsController::identify`] → storage thread → [`Tasks::then`] → the
//! balance page.
use std::cell::Cell;
use std::rc::Rc;

use super::navigator::{DeviceUse, Navigator};
use super::points::PointsController;
use super::ports::Identify;
use super::staff::StaffController;
use super::staff_points::StaffPointsController;
use super::survey::SurveyController;
use super::welcome::WelcomeController;
use crate::devices::{DeviceEvent, DeviceKind, DeviceState};
use crate::logging::{LogBudget, SUMMARY_INTERVAL};

/// Scans are logged a few per interval, then counted: a scanner stuck in continuous mode
/// must not flood the journal.
static SCANS: LogBudget = LogBudget::new("code scanned", SUMMARY_INTERVAL);

pub struct DeviceRouter {
    nav: Rc<Navigator>,
    points: Rc<PointsController>,
    welcome: Rc<WelcomeController>,
    staff: Rc<StaffController>,
    staff_points: Rc<StaffPointsController>,
    survey: Rc<SurveyController>,
    handled: Cell<u64>,
}

/// The controllers device events can go to.
pub struct Targets {
    pub points: Rc<PointsController>,
    pub welcome: Rc<WelcomeController>,
    pub staff: Rc<StaffController>,
    pub staff_points: Rc<StaffPointsController>,
    pub survey: Rc<SurveyController>,
}

impl DeviceRouter {
    pub fn new(nav: Rc<Navigator>, targets: Targets) -> Self {
        DeviceRouter {
            nav,
            points: targets.points,
            welcome: targets.welcome,
            staff: targets.staff,
            staff_points: targets.staff_points,
            survey: targets.survey,
            handled: Cell::new(0),
        }
    }

    /// Device events handled so far (for tests and diagnostics).
    pub fn handled(&self) -> u64 {
        self.handled.get()
    }

    /// An event from a scanner or card reader, on the UI thread.
    pub fn route(&self, event: DeviceEvent) {
        self.handled.set(self.handled.get() + 1);
        let policy = self.nav.policy();
        match event {
            DeviceEvent::State { device, state } => {
                if device == DeviceKind::Nfc {
                    self.welcome.set_reader_available(matches!(
                        state,
                        DeviceState::Connected | DeviceState::Simulated
                    ));
                }
                self.staff.show_device(device, state);
            }
            DeviceEvent::Scan { text, symbology } => {
                if SCANS.allow(std::time::Instant::now()) {
                    tracing::info!(
                        len = text.len(),
                        symbology = symbology.as_deref().unwrap_or("-"),
                        "code scanned"
                    );
                }
                match policy.scan {
                    DeviceUse::Identify => self.points.identify(Identify::Code(text)),
                    DeviceUse::StaffIdentify => self.staff_points.identify(Identify::Code(text)),
                    DeviceUse::SurveyIdentify => self.survey.identify(Identify::Code(text)),
                    DeviceUse::Ignore | DeviceUse::LinkCard => self.ignored("scan"),
                }
            }
            DeviceEvent::ScanRejected { .. } => match policy.scan {
                DeviceUse::Identify => self.points.unreadable(),
                DeviceUse::StaffIdentify => self.staff_points.unreadable(),
                DeviceUse::Ignore | DeviceUse::LinkCard | DeviceUse::SurveyIdentify => {
                    self.ignored("unreadable scan")
                }
            },
            DeviceEvent::CardTap { uid } => match policy.tap {
                DeviceUse::Identify => self.points.identify(Identify::Card(uid)),
                DeviceUse::StaffIdentify => self.staff_points.identify(Identify::Card(uid)),
                DeviceUse::SurveyIdentify => self.survey.identify(Identify::Card(uid)),
                DeviceUse::LinkCard => self.welcome.card_tapped(uid),
                DeviceUse::Ignore => self.ignored("card tap"),
            },
            DeviceEvent::CardRemoved { .. } => {}
        }
    }

    fn ignored(&self, what: &str) {
        tracing::debug!(page = ?self.nav.page(), "{what} ignored on this page");
    }
}
