//! `patron eval` with Parquet: a Parquet file of the example customers, evaluated to Parquet
//! (or to JSON Lines), gives row for row what `patron eval` gives for the JSON file — for
//! otc-pharma, whose ABC needs the portfolio facts of the whole file, over many row groups.

use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use assert_cmd::Command;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use serde_json::Value;

fn patron() -> Command {
    Command::cargo_bin("patron").unwrap()
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// `examples/<name>` as a Parquet file of row groups of 8 rows (attributes as JSON text).
fn parquet_example(name: &str, dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(repo().join("examples").join(name)).unwrap();
    let mut records: Vec<Value> = serde_json::from_str(&text).unwrap();
    for record in &mut records {
        if let Some(attributes) = record.get("attributes").cloned() {
            record["attributes"] = Value::String(attributes.to_string());
        }
    }
    let schema = patron::arrow::customer_schema();
    let mut decoder = arrow_json::ReaderBuilder::new(schema.clone())
        .build_decoder()
        .unwrap();
    decoder.serialize(&records).unwrap();
    let batch = decoder.flush().unwrap().unwrap();
    let path = dir.join(name.replace(".json", ".parquet"));
    let properties = WriterProperties::builder()
        .set_max_row_group_row_count(Some(8))
        .build();
    let mut writer = ArrowWriter::try_new(
        std::fs::File::create(&path).unwrap(),
        schema,
        Some(properties),
    )
    .unwrap();
    writer.write(&batch).unwrap();
    assert!(writer.close().unwrap().num_row_groups() > 1);
    path
}

/// `patron eval FILE --format jsonl` with the policy: one evaluation per line.
fn jsonl(file: &Path, policy: &str, extra: &[&str]) -> Vec<Value> {
    let output = patron()
        .arg("eval")
        .arg(file)
        .args(["--as-of", "2026-11-23", "--format", "jsonl", "--policy"])
        .arg(repo().join("policies").join(policy))
        .args(extra)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn read_back(path: &Path) -> Vec<RecordBatch> {
    ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path).unwrap())
        .unwrap()
        .build()
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn parquet_in_and_out_gives_the_json_evaluations_row_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let input = parquet_example("otc-pharma.json", dir.path());
    let expected = jsonl(&repo().join("examples/otc-pharma.json"), "otc-pharma", &[]);
    let results = dir.path().join("results.parquet");
    patron()
        .arg("eval")
        .arg(&input)
        .args(["--as-of", "2026-11-23", "--format", "parquet", "--policy"])
        .arg(repo().join("policies/otc-pharma"))
        .arg("--out")
        .arg(&results)
        .assert()
        .success();
    let batches = read_back(&results);
    assert_eq!(batches[0].schema(), patron::arrow::evaluation_schema());
    let mut rows = Vec::new();
    for batch in &batches {
        let evaluation = batch
            .column_by_name("evaluation")
            .unwrap()
            .as_string::<i32>();
        let grade = batch.column_by_name("grade_to").unwrap().as_string::<i32>();
        for i in 0..batch.num_rows() {
            let value: Value = serde_json::from_str(evaluation.value(i)).unwrap();
            assert_eq!(value["grade"]["to"], grade.value(i));
            rows.push(value);
        }
    }
    assert_eq!(rows.len(), expected.len());
    for (i, (row, json)) in rows.iter().zip(&expected).enumerate() {
        assert_eq!(row, json, "row {i}");
    }

    // Parquet in, JSON Lines out; the input format by flag instead of by name.
    let renamed = dir.path().join("customers.bin");
    std::fs::copy(&input, &renamed).unwrap();
    assert_eq!(
        jsonl(&renamed, "otc-pharma", &["--input-format", "parquet"]),
        expected
    );
}

