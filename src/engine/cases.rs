//! A policy's own test cases (`DIR/tests/*.json`), as `patron test` and a validating reload
//! run them.
//!
//! A case file holds one case or an array of cases. A case gives a customer (or a small
//! portfolio of customers), the evaluation date, and what the author expects — only the
//! fields they care about:
//!
//! ```json
//! { "name": "a second purchase promotes C to B",
//!   "as_of": "2026-11-23",
//!   "customer": { "id": "C-1", "grade": "C", "grade_since": "2026-06-01",
//!                 "purchases": [ { "at": "2026-07-01", "amount": 10 }, { "at": "2026-10-01", "amount": 5 } ] },
//!   "expect": { "grade": "B", "grade_changed": true, "stage": "converted",
//!               "score": { "min": 0, "max": 50 }, "calls_per_week": 1.0, "visits_per_month": 2.0,
//!               "overdue": false, "actions": ["callback"], "labels": { } } }
//! ```
//!
//! A case may name the policy rules it checks, quoting each one's handbook clause
//! (`"rules": { "grade.repeat_purchase": "第二次購買產品" }`), and expect which cited rule
//! decided (`"grade_rule"`, `"stage_rule"`, `"visits_rule"`, `"action_rules"`), what a reason
//! says (`"grade_reason"`, …) and when an action is due (`"action_due"`).
//!
//! A portfolio case gives `"customers": [ … ]` and `"expect": { "<id>": { … }, … }`, since
//! portfolio facts (revenue share, RFM) depend on all of them. `"error": "text"` expects the
//! evaluation to fail with a message containing the text.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{evaluate_portfolio, EvaluateOptions};
use crate::error::{Error, Result};
use crate::model::{Customer, Date, Evaluation};
use crate::policy::Policy;

/// What the author expects of one customer's evaluation. Absent fields are not checked.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// Grade after evaluation.
    pub grade: Option<String>,
    /// Whether the grade changed.
    pub grade_changed: Option<bool>,
    /// Stage after evaluation.
    pub stage: Option<String>,
    /// Whether the stage changed.
    pub stage_changed: Option<bool>,
    /// Score range, inclusive.
    pub score: Option<ScoreRange>,
    /// Calls per week.
    pub calls_per_week: Option<f64>,
    /// Visits per month.
    pub visits_per_month: Option<f64>,
    /// Next call due date.
    pub next_call_due: Option<String>,
    /// Next visit due date.
    pub next_visit_due: Option<String>,
    /// Whether contact is overdue.
    pub overdue: Option<bool>,
    /// The grade reason contains this text.
    pub grade_reason: Option<String>,
    /// The stage reason contains this text.
    pub stage_reason: Option<String>,
    /// The cadence reason contains this text.
    pub visits_reason: Option<String>,
    /// The id of the cited rule (`@rule`) that decided the grade.
    pub grade_rule: Option<String>,
    /// The id of the cited rule that decided the stage.
    pub stage_rule: Option<String>,
    /// The id of the cited rule that set the cadence.
    pub visits_rule: Option<String>,
    /// The kinds of all actions, in any order (`[]` expects none).
    pub actions: Option<Vec<String>>,
    /// For an action kind, the due date one action of that kind has.
    pub action_due: Option<BTreeMap<String, String>>,
    /// For an action kind, the id of the cited rule that asked for it.
    pub action_rules: Option<BTreeMap<String, String>>,
    /// Labels that must be present with these values (others may exist).
    pub labels: Option<BTreeMap<String, String>>,
    /// The evaluation must fail with a message containing this text.
    pub error: Option<String>,
}

/// An inclusive score range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreRange {
    /// Lowest acceptable score.
    #[serde(default)]
    pub min: Option<f64>,
    /// Highest acceptable score.
    #[serde(default)]
    pub max: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    name: String,
    as_of: String,
    #[serde(default)]
    customer: Option<serde_json::Value>,
    #[serde(default)]
    customers: Option<Vec<serde_json::Value>>,
    expect: serde_json::Value,
    #[serde(default)]
    rules: BTreeMap<String, String>,
}

