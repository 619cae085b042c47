//! A portal of three instances on one PostgreSQL behind HAProxy, a bounded load of what users
//! and procurement systems do, and the books kept on it: what was sent, what was acknowledged,
//! what is in the database afterwards, and what the procurement system received.

use crate::cluster::{Balancer, Instance, Postgres};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    Statement,
};
use simdesk_domain::db::{self, begin, DataScope};
use simdesk_domain::entity::purchase_order;
use simdesk_domain::secret::SecretKey;
use simdesk_domain::testing::actor_in;
use simdesk_domain::testing::cxml::{credential_input, order_request, setup_request, BUYER_ID};
use simdesk_domain::{demo, orders, punchout::credentials};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const AGENT: &str = "agent@nordwind.example";
pub const PURCHASER: &str = "purchaser@hafenlogistik.example";
pub const ADMIN: &str = "admin@nordwind.example";

/// How long each load runs: short in `scripts/test`, longer with `scripts/faults --full`.
pub fn load_duration() -> Duration {
    let seconds = std::env::var("SIMDESK_FAULT_LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(8);
    Duration::from_secs(seconds)
}

/// What the procurement system's cXML address received: each ConfirmationRequest's body.
#[derive(Clone, Default)]
pub struct Inbox(Arc<Mutex<Vec<String>>>);

impl Inbox {
    async fn serve(&self) -> String {
        let received = self.0.clone();
        let app = axum::Router::new().route(
            "/cxml",
            axum::routing::post(move |body: String| {
                let received = received.clone();
                async move {
                    received.lock().unwrap().push(body);
                    r#"<cXML payloadID="ok" timestamp="2026-12-06T10:00:00Z"><Response><Status code="200" text="OK"/></Response></cXML>"#
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/cxml", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        url
    }

    /// Acceptances received per cXML order id.
    pub fn acceptances(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for body in self.0.lock().unwrap().iter() {
            if !body.contains(r#"type="accept""#) {
                continue;
            }
            if let Some(order) = attribute(body, "OrderReference orderID=\"") {
                *counts.entry(order).or_default() += 1;
            }
        }
        counts
    }
}

fn attribute(body: &str, prefix: &str) -> Option<String> {
    let rest = &body[body.find(prefix)? + prefix.len()..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// Everything the harness started, and what the load needs to know.
pub struct Portal {
    pub postgres: Postgres,
    pub dir: tempfile::TempDir,
    pub key: String,
    pub instances: Vec<Instance>,
    pub balancer: Balancer,
    /// The harness's own connection, for the books.
    pub db: DatabaseConnection,
    pub inbox: Inbox,
    pub client: reqwest::Client,
    buyer_secret: String,
    part: String,
    price: String,
    product_id: i64,
    address_id: i64,
}

impl Portal {
    /// A fresh PostgreSQL with the demo data, Hafenlogistik's procurement system answered on
    /// loopback, three instances sharing one sealing key, and HAProxy in front.
    pub async fn start() -> Self {
        Self::start_with(3).await
    }

    /// As [`Portal::start`], with `count` instances behind HAProxy.
    pub async fn start_with(count: usize) -> Self {
        let postgres = Postgres::start();
        let db = db::connect(&postgres.url()).await.expect("connect");
        db::migrate(&db).await.expect("migrate");
        demo::seed(&db).await.expect("demo data");
        let inbox = Inbox::default();
        let inbox_url = inbox.serve().await;
        let sealing_key = SecretKey::generate();
        let admin = actor_in(&db, ADMIN).await;
        let purchaser = actor_in(&db, PURCHASER).await;
        let saved = credentials::save(
            &db,
            &sealing_key,
            &admin,
            None,
            None,
            simdesk_types::PunchoutCredentialInput {
                order_response_url: inbox_url,
                ..credential_input(purchaser.account_id.unwrap(), "NetworkID", BUYER_ID)
            },
        )
        .await
        .expect("a cXML credential");
        let form = orders::form_data(&db, &purchaser, None, None)
            .await
            .unwrap();
        let nano = form
            .products
            .iter()
            .find(|p| p.part_number.ends_with("-IOT-4FF"))
            .expect("the nano SIM is assigned");
        let dir = tempfile::tempdir().unwrap();
        let key = sealing_key.to_base64();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let instances: Vec<Instance> = (1..=count)
            .map(|i| Instance::start(&postgres.url(), &key, dir.path(), &format!("s{i}")))
            .collect();
        for instance in &instances {
            instance.ready(&client).await;
        }
        let ports: Vec<u16> = instances.iter().map(|i| i.port).collect();
        let balancer = Balancer::start(dir.path(), &ports);
        for i in 1..=count {
            balancer
                .wait_for(&format!("s{i}"), "UP", Duration::from_secs(20))
                .await;
        }
        Self {
            postgres,
            dir,
            key,
            instances,
            balancer,
            db,
            inbox,
            client,
            buyer_secret: saved.generated_secret.unwrap(),
            part: nano.part_number.clone(),
            price: format!("{}.{:02}", nano.price.minor / 100, nano.price.minor % 100),
            product_id: nano.product_id,
            address_id: form.addresses[0].id,
        }
    }

    /// Starts instance `index` again on its old port after a crash.
    pub async fn restart(&mut self, index: usize) {
        let port = self.instances[index].port;
        let instance = Instance::start_on(
            &self.postgres.url(),
            &self.key,
            self.dir.path(),
            &format!("s{}", index + 1),
            port,
        );
        instance.ready(&self.client).await;
        self.instances[index] = instance;
    }

    /// Signs in through the balancer: the session cookie.
    pub async fn sign_in(&self, email: &str) -> String {
        let response = self
            .client
            .post(format!("{}/auth/sign-in", self.balancer.base()))
            .form(&[("email", email), ("password", demo::DEMO_PASSWORD)])
            .send()
            .await
            .unwrap();
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("__Host-simdesk="))
            .and_then(|v| v.split(';').next())
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("no session cookie for {email}: {}", response.status()))
    }
}

/// How one request ended, as the books count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    Acknowledged,
    /// A refusal the request deserved (a stale version after a retry, say).
    Refused(u16),
    /// The server's or the balancer's answer for a fault: 5xx, or a cXML 500 Status.
    Failed(u16),
    /// No answer: the connection broke.
    NoAnswer,
}

/// One request of the load, when it started (since the load began) and how it ended.
#[derive(Debug, Clone)]
pub struct Request {
    pub kind: &'static str,
    pub started: Duration,
    /// From sending to the whole answer.
    pub took: Duration,
    pub outcome: Outcome,
    /// The body of an answer that was not expected.
    pub detail: String,
}

/// The books.
#[derive(Default)]
pub struct Books {
    pub requests: Vec<Request>,
    /// cXML order ids sent, and those answered with Status 200.
    pub orders_sent: Vec<String>,
    pub orders_acknowledged: Vec<String>,
    /// Drafts the purchaser's browser was told were saved.
    pub drafts_acknowledged: Vec<i64>,
    /// POs the agent's browser was told were accepted.
    pub accepts_acknowledged: Vec<i64>,
}

pub type Shared = Arc<Mutex<Books>>;

fn note(
    books: &Shared,
    kind: &'static str,
    began: Instant,
    started: Duration,
    outcome: Outcome,
    detail: &str,
) {
    books.lock().unwrap().requests.push(Request {
        kind,
        started,
        took: began.elapsed().saturating_sub(started),
        outcome,
        detail: detail.chars().take(300).collect(),
    });
}

fn outcome_of(status: u16) -> Outcome {
    match status {
        200..=299 => Outcome::Acknowledged,
        500..=599 => Outcome::Failed(status),
        _ => Outcome::Refused(status),
    }
}

/// How many of each kind of client the load runs side by side.
#[derive(Debug, Clone, Copy)]
pub struct Mix {
    /// Procurement systems sending OrderRequests.
    pub order_senders: usize,
    /// Procurement systems starting PunchOut sessions.
    pub punchout_senders: usize,
    /// Browsers viewing pages (each signed in as an agent, a purchaser and a tenant admin in
    /// turn).
    pub viewers: usize,
    /// Whether an agent accepts what comes in and a purchaser saves drafts, in the browser.
    pub browsers: bool,
    /// Pause between a client's requests; zero for as fast as the server answers.
    pub pause: Duration,
}

impl Mix {
    /// The fault harness's load: steady, not saturating, so a failure shows as one.
    pub const STEADY: Mix = Mix {
        order_senders: 4,
        punchout_senders: 1,
        viewers: 1,
        browsers: true,
        pause: Duration::from_millis(50),
    };
}

/// Runs the load through the balancer until `duration` has passed; `fault` runs beside it, at
/// the time it chooses. Returns the books.
pub async fn run<F>(portal: &Portal, duration: Duration, fault: F) -> Books
where
    F: std::future::Future<Output = ()>,
{
    run_mix(portal, Mix::STEADY, duration, fault).await
}

/// [`run`] with a mix of one's choosing.
pub async fn run_mix<F>(portal: &Portal, mix: Mix, duration: Duration, fault: F) -> Books
where
    F: std::future::Future<Output = ()>,
{
    // Signed in before the clock starts: `fault` counts its time from the start of the load.
    let agent = portal.sign_in(AGENT).await;
    let purchaser = portal.sign_in(PURCHASER).await;
    let mut pages = Vec::new();
    for (email, path, kind) in [
        (AGENT, "/orders", "PO inbox page (agent)"),
        (PURCHASER, "/orders", "own POs page (purchaser)"),
        (ADMIN, "/catalog", "catalog page (tenant admin)"),
    ] {
        pages.push((portal.sign_in(email).await, path, kind));
    }
    // Order ids differ from one load to the next on the same portal.
    static LOADS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let load = LOADS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let books: Shared = Arc::default();
    let began = Instant::now();
    let until = began + duration;
    let base = portal.balancer.base();

    // Procurement systems: new OrderRequests; each is sent again until it gets an answer,
    // as procurement systems do, with the same payloadID.
    let senders = (0..mix.order_senders).map(|sender| {
        let (books, client, base) = (books.clone(), portal.client.clone(), base.clone());
        let pause = mix.pause;
        let (secret, part, price) = (
            portal.buyer_secret.clone(),
            portal.part.clone(),
            portal.price.clone(),
        );
        async move {
            let mut n = 0;
            while Instant::now() < until {
                n += 1;
                let order_id = format!("F{load}-{sender}-{n}");
                let document = order_request(
                    &secret,
                    &format!("payload-{order_id}@buyer.example"),
                    &order_id,
                    "new",
                    &[(&part, 10, &price, None)],
                );
                books.lock().unwrap().orders_sent.push(order_id.clone());
                for _attempt in 0..120 {
                    let started = began.elapsed();
                    let (outcome, detail) = post_cxml(&client, &base, &document).await;
                    note(
                        &books,
                        "cXML OrderRequest",
                        began,
                        started,
                        outcome,
                        &detail,
                    );
                    match outcome {
                        Outcome::Acknowledged => {
                            books.lock().unwrap().orders_acknowledged.push(order_id);
                            tokio::time::sleep(pause).await;
                            break;
                        }
                        // Recorded with the request; the scenario fails on it.
                        Outcome::Refused(_) => break,
                        _ => tokio::time::sleep(Duration::from_millis(200)).await,
                    }
                }
            }
        }
    });

    // The agent accepts what came in, one PO at a time, as the inbox shows it. A failed
    // accept is not repeated: the agent would look at the PO again first.
    let browsers = mix.browsers;
    let accepting = {
        let (books, client, base, db) = (
            books.clone(),
            portal.client.clone(),
            base.clone(),
            portal.db.clone(),
        );
        async move {
            while browsers && Instant::now() < until {
                let Some((id, version)) = submitted_from_procurement(&db).await else {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                };
                let started = began.elapsed();
                let form = format!("id={id}&version={version}&step=accept&reason=");
                let (outcome, detail) = call(&client, &base, "po_step", &form, &agent).await;
                note(&books, "accept (browser)", began, started, outcome, &detail);
                if outcome == Outcome::Acknowledged {
                    books.lock().unwrap().accepts_acknowledged.push(id);
                } else {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    };

    // The purchaser saves drafts in the browser.
    let drafting = {
        let (books, client, base) = (books.clone(), portal.client.clone(), base.clone());
        let form = format!(
            "input%5Blines%5D%5B0%5D%5Bproduct_id%5D={}&input%5Blines%5D%5B0%5D%5Bquantity%5D=10&input%5Bshipping_address_id%5D={}",
            portal.product_id, portal.address_id
        );
        async move {
            while browsers && Instant::now() < until {
                let started = began.elapsed();
                let (outcome, body) = call(&client, &base, "save_po", &form, &purchaser).await;
                note(
                    &books,
                    "save draft (browser)",
                    began,
                    started,
                    outcome,
                    &body,
                );
                if outcome == Outcome::Acknowledged {
                    match body.trim().parse() {
                        Ok(id) => books.lock().unwrap().drafts_acknowledged.push(id),
                        Err(_) => panic!("save_po acknowledged without an id: {body}"),
                    }
                }
                tokio::time::sleep(mix.pause).await;
            }
        }
    };

    // Procurement users opening the catalog from their system: PunchOutSetupRequests.
    let punchouts = (0..mix.punchout_senders).map(|_| {
        let (books, client, base) = (books.clone(), portal.client.clone(), base.clone());
        let document = setup_request(&portal.buyer_secret, "pat@hafenlogistik.example");
        async move {
            while Instant::now() < until {
                let started = began.elapsed();
                let (outcome, detail) = post_cxml(&client, &base, &document).await;
                note(
                    &books,
                    "cXML PunchOutSetupRequest",
                    began,
                    started,
                    outcome,
                    &detail,
                );
                tokio::time::sleep(mix.pause).await;
            }
        }
    });

    // And people just looking: each role's everyday page.
    let viewers = (0..mix.viewers).map(|viewer| {
        let (books, client, base) = (books.clone(), portal.client.clone(), base.clone());
        let pages = pages.clone();
        async move {
            let mut turn = viewer;
            while Instant::now() < until {
                let (cookie, path, kind) = &pages[turn % pages.len()];
                turn += 1;
                let started = began.elapsed();
                let answer = client
                    .get(format!("{base}{path}"))
                    .header("cookie", cookie)
                    .header("accept", "text/html")
                    .send()
                    .await;
                // The whole page is read, as a browser does; only a failure's is kept.
                let (outcome, mut detail) = judged(answer, false).await;
                if outcome == Outcome::Acknowledged {
                    detail.clear();
                }
                note(&books, kind, began, started, outcome, &detail);
                tokio::time::sleep(mix.pause).await;
            }
        }
    });

    tokio::join!(
        futures_join_all(senders),
        futures_join_all(punchouts),
        futures_join_all(viewers),
        accepting,
        drafting,
        fault
    );
    Arc::try_unwrap(books)
        .ok()
        .expect("the load has ended")
        .into_inner()
        .unwrap()
}

async fn futures_join_all<I>(tasks: I)
where
    I: IntoIterator,
    I::Item: std::future::Future<Output = ()> + Send + 'static,
{
    let handles: Vec<_> = tasks.into_iter().map(tokio::spawn).collect();
    for handle in handles {
        handle.await.expect("a sender panicked");
    }
}

/// Posts a cXML document to Nordwind's endpoint: the outcome by the answer's Status.
async fn post_cxml(client: &reqwest::Client, base: &str, document: &str) -> (Outcome, String) {
    let answer = client
        .post(format!("{base}/cxml/nordwind"))
        .header("content-type", "text/xml")
        .body(document.to_owned())
        .send()
        .await;
    judged(answer, true).await
}

/// How a request ended, by the HTTP status or, for cXML, by the answer's own Status; with the
/// answer's body or the transport's error.
async fn judged(answer: reqwest::Result<reqwest::Response>, cxml: bool) -> (Outcome, String) {
    match answer {
        Err(e) => (Outcome::NoAnswer, e.to_string()),
        Ok(response) => {
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            let code = if cxml { cxml_status(&body) } else { None };
            (outcome_of(code.unwrap_or(status)), body)
        }
    }
}

fn cxml_status(body: &str) -> Option<u16> {
    attribute(body, "<Status code=\"")?.parse().ok()
}

async fn call(
    client: &reqwest::Client,
    base: &str,
    function: &str,
    form: &str,
    cookie: &str,
) -> (Outcome, String) {
    let answer = client
        .post(format!("{base}/api/{function}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .header("cookie", cookie)
        .body(form.to_owned())
        .send()
        .await;
    judged(answer, false).await
}

/// The oldest submitted PO that came from the procurement system: id and version.
async fn submitted_from_procurement(db: &DatabaseConnection) -> Option<(i64, i32)> {
    let txn = begin(db, DataScope::System).await.ok()?;
    let po = purchase_order::Entity::find()
        .filter(purchase_order::Column::Status.eq("submitted"))
        .filter(purchase_order::Column::PunchoutCredentialId.is_not_null())
        .one(&txn)
        .await
        .ok()??;
    Some((po.id, po.version))
}

/// What the database holds after the load, compared with what was acknowledged.
#[derive(Debug)]
pub struct Count {
    pub orders_sent: usize,
    pub orders_acknowledged: usize,
    pub orders_present: usize,
    /// cXML order ids stored more than once.
    pub order_duplicates: usize,
    /// POs without lines or with a zero total.
    pub half_written: usize,
    pub drafts_acknowledged: usize,
    pub drafts_present: usize,
    pub accepts_acknowledged: usize,
    pub accepts_present: usize,
    /// Accepted POs of the procurement system, and how many of them it was told about.
    pub accepted_from_procurement: usize,
    pub confirmations_received: usize,
    /// Acceptances the procurement system received more than once (the same payloadID again).
    pub confirmation_repeats: usize,
}

async fn numbers(db: &DatabaseConnection, sql: &str) -> Vec<(String, i64)> {
    let rows = db
        .query_all(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.iter()
        .map(|r| {
            (
                r.try_get_by_index::<String>(0).unwrap(),
                r.try_get_by_index::<i64>(1).unwrap(),
            )
        })
        .collect()
}

/// Waits until every accepted PO's confirmation is out of the outbox (a crashed instance's
/// claim lapses first), then counts.
pub async fn count(portal: &Portal, books: &Books) -> Count {
    let started = Instant::now();
    loop {
        let pending = numbers(
            &portal.db,
            "SELECT 'pending', count(*) FROM cxml_outbox WHERE status = 'pending'",
        )
        .await[0]
            .1;
        if pending == 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "{pending} cXML documents still undelivered after two minutes"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let by_reference: BTreeMap<String, i64> = numbers(
        &portal.db,
        "SELECT external_reference, count(*) FROM purchase_order \
         WHERE punchout_credential_id IS NOT NULL GROUP BY external_reference",
    )
    .await
    .into_iter()
    .collect();
    let half_written = numbers(
        &portal.db,
        "SELECT 'x', count(*) FROM purchase_order p WHERE p.status <> 'draft' AND (p.total_minor <= 0 \
         OR NOT EXISTS (SELECT 1 FROM purchase_order_line l WHERE l.purchase_order_id = p.id))",
    )
    .await[0]
        .1 as usize;
    let present_ids = |ids: &[i64], condition: &str| {
        let list = ids
            .iter()
            .map(|id| id.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!(
            "SELECT 'x', count(*) FROM purchase_order WHERE id IN ({}) AND {condition}",
            if list.is_empty() { "0".into() } else { list }
        );
        async move { numbers(&portal.db, &sql).await[0].1 as usize }
    };
    let accepted: Vec<String> = numbers(
        &portal.db,
        "SELECT external_reference, 1::bigint FROM purchase_order \
         WHERE punchout_credential_id IS NOT NULL AND status = 'accepted'",
    )
    .await
    .into_iter()
    .map(|(r, _)| r)
    .collect();
    let acceptances = portal.inbox.acceptances();
    Count {
        orders_sent: books.orders_sent.len(),
        orders_acknowledged: books.orders_acknowledged.len(),
        orders_present: books
            .orders_acknowledged
            .iter()
            .filter(|o| by_reference.get(*o) == Some(&1))
            .count(),
        order_duplicates: by_reference.values().filter(|n| **n > 1).count(),
        half_written,
        drafts_acknowledged: books.drafts_acknowledged.len(),
        drafts_present: present_ids(&books.drafts_acknowledged, "status = 'draft'").await,
        accepts_acknowledged: books.accepts_acknowledged.len(),
        accepts_present: present_ids(&books.accepts_acknowledged, "status = 'accepted'").await,
        accepted_from_procurement: accepted.len(),
        confirmations_received: accepted
            .iter()
            .filter(|r| acceptances.contains_key(*r))
            .count(),
        confirmation_repeats: acceptances.values().filter(|n| **n > 1).count(),
    }
}

/// Per kind of request: how many were answered with success, and their latency's median and
/// 99th percentile.
pub fn latencies(books: &Books) -> BTreeMap<&'static str, (usize, Duration, Duration)> {
    let mut by_kind: BTreeMap<&'static str, Vec<Duration>> = BTreeMap::new();
    for request in books
        .requests
        .iter()
        .filter(|r| r.outcome == Outcome::Acknowledged)
    {
        by_kind.entry(request.kind).or_default().push(request.took);
    }
    by_kind
        .into_iter()
        .map(|(kind, mut took)| {
            took.sort();
            let at =
                |q: f64| took[((took.len() as f64 * q).ceil() as usize).clamp(1, took.len()) - 1];
            (kind, (took.len(), at(0.50), at(0.99)))
        })
        .collect()
}

/// Requests per kind and outcome, for the report.
pub fn outcomes(books: &Books) -> BTreeMap<(&'static str, Outcome), usize> {
    let mut counts = BTreeMap::new();
    for request in &books.requests {
        *counts.entry((request.kind, request.outcome)).or_default() += 1;
    }
    counts
}

impl Count {
    /// Nothing acknowledged is missing, nothing is stored twice or half, every accepted
    /// procurement order was confirmed to its buyer.
    pub fn assert_nothing_lost(&self) {
        assert!(self.orders_acknowledged <= self.orders_sent, "{self:#?}");
        assert_eq!(self.orders_present, self.orders_acknowledged, "{self:#?}");
        assert_eq!(self.order_duplicates, 0, "{self:#?}");
        assert_eq!(self.half_written, 0, "{self:#?}");
        assert_eq!(self.drafts_present, self.drafts_acknowledged, "{self:#?}");
        assert_eq!(self.accepts_present, self.accepts_acknowledged, "{self:#?}");
        assert_eq!(
            self.confirmations_received, self.accepted_from_procurement,
            "{self:#?}"
        );
        assert!(
            self.orders_acknowledged > 0 && self.accepts_acknowledged > 0,
            "{self:#?}"
        );
    }
}
