//! Reading customer records from JSON text: one record, a JSON array, or JSON Lines.
//!
//! Every error names the record (its id when it has one, and its line) and the field (as a
//! path such as `purchases[2].at`). In a batch one bad record never hides the others: each
//! input record yields exactly one [`ParsedRecord`].

use serde::Deserialize;
use serde_json::value::RawValue;

use super::customer::Customer;
use crate::error::{Error, RecordRef, Result};

/// One record of a batch: where it started in the input, and the customer or the error.
#[derive(Debug)]
pub struct ParsedRecord {
    /// 1-based line where the record starts in the input text.
    pub line: usize,
    /// The customer, or why the record could not be read.
    pub result: Result<Customer>,
}

/// Parses one customer record from JSON text.
///
/// ```
/// let err = patron::model::parse_customer(r#"{ "id": "C-1", "purchases": [ { "at": "soon", "amount": 1 } ] }"#)
///     .unwrap_err();
/// assert!(err.to_string().contains("purchases[0].at"), "{err}");
/// ```
pub fn parse_customer(text: &str) -> Result<Customer> {
    parse_record(text, None)
}

/// Parses a batch: a JSON array of records, or JSON Lines (one record per non-blank line).
///
/// Input that starts with `[` is read as an array. When it is not a well-formed array but
/// another of its lines is a record on its own, it is JSON Lines whose first line is garbage
/// (that line becomes one failed record). Returns an error only when the input as a whole
/// cannot be split into records.
pub fn parse_customers(text: &str) -> Result<Vec<ParsedRecord>> {
    split_records(
        text,
        |record, line| ParsedRecord {
            line,
            result: parse_record(record, Some(line)),
        },
        parse_line,
    )
}

/// [`parse_customers`] with the reader of a record left to the caller: `record` reads an
/// item of an array (its text and 1-based line), `line` a line of JSON Lines (`None` for a
/// blank one).
pub(super) fn split_records<T>(
    text: &str,
    record: impl Fn(&str, usize) -> T,
    line: impl Fn(&str, usize) -> Option<T>,
) -> Result<Vec<T>> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        let raw: Vec<&RawValue> = match serde_json::from_str(text) {
            Ok(raw) => raw,
            Err(_) if looks_like_json_lines(text) => return Ok(split_lines(text, line)),
            Err(e) => {
                return Err(Error::InvalidJson {
                    record: RecordRef {
                        customer_id: None,
                        line: Some(e.line()),
                    },
                    message: format!("the batch is not a well-formed JSON array: {e}"),
                })
            }
        };
        let base = text.as_ptr() as usize;
        // Records come in order: count the newlines since the previous one (linear, not
        // quadratic, in the size of the batch).
        let (mut counted_to, mut at_line) = (0usize, 1usize);
        Ok(raw
            .into_iter()
            .map(|value| {
                let offset = value.get().as_ptr() as usize - base;
                at_line += text[counted_to..offset]
                    .bytes()
                    .filter(|b| *b == b'\n')
                    .count();
                counted_to = offset;
                record(value.get(), at_line)
            })
            .collect())
    } else {
        Ok(split_lines(text, line))
    }
}

/// One record per non-blank line.
fn split_lines<T>(text: &str, line: impl Fn(&str, usize) -> Option<T>) -> Vec<T> {
    text.lines()
        .enumerate()
        .filter_map(|(index, line_text)| line(line_text, index + 1))
        .collect()
}

/// Parses line `line` (1-based) of JSON Lines input, as [`parse_customers`] does for each of
/// its lines; `None` for a blank line, which is no record.
///
/// ```
/// let record = patron::model::parse_line(r#"{ "id": "C-1", "grade": 7 }"#, 12).unwrap();
/// let err = record.result.unwrap_err();
/// assert!(err.to_string().starts_with("customer C-1 (line 12): field `grade`"), "{err}");
/// assert!(patron::model::parse_line("  ", 13).is_none());
/// ```
pub fn parse_line(text: &str, line: usize) -> Option<ParsedRecord> {
    (!text.trim().is_empty()).then(|| ParsedRecord {
        line,
        result: parse_record(text, Some(line)),
    })
}

