//! The policy workbench's routes: the page at `/` and its assets under `/workbench/`, and
//! the JSON routes under `/v1/workbench/` that the page calls — read the policy's files,
//! check, complete, evaluate, test, compare and plan a draft (the files as edited, not yet
//! saved), and save it. A draft is posted whole as `{"files": {"NAME": "TEXT", …}}`.
//!
//! Read-only mode: on a server with a token, a request without it may still open the page,
//! read the files, check and complete (`auth::is_read_only`); evaluating, testing,
//! comparing, planning and saving need the token.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::adapter::{self, CaseResult, Completions, DraftDiagnostic, PolicyStamp};
use super::super::budget::{run_blocking, Budget};
use super::super::errors::{ApiError, ErrorEnvelope};
use super::super::state::Shared;
use super::super::workbench::{files, ASSETS, EXAMPLES, INDEX_HTML};
use super::super::{auth, body};
use super::{as_of, envelope, json_bytes};

/// The page and its assets (mounted at the root).
pub fn pages() -> Router<Shared> {
    Router::new()
        .route("/", axum::routing::get(index))
        .route("/workbench/{asset}", axum::routing::get(asset))
}

/// The JSON routes (mounted under `/v1`).
pub fn api() -> Router<Shared> {
    use axum::routing::{get, post};
    Router::new()
        .route("/workbench/files", get(list_files))
        .route("/workbench/examples/{name}", get(example))
        .route("/workbench/check", post(check))
        .route("/workbench/completions", post(completions))
        .route("/workbench/evaluate", post(evaluate))
        .route("/workbench/test", post(test))
        .route("/workbench/compare", post(compare))
        .route("/workbench/plan", post(plan))
        .route("/workbench/save", post(save))
}

async fn index() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        INDEX_HTML,
    )
        .into_response()
}

async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(a) => (
            [
                (header::CONTENT_TYPE, a.media),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            a.body,
        )
            .into_response(),
        None => ApiError::not_found("GET", &format!("/workbench/{name}")).into_response(),
    }
}

/// One file of the policy.
#[derive(Serialize, ToSchema)]
pub struct DraftFile {
    /// `policy.toml`, `NAME.rhai` or `tests/NAME.json`.
    pub name: String,
    /// Its text.
    pub text: String,
}

/// The answer of `GET /v1/workbench/files`.
#[derive(Serialize, ToSchema)]
pub struct FilesAnswer {
    /// The policy serving now.
    pub policy: PolicyStamp,
    /// Whether saving is possible at all (false for the embedded default policy).
    pub savable: bool,
    /// Whether this request may only read, check and complete (a server with a token,
    /// asked without it).
    pub read_only: bool,
    /// Whether the server has a token.
    pub token_required: bool,
    /// The files on disk (the embedded default's when there is no directory).
    pub files: Vec<DraftFile>,
    /// The example portfolios offered (`GET /v1/workbench/examples/{name}`).
    pub examples: Vec<String>,
}

/// The policy's files as saved, and what this client may do with them.
#[utoipa::path(
    get,
    path = "/v1/workbench/files",
    tag = "workbench",
    responses(
        (status = 200, description = "The files and the modes", body = FilesAnswer),
        (status = 500, description = "The policy directory cannot be read", body = ErrorEnvelope),
    ),
    security((), ("bearer" = [])),
)]
pub async fn list_files(
    State(state): State<Shared>,
    headers: HeaderMap,
) -> Result<axum::Json<FilesAnswer>, ApiError> {
    let job = state.clone();
    let read = tokio::task::spawn_blocking(move || match job.served.dir() {
        Some(dir) => files::read(dir),
        None => Ok(adapter::served_files(&job.served)),
    })
    .await
    .map_err(|e| ApiError::internal(format!("reading the files failed with a bug: {e}")))??;
    Ok(axum::Json(FilesAnswer {
        policy: state.served.stamp(),
        savable: state.served.dir().is_some(),
        read_only: !auth::authorized(&state, &headers),
        token_required: state.config.token.is_some(),
        files: read
            .into_iter()
            .map(|(name, text)| DraftFile { name, text })
            .collect(),
        examples: EXAMPLES.iter().map(|(n, _)| n.to_string()).collect(),
    }))
}

