//! A corpus of order e-mails written for the tests (`corpus/`): plain text, HTML, CSV and PDF
//! attachments and a link to an order page, in English and German, with typos in product
//! names, unknown products, wrong prices and quantities outside the limits. Each must give
//! exactly the expected draft (lines, reference, address) and differences.

use std::collections::BTreeSet;

use axum::http::header;
use axum::routing::get;
use axum::Router;
use simdesk_domain::intake::{self, Arrival};
use simdesk_domain::order_pages::PagePolicy;
use simdesk_domain::testing::{actor, TestDatabase};
use simdesk_domain::{orders, tenants};
use simdesk_types::{FindingKind, InboundStatus};

use crate::support::{full_demo_db, lines_of};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/service/corpus");

/// What one message of the corpus must become.
struct Expected {
    file: &'static str,
    /// (part number, quantity) of the draft's lines.
    lines: &'static [(&'static str, i32)],
    reference: &'static str,
    /// The city of the draft's address (from the message, or the account's default).
    city: &'static str,
    findings: &'static [FindingKind],
}

const IOT_4FF: &str = "NORDWIND-IOT-4FF";
const IOT_MFF2: &str = "NORDWIND-IOT-MFF2";

fn corpus() -> Vec<Expected> {
    use FindingKind::*;
    vec![
        Expected {
            // "Industrail IoT SIM nano": a typo, still the nano SIM.
            file: "plain-en-typo.eml",
            lines: &[(IOT_4FF, 20), (IOT_MFF2, 30)],
            reference: "EN-1001",
            city: "Hamburg",
            findings: &[],
        },
        Expected {
            // German, a decimal comma, "Embeded IoT chp" misspelt.
            file: "plain-de-typo.eml",
            lines: &[(IOT_4FF, 40), (IOT_MFF2, 10)],
            reference: "DE-2002",
            city: "Hamburg",
            findings: &[],
        },
        Expected {
            // 4.90 EUR where the contract says 4.20; a product the account does not have.
            file: "html-en-wrong-price.eml",
            lines: &[(IOT_4FF, 50)],
            reference: "EN-3003",
            city: "Hamburg",
            findings: &[PriceDiffers, UnknownProduct],
        },
        Expected {
            // German CSV: 15 is not a multiple of the order increment (10).
            file: "csv-de-quantity.eml",
            lines: &[(IOT_4FF, 15), (IOT_MFF2, 20)],
            reference: "DE-4004",
            city: "Hamburg",
            findings: &[QuantityOutsideLimits],
        },
        Expected {
            // English CSV with a product nobody sells here, and no address.
            file: "csv-en-unknown.eml",
            lines: &[(IOT_4FF, 100)],
            reference: "EN-5005",
            city: "Hamburg",
            findings: &[UnknownProduct, AddressFromAccount],
        },
        Expected {
            file: "pdf-de.eml",
            lines: &[(IOT_MFF2, 25), (IOT_4FF, 30)],
            reference: "DE-6006",
            city: "Hamburg",
            // 25 chips: not a multiple of the order increment (10).
            findings: &[QuantityOutsideLimits],
        },
        Expected {
            // Only a link; the page holds the order.
            file: "link-en.eml",
            lines: &[(IOT_MFF2, 60)],
            reference: "EN-7007",
            city: "Hamburg",
            findings: &[],
        },
    ]
}

/// The order page of `link-en.eml`, served on loopback; returns its address.
async fn order_page() -> String {
    let page = std::fs::read_to_string(format!("{CORPUS}/link-page.html")).unwrap();
    let app = Router::new().route(
        "/orders/EN-7007",
        get(move || {
            let page = page.clone();
            async move { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://127.0.0.1:{port}/orders/EN-7007")
}

async fn list_loopback(t: &TestDatabase) {
    let admin = actor(t, "admin@nordwind.example").await;
    let mut settings = tenants::settings(&t.db, &admin).await.unwrap();
    settings.order_page_hosts = "127.0.0.1".into();
    tenants::update_settings(&t.db, &admin, settings)
        .await
        .unwrap();
}

#[tokio::test]
async fn every_message_of_the_corpus_gives_exactly_its_draft_and_differences() {
    let t = full_demo_db().await;
    list_loopback(&t).await;
    let link = order_page().await;
    let tenant = intake::tenant_of(&t.db, "nordwind").await.unwrap();
    let agent = actor(&t, "agent@nordwind.example").await;
    let pages = PagePolicy {
        allow_internal: true,
        ..PagePolicy::default()
    };
    let mut wrong = Vec::new();
    for expected in corpus() {
        let raw = std::fs::read_to_string(format!("{CORPUS}/{}", expected.file))
            .unwrap()
            .replace("{page}", &link);
        let receipt = intake::receive_with(&t.db, tenant, raw.as_bytes(), Arrival::Pipe, &pages)
            .await
            .unwrap();
        assert_eq!(receipt.status, InboundStatus::Draft, "{}", expected.file);
        let po = orders::detail(&t.db, &agent, receipt.purchase_order_id.unwrap())
            .await
            .unwrap();
        let lines = lines_of(&po);
        let want: Vec<(String, i32)> = expected
            .lines
            .iter()
            .map(|(p, q)| ((*p).to_owned(), *q))
            .collect();
        let detail = intake::detail(&t.db, &agent, receipt.id).await.unwrap();
        let kinds: BTreeSet<FindingKind> = detail.findings.iter().map(|f| f.kind).collect();
        let want_kinds: BTreeSet<FindingKind> = expected.findings.iter().copied().collect();
        let got = (
            lines,
            po.external_reference.clone().unwrap_or_default(),
            po.address.city.clone(),
            kinds,
        );
        let expect = (
            want,
            expected.reference.to_owned(),
            expected.city.to_owned(),
            want_kinds,
        );
        if got != expect {
            wrong.push(format!(
                "{}:\n  got      {got:?}\n  expected {expect:?}\n  findings {:?}",
                expected.file,
                detail
                    .findings
                    .iter()
                    .map(|f| f.message.as_str())
                    .collect::<Vec<_>>()
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
