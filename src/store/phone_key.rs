//! The fleet's phone hash key on this kiosk: a file beside the database (`phone-hash.key`,
//! mode 0600, readable by the service user only), never inside it, so a copied database
//! alone holds no number. When the key arrives, every number the CRM already holds is
//! reduced to its hash and last four digits (see `domain::phone_hash`); after that, a
//! sign-up is reduced in the transaction that records the CRM's acknowledgement, and pulled
//! members are stored hashed. Old copies are wiped by `secure_delete` and, once per sync
//! round, a truncating WAL checkpoint.
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};

use super::{Store, StoreError};
use crate::domain::phone_hash::{PhoneKey, is_full_number, last4};

/// File name of the key, beside the database.
pub const KEY_FILE: &str = "phone-hash.key";

/// The key file for the database at `database`.
pub fn key_path(database: &Path) -> PathBuf {
    database.with_file_name(KEY_FILE)
}

/// Reads the key file, if there is a usable one.
pub fn load(path: &Path) -> Option<PhoneKey> {
    let text = std::fs::read_to_string(path).ok()?;
    match PhoneKey::from_hex(&text) {
        Ok(key) => Some(key),
        Err(e) => {
            tracing::warn!(file = %path.display(), "phone hash key ignored: {e}");
            None
        }
    }
}

fn save(path: &Path, key: &PhoneKey) -> Result<(), StoreError> {
    super::key_file::write_private(path, &key.to_hex())
}

impl Store {
    /// The identities a number may be stored under: itself, and its hash once a key is
    /// known. Lookups match either.
    pub(super) fn identities(&self, e164: &str) -> (String, String) {
        let hashed = self
            .phone_key
            .as_ref()
            .map_or_else(|| e164.to_owned(), |k| k.identity(e164));
        (e164.to_owned(), hashed)
    }

    /// Takes the fleet key the CRM handed out (hex). A new key is written to the key file,
    /// every number the CRM already holds is reduced, and the old copies are wiped.
    /// Returns whether the key changed.
    pub fn set_phone_key(&mut self, hex: &str) -> Result<bool, StoreError> {
        let key = PhoneKey::from_hex(hex).map_err(StoreError::Io)?;
        if self.phone_key.as_ref() == Some(&key) {
            return Ok(false);
        }
        if let Some(path) = &self.key_path {
            save(path, &key)?;
        }
        tracing::info!("phone hash key received from the CRM");
        self.phone_key = Some(key);
        self.reduce_all_held_by_the_crm()?;
        self.wipe_old_copies()?;
        Ok(true)
    }

    /// Once, when a key arrives: replaces every full number the CRM already holds (members
    /// it sent, and sign-ups whose `member_joined` it acknowledged) by its hash and last
    /// four digits. From then on numbers are reduced as they are acknowledged
    /// ([`reduce_member`]) or pulled (stored hashed). Returns how many were reduced.
    fn reduce_all_held_by_the_crm(&mut self) -> Result<u64, StoreError> {
        let Some(key) = self.phone_key.clone() else {
            return Ok(0);
        };
        let tx = self.conn.transaction()?;
        // A range on the unique index (full numbers start with '+', 0x2B; hashes with 'h'),
        // less the sign-ups still queued. The queued set is read once (an uncorrelated
        // NOT IN), not once per member: a kiosk first seeing a key may hold a large backlog.
        let candidates: Vec<String> = {
            let mut stmt = tx.prepare(
                "SELECT id FROM members
                 WHERE phone_e164 >= '+' AND phone_e164 < ','
                   AND id NOT IN (SELECT json_extract(payload, '$.member_id') FROM outbox
                                  WHERE kind = 'member_joined'
                                    AND json_extract(payload, '$.member_id') IS NOT NULL)",
            )?;
            stmt.query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        let mut reduced = 0;
        for id in candidates {
            reduced += u64::from(reduce_member(&tx, Some(&key), &id)?);
        }
        tx.commit()?;
        if reduced > 0 {
            self.numbers_to_wipe = true;
            tracing::info!(reduced, "full phone numbers replaced by their hashes");
        }
        Ok(reduced)
    }

    /// After numbers were reduced or replaced: secure_delete has zeroed the old cells in the
    /// database file, but the WAL still holds the old pages until it is checkpointed and cut
    /// back to nothing. Done once per sync round (and when a key arrives), not per batch.
    pub(super) fn wipe_old_copies(&mut self) -> Result<(), StoreError> {
        if !self.numbers_to_wipe {
            return Ok(());
        }
        let busy: i64 = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        if busy == 0 {
            self.numbers_to_wipe = false;
        } else {
            tracing::info!("WAL not truncated yet (a reader is open); it will be next round");
        }
        Ok(())
    }
}

/// Replaces member `member_id`'s full number by its hash and last four digits, inside the
/// caller's transaction. A no-op without a key, or when the number is reduced already.
/// Returns whether it changed anything.
pub(super) fn reduce_member(
    conn: &Connection,
    key: Option<&PhoneKey>,
    member_id: &str,
) -> Result<bool, StoreError> {
    let Some(key) = key else {
        return Ok(false);
    };
    let phone: Option<String> = conn
        .query_row(
            "SELECT phone_e164 FROM members WHERE id = ?1",
            [member_id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(phone) = phone.filter(|p| is_full_number(p)) else {
        return Ok(false);
    };
    conn.execute(
        "UPDATE members SET phone_e164 = ?2, phone_last4 = ?3 WHERE id = ?1",
        params![member_id, key.identity(&phone), last4(&phone)],
    )?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::phone::{PhoneCheck, check_mobile};
    use crate::domain::region::Region;
    use crate::domain::signup::JoinRequest;

    fn join(store: &mut Store, number: &str) -> String {
        let PhoneCheck::Valid(phone) = check_mobile(Region::HK, number) else {
            panic!("valid test number");
        };
        let request = JoinRequest::new(phone, true, false, "v1", 0).unwrap();
        store.join(&request).unwrap().member_id
    }

    fn identity(store: &Store, id: &str) -> String {
        store
            .connection()
            .query_row("SELECT phone_e164 FROM members WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap()
    }

    #[test]
    fn a_new_key_reduces_what_the_crm_holds_and_keeps_what_is_still_queued() {
        let mut store = Store::open_in_memory().unwrap();
        let queued = join(&mut store, "91234567");
        let delivered = join(&mut store, "61234567");
        store
            .connection()
            .execute(
                "DELETE FROM outbox WHERE json_extract(payload, '$.member_id') = ?1",
                [&delivered],
            )
            .unwrap();
        // An outbox row whose payload has no member id must not hide every candidate.
        store
            .connection()
            .execute(
                "INSERT INTO outbox (event_id, kind, payload, created_at)
                 VALUES ('odd', 'member_joined', '{}', '2026-01-01T00:00:00Z')",
                [],
            )
            .unwrap();
        assert!(store.set_phone_key(&"ab".repeat(32)).unwrap());
        assert_eq!(
            identity(&store, &queued),
            "+85291234567",
            "still queued: kept"
        );
        assert!(
            identity(&store, &delivered).starts_with("hmac:"),
            "acknowledged: reduced"
        );
        assert!(
            !store.set_phone_key(&"ab".repeat(32)).unwrap(),
            "same key: nothing to do"
        );
    }
}
