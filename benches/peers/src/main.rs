//! The reference work of `docs/bench/reference.md` run side by side in one process, one
//! thread: (a) native hand-written Rust, (b) patron with `policies/reference` (the Rust API on
//! prebuilt `Customer`s: `patron` is `Engine::evaluate_with`, which writes each result into
//! one reused `Evaluation`, the way a hot loop should call it; `patron-fresh` is
//! `Engine::evaluate`, which returns a new `Evaluation` each time), (c) the GoRules ZEN engine
//! on `reference.jdm.json` (a compiled decision, inputs prebuilt as ZEN `Variable`s).
//!
//! Each implementation runs over the first N generated customers (`--n`, default 200,000),
//! `--runs` times (default 3, interleaved: native, patron, zen, native, …); the time per
//! evaluation is the median of the runs. Every implementation's checksum is computed from what
//! it returns and must equal `reference.md`'s; the process exits with status 1 if any differs.
//!
//! ```text
//! cargo run --release -- [--n N] [--runs R] [--only native|patron|patron-fresh|zen]
//!                        [--policy DIR] [--jdm FILE]
//! ```
//!
//! `--jdm` defaults to `$PATRON_REFERENCE_JDM`, else `../../docs/bench/reference.jdm.json`
//! relative to this crate; `--policy` to `../../policies/reference`.

use std::collections::BTreeMap;
use std::future::Future;
use std::hint::black_box;
use std::path::PathBuf;
use std::pin::pin;
use std::process::ExitCode;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use patron::model::{parse_date, Date};
use patron::{Customer, Engine, EvaluateOptions, Evaluation};
use zen_engine::model::DecisionContent;
use zen_engine::Variable;
use zen_engine::{Decision, DecisionEngine};

// ---------------------------------------------------------------------------------------------
// The generator and the reference checksums (reference.md).

/// One customer of the reference work: precomputed facts.
#[derive(Debug, Clone, Copy)]
struct Input {
    grade: u8,
    region: u8,
    rev: f64,
    days_since_purchase: i64,
    purchases_365: i64,
    credit: f64,
    interactions_90: i64,
    repeat_since: bool,
}

/// xorshift64, state 42; draws in the order of reference.md.
fn generate(n: usize) -> Vec<Input> {
    let mut s: u64 = 42;
    let mut draw = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    (0..n)
        .map(|_| Input {
            grade: (draw() % 6) as u8,
            region: (draw() % 3) as u8,
            rev: (draw() % 2_000_000) as f64,
            days_since_purchase: (draw() % 400) as i64,
            purchases_365: (draw() % 13) as i64,
            credit: (draw() % 101) as f64,
            interactions_90: (draw() % 21) as i64,
            repeat_since: draw() % 3 == 0,
        })
        .collect()
}

/// The checksum reference.md gives for the first `n` customers, when it gives one.
fn expected_checksum(n: usize) -> Option<&'static str> {
    match n {
        200_000 => Some("13394198.367"),
        20_000 => Some("1340164.126"),
        _ => None,
    }
}

/// One evaluation's contribution to the checksum.
#[inline(always)]
fn contribution(score: f64, grade: usize, calls: f64, visits: f64) -> f64 {
    score + grade as f64 + calls + visits
}

// ---------------------------------------------------------------------------------------------
// (a) native, hand-written

const CALLS: [f64; 6] = [2.0, 1.0, 0.5, 0.5, 0.25, 0.0];
const VISITS: [f64; 6] = [4.0, 2.0, 1.0, 0.0, 0.0, 0.0];

#[inline(always)]
fn native_score(c: &Input) -> f64 {
    let score = 30.0 * (c.rev / 1e6).min(1.0)
        + 20.0 * 0f64.max(1.0 - c.days_since_purchase as f64 / 365.0)
        + 15.0 * (c.purchases_365 as f64 / 6.0).min(1.0)
        + 20.0 * c.credit / 100.0
        + 15.0 * (c.interactions_90 as f64 / 10.0).min(1.0);
    score.clamp(0.0, 100.0)
}

#[inline(always)]
fn native_grade(c: &Input, score: f64) -> usize {
    if c.repeat_since && c.purchases_365 >= 2 {
        (c.grade as usize).saturating_sub(1)
    } else if score >= 85.0 {
        0
    } else if score >= 70.0 {
        1
    } else if score >= 55.0 {
        2
    } else if score >= 40.0 {
        3
    } else if score >= 20.0 {
        4
    } else {
        5
    }
}

