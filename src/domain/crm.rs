//! What the central CRM tells the kiosk, as domain values: the fate of each delivered event
//! and the changes it publishes (members, catalogue, surveys, settings). The wire envelopes
//! live in `sync::contract`; storage applies these in `store::crm_changes`.
use serde::{Deserialize, Serialize};

use super::localized::LocalizedText;

/// The CRM's verdict on one delivered event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Stored now.
    Accepted,
    /// Stored earlier (its answer was lost, or it was sent twice).
    Duplicate,
    /// Will never be stored; kept locally for staff with the reason.
    Rejected { reason: String },
}

/// The member a sign-up was filed under: the kiosk adopts the CRM's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adoption {
    pub kiosk_member_id: String,
    pub member_id: String,
    pub merged: bool,
}

/// One event's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub event_id: String,
    pub status: DeliveryStatus,
    pub adoption: Option<Adoption>,
}

/// What a pushed batch changed locally.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliverySummary {
    pub delivered: u64,
    pub rejected: u64,
    pub adopted: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeletionReason {
    /// A request to forget the member: their data and queued events go.
    Erasure,
    /// Merged into another member, who keeps the cards and history.
    Merged,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CatalogCollection {
    Tiers,
    Rewards,
    EarningRules,
}

impl CatalogCollection {
    pub fn as_str(self) -> &'static str {
        match self {
            CatalogCollection::Tiers => "tiers",
            CatalogCollection::Rewards => "rewards",
            CatalogCollection::EarningRules => "earning_rules",
        }
    }
}

/// Settings the CRM manages; an absent key keeps the kiosk's own value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrmSettings {
    /// One name, or one per language (`{"zh-Hant": …, "zh-Hans": …, "en": …}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_name: Option<LocalizedText>,
    /// The privacy notice's text, one or one per language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_notice: Option<LocalizedText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signup_bonus_points: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_notice_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_timeout_secs: Option<u64>,
    /// Since v1.2: points lapse this many months after they are earned (0: never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_expire_after_months: Option<u32>,
    /// Since v1.2: what tiers are reached on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier_basis: Option<crate::domain::loyalty::tiers::TierBasis>,
    /// Since v1.2: the tiers' rolling window and period, in months.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier_window_months: Option<u32>,
}

/// One change from the CRM's feed. Each is idempotent: applying it twice is harmless.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CrmChange {
    MemberUpsert {
        member_id: String,
        phone_e164: String,
        #[serde(default)]
        tier: Option<String>,
        balance: i64,
        #[serde(default)]
        card_uids: Vec<String>,
        joined_at: String,
        /// Since v1.2: the CRM's figure the tier is reached on (points earned or spend in
        /// the window), for the progress bar.
        #[serde(default)]
        tier_points: Option<i64>,
        /// Since v1.2: points lapsing within 30 days, and the date the first of them lapse.
        #[serde(default)]
        expiring_points: Option<i64>,
        #[serde(default)]
        expiring_on: Option<String>,
    },
    MemberDeleted {
        member_id: String,
        reason: DeletionReason,
        #[serde(default)]
        merged_into: Option<String>,
    },
    CatalogUpsert {
        collection: CatalogCollection,
        id: String,
        body: serde_json::Value,
    },
    CatalogDeleted {
        collection: CatalogCollection,
        id: String,
    },
    /// A survey definition (`domain::survey::definition`); since v1.4 with question ids,
    /// CSAT styles, choice bounds, skip logic and points.
    SurveyUpsert(crate::domain::survey::definition::SurveyDefinition),
    Settings {
        values: CrmSettings,
    },
    /// Since v1.2: the fleet's member code keys (Ed25519 public keys, hex), the whole set;
    /// each replaces the last.
    SigningKeys {
        keys: Vec<String>,
    },
}

/// A number as the contract allows it: `+`, then 7 to 15 digits, not starting with 0.
pub fn is_e164(value: &str) -> bool {
    let Some(digits) = value.strip_prefix('+') else {
        return false;
    };
    (7..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

/// A card UID as the kiosk stores it: 4 to 10 bytes in upper-case hex.
pub fn is_card_uid(value: &str) -> bool {
    (8..=20).contains(&value.len())
        && value.len().is_multiple_of(2)
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_parse_from_the_contract_examples() {
        let change: CrmChange = serde_json::from_str(
            r#"{"type":"member_upsert","member_id":"crm-1","phone_e164":"+85291234567",
                "balance":250,"joined_at":"2026-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        assert!(
            matches!(change, CrmChange::MemberUpsert { balance: 250, ref tier, .. } if tier.is_none())
        );
        let change: CrmChange = serde_json::from_str(
            r#"{"type":"member_deleted","member_id":"crm-1","reason":"merged","merged_into":"crm-2"}"#,
        )
        .unwrap();
        assert_eq!(
            change,
            CrmChange::MemberDeleted {
                member_id: "crm-1".into(),
                reason: DeletionReason::Merged,
                merged_into: Some("crm-2".into())
            }
        );
        assert!(serde_json::from_str::<CrmChange>(r#"{"type":"teleport"}"#).is_err());
    }

    #[test]
    fn numbers_and_uids_are_checked_before_they_are_stored() {
        assert!(is_e164("+85291234567"));
        assert!(!is_e164("85291234567"));
        assert!(!is_e164("+0123456789"));
        assert!(!is_e164("+852 9123"));
        assert!(is_card_uid("04A1B2C3"));
        assert!(!is_card_uid("04a1b2c3"));
        assert!(!is_card_uid("04A1B2C"));
    }

    #[test]
    fn signing_keys_and_the_v1_2_member_figures_parse() {
        let keys: CrmChange = serde_json::from_str(
            r#"{"type":"signing_keys","keys":["03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"]}"#,
        )
        .unwrap();
        assert!(matches!(keys, CrmChange::SigningKeys { ref keys } if keys.len() == 1));
        let member: CrmChange = serde_json::from_str(
            r#"{"type":"member_upsert","member_id":"crm-1","phone_e164":"+85291234567",
                "balance":250,"joined_at":"2026-01-01T00:00:00Z","tier":"silver",
                "tier_points":480,"expiring_points":80,"expiring_on":"2026-12-10"}"#,
        )
        .unwrap();
        assert!(matches!(
            member,
            CrmChange::MemberUpsert {
                tier_points: Some(480),
                expiring_points: Some(80),
                ..
            }
        ));
    }
}
