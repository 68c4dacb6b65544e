//! A contributor's own credited time and what it fed into.

mod impact;

use chrono::{NaiveDate, Utc};
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use self::impact::{ImpactView, impact_view};
use super::auth::Caller;
use super::error::ApiError;
use super::state::SharedState;
use super::tags::ApiTags;
use crate::domain::certificate::format_hours;
use crate::domain::credits::{CreditTotals, DateRange, Ratio, Streak, streak, summarise, tally};

pub struct CreditsApi;

/// An amount of credited time. Logged observations count as answers here.
/// Marked answers earn time like any other but are counted separately, so
/// you can see how much came before you qualified on a batch or from gold
/// questions answered wrongly.
#[derive(Object)]
pub struct CreditAmount {
    /// Answers credited, observations logged included.
    answers: u64,
    /// Seconds credited, marked answers included.
    credited_seconds: u64,
    /// The same time in hours with two decimals, rounded down as on
    /// certificates, e.g. `"1.49"`.
    credited_hours: String,
    /// Answers that earned time but are marked: given before you passed a
    /// batch's gold questions, or a gold question answered wrongly.
    marked_answers: u64,
    /// The part of `credited_seconds` that marked answers earned.
    marked_seconds: u64,
}

impl From<CreditTotals> for CreditAmount {
    fn from(totals: CreditTotals) -> Self {
        Self {
            answers: totals.answers,
            credited_seconds: totals.seconds,
            credited_hours: format_hours(totals.seconds),
            marked_answers: totals.marked_answers,
            marked_seconds: totals.marked_seconds,
        }
    }
}

/// Credited time in one project.
#[derive(Object)]
pub struct ProjectCredit {
    /// The project's id.
    project_id: Uuid,
    /// The project's title.
    project_title: String,
    #[oai(flatten)]
    credit: CreditAmount,
}

/// Credited time for one kind of activity.
#[derive(Object)]
pub struct KindCredit {
    /// What the time was for: answering `screening` or `coding` tasks,
    /// verifying observations (`observation`, the kind of batch verified
    /// in), or logging them (`observation_logging`). For logging, `answers`
    /// counts observations logged.
    kind: String,
    /// The activity as certificates name it: "literature screening", "data
    /// coding", "verification" or "observation logging".
    label: String,
    #[oai(flatten)]
    credit: CreditAmount,
}

/// Credited time in one calendar month.
#[derive(Object)]
pub struct MonthCredit {
    /// The month, `YYYY-MM`.
    month: String,
    #[oai(flatten)]
    credit: CreditAmount,
}

/// Days on which you answered at least one task (UTC days), over all time.
#[derive(Object)]
pub struct StreakView {
    /// Consecutive active days up to today (or up to yesterday, until today ends).
    current_days: u32,
    /// Your longest run of consecutive active days.
    longest_days: u32,
    /// Days with any activity, in total.
    active_days: u32,
    /// Your most recent active day.
    #[oai(skip_serializing_if_is_none)]
    last_active_on: Option<NaiveDate>,
}

impl From<Streak> for StreakView {
    fn from(streak: Streak) -> Self {
        Self {
            current_days: streak.current_days,
            longest_days: streak.longest_days,
            active_days: streak.active_days,
            last_active_on: streak.last_active_on,
        }
    }
}

/// "matched out of total", with the whole percentage rounded down.
#[derive(Object)]
pub struct TallyView {
    /// How many matched.
    matched: u64,
    /// How many were compared.
    total: u64,
    /// `matched` as a whole percentage of `total`, rounded down.
    percent: u64,
}

impl TallyView {
    /// `None` when nothing was compared, so no percentage is invented.
    pub fn from_ratio(ratio: Ratio) -> Option<Self> {
        tally(ratio).map(|t| Self {
            matched: t.matched,
            total: t.total,
            percent: t.percent_floor().unwrap_or(0),
        })
    }
}

/// How your answers held up; a field is absent until there is something to compare.
#[derive(Object)]
pub struct QualityView {
    /// Your counted answers on settled tasks that agreed with the consensus.
    #[oai(skip_serializing_if_is_none)]
    consensus_agreement: Option<TallyView>,
    /// Gold (known-answer) questions you answered correctly.
    #[oai(skip_serializing_if_is_none)]
    gold_accuracy: Option<TallyView>,
}

