//! Every policy shipped under `policies/` loads, and its own test cases pass; the case
//! runner reports what a failing case expected and what it got.

use std::path::PathBuf;

use patron::cases::{load_cases, parse_cases, run_cases};
use patron::Policy;

fn shipped() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("policy.toml").is_file())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_shipped_policy_passes_its_own_cases() {
    let dirs = shipped();
    assert!(!dirs.is_empty());
    for dir in dirs {
        let policy = Policy::load(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let cases = load_cases(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        assert!(!cases.is_empty(), "{} has no test cases", dir.display());
        for outcome in run_cases(&policy, &cases) {
            assert!(
                outcome.passed(),
                "{}: {} / {}: {:#?}",
                dir.display(),
                outcome.file,
                outcome.name,
                outcome.mismatches
            );
        }
    }
}

#[test]
fn a_failing_case_reports_expected_and_actual() {
    let cases = parse_cases(
        "tests/wrong.json",
        r#"{ "name": "wrong on purpose", "as_of": "2026-11-23",
             "customer": { "id": "W", "grade": "C", "grade_since": "2026-06-01" },
             "expect": { "grade": "A", "actions": ["callback"], "score": { "min": 50 } } }"#,
    )
    .unwrap();
    let outcome = &run_cases(&Policy::embedded_default().unwrap(), &cases)[0];
    assert!(!outcome.passed());
    let fields: Vec<(&str, &str, &str)> = outcome
        .mismatches
        .iter()
        .map(|m| (m.field.as_str(), m.expected.as_str(), m.actual.as_str()))
        .collect();
    assert_eq!(
        fields,
        vec![
            ("grade", "A", "C"),
            ("score", "50 to …", "0"),
            ("actions", "[\"callback\"]", "[]"),
        ]
    );
}

#[test]
fn a_malformed_case_is_an_error_naming_the_file() {
    let err = parse_cases(
        "tests/bad.json",
        r#"{ "name": "x", "as_of": "soon", "customer": { "id": "a" }, "expect": {} }"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("tests/bad.json"), "{err}");
    assert!(err.to_string().contains("as_of"), "{err}");
    let err = parse_cases("tests/bad.json", r#"{ "name": "x", "as_of": "2026-11-23", "customer": { "id": "a" }, "expect": { "grdae": "A" } }"#)
        .unwrap_err();
    assert!(err.to_string().contains("grdae"), "{err}");
}
