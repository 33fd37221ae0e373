//! The API registered on every policy's rhai engine: the customer type `c` and its facts,
//! dates, `params`, score parts, grade and stage decisions, cadence, actions and helpers.
//!
//! Nothing registered here reads files, the network, the environment or the clock: an
//! evaluation is a pure function of the customer, the policy and `as_of`.

use std::rc::Rc;

use rhai::packages::{
    BasicArrayPackage, BasicMapPackage, BasicMathPackage, CorePackage, LogicPackage,
    MoreStringPackage, Package,
};
use rhai::{Dynamic, EvalAltResult, ImmutableString, NativeCallContext, INT};

use super::decisions::{score_part, CadenceDecision, Decision, Indicator, MadePart};
use super::fast::{Record, Value};
use super::functions::{Args, Failure, FUNCTIONS};
use super::params::ParamTable;
use super::view::{find_attribute, json_to_dynamic, CustomerView, TextField};
use crate::model::{
    Action, Date, GradeScale, Ladder, PortfolioFacts, ReceivableFact, ScorePart, StagePipeline,
};

type ScriptResult<T> = Result<T, Box<EvalAltResult>>;

/// A runtime error raised by an API function, positioned at the script call.
fn fail<T>(ctx: &NativeCallContext, message: String) -> ScriptResult<T> {
    Err(EvalAltResult::ErrorRuntime(message.into(), ctx.call_position()).into())
}

/// A number argument of a function: the number (integers and floats are both accepted), or
/// the type name of the value given instead.
pub(crate) type NumberArg = Result<f64, &'static str>;

/// A script value as a [`NumberArg`].
pub(crate) fn number_arg(value: &Dynamic) -> NumberArg {
    if value.is_float() {
        if let Ok(f) = value.as_float() {
            return Ok(f);
        }
    }
    if value.is_int() {
        if let Ok(i) = value.as_int() {
            return Ok(i as f64);
        }
    }
    Err(value.type_name())
}

/// The number of `value`, or the error naming `what` when it is not one.
#[inline]
fn number(what: &str, value: NumberArg) -> Result<f64, String> {
    number_or(value, || what.to_string())
}

/// [`number`], naming the value only when it is not a number.
#[inline]
fn number_or(value: NumberArg, what: impl FnOnce() -> String) -> Result<f64, String> {
    value.map_err(|type_name| format!("{} must be a number, not {type_name}", what()))
}

/// A plain error message as a script error at the call's position.
fn positioned<T>(ctx: &NativeCallContext, result: Result<T, String>) -> ScriptResult<T> {
    result.or_else(|message| fail(ctx, message))
}

fn line_of(ctx: &NativeCallContext) -> usize {
    ctx.call_position().line().unwrap_or(0)
}

/// The scale and pipeline the decision helpers check names against.
pub(crate) struct Vocabulary {
    pub(crate) grades: Rc<GradeScale>,
    pub(crate) stages: Rc<StagePipeline>,
    /// The grades as script strings, made once, so that `grade_up(…)` / `grade_down(…)`
    /// hand out a shared string rather than a new one.
    pub(crate) grade_names: Vec<ImmutableString>,
    /// `limits.max_string_size`, which helpers that build strings enforce as they go.
    pub(crate) max_string_size: usize,
}

impl Vocabulary {
    /// The vocabulary of a policy's `grades` and `stages`.
    pub(crate) fn new(grades: GradeScale, stages: StagePipeline, max_string_size: usize) -> Self {
        Vocabulary {
            grade_names: grades
                .names()
                .iter()
                .map(|name| ImmutableString::from(name.as_str()))
                .collect(),
            grades: Rc::new(grades),
            stages: Rc::new(stages),
            max_string_size,
        }
    }
}

