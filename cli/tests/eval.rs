//! `patron eval` and `patron policy show` as a user runs them: formats, exit codes, errors.

use assert_cmd::Command;

const INPUT: &str = r#"{ "id": "C-1", "grade": "C", "grade_since": "2026-06-01", "purchases": [ { "at": "2026-05-01", "amount": 10 }, { "at": "2026-10-01", "amount": 5 } ] }
{ "id": "C-2", "grade": "nope" }
{ "id": "C-3" }
"#;

fn patron() -> Command {
    Command::cargo_bin("patron").unwrap()
}

#[test]
fn eval_json_keeps_one_item_per_record_and_exits_1_on_record_errors() {
    let output = patron()
        .args(["eval", "-", "--as-of", "2026-11-23", "--format", "json"])
        .write_stdin(INPUT)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let items: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let items = items.as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["grade"]["to"], "B");
    assert_eq!(items[1]["line"], 2);
    assert_eq!(items[1]["error"]["code"], 4);
    assert_eq!(items[2]["stage"]["to"], "market_research");
    assert!(String::from_utf8_lossy(&output.stderr).contains("1 of 3 record(s) failed"));
}

#[test]
fn eval_formats() {
    let good = "{ \"id\": \"C-1\" }\n{ \"id\": \"C-2\", \"grade\": \"A\" }\n";
    let jsonl = patron()
        .args(["eval", "--as-of", "2026-11-23", "--format", "jsonl"])
        .write_stdin(good)
        .assert()
        .success();
    let text = String::from_utf8(jsonl.get_output().stdout.clone()).unwrap();
    assert_eq!(text.lines().count(), 2);
    for line in text.lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap();
    }
    let csv = patron()
        .args(["eval", "--as-of", "2026-11-23", "--format", "csv"])
        .write_stdin(good)
        .assert()
        .success();
    let text = String::from_utf8(csv.get_output().stdout.clone()).unwrap();
    assert_eq!(text.lines().count(), 3);
    assert!(text.starts_with("customer_id,line,score,grade_from,grade_to"));
    let table = patron()
        .args([
            "eval",
            "--as-of",
            "2026-11-23",
            "--format",
            "table",
            "--explain",
        ])
        .write_stdin(good)
        .assert()
        .success();
    let text = String::from_utf8(table.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains("2 record(s): 2 evaluated, 0 failed"),
        "{text}"
    );
    assert!(text.contains("trace  promote.rhai::grade"), "{text}");
}

#[test]
fn exit_codes_for_bad_input_and_bad_policy() {
    patron()
        .args(["eval", "/no/such/file.json"])
        .assert()
        .code(3);
    patron()
        .args(["eval", "--as-of", "23/11/2026"])
        .write_stdin("")
        .assert()
        .code(3);
    patron()
        .args(["eval", "--as-of", "2026-11-23"])
        .write_stdin("[ { \"id\": ")
        .assert()
        .code(3);
    patron()
        .args([
            "eval",
            "--policy",
            "/no/such/policy",
            "--as-of",
            "2026-11-23",
        ])
        .write_stdin("")
        .assert()
        .code(4);
    patron().args(["eval", "--format", "yaml"]).assert().code(2);
}

#[test]
fn policy_show_prints_identity_and_parameters() {
    let shown = patron().args(["policy", "show"]).assert().success();
    let text = String::from_utf8(shown.get_output().stdout.clone()).unwrap();
    assert!(text.contains("name:        default"));
    assert!(text.contains("hash:        sha256:"));
    assert!(text.contains("params.weights.revenue = 0.3"), "{text}");
    let json = patron()
        .args(["policy", "show", "--json"])
        .assert()
        .success();
    let info: serde_json::Value = serde_json::from_slice(&json.get_output().stdout).unwrap();
    assert_eq!(info["grades"].as_array().unwrap().len(), 6);
}

#[test]
fn test_command_passes_the_default_policy_and_fails_a_wrong_case() {
    let policy = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies/default");
    let passed = patron().arg("test").arg(&policy).assert().success();
    let text = String::from_utf8(passed.get_output().stdout.clone()).unwrap();
    assert!(
        text.lines().last().unwrap().ends_with("passed, 0 failed"),
        "{text}"
    );

    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("wrong-case-policy");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    for entry in std::fs::read_dir(&policy).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
        }
    }
    std::fs::write(
        dir.join("tests/wrong.json"),
        r#"{ "name": "expects A", "as_of": "2026-11-23", "customer": { "id": "W" }, "expect": { "grade": "A" } }"#,
    )
    .unwrap();
    let failed = patron().arg("test").arg(&dir).assert().code(1);
    let text = String::from_utf8(failed.get_output().stdout.clone()).unwrap();
    assert!(text.contains("FAIL tests/wrong.json: expects A"), "{text}");
    // A record with nothing known is E (000: to be investigated), not F (issue 14).
    assert!(text.contains("W grade: expected A, got E"), "{text}");
    assert!(text.contains("0 passed, 1 failed"), "{text}");
}

