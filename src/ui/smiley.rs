//! The smiley terminal: owns `SmileyAdapter`. Staff turn the kiosk into a standing
//! one-question terminal (the attract screen shows four faces), and turn it off again in
//! staff mode. One tap is one vote, stored as an anonymous response to the built-in smiley
//! survey with its `survey_answered` event. Who must be stopped: someone pressing a face
//! twenty times. After each vote input is locked for `smiley_lock_secs` (5 s by default),
//! shown as "Thank you!", so repeated presses do not count.
use std::cell::Cell;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::time::Duration;

use slint::ComponentHandle;

use super::convert::names;

use super::navigator::Alarm;
use super::ports::Surveys;
use super::{AppWindow, SmileyAdapter};
use crate::domain::language::Language;
use crate::domain::survey::builtin;
use crate::domain::survey::definition::SurveyDefinition;
use crate::domain::survey::flow::{Answer, Step, SurveyRun};
use crate::store::now_rfc3339;
use crate::store::surveys::CompletedSurvey;

pub struct SmileyController {
    me: Weak<SmileyController>,
    app: slint::Weak<AppWindow>,
    surveys: Rc<dyn Surveys>,
    language: Rc<dyn Fn() -> Language>,
    definition: Arc<SurveyDefinition>,
    lock: Duration,
    alarm: Box<dyn Alarm>,
    on: Cell<bool>,
    locked: Cell<bool>,
}

impl SmileyController {
    pub fn new(
        app: slint::Weak<AppWindow>,
        surveys: Rc<dyn Surveys>,
        language: Rc<dyn Fn() -> Language>,
        lock: Duration,
        alarm: Box<dyn Alarm>,
    ) -> Rc<Self> {
        Rc::new_cyclic(|me| SmileyController {
            me: me.clone(),
            app,
            surveys,
            language,
            definition: Arc::new(builtin::smiley_survey()),
            lock,
            alarm,
            on: Cell::new(false),
            locked: Cell::new(false),
        })
    }

    pub fn bind(self: &Rc<Self>, app: &AppWindow) {
        let a = app.global::<SmileyAdapter>();
        a.set_prompt_names(names(Some(&self.definition.questions[0].prompt)));
        let me = self.me.clone();
        a.on_vote(move |score| {
            if let Some(c) = me.upgrade() {
                c.vote(i64::from(score));
            }
        });
    }

    pub fn is_on(&self) -> bool {
        self.on.get()
    }

    /// Staff turned the terminal on or off.
    pub fn set_on(&self, on: bool) {
        self.on.set(on);
        tracing::info!(on, "smiley terminal");
        if let Some(app) = self.app.upgrade() {
            app.global::<SmileyAdapter>().set_on(on);
        }
    }

    fn vote(&self, score: i64) {
        if !self.on.get() || self.locked.get() {
            return;
        }
        let mut run = SurveyRun::new(self.definition.clone());
        if run.answer(Answer::Score(score)) != Ok(Step::Done) {
            return;
        }
        let now = now_rfc3339();
        self.surveys.record_vote(CompletedSurvey {
            response_id: uuid::Uuid::now_v7().to_string(),
            survey_id: self.definition.survey_id.clone(),
            version: self.definition.version,
            member: None,
            language: (self.language)().bundle_name().to_owned(),
            started_at: now,
            answers: run.given(),
            points: 0,
        });
        self.set_locked(true);
        let me = self.me.clone();
        self.alarm.set(
            self.lock,
            Box::new(move || {
                if let Some(c) = me.upgrade() {
                    c.set_locked(false);
                }
            }),
        );
    }

    fn set_locked(&self, locked: bool) {
        self.locked.set(locked);
        if let Some(app) = self.app.upgrade() {
            app.global::<SmileyAdapter>().set_locked(locked);
        }
    }
}
