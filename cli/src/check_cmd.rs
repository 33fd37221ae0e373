//! `patron check DIR`: every problem of a policy at once, each with file:line:column, the
//! offending line and a caret; warnings for parameters no script reads.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use ariadne::{Config, IndexType, Label, Report, ReportKind, Source};
use clap::Args;
use patron::policy::{check_files, Diagnostic, PolicyFile, Severity};
use patron::Policy;

use crate::{Failure, EXIT_INPUT, EXIT_POLICY, EXIT_RECORD_ERRORS};

/// Arguments of `patron check`.
#[derive(Args)]
pub struct CheckArgs {
    /// The policy directory.
    dir: PathBuf,
}

/// Runs `patron check`: exit 0 when there are no errors (warnings allowed), 1 when there
/// are, 4 when the directory cannot be read.
pub fn run(args: CheckArgs) -> Result<u8, Failure> {
    let files =
        Policy::read_files(&args.dir).map_err(|e| Failure::new(EXIT_POLICY, e.to_string()))?;
    let report = check_files(&files);
    let color = std::io::stdout().is_terminal();
    let mut out = std::io::stdout().lock();
    for diagnostic in &report.diagnostics {
        render(&mut out, diagnostic, &files, color)
            .map_err(|e| Failure::new(EXIT_INPUT, format!("cannot write output: {e}")))?;
    }
    let errors = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = report.diagnostics.len() - errors;
    let _ = writeln!(
        out,
        "{}: {errors} error(s), {warnings} warning(s)",
        args.dir.display()
    );
    Ok(if errors > 0 { EXIT_RECORD_ERRORS } else { 0 })
}

/// The character offset of 1-based `line` and `column` in `text`.
fn char_offset(text: &str, line: usize, column: usize) -> usize {
    let before: usize = text
        .split_inclusive('\n')
        .take(line - 1)
        .map(|l| l.chars().count())
        .sum();
    before + column.saturating_sub(1)
}

fn render(
    out: &mut impl Write,
    d: &Diagnostic,
    files: &[PolicyFile],
    color: bool,
) -> std::io::Result<()> {
    let kind = match d.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    let file = files.iter().find(|f| f.name == d.location.file);
    let (Some(file), true) = (file, d.location.line > 0) else {
        let label = if d.severity == Severity::Error {
            "error"
        } else {
            "warning"
        };
        return writeln!(out, "{label}: {}: {}", d.location, d.message);
    };
    let start = char_offset(&file.text, d.location.line, d.location.column.max(1));
    let span = start..start + 1;
    let name = file.name.as_str();
    Report::build(kind, (name, span.clone()))
        .with_config(
            Config::default()
                .with_color(color)
                .with_index_type(IndexType::Char),
        )
        .with_message(format!("{}: {}", d.location, d.message))
        .with_label(Label::new((name, span)).with_message(&d.message))
        .finish()
        .write((name, Source::from(file.text.as_str())), &mut *out)
}
