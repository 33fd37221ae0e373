//! The planner request: `json::plan(engine, customers, request, options)`. The input is a
//! flags byte, then the customers, a NUL byte and the request; with flag 1 the customers are the
//! shipped examples and only the request is fuzzed (the deeper path).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let (customers, request) = match text.split_once('\0') {
        Some((customers, request)) => (customers, request),
        None => ("", text.as_ref()),
    };
    let customers = if flags & 1 == 1 || customers.is_empty() {
        common::EXAMPLES
    } else {
        customers
    };
    let options = patron::EvaluateOptions::default();
    match patron::json::plan(common::engine(), customers, request, &options) {
        Ok(out) => {
            let plan = common::json(&out);
            assert!(plan.is_object(), "{out}");
        }
        Err(error) => common::not_internal(&error),
    }
});
