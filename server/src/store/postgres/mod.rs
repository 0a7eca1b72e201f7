//! The PostgreSQL backend of [`Store`]: one database, shared by any number
//! of server instances (selected by `--database-url postgres://…`).
//!
//! [`PgStore`] holds a connection pool (deadpool-postgres over
//! tokio-postgres); its [`Store`] impl only delegates, one entity module per
//! group of operations, mirroring the redb backend (`../redb/`). Records are
//! the same JSON records with the same schema versions
//! ([`crate::store::records`]), in a `record` text column beside the
//! columns that constraints, indexes and compare-and-sets need
//! (`migrations/0001_init.sql` says which). Revision rows, deltas, quotas,
//! share-view counting and token sealing are the backend-neutral modules of
//! [`crate::store`].
//!
//! The guarantees, and how this backend keeps them:
//!
//! - **Durable answers**: every write is one transaction, committed (with
//!   the server's default `synchronous_commit = on`) before the method
//!   returns `Ok`. A commit whose outcome is unknown (the connection broke)
//!   answers [`StoreError::Failing`], never success.
//! - **One master per owner**: a partial UNIQUE index
//!   (`resumes_one_master_per_owner`) and a CHECK that only a `ready`
//!   resume is master; the code never relies on a read-then-write alone.
//! - **Per-owner serialisation**: every write that changes what an owner
//!   keeps first locks the owner's `usage` row (`FOR UPDATE`, see
//!   [`usage`]), so quota checks cannot be overshot and the master rule
//!   sees the latest state; the constraint above is the backstop.
//! - **If-Match**: an edit is a compare-and-set on the `revision` column
//!   (`UPDATE … WHERE revision = $expected`, see [`revisions`]).
//! - **Share views** are counted in memory per instance (once per client per
//!   link per hour, [`crate::store::views`]) and flushed every
//!   [`crate::store::views::FLUSH_DELAY`] into per-(share, instance) total
//!   rows and per-(share, day, form, instance) history rows that only this
//!   instance writes ([`shares`]): no hot row, and a share's count is the
//!   sum of its total rows.
//! - **Paged lists** are keyset reads of an index in list order, at most
//!   `limit + 1` rows ([`pages`]; revisions by their primary key,
//!   [`revisions`]): never an OFFSET or the whole list.
//! - **Database down**: a failed connection or a pool timeout is
//!   [`StoreError::Failing`], which the HTTP layer answers 503 with
//!   `Retry-After`; the pool reconnects on its own when the database is back.
//! - **Parse queue**: in the database, shared by the instances
//!   ([`queue`]): an upload's job is inserted with it, claimed by one
//!   instance at a time under a lease, and its outcome stored only while
//!   the claim holds.
//! - **Read caches**: [`Store::generation`] advances on every write of
//!   this instance and on every write any instance commits, announced by
//!   the database itself (triggers and `LISTEN`, [`changes`]); while that
//!   feed is down it advances on every call, so the caches serve nothing
//!   they cannot prove current.
//!
//! | module | what |
//! |---|---|
//! | `mod.rs` | `PgStore`: open, pool, error mapping, the `Store` impl |
//! | [`connect`] | the database URL, the first connection and what its failure means |
//! | [`migrate`] | versioned SQL migrations, applied at start under an advisory lock |
//! | [`resumes`] | resumes: upload, parse outcome and master rule, pages, delete |
//! | [`revisions`] | edits (merge patch, compare-and-set), history, restore |
//! | [`tailored`] | storing a confirmed tailoring preview as a new resume |
//! | [`shares`] | share links (filed by token hash, tokens sealed), counted views and their history |
//! | [`pages`] | keyset pages of the lists ordered by creation (resumes, shares, jobs) |
//! | [`jobs`] | job descriptions, one per content hash and owner |
//! | [`exports`] | export jobs, and the export cache (LRU in bytes) |
//! | [`tokens`] | API tokens (stored hashed) |
//! | [`usage`] | per-owner usage counters and the owner lock |
//! | [`queue`] | the parse queue shared by the instances: jobs, claims and leases, wake-ups |
//! | [`copy`] | rows read and written as stored, for `vitae-server migrate` |
//! | [`changes`] | the change feed: when this instance's read caches may serve what they hold |
//! | [`events`] | the account event log and `LISTEN`/`NOTIFY` channel shared by all instances |

