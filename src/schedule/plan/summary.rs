//! The plan's summary — scheduled against required per grade, per kind and per week, so a
//! manager sees whether a rep's capacity matches the portfolio — and its notes: plain
//! sentences on what the plan assumed and why parts of it are empty.

use std::collections::BTreeMap;

use super::demand::Demand;
use super::request::Resolved;
use super::rules::PlanRules;
use super::scheduler::{is_task, kind_rank, Outcome, CALL, MINIMUM_CALL, VISIT, VISIT_REPORT};
use super::types::{GradeSummary, KindSummary, PlanSummary, UnscheduledCause, WeekSummary};
use crate::policy::PLAN_WEEKS;

/// How many customer ids a note lists before it says "and N more".
const LIST_IDS: usize = 10;

/// Whether entries of `kind` are on-site (they take a visit slot).
pub(crate) fn is_onsite(kind: &str, rules: &PlanRules) -> bool {
    kind == VISIT || rules.is_service_action(kind)
}

/// Whether entries of `kind` are phone work (they take a call of the day).
pub(crate) fn is_phone(kind: &str, rules: &PlanRules) -> bool {
    !is_onsite(kind, rules) && !is_task(kind)
}

/// The summary and the notes of a plan.
pub(crate) fn summarize(
    demands: &[Demand<'_>],
    outcome: &Outcome,
    rules: &PlanRules,
    request: &Resolved,
) -> (PlanSummary, Vec<String>) {
    let calendar = &request.calendar;
    let placed = outcome
        .entries
        .iter()
        .map(|e| (e.grade.as_deref(), e.kind.as_str(), true));
    let missed = outcome
        .unscheduled
        .iter()
        .map(|u| (u.grade.as_deref(), u.kind.as_str(), false));
    let items: Vec<(Option<&str>, &str, bool)> = placed.chain(missed).collect();

    let mut by_grade: BTreeMap<(usize, &str), GradeSummary> = BTreeMap::new();
    for demand in demands {
        let line = by_grade
            .entry((demand.rule.rank, demand.grade.as_str()))
            .or_insert_with(|| GradeSummary {
                grade: demand.grade.clone(),
                ..GradeSummary::default()
            });
        line.customers += 1;
    }
    let rank_of: BTreeMap<&str, usize> = demands
        .iter()
        .map(|d| (d.grade.as_str(), d.rule.rank))
        .collect();
    for &(grade, kind, scheduled) in &items {
        let Some(grade) = grade else { continue };
        // Reports and the calls added for the weekly minimum are the planner's, not what
        // the cadence and actions ask for.
        if kind == VISIT_REPORT || kind == MINIMUM_CALL {
            continue;
        }
        let rank = rank_of.get(grade).copied().unwrap_or(usize::MAX);
        let Some(line) = by_grade.get_mut(&(rank, grade)) else {
            continue;
        };
        line.required += 1;
        line.scheduled += usize::from(scheduled);
        line.unscheduled += usize::from(!scheduled);
        if kind == VISIT {
            line.visits_required += 1;
            line.visits_scheduled += usize::from(scheduled);
        } else if kind == CALL {
            line.calls_required += 1;
            line.calls_scheduled += usize::from(scheduled);
        }
    }

    let mut by_kind: BTreeMap<(u8, &str), KindSummary> = BTreeMap::new();
    for &(_, kind, scheduled) in &items {
        let line = by_kind
            .entry((kind_rank(kind), kind))
            .or_insert_with(|| KindSummary {
                kind: kind.to_string(),
                ..KindSummary::default()
            });
        line.required += 1;
        line.scheduled += usize::from(scheduled);
        line.unscheduled += usize::from(!scheduled);
    }

    let by_week: Vec<WeekSummary> = (1..=PLAN_WEEKS)
        .zip(&outcome.weeks)
        .map(|(week, callbacks)| {
            let range = calendar.week_range(week);
            let working_days = calendar.working_in_week(week).count();
            let in_week = outcome
                .entries
                .iter()
                .filter(|e| e.week == Some(week) && !is_task(&e.kind));
            let (mut visits, mut calls) = (0, 0);
            for entry in in_week {
                if is_onsite(&entry.kind, rules) {
                    visits += 1;
                } else if is_phone(&entry.kind, rules) {
                    calls += 1;
                }
            }
            WeekSummary {
                week,
                start: calendar.date(range.start),
                end: calendar.date(range.end - 1),
                working_days,
                visits,
                visit_capacity: working_days * request.visits_per_day as usize,
                calls,
                call_capacity: working_days * request.calls_per_day as usize,
                callbacks: callbacks.callbacks,
                callbacks_required: callbacks.required,
                minimum_calls: callbacks.minimum_calls,
                callbacks_short: callbacks.short.clone(),
            }
        })
        .collect();

    let summary = PlanSummary {
        customers: demands.len(),
        working_days: calendar.working_day_count(),
        required: items.len(),
        scheduled: outcome.entries.len(),
        unscheduled: outcome.unscheduled.len(),
        by_grade: by_grade.into_values().collect(),
        by_kind: by_kind.into_values().collect(),
        by_week,
    };
    let notes = notes(demands, outcome, rules, request, &summary);
    (summary, notes)
}

fn list(ids: &[&str]) -> String {
    let mut text = ids
        .iter()
        .take(LIST_IDS)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > LIST_IDS {
        text.push_str(&format!(" and {} more", ids.len() - LIST_IDS));
    }
    text
}

fn notes(
    demands: &[Demand<'_>],
    outcome: &Outcome,
    rules: &PlanRules,
    request: &Resolved,
    summary: &PlanSummary,
) -> Vec<String> {
    let month = request.calendar.month();
    let mut notes = Vec::new();
    let weeks: Vec<String> = summary
        .by_week
        .iter()
        .map(|w| {
            format!(
                "week {} {} – {} ({} working day{})",
                w.week,
                w.start.format("%m-%d"),
                w.end.format("%m-%d"),
                w.working_days,
                if w.working_days == 1 { "" } else { "s" }
            )
        })
        .collect();
    notes.push(format!(
        "Weeks of {month}: {}. Each day holds at most {} visits ({} in the morning, {} in the afternoon) and {} phone entries.",
        weeks.join("; "),
        request.visits_per_day,
        request.visits_per_day.div_ceil(2),
        request.visits_per_day / 2,
        request.calls_per_day,
    ));
    if request.old_name {
        notes.push(format!(
            "The request's calls_per_week ({}) is read as min_calls_per_week, the weekly minimum of customers called back (its meaning in handbook 002); phone capacity is calls_per_day ({}).",
            request.min_calls_per_week, request.calls_per_day
        ));
    } else if rules.min_from_old_key {
        notes.push(format!(
            "The policy's [plan] calls_per_week ({}) is read as min_calls_per_week, the weekly minimum of customers called back (its meaning in handbook 002); phone capacity is calls_per_day ({}).",
            rules.min_calls_per_week, request.calls_per_day
        ));
    }

    if demands.iter().all(Demand::is_empty) {
        let added = outcome.weeks.iter().any(|w| w.minimum_calls > 0);
        let tasks = rules.submit_plan || rules.weekly_plan || rules.callback_statistics;
        notes.push(format!(
            "No customer needs a visit, a call or an action in {month} by its cadence and actions{}.",
            match (added, tasks) {
                (true, true) => ": the plan holds the calls that reach the weekly minimum and the rep's own tasks",
                (true, false) => ": the plan holds only the calls that reach the weekly minimum",
                (false, true) => ": the plan holds only the rep's own tasks",
                (false, false) => ": the plan is empty",
            }
        ));
    } else {
        let count = |kinds: &dyn Fn(&str) -> bool, placed: bool| -> usize {
            if placed {
                outcome.entries.iter().filter(|e| kinds(&e.kind)).count()
            } else {
                outcome
                    .unscheduled
                    .iter()
                    .filter(|u| kinds(&u.kind))
                    .count()
            }
        };
        let onsite = |k: &str| is_onsite(k, rules);
        let phone = |k: &str| is_phone(k, rules);
        let (visits, visits_missed) = (count(&onsite, true), count(&onsite, false));
        let (calls, calls_missed) = (count(&phone, true), count(&phone, false));
        let visit_capacity: usize = summary.by_week.iter().map(|w| w.visit_capacity).sum();
        let call_capacity: usize = summary.by_week.iter().map(|w| w.call_capacity).sum();
        notes.push(format!(
            "On-site work: {} asked for, {visits} scheduled, room for {visit_capacity}. Phone work: {} asked for, {calls} scheduled, room for {call_capacity}.",
            visits + visits_missed,
            calls + calls_missed,
        ));
    }

    if request.min_calls_per_week > 0 {
        let weeks: Vec<String> = summary
            .by_week
            .iter()
            .map(|w| format!("week {} {}/{}", w.week, w.callbacks, w.callbacks_required))
            .collect();
        let added: usize = summary.by_week.iter().map(|w| w.minimum_calls).sum();
        notes.push(format!(
            "Customers called back against the minimum of {} a week (handbook 002, in proportion for a longer week 4): {}{}.",
            request.min_calls_per_week,
            weeks.join(", "),
            if added > 0 {
                format!("; {added} minimum_call entr{} added to reach it", if added == 1 { "y" } else { "ies" })
            } else {
                String::new()
            }
        ));
        for week in &summary.by_week {
            if let Some(short) = &week.callbacks_short {
                notes.push(format!("{short}."));
            }
        }
    }
    if !outcome.unscheduled.is_empty() {
        let capacity = outcome
            .unscheduled
            .iter()
            .filter(|u| u.cause == UnscheduledCause::Capacity)
            .count();
        let no_day = outcome.unscheduled.len() - capacity;
        notes.push(format!(
            "{} item(s) could not be placed ({capacity} for capacity, {no_day} for want of a working day); they are listed under `unscheduled`. Capacity shortfalls mean the portfolio needs more than the rep's visits a day or calls a day allow.",
            outcome.unscheduled.len()
        ));
    }
    if request.visits_per_day == 0 {
        notes.push("visits_per_day is 0: every visit is unscheduled.".into());
    }
    if request.calls_per_day == 0 {
        notes.push("calls_per_day is 0: every call and phone action is unscheduled.".into());
    }

    let mut idle: Vec<&str> = demands
        .iter()
        .filter(|d| d.is_empty())
        .map(|d| d.customer.id.as_str())
        .collect();
    idle.sort_unstable();
    if !idle.is_empty() && idle.len() < demands.len() {
        notes.push(format!(
            "{} customer(s) need nothing in {month} (no visit or call falls due, no action): {}.",
            idle.len(),
            list(&idle)
        ));
    }
    let later: usize = demands.iter().map(|d| d.later).sum();
    if later > 0 {
        notes.push(format!(
            "{later} action(s) fall due after {month} and are left for next month's plan."
        ));
    }
    let reports_after = outcome
        .entries
        .iter()
        .filter(|e| e.kind == VISIT_REPORT && e.week.is_none())
        .count();
    if reports_after > 0 {
        notes.push(format!(
            "{reports_after} visit report(s) fall due after {month}, {} working days after visits at the month's end.",
            rules.report_after_working_days
        ));
    }
    notes
}
