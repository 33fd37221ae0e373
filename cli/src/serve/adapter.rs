//! Every call the server makes into the `patron` library, in one place, so that a change of
//! the library's API (issue 15) is ported here and nowhere else. Nothing here decides a
//! rule: it loads, evaluates, plans, compares and reloads, and turns results into bytes.

use std::io::{BufRead, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::Instant;

pub use patron::diff::ImpactReport;
pub use patron::model::{Date, PolicyStamp};
pub use patron::{BatchItem, Error, ErrorCode, Plan, PolicyInfo};

use patron::policy::PolicyFile;

use crate::output::plan::PlanFormat;
use patron::{Engine, EvaluateOptions, Policy, PortfolioIndex, StreamOptions};

/// What one evaluation call asks for.
#[derive(Debug, Clone, Copy)]
pub struct Ask {
    /// The evaluation date.
    pub as_of: Date,
    /// Keep the trace.
    pub explain: bool,
    /// Stop by then.
    pub deadline: Instant,
}

impl Ask {
    fn options(&self) -> EvaluateOptions {
        EvaluateOptions {
            explain: self.explain,
            deadline: Some(self.deadline),
            ..EvaluateOptions::default()
        }
    }
}

/// The outcome of one record, for the metrics: evaluated, or failed with an error kind.
pub type Outcome = Option<ErrorCode>;

/// A batch answered: the JSON array, and each record's outcome.
pub struct BatchAnswer {
    /// The JSON array, one item per record.
    pub json: Vec<u8>,
    /// Each record's outcome, in order.
    pub outcomes: Vec<Outcome>,
    /// The policy of the evaluated items (the batch's one snapshot).
    pub policy: Option<PolicyStamp>,
}

/// One record of a stream, serialised as a JSON line, with its outcome.
pub struct StreamLine {
    /// The JSON line, `\n` included.
    pub bytes: Vec<u8>,
    /// Evaluated or failed.
    pub outcome: Outcome,
    /// The policy hash of an evaluated record.
    pub hash: Option<String>,
}

/// The engine the server serves, and where its policy comes from.
pub struct Served {
    engine: Engine,
    dir: Option<PathBuf>,
}

/// Parses a date given as `YYYY-MM-DD` (or RFC 3339).
pub fn parse_date(text: &str) -> Result<Date, String> {
    patron::model::parse_date(text)
}

/// The library's version.
pub fn library_version() -> &'static str {
    patron::VERSION
}

impl Served {
    /// Loads the policy in `dir`, or the embedded default.
    pub fn load(dir: Option<&Path>) -> Result<Served, Error> {
        let engine = match dir {
            Some(dir) => Engine::from_dir(dir)?,
            None => Engine::with_default_policy()?,
        };
        Ok(Served {
            engine,
            dir: dir.map(Path::to_path_buf),
        })
    }

    /// The policy directory, when the policy is not the embedded default.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Name, version and hash of the policy serving now.
    pub fn stamp(&self) -> PolicyStamp {
        self.engine.policy().stamp().clone()
    }

    /// Identity, vocabulary, limits, parameters and tiers of the policy serving now.
    pub fn info(&self) -> PolicyInfo {
        self.engine.policy_info()
    }

    /// Reloads the policy from its directory: loaded, checked and its own cases run first;
    /// the old policy keeps serving on failure. `None` when there is no directory.
    pub fn reload(&self) -> Option<Result<PolicyStamp, Error>> {
        self.dir.as_ref().map(|dir| self.engine.reload(dir))
    }

    /// One customer (a JSON object) evaluated, as JSON; its portfolio facts only from its
    /// own `portfolio` field.
    pub fn evaluate_one(&self, json: &str, ask: &Ask) -> Result<String, Error> {
        patron::json::evaluate(&self.engine, json, ask.as_of, &ask.options())
    }

    /// A batch (a JSON array) evaluated as one portfolio: one item per record, in order,
    /// each record's error in its place.
    pub fn evaluate_batch(&self, json: &str, ask: &Ask) -> Result<BatchAnswer, Error> {
        let items = self.engine.evaluate_many(json, ask.as_of, &ask.options())?;
        let outcomes = items.iter().map(outcome).collect();
        let policy = items.iter().find_map(|item| match item {
            BatchItem::Evaluated(e) => Some(e.policy.clone()),
            BatchItem::Failed { .. } => None,
        });
        let mut json = Vec::with_capacity(2 + items.len() * 2048);
        json.push(b'[');
        for (at, item) in items.iter().enumerate() {
            if at > 0 {
                json.push(b',');
            }
            item.write_json(&mut json);
        }
        json.push(b']');
        Ok(BatchAnswer {
            json,
            outcomes,
            policy,
        })
    }

