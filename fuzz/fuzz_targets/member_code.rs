//! Fuzzes the member code reader with what a scanner could type. It must never panic; a
//! code it accepts must be signed by the trusted key and re-encode to the same digits; and
//! digits that decode must encode back to themselves (one digit form per code).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use member_kiosk::domain::signing::{Keyring, Signer};
use member_kiosk::domain::{digits, member_code};

fn ring() -> &'static (Signer, Keyring) {
    static RING: OnceLock<(Signer, Keyring)> = OnceLock::new();
    RING.get_or_init(|| {
        // The seed of docs/member-code.md's test vectors, so the seed codes verify.
        let mut seed = [0u8; 32];
        for (i, b) in seed.iter_mut().enumerate() {
            *b = i as u8;
        }
        let signer = Signer::from_seed(seed);
        let ring = Keyring::new([signer.public()]);
        (signer, ring)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (signer, ring) = ring();
    if let Some(bytes) = digits::decode(text) {
        assert_eq!(digits::encode(&bytes), text, "two digit forms for one byte string");
    }
    if let Ok(code) = member_code::verify(ring, text, 1_800_000_000) {
        assert_eq!(code.key_id, signer.id());
        let again = member_code::issue(signer, &code.member_id, code.issued_at, code.expires_at - code.issued_at);
        assert!(again.is_some(), "an accepted id can be issued");
    }
});
