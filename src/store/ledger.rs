//! Writing a points change: the outbox event that tells the CRM, and the ledger row that
//! points at it, in the caller's transaction, so both are kept or neither. Awards,
//! redemptions, undos and survey points go through [`write_change`] (the sign-up bonus
//! travels inside its member's `member_joined`); the ledger is never edited or deleted.
use rusqlite::params;

use super::{StoreError, outbox};
use crate::domain::events::DomainEvent;

/// One row of the points ledger as written: every change carries its reason, its client id
/// and the outbox event that tells the CRM; staff changes their staff id.
#[derive(Default)]
pub(super) struct LedgerRow<'a> {
    pub member_id: &'a str,
    pub delta: i64,
    pub reason: &'a str,
    pub client_id: &'a str,
    pub spend_minor: i64,
    pub staff_id: Option<&'a str>,
    pub reward_id: Option<&'a str>,
    pub reverses: Option<&'a str>,
}

/// Writes a points change: its event in the outbox, then the ledger row that points at it,
/// inside the caller's transaction (so both are kept, or neither).
pub(super) fn write_change(
    conn: &rusqlite::Connection,
    row: &LedgerRow<'_>,
    event: &DomainEvent,
    at: &str,
) -> Result<(), StoreError> {
    let event_id = outbox::append(conn, event, at)?;
    conn.execute(
        "INSERT INTO points_ledger
           (member_id, delta, reason, created_at, event_id, spend_minor, staff_id, client_id,
            reward_id, reverses)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            row.member_id,
            row.delta,
            row.reason,
            at,
            event_id,
            row.spend_minor,
            row.staff_id,
            row.client_id,
            row.reward_id,
            row.reverses
        ],
    )?;
    Ok(())
}
