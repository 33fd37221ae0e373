//! The `patron_error` object: a stable code, a message and, for errors about a policy file,
//! the file, line and column — created by a failing call through its `patron_error **err`
//! out-parameter and freed by the caller with `patron_error_free`.

use std::ffi::{c_char, CString};

use super::codes::PATRON_OK;
use super::guard::{quietly, Failure};
use super::strings::c_string;
use crate::error::ErrorCode;

/// What went wrong in a call: a `PATRON_ERR_*` code, a message and, when the error is about
/// a policy file, its file, line and column. Opaque to C (`patron_error`).
///
/// Thread-safety: an error object is immutable, so any thread may read it (also several at
/// once), but it must be freed exactly once, when no thread reads it any more.
/// Lifetime: a failing call creates it and the caller owns it until `patron_error_free`; it
/// does not depend on the engine that produced it (it may outlive it), and the strings its
/// accessors return are borrowed from it and valid until it is freed.
#[derive(Debug)]
pub struct PatronError {
    code: ErrorCode,
    message: CString,
    /// The policy file (NULL to C when unknown), 1-based line and column (0 when unknown).
    file: Option<CString>,
    line: usize,
    column: usize,
}

impl PatronError {
    /// A new error object for `failure`, ready to hand to C with `Box::into_raw`.
    pub(crate) fn boxed(failure: Failure) -> Box<PatronError> {
        let location = failure.location.unwrap_or_default();
        Box::new(PatronError {
            code: failure.code,
            message: c_string(failure.message),
            file: (!location.file.is_empty()).then(|| c_string(location.file)),
            line: location.line,
            column: location.column,
        })
    }
}

/// The message a NULL error reads as.
static NO_ERROR: &std::ffi::CStr = c"no error";

/// Returns the code of `err`: one of the `PATRON_ERR_*` constants. A NULL `err` (what a
/// successful call leaves in its out-parameter) gives `PATRON_OK`.
///
/// Safety: `err` is NULL or an error object from patron that has not been freed.
#[no_mangle]
pub unsafe extern "C" fn patron_error_code(err: *const PatronError) -> i32 {
    quietly(ErrorCode::Internal.as_i32(), || {
        // SAFETY: the caller guarantees `err` is NULL or a live error object.
        match unsafe { err.as_ref() } {
            None => PATRON_OK,
            Some(error) => error.code.as_i32(),
        }
    })
}

/// Returns the message of `err`: UTF-8 text that names the argument, record, field or
/// script line at fault. A NULL `err` gives the static text "no error".
///
/// Returns: never NULL. The string is owned by `err` and valid until `patron_error_free(err)`;
/// do not free it yourself, copy it if you need it longer.
///
/// Safety: `err` is NULL or an error object from patron that has not been freed.
#[no_mangle]
pub unsafe extern "C" fn patron_error_message(err: *const PatronError) -> *const c_char {
    quietly(NO_ERROR.as_ptr(), || {
        // SAFETY: the caller guarantees `err` is NULL or a live error object.
        match unsafe { err.as_ref() } {
            None => NO_ERROR.as_ptr(),
            Some(error) => error.message.as_ptr(),
        }
    })
}

/// Returns the policy file the error is about, relative to the policy directory (e.g.
/// `"score.rhai"` or `"policy.toml"`; the directory itself when it cannot be read): set for `PATRON_ERR_POLICY` (the first problem of a
/// policy that does not load; `patron_policy_check` lists them all), `PATRON_ERR_SCRIPT` and
/// `PATRON_ERR_LIMIT` (where the script was running). NULL when the error is not about a
/// policy file (bad input, NULL arguments, internal errors) or `err` is NULL.
///
/// Returns: a NUL-terminated UTF-8 string borrowed from `err`, valid until
/// `patron_error_free(err)`; do not free it yourself, copy it if you need it longer.
///
/// Safety: `err` is NULL or an error object from patron that has not been freed.
#[no_mangle]
pub unsafe extern "C" fn patron_error_file(err: *const PatronError) -> *const c_char {
    quietly(std::ptr::null(), || {
        // SAFETY: the caller guarantees `err` is NULL or a live error object.
        match unsafe { err.as_ref() } {
            Some(PatronError {
                file: Some(file), ..
            }) => file.as_ptr(),
            _ => std::ptr::null(),
        }
    })
}

/// Returns the 1-based line in `patron_error_file(err)` the error is about, or 0 when
/// unknown (no file, a problem with the whole file, or `err` NULL).
///
/// Safety: `err` is NULL or an error object from patron that has not been freed.
#[no_mangle]
pub unsafe extern "C" fn patron_error_line(err: *const PatronError) -> usize {
    quietly(0, || {
        // SAFETY: the caller guarantees `err` is NULL or a live error object.
        unsafe { err.as_ref() }.map_or(0, |error| error.line)
    })
}

/// Returns the 1-based column (in characters) on `patron_error_line(err)` the error is
/// about, or 0 when unknown.
///
/// Safety: `err` is NULL or an error object from patron that has not been freed.
#[no_mangle]
pub unsafe extern "C" fn patron_error_column(err: *const PatronError) -> usize {
    quietly(0, || {
        // SAFETY: the caller guarantees `err` is NULL or a live error object.
        unsafe { err.as_ref() }.map_or(0, |error| error.column)
    })
}

/// Frees an error object returned through a `patron_error **err` out-parameter, and with it
/// its message. NULL is allowed and does nothing.
///
/// Safety: `err` is NULL or an error object from patron that has not been freed yet; do not use it
/// (or its message) after this call.
#[no_mangle]
pub unsafe extern "C" fn patron_error_free(err: *mut PatronError) {
    if err.is_null() {
        return;
    }
    quietly((), || {
        // SAFETY: the caller guarantees `err` came from `Box::into_raw` in the guard and is
        // freed only once.
        drop(unsafe { Box::from_raw(err) });
    })
}
