//! Reading records for evaluation, one thread, timed: the full parse and
//! [`Facts::derive`] (what the stream's evaluating pass did) against
//! [`parse_line_with_facts`] (what it does: histories folded into facts as they are read),
//! over the first lines of a JSON Lines file (BENCHMARKS.md, issue 16).
//!
//! ```text
//! cargo build --release --example fold
//! target/release/examples/fold customers-1m.jsonl 50000 2026-11-23
//! ```
//!
//! Prints the microseconds per record of each, best of five rounds, and checks that both
//! give the same facts.

use std::io::BufRead;
use std::time::Instant;

use patron::model::{parse_date, parse_line, parse_line_with_facts, Facts};

/// What a reader gives for a line: no record, its facts, or its error as text.
type Read = Option<Result<Facts, String>>;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: fold FILE [LINES] [AS_OF]")?;
    let limit: usize = args.next().map_or(Ok(50_000), |n| n.parse())?;
    let as_of = parse_date(&args.next().unwrap_or_else(|| "2026-11-23".to_string()))?;
    let file = std::io::BufReader::new(std::fs::File::open(path)?);
    let lines: Vec<String> = file.lines().take(limit).collect::<Result<_, _>>()?;
    let bytes: usize = lines.iter().map(String::len).sum();

    let full = |line: &String, n: usize| {
        parse_line(line, n).map(|record| {
            record
                .result
                .map(|customer| Facts::derive(&customer, as_of))
                .map_err(|e| e.to_string())
        })
    };
    let folded = |line: &String, n: usize| {
        parse_line_with_facts(line, n, as_of).map(|record| {
            record
                .result
                .map(|(_, facts)| facts)
                .map_err(|e| e.to_string())
        })
    };
    for (n, line) in lines.iter().enumerate() {
        let (a, b) = (full(line, n + 1), folded(line, n + 1));
        if format!("{a:?}") != format!("{b:?}") {
            return Err(format!("line {}: the two readers differ", n + 1).into());
        }
    }
    let time = |read: &dyn Fn(&String, usize) -> Read| {
        (0..5)
            .map(|_| {
                let start = Instant::now();
                for (n, line) in lines.iter().enumerate() {
                    std::hint::black_box(read(line, n + 1));
                }
                start.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    };
    let (before, after) = (time(&full), time(&folded));
    let per = |seconds: f64| seconds * 1e6 / lines.len() as f64;
    println!(
        "{} records, {:.0} bytes each: parse_line + Facts::derive {:.2} µs, parse_line_with_facts {:.2} µs ({:.0}% less)",
        lines.len(),
        bytes as f64 / lines.len() as f64,
        per(before),
        per(after),
        100.0 * (1.0 - after / before)
    );
    Ok(())
}
