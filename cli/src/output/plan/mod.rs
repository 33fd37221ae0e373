//! Writing a plan in the formats people open outside patron: CSV (one row per entry),
//! iCalendar (one event per entry) and a printable HTML month view, beside JSON (the
//! contract, which the library writes). `patron plan --format` and the server's `/v1/plan`
//! (by `Accept`) use them; the terminal table is in `plan_cmd`.

mod csv;
mod html;
mod ics;

use std::fmt;
use std::str::FromStr;

use patron::Plan;

/// A file format a plan can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlanFormat {
    /// The plan as JSON, pretty-printed.
    Json,
    /// One row per entry with a header row.
    Csv,
    /// iCalendar (RFC 5545): one event per entry.
    Ics,
    /// A self-contained HTML page: the month as a calendar grid.
    Html,
}

impl PlanFormat {
    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            PlanFormat::Json => "json",
            PlanFormat::Csv => "csv",
            PlanFormat::Ics => "ics",
            PlanFormat::Html => "html",
        }
    }
}

impl FromStr for PlanFormat {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "json" => Ok(PlanFormat::Json),
            "csv" => Ok(PlanFormat::Csv),
            "ics" | "ical" | "icalendar" => Ok(PlanFormat::Ics),
            "html" | "htm" => Ok(PlanFormat::Html),
            other => Err(format!(
                "`{other}` is not a plan format (json, csv, ics, html)"
            )),
        }
    }
}

impl fmt::Display for PlanFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

/// `plan` in `format`. The same plan always gives the same bytes: nothing here reads the
/// clock (the iCalendar `DTSTAMP` is the month's first day).
pub fn render(plan: &Plan, format: PlanFormat) -> String {
    match format {
        PlanFormat::Json => plan.to_json_pretty(),
        PlanFormat::Csv => csv::write(plan),
        PlanFormat::Ics => ics::write(plan),
        PlanFormat::Html => html::write(plan),
    }
}
