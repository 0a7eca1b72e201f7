//! Paged lists of the redb backend ([`crate::store::Page`]): pages walked
//! end to end are the whole list in order, with writes between pages; a
//! page reads the order tables from its position (so a position past the
//! end is an empty last page); revision pages rebuild the same documents
//! as the whole history; deleting a resume empties its share order; and a
//! file written before the order tables gets them filled at open.

use std::collections::BTreeSet;

use redb::ReadableDatabase;
use uuid::Uuid;

use super::tables::{META, RESUME_ORDER, SHARE_ORDER};
use super::testing::{day_share, ready_resume, upload};
use super::RedbStore;
use crate::store::{Page, Position, Store};

async fn walk_shares(store: &RedbStore, owner: &str, id: Uuid, limit: usize) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .shares_page(owner, id, Page { limit, after })
            .await
            .unwrap();
        assert!(page.items.len() <= limit);
        tokens.extend(page.items.into_iter().map(|s| s.token));
        match page.next {
            Some(next) => after = Some(next),
            None => return tokens,
        }
    }
}

#[tokio::test]
async fn share_pages_walked_with_inserts_between_them_meet_every_link_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = RedbStore::open(dir.path()).unwrap();
    let id = ready_resume(&store, "alice").await;
    let mut before = Vec::new();
    for _ in 0..250 {
        before.push(day_share(&store, "alice", id).await.token);
    }
    let mut seen = Vec::new();
    let mut after = None;
    let mut added = Vec::new();
    loop {
        let page = store
            .shares_page("alice", id, Page { limit: 40, after })
            .await
            .unwrap();
        seen.extend(page.items.iter().map(|s| (s.created_at, s.token.clone())));
        added.push(day_share(&store, "alice", id).await.token);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let tokens: Vec<&String> = seen.iter().map(|(_, t)| t).collect();
    let unique: BTreeSet<&String> = tokens.iter().copied().collect();
    assert_eq!(unique.len(), tokens.len(), "no link twice");
    assert!(before.iter().all(|t| unique.contains(t)), "none skipped");
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0), "oldest first");
    // The list as one walk is the list in order, the added ones last.
    let all = walk_shares(&store, "alice", id, 1000).await;
    assert_eq!(all.len(), 250 + added.len());
    assert_eq!(&all[..250], &before[..]);
    assert_eq!(
        store.list_shares("alice", id).await.unwrap().len(),
        all.len()
    );
    // Past the end: an empty last page.
    let past = Page {
        limit: 10,
        after: Some(Position {
            at: i64::MAX,
            key: "z".into(),
        }),
    };
    let page = store.shares_page("alice", id, past).await.unwrap();
    assert!(page.items.is_empty() && page.next.is_none());
    // Another owner's resume: not found, whatever the position.
    assert!(store
        .shares_page(
            "bob",
            id,
            Page {
                limit: 10,
                after: None
            }
        )
        .await
        .is_err());
    // Deleting the resume leaves nothing in its share order.
    store.delete_resume("alice", id).await.unwrap();
    let txn = store.db.get().unwrap().begin_read().unwrap();
    let order = txn.open_table(SHARE_ORDER).unwrap();
    let key = id.to_string();
    let left = order
        .range((key.as_str(), i64::MIN, "")..=(key.as_str(), i64::MAX, "\u{10ffff}"))
        .unwrap()
        .count();
    assert_eq!(left, 0);
}

#[tokio::test]
async fn resume_pages_follow_creation_and_skip_nothing_across_a_delete() {
    let dir = tempfile::tempdir().unwrap();
    let store = RedbStore::open(dir.path()).unwrap();
    let mut ids = Vec::new();
    for _ in 0..25 {
        ids.push(
            store
                .create_resume(upload("carol"))
                .await
                .unwrap()
                .record
                .id,
        );
    }
    store.create_resume(upload("dave")).await.unwrap();
    let first = store
        .resumes_page(
            "carol",
            Page {
                limit: 10,
                after: None,
            },
        )
        .await
        .unwrap();
    let got: Vec<Uuid> = first.items.iter().map(|r| r.record.id).collect();
    assert_eq!(got, ids[..10]);
    // A resume of the first page goes: the second page is unmoved.
    store.delete_resume("carol", ids[2]).await.unwrap();
    let second = store
        .resumes_page(
            "carol",
            Page {
                limit: 10,
                after: first.next,
            },
        )
        .await
        .unwrap();
    let got: Vec<Uuid> = second.items.iter().map(|r| r.record.id).collect();
    assert_eq!(got, ids[10..20]);
    let third = store
        .resumes_page(
            "carol",
            Page {
                limit: 10,
                after: second.next,
            },
        )
        .await
        .unwrap();
    assert_eq!(third.items.len(), 5);
    assert!(third.next.is_none(), "the last page");
    assert!(third.items.iter().all(|r| r.record.owner == "carol"));
}

#[tokio::test]
async fn revision_pages_rebuild_the_same_documents_as_the_whole_history() {
    let dir = tempfile::tempdir().unwrap();
    let store = RedbStore::open(dir.path()).unwrap();
    super::testing::revision_pages_match_the_whole_history(&store).await;
}

#[tokio::test]
async fn a_file_without_the_order_tables_gets_them_filled_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let (id, tokens) = {
        let store = RedbStore::open(dir.path()).unwrap();
        let id = ready_resume(&store, "frank").await;
        store.create_resume(upload("frank")).await.unwrap();
        let mut tokens = Vec::new();
        for _ in 0..5 {
            tokens.push(day_share(&store, "frank", id).await.token);
        }
        (id, tokens)
    };
    {
        // As a server before paged lists left it: no order, no marker.
        let db = redb::Database::create(dir.path().join("vitae.redb")).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(RESUME_ORDER)
            .unwrap()
            .retain(|_, _| false)
            .unwrap();
        txn.open_table(SHARE_ORDER)
            .unwrap()
            .retain(|_, _| false)
            .unwrap();
        txn.open_table(META)
            .unwrap()
            .remove("list_order_schema")
            .unwrap();
        txn.commit().unwrap();
    }
    let store = RedbStore::open(dir.path()).unwrap();
    assert_eq!(store.list_resumes("frank").await.unwrap().len(), 2);
    let listed: Vec<String> = store
        .list_shares("frank", id)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.token)
        .collect();
    assert_eq!(listed, tokens, "every share, oldest first");
}
