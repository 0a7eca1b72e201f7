//! Schema version and record migration, run once when the store opens.
//!
//! In one write transaction: every table is created if missing; the file's
//! `meta.resume_schema` stops the start when a newer server wrote the file;
//! and every resume record older than [`RESUME_SCHEMA`] is rewritten by
//! [`migrate_resume`] (the record-level steps live with the records, in
//! [`crate::store::records`]), moving a version 1 `master` flag into the
//! `masters` table. A record that cannot be migrated stops the start: the
//! server never guesses a default status. A file without per-owner usage
//! counters (written before quotas, `meta.usage_schema` missing) gets them
//! counted from its tables ([`super::usage::recompute`]).

use redb::{Database, ReadableTable};

use super::tables::{
    EXPORTS, EXPORT_FILES, EXPORT_META, JOBS, JOB_HASHES, MASTERS, META, ORIGINALS, OWNER_EXPORTS,
    OWNER_JOBS, OWNER_RESUMES, RESUMES, RESUME_EXPORT_FILES, RESUME_SHARES, REVISIONS, SHARES,
    TEXTS, TOKENS, USAGE,
};
use crate::store::records::{migrate_resume, ResumeRecord, RESUME_SCHEMA};
use crate::store::StoreError;

/// Set once the `usage` table holds every owner's counters.
const USAGE_SCHEMA_KEY: &str = "usage_schema";

/// Create the tables, check the file's schema version and migrate old
/// resume records, all in one transaction.
pub(super) fn init_and_migrate(db: &Database) -> Result<(), StoreError> {
    let txn = db.begin_write()?;
    {
        txn.open_table(RESUMES)?;
        txn.open_table(OWNER_RESUMES)?;
        txn.open_table(ORIGINALS)?;
        txn.open_table(TEXTS)?;
        txn.open_table(REVISIONS)?;
        txn.open_table(SHARES)?;
        txn.open_table(RESUME_SHARES)?;
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
    }
    {
        let mut meta = txn.open_table(META)?;
        if meta.get(USAGE_SCHEMA_KEY)?.is_none() {
            let owners = super::usage::recompute(&txn)?;
            meta.insert(USAGE_SCHEMA_KEY, 1)?;
            tracing::info!(owners, "counted per-owner usage for the quotas");
        }
    }
    txn.commit()?;
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
}