/// A rhai engine with the standard packages scripts may use (no clock, no I/O) and the
/// project's API.
pub(crate) fn new_engine(vocabulary: &Rc<Vocabulary>, params: &toml::Table) -> rhai::Engine {
    let mut engine = rhai::Engine::new_raw();
    for package in [
        CorePackage::new().as_shared_module(),
        LogicPackage::new().as_shared_module(),
        BasicMathPackage::new().as_shared_module(),
        BasicArrayPackage::new().as_shared_module(),
        BasicMapPackage::new().as_shared_module(),
        MoreStringPackage::new().as_shared_module(),
    ] {
        engine.register_global_module(package);
    }
    engine.set_optimization_level(rhai::OptimizationLevel::Simple);
    engine.set_fail_on_invalid_map_property(true);
    engine.disable_symbol("eval");
    engine.on_print(|_| {});
    engine.on_debug(|_, _, _| {});

    register_params(&mut engine, params);
    register_dates(&mut engine);
    register_customer(&mut engine);
    register_results(&mut engine);
    register_functions(&mut engine, vocabulary);
    engine
}

fn register_params(engine: &mut rhai::Engine, params: &toml::Table) {
    let root = Dynamic::from(ParamTable::from_toml(params));
    engine
        .register_type_with_name::<ParamTable>("Params")
        .register_indexer_get(|table: &mut ParamTable, key: &str| table.get(key))
        .register_fn("contains", |table: &mut ParamTable, key: &str| {
            table.contains(key)
        })
        .register_fn("keys", |table: &mut ParamTable| table.keys());
    #[allow(deprecated)] // `on_var` is marked volatile, not deprecated.
    engine.on_var(move |name, _, _| {
        Ok(if name == "params" {
            Some(root.clone())
        } else {
            None
        })
    });
}

/// `d + days` for scripts: an error, not a panic, past the ends of the calendar.
pub(crate) fn shift_date(d: Date, days: INT) -> Result<Date, String> {
    crate::model::add_days(d, days)
        .ok_or_else(|| format!("{d} + {days} days is outside the calendar"))
}

fn shift(ctx: &NativeCallContext, d: Date, days: INT) -> ScriptResult<Date> {
    positioned(ctx, shift_date(d, days))
}

fn register_dates(engine: &mut rhai::Engine) {
    engine
        .register_type_with_name::<Date>("Date")
        .register_fn("to_string", |d: &mut Date| d.to_string())
        .register_fn("to_debug", |d: &mut Date| d.to_string())
        .register_fn("==", |a: Date, b: Date| a == b)
        .register_fn("!=", |a: Date, b: Date| a != b)
        .register_fn("<", |a: Date, b: Date| a < b)
        .register_fn("<=", |a: Date, b: Date| a <= b)
        .register_fn(">", |a: Date, b: Date| a > b)
        .register_fn(">=", |a: Date, b: Date| a >= b)
        .register_fn("+", |ctx: NativeCallContext, d: Date, days: INT| {
            shift(&ctx, d, days)
        })
        .register_fn("-", |ctx: NativeCallContext, d: Date, days: INT| {
            shift(&ctx, d, days.checked_neg().unwrap_or(INT::MAX))
        })
        .register_fn("-", |a: Date, b: Date| crate::model::days_between(b, a));
    register_fields(engine, DATE_FIELDS);
    engine.register_type_with_name::<ReceivableFact>("Receivable");
    register_fields(engine, RECEIVABLE_FIELDS);
}

