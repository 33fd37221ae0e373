//! What a policy change would do to real customers: the same customers evaluated with a base
//! and a candidate policy, compared — grade and stage transition matrices with example
//! customers per changed cell, score shift statistics, and the workload in calls and visits
//! per month the change creates.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{evaluate_portfolio, EvaluateOptions};
use crate::model::{Customer, Date, Evaluation, PolicyStamp};
use crate::policy::Policy;

/// Example customers kept per changed cell.
pub const EXAMPLES_PER_CELL: usize = 3;
/// Weeks per month, to turn calls per week into calls per month.
pub const WEEKS_PER_MONTH: f64 = 52.0 / 12.0;

/// One cell of a transition matrix.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Transition {
    /// Under the base policy.
    pub from: String,
    /// Under the candidate policy.
    pub to: String,
    /// How many customers.
    pub count: usize,
    /// Up to three of them, for a changed cell.
    pub examples: Vec<String>,
}

/// Distribution of `candidate score − base score`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoreShift {
    /// Customers whose score changed.
    pub changed: usize,
    /// Mean shift.
    pub mean: f64,
    /// Mean absolute shift.
    pub mean_abs: f64,
    /// Smallest shift.
    pub min: f64,
    /// Median shift.
    pub median: f64,
    /// Largest shift.
    pub max: f64,
}

/// Calls and visits per month across all customers, before and after.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Workload {
    /// Calls per month the base policy asks for.
    pub base_calls_per_month: f64,
    /// Calls per month the candidate asks for.
    pub candidate_calls_per_month: f64,
    /// Visits per month the base policy asks for.
    pub base_visits_per_month: f64,
    /// Visits per month the candidate asks for.
    pub candidate_visits_per_month: f64,
    /// Customers whose cadence changed.
    pub cadence_changes: usize,
}

/// A record that one of the policies could not evaluate.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiffError {
    /// The customer.
    pub customer_id: String,
    /// `base` or `candidate`.
    pub policy: &'static str,
    /// The error message.
    pub message: String,
}

/// The impact of replacing the base policy with the candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImpactReport {
    /// The base policy.
    pub base: PolicyStamp,
    /// The candidate policy.
    pub candidate: PolicyStamp,
    /// The evaluation date.
    pub as_of: Date,
    /// Customer records compared (including those that could not be evaluated).
    pub customers: usize,
    /// Customers whose grade changes.
    pub grades_changed: usize,
    /// Base grade → candidate grade, every non-empty cell, in scale order.
    pub grade_matrix: Vec<Transition>,
    /// Customers whose stage changes.
    pub stages_changed: usize,
    /// Base stage → candidate stage, every non-empty cell.
    pub stage_matrix: Vec<Transition>,
    /// Score shift statistics.
    pub score_shift: ScoreShift,
    /// The workload the change creates.
    pub workload: Workload,
    /// Records either policy could not evaluate (not counted above).
    pub errors: Vec<DiffError>,
}

fn transitions(
    pairs: &[(&str, &str, &str)],
    order: &dyn Fn(&str) -> usize,
) -> (Vec<Transition>, usize) {
    let mut cells: BTreeMap<(usize, usize, String, String), Transition> = BTreeMap::new();
    let mut changed = 0;
    for &(id, from, to) in pairs {
        let key = (order(from), order(to), from.to_string(), to.to_string());
        let cell = cells.entry(key).or_insert_with(|| Transition {
            from: from.to_string(),
            to: to.to_string(),
            count: 0,
            examples: Vec::new(),
        });
        cell.count += 1;
        if from != to {
            changed += 1;
            if cell.examples.len() < EXAMPLES_PER_CELL {
                cell.examples.push(id.to_string());
            }
        }
    }
    (cells.into_values().collect(), changed)
}

fn shift(mut deltas: Vec<f64>) -> ScoreShift {
    if deltas.is_empty() {
        return ScoreShift::default();
    }
    deltas.sort_by(f64::total_cmp);
    let n = deltas.len() as f64;
    let middle = deltas.len() / 2;
    let median = if deltas.len() % 2 == 0 {
        (deltas[middle - 1] + deltas[middle]) / 2.0
    } else {
        deltas[middle]
    };
    let round = |x: f64| (x * 100.0).round() / 100.0;
    ScoreShift {
        changed: deltas.iter().filter(|d| d.abs() > 1e-9).count(),
        mean: round(deltas.iter().sum::<f64>() / n),
        mean_abs: round(deltas.iter().map(|d| d.abs()).sum::<f64>() / n),
        min: round(deltas[0]),
        median: round(median),
        max: round(deltas[deltas.len() - 1]),
    }
}

