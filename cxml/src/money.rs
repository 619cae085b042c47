//! Exact amounts: [`Money`] in integer minor units and [`Quantity`] as a
//! scaled integer. No floating point anywhere.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use std::fmt;

/// Number of minor-unit digits of an ISO 4217 currency code (compared
/// case-insensitively): 0 for JPY, KRW and other zero-decimal currencies,
/// 3 for BHD, KWD, OMR, JOD, TND, IQD and LYD, otherwise 2.
pub fn minor_unit_digits(currency: &str) -> u32 {
    const ZERO: &[&str] = &[
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
        "VUV", "XAF", "XOF", "XPF",
    ];
    const THREE: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
    let c = currency.trim();
    if ZERO.iter().any(|z| z.eq_ignore_ascii_case(c)) {
        0
    } else if THREE.iter().any(|z| z.eq_ignore_ascii_case(c)) {
        3
    } else {
        2
    }
}

/// A plain decimal number split into sign, integer digits, fraction digits.
struct DecimalParts<'a> {
    negative: bool,
    int: &'a str,
    frac: &'a str,
    exp: i32,
}

fn split_decimal(s: &str, allow_exp: bool) -> Result<DecimalParts<'_>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("empty number".into());
    }
    let (negative, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (mantissa, exp) = match rest.find(['e', 'E']) {
        Some(i) if allow_exp => {
            let e: i32 = rest[i + 1..]
                .parse()
                .map_err(|_| format!("bad exponent in {s:?}"))?;
            (&rest[..i], e)
        }
        Some(_) => return Err("exponent notation is not allowed here".into()),
        None => (rest, 0),
    };
    let (int, frac) = match mantissa.find('.') {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
        None => (mantissa, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return Err("no digits".into());
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err("only digits, one '.' and an optional sign are allowed".into());
    }
    Ok(DecimalParts {
        negative,
        int,
        frac,
        exp,
    })
}

fn digits_to_i64(digits: &str, acc: i64) -> Option<i64> {
    digits.bytes().try_fold(acc, |acc, b| {
        acc.checked_mul(10)?.checked_add(i64::from(b - b'0'))
    })
}

/// An amount of money in integer minor units (cents) of an ISO 4217 currency.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Money {
    /// Amount in minor units, e.g. 1250 for 12.50 EUR.
    pub minor_units: i64,
    /// ISO 4217 currency code as given (e.g. `EUR`).
    pub currency: String,
}

impl Money {
    /// Creates an amount from minor units.
    pub fn new(minor_units: i64, currency: impl Into<String>) -> Self {
        Money {
            minor_units,
            currency: currency.into(),
        }
    }

    /// Parses a decimal string such as `12.50` exactly. Extra trailing zero
    /// decimals are accepted; non-zero digits beyond the currency's minor unit
    /// are refused.
    pub fn parse(amount: &str, currency: &str) -> Result<Money, String> {
        let digits = minor_unit_digits(currency);
        let p = split_decimal(amount, false)?;
        let frac = p.frac.trim_end_matches('0');
        if frac.len() > digits as usize {
            return Err(format!(
                "{} has more decimals than the {} decimal(s) of currency {}",
                amount.trim(),
                digits,
                currency.trim()
            ));
        }
        let overflow = || format!("amount {} is too large", amount.trim());
        let mut v = digits_to_i64(p.int, 0).ok_or_else(overflow)?;
        v = digits_to_i64(frac, v).ok_or_else(overflow)?;
        for _ in frac.len()..digits as usize {
            v = v.checked_mul(10).ok_or_else(overflow)?;
        }
        Ok(Money {
            minor_units: if p.negative { -v } else { v },
            currency: currency.trim().to_string(),
        })
    }

    /// Minor-unit digits of this amount's currency.
    pub fn minor_digits(&self) -> u32 {
        minor_unit_digits(&self.currency)
    }

    /// The amount as a decimal string with exactly the currency's decimals.
    pub fn amount_string(&self) -> String {
        let digits = self.minor_digits() as usize;
        let abs = self.minor_units.unsigned_abs().to_string();
        let sign = if self.minor_units < 0 { "-" } else { "" };
        if digits == 0 {
            return format!("{sign}{abs}");
        }
        let padded = format!("{abs:0>width$}", width = digits + 1);
        let (int, frac) = padded.split_at(padded.len() - digits);
        format!("{sign}{int}.{frac}")
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount_string(), self.currency)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Money", 3)?;
        st.serialize_field("amount", &self.amount_string())?;
        st.serialize_field("currency", &self.currency)?;
        st.serialize_field("minor_units", &self.minor_units)?;
        st.end()
    }
}

/// Largest number of decimals a [`Quantity`] keeps.
const MAX_SCALE: u32 = 18;

/// An exact decimal quantity (cXML `%r8;`), stored as `mantissa / 10^scale`
/// in normalized form (no trailing fractional zeros).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Quantity {
    mantissa: i64,
    scale: u32,
}