/// An example portfolio (`examples/NAME` of the repository, built in).
#[utoipa::path(
    get,
    path = "/v1/workbench/examples/{name}",
    tag = "workbench",
    params(("name" = String, Path, description = "e.g. `customers.json`")),
    responses(
        (status = 200, description = "The customers, a JSON array", content_type = "application/json"),
        (status = 404, description = "No such example", body = ErrorEnvelope),
    ),
    security((), ("bearer" = [])),
)]
pub async fn example(Path(name): Path<String>) -> Response {
    match EXAMPLES.iter().find(|(n, _)| *n == name) {
        Some((_, text)) => json_bytes(*text),
        None => {
            ApiError::not_found("GET", &format!("/v1/workbench/examples/{name}")).into_response()
        }
    }
}

/// A draft: the policy's files as edited.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftBody {
    /// Every file by name: `policy.toml`, `NAME.rhai`, `tests/NAME.json`.
    pub files: BTreeMap<String, String>,
}

fn draft_files(files: BTreeMap<String, String>) -> Result<adapter::DraftFiles, ApiError> {
    if files.is_empty() {
        return Err(ApiError::invalid_input(
            "files",
            "no files: give policy.toml and the *.rhai scripts",
        ));
    }
    for name in files.keys() {
        files::check_name(name)?;
    }
    Ok(files.into_iter().collect())
}

/// Reads a JSON body within the budget and parses it on a blocking thread with `work`.
async fn blocking_json<T, R, F>(
    state: &Shared,
    headers: &HeaderMap,
    request: Body,
    work: F,
) -> Result<R, ApiError>
where
    T: for<'a> Deserialize<'a>,
    R: Send + 'static,
    F: FnOnce(T, &Shared, &Budget) -> Result<R, ApiError> + Send + 'static,
{
    body::kind(headers, false)?;
    let budget = Budget::start(state.config.budget);
    let text = body::text(headers, request, state.config.max_body_bytes, &budget).await?;
    let job = state.clone();
    let inner = budget;
    run_blocking(state, &budget, move || {
        let parsed: T = envelope(&text)?;
        work(parsed, &job, &inner)
    })
    .await?
}

/// The answer of `check`.
#[derive(Serialize, ToSchema)]
pub struct CheckAnswer {
    /// Errors found.
    pub errors: usize,
    /// Warnings found.
    pub warnings: usize,
    /// Each problem at its file, line and column.
    pub diagnostics: Vec<DraftDiagnostic>,
}

/// Every problem of a draft at its line and column, as `patron check` finds them (and the
/// test files that are not valid test cases).
#[utoipa::path(
    post,
    path = "/v1/workbench/check",
    tag = "workbench",
    request_body(content = DraftBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The problems (none: an empty list)", body = CheckAnswer),
        (status = 400, description = "Malformed JSON", body = ErrorEnvelope),
        (status = 422, description = "A file name the workbench does not edit", body = ErrorEnvelope),
    ),
    security((), ("bearer" = [])),
)]
pub async fn check(
    State(state): State<Shared>,
    headers: HeaderMap,
    request: Body,
) -> Result<axum::Json<CheckAnswer>, ApiError> {
    blocking_json(&state, &headers, request, |draft: DraftBody, _, _| {
        let files = draft_files(draft.files)?;
        let diagnostics = adapter::check_draft(&files);
        let errors = diagnostics.iter().filter(|d| d.severity == "error").count();
        Ok(axum::Json(CheckAnswer {
            errors,
            warnings: diagnostics.len() - errors,
            diagnostics,
        }))
    })
    .await
}

/// What the editor completes for a draft: customer and portfolio facts, patron's functions,
/// the draft's `params.` paths, grades and stages.
#[utoipa::path(
    post,
    path = "/v1/workbench/completions",
    tag = "workbench",
    request_body(content = DraftBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The completions", body = Completions),
        (status = 400, description = "Malformed JSON", body = ErrorEnvelope),
    ),
    security((), ("bearer" = [])),
)]
pub async fn completions(
    State(state): State<Shared>,
    headers: HeaderMap,
    request: Body,
) -> Result<axum::Json<Completions>, ApiError> {
    blocking_json(&state, &headers, request, |draft: DraftBody, job, _| {
        let files = draft_files(draft.files)?;
        Ok(axum::Json(adapter::completions(&job.served, &files)))
    })
    .await
}

