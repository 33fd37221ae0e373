//! Property, method and index chains (`c.portfolio.size`, `params.cadence[g]`, `list.len()`):
//! parameter look-ups folded while lowering, `c.attr("…")` read directly, the rest applied
//! step by step at run time.

use rhai::{ASTFlags, Expr};

use super::super::Value;

use super::super::memo::IndexMemo;
use super::super::natives;
use super::super::ops::{self, bail, Method, Property, WithConstant};
use super::super::{Code, DataLimits, Machine, Outcome};
use super::call::with_args;
use super::{line, Lowerer};
use crate::script::api::FactGetter;
use crate::script::CustomerView;

/// One step of a property/method/index chain.
enum Step {
    Property(Property),
    /// A method, its arguments, and what `contains` found in parameter tables.
    Method(Method, Vec<Code>, IndexMemo),
    Index(Code, IndexMemo),
}

impl Lowerer<'_> {
    /// The value of `expr` when it is known while lowering: a literal, `params`, a constant
    /// variable, or a chain of parameter look-ups on one (`params.cadence["A"]`). Folding
    /// these is what makes parameter tables cost nothing at run time. A value holding more
    /// than the data limits allow is not known: rhai measures it where a call is given it,
    /// and lowered code bails where it would use it (see [`Lowerer::constant`]).
    pub(super) fn known(&self, expr: &Expr) -> Option<Value> {
        self.known_unmeasured(expr)
            .filter(|value| self.env.data.check(value).is_ok())
    }

    fn known_unmeasured(&self, expr: &Expr) -> Option<Value> {
        match expr {
            Expr::DynamicConstant(value, _) => Some(Value::from_dynamic((**value).clone())),
            Expr::BoolConstant(b, _) => Some(Value::Bool(*b)),
            Expr::IntegerConstant(i, _) => Some(Value::Int(*i)),
            Expr::FloatConstant(f, _) => Some(Value::Float(**f)),
            Expr::StringConstant(s, _) => Some(Value::Str(s.clone())),
            Expr::Unit(_) => Some(Value::Unit),
            Expr::Variable(var, ..) => match self.scopes.iter().rev().find(|(n, ..)| *n == var.1) {
                Some((.., known)) => known.clone(),
                None if var.1.as_str() == "params" => {
                    Some(Value::from_dynamic(self.env.params.clone()))
                }
                None => None,
            },
            Expr::Dot(..) | Expr::Index(..) => {
                let (base, steps) = chain_parts(expr)?;
                let (value, folded) = self.fold_steps(base, &steps);
                (folded == steps.len()).then_some(value).flatten()
            }
            // A pure function of patron's with constant arguments (`stage_rank("contact")`).
            Expr::FnCall(call, _)
                if call.op_token.is_none()
                    && !call.capture_parent_scope
                    && !self
                        .ast
                        .iter_fn_def()
                        .any(|f| f.name == call.name && f.params.len() == call.args.len()) =>
            {
                let args = call
                    .args
                    .iter()
                    .map(|a| self.known(a))
                    .collect::<Option<Vec<_>>>()?;
                natives::fold(&call.name, &args, &self.env.ladders)
            }
            _ => None,
        }
    }

    /// Applies the leading steps of a chain that can be applied while lowering: the value
    /// and how many steps it took. Besides property reads and constant indexes, the keys of
    /// a table or map (`params.dimensions.keys()`, walked by a loop on every call) are taken
    /// now.
    fn fold_steps(&self, base: &Expr, steps: &[(bool, &Expr)]) -> (Option<Value>, usize) {
        let Some(mut value) = self.known(base) else {
            return (None, 0);
        };
        if !is_parameter_data(&value) {
            return (Some(value), 0);
        }
        let mut folded = 0;
        for (dotting, step) in steps {
            let next = match (dotting, step) {
                (true, Expr::Property(property, _)) => Property::new(&property.2).read(&value),
                (false, index) => match self.known(index) {
                    Some(index) => ops::index(&value, &index),
                    None => break,
                },
                (true, Expr::MethodCall(call, _))
                    if Method::resolve(&call.name, call.args.len()) == Some(Method::Keys) =>
                {
                    Method::Keys.call_pure(&value, &[], &self.env.data)
                }
                _ => break,
            };
            match next {
                Ok(next) if is_parameter_data(&next) || folded + 1 == steps.len() => {
                    value = next;
                    folded += 1;
                }
                Ok(next) => {
                    value = next;
                    folded += 1;
                    break;
                }
                Err(_) => break,
            }
        }
        (Some(value), folded)
    }

    /// `base.step.step[index]…`: property reads, method calls and indexing.
    pub(super) fn chain(&mut self, expr: &Expr) -> Option<Code> {
        let Some((base_expr, raw)) = chain_parts(expr) else {
            return self.refuse(format!("`?.` or `?[`{}", line(expr.position())));
        };
        // Parameter look-ups at the start of the chain are done now; a known base (such as
        // a constant variable, whose slot is empty) is used as it is.
        let (known_base, folded) = self.fold_steps(base_expr, &raw);
        if folded > 0 || known_base.is_some() {
            let value = known_base?;
            let steps = raw[folded..]
                .iter()
                .map(|(dotting, step)| self.step(*dotting, step))
                .collect::<Option<Vec<Step>>>()?;
            if steps
                .iter()
                .any(|s| matches!(s, Step::Method(Method::Push, ..)))
            {
                return self.refuse(format!(
                    "`push` on something other than a variable{}",
                    line(expr.position())
                ));
            }
            return Some(Box::new(move |m| run_steps_on(m, &value, &steps)));
        }
        let (Expr::Dot(binary, ..) | Expr::Index(binary, ..)) = expr else {
            return None;
        };
        if let Some(code) = self.attribute_read(&binary.lhs, &raw) {
            return Some(code);
        }
        let steps = raw
            .into_iter()
            .map(|(dotting, step)| self.step(dotting, step))
            .collect::<Option<Vec<Step>>>()?;
        let pushes = steps
            .iter()
            .any(|s| matches!(s, Step::Method(Method::Push, ..)));
        // A variable base is read in place; `push` must change the variable itself.
        let base_slot = match &binary.lhs {
            Expr::Variable(var, ..) => self.slot_of(&var.1),
            _ => None,
        };
        if pushes && (steps.len() != 1 || base_slot.is_none()) {
            return self.refuse(format!(
                "`push` on something other than a variable{}",
                line(expr.position())
            ));
        }
        if let Some(slot) = base_slot {
            // A single method on a variable runs on the variable itself (`out.push(x)`).
            if let [Step::Method(..)] = steps.as_slice() {
                let Some(Step::Method(method, args, memo)) = steps.into_iter().next() else {
                    return None;
                };
                if method == Method::Push {
                    self.mutated.push(slot);
                }
                return Some(Box::new(move |m| {
                    with_args(m, &args, |m, values| {
                        if method == Method::Contains {
                            return contains(&memo, m.local(slot), values);
                        }
                        let limits = *m.data_limits();
                        method.call(m.local_mut(slot), values, &limits)
                    })
                }));
            }
        }
        if let (Some(slot), [Step::Property(_)]) = (base_slot, steps.as_slice()) {
            let Some(Step::Property(property)) = steps.into_iter().next() else {
                return None;
            };
            return Some(property_of_variable(slot, property));
        }
        let base: Option<Code> = match base_slot {
            Some(_) => None,
            None => Some(self.expr(&binary.lhs)?),
        };
        Some(Box::new(move |m| {
            let value = match (&base, base_slot) {
                (Some(base), _) => base(m)?,
                (None, Some(slot)) => match steps.first() {
                    // A property of a variable is read without copying the variable.
                    Some(Step::Property(property)) => {
                        let value = property.read(m.local(slot))?;
                        return run_steps(m, value, &steps[1..]);
                    }
                    _ => m.local(slot).clone(),
                },
                (None, None) => return bail(),
            };
            run_steps(m, value, &steps)
        }))
    }

    /// `c.attr("name")` or `c.has_attr("name")` on a variable, with a literal name: the
    /// most common read in rules, done without evaluating the name or dispatching the method.
    fn attribute_read(&mut self, base: &Expr, steps: &[(bool, &Expr)]) -> Option<Code> {
        let [(true, Expr::MethodCall(call, _))] = steps else {
            return None;
        };
        let Expr::Variable(var, ..) = base else {
            return None;
        };
        let has = match (call.name.as_str(), call.args.as_slice()) {
            ("attr", [_]) => false,
            ("has_attr", [_]) => true,
            _ => return None,
        };
        let Value::Str(name) = self.known(&call.args[0])? else {
            return None;
        };
        let slot = self.slot_of(&var.1)?;
        // The method and its argument, as `step` would count them.
        self.nodes += 2;
        let hint = std::cell::Cell::new(0);
        let read = move |view: &CustomerView, limits: &DataLimits| {
            if has {
                return Ok(Value::Bool(crate::script::api::has_attr(view, &name)));
            }
            match crate::script::api::attribute_hinted(view, &name, &hint) {
                Some(value) => limits.attribute(value),
                None => Ok(Value::Unit),
            }
        };
        Some(Box::new(move |m| {
            let limits = *m.data_limits();
            on_view(m, slot, |view| read(view, &limits)).unwrap_or_else(bail)
        }))
    }

    fn step(&mut self, dotting: bool, expr: &Expr) -> Option<Step> {
        if !dotting {
            return Some(Step::Index(self.expr(expr)?, IndexMemo::default()));
        }
        self.nodes += 1;
        match expr {
            Expr::Property(property, _) => Some(Step::Property(Property::new(&property.2))),
            Expr::MethodCall(call, pos) => {
                let Some(method) = Method::resolve(&call.name, call.args.len()) else {
                    return self.refuse(format!("the method `{}`{}", call.name, line(*pos)));
                };
                let args = call
                    .args
                    .iter()
                    .map(|a| self.expr(a))
                    .collect::<Option<Vec<_>>>()?;
                Some(Step::Method(method, args, IndexMemo::default()))
            }
            other => self.refuse(format!("a property step{}", line(other.position()))),
        }
    }
}

