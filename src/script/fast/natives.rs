//! patron's functions (and rhai's `min`/`max`) as the fast tier calls them: resolved once by
//! name and number of arguments when a script is lowered, from the same table
//! (`functions::FUNCTIONS`) rhai's registrations are made from, so both tiers run the same
//! Rust code. A call whose arguments have other types than every overload declares, or that
//! fails, bails, so that rhai reports it.

use std::rc::Rc;

use super::ops::bail;
use super::value::{Num, Record, Value};
use super::{Decided, Flow, Outcome};
use crate::script::api::Vocabulary;
use crate::script::decisions::MadePart;
use crate::script::functions::{overloads, Args, Failure, Produced, ScriptFunction};

/// A native function: its arguments and the script line of the call.
pub(crate) type Native = Rc<dyn Fn(&mut [Value], usize) -> Outcome>;

/// rhai's `min` (LogicPackage): two integers stay an integer, otherwise floats; `<=` picks
/// the first on a tie.
#[inline]
pub(crate) fn min(a: Num, b: Num) -> Num {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => Num::Int(if x <= y { x } else { y }),
        (a, b) => {
            let (x, y) = (a.float(), b.float());
            Num::Float(if x <= y { x } else { y })
        }
    }
}

/// rhai's `max`, as [`min`]: `>=` picks the first on a tie.
#[inline]
pub(crate) fn max(a: Num, b: Num) -> Num {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => Num::Int(if x >= y { x } else { y }),
        (a, b) => {
            let (x, y) = (a.float(), b.float());
            Num::Float(if x >= y { x } else { y })
        }
    }
}

/// patron's `clamp(x, low, high)` (`functions::FUNCTIONS`): three floats or three integers;
/// `None` for mixed types, which no overload takes.
#[inline]
pub(crate) fn clamp(x: Num, low: Num, high: Num) -> Option<Num> {
    match (x, low, high) {
        (Num::Float(x), Num::Float(low), Num::Float(high)) => {
            Some(Num::Float(x.max(low).min(high)))
        }
        (Num::Int(x), Num::Int(low), Num::Int(high)) => Some(Num::Int(x.max(low).min(high))),
        _ => None,
    }
}

/// The two arguments of `min`/`max` as numbers.
fn numbers(args: &[Value]) -> Result<(Num, Num), Flow> {
    match (args[0].number(), args[1].number()) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => bail(),
    }
}

/// The vocabulary natives check names against (the policy's grades and stages, and
/// `limits.max_string_size` for `join`).
pub(crate) type Ladders = Rc<Vocabulary>;

