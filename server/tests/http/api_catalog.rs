//! The catalog over the REST API: entitlement options and products to read for every token,
//! product changes for tenant tokens with `catalog:write`, each checked like the catalog
//! editor's form, versioned, idempotent, audited with the token, and isolated per tenant.

use crate::api::{call, get, scoped_token, HAFEN_ADMIN};
use crate::support::*;
use reqwest::{Method, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use simdesk_domain::db::{begin, DataScope};
use simdesk_domain::entity::{audit_log, product};

const NORDWIND_ADMIN: &str = "admin@nordwind.example";
const ALPINA_ADMIN: &str = "admin@alpina.example";

/// The id of the first active option of `kind` in the token's option list.
fn option_of(options: &Value, kind: &str) -> i64 {
    options["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == kind && o["active"] == true)
        .and_then(|o| o["id"].as_i64())
        .unwrap_or_else(|| panic!("an active {kind}: {options}"))
}

fn product_body(part_number: &str, price_plan: i64) -> Value {
    json!({
        "part_number": part_number,
        "name": "Industrial nano SIM",
        "description": "Wide temperature range",
        "sim_type": "plastic",
        "form_factor": "4FF",
        "features": "-40 to 105 °C",
        "price": { "amount_minor": 450, "currency": "EUR" },
        "unspsc": "43191501",
        "min_order_quantity": 10,
        "order_increment": 10,
        "defaults": { "price_plan": price_plan }
    })
}

fn fields(answer: &Value) -> Vec<String> {
    answer["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_token_manages_products_as_the_catalog_editor_does() {
    let server = start().await;
    let (token_id, editor) = scoped_token(&server, NORDWIND_ADMIN, true, false, true).await;

    let options = get(&server, "/api/v1/options", &editor).await;
    assert_eq!(options.status, StatusCode::OK, "{}", options.body);
    let price_plan = option_of(&options.body, "price_plan");
    let apn_group = option_of(&options.body, "apn_group");
    let plans = get(&server, "/api/v1/options?kind=price_plan", &editor).await;
    assert!(plans.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["kind"] == "price_plan"));
    let unknown = get(&server, "/api/v1/options?kind=tariff", &editor).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(unknown.body["detail"]
        .as_str()
        .unwrap()
        .contains("price_plan"));

    // Created once, whatever the retries with the same key.
    let body = product_body("SIM-4FF-API", price_plan);
    let mut ids = Vec::new();
    for _ in 0..2 {
        let created = call(
            &server,
            Method::POST,
            "/api/v1/products",
            Some(&editor),
            Some(body.clone()),
            Some("new-nano-sim"),
        )
        .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        assert_eq!(
            created.header("location").map(str::to_owned),
            Some(format!("/api/v1/products/{}", created.body["id"]))
        );
        ids.push(created.body["id"].as_i64().unwrap());
    }
    assert_eq!(ids[0], ids[1]);
    let id = ids[0];
    let path = format!("/api/v1/products/{id}");
    let read = get(&server, &path, &editor).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body["version"], 1);
    assert_eq!(read.body["status"], "active");
    assert_eq!(read.body["unit_of_measure"], "EA");
    assert_eq!(read.body["max_order_quantity"], 100_000);
    assert_eq!(read.body["price"]["amount_minor"], 450);
    assert_eq!(read.body["defaults"]["price_plan"], price_plan);

    // Every field is checked at once, named as the API names it.
    let mut bad = product_body("SIM-4FF-API", apn_group);
    bad["price"]["amount_minor"] = json!(0);
    bad["unspsc"] = json!("4319");
    bad["form_factor"] = json!("5FF");
    let refused = call(
        &server,
        Method::POST,
        "/api/v1/products",
        Some(&editor),
        Some(bad),
        None,
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let named = fields(&refused.body);
    for field in [
        "price.amount_minor",
        "unspsc",
        "form_factor",
        "defaults.price_plan",
    ] {
        assert!(named.iter().any(|f| f == field), "{field}: {named:?}");
    }
    let duplicate = call(
        &server,
        Method::POST,
        "/api/v1/products",
        Some(&editor),
        Some(product_body("sim-4ff-api", price_plan)),
        None,
    )
    .await;
    assert_eq!(duplicate.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&duplicate.body), ["part_number"]);
    let mut currency = product_body("SIM-OTHER", price_plan);
    currency["price"]["currency"] = json!("EURO");
    let refused = call(
        &server,
        Method::POST,
        "/api/v1/products",
        Some(&editor),
        Some(currency),
        None,
    )
    .await;
    assert_eq!(fields(&refused.body), ["price.currency"]);
    let mut misspelt = product_body("SIM-OTHER", price_plan);
    misspelt["unit_of_measur"] = json!("EA");
    let refused = call(
        &server,
        Method::POST,
        "/api/v1/products",
        Some(&editor),
        Some(misspelt),
        None,
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body["detail"]
        .as_str()
        .unwrap()
        .contains("unit_of_measur"));

    // Changes need the version they are based on; a stale one is a conflict.
    let unversioned = call(
        &server,
        Method::PUT,
        &path,
        Some(&editor),
        Some(product_body("SIM-4FF-API", price_plan)),
        None,
    )
    .await;
    assert_eq!(unversioned.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&unversioned.body), ["version"]);
    let mut change = product_body("SIM-4FF-API", price_plan);
    change["name"] = json!("Industrial nano SIM, rugged");
    change["version"] = json!(1);
    let changed = call(
        &server,
        Method::PUT,
        &path,
        Some(&editor),
        Some(change.clone()),
        None,
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.body["version"], 2);
    assert_eq!(changed.body["name"], "Industrial nano SIM, rugged");
    let stale = call(
        &server,
        Method::PUT,
        &path,
        Some(&editor),
        Some(change),
        None,
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let retired = call(
        &server,
        Method::POST,
        &format!("{path}/retire"),
        Some(&editor),
        Some(json!({ "version": 2 })),
        None,
    )
    .await;
    assert_eq!(retired.status, StatusCode::OK, "{}", retired.body);
    assert_eq!(retired.body["status"], "retired");
    let again = call(
        &server,
        Method::POST,
        &format!("{path}/reactivate"),
        Some(&editor),
        Some(json!({ "version": 3 })),
        None,
    )
    .await;
    assert_eq!(again.body["status"], "active");

    // One product, and every change in the audit log under the token.
    let txn = begin(&server.database.db, DataScope::System).await.unwrap();
    let stored = product::Entity::find()
        .filter(product::Column::PartNumber.eq("SIM-4FF-API"))
        .all(&txn)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    let audited = audit_log::Entity::find()
        .filter(audit_log::Column::TargetType.eq("product"))
        .filter(audit_log::Column::TargetId.eq(id.to_string()))
        .all(&txn)
        .await
        .unwrap();
    assert_eq!(audited.len(), 4, "created, updated, retired, reactivated");
    assert!(audited.iter().all(|row| row.api_token_id == Some(token_id)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_changes_need_the_scope_and_stay_in_the_tenant() {
    let server = start().await;
    let (_, editor) = scoped_token(&server, NORDWIND_ADMIN, true, false, true).await;
    let (_, reader) = scoped_token(&server, NORDWIND_ADMIN, true, false, false).await;
    let (_, stranger) = scoped_token(&server, ALPINA_ADMIN, true, false, true).await;
    let (_, account) = scoped_token(&server, HAFEN_ADMIN, true, true, false).await;
    let options = get(&server, "/api/v1/options", &editor).await;
    let price_plan = option_of(&options.body, "price_plan");
    let created = call(
        &server,
        Method::POST,
        "/api/v1/products",
        Some(&editor),
        Some(product_body("SIM-SCOPED", price_plan)),
        None,
    )
    .await;
    let path = format!("/api/v1/products/{}", created.body["id"]);

    // Without `catalog:write`, or for an account, no change; the scope is named.
    for token in [&reader, &account] {
        let refused = call(
            &server,
            Method::POST,
            "/api/v1/products",
            Some(token),
            Some(product_body("SIM-NOT-MINE", price_plan)),
            None,
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert_eq!(
            refused.problem_type(),
            "/api/v1/docs#problem-insufficient-scope"
        );
    }
    // Another tenant's token: the product does not exist, whatever it tries.
    assert_eq!(
        get(&server, &path, &stranger).await.status,
        StatusCode::NOT_FOUND
    );
    let mut change = product_body("SIM-SCOPED", price_plan);
    change["version"] = json!(1);
    let put = call(
        &server,
        Method::PUT,
        &path,
        Some(&stranger),
        Some(change),
        None,
    )
    .await;
    assert_eq!(put.status, StatusCode::NOT_FOUND);
    let retire = call(
        &server,
        Method::POST,
        &format!("{path}/retire"),
        Some(&stranger),
        Some(json!({ "version": 1 })),
        None,
    )
    .await;
    assert_eq!(retire.status, StatusCode::NOT_FOUND);
    // Nor can it choose the other tenant's options as defaults.
    let foreign = call(
        &server,
        Method::POST,
        "/api/v1/products",
        Some(&stranger),
        Some(product_body("SIM-FOREIGN-PLAN", price_plan)),
        None,
    )
    .await;
    assert_eq!(foreign.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&foreign.body), ["defaults.price_plan"]);
    let listed = get(&server, "/api/v1/products?search=SIM-SCOPED", &stranger).await;
    assert_eq!(listed.body["data"], json!([]));

    // An account's token reads what it may order, without the editor's fields, and nothing
    // else; its options are the ones its orders may choose.
    let own = get(&server, "/api/v1/products", &account).await;
    let first = &own.body["data"][0];
    let one = get(
        &server,
        &format!("/api/v1/products/{}", first["id"]),
        &account,
    )
    .await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.body["part_number"], first["part_number"]);
    assert!(one.body.get("version").is_none());
    assert_eq!(
        get(&server, &path, &account).await.status,
        StatusCode::NOT_FOUND
    );
    let choices = get(&server, "/api/v1/options", &account).await;
    assert_eq!(choices.status, StatusCode::OK);
    let tenant_ids: Vec<&Value> = options.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| &o["id"])
        .collect();
    for option in choices.body["data"].as_array().unwrap() {
        assert_eq!(option["active"], true);
        assert!(tenant_ids.contains(&&option["id"]));
    }
    if choices.body["overrides_allowed"] == false {
        assert_eq!(choices.body["data"], json!([]));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_token_adds_and_retires_entitlement_options() {
    let server = start().await;
    let (_, editor) = scoped_token(&server, NORDWIND_ADMIN, true, false, true).await;
    let (_, stranger) = scoped_token(&server, ALPINA_ADMIN, true, false, true).await;
    let (_, account) = scoped_token(&server, HAFEN_ADMIN, true, true, false).await;
    let body = json!({ "kind": "price_plan", "code": "iot-10mb", "name": "IoT 10 MB" });
    let created = call(
        &server,
        Method::POST,
        "/api/v1/options",
        Some(&editor),
        Some(body.clone()),
        Some("plan-10mb"),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["code"], "IOT-10MB");
    assert_eq!(created.body["active"], true);
    let path = created.header("location").unwrap().to_owned();
    assert_eq!(get(&server, &path, &editor).await.body, created.body);
    let duplicate = call(
        &server,
        Method::POST,
        "/api/v1/options",
        Some(&editor),
        Some(body.clone()),
        None,
    )
    .await;
    assert_eq!(duplicate.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&duplicate.body), ["code"]);
    let unknown_kind = call(
        &server,
        Method::POST,
        "/api/v1/options",
        Some(&editor),
        Some(json!({ "kind": "tariff", "code": "X", "name": "X" })),
        None,
    )
    .await;
    assert_eq!(fields(&unknown_kind.body), ["kind"]);

    // Another tenant cannot see or retire it; an account's token cannot add one.
    assert_eq!(
        get(&server, &path, &stranger).await.status,
        StatusCode::NOT_FOUND
    );
    let foreign = call(
        &server,
        Method::POST,
        &format!("{path}/retire"),
        Some(&stranger),
        None,
        None,
    )
    .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let refused = call(
        &server,
        Method::POST,
        "/api/v1/options",
        Some(&account),
        Some(json!({ "kind": "price_plan", "code": "MINE", "name": "Mine" })),
        None,
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let retired = call(
        &server,
        Method::POST,
        &format!("{path}/retire"),
        Some(&editor),
        None,
        None,
    )
    .await;
    assert_eq!(retired.status, StatusCode::OK, "{}", retired.body);
    assert_eq!(retired.body["active"], false);
    // A retired option is no default for a new product.
    let id = created.body["id"].as_i64().unwrap();
    let product = call(
        &server,
        Method::POST,
        "/api/v1/products",
        Some(&editor),
        Some(product_body("SIM-RETIRED-PLAN", id)),
        None,
    )
    .await;
    assert_eq!(fields(&product.body), ["defaults.price_plan"]);
    let again = call(
        &server,
        Method::POST,
        &format!("{path}/reactivate"),
        Some(&editor),
        None,
        None,
    )
    .await;
    assert_eq!(again.body["active"], true);
}
