//! Property tests (issue 9) over arbitrary customers and dates, with the default policy:
//!
//! - evaluation never panics, and a valid record always evaluates;
//! - the grade is always in the scale;
//! - a grade moves at most one level per evaluation (up or down);
//! - a customer with no repeat purchase since `grade_since` is never promoted;
//! - results are deterministic (same engine, a fresh engine, alone or in a batch);
//! - the JSON of a result parses back to the same value;
//! - a batch has one result per record, each equal to the record evaluated alone;
//! - arbitrary text as a record or a batch never panics;
//! - the fast execution tier and rhai's interpreter give the same result (or the same error),
//!   with every shipped policy (issue 8's differential test, on random customers), the
//!   forced interpreter making no fast-tier call (`Engine::tier_counts`).
//!
//! Each property runs `PROPTEST_CASES` cases (256 by default; `RELIABILITY.md` has the
//! counts of the longer runs). A failing case is shrunk and printed; add it to
//! `tests/hostile_input.rs` as a regression test.

// Closures here return patron's own `Result`; its error type is the library's to size.
#![allow(clippy::result_large_err)]

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use chrono::{Duration, NaiveDate};
use patron::model::{
    parse_customers, Complaint, Contract, Interaction, Prospect, Purchase, Receivable,
};
use patron::{Customer, Engine, EvaluateOptions, Evaluation, Tier};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

const GRADES: [&str; 6] = ["A", "B", "C", "D", "E", "F"];
const STAGES: [&str; 7] = [
    "market_research",
    "prospecting",
    "contact",
    "needs_confirmation",
    "negotiation",
    "contract_signed",
    "converted",
];
const REGIONS: [&str; 3] = ["same_city", "same_province", "other"];
const KINDS: [&str; 8] = [
    "call",
    "visit",
    "email",
    "meeting",
    "quote",
    "negotiation",
    "fax",
    "",
];

/// One engine per test binary: evaluations must not depend on what ran before them.
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::with_default_policy().unwrap())
}

/// Every shipped policy, for the differential property.
fn shipped_engines() -> &'static [(&'static str, Engine)] {
    static ENGINES: OnceLock<Vec<(&'static str, Engine)>> = OnceLock::new();
    ENGINES.get_or_init(|| {
        common::SHIPPED_POLICIES
            .iter()
            .map(|&name| (name, common::shipped_engine_without_time_pressure(name)))
            .collect()
    })
}

fn rank(grade: &str) -> usize {
    GRADES.iter().position(|g| *g == grade).unwrap()
}

fn config() -> Config {
    Config {
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    }
}

/// Dates from year 1 to year 9999, the range the JSON contract is about.
fn any_date() -> impl Strategy<Value = NaiveDate> {
    let first = NaiveDate::from_ymd_opt(1, 1, 1).unwrap();
    let last = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
    (0..=(last - first).num_days()).prop_map(move |d| first + Duration::days(d))
}

/// An evaluation date: mostly around today, sometimes anywhere in years 1–9999.
fn any_as_of() -> impl Strategy<Value = NaiveDate> {
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    prop_oneof![
        4 => (-4000_i64..4000).prop_map(move |d| today + Duration::days(d)),
        1 => any_date(),
    ]
}

/// A date of a record, relative to `as_of`: mostly in the last years, some in the future,
/// some anywhere.
fn near(as_of: NaiveDate) -> impl Strategy<Value = NaiveDate> {
    prop_oneof![
        8 => (-1500_i64..=60).prop_map(move |d| as_of + Duration::days(d)),
        1 => any_date(),
    ]
}

fn amount() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        0.0..1_000_000.0_f64,
        (0_u32..100_000).prop_map(f64::from),
    ]
}

fn opt<T: std::fmt::Debug + Clone>(
    s: impl Strategy<Value = T>,
) -> impl Strategy<Value = Option<T>> {
    prop::option::of(s)
}