/// A read-only property of a registered type: its name in scripts and how to read it.
pub(crate) type Field<T> = (&'static str, fn(&T) -> Value);

/// The properties of a date: `d.year`, `d.month`, `d.day`, `d.weekday` (Monday is 1).
pub(crate) const DATE_FIELDS: &[Field<Date>] = &[
    ("year", |d| Value::Int(chrono::Datelike::year(d) as INT)),
    ("month", |d| Value::Int(chrono::Datelike::month(d) as INT)),
    ("day", |d| Value::Int(chrono::Datelike::day(d) as INT)),
    ("weekday", |d| {
        Value::Int(chrono::Datelike::weekday(d).number_from_monday() as INT)
    }),
];

/// The properties of an unpaid receivable in `c.receivables`.
pub(crate) const RECEIVABLE_FIELDS: &[Field<ReceivableFact>] = &[
    ("due", |r| Value::from(r.due)),
    ("amount", |r| Value::from(r.amount)),
    ("days_to_due", |r| Value::from(r.days_to_due)),
];

/// The properties of a score part, as `part(...)` returns it: `p.points`, `p.indicator`.
pub(crate) const SCORE_PART_FIELDS: &[Field<ScorePart>] = &[
    ("points", |p| Value::Float(p.points)),
    ("indicator", |p| {
        Value::Str(ImmutableString::from(p.indicator.as_str()))
    }),
];

/// [`SCORE_PART_FIELDS`] of a score part the fast tier holds as `part(...)` made it (its
/// indicator still the script's string).
pub(crate) const MADE_PART_FIELDS: &[Field<MadePart>] = &[
    ("points", |p| Value::Float(p.points)),
    ("indicator", |p| match &p.indicator {
        Indicator::Shared(name) => Value::Str(name.clone()),
        Indicator::Owned(name) => Value::Str(ImmutableString::from(name.as_str())),
    }),
];

/// The properties of `c.portfolio` (besides the method `owner_count(grade)`).
pub(crate) const PORTFOLIO_FIELDS: &[Field<PortfolioFacts>] = &[
    ("size", |p| Value::from(p.size)),
    ("revenue_rank", |p| Value::from(p.revenue_rank)),
    ("revenue_share", |p| Value::from(p.revenue_share)),
    ("revenue_cum_share", |p| Value::from(p.revenue_cum_share)),
    ("collected_rank", |p| Value::opt_int(p.collected_rank)),
    ("collected_share", |p| Value::opt_float(p.collected_share)),
    ("collected_cum_share", |p| {
        Value::opt_float(p.collected_cum_share)
    }),
    ("recency_quintile", |p| Value::from(p.recency_quintile)),
    ("frequency_quintile", |p| Value::from(p.frequency_quintile)),
    ("monetary_quintile", |p| Value::from(p.monetary_quintile)),
    ("owner_customers", |p| Value::from(p.owner_customers)),
];

fn register_fields<T: rhai::Variant + Clone>(engine: &mut rhai::Engine, fields: &[Field<T>]) {
    for &(name, read) in fields {
        engine.register_get(name, move |value: &mut T| read(value).into_dynamic());
    }
}

/// A read-only fact of `c`: its name in scripts and how to read it from the view.
pub(crate) type FactGetter = (&'static str, fn(&CustomerView) -> Value);

/// Every fact of `c` a script can read as a property (`c.revenue_365`), besides
/// `portfolio` and `has_portfolio`. Reading one records it when explaining.
pub(crate) const CUSTOMER_FACTS: &[FactGetter] = &[
    ("id", |v| {
        Value::Str(ImmutableString::from(v.customer().id.as_str()))
    }),
    ("name", |v| Value::opt_str(v.customer().name.as_deref())),
    ("owner", |v| Value::opt_str(v.customer().owner.as_deref())),
    ("grade", |v| v.text(TextField::Grade)),
    ("stage", |v| v.text(TextField::Stage)),
    ("region", |v| v.text(TextField::Region)),
    ("grade_since", |v| Value::opt_date(v.customer().grade_since)),
    ("has_prospect", |v| {
        Value::Bool(v.customer().prospect.is_some())
    }),
    ("prospect_money", |v| {
        Value::opt_bool(v.customer().prospect.as_ref().and_then(|p| p.money))
    }),
    ("prospect_authority", |v| {
        Value::opt_bool(v.customer().prospect.as_ref().and_then(|p| p.authority))
    }),
    ("prospect_need", |v| {
        Value::opt_bool(v.customer().prospect.as_ref().and_then(|p| p.need))
    }),
    ("prospect_intent", |v| v.text(TextField::Intent)),
    ("expected_purchase_at", |v| {
        Value::opt_date(
            v.customer()
                .prospect
                .as_ref()
                .and_then(|p| p.expected_purchase_at),
        )
    }),
    ("objections", |v| {
        Value::array(
            v.customer()
                .prospect
                .iter()
                .flat_map(|p| p.objections.iter())
                .map(|o| Value::Str(ImmutableString::from(o.as_str())))
                .collect(),
        )
    }),
    ("as_of", |v| Value::Date(v.facts().as_of)),
    ("revenue_365", |v| Value::Float(v.facts().revenue_365)),
    ("revenue_total", |v| Value::Float(v.facts().revenue_total)),
    ("collected_365", |v| Value::Float(v.facts().collected_365)),
    ("purchases_365", |v| Value::Int(v.facts().purchases_365)),
    ("purchase_count", |v| Value::Int(v.facts().purchase_count)),
    ("first_purchase_at", |v| {
        Value::opt_date(v.facts().first_purchase_at)
    }),
    ("last_purchase_at", |v| {
        Value::opt_date(v.facts().last_purchase_at)
    }),
    ("days_since_purchase", |v| {
        Value::opt_int(v.facts().days_since_purchase)
    }),
    ("last_call_at", |v| Value::opt_date(v.facts().last_call_at)),
    ("days_since_call", |v| {
        Value::opt_int(v.facts().days_since_call)
    }),
    ("last_visit_at", |v| {
        Value::opt_date(v.facts().last_visit_at)
    }),
    ("days_since_visit", |v| {
        Value::opt_int(v.facts().days_since_visit)
    }),
    ("last_contact_at", |v| {
        Value::opt_date(v.facts().last_contact_at)
    }),
    ("days_since_contact", |v| {
        Value::opt_int(v.facts().days_since_contact)
    }),
    ("first_contact_at", |v| {
        Value::opt_date(v.facts().first_contact.as_ref().map(|(at, _)| *at))
    }),
    ("first_contact_kind", |v| {
        Value::opt_str(
            v.facts()
                .first_contact
                .as_ref()
                .map(|(_, kind)| kind.as_str()),
        )
    }),
    ("calls_90", |v| Value::Int(v.facts().calls_90)),
    ("visits_90", |v| Value::Int(v.facts().visits_90)),
    ("interactions_90", |v| Value::Int(v.facts().interactions_90)),
    ("visit_count", |v| Value::Int(v.facts().visit_count)),
    ("formally_visited", |v| {
        Value::Bool(v.facts().visit_count > 0)
    }),
    ("first_quote_at", |v| {
        Value::opt_date(v.facts().first_quote_at)
    }),
    ("contract_signed_at", |v| {
        Value::opt_date(v.facts().contract_signed_at)
    }),
    ("has_contract", |v| {
        Value::Bool(v.facts().contract_signed_at.is_some())
    }),
    ("repeat_purchase_at", |v| {
        Value::opt_date(v.facts().repeat_purchase_at)
    }),
    ("repeat_purchase_since_grade", |v| {
        Value::Bool(v.facts().repeat_purchase_at.is_some())
    }),
    ("repeat_purchases_since_grade", |v| {
        Value::Int(v.facts().repeat_purchases_since_grade)
    }),
    ("days_in_grade", |v| Value::opt_int(v.facts().days_in_grade)),
    ("unpaid_total", |v| Value::Float(v.facts().unpaid_total)),
    ("overdue_total", |v| Value::Float(v.facts().overdue_total)),
    ("overdue_count", |v| Value::Int(v.facts().overdue_count)),
    ("receivables", |v| {
        Value::array(
            v.facts()
                .receivables
                .iter()
                .map(|r| Value::record(Record::Receivable(r.clone())))
                .collect(),
        )
    }),
    ("open_complaints", |v| Value::Int(v.facts().open_complaints)),
    ("complaints_365", |v| Value::Int(v.facts().complaints_365)),
];

fn register_customer(engine: &mut rhai::Engine) {
    engine.register_type_with_name::<CustomerView>("Customer");
    for &(name, read) in CUSTOMER_FACTS {
        engine.register_get(name, move |view: &mut CustomerView| -> Dynamic {
            view.note(name);
            read(view).into_dynamic()
        });
    }
    engine
        .register_get("has_portfolio", |view: &mut CustomerView| {
            view.note("portfolio");
            view.facts().portfolio.is_some()
        })
        .register_get(
            "portfolio",
            |view: &mut CustomerView| -> ScriptResult<PortfolioFacts> {
                view.note("portfolio");
                view.facts().portfolio.clone().ok_or_else(|| {
                    EvalAltResult::ErrorRuntime(
                        "this policy needs portfolio facts (c.portfolio), which a single customer does not have: \
                         evaluate the customers as one batch, or pass last night's facts in the record's `portfolio` field"
                            .into(),
                        rhai::Position::NONE,
                    )
                    .into()
                })
            },
        );
    engine
        .register_type_with_name::<PortfolioFacts>("Portfolio")
        .register_fn("owner_count", |p: &mut PortfolioFacts, grade: &str| {
            owner_count(p, grade)
        });
    register_fields(engine, PORTFOLIO_FIELDS);
    engine
        .register_fn("attr", |view: &mut CustomerView, name: &str| {
            attr(view, name)
        })
        .register_fn("has_attr", |view: &mut CustomerView, name: &str| {
            has_attr(view, name)
        });
}

/// `c.attr(name)`: a record attribute, `()` when absent.
pub(crate) fn attr(view: &CustomerView, name: &str) -> Dynamic {
    attribute(view, name).map_or(Dynamic::UNIT, json_to_dynamic)
}

/// The attribute `name` of the record, if it has one, noted as read (what `c.attr(name)`
/// converts).
pub(crate) fn attribute<'v>(view: &'v CustomerView, name: &str) -> Option<&'v serde_json::Value> {
    view.note("attributes");
    let attributes = view.attributes();
    find_attribute(attributes, name).map(|at| &attributes[at].1)
}

