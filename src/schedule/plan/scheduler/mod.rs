//! Placing the month's work on days, in this order: dated phone actions on their due dates
//! (or the working day before), service-week actions and cadence visits in their weeks
//! (region-grouped, slot rules, moved to another week only when theirs is full), cadence
//! calls in their windows (a round of first calls for every customer before any second
//! call), calls added to reach the weekly callback minimum, then a report after every
//! on-site entry and the rep's own tasks (weekly plan, callback statistics, next month's
//! plan). Visits and calls a day are capacities, never exceeded; whatever does not fit
//! becomes an [`Unscheduled`] item with its cause.
//!
//! - `onsite`: visits and service-week actions, and the numbering of visits by date;
//! - `phone`: dated actions, cadence calls and the weekly callback minimum;
//! - `tasks`: visit reports, the Friday weekly plan, the Saturday callback statistics and
//!   the "submit next month's plan" entry.

mod onsite;
mod phone;
mod tasks;

use std::cmp::Reverse;
use std::collections::BTreeMap;

use super::calendar::WorkCalendar;
use super::demand::{ActionNeed, Demand};
use super::request::Resolved;
use super::rules::PlanRules;
use super::types::{PlanEntry, Slot, Unscheduled, UnscheduledCause};
use crate::model::Date;
use crate::policy::{PlanSlot, PLAN_WEEKS};

/// The kind of a cadence visit entry.
pub(crate) const VISIT: &str = "visit";
/// The kind of a cadence call entry.
pub(crate) const CALL: &str = "call";
/// The kind of a call added to reach the weekly callback minimum.
pub(crate) const MINIMUM_CALL: &str = "minimum_call";
/// The kind of the entry a visit generates.
pub(crate) const VISIT_REPORT: &str = "visit_report";
/// The kind of the rep's Friday entry: next week's plan.
pub(crate) const WEEKLY_PLAN: &str = "weekly_plan";
/// The kind of the rep's Saturday entry: this week's callbacks and next week's count.
pub(crate) const CALLBACK_STATISTICS: &str = "callback_statistics";
/// The kind of the rep's end-of-month entry.
pub(crate) const SUBMIT_PLAN: &str = "submit_plan";

/// Whether entries of `kind` are the rep's own tasks (or reports): they take no capacity.
pub(crate) fn is_task(kind: &str) -> bool {
    matches!(
        kind,
        VISIT_REPORT | WEEKLY_PLAN | CALLBACK_STATISTICS | SUBMIT_PLAN
    )
}

/// How one week went against the callback minimum.
#[derive(Debug, Clone, Default)]
pub(crate) struct WeekCallbacks {
    /// Distinct customers with a phone entry in the week.
    pub(crate) callbacks: usize,
    /// The minimum for the week.
    pub(crate) required: usize,
    /// `minimum_call` entries added.
    pub(crate) minimum_calls: usize,
    /// Why it has fewer than required, when it has.
    pub(crate) short: Option<String>,
}

/// Entries and unscheduled items, in the order they were decided, and the callback minimum
/// week by week.
pub(crate) struct Outcome {
    pub(crate) entries: Vec<PlanEntry>,
    pub(crate) unscheduled: Vec<Unscheduled>,
    pub(crate) weeks: Vec<WeekCallbacks>,
}