/// `read` applied to the customer view held by the local variable in `slot` (the lent view,
/// or a view boxed in a value); `None` when the variable holds something else.
#[inline]
pub(super) fn on_view<T>(
    m: &Machine,
    slot: usize,
    read: impl FnOnce(&CustomerView) -> T,
) -> Option<T> {
    match m.local(slot) {
        Value::View => m.view().map(read),
        value => value
            .rhai()?
            .read_lock::<CustomerView>()
            .map(|view| read(&view)),
    }
}

impl Lowerer<'_> {
    /// `x.name` where `x` is a local variable (not a constant) and `name` a fact of the
    /// customer view (`c.purchase_count`): the variable's slot, the property and the fact's
    /// getter.
    pub(super) fn fact_of_variable(&self, expr: &Expr) -> Option<(usize, Property, FactGetter)> {
        let (base, steps) = chain_parts(expr)?;
        let (Expr::Variable(var, ..), [(true, Expr::Property(property, _))]) =
            (base, steps.as_slice())
        else {
            return None;
        };
        if self.known(expr).is_some() {
            return None;
        }
        let slot = self.slot_of(&var.1)?;
        let property = Property::new(&property.2);
        let fact = property.fact()?;
        Some((slot, property, fact))
    }
}

/// `x.name op constant` for a fact `x.name` of a local variable ([`Lowerer::fact_of_variable`]):
/// the fact is read and compared in one step (`c.purchase_count > 0`, `c.grade == ()`), as
/// [`property_of_variable`] reads it and [`WithConstant`] compares it.
/// `property` is read as it is elsewhere when the variable holds something other than the
/// lent view.
pub(super) fn fact_with_constant(
    slot: usize,
    property: Property,
    (name, read): FactGetter,
    op: WithConstant,
) -> Code {
    Box::new(move |m| {
        let value = m.local(slot);
        if let (Value::View, Some(view)) = (value, m.view()) {
            view.note(name);
            return op.apply(&read(view), m.data_limits());
        }
        let value = property.read(value)?;
        op.apply(&value, m.data_limits())
    })
}

