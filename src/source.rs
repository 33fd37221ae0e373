//! The text of a policy's files: [`PolicyFile`], and byte offsets in it turned into lines
//! and columns.
//!
//! A foundation module beside `error` (which holds the diagnostics checking finds in these
//! files): the script layer compiles them and the policy layer checks them, so the types they
//! share live below both.

/// One file of a policy: its name relative to the policy directory, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyFile {
    /// e.g. `promote.rhai`.
    pub name: String,
    /// The file's text.
    pub text: String,
}

/// 1-based line and column of a byte offset in `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}