/// [`attribute`] at one site of a script, which remembers in `hint` where it found the
/// name (see [`CustomerView::attribute_at`]).
#[inline]
pub(crate) fn attribute_hinted<'v>(
    view: &'v CustomerView,
    name: &str,
    hint: &std::cell::Cell<usize>,
) -> Option<&'v serde_json::Value> {
    view.note("attributes");
    view.attribute_at(name, hint)
}

/// `c.has_attr(name)`.
pub(crate) fn has_attr(view: &CustomerView, name: &str) -> bool {
    view.note("attributes");
    find_attribute(view.attributes(), name).is_some()
}

/// `c.portfolio.owner_count(grade)`: the owner's customers of that grade.
pub(crate) fn owner_count(p: &PortfolioFacts, grade: &str) -> INT {
    p.owner_grade_counts.get(grade).copied().unwrap_or(0)
}

fn register_results(engine: &mut rhai::Engine) {
    engine.register_type_with_name::<ScorePart>("ScorePart");
    register_fields(engine, SCORE_PART_FIELDS);

    engine.register_type_with_name::<Decision>("Decision");

    engine
        .register_type_with_name::<CadenceDecision>("Cadence")
        .register_get("calls_per_week", |c: &mut CadenceDecision| c.calls_per_week)
        .register_get("visits_per_month", |c: &mut CadenceDecision| {
            c.visits_per_month
        });

    engine
        .register_type_with_name::<Action>("Action")
        .register_get("kind", |a: &mut Action| a.kind.clone())
        .register_get("due", |a: &mut Action| a.due);
}

