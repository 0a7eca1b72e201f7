//! Tailored versions: a confirmed tailoring preview stored as a new resume.
//!
//! The preview was computed from one revision of the source resume and one
//! revision of the job; the store checks both in the same transaction that
//! creates the new resume, so a preview made stale by an edit meanwhile is
//! refused (`Conflict`, answered `409`) instead of stored. The new resume is
//! `ready` at once, its `parent_id` is the source, and it takes the master
//! role only when its owner has none (see [`super::resumes`]).

use redb::ReadableTable;
use uuid::Uuid;
use vitae_common::Status;

use super::jobs::load_job;
use super::resumes::{owned, put_resume, with_master};
use super::tables::{JOBS, MASTERS, ORIGINALS, OWNER_RESUMES, RESUMES, RESUME_ORDER};
use super::RedbStore;
use crate::store::records::{RawDocument, ResumeRecord, StoredResume, RESUME_SCHEMA};
use crate::store::{now, NewTailored, StoreError};

/// Store `tailored` as a new `ready` resume, if its source and job are
/// still at the previewed revisions.
pub(super) async fn create(
    store: &RedbStore,
    tailored: NewTailored,
) -> Result<StoredResume, StoreError> {
    let original = serde_json::to_vec_pretty(&tailored.document)?;
    let quotas = store.current_quotas();
    store.write(move |txn| {
        let source: ResumeRecord<RawDocument> =
            owned(&txn.open_table(RESUMES)?, &tailored.owner, tailored.source_id)?;
        if source.status != Status::Ready {
            return Err(StoreError::Conflict(format!(
                "resume {} is {}; preview again",
                source.id, source.status
            )));
        }
        if source.revision != tailored.source_revision {
            return Err(StoreError::Conflict(format!(
                "the preview is stale: resume {} is at revision {} now, the preview used revision {}; preview again",
                source.id, source.revision, tailored.source_revision
            )));
        }
        let job = load_job(&txn.open_table(JOBS)?, &tailored.owner, tailored.job_id)?;
        if job.revision != tailored.job_revision {
            return Err(StoreError::Conflict(format!(
                "the preview is stale: job {} is at revision {} now, the preview used revision {}; preview again",
                job.id, job.revision, tailored.job_revision
            )));
        }
        let now = now();
        let record = ResumeRecord {
            v: RESUME_SCHEMA,
            id: Uuid::new_v4(),
            owner: tailored.owner,
            filename: tailored.filename,
            content_type: "application/json".into(),
            status: Status::Ready,
            reason: None,
            warnings: Vec::new(),
            parent_id: Some(tailored.source_id),
            job_id: Some(tailored.job_id),
            revision: 1,
            revision_origin: Some(tailored.origin),
            created_at: now,
            updated_at: now,
            document: Some(tailored.document),
            confidence: Default::default(),
            size: original.len() as u64,
        };
        let key = record.id.to_string();
        let delta = crate::store::quota::Delta {
            resumes: 1,
            bytes: (original.len() as u64 + super::usage::document_bytes(record.document.as_ref()))
                as i64,
            ..Default::default()
        };
        super::usage::charge(txn, &quotas, &record.owner, delta)?;
        put_resume(txn, &record)?;
        txn.open_table(OWNER_RESUMES)?
            .insert((record.owner.as_str(), key.as_str()), ())?;
        let at = super::resumes::order_at(&record);
        txn.open_table(RESUME_ORDER)?
            .insert((record.owner.as_str(), at, key.as_str()), ())?;
        txn.open_table(ORIGINALS)?
            .insert(key.as_str(), original.as_slice())?;
        let mut masters = txn.open_table(MASTERS)?;
        if masters.get(record.owner.as_str())?.is_none() {
            masters.insert(record.owner.as_str(), key.as_str())?;
        }
        with_master(&masters, record)
    })
    .await
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use vitae_common::{Resume, Status};

    use super::super::testing::{job, ready_resume};
    use super::super::RedbStore;
    use crate::store::{NewTailored, Store, StoreError};

    #[tokio::test]
    async fn tailored_versions_need_the_previewed_revisions() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let source = ready_resume(&store, "alice").await;
        let (job, _) = store.create_job(job("alice", "Rust")).await.unwrap();
        let tailored = |source_revision, job_revision| NewTailored {
            owner: "alice".into(),
            source_id: source,
            source_revision,
            job_id: job.id,
            job_revision,
            filename: "cv (for Engineer).json".into(),
            document: Resume::from_value(json!({"basics": {"name": "Jane"}})).unwrap(),
            origin: "tailored for Engineer".into(),
        };
        let created = store.create_tailored(tailored(1, 1)).await.unwrap();
        assert_eq!(created.record.parent_id, Some(source));
        assert_eq!(created.record.job_id, Some(job.id));
        assert_eq!(created.record.status, Status::Ready);
        assert!(!created.is_master, "the source is already the master");
        let history = store
            .list_revisions("alice", created.record.id)
            .await
            .unwrap();
        assert_eq!(history[0].origin_or_default(), "tailored for Engineer");

        store
            .patch_document("alice", source, None, json!({"basics": {"label": "x"}}))
            .await
            .unwrap();
        match store.create_tailored(tailored(1, 1)).await {
            Err(StoreError::Conflict(message)) => assert!(message.contains("stale"), "{message}"),
            other => panic!("expected a stale conflict, got {other:?}"),
        }
        match store.create_tailored(tailored(2, 7)).await {
            Err(StoreError::Conflict(message)) => assert!(message.contains("job"), "{message}"),
            other => panic!("expected a stale job conflict, got {other:?}"),
        }
        assert_eq!(store.list_resumes("alice").await.unwrap().len(), 2);
    }
}
