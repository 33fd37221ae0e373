//! `policy.toml`: the manifest of a policy — name, version, grade scale, stage pipeline,
//! regions, script limits and the parameters scripts read as `params`.

use serde::Deserialize;

use crate::error::{Diagnostic, Error, Result, SourceLocation};
use crate::model::{GradeScale, StagePipeline};
use crate::script::Limits;

use crate::source::line_col;

mod plan;

pub use plan::{
    PlanGradeRule, PlanSection, PlanSlot, MAX_CALLS_PER_DAY, MAX_CALLS_PER_WEEK,
    MAX_VISITS_PER_DAY, PLAN_WEEKS,
};

/// The parsed `policy.toml`.
///
/// ```toml
/// name = "default"
/// version = "1.0.0"
/// [grades]
/// scale = ["A", "B", "C", "D", "E", "F"]   # highest first
/// [stages]
/// pipeline = ["market_research", "prospecting", "contact", "needs_confirmation",
///             "negotiation", "contract_signed", "converted"]
/// [params]
/// callback_after_days = 7
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Policy name, stamped on every result.
    pub name: String,
    /// Policy version, stamped on every result.
    pub version: String,
    /// What the policy is for.
    #[serde(default)]
    pub description: String,
    /// The grade scale.
    pub grades: GradesSection,
    /// The stage pipeline.
    pub stages: StagesSection,
    /// The region ids a customer's `region` may take; any region is accepted when absent.
    #[serde(default)]
    pub regions: Option<RegionsSection>,
    /// Script resource limits.
    #[serde(default)]
    pub limits: Limits,
    /// How scores are reported and handed to `grade()`.
    #[serde(default)]
    pub score: ScoreSection,
    /// What `patron check` verifies about the parameters beyond their use in scripts.
    #[serde(default)]
    pub checks: ChecksSection,
    /// Parameters: weights, standards, thresholds, cadence tables. Scripts read them as
    /// `params.<name>`.
    #[serde(default)]
    pub params: toml::Table,
    /// The month planner's week and slot rules (`[plan]`); the handbook's ABCD rule when
    /// absent. See [`PlanSection`].
    #[serde(default)]
    pub plan: Option<PlanSection>,
    /// Notes on the policy's versions (`[[version_notes]]`), e.g. the reason a save from the
    /// workbench overrode a failing test. They decide nothing.
    #[serde(default)]
    pub version_notes: Vec<VersionNote>,
}

/// One `[[version_notes]]` entry of `policy.toml`.
///
/// ```toml
/// [[version_notes]]
/// date = "2026-12-06"
/// note = "saved with 1 failing test (tests/grades.json: a to B) overridden: new rule agreed"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionNote {
    /// When, `YYYY-MM-DD`.
    pub date: String,
    /// What changed and why.
    pub note: String,
}

/// `[score]` of `policy.toml`: the precision of scores. Each part's points and the total are
/// rounded to `decimals` places (default 2) — the same value is reported and handed to
/// `grade(c, score)`, so a grade never depends on digits the result does not show — unless
/// `exact = true`, which keeps full floating-point precision.
///
/// ```toml
/// [score]
/// decimals = 2      # or: exact = true
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoreSection {
    /// Decimal places of points and totals.
    pub decimals: u32,
    /// Keep full precision instead of rounding.
    pub exact: bool,
}

impl Default for ScoreSection {
    fn default() -> Self {
        ScoreSection {
            decimals: 2,
            exact: false,
        }
    }
}

impl ScoreSection {
    /// `value` at the policy's score precision.
    ///
    /// ```
    /// use patron::policy::ScoreSection;
    /// assert_eq!(ScoreSection::default().round(69.99954), 70.0);
    /// let exact = ScoreSection { exact: true, ..ScoreSection::default() };
    /// assert_eq!(exact.round(69.99954), 69.99954);
    /// ```
    pub fn round(&self, value: f64) -> f64 {
        if self.exact {
            return value;
        }
        let scale = 10f64.powi(self.decimals.min(15) as i32);
        (value * scale).round() / scale
    }
}

/// `[checks]` of `policy.toml`: declarations the checker verifies.
///
/// ```toml
/// [checks]
/// weights_sum = 1.0          # params.weights must sum to this
/// per_grade = ["cadence"]    # params tables that need an entry for every grade
/// ```
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecksSection {
    /// What `params.weights` must sum to; unchecked when absent.
    pub weights_sum: Option<f64>,
    /// Parameter tables (dotted paths) keyed by grade that must cover every grade; when
    /// absent, `params.cadence` if the policy has one.
    pub per_grade: Option<Vec<String>>,
}

