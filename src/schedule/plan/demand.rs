//! What each customer needs in the month, before anything is placed: its cadence visits
//! (with the week each belongs in), its cadence calls (with the window each may go in), and
//! its dated and service-week actions — from its evaluation as of the month's first day.

use chrono::Duration;

use super::calendar::WorkCalendar;
use super::rules::{GradeRule, PlanRules};
use crate::model::{Customer, Date, Evaluation};
use crate::policy::{PlanSlot, PLAN_WEEKS};

/// More than this many visits or calls of one customer in a month is treated as this many.
const MAX_PER_MONTH: usize = 62;

/// One visit the cadence asks for, and the week it belongs in.
#[derive(Debug, Clone)]
pub(crate) struct VisitNeed {
    pub(crate) week: u32,
    pub(crate) reason: String,
}

/// One call the cadence asks for: due on `target`, placed before `end` (exclusive).
#[derive(Debug, Clone)]
pub(crate) struct CallNeed {
    pub(crate) target: Date,
    pub(crate) end: Date,
    pub(crate) reason: String,
}

/// An action of the evaluation (or a payment reminder that falls due later in the month).
#[derive(Debug, Clone)]
pub(crate) struct ActionNeed {
    pub(crate) kind: String,
    pub(crate) due: Date,
    pub(crate) reason: String,
}

/// Everything one customer needs in the month.
#[derive(Debug)]
pub(crate) struct Demand<'a> {
    pub(crate) customer: &'a Customer,
    pub(crate) grade: String,
    pub(crate) rule: GradeRule,
    pub(crate) days_overdue: i64,
    pub(crate) visits: Vec<VisitNeed>,
    pub(crate) calls: Vec<CallNeed>,
    pub(crate) dated: Vec<ActionNeed>,
    pub(crate) service: Vec<ActionNeed>,
    /// Actions that fall due after the month (left for next month's plan).
    pub(crate) later: usize,
}

impl Demand<'_> {
    /// Whether the customer needs nothing this month.
    pub(crate) fn is_empty(&self) -> bool {
        self.visits.is_empty()
            && self.calls.is_empty()
            && self.dated.is_empty()
            && self.service.is_empty()
    }
}

/// "4", "0.5", "0.08": a cadence number without trailing zeros.
pub(crate) fn number(x: f64) -> String {
    let text = format!("{:.2}", x);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The demand of one customer.
pub(crate) fn demand<'a>(
    customer: &'a Customer,
    evaluation: &Evaluation,
    rules: &PlanRules,
    calendar: &WorkCalendar,
) -> Demand<'a> {
    let grade = evaluation.grade.to.clone();
    let rule = rules.grade(&grade).cloned().unwrap_or(GradeRule {
        grade: grade.clone(),
        rank: usize::MAX,
        week: 3,
        slot: PlanSlot::Any,
    });
    let days_overdue = if evaluation.visits.overdue {
        evaluation.visits.days_overdue.max(0)
    } else {
        0
    };
    let mut demand = Demand {
        customer,
        grade,
        visits: visits(evaluation, &rule, rules, calendar, days_overdue),
        calls: calls(evaluation, &rule, calendar),
        rule,
        days_overdue,
        dated: Vec::new(),
        service: Vec::new(),
        later: 0,
    };
    actions(&mut demand, customer, evaluation, rules, calendar);
    demand
}

