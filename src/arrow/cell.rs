//! One value of an Arrow array, read as the JSON contract's types: strings, numbers, booleans,
//! dates, lists and structs, accepting the physical types Spark, Parquet, pandas and Polars
//! produce for each (e.g. a date as `date32`, `date64`, a timestamp or `YYYY-MM-DD` text).
//!
//! Every function takes the array and a row index and answers `Ok(None)` for a null, or an
//! error message saying what was expected and what type was found; the caller adds the
//! record and the field path.

use std::ops::Range;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Decimal256Type, Float32Type, Float64Type, Int16Type,
    Int32Type, Int64Type, Int8Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrowPrimitiveType, StructArray};
use arrow_schema::{DataType, TimeUnit};

use crate::model::{parse_date, Date};

/// What went wrong reading one value: a message without the field's name.
pub(super) type CellResult<T> = std::result::Result<Option<T>, String>;

/// Whether row `i` of `array` is null (a column of Arrow's `null` type is null everywhere).
pub(super) fn is_null(array: &dyn Array, i: usize) -> bool {
    array.is_null(i) || *array.data_type() == DataType::Null
}

fn wrong_type(expected: &str, array: &dyn Array) -> String {
    format!(
        "expected {expected}, found Arrow type {}",
        array.data_type()
    )
}

/// A string: `utf8`, `large_utf8`, `utf8_view`, or a dictionary of those (pandas' and
/// Polars' categoricals).
pub(super) fn string(array: &dyn Array, i: usize) -> CellResult<&str> {
    if is_null(array, i) {
        return Ok(None);
    }
    if let Some(a) = array.as_string_opt::<i32>() {
        Ok(Some(a.value(i)))
    } else if let Some(a) = array.as_string_opt::<i64>() {
        Ok(Some(a.value(i)))
    } else if let Some(a) = array.as_string_view_opt() {
        Ok(Some(a.value(i)))
    } else if let Some(a) = array.as_any_dictionary_opt() {
        let key = integer(a.keys(), i)?.unwrap_or_default();
        let values = a.values().as_ref();
        match usize::try_from(key) {
            Ok(key) if key < values.len() => string(values, key),
            _ => Err(format!("dictionary key {key} out of range")),
        }
    } else {
        Err(wrong_type("a string (utf8)", array))
    }
}

/// A boolean.
pub(super) fn boolean(array: &dyn Array, i: usize) -> CellResult<bool> {
    if is_null(array, i) {
        return Ok(None);
    }
    match array.as_boolean_opt() {
        Some(a) => Ok(Some(a.value(i))),
        None => Err(wrong_type("a boolean", array)),
    }
}

fn primitive<T: ArrowPrimitiveType>(array: &dyn Array, i: usize) -> Option<T::Native> {
    array.as_primitive_opt::<T>().map(|a| a.value(i))
}

/// A whole number: any signed or unsigned integer type (an unsigned one above `i64::MAX` is
/// refused).
pub(super) fn integer(array: &dyn Array, i: usize) -> CellResult<i64> {
    if is_null(array, i) {
        return Ok(None);
    }
    let value = match array.data_type() {
        DataType::Int8 => primitive::<Int8Type>(array, i).map(i64::from),
        DataType::Int16 => primitive::<Int16Type>(array, i).map(i64::from),
        DataType::Int32 => primitive::<Int32Type>(array, i).map(i64::from),
        DataType::Int64 => primitive::<Int64Type>(array, i),
        DataType::UInt8 => primitive::<UInt8Type>(array, i).map(i64::from),
        DataType::UInt16 => primitive::<UInt16Type>(array, i).map(i64::from),
        DataType::UInt32 => primitive::<UInt32Type>(array, i).map(i64::from),
        DataType::UInt64 => match primitive::<UInt64Type>(array, i) {
            Some(v) => Some(i64::try_from(v).map_err(|_| format!("{v} is too large"))?),
            None => None,
        },
        _ => None,
    };
    value
        .map(Some)
        .ok_or_else(|| wrong_type("an integer", array))
}

