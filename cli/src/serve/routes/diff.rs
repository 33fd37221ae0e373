//! `POST /v1/diff`: what a candidate policy would change, against the served one, over the
//! posted customers — grade and stage transition matrices, score shift, workload.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use serde::Deserialize;
use serde_json::value::RawValue;
use utoipa::{IntoParams, ToSchema};

use super::super::body;
use super::super::budget::{run_blocking, Budget};
use super::super::errors::{ApiError, ErrorEnvelope};
use super::super::paths;
use super::super::state::Shared;
use super::{as_of, envelope, json_bytes, query};

/// The query of `POST /v1/diff`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    /// Evaluation date, `YYYY-MM-DD`; today (the server's date) when absent.
    pub as_of: Option<String>,
}

/// The candidate policy: a directory inside the served policy directory, or its files.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CandidateSpec {
    /// A directory relative to the served policy directory, e.g. `candidates/next`
    /// (nothing outside the policy directory is read).
    pub dir: Option<String>,
    /// The candidate's files by name: `policy.toml` and every `NAME.rhai`.
    pub files: Option<BTreeMap<String, String>>,
}

/// The body of `POST /v1/diff`.
#[derive(ToSchema)]
#[allow(dead_code)] // documentation only: `DiffEnvelope` reads the body
pub struct DiffBody {
    /// The candidate: `dir` or `files`, one of the two.
    pub candidate: CandidateSpec,
    /// The customers, one portfolio.
    pub customers: Vec<patron::Customer>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DiffEnvelope<'a> {
    candidate: CandidateSpec,
    #[serde(borrow)]
    customers: &'a RawValue,
}

/// Compare a candidate policy with the served one over customers.
///
/// Records that cannot be read or evaluated are listed under `errors`, never dropped.
#[utoipa::path(
    post,
    path = "/v1/diff",
    tag = "policy",
    params(DiffQuery),
    request_body(content = DiffBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The impact report", body = patron::diff::ImpactReport),
        (status = 400, description = "Malformed JSON", body = ErrorEnvelope),
        (status = 413, description = "Body over the limit", body = ErrorEnvelope),
        (status = 422, description = "The candidate cannot be read or loaded, or a field is invalid", body = ErrorEnvelope),
        (status = 503, description = "The time budget ran out", body = ErrorEnvelope),
    ),
    security((), ("bearer" = [])),
)]
pub async fn diff(
    State(state): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    request: Body,
) -> Result<Response, ApiError> {
    let q: DiffQuery = query(&uri)?;
    let as_of = as_of(q.as_of.as_deref())?;
    body::kind(&headers, false)?;
    let budget = Budget::start(state.config.budget);
    let text = body::text(&headers, request, state.config.max_body_bytes, &budget).await?;
    let job = state.clone();
    let deadline = budget.deadline;
    let report = run_blocking(&state, &budget, move || {
        let parts: DiffEnvelope = envelope(&text)?;
        let files =
            match (parts.candidate.dir, parts.candidate.files) {
                (Some(dir), None) => {
                    let root = job.served.dir().ok_or_else(|| {
                        ApiError::conflict(
                            "the server serves the embedded default policy (no --policy DIR): \
                         there is no directory to take a candidate from; post its files instead",
                        )
                    })?;
                    paths::read_candidate_dir(root, &dir)?
                }
                (None, Some(files)) => paths::body_files(files)?,
                _ => return Err(ApiError::invalid_input(
                    "candidate",
                    "give exactly one of `dir` (a directory in the policy directory) and `files`",
                )),
            };
        let report = job
            .served
            .diff(files, parts.customers.get(), as_of, deadline)
            .map_err(|e| ApiError::from_library(&e))?;
        serde_json::to_vec(&report)
            .map_err(|e| ApiError::internal(format!("cannot write JSON: {e}")))
    })
    .await??;
    Ok(json_bytes(report))
}
