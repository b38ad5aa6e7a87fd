//! The staff sign-in lock-out: after `max_attempts` wrong PINs in a row the kiosk locks
//! sign-in for 1 minute, then 5, 15 and 60 minutes for each further run of wrong PINs,
//! until a right PIN resets it. One lock for the whole kiosk, so cycling through staff
//! names gains nothing. Storage keeps this state, so a restart (or a pulled plug) does not
//! reset it; time is passed in as Unix milliseconds.
use std::time::Duration;

/// The lock after the 1st, 2nd, 3rd, and every later run of wrong PINs.
pub const STEPS: [Duration; 4] = [
    Duration::from_secs(60),
    Duration::from_secs(5 * 60),
    Duration::from_secs(15 * 60),
    Duration::from_secs(60 * 60),
];

/// What a wrong PIN led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterWrong {
    Wrong { tries_left: u32 },
    Locked { remaining: Duration },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Lockout {
    /// Wrong PINs since the last lock (or success).
    pub failures: u32,
    /// Locks since the last success: picks the next lock's length.
    pub locks: u32,
    /// Unix ms until which sign-in is locked; 0 for none.
    pub locked_until_ms: i64,
}

fn step(locks: u32) -> Duration {
    let i = usize::try_from(locks.saturating_sub(1)).unwrap_or(usize::MAX);
    STEPS[i.min(STEPS.len() - 1)]
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Lockout {
    /// How much longer sign-in stays locked at `now_ms`. A clock set back never makes a
    /// lock longer than its step.
    pub fn locked_for(&self, now_ms: i64) -> Option<Duration> {
        let left = self.locked_until_ms.saturating_sub(now_ms);
        if left <= 0 {
            return None;
        }
        let left = left.min(ms(step(self.locks)));
        Some(Duration::from_millis(u64::try_from(left).unwrap_or(0)))
    }

    /// Records a wrong PIN at `now_ms`.
    pub fn wrong(&mut self, max_attempts: u32, now_ms: i64) -> AfterWrong {
        self.failures += 1;
        if self.failures < max_attempts.max(1) {
            return AfterWrong::Wrong {
                tries_left: max_attempts.max(1) - self.failures,
            };
        }
        self.failures = 0;
        self.locks = self.locks.saturating_add(1);
        let lock = step(self.locks);
        self.locked_until_ms = now_ms.saturating_add(ms(lock));
        AfterWrong::Locked { remaining: lock }
    }

    /// A right PIN: everything is forgiven.
    pub fn right(&mut self) {
        *self = Lockout::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    #[test]
    fn locks_escalate_1_5_15_60_minutes_and_a_right_pin_resets_them() {
        let mut l = Lockout::default();
        let mut now = 1_000_000;
        for (run, minutes) in [1, 5, 15, 60, 60].into_iter().enumerate() {
            for tries_left in (1..5).rev() {
                assert_eq!(
                    l.wrong(5, now),
                    AfterWrong::Wrong { tries_left },
                    "run {run}"
                );
            }
            assert_eq!(
                l.wrong(5, now),
                AfterWrong::Locked {
                    remaining: Duration::from_secs(minutes * 60)
                },
                "run {run}"
            );
            assert!(l.locked_for(now + minutes as i64 * MIN - 1).is_some());
            now += minutes as i64 * MIN;
            assert_eq!(l.locked_for(now), None);
        }
        l.right();
        for _ in 0..5 {
            l.wrong(5, now);
        }
        assert_eq!(
            l.locked_for(now),
            Some(Duration::from_secs(60)),
            "back to 1 minute"
        );
    }

    #[test]
    fn a_clock_set_back_does_not_lengthen_a_lock() {
        let mut l = Lockout::default();
        l.wrong(1, 10 * MIN);
        assert_eq!(l.locked_for(0), Some(Duration::from_secs(60)));
    }
}
