//! Placing the month's work on days: dated actions on their due dates (or the working day
//! before), service-week actions and cadence visits in their weeks (region-grouped, slot
//! rules, visits a day never exceeded), cadence calls in their windows (calls a week never
//! exceeded), then a report after every visit and the "submit next month's plan" entry.
//! Whatever does not fit becomes an [`Unscheduled`] item with its cause.

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::calendar::WorkCalendar;
use super::demand::{push_date, ActionNeed, Demand};
use super::request::Resolved;
use super::rules::PlanRules;
use super::types::{PlanEntry, Slot, Unscheduled, UnscheduledCause};
use crate::model::Date;
use crate::policy::{PlanSlot, PLAN_WEEKS};

/// The kind of a cadence visit entry.
pub(crate) const VISIT: &str = "visit";
/// The kind of a cadence call entry.
pub(crate) const CALL: &str = "call";
/// The kind of the entry a visit generates.
pub(crate) const VISIT_REPORT: &str = "visit_report";
/// The kind of the rep's end-of-month entry.
pub(crate) const SUBMIT_PLAN: &str = "submit_plan";

/// Entries and unscheduled items, in the order they were decided.
pub(crate) struct Outcome {
    pub(crate) entries: Vec<PlanEntry>,
    pub(crate) unscheduled: Vec<Unscheduled>,
}

#[derive(Debug, Default, Clone)]
struct DayLoad {
    morning: u32,
    afternoon: u32,
    calls: u32,
    /// On-site entries per region id.
    regions: Vec<(usize, u32)>,
}

