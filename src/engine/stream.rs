//! Streaming evaluation of JSON Lines: records are read in chunks, each chunk is parsed and
//! evaluated in parallel (rayon, input order kept), and its results are written before the
//! next chunk's are, so memory stays bounded whatever the size of the input.
//!
//! Portfolio facts (revenue rank and share, RFM quintiles, owner counts) depend on every
//! customer, so a stream that must give the same answers as an in-memory batch reads its
//! input twice: [`PortfolioIndex::scan`] keeps a few numbers per customer (it does not build
//! the records: each line is read straight into those numbers), then
//! [`Engine::evaluate_stream_with`] reads the records and evaluates with them — each record
//! without its histories, which are folded into its facts as they are read
//! ([`parse_line_with_facts`]). [`Engine::evaluate_stream`] does both on a seekable input. The
//! output is byte for byte what the batch gives. [`Engine::evaluate_stream_by_ref`] is the
//! evaluating pass for callers that only serialise the items: each item is lent to them, and
//! its evaluation is reused by the next record on the same thread (each thread of the pool
//! keeps one).
//!
//! Memory is bounded by the chunks, not the input: the chunk being read, the chunk being
//! evaluated (its records parsed) and the results being written — by default at most 1,024
//! lines or 4 MiB of input per chunk, plus a record that is longer on its own. The one part
//! that grows with the input is the portfolio index, O(customers) but small: about 50 bytes
//! plus the id per customer at its peak, 16 bytes per customer while evaluating (see
//! [`PortfolioIndex`]).

use std::cell::Cell;
use std::io::{self, BufRead, BufWriter, Seek, SeekFrom, Write};

use rayon::prelude::*;

use super::{evaluate, BatchItem, Engine, EvaluateOptions};
use crate::error::{Error, RecordRef, Result};
use crate::model::{
    fold_hash, parse_line_with_facts, record_hash, scan_line, Customer, Date, Evaluation, Facts,
    FoldedRecord, PortfolioEntry, PortfolioIndex, PortfolioIndexBuilder,
};
use crate::policy::Policy;

/// How a stream is cut into chunks, and how each record is evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamOptions {
    /// Options of each evaluation (e.g. the trace).
    pub evaluate: EvaluateOptions,
    /// Lines per chunk at most (default 1,024).
    pub chunk_lines: usize,
    /// Bytes of input per chunk at most (default 4 MiB); a longer line makes a chunk alone.
    pub chunk_bytes: usize,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            evaluate: EvaluateOptions::default(),
            chunk_lines: 1024,
            chunk_bytes: 4 << 20,
        }
    }
}

/// What a stream did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamSummary {
    /// Lines read, blank ones included.
    pub lines: usize,
    /// Records (non-blank lines): one output item each.
    pub records: usize,
    /// Records evaluated.
    pub evaluated: usize,
    /// Records that failed (their error is their output item).
    pub failed: usize,
}

/// One line of a chunk: where it is in the chunk's bytes and its 1-based line number.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
    number: usize,
}

/// Consecutive lines of the input.
#[derive(Debug, Default)]
struct Chunk {
    bytes: Vec<u8>,
    lines: Vec<Line>,
}

impl Chunk {
    /// The record on `line` without its histories, and their facts as of `as_of`, as
    /// [`parse_line_with_facts`] reads it (the result of [`parse_line`](crate::model::parse_line)
    /// and [`Facts::derive`](crate::model::Facts::derive)); a line that is not UTF-8 is a
    /// failed record of its own.
    fn record(&self, line: &Line, as_of: Date) -> Option<FoldedRecord> {
        match line_text(&self.bytes[line.start..line.end]) {
            Ok(text) => parse_line_with_facts(text, line.number, as_of),
            Err(e) => Some(FoldedRecord {
                line: line.number,
                result: Err(Error::InvalidInput {
                    record: RecordRef {
                        customer_id: None,
                        line: Some(line.number),
                    },
                    field: "(record)".to_string(),
                    message: format!("the line is not valid UTF-8: {e}"),
                }),
            }),
        }
    }
}

