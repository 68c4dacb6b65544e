//! Shared fixtures for the format tests, and tests of the format choice.

use serde_json::json;

use super::{RecordError, UploadFormat, UploadRecord, read_records};
use crate::domain::kinds::{KindSettings, TaskKind};

pub(crate) type Item = Result<UploadRecord, RecordError>;

pub(crate) fn screening() -> KindSettings {
    KindSettings::parse(
        TaskKind::Screening,
        &json!({"inclusion_criteria": "Adults with asthma"}),
    )
    .expect("valid settings")
}

pub(crate) fn coding(multiple: bool) -> KindSettings {
    let codes = json!([
        {"code": "PAIN", "description": "Mentions pain"},
        {"code": "SLEEP", "description": "Mentions sleep"},
        {"code": "MOOD", "description": "Mentions mood"},
    ]);
    KindSettings::parse(
        TaskKind::Coding,
        &json!({"codes": codes, "multiple": multiple}),
    )
    .expect("valid settings")
}

pub(crate) fn observation() -> KindSettings {
    let fields = json!([
        {"name": "position", "label": "Position", "type": "choice", "required": true,
         "options": ["Lying", "Sitting"]},
        {"name": "temperature", "label": "Temperature", "type": "number", "min": 30, "max": 45},
    ]);
    KindSettings::parse(TaskKind::Observation, &json!({ "fields": fields }))
        .expect("valid settings")
}

/// Reads every item from `input`.
pub(crate) fn read(format: UploadFormat, settings: &KindSettings, input: &[u8]) -> Vec<Item> {
    read_records(format, settings, input).collect()
}

/// The `(line, field)` of every error, in order.
pub(crate) fn errors(items: &[Item]) -> Vec<(u64, String)> {
    items
        .iter()
        .filter_map(|item| item.as_ref().err())
        .map(|error| (error.line, error.field.clone()))
        .collect()
}

/// The successfully read records, in order.
pub(crate) fn records(items: &[Item]) -> Vec<&UploadRecord> {
    items.iter().filter_map(|item| item.as_ref().ok()).collect()
}

#[test]
fn formats_parse_from_names_extensions_and_content_types() {
    assert_eq!("json".parse(), Ok(UploadFormat::Json));
    assert_eq!("NDJSON".parse(), Ok(UploadFormat::Json));
    assert_eq!(".csv".parse(), Ok(UploadFormat::Csv));
    assert_eq!(" ris ".parse(), Ok(UploadFormat::Ris));
    assert_eq!(
        "xlsx".parse::<UploadFormat>().unwrap_err().to_string(),
        "unknown upload format \"xlsx\"; expected json, csv or ris"
    );
    assert_eq!(
        UploadFormat::from_content_type("text/csv; charset=utf-8"),
        Some(UploadFormat::Csv)
    );
    assert_eq!(
        UploadFormat::from_content_type("Application/JSON"),
        Some(UploadFormat::Json)
    );
    assert_eq!(
        UploadFormat::from_content_type("application/x-ndjson"),
        Some(UploadFormat::Json)
    );
    assert_eq!(
        UploadFormat::from_content_type("application/x-research-info-systems"),
        Some(UploadFormat::Ris)
    );
    assert_eq!(UploadFormat::from_content_type("text/plain"), None);
}

#[test]
fn record_errors_read_as_line_field_message() {
    assert_eq!(
        RecordError::new(7, "year", "is bad").to_string(),
        "line 7: year: is bad"
    );
    assert_eq!(
        RecordError::new(3, "", "is not JSON").to_string(),
        "line 3: is not JSON"
    );
    assert_eq!(
        RecordError::new(0, "", "wrong kind").to_string(),
        "wrong kind"
    );
}

#[test]
fn an_empty_upload_yields_nothing_in_any_format() {
    let settings = screening();
    for format in [UploadFormat::Json, UploadFormat::Ris] {
        assert!(read(format, &settings, b"").is_empty(), "{format:?}");
        assert!(read(format, &settings, b"\n  \n").is_empty(), "{format:?}");
    }
    assert!(read(UploadFormat::Csv, &settings, b"title,abstract\n").is_empty());
}
