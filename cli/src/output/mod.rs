//! Writing evaluation results as a table, JSON, JSON Lines or CSV — item by item as they
//! stream in (the table, which sizes its columns on every row, collects them first); and in
//! [`plan`], a month plan as CSV, iCalendar or HTML; in [`parquet`], results of JSON input as
//! Parquet.

pub mod parquet;
pub mod plan;

use std::io::{self, Write};

use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use patron::{BatchItem, Evaluation};

use crate::Format;

/// One item ready to write: its bytes, or the item itself for the table.
pub enum Encoded {
    /// The item's text in a streaming format.
    Bytes(Vec<u8>),
    /// The item, for the table.
    Item(BatchItem),
}

/// Where evaluated items go, chunk by chunk in order: a text format ([`ItemWriter`]) or a
/// Parquet file ([`parquet::ParquetItemWriter`]).
pub trait ItemSink {
    /// How items are encoded (in parallel, with [`ItemWriter::encode`]) before they are
    /// written here; [`Format::Table`] hands over the items themselves.
    fn encoding(&self) -> Format;
    /// Writes the next items.
    fn write(&mut self, items: Vec<io::Result<Encoded>>) -> io::Result<()>;
    /// Ends the output and flushes it.
    fn finish(self) -> io::Result<()>;
}

impl<W: Write> ItemSink for ItemWriter<W> {
    fn encoding(&self) -> Format {
        self.format
    }

    fn write(&mut self, items: Vec<io::Result<Encoded>>) -> io::Result<()> {
        ItemWriter::write(self, items)
    }

    fn finish(self) -> io::Result<()> {
        ItemWriter::finish(self)
    }
}

/// Writes items in one format as they come, chunk by chunk, in order.
pub struct ItemWriter<W: Write> {
    out: W,
    format: Format,
    explain: bool,
    written: usize,
    table: Vec<BatchItem>,
}

impl<W: Write> ItemWriter<W> {
    /// A writer of `format` on `out` (CSV writes its header now).
    pub fn new(mut out: W, format: Format, explain: bool) -> io::Result<Self> {
        if format == Format::Csv {
            out.write_all(&csv_line(&CSV_HEADER)?)?;
        }
        Ok(ItemWriter {
            out,
            format,
            explain,
            written: 0,
            table: Vec::new(),
        })
    }

    /// How `item` is written in `format`: independent of the other items, so it can run in
    /// parallel.
    pub fn encode(format: Format, item: BatchItem) -> io::Result<Encoded> {
        match format {
            Format::Table => Ok(Encoded::Item(item)),
            _ => Self::encode_ref(format, &item),
        }
    }

    /// [`encode`](ItemWriter::encode) of a borrowed item (the table keeps a copy).
    pub fn encode_ref(format: Format, item: &BatchItem) -> io::Result<Encoded> {
        Ok(match format {
            Format::Jsonl => Encoded::Bytes(item.to_json_line()),
            // An element of a pretty-printed array: every line one level in. JSON strings
            // escape their newlines, so each newline here is the printer's own.
            Format::Json => {
                let pretty = serde_json::to_vec_pretty(item)?;
                let mut text = Vec::with_capacity(pretty.len() + pretty.len() / 8 + 2);
                text.extend_from_slice(b"  ");
                for byte in pretty {
                    text.push(byte);
                    if byte == b'\n' {
                        text.extend_from_slice(b"  ");
                    }
                }
                Encoded::Bytes(text)
            }
            Format::Csv => Encoded::Bytes(csv_line(&csv_row(item))?),
            Format::Table => Encoded::Item(item.clone()),
        })
    }

    /// Writes the next items.
    pub fn write(&mut self, items: Vec<io::Result<Encoded>>) -> io::Result<()> {
        for item in items {
            match item? {
                Encoded::Bytes(bytes) => {
                    if self.format == Format::Json {
                        self.out
                            .write_all(if self.written == 0 { b"[\n" } else { b",\n" })?;
                    }
                    self.out.write_all(&bytes)?;
                }
                Encoded::Item(item) => self.table.push(item),
            }
            self.written += 1;
        }
        Ok(())
    }

