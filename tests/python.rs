//! The Python package's tests (bindings/python/tests, pytest), run from `cargo test` so that
//! the README's test command runs them: `scripts/python-tests.sh` builds the package with
//! maturin into `target/pyenv` (made by `scripts/install-deps.sh`) and runs pytest, including
//! the Spark tests in local mode.
//!
//! Locally `PATRON_SKIP_PYTHON=1` skips it and `PATRON_SKIP_SPARK=1` leaves out the Spark
//! tests; it is skipped with a note when `target/pyenv` is missing. Under CI (`CI=true`)
//! nothing is skipped: a missing environment or a skip variable fails the test.

use std::path::{Path, PathBuf};
use std::process::Command;

fn flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| v == "1")
}

/// `target/`, where `target/pyenv` and the CLI built for these tests (`target/debug/patron`)
/// are.
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is inside the target directory")
        .to_path_buf()
}

#[test]
fn the_python_package_passes_its_tests() {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let skip_spark = flag("PATRON_SKIP_SPARK");
    if ci && (flag("PATRON_SKIP_PYTHON") || skip_spark) {
        panic!(
            "the Python tests cannot be skipped under CI (PATRON_SKIP_PYTHON / PATRON_SKIP_SPARK)"
        );
    }
    if flag("PATRON_SKIP_PYTHON") {
        eprintln!("skipped: PATRON_SKIP_PYTHON=1");
        return;
    }
    let target = target_dir();
    let python = target.join("pyenv/bin/python");
    if !python.is_file() {
        assert!(
            !ci,
            "the Python tests cannot run under CI: {} is missing; run scripts/install-deps.sh",
            python.display()
        );
        eprintln!("skipped: target/pyenv is missing (run scripts/install-deps.sh; PATRON_SKIP_PYTHON=1 silences this)");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cli = target
        .join("debug")
        .join(format!("patron{}", std::env::consts::EXE_SUFFIX));
    assert!(
        cli.is_file(),
        "{} is missing: `cargo test --workspace` builds it",
        cli.display()
    );
    let mut command = Command::new("bash");
    command
        .arg(root.join("scripts/python-tests.sh"))
        .env("PATRON_CLI", &cli)
        .env("PATRON_PYENV", target.join("pyenv"))
        .current_dir(root);
    if skip_spark {
        command.args(["-m", "not spark"]);
    }
    let status = command.status().expect("cannot run bash");
    assert!(status.success(), "scripts/python-tests.sh failed: {status}");
}
