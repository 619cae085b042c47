//! Who calls the API: the bearer token is checked on every request, the token's rate is
//! counted, and the call runs as the token's [`ApiCaller`], with the token named in the audit
//! rows it writes; every call with a valid token goes to the audit trail of calls.

use axum::extract::{FromRequestParts, OriginalUri, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::{Quota, RateLimiter};
use simdesk_domain::api_calls::ApiCall;
use simdesk_domain::api_tokens::{self, ApiCaller};
use simdesk_domain::request_id;
use simdesk_types::ApiScope;
use std::num::NonZeroU32;
use std::sync::Arc;

use super::problem::{Kind, Problem};
use crate::AppState;

type Limiter = RateLimiter<
    i64,
    governor::state::keyed::DefaultKeyedStateStore<i64>,
    DefaultClock,
    StateInformationMiddleware,
>;

/// Requests per minute and token, counted by this instance.
#[derive(Clone)]
pub struct RateLimits {
    per_minute: u32,
    limiter: Arc<Limiter>,
}

impl RateLimits {
    pub fn per_minute(per_minute: u32) -> Self {
        let per_minute = per_minute.max(1);
        let quota = Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN));
        Self {
            per_minute,
            limiter: Arc::new(RateLimiter::keyed(quota).with_middleware()),
        }
    }

    /// Counts one request of `token_id`: the headers to answer with, or the problem when the
    /// token is over its rate.
    fn count(&self, token_id: i64) -> Result<HeaderMap, Problem> {
        let policy = format!("\"per-token\";q={};w=60", self.per_minute);
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(&policy) {
            headers.insert("ratelimit-policy", value);
        }
        match self.limiter.check_key(&token_id) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                // A full bucket refills at the quota's rate: the seconds until it is full.
                let reset = (u64::from(self.per_minute - remaining.min(self.per_minute)) * 60)
                    .div_ceil(u64::from(self.per_minute));
                if let Ok(value) =
                    HeaderValue::from_str(&format!("\"per-token\";r={remaining};t={reset}"))
                {
                    headers.insert("ratelimit", value);
                }
                Ok(headers)
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                Err(Problem::new(
                    Kind::RateLimited,
                    format!(
                        "This token may send {} requests a minute. Retry in {seconds} s.",
                        self.per_minute
                    ),
                )
                .retry_after(seconds.max(1)))
            }
        }
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Lets the request in when its token is valid and within its rate.
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(secret) = bearer(request.headers()) else {
        return Problem::new(
            Kind::Unauthenticated,
            "Send the API token in the header `Authorization: Bearer <token>`.",
        )
        .into_response();
    };
    let caller = match api_tokens::authenticate(&state.db, secret).await {
        Ok(Ok(caller)) => caller,
        Ok(Err(refused)) => {
            tracing::info!(reason = %refused, "API token refused");
            return Problem::invalid_token(refused).into_response();
        }
        Err(error) => return Problem::from_domain(error).into_response(),
    };
    let uri = request
        .extensions()
        .get::<OriginalUri>()
        .map_or_else(|| request.uri().clone(), |original| original.0.clone());
    let mut call = ApiCall {
        tenant_id: caller.actor.tenant_id.unwrap_or_default(),
        account_id: caller.actor.account_id,
        token_id: caller.token_id,
        method: request.method().to_string(),
        path: uri
            .path_and_query()
            .map_or_else(|| uri.path().to_owned(), ToString::to_string),
        status: 0,
        request_id: request_id::current().unwrap_or_default(),
        at: Utc::now(),
    };
    let response = match state.api_rate_limits.count(caller.token_id) {
        Err(problem) => problem.into_response(),
        Ok(rate_headers) => {
            tracing::info!(
                api_token_id = caller.token_id,
                user_id = caller.actor.user_id,
                "API call"
            );
            let token_id = caller.token_id;
            request.extensions_mut().insert(caller);
            let mut response = request_id::with_api_token(token_id, next.run(request)).await;
            response.headers_mut().extend(rate_headers);
            response
        }
    };
    call.status = response.status().as_u16();
    state.api_calls.note(call).await;
    response
}

/// The calling token in a handler.
pub struct Caller(pub ApiCaller);

impl Caller {
    /// The token's actor, when the token has `scope`.
    pub fn with(&self, scope: ApiScope) -> Result<&simdesk_domain::Actor, Problem> {
        if self.0.may(scope) {
            Ok(&self.0.actor)
        } else {
            Err(Problem::new(
                Kind::InsufficientScope,
                format!("This operation needs the scope `{}`.", scope.as_str()),
            ))
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<ApiCaller>()
            .cloned()
            .map(Caller)
            .ok_or_else(|| Problem::new(Kind::Unauthenticated, "No API token was checked."))
    }
}
