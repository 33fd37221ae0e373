//! Evaluating one customer against one policy: derive the facts, call the policy's entry
//! functions in order (score → grade → stage → visits → actions), check what they return,
//! and assemble the [`Evaluation`] with its optional trace.

use std::collections::BTreeMap;

use rhai::Dynamic;

use super::{EvaluateOptions, Tier};
use crate::error::{Error, RecordRef, Result, SourceLocation};
use crate::model::{
    Action, Customer, Date, Evaluation, Facts, GradeChange, Ladder, Score, ScorePart, StageChange,
    TraceEntry, Visits,
};
use crate::policy::{Policy, ScoreSection};
use crate::schedule::due_dates;
use crate::script::{
    with_runtime, CadenceDecision, CustomerView, Decision, Entry, ScriptRuntime, ACTIONS, GRADE,
    LABELS, SCORE, STAGE, VISITS,
};

fn invalid(field: &str, message: String) -> Error {
    Error::InvalidInput {
        record: RecordRef::default(),
        field: field.to_string(),
        message,
    }
}

/// Grade, stage and region of the record must be in the policy's vocabulary.
fn check_vocabulary(policy: &Policy, customer: &Customer) -> Result<()> {
    let manifest = policy.manifest();
    let checks = [
        (
            "grade",
            customer.grade.as_deref(),
            manifest.grades.scale.names(),
        ),
        (
            "stage",
            customer.stage.as_deref(),
            manifest.stages.pipeline.names(),
        ),
    ];
    for (field, value, known) in checks {
        if let Some(value) = value {
            if !known.iter().any(|k| k == value) {
                return Err(invalid(
                    field,
                    format!(
                        "unknown {field} `{value}`; the policy's {field}s are: {}",
                        known.join(", ")
                    ),
                ));
            }
        }
    }
    if let (Some(region), Some(regions)) = (customer.region.as_deref(), &manifest.regions) {
        if !regions.ids.iter().any(|r| r == region) {
            return Err(invalid(
                "region",
                format!(
                    "unknown region `{region}`; the policy's regions are: {}",
                    regions.ids.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// A script returned something (of type `got`) that is not what its entry function must
/// return.
fn wrong_type(entry: &Entry, expected: &str, got: &str) -> Error {
    Error::Script {
        record: RecordRef::default(),
        function: entry.function.to_string(),
        location: SourceLocation {
            file: entry.file.to_string(),
            ..SourceLocation::default()
        },
        message: format!(
            "`{}` must return {expected}, but returned {got}",
            entry.function,
        ),
    }
}

fn rule(entry: &Entry, line: usize) -> String {
    format!("{}:{line}", entry.file)
}

/// Evaluates `customer` against `policy` as of `as_of`.
pub(crate) fn evaluate(
    policy: &Policy,
    customer: &Customer,
    as_of: Date,
    options: &EvaluateOptions,
) -> Result<Evaluation> {
    evaluate_with_facts(policy, customer, Facts::derive(customer, as_of), options)
}

/// Evaluates `customer` whose facts (and portfolio facts) are already derived.
pub(crate) fn evaluate_with_facts(
    policy: &Policy,
    customer: &Customer,
    facts: Facts,
    options: &EvaluateOptions,
) -> Result<Evaluation> {
    check_vocabulary(policy, customer)
        .and_then(|()| {
            let view = CustomerView::new(customer, facts, options.explain);
            with_runtime(policy, |runtime| run(policy, runtime, &view, options))
        })
        .map_err(|e| e.with_record(Some(&customer.id), None))
}

fn run(
    policy: &Policy,
    runtime: &ScriptRuntime,
    view: &CustomerView,
    options: &EvaluateOptions,
) -> Result<Evaluation> {
    let customer = view.customer();
    let manifest = policy.manifest();
    let mut trace: Option<Vec<TraceEntry>> = options.explain.then(Vec::new);
    // The trace's texts are only built when explaining.
    let mut record = |entry: &Entry, what: &dyn Fn() -> (Option<String>, String)| {
        if let Some(trace) = trace.as_mut() {
            let (rule, message) = what();
            trace.push(TraceEntry {
                function: entry.qualified(),
                rule,
                facts: view.take_reads(),
                params: policy.param_reads(&entry.qualified()).to_vec(),
                message,
            });
        }
    };
    runtime.start_budget();

    let score = score(runtime, view, &manifest.score, options)?;
    record(&SCORE, &|| {
        let message = format!(
            "the weighted score is {:.2} from {} indicators",
            score.total,
            score.parts.len()
        );
        (None, message)
    });

    let decision: Decision = call_for(
        runtime,
        &GRADE,
        &[
            Dynamic::from(view.clone()),
            Dynamic::from_float(score.total),
        ],
        options.tier,
    )?;
    let grade = change(
        &GRADE,
        &manifest.grades.scale,
        customer.grade.as_deref(),
        decision,
    )?;
    record(&GRADE, &|| (Some(grade.rule.clone()), grade.reason.clone()));
    let grade = GradeChange {
        from: grade.from,
        to: grade.to,
        changed: grade.changed,
        reason: grade.reason,
        rule: grade.rule,
    };

    let decision: Decision = call_for(
        runtime,
        &STAGE,
        &[Dynamic::from(view.clone())],
        options.tier,
    )?;
    let stage = change(
        &STAGE,
        &manifest.stages.pipeline,
        customer.stage.as_deref(),
        decision,
    )?;
    record(&STAGE, &|| (Some(stage.rule.clone()), stage.reason.clone()));

    let grade_now = Dynamic::from(rhai::ImmutableString::from(grade.to.as_str()));
    let cadence: CadenceDecision = call_for(
        runtime,
        &VISITS,
        &[Dynamic::from(view.clone()), grade_now.clone()],
        options.tier,
    )?;
    let due = due_dates(
        view.facts(),
        cadence.calls_per_week,
        cadence.visits_per_month,
    );
    record(&VISITS, &|| {
        (Some(rule(&VISITS, cadence.line)), cadence.reason.clone())
    });
    let visits = Visits {
        calls_per_week: cadence.calls_per_week,
        visits_per_month: cadence.visits_per_month,
        next_call_due: due.next_call_due,
        next_visit_due: due.next_visit_due,
        overdue: due.overdue,
        days_overdue: due.days_overdue,
        reason: cadence.reason,
    };

    let actions = if runtime.has(&ACTIONS) {
        let actions = actions(runtime, view, grade_now.clone(), options.tier)?;
        record(&ACTIONS, &|| (None, format!("{} action(s)", actions.len())));
        actions
    } else {
        Vec::new()
    };

    let labels = if runtime.has(&LABELS) {
        let labels = labels(runtime, view, grade_now, options.tier)?;
        record(&LABELS, &|| {
            let shown: Vec<String> = labels.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            (None, format!("labels: {}", shown.join(", ")))
        });
        labels
    } else {
        BTreeMap::new()
    };

    Ok(Evaluation {
        customer_id: customer.id.clone(),
        as_of: view.facts().as_of,
        policy: policy.stamp().clone(),
        score,
        grade,
        stage: stage.into(),
        visits,
        actions,
        portfolio: view.facts().portfolio.clone(),
        labels,
        trace,
    })
}

fn score(
    runtime: &ScriptRuntime,
    view: &CustomerView,
    precision: &ScoreSection,
    options: &EvaluateOptions,
) -> Result<Score> {
    let value = runtime.call(&SCORE, &[Dynamic::from(view.clone())], options.tier)?;
    let expected = "an array of `part(...)` values or a number";
    let returned = value.type_name();
    let mut parts: Vec<ScorePart> = Vec::new();
    let raw_total = if let Ok(total) = value.as_float() {
        total
    } else if let Ok(total) = value.as_int() {
        total as f64
    } else if value.is_array() {
        let array = value
            .into_array()
            .map_err(|got| wrong_type(&SCORE, expected, got))?;
        for item in array {
            let got = item.type_name();
            let mut part = item
                .try_cast::<ScorePart>()
                .ok_or_else(|| wrong_type(&SCORE, expected, got))?;
            part.points = precision.round(part.points);
            parts.push(part);
        }
        parts.iter().map(|p| p.points).sum()
    } else {
        return Err(wrong_type(&SCORE, expected, returned));
    };
    if !raw_total.is_finite() {
        return Err(wrong_type(&SCORE, "a finite score", returned));
    }
    Ok(Score {
        total: precision.round(raw_total.clamp(0.0, 100.0)),
        parts,
    })
}

fn call_for<T: Clone + 'static>(
    runtime: &ScriptRuntime,
    entry: &Entry,
    args: &[Dynamic],
    tier: Tier,
) -> Result<T> {
    let value = runtime.call(entry, args, tier)?;
    let expected = match entry.function {
        "visits" => "`cadence(calls_per_week, visits_per_month, reason)`",
        "grade" => "`set_grade(...)` or `keep_grade(...)`",
        _ => "`set_stage(...)` or `keep_stage(...)`",
    };
    let got = value.type_name();
    value
        .try_cast::<T>()
        .ok_or_else(|| wrong_type(entry, expected, got))
}

fn actions(
    runtime: &ScriptRuntime,
    view: &CustomerView,
    grade: Dynamic,
    tier: Tier,
) -> Result<Vec<Action>> {
    let value = runtime.call(&ACTIONS, &[Dynamic::from(view.clone()), grade], tier)?;
    let expected = "an array of `action(kind, due, reason)` values";
    let array = value
        .into_array()
        .map_err(|got| wrong_type(&ACTIONS, expected, got))?;
    array
        .into_iter()
        .map(|item| {
            let got = item.type_name();
            item.try_cast::<Action>()
                .ok_or_else(|| wrong_type(&ACTIONS, expected, got))
        })
        .collect()
}

fn labels(
    runtime: &ScriptRuntime,
    view: &CustomerView,
    grade: Dynamic,
    tier: Tier,
) -> Result<BTreeMap<String, String>> {
    let value = runtime.call(&LABELS, &[Dynamic::from(view.clone()), grade], tier)?;
    let expected = "an object map of labels, e.g. `#{ follow_up: \"long_term\" }`";
    let got = value.type_name();
    let map = value
        .try_cast::<rhai::Map>()
        .ok_or_else(|| wrong_type(&LABELS, expected, got))?;
    Ok(map
        .into_iter()
        .filter(|(_, v)| !v.is_unit())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect())
}

/// The outcome of a grade or stage decision.
struct Change {
    from: Option<String>,
    to: String,
    changed: bool,
    reason: String,
    rule: String,
}

fn change(
    entry: &Entry,
    ladder: &Ladder,
    from: Option<&str>,
    decision: Decision,
) -> Result<Change> {
    let what = if entry.function == "grade" {
        "grade"
    } else {
        "stage"
    };
    let to = match (decision.to, from) {
        (Some(to), _) => to,
        (None, Some(from)) => from.to_string(),
        (None, None) => {
            return Err(Error::Script {
                record: RecordRef::default(),
                function: entry.function.to_string(),
                location: SourceLocation {
                    file: entry.file.to_string(),
                    line: decision.line,
                    column: 0,
                },
                message: format!(
                    "the record has no {what} yet, so `keep_{what}` cannot keep one; give a new record an initial {what} with `set_{what}`"
                ),
            })
        }
    };
    let mut reason = decision.reason;
    if let (Some(from_rank), Some(to_rank)) = (from.and_then(|f| ladder.rank(f)), ladder.rank(&to))
    {
        if what == "stage" && to_rank > from_rank + 1 {
            let skipped: Vec<&str> = (from_rank + 1..to_rank)
                .filter_map(|r| ladder.at(r))
                .collect();
            reason.push_str(&format!(" (skipping {})", skipped.join(", ")));
        }
    }
    Ok(Change {
        changed: from != Some(to.as_str()),
        from: from.map(str::to_string),
        to,
        reason,
        rule: rule(entry, decision.line),
    })
}

impl From<Change> for StageChange {
    fn from(c: Change) -> Self {
        StageChange {
            from: c.from,
            to: c.to,
            changed: c.changed,
            reason: c.reason,
            rule: c.rule,
        }
    }
}
