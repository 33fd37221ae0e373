//! The fast tier's own values: numbers, booleans, dates, strings, parameter tables and the
//! customer view held unboxed; arrays and object maps (of the tier's values) and patron's
//! actions, receivables and score parts held by the tier in one variant dropped out of line
//! ([`Held`]); rhai's `Dynamic` only for the rest (characters, shared values, patron's other
//! records).
//! Arithmetic passes plain [`Num`]s between its steps (`lower::number`). Lowered
//! code computes with [`Value`]s; a value becomes a `Dynamic` only where it leaves the tier
//! (an entry's result, an argument handed to code that takes rhai's values). A date in a
//! `Dynamic` is boxed twice; here it is four bytes. The customer view an entry call is given
//! is [`Value::View`], a marker for the view the call holds (see [`LentView`]), so that
//! reading a fact of `c` is a match and a call, not a downcast of a `Dynamic`, and so that
//! values stay as cheap to drop as before.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::mem::ManuallyDrop;
use std::rc::Rc;

use rhai::{Array, Dynamic, Identifier, ImmutableString, INT};

use super::items::Items;
use super::Flow;

use crate::model::{Action, Date, ReceivableFact};
use crate::script::decisions::{label_text, MadePart};
use crate::script::params::ParamTable;
use crate::script::view::CustomerView;

/// A value of the fast tier.
#[derive(Debug, Clone, Default)]
pub(crate) enum Value {
    /// `()`.
    #[default]
    Unit,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(INT),
    /// A float.
    Float(f64),
    /// A string (shared: a clone is a reference-count bump).
    Str(ImmutableString),
    /// A date.
    Date(Date),
    /// The customer view lent to the current call ([`LentView`]): `c` of an entry function
    /// and every variable it is passed on to. Property reads and `attr`/`has_attr` read the
    /// view directly; everything else treats it as the boxed value rhai holds.
    View,
    /// A table of parameters (`params`, `params.cadence`, a row of it): shared, so that a
    /// look-up such as `params.cadence[grade]` is a reference-count bump, not the box a
    /// custom type costs in a `Dynamic`.
    Table(ParamTable),
    /// Anything else: an array, a map or one of patron's records as the tier holds them, or
    /// a value as rhai holds it ([`Boxed`]).
    Dyn(Boxed),
}

/// What a [`Value::Dyn`] holds. One variant of [`Value`] for all of these, dropped out of
/// line ([`Boxed`]): every variant with something to drop makes the code that drops a value
/// longer, and with one more the compiler calls that code out of line for every value
/// dropped, numbers included (measured: a tenth of the default policy's instructions).
#[derive(Debug, Clone)]
pub(crate) enum Held {
    /// A value as rhai holds it. Never one of the types [`Value`] holds unboxed, nor an
    /// array or a map (see [`Value::from_dynamic`]), unless it is shared (which the tier's
    /// scripts, without closures, never make).
    Rhai(Dynamic),
    /// An array, its items the tier's own values. Shared, and copied on its first change
    /// while shared ([`Value::push`]), so that rhai's value semantics hold (`let b = a;
    /// b.push(x)` leaves `a` as it was) while a read of an array variable is a
    /// reference-count bump, not the copy of every item a `Dynamic` array costs. The items
    /// keep what they hold as the data limits count it, once measured ([`Items`]).
    Array(Rc<Items>),
    /// An object map (`#{ name: "x", due: d }`, a JSON object attribute), its values the
    /// tier's own, in the order of their names as rhai keeps them. The tier never changes a
    /// map (assigning to a property or an index keeps a file in rhai), so it is shared as it
    /// is: a read of a map variable is a reference-count bump, and a property read from it
    /// is the value itself, not a copy out of a `Dynamic`.
    Map(Rc<ValueMap>),
    /// One of patron's records the tier reads or makes: one allocation, where a custom type
    /// in a `Dynamic` costs two.
    Record(Rc<Record>),
}

// Two words, as before arrays and records were the tier's own: values are moved and
// dropped everywhere.
const _: () = assert!(std::mem::size_of::<Value>() == 16);

/// A [`Held`] value, dropped by a function of its own that is never inlined, so that the
/// code dropping a [`Value`] stays short enough to be inlined where values are dropped.
#[derive(Clone)]
pub(crate) struct Boxed(ManuallyDrop<Held>);

