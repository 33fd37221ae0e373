//! Lowering rhai's AST into closures. A construct outside the subset makes lowering return
//! `None`, and the whole file stays with rhai.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use rhai::{
    ASTFlags, ASTNode, Array, BinaryExpr, Dynamic, Expr, FnCallExpr, ImmutableString, Map, Stmt,
    Token, AST,
};

use super::natives::{self, Ladders};
use super::ops::{self, bail, Method, Property};
use super::{Code, FastFile, Flow, Function, Machine, Outcome};
use crate::script::CustomerView;

/// What lowering needs besides the AST.
pub(crate) struct LowerEnv {
    pub(crate) ladders: Ladders,
    /// The `params` root table, for paths that were not folded into constants.
    pub(crate) params: Dynamic,
    /// `limits.max_call_levels`: deeper call graphs stay with rhai.
    pub(crate) max_call_levels: usize,
    /// `limits.max_map_size`.
    pub(crate) max_map_size: usize,
}

/// The script functions lowered so far (shared by every function of one file).
#[derive(Default)]
struct Library {
    /// By name, arity and whether lowered as an entry function (see `Lowerer::entry`).
    done: BTreeMap<(String, usize, bool), (Rc<Function>, usize)>,
    in_progress: Vec<(String, usize)>,
    /// The first construct found outside the subset.
    why: Option<String>,
}

impl Library {
    fn refuse<T>(library: &RefCell<Library>, why: String) -> Option<T> {
        library.borrow_mut().why.get_or_insert(why);
        None
    }
}

fn line(pos: rhai::Position) -> String {
    match pos.line() {
        Some(line) => format!(" (line {line})"),
        None => String::new(),
    }
}

/// Lowers the `entries` (name, arity) of `ast`, or says which construct outside the subset
/// keeps the file in rhai.
pub(crate) fn lower_file<'e>(
    ast: &AST,
    entries: impl IntoIterator<Item = (&'e str, usize)>,
    env: &LowerEnv,
) -> Result<FastFile, String> {
    let library = RefCell::new(Library::default());
    let mut lowered = BTreeMap::new();
    let refused = |library: &RefCell<Library>| {
        library
            .borrow_mut()
            .why
            .take()
            .unwrap_or_else(|| "a construct outside the fast subset".to_string())
    };
    for (name, arity) in entries {
        let Some((function, height)) = lower_function(ast, env, &library, name, arity, true) else {
            return Err(refused(&library));
        };
        if height + 2 > env.max_call_levels {
            return Err(format!(
                "`{name}` nests {height} function calls; limits.max_call_levels is {}",
                env.max_call_levels
            ));
        }
        lowered.insert(name.to_string(), function);
    }
    Ok(FastFile { entries: lowered })
}

/// Lowers the script function `name`/`arity`: the function and the height of its call graph.
fn lower_function(
    ast: &AST,
    env: &LowerEnv,
    library: &RefCell<Library>,
    name: &str,
    arity: usize,
    entry: bool,
) -> Option<(Rc<Function>, usize)> {
    let key = (name.to_string(), arity);
    if let Some(done) = library.borrow().done.get(&(name.to_string(), arity, entry)) {
        return Some(done.clone());
    }
    if library.borrow().in_progress.contains(&key) {
        // Recursion: rhai keeps its call-depth limit.
        return Library::refuse(library, format!("`{name}` is recursive"));
    }
    let def = ast
        .iter_fn_def()
        .find(|f| f.name == name && f.params.len() == arity)?;
    let (mut body, assigned) = function_body(ast, name, arity);
    if entry {
        // The value of the last statement is the function's: a decision made there is
        // returned, like one in a `return`.
        if let Some(last) = body.last_mut() {
            let call = match last {
                Stmt::FnCall(call, pos) => Some(Expr::FnCall(call.clone(), *pos)),
                Stmt::Expr(expr) if matches!(**expr, Expr::FnCall(..)) => Some((**expr).clone()),
                _ => None,
            };
            if let Some(call) = call {
                let pos = call.position();
                *last = Stmt::Return(Some(Box::new(call)), ASTFlags::empty(), pos);
            }
        }
    }
    library.borrow_mut().in_progress.push(key.clone());
    let mut lowerer = Lowerer {
        ast,
        env,
        library,
        scopes: Vec::new(),
        frame_size: 0,
        nodes: 0,
        height: 0,
        assigned,
        mutated: Vec::new(),
        entry,
    };
    for param in &def.params {
        lowerer.declare(param);
    }
    let body = lowerer.block(&body);
    library.borrow_mut().in_progress.pop();
    let body = body?;
    let function = Rc::new(Function {
        arity,
        frame_size: lowerer.frame_size,
        params_intact: lowerer.mutated.iter().all(|slot| *slot >= arity),
        body,
    });
    let height = lowerer.height + 1;
    library
        .borrow_mut()
        .done
        .insert((key.0, key.1, entry), (function.clone(), height));
    Some((function, height))
}

