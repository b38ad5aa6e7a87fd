//! The survey controller: owns `SurveyAdapter`. Staff hand a survey to the next customer,
//! or one follows a sign-up or an award; the customer answers one question per screen in
//! their own language (switching mid-survey loses nothing), with Back and progress dots.
//! A finished survey is stored with its version and its `survey_answered` event in one
//! transaction (points for an identified member, once per version). A survey left behind
//! (Back out of it, or the idle timeout) is counted as abandoned and its answers are
//! discarded: nothing the customer did not hand in is kept, and the next customer sees
//! nothing of it. Anonymous unless the member identified themselves before starting (their
//! code or card on the start page, or the sign-up or award the survey follows).
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::sync::Arc;

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use super::convert::{count, names};

use super::navigator::{Navigator, Page};
use super::ports::{Identified, Identify, MemberLookup, Surveys};
use super::tasks::Tasks;
use super::{AppWindow, ChoiceLine, QuestionType, SurveyAdapter, SurveyProblem};
use crate::domain::language::Language;
use crate::domain::survey::comment;
use crate::domain::survey::definition::{CsatStyle, QuestionKind, SurveyDefinition};
use crate::domain::survey::flow::{Answer, AnswerError, Step, SurveyRun};
use crate::store::now_rfc3339;
use crate::store::surveys::{AbandonedSurvey, CompletedSurvey};

/// What a survey follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Signup,
    Award,
}

/// The member the answers go with, and how they identified themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Respondent {
    pub member_id: String,
    pub masked: String,
    /// `scan`, `card`, `signup` or `award`.
    pub how: &'static str,
}

/// A survey on the start page or under way.
struct Taking {
    definition: Arc<SurveyDefinition>,
    respondent: Option<Respondent>,
    run: Option<SurveyRun>,
    started_at: String,
    /// Multiple choice ticks and the comment, before Next.
    ticks: Vec<bool>,
    comment: String,
    finished: bool,
}

impl Taking {
    /// The ticked choices of a multiple-choice question.
    fn ticked(&self) -> Answer {
        Answer::Choices(
            self.ticks
                .iter()
                .enumerate()
                .filter(|(_, on)| **on)
                .map(|(i, _)| i)
                .collect(),
        )
    }
}

pub struct SurveyController {
    me: Weak<SurveyController>,
    app: slint::Weak<AppWindow>,
    nav: Rc<Navigator>,
    tasks: Tasks,
    surveys: Rc<dyn Surveys>,
    members: Rc<dyn MemberLookup>,
    language: Rc<dyn Fn() -> Language>,
    taking: RefCell<Option<Taking>>,
    /// Which survey follows every sign-up and every award (staff set them).
    follows: RefCell<[Option<String>; 2]>,
}

impl SurveyController {
    pub fn new(
        app: slint::Weak<AppWindow>,
        nav: Rc<Navigator>,
        tasks: Tasks,
        surveys: Rc<dyn Surveys>,
        members: Rc<dyn MemberLookup>,
        language: Rc<dyn Fn() -> Language>,
    ) -> Rc<Self> {
        let controller = Rc::new_cyclic(|me| SurveyController {
            me: me.clone(),
            app,
            nav,
            tasks,
            surveys,
            members,
            language,
            taking: RefCell::new(None),
            follows: RefCell::new([None, None]),
        });
        // Leaving the survey, however, ends it: a survey not finished is counted as
        // abandoned, and its answers go.
        let me = controller.me.clone();
        controller.nav.on_flow_end(move || {
            if let Some(c) = me.upgrade() {
                c.end_unfinished();
            }
        });
        controller
    }

