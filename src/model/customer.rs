//! The customer record as callers send it (the "Customer (input)" of the JSON contract).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::date::{deserialize_date, deserialize_opt_date, Date};
use super::portfolio::PortfolioFacts;

/// One customer with its history. Only `id` is required.
///
/// ```
/// let customer: patron::Customer = serde_json::from_str(
///     r#"{ "id": "C-1", "grade": "C", "purchases": [ { "at": "2026-10-02", "amount": 12000 } ] }"#,
/// ).unwrap();
/// assert_eq!(customer.purchases.len(), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Customer {
    /// Stable identifier, required.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The sales rep who owns the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Current grade; absent for a new record (the policy assigns one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    /// Since when the current grade holds.
    #[serde(
        default,
        deserialize_with = "deserialize_opt_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub grade_since: Option<Date>,
    /// Current development stage; absent for a new record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// Region relative to the rep: `same_city`, `same_province` or `other` in the default policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Free-form attributes (credit score, market position …) that policies may read.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, serde_json::Value>,
    /// What is known about the customer as a prospect (MAN, intent, objections).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prospect: Option<Prospect>,
    /// Purchases (orders), in any order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub purchases: Vec<Purchase>,
    /// Calls, visits, e-mails, meetings, quotes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interactions: Vec<Interaction>,
    /// Complaints, resolved or open.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub complaints: Vec<Complaint>,
    /// Amounts the customer owes, with due dates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub receivables: Vec<Receivable>,
    /// Signed contracts (evidence for the `contract_signed` stage).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contracts: Vec<Contract>,
    /// The customer's place in its portfolio, as computed for an earlier batch (e.g. last
    /// night's); a batch computes it itself for records without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portfolio: Option<PortfolioFacts>,
}

/// What a prospect is known to be: MAN (money, authority, need), intent and objections.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Prospect {
    /// Can pay or raise the funds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub money: Option<bool>,
    /// The contact decides the purchase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<bool>,
    /// The need is confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub need: Option<bool>,
    /// Intent category, e.g. `interested`, `hesitant`, `not_soon`, `definitely_not`, `quoted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
    /// When the prospect expects to buy.
    #[serde(
        default,
        deserialize_with = "deserialize_opt_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub expected_purchase_at: Option<Date>,
    /// Objection categories, e.g. `price`, `no_money`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objections: Vec<String>,
}

impl Clone for Prospect {
    fn clone(&self) -> Prospect {
        Prospect {
            money: self.money,
            authority: self.authority,
            need: self.need,
            intent: self.intent.clone(),
            expected_purchase_at: self.expected_purchase_at,
            objections: self.objections.clone(),
        }
    }

    /// Field by field, into the allocations `self` holds (the derived `clone_from` would
    /// clone the whole record afresh): a view refilled with the next customer copies its
    /// prospect without allocating when the texts fit.
    fn clone_from(&mut self, source: &Prospect) {
        // Every field named, so that a field added to `Prospect` must be copied here.
        let Prospect {
            money,
            authority,
            need,
            intent,
            expected_purchase_at,
            objections,
        } = source;
        self.money = *money;
        self.authority = *authority;
        self.need = *need;
        self.intent.clone_from(intent);
        self.expected_purchase_at = *expected_purchase_at;
        self.objections.clone_from(objections);
    }
}

/// One order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Purchase {
    /// Order date.
    #[serde(deserialize_with = "deserialize_date")]
    pub at: Date,
    /// Order value.
    pub amount: f64,
}

/// One contact with the customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Interaction {
    /// When it happened.
    #[serde(deserialize_with = "deserialize_date")]
    pub at: Date,
    /// `call`, `visit`, `email`, `meeting`, `quote`, or a policy's own kind.
    pub kind: String,
    /// Free-form outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

/// One complaint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Complaint {
    /// When it was raised.
    #[serde(deserialize_with = "deserialize_date")]
    pub at: Date,
    /// Whether it has been resolved.
    #[serde(default)]
    pub resolved: bool,
}

/// An amount the customer owes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Receivable {
    /// When it falls due.
    #[serde(deserialize_with = "deserialize_date")]
    pub due: Date,
    /// How much.
    pub amount: f64,
    /// Whether it has been paid.
    #[serde(default)]
    pub paid: bool,
}

/// A signed contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contract {
    /// When it was signed.
    #[serde(deserialize_with = "deserialize_date")]
    pub signed_at: Date,
    /// Contract value, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::Prospect;

    /// `clone_from` gives what `clone` gives, whatever the prospect held before.
    #[test]
    fn a_prospect_cloned_into_another_equals_its_source() {
        let prospects = [
            Prospect::default(),
            Prospect {
                money: Some(true),
                authority: Some(false),
                need: None,
                intent: Some("interested".into()),
                expected_purchase_at: crate::model::parse_date("2026-12-01").ok(),
                objections: vec!["price".into(), "no_money".into()],
            },
            Prospect {
                intent: Some("quoted".into()),
                objections: vec!["a".into()],
                ..Prospect::default()
            },
        ];
        for from in &prospects {
            for held in &prospects {
                let mut into = held.clone();
                into.clone_from(from);
                assert_eq!(&into, from);
                assert_eq!(&from.clone(), from);
            }
        }
    }
}
