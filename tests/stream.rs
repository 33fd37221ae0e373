//! Streaming evaluation of JSON Lines gives, byte for byte, what the in-memory batch gives:
//! on the shipped examples with their policies, and on a generated portfolio full of ties,
//! garbage lines, blank lines and chunk boundaries, on several threads. Plus the edges: empty
//! input, a last line without a newline, a line that is not UTF-8, an input that changes
//! between the two passes, the one-pass mode, and the pass that lends its items to the caller.

mod common;

use std::io::Cursor;
use std::path::Path;

use common::as_of;
use patron::{BatchItem, Engine, EvaluateOptions, PortfolioIndex, StreamOptions, StreamSummary};

/// What the in-memory batch writes as JSON Lines.
fn batch_jsonl(engine: &Engine, input: &str, options: &EvaluateOptions) -> Vec<u8> {
    let mut out = Vec::new();
    for item in engine.evaluate_many(input, as_of(), options).unwrap() {
        serde_json::to_writer(&mut out, &item).unwrap();
        out.push(b'\n');
    }
    out
}

fn stream_jsonl(
    engine: &Engine,
    input: &[u8],
    options: &StreamOptions,
) -> (Vec<u8>, StreamSummary) {
    let mut out = Vec::new();
    let summary = engine
        .evaluate_stream(Cursor::new(input), &mut out, as_of(), options)
        .unwrap();
    (out, summary)
}

fn chunked(lines: usize) -> StreamOptions {
    StreamOptions {
        chunk_lines: lines,
        ..StreamOptions::default()
    }
}

/// A JSON array of records as JSON Lines, one compact record per line.
fn array_to_jsonl(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let records: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    records
        .iter()
        .map(|r| serde_json::to_string(r).unwrap() + "\n")
        .collect()
}

fn assert_same(expected: &[u8], actual: &[u8], what: &str) {
    if expected != actual {
        let (e, a) = (
            String::from_utf8_lossy(expected),
            String::from_utf8_lossy(actual),
        );
        let first = e.lines().zip(a.lines()).position(|(x, y)| x != y);
        panic!(
            "{what}: the stream differs from the batch ({} vs {} lines); first differing line: {first:?}",
            e.lines().count(),
            a.lines().count()
        );
    }
}

#[test]
fn the_examples_stream_exactly_as_they_batch() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (customers, policy) in [
        ("examples/customers.json", "policies/default"),
        ("examples/distributor.json", "policies/distributor"),
        ("examples/key-accounts.json", "policies/key-accounts"),
        ("examples/otc-pharma.json", "policies/otc-pharma"),
    ] {
        let engine = Engine::from_dir(root.join(policy)).unwrap();
        let input = array_to_jsonl(&root.join(customers));
        for explain in [false, true] {
            let options = StreamOptions {
                evaluate: EvaluateOptions {
                    explain,
                    ..EvaluateOptions::default()
                },
                chunk_lines: 5,
                ..StreamOptions::default()
            };
            let expected = batch_jsonl(&engine, &input, &options.evaluate);
            let (actual, summary) = stream_jsonl(&engine, input.as_bytes(), &options);
            assert_same(&expected, &actual, customers);
            assert_eq!(summary.records, input.lines().count());
        }
    }
    let engine = Engine::with_default_policy().unwrap();
    let input = std::fs::read_to_string(root.join("examples/erp-cmake/customers.jsonl")).unwrap();
    let expected = batch_jsonl(&engine, &input, &EvaluateOptions::default());
    let (actual, _) = stream_jsonl(&engine, input.as_bytes(), &StreamOptions::default());
    assert_same(&expected, &actual, "examples/erp-cmake/customers.jsonl");
}

/// A small deterministic generator (a linear congruential one; no dependency).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