/// The statements of the script function `name`/`arity`, and the names of the variables it
/// assigns to. rhai's internals do not name the type of a function's body, so the body is
/// read by walking an AST holding only that function: its top-level statements are the
/// body's.
fn function_body(ast: &AST, name: &str, arity: usize) -> (Vec<Stmt>, Vec<ImmutableString>) {
    // (`clone_functions_only_filtered` ignores its filter when cloning into an empty module
    // in rhai 1.27, so clone everything and then retain.)
    let mut alone = ast.clone_functions_only();
    alone.retain_functions(|_, _, n, a| n == name && a == arity);
    let mut statements = Vec::new();
    let mut assigned = Vec::new();
    alone.walk(&mut |path: &[ASTNode]| {
        if let [ASTNode::Stmt(statement)] = path {
            statements.push((*statement).clone());
        }
        if let Some(ASTNode::Stmt(Stmt::Assignment(assignment))) = path.last() {
            if let Expr::Variable(var, ..) = &assignment.1.lhs {
                assigned.push(var.1.clone());
            }
        }
        true
    });
    (statements, assigned)
}

struct Lowerer<'a> {
    ast: &'a AST,
    env: &'a LowerEnv,
    library: &'a RefCell<Library>,
    /// Visible local names, their slots and (for a variable never assigned to after its
    /// `let` with a constant value, such as `let w = params.weights`) their value.
    scopes: Vec<(ImmutableString, usize, Option<Dynamic>)>,
    /// Names the function assigns to somewhere: never treated as constants.
    assigned: Vec<ImmutableString>,
    frame_size: usize,
    /// Expression nodes lowered so far, for operation counting.
    nodes: u64,
    /// The height of the call graph below this function.
    height: usize,
    /// Slots assigned to or `push`ed onto (parameters take the first slots).
    mutated: Vec<usize>,
    /// Whether this is an entry function the engine calls, whose `return set_grade(…)`
    /// (and the like) hands the decision over unboxed: see [`super::Decided`]. A function
    /// that is also called from a script is lowered a second time as a plain one.
    entry: bool,
}

const NO_ARG: Dynamic = Dynamic::UNIT;

/// Evaluates `args` into `out[..args.len()]`.
#[inline]
fn eval_args(m: &mut Machine, args: &[Code], out: &mut [Dynamic]) -> Result<(), Flow> {
    for (code, slot) in args.iter().zip(out.iter_mut()) {
        *slot = code(m)?;
    }
    Ok(())
}

