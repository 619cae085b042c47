//! E-mail addresses as simdesk stores and checks them. A leaf: imports no service.

use simdesk_types::Wording;

use crate::{DomainError, DomainResult};

/// Normalises an e-mail address for lookups and storage.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub fn validate_email(email: &str) -> DomainResult<()> {
    let valid = email.len() <= 320
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
                && email.matches('@').count() == 1
        });
    if valid {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "email",
            Wording::new(
                "Enter an e-mail address such as name@example.com.",
                "Geben Sie eine E-Mail-Adresse wie name@example.com ein.",
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_validation_explains_itself() {
        for good in ["a@b.co", "first.last+tag@sub.example.com"] {
            assert!(validate_email(good).is_ok(), "{good}");
        }
        for bad in [
            "", "a", "a@b", "@b.co", "a@.co", "a@b.", "a b@c.de", "a@@b.co",
        ] {
            assert!(validate_email(bad).is_err(), "{bad}");
        }
    }
}
