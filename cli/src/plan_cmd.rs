//! `patron plan`: a rep's month plan — who to call and visit, day by day — as a terminal
//! table grouped by week, JSON, CSV, iCalendar or a printable HTML month view. The plan
//! itself is made by the library (`Engine::plan`); this file reads arguments and writes.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use patron::model::{parse_customers, parse_date};
use patron::schedule::plan::{Plan, PlanEntry, UnscheduledCause, WorkingDay};
use patron::{Customer, ErrorCode, PlanRequest};

use crate::input::read_input;
use crate::output::plan::{render, PlanFormat};
use crate::{load_engine, Failure, EXIT_INPUT, EXIT_RECORD_ERRORS};

/// Bad records listed before "and N more".
const LIST_ERRORS: usize = 5;

/// Arguments of `patron plan`.
#[derive(Args)]
pub struct PlanArgs {
    /// Customers as a JSON array or JSON Lines; `-` reads standard input.
    file: PathBuf,
    /// The month to plan (YYYY-MM).
    #[arg(long)]
    month: String,
    /// Plan only this rep's customers (their `owner`); every customer when absent.
    #[arg(long)]
    owner: Option<String>,
    /// Policy directory; the embedded default policy when absent.
    #[arg(long)]
    policy: Option<PathBuf>,
    /// On-site visits a day at most (a capacity); the policy's `[plan]` value (4) when absent.
    #[arg(long, value_name = "N")]
    visits_per_day: Option<u32>,
    /// Phone entries a day at most (a capacity); the policy's `[plan]` value (30) when absent.
    #[arg(long, value_name = "N")]
    calls_per_day: Option<u32>,
    /// Customers to call back a week, at least (handbook 002: 18); the policy's `[plan]`
    /// value when absent. The plan adds calls to reach it or says why it cannot.
    #[arg(long, value_name = "N")]
    min_calls_per_week: Option<u32>,
    /// Old name of --min-calls-per-week, read as it (a weekly minimum, no longer a cap).
    #[arg(long, value_name = "N")]
    calls_per_week: Option<u32>,
    /// A non-working day (YYYY-MM-DD); repeat for more.
    #[arg(long = "holiday", value_name = "DATE")]
    holidays: Vec<String>,
    /// A working weekday (replacing Monday–Friday) or an extra working date; repeat for more.
    #[arg(long = "working-day", value_name = "DAY|DATE")]
    working_days: Vec<String>,
    /// Output format; from the `--out` extension when absent, else `table` on a terminal
    /// and `json` otherwise.
    #[arg(long, value_enum)]
    format: Option<PlanFormatArg>,
    /// Write to this file instead of standard output (replaced whole, never left empty or
    /// half-written on error).
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
}

/// Output formats of `patron plan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PlanFormatArg {
    /// A table per week (the default on a terminal).
    Table,
    /// The plan as JSON (the default otherwise).
    Json,
    /// One row per entry with a header row.
    Csv,
    /// iCalendar: one event per entry.
    Ics,
    /// A printable month view in one self-contained HTML file.
    Html,
}

