//! A load generator for cXML intake through `punchout::handle` (parsing, authentication,
//! idempotency claim, contract check, PO written and traced), reporting throughput and latency
//! percentiles rather than criterion's per-call means:
//! - OrderRequests ingested per second, 2,000 of them 16 at a time, each a new order (after
//!   500 others and, on PostgreSQL, `ANALYZE`, as in a database in use), each in a task of its
//!   own as the server runs requests;
//! - on PostgreSQL, the database's own rate for the same writes (pgbench, 16 clients, as long
//!   as the orders took), for the ratio; then new orders sent on a schedule at half that rate
//!   for 15 seconds, with each latency counted from when the order was due;
//! - the same 2,000 sent again: idempotent replays answered from the stored response;
//! - PunchOutSetupRequest latency with 200 at once, first for 200 new procurement users
//!   (created just in time), then for the same users again.
//!
//! `cargo bench -p simdesk-domain --bench punchout`. The backend follows
//! `SIMDESK_TEST_DATABASE_URL` like the tests do (unset: SQLite); the PostgreSQL pool is sized as
//! the server's, by `SIMDESK_DATABASE_CONNECTIONS` (unset: the server's default). Measurements,
//! not assertions.

use simdesk_domain::punchout::{credentials, handle, Endpoint};
use simdesk_domain::secret::SecretKey;
use simdesk_domain::testing::cxml::{credential_input, order_request, setup_request, BUYER_ID};
use simdesk_domain::{demo, orders, testing, Actor};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

const ORDERS: usize = 2_000;
/// Orders sent before the measurement, then the statistics gathered (PostgreSQL).
const WARM_UP: usize = 500;
const ORDER_CONCURRENCY: usize = 16;
const SETUPS: usize = 200;
/// How long orders are sent at half the database's own rate.
const PACED_SECONDS: f64 = 15.0;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn report(name: &str, mut latencies: Vec<Duration>, elapsed: Duration) {
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<44} {:>6} requests in {:>7.2} s = {:>7.1}/s   p50 {:>7.2} ms   p99 {:>7.2} ms   max {:>7.2} ms",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.99)),
        ms(*latencies.last().unwrap_or(&Duration::ZERO)),
    );
}

async fn actor(db: &simdesk_domain::DatabaseConnection, email: &str) -> Actor {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use simdesk_domain::db::{begin, DataScope};
    use simdesk_domain::entity::app_user;
    let txn = begin(db, DataScope::System).await.expect("transaction");
    let user = app_user::Entity::find()
        .filter(app_user::Column::Email.eq(email))
        .one(&txn)
        .await
        .expect("query")
        .expect("demo user");
    drop(txn);
    Actor::load(db, user.id)
        .await
        .expect("load")
        .expect("active")
}

/// The tenant's cXML address, as the server builds it per request.
fn endpoint(key: &SecretKey) -> Endpoint<'_> {
    Endpoint {
        key,
        tenant_slug: "nordwind",
        base_url: "https://portal.example",
    }
}

/// Handles one document in a task of its own, as the server does with each request, so the
/// runtime's worker threads share the work; returns how long it took from `due`.
fn spawn_one(
    tasks: &mut JoinSet<Duration>,
    db: &simdesk_domain::DatabaseConnection,
    key: &SecretKey,
    body: &str,
    due: Instant,
    permit: Option<tokio::sync::OwnedSemaphorePermit>,
) {
    let (db, key, body) = (db.clone(), key.clone(), body.to_owned());
    tasks.spawn(async move {
        let answer = handle(&db, &endpoint(&key), body.as_bytes()).await;
        assert_eq!(answer.code, 200, "{}", answer.xml);
        drop(permit);
        due.elapsed()
    });
}

/// Sends `bodies` with at most `concurrency` in flight; the latency of each and the whole time.
async fn send_all(
    db: &simdesk_domain::DatabaseConnection,
    key: &SecretKey,
    bodies: &[String],
    concurrency: usize,
) -> (Vec<Duration>, Duration) {
    let started = Instant::now();
    let senders = Arc::new(Semaphore::new(concurrency));
    let mut tasks = JoinSet::new();
    for body in bodies {
        let permit = senders.clone().acquire_owned().await.expect("semaphore");
        spawn_one(&mut tasks, db, key, body, Instant::now(), Some(permit));
    }
    let latencies = tasks.join_all().await;
    (latencies, started.elapsed())
}

