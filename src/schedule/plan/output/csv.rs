//! CSV of a plan: a header row, then one row per entry (RFC 4180 quoting: a field with a
//! comma, a quote or a line break is quoted, quotes doubled).

use super::super::types::Plan;

/// The header row's columns.
pub(crate) const COLUMNS: [&str; 9] = [
    "date",
    "week",
    "slot",
    "customer_id",
    "customer_name",
    "kind",
    "grade",
    "region",
    "reason",
];

fn push_field(line: &mut String, field: &str) {
    if field.contains([',', '"', '\n', '\r']) {
        line.push('"');
        line.push_str(&field.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(field);
    }
}

fn push_row<'a>(out: &mut String, fields: impl IntoIterator<Item = &'a str>) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(out, field);
    }
    out.push('\n');
}

/// The plan's entries as CSV.
pub(crate) fn write(plan: &Plan) -> String {
    let mut out = String::with_capacity(64 + plan.entries.len() * 120);
    push_row(&mut out, COLUMNS);
    for entry in &plan.entries {
        let date = entry.date.to_string();
        let week = entry.week.map(|w| w.to_string()).unwrap_or_default();
        push_row(
            &mut out,
            [
                date.as_str(),
                week.as_str(),
                entry.slot.as_str(),
                entry.customer_id.as_deref().unwrap_or(""),
                entry.customer_name.as_deref().unwrap_or(""),
                entry.kind.as_str(),
                entry.grade.as_deref().unwrap_or(""),
                entry.region.as_deref().unwrap_or(""),
                entry.reason.as_str(),
            ],
        );
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn fields_with_commas_quotes_and_newlines_are_quoted() {
        let mut line = String::new();
        super::push_row(&mut line, ["a,b", "say \"hi\"", "two\nlines", "plain"]);
        assert_eq!(line, "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",plain\n");
    }
}
