//! Whole messages as mail clients and procurement systems send them.

use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Document, Object, Stream};
use mailorder::{read_message, read_order, read_page, AttachmentKind, MessageError, Source};

/// A one-page PDF with `lines` of text, as an ERP prints an order.
fn pdf_with(lines: &[&str]) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let resources_id = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => font_id },
    });
    let mut operations = vec![
        Operation::new("BT", vec![]),
        Operation::new("Tf", vec!["F1".into(), 11.into()]),
        Operation::new("TL", vec![14.into()]),
        Operation::new("Td", vec![50.into(), 750.into()]),
    ];
    for line in lines {
        operations.push(Operation::new("Tj", vec![Object::string_literal(*line)]));
        operations.push(Operation::new("T*", vec![]));
    }
    operations.push(Operation::new("ET", vec![]));
    let content = Content { operations };
    let content_id = doc.add_object(Stream::new(
        dictionary! {},
        content.encode().expect("content"),
    ));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1,
            "Resources" => resources_id, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("pdf");
    bytes
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, b| (n << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out.as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n")
}

fn with_attachment(name: &str, content_type: &str, bytes: &[u8], body: &str) -> Vec<u8> {
    format!(
        "From: \"Jane Buyer\" <Jane.Buyer@Hafenlogistik.example>\r\n\
         To: orders@nordwind.example\r\n\
         Subject: Order HL-77\r\n\
         Message-ID: <hl-77@hafenlogistik.example>\r\n\
         Date: Thu, 03 Dec 2026 09:00:00 +0100\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n\
         --b1\r\nContent-Type: {content_type}; name=\"{name}\"\r\n\
         Content-Disposition: attachment; filename=\"{name}\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b1--\r\n",
        base64(bytes)
    )
    .into_bytes()
}

#[test]
fn a_plain_text_order_is_read_with_its_details() {
    let raw = b"From: Jane Buyer <jane@hafenlogistik.example>\r\n\
        Reply-To: purchasing@hafenlogistik.example\r\n\
        Subject: New SIM order\r\nMessage-ID: <abc-1@mail.example>\r\n\r\n\
        Hello,\r\n\r\n50 x NORDWIND-IOT-4FF @ 4.90 EUR\r\n20 pcs Embedded IoT chip\r\n\r\n\
        PO number: HL-2026-9\r\nShip to:\r\nHafenlogistik GmbH\r\nKai 7\r\n20457 Hamburg\r\n";
    let message = read_message(raw).expect("readable");
    assert_eq!(message.message_id.as_deref(), Some("abc-1@mail.example"));
    assert_eq!(message.from, "jane@hafenlogistik.example");
    assert_eq!(message.answer_to(), "purchasing@hafenlogistik.example");
    assert!(!message.automatic);
    assert!(message.safe_html.is_none());
    let order = read_order(&message);
    assert_eq!(order.source, Source::Body);
    assert_eq!(order.lines.len(), 2);
    assert_eq!(order.lines[0].unit_price_minor, Some(490));
    assert_eq!(order.reference.as_deref(), Some("HL-2026-9"));
    assert_eq!(order.ship_to.expect("address").city, "Hamburg");
}

#[test]
fn a_csv_attachment_gives_the_lines() {
    let csv = "sku,description,qty,price\nNORDWIND-IOT-4FF,Industrial IoT SIM,100,4.90\n";
    let raw = with_attachment(
        "order.csv",
        "text/csv",
        csv.as_bytes(),
        "See the attached order.",
    );
    let message = read_message(&raw).expect("readable");
    assert_eq!(message.from, "jane.buyer@hafenlogistik.example");
    assert_eq!(message.from_name, "Jane Buyer");
    assert_eq!(message.attachments[0].kind, AttachmentKind::Csv);
    let order = read_order(&message);
    assert_eq!(order.source, Source::Csv("order.csv".into()));
    assert_eq!(order.lines[0].code.as_deref(), Some("NORDWIND-IOT-4FF"));
    assert_eq!(order.lines[0].quantity, 100);
    // The subject gives the reference when the body has none.
    assert_eq!(order.reference.as_deref(), Some("HL-77"));
}

#[test]
fn a_pdf_attachment_is_read_as_text() {
    let pdf = pdf_with(&[
        "Purchase order",
        "Order no: HL-PDF-1",
        "30 x NORDWIND-IOT-MFF2",
        "Delivery date: 2027-01-15",
    ]);
    let raw = with_attachment(
        "po.pdf",
        "application/pdf",
        &pdf,
        "Please find our PO attached.",
    );
    let message = read_message(&raw).expect("readable");
    let attachment = &message.attachments[0];
    assert_eq!(attachment.kind, AttachmentKind::Pdf);
    assert!(attachment.problem.is_none(), "{:?}", attachment.problem);
    let order = read_order(&message);
    assert_eq!(order.source, Source::Pdf("po.pdf".into()));
    assert_eq!(order.lines.len(), 1);
    assert_eq!(order.lines[0].quantity, 30);
    assert_eq!(order.reference.as_deref(), Some("HL-PDF-1"));
    assert_eq!(
        order.requested_date.map(|d| d.to_string()).as_deref(),
        Some("2027-01-15")
    );
}

