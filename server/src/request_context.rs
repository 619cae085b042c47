//! Each request's id: the load balancer's `X-Request-Id` when it sent a fit one (the HAProxy
//! configurations of `scripts/cluster` and the fault harness set it on every request, so a
//! client cannot choose it), a new one otherwise. It is a field of the log span everything the request logs belongs to (so JSON
//! logs carry it), it goes into the rows the request writes (`simdesk_domain::request_id`), and
//! the answer names it in `X-Request-Id`.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use simdesk_domain::request_id;
use tracing::Instrument;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub async fn request_id(request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| request_id::acceptable(v))
        .map_or_else(request_id::generate, str::to_owned);
    // At error level, so the id is on every line whatever level the log is filtered to.
    let span = tracing::error_span!(
        "request",
        request_id = %id,
        method = %request.method(),
        path = %request.uri().path(),
    );
    let mut response = request_id::scope(id.clone(), next.run(request))
        .instrument(span)
        .await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}
