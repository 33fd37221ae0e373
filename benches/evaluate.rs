//! Evaluation speed of the default policy: one customer through the Rust API and through the
//! JSON path (a mix of the example customers, round-robin), a batch on 1 and 2 threads,
//! 10,000 customers as JSON Lines streamed against the same batch read whole, and policy load
//! time.
//!
//! Run: `cargo bench --bench evaluate`

use std::path::Path;

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use patron::model::{parse_customers, parse_date};
use patron::{
    Customer, Engine, EvaluateOptions, Evaluation, Policy, PortfolioIndex, StreamOptions,
};

fn examples() -> (Vec<Customer>, Vec<String>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/customers.json");
    let text = std::fs::read_to_string(&path).expect("examples/customers.json");
    let customers: Vec<Customer> = parse_customers(&text)
        .expect("a JSON array")
        .into_iter()
        .map(|r| r.result.expect("valid example customers"))
        .collect();
    let json = customers
        .iter()
        .map(|c| serde_json::to_string(c).unwrap())
        .collect();
    (customers, json)
}

fn single(c: &mut Criterion) {
    let engine = Engine::with_default_policy().unwrap();
    let as_of = parse_date("2026-11-23").unwrap();
    let (customers, json) = examples();
    let options = EvaluateOptions::default();
    let mut group = c.benchmark_group("evaluate");
    group.throughput(Throughput::Elements(1));
    let mut next = 0usize;
    group.bench_function("rust_api", |b| {
        b.iter(|| {
            next = (next + 1) % customers.len();
            black_box(engine.evaluate(&customers[next], as_of).unwrap())
        })
    });
    group.bench_function("rust_api_into", |b| {
        // The hot-loop form: every result written into one reused `Evaluation`.
        let mut evaluation = Evaluation::default();
        b.iter(|| {
            next = (next + 1) % customers.len();
            engine
                .evaluate_with(
                    &customers[next],
                    as_of,
                    &patron::EvaluateOptions::default(),
                    &mut evaluation,
                )
                .unwrap();
            black_box(&evaluation);
        })
    });
    group.bench_function("rust_api_explain", |b| {
        let explained = EvaluateOptions::explained();
        b.iter(|| {
            next = (next + 1) % customers.len();
            black_box(
                {
                    let mut out = patron::Evaluation::default();
                    engine
                        .evaluate_with(&customers[next], as_of, &explained, &mut out)
                        .map(|()| out)
                }
                .unwrap(),
            )
        })
    });
    group.bench_function("json", |b| {
        b.iter(|| {
            next = (next + 1) % json.len();
            black_box(patron::json::evaluate(&engine, &json[next], as_of, &options).unwrap())
        })
    });
    group.finish();
}

fn batch(c: &mut Criterion) {
    let engine = Engine::with_default_policy().unwrap();
    let as_of = parse_date("2026-11-23").unwrap();
    let (examples, _) = examples();
    let customers: Vec<Customer> = examples.iter().cycle().take(10_000).cloned().collect();
    let mut group = c.benchmark_group("batch_10k");
    group.throughput(Throughput::Elements(customers.len() as u64));
    group.sample_size(10);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        group.bench_function(format!("{threads}_threads"), |b| {
            b.iter(|| {
                pool.install(|| {
                    black_box(engine.evaluate_many(
                        &customers,
                        as_of,
                        &patron::EvaluateOptions::default(),
                    ))
                })
            })
        });
    }
    group.finish();
}

/// 10,000 customers as JSON Lines (the examples, round-robin): the whole text parsed and
/// evaluated as one batch then written as JSON Lines, against `Engine::evaluate_stream`
/// (both passes), and its first pass alone (`PortfolioIndex::scan`), on 2 threads.
fn stream(c: &mut Criterion) {
    let engine = Engine::with_default_policy().unwrap();
    let as_of = parse_date("2026-11-23").unwrap();
    let (_, json) = examples();
    let input: String = json
        .iter()
        .cycle()
        .take(10_000)
        .map(|line| format!("{line}\n"))
        .collect();
    let options = StreamOptions::default();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let mut group = c.benchmark_group("jsonl_10k");
    group.throughput(Throughput::Elements(10_000));
    group.sample_size(10);
    group.bench_function("whole_batch", |b| {
        b.iter(|| {
            pool.install(|| {
                let items = engine
                    .evaluate_many(&input, as_of, &options.evaluate)
                    .unwrap();
                let mut out = Vec::with_capacity(input.len());
                for item in &items {
                    serde_json::to_writer(&mut out, item).unwrap();
                    out.push(b'\n');
                }
                black_box(out)
            })
        })
    });
    group.bench_function("evaluate_stream", |b| {
        b.iter(|| {
            pool.install(|| {
                let mut out = Vec::with_capacity(input.len());
                engine
                    .evaluate_stream(
                        std::io::Cursor::new(input.as_bytes()),
                        &mut out,
                        as_of,
                        &options,
                    )
                    .unwrap();
                black_box(out)
            })
        })
    });
    group.bench_function("scan_only", |b| {
        b.iter(|| {
            pool.install(|| {
                black_box(PortfolioIndex::scan(input.as_bytes(), as_of, &options).unwrap())
            })
        })
    });
    group.finish();
}

fn load(c: &mut Criterion) {
    c.bench_function("policy_load/default", |b| {
        b.iter_batched(
            || (),
            |()| Policy::embedded_default().unwrap(),
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, single, batch, stream, load);
criterion_main!(benches);