    /// Ends the output (closes the JSON array, draws the table) and flushes it.
    pub fn finish(mut self) -> io::Result<()> {
        match self.format {
            Format::Json if self.written == 0 => self.out.write_all(b"[]\n")?,
            Format::Json => self.out.write_all(b"\n]\n")?,
            Format::Table => write_table(&mut self.out, &self.table, self.explain)?,
            Format::Jsonl | Format::Csv => {}
        }
        self.out.flush()
    }
}

fn date(d: Option<patron::model::Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
}

fn change(from: Option<&str>, to: &str, changed: bool) -> String {
    match (from, changed) {
        (Some(from), true) => format!("{from} → {to}"),
        (None, _) => format!("(new) {to}"),
        _ => to.to_string(),
    }
}

fn actions(e: &Evaluation) -> String {
    e.actions
        .iter()
        .map(|a| format!("{} {}", a.kind, a.due))
        .collect::<Vec<_>>()
        .join("\n")
}

fn write_table(out: &mut impl Write, items: &[BatchItem], explain: bool) -> io::Result<()> {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header([
            "customer",
            "score",
            "grade",
            "stage",
            "calls/wk",
            "visits/mo",
            "next call",
            "next visit",
            "overdue",
            "actions",
        ]);
    let mut failures = Vec::new();
    let (mut grades_changed, mut stages_changed, mut overdue) = (0, 0, 0);
    for item in items {
        match item {
            BatchItem::Evaluated(e) => {
                grades_changed += usize::from(e.grade.changed);
                stages_changed += usize::from(e.stage.changed);
                overdue += usize::from(e.visits.overdue);
                table.add_row([
                    e.customer_id.clone(),
                    format!("{:.2}", e.score.total),
                    change(e.grade.from.as_deref(), &e.grade.to, e.grade.changed),
                    change(e.stage.from.as_deref(), &e.stage.to, e.stage.changed),
                    format!("{:.2}", e.visits.calls_per_week),
                    format!("{:.2}", e.visits.visits_per_month),
                    date(e.visits.next_call_due),
                    date(e.visits.next_visit_due),
                    if e.visits.overdue {
                        format!("{} d", e.visits.days_overdue)
                    } else {
                        "no".into()
                    },
                    actions(e),
                ]);
            }
            BatchItem::Failed { line, error, .. } => failures.push((line, &error.message)),
        }
    }
    writeln!(out, "{table}")?;
    let evaluated = items.len() - failures.len();
    writeln!(
        out,
        "{} record(s): {evaluated} evaluated, {} failed; {grades_changed} grade change(s), {stages_changed} stage change(s), {overdue} overdue",
        items.len(),
        failures.len()
    )?;
    for (line, message) in &failures {
        writeln!(out, "  line {line}: {message}")?;
    }
    if explain {
        for item in items {
            if let BatchItem::Evaluated(e) = item {
                write_explanation(out, e)?;
            }
        }
    }
    Ok(())
}

fn write_explanation(out: &mut impl Write, e: &Evaluation) -> io::Result<()> {
    writeln!(
        out,
        "\n{} ({}, policy {} {})",
        e.customer_id, e.as_of, e.policy.name, e.policy.version
    )?;
    for part in &e.score.parts {
        writeln!(
            out,
            "  score  {:<12} weight {:.2}  standard {:>12}  actual {:>12}  points {:>6.2}",
            part.indicator, part.weight, part.standard, part.actual, part.points
        )?;
    }
    writeln!(out, "  grade  {} [{}]", e.grade.reason, e.grade.rule)?;
    writeln!(out, "  stage  {} [{}]", e.stage.reason, e.stage.rule)?;
    writeln!(out, "  visits {} [{}]", e.visits.reason, e.visits.rule)?;
    for action in &e.actions {
        writeln!(
            out,
            "  action {} due {}: {} [{}]",
            action.kind, action.due, action.reason, action.rule
        )?;
    }
    for step in e.trace.iter().flatten() {
        writeln!(
            out,
            "  trace  {}{}: {}",
            step.function,
            step.rule
                .as_ref()
                .map(|r| format!(" [{r}]"))
                .unwrap_or_default(),
            step.message
        )?;
        if let Some(clause) = &step.clause {
            writeln!(
                out,
                "           rule {}: {} \"{}\"",
                clause.id, clause.handbook, clause.quote
            )?;
        }
        if !step.facts.is_empty() {
            writeln!(out, "           facts read: {}", step.facts.join(", "))?;
        }
        if !step.params.is_empty() {
            writeln!(out, "           params read: {}", step.params.join(", "))?;
        }
    }
    Ok(())
}

