//! Lenient reading: each accepted irregularity, and precise errors for real breakage.

use cxml::*;

fn report(xml: &str) -> CheckReport {
    let r = check(xml.as_bytes());
    assert!(r.is_ok(), "{:#?}", r.problems);
    r
}

fn has_warning(r: &CheckReport, needle: &str) -> bool {
    r.of(Severity::Warning).any(|p| p.message.contains(needle))
}

const HEADER: &str = r#"<Header><From><Credential domain="NetworkId"><Identity>buyer</Identity></Credential></From>
<To><Credential domain="DUNS"><Identity>123</Identity></Credential></To>
<Sender><Credential domain="NetworkId"><Identity>buyer</Identity><SharedSecret>pw</SharedSecret></Credential>
<UserAgent>UA</UserAgent></Sender></Header>"#;

fn profile_doc(root: &str, ts: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd">
<{root} payloadID="p1" timestamp="{ts}">{HEADER}<Request><ProfileRequest/></Request></{root}>"#
    )
}

#[test]
fn element_and_attribute_names_are_case_insensitive() {
    let xml = r#"<CXML PAYLOADID="p1" TimeStamp="2024-05-01T10:00:00+02:00" XML:LANG="de">
<header><FROM><credential DOMAIN="duns"><IDENTITY>111</IDENTITY></credential></FROM>
<to><Credential Domain="NetworkID"><identity>AN02</identity></Credential></to>
<sender><credential domain="NETWORKID"><identity>AN01</identity><sharedsecret>pw</sharedsecret></credential>
<useragent>UA</useragent></sender></header>
<request DeploymentMode="TEST"><punchoutsetuprequest OPERATION="Create"><buyercookie>ck</buyercookie>
<browserformpost><url>https://b/</url></browserformpost></punchoutsetuprequest></request></CXML>"#;
    let r = report(xml);
    let doc = r.document.as_ref().unwrap();
    assert_eq!(doc.payload_id, "p1");
    assert_eq!(doc.lang.as_deref(), Some("de"));
    let h = doc.header().unwrap();
    assert_eq!(h.from[0].domain, "duns", "domain preserved as given");
    assert!(h.from_credential("DUNS").is_some());
    assert!(h.to[0].domain_is("networkid"));
    assert_eq!(h.shared_secret(), Some("pw"));
    let Body::Request(req) = &doc.body else {
        panic!()
    };
    assert_eq!(req.deployment_mode, DeploymentMode::Test);
    let RequestKind::PunchOutSetupRequest(p) = &req.kind else {
        panic!()
    };
    assert_eq!(p.operation, PunchOutOperation::Create);
    assert_eq!(p.browser_form_post.as_deref(), Some("https://b/"));
    assert!(has_warning(&r, "read as <Header>"));
    assert!(has_warning(&r, "read as `payloadID`"));
}

#[test]
fn lowercase_root_is_accepted_with_a_warning() {
    let r = report(&profile_doc("cxml", "2024-05-01T10:00:00Z"));
    assert!(has_warning(&r, "root element was lowercase"));
}

#[test]
fn missing_declaration_and_doctype_are_accepted() {
    let xml = format!(
        r#"<cXML payloadID="p" timestamp="2024-05-01T10:00:00Z">{HEADER}<Request><ProfileRequest/></Request></cXML>"#
    );
    let r = report(&xml);
    assert!(has_warning(&r, "no XML declaration"));
    assert!(has_warning(&r, "no DOCTYPE"));
}

