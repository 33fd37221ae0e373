//! Evaluating one customer against one policy: derive the facts, call the policy's entry
//! functions in order (score → grade → stage → visits → actions), check what they return,
//! and assemble the [`Evaluation`] with its optional trace.

use std::collections::BTreeMap;
use std::time::Instant;

use rhai::Dynamic;

use super::{EvaluateOptions, Tier};
use crate::error::{Error, RecordRef, Result, SourceLocation};
use crate::model::{
    clone_option_from, push_decimal, Action, Customer, Date, Evaluation, Facts, Ladder, Score,
    ScorePart, TraceClause, TraceEntry,
};
use crate::policy::{Policy, ScoreSection};
use crate::schedule::due_dates;
use crate::script::{
    label_text, with_runtime, CadenceDecision, CustomerView, Decided, Decision, Derive, Entry,
    MadePart, Returned, ScriptRuntime, ViewFacts, ACTIONS, GRADE, LABELS, SCORE, STAGE, VISITS,
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

/// Writes `file:line` into `into`, reusing its allocation.
fn write_rule(into: &mut String, entry: &Entry, line: usize) {
    into.clear();
    into.push_str(entry.file);
    into.push(':');
    push_decimal(into, line as u64);
}

/// Sets `into` to `text`, reusing its allocation.
fn set_text(into: &mut String, text: &str) {
    into.clear();
    into.push_str(text);
}

/// Sets `into` to `text` (or `None`), reusing its allocation.
fn set_optional_text(into: &mut Option<String>, text: Option<&str>) {
    match (into.as_mut(), text) {
        (Some(into), Some(text)) => set_text(into, text),
        (_, text) => *into = text.map(str::to_string),
    }
}

/// Evaluates `customer` against `policy` as of `as_of` into `out`.
pub(crate) fn evaluate_into(
    policy: &Policy,
    customer: &Customer,
    as_of: Date,
    options: &EvaluateOptions,
    out: &mut Evaluation,
) -> Result<()> {
    evaluate_view(policy, customer, Derive(as_of), options, out)
}

/// Evaluates `customer` whose facts (and portfolio facts) are already derived.
pub(crate) fn evaluate_with_facts(
    policy: &Policy,
    customer: &Customer,
    facts: Facts,
    options: &EvaluateOptions,
) -> Result<Evaluation> {
    let mut evaluation = Evaluation::default();
    evaluate_with_facts_into(policy, customer, facts, options, &mut evaluation)?;
    Ok(evaluation)
}

/// [`evaluate_with_facts`] into `out`, reusing the allocations of what `out` held. On an
/// error `out` holds a mix of the two evaluations.
pub(crate) fn evaluate_with_facts_into(
    policy: &Policy,
    customer: &Customer,
    facts: Facts,
    options: &EvaluateOptions,
    out: &mut Evaluation,
) -> Result<()> {
    evaluate_view(policy, customer, facts, options, out)
}

/// Evaluates `customer` with the `facts` its view gets into `out`.
fn evaluate_view(
    policy: &Policy,
    customer: &Customer,
    facts: impl ViewFacts,
    options: &EvaluateOptions,
    out: &mut Evaluation,
) -> Result<()> {
    evaluate_checked(policy, customer, facts, options, out)
        .map_err(|e| e.with_record(Some(&customer.id), None))
}

/// [`evaluate_view`] without the record's id in its error, which is boxed so that the
/// result, handed up through the runtime's closure, is a pointer's size.
fn evaluate_checked(
    policy: &Policy,
    customer: &Customer,
    facts: impl ViewFacts,
    options: &EvaluateOptions,
    out: &mut Evaluation,
) -> std::result::Result<(), Box<Error>> {
    check_vocabulary(policy, customer)?;
    let (view, mut value) = CustomerView::new(customer, facts, options.explain);
    let done = with_runtime(&policy.script_source(), |runtime| {
        let done = run(policy, runtime, &view, &mut value, options, out);
        policy.tier_counters().add(runtime.take_counts());
        done
    });
    drop(view);
    CustomerView::recycle(value);
    done
}

/// Runs the entry functions on `view` (`view_value` is the same view as a script value; it
/// is lent to every call) and writes the result into `out`.
fn run(
    policy: &Policy,
    runtime: &ScriptRuntime,
    view: &CustomerView,
    view_value: &mut Dynamic,
    options: &EvaluateOptions,
    out: &mut Evaluation,
) -> std::result::Result<(), Box<Error>> {
    if options
        .deadline
        .is_some_and(|deadline| Instant::now() >= deadline)
    {
        return Err(Box::new(deadline_passed("before the evaluation started")));
    }
    runtime.start_budget(options.deadline);
    // The entry functions' arguments: the view first, then the score or the grade.
    let mut args = [std::mem::take(view_value), Dynamic::UNIT];
    // The view is lent to the fast tier once for the four calls, and given back before
    // it is recycled.
    let loan = runtime.lend_view(view);
    let done = run_entries(policy, runtime, view, &mut args, options, out);
    drop(loan);
    *view_value = std::mem::take(&mut args[0]);
    match done {
        Ok(()) => Ok(()),
        // The time budget that stopped the script was the caller's, not the policy's.
        Err(Error::Limit { .. })
            if options
                .deadline
                .is_some_and(|deadline| Instant::now() >= deadline) =>
        {
            Err(Box::new(deadline_passed("while the policy's scripts ran")))
        }
        Err(error) => Err(Box::new(error)),
    }
}

/// The error of a record stopped, or never started, because the caller's deadline
/// ([`EvaluateOptions::deadline`]) passed.
fn deadline_passed(when: &str) -> Error {
    Error::Limit {
        record: RecordRef::default(),
        function: "evaluate".to_string(),
        location: SourceLocation {
            file: "(the caller's deadline)".to_string(),
            ..SourceLocation::default()
        },
        message: format!("the caller's deadline passed {when}"),
    }
}

fn run_entries(
    policy: &Policy,
    runtime: &ScriptRuntime,
    view: &CustomerView,
    args: &mut [Dynamic; 2],
    options: &EvaluateOptions,
    out: &mut Evaluation,
) -> Result<()> {
    let customer = view.customer();
    let manifest = policy.manifest();
    let mut trace: Option<Vec<TraceEntry>> = options.explain.then(Vec::new);
    // The trace's texts are only built when explaining (a macro, not a closure: without
    // a trace, recording is one test of `trace`).
    macro_rules! record {
        ($entry:expr, $what:expr) => {
            if let Some(trace) = trace.as_mut() {
                push_trace(trace, policy, view, $entry, $what);
            }
        };
    }

    score(
        runtime,
        &mut args[..1],
        &manifest.score,
        options,
        &mut out.score,
    )?;
    let score = &out.score;
    record!(&SCORE, || {
        let message = format!(
            "the weighted score is {:.2} from {} indicators",
            score.total,
            score.parts.len()
        );
        (None, message)
    });

    args[1] = Dynamic::from_float(out.score.total);
    let decision: Decision = call_for(runtime, &GRADE, args, options.tier)?;
    let grade = &mut out.grade;
    write_change(
        &GRADE,
        customer.grade.as_deref(),
        &decision,
        ChangeFields {
            from: &mut grade.from,
            to: &mut grade.to,
            changed: &mut grade.changed,
            reason: &mut grade.reason,
            rule: &mut grade.rule,
        },
    )?;
    record!(&GRADE, || (Some(grade.rule.clone()), grade.reason.clone()));
    // The new grade as the script gave it (a grade of the scale: `set_grade` checks), for
    // the later entries' argument.
    let new_grade = decision.to;

    let decision: Decision = call_for(runtime, &STAGE, &mut args[..1], options.tier)?;
    let stage = &mut out.stage;
    write_change(
        &STAGE,
        customer.stage.as_deref(),
        &decision,
        ChangeFields {
            from: &mut stage.from,
            to: &mut stage.to,
            changed: &mut stage.changed,
            reason: &mut stage.reason,
            rule: &mut stage.rule,
        },
    )?;
    note_skipped_stages(
        &manifest.stages.pipeline,
        customer.stage.as_deref(),
        &stage.to,
        &mut stage.reason,
    );
    record!(&STAGE, || (Some(stage.rule.clone()), stage.reason.clone()));

    args[1] = match new_grade {
        Some(grade) => Dynamic::from(grade),
        None => runtime.grade_value(&out.grade.to),
    };
    let cadence: CadenceDecision = call_for(runtime, &VISITS, args, options.tier)?;
    let due = due_dates(
        view.facts(),
        cadence.calls_per_week,
        cadence.visits_per_month,
    );
    record!(&VISITS, || {
        (
            Some(rule(&VISITS, cadence.line)),
            cadence.reason.to_string(),
        )
    });
    let visits = &mut out.visits;
    visits.calls_per_week = cadence.calls_per_week;
    visits.visits_per_month = cadence.visits_per_month;
    visits.next_call_due = due.next_call_due;
    visits.next_visit_due = due.next_visit_due;
    visits.overdue = due.overdue;
    visits.days_overdue = due.days_overdue;
    set_text(&mut visits.reason, &cadence.reason);
    write_rule(&mut visits.rule, &VISITS, cadence.line);

    if !runtime.has(&ACTIONS) {
        out.actions.clear();
    } else {
        actions(runtime, args, options.tier, &mut out.actions)?;
        let count = out.actions.len();
        record!(&ACTIONS, || (None, format!("{count} action(s)")));
        // One entry per action, so that each names its rule and clause.
        for action in &out.actions {
            record!(&ACTIONS, || {
                let message = format!("{} due {}: {}", action.kind, action.due, action.reason);
                (Some(action.rule.clone()), message)
            });
        }
    }

    if !out.labels.is_empty() {
        out.labels.clear();
    }
    if runtime.has(&LABELS) {
        labels(runtime, args, options.tier, &mut out.labels)?;
        let labels = &out.labels;
        record!(&LABELS, || {
            let shown: Vec<String> = labels.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            (None, format!("labels: {}", shown.join(", ")))
        });
    }

    set_text(&mut out.customer_id, &customer.id);
    out.as_of = view.facts().as_of;
    if out.policy != *policy.stamp() {
        out.policy.clone_from(policy.stamp());
    }
    clone_option_from(&mut out.portfolio, &view.facts().portfolio);
    if out.trace.is_some() || trace.is_some() {
        out.trace = trace;
    }
    Ok(())
}

/// Adds the trace entry of a call of `entry`; `what` gives its rule and message.
fn push_trace(
    trace: &mut Vec<TraceEntry>,
    policy: &Policy,
    view: &CustomerView,
    entry: &Entry,
    what: impl FnOnce() -> (Option<String>, String),
) {
    let (rule, message) = what();
    let clause = rule.as_deref().and_then(|r| clause_of(policy, r));
    trace.push(TraceEntry {
        function: entry.qualified(),
        rule,
        facts: view.take_reads(),
        params: policy.param_reads(&entry.qualified()).to_vec(),
        message,
        clause,
    });
}

/// The handbook clause a policy cites for the rule at `rule` (`file:line`).
fn clause_of(policy: &Policy, rule: &str) -> Option<TraceClause> {
    policy.citation_at(rule).map(|c| TraceClause {
        id: c.id.clone(),
        handbook: c.handbook.clone(),
        quote: c.quote.clone(),
    })
}

fn rule(entry: &Entry, line: usize) -> String {
    let mut rule = String::new();
    write_rule(&mut rule, entry, line);
    rule
}

fn score(
    runtime: &ScriptRuntime,
    args: &mut [Dynamic],
    precision: &ScoreSection,
    options: &EvaluateOptions,
    out: &mut Score,
) -> Result<()> {
    let value = match runtime.call(&SCORE, args, options.tier)? {
        // The parts of an array literal, handed over unboxed by the fast tier.
        Returned::Decided(Decided::Parts(parts)) => {
            write_parts(parts, precision, &mut out.parts);
            let raw_total = out.parts.iter().fold(0.0, |total, p| total + p.points);
            return total_of(raw_total, "array", precision, out);
        }
        returned => returned.into_dynamic(),
    };
    out.parts.clear();
    let expected = "an array of `part(...)` values or a number";
    let (raw_total, returned) = if let Ok(total) = value.as_float() {
        // The names rhai's `type_name` gives them, without asking it for each evaluation.
        (total, std::any::type_name::<rhai::FLOAT>())
    } else if let Ok(total) = value.as_int() {
        (total as f64, std::any::type_name::<rhai::INT>())
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
            out.parts.push(part);
        }
        // A fold from +0.0: `sum()` of no parts would be -0.0, shown as "-0.00".
        (
            out.parts.iter().fold(0.0, |total, p| total + p.points),
            "array",
        )
    } else {
        return Err(wrong_type(&SCORE, expected, value.type_name()));
    };
    total_of(raw_total, returned, precision, out)
}

