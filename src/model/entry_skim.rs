//! The first pass's fast path: a record in the plain form read by patron's own scanner
//! ([`skim`](super::skim)) into its [`PortfolioEntry`], without serde; `None` where the
//! scanner is not sure, and [`entry_scan`](super::entry_scan)'s serde reader then decides.
//! The purchases and receivables are folded by the same [`Fold`]s as there, in input order.

use super::date::Date;
use super::entry_scan::{Purchases, Receivables};
use super::portfolio_index::{EntryNumbers, PortfolioEntry};
use super::shadow::{Fold, LightPurchase, LightReceivable, Window};
use super::skim::{walk_record, Sink, TextField};

/// The entry of `text` (one JSON Lines record) as of `as_of`, when the scanner is sure the
/// full parser accepts it; `None` when it is not sure (the serde reader then decides).
pub(super) fn skim_record(text: &str, as_of: Date) -> Option<PortfolioEntry> {
    let window = Window::new(as_of);
    let mut record = EntrySink {
        id: "",
        owner: None,
        grade: None,
        purchases: Purchases::start(),
        receivables: Receivables::start(),
    };
    walk_record(text, &window, &mut record)?;
    let EntrySink {
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
struct EntrySink<'a> {
    id: &'a str,
    owner: Option<&'a str>,
    grade: Option<&'a str>,
    purchases: Purchases,
    receivables: Receivables,
}

impl<'a> Sink<'a> for EntrySink<'a> {
    fn id(&mut self, id: &'a str) {
        self.id = id;
    }

    fn text(&mut self, field: TextField, value: Option<&'a str>) {
        match field {
            TextField::Owner => self.owner = value,
            TextField::Grade => self.grade = value,
            TextField::Name | TextField::Stage | TextField::Region => {}
        }
    }

    fn purchase(&mut self, window: &Window, purchase: LightPurchase) {
        self.purchases.add(window, purchase);
    }

    fn receivable(&mut self, window: &Window, receivable: LightReceivable) {
        self.receivables.add(window, receivable);
    }
}
