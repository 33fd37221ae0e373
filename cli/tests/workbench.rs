//! The policy workbench's server side: the page and its assets, and the `/v1/workbench`
//! routes — errors, completions, evaluate/test/compare/plan of a draft, path confinement,
//! the all-or-nothing save with its checks and override note, and read-only mode.
//! (The browser drives the same routes in `workbench_browser.rs`.)

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};
use support::*;

/// The editable files of the policy in `dir`, as a draft's `files`.
fn draft(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name == "policy.toml" || name.ends_with(".rhai") {
            files.insert(name, std::fs::read_to_string(&path).unwrap());
        }
    }
    for entry in std::fs::read_dir(dir.join("tests")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        files.insert(
            format!("tests/{name}"),
            std::fs::read_to_string(&path).unwrap(),
        );
    }
    files
}

fn post_body(server: &Server, route: &str, body: &Value) -> Answer {
    post_json(&server.url(route), &body.to_string())
}

/// The default policy with B's visits a month changed from 2 to 3.
fn more_visits_for_b(files: &mut BTreeMap<String, String>) {
    let toml = files.get_mut("policy.toml").unwrap();
    let row = toml
        .lines()
        .find(|l| l.starts_with("B = { calls_per_week"))
        .unwrap()
        .to_string();
    assert!(row.contains("visits_per_month = 2.0"), "{row}");
    *toml = toml.replace(
        &row,
        &row.replace("visits_per_month = 2.0", "visits_per_month = 3.0"),
    );
}

