//! The rules for "My points" by phone number: nothing personal is shown without the
//! one-time code the CRM texts to that number. A code allows at most 5 tries (fewer if the
//! CRM says so), and a new one can be asked for only after 60 s (longer if the CRM says
//! so), so a stranger who knows the number can neither guess nor flood the owner's phone.
use std::time::{Duration, Instant};

pub const MAX_TRIES: u32 = 5;
pub const MIN_RESEND_WAIT: Duration = Duration::from_secs(60);
/// The codes the CRM sends are 4 to 8 digits.
pub const CODE_DIGITS: std::ops::RangeInclusive<usize> = 4..=8;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeAttempt {
    pub verification_id: String,
    tries_left: u32,
    resend_at: Instant,
}

impl CodeAttempt {
    /// A code was sent at `now`; the CRM may ask for a longer wait before the next.
    pub fn sent(verification_id: String, now: Instant, resend_after_secs: Option<u64>) -> Self {
        let wait = Duration::from_secs(resend_after_secs.unwrap_or(0)).max(MIN_RESEND_WAIT);
        CodeAttempt {
            verification_id,
            tries_left: MAX_TRIES,
            resend_at: now + wait,
        }
    }

    pub fn tries_left(&self) -> u32 {
        self.tries_left
    }

    /// Whether the customer may try the code they typed.
    pub fn may_try(&self, code: &str) -> bool {
        self.tries_left > 0
            && CODE_DIGITS.contains(&code.len())
            && code.bytes().all(|b| b.is_ascii_digit())
    }

    /// A wrong code: one try fewer, or what the CRM says is left if that is fewer.
    pub fn wrong(&mut self, crm_attempts_left: u32) {
        self.tries_left = self.tries_left.saturating_sub(1).min(crm_attempts_left);
    }

    /// Time until a new code may be asked for; `None` once it may.
    pub fn resend_wait(&self, now: Instant) -> Option<Duration> {
        self.resend_at
            .checked_duration_since(now)
            .filter(|d| !d.is_zero())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_tries_at_most_and_the_crm_may_allow_fewer() {
        let t0 = Instant::now();
        let mut a = CodeAttempt::sent("v1".into(), t0, None);
        assert!(a.may_try("123456"));
        assert!(!a.may_try("12"), "too short");
        assert!(!a.may_try("12345a"), "digits only");
        for left in (0..5).rev() {
            a.wrong(99);
            assert_eq!(a.tries_left(), left);
        }
        assert!(!a.may_try("123456"), "a dead code");
        let mut b = CodeAttempt::sent("v2".into(), t0, None);
        b.wrong(1);
        assert_eq!(b.tries_left(), 1, "the CRM's count wins when lower");
    }

    #[test]
    fn a_new_code_waits_at_least_a_minute() {
        let t0 = Instant::now();
        let a = CodeAttempt::sent("v".into(), t0, Some(30));
        assert_eq!(a.resend_wait(t0), Some(MIN_RESEND_WAIT));
        assert_eq!(a.resend_wait(t0 + Duration::from_secs(60)), None);
        let b = CodeAttempt::sent("v".into(), t0, Some(120));
        assert_eq!(
            b.resend_wait(t0 + Duration::from_secs(60)),
            Some(Duration::from_secs(60))
        );
    }
}
