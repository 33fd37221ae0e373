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
use rhai::{Array, Dynamic, EvalAltResult, ImmutableString, NativeCallContext, INT};

use super::decisions::{score_part, CadenceDecision, Decision};
use super::params::ParamTable;
use super::view::{json_to_dynamic, opt_bool, opt_date, opt_int, opt_str, CustomerView};
use crate::model::{
    parse_date, Action, Date, GradeScale, PortfolioFacts, ReceivableFact, ScorePart, StagePipeline,
};

type ScriptResult<T> = Result<T, Box<EvalAltResult>>;

/// A runtime error raised by an API function, positioned at the script call.
fn fail<T>(ctx: &NativeCallContext, message: String) -> ScriptResult<T> {
    Err(EvalAltResult::ErrorRuntime(message.into(), ctx.call_position()).into())
}

/// A number from a script value: integers and floats are both accepted.
fn number(ctx: &NativeCallContext, what: &str, value: &Dynamic) -> ScriptResult<f64> {
    if let Ok(f) = value.as_float() {
        return Ok(f);
    }
    if let Ok(i) = value.as_int() {
        return Ok(i as f64);
    }
    fail(
        ctx,
        format!("{what} must be a number, not {}", value.type_name()),
    )
}

fn line_of(ctx: &NativeCallContext) -> usize {
    ctx.call_position().line().unwrap_or(0)
}

/// The scale and pipeline the decision helpers check names against.
pub(crate) struct Vocabulary {
    pub(crate) grades: Rc<GradeScale>,
    pub(crate) stages: Rc<StagePipeline>,
    /// `limits.max_string_size`, which helpers that build strings enforce as they go.
    pub(crate) max_string_size: usize,
}

