//! The files the workbench edits — `policy.toml`, every `NAME.rhai` and `tests/NAME.json` of
//! the served policy directory — read and saved, confined to that directory.
//!
//! A name must be one of those three shapes (no `..`, no other directory, no absolute
//! path), and the file it names must resolve inside the policy directory (a symbolic link
//! pointing out of it is refused). A save is all or nothing: every changed file is first
//! written in full to a temporary file beside its target and flushed to disk; only when all
//! are written are they renamed over their targets (each rename is atomic); should a rename
//! fail, the files already renamed are put back. Files on disk that the save does not name
//! are left as they are (a save never deletes).

use std::path::{Path, PathBuf};

use super::super::adapter::{is_policy_file, is_test_file, DraftFiles};
use super::super::errors::ApiError;

/// Whether `name` is a file the workbench edits.
pub fn is_editable(name: &str) -> bool {
    (is_policy_file(name) && !name.contains('/') && !name.contains('\\')) || is_test_file(name)
}

/// 422 naming the file unless its name is one the workbench edits.
pub fn check_name(name: &str) -> Result<(), ApiError> {
    if is_editable(name) && !name.contains('\0') && !name.starts_with('.') {
        return Ok(());
    }
    Err(ApiError::invalid_input(
        &format!("files.{name}"),
        "the workbench reads and writes only `policy.toml`, `NAME.rhai` and `tests/NAME.json` \
         inside the policy directory",
    ))
}

/// The editable files of the policy directory `root`, sorted by name.
pub fn read(root: &Path) -> Result<DraftFiles, ApiError> {
    let root = canonical_root(root)?;
    let mut files = Vec::new();
    for (sub, prefix) in [(root.clone(), ""), (root.join("tests"), "tests/")] {
        if !sub.is_dir() {
            continue;
        }
        let entries = std::fs::read_dir(&sub)
            .map_err(|e| ApiError::internal(format!("cannot read {}: {e}", sub.display())))?;
        for entry in entries.flatten() {
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if !is_editable(&name) {
                continue;
            }
            let path = inside(&root, &name)?;
            if !path.is_file() {
                continue;
            }
            let text = std::fs::read_to_string(&path)
                .map_err(|e| ApiError::internal(format!("cannot read {name}: {e}")))?;
            files.push((name, text));
        }
    }
    files.sort();
    Ok(files)
}

fn canonical_root(root: &Path) -> Result<PathBuf, ApiError> {
    root.canonicalize()
        .map_err(|e| ApiError::internal(format!("the policy directory cannot be resolved: {e}")))
}

/// The path of `name` inside `root` (resolved), refusing one that leads out of it.
fn inside(root: &Path, name: &str) -> Result<PathBuf, ApiError> {
    check_name(name)?;
    let path = root.join(name);
    let outside = || {
        ApiError::invalid_input(
            &format!("files.{name}"),
            "the file resolves outside the policy directory (a symbolic link?)",
        )
    };
    // `symlink_metadata`: a symbolic link counts as there even when it points nowhere, and
    // must then resolve inside the directory.
    if std::fs::symlink_metadata(&path).is_ok() {
        let resolved = path.canonicalize().map_err(|_| outside())?;
        if !resolved.starts_with(root) {
            return Err(outside());
        }
        Ok(resolved)
    } else {
        let parent = path.parent().ok_or_else(outside)?;
        if parent.exists() {
            let resolved = parent.canonicalize().map_err(|_| outside())?;
            if !resolved.starts_with(root) {
                return Err(outside());
            }
        }
        Ok(path)
    }
}

/// 422 naming the first file of `names` that would be written outside the policy directory
/// `root` (checked before anything else about a save).
pub fn check_confined<'a>(
    root: &Path,
    names: impl IntoIterator<Item = &'a String>,
) -> Result<(), ApiError> {
    let root = canonical_root(root)?;
    for name in names {
        inside(&root, name)?;
    }
    Ok(())
}

/// Writes `files` into the policy directory `root`, all or nothing (see the module); returns
/// the names written (those whose text changed).
pub fn save(root: &Path, files: &[(String, String)]) -> Result<Vec<String>, ApiError> {
    let root = canonical_root(root)?;
    let mut plan = Vec::new();
    for (name, text) in files {
        let path = inside(&root, name)?;
        let old = match std::fs::read_to_string(&path) {
            Ok(old) => Some(old),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(ApiError::internal(format!("cannot read {name}: {e}"))),
        };
        if old.as_deref() != Some(text.as_str()) {
            plan.push((name.clone(), path, text.clone(), old));
        }
    }
    let failed = |name: &str, e: std::io::Error| {
        ApiError::internal(format!(
            "cannot write {name}: {e}; nothing was changed on disk"
        ))
    };
    // 1. Every new text in full beside its target.
    let mut written = Vec::new();
    for (name, path, text, _) in &plan {
        let dir = path.parent().unwrap_or(&root);
        std::fs::create_dir_all(dir).map_err(|e| failed(name, e))?;
        let mut temp = tempfile::Builder::new()
            .prefix(".patron-save-")
            .tempfile_in(dir)
            .map_err(|e| failed(name, e))?;
        use std::io::Write;
        temp.write_all(text.as_bytes())
            .and_then(|()| temp.as_file().sync_all())
            .map_err(|e| failed(name, e))?;
        written.push(temp);
    }
    // 2. Renamed over the targets; on a failure, the renamed ones are put back.
    let mut done: Vec<usize> = Vec::new();
    for (index, temp) in written.into_iter().enumerate() {
        let (name, path, _, _) = &plan[index];
        if let Err(e) = temp.persist(path) {
            for &back in done.iter().rev() {
                let (_, path, _, old) = &plan[back];
                let _ = match old {
                    Some(old) => restore(path, old),
                    None => std::fs::remove_file(path),
                };
            }
            return Err(ApiError::internal(format!(
                "cannot replace {name}: {}; the files already replaced were put back",
                e.error
            )));
        }
        done.push(index);
    }
    if let Ok(dir) = std::fs::File::open(&root) {
        let _ = dir.sync_all();
    }
    Ok(plan.into_iter().map(|(name, ..)| name).collect())
}

fn restore(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".patron-save-")
        .tempfile_in(dir)?;
    std::io::Write::write_all(&mut temp, text.as_bytes())?;
    temp.persist(path).map(|_| ()).map_err(|e| e.error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_policy_and_test_files_are_editable() {
        for ok in ["policy.toml", "score.rhai", "tests/grades.json"] {
            assert!(is_editable(ok), "{ok}");
        }
        for bad in [
            "../policy.toml",
            "x/score.rhai",
            "tests/../../etc.json",
            "tests/a/b.json",
            ".rhai",
            "notes.txt",
            "/etc/passwd",
            "tests/.json",
        ] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_save_writes_changed_files_and_refuses_escapes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("policy.toml"), "old").unwrap();
        let files = vec![
            ("policy.toml".to_string(), "new".to_string()),
            ("tests/a.json".to_string(), "[]".to_string()),
        ];
        let written = save(dir.path(), &files).unwrap();
        assert_eq!(written, ["policy.toml", "tests/a.json"]);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("policy.toml")).unwrap(),
            "new"
        );
        assert!(save(dir.path(), &[("../x.rhai".into(), "x".into())]).is_err());
        // Nothing else was left behind: no temporary files.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().all(|n| !n.starts_with(".patron-save-")),
            "{names:?}"
        );
    }
}
