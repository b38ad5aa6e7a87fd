//! When to try again: exponential back-off with full jitter, capped, and the server's
//! `Retry-After` (seconds, or an HTTP date read against the response's own `Date` header so a
//! kiosk with a wrong clock still waits the right time). Pure: the caller supplies the
//! randomness and the headers.
use std::time::{Duration, SystemTime};

/// Full-jitter exponential back-off: attempt `n` waits a uniform random time in
/// `[0, min(cap, base × 2^n)]`.
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    attempt: u32,
}

impl Backoff {
    pub fn new(base: Duration, cap: Duration) -> Backoff {
        Backoff {
            base,
            cap: cap.max(base),
            attempt: 0,
        }
    }

    /// The ceiling of the next wait, before jitter.
    pub fn ceiling(&self) -> Duration {
        let factor = 1u32.checked_shl(self.attempt.min(31)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// The next wait, given `unit` uniform in `[0, 1)`; counts one more failure.
    pub fn next_delay(&mut self, unit: f64) -> Duration {
        let delay = self.ceiling().mul_f64(unit.clamp(0.0, 1.0));
        self.attempt = self.attempt.saturating_add(1);
        delay
    }

    /// The longest wait, for failures that more tries will not fix soon (a refused token).
    pub fn cap(&self) -> Duration {
        self.cap
    }

    /// A success: start again from the base.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    pub fn failures(&self) -> u32 {
        self.attempt
    }
}

/// How long `Retry-After` asks to wait, capped at `cap`. `date` is the response's `Date`
/// header: an HTTP-date `Retry-After` is measured from it, not from the kiosk's clock.
pub fn retry_after(value: &str, date: Option<&str>, cap: Duration) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds).min(cap));
    }
    let until = httpdate::parse_http_date(value).ok()?;
    let now = date
        .and_then(|d| httpdate::parse_http_date(d.trim()).ok())
        .unwrap_or_else(SystemTime::now);
    Some(until.duration_since(now).unwrap_or(Duration::ZERO).min(cap))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_exponentially_up_to_the_cap_and_reset_on_success() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(300));
        let ceilings: Vec<u64> = (0..12)
            .map(|_| {
                let c = b.ceiling().as_secs();
                b.next_delay(0.5);
                c
            })
            .collect();
        assert_eq!(ceilings, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]);
        for _ in 0..100 {
            b.next_delay(0.0);
        }
        assert_eq!(b.ceiling(), Duration::from_secs(300), "no overflow");
        b.reset();
        assert_eq!(b.ceiling(), Duration::from_secs(1));
    }

    #[test]
    fn jitter_spreads_the_whole_range() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
        for _ in 0..3 {
            b.next_delay(0.5);
        }
        let mut low = b.clone();
        let mut high = b.clone();
        assert_eq!(low.next_delay(0.0), Duration::ZERO);
        assert_eq!(
            high.next_delay(0.999_999),
            Duration::from_secs(8).mul_f64(0.999_999)
        );
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date_against_the_servers_clock() {
        let cap = Duration::from_secs(600);
        assert_eq!(retry_after("30", None, cap), Some(Duration::from_secs(30)));
        assert_eq!(retry_after("86400", None, cap), Some(cap));
        // The kiosk's clock is irrelevant: 120 s after the server's Date.
        assert_eq!(
            retry_after(
                "Wed, 21 Oct 2015 07:30:00 GMT",
                Some("Wed, 21 Oct 2015 07:28:00 GMT"),
                cap
            ),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            retry_after(
                "Wed, 21 Oct 2015 07:00:00 GMT",
                Some("Wed, 21 Oct 2015 07:28:00 GMT"),
                cap
            ),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon", None, cap), None);
    }
}
