//! The cost of the C ABI: one evaluation through the exported `patron_evaluate`, called the
//! way a C program calls it (NUL-terminated strings in, a JSON C string out, freed with
//! `patron_string_free`), against the same evaluation through the Rust API —
//! `json::evaluate` (JSON text in and out, the same work minus the C marshalling; the bench
//! keeps its name `rust_evaluate_json` from when it was `Engine::evaluate_json`) and
//! `Engine::evaluate` (an already parsed customer, no JSON at all).
//!
//! Run: `cargo bench --features ffi --bench ffi -- --warm-up-time 1 --measurement-time 3`
//!
//! Calling the exported functions needs `unsafe` here (they are `unsafe extern "C"`); each
//! call says why it is sound.

use std::ffi::{c_char, CStr, CString};
use std::ptr;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use patron::ffi::{
    patron_engine_free, patron_engine_new, patron_evaluate, patron_string_free, PatronError,
};
use patron::model::{parse_customer, parse_date};
use patron::{Engine, EvaluateOptions};

/// The customer of the JSON contract's example: a purchase history, a call, a complaint, a
/// receivable and a prospect record, so that every script has work to do.
const CUSTOMER: &str = r#"{ "id": "C-1001", "name": "Huaxin Pharmacy", "owner": "rep-07",
  "grade": "C", "grade_since": "2026-06-01", "stage": "negotiation", "region": "same_city",
  "attributes": { "credit_score": 82, "market_position": 0.7 },
  "prospect": { "money": true, "authority": true, "need": false, "intent": "hesitant",
                "expected_purchase_at": "2027-01-15", "objections": ["price"] },
  "purchases":    [ { "at": "2026-05-02", "amount": 12000.0 }, { "at": "2026-10-02", "amount": 8000.0 } ],
  "interactions": [ { "at": "2026-11-20T10:00:00+08:00", "kind": "call", "outcome": "ok" } ],
  "complaints":   [ { "at": "2026-09-01", "resolved": true } ],
  "receivables":  [ { "due": "2026-11-25", "amount": 5000.0, "paid": false } ] }"#;

const AS_OF: &str = "2026-11-23";

fn ffi(c: &mut Criterion) {
    let mut group = c.benchmark_group("one_evaluation");
    group.throughput(Throughput::Elements(1));

    // SAFETY: a NULL policy_dir (the built-in policy) and a NULL err are allowed.
    let handle = unsafe { patron_engine_new(ptr::null(), ptr::null_mut()) };
    assert!(!handle.is_null(), "the default policy loads");
    let customer_c = CString::new(CUSTOMER).unwrap();
    let as_of_c = CString::new(AS_OF).unwrap();

    // The C path gives the same answer as the Rust path.
    let engine = Engine::with_default_policy().unwrap();
    let as_of = parse_date(AS_OF).unwrap();
    let options = EvaluateOptions::default();
    let rust_json = patron::json::evaluate(&engine, CUSTOMER, as_of, &options).unwrap();
    // SAFETY: a live engine, NUL-terminated strings that outlive the call, a NULL err.
    let out = unsafe {
        patron_evaluate(
            handle,
            customer_c.as_ptr(),
            as_of_c.as_ptr(),
            ptr::null_mut(),
        )
    };
    assert!(!out.is_null());
    // SAFETY: `out` is a NUL-terminated string from patron, read before it is freed.
    let c_json = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_owned();
    // SAFETY: `out` came from patron_evaluate and is freed once.
    unsafe { patron_string_free(out) };
    assert_eq!(c_json, rust_json);

    group.bench_function("c_abi_patron_evaluate", |b| {
        b.iter(|| {
            let mut err: *mut PatronError = ptr::null_mut();
            // SAFETY: a live engine, NUL-terminated strings that outlive the call, and `err`
            // a local valid for writes.
            let out: *mut c_char = unsafe {
                patron_evaluate(
                    black_box(handle),
                    black_box(customer_c.as_ptr()),
                    black_box(as_of_c.as_ptr()),
                    &mut err,
                )
            };
            assert!(!out.is_null() && err.is_null());
            // SAFETY: `out` came from patron_evaluate and is freed once.
            unsafe { patron_string_free(black_box(out)) };
        })
    });

    group.bench_function("rust_evaluate_json", |b| {
        b.iter(|| {
            black_box(
                patron::json::evaluate(&engine, black_box(CUSTOMER), as_of, &options).unwrap(),
            )
        })
    });

    let customer = parse_customer(CUSTOMER).unwrap();
    group.bench_function("rust_evaluate_parsed", |b| {
        b.iter(|| black_box(engine.evaluate(black_box(&customer), as_of).unwrap()))
    });
    group.finish();

    // SAFETY: the engine from patron_engine_new, freed once, no longer used.
    unsafe { patron_engine_free(handle) };
}

criterion_group!(benches, ffi);
criterion_main!(benches);
