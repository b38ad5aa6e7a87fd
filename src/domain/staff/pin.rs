//! Staff PINs: at least six digits, stored only as argon2id hashes in PHC form
//! (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`), so a copied config gives no PIN away
//! cheaply. `member-kiosk hash-pin` makes them; the kiosk only ever verifies.
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2};

pub const MIN_DIGITS: usize = 6;
pub const MAX_DIGITS: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    #[error("a PIN is {MIN_DIGITS} to {MAX_DIGITS} digits, nothing else")]
    Format,
    #[error("not an argon2id hash (`$argon2id$v=19$…`): make one with `member-kiosk hash-pin`")]
    NotAHash,
    #[error("the PIN could not be hashed: {0}")]
    Hashing(String),
}

/// A PIN's shape: 6 to 12 ASCII digits.
pub fn check_format(pin: &str) -> Result<(), PinError> {
    if (MIN_DIGITS..=MAX_DIGITS).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(PinError::Format)
    }
}

/// Hashes `pin` with argon2id (the crate's defaults: 19 MiB, 2 passes, 1 lane) and `salt`.
pub fn hash(pin: &str, salt: &[u8; 16]) -> Result<String, PinError> {
    check_format(pin)?;
    let salt = SaltString::encode_b64(salt).map_err(|e| PinError::Hashing(e.to_string()))?;
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PinError::Hashing(e.to_string()))
}

/// Checks that `phc` is an argon2id hash (what the config must hold).
pub fn check_hash(phc: &str) -> Result<(), PinError> {
    let parsed = PasswordHash::new(phc).map_err(|_| PinError::NotAHash)?;
    if parsed.algorithm != Algorithm::Argon2id.ident() || parsed.hash.is_none() {
        return Err(PinError::NotAHash);
    }
    Ok(())
}

/// Whether `pin` is the one hashed in `phc` (constant time; false for a bad hash).
pub fn verify(pin: &str, phc: &str) -> bool {
    if check_format(pin).is_err() || check_hash(phc).is_err() {
        return false;
    }
    PasswordHash::new(phc).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(pin.as_bytes(), &parsed)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_verifies_against_its_hash_and_nothing_else_does() {
        let phc = hash("246813", &[7; 16]).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(!phc.contains("246813"));
        assert!(verify("246813", &phc));
        assert!(!verify("246814", &phc));
        assert!(!verify("2468130", &phc));
        assert!(!verify("", &phc));
        // Another salt, another hash, the same PIN.
        let other = hash("246813", &[8; 16]).unwrap();
        assert_ne!(phc, other);
        assert!(verify("246813", &other));
    }

    #[test]
    fn short_pins_and_plain_text_are_refused() {
        assert_eq!(hash("24681", &[1; 16]), Err(PinError::Format));
        assert_eq!(hash("24681a", &[1; 16]), Err(PinError::Format));
        assert_eq!(hash("1234567890123", &[1; 16]), Err(PinError::Format));
        assert_eq!(check_hash("246813"), Err(PinError::NotAHash));
        assert_eq!(
            check_hash("$argon2i$v=19$m=16,t=2,p=1$c2FsdHNhbHQ$aGFzaA"),
            Err(PinError::NotAHash)
        );
        assert!(
            !verify("246813", "246813"),
            "a plain-text 'hash' never matches"
        );
        assert!(check_hash(&hash("000000", &[2; 16]).unwrap()).is_ok());
    }
}