/// Evaluates `customers` (one portfolio) with both policies and compares the results.
///
/// ```
/// use patron::{diff::impact, model::parse_date, Customer, Policy};
/// let base = Policy::embedded_default().unwrap();
/// let candidate = Policy::embedded_default().unwrap();
/// let customers: Vec<Customer> = vec![serde_json::from_str(r#"{ "id": "C-1", "grade": "B" }"#).unwrap()];
/// let report = impact(&base, &candidate, &customers, parse_date("2026-11-23").unwrap());
/// assert_eq!(report.grades_changed, 0);
/// ```
pub fn impact(
    base: &Policy,
    candidate: &Policy,
    customers: &[Customer],
    as_of: Date,
) -> ImpactReport {
    impact_with(
        base,
        candidate,
        customers,
        as_of,
        &EvaluateOptions::default(),
    )
}

/// [`impact`] with the options of its evaluations, e.g. a caller's
/// [`deadline`](EvaluateOptions::deadline) (records it stops are listed under `errors`; a
/// trace is not kept).
pub fn impact_with(
    base: &Policy,
    candidate: &Policy,
    customers: &[Customer],
    as_of: Date,
    options: &EvaluateOptions,
) -> ImpactReport {
    compare_with(base, candidate, customers, as_of, options).report
}

/// One customer whose grade, stage or cadence the candidate changes: before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerMove {
    /// The customer.
    pub customer_id: String,
    /// Grade under the base policy.
    pub grade_from: String,
    /// Grade under the candidate.
    pub grade_to: String,
    /// Stage under the base policy.
    pub stage_from: String,
    /// Stage under the candidate.
    pub stage_to: String,
    /// Score under the base policy.
    pub score_from: f64,
    /// Score under the candidate.
    pub score_to: f64,
    /// Calls per week under the base policy.
    pub calls_per_week_from: f64,
    /// Calls per week under the candidate.
    pub calls_per_week_to: f64,
    /// Visits per month under the base policy.
    pub visits_per_month_from: f64,
    /// Visits per month under the candidate.
    pub visits_per_month_to: f64,
}

/// The impact report and every customer that moves, in input order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comparison {
    /// The totals and matrices.
    pub report: ImpactReport,
    /// Each customer whose grade, stage or cadence changes (a score change alone is not a
    /// move).
    pub moves: Vec<CustomerMove>,
}

/// [`impact_with`] that also lists each customer that moves ([`Comparison::moves`]).
pub fn compare_with(
    base: &Policy,
    candidate: &Policy,
    customers: &[Customer],
    as_of: Date,
    options: &EvaluateOptions,
) -> Comparison {
    let refs: Vec<&Customer> = customers.iter().collect();
    let options = EvaluateOptions {
        explain: false,
        ..*options
    };
    let before = evaluate_portfolio(base, &refs, as_of, &options);
    let after = evaluate_portfolio(candidate, &refs, as_of, &options);
    let mut both: Vec<(&Evaluation, &Evaluation)> = Vec::new();
    let mut errors = Vec::new();
    for ((customer, b), a) in customers.iter().zip(&before).zip(&after) {
        match (b, a) {
            (Ok(b), Ok(a)) => both.push((b, a)),
            (b, a) => {
                for (policy, result) in [("base", b), ("candidate", a)] {
                    if let Err(e) = result {
                        errors.push(DiffError {
                            customer_id: customer.id.clone(),
                            policy,
                            message: e.to_string(),
                        });
                    }
                }
            }
        }
    }

    let grade_order = |g: &str| {
        base.manifest()
            .grades
            .scale
            .rank(g)
            .or_else(|| candidate.manifest().grades.scale.rank(g).map(|r| r + 1000))
            .unwrap_or(usize::MAX)
    };
    let stage_order = |s: &str| {
        base.manifest()
            .stages
            .pipeline
            .rank(s)
            .or_else(|| {
                candidate
                    .manifest()
                    .stages
                    .pipeline
                    .rank(s)
                    .map(|r| r + 1000)
            })
            .unwrap_or(usize::MAX)
    };
    let grade_pairs: Vec<(&str, &str, &str)> = both
        .iter()
        .map(|(b, a)| {
            (
                b.customer_id.as_str(),
                b.grade.to.as_str(),
                a.grade.to.as_str(),
            )
        })
        .collect();
    let stage_pairs: Vec<(&str, &str, &str)> = both
        .iter()
        .map(|(b, a)| {
            (
                b.customer_id.as_str(),
                b.stage.to.as_str(),
                a.stage.to.as_str(),
            )
        })
        .collect();
    let (grade_matrix, grades_changed) = transitions(&grade_pairs, &grade_order);
    let (stage_matrix, stages_changed) = transitions(&stage_pairs, &stage_order);

    let mut workload = Workload::default();
    for (b, a) in &both {
        workload.base_calls_per_month += b.visits.calls_per_week * WEEKS_PER_MONTH;
        workload.candidate_calls_per_month += a.visits.calls_per_week * WEEKS_PER_MONTH;
        workload.base_visits_per_month += b.visits.visits_per_month;
        workload.candidate_visits_per_month += a.visits.visits_per_month;
        let same = (b.visits.calls_per_week - a.visits.calls_per_week).abs() < 1e-9
            && (b.visits.visits_per_month - a.visits.visits_per_month).abs() < 1e-9;
        workload.cadence_changes += usize::from(!same);
    }
    let round1 = |x: f64| (x * 10.0).round() / 10.0;
    workload.base_calls_per_month = round1(workload.base_calls_per_month);
    workload.candidate_calls_per_month = round1(workload.candidate_calls_per_month);
    workload.base_visits_per_month = round1(workload.base_visits_per_month);
    workload.candidate_visits_per_month = round1(workload.candidate_visits_per_month);

    let moves = both
        .iter()
        .filter(|(b, a)| {
            b.grade.to != a.grade.to
                || b.stage.to != a.stage.to
                || (b.visits.calls_per_week - a.visits.calls_per_week).abs() > 1e-9
                || (b.visits.visits_per_month - a.visits.visits_per_month).abs() > 1e-9
        })
        .map(|(b, a)| CustomerMove {
            customer_id: b.customer_id.clone(),
            grade_from: b.grade.to.clone(),
            grade_to: a.grade.to.clone(),
            stage_from: b.stage.to.clone(),
            stage_to: a.stage.to.clone(),
            score_from: b.score.total,
            score_to: a.score.total,
            calls_per_week_from: b.visits.calls_per_week,
            calls_per_week_to: a.visits.calls_per_week,
            visits_per_month_from: b.visits.visits_per_month,
            visits_per_month_to: a.visits.visits_per_month,
        })
        .collect();

    let report = ImpactReport {
        base: base.stamp().clone(),
        candidate: candidate.stamp().clone(),
        as_of,
        customers: customers.len(),
        grades_changed,
        grade_matrix,
        stages_changed,
        stage_matrix,
        score_shift: shift(
            both.iter()
                .map(|(b, a)| a.score.total - b.score.total)
                .collect(),
        ),
        workload,
        errors,
    };
    Comparison { report, moves }
}

