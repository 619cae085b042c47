//! Finding the order in a message's text: lines, the buyer's reference, the ship-to address
//! and the requested date. Buyers write orders in many ways; what is not understood is
//! returned as such (`unread`), never dropped, so the agent sees it.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::message::{AttachmentKind, ReceivedMessage};
use crate::table;

/// Where the lines were found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "name")]
pub enum Source {
    Body,
    Csv(String),
    Pdf(String),
    /// An order page a link led to, by its address.
    Page(String),
}

/// One line the buyer asked for, as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestedLine {
    /// The line as it stood in the message.
    pub text: String,
    /// A part number from a column that names it (CSV); in text, the part number is
    /// somewhere in `description`.
    pub code: Option<String>,
    pub description: String,
    pub quantity: u32,
    /// The unit price the buyer expects, in minor units, where given.
    pub unit_price_minor: Option<i64>,
    pub currency: Option<String>,
}

/// A postal address as far as it could be read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub recipient: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    /// ISO 3166 alpha-2, or empty when not given.
    pub country: String,
}

/// The order a message asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestedOrder {
    pub source: Source,
    pub lines: Vec<RequestedLine>,
    /// Lines that look like order lines but could not be read.
    pub unread: Vec<String>,
    /// The buyer's own order number.
    pub reference: Option<String>,
    pub ship_to: Option<Address>,
    pub requested_date: Option<NaiveDate>,
}

/// Reads the order of `message`: lines from a CSV attachment when there is one with lines,
/// else from a PDF, else from the body; the reference, address and date from the body, the
/// subject or the PDF.
pub fn read_order(message: &ReceivedMessage) -> RequestedOrder {
    let mut candidates = Vec::new();
    for attachment in &message.attachments {
        let Some(text) = &attachment.text else {
            continue;
        };
        match attachment.kind {
            AttachmentKind::Csv => {
                let (lines, unread) = table::read_lines(text);
                candidates.push((Source::Csv(attachment.name.clone()), lines, unread, None));
            }
            AttachmentKind::Pdf | AttachmentKind::Page => {
                let found = read_text(text);
                let source = if attachment.kind == AttachmentKind::Pdf {
                    Source::Pdf(attachment.name.clone())
                } else {
                    Source::Page(attachment.name.clone())
                };
                candidates.push((source, found.lines, found.unread, Some(found.details)));
            }
            AttachmentKind::Other => {}
        }
    }
    let body = read_text(&message.text);
    let mut details = body.details;
    let chosen = candidates
        .into_iter()
        .find(|(_, lines, _, _)| !lines.is_empty());
    let (source, lines, unread) = match chosen {
        Some((source, lines, unread, pdf_details)) => {
            if let Some(pdf) = pdf_details {
                details = details.or(pdf);
            }
            (source, lines, unread)
        }
        None => (Source::Body, body.lines, body.unread),
    };
    RequestedOrder {
        source,
        lines,
        unread,
        reference: details
            .reference
            .or_else(|| subject_reference(&message.subject)),
        ship_to: details.ship_to,
        requested_date: details.requested_date,
    }
}

#[derive(Debug, Default)]
struct Details {
    reference: Option<String>,
    ship_to: Option<Address>,
    requested_date: Option<NaiveDate>,
}

impl Details {
    fn or(self, other: Details) -> Details {
        Details {
            reference: self.reference.or(other.reference),
            ship_to: self.ship_to.or(other.ship_to),
            requested_date: self.requested_date.or(other.requested_date),
        }
    }
}

struct FoundInText {
    lines: Vec<RequestedLine>,
    unread: Vec<String>,
    details: Details,
}

