//! The C ABI (see `include/patron.h`): opaque handles, UTF-8 JSON strings in and out, error
//! objects, and nothing that unwinds across the boundary. Only marshalling lives here; the
//! rules stay in the library.
//!
//! - [`codes`] holds the stable `PATRON_*` status codes;
//! - [`version`] the `patron_version` function;
//! - `guard` runs each exported function's body under `catch_unwind` and fills its
//!   `patron_error **err` out-parameter;
//! - `strings` takes C strings in (checked for NULL and UTF-8) and hands them out (owned by
//!   the caller);
//! - [`error`] is the `patron_error` object and its accessors;
//! - [`engine`] the `patron_engine` handle: create, reload, describe, free;
//! - [`evaluate`] evaluates one customer or a batch, and plans a month;
//! - [`authoring`] evaluates with options (a trace) and reports a candidate policy's impact.
//!
//! Every exported function checks every pointer it is given, reports failures through an
//! error object (never a global), and turns a panic into `PATRON_ERR_INTERNAL`. The
//! `# Safety` section of each function is what a C caller must guarantee; cbindgen copies
//! these comments into the header.

#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

// The order of these modules is the order of the declarations in `include/patron.h`.

pub mod codes;

pub mod version;

pub mod engine;

pub mod evaluate;

pub mod authoring;

mod strings;

pub mod error;

mod guard;

pub use authoring::{patron_diff, patron_evaluate_with_options};
pub use codes::*;
pub use engine::{
    patron_engine_free, patron_engine_new, patron_engine_reload, patron_policy_info, PatronEngine,
};
pub use error::{patron_error_code, patron_error_free, patron_error_message, PatronError};
pub use evaluate::{patron_evaluate, patron_evaluate_batch, patron_plan};
pub use strings::patron_string_free;
pub use version::patron_version;
