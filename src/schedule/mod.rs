//! Cadence arithmetic: from "n calls a week, m visits a month" and the dates of the last call
//! and visit to the next due dates and whether contact is overdue. Pure functions of data and
//! dates. The month planner is in [`plan`].

pub mod plan;

use crate::model::{saturating_add_days, Date, Facts};

/// Days in a week, for calls per week.
pub const DAYS_PER_WEEK: f64 = 7.0;
/// Days counted as a month, for visits per month (so 1/3 a month is every 90 days).
pub const DAYS_PER_MONTH: f64 = 30.0;

/// Next due dates and the overdue flag of one customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueDates {
    /// When the next call is due; `None` when no calls are asked for.
    pub next_call_due: Option<Date>,
    /// When the next visit is due; `None` when no visits are asked for.
    pub next_visit_due: Option<Date>,
    /// Whether either is before `as_of`.
    pub overdue: bool,
    /// Days past the earliest missed due date.
    pub days_overdue: i64,
}

/// Whole days between contacts so that at least `per_period` happen per `period_days`:
/// `floor(period_days / per_period)`, at least 1. `None` when nothing is asked for.
///
/// ```
/// use patron::schedule::interval_days;
/// assert_eq!(interval_days(2.0, 7.0), Some(3));        // twice a week: every 3 days
/// assert_eq!(interval_days(0.5, 7.0), Some(14));       // every two weeks
/// assert_eq!(interval_days(1.0 / 3.0, 30.0), Some(90)); // quarterly
/// assert_eq!(interval_days(0.0, 7.0), None);
/// ```
pub fn interval_days(per_period: f64, period_days: f64) -> Option<i64> {
    if per_period.is_nan() || per_period <= 0.0 || per_period.is_infinite() {
        return None;
    }
    // The small epsilon keeps 30 / (1/3) at 90 despite floating-point rounding.
    let days = (period_days / per_period + 1e-9).floor();
    Some((days as i64).max(1))
}

/// The next due date after `last` (or `as_of` when there was none), for an interval.
fn next_due(last: Option<Date>, interval: Option<i64>, as_of: Date) -> Option<Date> {
    let interval = interval?;
    Some(match last {
        Some(last) => saturating_add_days(last, interval),
        None => as_of,
    })
}

/// Next call and visit due dates for a cadence, from the last call and visit in `facts`.
/// A customer never called (or visited) is due on `as_of` and not overdue.
///
/// ```
/// use patron::{model::{parse_date, Facts}, schedule::due_dates, Customer};
/// let customer: Customer = serde_json::from_str(r#"{ "id": "C-1",
///     "interactions": [ { "at": "2026-11-18", "kind": "call" } ] }"#).unwrap();
/// let facts = Facts::derive(&customer, parse_date("2026-11-23").unwrap());
/// let due = due_dates(&facts, 2.0, 0.0);
/// assert_eq!(due.next_call_due.unwrap().to_string(), "2026-11-21");
/// assert!(due.overdue);
/// assert_eq!(due.days_overdue, 2);
/// ```
pub fn due_dates(facts: &Facts, calls_per_week: f64, visits_per_month: f64) -> DueDates {
    let next_call_due = next_due(
        facts.last_call_at,
        interval_days(calls_per_week, DAYS_PER_WEEK),
        facts.as_of,
    );
    let next_visit_due = next_due(
        facts.last_visit_at,
        interval_days(visits_per_month, DAYS_PER_MONTH),
        facts.as_of,
    );
    let days_overdue = [next_call_due, next_visit_due]
        .into_iter()
        .flatten()
        // A due date on `as_of` (never called or visited) is 0 days overdue, without
        // chrono's date arithmetic.
        .map(|due| match due == facts.as_of {
            true => 0,
            false => crate::model::days_between(due, facts.as_of),
        })
        .max()
        .unwrap_or(0)
        .max(0);
    DueDates {
        next_call_due,
        next_visit_due,
        overdue: days_overdue > 0,
        days_overdue,
    }
}
