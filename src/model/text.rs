//! A JSON string read as serde reads a `String` — the same values accepted, the same message
//! for the others — but borrowed from the input when it has no escapes (nearly always), so
//! that reading it allocates nothing. Dates ([`deserialize_date`](super::date)) and the
//! shadows of the streaming readers ([`shadow`](super::shadow)) read the strings they need
//! through it.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// The text of a JSON string: borrowed from the input, or owned when it had escapes.
pub(super) struct Text<'de>(Cow<'de, str>);

impl<'de> Text<'de> {
    /// The text.
    pub(super) fn as_str(&self) -> &str {
        &self.0
    }

    /// `text` itself, borrowed (for a reader that found it without serde).
    pub(super) fn borrowed(text: &'de str) -> Text<'de> {
        Text(Cow::Borrowed(text))
    }
}

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_string(TextVisitor)
    }
}

/// Reads a JSON string as [`Text`]. Its `expecting` is `String`'s, so that a value of another
/// type is refused with the message it always was.
struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Text<'de>, E> {
        Ok(Text(Cow::Borrowed(text)))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Text<'de>, E> {
        Ok(Text(Cow::Owned(text.to_string())))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Text<'de>, E> {
        Ok(Text(Cow::Owned(text)))
    }

    // What `String` accepts besides: UTF-8 bytes.
    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Text<'de>, E> {
        match std::str::from_utf8(bytes) {
            Ok(text) => self.visit_str(text),
            Err(_) => Err(E::invalid_value(de::Unexpected::Bytes(bytes), &self)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What [`Text`] reads, and how it refuses, is what `String` does, for every kind of
    /// JSON value; plain strings are borrowed, escaped ones owned.
    #[test]
    fn text_reads_what_a_string_reads() {
        let long_escaped = format!("\"{}\\n\"", "x".repeat(60));
        let values = [
            "\"2026-11-23\"",
            "\"visit\"",
            "\"\"",
            "\"call\\u00e9\"",
            "\"a\\\"b\"",
            long_escaped.as_str(),
            "12",
            "1.5",
            "true",
            "null",
            "[\"a\"]",
            "{\"a\": 1}",
            "\"unterminated",
        ];
        for json in values {
            let by_string = serde_json::from_str::<String>(json);
            let by_text = serde_json::from_str::<Text>(json);
            match (&by_string, &by_text) {
                (Ok(string), Ok(text)) => {
                    assert_eq!(string, text.as_str(), "{json}");
                    let borrowed = matches!(text.0, Cow::Borrowed(_));
                    assert_eq!(borrowed, !json.contains('\\'), "{json}");
                }
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{json}"),
                _ => panic!(
                    "{json}: String gives {by_string:?}, Text {}",
                    by_text.is_ok()
                ),
            }
        }
    }
}