fn served_hash(server: &Server) -> String {
    get(&server.url("/v1/policy"), &[]).json()["hash"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn the_page_and_its_assets_are_built_in() {
    let server = Server::start(&[]);
    let page = get(&server.url("/"), &[]);
    assert_eq!(page.status, 200);
    assert!(
        page.content_type.starts_with("text/html"),
        "{}",
        page.content_type
    );
    assert!(page.body.contains("patron policy workbench"));
    for (asset, media) in [
        ("app.js", "text/javascript"),
        ("editor.bundle.js", "text/javascript"),
        ("style.css", "text/css"),
    ] {
        let answer = get(&server.url(&format!("/workbench/{asset}")), &[]);
        assert_eq!(answer.status, 200, "{asset}");
        assert!(
            answer.content_type.starts_with(media),
            "{asset}: {}",
            answer.content_type
        );
        assert!(
            !answer.body.contains("https://"),
            "{asset} fetches from elsewhere"
        );
    }
    let missing = get(&server.url("/workbench/nope.js"), &[]);
    assert_eq!(missing.status, 404);
    assert_eq!(missing.error().1, "not_found");
    // The embedded default: the files are readable, but there is nowhere to save.
    let files = get(&server.url("/v1/workbench/files"), &[]).json();
    assert_eq!(files["savable"], false);
    assert!(files["files"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["name"] == "policy.toml"));
    let body = json!({ "files": { "policy.toml": "x" } });
    let save = post_body(&server, "/v1/workbench/save", &body);
    assert_eq!(save.status, 409, "{}", save.body);
    let example = get(&server.url("/v1/workbench/examples/customers.json"), &[]);
    assert_eq!(example.status, 200);
    assert!(example.json().as_array().unwrap().len() > 10);
    assert_eq!(
        get(&server.url("/v1/workbench/examples/..%2Fx"), &[]).status,
        404
    );
}

#[test]
fn check_reports_problems_at_their_line_and_column() {
    let dir = copy_policy(&workbench_policy());
    let server = Server::start(&["--policy", dir.path().to_str().unwrap()]);
    let mut files = draft(dir.path());
    let clean = post_body(&server, "/v1/workbench/check", &json!({ "files": files }));
    assert_eq!(clean.status, 200, "{}", clean.body);
    assert_eq!(clean.json()["errors"], 0, "{}", clean.body);

    let promote = files.get_mut("promote.rhai").unwrap();
    let line = promote
        .lines()
        .position(|l| l.starts_with("fn grade("))
        .unwrap()
        + 1;
    *promote = promote.replacen("fn grade(c, score) {", "fn grade(c, score) { let = ;", 1);
    files.insert("tests/broken.json".into(), "{ \"name\": ".into());
    let answer = post_body(&server, "/v1/workbench/check", &json!({ "files": files })).json();
    let diagnostics = answer["diagnostics"].as_array().unwrap();
    let syntax = diagnostics
        .iter()
        .find(|d| d["file"] == "promote.rhai")
        .unwrap_or_else(|| panic!("{answer}"));
    assert_eq!(syntax["severity"], "error");
    assert_eq!(syntax["line"], line, "{answer}");
    assert!(syntax["column"].as_u64().unwrap() > 20, "{answer}");
    assert!(
        diagnostics
            .iter()
            .any(|d| d["file"] == "tests/broken.json" && d["line"] == 1),
        "{answer}"
    );
    // The same problem is listed once.
    let same: Vec<_> = diagnostics
        .iter()
        .filter(|d| d["file"] == "promote.rhai")
        .collect();
    assert_eq!(same.len(), 1, "{answer}");

    // Errors of the request itself name what is wrong.
    let malformed = post_json(&server.url("/v1/workbench/check"), "{ \"files\": ");
    assert_eq!(malformed.status, 400);
    let unknown = post_body(
        &server,
        "/v1/workbench/check",
        &json!({ "files": {}, "x": 1 }),
    );
    assert_eq!(unknown.status, 422);
    assert!(unknown.body.contains('x'), "{}", unknown.body);
    for bad in [
        "../policy.toml",
        "/etc/passwd",
        "tests/../x.json",
        "notes.txt",
    ] {
        let answer = post_body(
            &server,
            "/v1/workbench/check",
            &json!({ "files": { bad: "x" } }),
        );
        assert_eq!(answer.status, 422, "{bad}");
        assert!(answer.body.contains(bad), "{bad}: {}", answer.body);
    }
}

#[test]
fn completions_list_facts_functions_and_the_drafts_params() {
    let dir = copy_policy(&workbench_policy());
    let server = Server::start(&["--policy", dir.path().to_str().unwrap()]);
    let mut files = draft(dir.path());
    files
        .get_mut("policy.toml")
        .unwrap()
        .push_str("\n[params.workbench_probe]\nlimit = 3\n");
    let answer = post_body(
        &server,
        "/v1/workbench/completions",
        &json!({ "files": files }),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    let c = answer.json();
    let has = |list: &str, name: &str| {
        c[list]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v == name || v["name"] == name || v["path"] == name)
    };
    assert!(has("facts", "revenue_365"));
    assert!(has("portfolio", "revenue_rank"));
    assert!(has("functions", "set_grade"));
    assert!(has("params", "workbench_probe.limit"));
    assert!(has("grades", "A"));
    assert!(has("stages", "converted"));
}

#[test]
fn a_draft_is_evaluated_tested_compared_and_planned() {
    let dir = copy_policy(&workbench_policy());
    let server = Server::start(&["--policy", dir.path().to_str().unwrap()]);
    let mut files = draft(dir.path());

    let customers: Vec<Value> = serde_json::from_str(&example_customers()).unwrap();
    let b_customer = customers
        .iter()
        .find(|c| c["grade"] == "B")
        .unwrap()
        .clone();
    let body = json!({ "files": files, "customer": b_customer, "as_of": "2026-11-23" });
    let evaluation = post_body(&server, "/v1/workbench/evaluate", &body);
    assert_eq!(evaluation.status, 200, "{}", evaluation.body);
    let evaluation = evaluation.json();
    assert!(evaluation["trace"]
        .as_array()
        .is_some_and(|t| !t.is_empty()));
    assert!(evaluation["grade"]["rule"]
        .as_str()
        .unwrap()
        .contains(".rhai:"));

    let tests = post_body(&server, "/v1/workbench/test", &json!({ "files": files })).json();
    assert_eq!(tests["failed"], 0, "{tests}");
    assert!(tests["passed"].as_u64().unwrap() > 0);

    // A changed cadence: B customers move, and the test run still names every case.
    more_visits_for_b(&mut files);
    let body = json!({ "files": files, "customers": example_customers(), "as_of": "2026-11-23" });
    let compared = post_body(&server, "/v1/workbench/compare", &body);
    assert_eq!(compared.status, 200, "{}", compared.body);
    let compared = compared.json();
    let report = &compared["report"];
    let total: u64 = report["grade_matrix"]
        .as_array()
        .unwrap()
        .iter()
        .map(|cell| cell["count"].as_u64().unwrap())
        .sum();
    assert_eq!(total, customers.len() as u64);
    let moves = compared["moves"].as_array().unwrap();
    assert!(!moves.is_empty());
    assert!(moves
        .iter()
        .all(|m| m["visits_per_month_from"] == 2.0 && m["visits_per_month_to"] == 3.0));
    assert_eq!(report["workload"]["cadence_changes"], moves.len());
    let more = report["workload"]["candidate_visits_per_month"]
        .as_f64()
        .unwrap()
        - report["workload"]["base_visits_per_month"]
            .as_f64()
            .unwrap();
    assert!((more - moves.len() as f64).abs() < 0.2, "{more}");

    // The same portfolio as CSV (ids only: both policies see the same bare records).
    let csv = "id,grade,region\nX-1,B,same_city\nX-2,A,same_city\n";
    let body = json!({ "files": files, "customers": csv, "as_of": "2026-11-23" });
    let from_csv = post_body(&server, "/v1/workbench/compare", &body).json();
    assert_eq!(from_csv["report"]["customers"], 2, "{from_csv}");
    let bad_csv =
        json!({ "files": files, "customers": "id,purchases\nX-1,[oops\n", "format": "csv" });
    let answer = post_body(&server, "/v1/workbench/compare", &bad_csv);
    assert_eq!(answer.status, 422);
    assert!(
        answer.body.contains("line 2") && answer.body.contains("purchases"),
        "{}",
        answer.body
    );

    let owner = customers[0]["owner"].as_str().unwrap();
    let body = json!({
        "files": files,
        "customers": example_customers(),
        "request": { "month": "2026-12", "owner": owner },
    });
    let plan = post_body(&server, "/v1/workbench/plan", &body);
    assert_eq!(plan.status, 200, "{}", plan.body);
    assert!(plan.content_type.starts_with("text/html"));
    assert!(plan.body.contains(owner));

    // A draft that does not load is a 422 naming the file.
    files.insert("score.rhai".into(), "fn score(c) {".into());
    let body = json!({ "files": files, "customer": b_customer });
    let broken = post_body(&server, "/v1/workbench/evaluate", &body);
    assert_eq!(broken.status, 422);
    assert!(broken.body.contains("score.rhai"), "{}", broken.body);
}

#[test]
fn a_save_is_checked_tested_confined_and_all_or_nothing() {
    let dir = copy_policy(&workbench_policy());
    let path = dir.path().to_str().unwrap();
    let server = Server::start(&["--policy", path]);
    let before = served_hash(&server);
    let original = draft(dir.path());
    let on_disk = || draft(dir.path());

    // Outside the policy directory: refused, nothing written.
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("x.rhai"), "outside").unwrap();
    std::os::unix::fs::symlink(outside.path().join("x.rhai"), dir.path().join("x.rhai")).unwrap();
    let mut files = original.clone();
    files.insert("x.rhai".into(), "fn x() { 1 }".into());
    let answer = post_body(&server, "/v1/workbench/save", &json!({ "files": files }));
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(answer.body.contains("outside"), "{}", answer.body);
    assert_eq!(
        std::fs::read_to_string(outside.path().join("x.rhai")).unwrap(),
        "outside"
    );
    // A link that points nowhere is refused too.
    std::fs::remove_file(outside.path().join("x.rhai")).unwrap();
    let answer = post_body(&server, "/v1/workbench/save", &json!({ "files": files }));
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(!outside.path().join("x.rhai").exists());
    std::fs::remove_file(dir.path().join("x.rhai")).unwrap();
    let mut files = original.clone();
    files.insert("../escape.rhai".into(), "fn x() { 1 }".into());
    assert_eq!(
        post_body(&server, "/v1/workbench/save", &json!({ "files": files })).status,
        422
    );
    assert!(!dir.path().join("../escape.rhai").exists());

    // A policy with an error: not saved.
    let mut files = original.clone();
    more_visits_for_b(&mut files);
    files.insert(
        "visits.rhai".into(),
        "fn visits(c, grade) { let = ; }".into(),
    );
    let answer = post_body(&server, "/v1/workbench/save", &json!({ "files": files }));
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(answer.body.contains("visits.rhai:1:"), "{}", answer.body);
    assert_eq!(on_disk(), original);

    // A failing test: not saved unless overridden, and an override needs a reason.
    let mut files = original.clone();
    more_visits_for_b(&mut files);
    let case = r#"{ "name": "B gets five visits", "as_of": "2026-11-23",
        "customer": { "id": "T-1", "grade": "B", "grade_since": "2026-01-01", "region": "same_city" },
        "expect": { "visits_per_month": 5.0 } }"#;
    files.insert("tests/workbench.json".into(), case.into());
    let answer = post_body(&server, "/v1/workbench/save", &json!({ "files": files }));
    assert_eq!(answer.status, 409, "{}", answer.body);
    assert!(
        answer.body.contains("B gets five visits"),
        "{}",
        answer.body
    );
    assert_eq!(on_disk(), original);
    assert_eq!(served_hash(&server), before);
    let body = json!({ "files": files, "override": true, "reason": "  " });
    assert_eq!(post_body(&server, "/v1/workbench/save", &body).status, 422);
    assert_eq!(on_disk(), original);

    let body = json!({ "files": files, "override": true, "reason": "agreed with sales ops" });
    let answer = post_body(&server, "/v1/workbench/save", &body);
    assert_eq!(answer.status, 200, "{}", answer.body);
    let saved = answer.json();
    assert_eq!(
        saved["overridden"][0],
        "tests/workbench.json: B gets five visits"
    );
    let toml = std::fs::read_to_string(dir.path().join("policy.toml")).unwrap();
    assert!(toml.contains("[[version_notes]]"), "{toml}");
    assert!(toml.contains("agreed with sales ops"), "{toml}");
    assert!(toml.contains("visits_per_month = 3.0"));
    assert!(dir.path().join("tests/workbench.json").exists());
    let after = served_hash(&server);
    assert_ne!(after, before);
    assert_eq!(saved["policy"]["hash"], after);
    // No temporary file is left behind.
    for sub in [dir.path().to_path_buf(), dir.path().join("tests")] {
        for entry in std::fs::read_dir(sub).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(!name.starts_with(".patron-save-"), "{name}");
        }
    }

    // A passing save: written, served; the read-back is what was saved.
    let mut files = draft(dir.path());
    files.remove("tests/workbench.json");
    std::fs::remove_file(dir.path().join("tests/workbench.json")).unwrap();
    let toml = files.get_mut("policy.toml").unwrap();
    *toml = toml.replace("visits_per_month = 3.0", "visits_per_month = 2.0");
    let answer = post_body(&server, "/v1/workbench/save", &json!({ "files": files }));
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["saved"], json!(["policy.toml"]));
    assert_eq!(on_disk(), files);
    let listed = get(&server.url("/v1/workbench/files"), &[]).json();
    assert_eq!(listed["policy"]["hash"], served_hash(&server));
}

