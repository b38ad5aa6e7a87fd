//! `[staff]`: the PIN that opens staff mode and its lock-out. Absent means staff mode
//! cannot be opened.
use serde::{Deserialize, Serialize};

use super::Problems;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StaffConfig {
    /// The PIN that opens staff mode: 4 to 8 digits.
    pub pin: String,
    /// Wrong PINs in a row before staff mode locks for `lockout_secs`.
    pub max_attempts: u32,
    pub lockout_secs: u64,
}

impl Default for StaffConfig {
    fn default() -> Self {
        StaffConfig {
            pin: String::new(),
            max_attempts: 5,
            lockout_secs: 60,
        }
    }
}

impl StaffConfig {
    pub(super) fn check(&self, problems: &mut Problems) {
        let digits = self.pin.len();
        if !(4..=8).contains(&digits) || !self.pin.bytes().all(|b| b.is_ascii_digit()) {
            problems.add("staff.pin", "must be 4 to 8 digits");
        }
        if self.max_attempts == 0 {
            problems.add("staff.max_attempts", "must be at least 1");
        }
    }
}
