//! What the fast tier does to values: operators (rhai's own built-ins, plus patron's date
//! operators), property reads, indexing, methods, and turning a value into text for an
//! interpolated string. Anything else bails to rhai.

use rhai::{Array, Dynamic, ImmutableString, Map, Token, INT};

use super::{Flow, Outcome};
use crate::model::{Date, PortfolioFacts, ReceivableFact, ScorePart};
use crate::script::api::{
    self, FactGetter, Field, CUSTOMER_FACTS, DATE_FIELDS, PORTFOLIO_FIELDS, RECEIVABLE_FIELDS,
    SCORE_PART_FIELDS,
};
use crate::script::params::ParamTable;
use crate::script::view::CustomerView;

/// `Err(Flow::Bail)`: rhai must run this call.
#[inline]
pub(crate) fn bail<T>() -> Result<T, Flow> {
    Err(Flow::Bail)
}

/// `a op b`, as rhai's built-in operators compute it (checked integer arithmetic, floats
/// compared with a relative epsilon, `()` and mismatched types unequal), and patron's date
/// operators. Other operand types bail.
pub(crate) fn binary(op: &Token, a: &Dynamic, b: &Dynamic, max_string: usize) -> Outcome {
    // Two floats, the common case in scoring, first.
    if let (Some(x), Some(y)) = (plain_float(a), plain_float(b)) {
        return floats(op, x, y);
    }
    // (`as_int` and the like name the type on failure, which costs: test first.)
    if a.is_int() && b.is_int() {
        if let (Ok(x), Ok(y)) = (a.as_int(), b.as_int()) {
            return integers(op, x, y);
        }
    }
    if let (Some(x), Some(y)) = (as_number(a), as_number(b)) {
        return floats(op, x, y);
    }
    if a.is_variant() {
        if let Some(result) = date_operator(op, a, b) {
            return result;
        }
    }
    if a.is_bool() && b.is_bool() {
        if let (Ok(x), Ok(y)) = (a.as_bool(), b.as_bool()) {
            return compare(op, x.cmp(&y));
        }
    }
    if a.is_string() && b.is_string() {
        if *op == Token::Plus {
            return concat(a, b, max_string);
        }
        let (Some(x), Some(y)) = (
            a.read_lock::<ImmutableString>(),
            b.read_lock::<ImmutableString>(),
        ) else {
            return bail();
        };
        return compare(op, x.as_str().cmp(y.as_str()));
    }
    if a.is_unit() && b.is_unit() {
        return match op {
            Token::EqualsTo => Ok(Dynamic::TRUE),
            Token::NotEqualsTo
            | Token::LessThan
            | Token::LessThanEqualsTo
            | Token::GreaterThan
            | Token::GreaterThanEqualsTo => Ok(Dynamic::FALSE),
            _ => bail(),
        };
    }
    // `() + "text"` is the text; otherwise values of different kinds are never equal.
    if *op == Token::Plus && (a.is_unit() && b.is_string() || a.is_string() && b.is_unit()) {
        return Ok(if a.is_unit() { b.clone() } else { a.clone() });
    }
    if simple(a) && simple(b) && !(as_number(a).is_some() && as_number(b).is_some()) {
        return match op {
            Token::NotEqualsTo => Ok(Dynamic::TRUE),
            Token::EqualsTo
            | Token::LessThan
            | Token::LessThanEqualsTo
            | Token::GreaterThan
            | Token::GreaterThanEqualsTo => Ok(Dynamic::FALSE),
            _ => bail(),
        };
    }
    bail()
}

/// The float `value` holds, if it holds one.
#[inline(always)]
pub(crate) fn plain_float(value: &Dynamic) -> Option<f64> {
    if value.is_float() && !value.is_shared() {
        value.as_float().ok()
    } else {
        None
    }
}

