//! Lenient timestamp reading and strict RFC 3339 writing.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat};

/// Formats a timestamp as RFC 3339 with an explicit offset (`+00:00`, never `Z`).
pub fn format_timestamp(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// Parses a timestamp leniently. See [`parse_timestamp_noted`].
pub fn parse_timestamp(s: &str) -> Option<DateTime<FixedOffset>> {
    parse_timestamp_noted(s).ok().map(|(t, _)| t)
}

/// Parses RFC 3339 and the variants buyers send: no zone (assumed UTC),
/// space instead of `T`, fractional seconds, `-0500` offsets, date only
/// (midnight UTC), RFC 2822 and Ruby style `Mon May 19 18:29:48 +0000 2008`.
/// Returns the value and notes about each leniency applied.
pub fn parse_timestamp_noted(
    s: &str,
) -> Result<(DateTime<FixedOffset>, Vec<&'static str>), String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("empty timestamp".into());
    }
    if s.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return parse_iso(s);
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Ok((t, vec!["timestamp was in RFC 2822 form"]));
    }
    parse_ruby(s).ok_or_else(|| "not a recognised timestamp form (expected RFC 3339)".to_string())
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn digits(&mut self, n: usize) -> Option<u32> {
        let end = self.i.checked_add(n)?;
        let chunk = self.b.get(self.i..end)?;
        if !chunk.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.i = end;
        Some(chunk.iter().fold(0, |a, d| a * 10 + u32::from(d - b'0')))
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn rest(&self) -> &[u8] {
        self.b.get(self.i..).unwrap_or(&[])
    }
}

fn parse_iso(s: &str) -> Result<(DateTime<FixedOffset>, Vec<&'static str>), String> {
    let bad = || format!("{s:?} is not a recognised timestamp (expected RFC 3339)");
    let mut notes = Vec::new();
    let mut c = Cursor {
        b: s.as_bytes(),
        i: 0,
    };
    let year = c.digits(4).ok_or_else(bad)?;
    let (month, day) = if c.eat(b'-') {
        let m = c.digits(2).ok_or_else(bad)?;
        if !c.eat(b'-') {
            return Err(bad());
        }
        (m, c.digits(2).ok_or_else(bad)?)
    } else {
        return Err(bad());
    };
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)
        .ok_or_else(|| format!("{s:?} is not a valid calendar date"))?;
    if c.peek().is_none() {
        notes.push("timestamp was a date only; assumed midnight UTC");
        let dt = date.and_time(NaiveTime::MIN);
        return Ok((dt.and_utc().fixed_offset(), notes));
    }
    match c.peek() {
        Some(b'T') | Some(b't') => c.i += 1,
        Some(b' ') => {
            c.i += 1;
            notes.push("timestamp used a space instead of 'T'");
        }
        _ => return Err(bad()),
    }
    let hour = c.digits(2).ok_or_else(bad)?;
    if !c.eat(b':') {
        return Err(bad());
    }
    let minute = c.digits(2).ok_or_else(bad)?;
    let second = if c.eat(b':') {
        c.digits(2).ok_or_else(bad)?
    } else {
        notes.push("timestamp had no seconds; assumed :00");
        0
    };
    let mut nanos = 0u32;
    if c.eat(b'.') || c.eat(b',') {
        let start = c.i;
        let mut scale = 100_000_000u32;
        while let Some(d) = c.peek().filter(u8::is_ascii_digit) {
            nanos += u32::from(d - b'0') * scale;
            scale /= 10;
            c.i += 1;
        }
        if c.i == start {
            return Err(bad());
        }
    }
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)
        .ok_or_else(|| format!("{s:?} has an invalid time of day"))?;
    let naive = NaiveDateTime::new(date, time);
    while c.eat(b' ') {}
    let offset = parse_zone(&mut c, &mut notes).ok_or_else(bad)?;
    if !c.rest().is_empty() {
        return Err(bad());
    }
    let offset = match offset {
        Some(o) => o,
        None => {
            notes.push("timestamp had no zone; assumed UTC");
            FixedOffset::east_opt(0).ok_or_else(bad)?
        }
    };
    let dt = naive.and_local_timezone(offset).single().ok_or_else(bad)?;
    Ok((dt, notes))
}

