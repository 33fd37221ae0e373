//! Instructions per evaluation against the length of a customer's history, for callgrind
//! (BENCHMARKS.md, "How cost grows with a customer's history"; issue 16's slope target).
//!
//! One customer with `K` purchases and `K` calls (one every three days back from the
//! evaluation date, plus one unpaid receivable) is evaluated with the embedded default policy
//! into one reused result: one warm-up evaluation uncounted, then `N` evaluations inside
//! `run_loop`, the only function callgrind counts:
//!
//! ```text
//! cargo build --release --example history
//! valgrind --tool=callgrind --toggle-collect='history::run_loop' \
//!     target/release/examples/history 200 100
//! ```
//!
//! Collected instructions / `N` is the cost of one evaluation with `K` pairs; the slope is
//! the difference between two `K`s divided by the difference of the `K`s.

use patron::model::{parse_date, Date};
use patron::{Customer, Engine, EvaluateOptions, Evaluation};

/// The customer with `pairs` purchases and `pairs` calls before `as_of`.
fn customer_with_history(pairs: usize, as_of: Date) -> Customer {
    let day = |back: usize| {
        as_of
            .checked_sub_days(chrono::Days::new(back as u64))
            .expect("a date")
    };
    let purchases: Vec<serde_json::Value> = (0..pairs)
        .map(|i| serde_json::json!({"at": day(1 + 3 * i).to_string(), "amount": 1000.0 + i as f64}))
        .collect();
    let calls: Vec<serde_json::Value> = (0..pairs)
        .map(|i| serde_json::json!({"at": day(2 + 3 * i).to_string(), "kind": "call", "outcome": "ok"}))
        .collect();
    let record = serde_json::json!({
        "id": "H-1",
        "owner": "rep-01",
        "grade": "B",
        "grade_since": day(400).to_string(),
        "stage": "converted",
        "region": "same_city",
        "purchases": purchases,
        "interactions": calls,
        "receivables": [{"due": day(10).to_string(), "amount": 500.0, "paid": false}],
    });
    serde_json::from_value(record).expect("a customer")
}

/// `evaluations` evaluations of `customer` into one reused result; returns its action count.
#[inline(never)]
fn run_loop(engine: &Engine, customer: &Customer, as_of: Date, evaluations: usize) -> usize {
    let options = EvaluateOptions::default();
    let mut out = Evaluation::default();
    let mut actions = 0;
    for _ in 0..evaluations {
        engine
            .evaluate_with(customer, as_of, &options, &mut out)
            .expect("evaluated");
        actions += out.actions.len();
    }
    actions
}

fn main() {
    let mut args = std::env::args().skip(1);
    let pairs: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(0);
    let evaluations: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(100);
    let as_of = parse_date("2026-11-23").expect("a date");
    let customer = customer_with_history(pairs, as_of);
    let engine = Engine::with_default_policy().expect("the default policy");
    let mut warm = Evaluation::default();
    engine
        .evaluate_with(&customer, as_of, &EvaluateOptions::default(), &mut warm)
        .expect("evaluated");
    let actions = run_loop(&engine, &customer, as_of, evaluations);
    println!("{evaluations} evaluations with {pairs} purchase-and-call pairs, {actions} actions");
}
