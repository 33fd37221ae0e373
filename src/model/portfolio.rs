//! Facts about a customer that depend on the whole portfolio: rank and share of revenue and of
//! collected revenue (for ABC by contribution), RFM quintiles, and the owner's customer counts
//! by grade.
//!
//! A batch computes them before it evaluates. A caller that evaluates one customer at a time
//! (an ERP on each order) can pass last night's facts in the record's `portfolio` field; a
//! record without them has none, and a policy that needs them fails with a clear error.

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::slice::ParallelSliceMut;

use serde::{Deserialize, Serialize};

use super::customer::Customer;
use super::date::Date;
use super::facts::Facts;

/// One customer's place in its portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PortfolioFacts {
    /// Customers in the portfolio.
    pub size: i64,
    /// Rank by revenue in the last 365 days: 1 is the highest (ties broken by id).
    pub revenue_rank: i64,
    /// This customer's share of the portfolio's revenue in the last 365 days (0–1).
    pub revenue_share: f64,
    /// Cumulative revenue share of all customers ranked up to and including this one (0–1):
    /// the measure of ABC classification by contribution.
    pub revenue_cum_share: f64,
    /// Rank by collected revenue in the last 365 days (`collected_365`, 业绩回款): 1 is the
    /// highest (ties broken by id). Absent in facts written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_rank: Option<i64>,
    /// This customer's share of the portfolio's collected revenue (0–1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_share: Option<f64>,
    /// Cumulative collected-revenue share of all customers ranked up to and including this one
    /// by collected revenue (0–1): the measure of ABC classification by collected revenue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_cum_share: Option<f64>,
    /// Recency quintile, 5 = bought most recently (never bought: 1).
    pub recency_quintile: i64,
    /// Frequency quintile, 5 = most purchases in the last 365 days.
    pub frequency_quintile: i64,
    /// Monetary quintile, 5 = most revenue in the last 365 days.
    pub monetary_quintile: i64,
    /// Customers of the same owner (0 when the record has no owner).
    #[serde(default)]
    pub owner_customers: i64,
    /// The same owner's customers by their current grade.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, i64>))]
    pub owner_grade_counts: Arc<BTreeMap<String, i64>>,
}

/// Portfolio facts for every customer of a batch, in input order.
///
/// ```
/// use patron::model::{parse_customers, parse_date, portfolio_facts};
/// let customers: Vec<_> = parse_customers(r#"
/// { "id": "a", "purchases": [ { "at": "2026-11-01", "amount": 500 } ] }
/// { "id": "b", "purchases": [ { "at": "2026-10-01", "amount": 300 } ] }
/// { "id": "c", "purchases": [ { "at": "2026-09-01", "amount": 200 } ] }
/// "#).unwrap().into_iter().map(|r| r.result.unwrap()).collect();
/// let facts = portfolio_facts(&customers, parse_date("2026-11-23").unwrap());
/// assert_eq!(facts[1].revenue_rank, 2);
/// assert_eq!(facts[1].revenue_cum_share, 0.8); // (500 + 300) / 1000
/// assert_eq!(facts[1].collected_rank, Some(2));
/// ```
pub fn portfolio_facts(customers: &[Customer], as_of: Date) -> Vec<PortfolioFacts> {
    let derived: Vec<Facts> = customers.iter().map(|c| Facts::derive(c, as_of)).collect();
    let customers: Vec<&Customer> = customers.iter().collect();
    portfolio_facts_from(&customers, &derived)
}

