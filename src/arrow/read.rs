//! Customers from the rows of a record batch, column by column, without JSON text: each row
//! yields one customer or one error that names the row and the field (`purchases[2].at`).

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::{Array, RecordBatch, StructArray};
use rayon::prelude::*;

use super::cell::{self, CellResult};
use crate::error::{Error, RecordRef, Result};
use crate::model::{
    validate_customer, Complaint, Contract, Customer, Date, Interaction, PortfolioFacts, Prospect,
    Purchase, Receivable,
};

/// A field that could not be read: its path and why.
struct FieldError {
    field: String,
    message: String,
}

type Read<T> = std::result::Result<T, FieldError>;

/// Attaches the field's path to a cell's error; the path is built only on error.
fn at<T>(result: CellResult<T>, field: impl FnOnce() -> String) -> Read<Option<T>> {
    result.map_err(|message| FieldError {
        field: field(),
        message,
    })
}

/// A field that must be there.
fn required<T>(value: Option<T>, field: impl FnOnce() -> String) -> Read<T> {
    value.ok_or_else(|| FieldError {
        field: field(),
        message: "missing (null)".to_string(),
    })
}

/// Row `i` of a struct field, when the struct has that field.
fn child<'a>(s: &'a StructArray, name: &str) -> Option<&'a dyn Array> {
    s.column_by_name(name).map(|c| c.as_ref())
}

/// The top-level columns a customer is read from, looked up once per batch.
struct Columns<'a> {
    id: Option<&'a dyn Array>,
    name: Option<&'a dyn Array>,
    owner: Option<&'a dyn Array>,
    grade: Option<&'a dyn Array>,
    grade_since: Option<&'a dyn Array>,
    stage: Option<&'a dyn Array>,
    region: Option<&'a dyn Array>,
    attributes: Option<&'a dyn Array>,
    prospect: Option<&'a dyn Array>,
    purchases: Option<&'a dyn Array>,
    interactions: Option<&'a dyn Array>,
    complaints: Option<&'a dyn Array>,
    receivables: Option<&'a dyn Array>,
    contracts: Option<&'a dyn Array>,
    portfolio: Option<&'a dyn Array>,
}

impl<'a> Columns<'a> {
    fn of(batch: &'a RecordBatch) -> Self {
        let column = |name: &str| batch.column_by_name(name).map(|c| c.as_ref());
        Columns {
            id: column("id"),
            name: column("name"),
            owner: column("owner"),
            grade: column("grade"),
            grade_since: column("grade_since"),
            stage: column("stage"),
            region: column("region"),
            attributes: column("attributes"),
            prospect: column("prospect"),
            purchases: column("purchases"),
            interactions: column("interactions"),
            complaints: column("complaints"),
            receivables: column("receivables"),
            contracts: column("contracts"),
            portfolio: column("portfolio"),
        }
    }
}

fn opt_string(column: Option<&dyn Array>, i: usize, name: &str) -> Read<Option<String>> {
    match column {
        None => Ok(None),
        Some(a) => Ok(at(cell::string(a, i), || name.to_string())?.map(str::to_string)),
    }
}

fn opt_date(column: Option<&dyn Array>, i: usize, name: &str) -> Read<Option<Date>> {
    match column {
        None => Ok(None),
        Some(a) => at(cell::date(a, i), || name.to_string()),
    }
}

/// Reads the customers of `batch`, one result per row, in order; `first_line` is the 1-based
/// number of the batch's first row in its input (a Parquet file's batches follow each other).
pub(crate) fn customers_from_rows(batch: &RecordBatch, first_line: usize) -> Vec<Result<Customer>> {
    let columns = Columns::of(batch);
    (0..batch.num_rows())
        .into_par_iter()
        .map(|i| {
            let line = first_line + i;
            match customer(&columns, i) {
                Ok(customer) => match validate_customer(&customer) {
                    Ok(()) => Ok(customer),
                    Err(e) => Err(e.with_record(Some(&customer.id), Some(line))),
                },
                Err(FieldError { field, message }) => Err(Error::InvalidInput {
                    record: RecordRef {
                        customer_id: columns
                            .id
                            .and_then(|a| cell::string(a, i).ok().flatten())
                            .map(str::to_string),
                        line: Some(line),
                    },
                    field,
                    message,
                }),
            }
        })
        .collect()
}

