//! Share links: create, list, revoke, and open (`/s/{token}`).
//!
//! A share lives in `shares` under its token, indexed by resume in
//! `resume_shares`; deleting a resume deletes its shares
//! ([`super::resumes::delete`]). Opening a link is a read: it answers from
//! the read cache when nothing was committed since (see
//! [`crate::read_cache`]), checks revocation and expiry on every view, and
//! only counts the view in memory ([`crate::store::views`]); the writer
//! thread stores the counts in batches through [`store_views`]. Every
//! answer that carries a share adds the views still pending, so a count is
//! right the moment the view is answered.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use redb::{ReadableTable, WriteTransaction};
use uuid::Uuid;

use super::resumes::{load_resume, owned};
use super::tables::{RESUMES, RESUME_SHARES, SHARES};
use super::tokens::random_token;
use super::RedbStore;
use crate::store::records::{RawDocument, ResumeRecord, ShareLayout, ShareRecord, SHARE_SCHEMA};
use crate::store::views::Pending;
use crate::store::{now, SharedView, Store, StoreError};

/// A new share link to one of `owner`'s resumes.
pub(super) async fn create(
    store: &RedbStore,
    owner: &str,
    resume_id: Uuid,
    expires_at: DateTime<Utc>,
    layout: ShareLayout,
) -> Result<ShareRecord, StoreError> {
    let owner = owner.to_string();
    let token = random_token(24)?;
    let quotas = store.current_quotas();
    store
        .write(move |txn| {
            owned::<RawDocument, _>(&txn.open_table(RESUMES)?, &owner, resume_id)?;
            let one = crate::store::quota::Delta {
                shares: 1,
                ..Default::default()
            };
            super::usage::charge(txn, &quotas, &owner, one)?;
            let share = ShareRecord {
                v: SHARE_SCHEMA,
                token,
                owner,
                resume_id,
                created_at: now(),
                expires_at,
                revoked: false,
                access_count: 0,
                last_accessed_at: None,
                layout,
            };
            put_share(txn, &share)?;
            txn.open_table(RESUME_SHARES)?
                .insert((resume_id.to_string().as_str(), share.token.as_str()), ())?;
            Ok(share)
        })
        .await
}

/// A resume's share links, oldest first, with their pending views counted.
pub(super) async fn list(
    store: &RedbStore,
    owner: &str,
    resume_id: Uuid,
) -> Result<Vec<ShareRecord>, StoreError> {
    let owner = owner.to_string();
    let views = store.views.clone();
    store
        .read_shares(move |txn| {
            owned::<RawDocument, _>(&txn.open_table(RESUMES)?, &owner, resume_id)?;
            let key = resume_id.to_string();
            let index = txn.open_table(RESUME_SHARES)?;
            let shares = txn.open_table(SHARES)?;
            let mut out = Vec::new();
            for entry in index.range((key.as_str(), "")..)? {
                let (k, _) = entry?;
                let (resume, token) = k.value();
                if resume != key {
                    break;
                }
                if let Some(mut share) = load_share(&shares, token)? {
                    views.add_pending(&mut share);
                    out.push(share);
                }
            }
            out.sort_by_key(|s| s.created_at);
            Ok(out)
        })
        .await
}

/// Revoke one of `owner`'s share links (again is fine).
pub(super) async fn revoke(
    store: &RedbStore,
    owner: &str,
    token: &str,
) -> Result<ShareRecord, StoreError> {
    let owner = owner.to_string();
    let token = token.to_string();
    store
        .write(move |txn| {
            let mut share = load_share(&txn.open_table(SHARES)?, &token)?
                .filter(|s| s.owner == owner)
                .ok_or(StoreError::NotFound("share"))?;
            if !share.revoked {
                share.revoked = true;
                put_share(txn, &share)?;
            }
            Ok(share)
        })
        .await
        .map(|mut share| {
            store.views.add_pending(&mut share);
            share
        })
}

/// Open a share link: `NotFound` when unknown, `Gone` when expired or
/// revoked; otherwise the view is counted.
pub(super) fn access(
    store: &RedbStore,
    token: &str,
    now: DateTime<Utc>,
) -> Result<SharedView, StoreError> {
    let generation = store.generation();
    let (mut share, resume) = match store.shared.get(&token.to_string(), generation) {
        Some(hit) => hit,
        None => {
            let found = store.lookup(|txn| {
                let share = load_share(&txn.open_table(SHARES)?, token)?
                    .ok_or(StoreError::NotFound("share"))?;
                let resume: ResumeRecord<RawDocument> =
                    load_resume(&txn.open_table(RESUMES)?, share.resume_id)?
                        .ok_or(StoreError::NotFound("share"))?;
                Ok((share, Arc::new(resume)))
            })?;
            // The document is most of it; the rest is a few hundred bytes.
            let size = found.1.document.as_ref().map_or(0, |d| d.get().len()) + 512;
            store
                .shared
                .put(token.to_string(), generation, found.clone(), size);
            found
        }
    };
    // Checked on every view, cached or not: expiry needs no write to happen.
    if share.revoked {
        return Err(StoreError::Gone("been revoked"));
    }
    if share.expires_at <= now {
        return Err(StoreError::Gone("expired"));
    }
    if store.views.record(token, now) {
        store.views_pending();
    }
    store.views.add_pending(&mut share);
    Ok(SharedView { share, resume })
}