/// `n` lines of a varied portfolio: equal revenues (ties broken by id, duplicate ids), no
/// purchases at all, owners and none, a record bringing its own portfolio facts, records
/// that fail to parse or to evaluate, blank lines, CRLF line ends and whitespace.
fn generated(n: usize, seed: u64) -> String {
    let mut rng = Lcg(seed);
    let grades = ["A", "B", "C", "D", "E", "F"];
    let stages = ["contact", "negotiation", "converted", "prospecting"];
    let kinds = ["call", "visit", "email", "meeting", "quote"];
    // Starts with a record: the batch reads the input as JSON Lines whatever comes later.
    let mut out = String::from("{ \"id\": \"first\" }\n");
    for i in 0..n {
        let line = match rng.next(40) {
            0 => "this is not json".to_string(),
            1 => "[1, 2, 3]".to_string(),
            2 => String::new(),
            3 => "   \t ".to_string(),
            4 => format!("{{ \"id\": \"G-{i}\", \"grade\": \"Z\" }}"),
            5 => format!("{{ \"id\": \"G-{i}\", \"purchases\": [ {{ \"at\": \"yesterday\", \"amount\": 1 }} ] }}"),
            6 => format!("{{ \"id\": \"G-{i}\", \"portfolio\": {{ \"size\": 9, \"revenue_rank\": 3, \"revenue_share\": 0.1, \"revenue_cum_share\": 0.5, \"recency_quintile\": 2, \"frequency_quintile\": 3, \"monetary_quintile\": 4 }} }}"),
            7 => format!("{{ \"id\": \"G-{i}\", \"owner\": \"rep-1\""),
            _ => {
                // Few distinct ids and amounts: many ties, some duplicate ids.
                let id = format!("C-{:04}", rng.next(n as u64 / 2 + 1));
                let purchases: Vec<String> = (0..rng.next(6))
                    .map(|_| {
                        format!(
                            "{{ \"at\": \"2026-{:02}-{:02}\", \"amount\": {} }}",
                            rng.next(11) + 1,
                            rng.next(28) + 1,
                            [100.0, 250.5, 1000.0, 0.1, 0.2][rng.next(5) as usize]
                        )
                    })
                    .collect();
                let interactions: Vec<String> = (0..rng.next(8))
                    .map(|_| {
                        format!(
                            "{{ \"at\": \"2026-{:02}-{:02}\", \"kind\": \"{}\" }}",
                            rng.next(11) + 1,
                            rng.next(28) + 1,
                            kinds[rng.next(5) as usize]
                        )
                    })
                    .collect();
                let owner = match rng.next(4) {
                    0 => String::new(),
                    k => format!("\"owner\": \"rep-{k}\", "),
                };
                let grade = match rng.next(7) {
                    6 => String::new(),
                    g => format!(
                        "\"grade\": \"{}\", \"grade_since\": \"2026-0{}-01\", ",
                        grades[g as usize],
                        rng.next(9) + 1
                    ),
                };
                format!(
                    "{{ \"id\": \"{id}\", {owner}{grade}\"stage\": \"{}\", \"region\": \"same_city\", \"purchases\": [{}], \"interactions\": [{}] }}",
                    stages[rng.next(4) as usize],
                    purchases.join(", "),
                    interactions.join(", ")
                )
            }
        };
        out.push_str(&line);
        out.push_str(if rng.next(10) == 0 { "\r\n" } else { "\n" });
    }
    out
}

#[test]
fn a_generated_portfolio_with_garbage_streams_exactly_as_it_batches() {
    let engine = Engine::with_default_policy().unwrap();
    let input = generated(1500, 7);
    let expected = batch_jsonl(&engine, &input, &EvaluateOptions::default());
    for options in [chunked(1), chunked(97), StreamOptions::default()] {
        let (actual, summary) = stream_jsonl(&engine, input.as_bytes(), &options);
        assert_same(
            &expected,
            &actual,
            &format!("chunks of {}", options.chunk_lines),
        );
        assert_eq!(summary.lines, input.lines().count());
        assert_eq!(summary.records, expected.split(|b| *b == b'\n').count() - 1);
        assert!(
            summary.failed > 60 && summary.evaluated > 600,
            "{summary:?}"
        );
    }
    // Chunks cut by size rather than by lines.
    let by_bytes = StreamOptions {
        chunk_bytes: 3000,
        ..StreamOptions::default()
    };
    assert_same(
        &expected,
        &stream_jsonl(&engine, input.as_bytes(), &by_bytes).0,
        "chunks of 3000 bytes",
    );
}

