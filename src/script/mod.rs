//! The rhai sandbox: one rhai `Engine` per policy and thread, built once with limits always
//! on, the project's API registered on it (customer facts, dates, `params`, score parts,
//! grade and stage decisions, cadence, actions), and no access to files, network, clock or
//! environment.

mod api;
mod catalog;
mod compile;
mod decisions;
mod entries;
mod errors;
mod fast;
mod fold;
mod functions;
mod limits;
mod params;
mod runtime;
mod tier;
mod tier_counts;
mod view;

pub use catalog::{script_api, ScriptApi, ScriptFunction};
pub(crate) use compile::{check_scripts, ScriptCheck};
pub(crate) use decisions::{label_text, Decided, MadePart, Returned};
pub use decisions::{CadenceDecision, Decision};
pub(crate) use entries::ENTRIES;
pub use entries::{Entry, ACTIONS, GRADE, LABELS, SCORE, STAGE, VISITS};
pub use limits::Limits;
pub(crate) use runtime::{with_runtime, ScriptRuntime, ScriptSource};
pub use tier::Tier;
pub(crate) use tier_counts::TierCounters;
pub use tier_counts::TierCounts;
pub(crate) use view::{CustomerView, Derive, ViewFacts};

/// The vocabulary the fast tier's natives check names against.
fn natives_env(vocabulary: &std::rc::Rc<api::Vocabulary>) -> fast::natives::Ladders {
    vocabulary.clone()
}
