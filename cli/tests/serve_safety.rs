//! `patron serve`'s safety: the token rule, hostile policies answered within the budget,
//! a slow client that holds no worker, a client that leaves mid-stream, and graceful
//! shutdown.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use support::*;

const AS_OF: &str = "as_of=2026-11-23";

#[test]
fn beyond_loopback_a_token_is_required() {
    // No token: refused before listening.
    for listen in ["0.0.0.0:0", "[::]:0"] {
        let refused = Server::try_start(&["--listen", listen])
            .err()
            .expect("refused");
        assert_eq!(refused.code, Some(2), "{}", refused.stderr);
        assert!(
            refused.stderr.contains("without a token"),
            "{}",
            refused.stderr
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let short = dir.path().join("short");
    std::fs::write(&short, "abc\n").unwrap();
    let refused = Server::try_start(&["--token-file", short.to_str().unwrap()])
        .err()
        .expect("refused");
    assert_eq!(refused.code, Some(2));
    assert!(refused.stderr.contains("at least 16"), "{}", refused.stderr);
    let missing = Server::try_start(&["--token-file", "/nonexistent/token"])
        .err()
        .expect("refused");
    assert!(missing.stderr.contains("cannot read"), "{}", missing.stderr);

    // With a token, beyond loopback: it starts, and only the token opens the API.
    let token = "s3cret-token-0123456789";
    let file = dir.path().join("token");
    std::fs::write(&file, format!("{token}\n")).unwrap();
    let server = Server::start(&[
        "--listen",
        "0.0.0.0:0",
        "--token-file",
        file.to_str().unwrap(),
    ]);
    let port = server.address.rsplit(':').next().unwrap().to_string();
    let base = format!("http://127.0.0.1:{port}");
    let body = r#"{ "id": "C-1" }"#;
    let url = format!("{base}/v1/evaluate?{AS_OF}");
    let bearer = format!("Bearer {token}");
    let none = post(&url, "application/json", body, &[]);
    assert_eq!(none.status, 401);
    assert_eq!(none.error(), (20, "unauthorized".into()));
    assert_eq!(
        none.authenticate.as_deref(),
        Some("Bearer realm=\"patron\"")
    );
    for wrong in [
        "Bearer s3cret-token-012345678",
        "Bearer s3cret-token-01234567890",
        "Basic czNjcmV0",
        "Bearer",
        token,
    ] {
        let answer = post(&url, "application/json", body, &[("Authorization", wrong)]);
        assert_eq!(answer.status, 401, "{wrong}");
    }
    let right = post(
        &url,
        "application/json",
        body,
        &[("Authorization", &bearer)],
    );
    assert_eq!(right.status, 200, "{}", right.body);
    let lower = post(
        &url,
        "application/json",
        body,
        &[("Authorization", &format!("bearer {token}"))],
    );
    assert_eq!(lower.status, 200);
    // Probes and the API description are open; metrics and unknown routes are not.
    for open in ["/healthz", "/readyz", "/openapi.json"] {
        assert_eq!(get(&format!("{base}{open}"), &[]).status, 200, "{open}");
    }
    for closed in ["/metrics", "/v1/policy", "/nope"] {
        assert_eq!(get(&format!("{base}{closed}"), &[]).status, 401, "{closed}");
    }
    assert_eq!(
        get(&format!("{base}/metrics"), &[("Authorization", &bearer)]).status,
        200
    );
}

/// A copy of `tests/hostile/endless-loop` whose limits only the request's budget can stop:
/// no operation limit, the longest script time budget a policy may set (60 s).
fn unstoppable_policy() -> tempfile::TempDir {
    let dir = copy_policy(&root().join("tests/hostile/endless-loop"));
    let manifest = dir.path().join("policy.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let text = text.replacen(
        "[params",
        "[limits]\nmax_operations = 0\ntime_budget_ms = 60000\n\n[params",
        1,
    );
    std::fs::write(&manifest, text).unwrap();
    dir
}

#[test]
fn hostile_policies_are_answered_within_the_budget() {
    let budget = Duration::from_millis(600);
    let margin = Duration::from_millis(1500);
    let unstoppable = unstoppable_policy();
    let mut dirs: Vec<std::path::PathBuf> = std::fs::read_dir(root().join("tests/hostile"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.push(unstoppable.path().to_path_buf());
    assert!(dirs.len() >= 19);
    let mut served = 0;
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let started = Server::try_start(&[
            "--policy",
            dir.to_str().unwrap(),
            "--budget-ms",
            "600",
            "--stream-budget-ms",
            "600",
        ]);
        let server = match started {
            Ok(server) => server,
            Err(refused) => {
                // Source nested too deep is refused at load: the server does not start.
                assert_eq!(refused.code, Some(4), "{name}: {}", refused.stderr);
                assert!(
                    refused.stderr.contains("policy"),
                    "{name}: {}",
                    refused.stderr
                );
                continue;
            }
        };
        served += 1;
        let url = server.url(&format!("/v1/evaluate?{AS_OF}"));
        let hostile_batch = format!(
            "[{}]",
            (0..6)
                .map(|i| format!(r#"{{"id":"hostile-{i}"}}"#))
                .collect::<Vec<_>>()
                .join(",")
        );
        for (what, content_type, body) in [
            (
                "one",
                "application/json",
                r#"{ "id": "hostile-1" }"#.to_string(),
            ),
            ("batch", "application/json", hostile_batch.clone()),
            ("stream", "application/x-ndjson", to_jsonl(&hostile_batch)),
        ] {
            let started = Instant::now();
            let answer = post(&url, content_type, &body, &[]);
            let took = started.elapsed();
            assert!(
                took < budget + margin,
                "{name} {what}: answered after {took:?}"
            );
            assert!(
                matches!(answer.status, 200 | 422 | 503),
                "{name} {what}: {answer:?}"
            );
            if answer.status != 200 {
                let (code, _) = answer.error();
                assert!(matches!(code, 6 | 7), "{name} {what}: {answer:?}");
            }
            if answer.status == 503 {
                assert_eq!(answer.retry_after.as_deref(), Some("1"), "{name}");
            }
        }
        // And a normal customer is still evaluated as by the default policy.
        let normal = post_json(
            &url,
            r#"{ "id": "C-1", "grade": "B", "region": "same_city" }"#,
        );
        assert_eq!(normal.status, 200, "{name}: {}", normal.body);
        assert_eq!(normal.json()["grade"]["to"], "B", "{name}");
    }
    assert!(served >= 15, "only {served} hostile policies loaded");
}

#[test]
fn the_budget_stops_what_only_the_budget_can_stop() {
    let dir = unstoppable_policy();
    let server = Server::start(&[
        "--policy",
        dir.path().to_str().unwrap(),
        "--budget-ms",
        "300",
        "--max-concurrent",
        "1",
    ]);
    let url = server.url(&format!("/v1/evaluate?{AS_OF}"));
    let started = Instant::now();
    let answer = post_json(&url, r#"{ "id": "hostile-1" }"#);
    assert_eq!(answer.status, 503, "{}", answer.body);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // The work stopped too: the one permit is free again, so the next request runs at once.
    let started = Instant::now();
    let normal = post_json(&url, r#"{ "id": "C-1" }"#);
    assert_eq!(normal.status, 200, "{}", normal.body);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_slow_client_holds_no_worker() {
    // One permit for evaluations: if a slow client held it, nothing else would run.
    let server = Server::start(&["--max-concurrent", "1", "--budget-ms", "1500"]);
    let body = r#"{ "id": "C-1" }"#;
    // 40 bytes at 10 a second: 4 s, far over the budget.
    let slow_body = format!("{body:<40}");
    let mut slow = TcpStream::connect(&server.address).unwrap();
    write!(
        slow,
        "POST /v1/evaluate?{AS_OF} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        slow_body.len()
    )
    .unwrap();
    let started = Instant::now();
    let sender = {
        let mut slow = slow.try_clone().unwrap();
        std::thread::spawn(move || {
            // One byte every 100 ms: never done within the budget.
            for byte in slow_body.bytes() {
                if slow.write_all(&[byte]).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    // Meanwhile others are answered at once.
    for _ in 0..20 {
        let quick = Instant::now();
        let answer = post_json(&server.url(&format!("/v1/evaluate?{AS_OF}")), body);
        assert_eq!(answer.status, 200);
        assert!(
            quick.elapsed() < Duration::from_millis(500),
            "{:?}",
            quick.elapsed()
        );
    }
    // The slow one gets 503 when its budget runs out.
    slow.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut head = [0u8; 12];
    slow.read_exact(&mut head).unwrap();
    assert_eq!(&head, b"HTTP/1.1 503", "{}", String::from_utf8_lossy(&head));
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(1400) && took < Duration::from_secs(3),
        "{took:?}"
    );
    drop(slow);
    let _ = sender.join();

    // A client that sends its headers slowly is answered by the header timeout, not a worker:
    // it does not block anyone either.
    let mut idle = TcpStream::connect(&server.address).unwrap();
    idle.write_all(b"POST /v1/evaluate HTTP/1.1\r\nHo").unwrap();
    let answer = post_json(&server.url(&format!("/v1/evaluate?{AS_OF}")), body);
    assert_eq!(answer.status, 200);
}

#[test]
fn a_client_that_leaves_mid_stream_stops_the_work() {
    let server = Server::start(&["--stall-ms", "2000"]);
    let record = r#"{"id":"C-X","grade":"C","region":"same_city","purchases":[{"at":"2026-10-01","amount":900}],"interactions":[{"at":"2026-11-01","kind":"call"}]}"#;
    let body: String = (0..30_000)
        .map(|i| format!("{}\n", record.replace("C-X", &format!("C-{i}"))))
        .collect();
    let mut client = TcpStream::connect(&server.address).unwrap();
    write!(
        client,
        "POST /v1/evaluate?{AS_OF} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    client.write_all(body.as_bytes()).unwrap();
    let mut head = [0u8; 4096];
    let n = client.read(&mut head).unwrap();
    assert!(
        String::from_utf8_lossy(&head[..n]).starts_with("HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&head[..n])
    );
    drop(client);
    // The evaluation notices at its next chunk and stops.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let metrics = get(&server.url("/metrics"), &[]).body;
        let cut = metric(
            &metrics,
            "patron_streams_cut_total",
            &[("reason", "client_gone")],
        );
        let evaluated = metric(
            &metrics,
            "patron_evaluations_total",
            &[("outcome", "evaluated")],
        )
        .unwrap_or(0.0);
        if cut == Some(1.0) {
            assert!(
                evaluated < 30_000.0,
                "every record was evaluated anyway: {evaluated}"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the stream was not cut:\n{metrics}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // And the server goes on.
    assert_eq!(
        post_json(
            &server.url(&format!("/v1/evaluate?{AS_OF}")),
            r#"{ "id": "a" }"#
        )
        .status,
        200
    );
}

#[test]
fn a_client_that_stops_reading_is_cut_after_the_stall_time() {
    let server = Server::start(&["--stall-ms", "300"]);
    let record = r#"{"id":"C-X","grade":"C","region":"same_city","purchases":[{"at":"2026-10-01","amount":900}]}"#;
    let body: String = (0..40_000)
        .map(|i| format!("{}\n", record.replace("C-X", &format!("C-{i}"))))
        .collect();
    let mut client = TcpStream::connect(&server.address).unwrap();
    write!(
        client,
        "POST /v1/evaluate?{AS_OF} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    client.write_all(body.as_bytes()).unwrap();
    // Read nothing: the socket buffers fill, the server waits 300 ms, then cuts the stream.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let metrics = get(&server.url("/metrics"), &[]).body;
        if metric(
            &metrics,
            "patron_streams_cut_total",
            &[("reason", "stalled")],
        ) == Some(1.0)
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the stalled stream was not cut:\n{metrics}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // What the client then reads is a cut stream: no terminating chunk.
    client
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let received = read_all(&mut client);
    assert!(
        !received.ends_with(b"0\r\n\r\n"),
        "the stream ended as if complete"
    );
}

#[test]
fn shutdown_lets_requests_in_flight_finish_and_refuses_new_ones() {
    for signal in ["TERM", "INT"] {
        let policy = root().join("tests/hostile/endless-loop");
        let mut server =
            Server::start(&["--policy", policy.to_str().unwrap(), "--budget-ms", "10000"]);
        let url = server.url(&format!("/v1/evaluate?{AS_OF}"));
        // 16 hostile customers at 100 ms each on 2 cores: the request takes about a second.
        let batch = format!(
            "[{}]",
            (0..16)
                .map(|i| format!(r#"{{"id":"hostile-{i}"}}"#))
                .collect::<Vec<_>>()
                .join(",")
        );
        let in_flight = std::thread::spawn(move || post_json(&url, &batch));
        std::thread::sleep(Duration::from_millis(300));
        server.signal(signal);
        let answer = in_flight.join().unwrap();
        assert_eq!(answer.status, 200, "{signal}: {}", answer.body);
        assert_eq!(answer.json().as_array().unwrap().len(), 16);
        let status = server
            .wait_exit(Duration::from_secs(10))
            .expect("the server exits");
        assert_eq!(status.code(), Some(0), "{signal}");
        assert!(
            TcpStream::connect(&server.address).is_err(),
            "{signal}: still accepting"
        );
        let stderr = server.stderr();
        assert!(stderr.contains("shutting down"), "{stderr}");
        assert!(stderr.contains("all requests finished"), "{stderr}");
    }
}
