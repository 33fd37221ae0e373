//! Entries of parameter tables remembered where a script looks them up.
//!
//! A look-up whose table is only known at run time (`row.calls_per_week` after
//! `let row = params.cadence[grade]`, or `params.cadence[grade]` itself) cannot be folded
//! while lowering. Parameters never change while a policy is loaded, so the entry found once
//! is the entry for good: each such site keeps the few entries it has found, by the table's
//! identity (and the key, for indexing), and finds them again by comparing pointers instead
//! of searching the table's map and converting its value. A memo holds the tables it
//! remembers, so a table it compares with can never be a new one at an old address.

use std::cell::RefCell;

use super::ops::table_entry;
use super::{Outcome, Value};
use crate::script::params::ParamTable;

/// How many entries one site remembers; look-ups beyond them are done as usual. A site
/// indexes by grade, stage or region, which are a handful each.
const REMEMBERED: usize = 8;

/// The entries one property read `table.name` found, by table.
#[derive(Default)]
pub(crate) struct PropertyMemo {
    found: RefCell<Vec<(ParamTable, Value)>>,
}

impl PropertyMemo {
    /// `table.name`: the remembered entry of `table`, or the table's own, then remembered.
    /// Every call of one memo must pass the same `name` (the site's property).
    #[inline]
    pub(crate) fn entry(&self, table: &ParamTable, name: &str) -> Outcome {
        if let Some((_, value)) = self.found.borrow().iter().find(|(t, _)| t.same(table)) {
            return Ok(value.clone());
        }
        let value = table_entry(table, name)?;
        let mut found = self.found.borrow_mut();
        if found.len() < REMEMBERED {
            found.push((table.clone(), value.clone()));
        }
        Ok(value)
    }
}

/// The entries one indexing `table[key]` found, by table and key.
#[derive(Default)]
pub(crate) struct IndexMemo {
    found: RefCell<Vec<(ParamTable, Box<str>, Value)>>,
}

impl IndexMemo {
    /// `value[index]`: remembered when `value` is a parameter table and `index` a string,
    /// otherwise [`super::ops::index`] as it is.
    #[inline]
    pub(crate) fn index(&self, value: &Value, index: &Value) -> Outcome {
        let (Value::Table(table), Value::Str(key)) = (value, index) else {
            return super::ops::index(value, index);
        };
        self.remember(table, key, || table_entry(table, key))
    }

    /// `table.contains(key)`, remembered. A memo is used for indexing or for `contains`,
    /// never both.
    #[inline]
    pub(crate) fn contains(&self, table: &ParamTable, key: &str) -> Outcome {
        self.remember(table, key, || Ok(Value::Bool(table.lookup(key).is_some())))
    }

    /// What `find` gives for `table` and `key`: remembered, or found and remembered.
    #[inline]
    fn remember(&self, table: &ParamTable, key: &str, find: impl FnOnce() -> Outcome) -> Outcome {
        let remembered = self
            .found
            .borrow()
            .iter()
            .find(|(t, k, _)| t.same(table) && same_text(k, key))
            .map(|(.., value)| value.clone());
        if let Some(value) = remembered {
            return Ok(value);
        }
        let value = find()?;
        let mut found = self.found.borrow_mut();
        if found.len() < REMEMBERED {
            found.push((table.clone(), key.into(), value.clone()));
        }
        Ok(value)
    }
}

/// String equality that rejects most other keys (grades `A`…`F`) on length and first byte,
/// without calling `memcmp`.
#[inline]
fn same_text(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().first() == b.as_bytes().first() && a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cadence() -> ParamTable {
        let toml: toml::Table = toml::from_str(
            "[cadence.A]\ncalls = 2.0\n[cadence.B]\ncalls = 1.0\n[other.A]\ncalls = 9.0\n",
        )
        .expect("test TOML parses");
        ParamTable::from_toml(&toml)
    }

    /// `value[key]` through `memo`, which must be a table.
    fn row(memo: &IndexMemo, value: &Value, key: &str) -> ParamTable {
        match memo.index(value, &Value::Str(key.into())) {
            Ok(Value::Table(table)) => table,
            _ => panic!("a table was expected at {key}"),
        }
    }

    fn float(outcome: Outcome) -> f64 {
        match outcome {
            Ok(Value::Float(x)) => x,
            _ => panic!("a float was expected"),
        }
    }

    #[test]
    fn an_index_memo_tells_keys_and_tables_apart() {
        let params = Value::Table(cadence());
        let memo = IndexMemo::default();
        let cadence = Value::Table(row(&memo, &params, "cadence"));
        let other = Value::Table(row(&memo, &params, "other"));
        let rows = IndexMemo::default();
        let property = PropertyMemo::default();
        // Twice each, so that the second look-up comes from the memo.
        for _ in 0..2 {
            for (key, calls) in [("A", 2.0), ("B", 1.0)] {
                let found = row(&rows, &cadence, key);
                assert_eq!(float(property.entry(&found, "calls")), calls);
            }
            let found = row(&rows, &other, "A");
            assert_eq!(float(property.entry(&found, "calls")), 9.0);
            assert!(rows.index(&cadence, &Value::Str("Z".into())).is_err());
        }
        assert_eq!(rows.found.borrow().len(), 3);
        assert_eq!(property.found.borrow().len(), 3);
    }

    #[test]
    fn a_contains_memo_tells_keys_and_tables_apart() {
        let params = cadence();
        let memo = IndexMemo::default();
        let rows = IndexMemo::default();
        let other = row(&rows, &Value::Table(params.clone()), "other");
        for _ in 0..2 {
            for (table, key, found) in [
                (&params, "cadence", true),
                (&params, "A", false),
                (&other, "A", true),
                (&other, "B", false),
            ] {
                let contains = memo.contains(table, key);
                assert!(
                    matches!(contains, Ok(Value::Bool(b)) if b == found),
                    "{key}"
                );
            }
        }
        assert_eq!(memo.found.borrow().len(), 4);
    }

    #[test]
    fn an_index_memo_passes_other_values_on() {
        let memo = IndexMemo::default();
        let array = Value::dynamic(rhai::Dynamic::from_array(vec![rhai::Dynamic::from(7_i64)]));
        assert!(matches!(
            memo.index(&array, &Value::Int(0)),
            Ok(Value::Int(7))
        ));
        assert!(memo.found.borrow().is_empty());
    }

    #[test]
    fn a_memo_stops_remembering_when_full() {
        let keys = (0..REMEMBERED + 3)
            .map(|i| format!("k{i} = {i}.0"))
            .collect::<Vec<_>>();
        let toml: toml::Table = toml::from_str(&keys.join("\n")).expect("test TOML parses");
        let params = Value::Table(ParamTable::from_toml(&toml));
        let memo = IndexMemo::default();
        for _ in 0..2 {
            for i in 0..REMEMBERED + 3 {
                let found = memo.index(&params, &Value::Str(format!("k{i}").into()));
                assert_eq!(float(found), i as f64);
            }
        }
        assert_eq!(memo.found.borrow().len(), REMEMBERED);
    }
}
