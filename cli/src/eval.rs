//! `patron eval`: evaluate a batch of customers and print the results.
//!
//! JSON Lines input streams: it is read twice (portfolio facts first, then the evaluations,
//! chunk by chunk in parallel) and never held in memory, and every format but the table is
//! written as the results come. A JSON array is read whole.

use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use patron::model::{parse_customers, Date};
use patron::{Engine, EvaluateOptions, PortfolioIndex, StreamOptions};

use crate::input::{as_of, starts_with_bracket, SeekableInput};
use crate::output::{Encoded, ItemWriter};
use crate::{load_engine, Failure, Format, EXIT_INPUT, EXIT_RECORD_ERRORS};

/// Batches at least this large show a progress bar (on a terminal).
const PROGRESS_FROM: usize = 20_000;
/// Inputs at least this large show a spinner while their portfolio is read (on a terminal).
const SPINNER_FROM_BYTES: u64 = 16 << 20;

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

/// Records in and records failed.
struct Counts {
    records: usize,
    failed: usize,
}

fn read_failure(name: &str, e: impl std::fmt::Display) -> Failure {
    Failure::new(EXIT_INPUT, format!("cannot read {name}: {e}"))
}

fn write_failure(e: impl std::fmt::Display) -> Failure {
    Failure::new(EXIT_INPUT, format!("cannot write output: {e}"))
}

/// Runs `patron eval`.
pub fn run(args: EvalArgs) -> Result<u8, Failure> {
    let engine = load_engine(args.policy.as_ref())?;
    let as_of = as_of(args.as_of.as_deref())?;
    let options = StreamOptions {
        evaluate: EvaluateOptions {
            explain: args.explain,
            ..EvaluateOptions::default()
        },
        ..StreamOptions::default()
    };
    let format = args.format.unwrap_or(if std::io::stdout().is_terminal() {
        Format::Table
    } else {
        Format::Json
    });
    let source = SeekableInput::open(args.file.as_deref())?;
    let name = source.name.clone();
    let size = source.len();
    let mut input = BufReader::with_capacity(1 << 20, source);
    let start = input
        .stream_position()
        .map_err(|e| read_failure(&name, e))?;
    let array = starts_with_bracket(&mut input).map_err(|e| read_failure(&name, e))?;
    input
        .seek(SeekFrom::Start(start))
        .map_err(|e| read_failure(&name, e))?;
    let stdout = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut writer = ItemWriter::new(stdout, format, args.explain).map_err(write_failure)?;
    let counts = if array == Some(true) {
        evaluate_whole(&engine, input, &name, as_of, &options.evaluate, &mut writer)?
    } else {
        evaluate_streaming(&engine, input, &name, size, as_of, &options, &mut writer)?
    };
    writer.finish().map_err(write_failure)?;
    if counts.failed > 0 {
        eprintln!(
            "patron: {} of {} record(s) failed; see their errors in the output",
            counts.failed, counts.records
        );
        return Ok(EXIT_RECORD_ERRORS);
    }
    Ok(0)
}

fn progress_bar(len: usize) -> Option<ProgressBar> {
    (len >= PROGRESS_FROM && std::io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new(len as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} customers {per_sec} eta {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    })
}

/// JSON Lines: two passes over the input, results written chunk by chunk.
fn evaluate_streaming<R: BufRead + Seek, W: Write>(
    engine: &Engine,
    mut input: R,
    name: &str,
    size: Option<u64>,
    as_of: Date,
    options: &StreamOptions,
    writer: &mut ItemWriter<W>,
) -> Result<Counts, Failure> {
    let start = input.stream_position().map_err(|e| read_failure(name, e))?;
    let spinner = (size.unwrap_or(0) >= SPINNER_FROM_BYTES && std::io::stderr().is_terminal())
        .then(|| {
            let spinner = ProgressBar::new_spinner().with_message("reading the portfolio");
            spinner.enable_steady_tick(Duration::from_millis(120));
            spinner
        });
    let portfolio =
        PortfolioIndex::scan(&mut input, as_of, options).map_err(|e| read_failure(name, e))?;
    if let Some(spinner) = spinner {
        spinner.finish_and_clear();
    }
    input
        .seek(SeekFrom::Start(start))
        .map_err(|e| read_failure(name, e))?;
    let format = writer.format();
    let bar = progress_bar(portfolio.records());
    let mut write_error = None;
    let summary = engine
        .evaluate_stream_with(
            input,
            as_of,
            Some(&portfolio),
            options,
            |item| {
                if let Some(bar) = &bar {
                    bar.inc(1);
                }
                ItemWriter::<W>::encode(format, item)
            },
            |items| {
                writer
                    .write(items)
                    .inspect_err(|e| write_error = Some(e.to_string()))
            },
        )
        .map_err(|e| match write_error.take() {
            Some(message) => write_failure(message),
            None => read_failure(name, e),
        })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(Counts {
        records: summary.records,
        failed: summary.failed,
    })
}

/// A JSON array: read whole, evaluated as one batch.
fn evaluate_whole<R: Read, W: Write>(
    engine: &Engine,
    mut input: R,
    name: &str,
    as_of: Date,
    options: &EvaluateOptions,
    writer: &mut ItemWriter<W>,
) -> Result<Counts, Failure> {
    let mut text = String::new();
    input
        .read_to_string(&mut text)
        .map_err(|e| read_failure(name, e))?;
    let records = parse_customers(&text).map_err(|e| Failure::new(EXIT_INPUT, e.to_string()))?;
    drop(text);
    let spinner = (records.len() >= PROGRESS_FROM && std::io::stderr().is_terminal()).then(|| {
        let spinner =
            ProgressBar::new_spinner().with_message(format!("{} customers", records.len()));
        spinner.enable_steady_tick(Duration::from_millis(120));
        spinner
    });
    let items = engine.evaluate_many(records, as_of, options);
    if let Some(spinner) = spinner {
        spinner.finish_and_clear();
    }
    let counts = Counts {
        records: items.len(),
        failed: items.iter().filter(|i| i.is_error()).count(),
    };
    let format = writer.format();
    writer
        .write(
            items
                .into_iter()
                .map(|item| ItemWriter::<W>::encode(format, item))
                .collect::<Vec<std::io::Result<Encoded>>>(),
        )
        .map_err(write_failure)?;
    Ok(counts)
}
