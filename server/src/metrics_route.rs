//! `/metrics` in the OpenMetrics text format (prometheus-client): standing alarms per tenant
//! and kind, messages per queue and status, and the age of each queue's oldest pending
//! message, read from the database at each scrape so every instance reports the same; the
//! database pool's connections; and this instance's own counts of requests, their latency and
//! failed sign-ins (`http_metrics`).

use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use simdesk_domain::alarms;
use std::net::SocketAddr;

use crate::http_error::HttpError;
use crate::AppState;

type Labels = Vec<(&'static str, String)>;

pub async fn metrics(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let allowed = match &state.metrics_token {
        Some(token) => headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| {
                use subtle::ConstantTimeEq;
                bool::from(given.as_bytes().ct_eq(token.as_bytes()))
            }),
        None => peer.ip().is_loopback(),
    };
    if !allowed {
        return (
            StatusCode::FORBIDDEN,
            "metrics need SIMDESK_METRICS_TOKEN or a loopback client\n",
        )
            .into_response();
    }
    let gauges = match alarms::gauges(&state.db).await {
        Ok(gauges) => gauges,
        Err(e) => return HttpError::new("reading the metrics failed", e).into_response(),
    };
    let mut registry = Registry::default();
    let standing = Family::<Labels, Gauge>::default();
    for (tenant, kind, count) in gauges.standing_alarms {
        standing
            .get_or_create(&vec![("tenant", tenant), ("kind", kind)])
            .set(count);
    }
    registry.register(
        "simdesk_alarms_standing",
        "Alarms open or acknowledged, per tenant and kind",
        standing,
    );
    let messages = Family::<Labels, Gauge>::default();
    for (queue, status, count) in gauges.messages {
        messages
            .get_or_create(&vec![("queue", queue.to_owned()), ("status", status)])
            .set(count);
    }
    registry.register(
        "simdesk_messages",
        "Outgoing messages per queue (email, cxml) and status",
        messages,
    );
    let oldest = Family::<Labels, Gauge>::default();
    for (queue, seconds) in gauges.oldest_pending_seconds {
        oldest
            .get_or_create(&vec![("queue", queue.to_owned())])
            .set(seconds);
    }
    registry.register(
        "simdesk_queue_oldest_pending_seconds",
        "How long the oldest pending message of each queue has waited",
        oldest,
    );
    let (connections, idle) = simdesk_domain::db::pool_connections(&state.db);
    let pool = Family::<Labels, Gauge>::default();
    pool.get_or_create(&vec![("state", "open".to_owned())])
        .set(i64::from(connections));
    pool.get_or_create(&vec![("state", "idle".to_owned())])
        .set(i64::try_from(idle).unwrap_or(i64::MAX));
    registry.register(
        "simdesk_db_pool_connections",
        "Database connections of this instance's pool, open and idle",
        pool,
    );
    state.http_metrics.register(&mut registry);
    let mut body = String::new();
    if encode(&mut body, &registry).is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
        .into_response()
}
