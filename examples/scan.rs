//! The first pass of `patron eval` on JSON Lines alone: [`PortfolioIndex::scan`] over a file,
//! timed (BENCHMARKS.md, issue 16).
//!
//! ```text
//! cargo build --release --example scan
//! /usr/bin/time -v target/release/examples/scan customers-1m.jsonl 2026-11-23
//! ```
//!
//! Prints the customers and records the index holds and the seconds the scan took.

use std::io::BufReader;
use std::time::Instant;

use patron::model::parse_date;
use patron::{PortfolioIndex, StreamOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: scan FILE [AS_OF]")?;
    let as_of = parse_date(&args.next().unwrap_or_else(|| "2026-11-23".to_string()))?;
    let input = BufReader::with_capacity(1 << 20, std::fs::File::open(path)?);
    let start = Instant::now();
    let index = PortfolioIndex::scan(input, as_of, &StreamOptions::default())?;
    println!(
        "{} customers of {} records in {:.2} s",
        index.len(),
        index.records(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
