//! `patron eval`: evaluate a batch of customers and print the results.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use patron::model::parse_customers;
use patron::{BatchItem, EvaluateOptions};

use crate::input::{as_of, read_input};
use crate::output::write_items;
use crate::{load_engine, Failure, Format, EXIT_INPUT, EXIT_RECORD_ERRORS};

/// Records per progress step.
const CHUNK: usize = 4096;
/// Batches at least this large show a progress bar (on a terminal).
const PROGRESS_FROM: usize = 20_000;

/// Arguments of `patron eval`.
#[derive(Args)]
pub struct EvalArgs {
    /// Customers as a JSON array or JSON Lines; `-` or nothing reads standard input.
    file: Option<PathBuf>,
    /// Policy directory; the embedded default policy when absent.
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Evaluation date (YYYY-MM-DD); today when absent.
    #[arg(long)]
    as_of: Option<String>,
    /// Output format; `table` on a terminal, `json` otherwise.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Show which rules fired and the facts and parameters they read.
    #[arg(long)]
    explain: bool,
}

/// Runs `patron eval`.
pub fn run(args: EvalArgs) -> Result<u8, Failure> {
    let engine = load_engine(args.policy.as_ref())?;
    let as_of = as_of(args.as_of.as_deref())?;
    let text = read_input(args.file.as_deref())?;
    let records = parse_customers(&text).map_err(|e| Failure::new(EXIT_INPUT, e.to_string()))?;
    let options = EvaluateOptions {
        explain: args.explain,
        ..EvaluateOptions::default()
    };
    let progress = (records.len() >= PROGRESS_FROM && std::io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new(records.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} customers {per_sec} eta {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    });
    let mut items: Vec<BatchItem> = Vec::with_capacity(records.len());
    let mut records = records.into_iter().peekable();
    while records.peek().is_some() {
        let chunk: Vec<_> = records.by_ref().take(CHUNK).collect();
        let count = chunk.len() as u64;
        items.extend(engine.evaluate_records(chunk, as_of, &options));
        if let Some(bar) = &progress {
            bar.inc(count);
        }
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let format = args.format.unwrap_or(if std::io::stdout().is_terminal() {
        Format::Table
    } else {
        Format::Json
    });
    let mut stdout = std::io::stdout().lock();
    write_items(&mut stdout, &items, format, args.explain)
        .map_err(|e| Failure::new(EXIT_INPUT, format!("cannot write output: {e}")))?;
    let failed = items.iter().filter(|i| i.is_error()).count();
    if failed > 0 {
        eprintln!(
            "patron: {failed} of {} record(s) failed; see their errors in the output",
            items.len()
        );
        return Ok(EXIT_RECORD_ERRORS);
    }
    Ok(0)
}