/// Runs the first of `overloads` that accepts the types of `args` (each function checks the
/// types its table entry declares as it reads its arguments, and answers
/// [`Failure::WrongType`] otherwise, as rhai's dispatch would pass it over); bails when none
/// does or the function fails.
fn run(
    overloads: &[&'static ScriptFunction],
    vocabulary: &Vocabulary,
    args: &[Value],
    line: usize,
) -> Result<Produced, Flow> {
    for function in overloads {
        match (function.run)(vocabulary, Args::Fast(args), line) {
            Ok(returned) => return Ok(returned),
            Err(Failure::WrongType) => continue,
            Err(_) => return bail(),
        }
    }
    bail()
}

/// The value of a call of the pure function `name` ([`ScriptFunction::pure`]) with the
/// constant arguments `args`, made while lowering by the same code a call at run time runs;
/// `None` when it is not pure or fails (the call is then made at run time, where it bails
/// and rhai reports the error).
pub(crate) fn fold(name: &str, args: &[Value], vocabulary: &Vocabulary) -> Option<Value> {
    let found: Vec<_> = overloads(name, args.len()).collect();
    if found.is_empty() || !found.iter().all(|f| f.pure) {
        return None;
    }
    match run(&found, vocabulary, args, 0) {
        Ok(Produced::Value(value))
            if !matches!(value, Value::Dyn(_) | Value::View | Value::Table(_)) =>
        {
            Some(value)
        }
        _ => None,
    }
}

/// A native that makes a grade or stage decision or a cadence.
pub(crate) type DecisionNative = Rc<dyn Fn(&mut [Value], usize) -> Result<Decided, Flow>>;

/// The decision-making native `name` taking `arity` arguments: `set_grade`, `set_stage`,
/// `keep_grade`, `keep_stage`, `cadence`.
pub(crate) fn resolve_decision(
    name: &str,
    arity: usize,
    ladders: &Ladders,
) -> Option<DecisionNative> {
    let found: Vec<_> = overloads(name, arity).collect();
    if found.is_empty() || !found.iter().all(|f| f.decides) {
        return None;
    }
    let vocabulary = ladders.clone();
    Some(Rc::new(move |args, line| {
        match run(&found, &vocabulary, args, line)? {
            Produced::Decided(decided) => Ok(decided),
            Produced::Value(_) | Produced::Part(_) => bail(),
        }
    }))
}

/// A native that makes a score part, unboxed.
pub(crate) type PartNative = Rc<dyn Fn(&mut [Value], usize) -> Result<MadePart, Flow>>;

/// The native `name` taking `arity` arguments when it makes score parts (`part`,
/// `part_lower`): the part is handed over as it is, not boxed into a value.
pub(crate) fn resolve_part(name: &str, arity: usize, ladders: &Ladders) -> Option<PartNative> {
    let found: Vec<_> = overloads(name, arity).collect();
    if !matches!(name, "part" | "part_lower") || found.is_empty() {
        return None;
    }
    let vocabulary = ladders.clone();
    Some(Rc::new(move |args, line| {
        match run(&found, &vocabulary, args, line)? {
            Produced::Part(part) => Ok(part),
            Produced::Value(_) | Produced::Decided(_) => bail(),
        }
    }))
}

/// The native function `name` taking `arity` arguments, if the fast tier has it.
pub(crate) fn resolve(name: &str, arity: usize, ladders: &Ladders) -> Option<Native> {
    let found: Vec<_> = overloads(name, arity).collect();
    if !found.is_empty() {
        let vocabulary = ladders.clone();
        return Some(Rc::new(move |args, line| {
            run(&found, &vocabulary, args, line).map(|produced| match produced {
                Produced::Value(value) => value,
                Produced::Decided(decided) => Value::dynamic(decided.into_dynamic()),
                Produced::Part(part) => Value::record(Record::Part(part)),
            })
        }));
    }
    let native: Native = match (name, arity) {
        // rhai's `min`/`max` (LogicPackage).
        ("min", 2) => Rc::new(|a, _| numbers(a).map(|(a, b)| min(a, b).into())),
        ("max", 2) => Rc::new(|a, _| numbers(a).map(|(a, b)| max(a, b).into())),
        _ => return None,
    };
    Some(native)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `clamp` on numbers ([`clamp`], used by lowered arithmetic) gives what the native
    /// run from `functions::FUNCTIONS` gives, for every triple of sample numbers.
    #[test]
    fn clamp_on_numbers_agrees_with_the_native() {
        let ladders = Rc::new(Vocabulary::new(
            crate::model::Ladder::new(["A"]),
            crate::model::Ladder::new(["lead"]),
            1000,
        ));
        let native = resolve("clamp", 3, &ladders).expect("clamp is a native");
        let numbers = [
            Num::Int(-3),
            Num::Int(0),
            Num::Int(10),
            Num::Float(-0.5),
            Num::Float(2.5),
            Num::Float(f64::NAN),
        ];
        for x in numbers {
            for low in numbers {
                for high in numbers {
                    let mut args = [Value::from(x), Value::from(low), Value::from(high)];
                    let generic = match native(&mut args, 0) {
                        Ok(value) => format!("{value:?}"),
                        Err(_) => "bail".to_string(),
                    };
                    let direct = clamp(x, low, high)
                        .map_or_else(|| "bail".to_string(), |n| format!("{:?}", Value::from(n)));
                    assert_eq!(direct, generic, "clamp({x:?}, {low:?}, {high:?})");
                }
            }
        }
    }
}