impl Chunk {
    /// The portfolio entry of the record on `line`, as [`scan_line`] reads it: `None` for a
    /// blank line, `Some(None)` for a record that [`record`](Chunk::record) would fail (a
    /// line that is not UTF-8 among them).
    fn entry(&self, line: &Line, as_of: Date) -> Option<Option<PortfolioEntry>> {
        match line_text(&self.bytes[line.start..line.end]) {
            Ok(text) => scan_line(text, as_of),
            Err(_) => Some(None),
        }
    }
}

/// The text of a line: checked by `simdutf8` (vectorised where the CPU allows), with the
/// standard library's error, which says where, when it is not UTF-8.
fn line_text(bytes: &[u8]) -> Result<&str, std::str::Utf8Error> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(_) => std::str::from_utf8(bytes),
    }
}

/// Reads lines into chunks. Lines end at `\n` (a `\r` before it is dropped), as
/// [`str::lines`] splits them.
struct LineReader<'o, R> {
    input: R,
    options: &'o StreamOptions,
    lines: usize,
}

impl<R: BufRead> LineReader<'_, R> {
    /// Replaces `chunk` with the next lines; leaves it empty at the end of the input.
    fn fill(&mut self, chunk: &mut Chunk) -> io::Result<()> {
        chunk.bytes.clear();
        chunk.lines.clear();
        let max_lines = self.options.chunk_lines.max(1);
        while chunk.lines.len() < max_lines && chunk.bytes.len() < self.options.chunk_bytes {
            let start = chunk.bytes.len();
            if read_line(&mut self.input, &mut chunk.bytes)? == 0 {
                break;
            }
            self.lines += 1;
            let mut end = chunk.bytes.len();
            if chunk.bytes[end - 1] == b'\n' {
                end -= 1;
                if end > start && chunk.bytes[end - 1] == b'\r' {
                    end -= 1;
                }
            }
            chunk.lines.push(Line {
                start,
                end,
                number: self.lines,
            });
        }
        Ok(())
    }
}

