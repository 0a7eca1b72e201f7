//! Share links: create, page, revoke, open (`/s/{token}`), and the views
//! they count, with each link's history of views per day and form.
//!
//! A share is a row of `shares` under the SHA-256 of its token
//! ([`share_key`]), its record holding the token sealed with the share-link
//! key ([`crate::store::sealing`]) and the owner's settings (label, pin,
//! redaction, downloads, password hash: [`crate::store::ShareSettings`]);
//! the database never holds a token in clear. Deleting a resume deletes its
//! shares and their views (ON DELETE CASCADE).
//!
//! **Views without a hot row.** Opening a link is a read ([`open`]) and
//! counts nothing; the HTTP layer counts the view once it answers it
//! ([`count`]), in memory, once per client per link per hour
//! ([`crate::store::views`], per instance: a client that reaches two
//! instances in one hour may count once on each). This instance's
//! [`flusher`] stores the pending counts at most [`FLUSH_DELAY`] later, in
//! one transaction, as upserts into rows keyed by this instance: the
//! totals in `share_view_totals` (share, instance) and the history in
//! `share_view_days` (share, day, form, instance). Only one task of one
//! instance ever writes a given row, so a busy link never makes requests
//! queue on a row lock, and rows grow per share and instance (and day and
//! form), not per view. A share's count is its stored `access_count` (from
//! the redb era, or 0) plus the sum of its total rows, plus what this
//! instance still holds in memory; its history is the sum of its day rows
//! per day and form. Days older than [`HISTORY_DAYS`] are dropped when the
//! link is next counted (every instance's rows: old days are no longer
//! written by anyone), as on redb; the totals never drop. A `kill -9` loses
//! at most the last [`FLUSH_DELAY`] of views, as on redb; every other write
//! is durable before its answer.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use deadpool_postgres::Pool;
use tokio::sync::{Notify, RwLock};
use tokio_postgres::{GenericClient, Row};
use uuid::Uuid;

use super::resumes::owned;
use super::{big, from_json, pages, usage, PgStore};
use crate::store::records::{RawDocument, ResumeRecord, ShareRecord, StoredShare, SHARE_SCHEMA};
use crate::store::redb::tokens::random_token;
use crate::store::sealing::TokenSeal;
use crate::store::views::{share_key, DayViews, Pending, ViewCounter, FLUSH_DELAY, HISTORY_DAYS};
use crate::store::{now, NewShare, Page, Paged, Position, SharedView, StoreError};

/// The stored share with its counted views: `key`, `record`, the sum of its
/// `share_view_totals` rows and their latest view.
const SHARE_WITH_VIEWS: &str = "SELECT s.key, s.record, COALESCE(SUM(v.views), 0)::bigint, \
     MAX(v.last_at) FROM shares s LEFT JOIN share_view_totals v ON v.key = s.key";

