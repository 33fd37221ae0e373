//! Helpers shared by the integration tests: customers from JSON, the evaluation date, and
//! policy directories made from the default policy with some files replaced.
#![allow(dead_code)]

use std::path::PathBuf;

use patron::model::{parse_date, Date};
use patron::{Customer, Engine, Evaluation};

/// Every policy shipped in `policies/`.
pub const SHIPPED_POLICIES: &[&str] = &[
    "default",
    "reference",
    "key-accounts",
    "distributor",
    "otc-pharma",
];

/// The evaluation date of the tests.
pub fn as_of() -> Date {
    parse_date("2026-11-23").unwrap()
}

/// A customer from JSON text.
pub fn customer(json: &str) -> Customer {
    patron::model::parse_customer(json).unwrap_or_else(|e| panic!("bad test customer: {e}"))
}

/// Evaluates with the embedded default policy as of 2026-11-23.
pub fn eval(json: &str) -> Evaluation {
    let engine = Engine::with_default_policy().unwrap();
    engine.evaluate(&customer(json), as_of()).unwrap()
}

/// A policy directory: the default policy's files with `replace` applied (name, new text);
/// a `None` text removes the file. Each call gets a directory of its own, so tests running
/// in parallel never share one.
pub fn policy_dir(name: &str, replace: &[(&str, Option<&str>)]) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let unique = format!(
        "{name}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("policies")
        .join(unique);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let default = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("policies/default");
    for entry in std::fs::read_dir(&default).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
        }
    }
    for (file, text) in replace {
        match text {
            Some(text) => std::fs::write(dir.join(file), text).unwrap(),
            None => std::fs::remove_file(dir.join(file)).unwrap(),
        }
    }
    dir
}

/// The text of a default-policy file with `from` replaced by `to` (which must occur).
pub fn default_file_with(file: &str, from: &str, to: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("policies/default")
        .join(file);
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{file} does not contain {from:?}");
    text.replacen(from, to, 1)
}

/// A shipped policy (`policies/NAME`) with a 60 s time budget instead of its 100 ms, for tests
/// that force rhai's interpreter in a debug build on a busy machine, where a wall-clock
/// budget measures the machine rather than the script.
pub fn shipped_engine_without_time_pressure(name: &str) -> Engine {
    let dir = format!("{}/policies/{name}", env!("CARGO_MANIFEST_DIR"));
    let mut files = patron::Policy::read_files(&dir).unwrap();
    let manifest = files
        .iter_mut()
        .find(|f| f.name == "policy.toml")
        .expect("policy.toml");
    assert!(
        !manifest.text.contains("[limits]"),
        "{name} sets its own limits"
    );
    manifest
        .text
        .push_str("\n[limits]\ntime_budget_ms = 60000\n");
    Engine::new(patron::Policy::from_files(files).unwrap())
}
