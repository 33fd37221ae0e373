//! The engine: a policy that can be swapped atomically while evaluations run, single and
//! batch evaluation (parallel, order kept, one result or one error per record), streaming
//! evaluation of JSON Lines with bounded memory, the month plan and the impact of a candidate
//! policy. The JSON-text entry points the C ABI and the command line share are the `json`
//! module's, one layer below.

mod batch;
pub mod cases;
pub mod diff;
mod evaluate;
mod plan;
mod stream;

use std::path::Path;
use std::sync::Arc;

use arc_swap::ArcSwap;
use rayon::prelude::*;
use serde::Serialize;

pub use batch::{BatchInput, BatchItem, ErrorBody};
pub use stream::{StreamOptions, StreamSummary};

use crate::error::Result;
use crate::model::{portfolio_facts_from, Customer, Date, Evaluation, Facts, PolicyStamp};
use crate::policy::{Policy, TierCounts};
use crate::script::Limits;
pub use crate::script::Tier;

/// Evaluates customers that form one portfolio against one policy snapshot: derives each
/// customer's facts once, computes the portfolio facts across them (a record that brings its
/// own `portfolio` keeps it), then evaluates in parallel. Results keep input order.
pub(crate) fn evaluate_portfolio(
    policy: &Policy,
    customers: &[&Customer],
    as_of: Date,
    options: &EvaluateOptions,
) -> Vec<Result<Evaluation>> {
    let facts: Vec<Facts> = customers
        .par_iter()
        .map(|c| Facts::derive(c, as_of))
        .collect();
    evaluate_portfolio_with_facts(policy, customers, facts, options)
}

/// [`evaluate_portfolio`] of customers whose facts are derived (one per customer, same
/// order; the customers may be without their histories).
pub(crate) fn evaluate_portfolio_with_facts(
    policy: &Policy,
    customers: &[&Customer],
    mut facts: Vec<Facts>,
    options: &EvaluateOptions,
) -> Vec<Result<Evaluation>> {
    let portfolio = portfolio_facts_from(customers, &facts);
    for (facts, computed) in facts.iter_mut().zip(portfolio) {
        if facts.portfolio.is_none() {
            facts.portfolio = Some(computed);
        }
    }
    customers
        .par_iter()
        .zip(facts.into_par_iter())
        .map(|(customer, facts)| evaluate::evaluate_with_facts(policy, customer, facts, options))
        .collect()
}

/// Options of one evaluation call. As JSON (the C ABI's `options_json`):
/// `{ "explain": true }` or `{ "tier": "interpreter" }`; unknown fields are refused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EvaluateOptions {
    /// Record a trace of which rules fired and which facts and parameters they read.
    pub explain: bool,
    /// Which execution tier runs the scripts. The result is the same either way.
    pub tier: Tier,
    /// The caller's deadline (not settable from JSON): a time budget for a whole call, e.g.
    /// a server's per-request budget over a batch. A script running when it passes stops as
    /// at its own `time_budget_ms` (whichever comes first), and a record not yet started
    /// when it has passed is not run: either way that record fails with a `Limit` error
    /// saying that the caller's deadline passed. Records finished before it keep their
    /// results, so a caller that must answer all-or-nothing checks the clock afterwards.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use patron::{model::parse_date, Engine, ErrorCode, EvaluateOptions};
    ///
    /// let engine = Engine::with_default_policy()?;
    /// let customers = vec![patron::model::parse_customer(r#"{ "id": "C-1" }"#)?];
    /// let passed = EvaluateOptions {
    ///     deadline: Some(Instant::now() - Duration::from_millis(1)),
    ///     ..EvaluateOptions::default()
    /// };
    /// let results = engine.evaluate_many(&customers, parse_date("2026-11-23")?, &passed);
    /// let error = results[0].as_ref().unwrap_err();
    /// assert_eq!(error.code(), ErrorCode::Limit);
    /// assert!(error.to_string().contains("deadline"), "{error}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[serde(skip)]
    pub deadline: Option<std::time::Instant>,
}

impl EvaluateOptions {
    /// Options with the trace on.
    pub fn explained() -> Self {
        EvaluateOptions {
            explain: true,
            ..EvaluateOptions::default()
        }
    }
}

