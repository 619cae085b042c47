//! The one mapping from the service layer's errors to HTTP for the routes outside Leptos (CSV,
//! PunchOut, sign-in, single sign-on). Statuses and texts are those of the server functions'
//! [`AppError`], so a refusal reads the same on every path: 400 for bad input, 401, 403, 404,
//! 409, and 500 for faults of ours, whose details go to the log only. A route whose answer has
//! a fixed form (a redirect with a message code, a page of its own, an outcome kept in the
//! session) takes the status and text from here and only puts them in that form.

use app::error::AppError;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use simdesk_domain::DomainError;
use simdesk_types::Locale;

/// A refused or failed request, as the user is told about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpError {
    status: StatusCode,
    message: String,
    sign_in_code: &'static str,
}

impl HttpError {
    /// Maps `error`, in English; a fault of ours is logged with its details, as `context` ("a
    /// CSV export failed").
    pub fn new(context: &'static str, error: DomainError) -> Self {
        Self::in_locale(context, error, Locale::English)
    }

    /// [`HttpError::new`] with the message in `locale`'s language: for a page shown to a
    /// signed-in user.
    pub fn in_locale(context: &'static str, error: DomainError, locale: Locale) -> Self {
        let sign_in_code = match &error {
            DomainError::SignInFailed => "failed",
            DomainError::SsoRequired => "sso_required",
            _ => "unavailable",
        };
        let shown = match error {
            unavailable if unavailable.is_unavailable() => {
                tracing::error!(error = %unavailable, "{context}");
                AppError::Unavailable
            }
            DomainError::Database(_) | DomainError::Internal(_) => {
                tracing::error!(error = %error, "{context}");
                AppError::Internal
            }
            refused => {
                tracing::debug!(error = %refused, "{context}");
                AppError::from_domain(refused, locale)
            }
        };
        Self {
            status: StatusCode::from_u16(shown.status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            message: shown.to_string(),
            sign_in_code,
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// What the user is told: the fields' messages for bad input, the reason of a conflict,
    /// a fixed sentence otherwise.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn into_message(self) -> String {
        self.message
    }

    /// A fault of ours rather than a refusal: the details are in the log.
    pub fn is_internal(&self) -> bool {
        self.status.is_server_error()
    }

    /// The code the sign-in page explains a failed sign-in with: `failed` for wrong
    /// credentials, `sso_required` for an account that signs in at its identity provider,
    /// `unavailable` for everything else.
    pub fn sign_in_code(&self) -> &'static str {
        self.sign_in_code
    }
}

impl From<DomainError> for HttpError {
    fn from(error: DomainError) -> Self {
        Self::new("a request failed", error)
    }
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.status, self.message)
    }
}

impl std::error::Error for HttpError {}

/// The status with the message as plain text.
impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        (
            self.status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            self.message,
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::HttpError;
    use axum::http::StatusCode;
    use simdesk_domain::DomainError;
    use simdesk_types::FieldError;

    fn status_of(error: DomainError) -> StatusCode {
        HttpError::from(error).status()
    }

    #[test]
    fn each_error_has_its_status() {
        assert_eq!(
            status_of(DomainError::invalid("name", "Enter a name.")),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            status_of(DomainError::SignInFailed),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(status_of(DomainError::Forbidden), StatusCode::FORBIDDEN);
        assert_eq!(status_of(DomainError::SsoRequired), StatusCode::FORBIDDEN);
        assert_eq!(status_of(DomainError::NotFound), StatusCode::NOT_FOUND);
        assert_eq!(
            status_of(DomainError::out_of_scope("purchase_order", 7)),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            status_of(DomainError::conflict("Someone else changed it.")),
            StatusCode::CONFLICT
        );
        assert_eq!(
            status_of(DomainError::Internal("disk full".into())),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            status_of(DomainError::Database(sea_orm::DbErr::Custom("gone".into()))),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn users_read_what_they_can_act_on_and_nothing_of_our_faults() {
        let invalid = HttpError::from(DomainError::Invalid(vec![
            FieldError::new("a", "First."),
            FieldError::new("b", "Second."),
        ]));
        assert_eq!(invalid.message(), "First. Second.");
        let conflict = HttpError::from(DomainError::conflict("Reload the page."));
        assert_eq!(conflict.message(), "Reload the page.");
        let internal = HttpError::from(DomainError::Internal("secret detail".into()));
        assert!(internal.is_internal());
        assert!(!internal.message().contains("secret detail"));
        assert!(!internal.to_string().contains("secret detail"));
    }

    #[test]
    fn a_reader_of_german_reads_the_german_wording_where_there_is_one() {
        use simdesk_types::{Locale, Wording};
        let invalid = || {
            DomainError::Invalid(vec![
                FieldError::new("a", Wording::new("First.", "Erstens.")),
                FieldError::new("b", "Second."),
            ])
        };
        let german = HttpError::in_locale("test", invalid(), Locale::German);
        assert_eq!(german.message(), "Erstens. Second.");
        assert_eq!(HttpError::from(invalid()).message(), "First. Second.");
        let conflict = DomainError::conflict(Wording::new("Reload.", "Neu laden."));
        assert_eq!(
            HttpError::in_locale("test", conflict, Locale::German).message(),
            "Neu laden."
        );
    }

    #[test]
    fn failed_sign_ins_have_the_sign_in_pages_codes() {
        assert_eq!(
            HttpError::from(DomainError::SignInFailed).sign_in_code(),
            "failed"
        );
        assert_eq!(
            HttpError::from(DomainError::SsoRequired).sign_in_code(),
            "sso_required"
        );
        assert_eq!(
            HttpError::from(DomainError::Internal("x".into())).sign_in_code(),
            "unavailable"
        );
    }
}