#[test]
fn without_the_token_the_workbench_is_read_only() {
    let dir = copy_policy(&workbench_policy());
    let secret = tempfile::tempdir().unwrap();
    let token = "workbench-token-0123456789";
    let file = secret.path().join("token");
    std::fs::write(&file, token).unwrap();
    let server = Server::start(&[
        "--policy",
        dir.path().to_str().unwrap(),
        "--token-file",
        file.to_str().unwrap(),
    ]);
    let files = draft(dir.path());
    let draft_body = json!({ "files": files }).to_string();
    assert_eq!(get(&server.url("/"), &[]).status, 200);
    assert_eq!(get(&server.url("/workbench/app.js"), &[]).status, 200);
    let listed = get(&server.url("/v1/workbench/files"), &[]);
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json()["read_only"], true);
    assert_eq!(listed.json()["token_required"], true);
    for open in ["/v1/workbench/check", "/v1/workbench/completions"] {
        assert_eq!(
            post_json(&server.url(open), &draft_body).status,
            200,
            "{open}"
        );
    }
    let customer = json!({ "id": "C-1" });
    let closed = [
        (
            "/v1/workbench/evaluate",
            json!({ "files": files, "customer": customer }),
        ),
        ("/v1/workbench/test", json!({ "files": files })),
        (
            "/v1/workbench/compare",
            json!({ "files": files, "customers": "[]" }),
        ),
        (
            "/v1/workbench/plan",
            json!({ "files": files, "customers": "[]", "request": { "month": "2026-12" } }),
        ),
        ("/v1/workbench/save", json!({ "files": files })),
    ];
    for (route, body) in &closed {
        let answer = post_body(&server, route, body);
        assert_eq!(answer.status, 401, "{route}");
    }
    // A wrong token opens nothing, not even the read-only part.
    let wrong = [("Authorization", "Bearer not-the-token-at-all")];
    assert_eq!(get(&server.url("/v1/workbench/files"), &wrong).status, 401);
    // With the token everything is open, and the files say so.
    let bearer = format!("Bearer {token}");
    let with = [("Authorization", bearer.as_str())];
    assert_eq!(
        get(&server.url("/v1/workbench/files"), &with).json()["read_only"],
        false
    );
    let answer = post(
        &server.url("/v1/workbench/test"),
        "application/json",
        &json!({ "files": files }).to_string(),
        &with,
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    // The rest of the API stays closed without the token.
    assert_eq!(get(&server.url("/v1/policy"), &[]).status, 401);
}
