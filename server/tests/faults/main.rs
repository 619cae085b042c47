//! The fault harness: three `simdesk serve` instances on one PostgreSQL behind HAProxy, under a
//! bounded load of browser actions, cXML OrderRequests and deliveries to a procurement system,
//! while an instance is killed with SIGKILL or PostgreSQL crashes and comes back.
//!
//! Each scenario prints its books (sent, acknowledged, present, duplicates) and checks that
//! nothing acknowledged was lost. `scripts/faults` runs it (`--full` for a longer load);
//! `scripts/test` runs the short form. docs/reliability.md records a full run.

mod cluster;
mod load;

use load::{Books, Count, Outcome, Portal};
use std::time::Duration;

fn report(scenario: &str, books: &Books, count: &Count) {
    println!("\n== {scenario}");
    for ((kind, outcome), n) in load::outcomes(books) {
        println!("  {kind:<28} {outcome:?}: {n}");
    }
    for (kind, (_, p50, p99)) in load::latencies(books) {
        println!("  {kind:<28} answered with success in p50 {p50:?}, p99 {p99:?}");
    }
    println!("  {count:#?}");
    println!(
        "  acceptances the procurement system received again (same payloadID, harmless): {}",
        count.confirmation_repeats
    );
}

/// Requests refused although they were in order: the load sends nothing a server should refuse.
fn refusals(books: &Books) -> Vec<String> {
    books
        .requests
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Refused(_)))
        .map(|r| format!("{:?} {} {:?}: {}", r.started, r.kind, r.outcome, r.detail))
        .collect()
}

/// Requests that failed although they started after `after`, with what they were told.
fn failures_after(books: &Books, after: Duration) -> Vec<String> {
    books
        .requests
        .iter()
        .filter(|r| r.started > after)
        .filter(|r| matches!(r.outcome, Outcome::Failed(_) | Outcome::NoAnswer))
        .map(|r| format!("{:?} {} {:?}: {}", r.started, r.kind, r.outcome, r.detail))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_instance_killed_mid_load_loses_nothing_it_acknowledged() {
    let mut portal = Portal::start().await;
    let duration = load::load_duration();
    let kill_at = duration / 3;
    let noticed = std::sync::Mutex::new(Duration::ZERO);
    let fault = async {
        tokio::time::sleep(kill_at).await;
        portal.instances[1].kill_nine();
        let took = portal
            .balancer
            .wait_for("s2", "DOWN", Duration::from_secs(10))
            .await;
        *noticed.lock().unwrap() = kill_at + took;
    };
    let books = load::run(&portal, duration, fault).await;
    let noticed = *noticed.lock().unwrap();

    // Started again on its port after the crash: the balancer takes it back.
    portal.restart(1).await;
    let back = portal
        .balancer
        .wait_for("s2", "UP", Duration::from_secs(20))
        .await;

    let count = load::count(&portal, &books).await;
    report("SIGKILL of one of three instances", &books, &count);
    println!("  killed at {kill_at:?}, marked DOWN by HAProxy at {noticed:?}, UP again {back:?} after its restart");
    count.assert_nothing_lost();
    // Once the balancer has noticed, every request is answered by the living instances.
    let late = failures_after(&books, noticed + Duration::from_millis(500));
    assert!(
        late.is_empty(),
        "failures after the balancer noticed: {late:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_postgres_crash_mid_load_is_answered_clearly_and_loses_nothing() {
    let portal = Portal::start().await;
    let crash_at = load::load_duration() / 3;
    let outage = Duration::from_secs(3);
    // The load goes on well past the restart, so recovery is seen, not assumed.
    let duration = load::load_duration().max(crash_at + outage + Duration::from_secs(10));
    let restarted = std::sync::Mutex::new(Duration::ZERO);
    let fault = async {
        // The fault starts with the load: its clock is the books' clock.
        let began = std::time::Instant::now();
        tokio::time::sleep(crash_at).await;
        let postgres = &portal.postgres;
        // pg_ctl waits: off the runtime's threads, so the load goes on meanwhile.
        tokio::task::block_in_place(|| postgres.crash());
        tokio::time::sleep(outage).await;
        tokio::task::block_in_place(|| postgres.start_again());
        *restarted.lock().unwrap() = began.elapsed();
    };
    let books = load::run(&portal, duration, fault).await;
    let count = load::count(&portal, &books).await;
    report("PostgreSQL crashed and restarted", &books, &count);
    count.assert_nothing_lost();

    // During the outage: 503 (from an instance, or from HAProxy while every instance is
    // unready), a cXML 500 Status for cXML; never a bare 500 or a hung request.
    let unclear: Vec<String> = books
        .requests
        .iter()
        .filter(|r| match (r.kind, r.outcome) {
            (kind, Outcome::Failed(code)) if kind.starts_with("cXML") => code != 500 && code != 503,
            (_, Outcome::Failed(code)) => code != 503,
            _ => false,
        })
        .map(|r| format!("{:?} {} {:?}: {}", r.started, r.kind, r.outcome, r.detail))
        .collect();
    assert!(unclear.is_empty(), "unclear answers: {unclear:#?}");
    // The instances reconnect by themselves: a few seconds after the restart all is well.
    let restarted = *restarted.lock().unwrap();
    println!("  PostgreSQL crashed at {crash_at:?}, accepting connections again at {restarted:?}");
    let late = failures_after(&books, restarted + Duration::from_secs(5));
    assert!(late.is_empty(), "failures after the restart: {late:#?}");
    let after = books
        .requests
        .iter()
        .filter(|r| r.started > restarted + Duration::from_secs(5));
    assert!(after.count() > 0, "no load left after the restart");
    let refused = refusals(&books);
    assert!(refused.is_empty(), "refused: {refused:#?}");
}
