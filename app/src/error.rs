//! The error every server function returns: precise for the user, silent about internals.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};
use simdesk_types::FieldError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue.")]
    Unauthenticated,
    #[error("Please choose a new password first.")]
    PasswordChangeRequired,
    #[error("Your provider requires a second factor: set up an authenticator app first.")]
    SecondFactorRequired,
    #[error("You are not allowed to do this.")]
    Forbidden,
    #[error("This item does not exist or is not available to you.")]
    NotFound,
    #[error("{}", join_messages(.0))]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    Conflict(String),
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The database is unreachable or cannot take changes for the moment.
    #[error("The service is unavailable for a moment. Please try again shortly.")]
    Unavailable,
    #[error("The request could not be completed: {0}")]
    Transport(String),
}

fn join_messages(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

impl AppError {
    /// The message for one form field, if this error names it.
    pub fn field(&self, field: &str) -> Option<String> {
        match self {
            AppError::Invalid(errors) => {
                let messages: Vec<&str> = errors
                    .iter()
                    .filter(|e| e.field == field)
                    .map(|e| e.message.as_str())
                    .collect();
                (!messages.is_empty()).then(|| messages.join(" "))
            }
            _ => None,
        }
    }
}

impl AppError {
    /// The message in the reader's language. The messages of invalid input and conflicts come
    /// from the service layer, already in it.
    pub fn message(&self, lang: crate::language::Lang) -> String {
        use crate::i18n::td_string;
        match self {
            AppError::Unauthenticated => td_string!(lang, common.error_unauthenticated).to_owned(),
            AppError::PasswordChangeRequired => {
                td_string!(lang, common.error_password_change_required).to_owned()
            }
            AppError::SecondFactorRequired => {
                td_string!(lang, common.error_second_factor_required).to_owned()
            }
            AppError::Forbidden => td_string!(lang, common.error_forbidden).to_owned(),
            AppError::NotFound => td_string!(lang, common.error_not_found).to_owned(),
            AppError::Internal => td_string!(lang, common.error_internal).to_owned(),
            AppError::Unavailable => td_string!(lang, common.error_unavailable).to_owned(),
            AppError::Transport(reason) => {
                format!("{} {reason}", td_string!(lang, common.error_transport))
            }
            AppError::Invalid(_) | AppError::Conflict(_) => self.to_string(),
        }
    }

    /// The HTTP status a server function answers with when it fails this way.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::PasswordChangeRequired
            | AppError::SecondFactorRequired
            | AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Invalid(_) => 400,
            AppError::Conflict(_) => 409,
            AppError::Internal | AppError::Transport(_) => 500,
            AppError::Unavailable => 503,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // A form field that failed to decode (say, a missing one) is the user's to fix.
            ServerFnErrorErr::Args(message) => {
                AppError::Invalid(vec![FieldError::new("form", message)])
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<simdesk_domain::DomainError> for AppError {
    /// In the language of whoever made the request being served.
    fn from(error: simdesk_domain::DomainError) -> Self {
        AppError::from_domain(error, crate::language::request_locale())
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// The service layer's `error` as a reader of `locale` is told it: the service layer words
    /// its messages in every language, the reader gets theirs.
    pub fn from_domain(error: simdesk_domain::DomainError, locale: simdesk_types::Locale) -> Self {
        use simdesk_domain::DomainError as D;
        if error.is_unavailable() {
            // At error level all the same: a pool that never yields a connection may be a leak.
            tracing::error!(error = %error, "database unavailable");
            return AppError::Unavailable;
        }
        match error {
            D::NotFound | D::OutOfScope { .. } => AppError::NotFound,
            D::Forbidden => AppError::Forbidden,
            D::Invalid(fields) => AppError::Invalid(
                fields
                    .into_iter()
                    .map(|field| field.localized(locale))
                    .collect(),
            ),
            D::Conflict(message) => AppError::Conflict(message.in_locale(locale).to_owned()),
            D::SignInFailed => AppError::Unauthenticated,
            D::SsoRequired => AppError::Forbidden,
            D::Database(e) => {
                tracing::error!(error = %e, "database error");
                AppError::Internal
            }
            D::Internal(e) => {
                tracing::error!(error = %e, "internal error");
                AppError::Internal
            }
        }
    }
}
