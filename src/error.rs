//! The one error type of the library, and the stable numeric codes the C ABI exposes.
//!
//! Every failure a Rust caller can see is an [`Error`]; its [`ErrorCode`] is one of the
//! `PATRON_ERR_*` constants of `include/patron.h`, so a C caller and a Rust caller see the
//! same classification. Two codes belong to the C layer alone (a NULL argument, a string
//! that is not UTF-8: a Rust caller cannot make those mistakes); they are numbered here so
//! that the numbering lives in one place, and `patron::ffi` reports them with its own type.
//!
//! A policy that does not load is one [`Error::Policy`] that carries every error found, each
//! a [`Diagnostic`] with file, line, column and message.

use std::fmt;

/// Stable error codes shared with the C ABI (`PATRON_OK` … `PATRON_ERR_INTERNAL`).
///
/// The numbers never change: C callers store and compare them. [`Error::code`] never gives
/// [`ErrorCode::NullArgument`] or [`ErrorCode::InvalidUtf8`]: only the C ABI reports those
/// (its arguments are C pointers and C strings); they are listed here so that every code
/// has one number, defined once.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Success (`PATRON_OK = 0`).
    Ok = 0,
    /// A required pointer argument was NULL (`PATRON_ERR_NULL_ARGUMENT = 1`; C ABI only).
    NullArgument = 1,
    /// A string argument was not valid UTF-8 (`PATRON_ERR_INVALID_UTF8 = 2`; C ABI only).
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

/// How bad a problem in a policy is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The policy cannot be used.
    Error,
    /// The policy works, but something is probably wrong.
    Warning,
}

/// One problem found in a policy: how bad, where, and what.
///
/// As JSON (the C ABI's `patron_policy_check`) it is one flat object:
/// `{"severity": "error", "file": "score.rhai", "line": 3, "column": 7, "message": "…"}`,
/// `line` and `column` 1-based and 0 when unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Where: file, line and column (0 when the whole file is meant).
    pub location: SourceLocation,
    /// What is wrong.
    pub message: String,
}

impl Diagnostic {
    /// An error at `location`.
    pub fn error(location: SourceLocation, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            location,
            message: message.into(),
        }
    }

    /// A warning at `location`.
    pub fn warning(location: SourceLocation, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            location,
            message: message.into(),
        }
    }

    /// The diagnostic as an [`Error::Policy`] on its own.
    pub fn into_error(self) -> Error {
        Error::Policy {
            location: self.location,
            message: self.message,
            others: Vec::new(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{kind}: {}: {}", self.location, self.message)
    }
}

impl serde::Serialize for Diagnostic {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("Diagnostic", 5)?;
        out.serialize_field("severity", &self.severity)?;
        out.serialize_field("file", &self.location.file)?;
        out.serialize_field("line", &self.location.line)?;
        out.serialize_field("column", &self.location.column)?;
        out.serialize_field("message", &self.message)?;
        out.end()
    }
}

/// Displays the further errors of an [`Error::Policy`], one per line.
struct Also<'a>(&'a [Diagnostic]);

impl fmt::Display for Also<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in self.0 {
            write!(f, "\n  also at {}: {}", d.location, d.message)?;
        }
        Ok(())
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
/// Each variant maps to exactly one [`ErrorCode`] through [`Error::code`]. New variants may
/// be added in a minor release: match with a `_` arm (or use [`Error::code`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
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
    /// A policy failed to load or check. `location` and `message` are the first error found;
    /// `others` the rest, in the order found, so that one load reports every problem
    /// ([`Error::diagnostics`] gives them all as one list). Display shows them all, the first
    /// on the first line as `policy error at FILE:LINE:COLUMN: MESSAGE`, each further one on
    /// a line of its own as `  also at FILE:LINE:COLUMN: MESSAGE`.
    #[error("policy error at {location}: {message}{}", Also(others))]
    Policy {
        /// Where the first problem is.
        location: SourceLocation,
        /// What is wrong there.
        message: String,
        /// The further errors, after the first (empty when there is one).
        others: Vec<Diagnostic>,
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
            others: Vec::new(),
        }
    }

    /// One policy error for every error diagnostic in `diagnostics` (warnings are left out),
    /// or `None` when there is none.
    pub(crate) fn from_diagnostics(
        diagnostics: impl IntoIterator<Item = Diagnostic>,
    ) -> Option<Self> {
        let mut errors = diagnostics
            .into_iter()
            .filter(|d| d.severity == Severity::Error);
        let first = errors.next()?;
        Some(Error::Policy {
            location: first.location,
            message: first.message,
            others: errors.collect(),
        })
    }

    /// Every problem this error reports, as diagnostics: for [`Error::Policy`] the first
    /// error and the others, in the order found; for the other kinds one diagnostic with the
    /// error's script location (when it has one) and its message; empty for errors that are
    /// not about a policy (bad input, internal errors).
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("patron-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// std::fs::write(dir.join("policy.toml"), "name = \"\"\n").unwrap();
    /// let error = patron::Policy::load(&dir).unwrap_err();
    /// let all = error.diagnostics();
    /// assert!(all.len() > 1, "{error}");
    /// assert!(all.iter().all(|d| !d.location.file.is_empty()));
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            Error::Policy {
                location,
                message,
                others,
            } => std::iter::once(Diagnostic::error(location.clone(), message.clone()))
                .chain(others.iter().cloned())
                .collect(),
            Error::Script {
                location, message, ..
            }
            | Error::Limit {
                location, message, ..
            } => vec![Diagnostic::error(location.clone(), message.clone())],
            _ => Vec::new(),
        }
    }

    /// The location in a policy file this error is about: the first error's for
    /// [`Error::Policy`], the script position for [`Error::Script`] and [`Error::Limit`];
    /// `None` for the other kinds.
    pub fn location(&self) -> Option<&SourceLocation> {
        match self {
            Error::Policy { location, .. }
            | Error::Script { location, .. }
            | Error::Limit { location, .. } => Some(location),
            _ => None,
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
