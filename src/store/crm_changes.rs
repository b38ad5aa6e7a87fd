//! Applying a page of the CRM's changes with its cursor, in one transaction, each change in
//! its own savepoint: a change that cannot be applied is rolled back whole and skipped.
use rusqlite::{Connection, TransactionBehavior, params};

use super::sync_state::{CURSOR_KEY, set_state};
use super::{Store, StoreError, catalog, code_keys, members};
use crate::domain::crm::{CrmChange, DeletionReason};

/// How a page of changes went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplySummary {
    pub applied: u64,
    pub skipped: u64,
}

impl Store {
    /// Applies a page of changes and stores `next_cursor`, in one transaction. Each change
    /// runs in its own savepoint: one that cannot be applied (a malformed number, a survey
    /// with one bad question) is rolled back whole, logged and skipped.
    pub fn apply_changes(
        &mut self,
        changes: &[CrmChange],
        next_cursor: &str,
    ) -> Result<ApplySummary, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut summary = ApplySummary::default();
        let mut tx = tx;
        for change in changes {
            let savepoint = tx.savepoint()?;
            match apply(&savepoint, self.phone_key.as_ref(), change)? {
                Ok(()) => {
                    savepoint.commit()?;
                    summary.applied += 1;
                }
                Err(problem) => {
                    // Dropping the savepoint rolls back whatever the change had written.
                    drop(savepoint);
                    tracing::warn!("CRM change skipped: {problem}");
                    summary.skipped += 1;
                }
            }
        }
        set_state(&tx, CURSOR_KEY, next_cursor)?;
        tx.commit()?;
        // Pulled members are stored hashed and erasures deleted: their old copies leave the
        // WAL at the end of the round.
        let members_changed = changes.iter().any(|c| {
            matches!(
                c,
                CrmChange::MemberUpsert { .. } | CrmChange::MemberDeleted { .. }
            )
        });
        self.numbers_to_wipe |= members_changed && self.phone_key.is_some();
        if changes
            .iter()
            .any(|c| matches!(c, CrmChange::SigningKeys { .. }))
        {
            self.reload_keyring();
        }
        Ok(summary)
    }
}

