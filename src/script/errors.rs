//! Turning rhai's runtime errors into patron errors: limits become [`Error::Limit`], the rest
//! [`Error::Script`], each naming the script, the function and the line.

use rhai::EvalAltResult;

use crate::error::{Error, RecordRef, SourceLocation};

/// Maps a rhai error raised while `entry_function` of `file` ran.
pub(crate) fn from_rhai(
    error: EvalAltResult,
    file: &str,
    entry_function: &str,
    limits: &super::Limits,
) -> Error {
    // Unwrap "error in function call" layers down to the real error, keeping the innermost
    // script function as the one that failed.
    let mut function = entry_function.to_string();
    let mut current = error;
    loop {
        match current {
            EvalAltResult::ErrorInFunctionCall(name, _source, inner, _pos) => {
                if !name.starts_with('$') {
                    function = name;
                }
                current = *inner;
            }
            other => {
                current = other;
                break;
            }
        }
    }
    let pos = current.position();
    let location = SourceLocation {
        file: file.to_string(),
        line: pos.line().unwrap_or(0),
        column: pos.position().unwrap_or(0),
    };
    let limit = match &current {
        EvalAltResult::ErrorTooManyOperations(_) => Some(format!(
            "more than {} operations (limits.max_operations)",
            limits.max_operations
        )),
        EvalAltResult::ErrorStackOverflow(_) => Some(format!(
            "calls nested deeper than {} levels (limits.max_call_levels)",
            limits.max_call_levels
        )),
        EvalAltResult::ErrorDataTooLarge(what, _) => Some(format!(
            "{what} too large (limits.max_string_size {} bytes, max_array_size {}, max_map_size {})",
            limits.max_string_size, limits.max_array_size, limits.max_map_size
        )),
        EvalAltResult::ErrorTerminated(_, _) => Some(format!(
            "the evaluation ran longer than its {} ms time budget (limits.time_budget_ms)",
            limits.time_budget_ms
        )),
        _ => None,
    };
    match limit {
        Some(message) => Error::Limit {
            record: RecordRef::default(),
            function,
            location,
            message,
        },
        None => Error::Script {
            record: RecordRef::default(),
            function,
            location,
            message: strip_position(&current.to_string()),
        },
    }
}

fn strip_position(message: &str) -> String {
    match message.rfind(" (line ") {
        Some(index) if message.ends_with(')') => message[..index].to_string(),
        _ => message.to_string(),
    }
}
