//! Month planner speed: 10,000 customers planned for one month on one core — evaluation as
//! of the month's first day included — with the default capacity (most work ends up
//! unscheduled), with capacity for everything (every item is placed), and one rep's 200
//! customers out of the 10,000 (portfolio facts still across all of them).
//!
//! Run: `cargo bench --bench plan`

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use patron::{Customer, Engine, PlanRequest};

/// A small deterministic generator (xorshift64*), so every run plans the same portfolio.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn day(offset: u64) -> String {
    let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
        - chrono::Duration::days(offset as i64);
    date.to_string()
}

/// 10,000 customers of 50 reps: grades A–F, regions, purchases, calls and visits,
/// receivables falling due around the month, some complaints.
fn portfolio(n: usize) -> Vec<Customer> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let grades = ["A", "B", "B", "C", "C", "C", "D", "D", "E", "F"];
    let regions = [
        "same_city",
        "same_city",
        "same_city",
        "same_province",
        "other",
    ];
    (0..n)
        .map(|i| {
            let grade = grades[rng.below(grades.len() as u64) as usize];
            let region = regions[rng.below(regions.len() as u64) as usize];
            let purchases: Vec<String> = (0..rng.below(4))
                .map(|_| {
                    format!(
                        r#"{{ "at": "{}", "amount": {} }}"#,
                        day(rng.below(300)),
                        1000 + rng.below(50_000)
                    )
                })
                .collect();
            let interactions: Vec<String> = (0..rng.below(4))
                .map(|k| {
                    format!(
                        r#"{{ "at": "{}", "kind": "{}" }}"#,
                        day(rng.below(40)),
                        if k % 2 == 0 { "call" } else { "visit" }
                    )
                })
                .collect();
            let receivables = if rng.below(4) == 0 {
                let due = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
                    + chrono::Duration::days(rng.below(40) as i64);
                format!(r#"[ {{ "due": "{due}", "amount": 5000, "paid": false }} ]"#)
            } else {
                "[]".to_string()
            };
            let complaints = if rng.below(20) == 0 {
                r#"[ { "at": "2026-11-10", "resolved": false } ]"#
            } else {
                "[]"
            };
            let json = format!(
                r#"{{ "id": "C-{i:05}", "name": "Customer {i}", "owner": "rep-{:02}",
                     "grade": "{grade}", "grade_since": "2026-01-01", "region": "{region}",
                     "purchases": [{}], "interactions": [{}],
                     "receivables": {receivables}, "complaints": {complaints} }}"#,
                i % 50,
                purchases.join(","),
                interactions.join(",")
            );
            patron::model::parse_customer(&json).expect("a valid generated customer")
        })
        .collect()
}

fn plan(c: &mut Criterion) {
    let engine = Engine::with_default_policy().unwrap();
    let customers = portfolio(10_000);
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let default_capacity = PlanRequest::for_month("2026-12");
    let ample = PlanRequest {
        visits_per_day: Some(1_000),
        calls_per_day: Some(100_000),
        ..PlanRequest::for_month("2026-12")
    };
    let one_rep = PlanRequest {
        owner: Some("rep-07".into()),
        ..PlanRequest::for_month("2026-12")
    };
    let mut group = c.benchmark_group("plan_10k");
    group.throughput(Throughput::Elements(customers.len() as u64));
    group.sample_size(10);
    for (name, request) in [
        ("default_capacity_1_thread", &default_capacity),
        ("ample_capacity_1_thread", &ample),
        ("one_rep_of_10k_1_thread", &one_rep),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| one_thread.install(|| black_box(engine.plan(&customers, request).unwrap())))
        });
    }
    group.finish();
}

criterion_group!(benches, plan);
criterion_main!(benches);
