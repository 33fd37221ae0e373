//! JSON Lines (or JSON array) batch → evaluate: arbitrary bytes after a 3-byte header. Every
//! record gets exactly one item, in order; only input that cannot be split at all fails as a
//! whole.
#![no_main]

use libfuzzer_sys::fuzz_target;
use patron::{BatchItem, ErrorCode, EvaluateOptions};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let header = common::header(data);
    let as_of = common::as_of(&header);
    let text = String::from_utf8_lossy(header.rest);
    let options = if header.flags & 1 == 1 {
        EvaluateOptions::explained()
    } else {
        EvaluateOptions::default()
    };
    match common::engine().evaluate_many(&*text, as_of, &options) {
        Ok(items) => {
            if let Some(count) = common::record_count(&text) {
                assert_eq!(items.len(), count, "count out = count in");
            }
            for item in &items {
                if let BatchItem::Failed { error, line, .. } = item {
                    assert_ne!(error.kind, ErrorCode::Internal, "{}", error.message);
                    assert!(*line >= 1);
                }
            }
            let out = serde_json::to_string(&items).expect("items serialize");
            let value = common::json(&out);
            assert_eq!(value.as_array().map(Vec::len), Some(items.len()));
        }
        Err(error) => {
            common::not_internal(&error);
            assert_eq!(error.code(), ErrorCode::InvalidJson, "{error}");
        }
    }
});
