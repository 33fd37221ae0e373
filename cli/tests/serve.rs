//! `patron serve` end to end: the real binary on an ephemeral loopback port, every
//! endpoint, every error status and body, the metrics and the OpenAPI document.

mod support;

use support::*;

const AS_OF: &str = "as_of=2026-11-23";

fn default_server() -> Server {
    Server::start(&[
        "--policy",
        root().join("policies/default").to_str().unwrap(),
    ])
}

#[test]
fn evaluate_one_many_and_explained() {
    let server = default_server();
    let one = post_json(
        &server.url(&format!("/v1/evaluate?{AS_OF}")),
        r#"{ "id": "C-1", "grade": "C", "grade_since": "2026-06-01",
             "purchases": [ { "at": "2026-05-01", "amount": 10 }, { "at": "2026-10-01", "amount": 5 } ] }"#,
    );
    assert_eq!(one.status, 200, "{}", one.body);
    assert!(one.content_type.starts_with("application/json"));
    let evaluation = one.json();
    assert_eq!(evaluation["grade"]["to"], "B");
    assert_eq!(evaluation["as_of"], "2026-11-23");
    assert!(evaluation.get("trace").is_none());

    let explained = post_json(
        &server.url(&format!("/v1/evaluate?{AS_OF}&explain=true")),
        r#"{ "id": "C-1", "grade": "C" }"#,
    );
    assert_eq!(explained.status, 200);
    assert!(explained.json()["trace"]
        .as_array()
        .is_some_and(|t| !t.is_empty()));

    // A batch: one item per record, the bad one in its place, the status still 200.
    let batch = post_json(
        &server.url(&format!("/v1/evaluate?{AS_OF}")),
        r#"[ { "id": "C-1", "purchases": [ { "at": "2026-10-01", "amount": 900 } ] },
             { "id": "C-2", "grade": "Z" },
             { "id": "C-3" } ]"#,
    );
    assert_eq!(batch.status, 200, "{}", batch.body);
    let items = batch.json();
    let items = items.as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["customer_id"], "C-1");
    assert_eq!(items[0]["portfolio"]["revenue_rank"], 1);
    assert_eq!(items[1]["customer_id"], "C-2");
    assert_eq!(items[1]["error"]["code"], 4);
    assert_eq!(items[1]["error"]["kind"], "invalid_input");
    assert_eq!(items[2]["customer_id"], "C-3");
}

#[test]
fn a_stream_answers_what_a_batch_answers() {
    let server = default_server();
    let customers = example_customers();
    let batch = post_json(&server.url(&format!("/v1/evaluate?{AS_OF}")), &customers);
    assert_eq!(batch.status, 200);
    let batch: Vec<serde_json::Value> = serde_json::from_str(&batch.body).unwrap();

    let mut jsonl = to_jsonl(&customers);
    jsonl.push_str("not a record\n");
    let stream = post(
        &server.url(&format!("/v1/evaluate?{AS_OF}")),
        "application/x-ndjson",
        &jsonl,
        &[],
    );
    assert_eq!(stream.status, 200, "{}", stream.body);
    assert!(stream.content_type.starts_with("application/x-ndjson"));
    let lines: Vec<serde_json::Value> = stream
        .body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), batch.len() + 1);
    assert_eq!(
        lines[..batch.len()],
        batch[..],
        "portfolio facts over the whole stream"
    );
    assert_eq!(lines[batch.len()]["line"], batch.len() + 1);
    assert_eq!(lines[batch.len()]["error"]["code"], 4);

    // `portfolio=given`: one pass; records bring their own facts or have none.
    let given = post(
        &server.url(&format!("/v1/evaluate?{AS_OF}&portfolio=given")),
        "application/x-ndjson",
        "{\"id\":\"C-1\"}\n\n{\"id\":\"C-2\",\"portfolio\":{\"size\":9,\"revenue_rank\":4,\"revenue_share\":0.1,\"revenue_cum_share\":0.5,\"recency_quintile\":1,\"frequency_quintile\":1,\"monetary_quintile\":1,\"owner_customers\":1,\"owner_grade_counts\":{}}}\n",
        &[],
    );
    assert_eq!(given.status, 200, "{}", given.body);
    let lines: Vec<serde_json::Value> = given
        .body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].get("portfolio").is_none());
    assert_eq!(lines[1]["portfolio"]["revenue_rank"], 4);

    // An empty stream is an empty answer.
    let empty = post(&server.url("/v1/evaluate"), "application/x-ndjson", "", &[]);
    assert_eq!((empty.status, empty.body.as_str()), (200, ""));
}

