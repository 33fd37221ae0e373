//! A bounded load generator for `patron serve`, against loopback only: N connections
//! (threads with keep-alive), each sending requests until a count or a time is reached;
//! prints throughput and latency percentiles. It starts its own server (the `patron` beside
//! it, `cargo build --release` first) unless `--url` names one.
//!
//! ```text
//! cargo run --release -p patron-cli --example serve_load -- --connections 8 --seconds 10
//! cargo run --release -p patron-cli --example serve_load -- --kind batch --batch 10000 --connections 1 --requests 20
//! ```

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What to send.
#[derive(Clone)]
struct Load {
    url: String,
    body: Arc<String>,
    token: Option<String>,
}

/// The outcome of one run.
pub struct Figures {
    pub requests: u64,
    pub errors: u64,
    pub seconds: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

/// A customer as the examples have them, with a distinct id.
fn customer(i: usize) -> String {
    format!(
        r#"{{"id":"C-{i}","owner":"rep-{}","grade":"C","grade_since":"2026-06-01","region":"same_city","purchases":[{{"at":"2026-05-02","amount":{}}},{{"at":"2026-10-02","amount":8000}}],"interactions":[{{"at":"2026-11-18","kind":"call"}}],"receivables":[{{"due":"2026-11-25","amount":5000,"paid":false}}]}}"#,
        i % 7,
        1000 + (i * 37) % 50_000
    )
}

/// Runs `connections` clients until `requests` in all or `seconds` have passed.
fn run(load: &Load, connections: usize, requests: Option<u64>, seconds: Option<f64>) -> Figures {
    let sent = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let limit = requests.unwrap_or(u64::MAX);
    let until = Instant::now() + Duration::from_secs_f64(seconds.unwrap_or(86_400.0));
    let started = Instant::now();
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let (load, sent, errors, stop) =
                (load.clone(), sent.clone(), errors.clone(), stop.clone());
            std::thread::spawn(move || {
                let agent = support::agent();
                let mut latencies = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    if sent.fetch_add(1, Ordering::Relaxed) >= limit || Instant::now() >= until {
                        stop.store(true, Ordering::Relaxed);
                        break;
                    }
                    let mut request = agent
                        .post(&load.url)
                        .header("Content-Type", "application/json");
                    if let Some(token) = &load.token {
                        request = request.header("Authorization", &format!("Bearer {token}"));
                    }
                    let begun = Instant::now();
                    let ok = match request.send(load.body.as_str()) {
                        Ok(mut response) => {
                            let status = response.status().as_u16();
                            let body = response
                                .body_mut()
                                .with_config()
                                .limit(1 << 30)
                                .read_to_vec();
                            status == 200 && body.is_ok()
                        }
                        Err(_) => false,
                    };
                    latencies.push(begun.elapsed());
                    if !ok {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
                latencies
            })
        })
        .collect();
    let mut latencies: Vec<Duration> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort();
    Figures {
        requests: latencies.len() as u64,
        errors: errors.load(Ordering::Relaxed),
        seconds,
        p50_ms: percentile(&latencies, 0.50),
        p99_ms: percentile(&latencies, 0.99),
        max_ms: latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
    }
}

fn value<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let connections: usize =
        value(&args, "--connections").map_or(1, |v| v.parse().expect("--connections N"));
    let requests: Option<u64> =
        value(&args, "--requests").map(|v| v.parse().expect("--requests N"));
    let seconds: Option<f64> = value(&args, "--seconds").map(|v| v.parse().expect("--seconds S"));
    let kind = value(&args, "--kind").unwrap_or("single");
    let batch: usize = value(&args, "--batch").map_or(10_000, |v| v.parse().expect("--batch N"));
    let token = value(&args, "--token").map(str::to_string);
    assert!(
        requests.is_some() || seconds.is_some(),
        "give --requests N or --seconds S: a load run is bounded"
    );
    let _server;
    let base = match value(&args, "--url") {
        Some(url) => {
            let host = url
                .trim_start_matches("http://")
                .split(['/', ':'])
                .next()
                .unwrap_or("");
            assert!(
                host == "localhost" || host.starts_with("127.") || host == "[::1]",
                "--url must be a loopback address: this tool loads only this machine"
            );
            url.trim_end_matches('/').to_string()
        }
        None => {
            let server = support::Server::start(&["--budget-ms", "60000"]);
            let base = server.base.clone();
            _server = server;
            base
        }
    };
    let body = match kind {
        "single" => customer(1),
        "batch" => format!(
            "[{}]",
            (0..batch).map(customer).collect::<Vec<_>>().join(",")
        ),
        other => panic!("--kind single|batch, not {other}"),
    };
    let load = Load {
        url: format!("{base}/v1/evaluate?as_of=2026-11-23"),
        body: Arc::new(body),
        token,
    };
    // Warm-up: every worker thread compiles the policy once.
    run(&load, connections, Some(connections as u64 * 20), None);
    let f = run(&load, connections, requests, seconds);
    let customers = if kind == "batch" { batch as f64 } else { 1.0 };
    println!(
        "kind {kind}{} · {connections} connection(s) · {} requests in {:.2} s · {:.0} req/s · {:.0} customers/s · p50 {:.2} ms · p99 {:.2} ms · max {:.2} ms · {} error(s)",
        if kind == "batch" { format!(" of {batch}") } else { String::new() },
        f.requests,
        f.seconds,
        f.requests as f64 / f.seconds,
        f.requests as f64 * customers / f.seconds,
        f.p50_ms,
        f.p99_ms,
        f.max_ms,
        f.errors
    );
}
