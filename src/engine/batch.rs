//! Evaluating many customers at once: the inputs [`Engine::evaluate_many`] takes (a slice of
//! customers, JSON text, records already split) and the items of a batch answer, which has
//! exactly one item per input record, in input order: the evaluation, or the record's error
//! in its place.

use std::cell::Cell;

use serde::Serialize;

use super::{evaluate_portfolio, evaluate_portfolio_with_facts, EvaluateOptions};
use crate::error::{Error, ErrorCode, Result};
use crate::model::{
    parse_customers_with_facts, Customer, Date, Evaluation, FoldedRecord, ParsedRecord,
};
use crate::policy::Policy;

/// One item of a batch answer.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum BatchItem {
    /// The record evaluated.
    Evaluated(Box<Evaluation>),
    /// The record failed; its error stands in its place.
    Failed {
        /// The record's id, when it had one.
        customer_id: Option<String>,
        /// 1-based line of the record in the input.
        line: usize,
        /// What went wrong.
        error: ErrorBody,
    },
}

/// An error as JSON: its stable code, the code's name, and the message.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// The numeric `PATRON_ERR_*` code.
    pub code: i32,
    /// The code's name, e.g. `invalid_input`.
    pub kind: ErrorCode,
    /// The full message, naming record, field or script line.
    pub message: String,
}

impl BatchItem {
    fn failed(error: &Error, line: usize) -> BatchItem {
        BatchItem::Failed {
            customer_id: error.record().and_then(|r| r.customer_id.clone()),
            line,
            error: ErrorBody {
                code: error.code().as_i32(),
                kind: error.code(),
                message: error.to_string(),
            },
        }
    }

    /// The item for the record at `line`: its evaluation, or its error (parse or evaluation)
    /// with the line attached. The one place the batch and the stream turn outcomes into items.
    pub(crate) fn from_outcome(outcome: Result<Evaluation>, line: usize) -> BatchItem {
        match outcome {
            Ok(evaluation) => BatchItem::Evaluated(Box::new(evaluation)),
            Err(error) => BatchItem::failed(&error.with_record(None, Some(line)), line),
        }
    }

    /// Whether this item is an error.
    pub fn is_error(&self) -> bool {
        matches!(self, BatchItem::Failed { .. })
    }

    /// Appends this item as compact JSON to `out`: the same bytes as
    /// `serde_json::to_writer(out, self)`. An evaluation is written directly
    /// ([`Evaluation::write_json`]), an error through serde.
    ///
    /// ```
    /// use patron::{model::parse_date, Engine, EvaluateOptions};
    ///
    /// let engine = Engine::with_default_policy()?;
    /// let as_of = parse_date("2026-11-23")?;
    /// let items = engine.evaluate_many("{ \"id\": \"C-1\" }\n[]", as_of, &EvaluateOptions::default())?;
    /// for item in &items {
    ///     let mut out = Vec::new();
    ///     item.write_json(&mut out);
    ///     assert_eq!(out, serde_json::to_vec(item)?);
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            BatchItem::Evaluated(evaluation) => evaluation.write_json(out),
            BatchItem::Failed { .. } => {
                let start = out.len();
                if let Err(e) = serde_json::to_writer(&mut *out, self) {
                    // An error is plain data; serde_json cannot fail on it.
                    out.truncate(start);
                    let message = serde_json::json!({ "error": {
                        "code": ErrorCode::Internal.as_i32(),
                        "kind": ErrorCode::Internal,
                        "message": format!("cannot write JSON: {e}"),
                    } });
                    out.extend_from_slice(message.to_string().as_bytes());
                }
            }
        }
    }

    /// This item as one line of JSON Lines: its compact JSON and a newline.
    ///
    /// The JSON is written straight into the vector returned, made a quarter larger than the
    /// last line this thread wrote (up to 64 KiB), so that it neither grows (and is copied) a
    /// dozen times on the way to an evaluation's 1–2 KB nor is copied out of a scratch
    /// buffer; one long line does not make the next ones start long.
    ///
    /// ```
    /// use patron::{model::parse_date, Engine, EvaluateOptions};
    ///
    /// let engine = Engine::with_default_policy()?;
    /// let as_of = parse_date("2026-11-23")?;
    /// let items = engine.evaluate_many(
    ///     "{ \"id\": \"C-1\" }\nnot a record",
    ///     as_of,
    ///     &EvaluateOptions::default(),
    /// )?;
    /// assert!(items[0].to_json_line().starts_with(b"{\"customer_id\":\"C-1\","));
    /// let line = items[1].to_json_line();
    /// assert!(line.starts_with(b"{\"customer_id\":null,\"line\":2,"));
    /// assert!(line.ends_with(b"}\n"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_json_line(&self) -> Vec<u8> {
        thread_local! {
            /// The length of the last line this thread wrote.
            static LAST: Cell<usize> = const { Cell::new(0) };
        }
        /// The largest capacity a line starts with.
        const LARGEST_START: usize = 1 << 16;
        let last = LAST.with(Cell::get);
        let mut line = Vec::with_capacity((last + last / 4).min(LARGEST_START));
        self.write_json(&mut line);
        line.push(b'\n');
        LAST.with(|cell| cell.set(line.len()));
        line
    }
}