#[test]
fn plan_in_every_format() {
    let server = default_server();
    let body = format!(
        r#"{{ "request": {{ "month": "2026-12", "owner": "rep-01" }}, "customers": {} }}"#,
        example_customers()
    );
    let url = server.url("/v1/plan");
    let json = post_json(&url, &body);
    assert_eq!(json.status, 200, "{}", json.body);
    let plan = json.json();
    assert_eq!(plan["month"], "2026-12");
    assert_eq!(plan["owner"], "rep-01");
    assert!(plan["entries"].as_array().is_some_and(|e| !e.is_empty()));
    for (accept, starts, content_type) in [
        ("text/calendar", "BEGIN:VCALENDAR", "text/calendar"),
        ("text/html", "<!DOCTYPE html>", "text/html"),
        ("text/csv", "date,", "text/csv"),
    ] {
        let answer = post(&url, "application/json", &body, &[("Accept", accept)]);
        assert_eq!(answer.status, 200, "{accept}: {}", answer.body);
        assert!(
            answer.content_type.starts_with(content_type),
            "{}",
            answer.content_type
        );
        assert!(
            answer.body.trim_start().starts_with(starts),
            "{accept}: {}",
            &answer.body[..80.min(answer.body.len())]
        );
    }
    let refused = post(&url, "application/json", &body, &[("Accept", "image/png")]);
    assert_eq!(refused.status, 406);
    assert_eq!(refused.error(), (25, "not_acceptable".into()));
    // The library's field errors come through.
    let bad_month = post_json(
        &url,
        r#"{ "request": { "month": "2026-13" }, "customers": [ { "id": "a" } ] }"#,
    );
    assert_eq!(bad_month.status, 422, "{}", bad_month.body);
    assert_eq!(bad_month.error().0, 4);
    assert!(bad_month.body.contains("month"), "{}", bad_month.body);
    let missing = post_json(&url, r#"{ "customers": [] }"#);
    assert_eq!(missing.status, 422, "{}", missing.body);
    assert!(missing.body.contains("request"), "{}", missing.body);
}

/// A copy of the default policy with `candidates/busy` beside it: the same policy whose A
/// customers are called three times a week.
fn policy_with_candidate() -> tempfile::TempDir {
    let dir = copy_policy(&root().join("policies/default"));
    let candidate = dir.path().join("candidates/busy");
    std::fs::create_dir_all(&candidate).unwrap();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), candidate.join(entry.file_name())).unwrap();
        }
    }
    let visits = candidate.join("visits.rhai");
    let text = std::fs::read_to_string(&visits).unwrap();
    std::fs::write(&visits, text.replace("fn visits(c, grade) {", "fn visits(c, grade) {\n    if grade == \"A\" { return cadence(3.0, 4.0, \"busier\"); }")).unwrap();
    dir
}