static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:our\s+|your\s+)?(?:p\.?o\.?|purchase\s+order|order|bestellung|bestellnummer|reference|ref\.?)\s*(?:no\.?|number|nr\.?|#)?\s*[:#]\s*([a-z0-9][a-z0-9\-/_.]{0,40})\s*$",
    )
    .expect("reference pattern")
});
static SUBJECT_REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:p\.?o\.?|order|bestellung)\s*(?:no\.?|nr\.?|#|:)?\s*([a-z0-9][a-z0-9\-/_.]*\d[a-z0-9\-/_.]*)")
        .expect("subject reference pattern")
});
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:requested\s+)?(?:delivery|deliver|ship(?:ping)?|needed|required|liefertermin|lieferdatum|wunschtermin)(?:\s+(?:date|by|on))?\s*:?\s*(\d{4}-\d{2}-\d{2}|\d{1,2}\.\d{1,2}\.\d{4})\s*$",
    )
    .expect("date pattern")
});
static SHIP_TO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:ship(?:ping)?\s+to|deliver(?:y)?\s+to|delivery\s+address|shipping\s+address|lieferadresse|lieferanschrift)\s*:?\s*(.*)$")
        .expect("ship-to pattern")
});
static POSTAL_CITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:([A-Za-z]{1,2})\s*-\s*)?(\d{4,5})\s+(\S.*)$").expect("postal pattern")
});
/// "50 x Industrial IoT SIM", "50 pcs NORDWIND-IOT-4FF @ 4.90 EUR".
static QUANTITY_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(\d{1,7})\s*(?:x|×|pcs\.?|pieces?|units?|stk\.?|stück)?\s+(\S.*)$")
        .expect("quantity-first pattern")
});
/// "NORDWIND-IOT-4FF: 50", "Industrial IoT SIM - qty 50", "Embedded chip x 20".
static QUANTITY_LAST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(\S.*?)\s*(?::|=|–|-|x|×|,|\bqty\.?|\bquantity)\s*(?:qty\.?|quantity|menge)?\s*:?\s*(\d{1,7})\s*(?:x|pcs\.?|pieces?|units?|stk\.?|stück)?\s*$")
        .expect("quantity-last pattern")
});
/// A price at the end of a line: "@ 4.90", "at EUR 4,90 each", "à 4.90 €".
static PRICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\s*(?:(?:@|\bat\b|à|\beach\b|\bje\b|\bunit\s+price\b|\bprice\b)\s*:?\s*)?(eur|€|usd|\$|chf|gbp|£)?\s*(\d{1,7}(?:[.,]\d{3})*(?:[.,]\d{1,2})?)\s*(eur|€|usd|\$|chf|gbp|£)?\s*(?:each|/\s*(?:pc|pcs|unit|stk|ea))?\s*$")
        .expect("price pattern")
});
static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^[\s>]*(?:[-*•·]\s+|\d{1,2}[.)]\s+|pos\.?\s*\d+\s*[:.]?\s+)")
        .expect("marker pattern")
});
/// A line that reads like an order line even when it cannot be read as one.
static LOOKS_LIKE_A_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:sim|esim|chip|pcs|pieces|units|qty|quantity|stk|stück)\b")
        .expect("order-line pattern")
});

fn read_text(text: &str) -> FoundInText {
    let mut lines = Vec::new();
    let mut unread = Vec::new();
    let mut details = Details::default();
    let mut rows = text.lines().map(str::trim_end).peekable();
    while let Some(raw) = rows.next() {
        let line = raw.trim();
        // A signature or the quoted earlier mail ends what the buyer wrote now.
        if line == "--" || line.starts_with('>') || is_quote_header(line) {
            if line == "--" || is_quote_header(line) {
                break;
            }
            continue;
        }
        if line.is_empty() {
            continue;
        }
        if let Some(c) = SHIP_TO.captures(line) {
            let mut block: Vec<String> = Vec::new();
            let first = c[1].trim();
            if !first.is_empty() {
                block.extend(first.split(',').map(|s| s.trim().to_owned()));
            }
            while let Some(next) = rows.peek() {
                let next = next.trim();
                if next.is_empty() && !block.is_empty() {
                    break;
                }
                rows.next();
                if !next.is_empty() {
                    block.push(next.to_owned());
                }
                if block.len() >= 6 {
                    break;
                }
            }
            if details.ship_to.is_none() {
                details.ship_to = read_address(&block);
            }
            continue;
        }
        if let Some(c) = REFERENCE.captures(line) {
            details.reference.get_or_insert_with(|| c[1].to_owned());
            continue;
        }
        if let Some(c) = DATE.captures(line) {
            if details.requested_date.is_none() {
                details.requested_date = read_date(&c[1]);
            }
            continue;
        }
        match read_line(line) {
            Some(found) => lines.push(found),
            None if LOOKS_LIKE_A_LINE.is_match(line)
                && line.chars().any(|c| c.is_ascii_digit()) =>
            {
                unread.push(line.to_owned())
            }
            None => {}
        }
    }
    FoundInText {
        lines,
        unread,
        details,
    }
}

