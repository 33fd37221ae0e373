//! `patron test DIR`: run a policy's own cases (`DIR/tests/*.json`) and show expected vs
//! actual for every failure.

use std::path::PathBuf;

use clap::Args;
use patron::cases::{load_cases, run_cases};
use patron::Policy;

use crate::{Failure, EXIT_POLICY, EXIT_RECORD_ERRORS};

/// Arguments of `patron test`.
#[derive(Args)]
pub struct TestArgs {
    /// The policy directory; its cases are in `DIR/tests/*.json`.
    dir: PathBuf,
}

/// Runs `patron test`.
pub fn run(args: TestArgs) -> Result<u8, Failure> {
    let policy = Policy::load(&args.dir).map_err(|e| Failure::new(EXIT_POLICY, e.to_string()))?;
    let cases = load_cases(&args.dir).map_err(|e| Failure::new(EXIT_POLICY, e.to_string()))?;
    if cases.is_empty() {
        eprintln!(
            "patron: {} has no test cases (tests/*.json)",
            args.dir.display()
        );
    }
    let outcomes = run_cases(&policy, &cases);
    let mut failed = 0;
    for outcome in &outcomes {
        if outcome.passed() {
            println!("PASS {}: {}", outcome.file, outcome.name);
            continue;
        }
        failed += 1;
        println!("FAIL {}: {}", outcome.file, outcome.name);
        for m in &outcome.mismatches {
            println!(
                "     {} {}: expected {}, got {}",
                m.customer_id, m.field, m.expected, m.actual
            );
        }
    }
    println!("{} passed, {} failed", outcomes.len() - failed, failed);
    Ok(if failed > 0 { EXIT_RECORD_ERRORS } else { 0 })
}
