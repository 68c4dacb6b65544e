//! Reading a batch upload from its spooled file: a validation pass that
//! reports every problem with its line, then a second pass that feeds the
//! store. Both passes stream, so memory stays flat whatever the file's size.

use std::fs::File;
use std::io::{BufReader, Seek};
use std::sync::Arc;

use uuid::Uuid;

use crate::domain::ingest::{Duplicate, DuplicateFinder, RecordError, UploadFormat, read_records};
use crate::domain::kinds::{KindSettings, TaskKind};
use crate::store::{GoldAnswer, NewTask};

/// At most this many problems are listed; more than that and the file is
/// probably the wrong one.
pub const MAX_REPORTED_ERRORS: usize = 1000;

/// What the validation pass found.
#[derive(Default)]
pub struct Checked {
    pub records: u64,
    pub gold: u64,
    pub duplicates: Vec<Duplicate>,
    pub errors: Vec<RecordError>,
    pub errors_truncated: bool,
}

/// Reads every record once, collecting problems and duplicates.
pub fn check(
    file: &mut File,
    format: UploadFormat,
    settings: &KindSettings,
) -> std::io::Result<Checked> {
    file.rewind()?;
    let mut checked = Checked {
        records: 0,
        gold: 0,
        duplicates: Vec::new(),
        errors: Vec::new(),
        errors_truncated: false,
    };
    let mut duplicates = finder_for(settings);
    for record in read_records(format, settings, BufReader::new(&*file)) {
        match record {
            Ok(record) => {
                if let Some(duplicate) = duplicates
                    .as_mut()
                    .and_then(|f| f.check(record.line, &record.content))
                {
                    checked.duplicates.push(duplicate);
                    continue;
                }
                checked.records += 1;
                checked.gold += u64::from(record.gold.is_some());
            }
            Err(error) if checked.errors.len() < MAX_REPORTED_ERRORS => checked.errors.push(error),
            Err(_) => checked.errors_truncated = true,
        }
    }
    if checked.records == 0 && checked.errors.is_empty() {
        checked
            .errors
            .push(RecordError::new(0, "file", "the upload holds no tasks"));
    }
    Ok(checked)
}

/// The second pass, as an owned iterator of tasks for the store. A parser
/// thread reads the file and hands tasks over a small bounded channel.
pub fn tasks(
    mut file: File,
    format: UploadFormat,
    settings: Arc<KindSettings>,
) -> std::io::Result<impl Iterator<Item = NewTask> + Send> {
    file.rewind()?;
    let (sender, receiver) = std::sync::mpsc::sync_channel::<NewTask>(1024);
    std::thread::spawn(move || {
        let mut duplicates = finder_for(&settings);
        for record in read_records(format, &settings, BufReader::new(file)).flatten() {
            if duplicates
                .as_mut()
                .is_some_and(|f| f.check(record.line, &record.content).is_some())
            {
                continue;
            }
            let gold = record.gold.and_then(|gold| {
                let votes = settings.parse_answer(&gold.answer).ok()?.votes().to_vec();
                Some(GoldAnswer {
                    answer: gold.answer,
                    votes,
                    explanation: gold.explanation,
                })
            });
            let task = NewTask {
                id: Uuid::new_v4(),
                external_id: record.external_id,
                content: record.content,
                gold,
            };
            if sender.send(task).is_err() {
                return;
            }
        }
    });
    Ok(receiver.into_iter())
}

fn finder_for(settings: &KindSettings) -> Option<DuplicateFinder> {
    (settings.kind() == TaskKind::Screening).then(DuplicateFinder::new)
}