fn is_quote_header(line: &str) -> bool {
    let lower = line.to_lowercase();
    (lower.starts_with("on ") && lower.ends_with("wrote:"))
        || (lower.starts_with("am ") && lower.ends_with("schrieb:"))
        || lower.starts_with("-----original message")
}

/// One order line, or `None` when `line` is no order line.
fn read_line(original: &str) -> Option<RequestedLine> {
    let line = MARKER.replace(original, "");
    let line = line.trim();
    let (quantity, rest) = if let Some(c) = QUANTITY_FIRST.captures(line) {
        (c[1].parse::<u32>().ok()?, c[2].to_owned())
    } else {
        let (price, without_price) = split_price(line, true);
        let c = QUANTITY_LAST.captures(without_price.trim())?;
        let quantity = c[2].parse::<u32>().ok()?;
        let description = c[1].trim().to_owned();
        return words(&description).then(|| RequestedLine {
            text: original.trim().to_owned(),
            code: None,
            description,
            quantity,
            unit_price_minor: price.as_ref().map(|p| p.0),
            currency: price.and_then(|p| p.1),
        });
    };
    let (price, description) = split_price(&rest, true);
    let description = description
        .trim()
        .trim_end_matches([',', ';', '-'])
        .trim()
        .to_owned();
    if quantity == 0 || !words(&description) {
        return None;
    }
    Some(RequestedLine {
        text: original.trim().to_owned(),
        code: None,
        description,
        quantity,
        unit_price_minor: price.as_ref().map(|p| p.0),
        currency: price.and_then(|p| p.1),
    })
}

/// Whether `text` names something (a letter in it), as opposed to "12345".
fn words(text: &str) -> bool {
    text.chars().filter(|c| c.is_alphabetic()).count() >= 2
}

type Money = (i64, Option<String>);

/// Splits a trailing price off `text`. With `need_marker`, a bare number is no price: only
/// one with "@", "at", "each" or a currency is.
fn split_price(text: &str, need_marker: bool) -> (Option<Money>, String) {
    let Some(c) = PRICE.captures(text) else {
        return (None, text.to_owned());
    };
    let whole = c.get(0).expect("whole match");
    let marked = c.get(1).is_some()
        || c.get(3).is_some()
        || whole.as_str().trim_start().starts_with(['@', 'à'])
        || whole.as_str().to_lowercase().contains("at ")
        || whole.as_str().to_lowercase().contains("each")
        || whole.as_str().to_lowercase().contains("price");
    if need_marker && !marked {
        return (None, text.to_owned());
    }
    let Some(minor) = table::read_amount(&c[2]) else {
        return (None, text.to_owned());
    };
    let currency = c.get(1).or(c.get(3)).map(|m| currency_code(m.as_str()));
    (Some((minor, currency)), text[..whole.start()].to_owned())
}

pub(crate) fn currency_code(symbol: &str) -> String {
    match symbol.to_lowercase().as_str() {
        "€" | "eur" => "EUR",
        "$" | "usd" => "USD",
        "£" | "gbp" => "GBP",
        "chf" => "CHF",
        other => return other.to_uppercase(),
    }
    .to_owned()
}

fn read_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d.%m.%Y"))
        .ok()
}

fn subject_reference(subject: &str) -> Option<String> {
    SUBJECT_REFERENCE
        .captures(subject)
        .map(|c| c[1].trim_end_matches(['.', ',']).to_owned())
}

/// An address block: recipient first, then the street, then "postal code city", then
/// optionally the country.
fn read_address(block: &[String]) -> Option<Address> {
    let postal_at = block.iter().position(|l| POSTAL_CITY.is_match(l))?;
    if postal_at == 0 {
        return None;
    }
    let c = POSTAL_CITY.captures(&block[postal_at])?;
    let prefix_country = c.get(1).and_then(|p| country_code(p.as_str()));
    let country = block
        .get(postal_at + 1)
        .and_then(|l| country_code(l))
        .or(prefix_country)
        .unwrap_or_default();
    let (recipient, street) = if postal_at == 1 {
        (String::new(), block[0].clone())
    } else {
        (
            block[..postal_at - 1].join(", "),
            block[postal_at - 1].clone(),
        )
    };
    Some(Address {
        recipient,
        street,
        postal_code: c[2].to_owned(),
        city: c[3].trim().to_owned(),
        country,
    })
}