#[test]
fn parquet_to_a_redirected_standard_output_is_a_parquet_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = parquet_example("customers.json", dir.path());
    let output = patron()
        .arg("eval")
        .arg(&input)
        .args(["--as-of", "2026-11-23", "--format", "parquet"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(output.stdout.starts_with(b"PAR1") && output.stdout.ends_with(b"PAR1"));
    let path = dir.path().join("out.parquet");
    std::fs::write(&path, &output.stdout).unwrap();
    let rows: usize = read_back(&path).iter().map(RecordBatch::num_rows).sum();
    assert_eq!(rows, 64);
}

/// The rows of a Parquet result, each as its evaluation JSON, or as the JSON item of its
/// error (`customer_id`, `line` from the expected item, `error.kind`, `error.message`).
fn rows_as_items(batches: &[RecordBatch], expected: &[Value]) -> Vec<Value> {
    let mut rows = Vec::new();
    for batch in batches {
        let column = |name: &str| {
            batch
                .column_by_name(name)
                .unwrap()
                .as_string::<i32>()
                .clone()
        };
        let (evaluation, code, message, id) = (
            column("evaluation"),
            column("error_code"),
            column("error_message"),
            column("customer_id"),
        );
        for i in 0..batch.num_rows() {
            rows.push(if evaluation.is_null(i) {
                let line = &expected[rows.len()]["line"];
                serde_json::json!({
                    "customer_id": id.is_valid(i).then(|| id.value(i)),
                    "line": line,
                    "kind": code.value(i),
                    "message": message.value(i),
                })
            } else {
                serde_json::from_str(evaluation.value(i)).unwrap()
            });
        }
    }
    rows
}

#[test]
fn json_input_is_written_as_parquet_row_by_row_errors_in_their_places() {
    let dir = tempfile::tempdir().unwrap();
    // JSON Lines (streamed) with a record that fails, and the JSON array (read whole).
    let array = repo().join("examples/otc-pharma.json");
    let records: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&array).unwrap()).unwrap();
    let mut lines: Vec<String> = records.iter().map(Value::to_string).collect();
    lines.insert(3, r#"{ "id": "BAD", "grade": "Q" }"#.to_string());
    let jsonl_file = dir.path().join("customers.jsonl");
    std::fs::write(&jsonl_file, lines.join("\n") + "\n").unwrap();
    for input in [&jsonl_file, &array] {
        let output = patron()
            .arg("eval")
            .arg(input)
            .args(["--as-of", "2026-11-23", "--format", "jsonl", "--policy"])
            .arg(repo().join("policies/otc-pharma"))
            .output()
            .unwrap();
        let expected: Vec<Value> = String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        let results = dir.path().join("results.parquet");
        let status = patron()
            .arg("eval")
            .arg(input)
            .args(["--as-of", "2026-11-23", "--format", "parquet", "--policy"])
            .arg(repo().join("policies/otc-pharma"))
            .arg("--out")
            .arg(&results)
            .output()
            .unwrap()
            .status;
        assert_eq!(status.code(), output.status.code(), "{}", input.display());
        let batches = read_back(&results);
        assert_eq!(batches[0].schema(), patron::arrow::evaluation_schema());
        let rows = rows_as_items(&batches, &expected);
        let expected: Vec<Value> = expected
            .into_iter()
            .map(|item| match item.get("error") {
                Some(error) => serde_json::json!({
                    "customer_id": item["customer_id"],
                    "line": item["line"],
                    "kind": error["kind"],
                    "message": error["message"],
                }),
                None => item,
            })
            .collect();
        assert_eq!(rows.len(), expected.len(), "{}", input.display());
        for (i, (row, item)) in rows.iter().zip(&expected).enumerate() {
            assert_eq!(row, item, "{} row {i}", input.display());
        }
    }
}

#[test]
fn a_file_that_is_not_parquet_read_as_parquet_is_refused() {
    // A file that is not Parquet, read as Parquet.
    let output = patron()
        .args([
            "eval",
            "-",
            "--as-of",
            "2026-11-23",
            "--input-format",
            "parquet",
        ])
        .write_stdin("{ \"id\": \"C-1\" }\n")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("Parquet"),
        "{output:?}"
    );
}

#[test]
fn out_writes_any_format_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = repo().join("examples/customers.json");
    let expected = jsonl(&input, "default", &[]);
    let path = dir.path().join("results.jsonl");
    let output = patron()
        .arg("eval")
        .arg(&input)
        .args(["--as-of", "2026-11-23", "--format", "jsonl", "--out"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(output.stdout.is_empty(), "nothing on standard output");
    let written: Vec<Value> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(written, expected);
}
