//! Calendar dates of the JSON contract: ISO 8601 dates, with RFC 3339 datetimes accepted
//! wherever a date is (the date is taken as written, in the datetime's own offset).

use std::cell::Cell;

use chrono::{DateTime, Datelike, NaiveDate};

use serde::de;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::digits::date_digits;
use super::text::Text;

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
    // The plain form first: it has no spaces to trim, and nearly every date is in it.
    if let Some(date) = plain_date(text) {
        return Ok(date);
    }
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
    plain_date_bytes(text.as_bytes())
}

/// [`plain_date`] of the bytes of a text (which, when it answers, are ASCII digits and
/// dashes).
pub(super) fn plain_date_bytes(b: &[u8]) -> Option<Date> {
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

/// The plain dates a thread remembers ([`RememberedDates`]), as a power of two.
const REMEMBERED_BITS: u32 = 12;

/// One remembered plain date: its first eight bytes (`YYYY-MM-`) and last two (`DD`) as
/// they were read, and the date they gave.
#[derive(Clone, Copy)]
struct RememberedDate {
    head: u64,
    day: u16,
    date: Date,
}

impl RememberedDate {
    /// A slot that holds no date: no date's head is 0 (its fifth byte is a dash).
    const EMPTY: RememberedDate = RememberedDate {
        head: 0,
        day: 0,
        date: NaiveDate::MIN,
    };
}

/// The plain dates a thread read last, by a hash of their bytes ([`RememberedDates::read`]).
pub(super) struct RememberedDates {
    slots: Box<[Cell<RememberedDate>]>,
}

thread_local! {
    /// This thread's remembered dates: 64 KiB on the heap, made on the thread's first
    /// record. Not a thread-local array: glibc places a thread's static thread-locals inside
    /// its stack, and 64 KiB less of a 2 MiB stack let the deepest recursion a policy may
    /// ask for overflow it (`tests/hostile_scripts.rs`).
    static REMEMBERED: RememberedDates = RememberedDates {
        slots: (0..1usize << REMEMBERED_BITS)
            .map(|_| Cell::new(RememberedDate::EMPTY))
            .collect(),
    };
}

/// Runs `read` with this thread's remembered dates (one thread-local look-up for a whole
/// record, not one a date).
pub(super) fn with_remembered_dates<T>(read: impl FnOnce(&RememberedDates) -> T) -> T {
    REMEMBERED.with(read)
}

/// The slot of a date's bytes: a Fibonacci hash, which spreads the days of one month (keys
/// a few units apart) over distant slots.
fn remembered_slot(head: u64, day: u16) -> usize {
    ((head ^ u64::from(day)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - REMEMBERED_BITS)) as usize
}

impl RememberedDates {
    /// [`plain_date_bytes`] of ten bytes, remembered: the records of one portfolio repeat
    /// the same few hundred dates, and a date read before costs a hash and two comparisons
    /// instead of reading its digits and checking it against the calendar. Only dates that
    /// read are remembered; a slot holds the last date whose bytes hashed to it.
    pub(super) fn read(&self, b: &[u8; 10]) -> Option<Date> {
        let head = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
        let day = u16::from_le_bytes([b[8], b[9]]);
        let Some(slot) = self.slots.get(remembered_slot(head, day)) else {
            return plain_date_bytes(b);
        };
        let seen = slot.get();
        if seen.head == head && seen.day == day {
            return Some(seen.date);
        }
        let date = plain_date_bytes(b)?;
        slot.set(RememberedDate { head, day, date });
        Some(date)
    }
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

/// Days from `from` to `to`, negative when `to` is earlier: what chrono's `(to -
/// from).num_days()` gives, from each date's days since the start of the common era, which
/// costs a third of chrono's subtraction and its time delta (facts take several per
/// evaluation).
#[inline]
pub(crate) fn days_between(from: Date, to: Date) -> i64 {
    i64::from(to.num_days_from_ce()) - i64::from(from.num_days_from_ce())
}

/// `date + days`, held at the ends of the calendar instead of overflowing.
pub fn saturating_add_days(date: Date, days: i64) -> Date {
    add_days(date, days).unwrap_or(if days < 0 {
        NaiveDate::MIN
    } else {
        NaiveDate::MAX
    })
}

/// serde helper: writes a date as `2026-11-23`, as chrono's `Serialize` does, without the
/// formatting machinery for the years 0–9999 (every evaluation writes several dates).
pub(crate) fn serialize_date<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
    match date_digits(*date) {
        // ASCII digits and dashes only.
        Some(text) => serializer.serialize_str(std::str::from_utf8(&text).unwrap_or_default()),
        None => date.serialize(serializer),
    }
}

/// serde helper: [`serialize_date`] of an optional date (`None` as `null`).
pub(crate) fn serialize_opt_date<S: Serializer>(
    date: &Option<Date>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match date {
        Some(date) => serialize_date(date, serializer),
        None => serializer.serialize_none(),
    }
}

/// serde helper: a required date field. The text is read in place, not into a `String` (a
/// record has dozens of dates, and an allocation each was a fifth of reading it), and parsed
/// once the deserializer has it, as before, so that errors keep their positions.
pub(crate) fn deserialize_date<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
    let text = Text::deserialize(d)?;
    parse_date(text.as_str()).map_err(de::Error::custom)
}

