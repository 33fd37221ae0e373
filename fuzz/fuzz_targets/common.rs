//! Shared by the fuzz targets: the engine, the input header, and the invariants every
//! answer must keep (no panic anywhere, never `ErrorCode::Internal`, output that is JSON).
#![allow(dead_code)]

use std::sync::OnceLock;

use chrono::{Duration, NaiveDate};
use patron::{Engine, Error, ErrorCode};

/// One engine per process, serving the embedded default policy.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::with_default_policy().expect("the default policy loads"))
}

/// The examples shipped with patron, for targets that fuzz something else than customers.
pub const EXAMPLES: &str = include_str!("../../examples/customers.json");

/// An input's header: a flags byte and a signed day offset, then the payload.
pub struct Header<'a> {
    pub flags: u8,
    pub days: i16,
    pub rest: &'a [u8],
}

/// Splits `data` into its 3-byte header and the rest (short inputs get a zero header).
pub fn header(data: &[u8]) -> Header<'_> {
    if data.len() < 3 {
        return Header {
            flags: 0,
            days: 0,
            rest: data,
        };
    }
    Header {
        flags: data[0],
        days: i16::from_le_bytes([data[1], data[2]]),
        rest: &data[3..],
    }
}

/// The evaluation date a header asks for: near 2026-11-23, within ±1,400 years of it, or
/// within 32,767 days of either end of chrono's calendar.
pub fn as_of(header: &Header) -> NaiveDate {
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let days = i64::from(header.days);
    match (header.flags >> 4) & 3 {
        0 => today + Duration::days(days),
        1 => today + Duration::days(days * 16),
        2 => NaiveDate::MIN + Duration::days(days.abs()),
        _ => NaiveDate::MAX - Duration::days(days.abs()),
    }
}

/// An error must say what is wrong with the input, never that patron broke.
pub fn not_internal(error: &Error) {
    assert_ne!(error.code(), ErrorCode::Internal, "internal error: {error}");
    assert!(!error.to_string().is_empty());
}

/// Output must be JSON.
pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("output is not JSON ({e}): {text}"))
}

/// How many records a batch holds, counted independently of patron's splitter where the
/// format is unambiguous: a well-formed JSON array's elements, or JSON Lines' non-blank
/// lines when the input does not start with `[`. `None` when it is ambiguous.
pub fn record_count(text: &str) -> Option<usize> {
    if text.trim_start().starts_with('[') {
        serde_json::from_str::<Vec<serde::de::IgnoredAny>>(text)
            .ok()
            .map(|v| v.len())
    } else {
        Some(text.lines().filter(|l| !l.trim().is_empty()).count())
    }
}
