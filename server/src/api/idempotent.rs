//! `Idempotency-Key` on every POST of the API: the first request with a key is served and its
//! answer kept; a retry with the same key, method, path and body gets that answer again (with
//! `Idempotent-Replayed: true`) and acts no second time; the same key with another request is
//! refused (422); a retry while the first is still served waits a little, then gets 409.
//! If the first try committed its change but its answer was lost (the instance died), a
//! retry gets `303 See Other` to what was changed, never a second change.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use simdesk_domain::api_tokens::ApiCaller;
use simdesk_domain::idempotency::{self, Claim, KeyRef};
use simdesk_domain::request_id;
use simdesk_domain::tokens::sha256_hex;
use std::time::Duration;

use super::problem::{Kind, Problem};
use crate::AppState;

pub const HEADER: &str = "idempotency-key";
/// The largest body a POST of the API may have.
pub const MAX_BODY: usize = 1024 * 1024;
/// How long a duplicate waits for the first request's answer before it is told to retry.
const WAIT_FOR_FIRST: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(50);

pub async fn keyed(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let Some(key) = request.headers().get(HEADER) else {
        return next.run(request).await;
    };
    let Some(key) = key.to_str().ok().filter(|k| idempotency::acceptable(k)) else {
        return Problem::new(
            Kind::MalformedRequest,
            format!(
                "The Idempotency-Key must be 1 to {} visible ASCII characters.",
                idempotency::MAX_KEY_LEN
            ),
        )
        .into_response();
    };
    let Some(caller) = request.extensions().get::<ApiCaller>().cloned() else {
        return next.run(request).await;
    };
    let Some(tenant_id) = caller.actor.tenant_id else {
        return next.run(request).await;
    };
    let key = KeyRef {
        tenant_id,
        token_id: caller.token_id,
        key: key.to_owned(),
    };
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return Problem::new(
                Kind::MalformedRequest,
                format!("The body must be at most {MAX_BODY} bytes."),
            )
            .into_response()
        }
    };
    let mut fingerprint = format!("{} {}\n", parts.method, parts.uri.path()).into_bytes();
    fingerprint.extend_from_slice(&bytes);
    let request_hash = sha256_hex(&fingerprint);

    let started = tokio::time::Instant::now();
    loop {
        match idempotency::claim(&state.db, &key, &request_hash).await {
            Err(error) => return Problem::from_domain(error).into_response(),
            Ok(Claim::Replay {
                status,
                body,
                location,
            }) => return replay(status, body, location),
            Ok(Claim::Acted { on }) => return acted(&state, &key, &on).await,
            Ok(Claim::KeyReused) => {
                return Problem::new(
                    Kind::IdempotencyKeyReused,
                    "This Idempotency-Key was used with another request. Use a new key.",
                )
                .into_response()
            }
            Ok(Claim::InFlight) if started.elapsed() < WAIT_FOR_FIRST => {
                tokio::time::sleep(POLL).await;
            }
            Ok(Claim::InFlight) => {
                return Problem::new(
                    Kind::IdempotencyKeyInUse,
                    "A request with this Idempotency-Key is still being served. Retry shortly.",
                )
                .retry_after(1)
                .into_response()
            }
            Ok(Claim::Proceed) => break,
        }
    }

    let response = request_id::with_idempotency_key(
        key.key.clone(),
        next.run(Request::from_parts(parts, Body::from(bytes))),
    )
    .await;
    let status = response.status();
    if status.is_server_error() {
        // Nothing was done that a retry would repeat (the service's transaction failed), or
        // we cannot tell: the next retry is served afresh.
        if let Err(error) = idempotency::release(&state.db, &key).await {
            tracing::error!(error = %error, "an idempotency key could not be released");
        }
        return response;
    }
    let (parts, body) = response.into_parts();
    let body = match to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(error) => {
            tracing::error!(error = %error, "an API answer could not be read back");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let text = String::from_utf8_lossy(&body);
    let location = parts
        .headers
        .get(header::LOCATION)
        .and_then(|l| l.to_str().ok());
    if let Err(error) =
        idempotency::complete(&state.db, &key, status.as_u16(), &text, location).await
    {
        // The request did act: answer it; a retry within the lease waits, then is served.
        tracing::error!(error = %error, "an idempotent answer could not be kept");
    }
    Response::from_parts(parts, Body::from(body))
}

/// An answer kept with a key, as it was first given.
fn answer(status: u16, body: String, location: Option<String>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let content_type = if status.is_success() || status.is_redirection() {
        "application/json"
    } else {
        super::problem::PROBLEM_JSON
    };
    let mut response = (status, [(header::CONTENT_TYPE, content_type)], body).into_response();
    if let Some(location) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

fn replay(status: u16, body: String, location: Option<String>) -> Response {
    let mut response = answer(status, body, location);
    response
        .headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

/// Where the API shows what a change touched (`<type>:<id>` as the audit log names it).
fn resource_path(acted_on: &str) -> Option<String> {
    let (kind, id) = acted_on.split_once(':')?;
    let id: i64 = id.parse().ok()?;
    match kind {
        "purchase_order" => Some(format!("/api/v1/orders/{id}")),
        "product" => Some(format!("/api/v1/products/{id}")),
        "entitlement_option" => Some(format!("/api/v1/options/{id}")),
        _ => None,
    }
}

/// The answer to a retry whose first try changed `acted_on` but lost its answer: `303 See
/// Other` to the changed object, kept as the key's answer from now on.
async fn acted(state: &AppState, key: &KeyRef, acted_on: &str) -> Response {
    let location = resource_path(acted_on);
    let body = serde_json::json!({
        "detail": "The first request with this Idempotency-Key made its change, but its answer was lost. Read the object at Location.",
        "location": location,
    })
    .to_string();
    if let Err(error) = idempotency::complete(&state.db, key, 303, &body, location.as_deref()).await
    {
        tracing::error!(error = %error, "an idempotent answer could not be kept");
    }
    answer(303, body, location)
}