impl Quantity {
    /// A whole quantity.
    pub fn from_integer(n: i64) -> Self {
        Quantity {
            mantissa: n,
            scale: 0,
        }
    }

    /// `mantissa / 10^scale`, normalized. `None` if `scale` exceeds 18.
    pub fn new(mantissa: i64, scale: u32) -> Option<Self> {
        if scale > MAX_SCALE {
            return None;
        }
        let mut q = Quantity { mantissa, scale };
        while q.scale > 0 && q.mantissa % 10 == 0 {
            q.mantissa /= 10;
            q.scale -= 1;
        }
        Some(q)
    }

    /// Parses `10`, `2.5`, `-1`, `1.0E2` exactly.
    pub fn parse(s: &str) -> Result<Self, String> {
        let p = split_decimal(s, true)?;
        let too_big = || format!("quantity {} is out of range", s.trim());
        let mut mantissa = digits_to_i64(p.int, 0).ok_or_else(too_big)?;
        mantissa = digits_to_i64(p.frac, mantissa).ok_or_else(too_big)?;
        if mantissa == 0 {
            return Ok(Quantity::from_integer(0));
        }
        if p.exp.unsigned_abs() > 64 {
            return Err(too_big());
        }
        let mut scale = i64::try_from(p.frac.len()).map_err(|_| too_big())? - i64::from(p.exp);
        while scale < 0 {
            mantissa = mantissa.checked_mul(10).ok_or_else(too_big)?;
            scale += 1;
        }
        // Drop trailing zeros before checking the scale limit.
        while scale > 0 && mantissa % 10 == 0 {
            mantissa /= 10;
            scale -= 1;
        }
        let scale = u32::try_from(scale).map_err(|_| too_big())?;
        if scale > MAX_SCALE {
            return Err(format!("quantity {} has too many decimals", s.trim()));
        }
        Ok(Quantity {
            mantissa: if p.negative { -mantissa } else { mantissa },
            scale,
        })
    }

    /// The value if it is a whole number.
    pub fn as_integer(&self) -> Option<i64> {
        (self.scale == 0).then_some(self.mantissa)
    }

    /// Unscaled digits.
    pub fn mantissa(&self) -> i64 {
        self.mantissa
    }

    /// Number of decimals.
    pub fn scale(&self) -> u32 {
        self.scale
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scale == 0 {
            return write!(f, "{}", self.mantissa);
        }
        let width = self.scale as usize + 1;
        let abs = format!("{:0>width$}", self.mantissa.unsigned_abs());
        let (int, frac) = abs.split_at(abs.len() - self.scale as usize);
        let sign = if self.mantissa < 0 { "-" } else { "" };
        write!(f, "{sign}{int}.{frac}")
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_parse_and_format() {
        let m = Money::parse("12.50", "EUR").unwrap();
        assert_eq!(m.minor_units, 1250);
        assert_eq!(m.amount_string(), "12.50");
        assert_eq!(Money::parse("12.5", "EUR").unwrap().minor_units, 1250);
        assert_eq!(Money::parse(" 85.000 ", "EUR").unwrap().minor_units, 8500);
        assert_eq!(Money::parse("1000", "JPY").unwrap().amount_string(), "1000");
        assert_eq!(Money::parse("1.234", "KWD").unwrap().minor_units, 1234);
        assert_eq!(
            Money::parse("-0.05", "USD").unwrap().amount_string(),
            "-0.05"
        );
        assert_eq!(Money::parse(".5", "USD").unwrap().minor_units, 50);
        assert_eq!(Money::new(5, "bhd").amount_string(), "0.005");
        assert!(Money::parse("12.505", "EUR").is_err());
        assert!(Money::parse("1.5", "JPY").is_err());
        assert!(Money::parse("1,50", "EUR").is_err());
        assert!(Money::parse("", "EUR").is_err());
        assert!(Money::parse("1e3", "EUR").is_err());
        assert!(Money::parse("99999999999999999999", "EUR").is_err());
        assert_eq!(
            Money::new(i64::MIN, "EUR").amount_string(),
            "-92233720368547758.08"
        );
    }

    #[test]
    fn quantity_parse_and_format() {
        assert_eq!(Quantity::parse("10").unwrap().as_integer(), Some(10));
        assert_eq!(
            Quantity::parse("10.00").unwrap(),
            Quantity::from_integer(10)
        );
        assert_eq!(Quantity::parse("2.5").unwrap().to_string(), "2.5");
        assert_eq!(Quantity::parse("-0.25").unwrap().to_string(), "-0.25");
        assert_eq!(Quantity::parse("1.5E2").unwrap().to_string(), "150");
        assert_eq!(Quantity::parse("15e-3").unwrap().to_string(), "0.015");
        assert!(Quantity::parse("abc").is_err());
        assert!(Quantity::parse("1e400").is_err());
        assert_eq!(Quantity::new(1500, 3).unwrap().to_string(), "1.5");
    }
}
