//! The version of the library: `PATRON_VERSION_MAJOR`, `_MINOR` and `_PATCH` for the
//! compiler (the version of the header a program was built with), and `patron_version` for
//! the library a program runs with. A compile-time check keeps the numbers equal to the
//! crate's version in `Cargo.toml`: bumping the version without them does not build.

use std::ffi::c_char;

use super::guard::quietly;

/// The major version of the header (the `X` of `X.Y.Z`). Compare it with `patron_version()`
/// to see whether the library a program runs with is the one it was compiled against.
pub const PATRON_VERSION_MAJOR: u32 = 0;
/// The minor version of the header (the `Y` of `X.Y.Z`).
pub const PATRON_VERSION_MINOR: u32 = 1;
/// The patch version of the header (the `Z` of `X.Y.Z`).
pub const PATRON_VERSION_PATCH: u32 = 0;

/// A decimal number written in ASCII digits, at compile time.
const fn number(text: &str) -> u32 {
    let bytes = text.as_bytes();
    let mut value = 0;
    let mut i = 0;
    while i < bytes.len() {
        assert!(bytes[i].is_ascii_digit(), "a version part is not a number");
        value = value * 10 + (bytes[i] - b'0') as u32;
        i += 1;
    }
    value
}

const _: () = {
    assert!(
        PATRON_VERSION_MAJOR == number(env!("CARGO_PKG_VERSION_MAJOR"))
            && PATRON_VERSION_MINOR == number(env!("CARGO_PKG_VERSION_MINOR"))
            && PATRON_VERSION_PATCH == number(env!("CARGO_PKG_VERSION_PATCH")),
        "PATRON_VERSION_MAJOR/MINOR/PATCH in src/ffi/version.rs must equal the version in \
         Cargo.toml; update them and refresh the header (PATRON_BLESS=1 cargo test --test header)"
    );
};

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
        let parts = format!("{PATRON_VERSION_MAJOR}.{PATRON_VERSION_MINOR}.{PATRON_VERSION_PATCH}");
        assert!(
            crate::VERSION.starts_with(&parts),
            "{parts} vs {}",
            crate::VERSION
        );
    }
}
