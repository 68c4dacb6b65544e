//! Checking a logged observation against its form.

use serde_json::{Map, Value};

use super::form::{FieldInput, FormDefinition, FormField, MAX_LABEL};
use crate::domain::kinds::FieldError;
use crate::domain::kinds::error::index_path;
use crate::domain::kinds::json::{get, text_at};

/// Checks a logged observation against its form and returns it normalised:
/// an object keyed by field name, holding only the fields that have values.
///
/// Every problem is reported, not just the first, so a phone can mark all
/// the wrong inputs at once: one error per offending field, in form order,
/// then one per key the form does not have. Paths name the form field, e.g.
/// `temperature` or `symptoms[1]`. The list is never empty on `Err`.
pub fn validate_observation(form: &FormDefinition, raw: &Value) -> Result<Value, Vec<FieldError>> {
    let map = raw
        .as_object()
        .ok_or_else(|| vec![FieldError::new("", "must be a JSON object")])?;
    let mut errors = Vec::new();
    let mut values = Map::new();
    for field in &form.fields {
        let value = match get(map, &field.name).map(|raw| check_value(field, raw)) {
            Some(Ok(value)) => value,
            Some(Err(error)) => {
                errors.push(error);
                continue;
            }
            None => None,
        };
        match value {
            Some(value) => {
                values.insert(field.name.clone(), value);
            }
            None if field.required => errors.push(FieldError::new(&field.name, "is required")),
            None => {}
        }
    }
    errors.extend(
        map.keys()
            .filter(|key| !form.fields.iter().any(|field| &field.name == *key))
            .map(|unknown| FieldError::new(unknown, "is not a field of this form")),
    );
    if errors.is_empty() {
        Ok(Value::Object(values))
    } else {
        Err(errors)
    }
}

/// Validates one value; `None` means "no value" (blank text, empty list).
fn check_value(field: &FormField, raw: &Value) -> Result<Option<Value>, FieldError> {
    let path = field.name.as_str();
    match &field.input {
        FieldInput::Choice { options } => {
            let text = text_at(raw, path, MAX_LABEL)?;
            text.map(|text| match_option(options, &text, path).map(Value::from))
                .transpose()
        }
        FieldInput::MultiChoice { options } => {
            let items = raw
                .as_array()
                .ok_or_else(|| FieldError::new(path, "must be a list of options"))?;
            let mut picked = vec![false; options.len()];
            for (index, item) in items.iter().enumerate() {
                let item_path = index_path(path, index);
                let text = text_at(item, &item_path, MAX_LABEL)?
                    .ok_or_else(|| FieldError::new(&item_path, "must not be empty"))?;
                let chosen = match_option(options, &text, &item_path)?;
                let position = options.iter().position(|option| *option == chosen);
                if let Some(position) = position
                    && std::mem::replace(&mut picked[position], true)
                {
                    return Err(FieldError::new(
                        item_path,
                        format!("\"{text}\" is given twice"),
                    ));
                }
            }
            let chosen: Vec<Value> = options
                .iter()
                .zip(&picked)
                .filter(|(_, picked)| **picked)
                .map(|(option, _)| Value::from(option.clone()))
                .collect();
            Ok((!chosen.is_empty()).then_some(Value::Array(chosen)))
        }
        FieldInput::Number { min, max, unit } => {
            let number = raw
                .as_f64()
                .filter(|number| number.is_finite())
                .ok_or_else(|| FieldError::new(path, "must be a number"))?;
            let unit = unit
                .as_deref()
                .map(|unit| format!(" {unit}"))
                .unwrap_or_default();
            if let Some(min) = min.filter(|min| number < *min) {
                return Err(FieldError::new(
                    path,
                    format!("must be at least {min}{unit}"),
                ));
            }
            if let Some(max) = max.filter(|max| number > *max) {
                return Err(FieldError::new(
                    path,
                    format!("must be at most {max}{unit}"),
                ));
            }
            Ok(Some(raw.clone()))
        }
        FieldInput::YesNo => match raw {
            Value::Bool(flag) => Ok(Some(Value::Bool(*flag))),
            _ => Err(FieldError::new(path, "must be true (yes) or false (no)")),
        },
        FieldInput::ShortText { max_length } => {
            Ok(text_at(raw, path, *max_length)?.map(Value::from))
        }
        FieldInput::Time => {
            let text = text_at(raw, path, 5)?;
            match text {
                Some(text) if is_time(&text) => Ok(Some(Value::from(text))),
                Some(_) => Err(FieldError::new(
                    path,
                    "must be a time as HH:MM, such as 07:45",
                )),
                None => Ok(None),
            }
        }
    }
}

/// Finds `text` among `options`, ignoring case, and returns the option's own
/// spelling so stored observations are consistent.
fn match_option(options: &[String], text: &str, path: &str) -> Result<String, FieldError> {
    let wanted = text.to_lowercase();
    options
        .iter()
        .find(|option| option.to_lowercase() == wanted)
        .cloned()
        .ok_or_else(|| {
            FieldError::new(
                path,
                format!("\"{text}\" is not one of: {}", options.join(", ")),
            )
        })
}

/// Whether `text` is a 24-hour `HH:MM` time.
fn is_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() != 5 || bytes[2] != b':' {
        return false;
    }
    let number = |digits: &[u8]| -> Option<u8> {
        digits.iter().try_fold(0u8, |acc, digit| {
            digit.is_ascii_digit().then(|| acc * 10 + (digit - b'0'))
        })
    };
    matches!((number(&bytes[..2]), number(&bytes[3..])), (Some(hours), Some(minutes)) if hours < 24 && minutes < 60)
}
