//! The bundled example customers (examples/customers.json) reach every grade, every stage,
//! overdue and on-time cadences, reminders, callbacks, repeat and first purchases — so the
//! README's run command shows every rule at work.

use std::collections::BTreeSet;

use patron::model::parse_date;
use patron::{BatchItem, Engine, EvaluateOptions, Evaluation};

fn evaluations() -> (Vec<patron::Customer>, Vec<Evaluation>) {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/customers.json"
    ))
    .unwrap();
    let customers: Vec<patron::Customer> = patron::model::parse_customers(&text)
        .unwrap()
        .into_iter()
        .map(|r| r.result.unwrap())
        .collect();
    let engine = Engine::with_default_policy().unwrap();
    let items = engine
        .evaluate_many(
            &text,
            parse_date("2026-11-23").unwrap(),
            &EvaluateOptions::default(),
        )
        .unwrap();
    let evaluations = items
        .into_iter()
        .map(|item| match item {
            BatchItem::Evaluated(e) => *e,
            BatchItem::Failed { error, .. } => panic!("an example failed: {}", error.message),
        })
        .collect();
    (customers, evaluations)
}

#[test]
fn the_examples_are_realistic_and_varied() {
    let (customers, _) = evaluations();
    assert!(customers.len() >= 60);
    let owners: BTreeSet<_> = customers
        .iter()
        .filter_map(|c| c.owner.as_deref())
        .collect();
    assert!(owners.len() >= 3, "{owners:?}");
    let regions: BTreeSet<_> = customers
        .iter()
        .filter_map(|c| c.region.as_deref())
        .collect();
    assert_eq!(regions.len(), 3);
    let names: Vec<&str> = customers.iter().filter_map(|c| c.name.as_deref()).collect();
    assert!(names
        .iter()
        .any(|n| n.chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch))));
    assert!(names.iter().any(|n| n.is_ascii()));
}

#[test]
fn the_examples_reach_every_grade_stage_and_rule() {
    let (customers, evaluations) = evaluations();
    let grades: BTreeSet<&str> = evaluations.iter().map(|e| e.grade.to.as_str()).collect();
    assert_eq!(
        grades.into_iter().collect::<Vec<_>>(),
        ["A", "B", "C", "D", "E", "F"]
    );
    let stages: BTreeSet<&str> = evaluations.iter().map(|e| e.stage.to.as_str()).collect();
    assert_eq!(stages.len(), 7, "{stages:?}");
    assert!(evaluations.iter().any(|e| e.visits.overdue));
    assert!(evaluations
        .iter()
        .any(|e| !e.visits.overdue && e.visits.next_call_due.is_some()));
    for kind in ["payment_reminder", "callback", "collection"] {
        assert!(
            evaluations
                .iter()
                .any(|e| e.actions.iter().any(|a| a.kind == kind)),
            "no {kind}"
        );
    }
    assert!(evaluations
        .iter()
        .any(|e| e.grade.reason.contains("repeat purchase") && e.grade.changed));
    assert!(evaluations
        .iter()
        .any(|e| e.grade.reason.contains("already the top grade")));
    // A first purchase after the grade takes an A–D customer to A (000: 立即晉升至A級; it used
    // to convert without promoting, which contradicted the handbook).
    assert!(customers.iter().zip(&evaluations).any(|(c, e)| {
        c.purchases.len() == 1
            && e.stage.to == "converted"
            && c.grade.is_some()
            && e.grade.to == "A"
            && e.grade.reason.contains("decides to buy")
    }));
    assert!(
        evaluations.iter().any(|e| e.grade.from.is_none()),
        "no new records"
    );
}
