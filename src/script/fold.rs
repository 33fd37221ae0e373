//! Folding the policy's parameters into the compiled scripts as constants.
//!
//! A script reads `params.weights.revenue`; at run time that is a variable lookup and two
//! indexer calls. Before compiling for evaluation, every such path that names a scalar or an
//! array of scalars is rewritten to the identifier `params_weights_revenue` — exactly as
//! long, so every position in an error message stays right — and the value is pushed as a
//! constant into the compile scope, which rhai's optimizer substitutes into the functions.
//! Tables (`params.cadence[grade]`) are left to the run-time `params` lookup.

use rhai::{ASTNode, Dynamic, Engine, Scope};

use super::compile::params_path;
use crate::source::line_col;

/// A script's text with its foldable parameter paths rewritten, and the constants to compile
/// it with.
pub(crate) struct Folded {
    pub(crate) text: String,
    pub(crate) constants: Vec<(String, Dynamic)>,
}

impl Folded {
    /// The compile scope holding the constants.
    pub(crate) fn scope(&self) -> Scope<'static> {
        let mut scope = Scope::new();
        for (name, value) in &self.constants {
            scope.push_constant_dynamic(name.clone(), value.clone());
        }
        scope
    }
}

fn foldable(value: &toml::Value) -> Option<Dynamic> {
    Some(match value {
        toml::Value::String(s) => Dynamic::from(rhai::ImmutableString::from(s.as_str())),
        toml::Value::Integer(i) => Dynamic::from_int(*i),
        toml::Value::Float(f) => Dynamic::from_float(*f),
        toml::Value::Boolean(b) => Dynamic::from_bool(*b),
        toml::Value::Array(items) => {
            Dynamic::from_array(items.iter().map(foldable).collect::<Option<Vec<_>>>()?)
        }
        toml::Value::Datetime(_) | toml::Value::Table(_) => return None,
    })
}

fn lookup<'a>(table: &'a toml::Table, segments: &[String]) -> Option<&'a toml::Value> {
    let (first, rest) = segments.split_first()?;
    let value = table.get(first)?;
    match (rest.is_empty(), value) {
        (true, value) => Some(value),
        (false, toml::Value::Table(inner)) => lookup(inner, rest),
        _ => None,
    }
}

/// Byte offset of 1-based `line` and `column` (in characters) in `text`.
fn byte_offset(text: &str, line: usize, column: usize) -> Option<usize> {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum();
    let rest = text.get(start..)?;
    let within = rest.char_indices().nth(column.checked_sub(1)?)?.0;
    Some(start + within)
}

/// Rewrites the foldable `params.…` paths of `text`. Paths written with spaces or comments
/// inside, or that name tables, are left alone.
pub(crate) fn fold_params(engine: &Engine, text: &str, params: &toml::Table) -> Folded {
    let Ok(ast) = engine.compile(text) else {
        return Folded {
            text: text.to_string(),
            constants: Vec::new(),
        };
    };
    let mut edits: Vec<(usize, String, String, Dynamic)> = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        let Some(ASTNode::Expr(expr)) = path.last() else {
            return true;
        };
        let Some((segments, pos)) = params_path(expr) else {
            return true;
        };
        let Some(value) = lookup(params, &segments).and_then(foldable) else {
            return true;
        };
        let (Some(line), Some(column)) = (pos.line(), pos.position()) else {
            return true;
        };
        let Some(offset) = byte_offset(text, line, column) else {
            return true;
        };
        let written = format!("params.{}", segments.join("."));
        if text[offset..].starts_with(&written) {
            edits.push((
                offset,
                written,
                format!("params_{}", segments.join("_")),
                value,
            ));
        }
        true
    });
    edits.sort_by_key(|(offset, ..)| *offset);
    edits.dedup_by_key(|(offset, ..)| *offset);
    let mut folded = text.to_string();
    let mut constants: Vec<(String, Dynamic)> = Vec::new();
    for (offset, written, name, value) in edits.into_iter().rev() {
        debug_assert_eq!(written.len(), name.len());
        folded.replace_range(offset..offset + written.len(), &name);
        if !constants.iter().any(|(n, _)| *n == name) {
            constants.push((name, value));
        }
    }
    debug_assert_eq!(line_col(&folded, folded.len()), line_col(text, text.len()));
    Folded {
        text: folded,
        constants,
    }
}

#[cfg(test)]
mod tests {
    use super::fold_params;

    fn params() -> toml::Table {
        toml::from_str(
            "[weights]\nrevenue = 0.3\n[cadence.A]\ncalls = 2\n[names]\nlist = [\"A\", \"B\"]\n",
        )
        .unwrap()
    }

    #[test]
    fn scalar_and_array_paths_fold_and_keep_their_length() {
        let engine = rhai::Engine::new();
        let text = "fn f(c) {\n  let x = params.weights.revenue * 2;\n  let y = params.cadence[\"A\"];\n  c in params.names.list\n}\n";
        let folded = fold_params(&engine, text, &params());
        assert_eq!(folded.text.len(), text.len());
        assert!(
            folded.text.contains("params_weights_revenue * 2"),
            "{}",
            folded.text
        );
        assert!(
            folded.text.contains("params.cadence[\"A\"]"),
            "tables stay: {}",
            folded.text
        );
        assert!(
            folded.text.contains("in params_names_list"),
            "{}",
            folded.text
        );
        let names: Vec<&str> = folded.constants.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["params_names_list", "params_weights_revenue"]);
    }

    #[test]
    fn paths_inside_strings_and_with_spaces_are_left_alone() {
        let engine = rhai::Engine::new();
        let text = "fn f() { \"params.weights.revenue\" + `${params . weights.revenue}` }\n";
        let folded = fold_params(&engine, text, &params());
        assert_eq!(folded.text, text);
    }
}
