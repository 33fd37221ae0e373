//! The rep's paperwork, on the calendar like the rest (it takes no visit or call capacity):
//!
//! - a `visit_report` a set number of working days after every on-site entry — handbook 002,
//!   `002_d29de148423224f7.txt`, 拜访作业管理办法 4.: "拜访后应于两日内提出客户拜访报告";
//! - a `weekly_plan` every Friday: next week's plan to the manager — 客户拜访流程, 第一步 2、周计划:
//!   "在上个星期五,下班前 2 小时,将下周的拜访计划、路线、顺序及预计的销售目标,呈给主管";
//! - a `callback_statistics` every Saturday: this week's callbacks and next week's count —
//!   客户回访管理制度 1.3: "每周六下班前统计本周回访情况以及下周计划回访客户数量". The handbook
//!   dates it on Saturday, which its customer-service staff work; a rep who does not work
//!   Saturdays files it on the working day before, and the entry says so;
//! - `submit_plan` on the month's last working day — 拜访作业管理办法 3.1:
//!   "业务人员每月底应提出次月拜访计划书".
//!
//! A Friday or Saturday that is not worked moves its entry to the working day before in the
//! same week (Monday at the earliest, never before the month); with none, the entry is
//! unscheduled for want of a working day.

use std::fmt::Write as _;

use chrono::{Datelike, Duration, Weekday};

use super::super::demand::{push_date, Demand};
use super::super::summary::is_phone;
use super::super::types::{Slot, UnscheduledCause};
use super::{Scheduler, CALLBACK_STATISTICS, SUBMIT_PLAN, VISIT_REPORT, WEEKLY_PLAN};
use crate::model::Date;

/// "12-05": month and day.
fn short(date: Date) -> String {
    date.format("%m-%d").to_string()
}

