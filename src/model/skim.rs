//! A small JSON scanner of patron's own for records in the plain form nearly every record has,
//! used by both passes of a stream as a fast path before serde ([`entry_skim`](super::entry_skim)
//! for the first, [`fact_skim`](super::fact_skim) for the second).
//!
//! The readers through serde ([`entry_scan`](super::entry_scan), [`fact_scan`](super::fact_scan))
//! are exact but slow for what they keep: serde_json checks every key and string a byte at a
//! time through its visitor machinery. The scanner walks [`Customer`](super::Customer)'s shape
//! directly and hands what it finds to a [`Sink`], and it **only answers when it is sure**: it
//! gives up (`None`) on everything but the plain form — an escape or a control character in a
//! string, a number with an exponent or more than 17 digits, a negative amount, a duplicate or
//! missing field, `null` where serde refuses it, the array form of a struct, a `portfolio`
//! field, a date [`parse_date`](super::parse_date) refuses, nesting deeper than 32, a key
//! starting with `$`. The serde reader then decides, as before.
//!
//! A purchase or an interaction in the compact layout serde_json writes (fields in their
//! declared order, no whitespace: what patron and most writers emit) is matched against its
//! keys as fixed text; in any other layout it is read key by key.
//!
//! What it walks to the end, the full parser accepts with the same values: the fields are those
//! of `Customer` and its history items, unknown keys are skipped as serde skips them (their
//! values checked as valid JSON), numbers are read as serde_json reads them (the correctly
//! rounded `f64`; an integer of at most 17 digits converts exactly), and dates by
//! [`parse_date`](super::parse_date), as the full parser reads them. (A blank id and the amounts
//! are `validate`'s, checked by each reader after the walk.)

use super::date::{parse_date, with_remembered_dates, Date, RememberedDates};
use super::shadow::{
    LightComplaint, LightContract, LightInteraction, LightPurchase, LightReceivable, Str, Window,
};
use super::text::Text;

/// `name`, `owner`, `grade`, `stage` and `region`: the record's optional strings.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum TextField {
    Name,
    Owner,
    Grade,
    Stage,
    Region,
}

/// What a reader keeps of the record the scanner walks. Each method is called at most once
/// per field, history items in input order; a method returning `None` gives the record up.
pub(super) trait Sink<'a> {
    /// The record's id (not yet checked for blankness).
    fn id(&mut self, id: &'a str);
    /// One of the optional strings, `None` for `null`.
    fn text(&mut self, field: TextField, value: Option<&'a str>);
    /// `grade_since`.
    fn grade_since(&mut self, _at: Option<Date>) {}
    /// The raw JSON of `attributes` (an object, checked).
    fn attributes(&mut self, _raw: &'a str) -> Option<()> {
        Some(())
    }
    /// The raw JSON of `prospect` (an object, checked), or `None` for `null`.
    fn prospect(&mut self, _raw: Option<&'a str>) -> Option<()> {
        Some(())
    }
    /// A purchase.
    fn purchase(&mut self, window: &Window, purchase: LightPurchase);
    /// An interaction.
    fn interaction(&mut self, _window: &Window, _interaction: LightInteraction<Text<'a>>) {}
    /// A complaint.
    fn complaint(&mut self, _window: &Window, _complaint: LightComplaint) {}
    /// A receivable.
    fn receivable(&mut self, window: &Window, receivable: LightReceivable);
    /// A contract.
    fn contract(&mut self, _window: &Window, _contract: LightContract) {}
}

/// Walks `text`, one JSON Lines record, into `sink` as of `window`; `Some` when the scanner
/// is sure the full parser reads the record (before `validate`) as the sink was told.
pub(super) fn walk_record<'a>(
    text: &'a str,
    window: &Window,
    sink: &mut impl Sink<'a>,
) -> Option<()> {
    with_remembered_dates(|dates| {
        let mut scanner = Scanner {
            text,
            bytes: text.as_bytes(),
            at: 0,
            dates,
        };
        scanner.record(window, sink)?;
        scanner.whitespace();
        (scanner.at == scanner.bytes.len()).then_some(())
    })
}

/// Nesting allowed inside attributes and unknown fields before the scanner gives up (serde_json's
/// own limit is 128).
const MAX_DEPTH: usize = 32;

/// A cursor over the record's bytes. Every method returns `None` where the scanner is not
/// sure, and the whole record is then left to serde.
struct Scanner<'a, 'd> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    /// The thread's remembered plain dates, looked up once for the record.
    dates: &'d RememberedDates,
}

