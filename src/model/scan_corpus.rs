//! Test records shared by the readers that fold a record as they read it
//! ([`entry_scan`](super::entry_scan), [`fact_scan`](super::fact_scan)), each checked against
//! the full parser: odd and refused records, every field of a full one replaced by values of
//! every kind, the shipped records, and generators of records and of broken ones.

use proptest::prelude::*;

use super::parse_date;

/// A record with every field of the contract.
pub(super) const FULL: &str = r#"{"id":"C-1","name":"Müller \"&\" Söhne","owner":"rep-1","grade":"B","grade_since":"2026-01-01","stage":"converted","region":"same_city","attributes":{"credit_score":62,"tags":["a",{"b":null}],"x":-1.5e3},"prospect":{"money":true,"authority":false,"need":null,"intent":"interested","expected_purchase_at":"2027-01-23","objections":["price"]},"purchases":[{"at":"2025-11-23","amount":1},{"at":"2025-11-24","amount":0.1},{"at":"2026-11-23","amount":0.2},{"at":"2026-11-24","amount":5},{"at":"2026-11-20T23:30:00+08:00","amount":3e2}],"interactions":[{"at":"2026-10-01","kind":"call","outcome":"ok"},{"at":"2026-10-02","kind":"visit"}],"complaints":[{"at":"2026-09-01","resolved":true},{"at":"2026-09-02"}],"receivables":[{"due":"2026-12-01","amount":0.25},{"due":"2026-10-01","amount":100,"paid":true}],"contracts":[{"signed_at":"2026-01-05","amount":1000},{"signed_at":"2026-01-06"}],"portfolio":{"size":9,"revenue_rank":3,"revenue_share":0.1,"revenue_cum_share":0.5,"recency_quintile":2,"frequency_quintile":3,"monetary_quintile":4}}"#;

/// Records the full parser refuses, each for one reason.
pub(super) const REFUSED: &[&str] = &[
    "not json",
    "[1, 2, 3]",
    r#"["x"]"#,
    r#"{"id":"x""#,
    r#"{"id":"x"} {}"#,
    r#"{"id":"x"}x"#,
    r#"{"id":""}"#,
    r#"{"id":"  "}"#,
    r#"{"id":7}"#,
    r#"{"name":"no id"}"#,
    r#"{"id":"x","id":"y"}"#,
    r#"{"id":"x","owner":"a","owner":"b"}"#,
    r#"{"id":"x","purchases":[],"purchases":[]}"#,
    r#"{"id":"x","name":5}"#,
    r#"{"id":"x","stage":[]}"#,
    r#"{"id":"x","region":{}}"#,
    r#"{"id":"x","grade":1}"#,
    r#"{"id":"x","grade_since":"2026-02-30"}"#,
    r#"{"id":"x","attributes":null}"#,
    r#"{"id":"x","attributes":[]}"#,
    r#"{"id":"x","attributes":{"big":1e400}}"#,
    r#"{"id":"x","attributes":{"deep":[[1e400]]}}"#,
    r#"{"id":"x","attributes":{"r":{"$serde_json::private::RawValue":"[1e400]"}}}"#,
    r#"{"id":"x","attributes":{"r":{"$serde_json::private::RawValue":5}}}"#,
    r#"{"id":"x","attributes":{"r":{"$serde_json::private::RawValue":"1","more":2}}}"#,
    r#"{"id":"x","prospect":{"money":"yes"}}"#,
    r#"{"id":"x","prospect":{"objections":"price"}}"#,
    r#"{"id":"x","prospect":{"objections":[1]}}"#,
    r#"{"id":"x","prospect":{"expected_purchase_at":"soon"}}"#,
    r#"{"id":"x","prospect":5}"#,
    r#"{"id":"x","purchases":null}"#,
    r#"{"id":"x","purchases":{}}"#,
    r#"{"id":"x","purchases":[{"at":"yesterday","amount":1}]}"#,
    r#"{"id":"x","purchases":[{"at":"2026-01-01"}]}"#,
    r#"{"id":"x","purchases":[{"at":"2026-01-01","amount":"1"}]}"#,
    r#"{"id":"x","purchases":[{"at":"2026-01-01","amount":-1}]}"#,
    r#"{"id":"x","purchases":[{"at":"2030-01-01","amount":-0.5}]}"#,
    r#"{"id":"x","purchases":[{"at":"2026-01-01","amount":1e400}]}"#,
    r#"{"id":"x","purchases":[{"at":"2026-01-01","amount":1,"at":"2026-01-01"}]}"#,
    r#"{"id":"x","purchases":[["2026-01-01"]]}"#,
    r#"{"id":"x","interactions":[{"at":"2026-01-01"}]}"#,
    r#"{"id":"x","interactions":[{"at":"2026-01-01","kind":3}]}"#,
    r#"{"id":"x","interactions":[{"at":"2026-01-01","kind":"call","outcome":false}]}"#,
    r#"{"id":"x","interactions":[{"kind":"call"}]}"#,
    r#"{"id":"x","complaints":[{"at":"2026-01-01","resolved":"no"}]}"#,
    r#"{"id":"x","complaints":[{}]}"#,
    r#"{"id":"x","receivables":[{"due":"2026-01-01","amount":-1,"paid":true}]}"#,
    r#"{"id":"x","receivables":[{"due":"2026-01-01"}]}"#,
    r#"{"id":"x","receivables":[{"due":"2026-01-01","amount":1,"paid":1}]}"#,
    r#"{"id":"x","contracts":[{"signed_at":"2026-01-01","amount":"a"}]}"#,
    r#"{"id":"x","contracts":[{"amount":1}]}"#,
    r#"{"id":"x","portfolio":{"size":1}}"#,
    r#"{"id":"x","portfolio":{"size":9,"revenue_rank":3,"revenue_share":0.1,"revenue_cum_share":0.5,"recency_quintile":2,"frequency_quintile":3,"monetary_quintile":4,"extra":1}}"#,
    "\u{a0}{\"id\":\"x\"}",
];

