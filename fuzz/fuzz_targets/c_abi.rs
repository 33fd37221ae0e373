//! The C ABI entry points with arbitrary bytes: a flags byte, then NUL-separated fields
//! (customer, as_of, batch, plan customers, plan request, reload directory, evaluation
//! options), passed as C strings exactly as given (invalid UTF-8 included), or as NULL when
//! a flag says so, with or without an error out-parameter. `patron_diff` compares the
//! shipped default policy (a real directory, so that the whole report is built) on the
//! batch field. Every call must either return its result (valid UTF-8 JSON, `*err` set to
//! NULL) or NULL with an error whose code is not `PATRON_ERR_INTERNAL`, and never unwind.
#![no_main]

use std::ffi::{c_char, CStr, CString};
use std::ptr;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use patron::ffi::*;

/// The engine handle, shared by every run (as a C host shares one).
fn engine() -> *mut PatronEngine {
    static ENGINE: OnceLock<usize> = OnceLock::new();
    // SAFETY: NULL asks for the default policy; a NULL err is allowed.
    *ENGINE.get_or_init(|| unsafe { patron_engine_new(ptr::null(), ptr::null_mut()) } as usize)
        as *mut PatronEngine
}

/// Checks one call's outcome and frees what it returned.
///
/// # Safety
/// `out` and `err` are what one patron call returned.
unsafe fn settle(what: &str, out: *mut c_char, err: *mut PatronError, wanted_err: bool) {
    if out.is_null() {
        if wanted_err {
            assert!(!err.is_null(), "{what}: NULL without an error");
        }
        // SAFETY: `err` is NULL or a live error object.
        let code = unsafe { patron_error_code(err) };
        // SAFETY: as above; the message is never NULL.
        let message = unsafe { CStr::from_ptr(patron_error_message(err)) };
        let message = message.to_str().expect("messages are UTF-8");
        if wanted_err {
            assert_ne!(code, PATRON_OK, "{what}: NULL with PATRON_OK");
        }
        assert_ne!(code, PATRON_ERR_INTERNAL, "{what}: {message}");
    } else {
        assert!(err.is_null(), "{what}: a result and an error");
        // SAFETY: a result is a NUL-terminated string owned by the caller.
        let text = unsafe { CStr::from_ptr(out) }
            .to_str()
            .expect("results are UTF-8");
        serde_json::from_str::<serde_json::Value>(text).expect("results are JSON");
        // SAFETY: `out` came from patron and is freed once.
        unsafe { patron_string_free(out) };
    }
    // SAFETY: NULL or a live error object, freed once.
    unsafe { patron_error_free(err) };
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let mut fields = rest.split(|b| *b == 0);
    let mut next = || CString::new(fields.next().unwrap_or_default()).unwrap();
    let (customer, as_of, batch, plan_customers, plan_request, dir, options) =
        (next(), next(), next(), next(), next(), next(), next());
    let arg = |bit: u8, s: &CString| -> *const c_char {
        if flags & bit != 0 {
            ptr::null()
        } else {
            s.as_ptr()
        }
    };
    let wanted_err = flags & 0x80 == 0;
    let e = if flags & 0x40 != 0 {
        ptr::null_mut()
    } else {
        engine()
    };

    // SAFETY: every pointer is NULL, the live shared engine, a live CString, or a local
    // out-parameter; everything returned is settled (checked and freed) exactly once.
    unsafe {
        assert!(!patron_version().is_null());
        let mut err: *mut PatronError = ptr::null_mut();
        let slot = |err: &mut *mut PatronError| -> *mut *mut PatronError {
            if wanted_err {
                err
            } else {
                ptr::null_mut()
            }
        };

        let out = patron_evaluate(e, arg(1, &customer), arg(2, &as_of), slot(&mut err));
        settle("patron_evaluate", out, err, wanted_err);
        err = ptr::null_mut();

        let out = patron_evaluate_batch(e, arg(4, &batch), arg(2, &as_of), slot(&mut err));
        settle("patron_evaluate_batch", out, err, wanted_err);
        err = ptr::null_mut();

        let out = patron_plan(
            e,
            arg(8, &plan_customers),
            arg(16, &plan_request),
            slot(&mut err),
        );
        settle("patron_plan", out, err, wanted_err);
        err = ptr::null_mut();

        // Options: an empty field means NULL (the defaults), so older corpus entries keep
        // their meaning.
        let options_arg = if options.as_bytes().is_empty() {
            ptr::null()
        } else {
            options.as_ptr()
        };
        let out = patron_evaluate_with_options(
            e,
            arg(1, &customer),
            arg(2, &as_of),
            options_arg,
            slot(&mut err),
        );
        settle("patron_evaluate_with_options", out, err, wanted_err);
        err = ptr::null_mut();

        let candidate =
            CString::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../policies/default")).unwrap();
        let out = patron_diff(
            e,
            arg(32, &candidate),
            arg(4, &batch),
            arg(2, &as_of),
            slot(&mut err),
        );
        settle("patron_diff", out, err, wanted_err);
        err = ptr::null_mut();

        let out = patron_policy_info(e, slot(&mut err));
        settle("patron_policy_info", out, err, wanted_err);
        err = ptr::null_mut();

        // Reload from a directory that cannot exist (no '/' or '.' from the input), so that
        // the shared engine keeps its policy and no real directory is read.
        let mut path = b"/nonexistent-patron-fuzz/".to_vec();
        path.extend(
            dir.as_bytes()
                .iter()
                .map(|b| if *b == b'/' || *b == b'.' { b'_' } else { *b }),
        );
        let path = CString::new(path).unwrap();
        let code = patron_engine_reload(e, arg(32, &path), slot(&mut err));
        assert_ne!(code, PATRON_OK, "a reload from nowhere succeeded");
        assert_ne!(code, PATRON_ERR_INTERNAL);
        if wanted_err {
            assert_eq!(patron_error_code(err), code);
        }
        patron_error_free(err);

        // The error accessors and destructors accept NULL.
        assert_eq!(patron_error_code(ptr::null()), PATRON_OK);
        assert!(!patron_error_message(ptr::null()).is_null());
        patron_error_free(ptr::null_mut());
        patron_string_free(ptr::null_mut());
        patron_engine_free(ptr::null_mut());
    }
});
