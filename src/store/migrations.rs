//! Opens the schema at the right version: pragmas for durability, then every pending
//! migration in one IMMEDIATE transaction; a database written by a newer kiosk is refused
//! rather than guessed at.
use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// Migration `i` (0-based) brings the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    include_str!("sql/0001_core.sql"),
    include_str!("sql/0002_cards_surveys.sql"),
    include_str!("sql/0003_signup_timings.sql"),
    include_str!("sql/0004_sync.sql"),
    include_str!("sql/0005_notice_hash.sql"),
    include_str!("sql/0006_phone_last4.sql"),
    include_str!("sql/0007_codes_loyalty.sql"),
    include_str!("sql/0008_staff.sql"),
    include_str!("sql/0009_surveys.sql"),
];

/// The schema version this build writes.
pub const LATEST_VERSION: u32 = MIGRATIONS.len() as u32;

/// Durability and integrity settings for every connection: write-ahead log, fsync on every
/// commit (an acknowledged sign-up survives power loss), and enforced foreign keys.
pub fn apply_pragmas(conn: &Connection) -> Result<(), StoreError> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Deleted content is overwritten, not left in free pages: a pulled SD card must not
    // give back numbers the kiosk has reduced or events it has delivered.
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
}

pub fn schema_version(conn: &Connection) -> Result<u32, StoreError> {
    Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
}

/// Migrates to the latest version.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    migrate_to(conn, LATEST_VERSION)
}

/// Migrates to `target` (tests use this to build databases of older versions).
pub fn migrate_to(conn: &mut Connection, target: u32) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current = schema_version(&tx)?;
    if current > LATEST_VERSION {
        return Err(StoreError::SchemaTooNew {
            found: current,
            supported: LATEST_VERSION,
        });
    }
    for version in current..target.min(LATEST_VERSION) {
        tracing::info!(from = version, to = version + 1, "migrating database");
        tx.execute_batch(MIGRATIONS[version as usize])?;
    }
    if target > current {
        tx.pragma_update(None, "user_version", target.min(LATEST_VERSION))?;
    }
    tx.commit()?;
    Ok(())
}
