//! The table of patron's script functions: name, parameter types and the one Rust function
//! that computes each. rhai's registrations (`api::new_engine`) and the fast tier's natives
//! (`fast::natives`) are both made from [`FUNCTIONS`], so adding a function is one entry here
//! and the two tiers cannot drift apart. (Methods and properties of patron's types —
//! `c.attr(…)`, `p.owner_count(…)`, `d.year` … — and the date operators are registered in
//! `api` and read by the fast tier's `ops`.)

use std::any::TypeId;
use std::borrow::Cow;

use rhai::{Array, Dynamic, DynamicReadLock, ImmutableString, INT};

use super::api::{self, Vocabulary};
use super::decisions::{Decided, MadePart};
use super::fast::Value;
use crate::model::{parse_date, Date};

/// The type of one parameter, as rhai matches a call against the registration. Each
/// function reads its arguments as the types its entry declares and answers
/// [`Failure::WrongType`] for any other, so the fast tier, which calls without rhai's
/// dispatch, tries the overloads in order as rhai would pick one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Param {
    /// A string.
    Text,
    /// An integer.
    Int,
    /// A float (an integer does not match).
    Float,
    /// A date.
    Date,
    /// An array.
    Array,
    /// Any value: the function checks it itself.
    Any,
}

impl Param {
    /// The type rhai's registration declares.
    pub(crate) fn type_id(self) -> TypeId {
        match self {
            Param::Text => TypeId::of::<ImmutableString>(),
            Param::Int => TypeId::of::<INT>(),
            Param::Float => TypeId::of::<f64>(),
            Param::Date => TypeId::of::<Date>(),
            Param::Array => TypeId::of::<Array>(),
            Param::Any => TypeId::of::<Dynamic>(),
        }
    }
}

/// The arguments of a call: the fast tier's values, or rhai's references to them.
#[derive(Clone, Copy)]
pub(crate) enum Args<'a> {
    /// The fast tier's.
    Fast(&'a [Value]),
    /// rhai's.
    Refs(&'a [&'a mut Dynamic]),
}

impl<'a> Args<'a> {
    /// Argument `i` as rhai holds it (a fast-tier number or string is boxed, which
    /// allocates nothing for numbers and only counts a reference for strings).
    fn any(self, i: usize) -> Cow<'a, Dynamic> {
        match self {
            Args::Fast(values) => match values[i].rhai() {
                Some(value) => Cow::Borrowed(value),
                None => Cow::Owned(values[i].clone().into_dynamic()),
            },
            Args::Refs(refs) => Cow::Borrowed(&*refs[i]),
        }
    }

    /// Argument `i` as a number (integers and floats both), read where it is.
    #[inline]
    fn number(self, i: usize) -> api::NumberArg {
        if let Args::Fast(values) = self {
            match &values[i] {
                Value::Float(x) => return Ok(*x),
                Value::Int(n) => return Ok(*n as f64),
                _ => {}
            }
        }
        self.number_otherwise(i)
    }

    /// [`Args::number`] of rhai's values, and of the fast tier's that are not numbers.
    #[cold]
    #[inline(never)]
    fn number_otherwise(self, i: usize) -> api::NumberArg {
        match self {
            Args::Fast(values) => api::number_arg(&values[i].clone().into_dynamic()),
            Args::Refs(refs) => api::number_arg(refs[i]),
        }
    }
}

/// A string argument, borrowed from either tier's values.
enum TextArg<'a> {
    Fast(&'a ImmutableString),
    Locked(DynamicReadLock<'a, ImmutableString>),
}

impl std::ops::Deref for TextArg<'_> {
    type Target = ImmutableString;

    fn deref(&self) -> &ImmutableString {
        match self {
            TextArg::Fast(text) => text,
            TextArg::Locked(text) => text,
        }
    }
}

/// Why a function failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A runtime error with this message, raised at the call.
    Message(String),
    /// A value grew past a size limit (`what`, e.g. "Length of string").
    TooLarge(&'static str),
    /// An argument of another type than [`ScriptFunction::params`] says: only the fast tier
    /// passes unchecked arguments, and it hands such a call to rhai.
    WrongType,
}

