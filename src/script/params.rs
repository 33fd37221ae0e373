//! `params`: the policy's `[params]` table as scripts see it — a read-only tree that is
//! built once per runtime and shared by reference, so reading `params.weights.revenue`
//! costs a lookup, never a copy of the table.

use std::collections::BTreeMap;
use std::rc::Rc;

use rhai::{Array, Dynamic, EvalAltResult, ImmutableString, Position};

/// A table of parameters (`params` itself or a nested table such as `params.weights`).
#[derive(Debug, Clone)]
pub(crate) struct ParamTable(Rc<ParamTableInner>);

#[derive(Debug)]
struct ParamTableInner {
    path: String,
    entries: BTreeMap<String, Dynamic>,
}

impl ParamTable {
    /// Builds the tree from `policy.toml`'s `[params]`.
    pub(crate) fn from_toml(table: &toml::Table) -> ParamTable {
        Self::build("params", table)
    }

    fn build(path: &str, table: &toml::Table) -> ParamTable {
        let entries = table
            .iter()
            .map(|(key, value)| (key.clone(), to_dynamic(&format!("{path}.{key}"), value)))
            .collect();
        ParamTable(Rc::new(ParamTableInner {
            path: path.to_string(),
            entries,
        }))
    }

    /// Whether `self` and `other` are the same table (not merely equal ones).
    pub(crate) fn same(&self, other: &ParamTable) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }

    /// `table[key]` / `table.key`: the value, or an error naming the missing parameter.
    pub(crate) fn get(&mut self, key: &str) -> Result<Dynamic, Box<EvalAltResult>> {
        match self.0.entries.get(key) {
            Some(value) => Ok(value.clone()),
            None => Err(EvalAltResult::ErrorRuntime(
                format!(
                    "the policy has no parameter `{}.{key}` (policy.toml [params])",
                    self.0.path
                )
                .into(),
                Position::NONE,
            )
            .into()),
        }
    }

    /// The value of `key`, if the table has it.
    pub(crate) fn lookup(&self, key: &str) -> Option<&Dynamic> {
        self.0.entries.get(key)
    }

    /// Whether the table has `key`.
    pub(crate) fn contains(&mut self, key: &str) -> bool {
        self.0.entries.contains_key(key)
    }

    /// The table's keys, sorted.
    pub(crate) fn keys(&self) -> Array {
        self.0
            .entries
            .keys()
            .map(|k| Dynamic::from(ImmutableString::from(k.as_str())))
            .collect()
    }
}

fn to_dynamic(path: &str, value: &toml::Value) -> Dynamic {
    match value {
        toml::Value::String(s) => Dynamic::from(ImmutableString::from(s.as_str())),
        toml::Value::Integer(i) => Dynamic::from_int(*i),
        toml::Value::Float(f) => Dynamic::from_float(*f),
        toml::Value::Boolean(b) => Dynamic::from_bool(*b),
        toml::Value::Datetime(d) => Dynamic::from(ImmutableString::from(d.to_string())),
        toml::Value::Array(items) => Dynamic::from_array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| to_dynamic(&format!("{path}[{i}]"), item))
                .collect(),
        ),
        toml::Value::Table(table) => Dynamic::from(ParamTable::build(path, table)),
    }
}

/// Which parameters a dotted path names, for load-time checks: `Ok(())` when
/// `params.<path>` exists, or the first missing segment.
pub(crate) fn lookup_path<'a>(table: &toml::Table, path: &'a [String]) -> Result<(), &'a str> {
    let mut current = table;
    for (i, segment) in path.iter().enumerate() {
        match current.get(segment) {
            Some(toml::Value::Table(next)) => current = next,
            Some(_) if i + 1 == path.len() => return Ok(()),
            // A scalar reached with more segments left: rhai will index into it (e.g. an
            // array), which the load-time check does not follow.
            Some(_) => return Ok(()),
            None => return Err(segment),
        }
    }
    Ok(())
}
