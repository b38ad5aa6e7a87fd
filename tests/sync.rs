//! Sync against a real HTTP CRM in the test process (`common::crm`): faults of every kind,
//! then the CRM holds every event exactly once and the outbox is empty; merges, rejections,
//! batch splitting, pulled changes, a refused token, one-time codes, and the contract file
//! checked against what the kiosk sends and the test CRM answers.
mod common;

use std::time::Duration;

use common::crm::{Fault, KIOSK_ID, TestCrm, kiosk_config};
use member_kiosk::config::CrmConfig;
use member_kiosk::domain::crm::CrmSettings;
use member_kiosk::domain::phone::{PhoneCheck, check_mobile};
use member_kiosk::domain::region::Region;
use member_kiosk::domain::signup::{JoinOutcome, JoinRequest};
use member_kiosk::store::{Store, StoreError, StoreHandle};
use member_kiosk::sync::contract::VerificationPurpose;
use member_kiosk::sync::{CrmClient, Engine, Link, RoundSummary, SyncError, SyncStatus};
use serde_json::json;
use tokio::sync::watch;

struct TestKiosk {
    _dir: tempfile::TempDir,
    store: StoreHandle,
    engine: Engine,
    status: watch::Receiver<SyncStatus>,
}

fn crm_config(url: &str, batch_size: u32) -> CrmConfig {
    CrmConfig {
        batch_size,
        timeout_secs: 1,
        ..kiosk_config(url)
    }
}

fn kiosk_with(config: &CrmConfig) -> TestKiosk {
    let dir = tempfile::tempdir().unwrap();
    let (store, _thread) = StoreHandle::open(&dir.path().join("kiosk.db")).unwrap();
    let (tx, status) = watch::channel(SyncStatus::default());
    let engine = Engine::new(CrmClient::new(config).unwrap(), config, store.clone(), tx);
    TestKiosk {
        _dir: dir,
        store,
        engine,
        status,
    }
}

fn kiosk(url: &str, batch_size: u32) -> TestKiosk {
    kiosk_with(&crm_config(url, batch_size))
}

/// A distinct, valid Hong Kong mobile number.
fn number(i: u32) -> String {
    format!("94{i:06}")
}

impl TestKiosk {
    async fn run<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Store) -> Result<R, StoreError> + Send + 'static,
    ) -> R {
        self.store.submit(job).await.unwrap().unwrap()
    }

    async fn join(&self, number: &str, marketing: bool) -> JoinOutcome {
        let PhoneCheck::Valid(phone) = check_mobile(Region::HK, number) else {
            panic!("{number} must be valid");
        };
        let request = JoinRequest::new(phone, true, marketing, "2026-01", 100).unwrap();
        self.run(move |s| s.join(&request)).await
    }

    async fn depth(&self) -> u64 {
        self.run(|s| s.outbox_depth()).await
    }

    /// Rounds until one succeeds (at most `max`), returning the failures on the way.
    async fn sync_until_ok(&mut self, max: usize) -> (Vec<SyncError>, RoundSummary) {
        let mut failures = Vec::new();
        for _ in 0..max {
            match self.engine.round().await {
                Ok(summary) => return (failures, summary),
                Err(e) => failures.push(e),
            }
        }
        panic!("no successful round in {max} tries: {failures:?}");
    }
}

