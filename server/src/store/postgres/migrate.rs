//! Versioned schema migrations, applied when the store opens.
//!
//! The migrations are SQL files embedded in the binary
//! (`migrations/NNNN_name.sql`, in [`MIGRATIONS`], never edited once
//! released: a change is a new file). `vitae_schema` records each one
//! applied. At start, under a transaction-scoped advisory lock (so several
//! instances starting together migrate once), the server reads the highest
//! version applied: higher than this build knows means a newer server
//! wrote the database, and the start stops (like the redb backend's
//! `resume_schema` check); otherwise every missing migration runs, each in
//! the same transaction as its `vitae_schema` row, so a crash leaves either
//! all of a migration or none.
//!
//! Record-level schema versions (the `v` in each record's JSON,
//! [`crate::store::records`]) are the same as redb's; a future record
//! migration would run here, after the SQL ones.

use tokio_postgres::error::SqlState;

use crate::store::StoreError;

/// Every migration, in order: (version, name, SQL).
pub(super) const MIGRATIONS: &[(i32, &str, &str)] = &[
    (1, "init", include_str!("migrations/0001_init.sql")),
    (
        2,
        "share history and pages",
        include_str!("migrations/0002_share_history_and_pages.sql"),
    ),
    (
        3,
        "parse jobs",
        include_str!("migrations/0003_parse_jobs.sql"),
    ),
    (4, "events", include_str!("migrations/0004_events.sql")),
    (
        5,
        "change feed",
        include_str!("migrations/0005_change_feed.sql"),
    ),
];

/// The advisory lock key that serialises migrations across instances
/// ("vitae" in ASCII).
const MIGRATION_LOCK: i64 = 0x0076_6974_6165;

/// The schema version this build writes.
pub(super) fn latest() -> i32 {
    MIGRATIONS.last().map_or(0, |(version, _, _)| *version)
}

/// Create `vitae_schema` if missing, refuse a newer schema, apply what is
/// missing. Answers how many migrations ran.
pub(super) async fn run(client: &mut deadpool_postgres::Object) -> Result<usize, StoreError> {
    let txn = client.transaction().await?;
    txn.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    txn.batch_execute(
        "CREATE TABLE IF NOT EXISTS vitae_schema (
             version integer PRIMARY KEY,
             name text NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    )
    .await
    .map_err(|e| match e.code() {
        Some(code) if code == &SqlState::INSUFFICIENT_PRIVILEGE => StoreError::Unusable(format!(
            "the database user may not create tables: grant it CREATE on the database's \
             schema, or run the server once as its owner ({e})"
        )),
        _ => StoreError::from(e),
    })?;
    let current: i32 = txn
        .query_one("SELECT COALESCE(MAX(version), 0) FROM vitae_schema", &[])
        .await?
        .get(0);
    let known = latest();
    if current > known {
        return Err(StoreError::Unusable(format!(
            "the database was written by a newer vitae-server (schema {current}, this one knows \
             {known}); upgrade vitae-server"
        )));
    }
    let mut ran = 0;
    for (version, name, sql) in MIGRATIONS.iter().filter(|(v, _, _)| *v > current) {
        txn.batch_execute(sql).await.map_err(|e| {
            StoreError::Unusable(format!("schema migration {version} ({name}) failed: {e}"))
        })?;
        txn.execute(
            "INSERT INTO vitae_schema (version, name) VALUES ($1, $2)",
            &[version, name],
        )
        .await?;
        tracing::info!(
            version = *version,
            name = *name,
            "applied a database schema migration"
        );
        ran += 1;
    }
    txn.commit().await?;
    Ok(ran)
}

/// `Ok` when the database's schema is the one this build writes; a
/// database migrated further by a newer instance (or not yet migrated) is
/// [`StoreError::Failing`]: this instance should not take traffic.
pub(super) async fn check_current(client: &deadpool_postgres::Object) -> Result<(), StoreError> {
    let current: i32 = client
        .query_one("SELECT COALESCE(MAX(version), 0) FROM vitae_schema", &[])
        .await?
        .get(0);
    let known = latest();
    if current == known {
        Ok(())
    } else {
        Err(StoreError::Failing(format!(
            "the database schema is at version {current}, this server writes version {known}"
        )))
    }
}
