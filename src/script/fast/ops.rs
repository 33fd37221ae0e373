//! What the fast tier does to values: operators (rhai's own built-ins, plus patron's date
//! operators), property reads, indexing, methods, and turning a value into text for an
//! interpolated string. Anything else bails to rhai.

use rhai::{Array, Dynamic, ImmutableString, Token, INT};

use super::memo::PropertyMemo;
use super::sizes::DataLimits;
use super::value::{Held, LentView, Num, Record, Value};
use super::{Flow, Outcome};
use crate::model::{date_digits, push_decimal, Date, PortfolioFacts, ReceivableFact, ScorePart};
use crate::script::api::{
    self, FactGetter, Field, CUSTOMER_FACTS, DATE_FIELDS, MADE_PART_FIELDS, PORTFOLIO_FIELDS,
    RECEIVABLE_FIELDS, SCORE_PART_FIELDS,
};
use crate::script::decisions::MadePart;
use crate::script::params::ParamTable;
use crate::script::view::CustomerView;

/// `Err(Flow::Bail)`: rhai must run this call.
#[inline]
pub(crate) fn bail<T>() -> Result<T, Flow> {
    Err(Flow::Bail)
}

/// `a op b`, as rhai's built-in operators compute it (checked integer arithmetic, floats
/// compared with a relative epsilon, `()` and mismatched types unequal), rhai's `+` of two
/// strings or two arrays (measured against `limits`), and patron's date operators. Other
/// operand types bail.
pub(crate) fn binary(op: &Token, a: &Value, b: &Value, limits: &DataLimits) -> Outcome {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => return floats(op, *x, *y),
        (Value::Int(x), Value::Int(y)) => return integers(op, *x, *y),
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
            if let (Some(x), Some(y)) = (a.as_number(), b.as_number()) {
                return floats(op, x, y);
            }
        }
        (Value::Date(x), _) => {
            if let Some(result) = date_operator(op, *x, b) {
                return result;
            }
        }
        (Value::Bool(x), Value::Bool(y)) => return compare(op, x.cmp(y)),
        (Value::Str(x), Value::Str(y)) => {
            if *op == Token::Plus {
                return concat(x, y, limits.string);
            }
            return compare(op, x.as_str().cmp(y.as_str()));
        }
        (Value::Unit, Value::Unit) => {
            return match op {
                Token::EqualsTo => Ok(Value::Bool(true)),
                Token::NotEqualsTo
                | Token::LessThan
                | Token::LessThanEqualsTo
                | Token::GreaterThan
                | Token::GreaterThanEqualsTo => Ok(Value::Bool(false)),
                _ => bail(),
            };
        }
        // `() + "text"` is the text.
        (Value::Unit, Value::Str(_)) | (Value::Str(_), Value::Unit) if *op == Token::Plus => {
            return Ok(if matches!(a, Value::Unit) {
                b.clone()
            } else {
                a.clone()
            });
        }
        _ => {}
    }
    // Otherwise values of different kinds are never equal.
    if simple(a) && simple(b) && !(a.as_number().is_some() && b.as_number().is_some()) {
        return unequal(op);
    }
    collection_operator(op, a, b, limits)
}

/// A comparison of two values of different kinds: only `!=` holds; any other operator bails.
#[inline]
fn unequal(op: &Token) -> Outcome {
    match op {
        Token::NotEqualsTo => Ok(Value::Bool(true)),
        Token::EqualsTo
        | Token::LessThan
        | Token::LessThanEqualsTo
        | Token::GreaterThan
        | Token::GreaterThanEqualsTo => Ok(Value::Bool(false)),
        _ => bail(),
    }
}

/// `a op b` where one is an array or a map of the tier's: `array + array`, a new array of
/// the items of both (rhai's array `+`), measured against the data limits as rhai measures a
/// function's result; with a value of another kind, never equal, as rhai's built-ins decide
/// (no package defines `==` or `<` between them); anything else bails. Out of line:
/// [`binary`] is on every comparison's path.
#[cold]
#[inline(never)]
fn collection_operator(op: &Token, a: &Value, b: &Value, limits: &DataLimits) -> Outcome {
    if let (Token::Plus, Some(x), Some(y)) = (op, a.items(), b.items()) {
        let joined = Value::array(x.iter().chain(y.iter()).cloned().collect());
        limits.check(&joined)?;
        return Ok(joined);
    }
    if !matches!((kind(a), kind(b)), (Some(x), Some(y)) if x != y) {
        return bail();
    }
    unequal(op)
}

/// The kinds of value whose mismatched comparisons rhai's built-ins decide (no package
/// defines `==` or `<` between two of them; `x == ()` of an array or a map is `false`):
/// the simple values, and the tier's arrays and maps; integers and floats are one kind.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Unit,
    Bool,
    Number,
    Text,
    Date,
    Array,
    Map,
}

