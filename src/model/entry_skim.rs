//! The first pass's fast path: a record in the plain form nearly every record has, read by a
//! small scanner of patron's own into its [`PortfolioEntry`], without serde.
//!
//! [`entry_scan`](super::entry_scan) reads a record through serde_json with a shadow of
//! [`Customer`](super::Customer)'s shape, so that it accepts exactly what the full parser
//! accepts. That is exact but slow for what the first pass keeps (five numbers and three
//! strings): serde_json checks every key and string a byte at a time through its visitor
//! machinery. This scanner reads the same shape directly, and **only answers when it is sure**:
//! it returns an entry for a record that is plainly valid and `None` for everything else —
//! an escape in a string, a number with an exponent or more than 17 digits, a negative amount,
//! a duplicate or missing field, `null` where serde refuses it, the array form of a struct,
//! a `portfolio` field, a date not in the plain or RFC 3339 form, nesting deeper than 32, a
//! key starting with `$`, a blank id. For those the serde reader decides, as before.
//!
//! What it accepts, the full parser accepts with the same entry, bit for bit: the fields are
//! those of `Customer` and its history items, unknown keys are skipped as serde skips them
//! (their values checked as valid JSON), numbers are read as serde_json reads them (the
//! shortest correctly rounded `f64`; integers of at most 17 digits convert exactly), dates by
//! [`parse_date`](super::parse_date) as the full parser reads them, and the purchases and
//! receivables folded by the same [`Fold`]s in input order. The tests of `entry_scan` check
//! every record of their corpus and of their generators through both readers.

use super::date::{parse_date, Date};
use super::entry_scan::{Purchases, Receivables};
use super::portfolio_index::{EntryNumbers, PortfolioEntry};
use super::shadow::{Fold, LightPurchase, LightReceivable, Window};

/// The entry of `text` (one JSON Lines record) as of `as_of`, when the scanner is sure the
/// full parser accepts it; `None` when it is not sure (the serde reader then decides).
pub(super) fn skim_record(text: &str, as_of: Date) -> Option<PortfolioEntry> {
    let window = Window::new(as_of);
    let mut scanner = Scanner {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    let record = scanner.record(&window)?;
    scanner.whitespace();
    if scanner.at != scanner.bytes.len() {
        return None;
    }
    let Record {
        id,
        owner,
        grade,
        purchases,
        receivables,
    } = record;
    // As `validate`: a non-blank id (amounts are never negative or infinite here).
    if id.trim().is_empty() {
        return None;
    }
    let numbers = EntryNumbers {
        revenue_365: purchases.revenue_365,
        collected_365: (purchases.revenue_365 - receivables.unpaid_total).max(0.0),
        purchases_365: purchases.purchases_365,
        days_since_purchase: purchases.last_purchase_at.map(|at| (as_of - at).num_days()),
    };
    Some(PortfolioEntry::from_numbers(
        id.to_owned(),
        owner.map(str::to_owned),
        grade.map(str::to_owned),
        &numbers,
    ))
}

/// What the entry keeps of a record.
struct Record<'a> {
    id: &'a str,
    owner: Option<&'a str>,
    grade: Option<&'a str>,
    purchases: Purchases,
    receivables: Receivables,
}

/// Nesting allowed inside attributes and unknown fields before the scanner gives up (serde_json's
/// own limit is 128).
const MAX_DEPTH: usize = 32;

