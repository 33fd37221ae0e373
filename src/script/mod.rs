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
mod limits;
mod params;
mod runtime;
mod tier;
mod view;

pub use catalog::{script_api, ScriptApi, ScriptFunction};
pub(crate) use compile::{check_scripts, ScriptCheck};
pub use decisions::{CadenceDecision, Decision};
pub(crate) use entries::ENTRIES;
pub use entries::{Entry, ACTIONS, GRADE, LABELS, SCORE, STAGE, VISITS};
pub(crate) use fast::{Decided, Returned};
pub use limits::Limits;
pub(crate) use runtime::{with_runtime, ScriptRuntime, ScriptSource};
pub use tier::Tier;
pub(crate) use view::CustomerView;

/// The ladders the fast tier's natives check names against.
fn natives_env(vocabulary: &api::Vocabulary) -> fast::natives::Ladders {
    fast::natives::Ladders {
        grades: vocabulary.grades.clone(),
        stages: vocabulary.stages.clone(),
        max_string_size: vocabulary.max_string_size,
    }
}
