//! The plan request of the JSON contract — month, owner, capacities, working and
//! non-working days — and its checks: every problem is an `invalid input` error naming the
//! request field, never a panic and never a silently empty plan.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::calendar::WorkCalendar;
use super::rules::PlanRules;
use crate::error::{Error, RecordRef, Result};
use crate::model::{parse_date, Date};
use crate::policy::{MAX_CALLS_PER_DAY, MAX_CALLS_PER_WEEK, MAX_VISITS_PER_DAY};

/// What to plan: `{ "month": "2026-12", "owner": "rep-07", "visits_per_day": 4,
/// "calls_per_day": 30, "min_calls_per_week": 18, "non_working_days": ["2026-12-25"],
/// "working_days": ["monday", …] }`.
///
/// Only `month` is required. `visits_per_day` and `calls_per_day` are capacities, never
/// exceeded; `min_calls_per_week` is handbook 002's minimum workload ("每周电话回访客户不少于
/// 18位": at least 18 customers called back a week), which the plan meets or, week by week,
/// says why it cannot. Values absent from the request come from the policy's `[plan]` table
/// (4 visits and 30 calls a day, at least 18 callbacks a week by default). `calls_per_week`,
/// the old name of the minimum, is read as `min_calls_per_week`; a request giving both with
/// different values is refused. `working_days` lists weekday names (they replace
/// Monday–Friday) and dates (extra working days, such as a Saturday worked);
/// `non_working_days` lists holidays. Unknown fields are ignored.
///
/// ```
/// let request: patron::PlanRequest = serde_json::from_str(
///     r#"{ "month": "2026-12", "owner": "rep-07", "non_working_days": ["2026-12-25"] }"#,
/// ).unwrap();
/// assert_eq!(request.month, "2026-12");
/// assert_eq!(request.visits_per_day, None); // the policy's default applies
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanRequest {
    /// The month to plan, `YYYY-MM`.
    pub month: String,
    /// Plan only the customers whose `owner` is this rep; every customer when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// On-site visits a day, at most (morning and afternoon together): a capacity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visits_per_day: Option<u32>,
    /// Phone entries a day, at most (calls, callbacks and reminders together): a capacity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calls_per_day: Option<u32>,
    /// Customers to call back a week, at least: a minimum workload (0: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_calls_per_week: Option<u32>,
    /// The old name of `min_calls_per_week`, read as it. It is no longer a cap: capacity is
    /// `calls_per_day`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calls_per_week: Option<u32>,
    /// Holidays and other days off. Dates outside the month are kept for placing visit
    /// reports that fall due after it.
    #[serde(
        default,
        deserialize_with = "deserialize_dates",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub non_working_days: Vec<Date>,
    /// Weekday names (replacing Monday–Friday) and dates (extra working days).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub working_days: Vec<WorkingDay>,
}

impl PlanRequest {
    /// A request for `month` (`YYYY-MM`) with everything else at its default.
    pub fn for_month(month: impl Into<String>) -> PlanRequest {
        PlanRequest {
            month: month.into(),
            ..PlanRequest::default()
        }
    }
}

/// One item of `working_days`: a weekday that is worked every week, or one extra date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkingDay {
    /// Worked every week, e.g. `"saturday"` (also `"sat"`, any case).
    Weekday(Weekday),
    /// Worked on this date only, e.g. `"2026-12-19"`.
    Date(Date),
}

impl WorkingDay {
    /// Parses a weekday name (`monday`, `mon`, any case) or a date.
    ///
    /// ```
    /// use patron::schedule::plan::WorkingDay;
    /// assert_eq!(WorkingDay::parse("Sat").unwrap(), WorkingDay::Weekday(chrono::Weekday::Sat));
    /// assert!(WorkingDay::parse("funday").is_err());
    /// ```
    pub fn parse(text: &str) -> std::result::Result<WorkingDay, String> {
        let lower = text.trim().to_ascii_lowercase();
        let weekday = match lower.as_str() {
            "monday" | "mon" => Some(Weekday::Mon),
            "tuesday" | "tue" => Some(Weekday::Tue),
            "wednesday" | "wed" => Some(Weekday::Wed),
            "thursday" | "thu" => Some(Weekday::Thu),
            "friday" | "fri" => Some(Weekday::Fri),
            "saturday" | "sat" => Some(Weekday::Sat),
            "sunday" | "sun" => Some(Weekday::Sun),
            _ => None,
        };
        if let Some(weekday) = weekday {
            return Ok(WorkingDay::Weekday(weekday));
        }
        parse_date(text).map(WorkingDay::Date).map_err(|_| {
            format!("`{text}` is neither a weekday name (monday … sunday) nor a date (YYYY-MM-DD)")
        })
    }
}

