//! The items of an array of the tier's ([`Held::Array`](super::value::Held)), kept with what
//! they hold as the data limits count it once that has been measured (`sizes`), so that a
//! `push` adds what it pushes instead of measuring the whole array again, as rhai does after
//! every change (a loop that pushes would otherwise do quadratic work).

use std::ops::Deref;

use super::sizes::{item_sizes, DataSizes, Measured};
use super::value::Value;

/// The items of an array, read as a `Vec` (`Deref`); changed only through [`Items::push`]
/// and [`Items::append`], which keep the measurement right.
#[derive(Debug, Clone, Default)]
pub(crate) struct Items {
    values: Vec<Value>,
    measured: Measured,
}

impl Items {
    /// Appends `item`, adding what it holds to the measurement if there is one.
    pub(crate) fn push(&mut self, item: Value) {
        let added = item_sizes(&item);
        let measured = self.measured.get();
        self.measured
            .set(measured.zip(added).map(|(had, added)| had + added));
        self.values.push(item);
    }

    /// Appends the items of `more` (measured again when next asked).
    pub(crate) fn append(&mut self, more: impl IntoIterator<Item = Value>) {
        self.measured.set(None);
        self.values.extend(more);
    }

    /// `values`, measured as holding `sizes`.
    pub(crate) fn measured_as(values: Vec<Value>, sizes: DataSizes) -> Items {
        Items {
            values,
            measured: Measured::new(Some(sizes)),
        }
    }

    /// The measurement, if one was made and kept.
    pub(crate) fn measured(&self) -> &Measured {
        &self.measured
    }
}

impl Deref for Items {
    type Target = Vec<Value>;

    fn deref(&self) -> &Vec<Value> {
        &self.values
    }
}

impl From<Vec<Value>> for Items {
    fn from(values: Vec<Value>) -> Items {
        Items {
            values,
            measured: Measured::default(),
        }
    }
}

impl FromIterator<Value> for Items {
    fn from_iter<I: IntoIterator<Item = Value>>(iter: I) -> Items {
        Items::from(iter.into_iter().collect::<Vec<_>>())
    }
}

impl IntoIterator for Items {
    type Item = Value;
    type IntoIter = std::vec::IntoIter<Value>;

    fn into_iter(self) -> Self::IntoIter {
        self.values.into_iter()
    }
}
