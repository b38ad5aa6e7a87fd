//! Ed25519 keys for the codes a kiosk issues: the kiosk's own signing key, the key id
//! (the first 4 bytes of SHA-256 of the public key, hex on the wire), and the keyring of
//! public keys a kiosk trusts (its own and the ones the CRM publishes for the fleet).
use std::collections::HashMap;

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

pub const KEY_ID_LEN: usize = 4;
pub const SIGNATURE_LEN: usize = 64;

pub type KeyId = [u8; KEY_ID_LEN];

/// The id a code names its key by.
pub fn key_id(public: &VerifyingKey) -> KeyId {
    let digest = Sha256::digest(public.as_bytes());
    [digest[0], digest[1], digest[2], digest[3]]
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// A public key from its hex form (64 hex digits).
pub fn public_key_from_hex(text: &str) -> Result<VerifyingKey, String> {
    let bytes: [u8; 32] = from_hex(text)
        .and_then(|b| b.try_into().ok())
        .ok_or("a public key is 64 hex digits")?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| "not an Ed25519 public key".to_owned())
}

/// The kiosk's own key pair.
#[derive(Clone)]
pub struct Signer {
    key: SigningKey,
    id: KeyId,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({})", hex(&self.id))
    }
}

impl Signer {
    pub fn from_seed(seed: [u8; 32]) -> Signer {
        let key = SigningKey::from_bytes(&seed);
        let id = key_id(&key.verifying_key());
        Signer { key, id }
    }

    pub fn seed(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    pub fn id(&self) -> KeyId {
        self.id
    }

    pub fn public(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// The signature over `context` followed by `message`: the context keeps a member
    /// code's signature from ever passing for a sign-up link's, and the reverse.
    pub fn sign(&self, context: &[u8], message: &[u8]) -> [u8; SIGNATURE_LEN] {
        self.key.sign(&[context, message].concat()).to_bytes()
    }
}

/// The public keys a kiosk accepts codes from.
#[derive(Debug, Clone, Default)]
pub struct Keyring {
    keys: HashMap<KeyId, VerifyingKey>,
}

impl Keyring {
    pub fn new(keys: impl IntoIterator<Item = VerifyingKey>) -> Keyring {
        let mut ring = Keyring::default();
        for key in keys {
            ring.trust(key);
        }
        ring
    }

    pub fn trust(&mut self, key: VerifyingKey) {
        self.keys.insert(key_id(&key), key);
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Whether `id` names a trusted key and `signature` is that key's over `context` and
    /// `message` (strict verification: no malleable or small-order forms).
    pub fn verify(&self, id: &KeyId, context: &[u8], message: &[u8], signature: &[u8]) -> Verdict {
        let Some(key) = self.keys.get(id) else {
            return Verdict::UnknownKey;
        };
        let Ok(signature) = Signature::from_slice(signature) else {
            return Verdict::BadSignature;
        };
        match key.verify_strict(&[context, message].concat(), &signature) {
            Ok(()) => Verdict::Valid,
            Err(_) => Verdict::BadSignature,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    UnknownKey,
    BadSignature,
}