/// Values whose mismatched comparisons rhai's built-ins decide and [`binary`] and the
/// shortcuts of [`WithConstant`] answer inline: all but the boxed ones (the tier's arrays and
/// maps are answered out of line, by [`mismatched_collection`]).
#[inline]
fn simple(value: &Value) -> bool {
    !matches!(value, Value::Dyn(_) | Value::View | Value::Table(_))
}

/// The [`Kind`] of `value`; `None` for the values whose comparisons rhai's packages define
/// (patron's records, characters, tables, the customer).
fn kind(value: &Value) -> Option<Kind> {
    Some(match value {
        Value::Unit => Kind::Unit,
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) | Value::Float(_) => Kind::Number,
        Value::Str(_) => Kind::Text,
        Value::Date(_) => Kind::Date,
        Value::Dyn(_) if value.items().is_some() => Kind::Array,
        Value::Dyn(_) if value.as_map().is_some() => Kind::Map,
        Value::Dyn(_) | Value::View | Value::Table(_) => return None,
    })
}

fn compare(op: &Token, ordering: std::cmp::Ordering) -> Outcome {
    use std::cmp::Ordering::{Equal, Greater, Less};
    Ok(Value::Bool(match op {
        Token::EqualsTo => ordering == Equal,
        Token::NotEqualsTo => ordering != Equal,
        Token::LessThan => ordering == Less,
        Token::LessThanEqualsTo => ordering != Greater,
        Token::GreaterThan => ordering == Greater,
        Token::GreaterThanEqualsTo => ordering != Less,
        _ => return bail(),
    }))
}

fn integers(op: &Token, x: INT, y: INT) -> Outcome {
    let value = match op {
        Token::Plus => x.checked_add(y),
        Token::Minus => x.checked_sub(y),
        Token::Multiply => x.checked_mul(y),
        Token::Divide => x.checked_div(y),
        Token::Modulo => x.checked_rem(y),
        _ => return compare(op, x.cmp(&y)),
    };
    value.map(Value::Int).ok_or(Flow::Bail)
}

/// An arithmetic operator, for lowered arithmetic on [`Num`]s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Arith {
    Add,
    Subtract,
    Multiply,
    Divide,
    Remainder,
}

impl Arith {
    /// The arithmetic operator `op` is, if it is one.
    pub(crate) fn of(op: &Token) -> Option<Arith> {
        Some(match op {
            Token::Plus => Arith::Add,
            Token::Minus => Arith::Subtract,
            Token::Multiply => Arith::Multiply,
            Token::Divide => Arith::Divide,
            Token::Modulo => Arith::Remainder,
            _ => return None,
        })
    }

    /// `a op b` as [`binary`] computes it for numbers: checked on two integers (`None` on
    /// overflow or division by zero, where rhai raises an error), in floats otherwise.
    #[inline]
    pub(crate) fn apply(self, a: Num, b: Num) -> Option<Num> {
        if let (Num::Int(x), Num::Int(y)) = (a, b) {
            return match self {
                Arith::Add => x.checked_add(y),
                Arith::Subtract => x.checked_sub(y),
                Arith::Multiply => x.checked_mul(y),
                Arith::Divide => x.checked_div(y),
                Arith::Remainder => x.checked_rem(y),
            }
            .map(Num::Int);
        }
        let (x, y) = (a.float(), b.float());
        Some(Num::Float(match self {
            Arith::Add => x + y,
            Arith::Subtract => x - y,
            Arith::Multiply => x * y,
            Arith::Divide => x / y,
            Arith::Remainder => x % y,
        }))
    }
}

/// rhai's float operators; comparisons are relative to the larger magnitude, within
/// `f64::EPSILON` ([`float_compare`]).
fn floats(op: &Token, x: f64, y: f64) -> Outcome {
    let arithmetic = match op {
        Token::Plus => Some(x + y),
        Token::Minus => Some(x - y),
        Token::Multiply => Some(x * y),
        Token::Divide => Some(x / y),
        Token::Modulo => Some(x % y),
        _ => None,
    };
    if let Some(value) = arithmetic {
        return Ok(Value::Float(value));
    }
    match Compare::of(op) {
        Some(compare) => Ok(Value::Bool(float_compare(compare, x, y))),
        None => bail(),
    }
}