/// `part(name, weight, standard, actual)` (or `part_lower`): the checked score part.
pub(crate) fn part_of(
    name: &ImmutableString,
    weight: NumberArg,
    standard: NumberArg,
    actual: NumberArg,
    higher_is_better: bool,
) -> Result<MadePart, String> {
    let weight = number_or(weight, || format!("the weight of `{name}`"))?;
    let standard = number_or(standard, || format!("the standard of `{name}`"))?;
    let actual = number_or(actual, || format!("the actual value of `{name}`"))?;
    if !weight.is_finite() || weight < 0.0 {
        return Err(format!("the weight of `{name}` must be ≥ 0, not {weight}"));
    }
    if !standard.is_finite() || !actual.is_finite() {
        return Err(format!("indicator `{name}` needs finite numbers"));
    }
    Ok(score_part(name, weight, standard, actual, higher_is_better))
}

/// `set_grade(to, reason)` / `set_stage(to, reason)`: `to` must be on the ladder.
pub(crate) fn decision_to(
    ladder: &Ladder,
    what: &str,
    to: &ImmutableString,
    reason: &ImmutableString,
    line: usize,
) -> Result<Decision, String> {
    if !ladder.contains(to) {
        return Err(unknown(what, to, ladder.names()));
    }
    Ok(Decision {
        to: Some(to.clone()),
        reason: reason.clone(),
        line,
    })
}

