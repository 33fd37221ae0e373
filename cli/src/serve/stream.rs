//! `POST /v1/evaluate` with `Content-Type: application/x-ndjson`: JSON Lines in, JSON Lines
//! out, with bounded memory both ways.
//!
//! The body is first written to an unnamed temporary file (asynchronously: a client that
//! sends slowly holds no worker, only its connection, and its budget still runs). Then one
//! blocking job evaluates the file chunk by chunk (the library's stream: at most 1,024
//! lines or 4 MiB a chunk, in parallel on rayon, order kept) and hands each chunk's output
//! lines to the response through a channel of two chunks; the response streams them as
//! they come. With `portfolio=scan` (the default) the file is read twice, portfolio facts
//! over all its customers first, as `patron eval` does; with `portfolio=given` once, each
//! record bringing its own facts in its `portfolio` field (or none).
//!
//! The status is decided by the first chunk: an error before any output gets its own status
//! (413, 503…). After that the status is sent; a stream that fails later (budget, a client
//! that stopped reading for `--stall-ms`) ends with one last line, the error
//! `{"error":{…}}`, and the connection is closed without the terminating chunk, so that no
//! client takes a cut stream for a complete one. A client that goes away stops the
//! evaluation at the next chunk.

use std::collections::HashMap;
use std::io::{self, BufReader};

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::adapter::{Ask, Outcome, StreamLine};
use super::budget::Budget;
use super::errors::ApiError;
use super::state::Shared;

/// Chunks of output waiting for the client, at most.
const CHANNEL_CHUNKS: usize = 2;

/// Where a stream's portfolio facts come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PortfolioSource {
    /// Computed over all the request's customers (the body is read twice).
    #[default]
    Scan,
    /// Given in each record's `portfolio` field, or none (the body is read once).
    Given,
}

/// Why a stream ended early, as the `reason` label of `patron_streams_cut_total`.
#[derive(Debug)]
enum Cut {
    /// The client went away.
    ClientGone,
    /// The client stopped taking output.
    Stalled,
    /// An error to report.
    Failed(ApiError),
}

/// The marker error of a client that went away (the output channel closed).
#[derive(Debug)]
struct ClientGone;

impl std::fmt::Display for ClientGone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the client went away")
    }
}

impl std::error::Error for ClientGone {}

/// The marker error of a client that stopped reading.
#[derive(Debug)]
struct Stalled;

impl std::fmt::Display for Stalled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the client stopped taking output")
    }
}

impl std::error::Error for Stalled {}

fn cut_of(error: io::Error) -> Cut {
    if let Some(inner) = error.get_ref() {
        if let Some(api) = inner.downcast_ref::<ApiError>() {
            return Cut::Failed(api.clone());
        }
        if inner.is::<ClientGone>() {
            return Cut::ClientGone;
        }
        if inner.is::<Stalled>() {
            return Cut::Stalled;
        }
    }
    Cut::Failed(ApiError::internal(format!("the stream failed: {error}")))
}

/// Counts a chunk's outcomes in the metrics, grouped.
fn count(state: &Shared, counted: HashMap<(Option<patron::ErrorCode>, String), u64>) {
    for ((outcome, hash), n) in counted {
        state.metrics.count_outcomes(outcome, &hash, n);
    }
}

/// The blocking job: evaluates the spooled body, sending each chunk's lines to `tx`.
fn run(
    state: Shared,
    file: std::fs::File,
    source: PortfolioSource,
    ask: Ask,
    budget: Budget,
    tx: mpsc::Sender<Bytes>,
) -> Result<(), Cut> {
    let runtime = tokio::runtime::Handle::current();
    let stall = state.config.stall;
    let fallback_hash = state.served.stamp().hash;
    let sink = |lines: Vec<StreamLine>| -> io::Result<()> {
        if budget.is_over() {
            return Err(io::Error::other(budget.exceeded()));
        }
        let mut bytes = Vec::with_capacity(lines.iter().map(|l| l.bytes.len()).sum());
        let mut counted: HashMap<(Outcome, String), u64> = HashMap::new();
        for line in lines {
            bytes.extend_from_slice(&line.bytes);
            let hash = line.hash.unwrap_or_else(|| fallback_hash.clone());
            *counted.entry((line.outcome, hash)).or_default() += 1;
        }
        let wait = tokio::time::Instant::now() + stall;
        let until = wait.min(budget.tokio_deadline());
        match runtime.block_on(tokio::time::timeout_at(until, tx.send(Bytes::from(bytes)))) {
            Ok(Ok(())) => {
                count(&state, counted);
                Ok(())
            }
            Ok(Err(_closed)) => Err(io::Error::new(io::ErrorKind::BrokenPipe, ClientGone)),
            Err(_) if budget.is_over() => Err(io::Error::other(budget.exceeded())),
            Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, Stalled)),
        }
    };
    let input = BufReader::with_capacity(1 << 20, file);
    let done = match source {
        PortfolioSource::Scan => state.served.evaluate_stream(input, true, &ask, sink),
        PortfolioSource::Given => state.served.evaluate_stream_once(input, &ask, sink),
    };
    let cut = match done.map_err(cut_of) {
        Ok(()) if budget.is_over() => Cut::Failed(budget.exceeded()),
        Ok(()) => return Ok(()),
        Err(cut) => cut,
    };
    // Counted here, when the work stops: the response may never be polled again.
    let reason = match &cut {
        Cut::ClientGone => "client_gone",
        Cut::Stalled => "stalled",
        Cut::Failed(error) if error.detail.kind == "limit" => "budget",
        Cut::Failed(_) => "error",
    };
    state.metrics.streams_cut.with_label_values(&[reason]).inc();
    Err(cut)
}

