//! The public REST API over HTTP: tokens and their scopes, expiry and revocation; isolation
//! across tenants and accounts whatever id is sent; drafts, steps and version conflicts;
//! idempotency keys under concurrent duplicates; rate limits; problem+json answers; the
//! OpenAPI document and its reference page.

use crate::support::*;
use reqwest::{Method, StatusCode};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{json, Value};
use simdesk_domain::db::{begin, DataScope};
use simdesk_domain::entity::{api_token, app_user, audit_log, idempotency_key, purchase_order};
use simdesk_domain::idempotency::{self, Claim, KeyRef};
use simdesk_domain::tokens::sha256_hex;
use simdesk_domain::{api_tokens, orders, request_id, Actor};
use simdesk_server::api::model::OrderInput;
use simdesk_server::HttpSettings;
use simdesk_types::ApiTokenInput;

/// Makes a token as `email` (an admin) with the scopes given.
async fn token(server: &TestServer, email: &str, read: bool, orders_write: bool) -> (i64, String) {
    scoped_token(server, email, read, orders_write, false).await
}

/// Makes a token as `email` (an admin), `catalog_write` included.
pub(crate) async fn scoped_token(
    server: &TestServer,
    email: &str,
    read: bool,
    orders_write: bool,
    catalog_write: bool,
) -> (i64, String) {
    let user_id = server.user_id(email).await;
    let actor = Actor::load(&server.database.db, user_id)
        .await
        .unwrap()
        .unwrap();
    let made = api_tokens::create(
        &server.database.db,
        &actor,
        ApiTokenInput {
            name: format!("test {email}"),
            read,
            orders_write,
            catalog_write,
            expires_in_days: "30".into(),
        },
    )
    .await
    .unwrap();
    (made.token.id, made.secret)
}

pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: Value,
}

