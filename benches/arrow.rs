//! Rows per second of `patron::arrow::evaluate_batch` (a record batch in, a record batch out)
//! against the JSON batch path (JSON Lines text in, JSON Lines out) on the same 10,000
//! customers (the examples round-robin, each with its own id), on 2 threads; reading the
//! batch alone (`customers_from_batch`); and a Parquet file evaluated to a Parquet file
//! (feature `parquet`).
//!
//! Run: `cargo bench --features parquet --bench arrow -- --warm-up-time 1 --measurement-time 3`

use std::path::Path;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use patron::arrow::{customers_from_batch, evaluate_batch};
use patron::model::parse_date;
use patron::{Engine, EvaluateOptions};
use serde_json::Value;

#[path = "../tests/support/arrow_records.rs"]
mod arrow_records;
use arrow_records::{batch, schema_with_struct_attributes};

const N: usize = 10_000;

/// The example customers round-robin, `N` of them, each with its own id.
fn records() -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/customers.json");
    let examples: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    examples
        .iter()
        .cycle()
        .take(N)
        .enumerate()
        .map(|(k, record)| {
            let mut record = record.clone();
            record["id"] = Value::String(format!("{}-{k}", record["id"].as_str().unwrap()));
            record
        })
        .collect()
}

fn arrow_vs_json(c: &mut Criterion) {
    let engine = Engine::with_default_policy().unwrap();
    let as_of = parse_date("2026-11-23").unwrap();
    let options = EvaluateOptions::default();
    let records = records();
    let batch = batch(&records, schema_with_struct_attributes(&records));
    let jsonl: String = records.iter().map(|r| format!("{r}\n")).collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();

    let mut group = c.benchmark_group("arrow_10k");
    group.throughput(Throughput::Elements(N as u64));
    group.sample_size(10);
    group.bench_function("evaluate_batch", |b| {
        b.iter(|| {
            pool.install(|| black_box(evaluate_batch(&engine, &batch, as_of, &options).unwrap()))
        })
    });
    group.bench_function("json_batch", |b| {
        b.iter(|| {
            pool.install(|| {
                let items = engine.evaluate_many(&jsonl, as_of, &options).unwrap();
                let mut out = Vec::with_capacity(jsonl.len());
                for item in &items {
                    serde_json::to_writer(&mut out, item).unwrap();
                    out.push(b'\n');
                }
                black_box(out)
            })
        })
    });
    group.bench_function("customers_from_batch", |b| {
        b.iter(|| black_box(customers_from_batch(&batch)))
    });
    #[cfg(feature = "parquet")]
    {
        let file = tempfile::tempfile().unwrap();
        let mut writer =
            parquet::arrow::ArrowWriter::try_new(file.try_clone().unwrap(), batch.schema(), None)
                .unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        group.bench_function("parquet_file_to_parquet", |b| {
            b.iter(|| {
                pool.install(|| {
                    let mut writer = patron::arrow::parquet::evaluation_writer(Vec::new()).unwrap();
                    patron::arrow::parquet::evaluate_parquet(
                        &engine,
                        &file,
                        as_of,
                        &options,
                        0,
                        |rows| {
                            writer
                                .write(&rows.to_record_batch().unwrap())
                                .map_err(std::io::Error::other)
                        },
                    )
                    .unwrap();
                    black_box(writer.into_inner().unwrap())
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, arrow_vs_json);
criterion_main!(benches);
