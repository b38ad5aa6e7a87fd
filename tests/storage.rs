//! Local storage: what is committed survives reopening, older databases are upgraded in
//! place with their data, a newer one is refused, and a full disk loses nothing.
mod common;

use member_kiosk::domain::phone::{PhoneCheck, check_mobile};
use member_kiosk::domain::region::Region;
use member_kiosk::domain::signup::JoinRequest;
use member_kiosk::store::migrations::{LATEST_VERSION, migrate_to};
use member_kiosk::store::{Store, StoreError};
use rusqlite::Connection;

fn join_request(number: &str) -> JoinRequest {
    let PhoneCheck::Valid(phone) = check_mobile(Region::HK, number) else {
        panic!("{number} must be valid");
    };
    JoinRequest::new(phone, true, true, "2026-01", 100).unwrap()
}

#[test]
fn committed_members_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kiosk.db");
    let joined = {
        let mut store = Store::open(&path).unwrap();
        store.join(&join_request("91234567")).unwrap()
    };
    let store = Store::open(&path).unwrap();
    let member = store
        .member_by_phone(&joined.phone)
        .unwrap()
        .expect("still there");
    assert_eq!(member.id, joined.member_id);
    assert_eq!(store.balance(&member.id).unwrap(), 100);
    assert_eq!(store.consents(&member.id).unwrap().len(), 2);
    assert_eq!(store.outbox_depth().unwrap(), 1);
    let mode: String = store
        .connection()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let sync: i64 = store
        .connection()
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sync, 2, "synchronous=FULL");
    let fk: i64 = store
        .connection()
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
}

#[test]
fn every_older_schema_is_upgraded_with_its_data() {
    for old_version in 1..LATEST_VERSION {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.db");
        {
            // A database as an older release left it, with a member written by hand.
            let mut conn = Connection::open(&path).unwrap();
            migrate_to(&mut conn, old_version).unwrap();
            conn.execute_batch(
                "INSERT INTO members (id, phone_e164, joined_at, source)
                   VALUES ('m-old', '+85291234567', '2025-01-01T00:00:00Z', 'kiosk_phone');
                 INSERT INTO consents (member_id, kind, granted, notice_version, recorded_at)
                   VALUES ('m-old', 'privacy_notice', 1, '2025-01', '2025-01-01T00:00:00Z');
                 INSERT INTO points_ledger (member_id, delta, reason, created_at)
                   VALUES ('m-old', 250, 'purchase', '2025-01-01T00:00:00Z');",
            )
            .unwrap();
        }
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), LATEST_VERSION);
        assert_eq!(store.balance("m-old").unwrap(), 250, "from v{old_version}");
        // New tables exist and the old member is recognised, not duplicated.
        let again = store.join(&join_request("91234567")).unwrap();
        assert!(again.returning);
        assert_eq!(again.member_id, "m-old");
        store
            .connection()
            .execute_batch("SELECT * FROM signup_timings; SELECT * FROM nfc_cards;")
            .unwrap();
    }
}

#[test]
fn a_database_from_a_newer_release_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kiosk.db");
    drop(Store::open(&path).unwrap());
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", LATEST_VERSION + 1)
        .unwrap();
    match Store::open(&path) {
        Err(e @ StoreError::SchemaTooNew { .. }) => {
            assert!(e.to_string().contains("newer release"), "{e}");
        }
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a newer schema must be refused"),
    }
}

#[test]
fn a_full_disk_fails_the_whole_join_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("kiosk.db")).unwrap();
    let filled = common::fill_to_the_brim(&mut store);
    let err = store.join(&join_request("91234567")).unwrap_err();
    assert!(err.is_disk_full(), "{err}");
    // All or nothing: no member without consents, no event without a member.
    assert_eq!(store.member_count().unwrap(), filled);
    assert_eq!(store.outbox_depth().unwrap(), filled);
    let consents: i64 = store
        .connection()
        .query_row("SELECT COUNT(*) FROM consents", [], |r| r.get(0))
        .unwrap();
    assert_eq!(u64::try_from(consents).unwrap(), 2 * filled);
    common::free_space(&store);
    assert!(!store.join(&join_request("91234567")).unwrap().returning);
}
