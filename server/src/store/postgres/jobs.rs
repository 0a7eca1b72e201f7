//! Job descriptions: stored once per owner and content hash.
//!
//! A job is a row of `jobs`; the UNIQUE (owner, content_hash) constraint
//! makes storing the same description twice answer the job already stored
//! (looked up under the owner lock, so two instances storing it together
//! make one). Changing a job's description bumps its revision, which makes
//! every tailoring preview computed from the old one stale (see
//! [`super::tailored`]).

use tokio_postgres::GenericClient;
use uuid::Uuid;

use super::{from_json, pages, usage, PgStore};
use crate::store::quota::Delta;
use crate::store::records::{JobRecord, JOB_SCHEMA};
use crate::store::{now, NewJob, Page, Paged, Position, StoreError};

/// Store a job, or answer the owner's job with the same content hash
/// (`false`: not new).
pub(super) async fn create(store: &PgStore, new: NewJob) -> Result<(JobRecord, bool), StoreError> {
    let quotas = store.current_quotas();
    let mut client = store.client().await?;
    let txn = client.transaction().await?;
    usage::lock(&txn, &new.owner).await?;
    if let Some(job) = by_hash(&*txn, &new.owner, &new.content_hash).await? {
        return Ok((job, false));
    }
    let now = now();
    let job = JobRecord {
        v: JOB_SCHEMA,
        id: Uuid::new_v4(),
        owner: new.owner,
        title: new.title,
        company: new.company,
        format: new.format,
        body: new.body,
        text: new.text,
        keywords: new.keywords,
        content_hash: new.content_hash,
        revision: 1,
        created_at: now,
        updated_at: now,
    };
    let one = Delta {
        jobs: 1,
        ..Default::default()
    };
    usage::charge(&txn, &quotas, &job.owner, one).await?;
    txn.execute(
        "INSERT INTO jobs (id, owner, content_hash, created_at, record) VALUES ($1, $2, $3, $4, $5)",
        &[
            &job.id,
            &job.owner,
            &job.content_hash,
            &job.created_at,
            &serde_json::to_string(&job)?,
        ],
    )
    .await?;
    txn.commit().await?;
    Ok((job, true))
}

/// The owner's job with this content hash, if any.
pub(super) async fn find_by_hash(
    store: &PgStore,
    owner: &str,
    content_hash: &str,
) -> Result<Option<JobRecord>, StoreError> {
    let client = store.client().await?;
    by_hash(&**client, owner, content_hash).await
}

/// One of `owner`'s jobs.
pub(super) async fn get(store: &PgStore, owner: &str, id: Uuid) -> Result<JobRecord, StoreError> {
    let client = store.client().await?;
    load(&**client, owner, id).await
}

/// One page of `owner`'s jobs, oldest first ([`super::pages`]).
pub(super) async fn page(
    store: &PgStore,
    owner: &str,
    page: Page<Position>,
) -> Result<Paged<JobRecord, Position>, StoreError> {
    let client = store.client().await?;
    pages::page(&**client, &pages::JOBS, &owner, &page, |row| {
        let id: Uuid = row.get("id");
        let job: JobRecord = from_json(row.get("record"))?;
        Ok((job, pages::position(row, id.to_string())))
    })
    .await
}

/// Replace a job's description; a new content hash bumps its revision.
pub(super) async fn update(
    store: &PgStore,
    owner: &str,
    id: Uuid,
    new: NewJob,
) -> Result<JobRecord, StoreError> {
    let mut client = store.client().await?;
    let txn = client.transaction().await?;
    usage::lock(&txn, owner).await?;
    let mut job = load(&*txn, owner, id).await?;
    if job.content_hash == new.content_hash {
        return Ok(job);
    }
    if let Some(other) = by_hash(&*txn, owner, &new.content_hash).await? {
        return Err(StoreError::Conflict(format!(
            "job {} already holds this description",
            other.id
        )));
    }
    job.title = new.title;
    job.company = new.company;
    job.format = new.format;
    job.body = new.body;
    job.text = new.text;
    job.keywords = new.keywords;
    job.content_hash = new.content_hash;
    job.revision += 1;
    job.updated_at = now();
    txn.execute(
        "UPDATE jobs SET content_hash = $2, record = $3 WHERE id = $1",
        &[&job.id, &job.content_hash, &serde_json::to_string(&job)?],
    )
    .await?;
    txn.commit().await?;
    Ok(job)
}

/// Delete one of `owner`'s jobs.
pub(super) async fn delete(store: &PgStore, owner: &str, id: Uuid) -> Result<(), StoreError> {
    let mut client = store.client().await?;
    let txn = client.transaction().await?;
    let deleted = txn
        .execute(
            "DELETE FROM jobs WHERE id = $1 AND owner = $2",
            &[&id, &owner],
        )
        .await?;
    if deleted == 0 {
        return Err(StoreError::NotFound("job"));
    }
    let gone = Delta {
        jobs: -1,
        ..Default::default()
    };
    usage::charge(&txn, &Default::default(), owner, gone).await?;
    txn.commit().await?;
    Ok(())
}

/// One of `owner`'s jobs; another owner's is `NotFound`, like a missing one.
pub(super) async fn load<C: GenericClient + Sync>(
    client: &C,
    owner: &str,
    id: Uuid,
) -> Result<JobRecord, StoreError> {
    let row = client
        .query_opt(
            "SELECT record FROM jobs WHERE id = $1 AND owner = $2",
            &[&id, &owner],
        )
        .await?
        .ok_or(StoreError::NotFound("job"))?;
    from_json(row.get(0))
}

async fn by_hash<C: GenericClient + Sync>(
    client: &C,
    owner: &str,
    content_hash: &str,
) -> Result<Option<JobRecord>, StoreError> {
    let row = client
        .query_opt(
            "SELECT record FROM jobs WHERE owner = $1 AND content_hash = $2",
            &[&owner, &content_hash],
        )
        .await?;
    row.map(|row| from_json(row.get(0))).transpose()
}
