//! The bearer token: when the server has one, every request but the probes (`/healthz`,
//! `/readyz`) and the API description (`/openapi.json`) must carry
//! `Authorization: Bearer TOKEN`. The comparison takes the same time whatever the token
//! sent: both sides are hashed (SHA-256, so their lengths do not show either) and the digests
//! compared in constant time.

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
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        });
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