/// rhai's float comparison `x compare y`: relative to the larger magnitude, within
/// `f64::EPSILON`.
#[inline]
fn float_compare(compare: Compare, x: f64, y: f64) -> bool {
    let max = if x * y == 0.0 {
        1.0
    } else {
        x.abs().max(y.abs())
    };
    let zero = max == 0.0;
    let e = f64::EPSILON;
    match compare {
        Compare::Equal => zero || (x - y).abs() / max <= e,
        Compare::NotEqual => !zero && (x - y).abs() / max > e,
        Compare::Greater => !zero && (x - y) / max > e,
        Compare::GreaterOrEqual => zero || (x - y) / max > -e,
        Compare::Less => !zero && (y - x) / max > e,
        Compare::LessOrEqual => zero || (y - x) / max > -e,
    }
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Compare {
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

impl Compare {
    /// The comparison `op` is, if it is one.
    pub(crate) fn of(op: &Token) -> Option<Compare> {
        Some(match op {
            Token::EqualsTo => Compare::Equal,
            Token::NotEqualsTo => Compare::NotEqual,
            Token::LessThan => Compare::Less,
            Token::LessThanEqualsTo => Compare::LessOrEqual,
            Token::GreaterThan => Compare::Greater,
            Token::GreaterThanEqualsTo => Compare::GreaterOrEqual,
            _ => return None,
        })
    }

    /// Whether `ordering` satisfies the comparison.
    #[inline]
    fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self {
            Compare::Equal => ordering == Equal,
            Compare::NotEqual => ordering != Equal,
            Compare::Less => ordering == Less,
            Compare::LessOrEqual => ordering != Greater,
            Compare::Greater => ordering == Greater,
            Compare::GreaterOrEqual => ordering != Less,
        }
    }
}

/// `x op constant`, chosen while lowering for the commonest shapes of rules — `x == ()`,
/// `x != "text"`, `x > 0`, `x == true`, `x >= 2.5`, `x + 1` — and computed directly when `x`
/// has the type the shape expects. For any other `x` (and any other shape) it is
/// [`binary`] itself, so that both always agree; `tests` checks them against each other
/// over every pair of value types, and `tests/fast_conformance.rs` against rhai.
pub(crate) struct WithConstant {
    shape: Shape,
    op: Token,
    constant: Value,
}

enum Shape {
    /// `== ()` (`equal`) or `!= ()`: `()` is equal only to `()`; other simple values are
    /// unequal to it.
    Unit { equal: bool },
    /// `==` or `!=` a string: equal only to the same string.
    Text { equal: bool },
    /// `==` or `!=` a boolean.
    Bool { equal: bool, b: bool },
    /// A comparison with an integer.
    IntCompare(Compare, INT),
    /// A comparison with a float.
    FloatCompare(Compare, f64),
    /// Arithmetic with an integer.
    IntArithmetic(INT),
    /// Anything else: [`binary`].
    Generic,
}

impl WithConstant {
    pub(crate) fn new(op: Token, constant: Value) -> WithConstant {
        let compare = Compare::of(&op);
        let equal = match compare {
            Some(Compare::Equal) => Some(true),
            Some(Compare::NotEqual) => Some(false),
            _ => None,
        };
        let shape = match (&constant, equal, compare) {
            (Value::Unit, Some(equal), _) => Shape::Unit { equal },
            (Value::Str(_), Some(equal), _) => Shape::Text { equal },
            (Value::Bool(b), Some(equal), _) => Shape::Bool { equal, b: *b },
            (Value::Int(n), _, Some(compare)) => Shape::IntCompare(compare, *n),
            (Value::Float(x), _, Some(compare)) => Shape::FloatCompare(compare, *x),
            (Value::Int(n), _, None)
                if matches!(
                    op,
                    Token::Plus | Token::Minus | Token::Multiply | Token::Divide | Token::Modulo
                ) =>
            {
                Shape::IntArithmetic(*n)
            }
            _ => Shape::Generic,
        };
        WithConstant {
            shape,
            op,
            constant,
        }
    }

    /// `a op constant`.
    #[inline]
    pub(crate) fn apply(&self, a: &Value, limits: &DataLimits) -> Outcome {
        match (&self.shape, a) {
            (Shape::Unit { equal }, Value::Unit) => Ok(Value::Bool(*equal)),
            (Shape::Unit { equal }, a) if simple(a) => Ok(Value::Bool(!*equal)),
            (Shape::Text { equal }, Value::Str(x)) => match &self.constant {
                Value::Str(y) => Ok(Value::Bool((x.as_str() == y.as_str()) == *equal)),
                _ => binary(&self.op, a, &self.constant, limits),
            },
            (Shape::Text { equal }, a) if simple(a) && !matches!(a, Value::Date(_)) => {
                Ok(Value::Bool(!*equal))
            }
            (Shape::Bool { equal, b }, Value::Bool(x)) => Ok(Value::Bool((x == b) == *equal)),
            (Shape::IntCompare(compare, n), Value::Int(x)) => {
                Ok(Value::Bool(compare.holds(x.cmp(n))))
            }
            (Shape::IntCompare(compare, n), Value::Float(x)) => {
                Ok(Value::Bool(float_compare(*compare, *x, *n as f64)))
            }
            (Shape::FloatCompare(compare, y), Value::Float(x)) => {
                Ok(Value::Bool(float_compare(*compare, *x, *y)))
            }
            (Shape::FloatCompare(compare, y), Value::Int(x)) => {
                Ok(Value::Bool(float_compare(*compare, *x as f64, *y)))
            }
            (Shape::IntArithmetic(n), Value::Int(x)) => integers(&self.op, *x, *n),
            _ => binary(&self.op, a, &self.constant, limits),
        }
    }
}

fn concat(a: &ImmutableString, b: &ImmutableString, max_string: usize) -> Outcome {
    if max_string > 0 && a.len() + b.len() > max_string {
        return bail();
    }
    Ok(Value::Str(a + b))
}

/// patron's operators on dates (registered in `api::register_dates`); `None` when `b` is
/// neither a date nor an integer, or the operator is not one of them.
fn date_operator(op: &Token, x: Date, b: &Value) -> Option<Outcome> {
    match b {
        Value::Date(y) => {
            let y = *y;
            let value = match op {
                Token::EqualsTo => Value::Bool(x == y),
                Token::NotEqualsTo => Value::Bool(x != y),
                Token::LessThan => Value::Bool(x < y),
                Token::LessThanEqualsTo => Value::Bool(x <= y),
                Token::GreaterThan => Value::Bool(x > y),
                Token::GreaterThanEqualsTo => Value::Bool(x >= y),
                Token::Minus => Value::Int(crate::model::days_between(y, x)),
                _ => return Some(bail()),
            };
            Some(Ok(value))
        }
        Value::Int(days) => {
            let days = match op {
                Token::Plus => *days,
                Token::Minus => days.checked_neg().unwrap_or(INT::MAX),
                _ => return None,
            };
            Some(
                api::shift_date(x, days)
                    .map(Value::Date)
                    .or_else(|_| bail()),
            )
        }
        _ => None,
    }
}

/// `!a` and `-a`.
pub(crate) fn unary(op: &Token, a: Value) -> Outcome {
    match (op, a) {
        (Token::Bang, Value::Bool(b)) => Ok(Value::Bool(!b)),
        (Token::Minus | Token::UnaryMinus, Value::Int(n)) => {
            n.checked_neg().map(Value::Int).ok_or(Flow::Bail)
        }
        (Token::Minus | Token::UnaryMinus, Value::Float(x)) => Ok(Value::Float(-x)),
        _ => bail(),
    }
}

/// Appends `value` to an interpolated string as rhai's `to_string` would write it.
pub(crate) fn write_text(out: &mut String, value: &Value) -> Result<(), Flow> {
    use std::fmt::Write;
    match value {
        Value::Str(text) => out.push_str(text),
        // rhai's own formatting of numbers (a float keeps its `.0`); no allocation. Integers,
        // and floats with integral values well inside the range rhai writes without an
        // exponent, are written digit by digit without the formatting machinery.
        Value::Int(i) => write_int(out, *i),
        Value::Float(x) if x.fract() == 0.0 && (1.0..=1e12).contains(&x.abs()) => {
            write_int(out, *x as INT);
            out.push_str(".0");
        }
        Value::Float(x) => {
            let _ = write!(out, "{}", Dynamic::from_float(*x));
        }
        Value::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        Value::Unit => {}
        Value::Date(date) => write_date(out, *date),
        Value::Dyn(_) => write_collection(out, value)?,
        Value::View | Value::Table(_) => return bail(),
    }
    Ok(())
}

/// Appends an array or a map of the tier's as rhai's `to_string` writes it (`[1, "x"]`,
/// `#{"k": 2.5}`: each item as its `to_debug` writes it); bails for any other value.
#[cold]
#[inline(never)]
fn write_collection(out: &mut String, value: &Value) -> Result<(), Flow> {
    use std::fmt::Write;
    if let Some(items) = value.items() {
        out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            write_debug(out, item)?;
        }
        out.push(']');
        return Ok(());
    }
    let Some(map) = value.as_map() else {
        return bail();
    };
    out.push_str("#{");
    for (i, (name, item)) in map.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{:?}: ", name.as_str());
        write_debug(out, item)?;
    }
    out.push('}');
    Ok(())
}

