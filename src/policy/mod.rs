//! A policy: `policy.toml` plus the rhai scripts `score.rhai`, `promote.rhai`, `visits.rhai`
//! and optionally `actions.rhai`. Loading parses the manifest, compiles and checks every
//! script, and computes the content hash stamped on every result. The default policy is
//! embedded in the library, so nothing needs to be on disk to start.

mod check;
mod citations;
mod files;
mod manifest;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

pub use crate::error::{Diagnostic, Severity};
pub(crate) use crate::script::TierCounters;
pub use crate::script::TierCounts;
pub use crate::source::PolicyFile;
pub use check::{check_files, CheckReport};
pub use citations::{Citation, CitationStatus};
pub use manifest::{
    ChecksSection, GradesSection, Manifest, RegionsSection, ScoreSection, StagesSection,
    VersionNote,
};
pub use manifest::{
    PlanGradeRule, PlanSection, PlanSlot, MAX_CALLS_PER_DAY, MAX_CALLS_PER_WEEK,
    MAX_VISITS_PER_DAY, PLAN_WEEKS,
};

use crate::error::Result;
use crate::model::PolicyStamp;
use crate::script::ScriptSource;

static NEXT_INSTANCE: AtomicU64 = AtomicU64::new(1);

/// The files of the embedded default policy (`policies/default/`).
const DEFAULT_FILES: [(&str, &str); 5] = [
    (
        "policy.toml",
        include_str!("../../policies/default/policy.toml"),
    ),
    (
        "score.rhai",
        include_str!("../../policies/default/score.rhai"),
    ),
    (
        "promote.rhai",
        include_str!("../../policies/default/promote.rhai"),
    ),
    (
        "visits.rhai",
        include_str!("../../policies/default/visits.rhai"),
    ),
    (
        "actions.rhai",
        include_str!("../../policies/default/actions.rhai"),
    ),
];

/// A loaded and checked policy. Cheap to share behind an `Arc`; immutable once loaded.
///
/// ```
/// let policy = patron::Policy::embedded_default().unwrap();
/// assert_eq!(policy.stamp().name, "default");
/// assert!(policy.stamp().hash.starts_with("sha256:"));
/// ```
#[derive(Debug)]
pub struct Policy {
    manifest: Manifest,
    files: Vec<PolicyFile>,
    stamp: PolicyStamp,
    param_reads: BTreeMap<String, Vec<String>>,
    citations: citations::Citations,
    instance_id: u64,
    /// Entry-function calls made with this policy, by execution tier.
    tier_counters: TierCounters,
}

impl Policy {
    /// Loads the policy in `dir`: `policy.toml` and the `*.rhai` scripts beside it.
    pub fn load(dir: impl AsRef<Path>) -> Result<Policy> {
        Self::from_files(files::read_dir(dir.as_ref())?)
    }

    /// The default policy embedded in the library.
    pub fn embedded_default() -> Result<Policy> {
        Self::from_files(
            DEFAULT_FILES
                .iter()
                .map(|(name, text)| PolicyFile {
                    name: (*name).to_string(),
                    text: (*text).to_string(),
                })
                .collect(),
        )
    }

    /// Builds a policy from in-memory files (names relative to the policy directory).
    /// Fails when [`check_files`] finds an error, with one [`Error::Policy`](crate::Error::Policy)
    /// that carries every error found (the first as its `location` and `message`, the rest
    /// as `others`); warnings do not stop a load.
    pub fn from_files(mut files: Vec<PolicyFile>) -> Result<Policy> {
        files.sort_by(|a, b| a.name.cmp(&b.name));
        let report = check_files(&files);
        if let Some(error) = report.to_error() {
            return Err(error);
        }
        let manifest = report.manifest.ok_or_else(|| {
            crate::error::Error::Internal("a policy without errors has a manifest".into())
        })?;
        let stamp = PolicyStamp {
            name: manifest.name.clone(),
            version: manifest.version.clone(),
            hash: files::content_hash(&files),
        };
        Ok(Policy {
            manifest,
            files,
            stamp,
            param_reads: report.param_reads,
            citations: report.citations,
            instance_id: NEXT_INSTANCE.fetch_add(1, Ordering::Relaxed),
            tier_counters: TierCounters::default(),
        })
    }

    /// Checks the policy in `dir` without loading it: every problem, errors and warnings, in
    /// the order found (`patron check`, and `patron_policy_check` in the C ABI). Fails only
    /// when the directory or one of its files cannot be read.
    ///
    /// ```
    /// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/policies/default");
    /// let report = patron::Policy::check_dir(dir)?;
    /// assert!(!report.has_errors(), "{:?}", report.diagnostics);
    /// # Ok::<(), patron::Error>(())
    /// ```
    pub fn check_dir(dir: impl AsRef<Path>) -> Result<CheckReport> {
        Ok(check_files(&files::read_dir(dir.as_ref())?))
    }

    /// Reads the files of the policy in `dir` without loading it, e.g. for
    /// [`check_files`].
    pub fn read_files(dir: impl AsRef<Path>) -> Result<Vec<PolicyFile>> {
        files::read_dir(dir.as_ref())
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The policy's files, sorted by name.
    pub fn files(&self) -> &[PolicyFile] {
        &self.files
    }

    /// Name, version and content hash, as stamped on results.
    pub fn stamp(&self) -> &PolicyStamp {
        &self.stamp
    }

    /// Parameter paths (`weights.revenue`) that the script function `file::function` reads.
    pub fn param_reads(&self, qualified_function: &str) -> &[String] {
        self.param_reads
            .get(qualified_function)
            .map_or(&[], Vec::as_slice)
    }

    /// The rules the policy cites from its handbooks (`@rule` and `@left_out` comments), in
    /// file order then line order.
    pub fn citations(&self) -> &[Citation] {
        self.citations.list()
    }

    /// The implemented rule whose citation covers a decision's `rule`, e.g. the citation
    /// above `promote.rhai:14`; `None` when no citation covers that line.
    ///
    /// ```
    /// let policy = patron::Policy::embedded_default()?;
    /// let customer = patron::model::parse_customer(r#"{"id": "C-1"}"#)?;
    /// let engine = patron::Engine::with_default_policy()?;
    /// let evaluation = engine.evaluate(&customer, patron::model::parse_date("2026-11-23").unwrap())?;
    /// let cited = policy.citation_at(&evaluation.stage.rule).unwrap();
    /// assert_eq!(cited.handbook, "001_d909bd38914b50a7.txt");
    /// # Ok::<(), patron::Error>(())
    /// ```
    pub fn citation_at(&self, rule: &str) -> Option<&Citation> {
        let (file, line) = rule.rsplit_once(':')?;
        self.citations.at(file, line.parse().ok()?)
    }

    /// What the script layer needs to compile and run this policy's scripts.
    pub(crate) fn script_source(&self) -> ScriptSource<'_> {
        ScriptSource {
            instance_id: self.instance_id,
            files: &self.files,
            grades: &self.manifest.grades.scale,
            stages: &self.manifest.stages.pipeline,
            params: &self.manifest.params,
            limits: &self.manifest.limits,
        }
    }

    /// The entry-function calls made with this policy so far, by the execution tier that
    /// ran them (see [`TierCounts`]).
    pub fn tier_counts(&self) -> TierCounts {
        self.tier_counters.get()
    }

    /// The counters [`tier_counts`](Policy::tier_counts) reads.
    pub(crate) fn tier_counters(&self) -> &TierCounters {
        &self.tier_counters
    }
}
