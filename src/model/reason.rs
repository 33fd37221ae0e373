//! The reason of a decision ([`Reason`]): plain text, or a template over facts — the
//! literal pieces of an interpolated string, shared and made once when a policy loads, and
//! the values of its `${…}` — that is written out only when someone reads it. A batch that
//! writes JSON writes a template straight into the output, escaped as it goes; a hot loop
//! that evaluates into a reused [`Evaluation`](super::Evaluation) and never reads the reasons
//! formats none.
//!
//! Each value is written as rhai's `to_string` writes it (a float keeps its `.0`, large and
//! tiny floats take an exponent, `()` is nothing); the fast tier's interpolated strings use
//! the same writer ([`write_arg`]), so a template reads exactly as the string rhai would have
//! built.

use std::fmt::{self, Write};
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::date::Date;

/// One value of a template: a plain value, with its text as `T` (`String` in a [`Reason`],
/// `&str` when written, the script's own string type in the fast tier).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ReasonArg<T> {
    /// `()`, written as nothing.
    Unit,
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float, written as rhai writes it.
    Float(f64),
    /// A date, `2026-11-23`.
    Date(Date),
    /// Text, written as it is.
    Text(T),
}

impl<T: AsRef<str>> ReasonArg<T> {
    /// The value with its text borrowed.
    #[inline]
    pub(crate) fn as_ref(&self) -> ReasonArg<&str> {
        match self {
            ReasonArg::Unit => ReasonArg::Unit,
            ReasonArg::Bool(b) => ReasonArg::Bool(*b),
            ReasonArg::Int(i) => ReasonArg::Int(*i),
            ReasonArg::Float(x) => ReasonArg::Float(*x),
            ReasonArg::Date(d) => ReasonArg::Date(*d),
            ReasonArg::Text(text) => ReasonArg::Text(text.as_ref()),
        }
    }
}

/// The literal pieces of a template: one more than its values, which go between them
/// (`"first purchase on "`, value, `" (since "`, value, `")…"`).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Template {
    pieces: Box<[Box<str>]>,
    /// The pieces' total length.
    literal_len: usize,
}

impl Template {
    /// A template of `pieces`, one more than the values it takes.
    pub(crate) fn new(pieces: Vec<Box<str>>) -> Template {
        debug_assert!(!pieces.is_empty());
        let literal_len = pieces.iter().map(|p| p.len()).sum();
        Template {
            pieces: pieces.into_boxed_slice(),
            literal_len,
        }
    }

    /// The pieces' total length in bytes.
    pub(crate) fn literal_len(&self) -> usize {
        self.literal_len
    }

    /// Writes the template with `args` between its pieces.
    pub(crate) fn write<'a, W: Write>(
        &self,
        out: &mut W,
        args: impl IntoIterator<Item = ReasonArg<&'a str>>,
    ) -> fmt::Result {
        let mut args = args.into_iter();
        let mut pieces = self.pieces.iter();
        if let Some(first) = pieces.next() {
            out.write_str(first)?;
        }
        for piece in pieces {
            if let Some(arg) = args.next() {
                write_arg(out, arg)?;
            }
            out.write_str(piece)?;
        }
        Ok(())
    }
}

/// Writes `arg` as rhai's `to_string` writes the value (the one writer of interpolated
/// strings, for both the fast tier's text and a template's). Integers, and floats with
/// integral values well inside the range rhai writes without an exponent, are written digit
/// by digit without the formatting machinery.
#[inline]
pub(crate) fn write_arg<W: Write>(out: &mut W, arg: ReasonArg<&str>) -> fmt::Result {
    match arg {
        ReasonArg::Text(text) => out.write_str(text),
        ReasonArg::Int(i) => write_int(out, i),
        ReasonArg::Float(x) if x.fract() == 0.0 && (1.0..=1e12).contains(&x.abs()) => {
            write_int(out, x as i64)?;
            out.write_str(".0")
        }
        // rhai's own formatting (`FloatWrapper`'s `Display`): `0.0`, an exponent outside
        // 1e-13..=1e13, otherwise the shortest decimal with a `.0` for integral values.
        ReasonArg::Float(x) => write!(out, "{}", rhai::Dynamic::from_float(x)),
        ReasonArg::Bool(b) => out.write_str(if b { "true" } else { "false" }),
        ReasonArg::Unit => Ok(()),
        ReasonArg::Date(date) => write_date(out, date),
    }
}

/// Writes `i` as its `Display` writes it.
fn write_int<W: Write>(out: &mut W, i: i64) -> fmt::Result {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut n = i.unsigned_abs();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if i < 0 {
        out.write_char('-')?;
    }
    for &digit in &digits[start..] {
        out.write_char(char::from(digit))?;
    }
    Ok(())
}

