//! The subcommands behind the CLI: `run`, `check-config`, `stats`, `doctor`, `sync`,
//! `recover`, `requeue-rejected`, `member-code`, `hash-pin` and `simulate`.
use std::path::Path;

use time::{
    Date, Duration as Days, OffsetDateTime, format_description::BorrowedFormatItem,
    macros::format_description,
};

use crate::app::{Kiosk, KioskError};
use crate::cli::{Cli, Command, ExportWhat, SimulateAction, StatsArgs};
use crate::config::{Config, ConfigSource, SYSTEM_CONFIG_PATH};
use crate::devices::{doctor, simulator};
use crate::domain::timing::{Spread, summarize};
use crate::store::{DATABASE_FILE, Store, StoreHandle};
use crate::sync::{CrmClient, Engine, SyncStatus};

const DAY: &[BorrowedFormatItem<'_>] = format_description!("[year]-[month]-[day]");

pub fn dispatch(cli: &Cli) -> Result<(), KioskError> {
    let (config, source) = Config::load(cli.config.as_deref())?;
    let data_dir = config.data_dir(cli.data_dir.as_deref());
    let opens_database = matches!(
        cli.command,
        None | Some(
            Command::Run
                | Command::Sync
                | Command::Stats(_)
                | Command::RequeueRejected { .. }
                | Command::Recover { .. }
                | Command::MemberCode { .. }
                | Command::Export { .. }
        )
    );
    if opens_database {
        let named = cli.data_dir.is_some()
            || config.storage.data_dir.is_some()
            || std::env::var_os("STATE_DIRECTORY").is_some_and(|v| !v.is_empty());
        let installed = source == ConfigSource::File(SYSTEM_CONFIG_PATH.into());
        root_guard(nix::unistd::geteuid().is_root(), installed, named)?;
    }
    match &cli.command {
        None | Some(Command::Run) => {
            tracing::info!(config = %source, data_dir = %data_dir.display(), version = env!("CARGO_PKG_VERSION"), "starting member-kiosk");
            crate::display::select(config.kiosk.display)?;
            let _console = crate::display::lock_console(config.kiosk.display);
            Kiosk::build(&config, &data_dir)?.run()
        }
        Some(Command::CheckConfig) => {
            println!("configuration OK ({source})");
            println!("data directory: {}", data_dir.display());
            println!();
            print!(
                "{}",
                toml::to_string_pretty(&config.redacted())
                    .map_err(|e| KioskError::Usage(e.to_string()))?
            );
            Ok(())
        }
        Some(Command::Doctor { wait }) => {
            let all_ok = doctor::run(
                &config,
                std::time::Duration::from_secs(*wait),
                &mut std::io::stdout(),
            )
            .map_err(KioskError::Devices)?;
            if all_ok {
                Ok(())
            } else {
                Err(KioskError::Usage("some devices did not answer".into()))
            }
        }
        Some(Command::Export {
            what: ExportWhat::Surveys { since, until },
        }) => {
            let store = open_existing(&data_dir)?;
            let offset = config.kiosk.utc_offset();
            let today = OffsetDateTime::now_utc().to_offset(offset).date();
            let (since, until) = export_period(since, until.as_deref(), today, offset)?;
            let rows = store.survey_export(&since, &until)?;
            write_survey_csv(&rows, std::io::stdout().lock())
                .map_err(|e| KioskError::Usage(format!("cannot write the CSV: {e}")))?;
            eprintln!("{} rows", rows.len());
            Ok(())
        }
        Some(Command::HashPin) => {
            let hash = hash_pin(&mut std::io::stdin().lock())?;
            println!("{hash}");
            Ok(())
        }
        Some(Command::Simulate { action }) => {
            let command = match action {
                SimulateAction::Scan { text } => format!("scan {text}"),
                SimulateAction::Tap { uid } => format!("tap {uid}"),
            };
            let socket = data_dir.join(simulator::SOCKET_NAME);
            let reply = simulator::send(&socket, &command).map_err(|e| {
                KioskError::Usage(format!(
                    "no kiosk with simulated devices is listening on {} ({e})",
                    socket.display()
                ))
            })?;
            println!("{reply}");
            if reply.starts_with("error") {
                Err(KioskError::Usage(reply))
            } else {
                Ok(())
            }
        }
        Some(Command::Sync) => sync_once(&config, &data_dir),
        Some(Command::Recover { file }) => {
            std::fs::create_dir_all(&data_dir).map_err(|source| KioskError::DataDir {
                path: data_dir.clone(),
                source,
            })?;
            let mut store = Store::open(&data_dir.join(DATABASE_FILE))?;
            let started = std::time::Instant::now();
            let (recovered, stopped_early) = store.recover_outbox(file)?;
            store.clear_quarantine()?;
            println!(
                "{recovered} events recovered from {} in {} ms and queued; the next sync round sends them{}",
                file.display(),
                started.elapsed().as_millis(),
                if stopped_early {
                    " (the file is damaged past that point; the rest could not be read)"
                } else {
                    ""
                }
            );
            Ok(())
        }
        Some(Command::MemberCode { member_id }) => {
            let store = open_existing(&data_dir)?;
            let member = store
                .member_by_id(member_id)?
                .ok_or_else(|| KioskError::Usage(format!("no member {member_id} on this kiosk")))?;
            let lifetime = config
                .loyalty
                .member_code_valid_days
                .saturating_mul(24 * 3600);
            let code = store
                .issue_member_code(&member.id, lifetime)
                .ok_or_else(|| {
                    KioskError::Usage(format!(
                        "member id {member_id} cannot be carried by a member code"
                    ))
                })?;
            println!(
                "member {} ({}), valid {} days:",
                member.id,
                member.masked(),
                config.loyalty.member_code_valid_days
            );
            println!("{code}");
            if let Ok(qr) = qrcode::QrCode::with_error_correction_level(&code, qrcode::EcLevel::M) {
                println!(
                    "{}",
                    qr.render::<qrcode::render::unicode::Dense1x2>()
                        .quiet_zone(true)
                        .build()
                );
            }
            Ok(())
        }
        Some(Command::RequeueRejected { id }) => {
            let mut store = open_existing(&data_dir)?;
            let moved = store.requeue_rejected(id.as_deref())?;
            match (moved, id) {
                (0, Some(id)) => {
                    return Err(KioskError::Usage(format!("no rejected event {id}")));
                }
                _ => println!("{moved} rejected events queued again"),
            }
            Ok(())
        }
        Some(Command::Stats(args)) => {
            print!(
                "{}",
                stats(&data_dir, args, OffsetDateTime::now_utc().date())?
            );
            Ok(())
        }
    }
}

/// `[since, until]` as days in the shop's time, as UTC instants `[start, end)`.
fn export_period(
    since: &str,
    until: Option<&str>,
    today: Date,
    offset: time::UtcOffset,
) -> Result<(String, String), KioskError> {
    let parse = |s: &str| {
        Date::parse(s, DAY).map_err(|_| KioskError::Usage(format!("not a date (YYYY-MM-DD): {s}")))
    };
    let since = parse(since)?;
    let until = until.map(parse).transpose()?.unwrap_or(today);
    if since > until {
        return Err(KioskError::Usage(
            "--since must not be after --until".into(),
        ));
    }
    let instant = |d: Date| {
        d.midnight()
            .assume_offset(offset)
            .to_offset(time::UtcOffset::UTC)
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(|e| KioskError::Usage(e.to_string()))
    };
    Ok((instant(since)?, instant(until.next_day().unwrap_or(until))?))
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR) is written with
/// a leading `'`: a comment must not become a command on the shop's computer.
fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

fn write_survey_csv(
    rows: &[crate::store::surveys::ExportRow],
    out: impl std::io::Write,
) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "response_id",
        "survey_id",
        "survey_version",
        "status",
        "started_at",
        "ended_at",
        "identified_by",
        "member_id",
        "language",
        "question_id",
        "kind",
        "value",
    ])?;
    for r in rows {
        w.write_record([
            r.response_id.as_str(),
            &defuse(&r.survey_id),
            &r.survey_version.to_string(),
            r.status,
            &r.started_at,
            &r.ended_at,
            &r.identified_by,
            &defuse(&r.member_id),
            &r.language,
            &defuse(&r.question_id),
            &r.kind,
            &defuse(&r.value),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// Reads a PIN (twice when a person types it at a terminal, with echo off) and hashes it.
fn hash_pin(input: &mut impl std::io::BufRead) -> Result<String, KioskError> {
    use std::io::IsTerminal;
    let terminal = std::io::stdin().is_terminal();
    let read = |prompt: &str, input: &mut dyn std::io::BufRead| -> Result<String, KioskError> {
        if terminal {
            eprint!("{prompt}");
        }
        let _quiet = terminal.then(EchoOff::new).flatten();
        let mut line = String::new();
        input
            .read_line(&mut line)
            .map_err(|e| KioskError::Usage(format!("cannot read the PIN: {e}")))?;
        if terminal {
            eprintln!();
        }
        Ok(line.trim().to_owned())
    };
    let pin = read("PIN (6 to 12 digits): ", input)?;
    crate::domain::staff::pin::check_format(&pin)
        .map_err(|e| KioskError::Usage(format!("refused: {e}")))?;
    if terminal && read("The same PIN again: ", input)? != pin {
        return Err(KioskError::Usage(
            "the two PINs differ; nothing was made".into(),
        ));
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)
        .map_err(|e| KioskError::Usage(format!("no randomness for a salt: {e}")))?;
    crate::domain::staff::pin::hash(&pin, &salt).map_err(|e| KioskError::Usage(e.to_string()))
}

/// Terminal echo off while a PIN is typed; restored on drop.
struct EchoOff(nix::sys::termios::Termios);

impl EchoOff {
    fn new() -> Option<EchoOff> {
        use nix::sys::termios::{LocalFlags, SetArg, tcgetattr, tcsetattr};
        let stdin = std::io::stdin();
        let saved = tcgetattr(&stdin).ok()?;
        let mut quiet = saved.clone();
        quiet.local_flags.remove(LocalFlags::ECHO);
        tcsetattr(&stdin, SetArg::TCSANOW, &quiet).ok()?;
        Some(EchoOff(saved))
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        let _ = nix::sys::termios::tcsetattr(
            std::io::stdin(),
            nix::sys::termios::SetArg::TCSANOW,
            &self.0,
        );
    }
}

/// On an installed kiosk (the packaged config in use), `sudo member-kiosk sync` would
/// otherwise open, or create, a database in root's home, owned by root: not the kiosk's,
/// and one the service could not read. So as root there the data directory must be named.
/// A developer's machine without the package is left alone (`scripts/kiosk` as root works).
fn root_guard(is_root: bool, installed: bool, data_dir_named: bool) -> Result<(), KioskError> {
    if is_root && installed && !data_dir_named {
        return Err(KioskError::Usage(
            "running as root without a data directory would create a root-owned database \
             that is not the kiosk's; run it as the service user: \
             sudo -u member-kiosk member-kiosk --data-dir /var/lib/member-kiosk …"
                .into(),
        ));
    }
    Ok(())
}

/// One sync round from the command line, on the same engine the kiosk runs.
fn sync_once(config: &Config, data_dir: &Path) -> Result<(), KioskError> {
    let Some(crm) = &config.crm else {
        return Err(KioskError::Usage(
            "no [crm] in the configuration: events stay queued in the outbox".into(),
        ));
    };
    std::fs::create_dir_all(data_dir).map_err(|source| KioskError::DataDir {
        path: data_dir.to_owned(),
        source,
    })?;
    let (store, thread) = StoreHandle::open(&data_dir.join(DATABASE_FILE))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(KioskError::Runtime)?;
    let (status, _) = tokio::sync::watch::channel(SyncStatus::default());
    let result = CrmClient::new(crm).and_then(|client| {
        let mut engine = Engine::new(client, crm, store.clone(), status);
        runtime.block_on(engine.round())
    });
    let snapshot = store.call(|s| s.sync_snapshot());
    drop(store);
    if thread.join().is_err() {
        tracing::error!("storage thread panicked");
    }
    let summary = result?;
    let snapshot = snapshot?;
    println!(
        "delivered {} events ({} rejected, {} members adopted); applied {} changes ({} skipped)",
        summary.delivered,
        summary.rejected,
        summary.adopted,
        summary.changes_applied,
        summary.changes_skipped
    );
    println!(
        "queued: {}  rejected in total: {}  last sync: {}",
        snapshot.queue_depth,
        snapshot.rejected_count,
        snapshot.last_sync_at.as_deref().unwrap_or("never")
    );
    Ok(())
}

/// The `stats` report for the period the arguments select, `today` being the UTC date.
/// The kiosk's database in `data_dir`, which must exist already (an operator command must
/// not create an empty one by mistake).
fn open_existing(data_dir: &Path) -> Result<crate::store::Store, KioskError> {
    let database = data_dir.join(DATABASE_FILE);
    if !database.exists() {
        return Err(KioskError::Usage(format!(
            "no database at {}",
            database.display()
        )));
    }
    Ok(crate::store::Store::open(&database)?)
}

pub fn stats(data_dir: &Path, args: &StatsArgs, today: Date) -> Result<String, KioskError> {
    let parse = |s: &str| {
        Date::parse(s, DAY).map_err(|_| KioskError::Usage(format!("not a date (YYYY-MM-DD): {s}")))
    };
    let until = match &args.until {
        Some(s) => parse(s)?,
        None => today.next_day().unwrap_or(today),
    };
    let since = match &args.since {
        Some(s) => parse(s)?,
        None => until.saturating_sub(Days::days(i64::from(args.days))),
    };
    if since >= until {
        return Err(KioskError::Usage("--since must be before --until".into()));
    }
    let database = data_dir.join(DATABASE_FILE);
    if !database.exists() {
        return Err(KioskError::Usage(format!(
            "no kiosk database at {}",
            database.display()
        )));
    }
    let store = Store::open(&database)?;
    let bound = |d: Date| format!("{}T00:00:00Z", d.format(DAY).unwrap_or_default());
    let timings = store.signup_timings(&bound(since), &bound(until))?;
    let summary = summarize(&timings);
    let last_day = until.previous_day().unwrap_or(until);
    let mut out = format!(
        "Sign-ups from {} to {} (UTC): {}\n",
        since.format(DAY).unwrap_or_default(),
        last_day.format(DAY).unwrap_or_default(),
        summary.count
    );
    match (summary.whole_flow, summary.system_share) {
        (Some(whole), Some(system)) => {
            out.push_str(&format!("{:<40}{:>10}{:>10}\n", "", "median", "p95"));
            let mut row = |label: &str, s: Spread| {
                out.push_str(&format!(
                    "{label:<40}{:>10}{:>10}\n",
                    human(s.median),
                    human(s.p95)
                ));
            };
            row("whole flow (first touch to welcome)", whole);
            row("system share (Join tap to welcome)", system);
        }
        _ => out.push_str("No sign-ups were recorded in this period.\n"),
    }
    Ok(out)
}

fn human(d: std::time::Duration) -> String {
    if d.as_millis() < 1000 {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::root_guard;

    #[test]
    fn root_must_name_the_data_directory_only_on_an_installed_kiosk() {
        // (root, installed, data dir named) → refused?
        for (root, installed, named, refused) in [
            (true, true, false, true),
            (true, true, true, false),
            (true, false, false, false), // a developer's machine: scripts/kiosk as root
            (false, true, false, false), // the service user
        ] {
            let e = root_guard(root, installed, named);
            assert_eq!(e.is_err(), refused, "{root} {installed} {named}");
            if let Err(e) = e {
                assert!(e.to_string().contains("sudo -u member-kiosk"), "{e}");
            }
        }
    }
}
