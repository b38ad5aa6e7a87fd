//! Data minimisation for phone numbers: a kiosk sits in a public place and its SD card can
//! be pulled, so it keeps no full number of a member the CRM already holds. It keeps a keyed
//! hash (HMAC-SHA256 under the fleet key the CRM hands out) to recognise a number typed
//! again, and the last four digits to show. Limit: whoever has both the database and the
//! key file can brute-force the numbers (there are few mobile numbers per region).
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Prefix of a stored identity that is a hash, not a number.
pub const HASHED_PREFIX: &str = "hmac:";

/// The fleet's key for phone hashes, at least 32 bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct PhoneKey(Vec<u8>);

impl std::fmt::Debug for PhoneKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PhoneKey(..)")
    }
}

impl PhoneKey {
    /// From hex (as the CRM sends it and the key file stores it): 64 to 128 hex digits.
    pub fn from_hex(hex: &str) -> Result<PhoneKey, String> {
        let hex = hex.trim();
        if !(64..=128).contains(&hex.len()) || !hex.len().is_multiple_of(2) {
            return Err("the phone hash key must be 64 to 128 hex digits".into());
        }
        let bytes = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|_| "the phone hash key must be hex".to_owned())?;
        Ok(PhoneKey(bytes))
    }

    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// What is stored for the number `e164` once reduced: `hmac:<hex>`.
    pub fn identity(&self, e164: &str) -> String {
        format!("{HASHED_PREFIX}{}", hmac_hex(&self.0, e164.as_bytes()))
    }
}

/// The last four digits of a number, for display as `****1234`.
pub fn last4(e164: &str) -> String {
    let digits: Vec<char> = e164.chars().filter(char::is_ascii_digit).collect();
    digits[digits.len().saturating_sub(4)..].iter().collect()
}

/// Whether a stored identity is still a full number.
pub fn is_full_number(identity: &str) -> bool {
    identity.starts_with('+')
}

fn hmac_hex(key: &[u8], data: &[u8]) -> String {
    // HMAC takes a key of any length.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(data);
    hex(&mac.finalize().into_bytes())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_sha256_matches_rfc_4231() {
        // RFC 4231 test case 2.
        assert_eq!(
            hmac_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn an_identity_hides_the_number_and_is_stable() {
        let key = PhoneKey::from_hex(&"ab".repeat(32)).unwrap();
        let id = key.identity("+85291234567");
        assert!(id.starts_with("hmac:") && !id.contains("91234567"));
        assert_eq!(id, key.identity("+85291234567"));
        assert_ne!(id, key.identity("+85291234568"));
        let other = PhoneKey::from_hex(&"cd".repeat(32)).unwrap();
        assert_ne!(
            id,
            other.identity("+85291234567"),
            "another fleet, another hash"
        );
        assert_eq!(last4("+85291234567"), "4567");
        assert!(PhoneKey::from_hex("abcd").is_err());
        assert!(PhoneKey::from_hex(&"zz".repeat(32)).is_err());
        assert_eq!(key.to_hex(), "ab".repeat(32));
        assert_eq!(format!("{key:?}"), "PhoneKey(..)", "never logged");
    }
}
