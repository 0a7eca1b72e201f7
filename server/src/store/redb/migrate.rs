//! Schema version and record migration, run once when the store opens.
//!
//! In one write transaction: every table is created if missing; the file's
//! `meta.resume_schema` stops the start when a newer server wrote the file;
//! every resume record older than [`RESUME_SCHEMA`] is rewritten by
//! [`migrate_resume`] (the record-level steps live with the records, in
//! [`crate::store::records`]), moving a version 1 `master` flag into the
//! `masters` table; and every version 1 share (filed under its token, the
//! token in clear) is filed again under the token's hash with the token
//! sealed ([`migrate_shares`]). A record that cannot be migrated stops the
//! start: the server never guesses a default status. Last, a file without
//! per-owner usage counters (written before quotas, `meta.usage_schema`
//! missing) gets them counted from its tables ([`super::usage::recompute`]),
//! after the shares are filed by hash, so the count sees the final tables;
//! and a file written before paged lists (`meta.list_order_schema` missing)
//! gets its `resume_order`, `share_order` and `job_order` tables filled
//! from the resumes, shares and jobs ([`fill_list_order`]), likewise after
//! the shares move.
//!
//! The share-link key ([`crate::store::sealing`]) is loaded here, or made
//! on the first start; a store that holds sealed tokens and no key file
//! stops the start instead (a new key would open none of them).

use std::path::Path;

use redb::{Database, ReadableTable, WriteTransaction};

use super::tables::{
    EXPORTS, EXPORT_FILES, EXPORT_META, JOBS, JOB_HASHES, JOB_ORDER, MASTERS, META, ORIGINALS,
    OWNER_EXPORTS, OWNER_JOBS, OWNER_RESUMES, RESUMES, RESUME_EXPORT_FILES, RESUME_ORDER,
    RESUME_SHARES, REVISIONS, SHARES, SHARE_ORDER, SHARE_VIEWS, TEXTS, TOKENS, USAGE,
};
use crate::store::records::{
    migrate_resume, ResumeRecord, ShareRecord, StoredShare, RESUME_SCHEMA,
};
use crate::store::sealing::{TokenSeal, KEY_FILE};
use crate::store::views::share_key;
use crate::store::StoreError;

/// Set once the `usage` table holds every owner's counters.
const USAGE_SCHEMA_KEY: &str = "usage_schema";

/// Set once `resume_order`, `share_order` and `job_order` list every
/// resume, share and job.
const LIST_ORDER_KEY: &str = "list_order_schema";

