//! Property tests: generated documents survive write → parse unchanged, and
//! (when xmllint and ../shared exist) validate against the DTD.

mod common;
use chrono::{DateTime, FixedOffset, TimeZone};
use common::*;
use cxml::*;
use proptest::option;
use proptest::prelude::*;

/// Text with markup characters, quotes, whitespace inside and non-ASCII, but
/// without surrounding whitespace (the reader trims it).
fn text() -> impl Strategy<Value = String> {
    r#"[a-zA-Z0-9 <>&"'äöüß€漢字😀/:;#=?\t\n\r-]{1,24}"#
        .prop_map(|s| s.trim().to_string())
        .prop_filter("non-empty after trim", |s| !s.is_empty())
}

fn ts() -> impl Strategy<Value = DateTime<FixedOffset>> {
    (
        0i64..4_102_444_800,
        -720i32..=840,
        prop_oneof![Just(0u32), 0u32..1000],
    )
        .prop_map(|(secs, off, ms)| {
            FixedOffset::east_opt(off * 60)
                .unwrap()
                .timestamp_opt(secs, ms * 1_000_000)
                .unwrap()
        })
}

fn quantity() -> impl Strategy<Value = Quantity> {
    (1i64..1_000_000_000, 0u32..4).prop_map(|(m, s)| Quantity::new(m, s).unwrap())
}

fn money() -> impl Strategy<Value = Money> {
    (
        -1_000_000_000_000i64..1_000_000_000_000,
        prop::sample::select(vec!["EUR", "USD", "JPY", "KWD", "BHD", "CHF", "KRW"]),
    )
        .prop_map(|(m, c)| Money::new(m, c))
}

fn credential() -> impl Strategy<Value = Credential> {
    (text(), text(), option::of(text()), any::<bool>()).prop_map(|(d, i, s, m)| Credential {
        domain: d,
        identity: i,
        shared_secret: s,
        marketplace: m,
    })
}

fn arb_header() -> impl Strategy<Value = Header> {
    (
        prop::collection::vec(credential(), 1..3),
        prop::collection::vec(credential(), 1..3),
        prop::collection::vec(credential(), 1..3),
        text(),
    )
        .prop_map(|(from, to, creds, ua)| Header {
            from,
            to,
            sender: Sender {
                credentials: creds,
                user_agent: ua,
            },
        })
}

fn item_id() -> impl Strategy<Value = ItemId> {
    (text(), option::of(text()), option::of(text())).prop_map(|(s, a, b)| ItemId {
        supplier_part_id: s,
        supplier_part_auxiliary_id: a,
        buyer_part_id: b,
    })
}

fn detail() -> impl Strategy<Value = ItemDetail> {
    (
        money(),
        text(),
        option::of(text()),
        "[A-Z]{2,3}",
        text(),
        option::of(text()),
    )
        .prop_map(|(price, d, short, uom, class, mpn)| ItemDetail {
            unit_price: price,
            descriptions: vec![Description {
                short_name: short,
                ..Description::new("en", d)
            }],
            unit_of_measure: uom,
            classifications: vec![Classification {
                domain: "UNSPSC".into(),
                code: None,
                value: class,
            }],
            manufacturer_part_id: mpn,
            manufacturer_name: None,
            url: None,
            lead_time: None,
            extrinsics: vec![],
        })
}

fn item_out_arb() -> impl Strategy<Value = ItemOut> {
    (
        quantity(),
        option::of(1u32..100_000),
        option::of(ts()),
        item_id(),
        option::of(detail()),
        option::of(text()),
    )
        .prop_map(|(q, l, d, id, det, c)| ItemOut {
            quantity: q,
            line_number: l,
            requested_delivery_date: d,
            item_id: id,
            item_detail: det,
            ship_to: None,
            comments: c.map(Comments::text).into_iter().collect(),
        })
}

fn status() -> impl Strategy<Value = Status> {
    (100u32..600, text(), option::of(text())).prop_map(|(c, t, m)| Status {
        message: m.unwrap_or_default(),
        ..Status::new(c, t)
    })
}

fn extrinsics() -> impl Strategy<Value = Vec<Extrinsic>> {
    prop::collection::vec(
        (text(), text()).prop_map(|(n, v)| Extrinsic::new(n, v)),
        0..3,
    )
}