#[test]
fn children_in_any_order() {
    let xml = r#"<cXML timestamp="2024-05-01T10:00:00Z" payloadID="o1">
<Request><OrderRequest>
  <ItemOut quantity="2" lineNumber="1">
    <ItemDetail><UnitOfMeasure>EA</UnitOfMeasure><Classification domain="unspsc">43191501</Classification>
      <Description xml:lang="en">SIM</Description><UnitPrice><Money currency="EUR">1.5</Money></UnitPrice></ItemDetail>
    <ItemID><SupplierPartAuxiliaryID>aux-1</SupplierPartAuxiliaryID><SupplierPartID>P1</SupplierPartID></ItemID>
  </ItemOut>
  <OrderRequestHeader type="new" orderDate="2024-05-01" orderID="PO1">
    <BillTo><Address><Name xml:lang="en">AP</Name></Address></BillTo>
    <Total><Money currency="EUR">3.00</Money></Total>
  </OrderRequestHeader>
</OrderRequest></Request>
<Header><Sender><UserAgent>UA</UserAgent><Credential domain="d"><Identity>i</Identity></Credential></Sender>
<To><Credential domain="d"><Identity>t</Identity></Credential></To>
<From><Credential domain="d"><Identity>f</Identity></Credential></From></Header>
</cXML>"#;
    let r = report(xml);
    let doc = r.document.as_ref().unwrap();
    let Body::Request(Request {
        kind: RequestKind::OrderRequest(o),
        ..
    }) = &doc.body
    else {
        panic!()
    };
    assert_eq!(o.header.order_id, "PO1");
    assert_eq!(o.header.total, Money::new(300, "EUR"));
    let i = &o.items[0];
    assert_eq!(
        i.item_id.supplier_part_auxiliary_id.as_deref(),
        Some("aux-1")
    );
    assert_eq!(i.item_detail.as_ref().unwrap().unspsc(), Some("43191501"));
    assert_eq!(i.item_detail.as_ref().unwrap().unit_price.minor_units, 150);
    assert!(has_warning(&r, "date only"));
    // And it writes back in DTD order.
    let xml = doc.to_xml().unwrap();
    assert!(xml.find("<Header>").unwrap() < xml.find("<Request>").unwrap());
    assert!(xml.find("<Total>").unwrap() < xml.find("<BillTo>").unwrap());
}

#[test]
fn whitespace_is_trimmed_around_identifiers_and_urls() {
    let xml = r#"<cXML payloadID="  p1  " timestamp=" 2024-05-01T10:00:00Z ">
<Header><From><Credential domain=" DUNS "><Identity>
   111
</Identity></Credential></From><To><Credential domain="d"><Identity>t</Identity></Credential></To>
<Sender><Credential domain="d"><Identity>s</Identity><SharedSecret>  pw  </SharedSecret></Credential><UserAgent> UA </UserAgent></Sender></Header>
<Request><PunchOutSetupRequest operation=" edit "><BuyerCookie>
      cookie-123
   </BuyerCookie><BrowserFormPost><URL>
      https://buyer.example/post
   </URL></BrowserFormPost></PunchOutSetupRequest></Request></cXML>"#;
    let r = report(xml);
    let doc = r.document.as_ref().unwrap();
    assert_eq!(doc.payload_id, "p1");
    let h = doc.header().unwrap();
    assert_eq!(h.from[0].identity, "111");
    assert_eq!(h.from[0].domain, "DUNS");
    assert_eq!(h.shared_secret(), Some("pw"));
    assert_eq!(h.sender.user_agent, "UA");
    let Body::Request(Request {
        kind: RequestKind::PunchOutSetupRequest(p),
        ..
    }) = &doc.body
    else {
        panic!()
    };
    assert_eq!(p.operation, PunchOutOperation::Edit);
    assert_eq!(p.buyer_cookie, "cookie-123");
    assert_eq!(
        p.browser_form_post.as_deref(),
        Some("https://buyer.example/post")
    );
    assert!(has_warning(&r, "whitespace trimmed around <BuyerCookie>"));
}