/// Records the full parser accepts though they look odd.
pub(super) const ACCEPTED: &[&str] = &[
    r#"{"id":"x","unknown":1e400}"#,
    r#"{"id":"x","unknown":{"deep":[1,2,{"a":"b"}]}}"#,
    r#"{"id":"x","purchases":[{"at":"2026-01-01","amount":1,"note":"n"}]}"#,
    r#"{"id":"x","purchases":[{"at":"2026-01-01","amount":-0.0}]}"#,
    r#"{"id":"x","receivables":[{"due":"2026-01-01","amount":5}],"purchases":[{"at":"2026-01-01","amount":1}]}"#,
    r#"{"id":"x","attributes":{"a":1,"a":2}}"#,
    r#"{"id":"x","attributes":{"r":{"$serde_json::private::RawValue":"[1, {\"b\": 2}]"}}}"#,
    r#"{"id":"x","attributes":{"n":18446744073709551615,"m":-9223372036854775808,"f":1.5e300}}"#,
    r#"{"id":"\u0078\n","owner":"\ud83d\ude00","grade":"A\"B"}"#,
    r#"{"id":"x","name":null,"owner":null,"grade":null,"grade_since":null,"prospect":null,"portfolio":null}"#,
    r#"{"id":"x","grade_since":"2026-01-01T00:00:00Z"}"#,
];

/// Values of every kind to put in place of one of [`FULL`].
const ODD: &[&str] = &[
    "{}",
    "[]",
    "1",
    "-1",
    "0.5",
    "\"s\"",
    "\"\"",
    "\"2026-01-01\"",
    "null",
    "true",
    "1e400",
    "[{}]",
    "[[]]",
    "[null]",
    "[\"2026-01-01\", 1]",
    "{\"a\":1e400}",
];

fn paths(value: &serde_json::Value, at: Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(at.clone());
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                let mut next = at.clone();
                next.push(key.clone());
                paths(inner, next, out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                let mut next = at.clone();
                next.push(i.to_string());
                paths(inner, next, out);
            }
        }
        _ => {}
    }
}

