//! JSON uploads: JSON Lines, or one top-level array streamed element by
//! element (see `json_array.rs`). The first non-blank byte decides which.
//!
//! Each record is an object holding the kind's content fields directly, plus
//! optional `id`, `gold_answer` (an answer object) and `gold_explanation`.

use std::io::{self, BufRead};

use serde_json::Value;

use super::record::{Draft, GoldSource};
use super::source::Source;
use super::{MAX_RECORD_BYTES, RecordError, UploadRecord};
use crate::domain::kinds::KindSettings;

/// Reads records from a JSON upload.
pub(crate) struct JsonRecords<'a, R> {
    pub(super) settings: &'a KindSettings,
    pub(super) source: Source<R>,
    pub(super) state: State,
    pub(super) buf: Vec<u8>,
}

/// Where the reader is in the input.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// Nothing read yet.
    Start,
    /// JSON Lines: one object per physical line.
    Lines,
    /// Just after the array's `[`.
    ArrayOpened,
    /// Just after an array element, expecting `,` or `]`.
    ArrayAfterElement,
    /// After the closing `]`: only whitespace may follow.
    ArrayClosed,
    /// Finished, normally or after a fatal error.
    Done,
}

impl<'a, R: BufRead> JsonRecords<'a, R> {
    pub(crate) fn new(settings: &'a KindSettings, reader: R) -> Self {
        Self {
            settings,
            source: Source::new(reader),
            state: State::Start,
            buf: Vec::new(),
        }
    }

    /// Decides between an array and JSON Lines from the first non-blank byte.
    fn start(&mut self) -> io::Result<()> {
        self.source.skip_bom()?;
        self.source.skip_whitespace()?;
        self.state = match self.source.peek()? {
            None => State::Done,
            Some(b'[') => {
                self.source.bump()?;
                State::ArrayOpened
            }
            Some(_) => State::Lines,
        };
        Ok(())
    }

    fn next_line(&mut self) -> io::Result<Option<Result<UploadRecord, RecordError>>> {
        loop {
            let Some(read) = self.source.read_line(&mut self.buf, MAX_RECORD_BYTES)? else {
                self.state = State::Done;
                return Ok(None);
            };
            if read.overflow {
                return Ok(Some(Err(too_large(read.number))));
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let record = match serde_json::from_slice::<Value>(&self.buf) {
                Ok(value) => self.validate(read.number, value),
                Err(error) => Err(RecordError::new(
                    read.number,
                    "",
                    format!(
                        "is not valid JSON: {} (column {})",
                        bare_message(&error),
                        error.column()
                    ),
                )),
            };
            return Ok(Some(record));
        }
    }

    /// Validates one parsed JSON value as a record starting at `line`.
    pub(super) fn validate(&self, line: u64, value: Value) -> Result<UploadRecord, RecordError> {
        Draft::from_json(line, value)?.finish(self.settings, GoldSource::Nested)
    }

    fn step(&mut self) -> io::Result<Option<Result<UploadRecord, RecordError>>> {
        if self.state == State::Start {
            self.start()?;
        }
        match self.state {
            State::Start | State::Done => Ok(None),
            State::Lines => self.next_line(),
            _ => self.next_element(),
        }
    }
}

impl<R: BufRead> Iterator for JsonRecords<'_, R> {
    type Item = Result<UploadRecord, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.step() {
            Ok(item) => item,
            Err(error) => {
                self.state = State::Done;
                Some(Err(RecordError::new(
                    self.source.line,
                    "",
                    format!("could not read the upload: {error}"),
                )))
            }
        }
    }
}

/// The error for a record or line over [`MAX_RECORD_BYTES`].
pub(super) fn too_large(line: u64) -> RecordError {
    RecordError::new(
        line,
        "",
        format!("is larger than the limit of {MAX_RECORD_BYTES} bytes for one record"),
    )
}

/// serde_json's message without its "at line L column C" suffix, which would
/// count from the start of the record rather than the file.
pub(super) fn bare_message(error: &serde_json::Error) -> String {
    let full = error.to_string();
    match full.rfind(" at line ") {
        Some(cut) => full[..cut].to_owned(),
        None => full,
    }
}

#[cfg(test)]
mod tests;
