//! A survey comment's rules: at most 500 characters, no control characters (a comment
//! carrying escape sequences or NULs is refused, not cleaned), surrounding space trimmed.
//! The on-screen keyboard stops at the limit; the store checks again.

pub const MAX_CHARS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CommentError {
    #[error("a comment is at most 500 characters")]
    TooLong,
    #[error("a comment cannot contain control characters")]
    ControlCharacters,
}

/// The comment as kept: trimmed, or why it is refused.
pub fn clean(text: &str) -> Result<String, CommentError> {
    if text.chars().any(char::is_control) {
        return Err(CommentError::ControlCharacters);
    }
    let trimmed = text.trim();
    if trimmed.chars().count() > MAX_CHARS {
        return Err(CommentError::TooLong);
    }
    Ok(trimmed.to_owned())
}

/// Whether `typed` may be added to `so_far` on the keyboard.
pub fn may_type(so_far: &str, typed: &str) -> bool {
    !typed.is_empty()
        && !typed.chars().any(char::is_control)
        && so_far.chars().count() + typed.chars().count() <= MAX_CHARS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules() {
        assert_eq!(clean("  Nice tea  "), Ok("Nice tea".into()));
        assert_eq!(clean("好喝"), Ok("好喝".into()));
        assert_eq!(clean(&"字".repeat(500)), Ok("字".repeat(500)));
        assert_eq!(clean(&"字".repeat(501)), Err(CommentError::TooLong));
        assert_eq!(clean(&"x".repeat(10_000)), Err(CommentError::TooLong));
        for bad in ["a\u{1b}[2Jb", "a\nb", "\u{0}", "a\u{85}b", "\u{7f}"] {
            assert_eq!(clean(bad), Err(CommentError::ControlCharacters), "{bad:?}");
        }
        assert!(may_type("abc", "d"));
        assert!(!may_type(&"x".repeat(500), "y"));
        assert!(!may_type("abc", "\u{8}"));
        assert!(!may_type("abc", ""));
    }
}
