//! `patron plan` as a user runs it: every format (JSON parses, CSV has a header and one row
//! per entry, the .ics is well-formed iCalendar that a parser reads, the HTML is a month
//! grid with one cell per day), `--out`, and exit codes for bad input.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn patron() -> Command {
    Command::cargo_bin("patron").unwrap()
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/customers.json")
}

/// A directory of its own for one test's output files.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("plan-cli")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `patron plan FILE --month 2026-12 --owner OWNER ARGS…`, requires success and returns
/// standard output.
fn plan_run(file: &Path, owner: &str, args: &[&str]) -> String {
    let output = patron()
        .arg("plan")
        .arg(file)
        .args(["--month", "2026-12", "--owner", owner])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Runs `patron plan examples/customers.json --month 2026-12 --owner rep-01 ARGS…` and
/// returns standard output.
fn plan(args: &[&str]) -> String {
    plan_run(&examples(), "rep-01", args)
}

fn entries() -> Vec<serde_json::Value> {
    let plan: serde_json::Value = serde_json::from_str(&plan(&["--format", "json"])).unwrap();
    plan["entries"].as_array().unwrap().clone()
}

#[test]
fn json_parses_and_holds_the_plan() {
    let text = plan(&["--format", "json"]);
    let plan: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(plan["month"], "2026-12");
    assert_eq!(plan["owner"], "rep-01");
    let entries = plan["entries"].as_array().unwrap();
    assert!(entries.len() > 20, "{} entries", entries.len());
    for entry in entries {
        for field in ["date", "slot", "customer_id", "kind", "reason", "grade"] {
            assert!(entry.get(field).is_some(), "{field} missing in {entry}");
        }
    }
    assert!(plan["unscheduled"].is_array());
    assert!(plan["summary"]["by_grade"].is_array());
    assert!(!plan["notes"].as_array().unwrap().is_empty());
    // Not a terminal: JSON is the default.
    assert_eq!(plan_default_format(), text);
}

fn plan_default_format() -> String {
    plan(&[])
}

#[test]
fn csv_has_a_header_and_one_row_per_entry() {
    let text = plan(&["--format", "csv"]);
    assert!(text.starts_with("date,week,slot,customer_id,customer_name,kind,grade,region,reason\n"));
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let entries = entries();
    assert_eq!(rows.len(), entries.len());
    for (row, entry) in rows.iter().zip(&entries) {
        assert_eq!(row.len(), 9);
        assert_eq!(&row[0], entry["date"].as_str().unwrap());
        assert_eq!(&row[5], entry["kind"].as_str().unwrap());
        assert_eq!(&row[8], entry["reason"].as_str().unwrap());
    }
}

#[test]
fn ics_is_well_formed_icalendar_with_one_event_per_entry() {
    let text = plan(&["--format", "ics"]);
    // Structure: CRLF everywhere, lines of at most 75 octets, one calendar, one VEVENT per
    // entry, each with the required properties and a unique UID.
    assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"));
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    assert!(!text.replace("\r\n", "").contains('\n'), "a bare LF");
    assert!(!text.replace("\r\n", "").contains('\r'), "a bare CR");
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    for line in &lines {
        assert!(line.len() <= 75, "{} octets: {line}", line.len());
    }
    assert_eq!(lines.iter().filter(|l| **l == "BEGIN:VCALENDAR").count(), 1);
    assert_eq!(lines.iter().filter(|l| **l == "END:VCALENDAR").count(), 1);
    let entries = entries();
    let begins = lines.iter().filter(|l| **l == "BEGIN:VEVENT").count();
    let ends = lines.iter().filter(|l| **l == "END:VEVENT").count();
    assert_eq!(begins, entries.len());
    assert_eq!(ends, entries.len());
    let unfolded = text.replace("\r\n ", "");
    let mut uids = std::collections::BTreeSet::new();
    for event in unfolded.split("BEGIN:VEVENT\r\n").skip(1) {
        let event = &event[..event.find("END:VEVENT").unwrap()];
        for property in ["UID:", "DTSTAMP:", "DTSTART:", "DTEND:", "SUMMARY:"] {
            assert_eq!(
                event.lines().filter(|l| l.starts_with(property)).count(),
                1,
                "{property} in {event}"
            );
        }
        let uid = event.lines().find(|l| l.starts_with("UID:")).unwrap();
        assert!(uids.insert(uid.to_string()), "duplicate {uid}");
        let stamp = event.lines().find(|l| l.starts_with("DTSTAMP:")).unwrap();
        assert_eq!(stamp, "DTSTAMP:20261201T000000Z");
    }

    // An independent parser reads it, with every event and its summary.
    let unfolded = icalendar::parser::unfold(&text);
    let calendar = icalendar::parser::read_calendar(&unfolded).unwrap();
    let events: Vec<_> = calendar
        .components
        .iter()
        .filter(|c| c.name == "VEVENT")
        .collect();
    assert_eq!(events.len(), entries.len());
    assert!(events.iter().all(|e| e.find_prop("SUMMARY").is_some()));

    // The same input gives the same bytes (nothing comes from the clock).
    assert_eq!(plan(&["--format", "ics"]), text);
}

#[test]
fn html_is_a_self_contained_month_grid_with_one_cell_per_day() {
    let dir = scratch("html");
    let out = dir.join("plan.html");
    patron()
        .arg("plan")
        .arg(examples())
        .args(["--month", "2026-12", "--owner", "rep-01", "--out"])
        .arg(&out)
        .assert()
        .success();
    // The format comes from the extension.
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    assert_eq!(html.matches("<table class=\"month\">").count(), 1);
    assert_eq!(
        html.matches("<td class=\"day ").count(),
        31,
        "one cell per day"
    );
    for day in 1..=31 {
        assert!(
            html.contains(&format!("data-date=\"2026-12-{day:02}\"")),
            "day {day}"
        );
    }
    assert_eq!(
        html.matches("<table").count(),
        html.matches("</table>").count()
    );
    assert_eq!(html.matches("<tr").count(), html.matches("</tr>").count());
    assert_eq!(html.matches("<td").count(), html.matches("</td>").count());
    // Weekends are shaded as days off; entries are coloured by grade.
    assert!(
        html.contains("data-date=\"2026-12-05\"")
            && html.contains(" off\" data-date=\"2026-12-05\"")
    );
    assert!(
        html.contains("class=\"e k-visit g0\""),
        "an A visit, coloured as grade rank 0"
    );
    // Self-contained: no scripts, no external stylesheets, fonts or images.
    for outside in [
        "<script", "<link", "src=", "http://", "https://", "@import", "url(",
    ] {
        assert!(!html.contains(outside), "{outside}");
    }
    // Nothing left beside it.
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["plan.html"]);
}

