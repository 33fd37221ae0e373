//! The caller's deadline (`EvaluateOptions::deadline`): a time budget over a whole call —
//! a batch, a stream, a plan, a diff — that stops a running script and starts no record
//! after it, whatever the policy's own limits allow.

mod common;

use std::time::{Duration, Instant};

use common::{as_of, customer};
use patron::model::PolicyStamp;
use patron::{Engine, ErrorCode, EvaluateOptions, PlanRequest, Policy};

fn passed() -> EvaluateOptions {
    EvaluateOptions {
        deadline: Some(Instant::now() - Duration::from_millis(1)),
        ..EvaluateOptions::default()
    }
}

fn customers(n: usize) -> Vec<patron::Customer> {
    (0..n)
        .map(|i| {
            customer(&format!(
                r#"{{ "id": "C-{i}", "owner": "rep-1", "grade": "B", "region": "same_city" }}"#
            ))
        })
        .collect()
}

/// The endless-loop hostile policy with no operation limit and the longest script time
/// budget a policy may set: only the caller's deadline stops it within a minute.
fn unstoppable() -> Policy {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile/endless-loop");
    let files = Policy::read_files(&dir).unwrap();
    let files = files
        .into_iter()
        .map(|mut file| {
            if file.name == "policy.toml" {
                file.text = file.text.replacen(
                    "[params",
                    "[limits]\nmax_operations = 0\ntime_budget_ms = 60000\n\n[params",
                    1,
                );
            }
            file
        })
        .collect();
    Policy::from_files(files).unwrap()
}

#[test]
fn a_passed_deadline_starts_no_record() {
    let engine = Engine::with_default_policy().unwrap();
    let results = engine.evaluate_many(&customers(50), as_of(), &passed());
    assert_eq!(results.len(), 50);
    for result in &results {
        let error = result.as_ref().unwrap_err();
        assert_eq!(error.code(), ErrorCode::Limit);
        assert!(
            error
                .to_string()
                .contains("the caller's deadline passed before"),
            "{error}"
        );
    }
    // Without a deadline the same batch is evaluated.
    let results = engine.evaluate_many(&customers(50), as_of(), &EvaluateOptions::default());
    assert!(results.iter().all(Result::is_ok));
}

#[test]
fn the_deadline_stops_a_script_the_policy_lets_run() {
    let engine = Engine::new(unstoppable());
    // Compile the policy on this thread first, so that the deadline below falls inside the
    // script however slow the machine is, not during the compilation before it.
    assert!({
        let mut out = patron::Evaluation::default();
        engine
            .evaluate_with(
                &customer(r#"{ "id": "C-0" }"#),
                as_of(),
                &EvaluateOptions::default(),
                &mut out,
            )
            .map(|()| out)
    }
    .is_ok());
    let options = EvaluateOptions {
        deadline: Some(Instant::now() + Duration::from_millis(150)),
        ..EvaluateOptions::default()
    };
    let started = Instant::now();
    let error = {
        let mut out = patron::Evaluation::default();
        engine
            .evaluate_with(
                &customer(r#"{ "id": "hostile-1" }"#),
                as_of(),
                &options,
                &mut out,
            )
            .map(|()| out)
    }
    .unwrap_err();
    let took = started.elapsed();
    assert_eq!(error.code(), ErrorCode::Limit);
    assert!(
        error
            .to_string()
            .contains("the caller's deadline passed while"),
        "{error}"
    );
    assert!(took < Duration::from_secs(5), "stopped after {took:?}");
    // A normal customer is evaluated under the same policy.
    assert!({
        let mut out = patron::Evaluation::default();
        engine
            .evaluate_with(
                &customer(r#"{ "id": "C-1" }"#),
                as_of(),
                &EvaluateOptions::default(),
                &mut out,
            )
            .map(|()| out)
    }
    .is_ok());
}

#[test]
fn plans_and_diffs_take_the_deadline() {
    let engine = Engine::with_default_policy().unwrap();
    let request = PlanRequest::for_month("2026-12");
    let error = engine
        .plan_with(&customers(5), &request, &passed())
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::Limit);
    assert!(engine
        .plan_with(&customers(5), &request, &EvaluateOptions::default())
        .is_ok());
    let json = serde_json::to_string(&customers(3)).unwrap();
    let (parsed, request) = patron::json::plan_input(&json, r#"{ "month": "2026-12" }"#).unwrap();
    assert_eq!(
        engine
            .plan_with(&parsed, &request, &passed())
            .unwrap_err()
            .code(),
        ErrorCode::Limit
    );

    let base = Policy::embedded_default().unwrap();
    let candidate = Policy::embedded_default().unwrap();
    let report = patron::diff::impact_with(&base, &candidate, &customers(4), as_of(), &passed());
    assert_eq!(report.customers, 4);
    assert_eq!(
        report.errors.len(),
        8,
        "each record fails under both policies, listed"
    );
    let report = patron::diff::impact_of_text_with(
        &base,
        &candidate,
        &json,
        as_of(),
        &EvaluateOptions::default(),
    )
    .unwrap();
    assert!(report.errors.is_empty());
    let _: &PolicyStamp = &report.base;
}