/// Add the pending views to the stored share records, in the writer's
/// transaction (see [`super::writer`]).
pub(super) fn store_views(
    txn: &WriteTransaction,
    pending: &HashMap<String, Pending>,
) -> Result<(), StoreError> {
    let mut shares = txn.open_table(SHARES)?;
    for (token, seen) in pending {
        // A share deleted with its resume meanwhile has nothing to count.
        let Some(mut share) = load_share(&shares, token)? else {
            continue;
        };
        share.access_count += seen.count;
        share.last_accessed_at = Some(
            share
                .last_accessed_at
                .map_or(seen.last, |l| l.max(seen.last)),
        );
        shares.insert(token.as_str(), serde_json::to_vec(&share)?.as_slice())?;
    }
    Ok(())
}

fn put_share(txn: &WriteTransaction, share: &ShareRecord) -> Result<(), StoreError> {
    let mut shares = txn.open_table(SHARES)?;
    shares.insert(share.token.as_str(), serde_json::to_vec(share)?.as_slice())?;
    Ok(())
}

fn load_share<T: ReadableTable<&'static str, &'static [u8]>>(
    table: &T,
    token: &str,
) -> Result<Option<ShareRecord>, StoreError> {
    match table.get(token)? {
        Some(bytes) => Ok(Some(serde_json::from_slice(bytes.value())?)),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    //! Expiry and revocation, and view counts that are right at once and
    //! stored by the writer soon after (or at close).
    use std::sync::Arc;

    use super::super::testing::ready_resume;
    use super::super::RedbStore;
    use crate::store::views::FLUSH_DELAY;
    use crate::store::{Store, StoreError};

    #[tokio::test]
    async fn expired_and_revoked_shares_are_gone_and_not_counted() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let id = ready_resume(&store, "alice").await;
        let now = crate::store::now();
        let share = store
            .create_share(
                "alice",
                id,
                now + chrono::Duration::seconds(60),
                Default::default(),
            )
            .await
            .unwrap();
        assert!(matches!(
            store
                .access_share(&share.token, now + chrono::Duration::seconds(61))
                .await,
            Err(StoreError::Gone("expired"))
        ));
        assert!(matches!(
            store.revoke_share("bob", &share.token).await,
            Err(StoreError::NotFound(_))
        ));
        store.revoke_share("alice", &share.token).await.unwrap();
        assert!(matches!(
            store.access_share(&share.token, now).await,
            Err(StoreError::Gone("been revoked"))
        ));
        assert_eq!(
            store.list_shares("alice", id).await.unwrap()[0].access_count,
            0
        );
    }

    #[tokio::test]
    async fn share_views_are_counted_at_once_and_stored_by_the_writer() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let id = ready_resume(&store, "alice").await;
        let now = crate::store::now();
        let share = store
            .create_share(
                "alice",
                id,
                now + chrono::Duration::days(1),
                Default::default(),
            )
            .await
            .unwrap();
        let generation = store.generation();
        let views = 50;
        let mut tasks = Vec::new();
        let store = Arc::new(store);
        for _ in 0..views {
            let (store, token) = (store.clone(), share.token.clone());
            tasks.push(tokio::spawn(async move {
                store.access_share(&token, crate::store::now()).await
            }));
        }
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        // Counted before anything is stored...
        assert_eq!(
            store.list_shares("alice", id).await.unwrap()[0].access_count,
            views
        );
        // ...and stored by one write soon after, with the count unchanged
        // across the flush.
        tokio::time::sleep(FLUSH_DELAY * 3).await;
        assert!(store.generation() > generation, "the views were written");
        assert!(store.views.is_empty());
        let listed = &store.list_shares("alice", id).await.unwrap()[0];
        assert_eq!(listed.access_count, views);
        assert!(listed.last_accessed_at.is_some());

        // Views still pending at close are written by the closing writer.
        store.access_share(&share.token, now).await.unwrap();
        drop(Arc::into_inner(store).expect("the only handle"));
        let store = RedbStore::open(dir.path()).unwrap();
        assert_eq!(
            store.list_shares("alice", id).await.unwrap()[0].access_count,
            views + 1
        );
    }
}
