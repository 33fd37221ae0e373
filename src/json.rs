//! JSON text in, JSON text out: the entry points the C ABI and the command line (and its
//! server) share, as free functions over an [`Engine`] — one per C function, named after it
//! without the `patron_` prefix (`json::evaluate` is `patron_evaluate`, `json::diff` is
//! `patron_diff`). Each parses its arguments, calls the engine, and writes the answer as
//! compact JSON; the C layer only converts pointers and strings around them.
//!
//! ```
//! use patron::{json, model::parse_date, Engine, EvaluateOptions};
//!
//! let engine = Engine::with_default_policy()?;
//! let as_of = parse_date("2026-11-23")?;
//! let answer = json::evaluate(&engine, r#"{ "id": "C-1" }"#, as_of, &EvaluateOptions::default())?;
//! let evaluation: serde_json::Value = serde_json::from_str(&answer)?;
//! assert_eq!(evaluation["customer_id"], "C-1");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::cell::RefCell;
use std::path::Path;

use serde::Serialize;

use crate::engine::{Engine, EvaluateOptions};
use crate::error::{Error, RecordRef, Result};
use crate::model::{parse_customer_with_facts, parse_customers, Customer, Date, Evaluation};
use crate::policy::Policy;
use crate::schedule::plan::{invalid, PlanRequest};

fn to_json<T: Serialize>(value: &T, what: &str) -> Result<String> {
    serde_json::to_string(value)
        .map_err(|e| Error::Internal(format!("cannot write {what} as JSON: {e}")))
}

/// `evaluation` as JSON, written directly ([`Evaluation::write_json`]: what `to_json` would
/// write, without serde's machinery).
fn evaluation_json(evaluation: &Evaluation) -> Result<String> {
    let mut out = Vec::with_capacity(2048);
    evaluation.write_json(&mut out);
    String::from_utf8(out)
        .map_err(|e| Error::Internal(format!("cannot write the evaluation as JSON: {e}")))
}

thread_local! {
    /// The evaluation [`evaluate`] writes into, reused across calls on this thread.
    static SCRATCH: RefCell<Evaluation> = RefCell::new(Evaluation::default());
}

/// Evaluates one customer given as a JSON object (only `id` is required) with `options`;
/// returns the evaluation as JSON (`patron_evaluate`, with the default options).
///
/// ```
/// use patron::{json, model::parse_date, Engine, ErrorCode, EvaluateOptions};
///
/// let engine = Engine::with_default_policy()?;
/// let as_of = parse_date("2026-11-23")?;
/// let error = json::evaluate(&engine, r#"{ "id": "C-1", "grade": "Z" }"#, as_of, &EvaluateOptions::default())
///     .unwrap_err();
/// assert_eq!(error.code(), ErrorCode::InvalidInput);
/// assert!(error.to_string().contains("grade"), "{error}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn evaluate(
    engine: &Engine,
    customer_json: &str,
    as_of: Date,
    options: &EvaluateOptions,
) -> Result<String> {
    // Read as `parse_customer` reads it, without building the histories.
    let (customer, facts) = parse_customer_with_facts(customer_json, as_of)?;
    // The result is only serialised: it goes into this thread's reused `Evaluation`.
    SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut evaluation) => {
            engine.evaluate_with_facts(&customer, facts, options, &mut evaluation)?;
            evaluation_json(&evaluation)
        }
        Err(_) => {
            let mut evaluation = Evaluation::default();
            engine.evaluate_with_facts(&customer, facts, options, &mut evaluation)?;
            evaluation_json(&evaluation)
        }
    })
}

/// [`evaluate`] with the options given as a JSON object (`patron_evaluate_with_options`):
/// `{"explain": true}` adds a trace, `{"tier": "interpreter"}` runs every script in rhai's
/// interpreter; `None` means the defaults. Unknown fields are refused with an
/// `InvalidInput` error naming `options_json`.
///
/// ```
/// use patron::{json, model::parse_date, Engine};
///
/// let engine = Engine::with_default_policy()?;
/// let as_of = parse_date("2026-11-23")?;
/// let answer = json::evaluate_with_options(&engine, r#"{ "id": "C-1" }"#, as_of, Some(r#"{ "explain": true }"#))?;
/// assert!(answer.contains("\"trace\""));
/// assert!(json::evaluate_with_options(&engine, r#"{ "id": "C-1" }"#, as_of, Some(r#"{ "explian": true }"#)).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn evaluate_with_options(
    engine: &Engine,
    customer_json: &str,
    as_of: Date,
    options_json: Option<&str>,
) -> Result<String> {
    let options = match options_json {
        None => EvaluateOptions::default(),
        Some(text) => serde_json::from_str(text).map_err(|e| Error::InvalidInput {
            record: RecordRef::default(),
            field: "options_json".to_string(),
            message: format!(
                "{e} (expected {{\"explain\": true|false, \"tier\": \"auto\"|\"interpreter\"}})"
            ),
        })?,
    };
    evaluate(engine, customer_json, as_of, &options)
}

