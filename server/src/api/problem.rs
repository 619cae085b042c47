//! Errors of the REST API as `application/problem+json` (RFC 9457): a stable `type` per kind
//! of problem (documented on the reference page under that anchor), the status, a sentence
//! for people and, for bad input, the fields' own messages, the same the forms show. The one
//! mapping from the service layer's errors for the API.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use simdesk_domain::api_tokens::TokenRefused;
use simdesk_domain::DomainError;
use utoipa::ToSchema;

/// The media type of every error the API answers with.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The kinds of problem, each with its `type` and status. The list is the reference page's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    MalformedRequest,
    Unauthenticated,
    InvalidToken,
    InsufficientScope,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    IdempotencyKeyInUse,
    InvalidInput,
    IdempotencyKeyReused,
    UnsupportedMediaType,
    RateLimited,
    Internal,
    Unavailable,
}

impl Kind {
    pub const ALL: [Kind; 15] = [
        Kind::MalformedRequest,
        Kind::Unauthenticated,
        Kind::InvalidToken,
        Kind::InsufficientScope,
        Kind::Forbidden,
        Kind::NotFound,
        Kind::MethodNotAllowed,
        Kind::Conflict,
        Kind::IdempotencyKeyInUse,
        Kind::InvalidInput,
        Kind::IdempotencyKeyReused,
        Kind::UnsupportedMediaType,
        Kind::RateLimited,
        Kind::Internal,
        Kind::Unavailable,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Kind::MalformedRequest => "malformed-request",
            Kind::Unauthenticated => "unauthenticated",
            Kind::InvalidToken => "invalid-token",
            Kind::InsufficientScope => "insufficient-scope",
            Kind::Forbidden => "forbidden",
            Kind::NotFound => "not-found",
            Kind::MethodNotAllowed => "method-not-allowed",
            Kind::Conflict => "conflict",
            Kind::IdempotencyKeyInUse => "idempotency-key-in-use",
            Kind::InvalidInput => "invalid-input",
            Kind::IdempotencyKeyReused => "idempotency-key-reused",
            Kind::UnsupportedMediaType => "unsupported-media-type",
            Kind::RateLimited => "rate-limited",
            Kind::Internal => "internal",
            Kind::Unavailable => "unavailable",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            Kind::MalformedRequest => StatusCode::BAD_REQUEST,
            Kind::Unauthenticated | Kind::InvalidToken => StatusCode::UNAUTHORIZED,
            Kind::InsufficientScope | Kind::Forbidden => StatusCode::FORBIDDEN,
            Kind::NotFound => StatusCode::NOT_FOUND,
            Kind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Kind::Conflict | Kind::IdempotencyKeyInUse => StatusCode::CONFLICT,
            Kind::InvalidInput | Kind::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            Kind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Kind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Kind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Kind::MalformedRequest => "The request could not be read",
            Kind::Unauthenticated => "An API token is required",
            Kind::InvalidToken => "The API token is not valid",
            Kind::InsufficientScope => "The API token lacks a scope",
            Kind::Forbidden => "Not allowed",
            Kind::NotFound => "Not found",
            Kind::MethodNotAllowed => "Method not allowed",
            Kind::Conflict => "Conflict with the current state",
            Kind::IdempotencyKeyInUse => "A request with this idempotency key is in progress",
            Kind::InvalidInput => "The request has invalid fields",
            Kind::IdempotencyKeyReused => "The idempotency key was used for another request",
            Kind::UnsupportedMediaType => "The body must be JSON",
            Kind::RateLimited => "Too many requests",
            Kind::Internal => "Something went wrong on our side",
            Kind::Unavailable => "The service is unavailable for a moment",
        }
    }

    /// When a client sees it, and what to do.
    pub fn explanation(self) -> &'static str {
        match self {
            Kind::MalformedRequest => "The body is not valid JSON, or a path, query or header value has the wrong form. Fix the request; retrying it unchanged fails again.",
            Kind::Unauthenticated => "No `Authorization: Bearer <token>` header was sent.",
            Kind::InvalidToken => "The token is unknown, revoked or expired, or the admin who made it can no longer act for its tenant or account. Ask an admin for a new token.",
            Kind::InsufficientScope => "The token may call the API, but not this operation: it lacks the scope named in `detail`.",
            Kind::Forbidden => "The token's maker is not allowed to do this (for example an account's token asking for the provider's accounts).",
            Kind::NotFound => "The object does not exist, or belongs to another tenant or account: the two are not told apart.",
            Kind::MethodNotAllowed => "The route exists, but not with this HTTP method.",
            Kind::Conflict => "The object changed meanwhile (its `version` is not the one sent), or its status does not allow the step. Read it again and decide.",
            Kind::IdempotencyKeyInUse => "Another request with the same `Idempotency-Key` is being served. Retry after a moment; it then gets that request's answer.",
            Kind::InvalidInput => "Fields failed their checks; `errors` lists each field with its message.",
            Kind::IdempotencyKeyReused => "The `Idempotency-Key` was sent before with another method, path or body. Use a new key for a new request.",
            Kind::UnsupportedMediaType => "Send `Content-Type: application/json`.",
            Kind::RateLimited => "The token sent more requests than its rate allows. Wait for the seconds in `Retry-After`.",
            Kind::Internal => "A fault of ours, logged with the request id. Retrying may help; report it with the `X-Request-Id` if not.",
            Kind::Unavailable => "The database cannot serve requests just now. Retry with backoff; with an `Idempotency-Key`, the retry acts at most once.",
        }
    }
}

/// One field's complaint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldProblem {
    /// The field, as the request names it.
    pub field: String,
    pub message: String,
}

