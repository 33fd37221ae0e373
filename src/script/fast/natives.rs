//! patron's functions (and rhai's `min`/`max`) as the fast tier calls them: resolved once by
//! name and number of arguments when a script is lowered, running the same Rust code as
//! their rhai registrations in `api`. A call whose arguments have other types than the
//! registration accepts bails, so that rhai reports it.

use std::rc::Rc;

use rhai::{Dynamic, ImmutableString, INT};

use super::ops::{as_number, bail};
use super::{Decided, Flow, Outcome};
use crate::model::{parse_date, Date, Ladder};
use crate::script::api;

/// A native function: its arguments and the script line of the call.
pub(crate) type Native = Rc<dyn Fn(&mut [Dynamic], usize) -> Outcome>;

fn text(value: &Dynamic) -> Result<rhai::DynamicReadLock<'_, ImmutableString>, Flow> {
    value.read_lock::<ImmutableString>().ok_or(Flow::Bail)
}

fn date(value: &Dynamic) -> Result<Date, Flow> {
    value.read_lock::<Date>().map(|d| *d).ok_or(Flow::Bail)
}

fn int(value: &Dynamic) -> Result<INT, Flow> {
    value.as_int().or_else(|_| bail())
}

fn checked<T: rhai::Variant + Clone>(result: Result<T, String>) -> Outcome {
    result.map(Dynamic::from).or_else(|_| bail())
}

/// Numbers as rhai's `min`/`max` take them: two integers stay an integer, otherwise floats.
enum Pair {
    Ints(INT, INT),
    Floats(f64, f64),
}

fn pair(a: &Dynamic, b: &Dynamic) -> Result<Pair, Flow> {
    if a.is_int() && b.is_int() {
        if let (Ok(x), Ok(y)) = (a.as_int(), b.as_int()) {
            return Ok(Pair::Ints(x, y));
        }
    }
    match (as_number(a), as_number(b)) {
        (Some(x), Some(y)) => Ok(Pair::Floats(x, y)),
        _ => bail(),
    }
}

/// The vocabulary natives check names against.
pub(crate) struct Ladders {
    pub(crate) grades: Rc<Ladder>,
    pub(crate) stages: Rc<Ladder>,
    /// `limits.max_string_size`, for `join`.
    pub(crate) max_string_size: usize,
}

/// A native that makes a grade or stage decision or a cadence.
pub(crate) type DecisionNative = Rc<dyn Fn(&mut [Dynamic], usize) -> Result<Decided, Flow>>;

/// The decision-making native `name` taking `arity` arguments: `set_grade`, `set_stage`,
/// `keep_grade`, `keep_stage`, `cadence`.
pub(crate) fn resolve_decision(
    name: &str,
    arity: usize,
    ladders: &Ladders,
) -> Option<DecisionNative> {
    let grades = ladders.grades.clone();
    let stages = ladders.stages.clone();
    let native: DecisionNative = match (name, arity) {
        ("set_grade" | "set_stage", 2) => {
            let (ladder, what) = if name == "set_grade" {
                (grades, "grade")
            } else {
                (stages, "stage")
            };
            Rc::new(move |a, line| {
                api::decision_to(&ladder, what, &*text(&a[0])?, &*text(&a[1])?, line)
                    .map(Decided::Decision)
                    .map_err(|_| Flow::Bail)
            })
        }
        ("keep_grade" | "keep_stage", 1) => {
            Rc::new(|a, line| Ok(Decided::Decision(api::keep(&*text(&a[0])?, line))))
        }
        ("cadence", 3) => Rc::new(|a, line| {
            api::cadence_of(&a[0], &a[1], &*text(&a[2])?, line)
                .map(Decided::Cadence)
                .map_err(|_| Flow::Bail)
        }),
        _ => return None,
    };
    Some(native)
}

/// The native function `name` taking `arity` arguments, if the fast tier has it.
pub(crate) fn resolve(name: &str, arity: usize, ladders: &Ladders) -> Option<Native> {
    if let Some(decide) = resolve_decision(name, arity, ladders) {
        return Some(Rc::new(move |a, line| {
            decide(a, line).map(Decided::into_dynamic)
        }));
    }
    let grades = ladders.grades.clone();
    let stages = ladders.stages.clone();
    let native: Native = match (name, arity) {
        ("part" | "part_lower", 4) => {
            let higher = name == "part";
            Rc::new(move |a, _| checked(api::part_of(&text(&a[0])?, &a[1], &a[2], &a[3], higher)))
        }
        ("action", 3) => Rc::new(|a, line| {
            Ok(Dynamic::from(api::action_of(
                &text(&a[0])?,
                date(&a[1])?,
                &text(&a[2])?,
                line,
            )))
        }),
        ("grade_up" | "grade_down", 1) => {
            let steps = if name == "grade_up" { -1 } else { 1 };
            Rc::new(move |a, _| checked(api::ladder_step(&grades, "grade", &text(&a[0])?, steps)))
        }
        ("grade_rank", 1) => {
            Rc::new(move |a, _| checked(api::ladder_rank(&grades, "grade", &text(&a[0])?)))
        }
        ("stage_rank", 1) => {
            Rc::new(move |a, _| checked(api::ladder_rank(&stages, "stage", &text(&a[0])?)))
        }
        ("stage_at", 1) => Rc::new(move |a, _| checked(api::stage_at(&stages, int(&a[0])?))),
        ("money", 1) => Rc::new(|a, _| {
            if let Ok(x) = a[0].as_float() {
                return Ok(Dynamic::from(api::money_float(x)));
            }
            Ok(Dynamic::from(api::money_int(int(&a[0])?)))
        }),
        ("clamp", 3) => Rc::new(|a, _| {
            if let (Ok(x), Ok(lo), Ok(hi)) = (a[0].as_float(), a[1].as_float(), a[2].as_float()) {
                return Ok(Dynamic::from_float(x.max(lo).min(hi)));
            }
            let (x, lo, hi) = (int(&a[0])?, int(&a[1])?, int(&a[2])?);
            Ok(Dynamic::from_int(x.max(lo).min(hi)))
        }),
        // rhai's `min`/`max` (LogicPackage): `<=` / `>=` pick the first on a tie.
        ("min", 2) => Rc::new(|a, _| {
            Ok(match pair(&a[0], &a[1])? {
                Pair::Ints(x, y) => Dynamic::from_int(if x <= y { x } else { y }),
                Pair::Floats(x, y) => Dynamic::from_float(if x <= y { x } else { y }),
            })
        }),
        ("max", 2) => Rc::new(|a, _| {
            Ok(match pair(&a[0], &a[1])? {
                Pair::Ints(x, y) => Dynamic::from_int(if x >= y { x } else { y }),
                Pair::Floats(x, y) => Dynamic::from_float(if x >= y { x } else { y }),
            })
        }),
        ("join", 2) => {
            let max_string = ladders.max_string_size;
            Rc::new(move |a, _| {
                let (Some(items), sep) = (a[0].read_lock::<rhai::Array>(), text(&a[1])?) else {
                    return bail();
                };
                let joined = api::join(&items, &sep, max_string).ok_or(Flow::Bail)?;
                Ok(Dynamic::from(joined))
            })
        }
        ("date", 1) => Rc::new(|a, _| checked(parse_date(&text(&a[0])?))),
        ("add_days", 2) => Rc::new(|a, _| checked(api::shift_date(date(&a[0])?, int(&a[1])?))),
        ("days_between", 2) => {
            Rc::new(|a, _| Ok(Dynamic::from_int((date(&a[1])? - date(&a[0])?).num_days())))
        }
        _ => return None,
    };
    Some(native)
}