    pub fn bind(self: &Rc<Self>, app: &AppWindow) {
        let a = app.global::<SurveyAdapter>();
        let with = |f: fn(&SurveyController)| {
            let me = self.me.clone();
            move || {
                if let Some(c) = me.upgrade() {
                    c.nav.touch();
                    f(&c);
                }
            }
        };
        a.on_start(with(SurveyController::start));
        a.on_leave(with(|c| c.nav.go(Page::Attract)));
        a.on_next(with(SurveyController::next));
        a.on_skip(with(|c| c.answer(Answer::Skipped)));
        a.on_back(with(SurveyController::back));
        a.on_key_backspace(with(|c| {
            if let Some(t) = c.taking.borrow_mut().as_mut() {
                t.comment.pop();
            }
            c.render_question(SurveyProblem::None);
        }));
        let me = self.me.clone();
        a.on_pick_score(move |score| {
            if let Some(c) = me.upgrade() {
                c.nav.touch();
                c.answer(Answer::Score(i64::from(score)));
            }
        });
        let me = self.me.clone();
        a.on_pick_choice(move |index| {
            if let Some(c) = me.upgrade() {
                c.nav.touch();
                c.pick_choice(usize::try_from(index).unwrap_or(usize::MAX));
            }
        });
        let me = self.me.clone();
        a.on_key(move |text: SharedString| {
            if let Some(c) = me.upgrade() {
                c.nav.touch();
                c.type_text(&text);
            }
        });
    }

    /// Which survey (by id) follows every sign-up / award, as staff set it.
    pub fn set_follow(&self, trigger: Trigger, survey: Option<String>) {
        self.follows.borrow_mut()[trigger as usize] = survey;
    }

    pub fn follow(&self, trigger: Trigger) -> Option<String> {
        self.follows.borrow()[trigger as usize].clone()
    }

    /// After a sign-up or an award: offers the survey that follows it, if staff chose one.
    /// Returns whether one will be offered (the caller goes home otherwise).
    pub fn offer_after(&self, trigger: Trigger, respondent: Respondent) -> bool {
        let Some(id) = self.follow(trigger) else {
            return false;
        };
        let me = self.me.clone();
        self.tasks
            .then("the survey to offer", self.surveys.get(id), move |found| {
                let Some(c) = me.upgrade() else { return };
                match found {
                    Ok(Some(definition)) => c.offer(definition, Some(respondent)),
                    Ok(None) | Err(_) => c.nav.go(Page::Attract),
                }
            });
        true
    }

    /// Shows the start page of `definition` (for the next customer).
    pub fn offer(&self, definition: SurveyDefinition, respondent: Option<Respondent>) {
        self.nav.go(Page::SurveyStart);
        *self.taking.borrow_mut() = Some(Taking {
            definition: Arc::new(definition),
            respondent,
            run: None,
            started_at: String::new(),
            ticks: Vec::new(),
            comment: String::new(),
            finished: false,
        });
        self.render_start();
    }

    /// A scan or tap on the start page: the member's answers are linked to them.
    pub fn identify(&self, by: Identify) {
        let how = match by {
            Identify::Card(_) => "card",
            Identify::Code(_) | Identify::Verified(_) => "scan",
        };
        let me = self.me.clone();
        self.tasks.then(
            "a member for a survey",
            self.members.identify(by),
            move |found| {
                let Some(c) = me.upgrade() else { return };
                if let Ok(Identified::Member(m)) = found {
                    if let Some(t) = c.taking.borrow_mut().as_mut() {
                        t.respondent = Some(Respondent {
                            member_id: m.member_id.clone(),
                            masked: m.masked_phone.clone(),
                            how,
                        });
                    }
                    c.render_start();
                }
            },
        );
    }

    fn start(&self) {
        {
            let mut taking = self.taking.borrow_mut();
            let Some(t) = taking.as_mut() else { return };
            t.run = Some(SurveyRun::new(t.definition.clone()));
            t.started_at = now_rfc3339();
        }
        self.nav.go(Page::Survey);
        self.load_current();
    }

    /// Puts the current question's earlier answer (after Back) into the ticks and comment.
    fn load_current(&self) {
        {
            let mut taking = self.taking.borrow_mut();
            let Some(t) = taking.as_mut() else { return };
            let Some(run) = t.run.as_ref() else { return };
            let n = run.question().choices.len();
            let previous = run.current_answer().cloned();
            t.ticks = vec![false; n];
            t.comment.clear();
            match previous {
                Some(Answer::Choices(cs)) => cs
                    .into_iter()
                    .filter(|c| *c < n)
                    .for_each(|c| t.ticks[c] = true),
                Some(Answer::Text(text)) => t.comment = text,
                _ => {}
            }
        }
        self.render_question(SurveyProblem::None);
    }