/// Writes `date` as its `Display` writes it (`2026-11-23`), without the formatting
/// machinery for the years 0–9999.
fn write_date<W: Write>(out: &mut W, date: Date) -> fmt::Result {
    use chrono::Datelike;
    let year = match u32::try_from(date.year()) {
        Ok(year) if year <= 9999 => year,
        _ => return write!(out, "{date}"),
    };
    let (month, day) = (date.month(), date.day());
    let digit = |n: u32| char::from(b'0' + (n % 10) as u8);
    for c in [
        digit(year / 1000),
        digit(year / 100),
        digit(year / 10),
        digit(year),
        '-',
        digit(month / 10),
        digit(month),
        '-',
        digit(day / 10),
        digit(day),
    ] {
        out.write_char(c)?;
    }
    Ok(())
}

/// Why a decision was taken: one plain sentence. It reads as a `str` (`as_str()`, `Deref`,
/// `Display`) and is a string in JSON; a reason a policy builds from facts may be held as a
/// template and its values until it is first read, and a serializer then writes it without
/// building the string (see the module's documentation).
///
/// Migrating from the `String` fields it replaced: `reason.as_str()` or `&*reason` to read
/// it, `reason.to_string()` for an owned copy, `Reason::from(text)` to make one; it compares
/// equal to `str`, `&str` and `String`.
///
/// ```
/// use patron::model::Reason;
///
/// let reason = Reason::from("nothing in the record moves it");
/// assert_eq!(reason, "nothing in the record moves it");
/// assert_eq!(reason.len(), 30); // a `str` method, through `Deref`
/// assert_eq!(serde_json::to_string(&reason)?, "\"nothing in the record moves it\"");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct Reason {
    /// The text: set for plain text, written on first read for a template.
    text: OnceLock<String>,
    /// The template, when the reason is one.
    template: Option<Arc<Template>>,
    /// A template's values (kept, emptied, for plain text so that a reused result refills
    /// the allocation).
    args: Vec<ReasonArg<String>>,
}

impl Reason {
    /// The reason as text, written on the first read of a template.
    pub fn as_str(&self) -> &str {
        if let Some(text) = self.text.get() {
            return text;
        }
        if self.template.is_none() {
            return "";
        }
        self.text.get_or_init(|| self.render())
    }

    /// A template of `template` with `args` between its pieces.
    pub(crate) fn template<'a>(
        template: &Arc<Template>,
        args: impl IntoIterator<Item = ReasonArg<&'a str>>,
    ) -> Reason {
        let mut reason = Reason::default();
        reason.set_template(template, args);
        reason
    }

    /// Whether the text has been written (plain text always has): a template is written on
    /// its first read. (For tests that check a reason was not written early.)
    #[doc(hidden)]
    pub fn is_rendered(&self) -> bool {
        self.template.is_none() || self.text.get().is_some()
    }

    /// Sets the reason to `text`, reusing the allocation of the text it held.
    pub(crate) fn set_text(&mut self, text: &str) {
        self.template = None;
        self.args.clear();
        match self.text.get_mut() {
            Some(own) => {
                own.clear();
                own.push_str(text);
            }
            None => self.text = OnceLock::from(text.to_owned()),
        }
    }

    /// Sets the reason to `template` over `args`, reusing the allocations of the values it
    /// held (the list, and a text value's string where a text value was before).
    pub(crate) fn set_template<'a>(
        &mut self,
        template: &Arc<Template>,
        args: impl IntoIterator<Item = ReasonArg<&'a str>>,
    ) {
        let _ = self.text.take();
        if !self
            .template
            .as_ref()
            .is_some_and(|own| Arc::ptr_eq(own, template))
        {
            self.template = Some(Arc::clone(template));
        }
        let mut count = 0;
        for arg in args {
            match self.args.get_mut(count) {
                Some(ReasonArg::Text(own)) if matches!(arg, ReasonArg::Text(_)) => {
                    own.clear();
                    if let ReasonArg::Text(text) = arg {
                        own.push_str(text);
                    }
                }
                Some(slot) => *slot = owned(arg),
                None => self.args.push(owned(arg)),
            }
            count += 1;
        }
        self.args.truncate(count);
    }

    /// Appends `text` (the reason becomes plain text).
    pub(crate) fn push_str(&mut self, text: &str) {
        let mut own = self.take_text();
        own.push_str(text);
        self.template = None;
        self.args.clear();
        self.text = OnceLock::from(own);
    }

    /// The text, written if it is a template.
    fn take_text(&mut self) -> String {
        match self.text.take() {
            Some(text) => text,
            None if self.template.is_some() => self.render(),
            None => String::new(),
        }
    }

    /// A template's text.
    fn render(&self) -> String {
        let Some(template) = &self.template else {
            return String::new();
        };
        let mut text = String::with_capacity(template.literal_len() + 16 * self.args.len());
        let _ = template.write(&mut text, self.args.iter().map(ReasonArg::as_ref));
        text
    }
}