impl Boxed {
    /// Holds `held`.
    pub(crate) fn new(held: Held) -> Boxed {
        Boxed(ManuallyDrop::new(held))
    }

    /// The value held, moved out.
    pub(crate) fn into_held(mut self) -> Held {
        std::mem::replace(&mut *self.0, Held::Rhai(Dynamic::UNIT))
    }
}

impl Drop for Boxed {
    #[inline(never)]
    fn drop(&mut self) {
        drop(std::mem::replace(&mut *self.0, Held::Rhai(Dynamic::UNIT)));
    }
}

impl std::ops::Deref for Boxed {
    type Target = Held;

    fn deref(&self) -> &Held {
        &self.0
    }
}

impl std::ops::DerefMut for Boxed {
    fn deref_mut(&mut self) -> &mut Held {
        &mut self.0
    }
}

impl std::fmt::Debug for Boxed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The entries of a [`Held::Map`]: rhai's map with the tier's values.
pub(crate) type ValueMap = BTreeMap<Identifier, Value>;

/// An object map an entry function returned, handed over with its values still the tier's,
/// so that an engine reading them as text (labels) does not first build rhai's map.
#[derive(Debug)]
pub(crate) struct MapReturned(ValueMap);

impl From<Value> for MapReturned {
    /// The entries of `value` if it is a map; an empty map for any other value.
    fn from(value: Value) -> MapReturned {
        let entries = match value {
            Value::Dyn(boxed) => match boxed.into_held() {
                Held::Map(map) => Rc::unwrap_or_clone(map),
                _ => ValueMap::new(),
            },
            _ => ValueMap::new(),
        };
        MapReturned(entries)
    }
}

impl MapReturned {
    /// The map as rhai holds it.
    pub(crate) fn into_dynamic(self) -> Dynamic {
        Value::map(self.0).into_dynamic()
    }

    /// Each entry's name and its value as a label's text (`label_text`), in the order of
    /// the names; `None` for `()`.
    pub(crate) fn texts(self) -> impl Iterator<Item = (String, Option<String>)> {
        self.0.into_iter().map(|(name, value)| {
            let text = match value {
                Value::Unit => None,
                Value::Str(text) => Some(text.to_string()),
                other => Some(label_text(&other.into_dynamic())),
            };
            (name.to_string(), text)
        })
    }
}

/// A record of patron's in a [`Held::Record`].
#[derive(Debug, Clone)]
pub(crate) enum Record {
    /// An action as `action(kind, due, reason)` makes it.
    Action(Action),
    /// An unpaid receivable of `c.receivables`.
    Receivable(ReceivableFact),
    /// A score part as `part(…)` or `part_lower(…)` makes it, its indicator still the
    /// script's string (a part a helper function returns, or one whose `points` a rule
    /// reads).
    Part(MadePart),
}

impl Value {
    /// `value` as a fast-tier value: unboxed when it has one of the unboxed types.
    pub(crate) fn from_dynamic(value: Dynamic) -> Value {
        match Value::unboxed(&value) {
            Some(unboxed) => unboxed,
            None => Value::dynamic(value),
        }
    }

    /// The value `value` holds, as [`Value::from_dynamic`] of a copy of it makes it, without
    /// copying what it does not keep: a number is read, a string or table shared.
    pub(crate) fn from_ref(value: &Dynamic) -> Value {
        Value::unboxed(value).unwrap_or_else(|| Value::dynamic(value.clone()))
    }

    /// The value `value` holds when it has one of the unboxed types (a string or a table
    /// shared); `None` for a shared value or any other type.
    fn unboxed(value: &Dynamic) -> Option<Value> {
        if value.is_shared() {
            return None;
        }
        // (A failed `as_…` names the type it found, and a failed cast costs: test first.)
        if value.is_float() {
            return value.as_float().ok().map(Value::Float);
        }
        if value.is_int() {
            return value.as_int().ok().map(Value::Int);
        }
        if value.is_bool() {
            return value.as_bool().ok().map(Value::Bool);
        }
        if value.is_unit() {
            return Some(Value::Unit);
        }
        if value.is_string() {
            return value
                .read_lock::<ImmutableString>()
                .map(|text| Value::Str(text.clone()));
        }
        if value.is::<Date>() {
            return value.read_lock::<Date>().map(|date| Value::Date(*date));
        }
        if value.is::<ParamTable>() {
            return value
                .read_lock::<ParamTable>()
                .map(|table| Value::Table(table.clone()));
        }
        if value.is_array() {
            return value
                .read_lock::<Array>()
                .map(|items| Value::array(items.iter().map(Value::from_ref).collect()));
        }
        if value.is_map() {
            return value.read_lock::<rhai::Map>().map(|map| {
                Value::map(
                    map.iter()
                        .map(|(name, value)| (name.clone(), Value::from_ref(value)))
                        .collect(),
                )
            });
        }
        None
    }

