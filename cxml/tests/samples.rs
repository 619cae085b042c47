//! Every sample in ../shared/cxml/samples parses; a few fields per sample are checked.

mod common;
use common::*;
use cxml::*;
use std::path::Path;

fn load(dir: &Path, name: &str) -> (Cxml, CheckReport) {
    let bytes = std::fs::read(dir.join("samples").join(name)).unwrap();
    let doc = parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    (doc, check(&bytes))
}

fn request_kind(doc: &Cxml) -> &RequestKind {
    match &doc.body {
        Body::Request(r) => &r.kind,
        other => panic!("not a request: {other:?}"),
    }
}

#[test]
fn every_sample_parses_and_writes_valid_cxml() {
    let Some(dir) = cxml_dir_or_skip("every_sample_parses") else {
        return;
    };
    let mut n = 0;
    for entry in std::fs::read_dir(dir.join("samples")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("xml") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let doc = parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let report = check(&bytes);
        assert!(report.is_ok(), "{}: {:?}", path.display(), report.problems);
        // Written back strictly, every sample validates against the 1.2.063 DTD.
        let xml = doc
            .to_xml()
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_valid(&doc, &xml);
        let expected = Cxml {
            version: Some(CXML_VERSION.to_string()),
            ..doc
        };
        assert_eq!(
            parse(xml.as_bytes()).unwrap(),
            expected,
            "{}",
            path.display()
        );
        n += 1;
    }
    assert!(n >= 11, "expected the 11 samples, found {n}");
}

#[test]
fn order_request_sample() {
    let Some(dir) = cxml_dir_or_skip("order_request_sample") else {
        return;
    };
    let (doc, _) = load(&dir, "OrderRequest.xml");
    assert_eq!(doc.payload_id, "1625586002.193314.7293@dev");
    assert_eq!(doc.timestamp.to_rfc3339(), "2000-10-12T18:39:09-08:00");
    let h = doc.header().unwrap();
    assert_eq!(h.shared_secret(), Some("coyote"));
    assert!(h.from_credential("networkid").is_some());
    assert_eq!(h.from[0].domain, "NetworkId");
    let Body::Request(r) = &doc.body else {
        panic!()
    };
    assert_eq!(r.deployment_mode, DeploymentMode::Test);
    let RequestKind::OrderRequest(o) = request_kind(&doc) else {
        panic!()
    };
    assert_eq!(o.header.order_id, "DO1234");
    assert_eq!(o.header.order_type, OrderType::New);
    assert_eq!(o.header.total, Money::new(8500, "EUR"));
    let ship = o
        .header
        .ship_to
        .as_ref()
        .unwrap()
        .address
        .postal_address
        .as_ref()
        .unwrap();
    assert_eq!(ship.deliver_to, vec!["Joe Smith", "Mailstop M-543"]);
    assert_eq!(ship.country_code, "US");
    assert_eq!(o.header.bill_to.address.name.value, "Zinc GmbH");
    assert_eq!(o.header.comments[0].attachments, vec!["delivery-note.pdf"]);
    assert_eq!(o.items.len(), 2);
    assert_eq!(o.items[1].quantity, Quantity::from_integer(20));
    assert_eq!(o.items[1].line_number, Some(2));
    assert_eq!(o.items[1].item_id.supplier_part_id, "1233245");
    assert_eq!(
        o.items[1]
            .item_detail
            .as_ref()
            .unwrap()
            .unit_price
            .minor_units,
        320
    );
    assert_eq!(o.items[1].comments[0].text, "Test comment");
    assert_eq!(
        o.items[0].requested_delivery_date.unwrap().to_rfc3339(),
        "2020-02-28T00:00:00+00:00"
    );
}

#[test]
fn punchout_setup_request_sample() {
    let Some(dir) = cxml_dir_or_skip("punchout_setup_request_sample") else {
        return;
    };
    let (doc, report) = load(&dir, "PunchOutSetupRequest.xml");
    assert_eq!(doc.lang.as_deref(), Some("en-US"));
    let RequestKind::PunchOutSetupRequest(p) = request_kind(&doc) else {
        panic!()
    };
    assert_eq!(p.operation, PunchOutOperation::Create);
    assert_eq!(p.buyer_cookie, "550bce3e592023b2e7b015307f965133");
    assert_eq!(
        p.extrinsics[0],
        Extrinsic::new("UserEmail", "john-doe@domain.com")
    );
    assert_eq!(
        p.browser_form_post.as_deref(),
        Some("https://prominate-platform.com/hook-url")
    );
    assert_eq!(
        p.supplier_setup.as_deref(),
        Some("http://workchairs.com/cxml")
    );
    assert_eq!(
        p.selected_item.as_ref().unwrap().buyer_part_id.as_deref(),
        Some("II99825")
    );
    assert_eq!(p.items.len(), 2);
    let d = p.items[0].item_detail.as_ref().unwrap();
    assert_eq!(
        d.descriptions[0].short_name.as_deref(),
        Some("Excelsior Desk Chair")
    );
    assert_eq!(d.unspsc(), Some("ean1234"));
    assert_eq!(d.unit_price, Money::new(76320, "EUR"));
    assert!(report
        .problems
        .iter()
        .any(|p| p.message.contains("1.2.050")));
}

