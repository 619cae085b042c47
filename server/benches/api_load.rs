//! The REST API under load, over HTTP on loopback: 16 clients raising drafts with
//! `POST /api/v1/orders` (each with its own Idempotency-Key) as fast as they are answered, then
//! 16 clients reading `GET /api/v1/orders?limit=50`; for each, the answers per second and the
//! latency's median and 99th percentile. The server runs in this process with the demo data;
//! the clients share its two cores.
//!
//! `cargo bench -p simdesk-server --bench api_load`. The backend follows
//! `SIMDESK_TEST_DATABASE_URL` like the tests do (unset: SQLite); `SIMDESK_LOAD_SECONDS`
//! (default 15) sets each load's length. Measurements, not assertions.

use leptos::prelude::LeptosOptions;
use simdesk_domain::{api_tokens, demo, testing};
use simdesk_server::{router, AppState, HttpSettings};
use simdesk_types::ApiTokenInput;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CLIENTS: usize = 16;

fn seconds() -> Duration {
    Duration::from_secs(
        std::env::var("SIMDESK_LOAD_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(15),
    )
}

/// Latencies of the 2xx answers, and how many answers were not 2xx.
#[derive(Default)]
struct Books {
    latencies: Vec<Duration>,
    failed: usize,
}

fn report(title: &str, books: &mut Books, duration: Duration) {
    books.latencies.sort();
    let at = |q: f64| {
        let i = ((books.latencies.len() as f64 - 1.0) * q).round() as usize;
        books
            .latencies
            .get(i)
            .copied()
            .unwrap_or_default()
            .as_secs_f64()
            * 1000.0
    };
    println!(
        "  {title:<34} {:>8} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>7}",
        books.latencies.len(),
        books.latencies.len() as f64 / duration.as_secs_f64(),
        at(0.5),
        at(0.99),
        at(1.0),
        books.failed
    );
}

async fn load<F, Fut>(duration: Duration, request: F) -> Books
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let request = Arc::new(request);
    let counter = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + duration;
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let (request, counter) = (request.clone(), counter.clone());
        clients.push(tokio::spawn(async move {
            let mut books = Books::default();
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let started = Instant::now();
                if request(n).await {
                    books.latencies.push(started.elapsed());
                } else {
                    books.failed += 1;
                }
            }
            books
        }));
    }
    let mut all = Books::default();
    for client in clients {
        let books = client.await.expect("a client");
        all.latencies.extend(books.latencies);
        all.failed += books.failed;
    }
    all
}

#[tokio::main]
async fn main() {
    let database = testing::fresh().await;
    demo::seed(&database.db).await.expect("demo data");
    let backend = if database.url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let settings = HttpSettings {
        api_requests_per_minute: 10_000_000,
        ..HttpSettings::default()
    };
    let options = LeptosOptions::builder()
        .output_name("simdesk")
        .site_root("target/site")
        .build();
    let app = router(
        AppState::new(options, database.db.clone(), &settings),
        &settings,
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap()
    });
    let token = api_tokens::create_as(
        &database.db,
        "admin@hafenlogistik.example",
        ApiTokenInput {
            name: "bench".into(),
            read: true,
            orders_write: true,
            catalog_write: false,
            expires_in_days: "1".into(),
        },
    )
    .await
    .expect("a token")
    .secret;
    let client = reqwest::Client::new();
    let products: serde_json::Value = serde_json::from_str(
        &client
            .get(format!("{base}/api/v1/products"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    let product = &products["data"][0];
    let body = serde_json::json!({
        "lines": [{ "product_id": product["id"], "quantity": product["min_order_quantity"] }],
        "shipping_address": { "recipient": "Goods receipt", "street": "Kai 1", "postal_code": "20457", "city": "Hamburg", "country": "DE" }
    })
    .to_string();

    let duration = seconds();
    println!(
        "\nREST API on {backend}, {CLIENTS} clients, {} s each",
        duration.as_secs()
    );
    println!(
        "  {:<34} {:>8} {:>9} {:>9} {:>9} {:>9} {:>7}",
        "request", "answered", "per s", "p50 ms", "p99 ms", "max ms", "non-2xx"
    );
    let mut create = {
        let (client, base, token, body) =
            (client.clone(), base.clone(), token.clone(), body.clone());
        load(duration, move |n| {
            let request = client
                .post(format!("{base}/api/v1/orders"))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .header("idempotency-key", format!("bench-{n}"))
                .body(body.clone())
                .send();
            async move {
                request
                    .await
                    .is_ok_and(|r| r.status() == reqwest::StatusCode::CREATED)
            }
        })
        .await
    };
    report("POST /api/v1/orders (new draft)", &mut create, duration);
    let mut list = {
        let (client, base, token) = (client.clone(), base.clone(), token.clone());
        load(duration, move |_| {
            let request = client
                .get(format!("{base}/api/v1/orders?limit=50"))
                .bearer_auth(&token)
                .send();
            async move {
                match request.await {
                    Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                    _ => false,
                }
            }
        })
        .await
    };
    report("GET /api/v1/orders?limit=50", &mut list, duration);
}
