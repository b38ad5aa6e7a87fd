//! What a sign-up asks for and what it yields: the request built from the join screen, the
//! consents it records, and the outcome the welcome screen shows.
use serde::{Deserialize, Serialize};

use super::phone::E164;

/// What a customer agreed (or declined) to, recorded with the notice version they saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentKind {
    /// The privacy notice: required to join.
    PrivacyNotice,
    /// Marketing messages: optional, never preset.
    Marketing,
}

impl ConsentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentKind::PrivacyNotice => "privacy_notice",
            ConsentKind::Marketing => "marketing",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub kind: ConsentKind,
    pub granted: bool,
    pub notice_version: String,
    /// SHA-256 (hex) of the exact notice text shown; absent for consents recorded before
    /// kiosks stored it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_sha256: Option<String>,
}

/// A validated request to join, built only from a valid number with privacy consent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinRequest {
    pub phone: E164,
    pub notice_version: String,
    pub notice_sha256: Option<String>,
    pub marketing_opt_in: bool,
    pub signup_bonus_points: i64,
    /// "Join with this card": an unknown card tapped on the attract screen, linked in the
    /// sign-up's own transaction (and only to a new member).
    pub card_uid: Option<String>,
}

impl JoinRequest {
    /// `None` unless the privacy notice was accepted: there is no sign-up without it.
    pub fn new(
        phone: E164,
        privacy_accepted: bool,
        marketing_opt_in: bool,
        notice_version: &str,
        signup_bonus_points: i64,
    ) -> Option<JoinRequest> {
        privacy_accepted.then(|| JoinRequest {
            phone,
            notice_version: notice_version.to_owned(),
            notice_sha256: None,
            marketing_opt_in,
            signup_bonus_points: signup_bonus_points.max(0),
            card_uid: None,
        })
    }

    /// Records the hash of the exact notice text the customer was shown.
    pub fn with_notice_sha256(mut self, sha256: String) -> JoinRequest {
        self.notice_sha256 = Some(sha256);
        self
    }

    /// The consents a new member gives by joining: both are always recorded, so the absence
    /// of a marketing opt-in is on file too.
    pub fn consents(&self) -> [Consent; 2] {
        [
            Consent {
                kind: ConsentKind::PrivacyNotice,
                granted: true,
                notice_version: self.notice_version.clone(),
                notice_sha256: self.notice_sha256.clone(),
            },
            Consent {
                kind: ConsentKind::Marketing,
                granted: self.marketing_opt_in,
                notice_version: self.notice_version.clone(),
                notice_sha256: self.notice_sha256.clone(),
            },
        ]
    }
}

/// The result of a committed sign-up, as the welcome screen needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinOutcome {
    pub member_id: String,
    pub phone: E164,
    /// The number already belonged to a member; nothing was duplicated.
    pub returning: bool,
    pub bonus_awarded: i64,
    pub balance: i64,
    /// The card the request carried is now this member's.
    pub card_linked: bool,
}
