//! The fast execution tier: a policy's entry functions lowered from rhai's AST into a tree
//! of Rust closures, run without rhai's per-node dispatch, function resolution or scope
//! look-ups.
//!
//! It covers the subset rules are written in — `let`, assignment, `if`, `for` over arrays,
//! `return`, blocks, constants, arithmetic and comparison operators, `&&` `||` `??` `in`,
//! interpolated strings, array and map literals, property access, indexing, the methods and
//! functions of patron's API, rhai's `min`/`max`, and calls to the script's own
//! (non-recursive) functions; `throw` hands the call to rhai. A file using anything else
//! (`while`, `switch`, closures, recursion, …) is left entirely to rhai: see [`lower`].
//!
//! The tier must never decide anything rhai would decide differently. Operators follow rhai
//! 1.27's built-ins for the types they handle (`ops`: checked integer arithmetic, floats
//! compared within a relative epsilon, `()` and mismatched types unequal); patron's functions
//! run the same Rust code as their rhai registrations. Whenever a value has a type the tier does not handle, or anything fails
//! (an unknown grade, an overflow, a size or operations limit — sizes measured all the way
//! down, as rhai measures them: `sizes`), the call **bails**: the
//! entry function is run again from the start by rhai, which then produces the result or
//! the error with its exact message and position. Scripts are pure functions of their
//! arguments, so running one again is safe. Operations are counted generously (every
//! statement counts all its expression nodes, and a block counts all its statements when it
//! starts) and the tier bails at half of
//! `max_operations`, so a call anywhere near the limit is decided by rhai; loops look at the
//! evaluation's deadline every few iterations. Without `while` or recursion, a lowered
//! function's work is bounded by the sizes of the arrays it walks.
//!
//! `tests/fast_tier.rs` runs every shipped policy over the examples and its own test cases
//! through both tiers, and `tests/properties.rs` over random customers; both require
//! identical results, and the tier counters (`Engine::tier_counts`) show that the fast tier
//! really ran (and that the forced interpreter did not use it). `tests/fast_conformance.rs`
//! runs every operator and built-in the tier reimplements over every pair of value types
//! against rhai itself, whose version is pinned in `Cargo.toml` for that reason.
//!
//! Lowered code computes with the tier's own [`Value`]s (`value`): numbers, booleans, dates,
//! strings, parameter tables and the customer view unboxed; arrays and maps of such values
//! and patron's actions, receivables and score parts as the tier's own; rhai's `Dynamic`
//! only for the rarer values. An array of actions an entry returns reaches the engine
//! unboxed ([`Returned::Actions`]), a map of plain values too ([`Returned::Map`]);
//! arithmetic passes plain numbers between its steps
//! (`lower::number`). Facts of `c` are read from the view as values (`api::CUSTOMER_FACTS`),
//! and values become `Dynamic`s only where they leave the tier.

mod items;
mod lower;
mod memo;
pub(crate) mod natives;
mod ops;
mod sizes;
mod value;

use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Instant;

use rhai::{Dynamic, ImmutableString, AST};

pub(crate) use super::decisions::{Decided, Returned};
use super::entries::{Entry, ENTRIES};

pub(crate) use lower::{lower_file, LowerEnv};
pub(crate) use sizes::DataLimits;
pub(crate) use value::{LentView, MapReturned, Num, Record, Value, ValueMap};

/// How many script strings a machine keeps for reuse ([`Machine::make_text`]).
const KEPT_TEXTS: usize = 8;

/// The longest text a kept script string is refilled with (longer ones are made afresh and
/// not kept, so that a kept string's buffer stays small).
const KEPT_TEXT_BYTES: usize = 1024;

/// Why a lowered function stopped early.
pub(crate) enum Flow {
    /// `return value`.
    Return(Value),
    /// An entry function returned a decision, which is in [`Machine::decided`] (see
    /// [`Decided`]).
    Decided,
    /// The fast tier cannot (or must not) finish this call: rhai runs it instead.
    Bail,
}

/// Why [`FastScripts::call`] left a call to rhai.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HandBack {
    /// The entry's file is not lowered: rhai runs all of its calls.
    NotLowered,
    /// The fast tier started the call and bailed ([`Flow::Bail`]).
    Bailed,
}

/// The result of running lowered code.
pub(crate) type Outcome = Result<Value, Flow>;

/// A lowered expression or statement.
pub(crate) type Code = Box<dyn Fn(&mut Machine) -> Outcome>;

/// A lowered script function.
pub(crate) struct Function {
    /// Parameters, which take the first slots of the frame.
    pub(crate) arity: usize,
    /// Slots the function's parameters and `let`s need.
    pub(crate) frame_size: usize,
    /// The body never assigns to a parameter nor `push`es onto one, so arguments can be
    /// lent to it (moved in and moved back) instead of copied: see [`Machine::call_lending`].
    pub(crate) params_intact: bool,
    pub(crate) body: Code,
}