/// A function's Rust code: the policy's vocabulary, the arguments, the script line of the
/// call.
pub(crate) type Run = fn(&Vocabulary, Args<'_>, usize) -> Result<Produced, Failure>;

/// What a function produced: a value (unboxed where the fast tier's [`Value`] has a place
/// for it, so that a native's date or number is never boxed), or a decision.
pub(crate) enum Produced {
    Value(Value),
    Decided(Decided),
    /// A score part (`part(…)`, `part_lower(…)`), unboxed: an entry function that returns
    /// an array literal of them hands them to the engine as they are (see
    /// [`Decided::Parts`]).
    Part(MadePart),
}

impl Produced {
    /// The result as a script value.
    pub(crate) fn into_dynamic(self) -> Dynamic {
        match self {
            Produced::Value(value) => value.into_dynamic(),
            Produced::Decided(decided) => decided.into_dynamic(),
            Produced::Part(part) => Dynamic::from(part.into_score_part()),
        }
    }
}

/// One of patron's script functions (one overload of it).
pub(crate) struct ScriptFunction {
    /// The name scripts call it by.
    pub(crate) name: &'static str,
    /// Its parameters (their number is the arity).
    pub(crate) params: &'static [Param],
    /// Whether it makes a grade or stage decision or a cadence, which an entry function
    /// may return directly (the fast tier hands those over unboxed).
    pub(crate) decides: bool,
    /// Its result depends on its arguments (and the policy's vocabulary) only — not on the
    /// script line of the call nor on a limit — so that a call with constant arguments can
    /// be made once, while lowering (see `fast::natives::fold`).
    pub(crate) pure: bool,
    /// The code.
    pub(crate) run: Run,
}

fn text(args: Args<'_>, i: usize) -> Result<TextArg<'_>, Failure> {
    match args {
        Args::Fast(values) => match &values[i] {
            Value::Str(text) => Ok(TextArg::Fast(text)),
            _ => Err(Failure::WrongType),
        },
        Args::Refs(refs) => refs[i]
            .read_lock::<ImmutableString>()
            .map(TextArg::Locked)
            .ok_or(Failure::WrongType),
    }
}

fn date(args: Args<'_>, i: usize) -> Result<Date, Failure> {
    match args {
        Args::Fast(values) => match &values[i] {
            Value::Date(date) => Ok(*date),
            _ => Err(Failure::WrongType),
        },
        Args::Refs(refs) => refs[i]
            .read_lock::<Date>()
            .map(|d| *d)
            .ok_or(Failure::WrongType),
    }
}

fn int(args: Args<'_>, i: usize) -> Result<INT, Failure> {
    match args {
        Args::Fast(values) => match &values[i] {
            Value::Int(n) => Ok(*n),
            _ => Err(Failure::WrongType),
        },
        Args::Refs(refs) => refs[i].as_int().map_err(|_| Failure::WrongType),
    }
}

fn float(args: Args<'_>, i: usize) -> Result<f64, Failure> {
    match args {
        Args::Fast(values) => match &values[i] {
            Value::Float(x) => Ok(*x),
            _ => Err(Failure::WrongType),
        },
        Args::Refs(refs) => refs[i].as_float().map_err(|_| Failure::WrongType),
    }
}

fn value<T: Into<Value>>(value: T) -> Produced {
    Produced::Value(value.into())
}

fn checked<T: Into<Value>>(result: Result<T, String>) -> Result<Produced, Failure> {
    result.map(value).map_err(Failure::Message)
}

const fn function(name: &'static str, params: &'static [Param], run: Run) -> ScriptFunction {
    ScriptFunction {
        name,
        params,
        decides: false,
        pure: false,
        run,
    }
}

/// A [`function`] whose result depends on its arguments only ([`ScriptFunction::pure`]).
const fn pure(name: &'static str, params: &'static [Param], run: Run) -> ScriptFunction {
    ScriptFunction {
        name,
        params,
        decides: false,
        pure: true,
        run,
    }
}

const fn decision(name: &'static str, params: &'static [Param], run: Run) -> ScriptFunction {
    ScriptFunction {
        name,
        params,
        decides: true,
        pure: false,
        run,
    }
}

use Param::{Any, Array as List, Date as Day, Float, Int, Text};

/// patron's script functions. Overloads (`money`, `clamp`) are one entry per signature,
/// tried in order.
pub(crate) const FUNCTIONS: &[ScriptFunction] = &[
    function("part", &[Text, Any, Any, Any], |_, a, _| {
        api::part_of(&*text(a, 0)?, a.number(1), a.number(2), a.number(3), true)
            .map(Produced::Part)
            .map_err(Failure::Message)
    }),
    function("part_lower", &[Text, Any, Any, Any], |_, a, _| {
        api::part_of(&*text(a, 0)?, a.number(1), a.number(2), a.number(3), false)
            .map(Produced::Part)
            .map_err(Failure::Message)
    }),
    decision("set_grade", &[Text, Text], |v, a, line| {
        api::decision_to(&v.grades, "grade", &*text(a, 0)?, &*text(a, 1)?, line)
            .map(|d| Produced::Decided(Decided::Decision(d)))
            .map_err(Failure::Message)
    }),
    decision("set_stage", &[Text, Text], |v, a, line| {
        api::decision_to(&v.stages, "stage", &*text(a, 0)?, &*text(a, 1)?, line)
            .map(|d| Produced::Decided(Decided::Decision(d)))
            .map_err(Failure::Message)
    }),
    decision("keep_grade", &[Text], |_, a, line| {
        Ok(Produced::Decided(Decided::Decision(api::keep(
            &*text(a, 0)?,
            line,
        ))))
    }),
    decision("keep_stage", &[Text], |_, a, line| {
        Ok(Produced::Decided(Decided::Decision(api::keep(
            &*text(a, 0)?,
            line,
        ))))
    }),
    decision("cadence", &[Any, Any, Text], |_, a, line| {
        api::cadence_of(a.number(0), a.number(1), &*text(a, 2)?, line)
            .map(|c| Produced::Decided(Decided::Cadence(c)))
            .map_err(Failure::Message)
    }),
    function("action", &[Text, Day, Text], |_, a, line| {
        Ok(value(api::action_of(
            &text(a, 0)?,
            date(a, 1)?,
            &text(a, 2)?,
            line,
        )))
    }),
    pure("grade_up", &[Text], |v, a, _| {
        checked(api::ladder_step(
            &v.grades,
            &v.grade_names,
            "grade",
            &text(a, 0)?,
            -1,
        ))
    }),
    pure("grade_down", &[Text], |v, a, _| {
        checked(api::ladder_step(
            &v.grades,
            &v.grade_names,
            "grade",
            &text(a, 0)?,
            1,
        ))
    }),
    pure("grade_rank", &[Text], |v, a, _| {
        checked(api::ladder_rank(&v.grades, "grade", &text(a, 0)?))
    }),
    pure("stage_rank", &[Text], |v, a, _| {
        checked(api::ladder_rank(&v.stages, "stage", &text(a, 0)?))
    }),
    pure("stage_at", &[Int], |v, a, _| {
        checked(api::stage_at(&v.stages, int(a, 0)?))
    }),
    pure("clamp", &[Float, Float, Float], |_, a, _| {
        let (x, lo, hi) = (float(a, 0)?, float(a, 1)?, float(a, 2)?);
        Ok(Produced::Value(Value::Float(x.max(lo).min(hi))))
    }),
    pure("clamp", &[Int, Int, Int], |_, a, _| {
        let (x, lo, hi) = (int(a, 0)?, int(a, 1)?, int(a, 2)?);
        Ok(Produced::Value(Value::Int(x.max(lo).min(hi))))
    }),
    pure("money", &[Float], |_, a, _| {
        Ok(value(api::money_float(float(a, 0)?)))
    }),
    pure("money", &[Int], |_, a, _| {
        Ok(value(api::money_int(int(a, 0)?)))
    }),
    function("join", &[List, Text], |v, a, _| {
        let items = a.any(0);
        let items = items.read_lock::<Array>().ok_or(Failure::WrongType)?;
        api::join(&items, &text(a, 1)?, v.max_string_size)
            .map(value)
            .ok_or(Failure::TooLarge("Length of string"))
    }),
    pure("date", &[Text], |_, a, _| checked(parse_date(&text(a, 0)?))),
    pure("add_days", &[Day, Int], |_, a, _| {
        checked(api::shift_date(date(a, 0)?, int(a, 1)?))
    }),
    pure("days_between", &[Day, Day], |_, a, _| {
        Ok(Produced::Value(Value::Int(crate::model::days_between(
            date(a, 0)?,
            date(a, 1)?,
        ))))
    }),
];

/// The overloads of `name` taking `arity` arguments.
pub(crate) fn overloads(
    name: &str,
    arity: usize,
) -> impl Iterator<Item = &'static ScriptFunction> + '_ {
    FUNCTIONS
        .iter()
        .filter(move |f| f.name == name && f.params.len() == arity)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::rc::Rc;

    use super::*;
    use crate::model::Ladder;
    use crate::script::fast::natives;

    /// What `api.rs` registers by itself rather than from the table: methods and properties
    /// of patron's types, and the date operators (the fast tier's `ops` reads those).
    const NOT_FUNCTIONS: &[&str] = &[
        "to_string",
        "to_debug",
        "==",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "+",
        "-",
        "contains",
        "keys",
        "owner_count",
        "attr",
        "has_attr",
    ];

    fn vocabulary() -> Rc<Vocabulary> {
        Rc::new(Vocabulary::new(
            Ladder::new(["A", "B", "C"]),
            Ladder::new(["lead", "customer"]),
            1000,
        ))
    }

    /// A script expression of each parameter type.
    fn sample(param: Param) -> &'static str {
        match param {
            Param::Text => "\"B\"",
            Param::Int => "1",
            Param::Float => "1.0",
            Param::Date => "date(\"2026-11-23\")",
            Param::Array => "[\"a\", \"b\"]",
            Param::Any => "2",
        }
    }

    /// A number argument of either tier's values reads the same: integers and floats both,
    /// and anything else fails with the same message naming its type.
    #[test]
    fn number_arguments_read_the_same_from_both_tiers() {
        let vocabulary = vocabulary();
        let part = overloads("part", 4).next().expect("part");
        let cases = [
            Value::Int(3),
            Value::Float(2.5),
            Value::Str("x".into()),
            Value::Unit,
            Value::Bool(true),
        ];
        let show = |produced: Result<Produced, Failure>| match produced {
            Ok(Produced::Part(part)) => format!("{:?}", part.into_score_part()),
            Ok(_) => "another value".to_string(),
            Err(failure) => format!("{failure:?}"),
        };
        for weight in &cases {
            let fast = [
                Value::Str("p".into()),
                weight.clone(),
                Value::Int(10),
                Value::Float(4.0),
            ];
            let mut dynamics: Vec<Dynamic> =
                fast.iter().cloned().map(Value::into_dynamic).collect();
            let refs: Vec<&mut Dynamic> = dynamics.iter_mut().collect();
            let a = show((part.run)(&vocabulary, Args::Fast(&fast), 1));
            let b = show((part.run)(&vocabulary, Args::Refs(&refs), 1));
            assert_eq!(a, b, "{weight:?}");
            if weight.as_number().is_none() {
                assert!(
                    a.contains("the weight of `p` must be a number, not "),
                    "{a}"
                );
            }
        }
    }

    /// No function of patron's is registered on rhai outside the table: every name `api.rs`
    /// passes to `register_fn` is a method, property or operator of its own types.
    #[test]
    fn every_function_registered_on_rhai_is_in_the_table() {
        let source = include_str!("api.rs");
        let table: BTreeSet<&str> = FUNCTIONS.iter().map(|f| f.name).collect();
        let mut registered = BTreeSet::new();
        for piece in source.split(".register_fn(").skip(1) {
            let name = piece
                .trim_start()
                .strip_prefix('"')
                .and_then(|rest| rest.split('"').next())
                .unwrap_or_else(|| panic!("register_fn without a literal name: {piece:.60}"));
            registered.insert(name);
        }
        assert!(!registered.is_empty());
        for name in &registered {
            assert!(
                NOT_FUNCTIONS.contains(name) && !table.contains(name),
                "`{name}` is registered in api.rs by hand: make it an entry of FUNCTIONS"
            );
        }
        assert!(
            source.contains("for function in FUNCTIONS"),
            "api.rs no longer registers the table"
        );
    }

    /// Every entry of the table is callable in rhai with the parameter types it declares,
    /// and the fast tier resolves it to a native (a decision-maker as one).
    #[test]
    fn every_function_in_the_table_is_registered_and_native() {
        let vocabulary = vocabulary();
        let engine = super::super::api::new_engine(&vocabulary, &toml::Table::new());
        for function in FUNCTIONS {
            let args: Vec<&str> = function.params.iter().map(|p| sample(*p)).collect();
            let call = format!("{}({})", function.name, args.join(", "));
            match engine.eval::<Dynamic>(&call) {
                Ok(_) => {}
                Err(error) => assert!(
                    !matches!(*error, rhai::EvalAltResult::ErrorFunctionNotFound(..)),
                    "`{call}` is not registered: {error}"
                ),
            }
            let arity = function.params.len();
            assert!(
                natives::resolve(function.name, arity, &vocabulary).is_some(),
                "the fast tier has no native for `{call}`"
            );
            assert_eq!(
                natives::resolve_decision(function.name, arity, &vocabulary).is_some(),
                function.decides,
                "`{call}`"
            );
        }
        // The natives come from the table (and rhai's own `min`/`max`) only.
        assert!(natives::resolve("no_such_function", 1, &vocabulary).is_none());
        assert!(natives::resolve("grade_up", 2, &vocabulary).is_none());
    }
}