fn req(header: Header, kind: RequestKind) -> Body {
    Body::Request(Request {
        header,
        deployment_mode: DeploymentMode::Production,
        kind,
    })
}

fn order() -> impl Strategy<Value = Body> {
    (
        arb_header(),
        text(),
        ts(),
        money(),
        prop::collection::vec(item_out_arb(), 1..4),
        extrinsics(),
        prop::sample::select(OrderType::ALL.to_vec()),
    )
        .prop_map(|(h, id, date, total, items, ex, ty)| {
            let Body::Request(Request {
                kind: RequestKind::OrderRequest(mut o),
                ..
            }) = order_request(1).body
            else {
                unreachable!()
            };
            o.header.order_id = id;
            o.header.order_date = date;
            o.header.total = total;
            o.header.extrinsics = ex;
            o.header.order_type = ty;
            o.items = items;
            req(h, RequestKind::OrderRequest(o))
        })
}

fn setup() -> impl Strategy<Value = Body> {
    (
        arb_header(),
        text(),
        option::of(text()),
        extrinsics(),
        prop::collection::vec(item_out_arb(), 0..3),
        prop::sample::select(PunchOutOperation::ALL.to_vec()),
    )
        .prop_map(|(h, cookie, url, ex, items, op)| {
            req(
                h,
                RequestKind::PunchOutSetupRequest(PunchOutSetupRequest {
                    operation: op,
                    buyer_cookie: cookie,
                    extrinsics: ex,
                    browser_form_post: url,
                    contacts: vec![],
                    supplier_setup: None,
                    ship_to: None,
                    selected_item: None,
                    items,
                }),
            )
        })
}

fn poom_arb() -> impl Strategy<Value = Body> {
    (
        arb_header(),
        text(),
        money(),
        prop::collection::vec((quantity(), item_id(), detail()), 0..4),
        prop::sample::select(OperationAllowed::ALL.to_vec()),
    )
        .prop_map(|(h, cookie, total, lines, op)| {
            Body::Message(Message {
                header: h,
                deployment_mode: DeploymentMode::Test,
                in_reply_to: None,
                status: None,
                punch_out_order_message: PunchOutOrderMessage {
                    buyer_cookie: cookie,
                    header: PunchOutOrderMessageHeader {
                        operation_allowed: op,
                        total,
                        ship_to: None,
                        shipping: None,
                        tax: None,
                    },
                    items: lines
                        .into_iter()
                        .enumerate()
                        .map(|(i, (q, id, d))| ItemIn {
                            quantity: q,
                            line_number: Some(i as u32 + 1),
                            item_id: id,
                            item_detail: d,
                        })
                        .collect(),
                },
            })
        })
}

fn confirmation_arb() -> impl Strategy<Value = Body> {
    (
        arb_header(),
        ts(),
        text(),
        quantity(),
        option::of(money()),
        prop::sample::select(ConfirmationType::ALL.to_vec()),
        prop::sample::select(ConfirmationStatusType::ALL.to_vec()),
        option::of(text()),
    )
        .prop_map(|(h, date, payload, q, price, ty, st, comment)| {
            req(
                h,
                RequestKind::ConfirmationRequest(ConfirmationRequest {
                    header: ConfirmationHeader {
                        confirmation_type: ty,
                        operation: ConfirmationOperation::New,
                        notice_date: date,
                        confirm_id: comment.clone(),
                        total: price.clone(),
                        comments: comment.map(Comments::text).into_iter().collect(),
                        extrinsics: vec![],
                    },
                    order_reference: OrderReference {
                        order_id: None,
                        order_date: None,
                        document_reference: DocumentReference::new(payload),
                    },
                    items: vec![ConfirmationItem {
                        line_number: 1,
                        quantity: q,
                        unit_of_measure: "EA".into(),
                        statuses: vec![ConfirmationStatus {
                            status_type: st,
                            quantity: q,
                            shipment_date: Some(date),
                            delivery_date: None,
                            unit_of_measure: "EA".into(),
                            unit_price: price,
                            comments: vec![],
                            extrinsics: vec![],
                        }],
                    }],
                }),
            )
        })
}