impl<'a> Scanner<'a, '_> {
    /// JSON's whitespace (serde_json's: space, tab, line feed, carriage return).
    fn whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    /// The next byte after whitespace, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.whitespace();
        self.bytes.get(self.at).copied()
    }

    /// Consumes `byte` (after whitespace) or gives up.
    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// Consumes `byte` (after whitespace) if it is next.
    fn eat(&mut self, byte: u8) -> bool {
        let next = self.peek() == Some(byte);
        self.at += usize::from(next);
        next
    }

    /// A string without escapes or control characters, its text.
    fn string(&mut self) -> Option<&'a str> {
        self.expect(b'"')?;
        self.string_body()
    }

    /// The rest of a string whose opening quote is consumed: its text, up to and past its
    /// closing quote, when it has no escapes or control characters.
    // Always inlined, as `special_byte`: it runs for every key and text of a record, and
    // the call's frame was a quarter of its cost (2,000 records: 251.0 M → 244.8 M
    // instructions with both inlined).
    #[inline(always)]
    fn string_body(&mut self) -> Option<&'a str> {
        let start = self.at;
        let end = start + special_byte(&self.bytes[start..])?;
        if self.bytes[end] != b'"' {
            return None;
        }
        self.at = end + 1;
        // The line is UTF-8 and the quotes are ASCII: both ends are character boundaries.
        self.text.get(start..end)
    }

    /// `null` (consumed) or not (nothing consumed).
    fn null(&mut self) -> bool {
        self.literal(b"null")
    }

    fn literal(&mut self, word: &[u8]) -> bool {
        self.whitespace();
        let found = self.bytes[self.at..].starts_with(word);
        self.at += if found { word.len() } else { 0 };
        found
    }

    /// `true` or `false`.
    fn boolean(&mut self) -> Option<bool> {
        if self.literal(b"true") {
            Some(true)
        } else if self.literal(b"false") {
            Some(false)
        } else {
            None
        }
    }

    /// A string or `null`.
    fn optional_string(&mut self) -> Option<Option<&'a str>> {
        if self.null() {
            Some(None)
        } else {
            self.string().map(Some)
        }
    }

    /// `true`, `false` or `null`.
    fn optional_boolean(&mut self) -> Option<Option<bool>> {
        if self.null() {
            Some(None)
        } else {
            self.boolean().map(Some)
        }
    }

    /// A date as a string, read as the full parser reads it.
    fn date(&mut self) -> Option<Date> {
        // `"YYYY-MM-DD"` read where it is: ten digits and dashes hold no escape, and
        // `RememberedDates::read` reads them as `parse_date` reads their text.
        self.whitespace();
        if let Some([b'"', body @ .., b'"']) = self.bytes.get(self.at..self.at + 12) {
            let body: Option<&[u8; 10]> = body.try_into().ok();
            if let Some(date) = body.and_then(|body| self.dates.read(body)) {
                self.at += 12;
                return Some(date);
            }
        }
        parse_date(self.string()?).ok()
    }

    /// A date or `null`.
    fn optional_date(&mut self) -> Option<Option<Date>> {
        if self.null() {
            Some(None)
        } else {
            self.date().map(Some)
        }
    }

    /// A JSON number of at most 17 digits without an exponent, as its text.
    fn number_text(&mut self) -> Option<&'a str> {
        self.whitespace();
        let start = self.at;
        self.at += usize::from(self.bytes.get(self.at) == Some(&b'-'));
        let digits_start = self.at;
        let integer = self.digits();
        // JSON: no leading zero before more digits, at least one digit.
        if integer == 0 || (integer > 1 && self.bytes[digits_start] == b'0') {
            return None;
        }
        let mut count = integer;
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            let fraction = self.digits();
            if fraction == 0 {
                return None;
            }
            count += fraction;
        }
        if count > 17 || matches!(self.bytes.get(self.at), Some(b'e' | b'E')) {
            return None;
        }
        self.text.get(start..self.at)
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while self.bytes.get(self.at).is_some_and(u8::is_ascii_digit) {
            self.at += 1;
        }
        self.at - start
    }

    /// An amount: a number that is not negative, as serde_json reads it into an `f64` (the
    /// correctly rounded value; an integer of at most 17 digits converts exactly).
    fn amount(&mut self) -> Option<f64> {
        let text = self.number_text()?;
        if text.starts_with('-') {
            return None;
        }
        decimal_value(text)
    }

    /// Any JSON value, checked and skipped (`depth` levels already open).
    fn value(&mut self, depth: usize) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' => {
                let depth = depth.checked_add(1).filter(|d| *d <= MAX_DEPTH)?;
                self.at += 1;
                self.entries(|scanner, _| scanner.value(depth))
            }
            b'[' => {
                let depth = depth.checked_add(1).filter(|d| *d <= MAX_DEPTH)?;
                self.at += 1;
                self.elements(|scanner| scanner.value(depth))
            }
            b't' | b'f' => self.boolean().map(drop),
            b'n' => self.null().then_some(()),
            _ => self.number_text().map(drop),
        }
    }

    /// A history item in the layout nearly every writer gives it (serde_json's compact form,
    /// fields in their declared order, as patron writes them): `read` matches the item's keys
    /// as fixed text (see [`Scanner::fixed`]) instead of scanning and comparing each. When it
    /// does not match, nothing is consumed and the item is read key by key, which reads any
    /// item `read` reads with the same values.
    #[inline]
    fn plain<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        let start = self.at;
        let found = read(self);
        if found.is_none() {
            self.at = start;
        }
        found
    }

    /// Consumes `text` if it comes next, exactly (no whitespace skipped).
    #[inline]
    fn fixed(&mut self, text: &[u8]) -> Option<()> {
        let found = self.bytes.get(self.at..self.at + text.len()) == Some(text);
        self.at += if found { text.len() } else { 0 };
        found.then_some(())
    }

    /// The entries of an object whose `{` is consumed, up to its `}`: `entry` reads each value
    /// given its key. A key starting with `$` (serde_json's raw values) is left to serde.
    fn entries(&mut self, mut entry: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        if self.eat(b'}') {
            return Some(());
        }
        loop {
            let key = self.string()?;
            if key.starts_with('$') {
                return None;
            }
            self.expect(b':')?;
            entry(self, key)?;
            if self.eat(b'}') {
                return Some(());
            }
            self.expect(b',')?;
        }
    }

    /// The elements of an array whose `[` is consumed, up to its `]`.
    fn elements(&mut self, mut element: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        if self.eat(b']') {
            return Some(());
        }
        loop {
            element(self)?;
            if self.eat(b']') {
                return Some(());
            }
            self.expect(b',')?;
        }
    }

    /// An array of objects, each read by `item` (the array form of a struct is left to serde).
    fn items(&mut self, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.expect(b'[')?;
        self.elements(|scanner| {
            scanner.expect(b'{')?;
            item(scanner)
        })
    }

    /// The record: `Customer`'s fields, each at most once.
    fn record(&mut self, window: &Window, sink: &mut impl Sink<'a>) -> Option<()> {
        self.expect(b'{')?;
        let mut seen = Seen::default();
        self.entries(|scanner, key| {
            match key {
                "id" => {
                    seen.first(0)?;
                    let id = scanner.string()?;
                    sink.id(id);
                }
                "name" => {
                    seen.first(1)?;
                    sink.text(TextField::Name, scanner.optional_string()?);
                }
                "owner" => {
                    seen.first(2)?;
                    sink.text(TextField::Owner, scanner.optional_string()?);
                }
                "grade" => {
                    seen.first(3)?;
                    sink.text(TextField::Grade, scanner.optional_string()?);
                }
                "stage" => {
                    seen.first(4)?;
                    sink.text(TextField::Stage, scanner.optional_string()?);
                }
                "region" => {
                    seen.first(5)?;
                    sink.text(TextField::Region, scanner.optional_string()?);
                }
                "grade_since" => {
                    seen.first(6)?;
                    let at = scanner.optional_date()?;
                    sink.grade_since(at);
                }
                "attributes" => {
                    seen.first(7)?;
                    let start = scanner.start_of(b'{')?;
                    scanner.entries(|scanner, _| scanner.value(1))?;
                    sink.attributes(&scanner.text[start..scanner.at])?;
                }
                "prospect" => {
                    seen.first(8)?;
                    if scanner.null() {
                        sink.prospect(None)?;
                    } else {
                        let start = scanner.start_of(b'{')?;
                        scanner.prospect()?;
                        sink.prospect(Some(&scanner.text[start..scanner.at]))?;
                    }
                }
                "purchases" => {
                    seen.first(9)?;
                    scanner.items(|scanner| {
                        let purchase = scanner.purchase()?;
                        sink.purchase(window, purchase);
                        Some(())
                    })?;
                }
                "interactions" => {
                    seen.first(10)?;
                    scanner.items(|scanner| {
                        let interaction = scanner.interaction()?;
                        sink.interaction(window, interaction);
                        Some(())
                    })?;
                }
                "complaints" => {
                    seen.first(11)?;
                    scanner.items(|scanner| {
                        let complaint = scanner.complaint()?;
                        sink.complaint(window, complaint);
                        Some(())
                    })?;
                }
                "receivables" => {
                    seen.first(12)?;
                    scanner.items(|scanner| {
                        let receivable = scanner.receivable()?;
                        sink.receivable(window, receivable);
                        Some(())
                    })?;
                }
                "contracts" => {
                    seen.first(13)?;
                    scanner.items(|scanner| {
                        let contract = scanner.contract()?;
                        sink.contract(window, contract);
                        Some(())
                    })?;
                }
                // Given portfolio facts have a shape of their own: serde reads them.
                "portfolio" => return None,
                _ => scanner.value(0)?,
            }
            Some(())
        })?;
        // `id` is required.
        seen.has(0).then_some(())
    }

    /// Consumes `byte` (after whitespace) and gives its position.
    fn start_of(&mut self, byte: u8) -> Option<usize> {
        self.expect(byte)?;
        Some(self.at - 1)
    }

    /// `Prospect`'s fields (its `{` consumed).
    fn prospect(&mut self) -> Option<()> {
        let mut seen = Seen::default();
        self.entries(|scanner, key| {
            match key {
                "money" | "authority" | "need" => {
                    seen.first(match key {
                        "money" => 0,
                        "authority" => 1,
                        _ => 2,
                    })?;
                    scanner.optional_boolean()?;
                }
                "intent" => {
                    seen.first(3)?;
                    scanner.optional_string()?;
                }
                "expected_purchase_at" => {
                    seen.first(4)?;
                    scanner.optional_date()?;
                }
                "objections" => {
                    seen.first(5)?;
                    scanner.expect(b'[')?;
                    scanner.elements(|scanner| scanner.string().map(drop))?;
                }
                _ => scanner.value(1)?,
            }
            Some(())
        })
    }

    /// `Purchase`'s fields (its `{` consumed).
    fn purchase(&mut self) -> Option<LightPurchase> {
        if let Some(purchase) = self.plain(|scanner| {
            scanner.fixed(b"\"at\":")?;
            let at = scanner.date()?;
            scanner.fixed(b",\"amount\":")?;
            let amount = scanner.amount()?;
            scanner.fixed(b"}")?;
            Some(LightPurchase { at, amount })
        }) {
            return Some(purchase);
        }
        let (mut at, mut amount) = (None, None);
        self.entries(|scanner, key| {
            match key {
                "at" if at.is_none() => at = Some(scanner.date()?),
                "amount" if amount.is_none() => amount = Some(scanner.amount()?),
                "at" | "amount" => return None,
                _ => scanner.value(2)?,
            }
            Some(())
        })?;
        Some(LightPurchase {
            at: at?,
            amount: amount?,
        })
    }

    /// `Interaction`'s fields (its `{` consumed).
    fn interaction(&mut self) -> Option<LightInteraction<Text<'a>>> {
        if let Some(interaction) = self.plain(|scanner| {
            scanner.fixed(b"\"at\":")?;
            let at = scanner.date()?;
            scanner.fixed(b",\"kind\":\"")?;
            let kind = scanner.string_body()?;
            scanner.fixed(b",\"outcome\":")?;
            let outcome = match scanner.fixed(b"\"") {
                Some(()) => Some(scanner.string_body()?),
                None => scanner.fixed(b"null").map(|()| None)?,
            };
            scanner.fixed(b"}")?;
            Some(LightInteraction {
                at,
                kind: Text::borrowed(kind),
                outcome: outcome.map(|_| Str),
            })
        }) {
            return Some(interaction);
        }
        let (mut at, mut kind, mut outcome) = (None, None, None);
        self.entries(|scanner, key| {
            match key {
                "at" if at.is_none() => at = Some(scanner.date()?),
                "kind" if kind.is_none() => kind = Some(scanner.string()?),
                "outcome" if outcome.is_none() => outcome = Some(scanner.optional_string()?),
                "at" | "kind" | "outcome" => return None,
                _ => scanner.value(2)?,
            }
            Some(())
        })?;
        Some(LightInteraction {
            at: at?,
            kind: Text::borrowed(kind?),
            outcome: outcome.flatten().map(|_| Str),
        })
    }

    /// `Complaint`'s fields (its `{` consumed).
    fn complaint(&mut self) -> Option<LightComplaint> {
        let (mut at, mut resolved) = (None, None);
        self.entries(|scanner, key| {
            match key {
                "at" if at.is_none() => at = Some(scanner.date()?),
                "resolved" if resolved.is_none() => resolved = Some(scanner.boolean()?),
                "at" | "resolved" => return None,
                _ => scanner.value(2)?,
            }
            Some(())
        })?;
        Some(LightComplaint {
            at: at?,
            resolved: resolved.unwrap_or(false),
        })
    }

    /// `Receivable`'s fields (its `{` consumed).
    fn receivable(&mut self) -> Option<LightReceivable> {
        let (mut due, mut amount, mut paid) = (None, None, None);
        self.entries(|scanner, key| {
            match key {
                "due" if due.is_none() => due = Some(scanner.date()?),
                "amount" if amount.is_none() => amount = Some(scanner.amount()?),
                "paid" if paid.is_none() => paid = Some(scanner.boolean()?),
                "due" | "amount" | "paid" => return None,
                _ => scanner.value(2)?,
            }
            Some(())
        })?;
        Some(LightReceivable {
            due: due?,
            amount: amount?,
            paid: paid.unwrap_or(false),
        })
    }

    /// `Contract`'s fields (its `{` consumed).
    fn contract(&mut self) -> Option<LightContract> {
        let (mut signed_at, mut amount) = (None, None);
        self.entries(|scanner, key| {
            match key {
                "signed_at" if signed_at.is_none() => signed_at = Some(scanner.date()?),
                "amount" if amount.is_none() => {
                    amount = Some(if scanner.null() {
                        None
                    } else {
                        // Any number: a contract's amount is not `validate`'s.
                        Some(scanner.number_text()?.parse().ok()?)
                    });
                }
                "signed_at" | "amount" => return None,
                _ => scanner.value(2)?,
            }
            Some(())
        })?;
        Some(LightContract {
            signed_at: signed_at?,
            amount: amount.flatten(),
        })
    }
}

