//! The researcher's side of quality: the resolver queue, resolutions, the
//! agreement report and who takes part.

use futures_util::TryStreamExt;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde_json::json;
use uuid::Uuid;

use super::auth::Caller;
use super::batches::managed_batch;
use super::error::ApiError;
use super::projects::managed_project;
use super::results::pseudonym;
use super::state::SharedState;
use super::tags::ApiTags;
use crate::domain::account::StaffGroup;
use crate::domain::disclosure::{GroupCount, SMALLEST_SHOWN, disclose};
use crate::domain::export::prisma::{PrismaCounts, tally};
use crate::domain::export::screening_decision;
use crate::domain::kinds::TaskKind;
use crate::domain::reestimate::estimated_accuracy;
use crate::domain::report::agreement_by_question;
use crate::store::Batch;

pub struct QualityApi;

/// An answer in the resolver queue.
#[derive(Object)]
pub struct QueueAnswer {
    /// Pseudonymous contributor id, stable within the project.
    contributor: String,
    answer: serde_json::Value,
}

/// A task the crowd could not settle.
#[derive(Object)]
pub struct QueueEntry {
    task_id: Uuid,
    batch_id: Uuid,
    content: serde_json::Value,
    /// The posterior per question when the task reached its maximum answers.
    consensus: serde_json::Value,
    confidence: f64,
    answers: Vec<QueueAnswer>,
}

#[derive(Object)]
pub struct ResolverQueue {
    tasks: Vec<QueueEntry>,
}

/// Your final answer for a task, in the task kind's answer shape.
#[derive(Object)]
pub struct Resolution {
    answer: serde_json::Value,
    /// Why, for the record.
    note: Option<String>,
}

/// One contributor's record on the batch.
#[derive(Object)]
pub struct ContributorQuality {
    contributor: String,
    answers: u64,
    /// Estimated from the batch's Dawid–Skene model (after re-estimation);
    /// absent until then.
    #[oai(skip_serializing_if_is_none)]
    estimated_accuracy: Option<f64>,
    gold_correct: u64,
    gold_total: u64,
}

/// Agreement and progress of a batch.
#[derive(Object)]
pub struct BatchReport {
    batch_id: Uuid,
    /// The first question's Fleiss' kappa (see `agreement` for what it
    /// covers); absent when undefined.
    #[oai(skip_serializing_if_is_none)]
    fleiss_kappa: Option<f64>,
    /// The first question's Krippendorff's alpha (nominal) over all counted
    /// answers; absent when undefined.
    #[oai(skip_serializing_if_is_none)]
    krippendorff_alpha: Option<f64>,
    /// Agreement on every question of the batch.
    agreement: Vec<QuestionAgreementView>,
    share_settled: f64,
    share_escalated: f64,
    share_open: f64,
    /// Mean answers on settled tasks; absent while none is settled.
    #[oai(skip_serializing_if_is_none)]
    answers_per_settled_task: Option<f64>,
    /// Share of counted gold answers that were right; absent without gold answers.
    #[oai(skip_serializing_if_is_none)]
    gold_accuracy: Option<f64>,
    contributors: Vec<ContributorQuality>,
    /// Answers received per UTC day (days with none are left out), oldest
    /// first: how the batch has progressed over time.
    answers_by_day: Vec<DayCount>,
    /// Screening batches only: the PRISMA flow counts.
    #[oai(skip_serializing_if_is_none)]
    prisma: Option<PrismaCounts>,
}

/// Answers received on one day.
#[derive(Object)]
pub struct DayCount {
    day: chrono::NaiveDate,
    answers: u64,
}

/// How much contributors agree on one question, and what each figure covers.
#[derive(Object)]
pub struct QuestionAgreementView {
    /// The question's key, e.g. `decision` or `code:staffing`.
    question: String,
    /// Tasks with at least two decisive counted answers to the question.
    tasks: u64,
    /// Krippendorff's alpha (nominal) over all those tasks, whatever their
    /// number of answers; absent when undefined.
    #[oai(skip_serializing_if_is_none)]
    krippendorff_alpha: Option<f64>,
    /// Fleiss' kappa over the `fleiss_tasks` tasks that have exactly
    /// `fleiss_raters` answers (the most common number) and no others, since
    /// it needs equal raters per task; absent when undefined.
    #[oai(skip_serializing_if_is_none)]
    fleiss_kappa: Option<f64>,
    fleiss_tasks: u64,
    fleiss_raters: u32,
}

