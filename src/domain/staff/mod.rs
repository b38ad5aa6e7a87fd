//! Staff: who they are (an id, a display name and an argon2id hash of their PIN), the
//! sign-in lock-out that escalates and survives a restart, and how long an award or a
//! redemption stays undoable.
pub mod lockout;
pub mod pin;

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The last award or redemption can be undone for this long.
pub const UNDO_WINDOW: Duration = Duration::from_secs(120);

/// One member of staff, as the config lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffMember {
    /// Recorded with every ledger entry and audit line they make.
    pub id: String,
    /// Shown on the sign-in screen.
    pub name: String,
    /// `member-kiosk hash-pin` prints it: `$argon2id$v=19$…`.
    pub pin_hash: String,
}

/// Whether an action made at `made_at_ms` may still be undone at `now_ms` (Unix ms).
pub fn undoable(made_at_ms: i64, now_ms: i64) -> bool {
    let window = i64::try_from(UNDO_WINDOW.as_millis()).unwrap_or(i64::MAX);
    (0..=window).contains(&(now_ms - made_at_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undo_lasts_two_minutes() {
        assert!(undoable(1_000, 1_000));
        assert!(undoable(1_000, 121_000));
        assert!(!undoable(1_000, 121_001));
        assert!(
            !undoable(1_000, 999),
            "a clock that went back is no licence"
        );
    }
}
