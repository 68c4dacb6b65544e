//! CSV uploads: a header row naming the columns, then one task per row.
//!
//! Columns come from the kind's [`TableLayout`] plus the shared `id` and
//! `gold_explanation`. Header names are matched ignoring case and
//! surrounding spaces. Quoting follows RFC 4180, so cells may hold commas
//! and line breaks; each record's line is the physical line it starts on.
//! Cells that are not valid UTF-8 are read as Windows-1252, which is what
//! Excel on Windows writes by default.

use std::collections::VecDeque;
use std::io::{self, Read};

use ::csv::{ByteRecord, Reader, ReaderBuilder, Terminator};
use serde_json::{Map, Value};

use super::record::{Draft, GOLD_EXPLANATION, GoldSource, ID};
use super::source::decode;
use super::{MAX_RECORD_BYTES, RecordError, UploadRecord};
use crate::domain::kinds::{KindSettings, TableColumn, TableLayout, split_list};

/// What a CSV column feeds.
#[derive(Clone, Copy)]
enum Slot {
    Content(TableColumn),
    Id,
    Gold,
    Explanation,
    /// A column with a blank header; tolerated while its cells are blank,
    /// because spreadsheets often export trailing empty columns.
    Unnamed,
}

/// Reads records from a CSV upload.
pub(crate) struct CsvRecords<'a, R> {
    settings: &'a KindSettings,
    layout: Option<TableLayout>,
    reader: Option<Reader<Capped<R>>>,
    slots: Option<Vec<Slot>>,
    pending: VecDeque<RecordError>,
    record: ByteRecord,
}

impl<'a, R: Read> CsvRecords<'a, R> {
    pub(crate) fn new(settings: &'a KindSettings, reader: R) -> Self {
        let layout = settings.table_layout();
        let mut pending = VecDeque::new();
        if layout.is_none() {
            pending.push_back(RecordError::new(
                0,
                "",
                format!(
                    "CSV upload is not available for {} batches; upload JSON instead",
                    settings.kind()
                ),
            ));
        }
        let reader = layout.map(|_| {
            // Records end at `\n` alone: with the default CRLF handling the
            // csv crate reports the line *before* a record that follows a
            // `\r\n`, and the stray `\r` is trimmed from cells anyway. Column
            // counts are checked here so blank `\r` lines can be skipped.
            ReaderBuilder::new()
                .has_headers(true)
                .flexible(true)
                .terminator(Terminator::Any(b'\n'))
                .from_reader(Capped::new(reader))
        });
        Self {
            settings,
            layout,
            reader,
            slots: None,
            pending,
            record: ByteRecord::new(),
        }
    }

    /// Maps header names to slots, reporting every header problem at once.
    fn read_header(
        reader: &mut Reader<Capped<R>>,
        layout: &TableLayout,
    ) -> Result<Vec<Slot>, Vec<RecordError>> {
        let headers = reader.byte_headers().map_err(|error| {
            vec![RecordError::new(
                1,
                "",
                format!("could not read the header row: {error}"),
            )]
        })?;
        let names: Vec<String> = headers
            .iter()
            .map(|raw| {
                decode(raw)
                    .trim_start_matches('\u{feff}')
                    .trim()
                    .to_lowercase()
            })
            .collect();
        let mut expected: Vec<&str> = layout.columns.iter().map(|column| column.name).collect();
        expected.extend([ID, layout.gold_column, GOLD_EXPLANATION]);
        let mut errors = Vec::new();
        let mut slots = Vec::with_capacity(names.len());
        for (index, name) in names.iter().enumerate() {
            if names[..index].contains(name) && !name.is_empty() {
                errors.push(RecordError::new(1, name, "column appears more than once"));
            }
            let slot = match name.as_str() {
                "" => Slot::Unnamed,
                ID => Slot::Id,
                GOLD_EXPLANATION => Slot::Explanation,
                gold if gold == layout.gold_column => Slot::Gold,
                other => match layout.columns.iter().find(|column| column.name == other) {
                    Some(column) => Slot::Content(*column),
                    None => {
                        errors.push(RecordError::new(
                            1,
                            other,
                            format!(
                                "is not a recognised column; expected: {}",
                                expected.join(", ")
                            ),
                        ));
                        Slot::Unnamed
                    }
                },
            };
            slots.push(slot);
        }
        for column in layout.columns.iter().filter(|column| column.required) {
            if !names.iter().any(|name| name == column.name) {
                errors.push(RecordError::new(
                    1,
                    column.name,
                    "required column is missing",
                ));
            }
        }
        if errors.is_empty() {
            Ok(slots)
        } else {
            Err(errors)
        }
    }

