//! Signed member codes: what a member's QR code holds, digits only. Issued by a kiosk (or
//! by the CRM's app, with a fleet key) and checked offline against the keyring, so a forged,
//! edited, truncated, unknown-key or expired code is refused without the network, and a bare
//! member id is never enough to see a member's data. `docs/member-code.md` is the spec.
//!
//! Layout (then encoded by [`super::digits`]):
//!
//! | bytes | field |
//! |---|---|
//! | 1 | format version, `1` |
//! | 4 | key id |
//! | 1 | id kind: `0` UUID (16 bytes follow), `1` text (1 length byte, then 1–32 bytes) |
//! | 16 or 1+n | member id |
//! | 4 | issued at, Unix seconds, big-endian |
//! | 4 | expires at, Unix seconds, big-endian |
//! | 64 | Ed25519 signature over `CONTEXT` and every byte before it |
use super::digits;
use super::signing::{KEY_ID_LEN, KeyId, Keyring, SIGNATURE_LEN, Signer, Verdict};

pub const VERSION: u8 = 1;
pub const CONTEXT: &[u8] = b"member-kiosk member-code v1\0";
/// A saved code's lifetime by default: two years.
pub const DEFAULT_LIFETIME_SECS: u32 = 2 * 365 * 24 * 3600;
/// Clocks disagree a little: a code issued up to this far in the future is still taken.
pub const CLOCK_SKEW_SECS: u32 = 300;
pub const MAX_TEXT_ID: usize = 32;

const ID_UUID: u8 = 0;
/// The shortest code: a one-character text id.
const MIN_LEN: usize = 1 + KEY_ID_LEN + 1 + 1 + 1 + 8 + SIGNATURE_LEN;
const ID_TEXT: u8 = 1;

/// What a valid code says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberCode {
    pub key_id: KeyId,
    pub member_id: String,
    pub issued_at: u32,
    pub expires_at: u32,
}

/// Why a code was refused; each has its own message on screen and in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("not a member code (wrong length, characters or layout)")]
    Malformed,
    #[error("a member code format this kiosk does not know")]
    UnknownVersion,
    #[error("signed with a key this kiosk does not trust")]
    UnknownKey,
    #[error("the signature does not match: forged or edited")]
    Forged,
    #[error("the code has expired")]
    Expired,
    #[error("the code is dated in the future")]
    NotYetValid,
}

/// Issues a code for `member_id` (a UUID, or a text id of up to 32 characters from
/// `[A-Za-z0-9._:-]`). `None` for an id no code can carry.
pub fn issue(
    signer: &Signer,
    member_id: &str,
    issued_at: u32,
    lifetime_secs: u32,
) -> Option<String> {
    let mut body = vec![VERSION];
    body.extend_from_slice(&signer.id());
    push_member_id(&mut body, member_id)?;
    body.extend_from_slice(&issued_at.to_be_bytes());
    body.extend_from_slice(&issued_at.saturating_add(lifetime_secs).to_be_bytes());
    let signature = signer.sign(CONTEXT, &body);
    body.extend_from_slice(&signature);
    Some(digits::encode(&body))
}

fn push_member_id(body: &mut Vec<u8>, member_id: &str) -> Option<()> {
    if let Ok(uuid) = uuid::Uuid::try_parse(member_id)
        && uuid.hyphenated().to_string() == member_id
    {
        body.push(ID_UUID);
        body.extend_from_slice(uuid.as_bytes());
        return Some(());
    }
    if !valid_text_id(member_id.as_bytes()) {
        return None;
    }
    body.push(ID_TEXT);
    body.push(u8::try_from(member_id.len()).ok()?);
    body.extend_from_slice(member_id.as_bytes());
    Some(())
}

fn valid_text_id(id: &[u8]) -> bool {
    (1..=MAX_TEXT_ID).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b".-_:".contains(b))
}

/// Reads and checks a scanned code at time `now` (Unix seconds).
pub fn verify(keyring: &Keyring, scanned: &str, now: u32) -> Result<MemberCode, CodeError> {
    let bytes = digits::decode(scanned.trim()).ok_or(CodeError::Malformed)?;
    let code = parse(&bytes)?;
    let signed = bytes.len() - SIGNATURE_LEN;
    match keyring.verify(&code.key_id, CONTEXT, &bytes[..signed], &bytes[signed..]) {
        Verdict::Valid => {}
        Verdict::UnknownKey => return Err(CodeError::UnknownKey),
        Verdict::BadSignature => return Err(CodeError::Forged),
    }
    if code.issued_at > now.saturating_add(CLOCK_SKEW_SECS) {
        return Err(CodeError::NotYetValid);
    }
    if now >= code.expires_at {
        return Err(CodeError::Expired);
    }
    Ok(code)
}

