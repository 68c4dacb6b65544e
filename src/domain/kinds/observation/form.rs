//! Observation forms: the fields staff fill in, and the check that a logged
//! observation fits its form.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::domain::kinds::FieldError;
use crate::domain::kinds::error::index_path;
use crate::domain::kinds::json::{
    check_count, distinct_texts, get, object, opt_array, opt_bool, opt_number, opt_text, req_text,
};

/// Most fields a form may have.
pub const MAX_FIELDS: usize = 50;
/// Most options a choice field may have.
pub const MAX_OPTIONS: usize = 50;
/// Longest allowed `max_length` of a short-text field, in characters.
pub const MAX_SHORT_TEXT: usize = 500;
/// Longest field name, in characters.
pub const MAX_FIELD_NAME: usize = 64;
/// Longest label or option, in characters.
pub const MAX_LABEL: usize = 200;
/// Longest unit, in characters.
pub const MAX_UNIT: usize = 20;

/// An observation form: what staff record each time they log one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormDefinition {
    /// The fields, in the order the phone shows them.
    pub fields: Vec<FormField>,
}

/// One field of an observation form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormField {
    /// Machine name, the key of the value in an observation: lower-case
    /// letters, digits and `_`, starting with a letter.
    pub name: String,
    /// What the phone shows next to the input.
    pub label: String,
    /// Whether an observation must have a value for this field.
    pub required: bool,
    /// The field's type and its type-specific settings.
    #[serde(flatten)]
    pub input: FieldInput,
}

/// A form field's type, serialised as `"type": "choice"` and so on, with its
/// settings alongside.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldInput {
    /// Pick one of `options`; the value is the option text.
    Choice {
        /// The options, 2 to 50, distinct.
        options: Vec<String>,
    },
    /// Pick any of `options`; the value is a list of option texts.
    MultiChoice {
        /// The options, 2 to 50, distinct.
        options: Vec<String>,
    },
    /// A number, optionally bounded, with an optional unit such as `mmHg`.
    Number {
        /// Smallest accepted value, inclusive.
        #[serde(skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        /// Largest accepted value, inclusive.
        #[serde(skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
        /// Unit shown after the input.
        #[serde(skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
    },
    /// Yes or no; the value is `true` or `false`.
    YesNo,
    /// A short free-text value.
    ShortText {
        /// Longest value, in characters; at most 500, defaulting to 500.
        max_length: usize,
    },
    /// A time of day as `HH:MM`, 24-hour clock.
    Time,
}

impl FormDefinition {
    /// Validates a form definition submitted by a researcher.
    pub fn parse(raw: &Value) -> Result<Self, FieldError> {
        let map = object(raw, "", &["fields"])?;
        let items = opt_array(map, "", "fields")?
            .ok_or_else(|| FieldError::new("fields", "is required"))?;
        check_count(items.len(), "fields", 1, MAX_FIELDS)?;
        let mut fields: Vec<FormField> = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let path = index_path("fields", index);
            let field = parse_field(item, &path)?;
            if fields.iter().any(|seen| seen.name == field.name) {
                return Err(FieldError::new(
                    format!("{path}.name"),
                    format!("\"{}\" is used by another field", field.name),
                ));
            }
            fields.push(field);
        }
        Ok(Self { fields })
    }
}

fn parse_field(raw: &Value, path: &str) -> Result<FormField, FieldError> {
    let kind = raw.get("type").and_then(Value::as_str).unwrap_or_default();
    let type_keys: &[&str] = match kind {
        "choice" | "multi_choice" => &["options"],
        "number" => &["min", "max", "unit"],
        "short_text" => &["max_length"],
        "yes_no" | "time" => &[],
        _ => {
            return Err(FieldError::new(
                format!("{path}.type"),
                "must be one of: choice, multi_choice, number, yes_no, short_text, time",
            ));
        }
    };
    let mut allowed = vec!["name", "label", "type", "required"];
    allowed.extend_from_slice(type_keys);
    let map = object(raw, path, &allowed)?;
    let name = req_text(map, path, "name", MAX_FIELD_NAME)?;
    let well_formed = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !well_formed {
        return Err(FieldError::new(
            format!("{path}.name"),
            "must start with a lower-case letter and use only a-z, 0-9 and _",
        ));
    }
    let input = match kind {
        "choice" => FieldInput::Choice {
            options: parse_options(map, path)?,
        },
        "multi_choice" => FieldInput::MultiChoice {
            options: parse_options(map, path)?,
        },
        "number" => parse_number(map, path)?,
        "short_text" => FieldInput::ShortText {
            max_length: parse_max_length(map, path)?,
        },
        "yes_no" => FieldInput::YesNo,
        _ => FieldInput::Time,
    };
    Ok(FormField {
        name,
        label: req_text(map, path, "label", MAX_LABEL)?,
        required: opt_bool(map, path, "required")?.unwrap_or(false),
        input,
    })
}

fn parse_options(map: &Map<String, Value>, path: &str) -> Result<Vec<String>, FieldError> {
    let options_path = format!("{path}.options");
    let items = opt_array(map, path, "options")?
        .ok_or_else(|| FieldError::new(&options_path, "is required"))?;
    check_count(items.len(), &options_path, 2, MAX_OPTIONS)?;
    distinct_texts(items, &options_path, MAX_LABEL)
}

fn parse_number(map: &Map<String, Value>, path: &str) -> Result<FieldInput, FieldError> {
    let min = opt_number(map, path, "min")?;
    let max = opt_number(map, path, "max")?;
    if let (Some(low), Some(high)) = (min, max)
        && low > high
    {
        return Err(FieldError::new(
            format!("{path}.max"),
            "must not be less than min",
        ));
    }
    Ok(FieldInput::Number {
        min,
        max,
        unit: opt_text(map, path, "unit", MAX_UNIT)?,
    })
}

fn parse_max_length(map: &Map<String, Value>, path: &str) -> Result<usize, FieldError> {
    let Some(raw) = get(map, "max_length") else {
        return Ok(MAX_SHORT_TEXT);
    };
    raw.as_u64()
        .and_then(|length| usize::try_from(length).ok())
        .filter(|length| (1..=MAX_SHORT_TEXT).contains(length))
        .ok_or_else(|| {
            FieldError::new(
                format!("{path}.max_length"),
                format!("must be a whole number from 1 to {MAX_SHORT_TEXT}"),
            )
        })
}
