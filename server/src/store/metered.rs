//! A [`Store`] that times every operation of the store it wraps for
//! `GET /metrics` ([`crate::metrics`]): one histogram series per operation
//! and outcome. It wraps whichever backend the server opened, so every
//! backend is measured the same way, and it changes nothing else: each call
//! is passed through as it is, and its answer comes back unchanged.

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::queue::{Claim, EnqueueError, Finished, QueueLimits, SharedQueue};
use super::{
    CachedExport, DayViews, DeletedResume, ExportRecord, JobRecord, NewJob, NewResume, NewShare,
    NewTailored, Page, Paged, ParseOutcome, Position, Principal, Quotas, RawDocument,
    RevisionRecord, ShareRecord, SharedView, Store, StoreError, StoredResume, Usage,
};
use crate::metrics::Metrics;
use std::time::Duration;

pub struct MeteredStore {
    inner: Arc<dyn Store>,
    metrics: Arc<Metrics>,
}

impl MeteredStore {
    pub fn new(inner: Arc<dyn Store>, metrics: Arc<Metrics>) -> MeteredStore {
        MeteredStore { inner, metrics }
    }
}

/// Run the inner call, and record how long it took and whether it failed.
macro_rules! timed {
    ($self:ident, $operation:literal, $call:expr) => {{
        let started = Instant::now();
        let result = $call.await;
        $self
            .metrics
            .store_operation($operation, result.is_ok(), started.elapsed());
        result
    }};
}

#[async_trait]
impl Store for MeteredStore {
    fn generation(&self) -> u64 {
        self.inner.generation()
    }

    fn quotas(&self) -> Quotas {
        self.inner.quotas()
    }

    fn pool_connections(&self) -> Option<(usize, usize, usize)> {
        self.inner.pool_connections()
    }

    fn shared_queue(&self) -> Option<Arc<dyn SharedQueue>> {
        let inner = self.inner.shared_queue()?;
        Some(Arc::new(MeteredQueue {
            inner,
            metrics: self.metrics.clone(),
        }))
    }

    async fn create_resume(&self, new: NewResume) -> Result<StoredResume, StoreError> {
        timed!(self, "create_resume", self.inner.create_resume(new))
    }

    async fn get_resume(&self, owner: &str, id: Uuid) -> Result<StoredResume, StoreError> {
        timed!(self, "get_resume", self.inner.get_resume(owner, id))
    }

    async fn get_resume_raw(
        &self,
        owner: &str,
        id: Uuid,
    ) -> Result<StoredResume<RawDocument>, StoreError> {
        timed!(self, "get_resume_raw", self.inner.get_resume_raw(owner, id))
    }

    async fn resumes_page(
        &self,
        owner: &str,
        page: Page<Position>,
    ) -> Result<Paged<StoredResume, Position>, StoreError> {
        timed!(self, "resumes_page", self.inner.resumes_page(owner, page))
    }

    async fn original(&self, id: Uuid) -> Result<Bytes, StoreError> {
        timed!(self, "original", self.inner.original(id))
    }

    async fn mark_parsing(&self, id: Uuid) -> Result<StoredResume, StoreError> {
        timed!(self, "mark_parsing", self.inner.mark_parsing(id))
    }

    async fn finish_parse(
        &self,
        id: Uuid,
        outcome: ParseOutcome,
    ) -> Result<StoredResume, StoreError> {
        timed!(self, "finish_parse", self.inner.finish_parse(id, outcome))
    }

    async fn patch_document(
        &self,
        owner: &str,
        id: Uuid,
        if_match: Option<u64>,
        patch: serde_json::Value,
    ) -> Result<StoredResume, StoreError> {
        timed!(
            self,
            "patch_document",
            self.inner.patch_document(owner, id, if_match, patch)
        )
    }

    async fn revisions_page(
        &self,
        owner: &str,
        id: Uuid,
        page: Page<u64>,
    ) -> Result<Paged<RevisionRecord, u64>, StoreError> {
        timed!(
            self,
            "revisions_page",
            self.inner.revisions_page(owner, id, page)
        )
    }

