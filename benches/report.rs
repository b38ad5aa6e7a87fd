//! Shared by the benchmarks: median and p99 of per-operation samples, printed after
//! criterion's summary (criterion itself reports means and medians, not tail latency).
use std::sync::Mutex;
use std::time::Duration;

use member_kiosk::domain::timing::percentile;

pub fn print_percentiles(name: &str, samples: &Mutex<Vec<Duration>>) {
    let mut micros: Vec<u64> = samples
        .lock()
        .map(|v| {
            v.iter()
                .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
                .collect()
        })
        .unwrap_or_default();
    micros.sort_unstable();
    let ms = |p| percentile(&micros, p).map_or(f64::NAN, |us| us as f64 / 1e3);
    if !micros.is_empty() {
        eprintln!(
            "{name}: {} samples, median {:.3} ms, p99 {:.3} ms, max {:.3} ms",
            micros.len(),
            ms(50),
            ms(99),
            ms(100)
        );
    }
}