fn country_code(text: &str) -> Option<String> {
    let lower = text.trim().trim_end_matches('.').to_lowercase();
    let code = match lower.as_str() {
        "germany" | "deutschland" | "d" => "DE",
        "austria" | "österreich" | "a" => "AT",
        "switzerland" | "schweiz" | "suisse" | "ch" => "CH",
        "france" | "f" => "FR",
        "netherlands" | "the netherlands" | "nederland" | "nl" => "NL",
        "belgium" | "belgien" | "b" => "BE",
        "italy" | "italien" | "italia" | "i" => "IT",
        "spain" | "spanien" | "españa" | "e" => "ES",
        "poland" | "polen" | "polska" | "pl" => "PL",
        "denmark" | "dänemark" | "dk" => "DK",
        "sweden" | "schweden" | "s" => "SE",
        "united kingdom" | "uk" | "great britain" | "gb" => "GB",
        "united states" | "usa" | "us" => "US",
        "luxembourg" | "luxemburg" | "l" => "LU",
        other if other.len() == 2 && other.chars().all(|c| c.is_ascii_alphabetic()) => {
            return Some(other.to_uppercase())
        }
        _ => return None,
    };
    Some(code.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str) -> Option<(u32, String, Option<i64>)> {
        read_line(text).map(|l| (l.quantity, l.description, l.unit_price_minor))
    }

    #[test]
    fn reads_the_ways_buyers_write_a_line() {
        assert_eq!(
            line("50 x NORDWIND-IOT-4FF"),
            Some((50, "NORDWIND-IOT-4FF".into(), None))
        );
        assert_eq!(
            line("- 20 pcs Embedded IoT chip @ 6.50 EUR"),
            Some((20, "Embedded IoT chip".into(), Some(650)))
        );
        assert_eq!(
            line("1. 100 Industrial IoT SIM, nano à 4,90 €"),
            Some((100, "Industrial IoT SIM, nano".into(), Some(490)))
        );
        assert_eq!(
            line("NORDWIND-IOT-MFF2: 30"),
            Some((30, "NORDWIND-IOT-MFF2".into(), None))
        );
        assert_eq!(
            line("Industrial IoT SIM nano - qty 40"),
            Some((40, "Industrial IoT SIM nano".into(), None))
        );
        assert_eq!(
            line("Embedded IoT chip x 20 at EUR 1.234,50 each"),
            Some((20, "Embedded IoT chip".into(), Some(123_450)))
        );
        assert_eq!(line("Thank you very much"), None);
        assert_eq!(line("80331"), None);
        assert_eq!(line("0 x Something"), None);
    }

    #[test]
    fn reads_reference_date_and_address_and_stops_at_the_quote() {
        let found = read_text(
            "Hello,\n\nplease deliver:\n\n10 x NORDWIND-IOT-4FF\n\nOur order no: HL-2026-118\n\
             Delivery date: 24.12.2026\n\nShip to:\nHafenlogistik GmbH\nKai 7\n20457 Hamburg\nGermany\n\n\
             Regards\n-- \nJane\n50 x not an order\n",
        );
        assert_eq!(found.lines.len(), 1);
        assert_eq!(found.details.reference.as_deref(), Some("HL-2026-118"));
        assert_eq!(
            found.details.requested_date,
            NaiveDate::from_ymd_opt(2026, 12, 24)
        );
        let address = found.details.ship_to.expect("address");
        assert_eq!(address.recipient, "Hafenlogistik GmbH");
        assert_eq!(address.street, "Kai 7");
        assert_eq!(address.postal_code, "20457");
        assert_eq!(address.city, "Hamburg");
        assert_eq!(address.country, "DE");
    }

    #[test]
    fn keeps_what_looks_like_a_line_but_cannot_be_read() {
        let found = read_text("SIM cards, the usual amount please (pcs as last time, 2x)\n");
        assert!(found.lines.is_empty());
        assert_eq!(found.unread.len(), 1);
    }

    #[test]
    fn finds_the_reference_in_the_subject() {
        assert_eq!(
            subject_reference("Order PO-4711 for March").as_deref(),
            Some("PO-4711")
        );
        assert_eq!(subject_reference("Hello"), None);
    }
}