/// `keep_grade(reason)` / `keep_stage(reason)`.
pub(crate) fn keep(reason: &ImmutableString, line: usize) -> Decision {
    Decision {
        to: None,
        reason: reason.clone(),
        line,
    }
}

/// `cadence(calls, visits, reason)`: both numbers finite and ≥ 0.
pub(crate) fn cadence_of(
    calls: NumberArg,
    visits: NumberArg,
    reason: &ImmutableString,
    line: usize,
) -> Result<CadenceDecision, String> {
    let calls_per_week = number("calls per week", calls)?;
    let visits_per_month = number("visits per month", visits)?;
    rate("calls per week", calls_per_week)?;
    rate("visits per month", visits_per_month)?;
    Ok(CadenceDecision {
        calls_per_week,
        visits_per_month,
        reason: reason.clone(),
        line,
    })
}

/// `value` as a rate (calls per week, visits per month): finite and ≥ 0.
#[inline]
fn rate(what: &str, value: f64) -> Result<(), String> {
    if !value.is_finite() || value < 0.0 {
        return Err(format!("{what} must be a finite number ≥ 0, not {value}"));
    }
    Ok(())
}

/// `action(kind, due, reason)` called at `line`.
pub(crate) fn action_of(kind: &str, due: Date, reason: &str, line: usize) -> Action {
    Action {
        kind: kind.to_string(),
        due,
        reason: reason.to_string(),
        rule: String::new(),
        line,
    }
}

/// `grade_up(g)` / `grade_down(g)` (and the like for stages): one step on the ladder.
/// `shared` holds the ladder's names as script strings (or nothing): the one found is
/// shared rather than copied.
pub(crate) fn ladder_step(
    ladder: &Ladder,
    shared: &[ImmutableString],
    what: &str,
    name: &str,
    steps: i64,
) -> Result<ImmutableString, String> {
    ladder
        .step(name, steps)
        .map(|to| match shared.iter().find(|n| n.as_str() == to) {
            Some(shared) => shared.clone(),
            None => ImmutableString::from(to),
        })
        .ok_or_else(|| unknown(what, name, ladder.names()))
}

/// `grade_rank(g)` / `stage_rank(s)`: the position on the ladder.
pub(crate) fn ladder_rank(ladder: &Ladder, what: &str, name: &str) -> Result<INT, String> {
    ladder
        .rank(name)
        .map(|rank| rank as INT)
        .ok_or_else(|| unknown(what, name, ladder.names()))
}

/// `stage_at(rank)`: the stage at a position of the pipeline.
pub(crate) fn stage_at(stages: &Ladder, rank: INT) -> Result<ImmutableString, String> {
    usize::try_from(rank)
        .ok()
        .and_then(|r| stages.at(r))
        .map(ImmutableString::from)
        .ok_or_else(|| format!("there is no stage number {rank}"))
}

