//! The surveys that ship with the kiosk, so a shop without a CRM can ask for feedback on day
//! one: a five-question default (NPS with "what could we do better?" for detractors, a
//! five-star CSAT, a single and a multiple choice), and the one-question smiley terminal
//! (four faces).
//! Both are checked like any definition by a unit test.
use super::definition::SurveyDefinition;

pub const DEFAULT_ID: &str = "kiosk-default";
pub const SMILEY_ID: &str = "kiosk-smiley";

fn parse(json: &str) -> SurveyDefinition {
    // Checked by the tests below: a broken built-in survey never ships.
    SurveyDefinition::from_json(json).unwrap_or_else(|e| panic!("built-in survey: {e}"))
}

pub fn default_survey() -> SurveyDefinition {
    parse(include_str!("default_survey.json"))
}

pub fn smiley_survey() -> SurveyDefinition {
    parse(include_str!("smiley_survey.json"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::survey::definition::{CsatStyle, QuestionKind};

    #[test]
    fn the_built_in_surveys_pass_their_checks() {
        let d = default_survey();
        assert_eq!(d.survey_id, DEFAULT_ID);
        let kinds: Vec<QuestionKind> = d.questions.iter().map(|q| q.kind).collect();
        assert_eq!(
            kinds,
            [
                QuestionKind::Nps,
                QuestionKind::Comment,
                QuestionKind::Csat,
                QuestionKind::SingleChoice,
                QuestionKind::MultipleChoice
            ]
        );
        let s = smiley_survey();
        assert_eq!(s.survey_id, SMILEY_ID);
        assert_eq!(s.questions.len(), 1);
        assert_eq!(s.questions[0].csat_style(), CsatStyle::Smileys);
    }
}
