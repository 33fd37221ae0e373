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
        EvalAltResult::ErrorDataTooLarge(what, _) => Some(data_too_large(what, limits)),
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

/// rhai's words for a data-size error (`what` is "Length of string", "Size of array/BLOB",
/// "Size of BLOB" or "Size of object map"), followed by the one limit that was passed and how
/// rhai counts against it: every string's bytes, nested arrays' items and nested maps' entries
/// included.
fn data_too_large(what: &str, limits: &super::Limits) -> String {
    let limit = match what {
        "Length of string" => format!(
            "more than {} bytes of strings in one value (limits.max_string_size)",
            limits.max_string_size
        ),
        "Size of array/BLOB" => format!(
            "more than {} items in one array, the items of arrays inside it included \
             (limits.max_array_size)",
            limits.max_array_size
        ),
        // A blob made too long at once (`blob(n)`): rhai holds blobs to the array limit.
        "Size of BLOB" => format!(
            "more than {} bytes in one BLOB (limits.max_array_size)",
            limits.max_array_size
        ),
        "Size of object map" => format!(
            "more than {} entries in one object map, the entries of maps inside it included \
             (limits.max_map_size)",
            limits.max_map_size
        ),
        _ => format!(
            "limits.max_string_size {} bytes, max_array_size {}, max_map_size {}",
            limits.max_string_size, limits.max_array_size, limits.max_map_size
        ),
    };
    format!("{what} too large: {limit}")
}

fn strip_position(message: &str) -> String {
    match message.rfind(" (line ") {
        Some(index) if message.ends_with(')') => message[..index].to_string(),
        _ => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_data_size_error_names_the_one_limit_it_passed() {
        let limits = super::super::Limits {
            max_string_size: 200,
            max_array_size: 20,
            max_map_size: 6,
            ..super::super::Limits::default()
        };
        for (what, names, not) in [
            ("Length of string", "200 bytes", "max_array_size"),
            ("Size of array/BLOB", "20 items", "max_string_size"),
            ("Size of object map", "6 entries", "max_array_size"),
            ("Size of BLOB", "20 bytes", "max_string_size"),
        ] {
            let error = EvalAltResult::ErrorDataTooLarge(what.into(), rhai::Position::NONE);
            let Error::Limit { message, .. } = from_rhai(error, "score.rhai", "score", &limits)
            else {
                panic!("{what}: not a limit error");
            };
            assert!(
                message.starts_with(&format!("{what} too large: more than {names}")),
                "{message}"
            );
            assert!(!message.contains(not), "{message}");
        }
    }
}
