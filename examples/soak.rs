//! Soak run (issue 9; not part of CI): evaluates millions of customers with the embedded
//! default policy through the library API and shows whether the process's resident memory
//! stays flat.
//!
//! The customers are the 64 of `examples/customers.json`, cycled, each copy with an id of its
//! own (`C-1001-0`, `C-1002-1`, …), evaluated as of 2026-11-23. Every `--every` customers the
//! run prints a row with `VmRSS` from `/proc/self/status`. After `--warmup` customers the
//! resident size is taken as the baseline; the run fails (exit status 1) when a later sample
//! is more than `--tolerance-kib` above it, or when any evaluation fails or answers for
//! another customer.
//!
//! ```text
//! bash scripts/soak.sh                                   # 10,000,000 customers
//! cargo run --release --example soak -- --customers 1000000 --every 100000
//! cargo run --release --example soak -- --batch 1000      # evaluate_many, rayon threads
//! ```

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Instant;

use patron::model::{parse_customers, parse_date};
use patron::{Customer, Engine};

#[path = "support/proc_status.rs"]
mod proc_status;
use proc_status::status_kib;

/// Options, from `--name value` pairs.
struct Options {
    /// Customers to evaluate in all.
    customers: u64,
    /// Customers between two memory samples.
    every: u64,
    /// Customers evaluated before the baseline is taken.
    warmup: u64,
    /// How far above the baseline a later sample may be, in KiB.
    tolerance_kib: u64,
    /// 0: one `Engine::evaluate` call per customer on this thread; otherwise customers go
    /// through `Engine::evaluate_many` in batches of this size.
    batch: usize,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        customers: 10_000_000,
        every: 250_000,
        warmup: 1_000_000,
        tolerance_kib: 4096,
        batch: 0,
    };
    let mut args = std::env::args().skip(1);
    while let Some(name) = args.next() {
        let Some(value) = args.next() else {
            return Err(format!("{name} needs a value"));
        };
        let number: u64 = value
            .replace('_', "")
            .parse()
            .map_err(|_| format!("{name} needs a whole number, got `{value}`"))?;
        match name.as_str() {
            "--customers" => options.customers = number,
            "--every" => options.every = number.max(1),
            "--warmup" => options.warmup = number,
            "--tolerance-kib" => options.tolerance_kib = number,
            "--batch" => options.batch = number as usize,
            _ => return Err(format!("unknown option {name}")),
        }
    }
    if options.batch > 0 && options.every % options.batch as u64 != 0 {
        return Err("--every must be a multiple of --batch".to_string());
    }
    Ok(options)
}

fn main() -> ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("soak: {message}");
            return ExitCode::from(2);
        }
    };
    let base: Vec<Customer> = parse_customers(include_str!("customers.json"))
        .expect("examples/customers.json parses")
        .into_iter()
        .map(|record| record.result.expect("every example customer is valid"))
        .collect();
    let engine = Engine::with_default_policy().expect("the default policy loads");
    let as_of = parse_date("2026-11-23").unwrap();
    let customer = |i: u64| {
        let mut c = base[(i % base.len() as u64) as usize].clone();
        c.id = format!("{}-{i}", c.id);
        c
    };

    println!(
        "soak: {} customers, {} mode, sample every {}, baseline after {}, tolerance {} KiB",
        options.customers,
        if options.batch == 0 {
            "single".to_string()
        } else {
            format!("batch of {}", options.batch)
        },
        options.every,
        options.warmup,
        options.tolerance_kib
    );
    println!(
        "{:>12} {:>9} {:>10} {:>11} {:>12}",
        "customers", "seconds", "evals/s", "VmRSS KiB", "vs baseline"
    );
    println!(
        "{:>12} {:>9.1} {:>10} {:>11} {:>12}",
        0,
        0.0,
        "-",
        status_kib("VmRSS"),
        "-"
    );

    let started = Instant::now();
    let mut last = (0u64, 0.0f64);
    let mut baseline: Option<u64> = None;
    let mut highest_after_warmup = 0u64;
    let mut grades: BTreeMap<String, u64> = BTreeMap::new();
    let mut failures = 0u64;
    // Counts a result by grade, or as a failure (printing the first ten).
    let mut tally = |c: &Customer, outcome: patron::Result<patron::Evaluation>| match outcome {
        Ok(e) if e.customer_id == c.id => *grades.entry(e.grade.to).or_default() += 1,
        Ok(e) => {
            failures += 1;
            eprintln!("customer {}: answered for {}", c.id, e.customer_id);
        }
        Err(error) => {
            failures += 1;
            if failures <= 10 {
                eprintln!("customer {}: {error}", c.id);
            }
        }
    };
    let mut done = 0u64;
    while done < options.customers {
        let step = if options.batch == 0 {
            1
        } else {
            (options.batch as u64).min(options.customers - done)
        };
        if options.batch == 0 {
            let c = customer(done);
            let outcome = engine.evaluate(&c, as_of);
            tally(&c, outcome);
        } else {
            let batch: Vec<Customer> = (done..done + step).map(customer).collect();
            for (c, outcome) in batch.iter().zip(engine.evaluate_many(
                &batch,
                as_of,
                &patron::EvaluateOptions::default(),
            )) {
                tally(c, outcome);
            }
        }
        done += step;
        if done % options.every == 0 || done == options.customers {
            let rss = status_kib("VmRSS");
            let seconds = started.elapsed().as_secs_f64();
            let rate = (done - last.0) as f64 / (seconds - last.1).max(1e-9);
            last = (done, seconds);
            let versus = match baseline {
                Some(b) => {
                    highest_after_warmup = highest_after_warmup.max(rss);
                    format!("{:+}", rss as i64 - b as i64)
                }
                None if done >= options.warmup => {
                    baseline = Some(rss);
                    highest_after_warmup = rss;
                    "baseline".to_string()
                }
                None => "warm-up".to_string(),
            };
            println!("{done:>12} {seconds:>9.1} {rate:>10.0} {rss:>11} {versus:>12}");
        }
    }

    let seconds = started.elapsed().as_secs_f64();
    println!(
        "evaluated {done} customers in {seconds:.1} s ({:.0}/s), {failures} failures; grades {grades:?}",
        done as f64 / seconds
    );
    println!("VmHWM (peak resident) {} KiB", status_kib("VmHWM"));
    let Some(baseline) = baseline else {
        println!("no baseline: the run ended within the warm-up");
        return ExitCode::from(if failures == 0 { 0 } else { 1 });
    };
    let growth = highest_after_warmup.saturating_sub(baseline);
    let flat = growth <= options.tolerance_kib;
    println!(
        "resident memory after warm-up: baseline {baseline} KiB, highest {} KiB, growth {growth} KiB (tolerance {} KiB): {}",
        highest_after_warmup,
        options.tolerance_kib,
        if flat { "flat" } else { "GREW" }
    );
    if flat && failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
