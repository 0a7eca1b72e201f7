//! The redb backend of [`Store`]: one file, `vitae.redb`, in the data dir.
//!
//! Writes go to one dedicated writer thread over a channel. The thread takes
//! every write waiting in the queue, runs them in one write transaction and
//! commits once (group commit): under load many writes share one fsync, and
//! each caller is answered only after the commit that holds its write is
//! durable. Each operation checks its preconditions before it writes, so an
//! operation that answers an error has written nothing and cannot spoil the
//! others in its batch. Reads run in their own MVCC read transactions and
//! never wait for the writer: point lookups (a token, a resume, a share) on
//! the calling task, since a cached B-tree lookup costs less than a hop to the
//! blocking pool; listings and anything else that may be large on the
//! blocking pool. Share-link views are counted in memory and written by the
//! same writer thread in batches ([`super::views`]).
//!
//! Tables (keys are UUID strings, values JSON records with a schema version):
//! `resumes` id → record; `owner_resumes` (owner, id) → (); `originals` id →
//! bytes; `texts` id → extracted text; `revisions` (id, rev) → old document;
//! `masters` owner → id; `shares` token → record; `resume_shares` (id,
//! token) → (); `tokens` sha256(token) → principal; `jobs` id → record;
//! `owner_jobs` (owner, id) → (); `job_hashes` (owner, content hash) → id;
//! `meta` key → u64.

use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc as std_mpsc;
use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use redb::{
    Database, ReadTransaction, ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction,
};
use tokio::sync::oneshot;
use uuid::Uuid;
use vitae_common::{Resume, Status};

use super::records::{
    migrate_resume, JobRecord, ParseOutcome, Principal, RawDocument, ResumeRecord, RevisionRecord,
    ShareRecord, StoredResume, JOB_SCHEMA, RESUME_SCHEMA, SHARE_SCHEMA, TOKEN_SCHEMA,
};
use super::views::{ViewCounter, FLUSH_DELAY};
use super::{DeletedResume, NewJob, NewResume, NewTailored, SharedView, Store, StoreError};
use crate::read_cache::ReadCache;

const RESUMES: TableDefinition<&str, &[u8]> = TableDefinition::new("resumes");
const OWNER_RESUMES: TableDefinition<(&str, &str), ()> = TableDefinition::new("owner_resumes");
const ORIGINALS: TableDefinition<&str, &[u8]> = TableDefinition::new("originals");
const TEXTS: TableDefinition<&str, &str> = TableDefinition::new("texts");
const REVISIONS: TableDefinition<(&str, u64), &[u8]> = TableDefinition::new("revisions");
const MASTERS: TableDefinition<&str, &str> = TableDefinition::new("masters");
const SHARES: TableDefinition<&str, &[u8]> = TableDefinition::new("shares");
const RESUME_SHARES: TableDefinition<(&str, &str), ()> = TableDefinition::new("resume_shares");
const TOKENS: TableDefinition<&str, &[u8]> = TableDefinition::new("tokens");
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
const JOBS: TableDefinition<&str, &[u8]> = TableDefinition::new("jobs");
const OWNER_JOBS: TableDefinition<(&str, &str), ()> = TableDefinition::new("owner_jobs");
const JOB_HASHES: TableDefinition<(&str, &str), &str> = TableDefinition::new("job_hashes");

/// Most writes folded into one commit.
const MAX_BATCH: usize = 512;

type Completion = Box<dyn FnOnce(Result<(), StoreError>) + Send>;
type Job = Box<dyn FnOnce(&WriteTransaction) -> Completion + Send>;

/// What the writer thread is asked to do.
enum Work {
    Write(Job),
    /// Views are pending (the first since the last flush): store them soon.
    Views,
}

pub struct RedbStore {
    db: Arc<DbCell>,
    /// The data dir and the free space its disk must keep ([`disk_room`]).
    room: Arc<Room>,
    /// `None` only while dropping.
    writer: Option<std_mpsc::Sender<Work>>,
    writer_thread: Option<std::thread::JoinHandle<()>>,
    views: Arc<ViewCounter>,
    /// Bumped by the writer thread after each commit ([`Store::generation`]).
    generation: Arc<AtomicU64>,
    /// Principals by token hash: every request authenticates.
    principals: ReadCache<String, Principal>,
    /// Share links and their resumes by token, for `/s/{token}`.
    shared: ReadCache<String, (ShareRecord, Arc<ResumeRecord<RawDocument>>)>,
}

impl Drop for RedbStore {
    /// Close the channel and wait for the writer to finish its last batch,
    /// so the file is closed (and its lock released) when `drop` returns.
    fn drop(&mut self) {
        self.writer.take();
        if let Some(thread) = self.writer_thread.take() {
            let _ = thread.join();
        }
    }
}

impl From<redb::Error> for StoreError {
    fn from(e: redb::Error) -> Self {
        StoreError::Backend(e.to_string())
    }
}

macro_rules! backend_from {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self { StoreError::Backend(e.to_string()) }
        }
    )*};
}
backend_from!(
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    serde_json::Error
);

impl RedbStore {
    /// Open (or create) `DIR/vitae.redb`, create the tables, migrate old
    /// records, and start the writer thread.
    pub fn open(data_dir: &Path) -> Result<RedbStore, StoreError> {
        // Everything in the data dir is private to the server's user: the
        // store holds every resume and original upload.
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(data_dir)
            .map_err(|e| {
                StoreError::Backend(format!("cannot create {}: {e}", data_dir.display()))
            })?;
        let path = data_dir.join("vitae.redb");
        refuse_foreign_file(&path)?;
        make_private(&path)?;
        let unusable = |detail: &dyn std::fmt::Display| {
            StoreError::Unusable(format!(
                "{} is damaged ({detail}); the server will not start on it and has not changed it. \
                 Restore it from a backup (docs/operations.md, \"Backups and restore\"), or move it \
                 away to start with an empty store",
                path.display()
            ))
        };
        // redb checks its pages as it reads them, and some damage makes it
        // panic rather than answer an error: either way, the file is damaged.
        let opened = std::panic::catch_unwind(|| {
            let db = Database::create(&path).map_err(|e| match e {
                redb::DatabaseError::DatabaseAlreadyOpen => {
                    StoreError::Locked(path.display().to_string())
                }
                redb::DatabaseError::Storage(redb::StorageError::Corrupted(detail)) => {
                    unusable(&detail)
                }
                other => StoreError::Backend(format!("cannot open {}: {other}", path.display())),
            })?;
            init_and_migrate(&db).map_err(|e| match e {
                StoreError::Backend(detail) if detail.contains("corrupt") => unusable(&detail),
                other => other,
            })?;
            Ok::<_, StoreError>(db)
        });
        let db = match opened {
            Ok(db) => Arc::new(DbCell::new(path.clone(), db?)),
            Err(panic) => {
                let detail = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "the storage engine stopped on it".into());
                return Err(unusable(&detail));
            }
        };
        let room = Arc::new(Room::new(data_dir)?);
        let (sender, jobs) = std_mpsc::channel::<Work>();
        let views = Arc::new(ViewCounter::default());
        let generation = Arc::new(AtomicU64::new(0));
        let writer = Writer {
            db: db.clone(),
            room: room.clone(),
            views: views.clone(),
            generation: generation.clone(),
        };
        let writer_thread = std::thread::Builder::new()
            .name("redb-writer".into())
            .spawn(move || writer.run(jobs))
            .map_err(|e| StoreError::Backend(format!("cannot start the writer thread: {e}")))?;
        Ok(RedbStore {
            db,
            room,
            writer: Some(sender),
            writer_thread: Some(writer_thread),
            views,
            generation,
            principals: ReadCache::new(1024),
            shared: ReadCache::new(4096),
        })
    }

    /// Keep at least `bytes` free on the data dir's disk: a write that finds
    /// less is refused ([`StoreError::Full`]) before it touches the file.
    pub fn set_min_free_bytes(&self, bytes: u64) {
        self.room.min_free_bytes.store(bytes, Ordering::Relaxed);
    }

    /// Run `op` inside the next group commit; answer once it is durable.
    ///
    /// A full or read-only disk refuses the write here, before it is queued:
    /// redb treats a failed write to its file as fatal for the open database
    /// (every later read fails too, until it is reopened), so the store
    /// never lets a write get that far when it can tell it would fail.
    async fn write<T, F>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&WriteTransaction) -> Result<T, StoreError> + Send + 'static,
    {
        self.room.check()?;
        let (reply, answer) = oneshot::channel::<Result<T, StoreError>>();
        let job: Job = Box::new(move |txn| {
            let result = op(txn);
            Box::new(move |committed| {
                let _ = reply.send(committed.and(result));
            })
        });
        self.writer
            .as_ref()
            .ok_or_else(|| StoreError::Backend("the store is closing".into()))?
            .send(Work::Write(job))
            .map_err(|_| StoreError::Backend("the store's writer has stopped".into()))?;
        answer.await.map_err(|_| {
            StoreError::Failing(
                "the write was not committed: the store could not start a transaction".into(),
            )
        })?
    }

    /// Run the point lookup `op` in a read transaction on the calling task.
    fn lookup<T>(
        &self,
        op: impl FnOnce(&ReadTransaction) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let txn = self.db.get()?.begin_read()?;
        op(&txn)
    }

    /// [`Self::read`] for reads that add pending views to share counts: no
    /// flush of views may commit between its transaction and its look at the
    /// pending counts.
    async fn read_shares<T, F>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&ReadTransaction) -> Result<T, StoreError> + Send + 'static,
    {
        let db = self.db.clone();
        let views = self.views.clone();
        tokio::task::spawn_blocking(move || {
            let _no_flush = views.read_guard();
            let txn = db.get()?.begin_read()?;
            op(&txn)
        })
        .await
        .map_err(|e| StoreError::Backend(format!("read task failed: {e}")))?
    }

    /// Run `op` in a read transaction on the blocking pool.
    async fn read<T, F>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&ReadTransaction) -> Result<T, StoreError> + Send + 'static,
    {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let txn = db.get()?.begin_read()?;
            op(&txn)
        })
        .await
        .map_err(|e| StoreError::Backend(format!("read task failed: {e}")))?
    }
}

