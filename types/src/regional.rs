//! How a user reads times, numbers and money: their time zone and their format.
//!
//! The server resolves the user's IANA time zone into [`ZoneRules`], the offsets it takes over
//! the years that matter, so the browser formats times exactly as the server rendered them
//! without carrying a time zone database in the WASM.

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Price;

/// The language of the interface, and with it the conventions for dates, numbers and money.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Locale {
    /// 2026-12-07 14:30 · 1,234.50 EUR
    #[default]
    English,
    /// 07.12.2026 14:30 · 1.234,50 EUR
    German,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::English, Locale::German];

    /// The code stored and posted: a BCP 47 language tag.
    pub fn code(self) -> &'static str {
        match self {
            Locale::English => "en",
            Locale::German => "de",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }

    /// The choice as a user picks it, with an example.
    pub fn label(self) -> &'static str {
        match self {
            Locale::English => "English: 2026-12-07 14:30, 1,234.50 EUR",
            Locale::German => "Deutsch: 07.12.2026 14:30, 1.234,50 EUR",
        }
    }

    /// Of a text written in both languages, the one in this locale's: for the few texts the
    /// service layer writes itself (the dashboard's), where the pages' translations are out of
    /// reach.
    pub fn pick<T>(self, english: T, german: T) -> T {
        match self {
            Locale::English => english,
            Locale::German => german,
        }
    }

    fn separators(self) -> (char, char) {
        match self {
            Locale::English => (',', '.'),
            Locale::German => ('.', ','),
        }
    }
}

/// From `from` (seconds since the Unix epoch) on, a zone is `offset` seconds ahead of UTC and
/// abbreviated `abbreviation`, until the next span begins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneSpan {
    pub from: i64,
    pub offset: i32,
    pub abbreviation: String,
}

/// A time zone's offsets in order of `from`. The first span also covers all times before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneRules {
    /// The IANA name, such as `Europe/Berlin`.
    pub name: String,
    pub spans: Vec<ZoneSpan>,
}

impl ZoneRules {
    pub fn utc() -> Self {
        ZoneRules {
            name: "UTC".to_owned(),
            spans: vec![ZoneSpan {
                from: i64::MIN,
                offset: 0,
                abbreviation: "UTC".to_owned(),
            }],
        }
    }

    /// The span in force at `at`.
    pub fn span_at(&self, at: &DateTime<Utc>) -> Option<&ZoneSpan> {
        let seconds = at.timestamp();
        let after = self.spans.partition_point(|span| span.from <= seconds);
        self.spans.get(after.saturating_sub(1))
    }

    /// `at` as the zone's wall-clock time, with the abbreviation in force then.
    pub fn local(&self, at: &DateTime<Utc>) -> (NaiveDateTime, &str) {
        match self.span_at(at) {
            Some(span) => {
                let offset = FixedOffset::east_opt(span.offset)
                    .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero is a valid offset"));
                (
                    at.with_timezone(&offset).naive_local(),
                    span.abbreviation.as_str(),
                )
            }
            None => (at.naive_utc(), "UTC"),
        }
    }
}

impl Default for ZoneRules {
    fn default() -> Self {
        Self::utc()
    }
}

/// A user's regional settings, as every page formats with them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Regional {
    pub locale: Locale,
    pub zone: ZoneRules,
}

impl Regional {
    /// A moment as date and time in the user's zone, with the zone's abbreviation.
    pub fn time(&self, at: &DateTime<Utc>) -> String {
        let (local, abbreviation) = self.zone.local(at);
        let pattern = match self.locale {
            Locale::English => "%Y-%m-%d %H:%M",
            Locale::German => "%d.%m.%Y %H:%M",
        };
        format!("{} {abbreviation}", local.format(pattern))
    }

    /// An RFC 3339 timestamp as [`Regional::time`] writes it; text that is no timestamp is
    /// shown as it came.
    pub fn time_text(&self, rfc3339: &str) -> String {
        DateTime::parse_from_rfc3339(rfc3339)
            .map(|at| self.time(&at.with_timezone(&Utc)))
            .unwrap_or_else(|_| rfc3339.to_owned())
    }

    /// The day of a moment in the user's zone.
    pub fn date(&self, at: &DateTime<Utc>) -> String {
        let (local, _) = self.zone.local(at);
        let pattern = match self.locale {
            Locale::English => "%Y-%m-%d",
            Locale::German => "%d.%m.%Y",
        };
        local.format(pattern).to_string()
    }

    /// The day of an RFC 3339 timestamp, as [`Regional::date`] writes it.
    pub fn date_text(&self, rfc3339: &str) -> String {
        DateTime::parse_from_rfc3339(rfc3339)
            .map(|at| self.date(&at.with_timezone(&Utc)))
            .unwrap_or_else(|_| rfc3339.get(..10).unwrap_or(rfc3339).to_owned())
    }

    /// A whole number with thousands grouped: 12,345 or 12.345.
    pub fn number(&self, value: i64) -> String {
        let (group, _) = self.locale.separators();
        let sign = if value < 0 { "-" } else { "" };
        format!("{sign}{}", grouped(value.unsigned_abs(), group))
    }