/// Operations between two looks at the clock inside loops.
const CLOCK_EVERY_ITERATIONS: u64 = 64;

/// The state of one call: a stack of local-variable slots, the operations counted so far,
/// and the limits.
pub(crate) struct Machine {
    stack: Vec<Value>,
    base: usize,
    operations: u64,
    /// Bail when `operations` passes this (half of `max_operations`; `u64::MAX` if unlimited).
    max_operations: u64,
    /// The data limits, checked wherever rhai checks them (`sizes`).
    data: DataLimits,
    deadline: Option<Instant>,
    iterations: u64,
    /// The decision of a [`Flow::Decided`].
    decided: Option<Decided>,
    /// Buffers for interpolated strings, kept across calls (see [`Machine::take_text`]).
    texts: Vec<String>,
    /// Script strings made before, refilled once nothing else holds them
    /// ([`Machine::make_text`]).
    made_texts: Vec<ImmutableString>,
    /// The customer view lent to the call ([`Value::View`]).
    view: Option<crate::script::CustomerView>,
    /// Whether `view` is lent for a whole evaluation ([`FastScripts::lend`]) rather than
    /// for one call.
    loaned: bool,
}

impl Machine {
    pub(crate) fn new(limits: &super::Limits) -> Machine {
        Machine {
            stack: Vec::with_capacity(64),
            base: 0,
            operations: 0,
            max_operations: match limits.max_operations {
                0 => u64::MAX,
                max => max / 2,
            },
            data: DataLimits::of(limits),
            deadline: None,
            iterations: 0,
            decided: None,
            texts: Vec::new(),
            made_texts: Vec::new(),
            view: None,
            loaned: false,
        }
    }

    /// An empty buffer to build an interpolated string in: one kept from an earlier string
    /// when there is one (an interpolation inside another takes a second buffer). Give it
    /// back with [`Machine::give_text`].
    #[inline]
    pub(crate) fn take_text(&mut self) -> String {
        self.texts.pop().unwrap_or_default()
    }

    /// A script string holding `text`. Strings the machine made are kept (up to
    /// [`KEPT_TEXTS`], each of at most [`KEPT_TEXT_BYTES`]), and one that nothing else holds
    /// any more (a reason the engine has copied into its result, a string a call dropped) is
    /// refilled rather than a new one made: a new script string costs two allocations (its
    /// shared box and, past 24 bytes, its buffer) and two more to free, and the default
    /// policy makes about six an evaluation. A string something still holds is never
    /// touched: script strings are immutable while shared.
    pub(crate) fn make_text(&mut self, text: &str) -> ImmutableString {
        if text.len() <= KEPT_TEXT_BYTES {
            for kept in self.made_texts.iter_mut() {
                if let Some(inner) = kept.get_mut() {
                    // (`clear` keeps the buffer, so a text that fits allocates nothing.)
                    inner.clear();
                    inner.push_str(text);
                    return kept.clone();
                }
            }
        }
        let mut made = ImmutableString::new();
        made.make_mut().push_str(text);
        if text.len() <= KEPT_TEXT_BYTES && self.made_texts.len() < KEPT_TEXTS {
            self.made_texts.push(made.clone());
        }
        made
    }

    /// Keeps `text`'s allocation for the next interpolated string.
    #[inline]
    pub(crate) fn give_text(&mut self, mut text: String) {
        text.clear();
        self.texts.push(text);
    }

    /// The local variable in `slot` of the current frame.
    #[inline]
    pub(crate) fn local(&self, slot: usize) -> &Value {
        &self.stack[self.base + slot]
    }

    #[inline]
    pub(crate) fn local_mut(&mut self, slot: usize) -> &mut Value {
        &mut self.stack[self.base + slot]
    }

    /// Counts `n` operations; bails past the budget.
    #[inline]
    pub(crate) fn count(&mut self, n: u64) -> Result<(), Flow> {
        self.operations += n;
        if self.operations > self.max_operations {
            return Err(Flow::Bail);
        }
        Ok(())
    }

    /// One loop iteration: the clock is read every few iterations.
    #[inline]
    pub(crate) fn iteration(&mut self) -> Result<(), Flow> {
        self.iterations += 1;
        if self.iterations % CLOCK_EVERY_ITERATIONS == 0 {
            if let Some(deadline) = self.deadline {
                if Instant::now() > deadline {
                    return Err(Flow::Bail);
                }
            }
        }
        Ok(())
    }

    /// The customer view lent to the call, which [`Value::View`] stands for.
    #[inline]
    pub(crate) fn view(&self) -> Option<&crate::script::CustomerView> {
        self.view.as_ref()
    }

