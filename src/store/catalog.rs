//! What the CRM publishes for the kiosk to read: its settings and its catalogue (tiers,
//! rewards, earning rules), stored as JSON documents.
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};
use crate::domain::crm::CrmSettings;

impl Store {
    /// The settings the CRM last published.
    pub fn crm_settings(&self) -> Result<CrmSettings, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key, value FROM crm_settings")?;
        let mut map = serde_json::Map::new();
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
            let (key, value) = row?;
            if let Ok(value) = serde_json::from_str(&value) {
                map.insert(key, value);
            }
        }
        Ok(serde_json::from_value(serde_json::Value::Object(map)).unwrap_or_default())
    }

    /// Every document of one catalogue collection, as (id, JSON), by id.
    pub fn catalog_documents(&self, collection: &str) -> Result<Vec<(String, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, body FROM crm_catalog WHERE collection = ?1 ORDER BY id")?;
        let rows = stmt.query_map([collection], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A tier, reward or earning rule the CRM published, as JSON.
    pub fn catalog_entry(&self, collection: &str, id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT body FROM crm_catalog WHERE collection = ?1 AND id = ?2",
                [collection, id],
                |r| r.get(0),
            )
            .optional()?)
    }
}

/// Stores or replaces one catalogue document.
pub(super) fn upsert_entry(
    conn: &rusqlite::Connection,
    collection: &str,
    id: &str,
    body: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO crm_catalog (collection, id, body) VALUES (?1, ?2, ?3)
         ON CONFLICT(collection, id) DO UPDATE SET body = excluded.body",
        params![collection, id, body],
    )?;
    Ok(())
}

pub(super) fn delete_entry(
    conn: &rusqlite::Connection,
    collection: &str,
    id: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM crm_catalog WHERE collection = ?1 AND id = ?2",
        params![collection, id],
    )?;
    Ok(())
}

/// Stores the settings the CRM published (each key a JSON value).
pub(super) fn store_settings(
    conn: &rusqlite::Connection,
    map: serde_json::Map<String, serde_json::Value>,
) -> Result<(), StoreError> {
    for (key, value) in map {
        conn.execute(
            "INSERT INTO crm_settings (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value.to_string()],
        )?;
    }
    Ok(())
}