/// The body of `evaluate`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkbenchEvaluateBody {
    /// The draft.
    pub files: BTreeMap<String, String>,
    /// The customer (the JSON contract's customer record).
    #[schema(value_type = Object)]
    pub customer: serde_json::Value,
    /// Evaluation date, `YYYY-MM-DD`; today when absent.
    #[serde(default)]
    pub as_of: Option<String>,
}

/// One customer evaluated with the draft, explained (the evaluation with its `trace`).
#[utoipa::path(
    post,
    path = "/v1/workbench/evaluate",
    tag = "workbench",
    request_body(content = WorkbenchEvaluateBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The evaluation, with its trace", body = patron::Evaluation),
        (status = 401, description = "The token is missing (read-only workbench)", body = ErrorEnvelope),
        (status = 422, description = "The draft does not load, or the customer is invalid", body = ErrorEnvelope),
        (status = 503, description = "The time budget ran out", body = ErrorEnvelope),
    ),
    security((), ("bearer" = [])),
)]
pub async fn evaluate(
    State(state): State<Shared>,
    headers: HeaderMap,
    request: Body,
) -> Result<Response, ApiError> {
    blocking_json(
        &state,
        &headers,
        request,
        |b: WorkbenchEvaluateBody, _, budget| {
            let files = draft_files(b.files)?;
            let as_of = as_of(b.as_of.as_deref())?;
            let json =
                adapter::evaluate_draft(&files, &b.customer.to_string(), as_of, budget.deadline)
                    .map_err(|e| ApiError::from_library(&e))?;
            Ok(json_bytes(json))
        },
    )
    .await
}

/// The answer of `test`.
#[derive(Serialize, ToSchema)]
pub struct TestAnswer {
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed.
    pub failed: usize,
    /// Every case, in file order.
    pub cases: Vec<CaseResult>,
}

/// The draft's own test cases (`tests/*.json` of the draft) run against the draft.
#[utoipa::path(
    post,
    path = "/v1/workbench/test",
    tag = "workbench",
    request_body(content = DraftBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Each case: passed, or expected against actual", body = TestAnswer),
        (status = 401, description = "The token is missing (read-only workbench)", body = ErrorEnvelope),
        (status = 422, description = "The draft or a test file does not load", body = ErrorEnvelope),
    ),
    security((), ("bearer" = [])),
)]
pub async fn test(
    State(state): State<Shared>,
    headers: HeaderMap,
    request: Body,
) -> Result<axum::Json<TestAnswer>, ApiError> {
    blocking_json(&state, &headers, request, |draft: DraftBody, _, _| {
        let files = draft_files(draft.files)?;
        Ok(axum::Json(run_tests(&files)?))
    })
    .await
}

fn run_tests(files: &[(String, String)]) -> Result<TestAnswer, ApiError> {
    let cases = adapter::test_draft(files).map_err(|e| ApiError::from_library(&e))?;
    let failed = cases.iter().filter(|c| !c.passed).count();
    Ok(TestAnswer {
        passed: cases.len() - failed,
        failed,
        cases,
    })
}

/// The body of `compare`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompareBody {
    /// The draft.
    pub files: BTreeMap<String, String>,
    /// The portfolio as text: a JSON array, JSON Lines, or CSV (a header row with `id`).
    pub customers: String,
    /// `json`, `jsonl` or `csv`; guessed from the text when absent (CSV unless it starts
    /// with `[` or `{`).
    #[serde(default)]
    pub format: Option<String>,
    /// Evaluation date, `YYYY-MM-DD`; today when absent.
    #[serde(default)]
    pub as_of: Option<String>,
}

