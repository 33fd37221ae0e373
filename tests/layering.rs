//! The layering `src/lib.rs` states is true: no module imports from a layer below it in the
//! list (an upward arrow), and no module imports a name through the crate root's
//! re-exports instead of the module that defines it.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The foundation modules: they may import each other, and nothing else.
const FOUNDATION: &[&str] = &["error", "source"];

/// The layers, top first: each may import the foundation and the layers before it.
const LAYERS: &[&str] = &[
    "model", "script", "policy", "schedule", "engine", "json", "arrow", "ffi",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file of a top-level module: `src/<name>.rs` or everything under `src/<name>/`.
fn files_of(module: &str) -> Vec<PathBuf> {
    let single = src().join(format!("{module}.rs"));
    if single.exists() {
        return vec![single];
    }
    let mut out = Vec::new();
    let mut stack = vec![src().join(module)];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    assert!(!out.is_empty(), "module {module} has no source files");
    out
}

/// The names a line reaches through `crate::`: `crate::a::b` gives `a`, `crate::{a, B}` gives
/// `a` and `B`. Comment lines (including rustdoc links) are not imports.
fn crate_paths(line: &str) -> Vec<String> {
    let code = line.trim_start();
    if code.starts_with("//") {
        return Vec::new();
    }
    let code = code.split(" //").next().unwrap_or(code);
    let mut names = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // e.g. `mycrate::`
        }
        if let Some(group) = rest.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or("");
            for item in inner.split(',') {
                let head: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !head.is_empty() {
                    names.push(head);
                }
            }
        } else {
            let head: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !head.is_empty() {
                names.push(head);
            }
        }
    }
    names
}

/// Items `src/lib.rs` defines itself (not re-exports): importing them from the root is fine.
fn defined_in_lib() -> BTreeSet<String> {
    let text = fs::read_to_string(src().join("lib.rs")).unwrap();
    let mut names = BTreeSet::new();
    for line in text.lines() {
        for keyword in ["pub const ", "pub struct ", "pub fn ", "pub static "] {
            if let Some(rest) = line.trim_start().strip_prefix(keyword) {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                names.insert(name);
            }
        }
    }
    names
}

/// Every import that breaks the layering, as `file:line: message`.
fn violations() -> Vec<String> {
    let own = defined_in_lib();
    let mut found = Vec::new();
    let modules: Vec<&str> = FOUNDATION.iter().chain(LAYERS).copied().collect();
    for module in &modules {
        let rank = LAYERS.iter().position(|l| l == module);
        for file in files_of(module) {
            let text = fs::read_to_string(&file).unwrap();
            let shown = file
                .strip_prefix(src().parent().unwrap())
                .unwrap()
                .display()
                .to_string();
            for (number, line) in text.lines().enumerate() {
                for name in crate_paths(line) {
                    let at = format!("{shown}:{}", number + 1);
                    if name == *module || name == "self" {
                        continue;
                    }
                    if name.starts_with(|c: char| c.is_uppercase()) || own.contains(&name) {
                        if !own.contains(&name) {
                            found.push(format!(
                                "{at}: imports `{name}` through the crate root; import it from the module that defines it"
                            ));
                        }
                        continue;
                    }
                    if FOUNDATION.contains(&name.as_str()) {
                        continue;
                    }
                    let Some(target) = LAYERS.iter().position(|l| *l == name) else {
                        found.push(format!(
                            "{at}: `crate::{name}` is not a module the layering names"
                        ));
                        continue;
                    };
                    match rank {
                        None => found.push(format!(
                            "{at}: the foundation module `{module}` imports the layer `{name}`"
                        )),
                        Some(rank) if target > rank => found.push(format!(
                            "{at}: `{module}` imports `{name}`, a layer below it (an upward arrow)"
                        )),
                        Some(_) => {}
                    }
                }
            }
        }
    }
    found
}

#[test]
fn no_module_imports_a_layer_below_it_or_through_the_crate_root() {
    let found = violations();
    assert!(found.is_empty(), "layering broken:\n{}", found.join("\n"));
}

#[test]
fn the_layers_here_are_the_ones_lib_rs_names_in_its_order() {
    let lib = fs::read_to_string(src().join("lib.rs")).unwrap();
    let doc: String = lib
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .collect::<Vec<_>>()
        .join("\n");
    let section = doc
        .split("Layers, each depending only on the ones above it")
        .nth(1)
        .expect("src/lib.rs states the layers");
    let mut last = 0;
    for module in LAYERS {
        let at = section
            .find(&format!("`{module}`"))
            .unwrap_or_else(|| panic!("src/lib.rs's layer list does not name `{module}`"));
        assert!(at >= last, "src/lib.rs lists `{module}` out of order");
        last = at;
    }
    // Every top-level module of the crate is in the list.
    for entry in fs::read_dir(src()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "lib" {
            continue;
        }
        assert!(
            FOUNDATION.contains(&name.as_str()) || LAYERS.contains(&name.as_str()),
            "src/{name} is in no layer of tests/layering.rs"
        );
    }
}

#[test]
fn the_checker_sees_upward_and_root_imports() {
    assert_eq!(crate_paths("use crate::engine::Tier;"), ["engine"]);
    assert_eq!(
        crate_paths("use crate::{Engine, model::Date};"),
        ["Engine", "model"]
    );
    assert!(crate_paths("/// [`x`](crate::engine::X)").is_empty());
    assert!(crate_paths("use mycrate::engine::X;").is_empty());
}
