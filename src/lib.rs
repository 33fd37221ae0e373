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
//! ## The public surface
//!
//! - [`Engine`] — one customer: [`evaluate`](Engine::evaluate) (above) and
//!   [`evaluate_with`](Engine::evaluate_with) (options, into a reused [`Evaluation`]); many:
//!   [`evaluate_many`](Engine::evaluate_many) over a slice, JSON text or parsed records
//!   ([`BatchInput`]), [`evaluate_stream`](Engine::evaluate_stream) /
//!   [`evaluate_stream_with`](Engine::evaluate_stream_with) /
//!   [`evaluate_stream_by_ref`](Engine::evaluate_stream_by_ref) for JSON Lines of any size
//!   (with [`PortfolioIndex::scan`]); [`plan`](Engine::plan) /
//!   [`plan_with`](Engine::plan_with); [`impact`](Engine::impact); [`reload`](Engine::reload),
//!   [`policy_info`](Engine::policy_info), [`tier_counts`](Engine::tier_counts).
//! - [`json`] — JSON text in and out, one function per C function: [`json::evaluate`],
//!   [`json::evaluate_with_options`], [`json::evaluate_batch`], [`json::plan`],
//!   [`json::diff`], [`json::policy_check`], [`json::policy_info`].
//! - [`Policy`] — [`load`](Policy::load), [`embedded_default`](Policy::embedded_default),
//!   [`check_dir`](Policy::check_dir) (every problem at once).
//! - [`model`] — the data and its parsers: [`parse_customer`](model::parse_customer),
//!   [`parse_customers`](model::parse_customers) (array or JSON Lines, one record each),
//!   [`parse_date`](model::parse_date).
//! - `arrow` (cargo features `arrow`, `parquet`) — Arrow record batches in and out:
//!   `arrow::evaluate_batch`, `arrow::customers_from_batch`, the two schemas, and
//!   `arrow::parquet::evaluate_parquet` for a whole file (docs on the module).
//! - [`Plan`] and [`PlanRequest`] — the month planner; [`diff`] — what a candidate policy
//!   changes; [`cases`] — a policy's own test cases.
//!
//! ```
//! use patron::{model::{parse_customers, parse_date}, Customer, Engine, EvaluateOptions, Evaluation};
//!
//! let engine = Engine::with_default_policy()?;
//! let as_of = parse_date("2026-11-23")?;
//! let customers: Vec<Customer> = serde_json::from_str(r#"[ { "id": "C-1", "grade": "A" }, { "id": "C-2" } ]"#)?;
//!
//! // One customer, with a trace, into a reused result.
//! let mut evaluation = Evaluation::default();
//! engine.evaluate_with(&customers[0], as_of, &EvaluateOptions::explained(), &mut evaluation)?;
//! assert!(evaluation.trace.is_some());
//!
//! // Many: a slice gives one `Result` per customer; JSON text one `BatchItem` per record.
//! assert_eq!(engine.evaluate_many(&customers, as_of, &EvaluateOptions::default()).len(), 2);
//! let items = engine.evaluate_many("{ \"id\": \"C-3\" }\n", as_of, &EvaluateOptions::default())?;
//! assert!(!items[0].is_error());
//! assert_eq!(parse_customers("[{ \"id\": \"C-4\" }, 7]")?.len(), 2);
//!
//! // A stream: JSON Lines in, JSON Lines out, bounded memory.
//! let mut out = Vec::new();
//! let summary = engine.evaluate_stream(
//!     std::io::Cursor::new("{ \"id\": \"C-5\" }\n"), &mut out, as_of, &patron::StreamOptions::default())?;
//! assert_eq!(summary.evaluated, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ```
//! use patron::{cases, diff, json, model::parse_date, Engine, EvaluateOptions, PlanRequest, Policy};
//!
//! let policy = Policy::load("policies/default")?;
//! assert!(Policy::check_dir("policies/default")?.diagnostics.is_empty());
//! let outcomes = cases::run_cases(&policy, &cases::load_cases("policies/default".as_ref())?);
//! assert!(outcomes.iter().all(|o| o.passed()));
//!
//! let engine = Engine::new(policy);
//! let customers = vec![patron::model::parse_customer(r#"{ "id": "C-1", "owner": "rep-07" }"#)?];
//! let plan = engine.plan(&customers, &PlanRequest::for_month("2026-12"))?;
//! assert_eq!(plan.policy.name, engine.policy_info().stamp.name);
//! let report = diff::impact(&engine.policy(), &Policy::embedded_default()?, &customers, parse_date("2026-11-23")?);
//! assert_eq!(report.grades_changed, 0);
//!
//! // The JSON entry points the C ABI and the `patron` command share.
//! let answer = json::evaluate(&engine, r#"{ "id": "C-1" }"#, parse_date("2026-11-23")?, &EvaluateOptions::default())?;
//! assert!(answer.starts_with('{'));
//! assert_eq!(json::policy_check("policies/default")?, "[]");
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
//! 7. [`json`] — JSON text in and out: the entry points the C ABI and the command line share;
//! 8. `arrow` — Arrow record batches (and Parquet files) in and out, behind the cargo
//!    features `arrow` and `parquet` (off by default);
//! 9. `ffi` — the C ABI, behind the cargo feature `ffi` (off by default).
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
pub mod json;
pub mod model;
pub mod policy;
pub mod schedule;
mod script;
mod source;

pub use engine::{
    cases, diff, BatchInput, BatchItem, Engine, EntryInfo, ErrorBody, EvaluateOptions, PolicyInfo,
    ScriptTier, StreamOptions, StreamSummary, Tier,
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
