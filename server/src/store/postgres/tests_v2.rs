//! The PostgreSQL backend's share links v2 and paged lists, against a real
//! throw-away cluster, with the same expectations as the redb backend's
//! tests (`redb/shares.rs`, `redb/paging_tests.rs`): pages walked end to
//! end are the whole list once each, with writes between pages; every page
//! query reads its index in list order (no sort, no scan of the list);
//! revision pages rebuild the same documents as the whole history; pinned
//! links need a kept revision; views count per day and form, on several
//! instances without a shared row, and old days go; and a schema-1 database
//! keeps its counts through the migration.
//!
//! Without PostgreSQL installed these tests say they skipped, unless
//! `VITAE_REQUIRE_POSTGRES=1` (which `.ci/run` sets), where they fail.

use std::collections::HashSet;

use serde_json::json;
use vitae_tests::postgres::{cluster_or_skip, Cluster};

use super::{pages, PgStore};
use crate::store::records::ShareSettings;
use crate::store::redb::testing::{
    client, day_share, job, ready_resume, revision_pages_match_the_whole_history, upload,
};
use crate::store::views::HISTORY_DAYS;
use crate::store::{NewShare, Page, Position, Store, StoreError};

/// A store on a new database of the shared cluster, with its data dir
/// (which holds the share-link key), and the database's URL.
async fn fresh(cluster: &Cluster) -> (PgStore, tempfile::TempDir, super::DatabaseUrl) {
    let dir = tempfile::tempdir().unwrap();
    let url: super::DatabaseUrl = cluster.fresh_database().parse().unwrap();
    let store = PgStore::open(&url, dir.path()).await.unwrap();
    (store, dir, url)
}

#[tokio::test]
async fn share_pages_walked_with_inserts_between_them_meet_every_link_once() {
    let Some(cluster) = cluster_or_skip("pg share pages") else {
        return;
    };
    let (store, _dir, _) = fresh(cluster).await;
    let id = ready_resume(&store, "alice").await;
    let mut before = Vec::new();
    for _ in 0..120 {
        before.push(day_share(&store, "alice", id).await.token);
    }
    let mut seen = Vec::new();
    let mut added = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .shares_page("alice", id, Page { limit: 25, after })
            .await
            .unwrap();
        assert!(page.items.len() <= 25);
        seen.extend(page.items.iter().map(|s| (s.created_at, s.token.clone())));
        added.push(day_share(&store, "alice", id).await.token);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let tokens: Vec<&String> = seen.iter().map(|(_, t)| t).collect();
    let unique: HashSet<&String> = tokens.iter().copied().collect();
    assert_eq!(unique.len(), tokens.len(), "no link twice");
    for token in &before {
        assert!(unique.contains(token), "every link made before the walk");
    }
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0), "oldest first");
    // Links added during the walk come after it, so it met them too.
    assert_eq!(tokens.len(), before.len() + added.len() - 1);
    // Another owner's resume is not found; a position past every link is
    // an empty last page.
    assert!(matches!(
        store
            .shares_page(
                "bob",
                id,
                Page {
                    limit: 5,
                    after: None
                }
            )
            .await,
        Err(StoreError::NotFound("resume"))
    ));
    let past = Position {
        at: i64::MAX,
        key: "zzzz".into(),
    };
    let page = store
        .shares_page(
            "alice",
            id,
            Page {
                limit: 5,
                after: Some(past),
            },
        )
        .await
        .unwrap();
    assert!(page.items.is_empty() && page.next.is_none());
}

