//! The first pass of a stream without building customers: one JSON Lines record read straight
//! into its [`PortfolioEntry`] (id, owner, grade, revenue and collected revenue in the last 365
//! days, purchases in them, days since the last purchase), with no history kept.
//!
//! The record is read by a shadow of [`Customer`]'s serde shape: the same fields in the same
//! order with the same attributes (so the same duplicate, missing and unknown fields, and the
//! same array form of a struct), but strings that the entry does not need are checked, not
//! copied, and purchases and receivables are folded into sums as they are read. Every field
//! is *checked* as the full parser checks it, not skipped with
//! [`IgnoredAny`](serde::de::IgnoredAny): the index must count exactly the records that the
//! evaluating pass parses, because portfolio facts are addressed by the ordinal among them.
//! A record is accepted here if and only if [`parse_line`](super::parse_line) gives a customer
//! (with [`validate`](super::parse::validate)'s checks: a non-blank id, finite non-negative
//! amounts), and then its entry equals [`PortfolioEntry::new`] of that customer, bit for bit
//! (sums are taken in input order, from zero, as [`Facts::derive`](super::Facts::derive)
//! takes them).
//!
//! Most records never reach serde here: [`entry_skim`](super::entry_skim) reads a record in
//! the plain form nearly every record has, and answers only when it is sure; the rest is read
//! as above.
//!
//! What is *not* built: purchases, interactions, complaints, receivables, contracts, names,
//! stages, regions, the prospect and the attributes (a record of the 1 M benchmark file has
//! ~35 history items; the full parser allocates each of them and its strings).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::date::{deserialize_opt_date, Date};
use super::entry_skim::skim_record;
use super::portfolio::PortfolioFacts;
use super::portfolio_index::{EntryNumbers, PortfolioEntry};
use super::shadow::{
    refused_amount, Fold, Folded, Items, LightComplaint, LightContract, LightInteraction,
    LightPurchase, LightReceivable, Str, Window, WindowGuard,
};

/// Reads line `text` of JSON Lines input as the first pass needs it, as of `as_of`: `None`
/// for a blank line (no record, as [`parse_line`](super::parse_line)), `Some(None)` for a
/// record the full parser rejects, `Some(Some(entry))` for one it accepts.
pub(crate) fn scan_line(text: &str, as_of: Date) -> Option<Option<PortfolioEntry>> {
    if text.trim().is_empty() {
        return None;
    }
    Some(scan_record(text, as_of))
}

/// The entry of a non-blank line: by the fast path when it is sure, else through serde.
fn scan_record(text: &str, as_of: Date) -> Option<PortfolioEntry> {
    skim_record(text, as_of).or_else(|| scan_record_by_serde(text, as_of))
}

/// The entry of a non-blank line read by serde_json through the shadow of `Customer`.
fn scan_record_by_serde(text: &str, as_of: Date) -> Option<PortfolioEntry> {
    // As `parse_record`: the first character decides before serde does.
    if !text.trim_start().starts_with('{') {
        return None;
    }
    let _window = WindowGuard::set(as_of);
    let record: LightCustomer = serde_json::from_str(text).ok()?;
    entry_of(
        record.id,
        record.owner,
        record.grade,
        &record.purchases.0,
        &record.receivables.0,
        as_of,
    )
}

/// The entry of a record read by either reader: `None` when `validate` refuses it (a blank
/// id, an amount not finite or negative), else its numbers from the folded purchases and
/// receivables.
pub(super) fn entry_of(
    id: String,
    owner: Option<String>,
    grade: Option<String>,
    purchases: &Purchases,
    receivables: &Receivables,
    as_of: Date,
) -> Option<PortfolioEntry> {
    if id.trim().is_empty() || purchases.bad_amount || receivables.bad_amount {
        return None;
    }
    let numbers = EntryNumbers {
        revenue_365: purchases.revenue_365,
        collected_365: (purchases.revenue_365 - receivables.unpaid_total).max(0.0),
        purchases_365: purchases.purchases_365,
        days_since_purchase: purchases
            .last_purchase_at
            .map(|at| super::date::days_between(at, as_of)),
    };
    Some(PortfolioEntry::from_numbers(id, owner, grade, &numbers))
}

