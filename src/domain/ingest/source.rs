//! A line-counting byte source over any `BufRead`, with bounded line reads
//! and forgiving text decoding.

use std::borrow::Cow;
use std::io::{self, BufRead};

/// The UTF-8 byte order mark that Windows tools put at the start of files.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Wraps a reader and tracks the 1-based line number of the next byte.
pub(crate) struct Source<R> {
    pub(crate) reader: R,
    pub(crate) line: u64,
}

/// What [`Source::read_line`] found.
pub(crate) struct LineRead {
    /// The line's number.
    pub(crate) number: u64,
    /// Whether the line was longer than the limit and was cut short.
    pub(crate) overflow: bool,
}

impl<R: BufRead> Source<R> {
    /// Starts reading at line 1.
    pub(crate) fn new(reader: R) -> Self {
        Self { reader, line: 1 }
    }

    /// Skips a UTF-8 byte order mark at the current position, if present.
    pub(crate) fn skip_bom(&mut self) -> io::Result<()> {
        if self.reader.fill_buf()?.starts_with(BOM) {
            self.reader.consume(BOM.len());
        }
        Ok(())
    }

    /// The next byte, without consuming it.
    pub(crate) fn peek(&mut self) -> io::Result<Option<u8>> {
        Ok(self.reader.fill_buf()?.first().copied())
    }

    /// Consumes one byte, counting lines.
    pub(crate) fn bump(&mut self) -> io::Result<Option<u8>> {
        let byte = self.peek()?;
        if let Some(byte) = byte {
            self.reader.consume(1);
            if byte == b'\n' {
                self.line += 1;
            }
        }
        Ok(byte)
    }

    /// Skips ASCII whitespace, counting lines.
    pub(crate) fn skip_whitespace(&mut self) -> io::Result<()> {
        while let Some(byte) = self.peek()? {
            if !byte.is_ascii_whitespace() {
                break;
            }
            self.bump()?;
        }
        Ok(())
    }

    /// Reads one physical line into `buf` (without its `\n` or `\r\n`),
    /// keeping at most `max` bytes; the rest of an overlong line is skipped
    /// so memory stays bounded. Returns `None` at end of input.
    pub(crate) fn read_line(
        &mut self,
        buf: &mut Vec<u8>,
        max: usize,
    ) -> io::Result<Option<LineRead>> {
        buf.clear();
        let number = self.line;
        let mut overflow = false;
        let mut seen_any = false;
        loop {
            let available = self.reader.fill_buf()?;
            if available.is_empty() {
                break;
            }
            seen_any = true;
            let newline = available.iter().position(|byte| *byte == b'\n');
            let end = newline.unwrap_or(available.len());
            let room = max.saturating_sub(buf.len());
            if end > room {
                overflow = true;
            }
            buf.extend_from_slice(&available[..end.min(room)]);
            match newline {
                Some(at) => {
                    self.reader.consume(at + 1);
                    self.line += 1;
                    break;
                }
                None => {
                    let length = available.len();
                    self.reader.consume(length);
                }
            }
        }
        if !seen_any {
            return Ok(None);
        }
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        Ok(Some(LineRead { number, overflow }))
    }
}

/// Decodes text that should be UTF-8 but may come from an older Windows
/// export: valid UTF-8 is used as is, anything else is read as Windows-1252
/// (a superset of Latin-1 for printable text), so "Jos\xE9" becomes "José"
/// rather than an error.
pub(crate) fn decode(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    }
}
