//! Compiling a policy's scripts and checking them before anything runs: syntax, entry
//! functions and their arity, grade and stage names written as literals, and `params.…`
//! paths that the manifest does not define. Every problem names file, line and column.

use std::collections::BTreeMap;

use rhai::{ASTNode, Expr, AST};

use super::api::{new_engine, Vocabulary};
use super::entries::{Entry, ENTRIES};
use crate::error::{Diagnostic, Error, Result, SourceLocation};
use crate::source::PolicyFile;

/// The parameter paths each entry function reads, by `file::function`, found statically.
pub(crate) type ParamReads = BTreeMap<String, Vec<String>>;

/// What checking needs to know about the policy.
pub(crate) struct ScriptCheck<'a> {
    pub(crate) files: &'a [PolicyFile],
    pub(crate) grades: &'a crate::model::GradeScale,
    pub(crate) stages: &'a crate::model::StagePipeline,
    pub(crate) params: &'a toml::Table,
    pub(crate) limits: &'a super::Limits,
    /// False when the manifest did not load: only syntax and entry functions are checked.
    pub(crate) vocabulary_known: bool,
}

/// What checking the scripts found.
#[derive(Debug, Default)]
pub(crate) struct ScriptReport {
    /// Parameter paths each function reads.
    pub(crate) reads: ParamReads,
    /// Every problem, in file order.
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// Whether every script compiled, so that `reads` is complete.
    pub(crate) all_compiled: bool,
}

/// Compiled scripts of one policy, by file name.
pub(crate) struct CompiledScripts {
    pub(crate) asts: BTreeMap<&'static str, AST>,
}

fn error_at(file: &str, line: usize, column: usize, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(
        SourceLocation {
            file: file.to_string(),
            line,
            column,
        },
        message,
    )
}

fn position(pos: rhai::Position) -> (usize, usize) {
    (pos.line().unwrap_or(0), pos.position().unwrap_or(0))
}

/// Compiles one entry file, or says where its syntax is wrong.
fn compile_file(
    engine: &rhai::Engine,
    entry: &Entry,
    text: &str,
) -> std::result::Result<AST, Diagnostic> {
    compile_file_with(engine, entry, text, &rhai::Scope::new())
}

/// [`compile_file`] with constants in scope for the optimizer to fold.
fn compile_file_with(
    engine: &rhai::Engine,
    entry: &Entry,
    text: &str,
    scope: &rhai::Scope,
) -> std::result::Result<AST, Diagnostic> {
    let mut ast = engine.compile_with_scope(scope, text).map_err(|e| {
        let (line, column) = position(e.position());
        error_at(entry.file, line, column, e.err_type().to_string())
    })?;
    ast.set_source(entry.file);
    Ok(ast)
}

fn missing_file(entry: &Entry) -> Diagnostic {
    error_at(
        entry.file,
        0,
        0,
        format!(
            "missing script; it must define `fn {}({})`",
            entry.function,
            entry.params.join(", ")
        ),
    )
}

/// Compiles every entry file present with `engine`, with the policy's scalar parameters
/// folded in as constants (see the `fold` module). Every file is tried: the error lists
/// each file that does not compile and each required file that is missing.
pub(crate) fn compile_scripts(
    engine: &rhai::Engine,
    files: &[PolicyFile],
    params: &toml::Table,
) -> Result<CompiledScripts> {
    let mut asts = BTreeMap::new();
    let mut problems = Vec::new();
    for entry in ENTRIES {
        if asts.contains_key(entry.file)
            || problems
                .iter()
                .any(|p: &Diagnostic| p.location.file == entry.file)
        {
            continue;
        }
        match files.iter().find(|f| f.name == entry.file) {
            Some(file) => {
                let folded = super::fold::fold_params(engine, &file.text, params);
                match compile_file_with(engine, &entry, &folded.text, &folded.scope()) {
                    Ok(ast) => {
                        asts.insert(entry.file, ast);
                    }
                    Err(problem) => problems.push(problem),
                }
            }
            None if entry.required => problems.push(missing_file(&entry)),
            None => {}
        }
    }
    match Error::from_diagnostics(problems) {
        Some(error) => Err(error),
        None => Ok(CompiledScripts { asts }),
    }
}