/// Drops `value`, skipping rhai's out-of-line drop glue for the values that own nothing
/// (numbers, booleans, `()`): most of the values a rule computes. The fast tier never holds
/// a shared value (it has no closures), but one would be dropped normally.
#[inline(always)]
pub(crate) fn discard(value: Dynamic) {
    if !value.is_shared()
        && (value.is_float() || value.is_int() || value.is_bool() || value.is_unit())
    {
        std::mem::forget(value);
    }
}

/// A float, or an integer as a float.
pub(crate) fn as_number(value: &Dynamic) -> Option<f64> {
    if value.is_float() {
        value.as_float().ok()
    } else if value.is_int() {
        value.as_int().ok().map(|i| i as f64)
    } else {
        None
    }
}

/// Values whose mismatched comparisons rhai's built-ins decide (no package overrides them).
fn simple(value: &Dynamic) -> bool {
    value.is_unit()
        || value.is_bool()
        || value.is_int()
        || value.is_float()
        || value.is_string()
        || value.is::<Date>()
}

fn compare(op: &Token, ordering: std::cmp::Ordering) -> Outcome {
    use std::cmp::Ordering::{Equal, Greater, Less};
    Ok(Dynamic::from_bool(match op {
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
    value.map(Dynamic::from_int).ok_or(Flow::Bail)
}

/// rhai's float operators; comparisons are relative to the larger magnitude, within
/// `f64::EPSILON`.
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
        return Ok(Dynamic::from_float(value));
    }
    let max = if x * y == 0.0 {
        1.0
    } else {
        x.abs().max(y.abs())
    };
    let zero = max == 0.0;
    let e = f64::EPSILON;
    Ok(Dynamic::from_bool(match op {
        Token::EqualsTo => zero || (x - y).abs() / max <= e,
        Token::NotEqualsTo => !zero && (x - y).abs() / max > e,
        Token::GreaterThan => !zero && (x - y) / max > e,
        Token::GreaterThanEqualsTo => zero || (x - y) / max > -e,
        Token::LessThan => !zero && (y - x) / max > e,
        Token::LessThanEqualsTo => zero || (y - x) / max > -e,
        _ => return bail(),
    }))
}

fn concat(a: &Dynamic, b: &Dynamic, max_string: usize) -> Outcome {
    let (Some(a), Some(b)) = (
        a.read_lock::<ImmutableString>(),
        b.read_lock::<ImmutableString>(),
    ) else {
        return bail();
    };
    if max_string > 0 && a.len() + b.len() > max_string {
        return bail();
    }
    Ok(Dynamic::from(&*a + &*b))
}

/// patron's operators on dates (registered in `api::register_dates`).
fn date_operator(op: &Token, a: &Dynamic, b: &Dynamic) -> Option<Outcome> {
    let left = a.read_lock::<Date>()?;
    if let Some(right) = b.read_lock::<Date>() {
        let (x, y) = (*left, *right);
        let value = match op {
            Token::EqualsTo => Dynamic::from_bool(x == y),
            Token::NotEqualsTo => Dynamic::from_bool(x != y),
            Token::LessThan => Dynamic::from_bool(x < y),
            Token::LessThanEqualsTo => Dynamic::from_bool(x <= y),
            Token::GreaterThan => Dynamic::from_bool(x > y),
            Token::GreaterThanEqualsTo => Dynamic::from_bool(x >= y),
            Token::Minus => Dynamic::from_int((x - y).num_days()),
            _ => return Some(bail()),
        };
        return Some(Ok(value));
    }
    let days = b.as_int().ok()?;
    let days = match op {
        Token::Plus => days,
        Token::Minus => days.checked_neg().unwrap_or(INT::MAX),
        _ => return None,
    };
    Some(
        api::shift_date(*left, days)
            .map(Dynamic::from)
            .or_else(|_| bail()),
    )
}

/// `!a` and `-a`.
pub(crate) fn unary(op: &Token, a: Dynamic) -> Outcome {
    match op {
        Token::Bang => a
            .as_bool()
            .map(|b| Dynamic::from_bool(!b))
            .or_else(|_| bail()),
        Token::Minus | Token::UnaryMinus => {
            if let Ok(n) = a.as_int() {
                return n.checked_neg().map(Dynamic::from_int).ok_or(Flow::Bail);
            }
            if let Ok(x) = a.as_float() {
                return Ok(Dynamic::from_float(-x));
            }
            bail()
        }
        _ => bail(),
    }
}

/// Appends `value` to an interpolated string as rhai's `to_string` would write it.
pub(crate) fn write_text(out: &mut String, value: &Dynamic) -> Result<(), Flow> {
    use std::fmt::Write;
    if let Some(text) = value.read_lock::<ImmutableString>() {
        out.push_str(&text);
        return Ok(());
    }
    if value.is_int() || value.is_float() || value.is_bool() {
        let _ = write!(out, "{value}");
        return Ok(());
    }
    if value.is_unit() {
        return Ok(());
    }
    if let Some(date) = value.read_lock::<Date>() {
        let _ = write!(out, "{}", *date);
        return Ok(());
    }
    bail()
}

fn field<T: Clone + 'static>(fields: &[Field<T>], name: &str) -> Option<fn(&T) -> Dynamic> {
    fields
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, read)| *read)
}

