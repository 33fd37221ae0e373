//! The per-request time budget. A request's deadline is set when it arrives; reading its
//! body, waiting for a permit to run and the evaluation itself all count. CPU-bound work runs
//! on tokio's blocking threads (never on the async workers, so a slow evaluation does not
//! stall other connections) with the deadline passed into the library, which stops a running
//! script at it and starts no record after it; the handler answers 503 with `Retry-After` at
//! the deadline whatever the work is doing.

use std::time::{Duration, Instant};

use super::errors::ApiError;
use super::state::Shared;

/// A request's time budget.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// The budget's length.
    pub length: Duration,
    /// When it runs out.
    pub deadline: Instant,
}

impl Budget {
    /// A budget of `length` starting now.
    pub fn start(length: Duration) -> Budget {
        Budget {
            length,
            deadline: Instant::now() + length,
        }
    }

    /// The deadline on tokio's clock.
    pub fn tokio_deadline(&self) -> tokio::time::Instant {
        tokio::time::Instant::from_std(self.deadline)
    }

    /// The 503 answer for this budget.
    pub fn exceeded(&self) -> ApiError {
        ApiError::budget_exceeded(self.length)
    }

    /// Whether it has run out.
    pub fn is_over(&self) -> bool {
        Instant::now() >= self.deadline
    }

    /// `future` within the budget, or the 503 answer.
    pub async fn within<F: std::future::Future>(&self, future: F) -> Result<F::Output, ApiError> {
        tokio::time::timeout_at(self.tokio_deadline(), future)
            .await
            .map_err(|_| self.exceeded())
    }
}

/// Runs CPU-bound `work` on a blocking thread once a permit is free, within `budget`: 503
/// when no permit frees up or the work does not finish in time (the work then stops soon,
/// since the library was handed the same deadline), 500 when it panics.
pub async fn run_blocking<T, F>(state: &Shared, budget: &Budget, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let permit = budget
        .within(state.permits.clone().acquire_owned())
        .await?
        .map_err(|_| ApiError::unavailable("the server is shutting down"))?;
    let handle = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work()
    });
    // `permit` moved into the work: it is released when the work really ends, not when the
    // handler gives up waiting, so abandoned work still counts against the limit.
    let done = budget
        .within(handle)
        .await?
        .map_err(|e| ApiError::internal(format!("the request failed with a bug: {e}")))?;
    if budget.is_over() {
        return Err(budget.exceeded());
    }
    Ok(done)
}
