//! The writer thread: group commit, durability, and the batched share views.
//!
//! Every write is a closure sent over a channel to the `redb-writer` thread.
//! The thread takes every write waiting in the queue (up to [`MAX_BATCH`]),
//! runs them in one write transaction and commits once: under load many
//! writes share one fsync, and each caller is answered only after the commit
//! that holds its write is durable (redb's default `Immediate` durability
//! fsyncs before `commit` returns). Each operation checks its preconditions
//! before it writes, so one that answers an error has written nothing and
//! cannot spoil the others in its batch; one that panics rolls the whole
//! batch back. A commit that fails on the disk has the database reopened
//! ([`super::reopen`]). Pending share-link views ([`crate::store::views`])
//! are stored by this thread too, at most [`FLUSH_DELAY`] after the first.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc as std_mpsc;
use std::sync::Arc;
use std::time::Instant;

use redb::WriteTransaction;

use super::disk::{commit_failure, Room};
use super::reopen::DbCell;
use super::shares;
use crate::store::views::{ViewCounter, FLUSH_DELAY};
use crate::store::StoreError;

/// Most writes folded into one commit.
const MAX_BATCH: usize = 512;

pub(super) type Completion = Box<dyn FnOnce(Result<(), StoreError>) + Send>;
pub(super) type Job = Box<dyn FnOnce(&WriteTransaction) -> Completion + Send>;

/// What the writer thread is asked to do.
pub(super) enum Work {
    Write(Job),
    /// Views are pending (the first since the last flush): store them soon.
    Views,
}

/// The writer thread: group commits, and the batched share views.
struct Writer {
    db: Arc<DbCell>,
    room: Arc<Room>,
    views: Arc<ViewCounter>,
    /// Bumped after each commit ([`crate::store::Store::generation`]).
    generation: Arc<AtomicU64>,
}

/// Start the writer thread. It runs until every sender of the returned
/// channel is dropped, then stores the views still pending and ends.
pub(super) fn spawn(
    db: Arc<DbCell>,
    room: Arc<Room>,
    views: Arc<ViewCounter>,
    generation: Arc<AtomicU64>,
) -> Result<(std_mpsc::Sender<Work>, std::thread::JoinHandle<()>), StoreError> {
    let (sender, work) = std_mpsc::channel::<Work>();
    let writer = Writer {
        db,
        room,
        views,
        generation,
    };
    let thread = std::thread::Builder::new()
        .name("redb-writer".into())
        .spawn(move || writer.run(work))
        .map_err(|e| StoreError::Backend(format!("cannot start the writer thread: {e}")))?;
    Ok((sender, thread))
}

