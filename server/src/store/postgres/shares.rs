//! Share links: create, list, revoke, open (`/s/{token}`), and the views
//! they count.
//!
//! A share is a row of `shares` under the SHA-256 of its token
//! ([`share_key`]), its record holding the token sealed with the share-link
//! key ([`crate::store::sealing`]); the database never holds a token in
//! clear. Deleting a resume deletes its shares (ON DELETE CASCADE).
//!
//! **Views without a hot row.** Opening a link is a read: the view is
//! counted in memory, once per client per link per hour
//! ([`crate::store::views`], per instance: a client that reaches two
//! instances in one hour may count once on each), and this instance's
//! [`flusher`] stores the pending counts at most [`FLUSH_DELAY`] later, in
//! one transaction, as upserts into `share_views` rows keyed by (share,
//! day, instance). Only one task of one instance ever writes a given row,
//! so a busy link never makes requests queue on a row lock, and rows grow
//! by one per share, day and instance, not per view. A share's count is its
//! stored `access_count` (from the redb era, or 0) plus the sum of its rows,
//! plus what this instance still holds in memory. A `kill -9` loses at most
//! the last [`FLUSH_DELAY`] of views, as on redb; every other write is
//! durable before its answer.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use tokio::sync::{Notify, RwLock};
use tokio_postgres::{GenericClient, Row};
use uuid::Uuid;

use super::resumes::owned;
use super::{big, from_json, usage, PgStore};
use crate::store::records::{
    RawDocument, ResumeRecord, ShareLayout, ShareRecord, StoredShare, SHARE_SCHEMA,
};
use crate::store::redb::tokens::random_token;
use crate::store::sealing::TokenSeal;
use crate::store::views::{share_key, Pending, ViewCounter, FLUSH_DELAY};
use crate::store::{now, SharedView, StoreError};

/// The stored share with its counted views: `key`, `record`, the sum of its
/// `share_views` rows and their latest view.
const SHARE_WITH_VIEWS: &str = "SELECT s.key, s.record, COALESCE(SUM(v.views), 0)::bigint, \
     MAX(v.last_at) FROM shares s LEFT JOIN share_views v ON v.key = s.key";

/// A new share link to one of `owner`'s resumes.
pub(super) async fn create(
    store: &PgStore,
    owner: &str,
    resume_id: Uuid,
    expires_at: DateTime<Utc>,
    layout: ShareLayout,
) -> Result<ShareRecord, StoreError> {
    let token = random_token(24)?;
    let quotas = store.current_quotas();
    let mut client = store.client().await?;
    let txn = client.transaction().await?;
    usage::lock(&txn, owner).await?;
    owned::<RawDocument, _>(&*txn, owner, resume_id, false).await?;
    let one = crate::store::quota::Delta {
        shares: 1,
        ..Default::default()
    };
    usage::charge(&txn, &quotas, owner, one).await?;
    let share = ShareRecord {
        v: SHARE_SCHEMA,
        token,
        owner: owner.to_string(),
        resume_id,
        created_at: now(),
        expires_at,
        revoked: false,
        access_count: 0,
        last_accessed_at: None,
        layout,
    };
    let key = share_key(&share.token);
    let stored = StoredShare::seal(&share, &key, &store.seal)?;
    txn.execute(
        "INSERT INTO shares (key, resume_id, owner, created_at, record) VALUES ($1, $2, $3, $4, $5)",
        &[
            &key,
            &resume_id,
            &share.owner,
            &share.created_at,
            &serde_json::to_string(&stored)?,
        ],
    )
    .await?;
    txn.commit().await?;
    Ok(share)
}

/// A resume's share links, oldest first, with their views counted.
pub(super) async fn list(
    store: &PgStore,
    owner: &str,
    resume_id: Uuid,
) -> Result<Vec<ShareRecord>, StoreError> {
    let client = store.client().await?;
    let _no_flush = store.flush_lock.read().await;
    owned::<RawDocument, _>(&**client, owner, resume_id, false).await?;
    let sql = format!(
        "{SHARE_WITH_VIEWS} WHERE s.resume_id = $1 GROUP BY s.key ORDER BY s.created_at, s.key"
    );
    let rows = client.query(sql.as_str(), &[&resume_id]).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let key: &str = row.get(0);
        let stored: StoredShare = from_json(row.get(1))?;
        let mut share = stored.open(key, &store.seal)?;
        add_counted(&mut share, row);
        store.views.add_pending(key, &mut share);
        out.push(share);
    }
    Ok(out)
}

/// Revoke one of `owner`'s share links (again is fine).
pub(super) async fn revoke(
    store: &PgStore,
    owner: &str,
    token: &str,
) -> Result<ShareRecord, StoreError> {
    let key = share_key(token);
    let mut client = store.client().await?;
    let txn = client.transaction().await?;
    let row = txn
        .query_opt(
            "SELECT record FROM shares WHERE key = $1 AND owner = $2 FOR UPDATE",
            &[&key, &owner],
        )
        .await?
        .ok_or(StoreError::NotFound("share"))?;
    let mut stored: StoredShare = from_json(row.get(0))?;
    if !stored.revoked {
        stored.revoked = true;
        txn.execute(
            "UPDATE shares SET record = $2 WHERE key = $1",
            &[&key, &serde_json::to_string(&stored)?],
        )
        .await?;
    }
    txn.commit().await?;
    let _no_flush = store.flush_lock.read().await;
    let sql = format!("{SHARE_WITH_VIEWS} WHERE s.key = $1 GROUP BY s.key");
    let counted = client.query_one(sql.as_str(), &[&key]).await?;
    let mut share = stored.with_token(token.to_string());
    add_counted(&mut share, &counted);
    store.views.add_pending(&key, &mut share);
    Ok(share)
}

