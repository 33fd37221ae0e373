//! `include/patron.h` is what cbindgen generates from `src/ffi/` with `cbindgen.toml`.
//!
//! The test fails when the committed header is stale and says how to refresh it:
//! `PATRON_BLESS=1 cargo test --test header` rewrites the file instead of comparing.

use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn generate() -> String {
    let config = cbindgen::Config::from_file(root().join("cbindgen.toml"))
        .unwrap_or_else(|e| panic!("cannot read cbindgen.toml: {e}"));
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(root().join("src/ffi/mod.rs"))
        .generate()
        .unwrap_or_else(|e| panic!("cbindgen failed: {e}"));
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).expect("cbindgen writes UTF-8")
}

#[test]
fn committed_header_is_fresh() {
    let path = root().join("include/patron.h");
    let fresh = generate();
    if std::env::var_os("PATRON_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &fresh).unwrap();
        eprintln!("wrote {}", path.display());
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != fresh {
        let first_difference = committed
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(fresh.lines().count()));
        panic!(
            "include/patron.h is stale: it differs from what cbindgen generates from src/ffi/ \
             (first difference at line {}).\n\
             Refresh it with:\n\n    PATRON_BLESS=1 cargo test --test header\n\n\
             and commit include/patron.h.",
            first_difference + 1
        );
    }
}

#[test]
fn every_function_is_declared_and_documented() {
    let header = generate();
    let functions = [
        "patron_version",
        "patron_engine_new",
        "patron_engine_reload",
        "patron_policy_info",
        "patron_evaluate",
        "patron_evaluate_batch",
        "patron_plan",
        "patron_string_free",
        "patron_error_code",
        "patron_error_message",
        "patron_error_free",
        "patron_engine_free",
    ];
    for name in functions {
        let at = header
            .find(&format!(" {name}("))
            .or_else(|| header.find(&format!("*{name}(")))
            .unwrap_or_else(|| panic!("{name} is not declared in the header"));
        let before = &header[..at];
        let doc_end = before.rfind("*/").expect("a doc comment");
        let between = &before[doc_end + 2..];
        assert!(
            between.trim().lines().count() <= 1,
            "{name} has no doc comment right above it"
        );
    }
    for (name, value) in [
        ("PATRON_OK", 0),
        ("PATRON_ERR_NULL_ARGUMENT", 1),
        ("PATRON_ERR_INVALID_UTF8", 2),
        ("PATRON_ERR_INVALID_JSON", 3),
        ("PATRON_ERR_INVALID_INPUT", 4),
        ("PATRON_ERR_POLICY", 5),
        ("PATRON_ERR_SCRIPT", 6),
        ("PATRON_ERR_LIMIT", 7),
        ("PATRON_ERR_INTERNAL", 8),
    ] {
        assert!(
            header.contains(&format!("#define {name} {value}\n")),
            "{name} is not defined as {value}"
        );
    }
    assert!(header.contains("typedef struct patron_engine patron_engine;"));
    assert!(header.contains("typedef struct patron_error patron_error;"));
}
