//! Resource limits for policy scripts: always on, with defaults that stop a hostile script
//! well within a second, and overridable per policy in the `[limits]` table of `policy.toml`.

use serde::{Deserialize, Serialize};

/// Limits applied to every script run. Every field may be set in `policy.toml`:
///
/// ```toml
/// [limits]
/// max_operations = 500000
/// time_budget_ms = 50
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Script operations allowed per entry-function call (default 1,000,000).
    pub max_operations: u64,
    /// Nested function calls allowed (default 32).
    pub max_call_levels: usize,
    /// Expression nesting allowed at top level when compiling (default 64).
    pub max_expr_depth: usize,
    /// Expression nesting allowed inside functions when compiling (default 32).
    pub max_function_expr_depth: usize,
    /// Longest string a script may build, in bytes (default 65,536).
    pub max_string_size: usize,
    /// Largest array a script may build (default 10,000 elements).
    pub max_array_size: usize,
    /// Largest object map a script may build (default 10,000 entries).
    pub max_map_size: usize,
    /// Wall-clock budget for all script calls of one evaluation, in milliseconds (default 100).
    pub time_budget_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 1_000_000,
            max_call_levels: 32,
            max_expr_depth: 64,
            max_function_expr_depth: 32,
            max_string_size: 64 * 1024,
            max_array_size: 10_000,
            max_map_size: 10_000,
            time_budget_ms: 100,
        }
    }
}

impl Limits {
    /// Applies the limits that rhai enforces itself to `engine` (the time budget is enforced
    /// by the runtime's progress callback).
    pub(crate) fn apply(&self, engine: &mut rhai::Engine) {
        engine
            .set_max_operations(self.max_operations)
            .set_max_call_levels(self.max_call_levels)
            .set_max_expr_depths(self.max_expr_depth, self.max_function_expr_depth)
            .set_max_string_size(self.max_string_size)
            .set_max_array_size(self.max_array_size)
            .set_max_map_size(self.max_map_size);
    }
}
