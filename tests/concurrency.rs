//! Concurrency (issue 9): 8 threads evaluate, alone and in batches, while another thread
//! reloads the engine between two policies 1,000 times. Every result must be consistent with
//! the policy hash it carries (the two policies give different, recognisable grades), no
//! result may be lost (one result per call, one item per record), every batch must come from
//! one policy snapshot, and the whole run must finish within a timeout (no deadlock).

mod common;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

use common::{as_of, customer, default_file_with, policy_dir};
use patron::{Customer, Engine, EvaluateOptions, Policy};

const EVALUATORS: usize = 8;
const RELOADS: usize = 1_000;
/// Far above the time the run takes on a loaded 2-core machine (see RELIABILITY.md):
/// reaching it means a deadlock or a livelock.
const TIMEOUT: Duration = Duration::from_secs(600);

/// The default policy, except that every customer gets `grade`.
fn fixed_grade_policy(grade: &str) -> PathBuf {
    let promote = default_file_with(
        "promote.rhai",
        "fn grade(c, score) {\n",
        &format!(
            "fn grade(c, score) {{\n    return set_grade(\"{grade}\", \"concurrency test: always {grade}\");\n"
        ),
    );
    policy_dir(
        &format!("always-{grade}"),
        &[("promote.rhai", Some(&promote))],
    )
}

/// What one evaluating thread saw.
#[derive(Default)]
struct Seen {
    calls: usize,
    results: usize,
    by_hash: HashMap<String, usize>,
}

fn customers() -> Vec<Customer> {
    (0..16)
        .map(|i| {
            let amount = (i + 1) * 100;
            customer(&format!(
                r#"{{ "id": "T-{i}", "grade": "C", "grade_since": "2026-06-01",
                      "purchases": [ {{ "at": "2026-07-01", "amount": {amount} }} ] }}"#
            ))
        })
        .collect()
}

