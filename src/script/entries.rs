//! The entry functions a policy's scripts define, and in which file.

/// One entry function the engine calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// The script file, e.g. `promote.rhai`.
    pub file: &'static str,
    /// The function name.
    pub function: &'static str,
    /// Its parameters, for messages.
    pub params: &'static [&'static str],
    /// Whether a policy must define it (an optional file may be absent altogether).
    pub required: bool,
    /// Its position in [`ENTRIES`], for per-entry tables.
    pub(crate) slot: usize,
}

impl Entry {
    /// Number of parameters.
    pub fn arity(&self) -> usize {
        self.params.len()
    }

    /// `file::function`, for traces and messages.
    pub fn qualified(&self) -> String {
        format!("{}::{}", self.file, self.function)
    }
}

/// `score(c)` → an array of `part(...)` values (or a number).
pub const SCORE: Entry = Entry {
    file: "score.rhai",
    function: "score",
    params: &["c"],
    required: true,
    slot: 0,
};
/// `grade(c, score)` → `set_grade(...)` or `keep_grade(...)`.
pub const GRADE: Entry = Entry {
    file: "promote.rhai",
    function: "grade",
    params: &["c", "score"],
    required: true,
    slot: 1,
};
/// `stage(c)` → `set_stage(...)` or `keep_stage(...)`.
pub const STAGE: Entry = Entry {
    file: "promote.rhai",
    function: "stage",
    params: &["c"],
    required: true,
    slot: 2,
};
/// `visits(c, grade)` → `cadence(calls_per_week, visits_per_month, reason)`.
pub const VISITS: Entry = Entry {
    file: "visits.rhai",
    function: "visits",
    params: &["c", "grade"],
    required: true,
    slot: 3,
};
/// `actions(c, grade)` → an array of `action(kind, due, reason)`; `actions.rhai` is optional.
pub const ACTIONS: Entry = Entry {
    file: "actions.rhai",
    function: "actions",
    params: &["c", "grade"],
    required: false,
    slot: 4,
};

/// `labels(c, grade)` → a map of policy-defined labels (e.g. a prospect class or follow-up
/// type) with string values; `labels.rhai` is optional.
pub const LABELS: Entry = Entry {
    file: "labels.rhai",
    function: "labels",
    params: &["c", "grade"],
    required: false,
    slot: 5,
};

/// Every entry function, in the order the engine calls them.
pub const ENTRIES: [Entry; 6] = [SCORE, GRADE, STAGE, VISITS, ACTIONS, LABELS];

#[cfg(test)]
mod tests {
    use super::ENTRIES;

    #[test]
    fn each_entry_knows_its_slot() {
        for (i, entry) in ENTRIES.iter().enumerate() {
            assert_eq!(entry.slot, i, "{}", entry.function);
        }
    }
}
