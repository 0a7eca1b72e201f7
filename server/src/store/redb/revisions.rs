//! Revisions: editing a resume's document, its history, restoring an old
//! revision.
//!
//! The current document lives in the resume record (`resumes`); every
//! earlier one is kept in `revisions` under (id, revision) with the origin
//! that made it ("parsed", "edited", "restored revision N", …). History is
//! never rewritten: an edit or a restore pushes the current document into
//! `revisions` and makes a new revision. Every edit checks the client's
//! `If-Match` revision first.
//!
//! An earlier revision is stored as a reverse delta from the revision after
//! it ([`crate::store::delta`]), whole every [`SNAPSHOT_EVERY`] revisions or
//! when a delta would not save at least half, so an edit costs the bytes it
//! changed and reading any revision applies a bounded number of deltas.
//! Revisions stored whole by earlier versions read as they are.

use redb::{ReadableTable, WriteTransaction};
use uuid::Uuid;
use vitae_common::{Resume, Status};

use super::resumes::{owned, put_resume, with_master};
use super::tables::{MASTERS, RESUMES, REVISIONS};
use super::usage;
use super::RedbStore;
#[cfg(any(doc, test))]
use crate::store::delta::SNAPSHOT_EVERY;
use crate::store::history::{
    self, check_revision, current_revision, merge_document, StoredRevision,
};
use crate::store::quota::Quotas;
use crate::store::records::{ResumeRecord, RevisionRecord, StoredResume};
use crate::store::{Page, Paged, StoreError};

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
            let old = read_revision(&txn.open_table(REVISIONS)?, &record, revision)?;
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

