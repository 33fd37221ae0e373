//! An evaluation written as compact JSON directly, byte for byte what `serde_json` writes for
//! it through its `Serialize` (the same keys in the same order, the same fields left out, the
//! same escapes, numbers and dates), without serde's map machinery: the keys are constants
//! written whole, and a string is copied whole unless it has a character JSON escapes.
//!
//! Through serde, writing took a seventh of a stream's instructions, two fifths of
//! that scanning keys and short strings a byte at a time. The few parts that are rare or
//! irregular (a trace, a string with an escape, a date outside the years 0–9999) are handed
//! to `serde_json` itself, so that they cannot differ.

use std::collections::BTreeMap;

use super::date::Date;
use super::digits::date_digits;
use super::evaluation::{
    Action, Evaluation, GradeChange, PolicyStamp, Score, ScorePart, StageChange, Visits,
};
use super::portfolio::PortfolioFacts;

impl Evaluation {
    /// Appends this evaluation as compact JSON to `out`: the same bytes as
    /// `serde_json::to_writer(out, self)`, written faster (the keys whole, the strings
    /// whole unless they need an escape).
    ///
    /// ```
    /// use patron::{model::{parse_customer, parse_date}, Engine};
    ///
    /// let engine = Engine::with_default_policy()?;
    /// let customer = parse_customer(r#"{ "id": "C-\"1\"\t" }"#)?;
    /// let evaluation = engine.evaluate(&customer, parse_date("2026-11-23")?)?;
    /// let mut out = Vec::new();
    /// evaluation.write_json(&mut out);
    /// assert_eq!(out, serde_json::to_vec(&evaluation)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_json(&self, out: &mut Vec<u8>) {
        // Every field named: a field added to `Evaluation` must be written here too.
        let Evaluation {
            customer_id,
            as_of,
            policy,
            score,
            grade,
            stage,
            visits,
            actions,
            portfolio,
            labels,
            trace,
        } = self;
        out.extend_from_slice(b"{\"customer_id\":");
        string(out, customer_id);
        out.extend_from_slice(b",\"as_of\":");
        date(out, *as_of);
        out.extend_from_slice(b",\"policy\":");
        policy_stamp(out, policy);
        out.extend_from_slice(b",\"score\":");
        score_of(out, score);
        out.extend_from_slice(b",\"grade\":");
        grade_change(out, grade);
        out.extend_from_slice(b",\"stage\":");
        stage_change(out, stage);
        out.extend_from_slice(b",\"visits\":");
        visits_of(out, visits);
        out.extend_from_slice(b",\"actions\":[");
        for (at, action) in actions.iter().enumerate() {
            if at > 0 {
                out.push(b',');
            }
            action_of(out, action);
        }
        out.push(b']');
        if let Some(portfolio) = portfolio {
            out.extend_from_slice(b",\"portfolio\":");
            portfolio_facts(out, portfolio);
        }
        if !labels.is_empty() {
            out.extend_from_slice(b",\"labels\":");
            string_map(out, labels, |out, value| string(out, value));
        }
        if let Some(trace) = trace {
            out.extend_from_slice(b",\"trace\":");
            by_serde(out, trace);
        }
        out.push(b'}');
    }
}

fn policy_stamp(out: &mut Vec<u8>, stamp: &PolicyStamp) {
    let PolicyStamp {
        name,
        version,
        hash,
    } = stamp;
    out.extend_from_slice(b"{\"name\":");
    string(out, name);
    out.extend_from_slice(b",\"version\":");
    string(out, version);
    out.extend_from_slice(b",\"hash\":");
    string(out, hash);
    out.push(b'}');
}

fn score_of(out: &mut Vec<u8>, score: &Score) {
    let Score { total, parts } = score;
    out.extend_from_slice(b"{\"total\":");
    float(out, *total);
    out.extend_from_slice(b",\"parts\":[");
    for (at, part) in parts.iter().enumerate() {
        if at > 0 {
            out.push(b',');
        }
        let ScorePart {
            indicator,
            weight,
            standard,
            actual,
            points,
        } = part;
        out.extend_from_slice(b"{\"indicator\":");
        string(out, indicator);
        out.extend_from_slice(b",\"weight\":");
        float(out, *weight);
        out.extend_from_slice(b",\"standard\":");
        float(out, *standard);
        out.extend_from_slice(b",\"actual\":");
        float(out, *actual);
        out.extend_from_slice(b",\"points\":");
        float(out, *points);
        out.push(b'}');
    }
    out.extend_from_slice(b"]}");
}

fn grade_change(out: &mut Vec<u8>, change: &GradeChange) {
    let GradeChange {
        from,
        to,
        changed,
        reason,
        rule,
    } = change;
    change_of(out, from.as_deref(), to, *changed, reason, rule);
}

