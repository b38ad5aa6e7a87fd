//! `signup`: the system's share of joining, on a database already holding 100,000 members.
//!
//! * `signup/join_tap_to_welcome` drives the real kiosk (controller, storage thread with
//!   `synchronous=FULL` commit, hand-back to the Slint event loop) on Slint's testing
//!   backend: from invoking the Join button's callback to the welcome screen's data being
//!   set. Per-join durations are collected and their median and p99 printed at the end.
//! * `signup/store_commit` is the commit alone, for comparison.
//!
//! Run with `cargo bench --bench signup`.
mod report;

use std::sync::Mutex;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use criterion::Criterion;
use member_kiosk::app::Kiosk;
use member_kiosk::config::Config;
use member_kiosk::domain::phone::{PhoneCheck, check_mobile};
use member_kiosk::domain::region::Region;
use member_kiosk::domain::signup::JoinRequest;
use member_kiosk::store::{DATABASE_FILE, Store};
use member_kiosk::ui::{AttractAdapter, JoinAdapter, KioskAdapter, Screen, WelcomeAdapter};
use slint::ComponentHandle;

const EXISTING_MEMBERS: u32 = 100_000;

static JOIN_SAMPLES: Mutex<Vec<Duration>> = Mutex::new(Vec::new());
static COMMIT_SAMPLES: Mutex<Vec<Duration>> = Mutex::new(Vec::new());

/// Writes `EXISTING_MEMBERS` members as real joins would (member, two consents, bonus,
/// outbox event), in one transaction so setting up takes seconds, not minutes.
fn prefill(path: &std::path::Path) {
    // Create and migrate the schema, then write through a plain connection.
    drop(Store::open(path).expect("open"));
    let conn = rusqlite::Connection::open(path).expect("open raw");
    conn.execute_batch("BEGIN").expect("begin");
    for i in 0..EXISTING_MEMBERS {
        let PhoneCheck::Valid(phone) = check_mobile(Region::HK, &format!("{}", 5100_0000 + i))
        else {
            panic!("prefill number must be valid");
        };
        let id = uuid::Uuid::now_v7().to_string();
        conn.execute(
            "INSERT INTO members (id, phone_e164, joined_at, source) VALUES (?1, ?2, '2026-01-01T00:00:00Z', 'kiosk_phone')",
            (&id, phone.as_str()),
        )
        .expect("member");
        for kind in ["privacy_notice", "marketing"] {
            conn.execute(
                "INSERT INTO consents (member_id, kind, granted, notice_version, recorded_at) VALUES (?1, ?2, 1, '2026-01', '2026-01-01T00:00:00Z')",
                (&id, kind),
            )
            .expect("consent");
        }
        conn.execute(
            "INSERT INTO points_ledger (member_id, delta, reason, created_at) VALUES (?1, 100, 'signup_bonus', '2026-01-01T00:00:00Z')",
            [&id],
        )
        .expect("ledger");
        conn.execute(
            "INSERT INTO outbox (event_id, kind, payload, created_at) VALUES (?1, 'member_joined', ?2, '2026-01-01T00:00:00Z')",
            (uuid::Uuid::now_v7().to_string(), format!("{{\"member_id\":\"{id}\"}}")),
        )
        .expect("outbox");
    }
    conn.execute_batch("COMMIT").expect("commit");
    let store = Store::open(path).expect("reopen");
    assert_eq!(
        store.member_count().expect("count"),
        u64::from(EXISTING_MEMBERS)
    );
}

/// A fresh, valid Hong Kong mobile number for the `n`th benchmark join.
fn new_number(n: u32) -> String {
    format!("{}", 6100_0000 + n)
}

/// On the UI thread: run `iters` joins through the real controller and report the total.
fn join_batch(
    app: slint::Weak<member_kiosk::ui::AppWindow>,
    first: u32,
    iters: u64,
    done: mpsc::Sender<Duration>,
) {
    let spawned = slint::spawn_local(async move {
        let Some(app) = app.upgrade() else { return };
        let mut total = Duration::ZERO;
        for i in 0..iters {
            let kiosk = app.global::<KioskAdapter>();
            let join = app.global::<JoinAdapter>();
            app.global::<AttractAdapter>().invoke_start_join();
            for d in new_number(first + i as u32).chars() {
                join.invoke_digit(d.to_string().into());
            }
            join.invoke_toggle_privacy();
            assert!(
                join.get_can_join(),
                "the form must be complete: {:?}",
                join.get_status()
            );
            let start = Instant::now();
            join.invoke_join();
            while kiosk.get_screen() == Screen::Join {
                let (tx, rx) = tokio::sync::oneshot::channel();
                let _ = slint::invoke_from_event_loop(move || {
                    let _ = tx.send(());
                });
                let _ = rx.await;
            }
            let elapsed = start.elapsed();
            assert_eq!(kiosk.get_screen(), Screen::Welcome, "a new member");
            if let Ok(mut s) = JOIN_SAMPLES.lock() {
                s.push(elapsed);
            }
            total += elapsed;
            app.global::<WelcomeAdapter>().invoke_done();
        }
        let _ = done.send(total);
    });
    if spawned.is_err() {
        eprintln!("cannot schedule the benchmark on the event loop");
    }
}

fn main() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let dir = tempfile::tempdir().expect("temp dir");
    eprintln!("preparing a database with {EXISTING_MEMBERS} members…");
    prefill(&dir.path().join(DATABASE_FILE));
    let commit_dir = tempfile::tempdir().expect("temp dir");
    prefill(&commit_dir.path().join(DATABASE_FILE));

    let mut config = Config::default();
    config.kiosk.idle_timeout_secs = 3600;
    let kiosk = Kiosk::build(&config, dir.path()).expect("kiosk builds");
    let app = kiosk.window.as_weak();

    let bench = std::thread::spawn(move || {
        let mut c = Criterion::default()
            .sample_size(30)
            .warm_up_time(Duration::from_secs(2))
            .measurement_time(Duration::from_secs(10))
            .configure_from_args();
        let mut next = 0u32;
        c.bench_function("signup/join_tap_to_welcome", |b| {
            b.iter_custom(|iters| {
                let (tx, rx) = mpsc::channel();
                let first = next;
                next += iters as u32;
                let app = app.clone();
                slint::invoke_from_event_loop(move || join_batch(app, first, iters, tx))
                    .expect("event loop");
                rx.recv().expect("batch finished")
            })
        });

        let mut store = Store::open(&commit_dir.path().join(DATABASE_FILE)).expect("open");
        let mut n = 0u32;
        c.bench_function("signup/store_commit", |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let PhoneCheck::Valid(phone) = check_mobile(Region::HK, &new_number(n)) else {
                        panic!("valid number");
                    };
                    n += 1;
                    let request =
                        JoinRequest::new(phone, true, false, "2026-01", 100).expect("consent");
                    let start = Instant::now();
                    store.join(&request).expect("join");
                    let elapsed = start.elapsed();
                    if let Ok(mut s) = COMMIT_SAMPLES.lock() {
                        s.push(elapsed);
                    }
                    total += elapsed;
                }
                total
            })
        });
        c.final_summary();
        report::print_percentiles("signup/join_tap_to_welcome", &JOIN_SAMPLES);
        report::print_percentiles("signup/store_commit", &COMMIT_SAMPLES);
        let _ = slint::quit_event_loop();
    });
    slint::run_event_loop_until_quit().expect("event loop");
    let _ = bench.join();
    kiosk.shutdown();
}