/// `[grades]` of `policy.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradesSection {
    /// Grade names, highest first.
    pub scale: GradeScale,
}

/// `[stages]` of `policy.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StagesSection {
    /// Stage ids, earliest first.
    pub pipeline: StagePipeline,
}

/// `[regions]` of `policy.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionsSection {
    /// Region ids.
    pub ids: Vec<String>,
}

pub(crate) const MANIFEST_FILE: &str = "policy.toml";

impl Manifest {
    /// Parses and checks `policy.toml` text. Errors carry line and column; a manifest that
    /// parses but breaks several rules reports them all in one [`Error::Policy`].
    pub fn parse(text: &str) -> Result<Manifest> {
        let manifest: Manifest = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|span| line_col(text, span.start))
                .unwrap_or((0, 0));
            Error::Policy {
                location: SourceLocation {
                    file: MANIFEST_FILE.into(),
                    line,
                    column,
                },
                message: e.message().to_string(),
                others: Vec::new(),
            }
        })?;
        manifest.check(text)?;
        Ok(manifest)
    }

    /// Every `params.` path a script can read, with its value as TOML text, in table order:
    /// `("weights.revenue", "0.4")`. Tables are listed as well as their leaves.
    ///
    /// ```
    /// let policy = patron::Policy::embedded_default()?;
    /// let paths = policy.manifest().param_paths();
    /// assert!(paths.iter().any(|(path, _)| path.starts_with("weights.")));
    /// # Ok::<(), patron::Error>(())
    /// ```
    pub fn param_paths(&self) -> Vec<(String, String)> {
        fn walk(prefix: &str, table: &toml::Table, out: &mut Vec<(String, String)>) {
            for (key, value) in table {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                match value {
                    toml::Value::Table(inner) => {
                        out.push((path.clone(), "table".into()));
                        walk(&path, inner, out);
                    }
                    other => out.push((path, other.to_string())),
                }
            }
        }
        let mut out = Vec::new();
        walk("", &self.params, &mut out);
        out
    }

    /// Checks what parsing cannot: every problem found is reported, not only the first.
    fn check(&self, text: &str) -> Result<()> {
        let mut problems = Vec::new();
        let mut at_key = |key: &str, message: String| {
            let (line, column) = text
                .find(&format!("{key} "))
                .or_else(|| text.find(key))
                .map(|offset| line_col(text, offset))
                .unwrap_or((0, 0));
            problems.push(Diagnostic::error(
                SourceLocation {
                    file: MANIFEST_FILE.into(),
                    line,
                    column,
                },
                message,
            ));
        };
        if self.name.trim().is_empty() {
            at_key("name", "`name` must not be empty".into());
        }
        if self.version.trim().is_empty() {
            at_key("version", "`version` must not be empty".into());
        }
        let lists = [
            ("scale", "grades.scale", self.grades.scale.names()),
            ("pipeline", "stages.pipeline", self.stages.pipeline.names()),
        ];
        for (key, what, names) in lists {
            if let Err(m) = check_names(names) {
                at_key(key, format!("`{what}` {m}"));
            }
        }
        if let Err((key, message)) = self.limits.validate() {
            at_key(key, message);
        }
        if let Some(regions) = &self.regions {
            if let Err(m) = check_names(&regions.ids) {
                at_key("ids", format!("`regions.ids` {m}"));
            }
        }
        if let Some(plan) = &self.plan {
            if let Err(problem) = plan.check(&self.grades.scale) {
                let (line, column) = plan::locate(text, &problem.key)
                    .map(|offset| line_col(text, offset))
                    .unwrap_or((0, 0));
                problems.push(Diagnostic::error(
                    SourceLocation {
                        file: MANIFEST_FILE.into(),
                        line,
                        column,
                    },
                    problem.message,
                ));
            }
        }
        Error::from_diagnostics(problems).map_or(Ok(()), Err)
    }
}

fn check_names(names: &[String]) -> std::result::Result<(), String> {
    if names.is_empty() {
        return Err("must name at least one entry".into());
    }
    for (i, name) in names.iter().enumerate() {
        if name.trim().is_empty() {
            return Err("has an empty name".into());
        }
        if names[..i].contains(name) {
            return Err(format!("names `{name}` twice"));
        }
    }
    Ok(())
}