    /// A JSON value (an attribute of the record) as the script sees it, as
    /// `view::json_to_dynamic` makes it for rhai: numbers, strings, booleans unboxed, `null`
    /// as `()`, arrays and objects as the tier's arrays and maps.
    pub(crate) fn from_json(value: &serde_json::Value) -> Value {
        match value {
            serde_json::Value::Null => Value::Unit,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Num::of_json(n).into(),
            serde_json::Value::String(s) => Value::Str(ImmutableString::from(s.as_str())),
            serde_json::Value::Array(items) => {
                Value::array(items.iter().map(Value::from_json).collect())
            }
            serde_json::Value::Object(map) => Value::map(
                map.iter()
                    .map(|(name, value)| (Identifier::from(name.as_str()), Value::from_json(value)))
                    .collect(),
            ),
        }
    }

    /// The value as rhai holds it.
    pub(crate) fn into_dynamic(self) -> Dynamic {
        match self {
            Value::Unit => Dynamic::UNIT,
            Value::Bool(b) => Dynamic::from_bool(b),
            Value::Int(i) => Dynamic::from_int(i),
            Value::Float(x) => Dynamic::from_float(x),
            Value::Str(text) => Dynamic::from(text),
            Value::Date(date) => Dynamic::from(date),
            Value::View => {
                LentView::with(|view| Dynamic::from(view.clone())).unwrap_or_else(|| {
                    debug_assert!(false, "a view value outside its call");
                    Dynamic::UNIT
                })
            }
            Value::Table(table) => Dynamic::from(table),
            Value::Dyn(boxed) => match boxed.into_held() {
                Held::Rhai(value) => value,
                Held::Array(items) => Dynamic::from_array(
                    Rc::unwrap_or_clone(items)
                        .into_iter()
                        .map(Value::into_dynamic)
                        .collect(),
                ),
                Held::Map(map) => Dynamic::from_map(
                    Rc::unwrap_or_clone(map)
                        .into_iter()
                        .map(|(name, value)| (name, value.into_dynamic()))
                        .collect(),
                ),
                Held::Record(record) => match Rc::unwrap_or_clone(record) {
                    Record::Action(action) => Dynamic::from(action),
                    Record::Receivable(receivable) => Dynamic::from(receivable),
                    Record::Part(part) => Dynamic::from(part.into_score_part()),
                },
            },
        }
    }

    /// A value as rhai holds it (one of the types [`Value`] holds unboxed, an array or a map
    /// only through [`Value::from_dynamic`]).
    pub(crate) fn dynamic(value: Dynamic) -> Value {
        Value::Dyn(Boxed::new(Held::Rhai(value)))
    }

    /// An array of `items`.
    pub(crate) fn array(items: Vec<Value>) -> Value {
        Value::Dyn(Boxed::new(Held::Array(Rc::new(Items::from(items)))))
    }

    /// An array of `items`, which hold `sizes` as the data limits count it.
    pub(crate) fn measured_array(items: Vec<Value>, sizes: super::sizes::DataSizes) -> Value {
        Value::Dyn(Boxed::new(Held::Array(Rc::new(Items::measured_as(
            items, sizes,
        )))))
    }

    /// An object map of `entries`.
    pub(crate) fn map(entries: ValueMap) -> Value {
        Value::Dyn(Boxed::new(Held::Map(Rc::new(entries))))
    }

    /// `record`.
    pub(crate) fn record(record: Record) -> Value {
        Value::Dyn(Boxed::new(Held::Record(Rc::new(record))))
    }

    /// The value rhai holds, if this is one ([`Held::Rhai`]).
    #[inline]
    pub(crate) fn rhai(&self) -> Option<&Dynamic> {
        match self {
            Value::Dyn(boxed) => match &**boxed {
                Held::Rhai(value) => Some(value),
                _ => None,
            },
            _ => None,
        }
    }

