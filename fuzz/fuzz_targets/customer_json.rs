//! Customer JSON → evaluate: arbitrary bytes as one record (after a 3-byte header choosing
//! the date and the trace), evaluated with the default policy.
#![no_main]

use libfuzzer_sys::fuzz_target;
use patron::{EvaluateOptions, Evaluation};

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
    match patron::json::evaluate(common::engine(), &text, as_of, &options) {
        Ok(out) => {
            let value = common::json(&out);
            let customer = patron::model::parse_customer(&text)
                .expect("a record that evaluated must parse on its own");
            assert_eq!(value["customer_id"], customer.id.as_str());
            let evaluation: Evaluation =
                serde_json::from_str(&out).expect("the output is an Evaluation");
            assert_eq!(evaluation.as_of, as_of);
            assert_eq!(evaluation.trace.is_some(), options.explain);
        }
        Err(error) => common::not_internal(&error),
    }
});