/// Makes `out` the `parts` (points rounded to `precision`), written into the parts it held
/// (reusing their indicators' allocations) as far as they go.
fn write_parts(parts: Vec<MadePart>, precision: &ScoreSection, out: &mut Vec<ScorePart>) {
    let count = parts.len();
    // Room for all of them at once (a fresh result would grow 0 → 4 → 8 for five).
    out.reserve(count.saturating_sub(out.len()));
    for (i, part) in parts.into_iter().enumerate() {
        let points = precision.round(part.points);
        match out.get_mut(i) {
            Some(into) => {
                // Every field named, so that a field added to `ScorePart` must be written here.
                let ScorePart {
                    indicator,
                    weight,
                    standard,
                    actual,
                    points: rounded,
                } = into;
                set_text(indicator, part.indicator.as_str());
                *weight = part.weight;
                *standard = part.standard;
                *actual = part.actual;
                *rounded = points;
            }
            None => {
                let mut part = part.into_score_part();
                part.points = points;
                out.push(part);
            }
        }
    }
    out.truncate(count);
}

/// Sets the score's total from the sum of its parts (or the number `score` returned); an
/// error if it is not finite (`returned` names what `score` returned).
fn total_of(
    raw_total: f64,
    returned: &str,
    precision: &ScoreSection,
    out: &mut Score,
) -> Result<()> {
    if !raw_total.is_finite() {
        return Err(wrong_type(&SCORE, "a finite score", returned));
    }
    out.total = precision.round(raw_total.clamp(0.0, 100.0));
    Ok(())
}

