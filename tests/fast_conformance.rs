//! Conformance of the fast tier with rhai itself (issue 15): every operator and built-in the
//! fast tier reimplements (`src/script/fast/ops.rs`, `natives.rs` and the lowering of `&&`
//! `||` `??` `in`, `if`, `for`, interpolation, indexing, property and method chains), over
//! every pair of value types a script can hold — integer, float, boolean, string, character,
//! `()`, array, object map and date — evaluated by the fast tier and by rhai 1.27's
//! interpreter: the same value (of the same type) or an error in both.
//!
//! Each case is generated: a template (`r = a + b`) is written into a policy's `labels.rhai`,
//! and every pair of sample operands is a customer whose attributes hold them (a date is made
//! with `date(…)`, a character from a literal). Operands come from the customer, not from
//! literals, so that rhai's optimiser cannot fold the expression before either tier sees it.
//! The result is returned as labels: its `Display` (`v`), its `Debug` inside an array (`a`,
//! which tells `1` from `1.0` from `"1"`), and for dates its text (`s`). The tier counters
//! show how many cases the fast tier decided itself; a case it hands back to rhai proves
//! nothing, so every template must have cases the fast tier finishes.

mod common;

use patron::model::parse_date;
use patron::{Customer, Engine, EvaluateOptions, Tier};
use serde_json::{json, Value};

/// Sample operands: (kind, JSON value). `date` is a date made from the text, `char` a
/// character literal (`'a'` or `'é'`), `unit` is `()`.
fn samples() -> Vec<(&'static str, Value)> {
    vec![
        ("int", json!(0)),
        ("int", json!(3)),
        ("int", json!(-7)),
        ("int", json!(i64::MAX)),
        ("float", json!(0.0)),
        ("float", json!(2.5)),
        ("float", json!(-1.25)),
        ("float", json!(3.0)),
        ("float", json!(1e300)),
        ("bool", json!(true)),
        ("bool", json!(false)),
        ("string", json!("")),
        ("string", json!("ab")),
        ("string", json!("b")),
        ("string", json!("2026-11-23")),
        // A grade and a stage of the default policy, for its ladder functions.
        ("string", json!("B")),
        ("string", json!("contact")),
        ("char", json!("a")),
        ("char", json!("é")),
        ("unit", Value::Null),
        ("array", json!([1, "x", 2.5])),
        ("array", json!([])),
        ("array", json!(["ab", "b"])),
        ("map", json!({"k": 1, "ab": "x"})),
        ("map", json!({})),
        ("date", json!("2026-11-23")),
        ("date", json!("2024-02-29")),
    ]
}

/// The templates: an expression (or statements) over `a` (and `b`) leaving the result in `r`.
/// Binary ones run over every pair of samples, unary ones over every sample.
const BINARY: &[&str] = &[
    // Arithmetic, comparison, logic, string concatenation.
    "let r = a + b;",
    "let r = a - b;",
    "let r = a * b;",
    "let r = a / b;",
    "let r = a % b;",
    "let r = a == b;",
    "let r = a != b;",
    "let r = a < b;",
    "let r = a <= b;",
    "let r = a > b;",
    "let r = a >= b;",
    "let r = a && b;",
    "let r = a || b;",
    "let r = a ?? b;",
    "let r = a in b;",
    // A constant or computed operand (the tier reads constants and variables in place).
    "let r = a - 2;",
    "let r = 2.5 < a;",
    "let r = [a][0] >= b;",
    "let r = [a][0] != \"k\";",
    "let r = [a][0] - 1;",
    "let r = 3 - [b][0];",
    "let r = [a][0] + [b][0];",
    // Arithmetic computed on numbers (`lower::number`): a constant among the operands makes
    // an expression arithmetic; anything but numbers makes it bail to rhai.
    "let r = a * 2 + b;",
    "let r = (a - 1) / (b + 0.5);",
    "let r = 2 - a % (b * 1);",
    "let r = -(a * 2) + b;",
    "let r = min(a * 1.0, b) + 1;",
    "let r = max(0, 1 - a / b) * 2;",
    "let r = clamp(a + 0.0, 0.0, b) - 1;",
    "let r = clamp(a * 1, 0, 10) + b;",
    "let r = 30 * min((a ?? 0) / 2.0, 1.0) + (b ?? 1) * 2;",
    "let r = (a + 1) + (b - 2);",
    // A date minus arithmetic: the arithmetic gives up, the usual code computes it.
    "let r = a - b * 2;",
    // Compound assignment.
    "let r = a; r += b;",
    "let r = a; r -= b;",
    "let r = a; r *= b;",
    "let r = a; r /= b;",
    // Indexing, methods, `push` on a variable.
    "let r = a[b];",
    "let r = a.contains(b);",
    "let r = a.sub_string(b, 2);",
    "let r = a; r.push(b);",
    // Interpolation.
    "let r = `<${a}|${b}>`;",
    // rhai's and patron's functions.
    "let r = min(a, b);",
    "let r = max(a, b);",
    "let r = clamp(a, b, 10);",
    "let r = clamp(a, 0.5, b);",
    "let r = join(a, b);",
    "let r = add_days(a, b);",
    "let r = days_between(a, b);",
    "let r = part(\"p\", 2, a, b);",
    "let r = part_lower(\"p\", 2, a, b).points;",
    "let r = part(\"p\", a, 10, b).indicator;",
    "let r = set_grade(a, b);",
    "let r = set_stage(a, b);",
    "let r = cadence(a, b, \"why\");",
    "let r = action(a, b, \"why\");",
];

