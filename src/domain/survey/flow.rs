//! Taking a survey, as a pure state machine: one question at a time, each answer checked
//! against its question (a score on its scale, a choice that exists, between min and max
//! choices, a comment within the rules), skip logic deciding which question comes next,
//! back to the previous question shown, and progress over the questions this customer will
//! see. Only the answers to questions still shown are handed in at the end, so changing an
//! earlier answer drops the follow-up it no longer leads to.
use std::sync::Arc;

use super::comment::{self, CommentError};
use super::definition::{CsatStyle, Question, QuestionKind, SurveyDefinition};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// NPS 0–10, or CSAT 1–5 (stars) / 1–4 (smileys).
    Score(i64),
    /// Single choice: the choice's index.
    Choice(usize),
    /// Multiple choice: the choices' indices, ascending.
    Choices(Vec<usize>),
    Text(String),
    /// An optional question passed over.
    Skipped,
}

impl Answer {
    /// As stored and sent (`survey_answered`): a number, an index, a list, a text, or null.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Answer::Score(s) => serde_json::json!(s),
            Answer::Choice(c) => serde_json::json!(c),
            Answer::Choices(c) => serde_json::json!(c),
            Answer::Text(t) => serde_json::json!(t),
            Answer::Skipped => serde_json::Value::Null,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("the score must be a whole number from {0} to {1}")]
    OffScale(i64, i64),
    #[error("there is no such choice")]
    NoSuchChoice,
    #[error("choose at least {0}")]
    TooFew(usize),
    #[error("choose at most {0}")]
    TooMany(usize),
    #[error("this question needs an answer")]
    Required,
    #[error("this answer does not fit the question")]
    WrongKind,
    #[error(transparent)]
    Comment(#[from] CommentError),
}

/// Where the survey went after an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The question (its index in the definition) to show now.
    Question(usize),
    Done,
}

/// One answered question, as handed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Given {
    pub position: usize,
    pub question_id: String,
    pub kind: QuestionKind,
    /// The scale, for a CSAT answer.
    pub style: Option<CsatStyle>,
    pub answer: Answer,
}

