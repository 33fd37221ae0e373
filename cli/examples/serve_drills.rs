//! Fault drills for `patron serve`, re-runnable, against a server they start on loopback (the
//! release `patron` beside this example: `cargo build --release -p patron-cli` first). The
//! light versions of each drill are tests (`cli/tests/serve_*.rs`); these are the heavy ones
//! whose figures are in RELIABILITY.md.
//!
//! ```text
//! cargo run --release -p patron-cli --example serve_drills -- million [REQUESTS]     # memory flat
//! cargo run --release -p patron-cli --example serve_drills -- reloads [RELOADS]      # consistent with hash
//! cargo run --release -p patron-cli --example serve_drills -- disconnect [TIMES]     # client leaves mid-stream
//! cargo run --release -p patron-cli --example serve_drills -- slow [CLIENTS]         # 1 byte a second
//! cargo run --release -p patron-cli --example serve_drills -- hostile                # tests/hostile within budget
//! cargo run --release -p patron-cli --example serve_drills -- stream [RECORDS]       # NDJSON memory
//! ```

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use support::*;

const AS_OF: &str = "as_of=2026-11-23";

/// The server's resident memory in KiB (VmRSS).
fn rss_kib(pid: u32) -> u64 {
    proc_kib(pid, "VmRSS:")
}

/// A memory figure of `/proc/PID/status`, in KiB.
fn proc_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn customer(i: usize) -> String {
    format!(
        r#"{{"id":"C-{i}","grade":"C","grade_since":"2026-06-01","region":"same_city","purchases":[{{"at":"2026-05-02","amount":{}}},{{"at":"2026-10-02","amount":8000}}],"interactions":[{{"at":"2026-11-18","kind":"call"}}]}}"#,
        1000 + (i * 37) % 50_000
    )
}