/// serde helper: an optional date field (absent or `null` → `None`).
pub(crate) fn deserialize_opt_date<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Date>, D::Error> {
    match Option::<Text>::deserialize(d)? {
        None => Ok(None),
        Some(text) => parse_date(text.as_str())
            .map(Some)
            .map_err(de::Error::custom),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The days between two dates are chrono's, across the calendar's whole range: its ends,
    /// negative years, leap days and the turns of centuries, in both directions.
    #[test]
    fn days_between_dates_are_chronos() {
        let mut dates = vec![NaiveDate::MIN, NaiveDate::MAX];
        for year in [
            -262_143, -401, -400, -1, 0, 1, 1600, 1899, 1900, 2000, 2024, 2026, 9999,
        ] {
            for (month, day) in [(1, 1), (2, 28), (2, 29), (3, 1), (12, 31)] {
                dates.extend(NaiveDate::from_ymd_opt(year, month, day));
            }
        }
        // Every day of four years, 2024 (a leap year) to 2027.
        let first = NaiveDate::from_ymd_opt(2024, 1, 1).expect("a date");
        dates.extend((0..1461).filter_map(|i| add_days(first, i)));
        for &from in &dates {
            for &to in dates.iter().step_by(7) {
                assert_eq!(
                    days_between(from, to),
                    (to - from).num_days(),
                    "{from} to {to}"
                );
            }
        }
    }

    /// Dates are written as chrono writes them, across the calendar's whole range.
    #[test]
    fn dates_are_written_as_chrono_writes_them() {
        #[derive(serde::Serialize)]
        struct Written {
            #[serde(serialize_with = "serialize_date")]
            at: Date,
            #[serde(serialize_with = "serialize_opt_date")]
            since: Option<Date>,
        }
        #[derive(serde::Serialize)]
        struct ByChrono {
            at: Date,
            since: Option<Date>,
        }
        let mut dates = vec![NaiveDate::MIN, NaiveDate::MAX];
        for year in [
            -1, 0, 1, 9, 10, 99, 999, 1000, 1969, 2026, 9999, 10000, 12345,
        ] {
            for (month, day) in [(1, 1), (2, 28), (9, 30), (10, 9), (12, 31)] {
                dates.push(NaiveDate::from_ymd_opt(year, month, day).unwrap());
            }
        }
        for at in &dates {
            for since in [None, Some(*at), Some(NaiveDate::MIN)] {
                let written = serde_json::to_string(&Written { at: *at, since }).unwrap();
                let by_chrono = serde_json::to_string(&ByChrono { at: *at, since }).unwrap();
                assert_eq!(written, by_chrono);
            }
        }
    }

    /// The plain reader answers as chrono's `from_ymd_opt` and its format parser do: every
    /// month and day from 00 to 99 over common, leap and century years, and text that is
    /// not eight digits and two dashes.
    #[test]
    fn plain_dates_are_read_as_chrono_reads_them() {
        let mut dates = 0;
        for year in [
            0, 1, 4, 100, 400, 1899, 1900, 1904, 1999, 2000, 2023, 2024, 2026, 2100, 2196, 2199,
            2200, 2204, 9996, 9999,
        ] {
            for month in 0..100 {
                for day in 0..100 {
                    let text = format!("{year:04}-{month:02}-{day:02}");
                    let expected = NaiveDate::from_ymd_opt(year, month, day);
                    assert_eq!(plain_date_bytes(text.as_bytes()), expected, "{text}");
                    assert_eq!(
                        plain_date(&text),
                        NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok(),
                        "{text}"
                    );
                    dates += usize::from(expected.is_some());
                }
            }
        }
        assert_eq!(dates, 20 * 365 + 9);
        // Every byte value at every position of a few dates, against the plain reading.
        let reference = |b: &[u8]| {
            let number = |range: std::ops::Range<usize>| {
                b[range].iter().try_fold(0u32, |n, &c| {
                    c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
                })
            };
            if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
                return None;
            }
            NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?)
        };
        for text in [
            "2026-11-23",
            "2024-02-29",
            "1899-12-31",
            "2199-09-09",
            "0000-01-10",
        ] {
            for at in 0..text.len() {
                for byte in 0..=255u8 {
                    let mut bytes = text.as_bytes().to_vec();
                    bytes[at] = byte;
                    assert_eq!(plain_date_bytes(&bytes), reference(&bytes), "{bytes:?}");
                }
            }
        }
        for text in [
            "2026-1-023",
            "2026/11/23",
            "2026-11-2",
            "2026-11-233",
            "20261-1-23",
            "2026-11-2a",
            "2026-11-:3",
            "2026-11-/3",
            "/026-11-23",
            "2026-\\1-23",
            "\u{0}026-11-23",
            "",
        ] {
            assert_eq!(plain_date_bytes(text.as_bytes()), None, "{text}");
        }
    }

    /// The remembered reading answers as the plain one, date for date: on a first reading
    /// and on every later one (hits), after other dates took the slot (every day of ten
    /// years and the numbers around them, 4,620 texts and about 3,650 dates for 4,096
    /// slots, read forwards and backwards in three rounds; and two texts built to share a
    /// slot with one date), for bytes that are no date (never remembered, read again each
    /// time), and for bytes that differ from a remembered date in one place only.
    #[test]
    fn remembered_dates_are_the_dates_read() {
        let remembered = |b: &[u8; 10]| with_remembered_dates(|dates| dates.read(b));
        let mut texts = Vec::new();
        for year in [1999, 2000, 2023, 2024, 2025, 2026, 2027, 2100, 2400, 9999] {
            for month in 0..14 {
                for day in 0..33 {
                    texts.push(format!("{year:04}-{month:02}-{day:02}"));
                }
            }
        }
        for round in 0..3 {
            for text in texts.iter().chain(texts.iter().rev()) {
                let bytes: &[u8; 10] = text.as_bytes().try_into().unwrap();
                let expected = plain_date_bytes(bytes);
                assert_eq!(remembered(bytes), expected, "{text}, round {round}");
                assert_eq!(remembered(bytes), expected, "{text} again");
            }
        }
        // Bytes that share a remembered date's slot and its head (or its day), read right
        // after it: the slot holds another date, not theirs.
        let split = |b: &[u8; 10]| {
            let head = u64::from_le_bytes(b[..8].try_into().unwrap());
            (head, u16::from_le_bytes([b[8], b[9]]))
        };
        let known = *b"2026-11-23";
        let (head, day) = split(&known);
        let slot = remembered_slot(head, day);
        let same_head = (0..=u16::MAX)
            .map(|other| (head, other))
            .find(|&(h, d)| d != day && remembered_slot(h, d) == slot);
        let same_day = (0..=u64::from(u16::MAX))
            .map(|k| (head ^ (k << 16), day))
            .find(|&(h, d)| h != head && remembered_slot(h, d) == slot);
        for (h, d) in [same_head.unwrap(), same_day.unwrap()] {
            let mut other = [0u8; 10];
            other[..8].copy_from_slice(&h.to_le_bytes());
            other[8..].copy_from_slice(&d.to_le_bytes());
            assert_eq!(remembered(&known), plain_date_bytes(&known));
            assert_eq!(remembered(&other), plain_date_bytes(&other), "{other:?}");
        }
        for text in ["2026-11-23", "2024-02-29", "2026-02-28"] {
            assert!(remembered(text.as_bytes().try_into().unwrap()).is_some());
            for at in 0..text.len() {
                for byte in 0..=255u8 {
                    let mut bytes: [u8; 10] = text.as_bytes().try_into().unwrap();
                    bytes[at] = byte;
                    assert_eq!(remembered(&bytes), plain_date_bytes(&bytes), "{bytes:?}");
                }
            }
        }
    }

    /// Dates read in place give what reading them into a `String` first gave: the same date,
    /// or the same error at the same position, for every kind of JSON value.
    #[test]
    fn dates_read_in_place_as_through_a_string() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct InPlace {
            #[serde(deserialize_with = "deserialize_date")]
            at: Date,
            #[serde(default, deserialize_with = "deserialize_opt_date")]
            since: Option<Date>,
        }
        fn through_a_string<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
            let text = <String as serde::Deserialize>::deserialize(d)?;
            parse_date(&text).map_err(de::Error::custom)
        }
        fn optional_through_a_string<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<Date>, D::Error> {
            match <Option<String> as serde::Deserialize>::deserialize(d)? {
                None => Ok(None),
                Some(text) => parse_date(&text).map(Some).map_err(de::Error::custom),
            }
        }
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct ThroughAString {
            #[serde(deserialize_with = "through_a_string")]
            at: Date,
            #[serde(default, deserialize_with = "optional_through_a_string")]
            since: Option<Date>,
        }
        let values = [
            r#""2026-11-23""#,
            r#""2026-11-\u0032\u0033""#,
            r#"" 2026-11-20T23:30:00+08:00 ""#,
            r#""2026-02-30""#,
            r#""""#,
            r#""\u0020                                              2026-11-23""#,
            r#""                                              2026-11-23""#,
            "null",
            "true",
            "5",
            "-5",
            "1.5",
            "[]",
            r#"["2026-11-23"]"#,
            "{}",
        ];
        let mut checked = 0;
        for at in values {
            for since in values.iter().map(|v| Some(*v)).chain([None]) {
                let json = match since {
                    Some(since) => format!(r#"{{"at": {at}, "since": {since}}}"#),
                    None => format!(r#"{{"at": {at}}}"#),
                };
                let in_place = serde_json::from_str::<InPlace>(&json).map_err(|e| e.to_string());
                let through = serde_json::from_str::<ThroughAString>(&json)
                    .map(|t| InPlace {
                        at: t.at,
                        since: t.since,
                    })
                    .map_err(|e| e.to_string());
                assert_eq!(in_place, through, "{json}");
                checked += usize::from(in_place.is_ok());
            }
        }
        assert!(checked > 0, "some of the records must parse");
    }

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