/// [`FULL`] in the plain form the first pass's fast path reads (`entry_skim`): no escape in a
/// string, no exponent in a number, no `portfolio` field.
pub(super) const PLAIN: &str = r#"{"id":"C-1","name":"Müller & Söhne","owner":"rep-1","grade":"B","grade_since":"2026-01-01","stage":"converted","region":"same_city","attributes":{"credit_score":62,"tags":["a",{"b":null}],"x":-1500.5,"y":true},"prospect":{"money":true,"authority":false,"need":null,"intent":"interested","expected_purchase_at":"2027-01-23","objections":["price"]},"purchases":[{"at":"2025-11-23","amount":1},{"at":"2025-11-24","amount":0.1},{"at":"2026-11-23","amount":0.2},{"at":"2026-11-24","amount":5},{"at":"2026-11-20T23:30:00+08:00","amount":300}],"interactions":[{"at":"2026-10-01","kind":"call","outcome":"ok"},{"at":"2026-10-02","kind":"visit"}],"complaints":[{"at":"2026-09-01","resolved":true},{"at":"2026-09-02"}],"receivables":[{"due":"2026-12-01","amount":0.25},{"due":"2026-10-01","amount":100,"paid":true}],"contracts":[{"signed_at":"2026-01-05","amount":1000},{"signed_at":"2026-01-06","amount":null}],"extra":{"deep":[[1,2],{"k":"v"}]}}"#;

/// [`FULL`] with each value (each field, each history item, each field of one) replaced in
/// turn by each value of [`ODD`].
pub(super) fn every_field_replaced() -> Vec<String> {
    every_field_replaced_in(FULL)
}

/// `base` with each value replaced in turn by each value of [`ODD`].
pub(super) fn every_field_replaced_in(base: &str) -> Vec<String> {
    let full: serde_json::Value = serde_json::from_str(base).unwrap();
    let mut all = Vec::new();
    paths(&full, Vec::new(), &mut all);
    let mut texts = Vec::new();
    for path in all.iter().filter(|p| !p.is_empty()) {
        let mut value = full.clone();
        let mut slot = &mut value;
        for key in path {
            slot = match slot {
                serde_json::Value::Object(map) => map.get_mut(key).unwrap(),
                serde_json::Value::Array(items) => &mut items[key.parse::<usize>().unwrap()],
                _ => unreachable!(),
            };
        }
        *slot = serde_json::Value::String("__odd__".into());
        let template = value.to_string();
        texts.extend(ODD.iter().map(|odd| template.replace("\"__odd__\"", odd)));
    }
    texts
}

/// Every customer record of the repository's examples, fixtures and policy tests: each line
/// of their JSON and JSON Lines files, each item of a JSON array, and the customer of a case.
pub(super) fn shipped_lines() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let mut dirs = vec![
        root.join("examples"),
        root.join("tests"),
        root.join("policies"),
    ];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path
                .extension()
                .is_some_and(|e| e == "json" || e == "jsonl")
            {
                files.push(path);
            }
        }
    }
    let mut all = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) {
            let values = match value {
                serde_json::Value::Array(values) => values,
                other => vec![other],
            };
            lines.extend(values.iter().map(|v| v.to_string()));
            for value in values.iter().filter(|v| v.is_object()) {
                // Also each record as of its own date, when the case names one.
                for key in ["as_of", "customer"] {
                    if let Some(inner) = value.get(key).filter(|v| v.is_object()) {
                        lines.push(inner.to_string());
                    }
                }
            }
        }
        all.extend(lines);
    }
    all
}

pub(super) fn date_near() -> impl Strategy<Value = String> {
    // Around the window's edges (2025-11-23, 2026-11-23) and elsewhere, some as datetimes.
    (
        prop_oneof![
            Just(-366i64),
            Just(-365),
            Just(-364),
            Just(0),
            Just(1),
            -800i64..30
        ],
        any::<bool>(),
    )
        .prop_map(|(days, datetime)| {
            let date = crate::model::add_days(parse_date("2026-11-23").unwrap(), days).unwrap();
            if datetime {
                format!("{date}T12:00:00-03:00")
            } else {
                date.to_string()
            }
        })
}