impl Given {
    /// The kind as stored and sent: `nps`, `csat_stars`, `csat_smileys`, `single_choice`,
    /// `multiple_choice` or `comment`, so a score is never read on the wrong scale.
    pub fn kind_label(&self) -> &'static str {
        match (self.kind, self.style) {
            (QuestionKind::Csat, Some(CsatStyle::Smileys)) => "csat_smileys",
            (QuestionKind::Csat, _) => "csat_stars",
            (kind, _) => kind.as_str(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SurveyRun {
    definition: Arc<SurveyDefinition>,
    answers: Vec<Option<Answer>>,
    current: usize,
    /// The questions shown before this one, for Back.
    trail: Vec<usize>,
}

impl SurveyRun {
    pub fn new(definition: Arc<SurveyDefinition>) -> SurveyRun {
        let n = definition.questions.len();
        SurveyRun {
            definition,
            answers: vec![None; n],
            current: 0,
            trail: Vec::new(),
        }
    }

    pub fn definition(&self) -> &Arc<SurveyDefinition> {
        &self.definition
    }

    pub fn current(&self) -> usize {
        self.current
    }

    pub fn question(&self) -> &Question {
        &self.definition.questions[self.current]
    }

    /// The answer already given to the current question (after Back).
    pub fn current_answer(&self) -> Option<&Answer> {
        self.answers[self.current].as_ref()
    }

    /// Questions answered so far that are still shown.
    pub fn answered(&self) -> usize {
        self.given().len()
    }

    /// Whether question `i` is shown, given the answers so far.
    fn shown(&self, i: usize) -> bool {
        let q = &self.definition.questions[i];
        let Some(cond) = &q.show_if else {
            return true;
        };
        let Some(j) = self
            .definition
            .questions
            .iter()
            .enumerate()
            .position(|(k, earlier)| k < i && earlier.id_at(k) == cond.question)
        else {
            return false;
        };
        if !self.shown(j) {
            return false;
        }
        match &self.answers[j] {
            Some(Answer::Score(s)) => {
                cond.at_most.is_none_or(|m| *s <= m) && cond.at_least.is_none_or(|m| *s >= m)
            }
            Some(Answer::Choice(c)) => cond.any_of.contains(c),
            Some(Answer::Choices(cs)) => cs.iter().any(|c| cond.any_of.contains(c)),
            _ => false,
        }
    }

    fn next_after(&self, i: usize) -> Step {
        (i + 1..self.definition.questions.len())
            .find(|&k| self.shown(k))
            .map_or(Step::Done, Step::Question)
    }

    /// `(position of the current question, questions this customer will see)`, 1-based,
    /// for the progress dots. A follow-up counts once the answer that leads to it is given.
    pub fn progress(&self) -> (usize, usize) {
        let shown: Vec<usize> = (0..self.definition.questions.len())
            .filter(|&k| self.shown(k))
            .collect();
        let at = shown.iter().position(|&k| k == self.current).unwrap_or(0);
        (at + 1, shown.len())
    }

    fn check(&self, q: &Question, answer: &Answer) -> Result<Answer, AnswerError> {
        Ok(match (q.kind, answer) {
            (_, Answer::Skipped) if q.required => return Err(AnswerError::Required),
            (_, Answer::Skipped) => Answer::Skipped,
            (QuestionKind::Nps | QuestionKind::Csat, Answer::Score(s)) => {
                let (lo, hi) = q.scale().unwrap_or((0, 10));
                if !(lo..=hi).contains(s) {
                    return Err(AnswerError::OffScale(lo, hi));
                }
                Answer::Score(*s)
            }
            (QuestionKind::SingleChoice, Answer::Choice(c)) => {
                if *c >= q.choices.len() {
                    return Err(AnswerError::NoSuchChoice);
                }
                Answer::Choice(*c)
            }
            (QuestionKind::MultipleChoice, Answer::Choices(cs)) => {
                let mut cs = cs.clone();
                cs.sort_unstable();
                cs.dedup();
                if cs.iter().any(|c| *c >= q.choices.len()) {
                    return Err(AnswerError::NoSuchChoice);
                }
                let (min, max) = q.choice_bounds();
                if cs.len() < min {
                    return Err(AnswerError::TooFew(min));
                }
                if cs.len() > max {
                    return Err(AnswerError::TooMany(max));
                }
                if cs.is_empty() {
                    Answer::Skipped
                } else {
                    Answer::Choices(cs)
                }
            }
            (QuestionKind::Comment, Answer::Text(t)) => {
                let t = comment::clean(t)?;
                if t.is_empty() {
                    if q.required {
                        return Err(AnswerError::Required);
                    }
                    Answer::Skipped
                } else {
                    Answer::Text(t)
                }
            }
            _ => return Err(AnswerError::WrongKind),
        })
    }

    /// Answers the current question and moves on.
    pub fn answer(&mut self, answer: Answer) -> Result<Step, AnswerError> {
        let checked = self.check(self.question(), &answer)?;
        self.answers[self.current] = Some(checked);
        let step = self.next_after(self.current);
        if let Step::Question(next) = step {
            self.trail.push(self.current);
            self.current = next;
        }
        Ok(step)
    }

    /// Keeps what was typed or ticked on the current question without moving on (Back
    /// from a comment or a multiple choice): it is there when the customer returns, and is
    /// checked when they pass the question with Next. Nothing else is kept as a draft.
    pub fn keep_draft(&mut self, draft: Answer) {
        let fits = matches!(
            (self.question().kind, &draft),
            (QuestionKind::Comment, Answer::Text(_))
                | (QuestionKind::MultipleChoice, Answer::Choices(_))
        );
        if fits {
            self.answers[self.current] = Some(draft);
        }
    }

    /// Back to the question shown before; `false` on the first question.
    pub fn back(&mut self) -> bool {
        match self.trail.pop() {
            Some(previous) => {
                self.current = previous;
                true
            }
            None => false,
        }
    }

    /// The answers to hand in: questions still shown, in order.
    pub fn given(&self) -> Vec<Given> {
        (0..self.definition.questions.len())
            .filter(|&k| self.shown(k))
            .filter_map(|k| {
                let q = &self.definition.questions[k];
                self.answers[k].clone().map(|answer| Given {
                    position: k,
                    question_id: q.id_at(k),
                    kind: q.kind,
                    style: (q.kind == QuestionKind::Csat).then(|| q.csat_style()),
                    answer,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::survey::builtin;

    fn run() -> SurveyRun {
        SurveyRun::new(Arc::new(builtin::default_survey()))
    }

    #[test]
    fn skip_logic_asks_why_only_of_detractors() {
        let mut r = run();
        assert_eq!(r.question().kind, QuestionKind::Nps);
        assert_eq!(
            r.progress(),
            (1, 4),
            "no follow-up counted before the score"
        );
        // A 9 is a promoter: no "why".
        let Step::Question(next) = r.answer(Answer::Score(9)).unwrap() else {
            panic!()
        };
        assert_ne!(r.definition().questions[next].kind, QuestionKind::Comment);
        assert_eq!(r.progress(), (2, 4));
        // Back, and a 6: now "why" comes next, and counts.
        assert!(r.back());
        r.answer(Answer::Score(6)).unwrap();
        assert_eq!(r.question().kind, QuestionKind::Comment);
        assert_eq!(r.progress(), (2, 5));
        assert_eq!(r.current_answer(), None);
        r.answer(Answer::Text("Too slow".into())).unwrap();
        // Back twice and a 10: the comment no longer counts and is not handed in.
        assert!(r.back());
        assert!(r.back());
        assert_eq!(
            r.current_answer(),
            Some(&Answer::Score(6)),
            "the answer stays"
        );
        r.answer(Answer::Score(10)).unwrap();
        r.answer(Answer::Score(4)).unwrap();
        r.answer(Answer::Choice(1)).unwrap();
        assert_eq!(r.answer(Answer::Choices(vec![2, 0])).unwrap(), Step::Done);
        let given = r.given();
        let kinds: Vec<QuestionKind> = given.iter().map(|g| g.kind).collect();
        assert_eq!(
            kinds,
            [
                QuestionKind::Nps,
                QuestionKind::Csat,
                QuestionKind::SingleChoice,
                QuestionKind::MultipleChoice
            ]
        );
        assert_eq!(given[3].answer, Answer::Choices(vec![0, 2]));
        assert!(
            !given
                .iter()
                .any(|g| g.answer == Answer::Text("Too slow".into()))
        );
    }

    #[test]
    fn answers_that_do_not_fit_are_refused_and_change_nothing() {
        let mut r = run();
        assert_eq!(
            r.answer(Answer::Score(11)),
            Err(AnswerError::OffScale(0, 10))
        );
        assert_eq!(
            r.answer(Answer::Score(-1)),
            Err(AnswerError::OffScale(0, 10))
        );
        assert_eq!(r.answer(Answer::Skipped), Err(AnswerError::Required));
        assert_eq!(r.answer(Answer::Choice(0)), Err(AnswerError::WrongKind));
        assert_eq!(r.current(), 0);
        assert!(!r.back(), "nothing before the first question");
        r.answer(Answer::Score(3)).unwrap();
        // The optional comment takes nothing, but not control characters or 501 characters.
        assert_eq!(
            r.answer(Answer::Text("a\u{0}b".into())),
            Err(AnswerError::Comment(CommentError::ControlCharacters))
        );
        assert_eq!(
            r.answer(Answer::Text("x".repeat(501))),
            Err(AnswerError::Comment(CommentError::TooLong))
        );
        r.answer(Answer::Text("   ".into())).unwrap();
        // CSAT stars go 1 to 5.
        assert_eq!(r.answer(Answer::Score(6)), Err(AnswerError::OffScale(1, 5)));
        assert_eq!(r.answer(Answer::Score(0)), Err(AnswerError::OffScale(1, 5)));
        r.answer(Answer::Score(1)).unwrap();
        assert_eq!(r.answer(Answer::Choice(9)), Err(AnswerError::NoSuchChoice));
        r.answer(Answer::Choice(0)).unwrap();
        assert_eq!(
            r.answer(Answer::Choices(vec![])),
            Err(AnswerError::TooFew(1))
        );
        assert_eq!(
            r.answer(Answer::Choices(vec![0, 1, 2])),
            Err(AnswerError::TooMany(2))
        );
        assert_eq!(r.answer(Answer::Choices(vec![1])), Ok(Step::Done));
        let comment = &r.given()[1];
        assert_eq!(comment.answer, Answer::Skipped, "an empty optional comment");
    }
}