    fn pick_choice(&self, index: usize) {
        let kind = self
            .taking
            .borrow()
            .as_ref()
            .and_then(|t| t.run.as_ref().map(|r| r.question().kind));
        match kind {
            Some(QuestionKind::SingleChoice) => self.answer(Answer::Choice(index)),
            Some(QuestionKind::MultipleChoice) => {
                if let Some(tick) = self
                    .taking
                    .borrow_mut()
                    .as_mut()
                    .and_then(|t| t.ticks.get_mut(index))
                {
                    *tick = !*tick;
                }
                self.render_question(SurveyProblem::None);
            }
            _ => {}
        }
    }

    fn type_text(&self, text: &str) {
        let refused = {
            let mut taking = self.taking.borrow_mut();
            let Some(t) = taking.as_mut() else { return };
            if comment::may_type(&t.comment, text) {
                t.comment.push_str(text);
                false
            } else {
                true
            }
        };
        self.render_question(if refused {
            SurveyProblem::CommentRules
        } else {
            SurveyProblem::None
        });
    }

    /// Next, on a multiple-choice or comment question.
    fn next(&self) {
        let answer = {
            let taking = self.taking.borrow();
            let Some(t) = taking.as_ref() else { return };
            let Some(run) = t.run.as_ref() else { return };
            match run.question().kind {
                QuestionKind::MultipleChoice => t.ticked(),
                QuestionKind::Comment => Answer::Text(t.comment.clone()),
                _ => return,
            }
        };
        self.answer(answer);
    }

    fn answer(&self, answer: Answer) {
        let step = {
            let mut taking = self.taking.borrow_mut();
            let Some(run) = taking.as_mut().and_then(|t| t.run.as_mut()) else {
                return;
            };
            run.answer(answer)
        };
        match step {
            Ok(Step::Question(_)) => self.load_current(),
            Ok(Step::Done) => self.finish(),
            Err(e) => {
                let problem = match e {
                    AnswerError::TooFew(_) => SurveyProblem::TooFew,
                    AnswerError::TooMany(_) => SurveyProblem::TooMany,
                    AnswerError::Comment(_) => SurveyProblem::CommentRules,
                    _ => SurveyProblem::Required,
                };
                self.render_question(problem);
            }
        }
    }

    fn back(&self) {
        let moved = {
            let mut taking = self.taking.borrow_mut();
            let Some(t) = taking.as_mut() else { return };
            let draft = match t.run.as_ref().map(|r| r.question().kind) {
                Some(QuestionKind::Comment) => Some(Answer::Text(t.comment.clone())),
                Some(QuestionKind::MultipleChoice) => Some(t.ticked()),
                _ => None,
            };
            let Some(run) = t.run.as_mut() else { return };
            if let Some(draft) = draft {
                run.keep_draft(draft);
            }
            run.back()
        };
        if moved {
            self.load_current();
        } else {
            // Back from the first question leaves the survey.
            self.nav.go(Page::Attract);
        }
    }

    fn finish(&self) {
        let completed = {
            let mut taking = self.taking.borrow_mut();
            let Some(t) = taking.as_mut() else { return };
            let Some(run) = t.run.as_ref() else { return };
            t.finished = true;
            CompletedSurvey {
                response_id: uuid::Uuid::now_v7().to_string(),
                survey_id: t.definition.survey_id.clone(),
                version: t.definition.version,
                member: t
                    .respondent
                    .as_ref()
                    .map(|r| (r.member_id.clone(), r.how.to_owned())),
                language: (self.language)().bundle_name().to_owned(),
                started_at: t.started_at.clone(),
                answers: run.given(),
                points: t.definition.points_for_completion,
            }
        };
        self.set_saving(true);
        let me = self.me.clone();
        self.tasks.then(
            "a survey's answers",
            self.surveys.record(completed),
            move |saved| {
                let Some(c) = me.upgrade() else { return };
                c.set_saving(false);
                match saved {
                    Ok(points) => {
                        if let Some(app) = c.app.upgrade() {
                            app.global::<SurveyAdapter>()
                                .set_points_earned(i32::try_from(points).unwrap_or(0));
                        }
                        c.nav.go(Page::SurveyThanks);
                    }
                    Err(e) => {
                        tracing::error!("survey answers not saved: {e}");
                        // Still theirs to hand in again: not abandoned yet.
                        if let Some(t) = c.taking.borrow_mut().as_mut() {
                            t.finished = false;
                        }
                        c.render_question(SurveyProblem::SaveFailed);
                    }
                }
            },
        );
    }

