//! JSON in, JSON out: the entry points the C ABI and the command line share. A batch answer
//! has exactly one item per input record, in input order: the evaluation, or the record's
//! error in its place.

use serde::Serialize;

use super::{Engine, EvaluateOptions};
use crate::error::{Error, ErrorCode, Result};
use crate::model::{parse_customer, parse_customers, Date, Evaluation, ParsedRecord};

/// One item of a batch answer.
#[derive(Debug, Serialize)]
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
#[derive(Debug, Serialize)]
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
}

fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Internal(format!("cannot write JSON: {e}")))
}

thread_local! {
    /// The evaluation [`Engine::evaluate_json`] writes into, reused across calls.
    static SCRATCH: std::cell::RefCell<crate::model::Evaluation> =
        std::cell::RefCell::new(crate::model::Evaluation::default());
}

impl Engine {
    /// Evaluates one customer given as JSON; returns the evaluation as JSON.
    pub fn evaluate_json(
        &self,
        customer_json: &str,
        as_of: Date,
        options: &EvaluateOptions,
    ) -> Result<String> {
        let customer = parse_customer(customer_json)?;
        // The result is only serialised: it goes into this thread's reused `Evaluation`.
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut evaluation) => {
                self.evaluate_into_with(&customer, as_of, options, &mut evaluation)?;
                to_json(&*evaluation)
            }
            Err(_) => to_json(&self.evaluate_with(&customer, as_of, options)?),
        })
    }

    /// Evaluates a batch given as a JSON array or JSON Lines; one item per record, in order.
    pub fn evaluate_batch_items(
        &self,
        input: &str,
        as_of: Date,
        options: &EvaluateOptions,
    ) -> Result<Vec<BatchItem>> {
        Ok(self.evaluate_records(parse_customers(input)?, as_of, options))
    }

    /// Evaluates records already split by [`parse_customers`](crate::model::parse_customers)
    /// in parallel against one snapshot of the policy; one item per record, in order.
    pub fn evaluate_records(
        &self,
        records: Vec<ParsedRecord>,
        as_of: Date,
        options: &EvaluateOptions,
    ) -> Vec<BatchItem> {
        let policy = self.policy.load_full();
        let parsed: Vec<&crate::model::Customer> = records
            .iter()
            .filter_map(|r| r.result.as_ref().ok())
            .collect();
        let mut evaluations =
            super::evaluate_portfolio(&policy, &parsed, as_of, options).into_iter();
        records
            .into_iter()
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

    /// [`evaluate_batch_items`](Engine::evaluate_batch_items) as a JSON array.
    pub fn evaluate_batch_json(
        &self,
        input: &str,
        as_of: Date,
        options: &EvaluateOptions,
    ) -> Result<String> {
        to_json(&self.evaluate_batch_items(input, as_of, options)?)
    }
}
