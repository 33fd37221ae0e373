//! patron's functions (and rhai's `min`/`max`) as the fast tier calls them: resolved once by
//! name and number of arguments when a script is lowered, from the same table
//! (`functions::FUNCTIONS`) rhai's registrations are made from, so both tiers run the same
//! Rust code. A call whose arguments have other types than every overload declares, or that
//! fails, bails, so that rhai reports it.

use std::rc::Rc;

use rhai::INT;

use super::ops::bail;
use super::value::Value;
use super::{Decided, Flow, Outcome};
use crate::script::api::Vocabulary;
use crate::script::decisions::MadePart;
use crate::script::functions::{overloads, Args, Failure, Produced, ScriptFunction};

/// A native function: its arguments and the script line of the call.
pub(crate) type Native = Rc<dyn Fn(&mut [Value], usize) -> Outcome>;

/// Numbers as rhai's `min`/`max` take them: two integers stay an integer, otherwise floats.
enum Pair {
    Ints(INT, INT),
    Floats(f64, f64),
}

fn pair(a: &Value, b: &Value) -> Result<Pair, Flow> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return Ok(Pair::Ints(*x, *y));
    }
    match (a.as_number(), b.as_number()) {
        (Some(x), Some(y)) => Ok(Pair::Floats(x, y)),
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
                Produced::Decided(decided) => Value::Dyn(decided.into_dynamic()),
                Produced::Part(part) => Value::from(part.into_score_part()),
            })
        }));
    }
    let native: Native = match (name, arity) {
        // rhai's `min`/`max` (LogicPackage): `<=` / `>=` pick the first on a tie.
        ("min", 2) => Rc::new(|a, _| {
            Ok(match pair(&a[0], &a[1])? {
                Pair::Ints(x, y) => Value::Int(if x <= y { x } else { y }),
                Pair::Floats(x, y) => Value::Float(if x <= y { x } else { y }),
            })
        }),
        ("max", 2) => Rc::new(|a, _| {
            Ok(match pair(&a[0], &a[1])? {
                Pair::Ints(x, y) => Value::Int(if x >= y { x } else { y }),
                Pair::Floats(x, y) => Value::Float(if x >= y { x } else { y }),
            })
        }),
        _ => return None,
    };
    Some(native)
}
