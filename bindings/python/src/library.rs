//! Every call the Python package makes into the patron library, in one place: the rest of
//! the native module converts between Python and these functions' plain Rust values. When
//! the library's entry points change, this is the file to follow them.

use std::path::Path;

use patron::model::parse_date;
use patron::policy::PolicyFile;
use patron::{Engine, EvaluateOptions, Policy, Result};

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
pub fn evaluate(engine: &Engine, customer: &str, as_of: Option<&str>, explain: bool) -> Result<String> {
    engine.evaluate_json(customer, self::as_of(as_of)?, &options(explain))
}

/// Customers as JSON Lines in (one portfolio), one item per line out as a JSON array: the
/// evaluation, or `{customer_id, line, error: {code, kind, message}}` in the record's place.
pub fn evaluate_many(
    engine: &Engine,
    json_lines: &str,
    as_of: Option<&str>,
    explain: bool,
) -> Result<String> {
    engine.evaluate_batch_json(json_lines, self::as_of(as_of)?, &options(explain))
}

/// A month plan: customers as JSON Lines, the request as a JSON object; the plan as JSON.
pub fn plan(engine: &Engine, json_lines: &str, request: &str) -> Result<String> {
    engine.plan_json(json_lines, request)
}

/// What the policy serving now is, as JSON (`patron info`'s document).
pub fn info(engine: &Engine) -> Result<String> {
    serde_json::to_string(&engine.policy_info())
        .map_err(|e| patron::Error::Internal(format!("cannot write JSON: {e}")))
}

/// Loads, checks and tests the policy in `dir`, then swaps it in; its stamp as JSON.
pub fn reload(engine: &Engine, dir: &Path) -> Result<String> {
    let stamp = engine.reload(dir)?;
    serde_json::to_string(&stamp)
        .map_err(|e| patron::Error::Internal(format!("cannot write JSON: {e}")))
}
