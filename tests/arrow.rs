//! `patron::arrow` (feature `arrow`): record batches give, row for row, the evaluations the
//! JSON batch path gives for the same records — for every example file and every shipped
//! policy, with dates as `date32`, as text and as timestamps, attributes as a struct and as
//! JSON text — and nulls, empty lists, missing columns, wrong types and error rows behave.

#[path = "support/arrow_records.rs"]
mod arrow_records;
mod common;

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};
use patron::arrow::{customer_schema, customers_from_batch, evaluate_batch, evaluation_schema};
use patron::{BatchItem, Engine, ErrorCode, EvaluateOptions};
use serde_json::{json, Value};

use arrow_records::{batch, schema_with_struct_attributes};
use common::{as_of, SHIPPED_POLICIES};

const EXAMPLES: &[&str] = &[
    "customers.json",
    "key-accounts.json",
    "distributor.json",
    "otc-pharma.json",
];

fn example(name: &str) -> Vec<Value> {
    let path = format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn engine(policy: &str) -> Engine {
    Engine::from_dir(format!("{}/policies/{policy}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// `schema` with every field of type `from`, at any depth, turned into `to`.
fn retype(schema: &Schema, from: &DataType, to: &DataType) -> SchemaRef {
    fn field(f: &Field, from: &DataType, to: &DataType) -> Field {
        f.clone().with_data_type(data_type(f.data_type(), from, to))
    }
    fn data_type(t: &DataType, from: &DataType, to: &DataType) -> DataType {
        match t {
            t if t == from => to.clone(),
            DataType::List(item) => DataType::List(Arc::new(field(item, from, to))),
            DataType::Struct(fields) => DataType::Struct(
                fields
                    .iter()
                    .map(|f| field(f, from, to))
                    .collect::<Fields>(),
            ),
            other => other.clone(),
        }
    }
    Arc::new(Schema::new(
        schema
            .fields()
            .iter()
            .map(|f| field(f, from, to))
            .collect::<Fields>(),
    ))
}

/// The records with `attributes` as JSON text.
fn with_text_attributes(records: &[Value]) -> Vec<Value> {
    records
        .iter()
        .map(|r| {
            let mut r = r.clone();
            if let Some(a) = r.get("attributes").cloned() {
                r["attributes"] = Value::String(a.to_string());
            }
            r
        })
        .collect()
}

/// What the JSON batch path says for the records: per record, the evaluation's JSON or the
/// error's message. The records go in as JSON Lines, so that a record's line is its row.
fn json_path(engine: &Engine, records: &[Value]) -> Vec<Result<String, String>> {
    let text: Vec<String> = records.iter().map(Value::to_string).collect();
    let text = text.join("\n");
    engine
        .evaluate_many(&text, as_of(), &EvaluateOptions::default())
        .unwrap()
        .into_iter()
        .map(|item| match item {
            BatchItem::Evaluated(e) => Ok(serde_json::to_string(&e).unwrap()),
            BatchItem::Failed { error, .. } => Err(error.message),
        })
        .collect()
}

/// The same from the output batch: the `evaluation` column, or `error_message`.
fn arrow_path(out: &RecordBatch) -> Vec<Result<String, String>> {
    assert_eq!(out.schema(), evaluation_schema());
    let evaluation = out.column_by_name("evaluation").unwrap().as_string::<i32>();
    let message = out
        .column_by_name("error_message")
        .unwrap()
        .as_string::<i32>();
    (0..out.num_rows())
        .map(|i| {
            if evaluation.is_valid(i) {
                assert!(message.is_null(i));
                Ok(evaluation.value(i).to_string())
            } else {
                Err(message.value(i).to_string())
            }
        })
        .collect()
}

fn evaluate(engine: &Engine, batch: &RecordBatch) -> RecordBatch {
    evaluate_batch(engine, batch, as_of(), &EvaluateOptions::default()).unwrap()
}

/// Row by row equality, naming the first row that differs.
fn same(actual: &[Result<String, String>], expected: &[Result<String, String>], what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: row count");
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert_eq!(a, e, "{what}: row {i}");
    }
}

#[test]
fn every_example_file_and_policy_gives_the_json_paths_evaluations() {
    for policy in SHIPPED_POLICIES {
        let engine = engine(policy);
        for file in EXAMPLES {
            let records = example(file);
            let expected = json_path(&engine, &records);
            assert!(expected.iter().any(Result::is_ok), "{policy} {file}");

            // Dates as date32, attributes as a struct column.
            let dated = batch(&records, schema_with_struct_attributes(&records));
            same(
                &arrow_path(&evaluate(&engine, &dated)),
                &expected,
                &format!("{policy} {file}: date32 and struct attributes"),
            );
            // Dates as text, attributes as JSON text.
            let text = batch(
                &with_text_attributes(&records),
                retype(&customer_schema(), &DataType::Date32, &DataType::Utf8),
            );
            same(
                &arrow_path(&evaluate(&engine, &text)),
                &expected,
                &format!("{policy} {file}: utf8 dates and JSON text attributes"),
            );
        }
    }
}

#[test]
fn the_typed_columns_agree_with_the_evaluation() {
    let engine = engine("default");
    let records = example("customers.json");
    let out = evaluate(
        &engine,
        &batch(&records, schema_with_struct_attributes(&records)),
    );
    let evaluations: Vec<patron::Evaluation> = arrow_path(&out)
        .into_iter()
        .map(|e| serde_json::from_str(&e.unwrap()).unwrap())
        .collect();
    let column = |name: &str| out.column_by_name(name).unwrap().clone();
    let score = column("score_total");
    let grade_to = column("grade_to");
    let grade_from = column("grade_from");
    let changed = column("grade_changed");
    let stage_to = column("stage_to");
    let next_call = column("next_call_due");
    let days = column("days_overdue");
    let actions = column("actions");
    let actions = actions.as_list::<i32>();
    let mut some_actions = false;
    for (i, e) in evaluations.iter().enumerate() {
        assert_eq!(score.as_primitive::<Float64Type>().value(i), e.score.total);
        assert_eq!(grade_to.as_string::<i32>().value(i), e.grade.to);
        assert_eq!(
            grade_from
                .is_valid(i)
                .then(|| grade_from.as_string::<i32>().value(i)),
            e.grade.from.as_deref()
        );
        assert_eq!(changed.as_boolean().value(i), e.grade.changed);
        assert_eq!(stage_to.as_string::<i32>().value(i), e.stage.to);
        assert_eq!(
            next_call.is_valid(i).then(|| Date32Type::to_naive_date_opt(
                next_call.as_primitive::<Date32Type>().value(i)
            )
            .unwrap()),
            e.visits.next_call_due
        );
        assert_eq!(
            days.as_primitive::<Int64Type>().value(i),
            e.visits.days_overdue
        );
        let row = actions.value(i);
        let row = row.as_struct();
        assert_eq!(row.len(), e.actions.len());
        for (k, action) in e.actions.iter().enumerate() {
            some_actions = true;
            assert_eq!(row.column(0).as_string::<i32>().value(k), action.kind);
            assert_eq!(
                Date32Type::to_naive_date_opt(row.column(1).as_primitive::<Date32Type>().value(k))
                    .unwrap(),
                action.due
            );
            assert_eq!(row.column(2).as_string::<i32>().value(k), action.reason);
        }
    }
    assert!(some_actions, "the examples have actions");
    assert_eq!(
        out.column_by_name("error_code").unwrap().null_count(),
        out.num_rows()
    );
}

/// The value with every null object field left out, at any depth.
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(o) => Value::Object(
            o.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

#[test]
fn nulls_empty_lists_and_missing_columns_are_missing_data() {
    let engine = engine("default");
    let records = vec![
        json!({ "id": "n-1", "grade": null, "purchases": null, "interactions": [] }),
        json!({ "id": "n-2", "grade": "B", "region": "same_city", "prospect": null,
                "purchases": [ { "at": "2026-10-01", "amount": 100.0 } ],
                "receivables": [ { "due": "2026-11-20", "amount": 50.0, "paid": null } ],
                "complaints": [ { "at": "2026-11-01", "resolved": null } ] }),
        json!({ "id": "n-3", "prospect": { "intent": "interested", "objections": [] } }),
    ];
    // In Arrow a null is missing data (a Spark column is null where a record has nothing);
    // JSON refuses some nulls, so the JSON path gets the records without them.
    let expected = json_path(
        &engine,
        &records.iter().map(without_nulls).collect::<Vec<_>>(),
    );
    assert!(expected.iter().all(Result::is_ok), "{expected:?}");
    let full = batch(&records, customer_schema());
    assert_eq!(arrow_path(&evaluate(&engine, &full)), expected);

    // Only the columns the records use.
    let narrow: Vec<_> = [
        "id",
        "grade",
        "region",
        "prospect",
        "purchases",
        "receivables",
        "complaints",
        "interactions",
    ]
    .iter()
    .map(|name| customer_schema().field_with_name(name).unwrap().clone())
    .collect();
    let narrow = batch(&records, Arc::new(Schema::new(narrow)));
    assert_eq!(arrow_path(&evaluate(&engine, &narrow)), expected);

    // A column of Arrow's null type is null everywhere.
    let ids: ArrayRef = Arc::new(StringArray::from(vec!["x-1", "x-2"]));
    let nothing: ArrayRef = Arc::new(arrow_array::NullArray::new(2));
    let with_null_type = RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            Field::new("id", DataType::Utf8, false),
            Field::new("purchases", DataType::Null, true),
        ])),
        vec![ids, nothing],
    )
    .unwrap();
    let customers = customers_from_batch(&with_null_type);
    assert!(customers[1].as_ref().unwrap().purchases.is_empty());
}

