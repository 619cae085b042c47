//! Prices: integer minor units of an ISO 4217 currency. Never floats.

use iso_currency::Currency;
use simdesk_types::{Price, Wording};

use crate::{DomainError, DomainResult};

/// A validated ISO 4217 code and its number of minor-unit digits.
pub fn currency(code: &str, field: &str) -> DomainResult<(String, u32)> {
    let code = code.trim().to_uppercase();
    let currency = Currency::from_code(&code).ok_or_else(|| {
        DomainError::invalid(
            field,
            Wording::new(
                format!("{code:?} is not an ISO 4217 currency code, such as EUR."),
                format!("„{code}“ ist kein ISO-4217-Währungscode wie EUR."),
            ),
        )
    })?;
    // Funds and precious metals have no exponent; they are no currency to price SIMs in.
    let digits = currency.exponent().ok_or_else(|| {
        DomainError::invalid(
            field,
            Wording::new(
                format!("{code} cannot be used for prices."),
                format!("{code} kann nicht für Preise verwendet werden."),
            ),
        )
    })?;
    Ok((code, u32::from(digits)))
}

/// Parses a positive decimal amount ("4.90", "1200", "0,99") into minor units.
pub fn parse_amount(text: &str, digits: u32, field: &str) -> DomainResult<i64> {
    let text = text.trim().replace(',', ".");
    let invalid = |english: String, german: String| {
        DomainError::invalid(field, Wording::new(english, german))
    };
    let too_large = || {
        invalid(
            "The price is too large.".into(),
            "Der Preis ist zu hoch.".into(),
        )
    };
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if whole.is_empty() && fraction.is_empty() {
        return Err(invalid(
            "Enter a price, such as 4.90.".into(),
            "Geben Sie einen Preis ein, etwa 4,90.".into(),
        ));
    }
    if !whole.chars().all(|c| c.is_ascii_digit()) || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return Err(invalid(
            format!("{text:?} is not a price; use digits and one decimal point, such as 4.90."),
            format!(
                "„{text}“ ist kein Preis; verwenden Sie Ziffern und ein Dezimalkomma, etwa 4,90."
            ),
        ));
    }
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > digits as usize {
        return Err(invalid(
            format!("Use at most {digits} decimal places for this currency."),
            format!("Verwenden Sie für diese Währung höchstens {digits} Nachkommastellen."),
        ));
    }
    let scale = 10_i64.pow(digits);
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| too_large())?
    };
    let fraction_value: i64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<width$}", width = digits as usize)
            .parse()
            .map_err(|_| {
                invalid(
                    "The price is not a number.".into(),
                    "Der Preis ist keine Zahl.".into(),
                )
            })?
    };
    let minor = whole
        .checked_mul(scale)
        .and_then(|w| w.checked_add(fraction_value))
        .ok_or_else(too_large)?;
    if minor <= 0 {
        return Err(invalid(
            "The price must be greater than zero.".into(),
            "Der Preis muss größer als null sein.".into(),
        ));
    }
    Ok(minor)
}

/// The digits after the decimal point of a currency's amounts (2 for EUR, 0 for JPY; 2 for a
/// code ISO 4217 does not know).
pub fn minor_digits(currency_code: &str) -> u32 {
    Currency::from_code(currency_code)
        .and_then(|c| c.exponent())
        .map_or(2, u32::from)
}

/// Writes minor units as a decimal with the currency's digits: 490 EUR → "4.90".
pub fn format_amount(minor: i64, currency_code: &str) -> String {
    let digits = minor_digits(currency_code);
    if digits == 0 {
        return minor.to_string();
    }
    let scale = 10_i64.pow(digits);
    let sign = if minor < 0 { "-" } else { "" };
    let minor = minor.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        minor / scale as u64,
        minor % scale as u64,
        width = digits as usize
    )
}

pub fn price(minor: i64, currency_code: &str) -> Price {
    Price {
        minor,
        currency: currency_code.to_owned(),
        display: format!("{} {currency_code}", format_amount(minor, currency_code)),
        digits: u8::try_from(minor_digits(currency_code)).unwrap_or(2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_exactly_per_currency() {
        assert_eq!(parse_amount("4.90", 2, "p").unwrap(), 490);
        assert_eq!(parse_amount("4,9", 2, "p").unwrap(), 490);
        assert_eq!(parse_amount(" 1200 ", 2, "p").unwrap(), 120_000);
        assert_eq!(parse_amount("0.005", 3, "p").unwrap(), 5);
        assert_eq!(parse_amount("150", 0, "p").unwrap(), 150);
        assert_eq!(parse_amount("1.50", 0, "p").ok(), None);
        assert_eq!(parse_amount("1.500", 2, "p").unwrap(), 150);
        for bad in [
            "",
            "0",
            "0.00",
            "-1",
            "1e3",
            "abc",
            "1.2.3",
            "99999999999999999999",
        ] {
            assert!(parse_amount(bad, 2, "p").is_err(), "{bad}");
        }
    }

    #[test]
    fn currencies_are_checked_against_iso_4217() {
        assert_eq!(currency(" eur ", "c").unwrap(), ("EUR".to_owned(), 2));
        assert_eq!(currency("JPY", "c").unwrap().1, 0);
        assert_eq!(currency("BHD", "c").unwrap().1, 3);
        assert!(currency("EURO", "c").is_err());
        assert!(currency("XAU", "c").is_err(), "gold has no minor unit");
    }

    #[test]
    fn amounts_format_with_the_currency_digits() {
        assert_eq!(format_amount(490, "EUR"), "4.90");
        assert_eq!(format_amount(5, "BHD"), "0.005");
        assert_eq!(format_amount(150, "JPY"), "150");
        assert_eq!(price(1999, "CHF").display, "19.99 CHF");
    }
}
