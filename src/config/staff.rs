//! `[staff]`: who may open staff mode (each with an id, a display name and an argon2id hash
//! of their PIN, made by `member-kiosk hash-pin`), how many wrong PINs lock sign-in, and how
//! long a staff session lasts without a touch. Absent, or with nobody listed, staff mode
//! cannot be opened. A plain-text PIN is refused.
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Problems;
use crate::domain::staff::StaffMember;
use crate::domain::staff::pin;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StaffConfig {
    /// Refused: a plain-text PIN from before PINs were hashed. Kept only to say what to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pin: Option<String>,
    /// Refused: the lock-out escalates by itself now (1, 5, 15, then 60 minutes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lockout_secs: Option<u64>,
    /// `[[staff.members]]`: `id`, `name`, `pin_hash`.
    pub members: Vec<StaffMember>,
    /// Wrong PINs in a row (any staff member) before sign-in locks.
    pub max_attempts: u32,
    /// A staff session ends after this many seconds without a touch.
    pub session_idle_secs: u64,
}

impl Default for StaffConfig {
    fn default() -> Self {
        StaffConfig {
            pin: None,
            lockout_secs: None,
            members: Vec::new(),
            max_attempts: 5,
            session_idle_secs: 60,
        }
    }
}

impl StaffConfig {
    pub fn session_idle(&self) -> Duration {
        Duration::from_secs(self.session_idle_secs)
    }

    pub(super) fn check(&self, problems: &mut Problems) {
        if self.pin.is_some() {
            problems.add(
                "staff.pin",
                "is a plain-text PIN, which is refused: run `member-kiosk hash-pin`, put what it \
                 prints as pin_hash in a [[staff.members]] entry with an id and a name, and \
                 remove `pin`",
            );
        }
        if self.lockout_secs.is_some() {
            problems.add(
                "staff.lockout_secs",
                "is no longer used: the lock-out escalates by itself (1, 5, 15, then 60 \
                 minutes); remove it",
            );
        }
        if self.max_attempts == 0 || self.max_attempts > 20 {
            problems.add("staff.max_attempts", "must be 1 to 20");
        }
        if !(15..=3600).contains(&self.session_idle_secs) {
            problems.add("staff.session_idle_secs", "must be 15 to 3600 seconds");
        }
        let mut ids = std::collections::HashSet::new();
        for member in &self.members {
            let id_ok = (1..=32).contains(&member.id.len())
                && member
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
            if !id_ok || !ids.insert(member.id.as_str()) {
                problems.add(
                    "staff.members.id",
                    format!(
                        "{:?} must be unique, 1 to 32 letters, digits, '.', '_' or '-'",
                        member.id
                    ),
                );
            }
            if member.name.trim().is_empty() || member.name.chars().count() > 24 {
                problems.add(
                    "staff.members.name",
                    format!("for {} must be 1 to 24 characters", member.id),
                );
            }
            if let Err(e) = pin::check_hash(&member.pin_hash) {
                problems.add("staff.members.pin_hash", format!("for {}: {e}", member.id));
            }
        }
    }
}
