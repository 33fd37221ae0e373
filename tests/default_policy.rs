//! The rules of the embedded default policy, each with hand-computed expectations
//! (evaluation date 2026-11-23).

mod common;

use common::eval;

// ---- grades: handbook 000 ----

/// Issue 14: an A–D customer that decides to buy goes to A (000: 立即晉升至A級); the old
/// expectation (a first purchase leaves C at C) contradicted the handbook.
#[test]
fn first_purchase_since_the_grade_goes_to_a() {
    let e = eval(
        r#"{ "id": "G1", "grade": "C", "grade_since": "2026-06-01",
        "purchases": [ { "at": "2026-07-01", "amount": 1000 } ] }"#,
    );
    assert_eq!(e.grade.to, "A");
    assert!(e.grade.changed);
    assert!(
        e.grade.reason.contains("decides to buy"),
        "{}",
        e.grade.reason
    );
}

#[test]
fn second_purchase_after_grade_since_promotes_c_to_b() {
    // The first purchase predates the grade (a first purchase after it would go to A).
    let e = eval(
        r#"{ "id": "G2", "grade": "C", "grade_since": "2026-06-01",
        "purchases": [ { "at": "2026-05-01", "amount": 1000 }, { "at": "2026-10-01", "amount": 500 } ] }"#,
    );
    assert_eq!(e.grade.from.as_deref(), Some("C"));
    assert_eq!(e.grade.to, "B");
    assert!(e.grade.changed);
    assert!(
        e.grade.reason.contains("repeat purchase on 2026-10-01"),
        "{}",
        e.grade.reason
    );
    assert!(
        e.grade.rule.starts_with("promote.rhai:"),
        "{}",
        e.grade.rule
    );
}

#[test]
fn repeat_purchase_counts_when_the_first_purchase_predates_the_grade() {
    let e = eval(
        r#"{ "id": "G3", "grade": "D", "grade_since": "2026-06-01",
        "purchases": [ { "at": "2026-01-15", "amount": 1000 }, { "at": "2026-08-01", "amount": 500 } ] }"#,
    );
    assert_eq!(e.grade.to, "C");
}

#[test]
fn purchases_before_grade_since_do_not_promote() {
    let e = eval(
        r#"{ "id": "G4", "grade": "C", "grade_since": "2026-09-01",
        "purchases": [ { "at": "2026-07-01", "amount": 1000 }, { "at": "2026-08-01", "amount": 500 } ] }"#,
    );
    assert_eq!(e.grade.to, "C");
    assert!(!e.grade.changed);
}

#[test]
fn a_stays_a_on_a_repeat_purchase() {
    let e = eval(
        r#"{ "id": "G5", "grade": "A", "grade_since": "2026-01-01",
        "purchases": [ { "at": "2026-03-01", "amount": 1000 }, { "at": "2026-11-01", "amount": 500 } ] }"#,
    );
    assert_eq!(e.grade.to, "A");
    assert!(!e.grade.changed);
    assert!(
        e.grade.reason.contains("already the top grade"),
        "{}",
        e.grade.reason
    );
}

#[test]
fn promotion_moves_one_level_even_after_many_repeat_purchases() {
    let e = eval(
        r#"{ "id": "G6", "grade": "E", "grade_since": "2026-01-01",
        "purchases": [ { "at": "2025-12-01", "amount": 1 }, { "at": "2026-03-01", "amount": 1 },
                       { "at": "2026-04-01", "amount": 1 }, { "at": "2026-05-01", "amount": 1 } ] }"#,
    );
    assert_eq!(e.grade.to, "D");
}