/// Evaluates a batch given as a JSON array or JSON Lines with `options`; returns a JSON
/// array with one item per record, in order: the evaluation, or the record's error in its
/// place (`patron_evaluate_batch`, with the default options). An error only when the text
/// cannot be split into records.
///
/// ```
/// use patron::{json, model::parse_date, Engine, EvaluateOptions};
///
/// let engine = Engine::with_default_policy()?;
/// let answer = json::evaluate_batch(
///     &engine,
///     "{ \"id\": \"C-1\" }\n{ \"id\": 7 }\n",
///     parse_date("2026-11-23")?,
///     &EvaluateOptions::default(),
/// )?;
/// let items: Vec<serde_json::Value> = serde_json::from_str(&answer)?;
/// assert_eq!(items[0]["customer_id"], "C-1");
/// assert_eq!(items[1]["line"], 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn evaluate_batch(
    engine: &Engine,
    customers_json: &str,
    as_of: Date,
    options: &EvaluateOptions,
) -> Result<String> {
    to_json(
        &engine.evaluate_many(customers_json, as_of, options)?,
        "the batch",
    )
}

/// Plans a month (`patron_plan`): customers as a JSON array or JSON Lines, the request as a
/// JSON object (see [`PlanRequest`]); the plan as compact JSON. A record that cannot be
/// read fails the plan with that record's error; a request field that is wrong is named.
///
/// ```
/// use patron::{json, Engine, EvaluateOptions};
///
/// let engine = Engine::with_default_policy()?;
/// let customers = r#"[ { "id": "C-1", "owner": "rep-07", "grade": "A", "region": "same_city" } ]"#;
/// let answer = json::plan(&engine, customers, r#"{ "month": "2026-12" }"#, &EvaluateOptions::default())?;
/// let plan: serde_json::Value = serde_json::from_str(&answer)?;
/// assert!(plan["entries"].as_array().is_some_and(|e| !e.is_empty()));
///
/// let error = json::plan(&engine, customers, r#"{ "month": "December" }"#, &EvaluateOptions::default())
///     .unwrap_err();
/// assert!(error.to_string().contains("month"), "{error}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn plan(
    engine: &Engine,
    customers_json: &str,
    request_json: &str,
    options: &EvaluateOptions,
) -> Result<String> {
    let (customers, request) = plan_input(customers_json, request_json)?;
    to_json(
        &engine.plan_with(&customers, &request, options)?,
        "the plan",
    )
}

/// The arguments of [`plan`] parsed: every customer (a record that cannot be read is an
/// error, with its line) and the request (an error names the field). For callers that want
/// the [`Plan`](crate::Plan) itself, e.g. to render it in another format.
///
/// ```
/// use patron::json;
///
/// let (customers, request) = json::plan_input(r#"{ "id": "C-1" }"#, r#"{ "month": "2026-12", "owner": "rep-07" }"#)?;
/// assert_eq!(customers[0].id, "C-1");
/// assert_eq!(request.owner.as_deref(), Some("rep-07"));
/// # Ok::<(), patron::Error>(())
/// ```
pub fn plan_input(
    customers_json: &str,
    request_json: &str,
) -> Result<(Vec<Customer>, PlanRequest)> {
    let request = parse_request(request_json)?;
    let customers = parse_customers(customers_json)?
        .into_iter()
        .map(|record| {
            record
                .result
                .map_err(|e| e.with_record(None, Some(record.line)))
        })
        .collect::<Result<Vec<Customer>>>()?;
    Ok((customers, request))
}

