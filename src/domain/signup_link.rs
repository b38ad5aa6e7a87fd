//! The sign-up link the attract screen shows as a QR code: the CRM's sign-up page with a
//! short-lived token signed by this kiosk, so the CRM knows which kiosk (and so which shop)
//! the customer stood at, and a photographed link stops working after 10 minutes.
//!
//! Token layout (then [`super::digits`]): version `1`, key id (4), issued at (4), expires at
//! (4), nonce (8), Ed25519 signature (64) over `CONTEXT` and the bytes before it. The CRM
//! checks the key id against the keys kiosks sent in their heartbeats, the signature, the
//! expiry, and that it has not seen the nonce before.
use super::digits;
use super::signing::{KEY_ID_LEN, KeyId, Keyring, SIGNATURE_LEN, Signer, Verdict};

pub const VERSION: u8 = 1;
pub const CONTEXT: &[u8] = b"member-kiosk signup-link v1\0";
/// How long a link works.
pub const LIFETIME_SECS: u32 = 600;
/// The attract screen shows a new link this long before the old one expires.
pub const REFRESH_BEFORE_SECS: u32 = 120;
/// The query parameter that carries the token.
pub const PARAM: &str = "kiosk_token";

const LEN: usize = 1 + KEY_ID_LEN + 4 + 4 + 8 + SIGNATURE_LEN;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignupToken {
    pub key_id: KeyId,
    pub issued_at: u32,
    pub expires_at: u32,
    pub nonce: [u8; 8],
}

/// The link for `url_base` at `now`, with `nonce` (random, fresh for each link).
pub fn link(signer: &Signer, url_base: &url::Url, now: u32, nonce: [u8; 8]) -> String {
    let mut body = vec![VERSION];
    body.extend_from_slice(&signer.id());
    body.extend_from_slice(&now.to_be_bytes());
    body.extend_from_slice(&now.saturating_add(LIFETIME_SECS).to_be_bytes());
    body.extend_from_slice(&nonce);
    let signature = signer.sign(CONTEXT, &body);
    body.extend_from_slice(&signature);
    let mut url = url_base.clone();
    url.query_pairs_mut()
        .append_pair(PARAM, &digits::encode(&body));
    url.to_string()
}

/// What the CRM does with a link (and what the tests do): the token's fields when it is
/// signed by a trusted key and not expired at `now`.
pub fn verify(keyring: &Keyring, link: &str, now: u32) -> Result<SignupToken, String> {
    let url = url::Url::parse(link).map_err(|e| format!("not a link: {e}"))?;
    let token = url
        .query_pairs()
        .find(|(k, _)| k == PARAM)
        .map(|(_, v)| v.into_owned())
        .ok_or("the link has no token")?;
    let bytes = digits::decode(&token).ok_or("the token is not a digit string")?;
    if bytes.len() != LEN || bytes[0] != VERSION {
        return Err("the token has the wrong length or version".into());
    }
    let field =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let mut key_id = [0; KEY_ID_LEN];
    key_id.copy_from_slice(&bytes[1..5]);
    let mut nonce = [0; 8];
    nonce.copy_from_slice(&bytes[13..21]);
    let signed = LEN - SIGNATURE_LEN;
    match keyring.verify(&key_id, CONTEXT, &bytes[..signed], &bytes[signed..]) {
        Verdict::Valid => {}
        Verdict::UnknownKey => return Err("signed by an unknown kiosk key".into()),
        Verdict::BadSignature => return Err("the signature does not match".into()),
    }
    let token = SignupToken {
        key_id,
        issued_at: field(5),
        expires_at: field(9),
        nonce,
    };
    if now >= token.expires_at || token.issued_at > now.saturating_add(300) {
        return Err("the link has expired".into());
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_verifies_for_ten_minutes_and_keeps_the_shops_query() {
        let s = Signer::from_seed([9; 32]);
        let base = url::Url::parse("https://crm.example.com/join?shop=central").unwrap();
        let link = link(&s, &base, 1_000, [1; 8]);
        assert!(
            link.starts_with("https://crm.example.com/join?shop=central&kiosk_token="),
            "{link}"
        );
        let ring = Keyring::new([s.public()]);
        let token = verify(&ring, &link, 1_599).unwrap();
        assert_eq!((token.key_id, token.nonce), (s.id(), [1; 8]));
        assert!(
            verify(&ring, &link, 1_600).is_err(),
            "expired after 10 minutes"
        );
        assert!(
            verify(
                &Keyring::new([Signer::from_seed([2; 32]).public()]),
                &link,
                1_001
            )
            .is_err()
        );
        let edited = link.replacen("kiosk_token=1", "kiosk_token=2", 1);
        assert!(edited == link || verify(&ring, &edited, 1_001).is_err());
    }

    #[test]
    fn a_member_code_signature_never_passes_for_a_link() {
        let s = Signer::from_seed([9; 32]);
        let mut body = vec![VERSION];
        body.extend_from_slice(&s.id());
        body.extend_from_slice(&[0; 16]);
        let signature = s.sign(super::super::member_code::CONTEXT, &body);
        body.extend_from_slice(&signature);
        let forged = format!("https://x.example/?{PARAM}={}", digits::encode(&body));
        assert!(verify(&Keyring::new([s.public()]), &forged, 1).is_err());
    }
}