    /// The items, if this is an array of the tier's ([`Held::Array`]).
    #[inline]
    pub(crate) fn items(&self) -> Option<&Rc<Items>> {
        match self {
            Value::Dyn(boxed) => match &**boxed {
                Held::Array(items) => Some(items),
                _ => None,
            },
            _ => None,
        }
    }

    /// The entries, if this is an object map of the tier's ([`Held::Map`]).
    #[inline]
    pub(crate) fn as_map(&self) -> Option<&ValueMap> {
        match self {
            Value::Dyn(boxed) => match &**boxed {
                Held::Map(map) => Some(map),
                _ => None,
            },
            _ => None,
        }
    }

    /// The record, if this is one of patron's records ([`Held::Record`]).
    #[inline]
    pub(crate) fn as_record(&self) -> Option<&Record> {
        match self {
            Value::Dyn(boxed) => match &**boxed {
                Held::Record(record) => Some(record),
                _ => None,
            },
            _ => None,
        }
    }

    /// The items of an array, the tier's or rhai's, to walk (`for`); `None` for any other
    /// value.
    pub(crate) fn into_items(self) -> Option<Rc<Items>> {
        match self {
            Value::Dyn(boxed) => match boxed.into_held() {
                Held::Array(items) => Some(items),
                Held::Rhai(value) => value
                    .into_array()
                    .ok()
                    .map(|items| Rc::new(items.into_iter().map(Value::from_dynamic).collect())),
                Held::Map(_) | Held::Record(_) => None,
            },
            _ => None,
        }
    }

    /// Whether this is an action ([`Record::Action`]).
    pub(crate) fn is_action(&self) -> bool {
        matches!(self.as_record(), Some(Record::Action(_)))
    }

    /// The action this is, if it is one (moved out if nothing else shares it, else copied).
    pub(crate) fn into_action(self) -> Option<Action> {
        match self {
            Value::Dyn(boxed) => match boxed.into_held() {
                Held::Record(record) => match Rc::unwrap_or_clone(record) {
                    Record::Action(action) => Some(action),
                    Record::Receivable(_) | Record::Part(_) => None,
                },
                _ => None,
            },
            _ => None,
        }
    }

    /// The score part this is, if it is one ([`Record::Part`]; moved out if nothing else
    /// shares it, else copied); any other value is given back.
    pub(crate) fn into_part(self) -> Result<MadePart, Value> {
        if !matches!(self.as_record(), Some(Record::Part(_))) {
            return Err(self);
        }
        match self {
            Value::Dyn(boxed) => match boxed.into_held() {
                Held::Record(record) => match Rc::unwrap_or_clone(record) {
                    Record::Part(part) => Ok(part),
                    other => Err(Value::record(other)),
                },
                other => Err(Value::Dyn(Boxed::new(other))),
            },
            other => Err(other),
        }
    }

    /// Appends `item` to this array, copying the array first if another value shares it;
    /// bails when this is not an array or it has `max_array_size` items already (0: no
    /// limit).
    pub(crate) fn push(&mut self, item: Value, max_array_size: usize) -> Result<(), Flow> {
        let Value::Dyn(boxed) = self else {
            return Err(Flow::Bail);
        };
        match &mut **boxed {
            Held::Array(items) => {
                if max_array_size > 0 && items.len() >= max_array_size {
                    return Err(Flow::Bail);
                }
                Rc::make_mut(items).push(item);
                Ok(())
            }
            Held::Rhai(target) => {
                let Some(mut array) = target.write_lock::<Array>() else {
                    return Err(Flow::Bail);
                };
                if max_array_size > 0 && array.len() >= max_array_size {
                    return Err(Flow::Bail);
                }
                array.push(item.into_dynamic());
                Ok(())
            }
            Held::Map(_) | Held::Record(_) => Err(Flow::Bail),
        }
    }

    /// Appends the items of the array `more` to this array (`list += more`), copying this
    /// one first if another value shares it; bails when either is not an array of the tier's
    /// or the result would have more than `max_array_size` items (0: no limit), for rhai to
    /// report.
    pub(crate) fn append(&mut self, more: Value, max_array_size: usize) -> Result<(), Flow> {
        let Some(more) = more.into_items() else {
            return Err(Flow::Bail);
        };
        let Value::Dyn(boxed) = self else {
            return Err(Flow::Bail);
        };
        let Held::Array(items) = &mut **boxed else {
            return Err(Flow::Bail);
        };
        if max_array_size > 0 && items.len() + more.len() > max_array_size {
            return Err(Flow::Bail);
        }
        let items = Rc::make_mut(items);
        match Rc::try_unwrap(more) {
            Ok(more) => items.append(more),
            Err(shared) => items.append(shared.iter().cloned()),
        }
        Ok(())
    }

