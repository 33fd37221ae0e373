//! The bearer token: when the server has one, every request but the probes (`/healthz`,
//! `/readyz`) and the API description (`/openapi.json`) must carry
//! `Authorization: Bearer TOKEN`. The comparison takes the same time whatever the token
//! sent: both sides are hashed (SHA-256, so their lengths do not show either) and the digests
//! compared in constant time.
//!
//! The policy workbench is read-only without the token: its page, its assets, reading the
//! policy's files and the example portfolios, `check` and `completions` stay open (they
//! change nothing and evaluate no customer); evaluating, testing, comparing, planning and
//! saving need the token. So a server beyond loopback (which always has one) shows its
//! policy to anyone who can reach it, and lets only the token's holders use or change it.

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::errors::ApiError;
use super::state::Shared;

/// Paths open without a token.
pub const OPEN_PATHS: [&str; 3] = ["/healthz", "/readyz", "/openapi.json"];

/// Whether a request without a token may have `method path`: the read-only workbench.
pub fn is_read_only(method: &axum::http::Method, path: &str) -> bool {
    use axum::http::Method;
    match *method {
        Method::GET | Method::HEAD => {
            path == "/"
                || path.starts_with("/workbench/")
                || path == "/v1/workbench/files"
                || path.starts_with("/v1/workbench/examples/")
        }
        Method::POST => path == "/v1/workbench/check" || path == "/v1/workbench/completions",
        _ => false,
    }
}

/// The bearer token a request presents, if any.
fn presented(request_headers: &axum::http::HeaderMap) -> Option<&str> {
    request_headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
}

/// Whether a request with `headers` may do everything: the server has no token, or the
/// request carries it.
pub fn authorized(state: &Shared, headers: &axum::http::HeaderMap) -> bool {
    match state.config.token.as_deref() {
        None => true,
        Some(expected) => presented(headers).is_some_and(|t| token_matches(expected, t)),
    }
}

/// Whether `presented` is the token `expected`, in time independent of both.
pub fn token_matches(expected: &str, presented: &str) -> bool {
    let expected = Sha256::digest(expected.as_bytes());
    let presented = Sha256::digest(presented.as_bytes());
    expected.ct_eq(&presented).into()
}

/// The middleware: 401 unless the request carries the token (or needs none).
pub async fn require_token(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let Some(expected) = state.config.token.as_deref() else {
        return next.run(request).await;
    };
    if OPEN_PATHS.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    let presented = presented(request.headers());
    if presented.is_none() && is_read_only(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    match presented {
        Some(token) if token_matches(expected, token) => next.run(request).await,
        Some(_) => ApiError::unauthorized("the bearer token is not the server's").into_response(),
        None => ApiError::unauthorized(
            "this server requires `Authorization: Bearer TOKEN` (the token of its --token-file)",
        )
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::token_matches;

    #[test]
    fn only_the_same_token_matches() {
        let token = "0123456789abcdef-secret";
        assert!(token_matches(token, token));
        assert!(!token_matches(token, "0123456789abcdef-secreT"));
        assert!(!token_matches(token, "0123456789abcdef"));
        assert!(!token_matches(token, ""));
        assert!(!token_matches(token, &format!("{token}x")));
    }
}
