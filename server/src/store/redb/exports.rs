//! Export jobs and the export cache.
//!
//! A job lives in `exports` under its id, indexed by owner in
//! `owner_exports`; an owner keeps at most its export quota
//! ([`crate::store::Quotas::exports`], [`MAX_EXPORTS_PER_OWNER`] by
//! default): past it the oldest finished ones are forgotten, and only when
//! every kept job is still unfinished is a new one refused
//! ([`StoreError::Quota`]). The cache is content-addressed: a file
//! is stored in `export_files` under the hash of everything that decides
//! its bytes, with its facts and last use in `export_meta`. Writing a file
//! evicts the least recently used ones until the cache fits its byte
//! budget, in the same transaction, so the budget holds across restarts.
//! Reads never write: the exporter remembers which keys it served and hands
//! their recency to the next write.

use redb::{ReadableTable, ReadableTableMetadata, WriteTransaction};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::tables::{
    ids_of_owner, EXPORTS, EXPORT_FILES, EXPORT_META, OWNER_EXPORTS, RESUME_EXPORT_FILES,
};
use super::usage;
use super::RedbStore;
use crate::store::quota::Delta;
use crate::store::records::{CachedExport, ExportRecord};
use crate::store::StoreError;
#[cfg(any(doc, test))]
use crate::store::MAX_EXPORTS_PER_OWNER;
use vitae_common::export::ExportFormat;

/// What `export_meta` holds for a cached file.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct FileMeta {
    format: ExportFormat,
    size: u64,
    pages: u32,
    #[serde(default)]
    warnings: Vec<String>,
    /// Last use, milliseconds since the epoch.
    used: i64,
    /// The resume it was rendered from (for deleting it with the resume).
    resume: Uuid,
}

pub(super) async fn cached(
    store: &RedbStore,
    key: &str,
) -> Result<Option<CachedExport>, StoreError> {
    // A point lookup of one small file: cheaper on the calling task than a
    // hop to the blocking pool, and this is the cache-hit path.
    store.lookup(|txn| {
        let meta = txn.open_table(EXPORT_META)?;
        let Some(raw) = meta.get(key)? else {
            return Ok(None);
        };
        let meta: FileMeta = serde_json::from_slice(raw.value())?;
        let files = txn.open_table(EXPORT_FILES)?;
        let Some(bytes) = files.get(key)? else {
            return Ok(None);
        };
        Ok(Some(CachedExport {
            key: key.to_string(),
            resume_id: meta.resume,
            format: meta.format,
            bytes: bytes::Bytes::copy_from_slice(bytes.value()),
            pages: meta.pages,
            warnings: meta.warnings,
        }))
    })
}

pub(super) async fn cache(
    store: &RedbStore,
    file: CachedExport,
    max_bytes: u64,
    used: Vec<(String, i64)>,
) -> Result<(), StoreError> {
    store
        .write(move |txn| {
            let mut meta = txn.open_table(EXPORT_META)?;
            for (key, at) in used {
                let current = meta.get(key.as_str())?.map(|raw| raw.value().to_vec());
                if let Some(raw) = current {
                    let mut facts: FileMeta = serde_json::from_slice(&raw)?;
                    facts.used = facts.used.max(at);
                    meta.insert(key.as_str(), serde_json::to_vec(&facts)?.as_slice())?;
                }
            }
            let size = file.bytes.len() as u64;
            if size > max_bytes {
                return Ok(());
            }
            let facts = FileMeta {
                format: file.format,
                size,
                pages: file.pages,
                warnings: file.warnings,
                used: chrono::Utc::now().timestamp_millis(),
                resume: file.resume_id,
            };
            meta.insert(file.key.as_str(), serde_json::to_vec(&facts)?.as_slice())?;
            let mut files = txn.open_table(EXPORT_FILES)?;
            files.insert(file.key.as_str(), file.bytes.as_ref())?;
            let mut by_resume = txn.open_table(RESUME_EXPORT_FILES)?;
            let resume = file.resume_id.to_string();
            by_resume.insert((resume.as_str(), file.key.as_str()), ())?;
            // Least recently used first; the new file is the most recent.
            let mut entries = Vec::with_capacity(meta.len()? as usize);
            let mut total = 0u64;
            for entry in meta.iter()? {
                let (key, raw) = entry?;
                let facts: FileMeta = serde_json::from_slice(raw.value())?;
                total += facts.size;
                entries.push((
                    facts.used,
                    key.value().to_string(),
                    facts.size,
                    facts.resume,
                ));
            }
            entries.sort();
            for (_, key, size, resume) in entries {
                if total <= max_bytes {
                    break;
                }
                if key == file.key {
                    continue;
                }
                meta.remove(key.as_str())?;
                files.remove(key.as_str())?;
                by_resume.remove((resume.to_string().as_str(), key.as_str()))?;
                total -= size;
            }
            Ok(())
        })
        .await
}

