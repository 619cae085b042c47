//! Parse throughput (bytes/s) on an OrderRequest with 50 lines built in code.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use cxml::*;
use std::hint::black_box;

fn address(name: &str) -> Address {
    Address {
        iso_country_code: Some("DE".into()),
        address_id: None,
        name: LocalizedString {
            lang: "de".into(),
            value: name.into(),
        },
        postal_address: Some(PostalAddress {
            name: None,
            deliver_to: vec!["SIM logistics".into()],
            streets: vec!["Hauptstraße 1".into()],
            city: "Berlin".into(),
            municipality: None,
            state: None,
            postal_code: Some("10115".into()),
            country_code: "DE".into(),
            country_name: "Deutschland".into(),
        }),
        email: Some("ap@example.com".into()),
        phone: None,
        url: None,
    }
}

fn order(lines: u32) -> String {
    let ts = parse_ts("2025-01-02T10:00:00+01:00");
    let items = (1..=lines)
        .map(|l| ItemOut {
            quantity: Quantity::from_integer(100),
            line_number: Some(l),
            requested_delivery_date: Some(ts),
            item_id: ItemId {
                supplier_part_id: format!("SIM-3FF-{l}"),
                supplier_part_auxiliary_id: Some(format!("cart=42;line={l}")),
                buyer_part_id: None,
            },
            item_detail: Some(ItemDetail {
                unit_price: Money::new(250, "EUR"),
                descriptions: vec![Description::new(
                    "en",
                    "Triple-cut SIM card, industrial grade",
                )],
                unit_of_measure: "EA".into(),
                classifications: vec![Classification {
                    domain: "UNSPSC".into(),
                    code: None,
                    value: "43191501".into(),
                }],
                manufacturer_part_id: Some("MPN-1".into()),
                manufacturer_name: None,
                url: None,
                lead_time: None,
                extrinsics: vec![],
            }),
            ship_to: None,
            comments: vec![],
        })
        .collect();
    let doc = Cxml::new(
        "bench@simdesk",
        ts,
        Body::Request(Request {
            header: Header {
                from: vec![Credential::new("NetworkID", "AN01")],
                to: vec![Credential::new("DUNS", "123456789")],
                sender: Sender {
                    credentials: vec![Credential::new("NetworkID", "AN01").with_secret("secret")],
                    user_agent: "bench".into(),
                },
            },
            deployment_mode: DeploymentMode::Production,
            kind: RequestKind::OrderRequest(OrderRequest {
                header: OrderRequestHeader {
                    order_id: "PO-1".into(),
                    order_date: ts,
                    order_type: OrderType::New,
                    order_version: None,
                    total: Money::new(250 * 100 * i64::from(lines), "EUR"),
                    ship_to: Some(ShipTo {
                        address: address("HQ"),
                    }),
                    bill_to: BillTo {
                        address: address("AP"),
                    },
                    shipping: None,
                    tax: None,
                    contacts: vec![],
                    comments: vec![],
                    document_reference: None,
                    extrinsics: vec![],
                },
                items,
            }),
        }),
    );
    doc.to_xml().expect("benchmark document is valid")
}

fn parse_ts(s: &str) -> chrono::DateTime<chrono::FixedOffset> {
    cxml::time::parse_timestamp(s).expect("valid timestamp")
}

fn bench_parse(c: &mut Criterion) {
    let xml = order(50);
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Bytes(xml.len() as u64));
    g.bench_function("order_request_50_lines", |b| {
        b.iter(|| parse(black_box(xml.as_bytes())).expect("parses"))
    });
    g.finish();
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
