//! Schema migrations, applied in order at start-up. `PRAGMA user_version`
//! records how many have run. Never edit a shipped migration: add a new one.

use rusqlite::Connection;

const MIGRATIONS: &[&str] = &[
    // 1: accounts and refresh tokens.
    "CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        display_name TEXT NOT NULL,
        staff_group TEXT NOT NULL,
        organisation TEXT,
        registration_number TEXT,
        roles TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE refresh_tokens (
        token_hash TEXT PRIMARY KEY,
        family_id TEXT NOT NULL,
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        expires_at INTEGER NOT NULL,
        used INTEGER NOT NULL DEFAULT 0,
        revoked INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);",
    // 2: projects, batches, tasks, sessions, answers and the credit ledger.
    "CREATE TABLE projects (
        id TEXT PRIMARY KEY,
        owner_id TEXT NOT NULL,
        title TEXT NOT NULL,
        summary TEXT NOT NULL,
        purpose TEXT NOT NULL,
        audience TEXT NOT NULL,
        status TEXT NOT NULL,
        outcome_note TEXT,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE batches (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL REFERENCES projects(id),
        name TEXT NOT NULL,
        settings TEXT NOT NULL,
        instructions TEXT NOT NULL,
        policy TEXT NOT NULL,
        status TEXT NOT NULL,
        answer_schema TEXT NOT NULL,
        median_seconds REAL NOT NULL,
        answer_count INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX batches_project ON batches(project_id);
    -- seq is the rowid: claims walk a batch in upload order through
    -- tasks_claim, which also covers busy_until so full tasks are skipped
    -- without touching the table.
    CREATE TABLE tasks (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        batch_id TEXT NOT NULL REFERENCES batches(id),
        external_id TEXT,
        content TEXT NOT NULL,
        is_gold INTEGER NOT NULL,
        gold_answer TEXT,
        gold_votes TEXT,
        gold_explanation TEXT,
        state INTEGER NOT NULL DEFAULT 0,
        answer_count INTEGER NOT NULL DEFAULT 0,
        counted_count INTEGER NOT NULL DEFAULT 0,
        busy_until INTEGER NOT NULL DEFAULT 0,
        consensus TEXT,
        confidence REAL NOT NULL DEFAULT 0
    );
    CREATE INDEX tasks_claim ON tasks(batch_id, state, is_gold, seq, busy_until);
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        contributor_id TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        budget_seconds INTEGER NOT NULL,
        credited_seconds INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE leases (
        task_seq INTEGER NOT NULL,
        contributor_id TEXT NOT NULL,
        session_id TEXT NOT NULL,
        leased_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (task_seq, contributor_id)
    ) WITHOUT ROWID;
    CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        client_id TEXT NOT NULL UNIQUE,
        task_seq INTEGER NOT NULL REFERENCES tasks(seq),
        batch_id TEXT NOT NULL,
        contributor_id TEXT NOT NULL,
        answer TEXT NOT NULL,
        votes TEXT NOT NULL,
        counted INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (task_seq, contributor_id)
    );
    CREATE INDEX answers_batch_contributor ON answers(batch_id, contributor_id);
    CREATE TABLE participation (
        batch_id TEXT NOT NULL,
        contributor_id TEXT NOT NULL,
        answers INTEGER NOT NULL DEFAULT 0,
        gold_total INTEGER NOT NULL DEFAULT 0,
        gold_correct INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (batch_id, contributor_id)
    ) WITHOUT ROWID;
    CREATE TABLE worker_models (
        batch_id TEXT NOT NULL,
        contributor_id TEXT NOT NULL,
        model TEXT NOT NULL,
        PRIMARY KEY (batch_id, contributor_id)
    ) WITHOUT ROWID;
    CREATE TABLE credit_ledger (
        id INTEGER PRIMARY KEY,
        answer_id INTEGER NOT NULL UNIQUE REFERENCES answers(id),
        contributor_id TEXT NOT NULL,
        project_id TEXT NOT NULL,
        batch_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        seconds INTEGER NOT NULL,
        late INTEGER NOT NULL,
        extra INTEGER NOT NULL,
        marked INTEGER NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX credit_ledger_contributor ON credit_ledger(contributor_id, created_at);
    CREATE TRIGGER credit_ledger_append_only BEFORE UPDATE ON credit_ledger
    BEGIN SELECT RAISE(ABORT, 'the credit ledger is append-only'); END;",
    // 3: observations and media. `created_by` records who logged an
    // observation's verification task, so claims never hand it back to them.
    "ALTER TABLE tasks ADD COLUMN created_by TEXT;
    CREATE TABLE media (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL REFERENCES projects(id),
        uploader_id TEXT NOT NULL,
        display_sha256 TEXT NOT NULL,
        thumb_sha256 TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE observations (
        client_id TEXT PRIMARY KEY,
        observer_id TEXT NOT NULL,
        project_id TEXT NOT NULL REFERENCES projects(id),
        batch_id TEXT NOT NULL REFERENCES batches(id),
        task_id TEXT NOT NULL UNIQUE REFERENCES tasks(id),
        media_id TEXT REFERENCES media(id),
        created_at INTEGER NOT NULL
    );
    CREATE INDEX observations_media ON observations(media_id) WHERE media_id IS NOT NULL;",
    // 4: certificates. The signed JSON is written once; triggers refuse any
    // edit of it, and a revocation, once recorded, stands.
    "CREATE TABLE certificates (
        id TEXT PRIMARY KEY,
        contributor_id TEXT NOT NULL,
        signed TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER,
        revoke_reason TEXT
    );
    CREATE INDEX certificates_contributor ON certificates(contributor_id, created_at);
    CREATE TRIGGER certificates_immutable
    BEFORE UPDATE OF id, contributor_id, signed, created_at ON certificates
    BEGIN SELECT RAISE(ABORT, 'an issued certificate cannot be edited'); END;
    CREATE TRIGGER certificates_revoked_once
    BEFORE UPDATE OF revoked_at, revoke_reason ON certificates WHEN OLD.revoked_at IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'a recorded revocation cannot be changed'); END;",
    // 5: claims no longer walk past full tasks. `tasks_claim` held every
    // open task, so each claim stepped over the thousands that were fully
    // leased at that moment. Free tasks and full ones now sit in separate
    // partial indexes (`busy_until` 0 means free); a full task whose leases
    // have run out is moved back to the free one by the next claim.
    "DROP INDEX tasks_claim;
    CREATE INDEX tasks_batch ON tasks(batch_id, state, is_gold);
    CREATE INDEX tasks_free ON tasks(batch_id, seq)
        WHERE state = 0 AND is_gold = 0 AND busy_until = 0;
    CREATE INDEX tasks_full ON tasks(batch_id, busy_until)
        WHERE state = 0 AND is_gold = 0 AND busy_until > 0;
    CREATE INDEX tasks_gold ON tasks(batch_id, seq) WHERE is_gold = 1;",
    // 6: progress counters per batch, so listing projects reads one row per
    // batch instead of every task (0.3-0.8 s per project at a million
    // tasks). A trigger keeps the settled count whichever path moves a
    // task's state; the paths that add tasks or answers add their counts
    // once per write (a trigger per inserted task slowed a million-task
    // import by 40%).
    "ALTER TABLE batches ADD COLUMN task_total INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE batches ADD COLUMN task_settled INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE batches ADD COLUMN task_answers INTEGER NOT NULL DEFAULT 0;
    UPDATE batches SET
        task_total = (SELECT COUNT(*) FROM tasks t WHERE t.batch_id = batches.id AND t.is_gold = 0),
        task_settled = (SELECT COUNT(*) FROM tasks t
                        WHERE t.batch_id = batches.id AND t.is_gold = 0 AND t.state IN (1, 3)),
        task_answers = (SELECT COALESCE(SUM(t.answer_count), 0) FROM tasks t
                        WHERE t.batch_id = batches.id AND t.is_gold = 0);
    CREATE TRIGGER tasks_settled_counted AFTER UPDATE OF state ON tasks
    WHEN NEW.is_gold = 0 AND (NEW.state IN (1, 3)) != (OLD.state IN (1, 3))
    BEGIN
        UPDATE batches SET task_settled = task_settled + (NEW.state IN (1, 3)) - (OLD.state IN (1, 3))
        WHERE id = NEW.batch_id;
    END;",
    // 7: batches are imported in short transactions while hidden
    // (`import.rs`); only `ready` batches are listed, looked up or claimed.
    "ALTER TABLE batches ADD COLUMN ready INTEGER NOT NULL DEFAULT 1;",
    // 8: a researcher's own projects, for the console.
    "CREATE INDEX projects_by_owner ON projects (owner_id, created_at);",
    // 9: duplicates dropped at upload, for the PRISMA counts.
    "ALTER TABLE batches ADD COLUMN duplicates_dropped INTEGER NOT NULL DEFAULT 0;",
    // 10: what stays of a certificate when its holder erases their account.
    "CREATE TABLE erased_certificates (
        id TEXT PRIMARY KEY,
        trace TEXT NOT NULL,
        erased_at INTEGER NOT NULL
    );",
    // 11: a batch's observations, for the researcher's export.
    "CREATE INDEX observations_batch ON observations (batch_id);",
    // 12: organisations as records, with the email domains that prove
    // membership; an account's confirmed address and the record it matched.
    "CREATE TABLE organisations (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        ods_code TEXT UNIQUE,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE organisation_domains (
        domain TEXT PRIMARY KEY,
        organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE
    );
    CREATE INDEX organisation_domains_by_organisation ON organisation_domains (organisation_id);
    ALTER TABLE accounts ADD COLUMN organisation_id TEXT;
    ALTER TABLE accounts ADD COLUMN email_confirmed INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE accounts ADD COLUMN confirmation_nonce TEXT;
    CREATE INDEX accounts_by_organisation ON accounts (organisation_id, id)
        WHERE organisation_id IS NOT NULL;",
    // 13: each certificate's place in the revocation status list. Kept
    // apart from `certificates` so a place (and a revoked bit) outlives the
    // holder's erasure; places are never reused.
    "CREATE TABLE certificate_status (
        certificate_id TEXT PRIMARY KEY,
        status_index INTEGER NOT NULL UNIQUE,
        revoked INTEGER NOT NULL DEFAULT 0
    );",
    // 14: credit for logging observations, one entry per observation and
    // as append-only as `credit_ledger` (whose entries each need an answer).
    // Observations logged before this earned nothing and get no entry.
    "CREATE TABLE observation_credits (
        client_id TEXT PRIMARY KEY REFERENCES observations(client_id),
        contributor_id TEXT NOT NULL,
        project_id TEXT NOT NULL,
        batch_id TEXT NOT NULL,
        seconds INTEGER NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX observation_credits_contributor
        ON observation_credits(contributor_id, created_at);
    CREATE TRIGGER observation_credits_append_only BEFORE UPDATE ON observation_credits
    BEGIN SELECT RAISE(ABORT, 'the credit ledger is append-only'); END;",
    // 15: single sign-on: an organisation's OpenID Connect client, the
    // account a provider's subject is linked to, and sign-ins on their way
    // through a provider (found by the hash of their state, used once).
    "ALTER TABLE organisations ADD COLUMN sign_on_issuer TEXT;
    ALTER TABLE organisations ADD COLUMN sign_on_client_id TEXT;
    ALTER TABLE organisations ADD COLUMN sign_on_client_secret TEXT;
    ALTER TABLE accounts ADD COLUMN sign_on_organisation_id TEXT;
    ALTER TABLE accounts ADD COLUMN sign_on_subject TEXT;
    CREATE UNIQUE INDEX accounts_by_sign_on ON accounts (sign_on_organisation_id, sign_on_subject)
        WHERE sign_on_subject IS NOT NULL;
    CREATE TABLE pending_sign_ons (
        state_hash TEXT PRIMARY KEY,
        organisation_id TEXT NOT NULL,
        nonce TEXT NOT NULL,
        pkce_verifier TEXT NOT NULL,
        expires_at INTEGER NOT NULL
    );
    CREATE INDEX pending_sign_ons_by_expiry ON pending_sign_ons (expires_at);",
    // 16: what an organisation lets accounts do before they confirm their
    // address (`domain::practice`; existing organisations practise only),
    // and which answers were given for practice (they train no model).
    "ALTER TABLE organisations ADD COLUMN unconfirmed_accounts TEXT NOT NULL
        DEFAULT 'practice_only';
    ALTER TABLE answers ADD COLUMN practice INTEGER NOT NULL DEFAULT 0;",
];

/// Brings the schema up to date inside one transaction.
pub fn apply(conn: &mut Connection) -> anyhow::Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let applied: usize = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if applied > MIGRATIONS.len() {
        anyhow::bail!(
            "the database was written by a newer Tessera (schema {applied}, this build knows {})",
            MIGRATIONS.len()
        );
    }
    for migration in &MIGRATIONS[applied..] {
        tx.execute_batch(migration)?;
    }
    tx.execute_batch(&format!("PRAGMA user_version = {}", MIGRATIONS.len()))?;
    tx.commit()?;
    Ok(())
}
