//! Revisions: editing a resume's document, its history, restoring an old
//! revision.
//!
//! The current document lives in the resume record (`resumes`); every
//! earlier one is kept in `revisions` under (id, revision) with the origin
//! that made it ("parsed", "edited", "restored revision N", …). History is
//! never rewritten: an edit or a restore pushes the current document into
//! `revisions` and makes a new revision. Every edit checks the client's
//! `If-Match` revision first.

use redb::{ReadableTable, WriteTransaction};
use uuid::Uuid;
use vitae_common::{Resume, Status};

use super::resumes::{owned, put_resume, with_master};
use super::tables::{MASTERS, RESUMES, REVISIONS};
use super::usage::{self, document_bytes};
use super::RedbStore;
use crate::store::quota::{self, Delta, Quotas};
use crate::store::records::{ResumeRecord, RevisionRecord, StoredResume};
use crate::store::{now, StoreError};

/// Apply a JSON Merge Patch to a `ready` resume's document as a new revision.
pub(super) async fn patch(
    store: &RedbStore,
    owner: &str,
    id: Uuid,
    if_match: Option<u64>,
    patch: serde_json::Value,
) -> Result<StoredResume, StoreError> {
    let owner = owner.to_string();
    let quotas = store.current_quotas();
    store
        .write(move |txn| {
            let mut record = owned(&txn.open_table(RESUMES)?, &owner, id)?;
            check_revision(&record, if_match)?;
            let Some(current) = record
                .document
                .as_ref()
                .filter(|_| record.status == Status::Ready)
            else {
                return Err(StoreError::Conflict(format!(
                    "resume {id} is {}; only a ready resume can be edited",
                    record.status
                )));
            };
            let document = merge_document(current, &patch)?;
            push_revision(txn, &quotas, &mut record, document, "edited".into())?;
            with_master(&txn.open_table(MASTERS)?, record)
        })
        .await
}

/// Copy revision `revision` forward as a new current revision.
pub(super) async fn restore(
    store: &RedbStore,
    owner: &str,
    id: Uuid,
    revision: u64,
    if_match: Option<u64>,
) -> Result<StoredResume, StoreError> {
    let owner = owner.to_string();
    let quotas = store.current_quotas();
    store
        .write(move |txn| {
            let mut record = owned(&txn.open_table(RESUMES)?, &owner, id)?;
            check_revision(&record, if_match)?;
            if record.status != Status::Ready {
                return Err(StoreError::Conflict(format!(
                    "resume {id} is {}; only a ready resume has revisions to restore",
                    record.status
                )));
            }
            if revision == record.revision {
                return Err(StoreError::Conflict(format!(
                    "revision {revision} is already the current revision"
                )));
            }
            let key = id.to_string();
            let old: RevisionRecord =
                match txn.open_table(REVISIONS)?.get((key.as_str(), revision))? {
                    Some(value) => serde_json::from_slice(value.value())?,
                    None => return Err(StoreError::NotFound("revision")),
                };
            let Some(document) = old.document else {
                return Err(StoreError::Conflict(format!(
                    "revision {revision} has no document to restore"
                )));
            };
            push_revision(
                txn,
                &quotas,
                &mut record,
                document,
                format!("restored revision {revision}"),
            )?;
            with_master(&txn.open_table(MASTERS)?, record)
        })
        .await
}

/// Every revision of a resume, oldest first, the current one last.
pub(super) async fn list(
    store: &RedbStore,
    owner: &str,
    id: Uuid,
) -> Result<Vec<RevisionRecord>, StoreError> {
    let owner = owner.to_string();
    store
        .read(move |txn| {
            let record = owned(&txn.open_table(RESUMES)?, &owner, id)?;
            let key = id.to_string();
            let table = txn.open_table(REVISIONS)?;
            let mut out = Vec::new();
            for entry in table.range((key.as_str(), 0u64)..=(key.as_str(), u64::MAX))? {
                let (_, value) = entry?;
                out.push(serde_json::from_slice::<RevisionRecord>(value.value())?);
            }
            out.push(current_revision(record));
            Ok(out)
        })
        .await
}

/// One revision, current or earlier.
pub(super) async fn get(
    store: &RedbStore,
    owner: &str,
    id: Uuid,
    revision: u64,
) -> Result<RevisionRecord, StoreError> {
    let owner = owner.to_string();
    store
        .read(move |txn| {
            let record = owned(&txn.open_table(RESUMES)?, &owner, id)?;
            if revision == record.revision {
                return Ok(current_revision(record));
            }
            let key = id.to_string();
            let table = txn.open_table(REVISIONS)?;
            let value = table
                .get((key.as_str(), revision))?
                .ok_or(StoreError::NotFound("revision"))?;
            Ok(serde_json::from_slice(value.value())?)
        })
        .await
}