/// What replacing the engine's policy with the policy in `candidate_dir` would do to the
/// customers given as a JSON array or JSON Lines, as of `as_of` (`patron_diff`): the impact
/// report as JSON. Records that cannot be read are listed under `errors`, never dropped.
/// Nothing is swapped.
///
/// ```
/// use patron::{json, model::parse_date, Engine};
///
/// let engine = Engine::from_dir("policies/default")?;
/// let answer = json::diff(&engine, "policies/default", r#"{ "id": "C-1" }"#, parse_date("2026-11-23")?)?;
/// let report: serde_json::Value = serde_json::from_str(&answer)?;
/// assert_eq!(report["grades_changed"], 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn diff(
    engine: &Engine,
    candidate_dir: impl AsRef<Path>,
    customers_json: &str,
    as_of: Date,
) -> Result<String> {
    let candidate = Policy::load(candidate_dir.as_ref())?;
    let report =
        crate::engine::diff::impact_of_text(&engine.policy(), &candidate, customers_json, as_of)?;
    to_json(&report, "the impact report")
}

/// Checks the policy in `policy_dir` without loading it (`patron_policy_check`): a JSON
/// array of every problem found, `[]` for a clean policy. An error only when the directory
/// or one of its files cannot be read.
///
/// ```
/// let answer = patron::json::policy_check("policies/default")?;
/// assert_eq!(answer, "[]");
/// # Ok::<(), patron::Error>(())
/// ```
pub fn policy_check(policy_dir: impl AsRef<Path>) -> Result<String> {
    let report = Policy::check_dir(policy_dir)?;
    to_json(&report.diagnostics, "the diagnostics")
}

/// The policy the engine serves, described as a JSON object (`patron_policy_info`): see
/// [`PolicyInfo`](crate::PolicyInfo).
///
/// ```
/// let engine = patron::Engine::with_default_policy()?;
/// let info: serde_json::Value = serde_json::from_str(&patron::json::policy_info(&engine)?)?;
/// assert!(info["hash"].as_str().is_some_and(|h| h.starts_with("sha256:")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn policy_info(engine: &Engine) -> Result<String> {
    to_json(&engine.policy_info(), "the policy info")
}

/// Parses a plan request given as a JSON object; errors name the field.
fn parse_request(text: &str) -> Result<PlanRequest> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let request = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|error| request_error(error.path().to_string(), error.into_inner()))?;
    deserializer
        .end()
        .map_err(|error| request_error(".".into(), error))?;
    Ok(request)
}

fn request_error(path: String, inner: serde_json::Error) -> Error {
    if inner.is_data() {
        let message = inner.to_string();
        let field = if path == "." {
            message
                .strip_prefix("missing field `")
                .and_then(|rest| rest.split('`').next())
                .unwrap_or("(request)")
                .to_string()
        } else {
            path
        };
        invalid(field, strip_position(&message))
    } else {
        Error::InvalidJson {
            record: RecordRef::default(),
            message: format!("the plan request is not well-formed JSON: {inner}"),
        }
    }
}

/// serde_json appends " at line L column C"; the field already says where.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{parse_customer, parse_date};

    /// One record at a time (`patron_evaluate`), read with its facts, gives what the same
    /// record read in full gives: the shipped examples' records and broken ones, answer or
    /// error.
    #[test]
    fn a_record_gives_what_it_gives_read_in_full() {
        let engine = Engine::with_default_policy().unwrap();
        let as_of = parse_date("2026-11-23").unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut records: Vec<String> = [
            "not a record",
            "",
            r#"{"id":"bad","purchases":[{"at":"2026-01-01","amount":-1}]}"#,
            r#"{"id":"C-x","grade":"nonsense"}"#,
            r#"{"id":"C-y","purchases":[{"at":"soon","amount":1}]}"#,
        ]
        .map(String::from)
        .to_vec();
        for name in ["customers", "distributor", "key-accounts", "otc-pharma"] {
            let text = std::fs::read_to_string(root.join(format!("examples/{name}.json"))).unwrap();
            let values: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
            records.extend(values.iter().map(|v| v.to_string()));
        }
        let mut answered = 0;
        for record in &records {
            let folded = evaluate(&engine, record, as_of, &EvaluateOptions::default());
            let full = parse_customer(record).and_then(|customer| {
                let evaluation = engine.evaluate(&customer, as_of)?;
                to_json(&evaluation, "the evaluation")
            });
            assert_eq!(format!("{folded:?}"), format!("{full:?}"), "{record}");
            answered += usize::from(folded.is_ok());
        }
        assert!(answered > 50, "{answered}");
    }
}