/// One page of a resume's revisions, oldest first, the current one last
/// ([`history::rebuild_page`]: the page's rows, then at most
/// [`SNAPSHOT_EVERY`] more to rebuild its last one; the cost is the page,
/// never the history).
pub(super) async fn page(
    store: &RedbStore,
    owner: &str,
    id: Uuid,
    page: Page<u64>,
) -> Result<Paged<RevisionRecord, u64>, StoreError> {
    let owner = owner.to_string();
    let limit = page.limit.max(1);
    let first = page.after.map_or(0, |after| after.saturating_add(1));
    store
        .read(move |txn| {
            let record = owned(&txn.open_table(RESUMES)?, &owner, id)?;
            let key = id.to_string();
            let table = txn.open_table(REVISIONS)?;
            if first >= record.revision {
                return history::rebuild_page(record, first, limit, std::iter::empty());
            }
            let rows = table
                .range((key.as_str(), first)..(key.as_str(), record.revision))?
                .map(|entry| {
                    let (_, value) = entry?;
                    Ok(serde_json::from_slice::<StoredRevision>(value.value())?)
                });
            history::rebuild_page(record, first, limit, rows)
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
            read_revision(&txn.open_table(REVISIONS)?, &record, revision)
        })
        .await
}
/// An earlier revision (not the current one) of `record`, rebuilt from its
/// stored rows ([`history::rebuild`]).
fn read_revision<T: ReadableTable<(&'static str, u64), &'static [u8]>>(
    table: &T,
    record: &ResumeRecord,
    revision: u64,
) -> Result<RevisionRecord, StoreError> {
    if revision >= record.revision {
        return Err(StoreError::NotFound("revision"));
    }
    let key = record.id.to_string();
    let rows = table
        .range((key.as_str(), revision)..(key.as_str(), record.revision))?
        .map(|entry| {
            let (_, value) = entry?;
            Ok(serde_json::from_slice::<StoredRevision>(value.value())?)
        });
    history::rebuild(record, revision, rows)
}

/// Make `document` the record's new current revision, keeping the current
/// one in `revisions` ([`history::prepare_push`]); the quotas are checked
/// before any write.
fn push_revision(
    txn: &WriteTransaction,
    quotas: &Quotas,
    record: &mut ResumeRecord,
    document: Resume,
    origin: String,
) -> Result<(), StoreError> {
    let (kept, usage) = history::prepare_push(quotas, record, document, origin)?;
    // On error the caller drops `record`: what was changed in it is moot.
    usage::charge(txn, quotas, &record.owner, usage)?;
    let key = record.id.to_string();
    txn.open_table(REVISIONS)?
        .insert((key.as_str(), record.revision - 1), kept.as_slice())?;
    put_resume(txn, record)
}

#[cfg(test)]
mod tests {
    //! Stale revisions, invalid patches, and history that is never rewritten.
    use serde_json::json;

    use super::super::testing::ready_resume;
    use super::super::RedbStore;
    use crate::store::{Store, StoreError};

    #[tokio::test]
    async fn confidence_marks_follow_reordered_entries_and_leave_corrected_fields() {
        use super::super::testing::upload;
        use crate::store::records::ParseOutcome;
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let id = store
            .create_resume(upload("alice"))
            .await
            .unwrap()
            .record
            .id;
        store.mark_parsing(id).await.unwrap();
        let document = json!({
            "basics": {"name": "Jane", "phone": "555"},
            "work": [{"name": "Acme", "startDate": "2019"}, {"name": "Initech", "startDate": "2021"}]
        });
        let outcome = ParseOutcome::Ready {
            document: Box::new(vitae_common::Resume::from_value(document).unwrap()),
            text: String::new(),
            warnings: vec![],
            confidence: [("work[1].startDate", 0.4), ("basics.phone", 0.5)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        };
        store.finish_parse(id, outcome).await.unwrap();
        // The person swaps the two jobs and corrects the phone number.
        let patched = store
            .patch_document(
                "alice",
                id,
                Some(1),
                json!({
                    "basics": {"phone": "555 0100"},
                    "work": [{"name": "Initech", "startDate": "2021"}, {"name": "Acme", "startDate": "2019"}]
                }),
            )
            .await
            .unwrap();
        let marks: Vec<_> = patched.record.confidence.into_iter().collect();
        assert_eq!(marks, [("work[0].startDate".to_string(), 0.4)]);
    }

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

    /// Forty edits of every kind (set, add and remove list entries, null
    /// members, whole sections), across two snapshot boundaries and a
    /// restore: every revision reads back exactly, alone and in the list,
    /// and the small edits were stored as deltas.
    #[tokio::test]
    async fn every_revision_reads_back_exactly_from_deltas_and_snapshots() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let id = ready_resume(&store, "alice").await;
        let mut expected = vec![store.get_revision("alice", id, 1).await.unwrap().document];
        for i in 0..40u64 {
            let patch = match i % 5 {
                0 => json!({"basics": {"label": format!("label {i}")}}),
                1 => {
                    json!({"work": (0..=(i % 7)).map(|j| json!({"name": format!("Co {j}"), "highlights": ["x", format!("edit {i}")]})).collect::<Vec<_>>()})
                }
                2 => json!({"basics": {"summary": "s".repeat(i as usize * 10), "x-note": null}}),
                3 => {
                    json!({"skills": [{"name": "Rust", "keywords": [format!("k{i}"), "tokio"]}], "x-private": {"n": i}})
                }
                _ => json!({"work": null, "x-private": null}),
            };
            let stored = store
                .patch_document("alice", id, None, patch)
                .await
                .unwrap();
            expected.push(stored.record.document);
            if i == 25 {
                let restored = store.restore_revision("alice", id, 3, None).await.unwrap();
                assert_eq!(restored.record.document, expected[2]);
                expected.push(restored.record.document);
            }
        }
        let current = expected.len() as u64;
        for (i, document) in expected.iter().enumerate() {
            let n = i as u64 + 1;
            let got = store.get_revision("alice", id, n).await.unwrap();
            assert_eq!(got.revision, n);
            assert_eq!(&got.document, document, "revision {n}");
        }
        let listed = store.list_revisions("alice", id).await.unwrap();
        assert_eq!(listed.len() as u64, current);
        for (got, document) in listed.iter().zip(&expected) {
            assert_eq!(&got.document, document, "listed revision {}", got.revision);
        }
        assert!(matches!(
            store.get_revision("alice", id, current + 1).await,
            Err(StoreError::NotFound("revision"))
        ));
        assert!(matches!(
            store.get_revision("alice", id, 0).await,
            Err(StoreError::NotFound("revision"))
        ));
        // How the rows were stored: snapshots on multiples of SNAPSHOT_EVERY,
        // deltas for the small edits in between.
        let rows = store
            .read(move |txn| {
                let table = txn.open_table(super::REVISIONS)?;
                let key = id.to_string();
                let mut rows = Vec::new();
                for entry in table.range((key.as_str(), 0u64)..=(key.as_str(), u64::MAX))? {
                    let (k, v) = entry?;
                    let stored: super::StoredRevision = serde_json::from_slice(v.value())?;
                    rows.push((k.value().1, stored.delta.is_some()));
                }
                Ok(rows)
            })
            .await
            .unwrap();
        for (n, is_delta) in &rows {
            if n.is_multiple_of(super::SNAPSHOT_EVERY) {
                assert!(!is_delta, "revision {n} is a snapshot");
            }
        }
        let deltas = rows.iter().filter(|(_, d)| *d).count();
        assert!(
            deltas >= rows.len() / 2,
            "{deltas} of {} rows are deltas",
            rows.len()
        );
    }

    /// Rows written whole by earlier versions (no `delta` field) still read.
    #[tokio::test]
    async fn revisions_stored_whole_by_earlier_versions_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let id = ready_resume(&store, "alice").await;
        store
            .patch_document("alice", id, None, json!({"basics": {"label": "two"}}))
            .await
            .unwrap();
        store
            .patch_document("alice", id, None, json!({"basics": {"label": "three"}}))
            .await
            .unwrap();
        // Rewrite revision 2 the way the old layout stored it.
        let old = json!({
            "revision": 2,
            "created_at": "2026-01-01T00:00:00Z",
            "document": {"basics": {"name": "Jane", "label": "old layout"}},
            "origin": "edited"
        });
        store
            .write(move |txn| {
                let key = id.to_string();
                txn.open_table(super::REVISIONS)?
                    .insert((key.as_str(), 2u64), serde_json::to_vec(&old)?.as_slice())?;
                Ok(())
            })
            .await
            .unwrap();
        let two = store.get_revision("alice", id, 2).await.unwrap();
        assert_eq!(
            two.document.unwrap().basics.unwrap().label.as_deref(),
            Some("old layout")
        );
        // Revision 1 was a delta from 2's *original* document; it now applies
        // to the old-layout one, which only changed the label it set anyway.
        let one = store.get_revision("alice", id, 1).await.unwrap();
        assert_eq!(one.document.unwrap().name(), Some("Jane"));
    }
}
