//! Reading command input: a file, or standard input for `-` or no file — as one text, or as
//! a seekable file for commands that read their input twice without holding it in memory.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::{Failure, EXIT_INPUT};

/// The text of `path`, or of standard input when `path` is `None` or `-`.
pub fn read_input(path: Option<&Path>) -> Result<String, Failure> {
    match path {
        Some(path) if path != Path::new("-") => std::fs::read_to_string(path)
            .map_err(|e| Failure::new(EXIT_INPUT, format!("cannot read {}: {e}", path.display()))),
        _ => {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).map_err(|e| {
                Failure::new(EXIT_INPUT, format!("cannot read standard input: {e}"))
            })?;
            Ok(text)
        }
    }
}

/// Input that can be read more than once: the named file, standard input when it is a
/// regular file (`< FILE`), or else standard input copied to a temporary file (a pipe can
/// be read only once; the copy is on disk, not in memory, and is deleted when done).
pub struct SeekableInput {
    file: File,
    /// What to call the input in messages.
    pub name: String,
    /// The temporary copy to delete on drop (on Unix it is unlinked at once instead).
    spooled: Option<PathBuf>,
}

impl SeekableInput {
    /// Opens `path`, or standard input when `path` is `None` or `-`.
    pub fn open(path: Option<&Path>) -> Result<SeekableInput, Failure> {
        match path {
            Some(path) if path != Path::new("-") => {
                let name = path.display().to_string();
                let file = File::open(path)
                    .map_err(|e| Failure::new(EXIT_INPUT, format!("cannot read {name}: {e}")))?;
                Ok(SeekableInput {
                    file,
                    name,
                    spooled: None,
                })
            }
            _ => {
                let name = "standard input".to_string();
                if let Some(file) = stdin_file() {
                    return Ok(SeekableInput {
                        file,
                        name,
                        spooled: None,
                    });
                }
                spool_stdin()
                    .map_err(|e| Failure::new(EXIT_INPUT, format!("cannot read {name}: {e}")))
            }
        }
    }

    /// The file the input is read from (standard input's own, or its spooled copy).
    pub fn file(&self) -> &File {
        &self.file
    }

    /// The size of the input in bytes, when known.
    pub fn len(&self) -> Option<u64> {
        self.file.metadata().ok().map(|m| m.len())
    }
}

impl Read for SeekableInput {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.file.read(buf)
    }
}

impl Seek for SeekableInput {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.file.seek(pos)
    }
}

impl Drop for SeekableInput {
    fn drop(&mut self) {
        if let Some(path) = self.spooled.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Standard input as a file, when it is a regular file (redirected from one).
#[cfg(unix)]
fn stdin_file() -> Option<File> {
    use std::os::fd::AsFd;
    let file = File::from(std::io::stdin().as_fd().try_clone_to_owned().ok()?);
    file.metadata().ok()?.is_file().then_some(file)
}

#[cfg(not(unix))]
fn stdin_file() -> Option<File> {
    None
}

/// Copies standard input to a new temporary file and returns it, positioned at its start.
fn spool_stdin() -> io::Result<SeekableInput> {
    let dir = std::env::temp_dir();
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let mut attempt = 0;
    let (mut file, path) = loop {
        let path = dir.join(format!(
            "patron-input-{}-{stamp}-{attempt}.jsonl",
            std::process::id()
        ));
        match OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(file) => break (file, path),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    };
    // On Unix the open file outlives its name: nothing is left behind, even on a crash.
    let spooled = if cfg!(unix) && std::fs::remove_file(&path).is_ok() {
        None
    } else {
        Some(path)
    };
    let input = SeekableInput {
        file: file.try_clone()?,
        name: "standard input".to_string(),
        spooled,
    };
    io::copy(&mut io::stdin().lock(), &mut file)?;
    file.seek(SeekFrom::Start(0))?;
    Ok(input)
}

/// Whether the input's first character that is not whitespace is `[` (a JSON array rather
/// than JSON Lines), as `parse_customers` decides; `None` when the input is all whitespace.
/// Reads ahead: rewind afterwards.
pub fn starts_with_bracket(input: &mut impl BufRead) -> io::Result<Option<bool>> {
    let mut pending: Vec<u8> = Vec::with_capacity(4);
    loop {
        let buffer = input.fill_buf()?;
        let Some(&byte) = buffer.first() else {
            return Ok(None);
        };
        input.consume(1);
        pending.push(byte);
        match std::str::from_utf8(&pending) {
            Ok(text) => match text.chars().next() {
                Some(c) if c.is_whitespace() => pending.clear(),
                c => return Ok(Some(c == Some('['))),
            },
            Err(e) if e.error_len().is_some() || pending.len() >= 4 => return Ok(Some(false)),
            Err(_) => {}
        }
    }
}

/// `--as-of`: a date, or today's local date when absent.
pub fn as_of(value: Option<&str>) -> Result<patron::model::Date, Failure> {
    match value {
        Some(text) => patron::model::parse_date(text)
            .map_err(|e| Failure::new(EXIT_INPUT, format!("--as-of: {e}"))),
        None => Ok(chrono::Local::now().date_naive()),
    }
}

#[cfg(test)]
mod tests {
    use super::starts_with_bracket;

    #[test]
    fn the_first_significant_character_decides() {
        let first = |text: &[u8]| starts_with_bracket(&mut &text[..]).unwrap();
        assert_eq!(first(b""), None);
        assert_eq!(first(b" \n\t"), None);
        assert_eq!(first(b"[{}]"), Some(true));
        assert_eq!(first(b" \r\n [ ]"), Some(true));
        assert_eq!(first("\u{3000}\u{a0}[".as_bytes()), Some(true));
        assert_eq!(first(b"{\"id\":\"a\"}\n[1]"), Some(false));
        assert_eq!(first("é[".as_bytes()), Some(false));
        assert_eq!(first(b"\xff["), Some(false));
    }
}