/// Open a share link: `NotFound` when unknown, `Gone` when expired or
/// revoked; otherwise the view is counted (once per client per hour).
pub(super) async fn access(
    store: &PgStore,
    token: &str,
    client_addr: IpAddr,
    now: DateTime<Utc>,
) -> Result<SharedView, StoreError> {
    let key = share_key(token);
    let client = store.client().await?;
    let _no_flush = store.flush_lock.read().await;
    let row = client
        .query_opt(
            "SELECT s.key, s.record, COALESCE(SUM(v.views), 0)::bigint, MAX(v.last_at), \
             r.record FROM shares s JOIN resumes r ON r.id = s.resume_id \
             LEFT JOIN share_views v ON v.key = s.key WHERE s.key = $1 GROUP BY s.key, r.id",
            &[&key],
        )
        .await?
        .ok_or(StoreError::NotFound("share"))?;
    let stored: StoredShare = from_json(row.get(1))?;
    // The request named the token: no need to open the seal.
    let mut share = stored.with_token(token.to_string());
    add_counted(&mut share, &row);
    if share.revoked {
        return Err(StoreError::Gone("been revoked"));
    }
    if share.expires_at <= now {
        return Err(StoreError::Gone("expired"));
    }
    let resume: ResumeRecord<RawDocument> = from_json(row.get(4))?;
    if store.views.view(&key, client_addr, now) {
        store.flush_wake.notify_one();
    }
    store.views.add_pending(&key, &mut share);
    Ok(SharedView {
        share,
        resume: Arc::new(resume),
    })
}

/// Add the views a [`SHARE_WITH_VIEWS`] row counted to `share`.
fn add_counted(share: &mut ShareRecord, row: &Row) {
    let counted: i64 = row.get(2);
    share.access_count += counted.max(0) as u64;
    if let Some(last) = row.get::<_, Option<DateTime<Utc>>>(3) {
        share.last_accessed_at = Some(share.last_accessed_at.map_or(last, |l| l.max(last)));
    }
}

/// The tokens of the share rows (`key`, `record`), opened with the key,
/// for the announcements of a deletion. One that does not open (a wrong
/// key file) is left out of the announcements, never in the way of the
/// delete.
pub(super) fn open_tokens(rows: &[Row], seal: &TokenSeal) -> Vec<String> {
    let mut tokens = Vec::with_capacity(rows.len());
    for row in rows {
        let key: &str = row.get(0);
        let opened = from_json::<StoredShare>(row.get(1)).and_then(|s| s.open(key, seal));
        match opened {
            Ok(share) => tokens.push(share.token),
            Err(error) => tracing::warn!(%error, "a deleted share is not announced"),
        }
    }
    tokens
}

/// Store the pending views as this instance's `share_views` rows, in one
/// transaction, then forget them; views counted meanwhile stay pending.
pub(super) async fn flush(
    pool: &Pool,
    views: &ViewCounter,
    lock: &RwLock<()>,
    instance: Uuid,
) -> Result<usize, StoreError> {
    let _exclusive = lock.write().await;
    let snapshot = views.snapshot();
    if snapshot.is_empty() {
        return Ok(0);
    }
    let mut client = pool.get().await?;
    let txn = client.transaction().await?;
    store_views(&*txn, &snapshot, instance).await?;
    txn.commit().await?;
    views.forget(&snapshot);
    Ok(snapshot.len())
}

async fn store_views<C: GenericClient + Sync>(
    client: &C,
    pending: &HashMap<String, Pending>,
    instance: Uuid,
) -> Result<(), StoreError> {
    let upsert = client
        .prepare(
            "INSERT INTO share_views (key, day, instance, views, last_at) \
             SELECT $1::text, $2::date, $3::uuid, $4::bigint, $5::timestamptz WHERE EXISTS (SELECT 1 FROM shares WHERE key = $1) \
             ON CONFLICT (key, day, instance) DO UPDATE SET \
             views = share_views.views + EXCLUDED.views, \
             last_at = GREATEST(share_views.last_at, EXCLUDED.last_at)",
        )
        .await?;
    for (key, seen) in pending {
        // A share deleted with its resume meanwhile has nothing to count.
        client
            .execute(
                &upsert,
                &[
                    key,
                    &seen.last.date_naive(),
                    &instance,
                    &big(seen.count),
                    &seen.last,
                ],
            )
            .await?;
    }
    Ok(())
}

/// The task that stores views: woken by the first view after a flush, it
/// waits [`FLUSH_DELAY`] (so a burst is one transaction) and flushes; after
/// a failure (the database is away) it tries again every second, keeping
/// the views in memory meanwhile.
pub(super) async fn flusher(
    pool: Pool,
    views: Arc<ViewCounter>,
    lock: Arc<RwLock<()>>,
    wake: Arc<Notify>,
    instance: Uuid,
) {
    loop {
        if views.is_empty() {
            wake.notified().await;
        }
        tokio::time::sleep(FLUSH_DELAY).await;
        if let Err(error) = flush(&pool, &views, &lock, instance).await {
            tracing::warn!(%error, "share views not stored yet; retrying");
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
    }
}
