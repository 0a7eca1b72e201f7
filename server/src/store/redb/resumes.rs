//! Resumes: upload, parse progress and outcome, the master rule, listing,
//! the original bytes, deletion and the resumes a restart must parse again.
//!
//! **The master rule lives here**, in the same transaction as the write that
//! changes it: a `ready` parse outcome (or a tailored version, see
//! [`super::tailored`]) takes the master role when its owner has none;
//! deleting the master hands it to the oldest remaining `ready` resume; and
//! only a `ready` resume can be made master. The writer runs one operation
//! at a time, so two first parses finishing together cannot both see "no
//! master". The `masters` table is the only record of who is master.
//!
//! The read helpers at the end ([`owned`], [`with_master`], …) are shared by
//! every module that reads a resume.

use bytes::Bytes;
use redb::{ReadableTable, WriteTransaction};
use uuid::Uuid;
use vitae_common::Status;

use super::tables::{
    ids_of_owner, page_of_scope, MASTERS, ORIGINALS, OWNER_RESUMES, RESUMES, RESUME_ORDER,
    RESUME_SHARES, REVISIONS, SHARES, SHARE_ORDER, TEXTS,
};
use super::usage::{self, document_bytes};
use super::RedbStore;
use crate::store::quota::Delta;
use crate::store::records::{ParseOutcome, ResumeRecord, StoredResume, RESUME_SCHEMA};
use crate::store::{now, DeletedResume, NewResume, Page, Paged, Position, StoreError};

/// Store a new upload, `pending`, with its original bytes.
pub(super) async fn create(store: &RedbStore, new: NewResume) -> Result<StoredResume, StoreError> {
    let now = now();
    let record = ResumeRecord {
        v: RESUME_SCHEMA,
        id: Uuid::new_v4(),
        owner: new.owner,
        filename: new.filename,
        content_type: new.content_type,
        status: Status::Pending,
        reason: None,
        warnings: Vec::new(),
        parent_id: new.parent_id,
        job_id: None,
        revision: 1,
        revision_origin: None,
        created_at: now,
        updated_at: now,
        document: None,
        confidence: Default::default(),
        size: new.original.len() as u64,
    };
    let original = new.original;
    let quotas = store.current_quotas();
    store
        .write(move |txn| {
            let key = record.id.to_string();
            let delta = Delta {
                resumes: 1,
                bytes: original.len() as i64,
                ..Delta::default()
            };
            usage::charge(txn, &quotas, &record.owner, delta)?;
            put_resume(txn, &record)?;
            txn.open_table(OWNER_RESUMES)?
                .insert((record.owner.as_str(), key.as_str()), ())?;
            let at = order_at(&record);
            txn.open_table(RESUME_ORDER)?
                .insert((record.owner.as_str(), at, key.as_str()), ())?;
            txn.open_table(ORIGINALS)?
                .insert(key.as_str(), original.as_ref())?;
            Ok(StoredResume {
                record,
                is_master: false,
            })
        })
        .await
}

/// One of `owner`'s resumes, its document parsed (`D` = `Resume`) or kept as
/// the stored JSON text (`D` = `RawDocument`).
pub(super) fn get<D: serde::de::DeserializeOwned>(
    store: &RedbStore,
    owner: &str,
    id: Uuid,
) -> Result<StoredResume<D>, StoreError> {
    store.lookup(|txn| {
        let record = owned(&txn.open_table(RESUMES)?, owner, id)?;
        with_master(&txn.open_table(MASTERS)?, record)
    })
}

/// [`get`] on the blocking pool: for reads that may be megabytes of JSON
/// (the raw document of `GET /v1/resumes/{id}`), which would otherwise hold
/// an async worker while the record is read and checked.
pub(super) async fn get_off_thread<D: serde::de::DeserializeOwned + Send + 'static>(
    store: &RedbStore,
    owner: &str,
    id: Uuid,
) -> Result<StoredResume<D>, StoreError> {
    let owner = owner.to_string();
    store
        .read(move |txn| {
            let record = owned(&txn.open_table(RESUMES)?, &owner, id)?;
            with_master(&txn.open_table(MASTERS)?, record)
        })
        .await
}