/// Create the tables, check the file's schema version, load (or make) the
/// share-link key, migrate old resume and share records and count the
/// per-owner usage when the file has none, all in one transaction. Answers
/// the key.
pub(super) fn init_and_migrate(db: &Database, data_dir: &Path) -> Result<TokenSeal, StoreError> {
    let txn = db.begin_write()?;
    let seal;
    {
        txn.open_table(RESUMES)?;
        txn.open_table(OWNER_RESUMES)?;
        txn.open_table(ORIGINALS)?;
        txn.open_table(TEXTS)?;
        txn.open_table(REVISIONS)?;
        txn.open_table(SHARES)?;
        txn.open_table(RESUME_SHARES)?;
        // Added with per-link view history; an older file simply gets it.
        txn.open_table(SHARE_VIEWS)?;
        txn.open_table(TOKENS)?;
        txn.open_table(JOBS)?;
        txn.open_table(OWNER_JOBS)?;
        txn.open_table(JOB_HASHES)?;
        txn.open_table(EXPORTS)?;
        txn.open_table(OWNER_EXPORTS)?;
        txn.open_table(EXPORT_FILES)?;
        txn.open_table(EXPORT_META)?;
        txn.open_table(RESUME_EXPORT_FILES)?;
        txn.open_table(USAGE)?;
        txn.open_table(RESUME_ORDER)?;
        txn.open_table(SHARE_ORDER)?;
        txn.open_table(JOB_ORDER)?;
        let mut meta = txn.open_table(META)?;
        // The file-level version catches a newer server's file even when it
        // holds no resume records (only shares or tokens, say).
        let written_by = meta.get("resume_schema")?.map(|v| v.value());
        if let Some(found) = written_by.filter(|v| *v > RESUME_SCHEMA as u64) {
            return Err(StoreError::Backend(format!(
                "the data file was written by a newer vitae-server (schema {found}, this one knows {RESUME_SCHEMA}); upgrade vitae-server"
            )));
        }
        meta.insert("resume_schema", RESUME_SCHEMA as u64)?;
        let mut masters = txn.open_table(MASTERS)?;
        let mut resumes = txn.open_table(RESUMES)?;
        let mut rewrites = Vec::new();
        for entry in resumes.iter()? {
            let (key, value) = entry?;
            let raw: serde_json::Value = serde_json::from_slice(value.value())?;
            let migrated = migrate_resume(raw).map_err(|e| StoreError::Backend(e.to_string()))?;
            if let Some((record, was_master)) = migrated {
                rewrites.push((key.value().to_string(), record, was_master));
            }
        }
        for (id, record, was_master) in rewrites {
            let parsed: ResumeRecord = serde_json::from_value(record)?;
            if was_master && masters.get(parsed.owner.as_str())?.is_none() {
                masters.insert(parsed.owner.as_str(), id.as_str())?;
            }
            resumes.insert(id.as_str(), serde_json::to_vec(&parsed)?.as_slice())?;
            tracing::info!(resume = %id, "migrated resume record to schema {RESUME_SCHEMA}");
        }
        seal = share_seal(&txn, data_dir)?;
        migrate_shares(&txn, &seal)?;
    }
    {
        let mut meta = txn.open_table(META)?;
        if meta.get(USAGE_SCHEMA_KEY)?.is_none() {
            let owners = super::usage::recompute(&txn)?;
            meta.insert(USAGE_SCHEMA_KEY, 1)?;
            tracing::info!(owners, "counted per-owner usage for the quotas");
        }
        if meta.get(LIST_ORDER_KEY)?.is_none() {
            let (resumes, shares, jobs) = fill_list_order(&txn)?;
            meta.insert(LIST_ORDER_KEY, 1)?;
            tracing::info!(
                resumes,
                shares,
                jobs,
                "filed resumes, shares and jobs in list order for paging"
            );
        }
    }
    txn.commit()?;
    Ok(seal)
}

/// File every resume, share and job of a store written before the
/// list-order tables in them (after the shares are filed by hash, so the
/// keys are final). Answers how many of each.
fn fill_list_order(txn: &WriteTransaction) -> Result<(usize, usize, usize), StoreError> {
    /// What the order needs of a record; the rest is not parsed.
    #[derive(serde::Deserialize)]
    struct Created {
        #[serde(default)]
        owner: String,
        #[serde(default)]
        resume_id: Option<uuid::Uuid>,
        created_at: chrono::DateTime<chrono::Utc>,
    }
    let mut resume_order = txn.open_table(RESUME_ORDER)?;
    let mut resumes = 0;
    for entry in txn.open_table(RESUMES)?.iter()? {
        let (key, value) = entry?;
        let record: Created = serde_json::from_slice(value.value())?;
        let at = record.created_at.timestamp_micros();
        resume_order.insert((record.owner.as_str(), at, key.value()), ())?;
        resumes += 1;
    }
    let mut share_order = txn.open_table(SHARE_ORDER)?;
    let mut shares = 0;
    for entry in txn.open_table(SHARES)?.iter()? {
        let (key, value) = entry?;
        let record: Created = serde_json::from_slice(value.value())?;
        let resume = record
            .resume_id
            .ok_or_else(|| StoreError::Backend("a share record has no resume_id".into()))?
            .to_string();
        let at = record.created_at.timestamp_micros();
        share_order.insert((resume.as_str(), at, key.value()), ())?;
        shares += 1;
    }
    let mut job_order = txn.open_table(JOB_ORDER)?;
    let mut jobs = 0;
    for entry in txn.open_table(JOBS)?.iter()? {
        let (key, value) = entry?;
        let record: Created = serde_json::from_slice(value.value())?;
        let at = record.created_at.timestamp_micros();
        job_order.insert((record.owner.as_str(), at, key.value()), ())?;
        jobs += 1;
    }
    Ok((resumes, shares, jobs))
}

