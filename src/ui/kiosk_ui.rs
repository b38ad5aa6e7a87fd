//! The UI's composition root: builds the navigator and one controller per screen over the
//! storage handle, wires the attract screen's buttons and the device router, and takes new
//! settings from the CRM while running. It holds no screen state of its own.
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use slint::ComponentHandle;

use super::attract::{AttractActions, AttractController};
use super::codes::CodeIssuer;
use super::device_router::{DeviceRouter, Targets};
use super::join::{JoinController, JoinTerms};
use super::navigator::{Navigator, Page};
use super::phone_lookup::PhoneLookupController;
use super::points::PointsController;
use super::ports::{Brightness, Identify, StoreLookup, StoreStaff, StoreSurveys, Verifications};
use super::shell::{Languages, ShellView, SlintAlarm};
use super::smiley::SmileyController;
use super::staff::{StaffController, StaffSetup};
use super::staff_points::{Intent, StaffPointsController, StaffPointsSetup};
use super::staff_session::StaffSession;
use super::staff_surveys::{StaffSurveysController, StaffSurveysSetup};
use super::survey::{Respondent, SurveyController, Trigger};
use super::tasks::{SlintSpawn, Tasks};
use super::welcome::WelcomeController;
use super::{AppWindow, KioskAdapter};
use crate::devices::DeviceEvent;
use crate::domain::language::Language;
use crate::domain::localized::LocalizedText;
use crate::domain::lookup_throttle::LookupThrottle;
use crate::domain::privacy_notice::PrivacyNotice;
use crate::domain::region::Region;
use crate::domain::signing::Signer;
use crate::store::StoreHandle;
use crate::store::staff_ledger::Programme;
use crate::sync::{Link, SyncStatus};

/// What the UI needs from the configuration.
#[derive(Debug, Clone)]
pub struct UiSettings {
    pub store_name: LocalizedText,
    pub language: Language,
    pub regions: Vec<Region>,
    pub default_region: Region,
    pub idle_timeout: Duration,
    pub signup_bonus_points: i64,
    pub privacy_notice: PrivacyNotice,
    pub staff: Option<crate::config::StaffConfig>,
    pub loyalty: crate::config::LoyaltyConfig,
    pub earning: crate::config::EarningConfig,
    pub signup_url: Option<url::Url>,
    pub utc_offset: time::UtcOffset,
    pub smiley_lock: Duration,
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
            privacy_notice: PrivacyNotice::new(
                &k.privacy_notice_version,
                k.privacy_notice.as_ref(),
                &k.store_name,
            ),
            staff: config.staff.clone(),
            loyalty: config.loyalty.clone(),
            earning: config.earning.clone(),
            signup_url: config.signup.url(),
            utc_offset: k.utc_offset(),
            smiley_lock: config.survey.smiley_lock(),
        }
    }

    fn programme(&self) -> Programme {
        Programme {
            loyalty: self.loyalty.rules(),
            earning: self.earning.rules(),
            currency: self.earning.currency.clone(),
            decimals: self.earning.decimals,
        }
    }

    fn join_terms(&self) -> JoinTerms {
        JoinTerms {
            default_region: self.default_region,
            signup_bonus_points: self.signup_bonus_points,
            notice: self.privacy_notice.clone(),
        }
    }
}

pub struct KioskUi {
    nav: Rc<Navigator>,
    languages: Rc<Languages>,
    attract: AttractController,
    join: Rc<JoinController>,
    staff: Rc<StaffController>,
    staff_points: Rc<StaffPointsController>,
    _staff_surveys: Rc<StaffSurveysController>,
    _smiley: Rc<SmileyController>,
    _by_phone: Rc<PhoneLookupController>,
    router: DeviceRouter,
    store: StoreHandle,
}

