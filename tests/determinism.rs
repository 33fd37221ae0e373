//! Results are a pure function of (customer, policy, as_of): the same input gives the same
//! bytes, whether evaluated alone, in a parallel batch, or through JSON; and the JSON of a
//! result parses back to the same value.

mod common;

use common::as_of;
use patron::model::parse_customers;
use patron::{Engine, EvaluateOptions, Evaluation};

fn sample_batch() -> String {
    let mut lines = Vec::new();
    for i in 0..300 {
        let grade = ["A", "B", "C", "D", "E", "F"][i % 6];
        let region = ["same_city", "same_province", "other"][i % 3];
        lines.push(format!(
            r#"{{ "id": "D-{i}", "grade": "{grade}", "grade_since": "2026-0{}-01", "region": "{region}",
                "attributes": {{ "credit_score": {} }},
                "purchases": [ {{ "at": "2026-0{}-15", "amount": {} }}, {{ "at": "2026-1{}-02", "amount": 99.5 }} ],
                "interactions": [ {{ "at": "2026-11-{:02}", "kind": "{}" }} ],
                "receivables": [ {{ "due": "2026-11-{:02}", "amount": 10 }} ] }}"#,
            1 + i % 9,
            i % 101,
            1 + i % 9,
            i * 1000,
            i % 2,
            1 + i % 22,
            ["call", "visit", "email"][i % 3],
            1 + i % 30
        ).replace('\n', " "));
    }
    lines.join("\n")
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let engine = Engine::with_default_policy().unwrap();
    let input = sample_batch();
    let options = EvaluateOptions::default();
    let first = patron::json::evaluate_batch(&engine, &input, as_of(), &options).unwrap();
    let second = patron::json::evaluate_batch(&engine, &input, as_of(), &options).unwrap();
    assert_eq!(first, second);
    let other_engine = Engine::with_default_policy().unwrap();
    assert_eq!(
        first,
        patron::json::evaluate_batch(&other_engine, &input, as_of(), &options).unwrap()
    );
}

#[test]
fn batch_and_single_evaluations_agree() {
    let engine = Engine::with_default_policy().unwrap();
    let customers: Vec<_> = parse_customers(&sample_batch())
        .unwrap()
        .into_iter()
        .map(|r| r.result.unwrap())
        .collect();
    let batch = engine.evaluate_many(&customers, as_of(), &patron::EvaluateOptions::default());
    assert_eq!(batch.len(), customers.len());
    for (customer, result) in customers.iter().zip(batch) {
        // A batch also reports the portfolio facts it computed; a single customer has none.
        // The default policy does not read them, so everything else is the same.
        let mut from_batch = result.unwrap();
        assert!(from_batch.portfolio.take().is_some());
        assert_eq!(from_batch, engine.evaluate(customer, as_of()).unwrap());
    }
}

#[test]
fn json_of_a_result_parses_back_to_the_same_value() {
    let engine = Engine::with_default_policy().unwrap();
    for record in parse_customers(&sample_batch()).unwrap() {
        let customer = record.result.unwrap();
        for options in [EvaluateOptions::default(), EvaluateOptions::explained()] {
            let evaluation = {
                let mut out = patron::Evaluation::default();
                engine
                    .evaluate_with(&customer, as_of(), &options, &mut out)
                    .map(|()| out)
            }
            .unwrap();
            let json = serde_json::to_string(&evaluation).unwrap();
            let back: Evaluation = serde_json::from_str(&json).unwrap();
            assert_eq!(back, evaluation);
        }
    }
}

#[test]
fn explain_adds_a_trace_and_changes_nothing_else() {
    let engine = Engine::with_default_policy().unwrap();
    let customer = common::customer(
        r#"{ "id": "X", "grade": "C", "grade_since": "2026-06-01",
        "purchases": [ { "at": "2026-05-01", "amount": 1 }, { "at": "2026-10-01", "amount": 1 } ] }"#,
    );
    let plain = engine.evaluate(&customer, as_of()).unwrap();
    let mut explained = {
        let mut out = patron::Evaluation::default();
        engine
            .evaluate_with(&customer, as_of(), &EvaluateOptions::explained(), &mut out)
            .map(|()| out)
    }
    .unwrap();
    let trace = explained.trace.take().expect("a trace");
    assert_eq!(plain, explained);
    assert!(plain.trace.is_none());
    let functions: Vec<&str> = trace.iter().map(|t| t.function.as_str()).collect();
    assert_eq!(
        functions,
        [
            "score.rhai::score",
            "promote.rhai::grade",
            "promote.rhai::stage",
            "visits.rhai::visits",
            "actions.rhai::actions",
            "actions.rhai::actions"
        ]
    );
    // After the actions' summary, one entry per action names its rule.
    assert_eq!(plain.actions.len(), 1);
    assert_eq!(
        trace[5].rule.as_deref(),
        Some(plain.actions[0].rule.as_str())
    );
    assert!(trace[5].message.starts_with(&plain.actions[0].kind));
    let grade = &trace[1];
    assert_eq!(grade.rule.as_deref(), Some(plain.grade.rule.as_str()));
    assert!(
        grade
            .facts
            .contains(&"repeat_purchase_since_grade".to_string()),
        "{:?}",
        grade.facts
    );
    assert!(
        trace[0].params.contains(&"weights.revenue".to_string()),
        "{:?}",
        trace[0].params
    );
    assert_eq!(grade.message, plain.grade.reason);
}