const CSV_HEADER: [&str; 19] = [
    "customer_id",
    "line",
    "score",
    "grade_from",
    "grade_to",
    "grade_changed",
    "grade_reason",
    "stage_from",
    "stage_to",
    "stage_changed",
    "stage_reason",
    "calls_per_week",
    "visits_per_month",
    "next_call_due",
    "next_visit_due",
    "overdue",
    "days_overdue",
    "actions",
    "error",
];

/// One CSV record, with its line end.
fn csv_line<T: AsRef<[u8]>>(fields: &[T]) -> io::Result<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    writer.write_record(fields)?;
    writer
        .into_inner()
        .map_err(|e| io::Error::other(e.to_string()))
}

/// The CSV fields of one item.
fn csv_row(item: &BatchItem) -> Vec<String> {
    match item {
        BatchItem::Evaluated(e) => vec![
            e.customer_id.clone(),
            String::new(),
            e.score.total.to_string(),
            e.grade.from.clone().unwrap_or_default(),
            e.grade.to.clone(),
            e.grade.changed.to_string(),
            e.grade.reason.clone(),
            e.stage.from.clone().unwrap_or_default(),
            e.stage.to.clone(),
            e.stage.changed.to_string(),
            e.stage.reason.clone(),
            e.visits.calls_per_week.to_string(),
            e.visits.visits_per_month.to_string(),
            e.visits
                .next_call_due
                .map(|d| d.to_string())
                .unwrap_or_default(),
            e.visits
                .next_visit_due
                .map(|d| d.to_string())
                .unwrap_or_default(),
            e.visits.overdue.to_string(),
            e.visits.days_overdue.to_string(),
            e.actions
                .iter()
                .map(|a| format!("{}@{}", a.kind, a.due))
                .collect::<Vec<_>>()
                .join(";"),
            String::new(),
        ],
        BatchItem::Failed {
            customer_id,
            line,
            error,
        } => {
            let mut row = vec![String::new(); CSV_HEADER.len()];
            row[0] = customer_id.clone().unwrap_or_default();
            row[1] = line.to_string();
            row[18] = error.message.clone();
            row
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items() -> Vec<BatchItem> {
        let engine = patron::Engine::with_default_policy().unwrap();
        let input = "{ \"id\": \"C-1\", \"name\": \"A \\\"quoted\\\", name\\nwith a newline\", \"grade\": \"B\" }\n\
                     garbage\n\
                     { \"id\": \"C-2\", \"purchases\": [ { \"at\": \"2026-10-01\", \"amount\": 5 } ] }\n";
        let as_of = patron::model::parse_date("2026-11-23").unwrap();
        engine
            .evaluate_many(input, as_of, &patron::EvaluateOptions::explained())
            .unwrap()
    }

    fn written(items: Vec<BatchItem>, format: Format) -> Vec<u8> {
        let mut out = Vec::new();
        let mut writer = ItemWriter::new(&mut out, format, true).unwrap();
        let (first, rest): (Vec<_>, Vec<_>) = items
            .into_iter()
            .map(|item| ItemWriter::<Vec<u8>>::encode(format, item))
            .enumerate()
            .partition(|(i, _)| *i < 2);
        writer
            .write(first.into_iter().map(|(_, e)| e).collect())
            .unwrap();
        writer
            .write(rest.into_iter().map(|(_, e)| e).collect())
            .unwrap();
        writer.finish().unwrap();
        out
    }

    #[test]
    fn json_item_by_item_is_the_pretty_printed_array() {
        for items in [items(), Vec::new()] {
            let mut expected = serde_json::to_vec_pretty(&items).unwrap();
            expected.push(b'\n');
            assert_eq!(
                String::from_utf8(written(items, Format::Json)).unwrap(),
                String::from_utf8(expected).unwrap()
            );
        }
    }

    #[test]
    fn csv_row_by_row_is_one_csv_document() {
        let items = items();
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(CSV_HEADER).unwrap();
        for item in &items {
            writer.write_record(csv_row(item)).unwrap();
        }
        let expected = writer.into_inner().unwrap();
        assert_eq!(
            String::from_utf8(written(items, Format::Csv)).unwrap(),
            String::from_utf8(expected).unwrap()
        );
    }
}
