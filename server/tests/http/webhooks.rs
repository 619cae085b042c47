//! Webhooks end to end: events queued with the change they tell of, delivered to a receiver
//! on loopback that checks the Standard Webhooks signature and sees each delivery id once;
//! retries on 5xx, no retry on 4xx, an alarm for what was given up, "send again" from the
//! trace, bodies removed after the provider's retention, private addresses refused unless
//! allowed, and each account hearing only of its own orders.

use crate::support::*;
use axum::http::{HeaderMap, StatusCode};
use sea_orm::sea_query::Expr;
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::{json, Value};
use simdesk_domain::db::{begin, DataScope};
use simdesk_domain::entity::webhook_delivery;
use simdesk_domain::webhooks::{self, signature, WebhookSettings};
use simdesk_domain::{alarms, api_tokens, trace, Actor};
use simdesk_server::workers::webhook_delivery::deliver_due;
use simdesk_types::{ApiTokenInput, WebhookInput};
use std::sync::{Arc, Mutex};

/// What the receiver saw: (webhook-id, event type, body) of every well-signed request.
type Seen = Arc<Mutex<Vec<(String, String, Value)>>>;

/// A receiver on loopback answering with the statuses given in turn (then 200), checking
/// every signature with `secret` once it is known.
async fn receiver(statuses: Vec<u16>) -> (String, Seen, Arc<Mutex<String>>) {
    let seen: Seen = Arc::default();
    let secret: Arc<Mutex<String>> = Arc::default();
    let answers = Arc::new(Mutex::new(statuses.into_iter()));
    let (seen_in, secret_in) = (seen.clone(), secret.clone());
    let app = axum::Router::new().route(
        "/hooks",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let (seen, secret, answers) = (seen_in.clone(), secret_in.clone(), answers.clone());
            async move {
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned()
                };
                let (id, timestamp, signed) = (
                    header("webhook-id"),
                    header("webhook-timestamp"),
                    header("webhook-signature"),
                );
                let timestamp: i64 = timestamp.parse().unwrap_or_default();
                assert!(
                    (chrono::Utc::now().timestamp() - timestamp).abs() < 60,
                    "a fresh timestamp"
                );
                let key = secret.lock().unwrap().clone();
                assert!(
                    signature::verify(&key, &id, timestamp, &body, &signed),
                    "a valid signature"
                );
                let status = answers.lock().unwrap().next().unwrap_or(200);
                if status == 200 {
                    let value: Value = serde_json::from_str(&body).unwrap();
                    let kind = value["type"].as_str().unwrap_or_default().to_owned();
                    seen.lock().unwrap().push((id, kind, value));
                }
                StatusCode::from_u16(status).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen, secret)
}

fn private_allowed() -> WebhookSettings {
    WebhookSettings {
        allow_private_targets: true,
        first_retry: chrono::Duration::zero(),
        ..WebhookSettings::default()
    }
}

async fn actor(server: &TestServer, email: &str) -> Actor {
    Actor::load(&server.database.db, server.user_id(email).await)
        .await
        .unwrap()
        .unwrap()
}

fn all_order_events(url: &str) -> WebhookInput {
    WebhookInput {
        url: url.to_owned(),
        description: "ERP".into(),
        order_status_changed: true,
        order_sims_ready: true,
        order_shipped: true,
        alarm_raised: false,
    }
}