#[test]
fn punchout_order_message_samples() {
    let Some(dir) = cxml_dir_or_skip("punchout_order_message_samples") else {
        return;
    };
    let (doc, report) = load(&dir, "PunchoutOrderMessage.xml");
    let Body::Message(m) = &doc.body else {
        panic!()
    };
    let p = &m.punch_out_order_message;
    assert_eq!(p.buyer_cookie, "1CX3L4843PPZO");
    assert_eq!(p.header.operation_allowed, OperationAllowed::Create);
    assert_eq!(p.header.total, Money::new(76320, "USD"));
    assert_eq!(p.items[1].item_id.buyer_part_id.as_deref(), Some("KD666"));
    assert_eq!(
        p.items[1].item_detail.descriptions[0].short_name.as_deref(),
        Some("22Excelsior Desk Chair")
    );
    assert!(m.header.from_credential("duns").is_some());
    // The sample's Total does not match its lines: reported, not fatal.
    assert!(report
        .problems
        .iter()
        .any(|p| p.message.contains("differs from the sum")));

    let (doc, _) = load(&dir, "guide-PunchOutOrderMessage.xml");
    let Body::Message(m) = &doc.body else {
        panic!()
    };
    let p = &m.punch_out_order_message;
    assert_eq!(p.header.operation_allowed, OperationAllowed::Edit);
    let i = &p.items[0];
    assert_eq!(
        i.item_id.supplier_part_auxiliary_id.as_deref(),
        Some("E000028901")
    );
    assert_eq!(
        i.item_detail.descriptions[0].text,
        "Leather Reclining Desk Chair with Padded Arms"
    );
    assert_eq!(i.item_detail.unspsc(), Some("5136030000"));
    assert_eq!(i.item_detail.lead_time, Some(12));
    assert_eq!(i.item_detail.manufacturer_part_id, None);
    assert_eq!(doc.timestamp.to_rfc3339(), "2002-08-15T08:47:00-07:00");
}

#[test]
fn ship_notice_sample() {
    let Some(dir) = cxml_dir_or_skip("ship_notice_sample") else {
        return;
    };
    let (doc, _) = load(&dir, "ShipNoticeRequest.xml");
    assert_eq!(doc.dtd(), Dtd::Fulfill);
    let RequestKind::ShipNoticeRequest(s) = request_kind(&doc) else {
        panic!()
    };
    assert_eq!(s.header.shipment_id, "S2-123");
    assert_eq!(
        s.header.shipment_date.unwrap().to_rfc3339(),
        "2000-10-14T08:30:19-08:00"
    );
    assert_eq!(s.header.comments[0].lang.as_deref(), Some("en-CA"));
    assert_eq!(s.ship_controls[0].carriers[0].domain, "SCAC");
    assert_eq!(s.ship_controls[0].carriers[1].value, "Federal Express");
    assert_eq!(s.ship_controls[0].tracking_number(), Some("8202 8261 1194"));
    let r = &s.portions[0].order_reference;
    assert_eq!(r.order_id.as_deref(), Some("DO1234"));
    assert_eq!(r.document_reference.payload_id, "32232995@hub.acme.com");
    assert_eq!(
        doc.header().unwrap().sender.user_agent,
        "Supplier’s Super Order Processor"
    );
}

#[test]
fn status_update_sample() {
    let Some(dir) = cxml_dir_or_skip("status_update_sample") else {
        return;
    };
    let (doc, _) = load(&dir, "StatusUpdateRequest.xml");
    let RequestKind::StatusUpdateRequest(s) = request_kind(&doc) else {
        panic!()
    };
    assert_eq!(
        s.document_reference.as_ref().unwrap().payload_id,
        "0c300508b7863dcclb_14999"
    );
    assert_eq!(s.status.code, 200);
    assert_eq!(s.status.text, "OK");
    assert_eq!(s.status.message, "Forwarded to supplier");
    assert_eq!(s.status.lang.as_deref(), Some("en-US"));
}

#[test]
fn response_samples() {
    let Some(dir) = cxml_dir_or_skip("response_samples") else {
        return;
    };
    for (name, code, message) in [
        ("guide-OrderResponse.xml", 200, ""),
        (
            "guide-OrderResponse-400.xml",
            400,
            "XML document contained a doctype but failed validation.",
        ),
        (
            "guide-PunchOutSetupResponse-400.xml",
            400,
            "XML document contained a doctype but failed validation.",
        ),
    ] {
        let (doc, _) = load(&dir, name);
        let Body::Response(r) = &doc.body else {
            panic!("{name}")
        };
        assert_eq!(r.status.code, code, "{name}");
        assert_eq!(r.status.message, message, "{name}");
        assert!(r.kind.is_none());
        assert!(doc.header().is_none());
    }
    let (doc, _) = load(&dir, "guide-PunchOutSetupResponse.xml");
    let Body::Response(r) = &doc.body else {
        panic!()
    };
    assert!(r.status.is_success());
    let Some(ResponseKind::PunchOutSetupResponse(p)) = &r.kind else {
        panic!()
    };
    assert_eq!(
        p.start_page,
        "http://xml.workchairs.com/retrieve?reqUrl=20626;Initial=TRUE"
    );
}

#[test]
fn profile_request_sample() {
    let Some(dir) = cxml_dir_or_skip("profile_request_sample") else {
        return;
    };
    let (doc, report) = load(&dir, "simple-profile-request.xml");
    assert!(matches!(request_kind(&doc), RequestKind::ProfileRequest(_)));
    assert_eq!(doc.payload_id, "payload-id");
    let h = doc.header().unwrap();
    assert_eq!(h.to[0].identity, "012345678");
    assert_eq!(h.sender.user_agent, "Network Hub 1.1");
    assert_eq!(h.shared_secret(), Some("abracadabra"));
    assert!(report
        .problems
        .iter()
        .any(|p| p.message.contains("no DOCTYPE")));
}
