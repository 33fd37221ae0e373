//! `[plan]` of `policy.toml`: the month planner's rules — which week of the month and which
//! slot of the day each grade's visits take, which week is kept for service and collections,
//! the default capacities (visits and calls a day), the weekly callback minimum, and which of
//! the rep's own tasks (weekly plan, Saturday callback statistics, next month's plan) the plan
//! holds. Optional: a policy without it plans by the handbook's ABCD rule.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::GradeScale;

/// Weeks of a month the planner knows: days 1–7, 8–14, 15–21, and 22 to the month's end.
pub const PLAN_WEEKS: u32 = 4;

/// Largest `visits_per_day` a policy or a request may give.
pub const MAX_VISITS_PER_DAY: u32 = 1_000;
/// Largest `min_calls_per_week` (or its old name `calls_per_week`) a policy or a request may
/// give.
pub const MAX_CALLS_PER_WEEK: u32 = 100_000;
/// Largest `calls_per_day` a policy or a request may give.
pub const MAX_CALLS_PER_DAY: u32 = 100_000;

/// `[plan]` of `policy.toml`. Every key is optional; absent keys take the handbook's values
/// (the ones shown here, which the default policy spells out).
///
/// ```toml
/// [plan]
/// visits_per_day = 4            # capacity: on-site visits a day, never exceeded
/// calls_per_day = 30            # capacity: phone entries a day, never exceeded (not from a handbook)
/// min_calls_per_week = 18       # handbook 002: at least 18 customers called back a week
/// service_week = 4              # week kept for service, collections and next month's plan
/// service_actions = ["collection", "complaint_follow_up"]  # action kinds planned in that week
/// report_after_working_days = 2 # a visit report is due two working days after the visit
/// payment_reminder_days = 3     # remind this many days before a receivable falls due
/// submit_plan = true            # "submit next month's plan" on the last working day
/// weekly_plan = true            # "submit next week's plan" every Friday
/// callback_statistics = true    # "file this week's callbacks" every Saturday
///
/// [plan.grades]                 # the week of a grade's first visit of the month, and its slot
/// A = { week = 1, slot = "morning" }
/// B = { week = 2 }              # slot: "morning", "afternoon" or "any" (the default)
/// C = { week = 3 }
/// D = { week = 3 }
/// ```
///
/// A grade missing from `[plan.grades]` takes the rank rule: the highest grade week 1 in the
/// mornings, the second week 2, every other grade week 3.
///
/// `calls_per_week`, the key's old name, is read as `min_calls_per_week` (it always held
/// handbook 002's "at least 18"); giving both with different values is an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanSection {
    /// Visits a day, at most, when the plan request does not say (default 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visits_per_day: Option<u32>,
    /// Phone entries a day, at most, when the plan request does not say (default 30; no
    /// handbook gives a number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calls_per_day: Option<u32>,
    /// Customers to call back a week, at least, when the plan request does not say (default
    /// 18: handbook 002, 每周电话回访客户不少于18位). 0 sets no minimum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_calls_per_week: Option<u32>,
    /// The old name of `min_calls_per_week`, read as it (it always held 002's minimum).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calls_per_week: Option<u32>,
    /// The week (1–4) kept for service, collections and planning (default 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_week: Option<u32>,
    /// Action kinds planned as visits in the service week rather than on their due date
    /// (default `["collection", "complaint_follow_up"]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_actions: Option<Vec<String>>,
    /// Working days from a visit to its `visit_report` entry (default 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_after_working_days: Option<u32>,
    /// Days before a receivable falls due that its payment reminder is planned (default 3);
    /// should match the days the policy's `actions.rhai` uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_reminder_days: Option<u32>,
    /// Whether the plan ends with a `submit_plan` entry on the month's last working day
    /// (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submit_plan: Option<bool>,
    /// Whether the plan holds a `weekly_plan` entry every Friday: next week's plan submitted
    /// (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly_plan: Option<bool>,
    /// Whether the plan holds a `callback_statistics` entry every Saturday: this week's
    /// callbacks and next week's count filed (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_statistics: Option<bool>,
    /// Week and slot of each grade's visits.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub grades: BTreeMap<String, PlanGradeRule>,
}