/// A valid customer record around `as_of`.
fn customer(as_of: NaiveDate) -> impl Strategy<Value = Customer> {
    let header = (
        "[A-Za-z0-9][A-Za-z0-9 _-]{0,11}",
        opt(prop::sample::select(&GRADES[..])),
        opt(near(as_of)),
        opt(prop::sample::select(&STAGES[..])),
        opt(prop::sample::select(&REGIONS[..])),
        opt(prop_oneof![
            (0_i64..=150).prop_map(serde_json::Value::from),
            (0.0..150.0_f64).prop_map(serde_json::Value::from),
        ]),
        opt(prop::sample::select(&["rep-1", "rep-2"][..])),
    );
    let prospect = opt((
        opt(any::<bool>()),
        opt(any::<bool>()),
        opt(any::<bool>()),
        opt(prop::sample::select(
            &[
                "interested",
                "hesitant",
                "not_soon",
                "definitely_not",
                "quoted",
            ][..],
        )),
        opt(near(as_of)),
        prop::collection::vec(prop::sample::select(&["price", "no_money"][..]), 0..3),
    )
        .prop_map(
            |(money, authority, need, intent, expected_purchase_at, objections)| Prospect {
                money,
                authority,
                need,
                intent: intent.map(str::to_string),
                expected_purchase_at,
                objections: objections.into_iter().map(str::to_string).collect(),
            },
        ));
    let history = (
        prop::collection::vec(
            (near(as_of), amount()).prop_map(|(at, amount)| Purchase { at, amount }),
            0..8,
        ),
        prop::collection::vec(
            (near(as_of), prop::sample::select(&KINDS[..])).prop_map(|(at, kind)| Interaction {
                at,
                kind: kind.to_string(),
                outcome: None,
            }),
            0..8,
        ),
        prop::collection::vec(
            (near(as_of), any::<bool>()).prop_map(|(at, resolved)| Complaint { at, resolved }),
            0..3,
        ),
        prop::collection::vec(
            (near(as_of), amount(), any::<bool>()).prop_map(|(due, amount, paid)| Receivable {
                due,
                amount,
                paid,
            }),
            0..4,
        ),
        prop::collection::vec(
            (near(as_of), opt(amount()))
                .prop_map(|(signed_at, amount)| Contract { signed_at, amount }),
            0..2,
        ),
    );
    (header, prospect, history).prop_map(
        |(
            (id, grade, grade_since, stage, region, credit, owner),
            prospect,
            (purchases, interactions, complaints, receivables, contracts),
        )| Customer {
            id,
            name: None,
            owner: owner.map(str::to_string),
            grade: grade.map(str::to_string),
            grade_since,
            stage: stage.map(str::to_string),
            region: region.map(str::to_string),
            attributes: credit
                .map(|c| [("credit_score".to_string(), c)].into_iter().collect())
                .unwrap_or_default(),
            prospect,
            purchases,
            interactions,
            complaints,
            receivables,
            contracts,
            portfolio: None,
        },
    )
}

/// A date and a customer evaluated at it.
fn case() -> impl Strategy<Value = (NaiveDate, Customer)> {
    any_as_of().prop_flat_map(|as_of| (Just(as_of), customer(as_of)))
}

/// Evaluates without letting a panic escape: a panic is a failed property, not a crash.
fn evaluate(customer: &Customer, as_of: NaiveDate) -> Evaluation {
    match catch_unwind(AssertUnwindSafe(|| engine().evaluate(customer, as_of))) {
        Ok(Ok(evaluation)) => evaluation,
        Ok(Err(error)) => panic!("a valid record failed: {error}\n{customer:?}"),
        Err(_) => panic!("evaluation panicked as of {as_of}: {customer:?}"),
    }
}

/// Whether a purchase other than the customer's very first one (up to `as_of`) was made
/// strictly after `grade_since` — what the repeat-purchase rule needs.
fn has_repeat_purchase_since_grade(customer: &Customer, as_of: NaiveDate) -> bool {
    let Some(since) = customer.grade_since else {
        return false;
    };
    let mut dates: Vec<NaiveDate> = customer
        .purchases
        .iter()
        .map(|p| p.at)
        .filter(|at| *at <= as_of)
        .collect();
    dates.sort();
    dates.iter().skip(1).any(|at| *at > since)
}

/// Whether the record holds a purchase up to `as_of`.
fn bought(customer: &Customer, as_of: NaiveDate) -> bool {
    customer.purchases.iter().any(|p| p.at <= as_of)
}