mod changes;
mod connect;
mod copy;
pub mod events;
mod exports;
mod jobs;
mod migrate;
mod pages;
pub mod queue;
mod resumes;
mod revisions;
mod shares;
mod tailored;
mod tokens;
mod usage;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_queue;
#[cfg(test)]
mod tests_v2;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime};
use tokio_postgres::error::SqlState;
use uuid::Uuid;

pub use self::connect::DatabaseUrl;
use super::records::{
    CachedExport, ExportRecord, JobRecord, ParseOutcome, Principal, RawDocument, RevisionRecord,
    ShareRecord, StoredResume,
};
use super::sealing::TokenSeal;
use super::views::{DayViews, ViewCounter};
use super::{
    DeletedResume, NewJob, NewResume, NewShare, NewTailored, Page, Paged, Position, Quotas,
    SharedView, Store, StoreError, Usage,
};

/// Connections one instance keeps open at most.
const POOL_SIZE: usize = 16;
/// How long a request waits for a connection, or for a new one to open,
/// before it answers 503: a database that does not answer within this is
/// down as far as a client can tell.
const POOL_TIMEOUT: Duration = Duration::from_secs(5);

pub struct PgStore {
    pool: Pool,
    /// Share views not yet stored ([`shares`]).
    views: Arc<ViewCounter>,
    /// Held for writing while a flush stores views and forgets them, for
    /// reading while a share is read and its pending views added: no view
    /// is counted twice or missed.
    flush_lock: Arc<tokio::sync::RwLock<()>>,
    /// Wakes the flusher when the first view since its last flush arrives.
    flush_wake: Arc<tokio::sync::Notify>,
    flusher: Option<tokio::task::JoinHandle<()>>,
    /// This process's id in `share_views`: each instance writes its own rows.
    instance: Uuid,
    /// What the read caches key on ([`changes`]).
    changes: Arc<changes::ChangeFeed>,
    /// The change feed's listening task.
    change_listener: Option<tokio::task::JoinHandle<()>>,
    /// Recently authenticated tokens (by hash), while no write happened.
    principals: crate::read_cache::ReadCache<String, Principal>,
    quotas: Arc<std::sync::RwLock<Quotas>>,
    seal: Arc<TokenSeal>,
    /// The connection settings, for the event listener's own connection.
    listen_config: tokio_postgres::Config,
    listen_tls: connect::Tls,
    /// The parse queue ([`queue`]), shared with the pipeline.
    queue: Arc<queue::PgQueue>,
}

impl Drop for PgStore {
    fn drop(&mut self) {
        if let Some(flusher) = self.flusher.take() {
            flusher.abort();
        }
        if let Some(listener) = self.change_listener.take() {
            listener.abort();
        }
    }
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("instance", &self.instance)
            .finish_non_exhaustive()
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        db_error(e)
    }
}

impl From<PoolError> for StoreError {
    fn from(e: PoolError) -> Self {
        match e {
            PoolError::Backend(e) => db_error(e),
            PoolError::Timeout(_) => StoreError::Failing(format!(
                "the database did not answer within {} s",
                POOL_TIMEOUT.as_secs()
            )),
            PoolError::Closed => StoreError::Failing("the database pool is closed".into()),
            other => StoreError::Backend(other.to_string()),
        }
    }
}

/// What a database error means to a caller: the database out of reach (or
/// refusing work for now) is [`StoreError::Failing`], answered 503 with
/// `Retry-After`; a unique violation is a [`StoreError::Conflict`] (two
/// requests raced for what only one may have); the rest is a bug or damage.
fn db_error(e: tokio_postgres::Error) -> StoreError {
    let Some(db) = e.as_db_error() else {
        // No answer from the server: the connection failed or broke.
        return StoreError::Failing(format!("the database is unreachable: {e}"));
    };
    let code = db.code();
    if code == &SqlState::UNIQUE_VIOLATION {
        return StoreError::Conflict(format!(
            "a concurrent change got there first ({}); retry",
            db.constraint().unwrap_or("unique")
        ));
    }
    let class = &code.code()[..2];
    // 08: connection exception; 53: insufficient resources; 57: operator
    // intervention (shutdown, cannot connect now); 40: serialization
    // failure or deadlock, which a retry resolves.
    if matches!(class, "08" | "53" | "57" | "40") {
        return StoreError::Failing(format!("the database cannot serve this now: {e}"));
    }
    StoreError::Backend(format!("database error: {e}"))
}

