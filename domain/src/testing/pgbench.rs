//! PostgreSQL's own rate for the writes of one new OrderRequest, measured with pgbench beside
//! the application's: the benchmarks compare the two. Panics on a setup failure; benches only.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The column list of `table` without its id, and the same list with some columns replaced.
async fn columns(
    db: &DatabaseConnection,
    table: &str,
    replaced: &[(&str, &str)],
) -> (String, String) {
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

/// The one value `sql` selects.
async fn one<T: sea_orm::TryGetable>(db: &DatabaseConnection, sql: &str) -> T {
    db.query_one(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .expect(sql)
        .expect(sql)
        .try_get_by_index::<T>(0)
        .expect(sql)
}

/// PostgreSQL's own rate for the writes one new OrderRequest makes, with pgbench at the same
/// 16 clients: the received document, the PO, its lines and timeline, its audit entries and
/// notifications, the document's answer, in one transaction as the application's role with the
/// tenant set, all copied from the last order an OrderRequest created in `db` (at `url`).
/// Prints pgbench's figures and returns them with the script, if it ran.
pub async fn order_writes(
    db: &DatabaseConnection,
    url: &str,
    dir: &Path,
    duration: Duration,
) -> Option<Limit> {
    let document = one::<i64>(
        db,
        "SELECT max(id) FROM cxml_document WHERE document_type = 'OrderRequest' \
         AND purchase_order_id IS NOT NULL",
    )
    .await;
    let po = one::<i64>(
        db,
        &format!("SELECT purchase_order_id FROM cxml_document WHERE id = {document}"),
    )
    .await;
    let tenant = one::<i64>(
        db,
        &format!("SELECT tenant_id FROM purchase_order WHERE id = {po}"),
    )
    .await;
    // The rows to copy, by id: the copies then cost what the writes cost, not a search.
    let ids = |table: &str, filter: String| {
        let sql =
            format!("SELECT coalesce(string_agg(id::text, ','), '0') FROM {table} WHERE {filter}");
        async move { one::<String>(db, &sql).await }
    };
    let line_ids = ids("purchase_order_line", format!("purchase_order_id = {po}")).await;
    let event_ids = ids("purchase_order_event", format!("purchase_order_id = {po}")).await;
    let audit_ids = ids(
        "audit_log",
        format!("target_type = 'purchase_order' AND target_id = '{po}'"),
    )
    .await;
    let mail_ids = ids("notification", format!("purchase_order_id = {po}")).await;
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
    let (mail_cols, mail_vals) = columns(db, "notification", &[("purchase_order_id", ":po")]).await;
    let script = format!(
        "\\set n random(1, 2000000000)\n\
         BEGIN;\n\
         SET LOCAL ROLE simdesk_app;\n\
         SELECT set_config('app.tenant_id', '{tenant}', true), set_config('app.scope', 'tenant', true);\n\
         SELECT id FROM tenant WHERE id = {tenant};\n\
         INSERT INTO cxml_document ({doc_cols}) SELECT {doc_vals} FROM cxml_document WHERE id = {document} RETURNING id AS doc \\gset\n\
         INSERT INTO purchase_order ({po_cols}) SELECT {po_vals} FROM purchase_order WHERE id = {po} RETURNING id AS po \\gset\n\
         INSERT INTO purchase_order_line ({line_cols}) SELECT {line_vals} FROM purchase_order_line WHERE id IN ({line_ids});\n\
         INSERT INTO purchase_order_event ({event_cols}) SELECT {event_vals} FROM purchase_order_event WHERE id IN ({event_ids});\n\
         INSERT INTO audit_log ({audit_cols}) SELECT {audit_vals} FROM audit_log WHERE id IN ({audit_ids});\n\
         INSERT INTO notification ({mail_cols}) SELECT {mail_vals} FROM notification WHERE id IN ({mail_ids});\n\
         UPDATE cxml_document SET purchase_order_id = :po, status_code = 200 WHERE id = :doc;\n\
         COMMIT;\n"
    );
    let file = dir.join("order_writes.sql");
    std::fs::write(&file, &script).expect("write the pgbench script");
    println!(
        "\nPostgreSQL's own limit for one new order's writes (pgbench -c 16 -j 2 -T {}, script below)",
        duration.as_secs()
    );
    let run = run(url, &file, duration, None);
    println!("  script ({}):", file.display());
    for line in script.lines() {
        println!("    {}", line.chars().take(160).collect::<String>());
    }
    run.map(|run| Limit { run, script: file })
}

/// What one pgbench run measured.
#[derive(Debug, Clone, Copy)]
pub struct Run {
    pub tps: f64,
    pub p50: Duration,
    pub p99: Duration,
}

/// PostgreSQL's limit for an order's writes, and the script that measured it.
#[derive(Debug, Clone)]
pub struct Limit {
    pub run: Run,
    pub script: PathBuf,
}

/// Runs `script` with 16 clients for `duration`: as fast as it goes, or at `rate` transactions
/// per second on a schedule (`-R`, each latency counted from the scheduled start). Prints and
/// returns the rate and the latency percentiles from pgbench's per-transaction log.
pub fn run(url: &str, script: &Path, duration: Duration, rate: Option<f64>) -> Option<Run> {
    let logs = tempfile::tempdir().expect("a directory for pgbench's log");
    let prefix = logs.path().join("tx");
    let mut command = std::process::Command::new("pgbench");
    command
        .args(["-n", "-c", "16", "-j", "2", "-l", "--log-prefix"])
        .arg(&prefix)
        .arg("-T")
        .arg(duration.as_secs().to_string());
    if let Some(rate) = rate {
        command.arg("-R").arg(format!("{rate:.0}"));
    }
    let output = command
        .arg("-f")
        .arg(script)
        .arg(url)
        .current_dir(logs.path())
        .output()
        .expect("pgbench (Debian: apt-get install postgresql-contrib or postgresql-client)");
    let text = String::from_utf8_lossy(&output.stdout);
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
        return None;
    }
    let tps = text
        .lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|tps| tps.parse().ok())?;
    // Each log line: client, transaction, latency (µs), script, epoch s, µs[, schedule lag µs].
    let mut latencies: Vec<u64> = std::fs::read_dir(logs.path())
        .expect("pgbench's log")
        .filter_map(|entry| std::fs::read_to_string(entry.ok()?.path()).ok())
        .flat_map(|log| {
            log.lines()
                .filter_map(|line| {
                    let fields: Vec<&str> = line.split_whitespace().collect();
                    let latency: u64 = fields.get(2)?.parse().ok()?;
                    let lag: u64 = fields.get(6).and_then(|f| f.parse().ok()).unwrap_or(0);
                    Some(latency + lag)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    latencies.sort_unstable();
    let at = |p: f64| {
        let index = ((latencies.len().saturating_sub(1)) as f64 * p).round() as usize;
        Duration::from_micros(latencies.get(index).copied().unwrap_or_default())
    };
    let run = Run {
        tps,
        p50: at(0.50),
        p99: at(0.99),
    };
    println!(
        "  latency p50 {:.2} ms, p99 {:.2} ms{}",
        run.p50.as_secs_f64() * 1000.0,
        run.p99.as_secs_f64() * 1000.0,
        if rate.is_some() {
            " (from the scheduled start)"
        } else {
            ""
        }
    );
    Some(run)
}
