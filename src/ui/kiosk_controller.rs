//! The screen state machine: attract → join → welcome (and the "my points" help), the idle
//! timer that returns every screen to attract, the language switch, and the sign-up
//! submission, which commits on the storage thread and shows the welcome screen only after
//! the commit.
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::time::{Duration, Instant};

use slint::{ComponentHandle, SharedString, Timer, TimerMode};

use super::join_state::JoinState;
use super::staff_mode::StaffState;
use super::{
    AppWindow, JoinAdapter, JoinProblem, KioskAdapter, RecognisedAdapter, Screen, WelcomeAdapter,
};
use crate::domain::language::Language;
use crate::domain::region::Region;
use crate::domain::signup::{JoinOutcome, JoinRequest};
use crate::domain::timing::{SignupMoments, SignupTiming};
use crate::store::{StoreError, StoreHandle};

/// What the UI needs from the configuration.
#[derive(Debug, Clone)]
pub struct UiSettings {
    pub store_name: String,
    pub language: Language,
    pub regions: Vec<Region>,
    pub default_region: Region,
    pub idle_timeout: Duration,
    pub signup_bonus_points: i64,
    pub privacy_notice_version: String,
    pub staff: Option<crate::config::StaffConfig>,
}

impl UiSettings {
    pub fn from_config(config: &crate::config::Config) -> UiSettings {
        let k = &config.kiosk;
        UiSettings {
            store_name: k.store_name.clone(),
            language: k.language,
            regions: k.regions.clone(),
            default_region: k.default_region,
            idle_timeout: config.idle_timeout(),
            signup_bonus_points: k.signup_bonus_points,
            privacy_notice_version: k.privacy_notice_version.clone(),
            staff: config.staff.clone(),
        }
    }
}

pub struct KioskController {
    pub(super) me: Weak<KioskController>,
    pub(super) app: slint::Weak<AppWindow>,
    settings: RefCell<UiSettings>,
    pub(super) store: StoreHandle,
    join: RefCell<JoinState>,
    idle: Timer,
    pub(super) screen: Cell<Screen>,
    /// The member on the welcome screen, who may tap a card to link it.
    pub(super) welcomed_member: RefCell<Option<String>>,
    /// Whether an NFC reader (real or simulated) is there to link cards with.
    pub(super) nfc_available: Cell<bool>,
    /// Device events handled so far (observable by tests and diagnostics).
    pub(super) device_events: Cell<u64>,
    /// The staff PIN gate; `None` when no PIN is configured.
    pub(super) staff: RefCell<Option<StaffState>>,
    /// Bumped whenever the flow is abandoned, so a late commit result is not shown to the
    /// next customer.
    pub(super) flow: Cell<u64>,
}

