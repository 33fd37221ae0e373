//! Arrow in and out (cargo feature `arrow`): customers read straight from the columns of an
//! Arrow [`RecordBatch`] — nested as Spark and Parquet produce them, no JSON text on the way
//! — and evaluations written as a record batch, one row per input row.
//!
//! [`customer_schema`] is the input's schema, [`evaluation_schema`] the output's. A batch is
//! one portfolio: [`evaluate_batch`] computes the portfolio facts across its rows, as
//! [`Engine::evaluate_many`] does, unless a row brings its own in a `portfolio` column.
//!
//! A row that cannot be read is an error in its place (its message names the row as `line`,
//! 1-based, and the field, e.g. `purchases[2].at`), never dropped.
//!
//! ```
//! use std::sync::Arc;
//! use arrow_array::{Array, RecordBatch, StringArray};
//! use arrow_schema::{DataType, Field, Schema};
//! use patron::{model::parse_date, Engine, EvaluateOptions};
//!
//! let schema = Schema::new(vec![
//!     Field::new("id", DataType::Utf8, true),
//!     Field::new("grade", DataType::Utf8, true),
//!     Field::new("region", DataType::Utf8, true),
//! ]);
//! let batch = RecordBatch::try_new(Arc::new(schema), vec![
//!     Arc::new(StringArray::from(vec![Some("C-1"), None])),
//!     Arc::new(StringArray::from(vec![Some("C"), Some("B")])),
//!     Arc::new(StringArray::from(vec![Some("same_city"), None])),
//! ])?;
//! let engine = Engine::with_default_policy()?;
//! let out = patron::arrow::evaluate_batch(
//!     &engine, &batch, parse_date("2026-11-23")?, &EvaluateOptions::default())?;
//! assert_eq!(out.num_rows(), 2);
//! let errors = out.column_by_name("error_code").unwrap();
//! assert!(errors.is_null(0)); // C-1 evaluated
//! assert!(errors.is_valid(1)); // the second row has no id: an error in its place
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod cell;
#[cfg(feature = "parquet")]
pub mod parquet;
mod read;
mod schema;
mod write;

use arrow_array::RecordBatch;

pub use schema::{customer_schema, evaluation_schema};

use crate::engine::{BatchItem, Engine, EvaluateOptions};
use crate::error::{Error, Result};
use crate::model::{Customer, Date, Evaluation};

/// Reads the customers of `batch`: one result per row, in order. A row that cannot be read is
/// an [`crate::Error::InvalidInput`] naming the row (as `line`, 1-based)
/// and the column or nested field (`purchases[2].at`). Missing columns and nulls are missing
/// data; columns not in [`customer_schema`] are ignored (see there for the types accepted).
/// A `portfolio` struct column, where not null, supplies the row's portfolio facts.
pub fn customers_from_batch(batch: &RecordBatch) -> Vec<Result<Customer>> {
    read::customers_from_rows(batch, 1)
}

/// Evaluates the rows of `batch` as one portfolio against one snapshot of the engine's
/// policy and returns the [`evaluation_schema`] batch: one row per input row, in order, a row
/// that could not be read or evaluated carrying its error. Portfolio facts are computed
/// across the rows that could be read, except for rows that bring their own.
///
/// Errs only when the output cannot be built (an internal error).
pub fn evaluate_batch(
    engine: &Engine,
    batch: &RecordBatch,
    as_of: Date,
    options: &EvaluateOptions,
) -> Result<RecordBatch> {
    let outcomes = evaluate_rows(engine, customers_from_batch(batch), as_of, options, 1);
    write::evaluations_to_batch(&outcomes)
}

/// The [`evaluation_schema`] batch of the items of a JSON batch or stream
/// ([`Engine::evaluate_many`] over text, [`Engine::evaluate_stream_with`]): one row per item,
/// in order, a failed item's row carrying its error code and the message its JSON carries.
/// This is how JSON input becomes Parquet output.
///
/// ```
/// use patron::{model::parse_date, Engine, EvaluateOptions};
/// let engine = Engine::with_default_policy()?;
/// let text = "{ \"id\": \"C-1\", \"grade\": \"A\" }\n{ \"id\": \"C-2\", \"grade\": \"Z\" }\n";
/// let items = engine.evaluate_many(text, parse_date("2026-11-23")?, &EvaluateOptions::default())?;
/// let batch = patron::arrow::items_to_batch(&items)?;
/// assert_eq!(batch.num_rows(), 2);
/// assert_eq!(batch.schema(), patron::arrow::evaluation_schema());
/// assert!(batch.column_by_name("error_code").unwrap().is_null(0));
/// assert!(!batch.column_by_name("error_code").unwrap().is_null(1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Errs only when the output cannot be built (an internal error).
pub fn items_to_batch(items: &[BatchItem]) -> Result<RecordBatch> {
    write::items_to_batch(items)
}

/// Evaluates the customers read from one batch (one result per row) and puts each outcome in
/// its row's place; errors get the row's 1-based `line` (the first row is `first_line`).
fn evaluate_rows(
    engine: &Engine,
    rows: Vec<Result<Customer>>,
    as_of: Date,
    options: &EvaluateOptions,
    first_line: usize,
) -> Vec<Result<Evaluation>> {
    let mut read_errors: Vec<Option<Error>> = Vec::with_capacity(rows.len());
    let mut customers: Vec<Customer> = Vec::with_capacity(rows.len());
    for row in rows {
        match row {
            Ok(customer) => {
                customers.push(customer);
                read_errors.push(None);
            }
            Err(error) => read_errors.push(Some(error)),
        }
    }
    let mut evaluations = evaluate_customers(engine, &customers, as_of, options)
        .into_iter()
        .zip(&customers);
    read_errors
        .into_iter()
        .enumerate()
        .map(|(i, read_error)| match read_error {
            Some(error) => Err(error),
            None => match evaluations.next() {
                Some((outcome, customer)) => {
                    outcome.map_err(|e| e.with_record(Some(&customer.id), Some(first_line + i)))
                }
                None => Err(Error::Internal("a row lost its evaluation".into())),
            },
        })
        .collect()
}

/// The engine's batch entry: customers that form one portfolio, evaluated in parallel, one
/// result per customer in order. (The one place this module calls the engine.)
fn evaluate_customers(
    engine: &Engine,
    customers: &[Customer],
    as_of: Date,
    options: &EvaluateOptions,
) -> Vec<Result<Evaluation>> {
    engine.evaluate_many(customers, as_of, options)
}
