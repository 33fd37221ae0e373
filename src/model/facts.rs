//! Facts derived once, in Rust, from a customer record at a date. Scripts read these instead
//! of walking histories themselves (walking a history in a script is what makes rules slow).
//!
//! Records dated after `as_of` are ignored: an evaluation as of a past date sees only what was
//! known then.

use super::customer::{Customer, Interaction};
use super::date::{saturating_add_days, Date};
use super::portfolio::PortfolioFacts;
use super::reuse::clone_option_from;

/// Days that count as "the last year" for revenue and purchase counts.
pub const YEAR_WINDOW_DAYS: i64 = 365;
/// Days that count as "recently" for interaction counts.
pub const RECENT_WINDOW_DAYS: i64 = 90;

/// An unpaid receivable as of the evaluation date.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivableFact {
    /// Due date.
    pub due: Date,
    /// Amount owed.
    pub amount: f64,
    /// Days from `as_of` to the due date (negative when past due).
    pub days_to_due: i64,
}

/// Everything the policies know about one customer at one date, computed once.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    /// The evaluation date.
    pub as_of: Date,
    /// Revenue in the 365 days up to and including `as_of`.
    pub revenue_365: f64,
    /// Purchases in the 365 days up to and including `as_of`.
    pub purchases_365: i64,
    /// Purchases ever (up to `as_of`).
    pub purchase_count: i64,
    /// Revenue ever (up to `as_of`).
    pub revenue_total: f64,
    /// Collected revenue in the 365 days up to `as_of` (业绩回款): `revenue_365` less what
    /// the customer still owes (its unpaid receivables, due or not), never below zero. The
    /// record does not tie receivables to orders, so all money still owed is counted against
    /// this year's orders; an order without a receivable counts as paid.
    pub collected_365: f64,
    /// First purchase date.
    pub first_purchase_at: Option<Date>,
    /// Last purchase date.
    pub last_purchase_at: Option<Date>,
    /// Days since the last purchase.
    pub days_since_purchase: Option<i64>,
    /// Last phone call.
    pub last_call_at: Option<Date>,
    /// Days since the last phone call.
    pub days_since_call: Option<i64>,
    /// Last on-site visit.
    pub last_visit_at: Option<Date>,
    /// Days since the last on-site visit.
    pub days_since_visit: Option<i64>,
    /// Last interaction of any kind.
    pub last_contact_at: Option<Date>,
    /// Days since the last interaction of any kind.
    pub days_since_contact: Option<i64>,
    /// First interaction of any kind, and its kind.
    pub first_contact: Option<(Date, String)>,
    /// Calls in the last 90 days.
    pub calls_90: i64,
    /// Visits in the last 90 days.
    pub visits_90: i64,
    /// Interactions of any kind in the last 90 days.
    pub interactions_90: i64,
    /// Visits ever: a customer visited at least once has been "formally visited".
    pub visit_count: i64,
    /// First `quote` or `negotiation` interaction.
    pub first_quote_at: Option<Date>,
    /// Earliest signed contract.
    pub contract_signed_at: Option<Date>,
    /// The first repeat purchase (a purchase that is not the customer's first ever) made
    /// strictly after `grade_since`; `None` without `grade_since`.
    pub repeat_purchase_at: Option<Date>,
    /// How many repeat purchases were made strictly after `grade_since`.
    pub repeat_purchases_since_grade: i64,
    /// Days the current grade has held (from `grade_since`).
    pub days_in_grade: Option<i64>,
    /// Sum of unpaid receivables.
    pub unpaid_total: f64,
    /// Sum of unpaid receivables past due.
    pub overdue_total: f64,
    /// Number of unpaid receivables past due.
    pub overdue_count: i64,
    /// Unpaid receivables, earliest due first.
    pub receivables: Vec<ReceivableFact>,
    /// Complaints not yet resolved.
    pub open_complaints: i64,
    /// Complaints raised in the last 365 days.
    pub complaints_365: i64,
    /// The customer's place in its portfolio: from the record, or computed for a batch.
    pub portfolio: Option<PortfolioFacts>,
}

/// Days from `from` to `to` (negative when `to` is earlier).
pub(super) use super::date::days_between as days;

/// The later of `a` (if any) and `b`.
pub(super) fn later(a: Option<Date>, b: Date) -> Option<Date> {
    Some(a.map_or(b, |a| a.max(b)))
}

/// The earlier of `a` (if any) and `b`.
pub(super) fn earlier(a: Option<Date>, b: Date) -> Option<Date> {
    Some(a.map_or(b, |a| a.min(b)))
}

