//! A database that is corrupt or not a database at all must not keep the kiosk down (it
//! used to exit every 2 s for ever, with a blank screen). At start it is checked with
//! `PRAGMA quick_check`; a damaged file is moved aside, never deleted (it may hold sign-ups
//! not yet synced), and the kiosk starts on a fresh database that remembers the move, so
//! staff mode and the heartbeat can say so. `member-kiosk recover FILE` later pushes
//! whatever outbox events can still be read from the moved file.
//!
//! The check reads the whole file: 16 s from a cold cache for 1,000,000 members here, much
//! longer from a Pi's SD card. So a kiosk that stopped cleanly leaves a mark beside its
//! database (`kiosk.db.clean-shutdown`), and the next start, finding it, skips the check;
//! the mark is removed (durably) before the database is used, so only a start after a
//! power cut, a crash or a kill pays for the full check, which is when damage happens.
use std::path::{Path, PathBuf};

use rusqlite::{Connection, ErrorCode, OpenFlags, params};

use super::{Store, StoreError, now_rfc3339};

/// `sync_state` key holding the name of the last file set aside.
pub const QUARANTINE_KEY: &str = "quarantined_database";

impl StoreError {
    /// The file is damaged or is not a database.
    pub fn is_corruption(&self) -> bool {
        match self {
            StoreError::Sqlite(e) => matches!(
                e.sqlite_error_code(),
                Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
            ),
            StoreError::Corrupt(_) => true,
            _ => false,
        }
    }
}

impl Store {
    /// `PRAGMA quick_check`: `Err(Corrupt)` with SQLite's findings unless it says "ok".
    pub fn quick_check(&self) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare("PRAGMA quick_check")?;
        let findings: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        if findings.len() == 1 && findings[0] == "ok" {
            Ok(())
        } else {
            Err(StoreError::Corrupt(findings.join("; ")))
        }
    }

    /// Opens the database at `path`; if it is damaged, moves it (and its WAL) aside and
    /// opens a fresh one. Returns the store and where a damaged file went. The full check
    /// is skipped when the last kiosk to use it stopped cleanly.
    pub fn open_or_quarantine(path: &Path) -> Result<(Store, Option<PathBuf>), StoreError> {
        let clean = take_clean_mark(path);
        let opened = Store::open(path).and_then(|store| {
            if clean {
                tracing::info!("the kiosk stopped cleanly last time: no full database check");
                return Ok(store);
            }
            let started = std::time::Instant::now();
            store.quick_check()?;
            tracing::info!(
                ms = started.elapsed().as_millis() as u64,
                "database checked (the last stop was not a clean one)"
            );
            Ok(store)
        });
        match opened {
            Ok(store) => Ok((store, None)),
            Err(e) if e.is_corruption() => {
                let aside = set_aside(path)?;
                tracing::error!(
                    moved_to = %aside.display(),
                    "the database is damaged ({e}); it was moved aside, not deleted, and the \
                     kiosk starts on a fresh one. Run `member-kiosk recover {}` to send the \
                     events it still holds",
                    aside.display()
                );
                let store = Store::open(path)?;
                let name = aside
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                store.conn.execute(
                    "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
                     ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    params![QUARANTINE_KEY, name],
                )?;
                Ok((store, Some(aside)))
            }
            Err(e) => Err(e),
        }
    }

    /// The file name of a damaged database set aside at some start, if any.
    pub fn quarantined_database(&self) -> Result<Option<String>, StoreError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM sync_state WHERE key = ?1",
                [QUARANTINE_KEY],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Forgets the damaged database set aside (the operator has recovered it).
    pub fn clear_quarantine(&mut self) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM sync_state WHERE key = ?1", [QUARANTINE_KEY])?;
        Ok(())
    }

    /// Copies every outbox event that can still be read from the damaged database `file`
    /// into this outbox (the CRM deduplicates by event id, so sending one twice is
    /// harmless). Reading stops at the first unreadable page; what was read is kept.
    /// Returns (events recovered, whether the read stopped early).
    pub fn recover_outbox(&mut self, file: &Path) -> Result<(u64, bool), StoreError> {
        let damaged = Connection::open_with_flags(
            file,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let mut read = Vec::new();
        let mut stopped_early = false;
        match damaged.prepare("SELECT event_id, kind, payload, created_at FROM outbox ORDER BY seq")
        {
            Ok(mut stmt) => {
                let rows = stmt.query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                })?;
                for row in rows {
                    match row {
                        Ok(row) => read.push(row),
                        Err(e) => {
                            tracing::warn!("recovery stopped at an unreadable row: {e}");
                            stopped_early = true;
                            break;
                        }
                    }
                }
            }
            Err(e) => {
                tracing::warn!("no readable outbox in {}: {e}", file.display());
                stopped_early = true;
            }
        }
        let tx = self.conn.transaction()?;
        let mut recovered = 0;
        for (event_id, kind, payload, created_at) in &read {
            recovered += tx.execute(
                "INSERT OR IGNORE INTO outbox (event_id, kind, payload, created_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![event_id, kind, payload, created_at],
            )? as u64;
        }
        tx.commit()?;
        Ok((recovered, stopped_early))
    }
}

