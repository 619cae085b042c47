use sea_orm::DbErr;
use simdesk_types::{FieldError, Wording};

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
    Conflict(Wording),
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

    /// The database cannot serve anyone just now (unreachable, restarting, out of
    /// connections, read-only or out of space) rather than refusing this request: the edge
    /// answers 503 and the caller may try again.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, DomainError::Database(e) if database_unavailable(e))
    }

    pub fn invalid(field: &str, message: impl Into<Wording>) -> Self {
        DomainError::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn conflict(message: impl Into<Wording>) -> Self {
        DomainError::Conflict(message.into())
    }
}

pub type DomainResult<T> = Result<T, DomainError>;

fn database_unavailable(error: &DbErr) -> bool {
    use sea_orm::{sqlx, DbBackend, RuntimeErr};
    let cause = match error {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => e,
        DbErr::Conn(_) => return true,
        _ => return false,
    };
    match cause {
        // Not `Protocol`: that is also how the driver reports a query it cannot send.
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(e) => {
            let code = e.code().unwrap_or_default();
            match error_backend(e.as_ref()) {
                // Class 08: connection exception; 57P0x: shutting down, crashed, starting up;
                // 53xxx: out of resources (disk, memory, connections); 25006: read-only.
                DbBackend::Postgres => {
                    code.starts_with("08")
                        || code.starts_with("57P")
                        || code.starts_with("53")
                        || code == "25006"
                }
                // SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN with their
                // extended codes.
                _ => code
                    .parse::<i32>()
                    .is_ok_and(|c| matches!(c & 0xff, 8 | 10 | 13 | 14)),
            }
        }
        _ => false,
    }
}

fn error_backend(error: &dyn sea_orm::sqlx::error::DatabaseError) -> sea_orm::DbBackend {
    if error
        .try_downcast_ref::<sea_orm::sqlx::postgres::PgDatabaseError>()
        .is_some()
    {
        sea_orm::DbBackend::Postgres
    } else {
        sea_orm::DbBackend::Sqlite
    }
}
