//! Background work that keeps quality estimates fresh. Correctness never
//! depends on it: the answer path updates each task's consensus on its own;
//! this only refines contributor models with EM over whole batches.

use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;

use crate::domain::project::WorkStatus;
use crate::domain::reestimate::reestimate;
use crate::store::Store;

/// Re-estimates one batch and stores the result; returns tasks re-evaluated.
pub async fn reestimate_batch(store: &dyn Store, batch_id: Uuid) -> anyhow::Result<usize> {
    let Some(batch) = store.batch(batch_id).await? else {
        return Ok(0);
    };
    let votes = store.batch_votes(batch_id).await?;
    let questions = batch.settings.questions();
    let policy = batch.policy.clone();
    // EM over a large batch takes seconds of CPU: keep it off the async threads.
    let result =
        tokio::task::spawn_blocking(move || reestimate(&questions, &policy, &votes)).await?;
    let tasks = result.verdicts.len();
    store
        .save_reestimate(batch_id, result.models, result.verdicts)
        .await?;
    Ok(tasks)
}

/// Re-estimates every live batch now and then, until the process ends.
pub fn spawn_reestimation(store: Arc<dyn Store>, every: Duration) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        ticker.tick().await;
        loop {
            ticker.tick().await;
            if let Err(err) = reestimate_live_batches(store.as_ref()).await {
                tracing::warn!(error = %format!("{err:#}"), "re-estimation failed; will retry");
            }
        }
    });
}

async fn reestimate_live_batches(store: &dyn Store) -> anyhow::Result<()> {
    for project in store.projects().await? {
        if project.status != WorkStatus::Live {
            continue;
        }
        for batch in store.project_batches(project.id).await? {
            if batch.status == WorkStatus::Live {
                let tasks = reestimate_batch(store, batch.id).await?;
                tracing::info!(batch = %batch.id, tasks, "re-estimated batch");
            }
        }
    }
    Ok(())
}
