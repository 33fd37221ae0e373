//! The operational endpoints: `/healthz` (the process answers), `/readyz` (a policy is
//! loaded and the server is not shutting down), `/metrics` (Prometheus text) and
//! `/openapi.json` (the API description, generated from the code).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use super::super::adapter::library_version;
use super::super::errors::{ApiError, ErrorEnvelope};
use super::super::openapi::ApiDoc;
use super::super::state::Shared;

/// The operational routes.
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
}

/// The answer of the probes.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `ready`.
    pub status: &'static str,
    /// patron's version.
    pub version: &'static str,
    /// The policy serving now (`/readyz`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<patron::model::PolicyStamp>,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "Alive", body = Health)))]
pub async fn healthz() -> axum::Json<Health> {
    axum::Json(Health {
        status: "ok",
        version: library_version(),
        policy: None,
    })
}

/// Readiness: a policy serves and the server is not shutting down.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "Shutting down", body = ErrorEnvelope),
    ))]
pub async fn readyz(State(state): State<Shared>) -> Response {
    if state.is_draining() {
        return ApiError::unavailable("shutting down").into_response();
    }
    axum::Json(Health {
        status: "ready",
        version: library_version(),
        policy: Some(state.served.stamp()),
    })
    .into_response()
}

/// Prometheus metrics in the text format.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format 0.0.4", body = String, content_type = "text/plain")),
    security((), ("bearer" = [])))]
pub async fn metrics(State(state): State<Shared>) -> Response {
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

/// This document: the OpenAPI 3.1 description of the server, generated from its code.
#[utoipa::path(get, path = "/openapi.json", tag = "operations",
    responses((status = 200, description = "OpenAPI 3.1", body = Object)))]
pub async fn openapi() -> Response {
    match ApiDoc::openapi().to_json() {
        Ok(json) => super::json_bytes(json),
        Err(e) => {
            ApiError::internal(format!("cannot write the OpenAPI document: {e}")).into_response()
        }
    }
}