/// An error answer (RFC 9457).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem, for example
    /// `/api/v1/docs#problem-not-found`; stable across releases.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What went wrong with this request, for people.
    pub detail: String,
    /// The fields that failed their checks (invalid input only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    #[serde(skip)]
    retry_after: Option<u64>,
    #[serde(skip)]
    code: Option<Kind>,
}

impl Problem {
    pub fn new(kind: Kind, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("/api/v1/docs#problem-{}", kind.slug()),
            title: kind.title().to_owned(),
            status: kind.status().as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
            code: Some(kind),
        }
    }

    pub fn kind(&self) -> Option<Kind> {
        self.code
    }

    /// Names the fields as the API's documents do where the forms' names differ: `from` is a
    /// field or the first part of a dotted one.
    pub fn renaming_fields(mut self, renames: &[(&str, &str)]) -> Self {
        for error in &mut self.errors {
            for (from, to) in renames {
                if error.field == *from {
                    error.field = (*to).to_owned();
                } else if let Some(rest) = error.field.strip_prefix(&format!("{from}.")) {
                    error.field = format!("{to}.{rest}");
                }
            }
        }
        self
    }

    /// A list's failure: its input is the query, so bad input is a malformed request (400),
    /// with the cursor named as the API names it.
    pub fn from_query(error: DomainError) -> Self {
        match error {
            DomainError::Invalid(fields) => {
                let mut problem = Self::from_domain(DomainError::Invalid(fields))
                    .renaming_fields(&[("after", "cursor")]);
                problem.status = Kind::MalformedRequest.status().as_u16();
                problem.kind = format!("/api/v1/docs#problem-{}", Kind::MalformedRequest.slug());
                problem.title = Kind::MalformedRequest.title().to_owned();
                problem.code = Some(Kind::MalformedRequest);
                problem
            }
            other => Self::from_domain(other),
        }
    }

    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    pub fn invalid_token(refused: TokenRefused) -> Self {
        let detail = match refused {
            TokenRefused::Unknown => "The token is not known.",
            TokenRefused::Revoked => "The token was revoked.",
            TokenRefused::Expired => "The token has expired.",
            TokenRefused::MakerGone => {
                "The admin who made the token can no longer act for its tenant or account."
            }
        };
        Self::new(Kind::InvalidToken, detail)
    }

    /// A failure of a service, logged when it is a fault of ours.
    pub fn from_domain(error: DomainError) -> Self {
        if error.is_unavailable() {
            tracing::error!(error = %error, "database unavailable");
            return Self::new(Kind::Unavailable, "Please retry shortly.");
        }
        match error {
            DomainError::NotFound | DomainError::OutOfScope { .. } => Self::new(
                Kind::NotFound,
                "This object does not exist or is not available to this token.",
            ),
            DomainError::Forbidden | DomainError::SsoRequired => Self::new(
                Kind::Forbidden,
                "The token's maker is not allowed to do this.",
            ),
            DomainError::SignInFailed => Self::new(Kind::InvalidToken, "Sign-in failed."),
            DomainError::Conflict(message) => Self::new(Kind::Conflict, message.english),
            DomainError::Invalid(fields) => {
                let detail = fields
                    .iter()
                    .map(|f| f.message.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                let mut problem = Self::new(Kind::InvalidInput, detail);
                problem.errors = fields
                    .into_iter()
                    .map(|f| FieldProblem {
                        field: f.field,
                        message: f.message,
                    })
                    .collect();
                problem
            }
            DomainError::Database(_) | DomainError::Internal(_) => {
                tracing::error!(error = %error, "an API request failed");
                Self::new(
                    Kind::Internal,
                    "The details are in the server's log under this request's id.",
                )
            }
        }
    }
}

impl From<DomainError> for Problem {
    fn from(error: DomainError) -> Self {
        Self::from_domain(error)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = self.retry_after;
        let unauthenticated = matches!(self.code, Some(Kind::Unauthenticated | Kind::InvalidToken));
        let mut response = (
            status,
            [(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON))],
            serde_json::to_string(&self).unwrap_or_default(),
        )
            .into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if unauthenticated {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"simdesk\""),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use simdesk_types::FieldError;

    #[test]
    fn each_service_error_has_its_problem() {
        let kind = |error| Problem::from_domain(error).kind();
        assert_eq!(kind(DomainError::NotFound), Some(Kind::NotFound));
        assert_eq!(
            kind(DomainError::out_of_scope("purchase_order", 1)),
            Some(Kind::NotFound)
        );
        assert_eq!(kind(DomainError::Forbidden), Some(Kind::Forbidden));
        assert_eq!(kind(DomainError::conflict("x")), Some(Kind::Conflict));
        assert_eq!(
            kind(DomainError::Internal("disk".into())),
            Some(Kind::Internal)
        );
        let invalid = Problem::from_domain(DomainError::Invalid(vec![FieldError::new(
            "lines",
            "Order at least one SIM.",
        )]));
        assert_eq!(invalid.status, 422);
        assert_eq!(invalid.errors[0].field, "lines");
    }

    #[test]
    fn faults_of_ours_say_nothing_of_their_cause() {
        let problem = Problem::from_domain(DomainError::Internal("secret detail".into()));
        assert!(!serde_json::to_string(&problem).unwrap().contains("secret"));
    }

    #[test]
    fn every_kind_has_its_own_type() {
        let slugs: std::collections::HashSet<_> = Kind::ALL.iter().map(|k| k.slug()).collect();
        assert_eq!(slugs.len(), Kind::ALL.len());
    }
}