fn ship_notice_arb() -> impl Strategy<Value = Body> {
    (
        arb_header(),
        text(),
        ts(),
        text(),
        text(),
        quantity(),
        text(),
        (option::of(text()), extrinsics()),
    )
        .prop_map(|(h, id, date, carrier, tracking, q, payload, asset)| {
            req(
                h,
                RequestKind::ShipNoticeRequest(ShipNoticeRequest {
                    header: ShipNoticeHeader {
                        shipment_id: id,
                        operation: ShipNoticeOperation::New,
                        notice_date: date,
                        shipment_date: Some(date),
                        delivery_date: None,
                        comments: vec![],
                        extrinsics: vec![],
                    },
                    ship_controls: vec![ShipControl {
                        start_date: None,
                        carriers: vec![CarrierIdentifier {
                            domain: "companyName".into(),
                            value: carrier,
                        }],
                        shipment_identifiers: vec![ShipmentIdentifier {
                            domain: None,
                            tracking_url: None,
                            value: tracking,
                        }],
                    }],
                    portions: vec![ShipNoticePortion {
                        order_reference: OrderReference {
                            order_id: Some("PO".into()),
                            order_date: Some(date),
                            document_reference: DocumentReference::new(payload),
                        },
                        comments: vec![],
                        extrinsics: vec![],
                        items: vec![ShipNoticeItem {
                            line_number: 1,
                            quantity: q,
                            item_id: None,
                            unit_of_measure: "EA".into(),
                            assets: vec![AssetInfo {
                                serial_number: asset.0,
                                tag_number: None,
                                extrinsics: asset.1,
                            }],
                            comments: vec![],
                            extrinsics: vec![],
                        }],
                    }],
                }),
            )
        })
}

fn status_update_arb() -> impl Strategy<Value = Body> {
    (arb_header(), option::of(text()), status(), extrinsics()).prop_map(|(h, r, s, ex)| {
        req(
            h,
            RequestKind::StatusUpdateRequest(StatusUpdateRequest {
                document_reference: r.map(DocumentReference::new),
                status: s,
                extrinsics: ex,
            }),
        )
    })
}

fn response_arb() -> impl Strategy<Value = Body> {
    (status(), option::of(text())).prop_map(|(s, url)| {
        Body::Response(Response {
            status: s,
            kind: url.map(|u| {
                ResponseKind::PunchOutSetupResponse(PunchOutSetupResponse { start_page: u })
            }),
        })
    })
}

fn arb_doc() -> impl Strategy<Value = Cxml> {
    let body = prop_oneof![
        order(),
        setup(),
        poom_arb(),
        confirmation_arb(),
        ship_notice_arb(),
        status_update_arb(),
        response_arb(),
    ];
    (text(), ts(), option::of("[a-z]{2}(-[A-Z]{2})?"), body).prop_map(|(id, t, lang, body)| Cxml {
        lang,
        ..Cxml::new(id, t, body)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn write_then_parse_is_identity(doc in arb_doc()) {
        let xml = doc.to_xml().expect("generated documents are writable");
        let back = parse(xml.as_bytes()).map_err(|e| TestCaseError::fail(format!("{e}\n{xml}")))?;
        prop_assert_eq!(&back, &doc);
        prop_assert_eq!(back.to_xml().unwrap(), xml);
    }

    #[test]
    fn money_round_trips_through_text(m in money()) {
        prop_assert_eq!(Money::parse(&m.amount_string(), &m.currency).unwrap(), m);
    }

    #[test]
    fn quantity_round_trips_through_text(q in quantity()) {
        prop_assert_eq!(Quantity::parse(&q.to_string()).unwrap(), q);
    }

    #[test]
    fn mutated_documents_never_panic(doc in arb_doc(), cuts in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8), truncate in any::<prop::sample::Index>()) {
        let mut bytes = doc.to_xml().unwrap().into_bytes();
        for (i, b) in cuts {
            let at = i.index(bytes.len());
            bytes[at] = b;
        }
        let _ = parse(&bytes);
        let cut = truncate.index(bytes.len());
        let _ = check(&bytes[..cut]);
    }

    #[test]
    fn parser_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse(&bytes);
        let _ = check(&bytes);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn generated_documents_validate_with_xmllint(doc in arb_doc()) {
        let xml = doc.to_xml().unwrap();
        if let Err(e) = xmllint(&xml, doc.dtd()) {
            return Err(TestCaseError::fail(e));
        }
    }
}