/// What the response body goes through.
struct Output {
    first: Option<Bytes>,
    rx: mpsc::Receiver<Bytes>,
    work: Option<JoinHandle<Result<(), Cut>>>,
    failure: Option<io::Error>,
}

impl Output {
    /// The next piece of the body: a chunk, the error line of a failed stream, then the
    /// error that closes the connection; `None` at a clean end.
    async fn next(mut self) -> Option<(io::Result<Bytes>, Output)> {
        if let Some(first) = self.first.take() {
            return Some((Ok(first), self));
        }
        if let Some(failure) = self.failure.take() {
            return Some((Err(failure), self));
        }
        if let Some(chunk) = self.rx.recv().await {
            return Some((Ok(chunk), self));
        }
        let work = self.work.take()?;
        let cut = match work.await {
            Ok(Ok(())) => return None,
            Ok(Err(cut)) => cut,
            Err(e) => Cut::Failed(ApiError::internal(format!(
                "the stream failed with a bug: {e}"
            ))),
        };
        let error = match cut {
            Cut::Failed(error) => error,
            Cut::Stalled => ApiError::unavailable(
                "the stream was cut: the client took no output for longer than the server's --stall-ms",
            ),
            // Nobody is left to read a line; end without the terminating chunk all the same.
            Cut::ClientGone => {
                return Some((Err(io::Error::new(io::ErrorKind::BrokenPipe, ClientGone)), self))
            }
        };
        self.failure = Some(io::Error::other(error.clone()));
        Some((Ok(Bytes::from(error.json_line())), self))
    }
}

/// Evaluates an NDJSON body (see the module's documentation).
pub async fn evaluate(
    state: Shared,
    headers: &HeaderMap,
    body: Body,
    source: PortfolioSource,
    as_of: super::adapter::Date,
    explain: bool,
) -> Result<Response, ApiError> {
    let budget = Budget::start(state.config.stream_budget);
    let file = super::body::spool(headers, body, state.config.max_stream_bytes, &budget).await?;
    let permit = budget
        .within(state.permits.clone().acquire_owned())
        .await?
        .map_err(|_| ApiError::unavailable("the server is shutting down"))?;
    let ask = Ask {
        as_of,
        explain,
        deadline: budget.deadline,
    };
    let (tx, mut rx) = mpsc::channel::<Bytes>(CHANNEL_CHUNKS);
    let job_state = state.clone();
    let work = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        run(job_state, file, source, ask, budget, tx)
    });
    // The first chunk decides the status.
    let (first, work) = match budget.within(rx.recv()).await? {
        Some(chunk) => (chunk, Some(work)),
        None => match work.await {
            Ok(Ok(())) => (Bytes::new(), None),
            Ok(Err(Cut::Failed(error))) => return Err(error),
            Ok(Err(_)) => return Err(ApiError::unavailable("the stream was cut")),
            Err(e) => {
                return Err(ApiError::internal(format!(
                    "the stream failed with a bug: {e}"
                )))
            }
        },
    };
    let output = Output {
        first: Some(first),
        rx,
        work,
        failure: None,
    };
    let stream = futures_util::stream::unfold(output, Output::next);
    let mut response = (StatusCode::OK, Body::from_stream(stream)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-ndjson"),
    );
    Ok(response)
}