/// The mark a cleanly stopped kiosk leaves beside its database.
pub fn clean_mark(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".clean-shutdown");
    PathBuf::from(name)
}

/// Leaves the mark: call only once the storage thread has closed the database.
pub fn mark_clean_shutdown(database: &Path) {
    if let Err(e) = std::fs::write(clean_mark(database), b"") {
        tracing::warn!("cannot mark the clean stop (the next start checks the database): {e}");
    }
}

/// Whether the mark was there; it is gone, durably, when this returns.
fn take_clean_mark(database: &Path) -> bool {
    let mark = clean_mark(database);
    match std::fs::remove_file(&mark) {
        Ok(()) => {
            // The removal must survive a power cut before the next stop: else a later
            // unclean stop would look clean.
            if let Some(dir) = mark.parent().filter(|d| !d.as_os_str().is_empty())
                && let Err(e) = std::fs::File::open(dir).and_then(|d| d.sync_all())
            {
                tracing::warn!("cannot sync the data directory; checking the database: {e}");
                return false;
            }
            true
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => {
            tracing::warn!("cannot remove the clean-stop mark; checking the database: {e}");
            false
        }
    }
}

/// Moves `path` and its `-wal`/`-shm` files to `<name>.corrupt-<time>`.
fn set_aside(path: &Path) -> Result<PathBuf, StoreError> {
    let stamp = now_rfc3339().replace([':', '.'], "");
    let aside = path.with_extension(format!("db.corrupt-{stamp}"));
    let move_file = |from: &Path, to: &Path| -> Result<(), StoreError> {
        match std::fs::rename(from, to) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StoreError::Io(format!(
                "cannot move {} aside: {e}",
                from.display()
            ))),
        }
    };
    move_file(path, &aside)?;
    for suffix in ["-wal", "-shm"] {
        let mut from = path.as_os_str().to_owned();
        from.push(suffix);
        let mut to = aside.as_os_str().to_owned();
        to.push(suffix);
        move_file(Path::new(&from), Path::new(&to))?;
    }
    Ok(aside)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_set_aside_and_a_fresh_database_opens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.db");
        std::fs::write(&path, b"this is not a database, it is a shopping list").unwrap();
        let (store, aside) = Store::open_or_quarantine(&path).unwrap();
        let aside = aside.expect("moved aside");
        assert!(aside.exists(), "never deleted");
        assert_eq!(
            std::fs::read(&aside).unwrap(),
            b"this is not a database, it is a shopping list"
        );
        assert_eq!(store.member_count().unwrap(), 0);
        let name = aside.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(store.quarantined_database().unwrap(), Some(name));
        drop(store);
        // The next start finds a healthy database and leaves it.
        let (_store, again) = Store::open_or_quarantine(&path).unwrap();
        assert!(again.is_none());
    }

    /// A database whose last page is damaged: it opens, and only the full check sees it.
    fn damaged(dir: &Path) -> PathBuf {
        let path = dir.join("kiosk.db");
        {
            let mut store = Store::open(&path).unwrap();
            for i in 0..2_000 {
                let phone = crate::domain::phone::E164::from_stored(format!("+8529{i:07}"));
                let request =
                    crate::domain::signup::JoinRequest::new(phone, true, false, "v1", 10).unwrap();
                store.join(&request).unwrap();
            }
        }
        let mut bytes = std::fs::read(&path).unwrap();
        let n = bytes.len();
        bytes[n - 3000..n - 100].fill(0xA5);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn only_a_start_after_an_unclean_stop_pays_for_the_full_check() {
        // After a clean stop the check is skipped, once: the mark is used up.
        let dir = tempfile::tempdir().unwrap();
        let path = damaged(dir.path());
        mark_clean_shutdown(&path);
        let (_store, aside) = Store::open_or_quarantine(&path).unwrap();
        assert!(aside.is_none(), "clean last time: not checked");
        assert!(!clean_mark(&path).exists(), "the mark is used up");
        // After a power cut (no mark), the same damage is found and set aside.
        let dir = tempfile::tempdir().unwrap();
        let path = damaged(dir.path());
        let (_store, aside) = Store::open_or_quarantine(&path).unwrap();
        assert!(aside.expect("set aside").exists());
    }
}
