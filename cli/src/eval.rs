//! `patron eval`: evaluate a batch of customers and print the results.
//!
//! JSON Lines input streams: it is read twice (portfolio facts first, then the evaluations,
//! chunk by chunk in parallel; once with `--portfolio given`, which takes each record's own
//! portfolio facts) and never held in memory, and every format but the table is
//! written as the results come. A JSON array is read whole. A Parquet file (`*.parquet` or
//! `--input-format parquet`) is read twice too, batch by batch. Any input can be written as
//! Parquet (`--format parquet`, the columns of `patron::arrow::evaluation_schema()`), JSON
//! Lines chunk by chunk as they stream.

use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use patron::model::{parse_customers, Date};
use patron::{Engine, EvaluateOptions, PortfolioIndex, StreamOptions};

use crate::input::{as_of, starts_with_bracket, SeekableInput};
use crate::output::parquet::ParquetItemWriter;
use crate::output::{Encoded, ItemSink, ItemWriter};
use crate::{load_engine, Failure, Format, EXIT_INPUT, EXIT_RECORD_ERRORS};

/// Batches at least this large show a progress bar (on a terminal).
const PROGRESS_FROM: usize = 20_000;
/// Inputs at least this large show a spinner while their portfolio is read (on a terminal).
const SPINNER_FROM_BYTES: u64 = 16 << 20;

/// Exit code: wrong usage.
const EXIT_USAGE: u8 = 2;

/// Output formats of `patron eval`: the item formats, and Parquet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum EvalFormat {
    /// A readable table (the default on a terminal).
    Table,
    /// One JSON array (the default when the output is not a terminal).
    Json,
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header row.
    Csv,
    /// A Parquet file with the columns of `patron::arrow::evaluation_schema()`, from any
    /// input (to --out or a redirected standard output).
    Parquet,
}

impl EvalFormat {
    /// The item format, `None` for Parquet.
    fn items(self) -> Option<Format> {
        match self {
            EvalFormat::Table => Some(Format::Table),
            EvalFormat::Json => Some(Format::Json),
            EvalFormat::Jsonl => Some(Format::Jsonl),
            EvalFormat::Csv => Some(Format::Csv),
            EvalFormat::Parquet => None,
        }
    }
}

/// Input formats of `patron eval`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum InputFormat {
    /// A JSON array or JSON Lines.
    Json,
    /// A Parquet file (columns as `patron::arrow::customer_schema()`).
    Parquet,
}

/// Arguments of `patron eval`.
#[derive(Args)]
pub struct EvalArgs {
    /// Customers as a JSON array, JSON Lines or a Parquet file; `-` or nothing reads standard
    /// input.
    file: Option<PathBuf>,
    /// Policy directory; the embedded default policy when absent.
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Evaluation date (YYYY-MM-DD); today when absent.
    #[arg(long)]
    as_of: Option<String>,
    /// Output format; `table` on a terminal, `json` otherwise.
    #[arg(long, value_enum)]
    format: Option<EvalFormat>,
    /// Input format; `parquet` for a file named `*.parquet`, `json` otherwise.
    #[arg(long, value_enum)]
    input_format: Option<InputFormat>,
    /// Write the output to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Show which rules fired and the facts and parameters they read.
    #[arg(long)]
    explain: bool,
    /// Where JSON Lines take portfolio facts from: `scan` (the default) computes them over
    /// the whole input first (two passes); `given` reads the input once and takes the facts
    /// each record brings in its `portfolio` field (computed elsewhere, e.g. last night; a
    /// record without them has none), as `patron serve`'s `portfolio=given`.
    #[arg(long, value_enum, default_value = "scan")]
    portfolio: Portfolio,
}

/// Where the portfolio facts of a JSON Lines stream come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Portfolio {
    /// Computed over the whole input by a first pass.
    Scan,
    /// Each record's own `portfolio` field; the input is read once.
    Given,
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
    let to_terminal = args.out.is_none() && std::io::stdout().is_terminal();
    let format = args.format.unwrap_or(if to_terminal {
        EvalFormat::Table
    } else {
        EvalFormat::Json
    });
    let parquet_input = match args.input_format {
        Some(input) => input == InputFormat::Parquet,
        None => args.file.as_deref().is_some_and(is_parquet_name),
    };
    if format == EvalFormat::Parquet && to_terminal {
        return Err(Failure::new(
            EXIT_USAGE,
            "--format parquet writes a binary file: give --out FILE or redirect standard output",
        ));
    }
    let out: Box<dyn Write + Send> = match &args.out {
        Some(path) => Box::new(BufWriter::with_capacity(
            1 << 16,
            std::fs::File::create(path).map_err(|e| {
                Failure::new(EXIT_INPUT, format!("cannot write {}: {e}", path.display()))
            })?,
        )),
        None => Box::new(BufWriter::with_capacity(1 << 16, std::io::stdout())),
    };
    let one_pass = args.portfolio == Portfolio::Given;
    if one_pass && parquet_input {
        return Err(Failure::new(
            EXIT_USAGE,
            "--portfolio given reads JSON Lines; a Parquet file's portfolio is scanned",
        ));
    }
    let source = SeekableInput::open(args.file.as_deref())?;
    let counts = if parquet_input {
        evaluate_parquet_file(&engine, &source, as_of, &options.evaluate, format, out)?
    } else {
        let how = Json { one_pass };
        match format.items() {
            Some(format) => {
                let explain = args.explain;
                evaluate_json(&engine, source, as_of, &options, how, || {
                    ItemWriter::new(out, format, explain)
                })?
            }
            None => evaluate_json(&engine, source, as_of, &options, how, || {
                ParquetItemWriter::new(out)
            })?,
        }
    };
    if counts.failed > 0 {
        eprintln!(
            "patron: {} of {} record(s) failed; see their errors in the output",
            counts.failed, counts.records
        );
        return Ok(EXIT_RECORD_ERRORS);
    }
    Ok(0)
}