/// `arg` with its text owned.
fn owned(arg: ReasonArg<&str>) -> ReasonArg<String> {
    match arg {
        ReasonArg::Unit => ReasonArg::Unit,
        ReasonArg::Bool(b) => ReasonArg::Bool(b),
        ReasonArg::Int(i) => ReasonArg::Int(i),
        ReasonArg::Float(x) => ReasonArg::Float(x),
        ReasonArg::Date(d) => ReasonArg::Date(d),
        ReasonArg::Text(text) => ReasonArg::Text(text.to_owned()),
    }
}

impl std::ops::Deref for Reason {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Reason {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for Reason {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

/// Writes the text; a template not yet read is written piece by piece, without building the
/// string (unless a width or precision asks for padding).
impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.template, self.text.get()) {
            (Some(template), None) if f.width().is_none() && f.precision().is_none() => {
                template.write(f, self.args.iter().map(ReasonArg::as_ref))
            }
            _ => f.pad(self.as_str()),
        }
    }
}

/// Shows the text, as a string's `Debug` does.
impl fmt::Debug for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for Reason {
    fn eq(&self, other: &Reason) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Reason {}

impl PartialEq<str> for Reason {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Reason {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Reason {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<Reason> for str {
    fn eq(&self, other: &Reason) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Reason> for &str {
    fn eq(&self, other: &Reason) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Reason> for String {
    fn eq(&self, other: &Reason) -> bool {
        self == other.as_str()
    }
}

impl From<String> for Reason {
    fn from(text: String) -> Reason {
        Reason {
            text: OnceLock::from(text),
            template: None,
            args: Vec::new(),
        }
    }
}

impl From<&str> for Reason {
    fn from(text: &str) -> Reason {
        Reason::from(text.to_owned())
    }
}

impl From<Reason> for String {
    fn from(reason: Reason) -> String {
        let mut reason = reason;
        reason.take_text()
    }
}

/// A string; a template not yet read is written into a buffer the thread keeps and handed
/// to the serializer from there, without building (or keeping) a string of its own. (Written
/// through `collect_str`, serde_json's escaping of each piece and value through the
/// formatting machinery cost more than writing the text first: BENCHMARKS.md.)
impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        thread_local! {
            static TEXT: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        match (self.text.get(), &self.template) {
            (Some(text), _) => serializer.serialize_str(text),
            (None, None) => serializer.serialize_str(""),
            (None, Some(template)) => TEXT.with(|buffer| match buffer.try_borrow_mut() {
                Ok(mut text) => {
                    text.clear();
                    let _ = template.write(&mut *text, self.args.iter().map(ReasonArg::as_ref));
                    serializer.serialize_str(&text)
                }
                // (Only a serializer that serialises a reason while writing one gets here.)
                Err(_) => serializer.collect_str(self),
            }),
        }
    }
}

/// From a string.
impl<'de> Deserialize<'de> for Reason {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Reason, D::Error> {
        String::deserialize(deserializer).map(Reason::from)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Reason {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <String as utoipa::PartialSchema>::schema()
    }
}

/// A string in the OpenAPI document.
#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Reason {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::parse_date;

    fn template(pieces: &[&str]) -> Arc<Template> {
        Arc::new(Template::new(
            pieces.iter().map(|p| Box::from(*p)).collect(),
        ))
    }

    /// What rhai's `to_string` writes for `value` in an interpolated string.
    fn rhai_writes(value: rhai::Dynamic) -> String {
        let engine = rhai::Engine::new();
        let mut scope = rhai::Scope::new();
        scope.push_dynamic("x", value);
        engine
            .eval_with_scope::<String>(&mut scope, "`${x}`")
            .expect("interpolated")
    }

