//! `patron diff --base DIR --candidate DIR FILE`: what a policy change would do to real
//! customers, as a table or JSON.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use patron::diff::{impact_of_text, ImpactReport, Transition};
use patron::Policy;

use crate::input::{as_of, read_input};
use crate::{Failure, EXIT_INPUT, EXIT_POLICY};

/// Output formats of `patron diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Readable tables.
    Table,
    /// The impact report as JSON.
    Json,
}

/// Arguments of `patron diff`.
#[derive(Args)]
pub struct DiffArgs {
    /// The policy in force; the embedded default when absent.
    #[arg(long)]
    base: Option<PathBuf>,
    /// The changed policy.
    #[arg(long)]
    candidate: PathBuf,
    /// Customers as a JSON array or JSON Lines; `-` or nothing reads standard input.
    file: Option<PathBuf>,
    /// Evaluation date (YYYY-MM-DD); today when absent.
    #[arg(long)]
    as_of: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: DiffFormat,
}

/// Runs `patron diff`: exit 0 when the report was produced (whatever it shows).
pub fn run(args: DiffArgs) -> Result<u8, Failure> {
    let load = |dir: Option<&PathBuf>| {
        match dir {
            Some(dir) => Policy::load(dir),
            None => Policy::embedded_default(),
        }
        .map_err(|e| Failure::new(EXIT_POLICY, e.to_string()))
    };
    let base = load(args.base.as_ref())?;
    let candidate = load(Some(&args.candidate))?;
    let as_of = as_of(args.as_of.as_deref())?;
    let text = read_input(args.file.as_deref())?;
    let report = impact_of_text(&base, &candidate, &text, as_of)
        .map_err(|e| Failure::new(EXIT_INPUT, e.to_string()))?;
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        DiffFormat::Json => serde_json::to_writer_pretty(&mut out, &report)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out)),
        DiffFormat::Table => write_report(&mut out, &report),
    };
    written.map_err(|e| Failure::new(EXIT_INPUT, format!("cannot write output: {e}")))?;
    Ok(0)
}

fn matrix(cells: &[Transition]) -> Table {
    let mut rows: Vec<&str> = Vec::new();
    let mut columns: Vec<&str> = Vec::new();
    for cell in cells {
        if !rows.contains(&cell.from.as_str()) {
            rows.push(&cell.from);
        }
        if !columns.contains(&cell.to.as_str()) {
            columns.push(&cell.to);
        }
    }
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    let mut header = vec!["base ↓ / candidate →".to_string()];
    header.extend(columns.iter().map(|c| c.to_string()));
    table.set_header(header);
    for from in &rows {
        let mut row = vec![from.to_string()];
        for to in &columns {
            let count = cells
                .iter()
                .find(|c| c.from == *from && c.to == *to)
                .map_or(String::new(), |c| c.count.to_string());
            row.push(count);
        }
        table.add_row(row);
    }
    table
}

fn examples(out: &mut impl Write, cells: &[Transition]) -> std::io::Result<()> {
    for cell in cells.iter().filter(|c| c.from != c.to) {
        writeln!(
            out,
            "  {} → {}: {} (e.g. {})",
            cell.from,
            cell.to,
            cell.count,
            cell.examples.join(", ")
        )?;
    }
    Ok(())
}

fn write_report(out: &mut impl Write, r: &ImpactReport) -> std::io::Result<()> {
    writeln!(
        out,
        "base:      {} {} ({})",
        r.base.name, r.base.version, r.base.hash
    )?;
    writeln!(
        out,
        "candidate: {} {} ({})",
        r.candidate.name, r.candidate.version, r.candidate.hash
    )?;
    writeln!(out, "as of {}: {} customer(s)\n", r.as_of, r.customers)?;
    writeln!(
        out,
        "grades: {} change(s)\n{}",
        r.grades_changed,
        matrix(&r.grade_matrix)
    )?;
    examples(out, &r.grade_matrix)?;
    writeln!(out, "\nstages: {} change(s)", r.stages_changed)?;
    examples(out, &r.stage_matrix)?;
    let s = &r.score_shift;
    writeln!(
        out,
        "\nscore shift (candidate − base): {} changed; mean {:+.2}, mean |shift| {:.2}, min {:+.2}, median {:+.2}, max {:+.2}",
        s.changed, s.mean, s.mean_abs, s.min, s.median, s.max
    )?;
    let w = &r.workload;
    writeln!(
        out,
        "workload per month: calls {:.1} → {:.1} ({:+.1}), visits {:.1} → {:.1} ({:+.1}); {} cadence change(s)",
        w.base_calls_per_month,
        w.candidate_calls_per_month,
        w.candidate_calls_per_month - w.base_calls_per_month,
        w.base_visits_per_month,
        w.candidate_visits_per_month,
        w.candidate_visits_per_month - w.base_visits_per_month,
        w.cadence_changes
    )?;
    if !r.errors.is_empty() {
        writeln!(out, "\nnot evaluated:")?;
        for e in &r.errors {
            writeln!(out, "  {} ({}): {}", e.customer_id, e.policy, e.message)?;
        }
    }
    Ok(())
}