/// One grade's entry in `[plan.grades]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanGradeRule {
    /// The week (1–4) of the grade's first visit of the month; further visits follow one
    /// week apart (two weeks apart for two visits a month).
    pub week: u32,
    /// The slot of the day for the grade's visits (a morning grade takes an afternoon only
    /// when every morning of the week is full).
    #[serde(default)]
    pub slot: PlanSlot,
}

/// The slot rule of a grade: mornings only, afternoons only, or either.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlanSlot {
    /// Mornings (an afternoon only when the week's mornings are full).
    Morning,
    /// Afternoons only.
    Afternoon,
    /// Either; afternoons first, so that mornings stay free for morning grades.
    #[default]
    Any,
}

/// A problem with `[plan]`: the dotted key and what is wrong.
pub(crate) struct PlanProblem {
    pub(crate) key: String,
    pub(crate) message: String,
}

impl PlanSection {
    /// The weekly callback minimum the section gives, under its name or its old name.
    pub fn min_calls_per_week(&self) -> Option<u32> {
        self.min_calls_per_week.or(self.calls_per_week)
    }

    /// Checks what the types cannot: ranges, grades in the scale, non-empty action kinds.
    pub(crate) fn check(&self, scale: &GradeScale) -> Result<(), PlanProblem> {
        let problem = |key: &str, message: String| PlanProblem {
            key: key.to_string(),
            message: format!("`plan.{key}` {message}"),
        };
        let ranges = [
            ("visits_per_day", self.visits_per_day, 1, MAX_VISITS_PER_DAY),
            ("calls_per_day", self.calls_per_day, 1, MAX_CALLS_PER_DAY),
            (
                "min_calls_per_week",
                self.min_calls_per_week,
                0,
                MAX_CALLS_PER_WEEK,
            ),
            ("calls_per_week", self.calls_per_week, 0, MAX_CALLS_PER_WEEK),
            ("service_week", self.service_week, 1, PLAN_WEEKS),
            (
                "report_after_working_days",
                self.report_after_working_days,
                0,
                30,
            ),
            ("payment_reminder_days", self.payment_reminder_days, 0, 60),
        ];
        for (key, value, low, high) in ranges {
            if let Some(value) = value {
                if value < low || value > high {
                    return Err(problem(
                        key,
                        format!("must be between {low} and {high}, got {value}"),
                    ));
                }
            }
        }
        if let (Some(old), Some(new)) = (self.calls_per_week, self.min_calls_per_week) {
            if old != new {
                return Err(problem(
                    "calls_per_week",
                    format!(
                        "is the old name of `plan.min_calls_per_week` (a weekly minimum, not a cap) and says {old} where `plan.min_calls_per_week` says {new}: keep one"
                    ),
                ));
            }
        }
        if let Some(kinds) = &self.service_actions {
            for (i, kind) in kinds.iter().enumerate() {
                if kind.trim().is_empty() {
                    return Err(problem("service_actions", "has an empty kind".into()));
                }
                if kinds[..i].contains(kind) {
                    return Err(problem("service_actions", format!("names `{kind}` twice")));
                }
            }
        }
        for (grade, rule) in &self.grades {
            let key = format!("grades.{grade}");
            if !scale.contains(grade) {
                return Err(problem(
                    &key,
                    format!(
                        "names grade `{grade}`, which is not in the scale ({})",
                        scale.names().join(", ")
                    ),
                ));
            }
            if rule.week < 1 || rule.week > PLAN_WEEKS {
                return Err(problem(
                    &key,
                    format!(
                        "has week {}; weeks are 1–{PLAN_WEEKS} (days 1–7, 8–14, 15–21, 22 to the end)",
                        rule.week
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Byte offset of `key` (dotted, relative to `[plan]`) in the manifest text, for error
/// positions: the last segment, searched after the `[plan` header.
pub(crate) fn locate(text: &str, key: &str) -> Option<usize> {
    let start = text.find("[plan")?;
    let (table, last) = match key.rsplit_once('.') {
        Some((table, last)) => (Some(table), last),
        None => (None, key),
    };
    let from = match table {
        Some(table) => text[start..]
            .find(&format!("[plan.{table}]"))
            .map_or(start, |o| start + o),
        None => start,
    };
    text[from..]
        .find(&format!("\n{last} "))
        .or_else(|| text[from..].find(&format!("\n{last}=")))
        .map(|o| from + o + 1)
        .or(Some(start))
}
