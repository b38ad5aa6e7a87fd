//! The staff surveys controller: owns `StaffSurveysAdapter`. Lists the surveys staff can
//! hand out (the CRM's and the built-in one), hands one to the next customer (staff mode
//! closes first: the customer must not inherit a staff session), sets which survey follows
//! every sign-up or award, turns the smiley terminal on and off (kept across restarts),
//! and shows the results for today or this week. Results appear only here.
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use slint::{ComponentHandle, ModelRc, VecModel};

use super::convert::names;

use super::navigator::{Navigator, Page};
use super::ports::{Surveys, day_start};
use super::smiley::SmileyController;
use super::staff_session::StaffSession;
use super::survey::{SurveyController, Trigger};
use super::tasks::Tasks;
use super::{AppWindow, ResultsPeriod, StaffSurveysAdapter, SurveyLine};
use crate::domain::survey::definition::SurveyDefinition;
use crate::domain::survey::scores::Csat;
use crate::store::surveys::{AFTER_AWARD, AFTER_SIGNUP, SMILEY_MODE, SurveyResults};

pub struct StaffSurveysController {
    me: Weak<StaffSurveysController>,
    app: slint::Weak<AppWindow>,
    nav: Rc<Navigator>,
    tasks: Tasks,
    session: Rc<StaffSession>,
    surveys: Rc<dyn Surveys>,
    survey: Rc<SurveyController>,
    smiley: Rc<SmileyController>,
    utc_offset: time::UtcOffset,
    list: RefCell<Vec<SurveyDefinition>>,
    period: Cell<ResultsPeriod>,
    /// Staff home (the staff controller's).
    home: RefCell<Option<Box<dyn Fn()>>>,
}

/// What the staff surveys controller is built from.
pub struct StaffSurveysSetup {
    pub session: Rc<StaffSession>,
    pub surveys: Rc<dyn Surveys>,
    pub survey: Rc<SurveyController>,
    pub smiley: Rc<SmileyController>,
    pub utc_offset: time::UtcOffset,
}

impl StaffSurveysController {
    pub fn new(
        app: slint::Weak<AppWindow>,
        nav: Rc<Navigator>,
        tasks: Tasks,
        setup: StaffSurveysSetup,
    ) -> Rc<Self> {
        let controller = Rc::new_cyclic(|me| StaffSurveysController {
            me: me.clone(),
            app,
            nav,
            tasks,
            session: setup.session,
            surveys: setup.surveys,
            survey: setup.survey,
            smiley: setup.smiley,
            utc_offset: setup.utc_offset,
            list: RefCell::new(Vec::new()),
            period: Cell::new(ResultsPeriod::Today),
            home: RefCell::new(None),
        });
        for (page, refresh) in [
            (
                Page::StaffSurveys,
                StaffSurveysController::refresh_list as fn(&StaffSurveysController),
            ),
            (Page::StaffResults, StaffSurveysController::refresh_results),
        ] {
            let me = controller.me.clone();
            controller.nav.on_arrive(page, move || {
                if let Some(c) = me.upgrade() {
                    refresh(&c);
                }
            });
        }
        controller
    }

    pub fn bind(self: &Rc<Self>, app: &AppWindow, home: impl Fn() + 'static) {
        *self.home.borrow_mut() = Some(Box::new(home));
        let a = app.global::<StaffSurveysAdapter>();
        let with = |f: fn(&StaffSurveysController)| {
            let me = self.me.clone();
            move || {
                if let Some(c) = me.upgrade() {
                    c.nav.touch();
                    f(&c);
                }
            }
        };
        a.on_back(with(StaffSurveysController::back));
        a.on_results(with(|c| c.nav.go(Page::StaffResults)));
        a.on_toggle_smiley(with(StaffSurveysController::toggle_smiley));
        let index = |f: fn(&StaffSurveysController, usize)| {
            let me = self.me.clone();
            move |i: i32| {
                if let (Some(c), Ok(i)) = (me.upgrade(), usize::try_from(i)) {
                    c.nav.touch();
                    f(&c, i);
                }
            }
        };
        a.on_start(index(StaffSurveysController::hand_over));
        a.on_toggle_after_signup(index(|c, i| c.toggle_follow(Trigger::Signup, i)));
        a.on_toggle_after_award(index(|c, i| c.toggle_follow(Trigger::Award, i)));
        let me = self.me.clone();
        a.on_choose_period(move |period| {
            if let Some(c) = me.upgrade() {
                c.nav.touch();
                c.period.set(period);
                c.refresh_results();
            }
        });
    }

    /// Reads what staff set last time (at start-up): the follows and smiley mode.
    pub fn load_settings(&self) {
        for (key, apply) in [
            (
                AFTER_SIGNUP,
                (|c: &StaffSurveysController, v: Option<String>| {
                    c.survey.set_follow(Trigger::Signup, v)
                }) as fn(&StaffSurveysController, Option<String>),
            ),
            (AFTER_AWARD, |c, v| c.survey.set_follow(Trigger::Award, v)),
            (SMILEY_MODE, |c, v| c.smiley.set_on(v.is_some())),
        ] {
            let me = self.me.clone();
            // Read at start-up, on the attract screen: no page visit to belong to.
            let pending = self.surveys.setting(key);
            slint_spawn(async move {
                match pending.await {
                    Ok(value) => {
                        if let Some(c) = me.upgrade() {
                            apply(&c, value);
                        }
                    }
                    Err(e) => tracing::warn!(key, "kiosk setting not read: {e}"),
                }
            });
        }
    }

    /// "Start a survey" on staff home.
    pub fn show(&self) {
        if self.session.staff_id().is_some() {
            self.nav.go(Page::StaffSurveys);
        }
    }

