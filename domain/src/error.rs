use simdesk_types::FieldError;

/// What a service call can fail with. The edge (server functions, HTTP routes) maps each variant
/// to a user-facing message; `Database` and `Internal` are never shown in detail.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The object does not exist *for this actor*: also the answer for other tenants' objects.
    #[error("not found")]
    NotFound,
    /// An id outside the actor's tenant or account was asked for. Services turn this into
    /// `NotFound` after writing the attempt to the audit log (see `audit::denials`).
    #[error("not found")]
    OutOfScope {
        target_type: &'static str,
        target_id: String,
    },
    /// The actor may see the object but not do this to it.
    #[error("not allowed")]
    Forbidden,
    #[error("invalid input: {}", describe(.0))]
    Invalid(Vec<FieldError>),
    /// Someone else changed the object first, or a uniqueness rule was hit.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Deliberately vague: never says whether the e-mail exists or the account is locked.
    #[error("sign-in failed")]
    SignInFailed,
    /// The password was right, but the user's account signs in through its identity provider.
    #[error("single sign-on required")]
    SsoRequired,
    #[error("database error: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("internal error: {0}")]
    Internal(String),
}

fn describe(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl DomainError {
    pub fn out_of_scope(target_type: &'static str, target_id: impl ToString) -> Self {
        DomainError::OutOfScope {
            target_type,
            target_id: target_id.to_string(),
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        DomainError::Invalid(vec![FieldError::new(field, message)])
    }
}

pub type DomainResult<T> = Result<T, DomainError>;