/// What [`Engine::evaluate_many`](super::Engine::evaluate_many) evaluates, and what it
/// answers for it. The customers form one portfolio: their portfolio facts (revenue rank
/// and share, RFM quintiles, owner counts) are computed across all of them first; then they
/// are evaluated in parallel against one snapshot of the policy, and the answer keeps input
/// order, one entry per customer or record.
///
/// | input | answer |
/// |---|---|
/// | `&[Customer]`, `&Vec<Customer>`, `&[Customer; N]` | `Vec<Result<Evaluation>>` |
/// | `&str` or `&String`: a JSON array or JSON Lines | `Result<Vec<BatchItem>>`: `Err` only when the text cannot be split into records; a record that fails has its error in its place |
/// | `Vec<ParsedRecord>` (from [`parse_customers`](crate::model::parse_customers)) | `Vec<BatchItem>` |
///
/// Sealed: patron implements it for these types only.
pub trait BatchInput: sealed::Sealed {
    /// What the batch answers.
    type Output;

    /// Evaluates the batch against `policy` (what `evaluate_many` calls).
    #[doc(hidden)]
    fn evaluate_on(self, policy: &Policy, as_of: Date, options: &EvaluateOptions) -> Self::Output;
}

mod sealed {
    /// Keeps [`BatchInput`](super::BatchInput) to patron's own implementations.
    pub trait Sealed {}
    impl Sealed for &[super::Customer] {}
    impl Sealed for &Vec<super::Customer> {}
    impl<const N: usize> Sealed for &[super::Customer; N] {}
    impl Sealed for &str {}
    impl Sealed for &String {}
    impl Sealed for Vec<super::ParsedRecord> {}
}

impl BatchInput for &[Customer] {
    type Output = Vec<Result<Evaluation>>;

    fn evaluate_on(self, policy: &Policy, as_of: Date, options: &EvaluateOptions) -> Self::Output {
        let customers: Vec<&Customer> = self.iter().collect();
        evaluate_portfolio(policy, &customers, as_of, options)
    }
}

impl BatchInput for &Vec<Customer> {
    type Output = Vec<Result<Evaluation>>;

    fn evaluate_on(self, policy: &Policy, as_of: Date, options: &EvaluateOptions) -> Self::Output {
        self.as_slice().evaluate_on(policy, as_of, options)
    }
}

impl<const N: usize> BatchInput for &[Customer; N] {
    type Output = Vec<Result<Evaluation>>;

    fn evaluate_on(self, policy: &Policy, as_of: Date, options: &EvaluateOptions) -> Self::Output {
        self.as_slice().evaluate_on(policy, as_of, options)
    }
}

impl BatchInput for &str {
    type Output = Result<Vec<BatchItem>>;

    fn evaluate_on(self, policy: &Policy, as_of: Date, options: &EvaluateOptions) -> Self::Output {
        // Read as `parse_customers` reads it, without building the histories.
        Ok(evaluate_folded(
            policy,
            parse_customers_with_facts(self, as_of)?,
            options,
        ))
    }
}

impl BatchInput for &String {
    type Output = Result<Vec<BatchItem>>;

