//! Calendar dates of the JSON contract: ISO 8601 dates, with RFC 3339 datetimes accepted
//! wherever a date is (the date is taken as written, in the datetime's own offset).

use chrono::{DateTime, NaiveDate};
use serde::{Deserialize, Deserializer};

/// A calendar date. Evaluations work on whole days.
pub type Date = NaiveDate;

/// Parses `2026-11-23` or an RFC 3339 datetime such as `2026-11-20T10:00:00+08:00`.
///
/// ```
/// use patron::model::parse_date;
/// assert_eq!(parse_date("2026-11-20T23:30:00+08:00").unwrap().to_string(), "2026-11-20");
/// assert!(parse_date("20/11/2026").is_err());
/// ```
pub fn parse_date(text: &str) -> Result<Date, String> {
    let text = text.trim();
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

/// serde helper: a required date field.
pub(crate) fn deserialize_date<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
    let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
    parse_date(&text).map_err(serde::de::Error::custom)
}

/// serde helper: an optional date field (absent or `null` → `None`).
pub(crate) fn deserialize_opt_date<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Date>, D::Error> {
    match <Option<std::borrow::Cow<'de, str>>>::deserialize(d)? {
        None => Ok(None),
        Some(text) => parse_date(&text)
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}
