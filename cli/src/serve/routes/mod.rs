//! The router: the decision API under `/v1`, the operational endpoints at the root, the
//! JSON 404/405 answers, and the layers every request goes through (panic → 500, metrics,
//! token).
//!
//! It is built from route groups merged into one router: the policy workbench (issue 18)
//! adds its page at `/`, its assets under `/workbench/` and its JSON routes under
//! `/v1/workbench/`; requests that match no group still get the JSON 404, and the token
//! layer and the metrics cover every group.

pub mod diff;
pub mod evaluate;
pub mod ops;
pub mod plan;
pub mod policy;
pub mod workbench;

use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::{middleware, Router};
use tower_http::catch_panic::CatchPanicLayer;

use super::errors::{panic_response, ApiError};
use super::state::Shared;
use super::{auth, metrics};

/// The decision API, mounted under `/v1`.
fn api() -> Router<Shared> {
    Router::new()
        .route("/evaluate", axum::routing::post(evaluate::evaluate))
        .route("/plan", axum::routing::post(plan::plan))
        .route("/diff", axum::routing::post(diff::diff))
        .route("/policy", axum::routing::get(policy::show))
        .route("/policy/reload", axum::routing::post(policy::reload))
        .merge(workbench::api())
}

/// Every route of the server, with its layers.
pub fn router(state: Shared) -> Router {
    Router::new()
        .merge(ops::routes())
        .merge(workbench::pages())
        .nest("/v1", api())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_token,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(CatchPanicLayer::custom(panic_response))
        .with_state(state)
}

async fn not_found(method: Method, uri: Uri) -> Response {
    ApiError::not_found(method.as_str(), uri.path()).into_response()
}

async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    ApiError::method_not_allowed(method.as_str(), uri.path()).into_response()
}

/// A query string parsed, or 422 naming the parameter.
pub fn query<T: serde::de::DeserializeOwned>(uri: &Uri) -> Result<T, ApiError> {
    let text = uri.query().unwrap_or("");
    serde_urlencoded::from_str(text).map_err(|e| ApiError::invalid_input("query", e))
}

/// `as_of` from the query: a date, or today (the server's local date) when absent.
pub fn as_of(value: Option<&str>) -> Result<super::adapter::Date, ApiError> {
    match value {
        Some(text) => {
            super::adapter::parse_date(text).map_err(|e| ApiError::invalid_input("as_of", e))
        }
        None => Ok(chrono::Local::now().date_naive()),
    }
}

/// A JSON answer from bytes already serialised.
pub fn json_bytes(bytes: impl Into<axum::body::Body>) -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        bytes.into(),
    )
        .into_response()
}

/// The envelope of a JSON body parsed into `T`: 400 for JSON that is not well-formed, 422
/// for JSON of the wrong shape (naming the field).
pub fn envelope<'a, T: serde::Deserialize<'a>>(text: &'a str) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed: Result<T, _> = serde_path_to_error::deserialize(&mut deserializer);
    let value = parsed.map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_data() {
            ApiError::invalid_input(&path, inner)
        } else {
            ApiError::invalid_json(format!("the body is not well-formed JSON: {inner}"))
        }
    })?;
    deserializer
        .end()
        .map_err(|e| ApiError::invalid_json(format!("the body is not well-formed JSON: {e}")))?;
    Ok(value)
}
