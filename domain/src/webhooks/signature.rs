//! The Standard Webhooks signing scheme: the secret is `whsec_` and base64 bytes; each
//! delivery carries `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`,
//! `v1,` and the base64 HMAC-SHA256 of `{id}.{timestamp}.{body}` under the secret's bytes.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

pub const SECRET_PREFIX: &str = "whsec_";

/// A new signing secret: 32 random bytes.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// A new `webhook-id`.
pub fn new_message_id() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!(
        "msg_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

/// Why a signature cannot be made or checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the secret is not a whsec_ secret")]
    BadSecret,
}

fn mac(secret: &str, id: &str, timestamp: i64, body: &str) -> Result<Hmac<Sha256>, SignatureError> {
    let key = STANDARD
        .decode(
            secret
                .strip_prefix(SECRET_PREFIX)
                .ok_or(SignatureError::BadSecret)?,
        )
        .map_err(|_| SignatureError::BadSecret)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|_| SignatureError::BadSecret)?;
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    Ok(mac)
}

/// The `webhook-signature` header's value.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> Result<String, SignatureError> {
    let tag = mac(secret, id, timestamp, body)?.finalize().into_bytes();
    Ok(format!("v1,{}", STANDARD.encode(tag)))
}

/// Whether one of the space-separated signatures of a `webhook-signature` header is right,
/// compared in constant time; what a receiver checks.
pub fn verify(secret: &str, id: &str, timestamp: i64, body: &str, header: &str) -> bool {
    header.split(' ').any(|signature| {
        let Some(tag) = signature.strip_prefix("v1,") else {
            return false;
        };
        let Ok(tag) = STANDARD.decode(tag) else {
            return false;
        };
        mac(secret, id, timestamp, body).is_ok_and(|m| m.verify_slice(&tag).is_ok())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_and_a_changed_body_does_not() {
        let secret = new_secret();
        let signature = sign(&secret, "msg_1", 1_700_000_000, "{\"a\":1}").unwrap();
        assert!(signature.starts_with("v1,"));
        assert!(verify(
            &secret,
            "msg_1",
            1_700_000_000,
            "{\"a\":1}",
            &signature
        ));
        assert!(!verify(
            &secret,
            "msg_1",
            1_700_000_000,
            "{\"a\":2}",
            &signature
        ));
        assert!(!verify(
            &secret,
            "msg_2",
            1_700_000_000,
            "{\"a\":1}",
            &signature
        ));
        assert!(!verify(
            &new_secret(),
            "msg_1",
            1_700_000_000,
            "{\"a\":1}",
            &signature
        ));
        assert!(verify(
            &secret,
            "msg_1",
            1_700_000_000,
            "{\"a\":1}",
            &format!("v1,AAAA {signature}")
        ));
    }

    #[test]
    fn the_published_example_signs_alike() {
        // The example of the Standard Webhooks specification.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).unwrap(),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn a_malformed_secret_is_refused() {
        assert_eq!(sign("plain", "m", 1, "b"), Err(SignatureError::BadSecret));
    }
}
