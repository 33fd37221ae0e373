//! Prometheus metrics, in the text format at `GET /metrics`: requests by route, method,
//! status and error kind; latency histograms by route; evaluations by outcome, error kind
//! and policy hash; reloads by outcome; streams cut short by reason; and the policy serving
//! now as `patron_policy_info{name,version,hash} 1`.
//!
//! The `prometheus` crate (TiKV's) keeps the counters and writes the text format; a hand
//! written exporter would have to get label escaping, histogram buckets and `# TYPE` lines
//! right by itself.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

use super::adapter::{Outcome, PolicyStamp};
use super::errors::{kind_name, ErrorKind};
use super::state::Shared;

/// Latency buckets, in seconds: 0.5 ms to 60 s.
const LATENCY_BUCKETS: [f64; 16] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
    60.0,
];

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    /// `patron_http_requests_total{route,method,status,kind}`.
    pub requests: IntCounterVec,
    /// `patron_http_request_duration_seconds{route}`.
    pub latency: HistogramVec,
    /// `patron_http_requests_in_flight`.
    pub in_flight: IntGauge,
    /// `patron_evaluations_total{outcome,kind,policy_hash}`.
    pub evaluations: IntCounterVec,
    /// `patron_policy_reloads_total{outcome}`.
    pub reloads: IntCounterVec,
    /// `patron_streams_cut_total{reason}`.
    pub streams_cut: IntCounterVec,
    /// `patron_policy_info{name,version,hash}`.
    pub policy: IntGaugeVec,
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "patron_http_requests_total",
                "HTTP requests answered, by route, method, status and error kind (`ok` when none)",
            ),
            &["route", "method", "status", "kind"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "patron_http_request_duration_seconds",
                "Time from a request's arrival to its response's headers, by route",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["route"],
        )
        .expect("valid metric");
        let in_flight = IntGauge::new(
            "patron_http_requests_in_flight",
            "Requests being handled now",
        )
        .expect("valid metric");
        let evaluations = IntCounterVec::new(
            Opts::new(
                "patron_evaluations_total",
                "Customer records evaluated, by outcome (`evaluated` or `failed`), error kind and policy hash",
            ),
            &["outcome", "kind", "policy_hash"],
        )
        .expect("valid metric");
        let reloads = IntCounterVec::new(
            Opts::new("patron_policy_reloads_total", "Policy reloads, by outcome"),
            &["outcome"],
        )
        .expect("valid metric");
        let streams_cut = IntCounterVec::new(
            Opts::new(
                "patron_streams_cut_total",
                "NDJSON streams that ended before their input did, by reason",
            ),
            &["reason"],
        )
        .expect("valid metric");
        let policy = IntGaugeVec::new(
            Opts::new("patron_policy_info", "The policy serving now (value 1)"),
            &["name", "version", "hash"],
        )
        .expect("valid metric");
        for metric in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(in_flight.clone()),
            Box::new(evaluations.clone()),
            Box::new(reloads.clone()),
            Box::new(streams_cut.clone()),
            Box::new(policy.clone()),
        ] {
            registry.register(metric).expect("metric registered once");
        }
        Metrics {
            registry,
            requests,
            latency,
            in_flight,
            evaluations,
            reloads,
            streams_cut,
            policy,
        }
    }

    /// Makes `stamp` the one policy of `patron_policy_info`.
    pub fn set_policy(&self, stamp: &PolicyStamp) {
        self.policy.reset();
        self.policy
            .with_label_values(&[&stamp.name, &stamp.version, &stamp.hash])
            .set(1);
    }

    /// Counts one record's outcome.
    pub fn count_outcome(&self, outcome: Outcome, policy_hash: &str) {
        self.count_outcomes(outcome, policy_hash, 1);
    }

    /// Counts `n` records with the same outcome.
    pub fn count_outcomes(&self, outcome: Outcome, policy_hash: &str, n: u64) {
        if n == 0 {
            return;
        }
        match outcome {
            None => self
                .evaluations
                .with_label_values(&["evaluated", "ok", policy_hash])
                .inc_by(n),
            Some(code) => self
                .evaluations
                .with_label_values(&["failed", &kind_name(code), policy_hash])
                .inc_by(n),
        }
    }

    /// The text format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        let encoder = TextEncoder::new();
        if let Err(e) = encoder.encode(&self.registry.gather(), &mut out) {
            return format!("# cannot encode the metrics: {e}\n");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

/// The middleware: counts every request and times it to its response's headers.
pub async fn track(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_string();
    let method = request.method().as_str().to_string();
    let metrics = &state.metrics;
    metrics.in_flight.inc();
    let response = next.run(request).await;
    metrics.in_flight.dec();
    let kind = response
        .extensions()
        .get::<ErrorKind>()
        .map_or("ok", |k| k.0.as_str());
    metrics
        .requests
        .with_label_values(&[&route, &method, response.status().as_str(), kind])
        .inc();
    metrics
        .latency
        .with_label_values(&[&route])
        .observe(started.elapsed().as_secs_f64());
    response
}
