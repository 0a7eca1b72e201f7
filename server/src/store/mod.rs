//! The storage layer: every durable fact of Vitae goes through the [`Store`] trait.
//!
//! This module is the backend-agnostic seam: the [`Store`] trait, its inputs
//! and outputs ([`NewResume`], [`SharedView`], …), [`StoreError`], and the
//! stored records with their schema versions and migrations ([`records`]).
//! Handlers and the parse pipeline hold an `Arc<dyn Store>` and see nothing
//! else. Share-view counting ([`views`]) and the sealing of share tokens at
//! rest ([`sealing`]) are backend-agnostic too.
//!
//! Each backend is a folder beside this file that implements [`Store`]:
//! [`redb`] ([`redb::RedbStore`]: one redb file in the data dir, the
//! default) and [`postgres`] ([`postgres::PgStore`]: a PostgreSQL database,
//! chosen by `--database-url`, for several server instances behind one load
//! balancer), with the same contract; the server picks one at start-up
//! ([`open`]) and nothing above this module changes. What both keep the
//! same way lives beside them: revision rows ([`history`]), revision
//! deltas ([`delta`]), quotas ([`quota`]), share-view counting ([`views`])
//! and token sealing ([`sealing`]); copying one backend's rows into
//! another as stored, verified, is [`copy`] (`vitae-server migrate`).
//!
//! The contract every backend keeps: every method that returns `Ok` has made
//! its write durable (fsynced) before returning, so an acknowledged write
//! survives `kill -9`. A store shared by several instances also keeps the
//! parse queue ([`queue`], [`Store::shared_queue`]). Ownership is enforced here, not in handlers: a method
//! that takes an `owner` answers [`StoreError::NotFound`] for another
//! owner's record, so ids never leak across accounts.

pub mod copy;
pub mod delta;
pub mod history;
pub mod metered;
pub mod postgres;
pub mod queue;
pub mod quota;
pub mod records;
pub mod redb;
pub mod sealing;
pub mod views;

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use quota::{Quotas, Usage};
pub use records::{
    CachedExport, ExportRecord, JobRecord, ParseOutcome, Principal, RawDocument, ResumeRecord,
    RevisionRecord, ShareLayout, ShareRecord, ShareSettings, StoredResume,
};
pub use views::DayViews;

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("revision {expected} is stale: the current revision is {current}")]
    StaleRevision { expected: u64, current: u64 },
    #[error("{0}")]
    Invalid(String),
    #[error("the share link has {0}")]
    Gone(&'static str),
    #[error("the data dir is in use by another process (a running server?): {0}")]
    Locked(String),
    /// The data file is not ours, or is damaged: the server must not start.
    #[error("{0}")]
    Unusable(String),
    #[error("{0}")]
    Full(String),
    #[error("{0}")]
    ReadOnly(String),
    /// The store hit an I/O error it is recovering from.
    #[error("{0}")]
    Failing(String),
    #[error("storage error: {0}")]
    Backend(String),
    /// The write would take its owner over a quota; nothing was written.
    #[error("{0}")]
    Quota(quota::QuotaExceeded),
}

/// A new upload, before it is parsed.
#[derive(Debug, Clone)]
pub struct NewResume {
    pub owner: String,
    pub filename: String,
    pub content_type: String,
    pub original: Bytes,
    pub parent_id: Option<Uuid>,
}

/// A job description, extracted and ready to store.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub owner: String,
    pub title: String,
    pub company: Option<String>,
    pub format: String,
    pub body: String,
    pub text: String,
    pub keywords: vitae_common::jobs::JobKeywords,
    pub content_hash: String,
}

/// A confirmed tailoring preview, to store as a new resume.
#[derive(Debug, Clone)]
pub struct NewTailored {
    pub owner: String,
    pub source_id: Uuid,
    /// The source revision the preview was computed from; the store refuses
    /// (`Conflict`) when the source has moved on since.
    pub source_revision: u64,
    pub job_id: Uuid,
    pub job_revision: u64,
    pub filename: String,
    pub document: vitae_common::Resume,
    pub origin: String,
}

/// Who a deleted resume's shares were, so callers can announce the revocations.
#[derive(Debug, Clone)]
pub struct DeletedResume {
    pub record: ResumeRecord,
    pub share_tokens: Vec<String>,
    /// The resume that became master because the deleted one was master.
    pub new_master: Option<Uuid>,
}

