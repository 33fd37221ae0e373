//! Measures the hostile script suite (issue 9): for every policy under `tests/hostile/`, how
//! the hostile customer's evaluation ends (or the policy's load, for cases refused at load),
//! how long it took to be stopped, how much the process's peak resident memory grew while it
//! ran, and whether the same engine then evaluates a normal customer as before.
//!
//! Each case runs in a child process of its own (peak memory is a process-wide figure), on a
//! thread with a 2 MiB stack (Rust's default for spawned threads, and smaller than a main
//! thread's), after a warm-up evaluation of a normal customer so that compiling the scripts
//! is not counted. Before the measured call the child resets its peak (`5` written to
//! `/proc/self/clear_refs`), so "peak growth" is `VmHWM` after the call minus `VmRSS` before
//! it. Every case runs `--runs` times (default 5); the table shows the median time and the
//! largest growth. `tests/hostile_scripts.rs` asserts the behaviour; this only measures.
//!
//! ```text
//! cargo run --release --example hostile_figures
//! cargo run --release --example hostile_figures -- --runs 9 --case endless-loop
//! ```

// Closures here return patron's own `Result`; its error type is the library's to size.
#![allow(clippy::result_large_err)]

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use patron::model::{parse_customer, parse_date};
use patron::{Engine, Policy};

#[path = "support/proc_status.rs"]
mod proc_status;
use proc_status::status_kib;

/// A customer that exercises every script of the default policy (shared with
/// `tests/hostile_scripts.rs`).
const NORMAL: &str = include_str!("../tests/fixtures/normal-customer.json");

fn hostile_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/hostile")
}

/// Resets this process's peak resident size (`VmHWM`) to its current resident size.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// One measurement, as the child prints it: `outcome ms growth_kib next`.
struct Measured {
    outcome: String,
    millis: f64,
    growth_kib: u64,
    next: String,
}

/// Runs `work` with the peak reset first; returns its result, milliseconds and peak growth.
fn measure<T>(work: impl FnOnce() -> T) -> (T, f64, u64) {
    let reset = reset_peak();
    let before = if reset {
        status_kib("VmRSS")
    } else {
        status_kib("VmHWM")
    };
    let started = Instant::now();
    let out = work();
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    (out, millis, status_kib("VmHWM").saturating_sub(before))
}

/// The child: loads `dir`, evaluates a normal customer, the hostile one, the normal again.
fn child(dir: &Path) -> Measured {
    let as_of = parse_date("2026-11-23").unwrap();
    let normal = parse_customer(NORMAL).unwrap();
    let hostile = parse_customer(&NORMAL.replace("C-normal", "hostile-1")).unwrap();
    let policy = match Policy::load(dir) {
        Ok(policy) => policy,
        Err(_) => {
            // Refused at load: measure a second load (the first warmed the file cache).
            let (outcome, millis, growth_kib) = measure(|| Policy::load(dir));
            let outcome = match outcome {
                Err(e) => format!("{:?} at load", e.code()),
                Ok(_) => "loaded the second time?".to_string(),
            };
            let engine = Engine::with_default_policy().unwrap();
            let next = match engine.reload(dir) {
                Err(_) if engine.evaluate(&normal, as_of).is_ok() => "ok (reload refused)",
                _ => "FAILED",
            };
            return Measured {
                outcome,
                millis,
                growth_kib,
                next: next.to_string(),
            };
        }
    };
    let engine = Engine::new(policy);
    let before = engine.evaluate(&normal, as_of);
    let (outcome, millis, growth_kib) = measure(|| engine.evaluate(&hostile, as_of));
    let after = engine.evaluate(&normal, as_of);
    let next = match (&before, &after) {
        (Ok(b), Ok(a)) if a == b => "ok",
        _ => "FAILED",
    };
    Measured {
        outcome: match outcome {
            Ok(_) => "evaluated".to_string(),
            Err(e) => match which_limit(&e.to_string()) {
                Some(limit) if e.code() == patron::ErrorCode::Limit => format!("Limit ({limit})"),
                _ => format!("{:?}", e.code()),
            },
        },
        millis,
        growth_kib,
        next: next.to_string(),
    }
}