impl Facts {
    /// Derives the facts of `customer` as of `as_of`.
    ///
    /// ```
    /// use patron::{model::{parse_date, Facts}, Customer};
    /// let customer: Customer = serde_json::from_str(r#"{ "id": "C-1", "grade": "C",
    ///     "grade_since": "2026-06-01",
    ///     "purchases": [ { "at": "2026-03-01", "amount": 100 }, { "at": "2026-10-02", "amount": 50 } ],
    ///     "receivables": [ { "due": "2026-12-01", "amount": 40 } ] }"#).unwrap();
    /// let facts = Facts::derive(&customer, parse_date("2026-11-23").unwrap());
    /// assert_eq!(facts.revenue_365, 150.0);
    /// assert_eq!(facts.collected_365, 110.0); // 40 of it is still owed
    /// assert_eq!(facts.repeat_purchase_at.unwrap().to_string(), "2026-10-02");
    /// ```
    pub fn derive(customer: &Customer, as_of: Date) -> Facts {
        let mut facts = Facts::none(as_of);
        facts.derive_into(customer, as_of);
        facts
    }

    /// The facts of a customer with no history at all, as of `as_of` (before
    /// [`derive_into`](Facts::derive_into) fills them in).
    fn none(as_of: Date) -> Facts {
        Facts {
            as_of,
            revenue_365: 0.0,
            purchases_365: 0,
            purchase_count: 0,
            revenue_total: 0.0,
            collected_365: 0.0,
            first_purchase_at: None,
            last_purchase_at: None,
            days_since_purchase: None,
            last_call_at: None,
            days_since_call: None,
            last_visit_at: None,
            days_since_visit: None,
            last_contact_at: None,
            days_since_contact: None,
            first_contact: None,
            calls_90: 0,
            visits_90: 0,
            interactions_90: 0,
            visit_count: 0,
            first_quote_at: None,
            contract_signed_at: None,
            repeat_purchase_at: None,
            repeat_purchases_since_grade: 0,
            days_in_grade: None,
            unpaid_total: 0.0,
            overdue_total: 0.0,
            overdue_count: 0,
            receivables: Vec::new(),
            open_complaints: 0,
            complaints_365: 0,
            portfolio: None,
        }
    }

    /// Makes these the facts of `customer` as of `as_of` — exactly what
    /// [`derive`](Facts::derive) gives — reusing the allocations of the facts they held (the
    /// list of receivables, the first contact's kind), without moving the facts.
    pub(crate) fn derive_into(&mut self, customer: &Customer, as_of: Date) {
        let mut receivables = std::mem::take(&mut self.receivables);
        receivables.clear();
        let spare_kind = self.first_contact.take().map(|(_, kind)| kind);
        // Every field written (a field added to `Facts` must be added here).
        *self = Facts::none(as_of);
        let facts = self;
        facts.receivables = receivables;
        facts.days_in_grade = customer.grade_since.map(|since| days(since, as_of));
        clone_option_from(&mut facts.portfolio, &customer.portfolio);

        // The windows' first days (chrono's date arithmetic) only for the histories that
        // have items.
        let year_start = || saturating_add_days(as_of, -YEAR_WINDOW_DAYS);
        let purchases_year_start = match customer.purchases.is_empty() {
            true => as_of,
            false => year_start(),
        };
        for purchase in customer.purchases.iter().filter(|p| p.at <= as_of) {
            facts.purchase_count += 1;
            facts.revenue_total += purchase.amount;
            facts.first_purchase_at = earlier(facts.first_purchase_at, purchase.at);
            facts.last_purchase_at = later(facts.last_purchase_at, purchase.at);
            if purchase.at > purchases_year_start {
                facts.purchases_365 += 1;
                facts.revenue_365 += purchase.amount;
            }
        }
        facts.days_since_purchase = facts.last_purchase_at.map(|at| days(at, as_of));

        if let (Some(since), Some(first)) = (customer.grade_since, facts.first_purchase_at) {
            // A repeat purchase is any purchase but the very first one. When several share the
            // first date, all but one of them are repeats.
            let mut first_seen = false;
            for purchase in customer.purchases.iter().filter(|p| p.at <= as_of) {
                if purchase.at == first && !first_seen {
                    first_seen = true;
                    continue;
                }
                if purchase.at > since {
                    facts.repeat_purchases_since_grade += 1;
                    facts.repeat_purchase_at = earlier(facts.repeat_purchase_at, purchase.at);
                }
            }
        }

        // The earliest interaction (the first of equals in the list), its kind copied once.
        let mut first_contact: Option<&Interaction> = None;
        let recent_start = match customer.interactions.is_empty() {
            true => as_of,
            false => saturating_add_days(as_of, -RECENT_WINDOW_DAYS),
        };
        for interaction in customer.interactions.iter().filter(|i| i.at <= as_of) {
            let at = interaction.at;
            let recent = at > recent_start;
            facts.last_contact_at = later(facts.last_contact_at, at);
            if first_contact.is_none_or(|first| at < first.at) {
                first_contact = Some(interaction);
            }
            if recent {
                facts.interactions_90 += 1;
            }
            match interaction.kind.as_str() {
                "call" => {
                    facts.last_call_at = later(facts.last_call_at, at);
                    facts.calls_90 += i64::from(recent);
                }
                "visit" => {
                    facts.last_visit_at = later(facts.last_visit_at, at);
                    facts.visits_90 += i64::from(recent);
                    facts.visit_count += 1;
                }
                "quote" | "negotiation" => {
                    facts.first_quote_at = earlier(facts.first_quote_at, at);
                }
                _ => {}
            }
        }
        facts.first_contact = first_contact.map(|first| {
            let mut kind = spare_kind.unwrap_or_default();
            kind.clone_from(&first.kind);
            (first.at, kind)
        });
        facts.days_since_call = facts.last_call_at.map(|at| days(at, as_of));
        facts.days_since_visit = facts.last_visit_at.map(|at| days(at, as_of));
        facts.days_since_contact = facts.last_contact_at.map(|at| days(at, as_of));

        for contract in customer.contracts.iter().filter(|c| c.signed_at <= as_of) {
            facts.contract_signed_at = earlier(facts.contract_signed_at, contract.signed_at);
        }

        for receivable in customer.receivables.iter().filter(|r| !r.paid) {
            let days_to_due = days(as_of, receivable.due);
            facts.unpaid_total += receivable.amount;
            if days_to_due < 0 {
                facts.overdue_total += receivable.amount;
                facts.overdue_count += 1;
            }
            facts.receivables.push(ReceivableFact {
                due: receivable.due,
                amount: receivable.amount,
                days_to_due,
            });
        }
        facts.collected_365 = (facts.revenue_365 - facts.unpaid_total).max(0.0);
        facts
            .receivables
            .sort_by(|a, b| a.due.cmp(&b.due).then(a.amount.total_cmp(&b.amount)));

        let complaints_year_start = match customer.complaints.is_empty() {
            true => as_of,
            false => year_start(),
        };
        for complaint in customer.complaints.iter().filter(|c| c.at <= as_of) {
            facts.open_complaints += i64::from(!complaint.resolved);
            facts.complaints_365 += i64::from(complaint.at > complaints_year_start);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::parse_date;

    fn facts_of(json: &str) -> Facts {
        let customer: Customer = serde_json::from_str(json).expect("a customer");
        Facts::derive(&customer, parse_date("2026-11-23").expect("a date"))
    }

    #[test]
    fn the_first_contact_is_the_earliest_and_the_first_listed_of_equals() {
        let facts = facts_of(
            r#"{ "id": "C-1", "interactions": [
                { "at": "2026-10-01", "kind": "call" },
                { "at": "2026-03-05", "kind": "visit" },
                { "at": "2026-03-05", "kind": "call" },
                { "at": "2026-12-01", "kind": "meeting" },
                { "at": "2026-06-01", "kind": "quote" } ] }"#,
        );
        let (at, kind) = facts.first_contact.expect("a first contact");
        assert_eq!(
            (at.to_string().as_str(), kind.as_str()),
            ("2026-03-05", "visit")
        );
        // The interaction after the evaluation date does not count.
        assert_eq!(facts.last_contact_at.unwrap().to_string(), "2026-10-01");
    }

