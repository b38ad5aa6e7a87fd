//! Sync bookkeeping in the database: recording the CRM's answer to a pushed batch, applying
//! a page of pulled changes with its cursor, and what staff mode shows (queue depth, rejected
//! events, last sync). Each of these is one transaction, so a crash leaves either all of an
//! answer recorded or none of it.
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{Store, StoreError, now_rfc3339};
use crate::domain::crm::{
    CrmChange, CrmSettings, DeletionReason, Delivery, DeliveryStatus, DeliverySummary, is_card_uid,
    is_e164,
};

const CURSOR_KEY: &str = "pull_cursor";
const LAST_SYNC_KEY: &str = "last_sync_at";

/// An event the CRM refused, kept for staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedEvent {
    pub seq: i64,
    pub event_id: String,
    pub kind: String,
    pub reason: String,
    pub rejected_at: String,
}

/// What staff mode shows about sync, read in one go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncSnapshot {
    pub queue_depth: u64,
    pub rejected_count: u64,
    pub last_sync_at: Option<String>,
    pub latest_rejection: Option<RejectedEvent>,
    /// The damaged database set aside at a start, if any (see `store::quarantine`).
    pub quarantined: Option<String>,
}

/// How a page of changes went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplySummary {
    pub applied: u64,
    pub skipped: u64,
}

impl Store {
    /// Records the CRM's answer to a batch: delivered events leave the outbox, rejected
    /// ones move to the rejected list, sign-ups adopt the CRM's member id.
    pub fn record_deliveries(
        &mut self,
        deliveries: &[Delivery],
    ) -> Result<DeliverySummary, StoreError> {
        let now = now_rfc3339();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut summary = DeliverySummary::default();
        for delivery in deliveries {
            match &delivery.status {
                DeliveryStatus::Accepted | DeliveryStatus::Duplicate => {
                    summary.delivered += tx.execute(
                        "DELETE FROM outbox WHERE event_id = ?1",
                        [&delivery.event_id],
                    )? as u64;
                }
                DeliveryStatus::Rejected { reason } => {
                    summary.rejected += reject(&tx, &delivery.event_id, reason, &now)?;
                }
            }
            if let Some(adoption) = &delivery.adoption {
                summary.adopted += tx.execute(
                    "UPDATE members SET crm_id = ?2 WHERE id = ?1",
                    params![adoption.kiosk_member_id, adoption.member_id],
                )? as u64;
            }
        }
        tx.commit()?;
        Ok(summary)
    }

    /// Moves one event to the rejected list (the CRM refused it on its own). Returns
    /// whether it was still queued.
    pub fn reject_event(&mut self, event_id: &str, reason: &str) -> Result<bool, StoreError> {
        let now = now_rfc3339();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let moved = reject(&tx, event_id, reason, &now)?;
        tx.commit()?;
        Ok(moved > 0)
    }

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
            match apply(&savepoint, change)? {
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
        Ok(summary)
    }

    /// Forgets the pull cursor (the CRM no longer knows it): the next pull starts over.
    pub fn clear_sync_cursor(&mut self) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM sync_state WHERE key = ?1", [CURSOR_KEY])?;
        Ok(())
    }

    /// Puts rejected events back in the outbox (all, or the one with `event_id`), in their
    /// original order, for an operator who fixed the CRM. Returns how many.
    pub fn requeue_rejected(&mut self, event_id: Option<&str>) -> Result<u64, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let filter = "(?1 IS NULL OR event_id = ?1)";
        let moved = tx.execute(
            &format!(
                "INSERT INTO outbox (seq, event_id, kind, payload, created_at)
                 SELECT seq, event_id, kind, payload, created_at FROM outbox_rejected
                 WHERE {filter}"
            ),
            [event_id],
        )?;
        tx.execute(
            &format!("DELETE FROM outbox_rejected WHERE {filter}"),
            [event_id],
        )?;
        tx.commit()?;
        Ok(moved as u64)
    }

    /// The cursor to pull from; `None` before the first pull.
    pub fn sync_cursor(&self) -> Result<Option<String>, StoreError> {
        state(&self.conn, CURSOR_KEY)
    }

    /// Notes a complete push and pull round.
    pub fn mark_synced(&mut self) -> Result<String, StoreError> {
        let now = now_rfc3339();
        set_state(&self.conn, LAST_SYNC_KEY, &now)?;
        Ok(now)
    }

    pub fn sync_snapshot(&self) -> Result<SyncSnapshot, StoreError> {
        let rejected_count: i64 =
            self.conn
                .query_row("SELECT COUNT(*) FROM outbox_rejected", [], |r| r.get(0))?;
        Ok(SyncSnapshot {
            queue_depth: self.outbox_depth()?,
            rejected_count: u64::try_from(rejected_count).unwrap_or(0),
            last_sync_at: state(&self.conn, LAST_SYNC_KEY)?,
            latest_rejection: self.rejected_events(1)?.into_iter().next(),
            quarantined: self.quarantined_database()?,
        })
    }

    /// The most recently rejected events first.
    pub fn rejected_events(&self, limit: u32) -> Result<Vec<RejectedEvent>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, event_id, kind, reason, rejected_at FROM outbox_rejected
             ORDER BY rejected_at DESC, seq DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| {
            Ok(RejectedEvent {
                seq: r.get(0)?,
                event_id: r.get(1)?,
                kind: r.get(2)?,
                reason: r.get(3)?,
                rejected_at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The settings the CRM last published.
    pub fn crm_settings(&self) -> Result<CrmSettings, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key, value FROM crm_settings")?;
        let mut map = serde_json::Map::new();
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
            let (key, value) = row?;
            if let Ok(value) = serde_json::from_str(&value) {
                map.insert(key, value);
            }
        }
        Ok(serde_json::from_value(serde_json::Value::Object(map)).unwrap_or_default())
    }

    /// A tier, reward or earning rule the CRM published, as JSON.
    pub fn catalog_entry(&self, collection: &str, id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT body FROM crm_catalog WHERE collection = ?1 AND id = ?2",
                [collection, id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The member's tier as the CRM last reported it.
    pub fn member_tier(&self, member_id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT tier FROM members WHERE id = ?1", [member_id], |r| {
                r.get(0)
            })
            .optional()?
            .flatten())
    }

    /// The CRM's id for a member, once adopted.
    pub fn member_crm_id(&self, member_id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT crm_id FROM members WHERE id = ?1",
                [member_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }
}

