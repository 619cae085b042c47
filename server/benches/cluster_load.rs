//! The load generator: drives three `simdesk serve` instances (this build) behind HAProxy, on a
//! PostgreSQL server of its own, over HTTP like real clients, and prints per kind of request
//! the requests per second and the latency's median and 99th percentile.
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

/// The column list of `table` without its id, and the same list with some columns replaced.
async fn columns(
    db: &sea_orm::DatabaseConnection,
    table: &str,
    replaced: &[(&str, &str)],
) -> (String, String) {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let rows = db
        .query_all(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_name = $1 AND column_name <> 'id' ORDER BY ordinal_position",
            [table.into()],
        ))
        .await
        .expect("the table's columns");
    let names: Vec<String> = rows
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect();
    let values: Vec<String> = names
        .iter()
        .map(|name| {
            replaced
                .iter()
                .find(|(column, _)| column == name)
                .map_or_else(|| name.clone(), |(_, value)| value.to_string())
        })
        .collect();
    (names.join(", "), values.join(", "))
}

async fn one_number(db: &sea_orm::DatabaseConnection, sql: &str) -> i64 {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    db.query_one(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .expect(sql)
        .expect(sql)
        .try_get_by_index::<i64>(0)
        .expect(sql)
}

/// PostgreSQL's own rate for the writes one new OrderRequest makes, with pgbench at the same
/// 16 clients: the received document, the PO, its lines and timeline, the audit entry, the
/// document's answer, in one transaction as the application's role with the tenant set, all
/// copied from an order the load above created.
async fn database_limit(portal: &Portal, duration: Duration) {
    let db = &portal.db;
    let document = one_number(
        db,
        "SELECT max(id) FROM cxml_document WHERE document_type = 'OrderRequest' \
         AND purchase_order_id IS NOT NULL",
    )
    .await;
    let po = one_number(
        db,
        &format!("SELECT purchase_order_id FROM cxml_document WHERE id = {document}"),
    )
    .await;
    let tenant = one_number(
        db,
        &format!("SELECT tenant_id FROM purchase_order WHERE id = {po}"),
    )
    .await;
    let audit = one_number(
        db,
        &format!("SELECT max(id) FROM audit_log WHERE target_id = '{po}'"),
    )
    .await;
    let unique = "'pgbench-' || :n || '-' || :client_id";
    let (doc_cols, doc_vals) = columns(
        db,
        "cxml_document",
        &[("payload_id", unique), ("idempotency_key", unique)],
    )
    .await;
    let (po_cols, po_vals) = columns(
        db,
        "purchase_order",
        &[("external_reference", unique), ("buyer_payload_id", unique)],
    )
    .await;
    let (line_cols, line_vals) =
        columns(db, "purchase_order_line", &[("purchase_order_id", ":po")]).await;
    let (event_cols, event_vals) =
        columns(db, "purchase_order_event", &[("purchase_order_id", ":po")]).await;
    let (audit_cols, audit_vals) = columns(db, "audit_log", &[("target_id", ":po::text")]).await;
    let script = format!(
        "\\set n random(1, 2000000000)\n\
         BEGIN;\n\
         SET LOCAL ROLE simdesk_app;\n\
         SELECT set_config('app.tenant_id', '{tenant}', true), set_config('app.scope', 'tenant', true);\n\
         SELECT id FROM tenant WHERE id = {tenant};\n\
         INSERT INTO cxml_document ({doc_cols}) SELECT {doc_vals} FROM cxml_document WHERE id = {document} RETURNING id AS doc \\gset\n\
         INSERT INTO purchase_order ({po_cols}) SELECT {po_vals} FROM purchase_order WHERE id = {po} RETURNING id AS po \\gset\n\
         INSERT INTO purchase_order_line ({line_cols}) SELECT {line_vals} FROM purchase_order_line WHERE purchase_order_id = {po};\n\
         INSERT INTO purchase_order_event ({event_cols}) SELECT {event_vals} FROM purchase_order_event WHERE purchase_order_id = {po};\n\
         INSERT INTO audit_log ({audit_cols}) SELECT {audit_vals} FROM audit_log WHERE id = {audit};\n\
         UPDATE cxml_document SET purchase_order_id = :po, status_code = 200 WHERE id = :doc;\n\
         COMMIT;\n"
    );
    let file = portal.dir.path().join("order_writes.sql");
    std::fs::write(&file, &script).expect("write the pgbench script");
    let output = std::process::Command::new("pgbench")
        .args(["-n", "-c", "16", "-j", "2", "-T"])
        .arg(duration.as_secs().to_string())
        .arg("-f")
        .arg(&file)
        .arg(portal.postgres.url())
        .output()
        .expect("pgbench (Debian: apt-get install postgresql-contrib or postgresql-client)");
    let text = String::from_utf8_lossy(&output.stdout);
    println!(
        "\nPostgreSQL's own limit for one new order's writes (pgbench -c 16 -j 2 -T {}, script below)",
        duration.as_secs()
    );
    for line in text.lines().filter(|l| {
        l.starts_with("number of transactions actually processed")
            || l.starts_with("latency average")
            || l.starts_with("tps")
            || l.starts_with("number of failed")
    }) {
        println!("  {line}");
    }
    if !output.status.success() {
        println!(
            "  pgbench failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    println!("  script ({}):", file.display());
    for line in script.lines() {
        println!("    {}", line.chars().take(160).collect::<String>());
    }
}

#[tokio::main]
async fn main() {
    let duration = seconds();
    let portal = Portal::start().await;
    println!(
        "three instances behind HAProxy at {}, PostgreSQL on port {}",
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
    database_limit(&portal, duration).await;

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