/// [`impact`] of customers given as a JSON array or JSON Lines; records that cannot be read
/// are listed under `errors` with policy `input`, never dropped.
pub fn impact_of_text(
    base: &Policy,
    candidate: &Policy,
    customers_json: &str,
    as_of: Date,
) -> crate::error::Result<ImpactReport> {
    impact_of_text_with(
        base,
        candidate,
        customers_json,
        as_of,
        &EvaluateOptions::default(),
    )
}

/// [`impact_of_text`] with the options of its evaluations (see [`impact_with`]).
pub fn impact_of_text_with(
    base: &Policy,
    candidate: &Policy,
    customers_json: &str,
    as_of: Date,
    options: &EvaluateOptions,
) -> crate::error::Result<ImpactReport> {
    Ok(compare_of_text_with(base, candidate, customers_json, as_of, options)?.report)
}

/// [`compare_with`] of customers given as a JSON array or JSON Lines (see
/// [`impact_of_text`]).
pub fn compare_of_text_with(
    base: &Policy,
    candidate: &Policy,
    customers_json: &str,
    as_of: Date,
    options: &EvaluateOptions,
) -> crate::error::Result<Comparison> {
    let mut customers = Vec::new();
    let mut unreadable = Vec::new();
    for record in crate::model::parse_customers(customers_json)? {
        match record.result {
            Ok(customer) => customers.push(customer),
            Err(e) => unreadable.push(DiffError {
                customer_id: e
                    .record()
                    .and_then(|r| r.customer_id.clone())
                    .unwrap_or_else(|| format!("line {}", record.line)),
                policy: "input",
                message: e.to_string(),
            }),
        }
    }
    let mut comparison = compare_with(base, candidate, &customers, as_of, options);
    comparison.report.customers += unreadable.len();
    comparison.report.errors.extend(unreadable);
    Ok(comparison)
}

impl super::Engine {
    /// What replacing the serving policy with `candidate` would do to `customers`.
    /// Nothing is swapped: the engine keeps serving its policy.
    ///
    /// ```
    /// use patron::{model::{parse_customer, parse_date}, Engine, Policy};
    ///
    /// let engine = Engine::with_default_policy()?;
    /// let customers = vec![parse_customer(r#"{ "id": "C-1", "grade": "B" }"#)?];
    /// let candidate = Policy::embedded_default()?;
    /// let report = engine.impact(&candidate, &customers, parse_date("2026-11-23")?);
    /// assert_eq!((report.customers, report.grades_changed), (1, 0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn impact(&self, candidate: &Policy, customers: &[Customer], as_of: Date) -> ImpactReport {
        impact(&self.policy(), candidate, customers, as_of)
    }
}