    /// The flow ended: an unfinished survey is counted as abandoned; everything is cleared.
    fn end_unfinished(&self) {
        let Some(t) = self.taking.borrow_mut().take() else {
            return;
        };
        if let (Some(run), false) = (&t.run, t.finished) {
            tracing::info!(
                survey = t.definition.survey_id,
                answered = run.answered(),
                "survey abandoned; its answers are discarded"
            );
            self.surveys.abandoned(AbandonedSurvey {
                survey_id: t.definition.survey_id.clone(),
                version: t.definition.version,
                identified_by: t.respondent.as_ref().map(|r| r.how.to_owned()),
                language: (self.language)().bundle_name().to_owned(),
                started_at: t.started_at.clone(),
                answered: run.answered(),
            });
        }
        self.clear_adapter();
    }

    fn set_saving(&self, saving: bool) {
        if let Some(app) = self.app.upgrade() {
            app.global::<SurveyAdapter>().set_saving(saving);
        }
    }

    fn render_start(&self) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let a = app.global::<SurveyAdapter>();
        let taking = self.taking.borrow();
        let Some(t) = taking.as_ref() else { return };
        a.set_title_names(names(Some(&t.definition.title)));
        a.set_member_masked(
            t.respondent
                .as_ref()
                .map_or("", |r| r.masked.as_str())
                .into(),
        );
        a.set_points_earned(0);
    }

    fn render_question(&self, problem: SurveyProblem) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let a = app.global::<SurveyAdapter>();
        let taking = self.taking.borrow();
        let Some(t) = taking.as_ref() else { return };
        let Some(run) = t.run.as_ref() else { return };
        let q = run.question();
        let (at, total) = run.progress();
        a.set_progress_at(count(at));
        a.set_progress_total(count(total));
        a.set_question_type(match (q.kind, q.csat_style()) {
            (QuestionKind::Nps, _) => QuestionType::Nps,
            (QuestionKind::Csat, CsatStyle::Stars) => QuestionType::Stars,
            (QuestionKind::Csat, CsatStyle::Smileys) => QuestionType::Smileys,
            (QuestionKind::SingleChoice, _) => QuestionType::Single,
            (QuestionKind::MultipleChoice, _) => QuestionType::Multiple,
            (QuestionKind::Comment, _) => QuestionType::Comment,
        });
        a.set_prompt_names(names(Some(&q.prompt)));
        a.set_required(q.required);
        let previous = run.current_answer();
        a.set_score(match previous {
            Some(Answer::Score(s)) => i32::try_from(*s).unwrap_or(-1),
            _ => -1,
        });
        let chosen = match previous {
            Some(Answer::Choice(c)) => Some(*c),
            _ => None,
        };
        let lines: Vec<ChoiceLine> = q
            .choices
            .iter()
            .enumerate()
            .map(|(i, text)| ChoiceLine {
                names: names(Some(text)),
                selected: chosen == Some(i) || t.ticks.get(i).copied().unwrap_or(false),
            })
            .collect();
        a.set_choices(ModelRc::new(VecModel::from(lines)));
        let (min, max) = q.choice_bounds();
        a.set_min_choices(count(min));
        a.set_max_choices(count(max));
        a.set_comment(t.comment.as_str().into());
        a.set_comment_left(count(
            comment::MAX_CHARS.saturating_sub(t.comment.chars().count()),
        ));
        a.set_problem(problem);
    }

    /// Nothing of the last customer's survey stays in the adapter.
    fn clear_adapter(&self) {
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let a = app.global::<SurveyAdapter>();
        a.set_member_masked("".into());
        a.set_choices(ModelRc::default());
        a.set_comment("".into());
        a.set_score(-1);
        a.set_problem(SurveyProblem::None);
        a.set_saving(false);
    }
}
