//! `check_files` reports every problem of a policy at once, with file, line and column;
//! warnings for parameters no script reads; and a load that fails reports every error too.

mod common;

use common::{default_file_with, policy_dir};
use patron::policy::{check_files, Severity};
use patron::Policy;

fn problems(replace: &[(&str, Option<&str>)]) -> Vec<(Severity, String, usize, String)> {
    let dir = policy_dir("check", replace);
    let files = Policy::read_files(&dir).unwrap();
    check_files(&files)
        .diagnostics
        .into_iter()
        .map(|d| (d.severity, d.location.file, d.location.line, d.message))
        .collect()
}

#[test]
fn the_default_policy_has_no_problems() {
    assert_eq!(problems(&[]), vec![]);
}

#[test]
fn every_problem_is_reported_at_once() {
    let score = default_file_with(
        "score.rhai",
        "params.weights.credit,",
        "params.weights.credibility,",
    );
    let promote = default_file_with("promote.rhai", r#"set_grade("F","#, r#"set_grade("G","#);
    let promote = promote.replacen(
        r#"set_stage("prospecting","#,
        r#"set_stage("prospects","#,
        1,
    );
    let visits = default_file_with(
        "visits.rhai",
        "let calls = row.calls_per_week;",
        "let calls = ;",
    );
    let found = problems(&[
        ("score.rhai", Some(&score)),
        ("promote.rhai", Some(&promote)),
        ("visits.rhai", Some(&visits)),
    ]);
    let summary: Vec<(&str, usize, bool)> = found
        .iter()
        .map(|(severity, file, line, _)| (file.as_str(), *line, *severity == Severity::Error))
        .collect();
    assert!(summary.contains(&("visits.rhai", 10, true)), "{found:#?}");
    assert!(summary.contains(&("score.rhai", 11, true)), "{found:#?}");
    assert!(
        found
            .iter()
            .any(|(_, f, _, m)| f == "promote.rhai" && m.contains("unknown grade `G`")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|(_, f, _, m)| f == "promote.rhai" && m.contains("unknown stage `prospects`")),
        "{found:#?}"
    );
    // visits.rhai did not compile, so which parameters are unused cannot be known: no warnings.
    assert!(
        found.iter().all(|(s, ..)| *s == Severity::Error),
        "{found:#?}"
    );
}

#[test]
fn cadence_must_cover_every_grade_and_weights_must_sum_as_declared() {
    let manifest = default_file_with(
        "policy.toml",
        "F = { calls_per_week",
        "X = { calls_per_week",
    );
    let manifest = manifest.replacen("engagement = 0.15 ", "engagement = 0.25 ", 1);
    let found = problems(&[("policy.toml", Some(&manifest))]);
    let messages: Vec<&str> = found.iter().map(|(_, _, _, m)| m.as_str()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("no entry for grade `F`")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`X`, which is not a grade")),
        "{messages:#?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("weights sum to 1.1")),
        "{messages:#?}"
    );
    assert!(
        found
            .iter()
            .all(|(_, file, line, _)| file == "policy.toml" && *line > 0),
        "{found:#?}"
    );
}

#[test]
fn a_negative_weight_is_an_error() {
    let manifest = default_file_with("policy.toml", "credit = 0.20 ", "credit = -0.20 ");
    let found = problems(&[("policy.toml", Some(&manifest))]);
    assert!(
        found.iter().any(|(s, _, _, m)| *s == Severity::Error
            && m.contains("weight `credit` must be a number ≥ 0")),
        "{found:#?}"
    );
}

#[test]
fn an_unused_parameter_is_a_warning_and_does_not_stop_a_load() {
    let manifest = format!(
        "{}forgotten = 3\n",
        default_file_with("policy.toml", "", "")
    );
    let dir = policy_dir("unused", &[("policy.toml", Some(&manifest))]);
    let found = check_files(&Policy::read_files(&dir).unwrap()).diagnostics;
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].severity, Severity::Warning);
    assert!(
        found[0].message.contains("params.actions.forgotten"),
        "{}",
        found[0].message
    );
    assert!(found[0].location.line > 0);
    assert!(Policy::load(&dir).is_ok());
}

/// `promote.rhai` holds two entry functions (`grade`, `stage`): a syntax error in it is one
/// problem, reported once, by `check_files` and by a load.
#[test]
fn a_syntax_error_in_a_file_with_two_entry_functions_is_reported_once() {
    let promote = default_file_with("promote.rhai", "fn stage(c) {", "fn stage(c) {{");
    let found = problems(&[("promote.rhai", Some(&promote))]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].0, found[0].1.as_str()),
        (Severity::Error, "promote.rhai")
    );
    let dir = policy_dir("check-once", &[("promote.rhai", Some(&promote))]);
    let error = Policy::load(dir).unwrap_err();
    assert_eq!(error.diagnostics().len(), 1, "{error}");
}

/// A manifest that parses but breaks several rules reports each, with its line.
#[test]
fn every_problem_of_the_manifest_is_reported() {
    let manifest = default_file_with("policy.toml", "name = \"default\"", "name = \"\"");
    let manifest = manifest.replacen(
        &manifest
            .lines()
            .find(|l| l.starts_with("version = "))
            .unwrap()
            .to_string(),
        "version = \" \"",
        1,
    );
    let found = problems(&[("policy.toml", Some(&manifest))]);
    let in_manifest: Vec<_> = found
        .iter()
        .filter(|(severity, file, _, _)| *severity == Severity::Error && file == "policy.toml")
        .collect();
    assert_eq!(in_manifest.len(), 2, "{found:?}");
    assert!(in_manifest[0].3.contains("`name`"), "{found:?}");
    assert!(in_manifest[1].3.contains("`version`"), "{found:?}");
    assert!(in_manifest.iter().all(|p| p.2 > 0), "{found:?}");
}