/// Applies one change. The outer `Err` is a database failure (the page is not applied); the
/// inner one is a change that is skipped, with the reason.
fn apply(
    conn: &Connection,
    key: Option<&crate::domain::phone_hash::PhoneKey>,
    change: &CrmChange,
) -> Result<Result<(), String>, StoreError> {
    match change {
        CrmChange::MemberUpsert {
            member_id,
            phone_e164,
            tier,
            balance,
            card_uids,
            joined_at,
            tier_points,
            expiring_points,
            expiring_on,
        } => {
            let upserted = members::upsert_member(
                conn, key, member_id, phone_e164, tier, *balance, card_uids, joined_at,
            )?;
            if upserted.is_ok() {
                conn.execute(
                    "UPDATE members SET tier_points = ?2, expiring_points = ?3, expiring_on = ?4
                     WHERE crm_id = ?1",
                    params![member_id, tier_points, expiring_points, expiring_on],
                )?;
            }
            Ok(upserted)
        }
        CrmChange::SigningKeys { keys } => code_keys::replace_crm_keys(conn, keys),
        CrmChange::MemberDeleted {
            member_id,
            reason: DeletionReason::Erasure,
            ..
        } => members::erase_member(conn, member_id).map(Ok),
        CrmChange::MemberDeleted {
            member_id,
            reason: DeletionReason::Merged,
            merged_into,
        } => match merged_into {
            Some(into) => members::merge_member(conn, member_id, into).map(Ok),
            None => Ok(Err(format!("merge of {member_id} names no member to keep"))),
        },
        CrmChange::CatalogUpsert {
            collection,
            id,
            body,
        } => {
            catalog::upsert_entry(conn, collection.as_str(), id, &body.to_string())?;
            Ok(Ok(()))
        }
        CrmChange::CatalogDeleted { collection, id } => {
            catalog::delete_entry(conn, collection.as_str(), id)?;
            Ok(Ok(()))
        }
        CrmChange::SurveyUpsert(definition) => super::surveys::apply_crm_survey(conn, definition),
        CrmChange::Settings { values } => {
            let Ok(serde_json::Value::Object(map)) = serde_json::to_value(values) else {
                return Ok(Err("settings are not an object".into()));
            };
            catalog::store_settings(conn, map)?;
            Ok(Ok(()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::crm::{Adoption, Delivery, DeliveryStatus};
    use crate::domain::phone::{PhoneCheck, check_mobile};
    use crate::domain::region::Region;
    use crate::domain::signup::JoinRequest;

    fn join(store: &mut Store, number: &str) -> String {
        let PhoneCheck::Valid(phone) = check_mobile(Region::HK, number) else {
            panic!("valid");
        };
        let request = JoinRequest::new(phone, true, true, "2026-01", 100).unwrap();
        store.join(&request).unwrap().member_id
    }

    fn upsert(member_id: &str, phone: &str, balance: i64) -> CrmChange {
        CrmChange::MemberUpsert {
            member_id: member_id.into(),
            phone_e164: phone.into(),
            tier: None,
            balance,
            card_uids: vec![],
            joined_at: "2026-01-01T00:00:00Z".into(),
            tier_points: None,
            expiring_points: None,
            expiring_on: None,
        }
    }

    #[test]
    fn erasure_removes_the_member_and_their_queued_events_but_no_one_elses() {
        let mut store = Store::open_in_memory().unwrap();
        let forgotten = join(&mut store, "94000001");
        let kept = join(&mut store, "94000002");
        store.link_card("04A1B2C3", &forgotten).unwrap();
        assert_eq!(store.outbox_depth().unwrap(), 3);
        let erase = CrmChange::MemberDeleted {
            member_id: forgotten.clone(),
            reason: DeletionReason::Erasure,
            merged_into: None,
        };
        store.apply_changes(&[erase], "c1").unwrap();
        assert!(store.member_by_card("04A1B2C3").unwrap().is_none());
        assert_eq!(store.member_count().unwrap(), 1);
        let queued = store.outbox_peek(10).unwrap();
        assert_eq!(queued.len(), 1);
        assert!(queued[0].payload.contains(&kept));
        assert!(!queued[0].payload.contains("+85294000001"));
        let consents: i64 = store
            .connection()
            .query_row("SELECT COUNT(*) FROM consents", [], |r| r.get(0))
            .unwrap();
        assert_eq!(consents, 2, "only the kept member's consents remain");
    }

    #[test]
    fn the_balance_is_the_crms_plus_what_it_has_not_acknowledged() {
        let mut store = Store::open_in_memory().unwrap();
        let member = join(&mut store, "94000003");
        assert_eq!(
            store.balance(&member).unwrap(),
            100,
            "local ledger before any pull"
        );
        // The CRM already knows a balance of 40 but has not yet had the sign-up event.
        store
            .apply_changes(&[upsert("crm-9", "+85294000003", 40)], "c1")
            .unwrap();
        assert_eq!(store.balance(&member).unwrap(), 140);
        assert_eq!(store.member_count().unwrap(), 1, "matched by number");
        let event_id = store.outbox_peek(1).unwrap()[0].event_id.clone();
        store
            .record_deliveries(&[Delivery {
                event_id,
                status: DeliveryStatus::Accepted,
                adoption: Some(Adoption {
                    kiosk_member_id: member.clone(),
                    member_id: "crm-9".into(),
                    merged: false,
                }),
            }])
            .unwrap();
        store
            .apply_changes(&[upsert("crm-9", "+85294000003", 140)], "c2")
            .unwrap();
        assert_eq!(store.balance(&member).unwrap(), 140, "counted once");
        assert_eq!(
            store.member_crm_id(&member).unwrap().as_deref(),
            Some("crm-9")
        );
    }

    #[test]
    fn a_page_that_fails_to_apply_leaves_the_cursor_where_it_was() {
        let mut store = Store::open_in_memory().unwrap();
        store.apply_changes(&[], "c1").unwrap();
        store
            .connection()
            .execute_batch("DROP TABLE crm_catalog")
            .unwrap();
        let change = CrmChange::CatalogDeleted {
            collection: crate::domain::crm::CatalogCollection::Rewards,
            id: "r1".into(),
        };
        assert!(store.apply_changes(&[change], "c2").is_err());
        assert_eq!(store.sync_cursor().unwrap().as_deref(), Some("c1"));
    }
}
