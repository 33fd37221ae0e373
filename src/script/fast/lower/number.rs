//! Arithmetic lowered to code that computes numbers, not values: a weighted score such as
//! `w.revenue * min((c.attr("rev") ?? 0) / s.revenue, 1.0) + …` becomes a tree whose steps
//! pass [`Num`]s (sixteen bytes, returned in registers) instead of [`Value`]s, with
//! constants applied in place, `min`/`max`/`clamp` computed directly, and `c.attr("…") ?? k`
//! read from the record's JSON without a value in between.
//!
//! An expression is lowered this way only when it shows it is arithmetic: an operator or
//! `min`/`max`/`clamp` with a numeric constant (or numeric arithmetic) among its operands,
//! and no constant that is not a number (`"text" + 1` stays with the generic operators).
//! When a step meets a value that is not a number (a date minus a number of days), or an
//! integer overflows or is divided by zero, the arithmetic gives up and the expression is
//! computed again by the usual code, which then gives what it always gives (a date, or a
//! bail to rhai); only expressions without side effects are lowered this way.
//! [`Arith::apply`] and the natives' `min`/`max`/`clamp` are checked against the generic
//! operators and natives in their tests, and `tests/fast_conformance.rs` runs arithmetic
//! templates over every pair of value types against rhai.

use rhai::{Expr, FnCallExpr, ImmutableString, Token};

use super::super::natives;
use super::super::ops::Arith;
use super::super::{Code, Machine, Num, Value};
use super::chain::on_view;
use super::Lowerer;
use crate::script::CustomerView;

/// Lowered arithmetic: the number, or `None` when it meets something else (the usual code
/// then computes the expression).
type NumCode = Box<dyn Fn(&mut Machine) -> Option<Num>>;

/// What a call computes, when it is arithmetic.
#[derive(Clone, Copy)]
enum Shape {
    /// `a op b`.
    Binary(Arith),
    /// `-a`.
    Negate,
    /// rhai's `min(a, b)`.
    Min,
    /// rhai's `max(a, b)`.
    Max,
    /// patron's `clamp(x, low, high)`.
    Clamp,
}