    async fn get_revision(
        &self,
        owner: &str,
        id: Uuid,
        revision: u64,
    ) -> Result<RevisionRecord, StoreError> {
        timed!(
            self,
            "get_revision",
            self.inner.get_revision(owner, id, revision)
        )
    }

    async fn restore_revision(
        &self,
        owner: &str,
        id: Uuid,
        revision: u64,
        if_match: Option<u64>,
    ) -> Result<StoredResume, StoreError> {
        timed!(
            self,
            "restore_revision",
            self.inner.restore_revision(owner, id, revision, if_match)
        )
    }

    async fn create_tailored(&self, tailored: NewTailored) -> Result<StoredResume, StoreError> {
        timed!(
            self,
            "create_tailored",
            self.inner.create_tailored(tailored)
        )
    }

    async fn delete_resume(&self, owner: &str, id: Uuid) -> Result<DeletedResume, StoreError> {
        timed!(self, "delete_resume", self.inner.delete_resume(owner, id))
    }

    async fn set_master(&self, owner: &str, id: Uuid) -> Result<StoredResume, StoreError> {
        timed!(self, "set_master", self.inner.set_master(owner, id))
    }

    async fn unfinished_resumes(&self) -> Result<Vec<(Uuid, String)>, StoreError> {
        timed!(self, "unfinished_resumes", self.inner.unfinished_resumes())
    }

    async fn create_share_with(
        &self,
        owner: &str,
        resume_id: Uuid,
        new: NewShare,
    ) -> Result<ShareRecord, StoreError> {
        timed!(
            self,
            "create_share",
            self.inner.create_share_with(owner, resume_id, new)
        )
    }

    async fn shares_page(
        &self,
        owner: &str,
        resume_id: Uuid,
        page: Page<Position>,
    ) -> Result<Paged<ShareRecord, Position>, StoreError> {
        timed!(
            self,
            "shares_page",
            self.inner.shares_page(owner, resume_id, page)
        )
    }

    async fn revoke_share(&self, owner: &str, token: &str) -> Result<ShareRecord, StoreError> {
        timed!(self, "revoke_share", self.inner.revoke_share(owner, token))
    }

    async fn open_share(&self, token: &str, now: DateTime<Utc>) -> Result<SharedView, StoreError> {
        timed!(self, "open_share", self.inner.open_share(token, now))
    }

    /// In memory, no I/O: passed through untimed.
    fn count_share_view(
        &self,
        token: &str,
        client: std::net::IpAddr,
        at: DateTime<Utc>,
        form: &'static str,
        share: &mut ShareRecord,
    ) {
        self.inner.count_share_view(token, client, at, form, share)
    }

    async fn share_history(
        &self,
        owner: &str,
        token: &str,
    ) -> Result<(ShareRecord, Vec<DayViews>), StoreError> {
        timed!(
            self,
            "share_history",
            self.inner.share_history(owner, token)
        )
    }

    async fn create_job(&self, new: NewJob) -> Result<(JobRecord, bool), StoreError> {
        timed!(self, "create_job", self.inner.create_job(new))
    }

    async fn find_job_by_hash(
        &self,
        owner: &str,
        content_hash: &str,
    ) -> Result<Option<JobRecord>, StoreError> {
        timed!(
            self,
            "find_job_by_hash",
            self.inner.find_job_by_hash(owner, content_hash)
        )
    }

    async fn get_job(&self, owner: &str, id: Uuid) -> Result<JobRecord, StoreError> {
        timed!(self, "get_job", self.inner.get_job(owner, id))
    }

    async fn jobs_page(
        &self,
        owner: &str,
        page: Page<Position>,
    ) -> Result<Paged<JobRecord, Position>, StoreError> {
        timed!(self, "jobs_page", self.inner.jobs_page(owner, page))
    }