/// The result of opening a share link: the share after counting this access,
/// and the resume it points at.
#[derive(Debug, Clone)]
pub struct SharedView {
    pub share: ShareRecord,
    /// The shared resume, its document as stored (a link's JSON form passes
    /// it through; its pages parse it).
    pub resume: std::sync::Arc<ResumeRecord<RawDocument>>,
}

/// A new share link: when it expires, how its files are laid out, and
/// the owner's choices ([`ShareSettings`]; a pinned revision must exist).
#[derive(Debug, Clone)]
pub struct NewShare {
    pub expires_at: DateTime<Utc>,
    pub layout: ShareLayout,
    pub settings: ShareSettings,
    /// Pin the link to the resume's current revision, read in the same
    /// transaction that stores the link (`"pin": true`).
    pub pin_current: bool,
}

/// One page of a list: at most `limit` items, those after `after` (the
/// position of the previous page's last item; `None`: from the start).
///
/// Every list is in one fixed order over positions that never change
/// (creation time and key, or revision number), and a page is the items
/// after a position, not an offset: a walk page by page meets every item
/// that existed when it began exactly once, however many are added or
/// removed meanwhile. A backend answers a page from an index in that order,
/// reading at most `limit + 1` entries, never the whole list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<K> {
    pub limit: usize,
    pub after: Option<K>,
}

/// A page of items, and the position the next page starts after (`None`:
/// this was the last page).
#[derive(Debug, Clone)]
pub struct Paged<T, K> {
    pub items: Vec<T>,
    pub next: Option<K>,
}

/// An item's place in a list ordered by creation: its `created_at` in
/// microseconds since the epoch, then its key (a resume's id, a share's
/// token hash) to order items created in the same microsecond.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub at: i64,
    pub key: String,
}

