//! Candidate policies named by the request, confined to the served policy directory.
//!
//! A request may name a candidate directory (`{"candidate": {"dir": "candidates/next"}}`):
//! the name is relative to the policy directory the server was started with, and nothing
//! outside that directory is ever read. The name must be relative and made of plain
//! components (no `..`, no `.`, no root, no drive); the directory and every file read from
//! it are resolved (symbolic links followed) and must still be inside the policy directory,
//! so a symbolic link that points out of it is refused rather than followed. Only the files
//! the library reads are read: `policy.toml` and `*.rhai`.
//!
//! Files posted in the body (`{"candidate": {"files": {...}}}`) are checked by name alone:
//! nothing is read from or written to disk for them.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use super::adapter::is_policy_file;
use super::errors::ApiError;

/// Files of a candidate: (name, text), sorted by name.
pub type Files = Vec<(String, String)>;

fn refused(message: impl std::fmt::Display) -> ApiError {
    ApiError::invalid_input("candidate.dir", message)
}

/// The policy files of the directory `name` inside `root`.
pub fn read_candidate_dir(root: &Path, name: &str) -> Result<Files, ApiError> {
    let relative = Path::new(name);
    if name.is_empty() || name.contains('\0') {
        return Err(refused("the directory name is empty"));
    }
    if !relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        return Err(refused(format!(
            "`{name}` must be a plain relative path inside the policy directory (no `..`, `.`, or leading `/`)"
        )));
    }
    let root = root
        .canonicalize()
        .map_err(|e| ApiError::internal(format!("the policy directory cannot be resolved: {e}")))?;
    let dir = resolve_inside(&root, &root.join(relative), name)?;
    if !dir.is_dir() {
        return Err(refused(format!("`{name}` is not a directory")));
    }
    let entries =
        std::fs::read_dir(&dir).map_err(|e| refused(format!("`{name}` cannot be read: {e}")))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| refused(format!("`{name}` cannot be read: {e}")))?;
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if !is_policy_file(&file_name) {
            continue;
        }
        let shown = format!("{name}/{file_name}");
        let path = resolve_inside(&root, &entry.path(), &shown)?;
        if !path.is_file() {
            return Err(refused(format!("`{shown}` is not a regular file")));
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| refused(format!("`{shown}` cannot be read: {e}")))?;
        files.push((file_name, text));
    }
    if files.is_empty() {
        return Err(refused(format!(
            "`{name}` has no policy files (policy.toml and *.rhai)"
        )));
    }
    files.sort();
    Ok(files)
}

/// `path` resolved, when it exists and is inside `root` (already resolved).
fn resolve_inside(root: &Path, path: &Path, shown: &str) -> Result<PathBuf, ApiError> {
    let resolved = path
        .canonicalize()
        .map_err(|_| refused(format!("`{shown}` does not exist in the policy directory")))?;
    if !resolved.starts_with(root) {
        return Err(refused(format!(
            "`{shown}` leads outside the policy directory (a symbolic link); refused"
        )));
    }
    Ok(resolved)
}

/// Files posted in the body: names must be `policy.toml` or `NAME.rhai`, without a path.
pub fn body_files(files: BTreeMap<String, String>) -> Result<Files, ApiError> {
    if files.is_empty() {
        return Err(ApiError::invalid_input(
            "candidate.files",
            "no files: give policy.toml and the *.rhai scripts",
        ));
    }
    for name in files.keys() {
        if name.contains(['/', '\\', '\0']) || !is_policy_file(name) {
            return Err(ApiError::invalid_input(
                "candidate.files",
                format!("`{name}` is not a policy file name (policy.toml or NAME.rhai, no path)"),
            ));
        }
    }
    Ok(files.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy_dir() -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        let candidate = root.path().join("candidates/next");
        std::fs::create_dir_all(&candidate).unwrap();
        std::fs::write(candidate.join("policy.toml"), "name = \"x\"").unwrap();
        std::fs::write(candidate.join("score.rhai"), "fn score(c) { 1 }").unwrap();
        std::fs::write(candidate.join("notes.txt"), "not read").unwrap();
        root
    }

    #[test]
    fn a_candidate_inside_is_read() {
        let root = policy_dir();
        let files = read_candidate_dir(root.path(), "candidates/next").unwrap();
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["policy.toml", "score.rhai"]);
    }

    #[test]
    fn names_that_leave_the_directory_are_refused() {
        let root = policy_dir();
        for name in [
            "../candidates",
            "candidates/../..",
            "/etc",
            "./candidates/next",
            "",
            "nope",
        ] {
            let error = read_candidate_dir(root.path(), name).unwrap_err();
            assert_eq!(error.status, 422, "{name}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_out_of_the_directory_are_refused() {
        let root = policy_dir();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("policy.toml"), "secret").unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("escape")).unwrap();
        let error = read_candidate_dir(root.path(), "escape").unwrap_err();
        assert!(error.detail.message.contains("outside"), "{error}");
        // A link to a file outside, inside a directory that is inside.
        let sneaky = root.path().join("candidates/sneaky");
        std::fs::create_dir_all(&sneaky).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("policy.toml"),
            sneaky.join("policy.toml"),
        )
        .unwrap();
        let error = read_candidate_dir(root.path(), "candidates/sneaky").unwrap_err();
        assert!(error.detail.message.contains("outside"), "{error}");
        // A link that stays inside is fine.
        std::os::unix::fs::symlink(
            root.path().join("candidates/next"),
            root.path().join("alias"),
        )
        .unwrap();
        assert!(read_candidate_dir(root.path(), "alias").is_ok());
    }

    #[test]
    fn body_file_names_are_checked() {
        let mut files = BTreeMap::new();
        files.insert("policy.toml".to_string(), String::new());
        assert!(body_files(files.clone()).is_ok());
        for bad in ["../policy.toml", "a/b.rhai", "notes.txt", ".rhai"] {
            let mut with = files.clone();
            with.insert(bad.to_string(), String::new());
            assert!(body_files(with).is_err(), "{bad}");
        }
        assert!(body_files(BTreeMap::new()).is_err());
    }
}