/// Records on the edge of what the parser accepts: the first pass reads them without building
/// customers, and must count exactly those the evaluating pass parses (a record counted by
/// one pass only would shift every later customer's portfolio facts).
#[test]
fn records_on_the_edge_of_the_parser_stream_exactly_as_they_batch() {
    let engine = Engine::with_default_policy().unwrap();
    let edge = [
        // Refused by the full parser.
        r#"{ "id": "" }"#,
        r#"{ "id": "  " }"#,
        r#"{ "id": "E-1", "attributes": { "big": 1e400 } }"#,
        r#"{ "id": "E-2", "receivables": [ { "due": "2026-01-01", "amount": -1, "paid": true } ] }"#,
        r#"{ "id": "E-3", "purchases": [ { "at": "2030-01-01", "amount": -5 } ] }"#,
        r#"{ "id": "E-4", "id": "E-4" }"#,
        r#"{ "id": "E-5", "name": 5 }"#,
        r#"{ "id": "E-6", "interactions": [ { "at": "2026-01-01", "kind": 1 } ] }"#,
        r#"{ "id": "E-7", "attributes": { "r": { "$serde_json::private::RawValue": "[1e400]" } } }"#,
        r#"{ "id": "E-8", "prospect": { "objections": [ 1 ] } }"#,
        r#"{ "id": "E-9" } trailing"#,
        // Accepted by the full parser.
        r#"{ "id": "K-1", "unknown": 1e400, "purchases": [ { "at": "2026-10-01", "amount": 300, "note": 1e400 } ] }"#,
        r#"{ "id": "K-2", "attributes": { "a": 1, "a": 2 }, "purchases": [ [ "2026-09-01", 200 ] ] }"#,
        r#"{ "id": "K-3", "attributes": { "r": { "$serde_json::private::RawValue": "[1]" } } }"#,
        r#"{ "id": "K-4", "purchases": [ { "at": "2026-11-20T23:30:00+08:00", "amount": -0.0 } ] }"#,
    ];
    let mut input = String::new();
    for (i, line) in edge.iter().enumerate() {
        input.push_str(&format!(
            "{{ \"id\": \"V-{i}\", \"purchases\": [ {{ \"at\": \"2026-0{}-01\", \"amount\": {} }} ] }}\n{line}\n",
            i % 9 + 1,
            100 * (i % 4)
        ));
    }
    let expected = batch_jsonl(&engine, &input, &EvaluateOptions::default());
    let (actual, summary) = stream_jsonl(&engine, input.as_bytes(), &chunked(4));
    assert_same(&expected, &actual, "records on the edge");
    assert_eq!((summary.records, summary.failed), (30, 11));
}

#[test]
fn order_is_kept_on_several_threads() {
    let engine = Engine::with_default_policy().unwrap();
    let input = generated(1200, 11);
    let expected = batch_jsonl(&engine, &input, &EvaluateOptions::default());
    for threads in [2, 3, 4] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let (actual, _) = pool.install(|| stream_jsonl(&engine, input.as_bytes(), &chunked(64)));
        assert_same(&expected, &actual, &format!("{threads} threads"));
    }
}

#[test]
fn a_policy_reading_portfolio_facts_streams_as_it_batches() {
    let labels = include_str!("fixtures/portfolio-labels.rhai");
    let engine = Engine::from_dir(common::policy_dir(
        "stream-portfolio-labels",
        &[("labels.rhai", Some(labels))],
    ))
    .unwrap();
    let input = generated(800, 3);
    let expected = batch_jsonl(&engine, &input, &EvaluateOptions::default());
    let (actual, _) = stream_jsonl(&engine, input.as_bytes(), &chunked(50));
    assert_same(&expected, &actual, "portfolio labels");
    assert!(String::from_utf8_lossy(&actual).contains("\"rfm\""));
}

#[test]
fn empty_and_blank_inputs_give_no_items() {
    let engine = Engine::with_default_policy().unwrap();
    for input in ["", "\n", "\n  \n\t\n", "\r\n"] {
        let (out, summary) = stream_jsonl(&engine, input.as_bytes(), &StreamOptions::default());
        assert!(out.is_empty(), "{input:?}");
        assert_eq!(summary.records, 0);
        assert_eq!(summary.lines, input.lines().count());
        assert_eq!(
            out,
            batch_jsonl(&engine, input, &EvaluateOptions::default())
        );
    }
}

#[test]
fn a_last_line_without_newline_is_a_record() {
    let engine = Engine::with_default_policy().unwrap();
    for input in [
        "{ \"id\": \"C-1\" }\n{ \"id\": \"C-2\", \"grade\": \"A\" }",
        "{ \"id\": \"C-1\" }\r\n{ \"id\": \"C-2\", \"grade\": \"A\" }\r",
        "{ \"id\": \"C-2\", \"grade\": \"A\" }",
        "{ \"id\": \"C-1\" }\nnot json",
    ] {
        let (out, summary) = stream_jsonl(&engine, input.as_bytes(), &chunked(1));
        assert_eq!(
            out,
            batch_jsonl(&engine, input, &EvaluateOptions::default())
        );
        assert_eq!(summary.records, input.lines().count());
        assert!(out.ends_with(b"\n"));
    }
}

#[test]
fn a_line_that_is_not_utf8_fails_alone() {
    let engine = Engine::with_default_policy().unwrap();
    let mut input = b"{ \"id\": \"C-1\" }\n".to_vec();
    input.extend_from_slice(b"{ \"id\": \"C-\xff\" }\n{ \"id\": \"C-3\" }\n");
    let (out, summary) = stream_jsonl(&engine, &input, &StreamOptions::default());
    assert_eq!((summary.records, summary.failed), (3, 1));
    let items: Vec<serde_json::Value> = out
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(items[1]["line"], 2);
    assert_eq!(items[1]["error"]["kind"], "invalid_input");
    // Where, as the standard library says it.
    assert!(items[1]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("the line is not valid UTF-8: invalid utf-8 sequence of 1 bytes from index 11"));
    assert_eq!(items[2]["customer_id"], "C-3");
    assert_eq!(items[2]["portfolio"]["size"], 2);
}