impl PgStore {
    /// Connect to `url`, check and apply the schema migrations, load (or
    /// make) the share-link key in `data_dir`, and start the view flusher.
    /// A database that cannot be reached, refuses the credentials or does
    /// not exist stops the start with an error that says which
    /// ([`connect`]).
    pub async fn open(url: &DatabaseUrl, data_dir: &Path) -> Result<PgStore, StoreError> {
        let config = url.config()?;
        let tls = url.tls()?;
        connect::check(&config, url, &tls).await?;
        let listen_config = config.clone();
        let listen_tls = tls.clone();
        let manager = Manager::from_config(
            config,
            tls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(POOL_TIMEOUT))
            .create_timeout(Some(POOL_TIMEOUT))
            .recycle_timeout(Some(POOL_TIMEOUT))
            .build()
            .map_err(|e| StoreError::Backend(format!("building the connection pool: {e}")))?;
        let mut client = pool.get().await?;
        migrate::run(&mut client).await?;
        let seal = load_seal(&client, data_dir).await?;
        drop(client);
        let views = Arc::new(ViewCounter::default());
        let flush_lock = Arc::new(tokio::sync::RwLock::new(()));
        let flush_wake = Arc::new(tokio::sync::Notify::new());
        let instance = Uuid::new_v4();
        let flusher = tokio::spawn(shares::flusher(
            pool.clone(),
            views.clone(),
            flush_lock.clone(),
            flush_wake.clone(),
            instance,
        ));
        let quotas = Arc::new(std::sync::RwLock::new(Quotas::default()));
        let changes = Arc::new(changes::ChangeFeed::default());
        let change_listener = tokio::spawn(changes::listen(
            listen_config.clone(),
            listen_tls.clone(),
            changes.clone(),
        ));
        let queue = Arc::new(queue::PgQueue {
            changes: changes.clone(),
            pool: pool.clone(),
            instance,
            quotas: quotas.clone(),
            config: listen_config.clone(),
            tls: listen_tls.clone(),
            wake: Arc::new(tokio::sync::Notify::new()),
            listener: std::sync::Mutex::new(None),
        });
        Ok(PgStore {
            pool,
            views,
            flush_lock,
            flush_wake,
            flusher: Some(flusher),
            instance,
            changes,
            change_listener: Some(change_listener),
            principals: crate::read_cache::ReadCache::new(1024, 1024 * 1024),
            quotas,
            seal: Arc::new(seal),
            listen_config,
            listen_tls,
            queue,
        })
    }

    /// A key for `purpose` derived from the share-link key
    /// ([`TokenSeal::derive`]): the HTTP layer signs share-link cookies
    /// with one, so every instance on one database (same key file) accepts
    /// the others' cookies.
    pub fn derived_key(&self, purpose: &str) -> [u8; 32] {
        self.seal.derive(purpose)
    }

    /// The shared event log and notification channel
    /// ([`events`], [`crate::sse::relay`]).
    pub fn events(&self) -> events::PgEvents {
        events::PgEvents::new(
            self.pool.clone(),
            self.listen_config.clone(),
            self.listen_tls.clone(),
        )
    }

    /// Pass a write's result through, first telling the read caches that
    /// what it changed must not be served from them, even before the
    /// database's notification of it comes back ([`changes`]).
    fn after_write<T>(&self, result: T) -> T {
        self.changes.wrote();
        result
    }

    /// Set what one owner may keep; checked by every later write.
    pub fn set_quotas(&self, quotas: Quotas) {
        *self.quotas.write().unwrap_or_else(|e| e.into_inner()) = quotas;
    }

    fn current_quotas(&self) -> Quotas {
        *self.quotas.read().unwrap_or_else(|e| e.into_inner())
    }

    /// A pooled connection.
    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        Ok(self.pool.get().await?)
    }

    /// Store the pending share views now (tests; the flusher does this on
    /// its own every [`crate::store::views::FLUSH_DELAY`]).
    #[cfg(test)]
    async fn flush_views(&self) -> Result<usize, StoreError> {
        shares::flush(&self.pool, &self.views, &self.flush_lock, self.instance).await
    }
}

