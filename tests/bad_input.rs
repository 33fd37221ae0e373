//! Bad input: every error names the record (id or line) and the field; in a batch the other
//! records still evaluate and the count out equals the count in; nothing panics.

mod common;

use common::as_of;
use patron::model::{parse_customer, parse_customers};
use patron::{BatchItem, Engine, Error, ErrorCode, EvaluateOptions};

fn input_error(json: &str) -> (String, String) {
    match parse_customer(json) {
        Err(Error::InvalidInput { field, message, .. }) => (field, message),
        other => panic!("expected an invalid-input error for {json}, got {other:?}"),
    }
}

#[test]
fn malformed_json_is_invalid_json() {
    let err = parse_customer(r#"{ "id": "C-1", "#).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidJson);
}

#[test]
fn a_wrong_type_names_the_field() {
    let (field, message) = input_error(
        r#"{ "id": "C-1", "purchases": [ { "at": "2026-01-01", "amount": "lots" } ] }"#,
    );
    assert_eq!(field, "purchases[0].amount");
    assert!(message.contains("invalid type"), "{message}");
    let err = parse_customer(
        r#"{ "id": "C-1", "purchases": [ { "at": "2026-01-01", "amount": "lots" } ] }"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("customer C-1"), "{err}");
}

#[test]
fn an_unparseable_date_names_the_field() {
    let (field, message) = input_error(
        r#"{ "id": "C-1", "interactions": [ { "at": "23/11/2026", "kind": "call" } ] }"#,
    );
    assert_eq!(field, "interactions[0].at");
    assert!(message.contains("23/11/2026"), "{message}");
}

#[test]
fn a_missing_id_names_the_field() {
    let (field, _) = input_error(r#"{ "name": "no id" }"#);
    assert_eq!(field, "id");
}

#[test]
fn negative_amounts_are_rejected() {
    let (field, message) =
        input_error(r#"{ "id": "C-1", "receivables": [ { "due": "2026-12-01", "amount": -5 } ] }"#);
    assert_eq!(field, "receivables[0].amount");
    assert!(message.contains("negative"));
}

#[test]
fn unknown_grade_stage_or_region_is_invalid_input_naming_the_field() {
    let engine = Engine::with_default_policy().unwrap();
    for (json, field) in [
        (r#"{ "id": "C-1", "grade": "Z" }"#, "grade"),
        (r#"{ "id": "C-1", "stage": "dating" }"#, "stage"),
        (r#"{ "id": "C-1", "region": "moon" }"#, "region"),
    ] {
        let err = engine
            .evaluate(&parse_customer(json).unwrap(), as_of())
            .unwrap_err();
        match &err {
            Error::InvalidInput {
                field: f, record, ..
            } => {
                assert_eq!(f, field);
                assert_eq!(record.customer_id.as_deref(), Some("C-1"));
            }
            other => panic!("expected invalid input, got {other:?}"),
        }
    }
}

#[test]
fn a_batch_keeps_one_item_per_record_in_order() {
    let input = [
        r#"{ "id": "ok-1" }"#,
        r#"{ "id": "bad-grade", "grade": "Z" }"#,
        "not json at all",
        "",
        r#"{ "id": "bad-date", "grade_since": "yesterday" }"#,
        r#"{ "id": "ok-2", "grade": "B" }"#,
    ]
    .join("\n");
    let engine = Engine::with_default_policy().unwrap();
    let items = engine
        .evaluate_many(&input, as_of(), &EvaluateOptions::default())
        .unwrap();
    assert_eq!(items.len(), 5, "blank lines are not records");
    let summary: Vec<(Option<String>, Option<usize>)> = items
        .iter()
        .map(|item| match item {
            BatchItem::Evaluated(e) => (Some(e.customer_id.clone()), None),
            BatchItem::Failed {
                customer_id, line, ..
            } => (customer_id.clone(), Some(*line)),
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (Some("ok-1".into()), None),
            (Some("bad-grade".into()), Some(2)),
            (None, Some(3)),
            (Some("bad-date".into()), Some(5)),
            (Some("ok-2".into()), None),
        ]
    );
    let json: serde_json::Value = serde_json::from_str(
        &patron::json::evaluate_batch(&engine, &input, as_of(), &EvaluateOptions::default())
            .unwrap(),
    )
    .unwrap();
    let failed = &json[1];
    assert_eq!(failed["customer_id"], "bad-grade");
    assert_eq!(failed["line"], 2);
    assert_eq!(failed["error"]["code"], 4);
    assert_eq!(failed["error"]["kind"], "invalid_input");
    assert!(failed["error"]["message"]
        .as_str()
        .unwrap()
        .contains("field `grade`"));
}

#[test]
fn a_json_array_batch_reports_lines_of_its_records() {
    let input = "[\n  { \"id\": \"a\" },\n  { \"id\": \"b\", \"purchases\": [ { \"at\": \"x\", \"amount\": 1 } ] },\n  { \"id\": \"c\" }\n]";
    let records = parse_customers(input).unwrap();
    assert_eq!(
        records.iter().map(|r| r.line).collect::<Vec<_>>(),
        vec![2, 3, 4]
    );
    assert!(records[1].result.is_err());
    assert!(records[2].result.is_ok());
}

#[test]
fn an_array_that_is_not_json_fails_as_a_whole() {
    let err = parse_customers("[ { \"id\": \"a\" }, { \"id\": ").unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidJson);
}

#[test]
fn empty_input_is_an_empty_batch() {
    assert!(parse_customers("").unwrap().is_empty());
    assert!(parse_customers("[]").unwrap().is_empty());
}
