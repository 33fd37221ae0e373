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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// Ceilings a policy cannot raise limits above: deeper recursion would overflow a thread's
/// stack (and abort the host process) before rhai's own check fires. Operations have no
/// ceiling: the time budget bounds a run whatever their count.
pub const CEILINGS: Limits = Limits {
    max_operations: u64::MAX,
    max_call_levels: 64,
    max_expr_depth: 64,
    max_function_expr_depth: 64,
    max_string_size: 16 * 1024 * 1024,
    max_array_size: 1_000_000,
    max_map_size: 1_000_000,
    time_budget_ms: 60_000,
};

impl Limits {
    /// Checks that every limit is on and within `CEILINGS`; rhai reads 0 as "unlimited",
    /// which a policy may not ask for (only `max_operations` may be 0, since the time budget
    /// still bounds the run). Returns the offending key and why.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        let c = &CEILINGS;
        let checks: [(&'static str, u64, u64, bool); 8] = [
            (
                "max_operations",
                self.max_operations,
                c.max_operations,
                true,
            ),
            (
                "max_call_levels",
                self.max_call_levels as u64,
                c.max_call_levels as u64,
                false,
            ),
            (
                "max_expr_depth",
                self.max_expr_depth as u64,
                c.max_expr_depth as u64,
                false,
            ),
            (
                "max_function_expr_depth",
                self.max_function_expr_depth as u64,
                c.max_function_expr_depth as u64,
                false,
            ),
            (
                "max_string_size",
                self.max_string_size as u64,
                c.max_string_size as u64,
                false,
            ),
            (
                "max_array_size",
                self.max_array_size as u64,
                c.max_array_size as u64,
                false,
            ),
            (
                "max_map_size",
                self.max_map_size as u64,
                c.max_map_size as u64,
                false,
            ),
            (
                "time_budget_ms",
                self.time_budget_ms,
                c.time_budget_ms,
                false,
            ),
        ];
        for (key, value, ceiling, zero_allowed) in checks {
            if value == 0 && !zero_allowed {
                return Err((
                    key,
                    format!("`limits.{key}` must be at least 1 (0 would lift the limit)"),
                ));
            }
            if value > ceiling {
                return Err((
                    key,
                    format!("`limits.{key}` = {value} is above the ceiling of {ceiling}"),
                ));
            }
        }
        Ok(())
    }

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
