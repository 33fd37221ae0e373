//! The two Arrow schemas of patron: the customer records it reads and the evaluation rows it
//! writes.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};

fn utf8(name: &str) -> Field {
    Field::new(name, DataType::Utf8, true)
}

fn list_of(name: &str, fields: Vec<Field>) -> Field {
    Field::new(
        name,
        DataType::List(Arc::new(Field::new(
            "item",
            DataType::Struct(Fields::from(fields)),
            true,
        ))),
        true,
    )
}

/// The Arrow schema of patron's input records, mirroring [`Customer`](crate::Customer) field
/// by field: one row per customer, lists of structs for its history, `date32` for dates.
///
/// It is what [`customers_from_batch`](super::customers_from_batch) reads best, not what it
/// insists on: any column may be missing or null (missing data, as an absent JSON field), and
/// each value may come in the types Spark, Parquet, pandas and Polars produce — text as
/// `utf8`, `large_utf8`, `utf8_view` or a dictionary of these (a categorical); numbers as any integer, float or decimal; dates as
/// `date32`, `date64`, a timestamp (the date in the column's time zone, named or an offset,
/// or as written when it has none) or text (`YYYY-MM-DD` or an RFC 3339 datetime, as in JSON); lists as `list`,
/// `large_list` or `fixed_size_list`. Columns not named here are ignored, as unknown JSON
/// fields are: a policy reads only the record's fields, and free-form data goes into
/// `attributes`.
///
/// | column | type |
/// | --- | --- |
/// | `id` | utf8 (required: a null `id` makes the row an error) |
/// | `name`, `owner`, `grade`, `stage`, `region` | utf8 |
/// | `grade_since` | date32 |
/// | `attributes` | utf8, a JSON object as text; a struct or a map column is read too (a struct's null fields are left out) |
/// | `prospect` | `struct<money, authority, need: bool, intent: utf8, expected_purchase_at: date32, objections: list<utf8>>` |
/// | `purchases` | `list<struct<at: date32, amount: f64>>` |
/// | `interactions` | `list<struct<at: date32, kind: utf8, outcome: utf8>>` |
/// | `complaints` | `list<struct<at: date32, resolved: bool>>` |
/// | `receivables` | `list<struct<due: date32, amount: f64, paid: bool>>` |
/// | `contracts` | `list<struct<signed_at: date32, amount: f64>>` |
/// | `portfolio` | a struct of [`PortfolioFacts`](crate::model::PortfolioFacts)' fields: i64 counts and ranks, f64 shares, `owner_grade_counts` as `map<utf8, i64>` |
///
/// ```
/// let schema = patron::arrow::customer_schema();
/// assert_eq!(schema.field(0).name(), "id");
/// assert!(schema.field_with_name("purchases").is_ok());
/// ```
pub fn customer_schema() -> SchemaRef {
    let date = |name: &str| Field::new(name, DataType::Date32, true);
    let f64 = |name: &str| Field::new(name, DataType::Float64, true);
    let i64 = |name: &str| Field::new(name, DataType::Int64, true);
    let bool = |name: &str| Field::new(name, DataType::Boolean, true);
    let prospect = Field::new(
        "prospect",
        DataType::Struct(Fields::from(vec![
            bool("money"),
            bool("authority"),
            bool("need"),
            utf8("intent"),
            date("expected_purchase_at"),
            Field::new(
                "objections",
                DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
                true,
            ),
        ])),
        true,
    );
    let grade_counts = Field::new_map(
        "owner_grade_counts",
        "entries",
        Field::new("keys", DataType::Utf8, false),
        Field::new("values", DataType::Int64, true),
        false,
        true,
    );
    let portfolio = Field::new(
        "portfolio",
        DataType::Struct(Fields::from(vec![
            i64("size"),
            i64("revenue_rank"),
            f64("revenue_share"),
            f64("revenue_cum_share"),
            i64("collected_rank"),
            f64("collected_share"),
            f64("collected_cum_share"),
            i64("recency_quintile"),
            i64("frequency_quintile"),
            i64("monetary_quintile"),
            i64("owner_customers"),
            grade_counts,
        ])),
        true,
    );
    Arc::new(Schema::new(vec![
        utf8("id"),
        utf8("name"),
        utf8("owner"),
        utf8("grade"),
        date("grade_since"),
        utf8("stage"),
        utf8("region"),
        utf8("attributes"),
        prospect,
        list_of("purchases", vec![date("at"), f64("amount")]),
        list_of(
            "interactions",
            vec![date("at"), utf8("kind"), utf8("outcome")],
        ),
        list_of("complaints", vec![date("at"), bool("resolved")]),
        list_of(
            "receivables",
            vec![date("due"), f64("amount"), bool("paid")],
        ),
        list_of("contracts", vec![date("signed_at"), f64("amount")]),
        portfolio,
    ]))
}

/// The fields of one element of the `actions` column.
pub(super) fn action_fields() -> Fields {
    Fields::from(vec![
        Field::new("kind", DataType::Utf8, false),
        Field::new("due", DataType::Date32, false),
        Field::new("reason", DataType::Utf8, false),
    ])
}

/// The `actions` column's element field.
pub(super) fn action_item() -> Arc<Field> {
    Arc::new(Field::new("item", DataType::Struct(action_fields()), false))
}

/// The Arrow schema of [`evaluate_batch`](super::evaluate_batch)'s output: one row per input
/// row, in input order. An evaluated row has every column but the two `error_` ones; a row
/// that failed has `error_code`, `error_message` and, when known, `customer_id`, and nulls
/// elsewhere.
///
/// | column | type | from the [`Evaluation`](crate::Evaluation) |
/// | --- | --- | --- |
/// | `customer_id` | utf8 | `customer_id` |
/// | `score_total` | f64 | `score.total` |
/// | `grade_from`, `grade_to` | utf8 | `grade.from` (null for a new record), `grade.to` |
/// | `grade_changed` | bool | `grade.changed` |
/// | `stage_from`, `stage_to` | utf8 | `stage.from`, `stage.to` |
/// | `calls_per_week`, `visits_per_month` | f64 | `visits.…` |
/// | `next_call_due`, `next_visit_due` | date32 | `visits.…` (null when none is due) |
/// | `overdue` | bool | `visits.overdue` |
/// | `days_overdue` | i64 | `visits.days_overdue` |
/// | `actions` | `list<struct<kind: utf8, due: date32, reason: utf8>>` | `actions` (empty when none) |
/// | `error_code` | utf8 | the error's [`ErrorCode`](crate::ErrorCode) as JSON names it, e.g. `invalid_input` |
/// | `error_message` | utf8 | the error's message, naming the record, its row and the field |
/// | `evaluation` | utf8 | the whole evaluation as JSON, exactly as the JSON entry points write it |
pub fn evaluation_schema() -> SchemaRef {
    let f64 = |name: &str| Field::new(name, DataType::Float64, true);
    let date = |name: &str| Field::new(name, DataType::Date32, true);
    let bool = |name: &str| Field::new(name, DataType::Boolean, true);
    Arc::new(Schema::new(vec![
        utf8("customer_id"),
        f64("score_total"),
        utf8("grade_from"),
        utf8("grade_to"),
        bool("grade_changed"),
        utf8("stage_from"),
        utf8("stage_to"),
        f64("calls_per_week"),
        f64("visits_per_month"),
        date("next_call_due"),
        date("next_visit_due"),
        bool("overdue"),
        Field::new("days_overdue", DataType::Int64, true),
        Field::new("actions", DataType::List(action_item()), true),
        utf8("error_code"),
        utf8("error_message"),
        utf8("evaluation"),
    ]))
}