fn customer(c: &Columns, i: usize) -> Read<Customer> {
    let id = match c.id {
        None => {
            return Err(FieldError {
                field: "id".into(),
                message: "the batch has no `id` column".into(),
            })
        }
        Some(a) => required(at(cell::string(a, i), || "id".into())?, || "id".into())?,
    };
    Ok(Customer {
        id: id.to_string(),
        name: opt_string(c.name, i, "name")?,
        owner: opt_string(c.owner, i, "owner")?,
        grade: opt_string(c.grade, i, "grade")?,
        grade_since: opt_date(c.grade_since, i, "grade_since")?,
        stage: opt_string(c.stage, i, "stage")?,
        region: opt_string(c.region, i, "region")?,
        attributes: attributes(c.attributes, i)?,
        prospect: prospect(c.prospect, i)?,
        purchases: list(c.purchases, i, "purchases", |s, j, path| {
            Ok(Purchase {
                at: required_date(s, j, "at", path)?,
                amount: required_number(s, j, "amount", path)?,
            })
        })?,
        interactions: list(c.interactions, i, "interactions", |s, j, path| {
            Ok(Interaction {
                at: required_date(s, j, "at", path)?,
                kind: required(element_string(s, j, "kind", path)?, || {
                    format!("{}.kind", path())
                })?,
                outcome: element_string(s, j, "outcome", path)?,
            })
        })?,
        complaints: list(c.complaints, i, "complaints", |s, j, path| {
            Ok(Complaint {
                at: required_date(s, j, "at", path)?,
                resolved: element_bool(s, j, "resolved", path)?.unwrap_or(false),
            })
        })?,
        receivables: list(c.receivables, i, "receivables", |s, j, path| {
            Ok(Receivable {
                due: required_date(s, j, "due", path)?,
                amount: required_number(s, j, "amount", path)?,
                paid: element_bool(s, j, "paid", path)?.unwrap_or(false),
            })
        })?,
        contracts: list(c.contracts, i, "contracts", |s, j, path| {
            Ok(Contract {
                signed_at: required_date(s, j, "signed_at", path)?,
                amount: match child(s, "amount") {
                    None => None,
                    Some(a) => at(cell::number(a, j), || format!("{}.amount", path()))?,
                },
            })
        })?,
        portfolio: portfolio(c.portfolio, i)?,
    })
}

/// The elements of a list-of-struct column at row `i`, each read by `element` from the
/// struct array, its row, and its path (e.g. `purchases[2]`). A null list is empty; a null
/// element is an error, as in JSON.
fn list<T>(
    column: Option<&dyn Array>,
    i: usize,
    name: &str,
    element: impl Fn(&StructArray, usize, &dyn Fn() -> String) -> Read<T>,
) -> Read<Vec<T>> {
    let Some(column) = column else {
        return Ok(Vec::new());
    };
    let Some((values, range)) = at(cell::list(column, i), || name.to_string())? else {
        return Ok(Vec::new());
    };
    if range.is_empty() {
        return Ok(Vec::new());
    }
    let s = cell::structure(values).map_err(|message| FieldError {
        field: format!("{name}[]"),
        message,
    })?;
    range
        .enumerate()
        .map(|(k, j)| {
            let path = || format!("{name}[{k}]");
            if cell::is_null(values, j) {
                return Err(FieldError {
                    field: path(),
                    message: "a null element".into(),
                });
            }
            element(s, j, &path)
        })
        .collect()
}

fn element_string(
    s: &StructArray,
    j: usize,
    field: &str,
    path: &dyn Fn() -> String,
) -> Read<Option<String>> {
    match child(s, field) {
        None => Ok(None),
        Some(a) => {
            Ok(at(cell::string(a, j), || format!("{}.{field}", path()))?.map(str::to_string))
        }
    }
}

fn element_bool(
    s: &StructArray,
    j: usize,
    field: &str,
    path: &dyn Fn() -> String,
) -> Read<Option<bool>> {
    match child(s, field) {
        None => Ok(None),
        Some(a) => at(cell::boolean(a, j), || format!("{}.{field}", path())),
    }
}

fn required_date(s: &StructArray, j: usize, field: &str, path: &dyn Fn() -> String) -> Read<Date> {
    let name = || format!("{}.{field}", path());
    let value = match child(s, field) {
        None => None,
        Some(a) => at(cell::date(a, j), name)?,
    };
    required(value, name)
}

fn required_number(s: &StructArray, j: usize, field: &str, path: &dyn Fn() -> String) -> Read<f64> {
    let name = || format!("{}.{field}", path());
    let value = match child(s, field) {
        None => None,
        Some(a) => at(cell::number(a, j), name)?,
    };
    required(value, name)
}

/// `attributes`: a JSON object as text, or a struct or map column (see [`cell::json`]).
fn attributes(column: Option<&dyn Array>, i: usize) -> Read<BTreeMap<String, serde_json::Value>> {
    let Some(a) = column else {
        return Ok(BTreeMap::new());
    };
    let error = |message: String| FieldError {
        field: "attributes".into(),
        message,
    };
    if cell::is_null(a, i) {
        return Ok(BTreeMap::new());
    }
    if let Ok(Some(text)) = cell::string(a, i) {
        return serde_json::from_str(text)
            .map_err(|e| error(format!("the text is not a JSON object: {e}")));
    }
    match cell::json(a, i).map_err(error)? {
        serde_json::Value::Object(object) => Ok(object.into_iter().collect()),
        _ => Err(error(format!(
            "expected a JSON object as text, a struct or a map, found Arrow type {}",
            a.data_type()
        ))),
    }
}

