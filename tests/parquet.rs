//! `patron::arrow::parquet` (feature `parquet`): a Parquet file is one portfolio — evaluated
//! batch by batch over many row groups it gives the JSON batch path's evaluations of the same
//! records, portfolio facts included — and evaluation batches written to Parquet read back
//! as they were.

#[path = "support/arrow_records.rs"]
mod arrow_records;
mod common;

use arrow_array::cast::AsArray;
use arrow_array::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use patron::arrow::parquet::{evaluate_parquet, evaluation_writer, read_parquet};
use patron::arrow::{evaluate_batch, evaluation_schema};
use patron::{BatchItem, Engine, EvaluateOptions};
use serde_json::{json, Value};

use arrow_records::{batch, schema_with_struct_attributes};
use common::as_of;

fn example(name: &str) -> Vec<Value> {
    let path = format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn engine(policy: &str) -> Engine {
    Engine::from_dir(format!("{}/policies/{policy}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The records as a Parquet file of row groups of `group_rows` rows.
fn parquet_file(records: &[Value], group_rows: usize) -> tempfile::NamedTempFile {
    let batch = batch(records, schema_with_struct_attributes(records));
    let file = tempfile::NamedTempFile::new().unwrap();
    let properties = WriterProperties::builder()
        .set_max_row_group_row_count(Some(group_rows))
        .build();
    let mut writer =
        ArrowWriter::try_new(file.reopen().unwrap(), batch.schema(), Some(properties)).unwrap();
    writer.write(&batch).unwrap();
    let metadata = writer.close().unwrap();
    assert!(
        metadata.num_row_groups() > 1 || records.len() <= group_rows,
        "the file has several row groups"
    );
    file
}

/// The JSON batch path's evaluations (as JSON) of the records, as JSON Lines.
fn json_path(engine: &Engine, records: &[Value]) -> Vec<String> {
    let text: Vec<String> = records.iter().map(Value::to_string).collect();
    engine
        .evaluate_many(&text.join("\n"), as_of(), &EvaluateOptions::default())
        .unwrap()
        .into_iter()
        .map(|item| match item {
            BatchItem::Evaluated(e) => serde_json::to_string(&e).unwrap(),
            BatchItem::Failed { error, .. } => panic!("{}", error.message),
        })
        .collect()
}

/// The `evaluation` column of evaluation batches, row by row.
fn evaluations(batches: &[RecordBatch]) -> Vec<String> {
    batches
        .iter()
        .flat_map(|b| {
            let column = b.column_by_name("evaluation").unwrap().as_string::<i32>();
            (0..b.num_rows())
                .map(|i| column.value(i).to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn a_file_of_many_row_groups_is_one_portfolio() {
    // otc-pharma's ABC grades by the cumulative revenue share across the portfolio.
    let engine = engine("otc-pharma");
    let records = example("otc-pharma.json");
    let expected = json_path(&engine, &records);
    let file = parquet_file(&records, 8);

    let mut batches = Vec::new();
    let mut first_lines = Vec::new();
    let summary = evaluate_parquet(
        &engine,
        file.as_file(),
        as_of(),
        &EvaluateOptions::default(),
        5,
        |rows| {
            first_lines.push(rows.first_line());
            batches.push(rows.to_record_batch().unwrap());
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(summary.records, records.len());
    assert_eq!(summary.failed, 0);
    assert!(batches.len() > 2, "evaluated batch by batch");
    assert_eq!(first_lines[..3], [1, 6, 11]);
    assert_eq!(evaluations(&batches), expected);

    // Evaluated as separate batches, the portfolio facts (and so the grades) would differ.
    let per_batch: Vec<RecordBatch> = read_parquet(file.as_file(), 5)
        .unwrap()
        .map(|b| {
            evaluate_batch(&engine, &b.unwrap(), as_of(), &EvaluateOptions::default()).unwrap()
        })
        .collect();
    assert_ne!(evaluations(&per_batch), expected);
}

#[test]
fn the_items_are_the_json_batch_items() {
    let engine = engine("default");
    let mut records = example("customers.json");
    records[3]["purchases"] = json!([{ "at": "2026-10-01", "amount": -1.0 }]);
    let file = parquet_file(&records, 16);
    let mut items = Vec::new();
    evaluate_parquet(
        &engine,
        file.as_file(),
        as_of(),
        &EvaluateOptions::default(),
        10,
        |rows| {
            items.extend(rows.into_items());
            Ok(())
        },
    )
    .unwrap();
    let text: Vec<String> = records.iter().map(Value::to_string).collect();
    let expected = engine
        .evaluate_many(&text.join("\n"), as_of(), &EvaluateOptions::default())
        .unwrap();
    assert_eq!(
        serde_json::to_value(&items).unwrap(),
        serde_json::to_value(&expected).unwrap()
    );
    assert!(items[3].is_error());
}

#[test]
fn evaluation_batches_round_trip_through_parquet() {
    let engine = engine("default");
    let records = example("customers.json");
    let out = evaluate_batch(
        &engine,
        &batch(&records, schema_with_struct_attributes(&records)),
        as_of(),
        &EvaluateOptions::default(),
    )
    .unwrap();
    let file = tempfile::NamedTempFile::new().unwrap();
    let mut writer = evaluation_writer(file.reopen().unwrap()).unwrap();
    writer.write(&out).unwrap();
    writer.close().unwrap();
    let back: Vec<RecordBatch> = read_parquet(file.as_file(), 0)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(back[0].schema(), evaluation_schema());
    assert_eq!(back.len(), 1, "one batch of the default size");
    assert_eq!(back[0], out, "the Parquet file holds the batch as it was");
}

#[test]
fn a_file_that_is_not_parquet_is_an_error() {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), "{\"id\": \"C-1\"}\n").unwrap();
    let error = evaluate_parquet(
        &engine("default"),
        file.as_file(),
        as_of(),
        &EvaluateOptions::default(),
        0,
        |_| Ok(()),
    )
    .unwrap_err();
    assert!(error.to_string().contains("Parquet"), "{error}");
}
