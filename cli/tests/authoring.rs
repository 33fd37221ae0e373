//! `patron check` and `patron diff` as a policy author runs them.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn patron() -> Command {
    Command::cargo_bin("patron").unwrap()
}

fn default_policy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies/default")
}

/// A copy of the default policy with `(file, from, to)` edits applied.
fn edited_policy(name: &str, edits: &[(&str, &str, &str)]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(default_policy()).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
        }
    }
    for (file, from, to) in edits {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        assert!(text.contains(from), "{file} lacks {from}");
        std::fs::write(dir.join(file), text.replacen(from, to, 1)).unwrap();
    }
    dir
}

#[test]
fn check_passes_the_default_policy() {
    let out = patron()
        .arg("check")
        .arg(default_policy())
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        text.trim_end().ends_with("0 error(s), 0 warning(s)"),
        "{text}"
    );
}

#[test]
fn check_shows_every_problem_with_the_line_and_a_caret() {
    let dir = edited_policy(
        "check-broken",
        &[
            ("promote.rhai", r#"set_grade("F","#, r#"set_grade("G","#),
            (
                "visits.rhai",
                "let calls = row.calls_per_week;",
                "let calls = ;",
            ),
        ],
    );
    let out = patron().arg("check").arg(&dir).assert().code(1);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("visits.rhai:10:"), "{text}");
    assert!(
        text.contains("let calls = ;"),
        "the offending line is shown: {text}"
    );
    assert!(text.contains("promote.rhai:"), "{text}");
    assert!(text.contains("unknown grade `G`"), "{text}");
    assert!(text.contains('╰'), "a caret label: {text}");
    assert!(
        text.trim_end().ends_with("2 error(s), 0 warning(s)"),
        "{text}"
    );
}

#[test]
fn check_of_a_missing_directory_exits_4() {
    patron().args(["check", "/no/such/policy"]).assert().code(4);
}

#[test]
fn diff_reports_transitions_and_workload() {
    let candidate = edited_policy(
        "diff-candidate",
        &[(
            "policy.toml",
            "C = { calls_per_week = 0.5, visits_per_month = 1.0",
            "C = { calls_per_week = 1.0, visits_per_month = 2.0",
        )],
    );
    let input = "{ \"id\": \"a\", \"grade\": \"C\", \"grade_since\": \"2026-11-01\" }\n{ \"id\": \"b\", \"grade\": \"A\", \"grade_since\": \"2026-11-01\" }\n";
    let out = patron()
        .args(["diff", "--as-of", "2026-11-23", "--candidate"])
        .arg(&candidate)
        .arg("--base")
        .arg(default_policy())
        .write_stdin(input)
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("2 customer(s)"), "{text}");
    assert!(text.contains("grades: 0 change(s)"), "{text}");
    assert!(
        text.contains("visits 5.0 → 6.0 (+1.0); 1 cadence change(s)"),
        "{text}"
    );

    let out = patron()
        .args([
            "diff",
            "--as-of",
            "2026-11-23",
            "--format",
            "json",
            "--candidate",
        ])
        .arg(&candidate)
        .write_stdin(input)
        .assert()
        .success();
    let report: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(report["workload"]["cadence_changes"], 1);
    assert_eq!(report["base"]["name"], "default");
}
