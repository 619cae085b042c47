//! The cXML delivery worker against procurement systems on loopback: order confirmations and
//! ship notices reach them through retries, refusals are not retried, and every attempt is
//! recorded. (These were service tests until delivery over HTTP left the service layer.)

use crate::support::{demo_database, DemoDatabase};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use simdesk_domain::db::{begin, DataScope};
use simdesk_domain::entity::{cxml_outbox, cxml_outbox_attempt, purchase_order};
use simdesk_domain::orders::{self, provisioning, provisioning::Source};
use simdesk_domain::punchout::outbox::{self, OutboxSettings};
use simdesk_domain::testing::cxml::*;
use simdesk_domain::testing::{actor, TestDatabase};
use simdesk_domain::{Actor, DomainError};
use simdesk_server::workers::cxml_delivery::deliver_due;
use simdesk_types::{DeliveryStatus, PoAction, PoStatus, ShipmentInput};

const NORDWIND_AGENT: &str = "agent@nordwind.example";
const ALPINA_AGENT: &str = "agent@alpina.example";
const HAFEN_PURCHASER: &str = "purchaser@hafenlogistik.example";

/// A fresh database with the whole demo: catalog, onboarded accounts, SIM stock and one
/// submitted purchase order per tenant.
async fn full_demo_db() -> DemoDatabase {
    demo_database().await
}

/// The contract price and part number of the account's nano SIM.
async fn nano(t: &TestDatabase, buyer: &Actor) -> (i64, String, String) {
    let form = orders::form_data(&t.db, buyer, None, None).await.unwrap();
    let entry = form
        .products
        .iter()
        .find(|p| p.part_number.ends_with("-IOT-4FF"))
        .expect("the nano SIM is assigned");
    let amount = format!("{}.{:02}", entry.price.minor / 100, entry.price.minor % 100);
    (entry.product_id, entry.part_number.clone(), amount)
}