/// Every item of a list, page by page (1,000 at a time), for the
/// provided `list_*` methods.
#[cfg(test)]
async fn walk<T, K, F, Fut>(mut page: F) -> Result<Vec<T>, StoreError>
where
    F: FnMut(Page<K>) -> Fut,
    Fut: std::future::Future<Output = Result<Paged<T, K>, StoreError>>,
{
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let paged = page(Page { limit: 1000, after }).await?;
        all.extend(paged.items);
        match paged.next {
            Some(next) => after = Some(next),
            None => return Ok(all),
        }
    }
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// A number that grows after every committed write, and only then. An
    /// answer computed from reads begun after this returned `g` is current
    /// for as long as this still returns `g` (see `crate::read_cache`).
    fn generation(&self) -> u64;

    // ---- resumes -------------------------------------------------------
    /// Store a new upload with status `pending` and keep its original bytes.
    async fn create_resume(&self, new: NewResume) -> Result<StoredResume, StoreError>;
    /// One of `owner`'s resumes.
    async fn get_resume(&self, owner: &str, id: Uuid) -> Result<StoredResume, StoreError>;
    /// [`Self::get_resume`] with the document left as the stored JSON text:
    /// for answers that pass it through unchanged, which then skip parsing
    /// and re-encoding it.
    async fn get_resume_raw(
        &self,
        owner: &str,
        id: Uuid,
    ) -> Result<StoredResume<RawDocument>, StoreError>;
    /// One page of `owner`'s resumes, oldest first ([`Page`]).
    async fn resumes_page(
        &self,
        owner: &str,
        page: Page<Position>,
    ) -> Result<Paged<StoredResume, Position>, StoreError>;
    /// All of `owner`'s resumes, oldest first, page by page (tests;
    /// handlers answer one page).
    #[cfg(test)]
    async fn list_resumes(&self, owner: &str) -> Result<Vec<StoredResume>, StoreError> {
        walk(|page| self.resumes_page(owner, page)).await
    }
    /// The uploaded bytes, as received.
    async fn original(&self, id: Uuid) -> Result<Bytes, StoreError>;
    /// Move a `pending` resume to `parsing`.
    async fn mark_parsing(&self, id: Uuid) -> Result<StoredResume, StoreError>;
    /// Store the parse outcome. A `ready` resume becomes master in the same
    /// transaction when its owner has none.
    async fn finish_parse(
        &self,
        id: Uuid,
        outcome: ParseOutcome,
    ) -> Result<StoredResume, StoreError>;
    /// Apply a JSON Merge Patch to the document of a `ready` resume; keeps the
    /// previous revision. `if_match` is the revision the client last saw.
    async fn patch_document(
        &self,
        owner: &str,
        id: Uuid,
        if_match: Option<u64>,
        patch: serde_json::Value,
    ) -> Result<StoredResume, StoreError>;
    /// One page of a resume's revisions, oldest first, the current one
    /// last; the position is the revision number.
    async fn revisions_page(
        &self,
        owner: &str,
        id: Uuid,
        page: Page<u64>,
    ) -> Result<Paged<RevisionRecord, u64>, StoreError>;
    /// Every revision, oldest first, page by page (tests).
    #[cfg(test)]
    async fn list_revisions(
        &self,
        owner: &str,
        id: Uuid,
    ) -> Result<Vec<RevisionRecord>, StoreError> {
        walk(|page| self.revisions_page(owner, id, page)).await
    }
    async fn get_revision(
        &self,
        owner: &str,
        id: Uuid,
        revision: u64,
    ) -> Result<RevisionRecord, StoreError>;
    /// Make revision `revision` current again by copying it into a new
    /// revision: history is never rewritten.
    async fn restore_revision(
        &self,
        owner: &str,
        id: Uuid,
        revision: u64,
        if_match: Option<u64>,
    ) -> Result<StoredResume, StoreError>;
    /// Store a tailored version as a new `ready` resume whose `parent_id` is
    /// the source, atomically checking that neither the source nor the job
    /// changed since the preview.
    async fn create_tailored(&self, tailored: NewTailored) -> Result<StoredResume, StoreError>;
    /// Delete a resume, its revisions, original bytes and shares.
    async fn delete_resume(&self, owner: &str, id: Uuid) -> Result<DeletedResume, StoreError>;
    /// Make a `ready` resume its owner's master, atomically.
    async fn set_master(&self, owner: &str, id: Uuid) -> Result<StoredResume, StoreError>;
    /// Resumes left `pending` or `parsing` (by a crash or shutdown), oldest
    /// first: their ids and owners.
    async fn unfinished_resumes(&self) -> Result<Vec<(Uuid, String)>, StoreError>;

    // ---- shares --------------------------------------------------------
    /// A live link with the default settings ([`Self::create_share_with`]);
    /// the tests' shorthand.
    #[cfg(test)]
    async fn create_share(
        &self,
        owner: &str,
        resume_id: Uuid,
        expires_at: DateTime<Utc>,
        layout: ShareLayout,
    ) -> Result<ShareRecord, StoreError> {
        let new = NewShare {
            expires_at,
            layout,
            settings: ShareSettings::default(),
            pin_current: false,
        };
        self.create_share_with(owner, resume_id, new).await
    }
    /// A new link to one of `owner`'s resumes. A pinned revision that the
    /// resume does not have (or no longer has) is `NotFound("revision")`.
    async fn create_share_with(
        &self,
        owner: &str,
        resume_id: Uuid,
        new: NewShare,
    ) -> Result<ShareRecord, StoreError>;
    /// One page of a resume's share links, oldest first, with their
    /// pending views counted ([`Page`]).
    async fn shares_page(
        &self,
        owner: &str,
        resume_id: Uuid,
        page: Page<Position>,
    ) -> Result<Paged<ShareRecord, Position>, StoreError>;
    /// Every share link of a resume, oldest first, page by page (tests).
    #[cfg(test)]
    async fn list_shares(
        &self,
        owner: &str,
        resume_id: Uuid,
    ) -> Result<Vec<ShareRecord>, StoreError> {
        walk(|page| self.shares_page(owner, resume_id, page)).await
    }
    async fn revoke_share(&self, owner: &str, token: &str) -> Result<ShareRecord, StoreError>;
    /// Open a share link and count the view as a page view
    /// ([`Self::open_share`], then [`Self::count_share_view`]); the tests'
    /// shorthand.
    #[cfg(test)]
    async fn access_share(
        &self,
        token: &str,
        client: std::net::IpAddr,
        now: DateTime<Utc>,
    ) -> Result<SharedView, StoreError> {
        let mut view = self.open_share(token, now).await?;
        self.count_share_view(token, client, now, "html", &mut view.share);
        Ok(view)
    }
    /// Open a share link without counting a view: `NotFound` when unknown,
    /// `Gone` when expired or revoked. The caller counts the view with
    /// [`Self::count_share_view`] once it is sure to answer it (a wrong
    /// password is no view).
    async fn open_share(&self, token: &str, now: DateTime<Utc>) -> Result<SharedView, StoreError>;
    /// Count a view of `form` (`html`, `json`, `md`, `pdf` or `docx`), once per
    /// `client` per link per hour ([`views::Viewers`]), in memory (stored
    /// in batches), and add it to `share`'s counts. No I/O.
    fn count_share_view(
        &self,
        token: &str,
        client: std::net::IpAddr,
        at: DateTime<Utc>,
        form: &'static str,
        share: &mut ShareRecord,
    );
    /// One of `owner`'s links with its view history, oldest day first
    /// (at most [`views::HISTORY_DAYS`] days).
    async fn share_history(
        &self,
        owner: &str,
        token: &str,
    ) -> Result<(ShareRecord, Vec<DayViews>), StoreError>;

    // ---- jobs ----------------------------------------------------------
    /// Store a job description. When the owner already stored one with the
    /// same `content_hash`, that job is answered instead (`false`: not new).
    async fn create_job(&self, new: NewJob) -> Result<(JobRecord, bool), StoreError>;
    /// The owner's job with this content hash, if any.
    async fn find_job_by_hash(
        &self,
        owner: &str,
        content_hash: &str,
    ) -> Result<Option<JobRecord>, StoreError>;
    async fn get_job(&self, owner: &str, id: Uuid) -> Result<JobRecord, StoreError>;
    /// One page of `owner`'s jobs, oldest first ([`Page`]).
    async fn jobs_page(
        &self,
        owner: &str,
        page: Page<Position>,
    ) -> Result<Paged<JobRecord, Position>, StoreError>;
    /// All of `owner`'s jobs, oldest first, page by page (tests).
    #[cfg(test)]
    async fn list_jobs(&self, owner: &str) -> Result<Vec<JobRecord>, StoreError> {
        walk(|page| self.jobs_page(owner, page)).await
    }
    /// Replace a job's description; a different content hash bumps its
    /// revision (which makes earlier previews for it stale).
    async fn update_job(&self, owner: &str, id: Uuid, new: NewJob)
        -> Result<JobRecord, StoreError>;
    async fn delete_job(&self, owner: &str, id: Uuid) -> Result<(), StoreError>;

    // ---- exports -------------------------------------------------------
    /// The export cache's file for `key`, if it still holds one.
    async fn cached_export(&self, key: &str) -> Result<Option<CachedExport>, StoreError>;
    /// Put a rendered file in the export cache, then drop the least
    /// recently used files until the cache holds at most `max_bytes`.
    /// `used` are the keys read since the last call with when they were
    /// read (milliseconds since the epoch): reads do not write, so their
    /// recency reaches the store here. A file larger than `max_bytes` is
    /// not kept.
    async fn cache_export(
        &self,
        file: CachedExport,
        max_bytes: u64,
        used: Vec<(String, i64)>,
    ) -> Result<(), StoreError>;
    /// Store a new export job; the owner's oldest finished jobs beyond
    /// [`MAX_EXPORTS_PER_OWNER`] are forgotten.
    async fn create_export(&self, record: ExportRecord) -> Result<(), StoreError>;
    /// Replace an export job's record (its status moved on).
    async fn update_export(&self, record: ExportRecord) -> Result<(), StoreError>;
    async fn get_export(&self, owner: &str, id: Uuid) -> Result<ExportRecord, StoreError>;
    /// Export jobs left `queued` or `rendering` (by a crash or shutdown).
    async fn unfinished_exports(&self) -> Result<Vec<ExportRecord>, StoreError>;

    // ---- auth ----------------------------------------------------------
    /// Create an API token; only its hash is stored. Returns the plain token.
    async fn create_token(
        &self,
        user: &str,
        admin: bool,
    ) -> Result<(String, Principal), StoreError>;
    /// Who a plain token belongs to, if anyone.
    async fn authenticate(&self, token: &str) -> Result<Option<Principal>, StoreError>;

    // ---- quotas (see [`quota`]) ------------------------------------------
    /// What `owner` keeps now, from the counters the writes keep.
    async fn usage(&self, owner: &str) -> Result<Usage, StoreError>;
    /// What one owner may keep.
    fn quotas(&self) -> Quotas;

    // ---- health ----------------------------------------------------------
    /// Whether the store can serve requests now (`GET /readyz`): it answers
    /// a read, and takes writes (a full disk or a store reopening after an
    /// I/O error says so, with the reason).
    async fn ready(&self) -> Result<(), StoreError>;

    /// A pooled backend's connections now, (in use, idle, max), for
    /// `GET /metrics`; `None` for the embedded store, which has no pool.
    fn pool_connections(&self) -> Option<(usize, usize, usize)> {
        None
    }

    /// The parse queue this store keeps for every server instance on it
    /// ([`queue`]); `None` for the embedded store, whose queue is the
    /// pipeline's own, in memory.
    fn shared_queue(&self) -> Option<std::sync::Arc<dyn queue::SharedQueue>> {
        None
    }
}