    /// JSON Lines from `input` evaluated chunk by chunk; `sink` receives each chunk's lines
    /// in order and may stop the stream by returning an error. With `scan`, `input` is read
    /// twice (portfolio facts over all its customers first, as `patron eval` does);
    /// without, once, each record bringing its own portfolio facts (or none).
    pub fn evaluate_stream<R, S>(
        &self,
        mut input: R,
        scan: bool,
        ask: &Ask,
        sink: S,
    ) -> std::io::Result<()>
    where
        R: BufRead + Seek,
        S: FnMut(Vec<StreamLine>) -> std::io::Result<()>,
    {
        let options = StreamOptions {
            evaluate: ask.options(),
            ..StreamOptions::default()
        };
        let portfolio = if scan {
            let start = input.stream_position()?;
            let index = PortfolioIndex::scan(&mut input, ask.as_of, &options)?;
            input.seek(SeekFrom::Start(start))?;
            Some(index)
        } else {
            None
        };
        self.engine
            .evaluate_stream_by_ref(
                input,
                ask.as_of,
                portfolio.as_ref(),
                &options,
                stream_line,
                sink,
            )
            .map(|_| ())
    }

    /// [`evaluate_stream`](Served::evaluate_stream) of an input read once, each record with
    /// its own portfolio facts (an input that cannot seek).
    pub fn evaluate_stream_once<R, S>(&self, input: R, ask: &Ask, sink: S) -> std::io::Result<()>
    where
        R: BufRead,
        S: FnMut(Vec<StreamLine>) -> std::io::Result<()>,
    {
        let options = StreamOptions {
            evaluate: ask.options(),
            ..StreamOptions::default()
        };
        self.engine
            .evaluate_stream_by_ref(input, ask.as_of, None, &options, stream_line, sink)
            .map(|_| ())
    }

    /// The month plan of `customers_json` (a JSON array) for `request_json` (a JSON object).
    pub fn plan(
        &self,
        customers_json: &str,
        request_json: &str,
        deadline: Instant,
    ) -> Result<Plan, Error> {
        let options = until(deadline);
        let (customers, request) = patron::json::plan_input(customers_json, request_json)?;
        self.engine.plan_with(&customers, &request, &options)
    }

    /// What replacing the serving policy with the candidate made of `files` (name, text)
    /// would do to `customers_json`.
    pub fn diff(
        &self,
        files: Vec<(String, String)>,
        customers_json: &str,
        as_of: Date,
        deadline: Instant,
    ) -> Result<ImpactReport, Error> {
        let candidate = Policy::from_files(
            files
                .into_iter()
                .map(|(name, text)| PolicyFile { name, text })
                .collect(),
        )?;
        let options = until(deadline);
        patron::diff::impact_of_text_with(
            &self.engine.policy(),
            &candidate,
            customers_json,
            as_of,
            &options,
        )
    }
}

/// The default options with the request's `deadline`: every library call of the server runs
/// under its request's budget.
fn until(deadline: Instant) -> EvaluateOptions {
    EvaluateOptions {
        deadline: Some(deadline),
        ..EvaluateOptions::default()
    }
}

/// Whether a policy file name is one the library reads (`policy.toml` or `*.rhai`).
pub fn is_policy_file(name: &str) -> bool {
    name == "policy.toml" || (name.ends_with(".rhai") && name.len() > ".rhai".len())
}

fn outcome(item: &BatchItem) -> Outcome {
    match item {
        BatchItem::Evaluated(_) => None,
        BatchItem::Failed { error, .. } => Some(error.kind),
    }
}

fn stream_line(item: &BatchItem) -> StreamLine {
    let outcome = outcome(item);
    let hash = match item {
        BatchItem::Evaluated(e) => Some(e.policy.hash.clone()),
        BatchItem::Failed { .. } => None,
    };
    let bytes = item.to_json_line();
    StreamLine {
        bytes,
        outcome,
        hash,
    }
}

/// The outcome of a single evaluation's result.
pub fn single_outcome(result: &Result<String, Error>) -> Outcome {
    result.as_ref().err().map(Error::code)
}

