//! What a policy script can use, listed for editors (the policy workbench's completions):
//! the facts of `c`, the facts of `c.portfolio`, and patron's own script functions with
//! their signatures. The fact lists come from the tables the runtime registers, so they
//! cannot drift from what scripts can read.

use serde::Serialize;

use super::api::{CUSTOMER_FACTS, PORTFOLIO_FIELDS};

/// One of patron's script functions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScriptFunction {
    /// The name, e.g. `set_grade`.
    pub name: &'static str,
    /// How it is called, e.g. `set_grade(to, reason)`.
    pub signature: &'static str,
    /// One plain sentence.
    pub doc: &'static str,
}

/// Everything a script can read or call besides the language itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScriptApi {
    /// Facts of the customer, read as `c.<fact>` (plus `c.portfolio`, `c.has_portfolio`).
    pub customer_facts: Vec<&'static str>,
    /// Facts of the customer's portfolio, read as `c.portfolio.<fact>`.
    pub portfolio_facts: Vec<&'static str>,
    /// patron's functions.
    pub functions: Vec<ScriptFunction>,
}

const FUNCTIONS: &[(&str, &str, &str)] = &[
    (
        "set_grade",
        "set_grade(to, reason)",
        "Decide the grade `to`, saying why.",
    ),
    (
        "keep_grade",
        "keep_grade(reason)",
        "Keep the current grade, saying why.",
    ),
    (
        "set_stage",
        "set_stage(to, reason)",
        "Decide the stage `to`, saying why.",
    ),
    (
        "keep_stage",
        "keep_stage(reason)",
        "Keep the current stage, saying why.",
    ),
    (
        "cadence",
        "cadence(calls_per_week, visits_per_month, reason)",
        "Set how often to call and visit.",
    ),
    (
        "action",
        "action(kind, due, reason)",
        "Ask for a dated action (payment_reminder, callback …).",
    ),
    (
        "part",
        "part(indicator, weight, standard, actual)",
        "A score part: more is better.",
    ),
    (
        "part_lower",
        "part_lower(indicator, weight, standard, actual)",
        "A score part: less is better.",
    ),
    (
        "grade_up",
        "grade_up(grade)",
        "The grade one step above `grade` on the scale.",
    ),
    (
        "grade_down",
        "grade_down(grade)",
        "The grade one step below `grade` on the scale.",
    ),
    (
        "grade_rank",
        "grade_rank(grade)",
        "The grade's position on the scale (0 is the highest).",
    ),
    (
        "stage_rank",
        "stage_rank(stage)",
        "The stage's position in the pipeline (0 is the first).",
    ),
    (
        "stage_at",
        "stage_at(rank)",
        "The stage at a position in the pipeline.",
    ),
    ("date", "date(\"YYYY-MM-DD\")", "A date from text."),
    ("add_days", "add_days(date, days)", "The date `days` later."),
    (
        "days_between",
        "days_between(from, to)",
        "Days from one date to another.",
    ),
    (
        "clamp",
        "clamp(x, lo, hi)",
        "`x` kept between `lo` and `hi`.",
    ),
    (
        "money",
        "money(amount)",
        "An amount as text with two decimals, e.g. 12000.00.",
    ),
    ("join", "join(items, separator)", "The items as one text."),
    (
        "attr",
        "c.attr(name)",
        "A custom attribute of the customer (unit when absent).",
    ),
    (
        "has_attr",
        "c.has_attr(name)",
        "Whether the customer has a custom attribute.",
    ),
    (
        "owner_count",
        "c.portfolio.owner_count(grade)",
        "Customers of the same owner in a grade.",
    ),
];

/// The facts and functions scripts can use, for editors' completions.
///
/// ```
/// let api = patron::script_api();
/// assert!(api.customer_facts.contains(&"revenue_365"));
/// assert!(api.portfolio_facts.contains(&"revenue_rank"));
/// assert!(api.functions.iter().any(|f| f.name == "set_grade"));
/// ```
pub fn script_api() -> ScriptApi {
    ScriptApi {
        customer_facts: CUSTOMER_FACTS.iter().map(|(name, _)| *name).collect(),
        portfolio_facts: PORTFOLIO_FIELDS.iter().map(|(name, _)| *name).collect(),
        functions: FUNCTIONS
            .iter()
            .map(|&(name, signature, doc)| ScriptFunction {
                name,
                signature,
                doc,
            })
            .collect(),
    }
}
