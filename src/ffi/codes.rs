//! The stable status codes of the C ABI. They are the numbers of [`ErrorCode`]; the header
//! defines them as `PATRON_*` constants, and a compile-time check below keeps the two equal.

use crate::error::ErrorCode;

/// Success.
pub const PATRON_OK: i32 = 0;
/// A required pointer argument was NULL; the message names the argument.
pub const PATRON_ERR_NULL_ARGUMENT: i32 = 1;
/// A string argument was not valid UTF-8; the message names the argument.
pub const PATRON_ERR_INVALID_UTF8: i32 = 2;
/// Input was not well-formed JSON.
pub const PATRON_ERR_INVALID_JSON: i32 = 3;
/// Input was JSON but broke the contract (a missing field, a wrong type, an unknown grade or
/// stage, an unparseable date), or an argument such as `as_of` was not valid.
pub const PATRON_ERR_INVALID_INPUT: i32 = 4;
/// A policy failed to load or check.
pub const PATRON_ERR_POLICY: i32 = 5;
/// A policy script failed at run time.
pub const PATRON_ERR_SCRIPT: i32 = 6;
/// A policy script hit one of its resource limits (operations, time, sizes, depth).
pub const PATRON_ERR_LIMIT: i32 = 7;
/// A bug in patron (for example a panic caught at the boundary); please report it.
pub const PATRON_ERR_INTERNAL: i32 = 8;

const _: () = {
    assert!(PATRON_OK == ErrorCode::Ok as i32);
    assert!(PATRON_ERR_NULL_ARGUMENT == ErrorCode::NullArgument as i32);
    assert!(PATRON_ERR_INVALID_UTF8 == ErrorCode::InvalidUtf8 as i32);
    assert!(PATRON_ERR_INVALID_JSON == ErrorCode::InvalidJson as i32);
    assert!(PATRON_ERR_INVALID_INPUT == ErrorCode::InvalidInput as i32);
    assert!(PATRON_ERR_POLICY == ErrorCode::Policy as i32);
    assert!(PATRON_ERR_SCRIPT == ErrorCode::Script as i32);
    assert!(PATRON_ERR_LIMIT == ErrorCode::Limit as i32);
    assert!(PATRON_ERR_INTERNAL == ErrorCode::Internal as i32);
};