impl Lowerer<'_> {
    /// `call` lowered as arithmetic when it shows it is arithmetic (see the module's
    /// documentation) and its operands have no side effects; `None` to lower it as usual.
    /// When the arithmetic meets a value that is not a number (a date minus days, say), the
    /// call is computed again by the usual code, which gives what it always gives. Inner
    /// `Option`: `None` when an operand cannot be lowered at all (the file stays in rhai).
    pub(super) fn arithmetic(
        &mut self,
        call: &FnCallExpr,
        pos: rhai::Position,
    ) -> Option<Option<Code>> {
        let shape = self.shape(call)?;
        if !self.shows_arithmetic(call) || !call.args.iter().all(pure) {
            return None;
        }
        // The operations are counted once, by the usual code.
        let nodes = self.nodes;
        let number = self.number_call(call, shape);
        self.nodes = nodes;
        let generic = self.generic_call(call, pos);
        Some(match (number, generic) {
            (Some(number), Some(generic)) => Some(Box::new(move |m| match number(m) {
                Some(number) => Ok(Value::from(number)),
                None => generic(m),
            })),
            (_, generic) => generic,
        })
    }

    /// The arithmetic `call` computes, if it is an arithmetic operator or a call of rhai's
    /// `min`/`max` or patron's `clamp` (not a script function of the same name).
    fn shape(&self, call: &FnCallExpr) -> Option<Shape> {
        if call.capture_parent_scope {
            return None;
        }
        let arity = call.args.len();
        if let Some(op) = &call.op_token {
            return match (op, arity) {
                (Token::UnaryMinus | Token::Minus, 1) => Some(Shape::Negate),
                (op, 2) => Arith::of(op).map(Shape::Binary),
                _ => None,
            };
        }
        let shape = match (call.name.as_str(), arity) {
            ("min", 2) => Shape::Min,
            ("max", 2) => Shape::Max,
            ("clamp", 3) => Shape::Clamp,
            _ => return None,
        };
        let own = self
            .ast
            .iter_fn_def()
            .any(|f| f.name == call.name && f.params.len() == arity);
        (!own).then_some(shape)
    }

    /// Whether `call` is arithmetic by the look of it, so that its operands are most likely
    /// numbers (when they are not, the arithmetic gives up): no operand is a constant other
    /// than a number, and an operand is a number or arithmetic itself. For `+`, which also joins strings
    /// (`"a" + 1` is `"a1"`), both operands must be; for the others one is enough (rhai has
    /// no `-`, `*`, `/`, `%`, `min`, `max` or `clamp` of a string and a number), and `x ?? k`
    /// with a number `k` counts as one.
    fn shows_arithmetic(&self, call: &FnCallExpr) -> bool {
        let Some(shape) = self.shape(call) else {
            return false;
        };
        let constants_are_numbers = call
            .args
            .iter()
            .all(|arg| self.known(arg).is_none_or(|value| value.number().is_some()));
        let arithmetic = |arg: &Expr| match arg {
            Expr::FnCall(inner, _) => self.shows_arithmetic(inner),
            _ => self.number_constant(arg).is_some(),
        };
        let defaulted = |arg: &Expr| {
            matches!(arg, Expr::Coalesce(operands, _)
                if operands.len() == 2 && self.number_constant(&operands[1]).is_some())
        };
        constants_are_numbers
            && match shape {
                Shape::Binary(Arith::Add) => call.args.iter().all(arithmetic),
                _ => call
                    .args
                    .iter()
                    .any(|arg| arithmetic(arg) || defaulted(arg)),
            }
    }

    /// The number `expr` is known to be while lowering.
    fn number_constant(&self, expr: &Expr) -> Option<Num> {
        self.known(expr).and_then(|value| value.number())
    }

    /// `expr` as arithmetic: a constant, a variable, `x ?? k`, an arithmetic call, or any
    /// other expression, whose value must then be a number for the arithmetic to go on.
    fn number(&mut self, expr: &Expr) -> Option<NumCode> {
        if let Some(value) = self.known(expr) {
            // As `expr` counts a constant (and a call made while lowering, its arguments).
            self.nodes += 1 + match expr {
                Expr::FnCall(call, _) => call.args.len() as u64,
                _ => 0,
            };
            return Some(match value.number() {
                Some(number) => Box::new(move |_| Some(number)),
                None => Box::new(|_| None),
            });
        }
        match expr {
            Expr::FnCall(call, _) => {
                if let Some(shape) = self.shape(call) {
                    self.nodes += 1;
                    return self.number_call(call, shape);
                }
            }
            Expr::Variable(var, ..) => {
                if let Some(slot) = self.slot_of(&var.1) {
                    self.nodes += 1;
                    return Some(Box::new(move |m| m.local(slot).number()));
                }
            }
            Expr::Coalesce(operands, _) => {
                if let [first, default] = operands.as_slice() {
                    if let Some(default) = self.number_constant(default) {
                        // The `??`, and its default as `expr` counts a constant.
                        self.nodes += 2;
                        return self.number_or(first, default);
                    }
                }
            }
            _ => {}
        }
        let code = self.expr(expr)?;
        Some(Box::new(move |m| code(m).ok()?.number()))
    }

    /// `first ?? default` with a number for `default`: `c.attr("name")` is read from the
    /// record's JSON directly.
    fn number_or(&mut self, first: &Expr, default: Num) -> Option<NumCode> {
        if let Some((slot, name)) = self.attribute_call(first) {
            // The variable, the method and its argument, as `expr` counts them.
            self.nodes += 3;
            let hint = std::cell::Cell::new(0);
            return Some(Box::new(move |m| {
                let read = |view: &CustomerView| match crate::script::api::attribute_hinted(
                    view, &name, &hint,
                ) {
                    None | Some(serde_json::Value::Null) => Some(default),
                    Some(serde_json::Value::Number(n)) => Some(Num::of_json(n)),
                    Some(_) => None,
                };
                on_view(m, slot, read).flatten()
            }));
        }
        let code = self.expr(first)?;
        Some(Box::new(move |m| match code(m).ok()? {
            Value::Unit => Some(default),
            value => value.number(),
        }))
    }

    /// `x.attr("name")` on a local variable with a literal name: the variable's slot and the
    /// name.
    pub(super) fn attribute_call(&self, expr: &Expr) -> Option<(usize, ImmutableString)> {
        let Expr::Dot(binary, ..) = expr else {
            return None;
        };
        let (Expr::Variable(var, ..), Expr::MethodCall(call, _)) = (&binary.lhs, &binary.rhs)
        else {
            return None;
        };
        if call.name.as_str() != "attr" || call.args.len() != 1 {
            return None;
        }
        let Value::Str(name) = self.known(&call.args[0])? else {
            return None;
        };
        Some((self.slot_of(&var.1)?, name))
    }

    /// An arithmetic call (already counted) with its operands lowered as arithmetic; a
    /// constant operand of an operator is applied in place.
    fn number_call(&mut self, call: &FnCallExpr, shape: Shape) -> Option<NumCode> {
        let args = call.args.as_slice();
        Some(match (shape, args) {
            (Shape::Binary(op), [a, b]) => match (self.number_constant(a), self.number_constant(b))
            {
                (_, Some(y)) => {
                    let left = self.number(a)?;
                    self.nodes += 1;
                    Box::new(move |m| op.apply(left(m)?, y))
                }
                (Some(x), None) => {
                    self.nodes += 1;
                    let right = self.number(b)?;
                    Box::new(move |m| op.apply(x, right(m)?))
                }
                (None, None) => {
                    let left = self.number(a)?;
                    let right = self.number(b)?;
                    Box::new(move |m| {
                        let x = left(m)?;
                        op.apply(x, right(m)?)
                    })
                }
            },
            (Shape::Negate, [a]) => {
                let operand = self.number(a)?;
                Box::new(move |m| match operand(m)? {
                    Num::Int(i) => i.checked_neg().map(Num::Int),
                    Num::Float(x) => Some(Num::Float(-x)),
                })
            }
            (Shape::Min | Shape::Max, [a, b]) => {
                let pick = match shape {
                    Shape::Min => natives::min,
                    _ => natives::max,
                };
                match self.number_constant(b) {
                    Some(y) => {
                        let left = self.number(a)?;
                        self.nodes += 1;
                        Box::new(move |m| Some(pick(left(m)?, y)))
                    }
                    None => {
                        let left = self.number(a)?;
                        let right = self.number(b)?;
                        Box::new(move |m| {
                            let x = left(m)?;
                            Some(pick(x, right(m)?))
                        })
                    }
                }
            }
            (Shape::Clamp, [x, low, high]) => {
                let bounds = (self.number_constant(low), self.number_constant(high));
                let value = self.number(x)?;
                match bounds {
                    (Some(low), Some(high)) => {
                        self.nodes += 2;
                        Box::new(move |m| natives::clamp(value(m)?, low, high))
                    }
                    _ => {
                        let low = self.number(low)?;
                        let high = self.number(high)?;
                        Box::new(move |m| {
                            let x = value(m)?;
                            let low = low(m)?;
                            natives::clamp(x, low, high(m)?)
                        })
                    }
                }
            }
            _ => return None,
        })
    }
}

/// Whether evaluating `expr` changes nothing, so that it can be evaluated a second time:
/// no block, no `push`.
fn pure(expr: &Expr) -> bool {
    match expr {
        Expr::DynamicConstant(..)
        | Expr::BoolConstant(..)
        | Expr::IntegerConstant(..)
        | Expr::FloatConstant(..)
        | Expr::CharConstant(..)
        | Expr::StringConstant(..)
        | Expr::Unit(..)
        | Expr::Variable(..)
        | Expr::Property(..) => true,
        Expr::Dot(binary, ..) | Expr::Index(binary, ..) => pure(&binary.lhs) && pure(&binary.rhs),
        Expr::MethodCall(call, _) => call.name.as_str() != "push" && call.args.iter().all(pure),
        Expr::FnCall(call, _) => call.args.iter().all(pure),
        Expr::And(operands, _) | Expr::Or(operands, _) | Expr::Coalesce(operands, _) => {
            operands.iter().all(pure)
        }
        Expr::Array(items, _) | Expr::InterpolatedString(items, _) => items.iter().all(pure),
        Expr::Map(map, _) => map.0.iter().all(|(_, value)| pure(value)),
        _ => false,
    }
}