fn call_for<T: FromDecided>(
    runtime: &ScriptRuntime,
    entry: &Entry,
    args: &mut [Dynamic],
    tier: Tier,
) -> Result<T> {
    let value = match runtime.call(entry, args, tier)? {
        Returned::Decided(decided) => match T::from_decided(decided) {
            Ok(result) => return Ok(result),
            Err(other) => other.into_dynamic(),
        },
        returned => returned.into_dynamic(),
    };
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

/// A decision type an entry function must return, taken from a [`Decided`] as it is.
trait FromDecided: Clone + 'static + Sized {
    /// The decision, or `decided` back when it is of another type.
    fn from_decided(decided: Decided) -> std::result::Result<Self, Decided>;
}

impl FromDecided for Decision {
    fn from_decided(decided: Decided) -> std::result::Result<Self, Decided> {
        match decided {
            Decided::Decision(decision) => Ok(decision),
            other => Err(other),
        }
    }
}

impl FromDecided for CadenceDecision {
    fn from_decided(decided: Decided) -> std::result::Result<Self, Decided> {
        match decided {
            Decided::Cadence(cadence) => Ok(cadence),
            other => Err(other),
        }
    }
}

/// `args`: the view and the grade; `out` becomes the actions, written into the actions it
/// held (reusing their strings' allocations) as far as they go.
fn actions(
    runtime: &ScriptRuntime,
    args: &mut [Dynamic],
    tier: Tier,
    out: &mut Vec<Action>,
) -> Result<()> {
    let array = match runtime.call(&ACTIONS, args, tier)? {
        // Made by the fast tier, handed over unboxed.
        Returned::Actions(actions) => {
            let count = actions.len();
            for (i, action) in actions.into_iter().enumerate() {
                write_action(action, i, out);
            }
            out.truncate(count);
            return Ok(());
        }
        returned => returned.into_dynamic(),
    };
    let expected = "an array of `action(kind, due, reason)` values";
    let array = array
        .into_array()
        .map_err(|got| wrong_type(&ACTIONS, expected, got))?;
    let count = array.len();
    out.reserve(count.saturating_sub(out.len()));
    for (i, item) in array.into_iter().enumerate() {
        let got = item.type_name();
        let action = item
            .try_cast::<Action>()
            .ok_or_else(|| wrong_type(&ACTIONS, expected, got))?;
        write_action(action, i, out);
    }
    out.truncate(count);
    Ok(())
}

