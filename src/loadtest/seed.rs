//! Seeding straight through the store, not over HTTP: a million tasks go in
//! as one streamed batch, and accounts get a cheap password hash so that a
//! thousand logins take seconds rather than minutes.

use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::Utc;
use serde_json::json;
use uuid::Uuid;

use tessera::domain::account::{Role, StaffGroup, normalise_roles};
use tessera::domain::kinds::{KindSettings, TaskKind};
use tessera::domain::policy::BatchPolicy;
use tessera::domain::project::{Audience, WorkStatus};
use tessera::store::{Account, Batch, GoldAnswer, NewTask, Project, Store};

/// The password of every seeded account.
pub const PASSWORD: &str = "loadtest-password";

/// The decision a careful screener would give: fixed per task, so simulated
/// staff agree often enough for consensus to settle tasks as in real use.
pub fn truth(task_id: Uuid) -> &'static str {
    if task_id.as_bytes()[15] % 2 == 0 {
        "include"
    } else {
        "exclude"
    }
}

/// Emails of the seeded accounts of one run; the run tag keeps reruns
/// against the same server from colliding.
pub struct People {
    pub researcher: String,
    pub staff: Vec<String>,
}

impl People {
    pub fn new(run: &str, staff: usize) -> Self {
        Self {
            researcher: format!("researcher.{run}@loadtest.tessera.test"),
            staff: (0..staff)
                .map(|i| format!("staff{i}.{run}@loadtest.tessera.test"))
                .collect(),
        }
    }
}

/// Creates the researcher and staff accounts; returns the researcher's id.
pub async fn accounts(store: &dyn Store, people: &People) -> anyhow::Result<Uuid> {
    let hash = cheap_hash()?;
    let researcher = account(&people.researcher, &[Role::Researcher]);
    store.create_account(&researcher, &hash).await?;
    for email in &people.staff {
        store.create_account(&account(email, &[]), &hash).await?;
    }
    Ok(researcher.id)
}

fn account(email: &str, roles: &[Role]) -> Account {
    Account {
        id: Uuid::new_v4(),
        email: email.to_owned(),
        display_name: "Load Test".to_owned(),
        staff_group: StaffGroup::NursingAndMidwifery,
        organisation: Some("Load Test Trust".to_owned()),
        organisation_id: None,
        email_confirmed: false,
        signed_in_through: None,
        registration_number: None,
        roles: normalise_roles(roles.iter().copied()),
        created_at: Utc::now(),
    }
}

/// An argon2id hash with the smallest parameters argon2 allows. A verifier
/// takes the parameters from the hash itself, so logins stay real (the
/// server checks the password) but cost well under a millisecond each
/// instead of tens: the benchmark measures the five-minute loop, not logins.
fn cheap_hash() -> anyhow::Result<String> {
    let params = Params::new(Params::MIN_M_COST, 1, 1, None)
        .map_err(|err| anyhow::anyhow!("argon2 parameters: {err}"))?;
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(PASSWORD.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| anyhow::anyhow!("hashing the load-test password: {err}"))
}

/// What to put in the screening batch.
pub struct BatchPlan {
    pub tasks: u64,
    /// Gold tasks among `tasks`: a fixed set, as researchers write them,
    /// not a share that grows with the batch.
    pub gold: u64,
    pub policy: BatchPolicy,
}

/// Creates a live project with one live screening batch of `plan.tasks`
/// tasks, streamed into the store; returns the batch id.
pub async fn screening_batch(
    store: &dyn Store,
    owner: Uuid,
    plan: BatchPlan,
) -> anyhow::Result<Uuid> {
    let project = Project {
        id: Uuid::new_v4(),
        owner_id: owner,
        title: "Load test screening".into(),
        summary: "Synthetic papers for the load benchmark.".into(),
        purpose: "Measuring the five-minute loop.".into(),
        audience: Audience::default(),
        status: WorkStatus::Live,
        outcome_note: None,
        created_at: Utc::now(),
    };
    store.create_project(&project).await?;
    let settings = KindSettings::parse(
        TaskKind::Screening,
        &json!({"inclusion_criteria": "Randomised controlled trials in adult inpatients."}),
    )
    .map_err(|err| anyhow::anyhow!("screening settings: {}", err.message))?;
    let gold_answer = |decision: &str| -> anyhow::Result<GoldAnswer> {
        let parsed = settings
            .parse_answer(&json!({ "decision": decision }))
            .map_err(|err| anyhow::anyhow!("gold answer: {}", err.message))?;
        Ok(GoldAnswer {
            answer: parsed.to_json(),
            votes: parsed.votes().to_vec(),
            explanation: "The synthetic truth for this paper.".into(),
        })
    };
    let (include, exclude) = (gold_answer("include")?, gold_answer("exclude")?);
    let batch = Batch {
        id: Uuid::new_v4(),
        project_id: project.id,
        name: format!("{} synthetic papers", plan.tasks),
        answer_schema: settings.answer_schema(),
        settings,
        instructions: "Read the title and abstract. Does it meet the criteria?".into(),
        policy: plan.policy,
        status: WorkStatus::Live,
        duplicates_dropped: 0,
        created_at: Utc::now(),
    };
    let gold = plan.gold;
    // Lazily generated: a million tasks never sit in memory at once.
    let tasks = (0..plan.tasks).map(move |i| {
        let id = Uuid::new_v4();
        let answer = if truth(id) == "include" {
            &include
        } else {
            &exclude
        };
        NewTask {
            id,
            external_id: Some(format!("LT{i}")),
            content: json!({
                "title": format!("Synthetic paper {i}: a ward-based intervention"),
                "abstract": format!("Abstract of synthetic paper {i}, written for the load benchmark."),
            }),
            gold: (i < gold).then(|| answer.clone()),
        }
    });
    let stored = store.import_batch(&batch, Box::new(tasks)).await?;
    anyhow::ensure!(
        stored == plan.tasks,
        "stored {stored} of {} tasks",
        plan.tasks
    );
    Ok(batch.id)
}
