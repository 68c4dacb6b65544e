//! Streaming upload parsers: turn an uploaded JSON, CSV or RIS file into
//! validated task records, one at a time, with line numbers for every error.
//!
//! Memory stays bounded whatever the file size: readers hold one record at a
//! time, and any single line or record larger than [`MAX_RECORD_BYTES`] is
//! reported as an error instead of being buffered.

mod csv;
pub mod duplicates;
mod json;
mod json_array;
mod record;
mod ris;
mod source;

use std::fmt;
use std::io::BufRead;
use std::str::FromStr;

use serde::Serialize;
use serde_json::Value;

use crate::domain::kinds::KindSettings;

pub use duplicates::{Duplicate, DuplicateFinder, DuplicateReason};

/// Largest single record (or physical line) accepted, in bytes.
pub const MAX_RECORD_BYTES: usize = 1 << 20;
/// Longest external id, in characters.
pub const MAX_EXTERNAL_ID: usize = 200;
/// Longest gold explanation, in characters.
pub const MAX_EXPLANATION: usize = 2_000;

/// The file formats a batch can be uploaded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UploadFormat {
    /// JSON Lines (one object per line) or a JSON array of objects.
    Json,
    /// Comma-separated values with a header row.
    Csv,
    /// RIS, as exported by EndNote, Zotero, Mendeley and bibliographic
    /// databases; screening batches only.
    Ris,
}

impl UploadFormat {
    /// Picks the format from an HTTP `Content-Type`, ignoring parameters such
    /// as `charset`. Returns `None` for types that do not say (`text/plain`,
    /// `application/octet-stream`); callers should then ask for `format`.
    pub fn from_content_type(content_type: &str) -> Option<Self> {
        let media = content_type.split(';').next().unwrap_or_default();
        match media.trim().to_ascii_lowercase().as_str() {
            "application/json"
            | "application/x-ndjson"
            | "application/ndjson"
            | "application/jsonl"
            | "application/x-jsonlines"
            | "application/jsonlines" => Some(Self::Json),
            "text/csv" | "application/csv" => Some(Self::Csv),
            "application/x-research-info-systems" => Some(Self::Ris),
            _ => None,
        }
    }
}

/// The error for a `format` value that names no supported format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown upload format \"{0}\"; expected json, csv or ris")]
pub struct UnknownFormat(pub String);

impl FromStr for UploadFormat {
    type Err = UnknownFormat;

    /// Parses a `format` value or file extension: `json`, `jsonl`, `ndjson`,
    /// `csv`, `ris` (any case, with or without a leading dot).
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let name = raw.trim().trim_start_matches('.').to_ascii_lowercase();
        match name.as_str() {
            "json" | "jsonl" | "ndjson" | "jsonlines" | "json_lines" => Ok(Self::Json),
            "csv" => Ok(Self::Csv),
            "ris" => Ok(Self::Ris),
            _ => Err(UnknownFormat(raw.to_owned())),
        }
    }
}

/// One task read from an upload, already validated against the batch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UploadRecord {
    /// Line in the file where the record starts (1-based).
    pub line: u64,
    /// The researcher's own id for the task, if given (`id`).
    pub external_id: Option<String>,
    /// Normalised task content, as returned by
    /// [`KindSettings::parse_content`].
    pub content: Value,
    /// The correct answer, if this is a gold task.
    pub gold: Option<Gold>,
}

/// The known correct answer of a gold task, used to check contributors.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gold {
    /// Normalised answer, as returned by [`KindSettings::parse_answer`];
    /// never "unsure".
    pub answer: Value,
    /// Shown to contributors after they answer, so they learn from it.
    pub explanation: String,
}

/// A problem with one record of an upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct RecordError {
    /// Line where the record starts; 1 for header problems, 0 when the
    /// upload as a whole is unusable (e.g. RIS for a coding batch).
    pub line: u64,
    /// The field or column at fault, e.g. `year` or `gold_answer.decision`;
    /// empty when the record as a whole is malformed.
    pub field: String,
    /// What is wrong, in plain English.
    pub message: String,
}

impl RecordError {
    /// Builds an error at `line` for `field`.
    pub fn new(line: u64, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            line,
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.field.is_empty()) {
            (0, true) => write!(f, "{}", self.message),
            (0, false) => write!(f, "{}: {}", self.field, self.message),
            (line, true) => write!(f, "line {line}: {}", self.message),
            (line, false) => write!(f, "line {line}: {}: {}", self.field, self.message),
        }
    }
}

/// Reads validated records from `reader`, one at a time.
///
/// Each item is either a record whose content and gold answer passed the
/// batch's validation, or an error with its line and field. Errors in one
/// record do not stop the others, so an uploader can see every problem at
/// once; only unreadable input (an I/O error, broken JSON array structure, a
/// bad CSV header) ends the iteration after its error.
pub fn read_records<'a, R: BufRead + 'a>(
    format: UploadFormat,
    settings: &'a KindSettings,
    reader: R,
) -> Records<'a, R> {
    let inner = match format {
        UploadFormat::Json => Inner::Json(json::JsonRecords::new(settings, reader)),
        UploadFormat::Csv => Inner::Csv(csv::CsvRecords::new(settings, reader)),
        UploadFormat::Ris => ris::RisRecords::new(settings, reader)
            .map(Inner::Ris)
            .unwrap_or_else(|error| Inner::Failed(Some(error))),
    };
    Records { inner }
}

/// The iterator returned by [`read_records`].
pub struct Records<'a, R: BufRead> {
    inner: Inner<'a, R>,
}

enum Inner<'a, R: BufRead> {
    Json(json::JsonRecords<'a, R>),
    Csv(csv::CsvRecords<'a, R>),
    Ris(ris::RisRecords<'a, R>),
    Failed(Option<RecordError>),
}

impl<R: BufRead> Iterator for Records<'_, R> {
    type Item = Result<UploadRecord, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.inner {
            Inner::Json(records) => records.next(),
            Inner::Csv(records) => records.next(),
            Inner::Ris(records) => records.next(),
            Inner::Failed(error) => error.take().map(Err),
        }
    }
}

#[cfg(test)]
mod tests;