#[test]
fn extra_columns_are_ignored() {
    let engine = engine("default");
    let records = vec![json!({ "id": "e-1", "grade": "C", "region": "same_city" })];
    let mut fields: Vec<Field> = customer_schema()
        .fields()
        .iter()
        .map(|f| f.as_ref().clone())
        .collect();
    fields.push(Field::new("spark_partition", DataType::Int64, true));
    let out = evaluate(&engine, &batch(&records, Arc::new(Schema::new(fields))));
    assert_eq!(arrow_path(&out), json_path(&engine, &records));
}

#[test]
fn wrong_types_are_errors_naming_the_column_and_keep_their_place() {
    let engine = engine("default");
    // `amount` as text, `grade` as a number.
    let mut schema = retype(&customer_schema(), &DataType::Float64, &DataType::Utf8)
        .as_ref()
        .clone();
    let mut fields: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
    let grade = fields.iter().position(|f| f.name() == "grade").unwrap();
    fields[grade] = Field::new("grade", DataType::Int64, true);
    schema = Schema::new(fields);
    let records = vec![
        json!({ "id": "w-1" }),
        json!({ "id": "w-2", "purchases": [ { "at": "2026-10-01", "amount": "100" } ] }),
        json!({ "id": "w-3", "grade": 3 }),
        json!({ "id": "w-4", "region": "same_city" }),
    ];
    let out = evaluate(&engine, &batch(&records, Arc::new(schema)));
    let rows = arrow_path(&out);
    assert!(rows[0].is_ok() && rows[3].is_ok(), "{rows:?}");
    let second = rows[1].as_ref().unwrap_err();
    assert!(
        second.starts_with("customer w-2 (line 2): field `purchases[0].amount`"),
        "{second}"
    );
    assert!(
        second.contains("expected a number") && second.contains("Utf8"),
        "{second}"
    );
    let third = rows[2].as_ref().unwrap_err();
    assert!(
        third.starts_with("customer w-3 (line 3): field `grade`"),
        "{third}"
    );
    assert!(third.contains("Int64"), "{third}");
    let ids = out
        .column_by_name("customer_id")
        .unwrap()
        .as_string::<i32>();
    assert_eq!(ids.value(1), "w-2");
    let codes = out.column_by_name("error_code").unwrap().as_string::<i32>();
    assert_eq!(codes.value(1), "invalid_input");
    assert!(codes.is_null(0));
    // The evaluated rows are what they are alone.
    let alone = [records[0].clone(), records[3].clone()];
    assert_eq!(rows[3], json_path(&engine, &alone)[1]);
}