/// Issue 14: missing data never demotes, and the drop after a year without purchase is in no
/// handbook. By default B stays B (the old expectation, B → C, followed that invented rule);
/// switched on (`[params.demotion] enabled = true`) the opt-in rule lowers it.
/// @covers default:grade.idle_demotion_opt_in
#[test]
fn a_year_without_purchase_lowers_b_to_c_only_when_opted_in() {
    // The purchase predates the grade (one after it would be a first purchase: A).
    let json = r#"{ "id": "G7", "grade": "B", "grade_since": "2025-01-01",
        "purchases": [ { "at": "2024-12-01", "amount": 1000 } ] }"#;
    let e = eval(json);
    assert_eq!(e.grade.to, "B");
    assert!(!e.grade.changed);

    let toml = common::default_file_with("policy.toml", "enabled = false", "enabled = true");
    let dir = common::policy_dir("demotion-on", &[("policy.toml", Some(&toml))]);
    let engine = patron::Engine::from_dir(&dir).unwrap();
    let on = engine
        .evaluate(&common::customer(json), common::as_of())
        .unwrap();
    assert_eq!(on.grade.to, "C");
    assert!(
        on.grade.reason.contains("no purchase for over 365 days")
            && on.grade.reason.contains("not from the handbook"),
        "{}",
        on.grade.reason
    );
    let policy = patron::Policy::load(&dir).unwrap();
    assert_eq!(
        policy.citation_at(&on.grade.rule).map(|c| c.id.as_str()),
        Some("grade.idle_demotion_opt_in")
    );
}

