//! What a month plan is made of: dated entries, the work that could not be placed
//! (`unscheduled`, with its cause), the summary a manager reads, and notes.

use serde::{Deserialize, Serialize};

use crate::model::{Date, PolicyStamp};

/// A rep's plan for one month: who to call and visit, day by day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Plan {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// The rep planned for; absent when the plan covers every customer of the input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The date the customers were evaluated as of: the first day of the month.
    pub as_of: Date,
    /// The policy whose rules made the plan.
    pub policy: PolicyStamp,
    /// The policy's grades, highest first (the HTML view colours entries by this order).
    pub grades: Vec<String>,
    /// Visits a day, at most: the capacity the plan used.
    pub visits_per_day: u32,
    /// Phone entries a day, at most: the capacity the plan used.
    pub calls_per_day: u32,
    /// Customers to call back a week, at least: the minimum the plan meets or, in
    /// `summary.by_week`, says why it cannot.
    pub min_calls_per_week: u32,
    /// The month's working days.
    pub working_days: Vec<Date>,
    /// Dated entries, in order of date, slot, kind and customer.
    pub entries: Vec<PlanEntry>,
    /// Work the month could not hold, each with its cause; never silently dropped.
    pub unscheduled: Vec<Unscheduled>,
    /// Scheduled against required, per grade, kind and week.
    pub summary: PlanSummary,
    /// Plain sentences: what the plan assumed and why parts of it are empty.
    pub notes: Vec<String>,
}

impl Plan {
    /// The plan as compact JSON (what the C ABI returns).
    pub fn to_json(&self) -> String {
        // A plan holds only strings, numbers, dates and enums: serialising cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The plan as indented JSON, ending with a newline.
    pub fn to_json_pretty(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// Half of a working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Slot {
    /// Before noon.
    Morning,
    /// After noon.
    Afternoon,
}

impl Slot {
    /// `morning` or `afternoon`.
    pub fn as_str(self) -> &'static str {
        match self {
            Slot::Morning => "morning",
            Slot::Afternoon => "afternoon",
        }
    }
}

/// One dated thing to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanEntry {
    /// The day.
    pub date: Date,
    /// Week of the month (1–4: days 1–7, 8–14, 15–21, 22 to the end); absent for a visit
    /// report that falls due after the month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub week: Option<u32>,
    /// Morning or afternoon.
    pub slot: Slot,
    /// The customer; `null` for the rep's own tasks (`weekly_plan`, `callback_statistics`,
    /// `submit_plan`).
    pub customer_id: Option<String>,
    /// The customer's name, when the record has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_name: Option<String>,
    /// `visit`, `call`, `minimum_call`, `payment_reminder`, `callback`, `collection`,
    /// `complaint_follow_up`, `visit_report`, `weekly_plan`, `callback_statistics`,
    /// `submit_plan`, or a policy's own action kind.
    pub kind: String,
    /// One plain sentence saying why.
    pub reason: String,
    /// The customer's grade after evaluation; `null` for the rep's own tasks.
    pub grade: Option<String>,
    /// The customer's region, when the record has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// Why something could not be placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UnscheduledCause {
    /// The days it could go in were full (visits a day, calls a day).
    Capacity,
    /// The days it could go in have no working day left (weekends, holidays).
    NoWorkingDay,
}

/// Work the month could not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unscheduled {
    /// The customer; `null` for the rep's own tasks.
    pub customer_id: Option<String>,
    /// The customer's name, when the record has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_name: Option<String>,
    /// What could not be placed (`visit`, `call`, …).
    pub kind: String,
    /// The customer's grade.
    pub grade: Option<String>,
    /// The week it was meant for, when it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub week: Option<u32>,
    /// The date it was due, when it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<Date>,
    /// `capacity` or `no_working_day`.
    pub cause: UnscheduledCause,
    /// One plain sentence saying what it was and why it did not fit.
    pub reason: String,
}

/// Scheduled against required: the whole plan, per grade, per kind and per week.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanSummary {
    /// Customers planned.
    pub customers: usize,
    /// Working days in the month.
    pub working_days: usize,
    /// Work items asked for (every entry and every unscheduled item).
    pub required: usize,
    /// Entries placed.
    pub scheduled: usize,
    /// Items that could not be placed.
    pub unscheduled: usize,
    /// Per grade, highest first; only grades that have customers.
    pub by_grade: Vec<GradeSummary>,
    /// Per kind, in plan order (visits, service, calls, actions, reports, the rep's tasks).
    pub by_kind: Vec<KindSummary>,
    /// Per week of the month.
    pub by_week: Vec<WeekSummary>,
}

/// One grade's line of the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GradeSummary {
    /// The grade.
    pub grade: String,
    /// Customers with this grade (after evaluation).
    pub customers: usize,
    /// Visits, calls and actions their cadence and actions ask for (reports excluded).
    pub required: usize,
    /// How many of those were placed.
    pub scheduled: usize,
    /// How many were not.
    pub unscheduled: usize,
    /// Cadence visits asked for.
    pub visits_required: usize,
    /// Cadence visits placed.
    pub visits_scheduled: usize,
    /// Cadence calls asked for.
    pub calls_required: usize,
    /// Cadence calls placed.
    pub calls_scheduled: usize,
}

/// One kind's line of the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KindSummary {
    /// The entry kind.
    pub kind: String,
    /// Items of this kind asked for.
    pub required: usize,
    /// Placed.
    pub scheduled: usize,
    /// Not placed.
    pub unscheduled: usize,
}

/// One week's line of the summary: what it holds against what it can hold, and the
/// customers called back against the weekly minimum.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WeekSummary {
    /// 1–4.
    pub week: u32,
    /// First day.
    pub start: Date,
    /// Last day.
    pub end: Date,
    /// Working days in it.
    pub working_days: usize,
    /// On-site entries placed (visits and service-week actions).
    pub visits: usize,
    /// On-site entries it can hold: visits a day × working days.
    pub visit_capacity: usize,
    /// Phone entries placed (calls, minimum calls, callbacks, reminders, other dated
    /// actions).
    pub calls: usize,
    /// Phone entries it can hold: calls a day × working days.
    pub call_capacity: usize,
    /// Customers called back: distinct customers with at least one phone entry in the week
    /// (002 counts customers: 回访客户不少于18位).
    pub callbacks: usize,
    /// Customers to call back, at least: `min_calls_per_week` for a seven-day week, in
    /// proportion for a longer week 4 (rounded up: 26 for ten days).
    pub callbacks_required: usize,
    /// `minimum_call` entries the week holds: calls added to reach the minimum.
    pub minimum_calls: usize,
    /// Why the week has fewer callbacks than required; absent when it has enough.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callbacks_short: Option<String>,
}
