//! The parse queue in PostgreSQL ([`super::queue`]) against a real
//! throw-away cluster, with two stores on one database standing for two
//! server instances: concurrent claimers never share a job, an expired
//! lease is taken over and the stale claim stores nothing (fencing), a job
//! claimed too often is failed, the bounds hold for the whole cluster, a
//! claim given back waits again, and an upload on one instance wakes the
//! other's workers.
//!
//! Without PostgreSQL installed these tests say they skipped, unless
//! `VITAE_REQUIRE_POSTGRES=1`, where they fail.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use vitae_common::Status;
use vitae_tests::postgres::{cluster_or_skip, Cluster};

use super::PgStore;
use crate::store::queue::{interrupted_reason, EnqueueError, Finished, QueueFull, QueueLimits};
use crate::store::records::ParseOutcome;
use crate::store::redb::testing::{ready, upload};
use crate::store::Store;

/// Bounds that never refuse.
const ROOMY: QueueLimits = QueueLimits {
    capacity: 1_000_000,
    per_owner: 1_000_000,
};

/// Two stores ("instances") on one new database, sharing one data dir
/// (the share-link key).
async fn two_instances(cluster: &Cluster) -> (Arc<PgStore>, Arc<PgStore>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url: super::DatabaseUrl = cluster.fresh_database().parse().unwrap();
    let a = PgStore::open(&url, dir.path()).await.unwrap();
    let b = PgStore::open(&url, dir.path()).await.unwrap();
    (Arc::new(a), Arc::new(b), dir)
}

/// Jobs in the table.
async fn jobs(store: &PgStore) -> i64 {
    let client = store.client().await.unwrap();
    client
        .query_one("SELECT count(*) FROM parse_jobs", &[])
        .await
        .unwrap()
        .get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claimers_on_two_instances_never_get_the_same_job() {
    let Some(cluster) = cluster_or_skip("pg queue concurrent claims") else {
        return;
    };
    let (a, b, _dir) = two_instances(cluster).await;
    let mut uploaded = HashSet::new();
    for i in 0..40 {
        let store = if i % 2 == 0 { &a } else { &b };
        let queue = store.shared_queue().unwrap();
        let owner = format!("owner{}", i % 4);
        let stored = queue.create_queued(upload(&owner), ROOMY).await.unwrap();
        uploaded.insert(stored.record.id);
    }
    // Eight claimers, four per instance, each claiming until none is left.
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = if i % 2 == 0 { &a } else { &b };
            let queue = store.shared_queue().unwrap();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                while let Some(claim) = queue.claim(Duration::from_secs(60)).await.unwrap() {
                    assert_eq!(claim.attempts, 1, "a fresh job's first claim");
                    mine.push(claim.resume_id);
                }
                mine
            })
        })
        .collect();
    let mut claimed = Vec::new();
    for task in tasks {
        claimed.extend(task.await.unwrap());
    }
    let distinct: HashSet<_> = claimed.iter().copied().collect();
    assert_eq!(claimed.len(), 40, "every job claimed once: {claimed:?}");
    assert_eq!(distinct, uploaded);
    // Claimed jobs under live leases are not waiting, and nobody gets one.
    assert_eq!(a.shared_queue().unwrap().waiting().await.unwrap(), 0);
    assert!(b
        .shared_queue()
        .unwrap()
        .claim(Duration::from_secs(60))
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn an_expired_lease_is_taken_over_and_the_stale_claim_stores_nothing() {
    let Some(cluster) = cluster_or_skip("pg queue lease takeover") else {
        return;
    };
    let (a, b, _dir) = two_instances(cluster).await;
    let (qa, qb) = (a.shared_queue().unwrap(), b.shared_queue().unwrap());
    let id = qa
        .create_queued(upload("alice"), ROOMY)
        .await
        .unwrap()
        .record
        .id;
    let stale = qa.claim(Duration::from_millis(300)).await.unwrap().unwrap();
    assert_eq!(stale.resume_id, id);
    a.mark_parsing(id).await.unwrap();
    // While the lease holds, B finds nothing; once it ran out, B takes it.
    assert!(qb.claim(Duration::from_secs(60)).await.unwrap().is_none());
    let fresh = loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if let Some(claim) = qb.claim(Duration::from_secs(60)).await.unwrap() {
            break claim;
        }
    };
    assert_eq!(fresh.resume_id, id);
    assert_eq!(fresh.attempts, 2);
    // The taken-over resume is `parsing` already; B starts it again.
    assert_eq!(
        b.mark_parsing(id).await.unwrap().record.status,
        Status::Parsing
    );
    // A's claim is fenced off: no renewal, and its result is not stored.
    assert!(!qa.renew(&stale, Duration::from_secs(60)).await.unwrap());
    assert!(matches!(
        qa.finish(&stale, ready("Stale")).await.unwrap(),
        Finished::Lost
    ));
    let now = a.get_resume("alice", id).await.unwrap();
    assert_eq!(now.record.status, Status::Parsing);
    assert!(
        now.record.document.is_none(),
        "the stale parse stored nothing"
    );
    // Nor may it give back or drop B's job.
    qa.release(&stale).await.unwrap();
    qa.abandon(&stale).await.unwrap();
    assert!(qb.renew(&fresh, Duration::from_secs(60)).await.unwrap());
    let Finished::Stored(stored) = qb.finish(&fresh, ready("Fresh")).await.unwrap() else {
        panic!("the live claim's outcome must be stored");
    };
    assert_eq!(stored.record.status, Status::Ready);
    let doc = a
        .get_resume("alice", id)
        .await
        .unwrap()
        .record
        .document
        .unwrap();
    assert_eq!(doc.basics.unwrap().name.as_deref(), Some("Fresh"));
    assert_eq!(jobs(&a).await, 0, "the job ended with the outcome");
}