/// A property read `x.name`, with its readers for each type looked up once.
pub(crate) struct Property {
    name: ImmutableString,
    fact: Option<FactGetter>,
    date: Option<fn(&Date) -> Dynamic>,
    receivable: Option<fn(&ReceivableFact) -> Dynamic>,
    portfolio: Option<fn(&PortfolioFacts) -> Dynamic>,
    score_part: Option<fn(&ScorePart) -> Dynamic>,
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
        }
    }

    /// Reads the property of `value`.
    pub(crate) fn read(&self, value: &Dynamic) -> Outcome {
        if let Some(view) = value.read_lock::<CustomerView>() {
            if let Some((name, read)) = self.fact {
                view.note(name);
                return Ok(read(&view));
            }
            return match self.name.as_str() {
                "portfolio" => {
                    view.note("portfolio");
                    view.facts()
                        .portfolio
                        .clone()
                        .map(Dynamic::from)
                        .ok_or(Flow::Bail)
                }
                "has_portfolio" => {
                    view.note("portfolio");
                    Ok(Dynamic::from_bool(view.facts().portfolio.is_some()))
                }
                _ => bail(),
            };
        }
        if let Some(table) = value.read_lock::<ParamTable>() {
            return table.lookup(&self.name).cloned().ok_or(Flow::Bail);
        }
        if let Some(map) = value.read_lock::<Map>() {
            return map.get(self.name.as_str()).cloned().ok_or(Flow::Bail);
        }
        if let (Some(read), Some(r)) = (self.receivable, value.read_lock::<ReceivableFact>()) {
            return Ok(read(&r));
        }
        if let (Some(read), Some(d)) = (self.date, value.read_lock::<Date>()) {
            return Ok(read(&d));
        }
        if let (Some(read), Some(p)) = (self.portfolio, value.read_lock::<PortfolioFacts>()) {
            return Ok(read(&p));
        }
        if let (Some(read), Some(p)) = (self.score_part, value.read_lock::<ScorePart>()) {
            return Ok(read(&p));
        }
        bail()
    }
}

