//! Shadows of the history items of [`Customer`](super::Customer) for the readers that fold a
//! record as they read it instead of building it ([`entry_scan`](super::entry_scan) for the
//! first pass of a stream, [`fact_scan`](super::fact_scan) for the second): the same fields
//! in the same order with the same serde attributes as [`Purchase`](super::Purchase),
//! [`Interaction`](super::Interaction) and the others, so that they accept and refuse exactly
//! what the full parser does (the same duplicate, missing and unknown fields, the same array
//! form of a struct), but strings are checked rather than copied.
//!
//! Also how a history is folded as it is read ([`Fold`], [`Folded`]), and the as-of date of the
//! record being read ([`Window`]): serde's derive passes no state to a field.

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;

use super::date::{deserialize_date, saturating_add_days, Date};
use super::facts::{RECENT_WINDOW_DAYS, YEAR_WINDOW_DAYS};

/// The dates a folding reader needs for the record it reads on this thread.
#[derive(Debug, Clone, Copy)]
pub(super) struct Window {
    /// The evaluation date.
    pub(super) as_of: Date,
    /// `as_of` less [`YEAR_WINDOW_DAYS`]: "the last year" is after it.
    pub(super) year_start: Date,
    /// `as_of` less [`RECENT_WINDOW_DAYS`]: "recently" is after it.
    pub(super) recent_start: Date,
}

thread_local! {
    /// The window of the record being read on this thread.
    static WINDOW: Cell<Option<Window>> = const { Cell::new(None) };
}

impl Window {
    /// The windows of a record read as of `as_of`.
    pub(super) fn new(as_of: Date) -> Window {
        Window {
            as_of,
            year_start: saturating_add_days(as_of, -YEAR_WINDOW_DAYS),
            recent_start: saturating_add_days(as_of, -RECENT_WINDOW_DAYS),
        }
    }

    /// The window of the record being read, or a serde error naming `what` when no reader
    /// set one (a shadow read outside [`WindowGuard`]).
    pub(super) fn current<E: de::Error>(what: &str) -> Result<Window, E> {
        WINDOW
            .with(Cell::get)
            .ok_or_else(|| E::custom(format!("{what} read outside a scan")))
    }
}

/// Sets the thread's [`Window`] for the life of the guard, and restores what was there.
pub(super) struct WindowGuard(Option<Window>);

impl WindowGuard {
    /// The window as of `as_of`, until the guard is dropped.
    pub(super) fn set(as_of: Date) -> Self {
        let window = Window::new(as_of);
        WindowGuard(WINDOW.with(|w| w.replace(Some(window))))
    }
}

impl Drop for WindowGuard {
    fn drop(&mut self) {
        WINDOW.with(|w| w.set(self.0));
    }
}

/// [`Purchase`](super::Purchase)'s shape.
#[derive(Deserialize)]
pub(super) struct LightPurchase {
    #[serde(deserialize_with = "deserialize_date")]
    pub(super) at: Date,
    pub(super) amount: f64,
}

/// [`Interaction`](super::Interaction)'s shape; `kind` is [`Str`] (checked, not kept) or
/// [`Text`](super::text::Text) (kept, borrowed from the input when it can be).
#[derive(Deserialize)]
pub(super) struct LightInteraction<K = Str> {
    #[serde(deserialize_with = "deserialize_date")]
    pub(super) at: Date,
    pub(super) kind: K,
    #[serde(default)]
    #[allow(dead_code)] // Read only to check it, as the full parser reads it.
    pub(super) outcome: Option<Str>,
}

/// [`Complaint`](super::Complaint)'s shape.
#[derive(Deserialize)]
pub(super) struct LightComplaint {
    #[serde(deserialize_with = "deserialize_date")]
    pub(super) at: Date,
    #[serde(default)]
    pub(super) resolved: bool,
}

/// [`Receivable`](super::Receivable)'s shape.
#[derive(Deserialize)]
pub(super) struct LightReceivable {
    #[serde(deserialize_with = "deserialize_date")]
    pub(super) due: Date,
    pub(super) amount: f64,
    #[serde(default)]
    pub(super) paid: bool,
}

/// [`Contract`](super::Contract)'s shape.
#[derive(Deserialize)]
pub(super) struct LightContract {
    #[serde(deserialize_with = "deserialize_date")]
    pub(super) signed_at: Date,
    #[serde(default)]
    #[allow(dead_code)] // Read only to check it, as the full parser reads it.
    pub(super) amount: Option<f64>,
}

/// Where a `String` goes: a JSON string, checked and not kept.
pub(super) struct Str;

impl<'de> Deserialize<'de> for Str {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor;
        impl Visitor<'_> for StrVisitor {
            type Value = Str;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Str, E> {
                Ok(Str)
            }
            // What `String` accepts besides: UTF-8 bytes.
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Str, E> {
                std::str::from_utf8(v)
                    .map(|_| Str)
                    .map_err(|_| E::invalid_value(de::Unexpected::Bytes(v), &self))
            }
        }
        deserializer.deserialize_string(StrVisitor)
    }
}

/// Where a `Vec<T>` goes: the items, checked and counted away.
pub(super) struct Items<T>(PhantomData<T>);

impl<T> Default for Items<T> {
    fn default() -> Self {
        Items(PhantomData)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Items<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ItemsVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ItemsVisitor<T> {
            type Value = Items<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Items<T>, A::Error> {
                while seq.next_element::<T>()?.is_some() {}
                Ok(Items(PhantomData))
            }
        }
        deserializer.deserialize_seq(ItemsVisitor(PhantomData))
    }
}

/// Whether `validate` refuses `amount` (of a purchase or a receivable): not finite, or
/// negative.
pub(super) fn refused_amount(amount: f64) -> bool {
    !amount.is_finite() || amount < 0.0
}

/// A history folded as it is read, item by item, into `Self` (the sums a reader keeps of it).
pub(super) trait Fold: Default {
    /// The shadow of one item.
    type Item<'de>: Deserialize<'de>;
    /// The field's name, for the error of a fold read outside a reader that set the window.
    const FIELD: &'static str;
    /// The state before the first item ([`Default`] unless the reader says otherwise).
    fn start() -> Self {
        Self::default()
    }
    /// Folds in one item of the record being read, as of `window`.
    fn add(&mut self, window: &Window, item: Self::Item<'_>);
}

/// A history field read through [`Fold`] (e.g. `purchases: Folded<Purchases>`): a JSON array
/// whose items are read as `F::Item` and folded into `F`; absent, `F`'s default.
#[derive(Default)]
pub(super) struct Folded<F>(pub(super) F);

impl<'de, F: Fold> Deserialize<'de> for Folded<F> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FoldVisitor<F>(F, Window);
        impl<'de, F: Fold> Visitor<'de> for FoldVisitor<F> {
            type Value = F;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<F, A::Error> {
                while let Some(item) = seq.next_element::<F::Item<'de>>()? {
                    self.0.add(&self.1, item);
                }
                Ok(self.0)
            }
        }
        let window = Window::current(F::FIELD)?;
        deserializer
            .deserialize_seq(FoldVisitor(F::start(), window))
            .map(Folded)
    }
}
