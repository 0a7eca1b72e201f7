//! Tailored versions: a confirmed tailoring preview stored as a new resume.
//!
//! Under the owner lock, the source resume and the job are read and their
//! revisions compared with the preview's, in the transaction that creates
//! the new resume, so a preview made stale meanwhile (on any instance) is
//! refused (`Conflict`, answered `409`). The new resume is `ready` at once,
//! its `parent_id` is the source, and it takes the master role only when
//! its owner has none ([`super::resumes::claim_master_if_none`]).

use uuid::Uuid;
use vitae_common::Status;

use super::resumes::{claim_master_if_none, insert, owned};
use super::{usage, PgStore};
use crate::store::history::document_bytes;
use crate::store::records::{RawDocument, ResumeRecord, StoredResume, RESUME_SCHEMA};
use crate::store::{now, NewTailored, StoreError};

/// Store `tailored` as a new `ready` resume, if its source and job are
/// still at the previewed revisions.
pub(super) async fn create(
    store: &PgStore,
    tailored: NewTailored,
) -> Result<StoredResume, StoreError> {
    let original = serde_json::to_vec_pretty(&tailored.document)?;
    let quotas = store.current_quotas();
    let mut client = store.client().await?;
    let txn = client.transaction().await?;
    usage::lock(&txn, &tailored.owner).await?;
    let source = owned::<RawDocument, _>(&*txn, &tailored.owner, tailored.source_id, false)
        .await?
        .record;
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
    let job = super::jobs::load(&*txn, &tailored.owner, tailored.job_id).await?;
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
    let delta = crate::store::quota::Delta {
        resumes: 1,
        bytes: (original.len() as u64 + document_bytes(record.document.as_ref())) as i64,
        ..Default::default()
    };
    usage::charge(&txn, &quotas, &record.owner, delta).await?;
    insert(&txn, &record, false).await?;
    txn.execute(
        "INSERT INTO originals (resume_id, bytes) VALUES ($1, $2)",
        &[&record.id, &original],
    )
    .await?;
    let is_master = claim_master_if_none(&txn, &record.owner, record.id).await?;
    txn.commit().await?;
    Ok(StoredResume { record, is_master })
}