/// Appends `value` as rhai's `to_debug` writes it (a string quoted and escaped, a float as
/// Rust writes it, `()` as `()`, a date as patron's `to_debug` writes it); bails for values
/// the tier does not write (characters, records, tables, the customer).
fn write_debug(out: &mut String, value: &Value) -> Result<(), Flow> {
    use std::fmt::Write;
    match value {
        Value::Str(text) => {
            let _ = write!(out, "{:?}", text.as_str());
        }
        Value::Int(i) => write_int(out, *i),
        Value::Float(x) => {
            let _ = write!(out, "{x:?}");
        }
        Value::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        Value::Unit => out.push_str("()"),
        Value::Date(date) => write_date(out, *date),
        Value::Dyn(_) => write_collection(out, value)?,
        Value::View | Value::Table(_) => return bail(),
    }
    Ok(())
}

/// Appends `i` as its `Display` writes it.
fn write_int(out: &mut String, i: INT) {
    if i < 0 {
        out.push('-');
    }
    push_decimal(out, i.unsigned_abs());
}

/// Appends `date` as its `Display` writes it (`2026-11-23`), without the formatting
/// machinery for the years 0–9999.
#[inline]
fn write_date(out: &mut String, date: Date) {
    match date_digits(date) {
        // ASCII digits and dashes only.
        Some(text) => out.push_str(std::str::from_utf8(&text).unwrap_or_default()),
        None => {
            let _ = std::fmt::Write::write_fmt(out, format_args!("{date}"));
        }
    }
}