/// A draft and its submission through the API, as `email`'s token.
async fn raise_and_submit(server: &TestServer, email: &str) -> i64 {
    let admin = actor(server, email).await;
    let token = api_tokens::create(
        &server.database.db,
        &admin,
        ApiTokenInput {
            name: "hooks".into(),
            read: true,
            orders_write: true,
            catalog_write: false,
            expires_in_days: "1".into(),
        },
    )
    .await
    .unwrap()
    .secret;
    let send = |method: reqwest::Method, path: String, body: Value| {
        server
            .client
            .request(method, server.url(&path))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
    };
    let products: Value = serde_json::from_str(
        &send(reqwest::Method::GET, "/api/v1/products".into(), json!(null))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    let product = &products["data"][0];
    let body = json!({
        "lines": [{ "product_id": product["id"], "quantity": product["min_order_quantity"] }],
        "shipping_address": { "recipient": "R", "street": "S 1", "postal_code": "1000", "city": "C", "country": "CH" }
    });
    let created: Value = serde_json::from_str(
        &send(reqwest::Method::POST, "/api/v1/orders".into(), body)
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    let id = created["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{created}"));
    let submitted = send(
        reqwest::Method::POST,
        format!("/api/v1/orders/{id}/submit"),
        json!({ "version": created["version"] }),
    )
    .await
    .unwrap();
    assert_eq!(submitted.status(), reqwest::StatusCode::OK);
    id
}

async fn deliveries(server: &TestServer) -> Vec<webhook_delivery::Model> {
    let txn = begin(&server.database.db, DataScope::System).await.unwrap();
    webhook_delivery::Entity::find()
        .order_by_asc(webhook_delivery::Column::Id)
        .all(&txn)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn order_events_arrive_signed_once_each_through_retries() {
    let server = start().await;
    let db = &server.database.db;
    let key = simdesk_domain::secret::SecretKey::generate();
    let settings = private_allowed();
    // The receiver fails twice with 503, then takes everything.
    let (url, seen, secret) = receiver(vec![503, 503]).await;
    let admin = actor(&server, "admin@hafenlogistik.example").await;
    let made = webhooks::create(db, &key, &settings, &admin, all_order_events(&url))
        .await
        .unwrap();
    *secret.lock().unwrap() = made.secret.clone();
    assert!(made.secret.starts_with("whsec_"));
    // Another account's webhook, and the provider's: each hears what is theirs.
    let (other_url, other_seen, other_secret) = receiver(vec![]).await;
    let other = webhooks::create(
        db,
        &key,
        &settings,
        &actor(&server, "admin@bergbahn.example").await,
        all_order_events(&other_url),
    )
    .await
    .unwrap();
    *other_secret.lock().unwrap() = other.secret;
    let (tenant_url, tenant_seen, tenant_secret) = receiver(vec![]).await;
    let provider = webhooks::create(
        db,
        &key,
        &settings,
        &actor(&server, "admin@nordwind.example").await,
        all_order_events(&tenant_url),
    )
    .await
    .unwrap();
    *tenant_secret.lock().unwrap() = provider.secret;

    // A webhook of the same account for shipments only hears nothing of a submission.
    let shipments_only = WebhookInput {
        order_status_changed: false,
        order_sims_ready: false,
        ..all_order_events("http://127.0.0.1:9/shipments")
    };
    webhooks::create(db, &key, &settings, &admin, shipments_only)
        .await
        .unwrap();

    let order = raise_and_submit(&server, "admin@hafenlogistik.example").await;
    let queued = deliveries(&server).await;
    assert_eq!(
        queued.len(),
        2,
        "the account's and the provider's: {queued:?}"
    );
    assert_ne!(
        queued[0].message_id, queued[1].message_id,
        "each delivery has its own message id"
    );
    assert!(queued.iter().all(|d| d.message_id.starts_with("msg_")));

    // Three passes: two 503s for the account's receiver, then delivered.
    for _ in 0..3 {
        deliver_due(db, &key, &settings).await.unwrap();
    }
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    let (id, kind, body) = &seen[0];
    assert_eq!(kind, "order.status_changed");
    assert_eq!(body["data"]["order_id"], order);
    assert_eq!(body["data"]["action"], "submit");
    assert!(["submitted", "awaiting_approval"].contains(&body["data"]["status"].as_str().unwrap()));
    let account_delivery = deliveries(&server)
        .await
        .into_iter()
        .find(|d| &d.message_id == id)
        .unwrap();
    assert_eq!(account_delivery.status, "sent");
    assert_eq!(account_delivery.attempts, 3);
    assert_eq!(tenant_seen.lock().unwrap().len(), 1);
    assert!(
        other_seen.lock().unwrap().is_empty(),
        "another account hears nothing"
    );
    // Another pass sends nothing again.
    assert_eq!(deliver_due(db, &key, &settings).await.unwrap(), 0);

    // The test delivery, and a removed webhook that hears no more.
    webhooks::send_test(db, &admin, made.webhook.id)
        .await
        .unwrap();
    deliver_due(db, &key, &settings).await.unwrap();
    let kinds: Vec<String> = seen_kinds(&server, &made.webhook.id).await;
    assert!(kinds.contains(&"webhook.test".to_owned()));
    webhooks::remove(db, &admin, made.webhook.id).await.unwrap();
    let before = deliveries(&server).await.len();
    raise_and_submit(&server, "admin@hafenlogistik.example").await;
    assert_eq!(
        deliveries(&server).await.len(),
        before + 1,
        "only the provider's webhook is queued"
    );
    // Nobody else removes or tests another account's webhook.
    assert!(webhooks::send_test(
        db,
        &actor(&server, "admin@bergbahn.example").await,
        other_id(&server, &other_url).await
    )
    .await
    .is_ok());
    assert!(matches!(
        webhooks::send_test(db, &admin, other_id(&server, &other_url).await).await,
        Err(simdesk_domain::DomainError::NotFound)
    ));
}

async fn seen_kinds(server: &TestServer, subscription: &i64) -> Vec<String> {
    deliveries(server)
        .await
        .into_iter()
        .filter(|d| d.subscription_id == *subscription && d.status == "sent")
        .map(|d| d.event_type)
        .collect()
}

async fn other_id(server: &TestServer, url: &str) -> i64 {
    let admin = actor(server, "admin@bergbahn.example").await;
    webhooks::list(&server.database.db, &admin)
        .await
        .unwrap()
        .webhooks
        .into_iter()
        .find(|w| w.url == url)
        .unwrap()
        .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_webhook_is_given_up_raises_an_alarm_and_can_be_sent_again() {
    let server = start().await;
    let db = &server.database.db;
    let key = simdesk_domain::secret::SecretKey::generate();
    let settings = private_allowed();
    let (url, seen, secret) = receiver(vec![410]).await;
    let admin = actor(&server, "admin@nordwind.example").await;
    let made = webhooks::create(db, &key, &settings, &admin, all_order_events(&url))
        .await
        .unwrap();
    *secret.lock().unwrap() = made.secret;
    webhooks::send_test(db, &admin, made.webhook.id)
        .await
        .unwrap();
    deliver_due(db, &key, &settings).await.unwrap();
    let given_up = deliveries(&server).await.pop().unwrap();
    assert_eq!(given_up.status, "failed", "a 4xx is not retried");
    assert_eq!(given_up.last_http_status, Some(410));
    assert_eq!(deliver_due(db, &key, &settings).await.unwrap(), 0);

    alarms::sweep(db, &alarms::AlarmRules::default())
        .await
        .unwrap();
    let standing = alarms::list(db, &admin).await.unwrap();
    assert!(
        standing
            .alarms
            .iter()
            .any(|a| a.message_key.as_deref() == Some(&format!("webhook-{}", given_up.id))),
        "{standing:?}"
    );

    // In the trace, and sent again from there.
    let page = trace::list(
        db,
        &admin,
        trace::TraceQuery {
            limit: 50,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let row = page
        .rows
        .iter()
        .find(|r| r.key == format!("webhook-{}", given_up.id))
        .expect("the webhook is traced");
    assert!(row.can_resend);
    assert_eq!(row.counterpart, url);
    trace::send_again(db, &admin, &row.key).await.unwrap();
    deliver_due(db, &key, &settings).await.unwrap();
    assert_eq!(seen.lock().unwrap().len(), 1);
    // Another provider cannot see it or send it again.
    let alpina = actor(&server, "admin@alpina.example").await;
    assert!(trace::detail(db, &alpina, &row.key).await.is_err());
    assert!(trace::send_again(db, &alpina, &row.key).await.is_err());

    // Past the provider's retention its body goes, like every message's contents; the row
    // stays, and there is nothing left to send again.
    let txn = begin(db, DataScope::System).await.unwrap();
    webhook_delivery::Entity::update_many()
        .col_expr(
            webhook_delivery::Column::CreatedAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::days(400)),
        )
        .col_expr(webhook_delivery::Column::Status, Expr::value("failed"))
        .exec(&txn)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    assert!(trace::purge_contents(db).await.unwrap() >= 1);
    let detail = trace::detail(db, &admin, &row.key).await.unwrap();
    assert_eq!(detail.payload, trace::REMOVED);
    assert!(!detail.row.can_resend);
    assert!(trace::send_again(db, &admin, &row.key).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_go_to_public_addresses_only_unless_allowed() {
    let server = start().await;
    let db = &server.database.db;
    let key = simdesk_domain::secret::SecretKey::generate();
    let strict = WebhookSettings::default();
    let admin = actor(&server, "admin@hafenlogistik.example").await;
    for (url, field_message) in [
        ("http://erp.example.com/hooks", "https"),
        ("https://127.0.0.1/hooks", "private"),
        ("https://localhost/hooks", "private"),
        ("https://10.1.2.3/hooks", "private"),
        ("https://user:pw@erp.example.com/hooks", "password"),
        ("not a url", "full address"),
    ] {
        let refused = webhooks::create(db, &key, &strict, &admin, all_order_events(url)).await;
        match refused {
            Err(simdesk_domain::DomainError::Invalid(errors)) => assert!(
                errors
                    .iter()
                    .any(|e| e.field == "url" && e.message.contains(field_message)),
                "{url}: {errors:?}"
            ),
            other => panic!("{url} was not refused: {other:?}"),
        }
    }
    let mut alarms_wanted = all_order_events("https://erp.example.com/hooks");
    alarms_wanted.alarm_raised = true;
    assert!(
        webhooks::create(db, &key, &strict, &admin, alarms_wanted)
            .await
            .is_err(),
        "an account's webhook hears no alarms"
    );

    // Allowed when made, but its address turns private by delivery time: refused, not sent.
    let (url, seen, secret) = receiver(vec![]).await;
    let made = webhooks::create(db, &key, &private_allowed(), &admin, all_order_events(&url))
        .await
        .unwrap();
    *secret.lock().unwrap() = made.secret;
    webhooks::send_test(db, &admin, made.webhook.id)
        .await
        .unwrap();
    deliver_due(db, &key, &strict).await.unwrap();
    let refused = deliveries(&server).await.pop().unwrap();
    assert_eq!(refused.status, "failed");
    assert!(
        refused.last_error.contains("internal address"),
        "{}",
        refused.last_error
    );
    assert!(seen.lock().unwrap().is_empty());
}
