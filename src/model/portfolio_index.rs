//! Portfolio facts for a stream of customers too large to hold in memory: a compact index
//! built from a few numbers per customer, read back one customer at a time.
//!
//! The in-memory batch ([`portfolio_facts_from`](super::portfolio_facts_from)) sees every
//! customer at once. A stream sees them one chunk at a time, so it makes two passes: the
//! first pushes each customer's id, revenue, collected revenue, purchase count, recency, owner
//! and grade into a
//! [`PortfolioIndex`] builder (not the records, which a JSON Lines scan never builds: see
//! `entry_scan`); [`finish`](PortfolioIndexBuilder::finish)
//! ranks them with the very code the batch uses; the second pass asks the index for the
//! [`PortfolioFacts`] of the k-th customer. The answers are bit-identical to the batch's.
//!
//! Memory, per customer that parsed: while building, 40 bytes plus the length of its id;
//! while ranking (the peak), about 80 bytes plus the id; once finished, 32 bytes. Plus one
//! small map of grade counts per owner, and one number per input line that gave no customer
//! (blank, or not a record). A million customers with 9-byte ids peak at about
//! 90 MB by that count (`patron eval` measured 66 MB in all before collected revenue was
//! added to the index; see BENCHMARKS.md).

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use super::customer::Customer;
use super::date::Date;
use super::facts::Facts;
use super::portfolio::{
    frequency_of, id_places, quintiles, rank_by_revenue, recency_of, share, PortfolioFacts,
    GRADE_NONE,
};

/// The portfolio facts of every customer of a stream, kept in 32 bytes per customer.
///
/// Built by a first pass over the input ([`PortfolioIndex::scan`]), read by the second
/// ([`Engine::evaluate_stream_with`](crate::Engine::evaluate_stream_with)). Customers are
/// addressed by their ordinal: the k-th record of the input that parsed (failed records do not
/// count, exactly as in an in-memory batch).
#[derive(Debug, Clone)]
pub struct PortfolioIndex {
    as_of: Date,
    rows: Vec<Row>,
    total: f64,
    collected_total: f64,
    records: usize,
    owners: BTreeMap<String, Arc<BTreeMap<String, i64>>>,
    no_owner: Arc<BTreeMap<String, i64>>,
    fingerprint: u64,
    /// The input lines that gave no customer (see [`PortfolioIndexBuilder::skip_line`]).
    skipped_lines: Vec<usize>,
}

/// One customer's ranks and cumulative shares (by revenue and by collected revenue) and RFM
/// quintiles.
#[derive(Debug, Clone, Copy)]
struct Row {
    cum_share: f64,
    collected_cum_share: f64,
    rank: u32,
    collected_rank: u32,
    quintiles: [u8; 3],
}

/// Collects the few numbers per customer that portfolio facts need, in input order.
#[derive(Debug)]
pub(crate) struct PortfolioIndexBuilder {
    as_of: Date,
    /// Every id, one after the other; `id_ends[k]` is where the k-th ends.
    ids: String,
    id_ends: Vec<usize>,
    revenue: Vec<f64>,
    collected: Vec<f64>,
    frequency: Vec<f64>,
    recency: Vec<f64>,
    records: usize,
    owners: BTreeMap<String, BTreeMap<String, i64>>,
    fingerprint: u64,
    /// The numbers (1-based, ascending) of the input lines that gave no customer: blank
    /// lines and records that did not parse. Every other line gave the next customer, so a
    /// line's ordinal follows from its number ([`PortfolioIndex::ordinal_of_line`]).
    skipped_lines: Vec<usize>,
}

/// The most customers one index holds (ranks are kept in 32 bits).
pub(crate) const MAX_CUSTOMERS: usize = u32::MAX as usize;

/// What the index keeps of one customer that parsed, taken out of the record in the first
/// pass (the record itself is dropped, or never built: see [`scan_line`](super::entry_scan)).
#[derive(Debug, PartialEq)]
pub(crate) struct PortfolioEntry {
    id: String,
    owner: Option<String>,
    grade: Option<String>,
    pub(super) revenue: f64,
    collected: f64,
    pub(super) frequency: f64,
    pub(super) recency: f64,
    hash: u64,
}

