//! The one error type every kind uses to say what is wrong with a value.

use serde::Serialize;

/// A problem with one field of a submitted value, phrased for the person who
/// submitted it.
///
/// `field` is a path relative to the value that was parsed, written the way
/// people read it: `codes[1]`, `fields[0].options`, `decision`. An empty path
/// means the value as a whole. Callers that nest the value inside something
/// bigger add their own prefix with [`FieldError::within`], so an answer's
/// error can be shown as `answer.codes[1]` and a gold answer's as
/// `gold_answer.codes[1]` without the kinds knowing where they were called from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}", self.describe())]
pub struct FieldError {
    /// Path of the offending field, e.g. `codes[1]`; empty for the whole value.
    pub field: String,
    /// What is wrong, in plain English, e.g. `must be one of: include, exclude, unsure`.
    pub message: String,
}

impl FieldError {
    /// Builds an error for `field` with a plain-English `message`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Prefixes the path with `prefix`, e.g. `codes[1]` within `answer`
    /// becomes `answer.codes[1]`, and an empty path becomes `answer`.
    #[must_use]
    pub fn within(mut self, prefix: &str) -> Self {
        self.field = join_path(prefix, &self.field);
        self
    }

    fn describe(&self) -> String {
        if self.field.is_empty() {
            self.message.clone()
        } else {
            format!("{}: {}", self.field, self.message)
        }
    }
}

/// Joins two path fragments: `join_path("a", "b")` is `a.b`,
/// `join_path("a", "[2]")` is `a[2]`, and empty parts vanish.
pub(crate) fn join_path(prefix: &str, rest: &str) -> String {
    match (prefix.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) if rest.starts_with('[') => format!("{prefix}{rest}"),
        (false, false) => format!("{prefix}.{rest}"),
    }
}

/// Path of element `index` of the array at `path`, e.g. `codes[3]`.
pub(crate) fn index_path(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}