    /// Whether this is `()`, a boolean, a number, a string or a date: a value that means
    /// the same outside the call that made it.
    pub(crate) fn is_plain(&self) -> bool {
        matches!(
            self,
            Value::Unit
                | Value::Bool(_)
                | Value::Int(_)
                | Value::Float(_)
                | Value::Str(_)
                | Value::Date(_)
        )
    }

    /// The boolean, if this is one.
    #[inline]
    pub(crate) fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// A float, or an integer as a float.
    #[inline]
    pub(crate) fn as_number(&self) -> Option<f64> {
        match self {
            Value::Float(x) => Some(*x),
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }

    /// The string, if this is one.
    #[inline]
    pub(crate) fn as_str(&self) -> Option<&ImmutableString> {
        match self {
            Value::Str(text) => Some(text),
            _ => None,
        }
    }

    /// An integer or `()`.
    pub(crate) fn opt_int(value: Option<INT>) -> Value {
        value.map_or(Value::Unit, Value::Int)
    }

    /// A float or `()`.
    pub(crate) fn opt_float(value: Option<f64>) -> Value {
        value.map_or(Value::Unit, Value::Float)
    }

    /// A date or `()`.
    pub(crate) fn opt_date(value: Option<Date>) -> Value {
        value.map_or(Value::Unit, Value::Date)
    }

    /// A boolean or `()`.
    pub(crate) fn opt_bool(value: Option<bool>) -> Value {
        value.map_or(Value::Unit, Value::Bool)
    }

    /// A string or `()`.
    pub(crate) fn opt_str(value: Option<&str>) -> Value {
        value.map_or(Value::Unit, |s| Value::Str(ImmutableString::from(s)))
    }
}

thread_local! {
    /// The customer view lent to the fast tier's call running on this thread.
    static LENT: RefCell<Option<CustomerView>> = const { RefCell::new(None) };
}

/// The customer view an entry call of the fast tier is given, lent to the call for its
/// duration: [`Value::View`] stands for it. The machine holds it for fact reads; this guard
/// also makes it the thread's lent view (for the rare value that leaves the tier as a
/// `Dynamic`, or a read without the machine at hand) until it is dropped, which puts back
/// the one before.
pub(crate) struct LentView {
    previous: Option<CustomerView>,
}

impl LentView {
    /// Lends `view` to the call until the guard is dropped.
    pub(crate) fn new(view: CustomerView) -> LentView {
        LentView {
            previous: LENT.with(|lent| lent.borrow_mut().replace(view)),
        }
    }

    /// Runs `f` on the thread's lent view; `None` when there is none.
    pub(crate) fn with<T>(f: impl FnOnce(&CustomerView) -> T) -> Option<T> {
        LENT.with(|lent| lent.borrow().as_ref().map(f))
    }

    /// Whether `arg` holds `view` itself (not a copy of it), as [`LentView::of`] finds it.
    #[inline]
    pub(crate) fn holds(arg: &Dynamic, view: &CustomerView) -> bool {
        !arg.is_shared()
            && arg
                .read_lock::<CustomerView>()
                .is_some_and(|held| held.same(view))
    }

    /// The customer view `arg` holds, as [`LentView::new`] takes it.
    pub(crate) fn of(arg: &Dynamic) -> Option<CustomerView> {
        if arg.is_shared() {
            return None;
        }
        arg.read_lock::<CustomerView>().map(|view| view.clone())
    }
}

impl Drop for LentView {
    fn drop(&mut self) {
        let previous = self.previous.take();
        LENT.with(|lent| *lent.borrow_mut() = previous);
    }
}

/// A number as rhai computes with it: an integer or a float. Lowered arithmetic
/// (`lower::number`) passes these between its steps: sixteen bytes, returned in registers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Num {
    Int(INT),
    Float(f64),
}

impl Num {
    /// A JSON number as a script sees it: an integer when it is one that fits, otherwise a
    /// float (`view::json_to_dynamic`, [`Value::from_json`] and lowered arithmetic all read
    /// attributes' numbers through this).
    #[inline]
    pub(crate) fn of_json(n: &serde_json::Number) -> Num {
        match n.as_i64() {
            Some(i) => Num::Int(i),
            None => Num::Float(n.as_f64().unwrap_or(f64::NAN)),
        }
    }

