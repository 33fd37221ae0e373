//! `patron_version`: the library version as a static C string.

use std::ffi::c_char;

use super::guard::quietly;

/// The library version, NUL-terminated (the same text as [`crate::VERSION`]).
static VERSION_C: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

/// Returns the version of the patron library, e.g. `"0.1.0"`.
///
/// Returns: a static NUL-terminated string, never NULL. Owned by the library: do not free
/// it or write to it.
#[no_mangle]
pub extern "C" fn patron_version() -> *const c_char {
    quietly(c"unknown".as_ptr(), || VERSION_C.as_ptr().cast())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn the_version_is_the_crate_version() {
        // SAFETY: `patron_version` returns a static NUL-terminated string.
        let v = unsafe { CStr::from_ptr(patron_version()) };
        assert_eq!(v.to_str().unwrap(), crate::VERSION);
    }
}