    /// A measure with `decimals` digits after the separator: 1,234.5 or 1.234,5.
    pub fn decimal(&self, value: f64, decimals: u8) -> String {
        let (group, decimal) = self.locale.separators();
        let text = format!("{:.*}", usize::from(decimals), value.abs());
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        let whole = whole
            .parse::<u64>()
            .map_or_else(|_| whole.to_owned(), |w| grouped(w, group));
        let sign = if value < 0.0 && text.chars().any(|c| ('1'..='9').contains(&c)) {
            "-"
        } else {
            ""
        };
        if fraction.is_empty() {
            format!("{sign}{whole}")
        } else {
            format!("{sign}{whole}{decimal}{fraction}")
        }
    }

    /// An amount with its currency's decimals and code: 1,234.50 EUR or 1.234,50 EUR.
    pub fn money(&self, price: &Price) -> String {
        let (group, decimal) = self.locale.separators();
        let sign = if price.minor < 0 { "-" } else { "" };
        let minor = price.minor.unsigned_abs();
        let amount = match price.digits {
            0 => grouped(minor, group),
            digits => {
                let scale = 10_u64.pow(u32::from(digits));
                format!(
                    "{}{decimal}{:0width$}",
                    grouped(minor / scale, group),
                    minor % scale,
                    width = usize::from(digits)
                )
            }
        };
        format!("{sign}{amount} {}", price.currency)
    }
}

/// The user's choice as the preferences page shows it, with the zones to choose from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionalSettings {
    pub time_zone: String,
    pub locale: Locale,
    /// Every IANA zone a user may pick, sorted by name.
    pub time_zones: Vec<String>,
}

fn grouped(value: u64, separator: char) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// Berlin around the end of summer time 2026 (25 October, 01:00 UTC).
    fn berlin() -> ZoneRules {
        ZoneRules {
            name: "Europe/Berlin".into(),
            spans: vec![
                ZoneSpan {
                    from: Utc
                        .with_ymd_and_hms(2026, 3, 29, 1, 0, 0)
                        .unwrap()
                        .timestamp(),
                    offset: 7200,
                    abbreviation: "CEST".into(),
                },
                ZoneSpan {
                    from: Utc
                        .with_ymd_and_hms(2026, 10, 25, 1, 0, 0)
                        .unwrap()
                        .timestamp(),
                    offset: 3600,
                    abbreviation: "CET".into(),
                },
            ],
        }
    }

    fn price(minor: i64, currency: &str, digits: u8) -> Price {
        Price {
            minor,
            currency: currency.into(),
            display: String::new(),
            digits,
        }
    }

    #[test]
    fn times_follow_the_zone_across_a_change_of_offset() {
        let regional = Regional {
            locale: Locale::German,
            zone: berlin(),
        };
        let before = Utc.with_ymd_and_hms(2026, 10, 25, 0, 59, 0).unwrap();
        let after = Utc.with_ymd_and_hms(2026, 10, 25, 1, 0, 0).unwrap();
        assert_eq!(regional.time(&before), "25.10.2026 02:59 CEST");
        assert_eq!(regional.time(&after), "25.10.2026 02:00 CET");
        // Before the first span, its offset holds.
        let spring = Utc.with_ymd_and_hms(2026, 1, 31, 23, 30, 0).unwrap();
        assert_eq!(regional.date(&spring), "01.02.2026");
    }

    #[test]
    fn the_default_is_what_simdesk_always_showed() {
        let regional = Regional::default();
        let at = Utc.with_ymd_and_hms(2026, 12, 7, 9, 5, 0).unwrap();
        assert_eq!(regional.time(&at), "2026-12-07 09:05 UTC");
        assert_eq!(
            regional.time_text("2026-12-07T09:05:00Z"),
            "2026-12-07 09:05 UTC"
        );
        assert_eq!(regional.time_text("not a time"), "not a time");
    }

    #[test]
    fn numbers_and_money_group_and_separate_by_format() {
        let english = Regional::default();
        let german = Regional {
            locale: Locale::German,
            zone: ZoneRules::utc(),
        };
        assert_eq!(english.number(1_234_567), "1,234,567");
        assert_eq!(german.number(-1_234), "-1.234");
        assert_eq!(german.number(999), "999");
        assert_eq!(german.decimal(12_345.25, 1), "12.345,2");
        assert_eq!(english.decimal(12_345.0, 0), "12,345");
        assert_eq!(english.decimal(-0.01, 1), "0.0");
        assert_eq!(english.decimal(-2.5, 1), "-2.5");
        assert_eq!(english.money(&price(123_450, "EUR", 2)), "1,234.50 EUR");
        assert_eq!(german.money(&price(123_450, "EUR", 2)), "1.234,50 EUR");
        assert_eq!(german.money(&price(5, "EUR", 2)), "0,05 EUR");
        assert_eq!(english.money(&price(150_000, "JPY", 0)), "150,000 JPY");
        assert_eq!(german.money(&price(-5_001, "BHD", 3)), "-5,001 BHD");
    }

    #[test]
    fn locale_codes_round_trip() {
        for locale in Locale::ALL {
            assert_eq!(Locale::from_code(locale.code()), Some(locale));
        }
        assert_eq!(Locale::from_code("fr"), None);
    }
}
