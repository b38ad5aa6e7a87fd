//! Command-line interface (clap): run the kiosk, check the configuration, print sign-up
//! timing statistics, check devices, sync once, requeue rejected events, print a member
//! code, hash a staff PIN, drive the simulated devices.
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "member-kiosk", version, about = "In-store membership kiosk")]
pub struct Cli {
    /// Configuration file [default: /etc/member-kiosk/kiosk.toml if present, else built-in defaults]
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Data directory holding the database (overrides storage.data_dir)
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the kiosk (the default)
    Run,
    /// Validate the configuration and print the effective settings
    CheckConfig,
    /// Median and p95 of sign-up durations: the whole flow and the system's share
    Stats(StatsArgs),
    /// Check the wiring: list serial ports, open the configured scanner and NFC reader,
    /// print the PN532 firmware and wait for one scan and one card tap
    Doctor {
        /// Seconds to wait for each scan or tap
        #[arg(long, default_value_t = 30)]
        wait: u64,
    },
    /// Push the queued events to the CRM and pull its changes once, then print the sync
    /// state (the running kiosk does this continuously)
    Sync,
    /// Put events the CRM rejected back in the queue, after the CRM has been fixed; the
    /// running kiosk sends them with its next round
    RequeueRejected {
        /// Only this event (its id, as `sync` and staff mode list them)
        #[arg(long, value_name = "ID")]
        id: Option<String>,
    },
    /// Send the events still readable in a damaged database the kiosk set aside at start
    /// (kiosk.db.corrupt-…): they are queued here and go with the next sync round
    Recover {
        /// The damaged database file
        file: PathBuf,
    },
    /// Print a member's code (the digits and a QR code for the terminal), to reprint it for
    /// a member who lost theirs; valid for `[loyalty] member_code_valid_days`
    MemberCode {
        /// The member's id (the kiosk's or the CRM's)
        member_id: String,
    },
    /// Write data as CSV to standard output, for a shop without a CRM
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// Make the hash of a staff PIN (6 to 12 digits) for `[[staff.members]] pin_hash`: reads
    /// the PIN from standard input (twice, without echo, on a terminal) so it stays out of
    /// the shell's history, and prints the argon2id hash
    HashPin,
    /// Send a simulated scan or card tap to the kiosk running with simulated devices
    Simulate {
        #[command(subcommand)]
        action: SimulateAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportWhat {
    /// Every survey response (an answer a row; abandoned ones with no answers) started in
    /// the period, in the shop's time (`kiosk.utc_offset`)
    Surveys {
        /// First day (YYYY-MM-DD)
        #[arg(long, value_name = "DATE")]
        since: String,
        /// Last day, included (YYYY-MM-DD) [default: today]
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum SimulateAction {
    /// A code read by the scanner, e.g. the digits of a member code
    Scan { text: String },
    /// A card presented to the reader, by its UID in hex (e.g. 04A1B2C3)
    Tap { uid: String },
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// First day of the period (YYYY-MM-DD, UTC) [default: DAYS days before --until]
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Day after the period (YYYY-MM-DD, UTC) [default: tomorrow]
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Length of the period in days when --since is not given
    #[arg(long, default_value_t = 7)]
    pub days: u32,
}