fn stage_change(out: &mut Vec<u8>, change: &StageChange) {
    let StageChange {
        from,
        to,
        changed,
        reason,
        rule,
    } = change;
    change_of(out, from.as_deref(), to, *changed, reason, rule);
}

/// A grade's or a stage's change: the two types have the same fields.
fn change_of(
    out: &mut Vec<u8>,
    from: Option<&str>,
    to: &str,
    changed: bool,
    reason: &str,
    rule: &str,
) {
    out.extend_from_slice(b"{\"from\":");
    optional_string(out, from);
    out.extend_from_slice(b",\"to\":");
    string(out, to);
    out.extend_from_slice(b",\"changed\":");
    boolean(out, changed);
    out.extend_from_slice(b",\"reason\":");
    string(out, reason);
    out.extend_from_slice(b",\"rule\":");
    string(out, rule);
    out.push(b'}');
}

fn visits_of(out: &mut Vec<u8>, visits: &Visits) {
    let Visits {
        calls_per_week,
        visits_per_month,
        next_call_due,
        next_visit_due,
        overdue,
        days_overdue,
        reason,
        rule,
    } = visits;
    out.extend_from_slice(b"{\"calls_per_week\":");
    float(out, *calls_per_week);
    out.extend_from_slice(b",\"visits_per_month\":");
    float(out, *visits_per_month);
    out.extend_from_slice(b",\"next_call_due\":");
    optional_date(out, *next_call_due);
    out.extend_from_slice(b",\"next_visit_due\":");
    optional_date(out, *next_visit_due);
    out.extend_from_slice(b",\"overdue\":");
    boolean(out, *overdue);
    out.extend_from_slice(b",\"days_overdue\":");
    integer(out, *days_overdue);
    out.extend_from_slice(b",\"reason\":");
    string(out, reason);
    rule_unless_empty(out, rule);
    out.push(b'}');
}

fn action_of(out: &mut Vec<u8>, action: &Action) {
    // `line` is not serialised (`#[serde(skip)]`).
    let Action {
        kind,
        due,
        reason,
        rule,
        line: _,
    } = action;
    out.extend_from_slice(b"{\"kind\":");
    string(out, kind);
    out.extend_from_slice(b",\"due\":");
    date(out, *due);
    out.extend_from_slice(b",\"reason\":");
    string(out, reason);
    rule_unless_empty(out, rule);
    out.push(b'}');
}

/// `,"rule":…`, left out when the rule is empty (`skip_serializing_if = "String::is_empty"`).
fn rule_unless_empty(out: &mut Vec<u8>, rule: &str) {
    if !rule.is_empty() {
        out.extend_from_slice(b",\"rule\":");
        string(out, rule);
    }
}

fn portfolio_facts(out: &mut Vec<u8>, facts: &PortfolioFacts) {
    let PortfolioFacts {
        size,
        revenue_rank,
        revenue_share,
        revenue_cum_share,
        collected_rank,
        collected_share,
        collected_cum_share,
        recency_quintile,
        frequency_quintile,
        monetary_quintile,
        owner_customers,
        owner_grade_counts,
    } = facts;
    out.extend_from_slice(b"{\"size\":");
    integer(out, *size);
    out.extend_from_slice(b",\"revenue_rank\":");
    integer(out, *revenue_rank);
    out.extend_from_slice(b",\"revenue_share\":");
    float(out, *revenue_share);
    out.extend_from_slice(b",\"revenue_cum_share\":");
    float(out, *revenue_cum_share);
    if let Some(rank) = collected_rank {
        out.extend_from_slice(b",\"collected_rank\":");
        integer(out, *rank);
    }
    if let Some(share) = collected_share {
        out.extend_from_slice(b",\"collected_share\":");
        float(out, *share);
    }
    if let Some(share) = collected_cum_share {
        out.extend_from_slice(b",\"collected_cum_share\":");
        float(out, *share);
    }
    out.extend_from_slice(b",\"recency_quintile\":");
    integer(out, *recency_quintile);
    out.extend_from_slice(b",\"frequency_quintile\":");
    integer(out, *frequency_quintile);
    out.extend_from_slice(b",\"monetary_quintile\":");
    integer(out, *monetary_quintile);
    out.extend_from_slice(b",\"owner_customers\":");
    integer(out, *owner_customers);
    out.extend_from_slice(b",\"owner_grade_counts\":");
    string_map(out, owner_grade_counts, |out, count| integer(out, *count));
    out.push(b'}');
}

