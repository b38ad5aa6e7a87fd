//! Domain values as adapter properties, the same way on every screen: texts in every
//! language (indexed like `KioskAdapter.language-index`), counts as Slint's `int`
//! (saturating, never wrapping), and why a member code was refused.
use slint::{ModelRc, SharedString, VecModel};

use super::CodeProblem;
use crate::domain::localized::LocalizedText;
use crate::domain::member_code::CodeError;

/// A text in each language, in the order of `Language::ALL`; empty for `None`.
pub fn names(text: Option<&LocalizedText>) -> ModelRc<SharedString> {
    let all = text
        .map(|t| t.all().map(SharedString::from).to_vec())
        .unwrap_or_default();
    ModelRc::new(VecModel::from(all))
}

/// A count or amount as Slint's `int`, saturating at its bounds.
pub fn int(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(if n < 0 { i32::MIN } else { i32::MAX })
}

/// A `usize` as Slint's `int`, saturating.
pub fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Why a scanned code was refused, as the pages say it.
pub fn code_problem(e: CodeError) -> CodeProblem {
    match e {
        CodeError::Malformed | CodeError::UnknownVersion => CodeProblem::NotACode,
        CodeError::Forged => CodeProblem::Forged,
        CodeError::Expired | CodeError::NotYetValid => CodeProblem::Expired,
        CodeError::UnknownKey => CodeProblem::UnknownKey,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_saturate_rather_than_wrap() {
        assert_eq!(int(5), 5);
        assert_eq!(int(i64::MAX), i32::MAX);
        assert_eq!(int(i64::MIN), i32::MIN);
        assert_eq!(count(usize::MAX), i32::MAX);
    }
}