    fn evaluate_on(self, policy: &Policy, as_of: Date, options: &EvaluateOptions) -> Self::Output {
        self.as_str().evaluate_on(policy, as_of, options)
    }
}

impl BatchInput for Vec<ParsedRecord> {
    type Output = Vec<BatchItem>;

    fn evaluate_on(self, policy: &Policy, as_of: Date, options: &EvaluateOptions) -> Self::Output {
        let parsed: Vec<&Customer> = self.iter().filter_map(|r| r.result.as_ref().ok()).collect();
        let mut evaluations = evaluate_portfolio(policy, &parsed, as_of, options).into_iter();
        self.into_iter()
            .map(|record| {
                let outcome = match record.result {
                    Ok(_) => evaluations.next().unwrap_or_else(|| {
                        Err(Error::Internal("a record lost its evaluation".into()))
                    }),
                    Err(error) => Err(error),
                };
                BatchItem::from_outcome(outcome, record.line)
            })
            .collect()
    }
}

/// The items of records read with their facts ([`parse_customers_with_facts`]), as
/// [`BatchInput`] for `Vec<ParsedRecord>` gives them for the same records read in full.
fn evaluate_folded(
    policy: &Policy,
    records: Vec<FoldedRecord>,
    options: &EvaluateOptions,
) -> Vec<BatchItem> {
    let mut customers = Vec::with_capacity(records.len());
    let mut facts = Vec::with_capacity(records.len());
    let mut slots = Vec::with_capacity(records.len());
    for record in records {
        match record.result {
            Ok((customer, record_facts)) => {
                customers.push(customer);
                facts.push(record_facts);
                slots.push((record.line, None));
            }
            Err(error) => slots.push((record.line, Some(error))),
        }
    }
    let parsed: Vec<&Customer> = customers.iter().collect();
    let mut evaluations =
        evaluate_portfolio_with_facts(policy, &parsed, facts, options).into_iter();
    slots
        .into_iter()
        .map(|(line, error)| {
            let outcome = match error {
                None => evaluations
                    .next()
                    .unwrap_or_else(|| Err(Error::Internal("a record lost its evaluation".into()))),
                Some(error) => Err(error),
            };
            BatchItem::from_outcome(outcome, line)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::engine::{Engine, EvaluateOptions};
    use crate::model::{parse_customers, parse_date};

    /// JSON text read with its facts (histories folded, not built) gives the items of the
    /// same text read in full: the shipped example batches, as an array and as JSON Lines,
    /// with broken records among them, with and without a trace. (One record at a time, as
    /// the C ABI reads it: `json`'s tests.)
    #[test]
    fn text_gives_the_items_of_its_records_read_in_full() {
        let engine = Engine::with_default_policy().unwrap();
        let as_of = parse_date("2026-11-23").unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut batches = 0;
        for name in ["customers", "distributor", "key-accounts", "otc-pharma"] {
            let text = std::fs::read_to_string(root.join(format!("examples/{name}.json"))).unwrap();
            let values: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
            let mut lines: Vec<String> = values.iter().map(|v| v.to_string()).collect();
            lines.insert(
                1,
                r#"{"id":"bad","purchases":[{"at":"2026-01-01","amount":-1}]}"#.into(),
            );
            lines.insert(2, "not a record".into());
            lines.push(r#"{"id":"C-x","grade":"nonsense"}"#.into());
            let jsonl = lines.join("\n");
            // As an array, one item a line, with items that are not records among them.
            let items: Vec<&str> = lines
                .iter()
                .map(String::as_str)
                .filter(|line| *line != "not a record")
                .chain(["5", r#""text""#])
                .collect();
            let array = format!("[\n{}\n]", items.join(",\n"));
            for text in [text.as_str(), jsonl.as_str(), array.as_str()] {
                for options in [EvaluateOptions::default(), EvaluateOptions::explained()] {
                    let folded = engine.evaluate_many(text, as_of, &options).unwrap();
                    let full =
                        engine.evaluate_many(parse_customers(text).unwrap(), as_of, &options);
                    assert_eq!(
                        serde_json::to_string(&folded).unwrap(),
                        serde_json::to_string(&full).unwrap(),
                        "{name}"
                    );
                    batches += 1;
                }
            }
        }
        assert_eq!(batches, 24);
    }
}
