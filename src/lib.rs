//! # patron
//!
//! An embeddable rules engine for customer management: grade customers, move them through
//! development stages, score them by weighted indicators and decide how often to call and
//! visit each one — with policies written as [rhai](https://rhai.rs) scripts plus parameters,
//! evaluated fast, explained, and callable from C and C++ through a C ABI.
//!
//! ```
//! use patron::{model::parse_date, Engine};
//!
//! let engine = Engine::with_default_policy()?;
//! let customer = patron::model::parse_customer(r#"{
//!     "id": "C-7", "grade": "A", "grade_since": "2026-01-10", "region": "same_city",
//!     "interactions": [ { "at": "2026-11-18", "kind": "call" } ]
//! }"#)?;
//! let evaluation = engine.evaluate(&customer, parse_date("2026-11-23")?)?;
//! assert_eq!(evaluation.visits.calls_per_week, 2.0);
//! assert!(evaluation.visits.overdue); // twice a week: the call was due on 2026-11-21
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Layers, each depending only on the ones above it:
//!
//! 1. `error` and `source` — the foundation: [`Error`] with the
//!    [`Diagnostic`](policy::Diagnostic)s checking finds, and a policy's files;
//! 2. [`model`] — plain data and the facts derived from it;
//! 3. `script` — the rhai sandbox and patron's fast tier (compiles and runs script files);
//! 4. [`policy`] — the manifest, the file set and its hash, checking and loading;
//! 5. [`schedule`] — cadence arithmetic and the month planner;
//! 6. `engine` — [`Engine`]: evaluation, batches, streams, diff, atomic reload;
//! 7. `arrow` — Arrow record batches (and Parquet files) in and out, behind the cargo
//!    features `arrow` and `parquet` (off by default);
//! 8. `ffi` — the C ABI, behind the cargo feature `ffi` (off by default).
//!
//! `tests/layering.rs` fails on any import that points up this list.

#![warn(missing_docs)]
#![deny(unsafe_code)]
// `Error` carries the record, the location and the message so that callers can match on
// them; it is large (~150 bytes) but only on the cold path, so it is not boxed.
#![allow(clippy::result_large_err)]

#[cfg(feature = "arrow")]
pub mod arrow;
mod engine;
mod error;
#[cfg(feature = "ffi")]
#[allow(unsafe_code)]
pub mod ffi;
pub mod model;
pub mod policy;
pub mod schedule;
mod script;
mod source;

pub use engine::{
    cases, diff, BatchItem, Engine, EntryInfo, EvaluateOptions, PolicyInfo, ScriptTier,
    StreamOptions, StreamSummary, Tier,
};
pub use error::{Error, ErrorCode, RecordRef, Result, SourceLocation};
pub use model::{Customer, Evaluation, PortfolioIndex};
pub use policy::{Policy, TierCounts};
pub use schedule::plan::{Plan, PlanRequest};
pub use script::Limits;
pub use script::{script_api, ScriptApi, ScriptFunction};

/// The README's Rust examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The library version, as `patron_version()` reports it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