/// A map with string keys, in its order (a `BTreeMap`'s, as serde writes it).
fn string_map<V>(
    out: &mut Vec<u8>,
    map: &BTreeMap<String, V>,
    mut value: impl FnMut(&mut Vec<u8>, &V),
) {
    out.push(b'{');
    for (at, (key, v)) in map.iter().enumerate() {
        if at > 0 {
            out.push(b',');
        }
        string(out, key);
        out.push(b':');
        value(out, v);
    }
    out.push(b'}');
}

/// A JSON string: copied whole between quotes when no character in it needs an escape
/// (the control characters, `"` and `\`, as serde_json escapes them), else serde_json's.
fn string(out: &mut Vec<u8>, text: &str) {
    if needs_escape(text.as_bytes()) {
        by_serde(out, text);
    } else {
        out.reserve(text.len() + 2);
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    }
}

fn optional_string(out: &mut Vec<u8>, text: Option<&str>) {
    match text {
        Some(text) => string(out, text),
        None => out.extend_from_slice(b"null"),
    }
}

/// Whether serde_json would escape a byte of `bytes`. Sixteen bytes are checked at a time
/// without a branch, which the compiler turns into vector instructions.
fn needs_escape(bytes: &[u8]) -> bool {
    let escaped = |byte: u8| byte < 0x20 || byte == b'"' || byte == b'\\';
    let mut chunks = bytes.chunks_exact(16);
    for chunk in &mut chunks {
        if chunk.iter().fold(false, |any, &byte| any | escaped(byte)) {
            return true;
        }
    }
    chunks.remainder().iter().any(|&byte| escaped(byte))
}

/// A float as serde_json writes it: the shortest text that reads back the same (zmij, which
/// serde_json calls), and `null` for NaN and the infinities.
fn float(out: &mut Vec<u8>, x: f64) {
    if x.is_finite() {
        out.extend_from_slice(zmij::Buffer::new().format_finite(x).as_bytes());
    } else {
        out.extend_from_slice(b"null");
    }
}

fn integer(out: &mut Vec<u8>, n: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

fn boolean(out: &mut Vec<u8>, b: bool) {
    out.extend_from_slice(if b { b"true" } else { b"false" });
}

/// A date as [`serialize_date`](super::date::serialize_date) writes it.
fn date(out: &mut Vec<u8>, at: Date) {
    match date_digits(at) {
        Some(digits) => {
            out.push(b'"');
            out.extend_from_slice(&digits);
            out.push(b'"');
        }
        None => by_serde(out, &at),
    }
}

fn optional_date(out: &mut Vec<u8>, at: Option<Date>) {
    match at {
        Some(at) => date(out, at),
        None => out.extend_from_slice(b"null"),
    }
}

/// What serde_json writes for `value` (plain data: it cannot fail, and writing into a
/// vector cannot either).
fn by_serde<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    let written = serde_json::to_writer(&mut *out, value);
    debug_assert!(written.is_ok(), "serde_json failed on plain data");
}

#[cfg(test)]
mod tests {
    //! The writer against serde_json on evaluations made up of every awkward value.

    use std::sync::Arc;

    use proptest::prelude::*;

