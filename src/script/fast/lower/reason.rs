//! Reasons kept as templates: an interpolated string passed straight as the reason of a
//! decision, a cadence or an action (`set_grade("A", `first purchase on ${…}`)`) is lowered
//! to a closure that collects the values of its `${…}` instead of writing them into a
//! string; the result's [`Reason`](crate::model::Reason) writes them when it is read, with
//! the writer interpolated strings use. The function itself runs as on any string (it is
//! passed an empty one, and its result's reason replaced after: what it checks is never the
//! reason), so both tiers still run its one Rust function. Every other interpolated string
//! — added to, compared, passed to a script function, returned — is built as text by `expr`.

use std::sync::Arc;

use rhai::{Expr, FnCallExpr, ImmutableString};

use super::super::natives::{self, ProducingNative};
use super::super::ops::bail;
use super::super::{Code, Flow, Machine, Value};
use super::{Lowerer, NO_ARG};
use crate::model::{ReasonArg, Template};
use crate::script::decisions::{ReasonTemplate, ScriptReason};

/// A lowered reason: the template with its values, or (when it might pass the string size
/// limit) the text.
pub(super) type ReasonCode = Box<dyn Fn(&mut Machine) -> Result<ScriptReason, Flow>>;

/// The most bytes `value` can take in text (a bound, not the length: numbers and dates are
/// not written to know).
fn longest_text(value: &Value) -> usize {
    match value {
        Value::Str(text) => text.len(),
        Value::Int(_) => 20,
        // At most 17 significant digits, 13 zeros after the point, a sign and `0.`; an
        // exponent takes fewer.
        Value::Float(_) => 40,
        Value::Date(_) => 16,
        Value::Bool(_) => 5,
        Value::Unit | Value::Dyn(_) => 0,
    }
}

/// Evaluates `args` in order, `reason` just before the argument `at` (whose code gives the
/// placeholder), then runs `f` on the values.
pub(super) fn with_reason_args<T>(
    m: &mut Machine,
    args: &[Code],
    at: usize,
    reason: &ReasonCode,
    f: impl FnOnce(&mut [Value]) -> Result<T, Flow>,
) -> Result<(ScriptReason, T), Flow> {
    let mut small = [NO_ARG; 4];
    let mut large = Vec::new();
    let values: &mut [Value] = match small.get_mut(..args.len()) {
        Some(values) => values,
        None => {
            large.resize(args.len(), Value::Unit);
            &mut large
        }
    };
    let mut made = None;
    for (i, (code, value)) in args.iter().zip(values.iter_mut()).enumerate() {
        if i == at {
            made = Some(reason(m)?);
        }
        *value = code(m)?;
    }
    let result = f(values)?;
    Ok((made.ok_or(Flow::Bail)?, result))
}

impl Lowerer<'_> {
    /// The argument of `call` (of a function of patron's table) that is its reason, when it
    /// is an interpolated string the tier keeps as a template.
    pub(super) fn template_arg(&self, call: &FnCallExpr) -> Option<usize> {
        let at = natives::reason_param(&call.name, call.args.len())?;
        matches!(call.args.get(at)?, Expr::InterpolatedString(..)).then_some(at)
    }

    /// The arguments of `call`, the one `at` (its reason) lowered as a template and
    /// replaced by an empty string.
    pub(super) fn reason_args(
        &mut self,
        call: &FnCallExpr,
        at: usize,
    ) -> Option<(Vec<Code>, ReasonCode)> {
        let mut reason = None;
        let mut args = Vec::with_capacity(call.args.len());
        for (i, arg) in call.args.iter().enumerate() {
            if i == at {
                reason = Some(self.template(arg)?);
                let empty = ImmutableString::new();
                args.push(Box::new(move |_: &mut Machine| Ok(Value::Str(empty.clone()))) as Code);
            } else {
                args.push(self.expr(arg)?);
            }
        }
        Some((args, reason?))
    }

    /// A call of `native` whose reason (argument `at`) is a template.
    pub(super) fn call_with_template(
        &mut self,
        call: &FnCallExpr,
        at: usize,
        native: ProducingNative,
        line: usize,
    ) -> Option<Code> {
        let (args, reason) = self.reason_args(call, at)?;
        Some(Box::new(move |m| {
            let (reason, produced) =
                with_reason_args(m, &args, at, &reason, |values| native(values, line))?;
            match produced.with_reason(reason) {
                Some(produced) => Ok(natives::produced_value(produced)),
                None => bail(),
            }
        }))
    }

    /// Lowers the interpolated string `expr` to a template (counted as `expr` counts the
    /// string).
    fn template(&mut self, expr: &Expr) -> Option<ReasonCode> {
        let Expr::InterpolatedString(parts, _) = expr else {
            return self.refuse("a reason template that is not an interpolated string".into());
        };
        self.nodes += 1;
        let mut pieces = vec![String::new()];
        let mut values = Vec::new();
        for part in parts.iter() {
            match part {
                Expr::StringConstant(literal, _) => {
                    self.nodes += 1;
                    pieces.last_mut()?.push_str(literal);
                }
                _ => {
                    values.push(self.expr(part)?);
                    pieces.push(String::new());
                }
            }
        }
        let template = Arc::new(Template::new(
            pieces.into_iter().map(String::into_boxed_str).collect(),
        ));
        let literal_len = template.literal_len();
        Some(Box::new(move |m| {
            let mut args: Vec<ReasonArg<ImmutableString>> = Vec::with_capacity(values.len());
            let mut longest = literal_len;
            for code in &values {
                let value = code(m)?;
                longest += longest_text(&value);
                args.push(value.into_reason_arg().ok_or(Flow::Bail)?);
            }
            let reason = ReasonTemplate {
                template: Arc::clone(&template),
                args,
            };
            let max = m.max_string_size();
            if max > 0 && longest > max {
                // It might pass the limit: written now, as `expr` writes the string.
                let text = reason.text();
                if text.len() > max {
                    return bail();
                }
                return Ok(ScriptReason::Text(text.into()));
            }
            Ok(ScriptReason::Template(reason))
        }))
    }
}