/// One test case, ready to run.
#[derive(Debug, Clone)]
pub struct TestCase {
    /// The case's name.
    pub name: String,
    /// The file it came from, relative to the policy directory.
    pub file: String,
    /// Evaluation date.
    pub as_of: Date,
    /// The customers evaluated together (one for a single-customer case).
    pub customers: Vec<Customer>,
    /// Expectations by customer id.
    pub expectations: Vec<(String, Expectation)>,
    /// The policy rules (`@rule` ids) the case checks, each with the handbook phrase it
    /// quotes: `"rules": { "grade.repeat_purchase": "第二次購買產品" }`. Running the case checks
    /// that each id is cited by the policy and that the quote is part of its citation.
    pub rules: BTreeMap<String, String>,
}

/// One mismatch between what a case expects and what the policy did.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// The customer.
    pub customer_id: String,
    /// The field, e.g. `grade`.
    pub field: String,
    /// What the case expects.
    pub expected: String,
    /// What the evaluation gave.
    pub actual: String,
}

/// The outcome of one case: no mismatches means it passed.
#[derive(Debug, Clone)]
pub struct CaseOutcome {
    /// The case's name.
    pub name: String,
    /// Its file.
    pub file: String,
    /// Every mismatch found.
    pub mismatches: Vec<Mismatch>,
}

impl CaseOutcome {
    /// Whether the case passed.
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty()
    }
}

fn case_error(file: &str, message: impl Into<String>) -> Error {
    Error::policy(file, message)
}

/// Reads every `*.json` case file under `dir/tests/` (sorted by name). A policy without a
/// `tests/` directory has no cases.
pub fn load_cases(dir: &Path) -> Result<Vec<TestCase>> {
    let tests = dir.join("tests");
    if !tests.is_dir() {
        return Ok(Vec::new());
    }
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&tests)
        .map_err(|e| case_error("tests", format!("cannot read: {e}")))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    let mut cases = Vec::new();
    for path in paths {
        let file = format!(
            "tests/{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        let text = std::fs::read_to_string(&path)
            .map_err(|e| case_error(&file, format!("cannot read: {e}")))?;
        cases.extend(parse_cases(&file, &text)?);
    }
    Ok(cases)
}

/// Parses the cases of one file (one case or an array of cases).
pub fn parse_cases(file: &str, text: &str) -> Result<Vec<TestCase>> {
    let located = |e: serde_json::Error| Error::Policy {
        location: crate::error::SourceLocation {
            file: file.to_string(),
            line: e.line(),
            column: e.column(),
        },
        message: format!("not a valid test case: {e}"),
        others: Vec::new(),
    };
    let value: serde_json::Value = serde_json::from_str(text).map_err(located)?;
    let raw: Vec<CaseFile> = if value.is_array() {
        serde_json::from_value(value)
    } else {
        serde_json::from_value(value).map(|case| vec![case])
    }
    .map_err(|e| case_error(file, format!("not a valid test case: {e}")))?;
    raw.into_iter().map(|case| build_case(file, case)).collect()
}

fn build_case(file: &str, case: CaseFile) -> Result<TestCase> {
    let in_case = |message: String| case_error(file, format!("case `{}`: {message}", case.name));
    let as_of =
        crate::model::parse_date(&case.as_of).map_err(|e| in_case(format!("as_of: {e}")))?;
    let parse = |value: &serde_json::Value| {
        crate::model::parse_customer(&value.to_string()).map_err(|e| in_case(e.to_string()))
    };
    let expectation = |value: serde_json::Value| {
        serde_json::from_value::<Expectation>(value).map_err(|e| in_case(format!("expect: {e}")))
    };
    let (customers, expectations) = match (&case.customer, &case.customers) {
        (Some(customer), None) => {
            let customer = parse(customer)?;
            let id = customer.id.clone();
            (
                vec![customer],
                vec![(id, expectation(case.expect.clone())?)],
            )
        }
        (None, Some(list)) => {
            let customers = list.iter().map(parse).collect::<Result<Vec<_>>>()?;
            let serde_json::Value::Object(by_id) = case.expect.clone() else {
                return Err(in_case(
                    "a portfolio case expects an object keyed by customer id".into(),
                ));
            };
            let mut expectations = Vec::new();
            for (id, value) in by_id {
                if !customers.iter().any(|c| c.id == id) {
                    return Err(in_case(format!(
                        "expect names customer `{id}`, which is not in `customers`"
                    )));
                }
                expectations.push((id, expectation(value)?));
            }
            (customers, expectations)
        }
        _ => return Err(in_case("give either `customer` or `customers`".into())),
    };
    Ok(TestCase {
        name: case.name,
        file: file.to_string(),
        as_of,
        customers,
        expectations,
        rules: case.rules,
    })
}

