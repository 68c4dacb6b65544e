//! Small helpers for reading loosely typed JSON into checked values.
//!
//! The kinds parse `serde_json::Value` by hand rather than through derived
//! `Deserialize` impls because serde's errors carry neither the path of the
//! field nor a message a researcher or nurse could act on. JSON `null` counts
//! as "absent" everywhere, since spreadsheets and phones produce it freely.

use serde_json::{Map, Value};

use super::error::{FieldError, index_path, join_path};

/// Returns `raw` as an object, rejecting keys not listed in `allowed` so that
/// a misspelt field (`abstarct`) is reported instead of silently dropped.
pub(crate) fn object<'a>(
    raw: &'a Value,
    path: &str,
    allowed: &[&str],
) -> Result<&'a Map<String, Value>, FieldError> {
    let map = raw
        .as_object()
        .ok_or_else(|| FieldError::new(path, "must be a JSON object"))?;
    if let Some(unknown) = map.keys().find(|key| !allowed.contains(&key.as_str())) {
        return Err(FieldError::new(
            join_path(path, unknown),
            format!(
                "is not a recognised field; expected one of: {}",
                allowed.join(", ")
            ),
        ));
    }
    Ok(map)
}

/// Looks up `key`, treating JSON `null` as absent.
pub(crate) fn get<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.get(key).filter(|value| !value.is_null())
}

/// Reads a text value at `path`: trimmed, at most `max_chars` characters.
/// Empty text counts as absent because blank spreadsheet cells are common.
pub(crate) fn text_at(
    value: &Value,
    path: &str,
    max_chars: usize,
) -> Result<Option<String>, FieldError> {
    let text = match value {
        Value::Null => return Ok(None),
        Value::String(text) => text.trim(),
        _ => return Err(FieldError::new(path, "must be text")),
    };
    if text.is_empty() {
        return Ok(None);
    }
    let length = text.chars().count();
    if length > max_chars {
        return Err(FieldError::new(
            path,
            format!("must be at most {max_chars} characters (this one has {length})"),
        ));
    }
    Ok(Some(text.to_owned()))
}

/// Reads optional text field `key` of the object at `path`.
pub(crate) fn opt_text(
    map: &Map<String, Value>,
    path: &str,
    key: &str,
    max_chars: usize,
) -> Result<Option<String>, FieldError> {
    match get(map, key) {
        None => Ok(None),
        Some(value) => text_at(value, &join_path(path, key), max_chars),
    }
}

/// Reads required text field `key` of the object at `path`.
pub(crate) fn req_text(
    map: &Map<String, Value>,
    path: &str,
    key: &str,
    max_chars: usize,
) -> Result<String, FieldError> {
    opt_text(map, path, key, max_chars)?
        .ok_or_else(|| FieldError::new(join_path(path, key), "is required"))
}

/// Reads optional boolean field `key` of the object at `path`.
pub(crate) fn opt_bool(
    map: &Map<String, Value>,
    path: &str,
    key: &str,
) -> Result<Option<bool>, FieldError> {
    match get(map, key) {
        None => Ok(None),
        Some(Value::Bool(flag)) => Ok(Some(*flag)),
        Some(_) => Err(FieldError::new(
            join_path(path, key),
            "must be true or false",
        )),
    }
}

/// Reads optional numeric field `key` of the object at `path`.
pub(crate) fn opt_number(
    map: &Map<String, Value>,
    path: &str,
    key: &str,
) -> Result<Option<f64>, FieldError> {
    match get(map, key) {
        None => Ok(None),
        Some(value) => value
            .as_f64()
            .map(Some)
            .ok_or_else(|| FieldError::new(join_path(path, key), "must be a number")),
    }
}

/// Reads optional array field `key` of the object at `path`.
pub(crate) fn opt_array<'a>(
    map: &'a Map<String, Value>,
    path: &str,
    key: &str,
) -> Result<Option<&'a Vec<Value>>, FieldError> {
    match get(map, key) {
        None => Ok(None),
        Some(Value::Array(items)) => Ok(Some(items)),
        Some(_) => Err(FieldError::new(join_path(path, key), "must be a list")),
    }
}

/// Reads a list of distinct, non-empty texts at `path` (each at most
/// `max_chars`), e.g. the options of a choice question. Duplicates are
/// compared case-insensitively because "Yes" and "yes" would look identical
/// to the person choosing.
pub(crate) fn distinct_texts(
    items: &[Value],
    path: &str,
    max_chars: usize,
) -> Result<Vec<String>, FieldError> {
    let mut texts: Vec<String> = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let item_path = index_path(path, index);
        let text = text_at(item, &item_path, max_chars)?
            .ok_or_else(|| FieldError::new(&item_path, "must not be empty"))?;
        if texts
            .iter()
            .any(|seen| seen.to_lowercase() == text.to_lowercase())
        {
            return Err(FieldError::new(
                item_path,
                format!("\"{text}\" appears more than once"),
            ));
        }
        texts.push(text);
    }
    Ok(texts)
}

/// Checks that a list has between `min` and `max` entries.
pub(crate) fn check_count(
    count: usize,
    path: &str,
    min: usize,
    max: usize,
) -> Result<(), FieldError> {
    if (min..=max).contains(&count) {
        Ok(())
    } else {
        Err(FieldError::new(
            path,
            format!("must have between {min} and {max} entries (this one has {count})"),
        ))
    }
}

/// Builds a JSON object from `(key, value)` pairs, leaving out absent values
/// so normalised content never carries `null` noise.
pub(crate) fn compact_object<I>(pairs: I) -> Value
where
    I: IntoIterator<Item = (&'static str, Option<Value>)>,
{
    let map: Map<String, Value> = pairs
        .into_iter()
        .filter_map(|(key, value)| value.map(|value| (key.to_owned(), value)))
        .collect();
    Value::Object(map)
}
