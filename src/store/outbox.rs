//! The outbox: domain events appended inside the transaction that made the change, read
//! in order by the sync worker.
use rusqlite::{Connection, params};
use uuid::Uuid;

use super::{Store, StoreError};
use crate::domain::events::DomainEvent;

/// One stored event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub seq: i64,
    pub event_id: String,
    pub kind: String,
    pub payload: String,
    pub created_at: String,
}

/// Appends `event` using `conn` (a transaction, in practice) and returns its event id.
pub(crate) fn append(
    conn: &Connection,
    event: &DomainEvent,
    created_at: &str,
) -> Result<String, StoreError> {
    let event_id = Uuid::now_v7().to_string();
    conn.execute(
        "INSERT INTO outbox (event_id, kind, payload, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![
            event_id,
            event.kind(),
            serde_json::to_string(event)?,
            created_at
        ],
    )?;
    Ok(event_id)
}

impl Store {
    /// The newest outbox sequence number ever used (0 for none). It only grows, so the
    /// storage thread compares it before and after each job to know whether to wake sync.
    pub fn outbox_high_water(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0)",
            )?
            .query_row([], |r| r.get(0))?)
    }

    /// Events not yet delivered.
    pub fn outbox_depth(&self) -> Result<u64, StoreError> {
        let count: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0))?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// Up to `limit` events in delivery order.
    pub fn outbox_peek(&self, limit: u32) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, event_id, kind, payload, created_at FROM outbox ORDER BY seq LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| {
            Ok(OutboxEntry {
                seq: r.get(0)?,
                event_id: r.get(1)?,
                kind: r.get(2)?,
                payload: r.get(3)?,
                created_at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