    use super::*;
    use crate::model::{parse_date, TraceClause, TraceEntry};

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z_ ]{0,40}",
            any::<String>(),
            "[\"\\\\\u{0}-\u{1f}\u{7f}é中]{0,20}",
            Just("payment_reminder: 1,234.00 falls due on 2026-11-26".repeat(3)),
        ]
    }

    fn number() -> impl Strategy<Value = f64> {
        prop_oneof![
            any::<f64>(),
            (-1e7f64..1e7),
            Just(0.0),
            Just(-0.0),
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(f64::MIN_POSITIVE / 3.0),
            (0u32..1000).prop_map(|n| f64::from(n) / 100.0),
        ]
    }

    fn date() -> impl Strategy<Value = Date> {
        prop_oneof![
            (-400_000i64..400_000).prop_map(|days| {
                crate::model::saturating_add_days(parse_date("2026-11-23").unwrap(), days)
            }),
            Just(Date::MIN),
            Just(Date::MAX),
        ]
    }

    fn change() -> impl Strategy<Value = (Option<String>, String, bool, String, String)> {
        (
            proptest::option::of(text()),
            text(),
            any::<bool>(),
            text(),
            text(),
        )
    }

    fn portfolio() -> impl Strategy<Value = PortfolioFacts> {
        (
            (any::<i64>(), any::<i64>(), number(), number()),
            (
                proptest::option::of(any::<i64>()),
                proptest::option::of(number()),
                proptest::option::of(number()),
            ),
            (any::<i64>(), any::<i64>(), any::<i64>(), any::<i64>()),
            proptest::collection::btree_map(text(), any::<i64>(), 0..8),
        )
            .prop_map(
                |(
                    (size, revenue_rank, revenue_share, revenue_cum_share),
                    collected,
                    quints,
                    counts,
                )| {
                    PortfolioFacts {
                        size,
                        revenue_rank,
                        revenue_share,
                        revenue_cum_share,
                        collected_rank: collected.0,
                        collected_share: collected.1,
                        collected_cum_share: collected.2,
                        recency_quintile: quints.0,
                        frequency_quintile: quints.1,
                        monetary_quintile: quints.2,
                        owner_customers: quints.3,
                        owner_grade_counts: Arc::new(counts),
                    }
                },
            )
    }

    fn trace() -> impl Strategy<Value = Vec<TraceEntry>> {
        let clause = (text(), text(), text()).prop_map(|(id, handbook, quote)| TraceClause {
            id,
            handbook,
            quote,
        });
        let entry = (
            text(),
            proptest::option::of(text()),
            proptest::collection::vec(text(), 0..3),
            proptest::collection::vec(text(), 0..3),
            text(),
            proptest::option::of(clause),
        )
            .prop_map(
                |(function, rule, facts, params, message, clause)| TraceEntry {
                    function,
                    rule,
                    facts,
                    params,
                    message,
                    clause,
                },
            );
        proptest::collection::vec(entry, 0..3)
    }

    fn evaluation() -> impl Strategy<Value = Evaluation> {
        let part = (text(), number(), number(), number(), number()).prop_map(
            |(indicator, weight, standard, actual, points)| ScorePart {
                indicator,
                weight,
                standard,
                actual,
                points,
            },
        );
        let action = (text(), date(), text(), text(), any::<usize>()).prop_map(
            |(kind, due, reason, rule, line)| Action {
                kind,
                due,
                reason,
                rule,
                line,
            },
        );
        let visits = (
            (number(), number()),
            (proptest::option::of(date()), proptest::option::of(date())),
            (any::<bool>(), any::<i64>()),
            (text(), prop_oneof![Just(String::new()), text()]),
        )
            .prop_map(|(rates, dues, late, words)| Visits {
                calls_per_week: rates.0,
                visits_per_month: rates.1,
                next_call_due: dues.0,
                next_visit_due: dues.1,
                overdue: late.0,
                days_overdue: late.1,
                reason: words.0,
                rule: words.1,
            });
        (
            (text(), date(), (text(), text(), text())),
            (number(), proptest::collection::vec(part, 0..6)),
            (change(), change()),
            visits,
            proptest::collection::vec(action, 0..4),
            proptest::option::of(portfolio()),
            proptest::collection::btree_map(text(), text(), 0..3),
            proptest::option::of(trace()),
        )
            .prop_map(
                |(
                    head,
                    (total, parts),
                    (grade, stage),
                    visits,
                    actions,
                    portfolio,
                    labels,
                    trace,
                )| {
                    Evaluation {
                        customer_id: head.0,
                        as_of: head.1,
                        policy: PolicyStamp {
                            name: head.2 .0,
                            version: head.2 .1,
                            hash: head.2 .2,
                        },
                        score: Score { total, parts },
                        grade: GradeChange {
                            from: grade.0,
                            to: grade.1,
                            changed: grade.2,
                            reason: grade.3,
                            rule: grade.4,
                        },
                        stage: StageChange {
                            from: stage.0,
                            to: stage.1,
                            changed: stage.2,
                            reason: stage.3,
                            rule: stage.4,
                        },
                        visits,
                        actions,
                        portfolio,
                        labels,
                        trace,
                    }
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 512,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn writes_what_serde_json_writes(evaluation in evaluation()) {
            let mut direct = b"[".to_vec();
            evaluation.write_json(&mut direct);
            let by_serde = serde_json::to_vec(&evaluation).unwrap();
            prop_assert_eq!(
                String::from_utf8_lossy(&direct[1..]),
                String::from_utf8_lossy(&by_serde)
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 4096,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn writes_floats_as_serde_json_does(x in number()) {
            let mut direct = Vec::new();
            float(&mut direct, x);
            prop_assert_eq!(String::from_utf8(direct).unwrap(), serde_json::to_string(&x).unwrap());
        }
    }

    #[test]
    fn finds_every_escaped_byte_at_every_position() {
        for length in 0..40 {
            for at in 0..length {
                for byte in (0u8..0x20).chain([b'"', b'\\']) {
                    let mut bytes = vec![b'a'; length];
                    bytes[at] = byte;
                    assert!(needs_escape(&bytes), "{byte:#x} at {at} of {length}");
                }
                let mut bytes = vec![b'a'; length];
                bytes[at] = 0x7f;
                assert!(!needs_escape(&bytes), "DEL needs no escape");
            }
        }
    }
}
