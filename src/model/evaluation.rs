//! The evaluation result (the "Evaluation (output)" of the JSON contract).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::date::{serialize_date, serialize_opt_date, Date};
use super::portfolio::PortfolioFacts;

/// The full result of evaluating one customer against a policy at a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Evaluation {
    /// The customer's id.
    pub customer_id: String,
    /// The date the evaluation is for.
    #[serde(serialize_with = "serialize_date")]
    pub as_of: Date,
    /// Which policy produced it.
    pub policy: PolicyStamp,
    /// Weighted-indicator score.
    pub score: Score,
    /// Grade decision.
    pub grade: GradeChange,
    /// Development stage decision.
    pub stage: StageChange,
    /// Call and visit cadence with due dates.
    pub visits: Visits,
    /// Dated things to do (payment reminders, callbacks, collections …).
    pub actions: Vec<Action>,
    /// The portfolio facts the evaluation used (computed for a batch, or passed in with the
    /// record); absent when there were none. An ERP that evaluates one customer at a time
    /// stores these from last night's batch and passes them in the record's `portfolio`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portfolio: Option<PortfolioFacts>,
    /// Policy-defined labels, e.g. `prospect_class` or `follow_up` (absent when none).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Why each decision was taken; present only when explain was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<TraceEntry>>,
}

/// Name, version and content hash of the policy that produced a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyStamp {
    /// Policy name from `policy.toml`.
    pub name: String,
    /// Policy version from `policy.toml`.
    pub version: String,
    /// `sha256:` of the canonical file set.
    pub hash: String,
}

/// The total score and every part that made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Score {
    /// Sum of the parts' points, clamped to 0–100 and rounded to two decimals.
    pub total: f64,
    /// One entry per indicator.
    pub parts: Vec<ScorePart>,
}

/// One weighted indicator: the standard, the customer's actual value, and the points earned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScorePart {
    /// Indicator name, e.g. `revenue`.
    pub indicator: String,
    /// Weight in the total (the weights of a policy usually sum to 1).
    pub weight: f64,
    /// The standard value the policy expects.
    pub standard: f64,
    /// The customer's actual value.
    pub actual: f64,
    /// Points earned: `weight × 100 × attainment`, attainment in 0–1.
    pub points: f64,
}

/// The grade decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GradeChange {
    /// Grade before (absent for a new record).
    pub from: Option<String>,
    /// Grade after.
    pub to: String,
    /// Whether it changed.
    pub changed: bool,
    /// One plain sentence saying why.
    pub reason: String,
    /// The script and line of the rule that decided, e.g. `promote.rhai:14`.
    pub rule: String,
}

/// The development-stage decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageChange {
    /// Stage before (absent for a new record).
    pub from: Option<String>,
    /// Stage after.
    pub to: String,
    /// Whether it changed.
    pub changed: bool,
    /// One plain sentence naming the evidence.
    pub reason: String,
    /// The script and line of the rule that decided.
    pub rule: String,
}

/// Call and visit cadence, next due dates, and whether contact is overdue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Visits {
    /// Phone calls the policy asks for per week.
    pub calls_per_week: f64,
    /// On-site visits the policy asks for per month.
    pub visits_per_month: f64,
    /// When the next call is due (absent when no calls are asked for).
    #[serde(serialize_with = "serialize_opt_date")]
    pub next_call_due: Option<Date>,
    /// When the next visit is due (absent when no visits are asked for).
    #[serde(serialize_with = "serialize_opt_date")]
    pub next_visit_due: Option<Date>,
    /// Whether a call or a visit is past due.
    pub overdue: bool,
    /// Days past the earliest missed due date (0 when not overdue).
    pub days_overdue: i64,
    /// Why this cadence.
    pub reason: String,
    /// The script and line of the rule that set the cadence, e.g. `visits.rhai:9`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub rule: String,
}

/// A dated thing to do for the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Action {
    /// `payment_reminder`, `collection`, `callback`, `complaint_follow_up`, or a policy's own.
    pub kind: String,
    /// When it should be done.
    #[serde(serialize_with = "serialize_date")]
    pub due: Date,
    /// One plain sentence saying why.
    pub reason: String,
    /// The script and line of the rule that asked for it, e.g. `actions.rhai:12`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub rule: String,
    /// The line of the `action(...)` call, until the engine writes `rule`.
    #[serde(skip)]
    pub(crate) line: usize,
}

/// One step of an explanation: which function ran, what it decided, what it read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TraceEntry {
    /// The script function, e.g. `promote.rhai::grade`.
    pub function: String,
    /// The script and line of the deciding rule, when the function decided something.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Customer facts the function read.
    pub facts: Vec<String>,
    /// Policy parameters the function read.
    pub params: Vec<String>,
    /// One plain sentence.
    pub message: String,
    /// The handbook clause the deciding rule cites (`@rule` in the policy), when it cites one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause: Option<TraceClause>,
}

/// The handbook clause behind a decision, as a trace shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TraceClause {
    /// The rule's id in the policy, e.g. `grade.repeat_purchase`.
    pub id: String,
    /// The handbook's file name.
    pub handbook: String,
    /// The phrase quoted from the handbook.
    pub quote: String,
}
