//! Share links: create, list, revoke, and open (`/s/{token}`).
//!
//! A share lives in `shares` under the SHA-256 of its token
//! ([`share_key`]), its token sealed with the data dir's key
//! ([`crate::store::sealing`]): the file never holds a token in clear. It is
//! indexed by resume in `resume_shares` (by the same key) and, for the
//! owner's pages, in `share_order` by creation time; deleting a resume
//! deletes its shares ([`super::resumes::delete`]). Opening a link is a
//! read: it answers from the read cache when nothing was committed since
//! (see [`crate::read_cache`]) and otherwise reads on the blocking pool (the
//! resume it carries may be megabytes of JSON), checks revocation and expiry
//! on every view, and only counts the view in memory, once per client per
//! hour ([`crate::store::views`]); the writer thread stores the counts in
//! batches through [`store_views`]. Every answer that carries a share adds
//! the views still pending, so a count is right the moment it is answered.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use redb::{ReadableTable, WriteTransaction};
use uuid::Uuid;

use super::resumes::{load_resume, owned};
use super::tables::{
    page_of_scope, RESUMES, RESUME_SHARES, REVISIONS, SHARES, SHARE_ORDER, SHARE_VIEWS,
};
use super::tokens::random_token;
use super::RedbStore;
use crate::store::records::{RawDocument, ResumeRecord, ShareRecord, StoredShare, SHARE_SCHEMA};
use crate::store::sealing::TokenSeal;
use crate::store::views::{share_key, DayViews, Pending, HISTORY_DAYS};
use crate::store::{now, NewShare, Page, Paged, Position, SharedView, Store, StoreError};

/// A new share link to one of `owner`'s resumes. A pinned revision is
/// checked (or, for `pin_current`, read) in the same transaction.
pub(super) async fn create(
    store: &RedbStore,
    owner: &str,
    resume_id: Uuid,
    new: NewShare,
) -> Result<ShareRecord, StoreError> {
    let owner = owner.to_string();
    let token = random_token(24)?;
    let quotas = store.current_quotas();
    let seal = store.seal.clone();
    let NewShare {
        expires_at,
        layout,
        mut settings,
        pin_current,
    } = new;
    store
        .write(move |txn| {
            let record = owned::<RawDocument, _>(&txn.open_table(RESUMES)?, &owner, resume_id)?;
            if pin_current {
                settings.pinned_revision = Some(record.revision);
            }
            if let Some(revision) = settings.pinned_revision {
                let kept = revision == record.revision
                    || (revision < record.revision
                        && txn
                            .open_table(REVISIONS)?
                            .get((resume_id.to_string().as_str(), revision))?
                            .is_some());
                if !kept {
                    return Err(StoreError::NotFound("revision"));
                }
            }
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
                settings,
            };
            let key = share_key(&share.token);
            put_share(txn, &key, &StoredShare::seal(&share, &key, &seal)?)?;
            txn.open_table(RESUME_SHARES)?
                .insert((resume_id.to_string().as_str(), key.as_str()), ())?;
            txn.open_table(SHARE_ORDER)?.insert(
                (
                    resume_id.to_string().as_str(),
                    share.created_at.timestamp_micros(),
                    key.as_str(),
                ),
                (),
            )?;
            Ok(share)
        })
        .await
}