/// Compiles and checks every script of a policy, collecting every problem.
pub(crate) fn check_scripts(check: &ScriptCheck) -> ScriptReport {
    let vocabulary = std::rc::Rc::new(Vocabulary::new(
        check.grades.clone(),
        check.stages.clone(),
        check.limits.max_string_size,
    ));
    let mut engine = new_engine(&vocabulary, check.params);
    check.limits.apply(&mut engine);
    let mut report = ScriptReport {
        all_compiled: true,
        ..ScriptReport::default()
    };

    for file in check.files {
        let is_entry_file = ENTRIES.iter().any(|e| e.file == file.name);
        if file.name.ends_with(".rhai") && !is_entry_file {
            report.diagnostics.push(error_at(
                &file.name,
                0,
                0,
                format!(
                    "unexpected script; a policy's scripts are {}",
                    ENTRIES
                        .iter()
                        .map(|e| e.file)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }

    let mut compiled: BTreeMap<&'static str, (AST, &str)> = BTreeMap::new();
    // A file with several entry functions (`promote.rhai`: `grade` and `stage`) is compiled
    // once, and a syntax error in it reported once.
    let mut failed: Vec<&'static str> = Vec::new();
    for entry in ENTRIES {
        if compiled.contains_key(entry.file) || failed.contains(&entry.file) {
            continue;
        }
        match check.files.iter().find(|f| f.name == entry.file) {
            Some(file) => match compile_file(&engine, &entry, &file.text) {
                Ok(ast) => {
                    compiled.insert(entry.file, (ast, file.text.as_str()));
                }
                Err(problem) => {
                    report.all_compiled = false;
                    report.diagnostics.push(problem);
                    failed.push(entry.file);
                }
            },
            None if entry.required => report.diagnostics.push(missing_file(&entry)),
            None => {}
        }
    }
    for entry in ENTRIES {
        if let Some((ast, text)) = compiled.get(entry.file) {
            if let Some(problem) = check_entry(ast, text, &entry) {
                report.diagnostics.push(problem);
            }
        }
    }
    if !check.vocabulary_known {
        return report;
    }
    for (file, (ast, text)) in &compiled {
        check_names(file, ast, check, &mut report.diagnostics);
        let starts = function_starts(text);
        ast.walk(&mut |path: &[ASTNode]| {
            let Some(ASTNode::Expr(expr)) = path.last() else {
                return true;
            };
            let Some((segments, pos)) = params_path(expr) else {
                return true;
            };
            let (line, column) = position(pos);
            if let Err(missing) = super::params::lookup_path(check.params, &segments) {
                report.diagnostics.push(error_at(
                    file,
                    line,
                    column,
                    format!(
                        "`params.{}` is not defined: policy.toml [params] has no `{missing}` there",
                        segments.join(".")
                    ),
                ));
                return true;
            }
            if let Some((_, function)) = starts.iter().rev().find(|(start, _)| *start <= line) {
                let paths = report
                    .reads
                    .entry(format!("{file}::{function}"))
                    .or_default();
                let joined = segments.join(".");
                if !paths.contains(&joined) {
                    paths.push(joined);
                }
            }
            true
        });
    }
    report
}

/// The entry function exists with the right number of parameters.
fn check_entry(ast: &AST, text: &str, entry: &Entry) -> Option<Diagnostic> {
    let arities: Vec<usize> = ast
        .iter_functions()
        .filter(|f| f.name == entry.function)
        .map(|f| f.params.len())
        .collect();
    if arities.contains(&entry.arity()) {
        return None;
    }
    let signature = format!("fn {}({})", entry.function, entry.params.join(", "));
    Some(match arities.first() {
        None => error_at(
            entry.file,
            0,
            0,
            format!("missing entry function `{signature}`"),
        ),
        Some(found) => {
            let needle = format!("fn {}", entry.function);
            let (line, column) = text
                .find(&needle)
                .map(|offset| crate::source::line_col(text, offset))
                .unwrap_or((0, 0));
            error_at(
                entry.file,
                line,
                column,
                format!(
                    "`{}` takes {found} parameter(s); the engine calls `{signature}`",
                    entry.function
                ),
            )
        }
    })
}

/// (line, name) of every `fn name(` in a script, in order: a parameter read on a line
/// belongs to the last function that starts at or before it.
fn function_starts(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let rest = line.trim_start();
            let rest = rest.strip_prefix("private ").unwrap_or(rest).trim_start();
            let rest = rest.strip_prefix("fn ")?.trim_start();
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            (!name.is_empty()).then_some((index + 1, name))
        })
        .collect()
}

/// Grade and stage names written as string literals must be in the manifest.
fn check_names(file: &str, ast: &AST, check: &ScriptCheck, out: &mut Vec<Diagnostic>) {
    ast.walk(&mut |path: &[ASTNode]| {
        let Some(ASTNode::Expr(Expr::FnCall(call, pos))) = path.last() else {
            return true;
        };
        let (what, ladder) = match call.name.as_str() {
            "set_grade" | "grade_up" | "grade_down" | "grade_rank" => ("grade", check.grades),
            "set_stage" | "stage_rank" => ("stage", check.stages),
            _ => return true,
        };
        if let Some(Expr::StringConstant(name, _)) = call.args.first() {
            if !ladder.contains(name) {
                let (line, column) = position(*pos);
                out.push(error_at(
                    file,
                    line,
                    column,
                    format!(
                        "unknown {what} `{name}`; the policy's {what}s are: {}",
                        ladder.names().join(", ")
                    ),
                ));
            }
        }
        true
    });
}

/// `params.a.b.c` → (["a", "b", "c"], position of `params`).
pub(crate) fn params_path(expr: &Expr) -> Option<(Vec<String>, rhai::Position)> {
    let Expr::Dot(dot, ..) = expr else {
        return None;
    };
    let Expr::Variable(var, _, pos) = &dot.lhs else {
        return None;
    };
    if var.1.as_str() != "params" {
        return None;
    }
    let mut segments = Vec::new();
    let mut rhs = &dot.rhs;
    loop {
        match rhs {
            Expr::Property(p, _) => {
                segments.push(p.2.to_string());
                break;
            }
            Expr::Dot(inner, ..) | Expr::Index(inner, ..) => {
                if let Expr::Property(p, _) = &inner.lhs {
                    segments.push(p.2.to_string());
                }
                if matches!(rhs, Expr::Index(..)) {
                    break;
                }
                rhs = &inner.rhs;
            }
            _ => break,
        }
    }
    (!segments.is_empty()).then_some((segments, *pos))
}
