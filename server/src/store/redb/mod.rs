//! The redb backend of [`Store`]: one file, `vitae.redb`, in the data dir.
//!
//! [`RedbStore`] holds the open database, the writer thread's channel and
//! the read caches; its [`Store`] impl only delegates, one entity module per
//! group of operations. Writes run on one writer thread in group commits and
//! are answered once durable ([`writer`]); reads run in their own MVCC read
//! transactions and never wait for the writer: point lookups (a token, a
//! resume, a share) on the calling task, since a cached B-tree lookup costs
//! less than a hop to the blocking pool; listings and anything else that may
//! be large on the blocking pool.
//!
//! | module | what |
//! |---|---|
//! | `mod.rs` | `RedbStore`: open, the write/read plumbing, the `Store` impl |
//! | [`tables`] | every table definition, the per-owner index scan |
//! | [`file`] | opening the file: private data dir, foreign/damaged file refusal |
//! | [`migrate`] | table creation, schema version check, record migration at open |
//! | [`writer`] | the writer thread: group commit, durability, share-view flushes |
//! | [`disk`] | free-space and read-only checks before writes; commit failures |
//! | [`reopen`] | the database handle, reopened after a failed commit |
//! | [`resumes`] | resumes: upload, parse outcome and master rule, list, delete |
//! | [`revisions`] | edits (merge patch), revision history, restore |
//! | [`tailored`] | storing a confirmed tailoring preview as a new resume |
//! | [`shares`] | share links (filed by token hash, tokens sealed): create, list, revoke, open, counted views and their per-day history |
//! | [`jobs`] | job descriptions, one per content hash and owner |
//! | [`exports`] | export jobs, and the export cache (content-addressed, LRU in bytes) |
//! | [`tokens`] | API tokens (stored hashed), authentication, token generation |
//! | [`usage`] | per-owner usage counters, charged against the quotas in each write |
//! | [`copy`] | every table's rows as stored, for `vitae-server migrate` |

mod copy;
mod disk;
mod exports;
mod file;
mod jobs;
mod migrate;
mod reopen;
mod resumes;
mod revisions;
mod shares;
mod tables;
mod tailored;
pub(super) mod tokens;
mod usage;
mod writer;

#[cfg(test)]
mod paging_tests;
#[cfg(test)]
pub(super) mod testing;
#[cfg(test)]
mod tests;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc as std_mpsc;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use redb::{ReadTransaction, ReadableDatabase, WriteTransaction};
use tokio::sync::oneshot;
use uuid::Uuid;

use self::disk::Room;
use self::reopen::DbCell;
use self::writer::{Job, Work};
use super::records::{
    CachedExport, ExportRecord, JobRecord, ParseOutcome, Principal, RawDocument, ResumeRecord,
    RevisionRecord, ShareRecord, StoredResume,
};
use super::views::ViewCounter;
use super::{
    DayViews, DeletedResume, NewJob, NewResume, NewShare, NewTailored, Page, Paged, Position,
    Quotas, SharedView, Store, StoreError, Usage,
};
use crate::read_cache::ReadCache;

/// Memory for share links' resumes kept between writes (`/s/{token}`).
const SHARED_CACHE_BYTES: usize = 64 * 1024 * 1024;

pub struct RedbStore {
    db: Arc<DbCell>,
    /// The data dir and the free space its disk must keep ([`disk::Room`]).
    room: Arc<Room>,
    /// `None` only while dropping.
    writer: Option<std_mpsc::Sender<Work>>,
    writer_thread: Option<std::thread::JoinHandle<()>>,
    views: Arc<ViewCounter>,
    /// Bumped by the writer thread after each commit ([`Store::generation`]).
    generation: Arc<AtomicU64>,
    /// Principals by token hash: every request authenticates.
    principals: ReadCache<String, Principal>,
    /// Share links and their resumes by the token's hash, for `/s/{token}`.
    shared: ReadCache<String, (ShareRecord, Arc<ResumeRecord<RawDocument>>)>,
    /// What one owner may keep ([`crate::store::quota`]).
    quotas: std::sync::RwLock<Quotas>,
    /// Seals share tokens at rest with the data dir's key.
    seal: Arc<crate::store::sealing::TokenSeal>,
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
    redb::CommitError
);

/// A stored record that does not decode was damaged on disk (every record
/// was encoded by us): said so, so that opening the file refuses it as
/// damaged rather than as a passing storage error.
impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Backend(format!(
            "a stored record does not decode ({e}): the data file is corrupt"
        ))
    }
}