pub(super) fn amount() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..1_000_000).prop_map(|n| format!("{}.{:02}", n / 100, n % 100)),
        Just("0.1".to_string()),
        Just("0.2".to_string()),
        Just("1e2".to_string()),
        Just("-0.0".to_string()),
        Just("-1".to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| f.abs().to_string()),
    ]
}

/// A record with an id, an owner, a grade, purchases and receivables.
pub(super) fn record() -> impl Strategy<Value = String> {
    let purchase = (date_near(), amount())
        .prop_map(|(at, amount)| format!(r#"{{"at":"{at}","amount":{amount}}}"#));
    let receivable =
        (date_near(), amount(), prop::option::of(any::<bool>())).prop_map(|(due, amount, paid)| {
            match paid {
                Some(paid) => format!(r#"{{"due":"{due}","amount":{amount},"paid":{paid}}}"#),
                None => format!(r#"{{"due":"{due}","amount":{amount}}}"#),
            }
        });
    (
        "[A-Z]-[0-9]{1,3}",
        prop::option::of("rep-[0-9]"),
        prop::option::of("[A-F]"),
        prop::collection::vec(purchase, 0..12),
        prop::collection::vec(receivable, 0..4),
    )
        .prop_map(|(id, owner, grade, purchases, receivables)| {
            let mut text = format!(r#"{{"id":"{id}""#);
            if let Some(owner) = owner {
                text += &format!(r#","owner":"{owner}""#);
            }
            if let Some(grade) = grade {
                text += &format!(r#","grade":"{grade}""#);
            }
            text += &format!(
                r#","purchases":[{}],"receivables":[{}]}}"#,
                purchases.join(","),
                receivables.join(",")
            );
            text
        })
}

/// Bits of JSON to put in the middle of a record.
pub(super) const TOKENS: &[&str] = &[
    "\"",
    ",",
    ":",
    "{",
    "}",
    "[",
    "]",
    "null",
    "true",
    "1",
    "-1",
    "1e400",
    "\"x\"",
    "\"\"",
    "\"id\":\"y\",",
    "\"owner\":\"r\",",
    "\"purchases\":[],",
    "\"name\":3,",
    " ",
    "\\",
    "\"2026-13-01\"",
    "[]",
    "{}",
];

/// `base` with `edits` made (a cut, a token of [`TOKENS`] put in, a byte changed), when it is
/// still UTF-8.
pub(super) fn broken(base: String, edits: Vec<(usize, usize, u8, usize)>) -> Option<String> {
    let mut text = base.into_bytes();
    for (at, token, kind, len) in edits {
        let at = at % (text.len() + 1);
        match kind {
            0 => {
                let end = (at + len).min(text.len());
                text.drain(at..end);
            }
            1 | 2 => {
                text.splice(at..at, TOKENS[token].bytes());
            }
            _ => {
                if at < text.len() {
                    text[at] = TOKENS[token].as_bytes()[0];
                }
            }
        }
    }
    String::from_utf8(text).ok()
}

/// A record with every history (interactions of the kinds the facts tell apart, a `kind`
/// written with an escape, several purchases and receivables on the same dates), its fields
/// in any order (`grade_since` after the purchases, say).
pub(super) fn rich_record() -> impl Strategy<Value = String> {
    let kind = prop::sample::select(vec![
        "call",
        "visit",
        "quote",
        "negotiation",
        "email",
        "meeting",
        "ca\\u006cl",
    ]);
    let purchase = (date_near(), amount())
        .prop_map(|(at, amount)| format!(r#"{{"at":"{at}","amount":{amount}}}"#));
    let interaction = (date_near(), kind, any::<bool>()).prop_map(|(at, kind, outcome)| {
        let outcome = if outcome { r#","outcome":"ok""# } else { "" };
        format!(r#"{{"at":"{at}","kind":"{kind}"{outcome}}}"#)
    });
    let complaint =
        (date_near(), prop::option::of(any::<bool>())).prop_map(|(at, resolved)| match resolved {
            Some(resolved) => format!(r#"{{"at":"{at}","resolved":{resolved}}}"#),
            None => format!(r#"{{"at":"{at}"}}"#),
        });
    let receivable =
        (date_near(), amount(), prop::option::of(any::<bool>())).prop_map(|(due, amount, paid)| {
            match paid {
                Some(paid) => format!(r#"{{"due":"{due}","amount":{amount},"paid":{paid}}}"#),
                None => format!(r#"{{"due":"{due}","amount":{amount}}}"#),
            }
        });
    let contract =
        (date_near(), prop::option::of(amount())).prop_map(|(at, amount)| match amount {
            Some(amount) => format!(r#"{{"signed_at":"{at}","amount":{amount}}}"#),
            None => format!(r#"{{"signed_at":"{at}"}}"#),
        });
    let list = |items: Vec<String>| format!("[{}]", items.join(","));
    (
        "[A-Z]-[0-9]{1,3}",
        prop::option::of("rep-[0-9]"),
        prop::option::of("[A-F]"),
        prop::option::of(date_near()),
        prop::collection::vec(purchase, 0..10),
        prop::collection::vec(interaction, 0..8),
        prop::collection::vec(complaint, 0..4),
        prop::collection::vec(receivable, 0..5),
        prop::collection::vec(contract, 0..3),
        prop::option::of(r#""attributes":\{"credit_score":[0-9]{1,2}\}"#),
    )
        .prop_flat_map(
            move |(
                id,
                owner,
                grade,
                since,
                purchases,
                interactions,
                complaints,
                receivables,
                contracts,
                attributes,
            )| {
                let mut fields = vec![format!(r#""id":"{id}""#)];
                fields.extend(owner.map(|o| format!(r#""owner":"{o}""#)));
                fields.extend(grade.map(|g| format!(r#""grade":"{g}""#)));
                fields.extend(since.map(|s| format!(r#""grade_since":"{s}""#)));
                fields.push(format!(r#""purchases":{}"#, list(purchases)));
                fields.push(format!(r#""interactions":{}"#, list(interactions)));
                fields.push(format!(r#""complaints":{}"#, list(complaints)));
                fields.push(format!(r#""receivables":{}"#, list(receivables)));
                fields.push(format!(r#""contracts":{}"#, list(contracts)));
                fields.extend(attributes);
                Just(fields).prop_shuffle()
            },
        )
        .prop_map(|fields| format!("{{{}}}", fields.join(",")))
}

/// Records where the stream's own scanner (`skim`) could read JSON differently from
/// serde_json: numbers at the edges of JSON's grammar, control characters, raw-value keys,
/// duplicates, deep nesting, text after the record.
pub(super) fn skim_edges() -> Vec<String> {
    let deep = format!(
        r#"{{"id":"x","attributes":{{"a":{}1{}}}}}"#,
        "[".repeat(40),
        "]".repeat(40)
    );
    let edges: Vec<&str> = vec![
        r#"{"id":"x","purchases":[{"at":"2026-01-01","amount":01}]}"#,
        r#"{"id":"x","purchases":[{"at":"2026-01-01","amount":1.}]}"#,
        r#"{"id":"x","purchases":[{"at":"2026-01-01","amount":.5}]}"#,
        r#"{"id":"x","purchases":[{"at":"2026-01-01","amount":-0}]}"#,
        r#"{"id":"x","purchases":[{"at":"2026-01-01","amount":123456789012345678}]}"#,
        r#"{"id":"x","purchases":[{"at":"2026-01-01","amount":0.1000000000000000055511151231257827}]}"#,
        r#"{"id":"x","attributes":{"a":-}}"#,
        r#"{"id":"x","attributes":{"a":00}}"#,
        r#"{"id":"x","attributes":{"a":-0.5,"b":[1,-2,{"c":null}]}}"#,
        r#"{"id":"x","attributes":{"$serde_json::private::RawValue":"1"}}"#,
        "{\"id\":\"x\u{1}\"}",
        "{\"id\":\"x\u{1f}yyyyyyyyyyyyyyyyyy\",\"owner\":\"o\"}",
        "{\"id\":\"x\tb\"}",
        r#"{"id":"x\u0041"}"#,
        r#"{"id":"x"} x"#,
        r#"{"id":"x"}{"id":"y"}"#,
        r#"{"id":"x",}"#,
        r#"{"id":"x","grade":nul}"#,
        r#"{"id":"x","grade":truex}"#,
        r#"{"id":"x","prospect":{"money":true,"money":false}}"#,
        r#"{"id":"x","prospect":{"objections":[1]}}"#,
        r#"{"id":"x","receivables":[{"due":"2026-01-01","amount":1,"paid":null}]}"#,
        r#"{"id":"x","contracts":[{"signed_at":"2026-01-01","amount":-5}]}"#,
        r#"{"id":"x","interactions":[{"at":"2026-01-01"}]}"#,
        r#"{"id":" ","owner":"o"}"#,
        r#"{"id":"x","interactions":[{"at":"2026-01-01","kind":"call","kind":"visit"}]}"#,
        r#"{"id":"x","interactions":[{"at":"2026-01-01","kind":"call","outcome":null,"x":[]}]}"#,
        r#"{"id":"x","complaints":[{"at":"2026-01-01","resolved":null}]}"#,
        r#"{"id":"x","complaints":[{"at":"2026-01-01","resolved":false,"resolved":true}]}"#,
        r#"{"id":"x","contracts":[{"signed_at":"2026-01-01","amount":null}]}"#,
        r#"{"id":"x","prospect":{"intent":"quoted","note":{"a":[1]}}}"#,
        r#"{"id":"x","prospect":null,"attributes":{"a":1,"a":2}}"#,
        r#"{"id":"x","attributes":null}"#,
        r#"{"id":"x","purchases":null}"#,
        " {\n \"id\" : \"x\" ,\t\"purchases\" : [ { \"at\" : \"2026-11-01\" , \"amount\" : 5 } ] }\r\n",
        &deep,
    ];
    edges.iter().map(|text| text.to_string()).collect()
}

/// What both readers' tests ask of their fast path (`entry_skim`, `fact_skim`): it answers for
/// [`PLAIN`] and not for [`FULL`]; for each value of `PLAIN` replaced by odd values it answers
/// for some and leaves more to serde; it answers for nine in ten of the shipped records that
/// `accepted` accepts, for none of [`REFUSED`]; and every record of [`skim_edges`] is checked.
/// `skimmed` says whether the fast path answered, after checking that its answer (if any) is
/// the full parser's; `check` checks every reader of a record against the full parser.
pub(super) fn check_fast_path(
    skimmed: impl Fn(&str) -> bool,
    accepted: impl Fn(&str) -> bool,
    check: impl Fn(&str),
) {
    assert!(skimmed(PLAIN));
    assert!(
        !skimmed(FULL),
        "FULL has an escape and portfolio facts: serde's"
    );
    let variants = every_field_replaced_in(PLAIN);
    let answered = variants
        .iter()
        .filter(|text| {
            check(text);
            skimmed(text)
        })
        .count();
    assert!(
        answered > 250 && variants.len() - answered > 500,
        "{answered} of {}",
        variants.len()
    );
    let lines = shipped_lines();
    let answered = lines.iter().filter(|line| skimmed(line)).count();
    let records = lines.iter().filter(|line| accepted(line)).count();
    assert!(answered * 10 > records * 9, "{answered} of {records}");
    for text in REFUSED {
        assert!(!skimmed(text), "{text}");
    }
    for text in skim_edges() {
        check(&text);
    }
    assert!(skimmed(
        r#"{"id":"x","attributes":{"a":-0.5,"b":[1,-2,{"c":null}]}}"#
    ));
}
