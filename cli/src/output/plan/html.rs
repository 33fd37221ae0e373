//! A printable HTML month view of a plan, self-contained in one file (inline CSS, no
//! scripts, fonts or images): a calendar grid with one cell per day of the month, entries
//! coloured by grade, then the unscheduled work, the summary and the notes.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use chrono::{Datelike, Duration, NaiveDate};

use patron::schedule::plan::{Month, Plan, PlanEntry, Slot, UnscheduledCause};

/// Colours by grade rank (highest grade first): text/border and background.
const PALETTE: [(&str, &str); 8] = [
    ("#1b6e34", "#e3f4e8"),
    ("#1f5fa8", "#e4eefa"),
    ("#8a6500", "#fbf1d6"),
    ("#b04a00", "#fde9dc"),
    ("#6b3fa0", "#efe6f9"),
    ("#555555", "#eeeeee"),
    ("#a0204a", "#fbe4ec"),
    ("#0f6f74", "#dff3f3"),
];

const STYLE: &str = r#"
*{box-sizing:border-box}
body{font:12px/1.35 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","PingFang SC","Microsoft YaHei",sans-serif;color:#1d1d1f;margin:16px}
h1{font-size:20px;margin:0 0 4px}
h2{font-size:15px;margin:18px 0 6px}
p.meta{margin:0 0 8px;color:#555}
ul.legend{list-style:none;padding:0;margin:0 0 10px;display:flex;flex-wrap:wrap;gap:6px}
ul.legend li{padding:1px 8px;border-radius:3px;border-left:4px solid}
table.month{width:100%;border-collapse:collapse;table-layout:fixed}
table.month th{background:#f2f2f2;border:1px solid #ccc;padding:3px;font-weight:600}
table.month td{border:1px solid #ccc;vertical-align:top;padding:2px 3px;height:110px}
td.pad{background:#fafafa}
td.off{background:#f0f0f0;color:#888}
td.day .head{display:flex;justify-content:space-between;font-weight:600;margin-bottom:2px}
td.day .wk{font-weight:400;color:#777;font-size:10px}
td.day ul{list-style:none;margin:0;padding:0}
li.e{margin:1px 0;padding:0 3px;border-left:3px solid;border-radius:2px;font-size:10.5px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
li.e .s{color:#666;font-size:9px;margin-right:2px}
li.e.task{border-left-color:#999;background:#fff;color:#333;font-style:italic}
li.e.k-submit_plan{font-weight:700;font-style:normal;border-left-color:#000}
table.list{border-collapse:collapse;margin-top:4px}
table.list th,table.list td{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
table.list th{background:#f2f2f2}
td.num{text-align:right}
@page{size:A4 landscape;margin:10mm}
@media print{body{margin:0}table.month td{height:auto;min-height:80px}h2{break-before:auto}section{break-inside:avoid}}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
"#;

/// Escapes text for HTML element content and quoted attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A CSS class name from a kind: letters, digits, `_` and `-` only.
fn class_part(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn kind_label(kind: &str) -> String {
    match kind {
        "payment_reminder" => "reminder".into(),
        "minimum_call" => "call (weekly minimum)".into(),
        "complaint_follow_up" => "complaint".into(),
        "visit_report" => "report".into(),
        "submit_plan" => "submit plan".into(),
        other => other.replace('_', " "),
    }
}

fn grade_rank(plan: &Plan, grade: Option<&str>) -> Option<usize> {
    let grade = grade?;
    plan.grades.iter().position(|g| g == grade)
}

fn entry_item(plan: &Plan, entry: &PlanEntry) -> String {
    let rank = grade_rank(plan, entry.grade.as_deref());
    let task = entry.customer_id.is_none() || entry.kind == "visit_report";
    let mut class = format!("e k-{}", class_part(&entry.kind));
    let mut style = String::new();
    if task {
        class.push_str(" task");
    } else if let Some(rank) = rank {
        let _ = write!(class, " g{rank}");
        let (fg, bg) = PALETTE[rank % PALETTE.len()];
        style = format!(" style=\"border-left-color:{fg};background:{bg}\"");
    }
    let who = entry
        .customer_name
        .as_deref()
        .or(entry.customer_id.as_deref())
        .unwrap_or("");
    let grade = entry
        .grade
        .as_deref()
        .map(|g| format!(" [{}]", esc(g)))
        .unwrap_or_default();
    let slot = match entry.slot {
        Slot::Morning => "AM",
        Slot::Afternoon => "PM",
    };
    let title = match &entry.customer_id {
        Some(id) => format!("{id}: {}", entry.reason),
        None => entry.reason.clone(),
    };
    format!(
        "<li class=\"{class}\"{style} title=\"{}\"><span class=\"s\">{slot}</span>{} {}{grade}</li>",
        esc(&title),
        esc(&kind_label(&entry.kind)),
        esc(who),
    )
}

/// The plan as one HTML page.
pub(crate) fn write(plan: &Plan) -> String {
    let mut out = String::with_capacity(16_384 + plan.entries.len() * 200);
    let owner = plan.owner.as_deref().unwrap_or("all customers");
    let title = format!("Visit plan {} — {owner}", plan.month);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&title)
    );
    let _ = writeln!(out, "<h1>{}</h1>", esc(&title));
    let _ = writeln!(
        out,
        "<p class=\"meta\">Policy {} {} · {} visits and {} calls a day at most · at least {} customers called back a week · {} working days · {} entries, {} unscheduled</p>",
        esc(&plan.policy.name),
        esc(&plan.policy.version),
        plan.visits_per_day,
        plan.calls_per_day,
        plan.min_calls_per_week,
        plan.summary.working_days,
        plan.entries.len(),
        plan.unscheduled.len()
    );
    out.push_str("<ul class=\"legend\">");
    for (rank, grade) in plan.grades.iter().enumerate() {
        let (fg, bg) = PALETTE[rank % PALETTE.len()];
        let _ = write!(
            out,
            "<li class=\"g{rank}\" style=\"border-left-color:{fg};background:{bg}\">grade {}</li>",
            esc(grade)
        );
    }
    out.push_str("<li style=\"border-left-color:#999\"><i>reports and the rep's tasks (weekly plan, callback statistics, next month's plan)</i></li></ul>\n");

    month_grid(&mut out, plan);

    let after: Vec<&PlanEntry> = plan.entries.iter().filter(|e| e.week.is_none()).collect();
    if !after.is_empty() {
        out.push_str("<section>\n<h2>After the month</h2>\n<table class=\"list\"><tr><th>date</th><th>kind</th><th>customer</th><th>reason</th></tr>\n");
        for entry in after {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                entry.date,
                esc(&kind_label(&entry.kind)),
                esc(entry.customer_id.as_deref().unwrap_or("")),
                esc(&entry.reason)
            );
        }
        out.push_str("</table>\n</section>\n");
    }

    let _ = writeln!(
        out,
        "<section>\n<h2>Unscheduled ({})</h2>",
        plan.unscheduled.len()
    );
    if plan.unscheduled.is_empty() {
        out.push_str("<p>Everything fits.</p>\n");
    } else {
        out.push_str("<table class=\"list\"><tr><th>customer</th><th>grade</th><th>kind</th><th>week</th><th>cause</th><th>reason</th></tr>\n");
        for item in &plan.unscheduled {
            let cause = match item.cause {
                UnscheduledCause::Capacity => "capacity",
                UnscheduledCause::NoWorkingDay => "no working day",
            };
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{cause}</td><td>{}</td></tr>",
                esc(item.customer_id.as_deref().unwrap_or("")),
                esc(item.grade.as_deref().unwrap_or("")),
                esc(&kind_label(&item.kind)),
                item.week.map(|w| w.to_string()).unwrap_or_default(),
                esc(&item.reason)
            );
        }
        out.push_str("</table>\n");
    }
    out.push_str("</section>\n");

    summary(&mut out, plan);

    out.push_str("<section>\n<h2>Notes</h2>\n<ul>\n");
    for note in &plan.notes {
        let _ = writeln!(out, "<li>{}</li>", esc(note));
    }
    out.push_str("</ul>\n</section>\n</body>\n</html>\n");
    out
}

fn month_grid(out: &mut String, plan: &Plan) {
    let Ok(month) = Month::parse(&plan.month) else {
        return;
    };
    let first = month.first_day();
    let days = month.len();
    let mut by_day: BTreeMap<NaiveDate, Vec<&PlanEntry>> = BTreeMap::new();
    for entry in &plan.entries {
        by_day.entry(entry.date).or_default().push(entry);
    }
    let working: BTreeSet<NaiveDate> = plan.working_days.iter().copied().collect();
    out.push_str("<table class=\"month\">\n<thead><tr>");
    for name in ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] {
        let _ = write!(out, "<th>{name}</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n<tr>");
    let lead = first.weekday().num_days_from_monday();
    for _ in 0..lead {
        out.push_str("<td class=\"pad\"></td>");
    }
    let mut column = lead;
    for d in 0..days {
        let date = first + Duration::days(i64::from(d));
        if column == 7 {
            out.push_str("</tr>\n<tr>");
            column = 0;
        }
        let week = ((d / 7) + 1).min(4);
        let off = if working.contains(&date) { "" } else { " off" };
        let _ = write!(
            out,
            "<td class=\"day w{week}{off}\" data-date=\"{date}\"><div class=\"head\"><span>{}</span><span class=\"wk\">W{week}{}</span></div>",
            d + 1,
            if off.is_empty() { "" } else { " · off" }
        );
        if let Some(entries) = by_day.get(&date) {
            out.push_str("<ul>");
            for entry in entries {
                out.push_str(&entry_item(plan, entry));
            }
            out.push_str("</ul>");
        }
        out.push_str("</td>");
        column += 1;
    }
    for _ in column..7 {
        out.push_str("<td class=\"pad\"></td>");
    }
    out.push_str("</tr>\n</tbody>\n</table>\n");
}

fn summary(out: &mut String, plan: &Plan) {
    out.push_str("<section>\n<h2>Summary</h2>\n<table class=\"list\"><tr><th>grade</th><th>customers</th><th>visits</th><th>calls</th><th>all work</th><th>unscheduled</th></tr>\n");
    for line in &plan.summary.by_grade {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{} / {}</td><td class=\"num\">{} / {}</td><td class=\"num\">{} / {}</td><td class=\"num\">{}</td></tr>",
            esc(&line.grade),
            line.customers,
            line.visits_scheduled,
            line.visits_required,
            line.calls_scheduled,
            line.calls_required,
            line.scheduled,
            line.required,
            line.unscheduled
        );
    }
    out.push_str("</table>\n<p>Scheduled / required.</p>\n<table class=\"list\"><tr><th>week</th><th>days</th><th>working days</th><th>visits</th><th>calls</th><th>customers called back</th><th>minimum calls added</th><th>short of the minimum</th></tr>\n");
    for week in &plan.summary.by_week {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{} – {}</td><td class=\"num\">{}</td><td class=\"num\">{} / {}</td><td class=\"num\">{} / {}</td><td class=\"num\">{} / {}</td><td class=\"num\">{}</td><td>{}</td></tr>",
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
            week.minimum_calls,
            esc(week.callbacks_short.as_deref().unwrap_or(""))
        );
    }
    out.push_str("</table>\n<p>Visits and calls: used / capacity. Customers called back: planned / at least.</p>\n</section>\n");
}
