//! Phone work, within calls a day (a capacity, never exceeded): dated actions on their due
//! dates, cadence calls in their windows — first every customer's first call, in priority
//! order (overdue first, then by grade), so that no customer with a call cadence goes
//! without calls while others get more; then the other calls grade by grade, highest first,
//! and within a grade round by round (every customer's second call, then every third, …) —
//! and calls added to reach the weekly callback minimum.
//!
//! The minimum is handbook 002, `002_d29de148423224f7.txt`, 客户回访管理制度 1.5:
//! "每周电话回访客户不少于18位" — at least 18 customers called back a week, a minimum
//! workload and never a cap; 1.4 "每天根据《客户信息表》以电话形式分批回访客户" — callbacks every
//! day, in batches, so added calls go on the week's least busy days.

use super::super::demand::{push_date, ActionNeed, CallNeed, Demand};
use super::super::types::UnscheduledCause;
use super::{joined, phone_slot, week_bit, Scheduler, WeekCallbacks, CALL, MINIMUM_CALL};
use crate::model::Date;
use crate::policy::PLAN_WEEKS;

impl Scheduler<'_> {
    /// A phone entry on its due date, or the working day before (within the month), or —
    /// when the month has none before it with room — the first working day after.
    pub(super) fn place_dated(&mut self, d: usize, demand: &Demand<'_>, need: &ActionNeed) {
        let first = self.calendar.month().first_day();
        let before_month = need.due < first;
        let target = self.calendar.index(need.due).unwrap_or(0);
        let candidates = (0..=target).rev().chain(target + 1..self.calendar.len());
        let mut any_working = false;
        for i in candidates {
            if !self.calendar.working_at(i) {
                continue;
            }
            any_working = true;
            if !self.call_room(i) {
                continue;
            }
            self.take_call(d, i);
            let date = self.calendar.date(i);
            let note = self.dated_note(need.due, before_month, target, i);
            let entry = self.entry(
                demand,
                date,
                phone_slot(demand.rule.slot),
                &need.kind,
                format!("{}{note}", need.reason),
            );
            self.push(Some(d), entry);
            return;
        }
        let (cause, why) = if any_working {
            (
                UnscheduledCause::Capacity,
                format!(
                    "every working day's {} calls are taken",
                    self.request.calls_per_day
                ),
            )
        } else {
            (
                UnscheduledCause::NoWorkingDay,
                "no working day left in the month".to_string(),
            )
        };
        let week = self.calendar.week_of(need.due);
        self.unscheduled(
            demand,
            &need.kind,
            week,
            Some(need.due),
            cause,
            format!("{} (due {}) — not placed: {why}", need.reason, need.due),
        );
    }

    /// Why a dated entry is not on its due date, if it is not.
    fn dated_note(&self, due: Date, before_month: bool, target: usize, placed: usize) -> String {
        let working =
            |range: std::ops::Range<usize>| range.filter(|&j| self.calendar.working_at(j));
        if before_month {
            return if working(0..placed).next().is_none() {
                format!(" (due {due}, before the month: on its first working day)")
            } else {
                format!(" (due {due}, before the month: the first day with a call free)")
            };
        }
        if placed == target {
            String::new()
        } else if placed < target {
            if working(placed + 1..target + 1).next().is_none() {
                format!(" (due {due}, not a working day: the working day before)")
            } else {
                format!(" (due {due}: moved earlier, the day's calls were full)")
            }
        } else if working(0..target + 1).next().is_none() {
            format!(" (due {due}: no working day on or before it in the month)")
        } else {
            format!(" (due {due}: the calls of the days up to it were full)")
        }
    }

    /// Every cadence call: the first call of every customer (in priority order), then the
    /// others by grade (highest first), call number, and priority order.
    pub(super) fn place_calls(&mut self, demands: &[Demand<'_>], order: &[usize]) {
        let mut previous: Vec<Option<usize>> = vec![None; demands.len()];
        for &d in order {
            if let Some(need) = demands[d].calls.first() {
                previous[d] = self.place_call(d, &demands[d], need, None);
            }
        }
        let mut rest: Vec<(usize, usize, usize, usize)> = order
            .iter()
            .enumerate()
            .flat_map(|(position, &d)| {
                let rank = demands[d].rule.rank;
                (1..demands[d].calls.len()).map(move |k| (rank, k, position, d))
            })
            .collect();
        rest.sort_unstable();
        for (_, k, _, d) in rest {
            let need = &demands[d].calls[k];
            if let Some(day) = self.place_call(d, &demands[d], need, previous[d]) {
                previous[d] = Some(day);
            }
        }
    }

    /// A cadence call on the first working day of its window with room, else on a day
    /// between the previous call and the window, nearest first. Returns the day index used.
    fn place_call(
        &mut self,
        d: usize,
        demand: &Demand<'_>,
        need: &CallNeed,
        previous: Option<usize>,
    ) -> Option<usize> {
        let start = self.calendar.index(need.target).unwrap_or(0);
        let end = self.calendar.index(need.end).unwrap_or(self.calendar.len());
        let low = previous.map_or(0, |p| p + 1).min(start);
        let mut any_working = false;
        for i in (start..end).chain((low..start).rev()) {
            if !self.calendar.working_at(i) {
                continue;
            }
            any_working = true;
            if !self.call_room(i) || self.call_days[d].contains(&i) {
                continue;
            }
            self.take_call(d, i);
            self.call_days[d].push(i);
            let entry = self.entry(
                demand,
                self.calendar.date(i),
                phone_slot(demand.rule.slot),
                CALL,
                need.reason.clone(),
            );
            self.push(Some(d), entry);
            return Some(i);
        }
        let (cause, text) = if any_working {
            (
                UnscheduledCause::Capacity,
                format!(
                    "{} — not placed: the calls of its days are taken ({} a day)",
                    need.reason, self.request.calls_per_day
                ),
            )
        } else {
            (
                UnscheduledCause::NoWorkingDay,
                format!(
                    "{} — not placed: no working day between {} and {}",
                    need.reason,
                    self.calendar.date(low),
                    need.end - chrono::Duration::days(1)
                ),
            )
        };
        self.unscheduled(
            demand,
            CALL,
            self.calendar.week_of(need.target),
            Some(need.target),
            cause,
            text,
        );
        None
    }

    /// Customers with a phone entry in `week`.
    fn callbacks_in(&self, week: u32) -> usize {
        let bit = week_bit(week);
        self.phoned.iter().filter(|m| **m & bit != 0).count()
    }

    /// The week's minimum: `min_calls_per_week` for seven days, in proportion (rounded up)
    /// for a longer week 4.
    fn required_in(&self, week: u32) -> usize {
        let days = self.calendar.week_days(week) as u64;
        (u64::from(self.request.min_calls_per_week) * days).div_ceil(7) as usize
    }

    /// Adds `minimum_call` entries to every week with fewer customers called back than the
    /// minimum: customers not yet phoned that week, in priority order, each on the week's
    /// least busy working day with room (a day without the customer's visit first). A week
    /// still short says why.
    pub(super) fn meet_weekly_minimum(&mut self, demands: &[Demand<'_>], order: &[usize]) {
        let minimum = self.request.min_calls_per_week;
        for week in 1..=PLAN_WEEKS {
            let required = self.required_in(week);
            let before = self.callbacks_in(week);
            let mut callbacks = before;
            let mut added = 0;
            let bit = week_bit(week);
            let range = self.calendar.week_range(week);
            let (start, end) = (
                self.calendar.date(range.start),
                self.calendar.date(range.end - 1),
            );
            let mut full = false;
            for &d in order {
                if callbacks >= required {
                    break;
                }
                if self.phoned[d] & bit != 0 {
                    continue;
                }
                let day = self
                    .calendar
                    .working_in_week(week)
                    .filter(|&i| self.call_room(i))
                    .min_by_key(|&i| (self.onsite_days[d].contains(&i), self.days[i].calls, i));
                let Some(i) = day else {
                    full = true;
                    break;
                };
                self.take_call(d, i);
                let demand = &demands[d];
                let mut reason = format!(
                    "call back to reach the weekly minimum: at least {minimum} customers called back a week, {required} for week {week} ("
                );
                push_date(&mut reason, start);
                reason.push_str(" – ");
                push_date(&mut reason, end);
                reason.push_str(&format!(
                    "), which had {before} from cadence calls and actions; "
                ));
                let next = demand.calls.iter().find(|c| c.target > end);
                match (demand.calls.is_empty(), next) {
                    (true, _) => reason.push_str("its cadence asks for no call this month"),
                    (false, Some(next)) => {
                        reason.push_str("no cadence call falls in the week, the next is due ");
                        push_date(&mut reason, next.target);
                    }
                    (false, None) => reason.push_str("no cadence call falls in the week"),
                }
                let entry = self.entry(
                    demand,
                    self.calendar.date(i),
                    phone_slot(demand.rule.slot),
                    MINIMUM_CALL,
                    reason,
                );
                self.push(Some(d), entry);
                callbacks += 1;
                added += 1;
            }
            let short = (callbacks < required).then(|| {
                let working = self.calendar.working_in_week(week).count();
                let n = demands.len();
                let few = (n < required).then(|| {
                    format!(
                        "only {n} customer{} in the portfolio",
                        if n == 1 { "" } else { "s" }
                    )
                });
                let room = if working == 0 {
                    Some(format!("week {week} has no working day"))
                } else if self.request.calls_per_day == 0 {
                    Some("calls_per_day is 0".to_string())
                } else if full {
                    let per_day = self.request.calls_per_day;
                    Some(format!(
                        "the week's phone capacity is taken ({working} working day{} × {per_day} call{} a day)",
                        if working == 1 { "" } else { "s" },
                        if per_day == 1 { "" } else { "s" }
                    ))
                } else {
                    None
                };
                let why = match (few, room) {
                    (Some(few), Some(room)) => format!("{few}, and {room}"),
                    (Some(why), None) | (None, Some(why)) => why,
                    // Unreachable: short with every customer phoned means too few customers.
                    (None, None) => format!("only {n} customers in the portfolio"),
                };
                joined(&[
                    &format!("week {week}: {callbacks} callbacks planned, {required} required: "),
                    &why,
                ])
            });
            self.out.weeks[week as usize - 1] = WeekCallbacks {
                callbacks,
                required,
                minimum_calls: added,
                short,
            };
        }
    }
}
