//! How a kind's task content is laid out as a flat table (CSV upload).
//!
//! Kinds describe their columns as data so the CSV reader stays generic:
//! a new kind that wants CSV uploads declares a layout, nothing more.

use serde_json::Value;

/// One content column of an uploaded table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableColumn {
    /// Header name, lower case; also the content field it fills.
    pub name: &'static str,
    /// Whether the header must be present.
    pub required: bool,
    /// Whether a cell holds a `;`-separated list (e.g. authors) rather than
    /// one text value.
    pub list: bool,
}

impl TableColumn {
    /// A single-text column.
    pub const fn text(name: &'static str, required: bool) -> Self {
        Self {
            name,
            required,
            list: false,
        }
    }

    /// A `;`-separated list column.
    pub const fn list(name: &'static str) -> Self {
        Self {
            name,
            required: false,
            list: true,
        }
    }
}

/// The columns a kind accepts in a CSV upload, besides the shared `id` and
/// `gold_explanation` columns.
#[derive(Debug, Clone, Copy)]
pub struct TableLayout {
    /// Content columns, each filling the content field of the same name.
    pub columns: &'static [TableColumn],
    /// The column holding a gold answer in its short spreadsheet form.
    pub gold_column: &'static str,
    /// Turns a non-empty gold cell into the answer JSON that
    /// [`KindSettings::parse_answer`](super::KindSettings::parse_answer) expects.
    pub gold_answer: fn(&str) -> Value,
}

/// Splits a `;`-separated cell into trimmed, non-empty parts.
pub fn split_list(cell: &str) -> Vec<String> {
    cell.split(';')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(str::to_owned)
        .collect()
}