// ---- The policy workbench (issue 18): a draft policy, as edited in the browser. ----

/// A draft's files (name, text): `policy.toml`, `*.rhai` and `tests/*.json`.
pub type DraftFiles = Vec<(String, String)>;

/// One problem of a draft, where the editor shows it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DraftDiagnostic {
    /// `error` or `warning`.
    pub severity: &'static str,
    /// The file, e.g. `promote.rhai` or `tests/grades.json`.
    pub file: String,
    /// 1-based line (0: the whole file).
    pub line: usize,
    /// 1-based column (0: the whole line).
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// One test case of a draft run: passed, or each difference between expected and actual.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CaseResult {
    /// The case's name.
    pub name: String,
    /// Its file, e.g. `tests/grades.json`.
    pub file: String,
    /// Whether every expectation held.
    pub passed: bool,
    /// Each expectation that did not hold.
    pub mismatches: Vec<CaseMismatch>,
}

/// One expectation that did not hold.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CaseMismatch {
    /// The customer (empty for a case-wide check such as a cited rule).
    pub customer_id: String,
    /// The field, e.g. `grade`.
    pub field: String,
    /// What the case expects.
    pub expected: String,
    /// What the policy gave.
    pub actual: String,
}

/// What the editor completes: facts of `c` and `c.portfolio`, functions, `params.` paths.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Completions {
    /// `c.<fact>`.
    pub facts: Vec<String>,
    /// `c.portfolio.<fact>`.
    pub portfolio: Vec<String>,
    /// patron's functions: name, signature, one sentence.
    pub functions: Vec<CompletionFunction>,
    /// `params.<path>` with its value.
    pub params: Vec<ParamPath>,
    /// The policy's grades, highest first.
    pub grades: Vec<String>,
    /// The policy's stages, in pipeline order.
    pub stages: Vec<String>,
}

/// A function offered by completion.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CompletionFunction {
    /// Its name.
    pub name: String,
    /// How it is called.
    pub signature: String,
    /// One sentence.
    pub doc: String,
}

/// A `params.` path offered by completion.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ParamPath {
    /// E.g. `weights.revenue`.
    pub path: String,
    /// Its value as TOML text (`table` for a table).
    pub value: String,
}

/// Whether `name` is a test-case file of a draft (`tests/NAME.json`).
pub fn is_test_file(name: &str) -> bool {
    name.strip_prefix("tests/")
        .and_then(|rest| rest.strip_suffix(".json"))
        .is_some_and(|stem| !stem.is_empty() && !stem.contains('/'))
}

fn policy_files(files: &[(String, String)]) -> Vec<PolicyFile> {
    files
        .iter()
        .filter(|(name, _)| is_policy_file(name))
        .map(|(name, text)| PolicyFile {
            name: name.clone(),
            text: text.clone(),
        })
        .collect()
}

/// Every problem `check` finds in the draft's policy files, plus the test files that do not
/// parse as test cases.
pub fn check_draft(files: &[(String, String)]) -> Vec<DraftDiagnostic> {
    use patron::policy::Severity;
    let mut out: Vec<DraftDiagnostic> = patron::policy::check_files(&policy_files(files))
        .diagnostics
        .into_iter()
        .map(|d| DraftDiagnostic {
            severity: match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            file: d.location.file,
            line: d.location.line,
            column: d.location.column,
            message: d.message,
        })
        .collect();
    // The same problem found twice (a file checked for two entry functions) is shown once.
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|d| seen.insert((d.file.clone(), d.line, d.column, d.message.clone())));
    for (name, text) in files.iter().filter(|(name, _)| is_test_file(name)) {
        if let Err(e) = patron::cases::parse_cases(name, text) {
            let found = e.diagnostics();
            if found.is_empty() {
                out.push(DraftDiagnostic {
                    severity: "error",
                    file: name.clone(),
                    line: 0,
                    column: 0,
                    message: e.to_string(),
                });
            }
            for d in found {
                out.push(DraftDiagnostic {
                    severity: "error",
                    file: name.clone(),
                    line: d.location.line,
                    column: d.location.column,
                    message: d.message,
                });
            }
        }
    }
    out
}

/// The draft loaded as a policy (its first error otherwise).
pub fn load_draft(files: &[(String, String)]) -> Result<Policy, Error> {
    Policy::from_files(policy_files(files))
}