fn visits(
    evaluation: &Evaluation,
    rule: &GradeRule,
    rules: &PlanRules,
    calendar: &WorkCalendar,
    days_overdue: i64,
) -> Vec<VisitNeed> {
    let month = calendar.month();
    let per_month = evaluation.visits.visits_per_month;
    let due = evaluation.visits.next_visit_due;
    let count = if !per_month.is_finite() || per_month <= 0.0 {
        0
    } else if per_month >= 1.0 - 1e-9 {
        ((per_month - 1e-9).ceil() as usize).min(MAX_PER_MONTH)
    } else {
        // Less than monthly (e.g. quarterly outside the city): one visit when it falls due
        // in this month (or is overdue).
        usize::from(due.map_or(true, |d| d <= month.last_day()))
    };
    if count == 0 {
        return Vec::new();
    }
    let cadence = if per_month >= 1.0 - 1e-9 {
        format!("{} a month", number(per_month))
    } else {
        match due {
            Some(due) if due >= month.first_day() => {
                format!("once every {} months, due {due}", number(1.0 / per_month))
            }
            _ => format!("once every {} months", number(1.0 / per_month)),
        }
    };
    let step = if count <= PLAN_WEEKS as usize {
        PLAN_WEEKS as usize / count
    } else {
        1
    };
    let slot = match rule.slot {
        PlanSlot::Morning => ", mornings",
        PlanSlot::Afternoon => ", afternoons",
        PlanSlot::Any => "",
    };
    (0..count)
        .map(|k| {
            let week = ((rule.week as usize - 1 + k * step) % PLAN_WEEKS as usize) as u32 + 1;
            let placement = if k == 0 {
                format!("week {week} is grade {}'s week{slot}", rule.grade)
            } else {
                let gap = match step {
                    1 => "a week".to_string(),
                    n => format!("{n} weeks"),
                };
                let service = if week == rules.service_week {
                    format!(", in week {week} (the service week)")
                } else {
                    String::new()
                };
                format!("{gap} after visit {k}{service}{slot}")
            };
            let overdue = if days_overdue > 0 {
                format!("; contact overdue by {days_overdue} days")
            } else {
                String::new()
            };
            VisitNeed {
                week,
                reason: format!(
                    "visit {} of {count} for grade {} ({cadence}): {placement}{overdue}",
                    k + 1,
                    rule.grade
                ),
            }
        })
        .collect()
}

fn calls(evaluation: &Evaluation, rule: &GradeRule, calendar: &WorkCalendar) -> Vec<CallNeed> {
    let month = calendar.month();
    let per_week = evaluation.visits.calls_per_week;
    if !per_week.is_finite() || per_week <= 0.0 {
        return Vec::new();
    }
    let interval = (7.0 / per_week).max(1.0);
    let due = evaluation.visits.next_call_due.unwrap_or(month.first_day());
    let first = due.max(month.first_day());
    let mut targets = Vec::new();
    while targets.len() < MAX_PER_MONTH {
        let offset = (targets.len() as f64 * interval + 1e-9).floor() as i64;
        let target = first + Duration::days(offset);
        if target > month.last_day() {
            break;
        }
        targets.push(target);
    }
    let count = targets.len();
    let after_month = month.last_day() + Duration::days(1);
    targets
        .iter()
        .enumerate()
        .map(|(k, &target)| {
            let late = if k == 0 && due < month.first_day() {
                format!("; overdue since {due}")
            } else {
                String::new()
            };
            CallNeed {
                target,
                end: targets.get(k + 1).copied().unwrap_or(after_month),
                reason: format!(
                    "call {} of {count} for grade {} ({} a week), due {target}{late}",
                    k + 1,
                    rule.grade,
                    number(per_week)
                ),
            }
        })
        .collect()
}

fn actions(
    demand: &mut Demand<'_>,
    customer: &Customer,
    evaluation: &Evaluation,
    rules: &PlanRules,
    calendar: &WorkCalendar,
) {
    let month = calendar.month();
    for action in &evaluation.actions {
        if action.due > month.last_day() {
            demand.later += 1;
            continue;
        }
        let need = ActionNeed {
            kind: action.kind.clone(),
            due: action.due,
            reason: action.reason.clone(),
        };
        if rules.is_service_action(&action.kind) {
            demand.service.push(need);
        } else {
            demand.dated.push(need);
        }
    }
    // The evaluation, as of the 1st, reminds only of receivables due within the reminder
    // window; those that fall due later in the month get their reminder here.
    let days = Duration::days(i64::from(rules.payment_reminder_days));
    for receivable in customer.receivables.iter().filter(|r| !r.paid) {
        let remind = receivable.due - days;
        if remind > month.first_day() && remind <= month.last_day() {
            demand.dated.push(ActionNeed {
                kind: "payment_reminder".into(),
                due: remind,
                reason: format!("{:.2} falls due on {}", receivable.amount, receivable.due),
            });
        }
    }
}
