//! Statements: blocks, `let`, assignment (plain and compound), `if`, `for` over arrays,
//! `return` and `throw` (which hands the call to rhai), each counting its operations.

use rhai::{ASTFlags, BinaryExpr, Expr, ImmutableString, Stmt, Token};

use super::super::ops::{self, bail};
use super::super::{Code, Flow, Machine, Value};
use super::{line, Lowerer};

impl Lowerer<'_> {
    /// A block: its statements in a scope of their own; its value is the last one's. The
    /// operations of all its statements are counted when the block starts (more than run
    /// when one of them returns early, which only makes the tier bail sooner).
    pub(super) fn block(&mut self, statements: &[Stmt]) -> Option<Code> {
        let depth = self.scopes.len();
        let codes = statements
            .iter()
            .map(|s| self.statement(s))
            .collect::<Option<Vec<(Code, u64)>>>();
        self.scopes.truncate(depth);
        let codes = codes?;
        let cost: u64 = codes.iter().map(|(_, cost)| cost).sum();
        let mut codes: Vec<Code> = codes.into_iter().map(|(code, _)| code).collect();
        Some(match codes.len() {
            0 => Box::new(|_| Ok(Value::Unit)),
            1 => {
                let code = codes.pop()?;
                Box::new(move |m| {
                    m.count(cost)?;
                    code(m)
                })
            }
            _ => Box::new(move |m| {
                m.count(cost)?;
                let (last, rest) = codes.split_last().expect("two or more statements");
                for code in rest {
                    code(m)?;
                }
                last(m)
            }),
        })
    }

    /// A statement and its operations: its expression nodes.
    fn statement(&mut self, statement: &Stmt) -> Option<(Code, u64)> {
        let before = self.nodes;
        let code = self.statement_inner(statement)?;
        Some((code, 1 + self.nodes - before))
    }

    fn statement_inner(&mut self, statement: &Stmt) -> Option<Code> {
        Some(match statement {
            Stmt::Noop(_) => Box::new(|_| Ok(Value::Unit)),
            Stmt::Expr(expr) => self.expr(expr)?,
            Stmt::FnCall(call, pos) => self.call(call, *pos)?,
            Stmt::Block(block) => self.block(block.statements())?,
            Stmt::Var(var, flags, pos) => {
                if flags.intersects(ASTFlags::EXPORTED) {
                    return self.refuse(format!("`export`{}", line(*pos)));
                }
                let value = self.expr(&var.1)?;
                let known = self.known(&var.1);
                let slot = self.declare_known(&var.0.name, known);
                if self
                    .scopes
                    .last()
                    .is_some_and(|(.., known)| known.is_some())
                {
                    // A constant: every use of it is folded (see `known`), so the slot is
                    // never read and storing a copy (of a parameter table, say) is wasted.
                    return Some(Box::new(|_| Ok(Value::Unit)));
                }
                Box::new(move |m| {
                    let value = value(m)?;
                    *m.local_mut(slot) = value;
                    Ok(Value::Unit)
                })
            }
            Stmt::Assignment(assignment) => {
                let (op, BinaryExpr { lhs, rhs }) = &**assignment;
                let Expr::Variable(var, ..) = lhs else {
                    return self.refuse(format!(
                        "assignment to a property or index{}",
                        line(lhs.position())
                    ));
                };
                let Some(slot) = self.slot_of(&var.1) else {
                    return self.refuse(format!(
                        "assignment to `{}`{}",
                        var.1,
                        line(lhs.position())
                    ));
                };
                self.mutated.push(slot);
                let value = self.expr(rhs)?;
                match op.get_op_assignment_info() {
                    None => Box::new(move |m| {
                        let value = value(m)?;
                        *m.local_mut(slot) = value;
                        Ok(Value::Unit)
                    }),
                    Some((.., op, _)) => {
                        let op = op.clone();
                        Box::new(move |m| {
                            let right = value(m)?;
                            // `list += more` of two arrays appends in place (rhai's `+=`).
                            if op == Token::Plus
                                && right.items().is_some()
                                && m.local(slot).items().is_some()
                            {
                                let limits = *m.data_limits();
                                let list = m.local_mut(slot);
                                list.append(right, limits.array)?;
                                limits.check(list)?;
                                return Ok(Value::Unit);
                            }
                            // `text += more` of two strings: in place when nothing else holds
                            // the text, else into a string the machine keeps.
                            if op == Token::Plus {
                                if let Value::Str(more) = &right {
                                    if append_text(m, slot, more)? {
                                        return Ok(Value::Unit);
                                    }
                                }
                            }
                            let result = ops::binary(&op, m.local(slot), &right, m.data_limits())?;
                            *m.local_mut(slot) = result;
                            Ok(Value::Unit)
                        })
                    }
                }
            }
            Stmt::If(flow, _) => {
                let condition = self.expr(&flow.expr)?;
                let then = self.block(flow.body.statements())?;
                let otherwise = self.block(flow.branch.statements())?;
                Box::new(move |m| {
                    let Some(test) = condition(m)?.as_bool() else {
                        return bail();
                    };
                    if test {
                        then(m)
                    } else {
                        otherwise(m)
                    }
                })
            }
            Stmt::For(for_loop, _) => {
                let (var, counter, flow) = &**for_loop;
                let items = self.expr(&flow.expr)?;
                let depth = self.scopes.len();
                let item_slot = self.declare(&var.name);
                let counter_slot = counter.as_ref().map(|c| self.declare(&c.name));
                let body = self.block(flow.body.statements());
                self.scopes.truncate(depth);
                let body = body?;
                Box::new(move |m| {
                    // The loop walks the array as it was when the loop began: a change the
                    // body makes to the variable it came from copies it (`Value::push`).
                    let Some(items) = items(m)?.into_items() else {
                        return bail();
                    };
                    for (i, item) in items.iter().enumerate() {
                        m.iteration()?;
                        m.count(1)?;
                        *m.local_mut(item_slot) = item.clone();
                        if let Some(slot) = counter_slot {
                            *m.local_mut(slot) = Value::Int(i as rhai::INT);
                        }
                        let _ = body(m)?;
                    }
                    Ok(Value::Unit)
                })
            }
            Stmt::Return(value, flags, _) => {
                if flags.intersects(ASTFlags::BREAK) {
                    // `throw`: rhai runs the call again and raises the error itself.
                    return Some(Box::new(|_| bail()));
                }
                if let Some(Expr::FnCall(call, pos)) = value.as_deref() {
                    if let Some(decide) = self.decision(call, *pos) {
                        return Some(decide);
                    }
                }
                if let Some(Expr::Array(items, _)) = value.as_deref() {
                    if let Some(parts) = self.parts(items) {
                        return Some(parts);
                    }
                }
                if let Some(Expr::Variable(var, ..)) = value.as_deref() {
                    // A local variable of this function (not a parameter, whose value may be
                    // lent by the caller, nor a constant) is moved out: its frame ends here.
                    let local = self.slot_of(&var.1).filter(|slot| *slot >= self.arity);
                    if let (Some(slot), None) = (local, self.known(value.as_deref()?)) {
                        // The variable, as `expr` would count it.
                        self.nodes += 1;
                        return Some(Box::new(move |m| {
                            Err(Flow::Return(std::mem::take(m.local_mut(slot))))
                        }));
                    }
                }
                let value = match value {
                    Some(expr) => self.expr(expr)?,
                    None => self.constant(Value::Unit),
                };
                Box::new(move |m| Err(Flow::Return(value(m)?)))
            }
            other => {
                let what = match other {
                    Stmt::Switch(..) => "`switch`",
                    Stmt::While(..) | Stmt::Do(..) => "a `while`, `do` or `loop` loop",
                    Stmt::TryCatch(..) => "`try`/`catch`",
                    Stmt::BreakLoop(..) => "`break` or `continue`",
                    _ => "a statement outside the fast subset",
                };
                return self.refuse(format!("{what}{}", line(other.position())));
            }
        })
    }
}

/// `text += more` where the local variable in `slot` holds a string: `true` once done (in
/// place when nothing else holds the string, else into one of the machine's
/// ([`Machine::make_text`])); `false` when the variable holds anything else; a bail past the
/// string limit.
fn append_text(m: &mut Machine, slot: usize, more: &ImmutableString) -> Result<bool, Flow> {
    let max = m.max_string_size();
    let Value::Str(text) = m.local_mut(slot) else {
        return Ok(false);
    };
    if max > 0 && text.len() + more.len() > max {
        return bail();
    }
    if let Some(unique) = text.get_mut() {
        unique.push_str(more);
        return Ok(true);
    }
    let mut joined = m.take_text();
    if let Value::Str(text) = m.local(slot) {
        joined.push_str(text);
    }
    joined.push_str(more);
    let made = m.make_text(&joined);
    m.give_text(joined);
    *m.local_mut(slot) = Value::Str(made);
    Ok(true)
}
