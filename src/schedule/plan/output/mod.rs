//! Writing a plan: JSON (the contract, through serde), CSV (one row per entry), iCalendar
//! (one event per entry) and a printable HTML month view. The terminal table lives in the
//! command line, which owns the terminal.

mod csv;
mod html;
mod ics;

use std::fmt;
use std::str::FromStr;

use super::types::Plan;

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

impl Plan {
    /// The plan in `format`. The same plan always gives the same bytes: nothing here reads
    /// the clock (the iCalendar `DTSTAMP` is the month's first day).
    ///
    /// ```
    /// use patron::{Engine, PlanRequest};
    /// use patron::schedule::plan::PlanFormat;
    /// let engine = Engine::with_default_policy()?;
    /// let customers = vec![patron::model::parse_customer(r#"{ "id": "C-1", "grade": "A" }"#)?];
    /// let plan = engine.plan(&customers, &PlanRequest::for_month("2026-12"))?;
    /// assert!(plan.render(PlanFormat::Ics).starts_with("BEGIN:VCALENDAR\r\n"));
    /// assert!(plan.render(PlanFormat::Csv).starts_with("date,week,slot,customer_id,"));
    /// # Ok::<(), patron::Error>(())
    /// ```
    pub fn render(&self, format: PlanFormat) -> String {
        match format {
            PlanFormat::Json => self.to_json_pretty(),
            PlanFormat::Csv => csv::write(self),
            PlanFormat::Ics => ics::write(self),
            PlanFormat::Html => html::write(self),
        }
    }

    /// The plan as compact JSON (what the C ABI returns).
    pub fn to_json(&self) -> String {
        // A plan holds only strings, numbers, dates and enums: serialising cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The plan as indented JSON, ending with a newline.
    pub fn to_json_pretty(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}