/// A new share link to one of `owner`'s resumes. A pinned revision is
/// checked (or, for `pin_current`, read) in the same transaction, under
/// the owner lock.
pub(super) async fn create(
    store: &PgStore,
    owner: &str,
    resume_id: Uuid,
    new: NewShare,
) -> Result<ShareRecord, StoreError> {
    let token = random_token(24)?;
    let quotas = store.current_quotas();
    let NewShare {
        expires_at,
        layout,
        mut settings,
        pin_current,
    } = new;
    let mut client = store.client().await?;
    let txn = client.transaction().await?;
    usage::lock(&txn, owner).await?;
    let record = owned::<RawDocument, _>(&*txn, owner, resume_id, false)
        .await?
        .record;
    if pin_current {
        settings.pinned_revision = Some(record.revision);
    }
    if let Some(revision) = settings.pinned_revision {
        let kept = revision == record.revision
            || (revision < record.revision
                && txn
                    .query_opt(
                        "SELECT 1 FROM revisions WHERE resume_id = $1 AND revision = $2",
                        &[&resume_id, &big(revision)],
                    )
                    .await?
                    .is_some());
        if !kept {
            return Err(StoreError::NotFound("revision"));
        }
    }
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
        settings,
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

/// One page of a resume's share links, oldest first, with their views
/// counted: a keyset page of `shares` ([`super::pages`]), then the totals
/// of those links only.
pub(super) async fn page(
    store: &PgStore,
    owner: &str,
    resume_id: Uuid,
    page: Page<Position>,
) -> Result<Paged<ShareRecord, Position>, StoreError> {
    let client = store.client().await?;
    let _no_flush = store.flush_lock.read().await;
    owned::<RawDocument, _>(&**client, owner, resume_id, false).await?;
    let mut paged = pages::page(&**client, &pages::SHARES, &resume_id, &page, |row| {
        let key: String = row.get("key");
        let stored: StoredShare = from_json(row.get("record"))?;
        let share = stored.open(&key, &store.seal)?;
        Ok(((key.clone(), share), pages::position(row, key)))
    })
    .await?;
    let keys: Vec<&str> = paged.items.iter().map(|(key, _)| key.as_str()).collect();
    let rows = client
        .query(
            "SELECT key, COALESCE(SUM(views), 0)::bigint, MAX(last_at) FROM share_view_totals \
             WHERE key = ANY($1) GROUP BY key",
            &[&keys],
        )
        .await?;
    let counted: HashMap<&str, &Row> = rows.iter().map(|row| (row.get(0), row)).collect();
    let items = paged
        .items
        .drain(..)
        .map(|(key, mut share)| {
            if let Some(row) = counted.get(key.as_str()) {
                add_counted(&mut share, row, 1);
            }
            store.views.add_pending(&key, &mut share);
            share
        })
        .collect();
    Ok(Paged {
        items,
        next: paged.next,
    })
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
    add_counted(&mut share, &counted, 2);
    store.views.add_pending(&key, &mut share);
    Ok(share)
}

/// Open a share link: `NotFound` when unknown, `Gone` when expired or
/// revoked. Counts nothing: see [`count`].
pub(super) async fn open(
    store: &PgStore,
    token: &str,
    now: DateTime<Utc>,
) -> Result<SharedView, StoreError> {
    let key = share_key(token);
    let client = store.client().await?;
    let _no_flush = store.flush_lock.read().await;
    let row = client
        .query_opt(
            "SELECT s.key, s.record, COALESCE(SUM(v.views), 0)::bigint, MAX(v.last_at), \
             r.record FROM shares s JOIN resumes r ON r.id = s.resume_id \
             LEFT JOIN share_view_totals v ON v.key = s.key WHERE s.key = $1 GROUP BY s.key, r.id",
            &[&key],
        )
        .await?
        .ok_or(StoreError::NotFound("share"))?;
    let stored: StoredShare = from_json(row.get(1))?;
    // The request named the token: no need to open the seal.
    let mut share = stored.with_token(token.to_string());
    add_counted(&mut share, &row, 2);
    // Checked on every view: expiry needs no write to happen.
    if share.revoked {
        return Err(StoreError::Gone("been revoked"));
    }
    if share.expires_at <= now {
        return Err(StoreError::Gone("expired"));
    }
    let resume: ResumeRecord<RawDocument> = from_json(row.get(4))?;
    store.views.add_pending(&key, &mut share);
    Ok(SharedView {
        share,
        resume: Arc::new(resume),
    })
}

/// Count a view of `form` of the link `token` (once per client per hour),
/// in memory; the flusher stores it soon ([`flusher`]).
pub(super) fn count(
    store: &PgStore,
    token: &str,
    client: IpAddr,
    at: DateTime<Utc>,
    form: &'static str,
    share: &mut ShareRecord,
) {
    if store
        .views
        .count_into(&share_key(token), client, at, form, share)
    {
        store.flush_wake.notify_one();
    }
}

/// One of `owner`'s links with its view history, oldest day first: every
/// instance's day rows summed per day and form, this instance's pending
/// views added.
pub(super) async fn history(
    store: &PgStore,
    owner: &str,
    token: &str,
) -> Result<(ShareRecord, Vec<DayViews>), StoreError> {
    let key = share_key(token);
    let client = store.client().await?;
    let _no_flush = store.flush_lock.read().await;
    let sql = format!("{SHARE_WITH_VIEWS} WHERE s.key = $1 AND s.owner = $2 GROUP BY s.key");
    let row = client
        .query_opt(sql.as_str(), &[&key, &owner])
        .await?
        .ok_or(StoreError::NotFound("share"))?;
    let stored: StoredShare = from_json(row.get(1))?;
    let mut share = stored.with_token(token.to_string());
    add_counted(&mut share, &row, 2);
    let rows = client
        .query(
            "SELECT day, form, SUM(views)::bigint FROM share_view_days WHERE key = $1 \
             GROUP BY day, form ORDER BY day, form",
            &[&key],
        )
        .await?;
    let mut days: Vec<DayViews> = Vec::new();
    for row in &rows {
        let day: NaiveDate = row.get(0);
        let views: i64 = row.get(2);
        if days.last().is_none_or(|last| last.day != day) {
            days.push(DayViews {
                day,
                forms: BTreeMap::new(),
            });
        }
        if let Some(last) = days.last_mut() {
            last.forms.insert(row.get(1), views.max(0) as u64);
        }
    }
    store.views.add_pending(&key, &mut share);
    store.views.add_pending_days(&key, &mut days);
    Ok((share, days))
}

/// Add the views a row counted (its columns `first`, the sum, and
/// `first + 1`, the latest view) to `share`.
fn add_counted(share: &mut ShareRecord, row: &Row, first: usize) {
    let counted: i64 = row.get(first);
    share.access_count += counted.max(0) as u64;
    if let Some(last) = row.get::<_, Option<DateTime<Utc>>>(first + 1) {
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

/// Store the pending views as this instance's rows, in one transaction,
/// then forget them; views counted meanwhile stay pending.
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

/// Three statements whatever the number of links: the totals, the day
/// rows, and the days past the kept window of the links counted. A share
/// deleted with its resume meanwhile has nothing to count (`EXISTS`).
async fn store_views<C: GenericClient + Sync>(
    client: &C,
    pending: &HashMap<String, Pending>,
    instance: Uuid,
) -> Result<(), StoreError> {
    let mut keys = Vec::with_capacity(pending.len());
    let mut counts = Vec::with_capacity(pending.len());
    let mut lasts = Vec::with_capacity(pending.len());
    let mut oldest = Vec::with_capacity(pending.len());
    let (mut day_keys, mut days, mut forms, mut day_counts) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (key, seen) in pending {
        keys.push(key.as_str());
        counts.push(big(seen.count));
        lasts.push(seen.last);
        oldest.push((seen.last - chrono::Duration::days(HISTORY_DAYS - 1)).date_naive());
        for ((day, form), count) in &seen.days {
            day_keys.push(key.as_str());
            days.push(*day);
            forms.push(*form);
            day_counts.push(big(*count));
        }
    }
    client
        .execute(
            "INSERT INTO share_view_totals (key, instance, views, last_at) \
             SELECT t.key, $1, t.views, t.last_at \
             FROM unnest($2::text[], $3::bigint[], $4::timestamptz[]) AS t (key, views, last_at) \
             WHERE EXISTS (SELECT 1 FROM shares s WHERE s.key = t.key) \
             ON CONFLICT (key, instance) DO UPDATE SET \
             views = share_view_totals.views + EXCLUDED.views, \
             last_at = GREATEST(share_view_totals.last_at, EXCLUDED.last_at)",
            &[&instance, &keys, &counts, &lasts],
        )
        .await?;
    client
        .execute(
            "INSERT INTO share_view_days (key, day, form, instance, views) \
             SELECT d.key, d.day, d.form, $1, d.views \
             FROM unnest($2::text[], $3::date[], $4::text[], $5::bigint[]) AS d (key, day, form, views) \
             WHERE EXISTS (SELECT 1 FROM shares s WHERE s.key = d.key) \
             ON CONFLICT (key, day, form, instance) DO UPDATE SET \
             views = share_view_days.views + EXCLUDED.views",
            &[&instance, &day_keys, &days, &forms, &day_counts],
        )
        .await?;
    // Bounded: days older than the kept window go when the link is next
    // counted. No instance writes those days any more, so this takes no
    // row another flush is writing.
    client
        .execute(
            "DELETE FROM share_view_days d USING unnest($1::text[], $2::date[]) AS o (key, oldest) \
             WHERE d.key = o.key AND d.day < o.oldest",
            &[&keys, &oldest],
        )
        .await?;
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
