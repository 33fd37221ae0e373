//! The evaluating pass of a stream without building histories: one JSON Lines record read into a
//! [`Customer`] whose history lists stay empty, and the [`Facts`] of those histories as of a date,
//! folded as the items are read.
//!
//! Scripts never see a raw history: they read the facts, and the record's own fields (the view
//! copies the record without its histories); the portfolio index, the record hash and the
//! vocabulary checks read the id, owner, grade, stage and region. So the full parser's work of
//! building every purchase, interaction (with its `kind` and `outcome` strings), complaint,
//! receivable and contract, for [`Facts::derive`] to walk once and drop, is skipped: each item is
//! read into a shadow of its type ([`shadow`](super::shadow): the same fields and serde attributes,
//! strings checked and not copied) and folded into the facts.
//!
//! The result equals [`parse_line`](super::parse_line) followed by [`Facts::derive`], field for
//! field and bit for bit: sums are taken from zero in input order, the unpaid receivables are
//! pushed in input order and sorted alike, the first contact is the first of equals, and repeat
//! purchases (which need `grade_since`, possibly written after the purchases) are counted at the
//! end of the record from the purchase dates kept in a buffer reused by the thread.
//!
//! A record is folded if and only if the full parser accepts it (the shadows accept what the real
//! types accept, and [`validate`](super::parse::validate)'s checks are made on the folded sums).
//! Whatever the fold refuses is parsed again by the full parser, which gives the error — the same
//! field, message and position, since it is the same code — or, should the fold ever refuse a
//! record the full parser accepts, the customer, whose facts are then derived the usual way. Errors
//! are rare; the cost of reading a bad record twice is theirs.

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde::Deserialize;

use super::customer::{Customer, Prospect};
use super::date::{deserialize_opt_date, Date};
use super::fact_skim::skim_folded;
use super::facts::{days, earlier, later, Facts, ReceivableFact};
use super::parse::{parse_record, split_records};
use super::portfolio::PortfolioFacts;
use super::shadow::{
    refused_amount, Fold, Folded, LightComplaint, LightContract, LightInteraction, LightPurchase,
    LightReceivable, Window, WindowGuard,
};
use super::text::Text;
use crate::error::Result;

/// One record of JSON Lines read for evaluation: where it is, and the customer without its
/// histories with the facts of them, or why the record could not be read (the error that
/// [`parse_line`](super::parse_line) gives).
#[derive(Debug)]
pub struct FoldedRecord {
    /// 1-based line of the record.
    pub line: usize,
    /// The customer (its history lists empty) and its facts as of the date asked, or the
    /// record's error.
    pub result: Result<(Customer, Facts)>,
}

/// Reads line `line` (1-based) of JSON Lines input for evaluation as of `as_of`: `None` for a blank
/// line (no record, as [`parse_line`](super::parse_line)); otherwise the record's own fields as a
/// [`Customer`] whose histories (`purchases`, `interactions`, `complaints`, `receivables`,
/// `contracts`) are left empty, with the [`Facts`] that [`Facts::derive`] gives of the full record
/// — or the error [`parse_line`](super::parse_line) gives.
///
/// ```
/// use patron::model::{parse_date, parse_line, parse_line_with_facts, Facts};
/// let text = r#"{ "id": "C-1", "grade": "C", "grade_since": "2026-06-01",
///     "purchases": [ { "at": "2026-03-01", "amount": 100 }, { "at": "2026-10-02", "amount": 50 } ] }"#;
/// let as_of = parse_date("2026-11-23")?;
/// let (customer, facts) = parse_line_with_facts(text, 1, as_of).unwrap().result?;
/// assert!(customer.purchases.is_empty());
/// let full = parse_line(text, 1).unwrap().result?;
/// assert_eq!(facts, Facts::derive(&full, as_of));
/// let bad = r#"{ "id": "C-2", "grade": 7 }"#;
/// let err = parse_line_with_facts(bad, 12, as_of).unwrap().result.unwrap_err();
/// let full_err = parse_line(bad, 12).unwrap().result.unwrap_err();
/// assert_eq!(err.to_string(), full_err.to_string());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse_line_with_facts(text: &str, line: usize, as_of: Date) -> Option<FoldedRecord> {
    (!text.trim().is_empty()).then(|| FoldedRecord {
        line,
        result: read_record(text, Some(line), as_of),
    })
}

