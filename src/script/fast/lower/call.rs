//! Calls: operators, the script's own functions (arguments lent rather than copied where
//! the callee leaves them intact), patron's natives, decisions returned unboxed from an entry
//! function, and methods written as functions (`contains(list, x)`, `x in list`).

use std::rc::Rc;

use rhai::{Array, Dynamic, Expr, FnCallExpr, ImmutableString, Token};

use super::super::natives::{self, PartNative};
use super::super::ops::{self, Method, WithConstant};
use super::super::{Code, Decided, Flow, Function, Machine, Record, Value};
use super::chain::fact_with_constant;
use super::{line, lower_function, Lowerer, NO_ARG};
use crate::model::ScorePart;
use crate::script::api;
use crate::script::decisions::MadePart;

/// Evaluates `args` into `out[..args.len()]`.
#[inline]
fn eval_args(m: &mut Machine, args: &[Code], out: &mut [Value]) -> Result<(), Flow> {
    for (code, slot) in args.iter().zip(out.iter_mut()) {
        *slot = code(m)?;
    }
    Ok(())
}

/// Runs `f` with the evaluated `args`, on the stack (in an array of their number, so that
/// no unused slot is dropped) for up to four arguments.
#[inline]
pub(super) fn with_args<T>(
    m: &mut Machine,
    args: &[Code],
    f: impl FnOnce(&mut Machine, &mut [Value]) -> Result<T, Flow>,
) -> Result<T, Flow> {
    macro_rules! on_stack {
        ($n:literal) => {{
            let mut buffer = [NO_ARG; $n];
            eval_args(m, args, &mut buffer)?;
            f(m, &mut buffer)
        }};
    }
    match args.len() {
        0 => f(m, &mut []),
        1 => on_stack!(1),
        2 => on_stack!(2),
        3 => on_stack!(3),
        4 => on_stack!(4),
        _ => {
            let mut buffer = vec![Value::Unit; args.len()];
            eval_args(m, args, &mut buffer)?;
            f(m, &mut buffer)
        }
    }
}

/// An operand of a binary operator that is read where it is rather than evaluated by a
/// closure of its own: a constant, or a local variable.
enum Operand {
    Const(Value),
    Local(usize),
}

/// `left op right`, with the operands evaluated in order. A constant operand, and a local
/// variable read before anything else is evaluated, are compared where they are: no closure
/// call and no copy for them.
fn binary(
    op: Token,
    operands: (Option<Operand>, Option<Operand>),
    left: Code,
    right: Code,
) -> Code {
    match operands {
        // A constant on the right: the operator is specialised for it (`x == ()`, `x > 0`).
        (Some(Operand::Local(a)), Some(Operand::Const(b))) => {
            let op = WithConstant::new(op, b);
            Box::new(move |m| op.apply(m.local(a), m.data_limits()))
        }
        (Some(Operand::Local(a)), Some(Operand::Local(b))) => {
            Box::new(move |m| ops::binary(&op, m.local(a), m.local(b), m.data_limits()))
        }
        (Some(Operand::Const(a)), Some(Operand::Local(b))) => {
            Box::new(move |m| ops::binary(&op, &a, m.local(b), m.data_limits()))
        }
        (_, Some(Operand::Const(b))) => {
            let op = WithConstant::new(op, b);
            Box::new(move |m| {
                let a = left(m)?;
                op.apply(&a, m.data_limits())
            })
        }
        // (The variable is read after the left operand, which may assign to it.)
        (_, Some(Operand::Local(b))) => Box::new(move |m| {
            let a = left(m)?;
            ops::binary(&op, &a, m.local(b), m.data_limits())
        }),
        (Some(Operand::Const(a)), None) => Box::new(move |m| {
            let b = right(m)?;
            ops::binary(&op, &a, &b, m.data_limits())
        }),
        _ => Box::new(move |m| {
            let a = left(m)?;
            let b = right(m)?;
            ops::binary(&op, &a, &b, m.data_limits())
        }),
    }
}