/// `Some(None)`: no zone present. `None`: unparseable zone.
fn parse_zone(c: &mut Cursor<'_>, notes: &mut Vec<&'static str>) -> Option<Option<FixedOffset>> {
    let rest = c.rest();
    if rest.is_empty() {
        return Some(None);
    }
    if rest.eq_ignore_ascii_case(b"z") {
        c.i += 1;
        return Some(FixedOffset::east_opt(0));
    }
    if rest.eq_ignore_ascii_case(b"utc") || rest.eq_ignore_ascii_case(b"gmt") {
        c.i += 3;
        notes.push("timestamp zone was written as a name; read as UTC");
        return Some(FixedOffset::east_opt(0));
    }
    let sign = match c.peek()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    c.i += 1;
    let h = c.digits(2)?;
    let m = if c.eat(b':') {
        c.digits(2)?
    } else if c.peek().is_some() {
        notes.push("timestamp offset had no colon");
        c.digits(2)?
    } else {
        notes.push("timestamp offset had hours only");
        0
    };
    if h > 23 || m > 59 {
        return None;
    }
    Some(FixedOffset::east_opt(
        sign * (h as i32 * 3600 + m as i32 * 60),
    ))
}

/// `Mon May 19 18:29:48 +0000 2008` (also with `UTC` as the zone).
fn parse_ruby(s: &str) -> Option<(DateTime<FixedOffset>, Vec<&'static str>)> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    let [wday, mon, day, time, zone, year] = parts.as_slice() else {
        return None;
    };
    let zone = if zone.eq_ignore_ascii_case("utc") || zone.eq_ignore_ascii_case("gmt") {
        "+0000"
    } else {
        zone
    };
    let normalized = format!("{wday} {mon} {day} {time} {zone} {year}");
    let t = DateTime::parse_from_str(&normalized, "%a %b %d %H:%M:%S %z %Y").ok()?;
    Some((
        t,
        vec!["timestamp was in Ruby style (Mon May 19 18:29:48 +0000 2008)"],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> (String, Vec<&'static str>) {
        let (t, n) = parse_timestamp_noted(s).unwrap();
        (format_timestamp(&t), n)
    }

    #[test]
    fn forms() {
        assert_eq!(
            p("2000-10-12T18:39:09-08:00").0,
            "2000-10-12T18:39:09-08:00"
        );
        assert!(p("2000-10-12T18:39:09-08:00").1.is_empty());
        assert_eq!(p("2000-10-12T18:39:09Z").0, "2000-10-12T18:39:09+00:00");
        assert_eq!(p("2000-10-12T18:39:09").0, "2000-10-12T18:39:09+00:00");
        assert_eq!(
            p("2000-10-12 18:39:09+01:00").0,
            "2000-10-12T18:39:09+01:00"
        );
        assert_eq!(
            p("2000-10-12T18:39:09.123-05:00").0,
            "2000-10-12T18:39:09.123-05:00"
        );
        assert_eq!(p("2000-10-12T18:39:09-0500").0, "2000-10-12T18:39:09-05:00");
        assert_eq!(
            p("2008-05-19 18:29:48 +0000").0,
            "2008-05-19T18:29:48+00:00"
        );
        assert_eq!(
            p("Mon May 19 18:29:48 +0000 2008").0,
            "2008-05-19T18:29:48+00:00"
        );
        assert_eq!(
            p("Mon May 19 18:29:48 UTC 2008").0,
            "2008-05-19T18:29:48+00:00"
        );
        assert_eq!(p("2020-02-28").0, "2020-02-28T00:00:00+00:00");
        assert_eq!(
            p("Mon, 19 May 2008 18:29:48 +0200").0,
            "2008-05-19T18:29:48+02:00"
        );
        for bad in [
            "",
            "yesterday",
            "2000-13-01T00:00:00Z",
            "2000-10-12T25:00:00Z",
            "2000-10-12T10:00:00+99:00",
            "2000-10-12T10:00:00Zjunk",
        ] {
            assert!(parse_timestamp_noted(bad).is_err(), "{bad}");
        }
    }
}
