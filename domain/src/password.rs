//! Password hashing with argon2id at OWASP parameters, off the async worker threads.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, Version};
use simdesk_types::Wording;
use std::sync::{Arc, LazyLock, OnceLock};
use tokio::sync::Semaphore;

use crate::{DomainError, DomainResult};

/// OWASP's argon2id recommendation: 19 MiB, two passes, one lane.
const MEMORY_KIB: u32 = 19_456;
const ITERATIONS: u32 = 2;
const PARALLELISM: u32 = 1;

pub const MIN_PASSWORD_LENGTH: usize = 12;
pub const MAX_PASSWORD_LENGTH: usize = 256;

fn argon2() -> Argon2<'static> {
    // The parameters are constants within argon2's documented bounds.
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .expect("argon2 parameters are valid constants");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Bounds how many hashes run at once, so a burst of sign-ins cannot exhaust memory or starve
/// the blocking pool: one per core.
fn permits() -> &'static Arc<Semaphore> {
    static PERMITS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    PERMITS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Arc::new(Semaphore::new(cores))
    })
}

async fn run_bounded<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> DomainResult<T> {
    let _permit = permits()
        .acquire()
        .await
        .map_err(|_| DomainError::Internal("password hashing pool closed".into()))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| DomainError::Internal(format!("password hashing task failed: {e}")))
}

/// Checks a new password against the policy.
pub fn validate_new_password(password: &str) -> DomainResult<()> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_LENGTH {
        return Err(DomainError::invalid(
            "password",
            Wording::new(
                format!("Use at least {MIN_PASSWORD_LENGTH} characters."),
                format!("Verwenden Sie mindestens {MIN_PASSWORD_LENGTH} Zeichen."),
            ),
        ));
    }
    if length > MAX_PASSWORD_LENGTH {
        return Err(DomainError::invalid(
            "password",
            Wording::new(
                format!("Use at most {MAX_PASSWORD_LENGTH} characters."),
                format!("Verwenden Sie höchstens {MAX_PASSWORD_LENGTH} Zeichen."),
            ),
        ));
    }
    Ok(())
}

pub async fn hash(password: String) -> DomainResult<String> {
    run_bounded(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| DomainError::Internal(format!("password hashing failed: {e}")))
    })
    .await?
}

/// Verifies `password` against a stored hash; `None` verifies against a fixed dummy hash so that
/// an unknown e-mail costs as much time as a wrong password.
pub async fn verify(password: String, stored: Option<String>) -> DomainResult<bool> {
    let stored = match stored {
        Some(stored) => stored,
        None => dummy_hash().await?,
    };
    run_bounded(move || {
        PasswordHash::new(&stored)
            .map(|parsed| {
                argon2()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
}

async fn dummy_hash() -> DomainResult<String> {
    static DUMMY: LazyLock<tokio::sync::OnceCell<String>> =
        LazyLock::new(tokio::sync::OnceCell::new);
    DUMMY
        .get_or_try_init(|| hash("a password nobody has".to_owned()))
        .await
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let hashed = hash("correct horse battery".into()).await.unwrap();
        assert!(
            hashed.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hashed}"
        );
        assert!(verify("correct horse battery".into(), Some(hashed.clone()))
            .await
            .unwrap());
        assert!(!verify("wrong horse battery".into(), Some(hashed))
            .await
            .unwrap());
        assert!(!verify("anything".into(), None).await.unwrap());
        assert!(!verify("anything".into(), Some("not a hash".into()))
            .await
            .unwrap());
    }

    #[test]
    fn password_policy_has_precise_messages() {
        assert!(validate_new_password("short").is_err());
        assert!(validate_new_password("long enough password").is_ok());
        assert!(validate_new_password(&"x".repeat(300)).is_err());
    }
}
