//! Reads `task,worker,label` answer files and `task,label` truth files with
//! arbitrary string ids into the engine's numeric form.

use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use super::dawid_skene::Observation;
use super::error::ModelError;

/// Why an offline run failed. Line numbers are 1-based file lines.
#[derive(Debug)]
pub enum OfflineError {
    /// The file could not be opened or read.
    Io {
        /// Which file.
        source: String,
        /// The operating system's explanation.
        error: std::io::Error,
    },
    /// The CSV is malformed (e.g. a row with the wrong number of fields).
    Csv {
        /// Which file.
        source: String,
        /// Line of the offending record, when known.
        line: Option<u64>,
        /// The parser's explanation.
        message: String,
    },
    /// The header row lacks a required column.
    MissingColumn {
        /// Which file.
        source: String,
        /// The column that was expected.
        column: &'static str,
    },
    /// A required field is empty.
    EmptyField {
        /// Which file.
        source: String,
        /// Line of the offending record.
        line: u64,
        /// The empty column.
        column: &'static str,
    },
    /// More distinct tasks, workers or labels than the engine's id types hold.
    TooMany {
        /// What overflowed.
        what: &'static str,
    },
    /// A command-line option is out of range.
    InvalidOption(String),
    /// The model rejected the data.
    Model(ModelError),
}

impl fmt::Display for OfflineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io { source, error } => write!(f, "{source}: {error}"),
            Self::Csv {
                source,
                line: Some(line),
                message,
            } => write!(f, "{source}:{line}: {message}"),
            Self::Csv {
                source, message, ..
            } => write!(f, "{source}: {message}"),
            Self::MissingColumn { source, column } => {
                write!(f, "{source}: header has no '{column}' column")
            }
            Self::EmptyField {
                source,
                line,
                column,
            } => write!(f, "{source}:{line}: empty '{column}'"),
            Self::TooMany { what } => write!(f, "too many distinct {what}"),
            Self::InvalidOption(message) => write!(f, "{message}"),
            Self::Model(error) => write!(f, "model: {error}"),
        }
    }
}

impl std::error::Error for OfflineError {}

impl From<ModelError> for OfflineError {
    fn from(error: ModelError) -> Self {
        Self::Model(error)
    }
}

/// Maps strings to dense ids in first-appearance order.
#[derive(Debug, Clone, Default)]
pub struct Interner {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    fn intern(&mut self, name: &str, what: &'static str) -> Result<u32, OfflineError> {
        if let Some(&id) = self.ids.get(name) {
            return Ok(id);
        }
        let id = u32::try_from(self.names.len()).map_err(|_| OfflineError::TooMany { what })?;
        self.ids.insert(name.to_owned(), id);
        self.names.push(name.to_owned());
        Ok(id)
    }

    /// The name behind each id.
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// Answers (in file order) and optional truth, with string ids interned.
///
/// An empty label in the answers file is an "unsure" answer. Classes are the
/// distinct labels of both files, sorted, so class ids do not depend on row
/// order.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// Task names; task id = index.
    pub tasks: Interner,
    /// Worker names; worker id = index.
    pub workers: Interner,
    /// Class names, sorted; class id = index.
    pub classes: Vec<String>,
    /// Answers in file order.
    pub answers: Vec<Observation>,
    /// `(task, class)` pairs from the truth file.
    pub truth: Vec<(u32, u16)>,
}

impl Dataset {
    /// Reads the answers file and, if given, the truth file.
    pub fn from_paths(answers: &Path, truth: Option<&Path>) -> Result<Self, OfflineError> {
        let open = |path: &Path| {
            File::open(path).map_err(|error| OfflineError::Io {
                source: path.display().to_string(),
                error,
            })
        };
        let truth_file = truth.map(|p| open(p).map(|f| (p.display().to_string(), f)));
        let truth_file = truth_file.transpose()?;
        Self::from_readers((answers.display().to_string(), open(answers)?), truth_file)
    }

    /// Reads from any readers; each is paired with a name for error messages.
    pub fn from_readers<A: Read, T: Read>(
        answers: (String, A),
        truth: Option<(String, T)>,
    ) -> Result<Self, OfflineError> {
        let mut data = Self::default();
        let mut labels = Interner::default();
        let mut raw_answers = Vec::new();
        read_rows(
            &answers.0,
            answers.1,
            &["task", "worker", "label"],
            |line, f| {
                let task = data
                    .tasks
                    .intern(required(&answers.0, line, "task", f[0])?, "tasks")?;
                let worker = data
                    .workers
                    .intern(required(&answers.0, line, "worker", f[1])?, "workers")?;
                let label = match f[2] {
                    "" => None,
                    name => Some(labels.intern(name, "labels")?),
                };
                raw_answers.push((task, worker, label));
                Ok(())
            },
        )?;
        let mut raw_truth = Vec::new();
        if let Some((source, reader)) = truth {
            read_rows(&source, reader, &["task", "label"], |line, f| {
                let task = data
                    .tasks
                    .intern(required(&source, line, "task", f[0])?, "tasks")?;
                let label = labels.intern(required(&source, line, "label", f[1])?, "labels")?;
                raw_truth.push((task, label));
                Ok(())
            })?;
        }
        // Re-number classes in sorted order so ids are stable across files.
        let mut order: Vec<(String, u32)> = labels.names.iter().cloned().zip(0..).collect();
        order.sort();
        let mut remap = vec![0u16; order.len()];
        for (sorted, (_, original)) in order.iter().enumerate() {
            remap[*original as usize] =
                u16::try_from(sorted).map_err(|_| OfflineError::TooMany { what: "labels" })?;
        }
        data.classes = order.into_iter().map(|(name, _)| name).collect();
        data.answers = raw_answers
            .into_iter()
            .map(|(task, worker, label)| Observation {
                task,
                worker,
                label: label.map(|l| remap[l as usize]),
            })
            .collect();
        data.truth = raw_truth
            .into_iter()
            .map(|(task, label)| (task, remap[label as usize]))
            .collect();
        Ok(data)
    }
}

fn required<'a>(
    source: &str,
    line: u64,
    column: &'static str,
    value: &'a str,
) -> Result<&'a str, OfflineError> {
    if value.is_empty() {
        return Err(OfflineError::EmptyField {
            source: source.to_owned(),
            line,
            column,
        });
    }
    Ok(value)
}

/// Streams records, handing `row` the 1-based line and the requested columns
/// (found by header name, case-insensitively, in any order).
fn read_rows<R: Read>(
    source: &str,
    reader: R,
    columns: &[&'static str],
    mut row: impl FnMut(u64, &[&str]) -> Result<(), OfflineError>,
) -> Result<(), OfflineError> {
    let csv_error = |error: csv::Error| OfflineError::Csv {
        source: source.to_owned(),
        line: error.position().map(|p| p.line()),
        message: error.to_string(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(reader);
    let header = reader.headers().map_err(csv_error)?.clone();
    let mut index = Vec::with_capacity(columns.len());
    for &column in columns {
        let at = header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(column))
            .ok_or_else(|| OfflineError::MissingColumn {
                source: source.to_owned(),
                column,
            })?;
        index.push(at);
    }
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(csv_error)? {
        let line = record.position().map_or(0, |p| p.line());
        let fields: Vec<&str> = index.iter().map(|&i| record.get(i).unwrap_or("")).collect();
        row(line, &fields)?;
    }
    Ok(())
}