/// 1,000,000 single evaluations over 8 keep-alive connections; the server's memory is
/// sampled every tenth of the run after a warm-up of 5%.
fn million(total: u64) {
    let server = Server::start(&[]);
    let url = server.url(&format!("/v1/evaluate?{AS_OF}"));
    let connections = 8;
    let sent = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..connections)
        .map(|w| {
            let (url, sent, failed) = (url.clone(), sent.clone(), failed.clone());
            std::thread::spawn(move || {
                let agent = agent();
                loop {
                    let n = sent.fetch_add(1, Ordering::Relaxed);
                    if n >= total {
                        break;
                    }
                    let body = customer((n as usize) * connections + w);
                    let ok = agent
                        .post(&url)
                        .header("Content-Type", "application/json")
                        .send(body.as_str())
                        .map(|mut r| r.status() == 200 && r.body_mut().read_to_vec().is_ok())
                        .unwrap_or(false);
                    if !ok {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    let mut samples: Vec<(u64, u64)> = Vec::new();
    let mut next = total / 20;
    while samples.len() < 20 {
        let done = sent.load(Ordering::Relaxed).min(total);
        if done >= next {
            samples.push((done, rss_kib(server.pid())));
            next += total / 20;
        }
        if workers.iter().all(|w| w.is_finished()) {
            samples.push((total, rss_kib(server.pid())));
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    for worker in workers {
        worker.join().unwrap();
    }
    let seconds = started.elapsed().as_secs_f64();
    println!("requests\tserver VmRSS (MiB)");
    for (done, kib) in &samples {
        println!("{done}\t{:.1}", *kib as f64 / 1024.0);
    }
    let after_warmup = samples
        .iter()
        .find(|(d, _)| *d >= total / 10)
        .map_or(0, |s| s.1);
    let last = samples.last().map_or(0, |s| s.1);
    let max = samples.iter().map(|s| s.1).max().unwrap_or(0);
    println!(
        "{total} requests in {seconds:.1} s ({:.0}/s), {} failed; VmRSS after 10%: {:.1} MiB, at the end: {:.1} MiB, peak {:.1} MiB (growth {:+.1} MiB)",
        total as f64 / seconds,
        failed.load(Ordering::Relaxed),
        after_warmup as f64 / 1024.0,
        last as f64 / 1024.0,
        max as f64 / 1024.0,
        (last as f64 - after_warmup as f64) / 1024.0
    );
}

/// RELOADS reloads between two policies while three clients (single, batch, stream)
/// evaluate; every answer must carry one policy whose name is the one of its hash.
fn reloads(total: usize) {
    let fixtures = root().join("tests/fixtures/policies");
    let dir = copy_policy(&fixtures.join("steady-a"));
    let manifest = dir.path().join("policy.toml");
    let a = std::fs::read_to_string(&manifest).unwrap();
    let b = std::fs::read_to_string(fixtures.join("steady-b/policy.toml")).unwrap();
    let server = Server::start(&["--policy", dir.path().to_str().unwrap()]);
    let mut hashes = BTreeMap::new();
    for (text, name) in [(&b, "steady-b"), (&a, "steady-a")] {
        std::fs::write(&manifest, text).unwrap();
        let reloaded = post_json(&server.url("/v1/policy/reload"), "").json();
        hashes.insert(
            reloaded["policy"]["hash"].as_str().unwrap().to_string(),
            name.to_string(),
        );
    }
    let batch = format!("[{}]", (0..200).map(customer).collect::<Vec<_>>().join(","));
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..3)
        .map(|kind| {
            let (url, batch, stop, hashes) = (
                server.url(&format!("/v1/evaluate?{AS_OF}")),
                batch.clone(),
                stop.clone(),
                hashes.clone(),
            );
            std::thread::spawn(move || {
                let (mut answers, mut items_checked, mut by_hash) =
                    (0u64, 0u64, BTreeMap::<String, u64>::new());
                while !stop.load(Ordering::Relaxed) {
                    let answer = match kind {
                        0 => post_json(&url, &customer(1)),
                        1 => post_json(&url, &batch),
                        _ => post(&url, "application/x-ndjson", &to_jsonl(&batch), &[]),
                    };
                    assert_eq!(answer.status, 200, "{}", answer.body);
                    let items: Vec<serde_json::Value> = match kind {
                        0 => vec![answer.json()],
                        1 => serde_json::from_str(&answer.body).unwrap(),
                        _ => answer
                            .body
                            .lines()
                            .map(|l| serde_json::from_str(l).unwrap())
                            .collect(),
                    };
                    assert_eq!(items.len(), if kind == 0 { 1 } else { 200 }, "records lost");
                    let hash = items[0]["policy"]["hash"].as_str().unwrap().to_string();
                    for item in &items {
                        assert_eq!(
                            item["policy"]["hash"],
                            hash.as_str(),
                            "an answer mixes policies"
                        );
                        assert_eq!(
                            item["policy"]["name"],
                            hashes[&hash].as_str(),
                            "name and hash disagree"
                        );
                    }
                    items_checked += items.len() as u64;
                    answers += 1;
                    *by_hash.entry(hashes[&hash].clone()).or_default() += 1;
                }
                (answers, items_checked, by_hash)
            })
        })
        .collect();
    let started = Instant::now();
    for i in 0..total {
        std::fs::write(&manifest, if i % 2 == 0 { &b } else { &a }).unwrap();
        let answer = post_json(&server.url("/v1/policy/reload"), "");
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    let seconds = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let names = ["single", "batch of 200", "stream of 200"];
    for (kind, client) in clients.into_iter().enumerate() {
        let (answers, items, by_hash) = client.join().unwrap();
        println!(
            "{}: {answers} answers, {items} items checked, by policy {by_hash:?}",
            names[kind]
        );
    }
    let metrics = get(&server.url("/metrics"), &[]).body;
    println!(
        "{total} reloads in {seconds:.1} s under load; reloads ok {:?}, failed {:?}; failed evaluations {:?}; every answer consistent with its hash",
        metric(&metrics, "patron_policy_reloads_total", &[("outcome", "ok")]),
        metric(&metrics, "patron_policy_reloads_total", &[("outcome", "failed")]),
        metric(&metrics, "patron_evaluations_total", &[("outcome", "failed")]),
    );
}

/// TIMES clients each post a 30,000-record stream, read 4 KiB of the answer and leave.
fn disconnect(times: usize) {
    let server = Server::start(&[]);
    let body: String = (0..30_000).map(|i| format!("{}\n", customer(i))).collect();
    let before = rss_kib(server.pid());
    let started = Instant::now();
    for _ in 0..times {
        let mut client = TcpStream::connect(&server.address).unwrap();
        write!(client, "POST /v1/evaluate?{AS_OF} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: {}\r\n\r\n", body.len()).unwrap();
        client.write_all(body.as_bytes()).unwrap();
        let mut head = [0u8; 4096];
        let _ = client.read(&mut head).unwrap();
        drop(client);
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    let metrics = loop {
        let metrics = get(&server.url("/metrics"), &[]).body;
        if metric(
            &metrics,
            "patron_streams_cut_total",
            &[("reason", "client_gone")],
        ) == Some(times as f64)
            || Instant::now() > deadline
        {
            break metrics;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let evaluated = metric(
        &metrics,
        "patron_evaluations_total",
        &[("outcome", "evaluated")],
    )
    .unwrap_or(0.0);
    let fine = post_json(&server.url(&format!("/v1/evaluate?{AS_OF}")), &customer(1)).status;
    println!(
        "{times} clients left mid-stream in {:.1} s: {:?} streams cut (client_gone); {evaluated} of {} records evaluated before the work stopped; VmRSS {:.1} → {:.1} MiB; next request {fine}",
        started.elapsed().as_secs_f64(),
        metric(&metrics, "patron_streams_cut_total", &[("reason", "client_gone")]),
        times * 30_000,
        before as f64 / 1024.0,
        rss_kib(server.pid()) as f64 / 1024.0,
    );
}

/// CLIENTS clients send a body one byte a second (the server runs two evaluations at once at
/// most) while one connection measures the latency of normal requests, with and without them.
fn slow(clients: usize) {
    let server = Server::start(&["--budget-ms", "5000", "--max-concurrent", "2"]);
    let url = server.url(&format!("/v1/evaluate?{AS_OF}"));
    let measure = |label: &str| {
        let agent = agent();
        let started = Instant::now();
        let mut latencies = Vec::new();
        while started.elapsed() < Duration::from_secs(4) {
            let begun = Instant::now();
            let status = agent
                .post(&url)
                .header("Content-Type", "application/json")
                .send(customer(1).as_str())
                .map(|mut r| {
                    let _ = r.body_mut().read_to_vec();
                    r.status().as_u16()
                })
                .unwrap_or(0);
            assert_eq!(status, 200);
            latencies.push(begun.elapsed());
        }
        latencies.sort();
        println!(
            "{label}: {} requests in 4 s on one connection, p50 {:.2} ms, p99 {:.2} ms",
            latencies.len(),
            latencies[latencies.len() / 2].as_secs_f64() * 1000.0,
            latencies[latencies.len() * 99 / 100].as_secs_f64() * 1000.0
        );
    };
    measure("without slow clients");
    let body = format!("{:<60}", customer(1).chars().take(40).collect::<String>());
    let slow: Vec<_> = (0..clients)
        .map(|_| {
            let (address, body) = (server.address.clone(), body.clone());
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(&address).unwrap();
                write!(stream, "POST /v1/evaluate?{AS_OF} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n", body.len()).unwrap();
                let started = Instant::now();
                for byte in body.bytes() {
                    if stream.write_all(&[byte]).is_err() {
                        break;
                    }
                    std::thread::sleep(Duration::from_secs(1));
                    if started.elapsed() > Duration::from_secs(8) {
                        break;
                    }
                }
                stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                let mut head = [0u8; 12];
                let answered = stream.read_exact(&mut head).map(|()| String::from_utf8_lossy(&head).into_owned());
                (answered.unwrap_or_else(|e| e.to_string()), started.elapsed())
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    measure(&format!("with {clients} clients sending 1 byte/s"));
    let mut answers: BTreeMap<String, usize> = BTreeMap::new();
    let mut longest = Duration::ZERO;
    for client in slow {
        let (answer, took) = client.join().unwrap();
        *answers.entry(answer).or_default() += 1;
        longest = longest.max(took);
    }
    println!(
        "the slow clients were answered: {answers:?} (budget 5 s; the last after {:.1} s)",
        longest.as_secs_f64()
    );
}

/// Every hostile policy: one hostile customer, a batch and a stream of 100, budget 2 s.
fn hostile() {
    let mut dirs: Vec<_> = std::fs::read_dir(root().join("tests/hostile"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    println!("policy\tone\tbatch of 100\tstream of 100");
    let batch = format!(
        "[{}]",
        (0..100)
            .map(|i| format!(r#"{{"id":"hostile-{i}"}}"#))
            .collect::<Vec<_>>()
            .join(",")
    );
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let server = match Server::try_start(&[
            "--policy",
            dir.to_str().unwrap(),
            "--budget-ms",
            "2000",
            "--stream-budget-ms",
            "2000",
        ]) {
            Ok(server) => server,
            Err(refused) => {
                println!("{name}\trefused at load (exit {:?})", refused.code);
                continue;
            }
        };
        let url = server.url(&format!("/v1/evaluate?{AS_OF}"));
        let mut cells = Vec::new();
        for (content_type, body) in [
            ("application/json", r#"{"id":"hostile-1"}"#.to_string()),
            ("application/json", batch.clone()),
            ("application/x-ndjson", to_jsonl(&batch)),
        ] {
            let started = Instant::now();
            let answer = post(&url, content_type, &body, &[]);
            let kind = if answer.status == 200 {
                "ok".to_string()
            } else {
                answer.error().1
            };
            cells.push(format!(
                "{} {kind} {:.0} ms",
                answer.status,
                started.elapsed().as_secs_f64() * 1000.0
            ));
        }
        println!("{name}\t{}", cells.join("\t"));
    }
}

/// One NDJSON stream of RECORDS customers through the server (the body sent from a file by
/// curl, the answer written to a file): the server's peak memory (VmHWM) before and after.
fn stream(records: usize) {
    let server = Server::start(&["--stream-budget-ms", "3600000"]);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let output = dir.path().join("out.jsonl");
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&input).unwrap());
        for i in 0..records {
            writeln!(file, "{}", customer(i)).unwrap();
        }
    }
    let size = std::fs::metadata(&input).unwrap().len();
    // Warm up (threads, runtimes), then measure the peak across the big stream.
    let _ = post(
        &server.url(&format!("/v1/evaluate?{AS_OF}")),
        "application/x-ndjson",
        &(0..2000)
            .map(|i| format!("{}\n", customer(i)))
            .collect::<String>(),
        &[],
    );
    let before = proc_kib(server.pid(), "VmHWM:");
    let started = Instant::now();
    let status = std::process::Command::new("curl")
        .args([
            "-sS",
            "--fail",
            "-H",
            "Content-Type: application/x-ndjson",
            "--data-binary",
        ])
        .arg(format!("@{}", input.display()))
        .arg("-o")
        .arg(&output)
        .arg(server.url(&format!("/v1/evaluate?{AS_OF}")))
        .status()
        .expect("curl runs");
    assert!(status.success());
    let seconds = started.elapsed().as_secs_f64();
    let lines = std::io::BufRead::lines(std::io::BufReader::new(
        std::fs::File::open(&output).unwrap(),
    ))
    .count();
    println!(
        "{records} records ({:.0} MiB in, {:.0} MiB out) streamed in {seconds:.1} s ({:.0}/s); {lines} lines out; server VmHWM {:.1} MiB after warm-up, {:.1} MiB after the stream",
        size as f64 / 1048576.0,
        std::fs::metadata(&output).unwrap().len() as f64 / 1048576.0,
        records as f64 / seconds,
        before as f64 / 1024.0,
        proc_kib(server.pid(), "VmHWM:") as f64 / 1024.0,
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n = |default: u64| {
        args.get(1)
            .map_or(default, |v| v.parse().expect("a number"))
    };
    match args.first().map(String::as_str) {
        Some("million") => million(n(1_000_000)),
        Some("reloads") => reloads(n(1_000) as usize),
        Some("disconnect") => disconnect(n(20) as usize),
        Some("slow") => slow(n(50) as usize),
        Some("hostile") => hostile(),
        Some("stream") => stream(n(1_000_000) as usize),
        _ => {
            eprintln!("usage: serve_drills million|reloads|disconnect|slow|hostile|stream [N]");
            std::process::exit(2);
        }
    }
}