/// Makes `action` the `i`th of `out`: written into the one there (reusing its strings), or
/// pushed.
fn write_action(mut action: Action, i: usize, out: &mut Vec<Action>) {
    let line = action.line;
    // `rule` says where it was made now; results compare equal to their JSON round trip.
    action.line = 0;
    match out.get_mut(i) {
        Some(into) => {
            // Every field named, so that a field added to `Action` must be written here.
            let Action {
                kind,
                due,
                reason,
                rule: _,
                line: _,
            } = &action;
            set_text(&mut into.kind, kind);
            into.due = *due;
            set_text(&mut into.reason, reason);
            write_rule(&mut into.rule, &ACTIONS, line);
            into.line = 0;
        }
        None => {
            write_rule(&mut action.rule, &ACTIONS, line);
            out.push(action);
        }
    }
}

/// `args`: the view and the grade; the labels (those not `()`) are added to `out`.
fn labels(
    runtime: &ScriptRuntime,
    args: &mut [Dynamic],
    tier: Tier,
    out: &mut BTreeMap<String, String>,
) -> Result<()> {
    let value = match runtime.call(&LABELS, args, tier)? {
        // Made by the fast tier: its values written as text as rhai's would be.
        Returned::Map(map) => {
            out.extend(map.texts().filter_map(|(name, text)| Some((name, text?))));
            return Ok(());
        }
        returned => returned.into_dynamic(),
    };
    let expected = "an object map of labels, e.g. `#{ follow_up: \"long_term\" }`";
    let got = value.type_name();
    let map = value
        .try_cast::<rhai::Map>()
        .ok_or_else(|| wrong_type(&LABELS, expected, got))?;
    out.extend(
        map.into_iter()
            .filter(|(_, v)| !v.is_unit())
            .map(|(k, v)| (k.to_string(), label_text(&v))),
    );
    Ok(())
}

