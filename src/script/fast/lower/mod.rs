//! Lowering rhai's AST into closures. A construct outside the subset makes lowering return
//! `None`, and the whole file stays with rhai.
//!
//! This module lowers files and functions and keeps the scopes; the constructs are lowered
//! in `stmt` (statements), `expr` (expressions), `call` (operators and function calls),
//! `number` (arithmetic, computed on numbers) and `chain` (property, method and index
//! chains).

mod call;
mod chain;
mod expr;
mod number;
mod stmt;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use rhai::{ASTFlags, ASTNode, Dynamic, Expr, ImmutableString, Stmt, AST};

use super::natives::Ladders;
use super::{FastFile, Function, Value};
use crate::script::params::ParamTable;

/// What lowering needs besides the AST.
pub(crate) struct LowerEnv {
    pub(crate) ladders: Ladders,
    /// The `params` root table, for paths that were not folded into constants.
    pub(crate) params: Dynamic,
    /// `limits.max_call_levels`: deeper call graphs stay with rhai.
    pub(crate) max_call_levels: usize,
    /// The data limits: a policy whose parameters hold more than they allow stays with
    /// rhai, which reports it where a rule reads them.
    pub(crate) data: super::DataLimits,
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
    // Parameters are folded into the lowered code, where nothing would measure them.
    let params = env.params.read_lock::<ParamTable>();
    if params.is_some_and(|table| !env.data.table_fits(&table)) {
        return Err(
            "a parameter holds more than the data limits (limits.max_string_size, \
             max_array_size, max_map_size) allow"
                .to_string(),
        );
    }
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
        // The value of the last statement is the function's: a decision (or an array of
        // score parts) made there is returned, like one in a `return`.
        if let Some(last) = body.last_mut() {
            let call = match last {
                Stmt::FnCall(call, pos) => Some(Expr::FnCall(call.clone(), *pos)),
                Stmt::Expr(expr) if matches!(**expr, Expr::FnCall(..) | Expr::Array(..)) => {
                    Some((**expr).clone())
                }
                _ => None,
            };
            if let Some(call) = call {
                let pos = call.position();
                *last = Stmt::Return(Some(Box::new(call)), ASTFlags::empty(), pos);
            }
        }
    }
    // A function that ends with a variable (`out`) returns it: lowered as a `return`, so
    // that a local is moved out of the frame that is about to go rather than copied.
    if let Some(last) = body.last_mut() {
        if let Stmt::Expr(expr) = last {
            if matches!(**expr, Expr::Variable(..)) {
                let pos = expr.position();
                *last = Stmt::Return(Some(Box::new((**expr).clone())), ASTFlags::empty(), pos);
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
        arity,
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
    scopes: Vec<(ImmutableString, usize, Option<Value>)>,
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
    /// The number of parameters (they take the first slots).
    arity: usize,
}

const NO_ARG: Value = Value::Unit;

impl Lowerer<'_> {
    fn declare(&mut self, name: &ImmutableString) -> usize {
        self.declare_known(name, None)
    }

    fn declare_known(&mut self, name: &ImmutableString, known: Option<Value>) -> usize {
        let slot = self.scopes.len();
        // Arrays and maps can change through their methods (`push`): only parameter tables
        // and plain values are constants.
        let known = known
            .filter(|_| !self.assigned.contains(name))
            .filter(|value| {
                value.items().is_none()
                    && value.as_map().is_none()
                    && !value.rhai().is_some_and(|d| d.is_array() || d.is_map())
            });
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

    fn refuse<T>(&self, why: String) -> Option<T> {
        Library::refuse(self.library, why)
    }
}
