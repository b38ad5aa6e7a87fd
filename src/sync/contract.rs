//! The wire format of `docs/sync-api.openapi.yaml` (v1): request and response bodies as
//! serde types, and the conversion between outbox rows and wire events. No I/O here.
use serde::{Deserialize, Serialize};

use crate::domain::crm::{Adoption, Delivery, DeliveryStatus};
use crate::store::outbox::OutboxEntry;

/// The path prefix of this contract version.
pub const API_PREFIX: &str = "/v1";

#[derive(Debug, Serialize)]
pub struct HeartbeatRequest {
    pub kiosk_id: String,
    pub firmware_version: String,
    pub queue_depth: u64,
    pub rejected_count: u64,
    pub last_sync_at: Option<String>,
    pub sent_at: String,
    /// Since v1.1: a damaged database was set aside at a start (its file name); the
    /// operator should run `member-kiosk recover` on it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quarantined_database: Option<String>,
    /// Since v1.2: this kiosk's member code key, for the CRM to trust and publish to the
    /// fleet (`signing_keys`) and to check sign-up links against.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_key: Option<SigningKeyInfo>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SigningKeyInfo {
    /// Hex: the first 4 bytes of SHA-256 of the public key.
    pub key_id: String,
    /// Hex: the 32-byte Ed25519 public key.
    pub public_key: String,
}

#[derive(Debug, Deserialize)]
pub struct HeartbeatResponse {
    pub server_time: String,
    /// Since v1.1: the fleet's phone hash key (hex), for data minimisation.
    #[serde(default)]
    pub phone_hash_key: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct EventBatch {
    pub kiosk_id: String,
    pub sent_at: String,
    pub events: Vec<WireEvent>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WireEvent {
    pub id: String,
    pub seq: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub occurred_at: String,
    pub data: serde_json::Value,
}

impl WireEvent {
    /// The wire form of a stored event: its payload without the internal `type` tag, which
    /// travels beside it.
    pub fn from_outbox(entry: &OutboxEntry) -> WireEvent {
        let mut data = serde_json::from_str(&entry.payload)
            .unwrap_or_else(|_| serde_json::Value::Object(Default::default()));
        if let Some(object) = data.as_object_mut() {
            object.remove("type");
        }
        WireEvent {
            id: entry.event_id.clone(),
            seq: entry.seq,
            kind: entry.kind.clone(),
            occurred_at: entry.created_at.clone(),
            data,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct EventBatchResult {
    pub results: Vec<EventResult>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    Accepted,
    Duplicate,
    Rejected,
}

#[derive(Debug, Deserialize)]
pub struct EventResult {
    pub id: String,
    pub status: EventStatus,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub member: Option<Adoption>,
}

impl EventResult {
    pub fn into_delivery(self) -> Delivery {
        let status = match self.status {
            EventStatus::Accepted => DeliveryStatus::Accepted,
            EventStatus::Duplicate => DeliveryStatus::Duplicate,
            EventStatus::Rejected => DeliveryStatus::Rejected {
                reason: self
                    .reason
                    .filter(|r| !r.trim().is_empty())
                    .unwrap_or_else(|| "rejected by the CRM without a reason".into()),
            },
        };
        Delivery {
            event_id: self.id,
            status,
            adoption: self.member,
        }
    }
}

/// A page of the change feed. Changes stay raw JSON here so that one the kiosk does not
/// understand (a newer CRM) is skipped on its own rather than failing the page.
#[derive(Debug, Deserialize)]
pub struct ChangePage {
    pub changes: Vec<serde_json::Value>,
    pub next_cursor: String,
    pub has_more: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationPurpose {
    Signup,
    Lookup,
}

#[derive(Debug, Serialize)]
pub struct VerificationRequest {
    pub phone_e164: String,
    pub purpose: VerificationPurpose,
    pub language: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Verification {
    pub verification_id: String,
    pub expires_at: String,
    #[serde(default)]
    pub resend_after_secs: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct VerificationCheck {
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct VerificationResult {
    pub verified: bool,
    pub attempts_left: u32,
    #[serde(default)]
    pub member_id: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_event_travels_without_its_internal_tag() {
        let entry = OutboxEntry {
            seq: 7,
            event_id: "019a0000-0000-7000-8000-000000000000".into(),
            kind: "card_linked".into(),
            payload:
                r#"{"type":"card_linked","member_id":"m","card_uid":"04A1B2C3","linked_at":"t"}"#
                    .into(),
            created_at: "2026-11-23T00:00:00Z".into(),
        };
        let wire = serde_json::to_value(WireEvent::from_outbox(&entry)).unwrap();
        assert_eq!(wire["type"], "card_linked");
        assert_eq!(wire["seq"], 7);
        assert_eq!(wire["data"]["card_uid"], "04A1B2C3");
        assert!(wire["data"].get("type").is_none());
    }

    #[test]
    fn a_rejection_always_carries_a_reason_for_staff() {
        let result: EventResult =
            serde_json::from_str(r#"{"id":"e","status":"rejected"}"#).unwrap();
        assert!(matches!(
            result.into_delivery().status,
            DeliveryStatus::Rejected { reason } if reason.contains("without a reason")
        ));
    }
}
