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
        "patron_policy_check",
        "patron_evaluate_with_options",
        "patron_diff",
        "patron_string_free",
        "patron_error_code",
        "patron_error_message",
        "patron_error_file",
        "patron_error_line",
        "patron_error_column",
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

/// Each documented declaration of the header: its doxygen comment (without the `*` margins)
/// and the declaration that follows it (up to its `;` or the end of its line).
fn documented_items(header: &str) -> Vec<(String, String)> {
    let mut items = Vec::new();
    for chunk in header.split("/**").skip(1) {
        let Some((doc, rest)) = chunk.split_once("*/") else {
            continue;
        };
        let doc: Vec<&str> = doc
            .lines()
            .map(|l| l.trim().trim_start_matches('*').trim())
            .collect();
        let rest = rest.trim_start();
        let declaration = if rest.starts_with("#define") {
            rest.lines().next().unwrap_or_default()
        } else {
            rest.split(';').next().unwrap_or_default()
        };
        items.push((
            doc.join("\n"),
            declaration.split_whitespace().collect::<Vec<_>>().join(" "),
        ));
    }
    items
}

/// The name of the function a declaration declares, if it is one.
fn function_name(declaration: &str) -> Option<&str> {
    let before_paren = declaration.split_once('(')?.0;
    let name = before_paren.rsplit([' ', '*']).next()?;
    name.starts_with("patron_").then_some(name)
}

/// The header answers an integrator's questions: how each opaque type may be shared across
/// threads and how long it lives, who frees each returned string, what a caller must
/// guarantee — in C comments, not Rust Markdown.
#[test]
fn the_header_documents_threads_lifetimes_ownership_and_safety() {
    let header = generate();
    let items = documented_items(&header);
    assert!(
        items.len() > 20,
        "the header parser found {} items",
        items.len()
    );

    let opaque: Vec<_> = items
        .iter()
        .filter(|(_, d)| d.starts_with("typedef struct patron_"))
        .collect();
    assert_eq!(opaque.len(), 2, "{opaque:?}");
    for (doc, declaration) in &opaque {
        for (label, what) in [
            ("Thread-safety:", "thread-safety"),
            ("Lifetime:", "lifetime"),
        ] {
            assert!(
                doc.contains(label),
                "`{declaration}` needs a sentence on its {what}, starting with `{label}`:\n{doc}"
            );
        }
    }

    let free_doc = &items
        .iter()
        .find(|(_, d)| function_name(d) == Some("patron_string_free"))
        .expect("patron_string_free is documented")
        .0;
    let mut returning_strings = 0;
    for (doc, declaration) in &items {
        let Some(name) = function_name(declaration) else {
            continue;
        };
        if declaration.starts_with("char *") {
            returning_strings += 1;
            assert!(
                doc.contains("patron_string_free"),
                "{name} returns `char *` but its comment does not say it is freed with \
                 patron_string_free:\n{doc}"
            );
            assert!(
                free_doc.contains(&format!("`{name}`")),
                "patron_string_free's comment does not list {name}, which returns `char *`"
            );
        }
        if declaration.starts_with("const char *") {
            assert!(
                doc.contains("do not free"),
                "{name} returns a borrowed `const char *`: its comment must say not to free it"
            );
        }
        if declaration.contains('*') && name != "patron_version" {
            assert!(
                doc.contains("\nSafety: "),
                "{name} takes pointers but has no `Safety:` paragraph:\n{doc}"
            );
        }
    }
    assert_eq!(returning_strings, 7, "functions returning `char *`");

    for line in header.lines() {
        let text = line
            .trim_start()
            .trim_start_matches(['/', '*'])
            .trim_start();
        assert!(
            !text.starts_with('#') || line.starts_with('#'),
            "a Markdown heading in a C comment (write `Safety:` prose instead): {line:?}"
        );
    }
}

/// `PATRON_VERSION_MAJOR/MINOR/PATCH` are the crate's version.
#[test]
fn the_header_carries_the_crate_version() {
    let header = generate();
    for (name, value) in [
        ("PATRON_VERSION_MAJOR", env!("CARGO_PKG_VERSION_MAJOR")),
        ("PATRON_VERSION_MINOR", env!("CARGO_PKG_VERSION_MINOR")),
        ("PATRON_VERSION_PATCH", env!("CARGO_PKG_VERSION_PATCH")),
    ] {
        assert!(
            header.contains(&format!("#define {name} {value}\n")),
            "{name} is not defined as {value}"
        );
    }
}
