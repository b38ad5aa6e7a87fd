//! Domain events written to the outbox in the same transaction as the change they describe,
//! for the sync worker to deliver to the central CRM.
use serde::{Deserialize, Serialize};

use super::signup::Consent;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DomainEvent {
    /// A new member joined at this kiosk: identity, consents and the sign-up bonus in one event,
    /// so the CRM never sees a member without their consent record.
    MemberJoined {
        member_id: String,
        phone_e164: String,
        joined_at: String,
        consents: Vec<Consent>,
        signup_bonus_points: i64,
    },
    /// An NFC card was linked to a member at this kiosk.
    CardLinked {
        member_id: String,
        card_uid: String,
        linked_at: String,
    },
    /// An existing member changed a consent (e.g. opted in to marketing on a later visit).
    ConsentRecorded {
        member_id: String,
        consent: Consent,
        recorded_at: String,
    },
    /// Staff changed a member's points: an award for a purchase, or the undo of an award or
    /// a redemption (a compensating entry; nothing is ever deleted).
    PointsAdjusted {
        member_id: String,
        /// The kiosk's id for this change: the CRM applies each client id once.
        client_id: String,
        delta: i64,
        reason: AdjustReason,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        purchase: Option<Purchase>,
        /// The tier multiplier applied to a purchase, e.g. 1.5.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        multiplier: Option<f64>,
        /// For an undo: the client id of the award or redemption it reverses.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reverses: Option<String>,
        staff_id: String,
        adjusted_at: String,
    },
    /// Staff redeemed a reward for a member.
    RewardRedeemed {
        member_id: String,
        client_id: String,
        reward_id: String,
        cost: i64,
        staff_id: String,
        /// How the member proved they were there: `card`, `live_code`, or `saved_code`
        /// with the last four digits of their number.
        presence: String,
        /// Made while the CRM was out of reach, within the last balance it confirmed.
        offline: bool,
        redeemed_at: String,
    },
    /// A customer finished a survey (or voted on the smiley terminal).
    SurveyAnswered {
        response_id: String,
        survey_id: String,
        survey_version: i64,
        /// `None`: anonymous.
        member_id: Option<String>,
        /// How the member identified themselves: `scan`, `card`, `signup`, `award`.
        identified_by: Option<String>,
        /// The language the survey was answered in.
        language: String,
        answers: Vec<SurveyAnswer>,
        /// Points credited to the member for completing it (0 for none).
        points_awarded: i64,
        completed_at: String,
    },
}

/// One answer in a `survey_answered` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyAnswer {
    pub position: usize,
    pub question_id: String,
    /// `nps`, `csat_stars`, `csat_smileys`, `single_choice`, `multiple_choice`, `comment`.
    pub kind: String,
    /// A score, a choice's index, a list of indices, a text, or null (skipped).
    pub value: serde_json::Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustReason {
    Purchase,
    Undo,
}

impl AdjustReason {
    pub fn as_str(self) -> &'static str {
        match self {
            AdjustReason::Purchase => "purchase",
            AdjustReason::Undo => "undo",
        }
    }
}

/// The purchase behind an award.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purchase {
    /// In the currency's minor unit (cents for HKD).
    pub amount_minor: i64,
    /// ISO 4217, e.g. `HKD`.
    pub currency: String,
    /// Decimal places of the currency's minor unit.
    pub decimals: u8,
}

impl DomainEvent {
    /// Stable name stored beside the payload, for filtering without parsing JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            DomainEvent::MemberJoined { .. } => "member_joined",
            DomainEvent::ConsentRecorded { .. } => "consent_recorded",
            DomainEvent::CardLinked { .. } => "card_linked",
            DomainEvent::PointsAdjusted { .. } => "points_adjusted",
            DomainEvent::RewardRedeemed { .. } => "reward_redeemed",
            DomainEvent::SurveyAnswered { .. } => "survey_answered",
        }
    }
}