#[tokio::test]
async fn a_job_interrupted_three_times_is_failed_by_its_next_claimer() {
    let Some(cluster) = cluster_or_skip("pg queue attempts cap") else {
        return;
    };
    let (a, b, _dir) = two_instances(cluster).await;
    let (qa, qb) = (a.shared_queue().unwrap(), b.shared_queue().unwrap());
    let id = qa
        .create_queued(upload("alice"), ROOMY)
        .await
        .unwrap()
        .record
        .id;
    // Three claims, each lost with its "instance" (the lease runs out).
    let mut attempt = 0;
    while attempt < 3 {
        let queue = if attempt % 2 == 0 { &qa } else { &qb };
        if let Some(claim) = queue.claim(Duration::from_millis(50)).await.unwrap() {
            attempt += 1;
            assert_eq!(claim.attempts, attempt);
            assert!(!claim.exhausted());
        }
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    let last = loop {
        if let Some(claim) = qa.claim(Duration::from_secs(60)).await.unwrap() {
            break claim;
        }
        tokio::time::sleep(Duration::from_millis(60)).await;
    };
    assert!(last.exhausted(), "the fourth claim fails the job");
    let outcome = ParseOutcome::Failed {
        reason: interrupted_reason(),
    };
    let Finished::Stored(stored) = qa.finish(&last, outcome).await.unwrap() else {
        panic!("the live claim's outcome must be stored");
    };
    assert_eq!(stored.record.status, Status::Failed);
    let reason = b
        .get_resume("alice", id)
        .await
        .unwrap()
        .record
        .reason
        .unwrap();
    assert!(reason.contains("interrupted 3 times"), "{reason}");
    assert_eq!(jobs(&a).await, 0);
}

#[tokio::test]
async fn the_bounds_hold_for_the_whole_cluster_and_refuse_the_right_upload() {
    let Some(cluster) = cluster_or_skip("pg queue bounds") else {
        return;
    };
    let (a, b, _dir) = two_instances(cluster).await;
    let (qa, qb) = (a.shared_queue().unwrap(), b.shared_queue().unwrap());
    let limits = QueueLimits {
        capacity: 3,
        per_owner: 2,
    };
    qa.create_queued(upload("alice"), limits).await.unwrap();
    qb.create_queued(upload("alice"), limits).await.unwrap();
    // Alice's third, on either instance: her own bound.
    let refused = qb.create_queued(upload("alice"), limits).await.unwrap_err();
    assert!(
        matches!(refused, EnqueueError::Full(QueueFull::Owner(2))),
        "{refused:?}"
    );
    qb.create_queued(upload("bob"), limits).await.unwrap();
    // The cluster holds three: anybody's next is refused, on either one.
    for queue in [&qa, &qb] {
        let refused = queue
            .create_queued(upload("carol"), limits)
            .await
            .unwrap_err();
        assert!(
            matches!(refused, EnqueueError::Full(QueueFull::Server(3))),
            "{refused:?}"
        );
    }
    // Nothing refused was stored.
    assert_eq!(a.usage("alice").await.unwrap().resumes, 2);
    assert_eq!(a.usage("carol").await.unwrap().resumes, 0);
    assert_eq!(jobs(&a).await, 3);
    // A job being parsed no longer waits: its place is free.
    let claim = qa.claim(Duration::from_secs(60)).await.unwrap().unwrap();
    assert_eq!(qb.waiting().await.unwrap(), 2);
    qb.create_queued(upload("carol"), limits).await.unwrap();
    // A claim given back waits again and does not count as an attempt.
    qa.release(&claim).await.unwrap();
    assert_eq!(qa.waiting().await.unwrap(), 4);
    let again = loop {
        let next = qb.claim(Duration::from_secs(60)).await.unwrap().unwrap();
        if next.resume_id == claim.resume_id {
            break next;
        }
    };
    assert_eq!(again.attempts, 1);
}

#[tokio::test]
async fn every_unfinished_resume_has_a_job_and_an_outcome_ends_it() {
    let Some(cluster) = cluster_or_skip("pg queue jobs follow resumes") else {
        return;
    };
    let (a, _b, _dir) = two_instances(cluster).await;
    let queue = a.shared_queue().unwrap();
    // The plain upload of the store queues too, and the outcome ends it.
    let id = a.create_resume(upload("alice")).await.unwrap().record.id;
    assert_eq!(jobs(&a).await, 1);
    a.mark_parsing(id).await.unwrap();
    a.finish_parse(id, ready("Jane")).await.unwrap();
    assert_eq!(jobs(&a).await, 0);
    // Deleting a queued resume drops its job.
    let id = a.create_resume(upload("alice")).await.unwrap().record.id;
    a.delete_resume("alice", id).await.unwrap();
    assert_eq!(jobs(&a).await, 0);
    // A pending resume without a job (copied in by other means) is adopted.
    let id = a.create_resume(upload("alice")).await.unwrap().record.id;
    a.client()
        .await
        .unwrap()
        .execute("DELETE FROM parse_jobs", &[])
        .await
        .unwrap();
    assert_eq!(queue.adopt_unqueued().await.unwrap(), 1);
    assert_eq!(queue.adopt_unqueued().await.unwrap(), 0);
    let claim = queue.claim(Duration::from_secs(60)).await.unwrap().unwrap();
    assert_eq!(claim.resume_id, id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_on_one_instance_wakes_the_workers_of_another() {
    let Some(cluster) = cluster_or_skip("pg queue wake-ups") else {
        return;
    };
    let (a, b, _dir) = two_instances(cluster).await;
    let wake = a.shared_queue().unwrap().wake_ups();
    let qb = b.shared_queue().unwrap();
    // The listener connects in the background: until it listens, an upload
    // wakes nobody, so try a few times; one must get through.
    let mut woken = false;
    for _ in 0..20 {
        let notified = wake.notified();
        qb.create_queued(upload("alice"), ROOMY).await.unwrap();
        if tokio::time::timeout(Duration::from_secs(1), notified)
            .await
            .is_ok()
        {
            woken = true;
            break;
        }
    }
    assert!(woken, "no wake-up reached the other instance");
}

/// The read caches' generation ([`super::changes`]): steady while nothing
/// is written, advanced on an instance by a write committed on another.
#[tokio::test]
async fn a_write_on_one_instance_advances_the_cache_generation_of_another() {
    let Some(cluster) = cluster_or_skip("pg change feed") else {
        return;
    };
    let (a, b, _dir) = two_instances(cluster).await;
    let started = std::time::Instant::now();
    while !(a.changes.is_listening() && b.changes.is_listening()) {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "the change feeds never started listening"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let before = a.generation();
    assert_eq!(before, a.generation(), "steady while nothing is written");
    b.create_token("someone", false).await.unwrap();
    let started = std::time::Instant::now();
    while a.generation() == before {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "instance a never heard of instance b's write"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    // And the writer itself knows at once, before any notification.
    let mine = b.generation();
    b.create_token("someone-else", false).await.unwrap();
    assert_ne!(mine, b.generation());
}
