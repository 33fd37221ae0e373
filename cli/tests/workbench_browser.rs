//! The policy workbench end to end in a real browser: `patron serve` on 127.0.0.1:0 with a
//! copy of `cli/tests/fixtures/workbench-policy/` (the default policy, frozen), driven by `cli/tests/browser/workbench.mjs` (playwright-core
//! with the system's headless Chromium): a syntax error typed and seen at its line, fixed;
//! the tests run; a customer evaluated and its grade read; a cadence number changed and
//! compared (the matrix read); a month plan; a save, after which `GET /v1/policy` serves a
//! new hash. It writes a screenshot of each view under the target directory, to
//! `docs/screenshots/` with `PATRON_BLESS=1` (how the README's pictures are refreshed), or to
//! `$PATRON_SCREENSHOTS`.
//!
//! Needs `scripts/install-deps.sh` (Debian's `chromium`, node, and `npm ci` in
//! `cli/tests/browser/`). Locally `PATRON_SKIP_BROWSER=1` skips it, and it is skipped with a
//! note when Chromium or playwright-core is missing; under CI (`CI=true`) a missing piece is
//! a failure.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::*;

/// How long the browser script may take.
const LIMIT: Duration = Duration::from_secs(240);

fn chromium() -> PathBuf {
    std::env::var_os("PATRON_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// What is missing to run the browser test, if anything.
fn missing(browser_dir: &Path) -> Option<String> {
    if !chromium().exists() {
        return Some(format!("no Chromium at {}", chromium().display()));
    }
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        return Some("no `node` on PATH".into());
    }
    if !browser_dir.join("node_modules/playwright-core").is_dir() {
        return Some(format!(
            "playwright-core is not installed in {}",
            browser_dir.display()
        ));
    }
    None
}

#[test]
fn the_workbench_works_in_a_real_browser() {
    if std::env::var("PATRON_SKIP_BROWSER").is_ok_and(|v| v == "1") {
        eprintln!("skipped: PATRON_SKIP_BROWSER=1");
        return;
    }
    let browser_dir = root().join("cli/tests/browser");
    if let Some(what) = missing(&browser_dir) {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true");
        assert!(
            !ci,
            "the browser test cannot run under CI: {what}; run scripts/install-deps.sh"
        );
        eprintln!(
            "skipped: {what} (run scripts/install-deps.sh; PATRON_SKIP_BROWSER=1 silences this)"
        );
        return;
    }
    let policy = copy_policy(&workbench_policy());
    let server = Server::start(&["--policy", policy.path().to_str().unwrap()]);
    // The screenshots the README shows are refreshed with PATRON_BLESS=1; a normal run writes
    // them under the target directory, so that testing leaves the checkout as it was.
    let shots = match std::env::var_os("PATRON_SCREENSHOTS") {
        Some(dir) => PathBuf::from(dir),
        None if std::env::var("PATRON_BLESS").is_ok_and(|v| v == "1") => {
            root().join("docs/screenshots")
        }
        None => Path::new(env!("CARGO_TARGET_TMPDIR")).join("workbench-screenshots"),
    };
    std::fs::create_dir_all(&shots).unwrap();
    for view in ["edit", "try", "test", "compare", "plan", "save"] {
        // A screenshot left by an earlier run must not pass for this run's.
        let _ = std::fs::remove_file(shots.join(format!("workbench-{view}.png")));
    }

    // Output to files, not pipes: a pipe nobody reads could stall the script.
    let out = tempfile::tempfile().unwrap();
    let err = tempfile::tempfile().unwrap();
    let mut child = Command::new("node")
        .arg(browser_dir.join("workbench.mjs"))
        .arg(server.url("/"))
        .arg(&shots)
        .env("PATRON_CHROMIUM", chromium())
        .current_dir(&browser_dir)
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(err.try_clone().unwrap())
        .spawn()
        .expect("node runs");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let read = |mut file: std::fs::File| {
        use std::io::Seek;
        file.rewind().unwrap();
        read_all(file)
    };
    let stdout = read(out);
    let stderr = read(err);
    let report = format!(
        "--- browser script output ---\n{}\n{}\n--- server ---\n{}",
        String::from_utf8_lossy(&stdout),
        String::from_utf8_lossy(&stderr),
        server.stderr()
    );
    let status =
        status.unwrap_or_else(|| panic!("the browser script ran over {LIMIT:?}\n{report}"));
    assert!(status.success(), "the browser script failed\n{report}");
    println!("{report}");
    assert!(report.contains("all steps passed"), "{report}");
    for view in ["edit", "try", "test", "compare", "plan", "save"] {
        let shot = shots.join(format!("workbench-{view}.png"));
        assert!(
            std::fs::metadata(&shot).is_ok_and(|m| m.len() > 1000),
            "no screenshot {}",
            shot.display()
        );
    }
}
