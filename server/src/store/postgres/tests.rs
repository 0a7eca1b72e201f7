//! The PostgreSQL backend against a real throw-away cluster
//! (`vitae_tests::postgres`, one per test binary, a database per test):
//! races that only a constraint or a compare-and-set can settle (masters,
//! `If-Match`, quotas), history read back from deltas, counters that match
//! a recount, views counted without a hot row, the schema version check,
//! and start-up errors that say what is wrong. Share links v2 and paged
//! lists: `tests_v2.rs`.
//!
//! Without PostgreSQL installed these tests say they skipped, unless
//! `VITAE_REQUIRE_POSTGRES=1` (which `.ci/run` sets), where they fail.

use std::sync::Arc;

use serde_json::json;
use vitae_common::Status;
use vitae_tests::postgres::{cluster_or_skip, Cluster};

use super::PgStore;
use crate::store::quota::Quotas;
use crate::store::records::ParseOutcome;
use crate::store::redb::testing::{client, day_share, job, ready, ready_resume, upload};
use crate::store::{NewTailored, Store, StoreError};

/// How many rows `table` holds.
async fn rows(client: &deadpool_postgres::Object, table: &str) -> i64 {
    client
        .query_one(format!("SELECT count(*) FROM {table}").as_str(), &[])
        .await
        .unwrap()
        .get(0)
}