#[test]
fn a_new_record_gets_its_grade_from_the_evidence() {
    // Issue 14: nothing known is E (to be investigated), not F ("no purchase intent at
    // present"): the old expectation F read missing data as no intent.
    let nothing = eval(r#"{ "id": "N1" }"#);
    assert_eq!(nothing.grade.from, None);
    assert_eq!(nothing.grade.to, "E");
    assert!(nothing.grade.changed);

    // revenue 1,000,000 (30) + bought 10 days ago (20) + 6 purchases (15) + credit 90 (18)
    // + 10 interactions (15) = 98 → A
    let purchases: Vec<String> = (0..6)
        .map(|i| format!(r#"{{ "at": "2026-{:02}-13", "amount": 166666.67 }}"#, 6 + i))
        .collect();
    let calls: Vec<String> = (1..=10)
        .map(|i| format!(r#"{{ "at": "2026-11-{i:02}", "kind": "call" }}"#))
        .collect();
    let json = format!(
        r#"{{ "id": "N2", "attributes": {{ "credit_score": 90 }}, "purchases": [{}], "interactions": [{}] }}"#,
        purchases.join(","),
        calls.join(",")
    );
    let strong = eval(&json);
    assert_eq!(strong.score.total, 98.0);
    assert_eq!(strong.grade.to, "A");
}

// ---- score: handbook 001 ----

#[test]
fn score_sums_weighted_indicators_against_standards() {
    // revenue 500,000 of 1,000,000 × 30 = 15; 15 days since purchase ≤ 30 → 20;
    // 3 of 6 purchases × 15 = 7.5; credit 80 of 100 × 20 = 16; 5 of 10 interactions × 15 = 7.5
    let e = eval(
        r#"{ "id": "S1", "attributes": { "credit_score": 80 },
        "purchases": [ { "at": "2026-11-08", "amount": 200000 }, { "at": "2026-08-01", "amount": 200000 },
                       { "at": "2026-03-01", "amount": 100000 } ],
        "interactions": [ { "at": "2026-11-01", "kind": "call" }, { "at": "2026-10-20", "kind": "call" },
                          { "at": "2026-10-10", "kind": "visit" }, { "at": "2026-10-01", "kind": "email" },
                          { "at": "2026-09-15", "kind": "meeting" } ] }"#,
    );
    let points: Vec<(&str, f64)> = e
        .score
        .parts
        .iter()
        .map(|p| (p.indicator.as_str(), p.points))
        .collect();
    assert_eq!(
        points,
        vec![
            ("revenue", 15.0),
            ("recency", 20.0),
            ("frequency", 7.5),
            ("credit", 16.0),
            ("engagement", 7.5)
        ]
    );
    assert_eq!(e.score.total, 66.0);
    let revenue = &e.score.parts[0];
    assert_eq!(
        (revenue.weight, revenue.standard, revenue.actual),
        (0.3, 1_000_000.0, 500_000.0)
    );
    // A new record that bought 15 days ago is a closed deal in close contact: A, whatever
    // the score (issue 14; the score alone gave C).
    assert_eq!(e.grade.to, "A");
}

#[test]
fn recency_above_the_standard_earns_standard_over_actual() {
    // 60 days since purchase: 30/60 × 20 = 10 points.
    let e = eval(r#"{ "id": "S2", "purchases": [ { "at": "2026-09-24", "amount": 1 } ] }"#);
    let recency = e
        .score
        .parts
        .iter()
        .find(|p| p.indicator == "recency")
        .unwrap();
    assert_eq!(recency.actual, 60.0);
    assert_eq!(recency.points, 10.0);
}

// ---- stages: handbook 001 ----

fn stage_of(json: &str) -> (String, bool, String) {
    let e = eval(json);
    (e.stage.to, e.stage.changed, e.stage.reason)
}

#[test]
fn each_kind_of_evidence_reaches_its_stage() {
    let cases = [
        (r#"{ "id": "T1" }"#, "market_research"),
        (
            r#"{ "id": "T2", "prospect": { "money": true } }"#,
            "prospecting",
        ),
        (
            r#"{ "id": "T3", "interactions": [ { "at": "2026-11-01", "kind": "call" } ] }"#,
            "contact",
        ),
        (
            r#"{ "id": "T4", "prospect": { "need": true }, "interactions": [ { "at": "2026-11-01", "kind": "call" } ] }"#,
            "needs_confirmation",
        ),
        (
            r#"{ "id": "T5", "interactions": [ { "at": "2026-11-01", "kind": "quote" } ] }"#,
            "negotiation",
        ),
        (
            r#"{ "id": "T6", "contracts": [ { "signed_at": "2026-11-01" } ] }"#,
            "contract_signed",
        ),
        (
            r#"{ "id": "T7", "purchases": [ { "at": "2026-11-01", "amount": 10 } ] }"#,
            "converted",
        ),
    ];
    for (json, expected) in cases {
        assert_eq!(stage_of(json).0, expected, "{json}");
    }
}

#[test]
fn a_signed_contract_moves_negotiation_to_contract_signed() {
    let (to, changed, reason) = stage_of(
        r#"{ "id": "T8", "stage": "negotiation",
        "contracts": [ { "signed_at": "2026-11-10", "amount": 50000 } ] }"#,
    );
    assert_eq!(to, "contract_signed");
    assert!(changed);
    assert!(reason.contains("contract signed on 2026-11-10"), "{reason}");
    assert!(!reason.contains("skipping"), "{reason}");
}

#[test]
fn first_purchase_converts_and_names_the_skipped_stages() {
    let (to, changed, reason) = stage_of(
        r#"{ "id": "T9", "stage": "contact",
        "purchases": [ { "at": "2026-11-02", "amount": 800 } ] }"#,
    );
    assert_eq!(to, "converted");
    assert!(changed);
    assert!(reason.contains("first purchase on 2026-11-02"), "{reason}");
    assert!(
        reason.contains("skipping needs_confirmation, negotiation, contract_signed"),
        "{reason}"
    );
}

#[test]
fn a_stage_never_goes_back_without_evidence() {
    let (to, changed, _) = stage_of(
        r#"{ "id": "T10", "stage": "negotiation",
        "interactions": [ { "at": "2026-11-01", "kind": "call" } ] }"#,
    );
    assert_eq!(to, "negotiation");
    assert!(!changed);
}

// ---- cadence: handbook 002 ----

fn cadence(grade: &str, region: &str, extra: &str) -> (f64, f64) {
    let region = if region.is_empty() {
        String::new()
    } else {
        format!(r#", "region": "{region}""#)
    };
    let e = eval(&format!(
        r#"{{ "id": "V", "grade": "{grade}", "grade_since": "2026-11-01"{region}{extra} }}"#
    ));
    (e.visits.calls_per_week, e.visits.visits_per_month)
}

#[test]
fn cadence_follows_the_table_mapped_onto_a_to_f() {
    assert_eq!(cadence("A", "same_city", ""), (2.0, 4.0));
    assert_eq!(cadence("B", "same_city", ""), (1.0, 2.0));
    assert_eq!(cadence("C", "same_city", ""), (0.5, 1.0));
    // The C row gives D no visits: the region example gives it one a month in the same city
    // (issue 14; it was none); without a region, none.
    assert_eq!(cadence("D", "same_city", ""), (0.5, 1.0));
    assert_eq!(cadence("D", "", ""), (0.5, 0.0));
    let visited = r#", "interactions": [ { "at": "2026-10-01", "kind": "visit" } ]"#;
    let (calls, visits) = cadence("F", "same_city", visited);
    assert_eq!(visits, 0.0);
    assert_eq!(
        patron::schedule::interval_days(calls, 7.0),
        Some(91),
        "F: a call a quarter"
    );
}

#[test]
fn e_and_f_are_visited_until_formally_visited_then_called() {
    assert_eq!(cadence("E", "same_city", ""), (0.5, 1.0));
    // Issue 14: F not yet formally visited is visited too (000: 對於尚未正式拜訪的,繼續拜訪).
    assert_eq!(cadence("F", "same_city", "").1, 1.0);
    let visited = r#", "interactions": [ { "at": "2026-10-01", "kind": "visit" } ]"#;
    assert_eq!(cadence("E", "same_city", visited), (0.5, 0.0));
}

#[test]
fn the_region_example_gives_visits_only_where_the_grade_gives_none() {
    // Issue 14: the grade rows are minimums; an A customer elsewhere keeps 4 visits a month
    // (the old expectation, a visit every 6 months, lowered the minimum).
    assert_eq!(cadence("A", "same_province", ""), (2.0, 4.0));
    assert_eq!(cadence("A", "other", ""), (2.0, 4.0));
    let (_, province) = cadence("D", "same_province", "");
    let (_, other) = cadence("D", "other", "");
    assert_eq!(patron::schedule::interval_days(province, 30.0), Some(90));
    assert_eq!(patron::schedule::interval_days(other, 30.0), Some(180));
}

#[test]
fn an_a_customer_last_called_5_days_ago_is_overdue_for_its_calls() {
    let e = eval(
        r#"{ "id": "O1", "grade": "A", "grade_since": "2026-01-01", "region": "same_city",
        "interactions": [ { "at": "2026-11-18", "kind": "call" }, { "at": "2026-11-20", "kind": "visit" } ] }"#,
    );
    // Twice a week → every 3 days: due 2026-11-21, two days overdue.
    assert_eq!(e.visits.next_call_due.unwrap().to_string(), "2026-11-21");
    // Four visits a month → every 7 days: due 2026-11-27.
    assert_eq!(e.visits.next_visit_due.unwrap().to_string(), "2026-11-27");
    assert!(e.visits.overdue);
    assert_eq!(e.visits.days_overdue, 2);
}

#[test]
fn an_a_customer_called_yesterday_is_on_time() {
    let e = eval(
        r#"{ "id": "O2", "grade": "A", "grade_since": "2026-01-01", "region": "same_city",
        "interactions": [ { "at": "2026-11-22", "kind": "call" }, { "at": "2026-11-20", "kind": "visit" } ] }"#,
    );
    assert_eq!(e.visits.next_call_due.unwrap().to_string(), "2026-11-25");
    assert!(!e.visits.overdue);
    assert_eq!(e.visits.days_overdue, 0);
}

#[test]
fn a_customer_never_called_is_due_today_not_overdue() {
    let e = eval(r#"{ "id": "O3", "grade": "B", "grade_since": "2026-01-01" }"#);
    assert_eq!(e.visits.next_call_due.unwrap().to_string(), "2026-11-23");
    assert!(!e.visits.overdue);
}

// ---- actions: handbook 002 ----

fn action_kinds(json: &str) -> Vec<(String, String)> {
    eval(json)
        .actions
        .into_iter()
        .map(|a| (a.kind, a.due.to_string()))
        .collect()
}

#[test]
fn a_receivable_due_in_3_days_yields_a_reminder_and_one_due_in_10_does_not() {
    let in_three = action_kinds(
        r#"{ "id": "R1", "receivables": [ { "due": "2026-11-26", "amount": 5000 } ] }"#,
    );
    assert_eq!(
        in_three,
        vec![("payment_reminder".to_string(), "2026-11-23".to_string())]
    );
    let in_ten = action_kinds(
        r#"{ "id": "R2", "receivables": [ { "due": "2026-12-03", "amount": 5000 } ] }"#,
    );
    assert!(in_ten.is_empty(), "{in_ten:?}");
}

#[test]
fn paid_receivables_need_no_reminder_and_past_due_ones_need_collection() {
    let paid = action_kinds(
        r#"{ "id": "R3", "receivables": [ { "due": "2026-11-25", "amount": 5000, "paid": true } ] }"#,
    );
    assert!(paid.is_empty());
    let e = eval(r#"{ "id": "R4", "receivables": [ { "due": "2026-11-13", "amount": 1234.5 } ] }"#);
    assert_eq!(e.actions.len(), 1);
    assert_eq!(e.actions[0].kind, "collection");
    assert_eq!(
        e.actions[0].reason,
        "1234.50 was due on 2026-11-13, 10 days ago"
    );
}

#[test]
fn a_customer_with_no_order_for_over_a_week_gets_a_callback_due_today() {
    // It fell due on 11-18; a due date is never in the past (it was 11-18).
    let kinds =
        action_kinds(r#"{ "id": "K1", "purchases": [ { "at": "2026-11-10", "amount": 100 } ] }"#);
    assert_eq!(
        kinds,
        vec![("callback".to_string(), "2026-11-23".to_string())]
    );
}

#[test]
fn no_callback_within_a_week_or_after_a_call_that_followed_up() {
    let recent =
        action_kinds(r#"{ "id": "K2", "purchases": [ { "at": "2026-11-18", "amount": 100 } ] }"#);
    assert!(recent.is_empty(), "{recent:?}");
    let called = action_kinds(
        r#"{ "id": "K3", "purchases": [ { "at": "2026-11-10", "amount": 100 } ],
        "interactions": [ { "at": "2026-11-19", "kind": "call" } ] }"#,
    );
    assert!(called.is_empty(), "{called:?}");
}

/// Issue 14: a lapsed buyer is the most important callback, not an excluded one (the old
/// expectation, no callback after a year without purchase, contradicted 002's 超过一周).
#[test]
fn a_lapsed_buyer_gets_a_callback() {
    let lapsed =
        action_kinds(r#"{ "id": "K4", "purchases": [ { "at": "2025-06-10", "amount": 100 } ] }"#);
    assert_eq!(
        lapsed,
        vec![("callback".to_string(), "2026-11-23".to_string())]
    );
}

#[test]
fn results_carry_the_policy_stamp() {
    let e = eval(r#"{ "id": "P1" }"#);
    assert_eq!(e.policy.name, "default");
    assert_eq!(e.policy.version, "2.0.0");
    assert!(e.policy.hash.starts_with("sha256:") && e.policy.hash.len() == 7 + 64);
}

#[test]
fn records_dated_after_as_of_are_not_seen() {
    // The first purchase predates the grade; the second, after as_of, would be a repeat.
    let e = eval(
        r#"{ "id": "F1", "grade": "C", "grade_since": "2026-06-01",
        "purchases": [ { "at": "2026-05-01", "amount": 1 }, { "at": "2026-12-01", "amount": 1 } ] }"#,
    );
    assert_eq!(e.grade.to, "C");
}