/// Runs `patron plan`.
pub fn run(args: PlanArgs) -> Result<u8, Failure> {
    let engine = load_engine(args.policy.as_ref())?;
    let request = request(&args)?;
    let text = read_input(Some(&args.file))?;
    let customers = customers(&text)?;
    let plan = engine.plan(&customers, &request).map_err(|e| {
        let code = match e.code() {
            ErrorCode::Script | ErrorCode::Limit | ErrorCode::Internal => EXIT_RECORD_ERRORS,
            ErrorCode::Policy => crate::EXIT_POLICY,
            _ => EXIT_INPUT,
        };
        Failure::new(code, e.to_string())
    })?;
    let format = args
        .format
        .unwrap_or_else(|| default_format(args.out.as_deref()));
    let rendered = match format {
        PlanFormatArg::Table => table(&plan),
        PlanFormatArg::Json => render(&plan, PlanFormat::Json),
        PlanFormatArg::Csv => render(&plan, PlanFormat::Csv),
        PlanFormatArg::Ics => render(&plan, PlanFormat::Ics),
        PlanFormatArg::Html => render(&plan, PlanFormat::Html),
    };
    match &args.out {
        Some(path) => write_atomically(path, rendered.as_bytes()).map_err(|e| {
            Failure::new(EXIT_INPUT, format!("cannot write {}: {e}", path.display()))
        })?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(rendered.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| Failure::new(EXIT_INPUT, format!("cannot write output: {e}")))?;
        }
    }
    for week in &plan.summary.by_week {
        if let Some(short) = &week.callbacks_short {
            eprintln!("patron: {short} (see summary.by_week)");
        }
    }
    if !plan.unscheduled.is_empty() {
        eprintln!(
            "patron: {} of {} item(s) could not be placed (capacity or no working day); see `unscheduled`",
            plan.unscheduled.len(),
            plan.summary.required
        );
    }
    Ok(0)
}

