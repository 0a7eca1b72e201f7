//! Export jobs and the export cache.
//!
//! A job is a row of `exports`; an owner keeps at most its export quota
//! ([`crate::store::Quotas::exports`]): past it the oldest finished ones are
//! forgotten, in the transaction that stores the new one (under the owner
//! lock), and only when every kept job is still unfinished is a new one
//! refused ([`StoreError::Quota`]). The cache is content-addressed:
//! `export_files` holds each file under the hash of everything that decides
//! its bytes, with its facts and last use. Writing a file evicts the least
//! recently used ones until the cache fits its byte budget, in the same
//! transaction; the cache is one for all instances, and a transaction-scoped
//! advisory lock serialises its writers so two evictions never race. Reads
//! never write: the exporter hands the recency of what it served to the
//! next write, as on redb.

use uuid::Uuid;
use vitae_common::export::ExportFormat;

use super::{big, from_json, usage, PgStore};
use crate::store::quota::Delta;
use crate::store::records::{CachedExport, ExportRecord};
use crate::store::StoreError;

/// The advisory lock key of the export cache's writers ("export" in ASCII).
const CACHE_LOCK: i64 = 0x6578_706f_7274;

pub(super) async fn cached(store: &PgStore, key: &str) -> Result<Option<CachedExport>, StoreError> {
    let client = store.client().await?;
    let row = client
        .query_opt(
            "SELECT resume_id, format, pages, warnings, bytes FROM export_files WHERE key = $1",
            &[&key],
        )
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let format: ExportFormat = serde_json::from_value(serde_json::Value::String(row.get(1)))?;
    Ok(Some(CachedExport {
        key: key.to_string(),
        resume_id: row.get(0),
        format,
        pages: row.get::<_, i32>(2).max(0) as u32,
        warnings: from_json(row.get(3))?,
        bytes: bytes::Bytes::from(row.get::<_, Vec<u8>>(4)),
    }))
}

pub(super) async fn cache(
    store: &PgStore,
    file: CachedExport,
    max_bytes: u64,
    used: Vec<(String, i64)>,
) -> Result<(), StoreError> {
    let mut client = store.client().await?;
    let txn = client.transaction().await?;
    txn.execute("SELECT pg_advisory_xact_lock($1)", &[&CACHE_LOCK])
        .await?;
    for (key, at) in &used {
        txn.execute(
            "UPDATE export_files SET used_ms = GREATEST(used_ms, $2) WHERE key = $1",
            &[key, at],
        )
        .await?;
    }
    let size = file.bytes.len() as u64;
    if size <= max_bytes {
        let format = serde_json::to_value(file.format)?;
        let format = format.as_str().unwrap_or_default().to_string();
        txn.execute(
            "INSERT INTO export_files (key, resume_id, format, size, pages, warnings, used_ms, bytes) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (key) DO UPDATE SET resume_id = EXCLUDED.resume_id, \
             format = EXCLUDED.format, size = EXCLUDED.size, pages = EXCLUDED.pages, \
             warnings = EXCLUDED.warnings, used_ms = EXCLUDED.used_ms, bytes = EXCLUDED.bytes",
            &[
                &file.key,
                &file.resume_id,
                &format,
                &big(size),
                &(file.pages.min(i32::MAX as u32) as i32),
                &serde_json::to_string(&file.warnings)?,
                &chrono::Utc::now().timestamp_millis(),
                &file.bytes.as_ref(),
            ],
        )
        .await?;
        // Least recently used first, never the new file: drop files while
        // the running total from the most recent down exceeds the budget.
        txn.execute(
            "DELETE FROM export_files WHERE key IN (SELECT key FROM (SELECT key, \
             SUM(size) OVER (ORDER BY (key = $1) DESC, used_ms DESC, key DESC) AS kept \
             FROM export_files) ranked WHERE kept > $2::bigint)",
            &[&file.key, &big(max_bytes)],
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

pub(super) async fn create(store: &PgStore, record: ExportRecord) -> Result<(), StoreError> {
    let quotas = store.current_quotas();
    let limit = quotas.exports as usize;
    let mut client = store.client().await?;
    let txn = client.transaction().await?;
    usage::lock(&txn, &record.owner).await?;
    let mut forget: Vec<Uuid> = Vec::new();
    if limit > 0 {
        let kept: i64 = txn
            .query_one(
                "SELECT count(*) FROM exports WHERE owner = $1",
                &[&record.owner],
            )
            .await?
            .get(0);
        let kept = kept.max(0) as usize;
        if kept >= limit {
            // Finished ones only, oldest first; never one still running.
            let excess = kept + 1 - limit;
            forget = txn
                .query(
                    "SELECT id FROM exports WHERE owner = $1 AND finished \
                     ORDER BY created_at, id LIMIT $2",
                    &[&record.owner, &big(excess as u64)],
                )
                .await?
                .iter()
                .map(|row| row.get(0))
                .collect();
        }
    }
    // Checked before anything is written: with every kept job unfinished,
    // the quota refuses the new one.
    let delta = Delta {
        exports: 1 - forget.len() as i64,
        ..Delta::default()
    };
    usage::charge(&txn, &quotas, &record.owner, delta).await?;
    txn.execute("DELETE FROM exports WHERE id = ANY($1)", &[&forget])
        .await?;
    txn.execute(
        "INSERT INTO exports (id, owner, resume_id, finished, created_at, record) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &record.id,
            &record.owner,
            &record.resume_id,
            &record.status.is_terminal(),
            &record.created_at,
            &serde_json::to_string(&record)?,
        ],
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub(super) async fn update(store: &PgStore, record: ExportRecord) -> Result<(), StoreError> {
    let client = store.client().await?;
    // A job forgotten meanwhile (its resume was deleted) stays gone.
    let updated = client
        .execute(
            "UPDATE exports SET finished = $2, record = $3 WHERE id = $1",
            &[
                &record.id,
                &record.status.is_terminal(),
                &serde_json::to_string(&record)?,
            ],
        )
        .await?;
    if updated == 0 {
        return Err(StoreError::NotFound("export"));
    }
    Ok(())
}

pub(super) async fn get(
    store: &PgStore,
    owner: &str,
    id: Uuid,
) -> Result<ExportRecord, StoreError> {
    let client = store.client().await?;
    let row = client
        .query_opt(
            "SELECT record FROM exports WHERE id = $1 AND owner = $2",
            &[&id, &owner],
        )
        .await?
        .ok_or(StoreError::NotFound("export"))?;
    from_json(row.get(0))
}

pub(super) async fn unfinished(store: &PgStore) -> Result<Vec<ExportRecord>, StoreError> {
    let client = store.client().await?;
    let rows = client
        .query(
            "SELECT record FROM exports WHERE NOT finished ORDER BY created_at, id",
            &[],
        )
        .await?;
    rows.iter().map(|row| from_json(row.get(0))).collect()
}
