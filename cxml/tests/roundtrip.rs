//! Build → write → xmllint-valid → parse → equal, for every message type.

mod common;
use common::*;
use cxml::*;

#[test]
fn profile_request_round_trips() {
    let back = round_trip(&profile_request());
    assert!(matches!(
        back.body,
        Body::Request(Request {
            kind: RequestKind::ProfileRequest(_),
            ..
        })
    ));
}

#[test]
fn profile_response_round_trips() {
    round_trip(&profile_response());
}

#[test]
fn punchout_setup_request_round_trips() {
    let back = round_trip(&setup_request());
    assert_eq!(
        back.header().unwrap().shared_secret(),
        Some("s3cr3t & <more>")
    );
}

#[test]
fn punchout_setup_response_round_trips() {
    round_trip(&setup_response());
}

#[test]
fn punchout_order_message_round_trips() {
    round_trip(&poom());
}

#[test]
fn order_request_round_trips() {
    let doc = order_request(3);
    round_trip(&doc);
    let mut update = doc.clone();
    if let Body::Request(Request {
        kind: RequestKind::OrderRequest(o),
        ..
    }) = &mut update.body
    {
        o.header.order_type = OrderType::Update;
        o.header.document_reference = Some(DocumentReference::new("earlier@buyer"));
    }
    round_trip(&update);
}

#[test]
fn response_status_round_trips() {
    round_trip(&order_response());
    let mut err = order_response();
    if let Body::Response(r) = &mut err.body {
        r.status = Status {
            message: "Price of line 2 differs from contract".into(),
            ..Status::new(400, "Bad Request")
        };
    }
    round_trip(&err);
}

#[test]
fn confirmation_request_round_trips() {
    let doc = confirmation();
    assert_eq!(doc.dtd(), Dtd::Fulfill);
    let xml = doc.to_xml().unwrap();
    assert!(xml.contains("cXML/1.2.063/Fulfill.dtd"));
    round_trip(&doc);
}

#[test]
fn ship_notice_request_round_trips() {
    let back = round_trip(&ship_notice());
    let Body::Request(Request {
        kind: RequestKind::ShipNoticeRequest(s),
        ..
    }) = back.body
    else {
        panic!("not a ship notice")
    };
    assert_eq!(s.ship_controls[0].tracking_number(), Some("1234567890"));
}

#[test]
fn status_update_request_round_trips() {
    let doc = status_update();
    assert_eq!(doc.dtd(), Dtd::Cxml);
    round_trip(&doc);
}

#[test]
fn output_shape() {
    let xml = order_request(1).to_xml().unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE cXML SYSTEM \"http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd\">"));
    assert!(xml.contains("version=\"1.2.063\""));
    assert!(xml.contains("timestamp=\"2025-01-02T03:04:05-05:00\""));
    assert!(xml.contains("<Money currency=\"EUR\">2.50</Money>"));
    assert!(xml.contains("s3cr3t &amp; &lt;more&gt;"));
    let jpy = Money::new(1500, "JPY");
    let kwd = Money::new(1500, "KWD");
    assert_eq!(jpy.amount_string(), "1500");
    assert_eq!(kwd.amount_string(), "1.500");
}

#[test]
fn strict_writer_refuses_invalid_documents() {
    let mut doc = order_request(1);
    if let Body::Request(Request {
        kind: RequestKind::OrderRequest(o),
        ..
    }) = &mut doc.body
    {
        o.items.clear();
    }
    let err = doc.to_xml().unwrap_err();
    assert!(matches!(err, CxmlError::Write { .. }));
    assert!(err.to_string().contains("OrderRequest items"), "{err}");

    let mut doc = poom();
    if let Body::Message(m) = &mut doc.body {
        m.punch_out_order_message.items[0]
            .item_detail
            .classifications
            .clear();
    }
    assert!(doc.to_xml().is_err());

    let mut doc = status_update();
    if let Body::Request(r) = &mut doc.body {
        r.header.sender.user_agent = "bell\u{7}".into();
    }
    assert!(doc.to_xml().unwrap_err().to_string().contains("U+0007"));

    let mut doc = setup_request();
    if let Body::Request(Request {
        kind: RequestKind::PunchOutSetupRequest(p),
        ..
    }) = &mut doc.body
    {
        p.contacts[0].role = Some("two words".into());
    }
    assert!(doc.to_xml().is_err());
}

#[test]
fn json_is_friendly_and_redacts_secrets() {
    let json = setup_request().to_json().unwrap();
    assert!(json.contains("\"buyer_cookie\""));
    assert!(json.contains("\"operation\": \"edit\""));
    assert!(json.contains("\"amount\": \"2.50\""));
    assert!(json.contains("2025-01-02T03:04:05-05:00"));
    assert!(json.contains("<redacted>"));
    assert!(!json.contains("s3cr3t"));
}

#[test]
fn xmllint_harness_detects_invalid_documents() {
    let doc = status_update();
    let xml = doc
        .to_xml()
        .unwrap()
        .replace("<UserAgent>", "<Agent>")
        .replace("</UserAgent>", "</Agent>");
    match xmllint(&xml, doc.dtd()) {
        Ok(false) => println!("note: skipped, xmllint or ../shared unavailable"),
        Ok(true) => panic!("xmllint accepted an invalid document"),
        Err(e) => assert!(e.contains("Agent"), "{e}"),
    }
}
