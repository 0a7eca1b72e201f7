//! Per-owner usage counters ([`crate::store::quota`]) in the `usage` table,
//! charged in the same write transaction as the write they count.
//!
//! Each write that adds or frees something computes its [`Delta`] first
//! and calls [`charge`] before it writes anything else: over quota, the
//! write answers [`StoreError::Quota`] having written nothing (the writer's
//! rule for errors, see [`super::writer`]). Writes that only free room
//! charge after their writes; they cannot fail on a quota. [`recompute`]
//! builds every counter from the tables, once, for a store written before
//! the counters existed ([`super::migrate`]), and is what the tests compare
//! the counters with.

use std::collections::HashMap;

use redb::{ReadableTable, WriteTransaction};

use super::tables::{EXPORTS, JOBS, ORIGINALS, RESUMES, REVISIONS, SHARES, TEXTS, USAGE};
use crate::store::quota::{Delta, Quotas, Usage};
use crate::store::records::ResumeRecord;
use crate::store::StoreError;

/// The size a document counts for: its length as compact JSON.
pub(super) fn document_bytes(document: Option<&vitae_common::Resume>) -> u64 {
    document.map_or(0, vitae_parser::json_size)
}

/// `owner`'s usage as of `table`.
pub(super) fn read<T: ReadableTable<&'static str, &'static [u8]>>(
    table: &T,
    owner: &str,
) -> Result<Usage, StoreError> {
    match table.get(owner)? {
        Some(raw) => Ok(serde_json::from_slice(raw.value())?),
        None => Ok(Usage::default()),
    }
}

/// Check `delta` against `quotas` and apply it to `owner`'s usage.
pub(super) fn charge(
    txn: &WriteTransaction,
    quotas: &Quotas,
    owner: &str,
    delta: Delta,
) -> Result<(), StoreError> {
    if delta == Delta::default() {
        return Ok(());
    }
    let mut table = txn.open_table(USAGE)?;
    let usage = read(&table, owner)?;
    usage.check(delta, quotas)?;
    let after = usage.plus(delta);
    if after == Usage::default() {
        table.remove(owner)?;
    } else {
        table.insert(owner, serde_json::to_vec(&after)?.as_slice())?;
    }
    Ok(())
}

/// Every owner's usage, counted from the tables themselves.
pub(super) fn count_all<T>(txn: &T) -> Result<HashMap<String, Usage>, StoreError>
where
    T: TableReader,
{
    let mut all: HashMap<String, Usage> = HashMap::new();
    txn.each(RESUMES, &mut |_, value| {
        let record: ResumeRecord = serde_json::from_slice(value)?;
        let key = record.id.to_string();
        let mut bytes = document_bytes(record.document.as_ref());
        bytes += txn.len_of(ORIGINALS, &key)?;
        bytes += txn.len_of_text(&key)?;
        let (kept, revision_bytes) = txn.revisions_of(&key)?;
        let usage = all.entry(record.owner).or_default();
        usage.resumes += 1;
        usage.bytes += bytes + revision_bytes;
        usage.revisions += kept;
        Ok(())
    })?;
    for (table, field) in [(SHARES, 0), (JOBS, 1), (EXPORTS, 2)] {
        txn.each(table, &mut |_, value| {
            let record: serde_json::Value = serde_json::from_slice(value)?;
            let Some(owner) = record.get("owner").and_then(|o| o.as_str()) else {
                return Ok(());
            };
            let usage = all.entry(owner.to_string()).or_default();
            match field {
                0 => usage.shares += 1,
                1 => usage.jobs += 1,
                _ => usage.exports += 1,
            }
            Ok(())
        })?;
    }
    Ok(all)
}

/// Replace every counter with one counted from the tables.
pub(super) fn recompute(txn: &WriteTransaction) -> Result<usize, StoreError> {
    let all = count_all(txn)?;
    let mut table = txn.open_table(USAGE)?;
    table.retain(|_, _| false)?;
    for (owner, usage) in &all {
        table.insert(owner.as_str(), serde_json::to_vec(usage)?.as_slice())?;
    }
    Ok(all.len())
}

/// Called with each key and value of a table.
pub(super) type Visit<'a> = dyn FnMut(&str, &[u8]) -> Result<(), StoreError> + 'a;

