//! Sync bookkeeping: recording the CRM's answer to a pushed batch (one transaction, so a
//! crash leaves all of an answer recorded or none of it), the rejected list and its
//! requeueing, the pull cursor, and what staff mode shows (queue depth, rejected events,
//! last sync).
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::phone_key::reduce_member;
use super::{Store, StoreError, now_rfc3339};
use crate::domain::crm::{Delivery, DeliveryStatus, DeliverySummary};

pub(super) const CURSOR_KEY: &str = "pull_cursor";
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

impl Store {
    /// Records the CRM's answer to a batch: delivered events leave the outbox, rejected
    /// ones move to the rejected list, sign-ups adopt the CRM's member id.
    pub fn record_deliveries(
        &mut self,
        deliveries: &[Delivery],
    ) -> Result<DeliverySummary, StoreError> {
        let now = now_rfc3339();
        let acked_ms = super::loyalty::now_ms();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut summary = DeliverySummary::default();
        let mut reduced = false;
        for delivery in deliveries {
            match &delivery.status {
                DeliveryStatus::Accepted | DeliveryStatus::Duplicate => {
                    summary.delivered += tx.execute(
                        "DELETE FROM outbox WHERE event_id = ?1",
                        [&delivery.event_id],
                    )? as u64;
                    // Counted on top of the CRM's figures until its next ones arrive.
                    tx.execute(
                        "UPDATE points_ledger SET acked_ms = ?2 WHERE event_id = ?1",
                        params![delivery.event_id, acked_ms],
                    )?;
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
                // The CRM holds this sign-up now: no full number is kept for it.
                let delivered = !matches!(delivery.status, DeliveryStatus::Rejected { .. });
                if delivered
                    && reduce_member(&tx, self.phone_key.as_ref(), &adoption.kiosk_member_id)?
                {
                    reduced = true;
                }
            }
        }
        tx.commit()?;
        self.numbers_to_wipe |= reduced;
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

    /// Notes a complete push and pull round, and wipes old copies of numbers reduced or
    /// erased during it from the WAL (once per round, not per batch).
    pub fn mark_synced(&mut self) -> Result<String, StoreError> {
        let now = now_rfc3339();
        set_state(&self.conn, LAST_SYNC_KEY, &now)?;
        if let Err(e) = self.wipe_old_copies() {
            tracing::warn!("WAL not truncated: {e}");
        }
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

pub(super) fn set_state(conn: &Connection, key: &str, value: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}