/// [`portfolio_facts`] from facts already derived (one per customer, same order).
pub fn portfolio_facts_from(customers: &[&Customer], facts: &[Facts]) -> Vec<PortfolioFacts> {
    let n = customers.len();
    if n == 0 {
        return Vec::new();
    }
    let total: f64 = facts.iter().map(|f| f.revenue_365).sum();
    let revenue: Vec<f64> = facts.iter().map(|f| f.revenue_365).collect();
    let id_place = id_places(n, |k| &customers[k].id);
    let (rank, cum_share) = rank_by_revenue(&revenue, total, &id_place);
    let collected: Vec<f64> = facts.iter().map(|f| f.collected_365).collect();
    let collected_total: f64 = collected.iter().sum();
    let (collected_rank, collected_cum_share) =
        rank_by_revenue(&collected, collected_total, &id_place);
    drop(id_place);
    let recency: Vec<f64> = facts.iter().map(recency_value).collect();
    let frequency: Vec<f64> = facts.iter().map(frequency_value).collect();
    let recency_q = quintiles(&recency);
    let frequency_q = quintiles(&frequency);
    let monetary_q = quintiles(&revenue);

    let mut by_owner: BTreeMap<&str, BTreeMap<String, i64>> = BTreeMap::new();
    for customer in customers.iter() {
        if let Some(owner) = customer.owner.as_deref() {
            let counts = by_owner.entry(owner).or_default();
            *counts.entry(grade_key(customer).to_string()).or_default() += 1;
        }
    }
    let by_owner: BTreeMap<&str, Arc<BTreeMap<String, i64>>> = by_owner
        .into_iter()
        .map(|(k, v)| (k, Arc::new(v)))
        .collect();
    let empty = Arc::new(BTreeMap::new());

    (0..n)
        .map(|i| {
            let counts = customers[i]
                .owner
                .as_deref()
                .and_then(|o| by_owner.get(o))
                .cloned()
                .unwrap_or_else(|| empty.clone());
            PortfolioFacts {
                size: n as i64,
                revenue_rank: rank[i] as i64,
                revenue_share: share(facts[i].revenue_365, total),
                revenue_cum_share: cum_share[i],
                collected_rank: Some(collected_rank[i] as i64),
                collected_share: Some(share(facts[i].collected_365, collected_total)),
                collected_cum_share: Some(collected_cum_share[i]),
                recency_quintile: i64::from(recency_q[i]),
                frequency_quintile: i64::from(frequency_q[i]),
                monetary_quintile: i64::from(monetary_q[i]),
                owner_customers: counts.values().sum(),
                owner_grade_counts: counts,
            }
        })
        .collect()
}

/// `part` of `total`, 0 when the total is nothing.
pub(super) fn share(part: f64, total: f64) -> f64 {
    if total > 0.0 {
        part / total
    } else {
        0.0
    }
}

/// The grade an owner's customer without a grade counts under.
pub(super) const GRADE_NONE: &str = "(none)";

/// The grade an owner's customer counts under: its current grade, or [`GRADE_NONE`].
fn grade_key(customer: &Customer) -> &str {
    customer.grade.as_deref().unwrap_or(GRADE_NONE)
}

/// The recency measure of RFM: fewer days since the last purchase is better; never bought is
/// worst.
pub(super) fn recency_value(facts: &Facts) -> f64 {
    recency_of(facts.days_since_purchase)
}

/// [`recency_value`] of a customer whose last purchase was `days_since_purchase` days ago.
pub(super) fn recency_of(days_since_purchase: Option<i64>) -> f64 {
    -(days_since_purchase.map_or(f64::INFINITY, |d| d as f64))
}

/// The frequency measure of RFM: purchases in the last 365 days.
pub(super) fn frequency_value(facts: &Facts) -> f64 {
    frequency_of(facts.purchases_365)
}

/// [`frequency_value`] of a customer with `purchases_365` purchases in the last 365 days.
pub(super) fn frequency_of(purchases_365: i64) -> f64 {
    purchases_365 as f64
}

/// Each of `n` customers' place among all when ordered by id (`id(k)` is the id of customer
/// `k`; equal ids keep their input order): the tie-break of [`rank_by_revenue`], so that the
/// ids are compared as strings once rather than on every tie of every ranking.
pub(super) fn id_places<'a>(n: usize, id: impl Fn(usize) -> &'a str) -> Vec<u32> {
    // At most `u32::MAX` customers (the stream's index refuses more, and a batch that large
    // does not fit in memory).
    let mut by_id: Vec<u32> = (0..n).map(|k| k as u32).collect();
    by_id.sort_by(|&a, &b| id(a as usize).cmp(id(b as usize)));
    let mut place = vec![0u32; n];
    for (position, &k) in by_id.iter().enumerate() {
        place[k as usize] = position as u32;
    }
    place
}

/// `x` as an unsigned key in the order of `f64::total_cmp`, highest first: sorting the keys
/// ascending sorts the numbers descending.
fn descending_key(x: f64) -> u64 {
    // `total_cmp`'s own mapping to a signed integer, then to unsigned order, then reversed.
    let bits = x.to_bits() as i64;
    let signed = bits ^ ((((bits >> 63) as u64) >> 1) as i64);
    !((signed as u64) ^ (1 << 63))
}

