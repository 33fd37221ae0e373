//! How many entry-function calls each execution tier finished, counted per loaded policy
//! with relaxed atomics (one add per evaluation), so that a test — or an operator — can see
//! that the fast tier really runs and how often it hands a call back to rhai.

use std::sync::atomic::{AtomicU64, Ordering};

/// Entry-function calls (`score`, `grade`, `stage`, `visits`, `actions`, `labels`) counted by
/// the tier that ran them: see [`Engine::tier_counts`](crate::Engine::tier_counts).
///
/// Every call is counted once in `fast` or once in `interpreted`; a call the fast tier
/// started and handed back (an error, a limit, a value of a type it does not handle) is
/// counted in `bailed` *and* in `interpreted`, since rhai then ran it.
///
/// ```
/// use patron::{model::parse_date, Engine, EvaluateOptions, Tier};
///
/// let engine = Engine::with_default_policy()?;
/// let customer = patron::model::parse_customer(r#"{"id": "C-1", "grade": "C"}"#)?;
/// let as_of = parse_date("2026-11-23")?;
/// let before = engine.tier_counts();
/// engine.evaluate(&customer, as_of)?;
/// let counts = engine.tier_counts().since(before);
/// assert_eq!((counts.fast, counts.bailed, counts.interpreted), (5, 0, 0));
///
/// let before = engine.tier_counts();
/// let forced = EvaluateOptions { tier: Tier::Interpreter, ..EvaluateOptions::default() };
/// engine.evaluate_with(&customer, as_of, &forced, &mut patron::Evaluation::default())?;
/// let counts = engine.tier_counts().since(before);
/// assert_eq!((counts.fast, counts.bailed, counts.interpreted), (0, 0, 5));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TierCounts {
    /// Calls the fast tier finished (with a result).
    pub fast: u64,
    /// Calls the fast tier started and handed back to rhai (`Flow::Bail`).
    pub bailed: u64,
    /// Calls rhai's interpreter ran: forced by [`Tier::Interpreter`](crate::Tier), in a
    /// script file the fast tier does not cover, or handed back by the fast tier.
    pub interpreted: u64,
}

impl TierCounts {
    /// The calls counted since `earlier`, a snapshot of the same counter.
    pub fn since(self, earlier: TierCounts) -> TierCounts {
        TierCounts {
            fast: self.fast.wrapping_sub(earlier.fast),
            bailed: self.bailed.wrapping_sub(earlier.bailed),
            interpreted: self.interpreted.wrapping_sub(earlier.interpreted),
        }
    }

    /// Whether no call was counted.
    pub fn is_empty(&self) -> bool {
        *self == TierCounts::default()
    }
}

/// The shared counters behind [`TierCounts`].
#[derive(Debug, Default)]
pub(crate) struct TierCounters {
    fast: AtomicU64,
    bailed: AtomicU64,
    interpreted: AtomicU64,
}

impl TierCounters {
    /// Adds the counts of one evaluation (only the non-zero ones touch the atomics).
    pub(crate) fn add(&self, counts: TierCounts) {
        for (counter, n) in [
            (&self.fast, counts.fast),
            (&self.bailed, counts.bailed),
            (&self.interpreted, counts.interpreted),
        ] {
            if n > 0 {
                counter.fetch_add(n, Ordering::Relaxed);
            }
        }
    }

    /// The counts so far.
    pub(crate) fn get(&self) -> TierCounts {
        TierCounts {
            fast: self.fast.load(Ordering::Relaxed),
            bailed: self.bailed.load(Ordering::Relaxed),
            interpreted: self.interpreted.load(Ordering::Relaxed),
        }
    }
}
