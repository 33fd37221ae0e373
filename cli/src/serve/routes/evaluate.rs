//! `POST /v1/evaluate`: one customer (a JSON object), a batch (a JSON array, evaluated as
//! one portfolio, each record's error in its place), or a stream (`application/x-ndjson`).

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::super::adapter::{single_outcome, Ask};
use super::super::body::{self, BodyKind};
use super::super::budget::{run_blocking, Budget};
use super::super::errors::{ApiError, ErrorEnvelope};
use super::super::state::Shared;
use super::super::stream::{self, PortfolioSource};
use super::{as_of, json_bytes, query};

/// The query of `POST /v1/evaluate`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvaluateQuery {
    /// Evaluation date, `YYYY-MM-DD`; today (the server's date) when absent.
    pub as_of: Option<String>,
    /// Add each result's `trace`: which rules fired, which facts and parameters they read.
    #[serde(default)]
    pub explain: bool,
    /// NDJSON only: `scan` computes portfolio facts over all the request's customers (the
    /// default); `given` takes each record's own `portfolio` field.
    #[param(inline)]
    pub portfolio: Option<PortfolioSource>,
}

/// A request body: one customer or many.
#[derive(serde::Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // documentation only: the library parses the body
pub enum EvaluateBody {
    /// One customer.
    One(Box<patron::Customer>),
    /// A batch, evaluated as one portfolio.
    Many(Vec<patron::Customer>),
}

/// A response body: one evaluation, or one item per record.
#[derive(serde::Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // documentation only: the library writes the body
pub enum EvaluateAnswer {
    /// The evaluation of one customer.
    One(Box<patron::Evaluation>),
    /// One item per record, in order: its evaluation or its error.
    Many(Vec<patron::BatchItem>),
}

/// Evaluate customers with the served policy.
///
/// A JSON object is one customer: its portfolio facts come only from its own `portfolio`
/// field. A JSON array is a batch: portfolio facts are computed over its customers, as
/// `patron eval` does, and a record that fails has its error in its place (the status
/// stays 200). `application/x-ndjson` streams JSON Lines in and out with bounded memory.
#[utoipa::path(
    post,
    path = "/v1/evaluate",
    tag = "decisions",
    params(EvaluateQuery),
    request_body(
        description = "One customer, an array of customers, or JSON Lines",
        content(
            (EvaluateBody = "application/json"),
            (String = "application/x-ndjson"),
        ),
    ),
    responses(
        (status = 200, description = "The evaluation, or one item per record", content(
            (EvaluateAnswer = "application/json"),
            (String = "application/x-ndjson"),
        )),
        (status = 400, description = "Malformed JSON", body = ErrorEnvelope),
        (status = 413, description = "Body over the limit", body = ErrorEnvelope),
        (status = 415, description = "Neither JSON nor NDJSON", body = ErrorEnvelope),
        (status = 422, description = "The customer is invalid, or the policy failed on it", body = ErrorEnvelope),
        (status = 503, description = "The time budget ran out (see `Retry-After`)", body = ErrorEnvelope),
    ),
    security((), ("bearer" = [])),
)]
pub async fn evaluate(
    State(state): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    request: Body,
) -> Result<Response, ApiError> {
    let q: EvaluateQuery = query(&uri)?;
    let as_of = as_of(q.as_of.as_deref())?;
    match body::kind(&headers, true)? {
        BodyKind::Ndjson => {
            let source = q.portfolio.unwrap_or_default();
            stream::evaluate(state, &headers, request, source, as_of, q.explain).await
        }
        BodyKind::Json => {
            if q.portfolio.is_some() {
                return Err(ApiError::invalid_input(
                    "portfolio",
                    "applies to application/x-ndjson streams only; a JSON array always computes portfolio facts over its customers",
                ));
            }
            let budget = Budget::start(state.config.budget);
            let text = body::text(&headers, request, state.config.max_body_bytes, &budget).await?;
            let ask = Ask {
                as_of,
                explain: q.explain,
                deadline: budget.deadline,
            };
            match body::first_significant(&text) {
                Some('{') => one(state, text, ask, budget).await,
                Some('[') => many(state, text, ask, budget).await,
                Some(_) => Err(ApiError::invalid_json(
                    "the body must be a JSON object (one customer) or a JSON array (a batch)",
                )),
                None => Err(ApiError::invalid_json(
                    "the body is empty: send a customer object or an array of them",
                )),
            }
        }
    }
}

async fn one(state: Shared, text: String, ask: Ask, budget: Budget) -> Result<Response, ApiError> {
    let job = state.clone();
    let result = run_blocking(&state, &budget, move || {
        job.served.evaluate_one(&text, &ask)
    })
    .await?;
    let hash = state.served.stamp().hash;
    state.metrics.count_outcome(single_outcome(&result), &hash);
    match result {
        Ok(json) => Ok(json_bytes(json)),
        Err(error) => Err(ApiError::from_library(&error)),
    }
}

async fn many(state: Shared, text: String, ask: Ask, budget: Budget) -> Result<Response, ApiError> {
    let job = state.clone();
    let answer = run_blocking(&state, &budget, move || {
        job.served.evaluate_batch(&text, &ask)
    })
    .await?
    .map_err(|e| ApiError::from_library(&e))?;
    let hash = answer
        .policy
        .as_ref()
        .map_or_else(|| state.served.stamp().hash, |p| p.hash.clone());
    for outcome in &answer.outcomes {
        state.metrics.count_outcome(*outcome, &hash);
    }
    Ok(json_bytes(answer.json))
}
