//! Reused allocations change nothing (issue 8): `Engine::evaluate_with` writing one customer
//! after another into the same `Evaluation` — across policies, with and without a trace, with
//! errors in between — gives exactly what a fresh `Evaluation` gets, and so do the
//! per-thread recycled script view and `json::evaluate`'s reused result.

mod common;

use patron::model::parse_date;
use patron::{Customer, Engine, EvaluateOptions, Evaluation};

use common::SHIPPED_POLICIES as POLICIES;

fn examples() -> Vec<Customer> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/customers.json"
    ))
    .unwrap();
    patron::model::parse_customers(&text)
        .unwrap()
        .into_iter()
        .filter_map(|r| r.result.ok())
        .collect()
}

#[test]
fn evaluating_into_one_reused_evaluation_equals_fresh_evaluations() {
    let customers = examples();
    let as_of = parse_date("2026-11-23").unwrap();
    // One `Evaluation` for everything: every policy, both trace settings, all customers.
    let mut reused = Evaluation::default();
    let mut compared = 0;
    for policy in POLICIES {
        let engine = common::shipped_engine_without_time_pressure(policy);
        for explain in [false, true, false] {
            let options = EvaluateOptions {
                explain,
                ..EvaluateOptions::default()
            };
            for customer in &customers {
                let fresh = {
                    let mut out = patron::Evaluation::default();
                    engine
                        .evaluate_with(customer, as_of, &options, &mut out)
                        .map(|()| out)
                };
                let into = engine.evaluate_with(customer, as_of, &options, &mut reused);
                match (fresh, into) {
                    (Ok(fresh), Ok(())) => {
                        assert_eq!(
                            reused, fresh,
                            "{policy}: {} (explain {explain})",
                            customer.id
                        );
                        compared += 1;
                    }
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                    (a, b) => panic!("{policy}: {}: {a:?} against {b:?}", customer.id),
                }
            }
        }
    }
    assert!(compared > POLICIES.len() * customers.len());
}