#[tokio::test]
async fn resume_and_job_pages_follow_creation_and_skip_nothing_across_a_delete() {
    let Some(cluster) = cluster_or_skip("pg resume pages") else {
        return;
    };
    let (store, _dir, _) = fresh(cluster).await;
    let mut ids = Vec::new();
    for _ in 0..7 {
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
                limit: 3,
                after: None,
            },
        )
        .await
        .unwrap();
    let got: Vec<_> = first.items.iter().map(|r| r.record.id).collect();
    assert_eq!(got, ids[..3]);
    let next = first.next.clone().expect("more pages");
    assert_eq!(
        next.key,
        ids[2].to_string(),
        "the position is the last item"
    );
    // The page's last item goes: the walk carries on after its position.
    store.delete_resume("carol", ids[2]).await.unwrap();
    let second = store
        .resumes_page(
            "carol",
            Page {
                limit: 3,
                after: Some(next),
            },
        )
        .await
        .unwrap();
    let got: Vec<_> = second.items.iter().map(|r| r.record.id).collect();
    assert_eq!(got, ids[3..6]);
    let third = store
        .resumes_page(
            "carol",
            Page {
                limit: 3,
                after: second.next,
            },
        )
        .await
        .unwrap();
    let got: Vec<_> = third.items.iter().map(|r| r.record.id).collect();
    assert_eq!(got, ids[6..]);
    assert!(third.next.is_none(), "the last page");
    // A position whose key is no id (a client may alter a cursor) still
    // orders: after every item of its microsecond, before the next.
    let odd = Position {
        at: third.items[0].record.created_at.timestamp_micros(),
        key: "zzzz".into(),
    };
    let page = store
        .resumes_page(
            "carol",
            Page {
                limit: 10,
                after: Some(odd),
            },
        )
        .await
        .unwrap();
    assert!(page.items.is_empty());
    let early = Position {
        at: i64::MIN,
        key: String::new(),
    };
    let page = store
        .resumes_page(
            "carol",
            Page {
                limit: 10,
                after: Some(early),
            },
        )
        .await
        .unwrap();
    assert_eq!(page.items.len(), 6, "from the first");

    let mut jobs = Vec::new();
    for i in 0..5 {
        jobs.push(
            store
                .create_job(job("carol", &format!("job {i}")))
                .await
                .unwrap()
                .0
                .id,
        );
    }
    let mut walked = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .jobs_page("carol", Page { limit: 2, after })
            .await
            .unwrap();
        assert!(page.items.len() <= 2);
        walked.extend(page.items.iter().map(|j| j.id));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(walked, jobs);
    assert!(store.list_jobs("dave").await.unwrap().is_empty());
}

#[tokio::test]
async fn revision_pages_rebuild_the_same_documents_as_the_whole_history() {
    let Some(cluster) = cluster_or_skip("pg revision pages") else {
        return;
    };
    let (store, _dir, _) = fresh(cluster).await;
    revision_pages_match_the_whole_history(&store).await;
    let id = store.list_resumes("erin").await.unwrap()[0].record.id;
    let past = store
        .revisions_page(
            "erin",
            id,
            Page {
                limit: 5,
                after: Some(u64::MAX),
            },
        )
        .await
        .unwrap();
    assert!(past.items.is_empty() && past.next.is_none());
}

/// The plan PostgreSQL makes for `sql` with these values, one line a node.
async fn plan(client: &deadpool_postgres::Object, sql: &str, types: &str, values: &str) -> String {
    client
        .batch_execute(&format!("DEALLOCATE ALL; PREPARE page ({types}) AS {sql}"))
        .await
        .unwrap();
    let mut lines = Vec::new();
    for message in client
        .simple_query(&format!("EXPLAIN EXECUTE page ({values})"))
        .await
        .unwrap()
    {
        if let tokio_postgres::SimpleQueryMessage::Row(row) = message {
            lines.push(row.get(0).unwrap_or_default().to_string());
        }
    }
    lines.join("\n")
}