impl Lowerer<'_> {
    /// `expr` as an [`Operand`] read in place, when it is a constant or a local variable.
    fn operand(&self, expr: &Expr) -> Option<Operand> {
        if let Some(value) = self.known(expr) {
            return Some(Operand::Const(value));
        }
        match expr {
            Expr::Variable(var, ..) => self.slot_of(&var.1).map(Operand::Local),
            _ => None,
        }
    }

    /// A function call: an operator, one of the script's own functions, or a native.
    pub(super) fn call(&mut self, call: &FnCallExpr, pos: rhai::Position) -> Option<Code> {
        if call.capture_parent_scope {
            return self.refuse(format!("`{}!(…)`{}", call.name, line(pos)));
        }
        if let Some(arithmetic) = self.arithmetic(call, pos) {
            return arithmetic;
        }
        self.generic_call(call, pos)
    }

    /// A function call lowered as such (see [`Lowerer::call`]).
    pub(super) fn generic_call(&mut self, call: &FnCallExpr, pos: rhai::Position) -> Option<Code> {
        let mut args = call
            .args
            .iter()
            .map(|a| self.expr(a))
            .collect::<Option<Vec<_>>>()?;
        if let Some(op) = &call.op_token {
            return match (args.len(), op) {
                (2, _) => {
                    let right = args.pop()?;
                    let left = args.pop()?;
                    let operands = (self.operand(&call.args[0]), self.operand(&call.args[1]));
                    if let (Some((slot, property, fact)), (None, Some(Operand::Const(b)))) =
                        (self.fact_of_variable(&call.args[0]), &operands)
                    {
                        let op = WithConstant::new(op.clone(), b.clone());
                        return Some(fact_with_constant(slot, property, fact, op));
                    }
                    Some(binary(op.clone(), operands, left, right))
                }
                (1, Token::Bang | Token::Minus | Token::UnaryMinus) => {
                    let operand = args.pop()?;
                    let op = op.clone();
                    Some(Box::new(move |m| ops::unary(&op, operand(m)?)))
                }
                _ => self.refuse(format!("the operator `{}`{}", call.name, line(pos))),
            };
        }
        let arity = args.len();
        let own = self
            .ast
            .iter_fn_def()
            .any(|f| f.name == call.name && f.params.len() == arity);
        if own {
            let (function, height) =
                lower_function(self.ast, self.env, self.library, &call.name, arity, false)?;
            self.height = self.height.max(height);
            if function.params_intact {
                return Some(self.call_lending(call, args, function));
            }
            return Some(Box::new(move |m| {
                with_args(m, &args, |m, values| {
                    m.call(&function, values.iter_mut().map(std::mem::take))
                })
            }));
        }
        // A part of constants but its actual value, anywhere (`part_lower(…)` that a helper
        // returns): made as in an array of parts, and held as the tier's record.
        if let Some(fixed) = self.fixed_part(call, &mut args) {
            return Some(Box::new(move |m| {
                Ok(Value::record(Record::Part(fixed.make(m)?)))
            }));
        }
        let call_line = pos.line().unwrap_or(0);
        if let Some(native) = natives::resolve(&call.name, arity, &self.env.ladders) {
            // rhai measures what a native function returns (`money(1e300)` is a string
            // longer than a small `limits.max_string_size`).
            return Some(Box::new(move |m| {
                let value = with_args(m, &args, |_, values| native(values, call_line))?;
                m.data_limits().check(&value)?;
                Ok(value)
            }));
        }
        // A method written as a function, `contains(list, x)` — which is also what `x in
        // list` becomes.
        let method = arity
            .checked_sub(1)
            .and_then(|n| Method::resolve(&call.name, n))
            .filter(|m| *m != Method::Push);
        let Some(method) = method else {
            return self.refuse(format!(
                "the function `{}` with {arity} argument(s){}",
                call.name,
                line(pos)
            ));
        };
        Some(Box::new(move |m| {
            let limits = *m.data_limits();
            with_args(m, &args, |_, values| {
                let (target, rest) = values.split_first_mut().ok_or(Flow::Bail)?;
                method.call(target, rest, &limits)
            })
        }))
    }

    /// In an entry function, `return set_grade(…)` (or `set_stage`, `keep_grade`,
    /// `keep_stage`, `cadence`): the decision is made and handed to the engine as it is,
    /// without boxing it into a script value. `None` for anything else.
    pub(super) fn decision(&mut self, call: &FnCallExpr, pos: rhai::Position) -> Option<Code> {
        let arity = call.args.len();
        if !self.entry
            || call.capture_parent_scope
            || call.op_token.is_some()
            || self
                .ast
                .iter_fn_def()
                .any(|f| f.name == call.name && f.params.len() == arity)
        {
            return None;
        }
        let decide = natives::resolve_decision(&call.name, arity, &self.env.ladders)?;
        // The call, as `expr` would count it.
        self.nodes += 1;
        let line = pos.line().unwrap_or(0);
        // A decision of constants (`set_grade("A", "score from the A threshold")`) is made
        // now, by the same native; each call hands over a copy (strings shared).
        let known = call
            .args
            .iter()
            .map(|a| self.known(a))
            .collect::<Option<Vec<_>>>();
        let made = known.and_then(|mut values| decide(&mut values, line).ok());
        let code: Option<Code> = match made {
            Some(Decided::Decision(decision)) => Some(Box::new(move |m| {
                m.decide(Decided::Decision(decision.clone()))
            })),
            Some(Decided::Cadence(cadence)) => Some(Box::new(move |m| {
                m.decide(Decided::Cadence(cadence.clone()))
            })),
            Some(Decided::Parts(_)) | None => None,
        };
        if let Some(code) = code {
            // The arguments, as `expr` would count them.
            self.nodes += arity as u64;
            return Some(code);
        }
        let args = call
            .args
            .iter()
            .map(|a| self.expr(a))
            .collect::<Option<Vec<_>>>()?;
        Some(Box::new(move |m| {
            let decided = with_args(m, &args, |_, values| decide(values, line))?;
            m.decide(decided)
        }))
    }

    /// In an entry function, `return [part(…), …]` (or such an array as its last
    /// statement): the parts are made and handed to the engine as they are (see
    /// [`Decided::Parts`](super::super::Decided)), without boxing each into a script value
    /// and the array into another. An item that is not a direct `part`/`part_lower` call is
    /// evaluated as usual and taken when it is a score part; when one is anything else, the
    /// array is made as rhai makes it and returned. `None` (nothing lowered) unless this is an
    /// entry function and an item is a direct call of a part native.
    pub(super) fn parts(&mut self, items: &[Expr]) -> Option<Code> {
        fn direct<'e>(
            lowerer: &Lowerer<'_>,
            item: &'e Expr,
        ) -> Option<(PartNative, &'e FnCallExpr, usize)> {
            match item {
                Expr::FnCall(call, pos)
                    if !call.capture_parent_scope
                        && call.op_token.is_none()
                        && !lowerer
                            .ast
                            .iter_fn_def()
                            .any(|f| f.name == call.name && f.params.len() == call.args.len()) =>
                {
                    natives::resolve_part(&call.name, call.args.len(), &lowerer.env.ladders)
                        .map(|native| (native, &**call, pos.line().unwrap_or(0)))
                }
                _ => None,
            }
        }
        if !self.entry || !items.iter().any(|item| direct(self, item).is_some()) {
            return None;
        }
        // The array, as `expr` would count it.
        self.nodes += 1;
        let items = items
            .iter()
            .map(|item| match direct(self, item) {
                Some((native, call, line)) => {
                    // The call, as `expr` would count it.
                    self.nodes += 1;
                    let mut args = call
                        .args
                        .iter()
                        .map(|a| self.expr(a))
                        .collect::<Option<Vec<_>>>()?;
                    Some(match self.fixed_part(call, &mut args) {
                        Some(fixed) => PartItem::Fixed(Box::new(fixed)),
                        None => PartItem::Direct(native, args, line),
                    })
                }
                None => self.expr(item).map(PartItem::Other),
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Box::new(move |m| {
            let max = m.max_array_size();
            if max > 0 && items.len() > max {
                return ops::bail();
            }
            let mut parts = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item {
                    PartItem::Fixed(fixed) => parts.push(fixed.make(m)?),
                    PartItem::Direct(native, args, line) => {
                        parts.push(with_args(m, args, |_, values| native(values, *line))?);
                    }
                    PartItem::Other(code) => match code(m)?.into_part() {
                        Ok(part) => parts.push(part),
                        Err(value)
                            if value
                                .rhai()
                                .is_some_and(|v| !v.is_shared() && v.is::<ScorePart>()) =>
                        {
                            parts.push(MadePart::from(value.into_dynamic().cast::<ScorePart>()));
                        }
                        Err(other) => {
                            return Err(Flow::Return(array_of(m, parts, other, &items[i + 1..])?))
                        }
                    },
                }
            }
            m.decide(Decided::Parts(parts))
        }))
    }

    /// For a direct call of `part`/`part_lower` (see [`Lowerer::parts`]) whose name is a
    /// constant string and whose weight and standard are constant numbers: the part of
    /// those three and of the call's last argument, taken from `args` (the call's arguments
    /// lowered). `None` for any other call, which is made as it is, with `args` untouched.
    fn fixed_part(&self, call: &FnCallExpr, args: &mut Vec<Code>) -> Option<FixedPart> {
        let higher_is_better = match call.name.as_str() {
            "part" => true,
            "part_lower" => false,
            _ => return None,
        };
        let [name, weight, standard, _actual] = call.args.as_slice() else {
            return None;
        };
        let Value::Str(name) = self.known(name)? else {
            return None;
        };
        let weight = self.known(weight)?.number()?.float();
        let standard = self.known(standard)?.number()?.float();
        if args.len() != call.args.len() {
            return None;
        }
        Some(FixedPart {
            name,
            weight,
            standard,
            actual: args.pop()?,
            higher_is_better,
        })
    }

    /// A call of a script function that leaves its parameters intact: arguments that are
    /// variables of the caller (passed once) are moved into the callee's frame and back,
    /// the others evaluated as usual. Variables hold no references, so the callee cannot
    /// see that the caller's slot is empty meanwhile.
    fn call_lending(&self, call: &FnCallExpr, args: Vec<Code>, function: Rc<Function>) -> Code {
        let mut lent: Vec<Option<usize>> = call
            .args
            .iter()
            .map(|arg| match arg {
                // (A constant's slot is empty: its value is passed instead.)
                Expr::Variable(var, ..) if self.known(arg).is_none() => self.slot_of(&var.1),
                _ => None,
            })
            .collect();
        for i in 0..lent.len() {
            if lent[i].is_some() && lent.iter().filter(|other| **other == lent[i]).count() > 1 {
                let twice = lent[i];
                lent.iter_mut()
                    .filter(|other| **other == twice)
                    .for_each(|other| *other = None);
            }
        }
        Box::new(move |m| {
            let mut small = [NO_ARG; 4];
            let mut large = Vec::new();
            let values: &mut [Value] = if args.len() <= small.len() {
                &mut small[..args.len()]
            } else {
                large.resize(args.len(), Value::Unit);
                &mut large
            };
            let mut evaluated = Ok(());
            for ((code, slot), value) in args.iter().zip(&lent).zip(values.iter_mut()) {
                if slot.is_none() {
                    match code(m) {
                        Ok(v) => *value = v,
                        Err(flow) => {
                            evaluated = Err(flow);
                            break;
                        }
                    }
                }
            }
            let result = evaluated.and_then(|()| {
                for (slot, value) in lent.iter().zip(values.iter_mut()) {
                    if let Some(slot) = slot {
                        *value = std::mem::take(m.local_mut(*slot));
                    }
                }
                let result = m.call_lending(&function, values);
                for (slot, value) in lent.iter().zip(values.iter_mut()) {
                    if let Some(slot) = slot {
                        *m.local_mut(*slot) = std::mem::take(value);
                    }
                }
                result
            });
            result
        })
    }
}

