//! Who must be stopped: a pulled power plug or a dying SD card taking the kiosk (and its
//! unsynced sign-ups) down for good. A damaged database is set aside at start, never
//! deleted; the kiosk starts fresh; `member-kiosk recover FILE` queues every event that can
//! still be read from it, and a half-garbage file gives up what it holds without panicking.
use std::process::Command;
use std::time::Instant;

use member_kiosk::store::Store;

fn kiosk() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_member-kiosk"));
    cmd.env_remove("STATE_DIRECTORY").env("RUST_LOG", "warn");
    cmd
}

/// `member-kiosk --data-dir DATA recover FILE`: (success, stdout).
fn recover(data: &std::path::Path, file: &std::path::Path) -> (bool, String) {
    let out = kiosk()
        .arg("--data-dir")
        .arg(data)
        .arg("recover")
        .arg(file)
        .output()
        .unwrap();
    if !out.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    }
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// A database with `n` queued events, written as sign-ups write them.
fn database_with_events(path: &std::path::Path, n: u32) {
    drop(Store::open(path).unwrap());
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("BEGIN").unwrap();
    for i in 0..n {
        conn.execute(
            "INSERT INTO outbox (event_id, kind, payload, created_at)
             VALUES (?1, 'member_joined', ?2, '2026-11-25T00:00:00Z')",
            (
                uuid::Uuid::now_v7().to_string(),
                format!("{{\"member_id\":\"m{i}\",\"phone_e164\":\"+8529{i:07}\"}}"),
            ),
        )
        .unwrap();
    }
    conn.execute_batch("COMMIT").unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
}

#[test]
fn a_damaged_database_is_set_aside_and_its_events_recovered() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let db = data.join("kiosk.db");

    // Garbage where the database should be: the kiosk's store opens anyway.
    std::fs::write(&db, vec![0x5a; 64 * 1024]).unwrap();
    let (store, aside) = Store::open_or_quarantine(&db).unwrap();
    let aside = aside.expect("set aside");
    assert!(aside.exists());
    let snapshot = store.sync_snapshot().unwrap();
    assert!(
        snapshot.quarantined.is_some(),
        "staff mode and the heartbeat are told"
    );
    drop(store);

    // A readable file with 10,000 queued events (say one whose index was damaged).
    let old = dir.path().join("kiosk.db.corrupt-1");
    database_with_events(&old, 10_000);
    let started = Instant::now();
    let out = kiosk()
        .arg("--data-dir")
        .arg(&data)
        .arg("recover")
        .arg(&old)
        .output()
        .unwrap();
    let took = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("10000 events recovered"), "{stdout}");
    eprintln!("recovering 10,000 events took {took:?} end to end: {stdout}");
    let store = Store::open(&db).unwrap();
    assert_eq!(store.outbox_depth().unwrap(), 10_000);
    assert_eq!(
        store.sync_snapshot().unwrap().quarantined,
        None,
        "the warning is cleared"
    );
    drop(store);

    // Running it again queues nothing twice.
    let (ok, stdout) = recover(&data, &old);
    assert!(ok && stdout.starts_with("0 events recovered"), "{stdout}");

    // A file whose second half is garbage (as a dying SD card returns it): what can be
    // read is recovered, and nothing panics.
    let cut = dir.path().join("kiosk.db.corrupt-2");
    database_with_events(&cut, 10_000);
    let len = std::fs::metadata(&cut).unwrap().len();
    let half = len / 2 / 4096 * 4096;
    let mut file = std::fs::OpenOptions::new().write(true).open(&cut).unwrap();
    std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(half)).unwrap();
    std::io::Write::write_all(&mut file, &vec![0xee; (len - half) as usize]).unwrap();
    drop(file);
    let fresh = dir.path().join("fresh");
    let out = kiosk()
        .arg("--data-dir")
        .arg(&fresh)
        .arg("recover")
        .arg(&cut)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recovered: u64 = stdout
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(recovered > 0 && recovered < 10_000, "{stdout}");
    assert!(stdout.contains("damaged past that point"), "{stdout}");
}