fn request(args: &PlanArgs) -> Result<PlanRequest, Failure> {
    let holidays = args
        .holidays
        .iter()
        .map(|d| parse_date(d).map_err(|e| Failure::new(EXIT_INPUT, format!("--holiday: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let working_days = args
        .working_days
        .iter()
        .map(|d| {
            WorkingDay::parse(d)
                .map_err(|e| Failure::new(EXIT_INPUT, format!("--working-day: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(PlanRequest {
        month: args.month.clone(),
        owner: args.owner.clone(),
        visits_per_day: args.visits_per_day,
        calls_per_day: args.calls_per_day,
        min_calls_per_week: args.min_calls_per_week,
        calls_per_week: args.calls_per_week,
        non_working_days: holidays,
        working_days,
    })
}

/// Every record, or the errors of the bad ones (a plan needs all of its customers).
fn customers(text: &str) -> Result<Vec<Customer>, Failure> {
    let records = parse_customers(text).map_err(|e| Failure::new(EXIT_INPUT, e.to_string()))?;
    let mut customers = Vec::with_capacity(records.len());
    let mut errors = Vec::new();
    for record in records {
        match record.result {
            Ok(customer) => customers.push(customer),
            Err(e) => errors.push(format!("line {}: {e}", record.line)),
        }
    }
    if errors.is_empty() {
        return Ok(customers);
    }
    let count = errors.len();
    let mut message = format!("{count} record(s) cannot be read, so no plan was made:");
    for error in errors.iter().take(LIST_ERRORS) {
        message.push_str("\n  ");
        message.push_str(error);
    }
    if count > LIST_ERRORS {
        message.push_str(&format!("\n  and {} more", count - LIST_ERRORS));
    }
    Err(Failure::new(EXIT_INPUT, message))
}

fn default_format(out: Option<&Path>) -> PlanFormatArg {
    let by_extension = out
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .and_then(|e| e.parse::<PlanFormat>().ok());
    match by_extension {
        Some(PlanFormat::Json) => PlanFormatArg::Json,
        Some(PlanFormat::Csv) => PlanFormatArg::Csv,
        Some(PlanFormat::Ics) => PlanFormatArg::Ics,
        Some(PlanFormat::Html) => PlanFormatArg::Html,
        None if out.is_none() && std::io::stdout().is_terminal() => PlanFormatArg::Table,
        None => PlanFormatArg::Json,
    }
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`: a failure
/// leaves no empty or partial file behind.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("not a file name"))?;
    let temp = dir.join(format!(
        ".{}.patron-{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

fn customer(entry_id: Option<&str>, name: Option<&str>) -> String {
    match (entry_id, name) {
        (Some(id), Some(name)) => format!("{id} {name}"),
        (Some(id), None) => id.to_string(),
        (None, _) => "(you)".to_string(),
    }
}

fn entries_table(entries: &[&PlanEntry]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(["date", "slot", "kind", "customer", "grade", "reason"]);
    for entry in entries {
        table.add_row([
            entry.date.format("%a %m-%d").to_string(),
            entry.slot.as_str().to_string(),
            entry.kind.clone(),
            customer(entry.customer_id.as_deref(), entry.customer_name.as_deref()),
            entry.grade.clone().unwrap_or_default(),
            entry.reason.clone(),
        ]);
    }
    table
}

/// The plan as text: a table per week, what falls after the month, the unscheduled work,
/// the summary by grade and the notes.
fn table(plan: &Plan) -> String {
    let mut out = format!(
        "Plan {} for {} — policy {} {} — at most {} visits and {} calls a day, at least {} customers called back a week, {} working days\n",
        plan.month,
        plan.owner.as_deref().unwrap_or("all customers"),
        plan.policy.name,
        plan.policy.version,
        plan.visits_per_day,
        plan.calls_per_day,
        plan.min_calls_per_week,
        plan.summary.working_days
    );
    for week in &plan.summary.by_week {
        let entries: Vec<&PlanEntry> = plan
            .entries
            .iter()
            .filter(|e| e.week == Some(week.week))
            .collect();
        out.push_str(&format!(
            "\nWeek {}: {} – {} · {} working day(s) · visits {}/{} · calls {}/{} · customers called back {}/{}{}\n",
            week.week,
            week.start,
            week.end,
            week.working_days,
            week.visits,
            week.visit_capacity,
            week.calls,
            week.call_capacity,
            week.callbacks,
            week.callbacks_required,
            match (&week.callbacks_short, week.minimum_calls) {
                (Some(short), _) => format!(" — {short}"),
                (None, 0) => String::new(),
                (None, n) => format!(" ({n} call(s) added to reach it)"),
            }
        ));
        if entries.is_empty() {
            out.push_str("(nothing planned)\n");
        } else {
            out.push_str(&format!("{}\n", entries_table(&entries)));
        }
    }
    let after: Vec<&PlanEntry> = plan.entries.iter().filter(|e| e.week.is_none()).collect();
    if !after.is_empty() {
        out.push_str(&format!(
            "\nAfter {}\n{}\n",
            plan.month,
            entries_table(&after)
        ));
    }
    out.push_str(&format!("\nUnscheduled: {}\n", plan.unscheduled.len()));
    if !plan.unscheduled.is_empty() {
        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(["customer", "grade", "kind", "week", "cause", "reason"]);
        for item in &plan.unscheduled {
            table.add_row([
                customer(item.customer_id.as_deref(), item.customer_name.as_deref()),
                item.grade.clone().unwrap_or_default(),
                item.kind.clone(),
                item.week.map(|w| w.to_string()).unwrap_or_default(),
                match item.cause {
                    UnscheduledCause::Capacity => "capacity".to_string(),
                    UnscheduledCause::NoWorkingDay => "no working day".to_string(),
                },
                item.reason.clone(),
            ]);
        }
        out.push_str(&format!("{table}\n"));
    }
    let mut grades = Table::new();
    grades.load_preset(UTF8_FULL_CONDENSED).set_header([
        "grade",
        "customers",
        "visits",
        "calls",
        "all work",
        "unscheduled",
    ]);
    for line in &plan.summary.by_grade {
        grades.add_row([
            line.grade.clone(),
            line.customers.to_string(),
            format!("{}/{}", line.visits_scheduled, line.visits_required),
            format!("{}/{}", line.calls_scheduled, line.calls_required),
            format!("{}/{}", line.scheduled, line.required),
            line.unscheduled.to_string(),
        ]);
    }
    out.push_str(&format!(
        "\nScheduled/required by grade\n{grades}\n\nNotes\n"
    ));
    for note in &plan.notes {
        out.push_str(&format!("- {note}\n"));
    }
    out
}