impl Writer {
    fn run(&self, work: std_mpsc::Receiver<Work>) {
        // When pending views are due to be stored; `None` while none are pending.
        let mut views_due: Option<Instant> = None;
        loop {
            let next = match views_due {
                None => work
                    .recv()
                    .map_err(|_| std_mpsc::RecvTimeoutError::Disconnected),
                Some(due) => work.recv_timeout(due.saturating_duration_since(Instant::now())),
            };
            let first = match next {
                Ok(Work::Write(job)) => job,
                Ok(Work::Views) => {
                    views_due.get_or_insert_with(|| Instant::now() + FLUSH_DELAY);
                    continue;
                }
                Err(std_mpsc::RecvTimeoutError::Timeout) => {
                    views_due = self.flush_views();
                    continue;
                }
                Err(std_mpsc::RecvTimeoutError::Disconnected) => break,
            };
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match work.try_recv() {
                    Ok(Work::Write(job)) => batch.push(job),
                    Ok(Work::Views) => {
                        views_due.get_or_insert_with(|| Instant::now() + FLUSH_DELAY);
                    }
                    Err(_) => break,
                }
            }
            self.commit_batch(batch);
            if views_due.is_some_and(|due| due <= Instant::now()) {
                views_due = self.flush_views();
            }
        }
        // Closing: whatever views are still pending are stored now.
        if !self.views.is_empty() {
            self.flush_views();
        }
    }

    /// Called after every commit, before anyone is answered.
    fn committed(&self) {
        self.generation.fetch_add(1, Ordering::Release);
    }

    /// Store the pending share views in one transaction. Answers when to try
    /// again: never when it worked, after another delay when it did not.
    fn flush_views(&self) -> Option<Instant> {
        if let Err(error) = self.room.check() {
            // Counts wait in memory until there is room again.
            tracing::warn!(%error, "share views not stored yet");
            return Some(Instant::now() + FLUSH_DELAY);
        }
        let stored = self.views.flush(|pending| {
            let txn = self.db.get()?.begin_write()?;
            shares::store_views(&txn, pending)?;
            txn.commit()?;
            self.committed();
            Ok::<_, StoreError>(())
        });
        match stored {
            Ok(_) => None,
            Err(error) => {
                tracing::error!(%error, "share views not stored; retrying");
                Some(Instant::now() + FLUSH_DELAY)
            }
        }
    }

    /// Run a batch of writes in one transaction and commit once; answer each.
    fn commit_batch(&self, batch: Vec<Job>) {
        let begun = self
            .db
            .get()
            .and_then(|db| db.begin_write().map_err(StoreError::from));
        let txn = match begun {
            Ok(txn) => txn,
            Err(e) => {
                tracing::error!(error = %e, "cannot begin a write transaction");
                // The jobs are dropped unanswered: their callers get an error.
                if self.db.is_latched() {
                    self.db.reopen();
                }
                return;
            }
        };
        let mut completions = Vec::with_capacity(batch.len());
        let mut panicked = false;
        for job in batch {
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&txn))) {
                Ok(completion) => completions.push(completion),
                Err(_) => {
                    tracing::error!("a store operation panicked; rolling back its batch");
                    panicked = true;
                }
            }
        }
        let committed = if panicked {
            drop(txn);
            Err(StoreError::Backend(
                "the batch was rolled back after a bug in another write".into(),
            ))
        } else {
            txn.commit().map_err(|e| commit_failure(&e))
        };
        match &committed {
            Ok(()) => self.committed(),
            Err(e) => tracing::error!(error = %e, "write batch not committed"),
        }
        // A commit that failed on the disk leaves redb failing every later
        // transaction: reopen it now, so that reads go on and later writes
        // work once the disk has room again. Nothing of the batch was
        // committed (redb's commit is atomic), so every caller hears so.
        if committed.is_err() && self.db.is_latched() {
            self.db.reopen();
        }
        for completion in completions {
            completion(committed.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    //! Many writers at once, and the generation that tracks commits.
    use std::sync::Arc;

    use uuid::Uuid;

    use super::super::testing::{ready_resume, upload};
    use super::super::RedbStore;
    use crate::store::Store;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn many_writers_are_all_durable_and_distinct() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(RedbStore::open(dir.path()).unwrap());
        let tasks: Vec<_> = (0..400)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    store
                        .create_resume(upload(&format!("u{}", i % 4)))
                        .await
                        .unwrap()
                        .record
                        .id
                })
            })
            .collect();
        let mut ids = std::collections::HashSet::new();
        for task in tasks {
            ids.insert(task.await.unwrap());
        }
        assert_eq!(ids.len(), 400);
        drop(store);
        let store = RedbStore::open(dir.path()).unwrap();
        let mut total = 0;
        for owner in ["u0", "u1", "u2", "u3"] {
            let listed = store.list_resumes(owner).await.unwrap();
            assert_eq!(listed.len(), 100);
            assert!(listed.iter().all(|r| r.record.owner == owner));
            total += listed.len();
        }
        assert_eq!(total, 400);
        assert_eq!(store.unfinished_resumes().await.unwrap().len(), 400);
    }

    #[tokio::test]
    async fn the_generation_moves_with_every_commit_and_only_then() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let id = ready_resume(&store, "alice").await;
        let before = store.generation();
        store.get_resume("alice", id).await.unwrap();
        store.list_resumes("alice").await.unwrap();
        assert_eq!(store.generation(), before, "reads write nothing");
        store.set_master("alice", id).await.unwrap();
        let after = store.generation();
        assert!(after > before);
        // A refused write commits nothing of its own... but shares a batch
        // commit at most; it must never make the generation go back.
        let _ = store.set_master("alice", Uuid::new_v4()).await;
        assert!(store.generation() >= after);
    }
}
