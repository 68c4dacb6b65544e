//! Streaming a batch's results as CSV, a JSON array or RIS, with
//! contributors named only by pseudonyms that are stable within a project.

use std::collections::HashMap;

use futures_util::StreamExt;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

mod csv;

use super::state::SharedState;
use crate::domain::consensus::{TaskState, resolved_consensus};
use crate::domain::export::content::{ContentColumn, content_columns};
use crate::domain::export::plain::PlainColumns;
use crate::domain::export::{Decision, ris, screening_decision};
use crate::domain::field_error::FieldError;
use crate::domain::kinds::{KindSettings, Question, TaskKind};
use crate::store::{Batch, TaskResult};

/// The format of a results export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
pub enum ResultFormat {
    /// One row per task.
    Csv,
    /// One object per task, with its answers.
    Json,
    /// Screening records for a reference manager.
    Ris,
    /// CSV, one row per answer.
    Answers,
}

/// What a researcher asked to export, checked against the batch: RIS and
/// decisions only exist for screening.
#[derive(Debug, Clone, Copy)]
pub struct ResultsExport {
    pub format: ResultFormat,
    /// Only tasks whose final decision is this one.
    pub decision: Option<Decision>,
}

impl ResultsExport {
    pub fn for_batch(
        batch: &Batch,
        format: ResultFormat,
        decision: Option<Decision>,
    ) -> Result<Self, FieldError> {
        if batch.kind() != TaskKind::Screening {
            let kind = batch.kind();
            if format == ResultFormat::Ris {
                return Err(FieldError::new(
                    "format",
                    format!("ris is only available for screening batches, not {kind}"),
                ));
            }
            if decision.is_some() {
                return Err(FieldError::new(
                    "decision",
                    format!("only screening batches have decisions to filter by, not {kind}"),
                ));
            }
        }
        Ok(Self { format, decision })
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

/// Who logged an observation (a project pseudonym) and when.
pub(super) struct Observed {
    pub by: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// Writes each task of an export in its format, leaving out the tasks the
/// export does not want.
struct Rows {
    export: ResultsExport,
    settings: KindSettings,
    questions: Vec<Question>,
    columns: Vec<ContentColumn>,
    /// Observation batches only: who logged each task's observation.
    observers: Option<HashMap<Uuid, Observed>>,
    plain: PlainColumns,
    key: [u8; 32],
    project: Uuid,
    first: bool,
}

impl Rows {
    fn header(&self) -> Option<String> {
        match self.export.format {
            ResultFormat::Csv => Some(csv::header(
                &self.columns,
                self.observers.is_some(),
                &self.plain,
            )),
            ResultFormat::Answers => Some(csv::answers_header(&self.plain)),
            ResultFormat::Json => Some("[".to_owned()),
            ResultFormat::Ris => None,
        }
    }

    fn row(&mut self, result: &TaskResult) -> Option<String> {
        let ris = self.export.format == ResultFormat::Ris;
        // Gold tasks are the researcher's own test items, not findings to
        // take back into a reference manager.
        if ris && result.is_gold {
            return None;
        }
        let decision = (ris || self.export.decision.is_some())
            .then(|| screening_decision(result.state, &result.consensus));
        if let (Some(wanted), Some(decision)) = (self.export.decision, &decision)
            && decision.decision != wanted
        {
            return None;
        }
        Some(match self.export.format {
            ResultFormat::Ris => {
                ris::record(&result.content, result.external_id.as_deref(), &decision?)
            }
            ResultFormat::Csv => {
                let observed = self.observers.as_ref().map(|_| self.observed(result));
                csv::row(result, &self.settings, &self.columns, observed, &self.plain)
            }
            ResultFormat::Answers => csv::answer_rows(result, &self.plain, &self.key, self.project),
            ResultFormat::Json => {
                let outcome = outcome(result, &self.settings, &self.questions);
                let separator = if self.first { "\n" } else { ",\n" };
                self.first = false;
                let mut value = task_json(result, &outcome, &self.key, self.project);
                if let Some(observed) = self.observed(result) {
                    value["observed"] = json!({"by": observed.by, "at": observed.at});
                }
                format!("{separator}{value}")
            }
        })
    }

    fn observed(&self, result: &TaskResult) -> Option<&Observed> {
        self.observers.as_ref()?.get(&result.task_id)
    }

    fn footer(&self) -> Option<String> {
        (self.export.format == ResultFormat::Json).then(|| "\n]\n".to_owned())
    }
}

/// Who logged each observation and when, by verification task, with the
/// observer named by their project pseudonym.
async fn observers(
    state: &SharedState,
    batch: &Batch,
) -> crate::store::StoreResult<Option<HashMap<Uuid, Observed>>> {
    if batch.kind() != TaskKind::Observation {
        return Ok(None);
    }
    let key = state.pseudonym_key;
    let authors = state.store.observation_authors(batch.id).await?;
    Ok(Some(
        authors
            .into_iter()
            .map(|(task, observer, at)| {
                let by = pseudonym(&key, batch.project_id, observer);
                (task, Observed { by, at })
            })
            .collect(),
    ))
}

/// The export as a streamed body: rows are written as the store yields them.
pub async fn results_body(
    state: &SharedState,
    batch: &Batch,
    export: ResultsExport,
) -> crate::store::StoreResult<poem::Body> {
    let settings = batch.settings.clone();
    let observers = observers(state, batch).await?;
    let mut rows = Rows {
        observers,
        export,
        questions: settings.questions(),
        columns: content_columns(&settings),
        plain: PlainColumns::of(&batch.answer_schema),
        settings,
        key: state.pseudonym_key,
        project: batch.project_id,
        first: true,
    };
    let header = rows.header();
    let footer = rows.footer();
    let body = state.store.task_results(batch.id).filter_map(move |row| {
        let chunk = match row {
            Ok(result) => rows.row(&result).map(Ok),
            Err(err) => {
                tracing::error!(error = %err, "results export failed part-way");
                Some(Err(std::io::Error::other("results export failed")))
            }
        };
        futures_util::future::ready(chunk.map(|chunk| chunk.map(String::into_bytes)))
    });
    let text = |part: Option<String>| futures_util::stream::iter(part.map(|t| Ok(t.into_bytes())));
    Ok(poem::Body::from_bytes_stream(
        text(header).chain(body).chain(text(footer)),
    ))
}