/// Make `document` the record's new current revision, keeping the current
/// one (with its origin) in `revisions`. Callers have checked ownership,
/// status and `If-Match`; the quotas are checked here, before any write
/// (revisions kept of this resume, and the owner's bytes).
fn push_revision(
    txn: &WriteTransaction,
    quotas: &Quotas,
    record: &mut ResumeRecord,
    document: Resume,
    origin: String,
) -> Result<(), StoreError> {
    // Every revision before the current one is kept: `revision - 1` rows.
    quota::check_revisions(record.revision - 1, quotas)?;
    let old_bytes = document_bytes(record.document.as_ref());
    let previous = RevisionRecord {
        revision: record.revision,
        created_at: record.updated_at,
        document: record.document.take(),
        origin: record.revision_origin.take(),
    };
    let kept = serde_json::to_vec(&previous)?;
    let delta = Delta {
        revisions: 1,
        bytes: (kept.len() as u64 + document_bytes(Some(&document))) as i64 - old_bytes as i64,
        ..Delta::default()
    };
    if let Err(error) = usage::charge(txn, quotas, &record.owner, delta) {
        // Put back what was taken: the caller's record stays as it was.
        record.document = previous.document;
        record.revision_origin = previous.origin;
        return Err(error);
    }
    let key = record.id.to_string();
    txn.open_table(REVISIONS)?
        .insert((key.as_str(), previous.revision), kept.as_slice())?;
    record.document = Some(document);
    record.revision += 1;
    record.revision_origin = Some(origin);
    record.updated_at = now();
    put_resume(txn, record)
}

/// The current revision of a record, in the shape of a stored one.
fn current_revision(record: ResumeRecord) -> RevisionRecord {
    RevisionRecord {
        revision: record.revision,
        created_at: record.updated_at,
        document: record.document,
        origin: record.revision_origin,
    }
}

/// `If-Match` check shared by every edit.
fn check_revision(record: &ResumeRecord, if_match: Option<u64>) -> Result<(), StoreError> {
    match if_match {
        Some(expected) if expected != record.revision => Err(StoreError::StaleRevision {
            expected,
            current: record.revision,
        }),
        _ => Ok(()),
    }
}

/// Apply an RFC 7396 merge patch to a document and validate the result.
fn merge_document(current: &Resume, patch: &serde_json::Value) -> Result<Resume, StoreError> {
    let mut value = serde_json::to_value(current)?;
    json_patch::merge(&mut value, patch);
    Resume::from_value(value).map_err(|e| StoreError::Invalid(e.to_string()))
}

#[cfg(test)]
mod tests {
    //! Stale revisions, invalid patches, and history that is never rewritten.
    use serde_json::json;

    use super::super::testing::ready_resume;
    use super::super::RedbStore;
    use crate::store::{Store, StoreError};

    #[tokio::test]
    async fn patches_check_revisions_validate_and_keep_history() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let id = ready_resume(&store, "alice").await;
        let patched = store
            .patch_document(
                "alice",
                id,
                Some(1),
                json!({"basics": {"email": "j@example.com"}}),
            )
            .await
            .unwrap();
        assert_eq!(patched.record.revision, 2);
        let doc = patched.record.document.unwrap();
        assert_eq!(doc.name(), Some("Jane"));
        assert_eq!(doc.email(), Some("j@example.com"));
        assert!(matches!(
            store.patch_document("alice", id, Some(1), json!({})).await,
            Err(StoreError::StaleRevision {
                expected: 1,
                current: 2
            })
        ));
        assert!(matches!(
            store
                .patch_document("alice", id, None, json!({"work": "x"}))
                .await,
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            store.patch_document("bob", id, None, json!({})).await,
            Err(StoreError::NotFound(_))
        ));
        let revisions = store.list_revisions("alice", id).await.unwrap();
        assert_eq!(
            revisions.iter().map(|r| r.revision).collect::<Vec<_>>(),
            vec![1, 2]
        );
        let first = store.get_revision("alice", id, 1).await.unwrap();
        assert_eq!(first.document.unwrap().email(), None);
    }

    #[tokio::test]
    async fn restoring_copies_an_old_revision_forward_and_keeps_history() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let id = ready_resume(&store, "alice").await;
        store
            .patch_document("alice", id, None, json!({"basics": {"name": "Janet"}}))
            .await
            .unwrap();
        let restored = store
            .restore_revision("alice", id, 1, Some(2))
            .await
            .unwrap();
        assert_eq!(restored.record.revision, 3);
        assert_eq!(
            restored.record.document.as_ref().unwrap().name(),
            Some("Jane")
        );
        let history = store.list_revisions("alice", id).await.unwrap();
        let origins: Vec<_> = history.iter().map(|r| r.origin_or_default()).collect();
        assert_eq!(origins, ["parsed", "edited", "restored revision 1"]);
        assert_eq!(
            history[1].document.as_ref().unwrap().name(),
            Some("Janet"),
            "the edited revision is still there, unchanged"
        );
        assert!(matches!(
            store.restore_revision("alice", id, 1, Some(2)).await,
            Err(StoreError::StaleRevision { .. })
        ));
        assert!(matches!(
            store.restore_revision("alice", id, 3, None).await,
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(
            store.restore_revision("alice", id, 9, None).await,
            Err(StoreError::NotFound("revision"))
        ));
        assert!(matches!(
            store.restore_revision("bob", id, 1, None).await,
            Err(StoreError::NotFound("resume"))
        ));
    }
}