    #[test]
    fn facts_derived_into_facts_that_held_another_customer_equal_fresh_ones() {
        // The 64 examples (every history, with and without portfolio facts), each derived
        // into the facts of every example before it and after it, at two dates.
        let text = include_str!("../../examples/customers.json");
        let mut customers: Vec<Customer> = serde_json::from_str(text).expect("customers");
        customers.push(Customer::default());
        customers[1].portfolio = Some(
            serde_json::from_str(
                r#"{ "size": 3, "revenue_rank": 2, "revenue_share": 0.25, "revenue_cum_share": 0.5,
                     "recency_quintile": 1, "frequency_quintile": 2, "monetary_quintile": 3 }"#,
            )
            .expect("portfolio facts"),
        );
        for as_of in ["2026-11-23", "2025-01-01"] {
            let as_of = parse_date(as_of).expect("a date");
            let mut reused = Facts::derive(&customers[0], as_of);
            for customer in customers.iter().chain(customers.iter().rev()) {
                reused.derive_into(customer, as_of);
                assert_eq!(reused, Facts::derive(customer, as_of), "{}", customer.id);
            }
        }
    }

    #[test]
    fn repeat_purchases_since_the_grade_are_counted_and_the_earliest_kept() {
        // Two purchases on the first day: one of them is a repeat. Listed out of order.
        let facts = facts_of(
            r#"{ "id": "C-1", "grade": "C", "grade_since": "2026-01-01", "purchases": [
                { "at": "2026-09-10", "amount": 10 },
                { "at": "2025-11-01", "amount": 10 },
                { "at": "2026-04-02", "amount": 10 },
                { "at": "2025-11-01", "amount": 10 },
                { "at": "2026-12-10", "amount": 10 },
                { "at": "2026-07-15", "amount": 10 } ] }"#,
        );
        assert_eq!(facts.repeat_purchases_since_grade, 3);
        assert_eq!(facts.repeat_purchase_at.unwrap().to_string(), "2026-04-02");
        assert_eq!(facts.first_purchase_at.unwrap().to_string(), "2025-11-01");
    }
}
