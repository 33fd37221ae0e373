//! The data limits (`limits.max_string_size`, `max_array_size`, `max_map_size`) as rhai
//! applies them: to everything a value holds, all the way down. An array counts its items
//! and the items of every array and map in it, a map its entries and theirs, and the bytes
//! of every string anywhere in a value count against the string limit (rhai 1.27,
//! `calc_data_sizes`). rhai measures a literal, an array or map a call changed, an
//! operator-assignment's result and every native function's result; the fast tier measures
//! every array, map and string it makes or takes in (a literal, `push`, `+=`, `+`, an
//! attribute, a parameter, `keys`), so that it never holds one past a limit, and bails
//! where one would be: rhai then runs the call and decides, with its own error. What an
//! array holds is measured as it is made and kept with it (`items`), so that a `push` adds
//! what it pushes; an attribute is measured on its JSON, before it is converted.

use std::cell::Cell;

use rhai::{Array, Blob, Dynamic, ImmutableString};

use super::value::{Held, Value};
use super::Flow;
use crate::script::params::ParamTable;

/// The limits on the data a value holds; 0 lifts a limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct DataLimits {
    /// Bytes of all the strings in a value (`limits.max_string_size`).
    pub(crate) string: usize,
    /// Items of an array, its nested arrays' and maps' included (`limits.max_array_size`).
    pub(crate) array: usize,
    /// Entries of a map, its nested maps' and arrays' included (`limits.max_map_size`).
    pub(crate) map: usize,
}

/// What a value holds as rhai counts it against [`DataLimits`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct DataSizes {
    pub(crate) array: usize,
    pub(crate) map: usize,
    pub(crate) string: usize,
}

impl std::ops::Add for DataSizes {
    type Output = DataSizes;

    fn add(mut self, other: DataSizes) -> DataSizes {
        self += other;
        self
    }
}

impl std::ops::AddAssign for DataSizes {
    fn add_assign(&mut self, other: DataSizes) {
        self.array += other.array;
        self.map += other.map;
        self.string += other.string;
    }
}

impl DataLimits {
    /// The data limits of `limits`.
    pub(crate) fn of(limits: &crate::script::Limits) -> DataLimits {
        DataLimits {
            string: limits.max_string_size,
            array: limits.max_array_size,
            map: limits.max_map_size,
        }
    }

    /// `Ok` when `value` holds no more than the limits allow; a bail otherwise, and for a
    /// value whose contents cannot be measured here (a shared value), for rhai to decide.
    /// A number, a date or a record is measured in one match.
    #[inline]
    pub(crate) fn check(&self, value: &Value) -> Result<(), Flow> {
        match value {
            Value::Str(text) => self.allow(DataSizes {
                string: text.len(),
                ..DataSizes::default()
            }),
            Value::Dyn(_) => self.allow(sizes(value).ok_or(Flow::Bail)?),
            _ => Ok(()),
        }
    }

    /// Whether every parameter of `table` and of the tables in it is within the limits, as
    /// rhai measures a parameter a rule reads (a table itself counts nothing).
    pub(crate) fn table_fits(&self, table: &ParamTable) -> bool {
        table.keys().iter().all(|key| {
            let Some(value) = key
                .read_lock::<ImmutableString>()
                .and_then(|key| table.lookup(&key).cloned())
            else {
                return true;
            };
            if let Some(inner) = value.read_lock::<ParamTable>() {
                return self.table_fits(&inner);
            }
            dynamic_sizes(&value).is_some_and(|sizes| self.allow(sizes).is_ok())
        })
    }

    /// An attribute of the record (a JSON value) as the tier's value, measured first as
    /// rhai measures what `attr` returns (the JSON's strings, items and entries are the
    /// value's).
    pub(crate) fn attribute(&self, json: &serde_json::Value) -> Result<Value, Flow> {
        if matches!(
            json,
            serde_json::Value::String(_)
                | serde_json::Value::Array(_)
                | serde_json::Value::Object(_)
        ) {
            self.allow(json_sizes(json))?;
        }
        Ok(Value::from_json(json))
    }

    /// Whether a value of `sizes` is within the limits (a bail if not).
    pub(crate) fn allow(&self, sizes: DataSizes) -> Result<(), Flow> {
        let over = |size: usize, limit: usize| limit > 0 && size > limit;
        if over(sizes.string, self.string)
            || over(sizes.array, self.array)
            || over(sizes.map, self.map)
        {
            return Err(Flow::Bail);
        }
        Ok(())
    }
}

/// What an array of the tier's holds as [`sizes`] counts it, once measured (kept with the
/// array, added to by `push`).
pub(crate) type Measured = Cell<Option<DataSizes>>;

/// What an item adds to the sizes of the array holding it: one item, and what it holds.
#[inline]
pub(crate) fn item_sizes(item: &Value) -> Option<DataSizes> {
    let mut added = nested(item)?;
    added.array += 1;
    Some(added)
}

/// What an entry adds to the sizes of the map holding it: one entry, and what it holds.
#[inline]
pub(crate) fn entry_sizes(value: &Value) -> Option<DataSizes> {
    let mut added = nested(value)?;
    added.map += 1;
    Some(added)
}

