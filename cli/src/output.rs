//! Writing evaluation results as a table, JSON, JSON Lines or CSV.

use std::io::{self, Write};

use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use patron::{BatchItem, Evaluation};

use crate::Format;

/// Writes `items` in `format`; `explain` adds the reasons and traces to the table.
pub fn write_items(
    out: &mut impl Write,
    items: &[BatchItem],
    format: Format,
    explain: bool,
) -> io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, items)?;
            writeln!(out)
        }
        Format::Jsonl => {
            for item in items {
                serde_json::to_writer(&mut *out, item)?;
                writeln!(out)?;
            }
            Ok(())
        }
        Format::Csv => write_csv(out, items),
        Format::Table => write_table(out, items, explain),
    }
}

fn date(d: Option<patron::model::Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
}

fn change(from: Option<&str>, to: &str, changed: bool) -> String {
    match (from, changed) {
        (Some(from), true) => format!("{from} → {to}"),
        (None, _) => format!("(new) {to}"),
        _ => to.to_string(),
    }
}

fn actions(e: &Evaluation) -> String {
    e.actions
        .iter()
        .map(|a| format!("{} {}", a.kind, a.due))
        .collect::<Vec<_>>()
        .join("\n")
}

fn write_table(out: &mut impl Write, items: &[BatchItem], explain: bool) -> io::Result<()> {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header([
            "customer",
            "score",
            "grade",
            "stage",
            "calls/wk",
            "visits/mo",
            "next call",
            "next visit",
            "overdue",
            "actions",
        ]);
    let mut failures = Vec::new();
    let (mut grades_changed, mut stages_changed, mut overdue) = (0, 0, 0);
    for item in items {
        match item {
            BatchItem::Evaluated(e) => {
                grades_changed += usize::from(e.grade.changed);
                stages_changed += usize::from(e.stage.changed);
                overdue += usize::from(e.visits.overdue);
                table.add_row([
                    e.customer_id.clone(),
                    format!("{:.2}", e.score.total),
                    change(e.grade.from.as_deref(), &e.grade.to, e.grade.changed),
                    change(e.stage.from.as_deref(), &e.stage.to, e.stage.changed),
                    format!("{:.2}", e.visits.calls_per_week),
                    format!("{:.2}", e.visits.visits_per_month),
                    date(e.visits.next_call_due),
                    date(e.visits.next_visit_due),
                    if e.visits.overdue {
                        format!("{} d", e.visits.days_overdue)
                    } else {
                        "no".into()
                    },
                    actions(e),
                ]);
            }
            BatchItem::Failed { line, error, .. } => failures.push((line, &error.message)),
        }
    }
    writeln!(out, "{table}")?;
    let evaluated = items.len() - failures.len();
    writeln!(
        out,
        "{} record(s): {evaluated} evaluated, {} failed; {grades_changed} grade change(s), {stages_changed} stage change(s), {overdue} overdue",
        items.len(),
        failures.len()
    )?;
    for (line, message) in &failures {
        writeln!(out, "  line {line}: {message}")?;
    }
    if explain {
        for item in items {
            if let BatchItem::Evaluated(e) = item {
                write_explanation(out, e)?;
            }
        }
    }
    Ok(())
}

fn write_explanation(out: &mut impl Write, e: &Evaluation) -> io::Result<()> {
    writeln!(
        out,
        "\n{} ({}, policy {} {})",
        e.customer_id, e.as_of, e.policy.name, e.policy.version
    )?;
    for part in &e.score.parts {
        writeln!(
            out,
            "  score  {:<12} weight {:.2}  standard {:>12}  actual {:>12}  points {:>6.2}",
            part.indicator, part.weight, part.standard, part.actual, part.points
        )?;
    }
    writeln!(out, "  grade  {} [{}]", e.grade.reason, e.grade.rule)?;
    writeln!(out, "  stage  {} [{}]", e.stage.reason, e.stage.rule)?;
    writeln!(out, "  visits {}", e.visits.reason)?;
    for action in &e.actions {
        writeln!(
            out,
            "  action {} due {}: {}",
            action.kind, action.due, action.reason
        )?;
    }
    for step in e.trace.iter().flatten() {
        writeln!(
            out,
            "  trace  {}{}: {}",
            step.function,
            step.rule
                .as_ref()
                .map(|r| format!(" [{r}]"))
                .unwrap_or_default(),
            step.message
        )?;
        if !step.facts.is_empty() {
            writeln!(out, "           facts read: {}", step.facts.join(", "))?;
        }
        if !step.params.is_empty() {
            writeln!(out, "           params read: {}", step.params.join(", "))?;
        }
    }
    Ok(())
}

fn write_csv(out: &mut impl Write, items: &[BatchItem]) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record([
        "customer_id",
        "line",
        "score",
        "grade_from",
        "grade_to",
        "grade_changed",
        "grade_reason",
        "stage_from",
        "stage_to",
        "stage_changed",
        "stage_reason",
        "calls_per_week",
        "visits_per_month",
        "next_call_due",
        "next_visit_due",
        "overdue",
        "days_overdue",
        "actions",
        "error",
    ])?;
    for item in items {
        let row: Vec<String> = match item {
            BatchItem::Evaluated(e) => vec![
                e.customer_id.clone(),
                String::new(),
                e.score.total.to_string(),
                e.grade.from.clone().unwrap_or_default(),
                e.grade.to.clone(),
                e.grade.changed.to_string(),
                e.grade.reason.clone(),
                e.stage.from.clone().unwrap_or_default(),
                e.stage.to.clone(),
                e.stage.changed.to_string(),
                e.stage.reason.clone(),
                e.visits.calls_per_week.to_string(),
                e.visits.visits_per_month.to_string(),
                e.visits
                    .next_call_due
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                e.visits
                    .next_visit_due
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                e.visits.overdue.to_string(),
                e.visits.days_overdue.to_string(),
                e.actions
                    .iter()
                    .map(|a| format!("{}@{}", a.kind, a.due))
                    .collect::<Vec<_>>()
                    .join(";"),
                String::new(),
            ],
            BatchItem::Failed {
                customer_id,
                line,
                error,
            } => {
                let mut row = vec![String::new(); 19];
                row[0] = customer_id.clone().unwrap_or_default();
                row[1] = line.to_string();
                row[18] = error.message.clone();
                row
            }
        };
        writer.write_record(&row)?;
    }
    writer.flush()
}
