//! The client examples of `examples/clients/` against a live server: the Python one
//! (`requests`) runs, the Java one (`java.net.http`) compiles and runs.
//! `scripts/install-deps.sh` installs what they need (a JDK, Python's `requests`).

mod support;

use std::process::Command;

use support::*;

const TOKEN: &str = "example-token-0123456789";

fn server_with_token() -> (Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, TOKEN).unwrap();
    (
        Server::start(&["--token-file", file.to_str().unwrap()]),
        dir,
    )
}

#[test]
fn the_python_client_runs() {
    let has_requests = Command::new("python3")
        .args(["-c", "import requests"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        has_requests,
        "python3 with `requests` is needed: run scripts/install-deps.sh"
    );
    let (server, _dir) = server_with_token();
    let output = Command::new("python3")
        .arg(root().join("examples/clients/python_client.py"))
        .args([&server.base, TOKEN])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("C-1001: grade C -> B, 1.0 calls/week, policy sha256:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("C-1001 B\nC-1002 invalid_input"),
        "{stdout}"
    );
    // Without the token the same client fails.
    let refused = Command::new("python3")
        .arg(root().join("examples/clients/python_client.py"))
        .arg(&server.base)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("401"));
}

#[test]
fn the_java_client_compiles_and_runs() {
    let classes = tempfile::tempdir().unwrap();
    let compiled = Command::new("javac")
        .args(["-d", classes.path().to_str().unwrap()])
        .arg(root().join("examples/clients/JavaClient.java"))
        .output();
    let compiled = compiled.expect("javac is needed: run scripts/install-deps.sh");
    assert!(
        compiled.status.success(),
        "{}",
        String::from_utf8_lossy(&compiled.stderr)
    );
    let (server, _dir) = server_with_token();
    let output = Command::new("java")
        .args([
            "-cp",
            classes.path().to_str().unwrap(),
            "JavaClient",
            &server.base,
            TOKEN,
        ])
        .output()
        .expect("java runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let evaluation: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(evaluation["customer_id"], "C-1001");
    assert_eq!(evaluation["grade"]["to"], "B");
}