/// A procurement system's cXML address on loopback that answers with `answers` in turn (the
/// last one for ever after) and keeps what it received.
async fn procurement_inbox(
    answers: Vec<(u16, &'static str)>,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use axum::http::StatusCode;
    use std::sync::{Arc, Mutex};
    let received: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = received.clone();
    let app = axum::Router::new().route(
        "/cxml",
        axum::routing::post(move |body: String| {
            let log = log.clone();
            let answers = answers.clone();
            async move {
                let mut log = log.lock().unwrap();
                log.push(body);
                let (status, code) = answers[(log.len() - 1).min(answers.len() - 1)];
                let xml = format!(
                    r#"<cXML payloadID="r" timestamp="2026-11-21T10:00:00Z"><Response><Status code="{code}" text="x"/></Response></cXML>"#
                );
                (StatusCode::from_u16(status).unwrap(), xml)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/cxml", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

async fn outbox_rows(t: &TestDatabase) -> Vec<cxml_outbox::Model> {
    let txn = begin(&t.db, DataScope::System).await.unwrap();
    cxml_outbox::Entity::find().all(&txn).await.unwrap()
}

/// A PO ordered by OrderRequest (10 nano SIMs, payloadID `payload`, orderID `reference`) from a
/// procurement system whose confirmations go to a loopback inbox answering `answers`.
struct Ordered {
    buyer: Buyer,
    received: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    agent: Actor,
    po_id: i64,
    part: String,
    price: String,
}

async fn ordered(
    t: &TestDatabase,
    answers: Vec<(u16, &'static str)>,
    payload: &str,
    reference: &str,
) -> Ordered {
    let (url, received) = procurement_inbox(answers).await;
    let buyer = hafen_buyer_answered_at(t, &url).await;
    let purchaser = actor(t, HAFEN_PURCHASER).await;
    let (_, part, price) = nano(t, &purchaser).await;
    let order = order_request(
        &buyer.secret,
        payload,
        reference,
        "new",
        &[(&part, 10, &price, None)],
    );
    assert_eq!(code_of(&post(t, &buyer, "nordwind", &order).await), 200);
    Ordered {
        buyer,
        received,
        agent: actor(t, NORDWIND_AGENT).await,
        po_id: po_by_reference(t, reference).await.id,
        part,
        price,
    }
}

impl Ordered {
    async fn version(&self, t: &TestDatabase) -> i32 {
        orders::detail(&t.db, &self.agent, self.po_id)
            .await
            .unwrap()
            .version
    }

    async fn act(&self, t: &TestDatabase, action: PoAction, reason: &str) {
        let version = self.version(t).await;
        orders::act(&t.db, &self.agent, self.po_id, version, action, reason)
            .await
            .unwrap();
    }

    /// One outbox pass with retries due at once; how many documents it attempted.
    async fn deliver(&self, t: &TestDatabase) -> usize {
        let settings = OutboxSettings {
            first_retry: chrono::Duration::zero(),
            ..OutboxSettings::default()
        };
        deliver_due(&t.db, &self.buyer.key, &reqwest::Client::new(), &settings)
            .await
            .unwrap()
    }

    fn bodies(&self) -> Vec<String> {
        self.received.lock().unwrap().clone()
    }
}

#[tokio::test]
async fn confirmations_reach_the_procurement_system_through_retries() {
    let t = full_demo_db().await;
    let order = ordered(&t, vec![(503, "500"), (200, "200")], "conf-1", "C-1").await;
    assert!(
        outbox_rows(&t).await.is_empty(),
        "nothing to say before the agent decides"
    );

    order.act(&t, PoAction::Accept, "").await;
    let queued = outbox_rows(&t).await;
    assert_eq!(queued.len(), 1);
    assert!(
        !queued[0].payload.contains(&order.buyer.secret),
        "no secret at rest"
    );

    assert_eq!(order.deliver(&t).await, 1);
    let retried = &outbox_rows(&t).await[0];
    assert_eq!((retried.status.as_str(), retried.attempts), ("pending", 1));
    assert!(
        retried.last_error.contains("server error"),
        "{}",
        retried.last_error
    );
    assert_eq!(order.deliver(&t).await, 1);
    let sent = &outbox_rows(&t).await[0];
    assert_eq!((sent.status.as_str(), sent.attempts), ("sent", 2));
    assert_eq!(order.deliver(&t).await, 0);

    let bodies = order.bodies();
    assert_eq!(bodies.len(), 2);
    let document = cxml::parse(bodies[1].as_bytes()).unwrap();
    let cxml::Body::Request(request) = &document.body else {
        panic!("a request")
    };
    assert_eq!(
        request.header.shared_secret(),
        Some(order.buyer.secret.as_str())
    );
    let cxml::RequestKind::ConfirmationRequest(confirmation) = &request.kind else {
        panic!("a ConfirmationRequest")
    };
    assert_eq!(
        confirmation.header.confirmation_type,
        cxml::ConfirmationType::Accept
    );
    assert_eq!(
        confirmation.order_reference.document_reference.payload_id,
        "conf-1"
    );
    assert_eq!(
        confirmation.order_reference.order_id.as_deref(),
        Some("C-1")
    );

    let txn = begin(&t.db, DataScope::System).await.unwrap();
    let attempts = cxml_outbox_attempt::Entity::find().all(&txn).await.unwrap();
    assert_eq!(
        attempts.iter().map(|a| a.http_status).collect::<Vec<_>>(),
        vec![Some(503), Some(200)]
    );
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

#[tokio::test]
async fn a_refused_rejection_notice_is_not_retried() {
    let t = full_demo_db().await;
    let order = ordered(&t, vec![(400, "400")], "rej-1", "R-1").await;
    order
        .act(&t, PoAction::Reject, "No such tariff in 2027.")
        .await;
    assert_eq!(order.deliver(&t).await, 1);
    assert_eq!(order.deliver(&t).await, 0);
    let failed = &outbox_rows(&t).await[0];
    assert_eq!((failed.status.as_str(), failed.attempts), ("failed", 1));
    let bodies = order.bodies();
    assert_eq!(bodies.len(), 1);
    assert!(bodies[0].contains(r#"type="reject""#), "{}", bodies[0]);
    assert!(bodies[0].contains("No such tariff in 2027."));

    // The agent sees it on the PO and sends it again; nobody else can.
    let seen = orders::detail(&t.db, &order.agent, order.po_id)
        .await
        .unwrap()
        .procurement_messages;
    let [message] = seen.as_slice() else {
        panic!("one document: {seen:?}")
    };
    assert_eq!(message.description, "Order confirmation (reject)");
    assert_eq!(
        (message.status, message.attempts),
        (DeliveryStatus::Failed, 1)
    );
    assert!(message.last_error.contains("refused"), "{message:?}");
    let purchaser = actor(&t, HAFEN_PURCHASER).await;
    let buyer_view = orders::detail(&t.db, &purchaser, order.po_id)
        .await
        .unwrap();
    assert!(buyer_view.procurement_messages.is_empty());
    for outsider in [&purchaser, &actor(&t, ALPINA_AGENT).await] {
        let refused = outbox::retry(&t.db, outsider, order.po_id, message.id).await;
        assert!(
            matches!(
                refused,
                Err(DomainError::Forbidden
                    | DomainError::NotFound
                    | DomainError::OutOfScope { .. })
            ),
            "{refused:?}"
        );
    }
    assert_eq!(outbox_rows(&t).await[0].status, "failed");
    outbox::retry(&t.db, &order.agent, order.po_id, message.id)
        .await
        .unwrap();
    assert!(matches!(
        outbox::retry(&t.db, &order.agent, order.po_id, message.id).await,
        Err(DomainError::Conflict(_))
    ));
    assert_eq!(order.deliver(&t).await, 1, "one more attempt");
    let again = &outbox_rows(&t).await[0];
    assert_eq!((again.status.as_str(), again.attempts), ("failed", 2));
    assert_eq!(order.bodies().len(), 2);
}

/// The requests the procurement system received, in order.
fn received_requests(bodies: &[String]) -> Vec<cxml::RequestKind> {
    bodies
        .iter()
        .map(
            |body| match cxml::parse(body.as_bytes()).expect("cXML").body {
                cxml::Body::Request(request) => request.kind,
                other => panic!("expected a request, got {other:?}"),
            },
        )
        .collect()
}

#[tokio::test]
async fn an_ordered_po_is_confirmed_in_detail_and_its_ship_notice_lists_every_sim() {
    let t = full_demo_db().await;
    let order = ordered(&t, vec![(200, "200")], "ship-1", "S-1").await;
    let (agent, po_id) = (&order.agent, order.po_id);
    order.act(&t, PoAction::Accept, "").await;
    assert_eq!(
        provisioning::provision(&t.db, agent, po_id, order.version(&t).await, Source::Stock)
            .await
            .unwrap(),
        PoStatus::Ready
    );
    let shipment = ShipmentInput {
        carrier: "DHL".into(),
        tracking_number: "JD014600006281230704".into(),
        shipped_on: chrono::Utc::now().date_naive().to_string(),
    };
    assert_eq!(
        orders::ship(&t.db, agent, po_id, order.version(&t).await, shipment)
            .await
            .unwrap(),
        PoStatus::Shipped
    );
    assert_eq!(order.deliver(&t).await, 3);
    let (part, price) = (&order.part, &order.price);
    let purchaser = actor(&t, HAFEN_PURCHASER).await;
    let [accepted, detailed, shipped] = received_requests(&order.bodies())
        .try_into()
        .expect("three documents: accept, detail, ship notice");

    let cxml::RequestKind::ConfirmationRequest(accepted) = accepted else {
        panic!("first a ConfirmationRequest")
    };
    assert_eq!(
        accepted.header.confirmation_type,
        cxml::ConfirmationType::Accept
    );

    let cxml::RequestKind::ConfirmationRequest(detailed) = detailed else {
        panic!("then a ConfirmationRequest")
    };
    assert_eq!(
        detailed.header.confirmation_type,
        cxml::ConfirmationType::Detail
    );
    let [line] = detailed.items.as_slice() else {
        panic!("one confirmed line")
    };
    assert_eq!(
        (line.line_number, line.quantity.to_string()),
        (1, "10".into())
    );
    let unit_price = line.statuses[0]
        .unit_price
        .as_ref()
        .expect("the unit price");
    assert_eq!(unit_price.to_string(), format!("{price} EUR"));

    let cxml::RequestKind::ShipNoticeRequest(shipped) = shipped else {
        panic!("last a ShipNoticeRequest")
    };
    assert_eq!(shipped.header.shipment_id, "JD014600006281230704");
    assert_eq!(
        shipped.ship_controls[0].carriers[0].value, "DHL",
        "the carrier"
    );
    let portion = &shipped.portions[0];
    assert_eq!(
        portion.order_reference.document_reference.payload_id,
        "ship-1"
    );
    assert_eq!(portion.order_reference.order_id.as_deref(), Some("S-1"));
    let [item] = portion.items.as_slice() else {
        panic!("one shipped line")
    };
    assert_eq!(
        item.item_id.as_ref().map(|id| id.supplier_part_id.as_str()),
        Some(part.as_str())
    );
    let sims = orders::detail(&t.db, &purchaser, po_id).await.unwrap().sims;
    assert_eq!(item.assets.len(), 10, "every SIM of the line");
    for sim in &sims {
        let asset = item
            .assets
            .iter()
            .find(|a| a.serial_number.as_deref() == Some(sim.iccid.as_str()))
            .unwrap_or_else(|| panic!("SIM {} is in the ship notice", sim.iccid));
        let imsi = asset.extrinsics.iter().find(|x| x.name == "IMSI");
        assert_eq!(imsi.map(|x| x.value.as_str()), Some(sim.imsi.as_str()));
    }
    assert!(
        outbox_rows(&t).await.iter().all(|row| row.status == "sent"),
        "all three delivered"
    );
}