#[tokio::test]
async fn every_page_query_reads_its_index_in_list_order() {
    let Some(cluster) = cluster_or_skip("pg page plans") else {
        return;
    };
    let (store, _dir, _) = fresh(cluster).await;
    let id = ready_resume(&store, "alice").await;
    day_share(&store, "alice", id).await;
    let client = store.client().await.unwrap();
    // With sequential and bitmap scans priced out (the tables are tiny
    // here), a list whose order no index gave would show a Sort; an index
    // read in order shows none.
    client
        .batch_execute("SET enable_seqscan = off; SET enable_bitmapscan = off; ANALYZE")
        .await
        .unwrap();
    let at = "'2026-01-01T00:00:00Z'";
    for (list, scope_type, scope, index) in [
        (
            &pages::RESUMES,
            "text",
            "'alice'".to_string(),
            "resumes_page",
        ),
        (&pages::JOBS, "text", "'alice'".to_string(), "jobs_page"),
        (&pages::SHARES, "uuid", format!("'{id}'"), "shares_page"),
    ] {
        let first = plan(
            &client,
            &pages::sql(list, false),
            &format!("{scope_type}, bigint"),
            &format!("{scope}, 101"),
        )
        .await;
        let after = plan(
            &client,
            &pages::sql(list, true),
            &format!("{scope_type}, timestamptz, text, bigint"),
            &format!("{scope}, {at}, 'k', 101"),
        )
        .await;
        for shown in [first, after] {
            assert!(shown.starts_with("Limit"), "{shown}");
            assert!(shown.contains(index), "reads {index}: {shown}");
            assert!(!shown.contains("Sort"), "no sort: {shown}");
        }
    }
    let revisions = plan(
        &client,
        "SELECT row FROM revisions WHERE resume_id = $1 AND revision >= $2 AND revision < $3 \
         ORDER BY revision LIMIT $4",
        "uuid, bigint, bigint, bigint",
        &format!("'{id}', 0, 5, 117"),
    )
    .await;
    assert!(revisions.starts_with("Limit"), "{revisions}");
    assert!(revisions.contains("revisions_pkey"), "{revisions}");
    assert!(!revisions.contains("Sort"), "{revisions}");
}