fn field<T: Clone + 'static>(fields: &[Field<T>], name: &str) -> Option<fn(&T) -> Value> {
    fields
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, read)| *read)
}

/// A property read `x.name`, with its readers for each type looked up once.
pub(crate) struct Property {
    name: ImmutableString,
    fact: Option<FactGetter>,
    date: Option<fn(&Date) -> Value>,
    receivable: Option<fn(&ReceivableFact) -> Value>,
    portfolio: Option<fn(&PortfolioFacts) -> Value>,
    score_part: Option<fn(&ScorePart) -> Value>,
    made_part: Option<fn(&MadePart) -> Value>,
    /// The entries this read found in parameter tables at run time.
    memo: PropertyMemo,
}

impl Property {
    pub(crate) fn new(name: &ImmutableString) -> Property {
        Property {
            name: name.clone(),
            fact: CUSTOMER_FACTS
                .iter()
                .find(|(n, _)| *n == name.as_str())
                .copied(),
            date: field(DATE_FIELDS, name),
            receivable: field(RECEIVABLE_FIELDS, name),
            portfolio: field(PORTFOLIO_FIELDS, name),
            score_part: field(SCORE_PART_FIELDS, name),
            made_part: field(MADE_PART_FIELDS, name),
            memo: PropertyMemo::default(),
        }
    }

    /// The fact of `c` this property reads, if it names one.
    pub(crate) fn fact(&self) -> Option<FactGetter> {
        self.fact
    }

    /// Reads the property of `value`.
    pub(crate) fn read(&self, value: &Value) -> Outcome {
        let value = match value {
            Value::View => {
                return LentView::with(|view| self.read_view(view)).unwrap_or(Err(Flow::Bail))
            }
            Value::Table(table) => return self.memo.entry(table, &self.name),
            Value::Dyn(boxed) => match &**boxed {
                Held::Rhai(value) => value,
                Held::Record(record) => {
                    return match (&**record, self.receivable) {
                        (Record::Receivable(r), Some(read)) => Ok(read(r)),
                        (Record::Part(part), _) => match self.made_part {
                            Some(read) => Ok(read(part)),
                            None => bail(),
                        },
                        _ => bail(),
                    }
                }
                // A missing property: rhai's (an error, or `()` when the engine allows it).
                Held::Map(map) => return map.get(self.name.as_str()).cloned().ok_or(Flow::Bail),
                Held::Array(_) => return bail(),
            },
            Value::Date(d) => {
                return match self.date {
                    Some(read) => Ok(read(d)),
                    None => bail(),
                }
            }
            _ => return bail(),
        };
        // A value has one type: the records whose fields this property names are tried
        // first, and a type that has no such field is not tried at all.
        if let Some(read) = self.receivable {
            if let Some(r) = value.read_lock::<ReceivableFact>() {
                return Ok(read(&r));
            }
        }
        if let Some(table) = value.read_lock::<ParamTable>() {
            return table_entry(&table, &self.name);
        }
        if let Some(read) = self.portfolio {
            if let Some(p) = value.read_lock::<PortfolioFacts>() {
                return Ok(read(&p));
            }
        }
        if let Some(read) = self.score_part {
            if let Some(p) = value.read_lock::<ScorePart>() {
                return Ok(read(&p));
            }
        }
        if let Some(view) = value.read_lock::<CustomerView>() {
            return self.read_view(&view);
        }
        bail()
    }
}

impl Property {
    /// Reads the property of the customer view.
    #[inline]
    pub(crate) fn read_view(&self, view: &CustomerView) -> Outcome {
        if let Some((name, read)) = self.fact {
            view.note(name);
            return Ok(read(view));
        }
        match self.name.as_str() {
            "portfolio" => {
                view.note("portfolio");
                view.facts()
                    .portfolio
                    .clone()
                    .map(|p| Value::dynamic(Dynamic::from(p)))
                    .ok_or(Flow::Bail)
            }
            "has_portfolio" => {
                view.note("portfolio");
                Ok(Value::Bool(view.facts().portfolio.is_some()))
            }
            _ => bail(),
        }
    }
}