#[derive(Debug, Default, Clone)]
struct DayLoad {
    morning: u32,
    afternoon: u32,
    /// Phone entries.
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

/// The placing state: what each day already holds, and who is where.
struct Scheduler<'a> {
    rules: &'a PlanRules,
    calendar: &'a WorkCalendar,
    request: &'a Resolved,
    morning_cap: u32,
    afternoon_cap: u32,
    days: Vec<DayLoad>,
    regions: BTreeMap<&'a str, usize>,
    /// Per demand: day indexes with an on-site entry, with a cadence visit, and with a
    /// cadence call.
    onsite_days: Vec<Vec<usize>>,
    visit_days: Vec<Vec<usize>>,
    call_days: Vec<Vec<usize>>,
    /// Per demand: the weeks (bit `week - 1`) it has a phone entry in.
    phoned: Vec<u8>,
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
        request,
        morning_cap: request.visits_per_day.div_ceil(2),
        afternoon_cap: request.visits_per_day / 2,
        days: vec![DayLoad::default(); calendar.len()],
        regions: BTreeMap::new(),
        onsite_days: vec![Vec::new(); demands.len()],
        visit_days: vec![Vec::new(); demands.len()],
        call_days: vec![Vec::new(); demands.len()],
        phoned: vec![0; demands.len()],
        owners: Vec::new(),
        onsite_entries: Vec::new(),
        out: Outcome {
            entries: Vec::new(),
            unscheduled: Vec::new(),
            weeks: vec![WeekCallbacks::default(); PLAN_WEEKS as usize],
        },
    };
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
        scheduler.place_service(d, &demands[d]);
    }
    for &d in &order {
        scheduler.place_visits(d, &demands[d]);
    }

    // 4. Cadence calls, in their windows: every customer's first call, then every
    // customer's second, … each round in priority order.
    scheduler.place_calls(demands, &order);

    // 5. Calls added where a week has fewer customers called back than the minimum.
    scheduler.meet_weekly_minimum(demands, &order);

    // 6. A report after every on-site entry; 7. the rep's own tasks.
    scheduler.place_reports(demands);
    scheduler.place_weekly_plans();
    scheduler.place_callback_statistics();
    scheduler.place_submit_plan();

    let owners = std::mem::take(&mut scheduler.owners);
    let mut out = scheduler.out;
    out.entries = in_plan_order(out.entries, &owners, demands);
    out
}

/// Entries sorted by date, slot, kind (visits, service, calls and actions, reports, the
/// rep's tasks) and customer id — by integer keys computed once, for speed on large plans.
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
///
/// Handbook 002, `002_d29de148423224f7.txt`, 拜访客户流程 (三) 1.: "首期就拜访***和B级客户"
/// (the `***` is the handbook's own mangled "A级") — A and B customers first.
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

/// Order of kinds within a slot of a day: visits, service, calls and actions, reports, the
/// rep's tasks.
pub(crate) fn kind_rank(kind: &str) -> u8 {
    match kind {
        VISIT => 0,
        CALL => 3,
        MINIMUM_CALL => 4,
        VISIT_REPORT => 8,
        CALLBACK_STATISTICS => 9,
        WEEKLY_PLAN => 10,
        SUBMIT_PLAN => 11,
        _ => 5,
    }
}

/// The slot of phone work for a grade: mornings for a morning grade.
fn phone_slot(slot: PlanSlot) -> Slot {
    match slot {
        PlanSlot::Morning => Slot::Morning,
        PlanSlot::Afternoon | PlanSlot::Any => Slot::Afternoon,
    }
}

/// Bit of `week` (1–4) in a [`Scheduler::phoned`] mask.
fn week_bit(week: u32) -> u8 {
    1 << (week.clamp(1, PLAN_WEEKS) - 1)
}

impl<'a> Scheduler<'a> {
    fn push(&mut self, owner: Option<usize>, entry: PlanEntry) -> usize {
        self.owners.push(owner.map_or(u32::MAX, |d| d as u32));
        self.out.entries.push(entry);
        self.out.entries.len() - 1
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

    /// A rep's own task (no customer) on day `i`.
    fn task(&mut self, i: usize, kind: &str, reason: String) {
        let date = self.calendar.date(i);
        let entry = PlanEntry {
            date,
            week: self.calendar.week_of(date),
            slot: Slot::Afternoon,
            customer_id: None,
            customer_name: None,
            kind: kind.into(),
            reason,
            grade: None,
            region: None,
        };
        self.push(None, entry);
    }

    /// A rep's own task that has no working day to go on.
    fn task_unscheduled(&mut self, due: Date, kind: &str, reason: String) {
        self.out.unscheduled.push(Unscheduled {
            customer_id: None,
            customer_name: None,
            kind: kind.into(),
            grade: None,
            week: self.calendar.week_of(due),
            due: Some(due),
            cause: UnscheduledCause::NoWorkingDay,
            reason,
        });
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
    ) -> usize {
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
        self.out.unscheduled.len() - 1
    }

    /// Takes one phone entry of day `i` for demand `d`.
    fn take_call(&mut self, d: usize, i: usize) {
        self.days[i].calls += 1;
        self.phoned[d] |= week_bit(WorkCalendar::week_of_index(i));
    }

    /// Whether day `i` has room for one more phone entry.
    fn call_room(&self, i: usize) -> bool {
        self.days[i].calls < self.request.calls_per_day
    }
}