/// What the draft changes against the saved (serving) policy over a portfolio: the grade
/// and stage migration matrices, cadence changes, the calls and visits a month, and every
/// customer that moves.
#[utoipa::path(
    post,
    path = "/v1/workbench/compare",
    tag = "workbench",
    request_body(content = CompareBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The comparison", body = patron::diff::Comparison),
        (status = 401, description = "The token is missing (read-only workbench)", body = ErrorEnvelope),
        (status = 422, description = "The draft does not load, or the portfolio cannot be read", body = ErrorEnvelope),
        (status = 503, description = "The time budget ran out", body = ErrorEnvelope),
    ),
    security((), ("bearer" = [])),
)]
pub async fn compare(
    State(state): State<Shared>,
    headers: HeaderMap,
    request: Body,
) -> Result<Response, ApiError> {
    blocking_json(&state, &headers, request, |b: CompareBody, job, budget| {
        let files = draft_files(b.files)?;
        let as_of = as_of(b.as_of.as_deref())?;
        let customers = portfolio_text(&b.customers, b.format.as_deref())?;
        let comparison = job
            .served
            .compare_draft(&files, &customers, as_of, budget.deadline)
            .map_err(|e| ApiError::from_library(&e))?;
        let bytes = serde_json::to_vec(&comparison)
            .map_err(|e| ApiError::internal(format!("cannot write JSON: {e}")))?;
        Ok(json_bytes(bytes))
    })
    .await
}

/// The portfolio as JSON (an array or JSON Lines) the library reads.
fn portfolio_text(text: &str, format: Option<&str>) -> Result<String, ApiError> {
    let guessed = if text.trim_start().starts_with(['[', '{']) {
        "json"
    } else {
        "csv"
    };
    match format.unwrap_or(guessed) {
        "json" | "jsonl" => Ok(text.to_string()),
        "csv" => adapter::customers_from_csv(text).map_err(|e| ApiError::from_library(&e)),
        other => Err(ApiError::invalid_input(
            "format",
            format!("`{other}` is not one of json, jsonl, csv"),
        )),
    }
}

/// The body of `plan`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkbenchPlanBody {
    /// The draft.
    pub files: BTreeMap<String, String>,
    /// The portfolio as text (JSON array, JSON Lines or CSV).
    pub customers: String,
    /// The plan request: `month`, `owner` and capacities, as `POST /v1/plan` takes it.
    #[schema(value_type = patron::PlanRequest)]
    pub request: serde_json::Value,
}

/// The month plan of an owner under the draft, as the HTML calendar of
/// `patron plan --format html`.
#[utoipa::path(
    post,
    path = "/v1/workbench/plan",
    tag = "workbench",
    request_body(content = WorkbenchPlanBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The calendar", content_type = "text/html"),
        (status = 401, description = "The token is missing (read-only workbench)", body = ErrorEnvelope),
        (status = 422, description = "The draft does not load, or a request field is invalid", body = ErrorEnvelope),
        (status = 503, description = "The time budget ran out", body = ErrorEnvelope),
    ),
    security((), ("bearer" = [])),
)]
pub async fn plan(
    State(state): State<Shared>,
    headers: HeaderMap,
    request: Body,
) -> Result<Response, ApiError> {
    blocking_json(
        &state,
        &headers,
        request,
        |b: WorkbenchPlanBody, _, budget| {
            let files = draft_files(b.files)?;
            let customers = portfolio_text(&b.customers, None)?;
            let html = adapter::plan_draft_html(
                &files,
                &customers,
                &b.request.to_string(),
                budget.deadline,
            )
            .map_err(|e| ApiError::from_library(&e))?;
            Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
        },
    )
    .await
}

/// The body of `save`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveBody {
    /// The draft: every file to write (files not named are left as they are).
    pub files: BTreeMap<String, String>,
    /// Save although tests fail; the reason is then required and recorded in
    /// `policy.toml` as a `[[version_notes]]` entry.
    #[serde(default, rename = "override")]
    pub override_tests: bool,
    /// Why the failing tests are overridden.
    #[serde(default)]
    pub reason: Option<String>,
}

/// The answer of a save.
#[derive(Serialize, ToSchema)]
pub struct Saved {
    /// The files written (those whose text changed).
    pub saved: Vec<String>,
    /// The test cases that failed and were overridden (empty unless `override`).
    pub overridden: Vec<String>,
    /// The policy serving now.
    pub policy: PolicyStamp,
}