/// What the editor completes for the draft; the served policy's parameters, grades and
/// stages when the draft's manifest does not parse.
pub fn completions(served: &Served, files: &[(String, String)]) -> Completions {
    let api = patron::script_api();
    let manifest = files
        .iter()
        .find(|(name, _)| name == "policy.toml")
        .and_then(|(_, text)| patron::policy::Manifest::parse(text).ok())
        .unwrap_or_else(|| served.engine.policy().manifest().clone());
    Completions {
        facts: api.customer_facts.iter().map(|s| s.to_string()).collect(),
        portfolio: api.portfolio_facts.iter().map(|s| s.to_string()).collect(),
        functions: api
            .functions
            .iter()
            .map(|f| CompletionFunction {
                name: f.name.into(),
                signature: f.signature.into(),
                doc: f.doc.into(),
            })
            .collect(),
        params: manifest
            .param_paths()
            .into_iter()
            .map(|(path, value)| ParamPath { path, value })
            .collect(),
        grades: manifest.grades.scale.names().to_vec(),
        stages: manifest.stages.pipeline.names().to_vec(),
    }
}

/// One customer (a JSON object) evaluated with the draft, explained, as JSON.
pub fn evaluate_draft(
    files: &[(String, String)],
    customer_json: &str,
    as_of: Date,
    deadline: Instant,
) -> Result<String, Error> {
    let engine = Engine::new(load_draft(files)?);
    let options = EvaluateOptions {
        explain: true,
        ..until(deadline)
    };
    patron::json::evaluate(&engine, customer_json, as_of, &options)
}

/// The draft's own test cases (its `tests/*.json`) run against the draft.
pub fn test_draft(files: &[(String, String)]) -> Result<Vec<CaseResult>, Error> {
    let policy = load_draft(files)?;
    let mut cases = Vec::new();
    for (name, text) in files.iter().filter(|(name, _)| is_test_file(name)) {
        cases.extend(patron::cases::parse_cases(name, text)?);
    }
    Ok(patron::cases::run_cases(&policy, &cases)
        .into_iter()
        .map(|o| CaseResult {
            passed: o.passed(),
            name: o.name,
            file: o.file,
            mismatches: o
                .mismatches
                .into_iter()
                .map(|m| CaseMismatch {
                    customer_id: m.customer_id,
                    field: m.field,
                    expected: m.expected,
                    actual: m.actual,
                })
                .collect(),
        })
        .collect())
}

/// Customers given as CSV, as JSON Lines the library reads (each on its CSV line).
pub fn customers_from_csv(text: &str) -> Result<String, Error> {
    patron::model::customers_csv_to_json_lines(text)
}

/// The plan of `customers_json` (a JSON array or JSON Lines) for `request_json` under the
/// draft, as HTML.
pub fn plan_draft_html(
    files: &[(String, String)],
    customers_json: &str,
    request_json: &str,
    deadline: Instant,
) -> Result<String, Error> {
    let engine = Engine::new(load_draft(files)?);
    let options = until(deadline);
    let (customers, request) = patron::json::plan_input(customers_json, request_json)?;
    let plan = engine.plan_with(&customers, &request, &options)?;
    Ok(crate::output::plan::render(&plan, PlanFormat::Html))
}

/// The served policy's files, as a draft starts from them.
pub fn served_files(served: &Served) -> DraftFiles {
    served
        .engine
        .policy()
        .files()
        .iter()
        .map(|f| (f.name.clone(), f.text.clone()))
        .collect()
}

impl Served {
    /// What the draft (every file, `tests/` ignored) changes against the serving policy
    /// over `customers_json` (a JSON array or JSON Lines): the report and each customer that
    /// moves.
    pub fn compare_draft(
        &self,
        files: &[(String, String)],
        customers_json: &str,
        as_of: Date,
        deadline: Instant,
    ) -> Result<patron::diff::Comparison, Error> {
        let candidate = load_draft(files)?;
        let options = until(deadline);
        patron::diff::compare_of_text_with(
            &self.engine.policy(),
            &candidate,
            customers_json,
            as_of,
            &options,
        )
    }

    /// Loads the policy directory and serves it without running its test cases (a save
    /// whose failing tests the author overrode); the old policy keeps serving when it does
    /// not load.
    pub fn replace_from_dir(&self) -> Option<Result<PolicyStamp, Error>> {
        self.dir
            .as_ref()
            .map(|dir| Policy::load(dir).map(|policy| self.engine.replace_policy(policy)))
    }
}
