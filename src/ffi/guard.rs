//! The boundary guard: every exported function runs its body through here, so that a panic
//! never unwinds into C (it becomes `PATRON_ERR_INTERNAL`) and the `patron_error **err`
//! out-parameter is filled the same way everywhere: NULL on success, a new error object on
//! failure, and nothing written when `err` itself is NULL.
//!
//! The panic hook runs before the unwind is caught here, so a caught panic still prints its
//! location to stderr (with the default hook). patron never installs or wraps a hook: the hook is
//! process-wide and belongs to the host (`docs/c-abi.md`, `RELIABILITY.md`).

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::ptr;

use super::error::PatronError;
use crate::error::{ErrorCode, SourceLocation};

/// The mistakes only a C caller can make, which therefore are not cases of
/// [`crate::Error`]: a NULL pointer where a value is required, and a string argument that is
/// not UTF-8. They report the codes `PATRON_ERR_NULL_ARGUMENT` and `PATRON_ERR_INVALID_UTF8`,
/// whose numbers stay in [`ErrorCode`] (the one numbering shared with Rust callers, who never
/// see these two).
#[derive(Debug, thiserror::Error)]
pub(crate) enum ArgumentError {
    /// A required pointer argument was NULL.
    #[error("argument `{0}` is NULL")]
    Null(&'static str),
    /// A string argument was not valid UTF-8.
    #[error("argument `{argument}` is not valid UTF-8: {detail}")]
    InvalidUtf8 {
        /// Which argument.
        argument: &'static str,
        /// What the decoder said.
        detail: String,
    },
}

impl ArgumentError {
    /// The C status code.
    fn code(&self) -> ErrorCode {
        match self {
            ArgumentError::Null(_) => ErrorCode::NullArgument,
            ArgumentError::InvalidUtf8 { .. } => ErrorCode::InvalidUtf8,
        }
    }
}

/// Why an exported call failed, as the C layer reports it: a stable code, a message, and
/// where in a policy file the problem is (when the library error knows).
///
/// This is the C layer's own error type: it holds either a library [`crate::Error`]
/// (converted with `From`, keeping its code, message and location) or an
/// [`ArgumentError`], or a failure of the marshalling itself.
#[derive(Debug)]
pub(crate) struct Failure {
    /// The `PATRON_ERR_*` classification.
    pub code: ErrorCode,
    /// What went wrong, naming the argument, record, field or script line.
    pub message: String,
    /// The policy file, line and column the error is about, when known.
    pub location: Option<SourceLocation>,
}

/// The result of an exported function's body.
pub(crate) type FfiResult<T> = Result<T, Failure>;

impl Failure {
    /// A failure with its own message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
            location: None,
        }
    }

    /// A NULL pointer given for `argument`.
    pub fn null(argument: &'static str) -> Failure {
        ArgumentError::Null(argument).into()
    }

    /// A panic caught at the boundary.
    fn panicked(payload: Box<dyn Any + Send>) -> Failure {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic with no message".to_string());
        Failure::new(
            ErrorCode::Internal,
            format!("internal error: patron panicked: {what} (please report this bug)"),
        )
    }
}

impl From<crate::error::Error> for Failure {
    fn from(error: crate::error::Error) -> Failure {
        Failure {
            code: error.code(),
            message: error.to_string(),
            location: error.location().cloned(),
        }
    }
}

impl From<ArgumentError> for Failure {
    fn from(error: ArgumentError) -> Failure {
        Failure::new(error.code(), error.to_string())
    }
}

/// Runs `body`, turning a panic into a [`Failure`] with [`ErrorCode::Internal`].
pub(crate) fn catch<T>(body: impl FnOnce() -> FfiResult<T>) -> FfiResult<T> {
    panic::catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|payload| {
        // Dropping a panic payload can itself panic; never let that escape.
        let failure = panic::catch_unwind(AssertUnwindSafe(|| Failure::panicked(payload)));
        Err(failure.unwrap_or_else(|_| {
            Failure::new(ErrorCode::Internal, "internal error: patron panicked")
        }))
    })
}

/// Runs `body` for a function without an error out-parameter: a panic gives `fallback`.
pub(crate) fn quietly<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    panic::catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// Stores the outcome in `*err` (NULL on success) and returns the status code.
///
/// # Safety
/// `err` is NULL or valid for writing one pointer.
unsafe fn report(err: *mut *mut PatronError, failure: Option<Failure>) -> i32 {
    let code = failure.as_ref().map_or(ErrorCode::Ok, |f| f.code).as_i32();
    if !err.is_null() {
        let object = failure.map_or(ptr::null_mut(), |f| Box::into_raw(PatronError::boxed(f)));
        // SAFETY: `err` is not NULL and the caller guarantees it is valid for writes.
        unsafe { err.write(object) };
    }
    code
}

/// Runs the body of a function that returns a pointer: the pointer on success, NULL on
/// failure, with `*err` filled either way.
///
/// # Safety
/// `err` is NULL or valid for writing one pointer.
pub(crate) unsafe fn returning_ptr<T>(
    err: *mut *mut PatronError,
    body: impl FnOnce() -> FfiResult<*mut T>,
) -> *mut T {
    match catch(body) {
        Ok(pointer) => {
            // SAFETY: forwarded from this function's contract.
            unsafe { report(err, None) };
            pointer
        }
        Err(failure) => {
            // SAFETY: forwarded from this function's contract.
            unsafe { report(err, Some(failure)) };
            ptr::null_mut()
        }
    }
}

/// Runs the body of a function that returns a status code: `PATRON_OK` or the failure's
/// code, with `*err` filled either way.
///
/// # Safety
/// `err` is NULL or valid for writing one pointer.
pub(crate) unsafe fn returning_status(
    err: *mut *mut PatronError,
    body: impl FnOnce() -> FfiResult<()>,
) -> i32 {
    let failure = catch(body).err();
    // SAFETY: forwarded from this function's contract.
    unsafe { report(err, failure) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::{patron_error_code, patron_error_free, patron_error_message};
    use std::ffi::CStr;

    #[test]
    fn a_panic_becomes_an_internal_error_with_a_message() {
        let mut err: *mut PatronError = ptr::null_mut();
        // SAFETY: `err` is a local, valid for writes.
        let out: *mut u8 =
            unsafe { returning_ptr(&mut err, || -> FfiResult<*mut u8> { panic!("boom") }) };
        assert!(out.is_null());
        assert!(!err.is_null());
        // SAFETY: `err` was just created by `report`.
        unsafe {
            assert_eq!(patron_error_code(err), ErrorCode::Internal.as_i32());
            let message = CStr::from_ptr(patron_error_message(err)).to_str().unwrap();
            assert!(message.contains("boom"), "{message}");
            patron_error_free(err);
        }
    }

    #[test]
    fn a_panic_with_a_null_err_still_returns_the_code() {
        // SAFETY: a NULL `err` is allowed.
        let code = unsafe { returning_status(ptr::null_mut(), || panic!("{}", String::from("x"))) };
        assert_eq!(code, ErrorCode::Internal.as_i32());
    }

    #[test]
    fn success_clears_err() {
        let mut err: *mut PatronError = ptr::NonNull::dangling().as_ptr();
        // SAFETY: `err` is a local, valid for writes; its old value is never read.
        let code = unsafe { returning_status(&mut err, || Ok(())) };
        assert_eq!(code, 0);
        assert!(err.is_null());
    }

    #[test]
    fn quietly_gives_the_fallback_on_panic() {
        assert_eq!(quietly(7, || panic!("no")), 7);
    }
}
