//! Reading request bodies: what kind they are (`Content-Type`), and their bytes within the
//! size limit and the time budget — into memory for JSON, to an unnamed temporary file for
//! NDJSON streams (bounded memory; the file has no name and vanishes with the request).

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap};
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use super::budget::Budget;
use super::errors::ApiError;

/// What a request body holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// `application/json` (or no `Content-Type`).
    Json,
    /// `application/x-ndjson` (also `application/jsonl`, `application/x-jsonlines`).
    Ndjson,
}

/// The media types read as NDJSON.
const NDJSON_TYPES: [&str; 5] = [
    "application/x-ndjson",
    "application/ndjson",
    "application/jsonl",
    "application/jsonlines",
    "application/x-jsonlines",
];

/// The body's kind from `Content-Type`; 415 for anything else. `ndjson` says whether the
/// route reads streams.
pub fn kind(headers: &HeaderMap, ndjson: bool) -> Result<BodyKind, ApiError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(BodyKind::Json);
    };
    let text = value.to_str().unwrap_or("");
    let media = text
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if media == "application/json" || media.ends_with("+json") {
        return Ok(BodyKind::Json);
    }
    if ndjson && NDJSON_TYPES.contains(&media.as_str()) {
        return Ok(BodyKind::Ndjson);
    }
    let accepted = if ndjson {
        "application/json or application/x-ndjson"
    } else {
        "application/json"
    };
    Err(ApiError::unsupported_media_type(text, accepted))
}

/// 413 at once when `Content-Length` already says the body is over `limit`.
fn check_length(headers: &HeaderMap, limit: u64) -> Result<(), ApiError> {
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match length {
        Some(length) if length > limit => Err(ApiError::payload_too_large(limit)),
        _ => Ok(()),
    }
}

fn unreadable(error: impl std::fmt::Display) -> ApiError {
    ApiError::unreadable_body(error)
}

/// The whole body as UTF-8 text, at most `limit` bytes, read within `budget`.
pub async fn text(
    headers: &HeaderMap,
    body: Body,
    limit: u64,
    budget: &Budget,
) -> Result<String, ApiError> {
    check_length(headers, limit)?;
    let mut bytes: Vec<u8> = Vec::new();
    let mut stream = body.into_data_stream();
    while let Some(chunk) = budget.within(stream.next()).await? {
        let chunk: Bytes = chunk.map_err(unreadable)?;
        if bytes.len() as u64 + chunk.len() as u64 > limit {
            return Err(ApiError::payload_too_large(limit));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes)
        .map_err(|e| ApiError::invalid_utf8(format!("the body is not UTF-8: {e}")))
}

/// The whole body written to an unnamed temporary file, at most `limit` bytes, within
/// `budget`; the file is returned positioned at its start.
pub async fn spool(
    headers: &HeaderMap,
    body: Body,
    limit: u64,
    budget: &Budget,
) -> Result<std::fs::File, ApiError> {
    use std::io::{Seek, SeekFrom};
    check_length(headers, limit)?;
    let file = tempfile::tempfile()
        .map_err(|e| ApiError::internal(format!("cannot create a temporary file: {e}")))?;
    let copy = file
        .try_clone()
        .map_err(|e| ApiError::internal(format!("cannot use the temporary file: {e}")))?;
    let mut writer = tokio::io::BufWriter::with_capacity(1 << 20, tokio::fs::File::from_std(copy));
    let mut written = 0u64;
    let mut stream = body.into_data_stream();
    let write_failed =
        |e: std::io::Error| ApiError::internal(format!("cannot spool the body: {e}"));
    while let Some(chunk) = budget.within(stream.next()).await? {
        let chunk: Bytes = chunk.map_err(unreadable)?;
        written += chunk.len() as u64;
        if written > limit {
            return Err(ApiError::payload_too_large(limit));
        }
        budget
            .within(writer.write_all(&chunk))
            .await?
            .map_err(write_failed)?;
    }
    budget.within(writer.flush()).await?.map_err(write_failed)?;
    let mut file = file;
    file.seek(SeekFrom::Start(0)).map_err(write_failed)?;
    Ok(file)
}

/// The first character of `text` that is not whitespace.
pub fn first_significant(text: &str) -> Option<char> {
    text.chars().find(|c| !c.is_whitespace())
}