/// The open database, which the writer thread replaces after an I/O error.
///
/// redb treats a failed write to its file (no space, a read-only or failing
/// disk) as fatal for the open `Database`: every later transaction, reads
/// included, fails until it is closed and opened again, which also recovers
/// the last commit. [`Room::check`] keeps that from happening in the usual
/// cases; this is for the rest (a race with a filling disk, an I/O error).
/// Reopening needs the old handle closed first (redb locks the file), so
/// readers see the store as unavailable (`503`) for that moment.
struct DbCell {
    path: std::path::PathBuf,
    current: std::sync::RwLock<Option<Arc<Database>>>,
}

impl DbCell {
    fn new(path: std::path::PathBuf, db: Database) -> DbCell {
        DbCell {
            path,
            current: std::sync::RwLock::new(Some(Arc::new(db))),
        }
    }

    fn get(&self) -> Result<Arc<Database>, StoreError> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(|| {
                StoreError::Failing(
                    "the store is being reopened after a disk error; try again shortly".into(),
                )
            })
    }

    /// Close the database and open it again (redb recovers the last commit).
    /// Answers whether an open database is in place afterwards.
    fn reopen(&self) -> bool {
        let old = self
            .current
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(old) = old {
            // Readers hold the handle for one transaction at most.
            let deadline = Instant::now() + std::time::Duration::from_secs(10);
            while Arc::strong_count(&old) > 1 && Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            if Arc::strong_count(&old) > 1 {
                tracing::error!("cannot reopen the store: a reader still holds it");
                *self.current.write().unwrap_or_else(|p| p.into_inner()) = Some(old);
                return false;
            }
            drop(old);
        }
        match Database::create(&self.path) {
            Ok(db) => {
                tracing::warn!(path = %self.path.display(), "reopened the store after an I/O error");
                *self.current.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(db));
                true
            }
            Err(error) => {
                tracing::error!(%error, path = %self.path.display(), "cannot reopen the store yet");
                false
            }
        }
    }

    /// Is the database failing every transaction since an I/O error?
    fn is_latched(&self) -> bool {
        match self.get() {
            Ok(db) => matches!(
                db.begin_write().map(|txn| txn.abort()),
                Err(redb::TransactionError::Storage(
                    redb::StorageError::PreviousIo
                ))
            ),
            Err(_) => true,
        }
    }
}

/// What a failed commit means for the caller: a full or read-only disk
/// (`507`/`503`, nothing written), or a failing store (`503`).
fn commit_failure(error: &redb::CommitError) -> StoreError {
    let io = match error {
        redb::CommitError::Storage(redb::StorageError::Io(io)) => Some(io),
        _ => None,
    };
    match io.and_then(std::io::Error::raw_os_error) {
        Some(libc::ENOSPC) | Some(libc::EDQUOT) => {
            StoreError::Full("the disk of the data dir ran out of space during the write".into())
        }
        Some(libc::EROFS) => {
            StoreError::ReadOnly("the data dir's file system stopped taking writes".into())
        }
        _ => StoreError::Failing(format!("the store could not write: {error}")),
    }
}

/// Where the data lives and how much room its disk must keep.
struct Room {
    dir: std::path::PathBuf,
    min_free_bytes: AtomicU64,
    /// `DIR/.write-probe`: one byte rewritten before each write.
    probe: std::fs::File,
}

/// The probe file's name in the data dir.
const WRITE_PROBE: &str = ".write-probe";

impl Room {
    fn new(dir: &Path) -> Result<Room, StoreError> {
        let path = dir.join(WRITE_PROBE);
        let probe = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| StoreError::Backend(format!("cannot write {}: {e}", path.display())))?;
        Ok(Room {
            dir: dir.to_path_buf(),
            min_free_bytes: AtomicU64::new(0),
            probe,
        })
    }

    /// Refuse a write when the data dir's file system is read-only or has
    /// less than the reserve free (for the caller: `507`/`503`).
    ///
    /// Read-only is found two ways: the mount flag, and a one-byte write to
    /// the probe file (no fsync, so it costs a page-cache write). The second
    /// catches a file system that stopped taking writes after an error
    /// while still mounted read-write (ext4's `errors=remount-ro` on recent
    /// kernels), which the mount flag does not show.
    fn check(&self) -> Result<(), StoreError> {
        use std::os::unix::fs::FileExt;
        let read_only = || {
            StoreError::ReadOnly(format!(
                "the file system of the data dir {} does not take writes (read-only)",
                self.dir.display()
            ))
        };
        if let Err(e) = self.probe.write_at(b"v", 0) {
            return Err(match e.raw_os_error() {
                Some(libc::EROFS) | Some(libc::EPERM) | Some(libc::EACCES) => read_only(),
                Some(libc::ENOSPC) | Some(libc::EDQUOT) => StoreError::Full(format!(
                    "the disk of the data dir {} has no space left",
                    self.dir.display()
                )),
                _ => StoreError::ReadOnly(format!(
                    "writing to the data dir {} fails: {e}",
                    self.dir.display()
                )),
            });
        }
        let Some(disk) = disk_state(&self.dir) else {
            // Unknown (statvfs failed): let the write try.
            return Ok(());
        };
        if disk.read_only {
            return Err(read_only());
        }
        let reserve = self.min_free_bytes.load(Ordering::Relaxed);
        if disk.free_bytes < reserve {
            return Err(StoreError::Full(format!(
                "the disk of the data dir {} has {} MiB free, below the {} MiB the server keeps in reserve (min_free_mib)",
                self.dir.display(),
                disk.free_bytes / (1024 * 1024),
                reserve / (1024 * 1024)
            )));
        }
        Ok(())
    }
}

struct DiskState {
    read_only: bool,
    /// Bytes an unprivileged process may still write.
    free_bytes: u64,
}

// unsafe: statvfs: free space and the read-only flag have no std API.
#[allow(unsafe_code)]
fn disk_state(dir: &Path) -> Option<DiskState> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    // SAFETY: statvfs writes only into the struct we pass, which is plain
    // old data and fully initialised by zeroing.
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(path.as_ptr(), &mut stat) } != 0 {
        return None;
    }
    Some(DiskState {
        read_only: stat.f_flag & libc::ST_RDONLY != 0,
        free_bytes: (stat.f_bavail as u64).saturating_mul(stat.f_frsize as u64),
    })
}

