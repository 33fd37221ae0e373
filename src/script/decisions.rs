//! What scripts return: score parts, grade and stage decisions, cadence, actions. Each
//! decision records the script position of the call that made it, so that a result can say
//! which rule decided (`promote.rhai:14`).

use std::sync::Arc;

use rhai::{Dynamic, ImmutableString};

use crate::model::{Reason, ReasonArg, ScorePart, Template};

/// The reason of a decision as a script made it: the script's own string, or — made by the
/// fast tier from an interpolated string passed straight to the decision — the string's
/// template and its values, written only when the result's reason is read (see
/// [`Reason`]).
#[derive(Debug, Clone)]
pub enum ScriptReason {
    /// A string.
    Text(ImmutableString),
    /// A template and its values.
    Template(ReasonTemplate),
}

/// An interpolated string's literal pieces and the values of its `${…}`, in order.
#[derive(Debug, Clone)]
pub struct ReasonTemplate {
    pub(crate) template: Arc<Template>,
    pub(crate) args: Vec<ReasonArg<ImmutableString>>,
}

impl ReasonTemplate {
    /// The values, with their texts borrowed.
    pub(crate) fn args(&self) -> impl Iterator<Item = ReasonArg<&str>> {
        self.args.iter().map(ReasonArg::as_ref)
    }

    /// The text it stands for.
    pub(crate) fn text(&self) -> String {
        let mut text = String::with_capacity(self.template.literal_len() + 16 * self.args.len());
        let _ = self.template.write(&mut text, self.args());
        text
    }
}

impl ScriptReason {
    /// Sets `into` to this reason, reusing its allocations.
    pub(crate) fn write_into(&self, into: &mut Reason) {
        match self {
            ScriptReason::Text(text) => into.set_text(text),
            ScriptReason::Template(t) => into.set_template(&t.template, t.args()),
        }
    }

    /// This reason as a result's.
    pub(crate) fn to_reason(&self) -> Reason {
        match self {
            ScriptReason::Text(text) => Reason::from(text.as_str()),
            ScriptReason::Template(t) => Reason::template(&t.template, t.args()),
        }
    }
}

impl From<ImmutableString> for ScriptReason {
    fn from(text: ImmutableString) -> ScriptReason {
        ScriptReason::Text(text)
    }
}

/// A grade or stage decision made by a script: the target (or `None` to keep the current
/// one), the reason, and where in the script it was made. The texts are the script's own
/// strings, shared rather than copied.
#[derive(Debug, Clone)]
pub struct Decision {
    /// The new grade or stage; `None` keeps the current one.
    pub to: Option<ImmutableString>,
    /// One plain sentence saying why.
    pub reason: ScriptReason,
    /// Line of the deciding call in its script.
    pub line: usize,
}

/// The cadence a script asks for.
#[derive(Debug, Clone)]
pub struct CadenceDecision {
    /// Calls per week.
    pub calls_per_week: f64,
    /// Visits per month.
    pub visits_per_month: f64,
    /// Why.
    pub reason: ScriptReason,
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
    indicator: &str,
    weight: f64,
    standard: f64,
    actual: f64,
    higher_is_better: bool,
) -> ScorePart {
    ScorePart {
        indicator: indicator.to_string(),
        weight,
        standard,
        actual,
        points: weight * 100.0 * attainment(standard, actual, higher_is_better),
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
    Parts(Vec<ScorePart>),
}

impl Decided {
    /// The decision with `reason` as its reason; `None` for score parts.
    pub(crate) fn with_reason(self, reason: ScriptReason) -> Option<Decided> {
        match self {
            Decided::Decision(mut decision) => {
                decision.reason = reason;
                Some(Decided::Decision(decision))
            }
            Decided::Cadence(mut cadence) => {
                cadence.reason = reason;
                Some(Decided::Cadence(cadence))
            }
            Decided::Parts(_) => None,
        }
    }

    /// The decision as a script value.
    pub(crate) fn into_dynamic(self) -> Dynamic {
        match self {
            Decided::Decision(decision) => Dynamic::from(decision),
            Decided::Cadence(cadence) => Dynamic::from(cadence),
            Decided::Parts(parts) => {
                Dynamic::from_array(parts.into_iter().map(Dynamic::from).collect())
            }
        }
    }
}

/// What an entry function returned.
pub(crate) enum Returned {
    Value(Dynamic),
    Decided(Decided),
}

impl Returned {
    /// The result as a script value.
    pub(crate) fn into_dynamic(self) -> Dynamic {
        match self {
            Returned::Value(value) => value,
            Returned::Decided(decided) => decided.into_dynamic(),
        }
    }
}
