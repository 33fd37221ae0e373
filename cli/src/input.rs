//! Reading command input: a file, or standard input for `-` or no file.

use std::io::Read;
use std::path::Path;

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

/// `--as-of`: a date, or today's local date when absent.
pub fn as_of(value: Option<&str>) -> Result<patron::model::Date, Failure> {
    match value {
        Some(text) => patron::model::parse_date(text)
            .map_err(|e| Failure::new(EXIT_INPUT, format!("--as-of: {e}"))),
        None => Ok(chrono::Local::now().date_naive()),
    }
}
