//! `c` in scripts: one customer's record fields and derived facts, shared by reference (a
//! clone is a reference-count bump), with every fact read recorded when explaining.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use rhai::{Dynamic, ImmutableString};

use super::fast::{Num, Value};
use crate::model::{clone_option_from, Customer, Date, Facts};

/// The customer as a script sees it.
#[derive(Debug, Clone)]
pub(crate) struct CustomerView(pub(crate) Rc<ViewInner>);

#[derive(Debug)]
pub(crate) struct ViewInner {
    /// The record's own fields; its histories are summarised in `facts`, its attributes
    /// are in `attributes`.
    pub(crate) customer: Customer,
    /// The record's attributes in the order of their names: a list rather than the record's
    /// tree, so that copying the next record's over them and finding one by its position
    /// ([`CustomerView::attribute_at`]) are steps along an array.
    attributes: Attributes,
    pub(crate) facts: Facts,
    /// Facts read since the last [`CustomerView::take_reads`]; `None` when not explaining.
    reads: Option<RefCell<Vec<&'static str>>>,
    /// `c.grade`, `c.stage`, `c.region` and `c.prospect_intent` as script strings, made on
    /// first read and kept for the next record while it has the same value (grades and
    /// regions repeat), or rewritten in place for it when no script value shares them any
    /// more.
    texts: [RefCell<Option<ImmutableString>>; 4],
}

/// Where a view's facts come from: derived from the record as of a date ([`Derive`], into
/// the recycled view's facts, reusing their allocations), or derived already (e.g. by the
/// reader of a stream) and moved in ([`Facts`]). A trait rather than an enum, so that a
/// `Derive` is not moved about in a value the size of [`Facts`].
pub(crate) trait ViewFacts {
    /// The facts of `customer`.
    fn into_facts(self, customer: &Customer) -> Facts;
    /// Makes `into` the facts of `customer`.
    fn write_into(self, customer: &Customer, into: &mut Facts);
}

/// The facts [`Facts::derive`] gives of the record as of this date.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Derive(pub(crate) Date);

impl ViewFacts for Derive {
    fn into_facts(self, customer: &Customer) -> Facts {
        Facts::derive(customer, self.0)
    }

    fn write_into(self, customer: &Customer, into: &mut Facts) {
        into.derive_into(customer, self.0);
    }
}

impl ViewFacts for Facts {
    fn into_facts(self, _: &Customer) -> Facts {
        self
    }

    fn write_into(self, _: &Customer, into: &mut Facts) {
        *into = self;
    }
}

/// A text field of the record that the view keeps as a script string (see
/// [`CustomerView::text`]).
#[derive(Debug, Clone, Copy)]
pub(crate) enum TextField {
    Grade = 0,
    Stage = 1,
    Region = 2,
    /// The prospect's recorded intent.
    Intent = 3,
}

thread_local! {
    /// The view of the previous evaluation on this thread, as a script value (see
    /// [`CustomerView::recycle`]).
    static SPARE: RefCell<Option<Dynamic>> = const { RefCell::new(None) };
}

impl CustomerView {
    /// A view of `customer` with its `facts`, and the same view as a script value; `explain`
    /// turns on read tracking. Scripts read histories through the facts, so the view copies
    /// the record without them.
    ///
    /// The copy goes into the allocations of the thread's previous view when there is one
    /// (see [`recycle`](Self::recycle)), so that evaluating a stream of similar records
    /// copies them without allocating.
    pub(crate) fn new(
        customer: &Customer,
        facts: impl ViewFacts,
        explain: bool,
    ) -> (Self, Dynamic) {
        let mut facts = facts;
        if let Some(mut value) = SPARE.with(|cell| cell.borrow_mut().take()) {
            let refilled = match value.write_lock::<CustomerView>() {
                Some(mut view) => match Rc::get_mut(&mut view.0) {
                    Some(inner) => {
                        inner.refill(customer, facts, explain);
                        Ok(view.clone())
                    }
                    None => Err(facts),
                },
                None => Err(facts),
            };
            match refilled {
                Ok(view) => return (view, value),
                Err(unused) => facts = unused,
            }
        }
        let view = Self::fresh(customer, facts.into_facts(customer), explain);
        let value = Dynamic::from(view.clone());
        (view, value)
    }

    /// Gives the script value of a view back at the end of an evaluation, for the next one
    /// on this thread; the view itself must be dropped first, so that the value holds the
    /// only reference to the record.
    pub(crate) fn recycle(value: Dynamic) {
        SPARE.with(|cell| *cell.borrow_mut() = Some(value));
    }

    /// Whether the thread's recycled view is there and held by nothing else, so that the
    /// next evaluation can refill it (tests: every lender gave it back).
    #[cfg(test)]
    pub(crate) fn spare_is_free() -> bool {
        SPARE.with(|cell| {
            let mut spare = cell.borrow_mut();
            let Some(value) = spare.as_mut() else {
                return false;
            };
            let Some(mut view) = value.write_lock::<CustomerView>() else {
                return false;
            };
            Rc::get_mut(&mut view.0).is_some()
        })
    }

