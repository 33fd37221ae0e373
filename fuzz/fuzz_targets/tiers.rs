//! Grammar-based differential fuzzing of the two execution tiers (issue 16): random rule
//! scripts from the subset the fast tier lowers (`script_gen.rs`) and random evaluation
//! dates over the example customers, each evaluated by the fast tier (`Tier::Auto`) and by
//! rhai alone (`Tier::Interpreter`). Both must give identical results, or identical errors.
//!
//! A generated policy that does not load is skipped (the generator's fault, counted); one
//! whose scripts do not all lower is still compared (the tiers then meet in rhai) but counted
//! apart, so that a run's log shows how much of it really crossed the tiers: every 10,000
//! inputs it prints how many policies loaded, how many lowered completely, how many
//! evaluations compared equal as results and as errors, and how many entry calls the fast tier
//! finished itself or handed back to rhai (`Engine::tier_counts`).
#![no_main]

use std::sync::atomic::{AtomicU64, Ordering};

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use patron::policy::PolicyFile;
use patron::{Customer, Engine, EvaluateOptions, Policy, Tier};

#[path = "common.rs"]
mod common;
#[path = "script_gen.rs"]
mod script_gen;

static INPUTS: AtomicU64 = AtomicU64::new(0);
static LOADED: AtomicU64 = AtomicU64::new(0);
static LOWERED: AtomicU64 = AtomicU64::new(0);
static SAME_RESULT: AtomicU64 = AtomicU64::new(0);
static SAME_ERROR: AtomicU64 = AtomicU64::new(0);
/// Entry calls the fast tier finished, and calls it handed back to rhai (`Engine::tier_counts`).
static FAST_CALLS: AtomicU64 = AtomicU64::new(0);
static BAILED_CALLS: AtomicU64 = AtomicU64::new(0);
/// Loaded policies that change an array (`push`), which the fast tier copies on its first
/// change while another variable shares it.
static PUSHING: AtomicU64 = AtomicU64::new(0);
/// Loaded policies that make object maps (`#{…}`), which the fast tier holds as its own.
static MAPPING: AtomicU64 = AtomicU64::new(0);
/// Loaded policies with small data limits (`script_gen::manifest`).
static SMALL_LIMITS: AtomicU64 = AtomicU64::new(0);

fn customers() -> &'static [Customer] {
    static CUSTOMERS: std::sync::OnceLock<Vec<Customer>> = std::sync::OnceLock::new();
    CUSTOMERS.get_or_init(|| serde_json::from_str(common::EXAMPLES).expect("examples parse"))
}

fn report() {
    let inputs = INPUTS.fetch_add(1, Ordering::Relaxed) + 1;
    if inputs % 10_000 == 0 {
        eprintln!(
            "tiers: {inputs} inputs, {} policies loaded ({} pushing onto arrays, {} making maps, {} with small data limits), {} fully lowered, {} equal results, {} equal errors, {} calls finished by the fast tier, {} handed back",
            LOADED.load(Ordering::Relaxed),
            PUSHING.load(Ordering::Relaxed),
            MAPPING.load(Ordering::Relaxed),
            SMALL_LIMITS.load(Ordering::Relaxed),
            LOWERED.load(Ordering::Relaxed),
            SAME_RESULT.load(Ordering::Relaxed),
            SAME_ERROR.load(Ordering::Relaxed),
            FAST_CALLS.load(Ordering::Relaxed),
            BAILED_CALLS.load(Ordering::Relaxed),
        );
    }
}

/// The policy's scripts, for a failure's message.
fn shown(engine: &Engine) -> String {
    engine
        .policy()
        .files()
        .iter()
        .map(|f| format!("--- {}\n{}", f.name, f.text))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    report();
    let mut u = Unstructured::new(data);
    let Ok(day) = u.int_in_range(-400i64..=400) else { return };
    let Ok(picks) = u.int_in_range(1usize..=4) else { return };
    let mut chosen = Vec::new();
    for _ in 0..picks {
        let Ok(at) = u.choose_index(customers().len()) else { return };
        chosen.push(at);
    }
    // (An input that has run out of bytes gets the usual limits: `ratio` is then true.)
    let Ok(usual_limits) = u.ratio(3u8, 4u8) else { return };
    let small_limits = !usual_limits;
    let mut generator = script_gen::Gen::new(&mut u, 60);
    let Ok(scripts) = generator.policy_scripts() else { return };

    let mut files = vec![PolicyFile {
        name: "policy.toml".into(),
        text: script_gen::manifest(small_limits),
    }];
    files.extend(scripts.into_iter().map(|(name, text)| PolicyFile {
        name: name.into(),
        text,
    }));
    let shown_files = std::env::var_os("PATRON_FUZZ_SHOW").is_some().then(|| files.clone());
    let pushing = files.iter().any(|f| f.text.contains(".push("));
    let mapping = files.iter().any(|f| f.text.contains("#{"));
    let policy = match Policy::from_files(files) {
        Ok(policy) => policy,
        Err(error) => {
            // PATRON_FUZZ_SHOW=1 prints what the generator made that did not load.
            if let Some(files) = shown_files {
                eprintln!("not loaded: {error}");
                for f in files {
                    eprintln!("--- {}\n{}", f.name, f.text);
                }
            }
            return;
        }
    };
    LOADED.fetch_add(1, Ordering::Relaxed);
    if pushing {
        PUSHING.fetch_add(1, Ordering::Relaxed);
    }
    if mapping {
        MAPPING.fetch_add(1, Ordering::Relaxed);
    }
    if small_limits {
        SMALL_LIMITS.fetch_add(1, Ordering::Relaxed);
    }
    let engine = Engine::new(policy);
    let tiers = engine.execution_tiers().expect("a loaded policy compiles");
    if tiers.iter().all(|t| t.fast) {
        LOWERED.fetch_add(1, Ordering::Relaxed);
    }

    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap() + chrono::Duration::days(day);
    let fast = EvaluateOptions::default();
    let rhai = EvaluateOptions {
        tier: Tier::Interpreter,
        ..EvaluateOptions::default()
    };
    for at in chosen {
        let customer = &customers()[at];
        let (mut a, mut b) = (patron::Evaluation::default(), patron::Evaluation::default());
        let by_fast = engine.evaluate_with(customer, as_of, &fast, &mut a).map(|()| a);
        let by_rhai = engine.evaluate_with(customer, as_of, &rhai, &mut b).map(|()| b);
        match (&by_fast, &by_rhai) {
            (Ok(a), Ok(b)) => {
                assert!(
                    a == b,
                    "the tiers differ on {} as of {as_of}:\nfast: {a:?}\nrhai: {b:?}\n{}",
                    customer.id,
                    shown(&engine)
                );
                SAME_RESULT.fetch_add(1, Ordering::Relaxed);
            }
            (Err(a), Err(b)) => {
                assert!(
                    a.to_string() == b.to_string(),
                    "the tiers fail differently on {}:\nfast: {a}\nrhai: {b}\n{}",
                    customer.id,
                    shown(&engine)
                );
                assert_eq!(a.code(), b.code());
                common::not_internal(a);
                SAME_ERROR.fetch_add(1, Ordering::Relaxed);
            }
            _ => panic!(
                "one tier failed, the other did not on {} as of {as_of}:\nfast: {by_fast:?}\nrhai: {by_rhai:?}\n{}",
                customer.id,
                shown(&engine)
            ),
        }
    }
    let counts = engine.tier_counts();
    FAST_CALLS.fetch_add(counts.fast, Ordering::Relaxed);
    BAILED_CALLS.fetch_add(counts.bailed, Ordering::Relaxed);
});
