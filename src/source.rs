//! The text of a policy's files and what checking says about it: [`PolicyFile`],
//! [`Diagnostic`] with its [`Severity`], and byte offsets turned into lines and columns.
//!
//! A foundation module beside `error`: the script layer compiles these files and the policy
//! layer checks them, so the types they share live below both.

use std::fmt;

use crate::error::{Error, SourceLocation};

/// One file of a policy: its name relative to the policy directory, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyFile {
    /// e.g. `promote.rhai`.
    pub name: String,
    /// The file's text.
    pub text: String,
}

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The policy cannot be used.
    Error,
    /// The policy works, but something is probably wrong.
    Warning,
}

/// One problem found in a policy.
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

    /// The diagnostic as an [`Error::Policy`].
    pub fn into_error(self) -> Error {
        Error::Policy {
            location: self.location,
            message: self.message,
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

/// 1-based line and column of a byte offset in `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}
