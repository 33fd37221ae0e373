//! The month planner through the library: the ABCD week rule and mornings for A, capacity
//! never exceeded and non-working days never used (over random portfolios), reminders and
//! callbacks on their dates, visit reports two working days later, the submit-plan entry,
//! unscheduled work with its cause, the summary, determinism, and every bad input.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, Weekday};
use patron::model::{parse_date, Date};
use patron::schedule::plan::{Plan, PlanEntry, UnscheduledCause, WorkingDay};
use patron::{Customer, Engine, Error, ErrorCode, PlanRequest};
use serde_json::json;

fn d(text: &str) -> Date {
    parse_date(text).unwrap()
}

fn customer(value: serde_json::Value) -> Customer {
    patron::model::parse_customer(&value.to_string()).unwrap()
}

/// A customer of rep-07 in the city with a grade and no history: its cadence is the
/// grade's row, due from the month's first day.
fn plain(id: &str, grade: &str) -> Customer {
    customer(json!({ "id": id, "owner": "rep-07", "grade": grade, "region": "same_city" }))
}

fn december() -> PlanRequest {
    PlanRequest {
        owner: Some("rep-07".into()),
        ..PlanRequest::for_month("2026-12")
    }
}

fn ample() -> PlanRequest {
    PlanRequest {
        visits_per_day: Some(40),
        calls_per_day: Some(1_000),
        ..december()
    }
}

fn plan_of(customers: &[Customer], request: &PlanRequest) -> Plan {
    Engine::with_default_policy()
        .unwrap()
        .plan(customers, request)
        .unwrap_or_else(|e| panic!("plan failed: {e}"))
}

fn of<'a>(plan: &'a Plan, id: &str, kind: &str) -> Vec<&'a PlanEntry> {
    plan.entries
        .iter()
        .filter(|e| e.customer_id.as_deref() == Some(id) && e.kind == kind)
        .collect()
}

fn invalid_field(error: Error) -> String {
    match error {
        Error::InvalidInput { field, .. } => field,
        other => panic!("expected invalid input, got {other}"),
    }
}

// ---------------------------------------------------------------------------------------
// The working calendar the tests check against, written independently of the planner.

struct Calendar {
    weekdays: BTreeSet<u32>,
    extra: BTreeSet<Date>,
    holidays: BTreeSet<Date>,
}

impl Calendar {
    fn of(request: &PlanRequest) -> Calendar {
        let mut weekdays = BTreeSet::new();
        let mut extra = BTreeSet::new();
        for day in &request.working_days {
            match day {
                WorkingDay::Weekday(w) => {
                    weekdays.insert(w.num_days_from_monday());
                }
                WorkingDay::Date(date) => {
                    extra.insert(*date);
                }
            }
        }
        if weekdays.is_empty() {
            weekdays.extend(0..5);
        }
        Calendar {
            weekdays,
            extra,
            holidays: request.non_working_days.iter().copied().collect(),
        }
    }

    fn working(&self, date: Date) -> bool {
        !self.holidays.contains(&date)
            && (self.extra.contains(&date)
                || self
                    .weekdays
                    .contains(&date.weekday().num_days_from_monday()))
    }

    fn add_working_days(&self, mut date: Date, n: u32) -> Date {
        let mut left = n;
        while left > 0 {
            date += Duration::days(1);
            if self.working(date) {
                left -= 1;
            }
        }
        date
    }
}

fn week_of(date: Date) -> u32 {
    ((date.day() - 1) / 7 + 1).min(4)
}

fn onsite(kind: &str) -> bool {
    matches!(kind, "visit" | "collection" | "complaint_follow_up")
}

/// The rep's paperwork: no visit or call capacity.
fn task(kind: &str) -> bool {
    matches!(
        kind,
        "visit_report" | "weekly_plan" | "callback_statistics" | "submit_plan"
    )
}

fn phone(kind: &str) -> bool {
    !onsite(kind) && !task(kind)
}

/// Visits and calls the default cadence asks for in December 2026, from the evaluation as
/// of 1 December (the oracle of "required = scheduled + unscheduled").
fn required(engine: &Engine, customer: &Customer) -> (usize, usize, Vec<u32>) {
    let e = engine.evaluate(customer, d("2026-12-01")).unwrap();
    let (first, last) = (d("2026-12-01"), d("2026-12-31"));
    let vpm = e.visits.visits_per_month;
    let visits = if vpm <= 0.0 {
        0
    } else if vpm >= 1.0 {
        vpm.ceil() as usize
    } else {
        usize::from(e.visits.next_visit_due.is_none_or(|due| due <= last))
    };
    let home = match e.grade.to.as_str() {
        "A" => 1,
        "B" => 2,
        _ => 3,
    };
    let step = if visits <= 4 { 4 / visits.max(1) } else { 1 };
    let weeks = (0..visits)
        .map(|k| ((home - 1 + k * step) % 4) as u32 + 1)
        .collect();
    let cpw = e.visits.calls_per_week;
    let calls = if cpw <= 0.0 {
        0
    } else {
        let interval = (7.0 / cpw).max(1.0);
        let start = e.visits.next_call_due.unwrap_or(first).max(first);
        (0..)
            .map(|k| start + Duration::days((k as f64 * interval + 1e-9).floor() as i64))
            .take_while(|t| *t <= last)
            .count()
    };
    (visits, calls, weeks)
}

