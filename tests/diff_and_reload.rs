//! The impact report of a policy change, and a reload that validates the candidate (load,
//! check, its own test cases) before it swaps anything.

mod common;

use common::{as_of, customer, default_file_with, policy_dir};
use patron::diff::{impact, impact_of_text};
use patron::{Engine, ErrorCode, Policy};

fn customers() -> Vec<patron::Customer> {
    [
        r#"{ "id": "a", "grade": "C", "grade_since": "2026-11-01", "region": "same_city" }"#,
        r#"{ "id": "b", "grade": "C", "grade_since": "2026-11-01", "region": "same_city" }"#,
        r#"{ "id": "c", "grade": "B", "grade_since": "2026-11-01", "region": "same_city" }"#,
        r#"{ "id": "d", "grade": "C", "grade_since": "2026-06-01", "purchases": [ { "at": "2026-05-01", "amount": 1 }, { "at": "2026-08-01", "amount": 1 } ] }"#,
    ]
    .iter()
    .map(|json| customer(json))
    .collect()
}

/// The default policy with C's cadence raised to B's (1 call a week, 2 visits a month), and
/// promotion by repeat purchase switched off.
fn candidate() -> Policy {
    let manifest = default_file_with(
        "policy.toml",
        "C = { calls_per_week = 0.5, visits_per_month = 1.0",
        "C = { calls_per_week = 1.0, visits_per_month = 2.0",
    );
    let promote = default_file_with(
        "promote.rhai",
        "if c.repeat_purchase_since_grade {",
        "if false {",
    );
    Policy::load(policy_dir(
        "candidate",
        &[
            ("policy.toml", Some(&manifest)),
            ("promote.rhai", Some(&promote)),
        ],
    ))
    .unwrap()
}

#[test]
fn the_report_counts_transitions_workload_and_examples() {
    let base = Policy::embedded_default().unwrap();
    let report = impact(&base, &candidate(), &customers(), as_of());
    assert_eq!(report.customers, 4);
    // d: B under the base (repeat purchase), C under the candidate.
    assert_eq!(report.grades_changed, 1);
    let cell = report
        .grade_matrix
        .iter()
        .find(|c| c.from == "B" && c.to == "C")
        .unwrap();
    assert_eq!(
        (cell.count, cell.examples.clone()),
        (1, vec!["d".to_string()])
    );
    let same = report
        .grade_matrix
        .iter()
        .find(|c| c.from == "C" && c.to == "C")
        .unwrap();
    assert_eq!((same.count, same.examples.len()), (2, 0));
    // Base: a, b at C (0.5 + 0.5 calls/week), c and d at B (1 + 1) = 3 calls a week;
    // candidate: everyone at 1 call a week = 4. Visits: 1 + 1 + 2 + 2 = 6 → 2 × 4 = 8.
    let w = &report.workload;
    assert_eq!(
        w.base_calls_per_month,
        (3.0 * 52.0 / 12.0 * 10.0_f64).round() / 10.0
    );
    assert_eq!(
        w.candidate_calls_per_month,
        (4.0 * 52.0 / 12.0 * 10.0_f64).round() / 10.0
    );
    assert_eq!(
        (w.base_visits_per_month, w.candidate_visits_per_month),
        (6.0, 8.0)
    );
    assert_eq!(w.cadence_changes, 2);
    assert_eq!(report.score_shift.changed, 0);
    assert!(report.errors.is_empty());
}

#[test]
fn unreadable_records_are_listed_not_dropped() {
    let base = Policy::embedded_default().unwrap();
    let text = "{ \"id\": \"ok\" }\nnot json\n{ \"id\": \"bad\", \"grade\": \"Q\" }\n";
    let report = impact_of_text(&base, &base, text, as_of()).unwrap();
    assert_eq!(report.customers, 3);
    let errors: Vec<(&str, &str)> = report
        .errors
        .iter()
        .map(|e| (e.customer_id.as_str(), e.policy))
        .collect();
    assert_eq!(
        errors,
        vec![("bad", "base"), ("bad", "candidate"), ("line 2", "input")]
    );
}

#[test]
fn the_engine_reports_the_impact_of_a_candidate_directory_as_json() {
    let engine = Engine::with_default_policy().unwrap();
    let dir = policy_dir("candidate-json", &[]);
    let json = patron::json::diff(
        &engine,
        &dir,
        "{ \"id\": \"x\", \"grade\": \"A\" }",
        as_of(),
    )
    .unwrap();
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["customers"], 1);
    assert_eq!(report["grades_changed"], 0);
    assert_eq!(report["grade_matrix"][0]["from"], "A");
}

#[test]
fn a_reload_whose_own_tests_fail_keeps_the_old_policy() {
    let engine = Engine::with_default_policy().unwrap();
    let before = engine.policy().stamp().clone();
    // Promotion switched off: the default policy's own cases "a second purchase … promotes D
    // to C" and "A stays A on a repeat purchase" (which names its rule) fail, so the
    // candidate is refused.
    let promote = default_file_with(
        "promote.rhai",
        "if c.repeat_purchase_since_grade {",
        "if false {",
    );
    let dir = policy_dir("fails-own-tests", &[("promote.rhai", Some(&promote))]);
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    let cases =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/default/tests/grades.json");
    std::fs::copy(cases, dir.join("tests/grades.json")).unwrap();
    let err = engine.reload(&dir).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Policy);
    let message = err.to_string();
    assert!(
        message.contains("fails 2 of its 21 own test case(s)"),
        "{message}"
    );
    assert!(message.contains("G4 grade: expected C, got D"), "{message}");
    assert_eq!(engine.policy().stamp(), &before);

    // Without the failing case the same candidate loads and serves.
    std::fs::remove_file(dir.join("tests/grades.json")).unwrap();
    let stamp = engine.reload(&dir).unwrap();
    assert_ne!(stamp, before);
    assert_eq!(engine.policy().stamp(), &stamp);
}
