//! Every index Tessera relies on, listed in one place and created at start-up.
//!
//! `createIndexes` is a no-op for an index that already exists with the
//! same name and keys, so every replica runs this on each start. Changing an
//! existing index means giving it a new name (and dropping the old one):
//! the server refuses to redefine a name, and start-up fails loudly.

use mongodb::bson::{Document, doc};
use mongodb::options::IndexOptions;
use mongodb::{Database, IndexModel};

use super::documents::names;

/// One index: the collection, its name, its keys and whether it is unique.
struct Spec {
    collection: &'static str,
    name: &'static str,
    keys: Document,
    unique: bool,
}

fn spec(collection: &'static str, name: &'static str, keys: Document, unique: bool) -> Spec {
    Spec {
        collection,
        name,
        keys,
        unique,
    }
}

/// The indexes, with why each exists.
fn specs() -> Vec<Spec> {
    vec![
        // One account per email: registration races end in a conflict.
        spec(names::ACCOUNTS, "accounts_email", doc! { "email": 1 }, true),
        // An organisation's members, for the administrators' search.
        spec(
            names::ACCOUNTS,
            "accounts_organisation",
            doc! { "organisation_id": 1, "_id": 1 },
            false,
        ),
        // Single sign-on finds the account linked to a provider's subject.
        // (Not unique: most accounts have neither field. A subject's first
        // two sign-ins racing still meet the unique email.)
        spec(
            names::ACCOUNTS,
            "accounts_sign_on",
            doc! { "sign_on_organisation_id": 1, "sign_on_subject": 1 },
            false,
        ),
        // Each new sign-in clears the expired ones.
        spec(
            names::PENDING_SIGN_ONS,
            "pending_sign_ons_expiry",
            doc! { "expires_at": 1 },
            false,
        ),
        // Registration and confirmation look an address's domain up.
        spec(
            names::ORGANISATIONS,
            "organisations_domains",
            doc! { "email_domains": 1 },
            false,
        ),
        // A token hash identifies one token; rotation looks it up.
        spec(
            names::REFRESH_TOKENS,
            "refresh_tokens_hash",
            doc! { "token_hash": 1 },
            true,
        ),
        // Reuse and logout revoke a whole family.
        spec(
            names::REFRESH_TOKENS,
            "refresh_tokens_family",
            doc! { "family_id": 1 },
            false,
        ),
        // Projects are listed newest first.
        spec(
            names::PROJECTS,
            "projects_created",
            doc! { "created_at": -1 },
            false,
        ),
        // A researcher's own projects, newest first.
        spec(
            names::PROJECTS,
            "projects_owner",
            doc! { "owner_id": 1, "created_at": -1 },
            false,
        ),
        // A project's batches, oldest first.
        spec(
            names::BATCHES,
            "batches_project",
            doc! { "project_id": 1, "created_at": 1 },
            false,
        ),
        // Claims list live batches; the start-up sweep finds unready ones.
        spec(
            names::BATCHES,
            "batches_status",
            doc! { "status": 1, "ready": 1 },
            false,
        ),
        // Claims walk a batch's open regular tasks in upload order, skipping
        // full ones by `busy_until` without reading the documents.
        spec(
            names::TASKS,
            "tasks_claim",
            doc! { "batch_id": 1, "state": 1, "is_gold": 1, "seq": 1, "busy_until": 1 },
            false,
        ),
        // Gold tasks of a batch, sampled at random for each claim.
        spec(
            names::TASKS,
            "tasks_gold",
            doc! { "batch_id": 1, "is_gold": 1 },
            false,
        ),
        // Exports stream a batch in upload order; one position per task.
        spec(
            names::TASKS,
            "tasks_order",
            doc! { "batch_id": 1, "seq": 1 },
            true,
        ),
        // A retried submission is recognised by its client id.
        spec(
            names::ANSWERS,
            "answers_client",
            doc! { "client_id": 1 },
            true,
        ),
        // One answer per person per task, whatever client ids are sent.
        spec(
            names::ANSWERS,
            "answers_task_contributor",
            doc! { "task_id": 1, "contributor_id": 1 },
            true,
        ),
        // Exports list a task's answers in arrival order.
        spec(
            names::ANSWERS,
            "answers_task_time",
            doc! { "task_id": 1, "created_at": 1, "_id": 1 },
            false,
        ),
        // A contributor's answers within a batch.
        spec(
            names::ANSWERS,
            "answers_batch_contributor",
            doc! { "batch_id": 1, "contributor_id": 1 },
            false,
        ),
        // One record per contributor per batch (gold tally, answer count).
        spec(
            names::PARTICIPATION,
            "participation_batch_contributor",
            doc! { "batch_id": 1, "contributor_id": 1 },
            true,
        ),
        // One learned model per contributor per batch.
        spec(
            names::WORKER_MODELS,
            "worker_models_batch_contributor",
            doc! { "batch_id": 1, "contributor_id": 1 },
            true,
        ),
        // One ledger entry per answer: credit is never written twice.
        spec(
            names::CREDIT_LEDGER,
            "credit_ledger_answer",
            doc! { "answer_id": 1 },
            true,
        ),
        // A contributor's certificates.
        spec(
            names::CERTIFICATES,
            "certificates_contributor",
            doc! { "contributor_id": 1, "created_at": 1 },
            false,
        ),
        // A place in the revocation status list belongs to one certificate.
        spec(
            names::CERTIFICATE_STATUS,
            "certificate_status_index",
            doc! { "index": 1 },
            true,
        ),
        // A contributor's credit over time, for certificates.
        spec(
            names::CREDIT_LEDGER,
            "credit_ledger_contributor",
            doc! { "contributor_id": 1, "created_at": 1 },
            false,
        ),
    ]
}

/// Creates every index that does not exist yet, collection by collection.
pub async fn ensure(db: &Database) -> mongodb::error::Result<()> {
    let mut by_collection: Vec<(&str, Vec<IndexModel>)> = Vec::new();
    for Spec {
        collection,
        name,
        keys,
        unique,
    } in specs()
    {
        let options = IndexOptions::builder()
            .name(name.to_owned())
            .unique(unique.then_some(true))
            .build();
        let model = IndexModel::builder().keys(keys).options(options).build();
        match by_collection
            .iter_mut()
            .find(|(existing, _)| *existing == collection)
        {
            Some((_, models)) => models.push(model),
            None => by_collection.push((collection, vec![model])),
        }
    }
    for (collection, models) in by_collection {
        db.collection::<Document>(collection)
            .create_indexes(models)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_names_are_unique() {
        let mut seen: Vec<&str> = specs().iter().map(|spec| spec.name).collect();
        let total = seen.len();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), total);
    }

    #[test]
    fn the_invariants_are_backed_by_unique_indexes() {
        let unique: Vec<&str> = specs()
            .iter()
            .filter(|spec| spec.unique)
            .map(|spec| spec.name)
            .collect();
        for name in [
            "accounts_email",
            "refresh_tokens_hash",
            "answers_client",
            "answers_task_contributor",
            "credit_ledger_answer",
        ] {
            assert!(unique.contains(&name), "{name} must be unique");
        }
    }
}