/// `x.name` for a local variable `x`, the commonest step of all (`c.revenue_365`): read in
/// place, and a fact of the customer view without going through the other property readers.
fn property_of_variable(slot: usize, property: Property) -> Code {
    let Some((name, read)) = property.fact() else {
        return Box::new(move |m| property.read(m.local(slot)));
    };
    Box::new(move |m| {
        let value = m.local(slot);
        if let (Value::View, Some(view)) = (value, m.view()) {
            view.note(name);
            return Ok(read(view));
        }
        property.read(value)
    })
}

/// Parameter tables, maps and arrays: the values whose look-ups can be done while lowering.
fn is_parameter_data(value: &Value) -> bool {
    match value {
        Value::Table(_) => true,
        _ if value.items().is_some() || value.as_map().is_some() => true,
        _ => value.rhai().is_some_and(|d| {
            d.is::<crate::script::params::ParamTable>() || d.is_map() || d.is_array()
        }),
    }
}

/// `base.a[b].c` → (`base`, [(dotting, `a`), (indexing, `b`), (dotting, `c`)]); `None` for
/// the null-conditional `?.` and `?[`.
fn chain_parts(expr: &Expr) -> Option<(&Expr, Vec<(bool, &Expr)>)> {
    let (Expr::Dot(binary, flags, _) | Expr::Index(binary, flags, _)) = expr else {
        return None;
    };
    let mut steps = Vec::new();
    let mut dotting = matches!(expr, Expr::Dot(..));
    let (mut rhs, mut flags) = (&binary.rhs, *flags);
    loop {
        if flags.intersects(ASTFlags::NEGATED) {
            return None;
        }
        match rhs {
            Expr::Dot(inner, inner_flags, _) | Expr::Index(inner, inner_flags, _)
                if !flags.intersects(ASTFlags::BREAK) =>
            {
                steps.push((dotting, &inner.lhs));
                dotting = matches!(rhs, Expr::Dot(..));
                flags = *inner_flags;
                rhs = &inner.rhs;
            }
            _ => {
                steps.push((dotting, rhs));
                break;
            }
        }
    }
    Some((&binary.lhs, steps))
}

