//! Checking a policy as a whole, collecting every problem rather than stopping at the first:
//! the manifest, the scripts (syntax, entry functions, grade/stage literals, `params` paths),
//! per-grade tables that must cover every grade, weights that must be sane, rule citations
//! that must be well formed, and parameters no script reads (a warning). `patron check` shows
//! them all, and so does a load that fails: its [`Error::Policy`] carries every error.
//! [`Diagnostic`] and [`Severity`] live in the error module (a policy error carries them) and
//! are re-exported here, where they are produced.

pub use crate::error::{Diagnostic, Severity};
use crate::error::{Error, SourceLocation};
use crate::script::{check_scripts, Limits, ScriptCheck};
use crate::source::PolicyFile;

use super::manifest::{Manifest, MANIFEST_FILE};

/// Everything checking found, with what later steps need.
#[derive(Debug)]
pub struct CheckReport {
    /// Every problem, errors and warnings, in the order found.
    pub diagnostics: Vec<Diagnostic>,
    /// The manifest, when it parsed.
    pub(crate) manifest: Option<Manifest>,
    /// Parameter paths each script function reads.
    pub(crate) param_reads: std::collections::BTreeMap<String, Vec<String>>,
    /// The rules' handbook citations.
    pub(crate) citations: super::citations::Citations,
}

impl CheckReport {
    /// The report's errors as one [`Error::Policy`] (every error, the first one first), or
    /// `None` when there is no error (warnings alone do not fail).
    pub fn to_error(&self) -> Option<Error> {
        Error::from_diagnostics(self.diagnostics.iter().cloned())
    }

