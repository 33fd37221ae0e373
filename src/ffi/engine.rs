//! The `patron_engine` handle: create one on a policy directory or the embedded default,
//! reload its policy atomically, describe the policy serving, and free it. The handle is
//! shared across threads by C callers; [`Engine`] is `Send + Sync`.

use std::ffi::c_char;

use super::error::PatronError;
use super::guard::{quietly, returning_ptr, returning_status, Failure, FfiResult};
use super::strings::{arg_opt_str, arg_str, to_caller};
use crate::engine::Engine;

/// A rules engine serving one policy at a time. Opaque to C (`patron_engine`).
///
/// Thread-safety: an engine can be used from many threads at once — evaluate concurrently,
/// and reload its policy while others evaluate; only `patron_engine_free` needs every other
/// use to have finished.
/// Lifetime: created by `patron_engine_new` and owned by the caller until
/// `patron_engine_free`; the strings and error objects it returned do not borrow from it and
/// stay valid (and are freed separately) after it is freed.
pub struct PatronEngine {
    engine: Engine,
}

impl PatronEngine {
    /// Borrows the engine behind the handle argument `name`; NULL gives
    /// `PATRON_ERR_NULL_ARGUMENT`.
    ///
    /// # Safety
    /// `handle` is NULL or a live engine from `patron_engine_new` that outlives `'a`.
    pub(crate) unsafe fn engine<'a>(
        handle: *const PatronEngine,
        name: &'static str,
    ) -> FfiResult<&'a Engine> {
        // SAFETY: the caller guarantees `handle` is NULL or a live engine outliving 'a.
        match unsafe { handle.as_ref() } {
            Some(handle) => Ok(&handle.engine),
            None => Err(Failure::null(name)),
        }
    }
}

/// Creates an engine serving the policy in the directory `policy_dir` (UTF-8 path:
/// `policy.toml` plus the `*.rhai` scripts), or the built-in default policy when
/// `policy_dir` is NULL. The policy is loaded, compiled and checked now.
///
/// Returns: a new engine, owned by the caller, to be freed with `patron_engine_free`; or
/// NULL on failure (`PATRON_ERR_POLICY` when the policy cannot be read or does not check,
/// `PATRON_ERR_INVALID_UTF8` for a path that is not UTF-8) with `*err` set. On success
/// `*err` is set to NULL. The engine is thread-safe: share it across threads.
///
/// Safety: `policy_dir` is NULL or a NUL-terminated string. `err` is NULL (no details wanted) or
/// points to a `patron_error *` that receives the error, which the caller then owns and frees with
/// `patron_error_free`.
#[no_mangle]
pub unsafe extern "C" fn patron_engine_new(
    policy_dir: *const c_char,
    err: *mut *mut PatronError,
) -> *mut PatronEngine {
    let body = || {
        // SAFETY: the caller guarantees a NUL-terminated string or NULL.
        let engine = match unsafe { arg_opt_str(policy_dir, "policy_dir") }? {
            None => Engine::with_default_policy()?,
            Some(dir) => Engine::from_dir(dir)?,
        };
        Ok(Box::into_raw(Box::new(PatronEngine { engine })))
    };
    // SAFETY: the caller guarantees `err` is NULL or valid for writes.
    unsafe { returning_ptr(err, body) }
}

/// Loads and checks the policy in the directory `policy_dir`, then swaps it in atomically.
/// Evaluations already running finish on the policy they started with; later ones use the
/// new policy. On failure the old policy keeps serving. Safe to call while other threads
/// evaluate on the same engine. `policy_dir` must not be NULL (there is no silent fallback
/// to the built-in default).
///
/// Returns: `PATRON_OK` with `*err` set to NULL, or the error's code (`PATRON_ERR_POLICY`,
/// `PATRON_ERR_NULL_ARGUMENT`, `PATRON_ERR_INVALID_UTF8`) with `*err` set.
///
/// Safety: `e` is NULL or a live engine. `policy_dir` is NULL or a NUL-terminated string. `err` is
/// NULL or points to a `patron_error *` that receives the error (free it with `patron_error_free`).
#[no_mangle]
pub unsafe extern "C" fn patron_engine_reload(
    e: *mut PatronEngine,
    policy_dir: *const c_char,
    err: *mut *mut PatronError,
) -> i32 {
    let body = || {
        // SAFETY: the caller guarantees `e` is NULL or a live engine.
        let engine = unsafe { PatronEngine::engine(e, "e") }?;
        // SAFETY: the caller guarantees a NUL-terminated string or NULL.
        let dir = unsafe { arg_str(policy_dir, "policy_dir") }?;
        engine.reload(dir)?;
        Ok(())
    };
    // SAFETY: the caller guarantees `err` is NULL or valid for writes.
    unsafe { returning_status(err, body) }
}

/// Describes the policy serving now, as a JSON object: `name`, `version`, `hash`
/// (`sha256:…`, the same hash stamped on every evaluation), `description`, `grades`,
/// `stages`, `regions`, `limits`, `params` and `files`.
///
/// Returns: a NUL-terminated UTF-8 JSON string owned by the caller, to be freed with
/// `patron_string_free`; or NULL on failure with `*err` set. On success `*err` is set to
/// NULL.
///
/// Safety: `e` is NULL or a live engine. `err` is NULL or points to a `patron_error *` that
/// receives the error (free it with `patron_error_free`).
#[no_mangle]
pub unsafe extern "C" fn patron_policy_info(
    e: *const PatronEngine,
    err: *mut *mut PatronError,
) -> *mut c_char {
    let body = || {
        // SAFETY: the caller guarantees `e` is NULL or a live engine.
        let engine = unsafe { PatronEngine::engine(e, "e") }?;
        Ok(to_caller(crate::json::policy_info(engine)?))
    };
    // SAFETY: the caller guarantees `err` is NULL or valid for writes.
    unsafe { returning_ptr(err, body) }
}

/// Frees an engine created by `patron_engine_new`. NULL is allowed and does nothing. No
/// other thread may be using the engine during or after this call; strings and errors it
/// returned stay valid and are still freed separately.
///
/// Safety: `e` is NULL or an engine from `patron_engine_new` that has not been freed yet.
#[no_mangle]
pub unsafe extern "C" fn patron_engine_free(e: *mut PatronEngine) {
    if e.is_null() {
        return;
    }
    quietly((), || {
        // SAFETY: the caller guarantees `e` came from `Box::into_raw` in
        // `patron_engine_new`, is freed once, and is no longer in use.
        drop(unsafe { Box::from_raw(e) });
    });
}