/// The data dir's share-link key; made now when the store holds no sealed
/// token yet, refused when it does (the key file was lost or not restored).
fn share_seal(txn: &WriteTransaction, data_dir: &Path) -> Result<TokenSeal, StoreError> {
    if let Some(seal) = TokenSeal::load(data_dir)? {
        return Ok(seal);
    }
    let shares = txn.open_table(SHARES)?;
    for entry in shares.iter()? {
        let (_, value) = entry?;
        let raw: serde_json::Value = serde_json::from_slice(value.value())?;
        if raw.get("sealed_token").is_some() {
            return Err(StoreError::Unusable(format!(
                "{} is missing, and the store holds share links sealed with it: restore the \
                 file from the backup of this data dir (docs/operations.md, \"Share-link key\")",
                data_dir.join(KEY_FILE).display()
            )));
        }
    }
    TokenSeal::create(data_dir)
}

/// File every version 1 share (key: its token, the token in clear in the
/// record) under the token's hash with the token sealed, and move its
/// `resume_shares` entry to the hash.
fn migrate_shares(txn: &WriteTransaction, seal: &TokenSeal) -> Result<(), StoreError> {
    let mut shares = txn.open_table(SHARES)?;
    let mut old = Vec::new();
    for entry in shares.iter()? {
        let (key, value) = entry?;
        let raw: serde_json::Value = serde_json::from_slice(value.value())?;
        if raw.get("sealed_token").is_none() {
            let record: ShareRecord = serde_json::from_value(raw).map_err(|e| {
                StoreError::Backend(format!("a version 1 share record cannot be read: {e}"))
            })?;
            old.push((key.value().to_string(), record));
        }
    }
    if old.is_empty() {
        return Ok(());
    }
    let mut index = txn.open_table(RESUME_SHARES)?;
    for (filed_under, share) in &old {
        let key = share_key(&share.token);
        let stored = StoredShare::seal(share, &key, seal)?;
        shares.remove(filed_under.as_str())?;
        shares.insert(key.as_str(), serde_json::to_vec(&stored)?.as_slice())?;
        let resume = share.resume_id.to_string();
        index.remove((resume.as_str(), filed_under.as_str()))?;
        index.insert((resume.as_str(), key.as_str()), ())?;
    }
    tracing::info!(
        shares = old.len(),
        "share links filed by token hash, their tokens sealed"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use redb::Database;
    use serde_json::json;
    use uuid::Uuid;
    use vitae_common::Status;

    use super::super::tables::{OWNER_RESUMES, RESUMES};
    use super::super::RedbStore;
    use crate::store::records::RESUME_SCHEMA;
    use crate::store::Store;

    #[tokio::test]
    async fn old_records_are_migrated_at_open_and_broken_ones_stop_the_start() {
        let dir = tempfile::tempdir().unwrap();
        let id = Uuid::new_v4();
        let v1 = json!({
            "id": id, "owner": "alice", "filename": "cv.md", "content_type": "text/markdown",
            "state": "ready", "master": true, "revision": 1, "size": 3,
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
        });
        {
            let db = Database::create(dir.path().join("vitae.redb")).unwrap();
            let txn = db.begin_write().unwrap();
            txn.open_table(RESUMES)
                .unwrap()
                .insert(
                    id.to_string().as_str(),
                    serde_json::to_vec(&v1).unwrap().as_slice(),
                )
                .unwrap();
            txn.open_table(OWNER_RESUMES)
                .unwrap()
                .insert(("alice", id.to_string().as_str()), ())
                .unwrap();
            txn.commit().unwrap();
        }
        {
            let store = RedbStore::open(dir.path()).unwrap();
            let got = store.get_resume("alice", id).await.unwrap();
            assert_eq!(got.record.status, Status::Ready);
            assert_eq!(got.record.v, RESUME_SCHEMA);
            assert!(got.is_master);
        }
        // A record without any status cannot be migrated: the start fails.
        let broken_id = Uuid::new_v4();
        let mut broken = v1.clone();
        broken["id"] = json!(broken_id);
        broken.as_object_mut().unwrap().remove("state");
        {
            let db = Database::create(dir.path().join("vitae.redb")).unwrap();
            let txn = db.begin_write().unwrap();
            txn.open_table(RESUMES)
                .unwrap()
                .insert(
                    broken_id.to_string().as_str(),
                    serde_json::to_vec(&broken).unwrap().as_slice(),
                )
                .unwrap();
            txn.commit().unwrap();
        }
        let err = RedbStore::open(dir.path())
            .err()
            .expect("must refuse to start");
        assert!(err.to_string().contains("no valid status"), "{err}");
    }

    #[tokio::test]
    async fn version_1_shares_are_filed_by_hash_with_their_tokens_sealed_and_counted() {
        use super::super::tables::{RESUME_SHARES, SHARES};
        use redb::ReadableDatabase;

        let dir = tempfile::tempdir().unwrap();
        let id = Uuid::new_v4();
        let token = "OldLayoutToken_abcdefghijklmnopqrst";
        // A store as the schema-1 share code wrote it: no key file, the
        // share filed under its token, the token in the record.
        {
            let db = Database::create(dir.path().join("vitae.redb")).unwrap();
            let txn = db.begin_write().unwrap();
            let resume = json!({
                "v": 2, "id": id, "owner": "alice", "filename": "cv.md",
                "content_type": "text/markdown", "status": "ready", "revision": 1,
                "size": 3, "created_at": "2026-01-01T00:00:00Z",
                "updated_at": "2026-01-01T00:00:00Z", "document": {"basics": {"name": "Jane"}}
            });
            let share = json!({
                "v": 1, "token": token, "owner": "alice", "resume_id": id,
                "created_at": "2026-01-01T00:00:00Z", "expires_at": "2999-01-01T00:00:00Z",
                "revoked": false, "access_count": 4, "last_accessed_at": null
            });
            let key = id.to_string();
            txn.open_table(RESUMES)
                .unwrap()
                .insert(
                    key.as_str(),
                    serde_json::to_vec(&resume).unwrap().as_slice(),
                )
                .unwrap();
            txn.open_table(OWNER_RESUMES)
                .unwrap()
                .insert(("alice", key.as_str()), ())
                .unwrap();
            txn.open_table(SHARES)
                .unwrap()
                .insert(token, serde_json::to_vec(&share).unwrap().as_slice())
                .unwrap();
            txn.open_table(RESUME_SHARES)
                .unwrap()
                .insert((key.as_str(), token), ())
                .unwrap();
            txn.commit().unwrap();
        }
        let hash = crate::store::views::share_key(token);
        {
            let store = RedbStore::open(dir.path()).unwrap();
            let listed = store.list_shares("alice", id).await.unwrap();
            assert_eq!(listed.len(), 1);
            assert_eq!(listed[0].token, token, "the owner still sees the link");
            assert_eq!(listed[0].access_count, 4);
            let viewed = store
                .access_share(token, super::super::testing::client(1), crate::store::now())
                .await
                .unwrap();
            assert_eq!(viewed.resume.id, id);
            // The store predates the quotas too: its usage is counted after
            // the share is filed by hash, and the share still counts.
            let usage = store.usage("alice").await.unwrap();
            assert_eq!((usage.resumes, usage.shares), (1, 1), "{usage:?}");
            // Filed by hash, nothing under the token any more.
            let txn = store.db.get().unwrap().begin_read().unwrap();
            let shares = txn.open_table(SHARES).unwrap();
            assert!(shares.get(token).unwrap().is_none());
            let stored = shares.get(hash.as_str()).unwrap().expect("filed by hash");
            let text = String::from_utf8(stored.value().to_vec()).unwrap();
            assert!(!text.contains(token), "{text}");
            assert!(text.contains("sealed_token"), "{text}");
            let index = txn.open_table(RESUME_SHARES).unwrap();
            let key = id.to_string();
            assert!(index.get((key.as_str(), token)).unwrap().is_none());
            assert!(index.get((key.as_str(), hash.as_str())).unwrap().is_some());
        }
        // A second start finds nothing left to migrate and the same key.
        let store = RedbStore::open(dir.path()).unwrap();
        assert_eq!(
            store.list_shares("alice", id).await.unwrap()[0].token,
            token
        );
        store
            .delete_resume("alice", id)
            .await
            .map(|deleted| {
                assert_eq!(deleted.share_tokens, vec![token.to_string()]);
            })
            .unwrap();
        let usage = store.usage("alice").await.unwrap();
        assert_eq!((usage.resumes, usage.shares), (0, 0), "{usage:?}");
    }
}
