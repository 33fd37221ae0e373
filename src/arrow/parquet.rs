//! Parquet files in and out (cargo feature `parquet`), batch by batch: thin helpers over the
//! `parquet` crate's Arrow reader and writer, and [`evaluate_parquet`], which evaluates a
//! whole file as one portfolio in bounded memory.
//!
//! A Parquet file is one portfolio, as a JSON Lines stream is: [`evaluate_parquet`] reads it
//! twice. The first pass keeps a few numbers per customer in a
//! [`PortfolioIndex`](crate::PortfolioIndex) (not the records); the second evaluates batch by
//! batch, each customer with the portfolio facts of the whole file (unless its row brings its
//! own). The facts are the very ones a JSON batch of the same records gets.

use std::fs::File;
use std::io::{self, Write};

use ::parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use ::parquet::basic::Compression;
use ::parquet::file::properties::WriterProperties;
use arrow_array::RecordBatch;
use arrow_schema::ArrowError;
use rayon::prelude::*;

/// The writer [`evaluation_writer`] returns (the `parquet` crate's, re-exported so that a caller
/// can name it without depending on that crate).
pub use ::parquet::arrow::ArrowWriter;

use super::read::customers_from_rows;
use super::{evaluate_rows, evaluation_schema, write};
use crate::engine::{BatchItem, Engine, EvaluateOptions};
use crate::error::Result;
use crate::model::{
    fold_hash, record_hash, Date, Evaluation, Facts, PortfolioEntry, PortfolioIndexBuilder,
};

/// Rows per batch read from a Parquet file, unless the caller says otherwise.
pub const DEFAULT_BATCH_ROWS: usize = 8192;

/// Rows per row group of the Parquet files [`evaluation_writer`] writes: a row group is held
/// in memory until it is flushed, so this bounds the writer's memory.
pub const ROW_GROUP_ROWS: usize = 65_536;

fn invalid(what: &str, error: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("{what}: {error}"))
}

/// Reads the Parquet file `file` as record batches of at most `batch_rows` rows (`0` for
/// [`DEFAULT_BATCH_ROWS`]), one after the other: memory holds one batch at a time.
pub fn read_parquet(file: &File, batch_rows: usize) -> io::Result<ParquetRecordBatchReader> {
    let rows = if batch_rows == 0 {
        DEFAULT_BATCH_ROWS
    } else {
        batch_rows
    };
    ParquetRecordBatchReaderBuilder::try_new(file.try_clone()?)
        .map_err(|e| invalid("not a readable Parquet file", e))?
        .with_batch_size(rows)
        .build()
        .map_err(|e| invalid("not a readable Parquet file", e))
}

/// A Parquet writer of [`evaluation_schema`] batches into `out` (Snappy-compressed, row
/// groups of [`ROW_GROUP_ROWS`] rows). Write each batch with `write`, then `close` it: the
/// file is complete only after `close`.
pub fn evaluation_writer<W: Write + Send>(out: W) -> io::Result<ArrowWriter<W>> {
    let properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .build();
    ArrowWriter::try_new(out, evaluation_schema(), Some(properties))
        .map_err(|e| invalid("cannot write Parquet", e))
}

/// The outcomes of one batch of a Parquet file, in row order.
#[derive(Debug)]
pub struct EvaluatedRows {
    first_line: usize,
    outcomes: Vec<Result<Evaluation>>,
}

impl EvaluatedRows {
    /// The 1-based row of the file that the first outcome is for.
    pub fn first_line(&self) -> usize {
        self.first_line
    }

    /// One evaluation or error per row; an error names its row as `line`.
    pub fn outcomes(&self) -> &[Result<Evaluation>] {
        &self.outcomes
    }

    /// The rows as an [`evaluation_schema`] record batch.
    pub fn to_record_batch(&self) -> Result<RecordBatch> {
        write::evaluations_to_batch(&self.outcomes)
    }

