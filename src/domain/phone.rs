//! Live validation and normalisation of the mobile number a customer types, using the
//! `phonenumber` crate's metadata. The result drives the join screen's message and the
//! E.164 form is the member's identity.
use phonenumber::metadata::DATABASE;
use phonenumber::{Mode, Type};

use super::region::Region;

/// No region has national numbers this long; longer input is refused before parsing.
const MAX_INPUT_DIGITS: usize = 17;

/// A phone number in E.164 form (`+85291234567`): the member's identity everywhere.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct E164(String);

impl E164 {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Wraps a value this program wrote to storage itself after validating it.
    pub fn from_stored(value: String) -> E164 {
        E164(value)
    }

    /// What may be shown on screen: only the last four digits (`****5678`).
    pub fn masked(&self) -> String {
        let digits: Vec<char> = self.0.chars().filter(char::is_ascii_digit).collect();
        let tail: String = digits[digits.len().saturating_sub(4)..].iter().collect();
        format!("****{tail}")
    }
}

impl std::fmt::Display for E164 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a number cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneProblem {
    #[error("only digits can be entered")]
    BadCharacters,
    #[error("too many digits for a number in this region")]
    TooLong,
    #[error("not a mobile number")]
    NotMobile,
    #[error("not a valid mobile number for this region")]
    Invalid,
}

/// The state of the number being typed, re-evaluated on every keystroke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneCheck {
    Empty,
    /// Could still become valid with more digits.
    Incomplete,
    Valid(E164),
    Invalid(PhoneProblem),
}

/// Checks `input` (as typed, national form, optionally with the trunk prefix such as
/// Taiwan's leading 0) as a mobile number of `region`. Regions that cannot tell mobile from
/// fixed lines by the number (`FixedLineOrMobile`) accept both.
pub fn check_mobile(region: Region, input: &str) -> PhoneCheck {
    let mut digits = String::with_capacity(input.len());
    for c in input.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' => {}
            _ => return PhoneCheck::Invalid(PhoneProblem::BadCharacters),
        }
    }
    if digits.is_empty() {
        return PhoneCheck::Empty;
    }
    if digits.len() > MAX_INPUT_DIGITS {
        return PhoneCheck::Invalid(PhoneProblem::TooLong);
    }
    let Some(meta) = DATABASE.by_id(region.code()) else {
        return PhoneCheck::Invalid(PhoneProblem::Invalid);
    };
    let national = match meta.national_prefix() {
        Some(prefix) if !prefix.is_empty() && digits.starts_with(prefix) => &digits[prefix.len()..],
        _ => digits.as_str(),
    };
    let descriptors = meta.descriptors();
    let lengths = descriptors
        .mobile()
        .map(|d| d.possible_length())
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| descriptors.general().possible_length());
    let (Some(&min), Some(&max)) = (lengths.first(), lengths.last()) else {
        return PhoneCheck::Invalid(PhoneProblem::Invalid);
    };
    let len = national.len();
    if len < usize::from(min) {
        return PhoneCheck::Incomplete;
    }
    if len > usize::from(max) {
        return PhoneCheck::Invalid(PhoneProblem::TooLong);
    }
    let parsed = phonenumber::parse(Some(region.country_id()), &digits)
        .ok()
        .filter(|n| n.is_valid() && n.country().id() == Some(region.country_id()));
    match parsed {
        Some(number) => match number.number_type(&DATABASE) {
            Type::Mobile | Type::FixedLineOrMobile => {
                PhoneCheck::Valid(E164(number.format().mode(Mode::E164).to_string()))
            }
            _ => PhoneCheck::Invalid(PhoneProblem::NotMobile),
        },
        None if len < usize::from(max) => PhoneCheck::Incomplete,
        None => PhoneCheck::Invalid(PhoneProblem::Invalid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(region: Region, input: &str) -> String {
        match check_mobile(region, input) {
            PhoneCheck::Valid(e164) => e164.0,
            other => panic!("{input} in {region}: expected valid, got {other:?}"),
        }
    }

    #[test]
    fn normalises_mobile_numbers_of_every_region_to_e164() {
        assert_eq!(valid(Region::HK, "91234567"), "+85291234567");
        assert_eq!(valid(Region::HK, "6123 4567"), "+85261234567");
        assert_eq!(valid(Region::TW, "0912345678"), "+886912345678");
        assert_eq!(valid(Region::TW, "912345678"), "+886912345678");
        assert_eq!(valid(Region::CN, "13812345678"), "+8613812345678");
        assert_eq!(valid(Region::MO, "66123456"), "+85366123456");
        assert_eq!(valid(Region::SG, "81234567"), "+6581234567");
        assert_eq!(valid(Region::MY, "0123456789"), "+60123456789");
    }

    #[test]
    fn partial_input_is_incomplete_not_an_error() {
        assert_eq!(check_mobile(Region::HK, ""), PhoneCheck::Empty);
        assert_eq!(check_mobile(Region::HK, "9"), PhoneCheck::Incomplete);
        assert_eq!(check_mobile(Region::HK, "9123456"), PhoneCheck::Incomplete);
        assert_eq!(
            check_mobile(Region::CN, "1381234567"),
            PhoneCheck::Incomplete
        );
    }

    #[test]
    fn rejects_junk_letters_and_overlong_input() {
        for junk in [
            "9123abcd",
            "+85291234567",
            "91234567\u{0}",
            "９１２３４５６７",
        ] {
            assert_eq!(
                check_mobile(Region::HK, junk),
                PhoneCheck::Invalid(PhoneProblem::BadCharacters),
                "{junk:?}"
            );
        }
        assert_eq!(
            check_mobile(Region::HK, "912345678"),
            PhoneCheck::Invalid(PhoneProblem::TooLong)
        );
        assert_eq!(
            check_mobile(Region::HK, &"9".repeat(40)),
            PhoneCheck::Invalid(PhoneProblem::TooLong)
        );
    }

    #[test]
    fn rejects_landlines_where_the_region_tells_them_apart() {
        // 2xxx xxxx is a Hong Kong fixed line.
        assert_eq!(
            check_mobile(Region::HK, "21234567"),
            PhoneCheck::Invalid(PhoneProblem::NotMobile)
        );
        // 6xxx xxxx is a Singapore fixed line.
        assert_eq!(
            check_mobile(Region::SG, "61234567"),
            PhoneCheck::Invalid(PhoneProblem::NotMobile)
        );
    }

    #[test]
    fn rejects_a_full_length_number_that_no_carrier_issues() {
        assert_eq!(
            check_mobile(Region::HK, "00000000"),
            PhoneCheck::Invalid(PhoneProblem::Invalid)
        );
    }

    #[test]
    fn masks_all_but_the_last_four_digits() {
        let PhoneCheck::Valid(n) = check_mobile(Region::HK, "91235678") else {
            panic!("valid number expected");
        };
        assert_eq!(n.masked(), "****5678");
    }
}
