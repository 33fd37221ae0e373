//! The two execution tiers of a policy's scripts: patron's fast tier and rhai's interpreter.

/// Which execution tier runs a policy's scripts.
///
/// patron lowers the scripts it can into a fast tier of Rust closures; a script file using
/// anything outside the rule subset runs in rhai's interpreter, and so does any call the fast
/// tier cannot finish (an error, a limit, a value of an unusual type). Both tiers give the
/// same results; forcing the interpreter is for comparing them and for debugging.
///
/// ```
/// use patron::{Engine, EvaluateOptions, Evaluation, Tier};
/// let engine = Engine::with_default_policy()?;
/// let customer = patron::model::parse_customer(r#"{"id": "C-1", "grade": "C"}"#)?;
/// let as_of = patron::model::parse_date("2026-11-23").unwrap();
/// let fast = engine.evaluate(&customer, as_of)?;
/// let options = EvaluateOptions { tier: Tier::Interpreter, ..EvaluateOptions::default() };
/// let mut slow = Evaluation::default();
/// engine.evaluate_with(&customer, as_of, &options, &mut slow)?;
/// assert_eq!(fast, slow);
/// # Ok::<(), patron::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// The fast tier where it applies, the interpreter elsewhere (the default).
    #[default]
    Auto,
    /// rhai's interpreter only.
    Interpreter,
}