/// Whether `path` names a Parquet file (by its extension).
fn is_parquet_name(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

/// A Parquet file: one portfolio, read twice batch by batch; written as Parquet or as items.
fn evaluate_parquet_file(
    engine: &Engine,
    source: &SeekableInput,
    as_of: Date,
    options: &EvaluateOptions,
    format: EvalFormat,
    out: Box<dyn Write + Send>,
) -> Result<Counts, Failure> {
    use patron::arrow::parquet::{evaluate_parquet, evaluation_writer};
    let name = &source.name;
    let mut write_error = None;
    let summary = match format.items() {
        None => {
            let mut writer = evaluation_writer(out).map_err(write_failure)?;
            let summary = evaluate_parquet(engine, source.file(), as_of, options, 0, |rows| {
                let batch = rows.to_record_batch().map_err(std::io::Error::other)?;
                writer
                    .write(&batch)
                    .map_err(std::io::Error::other)
                    .inspect_err(|e| write_error = Some(e.to_string()))
            });
            let summary = summary.map_err(|e| match write_error.take() {
                Some(message) => write_failure(message),
                None => read_failure(name, e),
            })?;
            // The file is complete once its footer is written and the buffer flushed.
            let mut out = writer.into_inner().map_err(write_failure)?;
            out.flush().map_err(write_failure)?;
            summary
        }
        Some(format) => {
            let mut writer =
                ItemWriter::new(out, format, options.explain).map_err(write_failure)?;
            let summary = evaluate_parquet(engine, source.file(), as_of, options, 0, |rows| {
                let items = rows
                    .into_items()
                    .into_iter()
                    .map(|item| ItemWriter::<Box<dyn Write + Send>>::encode(format, item))
                    .collect();
                writer
                    .write(items)
                    .inspect_err(|e| write_error = Some(e.to_string()))
            });
            let summary = summary.map_err(|e| match write_error.take() {
                Some(message) => write_failure(message),
                None => read_failure(name, e),
            })?;
            writer.finish().map_err(write_failure)?;
            summary
        }
    };
    Ok(Counts {
        records: summary.records,
        failed: summary.failed,
    })
}

/// How JSON input is evaluated.
struct Json {
    /// JSON Lines in one pass, with the records' own portfolio facts.
    one_pass: bool,
}

/// A JSON array (read whole) or JSON Lines (streamed).
/// `make_sink` makes the output once the input is known to be usable.
fn evaluate_json<S: ItemSink>(
    engine: &Engine,
    source: SeekableInput,
    as_of: Date,
    options: &StreamOptions,
    how: Json,
    make_sink: impl FnOnce() -> std::io::Result<S>,
) -> Result<Counts, Failure> {
    let Json { one_pass } = how;
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
    if one_pass && array == Some(true) {
        return Err(Failure::new(
            EXIT_USAGE,
            "--portfolio given reads JSON Lines, not a JSON array",
        ));
    }
    let mut writer = make_sink().map_err(write_failure)?;
    let counts = if array == Some(true) {
        evaluate_whole(engine, input, &name, as_of, &options.evaluate, &mut writer)?
    } else {
        let portfolio = if one_pass {
            None
        } else {
            Some(scan_portfolio(&mut input, &name, size, as_of, options)?)
        };
        evaluate_streaming(
            engine,
            input,
            &name,
            as_of,
            portfolio.as_ref(),
            options,
            &mut writer,
        )?
    };
    writer.finish().map_err(write_failure)?;
    Ok(counts)
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

/// The first pass over JSON Lines: the portfolio index; leaves `input` where it was.
fn scan_portfolio<R: BufRead + Seek>(
    mut input: R,
    name: &str,
    size: Option<u64>,
    as_of: Date,
    options: &StreamOptions,
) -> Result<PortfolioIndex, Failure> {
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
    Ok(portfolio)
}

/// JSON Lines: the evaluating pass, results written chunk by chunk; with the portfolio index
/// of the first pass, or in one pass with the records' own portfolio facts.
fn evaluate_streaming<R: BufRead, S: ItemSink>(
    engine: &Engine,
    input: R,
    name: &str,
    as_of: Date,
    portfolio: Option<&PortfolioIndex>,
    options: &StreamOptions,
    writer: &mut S,
) -> Result<Counts, Failure> {
    let format = writer.encoding();
    let bar = progress_bar(portfolio.map_or(0, PortfolioIndex::records));
    let mut write_error = None;
    let summary = engine
        .evaluate_stream_by_ref(
            input,
            as_of,
            portfolio,
            options,
            |item| {
                if let Some(bar) = &bar {
                    bar.inc(1);
                }
                ItemWriter::<Vec<u8>>::encode_ref(format, item)
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
fn evaluate_whole<R: Read, S: ItemSink>(
    engine: &Engine,
    mut input: R,
    name: &str,
    as_of: Date,
    options: &EvaluateOptions,
    writer: &mut S,
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
    let format = writer.encoding();
    writer
        .write(
            items
                .into_iter()
                .map(|item| ItemWriter::<Vec<u8>>::encode(format, item))
                .collect::<Vec<std::io::Result<Encoded>>>(),
        )
        .map_err(write_failure)?;
    Ok(counts)
}