/// [`Customer`](super::Customer)'s shape, field for field and attribute for attribute.
#[derive(Deserialize)]
#[allow(dead_code)] // Fields read only to check them, as the full parser reads them.
struct LightCustomer {
    id: String,
    #[serde(default)]
    name: Option<Str>,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    grade: Option<String>,
    #[serde(default, deserialize_with = "deserialize_opt_date")]
    grade_since: Option<Date>,
    #[serde(default)]
    stage: Option<Str>,
    #[serde(default)]
    region: Option<Str>,
    #[serde(default)]
    attributes: Attributes,
    #[serde(default)]
    prospect: Option<LightProspect>,
    #[serde(default)]
    purchases: Folded<Purchases>,
    #[serde(default)]
    interactions: Items<LightInteraction>,
    #[serde(default)]
    complaints: Items<LightComplaint>,
    #[serde(default)]
    receivables: Folded<Receivables>,
    #[serde(default)]
    contracts: Items<LightContract>,
    #[serde(default)]
    portfolio: Option<PortfolioFacts>,
}

/// [`Prospect`](super::Prospect)'s shape.
#[derive(Deserialize)]
#[allow(dead_code)]
struct LightProspect {
    #[serde(default)]
    money: Option<bool>,
    #[serde(default)]
    authority: Option<bool>,
    #[serde(default)]
    need: Option<bool>,
    #[serde(default)]
    intent: Option<Str>,
    #[serde(default, deserialize_with = "deserialize_opt_date")]
    expected_purchase_at: Option<Date>,
    #[serde(default)]
    objections: Items<Str>,
}

/// Purchases folded as [`Facts::derive`](super::Facts::derive) folds them into the entry's
/// numbers, in input order (also by the fast path, [`entry_skim`](super::entry_skim)).
#[derive(Default)]
pub(super) struct Purchases {
    revenue_365: f64,
    purchases_365: i64,
    last_purchase_at: Option<Date>,
    /// An amount `validate` refuses (not finite, or negative), dated whenever.
    bad_amount: bool,
}

impl Fold for Purchases {
    type Item<'de> = LightPurchase;
    const FIELD: &'static str = "purchases";

    fn add(&mut self, window: &Window, purchase: LightPurchase) {
        self.bad_amount |= refused_amount(purchase.amount);
        if purchase.at <= window.as_of {
            self.last_purchase_at = Some(
                self.last_purchase_at
                    .map_or(purchase.at, |last| last.max(purchase.at)),
            );
            if purchase.at > window.year_start {
                self.purchases_365 += 1;
                self.revenue_365 += purchase.amount;
            }
        }
    }
}

/// Receivables folded into the unpaid total, in input order.
#[derive(Default)]
pub(super) struct Receivables {
    unpaid_total: f64,
    bad_amount: bool,
}

impl Fold for Receivables {
    type Item<'de> = LightReceivable;
    const FIELD: &'static str = "receivables";

    fn add(&mut self, _: &Window, receivable: LightReceivable) {
        self.bad_amount |= refused_amount(receivable.amount);
        if !receivable.paid {
            self.unpaid_total += receivable.amount;
        }
    }
}

/// Where `attributes` (a `BTreeMap<String, serde_json::Value>`) goes: a JSON object whose
/// values are checked as `serde_json::Value` reads them.
#[derive(Default)]
struct Attributes;

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AttributesVisitor;
        impl<'de> Visitor<'de> for AttributesVisitor {
            type Value = Attributes;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Attributes, A::Error> {
                while map.next_entry::<Str, AnyValue>()?.is_some() {}
                Ok(Attributes)
            }
        }
        deserializer.deserialize_map(AttributesVisitor)
    }
}

/// The key by which `serde_json::Value` recognises a raw value written as a map (feature
/// `raw_value`): its value must be a string, which is then read as JSON.
const RAW_VALUE_KEY: &str = "$serde_json::private::RawValue";

/// Where a `serde_json::Value` goes: any JSON, checked as `Value`'s own visitor checks it
/// (numbers converted, so `1e400` is refused as there, where `IgnoredAny` would let it by).
struct AnyValue;

impl<'de> Deserialize<'de> for AnyValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AnyValueVisitor)
    }
}

struct AnyValueVisitor;

