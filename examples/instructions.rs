//! Instructions per evaluation of the default policy, for callgrind (BENCHMARKS.md, issue 16).
//!
//! Evaluates the 64 customers of `examples/customers.json` as of 2026-11-23 with the embedded
//! default policy, into one reused result: one warm-up pass (the per-thread script runtime is
//! built here), then `PASSES` passes inside `run_loop`, the only function callgrind counts:
//!
//! ```text
//! cargo build --release --example instructions
//! valgrind --tool=callgrind --toggle-collect='instructions::run_loop' \
//!     target/release/examples/instructions 4
//! ```
//!
//! Collected instructions / (64 × PASSES) is the cost of one evaluation. With `fresh` as the
//! second argument each evaluation makes a new result (`Engine::evaluate`). With `POLICY_DIR`
//! and `CUSTOMERS` set (e.g. `POLICY_DIR=policies/distributor
//! CUSTOMERS=examples/distributor.json`) the policy in that folder evaluates those customers
//! instead (divide by the evaluations it prints over the passes).

use patron::model::parse_date;
use patron::{Customer, Engine, EvaluateOptions, Evaluation};

/// The evaluations of `passes` passes over `customers`; returns how many actions they gave.
#[inline(always)]
fn passes_over(engine: &Engine, customers: &[Customer], passes: usize, fresh: bool) -> usize {
    let as_of = parse_date("2026-11-23").expect("a date");
    let options = EvaluateOptions::default();
    let mut out = Evaluation::default();
    let mut actions = 0;
    for _ in 0..passes {
        for customer in customers {
            if fresh {
                actions += engine
                    .evaluate(customer, as_of)
                    .expect("evaluated")
                    .actions
                    .len();
            } else {
                engine
                    .evaluate_with(customer, as_of, &options, &mut out)
                    .expect("evaluated");
                actions += out.actions.len();
            }
        }
    }
    actions
}

/// The uncounted warm-up pass.
#[inline(never)]
fn warm_up(engine: &Engine, customers: &[Customer], fresh: bool) -> usize {
    passes_over(engine, customers, 1, fresh)
}

/// The counted passes.
#[inline(never)]
fn run_loop(engine: &Engine, customers: &[Customer], passes: usize, fresh: bool) -> usize {
    passes_over(engine, customers, passes, fresh)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let passes: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(4);
    let fresh = args.next().as_deref() == Some("fresh");
    let file = std::env::var("CUSTOMERS").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples/customers.json").to_string()
    });
    let text = std::fs::read_to_string(&file).expect("the customers file");
    let customers: Vec<Customer> = serde_json::from_str(&text).expect("customers");
    // POLICY_DIR=policies/distributor measures another policy than the embedded default.
    let engine = match std::env::var_os("POLICY_DIR") {
        Some(dir) => Engine::from_dir(dir).expect("the policy in POLICY_DIR"),
        None => Engine::with_default_policy().expect("the default policy"),
    };
    warm_up(&engine, &customers, fresh);
    let actions = run_loop(&engine, &customers, passes, fresh);
    println!(
        "{} evaluations, {actions} actions",
        passes * customers.len()
    );
}
