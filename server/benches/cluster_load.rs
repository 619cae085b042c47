//! The load generator: drives three `simdesk serve` instances (this build) behind HAProxy, on a
//! PostgreSQL server of its own, over HTTP like real clients, and prints per kind of request
//! the requests per second and the latency's median and 99th percentile.
//! `SIMDESK_LOAD_INSTANCES` sets another number of instances (1 to 8).
//!
//! Two loads, each for `SIMDESK_LOAD_SECONDS` (default 20):
//! - 16 procurement systems sending new OrderRequests as fast as they are answered;
//! - a mix: OrderRequests, PunchOutSetupRequests, each role's everyday page, an agent accepting
//!   what came in and a purchaser saving drafts.
//!
//! `cargo bench -p simdesk-server --bench cluster_load` (scripts/bench runs it; needs HAProxy
//! and PostgreSQL's server programs, as `scripts/setup --test` installs them).

#[allow(dead_code)]
#[path = "../tests/faults/cluster.rs"]
mod cluster;
#[allow(dead_code)]
#[path = "../tests/faults/load.rs"]
mod load;

use load::{Mix, Portal};
use std::time::Duration;

fn seconds() -> Duration {
    Duration::from_secs(
        std::env::var("SIMDESK_LOAD_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(20),
    )
}

fn print(title: &str, books: &load::Books, duration: Duration) {
    println!("\n{title} ({} s)", duration.as_secs());
    println!(
        "  {:<30} {:>9} {:>9} {:>10} {:>10}  other answers",
        "kind", "answered", "per s", "p50 ms", "p99 ms"
    );
    let outcomes = load::outcomes(books);
    for (kind, (n, p50, p99)) in load::latencies(books) {
        let other: usize = outcomes
            .iter()
            .filter(|((k, o), _)| *k == kind && *o != load::Outcome::Acknowledged)
            .map(|(_, n)| n)
            .sum();
        println!(
            "  {kind:<30} {n:>9} {:>9.1} {:>10.1} {:>10.1}  {other}",
            n as f64 / duration.as_secs_f64(),
            p50.as_secs_f64() * 1000.0,
            p99.as_secs_f64() * 1000.0,
        );
    }
}

fn instances() -> usize {
    std::env::var("SIMDESK_LOAD_INSTANCES")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|n| (1..=8).contains(n))
        .unwrap_or(3)
}

#[tokio::main]
async fn main() {
    let duration = seconds();
    let count = instances();
    let portal = Portal::start_with(count).await;
    println!(
        "{count} instance(s) behind HAProxy at {}, PostgreSQL on port {}",
        portal.balancer.base(),
        portal.postgres.port
    );
    // Warm-up: connections opened, caches filled.
    load::run_mix(&portal, Mix::STEADY, Duration::from_secs(3), async {}).await;

    let orders_only = Mix {
        order_senders: 16,
        punchout_senders: 0,
        viewers: 0,
        browsers: false,
        pause: Duration::ZERO,
    };
    let books = load::run_mix(&portal, orders_only, duration, async {}).await;
    print(
        "16 procurement systems sending new OrderRequests",
        &books,
        duration,
    );
    simdesk_domain::testing::pgbench::order_writes(
        &portal.db,
        &portal.postgres.url(),
        portal.dir.path(),
        duration,
    )
    .await;

    let mix = Mix {
        order_senders: 4,
        punchout_senders: 2,
        viewers: 4,
        browsers: true,
        pause: Duration::ZERO,
    };
    let books = load::run_mix(&portal, mix, duration, async {}).await;
    print(
        "A mix: OrderRequests, PunchOut setups, pages of three roles, accepting, drafts",
        &books,
        duration,
    );
    let count = load::count(&portal, &books).await;
    count.assert_nothing_lost();
}
