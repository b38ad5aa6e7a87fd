//! Sign-up timing telemetry: the four moments of a sign-up on the monotonic clock, turned
//! into durations without personal data, and the median/p95 summary `member-kiosk stats`
//! prints.
use std::time::{Duration, Instant};

/// Monotonic timestamps of one sign-up.
#[derive(Debug, Clone, Copy)]
pub struct SignupMoments {
    /// The customer's first touch of the flow (the Join tap on the attract screen).
    pub first_touch: Instant,
    /// When the typed number last became valid before Join was tapped.
    pub number_valid: Instant,
    pub join_tapped: Instant,
    pub welcome_shown: Instant,
}

/// The durations stored per sign-up, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignupTiming {
    pub touch_to_valid_ms: u64,
    pub valid_to_join_ms: u64,
    /// The system's own share: from the Join tap to the welcome screen (includes the commit).
    pub join_to_welcome_ms: u64,
}

impl SignupTiming {
    pub fn from_moments(m: &SignupMoments) -> SignupTiming {
        let ms = |later: Instant, earlier: Instant| -> u64 {
            u64::try_from(later.saturating_duration_since(earlier).as_millis()).unwrap_or(u64::MAX)
        };
        SignupTiming {
            touch_to_valid_ms: ms(m.number_valid, m.first_touch),
            valid_to_join_ms: ms(m.join_tapped, m.number_valid),
            join_to_welcome_ms: ms(m.welcome_shown, m.join_tapped),
        }
    }

    pub fn total_ms(&self) -> u64 {
        self.touch_to_valid_ms
            .saturating_add(self.valid_to_join_ms)
            .saturating_add(self.join_to_welcome_ms)
    }
}

/// Median and 95th percentile of a set of durations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spread {
    pub median: Duration,
    pub p95: Duration,
}

/// Summary over a period: the whole flow and the system's share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimingSummary {
    pub count: usize,
    pub whole_flow: Option<Spread>,
    pub system_share: Option<Spread>,
}

/// Nearest-rank percentile (`p` in 0..=100) of sorted values; `None` when empty.
pub fn percentile(sorted: &[u64], p: u32) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (u64::from(p.min(100)) * sorted.len() as u64).div_ceil(100);
    let index = usize::try_from(rank.max(1) - 1).unwrap_or(0);
    sorted.get(index.min(sorted.len() - 1)).copied()
}

fn spread(mut values: Vec<u64>) -> Option<Spread> {
    values.sort_unstable();
    Some(Spread {
        median: Duration::from_millis(percentile(&values, 50)?),
        p95: Duration::from_millis(percentile(&values, 95)?),
    })
}

pub fn summarize(timings: &[SignupTiming]) -> TimingSummary {
    TimingSummary {
        count: timings.len(),
        whole_flow: spread(timings.iter().map(SignupTiming::total_ms).collect()),
        system_share: spread(timings.iter().map(|t| t.join_to_welcome_ms).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_come_from_the_four_moments() {
        let t0 = Instant::now();
        let m = SignupMoments {
            first_touch: t0,
            number_valid: t0 + Duration::from_millis(2_500),
            join_tapped: t0 + Duration::from_millis(3_100),
            welcome_shown: t0 + Duration::from_millis(3_112),
        };
        let t = SignupTiming::from_moments(&m);
        assert_eq!(t.touch_to_valid_ms, 2_500);
        assert_eq!(t.valid_to_join_ms, 600);
        assert_eq!(t.join_to_welcome_ms, 12);
        assert_eq!(t.total_ms(), 3_112);
    }

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50), Some(50));
        assert_eq!(percentile(&v, 95), Some(95));
        assert_eq!(percentile(&[7], 95), Some(7));
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&[1, 2, 3, 4], 50), Some(2));
    }

    #[test]
    fn summary_separates_whole_flow_from_system_share() {
        let timings: Vec<SignupTiming> = (0..20)
            .map(|i| SignupTiming {
                touch_to_valid_ms: 3_000,
                valid_to_join_ms: 500,
                join_to_welcome_ms: 10 + i,
            })
            .collect();
        let s = summarize(&timings);
        assert_eq!(s.count, 20);
        let system = s.system_share.expect("values present");
        assert_eq!(system.median, Duration::from_millis(19));
        assert_eq!(system.p95, Duration::from_millis(28));
        let whole = s.whole_flow.expect("values present");
        assert_eq!(whole.median, Duration::from_millis(3_519));
        assert_eq!(summarize(&[]).whole_flow, None);
    }
}