/// The fields of a code, without checking its signature or dates.
fn parse(bytes: &[u8]) -> Result<MemberCode, CodeError> {
    if bytes.len() < MIN_LEN {
        return Err(CodeError::Malformed);
    }
    let mut r = Reader(bytes);
    if r.take(1)?[0] != VERSION {
        return Err(CodeError::UnknownVersion);
    }
    let key_id: KeyId = r
        .take(KEY_ID_LEN)?
        .try_into()
        .map_err(|_| CodeError::Malformed)?;
    let member_id = match r.take(1)?[0] {
        ID_UUID => {
            let raw: [u8; 16] = r.take(16)?.try_into().map_err(|_| CodeError::Malformed)?;
            uuid::Uuid::from_bytes(raw).hyphenated().to_string()
        }
        ID_TEXT => {
            let len = usize::from(r.take(1)?[0]);
            let id = r.take(len)?;
            if !valid_text_id(id) {
                return Err(CodeError::Malformed);
            }
            String::from_utf8(id.to_vec()).map_err(|_| CodeError::Malformed)?
        }
        _ => return Err(CodeError::Malformed),
    };
    let issued_at = r.u32()?;
    let expires_at = r.u32()?;
    r.take(SIGNATURE_LEN)?;
    if !r.0.is_empty() {
        return Err(CodeError::Malformed);
    }
    Ok(MemberCode {
        key_id,
        member_id,
        issued_at,
        expires_at,
    })
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], CodeError> {
        if self.0.len() < n {
            return Err(CodeError::Malformed);
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    fn u32(&mut self) -> Result<u32, CodeError> {
        let raw: [u8; 4] = self.take(4)?.try_into().map_err(|_| CodeError::Malformed)?;
        Ok(u32::from_be_bytes(raw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u32 = 1_790_000_000;
    const MEMBER: &str = "0196f0a4-7c1e-7d2a-9b3c-4d5e6f708192";

    fn signer(seed: u8) -> Signer {
        Signer::from_seed([seed; 32])
    }

    fn ring(s: &Signer) -> Keyring {
        Keyring::new([s.public()])
    }

    #[test]
    fn a_fresh_code_verifies_and_names_its_member() {
        let s = signer(7);
        let code = issue(&s, MEMBER, NOW, DEFAULT_LIFETIME_SECS).unwrap();
        assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code}");
        let read = verify(&ring(&s), &code, NOW + 10).unwrap();
        assert_eq!(read.member_id, MEMBER);
        assert_eq!(read.expires_at, NOW + DEFAULT_LIFETIME_SECS);
        let crm = issue(&s, "crm-42", NOW, 300).unwrap();
        assert_eq!(verify(&ring(&s), &crm, NOW).unwrap().member_id, "crm-42");
    }

    #[test]
    fn every_tampered_byte_is_refused() {
        let s = signer(7);
        let code = issue(&s, MEMBER, NOW, DEFAULT_LIFETIME_SECS).unwrap();
        let bytes = digits::decode(&code).unwrap();
        for i in 0..bytes.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut forged = bytes.clone();
                forged[i] ^= flip;
                let result = verify(&ring(&s), &digits::encode(&forged), NOW);
                assert!(result.is_err(), "byte {i} ^ {flip:#x} accepted");
            }
        }
    }

    #[test]
    fn every_edited_digit_is_refused() {
        let s = signer(7);
        let code = issue(&s, "crm-1", NOW, DEFAULT_LIFETIME_SECS).unwrap();
        for i in 0..code.len() {
            let mut edited = code.clone().into_bytes();
            edited[i] = if edited[i] == b'9' {
                b'0'
            } else {
                edited[i] + 1
            };
            let edited = String::from_utf8(edited).unwrap();
            assert!(
                verify(&ring(&s), &edited, NOW).is_err(),
                "digit {i} edited was accepted"
            );
        }
    }

    #[test]
    fn wrong_key_expired_truncated_and_bare_ids_are_refused_with_their_reason() {
        let s = signer(7);
        let code = issue(&s, MEMBER, NOW, 600).unwrap();
        assert_eq!(
            verify(&ring(&signer(8)), &code, NOW),
            Err(CodeError::UnknownKey)
        );
        // Another key that claims the same id still fails the signature.
        let mut imposter = issue(&signer(8), MEMBER, NOW, 600).unwrap().into_bytes();
        let mut bytes = digits::decode(std::str::from_utf8(&imposter).unwrap()).unwrap();
        bytes[1..5].copy_from_slice(&s.id());
        imposter = digits::encode(&bytes).into_bytes();
        assert_eq!(
            verify(&ring(&s), std::str::from_utf8(&imposter).unwrap(), NOW),
            Err(CodeError::Forged)
        );
        assert_eq!(verify(&ring(&s), &code, NOW + 600), Err(CodeError::Expired));
        assert_eq!(
            verify(&ring(&s), &code, NOW - 3600),
            Err(CodeError::NotYetValid)
        );
        for cut in [1, 17, 100, code.len() - 1] {
            assert!(
                verify(&ring(&s), &code[..code.len() - cut], NOW).is_err(),
                "cut {cut}"
            );
        }
        assert_eq!(verify(&ring(&s), MEMBER, NOW), Err(CodeError::Malformed));
        assert_eq!(verify(&ring(&s), "crm-1", NOW), Err(CodeError::Malformed));
        assert_eq!(
            verify(&ring(&s), "12345678", NOW),
            Err(CodeError::Malformed)
        );
        assert_eq!(verify(&ring(&s), "", NOW), Err(CodeError::Malformed));
    }

    #[test]
    fn ids_no_code_can_carry_are_not_issued() {
        let s = signer(1);
        assert_eq!(issue(&s, "", NOW, 1), None);
        assert_eq!(issue(&s, &"a".repeat(33), NOW, 1), None);
        assert_eq!(issue(&s, "crm 1", NOW, 1), None);
        assert_eq!(issue(&s, "會員", NOW, 1), None);
    }

    #[test]
    fn the_longest_code_fits_a_version_7_qr_at_level_m() {
        let s = signer(3);
        for id in [MEMBER.to_owned(), "x".repeat(MAX_TEXT_ID)] {
            let code = issue(&s, &id, NOW, DEFAULT_LIFETIME_SECS).unwrap();
            let qr =
                qrcode::QrCode::with_error_correction_level(&code, qrcode::EcLevel::M).unwrap();
            let qrcode::Version::Normal(v) = qr.version() else {
                panic!("micro QR")
            };
            assert!(v <= 7, "{id}: {} digits need version {v}", code.len());
        }
    }
}

#[cfg(test)]
mod documented_vectors {
    //! The test vectors in `docs/member-code.md`, checked against the code.
    use super::*;
    use crate::domain::signing::hex;

    const DOC: &str = include_str!("../../docs/member-code.md");

    fn signer() -> Signer {
        let mut seed = [0u8; 32];
        for (i, b) in seed.iter_mut().enumerate() {
            *b = u8::try_from(i).unwrap();
        }
        Signer::from_seed(seed)
    }

    pub fn vectors() -> Vec<(String, String)> {
        let s = signer();
        vec![
            ("public key".into(), hex(s.public().as_bytes())),
            ("key id".into(), hex(&s.id())),
            (
                "uuid".into(),
                issue(
                    &s,
                    "0196f0a4-7c1e-7d2a-9b3c-4d5e6f708192",
                    1_790_000_000,
                    DEFAULT_LIFETIME_SECS,
                )
                .unwrap(),
            ),
            (
                "text".into(),
                issue(&s, "crm-42", 1_790_000_000, 300).unwrap(),
            ),
        ]
    }

    #[test]
    fn the_spec_carries_the_vectors_this_code_makes() {
        for (name, value) in vectors() {
            assert!(
                DOC.contains(&value),
                "docs/member-code.md lacks the {name} vector:\n{value}"
            );
        }
        let ring = Keyring::new([signer().public()]);
        let text = issue(&signer(), "crm-42", 1_790_000_000, 300).unwrap();
        assert_eq!(
            verify(&ring, &text, 1_790_000_299).unwrap().member_id,
            "crm-42"
        );
    }
}
