//! Builders for the answer-schema fields the phone renders.
//!
//! Every kind describes its answer with the same few field types so the
//! phone needs a single renderer; see
//! [`KindSettings::answer_schema`](super::KindSettings::answer_schema).

use serde_json::{Value, json};

/// A choice option shown to the person answering.
pub(crate) fn option(value: &str, label: &str) -> Value {
    json!({ "value": value, "label": label })
}

/// A single-choice field whose answer is one option value.
pub(crate) fn choice(name: &str, label: &str, options: Vec<Value>) -> Value {
    json!({
        "name": name,
        "type": "choice",
        "label": label,
        "required": true,
        "options": options,
    })
}

/// A multi-choice field whose answer is a list of option values.
pub(crate) fn multi_choice(name: &str, label: &str, options: Vec<Value>, max: usize) -> Value {
    json!({
        "name": name,
        "type": "multi_choice",
        "label": label,
        "required": true,
        "options": options,
        "min_selected": 1,
        "max_selected": max,
    })
}

/// An optional free-text field such as a reason or note.
pub(crate) fn optional_text(name: &str, label: &str, max_length: usize) -> Value {
    json!({
        "name": name,
        "type": "short_text",
        "label": label,
        "required": false,
        "max_length": max_length,
    })
}