/// How one script file of a policy runs (see [`Engine::execution_tiers`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScriptTier {
    /// The script file, e.g. `score.rhai`.
    pub file: String,
    /// Whether its entry functions run in the fast tier.
    pub fast: bool,
    /// Why it runs in the interpreter instead, e.g. "`switch` (line 12)".
    pub reason: Option<String>,
}

impl std::fmt::Display for ScriptTier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.reason {
            None => write!(f, "{}: fast tier", self.file),
            Some(reason) => write!(f, "{}: interpreter, because of {reason}", self.file),
        }
    }
}

/// The rules engine: evaluates customers against its current policy.
///
/// `Engine` is `Send + Sync`: share it across threads (e.g. in an `Arc`). A [`reload`]
/// swaps the policy atomically; evaluations that started before it finish on the policy they
/// started with, and a reload that fails leaves the old policy serving.
///
/// [`reload`]: Engine::reload
///
/// ```
/// use patron::{model::parse_date, Customer, Engine};
///
/// let engine = Engine::with_default_policy()?;
/// let customer: Customer = serde_json::from_str(r#"{
///     "id": "C-1001", "grade": "C", "grade_since": "2026-06-01", "region": "same_city",
///     "purchases": [ { "at": "2026-05-02", "amount": 12000 }, { "at": "2026-10-02", "amount": 8000 } ]
/// }"#)?;
/// let evaluation = engine.evaluate(&customer, parse_date("2026-11-23")?)?;
/// assert_eq!(evaluation.grade.to, "B"); // a repeat purchase since grade_since: one level up
/// assert!(evaluation.grade.changed);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Engine {
    policy: ArcSwap<Policy>,
}

/// What `policy_info` reports: the policy's identity, vocabulary, limits and parameters.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyInfo {
    /// Name, version, hash.
    #[serde(flatten)]
    pub stamp: PolicyStamp,
    /// What the policy is for.
    pub description: String,
    /// Grades, highest first.
    pub grades: Vec<String>,
    /// Stages, earliest first.
    pub stages: Vec<String>,
    /// Region ids, when the policy restricts them.
    pub regions: Option<Vec<String>>,
    /// Script limits in force.
    pub limits: Limits,
    /// The `[params]` table.
    pub params: serde_json::Value,
    /// The policy's files.
    pub files: Vec<String>,
    /// How each script file runs: in the fast tier, or in the interpreter and why.
    pub tiers: Vec<ScriptTier>,
    /// The rules the policy cites from its handbooks (`@rule`, `@left_out`), each with its
    /// clause, built or deliberately left out.
    pub rules: Vec<crate::policy::Citation>,
    /// The entry functions the policy defines, in the order they run, each with the
    /// parameters it reads.
    pub entries: Vec<EntryInfo>,
}

/// One entry function of a policy, as [`PolicyInfo`] reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntryInfo {
    /// The script file, e.g. `promote.rhai`.
    pub file: String,
    /// The entry function, e.g. `grade`.
    pub function: String,
    /// The `params` paths it reads, e.g. `weights.revenue`.
    pub params: Vec<String>,
}

impl Engine {
    /// An engine serving `policy`.
    pub fn new(policy: Policy) -> Engine {
        Engine {
            policy: ArcSwap::from_pointee(policy),
        }
    }

    /// An engine serving the embedded default policy.
    pub fn with_default_policy() -> Result<Engine> {
        Ok(Engine::new(Policy::embedded_default()?))
    }

