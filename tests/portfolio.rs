//! Portfolio facts: computed for a batch, passed in by the caller for a single customer, and
//! a clear error when a policy needs them and they are absent.

mod common;

use common::{as_of, customer, policy_dir};
use patron::{Engine, ErrorCode, EvaluateOptions};

/// A `labels.rhai` that reads every portfolio fact.
const LABELS: &str = include_str!("fixtures/portfolio-labels.rhai");

const BATCH: &str = r#"
{ "id": "big",   "owner": "rep-1", "grade": "B", "purchases": [ { "at": "2026-11-20", "amount": 600 } ] }
{ "id": "mid",   "owner": "rep-1", "grade": "B", "purchases": [ { "at": "2026-10-01", "amount": 300 }, { "at": "2026-10-02", "amount": 50 } ] }
{ "id": "small", "owner": "rep-2", "grade": "C", "purchases": [ { "at": "2026-01-01", "amount": 50 } ] }
"#;

fn engine() -> Engine {
    Engine::from_dir(policy_dir(
        "portfolio-labels",
        &[("labels.rhai", Some(LABELS))],
    ))
    .unwrap()
}

#[test]
fn a_batch_computes_portfolio_facts_for_every_record() {
    let items =
        patron::json::evaluate_batch(&engine(), BATCH, as_of(), &EvaluateOptions::default())
            .unwrap();
    let items: serde_json::Value = serde_json::from_str(&items).unwrap();
    let labels: Vec<(String, String, String)> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let l = &i["labels"];
            (
                l["abc"].as_str().unwrap().into(),
                l["rank"].as_str().unwrap().into(),
                l["owner_b"].as_str().unwrap().into(),
            )
        })
        .collect();
    // revenue 600 / 350 / 50 of 1000: cumulative 0.6, 0.95, 1.0
    assert_eq!(
        labels,
        vec![
            ("B".into(), "1".into(), "2".into()),
            ("C".into(), "2".into(), "2".into()),
            ("C".into(), "3".into(), "0".into()),
        ]
    );
    // most recent, fewer purchases than `mid` (tied with `small`), most revenue
    assert_eq!(items[0]["labels"]["rfm"], "545");
}

#[test]
fn collected_revenue_ranks_by_what_has_been_paid() {
    // Ordered 600 / 350 / 50; collected 0 (all 600 still owed) / 350 (no receivable) / 50
    // (its receivable paid): of 400 collected, mid is first with 0.875, small second, big last.
    let batch = r#"
{ "id": "big", "purchases": [ { "at": "2026-11-20", "amount": 600 } ], "receivables": [ { "due": "2026-12-20", "amount": 600 } ] }
{ "id": "mid", "purchases": [ { "at": "2026-10-01", "amount": 300 }, { "at": "2026-10-02", "amount": 50 } ] }
{ "id": "small", "purchases": [ { "at": "2026-01-01", "amount": 50 } ], "receivables": [ { "due": "2026-02-01", "amount": 50, "paid": true } ] }
"#;
    let items =
        patron::json::evaluate_batch(&engine(), batch, as_of(), &EvaluateOptions::default())
            .unwrap();
    let items: serde_json::Value = serde_json::from_str(&items).unwrap();
    let shown: Vec<(String, String, String)> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let l = &i["labels"];
            (
                l["rank"].as_str().unwrap().into(),
                l["collected_rank"].as_str().unwrap().into(),
                l["collected_cum_share"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        vec![
            ("1".into(), "3".into(), "1.0".into()),
            ("2".into(), "1".into(), "0.875".into()),
            ("3".into(), "2".into(), "1.0".into()),
        ]
    );
    assert_eq!(items[0]["portfolio"]["collected_share"], 0.0);
    assert_eq!(items[1]["portfolio"]["collected_share"], 0.875);
}

#[test]
fn a_single_customer_without_portfolio_gets_a_clear_error() {
    let err = engine()
        .evaluate(&customer(r#"{ "id": "alone", "grade": "B" }"#), as_of())
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Script);
    assert!(err.to_string().contains("needs portfolio facts"), "{err}");
    assert!(err.to_string().contains("labels.rhai"), "{err}");
}

#[test]
fn a_single_customer_can_bring_last_nights_portfolio() {
    let record = r#"{ "id": "alone", "grade": "B", "portfolio": {
        "size": 120, "revenue_rank": 3, "revenue_share": 0.2, "revenue_cum_share": 0.45,
        "recency_quintile": 5, "frequency_quintile": 4, "monetary_quintile": 5,
        "owner_customers": 30, "owner_grade_counts": { "B": 7 } } }"#;
    let e = engine().evaluate(&customer(record), as_of()).unwrap();
    assert_eq!(e.labels["abc"], "A");
    assert_eq!(e.labels["owner_b"], "7");
    assert_eq!(e.labels["rfm"], "545");
    // Facts written before collected revenue was ranked do not have it: `()`, not zero.
    assert_eq!(e.labels["collected_rank"], "none");
    assert_eq!(e.labels["collected_cum_share"], "none");
}

#[test]
fn a_record_that_brings_its_portfolio_keeps_it_in_a_batch() {
    let batch = r#"{ "id": "x", "portfolio": { "size": 9, "revenue_rank": 9, "revenue_share": 0.0, "revenue_cum_share": 1.0, "recency_quintile": 1, "frequency_quintile": 1, "monetary_quintile": 1 } }
{ "id": "y", "purchases": [ { "at": "2026-11-01", "amount": 10 } ] }"#;
    let items = engine()
        .evaluate_many(batch, as_of(), &EvaluateOptions::default())
        .unwrap();
    match &items[0] {
        patron::BatchItem::Evaluated(e) => assert_eq!(e.labels["rank"], "9"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_batch_result_carries_the_portfolio_facts_to_pass_in_tomorrow() {
    let engine = engine();
    let items = engine
        .evaluate_many(BATCH, as_of(), &EvaluateOptions::default())
        .unwrap();
    let patron::BatchItem::Evaluated(big) = &items[0] else {
        panic!("{:?}", items[0])
    };
    let facts = big
        .portfolio
        .clone()
        .expect("portfolio facts in a batch result");
    assert_eq!(facts.revenue_rank, 1);
    // Tomorrow, evaluated alone with last night's facts, it gets the same labels.
    let mut alone = customer(
        r#"{ "id": "big", "owner": "rep-1", "grade": "B", "purchases": [ { "at": "2026-11-20", "amount": 600 } ] }"#,
    );
    alone.portfolio = Some(facts);
    let single = engine.evaluate(&alone, as_of()).unwrap();
    assert_eq!(single.labels, big.labels);
    // A single evaluation without facts reports none.
    let plain = Engine::with_default_policy().unwrap();
    assert!(plain
        .evaluate(&customer(r#"{ "id": "x" }"#), as_of())
        .unwrap()
        .portfolio
        .is_none());
}
