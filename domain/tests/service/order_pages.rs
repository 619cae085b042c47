//! Order e-mails that link to an order page, against a real web server on loopback: the page
//! of a host the tenant lists is fetched and read into the draft; internal addresses are never
//! fetched unless the operator allows it, unlisted hosts never, redirects are not followed, and
//! one tenant's list does not open links for another.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use simdesk_domain::intake::{self, Arrival};
use simdesk_domain::order_pages::PagePolicy;
use simdesk_domain::testing::{actor, TestDatabase};
use simdesk_domain::{orders, tenants, DomainError};
use simdesk_types::{FindingKind, InboundStatus};

use crate::support::{full_demo_db, lines_of};

const HAFEN_PURCHASER: &str = "purchaser@hafenlogistik.example";

/// A shop's web server: an order page, a redirect elsewhere, and how often it was asked.
struct Shop {
    port: u16,
    hits: Arc<AtomicUsize>,
}

async fn shop() -> Shop {
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = |hits: Arc<AtomicUsize>, response: fn() -> axum::response::Response| {
        move || {
            hits.fetch_add(1, Ordering::SeqCst);
            std::future::ready(response())
        }
    };
    let app = Router::new()
        .route(
            "/orders/77",
            get(counted(hits.clone(), || {
                (
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    "<html><body><h1>Your order</h1><p>Order number: WEB-77</p><table>\
                     <tr><td>30 x NORDWIND-IOT-4FF</td></tr></table></body></html>",
                )
                    .into_response()
            })),
        )
        .route(
            "/moved",
            get(counted(hits.clone(), || {
                (
                    StatusCode::FOUND,
                    [(header::LOCATION, "http://169.254.169.254/latest/meta-data/")],
                )
                    .into_response()
            })),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    Shop { port, hits }
}

fn mail_with_link(message_id: &str, link: &str) -> Vec<u8> {
    format!(
        "From: {HAFEN_PURCHASER}\r\nTo: orders@nordwind.example\r\nSubject: Order\r\n\
         Message-ID: <{message_id}>\r\n\r\nHello, our order is here: {link}\r\nThanks\r\n"
    )
    .into_bytes()
}

async fn list_hosts(t: &TestDatabase, admin_email: &str, hosts: &str) {
    let admin = actor(t, admin_email).await;
    let mut settings = tenants::settings(&t.db, &admin).await.unwrap();
    settings.order_page_hosts = hosts.into();
    tenants::update_settings(&t.db, &admin, settings)
        .await
        .unwrap();
}

fn internal_allowed() -> PagePolicy {
    PagePolicy {
        allow_internal: true,
        ..PagePolicy::default()
    }
}

async fn nordwind(t: &TestDatabase) -> i64 {
    intake::tenant_of(&t.db, "nordwind").await.unwrap()
}

#[tokio::test]
async fn the_order_page_of_a_listed_host_becomes_the_draft() {
    let t = full_demo_db().await;
    let shop = shop().await;
    list_hosts(&t, "admin@nordwind.example", "shop.example.com, 127.0.0.1").await;
    let link = format!("http://127.0.0.1:{}/orders/77", shop.port);
    let receipt = intake::receive_with(
        &t.db,
        nordwind(&t).await,
        &mail_with_link("page-1@hafen.example", &link),
        Arrival::Pipe,
        &internal_allowed(),
    )
    .await
    .unwrap();
    assert_eq!(receipt.status, InboundStatus::Draft);
    assert_eq!(shop.hits.load(Ordering::SeqCst), 1);
    let agent = actor(&t, "agent@nordwind.example").await;
    let po = orders::detail(&t.db, &agent, receipt.purchase_order_id.unwrap())
        .await
        .unwrap();
    let lines = lines_of(&po);
    assert_eq!(lines, vec![("NORDWIND-IOT-4FF".to_owned(), 30)]);
    assert_eq!(po.external_reference.as_deref(), Some("WEB-77"));
    let detail = intake::detail(&t.db, &agent, receipt.id).await.unwrap();
    assert!(detail.attachments.iter().any(|a| a.name == link));
    assert!(!detail
        .findings
        .iter()
        .any(|f| f.kind == FindingKind::LinkNotFollowed));

    // A list that is not one is refused with the field named.
    let admin = actor(&t, "admin@nordwind.example").await;
    let mut settings = tenants::settings(&t.db, &admin).await.unwrap();
    assert_eq!(settings.order_page_hosts, "shop.example.com, 127.0.0.1");
    settings.order_page_hosts = "https://shop.example.com/orders".into();
    match tenants::update_settings(&t.db, &admin, settings).await {
        Err(DomainError::Invalid(errors)) => assert_eq!(errors[0].field, "order_page_hosts"),
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[tokio::test]
async fn internal_addresses_unlisted_hosts_and_redirects_are_never_followed() {
    let t = full_demo_db().await;
    let shop = shop().await;
    let tenant = nordwind(&t).await;
    list_hosts(&t, "admin@nordwind.example", "127.0.0.1 localhost").await;
    let agent = actor(&t, "agent@nordwind.example").await;
    let not_followed = |detail: &simdesk_types::EmailOrderDetail| -> Vec<String> {
        detail
            .findings
            .iter()
            .filter(|f| f.kind == FindingKind::LinkNotFollowed)
            .map(|f| f.message.clone())
            .collect()
    };

    // Listed, but internal: refused before any request, whatever the host is called.
    for (n, link) in [
        format!("https://127.0.0.1:{}/orders/77", shop.port),
        format!("https://localhost:{}/orders/77", shop.port),
        format!("http://127.0.0.1:{}/orders/77", shop.port),
    ]
    .into_iter()
    .enumerate()
    {
        let receipt = intake::receive_with(
            &t.db,
            tenant,
            &mail_with_link(&format!("internal-{n}@hafen.example"), &link),
            Arrival::Pipe,
            &PagePolicy::default(),
        )
        .await
        .unwrap();
        let detail = intake::detail(&t.db, &agent, receipt.id).await.unwrap();
        let found = not_followed(&detail);
        assert_eq!(found.len(), 1, "{link}: {found:?}");
        assert!(
            found[0].contains("internal address") || found[0].contains("only https"),
            "{}",
            found[0]
        );
    }
    assert_eq!(shop.hits.load(Ordering::SeqCst), 0, "no request was made");

    // Not listed: left alone, without a finding (most links in e-mails are no order).
    let receipt = intake::receive_with(
        &t.db,
        tenant,
        &mail_with_link(
            "unlisted@hafen.example",
            &format!("http://127.0.0.2:{}/orders/77", shop.port),
        ),
        Arrival::Pipe,
        &internal_allowed(),
    )
    .await
    .unwrap();
    let detail = intake::detail(&t.db, &agent, receipt.id).await.unwrap();
    assert!(not_followed(&detail).is_empty());
    assert_eq!(shop.hits.load(Ordering::SeqCst), 0);

    // A redirect, here towards a cloud's metadata service, is not followed.
    let receipt = intake::receive_with(
        &t.db,
        tenant,
        &mail_with_link(
            "redirect@hafen.example",
            &format!("http://127.0.0.1:{}/moved", shop.port),
        ),
        Arrival::Pipe,
        &internal_allowed(),
    )
    .await
    .unwrap();
    let detail = intake::detail(&t.db, &agent, receipt.id).await.unwrap();
    let found = not_followed(&detail);
    assert_eq!(found.len(), 1);
    assert!(found[0].contains("redirect"), "{}", found[0]);
    assert_eq!(
        shop.hits.load(Ordering::SeqCst),
        1,
        "only the first request"
    );
}

#[tokio::test]
async fn one_tenants_list_opens_no_links_for_another() {
    let t = full_demo_db().await;
    let shop = shop().await;
    list_hosts(&t, "admin@alpina.example", "127.0.0.1").await;
    let receipt = intake::receive_with(
        &t.db,
        nordwind(&t).await,
        &mail_with_link(
            "other-tenant@hafen.example",
            &format!("http://127.0.0.1:{}/orders/77", shop.port),
        ),
        Arrival::Pipe,
        &internal_allowed(),
    )
    .await
    .unwrap();
    assert_eq!(receipt.status, InboundStatus::Draft);
    assert_eq!(shop.hits.load(Ordering::SeqCst), 0);
    // Nordwind's admin sees its own empty list, not Alpina's.
    let admin = actor(&t, "admin@nordwind.example").await;
    assert_eq!(
        tenants::settings(&t.db, &admin)
            .await
            .unwrap()
            .order_page_hosts,
        ""
    );
}
