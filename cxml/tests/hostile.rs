//! Hostile input: every attack class is refused with Forbidden or LimitExceeded, fast.

use cxml::*;
use std::time::{Duration, Instant};

/// Generous sanity bound only; real rejections take microseconds to milliseconds.
const SANITY: Duration = Duration::from_secs(10);

fn refuse(input: &[u8]) -> CxmlError {
    let start = Instant::now();
    let e = parse(input).expect_err("hostile input must be refused");
    let took = start.elapsed();
    println!("refused in {took:?}: {e}");
    assert!(took < SANITY, "took {took:?}");
    assert!(e.is_hostile(), "{e:?}");
    assert!(check(input).document.is_none());
    e
}

fn forbidden(input: &[u8], reason_part: &str) {
    match refuse(input) {
        CxmlError::Forbidden { reason } => assert!(reason.contains(reason_part), "{reason}"),
        other => panic!("expected Forbidden, got {other:?}"),
    }
}

fn limit(input: &[u8], limits: &Limits, what_part: &str) {
    let start = Instant::now();
    let e = parse_with(input, limits).expect_err("must exceed a limit");
    assert!(start.elapsed() < SANITY);
    match &e {
        CxmlError::LimitExceeded { what, .. } => assert!(what.contains(what_part), "{e}"),
        other => panic!("expected LimitExceeded, got {other:?}"),
    }
    assert!(e.is_hostile());
    assert_eq!(e.http_status(), 413);
}

const BODY: &str = r#"<Response><Status code="200" text="OK">&x;</Status></Response>"#;

#[test]
fn billion_laughs() {
    let mut dtd = String::from("<!ENTITY lol \"lol\">");
    let mut prev = "lol".to_string();
    for i in 1..=9 {
        let name = format!("lol{i}");
        dtd.push_str(&format!(
            "<!ENTITY {name} \"{}\">",
            format!("&{prev};").repeat(10)
        ));
        prev = name;
    }
    let xml = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE cXML [{dtd}]><cXML payloadID=\"p\" timestamp=\"2024-01-01T00:00:00Z\">{}</cXML>",
        BODY.replace("&x;", "&lol9;")
    );
    forbidden(xml.as_bytes(), "declares entities");
}

#[test]
fn quadratic_blowup() {
    let big = "a".repeat(200_000);
    let refs = "&a;".repeat(100_000);
    let xml = format!(
        "<!DOCTYPE cXML [<!ENTITY a \"{big}\">]><cXML payloadID=\"p\" timestamp=\"2024-01-01T00:00:00Z\"><Response><Status code=\"200\" text=\"OK\">{refs}</Status></Response></cXML>"
    );
    forbidden(xml.as_bytes(), "declares entities");
}

#[test]
fn xxe_file_entity() {
    let xml = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE cXML [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><cXML payloadID=\"p\" timestamp=\"2024-01-01T00:00:00Z\">{BODY}</cXML>"
    );
    let e = refuse(xml.as_bytes());
    assert!(
        matches!(&e, CxmlError::Forbidden { reason } if reason.contains("external entities")),
        "{e}"
    );
    assert!(
        !e.to_string().contains("root:"),
        "nothing was read from the file"
    );
}

#[test]
fn xxe_external_dtd_reference() {
    let xml = format!(
        "<!DOCTYPE cXML SYSTEM \"file:///etc/passwd\"><cXML payloadID=\"p\" timestamp=\"2024-01-01T00:00:00Z\">{}</cXML>",
        BODY.replace("&x;", "")
    );
    forbidden(xml.as_bytes(), "scheme `file:`");
}

#[test]
fn parameter_entities() {
    let xml = format!(
        "<!DOCTYPE cXML [<!ENTITY % pe SYSTEM \"http://attacker.invalid/evil.dtd\"> %pe;]><cXML payloadID=\"p\" timestamp=\"2024-01-01T00:00:00Z\">{BODY}</cXML>"
    );
    forbidden(xml.as_bytes(), "parameter entities");
    let xml = format!(
        "<!DOCTYPE cXML [ %pe; ]><cXML payloadID=\"p\" timestamp=\"2024-01-01T00:00:00Z\">{}</cXML>",
        BODY.replace("&x;", "")
    );
    forbidden(xml.as_bytes(), "parameter entity");
}

#[test]
fn other_internal_subsets_are_refused() {
    let xml = "<!DOCTYPE cXML [<!ATTLIST cXML payloadID CDATA \"injected\">]><cXML timestamp=\"2024-01-01T00:00:00Z\"/>";
    forbidden(xml.as_bytes(), "internal subset");
}