/// Save a draft: checked, its tests run, written atomically (all files or none), then
/// served. A failing test blocks the save unless `override` is set with a `reason`, which
/// is recorded in `policy.toml` under `[[version_notes]]`.
#[utoipa::path(
    post,
    path = "/v1/workbench/save",
    tag = "workbench",
    request_body(content = SaveBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Saved and serving", body = Saved),
        (status = 401, description = "The token is missing (read-only workbench)", body = ErrorEnvelope),
        (status = 409, description = "Tests fail (and no override), or no policy directory", body = ErrorEnvelope),
        (status = 422, description = "The draft has errors, or a file name is refused", body = ErrorEnvelope),
    ),
    security((), ("bearer" = [])),
)]
pub async fn save(
    State(state): State<Shared>,
    headers: HeaderMap,
    request: Body,
) -> Result<axum::Json<Saved>, ApiError> {
    if state.served.dir().is_none() {
        return Err(ApiError::conflict(
            "the server serves the embedded default policy (no --policy DIR): there is nowhere to save",
        ));
    }
    // One save at a time: a second waits for the first to be written and served.
    static SAVING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _one_at_a_time = SAVING.lock().await;
    let (overridden, saved) =
        blocking_json(&state, &headers, request, |b: SaveBody, job, _| {
            let mut files = draft_files(b.files)?;
            let dir = job
                .served
                .dir()
                .ok_or_else(|| ApiError::conflict("no policy directory"))?;
            files::check_confined(dir, files.iter().map(|(name, _)| name))?;
            let errors: Vec<String> = adapter::check_draft(&files)
                .into_iter()
                .filter(|d| d.severity == "error")
                .map(|d| format!("{}:{}:{}: {}", d.file, d.line, d.column, d.message))
                .collect();
            if !errors.is_empty() {
                return Err(ApiError::invalid_input(
                    "files",
                    format!("not saved: check finds {} error(s): {}", errors.len(), errors.join("; ")),
                ));
            }
            let tests = run_tests(&files)?;
            let failing: Vec<String> = tests
                .cases
                .iter()
                .filter(|c| !c.passed)
                .map(|c| format!("{}: {}", c.file, c.name))
                .collect();
            if !failing.is_empty() {
                let reason = b.reason.as_deref().map(str::trim).unwrap_or("");
                if !b.override_tests {
                    return Err(ApiError::conflict(format!(
                        "not saved: {} test case(s) fail ({}); fix them, or save with `override` and a `reason`",
                        failing.len(),
                        failing.join("; ")
                    )));
                }
                if reason.is_empty() {
                    return Err(ApiError::invalid_input(
                        "reason",
                        "an override of failing tests needs a reason (it is recorded in policy.toml)",
                    ));
                }
                let note = format!(
                    "saved from the workbench with {} failing test case(s) overridden ({}): {reason}",
                    failing.len(),
                    failing.join("; ")
                );
                append_version_note(&mut files, &note)?;
            }
            let saved = files::save(dir, &files)?;
            Ok((failing, saved))
        })
        .await?;
    let policy = state.reload_checked(overridden.is_empty()).await?;
    Ok(axum::Json(Saved {
        saved,
        overridden,
        policy,
    }))
}

/// Appends a `[[version_notes]]` entry dated today to the draft's `policy.toml`.
fn append_version_note(files: &mut [(String, String)], note: &str) -> Result<(), ApiError> {
    let manifest = files
        .iter_mut()
        .find(|(name, _)| name == "policy.toml")
        .ok_or_else(|| ApiError::invalid_input("files", "the draft has no policy.toml"))?;
    let date = chrono::Local::now().date_naive();
    // A JSON string is a valid TOML basic string (the same escapes).
    let quoted = serde_json::to_string(note)
        .map_err(|e| ApiError::internal(format!("cannot write the note: {e}")))?;
    let text = &mut manifest.1;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!(
        "\n[[version_notes]]\ndate = \"{date}\"\nnote = {quoted}\n"
    ));
    Ok(())
}
