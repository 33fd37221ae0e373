//! The evaluating pass's fast path: a record in the plain form read by patron's own scanner
//! ([`skim`](super::skim)) into the customer without its histories and their facts, without
//! serde for the record's skeleton; `None` where the scanner is not sure, and
//! [`fact_scan`](super::fact_scan)'s serde reader then decides.
//!
//! The histories are folded by the same [`Fold`]s as there, in input order, into the same
//! [`FoldedCustomer`], finished by the same code. `attributes` and `prospect` (small objects
//! of their own types) are handed, once the scanner has checked them, to serde_json for their
//! types, which reads them as it reads them inside the record.

use std::collections::BTreeMap;

use super::customer::{Customer, Prospect};
use super::date::Date;
use super::fact_scan::{
    Complaints, Contracts, FoldedCustomer, Interactions, Purchases, Receivables,
};
use super::facts::Facts;
use super::shadow::{
    Fold, Folded, LightComplaint, LightContract, LightInteraction, LightPurchase, LightReceivable,
    Window,
};
use super::skim::{walk_record, Sink, TextField};
use super::text::Text;

/// The record on `text` folded as of `as_of`, when the scanner is sure the full parser (with
/// `validate`) accepts it; `None` when it is not sure.
pub(super) fn skim_folded(text: &str, as_of: Date) -> Option<(Customer, Facts)> {
    let window = Window::new(as_of);
    let mut sink = FactSink {
        id: "",
        texts: [None; 5],
        grade_since: None,
        attributes: BTreeMap::new(),
        prospect: None,
        purchases: Purchases::start(),
        interactions: Interactions::start(),
        complaints: Complaints::start(),
        receivables: Receivables::start(),
        contracts: Contracts::start(),
    };
    walk_record(text, &window, &mut sink)?;
    let FactSink {
        id,
        texts: [name, owner, grade, stage, region],
        grade_since,
        attributes,
        prospect,
        purchases,
        interactions,
        complaints,
        receivables,
        contracts,
    } = sink;
    let owned = |text: Option<&str>| text.map(str::to_owned);
    FoldedCustomer {
        id: id.to_owned(),
        name: owned(name),
        owner: owned(owner),
        grade: owned(grade),
        grade_since,
        stage: owned(stage),
        region: owned(region),
        attributes,
        prospect,
        purchases: Folded(purchases),
        interactions: Folded(interactions),
        complaints: Folded(complaints),
        receivables: Folded(receivables),
        contracts: Folded(contracts),
        portfolio: None,
    }
    .validated(as_of)
}

/// What the evaluating pass keeps of a record.
struct FactSink<'a> {
    id: &'a str,
    /// `name`, `owner`, `grade`, `stage`, `region`, in [`TextField`]'s order.
    texts: [Option<&'a str>; 5],
    grade_since: Option<Date>,
    attributes: BTreeMap<String, serde_json::Value>,
    prospect: Option<Prospect>,
    purchases: Purchases,
    interactions: Interactions,
    complaints: Complaints,
    receivables: Receivables,
    contracts: Contracts,
}

impl<'a> Sink<'a> for FactSink<'a> {
    fn id(&mut self, id: &'a str) {
        self.id = id;
    }

    fn text(&mut self, field: TextField, value: Option<&'a str>) {
        let slot = match field {
            TextField::Name => 0,
            TextField::Owner => 1,
            TextField::Grade => 2,
            TextField::Stage => 3,
            TextField::Region => 4,
        };
        self.texts[slot] = value;
    }

    fn grade_since(&mut self, at: Option<Date>) {
        self.grade_since = at;
    }

    fn attributes(&mut self, raw: &'a str) -> Option<()> {
        self.attributes = serde_json::from_str(raw).ok()?;
        Some(())
    }

    fn prospect(&mut self, raw: Option<&'a str>) -> Option<()> {
        self.prospect = match raw {
            Some(raw) => Some(serde_json::from_str(raw).ok()?),
            None => None,
        };
        Some(())
    }

    fn purchase(&mut self, window: &Window, purchase: LightPurchase) {
        self.purchases.add(window, purchase);
    }

    fn interaction(&mut self, window: &Window, interaction: LightInteraction<Text<'a>>) {
        self.interactions.add(window, interaction);
    }

    fn complaint(&mut self, window: &Window, complaint: LightComplaint) {
        self.complaints.add(window, complaint);
    }

    fn receivable(&mut self, window: &Window, receivable: LightReceivable) {
        self.receivables.add(window, receivable);
    }

    fn contract(&mut self, window: &Window, contract: LightContract) {
        self.contracts.add(window, contract);
    }
}
