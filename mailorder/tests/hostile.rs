//! Whatever arrives in the mailbox, reading it never panics and never loops: arbitrary bytes,
//! mangled real messages, and deeply nested or oversized parts.

use mailorder::{read_message, read_order};
use proptest::prelude::*;

const SAMPLE: &str = "From: Jane <jane@example.com>\r\nSubject: Order 7\r\nMessage-ID: <a@b>\r\n\
    MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"x\"\r\n\r\n--x\r\n\
    Content-Type: text/plain\r\n\r\n10 x PART-1 @ 1.00 EUR\r\nShip to:\r\nA\r\nB 1\r\n12345 C\r\n--x\r\n\
    Content-Type: text/csv; name=\"o.csv\"\r\n\r\nsku;qty\r\nPART-1;5\r\n--x\r\n\
    Content-Type: application/pdf; name=\"o.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--x--\r\n";

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_are_read_or_refused(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        if let Ok(message) = read_message(&bytes) {
            let _ = read_order(&message);
        }
    }

    #[test]
    fn a_mangled_message_is_read_or_refused(cut in 0..SAMPLE.len(), junk in "[\\x00-\\xff]{0,64}", at in 0..SAMPLE.len()) {
        let mut raw = SAMPLE.as_bytes()[..cut.max(at)].to_vec();
        raw.splice(at.min(raw.len())..at.min(raw.len()), junk.bytes());
        if let Ok(message) = read_message(&raw) {
            let _ = read_order(&message);
        }
    }
}

#[test]
fn deep_nesting_and_long_lines_are_read() {
    let mut raw = String::from("From: a@b.example\r\nMIME-Version: 1.0\r\n");
    for depth in 0..200 {
        raw.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{depth}\"\r\n\r\n--b{depth}\r\n"
        ));
    }
    raw.push_str("Content-Type: text/plain\r\n\r\n10 x PART\r\n");
    raw.push_str(&"9".repeat(200_000));
    raw.push_str("\r\n");
    if let Ok(message) = read_message(raw.as_bytes()) {
        let _ = read_order(&message);
    }
    let long_line = format!(
        "From: a@b.example\r\n\r\n{} x {}\r\n",
        "1".repeat(5000),
        "SIM ".repeat(50_000)
    );
    let message = read_message(long_line.as_bytes()).expect("readable");
    assert!(read_order(&message).lines.is_empty());
}