#[inline(always)]
fn native_cadence(region: u8, grade: usize) -> (f64, f64) {
    let visits = VISITS[grade];
    let visits = match region {
        1 => visits.min(1.0 / 3.0),
        2 => visits.min(1.0 / 6.0),
        _ => visits,
    };
    (CALLS[grade], visits)
}

/// (score, grade, calls, visits) of one customer.
#[inline(always)]
fn native(c: &Input) -> (f64, usize, f64, f64) {
    let score = native_score(c);
    let grade = native_grade(c, score);
    let (calls, visits) = native_cadence(c.region, grade);
    (score, grade, calls, visits)
}

#[inline(never)]
fn run_native(inputs: &[Input]) -> f64 {
    let mut sum = 0.0;
    for c in inputs {
        let (score, grade, calls, visits) = native(black_box(c));
        sum += contribution(score, grade, calls, visits);
    }
    sum
}

/// What the reference would give if the score were rounded to two decimals before it is
/// returned and graded — patron's rounding of score totals — to tell that difference apart
/// from any other.
fn native_rounded2(inputs: &[Input]) -> f64 {
    let mut sum = 0.0;
    for c in inputs {
        let score = round2(native_score(c));
        let grade = native_grade(c, score);
        let (calls, visits) = native_cadence(c.region, grade);
        sum += contribution(score, grade, calls, visits);
    }
    sum
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

// ---------------------------------------------------------------------------------------------
// (b) patron

const GRADES: [&str; 6] = ["A", "B", "C", "D", "E", "F"];
const REGIONS: [&str; 3] = ["same_city", "same_province", "other"];

/// The customer record of `policies/reference`: the facts as attributes.
fn customer_json(i: usize, c: &Input) -> serde_json::Value {
    serde_json::json!({
        "id": format!("R-{}", i + 1),
        "grade": GRADES[c.grade as usize],
        "region": REGIONS[c.region as usize],
        "attributes": {
            "rev": c.rev,
            "days_since_purchase": c.days_since_purchase,
            "purchases_365": c.purchases_365,
            "credit": c.credit,
            "interactions_90": c.interactions_90,
            "repeat_since": c.repeat_since,
        }
    })
}

fn grade_index(grade: &str) -> usize {
    GRADES
        .iter()
        .position(|g| *g == grade)
        .unwrap_or_else(|| panic!("patron returned an unknown grade `{grade}`"))
}

/// What patron returned for one customer, as the checksum reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Returned {
    score: f64,
    grade: usize,
    calls: f64,
    visits: f64,
}

#[inline(never)]
fn run_patron(engine: &Engine, customers: &[Customer], as_of: Date) -> f64 {
    let mut sum = 0.0;
    let mut e = Evaluation::default();
    let options = EvaluateOptions::default();
    for c in customers {
        engine
            .evaluate_with(black_box(c), as_of, &options, &mut e)
            .expect("patron evaluates");
        sum += patron_contribution(&e);
    }
    sum
}

/// What one patron evaluation adds to the checksum.
fn patron_contribution(e: &Evaluation) -> f64 {
    contribution(
        e.score.total,
        grade_index(&e.grade.to),
        e.visits.calls_per_week,
        e.visits.visits_per_month,
    )
}

#[inline(never)]
fn run_patron_fresh(engine: &Engine, customers: &[Customer], as_of: Date) -> f64 {
    let mut sum = 0.0;
    for c in customers {
        let e = engine
            .evaluate(black_box(c), as_of)
            .expect("patron evaluates");
        sum += patron_contribution(&e);
    }
    sum
}

