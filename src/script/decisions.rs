//! What scripts return: score parts, grade and stage decisions, cadence, actions. Each
//! decision records the script position of the call that made it, so that a result can say
//! which rule decided (`promote.rhai:14`).

use rhai::{Dynamic, ImmutableString};

use super::fast::MapReturned;
use crate::model::{Action, Date, ScorePart};

/// A grade or stage decision made by a script: the target (or `None` to keep the current
/// one), the reason, and where in the script it was made. The texts are the script's own
/// strings, shared rather than copied.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The new grade or stage; `None` keeps the current one.
    pub to: Option<ImmutableString>,
    /// One plain sentence saying why.
    pub reason: ImmutableString,
    /// Line of the deciding call in its script.
    pub line: usize,
}

/// The cadence a script asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct CadenceDecision {
    /// Calls per week.
    pub calls_per_week: f64,
    /// Visits per month.
    pub visits_per_month: f64,
    /// Why.
    pub reason: ImmutableString,
    /// Line of the deciding call.
    pub line: usize,
}

/// Attainment of an indicator in 0–1: `actual / standard` when higher is better,
/// `standard / actual` when lower is better, clamped.
pub(crate) fn attainment(standard: f64, actual: f64, higher_is_better: bool) -> f64 {
    let ratio = if higher_is_better {
        if standard <= 0.0 {
            return if actual >= standard { 1.0 } else { 0.0 };
        }
        actual / standard
    } else if actual <= standard || actual <= 0.0 {
        1.0
    } else {
        standard / actual
    };
    if ratio.is_finite() {
        ratio.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// A score part with its points computed: `weight × 100 × attainment`.
pub(crate) fn score_part(
    indicator: &ImmutableString,
    weight: f64,
    standard: f64,
    actual: f64,
    higher_is_better: bool,
) -> MadePart {
    MadePart {
        indicator: Indicator::Shared(indicator.clone()),
        weight,
        standard,
        actual,
        points: weight * 100.0 * attainment(standard, actual, higher_is_better),
    }
}

/// The name of a [`MadePart`]'s indicator: the script's string, shared, or the `String` of
/// a [`ScorePart`] a script value held.
#[derive(Debug, Clone)]
pub(crate) enum Indicator {
    Shared(ImmutableString),
    Owned(String),
}

impl Indicator {
    /// The name.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Indicator::Shared(name) => name,
            Indicator::Owned(name) => name,
        }
    }
}

/// A score part as `part(…)` makes it: a [`ScorePart`] whose indicator is still the
/// script's string, so that making it allocates nothing; the engine copies the name into
/// the result's part (into the allocation of the part it held, when reused).
#[derive(Debug, Clone)]
pub(crate) struct MadePart {
    pub(crate) indicator: Indicator,
    pub(crate) weight: f64,
    pub(crate) standard: f64,
    pub(crate) actual: f64,
    pub(crate) points: f64,
}

impl MadePart {
    /// The part as scripts and results hold it.
    pub(crate) fn into_score_part(self) -> ScorePart {
        ScorePart {
            indicator: match self.indicator {
                Indicator::Shared(name) => String::from(name.as_str()),
                Indicator::Owned(name) => name,
            },
            weight: self.weight,
            standard: self.standard,
            actual: self.actual,
            points: self.points,
        }
    }
}

impl From<ScorePart> for MadePart {
    fn from(part: ScorePart) -> MadePart {
        MadePart {
            indicator: Indicator::Owned(part.indicator),
            weight: part.weight,
            standard: part.standard,
            actual: part.actual,
            points: part.points,
        }
    }
}

/// A decision an entry function returned directly (`return set_grade(…)`, or a
/// `keep_stage(…)` as its last statement), handed to the engine as it is: boxing it into a
/// script value and out again costs four allocations. (Made by the fast tier, and by the
/// functions of `functions::FUNCTIONS`.)
pub(crate) enum Decided {
    Decision(Decision),
    Cadence(CadenceDecision),
    /// The score parts of an array literal of `part(…)` values an entry function returns
    /// (`score`): boxing each part into a script value and out again costs two allocations
    /// per part, and the array two more.
    Parts(Vec<MadePart>),
}

impl Decided {
    /// The decision as a script value.
    pub(crate) fn into_dynamic(self) -> Dynamic {
        match self {
            Decided::Decision(decision) => Dynamic::from(decision),
            Decided::Cadence(cadence) => Dynamic::from(cadence),
            Decided::Parts(parts) => Dynamic::from_array(
                parts
                    .into_iter()
                    .map(|part| Dynamic::from(part.into_score_part()))
                    .collect(),
            ),
        }
    }
}

/// A label's value as the result gives it: a string as it is, a date as `2026-11-23`, any
/// other value as rhai writes it (`to_string`; rhai would write a date's type name).
pub(crate) fn label_text(value: &Dynamic) -> String {
    match value.read_lock::<Date>() {
        Some(date) => date.to_string(),
        None => value.to_string(),
    }
}

/// What an entry function returned.
pub(crate) enum Returned {
    Value(Dynamic),
    Decided(Decided),
    /// An array of actions the fast tier made (`actions`), handed over unboxed: boxing
    /// each action into a script value and out again costs two allocations per action, and
    /// the array two more.
    Actions(Vec<Action>),
    /// An object map the fast tier made (`labels`), its values still the tier's.
    Map(MapReturned),
}

impl Returned {
    /// The result as a script value.
    pub(crate) fn into_dynamic(self) -> Dynamic {
        match self {
            Returned::Value(value) => value,
            Returned::Decided(decided) => decided.into_dynamic(),
            Returned::Actions(actions) => {
                Dynamic::from_array(actions.into_iter().map(Dynamic::from).collect())
            }
            Returned::Map(map) => map.into_dynamic(),
        }
    }
}
