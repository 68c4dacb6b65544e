//! RIS tag lines and the tagged fields of one record.

use serde_json::Value;

use crate::domain::ingest::{MAX_RECORD_BYTES, RecordError};
use crate::domain::kinds::screening::ris_record::is_ris_tag;

/// Tags from the RIS specification. The strict `XX  - ` form is accepted for
/// any tag; the sloppier one-space form only for these, so a wrapped
/// abstract line such as `UK - based trials ...` is not mistaken for a tag.
const KNOWN_TAGS: &[&str] = &[
    "TY", "ER", "A1", "A2", "A3", "A4", "AB", "AD", "AN", "AU", "AV", "BT", "C1", "C2", "C3", "C4",
    "C5", "C6", "C7", "C8", "CA", "CN", "CP", "CT", "CY", "DA", "DB", "DO", "DP", "ED", "EP", "ET",
    "ID", "IS", "J1", "J2", "JA", "JF", "JO", "KW", "L1", "L2", "L3", "L4", "LA", "LB", "LK", "M1",
    "M2", "M3", "N1", "N2", "NV", "OP", "PB", "PP", "PY", "RI", "RN", "RP", "SE", "SN", "SP", "ST",
    "T1", "T2", "T3", "TA", "TI", "TT", "U1", "U2", "U3", "U4", "U5", "UR", "VL", "VO", "Y1", "Y2",
];

/// Splits `XX  - value` into its tag and trimmed value, or returns `None`
/// for an untagged (continuation) line. `line` has no trailing whitespace.
pub(super) fn split_tag(line: &str) -> Option<(&str, &str)> {
    if line.len() < 4 || !line.get(..2).is_some_and(is_ris_tag) {
        return None;
    }
    let (tag, rest) = line.split_at(2);
    let after_spaces = rest.trim_start_matches(' ');
    let spaces = rest.len() - after_spaces.len();
    let value = after_spaces.strip_prefix('-')?;
    let well_formed = match spaces {
        2 => true,
        1 => KNOWN_TAGS.contains(&tag),
        _ => false,
    };
    if !well_formed || !(value.is_empty() || value.starts_with(char::is_whitespace)) {
        return None;
    }
    Some((tag, value.trim()))
}

/// Names the RIS tags behind a content field, appended to error messages so
/// researchers know what to fix in their reference manager.
pub(super) fn tag_hint(field: &str) -> &'static str {
    match field.split(['.', '[']).next().unwrap_or_default() {
        "title" => " (RIS tag TI or T1)",
        "abstract" => " (RIS tag AB or N2)",
        "authors" => " (RIS tag AU or A1)",
        "journal" => " (RIS tag JF, T2, JO or JA)",
        "year" => " (RIS tag PY or Y1)",
        "doi" => " (RIS tag DO)",
        "pmid" => " (RIS tag AN)",
        "id" => " (RIS tag ID)",
        _ => "",
    }
}

/// The tagged fields of one record, as read so far.
pub(super) struct Entry {
    /// Line of the record's `TY`.
    pub(super) line: u64,
    fields: Vec<(String, String)>,
    size: usize,
    /// The first problem found while reading; the record is reported with it
    /// once its `ER` arrives, and further lines are not kept.
    pub(super) error: Option<RecordError>,
}

impl Entry {
    pub(super) fn new(line: u64) -> Self {
        Self {
            line,
            fields: Vec::new(),
            size: 0,
            error: None,
        }
    }

    /// Adds a tagged value.
    pub(super) fn push(&mut self, tag: &str, value: &str, line: u64, overflow: bool) {
        if self.accept(value.len(), line, overflow) {
            self.fields.push((tag.to_owned(), value.to_owned()));
        }
    }

    /// Appends an untagged line to the previous tag's value.
    pub(super) fn continue_with(&mut self, text: &str, line: u64, overflow: bool) {
        if text.is_empty() || !self.accept(text.len() + 1, line, overflow) {
            return;
        }
        if let Some((_, value)) = self.fields.last_mut() {
            if !value.is_empty() {
                value.push(' ');
            }
            value.push_str(text);
        }
    }

    /// Keeps the record within [`MAX_RECORD_BYTES`]; past that it only
    /// remembers the error, so a corrupt file cannot exhaust memory.
    fn accept(&mut self, added: usize, line: u64, overflow: bool) -> bool {
        if self.error.is_some() {
            return false;
        }
        self.size += added;
        if overflow || self.size > MAX_RECORD_BYTES {
            self.error = Some(RecordError::new(
                self.line,
                "",
                format!(
                    "this record is larger than the limit of {MAX_RECORD_BYTES} bytes (at line {line})"
                ),
            ));
            self.fields = Vec::new();
            return false;
        }
        true
    }

    /// The first non-empty value among `tags`, trying tags in the given order.
    pub(super) fn first(&self, tags: &[&str]) -> Option<&str> {
        tags.iter().find_map(|wanted| {
            self.fields
                .iter()
                .find(|(tag, value)| tag == wanted && !value.is_empty())
                .map(|(_, value)| value.as_str())
        })
    }

    /// Every tag with a value, in file order, as the `ris` content field
    /// keeps them: `[["TY", "JOUR"], ["TI", "..."], ...]`.
    pub(super) fn original(&self) -> Value {
        self.fields
            .iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(tag, value)| Value::from(vec![tag.as_str(), value.as_str()]))
            .collect()
    }

    /// Every non-empty value with one of `tags`, in file order.
    pub(super) fn all<'a>(&'a self, tags: &'a [&'a str]) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |(tag, value)| tags.contains(&tag.as_str()) && !value.is_empty())
            .map(|(_, value)| value.as_str())
    }
}