/// [`BufRead::read_until`] a newline, with the `memchr` crate's search (vectorised where the
/// CPU allows) instead of the standard library's word-at-a-time one: appends the next line of
/// `input`, its `\n` included, to `into` and returns its length (0 at the end of the input).
fn read_line<R: BufRead>(input: &mut R, into: &mut Vec<u8>) -> io::Result<usize> {
    let mut read = 0;
    loop {
        let buffer = match input.fill_buf() {
            Ok(buffer) => buffer,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buffer.is_empty() {
            return Ok(read);
        }
        let (taken, done) = match memchr::memchr(b'\n', buffer) {
            Some(at) => (at + 1, true),
            None => (buffer.len(), false),
        };
        into.extend_from_slice(&buffer[..taken]);
        input.consume(taken);
        read += taken;
        if done {
            return Ok(read);
        }
    }
}

/// Runs `process` on each chunk in turn (on the rayon pool), and `finish` on its result in
/// input order.
/// The next chunk is read, and the previous result finished, while a chunk is processed.
/// Returns the number of lines read.
fn pipeline<R, P, F, G>(
    input: R,
    options: &StreamOptions,
    process: F,
    mut finish: G,
) -> io::Result<usize>
where
    R: BufRead,
    P: Send,
    F: Fn(&Chunk) -> io::Result<P> + Sync,
    G: FnMut(P) -> io::Result<()>,
{
    let mut reader = LineReader {
        input,
        options,
        lines: 0,
    };
    let (mut current, mut next) = (Chunk::default(), Chunk::default());
    reader.fill(&mut current)?;
    let mut pending: Option<P> = None;
    while !current.lines.is_empty() {
        let mut processed = None;
        let mut io_result = Ok(());
        rayon::in_place_scope(|scope| {
            scope.spawn(|_| processed = Some(process(&current)));
            io_result = pending
                .take()
                .map_or(Ok(()), &mut finish)
                .and_then(|()| reader.fill(&mut next));
        });
        io_result?;
        let result = processed
            .unwrap_or_else(|| Err(io::Error::other("a chunk of the stream was not processed")))?;
        pending = Some(result);
        std::mem::swap(&mut current, &mut next);
    }
    if let Some(result) = pending {
        finish(result)?;
    }
    Ok(reader.lines)
}

impl PortfolioIndex {
    /// The first pass over a JSON Lines stream: reads every record (in parallel, chunk by
    /// chunk) and keeps, for each one that parses, only what its portfolio facts need (id,
    /// owner, grade, revenue, collected revenue and purchases in the last 365 days, days
    /// since the last purchase). The records are not built as customers: each is read
    /// straight into those numbers, checked as the evaluating pass's parser checks it, so
    /// that exactly the records it accepts count. Errors are I/O errors only; a bad record
    /// simply does not count, as in a batch.
    pub fn scan<R: BufRead>(
        input: R,
        as_of: Date,
        options: &StreamOptions,
    ) -> io::Result<PortfolioIndex> {
        let mut builder = PortfolioIndexBuilder::new(as_of);
        pipeline(
            input,
            options,
            |chunk| {
                let entries: Vec<(usize, Option<Option<PortfolioEntry>>)> = chunk
                    .lines
                    .par_iter()
                    .map(|line| (line.number, chunk.entry(line, as_of)))
                    .collect();
                Ok(entries)
            },
            |entries| {
                for (number, entry) in entries {
                    match entry {
                        Some(Some(entry)) => {
                            builder.count_records(1);
                            builder.push(entry).map_err(io::Error::other)?;
                        }
                        Some(None) => {
                            builder.count_records(1);
                            builder.skip_line(number);
                        }
                        None => builder.skip_line(number),
                    }
                }
                Ok(())
            },
        )?;
        Ok(builder.finish())
    }
}

/// One chunk evaluated: its items (mapped), how many failed, and the hashes of the customers
/// that parsed.
struct Evaluated<T> {
    items: Vec<T>,
    failed: usize,
    hashes: Vec<u64>,
}

impl Engine {
    /// Evaluates JSON Lines from `input` to JSON Lines on `output` with bounded memory: one
    /// output line per record, in input order, the evaluation or the record's error (the
    /// items of [`evaluate_many`](Engine::evaluate_many) over the same text, byte for byte). Blank
    /// lines are skipped; a line that is not a customer record becomes an error item naming
    /// its line, and every other line is still evaluated.
    ///
    /// The input is read twice: first for the portfolio facts, which depend on all customers
    /// ([`PortfolioIndex::scan`]), then to evaluate, chunk by chunk in parallel. Hence
    /// `Seek`; for an input that cannot seek, spool it to a file first, or use
    /// [`evaluate_stream_with`](Engine::evaluate_stream_with). The policy is the one serving
    /// when the call starts. Errors are I/O errors (and an input that changed between the
    /// two passes).
    ///
    /// ```
    /// use std::io::Cursor;
    /// use patron::{model::parse_date, Engine, StreamOptions};
    ///
    /// let engine = Engine::with_default_policy()?;
    /// let input = "{ \"id\": \"C-1\", \"purchases\": [ { \"at\": \"2026-10-01\", \"amount\": 900 } ] }\n\
    ///              not a record\n\
    ///              { \"id\": \"C-2\" }";
    /// let mut output = Vec::new();
    /// let summary = engine.evaluate_stream(
    ///     Cursor::new(input),
    ///     &mut output,
    ///     parse_date("2026-11-23")?,
    ///     &StreamOptions::default(),
    /// )?;
    /// assert_eq!((summary.records, summary.evaluated, summary.failed), (3, 2, 1));
    /// let lines: Vec<serde_json::Value> = output
    ///     .split(|b| *b == b'\n')
    ///     .filter(|l| !l.is_empty())
    ///     .map(|l| serde_json::from_slice(l).unwrap())
    ///     .collect();
    /// assert_eq!(lines[0]["portfolio"]["revenue_rank"], 1);
    /// assert_eq!(lines[1]["line"], 2);
    /// assert_eq!(lines[2]["customer_id"], "C-2");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate_stream<R: BufRead + Seek, W: Write>(
        &self,
        mut input: R,
        output: W,
        as_of: Date,
        options: &StreamOptions,
    ) -> io::Result<StreamSummary> {
        let start = input.stream_position()?;
        let portfolio = PortfolioIndex::scan(&mut input, as_of, options)?;
        input.seek(SeekFrom::Start(start))?;
        let mut output = BufWriter::with_capacity(1 << 16, output);
        let summary = self.evaluate_stream_by_ref(
            input,
            as_of,
            Some(&portfolio),
            options,
            BatchItem::to_json_line,
            |lines| lines.iter().try_for_each(|line| output.write_all(line)),
        )?;
        output.flush()?;
        Ok(summary)
    }

    /// The evaluating pass of a stream, for callers that choose the output: each record's
    /// [`BatchItem`] goes through `map` (in parallel, e.g. to serialise it), and `sink`
    /// receives the mapped items chunk by chunk, in input order.
    ///
    /// With `portfolio` (from [`PortfolioIndex::scan`] over the same input, as of the same
    /// date), the items are those of an in-memory batch of all the records. Without it the
    /// input is read once, and a record that brings no `portfolio` field is evaluated
    /// without portfolio facts, as [`evaluate`](Engine::evaluate) does — for callers that
    /// pass last night's facts in the records.
    ///
    /// ```
    /// use std::io::Cursor;
    /// use patron::{model::parse_date, Engine, PortfolioIndex, StreamOptions};
    ///
    /// let engine = Engine::with_default_policy()?;
    /// let as_of = parse_date("2026-11-23")?;
    /// let input = "{ \"id\": \"C-1\", \"grade\": \"A\" }\n{ \"id\": \"C-2\", \"grade\": \"Z\" }\n";
    /// let options = StreamOptions::default();
    /// let portfolio = PortfolioIndex::scan(Cursor::new(input), as_of, &options)?;
    /// let mut grades = Vec::new();
    /// engine.evaluate_stream_with(
    ///     Cursor::new(input),
    ///     as_of,
    ///     Some(&portfolio),
    ///     &options,
    ///     |item| match item {
    ///         patron::BatchItem::Evaluated(e) => e.grade.to,
    ///         patron::BatchItem::Failed { line, .. } => format!("line {line} failed"),
    ///     },
    ///     |chunk| {
    ///         grades.extend(chunk);
    ///         Ok(())
    ///     },
    /// )?;
    /// assert_eq!(grades, ["A", "line 2 failed"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate_stream_with<R, T, F, S>(
        &self,
        input: R,
        as_of: Date,
        portfolio: Option<&PortfolioIndex>,
        options: &StreamOptions,
        map: F,
        sink: S,
    ) -> io::Result<StreamSummary>
    where
        R: BufRead,
        T: Send,
        F: Fn(BatchItem) -> T + Sync,
        S: FnMut(Vec<T>) -> io::Result<()>,
    {
        self.evaluating_pass(
            input,
            as_of,
            portfolio,
            options,
            |policy, record, line| {
                let outcome = record.and_then(|(customer, facts)| {
                    evaluate::evaluate_with_facts(policy, customer, facts, &options.evaluate)
                });
                let item = BatchItem::from_outcome(outcome, line);
                let failed = item.is_error();
                (map(item), failed)
            },
            sink,
        )
    }

    /// [`evaluate_stream_with`](Engine::evaluate_stream_with) with `map` borrowing each
    /// item instead of taking it: the form for callers that only serialise or summarise the
    /// items. An evaluation's allocations (its strings, parts and actions) are then reused
    /// by the next record evaluated on the same thread, as
    /// [`evaluate_with`](Engine::evaluate_with) reuses a result; the items are the same.
    ///
    /// ```
    /// use std::io::Cursor;
    /// use patron::{model::parse_date, BatchItem, Engine, PortfolioIndex, StreamOptions};
    ///
    /// let engine = Engine::with_default_policy()?;
    /// let as_of = parse_date("2026-11-23")?;
    /// let input = "{ \"id\": \"C-1\", \"grade\": \"A\" }\nnot a record\n";
    /// let options = StreamOptions::default();
    /// let portfolio = PortfolioIndex::scan(Cursor::new(input), as_of, &options)?;
    /// let mut lines = Vec::new();
    /// let summary = engine.evaluate_stream_by_ref(
    ///     Cursor::new(input),
    ///     as_of,
    ///     Some(&portfolio),
    ///     &options,
    ///     BatchItem::to_json_line,
    ///     |chunk| {
    ///         lines.extend(chunk);
    ///         Ok(())
    ///     },
    /// )?;
    /// assert_eq!((summary.evaluated, summary.failed), (1, 1));
    /// assert!(lines[0].starts_with(b"{\"customer_id\":\"C-1\","));
    /// assert!(lines[1].starts_with(b"{\"customer_id\":null,\"line\":2,"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate_stream_by_ref<R, T, F, S>(
        &self,
        input: R,
        as_of: Date,
        portfolio: Option<&PortfolioIndex>,
        options: &StreamOptions,
        map: F,
        sink: S,
    ) -> io::Result<StreamSummary>
    where
        R: BufRead,
        T: Send,
        F: Fn(&BatchItem) -> T + Sync,
        S: FnMut(Vec<T>) -> io::Result<()>,
    {
        thread_local! {
            /// The evaluation the last record on this thread was written into.
            static SPARE: Cell<Option<Box<Evaluation>>> = const { Cell::new(None) };
        }
        self.evaluating_pass(
            input,
            as_of,
            portfolio,
            options,
            |policy, record, line| {
                let mut evaluation = SPARE.take().unwrap_or_default();
                let outcome = record.and_then(|(customer, facts)| {
                    evaluate::evaluate_with_facts_into(
                        policy,
                        customer,
                        facts,
                        &options.evaluate,
                        &mut evaluation,
                    )
                });
                match outcome {
                    Ok(()) => {
                        let item = BatchItem::Evaluated(evaluation);
                        let mapped = map(&item);
                        if let BatchItem::Evaluated(evaluation) = item {
                            SPARE.set(Some(evaluation));
                        }
                        (mapped, false)
                    }
                    Err(error) => {
                        SPARE.set(Some(evaluation));
                        (map(&BatchItem::from_outcome(Err(error), line)), true)
                    }
                }
            },
            sink,
        )
    }

    /// The evaluating pass: each chunk's records read (without their histories) and given,
    /// with their portfolio facts, to `item_of` in parallel (`item_of` evaluates one and
    /// says whether it failed); the mapped items go to `sink` chunk by chunk, in input order.
    fn evaluating_pass<R, T, E, S>(
        &self,
        input: R,
        as_of: Date,
        portfolio: Option<&PortfolioIndex>,
        options: &StreamOptions,
        item_of: E,
        mut sink: S,
    ) -> io::Result<StreamSummary>
    where
        R: BufRead,
        T: Send,
        E: Fn(&Policy, Result<(&Customer, Facts)>, usize) -> (T, bool) + Sync,
        S: FnMut(Vec<T>) -> io::Result<()>,
    {
        if let Some(portfolio) = portfolio {
            if portfolio.as_of() != as_of {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "the portfolio index is as of {}, the evaluation as of {as_of}",
                        portfolio.as_of()
                    ),
                ));
            }
        }
        let policy = self.policy.load_full();
        let mut summary = StreamSummary::default();
        let mut fingerprint = 0u64;
        let mut customers = 0usize;
        let changed = || {
            io::Error::new(
                io::ErrorKind::InvalidData,
                "the input changed between the two passes of the stream",
            )
        };
        summary.lines = pipeline(
            input,
            options,
            |chunk| {
                // Each record is read, given its facts and evaluated on one thread, and
                // dropped there: its ordinal comes from its line number (the first pass
                // noted the lines that gave no customer), not from the records before it.
                let outcomes: Vec<(T, bool, Option<u64>)> = chunk
                    .lines
                    .par_iter()
                    .filter_map(|line| {
                        let record = chunk.record(line, as_of)?;
                        let mut hash = None;
                        let customer_and_facts = record.result.and_then(|(customer, mut facts)| {
                            hash = Some(record_hash(&customer, &facts));
                            if let (None, Some(portfolio)) = (&facts.portfolio, portfolio) {
                                facts.portfolio =
                                    portfolio.ordinal_of_line(line.number).and_then(|ordinal| {
                                        portfolio.facts(ordinal, &customer, &facts)
                                    });
                                if facts.portfolio.is_none() {
                                    return Err(Error::Internal(changed().to_string()));
                                }
                            }
                            Ok((customer, facts))
                        });
                        let (item, failed) = match customer_and_facts {
                            Ok((customer, facts)) => {
                                item_of(&policy, Ok((&customer, facts)), record.line)
                            }
                            Err(error) => item_of(&policy, Err(error), record.line),
                        };
                        Some((item, failed, hash))
                    })
                    .collect();
                let mut evaluated = Evaluated {
                    items: Vec::with_capacity(outcomes.len()),
                    failed: 0,
                    hashes: Vec::with_capacity(outcomes.len()),
                };
                for (item, failed, hash) in outcomes {
                    evaluated.items.push(item);
                    evaluated.failed += usize::from(failed);
                    evaluated.hashes.extend(hash);
                }
                Ok(evaluated)
            },
            |evaluated| {
                summary.records += evaluated.items.len();
                summary.failed += evaluated.failed;
                customers += evaluated.hashes.len();
                for hash in evaluated.hashes {
                    fingerprint = fold_hash(fingerprint, hash);
                }
                sink(evaluated.items)
            },
        )?;
        summary.evaluated = summary.records - summary.failed;
        if let Some(portfolio) = portfolio {
            if customers != portfolio.len()
                || summary.records != portfolio.records()
                || fingerprint != portfolio.fingerprint()
            {
                return Err(changed());
            }
        }
        Ok(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `read_line` splits any input as `read_until(b'\n')` does, whatever the reader's buffer
    /// size (lines longer than the buffer, ends on a boundary, no newline at the end, blank
    /// and `\r\n` lines), and leaves the reader where `read_until` leaves it.
    #[test]
    fn read_line_reads_what_read_until_reads() {
        let long = "x".repeat(70);
        let inputs = [
            String::new(),
            "\n".to_string(),
            "a".to_string(),
            "a\nbb\n\nccc".to_string(),
            "a\r\nb\r\n\r\n".to_string(),
            format!("{long}\n{long}{long}\nend"),
            format!("\n\n{long}\n"),
        ];
        for input in &inputs {
            for capacity in [1, 2, 3, 7, 64, 1 << 16] {
                let mut by_until = io::BufReader::with_capacity(capacity, input.as_bytes());
                let mut by_line = io::BufReader::with_capacity(capacity, input.as_bytes());
                loop {
                    let (mut expected, mut actual) = (b"kept".to_vec(), b"kept".to_vec());
                    let n = by_until.read_until(b'\n', &mut expected).unwrap();
                    let m = read_line(&mut by_line, &mut actual).unwrap();
                    assert_eq!(
                        (m, &actual),
                        (n, &expected),
                        "{input:?}, capacity {capacity}"
                    );
                    if n == 0 {
                        break;
                    }
                }
            }
        }
    }
}
