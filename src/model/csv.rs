//! Customers from CSV, for tools that take a portfolio as a spreadsheet export: one customer
//! per row, one field per column. A column named with dots (`prospect.money`,
//! `attributes.credit_score`) fills a nested object; a cell holding a JSON array or object
//! (`[{"at":"2026-10-02","amount":12000}]` under `purchases`) is that JSON; `true`/`false`
//! and numbers are themselves, except in the text columns (`id`, `name`, `owner`, `grade`,
//! `stage`, `region`); an empty cell is an absent field.

use serde_json::{Map, Value};

use crate::error::{Error, RecordRef, Result};

/// Columns that always hold text, even when a cell looks like a number (`"id": "1001"`).
const TEXT_COLUMNS: [&str; 6] = ["id", "name", "owner", "grade", "stage", "region"];

/// The customers of CSV `text` (a header row, then one customer per row) as JSON Lines, each
/// record on the line of the CSV row it came from (blank lines fill the gaps), so that
/// [`parse_customers`](super::parse_customers) reports the CSV line of a bad record.
///
/// ```
/// let csv = "id,grade,prospect.money,purchases\n\
///            C-1,B,true,\"[{\"\"at\"\":\"\"2026-10-02\"\",\"\"amount\"\":12000}]\"\n";
/// let lines = patron::model::customers_csv_to_json_lines(csv)?;
/// let records = patron::model::parse_customers(&lines)?;
/// let customer = records[0].result.as_ref().unwrap();
/// assert_eq!(records[0].line, 2);
/// assert_eq!(customer.prospect.as_ref().unwrap().money, Some(true));
/// assert_eq!(customer.purchases[0].amount, 12000.0);
/// # Ok::<(), patron::Error>(())
/// ```
pub fn customers_csv_to_json_lines(text: &str) -> Result<String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(1, &e))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if !headers.iter().any(|h| h == "id") {
        return Err(invalid(1, "id", "the CSV header has no `id` column"));
    }
    let mut out = String::new();
    let mut lines_written = 0usize;
    for row in reader.records() {
        let row = row.map_err(|e| {
            let line = e.position().map_or(0, |p| line_at(text, p.byte()));
            csv_error(line, &e)
        })?;
        // The line from the byte offset (the reader's own line count skips blank lines).
        let line = row
            .position()
            .map_or(lines_written + 1, |p| line_at(text, p.byte()));
        let mut record = Map::new();
        for (header, cell) in headers.iter().zip(row.iter()) {
            let cell = cell.trim();
            if cell.is_empty() || header.is_empty() {
                continue;
            }
            let value = cell_value(header, cell).map_err(|m| invalid(line, header, &m))?;
            insert(&mut record, header, value).map_err(|m| invalid(line, header, &m))?;
        }
        while lines_written + 1 < line {
            out.push('\n');
            lines_written += 1;
        }
        out.push_str(&Value::Object(record).to_string());
        out.push('\n');
        lines_written += 1;
    }
    Ok(out)
}

/// The 1-based line where the record at byte `offset` of `text` starts (the reader reports
/// a record from the end of the one before, blank lines between them included).
fn line_at(text: &str, offset: u64) -> usize {
    let bytes = text.as_bytes();
    let mut end = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    while end < bytes.len() && matches!(bytes[end], b'\n' | b'\r') {
        end += 1;
    }
    bytes[..end].iter().filter(|b| **b == b'\n').count() + 1
}

fn cell_value(header: &str, cell: &str) -> std::result::Result<Value, String> {
    if TEXT_COLUMNS.contains(&header) {
        return Ok(Value::String(cell.to_string()));
    }
    if cell.starts_with('[') || cell.starts_with('{') {
        return serde_json::from_str(cell).map_err(|e| format!("the cell is not valid JSON: {e}"));
    }
    match cell {
        "true" => return Ok(Value::Bool(true)),
        "false" => return Ok(Value::Bool(false)),
        _ => {}
    }
    if let Ok(number) = cell.parse::<serde_json::Number>() {
        return Ok(Value::Number(number));
    }
    Ok(Value::String(cell.to_string()))
}

fn insert(
    record: &mut Map<String, Value>,
    header: &str,
    value: Value,
) -> std::result::Result<(), String> {
    let mut parts = header.split('.').peekable();
    let mut here = record;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            here.insert(part.to_string(), value);
            return Ok(());
        }
        let next = here
            .entry(part.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        here = next
            .as_object_mut()
            .ok_or_else(|| format!("`{part}` is both a value and a table of columns"))?;
    }
    Ok(())
}

fn invalid(line: usize, field: &str, message: &str) -> Error {
    Error::InvalidInput {
        record: RecordRef {
            customer_id: None,
            line: Some(line),
        },
        field: field.to_string(),
        message: message.to_string(),
    }
}

fn csv_error(line: usize, e: &csv::Error) -> Error {
    invalid(line, "csv", &format!("not readable CSV: {e}"))
}

#[cfg(test)]
mod tests {
    use super::customers_csv_to_json_lines;

    #[test]
    fn rows_keep_their_lines_and_bad_cells_are_named() {
        let text = "id,attributes.credit_score,owner\nC-1,82,007\n\nC-2,,rep-1\n";
        let lines = customers_csv_to_json_lines(text).unwrap();
        let records = crate::model::parse_customers(&lines).unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].line, 2);
        assert_eq!(records[1].line, 4);
        let first = records[0].result.as_ref().unwrap();
        assert_eq!(first.owner.as_deref(), Some("007"));
        assert_eq!(first.attributes["credit_score"], serde_json::json!(82));

        let err = customers_csv_to_json_lines("id,purchases\nC-1,[oops\n").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        assert!(err.to_string().contains("purchases"), "{err}");
        assert!(customers_csv_to_json_lines("name\nx\n").is_err());
    }
}
