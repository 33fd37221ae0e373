//! Calendar dates of the JSON contract: ISO 8601 dates, with RFC 3339 datetimes accepted
//! wherever a date is (the date is taken as written, in the datetime's own offset).

use chrono::{DateTime, NaiveDate};
use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer};

/// A calendar date. Evaluations work on whole days.
pub type Date = NaiveDate;

/// Parses `2026-11-23` or an RFC 3339 datetime such as `2026-11-20T10:00:00+08:00`.
///
/// ```
/// use patron::model::parse_date;
/// assert_eq!(parse_date("2026-11-20T23:30:00+08:00").unwrap().to_string(), "2026-11-20");
/// assert!(parse_date("20/11/2026").is_err());
/// assert!(parse_date("2026-02-30").is_err());
/// ```
pub fn parse_date(text: &str) -> Result<Date, String> {
    let text = text.trim();
    if let Some(date) = plain_date(text) {
        return Ok(date);
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(date);
    }
    if let Ok(datetime) = DateTime::parse_from_rfc3339(text) {
        return Ok(datetime.date_naive());
    }
    Err(format!(
        "`{text}` is not a date (expected YYYY-MM-DD or an RFC 3339 datetime)"
    ))
}

/// The common case without chrono's format parser (most of the time of reading a record
/// went there): exactly `YYYY-MM-DD`, a valid date. Anything else is left to the general
/// parser, which gives the same date for this form.
fn plain_date(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| {
        b[range].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(number(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?)
}

/// `date + days`, or `None` when the result falls outside the calendar (chrono's range is
/// roughly years −262,143 to +262,142).
///
/// ```
/// use patron::model::{add_days, parse_date};
/// assert_eq!(add_days(parse_date("2026-11-23").unwrap(), -3).unwrap().to_string(), "2026-11-20");
/// assert_eq!(add_days(chrono::NaiveDate::MAX, 1), None);
/// ```
pub fn add_days(date: Date, days: i64) -> Option<Date> {
    chrono::TimeDelta::try_days(days).and_then(|delta| date.checked_add_signed(delta))
}

/// `date + days`, held at the ends of the calendar instead of overflowing.
pub fn saturating_add_days(date: Date, days: i64) -> Date {
    add_days(date, days).unwrap_or(if days < 0 {
        NaiveDate::MIN
    } else {
        NaiveDate::MAX
    })
}

/// Reads a date straight from the JSON string, without copying the string first (a record
/// has dozens of dates). It accepts and refuses what `String` does, with the same messages
/// (`expected a string`), then what [`parse_date`] does.
struct DateVisitor;

impl Visitor<'_> for DateVisitor {
    type Value = Date;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Date, E> {
        parse_date(text).map_err(E::custom)
    }

    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Date, E> {
        match std::str::from_utf8(bytes) {
            Ok(text) => self.visit_str(text),
            Err(_) => Err(E::invalid_value(de::Unexpected::Bytes(bytes), &self)),
        }
    }
}

/// A date field's value, for `Option`.
struct DateField(Date);

impl<'de> Deserialize<'de> for DateField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_string(DateVisitor).map(DateField)
    }
}

/// serde helper: a required date field.
pub(crate) fn deserialize_date<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
    d.deserialize_string(DateVisitor)
}

/// serde helper: an optional date field (absent or `null` → `None`).
pub(crate) fn deserialize_opt_date<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Date>, D::Error> {
    Ok(Option::<DateField>::deserialize(d)?.map(|field| field.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path agrees with chrono's `%Y-%m-%d` on every string of its form it accepts,
    /// and leaves every other one to it.
    #[test]
    fn the_plain_form_parses_as_chrono_does() {
        let mut texts: Vec<String> = Vec::new();
        for year in ["0000", "0001", "1969", "2024", "2026", "9999"] {
            for month in ["00", "01", "02", "09", "12", "13", "1-"] {
                for day in ["00", "01", "28", "29", "30", "31", "32", "+1"] {
                    texts.push(format!("{year}-{month}-{day}"));
                }
            }
        }
        texts.extend(
            [
                "2026-1-01",
                "+2026-01-01",
                "2026/01/01",
                "2026-01-01x",
                " 2026-01-01",
                "２０２６-01-01",
            ]
            .map(String::from),
        );
        for text in &texts {
            let chrono = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
            match plain_date(text) {
                Some(date) => assert_eq!(Some(date), chrono, "{text}"),
                None => assert!(
                    chrono.is_none() || text.len() != 10 || text.contains('+'),
                    "{text}: the fast path refused a plain date"
                ),
            }
        }
    }
}
