//! Logging with `tracing` to standard error (the journal under systemd). `RUST_LOG`
//! overrides the default `info` level. [`LogBudget`] keeps a flood of one kind of event (a
//! scanner stuck in continuous mode sends millions of lines) from flooding the journal and
//! wearing the SD card: one line per event at first, then one summary per interval.
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        // Colour codes only for a person at a terminal, not in the journal or a log file.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// How often a flooded kind of event is summarised.
pub const SUMMARY_INTERVAL: Duration = Duration::from_secs(10);

/// Rations log lines for one kind of event. Thread-safe: device threads share one.
pub struct LogBudget {
    what: &'static str,
    interval: Duration,
    /// (start of the current interval, events logged in it, events only counted in it).
    state: Mutex<Option<(Instant, u32, u64)>>,
}

/// Events logged one by one in each interval before the rest are only counted.
const LINES_PER_INTERVAL: u32 = 3;

impl LogBudget {
    pub const fn new(what: &'static str, interval: Duration) -> LogBudget {
        LogBudget {
            what,
            interval,
            state: Mutex::new(None),
        }
    }

    /// Notes one event at `now`; true when it may be logged on its own line. When an
    /// interval with uncounted events has passed, logs their summary first.
    pub fn allow(&self, now: Instant) -> bool {
        let Ok(mut state) = self.state.lock() else {
            return false;
        };
        let (start, logged, counted) = state.get_or_insert((now, 0, 0));
        if now.duration_since(*start) >= self.interval {
            if *counted > 0 {
                tracing::warn!(
                    "{}: {} more in the last {} s",
                    self.what,
                    *counted,
                    now.duration_since(*start).as_secs()
                );
            }
            (*start, *logged, *counted) = (now, 0, 0);
        }
        if *logged < LINES_PER_INTERVAL {
            *logged += 1;
            true
        } else {
            *counted += 1;
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_gets_a_few_lines_then_a_count() {
        let budget = LogBudget::new("scan rejected", Duration::from_secs(10));
        let t0 = Instant::now();
        let allowed = (0..1_000_000)
            .filter(|i| budget.allow(t0 + Duration::from_micros(*i)))
            .count();
        assert_eq!(allowed, 3, "one second of flood: three lines");
        assert!(budget.allow(t0 + Duration::from_secs(11)), "a new interval");
        let state = budget.state.lock().unwrap().expect("started");
        assert_eq!(
            (state.1, state.2),
            (1, 0),
            "the count was summarised and reset"
        );
    }
}