#[test]
fn timestamps_in_many_forms() {
    let cases = [
        (
            "2024-05-01T10:00:00-05:00",
            "2024-05-01T10:00:00-05:00",
            None,
        ),
        ("2024-05-01T10:00:00Z", "2024-05-01T10:00:00+00:00", None),
        (
            "2024-05-01T10:00:00",
            "2024-05-01T10:00:00+00:00",
            Some("no zone; assumed UTC"),
        ),
        (
            "2024-05-01 10:00:00+02:00",
            "2024-05-01T10:00:00+02:00",
            Some("space instead of 'T'"),
        ),
        (
            "2024-05-01T10:00:00.123+02:00",
            "2024-05-01T10:00:00.123+02:00",
            None,
        ),
        (
            "2024-05-01T10:00:00.5Z",
            "2024-05-01T10:00:00.500+00:00",
            None,
        ),
        (
            "2024-05-01T10:00:00-0500",
            "2024-05-01T10:00:00-05:00",
            Some("offset had no colon"),
        ),
        (
            "Mon May 19 18:29:48 +0000 2008",
            "2008-05-19T18:29:48+00:00",
            Some("Ruby style"),
        ),
        (
            "2008-05-19 18:29:48 +0000",
            "2008-05-19T18:29:48+00:00",
            Some("no colon"),
        ),
        ("2024-05-01", "2024-05-01T00:00:00+00:00", Some("date only")),
    ];
    for (input, expected, note) in cases {
        let r = report(&profile_doc("cXML", input));
        let doc = r.document.as_ref().unwrap();
        assert_eq!(time::format_timestamp(&doc.timestamp), expected, "{input}");
        assert_eq!(
            doc.timestamp.offset(),
            time::parse_timestamp(expected).unwrap().offset()
        );
        if let Some(n) = note {
            assert!(has_warning(&r, n), "{input}: {:?}", r.problems);
        }
    }
}

#[test]
fn unknown_elements_are_ignored_and_reported_as_info() {
    let xml = format!(
        r#"<cXML payloadID="p" timestamp="2024-05-01T10:00:00Z"><Future>x</Future>{HEADER}
<Request><PunchOutSetupRequest operation="create"><BuyerCookie>c</BuyerCookie><Frobnicate a="1"><deep/></Frobnicate></PunchOutSetupRequest></Request></cXML>"#
    );
    let r = report(&xml);
    assert!(r
        .of(Severity::Info)
        .any(|p| p.message.contains("ignored element <Frobnicate>")));
    assert!(r
        .of(Severity::Info)
        .any(|p| p.message.contains("ignored element <Future>")));
}

#[test]
fn latin1_documents_are_decoded() {
    let mut bytes = br#"<?xml version="1.0" encoding="ISO-8859-1"?><cXML payloadID="p" timestamp="2024-05-01T10:00:00Z"><Response><Status code="200" text="OK">Gr"#.to_vec();
    bytes.push(0xFC); // ü
    bytes.extend_from_slice(b"n</Status></Response></cXML>");
    let r = check(&bytes);
    assert!(r.is_ok(), "{:?}", r.problems);
    let Body::Response(resp) = &r.document.as_ref().unwrap().body else {
        panic!()
    };
    assert_eq!(resp.status.message, "Grün");
    assert!(has_warning(&r, "ISO-8859-1"));
}

fn err(xml: &str) -> CxmlError {
    parse(xml.as_bytes()).expect_err("should fail")
}