fn assert_contract_kept(crm: &TestCrm) {
    let state = crm.state();
    assert!(state.violations.is_empty(), "{:#?}", state.violations);
    let contract = common::crm::Contract::load();
    for (method, path) in &state.operations {
        assert!(
            contract.has_operation(method, path),
            "{method} {path} is not in the OpenAPI file"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_every_kind_of_fault_the_crm_holds_each_event_exactly_once() {
    // Nothing listens on the port yet: connections are refused.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let mut kiosk = kiosk(&format!("http://{addr}/kiosk-api"), 10);
    let mut members = Vec::new();
    for i in 0..30 {
        members.push(kiosk.join(&number(i), i % 2 == 0).await.member_id);
    }
    for (i, member) in members.iter().take(5).enumerate() {
        let (uid, member) = (format!("04A1B2{i:02X}"), member.clone());
        kiosk.run(move |s| s.link_card(&uid, &member)).await;
    }
    assert_eq!(kiosk.depth().await, 35);

    let refused = kiosk.engine.round().await.unwrap_err();
    assert!(refused.is_offline(), "{refused}");
    assert_eq!(kiosk.status.borrow().link, Link::Offline);
    assert_eq!(kiosk.status.borrow().queue_depth, 35);

    let crm = TestCrm::serve(std::net::TcpListener::bind(addr).unwrap());
    crm.inject("/v1/events", Fault::Pass);
    crm.inject("/v1/events", Fault::Status(500));
    crm.inject("/v1/events", Fault::RetryAfter(429, "7".into()));
    crm.inject("/v1/events", Fault::Hang);
    crm.inject("/v1/events", Fault::LoseAnswerAfterCommit);
    crm.inject("/v1/changes", Fault::RetryAfter(503, "2".into()));
    let (failures, _) = kiosk.sync_until_ok(10).await;
    let described: Vec<String> = failures.iter().map(|e| e.to_string()).collect();
    assert_eq!(failures.len(), 5, "{described:#?}");
    assert!(matches!(failures[0], SyncError::Server { status: 500, .. }));
    assert_eq!(failures[1].retry_after(), Some(Duration::from_secs(7)));
    assert!(
        matches!(failures[2], SyncError::Timeout(_)),
        "{}",
        described[2]
    );
    assert!(
        matches!(failures[3], SyncError::Timeout(_)),
        "{}",
        described[3]
    );
    assert_eq!(failures[4].retry_after(), Some(Duration::from_secs(2)));

    {
        let state = crm.state();
        assert_eq!(state.events.len(), 35, "every event stored");
        assert_eq!(state.stored_order.len(), 35, "none stored twice");
        assert_eq!(
            state.duplicates, 10,
            "the batch whose answer was lost came back"
        );
        assert_eq!(state.members.len(), 30);
    }
    assert_eq!(kiosk.depth().await, 0);
    let status = kiosk.status.borrow().clone();
    assert_eq!(status.link, Link::Online);
    assert_eq!(status.queue_depth, 0);
    assert!(status.last_sync_at.is_some());
    assert!(status.last_error.is_none());
    // Every sign-up adopted the CRM's id.
    for member in members {
        let m = member.clone();
        let crm_id = kiosk.run(move |s| s.member_crm_id(&m)).await;
        assert!(crm_id.is_some_and(|id| id.starts_with("crm-")), "{member}");
    }
    // The heartbeat told the CRM what was queued.
    let heartbeat = crm.state().heartbeats[0].clone();
    assert_eq!(heartbeat["queue_depth"], 35);
    assert_eq!(heartbeat["firmware_version"], env!("CARGO_PKG_VERSION"));
    assert_contract_kept(&crm);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signup_adopts_the_member_who_joined_online_with_the_same_number() {
    let crm = TestCrm::start();
    let online = crm.add_online_member("+85294000001", 500);
    let mut kiosk = kiosk(&crm.url(), 50);
    let joined = kiosk.join(&number(1), false).await;
    assert_eq!(joined.balance, 100, "offline, the kiosk's own bonus shows");
    let (_, summary) = kiosk.sync_until_ok(2).await;
    assert_eq!(summary.adopted, 1);
    let id = joined.member_id.clone();
    assert_eq!(
        kiosk.run(move |s| s.member_crm_id(&id)).await,
        Some(online.clone())
    );
    // One row, found by the CRM's id, with the CRM's balance and tier.
    let code = online.clone();
    let member = kiosk
        .run(move |s| s.member_by_id(&code))
        .await
        .expect("found by the CRM id");
    assert_eq!(member.id, joined.member_id);
    assert_eq!(kiosk.run(|s| s.member_count()).await, 1);
    let id = joined.member_id.clone();
    assert_eq!(kiosk.run(move |s| s.balance(&id)).await, 500);
    let id = joined.member_id.clone();
    assert_eq!(
        kiosk.run(move |s| s.member_tier(&id)).await.as_deref(),
        Some("silver")
    );
    assert_contract_kept(&crm);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_crm_merges_two_members_the_kept_one_takes_the_card() {
    let crm = TestCrm::start();
    let kept = crm.add_online_member("+85294000002", 300);
    let mut kiosk = kiosk(&crm.url(), 50);
    let duplicate = kiosk.join(&number(3), false).await.member_id;
    let member = duplicate.clone();
    kiosk.run(move |s| s.link_card("04C0FFEE", &member)).await;
    kiosk.sync_until_ok(2).await;
    let duplicate_crm_id = crm.state().kiosk_members[&duplicate].clone();
    crm.publish(
        json!({"type": "member_deleted", "member_id": duplicate_crm_id,
                       "reason": "merged", "merged_into": kept}),
    );
    kiosk.sync_until_ok(2).await;
    let card_holder = kiosk
        .run(|s| s.member_by_card("04C0FFEE"))
        .await
        .expect("card still known");
    assert_eq!(card_holder.masked(), "****0002");
    assert!(
        card_holder.identity.starts_with("hmac:"),
        "the CRM holds this member: no full number is kept"
    );
    assert_eq!(kiosk.run(|s| s.member_count()).await, 1);
    assert_contract_kept(&crm);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_event_is_kept_for_staff_and_never_sent_again() {
    let crm = TestCrm::start();
    crm.state().blocked_cards.insert("04BADBAD".into());
    let mut kiosk = kiosk(&crm.url(), 50);
    let member = kiosk.join(&number(4), false).await.member_id;
    kiosk.run(move |s| s.link_card("04BADBAD", &member)).await;
    let (_, summary) = kiosk.sync_until_ok(2).await;
    assert_eq!((summary.delivered, summary.rejected), (1, 1));
    assert_eq!(kiosk.depth().await, 0);
    let status = kiosk.status.borrow().clone();
    assert_eq!(status.rejected_count, 1);
    assert_eq!(
        status.latest_rejection.as_deref(),
        Some("card_linked: card reported stolen")
    );
    let received = crm.state().received;
    kiosk.sync_until_ok(1).await;
    assert_eq!(crm.state().received, received, "not retried");
    assert_eq!(kiosk.run(|s| s.rejected_events(10)).await.len(), 1);
    assert_contract_kept(&crm);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_the_crm_cannot_process_stays_queued_until_the_crm_is_fixed() {
    let crm = TestCrm::start();
    crm.state().poison_phones.insert("+85294000005".into());
    let mut kiosk = kiosk(&crm.url(), 8);
    for i in 0..8 {
        kiosk.join(&number(i), false).await;
    }
    // The CRM refuses the batch as a whole (422): that is a failing link, not a verdict on
    // any event. Nothing is rejected, nothing is split to death.
    let failed = kiosk.engine.round().await.unwrap_err();
    assert!(
        matches!(failed, SyncError::Refused { status: 422, .. }),
        "{failed}"
    );
    assert_eq!(kiosk.status.borrow().link, Link::Failing);
    assert_eq!(kiosk.depth().await, 8);
    assert!(kiosk.run(|s| s.rejected_events(10)).await.is_empty());
    assert_eq!(
        crm.state()
            .operations
            .iter()
            .filter(|(_, p)| p == "/v1/events")
            .count(),
        1,
        "one try per round: the loop backs off between rounds"
    );
    // The CRM is fixed: everything goes.
    crm.state().poison_phones.clear();
    let (_, summary) = kiosk.sync_until_ok(1).await;
    assert_eq!((summary.delivered, summary.rejected), (8, 0));
    assert_contract_kept(&crm);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crm_that_answers_404_never_drains_the_queue_into_rejected() {
    let crm = TestCrm::start();
    let mut kiosk = kiosk(&crm.url(), 200);
    for i in 0..1200 {
        kiosk.join(&number(i), false).await;
    }
    for _ in 0..20 {
        crm.inject("/v1/events", Fault::Status(404));
    }
    for _ in 0..20 {
        let e = kiosk.engine.round().await.unwrap_err();
        assert!(matches!(e, SyncError::Refused { status: 404, .. }), "{e}");
    }
    assert_eq!(kiosk.depth().await, 1200, "everything still queued");
    assert!(kiosk.run(|s| s.rejected_events(10)).await.is_empty());
    assert_eq!(kiosk.status.borrow().link, Link::Failing);
    // Then the operator fixes the proxy: 1,200 delivered, none rejected.
    let (_, summary) = kiosk.sync_until_ok(1).await;
    assert_eq!((summary.delivered, summary.rejected), (1200, 0));
    assert_eq!(crm.state().events.len(), 1200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_413_halves_the_batch_which_grows_back_and_one_event_too_large_waits() {
    let crm = TestCrm::start();
    let mut kiosk = kiosk(&crm.url(), 8);
    for i in 0..16 {
        kiosk.join(&number(i), false).await;
    }
    crm.inject("/v1/events", Fault::Status(413));
    let (_, summary) = kiosk.sync_until_ok(1).await;
    assert_eq!(summary.delivered, 16);
    assert_eq!(
        crm.state().batch_sizes,
        [4, 8, 4],
        "halved once, then back to the configured size"
    );

    // A single event the CRM finds too large is not thrown away: the link is failing.
    let mut single = kiosk_with(&crm_config(&crm.url(), 1));
    single.join(&number(99), false).await;
    for _ in 0..20 {
        crm.inject("/v1/events", Fault::Status(413));
    }
    for _ in 0..20 {
        let e = single.engine.round().await.unwrap_err();
        assert!(matches!(e, SyncError::TooLarge), "{e}");
    }
    assert_eq!(single.depth().await, 1);
    assert!(single.run(|s| s.rejected_events(10)).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_events_can_be_queued_again_after_the_crm_is_fixed() {
    let crm = TestCrm::start();
    crm.state().blocked_cards.insert("04A1B2C3".into());
    let mut kiosk = kiosk(&crm.url(), 10);
    let member = kiosk.join(&number(1), false).await.member_id;
    kiosk.run(move |s| s.link_card("04A1B2C3", &member)).await;
    let (_, summary) = kiosk.sync_until_ok(1).await;
    assert_eq!(summary.rejected, 1, "the CRM rejected that one event");
    let rejected = kiosk.run(|s| s.rejected_events(10)).await;
    crm.state().blocked_cards.clear();
    let id = rejected[0].event_id.clone();
    assert_eq!(kiosk.run(|s| s.requeue_rejected(Some("nope"))).await, 0);
    assert_eq!(kiosk.run(move |s| s.requeue_rejected(Some(&id))).await, 1);
    let (_, summary) = kiosk.sync_until_ok(1).await;
    assert_eq!((summary.delivered, summary.rejected), (1, 0));
    assert!(kiosk.run(|s| s.rejected_events(10)).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_is_never_followed() {
    let crm = TestCrm::start();
    let elsewhere = TestCrm::start();
    let mut kiosk = kiosk(&crm.url(), 10);
    kiosk.join(&number(1), false).await;
    crm.inject(
        "/v1/heartbeat",
        Fault::Redirect(format!("{}/v1/heartbeat", elsewhere.url())),
    );
    let e = kiosk.engine.round().await.unwrap_err();
    assert!(matches!(e, SyncError::Redirected { status: 307 }), "{e}");
    crm.inject(
        "/v1/events",
        Fault::Redirect(format!("{}/v1/events", elsewhere.url())),
    );
    let e = kiosk.engine.round().await.unwrap_err();
    assert!(matches!(e, SyncError::Redirected { status: 307 }), "{e}");
    assert!(
        elsewhere.state().operations.is_empty(),
        "no phone number went to the other host"
    );
    assert_eq!(kiosk.depth().await, 1);
    assert_eq!(kiosk.status.borrow().link, Link::Failing);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_cursor_starts_the_pull_over_and_bad_pages_are_refused() {
    let crm = TestCrm::start();
    for i in 0..5 {
        crm.publish(json!({"type": "catalog_upsert", "collection": "rewards",
            "id": format!("r{i}"), "body": {"cost": 100}}));
    }
    let mut kiosk = kiosk(&crm.url(), 10);
    kiosk.sync_until_ok(1).await;
    // The CRM lost its cursors (a restore, say): 410, and the kiosk starts over.
    kiosk
        .run(|s| {
            s.connection().execute(
                "UPDATE sync_state SET value = 'from-before-the-restore' WHERE key = 'pull_cursor'",
                [],
            )?;
            Ok(())
        })
        .await;
    let (_, summary) = kiosk.sync_until_ok(1).await;
    assert_eq!(summary.changes_applied, 5, "pulled again from the start");
    assert_eq!(kiosk.run(|s| s.sync_cursor()).await, Some("c5".into()));

    // A cursor longer than the contract allows, or more changes than asked for.
    let long = json!({"changes": [], "next_cursor": "x".repeat(2000), "has_more": false});
    crm.inject("/v1/changes", Fault::Raw(long));
    let e = kiosk.engine.round().await.unwrap_err();
    assert!(
        matches!(e, SyncError::Protocol(_)) && e.to_string().contains("cursor"),
        "{e}"
    );
    let many: Vec<_> = (0..600)
        .map(|_| json!({"type": "settings", "values": {}}))
        .collect();
    let flood = json!({"changes": many, "next_cursor": "c9", "has_more": false});
    crm.inject("/v1/changes", Fault::Raw(flood));
    let e = kiosk.engine.round().await.unwrap_err();
    assert!(e.to_string().contains("600 changes"), "{e}");
    assert_eq!(kiosk.run(|s| s.sync_cursor()).await, Some("c5".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_full_phone_number_is_left_at_rest_after_a_pull_and_a_sync() {
    let crm = TestCrm::start();
    crm.publish(json!({"type": "member_upsert", "member_id": "crm-77",
        "phone_e164": "+85294000077", "balance": 10, "joined_at": "2025-05-05T00:00:00Z"}));
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("kiosk.db");
    let config = crm_config(&crm.url(), 10);
    let (store, thread) = StoreHandle::open(&database).unwrap();
    let (tx, _status) = watch::channel(SyncStatus::default());
    let mut engine = Engine::new(CrmClient::new(&config).unwrap(), &config, store.clone(), tx);
    let PhoneCheck::Valid(phone) = check_mobile(Region::HK, "91234567") else {
        panic!("valid");
    };
    let request = JoinRequest::new(phone.clone(), true, false, "2026-01", 100).unwrap();
    store
        .submit(move |s| s.join(&request))
        .await
        .unwrap()
        .unwrap();
    engine.round().await.unwrap();

    // The key is in its own file, readable by the service user only, not in the database.
    let key_file = dir.path().join("phone-hash.key");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&key_file).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);
    // Members are still recognised, by number and by code.
    let found = store
        .submit(move |s| s.member_by_phone(&phone))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.expect("still recognised").masked(), "****4567");
    let crm_member = store
        .submit(|s| s.member_by_id("crm-77"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(crm_member.expect("pulled").masked(), "****0077");
    // Neither number is anywhere in the database file or its WAL, in any form, while the
    // kiosk runs (as after a power cut or a pulled card: closing would checkpoint the WAL).
    let mut files = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("kiosk.db") {
            continue;
        }
        files += 1;
        let bytes = std::fs::read(&path).unwrap();
        for number in ["91234567", "94000077"] {
            assert!(
                !bytes.windows(number.len()).any(|w| w == number.as_bytes()),
                "{number} found in {name}"
            );
        }
        assert!(
            !bytes
                .windows(64)
                .any(|w| w == common::crm::PHONE_HASH_KEY.as_bytes())
        );
    }
    assert!(files >= 2, "the database and its WAL were read");
    drop(engine);
    drop(store);
    thread.join().unwrap();
}

/// The peak resident memory of this process since the last reset, in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_200_mb_answer_leaves_memory_flat() {
    let crm = TestCrm::start();
    let mut kiosk = kiosk(&crm.url(), 10);
    kiosk.sync_until_ok(1).await;
    // Reset the peak ("5" clears VmHWM), then let the CRM send 200 MB.
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = peak_rss_kib();
    crm.inject("/v1/changes", Fault::Huge(200 * 1024 * 1024));
    let e = kiosk.engine.round().await.unwrap_err();
    assert!(e.to_string().contains("larger than 4194304 bytes"), "{e}");
    let grew_mib = peak_rss_kib().saturating_sub(before) as f64 / 1024.0;
    eprintln!("peak memory grew by {grew_mib:.1} MiB reading a 200 MB answer");
    assert!(
        grew_mib < 32.0,
        "a 200 MB answer took {grew_mib:.1} MiB (the cap is 4 MiB)"
    );
    // The kiosk carries on with the next good answer.
    kiosk.sync_until_ok(1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_that_cannot_be_applied_leaves_nothing_half_applied() {
    let crm = TestCrm::start();
    let text = |en: &str| json!({"zh-Hant": en, "zh-Hans": en, "en": en});
    let survey = |version: i64, questions: serde_json::Value| {
        json!({"type": "survey_upsert", "survey_id": "s2", "version": version,
            "title": text("Visit"), "active": true, "questions": questions})
    };
    crm.publish(survey(
        1,
        json!([{"kind": "nps", "prompt": text("Recommend us?")}]),
    ));
    // Version 2 has a question the kiosk cannot ask; version 3 asks "why" of a question
    // that comes later. Both are refused, and version 1 stays in use.
    crm.publish(survey(
        2,
        json!([{"kind": "nps", "prompt": text("Recommend us?")},
        {"kind": "telepathy", "prompt": text("Think of a number")}]),
    ));
    crm.publish(survey(
        3,
        json!([
        {"kind": "comment", "prompt": text("Why?"), "required": false,
         "show_if": {"question": "score", "at_most": 6}},
        {"id": "score", "kind": "nps", "prompt": text("Recommend us?")}]),
    ));
    let mut kiosk = kiosk(&crm.url(), 10);
    let (_, summary) = kiosk.sync_until_ok(1).await;
    assert_eq!(summary.changes_skipped, 2);
    let in_use = kiosk
        .run(|s| s.survey("s2"))
        .await
        .expect("version 1 in use");
    assert_eq!(in_use.version, 1);
    assert_eq!(
        in_use.questions.len(),
        1,
        "nothing of version 2 or 3 is left behind"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pulled_changes_are_applied_with_their_cursor_and_bad_ones_skipped() {
    let crm = TestCrm::start();
    crm.publish(json!({"type": "member_upsert", "member_id": "crm-77",
        "phone_e164": "+85294000077", "tier": "gold", "balance": 1234,
        "card_uids": ["04A1B2C3D4E5F6"], "joined_at": "2025-05-05T00:00:00Z"}));
    crm.publish(json!({"type": "member_upsert", "member_id": "crm-78",
        "phone_e164": "not a number", "balance": 1, "joined_at": "2025-05-05T00:00:00Z"}));
    crm.publish(json!({"type": "teleport", "to": "mars"}));
    crm.publish(
        json!({"type": "survey_upsert", "survey_id": "s1", "version": 2,
        "title": {"en": "How was your visit?", "zh-Hant": "今天的體驗如何？", "zh-Hans": "今天的体验如何？"},
        "active": true,
        "questions": [{"kind": "nps", "prompt": {"en": "Recommend us?", "zh-Hant": "推薦我們嗎？", "zh-Hans": "推荐我们吗？"}}]}),
    );
    crm.publish(json!({"type": "settings", "values": {"store_name": "Tea House"}}));
    for i in 0..600 {
        crm.publish(json!({"type": "catalog_upsert", "collection": "rewards",
            "id": format!("r{i}"), "body": {"name": {"en": "Free tea"}, "cost": 100}}));
    }
    crm.publish(json!({"type": "catalog_deleted", "collection": "rewards", "id": "r0"}));
    let total = crm.state().changes.len();
    let mut kiosk = kiosk(&crm.url(), 50);
    let (_, summary) = kiosk.sync_until_ok(2).await;
    assert_eq!(summary.changes_skipped, 2, "bad number and unknown type");
    assert_eq!(summary.changes_applied as usize, total - 2);
    assert_eq!(
        kiosk.run(|s| s.sync_cursor()).await,
        Some(format!("c{total}"))
    );

    let member = kiosk
        .run(|s| s.member_by_card("04A1B2C3D4E5F6"))
        .await
        .expect("pulled member found by card, offline");
    assert_eq!(member.masked(), "****0077");
    assert!(member.identity.starts_with("hmac:"), "{}", member.identity);
    assert_eq!(kiosk.run(|s| s.balance("crm-77")).await, 1234);
    assert!(
        kiosk
            .run(|s| s.catalog_entry("rewards", "r0"))
            .await
            .is_none()
    );
    assert!(
        kiosk
            .run(|s| s.catalog_entry("rewards", "r599"))
            .await
            .is_some()
    );
    assert_eq!(
        kiosk.run(|s| s.crm_settings()).await,
        CrmSettings {
            store_name: Some("Tea House".into()),
            ..Default::default()
        }
    );
    let survey = kiosk
        .run(|s| s.survey("s1"))
        .await
        .expect("the survey stored");
    assert_eq!((survey.version, survey.questions.len()), (2, 1));

    // The next round asks from the stored cursor: nothing new, nothing applied twice.
    let (_, summary) = kiosk.sync_until_ok(1).await;
    assert_eq!(summary.changes_applied, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_is_reported_and_nothing_is_lost() {
    let crm = TestCrm::start();
    let mut config = crm_config(&crm.url(), 50);
    config.token = Some("stolen-or-expired".into());
    let mut kiosk = kiosk_with(&config);
    kiosk.join(&number(9), false).await;
    let error = kiosk.engine.round().await.unwrap_err();
    assert!(matches!(error, SyncError::Unauthorized(401)), "{error}");
    assert_eq!(kiosk.status.borrow().link, Link::Unauthorized);
    assert_eq!(kiosk.depth().await, 1);
    assert!(crm.state().events.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_time_code_round_trip() {
    let crm = TestCrm::start();
    let member = crm.add_online_member("+85294000010", 0);
    let client = CrmClient::new(&crm_config(&crm.url(), 50)).unwrap();
    let verification = client
        .start_verification("+85294000010", VerificationPurpose::Lookup, "zh-Hant")
        .await
        .unwrap();
    let wrong = client
        .check_verification(&verification.verification_id, "000000")
        .await
        .unwrap();
    assert!(!wrong.verified);
    assert_eq!(wrong.member_id, None, "a wrong code reveals nothing");
    let right = client
        .check_verification(&verification.verification_id, "246810")
        .await
        .unwrap();
    assert!(right.verified);
    assert_eq!(right.member_id, Some(member));
    assert_contract_kept(&crm);
}

#[test]
fn the_contract_check_catches_what_breaks_the_contract() {
    let contract = common::crm::Contract::load();
    let good = json!({"kiosk_id": KIOSK_ID, "sent_at": "2026-11-23T00:00:00Z", "events": [
        {"id": "019a0000-0000-7000-8000-000000000000", "seq": 1, "type": "card_linked",
         "occurred_at": "2026-11-23T00:00:00Z",
         "data": {"member_id": "m", "card_uid": "04A1B2C3", "linked_at": "2026-11-23T00:00:00Z"}}]});
    assert!(contract.check("EventBatch", &good).is_empty());
    let mut no_seq = good.clone();
    no_seq["events"][0].as_object_mut().unwrap().remove("seq");
    assert!(!contract.check("EventBatch", &no_seq).is_empty());
    let mut lower_case_uid = good.clone();
    lower_case_uid["events"][0]["data"]["card_uid"] = json!("04a1b2c3");
    assert!(!contract.check("EventBatch", &lower_case_uid).is_empty());
    let mut bad_time = good;
    bad_time["sent_at"] = json!("yesterday");
    assert!(!contract.check("EventBatch", &bad_time).is_empty());
    let rejected_without_reason = json!({"results": [
        {"id": "019a0000-0000-7000-8000-000000000000", "status": "rejected"}]});
    assert!(
        !contract
            .check("EventBatchResult", &rejected_without_reason)
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn survey_answers_and_their_points_reach_the_crm_once() {
    use member_kiosk::domain::survey::builtin;
    use member_kiosk::domain::survey::flow::{Answer, SurveyRun};
    use member_kiosk::store::surveys::CompletedSurvey;
    use std::sync::Arc;

    let crm = TestCrm::start();
    let mut kiosk = kiosk(&crm.url(), 50);
    let member = kiosk.join(&number(31), false).await.member_id;
    kiosk.sync_until_ok(1).await;
    let mut definition = builtin::default_survey();
    definition.points_for_completion = 20;
    let mut run = SurveyRun::new(Arc::new(definition.clone()));
    for answer in [
        Answer::Score(3),
        Answer::Text("Queue too long".into()),
        Answer::Score(2),
        Answer::Choice(2),
        Answer::Choices(vec![1]),
    ] {
        run.answer(answer).unwrap();
    }
    let survey = |response: &str| CompletedSurvey {
        response_id: response.into(),
        survey_id: definition.survey_id.clone(),
        version: definition.version,
        member: Some((member.clone(), "scan".into())),
        language: "zh-Hant".into(),
        started_at: "2026-11-27T01:00:00Z".into(),
        answers: run.given(),
        points: definition.points_for_completion,
    };
    let first = survey(&uuid::Uuid::now_v7().to_string());
    let again = survey(&uuid::Uuid::now_v7().to_string());
    assert_eq!(kiosk.run(move |s| s.record_survey(&first)).await, 20);
    assert_eq!(
        kiosk.run(move |s| s.record_survey(&again)).await,
        0,
        "points once per member and survey version"
    );
    let (_, summary) = kiosk.sync_until_ok(1).await;
    assert_eq!(summary.delivered, 2);
    {
        let state = crm.state();
        let answered = state
            .events
            .values()
            .filter(|(_, _, kind, _)| kind == "survey_answered")
            .count();
        assert_eq!(answered, 2);
        let crm_member = &state.kiosk_members[&member];
        assert_eq!(
            state.members[crm_member]["balance"], 120,
            "the bonus and 20 once"
        );
    }
    assert_contract_kept(&crm);
    // The kiosk shows the CRM's balance, with nothing counted twice.
    kiosk.sync_until_ok(1).await;
    assert_eq!(kiosk.run(move |s| s.balance(&member)).await, 120);
}