/// The writer thread: group commits, and the batched share views.
struct Writer {
    db: Arc<DbCell>,
    room: Arc<Room>,
    views: Arc<ViewCounter>,
    generation: Arc<AtomicU64>,
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
            {
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
            }
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

/// Create `path` (empty, which redb takes as a new store) with mode 0600, or
/// take an existing file's group and other permissions away (stores made by
/// earlier versions were 0644).
fn make_private(path: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt;
    let failed = |e: std::io::Error| {
        StoreError::Backend(format!("cannot make {} private: {e}", path.display()))
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .append(true)
        .mode(0o600)
        .open(path)
        .map_err(failed)?;
    let mode = file.metadata().map_err(failed)?.permissions().mode();
    if mode & 0o077 != 0 {
        file.set_permissions(std::fs::Permissions::from_mode(mode & 0o700))
            .map_err(failed)?;
    }
    Ok(())
}

/// The first bytes of every redb file.
const REDB_MAGIC: [u8; 9] = [b'r', b'e', b'd', b'b', 0x1A, 0x0A, 0xA9, 0x0D, 0x0A];

/// Refuse a file at the store's path that is not a redb file (someone's
/// document, another program's database): redb would refuse it too, but
/// this says which file it is and what to do. Empty files are fine: redb
/// initialises them.
fn refuse_foreign_file(path: &Path) -> Result<(), StoreError> {
    use std::io::Read;
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(StoreError::Backend(format!(
                "cannot read {}: {e}",
                path.display()
            )))
        }
    };
    let refuse = |what: &str| {
        StoreError::Unusable(format!(
            "{} {what}, so it is not a Vitae data file; the server will not start on it and has not \
             changed it. Move it away, or start with another --data-dir",
            path.display()
        ))
    };
    if !metadata.is_file() {
        return Err(refuse("is not a regular file"));
    }
    if metadata.len() == 0 {
        return Ok(());
    }
    let mut head = [0u8; REDB_MAGIC.len()];
    let read = std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head));
    match read {
        Ok(()) if head == REDB_MAGIC => Ok(()),
        Ok(()) | Err(_) => Err(refuse("does not start with redb's header")),
    }
}

fn init_and_migrate(db: &Database) -> Result<(), StoreError> {
    let txn = db.begin_write()?;
    {
        txn.open_table(RESUMES)?;
        txn.open_table(OWNER_RESUMES)?;
        txn.open_table(ORIGINALS)?;
        txn.open_table(TEXTS)?;
        txn.open_table(REVISIONS)?;
        txn.open_table(SHARES)?;
        txn.open_table(RESUME_SHARES)?;
        txn.open_table(TOKENS)?;
        txn.open_table(JOBS)?;
        txn.open_table(OWNER_JOBS)?;
        txn.open_table(JOB_HASHES)?;
        let mut meta = txn.open_table(META)?;
        // The file-level version catches a newer server's file even when it
        // holds no resume records (only shares or tokens, say).
        let written_by = meta.get("resume_schema")?.map(|v| v.value());
        if let Some(found) = written_by.filter(|v| *v > RESUME_SCHEMA as u64) {
            return Err(StoreError::Backend(format!(
                "the data file was written by a newer vitae-server (schema {found}, this one knows {RESUME_SCHEMA}); upgrade vitae-server"
            )));
        }
        meta.insert("resume_schema", RESUME_SCHEMA as u64)?;
        let mut masters = txn.open_table(MASTERS)?;
        let mut resumes = txn.open_table(RESUMES)?;
        let mut rewrites = Vec::new();
        for entry in resumes.iter()? {
            let (key, value) = entry?;
            let raw: serde_json::Value = serde_json::from_slice(value.value())?;
            let migrated = migrate_resume(raw).map_err(|e| StoreError::Backend(e.to_string()))?;
            if let Some((record, was_master)) = migrated {
                rewrites.push((key.value().to_string(), record, was_master));
            }
        }
        for (id, record, was_master) in rewrites {
            let parsed: ResumeRecord = serde_json::from_value(record)?;
            if was_master && masters.get(parsed.owner.as_str())?.is_none() {
                masters.insert(parsed.owner.as_str(), id.as_str())?;
            }
            resumes.insert(id.as_str(), serde_json::to_vec(&parsed)?.as_slice())?;
            tracing::info!(resume = %id, "migrated resume record to schema {RESUME_SCHEMA}");
        }
    }
    txn.commit()?;
    Ok(())
}

// ---- table helpers shared by reads and writes -----------------------------

fn load_resume<D: serde::de::DeserializeOwned, T: ReadableTable<&'static str, &'static [u8]>>(
    table: &T,
    id: Uuid,
) -> Result<Option<ResumeRecord<D>>, StoreError> {
    let key = id.to_string();
    match table.get(key.as_str())? {
        Some(bytes) => Ok(Some(serde_json::from_slice(bytes.value())?)),
        None => Ok(None),
    }
}

/// The ids an `(owner, id)` index table lists for `owner`, in key order.
fn ids_of_owner<T: ReadableTable<(&'static str, &'static str), ()>>(
    index: &T,
    owner: &str,
) -> Result<Vec<String>, StoreError> {
    let mut ids = Vec::new();
    for entry in index.range((owner, "")..)? {
        let (key, _) = entry?;
        let (entry_owner, id) = key.value();
        if entry_owner != owner {
            break;
        }
        ids.push(id.to_string());
    }
    Ok(ids)
}

fn owned<D: serde::de::DeserializeOwned, T: ReadableTable<&'static str, &'static [u8]>>(
    table: &T,
    owner: &str,
    id: Uuid,
) -> Result<ResumeRecord<D>, StoreError> {
    match load_resume(table, id)? {
        Some(record) if record.owner == owner => Ok(record),
        _ => Err(StoreError::NotFound("resume")),
    }
}

fn master_of<T: ReadableTable<&'static str, &'static str>>(
    masters: &T,
    owner: &str,
) -> Result<Option<String>, StoreError> {
    Ok(masters.get(owner)?.map(|v| v.value().to_string()))
}

fn with_master<D, T: ReadableTable<&'static str, &'static str>>(
    masters: &T,
    record: ResumeRecord<D>,
) -> Result<StoredResume<D>, StoreError> {
    let is_master = master_of(masters, &record.owner)?.as_deref() == Some(&*record.id.to_string());
    Ok(StoredResume { record, is_master })
}