/// Applies `steps` to a value that stays where it is (a constant): the first step reads it
/// in place.
fn run_steps_on(m: &mut Machine, value: &Value, steps: &[Step]) -> Outcome {
    match steps.split_first() {
        Some((Step::Property(property), rest)) => {
            let value = property.read(value)?;
            run_steps(m, value, rest)
        }
        Some((Step::Index(index, memo), rest)) => {
            let index = index(m)?;
            run_steps(m, memo.index(value, &index)?, rest)
        }
        Some((Step::Method(method, args, memo), rest)) if *method != Method::Push => {
            let limits = *m.data_limits();
            let value = with_args(m, args, |_, values| match method {
                Method::Contains => contains(memo, value, values),
                _ => method.call_pure(value, values, &limits),
            })?;
            run_steps(m, value, rest)
        }
        _ => run_steps(m, value.clone(), steps),
    }
}

/// Applies `steps` to `value` in order.
fn run_steps(m: &mut Machine, mut value: Value, steps: &[Step]) -> Outcome {
    for step in steps {
        let next = match step {
            Step::Property(property) => property.read(&value)?,
            Step::Index(index, memo) => {
                let index = index(m)?;
                memo.index(&value, &index)?
            }
            Step::Method(Method::Contains, args, memo) => {
                with_args(m, args, |_, values| contains(memo, &value, values))?
            }
            Step::Method(method, args, _) => {
                let limits = *m.data_limits();
                with_args(m, args, |_, values| {
                    method.call(&mut value, values, &limits)
                })?
            }
        };
        value = next;
    }
    Ok(value)
}

/// `target.contains(key)`: remembered in `memo` when `target` is a parameter table and
/// `key` a string (`params.region_visit_every_months.contains(region)`), otherwise as
/// [`Method::Contains`] does it.
#[inline]
fn contains(memo: &IndexMemo, target: &Value, args: &[Value]) -> Outcome {
    match (target, args) {
        (Value::Table(table), [Value::Str(key)]) => memo.contains(table, key),
        _ => Method::Contains.call_pure(target, args, &DataLimits::default()),
    }
}
