//! Domain events written to the outbox in the same transaction as the change they describe,
//! for the sync worker to deliver to the central CRM.
use serde::{Deserialize, Serialize};

use super::signup::Consent;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
}

impl DomainEvent {
    /// Stable name stored beside the payload, for filtering without parsing JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            DomainEvent::MemberJoined { .. } => "member_joined",
            DomainEvent::ConsentRecorded { .. } => "consent_recorded",
            DomainEvent::CardLinked { .. } => "card_linked",
        }
    }
}