impl RedbStore {
    /// Open (or create) `DIR/vitae.redb`, create the tables, migrate old
    /// records, and start the writer thread.
    pub fn open(data_dir: &Path) -> Result<RedbStore, StoreError> {
        let (path, db, seal) = file::open_database(data_dir)?;
        let db = Arc::new(DbCell::new(path, db));
        let room = Arc::new(Room::new(data_dir)?);
        let views = Arc::new(ViewCounter::default());
        let generation = Arc::new(AtomicU64::new(0));
        let (sender, writer_thread) =
            writer::spawn(db.clone(), room.clone(), views.clone(), generation.clone())?;
        Ok(RedbStore {
            db,
            room,
            writer: Some(sender),
            writer_thread: Some(writer_thread),
            views,
            generation,
            principals: ReadCache::new(1024, 1024 * 1024),
            shared: ReadCache::new(4096, SHARED_CACHE_BYTES),
            quotas: std::sync::RwLock::new(Quotas::default()),
            seal: Arc::new(seal),
        })
    }

    /// A key for `purpose` derived from the data dir's share-link key
    /// ([`crate::store::sealing::TokenSeal::derive`]): the HTTP layer signs
    /// share-link cookies with one.
    pub fn derived_key(&self, purpose: &str) -> [u8; 32] {
        self.seal.derive(purpose)
    }

    /// Set what one owner may keep; checked by every later write.
    pub fn set_quotas(&self, quotas: Quotas) {
        *self.quotas.write().unwrap_or_else(|e| e.into_inner()) = quotas;
    }

