//! C strings across the boundary: arguments borrowed as `&str` after checking for NULL and
//! UTF-8, and results handed to the caller as `char *` (freed with `patron_string_free`).

use std::ffi::{c_char, CStr, CString};

use super::guard::{quietly, ArgumentError, Failure, FfiResult};

/// Borrows the C string argument `name` as UTF-8 text.
///
/// NULL gives `PATRON_ERR_NULL_ARGUMENT` and invalid UTF-8 `PATRON_ERR_INVALID_UTF8`, both
/// naming the argument.
///
/// # Safety
/// `pointer` is NULL or points to a NUL-terminated string that stays valid and unchanged for
/// `'a`.
pub(crate) unsafe fn arg_str<'a>(pointer: *const c_char, name: &'static str) -> FfiResult<&'a str> {
    if pointer.is_null() {
        return Err(Failure::null(name));
    }
    // SAFETY: not NULL, and the caller guarantees a NUL-terminated string valid for 'a.
    let text = unsafe { CStr::from_ptr(pointer) };
    text.to_str().map_err(|e| {
        ArgumentError::InvalidUtf8 {
            argument: name,
            detail: e.to_string(),
        }
        .into()
    })
}

/// Like [`arg_str`], but NULL gives `None`.
///
/// # Safety
/// As for [`arg_str`].
pub(crate) unsafe fn arg_opt_str<'a>(
    pointer: *const c_char,
    name: &'static str,
) -> FfiResult<Option<&'a str>> {
    if pointer.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded from this function's contract.
        unsafe { arg_str(pointer, name) }.map(Some)
    }
}

/// `text` as a C string; an interior NUL (which C cannot carry) becomes U+FFFD.
pub(crate) fn c_string(text: String) -> CString {
    let text = if text.contains('\0') {
        text.replace('\0', "\u{FFFD}")
    } else {
        text
    };
    CString::new(text).unwrap_or_default()
}

/// `text` as a C string owned by the caller, to be freed with `patron_string_free`.
pub(crate) fn to_caller(text: String) -> *mut c_char {
    c_string(text).into_raw()
}

/// Frees a string returned by patron: the `char *` result of `patron_policy_info`,
/// `patron_evaluate`, `patron_evaluate_batch`, `patron_plan`, `patron_policy_check`,
/// `patron_evaluate_with_options` and `patron_diff`. NULL is allowed and does nothing.
///
/// Safety: `s` is NULL or a string returned by one of those functions that has not been freed yet;
/// do not use it after this call. Never pass strings from other allocators, nor the borrowed `const
/// char *` results of `patron_version`, `patron_error_message` or `patron_error_file`.
#[no_mangle]
pub unsafe extern "C" fn patron_string_free(s: *mut c_char) {
    if s.is_null() {
        return;
    }
    quietly((), || {
        // SAFETY: the caller guarantees `s` came from `CString::into_raw` in `to_caller` and
        // is freed only once.
        drop(unsafe { CString::from_raw(s) });
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn interior_nuls_are_replaced() {
        let c = c_string("a\0b".to_string());
        assert_eq!(c.to_str().unwrap(), "a\u{FFFD}b");
    }

    #[test]
    fn null_and_bad_utf8_arguments_are_named() {
        // SAFETY: NULL is allowed.
        let e = unsafe { arg_str(std::ptr::null(), "customer_json") }.unwrap_err();
        assert_eq!(e.code, ErrorCode::NullArgument);
        assert!(e.message.contains("customer_json"));
        let bad = [0x7b_u8, 0xff, 0x7d, 0];
        // SAFETY: `bad` is NUL-terminated and outlives the call.
        let e = unsafe { arg_str(bad.as_ptr().cast(), "as_of") }.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidUtf8);
        assert!(e.message.contains("as_of"));
    }
}
