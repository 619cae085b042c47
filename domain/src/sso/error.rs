//! Why a single sign-on did not happen: [`SsoError`] and the stable code the sign-in page
//! explains each case by.

use crate::DomainError;

/// Why a single sign-on did not happen. Each has a stable code for the sign-in page, which
/// explains it to the user; the details go to the log only.
#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    #[error("no single sign-on is set up for this e-mail address")]
    NotConfigured,
    #[error("the identity provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the identity provider is not usable: {0}")]
    BadProvider(String),
    #[error("the identity provider refused the sign-in: {0}")]
    Refused(String),
    #[error("the answer does not belong to the sign-in this browser started")]
    StateMismatch,
    #[error("the sign-in expired or was already completed")]
    Expired,
    #[error("the provider did not accept the authorization code: {0}")]
    CodeRejected(String),
    #[error("the ID token was refused: {0}")]
    InvalidToken(String),
    #[error("the user is deactivated")]
    Deactivated,
    #[error("no simdesk user matches this identity: {0}")]
    UnknownUser(String),
    #[error("the identity provider grants no simdesk role")]
    NoRole,
    #[error(transparent)]
    Domain(#[from] DomainError),
}

impl SsoError {
    /// The code the sign-in page shows a message for.
    pub fn code(&self) -> &'static str {
        match self {
            SsoError::NotConfigured => "sso_not_configured",
            SsoError::Unreachable(_) => "sso_unreachable",
            SsoError::BadProvider(_) | SsoError::CodeRejected(_) | SsoError::InvalidToken(_) => {
                "sso_failed"
            }
            SsoError::Refused(_) => "sso_denied",
            SsoError::StateMismatch | SsoError::Expired => "sso_expired",
            SsoError::Deactivated => "sso_deactivated",
            SsoError::UnknownUser(_) => "sso_unknown_user",
            SsoError::NoRole => "sso_no_role",
            SsoError::Domain(_) => "unavailable",
        }
    }
}

impl From<sea_orm::DbErr> for SsoError {
    fn from(error: sea_orm::DbErr) -> Self {
        SsoError::Domain(error.into())
    }
}