    /// The quotas in force, for a write to check (a copy: the writer
    /// thread must not take this lock).
    fn current_quotas(&self) -> Quotas {
        *self.quotas.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Keep at least `bytes` free on the data dir's disk: a write that finds
    /// less is refused ([`StoreError::Full`]) before it touches the file.
    pub fn set_min_free_bytes(&self, bytes: u64) {
        self.room.set_min_free_bytes(bytes);
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

    /// Tell the writer that share views are pending (the first since its
    /// last flush), so it stores them soon.
    fn views_pending(&self) {
        if let Some(writer) = &self.writer {
            // A stopped writer means the store is closing; its final flush
            // still stores the views.
            let _ = writer.send(Work::Views);
        }
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

#[async_trait]
impl Store for RedbStore {
    fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    // ---- resumes -------------------------------------------------------
    async fn create_resume(&self, new: NewResume) -> Result<StoredResume, StoreError> {
        resumes::create(self, new).await
    }

    async fn get_resume(&self, owner: &str, id: Uuid) -> Result<StoredResume, StoreError> {
        resumes::get(self, owner, id)
    }

    async fn get_resume_raw(
        &self,
        owner: &str,
        id: Uuid,
    ) -> Result<StoredResume<RawDocument>, StoreError> {
        resumes::get_off_thread(self, owner, id).await
    }

    async fn resumes_page(
        &self,
        owner: &str,
        page: Page<Position>,
    ) -> Result<Paged<StoredResume, Position>, StoreError> {
        resumes::page(self, owner, page).await
    }

    async fn original(&self, id: Uuid) -> Result<Bytes, StoreError> {
        resumes::original(self, id).await
    }

    async fn mark_parsing(&self, id: Uuid) -> Result<StoredResume, StoreError> {
        resumes::mark_parsing(self, id).await
    }

    async fn finish_parse(
        &self,
        id: Uuid,
        outcome: ParseOutcome,
    ) -> Result<StoredResume, StoreError> {
        resumes::finish_parse(self, id, outcome).await
    }

    async fn patch_document(
        &self,
        owner: &str,
        id: Uuid,
        if_match: Option<u64>,
        patch: serde_json::Value,
    ) -> Result<StoredResume, StoreError> {
        revisions::patch(self, owner, id, if_match, patch).await
    }

    async fn revisions_page(
        &self,
        owner: &str,
        id: Uuid,
        page: Page<u64>,
    ) -> Result<Paged<RevisionRecord, u64>, StoreError> {
        revisions::page(self, owner, id, page).await
    }

    async fn get_revision(
        &self,
        owner: &str,
        id: Uuid,
        revision: u64,
    ) -> Result<RevisionRecord, StoreError> {
        revisions::get(self, owner, id, revision).await
    }

    async fn restore_revision(
        &self,
        owner: &str,
        id: Uuid,
        revision: u64,
        if_match: Option<u64>,
    ) -> Result<StoredResume, StoreError> {
        revisions::restore(self, owner, id, revision, if_match).await
    }

    async fn create_tailored(&self, tailored: NewTailored) -> Result<StoredResume, StoreError> {
        tailored::create(self, tailored).await
    }

    async fn delete_resume(&self, owner: &str, id: Uuid) -> Result<DeletedResume, StoreError> {
        resumes::delete(self, owner, id).await
    }

    async fn set_master(&self, owner: &str, id: Uuid) -> Result<StoredResume, StoreError> {
        resumes::set_master(self, owner, id).await
    }

    async fn unfinished_resumes(&self) -> Result<Vec<(Uuid, String)>, StoreError> {
        resumes::unfinished(self).await
    }

    // ---- shares --------------------------------------------------------
    async fn create_share_with(
        &self,
        owner: &str,
        resume_id: Uuid,
        new: NewShare,
    ) -> Result<ShareRecord, StoreError> {
        shares::create(self, owner, resume_id, new).await
    }

    async fn shares_page(
        &self,
        owner: &str,
        resume_id: Uuid,
        page: Page<Position>,
    ) -> Result<Paged<ShareRecord, Position>, StoreError> {
        shares::page(self, owner, resume_id, page).await
    }

    async fn revoke_share(&self, owner: &str, token: &str) -> Result<ShareRecord, StoreError> {
        shares::revoke(self, owner, token).await
    }

    async fn open_share(&self, token: &str, now: DateTime<Utc>) -> Result<SharedView, StoreError> {
        shares::open(self, token, now).await
    }

    fn count_share_view(
        &self,
        token: &str,
        client: std::net::IpAddr,
        at: DateTime<Utc>,
        form: &'static str,
        share: &mut ShareRecord,
    ) {
        shares::count(self, token, client, at, form, share)
    }

    async fn share_history(
        &self,
        owner: &str,
        token: &str,
    ) -> Result<(ShareRecord, Vec<DayViews>), StoreError> {
        shares::history(self, owner, token).await
    }

    // ---- jobs ----------------------------------------------------------
    async fn create_job(&self, new: NewJob) -> Result<(JobRecord, bool), StoreError> {
        jobs::create(self, new).await
    }

    async fn find_job_by_hash(
        &self,
        owner: &str,
        content_hash: &str,
    ) -> Result<Option<JobRecord>, StoreError> {
        jobs::find_by_hash(self, owner, content_hash).await
    }

    async fn get_job(&self, owner: &str, id: Uuid) -> Result<JobRecord, StoreError> {
        jobs::get(self, owner, id).await
    }

    async fn jobs_page(
        &self,
        owner: &str,
        page: Page<Position>,
    ) -> Result<Paged<JobRecord, Position>, StoreError> {
        jobs::page(self, owner, page).await
    }

    async fn update_job(
        &self,
        owner: &str,
        id: Uuid,
        new: NewJob,
    ) -> Result<JobRecord, StoreError> {
        jobs::update(self, owner, id, new).await
    }

    async fn delete_job(&self, owner: &str, id: Uuid) -> Result<(), StoreError> {
        jobs::delete(self, owner, id).await
    }

    // ---- exports -------------------------------------------------------
    async fn cached_export(&self, key: &str) -> Result<Option<CachedExport>, StoreError> {
        exports::cached(self, key).await
    }

    async fn cache_export(
        &self,
        file: CachedExport,
        max_bytes: u64,
        used: Vec<(String, i64)>,
    ) -> Result<(), StoreError> {
        exports::cache(self, file, max_bytes, used).await
    }

    async fn create_export(&self, record: ExportRecord) -> Result<(), StoreError> {
        exports::create(self, record).await
    }

    async fn update_export(&self, record: ExportRecord) -> Result<(), StoreError> {
        exports::update(self, record).await
    }

    async fn get_export(&self, owner: &str, id: Uuid) -> Result<ExportRecord, StoreError> {
        exports::get(self, owner, id).await
    }

    async fn unfinished_exports(&self) -> Result<Vec<ExportRecord>, StoreError> {
        exports::unfinished(self).await
    }

    // ---- auth ----------------------------------------------------------
    async fn create_token(
        &self,
        user: &str,
        admin: bool,
    ) -> Result<(String, Principal), StoreError> {
        tokens::create(self, user, admin).await
    }

    async fn authenticate(&self, token: &str) -> Result<Option<Principal>, StoreError> {
        tokens::authenticate(self, token)
    }

    // ---- quotas --------------------------------------------------------
    async fn usage(&self, owner: &str) -> Result<Usage, StoreError> {
        self.lookup(|txn| usage::read(&txn.open_table(tables::USAGE)?, owner))
    }

    fn quotas(&self) -> Quotas {
        self.current_quotas()
    }

    async fn ready(&self) -> Result<(), StoreError> {
        // Writes are refused before they start when the disk is full or
        // read-only; a read fails while the file is being reopened.
        self.room.check()?;
        self.lookup(|txn| {
            txn.open_table(tables::RESUMES)?;
            Ok(())
        })
    }
}
