//! Staff sign-in: the PIN check against the staff member's argon2id hash, the lock-out it
//! escalates (kept in `staff_lockout`, so a restart or a pulled plug resets nothing), and
//! the audit trail of sign-ins, wrong PINs, locks and sign-outs (`staff_audit`).
//!
//! The check runs on the storage thread with the lock-out read and written in one
//! transaction, so two attempts can never both slip past one lock.
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{Store, StoreError, now_rfc3339};
use crate::domain::staff::StaffMember;
use crate::domain::staff::lockout::{AfterWrong, Lockout};
use crate::domain::staff::pin;

/// What a PIN attempt led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignIn {
    Open,
    Wrong {
        tries_left: u32,
    },
    /// Locked for this much longer (the PIN was not even checked).
    Locked {
        remaining: Duration,
    },
}

fn read_lockout(conn: &Connection) -> Result<Lockout, StoreError> {
    Ok(conn
        .query_row(
            "SELECT failures, locks, locked_until_ms FROM staff_lockout WHERE id = 1",
            [],
            |r| {
                Ok(Lockout {
                    failures: r.get(0)?,
                    locks: r.get(1)?,
                    locked_until_ms: r.get(2)?,
                })
            },
        )
        .optional()?
        .unwrap_or_default())
}

fn write_lockout(conn: &Connection, l: &Lockout) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO staff_lockout (id, failures, locks, locked_until_ms) VALUES (1, ?1, ?2, ?3)
         ON CONFLICT(id) DO UPDATE SET failures = ?1, locks = ?2, locked_until_ms = ?3",
        params![l.failures, l.locks, l.locked_until_ms],
    )?;
    Ok(())
}

fn audit(
    conn: &Connection,
    staff_id: Option<&str>,
    action: &str,
    detail: Option<&str>,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO staff_audit (at, staff_id, action, detail) VALUES (?1, ?2, ?3, ?4)",
        params![now_rfc3339(), staff_id, action, detail],
    )?;
    Ok(())
}

impl Store {
    /// How much longer staff sign-in stays locked at `now_ms` (Unix ms), if it is.
    pub fn staff_locked_for(&self, now_ms: i64) -> Result<Option<Duration>, StoreError> {
        Ok(read_lockout(&self.conn)?.locked_for(now_ms))
    }

    /// Checks `entered` against `who`'s PIN hash at `now_ms`, unless sign-in is locked;
    /// records the outcome in the lock-out and the audit trail.
    pub fn staff_sign_in(
        &mut self,
        who: &StaffMember,
        entered: &str,
        max_attempts: u32,
        now_ms: i64,
    ) -> Result<SignIn, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut lockout = read_lockout(&tx)?;
        if let Some(remaining) = lockout.locked_for(now_ms) {
            audit(&tx, Some(&who.id), "refused_while_locked", None)?;
            tx.commit()?;
            return Ok(SignIn::Locked { remaining });
        }
        let outcome = if pin::verify(entered, &who.pin_hash) {
            lockout.right();
            audit(&tx, Some(&who.id), "signed_in", None)?;
            SignIn::Open
        } else {
            match lockout.wrong(max_attempts, now_ms) {
                AfterWrong::Wrong { tries_left } => {
                    audit(&tx, Some(&who.id), "wrong_pin", None)?;
                    SignIn::Wrong { tries_left }
                }
                AfterWrong::Locked { remaining } => {
                    let detail = format!("{} s", remaining.as_secs());
                    audit(&tx, Some(&who.id), "locked", Some(&detail))?;
                    SignIn::Locked { remaining }
                }
            }
        };
        write_lockout(&tx, &lockout)?;
        tx.commit()?;
        Ok(outcome)
    }

    /// Records that `staff_id`'s session ended and why (`done`, `idle`).
    pub fn staff_signed_out(&self, staff_id: &str, why: &str) -> Result<(), StoreError> {
        audit(&self.conn, Some(staff_id), "signed_out", Some(why))
    }

    /// The audit trail, oldest first: `(at, staff id, action)`.
    pub fn staff_audit_trail(&self) -> Result<Vec<(String, Option<String>, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT at, staff_id, action FROM staff_audit ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amy() -> StaffMember {
        StaffMember {
            id: "amy".into(),
            name: "Amy".into(),
            pin_hash: pin::hash("246813", &[5; 16]).unwrap(),
        }
    }

    #[test]
    fn the_lock_out_survives_reopening_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.db");
        let t0 = 1_800_000_000_000;
        {
            let mut store = Store::open(&path).unwrap();
            for left in [2, 1] {
                assert_eq!(
                    store.staff_sign_in(&amy(), "000000", 3, t0).unwrap(),
                    SignIn::Wrong { tries_left: left }
                );
            }
            assert_eq!(
                store.staff_sign_in(&amy(), "000000", 3, t0).unwrap(),
                SignIn::Locked {
                    remaining: Duration::from_secs(60)
                }
            );
        }
        // The plug is pulled and the kiosk restarts: still locked, even for the right PIN.
        let mut store = Store::open(&path).unwrap();
        assert_eq!(
            store
                .staff_sign_in(&amy(), "246813", 3, t0 + 30_000)
                .unwrap(),
            SignIn::Locked {
                remaining: Duration::from_secs(30)
            }
        );
        // After the minute, the next run of wrong PINs locks for five.
        let t1 = t0 + 60_000;
        store.staff_sign_in(&amy(), "000000", 3, t1).unwrap();
        store.staff_sign_in(&amy(), "000000", 3, t1).unwrap();
        assert_eq!(
            store.staff_sign_in(&amy(), "000000", 3, t1).unwrap(),
            SignIn::Locked {
                remaining: Duration::from_secs(300)
            }
        );
        drop(store);
        let mut store = Store::open(&path).unwrap();
        assert_eq!(
            store.staff_locked_for(t1 + 1_000).unwrap(),
            Some(Duration::from_secs(299))
        );
        assert_eq!(
            store
                .staff_sign_in(&amy(), "246813", 3, t1 + 300_000)
                .unwrap(),
            SignIn::Open
        );
        let actions: Vec<String> = store
            .staff_audit_trail()
            .unwrap()
            .into_iter()
            .map(|(_, _, a)| a)
            .collect();
        assert_eq!(
            actions,
            [
                "wrong_pin",
                "wrong_pin",
                "locked",
                "refused_while_locked",
                "wrong_pin",
                "wrong_pin",
                "locked",
                "signed_in"
            ]
        );
    }
}
