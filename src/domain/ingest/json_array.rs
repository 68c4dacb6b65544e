//! Streaming a top-level JSON array one element at a time.
//!
//! serde_json can only parse whole values, and the array is the whole file,
//! so a small structural scanner finds where each element ends (tracking
//! strings, escapes and nesting depth) and hands just that element to serde.
//! Only one element is ever held in memory.

use std::io::{self, BufRead};

use serde_json::Value;

use super::json::{JsonRecords, State, bare_message, too_large};
use super::{MAX_RECORD_BYTES, RecordError, UploadRecord};

type Step = io::Result<Option<Result<UploadRecord, RecordError>>>;

impl<R: BufRead> JsonRecords<'_, R> {
    /// Reads the next array element, or handles the separators around it.
    pub(super) fn next_element(&mut self) -> Step {
        loop {
            self.source.skip_whitespace()?;
            let next = self.source.peek()?;
            match (self.state, next) {
                (State::ArrayOpened | State::ArrayAfterElement, Some(b']')) => {
                    self.source.bump()?;
                    self.state = State::ArrayClosed;
                }
                (State::ArrayOpened, Some(_)) => return self.element(),
                (State::ArrayAfterElement, Some(b',')) => {
                    self.source.bump()?;
                    // A trailing comma before `]` is tolerated: spreadsheet
                    // macros and hand edits produce it, and nothing is lost.
                    self.state = State::ArrayOpened;
                }
                (State::ArrayClosed, None) => {
                    self.state = State::Done;
                    return Ok(None);
                }
                (State::ArrayClosed, Some(_)) => {
                    return Ok(Some(
                        self.fatal("unexpected text after the closing ] of the array"),
                    ));
                }
                (State::ArrayAfterElement, Some(_)) => {
                    return Ok(Some(
                        self.fatal("expected , or ] after the previous record"),
                    ));
                }
                (_, None) => {
                    return Ok(Some(self.fatal("the JSON array is not closed with ]")));
                }
                _ => {
                    self.state = State::Done;
                    return Ok(None);
                }
            }
        }
    }

    fn element(&mut self) -> Step {
        let line = self.source.line;
        let capture = self.capture()?;
        self.state = State::ArrayAfterElement;
        if !capture.complete {
            self.state = State::Done;
            return Ok(Some(Err(RecordError::new(
                line,
                "",
                "this record is not complete: a brace, bracket or quote is never closed",
            ))));
        }
        if capture.overflow {
            return Ok(Some(Err(too_large(line))));
        }
        let record = match serde_json::from_slice::<Value>(&self.buf) {
            Ok(value) => self.validate(line, value),
            Err(error) => {
                let at = line + (error.line() as u64).saturating_sub(1);
                Err(RecordError::new(
                    line,
                    "",
                    format!(
                        "is not valid JSON: {} (line {at}, column {})",
                        bare_message(&error),
                        error.column()
                    ),
                ))
            }
        };
        Ok(Some(record))
    }

    /// Copies one JSON value into `self.buf` (up to the size limit), leaving
    /// the reader just after it.
    fn capture(&mut self) -> io::Result<Capture> {
        self.buf.clear();
        let mut scanner = Scanner::default();
        let mut overflow = false;
        loop {
            let available = self.source.reader.fill_buf()?;
            if available.is_empty() {
                return Ok(Capture {
                    complete: false,
                    overflow,
                });
            }
            let end = available
                .iter()
                .enumerate()
                .find_map(|(index, byte)| scanner.step(*byte).map(|after| index + after));
            let taken = end.unwrap_or(available.len());
            let room = MAX_RECORD_BYTES.saturating_sub(self.buf.len());
            overflow |= taken > room;
            self.buf.extend_from_slice(&available[..taken.min(room)]);
            let newlines = available[..taken]
                .iter()
                .filter(|byte| **byte == b'\n')
                .count();
            self.source.reader.consume(taken);
            self.source.line += newlines as u64;
            if end.is_some() {
                return Ok(Capture {
                    complete: true,
                    overflow,
                });
            }
        }
    }

    fn fatal(&mut self, message: &str) -> Result<UploadRecord, RecordError> {
        self.state = State::Done;
        Err(RecordError::new(self.source.line, "", message))
    }
}

/// Result of capturing one element.
struct Capture {
    complete: bool,
    overflow: bool,
}

/// Tracks just enough JSON structure to find where a value ends.
#[derive(Default)]
struct Scanner {
    depth: u32,
    in_string: bool,
    escaped: bool,
    started: bool,
}

impl Scanner {
    /// Feeds one byte. Returns `Some(0)` if the value ended before this byte,
    /// `Some(1)` if this byte was its last, `None` to keep going.
    fn step(&mut self, byte: u8) -> Option<usize> {
        if self.in_string {
            if self.escaped {
                self.escaped = false;
            } else if byte == b'\\' {
                self.escaped = true;
            } else if byte == b'"' {
                self.in_string = false;
                return (self.depth == 0).then_some(1);
            }
            return None;
        }
        match byte {
            b'"' => {
                self.in_string = true;
                self.started = true;
            }
            b'{' | b'[' => {
                self.depth += 1;
                self.started = true;
            }
            b'}' | b']' if self.depth == 0 => return Some(0),
            b'}' | b']' => {
                self.depth -= 1;
                return (self.depth == 0).then_some(1);
            }
            b',' if self.depth == 0 => return Some(0),
            byte if byte.is_ascii_whitespace() => {
                if self.depth == 0 && self.started {
                    return Some(0);
                }
            }
            _ => self.started = true,
        }
        None
    }
}