/// Runs `cases` against `policy`.
pub fn run_cases(policy: &Policy, cases: &[TestCase]) -> Vec<CaseOutcome> {
    cases
        .iter()
        .map(|case| {
            let customers: Vec<&Customer> = case.customers.iter().collect();
            let results =
                evaluate_portfolio(policy, &customers, case.as_of, &EvaluateOptions::default());
            let mut mismatches = Vec::new();
            check_citations(policy, &case.rules, &mut mismatches);
            for (id, expectation) in &case.expectations {
                let index = case.customers.iter().position(|c| &c.id == id).unwrap_or(0);
                compare(policy, id, expectation, &results[index], &mut mismatches);
            }
            CaseOutcome {
                name: case.name.clone(),
                file: case.file.clone(),
                mismatches,
            }
        })
        .collect()
}

/// Each rule a case names must be cited by the policy, and the case's quote must be part of
/// the citation's quote.
fn check_citations(policy: &Policy, rules: &BTreeMap<String, String>, out: &mut Vec<Mismatch>) {
    for (id, quote) in rules {
        let cited = policy.citations().iter().find(|c| &c.id == id);
        let actual = match cited {
            None => "no such rule in the policy".to_string(),
            Some(c)
                if normalize(&c.quote).contains(&normalize(quote)) && !quote.trim().is_empty() =>
            {
                continue
            }
            Some(c) => format!("{} \"{}\"", c.handbook, c.quote),
        };
        out.push(Mismatch {
            customer_id: String::new(),
            field: format!("rules.{id}"),
            expected: format!("a cited rule quoting \"{quote}\""),
            actual,
        });
    }
}

