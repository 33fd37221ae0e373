//! The C ABI (see `include/patron.h`): opaque handles, UTF-8 JSON strings in and out, error
//! objects, and nothing that unwinds across the boundary. Only marshalling lives here; the
//! rules stay in the library.
//!
//! - [`codes`] holds the stable `PATRON_*` status codes;
//! - [`version`] the `PATRON_VERSION_*` numbers and the `patron_version` function;
//! - `guard` runs each exported function's body under `catch_unwind` and fills its
//!   `patron_error **err` out-parameter;
//! - `strings` takes C strings in (checked for NULL and UTF-8) and hands them out (owned by
//!   the caller);
//! - [`error`] is the `patron_error` object and its accessors (code, message, and the
//!   policy file, line and column an error is about);
//! - [`engine`] the `patron_engine` handle: create, reload, describe, free;
//! - [`evaluate`] evaluates one customer or a batch, and plans a month;
//! - [`authoring`] checks a policy directory (every problem, as JSON), evaluates with
//!   options (a trace) and reports a candidate policy's impact.
//!
//! Every exported function checks every pointer it is given, reports failures through an
//! error object (never a global), and turns a panic into `PATRON_ERR_INTERNAL`.
//!
//! The doc comments of the exported items are the C header's documentation: cbindgen copies
//! them into `include/patron.h` verbatim, so they are written for a C reader — plain prose,
//! no Markdown headings. What a C caller must guarantee is the paragraph that starts with
//! "Safety:" (where Rust convention has a `# Safety` heading, which is why clippy's
//! `missing_safety_doc` is allowed here; `tests/header.rs` checks instead that every exported
//! function has its "Safety:" paragraph). Every opaque type says in one sentence how threads
//! may share it and in one how long it lives; every function returning `char *` says that the
//! caller frees it with `patron_string_free`.

#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![allow(clippy::missing_safety_doc)]

// The order of these modules is the order of the declarations in `include/patron.h`.

pub mod codes;

pub mod version;

pub mod engine;

pub mod evaluate;

pub mod authoring;

mod strings;

pub mod error;

mod guard;

pub use authoring::{patron_diff, patron_evaluate_with_options, patron_policy_check};
pub use codes::*;
pub use engine::{
    patron_engine_free, patron_engine_new, patron_engine_reload, patron_policy_info, PatronEngine,
};
pub use error::{
    patron_error_code, patron_error_column, patron_error_file, patron_error_free,
    patron_error_line, patron_error_message, PatronError,
};
pub use evaluate::{patron_evaluate, patron_evaluate_batch, patron_plan};
pub use strings::patron_string_free;
pub use version::{
    patron_version, PATRON_VERSION_MAJOR, PATRON_VERSION_MINOR, PATRON_VERSION_PATCH,
};