/// The share-link key in `DIR/share.key` ([`crate::store::sealing`]), made
/// on the first start; a database that already holds shares and a data dir
/// without the key stops the start (a new key would open none of them).
/// Several instances on one database need the same key file.
async fn load_seal(
    client: &deadpool_postgres::Object,
    data_dir: &Path,
) -> Result<TokenSeal, StoreError> {
    if let Some(seal) = TokenSeal::load(data_dir)? {
        return Ok(seal);
    }
    let row = client
        .query_one("SELECT EXISTS (SELECT 1 FROM shares)", &[])
        .await?;
    if row.get::<_, bool>(0) {
        return Err(StoreError::Unusable(format!(
            "the database holds share links but {} has no {}: copy the key file from the \
             instance that made them (every instance on one database needs the same key; \
             docs/operations.md, \"Share-link key\")",
            data_dir.display(),
            super::sealing::KEY_FILE
        )));
    }
    let dir = data_dir.to_path_buf();
    tokio::task::spawn_blocking(move || TokenSeal::create(&dir))
        .await
        .map_err(|e| StoreError::Backend(format!("making the share-link key: {e}")))?
}

#[async_trait]
impl Store for PgStore {
    /// Advances on every committed write of any instance ([`changes`]).
    fn generation(&self) -> u64 {
        self.changes.generation()
    }

    // ---- resumes -------------------------------------------------------
    async fn create_resume(&self, new: NewResume) -> Result<StoredResume, StoreError> {
        self.after_write(resumes::create(self, new).await)
    }

    async fn get_resume(&self, owner: &str, id: Uuid) -> Result<StoredResume, StoreError> {
        resumes::get(self, owner, id).await
    }

    async fn get_resume_raw(
        &self,
        owner: &str,
        id: Uuid,
    ) -> Result<StoredResume<RawDocument>, StoreError> {
        resumes::get(self, owner, id).await
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
        self.after_write(resumes::mark_parsing(self, id).await)
    }

    async fn finish_parse(
        &self,
        id: Uuid,
        outcome: ParseOutcome,
    ) -> Result<StoredResume, StoreError> {
        self.after_write(resumes::finish_parse(self, id, outcome).await)
    }

    async fn patch_document(
        &self,
        owner: &str,
        id: Uuid,
        if_match: Option<u64>,
        patch: serde_json::Value,
    ) -> Result<StoredResume, StoreError> {
        self.after_write(revisions::patch(self, owner, id, if_match, patch).await)
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
        self.after_write(revisions::restore(self, owner, id, revision, if_match).await)
    }

    async fn create_tailored(&self, tailored: NewTailored) -> Result<StoredResume, StoreError> {
        self.after_write(tailored::create(self, tailored).await)
    }

    async fn delete_resume(&self, owner: &str, id: Uuid) -> Result<DeletedResume, StoreError> {
        self.after_write(resumes::delete(self, owner, id).await)
    }

    async fn set_master(&self, owner: &str, id: Uuid) -> Result<StoredResume, StoreError> {
        self.after_write(resumes::set_master(self, owner, id).await)
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
        self.after_write(shares::create(self, owner, resume_id, new).await)
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
        self.after_write(shares::revoke(self, owner, token).await)
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
        self.after_write(jobs::create(self, new).await)
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
        self.after_write(jobs::update(self, owner, id, new).await)
    }

    async fn delete_job(&self, owner: &str, id: Uuid) -> Result<(), StoreError> {
        self.after_write(jobs::delete(self, owner, id).await)
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
        self.after_write(tokens::create(self, user, admin).await)
    }

    async fn authenticate(&self, token: &str) -> Result<Option<Principal>, StoreError> {
        tokens::authenticate(self, token).await
    }

    // ---- quotas --------------------------------------------------------
    async fn usage(&self, owner: &str) -> Result<Usage, StoreError> {
        let client = self.client().await?;
        usage::read(&**client, owner).await
    }

    fn quotas(&self) -> Quotas {
        self.current_quotas()
    }

    async fn ready(&self) -> Result<(), StoreError> {
        let client = self.client().await?;
        migrate::check_current(&client).await
    }

    fn pool_connections(&self) -> Option<(usize, usize, usize)> {
        let status = self.pool.status();
        let in_use = status.size.saturating_sub(status.available);
        Some((in_use, status.available, status.max_size))
    }

    fn shared_queue(&self) -> Option<Arc<dyn crate::store::queue::SharedQueue>> {
        Some(self.queue.clone())
    }
}

/// Parse a stored record's JSON text.
fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    Ok(serde_json::from_str(text)?)
}

/// A `u64` the store counts with, as PostgreSQL's `bigint`.
fn big(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