    fn fresh(customer: &Customer, facts: Facts, explain: bool) -> Self {
        let record = Customer {
            id: customer.id.clone(),
            name: customer.name.clone(),
            owner: customer.owner.clone(),
            grade: customer.grade.clone(),
            grade_since: customer.grade_since,
            stage: customer.stage.clone(),
            region: customer.region.clone(),
            prospect: customer.prospect.clone(),
            ..Customer::default()
        };
        CustomerView(Rc::new(ViewInner {
            customer: record,
            attributes: Attributes::of(&customer.attributes),
            facts,
            reads: explain.then(|| RefCell::new(Vec::new())),
            texts: Default::default(),
        }))
    }

    /// Whether `self` and `other` are the same view (not merely views of equal records).
    pub(crate) fn same(&self, other: &CustomerView) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
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

    /// The record's fields; its attributes are [`CustomerView::attributes`].
    pub(crate) fn customer(&self) -> &Customer {
        &self.0.customer
    }

    /// The record's attributes, in the order of their names.
    pub(crate) fn attributes(&self) -> &[(String, serde_json::Value)] {
        self.0.attributes.as_slice()
    }

    /// The attribute `name`, looked for first at position `hint` (where one site of a
    /// script found it in the previous record: records of one source have the same
    /// attributes), which then becomes where it was found.
    #[inline]
    pub(crate) fn attribute_at(
        &self,
        name: &str,
        hint: &std::cell::Cell<usize>,
    ) -> Option<&serde_json::Value> {
        let attributes = self.attributes();
        if let Some((key, value)) = attributes.get(hint.get()) {
            if key == name {
                return Some(value);
            }
        }
        let at = find_attribute(attributes, name)?;
        hint.set(at);
        Some(&attributes[at].1)
    }

    /// `field` of the record as a script string, or `()` when the record has none.
    pub(crate) fn text(&self, field: TextField) -> Value {
        let Some(value) = text_field(&self.0.customer, field) else {
            return Value::Unit;
        };
        let mut cached = self.0.texts[field as usize].borrow_mut();
        let text = cached.get_or_insert_with(|| ImmutableString::from(value));
        Value::Str(text.clone())
    }
}

impl ViewInner {
    /// Makes this the view of `customer`, reusing the allocations of the record it held.
    fn refill(&mut self, customer: &Customer, facts: impl ViewFacts, explain: bool) {
        let record = &mut self.customer;
        record.id.clone_from(&customer.id);
        record.name.clone_from(&customer.name);
        record.owner.clone_from(&customer.owner);
        record.grade.clone_from(&customer.grade);
        record.grade_since = customer.grade_since;
        record.stage.clone_from(&customer.stage);
        record.region.clone_from(&customer.region);
        clone_option_from(&mut record.prospect, &customer.prospect);
        self.attributes.copy_from(&customer.attributes);
        for field in [
            TextField::Grade,
            TextField::Stage,
            TextField::Region,
            TextField::Intent,
        ] {
            let cached = self.texts[field as usize].get_mut();
            match (cached.as_mut(), text_field(&self.customer, field)) {
                (Some(text), Some(value)) if text.as_str() != value => {
                    // Rewritten in place when no script value still shares it.
                    match text.get_mut() {
                        Some(text) => {
                            text.clear();
                            text.push_str(value);
                        }
                        None => *cached = None,
                    }
                }
                (Some(_), None) => *cached = None,
                _ => {}
            }
        }
        facts.write_into(customer, &mut self.facts);
        match (&mut self.reads, explain) {
            (Some(reads), true) => reads.get_mut().clear(),
            (reads, explain) => *reads = explain.then(|| RefCell::new(Vec::new())),
        }
    }
}

fn text_field(customer: &Customer, field: TextField) -> Option<&str> {
    match field {
        TextField::Grade => customer.grade.as_deref(),
        TextField::Stage => customer.stage.as_deref(),
        TextField::Region => customer.region.as_deref(),
        TextField::Intent => customer.prospect.as_ref()?.intent.as_deref(),
    }
}

/// Where `name` is among `attributes` (in the order of their names): a record's few
/// attributes (≤ 12) are compared for equality, which looks at the length first, rather
/// than ordered byte by byte in a binary search.
pub(crate) fn find_attribute(
    attributes: &[(String, serde_json::Value)],
    name: &str,
) -> Option<usize> {
    if attributes.len() <= FEW_ATTRIBUTES {
        return attributes.iter().position(|(key, _)| key == name);
    }
    attributes
        .binary_search_by(|(key, _)| key.as_str().cmp(name))
        .ok()
}

/// Up to this many attributes, [`find_attribute`] looks for a name by walking them in order.
pub(crate) const FEW_ATTRIBUTES: usize = 12;