const UNARY: &[&str] = &[
    "let r = -a;",
    "let r = !a;",
    "let r = if a { 1 } else { 2 };",
    "let r = 0; for x in a { r += 1; }",
    "let r = []; for x in a { r.push(x); }",
    "let r = `${a}`;",
    "let r = a.len();",
    "let r = a.round();",
    "let r = a.keys();",
    "let r = a.k;",
    "let r = a.year;",
    "let r = a.month;",
    "let r = a.day;",
    "let r = a.weekday;",
    "let r = a[0];",
    "let r = a[\"k\"];",
    "let r = money(a);",
    "let r = date(a);",
    "let r = grade_up(a);",
    "let r = grade_down(a);",
    "let r = grade_rank(a);",
    "let r = stage_rank(a);",
    "let r = stage_at(a);",
    "let r = keep_grade(a);",
    "let r = keep_stage(a);",
    "let r = a.contains(\"k\");",
    "let r = [a, 1].contains(a);",
    // A constant on the right: operators specialised for it (`ops::WithConstant`), on a
    // variable and on a computed operand.
    "let r = a == ();",
    "let r = a != ();",
    "let r = [a][0] == ();",
    "let r = a == \"b\";",
    "let r = [a][0] != \"ab\";",
    "let r = a < \"b\";",
    "let r = a == true;",
    "let r = [a][0] != false;",
    "let r = a > 0;",
    "let r = a <= 3;",
    "let r = [a][0] == 3;",
    "let r = a != -7;",
    "let r = a >= 2.5;",
    "let r = [a][0] < 0.0;",
    "let r = a == 3.0;",
    "let r = a + 1;",
    "let r = [a][0] * 2;",
    "let r = a % 2;",
    "let r = a - 0.5;",
    // An attribute read with a constant default (`c.attr("x") ?? k`): the record's JSON read
    // straight into a value; `none` is missing, `a_kind` present.
    "let r = [a, c.attr(\"none\") ?? 2.5, c.attr(\"a_kind\") ?? 1];",
    "let r = (c.attr(\"a\") ?? -1) * 2;",
];

/// `labels.rhai` for one template: reads the operands, runs the template, returns `r`.
fn script(template: &str) -> String {
    format!(
        r#"
fn labels(c, grade) {{
    let a = operand(c, "a");
    let b = operand(c, "b");
    {template}
    if c.attr("text") {{
        #{{ v: r, a: [r], s: `${{r}}` }}
    }} else {{
        #{{ v: r, a: [r] }}
    }}
}}

fn operand(c, name) {{
    let kind = c.attr(name + "_kind");
    let x = c.attr(name);
    if kind == "date" {{
        return date(x);
    }}
    if kind == "char" {{
        if x == "a" {{
            return 'a';
        }}
        return 'é';
    }}
    x
}}
"#
    )
}

