//! `GET /v1/policy` (what is served) and `POST /v1/policy/reload` (reload it from disk).

use axum::extract::State;
use axum::response::Response;
use serde::Serialize;
use utoipa::ToSchema;

use super::super::budget::{run_blocking, Budget};
use super::super::errors::{ApiError, ErrorEnvelope};
use super::super::state::Shared;
use super::json_bytes;

/// The answer to a reload that succeeded.
#[derive(Serialize, ToSchema)]
pub struct Reloaded {
    /// The policy serving now.
    pub policy: patron::model::PolicyStamp,
}

/// The served policy: name, version, hash, grades, stages, limits, parameters, files and
/// how each script runs.
#[utoipa::path(
    get,
    path = "/v1/policy",
    tag = "policy",
    responses(
        (status = 200, description = "The policy serving now", body = patron::PolicyInfo),
        (status = 503, description = "The time budget ran out", body = ErrorEnvelope),
    ),
    security((), ("bearer" = [])),
)]
pub async fn show(State(state): State<Shared>) -> Result<Response, ApiError> {
    let budget = Budget::start(state.config.budget);
    let job = state.clone();
    // Reporting the execution tiers compiles the scripts on a first use: off the async
    // threads.
    let info = run_blocking(&state, &budget, move || {
        serde_json::to_vec(&job.served.info())
    })
    .await?
    .map_err(|e| ApiError::internal(format!("cannot write JSON: {e}")))?;
    Ok(json_bytes(info))
}

/// Reload the policy from its directory: loaded, checked and its own test cases run first;
/// on any failure the old policy keeps serving and the error says why.
#[utoipa::path(
    post,
    path = "/v1/policy/reload",
    tag = "policy",
    responses(
        (status = 200, description = "The new policy serves", body = Reloaded),
        (status = 409, description = "No policy directory (the embedded default serves)", body = ErrorEnvelope),
        (status = 422, description = "The policy on disk fails; the old one keeps serving", body = ErrorEnvelope),
    ),
    security((), ("bearer" = [])),
)]
pub async fn reload(State(state): State<Shared>) -> Result<axum::Json<Reloaded>, ApiError> {
    match state.reload().await {
        Ok(policy) => Ok(axum::Json(Reloaded { policy })),
        Err(mut error) => {
            if error.detail.code == 5 {
                let serving = state.served.stamp();
                error.detail.message.push_str(&format!(
                    " (still serving {} {}, {})",
                    serving.name, serving.version, serving.hash
                ));
            }
            Err(error)
        }
    }
}
