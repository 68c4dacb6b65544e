//! The CSV form of a results export: one row per task, content spread over
//! the upload's own columns so rows match back to the uploaded file.

use uuid::Uuid;

use super::{Outcome, task_json};
use crate::store::TaskResult;

/// The header row: ids, one column per upload column, then the outcome.
pub(super) fn header(columns: &[&'static str]) -> String {
    let mut names = vec!["task_id", "external_id"];
    names.extend(columns);
    names.extend([
        "gold",
        "status",
        "consensus",
        "confidence",
        "answer_count",
        "answers",
    ]);
    csv_line(&names.into_iter().map(String::from).collect::<Vec<_>>())
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

/// The task's content fields as CSV cells, in the upload's column order:
/// lists (authors) joined with "; " as they were uploaded.
fn content_cells(content: &serde_json::Value, columns: &[&'static str]) -> Vec<String> {
    columns
        .iter()
        .map(|&name| match &content[name] {
            serde_json::Value::Null => String::new(),
            serde_json::Value::String(text) => text.clone(),
            serde_json::Value::Array(items) => items
                .iter()
                .map(|item| {
                    item.as_str()
                        .map_or_else(|| item.to_string(), str::to_owned)
                })
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        })
        .collect()
}

pub(super) fn row(
    result: &TaskResult,
    outcome: &Outcome,
    columns: &[&'static str],
    key: &[u8; 32],
    project: Uuid,
) -> String {
    let value = task_json(result, outcome, key, project);
    let labels: Vec<String> = outcome
        .consensus
        .as_array()
        .map(|questions| {
            questions
                .iter()
                .map(|q| {
                    format!(
                        "{}={}",
                        q["question"].as_str().unwrap_or(""),
                        q["label"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut fields = vec![
        result.task_id.to_string(),
        result.external_id.clone().unwrap_or_default(),
    ];
    fields.extend(content_cells(&result.content, columns));
    fields.extend([
        result.is_gold.to_string(),
        result.state.as_str().to_owned(),
        labels.join(";"),
        value["confidence"].to_string(),
        result.answers.len().to_string(),
        value["answers"].to_string(),
    ]);
    csv_line(&fields)
}