fn patron_returned(engine: &Engine, customers: &[Customer], as_of: Date) -> Vec<Returned> {
    customers
        .iter()
        .map(|c| {
            let e = engine.evaluate(c, as_of).expect("patron evaluates");
            Returned {
                score: e.score.total,
                grade: grade_index(&e.grade.to),
                calls: e.visits.calls_per_week,
                visits: e.visits.visits_per_month,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// (c) ZEN

/// Drives a future that never waits on I/O (a ZEN decision without function or HTTP nodes)
/// to completion on this thread.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// The request of `reference.jdm.json`: the facts with the reference's numeric codes.
fn zen_input(c: &Input) -> Variable {
    serde_json::json!({
        "grade": c.grade,
        "region": c.region,
        "rev": c.rev,
        "days_since_purchase": c.days_since_purchase,
        "purchases_365": c.purchases_365,
        "credit": c.credit,
        "interactions_90": c.interactions_90,
        "repeat_since": c.repeat_since,
    })
    .into()
}

fn number(result: &Variable, key: &str) -> f64 {
    let object = result.as_object().expect("ZEN returns an object");
    let object = object.borrow();
    let value = object
        .get_str(key)
        .unwrap_or_else(|| panic!("ZEN's response has no `{key}`"));
    let decimal = value
        .as_number()
        .unwrap_or_else(|| panic!("ZEN's `{key}` is not a number"));
    f64::try_from(decimal).expect("a decimal converts to f64")
}

#[inline(never)]
fn run_zen(decision: &Decision, inputs: Vec<Variable>) -> f64 {
    let mut sum = 0.0;
    for input in inputs {
        let response = block_on(decision.evaluate(black_box(input))).expect("ZEN evaluates");
        let r = &response.result;
        sum += contribution(
            number(r, "score"),
            number(r, "new_grade") as usize,
            number(r, "calls"),
            number(r, "visits"),
        );
    }
    sum
}

// ---------------------------------------------------------------------------------------------

struct Args {
    n: usize,
    runs: usize,
    only: Option<String>,
    policy: PathBuf,
    jdm: PathBuf,
}

fn usage() -> ! {
    eprintln!(
        "usage: patron-peers [--n N] [--runs R] [--only native|patron|patron-fresh|zen] [--policy DIR] [--jdm FILE]"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut args = Args {
        n: 200_000,
        runs: 3,
        only: None,
        policy: here.join("../../policies/reference"),
        jdm: std::env::var_os("PATRON_REFERENCE_JDM")
            .map(PathBuf::from)
            .unwrap_or_else(|| here.join("../../docs/bench/reference.jdm.json")),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| usage());
        match flag.as_str() {
            "--n" => args.n = value().replace('_', "").parse().unwrap_or_else(|_| usage()),
            "--runs" => args.runs = value().parse().unwrap_or_else(|_| usage()),
            "--only" => {
                let v = value();
                if !["native", "patron", "patron-fresh", "zen"].contains(&v.as_str()) {
                    usage()
                }
                args.only = Some(v)
            }
            "--policy" => args.policy = PathBuf::from(value()),
            "--jdm" => args.jdm = PathBuf::from(value()),
            _ => usage(),
        }
    }
    if args.n == 0 || args.runs == 0 {
        usage()
    }
    args
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let m = xs.len() / 2;
    if xs.len() % 2 == 1 {
        xs[m]
    } else {
        (xs[m - 1] + xs[m]) / 2.0
    }
}

fn per_eval(ns: f64) -> String {
    if ns >= 1000.0 {
        format!("{:.2} µs", ns / 1000.0)
    } else {
        format!("{ns:.1} ns")
    }
}

fn main() -> ExitCode {
    let args = parse_args();
    let wanted = |name: &str| args.only.as_deref().is_none_or(|o| o == name);
    let n = args.n;
    let inputs = generate(n);
    let expected = expected_checksum(n);

    let as_of = parse_date("2026-11-23").expect("a date");
    let patron = (wanted("patron") || wanted("patron-fresh")).then(|| {
        let engine = Engine::from_dir(&args.policy)
            .unwrap_or_else(|e| panic!("{}: {e}", args.policy.display()));
        let customers: Vec<Customer> = inputs
            .iter()
            .enumerate()
            .map(|(i, c)| serde_json::from_value(customer_json(i, c)).expect("a customer"))
            .collect();
        (engine, customers)
    });
    let zen = wanted("zen").then(|| {
        let text = std::fs::read_to_string(&args.jdm)
            .unwrap_or_else(|e| panic!("{}: {e}", args.jdm.display()));
        let content: DecisionContent = serde_json::from_str(&text).expect("a JDM graph");
        let mut decision = DecisionEngine::default()
            .create_decision(content.into())
            .expect("a decision graph");
        decision.compile();
        decision
    });

    // Interleaved runs: native, patron, zen, native, …
    let mut times: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut sums: BTreeMap<&str, f64> = BTreeMap::new();
    for _ in 0..args.runs {
        if wanted("native") {
            let t = Instant::now();
            let sum = run_native(&inputs);
            times
                .entry("native")
                .or_default()
                .push(t.elapsed().as_secs_f64());
            sums.insert("native", sum);
        }
        if let (Some((engine, customers)), true) = (&patron, wanted("patron")) {
            let t = Instant::now();
            let sum = run_patron(engine, customers, as_of);
            times
                .entry("patron")
                .or_default()
                .push(t.elapsed().as_secs_f64());
            sums.insert("patron", sum);
        }
        if let (Some((engine, customers)), true) = (&patron, wanted("patron-fresh")) {
            let t = Instant::now();
            let sum = run_patron_fresh(engine, customers, as_of);
            times
                .entry("patron-fresh")
                .or_default()
                .push(t.elapsed().as_secs_f64());
            sums.insert("patron-fresh", sum);
        }
        if let Some(decision) = &zen {
            // Inputs are built outside the timed loop, fresh for every run.
            let variables: Vec<Variable> = inputs.iter().map(zen_input).collect();
            let t = Instant::now();
            let sum = run_zen(decision, variables);
            times
                .entry("zen")
                .or_default()
                .push(t.elapsed().as_secs_f64());
            sums.insert("zen", sum);
        }
    }

    println!(
        "reference work (docs/bench/reference.md), {n} customers, one thread, median of {} run(s)",
        args.runs
    );
    println!(
        "expected checksum: {}",
        expected.unwrap_or("(reference.md gives none for this n)")
    );
    let mut ok = true;
    let mut ns: BTreeMap<&str, f64> = BTreeMap::new();
    for name in ["native", "patron", "patron-fresh", "zen"] {
        let Some(runs) = times.get(name) else {
            continue;
        };
        let checksum = format!("{:.3}", sums[name]);
        let matches = expected.map(|e| e == checksum);
        if matches == Some(false) {
            ok = false;
        }
        let t = median(runs.clone()) * 1e9 / n as f64;
        ns.insert(name, t);
        let runs_ns: Vec<String> = runs.iter().map(|s| per_eval(s * 1e9 / n as f64)).collect();
        println!(
            "{name:>12}: checksum {checksum} {}  {:>10} per evaluation  (runs: {})",
            match matches {
                Some(true) => "OK      ",
                Some(false) => "MISMATCH",
                None => "        ",
            },
            per_eval(t),
            runs_ns.join(", ")
        );
    }
    if let (Some(p), Some(nat)) = (ns.get("patron"), ns.get("native")) {
        println!("patron / native: {:.1}×", p / nat);
    }
    if let (Some(z), Some(p)) = (ns.get("zen"), ns.get("patron")) {
        println!("zen / patron:    {:.2}×", z / p);
    }

    // Where patron differs from the reference, say exactly how.
    if let (Some((engine, customers)), Some(false)) = (
        &patron,
        expected.map(|e| sums.get("patron").is_none_or(|s| format!("{s:.3}") == e)),
    ) {
        explain_patron_difference(engine, customers, as_of, &inputs);
    }

    if ok {
        ExitCode::SUCCESS
    } else {
        eprintln!("a checksum differs from reference.md's: its timing does not count");
        ExitCode::FAILURE
    }
}

/// Compares what patron returned with the reference customer by customer, and with the
/// reference under patron's two-decimal rounding of score totals.
fn explain_patron_difference(
    engine: &Engine,
    customers: &[Customer],
    as_of: Date,
    inputs: &[Input],
) {
    let returned = patron_returned(engine, customers, as_of);
    let (
        mut score_off,
        mut score_off_rounded,
        mut grade_off,
        mut grade_off_rounded,
        mut cadence_off,
    ) = (0, 0, 0, 0, 0);
    let mut example = None;
    for (i, (r, c)) in returned.iter().zip(inputs).enumerate() {
        let (score, grade, _, _) = native(c);
        if r.score != score {
            score_off += 1;
        }
        if r.score != round2(score) {
            score_off_rounded += 1;
        }
        if r.grade != native_grade(c, round2(score)) {
            grade_off_rounded += 1;
        }
        if r.grade != grade {
            grade_off += 1;
            example.get_or_insert((i, score, r.score, grade, r.grade));
        }
        if (r.calls, r.visits) != native_cadence(c.region, r.grade) {
            cadence_off += 1;
        }
    }
    println!(
        "patron vs the reference, customer by customer: score differs for {score_off} (for {score_off_rounded} once the reference's \
         score is rounded to two decimals), grade for {grade_off} (for {grade_off_rounded} when the rounded score is graded), \
         cadence for the returned grade for {cadence_off}"
    );
    if let Some((i, exact, got, g, gg)) = example {
        println!(
            "  e.g. R-{}: the reference's score is {exact:?} → {}, patron's score total is {got} → {}",
            i + 1,
            GRADES[g],
            GRADES[gg]
        );
    }
    println!(
        "the reference with scores rounded to two decimals before grading (patron's rule) sums to {:.3}",
        native_rounded2(inputs)
    );
}
