//! RIS uploads (screening batches only), as exported by EndNote, Zotero,
//! Mendeley and bibliographic databases (Ovid, Scopus, Web of Science, ...).
//!
//! A record runs from a `TY` line to an `ER` line; each line is
//! `XX  - value` (two spaces, hyphen, space). Untagged lines continue the
//! previous tag, since exporters wrap long abstracts. Tags used:
//!
//! | content    | RIS tags (first present wins)                          |
//! |------------|--------------------------------------------------------|
//! | `title`    | `TI`, `T1`                                             |
//! | `abstract` | `AB`, `N2`                                             |
//! | `authors`  | every `AU` and `A1`, in order                          |
//! | `journal`  | `JF` (full name), `T2`, `JO`, `JA` (abbreviation)      |
//! | `year`     | `PY`, `Y1`: the first four-digit run (`2019///` → 2019) |
//! | `doi`      | `DO`                                                   |
//! | `pmid`     | `AN` when it is a bare PubMed ID (EndNote and Ovid put the PMID there; other databases use their own accession numbers, which are ignored) |
//! | `id`       | `ID` (external id)                                     |
//!
//! Every tag, these and the others, is also kept in file order under `ris`
//! (see [`ris_record`](crate::domain::kinds::screening::ris_record)), so an
//! export gives the reference manager back the whole record.
//!
//! PubMed's own "citation manager" export is the MEDLINE `.nbib` format, not
//! RIS, and is not read here.

use std::io::{self, BufRead};

use serde_json::{Map, Value};

use super::record::{Draft, GoldSource};
use super::source::{Source, decode};
use super::{MAX_RECORD_BYTES, RecordError, UploadRecord};
use crate::domain::kinds::screening::is_pmid;
use crate::domain::kinds::screening::ris_record::RIS_KEY;
use crate::domain::kinds::{KindSettings, TaskKind};

mod fields;

use fields::Entry;

/// Reads records from a RIS upload.
pub(crate) struct RisRecords<'a, R> {
    settings: &'a KindSettings,
    source: Source<R>,
    buf: Vec<u8>,
    current: Option<Entry>,
    started: bool,
    /// Set after reporting a tag outside any record, so a file missing its
    /// `TY` lines gets one error per stray block rather than one per line.
    in_stray_block: bool,
    done: bool,
}

impl<'a, R: BufRead> RisRecords<'a, R> {
    /// Refuses batches of other kinds: RIS only describes bibliographic records.
    pub(crate) fn new(settings: &'a KindSettings, reader: R) -> Result<Self, RecordError> {
        if settings.kind() != TaskKind::Screening {
            return Err(RecordError::new(
                0,
                "",
                format!(
                    "RIS upload is only available for screening batches, not {}",
                    settings.kind()
                ),
            ));
        }
        Ok(Self {
            settings,
            source: Source::new(reader),
            buf: Vec::new(),
            current: None,
            started: false,
            in_stray_block: false,
            done: false,
        })
    }