    /// An engine serving the policy in `dir`.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Engine> {
        Ok(Engine::new(Policy::load(dir)?))
    }

    /// The policy serving now.
    pub fn policy(&self) -> Arc<Policy> {
        self.policy.load_full()
    }

    /// How each script file of the policy runs: in the fast tier, or in rhai's interpreter
    /// and why (the first construct outside the fast subset).
    ///
    /// ```
    /// let engine = patron::Engine::with_default_policy()?;
    /// for tier in engine.execution_tiers()? {
    ///     assert!(tier.fast, "{tier}");
    /// }
    /// # Ok::<(), patron::Error>(())
    /// ```
    pub fn execution_tiers(&self) -> Result<Vec<ScriptTier>> {
        let policy = self.policy.load();
        crate::script::with_runtime(&policy.script_source(), |runtime| {
            Ok(runtime
                .tiers()
                .into_iter()
                .map(|(file, tier)| ScriptTier {
                    file,
                    fast: tier.is_ok(),
                    reason: tier.err(),
                })
                .collect())
        })
    }

    /// How many entry-function calls the policy serving now has run in the fast tier, how
    /// many the fast tier handed back to rhai, and how many rhai ran, since the policy was
    /// loaded (a [`reload`](Engine::reload) starts from the candidate policy's own test
    /// cases). Relaxed atomic counters, added to once per evaluation: see [`TierCounts`].
    pub fn tier_counts(&self) -> TierCounts {
        self.policy.load().tier_counts()
    }

    /// Loads and checks the policy in `dir`, runs its own test cases (`dir/tests/*.json`),
    /// and only when all of that passes swaps it in atomically. On failure the current policy
    /// keeps serving and the error says why.
    pub fn reload(&self, dir: impl AsRef<Path>) -> Result<PolicyStamp> {
        let dir = dir.as_ref();
        let policy = Policy::load(dir)?;
        let cases = cases::load_cases(dir)?;
        let outcomes = cases::run_cases(&policy, &cases);
        let failed: Vec<&cases::CaseOutcome> = outcomes.iter().filter(|o| !o.passed()).collect();
        if let Some(first) = failed.first() {
            let detail = first
                .mismatches
                .first()
                .map(|m| {
                    format!(
                        "{} {}: expected {}, got {}",
                        m.customer_id, m.field, m.expected, m.actual
                    )
                })
                .unwrap_or_default();
            return Err(crate::error::Error::Policy {
                location: crate::error::SourceLocation {
                    file: first.file.clone(),
                    ..Default::default()
                },
                message: format!(
                    "the candidate policy fails {} of its {} own test case(s); the old policy keeps serving. First: `{}`: {detail}",
                    failed.len(),
                    outcomes.len(),
                    first.name
                ),
                others: Vec::new(),
            });
        }
        Ok(self.replace_policy(policy))
    }

    /// Swaps in an already loaded policy; returns its stamp.
    pub fn replace_policy(&self, policy: Policy) -> PolicyStamp {
        let stamp = policy.stamp().clone();
        self.policy.store(Arc::new(policy));
        stamp
    }

    /// Evaluates one customer as of `as_of` (with the default options: no trace, the fast
    /// tier where it applies).
    ///
    /// ```
    /// use patron::{model::{parse_customer, parse_date}, Engine};
    ///
    /// let engine = Engine::with_default_policy()?;
    /// let customer = parse_customer(r#"{ "id": "C-1", "grade": "A", "region": "same_city" }"#)?;
    /// let evaluation = engine.evaluate(&customer, parse_date("2026-11-23")?)?;
    /// assert_eq!(evaluation.customer_id, "C-1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate(&self, customer: &Customer, as_of: Date) -> Result<Evaluation> {
        let mut evaluation = Evaluation::default();
        self.evaluate_with(
            customer,
            as_of,
            &EvaluateOptions::default(),
            &mut evaluation,
        )?;
        Ok(evaluation)
    }

    /// Evaluates one customer with `options` (a trace, the tier, a deadline) into `out`,
    /// reusing the strings and vectors of the evaluation `out` held: a loop that evaluates
    /// many customers one by one into the same `Evaluation` allocates far less than
    /// [`evaluate`](Engine::evaluate). On success `out` equals what `evaluate` returns (with
    /// the options' trace); on an error it holds a mix of the old and the new evaluation.
    /// For a one-off call, pass `&mut Evaluation::default()`.
    ///
    /// ```
    /// use patron::{model::parse_date, Customer, Engine, EvaluateOptions, Evaluation};
    ///
    /// let engine = Engine::with_default_policy()?;
    /// let as_of = parse_date("2026-11-23")?;
    /// let customers: Vec<Customer> = serde_json::from_str(r#"[
    ///     { "id": "C-1", "grade": "C", "region": "same_city" },
    ///     { "id": "C-2", "grade": "A", "region": "same_city" }
    /// ]"#)?;
    /// let options = EvaluateOptions::explained();
    /// let mut evaluation = Evaluation::default();
    /// for customer in &customers {
    ///     engine.evaluate_with(customer, as_of, &options, &mut evaluation)?;
    ///     assert_eq!(evaluation.customer_id, customer.id);
    ///     assert!(evaluation.trace.is_some());
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate_with(
        &self,
        customer: &Customer,
        as_of: Date,
        options: &EvaluateOptions,
        out: &mut Evaluation,
    ) -> Result<()> {
        let policy = self.policy.load();
        evaluate::evaluate_into(&policy, customer, as_of, options, out)
    }

    /// [`evaluate_with`](Engine::evaluate_with) of a customer whose facts are derived (e.g.
    /// by [`parse_customer_with_facts`](crate::model::parse_customer_with_facts), the customer
    /// then without its histories).
    pub(crate) fn evaluate_with_facts(
        &self,
        customer: &Customer,
        facts: Facts,
        options: &EvaluateOptions,
        out: &mut Evaluation,
    ) -> Result<()> {
        let policy = self.policy.load();
        evaluate::evaluate_with_facts_into(&policy, customer, facts, options, out)
    }

    /// Evaluates many customers in parallel against one snapshot of the policy: a slice of
    /// customers, JSON text (an array or JSON Lines), or records already split by
    /// [`parse_customers`](crate::model::parse_customers) — see [`BatchInput`] for what each
    /// answers. The customers form one portfolio: their portfolio facts (revenue rank and
    /// share, RFM quintiles, owner counts) are computed first. The answer keeps input order,
    /// one entry per customer or record. For input larger than memory, see
    /// [`evaluate_stream`](Engine::evaluate_stream).
    ///
    /// ```
    /// use patron::{model::parse_date, BatchItem, Customer, Engine, EvaluateOptions};
    ///
    /// let engine = Engine::with_default_policy()?;
    /// let as_of = parse_date("2026-11-23")?;
    /// let options = EvaluateOptions::default();
    ///
    /// // A slice: one result per customer.
    /// let customers: Vec<Customer> = serde_json::from_str(r#"[ { "id": "C-1" }, { "id": "C-2" } ]"#)?;
    /// let results = engine.evaluate_many(&customers, as_of, &options);
    /// assert_eq!(results.len(), 2);
    ///
    /// // JSON Lines: one item per record, a bad record's error in its place.
    /// let items = engine.evaluate_many("{ \"id\": \"C-1\" }\nnot a record\n", as_of, &options)?;
    /// assert!(matches!(&items[0], BatchItem::Evaluated(e) if e.customer_id == "C-1"));
    /// assert!(matches!(&items[1], BatchItem::Failed { line: 2, .. }));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate_many<B: BatchInput>(
        &self,
        input: B,
        as_of: Date,
        options: &EvaluateOptions,
    ) -> B::Output {
        let policy = self.policy.load_full();
        input.evaluate_on(&policy, as_of, options)
    }

    /// Identity, vocabulary, limits and parameters of the policy serving now.
    pub fn policy_info(&self) -> PolicyInfo {
        let policy = self.policy.load();
        let manifest = policy.manifest();
        PolicyInfo {
            stamp: policy.stamp().clone(),
            description: manifest.description.clone(),
            grades: manifest.grades.scale.names().to_vec(),
            stages: manifest.stages.pipeline.names().to_vec(),
            regions: manifest.regions.as_ref().map(|r| r.ids.clone()),
            limits: manifest.limits.clone(),
            params: serde_json::to_value(&manifest.params).unwrap_or(serde_json::Value::Null),
            files: policy.files().iter().map(|f| f.name.clone()).collect(),
            tiers: self.execution_tiers().unwrap_or_default(),
            rules: policy.citations().to_vec(),
            entries: crate::script::ENTRIES
                .iter()
                .filter(|entry| policy.files().iter().any(|f| f.name == entry.file))
                .map(|entry| EntryInfo {
                    file: entry.file.to_string(),
                    function: entry.function.to_string(),
                    params: policy.param_reads(&entry.qualified()).to_vec(),
                })
                .collect(),
        }
    }
}