impl KioskController {
    /// Wires the adapters' callbacks and shows the attract screen.
    pub fn install(app: &AppWindow, settings: UiSettings, store: StoreHandle) -> Rc<Self> {
        let controller = Rc::new_cyclic(|me| KioskController {
            me: me.clone(),
            app: app.as_weak(),
            join: RefCell::new(JoinState::new(
                settings.regions.clone(),
                settings.default_region,
            )),
            staff: RefCell::new(settings.staff.as_ref().map(StaffState::new)),
            settings: RefCell::new(settings),
            store,
            idle: Timer::default(),
            screen: Cell::new(Screen::Attract),
            welcomed_member: RefCell::new(None),
            nfc_available: Cell::new(false),
            device_events: Cell::new(0),
            flow: Cell::new(0),
        });
        let kiosk = app.global::<KioskAdapter>();
        kiosk.set_store_name(SharedString::from(
            controller.settings().store_name.as_str(),
        ));
        controller.join.borrow().render_regions(app);
        controller.set_language(controller.settings().language);
        controller.go(Screen::Attract);
        controller.install_staff_mode(app);

        let weak = Rc::downgrade(&controller);
        let with = move |f: fn(&KioskController)| {
            let weak = weak.clone();
            move || {
                if let Some(c) = weak.upgrade() {
                    f(&c);
                }
            }
        };
        kiosk.on_start_join(with(|c| {
            c.join.borrow_mut().first_touch = Some(Instant::now());
            c.go(Screen::Join);
        }));
        kiosk.on_show_lookup(with(|c| c.go(Screen::Lookup)));
        kiosk.on_go_home(with(|c| c.go(Screen::Attract)));
        kiosk.on_activity(with(|c| c.activity()));
        let weak = Rc::downgrade(&controller);
        kiosk.on_select_language(move |index| {
            if let (Some(c), Some(language)) = (weak.upgrade(), Language::from_index(index)) {
                c.activity();
                c.set_language(language);
            }
        });

        let join = app.global::<JoinAdapter>();
        let edit = |weak: Weak<KioskController>, f: fn(&mut JoinState, &str)| {
            move |text: SharedString| {
                if let Some(c) = weak.upgrade() {
                    c.edit_join(|s| f(s, text.as_str()));
                }
            }
        };
        join.on_digit(edit(Rc::downgrade(&controller), |s, t| s.push_digit(t)));
        join.on_typed(edit(Rc::downgrade(&controller), |s, t| s.typed(t)));
        let edit0 = |weak: Weak<KioskController>, f: fn(&mut JoinState)| {
            move || {
                if let Some(c) = weak.upgrade() {
                    c.edit_join(f);
                }
            }
        };
        join.on_backspace(edit0(Rc::downgrade(&controller), JoinState::backspace));
        join.on_clear(edit0(Rc::downgrade(&controller), JoinState::clear));
        join.on_toggle_privacy(edit0(Rc::downgrade(&controller), |s| {
            s.privacy_consent = !s.privacy_consent
        }));
        join.on_toggle_marketing(edit0(Rc::downgrade(&controller), |s| {
            s.marketing_opt_in = !s.marketing_opt_in
        }));
        let weak = Rc::downgrade(&controller);
        join.on_choose_region(move |index| {
            if let (Some(c), Ok(index)) = (weak.upgrade(), usize::try_from(index)) {
                c.edit_join(|s| s.choose_region(index));
            }
        });
        let weak = Rc::downgrade(&controller);
        join.on_show_privacy_notice(move |open| {
            if let Some(c) = weak.upgrade() {
                c.edit_join(|s| s.privacy_notice_open = open);
            }
        });
        let weak = Rc::downgrade(&controller);
        join.on_show_region_picker(move |open| {
            if let Some(c) = weak.upgrade() {
                c.edit_join(|s| s.region_picker_open = open);
            }
        });
        join.on_cancel(with(|c| c.go(Screen::Attract)));
        join.on_join(with(|c| c.submit_join()));
        app.global::<WelcomeAdapter>()
            .on_done(with(|c| c.go(Screen::Attract)));
        app.global::<RecognisedAdapter>()
            .on_done(with(|c| c.go(Screen::Attract)));
        controller
    }

    pub fn screen(&self) -> Screen {
        self.screen.get()
    }