    fn step(&mut self) -> io::Result<Option<Result<UploadRecord, RecordError>>> {
        if !self.started {
            self.started = true;
            self.source.skip_bom()?;
        }
        loop {
            let Some(read) = self.source.read_line(&mut self.buf, MAX_RECORD_BYTES)? else {
                self.done = true;
                return Ok(self.current.take().map(|entry| {
                    Err(RecordError::new(
                        entry.line,
                        "",
                        "this record has no ER line: the file ends before the record is closed",
                    ))
                }));
            };
            let text = decode(&self.buf);
            let line = text.trim_end();
            match fields::split_tag(line) {
                Some(("TY", value)) => {
                    self.in_stray_block = false;
                    let mut entry = Entry::new(read.number);
                    entry.push("TY", value, read.number, read.overflow);
                    let previous = self.current.replace(entry);
                    if let Some(previous) = previous {
                        return Ok(Some(Err(RecordError::new(
                            previous.line,
                            "",
                            format!(
                                "this record has no ER line before the next TY on line {}",
                                read.number
                            ),
                        ))));
                    }
                }
                Some(("ER", _)) => match self.current.take() {
                    Some(entry) => return Ok(Some(self.finish(entry))),
                    // The stray block was already reported; its ER ends it.
                    None if self.in_stray_block => self.in_stray_block = false,
                    None => {
                        return Ok(Some(Err(RecordError::new(
                            read.number,
                            "",
                            "ER line without a TY line starting the record",
                        ))));
                    }
                },
                Some((tag, value)) => match self.current.as_mut() {
                    Some(entry) => entry.push(tag, value, read.number, read.overflow),
                    None if !self.in_stray_block => {
                        self.in_stray_block = true;
                        return Ok(Some(Err(RecordError::new(
                            read.number,
                            tag,
                            "this tag is outside any record; is the TY line missing?",
                        ))));
                    }
                    None => {}
                },
                // Lines outside records (blank lines, "Provider:" headers
                // some databases write) are ignored; inside, they continue
                // the previous tag.
                None => {
                    if let Some(entry) = self.current.as_mut() {
                        entry.continue_with(line.trim(), read.number, read.overflow);
                    }
                }
            }
        }
    }

    fn finish(&self, entry: Entry) -> Result<UploadRecord, RecordError> {
        let line = entry.line;
        if let Some(error) = entry.error {
            return Err(error);
        }
        let mut content = Map::new();
        let mut put = |key: &str, value: Option<Value>| {
            if let Some(value) = value {
                content.insert(key.to_owned(), value);
            }
        };
        put("title", entry.first(&["TI", "T1"]).map(Value::from));
        put("abstract", entry.first(&["AB", "N2"]).map(Value::from));
        let authors: Vec<Value> = entry.all(&["AU", "A1"]).map(Value::from).collect();
        put(
            "authors",
            (!authors.is_empty()).then_some(Value::Array(authors)),
        );
        put(
            "journal",
            entry.first(&["JF", "T2", "JO", "JA"]).map(Value::from),
        );
        put(
            "year",
            entry
                .first(&["PY", "Y1"])
                .map(|raw| Value::from(year_of(raw))),
        );
        put("doi", entry.first(&["DO"]).map(Value::from));
        let pmid = entry
            .all(&["AN"])
            .map(|raw| raw.trim_start_matches("PMID:").trim())
            .find(|candidate| is_pmid(candidate));
        put("pmid", pmid.map(Value::from));
        put(RIS_KEY, Some(entry.original()));
        let draft = Draft {
            line,
            external_id: entry.first(&["ID"]).map(Value::from),
            content: Value::Object(content),
            gold_answer: None,
            gold_explanation: None,
        };
        draft
            .finish(self.settings, GoldSource::Nested)
            .map_err(|error| RecordError {
                message: format!("{}{}", error.message, fields::tag_hint(&error.field)),
                ..error
            })
    }
}

impl<R: BufRead> Iterator for RisRecords<'_, R> {
    type Item = Result<UploadRecord, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.step() {
            Ok(item) => item,
            Err(error) => {
                self.done = true;
                Some(Err(RecordError::new(
                    self.source.line,
                    "",
                    format!("could not read the upload: {error}"),
                )))
            }
        }
    }
}

/// The first run of four digits in a RIS date (`2019///`, `2019/05/03/`,
/// `Spring 2019`), or the raw text so validation can report it.
fn year_of(raw: &str) -> &str {
    let bytes = raw.as_bytes();
    (0..bytes.len().saturating_sub(3))
        .find(|start| {
            let digits = |at: usize| bytes.get(at).is_some_and(u8::is_ascii_digit);
            (0..4).all(|offset| digits(start + offset))
                && !digits(start + 4)
                && (*start == 0 || !digits(start - 1))
        })
        .map_or(raw, |start| &raw[start..start + 4])
}

#[cfg(test)]
mod tests;
