//! Sealing of stored secrets (identity-provider client secrets, procurement systems' shared
//! secrets) at rest with XChaCha20-Poly1305 under a key from configuration. Each sealed value
//! is bound to its account, so a value copied into another account's row does not open. A leaf:
//! imports no service.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};

use crate::{DomainError, DomainResult};

const PREFIX: &str = "v1:";
const NONCE_LENGTH: usize = 24;

/// The 256-bit key that seals stored secrets. Its `Debug` output never shows the key.
#[derive(Clone)]
pub struct SecretKey(Key);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

impl SecretKey {
    /// A new random key.
    pub fn generate() -> Self {
        Self(XChaCha20Poly1305::generate_key(&mut OsRng))
    }

    /// Reads a key written by [`SecretKey::to_base64`]: 32 bytes, standard base64.
    pub fn from_base64(text: &str) -> Result<Self, String> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| "the secret key is not valid base64".to_owned())?;
        if bytes.len() != 32 {
            return Err(format!(
                "the secret key must be 32 bytes, base64-encoded; this one is {} bytes",
                bytes.len()
            ));
        }
        Ok(Self(*Key::from_slice(&bytes)))
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0.as_slice())
    }

    /// Seals `plaintext` for the account `account_id`.
    pub fn seal(&self, account_id: i64, plaintext: &str) -> DomainResult<String> {
        self.seal_bound(&account_id.to_be_bytes(), plaintext)
    }

    /// Opens a value sealed by [`SecretKey::seal`] for the same account. Fails when the key
    /// changed, the value was altered or it belongs to another account.
    pub fn open(&self, account_id: i64, sealed: &str) -> DomainResult<String> {
        self.open_bound(&account_id.to_be_bytes(), sealed)
    }

    /// Seals `plaintext` for the tenant `tenant_id` (its order mailbox's password). Bound
    /// differently from an account's values, so neither opens as the other.
    pub fn seal_for_tenant(&self, tenant_id: i64, plaintext: &str) -> DomainResult<String> {
        self.seal_bound(&tenant_binding(tenant_id), plaintext)
    }

    /// Opens a value sealed by [`SecretKey::seal_for_tenant`] for the same tenant.
    pub fn open_for_tenant(&self, tenant_id: i64, sealed: &str) -> DomainResult<String> {
        self.open_bound(&tenant_binding(tenant_id), sealed)
    }

    /// Seals `plaintext` for the user `user_id` (their authenticator app's secret).
    pub fn seal_for_user(&self, user_id: i64, plaintext: &str) -> DomainResult<String> {
        self.seal_bound(&binding(b"user:", user_id), plaintext)
    }

    /// Opens a value sealed by [`SecretKey::seal_for_user`] for the same user.
    pub fn open_for_user(&self, user_id: i64, sealed: &str) -> DomainResult<String> {
        self.open_bound(&binding(b"user:", user_id), sealed)
    }

    /// A keyed digest (HMAC-SHA-256, hex) of `value` for the owner `id`, for short secrets that
    /// are checked but never read back (recovery codes): a copy of the database without the
    /// key cannot test guesses against it, and equal values of two owners differ.
    pub fn keyed_digest(&self, purpose: &str, id: i64, value: &str) -> String {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(self.0.as_slice())
            .expect("HMAC takes a key of any length");
        mac.update(b"simdesk digest v1\0");
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(&id.to_be_bytes());
        mac.update(value.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    fn seal_bound(&self, aad: &[u8], plaintext: &str) -> DomainResult<String> {
        let cipher = XChaCha20Poly1305::new(&self.0);
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ciphertext = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.as_bytes(),
                    aad,
                },
            )
            .map_err(|_| DomainError::Internal("sealing a secret failed".into()))?;
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&ciphertext);
        Ok(format!("{PREFIX}{}", STANDARD.encode(sealed)))
    }

    fn open_bound(&self, aad: &[u8], sealed: &str) -> DomainResult<String> {
        let unusable = || {
            DomainError::Internal(
                "a stored secret cannot be opened with the configured secret key".into(),
            )
        };
        let bytes = sealed
            .strip_prefix(PREFIX)
            .and_then(|b64| STANDARD.decode(b64).ok())
            .filter(|bytes| bytes.len() > NONCE_LENGTH)
            .ok_or_else(unusable)?;
        let (nonce, ciphertext) = bytes.split_at(NONCE_LENGTH);
        let plaintext = XChaCha20Poly1305::new(&self.0)
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .map_err(|_| unusable())?;
        String::from_utf8(plaintext).map_err(|_| unusable())
    }
}

/// An account's values are bound to the id's 8 bytes; a tenant's and a user's to a prefix and
/// the id, so no two kinds of owner coincide.
fn tenant_binding(tenant_id: i64) -> Vec<u8> {
    binding(b"tenant:", tenant_id)
}

fn binding(prefix: &[u8], id: i64) -> Vec<u8> {
    let mut aad = prefix.to_vec();
    aad.extend_from_slice(&id.to_be_bytes());
    aad
}

#[cfg(test)]
mod tests {
    use super::SecretKey;

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_account() {
        let key = SecretKey::generate();
        let sealed = key.seal(7, "s3cret").unwrap();
        assert!(!sealed.contains("s3cret"));
        assert_eq!(key.open(7, &sealed).unwrap(), "s3cret");
        assert!(key.open(8, &sealed).is_err(), "another account's row");
        assert!(
            SecretKey::generate().open(7, &sealed).is_err(),
            "another key"
        );
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push('A');
        assert!(key.open(7, &tampered).is_err());
        assert_ne!(
            key.seal(7, "s3cret").unwrap(),
            sealed,
            "a fresh nonce each time"
        );
        let tenants = key.seal_for_tenant(7, "mailbox").unwrap();
        assert_eq!(key.open_for_tenant(7, &tenants).unwrap(), "mailbox");
        assert!(
            key.open(7, &tenants).is_err(),
            "a tenant's value is not an account's"
        );
        assert!(
            key.open_for_tenant(7, &sealed).is_err(),
            "nor the other way round"
        );
        assert!(
            key.open_for_tenant(8, &tenants).is_err(),
            "another tenant's row"
        );
    }

    #[test]
    fn keys_round_trip_through_base64_and_bad_keys_say_why() {
        let key = SecretKey::generate();
        let again = SecretKey::from_base64(&key.to_base64()).unwrap();
        assert_eq!(again.open(1, &key.seal(1, "x").unwrap()).unwrap(), "x");
        assert!(SecretKey::from_base64("not base64!")
            .unwrap_err()
            .contains("base64"));
        assert!(SecretKey::from_base64("AAAA")
            .unwrap_err()
            .contains("32 bytes"));
        assert_eq!(format!("{key:?}"), "SecretKey(…)");
    }
}