    /// Whether any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

fn at_file(file: &str) -> SourceLocation {
    SourceLocation {
        file: file.to_string(),
        ..SourceLocation::default()
    }
}

/// Checks a policy's files and reports every problem.
pub fn check_files(files: &[PolicyFile]) -> CheckReport {
    let mut diagnostics = Vec::new();
    let manifest_text = files
        .iter()
        .find(|f| f.name == MANIFEST_FILE)
        .map(|f| f.text.as_str());
    let manifest = match manifest_text {
        None => {
            diagnostics.push(Diagnostic::error(
                at_file(MANIFEST_FILE),
                "missing: a policy needs a policy.toml",
            ));
            None
        }
        Some(text) => match Manifest::parse(text) {
            Ok(manifest) => Some(manifest),
            Err(error @ Error::Policy { .. }) => {
                diagnostics.extend(error.diagnostics());
                None
            }
            Err(other) => {
                diagnostics.push(Diagnostic::error(at_file(MANIFEST_FILE), other.to_string()));
                None
            }
        },
    };
    let empty = crate::model::Ladder::new(Vec::<String>::new());
    let no_params = toml::Table::new();
    let default_limits = Limits::default();
    let scripts = check_scripts(&ScriptCheck {
        files,
        grades: manifest.as_ref().map_or(&empty, |m| &m.grades.scale),
        stages: manifest.as_ref().map_or(&empty, |m| &m.stages.pipeline),
        params: manifest.as_ref().map_or(&no_params, |m| &m.params),
        limits: manifest.as_ref().map_or(&default_limits, |m| &m.limits),
        vocabulary_known: manifest.is_some(),
    });
    diagnostics.extend(scripts.diagnostics);
    let citations = super::citations::read(files, &mut diagnostics);
    if let (Some(manifest), Some(text)) = (&manifest, manifest_text) {
        check_params(
            manifest,
            text,
            &scripts.reads,
            scripts.all_compiled,
            &mut diagnostics,
        );
    }
    CheckReport {
        diagnostics,
        manifest,
        param_reads: scripts.reads,
        citations,
    }
}

/// Where `[params.<path>]` or its last key is written in `policy.toml`, best effort.
fn locate_param(text: &str, path: &[&str]) -> SourceLocation {
    let header = format!("[params.{}]", path.join("."));
    let mut from = 0;
    let mut offset = text.find(&header);
    if offset.is_none() && path.len() > 1 {
        let parent = format!("[params.{}]", path[..path.len() - 1].join("."));
        if let Some(start) = text.find(&parent) {
            from = start;
        }
        let key = path[path.len() - 1];
        offset = text[from..]
            .match_indices(key)
            .map(|(i, _)| from + i)
            .find(|&i| {
                let before = text[..i].chars().last();
                let after = text[i + key.len()..].trim_start();
                matches!(before, None | Some('\n' | ' ' | '{' | ',')) && after.starts_with('=')
            });
    }
    let (line, column) = offset.map_or((0, 0), |o| crate::source::line_col(text, o));
    SourceLocation {
        file: MANIFEST_FILE.to_string(),
        line,
        column,
    }
}

fn check_params(
    manifest: &Manifest,
    text: &str,
    reads: &std::collections::BTreeMap<String, Vec<String>>,
    reads_complete: bool,
    out: &mut Vec<Diagnostic>,
) {
    let params = &manifest.params;
    let grades = manifest.grades.scale.names();

    // Tables keyed by grade must cover every grade.
    let per_grade: Vec<String> = match &manifest.checks.per_grade {
        Some(list) => list.clone(),
        None if params.contains_key("cadence") => vec!["cadence".to_string()],
        None => Vec::new(),
    };
    for path in &per_grade {
        let segments: Vec<&str> = path.split('.').collect();
        match lookup(params, &segments) {
            Some(toml::Value::Table(table)) => {
                for grade in grades {
                    if !table.contains_key(grade) {
                        out.push(Diagnostic::error(
                            locate_param(text, &segments),
                            format!("`params.{path}` has no entry for grade `{grade}`; it must cover every grade"),
                        ));
                    }
                }
                for key in table.keys() {
                    if !grades.contains(key) {
                        out.push(Diagnostic::error(
                            locate_param(text, &segments),
                            format!("`params.{path}` has an entry for `{key}`, which is not a grade of this policy"),
                        ));
                    }
                }
            }
            _ => out.push(Diagnostic::error(
                at_file(MANIFEST_FILE),
                format!("[checks] per_grade names `params.{path}`, which is not a table"),
            )),
        }
    }

    // Weights: numbers, not negative, summing as declared.
    if let Some(toml::Value::Table(weights)) = params.get("weights") {
        let mut sum = 0.0;
        for (name, value) in weights {
            let number = match value {
                toml::Value::Float(f) => Some(*f),
                toml::Value::Integer(i) => Some(*i as f64),
                _ => None,
            };
            match number {
                Some(w) if w >= 0.0 && w.is_finite() => sum += w,
                _ => out.push(Diagnostic::error(
                    locate_param(text, &["weights", name]),
                    format!("weight `{name}` must be a number ≥ 0, not {value}"),
                )),
            }
        }
        if let Some(expected) = manifest.checks.weights_sum {
            if (sum - expected).abs() > 1e-6 {
                out.push(Diagnostic::error(
                    locate_param(text, &["weights"]),
                    format!(
                        "the weights sum to {sum}, but [checks] weights_sum declares {expected}"
                    ),
                ));
            }
        }
    }

    // Parameters no script reads (unknowable while a script does not compile).
    if !reads_complete {
        return;
    }
    let used: Vec<Vec<&str>> = reads
        .values()
        .flatten()
        .map(|p| p.split('.').collect())
        .collect();
    let mut leaves = Vec::new();
    collect_leaves(params, &mut Vec::new(), &mut leaves);
    for leaf in leaves {
        let leaf_refs: Vec<&str> = leaf.iter().map(String::as_str).collect();
        let is_used = used.iter().any(|u| {
            let n = u.len().min(leaf_refs.len());
            u[..n] == leaf_refs[..n]
        });
        let is_checked = per_grade
            .iter()
            .any(|p| leaf.join(".").starts_with(p.as_str()));
        if !is_used && !is_checked {
            out.push(Diagnostic::warning(
                locate_param(text, &leaf_refs),
                format!(
                    "parameter `params.{}` is not read by any script",
                    leaf.join(".")
                ),
            ));
        }
    }
}

fn lookup<'a>(table: &'a toml::Table, path: &[&str]) -> Option<&'a toml::Value> {
    let (first, rest) = path.split_first()?;
    let value = table.get(*first)?;
    if rest.is_empty() {
        return Some(value);
    }
    match value {
        toml::Value::Table(inner) => lookup(inner, rest),
        _ => None,
    }
}

fn collect_leaves(table: &toml::Table, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    for (key, value) in table {
        prefix.push(key.clone());
        match value {
            toml::Value::Table(inner) => collect_leaves(inner, prefix, out),
            _ => out.push(prefix.clone()),
        }
        prefix.pop();
    }
}