/// Where the first byte of `bytes` that ends a plain string is: a quote, a backslash or a
/// control character (below 0x20). Eight bytes are tested at a time: in each, a byte's high
/// bit is set where it equals `"` or `\` or is below 0x20. (The tests can also set a high bit
/// above a byte that matched, through the borrow, but never below the first match, and only
/// the lowest one is read.)
#[inline(always)]
fn special_byte(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x;
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let x = u64::from_le_bytes(chunk.try_into().ok()?);
        let quote = zero_byte(x ^ (ONES * u64::from(b'"')));
        let backslash = zero_byte(x ^ (ONES * u64::from(b'\\')));
        let control = x.wrapping_sub(ONES * 0x20) & !x;
        let found = (quote | backslash | control) & HIGH;
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    bytes[at..]
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|n| at + n)
}

/// The `f64` nearest to `text`, a decimal of at most 17 digits (digits, then optionally a
/// point and digits), as serde_json and the standard library read it. By Clinger's fast path
/// when the digits as an integer are below 2⁵³ and at most 22 follow the point: that integer
/// and the power of ten are then exact doubles, and their quotient is rounded once, to the
/// double nearest to the decimal. Otherwise by the standard library's parser.
fn decimal_value(text: &str) -> Option<f64> {
    const POWERS_OF_TEN: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let (mut digits, mut after_point, mut point) = (0u64, 0usize, false);
    for &byte in text.as_bytes() {
        if byte == b'.' {
            point = true;
            continue;
        }
        // At most 17 digits: below 10¹⁷, no overflow.
        digits = digits * 10 + u64::from(byte.wrapping_sub(b'0'));
        after_point += usize::from(point);
    }
    match POWERS_OF_TEN.get(after_point) {
        Some(power) if digits < 1 << 53 => Some(digits as f64 / power),
        _ => text.parse().ok(),
    }
}