/// A store on a new database of the shared cluster, with its data dir
/// (which holds the share-link key).
async fn fresh(cluster: &Cluster) -> (PgStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = cluster.fresh_database().parse().unwrap();
    let store = PgStore::open(&url, dir.path()).await.unwrap();
    (store, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_set_master_and_first_parses_leave_exactly_one_master() {
    let Some(cluster) = cluster_or_skip("pg concurrent_set_master") else {
        return;
    };
    let (store, _dir) = fresh(cluster).await;
    let store = Arc::new(store);
    for round in 0..5 {
        let owner = format!("owner{round}");
        // First parses finishing together: one becomes master.
        let mut ids = Vec::new();
        for _ in 0..12 {
            ids.push(store.create_resume(upload(&owner)).await.unwrap().record.id);
        }
        let tasks: Vec<_> = ids
            .iter()
            .map(|&id| {
                let store = store.clone();
                tokio::spawn(async move {
                    store.mark_parsing(id).await.unwrap();
                    store.finish_parse(id, ready("Jane")).await.unwrap()
                })
            })
            .collect();
        let mut told = 0;
        for task in tasks {
            told += usize::from(task.await.unwrap().is_master);
        }
        assert_eq!(told, 1, "round {round}: one parse is told it is master");
        // Then every resume asks to be master at once: one wins, the last.
        let tasks: Vec<_> = ids
            .iter()
            .map(|&id| {
                let (store, owner) = (store.clone(), owner.clone());
                tokio::spawn(async move { store.set_master(&owner, id).await })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        let masters: Vec<_> = store
            .list_resumes(&owner)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.is_master)
            .collect();
        assert_eq!(masters.len(), 1, "round {round}");
        assert_eq!(masters[0].record.status, Status::Ready);
    }
}

#[tokio::test]
async fn the_master_index_is_a_constraint_not_only_code() {
    let Some(cluster) = cluster_or_skip("pg master constraint") else {
        return;
    };
    let (store, _dir) = fresh(cluster).await;
    let first = ready_resume(&store, "alice").await;
    let second = ready_resume(&store, "alice").await;
    assert!(store.get_resume("alice", first).await.unwrap().is_master);
    // A writer that skipped the rule cannot store a second master.
    let client = store.client().await.unwrap();
    let err = client
        .execute(
            "UPDATE resumes SET is_master = true WHERE id = $1",
            &[&second],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(StoreError::from(err), StoreError::Conflict(_)),
        "a second master is a unique violation"
    );
    // Nor make a failed resume master.
    let failed = store
        .create_resume(upload("alice"))
        .await
        .unwrap()
        .record
        .id;
    store.mark_parsing(failed).await.unwrap();
    store
        .finish_parse(failed, ParseOutcome::Failed { reason: "x".into() })
        .await
        .unwrap();
    assert!(matches!(
        store.set_master("alice", failed).await,
        Err(StoreError::Conflict(_))
    ));
    // Deleting the master hands the role to the oldest ready resume.
    store.set_master("alice", second).await.unwrap();
    let deleted = store.delete_resume("alice", second).await.unwrap();
    assert_eq!(deleted.new_master, Some(first));
    assert!(store.get_resume("alice", first).await.unwrap().is_master);
    assert!(matches!(
        store.set_master("bob", first).await,
        Err(StoreError::NotFound(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn if_match_is_a_compare_and_set() {
    let Some(cluster) = cluster_or_skip("pg if_match cas") else {
        return;
    };
    let (store, _dir) = fresh(cluster).await;
    let store = Arc::new(store);
    let id = ready_resume(store.as_ref(), "alice").await;
    // Ten edits all sent with If-Match 1: exactly one lands.
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .patch_document(
                        "alice",
                        id,
                        Some(1),
                        json!({"basics": {"label": format!("edit {i}")}}),
                    )
                    .await
            })
        })
        .collect();
    let (mut landed, mut stale) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(stored) => {
                assert_eq!(stored.record.revision, 2);
                landed += 1;
            }
            Err(StoreError::StaleRevision {
                expected: 1,
                current: 2,
            }) => stale += 1,
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!((landed, stale), (1, 9));
    // Without If-Match, concurrent edits all land, one revision each.
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .patch_document(
                        "alice",
                        id,
                        None,
                        json!({"basics": {"summary": format!("{i}")}}),
                    )
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let revisions = store.list_revisions("alice", id).await.unwrap();
    assert_eq!(
        revisions.iter().map(|r| r.revision).collect::<Vec<_>>(),
        (1..=10).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn every_revision_reads_back_from_deltas_and_restores_copy_forward() {
    let Some(cluster) = cluster_or_skip("pg revisions") else {
        return;
    };
    let (store, _dir) = fresh(cluster).await;
    let id = ready_resume(&store, "alice").await;
    let mut expected = vec![store.get_revision("alice", id, 1).await.unwrap().document];
    for i in 0..20u64 {
        let patch = match i % 3 {
            0 => json!({"basics": {"label": format!("label {i}")}}),
            1 => {
                json!({"work": (0..=(i % 4)).map(|j| json!({"name": format!("Co {j}")})).collect::<Vec<_>>()})
            }
            _ => json!({"work": null, "x-note": {"n": i}}),
        };
        let stored = store
            .patch_document("alice", id, None, patch)
            .await
            .unwrap();
        expected.push(stored.record.document);
    }
    let restored = store
        .restore_revision("alice", id, 3, Some(21))
        .await
        .unwrap();
    assert_eq!(restored.record.document, expected[2]);
    expected.push(restored.record.document);
    for (i, document) in expected.iter().enumerate() {
        let n = i as u64 + 1;
        assert_eq!(
            &store.get_revision("alice", id, n).await.unwrap().document,
            document,
            "revision {n}"
        );
    }
    let listed = store.list_revisions("alice", id).await.unwrap();
    assert_eq!(listed.len(), expected.len());
    assert_eq!(
        listed.last().unwrap().origin_or_default(),
        "restored revision 3"
    );
    assert!(matches!(
        store.get_revision("alice", id, 99).await,
        Err(StoreError::NotFound("revision"))
    ));
    assert!(matches!(
        store.restore_revision("alice", id, 1, Some(1)).await,
        Err(StoreError::StaleRevision { .. })
    ));
    assert!(matches!(
        store
            .patch_document("alice", id, None, json!({"work": "x"}))
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.patch_document("bob", id, None, json!({})).await,
        Err(StoreError::NotFound(_))
    ));
}

#[tokio::test]
async fn counters_match_a_recount_and_quotas_hold_under_concurrency() {
    let Some(cluster) = cluster_or_skip("pg usage") else {
        return;
    };
    let (store, _dir) = fresh(cluster).await;
    let store = Arc::new(store);
    let recount = |owner: &'static str| {
        let store = store.clone();
        async move {
            let client = store.client().await.unwrap();
            let counted = super::usage::recount(&**client, owner).await.unwrap();
            assert_eq!(store.usage(owner).await.unwrap(), counted);
            counted
        }
    };
    let first = ready_resume(store.as_ref(), "alice").await;
    store
        .patch_document("alice", first, None, json!({"basics": {"label": "x"}}))
        .await
        .unwrap();
    let share = day_share(store.as_ref(), "alice", first).await;
    store.revoke_share("alice", &share.token).await.unwrap();
    let (kept_job, new) = store.create_job(job("alice", "rust")).await.unwrap();
    assert!(new);
    let (same, new) = store.create_job(job("alice", "rust")).await.unwrap();
    assert!(!new);
    assert_eq!(same.id, kept_job.id);
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
    assert!(!tailored.is_master);
    let counted = recount("alice").await;
    assert_eq!(
        (
            counted.resumes,
            counted.revisions,
            counted.shares,
            counted.jobs
        ),
        (2, 1, 1, 1)
    );
    store.delete_resume("alice", first).await.unwrap();
    store
        .delete_resume("alice", tailored.record.id)
        .await
        .unwrap();
    let left = recount("alice").await;
    assert_eq!(
        (left.resumes, left.bytes, left.shares, left.jobs),
        (0, 0, 0, 1)
    );

    store.set_quotas(Quotas {
        resumes: 5,
        ..Quotas::default()
    });
    let uploads: Vec<_> = (0..30)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.create_resume(upload("bob")).await })
        })
        .collect();
    let mut stored = 0;
    for upload in uploads {
        match upload.await.unwrap() {
            Ok(_) => stored += 1,
            Err(StoreError::Quota(over)) => assert_eq!(over.setting, "quota_resumes"),
            Err(other) => panic!("{other}"),
        }
    }
    assert_eq!(stored, 5);
    assert_eq!(store.list_resumes("bob").await.unwrap().len(), 5);
}

#[tokio::test]
async fn share_views_count_once_per_client_and_are_stored_in_rows() {
    let Some(cluster) = cluster_or_skip("pg share views") else {
        return;
    };
    let (store, _dir) = fresh(cluster).await;
    let id = ready_resume(&store, "alice").await;
    let share = day_share(&store, "alice", id).await;
    let now = crate::store::now();
    for i in 0..3 {
        // Twice each: the second view of a client in the hour does not count.
        store
            .access_share(&share.token, client(i), now)
            .await
            .unwrap();
        let view = store
            .access_share(&share.token, client(i), now)
            .await
            .unwrap();
        assert_eq!(view.share.access_count, u64::from(i) + 1);
    }
    store.flush_views().await.unwrap();
    let listed = store.list_shares("alice", id).await.unwrap();
    assert_eq!(listed[0].access_count, 3);
    assert_eq!(
        listed[0].token, share.token,
        "the owner sees the token again"
    );
    let client_db = store.client().await.unwrap();
    assert_eq!(
        rows(&client_db, "share_view_totals").await,
        1,
        "one total row per share and instance, not per view"
    );
    assert_eq!(
        rows(&client_db, "share_view_days").await,
        1,
        "one history row per share, day, form and instance"
    );
    let sealed: String = client_db
        .query_one("SELECT record FROM shares", &[])
        .await
        .unwrap()
        .get(0);
    assert!(
        !sealed.contains(&share.token),
        "the token is never stored in clear"
    );
    let revoked = store.revoke_share("alice", &share.token).await.unwrap();
    assert!(revoked.revoked);
    assert_eq!(revoked.access_count, 3);
    assert!(matches!(
        store.access_share(&share.token, client(9), now).await,
        Err(StoreError::Gone(_))
    ));
    assert!(matches!(
        store.access_share("no-such-token", client(9), now).await,
        Err(StoreError::NotFound(_))
    ));
    let deleted = store.delete_resume("alice", id).await.unwrap();
    assert_eq!(deleted.share_tokens, vec![share.token.clone()]);
    for table in ["share_view_totals", "share_view_days"] {
        assert_eq!(
            rows(&client_db, table).await,
            0,
            "{table}: views go with their share"
        );
    }
}

#[tokio::test]
async fn a_newer_schema_stops_the_start_and_reopening_migrates_nothing() {
    let Some(cluster) = cluster_or_skip("pg schema version") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let url: super::DatabaseUrl = cluster.fresh_database().parse().unwrap();
    let store = PgStore::open(&url, dir.path()).await.unwrap();
    let id = ready_resume(&store, "alice").await;
    drop(store);
    let store = PgStore::open(&url, dir.path()).await.unwrap();
    assert!(store.get_resume("alice", id).await.unwrap().is_master);
    let client = store.client().await.unwrap();
    client
        .execute(
            "INSERT INTO vitae_schema (version, name) VALUES ($1, 'from the future')",
            &[&(super::migrate::latest() + 1)],
        )
        .await
        .unwrap();
    drop(client);
    drop(store);
    let err = PgStore::open(&url, dir.path()).await.unwrap_err();
    assert!(err.to_string().contains("newer vitae-server"), "{err}");
    // The database holds shares: a data dir without the key is refused.
    let other = tempfile::tempdir().unwrap();
    let url2: super::DatabaseUrl = cluster.fresh_database().parse().unwrap();
    let store = PgStore::open(&url2, dir.path()).await.unwrap();
    let id = ready_resume(&store, "alice").await;
    day_share(&store, "alice", id).await;
    drop(store);
    let err = PgStore::open(&url2, other.path()).await.unwrap_err();
    assert!(err.to_string().contains("share.key"), "{err}");
}

#[tokio::test]
async fn start_up_errors_say_what_is_wrong() {
    let Some(cluster) = cluster_or_skip("pg start-up errors") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let port = cluster.port();
    let missing: super::DatabaseUrl = format!("postgres://vitae@127.0.0.1:{port}/no_such_db")
        .parse()
        .unwrap();
    let err = PgStore::open(&missing, dir.path()).await.unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");
    let stranger: super::DatabaseUrl = format!("postgres://stranger:pw@127.0.0.1:{port}/postgres")
        .parse()
        .unwrap();
    let err = PgStore::open(&stranger, dir.path()).await.unwrap_err();
    assert!(err.to_string().contains("credentials"), "{err}");
    assert!(!err.to_string().contains("pw@"), "no password in {err}");
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    let refused: super::DatabaseUrl = format!("postgres://vitae@127.0.0.1:{closed_port}/x")
        .parse()
        .unwrap();
    let err = PgStore::open(&refused, dir.path()).await.unwrap_err();
    assert!(err.to_string().contains("connection refused"), "{err}");
    let unknown: super::DatabaseUrl = "postgres://vitae@no-such-host.invalid:5432/x"
        .parse()
        .unwrap();
    let err = PgStore::open(&unknown, dir.path()).await.unwrap_err();
    assert!(err.to_string().contains("cannot reach"), "{err}");
}
