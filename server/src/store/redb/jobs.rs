//! Job descriptions: stored once per owner and content hash.
//!
//! A job lives in `jobs` under its id, indexed by owner in `owner_jobs` and
//! by (owner, content hash) in `job_hashes`, so storing the same description
//! twice answers the job already stored. Changing a job's description bumps
//! its revision, which makes every tailoring preview computed from the old
//! one stale (see [`super::tailored`]).

use redb::{ReadableTable, WriteTransaction};
use uuid::Uuid;

use super::tables::{page_of_scope, JOBS, JOB_HASHES, JOB_ORDER, OWNER_JOBS};
use super::RedbStore;
use crate::store::records::{JobRecord, JOB_SCHEMA};
use crate::store::{now, NewJob, Page, Paged, Position, StoreError};

/// Store a job, or answer the owner's job with the same content hash
/// (`false`: not new).
pub(super) async fn create(
    store: &RedbStore,
    new: NewJob,
) -> Result<(JobRecord, bool), StoreError> {
    let quotas = store.current_quotas();
    store
        .write(move |txn| {
            let mut hashes = txn.open_table(JOB_HASHES)?;
            let existing = hashes
                .get((new.owner.as_str(), new.content_hash.as_str()))?
                .map(|id| id.value().to_string());
            if let Some(id) = existing.and_then(|id| Uuid::parse_str(&id).ok()) {
                let job = load_job(&txn.open_table(JOBS)?, &new.owner, id)?;
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
            let key = job.id.to_string();
            let one = crate::store::quota::Delta {
                jobs: 1,
                ..Default::default()
            };
            super::usage::charge(txn, &quotas, &job.owner, one)?;
            put_job(txn, &job)?;
            txn.open_table(OWNER_JOBS)?
                .insert((job.owner.as_str(), key.as_str()), ())?;
            txn.open_table(JOB_ORDER)?.insert(
                (
                    job.owner.as_str(),
                    job.created_at.timestamp_micros(),
                    key.as_str(),
                ),
                (),
            )?;
            hashes.insert(
                (job.owner.as_str(), job.content_hash.as_str()),
                key.as_str(),
            )?;
            Ok((job, true))
        })
        .await
}

/// The owner's job with this content hash, if any.
pub(super) async fn find_by_hash(
    store: &RedbStore,
    owner: &str,
    content_hash: &str,
) -> Result<Option<JobRecord>, StoreError> {
    let owner = owner.to_string();
    let content_hash = content_hash.to_string();
    store
        .read(move |txn| {
            let hashes = txn.open_table(JOB_HASHES)?;
            let Some(id) = hashes.get((owner.as_str(), content_hash.as_str()))? else {
                return Ok(None);
            };
            let Ok(id) = Uuid::parse_str(id.value()) else {
                return Ok(None);
            };
            load_job(&txn.open_table(JOBS)?, &owner, id).map(Some)
        })
        .await
}

/// One of `owner`'s jobs.
pub(super) async fn get(store: &RedbStore, owner: &str, id: Uuid) -> Result<JobRecord, StoreError> {
    let owner = owner.to_string();
    store
        .read(move |txn| load_job(&txn.open_table(JOBS)?, &owner, id))
        .await
}

/// One page of `owner`'s jobs, oldest first: a range scan of `job_order`
/// from the page's position.
pub(super) async fn page(
    store: &RedbStore,
    owner: &str,
    page: Page<Position>,
) -> Result<Paged<JobRecord, Position>, StoreError> {
    let owner = owner.to_string();
    store
        .read(move |txn| {
            let (positions, more) = page_of_scope(&txn.open_table(JOB_ORDER)?, &owner, &page)?;
            let jobs = txn.open_table(JOBS)?;
            let mut items = Vec::with_capacity(positions.len());
            for position in &positions {
                if let Some(bytes) = jobs.get(position.key.as_str())? {
                    items.push(serde_json::from_slice::<JobRecord>(bytes.value())?);
                }
            }
            let next = if more {
                positions.last().cloned()
            } else {
                None
            };
            Ok(Paged { items, next })
        })
        .await
}

/// Replace a job's description; a new content hash bumps its revision.
pub(super) async fn update(
    store: &RedbStore,
    owner: &str,
    id: Uuid,
    new: NewJob,
) -> Result<JobRecord, StoreError> {
    let owner = owner.to_string();
    store
        .write(move |txn| {
            let mut job = load_job(&txn.open_table(JOBS)?, &owner, id)?;
            if job.content_hash == new.content_hash {
                return Ok(job);
            }
            let mut hashes = txn.open_table(JOB_HASHES)?;
            if let Some(other) = hashes.get((owner.as_str(), new.content_hash.as_str()))? {
                return Err(StoreError::Conflict(format!(
                    "job {} already holds this description",
                    other.value()
                )));
            }
            hashes.remove((owner.as_str(), job.content_hash.as_str()))?;
            let key = id.to_string();
            hashes.insert((owner.as_str(), new.content_hash.as_str()), key.as_str())?;
            job.title = new.title;
            job.company = new.company;
            job.format = new.format;
            job.body = new.body;
            job.text = new.text;
            job.keywords = new.keywords;
            job.content_hash = new.content_hash;
            job.revision += 1;
            job.updated_at = now();
            put_job(txn, &job)?;
            Ok(job)
        })
        .await
}

/// Delete one of `owner`'s jobs and its index entries.
pub(super) async fn delete(store: &RedbStore, owner: &str, id: Uuid) -> Result<(), StoreError> {
    let owner = owner.to_string();
    store
        .write(move |txn| {
            let job = load_job(&txn.open_table(JOBS)?, &owner, id)?;
            let key = id.to_string();
            txn.open_table(JOBS)?.remove(key.as_str())?;
            txn.open_table(OWNER_JOBS)?
                .remove((owner.as_str(), key.as_str()))?;
            txn.open_table(JOB_ORDER)?.remove((
                owner.as_str(),
                job.created_at.timestamp_micros(),
                key.as_str(),
            ))?;
            txn.open_table(JOB_HASHES)?
                .remove((owner.as_str(), job.content_hash.as_str()))?;
            let gone = crate::store::quota::Delta {
                jobs: -1,
                ..Default::default()
            };
            super::usage::charge(txn, &Default::default(), &owner, gone)?;
            Ok(())
        })
        .await
}

/// One of `owner`'s jobs, read from `table` (`jobs`).
pub(super) fn load_job<T: ReadableTable<&'static str, &'static [u8]>>(
    table: &T,
    owner: &str,
    id: Uuid,
) -> Result<JobRecord, StoreError> {
    let key = id.to_string();
    match table.get(key.as_str())? {
        Some(bytes) => {
            let job: JobRecord = serde_json::from_slice(bytes.value())?;
            if job.owner == owner {
                Ok(job)
            } else {
                Err(StoreError::NotFound("job"))
            }
        }
        None => Err(StoreError::NotFound("job")),
    }
}

fn put_job(txn: &WriteTransaction, job: &JobRecord) -> Result<(), StoreError> {
    let key = job.id.to_string();
    txn.open_table(JOBS)?
        .insert(key.as_str(), serde_json::to_vec(job)?.as_slice())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::job;
    use super::super::RedbStore;
    use crate::store::{Store, StoreError};

    #[tokio::test]
    async fn jobs_are_stored_once_per_description_and_owner() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let (first, created) = store.create_job(job("alice", "Rust")).await.unwrap();
        assert!(created);
        let (again, created) = store.create_job(job("alice", "Rust")).await.unwrap();
        assert!(!created);
        assert_eq!(again.id, first.id);
        let (bobs, created) = store.create_job(job("bob", "Rust")).await.unwrap();
        assert!(created, "another owner's identical job is their own");
        assert_ne!(bobs.id, first.id);
        assert!(matches!(
            store.get_job("bob", first.id).await,
            Err(StoreError::NotFound("job"))
        ));

        let same = store
            .update_job("alice", first.id, job("alice", "Rust"))
            .await
            .unwrap();
        assert_eq!(same.revision, 1, "an identical text changes nothing");
        let changed = store
            .update_job("alice", first.id, job("alice", "Go"))
            .await
            .unwrap();
        assert_eq!(changed.revision, 2);
        assert!(store
            .find_job_by_hash("alice", "hash-of-Rust")
            .await
            .unwrap()
            .is_none());
        assert_eq!(
            store
                .find_job_by_hash("alice", "hash-of-Go")
                .await
                .unwrap()
                .unwrap()
                .id,
            first.id
        );
        let (other, _) = store.create_job(job("alice", "Java")).await.unwrap();
        assert!(matches!(
            store
                .update_job("alice", other.id, job("alice", "Go"))
                .await,
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(store.list_jobs("alice").await.unwrap().len(), 2);
        store.delete_job("alice", first.id).await.unwrap();
        assert!(matches!(
            store.delete_job("alice", first.id).await,
            Err(StoreError::NotFound("job"))
        ));
        assert!(store
            .find_job_by_hash("alice", "hash-of-Go")
            .await
            .unwrap()
            .is_none());
    }
}