/// Runs `f` with the evaluated `args`, on the stack for up to four arguments. The
/// arguments are discarded afterwards (see [`ops::discard`]).
#[inline]
fn with_args<T>(
    m: &mut Machine,
    args: &[Code],
    f: impl FnOnce(&mut Machine, &mut [Dynamic]) -> Result<T, Flow>,
) -> Result<T, Flow> {
    if args.len() <= 4 {
        // Every used entry is taken out and discarded below, so the array holds only `()`s
        // when it goes out of scope: dropping it would run the drop glue for nothing.
        let mut buffer = std::mem::ManuallyDrop::new([NO_ARG; 4]);
        let values = &mut buffer[..args.len()];
        let result = eval_args(m, args, values).and_then(|()| f(m, values));
        for value in values.iter_mut() {
            ops::discard(std::mem::take(value));
        }
        result
    } else {
        let mut buffer = vec![Dynamic::UNIT; args.len()];
        eval_args(m, args, &mut buffer)?;
        f(m, &mut buffer)
    }
}

/// One step of a property/method/index chain.
enum Step {
    Property(Property),
    Method(Method, Vec<Code>),
    Index(Code),
}

impl Lowerer<'_> {
    fn declare(&mut self, name: &ImmutableString) -> usize {
        self.declare_known(name, None)
    }

    fn declare_known(&mut self, name: &ImmutableString, known: Option<Dynamic>) -> usize {
        let slot = self.scopes.len();
        // Arrays and maps can change through their methods (`push`): only parameter tables
        // and plain values are constants.
        let known = known
            .filter(|_| !self.assigned.contains(name))
            .filter(|value| !value.is_array() && !value.is_map());
        self.scopes.push((name.clone(), slot, known));
        self.frame_size = self.frame_size.max(self.scopes.len());
        slot
    }

    fn slot_of(&self, name: &str) -> Option<usize> {
        self.scopes
            .iter()
            .rev()
            .find(|(n, ..)| n.as_str() == name)
            .map(|(_, slot, _)| *slot)
    }

    /// The value of `expr` when it is known while lowering: a literal, `params`, a constant
    /// variable, or a chain of parameter look-ups on one (`params.cadence["A"]`). Folding
    /// these is what makes parameter tables cost nothing at run time.
    fn known(&self, expr: &Expr) -> Option<Dynamic> {
        match expr {
            Expr::DynamicConstant(value, _) => Some((**value).clone()),
            Expr::BoolConstant(b, _) => Some(Dynamic::from_bool(*b)),
            Expr::IntegerConstant(i, _) => Some(Dynamic::from_int(*i)),
            Expr::FloatConstant(f, _) => Some(Dynamic::from_float(**f)),
            Expr::StringConstant(s, _) => Some(Dynamic::from(s.clone())),
            Expr::Unit(_) => Some(Dynamic::UNIT),
            Expr::Variable(var, ..) => match self.scopes.iter().rev().find(|(n, ..)| *n == var.1) {
                Some((.., known)) => known.clone(),
                None if var.1.as_str() == "params" => Some(self.env.params.clone()),
                None => None,
            },
            Expr::Dot(..) | Expr::Index(..) => {
                let (base, steps) = chain_parts(expr)?;
                let (value, folded) = self.fold_steps(base, &steps);
                (folded == steps.len()).then_some(value).flatten()
            }
            _ => None,
        }
    }

    /// Applies the leading steps of a chain that can be applied while lowering: the value
    /// and how many steps it took.
    fn fold_steps(&self, base: &Expr, steps: &[(bool, &Expr)]) -> (Option<Dynamic>, usize) {
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

    /// A block: its statements in a scope of their own; its value is the last one's.
    fn block(&mut self, statements: &[Stmt]) -> Option<Code> {
        let depth = self.scopes.len();
        let codes = statements
            .iter()
            .map(|s| self.statement(s))
            .collect::<Option<Vec<Code>>>();
        self.scopes.truncate(depth);
        let codes = codes?;
        Some(match codes.len() {
            0 => Box::new(|_| Ok(Dynamic::UNIT)),
            1 => codes.into_iter().next()?,
            _ => Box::new(move |m| {
                let (last, rest) = codes.split_last().expect("two or more statements");
                for code in rest {
                    ops::discard(code(m)?);
                }
                last(m)
            }),
        })
    }

    /// A statement, counting its expression nodes as operations when it runs.
    fn statement(&mut self, statement: &Stmt) -> Option<Code> {
        let before = self.nodes;
        let code = self.statement_inner(statement)?;
        let cost = 1 + self.nodes - before;
        Some(Box::new(move |m| {
            m.count(cost)?;
            code(m)
        }))
    }

    fn statement_inner(&mut self, statement: &Stmt) -> Option<Code> {
        Some(match statement {
            Stmt::Noop(_) => Box::new(|_| Ok(Dynamic::UNIT)),
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
                    return Some(Box::new(|_| Ok(Dynamic::UNIT)));
                }
                Box::new(move |m| {
                    let value = value(m)?;
                    ops::discard(std::mem::replace(m.local_mut(slot), value));
                    Ok(Dynamic::UNIT)
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
                        ops::discard(std::mem::replace(m.local_mut(slot), value));
                        Ok(Dynamic::UNIT)
                    }),
                    Some((.., op, _)) => {
                        let op = op.clone();
                        Box::new(move |m| {
                            let right = value(m)?;
                            let result =
                                ops::binary(&op, m.local(slot), &right, m.max_string_size());
                            ops::discard(right);
                            ops::discard(std::mem::replace(m.local_mut(slot), result?));
                            Ok(Dynamic::UNIT)
                        })
                    }
                }
            }
            Stmt::If(flow, _) => {
                let condition = self.expr(&flow.expr)?;
                let then = self.block(flow.body.statements())?;
                let otherwise = self.block(flow.branch.statements())?;
                Box::new(move |m| {
                    let condition = condition(m)?;
                    let test = condition.as_bool();
                    ops::discard(condition);
                    let Ok(test) = test else {
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
                    let items = items(m)?;
                    let Ok(items) = items.into_array() else {
                        return bail();
                    };
                    for (i, item) in items.into_iter().enumerate() {
                        m.iteration()?;
                        m.count(1)?;
                        *m.local_mut(item_slot) = item;
                        if let Some(slot) = counter_slot {
                            *m.local_mut(slot) = Dynamic::from_int(i as rhai::INT);
                        }
                        let _ = body(m)?;
                    }
                    Ok(Dynamic::UNIT)
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
                let value = match value {
                    Some(expr) => self.expr(expr)?,
                    None => self.constant(Dynamic::UNIT),
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

    fn refuse<T>(&self, why: String) -> Option<T> {
        Library::refuse(self.library, why)
    }

    /// A constant: numbers and booleans are made afresh, which is cheaper than cloning a
    /// `Dynamic` of unknown type.
    fn constant(&mut self, value: Dynamic) -> Code {
        if value.is_float() {
            if let Ok(x) = value.as_float() {
                return Box::new(move |_| Ok(Dynamic::from_float(x)));
            }
        }
        if let Ok(i) = value.as_int() {
            return Box::new(move |_| Ok(Dynamic::from_int(i)));
        }
        if let Ok(b) = value.as_bool() {
            return Box::new(move |_| Ok(Dynamic::from_bool(b)));
        }
        if value.is_unit() {
            return Box::new(|_| Ok(Dynamic::UNIT));
        }
        Box::new(move |_| Ok(value.clone()))
    }

    fn expr(&mut self, expr: &Expr) -> Option<Code> {
        self.nodes += 1;
        if matches!(expr, Expr::Variable(..) | Expr::Dot(..) | Expr::Index(..)) {
            if let Some(value) = self.known(expr) {
                return Some(self.constant(value));
            }
        }
        Some(match expr {
            Expr::DynamicConstant(value, _) => self.constant((**value).clone()),
            Expr::BoolConstant(b, _) => self.constant(Dynamic::from_bool(*b)),
            Expr::IntegerConstant(i, _) => self.constant(Dynamic::from_int(*i)),
            Expr::FloatConstant(f, _) => self.constant(Dynamic::from_float(**f)),
            Expr::CharConstant(c, _) => self.constant(Dynamic::from_char(*c)),
            Expr::StringConstant(s, _) => self.constant(Dynamic::from(s.clone())),
            Expr::Unit(_) => self.constant(Dynamic::UNIT),
            Expr::Variable(var, _, pos) => match self.slot_of(&var.1) {
                Some(slot) => Box::new(move |m| Ok(m.local(slot).clone())),
                None if var.1.as_str() == "params" => self.constant(self.env.params.clone()),
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
                    let mut text = String::with_capacity(capacity);
                    for part in &parts {
                        match part {
                            Err(literal) => text.push_str(literal),
                            Ok(code) => {
                                let value = code(m)?;
                                let written = ops::write_text(&mut text, &value);
                                ops::discard(value);
                                written?;
                            }
                        }
                        let max = m.max_string_size();
                        if max > 0 && text.len() > max {
                            return bail();
                        }
                    }
                    Ok(Dynamic::from(ImmutableString::from(text)))
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
                    let mut array = Array::with_capacity(items.len());
                    for item in &items {
                        array.push(item(m)?);
                    }
                    Ok(Dynamic::from_array(array))
                })
            }
            Expr::Map(map, _) => {
                let (entries, template) = &**map;
                let template: Map = template.clone();
                let entries = entries
                    .iter()
                    .map(|(name, value)| Some((name.name.clone(), self.expr(value)?)))
                    .collect::<Option<Vec<_>>>()?;
                let max = self.env.max_map_size;
                Box::new(move |m| {
                    let mut map = template.clone();
                    for (name, value) in &entries {
                        map.insert(name.as_str().into(), value(m)?);
                    }
                    if max > 0 && map.len() > max {
                        return bail();
                    }
                    Ok(Dynamic::from_map(map))
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
                        let value = operand(m)?;
                        let test = value.as_bool();
                        ops::discard(value);
                        let Ok(value) = test else {
                            return bail();
                        };
                        if value == stop_at {
                            return Ok(Dynamic::from_bool(stop_at));
                        }
                    }
                    Ok(Dynamic::from_bool(!stop_at))
                })
            }
            Expr::Coalesce(operands, _) => {
                let operands = operands
                    .iter()
                    .map(|p| self.expr(p))
                    .collect::<Option<Vec<_>>>()?;
                Box::new(move |m| {
                    let mut value = Dynamic::UNIT;
                    for operand in &operands {
                        ops::discard(std::mem::replace(&mut value, operand(m)?));
                        if !value.is_unit() {
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

    /// A function call: an operator, one of the script's own functions, or a native.
    fn call(&mut self, call: &FnCallExpr, pos: rhai::Position) -> Option<Code> {
        if call.capture_parent_scope {
            return self.refuse(format!("`{}!(…)`{}", call.name, line(pos)));
        }
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
                    let op = op.clone();
                    Some(Box::new(move |m| {
                        let a = left(m)?;
                        let b = match right(m) {
                            Ok(b) => b,
                            Err(flow) => {
                                ops::discard(a);
                                return Err(flow);
                            }
                        };
                        let result = ops::binary(&op, &a, &b, m.max_string_size());
                        ops::discard(a);
                        ops::discard(b);
                        result
                    }))
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
        let call_line = pos.line().unwrap_or(0);
        if let Some(native) = natives::resolve(&call.name, arity, &self.env.ladders) {
            return Some(Box::new(move |m| {
                with_args(m, &args, |_, values| native(values, call_line))
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
            with_args(m, &args, |_, values| {
                let (target, rest) = values.split_first_mut().ok_or(Flow::Bail)?;
                method.call(target, rest, 0)
            })
        }))
    }

    /// In an entry function, `return set_grade(…)` (or `set_stage`, `keep_grade`,
    /// `keep_stage`, `cadence`): the decision is made and handed to the engine as it is,
    /// without boxing it into a script value. `None` for anything else.
    fn decision(&mut self, call: &FnCallExpr, pos: rhai::Position) -> Option<Code> {
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
        let args = call
            .args
            .iter()
            .map(|a| self.expr(a))
            .collect::<Option<Vec<_>>>()?;
        let line = pos.line().unwrap_or(0);
        Some(Box::new(move |m| {
            let decided = with_args(m, &args, |_, values| decide(values, line))?;
            m.decide(decided)
        }))
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
            // Emptied below before it goes out of scope (see `with_args`).
            let mut small = std::mem::ManuallyDrop::new([NO_ARG; 4]);
            let mut large = Vec::new();
            let values: &mut [Dynamic] = if args.len() <= small.len() {
                &mut small[..args.len()]
            } else {
                large.resize(args.len(), Dynamic::UNIT);
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
            for value in values.iter_mut() {
                ops::discard(std::mem::take(value));
            }
            result
        })
    }

    /// `base.step.step[index]…`: property reads, method calls and indexing.
    fn chain(&mut self, expr: &Expr) -> Option<Code> {
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
                .any(|s| matches!(s, Step::Method(Method::Push, _)))
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
            .any(|s| matches!(s, Step::Method(Method::Push, _)));
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
                let Some(Step::Method(method, args)) = steps.into_iter().next() else {
                    return None;
                };
                if method == Method::Push {
                    self.mutated.push(slot);
                }
                return Some(Box::new(move |m| {
                    with_args(m, &args, |m, values| {
                        let max = m.max_array_size();
                        method.call(m.local_mut(slot), values, max)
                    })
                }));
            }
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
        let name = self.known(&call.args[0])?.into_immutable_string().ok()?;
        let slot = self.slot_of(&var.1)?;
        // The method and its argument, as `step` would count them.
        self.nodes += 2;
        Some(Box::new(move |m| {
            let Some(view) = m.local(slot).read_lock::<CustomerView>() else {
                return bail();
            };
            Ok(if has {
                Dynamic::from_bool(crate::script::api::has_attr(&view, &name))
            } else {
                crate::script::api::attr(&view, &name)
            })
        }))
    }

    fn step(&mut self, dotting: bool, expr: &Expr) -> Option<Step> {
        if !dotting {
            return Some(Step::Index(self.expr(expr)?));
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
                Some(Step::Method(method, args))
            }
            other => self.refuse(format!("a property step{}", line(other.position()))),
        }
    }
}

/// Parameter tables, maps and arrays: the values whose look-ups can be done while lowering.
fn is_parameter_data(value: &Dynamic) -> bool {
    value.is::<crate::script::params::ParamTable>() || value.is_map() || value.is_array()
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
fn run_steps_on(m: &mut Machine, value: &Dynamic, steps: &[Step]) -> Outcome {
    match steps.split_first() {
        Some((Step::Property(property), rest)) => {
            let value = property.read(value)?;
            run_steps(m, value, rest)
        }
        Some((Step::Index(index), rest)) => {
            let index = index(m)?;
            let value = ops::index(value, &index);
            ops::discard(index);
            run_steps(m, value?, rest)
        }
        Some((Step::Method(method, args), rest)) if *method != Method::Push => {
            let value = with_args(m, args, |_, values| method.call_pure(value, values))?;
            run_steps(m, value, rest)
        }
        _ => run_steps(m, value.clone(), steps),
    }
}

/// Applies `steps` to `value` in order.
fn run_steps(m: &mut Machine, mut value: Dynamic, steps: &[Step]) -> Outcome {
    for step in steps {
        let next = match step {
            Step::Property(property) => property.read(&value)?,
            Step::Index(index) => {
                let index = index(m)?;
                let next = ops::index(&value, &index);
                ops::discard(index);
                next?
            }
            Step::Method(method, args) => {
                let max = m.max_array_size();
                with_args(m, args, |_, values| method.call(&mut value, values, max))?
            }
        };
        ops::discard(std::mem::replace(&mut value, next));
    }
    Ok(value)
}
