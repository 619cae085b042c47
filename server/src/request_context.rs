//! Each request's id: the load balancer's `X-Request-Id` when it sent a fit one (the HAProxy
//! configurations of `scripts/cluster` and the fault harness set it on every request, so a
//! client cannot choose it), a new one otherwise. It is a field of the log span everything the request logs belongs to (so JSON
//! logs carry it), it goes into the rows the request writes (`simdesk_domain::request_id`), and
//! the answer names it in `X-Request-Id`.

use any_spawner::{CustomExecutor, Executor, PinnedFuture, PinnedLocalFuture};
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

/// Leptos's executor for the tasks server rendering spawns (the resources that call the
/// services): tokio's, with the spawning request's id and log span carried into the task, which
/// would otherwise start without them, so what such a task writes or logs names its request.
struct RequestScoped;

impl CustomExecutor for RequestScoped {
    fn spawn(&self, task: PinnedFuture<()>) {
        let span = tracing::Span::current();
        match request_id::current() {
            Some(id) => tokio::spawn(request_id::scope(id, task).instrument(span)),
            None => tokio::spawn(task.instrument(span)),
        };
    }

    fn spawn_local(&self, task: PinnedLocalFuture<()>) {
        tokio::task::spawn_local(task);
    }

    fn poll_local(&self) {}
}

/// Installs [`RequestScoped`] as Leptos's executor, before leptos_axum would install plain
/// tokio. Once per process; later calls keep the first.
pub fn carry_request_into_spawned_tasks() {
    let _ = Executor::init_custom_executor(RequestScoped);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_task_spawned_for_a_request_knows_its_id() {
        carry_request_into_spawned_tasks();
        let (sent, seen) = tokio::sync::oneshot::channel();
        request_id::scope("req-ssr".into(), async move {
            Executor::spawn(async move {
                let _ = sent.send(request_id::current());
            });
        })
        .await;
        assert_eq!(seen.await.ok().flatten().as_deref(), Some("req-ssr"));
    }
}
