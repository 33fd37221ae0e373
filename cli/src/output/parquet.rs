//! Evaluation results of JSON input written as Parquet: each chunk of items becomes one
//! record batch of `patron::arrow::evaluation_schema()` as it comes, so a JSON Lines stream
//! stays a stream.

use std::io::{self, Write};

use patron::arrow::items_to_batch;
use patron::arrow::parquet::{evaluation_writer, ArrowWriter};
use patron::BatchItem;

use super::{Encoded, ItemSink};
use crate::Format;

/// Writes items as Parquet, chunk by chunk.
pub struct ParquetItemWriter<W: Write + Send> {
    writer: ArrowWriter<W>,
}

impl<W: Write + Send> ParquetItemWriter<W> {
    /// A Parquet file on `out` with the evaluation columns.
    pub fn new(out: W) -> io::Result<Self> {
        Ok(ParquetItemWriter {
            writer: evaluation_writer(out)?,
        })
    }
}

impl<W: Write + Send> ItemSink for ParquetItemWriter<W> {
    /// The items themselves: a chunk is turned into columns when it is written.
    fn encoding(&self) -> Format {
        Format::Table
    }

    fn write(&mut self, items: Vec<io::Result<Encoded>>) -> io::Result<()> {
        let items = items
            .into_iter()
            .map(|item| match item? {
                Encoded::Item(item) => Ok(item),
                Encoded::Bytes(_) => Err(io::Error::other(
                    "a Parquet output was handed encoded text instead of an item",
                )),
            })
            .collect::<io::Result<Vec<BatchItem>>>()?;
        if items.is_empty() {
            return Ok(());
        }
        let batch = items_to_batch(&items).map_err(io::Error::other)?;
        self.writer.write(&batch).map_err(io::Error::other)
    }

    /// Writes the file's footer and flushes.
    fn finish(self) -> io::Result<()> {
        let mut out = self.writer.into_inner().map_err(io::Error::other)?;
        out.flush()
    }
}
