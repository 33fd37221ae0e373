//! Evaluation through the C ABI: one customer, a batch (JSON array or JSON Lines, one result
//! or one error per record, in order), and the month plan. Each function only converts its
//! arguments and calls the function of the same name in [`crate::json`].

use std::ffi::c_char;

use super::engine::PatronEngine;
use super::error::PatronError;
use super::guard::{returning_ptr, Failure, FfiResult};
use super::strings::{arg_opt_str, arg_str, to_caller};
use crate::engine::EvaluateOptions;
use crate::error::ErrorCode;
use crate::json;
use crate::model::{parse_date, Date};

/// The `as_of` argument: a date (`YYYY-MM-DD`, or an RFC 3339 datetime whose date is taken
/// as written), or today's local date when NULL.
///
/// # Safety
/// `as_of` is NULL or a NUL-terminated string.
pub(crate) unsafe fn as_of_date(as_of: *const c_char) -> FfiResult<Date> {
    // SAFETY: forwarded from this function's contract.
    match unsafe { arg_opt_str(as_of, "as_of") }? {
        None => Ok(chrono::Local::now().date_naive()),
        Some(text) => parse_date(text).map_err(|message| {
            Failure::new(
                ErrorCode::InvalidInput,
                format!("argument `as_of`: {message}"),
            )
        }),
    }
}

/// Evaluates one customer (a JSON object as in the JSON contract: only `id` is required)
/// against the engine's current policy, as of the date `as_of` (`YYYY-MM-DD`; NULL means
/// today's date in the local time zone of the process).
///
/// Returns: the evaluation as a NUL-terminated UTF-8 JSON object (`customer_id`, `as_of`,
/// `policy`, `score`, `grade`, `stage`, `visits`, `actions`), owned by the caller and freed
/// with `patron_string_free`; or NULL with `*err` set: `PATRON_ERR_INVALID_JSON`,
/// `PATRON_ERR_INVALID_INPUT` (names the field, or `as_of`), `PATRON_ERR_SCRIPT`,
/// `PATRON_ERR_LIMIT`, `PATRON_ERR_NULL_ARGUMENT`, `PATRON_ERR_INVALID_UTF8`. On success
/// `*err` is set to NULL. Thread-safe.
///
/// Safety: `e` is NULL or a live engine. `customer_json` and `as_of` are NULL or NUL-terminated
/// strings. `err` is NULL or points to a `patron_error *` that receives the error (free it with
/// `patron_error_free`).
#[no_mangle]
pub unsafe extern "C" fn patron_evaluate(
    e: *const PatronEngine,
    customer_json: *const c_char,
    as_of: *const c_char,
    err: *mut *mut PatronError,
) -> *mut c_char {
    let body = || {
        // SAFETY: the caller guarantees `e` is NULL or a live engine.
        let engine = unsafe { PatronEngine::engine(e, "e") }?;
        // SAFETY: the caller guarantees a NUL-terminated string or NULL.
        let customer = unsafe { arg_str(customer_json, "customer_json") }?;
        // SAFETY: the caller guarantees a NUL-terminated string or NULL.
        let as_of = unsafe { as_of_date(as_of) }?;
        let json = json::evaluate(engine, customer, as_of, &EvaluateOptions::default())?;
        Ok(to_caller(json))
    };
    // SAFETY: the caller guarantees `err` is NULL or valid for writes.
    unsafe { returning_ptr(err, body) }
}