/// The few facts of one customer that its portfolio entry keeps (the fields of [`Facts`] of
/// the same names).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct EntryNumbers {
    pub(crate) revenue_365: f64,
    pub(crate) collected_365: f64,
    pub(crate) purchases_365: i64,
    pub(crate) days_since_purchase: Option<i64>,
}

impl EntryNumbers {
    /// The entry's numbers out of a customer's facts.
    pub(crate) fn of(facts: &Facts) -> Self {
        EntryNumbers {
            revenue_365: facts.revenue_365,
            collected_365: facts.collected_365,
            purchases_365: facts.purchases_365,
            days_since_purchase: facts.days_since_purchase,
        }
    }
}

impl PortfolioEntry {
    /// The entry of `customer`, whose facts are derived as of the index's date (Parquet's
    /// first pass builds customers; the JSON Lines one does not, and is tested against this).
    #[cfg(any(test, feature = "parquet"))]
    pub(crate) fn new(customer: Customer, facts: &Facts) -> Self {
        PortfolioEntry::from_numbers(
            customer.id,
            customer.owner,
            customer.grade,
            &EntryNumbers::of(facts),
        )
    }

    /// The entry of a customer known only by these fields (the first pass of a stream reads
    /// no more of the record).
    pub(crate) fn from_numbers(
        id: String,
        owner: Option<String>,
        grade: Option<String>,
        numbers: &EntryNumbers,
    ) -> Self {
        let hash = hash_of(&id, owner.as_deref(), grade.as_deref(), numbers);
        PortfolioEntry {
            id,
            owner,
            grade,
            revenue: numbers.revenue_365,
            collected: numbers.collected_365,
            frequency: frequency_of(numbers.purchases_365),
            recency: recency_of(numbers.days_since_purchase),
            hash,
        }
    }
}

/// A hash of what the index keeps of one customer. Both passes fold these hashes in input
/// order ([`fold_hash`]), so the second pass notices an input that changed in between.
pub(crate) fn record_hash(customer: &Customer, facts: &Facts) -> u64 {
    hash_of(
        &customer.id,
        customer.owner.as_deref(),
        customer.grade.as_deref(),
        &EntryNumbers::of(facts),
    )
}

fn hash_of(id: &str, owner: Option<&str>, grade: Option<&str>, numbers: &EntryNumbers) -> u64 {
    let mut hasher = DefaultHasher::new();
    id.hash(&mut hasher);
    owner.hash(&mut hasher);
    grade.hash(&mut hasher);
    numbers.revenue_365.to_bits().hash(&mut hasher);
    numbers.collected_365.to_bits().hash(&mut hasher);
    numbers.purchases_365.hash(&mut hasher);
    numbers.days_since_purchase.hash(&mut hasher);
    hasher.finish()
}

/// Folds the next record's hash into a running fingerprint (order matters).
pub(crate) fn fold_hash(fingerprint: u64, hash: u64) -> u64 {
    fingerprint
        .wrapping_mul(0x0000_0100_0000_01b3)
        .wrapping_add(hash)
}

impl PortfolioIndexBuilder {
    /// An empty builder for evaluations as of `as_of`.
    pub(crate) fn new(as_of: Date) -> Self {
        PortfolioIndexBuilder {
            as_of,
            ids: String::new(),
            id_ends: Vec::new(),
            revenue: Vec::new(),
            collected: Vec::new(),
            frequency: Vec::new(),
            recency: Vec::new(),
            records: 0,
            owners: BTreeMap::new(),
            fingerprint: 0,
            skipped_lines: Vec::new(),
        }
    }

    /// Customers pushed so far.
    pub(crate) fn len(&self) -> usize {
        self.revenue.len()
    }

    /// Counts `n` records of the input (parsed or not), for [`PortfolioIndex::records`].
    pub(crate) fn count_records(&mut self, n: usize) {
        self.records += n;
    }

    /// Notes that line `number` of the input (1-based, after every line noted or pushed
    /// before) gave no customer: it is blank or did not parse. Only a builder fed line by
    /// line calls this, so that its index can answer
    /// [`ordinal_of_line`](PortfolioIndex::ordinal_of_line).
    pub(crate) fn skip_line(&mut self, number: usize) {
        debug_assert!(self.skipped_lines.last().is_none_or(|&last| last < number));
        self.skipped_lines.push(number);
    }