    pub(crate) fn max_array_size(&self) -> usize {
        self.data.array
    }

    pub(crate) fn max_string_size(&self) -> usize {
        self.data.string
    }

    /// The data limits (see [`DataLimits`]).
    #[inline]
    pub(crate) fn data_limits(&self) -> &DataLimits {
        &self.data
    }

    /// Ends the entry function with `decided` as its result.
    pub(crate) fn decide(&mut self, decided: Decided) -> Outcome {
        self.decided = Some(decided);
        Err(Flow::Decided)
    }

    /// Empties the stack after an entry call. A frame is a few slots, mostly holding
    /// values without a heap part: each is dropped where it is popped, which costs less
    /// than the out-of-line loop `Vec::clear` runs over them.
    #[inline]
    fn clear_frame(&mut self) {
        while let Some(value) = self.stack.pop() {
            drop(value);
        }
    }

    /// Calls `function` with `args` in a new frame.
    pub(crate) fn call(
        &mut self,
        function: &Function,
        args: impl IntoIterator<Item = Value>,
    ) -> Outcome {
        let base = self.stack.len();
        self.stack.extend(args);
        debug_assert_eq!(self.stack.len() - base, function.arity);
        self.stack
            .resize_with(base + function.frame_size, || Value::Unit);
        let caller = std::mem::replace(&mut self.base, base);
        let result = (function.body)(self);
        self.base = caller;
        self.stack.truncate(base);
        match result {
            Err(Flow::Return(value)) => Ok(value),
            other => other,
        }
    }

    /// Runs `function` on a frame whose arguments are already the whole stack (an entry
    /// call: see [`FastScripts::call`]); the whole frame is left for the caller to clear.
    fn run_frame(&mut self, function: &Function) -> Outcome {
        debug_assert_eq!(self.stack.len(), function.arity);
        // (Only when it grows: a `resize_with` to the same length drops an empty tail.)
        if function.frame_size > function.arity {
            self.stack.resize_with(function.frame_size, || Value::Unit);
        }
        self.base = 0;
        match (function.body)(self) {
            Err(Flow::Return(value)) => Ok(value),
            other => other,
        }
    }

    /// Calls `function`, which leaves its parameters intact, with `args` moved into its
    /// frame and moved back when it returns (or bails): no argument is copied. Copying a
    /// custom value such as the customer view costs two allocations in rhai's `Dynamic`.
    pub(crate) fn call_lending(&mut self, function: &Function, args: &mut [Value]) -> Outcome {
        debug_assert!(function.params_intact);
        debug_assert_eq!(args.len(), function.arity);
        let base = self.stack.len();
        self.stack.extend(args.iter_mut().map(std::mem::take));
        self.stack
            .resize_with(base + function.frame_size, || Value::Unit);
        let caller = std::mem::replace(&mut self.base, base);
        let result = (function.body)(self);
        self.base = caller;
        for (arg, lent) in args.iter_mut().zip(&mut self.stack[base..]) {
            *arg = std::mem::take(lent);
        }
        self.stack.truncate(base);
        match result {
            Err(Flow::Return(value)) => Ok(value),
            other => other,
        }
    }
}

/// A customer view lent to the fast tier for one evaluation ([`FastScripts::lend`]); the
/// loan ends when this is dropped, so that the evaluation's view can be recycled.
pub(crate) struct Loan<'a> {
    scripts: Option<&'a FastScripts>,
    _lent: Option<LentView>,
}

impl Drop for Loan<'_> {
    fn drop(&mut self) {
        let Some(scripts) = self.scripts else {
            return;
        };
        if let Ok(mut machine) = scripts.machine.try_borrow_mut() {
            machine.view = None;
            machine.loaned = false;
        }
    }
}

/// The lowered entry functions of one script file, by function name.
pub(crate) struct FastFile {
    pub(crate) entries: BTreeMap<String, Rc<Function>>,
}

/// The fast tier of one policy on one thread.
pub(crate) struct FastScripts {
    /// Each script file: lowered, or why it runs in rhai.
    files: BTreeMap<&'static str, Result<FastFile, String>>,
    /// Each entry function's lowered code (by [`Entry::slot`]), if its file is lowered.
    by_entry: [Option<Rc<Function>>; ENTRIES.len()],
    machine: std::cell::RefCell<Machine>,
}

