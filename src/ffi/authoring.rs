//! The C ABI for policy authoring: checking a policy directory (every problem at once),
//! evaluation with options (a trace of which rules fired) and the impact report of a
//! candidate policy against the one an engine serves. Only marshalling: the work is
//! `json::policy_check`, `json::evaluate_with_options` and `json::diff`.

use std::ffi::c_char;

use super::engine::PatronEngine;
use super::error::PatronError;
use super::evaluate::as_of_date;
use super::guard::returning_ptr;
use super::strings::{arg_opt_str, arg_str, to_caller};
use crate::json;

/// Checks the policy in the directory `policy_dir` (`policy.toml` plus the `*.rhai`
/// scripts) without loading it, and reports every problem found, not only the first — what
/// `patron check` shows, and what makes `patron_engine_new` and `patron_engine_reload` fail.
///
/// Returns: a NUL-terminated UTF-8 JSON array with one object per problem, in the order
/// found, owned by the caller and freed with `patron_string_free`:
/// `[{"severity": "error", "file": "score.rhai", "line": 3, "column": 7, "message": "…"}]`.
/// `severity` is `"error"` (the policy does not load) or `"warning"` (it loads, but something
/// is probably wrong); `file` is relative to `policy_dir`; `line` and `column` are 1-based,
/// 0 when the problem is about the whole file. A clean policy gives `[]`. A policy with
/// problems is not a failure of this call: `*err` is set to NULL. On failure it returns NULL
/// with `*err` set: `PATRON_ERR_POLICY` when the directory or one of its files cannot be
/// read, `PATRON_ERR_NULL_ARGUMENT`, `PATRON_ERR_INVALID_UTF8`. Thread-safe (it touches no
/// engine).
///
/// Safety: `policy_dir` is NULL or a NUL-terminated string. `err` is NULL or points to a
/// `patron_error *` that receives the error (free it with `patron_error_free`).
#[no_mangle]
pub unsafe extern "C" fn patron_policy_check(
    policy_dir: *const c_char,
    err: *mut *mut PatronError,
) -> *mut c_char {
    let body = || {
        // SAFETY: the caller guarantees a NUL-terminated string or NULL.
        let dir = unsafe { arg_str(policy_dir, "policy_dir") }?;
        Ok(to_caller(json::policy_check(dir)?))
    };
    // SAFETY: the caller guarantees `err` is NULL or valid for writes.
    unsafe { returning_ptr(err, body) }
}

/// Evaluates one customer like `patron_evaluate`, with options given as a JSON object:
/// `{"explain": true}` adds a `trace` to the result (which script functions ran, the rule
/// that decided each grade and stage, the facts and parameters they read, a sentence per
/// decision); `{"tier": "interpreter"}` runs every script in rhai's interpreter instead of the
/// fast tier (same results; for comparing and debugging). `options_json` NULL means the
/// defaults (no trace, fast tier where it applies).
///
/// Returns: the evaluation as a NUL-terminated UTF-8 JSON object, owned by the caller and
/// freed with `patron_string_free`; or NULL with `*err` set (as `patron_evaluate`, plus
/// `PATRON_ERR_INVALID_INPUT` for options other than `"explain": bool` and
/// `"tier": "auto" | "interpreter"`). On success
/// `*err` is set to NULL. Thread-safe.
///
/// Safety: `e` is NULL or a live engine. `customer_json`, `as_of` and `options_json` are NULL or
/// NUL-terminated strings. `err` is NULL or points to a `patron_error *` that receives the error
/// (free it with `patron_error_free`).
#[no_mangle]
pub unsafe extern "C" fn patron_evaluate_with_options(
    e: *const PatronEngine,
    customer_json: *const c_char,
    as_of: *const c_char,
    options_json: *const c_char,
    err: *mut *mut PatronError,
) -> *mut c_char {
    let body = || {
        // SAFETY: the caller guarantees `e` is NULL or a live engine.
        let engine = unsafe { PatronEngine::engine(e, "e") }?;
        // SAFETY: the caller guarantees a NUL-terminated string or NULL.
        let customer = unsafe { arg_str(customer_json, "customer_json") }?;
        // SAFETY: the caller guarantees a NUL-terminated string or NULL.
        let as_of = unsafe { as_of_date(as_of) }?;
        // SAFETY: the caller guarantees a NUL-terminated string or NULL.
        let options = unsafe { arg_opt_str(options_json, "options_json") }?;
        Ok(to_caller(json::evaluate_with_options(
            engine, customer, as_of, options,
        )?))
    };
    // SAFETY: the caller guarantees `err` is NULL or valid for writes.
    unsafe { returning_ptr(err, body) }
}

/// What replacing the engine's current policy with the candidate policy in
/// `candidate_policy_dir` would do to the customers in `customers_json` (a JSON array or
/// JSON Lines, evaluated as one portfolio) as of `as_of` (`YYYY-MM-DD`; NULL means today):
/// grade and stage transition matrices with example customers, score shift statistics, and
/// the workload in calls and visits per month. Nothing is swapped: the engine keeps serving
/// its policy.
///
/// Returns: the impact report as a NUL-terminated UTF-8 JSON object (`base`, `candidate`,
/// `customers`, `grades_changed`, `grade_matrix`, `stages_changed`, `stage_matrix`,
/// `score_shift`, `workload`, `errors` — records that could not be read or evaluated are
/// listed there, never dropped), owned by the caller and freed with `patron_string_free`; or
/// NULL with `*err` set: `PATRON_ERR_POLICY` (the candidate does not load),
/// `PATRON_ERR_INVALID_JSON` (the input cannot be split into records),
/// `PATRON_ERR_INVALID_INPUT` (`as_of`), `PATRON_ERR_NULL_ARGUMENT`,
/// `PATRON_ERR_INVALID_UTF8`. On success `*err` is set to NULL. Thread-safe.
///
/// Safety: `e` is NULL or a live engine. `candidate_policy_dir`, `customers_json` and `as_of` are
/// NULL or NUL-terminated strings. `err` is NULL or points to a `patron_error *` that receives the
/// error (free it with `patron_error_free`).
#[no_mangle]
pub unsafe extern "C" fn patron_diff(
    e: *const PatronEngine,
    candidate_policy_dir: *const c_char,
    customers_json: *const c_char,
    as_of: *const c_char,
    err: *mut *mut PatronError,
) -> *mut c_char {
    let body = || {
        // SAFETY: the caller guarantees `e` is NULL or a live engine.
        let engine = unsafe { PatronEngine::engine(e, "e") }?;
        // SAFETY: the caller guarantees a NUL-terminated string or NULL.
        let candidate = unsafe { arg_str(candidate_policy_dir, "candidate_policy_dir") }?;
        // SAFETY: the caller guarantees a NUL-terminated string or NULL.
        let customers = unsafe { arg_str(customers_json, "customers_json") }?;
        // SAFETY: the caller guarantees a NUL-terminated string or NULL.
        let as_of = unsafe { as_of_date(as_of) }?;
        Ok(to_caller(json::diff(engine, candidate, customers, as_of)?))
    };
    // SAFETY: the caller guarantees `err` is NULL or valid for writes.
    unsafe { returning_ptr(err, body) }
}
