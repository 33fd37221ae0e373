//! The file set of a policy: read from a directory or embedded, and its content hash.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::source::PolicyFile;

/// The files that make a policy: `policy.toml` and every `*.rhai` beside it.
pub(crate) fn read_dir(dir: &Path) -> Result<Vec<PolicyFile>> {
    let shown = dir.display();
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::policy(&shown.to_string(), format!("cannot read directory: {e}")))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::policy(&shown.to_string(), e.to_string()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == super::manifest::MANIFEST_FILE || name.ends_with(".rhai") {
            let text = std::fs::read_to_string(entry.path())
                .map_err(|e| Error::policy(&name, format!("cannot read: {e}")))?;
            files.push(PolicyFile { name, text });
        }
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

/// `sha256:` of the canonical file set: files sorted by name, each as its name, a NUL, its
/// length in bytes, a NUL and its bytes.
pub(crate) fn content_hash(files: &[PolicyFile]) -> String {
    let mut sorted: Vec<&PolicyFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let mut hasher = Sha256::new();
    for file in sorted {
        hasher.update(file.name.as_bytes());
        hasher.update([0]);
        hasher.update(file.text.len().to_string().as_bytes());
        hasher.update([0]);
        hasher.update(file.text.as_bytes());
    }
    let digest = hasher.finalize();
    let mut hex = String::with_capacity(7 + 64);
    hex.push_str("sha256:");
    for byte in digest {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}