/// An item of an array literal of score parts (see `Lowerer::parts`).
enum PartItem {
    /// A direct call of `part`/`part_lower` whose name, weight and standard are constants.
    Fixed(Box<FixedPart>),
    /// A direct call of `part`/`part_lower`: the native, its arguments and its line.
    Direct(PartNative, Vec<Code>, usize),
    /// Anything else.
    Other(Code),
}

/// `part(name, weight, standard, actual)` (or `part_lower`) whose first three arguments
/// are constants, as a policy nearly always writes it (`part("revenue",
/// params.weights.revenue, params.standards.revenue, c.revenue_365)`): only `actual` is
/// evaluated, and the part is made by the function both tiers' `part` call
/// ([`api::part_of`]), with the constants read where they are rather than evaluated, put
/// into an argument list and checked for their types on every call.
struct FixedPart {
    name: ImmutableString,
    weight: f64,
    standard: f64,
    actual: Code,
    higher_is_better: bool,
}

impl FixedPart {
    /// The part, or a bail where the native would fail (an `actual` that is not a number,
    /// a negative weight, a number that is not finite): rhai then reports it.
    #[inline]
    fn make(&self, m: &mut Machine) -> Result<MadePart, Flow> {
        let actual = match self.actual.as_ref()(m)? {
            Value::Float(x) => x,
            Value::Int(i) => i as f64,
            _ => return ops::bail(),
        };
        api::part_of(
            &self.name,
            Ok(self.weight),
            Ok(self.standard),
            Ok(actual),
            self.higher_is_better,
        )
        .map_err(|_| Flow::Bail)
    }
}

/// The array literal as rhai makes it, when one of its items (`value`) is not a score part:
/// the parts made before it, `value`, and the `rest` of the items evaluated in order.
fn array_of(
    m: &mut Machine,
    parts: Vec<MadePart>,
    value: Value,
    rest: &[PartItem],
) -> Result<Value, Flow> {
    let mut array: Array = parts
        .into_iter()
        .map(|part| Dynamic::from(part.into_score_part()))
        .collect();
    array.push(value.into_dynamic());
    for item in rest {
        let value = match item {
            PartItem::Fixed(fixed) => Dynamic::from(fixed.make(m)?.into_score_part()),
            PartItem::Direct(native, args, line) => Dynamic::from(
                with_args(m, args, |_, values| native(values, *line))?.into_score_part(),
            ),
            PartItem::Other(code) => code(m)?.into_dynamic(),
        };
        array.push(value);
    }
    Ok(Value::dynamic(Dynamic::from_array(array)))
}