/// "visit 3 of 4 …" → 3.
fn visit_number(reason: &str) -> usize {
    reason
        .strip_prefix("visit ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("not a numbered visit: {reason}"))
}

/// The week a visit was meant for: "moved from week 3" in its reason, else its own week.
fn planned_week(entry: &PlanEntry) -> u32 {
    match entry.reason.split_once("moved from week ") {
        Some((_, rest)) => rest[..1].parse().unwrap(),
        None => entry.week.unwrap(),
    }
}

/// Everything the planner promises about any plan, checked entry by entry.
fn check_invariants(engine: &Engine, customers: &[Customer], request: &PlanRequest, plan: &Plan) {
    let calendar = Calendar::of(request);
    let first = d("2026-12-01");
    let last = d("2026-12-31");
    let v = plan.visits_per_day as usize;
    let mut per_slot: BTreeMap<(Date, &str), usize> = BTreeMap::new();
    let mut calls_per_day: BTreeMap<Date, usize> = BTreeMap::new();
    let mut onsite_of: BTreeSet<(&str, Date)> = BTreeSet::new();
    for entry in &plan.entries {
        assert!(
            calendar.working(entry.date),
            "{} {} on a non-working day {}",
            entry.kind,
            entry.customer_id.as_deref().unwrap_or("-"),
            entry.date
        );
        if entry.kind == "visit_report" && entry.date > last {
            assert_eq!(entry.week, None);
        } else {
            assert_eq!(entry.week, Some(week_of(entry.date)), "{entry:?}");
        }
        if onsite(&entry.kind) {
            *per_slot
                .entry((entry.date, entry.slot.as_str()))
                .or_default() += 1;
            assert!(
                onsite_of.insert((entry.customer_id.as_deref().unwrap(), entry.date)),
                "two visits of one customer on {}",
                entry.date
            );
        }
        if phone(&entry.kind) {
            assert!(entry.customer_id.is_some(), "{entry:?}");
            *calls_per_day.entry(entry.date).or_default() += 1;
        }
    }
    let cap = |slot: &str| {
        if slot == "morning" {
            v.div_ceil(2)
        } else {
            v / 2
        }
    };
    let mut per_date: BTreeMap<Date, usize> = BTreeMap::new();
    for ((date, slot), n) in &per_slot {
        assert!(
            *n <= cap(slot),
            "{n} {slot} visits on {date}, more than {}",
            cap(slot)
        );
        *per_date.entry(*date).or_default() += n;
    }
    for (date, n) in &per_date {
        assert!(*n <= v, "{n} visits on {date}, more than {v} a day");
    }
    // Calls a day are a capacity, never exceeded.
    for (date, n) in &calls_per_day {
        assert!(
            *n <= plan.calls_per_day as usize,
            "{n} phone entries on {date}, more than {} a day",
            plan.calls_per_day
        );
    }
    let slot_full =
        |date: Date, slot: &str| per_slot.get(&(date, slot)).copied().unwrap_or(0) >= cap(slot);
    let working_in_week = |week: u32| -> Vec<Date> {
        let (from, to) = match week {
            4 => (22, 31),
            w => (w * 7 - 6, w * 7),
        };
        (from..=to)
            .map(|day| d(&format!("2026-12-{day:02}")))
            .filter(|date| calendar.working(*date))
            .collect()
    };

    // A report two working days after every on-site entry.
    let reports: BTreeMap<&str, Vec<Date>> = plan
        .entries
        .iter()
        .filter(|e| e.kind == "visit_report")
        .fold(BTreeMap::new(), |mut map, e| {
            map.entry(e.customer_id.as_deref().unwrap())
                .or_insert_with(Vec::new)
                .push(e.date);
            map
        });
    for entry in plan.entries.iter().filter(|e| onsite(&e.kind)) {
        let id = entry.customer_id.as_deref().unwrap();
        let due = calendar.add_working_days(entry.date, 2);
        assert!(
            reports.get(id).is_some_and(|dates| dates.contains(&due)),
            "no report on {due} for the {} of {id} on {}",
            entry.kind,
            entry.date
        );
    }

    // Nothing dropped: every visit and call the cadence asks for is an entry or unscheduled,
    // and every visit is meant for the week the ABCD rule gives it.
    let owner = request.owner.as_deref();
    let planned: Vec<&Customer> = customers
        .iter()
        .filter(|c| owner.is_none() || c.owner.as_deref() == owner)
        .collect();
    for c in &planned {
        let (visits, calls, weeks) = required(engine, c);
        let placed = of(plan, &c.id, "visit");
        let mut placed_weeks: Vec<u32> = placed.iter().map(|e| planned_week(e)).collect();
        let missed: Vec<_> = plan
            .unscheduled
            .iter()
            .filter(|u| u.customer_id.as_deref() == Some(c.id.as_str()))
            .collect();
        placed_weeks.extend(
            missed
                .iter()
                .filter(|u| u.kind == "visit")
                .map(|u| u.week.unwrap()),
        );
        placed_weeks.sort_unstable();
        let mut expected = weeks.clone();
        expected.sort_unstable();
        assert_eq!(placed_weeks, expected, "visit weeks of {}", c.id);
        assert_eq!(placed_weeks.len(), visits);
        let call_count =
            of(plan, &c.id, "call").len() + missed.iter().filter(|u| u.kind == "call").count();
        assert_eq!(call_count, calls, "calls of {}", c.id);

        // Visit order: visit k is the k-th by date (拜访客户流程: the numbering follows the
        // calendar however visits are moved).
        let numbers: Vec<usize> = placed.iter().map(|e| visit_number(&e.reason)).collect();
        assert_eq!(
            numbers,
            (1..=placed.len()).collect::<Vec<_>>(),
            "visit order of {}",
            c.id
        );
        for entry in &placed {
            let week = entry.week.unwrap();
            // A visit moved out of the week it was meant for: that week had no room for it
            // (据实情安排ABCD客户拜访计划), or already held one of the customer's visits.
            let meant = planned_week(entry);
            if meant != week {
                let days = working_in_week(meant);
                let holds_customer = days
                    .iter()
                    .any(|day| onsite_of.contains(&(c.id.as_str(), *day)));
                let full = days.iter().all(|day| {
                    onsite_of.contains(&(c.id.as_str(), *day))
                        || (slot_full(*day, "morning") && slot_full(*day, "afternoon"))
                });
                assert!(
                    holds_customer || full,
                    "{} moved from a week with room: {entry:?}",
                    c.id
                );
            }
            // A morning grade (A) in the afternoon only when the week's mornings are full
            // ("每日里也应该将重要的客户安排在上午拜访").
            if entry.grade.as_deref() == Some("A") && entry.slot.as_str() == "afternoon" {
                for day in working_in_week(week) {
                    assert!(
                        slot_full(day, "morning") || onsite_of.contains(&(c.id.as_str(), day)),
                        "{} in the afternoon of {} with a morning free on {day}",
                        c.id,
                        entry.date
                    );
                }
            }
        }
        // Calls in order: call k+1 never before call k.
        let call_dates: Vec<Date> = of(plan, &c.id, "call").iter().map(|e| e.date).collect();
        assert!(
            call_dates.windows(2).all(|w| w[0] < w[1]),
            "calls of {}",
            c.id
        );
    }
    for item in &plan.unscheduled {
        assert!(!item.reason.is_empty());
        if item.kind == "visit" && item.cause == UnscheduledCause::Capacity {
            // Unscheduled for capacity: no working day of the month had room for it.
            let id = item.customer_id.as_deref().unwrap();
            for week in 1..=4 {
                for day in working_in_week(week) {
                    assert!(
                        onsite_of.contains(&(id, day))
                            || (slot_full(day, "morning") && slot_full(day, "afternoon")),
                        "{id}'s visit unscheduled with room on {day}"
                    );
                }
            }
        }
    }
    assert_eq!(
        plan.summary.required,
        plan.entries.len() + plan.unscheduled.len()
    );
    assert_eq!(plan.summary.scheduled, plan.entries.len());

    // The rep's own tasks: next month's plan once, a weekly plan for every Friday and the
    // callback statistics for every Saturday (on it, or the working day before).
    let tasks = |kind: &str| {
        plan.entries.iter().filter(|e| e.kind == kind).count()
            + plan.unscheduled.iter().filter(|u| u.kind == kind).count()
    };
    let days_of = |weekday: Weekday| {
        (0..31)
            .filter(|k| (first + Duration::days(*k)).weekday() == weekday)
            .count()
    };
    assert_eq!(tasks("submit_plan"), 1);
    assert_eq!(tasks("weekly_plan"), days_of(Weekday::Fri));
    assert_eq!(tasks("callback_statistics"), days_of(Weekday::Sat));
    for entry in plan
        .entries
        .iter()
        .filter(|e| e.kind == "weekly_plan" || e.kind == "callback_statistics")
    {
        assert!(entry.customer_id.is_none());
        let target = if entry.kind == "weekly_plan" {
            Weekday::Fri
        } else {
            Weekday::Sat
        };
        if entry.date.weekday() != target {
            assert!(
                entry
                    .reason
                    .contains("is not a working day: the working day before"),
                "{entry:?}"
            );
            assert!(entry.date.weekday().num_days_from_monday() < target.num_days_from_monday());
        }
    }

    // The weekly callback minimum (客户回访管理制度 1.5 "每周电话回访客户不少于18位"): each
    // week counts the customers phoned in it, and is met or says why not.
    let min = plan.min_calls_per_week as usize;
    for week in &plan.summary.by_week {
        let phoned: BTreeSet<&str> = plan
            .entries
            .iter()
            .filter(|e| phone(&e.kind) && e.week == Some(week.week))
            .map(|e| e.customer_id.as_deref().unwrap())
            .collect();
        assert_eq!(week.callbacks, phoned.len(), "week {}", week.week);
        let days = (week.end - week.start).num_days() as usize + 1;
        assert_eq!(week.callbacks_required, (min * days).div_ceil(7));
        let added = plan
            .entries
            .iter()
            .filter(|e| e.kind == "minimum_call" && e.week == Some(week.week))
            .count();
        assert_eq!(week.minimum_calls, added);
        if added > 0 {
            // Added only to reach the minimum, never beyond it.
            assert!(week.callbacks <= week.callbacks_required, "{week:?}");
            assert!(week.callbacks - added < week.callbacks_required);
        }
        match &week.callbacks_short {
            None => assert!(week.callbacks >= week.callbacks_required, "{week:?}"),
            Some(why) => {
                assert!(week.callbacks < week.callbacks_required, "{week:?}");
                assert!(
                    why.starts_with(&format!(
                        "week {}: {} callbacks planned, {} required: ",
                        week.week, week.callbacks, week.callbacks_required
                    )),
                    "{why}"
                );
                let all_phoned = phoned.len() == planned.len();
                let capacity_full = working_in_week(week.week).iter().all(|day| {
                    calls_per_day.get(day).copied().unwrap_or(0) >= plan.calls_per_day as usize
                });
                assert!(
                    all_phoned || capacity_full,
                    "{why}: neither every customer phoned nor the week full"
                );
                assert!(
                    plan.notes.iter().any(|n| n.starts_with(why.as_str())),
                    "{why} not in the notes"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// A small deterministic generator for random portfolios.

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn random_portfolio(rng: &mut Rng, n: usize) -> Vec<Customer> {
    let grades = ["A", "B", "C", "D", "E", "F"];
    let regions = ["same_city", "same_city", "same_province", "other"];
    (0..n)
        .map(|i| {
            let ago = |rng: &mut Rng, days: u64| {
                (d("2026-11-30") - Duration::days(rng.below(days) as i64)).to_string()
            };
            let mut interactions = Vec::new();
            for k in 0..rng.below(4) {
                interactions.push(json!({
                    "at": ago(rng, 45),
                    "kind": if k % 2 == 0 { "call" } else { "visit" }
                }));
            }
            let mut purchases = Vec::new();
            if rng.below(2) == 0 {
                purchases.push(json!({ "at": ago(rng, 120), "amount": 1000 + rng.below(9000) }));
            }
            let mut receivables = Vec::new();
            if rng.below(3) == 0 {
                let due = d("2026-11-25") + Duration::days(rng.below(45) as i64);
                receivables.push(json!({ "due": due.to_string(), "amount": 500, "paid": false }));
            }
            let mut complaints = Vec::new();
            if rng.below(8) == 0 {
                complaints.push(json!({ "at": "2026-11-02", "resolved": false }));
            }
            customer(json!({
                "id": format!("R-{i:03}"),
                "owner": if rng.below(5) == 0 { "rep-08" } else { "rep-07" },
                "grade": grades[rng.below(6) as usize],
                "grade_since": "2026-10-01",
                "region": regions[rng.below(4) as usize],
                "interactions": interactions,
                "purchases": purchases,
                "receivables": receivables,
                "complaints": complaints,
            }))
        })
        .collect()
}

fn random_request(rng: &mut Rng) -> PlanRequest {
    let mut request = PlanRequest {
        visits_per_day: Some(1 + rng.below(6) as u32),
        calls_per_day: Some(1 + rng.below(12) as u32),
        min_calls_per_week: Some(rng.below(40) as u32),
        ..december()
    };
    for _ in 0..rng.below(5) {
        request
            .non_working_days
            .push(d("2026-12-01") + Duration::days(rng.below(31) as i64));
    }
    request.non_working_days.push(d("2027-01-01"));
    if rng.below(4) == 0 {
        request.working_days = ["mon", "tue", "wed", "thu", "fri", "sat"]
            .iter()
            .map(|w| WorkingDay::parse(w).unwrap())
            .collect();
    }
    if rng.below(4) == 0 {
        let saturday = d("2026-12-19");
        if !request.non_working_days.contains(&saturday) {
            request.working_days.push(WorkingDay::Date(saturday));
        }
    }
    request
}

#[test]
fn random_portfolios_never_exceed_capacity_never_use_a_day_off_and_drop_nothing() {
    let engine = Engine::with_default_policy().unwrap();
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    for round in 0..25 {
        let size = 10 + rng.below(60) as usize;
        let customers = random_portfolio(&mut rng, size);
        let request = random_request(&mut rng);
        let plan = engine
            .plan(&customers, &request)
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        check_invariants(&engine, &customers, &request, &plan);
    }
}

// ---------------------------------------------------------------------------------------
// The ABCD rule.

/// 拜访客户流程 (三) 1. 客户分类: "A级客户:应安排在第一个星期出访,相应的,每日里也应该将重要的客户安排在上午拜访",
/// "B级客户:多是安排在第二星期出访", "C、D级客户:应安排在第三个星期出访".
///
/// @covers default:plan.week_a, default:plan.week_b, default:plan.week_cd
#[test]
fn abcd_weeks_first_visits_and_mornings_for_a() {
    let customers: Vec<Customer> = [
        ("A1", "A"),
        ("A2", "A"),
        ("B1", "B"),
        ("C1", "C"),
        ("E1", "E"),
    ]
    .iter()
    .map(|(id, grade)| plain(id, grade))
    .collect();
    let plan = plan_of(&customers, &ample());
    let first_week = |id: &str| of(&plan, id, "visit").first().unwrap().week.unwrap();
    assert_eq!(first_week("A1"), 1);
    assert_eq!(first_week("A2"), 1);
    assert_eq!(first_week("B1"), 2);
    assert_eq!(first_week("C1"), 3);
    assert_eq!(first_week("E1"), 3);
    // A: 4 visits a month, a week apart, all in the morning.
    let a: Vec<_> = of(&plan, "A1", "visit");
    assert_eq!(
        a.iter().map(|e| e.week.unwrap()).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    assert!(a.iter().all(|e| e.slot.as_str() == "morning"));
    // B: 2 visits, two weeks apart; C: 1 visit.
    let b: Vec<_> = of(&plan, "B1", "visit");
    assert_eq!(
        b.iter().map(|e| e.week.unwrap()).collect::<Vec<_>>(),
        [2, 4]
    );
    assert_eq!(of(&plan, "C1", "visit").len(), 1);
    // D has no visits in the default cadence (calls only).
    check_invariants(
        &Engine::with_default_policy().unwrap(),
        &customers,
        &ample(),
        &plan,
    );
}

#[test]
fn d_customers_with_visits_go_in_week_three_with_c() {
    let toml = common::default_file_with(
        "policy.toml",
        r#"D = { calls_per_week = 0.5, visits_per_month = 0.0,"#,
        r#"D = { calls_per_week = 0.5, visits_per_month = 1.0,"#,
    );
    let dir = common::policy_dir("plan-d-visits", &[("policy.toml", Some(&toml))]);
    let engine = Engine::from_dir(dir).unwrap();
    let plan = engine
        .plan(&[plain("C1", "C"), plain("D1", "D")], &ample())
        .unwrap();
    for id in ["C1", "D1"] {
        let visits = of(&plan, id, "visit");
        assert_eq!(visits.len(), 1, "{id}");
        assert_eq!(visits[0].week, Some(3), "{id}");
    }
}

#[test]
fn the_policy_plan_table_moves_grades_and_a_policy_without_it_gets_the_abcd_rule() {
    let customers = [plain("A1", "A"), plain("B1", "B"), plain("C1", "C")];
    let default = plan_of(&customers, &ample());

    // Without [plan]: the same entries (the rank rule is the ABCD rule for A–F).
    let toml = without_plan_tables(&common::default_file_with(
        "policy.toml",
        "[plan]",
        "[plan]",
    ));
    assert!(!toml.contains("[plan") && toml.contains("[params.actions]"));
    let dir = common::policy_dir("plan-none", &[("policy.toml", Some(&toml))]);
    let without = Engine::from_dir(dir)
        .unwrap()
        .plan(&customers, &ample())
        .unwrap();
    assert_eq!(without.entries, default.entries);

    // B moved to week 1 and the afternoons.
    let toml = common::default_file_with(
        "policy.toml",
        "B = { week = 2 }",
        r#"B = { week = 1, slot = "afternoon" }"#,
    );
    let dir = common::policy_dir("plan-b-first", &[("policy.toml", Some(&toml))]);
    let moved = Engine::from_dir(dir)
        .unwrap()
        .plan(&customers, &ample())
        .unwrap();
    let b = of(&moved, "B1", "visit");
    assert_eq!(b[0].week, Some(1));
    assert!(b.iter().all(|e| e.slot.as_str() == "afternoon"));
}

/// `policy.toml` text without its `[plan]` and `[plan.*]` tables.
fn without_plan_tables(toml: &str) -> String {
    let mut skipping = false;
    let mut out = String::new();
    for line in toml.lines() {
        if line.starts_with('[') {
            skipping = line.starts_with("[plan");
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[test]
fn bad_plan_tables_are_policy_errors_naming_the_key() {
    let cases = [
        (
            "A = { week = 1, slot = \"morning\" }",
            "A = { week = 5 }",
            "plan.grades.A",
        ),
        (
            "F = { week = 3 }",
            "F = { week = 3 }\nZ = { week = 1 }",
            "plan.grades.Z",
        ),
        (
            "A = { week = 1, slot = \"morning\" }",
            "A = { week = 1, slot = \"evening\" }",
            "evening",
        ),
        (
            "service_week = 4\n",
            "service_week = 0\n",
            "plan.service_week",
        ),
        (
            "calls_per_day = 30\n",
            "calls_per_day = 0\n",
            "plan.calls_per_day",
        ),
        (
            "min_calls_per_week = 18\n",
            "min_calls_per_week = 18\ncalls_per_week = 20\n",
            "plan.calls_per_week",
        ),
        (
            "visits_per_day = 4 ",
            "visits_per_day = 0 ",
            "plan.visits_per_day",
        ),
    ];
    for (from, to, named) in cases {
        let toml = common::default_file_with("policy.toml", from, to);
        let dir = common::policy_dir("plan-bad", &[("policy.toml", Some(&toml))]);
        let error = Engine::from_dir(dir).err().expect("a policy error");
        assert_eq!(error.code(), ErrorCode::Policy, "{error}");
        let message = error.to_string();
        assert!(message.contains(named), "{message}");
        assert!(message.contains("policy.toml:"), "{message}");
    }
}

// ---------------------------------------------------------------------------------------
// Capacity, priorities and the unscheduled list.

#[test]
fn capacity_short_moves_visits_to_weeks_with_room_then_leaves_the_rest_unscheduled() {
    // 12 A customers (4 visits each, 48) and one visit a day (a morning): 5 working days in
    // each of weeks 1–3 and 8 in week 4 hold 23 visits. In priority order (A00 first) the
    // first five customers take every week's first five days; A05's visits move to the three
    // days left in week 4 ("也可以据实情安排ABCD客户拜访计划"), its fourth and every visit of
    // A06–A11 are unscheduled for capacity.
    let customers: Vec<Customer> = (0..12).map(|i| plain(&format!("A{i:02}"), "A")).collect();
    let request = PlanRequest {
        visits_per_day: Some(1),
        calls_per_day: Some(1),
        ..december()
    };
    let plan = plan_of(&customers, &request);
    let weeks = |id: &str| -> Vec<u32> {
        of(&plan, id, "visit")
            .iter()
            .map(|e| e.week.unwrap())
            .collect()
    };
    for i in 0..5 {
        assert_eq!(weeks(&format!("A{i:02}")), [1, 2, 3, 4], "A{i:02}");
    }
    assert_eq!(weeks("A05"), [4, 4, 4]);
    let moved = of(&plan, "A05", "visit");
    assert!(
        moved[0].reason.starts_with("visit 1 of 4 for grade A (4 a month): week 4, moved from week 1 (grade A's week): week 1 is full (1 visit a day)"),
        "{}",
        moved[0].reason
    );
    assert!(
        moved[1]
            .reason
            .contains("moved from week 2 (spread from grade A's week 1)"),
        "{}",
        moved[1].reason
    );
    for i in 6..12 {
        assert!(weeks(&format!("A{i:02}")).is_empty());
    }
    let missed: Vec<_> = plan
        .unscheduled
        .iter()
        .filter(|u| u.kind == "visit")
        .collect();
    assert_eq!(missed.len(), 1 + 6 * 4);
    assert!(missed.iter().all(|u| u.cause == UnscheduledCause::Capacity));
    let a05 = missed
        .iter()
        .find(|u| u.customer_id.as_deref() == Some("A05"))
        .unwrap();
    assert_eq!(a05.week, Some(4));
    assert_eq!(
        a05.reason,
        "visit 4 of 4 for grade A (4 a month): meant for week 4 — not placed: no working day of 2026-12 has room for it (1 visit a day)"
    );
    let a = &plan.summary.by_grade[0];
    assert_eq!(a.grade, "A");
    assert_eq!(a.visits_required, 48);
    assert_eq!(a.visits_scheduled, 23);
    assert!(plan.notes.iter().any(|n| n.contains("could not be placed")));
    check_invariants(
        &Engine::with_default_policy().unwrap(),
        &customers,
        &request,
        &plan,
    );
}

#[test]
fn a_week_without_working_days_moves_its_visits_to_the_next_week() {
    // Days 1–7 off: A1's week-1 visit goes to week 2, and its later visits move on a week
    // so that the four stay a week apart where the month allows (weeks 2, 3, 4, 4).
    let mut request = ample();
    request.non_working_days = (1..=7).map(|day| d(&format!("2026-12-{day:02}"))).collect();
    let plan = plan_of(&[plain("A1", "A")], &request);
    let visits = of(&plan, "A1", "visit");
    assert_eq!(
        visits.iter().map(|e| e.week.unwrap()).collect::<Vec<_>>(),
        [2, 3, 4, 4]
    );
    assert!(
        visits[0]
            .reason
            .contains("week 2, moved from week 1 (grade A's week): week 1 has no working day"),
        "{}",
        visits[0].reason
    );
    assert!(plan.unscheduled.iter().all(|u| u.kind != "visit"));
    check_invariants(
        &Engine::with_default_policy().unwrap(),
        &[plain("A1", "A")],
        &request,
        &plan,
    );
}

#[test]
fn visits_beyond_the_months_working_days_are_unscheduled_for_want_of_a_day() {
    // Only 2 working days (15 and 16 December): A1's 4 visits, one a day, leave two
    // unscheduled — not for capacity (there is room) but for want of another working day.
    let mut request = ample();
    request.non_working_days = (1..=31)
        .filter(|day| *day != 15 && *day != 16)
        .map(|day| d(&format!("2026-12-{day:02}")))
        .collect();
    let plan = plan_of(&[plain("A1", "A")], &request);
    assert_eq!(of(&plan, "A1", "visit").len(), 2);
    let missed: Vec<_> = plan
        .unscheduled
        .iter()
        .filter(|u| u.kind == "visit")
        .collect();
    assert_eq!(missed.len(), 2);
    assert!(missed
        .iter()
        .all(|u| u.cause == UnscheduledCause::NoWorkingDay));
    assert!(
        missed[0]
            .reason
            .ends_with("every working day of 2026-12 already holds one of this customer's visits"),
        "{}",
        missed[0].reason
    );
}

/// Overdue customers first, then A and B (拜访客户流程 "首期就拜访***和B级客户").
#[test]
fn overdue_customers_claim_capacity_first() {
    // One working day in the month and one visit a day: only one C visit fits.
    let request = PlanRequest {
        visits_per_day: Some(1),
        non_working_days: (1..=31)
            .filter(|day| *day != 17)
            .map(|day| d(&format!("2026-12-{day:02}")))
            .collect(),
        ..december()
    };
    let on_time = customer(json!({ "id": "C-early", "owner": "rep-07", "grade": "C",
        "region": "same_city", "interactions": [ { "at": "2026-11-20", "kind": "visit" } ] }));
    let overdue = customer(json!({ "id": "C-late", "owner": "rep-07", "grade": "C",
        "region": "same_city", "interactions": [ { "at": "2026-09-01", "kind": "visit" } ] }));
    let plan = plan_of(&[on_time, overdue], &request);
    assert_eq!(of(&plan, "C-late", "visit").len(), 1);
    assert!(of(&plan, "C-early", "visit").is_empty());
    let missed = plan.unscheduled.iter().find(|u| u.kind == "visit").unwrap();
    assert_eq!(missed.customer_id.as_deref(), Some("C-early"));
    assert_eq!(missed.cause, UnscheduledCause::Capacity);
}

#[test]
fn same_region_visits_share_days() {
    let customers: Vec<Customer> = (0..4)
        .map(|i| {
            customer(json!({ "id": format!("C{i}"), "owner": "rep-07", "grade": "C",
                "region": if i % 2 == 0 { "same_city" } else { "same_province" },
                "interactions": [ { "at": if i % 2 == 0 { "2026-11-25" } else { "2026-08-01" }, "kind": "visit" } ] }))
        })
        .collect();
    let plan = plan_of(&customers, &ample());
    let day = |id: &str| of(&plan, id, "visit")[0].date;
    assert_eq!(day("C0"), day("C2"));
    assert_eq!(day("C1"), day("C3"));
    assert_ne!(day("C0"), day("C1"));
}

// ---------------------------------------------------------------------------------------
// Dated entries: reminders, callbacks, reports, the plan for next month.

/// Payment reminders three days before a receivable falls due, callbacks for customers not
/// called since their last order (客户回访管理制度 1.11 "提前3天提醒客户安排回款"; 2.
/// "对超过一周未合作客户的回访").
///
/// @covers default:plan.payment_reminder
#[test]
fn reminders_and_callbacks_fall_on_their_due_date_or_the_working_day_before() {
    let c = customer(
        json!({ "id": "P1", "owner": "rep-07", "grade": "B", "region": "same_city",
        "purchases": [ { "at": "2026-11-10", "amount": 1000 } ],
        "receivables": [
            { "due": "2026-12-03", "amount": 100, "paid": false },
            { "due": "2026-12-10", "amount": 200, "paid": false },
            { "due": "2026-12-15", "amount": 300, "paid": false },
            { "due": "2026-12-20", "amount": 999, "paid": true } ] }),
    );
    let plan = plan_of(&[c], &ample());
    let reminders: Vec<Date> = of(&plan, "P1", "payment_reminder")
        .iter()
        .map(|e| e.date)
        .collect();
    // due 3 Dec: reminder due 30 Nov, before the month → its first working day (Tue 1 Dec);
    // due 10 Dec: 7 Dec (Mon); due 15 Dec: 12 Dec is a Saturday → Friday 11 Dec.
    assert_eq!(
        reminders,
        [d("2026-12-01"), d("2026-12-07"), d("2026-12-11")]
    );
    let moved = of(&plan, "P1", "payment_reminder")[2];
    assert!(
        moved.reason.contains("working day before"),
        "{}",
        moved.reason
    );
    // The callback (no order since 10 Nov, due 18 Nov) goes on the month's first working day.
    let callbacks = of(&plan, "P1", "callback");
    assert_eq!(callbacks.len(), 1);
    assert_eq!(callbacks[0].date, d("2026-12-01"));
}

#[test]
fn a_reminder_due_on_a_holiday_moves_to_the_working_day_before() {
    let c = customer(
        json!({ "id": "P2", "owner": "rep-07", "grade": "C", "region": "same_city",
        "receivables": [ { "due": "2026-12-28", "amount": 100, "paid": false } ] }),
    );
    let mut request = ample();
    request.non_working_days = vec![d("2026-12-25"), d("2026-12-24")];
    let plan = plan_of(&[c], &request);
    // Reminder due Friday 25 Dec (a holiday), Thursday 24 too → Wednesday 23 Dec.
    assert_eq!(of(&plan, "P2", "payment_reminder")[0].date, d("2026-12-23"));
}

/// 拜访作业管理办法 4. "拜访后应于两日内提出客户拜访报告": a report two working days after
/// each visit.
///
/// @covers default:plan.visit_report
#[test]
fn visit_reports_come_two_working_days_after_each_visit_even_into_next_month() {
    let mut request = ample();
    request.non_working_days = vec![d("2027-01-01")];
    let customers = [plain("A1", "A"), plain("B1", "B")];
    let plan = plan_of(&customers, &request);
    let calendar = Calendar::of(&request);
    for id in ["A1", "B1"] {
        let reports: Vec<Date> = of(&plan, id, "visit_report")
            .iter()
            .map(|e| e.date)
            .collect();
        let visits = of(&plan, id, "visit");
        assert_eq!(reports.len(), visits.len());
        for visit in visits {
            assert!(reports.contains(&calendar.add_working_days(visit.date, 2)));
        }
    }
    // A visit on Wednesday 30 Dec reports on Monday 4 Jan (New Year's Day is off).
    let late = PlanRequest {
        non_working_days: (22..=29)
            .map(|day| d(&format!("2026-12-{day}")))
            .chain([d("2027-01-01")])
            .collect(),
        ..ample()
    };
    let plan = plan_of(&[plain("A1", "A")], &late);
    let last_visit = of(&plan, "A1", "visit").last().unwrap().date;
    assert_eq!(last_visit, d("2026-12-30"));
    let report = (*of(&plan, "A1", "visit_report").last().unwrap()).clone();
    assert_eq!(report.date, d("2027-01-04"));
    assert_eq!(report.week, None);
    assert!(plan.notes.iter().any(|n| n.contains("after 2026-12")));
}

/// 拜访作业管理办法 3.1 "业务人员每月底应提出次月拜访计划书": next month's plan on the month's
/// last working day.
///
/// @covers default:plan.submit_plan
#[test]
fn the_submit_plan_entry_is_on_the_last_working_day_in_week_four() {
    let plan = plan_of(&[plain("C1", "C")], &december());
    let submit: Vec<_> = plan
        .entries
        .iter()
        .filter(|e| e.kind == "submit_plan")
        .collect();
    assert_eq!(submit.len(), 1);
    assert_eq!(submit[0].date, d("2026-12-31"));
    assert_eq!(submit[0].week, Some(4));
    assert_eq!(submit[0].customer_id, None);
    assert!(submit[0].reason.contains("2027-01"), "{}", submit[0].reason);

    let mut request = december();
    request.non_working_days = vec![d("2026-12-31")];
    let plan = plan_of(&[plain("C1", "C")], &request);
    let submit = plan
        .entries
        .iter()
        .find(|e| e.kind == "submit_plan")
        .unwrap();
    assert_eq!(submit.date, d("2026-12-30"));
}

/// 拜访客户流程 "每四个星期应将你的精力集中于客户服务": collections and complaint follow-ups in
/// week 4.
///
/// @covers default:plan.service_week
#[test]
fn collections_and_complaints_go_in_the_service_week() {
    let c = customer(
        json!({ "id": "S1", "owner": "rep-07", "grade": "C", "region": "same_city",
        "receivables": [ { "due": "2026-11-20", "amount": 700, "paid": false } ],
        "complaints": [ { "at": "2026-11-15", "resolved": false } ] }),
    );
    let plan = plan_of(&[c], &ample());
    for kind in ["collection", "complaint_follow_up"] {
        let entries = of(&plan, "S1", kind);
        assert_eq!(entries.len(), 1, "{kind}");
        assert_eq!(entries[0].week, Some(4), "{kind}");
    }
}

#[test]
fn saturdays_are_worked_only_when_working_days_say_so() {
    let customers: Vec<Customer> = (0..30).map(|i| plain(&format!("C{i:02}"), "C")).collect();
    let plan_mf = plan_of(
        &customers,
        &PlanRequest {
            visits_per_day: Some(2),
            ..december()
        },
    );
    assert!(plan_mf
        .entries
        .iter()
        .all(|e| e.date.weekday().num_days_from_monday() < 5));
    let six_days = PlanRequest {
        visits_per_day: Some(2),
        working_days: [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
        ]
        .iter()
        .map(|w| WorkingDay::parse(w).unwrap())
        .collect(),
        ..december()
    };
    let plan_ms = plan_of(&customers, &six_days);
    assert!(plan_ms
        .entries
        .iter()
        .any(|e| e.date.weekday() == Weekday::Sat));
    assert!(plan_ms
        .entries
        .iter()
        .all(|e| e.date.weekday() != Weekday::Sun));
    assert_eq!(plan_ms.summary.working_days, 27);
}

// ---------------------------------------------------------------------------------------
// Summary, notes, determinism.

#[test]
fn the_summary_counts_scheduled_against_required() {
    let customers = [
        plain("A1", "A"),
        plain("B1", "B"),
        plain("C1", "C"),
        plain("D1", "D"),
    ];
    let plan = plan_of(&customers, &december());
    let s = &plan.summary;
    assert_eq!(s.customers, 4);
    assert_eq!(s.working_days, 23);
    assert_eq!(s.scheduled, plan.entries.len());
    assert_eq!(s.unscheduled, plan.unscheduled.len());
    assert_eq!(s.required, s.scheduled + s.unscheduled);
    let grades: Vec<&str> = s.by_grade.iter().map(|g| g.grade.as_str()).collect();
    assert_eq!(grades, ["A", "B", "C", "D"]);
    for g in &s.by_grade {
        assert_eq!(g.required, g.scheduled + g.unscheduled);
        assert_eq!(g.customers, 1);
    }
    assert_eq!(s.by_grade[0].visits_required, 4);
    // D's row (002's C row) gives no visits; in the same city the region example gives it
    // one a month (issue 14: a default where the grade gives none; it used to be none).
    assert_eq!(s.by_grade[3].visits_required, 1);
    let kinds: usize = s.by_kind.iter().map(|k| k.required).sum();
    assert_eq!(kinds, s.required);
    let visit = s.by_kind.iter().find(|k| k.kind == "visit").unwrap();
    assert_eq!(visit.required, 4 + 2 + 1 + 1);
    let weeks: usize = s.by_week.iter().map(|w| w.visits).sum();
    assert_eq!(
        weeks,
        plan.entries.iter().filter(|e| onsite(&e.kind)).count()
    );
    assert_eq!(s.by_week[3].start, d("2026-12-22"));
    assert_eq!(s.by_week[3].end, d("2026-12-31"));
    assert_eq!(s.by_week[0].visit_capacity, 5 * 4);
    assert!(
        plan.notes[0].contains("week 4 12-22 – 12-31"),
        "{}",
        plan.notes[0]
    );
}

#[test]
fn a_portfolio_with_nothing_due_gets_a_plan_that_says_so() {
    // An F customer formally visited in September (so only watched: no visits, 000) and
    // called last week: its quarterly call is not due in December. Without a weekly minimum
    // the plan holds only the rep's own tasks: 4 Friday weekly plans, 4 Saturday statistics
    // (on the Fridays) and next month's plan.
    let f = customer(
        json!({ "id": "F1", "owner": "rep-07", "grade": "F", "region": "other",
        "interactions": [ { "at": "2026-09-01", "kind": "visit" }, { "at": "2026-11-25", "kind": "call" } ] }),
    );
    let request = PlanRequest {
        min_calls_per_week: Some(0),
        ..december()
    };
    let plan = plan_of(std::slice::from_ref(&f), &request);
    assert!(plan.entries.iter().all(|e| e.customer_id.is_none()));
    let kinds: Vec<&str> = plan.entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "weekly_plan").count(), 4);
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == "callback_statistics")
            .count(),
        4
    );
    assert_eq!(kinds.iter().filter(|k| **k == "submit_plan").count(), 1);
    assert_eq!(kinds.len(), 9);
    assert!(plan.unscheduled.is_empty());
    assert!(
        plan.notes.iter().any(|n| n.contains("No customer needs")),
        "{:?}",
        plan.notes
    );

    // With 002's minimum ("每周电话回访客户不少于18位") the one customer is called back every
    // week, and every week says why it stays short: "only 1 customer in the portfolio".
    let plan = plan_of(&[f], &december());
    assert_eq!(of(&plan, "F1", "minimum_call").len(), 4);
    for week in &plan.summary.by_week {
        assert_eq!(week.callbacks, 1);
        assert_eq!(
            week.callbacks_short.as_deref(),
            Some(
                format!(
                    "week {}: 1 callbacks planned, {} required: only 1 customer in the portfolio",
                    week.week, week.callbacks_required
                )
                .as_str()
            )
        );
    }
}

#[test]
fn phone_only_reps_get_every_visit_unscheduled_with_a_note() {
    let request = PlanRequest {
        visits_per_day: Some(0),
        ..december()
    };
    let plan = plan_of(&[plain("A1", "A")], &request);
    assert!(plan.entries.iter().all(|e| !onsite(&e.kind)));
    assert_eq!(
        plan.unscheduled
            .iter()
            .filter(|u| u.kind == "visit")
            .count(),
        4
    );
    assert!(plan.notes.iter().any(|n| n.contains("visits_per_day is 0")));
}

#[test]
fn the_same_input_gives_the_same_bytes_whatever_the_record_order() {
    let mut rng = Rng(42);
    let customers = random_portfolio(&mut rng, 80);
    let request = PlanRequest {
        owner: None,
        visits_per_day: Some(3),
        calls_per_day: Some(4),
        ..december()
    };
    let engine = Engine::with_default_policy().unwrap();
    let first = engine.plan(&customers, &request).unwrap();
    let again = engine.plan(&customers, &request).unwrap();
    let mut reversed = customers.clone();
    reversed.reverse();
    let reversed = engine.plan(&reversed, &request).unwrap();
    // The plan itself, and so every format written from it (cli/tests/plan.rs checks the
    // bytes of CSV, iCalendar and HTML the same way).
    assert_eq!(first.to_json_pretty(), again.to_json_pretty());
    assert_eq!(first.to_json_pretty(), reversed.to_json_pretty());
    assert_eq!(first, reversed);
}

#[test]
fn an_owners_plan_grades_customers_as_an_evaluation_of_the_whole_input_does() {
    let mut rng = Rng(7);
    let customers = random_portfolio(&mut rng, 40);
    let engine = Engine::with_default_policy().unwrap();
    let all = engine.evaluate_many(
        &customers,
        d("2026-12-01"),
        &patron::EvaluateOptions::default(),
    );
    let plan = engine.plan(&customers, &december()).unwrap();
    for (c, e) in customers.iter().zip(all) {
        let e = e.unwrap();
        for entry in plan
            .entries
            .iter()
            .filter(|x| x.customer_id.as_deref() == Some(c.id.as_str()))
        {
            assert_eq!(entry.grade.as_deref(), Some(e.grade.to.as_str()));
        }
    }
    assert!(plan.entries.iter().all(|e| e.customer_id.is_none()
        || customers
            .iter()
            .any(|c| Some(c.id.as_str()) == e.customer_id.as_deref()
                && c.owner.as_deref() == Some("rep-07"))));
}

#[test]
fn february_has_four_seven_day_weeks() {
    let plan = plan_of(
        &[plain("A1", "A")],
        &PlanRequest {
            month: "2027-02".into(),
            ..december()
        },
    );
    let weeks: Vec<(Date, Date)> = plan
        .summary
        .by_week
        .iter()
        .map(|w| (w.start, w.end))
        .collect();
    assert_eq!(weeks[3], (d("2027-02-22"), d("2027-02-28")));
    assert_eq!(plan.summary.working_days, 20);
}

#[test]
fn plan_json_takes_json_and_gives_the_plan_as_json() {
    let engine = Engine::with_default_policy().unwrap();
    let customers = r#"[ { "id": "A1", "owner": "rep-07", "grade": "A", "region": "same_city" } ]"#;
    let request = r#"{ "month": "2026-12", "owner": "rep-07", "visits_per_day": 4,
        "calls_per_day": 30, "min_calls_per_week": 18, "non_working_days": ["2026-12-25"], "working_days": ["monday", "tue", "Wednesday", "thu", "fri"],
        "unknown": "ignored" }"#;
    let text = patron::json::plan(
        &engine,
        customers,
        request,
        &patron::EvaluateOptions::default(),
    )
    .unwrap();
    let plan: Plan = serde_json::from_str(&text).unwrap();
    assert_eq!(plan.month, "2026-12");
    assert_eq!(plan.owner.as_deref(), Some("rep-07"));
    assert!(plan.entries.iter().all(|e| e.date != d("2026-12-25")));
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let entry = &value["entries"][0];
    for field in ["date", "slot", "customer_id", "kind", "reason", "grade"] {
        assert!(
            entry.get(field).is_some(),
            "entries carry `{field}`: {entry}"
        );
    }
    for field in ["unscheduled", "summary", "notes"] {
        assert!(value.get(field).is_some(), "the plan carries `{field}`");
    }
}

// ---------------------------------------------------------------------------------------
// Bad input: clear errors naming the field, never a panic, never an empty plan.

#[test]
fn a_month_in_a_wrong_format_is_invalid_input_naming_month() {
    let engine = Engine::with_default_policy().unwrap();
    for month in [
        "2026-13", "Dec 2026", "2026-1", "2026/12", "", "2026-00", "0000-12",
    ] {
        let request = PlanRequest {
            month: month.into(),
            ..december()
        };
        let error = engine.plan(&[plain("A1", "A")], &request).unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidInput);
        let message = error.to_string();
        assert_eq!(invalid_field(error), "month", "{month}: {message}");
    }
}

#[test]
fn an_unknown_owner_is_invalid_input_naming_owner_and_the_known_owners() {
    let engine = Engine::with_default_policy().unwrap();
    let request = PlanRequest {
        owner: Some("rep-99".into()),
        ..december()
    };
    let error = engine.plan(&[plain("A1", "A")], &request).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("rep-99") && message.contains("rep-07"),
        "{message}"
    );
    assert_eq!(invalid_field(error), "owner");
    let empty = PlanRequest {
        owner: Some(" ".into()),
        ..december()
    };
    assert_eq!(
        invalid_field(engine.plan(&[plain("A1", "A")], &empty).unwrap_err()),
        "owner"
    );
}

#[test]
fn zero_capacity_is_invalid_input_naming_the_field() {
    let engine = Engine::with_default_policy().unwrap();
    let request = PlanRequest {
        visits_per_day: Some(0),
        calls_per_day: Some(0),
        ..december()
    };
    let error = engine.plan(&[plain("A1", "A")], &request).unwrap_err();
    assert!(error.to_string().contains("calls_per_day"), "{error}");
    assert_eq!(invalid_field(error), "visits_per_day");
    let huge = PlanRequest {
        calls_per_day: Some(100_001),
        ..december()
    };
    assert_eq!(
        invalid_field(engine.plan(&[plain("A1", "A")], &huge).unwrap_err()),
        "calls_per_day"
    );
    let huge = PlanRequest {
        min_calls_per_week: Some(100_001),
        ..december()
    };
    assert_eq!(
        invalid_field(engine.plan(&[plain("A1", "A")], &huge).unwrap_err()),
        "min_calls_per_week"
    );
    let huge = PlanRequest {
        visits_per_day: Some(1_000_000),
        ..december()
    };
    assert_eq!(
        invalid_field(engine.plan(&[plain("A1", "A")], &huge).unwrap_err()),
        "visits_per_day"
    );
}

#[test]
fn holidays_that_remove_every_working_day_are_invalid_input() {
    let engine = Engine::with_default_policy().unwrap();
    let request = PlanRequest {
        non_working_days: (1..=31)
            .map(|day| d(&format!("2026-12-{day:02}")))
            .collect(),
        ..december()
    };
    let error = engine.plan(&[plain("A1", "A")], &request).unwrap_err();
    assert!(error.to_string().contains("every working day"), "{error}");
    assert_eq!(invalid_field(error), "non_working_days");
    // A date both worked and off.
    let both = PlanRequest {
        non_working_days: vec![d("2026-12-19")],
        working_days: vec![WorkingDay::Date(d("2026-12-19"))],
        ..december()
    };
    assert_eq!(
        invalid_field(engine.plan(&[plain("A1", "A")], &both).unwrap_err()),
        "working_days[0]"
    );
}

#[test]
fn no_customers_and_duplicate_ids_are_invalid_input() {
    let engine = Engine::with_default_policy().unwrap();
    assert_eq!(
        invalid_field(engine.plan(&[], &december()).unwrap_err()),
        "customers"
    );
    let error = engine
        .plan(&[plain("A1", "A"), plain("A1", "B")], &december())
        .unwrap_err();
    assert!(error.to_string().contains("twice"), "{error}");
    assert_eq!(invalid_field(error), "id");
}

#[test]
fn bad_request_json_names_the_field() {
    let engine = Engine::with_default_policy().unwrap();
    let customers = r#"[ { "id": "A1", "owner": "rep-07", "grade": "A" } ]"#;
    let cases = [
        (r#"{ "owner": "rep-07" }"#, "month"),
        (
            r#"{ "month": "2026-12", "visits_per_day": -1 }"#,
            "visits_per_day",
        ),
        (
            r#"{ "month": "2026-12", "calls_per_week": "many" }"#,
            "calls_per_week",
        ),
        (
            r#"{ "month": "2026-12", "calls_per_day": 1.5 }"#,
            "calls_per_day",
        ),
        (
            r#"{ "month": "2026-12", "min_calls_per_week": -18 }"#,
            "min_calls_per_week",
        ),
        (
            r#"{ "month": "2026-12", "non_working_days": ["2026-12-25", "Christmas"] }"#,
            "non_working_days[1]",
        ),
        (
            r#"{ "month": "2026-12", "working_days": ["funday"] }"#,
            "working_days[0]",
        ),
        (r#"{ "month": 202612 }"#, "month"),
    ];
    for (request, field) in cases {
        let error = patron::json::plan(
            &engine,
            customers,
            request,
            &patron::EvaluateOptions::default(),
        )
        .unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidInput, "{request}: {error}");
        assert_eq!(invalid_field(error), field, "{request}");
    }
    let error = patron::json::plan(
        &engine,
        customers,
        "{ \"month\": ",
        &patron::EvaluateOptions::default(),
    )
    .unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidJson);
    let error = patron::json::plan(
        &engine,
        r#"[ { "id": "A1", "grade": "A" }, { "id": 7 } ]"#,
        r#"{ "month": "2026-12" }"#,
        &patron::EvaluateOptions::default(),
    )
    .unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidInput);
    assert!(error.to_string().contains("line"), "{error}");
}

#[test]
fn a_customer_the_policy_cannot_evaluate_fails_the_plan_with_its_error() {
    let engine = Engine::with_default_policy().unwrap();
    let error = engine
        .plan(&[plain("A1", "A"), plain("X1", "Z")], &december())
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidInput);
    assert!(error.to_string().contains("X1"), "{error}");
}
