//! Expressions: constants, variables, interpolated strings, array and map literals, `&&`
//! `||` `??`; calls and chains are lowered in `call` and `chain`.

use rhai::{Dynamic, Expr, Identifier, ImmutableString};

use super::super::ops::{self, bail};
use super::super::sizes::{entry_sizes, item_sizes, DataSizes};
use super::super::{Code, DataLimits, Flow, Machine, Value, ValueMap};
use super::chain::on_view;
use super::{line, Lowerer};

impl Lowerer<'_> {
    /// A constant: numbers, booleans and dates are made afresh, strings and boxed values
    /// cloned. One that holds more than the data limits allow (a long literal array) bails:
    /// rhai measures it where a call is given it.
    pub(super) fn constant(&mut self, value: Value) -> Code {
        if self.env.data.check(&value).is_err() {
            return Box::new(|_| bail());
        }
        match value {
            Value::Float(x) => Box::new(move |_| Ok(Value::Float(x))),
            Value::Int(i) => Box::new(move |_| Ok(Value::Int(i))),
            Value::Bool(b) => Box::new(move |_| Ok(Value::Bool(b))),
            Value::Unit => Box::new(|_| Ok(Value::Unit)),
            Value::Date(d) => Box::new(move |_| Ok(Value::Date(d))),
            value => Box::new(move |_| Ok(value.clone())),
        }
    }

    pub(super) fn expr(&mut self, expr: &Expr) -> Option<Code> {
        self.nodes += 1;
        if matches!(expr, Expr::Variable(..) | Expr::Dot(..) | Expr::Index(..)) {
            if let Some(value) = self.known(expr) {
                return Some(self.constant(value));
            }
        }
        if let Expr::FnCall(call, _) = expr {
            if let Some(value) = self.known(expr) {
                // A call made while lowering: its arguments are counted as if evaluated.
                self.nodes += call.args.len() as u64;
                return Some(self.constant(value));
            }
        }
        Some(match expr {
            Expr::DynamicConstant(value, _) => {
                self.constant(Value::from_dynamic((**value).clone()))
            }
            Expr::BoolConstant(b, _) => self.constant(Value::Bool(*b)),
            Expr::IntegerConstant(i, _) => self.constant(Value::Int(*i)),
            Expr::FloatConstant(f, _) => self.constant(Value::Float(**f)),
            Expr::CharConstant(c, _) => self.constant(Value::dynamic(Dynamic::from_char(*c))),
            Expr::StringConstant(s, _) => self.constant(Value::Str(s.clone())),
            Expr::Unit(_) => self.constant(Value::Unit),
            Expr::Variable(var, _, pos) => match self.slot_of(&var.1) {
                Some(slot) => Box::new(move |m| Ok(m.local(slot).clone())),
                None if var.1.as_str() == "params" => {
                    self.constant(Value::from_dynamic(self.env.params.clone()))
                }
                None => return self.refuse(format!("the variable `{}`{}", var.1, line(*pos))),
            },
            Expr::InterpolatedString(parts, _) => {
                // Literal parts are copied as they are; the text is sized once for them and
                // a typical value in each `${…}`.
                let parts = parts
                    .iter()
                    .map(|p| match p {
                        Expr::StringConstant(literal, _) => {
                            self.nodes += 1;
                            Some(Err(literal.clone()))
                        }
                        _ => self.expr(p).map(Ok),
                    })
                    .collect::<Option<Vec<Result<Code, ImmutableString>>>>()?;
                let capacity = parts
                    .iter()
                    .map(|p| p.as_ref().map_or_else(|literal| literal.len(), |_| 24))
                    .sum();
                Box::new(move |m| {
                    // Built in a buffer the machine keeps, then copied once into a script
                    // string: one the machine made before and nothing holds any more when
                    // there is one (`Machine::make_text`).
                    let mut text = m.take_text();
                    text.reserve(capacity);
                    let built = write_parts(m, &parts, &mut text);
                    let made = built.map(|()| Value::Str(m.make_text(&text)));
                    m.give_text(text);
                    made
                })
            }
            Expr::Array(items, _) => {
                let items = items
                    .iter()
                    .map(|p| self.expr(p))
                    .collect::<Option<Vec<_>>>()?;
                Box::new(move |m| {
                    let max = m.max_array_size();
                    if max > 0 && items.len() > max {
                        return bail();
                    }
                    // Measured as it is made, as rhai measures a literal.
                    let mut array = Vec::with_capacity(items.len());
                    let mut sizes = DataSizes::default();
                    for item in &items {
                        let value = item(m)?;
                        sizes += item_sizes(&value).ok_or(Flow::Bail)?;
                        array.push(value);
                    }
                    m.data_limits().allow(sizes)?;
                    Ok(Value::measured_array(array, sizes))
                })
            }
            Expr::Map(map, _) => {
                // rhai's template holds every name of the literal (each once: a name given
                // twice does not parse); the entries give their values.
                let (entries, template) = &**map;
                let template: ValueMap = template
                    .iter()
                    .map(|(name, value)| (name.clone(), Value::from_ref(value)))
                    .collect();
                let entries = entries
                    .iter()
                    .map(|(name, value)| {
                        Some((Identifier::from(name.name.as_str()), self.expr(value)?))
                    })
                    .collect::<Option<Vec<_>>>()?;
                Box::new(move |m| {
                    let mut map = template.clone();
                    let mut sizes = DataSizes::default();
                    for (name, value) in &entries {
                        let value = value(m)?;
                        sizes += entry_sizes(&value).ok_or(Flow::Bail)?;
                        map.insert(name.clone(), value);
                    }
                    m.data_limits().allow(sizes)?;
                    Ok(Value::map(map))
                })
            }
            Expr::Stmt(block) => self.block(block.statements())?,
            Expr::FnCall(call, pos) => self.call(call, *pos)?,
            Expr::Dot(..) | Expr::Index(..) => self.chain(expr)?,
            Expr::And(operands, _) | Expr::Or(operands, _) => {
                let stop_at = matches!(expr, Expr::Or(..));
                let operands = operands
                    .iter()
                    .map(|p| self.expr(p))
                    .collect::<Option<Vec<_>>>()?;
                Box::new(move |m| {
                    for operand in &operands {
                        let Some(value) = operand(m)?.as_bool() else {
                            return bail();
                        };
                        if value == stop_at {
                            return Ok(Value::Bool(stop_at));
                        }
                    }
                    Ok(Value::Bool(!stop_at))
                })
            }
            Expr::Coalesce(operands, _) => {
                if let Some(code) = self.attribute_or(operands) {
                    return Some(code);
                }
                let operands = operands
                    .iter()
                    .map(|p| self.expr(p))
                    .collect::<Option<Vec<_>>>()?;
                Box::new(move |m| {
                    let mut value = Value::Unit;
                    for operand in &operands {
                        value = operand(m)?;
                        if !matches!(value, Value::Unit) {
                            break;
                        }
                    }
                    Ok(value)
                })
            }
            other => {
                return self.refuse(format!(
                    "an expression outside the fast subset{}",
                    line(other.position())
                ))
            }
        })
    }
}