impl<'de> Visitor<'de> for AnyValueVisitor {
    type Value = AnyValue;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any valid JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }
    fn visit_i64<E>(self, _: i64) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<AnyValue, E> {
        // As `Value`: only what fits a JSON number of serde_json's.
        if i64::try_from(v).is_ok() || u64::try_from(v).is_ok() {
            Ok(AnyValue)
        } else {
            Err(E::custom("JSON number out of range"))
        }
    }
    fn visit_u64<E>(self, _: u64) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<AnyValue, E> {
        if u64::try_from(v).is_ok() {
            Ok(AnyValue)
        } else {
            Err(E::custom("JSON number out of range"))
        }
    }
    fn visit_f64<E>(self, _: f64) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }
    fn visit_str<E>(self, _: &str) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }
    fn visit_none<E>(self) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<AnyValue, D::Error> {
        AnyValue::deserialize(deserializer)
    }
    fn visit_unit<E>(self) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<AnyValue, A::Error> {
        while seq.next_element::<AnyValue>()?.is_some() {}
        Ok(AnyValue)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AnyValue, A::Error> {
        let Some(first) = map.next_key::<Cow<'de, str>>()? else {
            return Ok(AnyValue);
        };
        if first == RAW_VALUE_KEY {
            // `Value` reads the string and parses it as JSON, and reads no further entry.
            let raw = map.next_value::<Cow<'de, str>>()?;
            return serde_json::from_str::<AnyValue>(&raw)
                .map_err(de::Error::custom)
                .map(|_| AnyValue);
        }
        map.next_value::<AnyValue>()?;
        while map.next_entry::<Str, AnyValue>()?.is_some() {}
        Ok(AnyValue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::scan_corpus::*;
    use crate::model::{parse_date, parse_line, Facts};
    use proptest::prelude::*;

    fn as_of() -> Date {
        parse_date("2026-11-23").unwrap()
    }

    /// What the first pass kept of `text` before: the full parser, `Facts::derive`, and
    /// `PortfolioEntry::new`.
    fn full(text: &str, as_of: Date) -> Option<Option<PortfolioEntry>> {
        parse_line(text, 1).map(|record| {
            record.result.ok().map(|customer| {
                let facts = Facts::derive(&customer, as_of);
                PortfolioEntry::new(customer, &facts)
            })
        })
    }

    /// `scan_line` accepts `text` exactly when the full parser does, with the same entry;
    /// so does each of its two readers: the serde reader always, the fast path where it answers.
    fn check_at(text: &str, as_of: Date) -> Option<Option<PortfolioEntry>> {
        let light = scan_line(text, as_of);
        let expected = full(text, as_of);
        if !text.trim().is_empty() {
            let by_serde = scan_record_by_serde(text, as_of);
            assert_eq!(Some(by_serde), expected, "serde reader: {text}");
        }
        skimmed_at(text, as_of, &expected);
        assert_eq!(
            light.as_ref().map(Option::is_some),
            expected.as_ref().map(Option::is_some),
            "accepted by one reader only: {text}\nfull parser: {:?}",
            parse_line(text, 1).map(|r| r.result.map(|c| c.id))
        );
        assert_eq!(light, expected, "{text}");
        light
    }

    fn check(text: &str) -> Option<Option<PortfolioEntry>> {
        check_at(text, as_of())
    }

    /// Whether the fast path answered for `text`; when it does, its entry is `expected`.
    fn skimmed_at(text: &str, as_of: Date, expected: &Option<Option<PortfolioEntry>>) -> bool {
        let Some(entry) = skim_record(text, as_of) else {
            return false;
        };
        assert_eq!(
            expected.as_ref().map(Option::as_ref),
            Some(Some(&entry)),
            "fast path: {text}"
        );
        true
    }

    fn skimmed(text: &str) -> bool {
        skimmed_at(text, as_of(), &full(text, as_of()))
    }

    /// The fast path answers for plain records (so that the checks above test it) and
    /// leaves the rest to serde; its entries are the full parser's.
    #[test]
    fn the_fast_path_answers_for_plain_records_as_the_full_parser_does() {
        check_fast_path(skimmed, accepted, |text| {
            check(text);
        });
    }

    fn accepted(text: &str) -> bool {
        matches!(check(text), Some(Some(_)))
    }

    #[test]
    fn a_full_record_gives_the_entry_the_customer_gives() {
        let entry = check(FULL).unwrap().unwrap();
        // The window is (as_of - 365, as_of]: 2025-11-23 and 2026-11-24 are out.
        assert_eq!(entry.frequency, 3.0);
        assert_eq!(entry.revenue, 0.1 + 0.2 + 300.0);
        assert_eq!(entry.recency, -0.0);
        assert!(accepted(r#"{"id":"x"}"#));
        assert!(accepted("  {\"id\":\"x\"}  "));
        // A struct inside may be written as an array of its fields, in order.
        assert!(accepted(
            r#"{"id":"x","purchases":[["2026-01-01", 5]],"receivables":[["2026-01-01", 1, false]]}"#
        ));
        assert_eq!(check("   "), None);
        assert_eq!(check(""), None);
    }

    #[test]
    fn records_the_full_parser_refuses_are_refused() {
        for text in REFUSED {
            assert_eq!(check(text), Some(None), "{text}");
        }
    }

    #[test]
    fn what_the_full_parser_lets_by_is_let_by() {
        for text in ACCEPTED {
            assert!(accepted(text), "{text}");
        }
    }

    /// Every value of [`FULL`] (each field, each history item, each field of one) replaced in
    /// turn by values of other types: both readers accept or refuse each, alike. A field of
    /// `Customer` that the shadow lacks would be let by here (unknown) and refused there.
    #[test]
    fn every_field_replaced_by_every_kind_of_value_is_read_alike() {
        let (mut seen_accepted, mut seen_refused) = (0, 0);
        for text in every_field_replaced() {
            match check(&text) {
                Some(Some(_)) => seen_accepted += 1,
                _ => seen_refused += 1,
            }
        }
        assert!(
            seen_accepted > 200 && seen_refused > 500,
            "{seen_accepted} {seen_refused}"
        );
    }

    /// Fails to compile when a field is added to the customer record: the shadow of this
    /// module must then have its twin (with the same serde attributes, in the same place),
    /// and the fast path (`skim`'s `Scanner::record` and its item readers) must read it
    /// too, or leave records with it to serde.
    #[test]
    fn the_shadow_has_every_field_of_the_record() {
        use crate::model::{
            Complaint, Contract, Customer, Interaction, Prospect, Purchase, Receivable,
        };
        let Customer {
            id: _,
            name: _,
            owner: _,
            grade: _,
            grade_since: _,
            stage: _,
            region: _,
            attributes: _,
            prospect: _,
            purchases: _,
            interactions: _,
            complaints: _,
            receivables: _,
            contracts: _,
            portfolio: _,
        } = Customer::default();
        let Prospect {
            money: _,
            authority: _,
            need: _,
            intent: _,
            expected_purchase_at: _,
            objections: _,
        } = Prospect::default();
        let date = as_of();
        let Purchase { at: _, amount: _ } = Purchase {
            at: date,
            amount: 0.0,
        };
        let Interaction {
            at: _,
            kind: _,
            outcome: _,
        } = Interaction {
            at: date,
            kind: String::new(),
            outcome: None,
        };
        let Complaint { at: _, resolved: _ } = Complaint {
            at: date,
            resolved: false,
        };
        let Receivable {
            due: _,
            amount: _,
            paid: _,
        } = Receivable {
            due: date,
            amount: 0.0,
            paid: false,
        };
        let Contract {
            signed_at: _,
            amount: _,
        } = Contract {
            signed_at: date,
            amount: None,
        };
    }

    /// Every customer record of the repository's examples, fixtures and policy tests.
    #[test]
    fn the_shipped_records_give_the_same_entries() {
        let mut records = 0;
        for line in &shipped_lines() {
            if check(line).is_some_and(|e| e.is_some()) {
                records += 1;
            }
            check_at(line, parse_date("2025-01-01").unwrap());
        }
        assert!(records > 100, "only {records} records found");
    }

    /// The first pass over a JSON Lines file made elsewhere (e.g. by
    /// `benches/gen_customers.py`): `PATRON_SCAN_FILE=… cargo test --release --lib
    /// entry_scan -- --ignored`.
    #[test]
    #[ignore = "needs PATRON_SCAN_FILE"]
    fn a_given_file_gives_the_same_entries() {
        use std::io::BufRead;
        let path = std::env::var("PATRON_SCAN_FILE").expect("PATRON_SCAN_FILE");
        let limit: usize = std::env::var("PATRON_SCAN_LINES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(usize::MAX);
        let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
        let mut accepted = 0;
        for line in file.lines().take(limit) {
            accepted += usize::from(matches!(check(&line.unwrap()), Some(Some(_))));
        }
        eprintln!("{accepted} records gave the same entries");
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 512,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Generated records: the same entry, bit for bit, as of dates around their own.
        #[test]
        fn generated_records_give_the_same_entries(text in record(), shift in -400i64..400) {
            check(&text);
            check_at(&text, crate::model::add_days(as_of(), shift).unwrap());
        }

        /// Records broken at random (a cut, a token put in, a byte changed) are accepted by
        /// the scan exactly when the full parser accepts them.
        #[test]
        fn broken_records_are_refused_exactly_as_the_full_parser_refuses_them(
            base in prop_oneof![Just(FULL.to_string()), record()],
            edits in prop::collection::vec((0usize..10_000, 0usize..TOKENS.len(), 0u8..4, 0usize..8), 1..4),
        ) {
            if let Some(text) = broken(base, edits) {
                check(&text);
            }
        }
    }
}