fn put_resume(txn: &WriteTransaction, record: &ResumeRecord) -> Result<(), StoreError> {
    let mut resumes = txn.open_table(RESUMES)?;
    let key = record.id.to_string();
    resumes.insert(key.as_str(), serde_json::to_vec(record)?.as_slice())?;
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

/// Tokens are stored as their SHA-256: a stolen database file holds no
/// usable credentials. The tokens are 256 random bits, so a plain hash (no
/// salt, no stretching) is enough.
pub fn token_hash(token: &str) -> String {
    crate::digest::sha256_hex(&[token.as_bytes()])
}

/// A new random token: `bytes` bytes from the OS RNG, base64url without padding.
pub fn random_token(bytes: usize) -> Result<String, StoreError> {
    use base64::Engine;
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| StoreError::Backend(format!("no randomness: {e}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf))
}

/// Make `document` the record's new current revision, keeping the current
/// one (with its origin) in `revisions`. Callers have checked ownership,
/// status and `If-Match`.
fn push_revision(
    txn: &WriteTransaction,
    record: &mut ResumeRecord,
    document: Resume,
    origin: String,
) -> Result<(), StoreError> {
    let previous = RevisionRecord {
        revision: record.revision,
        created_at: record.updated_at,
        document: record.document.take(),
        origin: record.revision_origin.take(),
    };
    let key = record.id.to_string();
    txn.open_table(REVISIONS)?.insert(
        (key.as_str(), previous.revision),
        serde_json::to_vec(&previous)?.as_slice(),
    )?;
    record.document = Some(document);
    record.revision += 1;
    record.revision_origin = Some(origin);
    record.updated_at = super::now();
    put_resume(txn, record)
}

/// The current revision of a record, in the shape of a stored one.
fn current_revision(record: ResumeRecord) -> RevisionRecord {
    RevisionRecord {
        revision: record.revision,
        created_at: record.updated_at,
        document: record.document,
        origin: record.revision_origin,
    }
}

/// `If-Match` check shared by every edit.
fn check_revision(record: &ResumeRecord, if_match: Option<u64>) -> Result<(), StoreError> {
    match if_match {
        Some(expected) if expected != record.revision => Err(StoreError::StaleRevision {
            expected,
            current: record.revision,
        }),
        _ => Ok(()),
    }
}

fn load_job<T: ReadableTable<&'static str, &'static [u8]>>(
    table: &T,
    owner: &str,
    id: Uuid,
) -> Result<JobRecord, StoreError> {
    let key = id.to_string();
    match table.get(key.as_str())? {
        Some(bytes) => {
            let job: JobRecord = serde_json::from_slice(bytes.value())?;
            if job.owner == owner {
                Ok(job)
            } else {
                Err(StoreError::NotFound("job"))
            }
        }
        None => Err(StoreError::NotFound("job")),
    }
}

fn put_job(txn: &WriteTransaction, job: &JobRecord) -> Result<(), StoreError> {
    let key = job.id.to_string();
    txn.open_table(JOBS)?
        .insert(key.as_str(), serde_json::to_vec(job)?.as_slice())?;
    Ok(())
}

/// Apply an RFC 7396 merge patch to a document and validate the result.
fn merge_document(current: &Resume, patch: &serde_json::Value) -> Result<Resume, StoreError> {
    let mut value = serde_json::to_value(current)?;
    json_patch::merge(&mut value, patch);
    Resume::from_value(value).map_err(|e| StoreError::Invalid(e.to_string()))
}

#[async_trait]
impl Store for RedbStore {
    async fn create_resume(&self, new: NewResume) -> Result<StoredResume, StoreError> {
        let now = super::now();
        let record = ResumeRecord {
            v: RESUME_SCHEMA,
            id: Uuid::new_v4(),
            owner: new.owner,
            filename: new.filename,
            content_type: new.content_type,
            status: Status::Pending,
            reason: None,
            warnings: Vec::new(),
            parent_id: new.parent_id,
            job_id: None,
            revision: 1,
            revision_origin: None,
            created_at: now,
            updated_at: now,
            document: None,
            confidence: Default::default(),
            size: new.original.len() as u64,
        };
        let original = new.original;
        self.write(move |txn| {
            let key = record.id.to_string();
            put_resume(txn, &record)?;
            txn.open_table(OWNER_RESUMES)?
                .insert((record.owner.as_str(), key.as_str()), ())?;
            txn.open_table(ORIGINALS)?
                .insert(key.as_str(), original.as_ref())?;
            Ok(StoredResume {
                record,
                is_master: false,
            })
        })
        .await
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    async fn get_resume(&self, owner: &str, id: Uuid) -> Result<StoredResume, StoreError> {
        self.lookup(|txn| {
            let record = owned(&txn.open_table(RESUMES)?, owner, id)?;
            with_master(&txn.open_table(MASTERS)?, record)
        })
    }

    async fn get_resume_raw(
        &self,
        owner: &str,
        id: Uuid,
    ) -> Result<StoredResume<RawDocument>, StoreError> {
        self.lookup(|txn| {
            let record = owned(&txn.open_table(RESUMES)?, owner, id)?;
            with_master(&txn.open_table(MASTERS)?, record)
        })
    }

    async fn list_resumes(&self, owner: &str) -> Result<Vec<StoredResume>, StoreError> {
        let owner = owner.to_string();
        self.read(move |txn| {
            let resumes = txn.open_table(RESUMES)?;
            let masters = txn.open_table(MASTERS)?;
            let mut out = Vec::new();
            for id in ids_of_owner(&txn.open_table(OWNER_RESUMES)?, &owner)? {
                if let Some(bytes) = resumes.get(id.as_str())? {
                    let record: ResumeRecord = serde_json::from_slice(bytes.value())?;
                    out.push(with_master(&masters, record)?);
                }
            }
            out.sort_by_key(|r| r.record.created_at);
            Ok(out)
        })
        .await
    }

    async fn original(&self, id: Uuid) -> Result<Bytes, StoreError> {
        self.read(move |txn| {
            let table = txn.open_table(ORIGINALS)?;
            let key = id.to_string();
            let bytes = table
                .get(key.as_str())?
                .ok_or(StoreError::NotFound("original upload"))?;
            Ok(Bytes::copy_from_slice(bytes.value()))
        })
        .await
    }

    async fn mark_parsing(&self, id: Uuid) -> Result<StoredResume, StoreError> {
        self.write(move |txn| {
            let mut record = load_resume(&txn.open_table(RESUMES)?, id)?
                .ok_or(StoreError::NotFound("resume"))?;
            if record.status.is_terminal() {
                return Err(StoreError::Conflict(format!(
                    "resume {id} is already {}",
                    record.status
                )));
            }
            record.status = Status::Parsing;
            record.updated_at = super::now();
            put_resume(txn, &record)?;
            with_master(&txn.open_table(MASTERS)?, record)
        })
        .await
    }

    async fn finish_parse(
        &self,
        id: Uuid,
        outcome: ParseOutcome,
    ) -> Result<StoredResume, StoreError> {
        self.write(move |txn| {
            let mut record = load_resume(&txn.open_table(RESUMES)?, id)?
                .ok_or(StoreError::NotFound("resume"))?;
            if record.status.is_terminal() {
                return Err(StoreError::Conflict(format!(
                    "resume {id} is already {}",
                    record.status
                )));
            }
            record.updated_at = super::now();
            let mut masters = txn.open_table(MASTERS)?;
            match outcome {
                ParseOutcome::Ready {
                    document,
                    text,
                    warnings,
                    confidence,
                } => {
                    record.status = Status::Ready;
                    record.document = Some(*document);
                    record.warnings = warnings;
                    record.confidence = confidence;
                    let key = id.to_string();
                    txn.open_table(TEXTS)?.insert(key.as_str(), text.as_str())?;
                    // The master rule lives in this transaction: the writer
                    // runs one operation at a time, so two first parses
                    // finishing together cannot both see "no master".
                    if masters.get(record.owner.as_str())?.is_none() {
                        masters.insert(record.owner.as_str(), key.as_str())?;
                    }
                }
                ParseOutcome::Failed { reason } => {
                    record.status = Status::Failed;
                    record.reason = Some(reason);
                }
            }
            put_resume(txn, &record)?;
            with_master(&masters, record)
        })
        .await
    }

    async fn patch_document(
        &self,
        owner: &str,
        id: Uuid,
        if_match: Option<u64>,
        patch: serde_json::Value,
    ) -> Result<StoredResume, StoreError> {
        let owner = owner.to_string();
        self.write(move |txn| {
            let mut record = owned(&txn.open_table(RESUMES)?, &owner, id)?;
            check_revision(&record, if_match)?;
            let Some(current) = record
                .document
                .as_ref()
                .filter(|_| record.status == Status::Ready)
            else {
                return Err(StoreError::Conflict(format!(
                    "resume {id} is {}; only a ready resume can be edited",
                    record.status
                )));
            };
            let document = merge_document(current, &patch)?;
            push_revision(txn, &mut record, document, "edited".into())?;
            with_master(&txn.open_table(MASTERS)?, record)
        })
        .await
    }

    async fn restore_revision(
        &self,
        owner: &str,
        id: Uuid,
        revision: u64,
        if_match: Option<u64>,
    ) -> Result<StoredResume, StoreError> {
        let owner = owner.to_string();
        self.write(move |txn| {
            let mut record = owned(&txn.open_table(RESUMES)?, &owner, id)?;
            check_revision(&record, if_match)?;
            if record.status != Status::Ready {
                return Err(StoreError::Conflict(format!(
                    "resume {id} is {}; only a ready resume has revisions to restore",
                    record.status
                )));
            }
            if revision == record.revision {
                return Err(StoreError::Conflict(format!(
                    "revision {revision} is already the current revision"
                )));
            }
            let key = id.to_string();
            let old: RevisionRecord =
                match txn.open_table(REVISIONS)?.get((key.as_str(), revision))? {
                    Some(value) => serde_json::from_slice(value.value())?,
                    None => return Err(StoreError::NotFound("revision")),
                };
            let Some(document) = old.document else {
                return Err(StoreError::Conflict(format!(
                    "revision {revision} has no document to restore"
                )));
            };
            push_revision(
                txn,
                &mut record,
                document,
                format!("restored revision {revision}"),
            )?;
            with_master(&txn.open_table(MASTERS)?, record)
        })
        .await
    }

    async fn create_tailored(&self, tailored: NewTailored) -> Result<StoredResume, StoreError> {
        let original = serde_json::to_vec_pretty(&tailored.document)?;
        self.write(move |txn| {
            let source: ResumeRecord<RawDocument> =
                owned(&txn.open_table(RESUMES)?, &tailored.owner, tailored.source_id)?;
            if source.status != Status::Ready {
                return Err(StoreError::Conflict(format!(
                    "resume {} is {}; preview again",
                    source.id, source.status
                )));
            }
            if source.revision != tailored.source_revision {
                return Err(StoreError::Conflict(format!(
                    "the preview is stale: resume {} is at revision {} now, the preview used revision {}; preview again",
                    source.id, source.revision, tailored.source_revision
                )));
            }
            let job = load_job(&txn.open_table(JOBS)?, &tailored.owner, tailored.job_id)?;
            if job.revision != tailored.job_revision {
                return Err(StoreError::Conflict(format!(
                    "the preview is stale: job {} is at revision {} now, the preview used revision {}; preview again",
                    job.id, job.revision, tailored.job_revision
                )));
            }
            let now = super::now();
            let record = ResumeRecord {
                v: RESUME_SCHEMA,
                id: Uuid::new_v4(),
                owner: tailored.owner,
                filename: tailored.filename,
                content_type: "application/json".into(),
                status: Status::Ready,
                reason: None,
                warnings: Vec::new(),
                parent_id: Some(tailored.source_id),
                job_id: Some(tailored.job_id),
                revision: 1,
                revision_origin: Some(tailored.origin),
                created_at: now,
                updated_at: now,
                document: Some(tailored.document),
                confidence: Default::default(),
                size: original.len() as u64,
            };
            let key = record.id.to_string();
            put_resume(txn, &record)?;
            txn.open_table(OWNER_RESUMES)?
                .insert((record.owner.as_str(), key.as_str()), ())?;
            txn.open_table(ORIGINALS)?
                .insert(key.as_str(), original.as_slice())?;
            let mut masters = txn.open_table(MASTERS)?;
            if masters.get(record.owner.as_str())?.is_none() {
                masters.insert(record.owner.as_str(), key.as_str())?;
            }
            with_master(&masters, record)
        })
        .await
    }

    async fn list_revisions(
        &self,
        owner: &str,
        id: Uuid,
    ) -> Result<Vec<RevisionRecord>, StoreError> {
        let owner = owner.to_string();
        self.read(move |txn| {
            let record = owned(&txn.open_table(RESUMES)?, &owner, id)?;
            let key = id.to_string();
            let table = txn.open_table(REVISIONS)?;
            let mut out = Vec::new();
            for entry in table.range((key.as_str(), 0u64)..=(key.as_str(), u64::MAX))? {
                let (_, value) = entry?;
                out.push(serde_json::from_slice::<RevisionRecord>(value.value())?);
            }
            out.push(current_revision(record));
            Ok(out)
        })
        .await
    }

    async fn get_revision(
        &self,
        owner: &str,
        id: Uuid,
        revision: u64,
    ) -> Result<RevisionRecord, StoreError> {
        let owner = owner.to_string();
        self.read(move |txn| {
            let record = owned(&txn.open_table(RESUMES)?, &owner, id)?;
            if revision == record.revision {
                return Ok(current_revision(record));
            }
            let key = id.to_string();
            let table = txn.open_table(REVISIONS)?;
            let value = table
                .get((key.as_str(), revision))?
                .ok_or(StoreError::NotFound("revision"))?;
            Ok(serde_json::from_slice(value.value())?)
        })
        .await
    }

    async fn delete_resume(&self, owner: &str, id: Uuid) -> Result<DeletedResume, StoreError> {
        let owner = owner.to_string();
        self.write(move |txn| {
            let record = owned(&txn.open_table(RESUMES)?, &owner, id)?;
            let key = id.to_string();
            txn.open_table(RESUMES)?.remove(key.as_str())?;
            txn.open_table(OWNER_RESUMES)?
                .remove((owner.as_str(), key.as_str()))?;
            txn.open_table(ORIGINALS)?.remove(key.as_str())?;
            txn.open_table(TEXTS)?.remove(key.as_str())?;
            {
                let mut revisions = txn.open_table(REVISIONS)?;
                revisions.retain_in((key.as_str(), 0u64)..=(key.as_str(), u64::MAX), |_, _| {
                    false
                })?;
            }
            let mut share_tokens = Vec::new();
            {
                let mut index = txn.open_table(RESUME_SHARES)?;
                for entry in index.range((key.as_str(), "")..)? {
                    let (k, _) = entry?;
                    let (resume, token) = k.value();
                    if resume != key {
                        break;
                    }
                    share_tokens.push(token.to_string());
                }
                let mut shares = txn.open_table(SHARES)?;
                for token in &share_tokens {
                    shares.remove(token.as_str())?;
                    index.remove((key.as_str(), token.as_str()))?;
                }
            }
            // Deleting the master hands the role to the oldest remaining
            // ready resume, so an owner with ready resumes always has one.
            let mut new_master = None;
            let mut masters = txn.open_table(MASTERS)?;
            if master_of(&masters, &owner)?.as_deref() == Some(key.as_str()) {
                masters.remove(owner.as_str())?;
                let resumes = txn.open_table(RESUMES)?;
                let mut candidates = Vec::new();
                for other in ids_of_owner(&txn.open_table(OWNER_RESUMES)?, &owner)? {
                    if let Some(bytes) = resumes.get(other.as_str())? {
                        let other: ResumeRecord = serde_json::from_slice(bytes.value())?;
                        if other.status == Status::Ready {
                            candidates.push((other.created_at, other.id));
                        }
                    }
                }
                if let Some((_, successor)) = candidates.into_iter().min() {
                    masters.insert(owner.as_str(), successor.to_string().as_str())?;
                    new_master = Some(successor);
                }
            }
            Ok(DeletedResume {
                record,
                share_tokens,
                new_master,
            })
        })
        .await
    }

    async fn set_master(&self, owner: &str, id: Uuid) -> Result<StoredResume, StoreError> {
        let owner = owner.to_string();
        self.write(move |txn| {
            let record = owned(&txn.open_table(RESUMES)?, &owner, id)?;
            if record.status != Status::Ready {
                return Err(StoreError::Conflict(format!(
                    "resume {id} is {}; only a ready resume can be the master",
                    record.status
                )));
            }
            let mut masters = txn.open_table(MASTERS)?;
            masters.insert(owner.as_str(), id.to_string().as_str())?;
            Ok(StoredResume {
                record,
                is_master: true,
            })
        })
        .await
    }

    async fn unfinished_resumes(&self) -> Result<Vec<Uuid>, StoreError> {
        self.read(move |txn| {
            let table = txn.open_table(RESUMES)?;
            let mut out = Vec::new();
            for entry in table.iter()? {
                let (_, value) = entry?;
                let record: ResumeRecord = serde_json::from_slice(value.value())?;
                if !record.status.is_terminal() {
                    out.push((record.created_at, record.id));
                }
            }
            out.sort();
            Ok(out.into_iter().map(|(_, id)| id).collect())
        })
        .await
    }

    async fn create_share(
        &self,
        owner: &str,
        resume_id: Uuid,
        expires_at: DateTime<Utc>,
    ) -> Result<ShareRecord, StoreError> {
        let owner = owner.to_string();
        let token = random_token(24)?;
        self.write(move |txn| {
            owned::<RawDocument, _>(&txn.open_table(RESUMES)?, &owner, resume_id)?;
            let share = ShareRecord {
                v: SHARE_SCHEMA,
                token,
                owner,
                resume_id,
                created_at: super::now(),
                expires_at,
                revoked: false,
                access_count: 0,
                last_accessed_at: None,
            };
            put_share(txn, &share)?;
            txn.open_table(RESUME_SHARES)?
                .insert((resume_id.to_string().as_str(), share.token.as_str()), ())?;
            Ok(share)
        })
        .await
    }

    async fn list_shares(
        &self,
        owner: &str,
        resume_id: Uuid,
    ) -> Result<Vec<ShareRecord>, StoreError> {
        let owner = owner.to_string();
        let views = self.views.clone();
        self.read_shares(move |txn| {
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

    async fn revoke_share(&self, owner: &str, token: &str) -> Result<ShareRecord, StoreError> {
        let owner = owner.to_string();
        let token = token.to_string();
        self.write(move |txn| {
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
            self.views.add_pending(&mut share);
            share
        })
    }

    async fn access_share(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<SharedView, StoreError> {
        let generation = self.generation();
        let (mut share, resume) = match self.shared.get(&token.to_string(), generation) {
            Some(hit) => hit,
            None => {
                let found = self.lookup(|txn| {
                    let share = load_share(&txn.open_table(SHARES)?, token)?
                        .ok_or(StoreError::NotFound("share"))?;
                    let resume = load_resume(&txn.open_table(RESUMES)?, share.resume_id)?
                        .ok_or(StoreError::NotFound("share"))?;
                    Ok((share, Arc::new(resume)))
                })?;
                self.shared
                    .put(token.to_string(), generation, found.clone());
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
        if self.views.record(token, now) {
            if let Some(writer) = &self.writer {
                // A stopped writer means the store is closing; its final flush
                // still stores this view.
                let _ = writer.send(Work::Views);
            }
        }
        self.views.add_pending(&mut share);
        Ok(SharedView { share, resume })
    }

    async fn create_job(&self, new: NewJob) -> Result<(JobRecord, bool), StoreError> {
        self.write(move |txn| {
            let mut hashes = txn.open_table(JOB_HASHES)?;
            let existing = hashes
                .get((new.owner.as_str(), new.content_hash.as_str()))?
                .map(|id| id.value().to_string());
            if let Some(id) = existing.and_then(|id| Uuid::parse_str(&id).ok()) {
                let job = load_job(&txn.open_table(JOBS)?, &new.owner, id)?;
                return Ok((job, false));
            }
            let now = super::now();
            let job = JobRecord {
                v: JOB_SCHEMA,
                id: Uuid::new_v4(),
                owner: new.owner,
                title: new.title,
                company: new.company,
                format: new.format,
                body: new.body,
                text: new.text,
                keywords: new.keywords,
                content_hash: new.content_hash,
                revision: 1,
                created_at: now,
                updated_at: now,
            };
            let key = job.id.to_string();
            put_job(txn, &job)?;
            txn.open_table(OWNER_JOBS)?
                .insert((job.owner.as_str(), key.as_str()), ())?;
            hashes.insert(
                (job.owner.as_str(), job.content_hash.as_str()),
                key.as_str(),
            )?;
            Ok((job, true))
        })
        .await
    }

    async fn find_job_by_hash(
        &self,
        owner: &str,
        content_hash: &str,
    ) -> Result<Option<JobRecord>, StoreError> {
        let owner = owner.to_string();
        let content_hash = content_hash.to_string();
        self.read(move |txn| {
            let hashes = txn.open_table(JOB_HASHES)?;
            let Some(id) = hashes.get((owner.as_str(), content_hash.as_str()))? else {
                return Ok(None);
            };
            let Ok(id) = Uuid::parse_str(id.value()) else {
                return Ok(None);
            };
            load_job(&txn.open_table(JOBS)?, &owner, id).map(Some)
        })
        .await
    }

    async fn get_job(&self, owner: &str, id: Uuid) -> Result<JobRecord, StoreError> {
        let owner = owner.to_string();
        self.read(move |txn| load_job(&txn.open_table(JOBS)?, &owner, id))
            .await
    }

    async fn list_jobs(&self, owner: &str) -> Result<Vec<JobRecord>, StoreError> {
        let owner = owner.to_string();
        self.read(move |txn| {
            let jobs = txn.open_table(JOBS)?;
            let mut out = Vec::new();
            for id in ids_of_owner(&txn.open_table(OWNER_JOBS)?, &owner)? {
                if let Some(bytes) = jobs.get(id.as_str())? {
                    out.push(serde_json::from_slice::<JobRecord>(bytes.value())?);
                }
            }
            out.sort_by_key(|j| j.created_at);
            Ok(out)
        })
        .await
    }

    async fn update_job(
        &self,
        owner: &str,
        id: Uuid,
        new: NewJob,
    ) -> Result<JobRecord, StoreError> {
        let owner = owner.to_string();
        self.write(move |txn| {
            let mut job = load_job(&txn.open_table(JOBS)?, &owner, id)?;
            if job.content_hash == new.content_hash {
                return Ok(job);
            }
            let mut hashes = txn.open_table(JOB_HASHES)?;
            if let Some(other) = hashes.get((owner.as_str(), new.content_hash.as_str()))? {
                return Err(StoreError::Conflict(format!(
                    "job {} already holds this description",
                    other.value()
                )));
            }
            hashes.remove((owner.as_str(), job.content_hash.as_str()))?;
            let key = id.to_string();
            hashes.insert((owner.as_str(), new.content_hash.as_str()), key.as_str())?;
            job.title = new.title;
            job.company = new.company;
            job.format = new.format;
            job.body = new.body;
            job.text = new.text;
            job.keywords = new.keywords;
            job.content_hash = new.content_hash;
            job.revision += 1;
            job.updated_at = super::now();
            put_job(txn, &job)?;
            Ok(job)
        })
        .await
    }

    async fn delete_job(&self, owner: &str, id: Uuid) -> Result<(), StoreError> {
        let owner = owner.to_string();
        self.write(move |txn| {
            let job = load_job(&txn.open_table(JOBS)?, &owner, id)?;
            let key = id.to_string();
            txn.open_table(JOBS)?.remove(key.as_str())?;
            txn.open_table(OWNER_JOBS)?
                .remove((owner.as_str(), key.as_str()))?;
            txn.open_table(JOB_HASHES)?
                .remove((owner.as_str(), job.content_hash.as_str()))?;
            Ok(())
        })
        .await
    }

    async fn create_token(
        &self,
        user: &str,
        admin: bool,
    ) -> Result<(String, Principal), StoreError> {
        let token = format!("vt_{}", random_token(32)?);
        let principal = Principal {
            v: TOKEN_SCHEMA,
            user: user.to_string(),
            admin,
            created_at: super::now(),
        };
        let hash = token_hash(&token);
        let stored = principal.clone();
        self.write(move |txn| {
            txn.open_table(TOKENS)?
                .insert(hash.as_str(), serde_json::to_vec(&stored)?.as_slice())?;
            Ok(())
        })
        .await?;
        Ok((token, principal))
    }

    async fn authenticate(&self, token: &str) -> Result<Option<Principal>, StoreError> {
        let hash = token_hash(token);
        let generation = self.generation();
        if let Some(principal) = self.principals.get(&hash, generation) {
            return Ok(Some(principal));
        }
        let principal: Option<Principal> = self.lookup(|txn| {
            let table = txn.open_table(TOKENS)?;
            match table.get(hash.as_str())? {
                Some(value) => Ok(Some(serde_json::from_slice(value.value())?)),
                None => Ok(None),
            }
        })?;
        // Unknown tokens are not kept: guessing must not fill the cache.
        if let Some(principal) = &principal {
            self.principals.put(hash, generation, principal.clone());
        }
        Ok(principal)
    }
}

#[cfg(test)]
mod tests {
    //! These tests try to break the store: races for the master role, many
    //! writers at once, reopening after writes, stale revisions, cascades.
    use super::*;
    use crate::store::{NewJob, NewResume, NewTailored};
    use serde_json::json;

    fn upload(owner: &str) -> NewResume {
        NewResume {
            owner: owner.into(),
            filename: "cv.md".into(),
            content_type: "text/markdown".into(),
            original: Bytes::from_static(b"# Jane Doe\njane@example.com\n"),
            parent_id: None,
        }
    }

    fn ready(name: &str) -> ParseOutcome {
        ParseOutcome::Ready {
            document: Box::new(Resume::from_value(json!({"basics": {"name": name}})).unwrap()),
            text: name.into(),
            warnings: vec![],
            confidence: Default::default(),
        }
    }

    async fn ready_resume(store: &RedbStore, owner: &str) -> Uuid {
        let id = store.create_resume(upload(owner)).await.unwrap().record.id;
        store.mark_parsing(id).await.unwrap();
        store.finish_parse(id, ready("Jane")).await.unwrap();
        id
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_first_parses_leave_exactly_one_master() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(RedbStore::open(dir.path()).unwrap());
        for round in 0..20 {
            let owner = format!("owner{round}");
            let mut ids = Vec::new();
            for _ in 0..50 {
                ids.push(store.create_resume(upload(&owner)).await.unwrap().record.id);
            }
            let tasks: Vec<_> = ids
                .iter()
                .enumerate()
                .map(|(i, &id)| {
                    let store = store.clone();
                    tokio::spawn(async move {
                        store.mark_parsing(id).await.unwrap();
                        let outcome = if i % 7 == 0 {
                            ParseOutcome::Failed {
                                reason: "bad".into(),
                            }
                        } else {
                            ready("Jane")
                        };
                        store.finish_parse(id, outcome).await.unwrap()
                    })
                })
                .collect();
            let mut masters_told = 0;
            for task in tasks {
                if task.await.unwrap().is_master {
                    masters_told += 1;
                }
            }
            let listed = store.list_resumes(&owner).await.unwrap();
            let masters: Vec<_> = listed.iter().filter(|r| r.is_master).collect();
            assert_eq!(masters.len(), 1, "round {round}");
            assert_eq!(masters_told, 1, "round {round}");
            assert_eq!(masters[0].record.status, Status::Ready);
        }
    }

    #[tokio::test]
    async fn acknowledged_writes_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let (id, token, share) = {
            let store = RedbStore::open(dir.path()).unwrap();
            let id = ready_resume(&store, "alice").await;
            let (token, _) = store.create_token("alice", false).await.unwrap();
            let share = store
                .create_share("alice", id, super::super::now() + chrono::Duration::days(1))
                .await
                .unwrap();
            store
                .access_share(&share.token, super::super::now())
                .await
                .unwrap();
            (id, token, share.token)
        };
        let store = RedbStore::open(dir.path()).unwrap();
        let got = store.get_resume("alice", id).await.unwrap();
        assert!(got.is_master);
        assert_eq!(got.record.document.unwrap().name(), Some("Jane"));
        assert_eq!(
            store.authenticate(&token).await.unwrap().unwrap().user,
            "alice"
        );
        let shares = store.list_shares("alice", id).await.unwrap();
        assert_eq!(shares[0].token, share);
        assert_eq!(shares[0].access_count, 1);
    }

    #[tokio::test]
    async fn a_second_open_of_the_same_dir_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let _first = RedbStore::open(dir.path()).unwrap();
        assert!(matches!(
            RedbStore::open(dir.path()),
            Err(StoreError::Locked(_))
        ));
    }

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
    async fn patches_check_revisions_validate_and_keep_history() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let id = ready_resume(&store, "alice").await;
        let patched = store
            .patch_document(
                "alice",
                id,
                Some(1),
                json!({"basics": {"email": "j@example.com"}}),
            )
            .await
            .unwrap();
        assert_eq!(patched.record.revision, 2);
        let doc = patched.record.document.unwrap();
        assert_eq!(doc.name(), Some("Jane"));
        assert_eq!(doc.email(), Some("j@example.com"));
        assert!(matches!(
            store.patch_document("alice", id, Some(1), json!({})).await,
            Err(StoreError::StaleRevision {
                expected: 1,
                current: 2
            })
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
        let revisions = store.list_revisions("alice", id).await.unwrap();
        assert_eq!(
            revisions.iter().map(|r| r.revision).collect::<Vec<_>>(),
            vec![1, 2]
        );
        let first = store.get_revision("alice", id, 1).await.unwrap();
        assert_eq!(first.document.unwrap().email(), None);
    }

    #[tokio::test]
    async fn restoring_copies_an_old_revision_forward_and_keeps_history() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let id = ready_resume(&store, "alice").await;
        store
            .patch_document("alice", id, None, json!({"basics": {"name": "Janet"}}))
            .await
            .unwrap();
        let restored = store
            .restore_revision("alice", id, 1, Some(2))
            .await
            .unwrap();
        assert_eq!(restored.record.revision, 3);
        assert_eq!(
            restored.record.document.as_ref().unwrap().name(),
            Some("Jane")
        );
        let history = store.list_revisions("alice", id).await.unwrap();
        let origins: Vec<_> = history.iter().map(|r| r.origin_or_default()).collect();
        assert_eq!(origins, ["parsed", "edited", "restored revision 1"]);
        assert_eq!(
            history[1].document.as_ref().unwrap().name(),
            Some("Janet"),
            "the edited revision is still there, unchanged"
        );
        assert!(matches!(
            store.restore_revision("alice", id, 1, Some(2)).await,
            Err(StoreError::StaleRevision { .. })
        ));
        assert!(matches!(
            store.restore_revision("alice", id, 3, None).await,
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(
            store.restore_revision("alice", id, 9, None).await,
            Err(StoreError::NotFound("revision"))
        ));
        assert!(matches!(
            store.restore_revision("bob", id, 1, None).await,
            Err(StoreError::NotFound("resume"))
        ));
    }

    fn job(owner: &str, text: &str) -> NewJob {
        NewJob {
            owner: owner.into(),
            title: "Engineer".into(),
            company: None,
            format: "text".into(),
            body: text.into(),
            text: text.into(),
            keywords: Default::default(),
            content_hash: format!("hash-of-{text}"),
        }
    }

    #[tokio::test]
    async fn jobs_are_stored_once_per_description_and_owner() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let (first, created) = store.create_job(job("alice", "Rust")).await.unwrap();
        assert!(created);
        let (again, created) = store.create_job(job("alice", "Rust")).await.unwrap();
        assert!(!created);
        assert_eq!(again.id, first.id);
        let (bobs, created) = store.create_job(job("bob", "Rust")).await.unwrap();
        assert!(created, "another owner's identical job is their own");
        assert_ne!(bobs.id, first.id);
        assert!(matches!(
            store.get_job("bob", first.id).await,
            Err(StoreError::NotFound("job"))
        ));

        let same = store
            .update_job("alice", first.id, job("alice", "Rust"))
            .await
            .unwrap();
        assert_eq!(same.revision, 1, "an identical text changes nothing");
        let changed = store
            .update_job("alice", first.id, job("alice", "Go"))
            .await
            .unwrap();
        assert_eq!(changed.revision, 2);
        assert!(store
            .find_job_by_hash("alice", "hash-of-Rust")
            .await
            .unwrap()
            .is_none());
        assert_eq!(
            store
                .find_job_by_hash("alice", "hash-of-Go")
                .await
                .unwrap()
                .unwrap()
                .id,
            first.id
        );
        let (other, _) = store.create_job(job("alice", "Java")).await.unwrap();
        assert!(matches!(
            store
                .update_job("alice", other.id, job("alice", "Go"))
                .await,
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(store.list_jobs("alice").await.unwrap().len(), 2);
        store.delete_job("alice", first.id).await.unwrap();
        assert!(matches!(
            store.delete_job("alice", first.id).await,
            Err(StoreError::NotFound("job"))
        ));
        assert!(store
            .find_job_by_hash("alice", "hash-of-Go")
            .await
            .unwrap()
            .is_none());
    }

    #[tokio::test]
    async fn tailored_versions_need_the_previewed_revisions() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let source = ready_resume(&store, "alice").await;
        let (job, _) = store.create_job(job("alice", "Rust")).await.unwrap();
        let tailored = |source_revision, job_revision| NewTailored {
            owner: "alice".into(),
            source_id: source,
            source_revision,
            job_id: job.id,
            job_revision,
            filename: "cv (for Engineer).json".into(),
            document: Resume::from_value(json!({"basics": {"name": "Jane"}})).unwrap(),
            origin: "tailored for Engineer".into(),
        };
        let created = store.create_tailored(tailored(1, 1)).await.unwrap();
        assert_eq!(created.record.parent_id, Some(source));
        assert_eq!(created.record.job_id, Some(job.id));
        assert_eq!(created.record.status, Status::Ready);
        assert!(!created.is_master, "the source is already the master");
        let history = store
            .list_revisions("alice", created.record.id)
            .await
            .unwrap();
        assert_eq!(history[0].origin_or_default(), "tailored for Engineer");

        store
            .patch_document("alice", source, None, json!({"basics": {"label": "x"}}))
            .await
            .unwrap();
        match store.create_tailored(tailored(1, 1)).await {
            Err(StoreError::Conflict(message)) => assert!(message.contains("stale"), "{message}"),
            other => panic!("expected a stale conflict, got {other:?}"),
        }
        match store.create_tailored(tailored(2, 7)).await {
            Err(StoreError::Conflict(message)) => assert!(message.contains("job"), "{message}"),
            other => panic!("expected a stale job conflict, got {other:?}"),
        }
        assert_eq!(store.list_resumes("alice").await.unwrap().len(), 2);
    }

    #[tokio::test]
    async fn missing_records_are_not_found_never_silent() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let ghost = Uuid::new_v4();
        assert!(matches!(
            store.get_resume("a", ghost).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            store.delete_resume("a", ghost).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            store.set_master("a", ghost).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            store.patch_document("a", ghost, None, json!({})).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            store.revoke_share("a", "nope").await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            store.access_share("nope", super::super::now()).await,
            Err(StoreError::NotFound(_))
        ));
    }

    #[tokio::test]
    async fn failed_parses_never_become_master_and_master_moves_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let failed = store
            .create_resume(upload("alice"))
            .await
            .unwrap()
            .record
            .id;
        store.mark_parsing(failed).await.unwrap();
        let stored = store
            .finish_parse(
                failed,
                ParseOutcome::Failed {
                    reason: "corrupt".into(),
                },
            )
            .await
            .unwrap();
        assert!(!stored.is_master);
        assert!(matches!(
            store.set_master("alice", failed).await,
            Err(StoreError::Conflict(_))
        ));
        let first = ready_resume(&store, "alice").await;
        let second = ready_resume(&store, "alice").await;
        assert!(store.get_resume("alice", first).await.unwrap().is_master);
        store.set_master("alice", second).await.unwrap();
        assert!(!store.get_resume("alice", first).await.unwrap().is_master);
        assert!(store.get_resume("alice", second).await.unwrap().is_master);
        // Deleting the master hands the role to the oldest ready resume.
        let deleted = store.delete_resume("alice", second).await.unwrap();
        assert_eq!(deleted.new_master, Some(first));
        assert!(store.get_resume("alice", first).await.unwrap().is_master);
    }

    #[tokio::test]
    async fn deleting_a_resume_removes_its_shares_and_revisions() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let id = ready_resume(&store, "alice").await;
        store
            .patch_document("alice", id, None, json!({"basics": {"label": "x"}}))
            .await
            .unwrap();
        let later = super::super::now() + chrono::Duration::days(1);
        let a = store.create_share("alice", id, later).await.unwrap();
        let b = store.create_share("alice", id, later).await.unwrap();
        let deleted = store.delete_resume("alice", id).await.unwrap();
        assert_eq!(deleted.share_tokens.len(), 2);
        for token in [a.token, b.token] {
            assert!(matches!(
                store.access_share(&token, super::super::now()).await,
                Err(StoreError::NotFound(_))
            ));
        }
        assert!(matches!(
            store.list_revisions("alice", id).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            store.original(id).await,
            Err(StoreError::NotFound(_))
        ));
    }

    #[tokio::test]
    async fn expired_and_revoked_shares_are_gone_and_not_counted() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let id = ready_resume(&store, "alice").await;
        let now = super::super::now();
        let share = store
            .create_share("alice", id, now + chrono::Duration::seconds(60))
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
        let now = super::super::now();
        let share = store
            .create_share("alice", id, now + chrono::Duration::days(1))
            .await
            .unwrap();
        let generation = store.generation();
        let views = 50;
        let mut tasks = Vec::new();
        let store = Arc::new(store);
        for _ in 0..views {
            let (store, token) = (store.clone(), share.token.clone());
            tasks.push(tokio::spawn(async move {
                store.access_share(&token, super::super::now()).await
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

    #[tokio::test]
    async fn old_records_are_migrated_at_open_and_broken_ones_stop_the_start() {
        let dir = tempfile::tempdir().unwrap();
        let id = Uuid::new_v4();
        let v1 = json!({
            "id": id, "owner": "alice", "filename": "cv.md", "content_type": "text/markdown",
            "state": "ready", "master": true, "revision": 1, "size": 3,
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
        });
        {
            let db = Database::create(dir.path().join("vitae.redb")).unwrap();
            let txn = db.begin_write().unwrap();
            txn.open_table(RESUMES)
                .unwrap()
                .insert(
                    id.to_string().as_str(),
                    serde_json::to_vec(&v1).unwrap().as_slice(),
                )
                .unwrap();
            txn.open_table(OWNER_RESUMES)
                .unwrap()
                .insert(("alice", id.to_string().as_str()), ())
                .unwrap();
            txn.commit().unwrap();
        }
        {
            let store = RedbStore::open(dir.path()).unwrap();
            let got = store.get_resume("alice", id).await.unwrap();
            assert_eq!(got.record.status, Status::Ready);
            assert_eq!(got.record.v, RESUME_SCHEMA);
            assert!(got.is_master);
        }
        // A record without any status cannot be migrated: the start fails.
        let broken_id = Uuid::new_v4();
        let mut broken = v1.clone();
        broken["id"] = json!(broken_id);
        broken.as_object_mut().unwrap().remove("state");
        {
            let db = Database::create(dir.path().join("vitae.redb")).unwrap();
            let txn = db.begin_write().unwrap();
            txn.open_table(RESUMES)
                .unwrap()
                .insert(
                    broken_id.to_string().as_str(),
                    serde_json::to_vec(&broken).unwrap().as_slice(),
                )
                .unwrap();
            txn.commit().unwrap();
        }
        let err = RedbStore::open(dir.path())
            .err()
            .expect("must refuse to start");
        assert!(err.to_string().contains("no valid status"), "{err}");
    }
}

#[cfg(test)]
mod token_entropy_tests {
    //! The generator behind share links and API tokens: the sizes in use
    //! carry at least 128 random bits, in the URL-safe alphabet, and the
    //! bytes look random (all distinct, no constant byte, half the bits set).
    use super::*;
    use base64::Engine;

    fn decode(token: &str) -> Vec<u8> {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token)
            .unwrap_or_else(|e| panic!("{token:?} is not base64url: {e}"))
    }

    fn url_safe(token: &str) -> bool {
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }

    #[test]
    fn random_tokens_are_base64url_of_the_bytes_asked_for() {
        for bytes in [16, 24, 32] {
            let token = random_token(bytes).unwrap();
            assert!(url_safe(&token), "{token:?}");
            assert_eq!(token.len(), (bytes * 8).div_ceil(6), "{token:?}");
            assert_eq!(decode(&token).len(), bytes);
        }
    }

    #[test]
    fn random_tokens_are_distinct_and_unbiased() {
        const N: usize = 2000;
        const BYTES: usize = 24;
        let raw: Vec<Vec<u8>> = (0..N)
            .map(|_| decode(&random_token(BYTES).unwrap()))
            .collect();
        let distinct: std::collections::HashSet<&Vec<u8>> = raw.iter().collect();
        assert_eq!(distinct.len(), N, "repeated tokens");
        for i in 0..BYTES {
            let values: std::collections::HashSet<u8> = raw.iter().map(|r| r[i]).collect();
            // 2000 draws from 256 values: all but a handful appear.
            assert!(values.len() > 200, "byte {i} takes {} values", values.len());
        }
        let ones: u64 = raw
            .iter()
            .flatten()
            .map(|b| u64::from(b.count_ones()))
            .sum();
        let total = (N * BYTES * 8) as f64;
        let sigma = total.sqrt() / 2.0;
        assert!(
            (ones as f64 - total / 2.0).abs() < 5.0 * sigma,
            "{ones} ones in {total} bits"
        );
    }

    #[tokio::test]
    async fn share_and_api_tokens_carry_at_least_128_bits() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path()).unwrap();
        let (token, _) = store.create_token("entropy", false).await.unwrap();
        let random = token.strip_prefix("vt_").expect("the vt_ prefix");
        assert!(url_safe(random), "{token:?}");
        assert!(decode(random).len() * 8 >= 256, "{token:?}");
        let id = store
            .create_resume(NewResume {
                owner: "entropy".into(),
                filename: "cv.md".into(),
                content_type: "text/markdown".into(),
                original: Bytes::from_static(b"# Jane Doe\n"),
                parent_id: None,
            })
            .await
            .unwrap()
            .record
            .id;
        let share = store
            .create_share(
                "entropy",
                id,
                crate::store::now() + chrono::Duration::days(1),
            )
            .await
            .unwrap();
        assert!(url_safe(&share.token), "{:?}", share.token);
        assert!(decode(&share.token).len() * 8 >= 128, "{:?}", share.token);
    }
}