/// The fields of a struct read so far, by number (serde refuses a field given twice).
#[derive(Default)]
struct Seen(u32);

impl Seen {
    /// Marks field `n`; `None` if it was already there.
    fn first(&mut self, n: u32) -> Option<()> {
        let bit = 1 << n;
        let new = self.0 & bit == 0;
        self.0 |= bit;
        new.then_some(())
    }

    fn has(&self, n: u32) -> bool {
        self.0 & (1 << n) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::special_byte;

    /// Decimals of up to 17 digits read as the standard library reads them (serde_json reads
    /// them alike), on both sides of 2⁵³ and with up to 17 digits after the point.
    #[test]
    fn reads_decimals_as_the_standard_library_does() {
        use proptest::prelude::*;
        let check = |text: &str| {
            assert_eq!(
                super::decimal_value(text).map(f64::to_bits),
                text.parse::<f64>().ok().map(f64::to_bits),
                "{text}"
            );
        };
        for text in [
            "0",
            "0.0",
            "1",
            "0.1",
            "0.2",
            "0.3",
            "9007199254740992",
            "9007199254740993",
            "99999999999999999",
            "0.00000000000000001",
            "1208562.58",
            "123456789.12345678",
        ] {
            check(text);
        }
        for n in 0..200_000u64 {
            check(&format!("{}.{:02}", n / 100, n % 100));
        }
        proptest!(ProptestConfig { cases: 20_000, failure_persistence: None, ..ProptestConfig::default() },
        |(digits in "[1-9][0-9]{0,16}", point in 0usize..17)| {
            let point = point.min(digits.len() - 1);
            let (whole, fraction) = digits.split_at(digits.len() - point);
            let text = if fraction.is_empty() { whole.to_string() } else { format!("{whole}.{fraction}") };
            check(&text);
            check(&format!("0.{digits}"));
        });
    }

    /// Against a plain search, for every special byte at every place of lines up to 40 long,
    /// with the bytes around it plain, multi-byte or DEL (not special).
    #[test]
    fn finds_the_first_special_byte_as_a_plain_search_does() {
        let plain = |bytes: &[u8]| {
            bytes
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        };
        for filler in [b'a', 0x7f, 0xc3, 0xff, b' '] {
            for length in 0..40 {
                let base = vec![filler; length];
                assert_eq!(special_byte(&base), plain(&base));
                for at in 0..length {
                    for special in (0u8..0x20).chain([b'"', b'\\']) {
                        let mut bytes = base.clone();
                        bytes[at] = special;
                        // A second special byte later never hides the first.
                        if at + 3 < length {
                            bytes[at + 3] = b'"';
                        }
                        assert_eq!(
                            special_byte(&bytes),
                            Some(at),
                            "{special:#x} at {at} of {length}"
                        );
                        assert_eq!(special_byte(&bytes), plain(&bytes));
                    }
                }
            }
        }
    }
}