/// [`parse_customers`](super::parse_customers) read as [`parse_line_with_facts`] reads a
/// line: each record of a JSON array or of JSON Lines without its histories, with their
/// facts as of `as_of`, or its error; the same records, lines and errors.
pub(crate) fn parse_customers_with_facts(text: &str, as_of: Date) -> Result<Vec<FoldedRecord>> {
    split_records(
        text,
        |record, line| FoldedRecord {
            line,
            result: read_record(record, Some(line), as_of),
        },
        |text, line| parse_line_with_facts(text, line, as_of),
    )
}

/// [`parse_customer`](super::parse_customer) read as [`parse_line_with_facts`] reads a line:
/// the customer without its histories and their facts as of `as_of`, or the same error.
pub(crate) fn parse_customer_with_facts(text: &str, as_of: Date) -> Result<(Customer, Facts)> {
    read_record(text, None, as_of)
}

/// The record folded, or, when the fold refuses it, what the full parser gives: its error
/// (or, should the fold have refused a record the parser accepts, the customer and its facts).
fn read_record(text: &str, line: Option<usize>, as_of: Date) -> Result<(Customer, Facts)> {
    match fold_record(text, as_of) {
        Some(folded) => Ok(folded),
        None => parse_record(text, line).map(|customer| {
            let facts = Facts::derive(&customer, as_of);
            (customer, facts)
        }),
    }
}

/// The record folded, or `None` when the full parser (with `validate`) would refuse it: by
/// the fast path ([`fact_skim`](super::fact_skim)) when it is sure, else through serde.
fn fold_record(text: &str, as_of: Date) -> Option<(Customer, Facts)> {
    skim_folded(text, as_of).or_else(|| fold_record_by_serde(text, as_of))
}

/// The record folded through serde_json, or `None` when the full parser would refuse it.
fn fold_record_by_serde(text: &str, as_of: Date) -> Option<(Customer, Facts)> {
    // As `parse_record`: the first character decides before serde does.
    if !text.trim_start().starts_with('{') {
        return None;
    }
    let _window = WindowGuard::set(as_of);
    let record: FoldedCustomer = serde_json::from_str(text).ok()?;
    record.validated(as_of)
}

/// [`Customer`]'s shape, field for field and attribute for attribute: the record's own
/// fields as they are, its histories folded.
#[derive(Deserialize)]
pub(super) struct FoldedCustomer {
    pub(super) id: String,
    #[serde(default)]
    pub(super) name: Option<String>,
    #[serde(default)]
    pub(super) owner: Option<String>,
    #[serde(default)]
    pub(super) grade: Option<String>,
    #[serde(default, deserialize_with = "deserialize_opt_date")]
    pub(super) grade_since: Option<Date>,
    #[serde(default)]
    pub(super) stage: Option<String>,
    #[serde(default)]
    pub(super) region: Option<String>,
    #[serde(default)]
    pub(super) attributes: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub(super) prospect: Option<Prospect>,
    #[serde(default)]
    pub(super) purchases: Folded<Purchases>,
    #[serde(default)]
    pub(super) interactions: Folded<Interactions>,
    #[serde(default)]
    pub(super) complaints: Folded<Complaints>,
    #[serde(default)]
    pub(super) receivables: Folded<Receivables>,
    #[serde(default)]
    pub(super) contracts: Folded<Contracts>,
    #[serde(default)]
    pub(super) portfolio: Option<PortfolioFacts>,
}

thread_local! {
    /// The dates of the purchases up to `as_of` of the record being read, in input order,
    /// for the repeat purchases counted at its end; the allocation is reused record after
    /// record.
    static PURCHASE_DATES: RefCell<Vec<Date>> = const { RefCell::new(Vec::new()) };
}

/// Purchases folded as [`Facts::derive`] folds them, in input order.
#[derive(Default)]
pub(super) struct Purchases {
    count: i64,
    revenue_total: f64,
    purchases_365: i64,
    revenue_365: f64,
    first_at: Option<Date>,
    last_at: Option<Date>,
    /// The dates of the purchases up to `as_of`, in input order (from [`PURCHASE_DATES`]).
    dates: Vec<Date>,
    /// An amount `validate` refuses (not finite, or negative), dated whenever.
    bad_amount: bool,
}

impl Fold for Purchases {
    type Item<'de> = LightPurchase;
    const FIELD: &'static str = "purchases";

