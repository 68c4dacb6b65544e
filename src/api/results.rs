//! Streaming a batch's results as CSV or a JSON array, with contributors
//! named only by pseudonyms that are stable within a project.

use futures_util::StreamExt;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::state::SharedState;
use crate::domain::consensus::{TaskState, resolved_consensus};
use crate::domain::kinds::{KindSettings, Question};
use crate::store::{Batch, TaskResult};

/// The format of a results export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
pub enum ResultFormat {
    Csv,
    Json,
}

impl ResultFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            ResultFormat::Csv => "text/csv; charset=utf-8",
            ResultFormat::Json => "application/json",
        }
    }
}

/// A contributor's stable, unlinkable name within one project.
pub fn pseudonym(key: &[u8; 32], project: Uuid, contributor: Uuid) -> String {
    let digest = Sha256::new()
        .chain_update(key)
        .chain_update(project.as_bytes())
        .chain_update(contributor.as_bytes())
        .finalize();
    format!("c-{}", hex::encode(&digest[..6]))
}

/// What the export says of one task: its consensus in one per-question
/// shape whether the crowd settled it or a researcher resolved it, and the
/// resolution (who, the note, the answer given) when there is one.
struct Outcome {
    consensus: serde_json::Value,
    resolution: serde_json::Value,
}

fn outcome(result: &TaskResult, settings: &KindSettings, questions: &[Question]) -> Outcome {
    if result.state != TaskState::Resolved {
        return Outcome {
            consensus: result.consensus.clone(),
            resolution: serde_json::Value::Null,
        };
    }
    let consensus = settings
        .parse_answer(&result.consensus["answer"])
        .map(|answer| json!(resolved_consensus(questions, &answer)))
        .unwrap_or_else(|_| json!([]));
    Outcome {
        consensus,
        resolution: result.consensus.clone(),
    }
}

fn task_json(
    result: &TaskResult,
    outcome: &Outcome,
    key: &[u8; 32],
    project: Uuid,
) -> serde_json::Value {
    json!({
        "task_id": result.task_id,
        "external_id": result.external_id,
        "content": result.content,
        "gold": result.is_gold,
        "status": result.state.as_str(),
        "consensus": outcome.consensus,
        "resolution": outcome.resolution,
        "confidence": (result.confidence * 10_000.0).round() / 10_000.0,
        "answer_count": result.answers.len(),
        "answers": result.answers.iter().map(|a| json!({
            "contributor": pseudonym(key, project, a.contributor_id),
            "answer": a.answer,
            "counted": a.counted,
            "answered_at": a.created_at,
        })).collect::<Vec<_>>(),
    })
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

fn csv_row(
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

/// The export as a streamed body: rows are written as the store yields them.
pub fn results_body(state: &SharedState, batch: &Batch, format: ResultFormat) -> poem::Body {
    let key = state.pseudonym_key;
    let project = batch.project_id;
    let rows = state.store.task_results(batch.id);
    let settings = batch.settings.clone();
    let questions = settings.questions();
    let columns: Vec<&'static str> = settings
        .table_layout()
        .map(|layout| layout.columns.iter().map(|c| c.name).collect())
        .unwrap_or_default();
    let header = match format {
        ResultFormat::Csv => {
            let mut names = vec!["task_id", "external_id"];
            names.extend(&columns);
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
        ResultFormat::Json => "[".to_owned(),
    };
    let mut first = true;
    let body = rows.map(move |row| {
        let chunk = match row {
            Ok(result) => {
                let outcome = outcome(&result, &settings, &questions);
                match format {
                    ResultFormat::Csv => csv_row(&result, &outcome, &columns, &key, project),
                    ResultFormat::Json => {
                        let separator = if first { "\n" } else { ",\n" };
                        first = false;
                        format!("{separator}{}", task_json(&result, &outcome, &key, project))
                    }
                }
            }
            Err(err) => {
                tracing::error!(error = %err, "results export failed part-way");
                return Err(std::io::Error::other("results export failed"));
            }
        };
        Ok::<_, std::io::Error>(chunk.into_bytes())
    });
    let footer = futures_util::stream::iter(match format {
        ResultFormat::Csv => vec![],
        ResultFormat::Json => vec![Ok(b"\n]\n".to_vec())],
    });
    let stream = futures_util::stream::iter([Ok(header.into_bytes())])
        .chain(body)
        .chain(footer);
    poem::Body::from_bytes_stream(stream)
}
