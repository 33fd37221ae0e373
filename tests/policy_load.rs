//! Loading policies: the embedded default, directories, and every kind of load error with
//! file, line and column; script runtime errors and limits with script, function and line.

mod common;

use std::time::{Duration, Instant};

use common::{as_of, customer, default_file_with, policy_dir};
use patron::{Engine, Error, ErrorCode, Policy};

fn load_error(name: &str, replace: &[(&str, Option<&str>)]) -> (String, usize, usize, String) {
    match Policy::load(policy_dir(name, replace)) {
        Err(Error::Policy {
            location, message, ..
        }) => (location.file, location.line, location.column, message),
        Err(other) => panic!("expected a policy error, got {other:?}"),
        Ok(_) => panic!("policy {name} loaded but should not"),
    }
}

#[test]
fn the_directory_copy_of_the_default_policy_has_the_embedded_hash() {
    let embedded = Policy::embedded_default().unwrap();
    let loaded = Policy::load(policy_dir("copy", &[])).unwrap();
    assert_eq!(embedded.stamp(), loaded.stamp());
}

#[test]
fn any_change_changes_the_hash() {
    let script = default_file_with("actions.rhai", "let out = [];", "let out = [ ];");
    let changed = Policy::load(policy_dir("changed", &[("actions.rhai", Some(&script))])).unwrap();
    assert_ne!(
        changed.stamp().hash,
        Policy::embedded_default().unwrap().stamp().hash
    );
}

#[test]
fn a_syntax_error_names_file_line_and_column() {
    let script = default_file_with(
        "visits.rhai",
        "let calls = row.calls_per_week;",
        "let calls = row.calls_per_week +;",
    );
    let (file, line, column, _) = load_error("syntax", &[("visits.rhai", Some(&script))]);
    assert_eq!(file, "visits.rhai");
    assert_eq!(line, 10);
    assert!(column > 0);
}

#[test]
fn a_toml_error_names_the_line() {
    let manifest = default_file_with("policy.toml", "revenue = 0.30", "revenue = = 0.30");
    let (file, line, _, _) = load_error("toml", &[("policy.toml", Some(&manifest))]);
    assert_eq!(file, "policy.toml");
    let expected = manifest
        .lines()
        .position(|l| l.contains("= = 0.30"))
        .unwrap()
        + 1;
    assert_eq!(line, expected);
}

#[test]
fn an_unknown_grade_literal_is_a_load_error() {
    let script = default_file_with(
        "promote.rhai",
        r#"return set_grade("F","#,
        r#"return set_grade("G","#,
    );
    let (file, line, _, message) = load_error("grade-literal", &[("promote.rhai", Some(&script))]);
    assert_eq!(file, "promote.rhai");
    assert!(line > 0);
    assert!(message.contains("unknown grade `G`"), "{message}");
}

#[test]
fn an_unknown_stage_literal_is_a_load_error() {
    let script = default_file_with(
        "promote.rhai",
        r#"set_stage("prospecting","#,
        r#"set_stage("prospects","#,
    );
    let (_, _, _, message) = load_error("stage-literal", &[("promote.rhai", Some(&script))]);
    assert!(message.contains("unknown stage `prospects`"), "{message}");
}

#[test]
fn an_undefined_parameter_is_a_load_error() {
    let script = default_file_with(
        "score.rhai",
        "params.weights.credit,",
        "params.weights.credibility,",
    );
    let (file, line, column, message) = load_error("param", &[("score.rhai", Some(&script))]);
    assert_eq!((file.as_str(), line), ("score.rhai", 11));
    assert!(column > 0);
    assert!(message.contains("params.weights.credibility"), "{message}");
}