/// Whether the customer's first purchase (up to `as_of`) came after `grade_since`.
fn first_purchase_since_grade(customer: &Customer, as_of: NaiveDate) -> bool {
    let Some(since) = customer.grade_since else {
        return false;
    };
    customer
        .purchases
        .iter()
        .map(|p| p.at)
        .filter(|at| *at <= as_of)
        .min()
        .is_some_and(|first| first > since)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn evaluation_never_panics_and_the_grade_is_in_the_scale((as_of, customer) in case()) {
        let e = evaluate(&customer, as_of);
        prop_assert!(GRADES.contains(&e.grade.to.as_str()), "{}", e.grade.to);
        prop_assert!(STAGES.contains(&e.stage.to.as_str()), "{}", e.stage.to);
        prop_assert_eq!(e.grade.from.as_deref(), customer.grade.as_deref());
        prop_assert_eq!(e.grade.changed, e.grade.from.as_deref() != Some(e.grade.to.as_str()));
        prop_assert!((0.0..=100.0).contains(&e.score.total), "{}", e.score.total);
        prop_assert!(e.visits.days_overdue >= 0);
        prop_assert_eq!(e.visits.overdue, e.visits.days_overdue > 0);
    }

    /// Issue 14: missing data never demotes (the drop after a year without purchase is in no
    /// handbook and off by default); the default policy only raises a recorded grade.
    #[test]
    fn a_recorded_grade_never_falls((as_of, customer) in case()) {
        let e = evaluate(&customer, as_of);
        if let Some(from) = customer.grade.as_deref() {
            let (from, to) = (rank(from), rank(&e.grade.to));
            prop_assert!(to <= from, "demoted {from} → {to}: {}", e.grade.reason);
        }
    }

    /// A grade rises more than one level only to A on a first purchase after `grade_since`
    /// (000: 立即晉升至A級), or, for a customer that has not bought, on what its record shows
    /// (intent, a contract, a quote); a repeat purchase raises one level.
    #[test]
    fn a_grade_jumps_only_to_a_on_a_first_purchase_or_on_a_non_buyers_evidence((as_of, customer) in case()) {
        let e = evaluate(&customer, as_of);
        if let Some(from) = customer.grade.as_deref() {
            let (from, to) = (rank(from), rank(&e.grade.to));
            if to + 1 < from {
                let first = first_purchase_since_grade(&customer, as_of);
                prop_assert!(
                    (first && to == 0) || !bought(&customer, as_of),
                    "promoted {from} → {to}: {}", e.grade.reason
                );
            }
        }
    }

    /// A customer that has bought rises only on a purchase after `grade_since`.
    #[test]
    fn a_buyer_without_a_purchase_since_grade_since_never_rises((as_of, customer) in case()) {
        let e = evaluate(&customer, as_of);
        if let Some(from) = customer.grade.as_deref() {
            if bought(&customer, as_of)
                && !first_purchase_since_grade(&customer, as_of)
                && !has_repeat_purchase_since_grade(&customer, as_of)
            {
                prop_assert!(
                    rank(&e.grade.to) >= rank(from),
                    "promoted {} → {} without a purchase since {:?}: {}",
                    from, e.grade.to, customer.grade_since, e.grade.reason
                );
            }
        }
    }

    #[test]
    fn the_fast_tier_and_the_interpreter_agree((as_of, customer) in case()) {
        for (name, engine) in shipped_engines() {
            for explain in [false, true] {
                let fast = EvaluateOptions { explain, tier: Tier::Auto, ..EvaluateOptions::default() };
                let slow = EvaluateOptions { explain, tier: Tier::Interpreter, ..EvaluateOptions::default() };
                let before = engine.tier_counts();
                let a = { let mut out = patron::Evaluation::default(); engine.evaluate_with(&customer, as_of, &fast, &mut out).map(|()| out) };
                let auto = engine.tier_counts().since(before);
                let before = engine.tier_counts();
                let b = { let mut out = patron::Evaluation::default(); engine.evaluate_with(&customer, as_of, &slow, &mut out).map(|()| out) };
                let forced = engine.tier_counts().since(before);
                // The forced interpreter never enters the fast tier; both make the same calls;
                // the default policy, fully lowered, finishes a successful evaluation's calls
                // in the fast tier.
                prop_assert_eq!((forced.fast, forced.bailed), (0, 0), "{}: {:?}", name, forced);
                prop_assert_eq!(auto.fast + auto.interpreted, forced.interpreted, "{}: {:?} {:?}", name, auto, forced);
                if *name == "default" && a.is_ok() {
                    prop_assert!(auto.fast > 0, "{}: {:?}", name, auto);
                }
                match (a, b) {
                    (Ok(a), Ok(b)) => prop_assert_eq!(a, b, "{}", name),
                    (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string(), "{}", name),
                    (a, b) => prop_assert!(false, "{}: fast {:?}, interpreter {:?}", name, a.is_ok(), b.is_ok()),
                }
            }
        }
    }

    #[test]
    fn results_are_deterministic((as_of, customer) in case()) {
        let first = evaluate(&customer, as_of);
        let again = evaluate(&customer, as_of);
        prop_assert_eq!(&first, &again);
        let fresh = Engine::with_default_policy().unwrap().evaluate(&customer, as_of).unwrap();
        prop_assert_eq!(&first, &fresh);
        let explained = { let mut out = patron::Evaluation::default(); engine()
            .evaluate_with(&customer, as_of, &EvaluateOptions::explained(), &mut out).map(|()| out) }
            .unwrap();
        prop_assert!(explained.trace.is_some());
        prop_assert_eq!(Evaluation { trace: None, ..explained }, first);
    }

    #[test]
    fn the_json_of_a_result_parses_back_to_the_same_value((as_of, customer) in case()) {
        let e = { let mut out = patron::Evaluation::default(); engine()
            .evaluate_with(&customer, as_of, &EvaluateOptions::explained(), &mut out).map(|()| out) }
            .unwrap();
        let text = serde_json::to_string(&e).unwrap();
        let back: Evaluation = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&back, &e);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(value, serde_json::to_value(&e).unwrap());
        // The input round-trips too, and evaluates the same from its JSON.
        let input = serde_json::to_string(&customer).unwrap();
        let from_json: Evaluation = serde_json::from_str(
            &patron::json::evaluate(engine(), &input, as_of, &EvaluateOptions::explained())
                .unwrap(),
        )
        .unwrap();
        prop_assert_eq!(from_json, e);
    }

    #[test]
    fn a_batch_has_one_result_per_record_each_as_if_alone(
        (as_of, customers) in any_as_of().prop_flat_map(|as_of| {
            (Just(as_of), prop::collection::vec(customer(as_of), 0..12))
        })
    ) {
        let results = engine().evaluate_many(&customers, as_of, &patron::EvaluateOptions::default());
        prop_assert_eq!(results.len(), customers.len());
        for (customer, result) in customers.iter().zip(results) {
            // The default policy reads no portfolio facts: alone or in a batch is the same,
            // but for the facts a batch reports having computed.
            let mut in_batch = result.unwrap();
            prop_assert!(in_batch.portfolio.take().is_some());
            prop_assert_eq!(in_batch, evaluate(customer, as_of));
        }
        let lines: Vec<String> =
            customers.iter().map(|c| serde_json::to_string(c).unwrap()).collect();
        let items = engine()
            .evaluate_many(&lines.join("\n"), as_of, &EvaluateOptions::default())
            .unwrap();
        prop_assert_eq!(items.len(), customers.len());
        prop_assert!(items.iter().all(|i| !i.is_error()));
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>(), as_of in any_as_of()) {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let _ = patron::json::evaluate(engine(), &text, as_of, &EvaluateOptions::default());
            if let Ok(records) = parse_customers(&text) {
                let count = records.len();
                let items = engine().evaluate_many(records, as_of, &EvaluateOptions::default());
                assert_eq!(items.len(), count);
            }
        }));
        prop_assert!(outcome.is_ok(), "panicked on {text:?}");
    }

    #[test]
    fn json_shaped_text_never_panics(
        lines in prop::collection::vec(
            prop_oneof![
                Just(r#"{"id":"x"}"#.to_string()),
                "\\{\"id\":\"[a-z]{0,3}\"(,\"(grade|stage|region|grade_since)\":\"[A-Za-z0-9_-]{0,12}\")?\\}",
                "\\{\"id\":\"p\",\"purchases\":\\[\\{\"at\":\"[0-9+-]{4,8}-[0-9]{2}-[0-9]{2}\",\"amount\":-?[0-9]{1,4}(\\.[0-9]|e[0-9]{1,3})?\\}\\]\\}",
                "[\\[\\]{}\",:0-9a-z ]{0,24}",
            ],
            0..8,
        ),
        as_of in any_as_of(),
    ) {
        let text = lines.join("\n");
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            patron::json::evaluate_batch(engine(), &text, as_of, &EvaluateOptions::default())
        }));
        prop_assert!(outcome.is_ok(), "panicked on {text:?}");
        if let Ok(Ok(json)) = outcome {
            let items: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
            let records = lines.iter().filter(|l| !l.trim().is_empty()).count();
            if !text.trim_start().starts_with('[') {
                prop_assert_eq!(items.len(), records);
            }
        }
    }
}

/// The case proptest found: two purchases whose sum serde_json prints exactly (shortest
/// round-trip form) but, without its `float_roundtrip` feature, read back one unit in the
/// last place off. Fixed in 54f842f (patron builds serde_json with `float_roundtrip`).
#[test]
fn serde_json_reads_floats_back_exactly() {
    let text = "1198236.236959366";
    let exact: f64 = text.parse().unwrap();
    assert_eq!(serde_json::to_string(&exact).unwrap(), text);
    let read: f64 = serde_json::from_str(text).unwrap();
    assert_eq!(read, exact, "serde_json read {read:?}");
    // And the evaluation that showed it, exactly.
    let customer: Customer = serde_json::from_str(
        r#"{"id":"A","purchases":[{"at":"2026-11-23","amount":603642.161075696},
                                  {"at":"2026-11-23","amount":594594.0758836702}]}"#,
    )
    .unwrap();
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let e = engine().evaluate(&customer, as_of).unwrap();
    let back: Evaluation = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
    assert_eq!(back, e);
}