/// Sends `bodies` at `rate` per second on a fixed schedule, whether earlier ones were answered
/// or not (an open load, as many buyers' systems send independently). Each latency counts from
/// when the document was due, so a backlog shows in it.
async fn send_paced(
    db: &simdesk_domain::DatabaseConnection,
    key: &SecretKey,
    bodies: &[String],
    rate: f64,
) -> (Vec<Duration>, Duration) {
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for (i, body) in bodies.iter().enumerate() {
        let due = started + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(due.into()).await;
        spawn_one(&mut tasks, db, key, body, due, None);
    }
    let latencies = tasks.join_all().await;
    (latencies, started.elapsed())
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(async {
        let database = testing::fresh().await;
        let db = &database.db;
        demo::seed(db).await.expect("demo data");
        let key = SecretKey::generate();
        let admin = actor(db, "admin@nordwind.example").await;
        let purchaser = actor(db, "purchaser@hafenlogistik.example").await;
        let secret = credentials::save(
            db,
            &key,
            &admin,
            None,
            None,
            credential_input(
                purchaser.account_id.expect("account user"),
                "NetworkID",
                BUYER_ID,
            ),
        )
        .await
        .expect("credential")
        .generated_secret
        .expect("generated secret");
        let form = orders::form_data(db, &purchaser, None, None)
            .await
            .expect("catalog");
        let nano = form
            .products
            .iter()
            .find(|p| p.part_number.ends_with("-IOT-4FF"))
            .expect("nano SIM");
        let price = format!("{}.{:02}", nano.price.minor / 100, nano.price.minor % 100);
        println!("backend: {:?}", database.backend());

        let orders_from = |first: usize, count: usize| -> Vec<String> {
            (first..first + count)
                .map(|i| {
                    order_request(
                        &secret,
                        &format!("bench-{i}"),
                        &format!("BENCH-{i}"),
                        "new",
                        &[(&nano.part_number, 10, &price, None)],
                    )
                })
                .collect()
        };
        // A database in use has history and planner statistics: without them PostgreSQL may
        // pick an index by tie and scan an account's orders to find one by its id.
        send_all(db, &key, &orders_from(ORDERS, WARM_UP), ORDER_CONCURRENCY).await;
        if database.backend() == sea_orm::DbBackend::Postgres {
            use sea_orm::ConnectionTrait;
            db.execute_unprepared("ANALYZE").await.expect("ANALYZE");
        }
        let orders = orders_from(0, ORDERS);
        let (latencies, elapsed) = send_all(db, &key, &orders, ORDER_CONCURRENCY).await;
        report("OrderRequest, new order (16 in flight)", latencies, elapsed);
        if database.backend() == sea_orm::DbBackend::Postgres {
            let dir = tempfile::tempdir().expect("a directory for the pgbench script");
            let limit =
                testing::pgbench::order_writes(db, &database.url, dir.path(), elapsed).await;
            // Half the database's own rate, on a schedule: the latency of intake at that load,
            // then the database's own for its writes alone at the same rate.
            if let Some(limit) = limit {
                let rate = limit.run.tps / 2.0;
                let count = (rate * PACED_SECONDS) as usize;
                let paced = orders_from(ORDERS + WARM_UP, count);
                let (latencies, elapsed) = send_paced(db, &key, &paced, rate).await;
                report(
                    &format!("OrderRequest, new order at {rate:.0}/s (half of pgbench)"),
                    latencies,
                    elapsed,
                );
                println!("\nThe same writes alone at {rate:.0}/s (pgbench -R)");
                testing::pgbench::run(
                    &database.url,
                    &limit.script,
                    Duration::from_secs_f64(PACED_SECONDS),
                    Some(rate),
                );
            }
        }
        let (latencies, elapsed) = send_all(db, &key, &orders, ORDER_CONCURRENCY).await;
        report("OrderRequest, replayed (16 in flight)", latencies, elapsed);

        let setups: Vec<String> = (0..SETUPS)
            .map(|i| setup_request(&secret, &format!("buyer-{i}@hafenlogistik.example")))
            .collect();
        let (latencies, elapsed) = send_all(db, &key, &setups, SETUPS).await;
        report(
            "PunchOutSetupRequest, new users (200 at once)",
            latencies,
            elapsed,
        );
        let (latencies, elapsed) = send_all(db, &key, &setups, SETUPS).await;
        report(
            "PunchOutSetupRequest, known users (200 at once)",
            latencies,
            elapsed,
        );
    });
}