#[test]
fn diff_a_candidate_by_directory_or_by_files() {
    let dir = policy_with_candidate();
    let server = Server::start(&["--policy", dir.path().to_str().unwrap()]);
    let customers = r#"[ { "id": "A-1", "grade": "A", "grade_since": "2026-01-01", "region": "same_city",
                          "purchases": [ { "at": "2026-11-01", "amount": 50000 } ] },
                        { "id": "C-1", "grade": "C" } ]"#;
    let url = server.url(&format!("/v1/diff?{AS_OF}"));
    let by_dir = post_json(
        &url,
        &format!(r#"{{ "candidate": {{ "dir": "candidates/busy" }}, "customers": {customers} }}"#),
    );
    assert_eq!(by_dir.status, 200, "{}", by_dir.body);
    let report = by_dir.json();
    assert_eq!(report["customers"], 2);
    assert_eq!(report["workload"]["cadence_changes"], 1);
    assert!(
        report["workload"]["candidate_calls_per_month"].as_f64()
            > report["workload"]["base_calls_per_month"].as_f64()
    );

    // The same candidate posted as files (its policy files: the README stays behind) gives
    // the same report.
    let mut files = serde_json::Map::new();
    for entry in std::fs::read_dir(dir.path().join("candidates/busy")).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name != "policy.toml" && !name.ends_with(".rhai") {
            continue;
        }
        files.insert(
            entry.file_name().to_string_lossy().into_owned(),
            std::fs::read_to_string(entry.path()).unwrap().into(),
        );
    }
    let body = serde_json::json!({ "candidate": { "files": files }, "customers": serde_json::from_str::<serde_json::Value>(customers).unwrap() });
    let by_files = post_json(&url, &body.to_string());
    assert_eq!(by_files.status, 200, "{}", by_files.body);
    assert_eq!(by_files.json(), report);

    // Confinement: nothing outside the policy directory is read.
    let outside = tempfile::tempdir().unwrap();
    copy_dir(&dir.path().join("candidates/busy"), outside.path());
    std::os::unix::fs::symlink(outside.path(), dir.path().join("escape")).unwrap();
    let outside_name = outside.path().to_str().unwrap().to_string();
    for name in [
        "../busy",
        "candidates/../../x",
        outside_name.as_str(),
        "escape",
        "missing",
    ] {
        let answer = post_json(
            &url,
            &format!(
                r#"{{ "candidate": {{ "dir": {} }}, "customers": [] }}"#,
                serde_json::to_string(name).unwrap()
            ),
        );
        assert_eq!(answer.status, 422, "{name}: {}", answer.body);
        assert_eq!(answer.error(), (4, "invalid_input".into()), "{name}");
    }
    // A candidate that does not load is a policy error naming its file and line.
    let broken = post_json(
        &url,
        r#"{ "candidate": { "files": { "policy.toml": "name = [" } }, "customers": [] }"#,
    );
    assert_eq!(broken.status, 422, "{}", broken.body);
    assert_eq!(broken.error(), (5, "policy".into()));
    assert!(broken.body.contains("policy.toml"), "{}", broken.body);
    let both = post_json(
        &url,
        r#"{ "candidate": { "dir": "candidates/busy", "files": { "policy.toml": "" } }, "customers": [] }"#,
    );
    assert_eq!(both.status, 422);
    let bad_name = post_json(
        &url,
        r#"{ "candidate": { "files": { "../policy.toml": "" } }, "customers": [] }"#,
    );
    assert_eq!(bad_name.status, 422);
}

