//! A policy's compiled scripts on one thread: the rhai engine and ASTs, built on first use
//! and kept per thread (rhai engines are not shared across threads: one per worker is
//! measurably faster), and the calls of the entry functions with the time budget running.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use rhai::{CallFnOptions, Dynamic, ImmutableString, Scope};

use super::api::{new_engine, Vocabulary};
use super::compile::{compile_scripts, CompiledScripts};
use super::entries::{Entry, ENTRIES};
use super::errors::from_rhai;
use super::fast::{DataLimits, FastScripts, HandBack, Loan, LowerEnv, Returned};
use super::natives_env;
use super::CustomerView;
use super::Limits;
use super::Tier;
use super::TierCounts;
use crate::error::{Error, Result};
use crate::model::Ladder;
use crate::source::PolicyFile;

/// How many policies a thread keeps compiled (a reload makes a new one).
const RUNTIMES_PER_THREAD: usize = 4;

/// Operations between two looks at the clock for the time budget.
const CLOCK_EVERY_OPERATIONS: u64 = 256;

/// The compiled scripts of one policy, usable on the current thread.
pub(crate) struct ScriptRuntime {
    engine: rhai::Engine,
    scripts: CompiledScripts,
    fast: FastScripts,
    /// Whether the policy has each entry's file (by [`Entry::slot`]).
    present: [bool; ENTRIES.len()],
    /// The policy's grades as script strings, handed to `visits` and the later entries.
    grade_names: Vec<ImmutableString>,
    deadline: Rc<Cell<Option<Instant>>>,
    limits: Limits,
    scope: RefCell<Scope<'static>>,
    /// The calls made since the last [`ScriptRuntime::take_counts`], by tier.
    counts: Cell<TierCounts>,
}

thread_local! {
    static RUNTIMES: RefCell<Vec<(u64, Rc<ScriptRuntime>)>> = const { RefCell::new(Vec::new()) };
}

/// What the script layer needs of a policy to compile and run its scripts.
pub(crate) struct ScriptSource<'a> {
    /// Tells policies apart: a thread keeps one runtime per instance.
    pub(crate) instance_id: u64,
    /// The policy's files; the scripts among them are compiled.
    pub(crate) files: &'a [PolicyFile],
    /// The grade scale, highest first.
    pub(crate) grades: &'a Ladder,
    /// The stage pipeline, earliest first.
    pub(crate) stages: &'a Ladder,
    /// `[params]` of `policy.toml`, read by scripts as `params`.
    pub(crate) params: &'a toml::Table,
    /// The resource limits scripts run under.
    pub(crate) limits: &'a Limits,
}

/// Runs `f` with the current thread's runtime for the policy `source` describes, building
/// it on first use.
///
/// The error type is the caller's (an [`Error`] or a `Box<Error>`: a result that is small
/// when it is `Ok` is not copied about on every evaluation).
pub(crate) fn with_runtime<T, E: From<Error>>(
    source: &ScriptSource<'_>,
    f: impl FnOnce(&ScriptRuntime) -> std::result::Result<T, E>,
) -> std::result::Result<T, E> {
    let runtime = RUNTIMES.with(|cell| -> Result<Rc<ScriptRuntime>> {
        let mut runtimes = cell.borrow_mut();
        // The policy of the previous evaluation on this thread, nearly always.
        if let Some((id, runtime)) = runtimes.first() {
            if *id == source.instance_id {
                return Ok(runtime.clone());
            }
        }
        if let Some(index) = runtimes
            .iter()
            .position(|(id, _)| *id == source.instance_id)
        {
            let entry = runtimes.remove(index);
            let runtime = entry.1.clone();
            runtimes.insert(0, entry);
            return Ok(runtime);
        }
        let runtime = Rc::new(ScriptRuntime::build(source)?);
        runtimes.insert(0, (source.instance_id, runtime.clone()));
        runtimes.truncate(RUNTIMES_PER_THREAD);
        Ok(runtime)
    })?;
    f(&runtime)
}

