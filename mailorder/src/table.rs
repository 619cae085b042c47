//! Order lines from a CSV attachment with a header row (comma, semicolon or tab separated).

use crate::order::{currency_code, RequestedLine};

const CODE: [&str; 10] = [
    "part number",
    "part no",
    "partnumber",
    "sku",
    "article",
    "article no",
    "artikelnummer",
    "material",
    "code",
    "product code",
];
const DESCRIPTION: [&str; 6] = [
    "description",
    "name",
    "product",
    "bezeichnung",
    "artikel",
    "item",
];
const QUANTITY: [&str; 5] = ["quantity", "qty", "menge", "anzahl", "amount"];
const PRICE: [&str; 6] = [
    "unit price",
    "price",
    "preis",
    "einzelpreis",
    "net price",
    "unit_price",
];
const CURRENCY: [&str; 2] = ["currency", "währung"];

/// The lines of `text`, and the rows that could not be read.
pub(crate) fn read_lines(text: &str) -> (Vec<RequestedLine>, Vec<String>) {
    let first = text.lines().next().unwrap_or("");
    let delimiter = [b';', b'\t', b',']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let Ok(headers) = reader.headers().cloned() else {
        return (Vec::new(), vec![first.to_owned()]);
    };
    let column = |names: &[&str]| {
        headers.iter().position(|h| {
            let h = h
                .trim()
                .trim_start_matches('\u{feff}')
                .to_lowercase()
                .replace(['_', '.'], " ");
            names.iter().any(|n| h.trim() == *n)
        })
    };
    let (code, description, quantity, price, currency) = (
        column(&CODE),
        column(&DESCRIPTION),
        column(&QUANTITY),
        column(&PRICE),
        column(&CURRENCY),
    );
    let Some(quantity) = quantity else {
        return (Vec::new(), vec![format!("no quantity column in: {first}")]);
    };
    if code.is_none() && description.is_none() {
        return (Vec::new(), vec![format!("no product column in: {first}")]);
    }
    let mut lines = Vec::new();
    let mut unread = Vec::new();
    for record in reader.records() {
        let Ok(record) = record else {
            unread.push("a row that is no valid CSV".to_owned());
            continue;
        };
        let field = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("").to_owned();
        let text = record
            .iter()
            .collect::<Vec<_>>()
            .join(&(delimiter as char).to_string());
        let quantity_text = field(Some(quantity));
        if quantity_text.is_empty() && field(code).is_empty() && field(description).is_empty() {
            continue;
        }
        let Some(quantity) = quantity_text.parse::<u32>().ok().filter(|q| *q > 0) else {
            unread.push(text);
            continue;
        };
        let price_text = field(price);
        let (unit_price_minor, symbol) = split_currency(&price_text);
        let currency = Some(field(currency))
            .filter(|c| !c.is_empty())
            .map(|c| currency_code(&c))
            .or(symbol);
        let code_text = field(code);
        lines.push(RequestedLine {
            text,
            code: Some(code_text.clone()).filter(|c| !c.is_empty()),
            description: Some(field(description))
                .filter(|d| !d.is_empty())
                .unwrap_or(code_text),
            quantity,
            unit_price_minor,
            currency,
        });
    }
    (lines, unread)
}

fn split_currency(text: &str) -> (Option<i64>, Option<String>) {
    let symbols = ["EUR", "€", "USD", "$", "CHF", "GBP", "£"];
    let mut amount = text.trim();
    let mut currency = None;
    for symbol in symbols {
        if let Some(rest) = amount
            .strip_prefix(symbol)
            .or_else(|| amount.strip_suffix(symbol))
        {
            currency = Some(currency_code(symbol));
            amount = rest.trim();
        }
    }
    (read_amount(amount), currency)
}

/// An amount as people write it ("4.90", "4,90", "1.234,50", "1,234.50") in minor units.
pub(crate) fn read_amount(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.is_empty()
        || !text
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return None;
    }
    // The last separator followed by one or two digits is the decimal one.
    let (whole, fraction) = match text.rfind(['.', ',']) {
        Some(at) if text.len() - at - 1 <= 2 => (&text[..at], &text[at + 1..]),
        _ => (text, ""),
    };
    let whole: String = whole.chars().filter(char::is_ascii_digit).collect();
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let cents: i64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<i64>().ok()? * 10,
        _ => fraction.parse().ok()?,
    };
    whole.checked_mul(100)?.checked_add(cents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_semicolon_csv_with_german_headers() {
        let (lines, unread) = read_lines(
            "Artikelnummer;Bezeichnung;Menge;Einzelpreis\n\
             NORDWIND-IOT-4FF;Industrial IoT SIM;100;4,90 €\n\
             NORDWIND-IOT-MFF2;Embedded IoT chip;zwanzig;6,50\n\
             ;;;\n",
        );
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].code.as_deref(), Some("NORDWIND-IOT-4FF"));
        assert_eq!(lines[0].quantity, 100);
        assert_eq!(lines[0].unit_price_minor, Some(490));
        assert_eq!(lines[0].currency.as_deref(), Some("EUR"));
        assert_eq!(unread.len(), 1);
    }

    #[test]
    fn refuses_a_table_without_quantities() {
        let (lines, unread) = read_lines("sku,name\nA-1,Thing\n");
        assert!(lines.is_empty());
        assert!(unread[0].contains("no quantity column"));
    }

    #[test]
    fn reads_amounts() {
        assert_eq!(read_amount("4.90"), Some(490));
        assert_eq!(read_amount("4,9"), Some(490));
        assert_eq!(read_amount("1.234,50"), Some(123_450));
        assert_eq!(read_amount("1,234.50"), Some(123_450));
        assert_eq!(read_amount("1234"), Some(123_400));
        assert_eq!(read_amount("12a"), None);
    }
}