#[test]
fn policy_show_and_reload() {
    let dir = copy_policy(&root().join("tests/fixtures/policies/steady-a"));
    let server = Server::start(&["--policy", dir.path().to_str().unwrap()]);
    let shown = get(&server.url("/v1/policy"), &[]);
    assert_eq!(shown.status, 200, "{}", shown.body);
    let info = shown.json();
    assert_eq!(info["name"], "steady-a");
    let hash_a = info["hash"].as_str().unwrap().to_string();
    assert!(hash_a.starts_with("sha256:"));
    assert_eq!(info["grades"][0], "A");
    assert!(info["tiers"].as_array().is_some_and(|t| !t.is_empty()));
    // `rules` are the handbook rules the policy cites; `entries` its entry functions.
    assert!(info["rules"].as_array().is_some());
    let rules = info["entries"].as_array().unwrap();
    let names: Vec<String> = rules
        .iter()
        .map(|r| {
            format!(
                "{}::{}",
                r["file"].as_str().unwrap(),
                r["function"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        names[..3],
        [
            "score.rhai::score",
            "promote.rhai::grade",
            "promote.rhai::stage"
        ]
    );
    assert!(
        rules[0]["params"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "weights.revenue"),
        "{}",
        rules[0]
    );

    // A broken policy on disk: 422, and the old one keeps serving.
    let manifest = dir.path().join("policy.toml");
    let good = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, good.replace("[grades]", "[grades\n")).unwrap();
    let failed = post_json(&server.url("/v1/policy/reload"), "");
    assert_eq!(failed.status, 422, "{}", failed.body);
    assert_eq!(failed.error(), (5, "policy".into()));
    assert!(
        failed.body.contains("still serving steady-a"),
        "{}",
        failed.body
    );
    assert_eq!(
        get(&server.url("/v1/policy"), &[]).json()["hash"],
        hash_a.as_str()
    );

    // The B variant: reloaded, and evaluations carry its stamp.
    std::fs::write(&manifest, good.replace("steady-a", "steady-b")).unwrap();
    let reloaded = post_json(&server.url("/v1/policy/reload"), "");
    assert_eq!(reloaded.status, 200, "{}", reloaded.body);
    let stamp = &reloaded.json()["policy"];
    assert_eq!(stamp["name"], "steady-b");
    assert_ne!(stamp["hash"], hash_a.as_str());
    let evaluated = post_json(
        &server.url(&format!("/v1/evaluate?{AS_OF}")),
        r#"{ "id": "x" }"#,
    );
    assert_eq!(evaluated.json()["policy"], *stamp);
    let ready = get(&server.url("/readyz"), &[]);
    assert_eq!(ready.json()["policy"], *stamp);

    let metrics = get(&server.url("/metrics"), &[]).body;
    assert_eq!(
        metric(
            &metrics,
            "patron_policy_reloads_total",
            &[("outcome", "ok")]
        ),
        Some(1.0)
    );
    assert_eq!(
        metric(
            &metrics,
            "patron_policy_reloads_total",
            &[("outcome", "failed")]
        ),
        Some(1.0)
    );
    assert_eq!(
        metric(
            &metrics,
            "patron_policy_info",
            &[("hash", stamp["hash"].as_str().unwrap())]
        ),
        Some(1.0)
    );
    assert_eq!(
        metric(&metrics, "patron_policy_info", &[("hash", &hash_a)]),
        None
    );

    // Without a policy directory there is nothing to reload.
    let embedded = Server::start(&[]);
    let conflict = post_json(&embedded.url("/v1/policy/reload"), "");
    assert_eq!(conflict.status, 409);
    assert_eq!(conflict.error(), (26, "conflict".into()));
    let by_dir = post_json(
        &embedded.url("/v1/diff"),
        r#"{ "candidate": { "dir": "x" }, "customers": [] }"#,
    );
    assert_eq!(by_dir.status, 409);
}

#[test]
fn every_error_status_has_the_error_body() {
    let hostile = root().join("tests/hostile/endless-loop");
    let server = Server::start(&[
        "--policy",
        hostile.to_str().unwrap(),
        "--max-body-bytes",
        "2000",
        "--max-stream-bytes",
        "3000",
        "--budget-ms",
        "400",
        "--stream-budget-ms",
        "400",
    ]);
    let evaluate = server.url(&format!("/v1/evaluate?{AS_OF}"));
    let cases: Vec<(Answer, u16, i64, &str)> = vec![
        (post_json(&evaluate, r#"{ "id": "#), 400, 3, "invalid_json"),
        (post_json(&evaluate, "[1, 2"), 400, 3, "invalid_json"),
        (post_json(&evaluate, "42"), 400, 3, "invalid_json"),
        (post_json(&evaluate, "  "), 400, 3, "invalid_json"),
        (
            post(&evaluate, "application/json", "{\"id\": \"\u{0}\"}", &[]),
            400,
            3,
            "invalid_json",
        ),
        (
            post_json(&evaluate, r#"{ "id": "C-1", "grade": "Z" }"#),
            422,
            4,
            "invalid_input",
        ),
        (
            post_json(&evaluate, r#"{ "grade": "A" }"#),
            422,
            4,
            "invalid_input",
        ),
        (
            post_json(&server.url("/v1/evaluate?as_of=soon"), r#"{ "id": "a" }"#),
            422,
            4,
            "invalid_input",
        ),
        (
            post_json(
                &server.url("/v1/evaluate?explain=maybe"),
                r#"{ "id": "a" }"#,
            ),
            422,
            4,
            "invalid_input",
        ),
        (
            post_json(
                &server.url("/v1/evaluate?portfolio=given"),
                r#"{ "id": "a" }"#,
            ),
            422,
            4,
            "invalid_input",
        ),
        // The hostile policy's own limit on one customer: its error, within the budget.
        (
            post_json(&evaluate, r#"{ "id": "hostile-1" }"#),
            422,
            7,
            "limit",
        ),
        (get(&server.url("/v2/evaluate"), &[]), 404, 21, "not_found"),
        (get(&server.url("/nowhere"), &[]), 404, 21, "not_found"),
        (get(&evaluate, &[]), 405, 22, "method_not_allowed"),
        (
            post_json(&server.url("/healthz"), ""),
            405,
            22,
            "method_not_allowed",
        ),
        (
            post_json(
                &evaluate,
                &format!("[{}]", vec![r#"{"id":"x"}"#; 300].join(",")),
            ),
            413,
            23,
            "payload_too_large",
        ),
        (
            post(
                &evaluate,
                "application/x-ndjson",
                &"{\"id\":\"x\"}\n".repeat(400),
                &[],
            ),
            413,
            23,
            "payload_too_large",
        ),
        (
            post(&evaluate, "text/plain", "{}", &[]),
            415,
            24,
            "unsupported_media_type",
        ),
        (
            post(&server.url("/v1/plan"), "application/x-ndjson", "{}", &[]),
            415,
            24,
            "unsupported_media_type",
        ),
    ];
    for (answer, status, code, kind) in &cases {
        assert_eq!(answer.status, *status, "{answer:?}");
        assert_eq!(answer.error(), (*code, kind.to_string()), "{answer:?}");
        assert!(
            answer.content_type.starts_with("application/json"),
            "{answer:?}"
        );
    }

    // 413 without Content-Length: a chunked body is counted as it arrives.
    for (content_type, limit) in [("application/json", 2000), ("application/x-ndjson", 3000)] {
        let mut socket = std::net::TcpStream::connect(&server.address).unwrap();
        let head = format!(
            "POST /v1/evaluate?{AS_OF} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        );
        std::io::Write::write_all(&mut socket, head.as_bytes()).unwrap();
        let piece = format!("[{}", r#"{"id":"x"},"#.repeat(50));
        for _ in 0..(limit / piece.len() + 2) {
            let chunk = format!("{:x}\r\n{piece}\r\n", piece.len());
            if std::io::Write::write_all(&mut socket, chunk.as_bytes()).is_err() {
                break;
            }
        }
        let _ = std::io::Write::write_all(&mut socket, b"0\r\n\r\n");
        let answer = String::from_utf8_lossy(&read_all(&mut socket)).into_owned();
        assert!(
            answer.starts_with("HTTP/1.1 413"),
            "{content_type}: {answer}"
        );
        assert!(
            answer.contains("\"kind\":\"payload_too_large\""),
            "{answer}"
        );
    }

    // 503: a batch of hostile customers takes longer than the budget. Each runs to its
    // operations limit, 30-100 ms depending on the build and the machine, so the batch is
    // large enough (90 of them, under the body limit) to outlast 400 ms on two threads of a
    // release build too.
    let hostile_batch = format!(
        "[{}]",
        (0..90)
            .map(|i| format!(r#"{{"id":"hostile-{i}"}}"#))
            .collect::<Vec<_>>()
            .join(",")
    );
    let started = std::time::Instant::now();
    let over = post_json(&evaluate, &hostile_batch);
    let took = started.elapsed();
    assert_eq!(over.status, 503, "{}", over.body);
    assert_eq!(over.error(), (7, "limit".into()));
    assert_eq!(over.retry_after.as_deref(), Some("1"));
    assert!(
        took < std::time::Duration::from_secs(3),
        "answered after {took:?}"
    );
    // The same over a stream, before any output: 503 too.
    let over = post(
        &evaluate,
        "application/x-ndjson",
        &to_jsonl(&hostile_batch),
        &[],
    );
    assert_eq!(over.status, 503, "{}", over.body);
    assert_eq!(over.retry_after.as_deref(), Some("1"));
    // The server is fine afterwards.
    let fine = post_json(&evaluate, r#"{ "id": "C-1", "grade": "B" }"#);
    assert_eq!(fine.status, 200, "{}", fine.body);

    let metrics = get(&server.url("/metrics"), &[]).body;
    for (status, kind) in [
        ("400", "invalid_json"),
        ("404", "not_found"),
        ("405", "method_not_allowed"),
        ("413", "payload_too_large"),
        ("415", "unsupported_media_type"),
        ("422", "limit"),
        ("503", "limit"),
    ] {
        assert!(
            metric(
                &metrics,
                "patron_http_requests_total",
                &[("status", status), ("kind", kind)]
            )
            .is_some_and(|n| n >= 1.0),
            "no {status} {kind} in\n{metrics}"
        );
    }
    assert!(metric(
        &metrics,
        "patron_evaluations_total",
        &[("outcome", "failed"), ("kind", "limit")]
    )
    .is_some_and(|n| n >= 1.0));
    assert!(metric(
        &metrics,
        "patron_evaluations_total",
        &[("outcome", "evaluated")]
    )
    .is_some_and(|n| n >= 1.0));
    assert!(metric(
        &metrics,
        "patron_http_request_duration_seconds_count",
        &[("route", "/v1/evaluate")]
    )
    .is_some_and(|n| n >= 10.0));
}

#[test]
fn probes_metrics_and_the_openapi_document() {
    let server = default_server();
    let health = get(&server.url("/healthz"), &[]);
    assert_eq!(
        (health.status, health.json()["status"].as_str()),
        (200, Some("ok"))
    );
    let ready = get(&server.url("/readyz"), &[]);
    assert_eq!(ready.status, 200);
    assert_eq!(ready.json()["policy"]["name"], "default");

    let evaluated = post_json(
        &server.url(&format!("/v1/evaluate?{AS_OF}")),
        &example_customers(),
    );
    assert_eq!(evaluated.status, 200);
    let records = evaluated.json().as_array().unwrap().len() as f64;
    let metrics = get(&server.url("/metrics"), &[]);
    assert!(metrics.content_type.starts_with("text/plain"));
    let hash = ready.json()["policy"]["hash"].as_str().unwrap().to_string();
    assert_eq!(
        metric(
            &metrics.body,
            "patron_evaluations_total",
            &[("outcome", "evaluated"), ("policy_hash", &hash)]
        ),
        Some(records)
    );
    assert_eq!(
        metric(
            &metrics.body,
            "patron_policy_info",
            &[("name", "default"), ("hash", &hash)]
        ),
        Some(1.0)
    );
    assert!(metrics
        .body
        .contains("# TYPE patron_http_request_duration_seconds histogram"));
    assert_eq!(
        metric(
            &metrics.body,
            "patron_http_requests_total",
            &[("route", "/v1/evaluate"), ("status", "200")]
        ),
        Some(1.0)
    );

    let openapi = get(&server.url("/openapi.json"), &[]);
    assert_eq!(openapi.status, 200);
    let doc = openapi.json();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    for (path, method) in [
        ("/v1/evaluate", "post"),
        ("/v1/plan", "post"),
        ("/v1/diff", "post"),
        ("/v1/policy", "get"),
        ("/v1/policy/reload", "post"),
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
        ("/openapi.json", "get"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} is not documented"
        );
        // And the route exists: anything but 404.
        let answer = if method == "get" {
            get(&server.url(path), &[])
        } else {
            post_json(&server.url(path), "{}")
        };
        assert_ne!(answer.status, 404, "{path}");
    }
    let schemas = &doc["components"]["schemas"];
    for schema in [
        "Evaluation",
        "Customer",
        "BatchItem",
        "ErrorEnvelope",
        "Plan",
        "ImpactReport",
        "PolicyInfo",
    ] {
        assert!(schemas[schema].is_object(), "no schema {schema}");
    }
    // The schema of an evaluation names the fields of a real one.
    let properties = schemas["Evaluation"]["properties"].as_object().unwrap();
    let real = post_json(
        &server.url(&format!("/v1/evaluate?{AS_OF}&explain=true")),
        r#"{ "id": "C-1" }"#,
    )
    .json();
    for field in real.as_object().unwrap().keys() {
        assert!(properties.contains_key(field), "the schema lacks `{field}`");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    // A body is an object or an array, untagged: the document must say so.
    let body = schemas["EvaluateBody"]["oneOf"].as_array().unwrap();
    assert_eq!(body[0]["$ref"], "#/components/schemas/Customer", "{body:?}");
    assert_eq!(body[1]["type"], "array", "{body:?}");
}
