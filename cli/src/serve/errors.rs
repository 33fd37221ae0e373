//! Errors as the server answers them: an HTTP status and the body
//! `{"error":{"code","kind","message"}}`.
//!
//! Codes below 20 are the library's (`PATRON_ERR_*`, the same numbers and kinds as the C ABI
//! and a batch's in-place errors); codes from 20 are the server's own, for what happens before
//! the library is reached:
//!
//! | status | code | kind | when |
//! |---|---|---|---|
//! | 400 | 3 | `invalid_json` | the body is not well-formed JSON |
//! | 400 | 2 | `invalid_utf8` | the body is not UTF-8 |
//! | 400 | 4 | `invalid_input` | the body could not be read (the client broke off) |
//! | 422 | 4 | `invalid_input` | JSON that breaks the contract, a bad query parameter |
//! | 422 | 5 | `policy` | a candidate policy or a reloaded one fails to load, check or pass its tests |
//! | 422 | 6 | `script` | the policy's script failed on this customer (one evaluation) |
//! | 422 | 7 | `limit` | the policy's script hit one of its limits on this customer |
//! | 503 | 7 | `limit` | the request's time budget ran out (with `Retry-After`) |
//! | 500 | 8 | `internal` | a bug |
//! | 401 | 20 | `unauthorized` | a token is required and the request has none or another |
//! | 404 | 21 | `not_found` | no such route |
//! | 405 | 22 | `method_not_allowed` | the route exists, the method does not |
//! | 413 | 23 | `payload_too_large` | the body is over the limit |
//! | 415 | 24 | `unsupported_media_type` | a `Content-Type` the route does not read |
//! | 406 | 25 | `not_acceptable` | an `Accept` the route cannot answer |
//! | 409 | 26 | `conflict` | reload without a policy directory (serving the embedded default) |
//! | 503 | 27 | `unavailable` | too busy to start the work within the budget, or shutting down |

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// An error body: `{"error": {...}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorEnvelope {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// The error itself.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// The stable number: the library's `PATRON_ERR_*` below 20, the server's from 20.
    pub code: i32,
    /// The code's name, e.g. `invalid_json`, `limit`, `not_found`.
    pub kind: String,
    /// What happened, naming the record, field, file or line when there is one.
    pub message: String,
}

/// The kind of an error response, kept in the response's extensions for the metrics.
#[derive(Debug, Clone)]
pub struct ErrorKind(pub String);

/// An error the server answers with.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The body.
    pub detail: ErrorDetail,
    /// `Retry-After`, in seconds.
    pub retry_after: Option<u64>,
    /// `WWW-Authenticate: Bearer`.
    pub authenticate: bool,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.detail.kind, self.status, self.detail.message
        )
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    fn new(status: StatusCode, code: i32, kind: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            detail: ErrorDetail {
                code,
                kind: kind.to_string(),
                message: message.into(),
            },
            retry_after: None,
            authenticate: false,
        }
    }

    /// The library's error, with the status of its code (see the module's table).
    pub fn from_library(error: &patron::Error) -> Self {
        use patron::ErrorCode as C;
        let code = error.code();
        let status = match code {
            C::InvalidJson | C::InvalidUtf8 | C::NullArgument => StatusCode::BAD_REQUEST,
            C::InvalidInput | C::Policy | C::Script | C::Limit => StatusCode::UNPROCESSABLE_ENTITY,
            C::Internal | C::Ok => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError::new(status, code.as_i32(), &kind_name(code), error.to_string())
    }

    /// 400: the body is not well-formed JSON.
    pub fn invalid_json(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, 3, "invalid_json", message)
    }

    /// 400: the body is not UTF-8.
    pub fn invalid_utf8(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, 2, "invalid_utf8", message)
    }

    /// 422: a field or parameter breaks the contract.
    pub fn invalid_input(field: &str, message: impl std::fmt::Display) -> Self {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            4,
            "invalid_input",
            format!("field `{field}`: {message}"),
        )
    }

    /// 400: the body could not be read.
    pub fn unreadable_body(error: impl std::fmt::Display) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            4,
            "invalid_input",
            format!("the request body could not be read: {error}"),
        )
    }

    /// 503 with `Retry-After`: the request's time budget ran out.
    pub fn budget_exceeded(budget: Duration) -> Self {
        let mut error = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            7,
            "limit",
            format!(
                "the request's time budget of {} ms ran out before the answer was complete; \
                 retry later, or send fewer customers per request",
                budget.as_millis()
            ),
        );
        error.retry_after = Some(1);
        error
    }

    /// 503 with `Retry-After`: the server cannot take the work now.
    pub fn unavailable(message: impl Into<String>) -> Self {
        let mut error = ApiError::new(StatusCode::SERVICE_UNAVAILABLE, 27, "unavailable", message);
        error.retry_after = Some(1);
        error
    }

    /// 500: a bug.
    pub fn internal(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, 8, "internal", message)
    }

    /// 401 with `WWW-Authenticate: Bearer`.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        let mut error = ApiError::new(StatusCode::UNAUTHORIZED, 20, "unauthorized", message);
        error.authenticate = true;
        error
    }

    /// 404: no such route.
    pub fn not_found(method: &str, path: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            21,
            "not_found",
            format!("no route {method} {path}; see GET /openapi.json"),
        )
    }

    /// 405: the route does not take this method.
    pub fn method_not_allowed(method: &str, path: &str) -> Self {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            22,
            "method_not_allowed",
            format!("{path} does not take {method}; see GET /openapi.json"),
        )
    }

    /// 413: the body is over `limit` bytes.
    pub fn payload_too_large(limit: u64) -> Self {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            23,
            "payload_too_large",
            format!("the body is larger than the limit of {limit} bytes"),
        )
    }

    /// 415: a content type the route does not read.
    pub fn unsupported_media_type(got: &str, accepted: &str) -> Self {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            24,
            "unsupported_media_type",
            format!("Content-Type `{got}` is not read here; send {accepted}"),
        )
    }

    /// 406: no representation the client accepts.
    pub fn not_acceptable(got: &str, offered: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_ACCEPTABLE,
            25,
            "not_acceptable",
            format!("cannot answer `Accept: {got}`; this route offers {offered}"),
        )
    }

    /// 409: the request conflicts with how the server runs.
    pub fn conflict(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::CONFLICT, 26, "conflict", message)
    }

    /// The body as one JSON line (the last line of a stream that failed).
    pub fn json_line(&self) -> Vec<u8> {
        let mut line = serde_json::to_vec(&ErrorEnvelope {
            error: self.detail.clone(),
        })
        .unwrap_or_default();
        line.push(b'\n');
        line
    }
}

/// The snake_case name of a library code, as it serialises.
pub fn kind_name(code: patron::ErrorCode) -> String {
    serde_json::to_value(code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{code:?}").to_lowercase())
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let kind = ErrorKind(self.detail.kind.clone());
        let mut response = (
            self.status,
            axum::Json(ErrorEnvelope { error: self.detail }),
        )
            .into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.authenticate {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"patron\""),
            );
        }
        response.extensions_mut().insert(kind);
        response
    }
}

/// The answer to a panic in a handler (tower-http's `CatchPanicLayer`): 500, `internal`.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic");
    ApiError::internal(format!("the request failed with a bug: {what}")).into_response()
}