fn reject(conn: &Connection, event_id: &str, reason: &str, now: &str) -> Result<u64, StoreError> {
    let moved = conn.execute(
        "INSERT OR IGNORE INTO outbox_rejected
             (seq, event_id, kind, payload, created_at, reason, rejected_at)
         SELECT seq, event_id, kind, payload, created_at, ?2, ?3 FROM outbox WHERE event_id = ?1",
        params![event_id, reason, now],
    )?;
    conn.execute("DELETE FROM outbox WHERE event_id = ?1", [event_id])?;
    Ok(moved as u64)
}

fn state(conn: &Connection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row("SELECT value FROM sync_state WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

fn set_state(conn: &Connection, key: &str, value: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}

/// The local row for a CRM member id: the member pulled under that id, or the kiosk's own
/// member who adopted it.
fn local_member(conn: &Connection, member_id: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id FROM members WHERE id = ?1 OR crm_id = ?1 ORDER BY id = ?1 DESC LIMIT 1",
            [member_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// Applies one change. The outer `Err` is a database failure (the page is not applied); the
/// inner one is a change that is skipped, with the reason.
fn apply(conn: &Connection, change: &CrmChange) -> Result<Result<(), String>, StoreError> {
    match change {
        CrmChange::MemberUpsert {
            member_id,
            phone_e164,
            tier,
            balance,
            card_uids,
            joined_at,
        } => upsert_member(
            conn, member_id, phone_e164, tier, *balance, card_uids, joined_at,
        ),
        CrmChange::MemberDeleted {
            member_id,
            reason: DeletionReason::Erasure,
            ..
        } => erase_member(conn, member_id).map(Ok),
        CrmChange::MemberDeleted {
            member_id,
            reason: DeletionReason::Merged,
            merged_into,
        } => match merged_into {
            Some(into) => merge_member(conn, member_id, into).map(Ok),
            None => Ok(Err(format!("merge of {member_id} names no member to keep"))),
        },
        CrmChange::CatalogUpsert {
            collection,
            id,
            body,
        } => {
            conn.execute(
                "INSERT INTO crm_catalog (collection, id, body) VALUES (?1, ?2, ?3)
                 ON CONFLICT(collection, id) DO UPDATE SET body = excluded.body",
                params![collection.as_str(), id, body.to_string()],
            )?;
            Ok(Ok(()))
        }
        CrmChange::CatalogDeleted { collection, id } => {
            conn.execute(
                "DELETE FROM crm_catalog WHERE collection = ?1 AND id = ?2",
                params![collection.as_str(), id],
            )?;
            Ok(Ok(()))
        }
        CrmChange::SurveyUpsert {
            survey_id,
            version,
            title,
            active,
            questions,
        } => {
            conn.execute(
                "INSERT INTO surveys (id, version, title, active, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(id) DO UPDATE SET version = excluded.version,
                     title = excluded.title, active = excluded.active,
                     updated_at = excluded.updated_at",
                params![survey_id, version, title.to_string(), active, now_rfc3339()],
            )?;
            conn.execute(
                "DELETE FROM survey_questions WHERE survey_id = ?1",
                [survey_id],
            )?;
            for (position, q) in questions.iter().enumerate() {
                let inserted = conn.execute(
                    "INSERT INTO survey_questions (survey_id, position, kind, prompt, choices, required)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        survey_id,
                        position as i64,
                        q.kind,
                        q.prompt.to_string(),
                        q.choices.as_ref().map(|c| c.to_string()),
                        q.required
                    ],
                );
                if let Err(e) = inserted {
                    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) {
                        return Ok(Err(format!(
                            "survey {survey_id} question {position}: unknown kind {:?}",
                            q.kind
                        )));
                    }
                    return Err(e.into());
                }
            }
            Ok(Ok(()))
        }
        CrmChange::Settings { values } => {
            let Ok(serde_json::Value::Object(map)) = serde_json::to_value(values) else {
                return Ok(Err("settings are not an object".into()));
            };
            for (key, value) in map {
                conn.execute(
                    "INSERT INTO crm_settings (key, value) VALUES (?1, ?2)
                     ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    params![key, value.to_string()],
                )?;
            }
            Ok(Ok(()))
        }
    }
}

fn upsert_member(
    conn: &Connection,
    member_id: &str,
    phone: &str,
    tier: &Option<String>,
    balance: i64,
    card_uids: &[String],
    joined_at: &str,
) -> Result<Result<(), String>, StoreError> {
    if !is_e164(phone) {
        return Ok(Err(format!("member {member_id} has no valid E.164 number")));
    }
    // By id first; then by number, which is how a member who joined here offline and online
    // becomes one row.
    let local = match local_member(conn, member_id)? {
        Some(local) => Some(local),
        None => conn
            .query_row(
                "SELECT id FROM members WHERE phone_e164 = ?1",
                [phone],
                |r| r.get::<_, String>(0),
            )
            .optional()?,
    };
    let local = match local {
        Some(local) => {
            let taken: Option<String> = conn
                .query_row(
                    "SELECT id FROM members WHERE phone_e164 = ?1 AND id <> ?2",
                    [phone, &local],
                    |r| r.get(0),
                )
                .optional()?;
            if taken.is_some() {
                return Ok(Err(format!(
                    "member {member_id}: number already belongs to another local member"
                )));
            }
            conn.execute(
                "UPDATE members SET phone_e164 = ?2, crm_id = ?3, tier = ?4, crm_balance = ?5
                 WHERE id = ?1",
                params![local, phone, member_id, tier, balance],
            )?;
            local
        }
        None => {
            conn.execute(
                "INSERT INTO members (id, phone_e164, crm_id, joined_at, source, tier, crm_balance)
                 VALUES (?1, ?2, ?1, ?3, 'crm', ?4, ?5)",
                params![member_id, phone, joined_at, tier, balance],
            )?;
            member_id.to_owned()
        }
    };
    for uid in card_uids {
        if !is_card_uid(uid) {
            tracing::warn!(member_id, "CRM sent a malformed card UID; ignored");
            continue;
        }
        conn.execute(
            "INSERT INTO nfc_cards (uid, member_id, linked_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(uid) DO UPDATE SET member_id = excluded.member_id",
            params![uid, local, now_rfc3339()],
        )?;
    }
    Ok(Ok(()))
}

/// Forgets a member: their row (with consents, points and cards, by cascade) and every
/// event about them still queued or rejected. The request to forget wins over delivery.
fn erase_member(conn: &Connection, member_id: &str) -> Result<(), StoreError> {
    let Some(local) = local_member(conn, member_id)? else {
        return Ok(());
    };
    for table in ["outbox", "outbox_rejected"] {
        let dropped = conn.execute(
            &format!("DELETE FROM {table} WHERE json_extract(payload, '$.member_id') IN (?1, ?2)"),
            [&local, member_id],
        )?;
        if dropped > 0 {
            tracing::info!(
                dropped,
                table,
                "erasure: queued events about the member removed"
            );
        }
    }
    conn.execute("DELETE FROM members WHERE id = ?1", [&local])?;
    Ok(())
}

/// The CRM merged `member_id` into `into`: the kept member takes over the cards, points and
/// consents. If the kept member is not here yet, the row simply adopts its id.
fn merge_member(conn: &Connection, member_id: &str, into: &str) -> Result<(), StoreError> {
    let Some(from) = local_member(conn, member_id)? else {
        return Ok(());
    };
    match local_member(conn, into)? {
        Some(to) if to != from => {
            for table in ["nfc_cards", "points_ledger", "consents"] {
                conn.execute(
                    &format!("UPDATE {table} SET member_id = ?2 WHERE member_id = ?1"),
                    [&from, &to],
                )?;
            }
            conn.execute("DELETE FROM members WHERE id = ?1", [&from])?;
        }
        Some(_) => {}
        None => {
            conn.execute(
                "UPDATE members SET crm_id = ?2, crm_balance = NULL WHERE id = ?1",
                [&from, into],
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::crm::Adoption;
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
