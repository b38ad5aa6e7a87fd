//! Guessing codes and cards is slowed down: after `max_misses` unknown or refused ones
//! within a minute, lookups pause (30 s by default). A valid code does not wipe the misses,
//! so interleaving one's own card between guesses gains nothing.
use std::collections::VecDeque;
use std::time::{Duration, Instant};

pub const WINDOW: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct LookupThrottle {
    max_misses: usize,
    pause: Duration,
    misses: VecDeque<Instant>,
    paused_until: Option<Instant>,
}

impl LookupThrottle {
    pub fn new(max_misses: u32, pause: Duration) -> Self {
        LookupThrottle {
            max_misses: usize::try_from(max_misses.max(1)).unwrap_or(5),
            pause,
            misses: VecDeque::new(),
            paused_until: None,
        }
    }

    /// While paused: the time left.
    pub fn paused(&self, now: Instant) -> Option<Duration> {
        self.paused_until
            .and_then(|until| until.checked_duration_since(now))
            .filter(|left| !left.is_zero())
    }

    /// Counts an unknown or refused code or card. Returns true when this miss starts a pause.
    pub fn miss(&mut self, now: Instant) -> bool {
        while self
            .misses
            .front()
            .is_some_and(|t| now.duration_since(*t) >= WINDOW)
        {
            self.misses.pop_front();
        }
        self.misses.push_back(now);
        if self.misses.len() >= self.max_misses {
            self.misses.clear();
            self.paused_until = Some(now + self.pause);
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_misses_in_a_minute_pause_lookups_for_the_pause() {
        let t0 = Instant::now();
        let mut throttle = LookupThrottle::new(5, Duration::from_secs(30));
        for i in 0..4 {
            assert!(!throttle.miss(t0 + Duration::from_secs(i * 10)));
        }
        assert_eq!(throttle.paused(t0 + Duration::from_secs(40)), None);
        assert!(
            throttle.miss(t0 + Duration::from_secs(45)),
            "the fifth within a minute"
        );
        assert_eq!(
            throttle.paused(t0 + Duration::from_secs(50)),
            Some(Duration::from_secs(25))
        );
        assert_eq!(
            throttle.paused(t0 + Duration::from_secs(75)),
            None,
            "over after 30 s"
        );
    }

    #[test]
    fn misses_spread_over_more_than_a_minute_never_pause() {
        let t0 = Instant::now();
        let mut throttle = LookupThrottle::new(5, Duration::from_secs(30));
        for i in 0..20 {
            assert!(!throttle.miss(t0 + Duration::from_secs(i * 16)), "miss {i}");
        }
    }
}