/// Evaluates a batch of customers given as a JSON array of objects or as JSON Lines (one
/// object per non-blank line), in parallel, against one snapshot of the current policy, as
/// of `as_of` (`YYYY-MM-DD`; NULL means today's local date). The customers form one
/// portfolio (revenue rank and share, RFM quintiles are computed across them).
///
/// Returns: a NUL-terminated UTF-8 JSON array with exactly one item per input record, in
/// input order: the evaluation, or for a record that failed
/// `{"customer_id": …, "line": N, "error": {"code": …, "kind": …, "message": …}}` in its
/// place. Owned by the caller, freed with `patron_string_free`. NULL with `*err` set only
/// when the input as a whole cannot be split into records (`PATRON_ERR_INVALID_JSON`), for a
/// bad argument, or on an internal error. On success `*err` is set to NULL. Thread-safe.
///
/// Safety: `e` is NULL or a live engine. `customers_json` and `as_of` are NULL or NUL-terminated
/// strings. `err` is NULL or points to a `patron_error *` that receives the error (free it with
/// `patron_error_free`).
#[no_mangle]
pub unsafe extern "C" fn patron_evaluate_batch(
    e: *const PatronEngine,
    customers_json: *const c_char,
    as_of: *const c_char,
    err: *mut *mut PatronError,
) -> *mut c_char {
    let body = || {
        // SAFETY: the caller guarantees `e` is NULL or a live engine.
        let engine = unsafe { PatronEngine::engine(e, "e") }?;
        // SAFETY: the caller guarantees a NUL-terminated string or NULL.
        let customers = unsafe { arg_str(customers_json, "customers_json") }?;
        // SAFETY: the caller guarantees a NUL-terminated string or NULL.
        let as_of = unsafe { as_of_date(as_of) }?;
        let json = json::evaluate_batch(engine, customers, as_of, &EvaluateOptions::default())?;
        Ok(to_caller(json))
    };
    // SAFETY: the caller guarantees `err` is NULL or valid for writes.
    unsafe { returning_ptr(err, body) }
}

/// Plans a month of calls and visits: `customers_json` is a JSON array or JSON Lines of
/// customers, `request_json` a JSON object such as
/// `{"month": "2026-12", "owner": "rep-07", "visits_per_day": 4, "calls_per_day": 30,
/// "min_calls_per_week": 18, "non_working_days": ["2026-12-25"]}`. The request's owner's
/// customers (every customer when it names none) are evaluated as of the month's first day
/// against one snapshot of the current policy and placed day by day: `visits_per_day` and
/// `calls_per_day` are capacities, never exceeded; `min_calls_per_week` (handbook 002: at
/// least 18 customers called back a week) is a minimum the plan meets with added calls or,
/// in `summary.by_week`, says why it cannot. `calls_per_week`, the minimum's old name, is
/// read as `min_calls_per_week`. What does not fit is listed as unscheduled with its cause.
///
/// Returns: the plan as a NUL-terminated UTF-8 JSON object (dated `entries` with `date`,
/// `slot`, `customer_id`, `kind`, `reason`, and `unscheduled`), owned by the caller and freed
/// with `patron_string_free`; or NULL with `*err` set: `PATRON_ERR_INVALID_INPUT` (a bad
/// request field, an owner with no customers, a record that cannot be read — a plan needs
/// every customer), `PATRON_ERR_INVALID_JSON`, `PATRON_ERR_SCRIPT`, `PATRON_ERR_LIMIT`,
/// `PATRON_ERR_NULL_ARGUMENT`, `PATRON_ERR_INVALID_UTF8`. On success `*err` is set to NULL.
/// Thread-safe.
///
/// Safety: `e` is NULL or a live engine. `customers_json` and `request_json` are NULL or
/// NUL-terminated strings. `err` is NULL or points to a `patron_error *` that receives the error
/// (free it with `patron_error_free`).
#[no_mangle]
pub unsafe extern "C" fn patron_plan(
    e: *const PatronEngine,
    customers_json: *const c_char,
    request_json: *const c_char,
    err: *mut *mut PatronError,
) -> *mut c_char {
    let body = || {
        // SAFETY: the caller guarantees `e` is NULL or a live engine.
        let engine = unsafe { PatronEngine::engine(e, "e") }?;
        // SAFETY: the caller guarantees a NUL-terminated string or NULL.
        let customers = unsafe { arg_str(customers_json, "customers_json") }?;
        // SAFETY: the caller guarantees a NUL-terminated string or NULL.
        let request = unsafe { arg_str(request_json, "request_json") }?;
        Ok(to_caller(json::plan(
            engine,
            customers,
            request,
            &EvaluateOptions::default(),
        )?))
    };
    // SAFETY: the caller guarantees `err` is NULL or valid for writes.
    unsafe { returning_ptr(err, body) }
}