impl ScriptRuntime {
    /// Builds the engine and compiles the scripts `source` describes.
    pub(crate) fn build(source: &ScriptSource<'_>) -> Result<ScriptRuntime> {
        let vocabulary = Rc::new(Vocabulary::new(
            source.grades.clone(),
            source.stages.clone(),
            source.limits.max_string_size,
        ));
        let mut engine = new_engine(&vocabulary, source.params);
        let limits = source.limits.clone();
        limits.apply(&mut engine);
        let deadline: Rc<Cell<Option<Instant>>> = Rc::new(Cell::new(None));
        let watched = deadline.clone();
        engine.on_progress(move |operations| {
            if operations % CLOCK_EVERY_OPERATIONS == 0 {
                if let Some(deadline) = watched.get() {
                    if Instant::now() > deadline {
                        return Some(Dynamic::from("time budget exceeded"));
                    }
                }
            }
            None
        });
        let scripts = compile_scripts(&engine, source.files, source.params)?;
        let lower_env = LowerEnv {
            ladders: natives_env(&vocabulary),
            params: Dynamic::from(super::params::ParamTable::from_toml(source.params)),
            max_call_levels: limits.max_call_levels,
            data: DataLimits::of(&limits),
        };
        let fast = FastScripts::lower(&scripts.asts, &lower_env, &limits);
        let present = ENTRIES.map(|entry| scripts.asts.contains_key(entry.file));
        let grade_names = source
            .grades
            .names()
            .iter()
            .map(|name| ImmutableString::from(name.as_str()))
            .collect();
        Ok(ScriptRuntime {
            present,
            grade_names,
            engine,
            scripts,
            fast,
            deadline,
            limits,
            scope: RefCell::new(Scope::new()),
            counts: Cell::new(TierCounts::default()),
        })
    }

    /// Starts the time budget of one evaluation: `limits.time_budget_ms` from now, or the
    /// caller's `deadline` when that comes first.
    pub(crate) fn start_budget(&self, deadline: Option<Instant>) {
        let own = Instant::now() + Duration::from_millis(self.limits.time_budget_ms);
        self.deadline
            .set(Some(deadline.map_or(own, |deadline| deadline.min(own))));
    }

    /// `grade` as a script string, shared with the runtime's copy for the policy's grades.
    pub(crate) fn grade_value(&self, grade: &str) -> Dynamic {
        let name = self.grade_names.iter().find(|name| name.as_str() == grade);
        Dynamic::from(
            name.cloned()
                .unwrap_or_else(|| ImmutableString::from(grade)),
        )
    }

    /// Whether the policy defines `entry` (optional files may be absent).
    pub(crate) fn has(&self, entry: &Entry) -> bool {
        self.present[entry.slot]
    }

    /// Each script file: `Ok` when it runs in the fast tier, or why it runs in rhai.
    pub(crate) fn tiers(&self) -> Vec<(String, std::result::Result<(), String>)> {
        self.fast.report()
    }

    /// The calls made on this thread since the last call of this function, by the tier that
    /// ran them; the counters start again from zero.
    pub(crate) fn take_counts(&self) -> TierCounts {
        self.counts.take()
    }

    /// Lends `view` to the fast tier for the calls made until the loan is dropped, which
    /// pass it as their first argument (see [`FastScripts::lend`]); drop the loan before
    /// the view is recycled.
    pub(crate) fn lend_view(&self, view: &CustomerView) -> Loan<'_> {
        self.fast.lend(view)
    }

    /// Calls an entry function: in the fast tier when it covers the file (and `tier`
    /// allows), otherwise — or when the fast tier hands the call back — in rhai.
    ///
    /// `args` are lent to the call, and are as they were when it returns.
    /// Each call is counted by the tier that ran it (see [`ScriptRuntime::take_counts`]).
    pub(crate) fn call(&self, entry: &Entry, args: &mut [Dynamic], tier: Tier) -> Result<Returned> {
        let mut counts = self.counts.get();
        if tier == Tier::Auto {
            match self.fast.call(entry, args, self.deadline.get()) {
                Ok(value) => {
                    counts.fast += 1;
                    self.counts.set(counts);
                    return Ok(value);
                }
                Err(HandBack::Bailed) => counts.bailed += 1,
                Err(HandBack::NotLowered) => {}
            }
        }
        counts.interpreted += 1;
        self.counts.set(counts);
        let ast = self
            .scripts
            .asts
            .get(entry.file)
            .ok_or_else(|| Error::Internal(format!("{} is not compiled", entry.file)))?;
        let options = CallFnOptions::new().eval_ast(false).rewind_scope(true);
        let mut scope = self.scope.borrow_mut();
        self.engine
            .call_fn_with_options::<Dynamic>(
                options,
                &mut scope,
                ast,
                entry.function,
                args.to_vec(),
            )
            .map_err(|e| from_rhai(*e, entry.file, entry.function, &self.limits))
            .map(Returned::Value)
    }
}
