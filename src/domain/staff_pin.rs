//! The staff-mode PIN gate: compares in constant time, counts wrong PINs in a row, and locks
//! for a while after too many, so a customer cannot guess their way in by trying PINs at
//! the counter. Time is passed in, so the rules are tested without waiting.
use std::time::{Duration, Instant};

/// What a PIN attempt led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinOutcome {
    Open,
    /// Wrong; this many tries are left before the lock.
    Wrong {
        tries_left: u32,
    },
    /// Locked for this much longer (this attempt was not checked).
    Locked {
        remaining: Duration,
    },
}

#[derive(Debug, Clone)]
pub struct PinGate {
    pin: String,
    max_attempts: u32,
    lockout: Duration,
    failures: u32,
    locked_until: Option<Instant>,
}

impl PinGate {
    pub fn new(pin: &str, max_attempts: u32, lockout: Duration) -> PinGate {
        PinGate {
            pin: pin.to_owned(),
            max_attempts: max_attempts.max(1),
            lockout,
            failures: 0,
            locked_until: None,
        }
    }

    /// How many digits the PIN has (the entry completes itself at that length).
    pub fn length(&self) -> usize {
        self.pin.len()
    }

    /// How much longer the gate stays locked at `now`, if it is.
    pub fn locked_for(&self, now: Instant) -> Option<Duration> {
        self.locked_until
            .and_then(|until| until.checked_duration_since(now))
            .filter(|d| !d.is_zero())
    }

    pub fn attempt(&mut self, entered: &str, now: Instant) -> PinOutcome {
        if let Some(remaining) = self.locked_for(now) {
            return PinOutcome::Locked { remaining };
        }
        if constant_time_eq(entered.as_bytes(), self.pin.as_bytes()) {
            self.failures = 0;
            self.locked_until = None;
            return PinOutcome::Open;
        }
        self.failures += 1;
        if self.failures >= self.max_attempts {
            self.failures = 0;
            self.locked_until = Some(now + self.lockout);
            return PinOutcome::Locked {
                remaining: self.lockout,
            };
        }
        PinOutcome::Wrong {
            tries_left: self.max_attempts - self.failures,
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut difference = a.len() ^ b.len();
    for (i, byte) in b.iter().enumerate() {
        difference |= usize::from(a.get(i).copied().unwrap_or(0) ^ byte);
    }
    difference == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_right_pin_opens_and_resets_the_count() {
        let now = Instant::now();
        let mut gate = PinGate::new("2468", 3, Duration::from_secs(60));
        assert_eq!(
            gate.attempt("1111", now),
            PinOutcome::Wrong { tries_left: 2 }
        );
        assert_eq!(gate.attempt("2468", now), PinOutcome::Open);
        assert_eq!(
            gate.attempt("1111", now),
            PinOutcome::Wrong { tries_left: 2 }
        );
        assert_eq!(
            gate.attempt("24680", now),
            PinOutcome::Wrong { tries_left: 1 }
        );
        assert_eq!(
            gate.attempt("246", now),
            PinOutcome::Locked {
                remaining: Duration::from_secs(60)
            }
        );
    }

    #[test]
    fn too_many_wrong_pins_lock_even_the_right_one_out_until_the_time_is_up() {
        let start = Instant::now();
        let mut gate = PinGate::new("2468", 2, Duration::from_secs(60));
        gate.attempt("0000", start);
        assert!(matches!(
            gate.attempt("0000", start),
            PinOutcome::Locked { .. }
        ));
        let later = start + Duration::from_secs(59);
        assert_eq!(
            gate.attempt("2468", later),
            PinOutcome::Locked {
                remaining: Duration::from_secs(1)
            }
        );
        assert_eq!(
            gate.attempt("2468", start + Duration::from_secs(60)),
            PinOutcome::Open
        );
    }
}