#[test]
fn unreadable_rows_are_errors_like_the_json_paths() {
    let engine = engine("default");
    let records = vec![
        json!({ "id": null, "grade": "C" }),
        json!({ "id": "u-2", "purchases": [ { "at": null, "amount": 5.0 } ] }),
        json!({ "id": "u-3", "purchases": [ { "at": "2026-13-01", "amount": 5.0 } ] }),
        json!({ "id": "u-4", "purchases": [ { "at": "2026-10-01", "amount": -5.0 } ] }),
        json!({ "id": "", "grade": "C" }),
        json!({ "id": "u-6" }),
    ];
    let text = retype(&customer_schema(), &DataType::Date32, &DataType::Utf8);
    let out = evaluate(&engine, &batch(&records, text));
    let rows = arrow_path(&out);
    let message = |i: usize| rows[i].as_ref().unwrap_err().clone();
    assert!(
        message(0).starts_with("record at line 1: field `id`"),
        "{}",
        message(0)
    );
    assert!(
        message(1).starts_with("customer u-2 (line 2): field `purchases[0].at`"),
        "{}",
        message(1)
    );
    assert!(
        message(2).contains("purchases[0].at") && message(2).contains("2026-13-01"),
        "{}",
        message(2)
    );
    assert!(
        message(3).starts_with(
            "customer u-4 (line 4): field `purchases[0].amount`: must not be negative"
        ),
        "{}",
        message(3)
    );
    assert!(
        message(4).contains("field `id`: must not be empty"),
        "{}",
        message(4)
    );
    assert!(rows[5].is_ok());
    let ids = out.column_by_name("customer_id").unwrap();
    assert!(ids.is_null(0));
    // The JSON path refuses the same records.
    let expected = json_path(&engine, &records);
    for (i, (arrow, json)) in rows.iter().zip(&expected).enumerate() {
        assert_eq!(arrow.is_ok(), json.is_ok(), "row {i}: {arrow:?} / {json:?}");
    }
}