impl DayLoad {
    fn region_count(&self, region: Option<usize>) -> u32 {
        region
            .and_then(|r| self.regions.iter().find(|(id, _)| *id == r))
            .map_or(0, |(_, n)| *n)
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct WeekLoad {
    calls: u32,
    daily_call_cap: u32,
}

/// How good a day is for an on-site entry: same-region entries already there (more is
/// better), entries there at all (fewer is better), the day (earlier is better).
type DayScore = (u32, Reverse<u32>, Reverse<usize>);

/// The placing state: what each day and week already holds.
struct Scheduler<'a> {
    rules: &'a PlanRules,
    calendar: &'a WorkCalendar,
    calls_per_week: u32,
    morning_cap: u32,
    afternoon_cap: u32,
    days: Vec<DayLoad>,
    weeks: [WeekLoad; PLAN_WEEKS as usize],
    regions: BTreeMap<&'a str, usize>,
    /// Per demand: day indexes with an on-site entry, and with a cadence call.
    onsite_days: Vec<Vec<usize>>,
    call_days: Vec<Vec<usize>>,
    /// "week 2 (2026-12-08 – 2026-12-14)" for each week.
    week_texts: Vec<String>,
    /// "2 morning visits a day", "2 afternoon visits a day", "4 visits a day".
    limit_texts: [String; 3],
    /// Why a call did not fit.
    calls_full: String,
    /// Per entry: the demand it belongs to (`u32::MAX` for the rep's own tasks).
    owners: Vec<u32>,
    /// On-site entries (each gets a report): entry index and demand index.
    onsite_entries: Vec<(usize, usize)>,
    out: Outcome,
}

/// Places every demand; `demands` in input order.
pub(crate) fn schedule(demands: &[Demand<'_>], rules: &PlanRules, request: &Resolved) -> Outcome {
    let calendar = &request.calendar;
    let mut scheduler = Scheduler {
        rules,
        calendar,
        calls_per_week: request.calls_per_week,
        morning_cap: request.visits_per_day.div_ceil(2),
        afternoon_cap: request.visits_per_day / 2,
        days: vec![DayLoad::default(); calendar.len()],
        weeks: [WeekLoad::default(); PLAN_WEEKS as usize],
        regions: BTreeMap::new(),
        onsite_days: vec![Vec::new(); demands.len()],
        call_days: vec![Vec::new(); demands.len()],
        onsite_entries: Vec::new(),
        week_texts: (1..=PLAN_WEEKS)
            .map(|week| {
                let range = calendar.week_range(week);
                format!(
                    "week {week} ({} – {})",
                    calendar.date(range.start),
                    calendar.date(range.end - 1)
                )
            })
            .collect(),
        limit_texts: [
            format!(
                "{} morning visits a day",
                request.visits_per_day.div_ceil(2)
            ),
            format!("{} afternoon visits a day", request.visits_per_day / 2),
            format!("{} visits a day", request.visits_per_day),
        ],
        calls_full: format!(
            "the calls of its days are taken ({} a week)",
            request.calls_per_week
        ),
        owners: Vec::new(),
        out: Outcome {
            entries: Vec::new(),
            unscheduled: Vec::new(),
        },
    };
    for week in 1..=PLAN_WEEKS {
        let working = calendar.working_in_week(week).count() as u32;
        scheduler.weeks[week as usize - 1].daily_call_cap = if working == 0 {
            0
        } else {
            request.calls_per_week.div_ceil(working)
        };
    }
    for demand in demands {
        if let Some(region) = demand.customer.region.as_deref() {
            let next = scheduler.regions.len();
            scheduler.regions.entry(region).or_insert(next);
        }
    }

    let order = priority_order(demands);

    // 1. Dated actions (reminders, callbacks …): bound to their dates, so first.
    let mut dated: Vec<(Date, usize, &ActionNeed)> = order
        .iter()
        .enumerate()
        .flat_map(|(position, &d)| demands[d].dated.iter().map(move |a| (a.due, position, a)))
        .collect();
    dated.sort_by_key(|(due, position, _)| (*due, *position));
    for (_, position, need) in dated {
        let d = order[position];
        scheduler.place_dated(d, &demands[d], need);
    }

    // 2. Service-week actions (collections, complaint follow-ups), then 3. cadence visits,
    // customers in priority order: overdue first, then by grade.
    for &d in &order {
        for need in &demands[d].service {
            let reason = format!(
                "{}; week {} is kept for service and collections",
                need.reason, rules.service_week
            );
            scheduler.place_onsite(
                d,
                &demands[d],
                rules.service_week,
                PlanSlot::Any,
                &need.kind,
                reason,
                Some(need.due),
            );
        }
    }
    for &d in &order {
        let demand = &demands[d];
        for need in &demand.visits {
            scheduler.place_onsite(
                d,
                demand,
                need.week,
                demand.rule.slot,
                VISIT,
                need.reason.clone(),
                None,
            );
        }
    }

    // 4. Cadence calls, in their windows.
    for &d in &order {
        let mut previous = None;
        for need in &demands[d].calls {
            if let Some(day) = scheduler.place_call(d, &demands[d], need, previous) {
                previous = Some(day);
            }
        }
    }

    // 5. A report after every on-site entry; 6. the plan for next month.
    scheduler.place_reports(demands);
    scheduler.place_submit_plan();

    let owners = std::mem::take(&mut scheduler.owners);
    let mut out = scheduler.out;
    out.entries = in_plan_order(out.entries, &owners, demands);
    out
}

/// Entries sorted by date, slot, kind (visits, service, calls and actions, reports, plan)
/// and customer id — by integer keys computed once, for speed on large plans.
fn in_plan_order(
    entries: Vec<PlanEntry>,
    owners: &[u32],
    demands: &[Demand<'_>],
) -> Vec<PlanEntry> {
    let mut by_id: Vec<usize> = (0..demands.len()).collect();
    by_id.sort_by(|&a, &b| demands[a].customer.id.cmp(&demands[b].customer.id));
    let mut id_rank = vec![0u32; demands.len()];
    for (rank, &d) in by_id.iter().enumerate() {
        id_rank[d] = rank as u32;
    }
    let mut kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
    kinds.sort_unstable_by_key(|k| (kind_rank(k), *k));
    kinds.dedup();
    let keys: Vec<(Date, Slot, usize, u32)> = entries
        .iter()
        .zip(owners)
        .map(|(e, &owner)| {
            let kind = kinds
                .iter()
                .position(|k| *k == e.kind)
                .unwrap_or(usize::MAX);
            let customer = id_rank.get(owner as usize).copied().unwrap_or(u32::MAX);
            (e.date, e.slot, kind, customer)
        })
        .collect();
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&i| keys[i]);
    let mut slots: Vec<Option<PlanEntry>> = entries.into_iter().map(Some).collect();
    order.iter().filter_map(|&i| slots[i].take()).collect()
}

/// The parts, concatenated with one allocation.
fn joined(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

/// Customers in the order they claim capacity: most overdue first, then by grade (highest
/// first), then by region (so that a region's customers come together), then by id.
pub(crate) fn priority_order(demands: &[Demand<'_>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..demands.len()).collect();
    order.sort_by_key(|&i| {
        let d = &demands[i];
        (
            Reverse(d.days_overdue),
            d.rule.rank,
            d.customer.region.is_none(),
            d.customer.region.as_deref(),
            d.customer.id.as_str(),
            i,
        )
    });
    order
}

/// Order of kinds within a slot of a day: visits, service, calls and actions, reports, plan.
pub(crate) fn kind_rank(kind: &str) -> u8 {
    match kind {
        VISIT => 0,
        CALL => 3,
        VISIT_REPORT => 8,
        SUBMIT_PLAN => 9,
        _ => 5,
    }
}

/// The slot of phone work and tasks for a grade: mornings for a morning grade.
fn phone_slot(slot: PlanSlot) -> Slot {
    match slot {
        PlanSlot::Morning => Slot::Morning,
        PlanSlot::Afternoon | PlanSlot::Any => Slot::Afternoon,
    }
}

impl<'a> Scheduler<'a> {
    fn push(&mut self, owner: Option<usize>, entry: PlanEntry) {
        self.owners.push(owner.map_or(u32::MAX, |d| d as u32));
        self.out.entries.push(entry);
    }

    fn entry(
        &self,
        demand: &Demand<'_>,
        date: Date,
        slot: Slot,
        kind: &str,
        reason: String,
    ) -> PlanEntry {
        PlanEntry {
            date,
            week: self.calendar.week_of(date),
            slot,
            customer_id: Some(demand.customer.id.clone()),
            customer_name: demand.customer.name.clone(),
            kind: kind.to_string(),
            reason,
            grade: Some(demand.grade.clone()),
            region: demand.customer.region.clone(),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn unscheduled(
        &mut self,
        demand: &Demand<'_>,
        kind: &str,
        week: Option<u32>,
        due: Option<Date>,
        cause: UnscheduledCause,
        reason: String,
    ) {
        self.out.unscheduled.push(Unscheduled {
            customer_id: Some(demand.customer.id.clone()),
            customer_name: demand.customer.name.clone(),
            kind: kind.to_string(),
            grade: Some(demand.grade.clone()),
            week,
            due,
            cause,
            reason,
        });
    }

    /// A phone entry on its due date, or the working day before (within the month), or —
    /// when the month has none before it — the first working day after.
    fn place_dated(&mut self, d: usize, demand: &Demand<'_>, need: &ActionNeed) {
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
            let week = WorkCalendar::week_of_index(i) as usize - 1;
            if self.weeks[week].calls >= self.calls_per_week {
                continue;
            }
            self.weeks[week].calls += 1;
            self.days[i].calls += 1;
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
                    "every week's {} calls are taken by earlier due dates",
                    self.calls_per_week
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
                format!(" (due {due}: moved earlier, the week's calls were full)")
            }
        } else if working(0..target + 1).next().is_none() {
            format!(" (due {due}: no working day on or before it in the month)")
        } else {
            format!(" (due {due}: the calls of the days up to it were full)")
        }
    }

    /// An on-site entry (visit, collection, …) on a working day of `week`: the day with the
    /// most on-site entries in the customer's region, then the emptiest, then the earliest.
    #[allow(clippy::too_many_arguments)]
    fn place_onsite(
        &mut self,
        d: usize,
        demand: &Demand<'_>,
        week: u32,
        slot_rule: PlanSlot,
        kind: &str,
        reason: String,
        due: Option<Date>,
    ) {
        let region = demand
            .customer
            .region
            .as_deref()
            .and_then(|r| self.regions.get(r).copied());
        let mut any_working = false;
        let mut best: Option<(DayScore, usize, Slot)> = None;
        for i in self.calendar.week_range(week) {
            if !self.calendar.working_at(i) {
                continue;
            }
            any_working = true;
            if self.onsite_days[d].contains(&i) {
                continue;
            }
            let day = &self.days[i];
            let morning = day.morning < self.morning_cap;
            let afternoon = day.afternoon < self.afternoon_cap;
            let slot = match slot_rule {
                PlanSlot::Morning => morning.then_some(Slot::Morning),
                PlanSlot::Afternoon => afternoon.then_some(Slot::Afternoon),
                PlanSlot::Any if afternoon => Some(Slot::Afternoon),
                PlanSlot::Any => morning.then_some(Slot::Morning),
            };
            let Some(slot) = slot else { continue };
            let key = (
                day.region_count(region),
                Reverse(day.morning + day.afternoon),
                Reverse(i),
            );
            if best.as_ref().is_none_or(|(k, _, _)| key > *k) {
                best = Some((key, i, slot));
            }
        }
        match best {
            Some((_, i, slot)) => {
                let day = &mut self.days[i];
                match slot {
                    Slot::Morning => day.morning += 1,
                    Slot::Afternoon => day.afternoon += 1,
                }
                if let Some(region) = region {
                    match day.regions.iter_mut().find(|(r, _)| *r == region) {
                        Some((_, n)) => *n += 1,
                        None => day.regions.push((region, 1)),
                    }
                }
                self.onsite_days[d].push(i);
                let entry = self.entry(demand, self.calendar.date(i), slot, kind, reason);
                self.onsite_entries.push((self.out.entries.len(), d));
                self.push(Some(d), entry);
            }
            None => {
                let week_text = &self.week_texts[week as usize - 1];
                let (cause, text) = if !any_working {
                    (
                        UnscheduledCause::NoWorkingDay,
                        joined(&[&reason, " — not placed: no working day left in ", week_text]),
                    )
                } else {
                    let limit = &self.limit_texts[match slot_rule {
                        PlanSlot::Morning => 0,
                        PlanSlot::Afternoon => 1,
                        PlanSlot::Any => 2,
                    }];
                    (
                        UnscheduledCause::Capacity,
                        joined(&[
                            &reason,
                            " — not placed: ",
                            week_text,
                            " is full (",
                            limit,
                            ")",
                        ]),
                    )
                };
                self.unscheduled(demand, kind, Some(week), due, cause, text);
            }
        }
    }

    /// A cadence call on the first working day of its window with room (calls a week, and
    /// an even share of them a day), else on a day between the previous call and the
    /// window, nearest first. Returns the day index used.
    fn place_call(
        &mut self,
        d: usize,
        demand: &Demand<'_>,
        need: &super::demand::CallNeed,
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
            let week = WorkCalendar::week_of_index(i) as usize - 1;
            let load = self.weeks[week];
            if load.calls >= self.calls_per_week
                || self.days[i].calls >= load.daily_call_cap
                || self.call_days[d].contains(&i)
            {
                continue;
            }
            self.weeks[week].calls += 1;
            self.days[i].calls += 1;
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
                joined(&[&need.reason, " — not placed: ", &self.calls_full]),
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

    /// A `visit_report` entry a set number of working days after each on-site entry.
    fn place_reports(&mut self, demands: &[Demand<'_>]) {
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
                None => self.unscheduled(
                    demand,
                    VISIT_REPORT,
                    visit_week,
                    None,
                    UnscheduledCause::NoWorkingDay,
                    format!("{reason} — not placed: no working day after the visit"),
                ),
            }
        }
    }

    /// "Submit next month's plan" on the month's last working day.
    fn place_submit_plan(&mut self) {
        if !self.rules.submit_plan {
            return;
        }
        let month = self.calendar.month();
        let reason = format!(
            "submit the visit plan for {} (due by the end of {month})",
            month.next()
        );
        match self.calendar.last_working_day() {
            Some(date) => self.push(
                None,
                PlanEntry {
                    date,
                    week: self.calendar.week_of(date),
                    slot: Slot::Afternoon,
                    customer_id: None,
                    customer_name: None,
                    kind: SUBMIT_PLAN.into(),
                    reason,
                    grade: None,
                    region: None,
                },
            ),
            None => self.out.unscheduled.push(Unscheduled {
                customer_id: None,
                customer_name: None,
                kind: SUBMIT_PLAN.into(),
                grade: None,
                week: None,
                due: Some(month.last_day()),
                cause: UnscheduledCause::NoWorkingDay,
                reason: format!("{reason} — not placed: no working day in the month"),
            }),
        }
    }
}
