//! What each customer needs in the month, before anything is placed: its cadence visits
//! (with the week each belongs in), its cadence calls (with the window each may go in), and
//! its dated and service-week actions — from its evaluation as of the month's first day.

use std::fmt::Write as _;

use chrono::{Datelike, Duration};

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

/// Appends `date` as `YYYY-MM-DD` (what `Display` writes, without the formatting
/// machinery: large plans write hundreds of thousands of dates).
pub(crate) fn push_date(out: &mut String, date: Date) {
    let (year, month, day) = (date.year(), date.month(), date.day());
    if !(0..=9999).contains(&year) {
        let _ = write!(out, "{date}");
        return;
    }
    let digits = [year / 1000 % 10, year / 100 % 10, year / 10 % 10, year % 10];
    for d in digits {
        out.push(char::from(b'0' + d as u8));
    }
    for part in [month, day] {
        out.push('-');
        out.push(char::from(b'0' + (part / 10) as u8));
        out.push(char::from(b'0' + (part % 10) as u8));
    }
}

/// Appends a whole number in decimal.
pub(crate) fn push_number(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &digit in digits[..len].iter().rev() {
        out.push(char::from(digit));
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
        usize::from(due.is_none_or(|d| d <= month.last_day()))
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
    // The parts shared by every visit of the customer, written once.
    let head = format!(" of {count} for grade {} ({cadence}): ", rule.grade);
    let home = format!("grade {}'s week{slot}", rule.grade);
    let gap = match step {
        1 => "a week after visit ".to_string(),
        n => format!("{n} weeks after visit "),
    };
    let overdue = if days_overdue > 0 {
        format!("; contact overdue by {days_overdue} days")
    } else {
        String::new()
    };
    (0..count)
        .map(|k| {
            let week = ((rule.week as usize - 1 + k * step) % PLAN_WEEKS as usize) as u32 + 1;
            let mut reason = String::with_capacity(head.len() + home.len() + overdue.len() + 48);
            reason.push_str("visit ");
            push_number(&mut reason, k as u64 + 1);
            reason.push_str(&head);
            if k == 0 {
                reason.push_str("week ");
                push_number(&mut reason, u64::from(week));
                reason.push_str(" is ");
                reason.push_str(&home);
            } else {
                reason.push_str(&gap);
                push_number(&mut reason, k as u64);
                if week == rules.service_week {
                    reason.push_str(", in week ");
                    push_number(&mut reason, u64::from(week));
                    reason.push_str(" (the service week)");
                }
                reason.push_str(slot);
            }
            reason.push_str(&overdue);
            VisitNeed { week, reason }
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
    let head = format!(
        " of {count} for grade {} ({} a week), due ",
        rule.grade,
        number(per_week)
    );
    let late = format!("; overdue since {due}");
    targets
        .iter()
        .enumerate()
        .map(|(k, &target)| {
            let mut reason = String::with_capacity(head.len() + late.len() + 24);
            reason.push_str("call ");
            push_number(&mut reason, k as u64 + 1);
            reason.push_str(&head);
            push_date(&mut reason, target);
            if k == 0 && due < month.first_day() {
                reason.push_str(&late);
            }
            CallNeed {
                target,
                end: targets.get(k + 1).copied().unwrap_or(after_month),
                reason,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_date_writes_what_display_writes() {
        for text in ["2026-12-01", "0999-01-31", "2027-10-09"] {
            let date = crate::model::parse_date(text).unwrap();
            let mut out = String::new();
            push_date(&mut out, date);
            assert_eq!(out, date.to_string());
        }
    }

    #[test]
    fn push_number_writes_decimal() {
        for n in [0u64, 7, 10, 1234, u64::MAX] {
            let mut out = String::new();
            push_number(&mut out, n);
            assert_eq!(out, n.to_string());
        }
    }

    #[test]
    fn numbers_lose_trailing_zeros() {
        assert_eq!(number(4.0), "4");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(1.0 / 13.0), "0.08");
    }
}