    /// Adds the next customer that parsed. Refuses more than [`MAX_CUSTOMERS`].
    pub(crate) fn push(&mut self, entry: PortfolioEntry) -> Result<(), String> {
        if self.len() >= MAX_CUSTOMERS {
            return Err(format!(
                "a stream holds at most {MAX_CUSTOMERS} customers for its portfolio facts"
            ));
        }
        self.ids.push_str(&entry.id);
        self.id_ends.push(self.ids.len());
        self.revenue.push(entry.revenue);
        self.collected.push(entry.collected);
        self.frequency.push(entry.frequency);
        self.recency.push(entry.recency);
        if let Some(owner) = entry.owner {
            let grade = entry.grade.unwrap_or_else(|| GRADE_NONE.to_string());
            *self
                .owners
                .entry(owner)
                .or_default()
                .entry(grade)
                .or_default() += 1;
        }
        self.fingerprint = fold_hash(self.fingerprint, entry.hash);
        Ok(())
    }

    fn id(&self, k: usize) -> &str {
        let start = if k == 0 { 0 } else { self.id_ends[k - 1] };
        &self.ids[start..self.id_ends[k]]
    }

    /// Ranks the customers and computes their quintiles, with the batch's own code. Each
    /// column is dropped as soon as it is used, to keep the peak low.
    pub(crate) fn finish(mut self) -> PortfolioIndex {
        let recency_q = quintiles(&std::mem::take(&mut self.recency));
        let frequency_q = quintiles(&std::mem::take(&mut self.frequency));
        let id_place = id_places(self.len(), |k| self.id(k));
        let total: f64 = self.revenue.iter().copied().sum();
        let (rank, cum_share) = rank_by_revenue(&self.revenue, total, &id_place);
        let collected = std::mem::take(&mut self.collected);
        let collected_total: f64 = collected.iter().copied().sum();
        let (collected_rank, collected_cum_share) =
            rank_by_revenue(&collected, collected_total, &id_place);
        drop((collected, id_place));
        let PortfolioIndexBuilder {
            as_of,
            ids,
            id_ends,
            revenue,
            records,
            owners,
            fingerprint,
            skipped_lines,
            ..
        } = self;
        drop((ids, id_ends));
        let monetary_q = quintiles(&revenue);
        drop(revenue);
        let rows = (0..rank.len())
            .map(|k| Row {
                cum_share: cum_share[k],
                collected_cum_share: collected_cum_share[k],
                // `push` refuses more customers than fit.
                rank: u32::try_from(rank[k]).unwrap_or(u32::MAX),
                collected_rank: u32::try_from(collected_rank[k]).unwrap_or(u32::MAX),
                quintiles: [recency_q[k], frequency_q[k], monetary_q[k]],
            })
            .collect();
        PortfolioIndex {
            as_of,
            rows,
            total,
            collected_total,
            records,
            owners: owners
                .into_iter()
                .map(|(owner, counts)| (owner, Arc::new(counts)))
                .collect(),
            no_owner: Arc::default(),
            fingerprint,
            skipped_lines,
        }
    }
}

impl PortfolioIndex {
    /// The evaluation date the index was built for.
    pub fn as_of(&self) -> Date {
        self.as_of
    }

    /// Customers in the portfolio: the records that parsed.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether no record parsed.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Records in the input, parsed or not (blank lines do not count).
    pub fn records(&self) -> usize {
        self.records
    }

    /// The customers' hashes folded in input order (see [`fold_hash`]).
    pub(crate) fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// The ordinal of the customer on line `number` (1-based) of the input the index was
    /// scanned from: its line number less the lines before it that gave no customer. `None`
    /// for a line that gave none (blank, or a record that did not parse) and past the last
    /// customer. Only an index scanned line by line ([`PortfolioIndex::scan`]) knows its
    /// lines. With it, the second pass of a stream gives each record its facts as soon as
    /// it is read, without waiting to learn which records before it parsed.
    pub(crate) fn ordinal_of_line(&self, number: usize) -> Option<usize> {
        let before = self
            .skipped_lines
            .partition_point(|&skipped| skipped < number);
        if self.skipped_lines.get(before) == Some(&number) {
            return None;
        }
        let ordinal = number.checked_sub(1 + before)?;
        (ordinal < self.rows.len()).then_some(ordinal)
    }

