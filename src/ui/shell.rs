//! The Slint side of the navigator: a `slint::Timer` as its [`Alarm`], the shell adapter
//! (`KioskAdapter`) as its [`NavView`], and the language switch, which the navigator resets
//! to the shop's language on every return to the attract screen.
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use slint::{ComponentHandle, Timer, TimerMode};

use super::navigator::{Alarm, NavView, Page};
use super::{AppWindow, KioskAdapter, Screen};
use crate::domain::language::Language;

/// A one-shot `slint::Timer` (only ever touched on the UI thread).
#[derive(Default)]
pub struct SlintAlarm(Timer);

impl Alarm for SlintAlarm {
    fn set(&self, after: Duration, ring: Box<dyn FnOnce()>) {
        let ring = RefCell::new(Some(ring));
        self.0.start(TimerMode::SingleShot, after, move || {
            // Taken out before it runs: it may re-arm this very timer.
            let ring = ring.borrow_mut().take();
            if let Some(ring) = ring {
                ring();
            }
        });
    }

    fn cancel(&self) {
        self.0.stop();
    }
}

/// The language on screen and the shop's own.
pub struct Languages {
    app: slint::Weak<AppWindow>,
    current: Cell<Language>,
    shop: Cell<Language>,
}

impl Languages {
    pub fn new(app: &AppWindow, shop: Language) -> Rc<Languages> {
        let languages = Rc::new(Languages {
            app: app.as_weak(),
            current: Cell::new(shop),
            shop: Cell::new(shop),
        });
        languages.select(shop);
        languages
    }

    pub fn current(&self) -> Language {
        self.current.get()
    }

    pub fn select(&self, language: Language) {
        self.current.set(language);
        if let Err(e) = slint::select_bundled_translation(language.bundle_name()) {
            tracing::warn!(
                language = language.bundle_name(),
                "cannot select translation: {e}"
            );
        }
        if let Some(app) = self.app.upgrade() {
            let kiosk = app.global::<KioskAdapter>();
            kiosk.set_language_index(i32::try_from(language.index()).unwrap_or(0));
            kiosk.set_font_family(language.font_family().into());
        }
    }

    pub fn reset(&self) {
        self.select(self.shop.get());
    }
}

/// Shows the navigator's pages through `KioskAdapter`.
pub struct ShellView {
    pub app: slint::Weak<AppWindow>,
    pub languages: Rc<Languages>,
}

pub fn screen(page: Page) -> Screen {
    match page {
        Page::Attract => Screen::Attract,
        Page::Join => Screen::Join,
        Page::AlreadyMember => Screen::AlreadyMember,
        Page::Welcome => Screen::Welcome,
        Page::Lookup => Screen::Lookup,
        Page::PhoneLookup => Screen::PhoneLookup,
        Page::Balance => Screen::Balance,
        Page::StaffPin => Screen::StaffPin,
        Page::Staff => Screen::Staff,
        Page::StaffMember => Screen::StaffMember,
        Page::StaffAward => Screen::StaffAward,
        Page::StaffRedeem => Screen::StaffRedeem,
        Page::StaffSurveys => Screen::StaffSurveys,
        Page::StaffResults => Screen::StaffResults,
        Page::SurveyStart => Screen::SurveyStart,
        Page::Survey => Screen::Survey,
        Page::SurveyThanks => Screen::SurveyThanks,
    }
}

impl NavView for ShellView {
    fn show(&self, page: Page) {
        if let Some(app) = self.app.upgrade() {
            app.global::<KioskAdapter>().set_screen(screen(page));
        }
    }

    fn still_there(&self, remaining: Option<Duration>) {
        if let Some(app) = self.app.upgrade() {
            let secs = remaining.map_or(0, |d| d.as_secs().max(1));
            app.global::<KioskAdapter>()
                .set_still_there_seconds(i32::try_from(secs).unwrap_or(i32::MAX));
        }
    }

    fn reset_language(&self) {
        self.languages.reset();
    }
}
