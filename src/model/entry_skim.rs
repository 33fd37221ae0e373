//! The first pass's fast path: a record in the plain form read by patron's own scanner
//! ([`skim`](super::skim)) into its [`PortfolioEntry`], without serde; `None` where the
//! scanner is not sure, and [`entry_scan`](super::entry_scan)'s serde reader then decides.
//! The purchases and receivables are folded by the same [`Fold`]s as there, in input order,
//! and the entry made of them by the same [`entry_of`].

use super::date::Date;
use super::entry_scan::{entry_of, Purchases, Receivables};
use super::portfolio_index::PortfolioEntry;
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
    entry_of(
        id.to_owned(),
        owner.map(str::to_owned),
        grade.map(str::to_owned),
        &purchases,
        &receivables,
        as_of,
    )
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