pub(super) async fn create(store: &RedbStore, record: ExportRecord) -> Result<(), StoreError> {
    let quotas = store.current_quotas();
    let limit = quotas.exports as usize;
    store
        .write(move |txn| {
            let mut exports = txn.open_table(EXPORTS)?;
            let mut index = txn.open_table(OWNER_EXPORTS)?;
            let mut mine = Vec::new();
            for id in ids_of_owner(&index, &record.owner)? {
                if let Some(raw) = exports.get(id.as_str())? {
                    let old: ExportRecord = serde_json::from_slice(raw.value())?;
                    mine.push((old.status.is_terminal(), old.created_at, id));
                }
            }
            let mut forget = Vec::new();
            if limit > 0 && mine.len() >= limit {
                // Finished ones first (`true` sorts after `false`, so
                // reverse that), oldest first within each; never one
                // still running.
                mine.sort_by_key(|(done, at, _)| (!done, *at));
                let excess = mine.len() + 1 - limit;
                forget = mine
                    .into_iter()
                    .filter(|(done, _, _)| *done)
                    .take(excess)
                    .map(|(_, _, id)| id)
                    .collect();
            }
            // Checked before anything is written: with every kept job
            // unfinished, the quota refuses the new one.
            let delta = Delta {
                exports: 1 - forget.len() as i64,
                ..Delta::default()
            };
            usage::charge(txn, &quotas, &record.owner, delta)?;
            for id in forget {
                exports.remove(id.as_str())?;
                index.remove((record.owner.as_str(), id.as_str()))?;
            }
            let id = record.id.to_string();
            exports.insert(id.as_str(), serde_json::to_vec(&record)?.as_slice())?;
            index.insert((record.owner.as_str(), id.as_str()), ())?;
            Ok(())
        })
        .await
}

pub(super) async fn update(store: &RedbStore, record: ExportRecord) -> Result<(), StoreError> {
    store
        .write(move |txn| {
            let mut exports = txn.open_table(EXPORTS)?;
            let id = record.id.to_string();
            // A job forgotten meanwhile (its resume was deleted) stays gone.
            if exports.get(id.as_str())?.is_none() {
                return Err(StoreError::NotFound("export"));
            }
            exports.insert(id.as_str(), serde_json::to_vec(&record)?.as_slice())?;
            Ok(())
        })
        .await
}

pub(super) async fn get(
    store: &RedbStore,
    owner: &str,
    id: Uuid,
) -> Result<ExportRecord, StoreError> {
    let owner = owner.to_string();
    store
        .read(move |txn| {
            let exports = txn.open_table(EXPORTS)?;
            let key = id.to_string();
            let Some(raw) = exports.get(key.as_str())? else {
                return Err(StoreError::NotFound("export"));
            };
            let record: ExportRecord = serde_json::from_slice(raw.value())?;
            if record.owner != owner {
                return Err(StoreError::NotFound("export"));
            }
            Ok(record)
        })
        .await
}

pub(super) async fn unfinished(store: &RedbStore) -> Result<Vec<ExportRecord>, StoreError> {
    store
        .read(|txn| {
            let exports = txn.open_table(EXPORTS)?;
            let mut out = Vec::new();
            for entry in exports.iter()? {
                let (_, raw) = entry?;
                let record: ExportRecord = serde_json::from_slice(raw.value())?;
                if !record.status.is_terminal() {
                    out.push(record);
                }
            }
            out.sort_by_key(|r| r.created_at);
            Ok(out)
        })
        .await
}

/// Forget a deleted resume's export jobs and every cached file rendered from it (a
/// deleted resume leaves no rendering of itself behind).
/// Answers how many export jobs were forgotten (for the owner's usage).
pub(super) fn forget_resume(
    txn: &WriteTransaction,
    owner: &str,
    resume_id: Uuid,
) -> Result<u64, StoreError> {
    let mut forgotten = 0;
    let mut exports = txn.open_table(EXPORTS)?;
    let mut index = txn.open_table(OWNER_EXPORTS)?;
    let mut meta = txn.open_table(EXPORT_META)?;
    let mut files = txn.open_table(EXPORT_FILES)?;
    for id in ids_of_owner(&index, owner)? {
        let record = match exports.get(id.as_str())? {
            Some(raw) => serde_json::from_slice::<ExportRecord>(raw.value())?,
            None => continue,
        };
        if record.resume_id != resume_id {
            continue;
        }
        exports.remove(id.as_str())?;
        index.remove((owner, id.as_str()))?;
        forgotten += 1;
    }
    let resume = resume_id.to_string();
    let mut by_resume = txn.open_table(RESUME_EXPORT_FILES)?;
    for key in ids_of_owner(&by_resume, &resume)? {
        meta.remove(key.as_str())?;
        files.remove(key.as_str())?;
        by_resume.remove((resume.as_str(), key.as_str()))?;
    }
    Ok(forgotten)
}

#[cfg(test)]
mod tests {
    use super::super::testing::ready_resume;
    use super::*;
    use crate::store::Store;
    use vitae_common::export::{ExportRequest, ExportStatus};