/// Whether some line after the first is a complete JSON object on its own — the mark of
/// JSON Lines (a pretty-printed array's lines are not).
fn looks_like_json_lines(text: &str) -> bool {
    text.lines().skip(1).any(|line| {
        let line = line.trim();
        line.starts_with('{') && serde_json::from_str::<serde::de::IgnoredAny>(line).is_ok()
    })
}

pub(super) fn parse_record(text: &str, line: Option<usize>) -> Result<Customer> {
    let first = text.trim_start().chars().next();
    if first.is_some() && first != Some('{') {
        return Err(Error::InvalidInput {
            record: RecordRef {
                customer_id: None,
                line,
            },
            field: "(record)".to_string(),
            message: "a customer record must be a JSON object".to_string(),
        });
    }
    // Most records are valid: read them without tracking the path, which costs a third of
    // the time. Only a record that fails is read again, with the path for its error.
    let parsed: std::result::Result<Customer, (String, serde_json::Error)> =
        match serde_json::from_str::<Customer>(text) {
            Ok(customer) => Ok(customer),
            Err(_) => {
                let mut deserializer = serde_json::Deserializer::from_str(text);
                match serde_path_to_error::deserialize(&mut deserializer) {
                    Ok(customer) => deserializer
                        .end()
                        .map(|()| customer)
                        .map_err(|e| (".".to_string(), e)),
                    Err(error) => Err((error.path().to_string(), error.into_inner())),
                }
            }
        };
    match parsed {
        Ok(customer) => {
            validate(&customer).map_err(|e| e.with_record(Some(&customer.id), line))?;
            Ok(customer)
        }
        Err((path, inner)) => {
            let id = id_of(text);
            let record = RecordRef {
                customer_id: id,
                line: line.map(|l| l + inner.line().saturating_sub(1)),
            };
            if inner.is_data() {
                let message = strip_position(&inner.to_string());
                let field = if path == "." {
                    missing_field(&message).unwrap_or_else(|| "(record)".to_string())
                } else {
                    path
                };
                Err(Error::InvalidInput {
                    record,
                    field,
                    message,
                })
            } else {
                // A syntax error inside a field (a number out of range, nesting too deep)
                // still names the field the parser had reached.
                let at = if path == "." || path.is_empty() {
                    String::new()
                } else {
                    format!(" at `{}`", shorten(&path))
                };
                Err(Error::InvalidJson {
                    record,
                    message: format!("{inner}{at}"),
                })
            }
        }
    }
}

/// Checks what serde cannot: a non-empty id, and amounts that are finite and not negative.
pub(crate) fn validate(customer: &Customer) -> Result<()> {
    let invalid = |field: String, message: &str| Error::InvalidInput {
        record: RecordRef::default(),
        field,
        message: message.to_string(),
    };
    if customer.id.trim().is_empty() {
        return Err(invalid("id".into(), "must not be empty"));
    }
    let amounts = customer
        .purchases
        .iter()
        .enumerate()
        .map(|(i, p)| (format!("purchases[{i}].amount"), p.amount))
        .chain(
            customer
                .receivables
                .iter()
                .enumerate()
                .map(|(i, r)| (format!("receivables[{i}].amount"), r.amount)),
        );
    for (field, amount) in amounts {
        if !amount.is_finite() {
            return Err(invalid(field, "must be a finite number"));
        }
        if amount < 0.0 {
            return Err(invalid(field, "must not be negative"));
        }
    }
    Ok(())
}

/// Best effort: the id of a record that failed to parse, to name it in the error.
fn id_of(text: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct IdOnly {
        id: Option<serde_json::Value>,
    }
    let value = serde_json::from_str::<IdOnly>(text).ok()?.id?;
    match value {
        serde_json::Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

/// A field path, cut after 120 characters (deeply nested input makes very long ones).
fn shorten(path: &str) -> String {
    match path.char_indices().nth(120) {
        Some((index, _)) => format!("{}…", &path[..index]),
        None => path.to_string(),
    }
}

fn missing_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_string())
}

/// serde_json appends " at line L column C"; the record reference already says where.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
    }
}