/// [`sizes`] of a JSON value as `Value::from_json` makes it.
fn json_sizes(json: &serde_json::Value) -> DataSizes {
    let mut total = DataSizes::default();
    match json {
        serde_json::Value::String(text) => total.string = text.len(),
        serde_json::Value::Array(items) => {
            for item in items {
                total.array += 1;
                total += json_sizes(item);
            }
        }
        serde_json::Value::Object(entries) => {
            for item in entries.values() {
                total.map += 1;
                total += json_sizes(item);
            }
        }
        _ => {}
    }
    total
}

/// The sizes of `value` (rhai's `calc_data_sizes` of it at the top); `None` when it holds a
/// shared value, which rhai reads through its lock.
pub(crate) fn sizes(value: &Value) -> Option<DataSizes> {
    let mut total = DataSizes::default();
    match value {
        Value::Str(text) => total.string = text.len(),
        Value::Dyn(boxed) => match &**boxed {
            Held::Array(items) => {
                if let Some(known) = items.measured().get() {
                    return Some(known);
                }
                for item in items.iter() {
                    total += item_sizes(item)?;
                }
                items.measured().set(Some(total));
            }
            Held::Map(map) => {
                for item in map.values() {
                    total += entry_sizes(item)?;
                }
            }
            Held::Rhai(value) => return dynamic_sizes(value),
            Held::Record(_) => {}
        },
        _ => {}
    }
    Some(total)
}

/// The sizes an item of an array or a map adds besides itself: an array's, a map's or a
/// string's own; nothing for any other value (the common case, answered without a call).
#[inline]
fn nested(item: &Value) -> Option<DataSizes> {
    match item {
        Value::Str(_) => sizes(item),
        Value::Dyn(boxed) => match &**boxed {
            Held::Rhai(value) => dynamic_item_sizes(value),
            _ => sizes(item),
        },
        _ => Some(DataSizes::default()),
    }
}

/// [`nested`] for an item as rhai holds it: a blob in an array or a map counts one more
/// than its bytes (as rhai counts it).
fn dynamic_item_sizes(item: &Dynamic) -> Option<DataSizes> {
    match item.read_lock::<Blob>() {
        Some(blob) => Some(DataSizes {
            array: 1 + blob.len(),
            ..DataSizes::default()
        }),
        None => dynamic_sizes(item),
    }
}

/// [`sizes`] of a value as rhai holds it.
fn dynamic_sizes(value: &Dynamic) -> Option<DataSizes> {
    let mut total = DataSizes::default();
    if value.is_shared() {
        return None;
    }
    if let Some(items) = value.read_lock::<Array>() {
        for item in items.iter() {
            total.array += 1;
            total += dynamic_item_sizes(item)?;
        }
    } else if let Some(map) = value.read_lock::<rhai::Map>() {
        for item in map.values() {
            total.map += 1;
            total += dynamic_item_sizes(item)?;
        }
    } else if let Some(blob) = value.read_lock::<Blob>() {
        total.array = blob.len();
    } else if let Some(text) = value.read_lock::<ImmutableString>() {
        total.string = text.len();
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::fast::ValueMap;

    /// The sizes the tier counts are rhai's own (`Engine::ensure_data_size_within_limits`)
    /// for nested arrays, maps, strings and blobs, in the tier's values and in rhai's.
    #[test]
    fn sizes_are_counted_as_rhai_counts_them() {
        let text = |s: &str| Value::Str(s.into());
        let row = Value::array(vec![Value::Int(1), text("abc"), Value::Float(2.0)]);
        let map: ValueMap = [("a".into(), row.clone()), ("b".into(), text("xy"))]
            .into_iter()
            .collect();
        let map = Value::map(map);
        let nested = Value::array(vec![row.clone(), map.clone(), text("hello"), Value::Unit]);
        let blob = Dynamic::from_blob(vec![1, 2, 3]);
        let rhai_array = Value::dynamic(Dynamic::from_array(vec![
            blob.clone(),
            Dynamic::from_map([("k".into(), blob.clone())].into_iter().collect()),
            Dynamic::from_array(vec![Dynamic::from("zz"), Dynamic::from(1_i64)]),
        ]));
        let with_blob = Value::array(vec![Value::dynamic(blob), Value::Int(1)]);
        for value in [
            text("four"),
            row,
            map,
            nested,
            rhai_array,
            with_blob,
            Value::Int(3),
        ] {
            let dynamic = value.clone().into_dynamic();
            // Each limit in turn from 1 up past what the value holds, the others far above.
            for which in 0..3 {
                for limit in 1..40 {
                    let mut limits = DataLimits {
                        string: 1000,
                        array: 1000,
                        map: 1000,
                    };
                    *[&mut limits.string, &mut limits.array, &mut limits.map][which] = limit;
                    let mut engine = rhai::Engine::new();
                    engine
                        .set_max_string_size(limits.string)
                        .set_max_array_size(limits.array)
                        .set_max_map_size(limits.map);
                    let rhai_says = engine.ensure_data_size_within_limits(&dynamic).is_ok();
                    let tier_says = limits.check(&value).is_ok();
                    assert_eq!(tier_says, rhai_says, "{value:?} under {limits:?}");
                }
            }
        }
    }
}