/// The fields of a [`GradeChange`](crate::model::GradeChange) or
/// [`StageChange`](crate::model::StageChange), which have the same shape.
struct ChangeFields<'a> {
    from: &'a mut Option<String>,
    to: &'a mut String,
    changed: &'a mut bool,
    reason: &'a mut String,
    rule: &'a mut String,
}

/// Writes a grade or stage `decision` on a record whose current one is `from`.
fn write_change(
    entry: &Entry,
    from: Option<&str>,
    decision: &Decision,
    out: ChangeFields<'_>,
) -> Result<()> {
    let to = target(entry, from, decision.to.as_deref(), decision.line)?;
    *out.changed = from != Some(to);
    set_optional_text(out.from, from);
    set_text(out.to, to);
    set_text(out.reason, &decision.reason);
    write_rule(out.rule, entry, decision.line);
    Ok(())
}

/// The grade or stage a decision leads to: its target, or the record's own for a `keep_…`
/// (an error for a record that has none).
fn target<'a>(
    entry: &Entry,
    from: Option<&'a str>,
    to: Option<&'a str>,
    line: usize,
) -> Result<&'a str> {
    let what = if entry.function == "grade" {
        "grade"
    } else {
        "stage"
    };
    to.or(from).ok_or_else(|| Error::Script {
        record: RecordRef::default(),
        function: entry.function.to_string(),
        location: SourceLocation {
            file: entry.file.to_string(),
            line,
            column: 0,
        },
        message: format!(
            "the record has no {what} yet, so `keep_{what}` cannot keep one; give a new record an initial {what} with `set_{what}`"
        ),
    })
}

/// A stage decision that moves more than one step forward says which stages it skips.
fn note_skipped_stages(pipeline: &Ladder, from: Option<&str>, to: &str, reason: &mut String) {
    if let (Some(from_rank), Some(to_rank)) =
        (from.and_then(|f| pipeline.rank(f)), pipeline.rank(to))
    {
        if to_rank > from_rank + 1 {
            let skipped: Vec<&str> = (from_rank + 1..to_rank)
                .filter_map(|r| pipeline.at(r))
                .collect();
            reason.push_str(&format!(" (skipping {})", skipped.join(", ")));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::{Engine, EvaluateOptions, Evaluation};
    use crate::model::{parse_customers, parse_date};
    use crate::script::CustomerView;

    /// The view lent to the fast tier for an evaluation is given back when it ends, so
    /// the next evaluation refills it rather than copying the record into a new one: after
    /// each evaluation of the shipped examples, with and without a trace, nothing but the
    /// thread's spare holds the view.
    #[test]
    fn the_view_lent_for_an_evaluation_is_given_back() {
        let engine = Engine::with_default_policy().unwrap();
        let as_of = parse_date("2026-11-23").unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(root.join("examples/customers.json")).unwrap();
        let customers = parse_customers(&text).unwrap();
        let mut out = Evaluation::default();
        let mut evaluated = 0;
        for options in [EvaluateOptions::default(), EvaluateOptions::explained()] {
            for customer in customers.iter().filter_map(|r| r.result.as_ref().ok()) {
                if engine
                    .evaluate_with(customer, as_of, &options, &mut out)
                    .is_ok()
                {
                    evaluated += 1;
                }
                assert!(CustomerView::spare_is_free(), "{:?}", customer.id);
            }
        }
        assert!(evaluated > 10);
        let counts = engine.tier_counts();
        assert!(counts.fast > 0, "the fast tier ran: {counts:?}");
    }
}
