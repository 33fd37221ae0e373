//! The differential test of the fast execution tier (issue 8): every shipped policy, over the
//! example customers and every customer of the policy's own test cases, gives exactly the
//! same evaluations — scores, grades, stages, cadence, actions, labels, traces and errors —
//! whether its scripts run in the fast tier or in rhai's interpreter. (Random customers are
//! compared in `tests/properties.rs`.) The policies run with a long time budget: a debug build
//! of the interpreter on a busy machine can otherwise pass 100 ms of wall clock.
//!
//! Identical results alone would not show that the fast tier ran at all (one that always
//! handed back to rhai would pass), nor that the forced interpreter stayed out of it: the
//! tier counters ([`Engine::tier_counts`]) are asserted beside every comparison.

mod common;

use patron::model::parse_date;
use patron::{cases, Customer, Engine, EvaluateOptions, Tier, TierCounts};

use common::SHIPPED_POLICIES as POLICIES;

fn root() -> &'static str {
    env!("CARGO_MANIFEST_DIR")
}

fn examples(file: &str) -> Vec<Customer> {
    let text = std::fs::read_to_string(format!("{}/examples/{file}", root())).unwrap();
    patron::model::parse_customers(&text)
        .unwrap()
        .into_iter()
        .filter_map(|r| r.result.ok())
        .collect()
}

/// Evaluates `customers` as one batch in both tiers, with and without a trace, and requires
/// identical results. Returns the tier counts of the two runs with the fast tier allowed
/// (`Tier::Auto`), after checking that the two forced-interpreter runs made no fast-tier
/// call at all.
fn assert_same(policy: &str, engine: &Engine, customers: &[Customer], as_of: &str) -> TierCounts {
    let as_of = parse_date(as_of).unwrap();
    let mut auto = TierCounts::default();
    for explain in [false, true] {
        let fast = EvaluateOptions {
            explain,
            tier: Tier::Auto,
            ..EvaluateOptions::default()
        };
        let slow = EvaluateOptions {
            explain,
            tier: Tier::Interpreter,
            ..EvaluateOptions::default()
        };
        let before = engine.tier_counts();
        let a = engine.evaluate_many(customers, as_of, &fast);
        let counts = engine.tier_counts().since(before);
        auto.fast += counts.fast;
        auto.bailed += counts.bailed;
        auto.interpreted += counts.interpreted;
        let before = engine.tier_counts();
        let b = engine.evaluate_many(customers, as_of, &slow);
        let forced = engine.tier_counts().since(before);
        assert_eq!(
            (forced.fast, forced.bailed),
            (0, 0),
            "{policy}: the forced interpreter used the fast tier: {forced:?}"
        );
        assert_eq!(a.len(), b.len());
        assert!(
            !b.iter().any(Result::is_ok) || forced.interpreted > 0,
            "{policy}: the forced interpreter ran no call: {forced:?}"
        );
        for (customer, (a, b)) in customers.iter().zip(a.iter().zip(b.iter())) {
            match (a, b) {
                (Ok(a), Ok(b)) => assert_eq!(
                    a, b,
                    "{policy}: {} (explain {explain}): the tiers differ",
                    customer.id
                ),
                (Err(a), Err(b)) => assert_eq!(
                    a.to_string(),
                    b.to_string(),
                    "{policy}: {}: the errors differ",
                    customer.id
                ),
                (a, b) => panic!(
                    "{policy}: {}: fast {:?} but interpreter {:?}",
                    customer.id,
                    a.as_ref().map(|_| "ok"),
                    b.as_ref().map(|_| "ok")
                ),
            }
        }
    }
    auto
}

/// The example files, each evaluated as a batch of its own (as `patron eval FILE` does).
const EXAMPLE_FILES: &[&str] = &[
    "customers.json",
    "key-accounts.json",
    "distributor.json",
    "otc-pharma.json",
];

/// Calls the fast tier hands back to rhai for one example file's batch, by policy, file
/// and evaluation date (two passes, with and without a trace): 0 wherever the scripts fully
/// lower and no record errs inside a script.
fn expected_bails(policy: &str, file: &str, as_of: &str) -> u64 {
    match (policy, file, as_of) {
        // Two key accounts whose attribute network_coverage is a number: promote.rhai throws
        // (on one date only one of them gets that far), and rhai reports the error.
        ("distributor", "key-accounts.json", "2026-11-23") => 4,
        ("distributor", "key-accounts.json", "2027-06-30") => 2,
        // (distributor's actions.rhai interpolates an attribute that is an array,
        // `${recorded}`, and otc-pharma's appends an array to an array, `out +=
        // prospect_actions(c)`: both handed back every such call until the tier wrote arrays
        // and maps as text and appended arrays in place.)
        _ => 0,
    }
}