#[tokio::test]
async fn pinned_links_need_a_kept_revision_and_views_keep_a_bounded_history() {
    let Some(cluster) = cluster_or_skip("pg share links v2") else {
        return;
    };
    let (store, dir, url) = fresh(cluster).await;
    let id = ready_resume(&store, "alice").await;
    let now = crate::store::now();
    let new = |pin_current: bool, pinned: Option<u64>| NewShare {
        expires_at: now + chrono::Duration::days(1),
        layout: Default::default(),
        settings: ShareSettings {
            pinned_revision: pinned,
            label: Some("Acme".into()),
            hide: vec!["email".into()],
            allow_download: false,
            password_hash: Some("$argon2id$v=19$stand-in".into()),
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
    assert!(matches!(
        store.create_share_with("bob", id, new(false, None)).await,
        Err(StoreError::NotFound("resume"))
    ));
    store
        .patch_document("alice", id, None, json!({"basics": {"name": "Jo"}}))
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
    assert_eq!(listed[0].settings, pinned.settings, "settings kept whole");
    assert_eq!(store.usage("alice").await.unwrap().shares, 3);

    // Views: once per client per hour, per day and form; opening counts
    // nothing.
    let token = pinned.token.clone();
    let mut share = store.open_share(&token, now).await.unwrap().share;
    assert_eq!(share.access_count, 0, "opening counts nothing");
    assert_eq!(share.settings, pinned.settings);
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
    // Stored, unchanged.
    store.flush_views().await.unwrap();
    assert!(store.views.is_empty());
    assert_eq!(store.share_history("alice", &token).await.unwrap().1, days);

    // A second instance on the same database counts its own views into
    // rows of its own; both answer the sum.
    let other = PgStore::open(&url, dir.path()).await.unwrap();
    let mut seen_there = other.open_share(&token, now).await.unwrap().share;
    assert_eq!(seen_there.access_count, 2);
    other.count_share_view(&token, client(1), now, "pdf", &mut seen_there);
    other.count_share_view(&token, client(3), now, "json", &mut seen_there);
    assert_eq!(seen_there.access_count, 4);
    other.flush_views().await.unwrap();
    let db = store.client().await.unwrap();
    let instances: i64 = db
        .query_one("SELECT count(DISTINCT instance) FROM share_view_days", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(instances, 2, "each instance writes its own rows");
    let (both, days) = store.share_history("alice", &token).await.unwrap();
    assert_eq!(both.access_count, 4);
    assert_eq!(days.len(), 1);
    let forms = &days[0].forms;
    assert_eq!((forms["pdf"], forms["html"], forms["json"]), (2, 1, 1));

    // A view more than the kept window later drops the old days (every
    // instance's), never the count.
    let later = now + chrono::Duration::days(HISTORY_DAYS + 1);
    store.count_share_view(&token, client(4), later, "md", &mut share);
    store.flush_views().await.unwrap();
    let (counted, days) = other.share_history("alice", &token).await.unwrap();
    assert_eq!(days.len(), 1, "{days:?}");
    assert_eq!(days[0].day, later.date_naive());
    assert_eq!(days[0].forms["md"], 1);
    assert_eq!(counted.access_count, 5, "the total keeps the dropped days");

    // Deleting the resume deletes the links, their counts and history.
    store.delete_resume("alice", id).await.unwrap();
    for table in ["shares", "share_view_totals", "share_view_days"] {
        let rows: i64 = db
            .query_one(format!("SELECT count(*) FROM {table}").as_str(), &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(rows, 0, "{table}");
    }
}

#[tokio::test]
async fn a_schema_1_database_keeps_its_view_counts_through_the_migration() {
    let Some(cluster) = cluster_or_skip("pg schema 2 migration") else {
        return;
    };
    let (store, dir, url) = fresh(cluster).await;
    let id = ready_resume(&store, "frank").await;
    let share = day_share(&store, "frank", id).await;
    let key = crate::store::views::share_key(&share.token);
    let db = store.client().await.unwrap();
    // As schema 1 left it: views per (share, day, instance), the old
    // indexes, and no record of migration 2 (nor of the later ones).
    db.batch_execute(
        "DROP TABLE share_view_totals; DROP TABLE share_view_days;
         CREATE TABLE share_views (
             key text NOT NULL REFERENCES shares (key) ON DELETE CASCADE,
             day date NOT NULL,
             instance uuid NOT NULL,
             views bigint NOT NULL,
             last_at timestamptz NOT NULL,
             PRIMARY KEY (key, day, instance));
         DROP INDEX resumes_page; CREATE INDEX resumes_by_owner ON resumes (owner, created_at);
         DROP INDEX shares_page; CREATE INDEX shares_by_resume ON shares (resume_id, created_at);
         DROP INDEX jobs_page; CREATE INDEX jobs_by_owner ON jobs (owner, created_at);
         DROP TABLE events; DROP TABLE event_seq;
         DROP TABLE parse_jobs;
         DROP FUNCTION vitae_notify_change() CASCADE;
         DELETE FROM vitae_schema WHERE version >= 2;",
    )
    .await
    .unwrap();
    let (a, b) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    db.execute(
        "INSERT INTO share_views (key, day, instance, views, last_at) VALUES \
         ($1, '2026-03-01', $2, 3, '2026-03-01T10:00:00Z'), \
         ($1, '2026-03-02', $2, 2, '2026-03-02T10:00:00Z'), \
         ($1, '2026-03-02', $3, 4, '2026-03-02T11:00:00Z')",
        &[&key, &a, &b],
    )
    .await
    .unwrap();
    drop(db);
    drop(store);
    let store = PgStore::open(&url, dir.path()).await.unwrap();
    let listed = store.list_shares("frank", id).await.unwrap();
    assert_eq!(listed[0].access_count, 9, "every counted view kept");
    assert_eq!(
        listed[0].last_accessed_at.map(|t| t.to_rfc3339()),
        Some("2026-03-02T11:00:00+00:00".to_string())
    );
    let (_, days) = store.share_history("frank", &share.token).await.unwrap();
    assert!(days.is_empty(), "schema 1 kept no form: history starts now");
    let db = store.client().await.unwrap();
    let old: bool = db
        .query_one("SELECT to_regclass('share_views') IS NULL", &[])
        .await
        .unwrap()
        .get(0);
    assert!(old, "the schema-1 table is gone");
}
