//! What a contributor's work fed into, per project and batch.

use poem_openapi::Object;
use uuid::Uuid;

use crate::store::BatchImpact;

/// One batch you answered in, and how far it has got.
#[derive(Object)]
pub struct BatchImpactView {
    /// The batch's id.
    batch_id: Uuid,
    /// The batch's name.
    name: String,
    /// `screening`, `coding` or `observation`.
    kind: String,
    /// Tasks in the batch (gold questions not included).
    tasks: u64,
    /// Tasks with a final result: settled by consensus or resolved by the researcher.
    finished: u64,
    /// `finished` as a whole percentage of `tasks`, rounded down.
    percent_finished: u64,
    /// Answers you gave in this batch.
    your_answers: u64,
    /// Finished tasks whose result your counted answer fed into.
    finished_with_your_help: u64,
}

/// What one project's batches achieved with your help.
#[derive(Object)]
pub struct ProjectImpactView {
    /// The project's id.
    project_id: Uuid,
    /// The project's title.
    project_title: String,
    /// What the researchers say came of the project, once they publish it.
    #[oai(skip_serializing_if_is_none)]
    outcome_note: Option<String>,
    /// Answers you gave in this project.
    your_answers: u64,
    /// Tasks with a final result that your counted answers fed into.
    finished_with_your_help: u64,
    /// The project's batches you answered in, oldest first.
    batches: Vec<BatchImpactView>,
}

/// Every project you have worked on.
#[derive(Object)]
pub struct ImpactView {
    /// By project title.
    projects: Vec<ProjectImpactView>,
}

/// Whole percent, rounded down; 0 of nothing is 0.
fn percent(part: u64, whole: u64) -> u64 {
    (part.min(whole) * 100).checked_div(whole).unwrap_or(0)
}

pub fn impact_view(batches: Vec<BatchImpact>) -> ImpactView {
    let mut projects: Vec<ProjectImpactView> = Vec::new();
    for batch in batches {
        let view = BatchImpactView {
            batch_id: batch.batch_id,
            name: batch.batch_name,
            kind: batch.kind.as_str().to_owned(),
            tasks: batch.tasks,
            finished: batch.finished,
            percent_finished: percent(batch.finished, batch.tasks),
            your_answers: batch.answers,
            finished_with_your_help: batch.finished_with_contributor,
        };
        let project = match projects
            .iter_mut()
            .find(|p| p.project_id == batch.project_id)
        {
            Some(project) => project,
            None => {
                projects.push(ProjectImpactView {
                    project_id: batch.project_id,
                    project_title: batch.project_title,
                    outcome_note: batch.outcome_note,
                    your_answers: 0,
                    finished_with_your_help: 0,
                    batches: Vec::new(),
                });
                let last = projects.len() - 1;
                &mut projects[last]
            }
        };
        project.your_answers += view.your_answers;
        project.finished_with_your_help += view.finished_with_your_help;
        project.batches.push(view);
    }
    ImpactView { projects }
}
