//! The one error type of the library, and the stable numeric codes the C ABI exposes.
//!
//! Every failure a caller can see is an [`Error`]; its [`ErrorCode`] maps 1:1 onto the
//! `PATRON_ERR_*` constants of `include/patron.h`, so a C caller and a Rust caller see the
//! same classification.

use std::fmt;

/// Stable error codes shared with the C ABI (`PATRON_OK` … `PATRON_ERR_INTERNAL`).
///
/// The numbers never change: C callers store and compare them.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Success (`PATRON_OK = 0`).
    Ok = 0,
    /// A required pointer argument was NULL (`PATRON_ERR_NULL_ARGUMENT = 1`).
    NullArgument = 1,
    /// A string argument was not valid UTF-8 (`PATRON_ERR_INVALID_UTF8 = 2`).
    InvalidUtf8 = 2,
    /// Input was not well-formed JSON (`PATRON_ERR_INVALID_JSON = 3`).
    InvalidJson = 3,
    /// Input was JSON but broke the contract: a missing field, a wrong type, an unknown
    /// grade or stage, an unparseable date (`PATRON_ERR_INVALID_INPUT = 4`).
    InvalidInput = 4,
    /// A policy failed to load or check (`PATRON_ERR_POLICY = 5`).
    Policy = 5,
    /// A policy script failed at run time (`PATRON_ERR_SCRIPT = 6`).
    Script = 6,
    /// A policy script hit one of its resource limits (`PATRON_ERR_LIMIT = 7`).
    Limit = 7,
    /// A bug in patron; please report it (`PATRON_ERR_INTERNAL = 8`).
    Internal = 8,
}

impl ErrorCode {
    /// The code as the C ABI returns it.
    pub fn as_i32(self) -> i32 {
        self as i32
    }
}

/// Where in a policy file something is: file name, 1-based line and column (0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceLocation {
    /// File name relative to the policy directory, e.g. `promote.rhai`.
    pub file: String,
    /// 1-based line, 0 when unknown.
    pub line: usize,
    /// 1-based column, 0 when unknown.
    pub column: usize,
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (0, _) => write!(f, "{}", self.file),
            (line, 0) => write!(f, "{}:{line}", self.file),
            (line, column) => write!(f, "{}:{line}:{column}", self.file),
        }
    }
}

/// Which record of the input an error is about.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordRef {
    /// The customer id, when the record got far enough to have one.
    pub customer_id: Option<String>,
    /// 1-based line of the record in its input text, when it came from text.
    pub line: Option<usize>,
}

impl fmt::Display for RecordRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.customer_id, self.line) {
            (Some(id), Some(line)) => write!(f, "customer {id} (line {line})"),
            (Some(id), None) => write!(f, "customer {id}"),
            (None, Some(line)) => write!(f, "record at line {line}"),
            (None, None) => write!(f, "record"),
        }
    }
}

/// Everything that can go wrong in patron.
///
/// Each variant maps to exactly one [`ErrorCode`] through [`Error::code`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A required pointer argument was NULL (C ABI only).
    #[error("argument `{0}` is NULL")]
    NullArgument(&'static str),
    /// A string argument was not valid UTF-8.
    #[error("argument `{argument}` is not valid UTF-8: {detail}")]
    InvalidUtf8 {
        /// Which argument.
        argument: &'static str,
        /// What the decoder said.
        detail: String,
    },
    /// The input text is not JSON.
    #[error("{record}: malformed JSON: {message}")]
    InvalidJson {
        /// Which record.
        record: RecordRef,
        /// The parser's message, with line and column.
        message: String,
    },
    /// The input is JSON but breaks the contract.
    #[error("{record}: field `{field}`: {message}")]
    InvalidInput {
        /// Which record.
        record: RecordRef,
        /// The path of the offending field, e.g. `purchases[2].at`.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// A policy failed to load or check.
    #[error("policy error at {location}: {message}")]
    Policy {
        /// Where the problem is.
        location: SourceLocation,
        /// What is wrong.
        message: String,
    },
    /// A policy script failed while running.
    #[error("{record}: script error in {function} at {location}: {message}")]
    Script {
        /// The record being evaluated.
        record: RecordRef,
        /// The script entry function that was running, e.g. `grade`.
        function: String,
        /// Where in the script.
        location: SourceLocation,
        /// What went wrong.
        message: String,
    },
    /// A policy script hit one of its resource limits.
    #[error("{record}: script limit hit in {function} at {location}: {message}")]
    Limit {
        /// The record being evaluated.
        record: RecordRef,
        /// The script entry function that was running.
        function: String,
        /// Where in the script.
        location: SourceLocation,
        /// Which limit, and its value.
        message: String,
    },
    /// A bug in patron.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// The stable code of this error, as the C ABI reports it.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::NullArgument(_) => ErrorCode::NullArgument,
            Error::InvalidUtf8 { .. } => ErrorCode::InvalidUtf8,
            Error::InvalidJson { .. } => ErrorCode::InvalidJson,
            Error::InvalidInput { .. } => ErrorCode::InvalidInput,
            Error::Policy { .. } => ErrorCode::Policy,
            Error::Script { .. } => ErrorCode::Script,
            Error::Limit { .. } => ErrorCode::Limit,
            Error::Internal(_) => ErrorCode::Internal,
        }
    }

    /// A policy error at a file with no better position.
    pub(crate) fn policy(file: &str, message: impl Into<String>) -> Self {
        Error::Policy {
            location: SourceLocation {
                file: file.to_string(),
                ..SourceLocation::default()
            },
            message: message.into(),
        }
    }

    /// Attaches the record (id and line) to an error about one record, keeping what is known.
    pub fn with_record(mut self, id: Option<&str>, line: Option<usize>) -> Self {
        if let Error::InvalidJson { record, .. }
        | Error::InvalidInput { record, .. }
        | Error::Script { record, .. }
        | Error::Limit { record, .. } = &mut self
        {
            if record.customer_id.is_none() {
                record.customer_id = id.map(str::to_string);
            }
            if record.line.is_none() {
                record.line = line;
            }
        }
        self
    }

    /// The record this error is about, if any.
    pub fn record(&self) -> Option<&RecordRef> {
        match self {
            Error::InvalidJson { record, .. }
            | Error::InvalidInput { record, .. }
            | Error::Script { record, .. }
            | Error::Limit { record, .. } => Some(record),
            _ => None,
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