fn customer(i: usize, a: &(&str, Value), b: &(&str, Value)) -> Customer {
    // Dates are compared by their text; other values by `Display` and `Debug`.
    let text = a.0 == "date" || b.0 == "date";
    let record = json!({
        "id": format!("K-{i}"),
        "attributes": {
            "a": a.1, "a_kind": a.0,
            "b": b.1, "b_kind": b.0,
            "text": text,
        }
    });
    patron::model::parse_customer(&record.to_string()).unwrap()
}

/// Runs `template` over `cases` in both tiers; returns (cases, cases the fast tier finished).
fn check(template: &str, cases: &[Customer], failures: &mut Vec<String>) -> (usize, u64) {
    // An action is a value of its own type, which has no text (in either tier).
    let without_text;
    let cases = if template.contains("action(") {
        without_text = cases
            .iter()
            .map(|c| {
                let mut c = c.clone();
                c.attributes.insert("text".into(), json!(false));
                c
            })
            .collect::<Vec<_>>();
        &without_text[..]
    } else {
        cases
    };
    // A long time budget: a debug build of the interpreter on a busy machine can pass the
    // default 100 ms, and a limit rhai hits but the fast tier does not is no disagreement.
    let manifest =
        common::default_file_with("policy.toml", "", "") + "\n[limits]\ntime_budget_ms = 60000\n";
    let dir = common::policy_dir(
        "conformance",
        &[
            ("labels.rhai", Some(&script(template))),
            ("policy.toml", Some(&manifest)),
        ],
    );
    let engine = Engine::from_dir(&dir).unwrap();
    let tiers = engine.execution_tiers().unwrap();
    let labels = tiers.iter().find(|t| t.file == "labels.rhai").unwrap();
    assert!(labels.fast, "`{template}` does not lower: {labels}");
    let as_of = parse_date("2026-11-23").unwrap();
    let auto = EvaluateOptions::default();
    let forced = EvaluateOptions {
        tier: Tier::Interpreter,
        ..EvaluateOptions::default()
    };
    let before = engine.tier_counts();
    let fast = engine.evaluate_many(cases, as_of, &auto);
    let counts = engine.tier_counts().since(before);
    let slow = engine.evaluate_many(cases, as_of, &forced);
    for ((customer, fast), slow) in cases.iter().zip(&fast).zip(&slow) {
        let same = match (fast, slow) {
            (Ok(f), Ok(s)) => f.labels == s.labels,
            (Err(f), Err(s)) => f.to_string() == s.to_string(),
            _ => false,
        };
        if !same {
            let show = |r: &patron::Result<patron::Evaluation>| match r {
                Ok(e) => format!("{:?}", e.labels),
                Err(e) => format!("error: {e}"),
            };
            failures.push(format!(
                "`{template}` with {}: fast tier {} but rhai {}",
                serde_json::to_string(&customer.attributes).unwrap(),
                show(fast),
                show(slow)
            ));
        }
    }
    // Every other entry of the policy finishes in the fast tier for these customers, so
    // the bails are those of `labels`.
    (cases.len(), cases.len() as u64 - counts.bailed)
}

#[test]
fn the_fast_tier_computes_what_rhai_computes_for_every_operator_and_type_pair() {
    let samples = samples();
    let unit = ("unit", Value::Null);
    let pairs: Vec<Customer> = samples
        .iter()
        .flat_map(|a| samples.iter().map(move |b| (a, b)))
        .enumerate()
        .map(|(i, (a, b))| customer(i, a, b))
        .collect();
    let singles: Vec<Customer> = samples
        .iter()
        .enumerate()
        .map(|(i, a)| customer(i, a, &unit))
        .collect();
    let mut failures = Vec::new();
    let mut report = Vec::new();
    let mut idle = Vec::new();
    let (mut total, mut decided) = (0, 0);
    for (templates, cases) in [(BINARY, &pairs), (UNARY, &singles)] {
        for template in templates {
            let (n, fast) = check(template, cases, &mut failures);
            total += n;
            decided += fast;
            report.push(format!("{fast:4} of {n:4} in the fast tier: {template}"));
            if fast == 0 {
                idle.push(*template);
            }
        }
    }
    println!("{}", report.join("\n"));
    println!("{decided} of {total} cases decided by the fast tier");
    assert!(
        failures.is_empty(),
        "{} case(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        idle.is_empty(),
        "templates the fast tier never finishes (they check nothing): {idle:?}"
    );
}