impl Answer {
    pub(crate) fn problem_type(&self) -> &str {
        self.body["type"].as_str().unwrap_or_default()
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub(crate) async fn call(
    server: &TestServer,
    method: Method,
    path: &str,
    secret: Option<&str>,
    body: Option<Value>,
    key: Option<&str>,
) -> Answer {
    let mut request = server.client.request(method, server.url(path));
    if let Some(secret) = secret {
        request = request.bearer_auth(secret);
    }
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    if status.is_client_error() || status.is_server_error() {
        assert_eq!(
            headers.get("content-type").and_then(|v| v.to_str().ok()),
            Some("application/problem+json"),
            "{status} answers problem+json: {body}"
        );
        assert_eq!(
            body["status"].as_u64(),
            Some(u64::from(status.as_u16())),
            "{body}"
        );
    }
    Answer {
        status,
        headers,
        body,
    }
}

pub(crate) async fn get(server: &TestServer, path: &str, secret: &str) -> Answer {
    call(server, Method::GET, path, Some(secret), None, None).await
}

/// A draft for the token's account: the first product it may order, at its minimum quantity.
pub(crate) async fn order_body(server: &TestServer, secret: &str) -> Value {
    let products = get(server, "/api/v1/products", secret).await;
    assert_eq!(products.status, StatusCode::OK, "{}", products.body);
    let product = &products.body["data"][0];
    json!({
        "lines": [{ "product_id": product["id"], "quantity": product["min_order_quantity"] }],
        "shipping_address": {
            "recipient": "Goods receipt", "street": "Kai 1", "postal_code": "20457",
            "city": "Hamburg", "country": "DE"
        },
        "comment": "through the API"
    })
}

pub(crate) async fn orders_of_source(server: &TestServer, source: &str) -> u64 {
    let txn = begin(&server.database.db, DataScope::System).await.unwrap();
    purchase_order::Entity::find()
        .filter(purchase_order::Column::Source.eq(source))
        .count(&txn)
        .await
        .unwrap()
}

pub(crate) const HAFEN_ADMIN: &str = "admin@hafenlogistik.example";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_token_raises_edits_and_submits_a_draft() {
    let server = start().await;
    let (token_id, secret) = token(&server, HAFEN_ADMIN, true, true).await;

    let me = get(&server, "/api/v1/me", &secret).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["acts_as"], HAFEN_ADMIN);
    assert_eq!(me.body["scopes"], json!(["read", "orders:write"]));
    assert!(me.header("ratelimit").is_some() && me.header("ratelimit-policy").is_some());

    let body = order_body(&server, &secret).await;
    let created = call(
        &server,
        Method::POST,
        "/api/v1/orders",
        Some(&secret),
        Some(body.clone()),
        None,
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/orders/{id}").as_str())
    );
    assert_eq!(created.body["status"], "draft");
    assert_eq!(created.body["source"], "api");
    assert_eq!(created.body["comment"], "through the API");
    let version = created.body["version"].as_i64().unwrap();

    // A replacement based on the current version is taken; a stale one is a conflict.
    let mut changed = body.clone();
    changed["comment"] = json!("changed");
    changed["version"] = json!(version);
    let updated = call(
        &server,
        Method::PUT,
        &format!("/api/v1/orders/{id}"),
        Some(&secret),
        Some(changed.clone()),
        None,
    )
    .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.body["comment"], "changed");
    let stale = call(
        &server,
        Method::PUT,
        &format!("/api/v1/orders/{id}"),
        Some(&secret),
        Some(changed),
        None,
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert_eq!(stale.problem_type(), "/api/v1/docs#problem-conflict");

    let current = get(&server, &format!("/api/v1/orders/{id}"), &secret).await;
    assert!(current.body["actions"]
        .as_array()
        .unwrap()
        .contains(&json!("submit")));
    let stale_step = call(
        &server,
        Method::POST,
        &format!("/api/v1/orders/{id}/submit"),
        Some(&secret),
        Some(json!({ "version": version })),
        None,
    )
    .await;
    assert_eq!(stale_step.status, StatusCode::CONFLICT);
    let submitted = call(
        &server,
        Method::POST,
        &format!("/api/v1/orders/{id}/submit"),
        Some(&secret),
        Some(json!({ "version": current.body["version"] })),
        None,
    )
    .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
    assert!(
        ["submitted", "awaiting_approval"].contains(&submitted.body["status"].as_str().unwrap())
    );

    // A step that is not one, and a step the status does not allow.
    let unknown = call(
        &server,
        Method::POST,
        &format!("/api/v1/orders/{id}/explode"),
        Some(&secret),
        Some(json!({ "version": 1 })),
        None,
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let listed = get(&server, "/api/v1/orders?status=draft&limit=5", &secret).await;
    assert_eq!(listed.status, StatusCode::OK);
    assert!(listed.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["status"] == "draft"));
    let all = get(&server, "/api/v1/orders", &secret).await;
    assert!(all.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["id"] == id));
    assert!(all.body["counts_by_status"].is_object());

