#![allow(dead_code)]
//! Shared test helpers: locating ../shared/cxml, xmllint validation, builders.

use chrono::{DateTime, FixedOffset, TimeZone};
use cxml::*;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `<shared>/cxml`, from `SIMDESK_SHARED_DIR` or by walking up from the crate.
pub fn cxml_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("SIMDESK_SHARED_DIR") {
        let d = PathBuf::from(d);
        for c in [d.join("cxml"), d.clone()] {
            if c.join("samples").is_dir() && c.join("dtd").is_dir() {
                return Some(c);
            }
        }
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for a in manifest.ancestors() {
        let mut candidates = vec![a.join("shared").join("cxml")];
        if let Some(p) = a.parent() {
            candidates.push(p.join("shared").join("cxml"));
        }
        for c in candidates {
            if c.join("samples").is_dir() {
                return Some(c);
            }
        }
    }
    None
}

/// Like [`cxml_dir`] but prints the skip line when absent.
pub fn cxml_dir_or_skip(test: &str) -> Option<PathBuf> {
    let d = cxml_dir();
    if d.is_none() {
        println!("skipped: ../shared not found ({test}; set SIMDESK_SHARED_DIR)");
    }
    d
}

fn xmllint_available() -> bool {
    Command::new("xmllint")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Validates `xml` against the right DTD with xmllint. `Ok(false)` means
/// the check was skipped (no xmllint or no shared dir); `Err` has xmllint's report.
pub fn xmllint(xml: &str, dtd: Dtd) -> Result<bool, String> {
    let Some(dir) = cxml_dir() else {
        println!("note: xmllint validation skipped: ../shared not found");
        return Ok(false);
    };
    if !xmllint_available() {
        println!("note: xmllint validation skipped: xmllint not installed");
        return Ok(false);
    }
    let dtd_path = dir.join("dtd").join("1.2.063").join(dtd.file_name());
    let file = std::env::temp_dir().join(format!(
        "cxml-test-{}-{}.xml",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::write(&file, xml).map_err(|e| e.to_string())?;
    let out = Command::new("xmllint")
        .args(["--noout", "--nonet", "--dtdvalid"])
        .arg(&dtd_path)
        .arg(&file)
        .output()
        .map_err(|e| e.to_string());
    let _ = std::fs::remove_file(&file);
    let out = out?;
    if out.status.success() {
        Ok(true)
    } else {
        Err(format!(
            "xmllint rejected the document:\n{}\n---\n{}",
            String::from_utf8_lossy(&out.stderr),
            xml
        ))
    }
}

/// Panics when xmllint rejects the document; prints a note when skipped.
pub fn assert_valid(doc: &Cxml, xml: &str) {
    if let Err(e) = xmllint(xml, doc.dtd()) {
        panic!("{e}");
    }
}

/// Write → validate → parse → compare, and the re-written text is identical.
pub fn round_trip(doc: &Cxml) -> Cxml {
    let xml = doc.to_xml().expect("write");
    assert_valid(doc, &xml);
    let back = parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    assert_eq!(&back, doc, "parsed document differs\n{xml}");
    assert_eq!(
        back.to_xml().expect("rewrite"),
        xml,
        "re-written XML differs"
    );
    back
}

pub fn t(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, off_min: i32) -> DateTime<FixedOffset> {
    FixedOffset::east_opt(off_min * 60)
        .unwrap()
        .with_ymd_and_hms(y, mo, d, h, mi, s)
        .unwrap()
}

pub fn header() -> Header {
    Header {
        from: vec![Credential::new("NetworkID", "AN01000000001")],
        to: vec![
            Credential::new("DUNS", "123456789"),
            Credential::new("NetworkID", "simdesk-tenant-1"),
        ],
        sender: Sender {
            credentials: vec![Credential {
                marketplace: true,
                ..Credential::new("NetworkID", "AN01000000001").with_secret("s3cr3t & <more>")
            }],
            user_agent: "Buyer Procurement 1.0".into(),
        },
    }
}

pub fn phone() -> Phone {
    Phone {
        name: Some("work".into()),
        iso_country_code: "DE".into(),
        country_code: "49".into(),
        area_or_city_code: "30".into(),
        number: "1234567".into(),
        extension: Some("12".into()),
    }
}

pub fn postal() -> PostalAddress {
    PostalAddress {
        name: Some("default".into()),
        deliver_to: vec!["Erika Mustermann".into(), "IT / SIM logistics".into()],
        streets: vec!["Hauptstraße 1".into(), "Gebäude B".into()],
        city: "Berlin".into(),
        municipality: None,
        state: Some("BE".into()),
        postal_code: Some("10115".into()),
        country_code: "DE".into(),
        country_name: "Deutschland".into(),
    }
}

pub fn address(name: &str) -> Address {
    Address {
        iso_country_code: Some("DE".into()),
        address_id: Some("ADDR-1".into()),
        name: LocalizedString {
            lang: "de".into(),
            value: name.into(),
        },
        postal_address: Some(postal()),
        email: Some("logistics@example.com".into()),
        phone: Some(phone()),
        url: Some("https://example.com/".into()),
    }
}

pub fn item_detail(minor: i64, currency: &str) -> ItemDetail {
    ItemDetail {
        unit_price: Money::new(minor, currency),
        descriptions: vec![
            Description {
                short_name: Some("Plastic SIM 3FF".into()),
                ..Description::new("en", "Triple-cut SIM card, industrial grade")
            },
            Description::new("de", "Triple-Cut-SIM-Karte"),
        ],
        unit_of_measure: "EA".into(),
        classifications: vec![Classification {
            domain: "UNSPSC".into(),
            code: None,
            value: "43191501".into(),
        }],
        manufacturer_part_id: Some("MPN-3FF-IND".into()),
        manufacturer_name: Some("SIM Maker".into()),
        url: Some("https://simdesk.example/p/3ff".into()),
        lead_time: Some(5),
        extrinsics: vec![Extrinsic::new("formFactor", "3FF")],
    }
}

pub fn item_out(line: u32, qty: i64) -> ItemOut {
    ItemOut {
        quantity: Quantity::from_integer(qty),
        line_number: Some(line),
        requested_delivery_date: Some(t(2025, 3, 1, 0, 0, 0, 60)),
        item_id: ItemId {
            supplier_part_id: format!("SIM-3FF-{line}"),
            supplier_part_auxiliary_id: Some(format!("cart=42;line={line}")),
            buyer_part_id: Some("BP-1".into()),
        },
        item_detail: Some(item_detail(250, "EUR")),
        ship_to: Some(ShipTo {
            address: address("Line site"),
        }),
        comments: vec![Comments::text("deliver to gate 3")],
    }
}

pub fn contact() -> Contact {
    Contact {
        role: Some("buyer".into()),
        name: LocalizedString {
            lang: "en".into(),
            value: "Jane Buyer".into(),
        },
        postal_addresses: vec![postal()],
        emails: vec!["jane@example.com".into()],
        phones: vec![phone()],
    }
}

pub fn envelope(body: Body) -> Cxml {
    Cxml {
        lang: Some("en-US".into()),
        ..Cxml::new(
            "1700000000.123@buyer.example",
            t(2025, 1, 2, 3, 4, 5, -300),
            body,
        )
    }
}

pub fn request(kind: RequestKind) -> Cxml {
    envelope(Body::Request(Request {
        header: header(),
        deployment_mode: DeploymentMode::Test,
        kind,
    }))
}

pub fn profile_request() -> Cxml {
    request(RequestKind::ProfileRequest(ProfileRequest {}))
}

pub fn profile_response() -> Cxml {
    envelope(Body::Response(Response {
        status: Status::new(200, "OK"),
        kind: Some(ResponseKind::ProfileResponse(ProfileResponse {
            effective_date: t(2025, 1, 1, 0, 0, 0, 0),
            last_refresh: Some(t(2025, 1, 2, 0, 0, 0, 0)),
            options: vec![ProfileOption {
                name: "Service".into(),
                value: "simdesk".into(),
            }],
            transactions: vec![
                Transaction {
                    request_name: "PunchOutSetupRequest".into(),
                    url: "https://simdesk.example/cxml/punchout".into(),
                    options: vec![],
                },
                Transaction {
                    request_name: "OrderRequest".into(),
                    url: "https://simdesk.example/cxml/order".into(),
                    options: vec![ProfileOption {
                        name: "attachments".into(),
                        value: "no".into(),
                    }],
                },
            ],
        })),
    }))
}

pub fn setup_request() -> Cxml {
    request(RequestKind::PunchOutSetupRequest(PunchOutSetupRequest {
        operation: PunchOutOperation::Edit,
        buyer_cookie: "c00kie-<1>&'2'".into(),
        extrinsics: vec![
            Extrinsic::new("UserEmail", "jane@example.com"),
            Extrinsic::new("CostCenter", "4711"),
        ],
        browser_form_post: Some("https://buyer.example/return?a=1&b=2".into()),
        contacts: vec![contact()],
        supplier_setup: Some("https://simdesk.example/cxml/punchout".into()),
        ship_to: Some(ShipTo {
            address: address("HQ"),
        }),
        selected_item: Some(ItemId::new("SIM-3FF-1")),
        items: vec![item_out(1, 10), item_out(2, 5)],
    }))
}

pub fn setup_response() -> Cxml {
    envelope(Body::Response(Response {
        status: Status::new(200, "success"),
        kind: Some(ResponseKind::PunchOutSetupResponse(PunchOutSetupResponse {
            start_page: "https://simdesk.example/punchout/start?token=abc&x=1".into(),
        })),
    }))
}

pub fn poom() -> Cxml {
    let charge = |m: i64, d: &str| Charge {
        money: Money::new(m, "EUR"),
        description: Description::new("en", d),
    };
    envelope(Body::Message(Message {
        header: header(),
        deployment_mode: DeploymentMode::Production,
        in_reply_to: Some("setup-1@buyer".into()),
        status: Some(Status::new(200, "OK")),
        punch_out_order_message: PunchOutOrderMessage {
            buyer_cookie: "c00kie".into(),
            header: PunchOutOrderMessageHeader {
                operation_allowed: OperationAllowed::Edit,
                total: Money::new(3750, "EUR"),
                ship_to: Some(ShipTo {
                    address: address("HQ"),
                }),
                shipping: Some(charge(500, "Standard shipping")),
                tax: Some(charge(713, "VAT 19%")),
            },
            items: vec![
                ItemIn {
                    quantity: Quantity::from_integer(10),
                    line_number: Some(1),
                    item_id: ItemId {
                        supplier_part_auxiliary_id: Some("cart=42;line=1".into()),
                        ..ItemId::new("SIM-3FF")
                    },
                    item_detail: item_detail(250, "EUR"),
                },
                ItemIn {
                    quantity: Quantity::from_integer(5),
                    line_number: None,
                    item_id: ItemId::new("ESIM-PROFILE"),
                    item_detail: ItemDetail {
                        manufacturer_part_id: None,
                        manufacturer_name: None,
                        url: None,
                        lead_time: None,
                        extrinsics: vec![],
                        ..item_detail(250, "EUR")
                    },
                },
            ],
        },
    }))
}

pub fn order_request(lines: u32) -> Cxml {
    request(RequestKind::OrderRequest(OrderRequest {
        header: OrderRequestHeader {
            order_id: "PO-2025-0001".into(),
            order_date: t(2025, 1, 2, 10, 0, 0, 60),
            order_type: OrderType::New,
            order_version: Some("1".into()),
            total: Money::new(250 * 10 * i64::from(lines), "EUR"),
            ship_to: Some(ShipTo {
                address: address("HQ"),
            }),
            bill_to: BillTo {
                address: address("Accounts payable"),
            },
            shipping: Some(Charge {
                money: Money::new(0, "EUR"),
                description: Description::new("en", "free"),
            }),
            tax: None,
            contacts: vec![contact()],
            comments: vec![Comments {
                comment_type: Some("note".into()),
                lang: Some("en".into()),
                text: "Please ship ASAP".into(),
                attachments: vec!["cid:po.pdf".into()],
            }],
            document_reference: None,
            extrinsics: vec![Extrinsic::new("Requester", "Jane")],
        },
        items: (1..=lines).map(|l| item_out(l, 10)).collect(),
    }))
}

pub fn order_response() -> Cxml {
    envelope(Body::Response(Response {
        status: Status {
            lang: Some("en".into()),
            message: "Order received".into(),
            ..Status::new(200, "OK")
        },
        kind: None,
    }))
}

pub fn order_ref() -> OrderReference {
    OrderReference {
        order_id: Some("PO-2025-0001".into()),
        order_date: Some(t(2025, 1, 2, 10, 0, 0, 60)),
        document_reference: DocumentReference::new("1700000000.123@buyer.example"),
    }
}

pub fn confirmation() -> Cxml {
    request(RequestKind::ConfirmationRequest(ConfirmationRequest {
        header: ConfirmationHeader {
            confirmation_type: ConfirmationType::Detail,
            operation: ConfirmationOperation::New,
            notice_date: t(2025, 1, 3, 8, 0, 0, 60),
            confirm_id: Some("SO-77".into()),
            total: Some(Money::new(5000, "EUR")),
            comments: vec![Comments::text("accepted after plausibility checks")],
            extrinsics: vec![Extrinsic::new("simdeskPo", "100042")],
        },
        order_reference: order_ref(),
        items: vec![ConfirmationItem {
            line_number: 1,
            quantity: Quantity::from_integer(10),
            unit_of_measure: "EA".into(),
            statuses: vec![
                ConfirmationStatus {
                    status_type: ConfirmationStatusType::Accept,
                    quantity: Quantity::from_integer(8),
                    shipment_date: Some(t(2025, 1, 5, 0, 0, 0, 60)),
                    delivery_date: Some(t(2025, 1, 7, 0, 0, 0, 60)),
                    unit_of_measure: "EA".into(),
                    unit_price: Some(Money::new(250, "EUR")),
                    comments: vec![],
                    extrinsics: vec![],
                },
                ConfirmationStatus {
                    status_type: ConfirmationStatusType::Reject,
                    quantity: Quantity::from_integer(2),
                    shipment_date: None,
                    delivery_date: None,
                    unit_of_measure: "EA".into(),
                    unit_price: None,
                    comments: vec![Comments::text("not enough SIM stock")],
                    extrinsics: vec![Extrinsic::new("reason", "stock")],
                },
            ],
        }],
    }))
}

pub fn ship_notice() -> Cxml {
    request(RequestKind::ShipNoticeRequest(ShipNoticeRequest {
        header: ShipNoticeHeader {
            shipment_id: "SHP-1".into(),
            operation: ShipNoticeOperation::New,
            notice_date: t(2025, 1, 5, 9, 0, 0, 60),
            shipment_date: Some(t(2025, 1, 5, 8, 0, 0, 60)),
            delivery_date: Some(t(2025, 1, 7, 12, 0, 0, 60)),
            comments: vec![Comments::text("one parcel")],
            extrinsics: vec![Extrinsic::new("parcels", "1")],
        },
        ship_controls: vec![ShipControl {
            start_date: Some(t(2025, 1, 5, 8, 0, 0, 60)),
            carriers: vec![
                CarrierIdentifier {
                    domain: "SCAC".into(),
                    value: "DHLX".into(),
                },
                CarrierIdentifier {
                    domain: "companyName".into(),
                    value: "DHL Express".into(),
                },
            ],
            shipment_identifiers: vec![ShipmentIdentifier {
                domain: Some("trackingNumber".into()),
                tracking_url: Some("https://track.example/?n=1234567890&l=en".into()),
                value: "1234567890".into(),
            }],
        }],
        portions: vec![ShipNoticePortion {
            order_reference: order_ref(),
            comments: vec![],
            extrinsics: vec![],
            items: vec![ShipNoticeItem {
                line_number: 1,
                quantity: Quantity::from_integer(8),
                item_id: Some(ItemId::new("SIM-3FF-1")),
                unit_of_measure: "EA".into(),
                assets: vec![AssetInfo {
                    serial_number: Some("89490200001234567890".into()),
                    tag_number: None,
                    extrinsics: vec![
                        Extrinsic::new("IMSI", "262011234567890"),
                        Extrinsic::new("MSISDN", "491701234567"),
                    ],
                }],
                comments: vec![Comments::text("ICCIDs 8949...0001-0008")],
                extrinsics: vec![Extrinsic::new("iccidFrom", "89490200001234567890")],
            }],
        }],
    }))
}

pub fn status_update() -> Cxml {
    request(RequestKind::StatusUpdateRequest(StatusUpdateRequest {
        document_reference: Some(DocumentReference::new("1700000000.123@buyer.example")),
        status: Status {
            lang: Some("en-US".into()),
            message: "SIMs provisioned".into(),
            ..Status::new(200, "OK")
        },
        extrinsics: vec![Extrinsic::new("state", "READY")],
    }))
}