/// Participation by staff group. Counts are absent for a group of
/// fewer than five people, and for the next smallest group when only one
/// would otherwise be hidden, so that no one can be singled out.
#[derive(Object)]
pub struct EngagementGroup {
    staff_group: StaffGroup,
    #[oai(skip_serializing_if_is_none)]
    contributors: Option<u64>,
    #[oai(skip_serializing_if_is_none)]
    answers: Option<u64>,
}

#[derive(Object)]
pub struct Engagement {
    groups: Vec<EngagementGroup>,
    /// Everyone who took part; absent when fewer than five did.
    #[oai(skip_serializing_if_is_none)]
    contributors: Option<u64>,
    /// All their answers; absent when fewer than five people took part.
    #[oai(skip_serializing_if_is_none)]
    answers: Option<u64>,
    /// The smallest number of people any figure here describes.
    smallest_group_shown: u64,
}

#[derive(ApiResponse)]
pub enum QueueResponse {
    #[oai(status = 200)]
    Ok(Json<ResolverQueue>),
}

#[derive(ApiResponse)]
pub enum ResolutionResponse {
    /// Recorded; the task is now `resolved`.
    #[oai(status = 204)]
    Resolved,
}

#[derive(ApiResponse)]
pub enum ReportResponse {
    #[oai(status = 200)]
    Ok(Json<BatchReport>),
}

