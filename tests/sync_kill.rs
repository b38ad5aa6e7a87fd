//! The kiosk process killed with SIGKILL in the middle of a batch (the CRM has stored it but
//! not answered) loses nothing and stores nothing twice: the next run sends the batch again,
//! the CRM says duplicate, and the outbox drains.
mod common;

use std::process::Command;
use std::time::Duration;

use common::crm::{Fault, KIOSK_ID, TOKEN, TestCrm};
use member_kiosk::domain::phone::{PhoneCheck, check_mobile};
use member_kiosk::domain::region::Region;
use member_kiosk::domain::signup::JoinRequest;
use member_kiosk::store::Store;

const MEMBERS: u32 = 300;
const BATCH: u32 = 50;

fn sync_command(config: &std::path::Path, data: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_member-kiosk"));
    command
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(data)
        .arg("sync")
        .env("RUST_LOG", "info");
    command
}

#[test]
fn a_kill_in_the_middle_of_a_batch_loses_nothing_and_doubles_nothing() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let _context = runtime.enter();
    let crm = TestCrm::start();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    {
        let mut store = Store::open(&data.join("kiosk.db")).unwrap();
        for i in 0..MEMBERS {
            let PhoneCheck::Valid(phone) = check_mobile(Region::HK, &format!("94{i:06}")) else {
                panic!("valid number");
            };
            let request = JoinRequest::new(phone, true, false, "2026-01", 100).unwrap();
            store.join(&request).unwrap();
        }
    }
    let config = dir.path().join("kiosk.toml");
    std::fs::write(
        &config,
        format!(
            "[crm]\nurl = \"{}\"\nkiosk_id = \"{KIOSK_ID}\"\ntoken = \"{TOKEN}\"\nbatch_size = {BATCH}\ntimeout_secs = 60\n",
            crm.url()
        ),
    )
    .unwrap();

    // The third batch is stored by the CRM, which then holds its answer back.
    crm.inject("/v1/events", Fault::Pass);
    crm.inject("/v1/events", Fault::Pass);
    crm.inject("/v1/events", Fault::HoldAfterCommit);
    let mut child = sync_command(&config, &data).spawn().unwrap();
    let holding = crm.committed_and_holding(Duration::from_secs(60));
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(holding, "the CRM never received the third batch");
    assert!(!status.success());
    assert_eq!(crm.state().events.len(), (3 * BATCH) as usize);
    let queued = Store::open(&data.join("kiosk.db"))
        .unwrap()
        .outbox_depth()
        .unwrap();
    assert_eq!(
        queued,
        u64::from(MEMBERS - 2 * BATCH),
        "answered batches are gone, the unanswered one is still queued"
    );

    let output = sync_command(&config, &data).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("queued: 0"), "{stdout}");
    {
        let state = crm.state();
        assert_eq!(
            state.events.len(),
            MEMBERS as usize,
            "every sign-up arrived"
        );
        assert_eq!(state.stored_order.len(), MEMBERS as usize, "none twice");
        assert_eq!(
            state.duplicates,
            u64::from(BATCH),
            "the held batch came back"
        );
        assert!(state.violations.is_empty(), "{:?}", state.violations);
    }
    let store = Store::open(&data.join("kiosk.db")).unwrap();
    assert_eq!(store.outbox_depth().unwrap(), 0);
    assert_eq!(store.member_count().unwrap(), u64::from(MEMBERS));
}