/// `money(x)`: two decimals.
pub(crate) fn money_float(x: f64) -> String {
    format!("{x:.2}")
}

/// `money(x)` for an integer amount.
pub(crate) fn money_int(x: INT) -> String {
    format!("{x}.00")
}

fn unknown(what: &str, name: &str, known: &[String]) -> String {
    format!(
        "unknown {what} `{name}`; the policy's {what}s are: {}",
        known.join(", ")
    )
}

/// Registers every function of [`FUNCTIONS`] with the parameter types it declares; an error
/// it returns is raised at the call's position.
fn register_functions(engine: &mut rhai::Engine, vocabulary: &Rc<Vocabulary>) {
    for function in FUNCTIONS {
        let vocabulary = vocabulary.clone();
        let run = function.run;
        let types: Vec<std::any::TypeId> = function.params.iter().map(|p| p.type_id()).collect();
        engine.register_raw_fn(
            function.name,
            types,
            move |ctx: NativeCallContext, args: &mut [&mut Dynamic]| -> ScriptResult<Dynamic> {
                let line = line_of(&ctx);
                match run(&vocabulary, Args::Refs(args), line) {
                    Ok(returned) => Ok(returned.into_dynamic()),
                    Err(Failure::Message(message)) => fail(&ctx, message),
                    Err(Failure::TooLarge(what)) => Err(EvalAltResult::ErrorDataTooLarge(
                        what.into(),
                        ctx.call_position(),
                    )
                    .into()),
                    Err(Failure::WrongType) => fail(
                        &ctx,
                        "internal error: an argument of the wrong type".to_string(),
                    ),
                }
            },
        );
    }
}

/// `join(items, separator)`; `None` past `max_string` bytes (0: no limit).
pub(crate) fn join(items: &[Dynamic], sep: &str, max_string: usize) -> Option<String> {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(&item.to_string());
        if max_string > 0 && out.len() > max_string {
            return None;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{parse_date, Customer, Facts};
    use crate::script::view::FEW_ATTRIBUTES;
    use std::cell::Cell;

    /// `attribute`, `has_attr` and a site's hinted look-up find every name, and miss a name
    /// the record lacks, whether the record has a few attributes (walked in order) or many
    /// (searched): the hints are kept from record to record, so they also point at the
    /// wrong place or past the end.
    #[test]
    fn attributes_are_found_among_few_and_many() {
        let hints: Vec<Cell<usize>> = (0..41).map(|_| Cell::new(0)).collect();
        for count in [0, 1, FEW_ATTRIBUTES, FEW_ATTRIBUTES + 1, 40, 3, 0, 13] {
            let mut customer = Customer::default();
            for i in 0..count {
                customer
                    .attributes
                    .insert(format!("k{i}"), serde_json::json!(i));
            }
            let facts = Facts::derive(&customer, parse_date("2026-11-23").expect("a date"));
            // Each view refills the one before (recycled), copying over its attributes.
            let (view, value) = CustomerView::new(&customer, facts, false);
            for i in 0..count {
                let name = format!("k{i}");
                let expected = Some(serde_json::json!(i));
                assert_eq!(
                    attribute(&view, &name),
                    expected.as_ref(),
                    "{name} of {count}"
                );
                // From the back, so that each site's hint is another name's place first.
                let hint = &hints[40 - i];
                let hinted = attribute_hinted(&view, &name, hint);
                assert_eq!(hinted, expected.as_ref(), "{name} of {count}, hinted");
                assert!(has_attr(&view, &name));
            }
            for missing in ["k".to_string(), format!("k{count}")] {
                assert_eq!(attribute(&view, &missing), None, "{missing} of {count}");
                assert_eq!(attribute_hinted(&view, &missing, &hints[0]), None);
                assert!(!has_attr(&view, &missing));
            }
            drop(view);
            CustomerView::recycle(value);
        }
    }
}
