//! What this instance counts as it serves: requests and their latency per route (the route's
//! template, such as `/orders/{id}`, so ids do not multiply the series), and failed sign-ins
//! by reason. `/metrics` adds them to the figures it reads from the database. A leaf.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::time::Instant;

type Labels = Vec<(&'static str, String)>;

/// The counters of one instance; clones share them.
#[derive(Debug, Clone)]
pub struct HttpMetrics {
    requests: Family<Labels, Counter>,
    latency: Family<Labels, Histogram, fn() -> Histogram>,
    sign_in_failures: Family<Labels, Counter>,
}

impl Default for HttpMetrics {
    fn default() -> Self {
        Self {
            requests: Family::default(),
            // 5 ms to about 10 s, doubling.
            latency: Family::new_with_constructor(|| {
                Histogram::new(exponential_buckets(0.005, 2.0, 12))
            }),
            sign_in_failures: Family::default(),
        }
    }
}

/// Why a sign-in step failed, as counted.
#[derive(Debug, Clone, Copy)]
pub enum SignInFailure {
    /// A wrong password, unknown address, paused or deactivated user (told apart nowhere).
    Password,
    /// A wrong, used or late code at the second step.
    SecondFactor,
    /// The client address's limit was reached.
    Throttled,
}

impl HttpMetrics {
    pub fn sign_in_failed(&self, why: SignInFailure) {
        let reason = match why {
            SignInFailure::Password => "password",
            SignInFailure::SecondFactor => "second_factor",
            SignInFailure::Throttled => "throttled",
        };
        self.sign_in_failures
            .get_or_create(&vec![("reason", reason.to_owned())])
            .inc();
    }

    /// Adds this instance's counters to a scrape's registry.
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "simdesk_http_requests",
            "HTTP requests answered by this instance, per method, route and status class",
            self.requests.clone(),
        );
        registry.register(
            "simdesk_http_request_duration_seconds",
            "Time to answer HTTP requests on this instance, per method and route",
            self.latency.clone(),
        );
        registry.register(
            "simdesk_sign_in_failures",
            "Failed sign-in steps on this instance, per reason",
            self.sign_in_failures.clone(),
        );
    }
}

/// Counts and times every request of a matched route (`route_layer`).
pub async fn record(
    State(metrics): State<HttpMetrics>,
    route: MatchedPath,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().as_str().to_owned();
    let route = route.as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let seconds = started.elapsed().as_secs_f64();
    let class = format!("{}xx", response.status().as_u16() / 100);
    metrics
        .requests
        .get_or_create(&vec![
            ("method", method.clone()),
            ("route", route.clone()),
            ("status", class),
        ])
        .inc();
    metrics
        .latency
        .get_or_create(&vec![("method", method), ("route", route)])
        .observe(seconds);
    response
}