/// Export jobs kept per owner: enough to look back at a day's exports,
/// bounded so that scripted exports cannot grow the store without end.
pub const MAX_EXPORTS_PER_OWNER: usize = 200;

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// Where the store lives and what it enforces: the settings [`open`] needs.
pub struct OpenOptions<'a> {
    /// The data dir: the redb file, or (on PostgreSQL) the share-link key.
    pub data_dir: &'a std::path::Path,
    /// PostgreSQL instead of redb, when set.
    pub database_url: Option<&'a postgres::DatabaseUrl>,
    pub quotas: Quotas,
    /// Free space the data dir's disk must keep (redb only: PostgreSQL's
    /// disk is the database server's to watch).
    pub min_free_bytes: u64,
}

/// An open store, by backend: the [`Store`] the server serves from, and
/// what only the server's start and SIGHUP reach (the keys derived from
/// the share-link key, the quotas and the free-space floor).
#[derive(Clone)]
pub enum Backend {
    Redb(std::sync::Arc<redb::RedbStore>),
    Postgres(std::sync::Arc<postgres::PgStore>),
}

impl Backend {
    /// The store itself.
    pub fn store(&self) -> std::sync::Arc<dyn Store> {
        match self {
            Backend::Redb(store) => store.clone(),
            Backend::Postgres(store) => store.clone(),
        }
    }