/// A number: any float, integer or decimal type (as `f64`; a `float32` widens exactly, so
/// `0.1f32` reads as `0.10000000149…`).
pub(super) fn number(array: &dyn Array, i: usize) -> CellResult<f64> {
    if is_null(array, i) {
        return Ok(None);
    }
    let value = match array.data_type() {
        DataType::Float64 => primitive::<Float64Type>(array, i),
        DataType::Float32 => primitive::<Float32Type>(array, i).map(f64::from),
        DataType::Decimal128(_, scale) => {
            primitive::<Decimal128Type>(array, i).map(|v| v as f64 / 10f64.powi(i32::from(*scale)))
        }
        DataType::Decimal256(_, scale) => primitive::<Decimal256Type>(array, i)
            .and_then(|v| v.to_string().parse::<f64>().ok())
            .map(|v| v / 10f64.powi(i32::from(*scale))),
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64 => integer(array, i)?.map(|v| v as f64),
        _ => None,
    };
    value.map(Some).ok_or_else(|| wrong_type("a number", array))
}

/// A calendar date: `date32`, `date64`, a timestamp (the date in the column's time zone, or
/// as written when it has none), or text as the JSON contract takes it (`YYYY-MM-DD` or an
/// RFC 3339 datetime).
pub(super) fn date(array: &dyn Array, i: usize) -> CellResult<Date> {
    if is_null(array, i) {
        return Ok(None);
    }
    let out_of_range = || "the date is outside the calendar".to_string();
    match array.data_type() {
        DataType::Date32 => {
            let days = primitive::<Date32Type>(array, i).unwrap_or_default();
            Date32Type::to_naive_date_opt(days)
                .map(Some)
                .ok_or_else(out_of_range)
        }
        DataType::Date64 => {
            let millis = primitive::<Date64Type>(array, i).unwrap_or_default();
            Date64Type::to_naive_date_opt(millis)
                .map(Some)
                .ok_or_else(out_of_range)
        }
        DataType::Timestamp(unit, tz) => {
            let date = match unit {
                TimeUnit::Second => timestamp_date::<TimestampSecondType>(array, i, tz)?,
                TimeUnit::Millisecond => timestamp_date::<TimestampMillisecondType>(array, i, tz)?,
                TimeUnit::Microsecond => timestamp_date::<TimestampMicrosecondType>(array, i, tz)?,
                TimeUnit::Nanosecond => timestamp_date::<TimestampNanosecondType>(array, i, tz)?,
            };
            date.map(Some).ok_or_else(out_of_range)
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Dictionary(..) => {
            match string(array, i)? {
                Some(text) => parse_date(text).map(Some),
                None => Ok(None),
            }
        }
        _ => Err(wrong_type(
            "a date (date32, date64, timestamp or utf8 `YYYY-MM-DD`)",
            array,
        )),
    }
}

fn timestamp_date<T: ArrowPrimitiveType<Native = i64>>(
    array: &dyn Array,
    i: usize,
    tz: &Option<std::sync::Arc<str>>,
) -> std::result::Result<Option<Date>, String> {
    let value = primitive::<T>(array, i).unwrap_or_default();
    match tz {
        None => Ok(arrow_array::temporal_conversions::as_datetime::<T>(value).map(|d| d.date())),
        Some(tz) => {
            let tz: arrow_array::timezone::Tz = tz
                .parse()
                .map_err(|e| format!("the column's time zone: {e}"))?;
            Ok(
                arrow_array::temporal_conversions::as_datetime_with_timezone::<T>(value, tz)
                    .map(|d| d.date_naive()),
            )
        }
    }
}

/// The elements of a list (`list`, `large_list` or `fixed_size_list`): the child array and the
/// range of its rows that belongs to row `i`.
pub(super) fn list(array: &dyn Array, i: usize) -> CellResult<(&dyn Array, Range<usize>)> {
    if is_null(array, i) {
        return Ok(None);
    }
    if let Some(a) = array.as_list_opt::<i32>() {
        let offsets = a.value_offsets();
        Ok(Some((
            a.values().as_ref(),
            offsets[i] as usize..offsets[i + 1] as usize,
        )))
    } else if let Some(a) = array.as_list_opt::<i64>() {
        let offsets = a.value_offsets();
        Ok(Some((
            a.values().as_ref(),
            offsets[i] as usize..offsets[i + 1] as usize,
        )))
    } else if let Some(a) = array.as_fixed_size_list_opt() {
        let size = a.value_length() as usize;
        Ok(Some((a.values().as_ref(), i * size..(i + 1) * size)))
    } else {
        Err(wrong_type("a list", array))
    }
}

/// The array as a struct array (the caller reads its fields row by row).
pub(super) fn structure(array: &dyn Array) -> std::result::Result<&StructArray, String> {
    array
        .as_struct_opt()
        .ok_or_else(|| wrong_type("a struct", array))
}

/// Any value as JSON, for free-form attributes: structs and maps become objects (a struct's
/// null fields are left out, as a JSON record leaves out what it does not have), lists
/// arrays, dates `YYYY-MM-DD` text, timestamps RFC 3339 text.
pub(super) fn json(array: &dyn Array, i: usize) -> std::result::Result<serde_json::Value, String> {
    use serde_json::Value;
    if is_null(array, i) {
        return Ok(Value::Null);
    }
    let value = match array.data_type() {
        DataType::Boolean => Value::Bool(boolean(array, i)?.unwrap_or_default()),
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32 => Value::from(integer(array, i)?.unwrap_or_default()),
        DataType::UInt64 => Value::from(primitive::<UInt64Type>(array, i).unwrap_or_default()),
        DataType::Float32
        | DataType::Float64
        | DataType::Decimal128(..)
        | DataType::Decimal256(..) => {
            let v = number(array, i)?.unwrap_or_default();
            serde_json::Number::from_f64(v)
                .map(Value::Number)
                .ok_or_else(|| format!("{v} is not a finite number"))?
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Dictionary(..) => {
            Value::String(string(array, i)?.unwrap_or_default().to_string())
        }
        DataType::Date32 | DataType::Date64 => {
            Value::String(date(array, i)?.map(|d| d.to_string()).unwrap_or_default())
        }
        DataType::Timestamp(unit, tz) => Value::String(timestamp_text(array, i, *unit, tz)?),
        DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(..) => {
            let (values, range) = list(array, i)?.unwrap_or((array, 0..0));
            Value::Array(
                range
                    .map(|j| json(values, j))
                    .collect::<std::result::Result<_, _>>()?,
            )
        }
        DataType::Struct(_) => {
            let s = structure(array)?;
            let mut object = serde_json::Map::new();
            for (field, column) in s.fields().iter().zip(s.columns()) {
                if !is_null(column.as_ref(), i) {
                    object.insert(field.name().clone(), json(column.as_ref(), i)?);
                }
            }
            Value::Object(object)
        }
        DataType::Map(..) => {
            let map = array.as_map();
            let offsets = map.value_offsets();
            let (keys, values) = (map.keys().as_ref(), map.values().as_ref());
            let mut object = serde_json::Map::new();
            for j in offsets[i] as usize..offsets[i + 1] as usize {
                let key = string(keys, j)
                    .map_err(|e| format!("a map key: {e}"))?
                    .unwrap_or_default();
                object.insert(key.to_string(), json(values, j)?);
            }
            Value::Object(object)
        }
        _ => return Err(wrong_type("a JSON-like value", array)),
    };
    Ok(value)
}

fn timestamp_text(
    array: &dyn Array,
    i: usize,
    unit: TimeUnit,
    tz: &Option<std::sync::Arc<str>>,
) -> std::result::Result<String, String> {
    fn text<T: ArrowPrimitiveType<Native = i64>>(
        array: &dyn Array,
        i: usize,
        tz: &Option<std::sync::Arc<str>>,
    ) -> std::result::Result<String, String> {
        use arrow_array::temporal_conversions::{as_datetime, as_datetime_with_timezone};
        let value = primitive::<T>(array, i).unwrap_or_default();
        let text = match tz {
            None => as_datetime::<T>(value).map(|d| d.format("%Y-%m-%dT%H:%M:%S%.f").to_string()),
            Some(tz) => {
                let tz: arrow_array::timezone::Tz = tz
                    .parse()
                    .map_err(|e| format!("the column's time zone: {e}"))?;
                as_datetime_with_timezone::<T>(value, tz).map(|d| d.to_rfc3339())
            }
        };
        text.ok_or_else(|| "the timestamp is outside the calendar".to_string())
    }
    match unit {
        TimeUnit::Second => text::<TimestampSecondType>(array, i, tz),
        TimeUnit::Millisecond => text::<TimestampMillisecondType>(array, i, tz),
        TimeUnit::Microsecond => text::<TimestampMicrosecondType>(array, i, tz),
        TimeUnit::Nanosecond => text::<TimestampNanosecondType>(array, i, tz),
    }
}