    async fn update_job(
        &self,
        owner: &str,
        id: Uuid,
        new: NewJob,
    ) -> Result<JobRecord, StoreError> {
        timed!(self, "update_job", self.inner.update_job(owner, id, new))
    }

    async fn delete_job(&self, owner: &str, id: Uuid) -> Result<(), StoreError> {
        timed!(self, "delete_job", self.inner.delete_job(owner, id))
    }

    async fn cached_export(&self, key: &str) -> Result<Option<CachedExport>, StoreError> {
        timed!(self, "cached_export", self.inner.cached_export(key))
    }

    async fn cache_export(
        &self,
        file: CachedExport,
        max_bytes: u64,
        used: Vec<(String, i64)>,
    ) -> Result<(), StoreError> {
        timed!(
            self,
            "cache_export",
            self.inner.cache_export(file, max_bytes, used)
        )
    }

    async fn create_export(&self, record: ExportRecord) -> Result<(), StoreError> {
        timed!(self, "create_export", self.inner.create_export(record))
    }

    async fn update_export(&self, record: ExportRecord) -> Result<(), StoreError> {
        timed!(self, "update_export", self.inner.update_export(record))
    }

    async fn get_export(&self, owner: &str, id: Uuid) -> Result<ExportRecord, StoreError> {
        timed!(self, "get_export", self.inner.get_export(owner, id))
    }

    async fn unfinished_exports(&self) -> Result<Vec<ExportRecord>, StoreError> {
        timed!(self, "unfinished_exports", self.inner.unfinished_exports())
    }

    async fn create_token(
        &self,
        user: &str,
        admin: bool,
    ) -> Result<(String, Principal), StoreError> {
        timed!(self, "create_token", self.inner.create_token(user, admin))
    }

    async fn authenticate(&self, token: &str) -> Result<Option<Principal>, StoreError> {
        timed!(self, "authenticate", self.inner.authenticate(token))
    }

    async fn usage(&self, owner: &str) -> Result<Usage, StoreError> {
        timed!(self, "usage", self.inner.usage(owner))
    }

    async fn ready(&self) -> Result<(), StoreError> {
        timed!(self, "ready", self.inner.ready())
    }
}

/// The shared parse queue ([`SharedQueue`]) of the store it wraps, timed
/// the same way: storing an upload and its outcome under the names the
/// embedded store's calls have (`create_resume`, `finish_parse`).
struct MeteredQueue {
    inner: Arc<dyn SharedQueue>,
    metrics: Arc<Metrics>,
}

#[async_trait]
impl SharedQueue for MeteredQueue {
    async fn create_queued(
        &self,
        new: NewResume,
        limits: QueueLimits,
    ) -> Result<StoredResume, EnqueueError> {
        timed!(self, "create_resume", self.inner.create_queued(new, limits))
    }

    async fn claim(&self, lease: Duration) -> Result<Option<Claim>, StoreError> {
        timed!(self, "claim_parse", self.inner.claim(lease))
    }

    async fn renew(&self, claim: &Claim, lease: Duration) -> Result<bool, StoreError> {
        timed!(self, "renew_parse", self.inner.renew(claim, lease))
    }

    async fn finish(&self, claim: &Claim, outcome: ParseOutcome) -> Result<Finished, StoreError> {
        timed!(self, "finish_parse", self.inner.finish(claim, outcome))
    }

    async fn release(&self, claim: &Claim) -> Result<(), StoreError> {
        timed!(self, "release_parse", self.inner.release(claim))
    }

    async fn abandon(&self, claim: &Claim) -> Result<(), StoreError> {
        timed!(self, "abandon_parse", self.inner.abandon(claim))
    }

    async fn waiting(&self) -> Result<usize, StoreError> {
        timed!(self, "parse_queue_waiting", self.inner.waiting())
    }

    async fn adopt_unqueued(&self) -> Result<usize, StoreError> {
        timed!(self, "adopt_unqueued", self.inner.adopt_unqueued())
    }

    fn wake_ups(&self) -> Arc<tokio::sync::Notify> {
        self.inner.wake_ups()
    }
}