impl fmt::Display for WorkingDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkingDay::Weekday(day) => f.write_str(weekday_name(*day)),
            WorkingDay::Date(date) => write!(f, "{date}"),
        }
    }
}

impl Serialize for WorkingDay {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for WorkingDay {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        WorkingDay::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The lowercase English name of a weekday.
pub(crate) fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    }
}

/// A date of a list, parsed like every date of the contract.
struct ListDate(Date);

impl<'de> Deserialize<'de> for ListDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        parse_date(&text)
            .map(ListDate)
            .map_err(serde::de::Error::custom)
    }
}

fn deserialize_dates<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<Date>, D::Error> {
    let dates = <Option<Vec<ListDate>>>::deserialize(d)?;
    Ok(dates.into_iter().flatten().map(|d| d.0).collect())
}

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    first: Date,
}

impl Month {
    /// Parses `YYYY-MM` (exactly four digits, a dash, two digits; month 01–12).
    ///
    /// ```
    /// use patron::schedule::plan::Month;
    /// assert_eq!(Month::parse("2026-12").unwrap().to_string(), "2026-12");
    /// assert!(Month::parse("2026-13").is_err());
    /// assert!(Month::parse("Dec 2026").is_err());
    /// ```
    pub fn parse(text: &str) -> std::result::Result<Month, String> {
        let bytes = text.as_bytes();
        let shape_ok = bytes.len() == 7
            && bytes[4] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || b.is_ascii_digit());
        if !shape_ok {
            return Err(format!(
                "`{text}` is not a month: expected YYYY-MM, e.g. 2026-12"
            ));
        }
        let year: i32 = text[..4]
            .parse()
            .map_err(|_| format!("`{text}`: bad year"))?;
        let month: u32 = text[5..]
            .parse()
            .map_err(|_| format!("`{text}`: bad month"))?;
        if !(1..=12).contains(&month) {
            return Err(format!(
                "`{text}` is not a month: the month must be 01–12, got {month:02}"
            ));
        }
        if year < 1 {
            return Err(format!(
                "`{text}` is not a month: the year must be 0001–9999"
            ));
        }
        NaiveDate::from_ymd_opt(year, month, 1)
            .map(|first| Month { first })
            .ok_or_else(|| format!("`{text}` is not a month"))
    }

    /// The first day.
    pub fn first_day(&self) -> Date {
        self.first
    }

    /// The last day.
    pub fn last_day(&self) -> Date {
        self.next().first - chrono::Duration::days(1)
    }

    /// Days in the month (28–31).
    pub fn len(&self) -> u32 {
        self.last_day().day()
    }

    /// Always false: a month has days.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The month after this one.
    pub fn next(&self) -> Month {
        let (year, month) = if self.first.month() == 12 {
            (self.first.year() + 1, 1)
        } else {
            (self.first.year(), self.first.month() + 1)
        };
        Month {
            first: NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(self.first),
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.first.year(), self.first.month())
    }
}

/// A request checked against the policy's rules: the month, the capacities in force and
/// the working calendar.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub(crate) month: Month,
    pub(crate) owner: Option<String>,
    pub(crate) visits_per_day: u32,
    pub(crate) calls_per_day: u32,
    pub(crate) min_calls_per_week: u32,
    /// Whether the request gave the minimum under its old name, `calls_per_week`.
    pub(crate) old_name: bool,
    pub(crate) calendar: WorkCalendar,
}