impl KioskUi {
    /// Builds every controller, binds their adapters and shows the attract screen.
    pub fn install(
        app: &AppWindow,
        settings: UiSettings,
        store: StoreHandle,
        signer: Option<Signer>,
        verifications: Option<Rc<dyn Verifications>>,
        brightness: Option<Rc<dyn Brightness>>,
    ) -> Rc<Self> {
        let weak = app.as_weak();
        let codes = Rc::new(CodeIssuer::new(
            signer,
            settings.loyalty.member_code_valid_days,
            settings.signup_url.clone(),
        ));
        let languages = Languages::new(app, settings.language);
        let nav = Navigator::new(
            settings.idle_timeout,
            Box::new(SlintAlarm::default()),
            Box::new(ShellView {
                app: weak.clone(),
                languages: languages.clone(),
            }),
        );
        let tasks = Tasks::new(nav.clone(), Rc::new(SlintSpawn));
        let current = languages.clone();
        let welcome = WelcomeController::new(
            weak.clone(),
            nav.clone(),
            tasks.clone(),
            Rc::new(store.clone()),
            Box::new(SlintAlarm::default()),
            codes.clone(),
        );
        welcome.bind(app);
        let greet = welcome.clone();
        let join = JoinController::new(
            weak.clone(),
            nav.clone(),
            tasks.clone(),
            Rc::new(store.clone()),
            Rc::new(move || current.current()),
            settings.regions.clone(),
            settings.join_terms(),
            Box::new(move |outcome| greet.show(outcome)),
        );
        join.bind(app);
        let lookup = Rc::new(StoreLookup {
            store: store.clone(),
            rules: Arc::new(settings.loyalty.rules()),
        });
        let points = PointsController::new(
            weak.clone(),
            nav.clone(),
            tasks.clone(),
            lookup.clone(),
            LookupThrottle::new(
                settings.loyalty.lookup_misses_before_pause,
                Duration::from_secs(settings.loyalty.lookup_pause_secs),
            ),
        );
        // "Join" on the attract screen and on the unknown-code screen start the same flow.
        let start_join = {
            let join = Rc::downgrade(&join);
            move || {
                if let Some(join) = join.upgrade() {
                    join.start();
                }
            }
        };
        let join_with_card = {
            let join = Rc::downgrade(&join);
            move |uid| {
                if let Some(join) = join.upgrade() {
                    join.start_with_card(uid);
                }
            }
        };
        points.bind(app, start_join.clone(), join_with_card);
        let by_phone = {
            let points = Rc::downgrade(&points);
            let current = languages.clone();
            PhoneLookupController::new(
                weak.clone(),
                nav.clone(),
                tasks.clone(),
                verifications,
                settings.default_region,
                Rc::new(move || current.current()),
                Box::new(move |member_id| {
                    if let Some(points) = points.upgrade() {
                        points.identify(Identify::Verified(member_id));
                    }
                }),
            )
        };
        by_phone.bind(app);

        let staff_config = settings.staff.clone().unwrap_or_default();
        nav.set_staff_session(staff_config.session_idle());
        let staff_store = Rc::new(StoreStaff {
            store: store.clone(),
            programme: Arc::new(settings.programme()),
            max_attempts: staff_config.max_attempts,
            utc_offset: settings.utc_offset,
        });
        let session = StaffSession::new(staff_store.clone());
        let staff = StaffController::new(
            weak.clone(),
            nav.clone(),
            tasks.clone(),
            StaffSetup {
                staff: staff_config.members.clone(),
                session: session.clone(),
                ledger: staff_store.clone(),
                brightness,
                utc_offset: settings.utc_offset,
                lock_alarm: Box::new(SlintAlarm::default()),
            },
        );
        let staff_points = StaffPointsController::new(
            weak.clone(),
            nav.clone(),
            tasks.clone(),
            StaffPointsSetup {
                session: session.clone(),
                ledger: staff_store,
                currency: settings.earning.currency.clone(),
                decimals: settings.earning.decimals,
                utc_offset: settings.utc_offset,
            },
        );
        let start = |intent| {
            let points = Rc::downgrade(&staff_points);
            move || {
                if let Some(p) = points.upgrade() {
                    p.start(intent);
                }
            }
        };
        let home = {
            let staff = Rc::downgrade(&staff);
            move || {
                if let Some(staff) = staff.upgrade() {
                    staff.show_home();
                }
            }
        };
        staff_points.bind(app, home.clone());

        // Surveys: taking one, the smiley terminal, and staff's side of both.
        let surveys = Rc::new(StoreSurveys {
            store: store.clone(),
            utc_offset: settings.utc_offset,
        });
        let language = {
            let current = languages.clone();
            Rc::new(move || current.current()) as Rc<dyn Fn() -> Language>
        };
        let survey = SurveyController::new(
            weak.clone(),
            nav.clone(),
            tasks.clone(),
            surveys.clone(),
            lookup,
            language.clone(),
        );
        survey.bind(app);
        let smiley = SmileyController::new(
            weak.clone(),
            surveys.clone(),
            language,
            settings.smiley_lock,
            Box::new(SlintAlarm::default()),
        );
        smiley.bind(app);
        let staff_surveys = StaffSurveysController::new(
            weak.clone(),
            nav.clone(),
            tasks.clone(),
            StaffSurveysSetup {
                session: session.clone(),
                surveys,
                survey: survey.clone(),
                smiley: smiley.clone(),
                utc_offset: settings.utc_offset,
            },
        );
        staff_surveys.bind(app, home);
        staff_surveys.load_settings();
        let show_surveys = {
            let s = Rc::downgrade(&staff_surveys);
            move || {
                if let Some(s) = s.upgrade() {
                    s.show();
                }
            }
        };
        staff.bind(
            app,
            start(Intent::Award),
            start(Intent::Redeem),
            show_surveys,
        );
        // A survey may follow every sign-up, or every award.
        let follow = |trigger: Trigger, how: &'static str| {
            let survey = Rc::downgrade(&survey);
            move |member_id: String, masked: String| {
                survey.upgrade().is_some_and(|s| {
                    s.offer_after(
                        trigger,
                        Respondent {
                            member_id,
                            masked,
                            how,
                        },
                    )
                })
            }
        };
        welcome.then(follow(Trigger::Signup, "signup"));
        staff_points.after_award(follow(Trigger::Award, "award"));

