//! The fleet's phone hash key on this kiosk: a file beside the database (`phone-hash.key`,
//! mode 0600, readable by the service user only), never inside it, so a copied database
//! alone holds no number. When the key is known, every number the CRM already holds is
//! reduced to its hash and last four digits (see `domain::phone_hash`), and the old copies
//! are wiped (`secure_delete` plus a truncating WAL checkpoint).
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use rusqlite::params;

use super::{Store, StoreError};
use crate::domain::phone_hash::{PhoneKey, is_full_number};

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
    let tmp = path.with_extension("key.tmp");
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .and_then(|mut f| {
            f.write_all(key.to_hex().as_bytes())?;
            f.sync_all()
        })
        .and_then(|()| std::fs::rename(&tmp, path));
    written.map_err(|e| StoreError::Io(format!("cannot write {}: {e}", path.display())))
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

    /// Takes the fleet key the CRM handed out (hex). A new key is written to the key file
    /// and every number the CRM holds is reduced. Returns whether the key changed.
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
        self.reduce_numbers()?;
        Ok(true)
    }

    /// Replaces every full number the CRM already holds (members it sent, and sign-ups
    /// whose `member_joined` it acknowledged) by its hash and last four digits, then wipes
    /// the old copies. A no-op without a key. Returns how many were reduced.
    pub fn reduce_numbers(&mut self) -> Result<u64, StoreError> {
        let Some(key) = self.phone_key.clone() else {
            return Ok(0);
        };
        let tx = self.conn.transaction()?;
        let candidates: Vec<(String, String)> = {
            let mut stmt = tx.prepare(
                "SELECT id, phone_e164 FROM members m
                 WHERE phone_e164 LIKE '+%'
                   AND NOT EXISTS (SELECT 1 FROM outbox o
                                   WHERE o.kind = 'member_joined'
                                     AND json_extract(o.payload, '$.member_id') = m.id)",
            )?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?
        };
        let mut reduced = 0;
        for (id, phone) in candidates {
            if !is_full_number(&phone) {
                continue;
            }
            reduced += tx.execute(
                "UPDATE members SET phone_e164 = ?2, phone_last4 = ?3 WHERE id = ?1",
                params![
                    id,
                    key.identity(&phone),
                    crate::domain::phone_hash::last4(&phone)
                ],
            )? as u64;
        }
        tx.commit()?;
        if reduced > 0 {
            // secure_delete zeroed the old cells in the database file; the WAL still holds
            // the old pages until it is checkpointed and cut back to nothing.
            let busy: i64 = self
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
            if busy != 0 {
                tracing::info!("WAL not truncated yet (a reader is open); it will be next time");
            }
            tracing::info!(reduced, "full phone numbers replaced by their hashes");
        }
        Ok(reduced)
    }
}
