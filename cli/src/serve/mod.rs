//! `patron serve`: the decision service — the same policies, JSON contract and guarantees as
//! the library, over HTTP, for systems that cannot link a C library.
//!
//! Modules: `config` (options and the start-up rules), `adapter` (every call into the
//! library), `state`, `routes` (the router and the handlers), `body` (reading bodies),
//! `stream` (NDJSON), `budget` (the per-request time budget and the blocking work),
//! `errors`, `auth` (the bearer token), `metrics`, `openapi`, `paths` (confinement to the
//! policy directory), `watch`, `shutdown` and `workbench` (the policy workbench's page,
//! assets and files).
//!
//! The server speaks HTTP/1.1 (hyper), reads request headers within
//! [`HEADER_TIMEOUT`], and runs all CPU-bound work on tokio's blocking threads (each
//! batch in parallel on rayon) so that the async threads only move bytes.

// `patron::Error` carries the record, the location and the message; it is large but only
// on the cold path, as the library says of it.
#![allow(clippy::result_large_err)]

mod adapter;
mod auth;
mod body;
mod budget;
mod config;
mod errors;
mod metrics;
mod openapi;
mod paths;
mod routes;
mod shutdown;
mod state;
mod stream;
mod watch;
mod workbench;

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

pub use config::ServeArgs;

use crate::{Failure, EXIT_POLICY};

/// How long a client has to send a request's headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Blocking threads beyond `--max-concurrent`, for file I/O.
const BLOCKING_SPARE: usize = 8;

/// How long an idle blocking thread is kept.
const BLOCKING_KEEP_ALIVE: Duration = Duration::from_secs(600);

/// Drain time beyond the longest budget, after a shutdown signal.
const DRAIN_MARGIN: Duration = Duration::from_secs(5);

/// Runs `patron serve` until SIGTERM or SIGINT.
pub fn run(args: ServeArgs) -> Result<u8, Failure> {
    let config = config::Config::from_args(args)?;
    // Blocking threads: the evaluations (at most `max_concurrent` at once) and file I/O.
    // Kept alive long, since each compiles the policy once on first use (per-thread
    // runtimes) and a thread that comes and goes would compile it again and again.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(config.max_concurrent + BLOCKING_SPARE)
        .thread_keep_alive(BLOCKING_KEEP_ALIVE)
        .thread_name("patron-serve")
        .build()
        .map_err(|e| Failure::new(1, format!("cannot start the runtime: {e}")))?;
    runtime.block_on(serve(config))
}

async fn serve(config: config::Config) -> Result<u8, Failure> {
    let served = adapter::Served::load(config.policy_dir.as_deref())
        .map_err(|e| Failure::new(EXIT_POLICY, format!("the policy failed to load: {e}")))?;
    let listener = TcpListener::bind(config.listen.as_slice())
        .await
        .map_err(|e| Failure::new(2, format!("cannot listen on {:?}: {e}", config.listen)))?;
    let address = listener
        .local_addr()
        .map_err(|e| Failure::new(2, format!("cannot read the listening address: {e}")))?;
    let drain = config
        .budget
        .max(config.stream_budget)
        .min(Duration::from_secs(60))
        + DRAIN_MARGIN;
    let watch = config.watch;
    let state = state::State::new(served, config);
    let _watcher = if watch {
        Some(watch::start(state.clone()).map_err(|e| Failure::new(2, e))?)
    } else {
        None
    };
    let app = routes::router(state.clone());
    let stamp = state.served.stamp();
    eprintln!(
        "patron: serving policy {} {} ({})",
        stamp.name, stamp.version, stamp.hash
    );
    println!("listening on http://{address}");
    let _ = std::io::stdout().flush();

    let graceful = GracefulShutdown::new();
    let signal = shutdown::signal();
    tokio::pin!(signal);
    loop {
        let (socket, _peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little, keep serving.
                    eprintln!("patron: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut signal => break,
        };
        let _ = socket.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .serve_connection(TokioIo::new(socket), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
        });
    }
    // Stop accepting: new connections are refused from here on.
    drop(listener);
    state.drain();
    eprintln!("patron: shutting down; letting the requests in flight finish");
    tokio::select! {
        () = graceful.shutdown() => eprintln!("patron: all requests finished; stopped"),
        () = tokio::time::sleep(drain) => eprintln!(
            "patron: requests still running after {} s; stopped anyway",
            drain.as_secs()
        ),
    }
    drop(Arc::clone(&state));
    Ok(0)
}