    fn back(&self) {
        if self.nav.page() == Page::StaffResults {
            self.nav.go(Page::StaffSurveys);
        } else if let Some(home) = self.home.borrow().as_ref() {
            home();
        }
    }

    fn refresh_list(&self) {
        let me = self.me.clone();
        self.tasks
            .then("the surveys", self.surveys.list(), move |list| {
                let Some(c) = me.upgrade() else { return };
                *c.list.borrow_mut() = list.unwrap_or_else(|e| {
                    tracing::error!("surveys not read: {e}");
                    Vec::new()
                });
                c.render_list();
            });
    }

    fn render_list(&self) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let a = app.global::<StaffSurveysAdapter>();
        let (signup, award) = (
            self.survey.follow(Trigger::Signup),
            self.survey.follow(Trigger::Award),
        );
        let lines: Vec<SurveyLine> = self
            .list
            .borrow()
            .iter()
            .map(|d| SurveyLine {
                names: names(Some(&d.title)),
                after_signup: signup.as_deref() == Some(d.survey_id.as_str()),
                after_award: award.as_deref() == Some(d.survey_id.as_str()),
            })
            .collect();
        a.set_surveys(ModelRc::new(VecModel::from(lines)));
        a.set_smiley_on(self.smiley.is_on());
    }

    /// The survey goes to the next customer: staff mode closes first.
    fn hand_over(&self, index: usize) {
        let Some(definition) = self.list.borrow().get(index).cloned() else {
            return;
        };
        self.session.end("handed_over");
        self.survey.offer(definition, None);
    }

    fn toggle_follow(&self, trigger: Trigger, index: usize) {
        let Some(id) = self.list.borrow().get(index).map(|d| d.survey_id.clone()) else {
            return;
        };
        let value = (self.survey.follow(trigger).as_deref() != Some(id.as_str())).then_some(id);
        let key = match trigger {
            Trigger::Signup => AFTER_SIGNUP,
            Trigger::Award => AFTER_AWARD,
        };
        self.survey.set_follow(trigger, value.clone());
        self.render_list();
        self.save(key, value);
    }

    fn toggle_smiley(&self) {
        let on = !self.smiley.is_on();
        self.smiley.set_on(on);
        self.save(SMILEY_MODE, on.then(|| "on".to_owned()));
        if on {
            // The terminal stands alone: staff mode closes.
            self.session.end("smiley_terminal");
            self.nav.go(Page::Attract);
        } else {
            self.render_list();
        }
    }

    fn save(&self, key: &'static str, value: Option<String>) {
        self.tasks.then(
            "a kiosk setting",
            self.surveys.set_setting(key, value),
            move |saved| {
                if let Err(e) = saved {
                    tracing::error!(key, "kiosk setting not saved: {e}");
                }
            },
        );
    }

    fn refresh_results(&self) {
        let today = day_start(self.utc_offset);
        let since = match self.period.get() {
            ResultsPeriod::Today => today.clone(),
            ResultsPeriod::Week => shift_days(&today, -6),
        };
        let until = shift_days(&today, 1);
        let me = self.me.clone();
        self.tasks.then(
            "survey results",
            self.surveys.results(since, until),
            move |results| {
                let Some(c) = me.upgrade() else { return };
                match results {
                    Ok(r) => c.render_results(&r),
                    Err(e) => tracing::error!("survey results not read: {e}"),
                }
            },
        );
    }

    fn render_results(&self, r: &SurveyResults) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let a = app.global::<StaffSurveysAdapter>();
        let n = |v: u64| i32::try_from(v).unwrap_or(i32::MAX);
        a.set_period(self.period.get());
        a.set_responses(n(r.responses));
        a.set_abandoned(n(r.abandoned));
        a.set_abandonment_percent(
            r.abandonment_percent()
                .map_or(-1, |p| i32::try_from(p).unwrap_or(100)),
        );
        a.set_nps_answers(n(u64::from(r.nps.total())));
        a.set_nps_shown(r.nps.score().is_some());
        a.set_nps(r.nps.score().unwrap_or(0));
        a.set_nps_bars(bars(&r.nps.by_score));
        a.set_nps_bars_top(top(&r.nps.by_score));
        let average = |c: &Csat| c.average().map(|v| format!("{v:.1}")).unwrap_or_default();
        a.set_stars_average(average(&r.stars).into());
        a.set_smileys_average(average(&r.smileys).into());
        a.set_votes(i32::try_from(r.votes.count).unwrap_or(i32::MAX));
        a.set_votes_average(average(&r.votes).into());
        a.set_votes_by_hour(bars(&r.votes_by_hour));
        a.set_votes_by_hour_top(top(&r.votes_by_hour));
    }
}

/// The largest bar, at least 1 (the chart's full height).
fn top(values: &[u32]) -> i32 {
    i32::try_from(values.iter().copied().max().unwrap_or(0).max(1)).unwrap_or(i32::MAX)
}

fn bars(values: &[u32]) -> ModelRc<i32> {
    ModelRc::new(VecModel::from(
        values
            .iter()
            .map(|v| i32::try_from(*v).unwrap_or(i32::MAX))
            .collect::<Vec<_>>(),
    ))
}

/// An RFC 3339 instant moved by whole days.
fn shift_days(rfc3339: &str, days: i64) -> String {
    let fmt = &time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::parse(rfc3339, fmt)
        .ok()
        .and_then(|t| (t + time::Duration::days(days)).format(fmt).ok())
        .unwrap_or_else(|| rfc3339.to_owned())
}

fn slint_spawn(task: impl std::future::Future<Output = ()> + 'static) {
    if let Err(e) = slint::spawn_local(task) {
        tracing::error!("cannot schedule work on the UI thread: {e}");
    }
}
