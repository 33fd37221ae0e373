//! JSON records as Arrow record batches, the way Spark or pandas would give them, for the
//! `arrow` and `parquet` tests and the `arrow` bench: `customer_schema()` with `attributes`
//! as the struct arrow-json infers from the records, and the records decoded by arrow-json
//! (no JSON text on the way).
#![allow(dead_code)]

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{Fields, Schema, SchemaRef};
use patron::arrow::customer_schema;
use serde_json::{json, Value};

/// `customer_schema()` with `attributes` as the struct arrow-json infers from the records.
pub fn schema_with_struct_attributes(records: &[Value]) -> SchemaRef {
    let attributes: Vec<Value> = records
        .iter()
        .map(|r| json!({ "attributes": r.get("attributes").cloned().unwrap_or(Value::Null) }))
        .collect();
    let inferred = arrow_json::reader::infer_json_schema_from_iterator(
        attributes.iter().map(|v| Ok(v.clone())),
    )
    .unwrap();
    let attributes = Arc::new(inferred.field_with_name("attributes").unwrap().clone());
    Arc::new(Schema::new(
        customer_schema()
            .fields()
            .iter()
            .map(|f| {
                if f.name() == "attributes" {
                    attributes.clone()
                } else {
                    f.clone()
                }
            })
            .collect::<Fields>(),
    ))
}

/// Records → one record batch of `schema`, through arrow-json's decoder.
pub fn batch(records: &[Value], schema: SchemaRef) -> RecordBatch {
    let mut decoder = arrow_json::ReaderBuilder::new(schema.clone())
        .with_batch_size(records.len().max(1))
        .build_decoder()
        .unwrap();
    decoder.serialize(records).unwrap();
    decoder
        .flush()
        .unwrap()
        .unwrap_or_else(|| RecordBatch::new_empty(schema))
}