    fn file(key: &str, resume_id: Uuid, size: usize) -> CachedExport {
        CachedExport {
            key: key.into(),
            resume_id,
            format: ExportFormat::Pdf,
            bytes: bytes::Bytes::from(vec![b'x'; size]),
            pages: 1,
            warnings: vec!["w".into()],
        }
    }

    #[tokio::test]
    async fn the_cache_keeps_its_byte_budget_dropping_the_least_recently_used() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let id = ready_resume(&store, "alice").await;
        store
            .cache_export(file("a", id, 100), 250, vec![])
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        store
            .cache_export(file("b", id, 100), 250, vec![])
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        // "a" was read after "b" was written: "b" is now the least recent.
        let used = vec![("a".to_string(), chrono::Utc::now().timestamp_millis())];
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        store
            .cache_export(file("c", id, 100), 250, used)
            .await
            .unwrap();
        assert!(store.cached_export("a").await.unwrap().is_some());
        assert!(store.cached_export("b").await.unwrap().is_none());
        let c = store.cached_export("c").await.unwrap().unwrap();
        assert_eq!((c.bytes.len(), c.pages, c.warnings.len()), (100, 1, 1));
        // Larger than the whole budget: not kept, and nothing evicted for it.
        store
            .cache_export(file("huge", id, 1000), 250, vec![])
            .await
            .unwrap();
        assert!(store.cached_export("huge").await.unwrap().is_none());
        assert!(store.cached_export("a").await.unwrap().is_some());
        // The cache is in the file: it survives a reopen.
        drop(store);
        let store = RedbStore::open(dir.path()).unwrap();
        assert!(store.cached_export("c").await.unwrap().is_some());
        // Deleting the resume deletes what was rendered from it.
        store.delete_resume("alice", id).await.unwrap();
        assert!(store.cached_export("a").await.unwrap().is_none());
        assert!(store.cached_export("c").await.unwrap().is_none());
    }

    fn record(owner: &str, resume_id: Uuid, status: ExportStatus) -> ExportRecord {
        let now = crate::store::now();
        ExportRecord {
            v: crate::store::records::EXPORT_SCHEMA,
            id: Uuid::new_v4(),
            owner: owner.into(),
            resume_id,
            revision: 1,
            request: ExportRequest::new(ExportFormat::Pdf, "classic"),
            key: "k".into(),
            status,
            reason: None,
            bytes: None,
            pages: None,
            cached: None,
            warnings: vec![],
            filename: "x.pdf".into(),
            created_at: now,
            updated_at: now,
        }
    }

    #[tokio::test]
    async fn jobs_are_owned_bounded_and_listed_when_unfinished() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let id = ready_resume(&store, "alice").await;
        let running = record("alice", id, ExportStatus::Queued);
        store.create_export(running.clone()).await.unwrap();
        assert_eq!(
            store.get_export("alice", running.id).await.unwrap(),
            running
        );
        assert!(matches!(
            store.get_export("bob", running.id).await,
            Err(StoreError::NotFound(_))
        ));
        for _ in 0..MAX_EXPORTS_PER_OWNER + 5 {
            store
                .create_export(record("alice", id, ExportStatus::Complete))
                .await
                .unwrap();
        }
        // Finished jobs went first: the running one is still there.
        assert!(store.get_export("alice", running.id).await.is_ok());
        let unfinished = store.unfinished_exports().await.unwrap();
        assert_eq!(unfinished.len(), 1);
        let kept = store
            .read(|txn| {
                let index = txn.open_table(OWNER_EXPORTS)?;
                Ok(ids_of_owner(&index, "alice")?.len())
            })
            .await
            .unwrap();
        assert_eq!(kept, MAX_EXPORTS_PER_OWNER);
        assert_eq!(
            store.usage("alice").await.unwrap().exports,
            MAX_EXPORTS_PER_OWNER as u64
        );
    }

    #[tokio::test]
    async fn past_the_export_quota_finished_jobs_go_and_running_ones_refuse() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        store.set_quotas(crate::store::Quotas {
            exports: 3,
            ..Default::default()
        });
        let id = ready_resume(&store, "bob").await;
        for _ in 0..3 {
            store
                .create_export(record("bob", id, ExportStatus::Rendering))
                .await
                .unwrap();
        }
        let err = store
            .create_export(record("bob", id, ExportStatus::Queued))
            .await
            .unwrap_err();
        let StoreError::Quota(over) = err else {
            panic!("expected a quota error, got {err:?}");
        };
        assert_eq!(
            (over.limit, over.used, over.setting),
            (3, 3, "quota_exports")
        );
        assert_eq!(store.usage("bob").await.unwrap().exports, 3);
        // Deleting the resume forgets its jobs and frees the quota.
        store.delete_resume("bob", id).await.unwrap();
        assert_eq!(store.usage("bob").await.unwrap(), Default::default());
    }
}
