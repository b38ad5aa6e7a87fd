//! `[survey]`: how the smiley terminal behaves. (Which survey to hand out, follow sign-ups
//! or awards, and smiley mode itself are set by staff on the kiosk; the surveys come from
//! the CRM, with a built-in default.)
use serde::{Deserialize, Serialize};

use super::Problems;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SurveyConfig {
    /// Seconds the smiley terminal ignores presses after a vote.
    pub smiley_lock_secs: u64,
}

impl Default for SurveyConfig {
    fn default() -> Self {
        SurveyConfig {
            smiley_lock_secs: 5,
        }
    }
}

impl SurveyConfig {
    pub fn smiley_lock(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.smiley_lock_secs)
    }

    pub(super) fn check(&self, problems: &mut Problems) {
        if !(1..=120).contains(&self.smiley_lock_secs) {
            problems.add("survey.smiley_lock_secs", "must be 1 to 120 seconds");
        }
    }
}