impl Scheduler<'_> {
    /// A `visit_report` entry a set number of working days after each on-site entry.
    pub(super) fn place_reports(&mut self, demands: &[Demand<'_>]) {
        let after = self.rules.report_after_working_days;
        let onsite = std::mem::take(&mut self.onsite_entries);
        for (index, d) in onsite {
            let visit = &self.out.entries[index];
            let (visit_date, visit_week) = (visit.date, visit.week);
            let mut reason = String::with_capacity(64);
            reason.push_str("report on the ");
            reason.push_str(&visit.kind.replace('_', " "));
            reason.push_str(" of ");
            push_date(&mut reason, visit_date);
            let _ = write!(
                reason,
                " (due {after} working day{} after it)",
                if after == 1 { "" } else { "s" }
            );
            let demand = &demands[d];
            match self.calendar.add_working_days(visit_date, after) {
                Some(date) => {
                    let entry = self.entry(demand, date, Slot::Afternoon, VISIT_REPORT, reason);
                    self.push(Some(d), entry);
                }
                None => {
                    self.unscheduled(
                        demand,
                        VISIT_REPORT,
                        visit_week,
                        None,
                        UnscheduledCause::NoWorkingDay,
                        format!("{reason} — not placed: no working day after the visit"),
                    );
                }
            }
        }
    }

    /// Day indexes of the month that fall on `weekday`.
    fn weekdays_of_month(&self, weekday: Weekday) -> Vec<usize> {
        (0..self.calendar.len())
            .filter(|&i| self.calendar.date(i).weekday() == weekday)
            .collect()
    }

    /// Where the entry of day `i` goes: that day when worked, else the working day before in
    /// the same week (Monday at the earliest) and the month. With the words saying so.
    fn on_or_before(&self, i: usize) -> Option<(usize, String)> {
        let date = self.calendar.date(i);
        let monday = i.saturating_sub(date.weekday().num_days_from_monday() as usize);
        let day = self.calendar.working_at_or_before(i, monday)?;
        let note = if day == i {
            String::new()
        } else {
            format!(
                "; {} {} is not a working day: the working day before",
                date.format("%A"),
                short(date)
            )
        };
        Some((day, note))
    }

    /// A `weekly_plan` entry every Friday of the month (or the working day before).
    pub(super) fn place_weekly_plans(&mut self) {
        if !self.rules.weekly_plan {
            return;
        }
        for i in self.weekdays_of_month(Weekday::Fri) {
            let friday = self.calendar.date(i);
            let (monday, sunday) = (friday + Duration::days(3), friday + Duration::days(9));
            let reason = format!(
                "submit next week's plan ({} – {}): visits, route, order and expected sales, to your manager 2 hours before the end of work",
                short(monday),
                short(sunday)
            );
            match self.on_or_before(i) {
                Some((day, note)) => self.task(day, WEEKLY_PLAN, format!("{reason}{note}")),
                None => self.task_unscheduled(
                    friday,
                    WEEKLY_PLAN,
                    format!("{reason} — not placed: no working day from Monday to Friday {} in the month", short(friday)),
                ),
            }
        }
    }

    /// Per day of the month: the demands with a phone entry that day.
    fn phoned_by_day(&self) -> Vec<Vec<u32>> {
        let mut days = vec![Vec::new(); self.calendar.len()];
        for (entry, &owner) in self.out.entries.iter().zip(&self.owners) {
            if owner == u32::MAX || !is_phone(&entry.kind, self.rules) {
                continue;
            }
            if let Some(i) = self.calendar.index(entry.date) {
                days[i].push(owner);
            }
        }
        for day in &mut days {
            day.sort_unstable();
            day.dedup();
        }
        days
    }

    /// Customers with a phone entry from `from` to `to` (day indexes, inclusive, clipped to
    /// the month), and the part of the span inside the month.
    fn customers_phoned(
        &self,
        by_day: &[Vec<u32>],
        from: i64,
        to: i64,
    ) -> (usize, Option<(Date, Date)>) {
        let last = self.calendar.len() as i64 - 1;
        let (from, to) = (from.max(0), to.min(last));
        if from > to {
            return (0, None);
        }
        let mut customers: Vec<u32> = (from..=to)
            .flat_map(|i| by_day[i as usize].iter().copied())
            .collect();
        customers.sort_unstable();
        customers.dedup();
        (
            customers.len(),
            Some((
                self.calendar.date(from as usize),
                self.calendar.date(to as usize),
            )),
        )
    }

    /// A `callback_statistics` entry every Saturday of the month (or the working day before):
    /// the customers called back in the seven days ending that Saturday, and those planned
    /// for the seven days after it, counted from this plan.
    pub(super) fn place_callback_statistics(&mut self) {
        if !self.rules.callback_statistics {
            return;
        }
        let by_day = self.phoned_by_day();
        let minimum = self.request.min_calls_per_week;
        for i in self.weekdays_of_month(Weekday::Sat) {
            let saturday = self.calendar.date(i);
            let at = i as i64;
            let span = |(from, to): (Date, Date), whole: (Date, Date)| {
                if (from, to) == whole {
                    format!("{} – {}", short(from), short(to))
                } else {
                    format!(
                        "{} – {}, of which {} – {} in this plan",
                        short(whole.0),
                        short(whole.1),
                        short(from),
                        short(to)
                    )
                }
            };
            let this_whole = (saturday - Duration::days(6), saturday);
            let next_whole = (saturday + Duration::days(1), saturday + Duration::days(7));
            let (this_count, this_span) = self.customers_phoned(&by_day, at - 6, at);
            let (next_count, next_span) = self.customers_phoned(&by_day, at + 1, at + 7);
            let mut reason = String::from(
                "file this week's callback statistics and next week's callback count before the end of work: ",
            );
            let _ = write!(
                reason,
                "this week ({}) {this_count} customer{} called back in this plan",
                this_span.map_or_else(|| span(this_whole, this_whole), |s| span(s, this_whole)),
                if this_count == 1 { "" } else { "s" }
            );
            match next_span {
                Some(s) => {
                    let _ = write!(
                        reason,
                        "; next week ({}) {next_count} planned",
                        span(s, next_whole)
                    );
                }
                None => {
                    let _ = write!(
                        reason,
                        "; next week ({} – {}) is in next month's plan",
                        short(next_whole.0),
                        short(next_whole.1)
                    );
                }
            }
            let _ = write!(reason, "; at least {minimum} a week");
            match self.on_or_before(i) {
                Some((day, note)) => self.task(day, CALLBACK_STATISTICS, format!("{reason}{note}")),
                None => self.task_unscheduled(
                    saturday,
                    CALLBACK_STATISTICS,
                    format!(
                        "{reason} — not placed: no working day from Monday to Saturday {} in the month",
                        short(saturday)
                    ),
                ),
            }
        }
    }

    /// "Submit next month's plan" on the month's last working day.
    pub(super) fn place_submit_plan(&mut self) {
        if !self.rules.submit_plan {
            return;
        }
        let month = self.calendar.month();
        let reason = format!(
            "submit the visit plan for {} (due by the end of {month})",
            month.next()
        );
        match self.calendar.last_working_day() {
            Some(date) => {
                let i = self.calendar.index(date).unwrap_or(0);
                self.task(i, SUBMIT_PLAN, reason);
            }
            None => self.task_unscheduled(
                month.last_day(),
                SUBMIT_PLAN,
                format!("{reason} — not placed: no working day in the month"),
            ),
        }
    }
}