impl Lowerer<'_> {
    /// `c.attr("name") ?? constant`, the commonest way rules read an attribute: the
    /// record's JSON value is read straight into a value, and the constant stands for a
    /// missing or `null` one. `None` for any other `??`.
    fn attribute_or(&mut self, operands: &[Expr]) -> Option<Code> {
        let [first, default] = operands else {
            return None;
        };
        let default = self.known(default)?;
        let (slot, name) = self.attribute_call(first)?;
        // The variable, the method, its argument and the constant, as `expr` counts them.
        self.nodes += 4;
        let hint = std::cell::Cell::new(0);
        let read = move |view: &crate::script::CustomerView, limits: &DataLimits| {
            match crate::script::api::attribute_hinted(view, &name, &hint) {
                None | Some(serde_json::Value::Null) => Ok(default.clone()),
                Some(value) => limits.attribute(value),
            }
        };
        Some(Box::new(move |m| {
            let limits = *m.data_limits();
            on_view(m, slot, |view| read(view, &limits)).unwrap_or_else(bail)
        }))
    }
}

/// Writes the parts of an interpolated string into `text` (literals as they are, values as
/// rhai writes them); bails past the size limit.
#[inline]
fn write_parts(
    m: &mut Machine,
    parts: &[Result<Code, ImmutableString>],
    text: &mut String,
) -> Result<(), Flow> {
    for part in parts {
        match part {
            Err(literal) => text.push_str(literal),
            Ok(code) => {
                let value = code(m)?;
                ops::write_text(text, &value)?;
            }
        }
        let max = m.max_string_size();
        if max > 0 && text.len() > max {
            return bail();
        }
    }
    Ok(())
}