/// Which limit a limit error's message names (rhai's own words for the size limits).
fn which_limit(message: &str) -> Option<&'static str> {
    [
        ("time_budget_ms", "time_budget_ms"),
        ("max_operations", "max_operations"),
        ("max_call_levels", "max_call_levels"),
        ("Length of string too large", "max_string_size"),
        ("Size of array", "max_array_size"),
        ("map too large", "max_map_size"),
    ]
    .into_iter()
    .find(|(words, _)| message.contains(words))
    .map(|(_, limit)| limit)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, case] = args.as_slice() {
        if flag == "--child" {
            let dir = hostile_root().join(case);
            let worker = std::thread::Builder::new()
                .stack_size(2 * 1024 * 1024)
                .spawn(move || child(&dir))
                .unwrap();
            let m = worker.join().expect("the measuring thread panicked");
            println!(
                "{}\t{:.3}\t{}\t{}",
                m.outcome, m.millis, m.growth_kib, m.next
            );
            return ExitCode::SUCCESS;
        }
    }
    let mut runs = 5usize;
    let mut only: Option<String> = None;
    let mut rest = args.iter();
    while let Some(name) = rest.next() {
        let value = rest.next().cloned().unwrap_or_default();
        match name.as_str() {
            "--runs" => runs = value.parse().unwrap_or(5).max(1),
            "--case" => only = Some(value),
            _ => {
                eprintln!("hostile_figures: unknown option {name}");
                return ExitCode::from(2);
            }
        }
    }
    let mut cases: Vec<String> = std::fs::read_dir(hostile_root())
        .expect("tests/hostile exists")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| only.as_ref().is_none_or(|o| o == name))
        .collect();
    cases.sort();

    println!(
        "{runs} run(s) per case, each in its own process, 2 MiB stack; time: median; peak growth: largest"
    );
    if !reset_peak() {
        println!("(/proc/self/clear_refs is not writable: peak growth is measured from VmHWM)");
    }
    println!(
        "| case | outcome | time to stop (ms) | min–max (ms) | peak RSS growth (KiB) | next normal customer |"
    );
    println!("|---|---|---:|---:|---:|---|");
    let exe = std::env::current_exe().unwrap();
    let mut ok = true;
    for case in &cases {
        let mut times = Vec::new();
        let mut growth = 0u64;
        let mut outcomes = Vec::new();
        let mut nexts = Vec::new();
        for _ in 0..runs {
            let output = Command::new(&exe).args(["--child", case]).output().unwrap();
            let line = String::from_utf8_lossy(&output.stdout).trim().to_string();
            let fields: Vec<&str> = line.split('\t').collect();
            if !output.status.success() || fields.len() != 4 {
                ok = false;
                outcomes.push(format!("process ended: {}", output.status));
                continue;
            }
            outcomes.push(fields[0].to_string());
            times.push(fields[1].parse::<f64>().unwrap_or(f64::NAN));
            growth = growth.max(fields[2].parse().unwrap_or(0));
            nexts.push(fields[3].to_string());
        }
        outcomes.sort();
        outcomes.dedup();
        nexts.sort();
        nexts.dedup();
        ok &= nexts.iter().all(|n| n.starts_with("ok"));
        let (mid, low, high) = if times.is_empty() {
            (f64::NAN, f64::NAN, f64::NAN)
        } else {
            let low = times.iter().copied().fold(f64::INFINITY, f64::min);
            let high = times.iter().copied().fold(0.0, f64::max);
            (median(&mut times), low, high)
        };
        println!(
            "| `{case}` | {} | {mid:.2} | {low:.2}–{high:.2} | {growth} | {} |",
            outcomes.join(" / "),
            nexts.join(" / ")
        );
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