/// `x[index]`.
pub(crate) fn index(value: &Value, index: &Value) -> Outcome {
    let value = match (value, index) {
        (Value::Table(table), Value::Str(key)) => return table_entry(table, key),
        (Value::Dyn(boxed), _) => match (&**boxed, index) {
            (Held::Rhai(value), _) => value,
            // (A negative index, which rhai counts from the end, or one past the end: rhai.)
            (Held::Array(items), Value::Int(i)) => {
                return usize::try_from(*i)
                    .ok()
                    .and_then(|i| items.get(i))
                    .cloned()
                    .ok_or(Flow::Bail)
            }
            (Held::Map(map), Value::Str(key)) => {
                return map.get(key.as_str()).cloned().ok_or(Flow::Bail)
            }
            _ => return bail(),
        },
        _ => return bail(),
    };
    match index {
        Value::Str(key) => {
            if let Some(table) = value.read_lock::<ParamTable>() {
                return table_entry(&table, key);
            }
            bail()
        }
        Value::Int(i) => {
            let Some(array) = value.read_lock::<Array>() else {
                return bail();
            };
            usize::try_from(*i)
                .ok()
                .and_then(|i| array.get(i))
                .map(Value::from_ref)
                .ok_or(Flow::Bail)
        }
        _ => bail(),
    }
}

/// `table.key` / `table[key]` of a parameter table; a missing parameter bails (rhai reports
/// it).
#[inline]
pub(crate) fn table_entry(table: &ParamTable, key: &str) -> Outcome {
    table.lookup(key).map(Value::from_ref).ok_or(Flow::Bail)
}

/// The methods the fast tier runs; any other method keeps the file in rhai.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    /// `c.attr(name)`
    Attr,
    /// `c.has_attr(name)`
    HasAttr,
    /// `table.contains(key)`, `map.contains(key)`, `array.contains(item)`, `item in x`
    Contains,
    /// `array.push(item)`: changes its target.
    Push,
    /// `array.len()`, `map.len()`, `text.len()`
    Len,
    /// `portfolio.owner_count(grade)`
    OwnerCount,
    /// `table.keys()`, `map.keys()`
    Keys,
    /// `text.sub_string(start, length)`
    SubString,
    /// `x.round()` of a float (rhai's `round`: half away from zero)
    Round,
}

impl Method {
    pub(crate) fn resolve(name: &str, arity: usize) -> Option<Method> {
        Some(match (name, arity) {
            ("attr", 1) => Method::Attr,
            ("has_attr", 1) => Method::HasAttr,
            ("contains", 1) => Method::Contains,
            ("push", 1) => Method::Push,
            ("len", 0) => Method::Len,
            ("owner_count", 1) => Method::OwnerCount,
            ("keys", 0) => Method::Keys,
            ("sub_string", 2) => Method::SubString,
            ("round", 0) => Method::Round,
            _ => return None,
        })
    }

    /// Calls the method on `target` (changed only by [`Method::Push`]).
    pub(crate) fn call(
        self,
        target: &mut Value,
        args: &mut [Value],
        limits: &DataLimits,
    ) -> Outcome {
        match self {
            Method::Push => {
                target.push(std::mem::take(&mut args[0]), limits.array)?;
                // rhai measures an array a call changed (all of it, as every call does).
                limits.check(target)?;
                Ok(Value::Unit)
            }
            _ => self.call_pure(target, args, limits),
        }
    }