    /// The settings in force: the file's, with those the CRM manages laid over them.
    fn settings(&self) -> std::cell::Ref<'_, UiSettings> {
        self.settings.borrow()
    }

    /// Reads the settings the CRM published back from the store (off the UI thread), lays
    /// them over `file` (the configuration file's) and applies them.
    pub fn reload_crm_settings(&self, file: crate::config::Config) {
        let pending = self.store.submit(|s| s.crm_settings());
        let me = self.me.clone();
        let spawned = slint::spawn_local(async move {
            match pending.await {
                Ok(Ok(settings)) => {
                    if let Some(c) = me.upgrade() {
                        c.apply_settings(UiSettings::from_config(
                            &file.with_crm_settings(&settings),
                        ));
                    }
                }
                Ok(Err(e)) => tracing::warn!("new CRM settings not read: {e}"),
                // The storage thread has ended: the kiosk is shutting down.
                Err(_) => {}
            }
        });
        if let Err(e) = spawned {
            tracing::warn!("cannot read new CRM settings: {e}");
        }
    }

    /// Takes settings the CRM published while the kiosk runs. The store name changes at
    /// once; the idle timeout, sign-up bonus and privacy notice version apply from the next
    /// screen or sign-up, so a customer mid-way is not disturbed.
    pub fn apply_settings(&self, settings: UiSettings) {
        if let Some(app) = self.app.upgrade() {
            app.global::<KioskAdapter>()
                .set_store_name(SharedString::from(settings.store_name.as_str()));
        }
        tracing::info!(
            store_name = %settings.store_name,
            bonus = settings.signup_bonus_points,
            notice = %settings.privacy_notice_version,
            idle_secs = settings.idle_timeout.as_secs(),
            "settings from the CRM applied"
        );
        *self.settings.borrow_mut() = settings;
    }

    /// Shows `screen`. Leaving for the attract screen abandons the current flow; every other
    /// screen arms the idle timer.
    pub(super) fn go(&self, screen: Screen) {
        if screen != Screen::Welcome {
            self.welcomed_member.borrow_mut().take();
        }
        self.screen.set(screen);
        if let Some(app) = self.app.upgrade() {
            app.global::<KioskAdapter>().set_screen(screen);
        }
        if screen == Screen::Attract {
            self.idle.stop();
            self.flow.set(self.flow.get().wrapping_add(1));
            let region = self.settings().default_region;
            self.edit_join(|s| s.reset(region));
        } else {
            self.arm_idle_timer();
        }
    }

    pub(super) fn activity(&self) {
        if self.screen.get() != Screen::Attract {
            self.arm_idle_timer();
        }
    }

    fn arm_idle_timer(&self) {
        let me = self.me.clone();
        self.idle.start(
            TimerMode::SingleShot,
            self.settings().idle_timeout,
            move || {
                if let Some(c) = me.upgrade() {
                    tracing::debug!("idle timeout: back to the attract screen");
                    c.go(Screen::Attract);
                    // The next customer starts in the shop's language.
                    let language = c.settings().language;
                    c.set_language(language);
                }
            },
        );
    }

    fn set_language(&self, language: Language) {
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

    /// Applies `f` to the join state, restarts the idle timer and re-renders.
    fn edit_join(&self, f: impl FnOnce(&mut JoinState)) {
        f(&mut self.join.borrow_mut());
        self.activity();
        if let Some(app) = self.app.upgrade() {
            self.join.borrow().render(&app);
        }
    }

    /// Join tapped: hand the commit to the storage thread and await it on the event loop.
    fn submit_join(&self) {
        let join_tapped = Instant::now();
        let request = {
            let state = self.join.borrow();
            if !state.can_join() {
                return;
            }
            let Some(phone) = state.valid_number().cloned() else {
                return;
            };
            JoinRequest::new(
                phone,
                state.privacy_consent,
                state.marketing_opt_in,
                &self.settings().privacy_notice_version,
                self.settings().signup_bonus_points,
            )
        };
        let Some(request) = request else { return };
        self.edit_join(|s| {
            s.submitting = true;
            s.problem = JoinProblem::None;
        });
        let flow = self.flow.get();
        let result = self.store.submit(move |store| store.join(&request));
        let weak = self.me.clone();
        let spawned = slint::spawn_local(async move {
            let result = result.await.unwrap_or(Err(StoreError::WorkerGone));
            if let Some(c) = weak.upgrade() {
                c.finish_join(flow, join_tapped, result);
            }
        });
        if let Err(e) = spawned {
            tracing::error!("cannot schedule the sign-up: {e}");
            self.edit_join(|s| {
                s.submitting = false;
                s.problem = JoinProblem::SaveFailed;
            });
        }
    }

    fn finish_join(
        &self,
        flow: u64,
        join_tapped: Instant,
        result: Result<JoinOutcome, StoreError>,
    ) {
        if flow != self.flow.get() {
            // The customer left (idle timeout or Back) while the commit ran. A committed
            // sign-up is kept; it is just not shown to whoever stands there now.
            tracing::info!(
                committed = result.is_ok(),
                "sign-up finished after the flow was abandoned"
            );
            return;
        }
        let outcome = match result {
            Ok(outcome) => {
                self.store.notify_outbox();
                outcome
            }
            Err(e) => {
                if e.is_disk_full() {
                    tracing::error!("sign-up not saved: the disk is full");
                } else {
                    tracing::error!("sign-up not saved: {e}");
                }
                self.edit_join(|s| {
                    s.submitting = false;
                    s.problem = JoinProblem::SaveFailed;
                });
                return;
            }
        };
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let welcome = app.global::<WelcomeAdapter>();
        welcome.set_returning(outcome.returning);
        welcome.set_bonus_points(i32::try_from(outcome.bonus_awarded).unwrap_or(i32::MAX));
        welcome.set_balance(i32::try_from(outcome.balance).unwrap_or(i32::MAX));
        welcome.set_masked_phone(outcome.phone.masked().into());
        welcome.set_card_linked(false);
        welcome.set_card_link_available(self.nfc_available.get());
        let moments = {
            let state = self.join.borrow();
            state.first_touch.zip(state.number_valid_at)
        };
        self.go(Screen::Welcome);
        let welcome_shown = Instant::now();
        *self.welcomed_member.borrow_mut() = Some(outcome.member_id.clone());
        tracing::info!(returning = outcome.returning, "member welcomed");
        if let Some((first_touch, number_valid)) = moments {
            let timing = SignupTiming::from_moments(&SignupMoments {
                first_touch,
                number_valid,
                join_tapped,
                welcome_shown,
            });
            let returning = outcome.returning;
            // Fire and forget: telemetry must never hold up the customer.
            drop(self.store.submit(move |store| {
                if let Err(e) = store.record_signup_timing(&timing, returning) {
                    tracing::warn!("sign-up timing not recorded: {e}");
                }
            }));
        }
        let region = self.settings().default_region;
        self.edit_join(|s| s.reset(region));
    }
}