/// The reads [`count_all`] needs, from a read or a write transaction.
pub(super) trait TableReader {
    fn each(
        &self,
        table: redb::TableDefinition<&'static str, &'static [u8]>,
        f: &mut Visit<'_>,
    ) -> Result<(), StoreError>;
    fn len_of(
        &self,
        table: redb::TableDefinition<&'static str, &'static [u8]>,
        key: &str,
    ) -> Result<u64, StoreError>;
    fn len_of_text(&self, key: &str) -> Result<u64, StoreError>;
    /// Earlier revisions kept, and their bytes as stored.
    fn revisions_of(&self, key: &str) -> Result<(u64, u64), StoreError>;
}

macro_rules! table_reader {
    ($t:ty) => {
        impl TableReader for $t {
            fn each(
                &self,
                table: redb::TableDefinition<&'static str, &'static [u8]>,
                f: &mut Visit<'_>,
            ) -> Result<(), StoreError> {
                let table = self.open_table(table)?;
                for entry in table.iter()? {
                    let (key, value) = entry?;
                    f(key.value(), value.value())?;
                }
                Ok(())
            }

            fn len_of(
                &self,
                table: redb::TableDefinition<&'static str, &'static [u8]>,
                key: &str,
            ) -> Result<u64, StoreError> {
                let table = self.open_table(table)?;
                let len = table.get(key)?.map_or(0, |v| v.value().len() as u64);
                Ok(len)
            }

            fn len_of_text(&self, key: &str) -> Result<u64, StoreError> {
                let table = self.open_table(TEXTS)?;
                let len = table.get(key)?.map_or(0, |v| v.value().len() as u64);
                Ok(len)
            }

            fn revisions_of(&self, key: &str) -> Result<(u64, u64), StoreError> {
                let table = self.open_table(REVISIONS)?;
                let (mut kept, mut bytes) = (0, 0);
                for entry in table.range((key, 0u64)..=(key, u64::MAX))? {
                    let (_, value) = entry?;
                    kept += 1;
                    bytes += value.value().len() as u64;
                }
                Ok((kept, bytes))
            }
        }
    };
}
table_reader!(WriteTransaction);
table_reader!(redb::ReadTransaction);

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::super::tables::{META, USAGE};
    use super::super::testing::{failed_resume, job, ready, ready_resume, upload};
    use super::super::RedbStore;
    use super::*;
    use crate::store::{NewTailored, Store};

    async fn recount(store: &RedbStore, owner: &str) -> Usage {
        let all = store.read(count_all).await.unwrap();
        all.get(owner).copied().unwrap_or_default()
    }

    #[tokio::test]
    async fn counters_match_a_recount_after_every_kind_of_write() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let check = |step: &'static str| {
            let store = &store;
            async move {
                let kept = store.usage("alice").await.unwrap();
                assert_eq!(kept, recount(store, "alice").await, "after {step}");
                kept
            }
        };
        let first = ready_resume(&store, "alice").await;
        let after_parse = check("an upload and its parse").await;
        assert_eq!(after_parse.resumes, 1);
        assert!(after_parse.bytes > 0);
        // A failed parse keeps only the original.
        let (failed, _) = failed_resume(&store, "alice").await;
        check("a failed parse").await;
        for label in ["one", "two", "three"] {
            store
                .patch_document("alice", first, None, json!({"basics": {"label": label}}))
                .await
                .unwrap();
        }
        assert_eq!(check("three edits").await.revisions, 3);
        store
            .restore_revision("alice", first, 2, None)
            .await
            .unwrap();
        check("a restore").await;
        let later = crate::store::now() + chrono::Duration::days(1);
        let share = store
            .create_share("alice", first, later, Default::default())
            .await
            .unwrap();
        store.revoke_share("alice", &share.token).await.unwrap();
        assert_eq!(check("a share, revoked").await.shares, 1);
        let (kept_job, _) = store.create_job(job("alice", "rust")).await.unwrap();
        let (other_job, _) = store.create_job(job("alice", "go")).await.unwrap();
        // The same description again is the same job, not a new one.
        store.create_job(job("alice", "rust")).await.unwrap();
        store.delete_job("alice", other_job.id).await.unwrap();
        assert_eq!(check("jobs").await.jobs, 1);
        let source = store.get_resume("alice", first).await.unwrap().record;
        let tailored = store
            .create_tailored(NewTailored {
                owner: "alice".into(),
                source_id: first,
                source_revision: source.revision,
                job_id: kept_job.id,
                job_revision: kept_job.revision,
                filename: "cv-rust.json".into(),
                document: source.document.clone().unwrap(),
                origin: "tailored".into(),
            })
            .await
            .unwrap();
        assert_eq!(check("a tailored version").await.resumes, 3);
        store.delete_resume("alice", first).await.unwrap();
        store
            .delete_resume("alice", tailored.record.id)
            .await
            .unwrap();
        store.delete_resume("alice", failed).await.unwrap();
        let left = check("deleting every resume").await;
        assert_eq!(
            left,
            Usage {
                jobs: 1,
                ..Usage::default()
            }
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_writes_cannot_overshoot_a_quota() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(RedbStore::open(dir.path()).unwrap());
        store.set_quotas(Quotas {
            resumes: 5,
            ..Quotas::default()
        });
        let uploads: Vec<_> = (0..40)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { store.create_resume(upload("bob")).await })
            })
            .collect();
        let mut stored = 0;
        for upload in uploads {
            match upload.await.unwrap() {
                Ok(_) => stored += 1,
                Err(StoreError::Quota(over)) => {
                    assert_eq!((over.limit, over.used), (5, 5));
                    assert_eq!(over.setting, "quota_resumes");
                }
                Err(other) => panic!("{other}"),
            }
        }
        assert_eq!(stored, 5);
        assert_eq!(store.list_resumes("bob").await.unwrap().len(), 5);
        assert_eq!(store.usage("bob").await.unwrap().resumes, 5);
    }

    #[tokio::test]
    async fn revisions_per_resume_and_bytes_are_refused_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let id = ready_resume(&store, "carol").await;
        store.set_quotas(Quotas {
            revisions_per_resume: 2,
            ..Quotas::default()
        });
        for label in ["a", "b"] {
            store
                .patch_document("carol", id, None, json!({"basics": {"label": label}}))
                .await
                .unwrap();
        }
        let before = store.get_resume("carol", id).await.unwrap().record;
        let err = store
            .patch_document("carol", id, None, json!({"basics": {"label": "c"}}))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::Quota(over) if over.setting == "quota_revisions_per_resume"),
            "{err:?}"
        );
        assert_eq!(store.get_resume("carol", id).await.unwrap().record, before);
        // Bytes: a quota below what is stored refuses growth, not shrinkage.
        let used = store.usage("carol").await.unwrap();
        store.set_quotas(Quotas {
            bytes: used.bytes,
            ..Quotas::default()
        });
        let err = store.create_resume(upload("carol")).await.unwrap_err();
        assert!(
            matches!(&err, StoreError::Quota(over) if over.is_bytes()),
            "{err:?}"
        );
        // A parse whose document does not fit ends `failed`, naming the quota.
        store.set_quotas(Quotas {
            bytes: used.bytes + 100,
            ..Quotas::default()
        });
        let big = store
            .create_resume(upload("carol"))
            .await
            .unwrap()
            .record
            .id;
        store.mark_parsing(big).await.unwrap();
        let stored = store
            .finish_parse(big, ready(&"x".repeat(500)))
            .await
            .unwrap();
        assert_eq!(stored.record.status, vitae_common::Status::Failed);
        let reason = stored.record.reason.unwrap();
        assert!(reason.contains("quota_bytes_mib"), "{reason}");
        assert_eq!(
            store.usage("carol").await.unwrap(),
            recount(&store, "carol").await
        );
    }

    #[tokio::test]
    async fn a_store_without_counters_gets_them_when_opened() {
        let dir = tempfile::tempdir().unwrap();
        let expected = {
            let store = RedbStore::open(dir.path()).unwrap();
            let id = ready_resume(&store, "dave").await;
            store
                .patch_document("dave", id, None, json!({"basics": {"label": "x"}}))
                .await
                .unwrap();
            store.create_job(job("dave", "rust")).await.unwrap();
            store.usage("dave").await.unwrap()
        };
        {
            // As a server before quotas left it: no counters, no marker.
            let db = redb::Database::create(dir.path().join("vitae.redb")).unwrap();
            let txn = db.begin_write().unwrap();
            txn.open_table(USAGE).unwrap().retain(|_, _| false).unwrap();
            txn.open_table(META)
                .unwrap()
                .remove("usage_schema")
                .unwrap();
            txn.commit().unwrap();
            let txn = redb::ReadableDatabase::begin_read(&db).unwrap();
            assert!(txn
                .open_table(USAGE)
                .unwrap()
                .get("dave")
                .unwrap()
                .is_none());
        }
        let store = RedbStore::open(dir.path()).unwrap();
        assert_eq!(store.usage("dave").await.unwrap(), expected);
        assert_eq!(expected.revisions, 1);
        assert_eq!(expected.jobs, 1);
    }
}
