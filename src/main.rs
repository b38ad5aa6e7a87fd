//! Entry point: parse the command line, start logging, run the chosen command.
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = member_kiosk::cli::Cli::parse();
    member_kiosk::logging::init();
    match member_kiosk::commands::dispatch(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("member-kiosk: {e}");
            ExitCode::FAILURE
        }
    }
}