#[test]
fn an_input_that_changed_between_the_passes_is_an_error() {
    let engine = Engine::with_default_policy().unwrap();
    let before = "{ \"id\": \"C-1\" }\n{ \"id\": \"C-2\" }\n";
    let options = StreamOptions::default();
    let index = PortfolioIndex::scan(Cursor::new(before), as_of(), &options).unwrap();
    assert_eq!((index.len(), index.records()), (2, 2));
    for after in [
        "{ \"id\": \"C-1\" }\n{ \"id\": \"C-3\" }\n",
        "{ \"id\": \"C-1\" }\n",
        "{ \"id\": \"C-1\" }\n{ \"id\": \"C-2\" }\n{ \"id\": \"C-3\" }\n",
        "{ \"id\": \"C-2\" }\n{ \"id\": \"C-1\" }\n",
    ] {
        let error = engine
            .evaluate_stream_with(
                Cursor::new(after),
                as_of(),
                Some(&index),
                &options,
                |_| (),
                |_| Ok(()),
            )
            .unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidData, "{after}");
    }
    let other_day = patron::model::parse_date("2026-11-24").unwrap();
    let error = engine
        .evaluate_stream_with(
            Cursor::new(before),
            other_day,
            Some(&index),
            &options,
            |_| (),
            |_| Ok(()),
        )
        .unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
fn one_pass_without_an_index_uses_the_records_own_portfolio_facts() {
    let engine = Engine::with_default_policy().unwrap();
    let input = "{ \"id\": \"C-1\" }\n{ \"id\": \"C-2\", \"portfolio\": { \"size\": 9, \"revenue_rank\": 3, \"revenue_share\": 0.1, \"revenue_cum_share\": 0.5, \"recency_quintile\": 2, \"frequency_quintile\": 3, \"monetary_quintile\": 4 } }\n";
    let mut items = Vec::new();
    let summary = engine
        .evaluate_stream_with(
            input.as_bytes(),
            as_of(),
            None,
            &StreamOptions::default(),
            |item| match item {
                BatchItem::Evaluated(e) => e.portfolio.map(|p| p.size),
                BatchItem::Failed { error, .. } => panic!("{}", error.message),
            },
            |chunk| {
                items.extend(chunk);
                Ok(())
            },
        )
        .unwrap();
    assert_eq!(summary.evaluated, 2);
    assert_eq!(items, [None, Some(9)]);
}

/// The evaluating pass that lends each item to `map` (and reuses its evaluation for the next
/// record on the thread) gives the items of the pass that hands each item over, fresh: on the
/// generated portfolio, whose records of every size and failures follow one another on the
/// same threads, with and without a trace, in one chunk and in chunks of one line.
#[test]
fn lending_and_handing_over_items_give_the_same_stream() {
    let engine = Engine::with_default_policy().unwrap();
    let input = generated(600, 11);
    for explain in [false, true] {
        for chunk_lines in [1, 1024] {
            let options = StreamOptions {
                evaluate: EvaluateOptions {
                    explain,
                    ..EvaluateOptions::default()
                },
                ..chunked(chunk_lines)
            };
            let portfolio = PortfolioIndex::scan(Cursor::new(&input), as_of(), &options).unwrap();
            let (mut handed, mut lent) = (Vec::new(), Vec::new());
            let handed_summary = engine
                .evaluate_stream_with(
                    Cursor::new(&input),
                    as_of(),
                    Some(&portfolio),
                    &options,
                    |item| item.to_json_line(),
                    |chunk| {
                        handed.extend(chunk.into_iter().flatten());
                        Ok(())
                    },
                )
                .unwrap();
            let lent_summary = engine
                .evaluate_stream_by_ref(
                    Cursor::new(&input),
                    as_of(),
                    Some(&portfolio),
                    &options,
                    BatchItem::to_json_line,
                    |chunk| {
                        lent.extend(chunk.into_iter().flatten());
                        Ok(())
                    },
                )
                .unwrap();
            let what = format!("explain {explain}, chunks of {chunk_lines}");
            assert_same(&handed, &lent, &what);
            assert_eq!(handed_summary, lent_summary, "{what}");
            assert!(
                lent_summary.failed > 20 && lent_summary.evaluated > 300,
                "{what}"
            );
        }
    }
}
