//! The CSV forms of a results export: one row per task, content spread over
//! the upload's own columns (or the observation form's fields) so rows
//! match back to the uploaded file; or one row per answer.

use uuid::Uuid;

use super::{Observed, pseudonym};
use crate::domain::consensus::TaskState;
use crate::domain::export::content::{ContentColumn, cell};
use crate::domain::export::plain::{PlainColumns, decided_by, settled_answer};
use crate::domain::kinds::KindSettings;
use crate::store::TaskResult;

/// The header row of the one-row-per-task export: ids, one column per
/// upload column, the outcome in plain labels (one column per answer field)
/// and who decided it.
pub(super) fn header(columns: &[ContentColumn], observed: bool, plain: &PlainColumns) -> String {
    let mut names: Vec<String> = ["task_id", "external_id"].map(String::from).into();
    names.extend(columns.iter().map(|column| column.header.clone()));
    if observed {
        names.extend(["observer", "observed_at"].map(String::from));
    }
    names.extend(["gold", "status"].map(String::from));
    names.extend(plain.names().iter().cloned());
    names.extend(
        [
            "decided_by",
            "confidence",
            "answer_count",
            "resolution_note",
        ]
        .map(String::from),
    );
    csv_line(&names)
}

/// The header row of the one-row-per-answer export.
pub(super) fn answers_header(plain: &PlainColumns) -> String {
    let mut names: Vec<String> = [
        "task_id",
        "external_id",
        "contributor",
        "answered_at",
        "counted",
    ]
    .map(String::from)
    .into();
    names.extend(plain.names().iter().cloned());
    csv_line(&names)
}

fn csv_line(fields: &[String]) -> String {
    let quoted: Vec<String> = fields
        .iter()
        .map(|field| {
            if field.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", field.replace('"', "\"\""))
            } else {
                field.clone()
            }
        })
        .collect();
    format!("{}\r\n", quoted.join(","))
}

pub(super) fn row(
    result: &TaskResult,
    settings: &KindSettings,
    columns: &[ContentColumn],
    observed: Option<Option<&Observed>>,
    plain: &PlainColumns,
) -> String {
    let settled = settled_answer(settings, result.state, &result.consensus);
    let note = match result.state {
        TaskState::Resolved => result.consensus["note"].as_str().unwrap_or_default(),
        _ => "",
    };
    let mut fields = vec![
        result.task_id.to_string(),
        result.external_id.clone().unwrap_or_default(),
    ];
    fields.extend(columns.iter().map(|column| cell(column, &result.content)));
    // Observation batches: seeded observations (uploaded, not logged) have
    // no observer, so their cells stay empty.
    if let Some(observed) = observed {
        fields.extend(match observed {
            Some(observed) => [observed.by.clone(), observed.at.to_rfc3339()],
            None => [String::new(), String::new()],
        });
    }
    fields.extend([result.is_gold.to_string(), result.state.as_str().to_owned()]);
    fields.extend(plain.cells(settled.as_ref()));
    fields.extend([
        decided_by(result.state).to_owned(),
        ((result.confidence * 10_000.0).round() / 10_000.0).to_string(),
        result.answers.len().to_string(),
        note.to_owned(),
    ]);
    csv_line(&fields)
}

/// Every answer of the task, one row each, its contributor named by the
/// project pseudonym.
pub(super) fn answer_rows(
    result: &TaskResult,
    plain: &PlainColumns,
    key: &[u8; 32],
    project: Uuid,
) -> String {
    result
        .answers
        .iter()
        .map(|answer| {
            let mut fields = vec![
                result.task_id.to_string(),
                result.external_id.clone().unwrap_or_default(),
                pseudonym(key, project, answer.contributor_id),
                answer.created_at.to_rfc3339(),
                answer.counted.to_string(),
            ];
            fields.extend(plain.cells(Some(&answer.answer)));
            csv_line(&fields)
        })
        .collect()
}