/// Runs `patron eval` on `args` with `stdin` as standard input; (exit code, stdout).
fn eval_with(args: &[&str], stdin: std::process::Stdio) -> (Option<i32>, Vec<u8>) {
    let output = std::process::Command::new(assert_cmd::cargo::cargo_bin("patron"))
        .arg("eval")
        .args(args)
        .stdin(stdin)
        .output()
        .unwrap();
    (output.status.code(), output.stdout)
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let path = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn json_lines_stream_to_what_the_same_records_as_an_array_give() {
    let examples =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/customers.json");
    let records: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&examples).unwrap()).unwrap();
    let mut lines: Vec<String> = records
        .iter()
        .map(|r| serde_json::to_string(r).unwrap())
        .collect();
    lines.insert(3, "garbage".into());
    lines.insert(7, "   ".into());
    let jsonl = temp_file("eval-stream.jsonl", &(lines.join("\n") + "\n"));
    // The array has the same records on the same lines (the garbage becomes a bad element).
    let mut array_lines: Vec<String> = lines
        .iter()
        .map(|l| match l.as_str() {
            "garbage" => "\"garbage\",".to_string(),
            "   " => String::new(),
            l => format!("{l},"),
        })
        .collect();
    let last = array_lines.last_mut().unwrap();
    last.pop();
    let array = temp_file(
        "eval-stream.json",
        &format!("[{}]\n", array_lines.join("\n")),
    );
    for format in ["json", "jsonl", "csv", "table"] {
        let args = ["--as-of", "2026-11-23", "--format", format];
        let file = |path: &std::path::Path| {
            let mut all = vec![path.to_str().unwrap()];
            all.extend(args);
            eval_with(&all, std::process::Stdio::null())
        };
        let (code, from_array) = file(&array);
        assert_eq!(code, Some(1), "{format}");
        let (code, from_lines) = file(&jsonl);
        assert_eq!(code, Some(1), "{format}");
        assert_eq!(
            String::from_utf8_lossy(&from_array),
            String::from_utf8_lossy(&from_lines),
            "{format}"
        );
        // Standard input redirected from the file (seekable) and piped (spooled).
        let redirected = eval_with(
            &args,
            std::process::Stdio::from(std::fs::File::open(&jsonl).unwrap()),
        );
        assert_eq!(redirected, (Some(1), from_lines.clone()), "{format}");
        let piped = patron()
            .arg("eval")
            .args(args)
            .write_stdin(std::fs::read(&jsonl).unwrap())
            .output()
            .unwrap();
        assert_eq!(piped.stdout, from_lines, "{format}");
    }
}

#[test]
fn a_batch_larger_than_a_chunk_is_still_one_portfolio() {
    // More records than one chunk of the stream (1,024) or of the old batch loop (4,096).
    let n = 4200;
    let lines: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "{{\"id\":\"C-{i}\",\"purchases\":[{{\"at\":\"2026-10-01\",\"amount\":{}}}]}}",
                i % 97
            )
        })
        .collect();
    let jsonl = temp_file("eval-large.jsonl", &(lines.join("\n") + "\n"));
    let array = temp_file("eval-large.json", &format!("[{}]", lines.join(",\n")));
    let mut outputs = Vec::new();
    for path in [&jsonl, &array] {
        let (code, out) = eval_with(
            &[
                path.to_str().unwrap(),
                "--as-of",
                "2026-11-23",
                "--format",
                "jsonl",
            ],
            std::process::Stdio::null(),
        );
        assert_eq!(code, Some(0));
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), n);
        for line in text.lines() {
            let item: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(item["portfolio"]["size"], n, "{line}");
        }
        let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        // C-0 bought nothing: after the 4,156 who did, first of the ties by id.
        assert_eq!(first["portfolio"]["revenue_rank"], 4157, "{first}");
        outputs.push(text);
    }
    assert_eq!(outputs[0], outputs[1]);
}

#[test]
fn portfolio_given_reads_once_and_takes_the_records_own_facts() {
    let facts = r#"{ "size": 9, "revenue_rank": 3, "revenue_share": 0.1, "revenue_cum_share": 0.5, "recency_quintile": 2, "frequency_quintile": 3, "monetary_quintile": 4 }"#;
    let input = format!(
        "{{ \"id\": \"C-1\" }}\n{{ \"id\": \"C-2\", \"portfolio\": {facts} }}\nnot a record\n"
    );
    let args = ["eval", "-", "--as-of", "2026-11-23", "--format", "jsonl"];
    let run = |extra: &[&str]| {
        let output = patron()
            .args(args)
            .args(extra)
            .write_stdin(input.clone())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .collect::<Vec<_>>()
    };
    let one = run(&["--portfolio", "given"]);
    assert_eq!(one.len(), 3);
    assert!(one[0]["portfolio"].is_null(), "{}", one[0]);
    assert_eq!(one[1]["portfolio"]["size"], 9);
    assert_eq!(one[2]["line"], 3);
    // Two passes: the portfolio of the two records that parsed, for the first one.
    let two = run(&[]);
    assert_eq!(run(&["--portfolio", "scan"]), two);
    assert_eq!(two[0]["portfolio"]["size"], 2);
    assert_eq!(two[1]["portfolio"]["size"], 9);
    // Not for a JSON array, nor for Parquet.
    for (stdin, extra) in [
        ("[ { \"id\": \"C-1\" } ]", vec!["--portfolio", "given"]),
        (
            "",
            vec!["--portfolio", "given", "--input-format", "parquet"],
        ),
    ] {
        let output = patron()
            .args(args)
            .args(&extra)
            .write_stdin(stdin)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{extra:?}");
        assert!(String::from_utf8_lossy(&output.stderr).contains("--portfolio given"));
    }
}