#[test]
fn a_failed_evaluation_leaves_nothing_behind_for_the_next() {
    // `visits` fails for one record, after score, grade and stage were written.
    let visits = common::default_file_with(
        "visits.rhai",
        "fn visits(c, grade) {",
        "fn visits(c, grade) {\n    if c.id == \"X-1\" { throw \"no cadence for X-1\"; }",
    );
    let engine = Engine::from_dir(common::policy_dir(
        "reuse-failure",
        &[("visits.rhai", Some(&visits))],
    ))
    .unwrap();
    let as_of = parse_date("2026-11-23").unwrap();
    let rich = common::customer(
        r#"{"id": "R-1", "grade": "B", "grade_since": "2026-01-10", "stage": "converted",
            "region": "other", "attributes": {"credit_score": 90},
            "purchases": [{"at": "2026-10-01", "amount": 90000}, {"at": "2026-11-01", "amount": 5000}],
            "receivables": [{"due": "2026-11-25", "amount": 3000}]}"#,
    );
    let failing = common::customer(r#"{"id": "X-1", "grade": "A", "region": "same_city"}"#);
    let bare = common::customer(r#"{"id": "N-1"}"#);
    let mut reused = Evaluation::default();
    engine
        .evaluate_with(
            &rich,
            as_of,
            &patron::EvaluateOptions::default(),
            &mut reused,
        )
        .unwrap();
    assert!(!reused.actions.is_empty());
    let error = engine
        .evaluate_with(
            &failing,
            as_of,
            &patron::EvaluateOptions::default(),
            &mut reused,
        )
        .unwrap_err();
    assert!(error.to_string().contains("no cadence for X-1"), "{error}");
    engine
        .evaluate_with(
            &bare,
            as_of,
            &patron::EvaluateOptions::default(),
            &mut reused,
        )
        .unwrap();
    assert_eq!(reused, engine.evaluate(&bare, as_of).unwrap());
    // And back: the view recycled from the bare record holds nothing of it.
    engine
        .evaluate_with(
            &rich,
            as_of,
            &patron::EvaluateOptions::default(),
            &mut reused,
        )
        .unwrap();
    assert_eq!(reused, engine.evaluate(&rich, as_of).unwrap());
}

#[test]
fn evaluate_json_reuses_its_result_without_mixing_records() {
    let engine = Engine::with_default_policy().unwrap();
    let as_of = parse_date("2026-11-23").unwrap();
    let options = EvaluateOptions::default();
    for customer in examples() {
        let json = serde_json::to_string(&customer).unwrap();
        let through_json: Evaluation =
            serde_json::from_str(&patron::json::evaluate(&engine, &json, as_of, &options).unwrap())
                .unwrap();
        assert_eq!(
            through_json,
            engine.evaluate(&customer, as_of).unwrap(),
            "{}",
            customer.id
        );
    }
}

/// Score parts written into the parts a reused result held: a record with fewer parts than
/// the one before it must not keep the extra ones (the fast tier hands parts over unboxed;
/// the interpreter as an array — both are compared).
#[test]
fn a_reused_result_keeps_no_score_part_of_the_record_before() {
    let score = r#"
fn score(c) {
    if c.purchase_count == 0 { return [part("calls", 1, 5, c.calls_90)]; }
    [part("revenue", 2, 10000.0, c.revenue_365), part("calls", 1, 5, c.calls_90), helper(c)]
}
fn helper(c) { part("engagement", 1, 10, c.interactions_90) }
"#;
    let dir = common::policy_dir("reuse-parts", &[("score.rhai", Some(score))]);
    let engine = Engine::from_dir(&dir).unwrap();
    let customers = examples();
    let as_of = parse_date("2026-11-23").unwrap();
    let counts: std::collections::BTreeSet<usize> = customers
        .iter()
        .map(|c| engine.evaluate(c, as_of).unwrap().score.parts.len())
        .collect();
    assert_eq!(
        counts.len(),
        2,
        "both kinds of record are among the examples"
    );
    for tier in [patron::Tier::Auto, patron::Tier::Interpreter] {
        let options = EvaluateOptions {
            tier,
            ..EvaluateOptions::default()
        };
        let mut reused = Evaluation::default();
        for customer in &customers {
            let mut fresh = Evaluation::default();
            engine
                .evaluate_with(customer, as_of, &options, &mut fresh)
                .unwrap();
            engine
                .evaluate_with(customer, as_of, &options, &mut reused)
                .unwrap();
            assert_eq!(reused, fresh, "{} ({tier:?})", customer.id);
        }
    }
}

/// The per-thread recycled view, refilled record after record, holds nothing of the record
/// before: every shipped policy gives each example customer the same result whichever
/// customer was evaluated before it on the thread (the examples in the file's order, reversed,
/// and ordered by how many attributes they have, most first and fewest first), in both tiers.
#[test]
fn a_result_does_not_depend_on_the_record_evaluated_before_it() {
    let customers = examples();
    let as_of = parse_date("2026-11-23").unwrap();
    let attributes = |c: &&Customer| c.attributes.len();
    let mut orders: Vec<Vec<&Customer>> = vec![customers.iter().collect()];
    orders.push(customers.iter().rev().collect());
    let mut by_attributes: Vec<&Customer> = customers.iter().collect();
    by_attributes.sort_by_key(attributes);
    orders.push(by_attributes.iter().rev().copied().collect());
    orders.push(by_attributes);
    let counts: std::collections::BTreeSet<usize> =
        customers.iter().map(|c| c.attributes.len()).collect();
    assert!(
        counts.len() > 1,
        "the examples have different attribute counts"
    );
    assert!(customers.iter().any(|c| c.prospect.is_some()));
    assert!(customers.iter().any(|c| c.prospect.is_none()));
    for policy in POLICIES {
        let engine = common::shipped_engine_without_time_pressure(policy);
        for tier in [patron::Tier::Auto, patron::Tier::Interpreter] {
            let options = EvaluateOptions {
                tier,
                ..EvaluateOptions::default()
            };
            let mut first: std::collections::BTreeMap<String, String> = Default::default();
            for (k, order) in orders.iter().enumerate() {
                for customer in order {
                    let mut out = Evaluation::default();
                    let result = engine
                        .evaluate_with(customer, as_of, &options, &mut out)
                        .map(|()| out)
                        .map_err(|e| e.to_string());
                    let shown = format!("{result:?}");
                    let before = first.entry(customer.id.clone()).or_insert(shown.clone());
                    assert_eq!(
                        *before, shown,
                        "{policy} ({tier:?}): {} in order {k}",
                        customer.id
                    );
                }
            }
        }
    }
}
