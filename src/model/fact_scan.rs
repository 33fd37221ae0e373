//! The evaluating pass of a stream without building histories: one JSON Lines record read
//! into a [`Customer`] whose history lists stay empty, and the [`Facts`] of those histories
//! as of a date, folded as the items are read.
//!
//! Scripts never see a raw history: they read the facts, and the record's own fields (the
//! view copies the record without its histories); the portfolio index, the record hash and
//! the vocabulary checks read the id, owner, grade, stage and region. So the full parser's
//! work of building every purchase, interaction (with its `kind` and `outcome` strings),
//! complaint, receivable and contract, for [`Facts::derive`] to walk once and drop, is
//! skipped: each item is read into a shadow of its type ([`shadow`](super::shadow): the same
//! fields and serde attributes, strings checked and not copied) and folded into the facts.
//!
//! The result equals [`parse_line`] followed by [`Facts::derive`], field for field and bit
//! for bit: sums are taken from zero in input order, the unpaid receivables are pushed in
//! input order and sorted alike, the first contact is the first of equals, and repeat
//! purchases (which need `grade_since`, possibly written after the purchases) are counted at
//! the end of the record from the purchase dates kept in a buffer reused by the thread.
//!
//! A record is folded if and only if the full parser accepts it (the shadows accept what the
//! real types accept, and [`validate`](super::parse::validate)'s checks are made on the
//! folded sums). Whatever the fold refuses is parsed again by [`parse_line`], which gives
//! the error — the same field, message and position, since it is the same code — or, should
//! the fold ever refuse a record the full parser accepts, the customer, whose facts are then
//! derived the usual way. Errors are rare; the cost of reading a bad record twice is theirs.

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde::de::Deserializer;
use serde::Deserialize;

use super::customer::{Customer, Prospect};
use super::date::{deserialize_opt_date, Date};
use super::facts::{Facts, ReceivableFact};
use super::parse::parse_line;
use super::portfolio::PortfolioFacts;
use super::shadow::{
    fold_seq, LightComplaint, LightContract, LightInteraction, LightPurchase, LightReceivable,
    Text, Window, WindowGuard,
};
use crate::error::Result;

/// One record of JSON Lines read for evaluation: where it is, and the customer without its
/// histories with the facts of them, or why the record could not be read (the error that
/// [`parse_line`] gives).
#[derive(Debug)]
pub struct FoldedRecord {
    /// 1-based line of the record.
    pub line: usize,
    /// The customer (its history lists empty) and its facts as of the date asked, or the
    /// record's error.
    pub result: Result<(Customer, Facts)>,
}

/// Reads line `line` (1-based) of JSON Lines input for evaluation as of `as_of`: `None` for
/// a blank line (no record, as [`parse_line`]); otherwise the record's own fields as a
/// [`Customer`] whose histories (`purchases`, `interactions`, `complaints`, `receivables`,
/// `contracts`) are left empty, with the [`Facts`] that [`Facts::derive`] gives of the full
/// record — or the error [`parse_line`] gives.
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
/// let err = parse_line_with_facts(r#"{ "id": "C-2", "grade": 7 }"#, 12, as_of).unwrap().result.unwrap_err();
/// assert_eq!(err.to_string(), parse_line(r#"{ "id": "C-2", "grade": 7 }"#, 12).unwrap().result.unwrap_err().to_string());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse_line_with_facts(text: &str, line: usize, as_of: Date) -> Option<FoldedRecord> {
    if text.trim().is_empty() {
        return None;
    }
    let result = match fold_record(text, as_of) {
        Some(folded) => Ok(folded),
        None => parse_line(text, line)?.result.map(|customer| {
            let facts = Facts::derive(&customer, as_of);
            (customer, facts)
        }),
    };
    Some(FoldedRecord { line, result })
}

/// The record folded, or `None` when the full parser (with `validate`) would refuse it.
fn fold_record(text: &str, as_of: Date) -> Option<(Customer, Facts)> {
    // As `parse_record`: the first character decides before serde does.
    if !text.trim_start().starts_with('{') {
        return None;
    }
    let _window = WindowGuard::set(as_of);
    let record: FoldedCustomer = serde_json::from_str(text).ok()?;
    // As `validate`: a non-blank id, amounts finite and not negative.
    if record.id.trim().is_empty() || record.purchases.bad_amount || record.receivables.bad_amount {
        return None;
    }
    Some(record.finish(as_of))
}

/// [`Customer`]'s shape, field for field and attribute for attribute: the record's own
/// fields as they are, its histories folded.
#[derive(Deserialize)]
struct FoldedCustomer {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    grade: Option<String>,
    #[serde(default, deserialize_with = "deserialize_opt_date")]
    grade_since: Option<Date>,
    #[serde(default)]
    stage: Option<String>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    attributes: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    prospect: Option<Prospect>,
    #[serde(default)]
    purchases: Purchases,
    #[serde(default)]
    interactions: Interactions,
    #[serde(default)]
    complaints: Complaints,
    #[serde(default)]
    receivables: Receivables,
    #[serde(default)]
    contracts: Contracts,
    #[serde(default)]
    portfolio: Option<PortfolioFacts>,
}

