//! Local storage, the device's source of truth: one SQLite database (rusqlite) with
//! versioned migrations. Each submodule is a repository for one part of the schema;
//! `worker` runs the store on its own thread so the UI never waits on disk.
pub mod catalog;
pub mod code_keys;
pub mod crm_changes;
mod key_file;
mod ledger;
pub mod loyalty;
pub mod members;
pub mod migrations;
pub mod outbox;
pub mod phone_key;
pub mod quarantine;
pub mod staff_auth;
pub mod staff_ledger;
pub mod surveys;
pub mod sync_state;
pub mod timings;
pub mod worker;

use std::path::Path;

use rusqlite::{Connection, ErrorCode};

pub use worker::StoreHandle;

/// File name of the database inside the data directory.
pub const DATABASE_FILE: &str = "kiosk.db";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "the database has schema version {found}, but this kiosk only knows up to {supported}: \
         it was written by a newer release; install that release or restore a backup"
    )]
    SchemaTooNew { found: u32, supported: u32 },
    #[error("stored event could not be encoded: {0}")]
    Encoding(#[from] serde_json::Error),
    #[error("the storage thread has stopped")]
    WorkerGone,
    #[error("the database is damaged: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Io(String),
}

impl StoreError {
    /// The disk (or the database's quota) is full: nothing was written.
    pub fn is_disk_full(&self) -> bool {
        matches!(self, StoreError::Sqlite(e) if e.sqlite_error_code() == Some(ErrorCode::DiskFull))
    }
}

/// An open, migrated database.
pub struct Store {
    conn: Connection,
    /// The fleet's phone hash key, once the CRM has handed it out.
    phone_key: Option<crate::domain::phone_hash::PhoneKey>,
    /// Where that key is kept (beside the database); `None` in memory.
    key_path: Option<std::path::PathBuf>,
    /// Numbers were reduced or removed since the WAL was last truncated.
    numbers_to_wipe: bool,
    /// This kiosk's member code key pair (from the file beside the database).
    signer: Option<crate::domain::signing::Signer>,
    /// The keys member codes are accepted from: the own key and the CRM's.
    keyring: crate::domain::signing::Keyring,
}

impl Store {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let mut store = Self::from_connection(Connection::open(path)?)?;
        let key_path = phone_key::key_path(path);
        store.phone_key = phone_key::load(&key_path);
        store.key_path = Some(key_path);
        store.set_signer(code_keys::load_or_create(&code_keys::key_path(path))?);
        Ok(store)
    }

    /// A private in-memory database, for tests and benchmarks of the domain paths.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Self::from_connection(Connection::open_in_memory()?)
    }

    fn from_connection(mut conn: Connection) -> Result<Store, StoreError> {
        migrations::apply_pragmas(&conn)?;
        migrations::migrate(&mut conn)?;
        // Responses refer to their survey: the built-in ones are always there (written only
        // when this release changed them).
        for d in [
            crate::domain::survey::builtin::default_survey(),
            crate::domain::survey::builtin::smiley_survey(),
        ] {
            surveys::install(&conn, &d)?;
        }
        Ok(Store {
            conn,
            phone_key: None,
            key_path: None,
            numbers_to_wipe: false,
            signer: None,
            keyring: crate::domain::signing::Keyring::default(),
        })
    }

    pub fn schema_version(&self) -> Result<u32, StoreError> {
        migrations::schema_version(&self.conn)
    }

    /// Direct access for repositories in this module and for tests that inspect the schema.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// The current UTC time in RFC 3339, as every timestamp column stores it.
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| String::from("1970-01-01T00:00:00Z"))
}
