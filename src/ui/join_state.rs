//! State of the join-by-phone screen: digits typed, live validation, consents, and the
//! moments the timing telemetry needs. Plain Rust, rendered into `JoinAdapter` by
//! [`JoinState::render`].
use std::time::Instant;

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use super::{AppWindow, JoinAdapter, JoinProblem, PhoneStatus, RegionOption};
use crate::domain::phone::{E164, PhoneCheck, PhoneProblem, check_mobile};
use crate::domain::region::Region;

/// More digits than any number has; further keys are ignored so the display cannot overflow.
const MAX_DIGITS: usize = 18;

#[derive(Debug)]
pub struct JoinState {
    regions: Vec<Region>,
    region_index: usize,
    digits: String,
    check: PhoneCheck,
    /// The last key typed was not a digit (physical keyboard or keyboard-wedge scanner).
    rejected_input: bool,
    pub privacy_consent: bool,
    pub marketing_opt_in: bool,
    pub submitting: bool,
    pub problem: JoinProblem,
    pub privacy_notice_open: bool,
    pub region_picker_open: bool,
    pub first_touch: Option<Instant>,
    pub number_valid_at: Option<Instant>,
}

impl JoinState {
    pub fn new(regions: Vec<Region>, default_region: Region) -> JoinState {
        let region_index = regions
            .iter()
            .position(|r| *r == default_region)
            .unwrap_or(0);
        JoinState {
            regions,
            region_index,
            digits: String::new(),
            check: PhoneCheck::Empty,
            rejected_input: false,
            privacy_consent: false,
            marketing_opt_in: false,
            submitting: false,
            problem: JoinProblem::None,
            privacy_notice_open: false,
            region_picker_open: false,
            first_touch: None,
            number_valid_at: None,
        }
    }

    /// Back to a blank form for the next customer (consents unticked, default region).
    pub fn reset(&mut self, default_region: Region) {
        *self = JoinState::new(std::mem::take(&mut self.regions), default_region);
    }

    pub fn region(&self) -> Region {
        self.regions
            .get(self.region_index)
            .copied()
            .unwrap_or(Region::HK)
    }

    pub fn push_digit(&mut self, digit: &str) {
        if digit.len() == 1 && digit.bytes().all(|b| b.is_ascii_digit()) {
            if self.digits.len() < MAX_DIGITS {
                self.digits.push_str(digit);
            }
            self.rejected_input = false;
            self.revalidate();
        }
    }

    /// Text from a physical keyboard: digits are typed, anything printable is refused with a
    /// message, Slint's special keys (arrows, function keys: private-use characters) ignored.
    pub fn typed(&mut self, text: &str) {
        if text.chars().all(|c| c.is_ascii_digit()) && !text.is_empty() {
            for c in text.chars() {
                self.push_digit(c.encode_utf8(&mut [0; 4]));
            }
        } else if text
            .chars()
            .any(|c| !c.is_control() && !('\u{e000}'..='\u{f8ff}').contains(&c))
        {
            self.rejected_input = true;
        }
    }

    pub fn backspace(&mut self) {
        self.digits.pop();
        self.rejected_input = false;
        self.revalidate();
    }

    pub fn clear(&mut self) {
        self.digits.clear();
        self.rejected_input = false;
        self.revalidate();
    }

    pub fn choose_region(&mut self, index: usize) {
        if index < self.regions.len() {
            self.region_index = index;
            self.region_picker_open = false;
            self.revalidate();
        }
    }

    fn revalidate(&mut self) {
        let was_valid = matches!(self.check, PhoneCheck::Valid(_));
        self.check = check_mobile(self.region(), &self.digits);
        if matches!(self.check, PhoneCheck::Valid(_)) && !was_valid {
            self.number_valid_at = Some(Instant::now());
        }
    }

    /// The number, if it is a valid mobile number.
    pub fn valid_number(&self) -> Option<&E164> {
        match &self.check {
            PhoneCheck::Valid(n) => Some(n),
            _ => None,
        }
    }

