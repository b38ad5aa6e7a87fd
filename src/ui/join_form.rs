//! The join-by-phone form: digits typed, live validation, consents, what still stands
//! between the customer and Join, and the moments the timing telemetry needs. Plain Rust;
//! the join controller maps it onto `JoinAdapter`.
use std::time::Instant;

use crate::domain::phone::{E164, PhoneCheck, PhoneProblem, check_mobile};
use crate::domain::region::Region;

/// More digits than any number has; further keys are ignored so the display cannot overflow.
const MAX_DIGITS: usize = 18;

/// What the validation says of the number so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberStatus {
    Empty,
    Incomplete,
    Valid,
    TooLong,
    NotMobile,
    Invalid,
    BadCharacters,
}

/// What the customer still has to do before Join works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Nothing,
    Number,
    Consent,
}

#[derive(Debug)]
pub struct JoinForm {
    regions: Vec<Region>,
    region_index: usize,
    digits: String,
    check: PhoneCheck,
    /// The last key typed was not a digit (physical keyboard or keyboard-wedge scanner).
    rejected_input: bool,
    pub privacy_consent: bool,
    pub marketing_opt_in: bool,
    pub submitting: bool,
    /// The last Join could not be saved.
    pub save_failed: bool,
    pub privacy_notice_open: bool,
    pub region_picker_open: bool,
    pub first_touch: Option<Instant>,
    pub number_valid_at: Option<Instant>,
    /// "Join with this card": the unknown card tapped before, linked by the sign-up.
    pub card_uid: Option<String>,
}

impl JoinForm {
    pub fn new(regions: Vec<Region>, default_region: Region) -> JoinForm {
        let region_index = regions
            .iter()
            .position(|r| *r == default_region)
            .unwrap_or(0);
        JoinForm {
            regions,
            region_index,
            digits: String::new(),
            check: PhoneCheck::Empty,
            rejected_input: false,
            privacy_consent: false,
            marketing_opt_in: false,
            submitting: false,
            save_failed: false,
            privacy_notice_open: false,
            region_picker_open: false,
            first_touch: None,
            number_valid_at: None,
            card_uid: None,
        }
    }

    /// Back to a blank form for the next customer (consents unticked, default region).
    pub fn reset(&mut self, default_region: Region) {
        *self = JoinForm::new(std::mem::take(&mut self.regions), default_region);
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

    pub fn status(&self) -> NumberStatus {
        if self.rejected_input {
            return NumberStatus::BadCharacters;
        }
        match &self.check {
            PhoneCheck::Empty => NumberStatus::Empty,
            PhoneCheck::Incomplete => NumberStatus::Incomplete,
            PhoneCheck::Valid(_) => NumberStatus::Valid,
            PhoneCheck::Invalid(PhoneProblem::TooLong) => NumberStatus::TooLong,
            PhoneCheck::Invalid(PhoneProblem::NotMobile) => NumberStatus::NotMobile,
            PhoneCheck::Invalid(PhoneProblem::BadCharacters) => NumberStatus::BadCharacters,
            PhoneCheck::Invalid(PhoneProblem::Invalid) => NumberStatus::Invalid,
        }
    }

    /// Join is possible the moment the number is valid and the privacy notice accepted.
    pub fn can_join(&self) -> bool {
        self.status() == NumberStatus::Valid && self.privacy_consent && !self.submitting
    }

    pub fn missing(&self) -> Missing {
        if self.status() != NumberStatus::Valid {
            Missing::Number
        } else if !self.privacy_consent {
            Missing::Consent
        } else {
            Missing::Nothing
        }
    }

    pub fn region_index(&self) -> usize {
        self.region_index
    }

    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    /// Digits grouped in fours for reading back.
    pub fn display_number(&self) -> String {
        let mut out = String::with_capacity(self.digits.len() + self.digits.len() / 4);
        for (i, c) in self.digits.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push(' ');
            }
            out.push(c);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(state: &mut JoinForm, digits: &str) {
        for c in digits.chars() {
            state.push_digit(&c.to_string());
        }
    }

    #[test]
    fn join_needs_a_valid_number_and_consent() {
        let mut s = JoinForm::new(Region::ALL.to_vec(), Region::HK);
        typed(&mut s, "9123456");
        assert_eq!(s.missing(), Missing::Number);
        s.privacy_consent = true;
        assert!(!s.can_join());
        typed(&mut s, "7");
        assert!(s.can_join());
        assert_eq!(s.missing(), Missing::Nothing);
        assert!(s.number_valid_at.is_some());
        s.privacy_consent = false;
        assert!(!s.can_join());
        assert_eq!(s.missing(), Missing::Consent, "Join says to tick the box");
    }

    #[test]
    fn letters_from_a_keyboard_show_a_message_until_the_next_digit() {
        let mut s = JoinForm::new(Region::ALL.to_vec(), Region::HK);
        typed(&mut s, "9123");
        s.typed("x");
        assert_eq!(s.status(), NumberStatus::BadCharacters);
        assert_eq!(s.display_number(), "9123");
        s.typed("4");
        assert_eq!(s.status(), NumberStatus::Incomplete);
        s.typed("\u{f700}"); // an arrow key
        assert_eq!(s.status(), NumberStatus::Incomplete);
    }

    #[test]
    fn changing_region_revalidates() {
        let mut s = JoinForm::new(vec![Region::HK, Region::CN], Region::HK);
        typed(&mut s, "91234567");
        assert_eq!(s.status(), NumberStatus::Valid);
        s.choose_region(1);
        assert_eq!(s.status(), NumberStatus::Incomplete);
    }
}