    /// The number as a float (an integer converted, as rhai's mixed operators do).
    #[inline]
    pub(crate) fn float(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(x) => x,
        }
    }
}

impl Value {
    /// The number this value is, if it is one.
    #[inline]
    pub(crate) fn number(&self) -> Option<Num> {
        match self {
            Value::Int(i) => Some(Num::Int(*i)),
            Value::Float(x) => Some(Num::Float(*x)),
            _ => None,
        }
    }
}

impl From<Num> for Value {
    #[inline]
    fn from(value: Num) -> Value {
        match value {
            Num::Int(i) => Value::Int(i),
            Num::Float(x) => Value::Float(x),
        }
    }
}

impl From<INT> for Value {
    fn from(value: INT) -> Value {
        Value::Int(value)
    }
}

impl From<f64> for Value {
    fn from(value: f64) -> Value {
        Value::Float(value)
    }
}

impl From<Date> for Value {
    fn from(value: Date) -> Value {
        Value::Date(value)
    }
}

impl From<ImmutableString> for Value {
    fn from(value: ImmutableString) -> Value {
        Value::Str(value)
    }
}

impl From<String> for Value {
    fn from(value: String) -> Value {
        Value::Str(value.into())
    }
}

impl From<Action> for Value {
    fn from(value: Action) -> Value {
        Value::record(Record::Action(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every unboxed type goes in and out of a `Dynamic` unchanged, and only other types
    /// stay boxed; reading a value in place ([`Value::from_ref`]) gives what converting a
    /// copy gives.
    #[test]
    fn round_trips_through_dynamic() {
        let date = crate::model::parse_date("2026-11-23").expect("a date");
        let params: toml::Table = toml::from_str("a = 1.5").expect("a table");
        let table = Dynamic::from(ParamTable::from_toml(&params));
        let shared = Dynamic::from_int(3).into_shared();
        let cases = [
            Dynamic::UNIT,
            Dynamic::from_bool(true),
            Dynamic::from_int(-7),
            Dynamic::from_float(2.5),
            Dynamic::from(ImmutableString::from("ab")),
            Dynamic::from(date),
            Dynamic::from_char('a'),
            Dynamic::from_array(vec![Dynamic::from_int(1)]),
            table,
            shared,
        ];
        for case in cases {
            let debug = format!("{case:?}");
            let in_place = format!("{:?}", Value::from_ref(&case));
            let value = Value::from_dynamic(case);
            assert_eq!(in_place, format!("{value:?}"), "{debug}");
            let boxed = matches!(value, Value::Dyn(_));
            let stays_boxed = debug == "'a'" || debug == "[1]" || debug.contains("shared");
            assert_eq!(boxed, stays_boxed, "{debug}: {value:?}");
            assert_eq!(
                matches!(value, Value::Table(_)),
                debug.contains("ParamTable"),
                "{debug}"
            );
            // An array is the tier's own, its items the tier's values.
            assert_eq!(value.items().is_some(), debug == "[1]", "{debug}");
            assert_eq!(format!("{:?}", value.into_dynamic()), debug);
        }
    }

    /// An attribute reads as `view::json_to_dynamic` makes it, through the same conversion.
    #[test]
    fn attributes_read_as_rhai_would() {
        // The numbers themselves, which both sides read through `Num::of_json`.
        let numbers: Vec<serde_json::Number> =
            serde_json::from_str("[3, -3, 18446744073709551615, 2.5, 0.0]").expect("JSON");
        let read: Vec<Num> = numbers.iter().map(Num::of_json).collect();
        let expected = [
            Num::Int(3),
            Num::Int(-3),
            Num::Float(18446744073709551615.0),
            Num::Float(2.5),
            Num::Float(0.0),
        ];
        assert_eq!(read, expected);
        let cases = r#"[null, true, 3, -3, 18446744073709551615, 2.5, "text", [1, "a"], {"k": 1}]"#;
        let cases: Vec<serde_json::Value> = serde_json::from_str(cases).expect("JSON");
        for case in &cases {
            let expected = crate::script::view::json_to_dynamic(case);
            let expected = format!("{:?}", Value::from_dynamic(expected));
            assert_eq!(format!("{:?}", Value::from_json(case)), expected, "{case}");
        }
    }
}
