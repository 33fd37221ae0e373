//! iCalendar (RFC 5545) of a plan: one `VEVENT` per entry, timed by slot (morning
//! 09:00–12:00, afternoon 14:00–18:00, floating local time). Written by hand rather than
//! with a calendar crate so that the library stays small for C callers and every byte is
//! decided here: CRLF line ends, lines folded at 75 octets on character boundaries, TEXT
//! escaped, a `UID` that is stable per entry, and a `DTSTAMP` taken from the plan's month
//! rather than the clock (the same plan always gives the same file).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use patron::schedule::plan::{Plan, PlanEntry, Slot};

/// Longest content line, in octets, before folding (RFC 5545 §3.1).
const MAX_LINE: usize = 75;

/// Escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma, newline.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Appends one content line, folded so that no physical line exceeds 75 octets: a break
/// is CRLF followed by one space, and never falls inside a UTF-8 character.
fn push_line(out: &mut String, line: &str) {
    let mut rest = line;
    let mut limit = MAX_LINE;
    while rest.len() > limit {
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        // Keep an escape sequence (`\,`, `\;`, `\n`, `\\`) on one line: some readers
        // unescape before they unfold.
        let backslashes = rest.as_bytes()[..cut]
            .iter()
            .rev()
            .take_while(|b| **b == b'\\')
            .count();
        if backslashes % 2 == 1 {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        limit = MAX_LINE - 1; // the leading space counts
    }
    out.push_str(rest);
    out.push_str("\r\n");
}

/// Characters kept as they are in a `UID`; others are written as `%XX`.
fn uid_part(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.' {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn label(kind: &str) -> String {
    let mut text = kind.replace('_', " ");
    if let Some(first) = text.get(..1) {
        let upper = first.to_ascii_uppercase();
        text.replace_range(..1, &upper);
    }
    text
}

fn summary(entry: &PlanEntry) -> String {
    let who = match (&entry.customer_name, &entry.customer_id) {
        (Some(name), Some(id)) => format!(": {name} ({id})"),
        (None, Some(id)) => format!(": {id}"),
        _ => String::new(),
    };
    let grade = entry
        .grade
        .as_deref()
        .map(|g| format!(" [{g}]"))
        .unwrap_or_default();
    format!("{}{who}{grade}", label(&entry.kind))
}

/// The plan as an iCalendar file.
pub(crate) fn write(plan: &Plan) -> String {
    let mut out = String::with_capacity(256 + plan.entries.len() * 400);
    let owner = plan.owner.as_deref().unwrap_or("all");
    let stamp = format!("{}T000000Z", plan.as_of.format("%Y%m%d"));
    push_line(&mut out, "BEGIN:VCALENDAR");
    push_line(&mut out, "VERSION:2.0");
    push_line(
        &mut out,
        &format!("PRODID:-//patron//month planner {}//EN", patron::VERSION),
    );
    push_line(&mut out, "CALSCALE:GREGORIAN");
    push_line(&mut out, "METHOD:PUBLISH");
    push_line(
        &mut out,
        &format!(
            "X-WR-CALNAME:{}",
            escape(&format!("patron plan {} {owner}", plan.month))
        ),
    );
    let mut seen: BTreeMap<(Option<&str>, &str), usize> = BTreeMap::new();
    for entry in &plan.entries {
        let n = seen
            .entry((entry.customer_id.as_deref(), entry.kind.as_str()))
            .or_insert(0);
        *n += 1;
        let uid = format!(
            "{}.{}.{}.{}.{n}@patron",
            plan.month,
            uid_part(owner),
            uid_part(entry.customer_id.as_deref().unwrap_or("rep")),
            uid_part(&entry.kind),
        );
        let day = entry.date.format("%Y%m%d");
        let (start, end) = match entry.slot {
            Slot::Morning => ("090000", "120000"),
            Slot::Afternoon => ("140000", "180000"),
        };
        push_line(&mut out, "BEGIN:VEVENT");
        push_line(&mut out, &format!("UID:{uid}"));
        push_line(&mut out, &format!("DTSTAMP:{stamp}"));
        push_line(&mut out, &format!("DTSTART:{day}T{start}"));
        push_line(&mut out, &format!("DTEND:{day}T{end}"));
        push_line(&mut out, &format!("SUMMARY:{}", escape(&summary(entry))));
        push_line(&mut out, &format!("DESCRIPTION:{}", escape(&entry.reason)));
        let mut categories = vec![escape(&entry.kind)];
        if let Some(grade) = &entry.grade {
            categories.push(escape(&format!("grade {grade}")));
        }
        push_line(&mut out, &format!("CATEGORIES:{}", categories.join(",")));
        push_line(&mut out, "END:VEVENT");
    }
    push_line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
    }

    #[test]
    fn long_lines_fold_at_75_octets_on_character_boundaries() {
        let mut out = String::new();
        let line = format!("DESCRIPTION:{}", "华信药房 ".repeat(30));
        push_line(&mut out, &line);
        for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= MAX_LINE, "{} octets", physical.len());
        }
        let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, line);
    }

    #[test]
    fn folding_never_splits_an_escape_sequence() {
        for pad in 0..80 {
            let mut out = String::new();
            let line = format!(
                "DESCRIPTION:{}{}",
                "x".repeat(pad),
                escape("a,b;c\\d,".repeat(20).as_str())
            );
            push_line(&mut out, &line);
            for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
                assert!(physical.len() <= MAX_LINE);
                let trailing = physical.bytes().rev().take_while(|b| *b == b'\\').count();
                assert_eq!(trailing % 2, 0, "{physical}");
            }
            assert_eq!(out.trim_end_matches("\r\n").replace("\r\n ", ""), line);
        }
    }

    #[test]
    fn uid_parts_keep_safe_characters_and_encode_the_rest() {
        assert_eq!(uid_part("C-1001"), "C-1001");
        assert_eq!(uid_part("a b@c"), "a%20b%40c");
    }
}