fn prospect(column: Option<&dyn Array>, i: usize) -> Read<Option<Prospect>> {
    let Some(a) = column else {
        return Ok(None);
    };
    if cell::is_null(a, i) {
        return Ok(None);
    }
    let s = cell::structure(a).map_err(|message| FieldError {
        field: "prospect".into(),
        message,
    })?;
    let path = || "prospect".to_string();
    let objections = match child(s, "objections") {
        None => Vec::new(),
        Some(list) => match at(cell::list(list, i), || "prospect.objections".into())? {
            None => Vec::new(),
            Some((values, range)) => range
                .enumerate()
                .map(|(k, j)| {
                    let name = || format!("prospect.objections[{k}]");
                    required(at(cell::string(values, j), name)?, name).map(str::to_string)
                })
                .collect::<Read<_>>()?,
        },
    };
    Ok(Some(Prospect {
        money: element_bool(s, i, "money", &path)?,
        authority: element_bool(s, i, "authority", &path)?,
        need: element_bool(s, i, "need", &path)?,
        intent: element_string(s, i, "intent", &path)?,
        expected_purchase_at: match child(s, "expected_purchase_at") {
            None => None,
            Some(a) => at(cell::date(a, i), || "prospect.expected_purchase_at".into())?,
        },
        objections,
    }))
}

/// The fields of [`PortfolioFacts`]; any other field of a `portfolio` struct is refused, as
/// in JSON.
const PORTFOLIO_FIELDS: &[&str] = &[
    "size",
    "revenue_rank",
    "revenue_share",
    "revenue_cum_share",
    "collected_rank",
    "collected_share",
    "collected_cum_share",
    "recency_quintile",
    "frequency_quintile",
    "monetary_quintile",
    "owner_customers",
    "owner_grade_counts",
];

fn portfolio(column: Option<&dyn Array>, i: usize) -> Read<Option<PortfolioFacts>> {
    let Some(a) = column else {
        return Ok(None);
    };
    if cell::is_null(a, i) {
        return Ok(None);
    }
    let s = cell::structure(a).map_err(|message| FieldError {
        field: "portfolio".into(),
        message,
    })?;
    if let Some(unknown) = s
        .fields()
        .iter()
        .find(|f| !PORTFOLIO_FIELDS.contains(&f.name().as_str()))
    {
        return Err(FieldError {
            field: format!("portfolio.{}", unknown.name()),
            message: format!(
                "unknown field, expected one of {}",
                PORTFOLIO_FIELDS.join(", ")
            ),
        });
    }
    let int = |field: &'static str| -> Read<Option<i64>> {
        match child(s, field) {
            None => Ok(None),
            Some(a) => at(cell::integer(a, i), || format!("portfolio.{field}")),
        }
    };
    let float = |field: &'static str| -> Read<Option<f64>> {
        match child(s, field) {
            None => Ok(None),
            Some(a) => at(cell::number(a, i), || format!("portfolio.{field}")),
        }
    };
    let need = |field: &'static str| move || format!("portfolio.{field}");
    let counts = match child(s, "owner_grade_counts") {
        None => BTreeMap::new(),
        Some(a) if cell::is_null(a, i) => BTreeMap::new(),
        Some(a) => {
            let error = |message: String| FieldError {
                field: "portfolio.owner_grade_counts".into(),
                message,
            };
            match cell::json(a, i).map_err(error)? {
                serde_json::Value::Object(object) => object
                    .into_iter()
                    .map(|(grade, n)| match n.as_i64() {
                        Some(n) => Ok((grade, n)),
                        None => Err(FieldError {
                            field: format!("portfolio.owner_grade_counts.{grade}"),
                            message: format!("expected an integer, found {n}"),
                        }),
                    })
                    .collect::<Read<_>>()?,
                _ => {
                    return Err(error(format!(
                        "expected a map or struct of counts, found Arrow type {}",
                        a.data_type()
                    )))
                }
            }
        }
    };
    Ok(Some(PortfolioFacts {
        size: required(int("size")?, need("size"))?,
        revenue_rank: required(int("revenue_rank")?, need("revenue_rank"))?,
        revenue_share: required(float("revenue_share")?, need("revenue_share"))?,
        revenue_cum_share: required(float("revenue_cum_share")?, need("revenue_cum_share"))?,
        collected_rank: int("collected_rank")?,
        collected_share: float("collected_share")?,
        collected_cum_share: float("collected_cum_share")?,
        recency_quintile: required(int("recency_quintile")?, need("recency_quintile"))?,
        frequency_quintile: required(int("frequency_quintile")?, need("frequency_quintile"))?,
        monetary_quintile: required(int("monetary_quintile")?, need("monetary_quintile"))?,
        owner_customers: int("owner_customers")?.unwrap_or(0),
        owner_grade_counts: Arc::new(counts),
    }))
}
