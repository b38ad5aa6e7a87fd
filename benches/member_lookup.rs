//! `member_lookup`: a scan to the balance screen's data, on a database of 1,000,000
//! members and 10,000,000 ledger rows: the member code's signature check, the member's
//! lookup, and the tier, expiry and rewards computed from their ledger, through the real
//! storage thread (`StoreLookup`, exactly what the kiosk's points screen calls).
//!
//! The database is built once into `target/bench-member-lookup/` (a few minutes) and kept
//! for later runs and for measuring the kiosk's memory on it (see the README). Run with
//! `cargo bench --bench member_lookup`.
mod report;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::Criterion;
use member_kiosk::config::Config;
use member_kiosk::domain::member_code;
use member_kiosk::store::{DATABASE_FILE, Store, StoreHandle};
use member_kiosk::ui::ports::{Identified, Identify, MemberLookup, StoreLookup};

const MEMBERS: u64 = 1_000_000;
const ROWS_PER_MEMBER: u64 = 10;

static SAMPLES: Mutex<Vec<Duration>> = Mutex::new(Vec::new());
static VERIFY_SAMPLES: Mutex<Vec<Duration>> = Mutex::new(Vec::new());

fn prefill(path: &Path) {
    drop(Store::open(path).expect("open"));
    let conn = rusqlite::Connection::open(path).expect("open raw");
    let done: i64 = conn
        .query_row("SELECT COUNT(*) FROM members", [], |r| r.get(0))
        .expect("count");
    if done as u64 == MEMBERS {
        return;
    }
    eprintln!(
        "building the database: {MEMBERS} members, {} ledger rows",
        MEMBERS * ROWS_PER_MEMBER
    );
    let started = Instant::now();
    conn.execute_batch("PRAGMA synchronous = OFF; BEGIN")
        .expect("begin");
    let now = time::OffsetDateTime::now_utc();
    let fmt = &time::format_description::well_known::Rfc3339;
    {
        let mut member = conn
            .prepare("INSERT INTO members (id, phone_e164, phone_last4, joined_at, source) VALUES (?1, ?2, ?3, ?4, 'kiosk_phone')")
            .expect("prepare");
        let mut ledger = conn
            .prepare("INSERT INTO points_ledger (member_id, delta, reason, created_at) VALUES (?1, ?2, 'purchase', ?3)")
            .expect("prepare");
        for i in 0..MEMBERS {
            let id = uuid::Uuid::now_v7().to_string();
            let phone = format!("+8525{:07}", i);
            let joined = (now - time::Duration::days(730))
                .format(fmt)
                .expect("format");
            member
                .execute((&id, &phone, &phone[phone.len() - 4..], &joined))
                .expect("member");
            for j in 0..ROWS_PER_MEMBER {
                let days = ((i * 7 + j * 70) % 700) as i64;
                let delta: i64 = if j % 4 == 3 {
                    -60
                } else {
                    40 + ((i + j) % 120) as i64
                };
                let at = (now - time::Duration::days(days))
                    .format(fmt)
                    .expect("format");
                ledger.execute((&id, delta, &at)).expect("ledger");
            }
        }
    }
    conn.execute_batch("COMMIT").expect("commit");
    eprintln!("built in {:.0} s", started.elapsed().as_secs_f64());
}

fn programme() -> Config {
    Config::parse(
        r#"
        [loyalty]
        points_expire_after_months = 12
        tiers = [
          { id = "member", name = "Member", threshold = 0 },
          { id = "silver", name = "Silver", threshold = 300 },
          { id = "gold", name = "Gold", threshold = 1000 },
        ]
        rewards = [
          { id = "coffee", name = "A coffee", cost = 150 },
          { id = "cake", name = "A slice of cake", cost = 300 },
          { id = "tote", name = "Tote bag", cost = 450 },
          { id = "mug", name = "Mug", cost = 600 },
        ]
        "#,
    )
    .expect("programme")
}

fn vm(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .map(|l| l.trim_start_matches(field).trim().to_owned())
        .unwrap_or_default()
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-member-lookup");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let path = dir.join(DATABASE_FILE);
    prefill(&path);

    let (store, _thread) = StoreHandle::open(&path).expect("storage");
    let signer = store
        .call(|s| Ok(s.signer().cloned()))
        .expect("signer")
        .expect("the kiosk key");
    let ids: Vec<String> = store
        .call(|s| {
            let mut stmt = s
                .connection()
                .prepare("SELECT id FROM members WHERE rowid % 997 = 0 LIMIT 1000")?;
            let ids = stmt
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            Ok(ids)
        })
        .expect("ids");
    let now = u32::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).expect("now");
    let codes: Vec<String> = ids
        .iter()
        .map(|id| member_code::issue(&signer, id, now, 3600).expect("code"))
        .collect();
    let lookup = StoreLookup {
        store: store.clone(),
        rules: Arc::new(programme().loyalty.rules()),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");

    let mut c = Criterion::default().configure_from_args().sample_size(50);
    // The offline check alone: digits, layout, signature, dates.
    let ring = member_kiosk::domain::signing::Keyring::new([signer.public()]);
    c.bench_function("member_lookup/verify_code", |b| {
        b.iter(|| {
            let started = Instant::now();
            let read = member_code::verify(&ring, &codes[0], now).expect("valid");
            VERIFY_SAMPLES
                .lock()
                .expect("samples")
                .push(started.elapsed());
            read
        })
    });
    let mut next = 0usize;
    c.bench_function("member_lookup/scan_to_balance_data", |b| {
        b.iter(|| {
            let code = codes[next % codes.len()].clone();
            next += 1;
            let started = Instant::now();
            let found = runtime.block_on(lookup.identify(Identify::Code(code)));
            let took = started.elapsed();
            match found {
                Ok(Identified::Member(m)) => assert!(m.view.tier.is_some()),
                other => panic!("not found: {other:?}"),
            }
            SAMPLES.lock().expect("samples").push(took);
        })
    });
    c.final_summary();
    report::print_percentiles("member_lookup/verify_code", &VERIFY_SAMPLES);
    report::print_percentiles("member_lookup/scan_to_balance_data", &SAMPLES);
    eprintln!(
        "bench process: VmRSS {}, VmHWM {}",
        vm("VmRSS:"),
        vm("VmHWM:")
    );
}
