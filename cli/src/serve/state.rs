//! What every request shares: the served engine, the configuration, the metrics, the gate
//! that bounds how much CPU-bound work runs at once, and whether the server is draining.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::{Mutex, Semaphore};

use super::adapter::{PolicyStamp, Served};
use super::config::Config;
use super::errors::ApiError;
use super::metrics::Metrics;

/// The server's shared state.
pub struct State {
    /// The engine and its policy.
    pub served: Served,
    /// The checked configuration.
    pub config: Config,
    /// Prometheus metrics.
    pub metrics: Metrics,
    /// Permits for CPU-bound work (`Config::max_concurrent`).
    pub permits: Arc<Semaphore>,
    /// One reload at a time (the endpoint and `--watch`).
    reloading: Mutex<()>,
    /// Set when a shutdown signal arrived: `/readyz` answers 503.
    draining: AtomicBool,
}

/// The state as handlers receive it.
pub type Shared = Arc<State>;

impl State {
    /// The state for `served` under `config`.
    pub fn new(served: Served, config: Config) -> Shared {
        let metrics = Metrics::new();
        metrics.set_policy(&served.stamp());
        Arc::new(State {
            permits: Arc::new(Semaphore::new(config.max_concurrent)),
            served,
            config,
            metrics,
            reloading: Mutex::new(()),
            draining: AtomicBool::new(false),
        })
    }

    /// Marks the server as draining (shutdown signal received).
    pub fn drain(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    /// Whether a shutdown signal arrived.
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    /// Reloads the policy from its directory, one reload at a time, off the async threads;
    /// records the outcome in the metrics. 409 without a directory; 422 when the candidate
    /// fails (the old policy keeps serving).
    pub async fn reload(self: &Arc<Self>) -> Result<PolicyStamp, ApiError> {
        self.reload_checked(true).await
    }

    /// [`reload`](State::reload), with the policy's own test cases run first or not
    /// (`run_cases: false`: a workbench save whose failing tests the author overrode).
    pub async fn reload_checked(
        self: &Arc<Self>,
        run_cases: bool,
    ) -> Result<PolicyStamp, ApiError> {
        let _one_at_a_time = self.reloading.lock().await;
        let state = self.clone();
        let result = tokio::task::spawn_blocking(move || {
            if run_cases {
                state.served.reload()
            } else {
                state.served.replace_from_dir()
            }
        })
        .await
        .map_err(|e| ApiError::internal(format!("the reload failed with a bug: {e}")))?;
        match result {
            None => Err(ApiError::conflict(
                "the server serves the embedded default policy (no --policy DIR): there is nothing to reload",
            )),
            Some(Ok(stamp)) => {
                self.metrics.set_policy(&stamp);
                self.metrics.reloads.with_label_values(&["ok"]).inc();
                Ok(stamp)
            }
            Some(Err(error)) => {
                self.metrics.reloads.with_label_values(&["failed"]).inc();
                Err(ApiError::from_library(&error))
            }
        }
    }
}