    fn build(
        &self,
        line: u64,
        slots: &[Slot],
        layout: &TableLayout,
    ) -> Result<UploadRecord, RecordError> {
        let mut content = Map::new();
        let mut draft = Draft {
            line,
            external_id: None,
            content: Value::Null,
            gold_answer: None,
            gold_explanation: None,
        };
        for (index, (slot, raw)) in slots.iter().zip(self.record.iter()).enumerate() {
            let decoded = decode(raw);
            // Line breaks inside quoted cells keep their text but not `\r`.
            let cell = decoded.trim().replace("\r\n", "\n");
            let cell = cell.as_str();
            if cell.is_empty() {
                continue;
            }
            match slot {
                Slot::Content(column) if column.list => {
                    let items = split_list(cell).into_iter().map(Value::from).collect();
                    content.insert(column.name.to_owned(), Value::Array(items));
                }
                Slot::Content(column) => {
                    content.insert(column.name.to_owned(), Value::from(cell));
                }
                Slot::Id => draft.external_id = Some(Value::from(cell)),
                Slot::Gold => draft.gold_answer = Some((layout.gold_answer)(cell)),
                Slot::Explanation => draft.gold_explanation = Some(Value::from(cell)),
                Slot::Unnamed => {
                    return Err(RecordError::new(
                        line,
                        format!("column {}", index + 1),
                        "has a value but no header",
                    ));
                }
            }
        }
        draft.content = Value::Object(content);
        draft.finish(self.settings, GoldSource::Column(layout.gold_column))
    }

    fn step(&mut self) -> Option<Result<UploadRecord, RecordError>> {
        let (reader, layout) = (self.reader.as_mut()?, self.layout?);
        let slots = match self.slots.take() {
            Some(slots) => slots,
            None => match Self::read_header(reader, &layout) {
                Ok(slots) => slots,
                Err(errors) => {
                    self.pending.extend(errors);
                    self.reader = None;
                    return self.pending.pop_front().map(Err);
                }
            },
        };
        let item = loop {
            reader.get_mut().reset();
            let start = reader.position().line();
            match reader.read_byte_record(&mut self.record) {
                Ok(false) => {
                    self.reader = None;
                    return None;
                }
                Ok(true) if self.record.iter().all(|cell| cell.trim_ascii().is_empty()) => {}
                Ok(true) => {
                    let line = self
                        .record
                        .position()
                        .map_or(start, |position| position.line());
                    if self.record.len() != slots.len() {
                        break Err(RecordError::new(
                            line,
                            "",
                            format!(
                                "has {} columns but the header row has {}",
                                self.record.len(),
                                slots.len()
                            ),
                        ));
                    }
                    break self.build(line, &slots, &layout);
                }
                Err(error) => {
                    self.reader = None;
                    return Some(Err(RecordError::new(
                        start,
                        "",
                        format!("could not read the upload: {error}"),
                    )));
                }
            }
        };
        self.slots = Some(slots);
        Some(item)
    }
}

impl<R: Read> Iterator for CsvRecords<'_, R> {
    type Item = Result<UploadRecord, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(error) = self.pending.pop_front() {
            return Some(Err(error));
        }
        self.step()
    }
}

/// Stops one runaway record (say, an unclosed quote swallowing the rest of
/// the file) from being buffered whole: reading more than the limit since
/// the last record started fails with an error.
struct Capped<R> {
    inner: R,
    since_reset: usize,
}

impl<R> Capped<R> {
    /// Headroom for the CSV reader's own read-ahead buffer.
    const LIMIT: usize = MAX_RECORD_BYTES + 64 * 1024;

    fn new(inner: R) -> Self {
        Self {
            inner,
            since_reset: 0,
        }
    }

    fn reset(&mut self) {
        self.since_reset = 0;
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.since_reset > Self::LIMIT {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "a record is larger than the limit of {MAX_RECORD_BYTES} bytes (is a quote left open?)"
                ),
            ));
        }
        let read = self.inner.read(buf)?;
        self.since_reset += read;
        Ok(read)
    }
}

#[cfg(test)]
mod tests;
