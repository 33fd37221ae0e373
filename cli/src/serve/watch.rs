//! `--watch`: reload the policy when its files change (`policy.toml`, `*.rhai`,
//! `tests/*.json`), with the same checks as `POST /v1/policy/reload` — loaded, checked and
//! its own cases run first, the old policy kept on failure. Changes are gathered for a
//! moment first, so that saving several files makes one reload.

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use notify::{EventKind, RecursiveMode, Watcher};

use super::adapter::is_policy_file;
use super::state::Shared;

/// How long changes are gathered before a reload.
const SETTLE: Duration = Duration::from_millis(250);

/// Whether a change of `path` concerns the policy in `root`.
fn concerns_policy(root: &Path, path: &Path) -> bool {
    let Ok(relative) = path.strip_prefix(root) else {
        return false;
    };
    let parts: Vec<String> = relative
        .components()
        .map(|c| match c {
            Component::Normal(name) => name.to_string_lossy().into_owned(),
            _ => String::new(),
        })
        .collect();
    match parts.as_slice() {
        [name] => is_policy_file(name) || name == "tests",
        [tests, name] => tests == "tests" && name.ends_with(".json"),
        _ => false,
    }
}

/// Starts watching the policy directory; the returned watcher must be kept alive.
pub fn start(state: Shared) -> Result<notify::RecommendedWatcher, String> {
    let dir: PathBuf = state
        .served
        .dir()
        .ok_or("--watch needs --policy DIR")?
        .canonicalize()
        .map_err(|e| format!("--watch: cannot resolve the policy directory: {e}"))?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<()>(1);
    let root = dir.clone();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        if matches!(event.kind, EventKind::Access(_)) {
            return;
        }
        if event.paths.iter().any(|p| concerns_policy(&root, p)) {
            // A full channel means a reload is already pending: this change will be in it.
            let _ = tx.try_send(());
        }
    })
    .map_err(|e| format!("--watch: {e}"))?;
    watcher
        .watch(&dir, RecursiveMode::Recursive)
        .map_err(|e| format!("--watch {}: {e}", dir.display()))?;
    tokio::spawn(async move {
        while rx.recv().await.is_some() {
            tokio::time::sleep(SETTLE).await;
            while rx.try_recv().is_ok() {}
            match state.reload().await {
                Ok(stamp) => eprintln!(
                    "patron: --watch: reloaded {} {} ({})",
                    stamp.name, stamp.version, stamp.hash
                ),
                Err(error) => eprintln!(
                    "patron: --watch: the changed policy was not taken; the old one keeps serving: {}",
                    error.detail.message
                ),
            }
        }
    });
    Ok(watcher)
}

#[cfg(test)]
mod tests {
    use super::concerns_policy;
    use std::path::Path;

    #[test]
    fn only_policy_files_and_cases_concern_the_policy() {
        let root = Path::new("/p");
        for yes in [
            "/p/policy.toml",
            "/p/score.rhai",
            "/p/tests/a.json",
            "/p/tests",
        ] {
            assert!(concerns_policy(root, Path::new(yes)), "{yes}");
        }
        for no in [
            "/p/README.md",
            "/p/candidates/x/score.rhai",
            "/p/tests/a.txt",
            "/q/score.rhai",
            "/p/.score.rhai.swp",
        ] {
            assert!(!concerns_policy(root, Path::new(no)), "{no}");
        }
    }
}