    fn start() -> Self {
        let mut dates = PURCHASE_DATES.with(|buffer| std::mem::take(&mut *buffer.borrow_mut()));
        dates.clear();
        Purchases {
            dates,
            ..Purchases::default()
        }
    }

    fn add(&mut self, window: &Window, purchase: LightPurchase) {
        self.bad_amount |= refused_amount(purchase.amount);
        if purchase.at <= window.as_of {
            self.count += 1;
            self.revenue_total += purchase.amount;
            self.first_at = earlier(self.first_at, purchase.at);
            self.last_at = later(self.last_at, purchase.at);
            if purchase.at > window.year_start {
                self.purchases_365 += 1;
                self.revenue_365 += purchase.amount;
            }
            self.dates.push(purchase.at);
        }
    }
}

/// Interactions folded as [`Facts::derive`] folds them.
#[derive(Default)]
pub(super) struct Interactions {
    last_contact_at: Option<Date>,
    /// The earliest interaction, the first listed of equals, and its kind.
    first: Option<(Date, String)>,
    last_call_at: Option<Date>,
    calls_90: i64,
    last_visit_at: Option<Date>,
    visits_90: i64,
    visit_count: i64,
    interactions_90: i64,
    first_quote_at: Option<Date>,
}

impl Fold for Interactions {
    type Item<'de> = LightInteraction<Text<'de>>;
    const FIELD: &'static str = "interactions";

    fn add(&mut self, window: &Window, interaction: LightInteraction<Text<'_>>) {
        let at = interaction.at;
        if at > window.as_of {
            return;
        }
        let recent = at > window.recent_start;
        let kind = interaction.kind.as_str();
        self.last_contact_at = later(self.last_contact_at, at);
        // (An earlier one's kind is written over the text kept, not into a new one.)
        match &mut self.first {
            Some((first, _)) if at >= *first => {}
            Some((first, first_kind)) => {
                *first = at;
                first_kind.clear();
                first_kind.push_str(kind);
            }
            None => self.first = Some((at, kind.to_string())),
        }
        self.interactions_90 += i64::from(recent);
        match kind {
            "call" => {
                self.last_call_at = later(self.last_call_at, at);
                self.calls_90 += i64::from(recent);
            }
            "visit" => {
                self.last_visit_at = later(self.last_visit_at, at);
                self.visits_90 += i64::from(recent);
                self.visit_count += 1;
            }
            "quote" | "negotiation" => {
                self.first_quote_at = earlier(self.first_quote_at, at);
            }
            _ => {}
        }
    }
}

/// Complaints counted as [`Facts::derive`] counts them.
#[derive(Default)]
pub(super) struct Complaints {
    open: i64,
    in_365: i64,
}

impl Fold for Complaints {
    type Item<'de> = LightComplaint;
    const FIELD: &'static str = "complaints";

    fn add(&mut self, window: &Window, complaint: LightComplaint) {
        if complaint.at <= window.as_of {
            self.open += i64::from(!complaint.resolved);
            self.in_365 += i64::from(complaint.at > window.year_start);
        }
    }
}

/// Unpaid receivables as [`Facts::derive`] lists and sums them, in input order.
#[derive(Default)]
pub(super) struct Receivables {
    unpaid_total: f64,
    overdue_total: f64,
    overdue_count: i64,
    unpaid: Vec<ReceivableFact>,
    /// An amount `validate` refuses (not finite, or negative), paid or not.
    bad_amount: bool,
}

impl Fold for Receivables {
    type Item<'de> = LightReceivable;
    const FIELD: &'static str = "receivables";

    fn add(&mut self, window: &Window, receivable: LightReceivable) {
        self.bad_amount |= refused_amount(receivable.amount);
        if receivable.paid {
            return;
        }
        let days_to_due = days(window.as_of, receivable.due);
        self.unpaid_total += receivable.amount;
        if days_to_due < 0 {
            self.overdue_total += receivable.amount;
            self.overdue_count += 1;
        }
        self.unpaid.push(ReceivableFact {
            due: receivable.due,
            amount: receivable.amount,
            days_to_due,
        });
    }
}

/// The earliest contract signed up to `as_of`.
#[derive(Default)]
pub(super) struct Contracts {
    signed_at: Option<Date>,
}

impl Fold for Contracts {
    type Item<'de> = LightContract;
    const FIELD: &'static str = "contracts";

    fn add(&mut self, window: &Window, contract: LightContract) {
        if contract.signed_at <= window.as_of {
            self.signed_at = earlier(self.signed_at, contract.signed_at);
        }
    }
}