/// Rank by revenue (1 = highest, ties by id: `id_place` from [`id_places`]) and cumulative
/// revenue share of each customer, in input order (for collected revenue too). Shared by the
/// in-memory batch and the streaming [`PortfolioIndex`](super::PortfolioIndex), so that both
/// give bit-identical answers.
pub(super) fn rank_by_revenue(
    revenue: &[f64],
    total: f64,
    id_place: &[u32],
) -> (Vec<u64>, Vec<f64>) {
    let n = revenue.len();
    // Highest first, ties by id for a stable answer. Each customer's key, place by id and
    // index are packed in one integer and the integers sorted where they lie (faster than
    // indices compared through the columns), on every core: a million customers took a few
    // hundred milliseconds on one while the stream waited. The places are distinct, so the
    // order is total and the same as a stable sort's.
    let mut order: Vec<u128> = revenue
        .iter()
        .zip(id_place)
        .enumerate()
        .map(|(index, (&r, &place))| {
            u128::from(descending_key(r)) << 64 | u128::from(place) << 32 | index as u128
        })
        .collect();
    order.par_sort_unstable();
    let mut rank = vec![0u64; n];
    let mut cum_share = vec![0f64; n];
    let mut running = 0.0;
    for (position, &packed) in order.iter().enumerate() {
        let index = packed as u32 as usize;
        running += revenue[index];
        rank[index] = position as u64 + 1;
        cum_share[index] = if total > 0.0 { running / total } else { 0.0 };
    }
    (rank, cum_share)
}

/// Quintile of each value, 5 for the top fifth; equal values share the better quintile.
pub(super) fn quintiles(values: &[f64]) -> Vec<u8> {
    let n = values.len();
    // Highest first (by `total_cmp`), equal keys in input order.
    let mut order: Vec<u128> = values
        .iter()
        .enumerate()
        .map(|(index, &v)| u128::from(descending_key(v)) << 64 | index as u128)
        .collect();
    order.par_sort_unstable();
    let mut result = vec![1u8; n];
    let mut group_start = 0;
    for (position, &packed) in order.iter().enumerate() {
        let index = packed as u32 as usize;
        if position > 0 && values[index] != values[order[position - 1] as u32 as usize] {
            group_start = position;
        }
        result[index] = 5 - (group_start * 5 / n) as u8;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::{id_places, quintiles, rank_by_revenue};

    #[test]
    fn quintiles_split_into_fifths_and_ties_share() {
        let values: Vec<f64> = (0..10).map(f64::from).collect();
        assert_eq!(quintiles(&values), vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        assert_eq!(quintiles(&[7.0, 7.0, 7.0]), vec![5, 5, 5]);
        assert_eq!(quintiles(&[1.0]), vec![5]);
    }

    /// The rankings and quintiles sort packed keys; they answer as sorting indices by
    /// `f64::total_cmp` (then by id, stably) answers, for every kind of number: negatives,
    /// both zeros, infinities, NaN, ties, and equal ids.
    #[test]
    fn packed_sorts_answer_as_sorting_by_total_cmp() {
        let specials = [
            0.0,
            -0.0,
            1.5,
            -1.5,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -f64::NAN,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::MIN,
            1e-300,
        ];
        // A fixed pseudo-random mix of specials and small numbers with many ties.
        let mut state = 7u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize
        };
        for n in [1, 2, 5, 17, 300] {
            let values: Vec<f64> = (0..n)
                .map(|_| match next() % 3 {
                    0 => specials[next() % specials.len()],
                    1 => (next() % 7) as f64,
                    _ => (next() % 1000) as f64 / 8.0 - 60.0,
                })
                .collect();
            let ids: Vec<String> = (0..n).map(|_| format!("C-{}", next() % 40)).collect();
            // The reference: indices sorted stably, highest first, ties by id.
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(ids[a].cmp(&ids[b])));
            let total: f64 = values.iter().sum();
            let (mut rank, mut share) = (vec![0u64; n], vec![0f64; n]);
            let mut running = 0.0;
            for (position, &k) in order.iter().enumerate() {
                running += values[k];
                rank[k] = position as u64 + 1;
                share[k] = if total > 0.0 { running / total } else { 0.0 };
            }
            let place = id_places(n, |k| &ids[k]);
            let (actual_rank, actual_share) = rank_by_revenue(&values, total, &place);
            assert_eq!(actual_rank, rank, "{values:?} {ids:?}");
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&actual_share), bits(&share), "{values:?}");

            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
            let mut expected = vec![1u8; n];
            let mut group_start = 0;
            for (position, &k) in order.iter().enumerate() {
                if position > 0 && values[k] != values[order[position - 1]] {
                    group_start = position;
                }
                expected[k] = 5 - (group_start * 5 / n) as u8;
            }
            assert_eq!(quintiles(&values), expected, "{values:?}");
        }
    }
}
