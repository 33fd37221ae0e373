//! Ordered name lists of a policy: the grade scale (highest first) and the stage pipeline
//! (earliest first).

use serde::{Deserialize, Serialize};

/// An ordered list of names where position means rank: grades highest first, stages
/// earliest first.
///
/// ```
/// let scale = patron::model::Ladder::new(["A", "B", "C"]);
/// assert_eq!(scale.step("C", -1), Some("B"));
/// assert_eq!(scale.step("A", -1), Some("A")); // never above the top
/// assert_eq!(scale.step("C", 1), Some("C"));  // never below the bottom
/// assert_eq!(scale.rank("Z"), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Ladder {
    names: Vec<String>,
}

/// The grade scale of a policy, highest grade first.
pub type GradeScale = Ladder;
/// The development-stage pipeline of a policy, earliest stage first.
pub type StagePipeline = Ladder;

impl Ladder {
    /// A ladder from names in rank order.
    pub fn new<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Self {
        Ladder {
            names: names.into_iter().map(Into::into).collect(),
        }
    }

    /// The names in rank order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Position of `name` (0 = first), or `None` when it is not on the ladder.
    pub fn rank(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// Whether `name` is on the ladder.
    pub fn contains(&self, name: &str) -> bool {
        self.rank(name).is_some()
    }

    /// The name at `rank`, if any.
    pub fn at(&self, rank: usize) -> Option<&str> {
        self.names.get(rank).map(String::as_str)
    }

    /// Moves `steps` positions from `name` (negative = towards the first), stopping at either
    /// end. `None` when `name` is not on the ladder.
    pub fn step(&self, name: &str, steps: i64) -> Option<&str> {
        let rank = self.rank(name)? as i64;
        let last = self.names.len() as i64 - 1;
        self.at((rank + steps).clamp(0, last) as usize)
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the ladder is empty.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}