    /// The rows as the items of a JSON batch answer (an error's `line` is its row).
    pub fn into_items(self) -> Vec<BatchItem> {
        let first = self.first_line;
        self.outcomes
            .into_iter()
            .enumerate()
            .map(|(i, outcome)| BatchItem::from_outcome(outcome, first + i))
            .collect()
    }
}

/// What [`evaluate_parquet`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ParquetSummary {
    /// Rows read.
    pub records: usize,
    /// Rows evaluated.
    pub evaluated: usize,
    /// Rows that failed (read or evaluation errors, each in its row's place).
    pub failed: usize,
}

/// Evaluates the Parquet file `file` as one portfolio: a first pass computes the portfolio
/// facts across all its rows, a second evaluates it batch by batch (`batch_rows` rows, `0`
/// for [`DEFAULT_BATCH_ROWS`]) and hands each batch's outcomes to `sink` in file order.
/// Memory holds one batch and the portfolio index (about 50 bytes per customer).
///
/// Errs on a file that is not Parquet, on an error of `sink`, and when the file changed
/// between the two passes; a row that cannot be read or evaluated is an outcome, not an
/// error.
pub fn evaluate_parquet<S>(
    engine: &Engine,
    file: &File,
    as_of: Date,
    options: &EvaluateOptions,
    batch_rows: usize,
    mut sink: S,
) -> io::Result<ParquetSummary>
where
    S: FnMut(EvaluatedRows) -> io::Result<()>,
{
    let read_error = |e: ArrowError| invalid("cannot read the Parquet file", e);

    // First pass: what the portfolio facts need, a few numbers per customer.
    let mut builder = PortfolioIndexBuilder::new(as_of);
    for batch in read_parquet(file, batch_rows)? {
        let batch = batch.map_err(read_error)?;
        builder.count_records(batch.num_rows());
        let entries: Vec<PortfolioEntry> = customers_from_rows(&batch, 1)
            .into_par_iter()
            .flatten()
            .map(|customer| {
                let facts = Facts::derive(&customer, as_of);
                PortfolioEntry::new(customer, &facts)
            })
            .collect();
        for entry in entries {
            builder.push(entry).map_err(io::Error::other)?;
        }
    }
    let index = builder.finish();

    // Second pass: evaluate, each customer with the whole file's facts.
    let changed = || {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "the Parquet file changed between the two passes",
        )
    };
    let mut summary = ParquetSummary::default();
    let (mut ordinal, mut fingerprint) = (0usize, 0u64);
    for batch in read_parquet(file, batch_rows)? {
        let batch = batch.map_err(read_error)?;
        let first_line = summary.records + 1;
        let mut rows = customers_from_rows(&batch, first_line);
        // The k-th customer that could be read gets the index's k-th facts.
        let mut customers: Vec<(usize, &mut crate::model::Customer)> = Vec::new();
        for customer in rows.iter_mut().flatten() {
            customers.push((ordinal, customer));
            ordinal += 1;
        }
        let hashes: Vec<Option<u64>> = customers
            .into_par_iter()
            .map(|(k, customer)| {
                let facts = Facts::derive(customer, as_of);
                if customer.portfolio.is_none() {
                    customer.portfolio = Some(index.facts(k, customer, &facts)?);
                }
                Some(record_hash(customer, &facts))
            })
            .collect();
        for hash in hashes {
            fingerprint = fold_hash(fingerprint, hash.ok_or_else(changed)?);
        }
        let outcomes = evaluate_rows(engine, rows, as_of, options, first_line);
        summary.records += outcomes.len();
        summary.failed += outcomes.iter().filter(|o| o.is_err()).count();
        sink(EvaluatedRows {
            first_line,
            outcomes,
        })?;
    }
    summary.evaluated = summary.records - summary.failed;
    if ordinal != index.len()
        || summary.records != index.records()
        || fingerprint != index.fingerprint()
    {
        return Err(changed());
    }
    Ok(summary)
}