    /// Each kind of value reads as rhai writes it in an interpolated string, rendered and
    /// written straight (`Display`).
    #[test]
    fn values_are_written_as_rhai_writes_them() {
        let date = parse_date("2026-11-23").expect("a date");
        let early = parse_date("0042-01-05").expect("a date");
        let mut cases: Vec<(ReasonArg<&str>, rhai::Dynamic)> = vec![
            (ReasonArg::Unit, rhai::Dynamic::UNIT),
            (ReasonArg::Bool(true), rhai::Dynamic::TRUE),
            (ReasonArg::Bool(false), rhai::Dynamic::FALSE),
            (ReasonArg::Text("D"), rhai::Dynamic::from("D")),
            (ReasonArg::Text("引号\"\n"), rhai::Dynamic::from("引号\"\n")),
            (ReasonArg::Date(date), rhai::Dynamic::from(date.to_string())),
            (
                ReasonArg::Date(early),
                rhai::Dynamic::from(early.to_string()),
            ),
        ];
        for i in [0, 7, -7, 10, -1_000_000, 1_234_567_890, i64::MAX, i64::MIN] {
            cases.push((ReasonArg::Int(i), rhai::Dynamic::from_int(i)));
        }
        for x in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            57.5,
            -42.0,
            1e12,
            1e13,
            1e14,
            1e20,
            -1e20,
            1e-13,
            1e-14,
            2.25e-3,
            123_456_789.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN_POSITIVE,
        ] {
            cases.push((ReasonArg::Float(x), rhai::Dynamic::from_float(x)));
        }
        for (arg, value) in cases {
            let expected = format!("<{}>", rhai_writes(value));
            let reason = Reason::template(&template(&["<", ">"]), [arg.clone()]);
            assert!(!reason.is_rendered());
            assert_eq!(reason.to_string(), expected, "{arg:?} written straight");
            assert!(!reason.is_rendered(), "Display does not render");
            assert_eq!(reason.as_str(), expected, "{arg:?} rendered");
            assert!(reason.is_rendered());
        }
    }

    /// A template serialises as its text, byte for byte the string's JSON, before and after
    /// it is read; a string deserialises into plain text.
    #[test]
    fn serialises_as_text() {
        let pieces = template(&["a \"quoted\" ", " and ", "\t\u{1}"]);
        let reason = Reason::template(&pieces, [ReasonArg::Text("€\\"), ReasonArg::Float(0.5)]);
        let text = "a \"quoted\" €\\ and 0.5\t\u{1}";
        let json = serde_json::to_string(&text).expect("json");
        assert_eq!(serde_json::to_string(&reason).expect("json"), json);
        assert!(!reason.is_rendered(), "serialising does not render");
        assert_eq!(reason, text);
        assert_eq!(serde_json::to_string(&reason).expect("json"), json);
        let back: Reason = serde_json::from_str(&json).expect("a reason");
        assert!(back.template.is_none());
        assert_eq!(back, reason);
        assert_eq!(
            serde_json::to_value(&reason).expect("value"),
            serde_json::Value::from(text)
        );
    }

    /// Equal by text, whatever the form; with `str`, `&str` and `String` both ways.
    #[test]
    fn equality_is_by_text() {
        let made = Reason::template(
            &template(&["", " holds since ", ""]),
            [ReasonArg::Text("B"), ReasonArg::Int(3)],
        );
        let text = Reason::from("B holds since 3");
        assert_eq!(made, text);
        assert_eq!(made, "B holds since 3");
        assert_eq!("B holds since 3", made);
        assert_eq!(made, String::from("B holds since 3"));
        assert_eq!(String::from("B holds since 3"), made);
        assert_eq!(*"B holds since 3", made);
        assert_ne!(made, Reason::from("B holds since 4"));
        assert_eq!(Reason::default(), "");
        assert_eq!(format!("{made:?}"), "\"B holds since 3\"");
        assert_eq!(format!("[{made:>17}]"), "[  B holds since 3]");
        assert_eq!(String::from(made.clone()), "B holds since 3");
    }

    /// A reason set again keeps its allocations: the list of values, and the string of a text
    /// value in the same place.
    #[test]
    fn set_again_reuses_its_allocations() {
        let pieces = template(&["", ": ", "", ""]);
        let mut reason = Reason::default();
        reason.set_template(
            &pieces,
            [
                ReasonArg::Text("a long enough text"),
                ReasonArg::Int(1),
                ReasonArg::Unit,
            ],
        );
        let list = reason.args.as_ptr();
        let ReasonArg::Text(first) = &reason.args[0] else {
            panic!("text")
        };
        let first = first.as_ptr();
        reason.set_template(
            &pieces,
            [
                ReasonArg::Text("short"),
                ReasonArg::Date(parse_date("2026-01-02").expect("date")),
                ReasonArg::Bool(true),
            ],
        );
        assert_eq!(reason.args.as_ptr(), list);
        assert!(matches!(&reason.args[0], ReasonArg::Text(t) if t.as_ptr() == first));
        assert_eq!(reason, "short: 2026-01-02true");
        reason.set_text("plain");
        assert_eq!(reason, "plain");
        assert!(reason.is_rendered());
        reason.push_str(" (more)");
        assert_eq!(reason, "plain (more)");
        reason.set_template(
            &pieces,
            [ReasonArg::Int(-5), ReasonArg::Unit, ReasonArg::Float(1.0)],
        );
        reason.push_str("!");
        assert_eq!(reason, "-5: 1.0!");
        assert!(reason.template.is_none());
    }

    /// An `Evaluation` (and so a reason) crosses threads.
    #[test]
    fn is_send_and_sync() {
        fn both<T: Send + Sync>() {}
        both::<Reason>();
        both::<crate::model::Evaluation>();
    }
}
