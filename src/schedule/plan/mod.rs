//! The month planner: from customers, their evaluations as of the month's first day, the
//! policy's `[plan]` rules and a [`PlanRequest`] to a [`Plan`] — dated visits, calls,
//! reminders, callbacks, service-week work, visit reports, calls that reach the weekly
//! callback minimum, and the rep's own tasks (the Friday weekly plan, the Saturday callback
//! statistics, the "submit next month's plan" entry) — with everything that does not fit
//! listed as unscheduled.
//!
//! The rules (handbook 002, `docs/handbooks/002_d29de148423224f7.txt`; each cited where it
//! is built, and listed with its clause in `docs/planner.md`): a month has four weeks (days
//! 1–7, 8–14, 15–21, 22 to the end); each grade's first visit of the month goes in its week
//! (A week 1 in the mornings, B week 2, C and D week 3 by default) and further visits follow
//! a week apart (two weeks for two a month), moving to another week only when theirs is full
//! and numbered by date; week 4 holds service and collections and the plan for next month;
//! overdue customers claim capacity first; same-region visits share days; visits and calls a
//! day are capacities, never exceeded; at least 18 customers are called back a week, or the
//! plan says why not; nothing is placed on a non-working day. Call
//! [`Engine::plan`](crate::Engine::plan) to plan; the pieces here are pure functions of data
//! and dates.
//!
//! - [`request`](PlanRequest): the request and its checks;
//! - `calendar`: working days, weeks, working-day arithmetic;
//! - [`rules`](PlanRules): the policy's `[plan]` with defaults filled in;
//! - `demand`: what each customer needs in the month;
//! - `scheduler`: placing it on days;
//! - `summary`: scheduled against required, and notes;
//! - [`types`](Plan): the plan itself and its JSON (the contract). The other formats (CSV,
//!   iCalendar, HTML) are the command line's output code (`patron plan --format`).

mod calendar;
mod demand;
mod request;
mod rules;
mod scheduler;
mod summary;
mod types;

pub use request::{Month, PlanRequest, WorkingDay};
pub use rules::{
    GradeRule, PlanRules, DEFAULT_CALLS_PER_DAY, DEFAULT_MIN_CALLS_PER_WEEK, DEFAULT_VISITS_PER_DAY,
};
pub use types::{
    GradeSummary, KindSummary, Plan, PlanEntry, PlanSummary, Slot, Unscheduled, UnscheduledCause,
    WeekSummary,
};

pub(crate) use request::{invalid, Resolved};

use crate::model::{Customer, Evaluation, PolicyStamp};

/// Plans customers already evaluated as of the month's first day (same order, one
/// evaluation per customer) under checked rules and request.
pub(crate) fn plan_evaluated(
    customers: &[&Customer],
    evaluations: &[Evaluation],
    rules: &PlanRules,
    request: &Resolved,
    policy: PolicyStamp,
) -> Plan {
    let calendar = &request.calendar;
    let demands: Vec<demand::Demand<'_>> = customers
        .iter()
        .zip(evaluations)
        .map(|(customer, evaluation)| demand::demand(customer, evaluation, rules, calendar))
        .collect();
    let outcome = scheduler::schedule(&demands, rules, request);
    let (summary, notes) = summary::summarize(&demands, &outcome, rules, request);
    Plan {
        month: request.month.to_string(),
        owner: request.owner.clone(),
        as_of: request.month.first_day(),
        policy,
        grades: rules.grade_names(),
        visits_per_day: request.visits_per_day,
        calls_per_day: request.calls_per_day,
        min_calls_per_week: request.min_calls_per_week,
        working_days: (0..calendar.len())
            .filter(|&i| calendar.working_at(i))
            .map(|i| calendar.date(i))
            .collect(),
        entries: outcome.entries,
        unscheduled: outcome.unscheduled,
        summary,
        notes,
    }
}
