//! Every call the Python package makes into the patron library, in one place: the rest of
//! the native module converts between Python and these functions' plain Rust values. When
//! the library's entry points change, this is the file to follow them.

use std::path::Path;
use std::sync::Arc;

use arrow_array::{BooleanArray, Float64Array, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use patron::model::{parse_date, Facts};
use patron::policy::PolicyFile;
use patron::{Engine, EvaluateOptions, PlanRequest, Policy, Result};

/// An engine serving the policy in `dir`, or the embedded default policy when `None`.
pub fn new_engine(dir: Option<&Path>) -> Result<Engine> {
    match dir {
        Some(dir) => Engine::from_dir(dir),
        None => Engine::with_default_policy(),
    }
}

/// An engine serving the policy made of `files` (name relative to the policy directory,
/// text), as [`policy_files`] gives them.
pub fn engine_from_files(files: Vec<(String, String)>) -> Result<Engine> {
    let files = files
        .into_iter()
        .map(|(name, text)| PolicyFile { name, text })
        .collect();
    Ok(Engine::new(Policy::from_files(files)?))
}

/// The files of the policy serving now, (name, text) sorted by name.
pub fn policy_files(engine: &Engine) -> Vec<(String, String)> {
    engine
        .policy()
        .files()
        .iter()
        .map(|file| (file.name.clone(), file.text.clone()))
        .collect()
}

/// The evaluation date: `YYYY-MM-DD`, or today's local date when absent (as the CLI).
fn as_of(date: Option<&str>) -> Result<patron::model::Date> {
    match date {
        Some(text) => parse_date(text).map_err(|message| patron::Error::InvalidInput {
            record: patron::RecordRef::default(),
            field: "as_of".into(),
            message,
        }),
        None => Ok(chrono::Local::now().date_naive()),
    }
}

fn options(explain: bool) -> EvaluateOptions {
    EvaluateOptions {
        explain,
        ..EvaluateOptions::default()
    }
}

/// One customer as JSON text in, its evaluation as JSON text out.
pub fn evaluate(
    engine: &Engine,
    customer: &str,
    as_of: Option<&str>,
    explain: bool,
) -> Result<String> {
    patron::json::evaluate(engine, customer, self::as_of(as_of)?, &options(explain))
}

/// Customers as JSON Lines in (one portfolio), one item per line out as a JSON array: the
/// evaluation, or `{customer_id, line, error: {code, kind, message}}` in the record's place.
pub fn evaluate_many(
    engine: &Engine,
    json_lines: &str,
    as_of: Option<&str>,
    explain: bool,
) -> Result<String> {
    patron::json::evaluate_batch(engine, json_lines, self::as_of(as_of)?, &options(explain))
}

/// A month plan: customers as JSON Lines, the request as a JSON object; the plan as JSON.
pub fn plan(engine: &Engine, json_lines: &str, request: &str) -> Result<String> {
    patron::json::plan(engine, json_lines, request, &EvaluateOptions::default())
}

/// What the policy serving now is, as JSON (`patron info`'s document).
pub fn info(engine: &Engine) -> Result<String> {
    patron::json::policy_info(engine)
}

/// Loads, checks and tests the policy in `dir`, then swaps it in; its stamp as JSON.
pub fn reload(engine: &Engine, dir: &Path) -> Result<String> {
    let stamp = engine.reload(dir)?;
    serde_json::to_string(&stamp)
        .map_err(|e| patron::Error::Internal(format!("cannot write JSON: {e}")))
}

/// Evaluates the rows of `batch` as one portfolio (the Arrow path): one output row per input
/// row in [`patron::arrow::evaluation_schema`], a row's error in its place.
pub fn evaluate_arrow(
    engine: &Engine,
    batch: &RecordBatch,
    as_of: Option<&str>,
    explain: bool,
) -> Result<RecordBatch> {
    patron::arrow::evaluate_batch(engine, batch, self::as_of(as_of)?, &options(explain))
}

/// The schema [`evaluate_arrow`] writes.
pub fn evaluation_schema() -> SchemaRef {
    patron::arrow::evaluation_schema()
}

/// The schema of the records the Arrow path reads best.
pub fn customer_schema() -> SchemaRef {
    patron::arrow::customer_schema()
}

/// What a portfolio computed elsewhere (e.g. by Spark's window functions) needs of each row
/// of `batch`, derived by the library as an evaluation derives them: `readable` (whether the
/// row can be read as a customer: unreadable rows are not part of the portfolio),
/// `revenue_365`, `collected_365`, `purchases_365` and `days_since_purchase` (null when the
/// customer never bought).
pub fn portfolio_inputs(batch: &RecordBatch, as_of: Option<&str>) -> Result<RecordBatch> {
    let as_of = self::as_of(as_of)?;
    let rows = patron::arrow::customers_from_batch(batch);
    let facts: Vec<Option<Facts>> = rows
        .iter()
        .map(|row| row.as_ref().ok().map(|c| Facts::derive(c, as_of)))
        .collect();
    let readable = BooleanArray::from(facts.iter().map(|f| Some(f.is_some())).collect::<Vec<_>>());
    let revenue: Float64Array = facts
        .iter()
        .map(|f| f.as_ref().map(|f| f.revenue_365))
        .collect();
    let collected: Float64Array = facts
        .iter()
        .map(|f| f.as_ref().map(|f| f.collected_365))
        .collect();
    let purchases: Int64Array = facts
        .iter()
        .map(|f| f.as_ref().map(|f| f.purchases_365))
        .collect();
    let days: Int64Array = facts
        .iter()
        .map(|f| f.as_ref().and_then(|f| f.days_since_purchase))
        .collect();
    RecordBatch::try_new(
        portfolio_inputs_schema(),
        vec![
            Arc::new(readable),
            Arc::new(revenue),
            Arc::new(collected),
            Arc::new(purchases),
            Arc::new(days),
        ],
    )
    .map_err(|e| patron::Error::Internal(format!("cannot build the portfolio inputs: {e}")))
}

/// The schema [`portfolio_inputs`] writes.
pub fn portfolio_inputs_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("readable", DataType::Boolean, false),
        Field::new("revenue_365", DataType::Float64, true),
        Field::new("collected_365", DataType::Float64, true),
        Field::new("purchases_365", DataType::Int64, true),
        Field::new("days_since_purchase", DataType::Int64, true),
    ]))
}

/// A month plan of the customers in `batch` (the Arrow path); the request as a JSON object.
/// A row that cannot be read fails the plan with that row's error.
pub fn plan_arrow(engine: &Engine, batch: &RecordBatch, request: &str) -> Result<String> {
    let request: PlanRequest =
        serde_json::from_str(request).map_err(|e| patron::Error::InvalidInput {
            record: patron::RecordRef::default(),
            field: "request".into(),
            message: e.to_string(),
        })?;
    let customers = patron::arrow::customers_from_batch(batch)
        .into_iter()
        .collect::<Result<Vec<_>>>()?;
    Ok(engine.plan(&customers, &request)?.to_json())
}