thread_local! {
    /// The dates of the purchases up to `as_of` of the record being read, in input order,
    /// for the repeat purchases counted at its end; the allocation is reused record after
    /// record.
    static PURCHASE_DATES: RefCell<Vec<Date>> = const { RefCell::new(Vec::new()) };
}

/// Purchases folded as [`Facts::derive`] folds them, in input order.
#[derive(Default)]
struct Purchases {
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

impl<'de> Deserialize<'de> for Purchases {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let window = Window::current("purchases")?;
        let mut dates = PURCHASE_DATES.with(|buffer| std::mem::take(&mut *buffer.borrow_mut()));
        dates.clear();
        let start = Purchases {
            dates,
            ..Purchases::default()
        };
        fold_seq(deserializer, start, |sums, purchase: LightPurchase| {
            sums.bad_amount |= !purchase.amount.is_finite() || purchase.amount < 0.0;
            if purchase.at <= window.as_of {
                sums.count += 1;
                sums.revenue_total += purchase.amount;
                sums.first_at = earlier(sums.first_at, purchase.at);
                sums.last_at = later(sums.last_at, purchase.at);
                if purchase.at > window.year_start {
                    sums.purchases_365 += 1;
                    sums.revenue_365 += purchase.amount;
                }
                sums.dates.push(purchase.at);
            }
        })
    }
}

/// Interactions folded as [`Facts::derive`] folds them.
#[derive(Default)]
struct Interactions {
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

impl<'de> Deserialize<'de> for Interactions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let window = Window::current("interactions")?;
        fold_seq(
            deserializer,
            Interactions::default(),
            |sums, interaction: LightInteraction<Text<'de>>| {
                let at = interaction.at;
                if at > window.as_of {
                    return;
                }
                let recent = at > window.recent_start;
                let kind = interaction.kind.0;
                sums.last_contact_at = later(sums.last_contact_at, at);
                if sums.first.as_ref().is_none_or(|(first, _)| at < *first) {
                    sums.first = Some((at, kind.to_string()));
                }
                sums.interactions_90 += i64::from(recent);
                match &*kind {
                    "call" => {
                        sums.last_call_at = later(sums.last_call_at, at);
                        sums.calls_90 += i64::from(recent);
                    }
                    "visit" => {
                        sums.last_visit_at = later(sums.last_visit_at, at);
                        sums.visits_90 += i64::from(recent);
                        sums.visit_count += 1;
                    }
                    "quote" | "negotiation" => {
                        sums.first_quote_at = earlier(sums.first_quote_at, at);
                    }
                    _ => {}
                }
            },
        )
    }
}

/// Complaints counted as [`Facts::derive`] counts them.
#[derive(Default)]
struct Complaints {
    open: i64,
    in_365: i64,
}

impl<'de> Deserialize<'de> for Complaints {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let window = Window::current("complaints")?;
        fold_seq(
            deserializer,
            Complaints::default(),
            |sums, complaint: LightComplaint| {
                if complaint.at <= window.as_of {
                    sums.open += i64::from(!complaint.resolved);
                    sums.in_365 += i64::from(complaint.at > window.year_start);
                }
            },
        )
    }
}

/// Unpaid receivables as [`Facts::derive`] lists and sums them, in input order.
#[derive(Default)]
struct Receivables {
    unpaid_total: f64,
    overdue_total: f64,
    overdue_count: i64,
    unpaid: Vec<ReceivableFact>,
    /// An amount `validate` refuses (not finite, or negative), paid or not.
    bad_amount: bool,
}

impl<'de> Deserialize<'de> for Receivables {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let window = Window::current("receivables")?;
        fold_seq(
            deserializer,
            Receivables::default(),
            |sums, receivable: LightReceivable| {
                sums.bad_amount |= !receivable.amount.is_finite() || receivable.amount < 0.0;
                if receivable.paid {
                    return;
                }
                let days_to_due = days(window.as_of, receivable.due);
                sums.unpaid_total += receivable.amount;
                if days_to_due < 0 {
                    sums.overdue_total += receivable.amount;
                    sums.overdue_count += 1;
                }
                sums.unpaid.push(ReceivableFact {
                    due: receivable.due,
                    amount: receivable.amount,
                    days_to_due,
                });
            },
        )
    }
}

/// The earliest contract signed up to `as_of`.
#[derive(Default)]
struct Contracts {
    signed_at: Option<Date>,
}

impl<'de> Deserialize<'de> for Contracts {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let window = Window::current("contracts")?;
        fold_seq(
            deserializer,
            Contracts::default(),
            |sums, contract: LightContract| {
                if contract.signed_at <= window.as_of {
                    sums.signed_at = earlier(sums.signed_at, contract.signed_at);
                }
            },
        )
    }
}

fn days(from: Date, to: Date) -> i64 {
    (to - from).num_days()
}

fn later(a: Option<Date>, b: Date) -> Option<Date> {
    Some(a.map_or(b, |a| a.max(b)))
}

fn earlier(a: Option<Date>, b: Date) -> Option<Date> {
    Some(a.map_or(b, |a| a.min(b)))
}

impl FoldedCustomer {
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
            purchases,
            interactions,
            complaints,
            mut receivables,
            contracts,
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