#[test]
fn each_example_batch_runs_in_the_fast_tier_with_the_expected_bails() {
    let mut report = Vec::new();
    let mut wrong = Vec::new();
    for policy in POLICIES {
        let engine = common::shipped_engine_without_time_pressure(policy);
        for file in EXAMPLE_FILES {
            let customers = examples(file);
            for as_of in ["2026-11-23", "2027-06-30"] {
                let counts = assert_same(policy, &engine, &customers, as_of);
                let line = format!(
                    "{policy} {file} {as_of}: fast {} bailed {} interpreted {}",
                    counts.fast, counts.bailed, counts.interpreted
                );
                if counts.fast == 0
                    || counts.bailed != expected_bails(policy, file, as_of)
                    || counts.interpreted != counts.bailed
                {
                    wrong.push(line.clone());
                }
                report.push(line);
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "unexpected tier counts:\n{}\n\nall:\n{}",
        wrong.join("\n"),
        report.join("\n")
    );
}

/// otc-pharma ranks each customer against its portfolio: evaluated alone, a customer that
/// brings the portfolio facts of its batch (as the CLI computes them for a stream) gets the
/// same result as in the batch, in both tiers, and the fast tier runs exactly as it does for
/// the batch — no call handed back beyond the batch's own (see [`expected_bails`]). Without
/// the facts, a customer alone takes the error path (rhai's `throw`), compared above.
#[test]
fn otc_pharma_alone_with_portfolio_facts_runs_in_the_fast_tier() {
    let engine = common::shipped_engine_without_time_pressure("otc-pharma");
    for file in EXAMPLE_FILES {
        let customers = examples(file);
        for as_of in ["2026-11-23", "2027-06-30"] {
            let date = parse_date(as_of).unwrap();
            let batch = engine.evaluate_many(&customers, date, &patron::EvaluateOptions::default());
            let facts = patron::model::portfolio_facts(&customers, date);
            let mut alone_counts = TierCounts::default();
            for ((customer, facts), in_batch) in customers.iter().zip(facts).zip(&batch) {
                let mut customer = customer.clone();
                customer.portfolio = Some(facts);
                let counts = assert_same(
                    "otc-pharma",
                    &engine,
                    std::slice::from_ref(&customer),
                    as_of,
                );
                alone_counts.fast += counts.fast;
                alone_counts.bailed += counts.bailed;
                let alone = engine.evaluate(&customer, date);
                match (in_batch, &alone) {
                    (Ok(a), Ok(b)) => assert_eq!(a, b, "{file} {}: alone differs", customer.id),
                    // Refused before any script runs (e.g. a grade the policy lacks).
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                    _ => panic!(
                        "{file} {}: batch {in_batch:?}, alone {alone:?}",
                        customer.id
                    ),
                }
            }
            assert!(alone_counts.fast > 0, "{file} {as_of}: {alone_counts:?}");
            assert_eq!(
                alone_counts.bailed,
                expected_bails("otc-pharma", file, as_of),
                "{file} {as_of}: {alone_counts:?}"
            );
        }
    }
}

#[test]
fn every_shipped_policy_gives_the_same_results_in_both_tiers() {
    let mut all_examples = examples("customers.json");
    for name in ["key-accounts", "distributor", "otc-pharma"] {
        all_examples.extend(examples(&format!("{name}.json")));
    }
    for policy in POLICIES {
        let dir = format!("{}/policies/{policy}", root());
        let engine = common::shipped_engine_without_time_pressure(policy);
        let mut compared = 0;
        for as_of in ["2026-11-23", "2027-06-30"] {
            assert_same(policy, &engine, &all_examples, as_of);
            compared += all_examples.len();
        }
        let test_cases = cases::load_cases(std::path::Path::new(&format!("{dir}/tests"))).unwrap();
        for case in &test_cases {
            assert_same(policy, &engine, &case.customers, &case.as_of.to_string());
            compared += case.customers.len();
            for customer in &case.customers {
                compared += 1;
                assert_same(
                    policy,
                    &engine,
                    std::slice::from_ref(customer),
                    &case.as_of.to_string(),
                );
            }
        }
        assert!(
            compared > 100,
            "{policy}: only {compared} evaluations compared"
        );
    }
}

/// Every script file of the shipped policies runs in the fast tier.
#[test]
fn the_fast_tier_covers_the_shipped_policies() {
    let mut slow = Vec::new();
    for policy in POLICIES {
        let engine = Engine::from_dir(format!("{}/policies/{policy}", root())).unwrap();
        let info = engine.execution_tiers().unwrap();
        assert!(!info.is_empty());
        slow.extend(
            info.iter()
                .filter(|tier| !tier.fast)
                .map(|tier| format!("{policy}: {tier}")),
        );
    }
    // (`switch` would stay with rhai: its cases are keyed by rhai-internal hashes the fast
    // tier cannot compute; key-accounts/labels.rhai used one until its labels grew.)
    assert!(slow.is_empty(), "{}", slow.join("\n"));
}

/// Decisions an entry function returns directly are handed over unboxed by the fast tier;
/// every other way of returning one, and returning one from the wrong entry, must still give
/// what the interpreter gives — results and error messages alike.
#[test]
fn decisions_returned_every_way_give_the_same_results_in_both_tiers() {
    let variants: &[(&str, &str)] = &[
        (
            "promote.rhai",
            r#"
fn grade(c, score) {
    let d = set_grade("B", "kept in a variable first");
    if score > 50.0 { return d; }
    let s = stage(c);
    keep_grade(`the stage decision was made on the way`)
}
fn stage(c) { pick(c) }
fn pick(c) {
    if c.stage == () { return set_stage("market_research", "from a helper"); }
    keep_stage("from a helper")
}
"#,
        ),
        (
            "visits.rhai",
            r#"fn visits(c, grade) { return set_grade("A", "the wrong kind of answer"); }"#,
        ),
        (
            "visits.rhai",
            r#"fn visits(c, grade) { if grade == "A" { return cadence(2, 1, "A"); } cadence(-1, 1, "negative") }"#,
        ),
        ("score.rhai", r#"fn score(c) { keep_grade("not a score") }"#),
    ];
    let customers = examples("customers.json");
    for (i, (file, text)) in variants.iter().enumerate() {
        let dir = common::policy_dir(&format!("decided-{i}"), &[(file, Some(text))]);
        let engine = Engine::from_dir(&dir).unwrap();
        assert!(
            engine.execution_tiers().unwrap().iter().all(|t| t.fast),
            "variant {i} must run in the fast tier"
        );
        for as_of in ["2026-11-23"] {
            assert_same(&format!("variant {i} ({file})"), &engine, &customers, as_of);
            for customer in customers.iter().take(8) {
                assert_same(
                    &format!("variant {i} ({file}), alone"),
                    &engine,
                    std::slice::from_ref(customer),
                    as_of,
                );
            }
        }
    }
}

/// The score parts of an array literal an entry function returns are handed over unboxed by
/// the fast tier; arrays with items that are not parts (made as rhai makes them, and
/// rejected by the engine), parts that fail, and parts returned other ways must still give
/// what the interpreter gives — results and error messages alike.
#[test]
fn score_parts_returned_every_way_give_the_same_results_in_both_tiers() {
    let variants: &[&str] = &[
        // A direct part, a helper's part, and an explicit `return` in a branch.
        r#"
fn score(c) {
    if c.purchase_count == 0 {
        return [part_lower("recency", 1.0, 30, 400), helper(c)];
    }
    [part("revenue", 2.5, 10000.0, c.revenue_365), helper(c), part("calls", 1, 5, c.calls_90)]
}
fn helper(c) { part("engagement", 1.5, 10, c.interactions_90) }
"#,
        // An item that is not a part, after parts and before another: an error.
        r#"fn score(c) { [part("revenue", 1, 100.0, c.revenue_365), 3, part("calls", 1, 5, c.calls_90)] }"#,
        // ... or first.
        r#"fn score(c) { [c.calls_90, part("calls", 1, 5, c.calls_90)] }"#,
        // A part that fails (a negative weight for some customers).
        r#"fn score(c) { [part("calls", 1, 5, c.calls_90), part("revenue", 2 - c.purchase_count, 100.0, 5)] }"#,
        // Parts of a constant name, weight and standard (made without the native's
        // argument list) that fail: a negative weight, an actual value that is `()` for
        // some customers, a string for some; and a helper's part whose actual value is a
        // string for some.
        r#"fn score(c) { if c.calls_90 > 3 { [part("revenue", -1, 100.0, c.revenue_365)] } else { [part("calls", 1, 5, c.calls_90)] } }"#,
        r#"fn score(c) { [part_lower("credit", 1, 700, c.attr("credit_score")), part("fixed", 2, 5.0, 3)] }"#,
        r#"fn score(c) { [part("calls", 1, 5, c.calls_90), part("name", 1.0, 5, if c.calls_90 > 3 { c.id } else { 1 })] }"#,
        r#"fn score(c) { [part("calls", 1, 5, c.calls_90), helper(c)] } fn helper(c) { part_lower("name", 1, 5, if c.calls_90 > 3 { c.id } else { 2 }) }"#,
        // Parts in a variable, and no part at all.
        r#"fn score(c) { let parts = [part("calls", 1, 5, c.calls_90)]; parts }"#,
        r#"fn score(c) { [] }"#,
    ];
    let customers = examples("customers.json");
    for (i, text) in variants.iter().enumerate() {
        let dir = common::policy_dir(&format!("parts-{i}"), &[("score.rhai", Some(text))]);
        let engine = Engine::from_dir(&dir).unwrap();
        assert!(
            engine.execution_tiers().unwrap().iter().all(|t| t.fast),
            "variant {i} must run in the fast tier"
        );
        let counts = assert_same(
            &format!("parts variant {i}"),
            &engine,
            &customers,
            "2026-11-23",
        );
        assert!(
            counts.fast > 0,
            "parts variant {i}: the fast tier ran no call"
        );
        for customer in customers.iter().take(8) {
            assert_same(
                &format!("parts variant {i}, alone"),
                &engine,
                std::slice::from_ref(customer),
                "2026-11-23",
            );
        }
    }
}

/// A function that ends with a local variable (or `return`s one) hands it over moved out of
/// its frame, not copied; a parameter returned that way must stay a copy, since the caller
/// may have lent it its own variable, which it reads again afterwards.
#[test]
fn variables_returned_give_the_same_results_in_both_tiers() {
    let variants: &[&str] = &[
        r#"
fn score(c) {
    let n = c.calls_90;
    let m = same(n);
    let parts = [part("calls", 1, 5, n), part("again", 1, 5, m + n)];
    let copy = parts;
    if n > 3 { return copy; }
    copy.push(part("more", 1, 5, c.interactions_90));
    parts
}
fn same(x) { x }
"#,
        r#"
fn score(c) { let total = twice(c.calls_90); total + c.calls_90 + kept(c) }
fn twice(x) { let y = x * 2; y }
fn kept(c) { let calls = c.calls_90; let out = calls; return out; }
"#,
    ];
    let customers = examples("customers.json");
    for (i, text) in variants.iter().enumerate() {
        let dir = common::policy_dir(&format!("returned-{i}"), &[("score.rhai", Some(text))]);
        let engine = Engine::from_dir(&dir).unwrap();
        assert!(
            engine.execution_tiers().unwrap().iter().all(|t| t.fast),
            "variant {i} must run in the fast tier"
        );
        let counts = assert_same(
            &format!("returned variant {i}"),
            &engine,
            &customers,
            "2026-11-23",
        );
        assert!(
            counts.fast > 0,
            "returned variant {i}: the fast tier ran no call"
        );
        // A parameter taken from a lent variable would leave `()` behind: the next `part`
        // fails there and hands the call to rhai, which then gives the same results.
        assert_eq!(counts.bailed, 0, "returned variant {i}: {counts:?}");
    }
}

/// Arrays are the fast tier's own values (shared, copied on their first change while
/// shared), and actions and receivables its own records: changed through one variable, an
/// array must stay as it was in every other, a loop must walk the array as it was when it
/// began, and indexing, `len`, `contains`, `in` and `keys` must give what rhai gives — all
/// without handing the call to rhai.
#[test]
fn arrays_and_records_of_the_tier_give_the_same_results_in_both_tiers() {
    let variants: &[(&str, &str)] = &[
        (
            "score.rhai",
            r#"
fn score(c) {
    let a = [c.calls_90, 2];
    let b = a;
    b.push(c.interactions_90);
    let walked = 0;
    for x in b { b.push(x); walked += 1; }
    let names = ["A", "B"];
    let more = names;
    more.push("C");
    let has = if "C" in names { 100 } else { 0 };
    let keys = params.weights.keys();
    let found = if more.contains("C") { 7 } else { 0 };
    // (Each figure a part's actual value: a total would be clamped to 0–100.)
    [
        part("lengths", 1, 100, a.len() * 100 + b.len() * 10 + walked),
        part("items", 1, 100, a[0] * 1000 + b[2]),
        part("found", 1, 100, has + found + more.len() * 1000 + keys.len() * 10000),
    ]
}
"#,
        ),
        (
            "actions.rhai",
            r#"
fn actions(c, grade) {
    let out = [];
    let kept = out;
    for r in c.receivables {
        out.push(action("collection", c.as_of, `${r.amount} due on ${r.due}, ${r.days_to_due} days`));
    }
    let copy = out;
    copy.push(action("callback", c.as_of, "only in the copy"));
    if kept.len() > 0 { return [action("never", c.as_of, "kept was changed")]; }
    if c.calls_90 > 3 { return copy; }
    out
}
"#,
        ),
    ];
    let customers = examples("customers.json");
    for (i, (file, text)) in variants.iter().enumerate() {
        let dir = common::policy_dir(&format!("arrays-{i}"), &[(file, Some(text))]);
        let engine = Engine::from_dir(&dir).unwrap();
        assert!(
            engine.execution_tiers().unwrap().iter().all(|t| t.fast),
            "variant {i} must run in the fast tier"
        );
        let counts = assert_same(
            &format!("arrays variant {i}"),
            &engine,
            &customers,
            "2026-11-23",
        );
        assert!(
            counts.fast > 0,
            "arrays variant {i}: the fast tier ran no call"
        );
        assert_eq!(counts.bailed, 0, "arrays variant {i}: {counts:?}");
    }
}

/// Object maps are the fast tier's own values too (a literal's values, a JSON object
/// attribute's, kept as the tier's): a property, an index, `contains`, `in`, `keys` and
/// `len` of a map, maps in arrays walked by `for`, a map of an attribute, and a map an entry
/// returns as its labels must give what rhai gives — without handing the call to rhai.
#[test]
fn maps_of_the_tier_give_the_same_results_in_both_tiers() {
    let variants: &[(&str, &str)] = &[
        (
            "score.rhai",
            r#"
fn score(c) {
    let m = #{ calls: c.calls_90, name: `${c.grade}`, when: c.as_of, none: () };
    let copy = m;
    let rows = [m, #{ calls: 40, name: "x", when: c.as_of, none: 1 }];
    let total = 0;
    for r in rows { total += r.calls + r.name.len(); }
    let keys = m.keys();
    let has = if "name" in m && m.contains("calls") && !("other" in m) { 100 } else { 0 };
    let contact = c.attr("contact");
    let level = if !c.has_attr("contact") { 0 } else { contact.level + contact["tags"].len() + contact.keys().len() };
    // (Each figure a part's actual value: a total would be clamped to 0–100.)
    [
        part("reads", 1, 100, m.calls * 1000 + copy["calls"] * 10 + total),
        part("shape", 1, 100, keys.len() * 1000 + m.len() * 100 + has + (if m.none == () { 5 } else { 0 })),
        part("attribute", 1, 100, level * 10 + days_between(m.when, rows[1].when)),
        // A map or an array compared with a value of another kind is not equal to it.
        part("compared", 1, 100, (if m == () { 1 } else { 2 }) + (if rows != () { 10 } else { 20 })
            + (if contact == () { 100 } else { 200 }) + (if m != "x" && !(rows == 1) { 1000 } else { 2000 })),
    ]
}
"#,
        ),
        (
            "labels.rhai",
            r#"
fn labels(c, grade) {
    let made = #{ grade: grade, calls: c.calls_90, rate: c.calls_90 / 3.0, on: c.as_of, vip: c.purchase_count > 2, missing: () };
    let tag = if made.vip { "vip" } else { () };
    #{ grade: made.grade, calls: made.calls, rate: made["rate"], on: made.on, vip: made.vip, tag: tag, missing: made.missing, keys: `${made.keys().len()}` }
}
"#,
        ),
        (
            "labels.rhai",
            r#"
fn labels(c, grade) {
    // Values that are not plain: an array, a map, the customer.
    #{ list: [grade, 1, 2.5, ()], nested: #{ at: c.as_of }, text: `${[grade, c.as_of]}`, who: c }
}
"#,
        ),
        (
            "actions.rhai",
            r#"
fn actions(c, grade) {
    let due = [#{ what: "call", at: c.as_of }, #{ what: "visit", at: c.as_of }];
    let out = [];
    for d in due {
        if d.what != "visit" || c.calls_90 <= 2 {
            out.push(action(d.what, d["at"], `${d.what} for ${c.grade ?? "a new record"}`));
        }
    }
    out
}
"#,
        ),
    ];
    let mut customers = examples("customers.json");
    let mut with_object: Customer = serde_json::from_str(
        r#"{ "id": "C-MAP", "grade": "B", "attributes": { "contact": { "level": 3, "tags": ["a", "b"], "name": "Li" } } }"#,
    )
    .unwrap();
    customers.push(with_object.clone());
    with_object.id = "C-MAP-2".into();
    with_object.attributes.insert(
        "contact".into(),
        serde_json::json!({ "level": 1, "tags": [] }),
    );
    customers.push(with_object);
    for (i, (file, text)) in variants.iter().enumerate() {
        let dir = common::policy_dir(&format!("maps-{i}"), &[(file, Some(text))]);
        let engine = Engine::from_dir(&dir).unwrap();
        assert!(
            engine.execution_tiers().unwrap().iter().all(|t| t.fast),
            "variant {i} must run in the fast tier"
        );
        let counts = assert_same(
            &format!("maps variant {i}"),
            &engine,
            &customers,
            "2026-11-23",
        );
        assert!(
            counts.fast > 0,
            "maps variant {i}: the fast tier ran no call"
        );
        assert_eq!(counts.bailed, 0, "maps variant {i}: {counts:?}");
        if text.contains("on: made.on") {
            // A date is written as a date, not as rhai writes a custom type (its type name).
            let one = engine
                .evaluate(&customers[0], parse_date("2026-11-23").unwrap())
                .unwrap();
            assert_eq!(one.labels.get("on").map(String::as_str), Some("2026-11-23"));
            assert_eq!(one.labels.get("missing"), None);
        }
    }
}

/// The customer view an entry function is given is lent to the fast tier's call as itself
/// (a marker the machine resolves, not a boxed `Dynamic`): passed on to helpers, put into
/// arrays and maps and read back out of them, or given to a function that assigns to its
/// parameter, it must still be the customer — read in the fast tier without bailing — and
/// give what the interpreter gives.
#[test]
fn the_customer_view_used_every_way_gives_the_same_results_in_both_tiers() {
    let variants: &[&str] = &[
        r#"
fn score(c) {
    let xs = [c, c];
    let m = #{ who: c };
    let n = xs[1].calls_90 + m.who.interactions_90 + helper(c) + helper(xs[0]);
    [part("calls", 1, 5, n), part("visits", 1, 5, if c.has_attr("x") { 1 } else { c.visits_90 })]
}
fn helper(d) { d.attr("credit_score") ?? d.visits_90 }
"#,
        // A fact compared with a constant is read and compared in one step; the same
        // property of a map (a fact's name, but not the customer) is compared as usual.
        r#"
fn score(c) {
    let m = #{ calls_90: 7, grade: "B" };
    let n = if m.calls_90 > 3 && m.grade == "B" && c.grade != () { 1 } else { 2 };
    [part("calls", 1, 5, c.calls_90 + n + if c.purchase_count >= 2 { 3 } else { 4 })]
}
"#,
        // A parameter assigned to: the call copies its arguments rather than lending them.
        r#"
fn score(c) {
    let n = c.calls_90;
    if n > 1000 { c = (); }
    [part("calls", 1, 5, c.calls_90 + n + again(c, n))]
}
fn again(c, n) { if n > 1000 { c = (); } c.interactions_90 }
"#,
    ];
    let customers = examples("customers.json");
    for (i, text) in variants.iter().enumerate() {
        let dir = common::policy_dir(&format!("view-{i}"), &[("score.rhai", Some(text))]);
        let engine = Engine::from_dir(&dir).unwrap();
        assert!(
            engine.execution_tiers().unwrap().iter().all(|t| t.fast),
            "variant {i} must run in the fast tier"
        );
        let counts = assert_same(
            &format!("view variant {i}"),
            &engine,
            &customers,
            "2026-11-23",
        );
        assert!(
            counts.fast > 0,
            "view variant {i}: the fast tier ran no call"
        );
        assert_eq!(counts.bailed, 0, "view variant {i}: {counts:?}");
    }
}

/// patron's pure functions called with constant arguments (`stage_rank("contact")`) are
/// made once while lowering; their values, and the errors of those that fail (an unknown
/// grade), must be what the interpreter gives when it calls them.
#[test]
fn pure_functions_of_constants_give_the_same_results_in_both_tiers() {
    let variants: &[&str] = &[
        r#"
fn score(c) {
    let r = stage_rank("contact");
    let up = if grade_up("B") == "A" && grade_down("B") == "C" { 1 } else { 0 };
    let days = days_between(date("2026-01-01"), add_days(date("2026-01-01"), 3));
    let text = `${money(2.5)} ${money(3)} ${stage_at(1)}`;
    let n = c.calls_90 + grade_rank("B") + r + up + days + clamp(7, 0, 5) + text.len();
    [part("calls", 1, 5, n), part("more", 1, 5, clamp(2.5, 0.0, 1.0) + c.visits_90)]
}
"#,
        // A pure function that fails: rhai reports it.
        r#"fn score(c) { if c.calls_90 > 2 { [part("calls", 1, 5, stage_at(99).len())] } else { [] } }"#,
    ];
    let customers = examples("customers.json");
    for (i, text) in variants.iter().enumerate() {
        let dir = common::policy_dir(&format!("pure-{i}"), &[("score.rhai", Some(text))]);
        let engine = Engine::from_dir(&dir).unwrap();
        assert!(
            engine.execution_tiers().unwrap().iter().all(|t| t.fast),
            "variant {i} must run in the fast tier"
        );
        let counts = assert_same(
            &format!("pure variant {i}"),
            &engine,
            &customers,
            "2026-11-23",
        );
        assert!(
            counts.fast > 0,
            "pure variant {i}: the fast tier ran no call"
        );
    }
}

/// rhai measures the data a value holds all the way down (an array counts the items of the
/// arrays and maps in it, and the bytes of every string in it count against the string
/// limit), and the fast tier must end in the same error when that passes a limit: arrays
/// of arrays made by `push`, by a literal, by `+=` and by `+`, strings gathered in an array,
/// maps in an array, a map of arrays, and an attribute array longer than the limit. The same
/// scripts within the limits must run without handing a call to rhai.
#[test]
fn data_sizes_are_measured_as_rhai_measures_them_in_both_tiers() {
    // Strings of about 610 bytes (a customer id and 600 more): three fit the string limit of
    // 2,000 bytes, four do not.
    let long = "x".repeat(600);
    let over: &[(&str, String)] = &[
        (
            "pushed arrays",
            "let grid = []; for x in row { grid.push(row); } grid.len()".into(),
        ),
        (
            "literal of arrays",
            "let all = [row, row, row]; all.len()".into(),
        ),
        (
            "map of arrays",
            "let m = #{ a: row, b: row, c: row }; m.len()".into(),
        ),
        (
            "appended arrays",
            "let all = [row]; all += [row, row]; all.len()".into(),
        ),
        (
            "added arrays",
            "let all = row + row + row; all.len()".into(),
        ),
        (
            "gathered strings",
            format!("let s = `${{c.id}}{long}`; let list = [s, s, s]; list.push(s); list.len()"),
        ),
        (
            "strings in a literal",
            format!("let s = `${{c.id}}{long}`; let list = [s, s, s, s]; list.len()"),
        ),
        (
            "maps in an array",
            "let list = [#{ a: 1, b: 2, c: 3 }, #{ a: 1, b: 2 }, #{ a: 1, b: 2 }]; list.len()"
                .into(),
        ),
        (
            "a long attribute",
            "let t = c.attr(\"tags\") ?? []; t.len()".into(),
        ),
        (
            "a long attribute or a default",
            "let t = c.attr(\"tags\") ?? \"none\"; t.len()".into(),
        ),
    ];
    let within: &[(&str, String)] = &[
        (
            "pushed arrays",
            "let grid = []; for x in [1, 2] { grid.push(row); } grid.len()".into(),
        ),
        (
            "literal of arrays",
            "let all = [row, row]; all.len()".into(),
        ),
        (
            "appended arrays",
            "let all = [row]; all += [row]; all.len()".into(),
        ),
        (
            "added arrays",
            "let all = row + row; all.len() + (row + [9]).len()".into(),
        ),
        (
            "gathered strings",
            format!("let s = `${{c.id}}{long}`; let list = [s, s]; list.push(s); list.len()"),
        ),
        (
            "maps in an array",
            "let list = [#{ a: 1, b: 2, c: 3 }, #{ a: 1, b: 2 }]; list.len()".into(),
        ),
        // (The customer with the long attribute does not read it here.)
        (
            "a short attribute",
            "if c.id == \"C-TAGS\" { 0 } else { let t = c.attr(\"tags\") ?? []; t.len() }".into(),
        ),
    ];
    let mut customers = examples("customers.json")[..4].to_vec();
    let mut tagged: Customer = serde_json::from_str(r#"{ "id": "C-TAGS", "grade": "C" }"#).unwrap();
    tagged
        .attributes
        .insert("tags".into(), serde_json::json!(vec!["t"; 30]));
    customers.push(tagged.clone());
    tagged.id = "C-TAGS-2".into();
    tagged
        .attributes
        .insert("tags".into(), serde_json::json!(vec!["t"; 3]));
    customers.push(tagged);
    let limits = "\n[limits]\nmax_array_size = 20\nmax_map_size = 6\nmax_string_size = 2000\n";
    let policy_toml = std::fs::read_to_string(format!("{}/policies/default/policy.toml", root()))
        .unwrap()
        + limits;
    for (over_limit, cases) in [(true, over), (false, within)] {
        for (name, body) in cases {
            let score = format!(
                "fn score(c) {{ let row = [1, 2, 3, 4, 5, 6, 7]; let n = {{ {body} }}; [part(\"n\", 1, 100, n)] }}"
            );
            let dir = common::policy_dir(
                &format!("sizes-{over_limit}-{name}"),
                &[
                    ("score.rhai", Some(&score)),
                    ("policy.toml", Some(&policy_toml)),
                ],
            );
            let engine = Engine::from_dir(&dir).unwrap();
            assert!(
                engine.execution_tiers().unwrap().iter().all(|t| t.fast),
                "{name}: must run in the fast tier"
            );
            let label = format!("sizes {name} (over the limit: {over_limit})");
            let counts = assert_same(&label, &engine, &customers, "2026-11-23");
            let results = engine.evaluate_many(
                &customers,
                parse_date("2026-11-23").unwrap(),
                &EvaluateOptions::default(),
            );
            let failed = results.iter().filter(|r| r.is_err()).count();
            if over_limit {
                let expected = if name.contains("attribute") {
                    1
                } else {
                    customers.len()
                };
                assert_eq!(
                    failed, expected,
                    "{label}: every evaluation over a limit fails"
                );
                let message = results
                    .iter()
                    .find_map(|r| r.as_ref().err())
                    .unwrap()
                    .to_string();
                assert!(message.contains("too large"), "{label}: {message}");
                assert!(counts.bailed > 0, "{label}: {counts:?}");
            } else {
                assert_eq!(
                    failed,
                    0,
                    "{label}: {:?}",
                    results.iter().find(|r| r.is_err())
                );
                assert!(counts.fast > 0, "{label}: the fast tier ran no call");
                assert_eq!(counts.bailed, 0, "{label}: {counts:?}");
            }
        }
    }
    // What a native function returns is measured too (found by the differential fuzzer:
    // `money` of a huge number is longer than a small string limit).
    let small = format!(
        "{}\n[limits]\nmax_string_size = 200\n",
        std::fs::read_to_string(format!("{}/policies/default/policy.toml", root())).unwrap()
    );
    let score = "fn score(c) { let m = money(1e300 + c.calls_90); [part(\"n\", 1, 100, m.len())] }";
    let dir = common::policy_dir(
        "sizes-native",
        &[("score.rhai", Some(score)), ("policy.toml", Some(&small))],
    );
    let engine = Engine::from_dir(&dir).unwrap();
    let counts = assert_same(
        "sizes of a native's result",
        &engine,
        &customers,
        "2026-11-23",
    );
    assert!(counts.bailed > 0, "{counts:?}");
    let result = engine.evaluate(&customers[0], parse_date("2026-11-23").unwrap());
    assert!(result.is_err_and(|e| e.to_string().contains("Length of string too large")));
    // Parameters are folded into lowered code: a policy with one past the limits stays
    // with rhai, which reports it where a rule reads it.
    let long_list = format!("{:?}", vec![1; 25]);
    let toml = format!("{policy_toml}\n[params.sizes]\nlong = {long_list}\n");
    let score = "fn score(c) { let long = params.sizes.long; [part(\"n\", 1, 100, long.len())] }";
    let dir = common::policy_dir(
        "sizes-params",
        &[("score.rhai", Some(score)), ("policy.toml", Some(&toml))],
    );
    let engine = Engine::from_dir(&dir).unwrap();
    let tiers = engine.execution_tiers().unwrap();
    assert!(
        tiers.iter().all(|t| !t.fast
            && t.reason
                .as_deref()
                .is_some_and(|r| r.contains("data limits"))),
        "{tiers:?}"
    );
    assert_same("sizes of parameters", &engine, &customers, "2026-11-23");
    let result = engine.evaluate(&customers[0], parse_date("2026-11-23").unwrap());
    assert!(result.is_err_and(|e| e.to_string().contains("too large")));
}

/// Strings the fast tier makes are refilled once nothing holds them, and `text += more`
/// appends in place when nothing else holds the text: a string another variable still holds
/// (`let kept = s;`) must stay as it was, across the calls of a batch, with and without a
/// trace.
#[test]
fn strings_reused_and_appended_in_place_give_the_same_results_in_both_tiers() {
    let labels = r#"
fn labels(c, grade) {
    let s = `${c.id}` + "-";
    s += "x";
    s += `${c.calls_90}`;
    let kept = s;
    s += "y";
    let t = `${c.id} ${grade}`;
    let u = t;
    t += "z";
    let v = `${t}/${u}`;
    v += v;
    #{ s: s, kept: kept, t: t, u: u, v: v, w: `${kept}|${s}` }
}
"#;
    let dir = common::policy_dir("strings", &[("labels.rhai", Some(labels))]);
    let engine = Engine::from_dir(&dir).unwrap();
    assert!(engine.execution_tiers().unwrap().iter().all(|t| t.fast));
    let customers = examples("customers.json");
    let counts = assert_same("strings", &engine, &customers, "2026-11-23");
    assert!(counts.fast > 0 && counts.bailed == 0, "{counts:?}");
    let one = engine
        .evaluate(&customers[0], parse_date("2026-11-23").unwrap())
        .unwrap();
    let label = |name: &str| one.labels.get(name).cloned().unwrap_or_default();
    let id = &customers[0].id;
    assert!(
        label("kept").starts_with(&format!("{id}-x")),
        "{:?}",
        one.labels
    );
    assert_eq!(label("s"), format!("{}y", label("kept")));
    assert_eq!(label("t"), format!("{}z", label("u")));
}