    /// Calls a method that does not change its target ([`Method::Push`] bails).
    /// rhai measures what a native function returns against the data limits: an attribute
    /// may hold more than `limits` allow, the keys of a table be more than it allows.
    pub(crate) fn call_pure(self, target: &Value, args: &[Value], limits: &DataLimits) -> Outcome {
        let key = args.first().and_then(Value::as_str);
        match self {
            Method::Attr | Method::HasAttr => {
                let Some(key) = key else {
                    return bail();
                };
                let read = |view: &CustomerView| {
                    if self == Method::HasAttr {
                        return Ok(Value::Bool(api::has_attr(view, key)));
                    }
                    match api::attribute(view, key) {
                        Some(value) => limits.attribute(value),
                        None => Ok(Value::Unit),
                    }
                };
                if let Value::View = target {
                    return LentView::with(read).unwrap_or(Err(Flow::Bail));
                }
                match target.rhai().and_then(|t| t.read_lock::<CustomerView>()) {
                    Some(view) => read(&view),
                    None => bail(),
                }
            }
            Method::OwnerCount => {
                let (Some(p), Some(key)) = (
                    target.rhai().and_then(|t| t.read_lock::<PortfolioFacts>()),
                    key,
                ) else {
                    return bail();
                };
                Ok(Value::Int(api::owner_count(&p, key)))
            }
            Method::Contains => contains(target, &args[0]),
            Method::Len => match target {
                Value::Str(text) => Ok(Value::Int(text.chars().count() as INT)),
                _ => {
                    if let Some(items) = target.items() {
                        return Ok(Value::Int(items.len() as INT));
                    }
                    if let Some(map) = target.as_map() {
                        return Ok(Value::Int(map.len() as INT));
                    }
                    match target.rhai().and_then(|value| value.read_lock::<Array>()) {
                        Some(array) => Ok(Value::Int(array.len() as INT)),
                        None => bail(),
                    }
                }
            },
            Method::Round => match target {
                Value::Float(x) => Ok(Value::Float(x.round())),
                _ => bail(),
            },
            Method::SubString => match (target, &args[0], &args[1]) {
                (Value::Str(text), Value::Int(start), Value::Int(length)) => Ok(Value::Str(
                    ImmutableString::from(sub_string(text, *start, *length)),
                )),
                _ => bail(),
            },
            Method::Keys => {
                let keys = |keys: Array| Value::array(keys.iter().map(Value::from_ref).collect());
                let value = if let Value::Table(table) = target {
                    keys(table.keys())
                } else if let Some(map) = target.as_map() {
                    Value::array(
                        map.keys()
                            .map(|k| Value::Str(ImmutableString::from(k.as_str())))
                            .collect(),
                    )
                } else {
                    match target.rhai().and_then(|t| t.read_lock::<ParamTable>()) {
                        Some(table) => keys(table.keys()),
                        None => return bail(),
                    }
                };
                limits.check(&value)?;
                Ok(value)
            }
            Method::Push => bail(),
        }
    }
}

/// rhai's `sub_string(start, length)`, in characters: a negative start counts from the end,
/// and the length is cut at the end of the string.
fn sub_string(text: &str, start: INT, length: INT) -> String {
    if text.is_empty() || length <= 0 {
        return String::new();
    }
    let chars: Vec<char> = text.chars().collect();
    let offset = if start < 0 {
        let Ok(back) = usize::try_from(start.unsigned_abs()) else {
            return String::new();
        };
        chars.len().saturating_sub(back)
    } else {
        match usize::try_from(start) {
            Ok(start) if start < chars.len() => start,
            _ => return String::new(),
        }
    };
    let length = usize::try_from(length)
        .ok()
        .filter(|n| n.checked_add(offset).is_some_and(|end| end <= chars.len()))
        .unwrap_or(chars.len() - offset);
    chars[offset..offset + length].iter().collect()
}

