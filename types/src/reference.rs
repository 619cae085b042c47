//! How a purchase order is named wherever people and systems see it: pages, lists, e-mails,
//! the message trace and cXML documents.

use std::fmt;
use std::str::FromStr;

/// A purchase order's reference: `REQ-{id}` from the moment it is created (the request), then
/// `PO-{number}`, the tenant's own number, once the provider accepted it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PoReference {
    Request(i64),
    Number(i64),
}

impl PoReference {
    pub fn of(po_number: Option<i64>, id: i64) -> Self {
        po_number.map_or(PoReference::Request(id), PoReference::Number)
    }
}

impl fmt::Display for PoReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PoReference::Request(id) => write!(f, "REQ-{id}"),
            PoReference::Number(number) => write!(f, "PO-{number}"),
        }
    }
}

/// What someone types to find a PO: `PO-1001`, `PO 1001`, `po1001` or just `1001` for a PO
/// number, `REQ-7` for a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAPoReference;

impl FromStr for PoReference {
    type Err = NotAPoReference;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let (make, digits): (fn(i64) -> PoReference, &str) =
            match strip_prefix_ignore_case(text, "REQ") {
                Some(rest) => (PoReference::Request, rest),
                None => (
                    PoReference::Number,
                    strip_prefix_ignore_case(text, "PO").unwrap_or(text),
                ),
            };
        let digits = digits.trim_start_matches(['-', ' ']);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NotAPoReference);
        }
        digits.parse().map(make).map_err(|_| NotAPoReference)
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_until_accepted_then_its_number() {
        assert_eq!(PoReference::of(None, 7).to_string(), "REQ-7");
        assert_eq!(PoReference::of(Some(1001), 7).to_string(), "PO-1001");
    }

    #[test]
    fn what_people_type_is_read_back() {
        for (typed, expected) in [
            ("PO-1001", PoReference::Number(1001)),
            ("PO 1001", PoReference::Number(1001)),
            ("po1001", PoReference::Number(1001)),
            (" 1001 ", PoReference::Number(1001)),
            ("REQ-7", PoReference::Request(7)),
            ("req 7", PoReference::Request(7)),
        ] {
            assert_eq!(typed.parse(), Ok(expected), "{typed}");
        }
        for typed in [
            "",
            "#7",
            "PO-",
            "REQ",
            "PO-10a",
            "ACME-5",
            "PO--",
            "99999999999999999999",
            "PO-+5",
        ] {
            assert_eq!(
                typed.parse::<PoReference>(),
                Err(NotAPoReference),
                "{typed}"
            );
        }
    }

    #[test]
    fn every_reference_reads_back_as_itself() {
        for reference in [PoReference::Request(1), PoReference::Number(i64::MAX)] {
            assert_eq!(reference.to_string().parse(), Ok(reference));
        }
    }
}