    // Every change names the token in the audit log.
    let txn = begin(&server.database.db, DataScope::System).await.unwrap();
    let audited = audit_log::Entity::find()
        .filter(audit_log::Column::TargetId.eq(id.to_string()))
        .filter(audit_log::Column::TargetType.eq("purchase_order"))
        .all(&txn)
        .await
        .unwrap();
    assert!(
        audited.len() >= 3,
        "created, edited, submitted: {audited:?}"
    );
    assert!(audited.iter().all(|row| row.api_token_id == Some(token_id)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_token_reaches_another_tenants_or_accounts_orders() {
    let server = start().await;
    let (_, hafen) = token(&server, HAFEN_ADMIN, true, true).await;
    let (_, bergbahn) = token(&server, "admin@bergbahn.example", true, true).await;
    let (_, nordwind) = token(&server, "admin@nordwind.example", true, true).await;
    let (_, alpina) = token(&server, "admin@alpina.example", true, true).await;
    let body = order_body(&server, &hafen).await;
    let created = call(
        &server,
        Method::POST,
        "/api/v1/orders",
        Some(&hafen),
        Some(body.clone()),
        None,
    )
    .await;
    let id = created.body["id"].as_i64().unwrap();
    let order = format!("/api/v1/orders/{id}");

    // Its own provider sees it; another account of the same provider and another provider
    // get the answer of an id that does not exist, for reads, changes and steps alike.
    assert_eq!(get(&server, &order, &nordwind).await.status, StatusCode::OK);
    for stranger in [&bergbahn, &alpina] {
        assert_eq!(
            get(&server, &order, stranger).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            get(&server, &format!("{order}/sims"), stranger)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let mut change = body.clone();
        change["version"] = json!(1);
        let put = call(
            &server,
            Method::PUT,
            &order,
            Some(stranger),
            Some(change),
            None,
        )
        .await;
        assert_eq!(put.status, StatusCode::NOT_FOUND);
        let step = call(
            &server,
            Method::POST,
            &format!("{order}/cancel"),
            Some(stranger),
            Some(json!({ "version": 1 })),
            None,
        )
        .await;
        assert_eq!(step.status, StatusCode::NOT_FOUND);
        let listed = get(&server, "/api/v1/orders?limit=200", stranger).await;
        assert!(!listed.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"] == id));
    }
    // An account's token cannot order for another account, nor read the provider's lists.
    let mut foreign = body.clone();
    foreign["account_id"] = json!(999_999);
    let refused = call(
        &server,
        Method::POST,
        "/api/v1/orders",
        Some(&bergbahn),
        Some(foreign),
        None,
    )
    .await;
    assert!(refused.status.is_client_error());
    for provider_only in [
        "/api/v1/accounts",
        "/api/v1/stock",
        "/api/v1/messages",
        "/api/v1/alarms",
    ] {
        let answer = get(&server, provider_only, &hafen).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{provider_only}");
        assert_eq!(answer.problem_type(), "/api/v1/docs#problem-forbidden");
        assert_eq!(
            get(&server, provider_only, &alpina).await.status,
            StatusCode::OK,
            "{provider_only}"
        );
    }
    // A provider's account list holds its own accounts only.
    let accounts = get(&server, "/api/v1/accounts?limit=200", &alpina).await;
    let names: Vec<&str> = accounts.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert!(!names.contains(&"Hafenlogistik GmbH"), "{names:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_need_their_scope_and_stop_when_revoked_expired_or_orphaned() {
    let server = start().await;
    let (read_id, read_only) = token(&server, HAFEN_ADMIN, true, false).await;
    let (_, write_only) = token(&server, HAFEN_ADMIN, false, true).await;

    let none = call(&server, Method::GET, "/api/v1/orders", None, None, None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert!(none.header("www-authenticate").is_some());
    assert_eq!(none.problem_type(), "/api/v1/docs#problem-unauthenticated");
    let forged = get(&server, "/api/v1/orders", "sdk_not-a-token").await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    assert_eq!(forged.problem_type(), "/api/v1/docs#problem-invalid-token");

    let body = order_body(&server, &read_only).await;
    let refused = call(
        &server,
        Method::POST,
        "/api/v1/orders",
        Some(&read_only),
        Some(body.clone()),
        None,
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        refused.problem_type(),
        "/api/v1/docs#problem-insufficient-scope"
    );
    assert!(refused.body["detail"]
        .as_str()
        .unwrap()
        .contains("orders:write"));
    assert_eq!(
        get(&server, "/api/v1/orders", &write_only).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(orders_of_source(&server, "api").await, 0);

    // Revoked: refused at the next call.
    let admin = Actor::load(&server.database.db, server.user_id(HAFEN_ADMIN).await)
        .await
        .unwrap()
        .unwrap();
    api_tokens::revoke(&server.database.db, &admin, read_id)
        .await
        .unwrap();
    let revoked = get(&server, "/api/v1/me", &read_only).await;
    assert_eq!(revoked.status, StatusCode::UNAUTHORIZED);
    assert!(revoked.body["detail"].as_str().unwrap().contains("revoked"));

    // Expired.
    let (expiring_id, expiring) = token(&server, HAFEN_ADMIN, true, false).await;
    let txn = begin(&server.database.db, DataScope::System).await.unwrap();
    let row = api_token::Entity::find_by_id(expiring_id)
        .one(&txn)
        .await
        .unwrap()
        .unwrap();
    let mut row: api_token::ActiveModel = row.into();
    row.expires_at = Set(chrono::Utc::now() - chrono::Duration::seconds(1));
    row.update(&txn).await.unwrap();
    txn.commit().await.unwrap();
    let expired = get(&server, "/api/v1/me", &expiring).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert!(expired.body["detail"].as_str().unwrap().contains("expired"));

    // Its maker deactivated: every token they made stops.
    let txn = begin(&server.database.db, DataScope::System).await.unwrap();
    app_user::Entity::update_many()
        .col_expr(
            app_user::Column::Active,
            sea_orm::sea_query::Expr::value(false),
        )
        .filter(app_user::Column::Email.eq(HAFEN_ADMIN))
        .exec(&txn)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    assert_eq!(
        get(&server, "/api/v1/me", &write_only).await.status,
        StatusCode::UNAUTHORIZED
    );

    // Another account's admin cannot revoke this account's tokens: not found, and audited.
    let (other_id, _) = token(&server, "admin@bergbahn.example", true, false).await;
    let nordwind_user = Actor::load(
        &server.database.db,
        server.user_id("admin@metrofleet.example").await,
    )
    .await
    .unwrap()
    .unwrap();
    assert!(matches!(
        api_tokens::revoke(&server.database.db, &nordwind_user, other_id).await,
        Err(simdesk_domain::DomainError::NotFound)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idempotency_key_makes_retries_and_concurrent_duplicates_act_once() {
    let server = start().await;
    let (_, secret) = token(&server, HAFEN_ADMIN, true, true).await;
    let body = order_body(&server, &secret).await;

    let first = call(
        &server,
        Method::POST,
        "/api/v1/orders",
        Some(&secret),
        Some(body.clone()),
        Some("order-1"),
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED);
    let again = call(
        &server,
        Method::POST,
        "/api/v1/orders",
        Some(&secret),
        Some(body.clone()),
        Some("order-1"),
    )
    .await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body, first.body);
    assert!(first.header("location").is_some());
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(orders_of_source(&server, "api").await, 1);

    let mut other = body.clone();
    other["comment"] = json!("another order");
    let reused = call(
        &server,
        Method::POST,
        "/api/v1/orders",
        Some(&secret),
        Some(other),
        Some("order-1"),
    )
    .await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reused.problem_type(),
        "/api/v1/docs#problem-idempotency-key-reused"
    );
    let bad_key = call(
        &server,
        Method::POST,
        "/api/v1/orders",
        Some(&secret),
        Some(body.clone()),
        Some(""),
    )
    .await;
    assert_eq!(bad_key.status, StatusCode::BAD_REQUEST);

    // A refusal is kept like a success: the same bad request gets the same answer.
    let invalid = json!({ "lines": [] });
    let refused = call(
        &server,
        Method::POST,
        "/api/v1/orders",
        Some(&secret),
        Some(invalid.clone()),
        Some("bad-1"),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let refused_again = call(
        &server,
        Method::POST,
        "/api/v1/orders",
        Some(&secret),
        Some(invalid),
        Some("bad-1"),
    )
    .await;
    assert_eq!(refused_again.header("idempotent-replayed"), Some("true"));
    assert_eq!(refused_again.body, refused.body);

    // 100 duplicates at once: one order, and every answer is that order.
    let answers = futures::future::join_all((0..100).map(|_| {
        call(
            &server,
            Method::POST,
            "/api/v1/orders",
            Some(&secret),
            Some(body.clone()),
            Some("burst-1"),
        )
    }))
    .await;
    let ids: std::collections::HashSet<i64> = answers
        .iter()
        .map(|a| {
            assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
            a.body["id"].as_i64().unwrap()
        })
        .collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(orders_of_source(&server, "api").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_a_lost_answer_finds_the_change_instead_of_making_it_again() {
    let server = start().await;
    let (token_id, secret) = token(&server, HAFEN_ADMIN, true, true).await;
    let body = order_body(&server, &secret).await;
    let db = &server.database.db;
    let actor = Actor::load(db, server.user_id(HAFEN_ADMIN).await)
        .await
        .unwrap()
        .unwrap();
    let key = KeyRef {
        tenant_id: actor.tenant_id.unwrap(),
        token_id,
        key: "lost-answer".into(),
    };
    // The first try as the server serves it: the key claimed (for the path below /api/v1,
    // as the API's router sees it), the order committed under the key, and then the instance
    // dies before the answer is kept.
    let request_hash = sha256_hex(format!("POST /orders\n{body}").as_bytes());
    assert_eq!(
        idempotency::claim(db, &key, &request_hash).await.unwrap(),
        Claim::Proceed
    );
    let input: OrderInput = serde_json::from_value(body.clone()).unwrap();
    let id = request_id::with_api_token(
        token_id,
        request_id::with_idempotency_key(
            key.key.clone(),
            orders::create_draft(db, &actor, input.into()),
        ),
    )
    .await
    .unwrap();
    assert_eq!(orders_of_source(&server, "api").await, 1);
    // While the first try's lease holds, a retry waits for its answer; once it ran out, the
    // retry is pointed at the order, and no second order is raised, then or later.
    let txn = begin(db, DataScope::System).await.unwrap();
    idempotency_key::Entity::update_many()
        .col_expr(
            idempotency_key::Column::LockedUntil,
            Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)),
        )
        .exec(&txn)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    for _ in 0..2 {
        let retry = call(
            &server,
            Method::POST,
            "/api/v1/orders",
            Some(&secret),
            Some(body.clone()),
            Some("lost-answer"),
        )
        .await;
        assert_eq!(retry.status, StatusCode::SEE_OTHER, "{}", retry.body);
        let location = format!("/api/v1/orders/{id}");
        assert_eq!(retry.header("location"), Some(location.as_str()));
        assert_eq!(
            get(&server, &location, &secret).await.status,
            StatusCode::OK
        );
    }
    assert_eq!(orders_of_source(&server, "api").await, 1);
}

/// Takes `action` on an order at its current version, as `secret`.
async fn step(server: &TestServer, secret: &str, id: i64, action: &str, extra: Value) -> Answer {
    let order = get(server, &format!("/api/v1/orders/{id}"), secret).await;
    let mut body = json!({ "version": order.body["version"] });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    call(
        server,
        Method::POST,
        &format!("/api/v1/orders/{id}/{action}"),
        Some(secret),
        Some(body),
        None,
    )
    .await
}

fn free_of(stock: &Value, product_id: &Value) -> u64 {
    stock
        .as_array()
        .unwrap()
        .iter()
        .find(|level| &level["product_id"] == product_id)
        .and_then(|level| level["free"].as_u64())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_goes_from_draft_to_closed_through_the_api_alone() {
    let server = start().await;
    let (_, buyer) = token(&server, HAFEN_ADMIN, true, true).await;
    let (_, provider) = token(&server, "admin@nordwind.example", true, true).await;
    let body = order_body(&server, &buyer).await;
    let product_id = body["lines"][0]["product_id"].clone();
    let quantity = body["lines"][0]["quantity"].as_u64().unwrap();
    let created = call(
        &server,
        Method::POST,
        "/api/v1/orders",
        Some(&buyer),
        Some(body),
        None,
    )
    .await;
    let id = created.body["id"].as_i64().unwrap();
    let submitted = step(&server, &buyer, id, "submit", json!({})).await;
    if submitted.body["status"] == "awaiting_approval" {
        let approved = step(&server, &buyer, id, "approve", json!({})).await;
        assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    }
    let accepted = step(&server, &provider, id, "accept", json!({})).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    assert_eq!(accepted.body["status"], "accepted");

    // SIMs from stock: a buyer cannot, a stale version conflicts, then the order is ready.
    let refused = step(&server, &buyer, id, "provision", json!({})).await;
    assert!(refused.status.is_client_error(), "{}", refused.body);
    let stale = call(
        &server,
        Method::POST,
        &format!("/api/v1/orders/{id}/provision"),
        Some(&provider),
        Some(json!({ "version": 1 })),
        None,
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let unknown = step(
        &server,
        &provider,
        id,
        "provision",
        json!({ "sims": ["8949000000000000000"] }),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.body["errors"][0]["field"], "sims");
    let before = get(&server, "/api/v1/stock", &provider).await.body;
    let ready = step(&server, &provider, id, "provision", json!({})).await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    assert_eq!(ready.body["status"], "ready");
    let after = get(&server, "/api/v1/stock", &provider).await.body;
    assert_eq!(
        free_of(&after, &product_id) + quantity,
        free_of(&before, &product_id)
    );
    let sims = get(&server, &format!("/api/v1/orders/{id}/sims"), &buyer).await;
    assert_eq!(sims.status, StatusCode::OK);
    assert_eq!(sims.body.as_array().unwrap().len() as u64, quantity);
    assert!(sims.body[0]["iccid"].as_str().unwrap().len() >= 18);

    let shipped = step(
        &server,
        &provider,
        id,
        "ship",
        json!({
            "carrier": "DHL",
            "tracking_number": "JD014600003828",
            "shipped_on": chrono::Utc::now().date_naive().to_string()
        }),
    )
    .await;
    assert_eq!(shipped.status, StatusCode::OK, "{}", shipped.body);
    assert_eq!(shipped.body["status"], "shipped");
    let closed = step(&server, &buyer, id, "confirm_receipt", json!({})).await;
    assert_eq!(closed.body["status"], "closed");
    let order = get(&server, &format!("/api/v1/orders/{id}"), &buyer).await;
    assert_eq!(order.body["shipment"]["carrier"], "DHL");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_with_a_token_is_recorded_for_its_admins_only() {
    let server = start().await;
    let (_, secret) = token(&server, HAFEN_ADMIN, true, false).await;
    assert_eq!(
        get(&server, "/api/v1/me", &secret).await.status,
        StatusCode::OK
    );
    let refused = call(
        &server,
        Method::POST,
        "/api/v1/orders",
        Some(&secret),
        Some(json!({ "lines": [] })),
        None,
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let missing = get(&server, "/api/v1/orders/999999?x=1", &secret).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // The calls are stored off the request path: wait for them.
    let db = &server.database.db;
    let admin = Actor::load(db, server.user_id(HAFEN_ADMIN).await)
        .await
        .unwrap()
        .unwrap();
    let mut calls = Vec::new();
    for _ in 0..100 {
        calls = api_tokens::list(db, &admin).await.unwrap().recent_calls;
        if calls.len() >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let seen: Vec<(String, String, u16)> = calls
        .iter()
        .map(|c| (c.method.clone(), c.path.clone(), c.status))
        .collect();
    assert_eq!(
        seen,
        [
            (
                "GET".to_owned(),
                "/api/v1/orders/999999?x=1".to_owned(),
                404
            ),
            ("POST".to_owned(), "/api/v1/orders".to_owned(), 403),
            ("GET".to_owned(), "/api/v1/me".to_owned(), 200),
        ]
    );
    assert!(calls
        .iter()
        .all(|c| c.token_name == format!("test {HAFEN_ADMIN}")));
    assert!(calls.iter().all(|c| c.request_id.len() >= 16));
    // Another account's admin and the provider's admin see calls of their own tokens only.
    for other in ["admin@bergbahn.example", "admin@nordwind.example"] {
        let someone = Actor::load(db, server.user_id(other).await)
            .await
            .unwrap()
            .unwrap();
        let theirs = api_tokens::list(db, &someone).await.unwrap().recent_calls;
        assert!(theirs.is_empty(), "{other}: {theirs:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_over_its_rate_is_told_when_to_retry() {
    let server = start_with(HttpSettings {
        api_requests_per_minute: 5,
        ..HttpSettings::default()
    })
    .await;
    let (_, secret) = token(&server, HAFEN_ADMIN, true, false).await;
    let (_, other) = token(&server, "admin@bergbahn.example", true, false).await;
    for _ in 0..5 {
        assert_eq!(
            get(&server, "/api/v1/me", &secret).await.status,
            StatusCode::OK
        );
    }
    let limited = get(&server, "/api/v1/me", &secret).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.problem_type(), "/api/v1/docs#problem-rate-limited");
    let wait: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // Another token has its own rate.
    assert_eq!(
        get(&server, "/api/v1/me", &other).await.status,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_precise_problems() {
    let server = start().await;
    let (_, secret) = token(&server, HAFEN_ADMIN, true, true).await;

    let raw = |body: &'static str, content_type: &'static str| {
        server
            .client
            .post(server.url("/api/v1/orders"))
            .bearer_auth(&secret)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let broken = raw("{not json", "application/json").await.unwrap();
    assert_eq!(broken.status(), StatusCode::BAD_REQUEST);
    let text = raw("{}", "text/plain").await.unwrap();
    assert_eq!(text.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let shapeless = raw("{\"lines\": \"many\"}", "application/json")
        .await
        .unwrap();
    assert_eq!(shapeless.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The service's own checks, with the fields named as the API names them.
    let no_lines = call(
        &server,
        Method::POST,
        "/api/v1/orders",
        Some(&secret),
        Some(json!({ "lines": [] })),
        None,
    )
    .await;
    assert_eq!(no_lines.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        no_lines.problem_type(),
        "/api/v1/docs#problem-invalid-input"
    );
    assert!(no_lines.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["field"] == "lines"));
    let mut bad_country = order_body(&server, &secret).await;
    bad_country["shipping_address"]["country"] = json!("Germany");
    let country = call(
        &server,
        Method::POST,
        "/api/v1/orders",
        Some(&secret),
        Some(bad_country),
        None,
    )
    .await;
    assert_eq!(country.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        country.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == "shipping_address.country"),
        "{}",
        country.body
    );

    let status = get(&server, "/api/v1/orders?status=lost", &secret).await;
    assert_eq!(status.status, StatusCode::BAD_REQUEST);
    assert!(status.body["detail"]
        .as_str()
        .unwrap()
        .contains("submitted"));
    // Whatever the age asked for, the list answers; a damaged cursor is a malformed request.
    let ancient = get(
        &server,
        "/api/v1/orders?older_than_days=4294967295",
        &secret,
    )
    .await;
    assert_eq!(ancient.status, StatusCode::OK);
    let damaged = get(&server, "/api/v1/orders?cursor=x%F3", &secret).await;
    assert_eq!(damaged.status, StatusCode::BAD_REQUEST);
    let unknown_param = get(&server, "/api/v1/orders?colour=red", &secret).await;
    assert_eq!(unknown_param.status, StatusCode::BAD_REQUEST);
    let nowhere = get(&server, "/api/v1/nowhere", &secret).await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    let missing = get(&server, "/api/v1/orders/987654321", &secret).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let not_a_number = get(&server, "/api/v1/orders/abc", &secret).await;
    assert_eq!(not_a_number.status, StatusCode::BAD_REQUEST);
    let wrong_method = call(
        &server,
        Method::DELETE,
        "/api/v1/orders",
        Some(&secret),
        None,
        None,
    )
    .await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_and_reference_are_public() {
    let server = start().await;
    let document = server
        .client
        .get(server.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(document.status(), StatusCode::OK);
    let spec: Value = serde_json::from_str(&document.text().await.unwrap()).unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(spec["paths"]["/api/v1/orders"]["post"].is_object());
    let page = server.get("/api/v1/docs", None).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("simdesk API reference"));
    assert!(html.contains("id=\"problem-idempotency-key-reused\""));
    assert!(html.contains("/api/v1/orders/{id}/{action}"));
}