/// One page of `owner`'s resumes, oldest first: a range scan of
/// `resume_order` from the page's position.
pub(super) async fn page(
    store: &RedbStore,
    owner: &str,
    page: Page<Position>,
) -> Result<Paged<StoredResume, Position>, StoreError> {
    let owner = owner.to_string();
    store
        .read(move |txn| {
            let (positions, more) = page_of_scope(&txn.open_table(RESUME_ORDER)?, &owner, &page)?;
            let resumes = txn.open_table(RESUMES)?;
            let masters = txn.open_table(MASTERS)?;
            let mut items = Vec::with_capacity(positions.len());
            for position in &positions {
                if let Some(bytes) = resumes.get(position.key.as_str())? {
                    let record: ResumeRecord = serde_json::from_slice(bytes.value())?;
                    items.push(with_master(&masters, record)?);
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

/// A resume's time in `resume_order` (its key there is (owner, this, id)).
pub(super) fn order_at(record: &ResumeRecord) -> i64 {
    record.created_at.timestamp_micros()
}

/// The uploaded bytes, as received.
pub(super) async fn original(store: &RedbStore, id: Uuid) -> Result<Bytes, StoreError> {
    store
        .read(move |txn| {
            let table = txn.open_table(ORIGINALS)?;
            let key = id.to_string();
            let bytes = table
                .get(key.as_str())?
                .ok_or(StoreError::NotFound("original upload"))?;
            Ok(Bytes::copy_from_slice(bytes.value()))
        })
        .await
}

/// Move a `pending` resume to `parsing`.
pub(super) async fn mark_parsing(store: &RedbStore, id: Uuid) -> Result<StoredResume, StoreError> {
    store
        .write(move |txn| {
            let mut record = load_resume(&txn.open_table(RESUMES)?, id)?
                .ok_or(StoreError::NotFound("resume"))?;
            if record.status.is_terminal() {
                return Err(StoreError::Conflict(format!(
                    "resume {id} is already {}",
                    record.status
                )));
            }
            record.status = Status::Parsing;
            record.updated_at = now();
            put_resume(txn, &record)?;
            with_master(&txn.open_table(MASTERS)?, record)
        })
        .await
}

/// Store the parse outcome; a `ready` resume becomes master when its owner
/// has none.
pub(super) async fn finish_parse(
    store: &RedbStore,
    id: Uuid,
    outcome: ParseOutcome,
) -> Result<StoredResume, StoreError> {
    let quotas = store.current_quotas();
    store
        .write(move |txn| {
            let mut record = load_resume(&txn.open_table(RESUMES)?, id)?
                .ok_or(StoreError::NotFound("resume"))?;
            if record.status.is_terminal() {
                return Err(StoreError::Conflict(format!(
                    "resume {id} is already {}",
                    record.status
                )));
            }
            record.updated_at = now();
            let mut masters = txn.open_table(MASTERS)?;
            // Over the byte quota, the parse ends `failed` saying so: the
            // upload stays, its derived text and document are not kept.
            let outcome = match outcome {
                ParseOutcome::Ready {
                    document,
                    text,
                    warnings,
                    confidence,
                } => {
                    match usage::charge(txn, &quotas, &record.owner, parsed_delta(&document, &text))
                    {
                        Ok(()) => ParseOutcome::Ready {
                            document,
                            text,
                            warnings,
                            confidence,
                        },
                        Err(StoreError::Quota(over)) => ParseOutcome::Failed {
                            reason: format!("the parsed document could not be kept: {over}"),
                        },
                        Err(other) => return Err(other),
                    }
                }
                failed => failed,
            };
            match outcome {
                ParseOutcome::Ready {
                    document,
                    text,
                    warnings,
                    confidence,
                } => {
                    record.status = Status::Ready;
                    record.document = Some(*document);
                    record.warnings = warnings;
                    record.confidence = confidence;
                    let key = id.to_string();
                    txn.open_table(TEXTS)?.insert(key.as_str(), text.as_str())?;
                    // The master rule lives in this transaction: the writer
                    // runs one operation at a time, so two first parses
                    // finishing together cannot both see "no master".
                    if masters.get(record.owner.as_str())?.is_none() {
                        masters.insert(record.owner.as_str(), key.as_str())?;
                    }
                }
                ParseOutcome::Failed { reason } => {
                    record.status = Status::Failed;
                    record.reason = Some(reason);
                }
            }
            put_resume(txn, &record)?;
            with_master(&masters, record)
        })
        .await
}

/// Delete a resume with its original, text, revisions, shares (and their
/// view history), export jobs and cached exports.
pub(super) async fn delete(
    store: &RedbStore,
    owner: &str,
    id: Uuid,
) -> Result<DeletedResume, StoreError> {
    let owner = owner.to_string();
    let quotas = store.current_quotas();
    let seal = store.seal.clone();
    store
        .write(move |txn| {
            let record: ResumeRecord = owned(&txn.open_table(RESUMES)?, &owner, id)?;
            let key = id.to_string();
            let mut freed = {
                use super::usage::TableReader;
                let (revisions, revision_bytes) = txn.revisions_of(&key)?;
                Delta {
                    resumes: -1,
                    revisions: -(revisions as i64),
                    bytes: -((txn.len_of(ORIGINALS, &key)?
                        + txn.len_of_text(&key)?
                        + document_bytes(record.document.as_ref())
                        + revision_bytes) as i64),
                    ..Delta::default()
                }
            };
            txn.open_table(RESUMES)?.remove(key.as_str())?;
            txn.open_table(OWNER_RESUMES)?
                .remove((owner.as_str(), key.as_str()))?;
            let at = order_at(&record);
            txn.open_table(RESUME_ORDER)?
                .remove((owner.as_str(), at, key.as_str()))?;
            txn.open_table(SHARE_ORDER)?.retain_in(
                (key.as_str(), i64::MIN, "")..=(key.as_str(), i64::MAX, "\u{10ffff}"),
                |_, _| false,
            )?;
            txn.open_table(ORIGINALS)?.remove(key.as_str())?;
            txn.open_table(TEXTS)?.remove(key.as_str())?;
            {
                let mut revisions = txn.open_table(REVISIONS)?;
                revisions.retain_in((key.as_str(), 0u64)..=(key.as_str(), u64::MAX), |_, _| {
                    false
                })?;
            }
            freed.exports = -(super::exports::forget_resume(txn, &owner, id)? as i64);
            let share_tokens;
            {
                // Shares are filed under their tokens' hashes; the owner's
                // clients hear of the revocations by token.
                let mut index = txn.open_table(RESUME_SHARES)?;
                let mut share_keys = Vec::new();
                for entry in index.range((key.as_str(), "")..)? {
                    let (k, _) = entry?;
                    let (resume, share) = k.value();
                    if resume != key {
                        break;
                    }
                    share_keys.push(share.to_string());
                }
                let mut shares = txn.open_table(SHARES)?;
                share_tokens = super::shares::open_tokens(&shares, &share_keys, &seal)?;
                for share in &share_keys {
                    shares.remove(share.as_str())?;
                    index.remove((key.as_str(), share.as_str()))?;
                }
                super::shares::forget_history(txn, &share_keys)?;
                // Every removed record frees its count, even one whose
                // token could not be opened to announce it.
                freed.shares = -(share_keys.len() as i64);
            }
            usage::charge(txn, &quotas, &owner, freed)?;
            // Deleting the master hands the role to the oldest remaining
            // ready resume, so an owner with ready resumes always has one.
            let mut new_master = None;
            let mut masters = txn.open_table(MASTERS)?;
            if master_of(&masters, &owner)?.as_deref() == Some(key.as_str()) {
                masters.remove(owner.as_str())?;
                let resumes = txn.open_table(RESUMES)?;
                let mut candidates = Vec::new();
                for other in ids_of_owner(&txn.open_table(OWNER_RESUMES)?, &owner)? {
                    if let Some(bytes) = resumes.get(other.as_str())? {
                        let other: ResumeRecord = serde_json::from_slice(bytes.value())?;
                        if other.status == Status::Ready {
                            candidates.push((other.created_at, other.id));
                        }
                    }
                }
                if let Some((_, successor)) = candidates.into_iter().min() {
                    masters.insert(owner.as_str(), successor.to_string().as_str())?;
                    new_master = Some(successor);
                }
            }
            Ok(DeletedResume {
                record,
                share_tokens,
                new_master,
            })
        })
        .await
}

/// Make a `ready` resume its owner's master.
pub(super) async fn set_master(
    store: &RedbStore,
    owner: &str,
    id: Uuid,
) -> Result<StoredResume, StoreError> {
    let owner = owner.to_string();
    store
        .write(move |txn| {
            let record = owned(&txn.open_table(RESUMES)?, &owner, id)?;
            if record.status != Status::Ready {
                return Err(StoreError::Conflict(format!(
                    "resume {id} is {}; only a ready resume can be the master",
                    record.status
                )));
            }
            let mut masters = txn.open_table(MASTERS)?;
            masters.insert(owner.as_str(), id.to_string().as_str())?;
            Ok(StoredResume {
                record,
                is_master: true,
            })
        })
        .await
}

/// Resumes left `pending` or `parsing`, oldest first, with their owners.
pub(super) async fn unfinished(store: &RedbStore) -> Result<Vec<(Uuid, String)>, StoreError> {
    store
        .read(move |txn| {
            let table = txn.open_table(RESUMES)?;
            let mut out = Vec::new();
            for entry in table.iter()? {
                let (_, value) = entry?;
                let record: ResumeRecord = serde_json::from_slice(value.value())?;
                if !record.status.is_terminal() {
                    out.push((record.created_at, record.id, record.owner));
                }
            }
            out.sort();
            Ok(out.into_iter().map(|(_, id, owner)| (id, owner)).collect())
        })
        .await
}

// ---- helpers shared by reads and writes -----------------------------------

/// What a parse outcome adds to its owner's usage: the text and the document.
fn parsed_delta(document: &vitae_common::Resume, text: &str) -> Delta {
    Delta {
        bytes: (text.len() as u64 + document_bytes(Some(document))) as i64,
        ..Delta::default()
    }
}

pub(super) fn load_resume<
    D: serde::de::DeserializeOwned,
    T: ReadableTable<&'static str, &'static [u8]>,
>(
    table: &T,
    id: Uuid,
) -> Result<Option<ResumeRecord<D>>, StoreError> {
    let key = id.to_string();
    match table.get(key.as_str())? {
        Some(bytes) => Ok(Some(serde_json::from_slice(bytes.value())?)),
        None => Ok(None),
    }
}

pub(super) fn owned<
    D: serde::de::DeserializeOwned,
    T: ReadableTable<&'static str, &'static [u8]>,
>(
    table: &T,
    owner: &str,
    id: Uuid,
) -> Result<ResumeRecord<D>, StoreError> {
    match load_resume(table, id)? {
        Some(record) if record.owner == owner => Ok(record),
        _ => Err(StoreError::NotFound("resume")),
    }
}

pub(super) fn master_of<T: ReadableTable<&'static str, &'static str>>(
    masters: &T,
    owner: &str,
) -> Result<Option<String>, StoreError> {
    Ok(masters.get(owner)?.map(|v| v.value().to_string()))
}

pub(super) fn with_master<D, T: ReadableTable<&'static str, &'static str>>(
    masters: &T,
    record: ResumeRecord<D>,
) -> Result<StoredResume<D>, StoreError> {
    let is_master = master_of(masters, &record.owner)?.as_deref() == Some(&*record.id.to_string());
    Ok(StoredResume { record, is_master })
}

pub(super) fn put_resume(txn: &WriteTransaction, record: &ResumeRecord) -> Result<(), StoreError> {
    let mut resumes = txn.open_table(RESUMES)?;
    let key = record.id.to_string();
    resumes.insert(key.as_str(), serde_json::to_vec(record)?.as_slice())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    //! Races for the master role, and what deleting a resume takes with it.
    use std::sync::Arc;

    use serde_json::json;
    use vitae_common::Status;

    use super::super::testing::{failed_resume, ready, ready_resume, upload};
    use super::super::RedbStore;
    use crate::store::records::ParseOutcome;
    use crate::store::{Store, StoreError};

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_first_parses_leave_exactly_one_master() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(RedbStore::open(dir.path()).unwrap());
        for round in 0..20 {
            let owner = format!("owner{round}");
            let mut ids = Vec::new();
            for _ in 0..50 {
                ids.push(store.create_resume(upload(&owner)).await.unwrap().record.id);
            }
            let tasks: Vec<_> = ids
                .iter()
                .enumerate()
                .map(|(i, &id)| {
                    let store = store.clone();
                    tokio::spawn(async move {
                        store.mark_parsing(id).await.unwrap();
                        let outcome = if i % 7 == 0 {
                            ParseOutcome::Failed {
                                reason: "bad".into(),
                            }
                        } else {
                            ready("Jane")
                        };
                        store.finish_parse(id, outcome).await.unwrap()
                    })
                })
                .collect();
            let mut masters_told = 0;
            for task in tasks {
                if task.await.unwrap().is_master {
                    masters_told += 1;
                }
            }
            let listed = store.list_resumes(&owner).await.unwrap();
            let masters: Vec<_> = listed.iter().filter(|r| r.is_master).collect();
            assert_eq!(masters.len(), 1, "round {round}");
            assert_eq!(masters_told, 1, "round {round}");
            assert_eq!(masters[0].record.status, Status::Ready);
        }
    }

    #[tokio::test]
    async fn failed_parses_never_become_master_and_master_moves_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let (failed, stored) = failed_resume(&store, "alice").await;
        assert!(!stored.is_master);
        assert!(matches!(
            store.set_master("alice", failed).await,
            Err(StoreError::Conflict(_))
        ));
        let first = ready_resume(&store, "alice").await;
        let second = ready_resume(&store, "alice").await;
        assert!(store.get_resume("alice", first).await.unwrap().is_master);
        store.set_master("alice", second).await.unwrap();
        assert!(!store.get_resume("alice", first).await.unwrap().is_master);
        assert!(store.get_resume("alice", second).await.unwrap().is_master);
        // Deleting the master hands the role to the oldest ready resume.
        let deleted = store.delete_resume("alice", second).await.unwrap();
        assert_eq!(deleted.new_master, Some(first));
        assert!(store.get_resume("alice", first).await.unwrap().is_master);
    }

    #[tokio::test]
    async fn deleting_a_resume_removes_its_shares_and_revisions() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let id = ready_resume(&store, "alice").await;
        store
            .patch_document("alice", id, None, json!({"basics": {"label": "x"}}))
            .await
            .unwrap();
        let later = crate::store::now() + chrono::Duration::days(1);
        let a = store
            .create_share("alice", id, later, Default::default())
            .await
            .unwrap();
        let b = store
            .create_share("alice", id, later, Default::default())
            .await
            .unwrap();
        let deleted = store.delete_resume("alice", id).await.unwrap();
        assert_eq!(deleted.share_tokens.len(), 2);
        for token in [a.token, b.token] {
            assert!(matches!(
                store
                    .access_share(
                        &token,
                        super::super::testing::client(1),
                        crate::store::now()
                    )
                    .await,
                Err(StoreError::NotFound(_))
            ));
        }
        assert!(matches!(
            store.list_revisions("alice", id).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            store.original(id).await,
            Err(StoreError::NotFound(_))
        ));
    }
}