#[test]
fn malformed_input_gives_precise_errors() {
    let e = err(
        r#"<cXML timestamp="2024-05-01T10:00:00Z"><Response><Status code="200" text="OK"/></Response></cXML>"#,
    );
    assert!(
        matches!(&e, CxmlError::MissingAttribute { attribute, element, .. } if attribute == "payloadID" && element == "cXML"),
        "{e}"
    );
    assert!(e.to_string().contains("line 1"), "{e}");

    let xml = format!(
        "<cXML payloadID=\"p\" timestamp=\"2024-05-01T10:00:00Z\">\n{HEADER}\n<Request>\n<PunchOutSetupRequest operation=\"create\">\n</PunchOutSetupRequest></Request></cXML>"
    );
    let e = err(&xml);
    let byte = xml.find("<PunchOutSetupRequest").unwrap();
    assert_eq!(
        e.to_string(),
        format!("missing required element <BuyerCookie> in <PunchOutSetupRequest> at line 7, column 1 (byte {byte})")
    );

    let e = err(
        r#"<cXML payloadID="p" timestamp="yesterday"><Response><Status code="200" text="OK"/></Response></cXML>"#,
    );
    assert!(
        matches!(&e, CxmlError::InvalidValue { field, .. } if field == "cXML@timestamp"),
        "{e}"
    );

    let xml = format!(
        r#"<cXML payloadID="p" timestamp="2024-05-01T10:00:00Z">{HEADER}<Message><PunchOutOrderMessage><BuyerCookie>c</BuyerCookie>
<PunchOutOrderMessageHeader operationAllowed="create"><Total><Money currency="EUR">12.345</Money></Total></PunchOutOrderMessageHeader>
</PunchOutOrderMessage></Message></cXML>"#
    );
    let e = err(&xml);
    assert!(
        e.to_string()
            .contains("12.345 has more decimals than the 2 decimal(s) of currency EUR"),
        "{e}"
    );

    let xml = format!(
        r#"<cXML payloadID="p" timestamp="2024-05-01T10:00:00Z">{HEADER}<Message><PunchOutOrderMessage><BuyerCookie>c</BuyerCookie>
<PunchOutOrderMessageHeader operationAllowed="maybe"><Total><Money currency="EUR">1</Money></Total></PunchOutOrderMessageHeader>
</PunchOutOrderMessage></Message></cXML>"#
    );
    let e = err(&xml);
    assert!(
        e.to_string()
            .contains("expected one of: create, inspect, edit"),
        "{e}"
    );

    let e = err("<cXML payloadID=\"p\" timestamp=\"2024-05-01T10:00:00Z\">\n<Response><Status code=\"200\" text=\"OK\"></Response></cXML>");
    assert!(
        matches!(
            e,
            CxmlError::Xml {
                position: Some(Position { line: 2, .. }),
                ..
            }
        ),
        "{e}"
    );

    assert!(matches!(
        err("<html><body/></html>"),
        CxmlError::NotCxml { .. }
    ));
    assert!(matches!(err(""), CxmlError::Xml { .. }));
    assert!(matches!(err("not xml at all"), CxmlError::Xml { .. }));

    let xml = format!(
        r#"<cXML payloadID="p" timestamp="2024-05-01T10:00:00Z">{HEADER}<Request><InvoiceDetailRequest/></Request></cXML>"#
    );
    let e = err(&xml);
    assert!(
        matches!(&e, CxmlError::Unsupported { element, .. } if element == "InvoiceDetailRequest"),
        "{e}"
    );

    let e = err(
        r#"<cXML payloadID="p" timestamp="2024-05-01T10:00:00Z"><Request><ProfileRequest/></Request></cXML>"#,
    );
    assert!(
        e.to_string()
            .contains("missing required element <Header> in <cXML>"),
        "{e}"
    );

    let e = parse(b"\xff\xfe<\x00").unwrap_err();
    assert!(matches!(e, CxmlError::Encoding { .. }));
    assert_eq!(e.http_status(), 400);
}

#[test]
fn check_reports_errors_without_document() {
    let r = check(b"<cXML>");
    assert!(r.document.is_none());
    assert!(!r.is_ok());
    assert_eq!(r.of(Severity::Error).count(), 1);
    let json = r.to_json().unwrap();
    assert!(json.contains("\"severity\": \"error\""));

    // Leniency notes gathered before the fatal problem are kept, errors last.
    let r = check(br#"<cxml payloadID="p" timestamp="2024-01-01 10:00:00"><Response><Status code="2oo" text="OK"/></Response></cxml>"#);
    assert!(r.document.is_none());
    assert!(has_warning(&r, "root element was lowercase"));
    assert!(has_warning(&r, "assumed UTC"));
    let last = r.problems.last().unwrap();
    assert_eq!(last.severity, Severity::Error);
    assert!(last.message.contains("Status@code"), "{}", last.message);
}

#[test]
fn from_str_and_parse_with_notes() {
    let xml = profile_doc("cxml", "2024-05-01T10:00:00");
    let doc: Cxml = xml.parse().unwrap();
    assert_eq!(doc.payload_id, "p1");
    let parsed = parse_with(xml.as_bytes(), &Limits::default()).unwrap();
    assert!(parsed
        .notes
        .iter()
        .any(|n| n.message.contains("assumed UTC")));
}