#[test]
fn undeclared_entity_references() {
    let xml = format!("<cXML payloadID=\"p\" timestamp=\"2024-01-01T00:00:00Z\">{BODY}</cXML>");
    forbidden(xml.as_bytes(), "&x;");
    let xml = "<cXML payloadID=\"&x;\" timestamp=\"2024-01-01T00:00:00Z\"><Response><Status code=\"200\" text=\"OK\"/></Response></cXML>";
    forbidden(xml.as_bytes(), "x;");
    // External DTD reference of the right kind is fine, but is never fetched.
    let xml = "<!DOCTYPE cXML SYSTEM \"http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd\"><cXML payloadID=\"p&amp;&#x41;&#66;\" timestamp=\"2024-01-01T00:00:00Z\"><Response><Status code=\"200\" text=\"&lt;OK&gt;\"/></Response></cXML>";
    let doc = parse(xml.as_bytes()).unwrap();
    assert_eq!(doc.payload_id, "p&AB");
}

#[test]
fn depth_bomb() {
    let n = 100_000;
    let xml = format!(
        "<cXML payloadID=\"p\" timestamp=\"2024-01-01T00:00:00Z\">{}{}</cXML>",
        "<a>".repeat(n),
        "</a>".repeat(n)
    );
    let e = refuse(xml.as_bytes());
    assert!(
        matches!(&e, CxmlError::LimitExceeded { what, limit: 64, .. } if what.contains("depth")),
        "{e}"
    );
    assert_eq!(e.http_status(), 413);
}

#[test]
fn oversize_document() {
    let xml = format!(
        "<cXML payloadID=\"p\" timestamp=\"2024-01-01T00:00:00Z\"><!--{}--></cXML>",
        "x".repeat(5 * 1024 * 1024)
    );
    let e = refuse(xml.as_bytes());
    assert!(
        matches!(&e, CxmlError::LimitExceeded { what, .. } if what.contains("size")),
        "{e}"
    );
    let small = Limits {
        max_document_bytes: 100,
        ..Limits::default()
    };
    limit(&[b' '; 101], &small, "size");
}

#[test]
fn element_count_and_attribute_limits() {
    let xml = format!(
        "<cXML payloadID=\"p\" timestamp=\"2024-01-01T00:00:00Z\">{}</cXML>",
        "<x/>".repeat(150_000)
    );
    let e = refuse(xml.as_bytes());
    assert!(
        matches!(&e, CxmlError::LimitExceeded { what, .. } if what.contains("element count")),
        "{e}"
    );

    let attrs: String = (0..10_000).map(|i| format!(" a{i}=\"v\"")).collect();
    let xml = format!("<cXML payloadID=\"p\" timestamp=\"2024-01-01T00:00:00Z\"{attrs}/>");
    let e = refuse(xml.as_bytes());
    assert!(
        matches!(&e, CxmlError::LimitExceeded { what, .. } if what.contains("attributes")),
        "{e}"
    );

    let tight = Limits {
        max_text_len: 1000,
        max_attribute_len: 100,
        ..Limits::default()
    };
    let xml = format!(
        "<cXML payloadID=\"p\" timestamp=\"2024-01-01T00:00:00Z\"><Response><Status code=\"200\" text=\"OK\">{}</Status></Response></cXML>",
        "&amp;".repeat(1500)
    );
    limit(xml.as_bytes(), &tight, "text length");
    let xml = format!(
        "<cXML payloadID=\"{}\" timestamp=\"2024-01-01T00:00:00Z\"/>",
        "p".repeat(101)
    );
    limit(xml.as_bytes(), &tight, "attribute value length");
}

#[test]
fn invalid_characters_and_garbage() {
    for input in [
        &b"<cXML payloadID=\"p\" timestamp=\"2024-01-01T00:00:00Z\">&#0;</cXML>"[..],
        b"<cXML payloadID=\"p\" timestamp=\"2024-01-01T00:00:00Z\">&#x1;</cXML>",
        b"<cXML payloadID=\"p\" timestamp=\"2024-01-01T00:00:00Z\">\x01</cXML>",
        b"<cXML><cXML>",
        b"</cXML>",
        b"<cXML/><cXML/>",
        b"<!DOCTYPE cXML><!DOCTYPE cXML><cXML/>",
        b"<<<<>>>>",
        b"\x00\x00\x00",
    ] {
        let e = parse(input).expect_err("garbage must fail");
        assert!(!matches!(e, CxmlError::Write { .. }));
    }
}