impl FastScripts {
    /// Lowers every file whose entry functions (and what they call) are in the subset.
    pub(crate) fn lower(
        asts: &BTreeMap<&'static str, AST>,
        env: &LowerEnv,
        limits: &super::Limits,
    ) -> FastScripts {
        let files = asts
            .iter()
            .map(|(name, ast)| {
                let entries = ENTRIES
                    .iter()
                    .filter(|e| e.file == *name)
                    .map(|e| (e.function, e.arity()));
                (*name, lower_file(ast, entries, env))
            })
            .collect::<BTreeMap<_, _>>();
        let by_entry = ENTRIES.map(|entry| {
            let file = files.get(entry.file)?.as_ref().ok()?;
            file.entries.get(entry.function).cloned()
        });
        FastScripts {
            files,
            by_entry,
            machine: std::cell::RefCell::new(Machine::new(limits)),
        }
    }

    /// Each script file: `Ok` when it runs in the fast tier, or why it runs in rhai.
    pub(crate) fn report(&self) -> Vec<(String, Result<(), String>)> {
        self.files
            .iter()
            .map(|(name, file)| {
                (
                    name.to_string(),
                    file.as_ref().map(|_| ()).map_err(Clone::clone),
                )
            })
            .collect()
    }

    /// Lends `view` to the calls made until the [`Loan`] is dropped: those that pass it as
    /// their first argument find it lent already (one evaluation's four calls lend it once).
    /// Without the loan (another call is running on this thread), each call lends it itself.
    pub(crate) fn lend(&self, view: &crate::script::CustomerView) -> Loan<'_> {
        let Ok(mut machine) = self.machine.try_borrow_mut() else {
            return Loan {
                scripts: None,
                _lent: None,
            };
        };
        if machine.loaned {
            return Loan {
                scripts: None,
                _lent: None,
            };
        }
        machine.view = Some(view.clone());
        machine.loaned = true;
        Loan {
            scripts: Some(self),
            _lent: Some(LentView::new(view.clone())),
        }
    }

    /// Runs `entry` with `args`; [`HandBack`] when its file is not lowered or the call bailed
    /// (rhai must run it). The call reads `args` (a number or a string is copied into its
    /// frame, the customer view lent), so they are as they were for rhai should it bail.
    pub(crate) fn call(
        &self,
        entry: &Entry,
        args: &[Dynamic],
        deadline: Option<Instant>,
    ) -> Result<Returned, HandBack> {
        let Some(function) = self.by_entry.get(entry.slot).and_then(Option::as_ref) else {
            return Err(HandBack::NotLowered);
        };
        let mut machine = self
            .machine
            .try_borrow_mut()
            .map_err(|_| HandBack::Bailed)?;
        machine.operations = 0;
        machine.iterations = 0;
        machine.deadline = deadline;
        if machine.decided.is_some() {
            machine.decided = None;
        }
        // Cleared at the end of every call; a call cut short by a panic leaves it full.
        if !machine.stack.is_empty() {
            machine.stack.clear();
        }
        machine.base = 0;
        // The view of the evaluation's loan, when it is the first argument, is lent already;
        // otherwise the first argument that is a customer view is lent to this call. Either
        // way the call sees it as `Value::View`, and it stays in `args`.
        let loaned = machine.loaned
            && matches!(
                (args.first(), machine.view.as_ref()),
                (Some(arg), Some(view)) if LentView::holds(arg, view)
            );
        let (lent_at, _lent, previous) = if loaned {
            (Some(0), None, None)
        } else {
            let (lent_at, view) = args
                .iter()
                .enumerate()
                .find_map(|(i, arg)| LentView::of(arg).map(|view| (i, view)))
                .unzip();
            let lent = view.clone().map(LentView::new);
            (lent_at, lent, std::mem::replace(&mut machine.view, view))
        };
        // The arguments are read into the frame, not moved: besides the view, an entry's
        // arguments are a number or a grade (a reference-count bump).
        for (i, arg) in args.iter().enumerate() {
            machine.stack.push(match lent_at == Some(i) {
                true => Value::View,
                false => Value::from_ref(arg),
            });
        }
        let result = machine.run_frame(function);
        machine.clear_frame();
        if !loaned {
            machine.view = previous;
        }
        match result {
            Ok(value)
                if value
                    .items()
                    .is_some_and(|items| items.iter().all(Value::is_action)) =>
            {
                let items = value.into_items().map(Rc::unwrap_or_clone);
                let actions = items.into_iter().flatten().filter_map(Value::into_action);
                Ok(Returned::Actions(actions.collect()))
            }
            // A map of plain values only: any other value (the customer view above all, which
            // only this call lends) becomes rhai's while the call still holds it.
            Ok(value)
                if value
                    .as_map()
                    .is_some_and(|map| map.values().all(Value::is_plain)) =>
            {
                Ok(Returned::Map(MapReturned::from(value)))
            }
            Ok(value) => Ok(Returned::Value(value.into_dynamic())),
            Err(Flow::Decided) => machine
                .decided
                .take()
                .map(Returned::Decided)
                .ok_or(HandBack::Bailed),
            Err(_) => Err(HandBack::Bailed),
        }
    }
}
