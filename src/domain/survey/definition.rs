//! The survey definition: a versioned, serde-typed JSON document, the body of the CRM's
//! `survey_upsert` change (and of the built-in surveys that ship with the kiosk). Question
//! types: NPS 0–10, CSAT (1–5 stars, or 4 smileys with no neutral face), single choice,
//! multiple choice with a minimum and a maximum, and a short comment. Every text in the
//! three languages. Simple skip logic: a question may be shown only if an earlier answer
//! fits (`show_if`, e.g. NPS at most 6).
//!
//! [`SurveyDefinition::check`] says exactly what is wrong with a definition (the question
//! and the field), so a CRM developer can fix it; a refused definition never replaces the
//! version in use.
use serde::{Deserialize, Serialize};

use crate::domain::localized::LocalizedText;

pub const MAX_QUESTIONS: usize = 20;
pub const MAX_CHOICES: usize = 8;
pub const MAX_PROMPT_CHARS: usize = 200;
pub const MAX_CHOICE_CHARS: usize = 60;
pub const MAX_POINTS: i64 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    Nps,
    Csat,
    SingleChoice,
    MultipleChoice,
    Comment,
}

impl QuestionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::Nps => "nps",
            QuestionKind::Csat => "csat",
            QuestionKind::SingleChoice => "single_choice",
            QuestionKind::MultipleChoice => "multiple_choice",
            QuestionKind::Comment => "comment",
        }
    }
}

/// How a CSAT question is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CsatStyle {
    /// 1 to 5 stars.
    #[default]
    Stars,
    /// Four faces, 1 (very unhappy) to 4 (very happy): no neutral face to hide behind.
    Smileys,
}

impl CsatStyle {
    /// The highest score.
    pub fn top(self) -> i64 {
        match self {
            CsatStyle::Stars => 5,
            CsatStyle::Smileys => 4,
        }
    }
}

/// Show a question only if an earlier answer fits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The id of an earlier question.
    pub question: String,
    /// For an NPS or CSAT question: the score is at most this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<i64>,
    /// For an NPS or CSAT question: the score is at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<i64>,
    /// For a choice question: one of these choices (0-based) was picked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub any_of: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Unique in the survey; `q1`, `q2`… (by position) when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub kind: QuestionKind,
    pub prompt: LocalizedText,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<LocalizedText>,
    #[serde(default = "yes")]
    pub required: bool,
    /// CSAT only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<CsatStyle>,
    /// Multiple choice only: the fewest and most choices (defaults: 1 if required, else 0;
    /// and all of them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<Condition>,
}

fn yes() -> bool {
    true
}

/// A survey as the CRM publishes it (`survey_upsert`, without `type`) or as built in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyDefinition {
    pub survey_id: String,
    pub version: i64,
    pub title: LocalizedText,
    #[serde(default = "yes")]
    pub active: bool,
    pub questions: Vec<Question>,
    /// Points a member who identified themselves earns for completing it, once per version;
    /// 0 (the default) for none.
    #[serde(default)]
    pub points_for_completion: i64,
}

impl Question {
    /// This question's id (its own, or `q<n>` from its 1-based position).
    pub fn id_at(&self, index: usize) -> String {
        self.id.clone().unwrap_or_else(|| format!("q{}", index + 1))
    }

    pub fn csat_style(&self) -> CsatStyle {
        self.style.unwrap_or_default()
    }

    /// The fewest and most choices a multiple-choice answer takes.
    pub fn choice_bounds(&self) -> (usize, usize) {
        let min = self.min.unwrap_or(usize::from(self.required));
        let max = self.max.unwrap_or(self.choices.len());
        (min, max)
    }

    /// The range of a score for NPS and CSAT.
    pub fn scale(&self) -> Option<(i64, i64)> {
        match self.kind {
            QuestionKind::Nps => Some((0, 10)),
            QuestionKind::Csat => Some((1, self.csat_style().top())),
            _ => None,
        }
    }
}

/// A definition that does not pass [`SurveyDefinition::check`], saying where and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("survey {survey}: {at}: {problem}")]
pub struct DefinitionError {
    pub survey: String,
    pub at: String,
    pub problem: String,
}

fn texts_in_three_languages(text: &LocalizedText, max: usize) -> Result<(), String> {
    if matches!(text, LocalizedText::Same(_)) {
        return Err(
            "needs its text in all three languages ({\"zh-Hant\": …, \"zh-Hans\": …, \"en\": …})"
                .into(),
        );
    }
    text.check(max)
}

impl SurveyDefinition {
    /// Parses a definition from JSON and checks it.
    pub fn from_json(json: &str) -> Result<SurveyDefinition, DefinitionError> {
        let definition: SurveyDefinition =
            serde_json::from_str(json).map_err(|e| DefinitionError {
                survey: "?".into(),
                at: format!("line {}, column {}", e.line(), e.column()),
                problem: e.to_string(),
            })?;
        definition.check()?;
        Ok(definition)
    }