impl FoldedCustomer {
    /// As [`finish`](FoldedCustomer::finish) when the record passes `validate`'s checks (a
    /// non-blank id, amounts finite and not negative); `None` when it does not.
    pub(super) fn validated(self, as_of: Date) -> Option<(Customer, Facts)> {
        if self.id.trim().is_empty() || self.purchases.0.bad_amount || self.receivables.0.bad_amount
        {
            return None;
        }
        Some(self.finish(as_of))
    }

    /// The customer without its histories, and the facts as [`Facts::derive`] gives them.
    fn finish(self, as_of: Date) -> (Customer, Facts) {
        let FoldedCustomer {
            id,
            name,
            owner,
            grade,
            grade_since,
            stage,
            region,
            attributes,
            prospect,
            purchases: Folded(purchases),
            interactions: Folded(interactions),
            complaints: Folded(complaints),
            receivables: Folded(mut receivables),
            contracts: Folded(contracts),
            portfolio,
        } = self;

        // Repeat purchases: any purchase but the very first one (one of several on the first
        // date), made strictly after `grade_since`.
        let (mut repeat_at, mut repeats) = (None, 0);
        if let (Some(since), Some(first)) = (grade_since, purchases.first_at) {
            let mut first_seen = false;
            for &at in &purchases.dates {
                if at == first && !first_seen {
                    first_seen = true;
                    continue;
                }
                if at > since {
                    repeats += 1;
                    repeat_at = earlier(repeat_at, at);
                }
            }
        }
        if purchases.dates.capacity() > 0 {
            PURCHASE_DATES.with(|buffer| *buffer.borrow_mut() = purchases.dates);
        }

        receivables
            .unpaid
            .sort_by(|a, b| a.due.cmp(&b.due).then(a.amount.total_cmp(&b.amount)));
        let since = |at: Option<Date>| at.map(|at| days(at, as_of));
        let facts = Facts {
            as_of,
            revenue_365: purchases.revenue_365,
            purchases_365: purchases.purchases_365,
            purchase_count: purchases.count,
            revenue_total: purchases.revenue_total,
            collected_365: (purchases.revenue_365 - receivables.unpaid_total).max(0.0),
            first_purchase_at: purchases.first_at,
            last_purchase_at: purchases.last_at,
            days_since_purchase: since(purchases.last_at),
            last_call_at: interactions.last_call_at,
            days_since_call: since(interactions.last_call_at),
            last_visit_at: interactions.last_visit_at,
            days_since_visit: since(interactions.last_visit_at),
            last_contact_at: interactions.last_contact_at,
            days_since_contact: since(interactions.last_contact_at),
            first_contact: interactions.first,
            calls_90: interactions.calls_90,
            visits_90: interactions.visits_90,
            interactions_90: interactions.interactions_90,
            visit_count: interactions.visit_count,
            first_quote_at: interactions.first_quote_at,
            contract_signed_at: contracts.signed_at,
            repeat_purchase_at: repeat_at,
            repeat_purchases_since_grade: repeats,
            days_in_grade: since(grade_since),
            unpaid_total: receivables.unpaid_total,
            overdue_total: receivables.overdue_total,
            overdue_count: receivables.overdue_count,
            receivables: receivables.unpaid,
            open_complaints: complaints.open,
            complaints_365: complaints.in_365,
            portfolio: portfolio.clone(),
        };
        let customer = Customer {
            id,
            name,
            owner,
            grade,
            grade_since,
            stage,
            region,
            attributes,
            prospect,
            portfolio,
            ..Customer::default()
        };
        (customer, facts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::scan_corpus::*;
    use crate::model::{add_days, parse_date, parse_line};
    use proptest::prelude::*;

    fn as_of() -> Date {
        parse_date("2026-11-23").unwrap()
    }

    /// What the stream read of `text` before: the full parser and `Facts::derive`, the
    /// customer's histories then dropped.
    fn full(text: &str, as_of: Date) -> Option<Result<(Customer, Facts)>> {
        parse_line(text, 7).map(|record| {
            record.result.map(|customer| {
                let facts = Facts::derive(&customer, as_of);
                let customer = Customer {
                    purchases: Vec::new(),
                    interactions: Vec::new(),
                    complaints: Vec::new(),
                    receivables: Vec::new(),
                    contracts: Vec::new(),
                    ..customer
                };
                (customer, facts)
            })
        })
    }

    /// [`parse_line_with_facts`] gives what [`full`] gives — the customer, the facts bit for
    /// bit (`Debug` tells `-0.0` from `0.0` and prints every float exactly), or the error —
    /// and the fold itself (not its fallback) accepts exactly the records the full parser
    /// accepts. Returns whether the record was accepted.
    fn check_at(text: &str, as_of: Date) -> bool {
        let folded = parse_line_with_facts(text, 7, as_of);
        let expected = full(text, as_of);
        assert_eq!(
            fold_record(text, as_of).is_some(),
            matches!(expected, Some(Ok(_))),
            "folded by the fast path and accepted by the full parser differ: {text}\n{expected:?}"
        );
        // Each of the fold's two readers alike: serde's always, the scanner's where it answers.
        let same = |got: &(Customer, Facts), reader: &str| match &expected {
            Some(Ok((customer, facts))) => {
                assert_eq!(&got.0, customer, "{reader}: {text}");
                assert_eq!(
                    format!("{:?}", got.1),
                    format!("{facts:?}"),
                    "{reader}: {text}"
                );
            }
            _ => panic!("{reader} accepted what the full parser refuses: {text}"),
        };
        match fold_record_by_serde(text, as_of) {
            Some(got) => same(&got, "serde reader"),
            None => assert!(
                !matches!(expected, Some(Ok(_))),
                "serde reader refused: {text}"
            ),
        }
        if let Some(got) = skim_folded(text, as_of) {
            same(&got, "fast path");
        }
        match (folded, expected) {
            (None, None) => false,
            (Some(folded), Some(expected)) => {
                assert_eq!(folded.line, 7);
                match (folded.result, expected) {
                    (Ok((customer, facts)), Ok((full_customer, full_facts))) => {
                        assert_eq!(customer, full_customer, "{text}");
                        assert_eq!(format!("{facts:?}"), format!("{full_facts:?}"), "{text}");
                        true
                    }
                    (Err(error), Err(full_error)) => {
                        assert_eq!(format!("{error:?}"), format!("{full_error:?}"), "{text}");
                        false
                    }
                    (folded, expected) => {
                        panic!("{text}\nfolded: {folded:?}\nfull: {expected:?}")
                    }
                }
            }
            (folded, expected) => panic!("{text}\nfolded: {folded:?}\nfull: {expected:?}"),
        }
    }

    fn check(text: &str) -> bool {
        check_at(text, as_of())
    }

    /// The fast path answers for plain records (so that `check` tests it) and leaves the
    /// rest to serde; what it folds is what the full parser gives (`check`).
    #[test]
    fn the_fast_path_answers_for_plain_records_as_the_full_parser_does() {
        let skimmed = |text: &str| {
            check(text);
            skim_folded(text, as_of()).is_some()
        };
        check_fast_path(skimmed, check, |text| {
            check(text);
        });
    }

    #[test]
    fn a_full_record_gives_the_facts_the_customer_gives() {
        assert!(check(FULL));
        let (customer, facts) = parse_line_with_facts(FULL, 1, as_of())
            .unwrap()
            .result
            .unwrap();
        assert_eq!(customer.prospect.unwrap().objections, ["price"]);
        assert_eq!(facts.purchase_count, 4);
        assert_eq!(facts.first_contact.unwrap().1, "call");
        assert!(check(r#"{"id":"x"}"#));
        assert!(!check("not json"));
        assert!(!check(
            r#"{"id":"x","purchases":[{"at":"2026-01-01","amount":-1}]}"#
        ));
        assert!(parse_line_with_facts("  ", 3, as_of()).is_none());
    }

    #[test]
    fn repeat_purchases_are_counted_when_grade_since_comes_after_the_purchases() {
        let text = r#"{"id":"x","purchases":[{"at":"2026-09-10","amount":10},{"at":"2025-11-01","amount":10},{"at":"2026-04-02","amount":10},{"at":"2025-11-01","amount":10}],"grade_since":"2025-01-01"}"#;
        assert!(check(text));
        let (_, facts) = parse_line_with_facts(text, 1, as_of())
            .unwrap()
            .result
            .unwrap();
        assert_eq!(facts.repeat_purchases_since_grade, 3);
        assert_eq!(facts.repeat_purchase_at.unwrap().to_string(), "2025-11-01");
    }

    /// Floating-point sums depend on their order: (0.1 + 0.2) + 0.3 is not 0.3 + (0.2 + 0.1).
    /// The fold sums in input order, as `Facts::derive` does, not in the order the
    /// receivables are listed in the facts (by due date).
    #[test]
    fn sums_are_taken_in_input_order() {
        let text = r#"{"id":"x","receivables":[{"due":"2026-12-03","amount":0.1},{"due":"2026-12-02","amount":0.2},{"due":"2026-12-01","amount":0.3}],"purchases":[{"at":"2026-11-03","amount":0.1},{"at":"2026-11-02","amount":0.2},{"at":"2026-11-01","amount":0.3}]}"#;
        assert!(check(text));
        let (_, facts) = parse_line_with_facts(text, 1, as_of())
            .unwrap()
            .result
            .unwrap();
        assert_eq!(facts.unpaid_total, 0.1 + 0.2 + 0.3);
        assert_ne!(facts.unpaid_total, 0.3 + 0.2 + 0.1);
        assert_eq!(facts.revenue_total, 0.1 + 0.2 + 0.3);
    }

    #[test]
    fn records_the_full_parser_refuses_give_its_errors() {
        for text in REFUSED {
            assert!(!check(text), "{text}");
        }
    }

    #[test]
    fn what_the_full_parser_lets_by_is_let_by() {
        for text in ACCEPTED {
            assert!(check(text), "{text}");
        }
    }

    #[test]
    fn every_field_replaced_by_every_kind_of_value_is_read_alike() {
        let (mut accepted, mut refused) = (0, 0);
        for text in every_field_replaced() {
            if check(&text) {
                accepted += 1;
            } else {
                refused += 1;
            }
        }
        assert!(accepted > 200 && refused > 500, "{accepted} {refused}");
    }

    #[test]
    fn the_shipped_records_give_the_same_facts() {
        let mut records = 0;
        for line in &shipped_lines() {
            records += usize::from(check(line));
            check_at(line, parse_date("2025-01-01").unwrap());
        }
        assert!(records > 100, "only {records} records found");
    }

    /// Fails to compile when a field is added to the customer record: the fold must then
    /// read it (with the same serde attributes, in the same place).
    #[test]
    fn the_fold_has_every_field_of_the_record() {
        let Customer {
            id,
            name,
            owner,
            grade,
            grade_since,
            stage,
            region,
            attributes,
            prospect,
            purchases: _,
            interactions: _,
            complaints: _,
            receivables: _,
            contracts: _,
            portfolio,
        } = Customer::default();
        let _ = FoldedCustomer {
            id,
            name,
            owner,
            grade,
            grade_since,
            stage,
            region,
            attributes,
            prospect,
            purchases: Folded::default(),
            interactions: Folded::default(),
            complaints: Folded::default(),
            receivables: Folded::default(),
            contracts: Folded::default(),
            portfolio,
        };
    }

    /// The evaluating pass over a JSON Lines file made elsewhere (e.g. by
    /// `benches/gen_customers.py`): `PATRON_SCAN_FILE=… cargo test --release --lib
    /// fact_scan -- --ignored`.
    #[test]
    #[ignore = "needs PATRON_SCAN_FILE"]
    fn a_given_file_gives_the_same_facts() {
        use std::io::BufRead;
        let path = std::env::var("PATRON_SCAN_FILE").expect("PATRON_SCAN_FILE");
        let limit: usize = std::env::var("PATRON_SCAN_LINES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(usize::MAX);
        let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
        let mut accepted = 0;
        for line in file.lines().take(limit) {
            accepted += usize::from(check(&line.unwrap()));
        }
        eprintln!("{accepted} records gave the same facts");
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 512,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Generated records: the same customer and facts, bit for bit, as of dates around
        /// their own.
        #[test]
        fn generated_records_give_the_same_facts(
            text in prop_oneof![rich_record(), record()],
            shift in -400i64..400,
        ) {
            check(&text);
            check_at(&text, add_days(as_of(), shift).unwrap());
        }

        /// Records broken at random give the full parser's error, or, when they still parse,
        /// its customer and facts.
        #[test]
        fn broken_records_give_the_full_parsers_errors(
            base in prop_oneof![Just(FULL.to_string()), rich_record()],
            edits in prop::collection::vec((0usize..10_000, 0usize..TOKENS.len(), 0u8..4, 0usize..8), 1..4),
        ) {
            if let Some(text) = broken(base, edits) {
                check(&text);
            }
        }
    }
}
