//! The keys behind member codes on this kiosk: its own Ed25519 key pair, a file beside the
//! database (`member-code.key`, the seed in hex, mode 0600) made on first start, and the
//! fleet's public keys the CRM publishes (`signing_keys`), kept in `trusted_keys`. Codes
//! are checked here, on the storage thread, against both.
use std::path::{Path, PathBuf};

use rusqlite::{Connection, params};

use super::members::Member;
use super::{Store, StoreError, now_rfc3339};
use crate::domain::member_code::{self, CodeError};
use crate::domain::signing::{Keyring, Signer, from_hex, hex, key_id, public_key_from_hex};

pub const KEY_FILE: &str = "member-code.key";

pub fn key_path(database: &Path) -> PathBuf {
    database.with_file_name(KEY_FILE)
}

/// Reads this kiosk's key pair, making one on first start. A damaged key file is set aside
/// (`member-code.key.bad-<time>`), never overwritten: codes it issued stop working, which
/// the log says.
pub fn load_or_create(path: &Path) -> Result<Signer, StoreError> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            if let Some(seed) = from_hex(&text).and_then(|b| <[u8; 32]>::try_from(b).ok()) {
                return Ok(Signer::from_seed(seed));
            }
            let aside = path.with_extension(format!(
                "key.bad-{}",
                time::OffsetDateTime::now_utc().unix_timestamp()
            ));
            tracing::error!(
                file = %path.display(),
                "the member code key is damaged; set aside as {} and a new key made: \
                 member codes issued with the old key no longer scan here",
                aside.display()
            );
            std::fs::rename(path, &aside)
                .map_err(|e| StoreError::Io(format!("cannot set aside {}: {e}", path.display())))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(StoreError::Io(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|e| StoreError::Io(format!("no randomness for a key: {e}")))?;
    let signer = Signer::from_seed(seed);
    super::key_file::write_private(path, &hex(&signer.seed()))?;
    tracing::info!(key_id = %hex(&signer.id()), "member code key made");
    Ok(signer)
}

/// What a scanned code comes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeLookup {
    /// A valid code and its member, with how long the code was issued for (a code from the
    /// CRM's app lasts minutes; a saved one, years).
    Member {
        member: Member,
        lifetime_secs: u32,
    },
    Refused(CodeError),
    /// Genuine, but for a member this kiosk does not know (yet).
    NoSuchMember,
}

impl Store {
    /// This kiosk's key pair (none for an in-memory store until [`Store::set_signer`]).
    pub fn signer(&self) -> Option<&Signer> {
        self.signer.as_ref()
    }

    pub fn set_signer(&mut self, signer: Signer) {
        self.signer = Some(signer);
        self.reload_keyring();
    }

    /// Rebuilds the keyring from the own key and `trusted_keys`.
    pub(super) fn reload_keyring(&mut self) {
        let mut ring = Keyring::new(self.signer.as_ref().map(Signer::public));
        match crm_keys(&self.conn) {
            Ok(keys) => keys.into_iter().for_each(|k| ring.trust(k)),
            Err(e) => tracing::error!("trusted keys not read: {e}"),
        }
        self.keyring = ring;
    }

    /// Checks a scanned code offline (at `now`, Unix seconds) and finds its member.
    pub fn member_by_code(&self, code: &str, now: u32) -> Result<CodeLookup, StoreError> {
        let read = match member_code::verify(&self.keyring, code, now) {
            Ok(read) => read,
            Err(e) => return Ok(CodeLookup::Refused(e)),
        };
        Ok(match self.member_by_id(&read.member_id)? {
            Some(member) => CodeLookup::Member {
                member,
                lifetime_secs: read.expires_at.saturating_sub(read.issued_at),
            },
            None => CodeLookup::NoSuchMember,
        })
    }

    /// A code for `member_id` from this kiosk's key, valid for `lifetime_secs`.
    pub fn issue_member_code(&self, member_id: &str, lifetime_secs: u32) -> Option<String> {
        let now = u32::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).ok()?;
        member_code::issue(self.signer.as_ref()?, member_id, now, lifetime_secs)
    }
}

fn crm_keys(conn: &Connection) -> Result<Vec<ed25519_dalek::VerifyingKey>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT public_key FROM trusted_keys")?;
    let keys = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .filter_map(|k| k.ok().and_then(|k| public_key_from_hex(&k).ok()))
        .collect();
    Ok(keys)
}

/// The CRM's `signing_keys`: the whole set of fleet keys, replacing the last one. A key that
/// is not a valid Ed25519 public key skips the change whole.
pub(super) fn replace_crm_keys(
    conn: &Connection,
    keys: &[String],
) -> Result<Result<(), String>, StoreError> {
    let mut parsed = Vec::new();
    for key in keys {
        match public_key_from_hex(key) {
            Ok(k) => parsed.push(k),
            Err(e) => return Ok(Err(format!("signing key {key:?}: {e}"))),
        }
    }
    conn.execute("DELETE FROM trusted_keys", [])?;
    let now = now_rfc3339();
    for key in parsed {
        conn.execute(
            "INSERT OR REPLACE INTO trusted_keys (key_id, public_key, added_at) VALUES (?1, ?2, ?3)",
            params![hex(&key_id(&key)), hex(key.as_bytes()), now],
        )?;
    }
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_made_once_private_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(KEY_FILE);
        let first = load_or_create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
            0o600
        );
        assert_eq!(load_or_create(&path).unwrap().id(), first.id());
        std::fs::write(&path, "garbage").unwrap();
        let second = load_or_create(&path).unwrap();
        assert_ne!(second.id(), first.id());
        let set_aside = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .contains(".bad-")
            })
            .count();
        assert_eq!(set_aside, 1, "the damaged key is kept for the operator");
    }

    #[test]
    fn codes_from_the_own_key_and_crm_keys_scan_and_others_are_refused() {
        let mut store = Store::open_in_memory().unwrap();
        store.set_signer(Signer::from_seed([1; 32]));
        store
            .connection()
            .execute(
                "INSERT INTO members (id, phone_e164, joined_at, source) VALUES ('crm-7', '+85291234567', 'x', 'crm')",
                [],
            )
            .unwrap();
        let now = 1_800_000_000;
        let own = member_code::issue(&Signer::from_seed([1; 32]), "crm-7", now, 60).unwrap();
        assert!(
            matches!(store.member_by_code(&own, now).unwrap(), CodeLookup::Member { member, lifetime_secs: 60 } if member.id == "crm-7")
        );
        let fleet = Signer::from_seed([2; 32]);
        let theirs = member_code::issue(&fleet, "crm-7", now, 60).unwrap();
        assert_eq!(
            store.member_by_code(&theirs, now).unwrap(),
            CodeLookup::Refused(CodeError::UnknownKey)
        );
        replace_crm_keys(store.connection(), &[hex(fleet.public().as_bytes())])
            .unwrap()
            .unwrap();
        store.reload_keyring();
        assert!(matches!(
            store.member_by_code(&theirs, now).unwrap(),
            CodeLookup::Member { .. }
        ));
        let stranger = member_code::issue(&fleet, "crm-8", now, 60).unwrap();
        assert_eq!(
            store.member_by_code(&stranger, now).unwrap(),
            CodeLookup::NoSuchMember
        );
        assert_eq!(
            store.member_by_code("crm-7", now).unwrap(),
            CodeLookup::Refused(CodeError::Malformed),
            "a bare id is no longer enough"
        );
        assert!(
            replace_crm_keys(store.connection(), &["zz".into()])
                .unwrap()
                .is_err()
        );
    }
}
