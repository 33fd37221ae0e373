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

/// One visit the cadence asks for, and the week it belongs in. Its reason is written once
/// the customer's visits are placed, numbered in date order.
#[derive(Debug, Clone)]
pub(crate) struct VisitNeed {
    pub(crate) week: u32,
}

/// What every visit of one customer says: "for grade A (4 a month)", the grade's week and
/// slot, "; contact overdue by 9 days".
#[derive(Debug, Clone, Default)]
pub(crate) struct VisitText {
    /// " for grade A (4 a month): " — between "visit 1 of 4" and where it goes.
    pub(crate) head: String,
    /// ", mornings" for a morning grade, ", afternoons" for an afternoon grade, else empty.
    pub(crate) slot: &'static str,
    /// Weeks between visits when they are spread over the month (1 or 2), 0 for one visit.
    pub(crate) step: usize,
    /// "; contact overdue by 9 days", or empty.
    pub(crate) overdue: String,
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
    pub(crate) visit_text: VisitText,
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
    let (visits, visit_text) = visits(evaluation, &rule, calendar, days_overdue);
    let mut demand = Demand {
        customer,
        grade,
        visits,
        visit_text,
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

/// The visits of one customer in the month and the words their reasons share.
///
/// Handbook 002, `002_d29de148423224f7.txt`, 拜访客户流程 (三) 1. 客户分类: the first visit goes
/// in the grade's week ("A级客户:应安排在第一个星期出访", "B级客户:多是安排在第二星期出访",
/// "C、D级客户:应安排在第三个星期出访"); further visits follow one week apart (two for two a
/// month), wrapping round the month — numbering follows the dates once they are placed.
fn visits(
    evaluation: &Evaluation,
    rule: &GradeRule,
    calendar: &WorkCalendar,
    days_overdue: i64,
) -> (Vec<VisitNeed>, VisitText) {
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
        return (Vec::new(), VisitText::default());
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
    let text = VisitText {
        head: format!(" of {count} for grade {} ({cadence}): ", rule.grade),
        slot: match rule.slot {
            PlanSlot::Morning => ", mornings",
            PlanSlot::Afternoon => ", afternoons",
            PlanSlot::Any => "",
        },
        step: if count == 1 { 0 } else { step },
        overdue: if days_overdue > 0 {
            format!("; contact overdue by {days_overdue} days")
        } else {
            String::new()
        },
    };
    let needs = (0..count)
        .map(|k| VisitNeed {
            week: ((rule.week as usize - 1 + k * step) % PLAN_WEEKS as usize) as u32 + 1,
        })
        .collect();
    (needs, text)
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

/// The evaluation's actions in the month: dated phone work (payment reminders, callbacks, a
/// policy's own kinds) and service-week actions, plus the reminders of receivables that fall
/// due later in the month.
///
/// Handbook 002, `002_d29de148423224f7.txt`, 客户回访管理制度: 1.11 "提前3天提醒客户安排回款"
/// (a reminder three days before a receivable falls due) and 二、2. "对超过一周未合作客户的回访"
/// (a callback for a customer who has not ordered for over a week) — both come from the
/// policy's `actions.rhai`, as of the month's first day.
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