/// An `invalid input` error about a field of the plan request.
pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Error {
    Error::InvalidInput {
        record: RecordRef::default(),
        field: field.into(),
        message: message.into(),
    }
}

impl PlanRequest {
    /// Checks the request and resolves capacities and the calendar.
    pub(crate) fn resolve(&self, rules: &PlanRules) -> Result<Resolved> {
        let month = Month::parse(self.month.trim()).map_err(|m| invalid("month", m))?;
        let owner = match &self.owner {
            Some(owner) if owner.trim().is_empty() => {
                return Err(invalid(
                    "owner",
                    "must not be empty (leave it out to plan every customer)",
                ))
            }
            other => other.clone(),
        };
        let visits_per_day = self.visits_per_day.unwrap_or(rules.visits_per_day);
        let calls_per_day = self.calls_per_day.unwrap_or(rules.calls_per_day);
        if let (Some(old), Some(new)) = (self.calls_per_week, self.min_calls_per_week) {
            if old != new {
                return Err(invalid(
                    "calls_per_week",
                    format!(
                        "is the old name of min_calls_per_week (at least this many customers called back a week, not a cap) and says {old} where min_calls_per_week says {new}: give one (capacity is calls_per_day)"
                    ),
                ));
            }
        }
        let old_name = self.min_calls_per_week.is_none() && self.calls_per_week.is_some();
        let (min_field, min_calls_per_week) = match (self.min_calls_per_week, self.calls_per_week) {
            (Some(min), _) => ("min_calls_per_week", min),
            (None, Some(old)) => ("calls_per_week", old),
            (None, None) => ("min_calls_per_week", rules.min_calls_per_week),
        };
        if visits_per_day > MAX_VISITS_PER_DAY {
            return Err(invalid(
                "visits_per_day",
                format!("{visits_per_day} is more than {MAX_VISITS_PER_DAY}"),
            ));
        }
        if calls_per_day > MAX_CALLS_PER_DAY {
            return Err(invalid(
                "calls_per_day",
                format!("{calls_per_day} is more than {MAX_CALLS_PER_DAY}"),
            ));
        }
        if min_calls_per_week > MAX_CALLS_PER_WEEK {
            return Err(invalid(
                min_field,
                format!("{min_calls_per_week} is more than {MAX_CALLS_PER_WEEK}"),
            ));
        }
        if visits_per_day == 0 && calls_per_day == 0 {
            return Err(invalid(
                "visits_per_day",
                "visits_per_day and calls_per_day are both 0: no capacity, nothing can be planned",
            ));
        }
        let holidays: BTreeSet<Date> = self.non_working_days.iter().copied().collect();
        let mut weekdays = BTreeSet::new();
        let mut extra = BTreeSet::new();
        for (i, day) in self.working_days.iter().enumerate() {
            match day {
                WorkingDay::Weekday(weekday) => {
                    weekdays.insert(weekday.num_days_from_monday());
                }
                WorkingDay::Date(date) => {
                    if holidays.contains(date) {
                        return Err(invalid(
                            format!("working_days[{i}]"),
                            format!("{date} is also listed in non_working_days"),
                        ));
                    }
                    extra.insert(*date);
                }
            }
        }
        let weekdays_given = !weekdays.is_empty();
        if !weekdays_given {
            weekdays.extend(0..5); // Monday to Friday
        }
        let calendar = WorkCalendar::new(month, &weekdays, extra, holidays.clone());
        if calendar.working_day_count() == 0 {
            let without_holidays =
                WorkCalendar::new(month, &weekdays, BTreeSet::new(), BTreeSet::new());
            return Err(if without_holidays.working_day_count() > 0 {
                invalid(
                    "non_working_days",
                    format!(
                        "the non-working days remove every working day of {month}: nothing can be planned"
                    ),
                )
            } else {
                invalid(
                    "working_days",
                    format!("no working day in {month}: nothing can be planned"),
                )
            });
        }
        Ok(Resolved {
            month,
            owner,
            visits_per_day,
            calls_per_day,
            min_calls_per_week,
            old_name,
            calendar,
        })
    }
}