#[test]
fn dates_as_date32_text_and_timestamps_read_the_same() {
    let engine = engine("default");
    let records = vec![json!({
        "id": "d-1", "grade": "C", "grade_since": "2026-06-01", "region": "same_city",
        "purchases": [ { "at": "2026-05-02", "amount": 12000.0 }, { "at": "2026-10-02", "amount": 8000.0 } ],
        "interactions": [ { "at": "2026-11-18", "kind": "call" } ]
    })];
    let expected = json_path(&engine, &records);
    let schemas = [
        customer_schema(),
        retype(&customer_schema(), &DataType::Date32, &DataType::Utf8),
        retype(&customer_schema(), &DataType::Date32, &DataType::LargeUtf8),
        retype(&customer_schema(), &DataType::Date32, &DataType::Date64),
        retype(
            &customer_schema(),
            &DataType::Date32,
            &DataType::Timestamp(TimeUnit::Microsecond, None),
        ),
        retype(
            &customer_schema(),
            &DataType::Date32,
            &DataType::Timestamp(TimeUnit::Millisecond, Some("+00:00".into())),
        ),
    ];
    for schema in schemas {
        let out = evaluate(&engine, &batch(&records, schema.clone()));
        assert_eq!(arrow_path(&out), expected, "{schema:?}");
    }
    // A timestamp's date is taken in the column's time zone.
    let late = json!([{ "id": "t", "grade_since": "2026-06-01T20:00:00Z" }]);
    let late: Vec<Value> = serde_json::from_value(late).unwrap();
    let shanghai = retype(
        &customer_schema(),
        &DataType::Date32,
        &DataType::Timestamp(TimeUnit::Second, Some("+08:00".into())),
    );
    let customer = customers_from_batch(&batch(&late, shanghai))
        .remove(0)
        .unwrap();
    assert_eq!(customer.grade_since.unwrap().to_string(), "2026-06-02");
}