/// `x[index]`.
pub(crate) fn index(value: &Dynamic, index: &Dynamic) -> Outcome {
    if let Some(key) = index.read_lock::<ImmutableString>() {
        if let Some(table) = value.read_lock::<ParamTable>() {
            return table.lookup(&key).cloned().ok_or(Flow::Bail);
        }
        if let Some(map) = value.read_lock::<Map>() {
            return map.get(key.as_str()).cloned().ok_or(Flow::Bail);
        }
        return bail();
    }
    if let (Ok(i), Some(array)) = (index.as_int(), value.read_lock::<Array>()) {
        return usize::try_from(i)
            .ok()
            .and_then(|i| array.get(i))
            .cloned()
            .ok_or(Flow::Bail);
    }
    bail()
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
    /// `array.len()`
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
        target: &mut Dynamic,
        args: &mut [Dynamic],
        max_array_size: usize,
    ) -> Outcome {
        match self {
            Method::Push => {
                let Some(mut array) = target.write_lock::<Array>() else {
                    return bail();
                };
                if max_array_size > 0 && array.len() >= max_array_size {
                    return bail();
                }
                array.push(std::mem::take(&mut args[0]));
                Ok(Dynamic::UNIT)
            }
            _ => self.call_pure(target, args),
        }
    }

    /// Calls a method that does not change its target ([`Method::Push`] bails).
    pub(crate) fn call_pure(self, target: &Dynamic, args: &[Dynamic]) -> Outcome {
        let key = args.first().and_then(|a| a.read_lock::<ImmutableString>());
        match self {
            Method::Attr | Method::HasAttr => {
                let (Some(view), Some(key)) = (target.read_lock::<CustomerView>(), key) else {
                    return bail();
                };
                Ok(if self == Method::Attr {
                    api::attr(&view, &key)
                } else {
                    Dynamic::from_bool(api::has_attr(&view, &key))
                })
            }
            Method::OwnerCount => {
                let (Some(p), Some(key)) = (target.read_lock::<PortfolioFacts>(), key) else {
                    return bail();
                };
                Ok(Dynamic::from_int(api::owner_count(&p, &key)))
            }
            Method::Contains => contains(target, &args[0]),
            Method::Len => {
                if let Some(array) = target.read_lock::<Array>() {
                    return Ok(Dynamic::from_int(array.len() as INT));
                }
                match target.read_lock::<ImmutableString>() {
                    Some(text) => Ok(Dynamic::from_int(text.chars().count() as INT)),
                    None => bail(),
                }
            }
            Method::Round => match plain_float(target) {
                Some(x) => Ok(Dynamic::from_float(x.round())),
                None => bail(),
            },
            Method::SubString => {
                let (Some(text), Ok(start), Ok(length)) = (
                    target.read_lock::<ImmutableString>(),
                    args[0].as_int(),
                    args[1].as_int(),
                ) else {
                    return bail();
                };
                Ok(Dynamic::from(sub_string(&text, start, length)))
            }
            Method::Keys => {
                if let Some(table) = target.read_lock::<ParamTable>() {
                    return Ok(Dynamic::from_array(table.keys()));
                }
                match target.read_lock::<Map>() {
                    Some(map) => Ok(Dynamic::from_array(
                        map.keys()
                            .map(|k| Dynamic::from(ImmutableString::from(k.as_str())))
                            .collect(),
                    )),
                    None => bail(),
                }
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
fn contains(container: &Dynamic, item: &Dynamic) -> Outcome {
    if let Some(key) = item.read_lock::<ImmutableString>() {
        if let Some(table) = container.read_lock::<ParamTable>() {
            return Ok(Dynamic::from_bool(table.lookup(&key).is_some()));
        }
        if let Some(map) = container.read_lock::<Map>() {
            return Ok(Dynamic::from_bool(map.contains_key(key.as_str())));
        }
    }
    let Some(array) = container.read_lock::<Array>() else {
        return bail();
    };
    let same_primitive = |x: &Dynamic| {
        (x.is_string() && item.is_string())
            || (x.is_int() && item.is_int())
            || (x.is_bool() && item.is_bool())
    };
    let mut found = false;
    for x in array.iter() {
        if !same_primitive(x) {
            return bail();
        }
        if !found {
            found = match (
                x.read_lock::<ImmutableString>(),
                item.read_lock::<ImmutableString>(),
            ) {
                (Some(a), Some(b)) => *a == *b,
                _ => {
                    x.as_int().ok() == item.as_int().ok() && x.as_bool().ok() == item.as_bool().ok()
                }
            };
        }
    }
    Ok(Dynamic::from_bool(found))
}