    /// Every rule a usable survey keeps; the first broken one is reported.
    pub fn check(&self) -> Result<(), DefinitionError> {
        let fail = |at: String, problem: String| DefinitionError {
            survey: self.survey_id.clone(),
            at,
            problem,
        };
        let id_ok = |id: &str, max: usize| {
            (1..=max).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        };
        if !id_ok(&self.survey_id, 64) {
            return Err(fail(
                "survey_id".into(),
                "must be 1 to 64 letters, digits, '-', '_' or '.'".into(),
            ));
        }
        if self.version < 1 {
            return Err(fail("version".into(), "must be 1 or more".into()));
        }
        texts_in_three_languages(&self.title, 80).map_err(|e| fail("title".into(), e))?;
        if !(0..=MAX_POINTS).contains(&self.points_for_completion) {
            return Err(fail(
                "points_for_completion".into(),
                format!("must be 0 to {MAX_POINTS}"),
            ));
        }
        if self.questions.is_empty() || self.questions.len() > MAX_QUESTIONS {
            return Err(fail(
                "questions".into(),
                format!("a survey has 1 to {MAX_QUESTIONS} questions"),
            ));
        }
        let mut seen: Vec<String> = Vec::new();
        for (i, q) in self.questions.iter().enumerate() {
            let id = q.id_at(i);
            let at = |field: &str| format!("questions[{i}] ({id}).{field}");
            if !id_ok(&id, 32) {
                return Err(fail(
                    at("id"),
                    "must be 1 to 32 letters, digits, '-', '_' or '.'".into(),
                ));
            }
            if seen.contains(&id) {
                return Err(fail(at("id"), "is used by an earlier question".into()));
            }
            texts_in_three_languages(&q.prompt, MAX_PROMPT_CHARS)
                .map_err(|e| fail(at("prompt"), e))?;
            let choice_question = matches!(
                q.kind,
                QuestionKind::SingleChoice | QuestionKind::MultipleChoice
            );
            if choice_question {
                if !(2..=MAX_CHOICES).contains(&q.choices.len()) {
                    return Err(fail(
                        at("choices"),
                        format!("a choice question has 2 to {MAX_CHOICES} choices"),
                    ));
                }
                for (c, choice) in q.choices.iter().enumerate() {
                    texts_in_three_languages(choice, MAX_CHOICE_CHARS)
                        .map_err(|e| fail(at(&format!("choices[{c}]")), e))?;
                }
            } else if !q.choices.is_empty() {
                return Err(fail(
                    at("choices"),
                    format!("a {} question has no choices", q.kind.as_str()),
                ));
            }
            if q.style.is_some() && q.kind != QuestionKind::Csat {
                return Err(fail(at("style"), "only a csat question has a style".into()));
            }
            if q.kind == QuestionKind::MultipleChoice {
                let (min, max) = q.choice_bounds();
                if max == 0 || min > max || max > q.choices.len() {
                    return Err(fail(
                        at("min/max"),
                        format!(
                            "need 0 <= min <= max <= {} (the number of choices) and max >= 1",
                            q.choices.len()
                        ),
                    ));
                }
                if q.required && min == 0 {
                    return Err(fail(
                        at("min"),
                        "a required question needs at least one choice".into(),
                    ));
                }
            } else if q.min.is_some() || q.max.is_some() {
                return Err(fail(
                    at("min/max"),
                    "only a multiple_choice question has min and max".into(),
                ));
            }
            if let Some(cond) = &q.show_if {
                let Some(j) = seen.iter().position(|s| *s == cond.question) else {
                    return Err(fail(
                        at("show_if.question"),
                        format!("{:?} is not an earlier question", cond.question),
                    ));
                };
                let earlier = &self.questions[j];
                let bounds = cond.at_most.is_some() || cond.at_least.is_some();
                match (earlier.scale(), earlier.kind) {
                    (Some((lo, hi)), _) => {
                        if !cond.any_of.is_empty() || !bounds {
                            return Err(fail(
                                at("show_if"),
                                "a condition on a score uses at_most and/or at_least".into(),
                            ));
                        }
                        for v in [cond.at_most, cond.at_least].into_iter().flatten() {
                            if !(lo..=hi).contains(&v) {
                                return Err(fail(
                                    at("show_if"),
                                    format!("{v} is not on the scale {lo} to {hi}"),
                                ));
                            }
                        }
                    }
                    (None, QuestionKind::SingleChoice | QuestionKind::MultipleChoice) => {
                        if bounds
                            || cond.any_of.is_empty()
                            || cond.any_of.iter().any(|c| *c >= earlier.choices.len())
                        {
                            return Err(fail(
                                at("show_if"),
                                format!(
                                    "a condition on a choice lists choices (any_of, 0 to {})",
                                    earlier.choices.len() - 1
                                ),
                            ));
                        }
                    }
                    (None, _) => {
                        return Err(fail(at("show_if"), "cannot depend on a comment".into()));
                    }
                }
            }
            seen.push(id);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{
      "survey_id": "visit", "version": 2,
      "title": {"zh-Hant": "問卷", "zh-Hans": "问卷", "en": "Survey"},
      "questions": [
        {"id": "nps", "kind": "nps", "prompt": {"zh-Hant": "推薦?", "zh-Hans": "推荐?", "en": "Recommend?"}},
        {"id": "why", "kind": "comment", "required": false,
         "prompt": {"zh-Hant": "原因?", "zh-Hans": "原因?", "en": "Why?"},
         "show_if": {"question": "nps", "at_most": 6}},
        {"kind": "csat", "style": "smileys", "prompt": {"zh-Hant": "滿意?", "zh-Hans": "满意?", "en": "Happy?"}},
        {"kind": "multiple_choice", "min": 1, "max": 2,
         "prompt": {"zh-Hant": "喜歡?", "zh-Hans": "喜欢?", "en": "Liked?"},
         "choices": [{"zh-Hant": "茶", "zh-Hans": "茶", "en": "Tea"},
                     {"zh-Hant": "餅", "zh-Hans": "饼", "en": "Cake"},
                     {"zh-Hant": "人", "zh-Hans": "人", "en": "Staff"}]}
      ]
    }"#;

    fn with(edit: impl FnOnce(&mut serde_json::Value)) -> Result<SurveyDefinition, String> {
        let mut v: serde_json::Value = serde_json::from_str(GOOD).unwrap();
        edit(&mut v);
        SurveyDefinition::from_json(&v.to_string()).map_err(|e| e.to_string())
    }

    #[test]
    fn a_good_definition_is_read_with_its_defaults() {
        let d = SurveyDefinition::from_json(GOOD).unwrap();
        assert_eq!(d.questions[2].id_at(2), "q3");
        assert_eq!(d.questions[2].csat_style(), CsatStyle::Smileys);
        assert_eq!(d.questions[3].choice_bounds(), (1, 2));
        assert!(d.active);
        assert_eq!(d.points_for_completion, 0);
    }

    #[test]
    fn invalid_definitions_say_exactly_what_is_wrong() {
        use serde_json::json;
        type Edit = Box<dyn FnOnce(&mut serde_json::Value)>;
        let cases: Vec<(&str, Edit, &str)> = vec![
            ("not JSON", Box::new(|v| *v = json!("{")), "invalid type"),
            (
                "version 0",
                Box::new(|v| v["version"] = json!(0)),
                "version: must be 1 or more",
            ),
            (
                "one language",
                Box::new(|v| v["questions"][0]["prompt"] = json!("Recommend?")),
                "questions[0] (nps).prompt: needs its text in all three languages",
            ),
            (
                "a missing language",
                Box::new(|v| v["title"] = json!({"zh-Hant": "問卷", "en": "S"})),
                "line 1",
            ),
            (
                "unknown kind",
                Box::new(|v| v["questions"][0]["kind"] = json!("slider")),
                "unknown variant `slider`",
            ),
            (
                "no questions",
                Box::new(|v| v["questions"] = json!([])),
                "questions: a survey has 1 to 20",
            ),
            (
                "one choice",
                Box::new(|v| {
                    v["questions"][3]["choices"] =
                        json!([{"zh-Hant": "茶", "zh-Hans": "茶", "en": "Tea"}]);
                    v["questions"][3]["max"] = json!(1);
                }),
                "questions[3] (q4).choices: a choice question has 2 to 8",
            ),
            (
                "min above max",
                Box::new(|v| v["questions"][3]["min"] = json!(3)),
                "questions[3] (q4).min/max: need 0 <= min <= max <= 3",
            ),
            (
                "max above the choices",
                Box::new(|v| v["questions"][3]["max"] = json!(4)),
                "questions[3] (q4).min/max",
            ),
            (
                "choices on an NPS",
                Box::new(|v| v["questions"][0]["choices"] = v["questions"][3]["choices"].clone()),
                "questions[0] (nps).choices: a nps question has no choices",
            ),
            (
                "a style on an NPS",
                Box::new(|v| v["questions"][0]["style"] = json!("stars")),
                "questions[0] (nps).style: only a csat question has a style",
            ),
            (
                "a later question in show_if",
                Box::new(|v| v["questions"][1]["show_if"]["question"] = json!("q3")),
                "questions[1] (why).show_if.question: \"q3\" is not an earlier question",
            ),
            (
                "off the scale",
                Box::new(|v| v["questions"][1]["show_if"]["at_most"] = json!(11)),
                "questions[1] (why).show_if: 11 is not on the scale 0 to 10",
            ),
            (
                "a duplicate id",
                Box::new(|v| v["questions"][1]["id"] = json!("nps")),
                "questions[1] (nps).id: is used by an earlier question",
            ),
            (
                "a control character",
                Box::new(|v| v["questions"][0]["prompt"]["en"] = json!("a\u{1b}b")),
                "questions[0] (nps).prompt: must not contain control characters",
            ),
            (
                "too many points",
                Box::new(|v| v["points_for_completion"] = json!(20000)),
                "points_for_completion: must be 0 to 10000",
            ),
        ];
        for (name, edit, expected) in cases {
            let e = with(edit).expect_err(name);
            assert!(e.contains(expected), "{name}: {e}");
        }
    }
}