#[test]
fn the_table_is_grouped_by_week() {
    let text = plan(&["--format", "table"]);
    for heading in [
        "Week 1: 2026-12-01 – 2026-12-07",
        "Week 2:",
        "Week 3:",
        "Week 4: 2026-12-22 – 2026-12-31",
        "Unscheduled:",
        "Scheduled/required by grade",
        "Notes",
    ] {
        assert!(text.contains(heading), "{heading} missing:\n{text}");
    }
    assert!(text.contains("submit_plan"));
}

#[test]
fn holidays_and_capacity_options_reach_the_plan() {
    let text = plan(&[
        "--format",
        "json",
        "--holiday",
        "2026-12-24",
        "--holiday",
        "2026-12-25",
        "--visits-per-day",
        "2",
        "--calls-per-day",
        "10",
        "--min-calls-per-week",
        "12",
        "--working-day",
        "2026-12-19",
    ]);
    let plan: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(plan["visits_per_day"], 2);
    assert_eq!(plan["calls_per_day"], 10);
    assert_eq!(plan["min_calls_per_week"], 12);
    assert_eq!(plan["summary"]["by_week"][0]["callbacks_required"], 12);
    let dates: Vec<&str> = plan["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["date"].as_str().unwrap())
        .collect();
    assert!(!dates.contains(&"2026-12-24") && !dates.contains(&"2026-12-25"));
    let working: Vec<&str> = plan["working_days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert!(working.contains(&"2026-12-19"));
    assert!(!working.contains(&"2026-12-25"));
}

#[test]
fn the_old_calls_per_week_flag_is_the_weekly_minimum_and_says_so() {
    let text = plan(&["--format", "json", "--calls-per-week", "20"]);
    let plan: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(plan["min_calls_per_week"], 20);
    assert_eq!(plan["calls_per_day"], 30);
    assert!(plan.get("calls_per_week").is_none());
    let notes = plan["notes"].to_string();
    assert!(
        notes.contains("calls_per_week (20) is read as min_calls_per_week"),
        "{notes}"
    );
    // Both names with different values: refused, naming the old one.
    let output = patron()
        .arg("plan")
        .arg(examples())
        .args([
            "--month",
            "2026-12",
            "--calls-per-week",
            "20",
            "--min-calls-per-week",
            "18",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&output.stderr).contains("calls_per_week"));
}

#[test]
fn a_week_short_of_the_callback_minimum_is_reported_on_standard_error() {
    // One call a day cannot reach 40 customers called back a week.
    let output = patron()
        .arg("plan")
        .arg(examples())
        .args([
            "--month",
            "2026-12",
            "--owner",
            "rep-01",
            "--calls-per-day",
            "1",
            "--min-calls-per-week",
            "40",
            "--format",
            "table",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("week 1: 5 callbacks planned, 40 required: only 18 customers in the portfolio, and the week's phone capacity is taken (5 working days × 1 call a day)"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("customers called back 5/40 — week 1: 5 callbacks planned"),
        "{stdout}"
    );
}

#[test]
fn standard_input_works_as_the_file() {
    let text = std::fs::read_to_string(examples()).unwrap();
    let output = patron()
        .args([
            "plan", "-", "--month", "2026-12", "--owner", "rep-02", "--format", "csv",
        ])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8(output.stdout).unwrap().lines().count() > 1);
}

#[test]
fn bad_input_exits_with_the_documented_codes_and_never_leaves_a_file() {
    let dir = scratch("errors");
    let out = dir.join("plan.ics");
    let cases: [(&[&str], i32, &str); 6] = [
        (&["--month", "2026-13"], 3, "month"),
        (&["--month", "Dec 2026"], 3, "month"),
        (&["--month", "2026-12", "--owner", "rep-99"], 3, "rep-99"),
        (
            &[
                "--month",
                "2026-12",
                "--visits-per-day",
                "0",
                "--calls-per-day",
                "0",
            ],
            3,
            "visits_per_day",
        ),
        (&["--month", "2026-12", "--holiday", "soon"], 3, "--holiday"),
        (
            &["--month", "2026-12", "--policy", "/no/such/policy"],
            4,
            "",
        ),
    ];
    for (args, code, named) in cases {
        let output = patron()
            .arg("plan")
            .arg(examples())
            .args(args)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(stderr.contains(named), "{args:?}: {stderr}");
        assert!(!out.exists(), "{args:?} left {}", out.display());
    }
    // A whole month off.
    let mut holidays = Vec::new();
    for day in 1..=31 {
        holidays.push("--holiday".to_string());
        holidays.push(format!("2026-12-{day:02}"));
    }
    let output = patron()
        .arg("plan")
        .arg(examples())
        .args(["--month", "2026-12"])
        .args(&holidays)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&output.stderr).contains("non_working_days"));
    // Unreadable input, missing --month.
    patron()
        .args(["plan", "/no/such/file.json", "--month", "2026-12"])
        .assert()
        .code(3);
    patron().arg("plan").arg(examples()).assert().code(2);
    // An existing file survives a failed run untouched.
    std::fs::write(&out, "keep me").unwrap();
    patron()
        .arg("plan")
        .arg(examples())
        .args(["--month", "2026-13", "--out"])
        .arg(&out)
        .assert()
        .code(3);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");
}

#[test]
fn a_record_that_cannot_be_read_stops_the_plan_with_its_line() {
    let output = patron()
        .args(["plan", "-", "--month", "2026-12"])
        .write_stdin("{ \"id\": \"C-1\", \"grade\": \"A\" }\n{ \"id\": \"C-2\", \"purchases\": [ { \"at\": \"soon\", \"amount\": 1 } ] }\n")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("line 2") && stderr.contains("purchases[0].at"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

/// `n` customers of grade `grade` owned by rep-07 in the same city, ids `{prefix}01`…, as
/// JSON Lines in a file of their own.
fn plain_portfolio(dir: &Path, prefix: &str, grade: &str, n: usize) -> PathBuf {
    let lines: Vec<String> = (1..=n)
        .map(|i| {
            serde_json::json!({ "id": format!("{prefix}{i:02}"), "owner": "rep-07",
                "grade": grade, "region": "same_city" })
            .to_string()
        })
        .collect();
    let file = dir.join(format!("{prefix}-{n}.jsonl"));
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    file
}

/// `patron plan FILE --month 2026-12 --owner rep-07 --format FORMAT`'s standard output.
fn plan_of_file(file: &Path, format: &str) -> String {
    plan_run(file, "rep-07", &["--format", format])
}

/// The calls the planner adds to reach the weekly minimum (tests/plan_handbook.rs
/// `a_week_without_enough_cadence_calls_gets_calls_added_up_to_the_minimum` works the plan
/// out) are in every format, and so is the week that stays short.
#[test]
fn the_added_minimum_calls_and_a_short_week_are_in_every_format() {
    let dir = scratch("minimum-calls");
    let file = plain_portfolio(&dir, "C", "C", 20);
    let csv = plan_of_file(&file, "csv");
    assert!(
        csv.contains(",minimum_call,C,same_city,\"call back to reach the weekly minimum"),
        "{csv}"
    );
    let ics = plan_of_file(&file, "ics");
    assert!(ics.contains("SUMMARY:Minimum call: C01 [C]"), "{ics}");
    let html = plan_of_file(&file, "html");
    assert!(
        html.contains("call (weekly minimum) C01"),
        "the entry in the month grid"
    );
    assert!(html.contains("<td class=\"num\">20 / 26</td><td class=\"num\">0</td><td>week 4: 20 callbacks planned, 26 required: only 20 customers in the portfolio</td>"));
}

/// The rep's own tasks (the Friday weekly plan, the callback statistics) in every format.
#[test]
fn the_reps_tasks_are_in_every_format() {
    let dir = scratch("tasks");
    let file = plain_portfolio(&dir, "C", "C", 2);
    let csv = plan_of_file(&file, "csv");
    assert!(
        csv.contains("2026-12-04,1,afternoon,,,weekly_plan,,,\"submit next week's plan"),
        "{csv}"
    );
    assert!(csv.contains(
        "2026-12-04,1,afternoon,,,callback_statistics,,,\"file this week's callback statistics"
    ));
    let ics = plan_of_file(&file, "ics");
    assert!(ics.contains("UID:2026-12.rep-07.rep.weekly_plan.4@patron"));
    assert!(ics.contains("SUMMARY:Callback statistics\r\n"));
    let html = plan_of_file(&file, "html");
    assert!(html.contains("<li class=\"e k-callback_statistics task\""));
    assert!(
        html.contains(">weekly plan </li>"),
        "a weekly plan in the grid"
    );
}

/// The same customers in another order give the same bytes in every format (the library's
/// tests/plan.rs checks the plan itself).
#[test]
fn every_format_gives_the_same_bytes_whatever_the_record_order() {
    let dir = scratch("order");
    let text = std::fs::read_to_string(examples()).unwrap();
    let mut records: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    let forward = dir.join("forward.json");
    std::fs::write(&forward, serde_json::to_string(&records).unwrap()).unwrap();
    records.reverse();
    let reversed = dir.join("reversed.json");
    std::fs::write(&reversed, serde_json::to_string(&records).unwrap()).unwrap();
    for format in ["json", "csv", "ics", "html"] {
        let run = |file: &Path| {
            let output = patron()
                .arg("plan")
                .arg(file)
                .args(["--month", "2026-12", "--format", format])
                .args(["--visits-per-day", "3", "--calls-per-day", "4"])
                .output()
                .unwrap();
            assert_eq!(output.status.code(), Some(0), "{format}");
            String::from_utf8(output.stdout).unwrap()
        };
        let first = run(&forward);
        assert!(first.len() > 1000, "{format}: {first}");
        assert_eq!(first, run(&forward), "{format}");
        assert_eq!(first, run(&reversed), "{format}");
    }
}
