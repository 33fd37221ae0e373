//! `c` in scripts: one customer's record fields and derived facts, shared by reference (a
//! clone is a reference-count bump), with every fact read recorded when explaining.

use std::cell::RefCell;
use std::rc::Rc;

use rhai::{Dynamic, ImmutableString};

use crate::model::{Customer, Date, Facts};

/// The customer as a script sees it.
#[derive(Debug, Clone)]
pub(crate) struct CustomerView(pub(crate) Rc<ViewInner>);

#[derive(Debug)]
pub(crate) struct ViewInner {
    /// The record's own fields; its histories are summarised in `facts`.
    pub(crate) customer: Customer,
    pub(crate) facts: Facts,
    /// Facts read since the last [`CustomerView::take_reads`]; `None` when not explaining.
    reads: Option<RefCell<Vec<&'static str>>>,
}

impl CustomerView {
    /// A view of `customer` with its `facts`; `explain` turns on read tracking. Scripts read
    /// histories through the facts, so the view copies the record without them.
    pub(crate) fn new(customer: &Customer, facts: Facts, explain: bool) -> Self {
        let record = Customer {
            id: customer.id.clone(),
            name: customer.name.clone(),
            owner: customer.owner.clone(),
            grade: customer.grade.clone(),
            grade_since: customer.grade_since,
            stage: customer.stage.clone(),
            region: customer.region.clone(),
            attributes: customer.attributes.clone(),
            prospect: customer.prospect.clone(),
            ..Customer::default()
        };
        CustomerView(Rc::new(ViewInner {
            customer: record,
            facts,
            reads: explain.then(|| RefCell::new(Vec::new())),
        }))
    }

    /// Records that a script read `fact` (only when explaining).
    #[inline]
    pub(crate) fn note(&self, fact: &'static str) {
        if let Some(reads) = &self.0.reads {
            let mut reads = reads.borrow_mut();
            if !reads.contains(&fact) {
                reads.push(fact);
            }
        }
    }

    /// The facts read since the last call, in first-read order.
    pub(crate) fn take_reads(&self) -> Vec<String> {
        self.0.reads.as_ref().map_or_else(Vec::new, |reads| {
            reads.borrow_mut().drain(..).map(str::to_string).collect()
        })
    }

    pub(crate) fn facts(&self) -> &Facts {
        &self.0.facts
    }

    pub(crate) fn customer(&self) -> &Customer {
        &self.0.customer
    }
}

/// `()` for absent values, so scripts can write `c.days_since_call ?? 999`.
pub(crate) fn opt_int(value: Option<i64>) -> Dynamic {
    value.map_or(Dynamic::UNIT, Dynamic::from_int)
}

pub(crate) fn opt_date(value: Option<Date>) -> Dynamic {
    value.map_or(Dynamic::UNIT, Dynamic::from)
}

pub(crate) fn opt_str(value: Option<&str>) -> Dynamic {
    value.map_or(Dynamic::UNIT, |s| Dynamic::from(ImmutableString::from(s)))
}

pub(crate) fn opt_bool(value: Option<bool>) -> Dynamic {
    value.map_or(Dynamic::UNIT, Dynamic::from_bool)
}

/// A JSON attribute as a script value: numbers, strings, booleans; arrays and objects as
/// rhai arrays and maps; `null` as `()`.
pub(crate) fn json_to_dynamic(value: &serde_json::Value) -> Dynamic {
    match value {
        serde_json::Value::Null => Dynamic::UNIT,
        serde_json::Value::Bool(b) => Dynamic::from_bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Dynamic::from_int(i),
            None => Dynamic::from_float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Dynamic::from(ImmutableString::from(s.as_str())),
        serde_json::Value::Array(items) => {
            Dynamic::from_array(items.iter().map(json_to_dynamic).collect())
        }
        serde_json::Value::Object(map) => Dynamic::from_map(
            map.iter()
                .map(|(k, v)| (k.as_str().into(), json_to_dynamic(v)))
                .collect(),
        ),
    }
}