/// One page of a resume's share links, oldest first, with their pending
/// views counted: a range scan of `share_order` from the page's position.
pub(super) async fn page(
    store: &RedbStore,
    owner: &str,
    resume_id: Uuid,
    page: Page<Position>,
) -> Result<Paged<ShareRecord, Position>, StoreError> {
    let owner = owner.to_string();
    let views = store.views.clone();
    let seal = store.seal.clone();
    store
        .read_shares(move |txn| {
            owned::<RawDocument, _>(&txn.open_table(RESUMES)?, &owner, resume_id)?;
            let id = resume_id.to_string();
            let (positions, more) = page_of_scope(&txn.open_table(SHARE_ORDER)?, &id, &page)?;
            let shares = txn.open_table(SHARES)?;
            let mut items = Vec::with_capacity(positions.len());
            for position in &positions {
                let key = position.key.as_str();
                if let Some(stored) = load_share(&shares, key)? {
                    let mut share = stored.open(key, &seal)?;
                    views.add_pending(key, &mut share);
                    items.push(share);
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

/// Revoke one of `owner`'s share links (again is fine).
pub(super) async fn revoke(
    store: &RedbStore,
    owner: &str,
    token: &str,
) -> Result<ShareRecord, StoreError> {
    let owner = owner.to_string();
    let token = token.to_string();
    let key = share_key(&token);
    let counted = key.clone();
    store
        .write(move |txn| {
            let mut stored = load_share(&txn.open_table(SHARES)?, &key)?
                .filter(|s| s.owner == owner)
                .ok_or(StoreError::NotFound("share"))?;
            if !stored.revoked {
                stored.revoked = true;
                put_share(txn, &key, &stored)?;
            }
            Ok(stored.with_token(token))
        })
        .await
        .map(|mut share| {
            store.views.add_pending(&counted, &mut share);
            share
        })
}

/// Open a share link: `NotFound` when unknown, `Gone` when expired or
/// revoked. Counts nothing: see [`count`].
pub(super) async fn open(
    store: &RedbStore,
    token: &str,
    now: DateTime<Utc>,
) -> Result<SharedView, StoreError> {
    let key = share_key(token);
    let generation = store.generation();
    let (mut share, resume) = match store.shared.get(&key, generation) {
        Some(hit) => hit,
        None => {
            let (lookup, token) = (key.clone(), token.to_string());
            let found = store
                .read(move |txn| {
                    let stored = load_share(&txn.open_table(SHARES)?, &lookup)?
                        .ok_or(StoreError::NotFound("share"))?;
                    let resume: ResumeRecord<RawDocument> =
                        load_resume(&txn.open_table(RESUMES)?, stored.resume_id)?
                            .ok_or(StoreError::NotFound("share"))?;
                    // The request named the token: no need to open the seal.
                    Ok((stored.with_token(token), Arc::new(resume)))
                })
                .await?;
            // The document is most of it; the rest is a few hundred bytes.
            let size = found.1.document.as_ref().map_or(0, |d| d.get().len()) + 512;
            store
                .shared
                .put(key.clone(), generation, found.clone(), size);
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
    store.views.add_pending(&key, &mut share);
    Ok(SharedView { share, resume })
}

/// Count a view of `form` of the link `token` (once per client per hour),
/// in memory; the writer stores it soon ([`store_views`]).
pub(super) fn count(
    store: &RedbStore,
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
        store.views_pending();
    }
}

/// One of `owner`'s links with its view history (pending views added).
pub(super) async fn history(
    store: &RedbStore,
    owner: &str,
    token: &str,
) -> Result<(ShareRecord, Vec<DayViews>), StoreError> {
    let owner = owner.to_string();
    let token = token.to_string();
    let views = store.views.clone();
    store
        .read_shares(move |txn| {
            let key = share_key(&token);
            let stored = load_share(&txn.open_table(SHARES)?, &key)?
                .filter(|s| s.owner == owner)
                .ok_or(StoreError::NotFound("share"))?;
            let mut share = stored.with_token(token);
            let mut days = Vec::new();
            let table = txn.open_table(SHARE_VIEWS)?;
            for entry in table.range((key.as_str(), "")..)? {
                let (k, v) = entry?;
                let (filed, day) = k.value();
                if filed != key {
                    break;
                }
                let Ok(day) = chrono::NaiveDate::parse_from_str(day, DAY_FORMAT) else {
                    continue;
                };
                let forms: BTreeMap<String, u64> = serde_json::from_slice(v.value())?;
                days.push(DayViews { day, forms });
            }
            views.add_pending(&key, &mut share);
            views.add_pending_days(&key, &mut days);
            Ok((share, days))
        })
        .await
}

/// How a day is written in `share_views` keys (sorts by date).
const DAY_FORMAT: &str = "%Y-%m-%d";

/// Add the pending views to the stored share records, in the writer's
/// transaction (see [`super::writer`]).
pub(super) fn store_views(
    txn: &WriteTransaction,
    pending: &HashMap<String, Pending>,
) -> Result<(), StoreError> {
    let mut shares = txn.open_table(SHARES)?;
    let mut history = txn.open_table(SHARE_VIEWS)?;
    for (key, seen) in pending {
        // A share deleted with its resume meanwhile has nothing to count.
        let Some(mut share) = load_share(&shares, key)? else {
            continue;
        };
        share.access_count += seen.count;
        share.last_accessed_at = Some(
            share
                .last_accessed_at
                .map_or(seen.last, |l| l.max(seen.last)),
        );
        shares.insert(key.as_str(), serde_json::to_vec(&share)?.as_slice())?;
        for ((day, form), count) in &seen.days {
            let day = day.format(DAY_FORMAT).to_string();
            let mut forms: BTreeMap<String, u64> =
                match history.get((key.as_str(), day.as_str()))? {
                    Some(bytes) => serde_json::from_slice(bytes.value())?,
                    None => BTreeMap::new(),
                };
            *forms.entry(form.to_string()).or_insert(0) += count;
            history.insert(
                (key.as_str(), day.as_str()),
                serde_json::to_vec(&forms)?.as_slice(),
            )?;
        }
        // Bounded: days older than the kept window go when the link is
        // next counted.
        let oldest = (seen.last - chrono::Duration::days(HISTORY_DAYS - 1))
            .format(DAY_FORMAT)
            .to_string();
        history.retain_in(
            (key.as_str(), "")..(key.as_str(), oldest.as_str()),
            |_, _| false,
        )?;
    }
    Ok(())
}

/// Remove the view history of the links filed under `keys` (their resume
/// is being deleted).
pub(super) fn forget_history(txn: &WriteTransaction, keys: &[String]) -> Result<(), StoreError> {
    let mut history = txn.open_table(SHARE_VIEWS)?;
    for key in keys {
        history.retain_in((key.as_str(), "")..=(key.as_str(), "~"), |_, _| false)?;
    }
    Ok(())
}

/// The tokens of the shares filed under `keys`, opened with the key, for
/// the announcements of a deletion. One that does not open (a wrong key
/// file) is left out of the announcements, never in the way of the delete.
pub(super) fn open_tokens<T: ReadableTable<&'static str, &'static [u8]>>(
    table: &T,
    keys: &[String],
    seal: &TokenSeal,
) -> Result<Vec<String>, StoreError> {
    let mut tokens = Vec::with_capacity(keys.len());
    for key in keys {
        if let Some(stored) = load_share(table, key)? {
            match stored.open(key, seal) {
                Ok(share) => tokens.push(share.token),
                Err(error) => tracing::warn!(%error, "a deleted share is not announced"),
            }
        }
    }
    Ok(tokens)
}

fn put_share(txn: &WriteTransaction, key: &str, share: &StoredShare) -> Result<(), StoreError> {
    let mut shares = txn.open_table(SHARES)?;
    shares.insert(key, serde_json::to_vec(share)?.as_slice())?;
    Ok(())
}

fn load_share<T: ReadableTable<&'static str, &'static [u8]>>(
    table: &T,
    key: &str,
) -> Result<Option<StoredShare>, StoreError> {
    match table.get(key)? {
        Some(bytes) => Ok(Some(serde_json::from_slice(bytes.value())?)),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    //! Expiry and revocation, and view counts that are right at once and
    //! stored by the writer soon after (or at close).
    use std::sync::Arc;

    use super::super::testing::{client, day_share, ready_resume};
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
                .access_share(&share.token, client(1), now + chrono::Duration::seconds(61))
                .await,
            Err(StoreError::Gone("expired"))
        ));
        assert!(matches!(
            store.revoke_share("bob", &share.token).await,
            Err(StoreError::NotFound(_))
        ));
        store.revoke_share("alice", &share.token).await.unwrap();
        assert!(matches!(
            store.access_share(&share.token, client(1), now).await,
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
        let share = day_share(&store, "alice", id).await;
        let generation = store.generation();
        let views = 50;
        let mut tasks = Vec::new();
        let store = Arc::new(store);
        for i in 0..views {
            let (store, token) = (store.clone(), share.token.clone());
            tasks.push(tokio::spawn(async move {
                store
                    .access_share(&token, client(i as u8), crate::store::now())
                    .await
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
        store
            .access_share(&share.token, client(200), now)
            .await
            .unwrap();
        drop(Arc::into_inner(store).expect("the only handle"));
        let store = RedbStore::open(dir.path()).unwrap();
        assert_eq!(
            store.list_shares("alice", id).await.unwrap()[0].access_count,
            views + 1
        );
    }

    #[tokio::test]
    async fn repeated_views_from_one_client_count_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let id = ready_resume(&store, "alice").await;
        let now = crate::store::now();
        let share = day_share(&store, "alice", id).await;
        for _ in 0..10 {
            let seen = store
                .access_share(&share.token, client(1), now)
                .await
                .unwrap();
            assert_eq!(seen.share.access_count, 1);
        }
        store
            .access_share(&share.token, client(2), now)
            .await
            .unwrap();
        let listed = &store.list_shares("alice", id).await.unwrap()[0];
        assert_eq!(listed.access_count, 2, "two clients, eleven views");
        // The next hour, the first client counts again.
        store
            .access_share(&share.token, client(1), now + chrono::Duration::hours(1))
            .await
            .unwrap();
        assert_eq!(
            store.list_shares("alice", id).await.unwrap()[0].access_count,
            3
        );
    }

    #[tokio::test]
    async fn pinned_links_need_a_kept_revision_and_views_keep_a_bounded_history() {
        use crate::store::records::ShareSettings;
        use crate::store::views::HISTORY_DAYS;
        use crate::store::NewShare;
        use redb::{ReadableDatabase, ReadableTable};

        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let id = ready_resume(&store, "alice").await;
        let now = crate::store::now();
        let new = |pin_current: bool, pinned: Option<u64>| NewShare {
            expires_at: now + chrono::Duration::days(1),
            layout: Default::default(),
            settings: ShareSettings {
                pinned_revision: pinned,
                label: Some("Acme".into()),
                ..Default::default()
            },
            pin_current,
        };
        let pinned = store
            .create_share_with("alice", id, new(true, None))
            .await
            .unwrap();
        assert_eq!(pinned.settings.pinned_revision, Some(1));
        assert!(matches!(
            store
                .create_share_with("alice", id, new(false, Some(2)))
                .await,
            Err(StoreError::NotFound("revision"))
        ));
        store
            .patch_document(
                "alice",
                id,
                None,
                serde_json::json!({"basics": {"name": "Jo"}}),
            )
            .await
            .unwrap();
        for kept in [1, 2] {
            let share = store
                .create_share_with("alice", id, new(false, Some(kept)))
                .await
                .unwrap();
            assert_eq!(share.settings.pinned_revision, Some(kept));
        }
        let listed = store.list_shares("alice", id).await.unwrap();
        assert_eq!(listed.len(), 3);
        assert!(listed
            .iter()
            .all(|s| s.settings.label.as_deref() == Some("Acme")));

        // Views: once per client per hour, per day and form.
        let token = pinned.token.clone();
        let mut share = store.open_share(&token, now).await.unwrap().share;
        assert_eq!(share.access_count, 0, "opening counts nothing");
        store.count_share_view(&token, client(1), now, "pdf", &mut share);
        store.count_share_view(&token, client(1), now, "pdf", &mut share);
        store.count_share_view(&token, client(2), now, "html", &mut share);
        assert_eq!(share.access_count, 2);
        let (seen, days) = store.share_history("alice", &token).await.unwrap();
        assert_eq!(seen.access_count, 2);
        assert_eq!(days.len(), 1);
        assert_eq!(days[0].day, now.date_naive());
        assert_eq!((days[0].forms["pdf"], days[0].forms["html"]), (1, 1));
        assert!(matches!(
            store.share_history("bob", &token).await,
            Err(StoreError::NotFound(_))
        ));
        // Stored by the writer, unchanged.
        tokio::time::sleep(FLUSH_DELAY * 3).await;
        assert!(store.views.is_empty());
        assert_eq!(store.share_history("alice", &token).await.unwrap().1, days);
        // A view more than the kept window later drops the old days.
        let later = now + chrono::Duration::days(HISTORY_DAYS + 1);
        store.count_share_view(&token, client(3), later, "json", &mut share);
        tokio::time::sleep(FLUSH_DELAY * 3).await;
        let (_, days) = store.share_history("alice", &token).await.unwrap();
        assert_eq!(days.len(), 1, "{days:?}");
        assert_eq!(days[0].day, later.date_naive());
        // Deleting the resume deletes the history with the links.
        store.delete_resume("alice", id).await.unwrap();
        let txn = store.db.get().unwrap().begin_read().unwrap();
        let rows = txn
            .open_table(super::super::tables::SHARE_VIEWS)
            .unwrap()
            .iter()
            .unwrap()
            .count();
        assert_eq!(rows, 0);
    }

    #[tokio::test]
    async fn the_store_file_holds_no_share_token_in_clear() {
        let dir = tempfile::tempdir().unwrap();
        let (id, token) = {
            let store = RedbStore::open(dir.path()).unwrap();
            let id = ready_resume(&store, "alice").await;
            let now = crate::store::now();
            let share = day_share(&store, "alice", id).await;
            store
                .access_share(&share.token, client(1), now)
                .await
                .unwrap();
            store.revoke_share("alice", &share.token).await.unwrap();
            (id, share.token)
        };
        let bytes = std::fs::read(dir.path().join("vitae.redb")).unwrap();
        assert!(
            !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
            "the token is in vitae.redb in clear"
        );
        // ...and the owner still sees it, opened with the key file.
        let store = RedbStore::open(dir.path()).unwrap();
        let listed = store.list_shares("alice", id).await.unwrap();
        assert_eq!(listed[0].token, token);
        assert_eq!(listed[0].access_count, 1);
        assert!(listed[0].revoked);
    }

    #[tokio::test]
    async fn a_store_with_sealed_tokens_does_not_start_without_its_key() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = RedbStore::open(dir.path()).unwrap();
            let id = ready_resume(&store, "alice").await;
            day_share(&store, "alice", id).await;
        }
        let key = dir.path().join(crate::store::sealing::KEY_FILE);
        let saved = std::fs::read(&key).unwrap();
        std::fs::remove_file(&key).unwrap();
        let err = RedbStore::open(dir.path()).err().expect("must refuse");
        assert!(err.to_string().contains("share.key"), "{err}");
        assert!(!key.exists(), "no new key replaces the lost one");
        // Another key does not open them either: listing says so.
        std::fs::write(&key, format!("{}\n", "ab".repeat(32))).unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let id = store.list_resumes("alice").await.unwrap()[0].record.id;
        let err = store.list_shares("alice", id).await.unwrap_err();
        assert!(err.to_string().contains("share.key"), "{err}");
        drop(store);
        std::fs::write(&key, saved).unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        assert_eq!(store.list_shares("alice", id).await.unwrap().len(), 1);
    }
}
