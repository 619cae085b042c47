//! Each request's id: kept from the load balancer's `X-Request-Id` when fit, made otherwise,
//! sent back, and written into the audit and trace rows the request causes. And an
//! unreachable database answered with 503 and a clear message, not a 500 or a sign-out.

use crate::support::*;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use simdesk_domain::db::{begin, DataScope};
use simdesk_domain::entity::{audit_log, cxml_document};

const REQUEST_ID: &str = "x-request-id";

fn answered_id(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn the_request_id_is_answered_and_kept_in_audit_and_trace_rows() {
    let server = start().await;
    let response = server
        .client
        .post(server.url("/auth/sign-in"))
        .header(REQUEST_ID, "lb-0001")
        .form(&[
            ("email", "admin@nordwind.example"),
            ("password", simdesk_domain::demo::DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(answered_id(&response), "lb-0001");

    let txn = begin(&server.database.db, DataScope::System).await.unwrap();
    let signed_in = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("user.signed_in"))
        .order_by_desc(audit_log::Column::Id)
        .one(&txn)
        .await
        .unwrap()
        .expect("the sign-in is audited");
    assert_eq!(signed_in.request_id, "lb-0001");
    drop(txn);

    // A cXML document received is traced with the request that brought it.
    let response = server
        .client
        .post(server.url("/cxml/nordwind"))
        .header(REQUEST_ID, "lb-cxml-7")
        .header("content-type", "text/xml")
        .body("not a cXML document")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(answered_id(&response), "lb-cxml-7");
    let txn = begin(&server.database.db, DataScope::System).await.unwrap();
    let traced = cxml_document::Entity::find()
        .order_by_desc(cxml_document::Column::Id)
        .one(&txn)
        .await
        .unwrap()
        .expect("the document is traced");
    assert_eq!(traced.request_id, "lb-cxml-7");
}

#[tokio::test]
async fn an_unfit_or_missing_request_id_is_replaced_by_a_new_one() {
    let server = start().await;
    let mut seen = Vec::new();
    for sent in [None, Some("<script>"), Some(&*"x".repeat(65))] {
        let mut request = server.client.get(server.url("/healthz"));
        if let Some(id) = sent {
            request = request.header(REQUEST_ID, id);
        }
        let id = answered_id(&request.send().await.unwrap());
        assert_eq!(id.len(), 32, "{id}");
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
        seen.push(id);
    }
    seen.dedup();
    assert_eq!(seen.len(), 3, "a new id per request");
}

#[tokio::test]
async fn an_unreachable_database_is_answered_with_503_not_a_sign_out() {
    let server = start().await;
    let agent = server.sign_in("agent@nordwind.example").await;
    server.database.db.clone().close().await.unwrap();

    let ready = server.get("/readyz", None).await;
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let (status, body) = server.call("orders_page", "", Some(&agent)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(body.contains("unavailable for a moment"), "{body}");
    let page = server.get("/orders", Some(&agent)).await;
    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
}