#[test]
fn a_portfolio_column_supplies_the_rows_portfolio_facts() {
    let engine = engine("otc-pharma");
    let mut records = example("otc-pharma.json");
    records.truncate(6);
    // Last night's facts for the first row, from a batch of the whole file.
    let whole = json_path(&engine, &example("otc-pharma.json"));
    let facts: Value =
        serde_json::from_str::<Value>(whole[0].as_ref().unwrap()).unwrap()["portfolio"].clone();
    assert!(facts.is_object());
    records[0]["portfolio"] = facts.clone();
    let expected = json_path(&engine, &records);
    let out = evaluate(
        &engine,
        &batch(&records, schema_with_struct_attributes(&records)),
    );
    let rows = arrow_path(&out);
    assert_eq!(rows, expected);
    let first: Value = serde_json::from_str(rows[0].as_ref().unwrap()).unwrap();
    assert_eq!(first["portfolio"], facts);
    let second: Value = serde_json::from_str(rows[1].as_ref().unwrap()).unwrap();
    assert_eq!(
        second["portfolio"]["size"], 6,
        "computed across the six rows"
    );

    // An unknown field of the portfolio struct is refused, as in JSON.
    let schema = Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new(
            "portfolio",
            DataType::Struct(Fields::from(vec![Field::new(
                "rank",
                DataType::Int64,
                true,
            )])),
            true,
        ),
    ]);
    let odd = batch(
        &[json!({ "id": "p", "portfolio": { "rank": 1 } })],
        Arc::new(schema),
    );
    let error = customers_from_batch(&odd).remove(0).unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidInput);
    assert!(error.to_string().contains("portfolio.rank"), "{error}");
}

#[test]
fn an_empty_batch_gives_an_empty_result() {
    let engine = engine("default");
    let out = evaluate(&engine, &RecordBatch::new_empty(customer_schema()));
    assert_eq!(out.num_rows(), 0);
    assert_eq!(out.schema(), evaluation_schema());
}

#[test]
fn categorical_strings_and_named_time_zones_are_read() {
    use arrow_array::{DictionaryArray, TimestampSecondArray};
    let engine = engine("default");
    let records = vec![
        json!({ "id": "k-1", "grade": "C", "region": "same_city", "grade_since": "2026-06-01" }),
        json!({ "id": "k-2", "grade": "A", "region": "same_city", "grade_since": "2026-06-01" }),
        json!({ "id": "k-3", "grade": "C", "region": "other", "grade_since": "2026-06-01" }),
    ];
    let expected = json_path(&engine, &records);
    // pandas' and Polars' categoricals are dictionaries; Spark's timestamps carry the
    // session's named time zone. 2026-05-31T16:00:00Z is 2026-06-01 in Shanghai.
    let grades: DictionaryArray<arrow_array::types::Int32Type> =
        vec!["C", "A", "C"].into_iter().collect();
    let regions: DictionaryArray<arrow_array::types::Int8Type> =
        vec!["same_city", "same_city", "other"]
            .into_iter()
            .collect();
    let since = TimestampSecondArray::from(vec![1_780_243_200; 3]).with_timezone("Asia/Shanghai");
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(vec!["k-1", "k-2", "k-3"])),
        Arc::new(grades),
        Arc::new(regions),
        Arc::new(since),
    ];
    let schema = Schema::new(
        ["id", "grade", "region", "grade_since"]
            .iter()
            .zip(&columns)
            .map(|(name, c)| Field::new(*name, c.data_type().clone(), true))
            .collect::<Vec<_>>(),
    );
    let batch = RecordBatch::try_new(Arc::new(schema), columns).unwrap();
    assert_eq!(arrow_path(&evaluate(&engine, &batch)), expected);
}