#[test]
fn a_missing_script_or_entry_function_is_a_load_error() {
    let (file, _, _, message) = load_error("no-visits", &[("visits.rhai", None)]);
    assert_eq!(file, "visits.rhai");
    assert!(message.contains("fn visits(c, grade)"), "{message}");

    let script = default_file_with("promote.rhai", "fn stage(c)", "fn stages(c)");
    let (_, _, _, message) = load_error("no-stage-fn", &[("promote.rhai", Some(&script))]);
    assert!(
        message.contains("missing entry function `fn stage(c)`"),
        "{message}"
    );

    let script = default_file_with("visits.rhai", "fn visits(c, grade)", "fn visits(c)");
    let (_, line, _, message) = load_error("arity", &[("visits.rhai", Some(&script))]);
    assert!(message.contains("takes 1 parameter"), "{message}");
    assert_eq!(line, 5);
}

#[test]
fn a_policy_without_actions_has_no_actions() {
    let engine = Engine::from_dir(policy_dir("no-actions", &[("actions.rhai", None)])).unwrap();
    let e = engine
        .evaluate(
            &customer(r#"{ "id": "C", "receivables": [ { "due": "2026-11-24", "amount": 1 } ] }"#),
            as_of(),
        )
        .unwrap();
    assert!(e.actions.is_empty());
}

#[test]
fn a_script_runtime_error_names_script_function_and_line() {
    let script = default_file_with(
        "visits.rhai",
        "let calls = row.calls_per_week;",
        "let calls = row.calls_per_weak;",
    );
    // `row` is a parameter table: the missing key fails at run time, not at load time.
    let engine = Engine::from_dir(policy_dir(
        "runtime-error",
        &[("visits.rhai", Some(&script))],
    ))
    .unwrap();
    let err = engine
        .evaluate(&customer(r#"{ "id": "C-9", "grade": "B" }"#), as_of())
        .unwrap_err();
    match &err {
        Error::Script {
            record,
            function,
            location,
            message,
        } => {
            assert_eq!(record.customer_id.as_deref(), Some("C-9"));
            assert_eq!(function, "visits");
            assert_eq!((location.file.as_str(), location.line), ("visits.rhai", 10));
            assert!(message.contains("calls_per_weak"), "{message}");
        }
        other => panic!("expected a script error, got {other:?}"),
    }
}

#[test]
fn a_script_returning_the_wrong_type_is_a_script_error() {
    let script = "fn grade(c, score) { 42 }\nfn stage(c) { keep_stage(\"x\") }\n";
    let engine =
        Engine::from_dir(policy_dir("wrong-type", &[("promote.rhai", Some(script))])).unwrap();
    let err = engine
        .evaluate(&customer(r#"{ "id": "C", "grade": "B" }"#), as_of())
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Script);
    assert!(
        err.to_string()
            .contains("must return `set_grade(...)` or `keep_grade(...)`"),
        "{err}"
    );
}

#[test]
fn an_unknown_grade_at_run_time_is_a_script_error_with_its_line() {
    let script = default_file_with(
        "promote.rhai",
        "return set_grade(grade_up(c.grade),",
        "return set_grade(c.grade + \"+\",",
    );
    let engine = Engine::from_dir(policy_dir(
        "runtime-grade",
        &[("promote.rhai", Some(&script))],
    ))
    .unwrap();
    let err = engine
        .evaluate(&customer(r#"{ "id": "C", "grade": "C", "grade_since": "2026-01-01",
            "purchases": [ { "at": "2025-12-01", "amount": 1 }, { "at": "2026-03-01", "amount": 1 } ] }"#), as_of())
        .unwrap_err();
    match &err {
        Error::Script {
            location, message, ..
        } => {
            assert_eq!(location.line, 40);
            assert!(message.contains("unknown grade `C+`"), "{message}");
        }
        other => panic!("expected a script error, got {other:?}"),
    }
}

#[test]
fn an_endless_loop_hits_a_limit_quickly_and_the_engine_stays_usable() {
    let script = "fn score(c) { let n = 0; loop { n += 1; } }\n";
    let engine = Engine::from_dir(policy_dir("endless", &[("score.rhai", Some(script))])).unwrap();
    let started = Instant::now();
    let err = engine
        .evaluate(&customer(r#"{ "id": "L" }"#), as_of())
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Limit, "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    engine.reload(policy_dir("endless-fixed", &[])).unwrap();
    assert_eq!(
        engine
            .evaluate(&customer(r#"{ "id": "L" }"#), as_of())
            .unwrap()
            .grade
            .to,
        "E"
    );
}

#[test]
fn deep_recursion_hits_the_call_depth_limit() {
    let script = "fn score(c) { down(0) }\nfn down(n) { down(n + 1) }\n";
    let engine =
        Engine::from_dir(policy_dir("recursion", &[("score.rhai", Some(script))])).unwrap();
    let err = engine
        .evaluate(&customer(r#"{ "id": "L" }"#), as_of())
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Limit, "{err}");
}

#[test]
fn a_slow_script_hits_the_time_budget() {
    let manifest = default_file_with(
        "policy.toml",
        "[params.weights]",
        "[limits]\nmax_operations = 0\ntime_budget_ms = 20\n\n[params.weights]",
    );
    let script = "fn score(c) { let n = 0; loop { n += 1; } }\n";
    let engine = Engine::from_dir(policy_dir(
        "slow",
        &[
            ("policy.toml", Some(&manifest)),
            ("score.rhai", Some(script)),
        ],
    ))
    .unwrap();
    let started = Instant::now();
    let err = engine
        .evaluate(&customer(r#"{ "id": "L" }"#), as_of())
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Limit, "{err}");
    assert!(err.to_string().contains("time budget"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_failed_reload_keeps_the_old_policy() {
    let engine = Engine::with_default_policy().unwrap();
    let before = engine.policy().stamp().clone();
    let err = engine
        .reload(policy_dir(
            "broken",
            &[("score.rhai", Some("fn score(c) {"))],
        ))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Policy);
    assert_eq!(engine.policy().stamp(), &before);
    assert!(engine
        .evaluate(&customer(r#"{ "id": "X" }"#), as_of())
        .is_ok());
}

/// A policy with problems in two files: loading reports both (first as before, the other in
/// `others`), Display shows both, and a reload refuses it with the same list.
#[test]
fn a_load_reports_every_error_not_only_the_first() {
    let visits = default_file_with(
        "visits.rhai",
        "let calls = row.calls_per_week;",
        "let calls = row.calls_per_week +;",
    );
    let score = default_file_with(
        "score.rhai",
        "params.weights.credit,",
        "params.weights.credibility,",
    );
    let dir = policy_dir(
        "two-errors",
        &[("visits.rhai", Some(&visits)), ("score.rhai", Some(&score))],
    );
    let error = Policy::load(&dir).unwrap_err();
    let text = error.to_string();
    let all = error.diagnostics();
    let Error::Policy {
        location,
        message,
        others,
        ..
    } = &error
    else {
        panic!("expected a policy error, got {error:?}");
    };
    // The first error stays where old callers read it.
    assert_eq!((location, message), (&all[0].location, &all[0].message));
    assert_eq!(others.len() + 1, all.len());
    let mut places: Vec<(&str, usize)> = all
        .iter()
        .map(|d| (d.location.file.as_str(), d.location.line))
        .collect();
    places.sort();
    assert_eq!(places, [("score.rhai", 11), ("visits.rhai", 10)], "{text}");
    assert!(all.iter().all(|d| d.location.column > 0), "{text}");
    assert!(text.starts_with("policy error at "), "{text}");
    assert!(text.contains("score.rhai:11:"), "{text}");
    assert!(text.contains("visits.rhai:10:"), "{text}");
    assert!(text.contains("params.weights.credibility"), "{text}");

    let engine = Engine::with_default_policy().unwrap();
    let reload = engine.reload(&dir).unwrap_err();
    assert_eq!(reload.diagnostics(), all);
}
