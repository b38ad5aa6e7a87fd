//! The subcommands behind the CLI: `run`, `check-config` and `stats`.
use std::path::Path;

use time::{
    Date, Duration as Days, OffsetDateTime, format_description::BorrowedFormatItem,
    macros::format_description,
};

use crate::app::{Kiosk, KioskError};
use crate::cli::{Cli, Command, SimulateAction, StatsArgs};
use crate::config::Config;
use crate::devices::{doctor, simulator};
use crate::domain::timing::{Spread, summarize};
use crate::store::{DATABASE_FILE, Store};

const DAY: &[BorrowedFormatItem<'_>] = format_description!("[year]-[month]-[day]");

pub fn dispatch(cli: &Cli) -> Result<(), KioskError> {
    let (config, source) = Config::load(cli.config.as_deref())?;
    let data_dir = config.data_dir(cli.data_dir.as_deref());
    match &cli.command {
        None | Some(Command::Run) => {
            tracing::info!(config = %source, data_dir = %data_dir.display(), version = env!("CARGO_PKG_VERSION"), "starting member-kiosk");
            Kiosk::build(&config, &data_dir)?.run()
        }
        Some(Command::CheckConfig) => {
            println!("configuration OK ({source})");
            println!("data directory: {}", data_dir.display());
            println!();
            print!(
                "{}",
                toml::to_string_pretty(&config).map_err(|e| KioskError::Usage(e.to_string()))?
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
        Some(Command::Stats(args)) => {
            print!(
                "{}",
                stats(&data_dir, args, OffsetDateTime::now_utc().date())?
            );
            Ok(())
        }
    }
}

/// The `stats` report for the period the arguments select, `today` being the UTC date.
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