/// A view's copy of a record's attributes: the first `len` entries of `entries`; the entries
/// past them are kept from longer records before, so that their keys' and values'
/// allocations serve the next longer record (records of one source have about the same
/// attributes, but not always as many).
#[derive(Debug, Default)]
struct Attributes {
    entries: Vec<(String, serde_json::Value)>,
    len: usize,
}

impl Attributes {
    /// A copy of `from`.
    fn of(from: &BTreeMap<String, serde_json::Value>) -> Attributes {
        let mut attributes = Attributes::default();
        attributes.copy_from(from);
        attributes
    }

    /// The attributes, in the order of their names.
    fn as_slice(&self) -> &[(String, serde_json::Value)] {
        &self.entries[..self.len]
    }

    /// Copies `from` over these place by place: a key is copied only where it differs, into
    /// the place's own buffer, and a value over the value it replaces (records of one source
    /// usually have the same keys, and then nothing is allocated).
    fn copy_from(&mut self, from: &BTreeMap<String, serde_json::Value>) {
        use serde_json::Value;
        // One walk along `from`: the places there are, then the rest appended.
        let mut sources = from.iter();
        for (key, value) in self.entries.iter_mut() {
            let Some((source_key, source)) = sources.next() else {
                break;
            };
            if key != source_key {
                key.clone_from(source_key);
            }
            match (value, source) {
                // Numbers and booleans copied over their like: no drop of the old value.
                (Value::Number(number), Value::Number(source)) => number.clone_from(source),
                (Value::Bool(b), Value::Bool(source)) => *b = *source,
                (Value::String(text), Value::String(source)) => text.clone_from(source),
                (value @ (Value::Null | Value::Bool(_) | Value::Number(_)), source) => {
                    *value = source.clone()
                }
                (value, source) => {
                    if value != source {
                        *value = source.clone();
                    }
                }
            }
        }
        if self.entries.len() < from.len() {
            self.entries
                .extend(sources.map(|(key, value)| (key.clone(), value.clone())));
        }
        self.len = from.len();
    }
}

/// A JSON attribute as a script value: numbers, strings, booleans; arrays and objects as
/// rhai arrays and maps; `null` as `()`.
pub(crate) fn json_to_dynamic(value: &serde_json::Value) -> Dynamic {
    match value {
        serde_json::Value::Null => Dynamic::UNIT,
        serde_json::Value::Bool(b) => Dynamic::from_bool(*b),
        serde_json::Value::Number(n) => match Num::of_json(n) {
            Num::Int(i) => Dynamic::from_int(i),
            Num::Float(x) => Dynamic::from_float(x),
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

#[cfg(test)]
mod tests {
    use super::{CustomerView, Derive};
    use crate::model::{parse_customer, parse_date};

    /// A recycled view refilled with records of more, fewer and other attributes, and with
    /// prospects of more, fewer and no objections, reads exactly the record it was refilled
    /// with: nothing of a longer record before stays visible.
    #[test]
    fn a_refilled_view_holds_exactly_the_new_record() {
        let as_of = parse_date("2026-11-23").unwrap();
        let records = [
            r#"{"id":"a","attributes":{"b":1,"c":"x","d":true},
                "prospect":{"intent":"interested","objections":["price","no_money"]}}"#,
            r#"{"id":"b","attributes":{"b":2},"prospect":{"objections":["price"]}}"#,
            r#"{"id":"c"}"#,
            r#"{"id":"d","attributes":{"a":null,"b":"y","c":[1],"d":2.5,"e":{"f":1}},
                "prospect":{"money":true,"intent":"hesitant","objections":["a","b","c"]}}"#,
            r#"{"id":"e","attributes":{"c":"x"},"prospect":{"intent":"quoted"}}"#,
        ];
        let mut previous: Option<*const super::ViewInner> = None;
        for text in records {
            let customer = parse_customer(text).unwrap();
            let (view, value) = CustomerView::new(&customer, Derive(as_of), false);
            let inner = std::rc::Rc::as_ptr(&view.0);
            if let Some(previous) = previous {
                assert_eq!(
                    previous, inner,
                    "{}: the spare view was refilled",
                    customer.id
                );
            }
            previous = Some(inner);
            let attributes: Vec<_> = customer
                .attributes
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            assert_eq!(view.attributes(), &attributes[..], "{}", customer.id);
            for name in ["a", "b", "c", "d", "e"] {
                let hint = std::cell::Cell::new(0);
                assert_eq!(
                    view.attribute_at(name, &hint),
                    customer.attributes.get(name),
                    "{} {name}",
                    customer.id
                );
            }
            assert_eq!(
                view.customer().prospect,
                customer.prospect,
                "{}",
                customer.id
            );
            assert_eq!(view.customer().id, customer.id);
            drop(view);
            CustomerView::recycle(value);
        }
    }
}
