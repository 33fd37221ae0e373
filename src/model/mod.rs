//! Plain data: the customer record of the JSON contract, the facts derived from it, and the
//! evaluation result. Nothing here knows about scripts or policies.

mod csv;
mod customer;
mod date;
mod digits;
mod entry_scan;
mod entry_skim;
mod evaluation;
mod evaluation_json;
mod fact_scan;
mod fact_skim;
mod facts;
mod parse;
mod portfolio;
mod portfolio_index;
mod reuse;
mod scale;
#[cfg(test)]
mod scan_corpus;
mod shadow;
mod skim;
mod text;

pub use self::csv::customers_csv_to_json_lines;
pub use customer::{Complaint, Contract, Customer, Interaction, Prospect, Purchase, Receivable};
pub(crate) use date::days_between;
pub use date::{add_days, parse_date, saturating_add_days, Date};
pub(crate) use digits::{date_digits, push_decimal};
pub(crate) use entry_scan::scan_line;
pub use evaluation::{
    Action, Evaluation, GradeChange, PolicyStamp, Score, ScorePart, StageChange, TraceClause,
    TraceEntry, Visits,
};
pub(crate) use fact_scan::{parse_customer_with_facts, parse_customers_with_facts};
pub use fact_scan::{parse_line_with_facts, FoldedRecord};
pub use facts::{Facts, ReceivableFact};
#[cfg(feature = "arrow")]
pub(crate) use parse::validate as validate_customer;
pub use parse::{parse_customer, parse_customers, parse_line, ParsedRecord};
pub use portfolio::{portfolio_facts, portfolio_facts_from, PortfolioFacts};
pub use portfolio_index::PortfolioIndex;
pub(crate) use portfolio_index::{fold_hash, record_hash, PortfolioEntry, PortfolioIndexBuilder};
pub(crate) use reuse::clone_option_from;
pub use scale::{GradeScale, Ladder, StagePipeline};
