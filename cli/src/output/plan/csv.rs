//! CSV of a plan: a header row, then one row per entry (RFC 4180 quoting: a field with a
//! comma, a quote or a line break is quoted, quotes doubled).

use patron::Plan;

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

/// The plan's entries as CSV.
pub(crate) fn write(plan: &Plan) -> String {
    let mut out = csv::Writer::from_writer(Vec::with_capacity(64 + plan.entries.len() * 120));
    let mut rows: Vec<[String; 9]> = Vec::with_capacity(plan.entries.len());
    for entry in &plan.entries {
        rows.push([
            entry.date.to_string(),
            entry.week.map(|w| w.to_string()).unwrap_or_default(),
            entry.slot.as_str().to_string(),
            entry.customer_id.clone().unwrap_or_default(),
            entry.customer_name.clone().unwrap_or_default(),
            entry.kind.clone(),
            entry.grade.clone().unwrap_or_default(),
            entry.region.clone().unwrap_or_default(),
            entry.reason.clone(),
        ]);
    }
    // Writing into memory cannot fail; the fields are UTF-8, so the bytes are too.
    let written = out
        .write_record(COLUMNS)
        .and_then(|()| rows.iter().try_for_each(|row| out.write_record(row)));
    debug_assert!(written.is_ok(), "{written:?}");
    let bytes = out.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use patron::{Engine, PlanRequest};

    #[test]
    fn fields_with_commas_quotes_and_newlines_are_quoted_as_rfc_4180_says() {
        let engine = Engine::with_default_policy().unwrap();
        let customers = vec![patron::model::parse_customer(
            r#"{ "id": "C-1", "name": "Li, \"Big\" Trading\nLtd", "grade": "A", "region": "same_city" }"#,
        )
        .unwrap()];
        let plan = engine
            .plan(&customers, &PlanRequest::for_month("2026-12"))
            .unwrap();
        let text = super::write(&plan);
        let mut lines = text.split_inclusive('\n');
        assert_eq!(
            lines.next(),
            Some("date,week,slot,customer_id,customer_name,kind,grade,region,reason\n")
        );
        assert!(
            text.contains(",C-1,\"Li, \"\"Big\"\" Trading\nLtd\",visit,A,same_city,"),
            "{text}"
        );
        let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(text.as_bytes())
            .records()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(rows.len(), plan.entries.len());
        assert_eq!(&rows[0][4], "Li, \"Big\" Trading\nLtd");
    }
}