/// Your credited time, broken down, with your streak and quality indicators.
#[derive(Object)]
pub struct CreditsView {
    /// First day counted, when a range was asked for.
    #[oai(skip_serializing_if_is_none)]
    from: Option<NaiveDate>,
    /// Last day counted, when a range was asked for.
    #[oai(skip_serializing_if_is_none)]
    to: Option<NaiveDate>,
    /// Everything in the range.
    total: CreditAmount,
    /// Most credited time first.
    by_project: Vec<ProjectCredit>,
    /// Per kind of task, in a fixed order.
    by_kind: Vec<KindCredit>,
    /// Oldest month first; months without activity are left out.
    by_month: Vec<MonthCredit>,
    /// Over all time, whatever the range.
    streak: StreakView,
    /// Over the range.
    quality: QualityView,
}

#[derive(ApiResponse)]
pub enum CreditsResponse {
    /// Your credits.
    #[oai(status = 200)]
    Ok(Json<CreditsView>),
}

#[derive(ApiResponse)]
pub enum ImpactResponse {
    /// Your impact, one entry per project.
    #[oai(status = 200)]
    Ok(Json<ImpactView>),
}

#[OpenApi(tag = "ApiTags::Credits")]
impl CreditsApi {
    /// Your credited time: the total, and by project, task kind and month,
    /// optionally for a range of days (`from` and `to` inclusive, UTC);
    /// your streak of active days; and quality indicators (agreement with
    /// consensus, gold accuracy). Time is measured by the server: for an
    /// answer, from the moment the task was handed to you, capped at three
    /// times the batch's typical time, with idle time left out; for a logged
    /// observation, a fixed estimate from the fields filled in (15 s, plus
    /// 3-15 s a field by its type, plus 20 s for a photo, at most 5 minutes).
    /// Either way, at most 8 hours a day.
    #[oai(
        path = "/v1/me/credits",
        method = "get",
        operation_id = "get_my_credits"
    )]
    async fn credits(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        /// First day to count (inclusive), e.g. `2025-04-01`.
        from: Query<Option<NaiveDate>>,
        /// Last day to count (inclusive).
        to: Query<Option<NaiveDate>>,
    ) -> Result<CreditsResponse, ApiError> {
        let range = DateRange::parse(from.0, to.0)?;
        let me = caller.account_id();
        let days = state.store.credit_days(me, range).await?;
        let active = state.store.active_days(me).await?;
        let quality = state.store.credit_quality(me, range).await?;
        let summary = summarise(&days);
        Ok(CreditsResponse::Ok(Json(CreditsView {
            from: range.from,
            to: range.to,
            total: summary.totals.into(),
            by_project: summary
                .by_project
                .into_iter()
                .map(|p| ProjectCredit {
                    project_id: p.project_id,
                    project_title: p.project_title,
                    credit: p.totals.into(),
                })
                .collect(),
            by_kind: summary
                .by_kind
                .into_iter()
                .map(|k| KindCredit {
                    kind: k.kind.as_str().to_owned(),
                    label: k.kind.label().to_owned(),
                    credit: k.totals.into(),
                })
                .collect(),
            by_month: summary
                .by_month
                .into_iter()
                .map(|m| MonthCredit {
                    month: m.month,
                    credit: m.totals.into(),
                })
                .collect(),
            streak: streak(&active, Utc::now().date_naive()).into(),
            quality: QualityView {
                consensus_agreement: TallyView::from_ratio(quality.consensus_agreement),
                gold_accuracy: TallyView::from_ratio(quality.gold_accuracy),
            },
        })))
    }

    /// What your work fed into: for each project you answered in, the tasks
    /// that reached a final result with your help, each batch's progress,
    /// and the researchers' outcome note once they publish one.
    #[oai(path = "/v1/me/impact", method = "get", operation_id = "get_my_impact")]
    async fn impact(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
    ) -> Result<ImpactResponse, ApiError> {
        let batches = state.store.impact(caller.account_id()).await?;
        Ok(ImpactResponse::Ok(Json(impact_view(batches))))
    }
}
