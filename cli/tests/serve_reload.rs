//! Reloads under load and `--watch`: every answer is consistent with the policy hash it
//! reports, nothing is lost or mixed up, and a broken policy on disk never serves.

mod support;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use support::*;

const AS_OF: &str = "as_of=2026-11-23";

/// The hash each of the steady fixtures has (from a server that serves it).
fn hash_of(policy: &str) -> String {
    let server = Server::start(&[
        "--policy",
        root()
            .join("tests/fixtures/policies")
            .join(policy)
            .to_str()
            .unwrap(),
    ]);
    get(&server.url("/v1/policy"), &[]).json()["hash"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn reloads_under_load_keep_every_answer_consistent() {
    let expected: BTreeMap<String, String> = ["steady-a", "steady-b"]
        .iter()
        .map(|name| (hash_of(name), name.to_string()))
        .collect();
    assert_eq!(expected.len(), 2);
    let dir = copy_policy(&root().join("tests/fixtures/policies/steady-a"));
    let manifest = dir.path().join("policy.toml");
    let text_a = std::fs::read_to_string(&manifest).unwrap();
    let text_b =
        std::fs::read_to_string(root().join("tests/fixtures/policies/steady-b/policy.toml"))
            .unwrap();
    let server = Server::start(&["--policy", dir.path().to_str().unwrap()]);
    let batch = example_customers();
    let records = serde_json::from_str::<Vec<serde_json::Value>>(&batch)
        .unwrap()
        .len();
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..3)
        .map(|client| {
            let url = server.url(&format!("/v1/evaluate?{AS_OF}"));
            let batch = batch.clone();
            let stop = stop.clone();
            let expected = expected.clone();
            std::thread::spawn(move || {
                let mut seen: BTreeMap<String, usize> = BTreeMap::new();
                let mut answers = 0;
                while !stop.load(Ordering::Relaxed) {
                    let answer = if client == 0 {
                        post_json(&url, r#"{ "id": "C-1", "grade": "B" }"#)
                    } else if client == 1 {
                        post_json(&url, &batch)
                    } else {
                        post(&url, "application/x-ndjson", &to_jsonl(&batch), &[])
                    };
                    assert_eq!(answer.status, 200, "{}", answer.body);
                    let items: Vec<serde_json::Value> = match client {
                        0 => vec![answer.json()],
                        1 => serde_json::from_str(&answer.body).unwrap(),
                        _ => answer
                            .body
                            .lines()
                            .map(|l| serde_json::from_str(l).unwrap())
                            .collect(),
                    };
                    if client > 0 {
                        assert_eq!(items.len(), records, "records lost");
                    }
                    // One answer, one policy; its name is the one of its hash.
                    let hash = items[0]["policy"]["hash"].as_str().unwrap().to_string();
                    for item in &items {
                        assert_eq!(
                            item["policy"]["hash"],
                            hash.as_str(),
                            "an answer mixes policies"
                        );
                        assert_eq!(
                            item["policy"]["name"],
                            expected[&hash].as_str(),
                            "name and hash disagree"
                        );
                    }
                    *seen.entry(hash).or_default() += 1;
                    answers += 1;
                }
                (answers, seen)
            })
        })
        .collect();
    let reloads = 60;
    for i in 0..reloads {
        std::fs::write(&manifest, if i % 2 == 0 { &text_b } else { &text_a }).unwrap();
        let answer = post_json(&server.url("/v1/policy/reload"), "");
        assert_eq!(answer.status, 200, "{}", answer.body);
        let name = answer.json()["policy"]["name"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(name, if i % 2 == 0 { "steady-b" } else { "steady-a" });
        std::thread::sleep(Duration::from_millis(15));
    }
    stop.store(true, Ordering::Relaxed);
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for client in clients {
        let (answers, by_hash) = client.join().unwrap();
        assert!(answers > 0);
        for (hash, n) in by_hash {
            *seen.entry(hash).or_default() += n;
        }
    }
    assert_eq!(seen.len(), 2, "both policies served: {seen:?}");
    let metrics = get(&server.url("/metrics"), &[]).body;
    assert_eq!(
        metric(
            &metrics,
            "patron_policy_reloads_total",
            &[("outcome", "ok")]
        ),
        Some(reloads as f64)
    );
    assert_eq!(
        metric(
            &metrics,
            "patron_evaluations_total",
            &[("outcome", "failed")]
        ),
        None
    );
}

/// Waits until the served policy's hash satisfies `done`.
fn wait_for_hash(server: &Server, done: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let hash = get(&server.url("/v1/policy"), &[]).json()["hash"]
            .as_str()
            .unwrap()
            .to_string();
        if done(&hash) {
            return hash;
        }
        assert!(Instant::now() < deadline, "the served hash stayed {hash}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn watch_reloads_changed_files_with_the_same_checks() {
    let dir = copy_policy(&root().join("policies/default"));
    let server = Server::start(&["--policy", dir.path().to_str().unwrap(), "--watch"]);
    let first = get(&server.url("/v1/policy"), &[]).json()["hash"]
        .as_str()
        .unwrap()
        .to_string();

    // A changed script is taken.
    let visits = dir.path().join("visits.rhai");
    let text = std::fs::read_to_string(&visits).unwrap();
    std::fs::write(&visits, format!("{text}\n// a comment changes the hash\n")).unwrap();
    let second = wait_for_hash(&server, |h| h != first);

    // A broken script is not: the old policy keeps serving.
    std::fs::write(&visits, "fn visits(c, grade) { cadence(1.0, 1.0, ").unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        get(&server.url("/v1/policy"), &[]).json()["hash"],
        second.as_str()
    );
    let metrics = get(&server.url("/metrics"), &[]).body;
    assert!(
        metric(
            &metrics,
            "patron_policy_reloads_total",
            &[("outcome", "failed")]
        )
        .is_some_and(|n| n >= 1.0),
        "{metrics}"
    );

    // Repaired: taken again.
    std::fs::write(&visits, &text).unwrap();
    let third = wait_for_hash(&server, |h| h == first);
    assert_eq!(third, first);
    // Files beside the policy do not concern it.
    let reloads = metric(
        &get(&server.url("/metrics"), &[]).body,
        "patron_policy_reloads_total",
        &[("outcome", "ok")],
    );
    std::fs::write(dir.path().join("NOTES.md"), "notes").unwrap();
    std::thread::sleep(Duration::from_millis(800));
    let after = metric(
        &get(&server.url("/metrics"), &[]).body,
        "patron_policy_reloads_total",
        &[("outcome", "ok")],
    );
    assert_eq!(reloads, after);
    assert!(server.stderr().contains("--watch: reloaded"));
}

#[test]
fn watch_needs_a_policy_directory() {
    let refused = Server::try_start(&["--watch"]).err().expect("refused");
    assert_eq!(refused.code, Some(2));
    assert!(
        refused.stderr.contains("--watch needs --policy"),
        "{}",
        refused.stderr
    );
}