/// Text with whitespace removed, for comparing quotes across line breaks.
fn normalize(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The id of the rule a policy cites for the decision at `rule` (`file:line`).
fn cited_id(policy: &Policy, rule: &str) -> String {
    policy
        .citation_at(rule)
        .map_or_else(|| format!("no cited rule at {rule}"), |c| c.id.clone())
}

fn compare(
    policy: &Policy,
    id: &str,
    expect: &Expectation,
    result: &Result<Evaluation>,
    out: &mut Vec<Mismatch>,
) {
    let mut check = |field: &str, expected: String, actual: String| {
        if expected != actual {
            out.push(Mismatch {
                customer_id: id.to_string(),
                field: field.to_string(),
                expected,
                actual,
            });
        }
    };
    let e = match (result, &expect.error) {
        (Err(error), Some(text)) => {
            let message = error.to_string();
            if !message.contains(text.as_str()) {
                check("error", format!("an error containing `{text}`"), message);
            }
            return;
        }
        (Err(error), None) => return check("evaluation", "success".into(), error.to_string()),
        (Ok(_), Some(text)) => {
            return check(
                "error",
                format!("an error containing `{text}`"),
                "success".into(),
            )
        }
        (Ok(e), None) => e,
    };
    let show = |v: Option<String>| v.unwrap_or_else(|| "—".into());
    if let Some(grade) = &expect.grade {
        check("grade", grade.clone(), e.grade.to.clone());
    }
    if let Some(changed) = expect.grade_changed {
        check(
            "grade_changed",
            changed.to_string(),
            e.grade.changed.to_string(),
        );
    }
    if let Some(stage) = &expect.stage {
        check("stage", stage.clone(), e.stage.to.clone());
    }
    if let Some(changed) = expect.stage_changed {
        check(
            "stage_changed",
            changed.to_string(),
            e.stage.changed.to_string(),
        );
    }
    if let Some(range) = expect.score {
        let low = range.min.unwrap_or(f64::NEG_INFINITY);
        let high = range.max.unwrap_or(f64::INFINITY);
        if !(low..=high).contains(&e.score.total) {
            let shown = |x: Option<f64>| x.map_or("…".to_string(), |x| x.to_string());
            check(
                "score",
                format!("{} to {}", shown(range.min), shown(range.max)),
                e.score.total.to_string(),
            );
        }
    }
    if let Some(calls) = expect.calls_per_week {
        if (calls - e.visits.calls_per_week).abs() > 1e-6 {
            check(
                "calls_per_week",
                calls.to_string(),
                e.visits.calls_per_week.to_string(),
            );
        }
    }
    if let Some(visits) = expect.visits_per_month {
        if (visits - e.visits.visits_per_month).abs() > 1e-6 {
            check(
                "visits_per_month",
                visits.to_string(),
                e.visits.visits_per_month.to_string(),
            );
        }
    }
    if let Some(due) = &expect.next_call_due {
        check(
            "next_call_due",
            due.clone(),
            show(e.visits.next_call_due.map(|d| d.to_string())),
        );
    }
    if let Some(due) = &expect.next_visit_due {
        check(
            "next_visit_due",
            due.clone(),
            show(e.visits.next_visit_due.map(|d| d.to_string())),
        );
    }
    if let Some(overdue) = expect.overdue {
        check("overdue", overdue.to_string(), e.visits.overdue.to_string());
    }
    if let Some(kinds) = &expect.actions {
        let mut expected = kinds.clone();
        expected.sort();
        let mut actual: Vec<String> = e.actions.iter().map(|a| a.kind.clone()).collect();
        actual.sort();
        check("actions", format!("{expected:?}"), format!("{actual:?}"));
    }
    let mut contains = |field: &str, expected: &Option<String>, actual: &str| {
        if let Some(text) = expected {
            if !actual.contains(text.as_str()) {
                check(
                    field,
                    format!("a text containing `{text}`"),
                    actual.to_string(),
                );
            }
        }
    };
    contains("grade_reason", &expect.grade_reason, &e.grade.reason);
    contains("stage_reason", &expect.stage_reason, &e.stage.reason);
    contains("visits_reason", &expect.visits_reason, &e.visits.reason);
    for (field, expected, rule) in [
        ("grade_rule", &expect.grade_rule, &e.grade.rule),
        ("stage_rule", &expect.stage_rule, &e.stage.rule),
        ("visits_rule", &expect.visits_rule, &e.visits.rule),
    ] {
        if let Some(expected) = expected {
            check(field, expected.clone(), cited_id(policy, rule));
        }
    }
    if let Some(dues) = &expect.action_due {
        for (kind, due) in dues {
            let of_kind: Vec<String> = e
                .actions
                .iter()
                .filter(|a| &a.kind == kind)
                .map(|a| a.due.to_string())
                .collect();
            if !of_kind.contains(due) {
                check(
                    &format!("action_due.{kind}"),
                    due.clone(),
                    format!("{of_kind:?}"),
                );
            }
        }
    }
    if let Some(rules) = &expect.action_rules {
        for (kind, rule) in rules {
            let of_kind: Vec<String> = e
                .actions
                .iter()
                .filter(|a| &a.kind == kind)
                .map(|a| cited_id(policy, &a.rule))
                .collect();
            if !of_kind.contains(rule) {
                check(
                    &format!("action_rules.{kind}"),
                    rule.clone(),
                    format!("{of_kind:?}"),
                );
            }
        }
    }
    if let Some(labels) = &expect.labels {
        for (key, value) in labels {
            check(
                &format!("labels.{key}"),
                value.clone(),
                show(e.labels.get(key).cloned()),
            );
        }
    }
}
