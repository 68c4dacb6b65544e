//! The demo's projects: one of each task kind, with synthetic tasks written
//! for the demo (no real patients, papers or incidents) and a few gold tasks.

use chrono::Utc;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::domain::kinds::{KindSettings, TaskKind};
use crate::domain::policy::BatchPolicy;
use crate::domain::project::{Audience, WorkStatus};
use crate::store::{Batch, GoldAnswer, NewTask, Project, Store};

const TOPICS: [&str; 12] = [
    "early mobilisation after hip fracture surgery",
    "chlorhexidine bathing in intensive care",
    "nurse-led discharge planning for heart failure",
    "music therapy for agitation in dementia",
    "pharmacist medication review in care homes",
    "hourly rounding and inpatient falls",
    "oral care bundles to prevent pneumonia",
    "early warning scores in maternity units",
    "volunteer feeding assistance on older people's wards",
    "handover checklists between shifts",
    "pressure ulcer prevention with repositioning schedules",
    "peer support for newly qualified nurses",
];

const DESIGNS: [&str; 4] = [
    "a randomised controlled trial",
    "a before-and-after study",
    "a qualitative interview study",
    "a cost analysis",
];

const COMMENTS: [&str; 8] = [
    "The night shift was two staff short and call bells went unanswered.",
    "Handover was rushed because the ward phone kept ringing.",
    "The new hoist made transfers quicker and patients felt safer.",
    "We could not find the sepsis screening tool on the shared drive.",
    "Parking took 40 minutes so I arrived stressed before my shift.",
    "The pharmacy delivery came late and evening doses were delayed.",
    "A relative thanked the team for explaining the care plan clearly.",
    "Agency staff did not have log-ins for the electronic record.",
];

/// Creates the three demo projects owned by `researcher`.
pub async fn seed_projects(store: &dyn Store, researcher: Uuid) -> anyhow::Result<()> {
    let screening = KindSettings::parse(
        TaskKind::Screening,
        &json!({"inclusion_criteria": "Include randomised controlled trials of a nursing intervention in adult inpatients. Exclude everything else."}),
    )?;
    let tasks = (0..36).map(|i| {
        let topic = TOPICS[i % TOPICS.len()];
        let design = DESIGNS[(i / TOPICS.len()) % DESIGNS.len()];
        let content = json!({
            "title": format!("Effect of {topic}: {design}"),
            "abstract": format!("We report {design} of {topic} in adult inpatients at three hospitals. Outcomes were measured over six months."),
            "year": 2015 + (i % 10) as i64,
        });
        let gold = (i < 4).then(|| {
            let include = design == "a randomised controlled trial";
            (json!({"decision": if include { "include" } else { "exclude" }}),
             if include { "It is a randomised trial of a nursing intervention in adult inpatients." } else { "It is not a randomised controlled trial." })
        });
        (content, gold)
    });
    seed_project(store, researcher, "Which studies belong in our falls and safety review?",
        "Read a short research summary and say whether it fits the review. Your answers decide which studies nurses' guidance is built on.",
        "Screening for a systematic review of nursing interventions.", screening, "Read the title and abstract. Does it meet the criteria?", tasks).await?;

    let coding = KindSettings::parse(
        TaskKind::Coding,
        &json!({"codes": [
            {"code": "staffing", "description": "Too few staff, skill mix, agency cover"},
            {"code": "equipment", "description": "Equipment or IT that helped or got in the way"},
            {"code": "communication", "description": "Handover, explaining, information"},
            {"code": "other", "description": "None of the above"}
        ], "multiple": false}),
    )?;
    let tasks = (0..32).map(|i| {
        let text = COMMENTS[i % COMMENTS.len()];
        let gold = (i < 3).then(|| {
            let code = ["staffing", "communication", "equipment"][i];
            (
                json!({ "codes": [code] }),
                "The comment is mainly about this theme.",
            )
        });
        (json!({"text": text}), gold)
    });
    seed_project(store, researcher, "What is getting in the way on the wards?",
        "Sort short staff-survey comments into themes. The themes go straight to the staff experience group.",
        "Coding free-text answers from the staff survey.", coding, "Pick the theme that fits the comment best.", tasks).await?;

    let observation = KindSettings::parse(
        TaskKind::Observation,
        &json!({"fields": [
            {"name": "moment", "label": "Moment of hand hygiene", "type": "choice", "required": true,
             "options": ["before patient contact", "after patient contact", "after body fluid exposure"]},
            {"name": "performed", "label": "Hand hygiene performed", "type": "yes_no", "required": true},
            {"name": "seconds", "label": "Seconds of hand rubbing", "type": "number", "min": 0, "max": 120, "required": false}
        ]}),
    )?;
    let tasks = (0..30).map(|i| {
        let performed = i % 3 != 0;
        let moment = [
            "before patient contact",
            "after patient contact",
            "after body fluid exposure",
        ][i % 3];
        let content = json!({"observation": {
            "moment": moment,
            "performed": performed,
            "seconds": if performed { 20 + (i % 5) as i64 * 5 } else { 0 },
        }});
        (content, None)
    });
    seed_project(store, researcher, "Hand hygiene audit check",
        "Look at a colleague's hand-hygiene observation and say whether it looks right. Checked audits feed the infection prevention dashboard.",
        "Verifying hand-hygiene audit observations.", observation, "Does this observation look complete and believable?", tasks).await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn seed_project(
    store: &dyn Store,
    researcher: Uuid,
    title: &str,
    summary: &str,
    purpose: &str,
    settings: KindSettings,
    instructions: &str,
    tasks: impl Iterator<Item = (Value, Option<(Value, &'static str)>)>,
) -> anyhow::Result<()> {
    let project = Project {
        id: Uuid::new_v4(),
        owner_id: researcher,
        title: title.into(),
        summary: summary.into(),
        purpose: purpose.into(),
        audience: Audience::default(),
        status: WorkStatus::Live,
        outcome_note: None,
        created_at: Utc::now(),
    };
    store.create_project(&project).await?;
    let mut new_tasks = Vec::new();
    for (content, gold) in tasks {
        let content = settings.parse_content(&content)?;
        let gold = match gold {
            Some((answer, explanation)) => {
                let parsed = settings.parse_answer(&answer)?;
                Some(GoldAnswer {
                    answer: parsed.to_json(),
                    votes: parsed.votes().to_vec(),
                    explanation: explanation.into(),
                })
            }
            None => None,
        };
        new_tasks.push(NewTask {
            id: Uuid::new_v4(),
            external_id: None,
            content,
            gold,
        });
    }
    let batch = Batch {
        id: Uuid::new_v4(),
        project_id: project.id,
        name: "Demo batch".into(),
        answer_schema: settings.answer_schema(),
        settings,
        instructions: instructions.into(),
        policy: BatchPolicy {
            min_answers: 2,
            max_answers: 4,
            target_confidence: 0.9,
            estimated_seconds: 20,
            ..BatchPolicy::default()
        },
        status: WorkStatus::Live,
        duplicates_dropped: 0,
        created_at: Utc::now(),
    };
    store
        .import_batch(&batch, Box::new(new_tasks.into_iter()))
        .await?;
    Ok(())
}