/// A rhai engine with the standard packages scripts may use (no clock, no I/O) and the
/// project's API.
pub(crate) fn new_engine(vocabulary: &Vocabulary, params: &toml::Table) -> rhai::Engine {
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
    register_results(&mut engine, vocabulary);
    register_helpers(&mut engine, vocabulary);
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
fn shift(ctx: &NativeCallContext, d: Date, days: INT) -> ScriptResult<Date> {
    match crate::model::add_days(d, days) {
        Some(date) => Ok(date),
        None => fail(ctx, format!("{d} + {days} days is outside the calendar")),
    }
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
        .register_fn("-", |a: Date, b: Date| (a - b).num_days())
        .register_fn("add_days", |ctx: NativeCallContext, d: Date, days: INT| {
            shift(&ctx, d, days)
        })
        .register_fn("days_between", |from: Date, to: Date| {
            (to - from).num_days()
        })
        .register_fn(
            "date",
            |ctx: NativeCallContext, text: &str| -> ScriptResult<Date> {
                parse_date(text).or_else(|e| fail(&ctx, e))
            },
        )
        .register_get("year", |d: &mut Date| chrono::Datelike::year(d) as INT)
        .register_get("month", |d: &mut Date| chrono::Datelike::month(d) as INT)
        .register_get("day", |d: &mut Date| chrono::Datelike::day(d) as INT)
        .register_get("weekday", |d: &mut Date| {
            chrono::Datelike::weekday(d).number_from_monday() as INT
        });

    engine
        .register_type_with_name::<ReceivableFact>("Receivable")
        .register_get("due", |r: &mut ReceivableFact| r.due)
        .register_get("amount", |r: &mut ReceivableFact| r.amount)
        .register_get("days_to_due", |r: &mut ReceivableFact| r.days_to_due);
}

/// Registers a read-only property of `c` that records itself when explaining.
macro_rules! facts {
    ($engine:ident; $( $name:literal => |$view:ident| $body:expr ),* $(,)?) => {
        $(
            $engine.register_get($name, |$view: &mut CustomerView| -> Dynamic {
                $view.note($name);
                $body
            });
        )*
    };
}

fn register_customer(engine: &mut rhai::Engine) {
    engine.register_type_with_name::<CustomerView>("Customer");
    facts! { engine;
        "id" => |v| Dynamic::from(ImmutableString::from(v.customer().id.as_str())),
        "name" => |v| opt_str(v.customer().name.as_deref()),
        "owner" => |v| opt_str(v.customer().owner.as_deref()),
        "grade" => |v| opt_str(v.customer().grade.as_deref()),
        "stage" => |v| opt_str(v.customer().stage.as_deref()),
        "region" => |v| opt_str(v.customer().region.as_deref()),
        "grade_since" => |v| opt_date(v.customer().grade_since),
        "has_prospect" => |v| Dynamic::from_bool(v.customer().prospect.is_some()),
        "prospect_money" => |v| opt_bool(v.customer().prospect.as_ref().and_then(|p| p.money)),
        "prospect_authority" => |v| opt_bool(v.customer().prospect.as_ref().and_then(|p| p.authority)),
        "prospect_need" => |v| opt_bool(v.customer().prospect.as_ref().and_then(|p| p.need)),
        "prospect_intent" => |v| opt_str(v.customer().prospect.as_ref().and_then(|p| p.intent.as_deref())),
        "expected_purchase_at" => |v| opt_date(v.customer().prospect.as_ref().and_then(|p| p.expected_purchase_at)),
        "objections" => |v| Dynamic::from_array(
            v.customer().prospect.iter()
                .flat_map(|p| p.objections.iter())
                .map(|o| Dynamic::from(ImmutableString::from(o.as_str())))
                .collect()),
        "as_of" => |v| Dynamic::from(v.facts().as_of),
        "revenue_365" => |v| Dynamic::from_float(v.facts().revenue_365),
        "revenue_total" => |v| Dynamic::from_float(v.facts().revenue_total),
        "purchases_365" => |v| Dynamic::from_int(v.facts().purchases_365),
        "purchase_count" => |v| Dynamic::from_int(v.facts().purchase_count),
        "first_purchase_at" => |v| opt_date(v.facts().first_purchase_at),
        "last_purchase_at" => |v| opt_date(v.facts().last_purchase_at),
        "days_since_purchase" => |v| opt_int(v.facts().days_since_purchase),
        "last_call_at" => |v| opt_date(v.facts().last_call_at),
        "days_since_call" => |v| opt_int(v.facts().days_since_call),
        "last_visit_at" => |v| opt_date(v.facts().last_visit_at),
        "days_since_visit" => |v| opt_int(v.facts().days_since_visit),
        "last_contact_at" => |v| opt_date(v.facts().last_contact_at),
        "days_since_contact" => |v| opt_int(v.facts().days_since_contact),
        "first_contact_at" => |v| opt_date(v.facts().first_contact.as_ref().map(|(at, _)| *at)),
        "first_contact_kind" => |v| opt_str(v.facts().first_contact.as_ref().map(|(_, kind)| kind.as_str())),
        "calls_90" => |v| Dynamic::from_int(v.facts().calls_90),
        "visits_90" => |v| Dynamic::from_int(v.facts().visits_90),
        "interactions_90" => |v| Dynamic::from_int(v.facts().interactions_90),
        "visit_count" => |v| Dynamic::from_int(v.facts().visit_count),
        "formally_visited" => |v| Dynamic::from_bool(v.facts().visit_count > 0),
        "first_quote_at" => |v| opt_date(v.facts().first_quote_at),
        "contract_signed_at" => |v| opt_date(v.facts().contract_signed_at),
        "has_contract" => |v| Dynamic::from_bool(v.facts().contract_signed_at.is_some()),
        "repeat_purchase_at" => |v| opt_date(v.facts().repeat_purchase_at),
        "repeat_purchase_since_grade" => |v| Dynamic::from_bool(v.facts().repeat_purchase_at.is_some()),
        "repeat_purchases_since_grade" => |v| Dynamic::from_int(v.facts().repeat_purchases_since_grade),
        "days_in_grade" => |v| opt_int(v.facts().days_in_grade),
        "unpaid_total" => |v| Dynamic::from_float(v.facts().unpaid_total),
        "overdue_total" => |v| Dynamic::from_float(v.facts().overdue_total),
        "overdue_count" => |v| Dynamic::from_int(v.facts().overdue_count),
        "receivables" => |v| Dynamic::from_array(
            v.facts().receivables.iter().cloned().map(Dynamic::from).collect()),
        "open_complaints" => |v| Dynamic::from_int(v.facts().open_complaints),
        "complaints_365" => |v| Dynamic::from_int(v.facts().complaints_365),
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
        .register_get("size", |p: &mut PortfolioFacts| p.size)
        .register_get("revenue_rank", |p: &mut PortfolioFacts| p.revenue_rank)
        .register_get("revenue_share", |p: &mut PortfolioFacts| p.revenue_share)
        .register_get("revenue_cum_share", |p: &mut PortfolioFacts| {
            p.revenue_cum_share
        })
        .register_get("recency_quintile", |p: &mut PortfolioFacts| {
            p.recency_quintile
        })
        .register_get("frequency_quintile", |p: &mut PortfolioFacts| {
            p.frequency_quintile
        })
        .register_get("monetary_quintile", |p: &mut PortfolioFacts| {
            p.monetary_quintile
        })
        .register_get("owner_customers", |p: &mut PortfolioFacts| {
            p.owner_customers
        })
        .register_fn("owner_count", |p: &mut PortfolioFacts, grade: &str| {
            p.owner_grade_counts.get(grade).copied().unwrap_or(0)
        });
    engine
        .register_fn("attr", |view: &mut CustomerView, name: &str| {
            view.note("attributes");
            view.customer()
                .attributes
                .get(name)
                .map_or(Dynamic::UNIT, json_to_dynamic)
        })
        .register_fn("has_attr", |view: &mut CustomerView, name: &str| {
            view.note("attributes");
            view.customer().attributes.contains_key(name)
        });
}

fn register_results(engine: &mut rhai::Engine, vocabulary: &Vocabulary) {
    engine
        .register_type_with_name::<ScorePart>("ScorePart")
        .register_get("points", |p: &mut ScorePart| p.points)
        .register_get("indicator", |p: &mut ScorePart| p.indicator.clone())
        .register_fn(
            "part",
            |ctx: NativeCallContext,
             name: &str,
             weight: Dynamic,
             standard: Dynamic,
             actual: Dynamic| {
                make_part(&ctx, name, &weight, &standard, &actual, true)
            },
        )
        .register_fn(
            "part_lower",
            |ctx: NativeCallContext,
             name: &str,
             weight: Dynamic,
             standard: Dynamic,
             actual: Dynamic| {
                make_part(&ctx, name, &weight, &standard, &actual, false)
            },
        );

    let grades = vocabulary.grades.clone();
    let stages = vocabulary.stages.clone();
    engine
        .register_type_with_name::<Decision>("Decision")
        .register_fn(
            "set_grade",
            move |ctx: NativeCallContext, to: &str, reason: &str| -> ScriptResult<Decision> {
                if !grades.contains(to) {
                    return fail(&ctx, unknown("grade", to, grades.names()));
                }
                Ok(Decision {
                    to: Some(to.to_string()),
                    reason: reason.to_string(),
                    line: line_of(&ctx),
                })
            },
        )
        .register_fn(
            "set_stage",
            move |ctx: NativeCallContext, to: &str, reason: &str| -> ScriptResult<Decision> {
                if !stages.contains(to) {
                    return fail(&ctx, unknown("stage", to, stages.names()));
                }
                Ok(Decision {
                    to: Some(to.to_string()),
                    reason: reason.to_string(),
                    line: line_of(&ctx),
                })
            },
        )
        .register_fn("keep_grade", |ctx: NativeCallContext, reason: &str| {
            Decision {
                to: None,
                reason: reason.to_string(),
                line: line_of(&ctx),
            }
        })
        .register_fn("keep_stage", |ctx: NativeCallContext, reason: &str| {
            Decision {
                to: None,
                reason: reason.to_string(),
                line: line_of(&ctx),
            }
        });

    engine
        .register_type_with_name::<CadenceDecision>("Cadence")
        .register_fn(
            "cadence",
            |ctx: NativeCallContext,
             calls: Dynamic,
             visits: Dynamic,
             reason: &str|
             -> ScriptResult<CadenceDecision> {
                let calls_per_week = number(&ctx, "calls per week", &calls)?;
                let visits_per_month = number(&ctx, "visits per month", &visits)?;
                for (what, value) in [
                    ("calls per week", calls_per_week),
                    ("visits per month", visits_per_month),
                ] {
                    if !value.is_finite() || value < 0.0 {
                        return fail(
                            &ctx,
                            format!("{what} must be a finite number ≥ 0, not {value}"),
                        );
                    }
                }
                Ok(CadenceDecision {
                    calls_per_week,
                    visits_per_month,
                    reason: reason.to_string(),
                    line: line_of(&ctx),
                })
            },
        )
        .register_get("calls_per_week", |c: &mut CadenceDecision| c.calls_per_week)
        .register_get("visits_per_month", |c: &mut CadenceDecision| {
            c.visits_per_month
        });

    engine
        .register_type_with_name::<Action>("Action")
        .register_fn("action", |kind: &str, due: Date, reason: &str| Action {
            kind: kind.to_string(),
            due,
            reason: reason.to_string(),
        })
        .register_get("kind", |a: &mut Action| a.kind.clone())
        .register_get("due", |a: &mut Action| a.due);
}

fn make_part(
    ctx: &NativeCallContext,
    name: &str,
    weight: &Dynamic,
    standard: &Dynamic,
    actual: &Dynamic,
    higher_is_better: bool,
) -> ScriptResult<ScorePart> {
    let weight = number(ctx, &format!("the weight of `{name}`"), weight)?;
    let standard = number(ctx, &format!("the standard of `{name}`"), standard)?;
    let actual = number(ctx, &format!("the actual value of `{name}`"), actual)?;
    if !weight.is_finite() || weight < 0.0 {
        return fail(
            ctx,
            format!("the weight of `{name}` must be ≥ 0, not {weight}"),
        );
    }
    if !standard.is_finite() || !actual.is_finite() {
        return fail(ctx, format!("indicator `{name}` needs finite numbers"));
    }
    Ok(score_part(name, weight, standard, actual, higher_is_better))
}

fn unknown(what: &str, name: &str, known: &[String]) -> String {
    format!(
        "unknown {what} `{name}`; the policy's {what}s are: {}",
        known.join(", ")
    )
}

fn register_helpers(engine: &mut rhai::Engine, vocabulary: &Vocabulary) {
    let max_string = vocabulary.max_string_size;
    let grades = vocabulary.grades.clone();
    let grades_down = vocabulary.grades.clone();
    let grade_rank = vocabulary.grades.clone();
    let stage_rank = vocabulary.stages.clone();
    let stage_at = vocabulary.stages.clone();
    engine
        .register_fn(
            "grade_up",
            move |ctx: NativeCallContext, g: &str| -> ScriptResult<ImmutableString> {
                match grades.step(g, -1) {
                    Some(up) => Ok(up.into()),
                    None => fail(&ctx, unknown("grade", g, grades.names())),
                }
            },
        )
        .register_fn(
            "grade_down",
            move |ctx: NativeCallContext, g: &str| -> ScriptResult<ImmutableString> {
                match grades_down.step(g, 1) {
                    Some(down) => Ok(down.into()),
                    None => fail(&ctx, unknown("grade", g, grades_down.names())),
                }
            },
        )
        .register_fn(
            "grade_rank",
            move |ctx: NativeCallContext, g: &str| -> ScriptResult<INT> {
                match grade_rank.rank(g) {
                    Some(rank) => Ok(rank as INT),
                    None => fail(&ctx, unknown("grade", g, grade_rank.names())),
                }
            },
        )
        .register_fn(
            "stage_rank",
            move |ctx: NativeCallContext, s: &str| -> ScriptResult<INT> {
                match stage_rank.rank(s) {
                    Some(rank) => Ok(rank as INT),
                    None => fail(&ctx, unknown("stage", s, stage_rank.names())),
                }
            },
        )
        .register_fn(
            "stage_at",
            move |ctx: NativeCallContext, rank: INT| -> ScriptResult<ImmutableString> {
                match usize::try_from(rank).ok().and_then(|r| stage_at.at(r)) {
                    Some(stage) => Ok(stage.into()),
                    None => fail(&ctx, format!("there is no stage number {rank}")),
                }
            },
        )
        .register_fn("clamp", |x: f64, lo: f64, hi: f64| x.max(lo).min(hi))
        .register_fn("clamp", |x: INT, lo: INT, hi: INT| x.max(lo).min(hi))
        .register_fn("money", |x: f64| format!("{x:.2}"))
        .register_fn("money", |x: INT| format!("{x}.00"))
        .register_fn(
            "join",
            move |ctx: NativeCallContext, items: Array, sep: &str| -> ScriptResult<String> {
                let mut out = String::new();
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(sep);
                    }
                    out.push_str(&item.to_string());
                    if max_string > 0 && out.len() > max_string {
                        return Err(EvalAltResult::ErrorDataTooLarge(
                            "Length of string".into(),
                            ctx.call_position(),
                        )
                        .into());
                    }
                }
                Ok(out)
            },
        );
}