/// `container.contains(item)`: a parameter table or map by key, an array of strings,
/// integers or booleans by value.
fn contains(container: &Value, item: &Value) -> Outcome {
    if let Value::Table(table) = container {
        return match item {
            Value::Str(key) => Ok(Value::Bool(table.lookup(key).is_some())),
            _ => bail(),
        };
    }
    if let Some(items) = container.items() {
        let mut found = false;
        for x in items.iter() {
            let same = match (item, x) {
                (Value::Str(b), Value::Str(a)) => a == b,
                (Value::Int(b), Value::Int(a)) => a == b,
                (Value::Bool(b), Value::Bool(a)) => a == b,
                _ => return bail(),
            };
            found = found || same;
        }
        return Ok(Value::Bool(found));
    }
    if let Some(map) = container.as_map() {
        return match item {
            Value::Str(key) => Ok(Value::Bool(map.contains_key(key.as_str()))),
            _ => bail(),
        };
    }
    let Some(container) = container.rhai() else {
        return bail();
    };
    if let Value::Str(key) = item {
        if let Some(table) = container.read_lock::<ParamTable>() {
            return Ok(Value::Bool(table.lookup(key).is_some()));
        }
    }
    let Some(array) = container.read_lock::<Array>() else {
        return bail();
    };
    let mut found = false;
    for x in array.iter() {
        let same = match item {
            Value::Str(b) => match x.read_lock::<ImmutableString>() {
                Some(a) if x.is_string() => *a == *b,
                _ => return bail(),
            },
            Value::Int(b) if x.is_int() => x.as_int().ok() == Some(*b),
            Value::Bool(b) if x.is_bool() => x.as_bool().ok() == Some(*b),
            _ => return bail(),
        };
        found = found || same;
    }
    Ok(Value::Bool(found))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Limits the operands here stay within.
    const SMALL: DataLimits = DataLimits {
        string: 100,
        array: 100,
        map: 100,
    };

    /// Every specialised `x op constant` gives exactly what the generic operator gives, for
    /// every operator, every constant type and every operand type — `()`, booleans,
    /// integers and floats mixed, strings, dates and boxed values — bails included.
    #[test]
    fn operators_with_a_constant_agree_with_the_generic_ones() {
        let date = crate::model::parse_date("2026-11-23").expect("a date");
        let values = [
            Value::Unit,
            Value::Bool(true),
            Value::Bool(false),
            Value::Int(0),
            Value::Int(3),
            Value::Int(-7),
            Value::Int(INT::MAX),
            Value::Float(0.0),
            Value::Float(-0.0),
            Value::Float(3.0),
            Value::Float(2.5),
            Value::Float(3.0 + 1e-15),
            Value::Float(f64::NAN),
            Value::Float(1e300),
            Value::Str("".into()),
            Value::Str("A".into()),
            Value::Str("b".into()),
            Value::Date(date),
            Value::dynamic(Dynamic::from_array(vec![Dynamic::from_int(1)])),
            Value::dynamic(Dynamic::from_char('a')),
            Value::Table(ParamTable::from_toml(
                &toml::from_str("a = 1").expect("a table"),
            )),
        ];
        let ops = [
            Token::EqualsTo,
            Token::NotEqualsTo,
            Token::LessThan,
            Token::LessThanEqualsTo,
            Token::GreaterThan,
            Token::GreaterThanEqualsTo,
            Token::Plus,
            Token::Minus,
            Token::Multiply,
            Token::Divide,
            Token::Modulo,
        ];
        let show = |outcome: Outcome| match outcome {
            Ok(value) => format!("{value:?}"),
            Err(Flow::Bail) => "bail".to_string(),
            Err(_) => "other flow".to_string(),
        };
        let mut specialised = 0;
        for op in &ops {
            for constant in &values {
                let with = WithConstant::new(op.clone(), constant.clone());
                if !matches!(with.shape, Shape::Generic) {
                    specialised += 1;
                }
                for a in &values {
                    assert_eq!(
                        show(with.apply(a, &SMALL)),
                        show(binary(op, a, constant, &SMALL)),
                        "{a:?} {op:?} {constant:?}"
                    );
                }
            }
        }
        assert!(specialised > 50, "{specialised} specialised shapes");
    }

    /// Arithmetic on numbers ([`Arith::apply`]) gives exactly what the generic operator
    /// gives, for every arithmetic operator and every pair of numbers, overflows and
    /// divisions by zero included (`None` where the operator bails).
    #[test]
    fn arithmetic_on_numbers_agrees_with_the_generic_operator() {
        let numbers = [
            Num::Int(0),
            Num::Int(3),
            Num::Int(-7),
            Num::Int(INT::MAX),
            Num::Int(INT::MIN),
            Num::Int(-1),
            Num::Float(0.0),
            Num::Float(-0.0),
            Num::Float(2.5),
            Num::Float(-1.25),
            Num::Float(f64::NAN),
            Num::Float(1e300),
        ];
        let ops = [
            Token::Plus,
            Token::Minus,
            Token::Multiply,
            Token::Divide,
            Token::Modulo,
        ];
        for op in &ops {
            let arith = Arith::of(op).expect("an arithmetic operator");
            for a in numbers {
                for b in numbers {
                    let generic = match binary(op, &Value::from(a), &Value::from(b), &SMALL) {
                        Ok(value) => format!("{value:?}"),
                        Err(_) => "bail".to_string(),
                    };
                    let direct = arith
                        .apply(a, b)
                        .map_or_else(|| "bail".to_string(), |n| format!("{:?}", Value::from(n)));
                    assert_eq!(direct, generic, "{a:?} {op:?} {b:?}");
                }
            }
        }
    }

    /// Numbers in an interpolated string read as rhai writes them (`to_string`), on the
    /// digit-by-digit paths and off them.
    #[test]
    fn numbers_are_written_as_rhai_writes_them() {
        let ints = [
            0,
            7,
            -7,
            10,
            99,
            100,
            -1_000_000,
            1_234_567_890,
            INT::MAX,
            INT::MIN,
        ];
        for i in ints {
            let mut out = String::from("<");
            write_text(&mut out, &Value::Int(i)).ok();
            assert_eq!(out, format!("<{}", Dynamic::from_int(i)), "{i}");
        }
        let floats = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            57.5,
            0.1,
            3.0,
            -42.0,
            123_456_789.0,
            1e12,
            -1e12,
            1e12 + 1.0,
            9_999_999_999_999.0,
            1e13,
            1e14,
            1e-14,
            0.5,
            2.25e-3,
            f64::NAN,
            f64::INFINITY,
            f64::MAX,
            f64::MIN_POSITIVE,
        ];
        for x in floats {
            let mut out = String::from("<");
            write_text(&mut out, &Value::Float(x)).ok();
            assert_eq!(out, format!("<{}", Dynamic::from_float(x)), "{x}");
        }
    }
}
