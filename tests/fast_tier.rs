//! The differential test of the fast execution tier (issue 8): every shipped policy, over the
//! example customers and every customer of the policy's own test cases, gives exactly the
//! same evaluations — scores, grades, stages, cadence, actions, labels, traces and errors —
//! whether its scripts run in the fast tier or in rhai's interpreter. (Random customers are
//! compared in `tests/properties.rs`.) The policies run with a long time budget: a debug build
//! of the interpreter on a busy machine can otherwise pass 100 ms of wall clock.

mod common;

use patron::model::parse_date;
use patron::{cases, Customer, Engine, EvaluateOptions, Tier};

use common::SHIPPED_POLICIES as POLICIES;

fn root() -> &'static str {
    env!("CARGO_MANIFEST_DIR")
}

fn examples(file: &str) -> Vec<Customer> {
    let text = std::fs::read_to_string(format!("{}/examples/{file}", root())).unwrap();
    patron::model::parse_customers(&text)
        .unwrap()
        .into_iter()
        .filter_map(|r| r.result.ok())
        .collect()
}

/// Evaluates `customers` as one batch in both tiers, with and without a trace, and requires
/// identical results.
fn assert_same(policy: &str, engine: &Engine, customers: &[Customer], as_of: &str) -> usize {
    let as_of = parse_date(as_of).unwrap();
    for explain in [false, true] {
        let fast = EvaluateOptions {
            explain,
            tier: Tier::Auto,
            ..EvaluateOptions::default()
        };
        let slow = EvaluateOptions {
            explain,
            tier: Tier::Interpreter,
            ..EvaluateOptions::default()
        };
        let a = engine.evaluate_batch_with(customers, as_of, &fast);
        let b = engine.evaluate_batch_with(customers, as_of, &slow);
        assert_eq!(a.len(), b.len());
        for (customer, (a, b)) in customers.iter().zip(a.iter().zip(b.iter())) {
            match (a, b) {
                (Ok(a), Ok(b)) => assert_eq!(
                    a, b,
                    "{policy}: {} (explain {explain}): the tiers differ",
                    customer.id
                ),
                (Err(a), Err(b)) => assert_eq!(
                    a.to_string(),
                    b.to_string(),
                    "{policy}: {}: the errors differ",
                    customer.id
                ),
                (a, b) => panic!(
                    "{policy}: {}: fast {:?} but interpreter {:?}",
                    customer.id,
                    a.as_ref().map(|_| "ok"),
                    b.as_ref().map(|_| "ok")
                ),
            }
        }
    }
    customers.len()
}

#[test]
fn every_shipped_policy_gives_the_same_results_in_both_tiers() {
    let mut all_examples = examples("customers.json");
    for name in ["key-accounts", "distributor", "otc-pharma"] {
        all_examples.extend(examples(&format!("{name}.json")));
    }
    for policy in POLICIES {
        let dir = format!("{}/policies/{policy}", root());
        let engine = common::shipped_engine_without_time_pressure(policy);
        let mut compared = 0;
        for as_of in ["2026-11-23", "2027-06-30"] {
            compared += assert_same(policy, &engine, &all_examples, as_of);
        }
        let test_cases = cases::load_cases(std::path::Path::new(&format!("{dir}/tests"))).unwrap();
        for case in &test_cases {
            compared += assert_same(policy, &engine, &case.customers, &case.as_of.to_string());
            for customer in &case.customers {
                compared += assert_same(
                    policy,
                    &engine,
                    std::slice::from_ref(customer),
                    &case.as_of.to_string(),
                );
            }
        }
        assert!(
            compared > 100,
            "{policy}: only {compared} evaluations compared"
        );
    }
}

/// Every script file of the shipped policies runs in the fast tier.
#[test]
fn the_fast_tier_covers_the_shipped_policies() {
    let mut slow = Vec::new();
    for policy in POLICIES {
        let engine = Engine::from_dir(format!("{}/policies/{policy}", root())).unwrap();
        let info = engine.execution_tiers().unwrap();
        assert!(!info.is_empty());
        slow.extend(
            info.iter()
                .filter(|tier| !tier.fast)
                .map(|tier| format!("{policy}: {tier}")),
        );
    }
    // (`switch` would stay with rhai: its cases are keyed by rhai-internal hashes the fast
    // tier cannot compute; key-accounts/labels.rhai used one until its labels grew.)
    assert!(slow.is_empty(), "{}", slow.join("\n"));
}

/// Decisions an entry function returns directly are handed over unboxed by the fast tier;
/// every other way of returning one, and returning one from the wrong entry, must still give
/// what the interpreter gives — results and error messages alike.
#[test]
fn decisions_returned_every_way_give_the_same_results_in_both_tiers() {
    let variants: &[(&str, &str)] = &[
        (
            "promote.rhai",
            r#"
fn grade(c, score) {
    let d = set_grade("B", "kept in a variable first");
    if score > 50.0 { return d; }
    let s = stage(c);
    keep_grade(`the stage decision was made on the way`)
}
fn stage(c) { pick(c) }
fn pick(c) {
    if c.stage == () { return set_stage("market_research", "from a helper"); }
    keep_stage("from a helper")
}
"#,
        ),
        (
            "visits.rhai",
            r#"fn visits(c, grade) { return set_grade("A", "the wrong kind of answer"); }"#,
        ),
        (
            "visits.rhai",
            r#"fn visits(c, grade) { if grade == "A" { return cadence(2, 1, "A"); } cadence(-1, 1, "negative") }"#,
        ),
        ("score.rhai", r#"fn score(c) { keep_grade("not a score") }"#),
    ];
    let customers = examples("customers.json");
    for (i, (file, text)) in variants.iter().enumerate() {
        let dir = common::policy_dir(&format!("decided-{i}"), &[(file, Some(text))]);
        let engine = Engine::from_dir(&dir).unwrap();
        assert!(
            engine.execution_tiers().unwrap().iter().all(|t| t.fast),
            "variant {i} must run in the fast tier"
        );
        for as_of in ["2026-11-23"] {
            assert_same(&format!("variant {i} ({file})"), &engine, &customers, as_of);
            for customer in customers.iter().take(8) {
                assert_same(
                    &format!("variant {i} ({file}), alone"),
                    &engine,
                    std::slice::from_ref(customer),
                    as_of,
                );
            }
        }
    }
}