    /// A key for `purpose` derived from the share-link key
    /// ([`sealing::TokenSeal::derive`]).
    pub fn derived_key(&self, purpose: &str) -> [u8; 32] {
        match self {
            Backend::Redb(store) => store.derived_key(purpose),
            Backend::Postgres(store) => store.derived_key(purpose),
        }
    }

    /// Set what one owner may keep; checked by every later write.
    pub fn set_quotas(&self, quotas: Quotas) {
        match self {
            Backend::Redb(store) => store.set_quotas(quotas),
            Backend::Postgres(store) => store.set_quotas(quotas),
        }
    }

    /// Free space the data dir's disk must keep (redb only: PostgreSQL's
    /// disk is the database server's to watch).
    pub fn set_min_free_bytes(&self, bytes: u64) {
        if let Backend::Redb(store) = self {
            store.set_min_free_bytes(bytes);
        }
    }
}

/// Open the store the settings name: PostgreSQL when a database URL is
/// given, else the redb file in the data dir.
pub async fn open(options: OpenOptions<'_>) -> Result<Backend, StoreError> {
    let backend = match options.database_url {
        Some(url) => Backend::Postgres(std::sync::Arc::new(
            postgres::PgStore::open(url, options.data_dir).await?,
        )),
        None => {
            let dir = options.data_dir.to_path_buf();
            let store = tokio::task::spawn_blocking(move || redb::RedbStore::open(&dir))
                .await
                .map_err(|e| StoreError::Backend(format!("opening the store: {e}")))??;
            Backend::Redb(std::sync::Arc::new(store))
        }
    };
    backend.set_min_free_bytes(options.min_free_bytes);
    backend.set_quotas(options.quotas);
    Ok(backend)
}