    /// The portfolio facts of the customer at `ordinal` (0-based, among the records that
    /// parsed), given the customer and its facts again; `None` past the end.
    pub(crate) fn facts(
        &self,
        ordinal: usize,
        customer: &Customer,
        facts: &Facts,
    ) -> Option<PortfolioFacts> {
        let row = self.rows.get(ordinal)?;
        let counts = customer
            .owner
            .as_deref()
            .and_then(|owner| self.owners.get(owner))
            .unwrap_or(&self.no_owner)
            .clone();
        Some(PortfolioFacts {
            size: self.rows.len() as i64,
            revenue_rank: i64::from(row.rank),
            revenue_share: share(facts.revenue_365, self.total),
            revenue_cum_share: row.cum_share,
            collected_rank: Some(i64::from(row.collected_rank)),
            collected_share: Some(share(facts.collected_365, self.collected_total)),
            collected_cum_share: Some(row.collected_cum_share),
            recency_quintile: i64::from(row.quintiles[0]),
            frequency_quintile: i64::from(row.quintiles[1]),
            monetary_quintile: i64::from(row.quintiles[2]),
            owner_customers: counts.values().sum(),
            owner_grade_counts: counts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{parse_customers, parse_date, portfolio_facts};

    #[test]
    fn the_index_answers_what_the_batch_answers() {
        let text = r#"
{ "id": "b", "owner": "r1", "grade": "A", "purchases": [ { "at": "2026-11-01", "amount": 500 } ] }
{ "id": "a", "owner": "r1", "purchases": [ { "at": "2026-11-01", "amount": 500 } ] }
{ "id": "c", "owner": "r2", "grade": "A", "purchases": [ { "at": "2025-01-01", "amount": 9 } ] }
{ "id": "d" }
{ "id": "e", "purchases": [ { "at": "2026-10-01", "amount": 0.1 }, { "at": "2026-10-02", "amount": 0.2 } ] }
{ "id": "f", "purchases": [ { "at": "2026-11-01", "amount": 700 } ], "receivables": [ { "due": "2026-12-01", "amount": 700 } ] }
{ "id": "g", "purchases": [ { "at": "2026-11-01", "amount": 300 } ], "receivables": [ { "due": "2026-10-01", "amount": 100 } ] }
"#;
        let as_of = parse_date("2026-11-23").unwrap();
        let customers: Vec<Customer> = parse_customers(text)
            .unwrap()
            .into_iter()
            .map(|r| r.result.unwrap())
            .collect();
        let expected = portfolio_facts(&customers, as_of);
        let mut builder = PortfolioIndexBuilder::new(as_of);
        for customer in &customers {
            let facts = Facts::derive(customer, as_of);
            builder
                .push(PortfolioEntry::new(customer.clone(), &facts))
                .unwrap();
        }
        let index = builder.finish();
        assert_eq!(index.len(), customers.len());
        for (k, customer) in customers.iter().enumerate() {
            let facts = Facts::derive(customer, as_of);
            assert_eq!(
                index.facts(k, customer, &facts).as_ref(),
                Some(&expected[k])
            );
        }
        assert_eq!(
            index.facts(
                customers.len(),
                &customers[0],
                &Facts::derive(&customers[0], as_of)
            ),
            None
        );
    }

    /// A line's ordinal is its number less the lines before it that gave no customer; a line
    /// that gave none, or one past the last customer, has none.
    #[test]
    fn lines_find_their_customers_past_the_lines_that_gave_none() {
        let as_of = parse_date("2026-11-23").unwrap();
        let customer = &parse_customers(r#"{ "id": "a" }"#).unwrap()[0];
        let customer = customer.result.as_ref().unwrap();
        let facts = Facts::derive(customer, as_of);
        let mut builder = PortfolioIndexBuilder::new(as_of);
        // Lines 1–9: customers on 2, 3, 5, 8 and 9; lines 1, 4, 6 and 7 gave none.
        for number in 1..=9 {
            if [1, 4, 6, 7].contains(&number) {
                builder.skip_line(number);
            } else {
                builder
                    .push(PortfolioEntry::new(customer.clone(), &facts))
                    .unwrap();
            }
        }
        let index = builder.finish();
        let ordinals: Vec<Option<usize>> = (0..=11).map(|n| index.ordinal_of_line(n)).collect();
        assert_eq!(
            ordinals,
            [
                None,
                None,
                Some(0),
                Some(1),
                None,
                Some(2),
                None,
                None,
                Some(3),
                Some(4),
                None,
                None
            ]
        );
    }
}