        let (p, s) = (Rc::downgrade(&points), Rc::downgrade(&staff));
        let attract = AttractController::install(
            app,
            &settings.store_name,
            AttractActions {
                join: Box::new(start_join),
                lookup: Box::new(move || {
                    if let Some(points) = p.upgrade() {
                        points.show_help();
                    }
                }),
                staff_corner: Box::new(move || {
                    if let Some(staff) = s.upgrade() {
                        staff.corner_tapped();
                    }
                }),
            },
            codes,
        );

        let kiosk = app.global::<KioskAdapter>();
        let n = Rc::downgrade(&nav);
        kiosk.on_go_home(move || {
            if let Some(nav) = n.upgrade() {
                nav.go(Page::Attract);
            }
        });
        let n = Rc::downgrade(&nav);
        kiosk.on_activity(move || {
            if let Some(nav) = n.upgrade()
                && nav.page() != Page::Attract
            {
                nav.touch();
            }
        });
        let (n, l) = (Rc::downgrade(&nav), Rc::downgrade(&languages));
        kiosk.on_select_language(move |index| {
            if let (Some(nav), Some(languages), Some(language)) =
                (n.upgrade(), l.upgrade(), Language::from_index(index))
            {
                nav.touch();
                languages.select(language);
            }
        });

        let router = DeviceRouter::new(
            nav.clone(),
            Targets {
                points,
                welcome,
                staff: staff.clone(),
                staff_points: staff_points.clone(),
                survey,
            },
        );
        nav.go(Page::Attract);
        Rc::new(KioskUi {
            nav,
            languages,
            attract,
            join,
            staff,
            staff_points,
            _staff_surveys: staff_surveys,
            _smiley: smiley,
            _by_phone: by_phone,
            router,
            store,
        })
    }

    pub fn page(&self) -> Page {
        self.nav.page()
    }

    pub fn language(&self) -> Language {
        self.languages.current()
    }

    /// An event from a scanner or card reader (delivered on the UI thread).
    pub fn device_event(&self, event: DeviceEvent) {
        self.router.route(event);
    }

    pub fn device_events_handled(&self) -> u64 {
        self.router.handled()
    }

    pub fn show_sync_status(&self, status: &SyncStatus) {
        self.staff.show_sync_status(status);
        self.staff_points.set_link(match status.link {
            Link::NotConfigured => crate::domain::loyalty::redemption::Link::Standalone,
            Link::Online => crate::domain::loyalty::redemption::Link::Online,
            Link::Connecting | Link::Offline | Link::Failing | Link::Unauthorized => {
                crate::domain::loyalty::redemption::Link::Offline
            }
        });
    }

    /// Reads the settings the CRM published back from the store (off the UI thread), lays
    /// them over `file` (the configuration file's) and applies them.
    pub fn reload_crm_settings(self: &Rc<Self>, file: crate::config::Config) {
        let pending = self.store.submit(|s| s.crm_settings());
        let me = Rc::downgrade(self);
        let spawned = slint::spawn_local(async move {
            match pending.await {
                Ok(Ok(settings)) => {
                    if let Some(ui) = me.upgrade() {
                        ui.apply_settings(UiSettings::from_config(
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
    /// once; the idle timeout, sign-up bonus and privacy notice apply from the next page or
    /// sign-up, so a customer mid-way is not disturbed.
    pub fn apply_settings(&self, settings: UiSettings) {
        self.attract.set_store_name(&settings.store_name);
        self.join.set_terms(settings.join_terms());
        self.nav.set_shop_idle(settings.idle_timeout);
        tracing::info!(
            bonus = settings.signup_bonus_points,
            notice = %settings.privacy_notice.version,
            idle_secs = settings.idle_timeout.as_secs(),
            "settings from the CRM applied"
        );
    }
}