/// A cursor over the record's bytes. Every method returns `None` where the scanner is not
/// sure, and the whole record is then left to serde.
struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Scanner<'a> {
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
        text.parse().ok()
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
    fn record(&mut self, window: &Window) -> Option<Record<'a>> {
        self.expect(b'{')?;
        let mut seen = Seen::default();
        let mut id = None;
        let (mut owner, mut grade) = (None, None);
        let mut purchases = Purchases::start();
        let mut receivables = Receivables::start();
        self.entries(|scanner, key| {
            match key {
                "id" => {
                    seen.first(0)?;
                    id = Some(scanner.string()?);
                }
                "name" | "stage" | "region" => {
                    seen.first(match key {
                        "name" => 1,
                        "stage" => 2,
                        _ => 3,
                    })?;
                    scanner.optional_string()?;
                }
                "owner" => {
                    seen.first(4)?;
                    owner = scanner.optional_string()?;
                }
                "grade" => {
                    seen.first(5)?;
                    grade = scanner.optional_string()?;
                }
                "grade_since" => {
                    seen.first(6)?;
                    scanner.optional_date()?;
                }
                "attributes" => {
                    seen.first(7)?;
                    scanner.expect(b'{')?;
                    scanner.entries(|scanner, _| scanner.value(1))?;
                }
                "prospect" => {
                    seen.first(8)?;
                    if !scanner.null() {
                        scanner.prospect()?;
                    }
                }
                "purchases" => {
                    seen.first(9)?;
                    scanner.items(|scanner| {
                        let purchase = scanner.purchase()?;
                        purchases.add(window, purchase);
                        Some(())
                    })?;
                }
                "interactions" => {
                    seen.first(10)?;
                    scanner.items(Scanner::interaction)?;
                }
                "complaints" => {
                    seen.first(11)?;
                    scanner.items(Scanner::complaint)?;
                }
                "receivables" => {
                    seen.first(12)?;
                    scanner.items(|scanner| {
                        let receivable = scanner.receivable()?;
                        receivables.add(window, receivable);
                        Some(())
                    })?;
                }
                "contracts" => {
                    seen.first(13)?;
                    scanner.items(Scanner::contract)?;
                }
                // Given portfolio facts have a shape of their own: serde reads them.
                "portfolio" => return None,
                _ => scanner.value(0)?,
            }
            Some(())
        })?;
        Some(Record {
            id: id?,
            owner,
            grade,
            purchases,
            receivables,
        })
    }

    /// `Prospect`'s fields (its `{` next).
    fn prospect(&mut self) -> Option<()> {
        self.expect(b'{')?;
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
    fn interaction(&mut self) -> Option<()> {
        let mut seen = Seen::default();
        self.entries(|scanner, key| {
            match key {
                "at" => {
                    seen.first(0)?;
                    scanner.date()?;
                }
                "kind" => {
                    seen.first(1)?;
                    scanner.string()?;
                }
                "outcome" => {
                    seen.first(2)?;
                    scanner.optional_string()?;
                }
                _ => scanner.value(2)?,
            }
            Some(())
        })?;
        // `at` and `kind` are required.
        seen.has(0).then_some(())?;
        seen.has(1).then_some(())
    }

    /// `Complaint`'s fields (its `{` consumed).
    fn complaint(&mut self) -> Option<()> {
        let mut seen = Seen::default();
        self.entries(|scanner, key| {
            match key {
                "at" => {
                    seen.first(0)?;
                    scanner.date()?;
                }
                "resolved" => {
                    seen.first(1)?;
                    scanner.boolean()?;
                }
                _ => scanner.value(2)?,
            }
            Some(())
        })?;
        seen.has(0).then_some(())
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
    fn contract(&mut self) -> Option<()> {
        let mut seen = Seen::default();
        self.entries(|scanner, key| {
            match key {
                "signed_at" => {
                    seen.first(0)?;
                    scanner.date()?;
                }
                "amount" => {
                    seen.first(1)?;
                    if !scanner.null() {
                        scanner.number_text()?;
                    }
                }
                _ => scanner.value(2)?,
            }
            Some(())
        })?;
        seen.has(0).then_some(())
    }
}

/// Where the first byte of `bytes` that ends a plain string is: a quote, a backslash or a
/// control character (below 0x20). Eight bytes are tested at a time: in each, a byte's high
/// bit is set where it equals `"` or `\` or is below 0x20. (The tests can also set a high bit
/// above a byte that matched, through the borrow, but never below the first match, and only
/// the lowest one is read.)
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