#[test]
fn a_damaged_pdf_is_a_problem_of_that_attachment_not_of_the_message() {
    let raw = with_attachment(
        "po.pdf",
        "application/pdf",
        b"%PDF-1.4 garbage \x00\xff",
        "10 x NORDWIND-IOT-4FF",
    );
    let message = read_message(&raw).expect("readable");
    assert!(message.attachments[0].problem.is_some());
    assert_eq!(read_order(&message).lines.len(), 1);
}

#[test]
fn html_is_shown_without_anything_active_and_read_as_text() {
    let raw = b"From: buyer@metrofleet.example\r\nSubject: order\r\nMIME-Version: 1.0\r\n\
        Content-Type: text/html; charset=utf-8\r\n\r\n\
        <html><body><p onclick=\"steal()\">Please send</p><script>alert(1)</script>\
        <ul><li>25 x ALPINA-IOT-4FF</li></ul><img src=\"http://tracker.example/p.gif\"></body></html>\r\n";
    let message = read_message(raw).expect("readable");
    let html = message.safe_html.as_deref().expect("html");
    assert!(
        !html.contains("script") && !html.contains("onclick"),
        "{html}"
    );
    assert!(!html.contains("tracker.example"), "no remote image: {html}");
    assert!(
        message.text.contains("25 x ALPINA-IOT-4FF"),
        "{}",
        message.text
    );
    assert_eq!(read_order(&message).lines.len(), 1);
}

#[test]
fn machine_mail_is_marked_so_that_nobody_answers_it() {
    let raw = b"From: mailer-daemon@mx.example\r\nAuto-Submitted: auto-replied\r\nSubject: Out of office\r\n\r\nI am away.\r\n";
    assert!(read_message(raw).expect("readable").automatic);
}

#[test]
fn what_cannot_be_read_says_why() {
    assert_eq!(read_message(b"  \r\n"), Err(MessageError::Empty));
    assert_eq!(
        read_message(b"Subject: no sender\r\n\r\nbody"),
        Err(MessageError::NoSender)
    );
    assert!(read_message(&[0xff, 0xfe, 0x00, 0x13, 0x37]).is_err());
}

#[test]
fn links_to_an_order_page_are_found_in_the_text_and_the_html() {
    let raw = "From: buyer@example.com\r\nSubject: Order\r\nMIME-Version: 1.0\r\n\
        Content-Type: multipart/alternative; boundary=\"b\"\r\n\r\n\
        --b\r\nContent-Type: text/plain\r\n\r\n\
        Our order is at https://shop.example.com/orders/77?view=print. Thanks!\r\n\
        See also ftp://files.example.com/x and http://tracker.example.net/p.gif\r\n\
        --b\r\nContent-Type: text/html\r\n\r\n\
        <p><a href=\"https://shop.example.com/orders/77?view=print&amp;lang=de\">Order</a>\
        <a href=\"https://shop.example.com/orders/77?view=print\">again</a></p>\r\n--b--\r\n";
    let message = read_message(raw.as_bytes()).unwrap();
    assert_eq!(
        message.links,
        vec![
            "https://shop.example.com/orders/77?view=print".to_owned(),
            "http://tracker.example.net/p.gif".to_owned(),
            "https://shop.example.com/orders/77?view=print&lang=de".to_owned(),
        ]
    );
    let many: String = (0..20)
        .map(|n| format!("https://x.example/{n}\r\n"))
        .collect();
    let raw = format!("From: buyer@example.com\r\nSubject: Links\r\n\r\n{many}");
    assert_eq!(
        read_message(raw.as_bytes()).unwrap().links.len(),
        mailorder::MAX_LINKS
    );
}

#[test]
fn a_fetched_order_page_is_read_like_an_attachment() {
    let html = "<html><body><h1>Your order</h1><p>Order number: HL-5</p><table><tr><td>30 x NORDWIND-IOT-4FF</td></tr>\
        <tr><td>10 pcs Embedded IoT chip</td></tr></table><script>alert(1)</script></body></html>";
    let page = read_page(
        "https://shop.example.com/o/5",
        "text/html; charset=utf-8",
        html.as_bytes(),
    );
    assert_eq!(page.kind, AttachmentKind::Page);
    assert!(!page.text.as_deref().unwrap_or("").contains("<td>"));
    let raw =
        "From: buyer@example.com\r\nSubject: Order\r\n\r\nSee https://shop.example.com/o/5\r\n";
    let mut message = read_message(raw.as_bytes()).unwrap();
    message.attachments.push(page);
    let order = read_order(&message);
    assert_eq!(
        order.source,
        Source::Page("https://shop.example.com/o/5".into())
    );
    let lines: Vec<(u32, &str)> = order
        .lines
        .iter()
        .map(|l| (l.quantity, l.description.as_str()))
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0].0, 30);
    assert_eq!(lines[1].0, 10);
    assert_eq!(order.reference.as_deref(), Some("HL-5"));

    let csv = read_page(
        "https://shop.example.com/o/5.csv",
        "text/csv",
        b"sku;qty\nNORDWIND-IOT-4FF;3\n",
    );
    assert_eq!(csv.kind, AttachmentKind::Csv);
    let image = read_page("https://shop.example.com/logo.png", "image/png", b"\x89PNG");
    assert_eq!(image.kind, AttachmentKind::Other);
    assert!(image.problem.unwrap().contains("image/png"));
}
