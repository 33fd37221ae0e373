//! The `patron_error` object: a stable code and a message, created by a failing call through
//! its `patron_error **err` out-parameter and freed by the caller with `patron_error_free`.

use std::ffi::{c_char, CString};

use super::codes::PATRON_OK;
use super::guard::{quietly, Failure};
use super::strings::c_string;
use crate::error::ErrorCode;

/// What went wrong in a call: a `PATRON_ERR_*` code and a message. Opaque to C
/// (`patron_error`).
#[derive(Debug)]
pub struct PatronError {
    code: ErrorCode,
    message: CString,
}

impl PatronError {
    /// A new error object for `failure`, ready to hand to C with `Box::into_raw`.
    pub(crate) fn boxed(failure: Failure) -> Box<PatronError> {
        Box::new(PatronError {
            code: failure.code,
            message: c_string(failure.message),
        })
    }
}

/// The message a NULL error reads as.
static NO_ERROR: &std::ffi::CStr = c"no error";

/// Returns the code of `err`: one of the `PATRON_ERR_*` constants. A NULL `err` (what a
/// successful call leaves in its out-parameter) gives `PATRON_OK`.
///
/// # Safety
/// `err` is NULL or an error object from patron that has not been freed.
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
/// # Safety
/// `err` is NULL or an error object from patron that has not been freed.
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

/// Frees an error object returned through a `patron_error **err` out-parameter, and with it
/// its message. NULL is allowed and does nothing.
///
/// # Safety
/// `err` is NULL or an error object from patron that has not been freed yet; do not use it
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