#[test]
fn evaluations_during_1000_reloads_are_consistent_complete_and_never_deadlock() {
    let dir_a = fixed_grade_policy("A");
    let dir_b = fixed_grade_policy("B");
    let hash_a = Policy::load(&dir_a).unwrap().stamp().hash.clone();
    let hash_b = Policy::load(&dir_b).unwrap().stamp().hash.clone();
    assert_ne!(hash_a, hash_b);
    let grade_of: HashMap<String, &'static str> =
        [(hash_a.clone(), "A"), (hash_b.clone(), "B")].into();

    let engine = Arc::new(Engine::from_dir(&dir_a).unwrap());
    let (done_tx, done_rx) = mpsc::channel();
    let started = Instant::now();

    let run = {
        let engine = engine.clone();
        let grade_of = grade_of.clone();
        thread::spawn(move || {
            let stop = Arc::new(AtomicBool::new(false));
            let reloads_done = Arc::new(AtomicUsize::new(0));
            let customers = Arc::new(customers());
            let jsonl: Arc<String> = Arc::new(
                customers
                    .iter()
                    .map(|c| serde_json::to_string(c).unwrap())
                    .collect::<Vec<_>>()
                    .join("\n"),
            );

            let evaluators: Vec<_> = (0..EVALUATORS)
                .map(|t| {
                    let (engine, stop, customers, jsonl, grade_of) = (
                        engine.clone(),
                        stop.clone(),
                        customers.clone(),
                        jsonl.clone(),
                        grade_of.clone(),
                    );
                    thread::spawn(move || {
                        let mut seen = Seen::default();
                        let mut round = 0_usize;
                        let check = |seen: &mut Seen, id: &str, hash: &str, grade: &str| {
                            let expected = grade_of
                                .get(hash)
                                .unwrap_or_else(|| panic!("{id}: unknown policy hash {hash}"));
                            assert_eq!(grade, *expected, "{id} evaluated by {hash}");
                            seen.results += 1;
                            *seen.by_hash.entry(hash.to_string()).or_default() += 1;
                        };
                        while !stop.load(Ordering::Relaxed) || round < 4 {
                            match (t + round) % 3 {
                                // One customer through the Rust API.
                                0 => {
                                    let c = &customers[round % customers.len()];
                                    seen.calls += 1;
                                    let e = engine.evaluate(c, as_of()).unwrap();
                                    assert_eq!(e.customer_id, c.id);
                                    check(&mut seen, &c.id, &e.policy.hash, &e.grade.to);
                                }
                                // A batch through the Rust API: one snapshot for all of it.
                                1 => {
                                    seen.calls += customers.len();
                                    let results = engine.evaluate_many(
                                        customers.as_slice(),
                                        as_of(),
                                        &patron::EvaluateOptions::default(),
                                    );
                                    assert_eq!(results.len(), customers.len());
                                    let mut hashes = Vec::new();
                                    for (c, r) in customers.iter().zip(results) {
                                        let e = r.unwrap();
                                        assert_eq!(e.customer_id, c.id);
                                        check(&mut seen, &c.id, &e.policy.hash, &e.grade.to);
                                        hashes.push(e.policy.hash);
                                    }
                                    hashes.dedup();
                                    assert_eq!(hashes.len(), 1, "a batch saw two policies");
                                }
                                // A JSON Lines batch, as the C ABI and the CLI call it.
                                _ => {
                                    seen.calls += customers.len();
                                    let text = patron::json::evaluate_batch(
                                        &engine,
                                        &jsonl,
                                        as_of(),
                                        &EvaluateOptions::default(),
                                    )
                                    .unwrap();
                                    let items: Vec<serde_json::Value> =
                                        serde_json::from_str(&text).unwrap();
                                    assert_eq!(items.len(), customers.len());
                                    let mut hashes = Vec::new();
                                    for (c, item) in customers.iter().zip(&items) {
                                        assert_eq!(item["customer_id"], c.id.as_str());
                                        let hash = item["policy"]["hash"].as_str().unwrap();
                                        let grade = item["grade"]["to"].as_str().unwrap();
                                        check(&mut seen, &c.id, hash, grade);
                                        hashes.push(hash.to_string());
                                    }
                                    hashes.dedup();
                                    assert_eq!(hashes.len(), 1, "a batch saw two policies");
                                }
                            }
                            round += 1;
                        }
                        seen
                    })
                })
                .collect();

            let reloader = {
                let (engine, stop, reloads_done) =
                    (engine.clone(), stop.clone(), reloads_done.clone());
                let (dir_a, dir_b) = (dir_a.clone(), dir_b.clone());
                thread::spawn(move || {
                    for i in 0..RELOADS {
                        let (dir, grade) = if i % 2 == 0 {
                            (&dir_b, "B")
                        } else {
                            (&dir_a, "A")
                        };
                        let stamp = engine.reload(dir).unwrap();
                        assert_eq!(grade_of[&stamp.hash], grade);
                        reloads_done.fetch_add(1, Ordering::Relaxed);
                    }
                    stop.store(true, Ordering::Relaxed);
                })
            };

            let reloader_outcome = reloader.join();
            stop.store(true, Ordering::Relaxed);
            let seen: Vec<thread::Result<Seen>> =
                evaluators.into_iter().map(|h| h.join()).collect();
            (reloader_outcome, reloads_done.load(Ordering::Relaxed), seen)
        })
    };

    // Wait for the run with a timeout: a deadlock fails the test instead of hanging it.
    let waiter = thread::spawn(move || {
        let outcome = run.join();
        let _ = done_tx.send(outcome);
    });
    let outcome = done_rx
        .recv_timeout(TIMEOUT)
        .unwrap_or_else(|_| panic!("no answer after {TIMEOUT:?}: deadlock or livelock"));
    waiter.join().unwrap();
    let (reloader, reloads, seen) = outcome.expect("the test harness thread panicked");
    if let Err(panic) = reloader {
        std::panic::resume_unwind(panic);
    }
    assert_eq!(reloads, RELOADS);

    let mut calls = 0;
    let mut results = 0;
    let mut by_hash: HashMap<String, usize> = HashMap::new();
    for s in seen {
        let s = s.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        calls += s.calls;
        results += s.results;
        for (hash, n) in s.by_hash {
            *by_hash.entry(hash).or_default() += n;
        }
    }
    assert_eq!(results, calls, "results lost");
    assert!(
        by_hash.get(&hash_a).copied().unwrap_or(0) > 0
            && by_hash.get(&hash_b).copied().unwrap_or(0) > 0,
        "both policies must have served: {by_hash:?}"
    );
    eprintln!(
        "concurrency: {RELOADS} reloads, {EVALUATORS} evaluating threads, {results} results \
         ({} by A, {} by B) in {:?}",
        by_hash[&hash_a],
        by_hash[&hash_b],
        started.elapsed()
    );
    // The engine ends on the policy of the last reload (an even count ends on A).
    assert_eq!(engine.policy().stamp().hash, hash_a);
}

#[test]
fn a_failing_reload_during_evaluations_never_changes_what_serves() {
    let good = fixed_grade_policy("D");
    let broken = policy_dir("broken", &[("score.rhai", Some("fn score(c) {"))]);
    let engine = Arc::new(Engine::from_dir(&good).unwrap());
    let hash = engine.policy().stamp().hash.clone();
    let stop = Arc::new(AtomicBool::new(false));
    let evaluators: Vec<_> = (0..4)
        .map(|_| {
            let (engine, stop, hash) = (engine.clone(), stop.clone(), hash.clone());
            thread::spawn(move || {
                let c = customer(r#"{ "id": "F-1", "grade": "C" }"#);
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) || n < 10 {
                    let e = engine.evaluate(&c, as_of()).unwrap();
                    assert_eq!(
                        (e.policy.hash.as_str(), e.grade.to.as_str()),
                        (hash.as_str(), "D")
                    );
                    n += 1;
                }
                n
            })
        })
        .collect();
    for _ in 0..100 {
        assert!(engine.reload(&broken).is_err());
    }
    stop.store(true, Ordering::Relaxed);
    for e in evaluators {
        assert!(e.join().unwrap() >= 10);
    }
    assert_eq!(engine.policy().stamp().hash, hash);
}