    pub fn status(&self) -> PhoneStatus {
        if self.rejected_input {
            return PhoneStatus::BadCharacters;
        }
        match &self.check {
            PhoneCheck::Empty => PhoneStatus::Empty,
            PhoneCheck::Incomplete => PhoneStatus::Incomplete,
            PhoneCheck::Valid(_) => PhoneStatus::Valid,
            PhoneCheck::Invalid(PhoneProblem::TooLong) => PhoneStatus::TooLong,
            PhoneCheck::Invalid(PhoneProblem::NotMobile) => PhoneStatus::NotMobile,
            PhoneCheck::Invalid(PhoneProblem::BadCharacters) => PhoneStatus::BadCharacters,
            PhoneCheck::Invalid(PhoneProblem::Invalid) => PhoneStatus::Invalid,
        }
    }

    /// Join is possible the moment the number is valid and the privacy notice accepted.
    pub fn can_join(&self) -> bool {
        self.status() == PhoneStatus::Valid && self.privacy_consent && !self.submitting
    }

    /// Digits grouped in fours for reading back.
    fn display_number(&self) -> String {
        let mut out = String::with_capacity(self.digits.len() + self.digits.len() / 4);
        for (i, c) in self.digits.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push(' ');
            }
            out.push(c);
        }
        out
    }

    pub fn render(&self, app: &AppWindow) {
        let adapter = app.global::<JoinAdapter>();
        adapter.set_region_index(i32::try_from(self.region_index).unwrap_or(0));
        adapter.set_display_number(SharedString::from(self.display_number()));
        adapter.set_status(self.status());
        adapter.set_privacy_consent(self.privacy_consent);
        adapter.set_marketing_opt_in(self.marketing_opt_in);
        adapter.set_submitting(self.submitting);
        adapter.set_can_join(self.can_join());
        adapter.set_problem(self.problem);
        adapter.set_privacy_notice_open(self.privacy_notice_open);
        adapter.set_region_picker_open(self.region_picker_open);
    }

    /// The region chips never change while running; set once.
    pub fn render_regions(&self, app: &AppWindow) {
        let options: Vec<RegionOption> = self
            .regions
            .iter()
            .map(|r| RegionOption {
                code: r.code().into(),
                dial: r.dial_prefix().into(),
            })
            .collect();
        app.global::<JoinAdapter>()
            .set_regions(ModelRc::new(VecModel::from(options)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(state: &mut JoinState, digits: &str) {
        for c in digits.chars() {
            state.push_digit(&c.to_string());
        }
    }

    #[test]
    fn join_needs_a_valid_number_and_consent() {
        let mut s = JoinState::new(Region::ALL.to_vec(), Region::HK);
        typed(&mut s, "9123456");
        s.privacy_consent = true;
        assert!(!s.can_join());
        typed(&mut s, "7");
        assert!(s.can_join());
        assert!(s.number_valid_at.is_some());
        s.privacy_consent = false;
        assert!(!s.can_join());
    }

    #[test]
    fn letters_from_a_keyboard_show_a_message_until_the_next_digit() {
        let mut s = JoinState::new(Region::ALL.to_vec(), Region::HK);
        typed(&mut s, "9123");
        s.typed("x");
        assert_eq!(s.status(), PhoneStatus::BadCharacters);
        assert_eq!(s.display_number(), "9123");
        s.typed("4");
        assert_eq!(s.status(), PhoneStatus::Incomplete);
        s.typed("\u{f700}"); // an arrow key
        assert_eq!(s.status(), PhoneStatus::Incomplete);
    }

    #[test]
    fn changing_region_revalidates() {
        let mut s = JoinState::new(vec![Region::HK, Region::CN], Region::HK);
        typed(&mut s, "91234567");
        assert_eq!(s.status(), PhoneStatus::Valid);
        s.choose_region(1);
        assert_eq!(s.status(), PhoneStatus::Incomplete);
    }
}
