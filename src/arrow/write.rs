//! Evaluations (or the errors in their places) as one record batch of
//! [`evaluation_schema`](super::evaluation_schema).

use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder,
};
use arrow_array::types::Date32Type;
use arrow_array::{ArrayRef, Date32Array, ListArray, RecordBatch, StringArray, StructArray};
use arrow_buffer::OffsetBuffer;

use super::schema::{action_fields, action_item, evaluation_schema};
use crate::engine::BatchItem;
use crate::error::{Error, ErrorCode, Result};
use crate::model::Evaluation;

/// One output row: the evaluation, or the error with the record's id when it is known.
pub(super) type Outcome = Result<Evaluation>;

/// What one output row is made from: an evaluation, or a record's error.
enum Row<'a> {
    Evaluated(&'a Evaluation),
    Failed {
        customer_id: Option<&'a str>,
        code: ErrorCode,
        message: std::borrow::Cow<'a, str>,
    },
}

/// Builds the output batch, one row per outcome, in order.
pub(super) fn evaluations_to_batch(outcomes: &[Outcome]) -> Result<RecordBatch> {
    rows_to_batch(outcomes.iter().map(|outcome| match outcome {
        Ok(evaluation) => Row::Evaluated(evaluation),
        Err(error) => Row::Failed {
            customer_id: error.record().and_then(|r| r.customer_id.as_deref()),
            code: error.code(),
            message: error.to_string().into(),
        },
    }))
}

/// Builds the output batch from the items of a JSON batch or stream, one row per item, in
/// order (a failed item's message is the one its JSON carries, naming its line).
pub(super) fn items_to_batch(items: &[BatchItem]) -> Result<RecordBatch> {
    rows_to_batch(items.iter().map(|item| match item {
        BatchItem::Evaluated(evaluation) => Row::Evaluated(evaluation),
        BatchItem::Failed {
            customer_id, error, ..
        } => Row::Failed {
            customer_id: customer_id.as_deref(),
            code: error.kind,
            message: error.message.as_str().into(),
        },
    }))
}

/// Builds the output batch, one row per row, in order.
fn rows_to_batch<'a>(rows: impl ExactSizeIterator<Item = Row<'a>>) -> Result<RecordBatch> {
    let n = rows.len();
    let mut customer_id = StringBuilder::with_capacity(n, n * 8);
    let mut score_total = Float64Builder::with_capacity(n);
    let mut grade_from = StringBuilder::new();
    let mut grade_to = StringBuilder::new();
    let mut grade_changed = BooleanBuilder::with_capacity(n);
    let mut stage_from = StringBuilder::new();
    let mut stage_to = StringBuilder::new();
    let mut calls_per_week = Float64Builder::with_capacity(n);
    let mut visits_per_month = Float64Builder::with_capacity(n);
    let mut next_call_due = Date32Builder::with_capacity(n);
    let mut next_visit_due = Date32Builder::with_capacity(n);
    let mut overdue = BooleanBuilder::with_capacity(n);
    let mut days_overdue = Int64Builder::with_capacity(n);
    let mut error_code = StringBuilder::new();
    let mut error_message = StringBuilder::new();
    let mut evaluation = StringBuilder::with_capacity(n, n * 1024);
    // The actions column, flattened: offsets per row, and the elements' three columns.
    let mut offsets: Vec<i32> = Vec::with_capacity(n + 1);
    offsets.push(0);
    let mut actions_valid: Vec<bool> = Vec::with_capacity(n);
    let (mut kinds, mut dues, mut reasons) = (Vec::new(), Vec::new(), Vec::new());
    let date = |d: crate::model::Date| Date32Type::from_naive_date(d);

    for row in rows {
        match row {
            Row::Evaluated(e) => {
                customer_id.append_value(&e.customer_id);
                score_total.append_value(e.score.total);
                grade_from.append_option(e.grade.from.as_deref());
                grade_to.append_value(&e.grade.to);
                grade_changed.append_value(e.grade.changed);
                stage_from.append_option(e.stage.from.as_deref());
                stage_to.append_value(&e.stage.to);
                calls_per_week.append_value(e.visits.calls_per_week);
                visits_per_month.append_value(e.visits.visits_per_month);
                next_call_due.append_option(e.visits.next_call_due.map(date));
                next_visit_due.append_option(e.visits.next_visit_due.map(date));
                overdue.append_value(e.visits.overdue);
                days_overdue.append_value(e.visits.days_overdue);
                for action in &e.actions {
                    kinds.push(action.kind.as_str());
                    dues.push(date(action.due));
                    reasons.push(action.reason.as_str());
                }
                actions_valid.push(true);
                error_code.append_null();
                error_message.append_null();
                let json = serde_json::to_string(e)
                    .map_err(|e| Error::Internal(format!("cannot write JSON: {e}")))?;
                evaluation.append_value(json);
            }
            Row::Failed {
                customer_id: id,
                code,
                message,
            } => {
                customer_id.append_option(id);
                score_total.append_null();
                grade_from.append_null();
                grade_to.append_null();
                grade_changed.append_null();
                stage_from.append_null();
                stage_to.append_null();
                calls_per_week.append_null();
                visits_per_month.append_null();
                next_call_due.append_null();
                next_visit_due.append_null();
                overdue.append_null();
                days_overdue.append_null();
                actions_valid.push(false);
                let code = serde_json::to_value(code)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                error_code.append_value(code);
                error_message.append_value(message);
                evaluation.append_null();
            }
        }
        let count = i32::try_from(kinds.len())
            .map_err(|_| Error::Internal("more than 2^31 actions in one batch".into()))?;
        offsets.push(count);
    }

    let elements = StructArray::try_new(
        action_fields(),
        vec![
            Arc::new(StringArray::from(kinds)) as ArrayRef,
            Arc::new(Date32Array::from(dues)),
            Arc::new(StringArray::from(reasons)),
        ],
        None,
    )
    .map_err(internal)?;
    let actions = ListArray::try_new(
        action_item(),
        OffsetBuffer::new(offsets.into()),
        Arc::new(elements),
        Some(actions_valid.into()),
    )
    .map_err(internal)?;

    let columns: Vec<ArrayRef> = vec![
        Arc::new(customer_id.finish()),
        Arc::new(score_total.finish()),
        Arc::new(grade_from.finish()),
        Arc::new(grade_to.finish()),
        Arc::new(grade_changed.finish()),
        Arc::new(stage_from.finish()),
        Arc::new(stage_to.finish()),
        Arc::new(calls_per_week.finish()),
        Arc::new(visits_per_month.finish()),
        Arc::new(next_call_due.finish()),
        Arc::new(next_visit_due.finish()),
        Arc::new(overdue.finish()),
        Arc::new(days_overdue.finish()),
        Arc::new(actions),
        Arc::new(error_code.finish()),
        Arc::new(error_message.finish()),
        Arc::new(evaluation.finish()),
    ];
    RecordBatch::try_new(evaluation_schema(), columns).map_err(internal)
}

fn internal(error: arrow_schema::ArrowError) -> Error {
    Error::Internal(format!("cannot build the evaluation batch: {error}"))
}