#[derive(ApiResponse)]
pub enum EngagementResponse {
    #[oai(status = 200)]
    Ok(Json<Engagement>),
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

#[OpenApi(tag = "ApiTags::Quality")]
impl QualityApi {
    /// Tasks that reached their maximum answers without a confident consensus.
    #[oai(
        path = "/v1/projects/:project_id/resolver-queue",
        method = "get",
        operation_id = "get_resolver_queue"
    )]
    async fn queue(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        project_id: Path<Uuid>,
    ) -> Result<QueueResponse, ApiError> {
        let project = managed_project(&state, &caller, project_id.0).await?;
        let key = state.pseudonym_key;
        let tasks = state
            .store
            .resolver_queue(project.id)
            .await?
            .into_iter()
            .map(|item| QueueEntry {
                task_id: item.task_id,
                batch_id: item.batch_id,
                content: item.content,
                consensus: item.consensus,
                confidence: item.confidence,
                answers: item
                    .answers
                    .into_iter()
                    .map(|a| QueueAnswer {
                        contributor: pseudonym(&key, project.id, a.contributor_id),
                        answer: a.answer,
                    })
                    .collect(),
            })
            .collect();
        Ok(QueueResponse::Ok(Json(ResolverQueue { tasks })))
    }

    /// Record the researcher's final answer for a task.
    #[oai(
        path = "/v1/tasks/:task_id/resolution",
        method = "post",
        operation_id = "create_resolution"
    )]
    async fn resolve(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        task_id: Path<Uuid>,
        body: Json<Resolution>,
    ) -> Result<ResolutionResponse, ApiError> {
        let not_found = || ApiError::not_found("There is no such task.");
        let (_, batch_id) = state
            .store
            .task_batches(&[task_id.0])
            .await?
            .pop()
            .ok_or_else(not_found)?;
        let batch = managed_batch(&state, &caller, batch_id).await?;
        let answer = batch
            .settings
            .parse_answer(&body.0.answer)
            .map_err(|e| ApiError::from(e.within("answer")))?;
        let resolution = json!({
            "resolved_by": "researcher",
            "answer": answer.to_json(),
            "note": body.0.note,
        });
        if state.store.resolve_task(task_id.0, resolution).await? {
            Ok(ResolutionResponse::Resolved)
        } else {
            Err(not_found())
        }
    }

    /// Agreement report: Fleiss' kappa, Krippendorff's alpha, shares of tasks
    /// settled / escalated / open, answers per settled task, per-contributor
    /// estimated accuracy (pseudonymous) and gold accuracy.
    #[oai(
        path = "/v1/batches/:batch_id/report",
        method = "get",
        operation_id = "get_batch_report"
    )]
    async fn report(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        batch_id: Path<Uuid>,
    ) -> Result<ReportResponse, ApiError> {
        let batch = managed_batch(&state, &caller, batch_id.0).await?;
        let counts = state.store.batch_counts(batch.id).await?;
        let votes = state.store.batch_votes(batch.id).await?;
        let questions = batch.settings.questions();
        let classes: Vec<usize> = questions.iter().map(|q| q.labels.len()).collect();
        let agreement: Vec<QuestionAgreementView> = agreement_by_question(&votes.rows, &classes)
            .into_iter()
            .zip(&questions)
            .map(|(a, q)| QuestionAgreementView {
                question: q.key.clone(),
                tasks: a.tasks as u64,
                krippendorff_alpha: a.krippendorff_alpha,
                fleiss_kappa: a.fleiss_kappa,
                fleiss_tasks: a.fleiss_tasks as u64,
                fleiss_raters: a.fleiss_raters,
            })
            .collect();
        let first = agreement.first();
        let (kappa, alpha) = (
            first.and_then(|a| a.fleiss_kappa),
            first.and_then(|a| a.krippendorff_alpha),
        );
        let models: std::collections::HashMap<Uuid, _> = state
            .store
            .worker_models(batch.id)
            .await?
            .into_iter()
            .collect();
        let participation = state.store.batch_participation(batch.id).await?;
        let (gold_correct, gold_total) = participation
            .iter()
            .fold((0, 0), |(c, t), p| (c + p.gold_correct, t + p.gold_total));
        let prisma = match batch.kind() {
            TaskKind::Screening => Some(prisma_counts(&state, &batch).await?),
            _ => None,
        };
        let answers_by_day = state
            .store
            .answers_by_day(batch.id)
            .await?
            .into_iter()
            .map(|(day, answers)| DayCount { day, answers })
            .collect();
        let key = state.pseudonym_key;
        let regular = counts.tasks - counts.gold_tasks;
        let done = counts.settled + counts.resolved;
        Ok(ReportResponse::Ok(Json(BatchReport {
            batch_id: batch.id,
            fleiss_kappa: kappa,
            krippendorff_alpha: alpha,
            agreement,
            share_settled: ratio(done, regular),
            share_escalated: ratio(counts.escalated, regular),
            share_open: ratio(counts.open + counts.in_progress, regular),
            answers_per_settled_task: (done > 0).then(|| ratio(counts.answers_on_settled, done)),
            gold_accuracy: (gold_total > 0).then(|| ratio(gold_correct, gold_total)),
            contributors: participation
                .into_iter()
                .map(|p| ContributorQuality {
                    contributor: pseudonym(&key, batch.project_id, p.contributor_id),
                    answers: p.answers,
                    estimated_accuracy: models.get(&p.contributor_id).and_then(estimated_accuracy),
                    gold_correct: p.gold_correct,
                    gold_total: p.gold_total,
                })
                .collect(),
            answers_by_day,
            prisma,
        })))
    }

    /// Who takes part in the project, by staff group, with small numbers
    /// suppressed: a group of fewer than five people shows no counts.
    #[oai(
        path = "/v1/projects/:project_id/engagement",
        method = "get",
        operation_id = "get_project_engagement"
    )]
    async fn engagement(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        project_id: Path<Uuid>,
    ) -> Result<EngagementResponse, ApiError> {
        let project = managed_project(&state, &caller, project_id.0).await?;
        let rows = state.store.engagement(project.id).await?;
        let counts = rows.into_iter().map(|row| GroupCount {
            group: row.staff_group,
            people: row.contributors,
            answers: row.answers,
        });
        let shown = disclose(counts.collect());
        Ok(EngagementResponse::Ok(Json(Engagement {
            groups: shown
                .groups
                .into_iter()
                .map(|g| EngagementGroup {
                    staff_group: g.group,
                    contributors: g.people,
                    answers: g.answers,
                })
                .collect(),
            contributors: shown.people,
            answers: shown.answers,
            smallest_group_shown: SMALLEST_SHOWN,
        })))
    }
}

/// The PRISMA counts of a screening batch, from every regular record's
/// final decision (one pass over the batch, like the export).
async fn prisma_counts(state: &SharedState, batch: &Batch) -> Result<PrismaCounts, ApiError> {
    let decisions: Vec<_> = state
        .store
        .task_results(batch.id)
        .try_filter_map(|result| async move {
            Ok((!result.is_gold)
                .then(|| screening_decision(result.state, &result.consensus).decision))
        })
        .try_collect()
        .await?;
    Ok(tally(batch.duplicates_dropped, decisions))
}
