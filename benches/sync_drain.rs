//! `sync_drain`: a backlog of sign-up events drained to a CRM on loopback by the real
//! `member-kiosk sync` process (heartbeat, every batch, the pull), against the test CRM
//! (`tests/common/crm.rs`, which also checks every batch against the OpenAPI file). Prints
//! events per second and the sync process's peak resident memory for a 10,000 and a
//! 100,000 event backlog: memory that does not grow with the backlog is what "flat" means.
//!
//! Run with `cargo bench --bench sync_drain` (takes about a minute).
#[path = "../tests/common/crm.rs"]
mod crm;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crm::{KIOSK_ID, TOKEN, TestCrm};
use member_kiosk::domain::phone::{PhoneCheck, check_mobile};
use member_kiosk::domain::region::Region;
use member_kiosk::domain::signup::JoinRequest;
use member_kiosk::store::Store;

/// Joins `count` members (one `member_joined` event each); fsync off, for seeding only.
fn seed(database: &Path, count: u32) {
    let mut store = Store::open(database).expect("database");
    store
        .connection()
        .pragma_update(None, "synchronous", "OFF")
        .expect("pragma");
    for i in 0..count {
        let PhoneCheck::Valid(phone) = check_mobile(Region::HK, &format!("94{i:06}")) else {
            panic!("94{i:06} must be a valid number");
        };
        let request = JoinRequest::new(phone, true, i % 3 == 0, "2026-01", 100).expect("request");
        store.join(&request).expect("join");
    }
}

fn drain(backlog: u32, batch_size: u32) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let _context = runtime.enter();
    let crm = TestCrm::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).expect("data dir");
    seed(&data.join("kiosk.db"), backlog);
    let config = dir.path().join("kiosk.toml");
    std::fs::write(
        &config,
        format!(
            "[crm]\nurl = \"{}\"\nkiosk_id = \"{KIOSK_ID}\"\ntoken = \"{TOKEN}\"\nbatch_size = {batch_size}\n",
            crm.url()
        ),
    )
    .expect("config");
    let started = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_member-kiosk"))
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(&data)
        .arg("sync")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("member-kiosk sync runs");
    // The child's own peak (VmHWM), read until it exits: getrusage would also count the
    // pages it briefly shared with this process before exec.
    let pid = child.id();
    let peak = std::thread::spawn(move || {
        let mut peak_kib = 0u64;
        while let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
            if status.contains("State:\tZ") {
                break;
            }
            if let Some(kib) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            {
                peak_kib = peak_kib.max(kib);
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        peak_kib
    });
    let output = child.wait_with_output().expect("member-kiosk sync runs");
    let elapsed = started.elapsed();
    let peak_mib = peak.join().unwrap_or(0) as f64 / 1024.0;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stored = crm.state().events.len();
    assert_eq!(stored, backlog as usize, "every event at the CRM");
    assert!(crm.state().violations.is_empty());
    eprintln!(
        "sync_drain: {backlog} events, batch {batch_size}: {:.2} s, {:.0} events/s, \
         sync process peak RSS {peak_mib:.1} MiB",
        elapsed.as_secs_f64(),
        f64::from(backlog) / elapsed.as_secs_f64(),
    );
}

fn main() {
    // `cargo test --benches` runs benches once with --bench absent; keep that quick.
    let quick = !std::env::args().any(|a| a == "--bench");
    if quick {
        drain(500, 200);
        return;
    }
    drain(10_000, 200);
    drain(100_000, 200);
    drain(100_000, 1000);
}
