//! The repository as the README draws it: its layout section names every top-level
//! directory and module that exists (and nothing that does not), no link in the repository
//! points outside it, the copies of the shared documents agree with their originals when those
//! are at hand, and the changelog keeps its format.

use std::fs;
use std::path::{Component, Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Directories never walked: build output, dependencies, version control.
const SKIPPED: &[&str] = &[
    "target",
    "node_modules",
    ".git",
    "corpus",
    "artifacts",
    "pyenv",
];

/// Every file of the repository with one of `extensions`, relative to the root.
fn files_with(extensions: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if !SKIPPED.contains(&name.as_str()) {
                    stack.push(path);
                }
            } else if extensions
                .iter()
                .any(|e| path.extension().is_some_and(|x| x == *e))
            {
                out.push(path.strip_prefix(root()).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// The fenced block under `## Layout` in README.md.
fn layout_block() -> String {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme
        .split("\n## Layout\n")
        .nth(1)
        .expect("README.md has a `## Layout` section");
    let block = section
        .split("```text\n")
        .nth(1)
        .expect("the layout section has a ```text block");
    block.split("```").next().unwrap().to_string()
}

/// Whether `line` of the layout block starts an entry: at the margin, or two spaces in for an
/// entry inside the one above (deeper lines continue a description).
fn is_entry(line: &str) -> bool {
    let indent = line.len() - line.trim_start().len();
    !line.trim().is_empty() && (indent == 0 || indent == 2)
}

/// The paths the layout block names: the first word of each entry line that looks like a path.
fn layout_paths(block: &str) -> Vec<String> {
    block
        .lines()
        .filter(|line| is_entry(line))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|word| word.ends_with('/') || word.ends_with(".rs") || word.contains('/'))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_readme_layout_names_every_top_level_directory_and_module() {
    let block = layout_block();
    let named = layout_paths(&block);
    // Everything named exists (a line under `src/` names a path inside it).
    let mut parent = String::new();
    for line in block.lines().filter(|line| is_entry(line)) {
        let Some(word) = line.split_whitespace().next() else {
            continue;
        };
        if !named.contains(&word.to_string()) {
            continue;
        }
        let indented = line.starts_with("  ");
        let path = if indented {
            format!("{parent}{word}")
        } else {
            word.to_string()
        };
        if !indented {
            parent = word.to_string();
        }
        assert!(
            root().join(&path).exists(),
            "README.md's layout names `{path}`, which does not exist"
        );
    }
    // Every top-level directory is named.
    for entry in fs::read_dir(root()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !path.is_dir() || SKIPPED.contains(&name.as_str()) {
            continue;
        }
        assert!(
            named.iter().any(|n| n.starts_with(&format!("{name}/"))),
            "README.md's layout does not name the directory `{name}/`"
        );
    }
    // Every top-level module of the library is named under src/.
    for entry in fs::read_dir(root().join("src")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name == "lib.rs" {
            continue;
        }
        let shown = if path.is_dir() {
            format!("{name}/")
        } else {
            name
        };
        assert!(
            named.contains(&shown),
            "README.md's layout does not name src/{shown}"
        );
    }
}

/// `target` of a Markdown link `[text](target)`, for every link in `text`.
fn markdown_links(text: &str) -> Vec<String> {
    let mut links = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("](") {
        rest = &rest[at + 2..];
        if let Some(end) = rest.find(')') {
            links.push(rest[..end].to_string());
        }
    }
    links
}

/// `path` with `.` and `..` resolved lexically, or None when it climbs above its start.
fn normalise(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    Some(out)
}

#[test]
fn no_link_points_outside_the_repository() {
    let mut broken = Vec::new();
    for file in files_with(&["md"]) {
        let text = fs::read_to_string(root().join(&file)).unwrap();
        for link in markdown_links(&text) {
            let target = link.split('#').next().unwrap().trim();
            if target.is_empty() || target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let base = file.parent().unwrap_or(Path::new(""));
            match normalise(&base.join(target)) {
                None => broken.push(format!(
                    "{}: `{link}` leaves the repository",
                    file.display()
                )),
                Some(path) if !root().join(&path).exists() => {
                    broken.push(format!("{}: `{link}` does not exist", file.display()))
                }
                Some(_) => {}
            }
        }
    }
    // Plain-text mentions of the workplace's shared folder are links outside too. Tests may
    // look for the originals (they compare the copies with them), nothing else may.
    for file in files_with(&[
        "md", "rs", "rhai", "toml", "h", "hpp", "sh", "py", "java", "c",
    ]) {
        if file.starts_with("tests") {
            continue;
        }
        let text = fs::read_to_string(root().join(&file)).unwrap();
        for (number, line) in text.lines().enumerate() {
            if line.contains("../shared") || line.contains("/work/") {
                broken.push(format!(
                    "{}:{}: points outside the repository: {}",
                    file.display(),
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "links outside the repository:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_copies_of_the_shared_documents_agree_with_their_originals() {
    // The repository keeps copies so that it stands alone; where the originals are at hand
    // (the workplace's `../shared/`), they must agree.
    let originals = root().join("../shared");
    let copies = [
        ("design.md", "docs/design.md"),
        ("domain.md", "docs/domain.md"),
        ("bench/reference.md", "docs/bench/reference.md"),
        ("bench/reference.jdm.json", "docs/bench/reference.jdm.json"),
        ("bench/rhai-notes.md", "docs/bench/rhai-notes.md"),
    ];
    for (original, copy) in copies {
        let kept = fs::read_to_string(root().join(copy)).unwrap_or_else(|e| panic!("{copy}: {e}"));
        assert!(!kept.trim().is_empty(), "{copy} is empty");
        if let Ok(text) = fs::read_to_string(originals.join(original)) {
            assert_eq!(
                kept, text,
                "{copy} differs from ../shared/{original}: copy it again"
            );
        }
    }
}

#[test]
fn the_changelog_keeps_a_changelog() {
    let text = fs::read_to_string(root().join("CHANGELOG.md")).expect("CHANGELOG.md exists");
    assert!(
        text.starts_with("# Changelog"),
        "CHANGELOG.md starts with `# Changelog`"
    );
    assert!(
        text.contains("https://keepachangelog.com/"),
        "CHANGELOG.md names the Keep a Changelog format"
    );
    assert!(
        text.contains("\n## [Unreleased]\n"),
        "CHANGELOG.md has an Unreleased section"
    );
    for line in text.lines().filter(|l| l.starts_with("### ")) {
        let kind = &line[4..];
        assert!(
            [
                "Added",
                "Changed",
                "Deprecated",
                "Removed",
                "Fixed",
                "Security"
            ]
            .contains(&kind),
            "CHANGELOG.md: `{line}` is not a Keep a Changelog heading"
        );
    }
}
