//! The parse pipeline: a bounded queue of resume ids and a pool of workers.
//!
//! Where the jobs come from is one concept with two sources ([`Jobs`]):
//!
//! - **Local** (the embedded store): an in-memory queue. Upload handlers
//!   reserve a queue slot *before* storing the upload (a full queue answers
//!   429 and stores nothing), then hand the id over. At start, every resume
//!   left `pending` or `parsing` is queued again
//!   ([`Pipeline::requeue_unfinished`]).
//! - **Shared** (a store shared by several instances, PostgreSQL,
//!   [`Store::shared_queue`]): the queue is a table. The upload and its job
//!   are stored in one transaction, which checks the bounds against the
//!   whole cluster; workers *claim* jobs under a lease
//!   ([`PARSE_LEASE`]), renew it every third of the lease while the child
//!   runs, and store the outcome only while their claim still holds (a
//!   claim taken over after its lease ran out stores nothing). Idle
//!   workers wait for a wake-up (a notification when any instance queues a
//!   job) and look every half lease anyway, which also takes over the jobs
//!   of an instance that died mid-parse. A job claimed more than
//!   [`crate::store::queue::MAX_PARSE_ATTEMPTS`] times is failed instead of
//!   parsed again. At shutdown, claims not yet started are given back.
//!
//! Both are bounded twice, in total (`queue_capacity`) and per owner
//! (`queue_per_owner`), and serve owners in turn ([`FairQueue`] locally,
//! the job's `round` in the database): one
//! owner's backlog of slow parses delays another owner's upload by at most
//! one parse per owner ahead of it, not by the backlog. Each worker
//! moves its resume to `parsing`, runs the parser in a child process
//! (`vitae-server parse-worker`) and stores the outcome. The child gets the
//! original bytes on stdin and reports stage progress and the result as JSON
//! lines on stdout. A child process, not a thread, because it is the only way
//! to hold a hostile document to a memory budget (RLIMIT_AS) and to a time
//! budget (kill) and to survive a parser crash or stack overflow.
//!
//! Progress is published to the SSE hub as it happens: `received` when
//! queued, the parser's own stages from the child, `stored` after the commit,
//! then exactly one terminal event.
//!
//! What a parse produces is bounded too (`max_parsed_bytes`): the child
//! stops as the extracted text grows past it, and the server checks the
//! child's answer again (its size on the pipe, then the text and the
//! document) before storing it; a child is never trusted.

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::sync::{watch, Notify};
use uuid::Uuid;
use vitae_common::{
    names, ChangeEvent, Failed, Progress, Resume, Stage, Status, TERMINAL_EVENT_ID,
};

use crate::fair_queue::FairQueue;
use crate::metrics::Metrics;
use crate::resource;
use crate::sse::hub::Hub;
use crate::sse::SseEvent;
use crate::store::queue::{Claim, Finished, SharedQueue};
use crate::store::{NewResume, ParseOutcome, Store, StoreError, StoredResume};

/// One line of the parse child's stdout.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerMessage {
    Progress { stage: Stage, message: String },
    Done(Box<WorkerResult>),
    Error { reason: String },
}

#[derive(Debug, Serialize, Deserialize)]
pub struct WorkerResult {
    pub document: Resume,
    pub text: String,
    pub warnings: Vec<String>,
    pub confidence: std::collections::BTreeMap<String, f32>,
}

/// Limits of one parse.
#[derive(Debug, Clone)]
pub struct ParseBudget {
    pub timeout: Duration,
    pub memory_mib: u64,
    /// Most bytes of extracted text, and of the parsed document as JSON.
    pub max_parsed_bytes: u64,
}

/// The reason a parse fails with when it produced more than
/// `max_parsed_bytes`: names the limit and the setting, in the user's terms.
pub fn too_large_reason(what: &str, limit: u64) -> String {
    format!(
        "the {what} is larger than the server's limit of {} for what a parse may produce \
         (setting max_parsed_mib); the file repeats or unpacks into far more text than a resume holds",
        human_bytes(limit)
    )
}

/// `20 MiB`, `512 KiB`, `100 bytes`: limits in messages.
pub fn human_bytes(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else if bytes >= 1024 {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

pub use crate::store::queue::{EnqueueError, QueueFull, QueueLimits};

/// How long a claim on a shared job lasts unless renewed: an instance
/// killed mid-parse holds its job this long at most before another
/// instance takes it over.
pub const PARSE_LEASE: Duration = Duration::from_secs(15);

/// What the queue holds: waiting ids by owner, and places reserved by
/// uploads that are being stored.
#[derive(Default)]
struct QueueState {
    /// Each id with when it was queued (for the queue-wait metric).
    waiting: FairQueue<(Uuid, Instant)>,
    reserved: usize,
    reserved_by: HashMap<String, usize>,
}

impl QueueState {
    /// Give back one of `owner`'s reserved places.
    fn unreserve(&mut self, owner: &str) {
        self.reserved -= 1;
        if let Some(mine) = self.reserved_by.get_mut(owner) {
            *mine -= 1;
            if *mine == 0 {
                self.reserved_by.remove(owner);
            }
        }
    }
}

struct ParseQueue {
    state: std::sync::Mutex<QueueState>,
    /// Woken once per pushed id.
    ready: Notify,
    limits: QueueLimits,
}

impl ParseQueue {
    fn lock(&self) -> std::sync::MutexGuard<'_, QueueState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn push(&self, owner: &str, id: Uuid) {
        self.lock().waiting.push(owner, (id, Instant::now()));
        self.ready.notify_one();
    }

    /// The next id to parse, owners in turn; waits while the queue is empty.
    async fn pop(&self) -> (String, (Uuid, Instant)) {
        loop {
            // Registered before the look, so a push in between is not missed.
            let notified = self.ready.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(next) = self.lock().waiting.pop() {
                return next;
            }
            notified.await;
        }
    }
}

/// Where the workers take their jobs from.
#[derive(Clone)]
enum Jobs {
    /// This process's own queue, in memory (the embedded store).
    Local(Arc<ParseQueue>),
    /// The store's queue, shared by every instance on it.
    Shared(Arc<SharedJobs>),
}

struct SharedJobs {
    queue: Arc<dyn SharedQueue>,
    /// Woken when a job may be waiting.
    wake: Arc<Notify>,
    limits: QueueLimits,
    lease: Duration,
    /// The last count the store answered, for when it does not answer.
    waiting: std::sync::atomic::AtomicUsize,
}

pub struct Pipeline {
    jobs: Jobs,
    hub: Arc<Hub>,
    store: Arc<dyn Store>,
}

/// A reserved place in the queue; given back when dropped unused.
pub struct Slot<'a> {
    queue: &'a ParseQueue,
    owner: String,
    hub: &'a Hub,
    used: bool,
}

impl Slot<'_> {
    /// Queue the resume and announce `received` on its parse stream.
    pub fn enqueue(mut self, id: Uuid) {
        publish_progress(
            self.hub,
            id,
            Stage::Received,
            "upload stored; waiting for a parser",
        );
        self.used = true;
        {
            // One step, so the place is never free and taken at once.
            let mut state = self.queue.lock();
            state.unreserve(&self.owner);
            state.waiting.push(&self.owner, (id, Instant::now()));
        }
        self.queue.ready.notify_one();
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        if !self.used {
            self.queue.lock().unreserve(&self.owner);
        }
    }
}

struct Worker {
    store: Arc<dyn Store>,
    hub: Arc<Hub>,
    metrics: Arc<Metrics>,
    budget: ParseBudget,
    jobs: Jobs,
    shutdown: watch::Receiver<bool>,
}

/// How long a parse waits before it tries again when the store refused to
/// write (a full or read-only disk, a store reopening after an I/O error).
const STORE_RETRY: Duration = Duration::from_secs(5);

/// Store errors that pass once the disk has room or takes writes again.
fn store_will_recover(error: &StoreError) -> bool {
    matches!(
        error,
        StoreError::Full(_) | StoreError::ReadOnly(_) | StoreError::Failing(_)
    )
}

impl Pipeline {
    /// Start `workers` workers; they stop taking jobs when `shutdown` turns
    /// true. They take jobs from the store's shared queue when it has one,
    /// else from a queue of their own.
    pub fn start(
        store: Arc<dyn Store>,
        hub: Arc<Hub>,
        metrics: Arc<Metrics>,
        workers: usize,
        limits: QueueLimits,
        budget: ParseBudget,
        shutdown: watch::Receiver<bool>,
    ) -> (Pipeline, Vec<tokio::task::JoinHandle<()>>) {
        let limits = QueueLimits {
            capacity: limits.capacity.max(1),
            per_owner: limits.per_owner.max(1),
        };
        let jobs = match store.shared_queue() {
            Some(queue) => Jobs::Shared(Arc::new(SharedJobs {
                wake: queue.wake_ups(),
                queue,
                limits,
                lease: PARSE_LEASE,
                waiting: Default::default(),
            })),
            None => Jobs::Local(Arc::new(ParseQueue {
                state: Default::default(),
                ready: Notify::new(),
                limits,
            })),
        };
        let mut handles: Vec<_> = (0..workers)
            .map(|_| {
                let worker = Worker {
                    store: store.clone(),
                    hub: hub.clone(),
                    metrics: metrics.clone(),
                    budget: budget.clone(),
                    jobs: jobs.clone(),
                    shutdown: shutdown.clone(),
                };
                tokio::spawn(worker.run())
            })
            .collect();
        if let Jobs::Shared(shared) = &jobs {
            handles.push(tokio::spawn(look_now_and_then(
                shared.clone(),
                shutdown.clone(),
            )));
        }
        (Pipeline { jobs, hub, store }, handles)
    }

    /// Uploads waiting for a worker (`GET /metrics`): this process's, or
    /// with a shared queue the whole cluster's.
    pub async fn waiting(&self) -> usize {
        match &self.jobs {
            Jobs::Local(queue) => queue.lock().waiting.len(),
            Jobs::Shared(shared) => {
                use std::sync::atomic::Ordering;
                match shared.queue.waiting().await {
                    Ok(n) => {
                        shared.waiting.store(n, Ordering::Relaxed);
                        n
                    }
                    Err(error) => {
                        tracing::debug!(%error, "parse queue depth unknown; the last one answered");
                        shared.waiting.load(Ordering::Relaxed)
                    }
                }
            }
        }
    }

    /// Store a new upload and queue its parse, or say which bound of the
    /// queue is reached (nothing stored then); `received` is announced on
    /// its parse stream.
    pub async fn upload(&self, new: NewResume) -> Result<StoredResume, EnqueueError> {
        match &self.jobs {
            Jobs::Local(_) => {
                let slot = self.reserve(&new.owner).map_err(EnqueueError::Full)?;
                let stored = self.store.create_resume(new).await?;
                slot.enqueue(stored.record.id);
                Ok(stored)
            }
            Jobs::Shared(shared) => {
                let stored = shared.queue.create_queued(new, shared.limits).await?;
                publish_progress(
                    &self.hub,
                    stored.record.id,
                    Stage::Received,
                    "upload stored; waiting for a parser",
                );
                Ok(stored)
            }
        }
    }

    /// Reserve a place in the queue for one of `owner`'s uploads, or say
    /// which bound is reached.
    /// Only the local queue reserves; the shared one checks its bounds in
    /// the upload's own transaction ([`Self::upload`]).
    fn reserve(&self, owner: &str) -> Result<Slot<'_>, QueueFull> {
        let Jobs::Local(queue) = &self.jobs else {
            return Err(QueueFull::Server(0));
        };
        let limits = queue.limits;
        let mut state = queue.lock();
        if state.waiting.len() + state.reserved >= limits.capacity {
            return Err(QueueFull::Server(limits.capacity));
        }
        let mine =
            state.waiting.owner_len(owner) + state.reserved_by.get(owner).copied().unwrap_or(0);
        if mine >= limits.per_owner {
            return Err(QueueFull::Owner(limits.per_owner));
        }
        state.reserved += 1;
        *state.reserved_by.entry(owner.to_string()).or_default() += 1;
        Ok(Slot {
            queue,
            owner: owner.to_string(),
            hub: &self.hub,
            used: false,
        })
    }

    /// Queue every resume a crash or shutdown left unfinished, past the
    /// queue's bounds (they hold what the store holds already). A shared
    /// queue holds its jobs already (another instance may be parsing them
    /// now): only a resume without a job is queued, e.g. one copied in from
    /// another store.
    pub async fn requeue_unfinished(&self, store: &dyn Store) -> Result<usize, StoreError> {
        let queue = match &self.jobs {
            Jobs::Local(queue) => queue,
            Jobs::Shared(shared) => return shared.queue.adopt_unqueued().await,
        };
        let unfinished = store.unfinished_resumes().await?;
        let count = unfinished.len();
        for (id, owner) in unfinished {
            publish_progress(&self.hub, id, Stage::Received, "re-queued after a restart");
            queue.push(&owner, id);
        }
        Ok(count)
    }
}

fn publish_progress(hub: &Hub, id: Uuid, stage: Stage, message: &str) {
    let progress = Progress {
        stage,
        percent: stage.percent(),
        message: message.to_string(),
    };
    hub.publish_parse(
        id,
        SseEvent::json(stage.event_id().to_string(), names::PROGRESS, &progress),
    );
}

/// Publish the end of a parse: `stored`, the terminal event, and the account change.
pub fn publish_outcome(hub: &Hub, stored: &StoredResume) {
    let id = stored.record.id;
    if stored.record.status == Status::Ready {
        publish_progress(hub, id, Stage::Stored, "parsed document stored");
    }
    if let Some(terminal) = terminal_event(stored) {
        hub.publish_parse(id, terminal);
    }
    let at = resource::time(stored.record.updated_at);
    hub.publish_change(
        &stored.record.owner,
        &ChangeEvent {
            kind: "resume.updated".into(),
            resume_id: id.to_string(),
            status: Some(stored.record.status),
            share_token: None,
            at: at.clone(),
        },
    );
    if stored.is_master && stored.record.status == Status::Ready {
        hub.publish_change(
            &stored.record.owner,
            &ChangeEvent {
                kind: "master.changed".into(),
                resume_id: id.to_string(),
                status: Some(Status::Ready),
                share_token: None,
                at,
            },
        );
    }
}

/// The terminal event for a resume whose parse has ended, rebuilt from the
/// store (for subscribers after a restart); `None` while unfinished.
pub fn terminal_event(stored: &StoredResume) -> Option<SseEvent> {
    let id = TERMINAL_EVENT_ID.to_string();
    match stored.record.status {
        Status::Ready => {
            Some(SseEvent::json(id, names::COMPLETE, &resource::resume(stored, true)).terminal())
        }
        Status::Failed => Some(
            SseEvent::json(
                id,
                names::FAILED,
                &Failed {
                    reason: stored.record.reason.clone().unwrap_or_default(),
                },
            )
            .terminal(),
        ),
        Status::Pending | Status::Parsing => None,
    }
}

/// With a shared queue: wake the idle workers every half lease, so they
/// take over jobs whose lease ran out (an instance died mid-parse) and
/// jobs whose wake-up was missed.
async fn look_now_and_then(shared: Arc<SharedJobs>, mut shutdown: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            _ = tokio::time::sleep(shared.lease / 2) => shared.wake.notify_waiters(),
        }
    }
}

impl Worker {
    async fn run(self) {
        match self.jobs.clone() {
            Jobs::Local(queue) => self.run_local(queue).await,
            Jobs::Shared(shared) => self.run_shared(shared).await,
        }
    }

    async fn run_local(mut self, queue: Arc<ParseQueue>) {
        loop {
            let next = tokio::select! {
                _ = self.shutdown.changed() => None,
                next = queue.pop() => Some(next),
            };
            let Some((owner, (id, queued))) = next else {
                return;
            };
            if *self.shutdown.borrow() {
                // Left `pending`; the next start queues it again.
                return;
            }
            self.metrics.parse_started(queued.elapsed());
            self.parse_one(&queue, &owner, id).await;
            queue.lock().waiting.done(&owner);
        }
    }

    /// Claim jobs from the shared queue until shutdown; between jobs, wait
    /// for a wake-up.
    async fn run_shared(mut self, shared: Arc<SharedJobs>) {
        loop {
            if *self.shutdown.borrow() {
                return;
            }
            // Registered before the look, so a wake-up in between is not missed.
            let notified = shared.wake.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            match shared.queue.claim(shared.lease).await {
                Ok(Some(claim)) => {
                    // More may be waiting (wake-ups of one transaction are
                    // folded into one): let another idle worker look too.
                    shared.wake.notify_one();
                    if *self.shutdown.borrow() {
                        if let Err(error) = shared.queue.release(&claim).await {
                            tracing::warn!(resume = %claim.resume_id, %error, "could not give back a claim at shutdown; another instance takes it when its lease runs out");
                        }
                        return;
                    }
                    self.metrics.parse_started(claim.waited);
                    self.parse_claimed(&shared, claim).await;
                    continue;
                }
                Ok(None) => {}
                Err(error) => {
                    // The next look is at the next wake-up, half a lease at most.
                    tracing::warn!(%error, "cannot claim a parse job");
                }
            }
            tokio::select! {
                changed = self.shutdown.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
                _ = notified => {}
            }
        }
    }

    /// Parse a claimed job, renewing its lease meanwhile, and store the
    /// outcome if the claim still holds.
    async fn parse_claimed(&self, shared: &Arc<SharedJobs>, claim: Claim) {
        let started = Instant::now();
        let id = claim.resume_id;
        if claim.exhausted() {
            tracing::warn!(
                resume = %id,
                attempts = claim.attempts - 1,
                "a parse was interrupted too often; failing it"
            );
            let outcome = ParseOutcome::Failed {
                reason: crate::store::queue::interrupted_reason(),
            };
            self.finish_claimed(shared, &claim, outcome, started).await;
            return;
        }
        let stored = match self.store.mark_parsing(id).await {
            Ok(stored) => stored,
            Err(StoreError::NotFound(_)) => return, // deleted: its job went with it
            Err(StoreError::Conflict(why)) => {
                tracing::debug!(resume = %id, %why, "skipping parse");
                if let Err(error) = shared.queue.abandon(&claim).await {
                    tracing::warn!(resume = %id, %error, "cannot drop a finished resume's job");
                }
                return;
            }
            Err(error) => {
                tracing::warn!(resume = %id, %error, "parse waits for the store");
                self.release_later(shared, claim);
                return;
            }
        };
        if claim.attempts > 1 {
            tracing::info!(resume = %id, attempt = claim.attempts, "taking over a parse whose instance stopped");
        }
        let lost = Arc::new(Notify::new());
        let renewer = tokio::spawn(renew_lease(shared.clone(), claim.clone(), lost.clone()));
        let outcome = tokio::select! {
            outcome = self.parse_stored(id, &stored) => Some(outcome),
            // The child is killed as its future is dropped (kill_on_drop).
            _ = lost.notified() => None,
        };
        renewer.abort();
        match outcome {
            Some(outcome) => self.finish_claimed(shared, &claim, outcome, started).await,
            None => tracing::warn!(
                resume = %id,
                "parse abandoned: its lease ran out and another instance took the job over"
            ),
        }
    }

    async fn finish_claimed(
        &self,
        shared: &Arc<SharedJobs>,
        claim: &Claim,
        outcome: ParseOutcome,
        started: Instant,
    ) {
        let id = claim.resume_id;
        let finished = match shared.queue.finish(claim, outcome).await {
            Err(StoreError::Backend(error)) => {
                tracing::error!(resume = %id, %error, "cannot store parse outcome");
                let reason = format!("the parse result could not be stored: {error}");
                shared
                    .queue
                    .finish(claim, ParseOutcome::Failed { reason })
                    .await
            }
            other => other,
        };
        match finished {
            Ok(Finished::Stored(stored)) => self.report(&stored, started),
            Ok(Finished::Lost) => tracing::warn!(
                resume = %id,
                "parse result discarded: the lease ran out and another instance took the job over"
            ),
            Err(StoreError::NotFound(_)) => self.hub.forget_parse(id),
            Err(error) => {
                // Nothing was stored: the job is still this claim's. Give
                // it back shortly, to be parsed again once the store takes
                // writes; its stream stays open and hears why.
                tracing::warn!(resume = %id, %error, "parse result not stored; trying again later");
                publish_progress(
                    &self.hub,
                    id,
                    Stage::Received,
                    &format!("the result could not be stored ({error}); parsing again shortly"),
                );
                self.release_later(shared, claim.clone());
            }
        }
    }

    /// Give a claim back after [`STORE_RETRY`] (well within its lease), so
    /// the job is tried again without counting as an interrupted attempt.
    fn release_later(&self, shared: &Arc<SharedJobs>, claim: Claim) {
        let queue = shared.queue.clone();
        tokio::spawn(async move {
            tokio::time::sleep(STORE_RETRY).await;
            if let Err(error) = queue.release(&claim).await {
                tracing::warn!(resume = %claim.resume_id, %error, "cannot give back a claim; it is taken over when its lease runs out");
            }
        });
    }

    /// Log, count and publish a stored outcome.
    fn report(&self, stored: &StoredResume, started: Instant) {
        tracing::info!(
            resume = %stored.record.id,
            status = %stored.record.status,
            reason = stored.record.reason.as_deref().unwrap_or(""),
            ms = started.elapsed().as_millis() as u64,
            "parse finished"
        );
        self.metrics
            .parse_finished(stored.record.status == Status::Ready);
        publish_outcome(&self.hub, stored);
    }

    /// Read the original and parse it in a child.
    async fn parse_stored(&self, id: Uuid, stored: &StoredResume) -> ParseOutcome {
        match self.store.original(id).await {
            Ok(bytes) => {
                self.run_child(id, &stored.record.content_type, &bytes)
                    .await
            }
            Err(error) => ParseOutcome::Failed {
                reason: format!("the original upload could not be read: {error}"),
            },
        }
    }

    async fn parse_one(&self, queue: &Arc<ParseQueue>, owner: &str, id: Uuid) {
        let started = Instant::now();
        let stored = match self.store.mark_parsing(id).await {
            Ok(stored) => stored,
            Err(StoreError::NotFound(_)) => return, // deleted while queued
            Err(StoreError::Conflict(why)) => {
                tracing::debug!(resume = %id, %why, "skipping parse");
                return;
            }
            Err(error) if store_will_recover(&error) => {
                tracing::warn!(resume = %id, %error, "parse waits for the store");
                self.retry_later(queue, owner, id);
                return;
            }
            Err(error) => {
                tracing::error!(resume = %id, %error, "cannot start parse");
                return;
            }
        };
        let outcome = self.parse_stored(id, &stored).await;
        let stored = match self.store.finish_parse(id, outcome).await {
            Err(StoreError::Backend(error)) => {
                // The outcome could not be stored; try to record at least a
                // failure, so neither the resource nor the stream hangs.
                tracing::error!(resume = %id, %error, "cannot store parse outcome");
                let reason = format!("the parse result could not be stored: {error}");
                self.store
                    .finish_parse(id, ParseOutcome::Failed { reason })
                    .await
            }
            other => other,
        };
        match stored {
            Err(error) if store_will_recover(&error) => {
                // Nothing was stored: the resume is still `parsing`. Parse
                // it again once the store takes writes; its stream stays
                // open and hears why.
                tracing::warn!(resume = %id, %error, "parse result not stored; trying again later");
                publish_progress(
                    &self.hub,
                    id,
                    Stage::Received,
                    &format!("the result could not be stored ({error}); parsing again shortly"),
                );
                self.retry_later(queue, owner, id);
            }
            Ok(stored) => self.report(&stored, started),
            // Deleted while parsing: drop the log its progress events re-created.
            Err(StoreError::NotFound(_)) => self.hub.forget_parse(id),
            Err(error) => {
                tracing::error!(resume = %id, %error, "cannot store the parse failure either");
                // Still end the stream: subscribers must not wait forever. The
                // resume stays `parsing` and is parsed again at the next start.
                let failed = Failed {
                    reason: format!("the parse result could not be stored ({error}); it is retried at the next server start"),
                };
                self.hub.publish_parse(
                    id,
                    SseEvent::json(TERMINAL_EVENT_ID.to_string(), names::FAILED, &failed)
                        .terminal(),
                );
            }
        }
    }

    /// Put `id` back on the queue after [`STORE_RETRY`], unless shutting down.
    fn retry_later(&self, queue: &Arc<ParseQueue>, owner: &str, id: Uuid) {
        // Weak, so a pending retry never keeps the queue alive on its own.
        let queue = Arc::downgrade(queue);
        let shutdown = self.shutdown.clone();
        let owner = owner.to_string();
        tokio::spawn(async move {
            tokio::time::sleep(STORE_RETRY).await;
            if *shutdown.borrow() {
                return; // still unfinished in the store: the next start queues it
            }
            if let Some(queue) = queue.upgrade() {
                queue.push(&owner, id);
            }
        });
    }

    async fn run_child(&self, id: Uuid, content_type: &str, bytes: &[u8]) -> ParseOutcome {
        let failed = |reason: String| ParseOutcome::Failed { reason };
        let exe = match std::env::current_exe() {
            Ok(exe) => exe,
            Err(e) => return failed(format!("server error: cannot find its own binary: {e}")),
        };
        let mut command = tokio::process::Command::new(exe);
        // Least privilege: the worker gets no environment at all (it needs
        // none, and the server's holds VITAE_LLM_API_KEY and the like), and
        // no descriptor but its three pipes (std and tokio open every file
        // and socket close-on-exec, the listener and the redb file too). It
        // confines itself further before reading ([`crate::sandbox`]).
        command
            .env_clear()
            .arg("parse-worker")
            .arg("--content-type")
            .arg(content_type)
            .arg("--timeout-ms")
            .arg(self.budget.timeout.as_millis().to_string())
            .arg("--memory-mib")
            .arg(self.budget.memory_mib.to_string())
            .arg("--max-parsed-bytes")
            .arg(self.budget.max_parsed_bytes.to_string());
        #[cfg(debug_assertions)]
        if let Some(path) = std::env::var_os(PROBE_VAR) {
            command.arg("--probe").arg(path);
        }
        let mut child = match command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
        {
            Ok(child) => child,
            Err(e) => return failed(format!("server error: cannot start the parser: {e}")),
        };
        let (Some(mut stdin), Some(stdout), Some(mut stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return failed("server error: parser pipes missing".into());
        };
        let input = bytes.to_vec();
        let feed = tokio::spawn(async move {
            // A child that dies early closes its stdin; that error is
            // reported through the exit status below.
            let _ = stdin.write_all(&input).await;
        });
        let drain_stderr = tokio::spawn(async move {
            let mut text = String::new();
            let _ = (&mut stderr)
                .take(64 * 1024)
                .read_to_string(&mut text)
                .await;
            text
        });
        // The answer holds the text and the document, each within
        // `max_parsed_bytes` (JSON escaping may double them), plus small
        // progress lines: a child that sends more is cut off there, and its
        // answer is then unreadable, never held whole.
        let answer_limit = self
            .budget
            .max_parsed_bytes
            .saturating_mul(4)
            .saturating_add(1024 * 1024);
        let talk = async {
            let mut lines = BufReader::new(stdout.take(answer_limit)).lines();
            let mut result = None;
            let mut read = 0u64;
            while let Ok(Some(line)) = lines.next_line().await {
                read += line.len() as u64 + 1;
                match serde_json::from_str::<WorkerMessage>(&line) {
                    Ok(WorkerMessage::Progress { stage, message }) => {
                        publish_progress(&self.hub, id, stage, &message)
                    }
                    Ok(WorkerMessage::Done(done)) => result = Some(Ok(done)),
                    Ok(WorkerMessage::Error { reason }) => result = Some(Err(reason)),
                    Err(e) => tracing::warn!(resume = %id, error = %e, "unreadable parser output"),
                }
            }
            if read >= answer_limit {
                // Cut off: whatever it claims, the answer is over the limit.
                let _ = child.start_kill();
                result = Some(Err(too_large_reason(
                    "parser's answer",
                    self.budget.max_parsed_bytes,
                )));
            }
            let status = child.wait().await;
            (result, status)
        };
        let timeout = self.budget.timeout + Duration::from_secs(1);
        let (result, status) = match tokio::time::timeout(timeout, talk).await {
            Ok(done) => done,
            Err(_) => {
                feed.abort();
                // `child` is dropped when this returns: kill_on_drop ends it.
                return failed(format!(
                    "parsing took longer than the {} s budget",
                    self.budget.timeout.as_secs()
                ));
            }
        };
        let _ = feed.await;
        let stderr = drain_stderr.await.unwrap_or_default();
        warn_if_unconfined(&stderr);
        match result {
            Some(Ok(done)) => {
                let WorkerResult {
                    document,
                    text,
                    warnings,
                    confidence,
                } = *done;
                // The child checked these already; a child is not trusted.
                let limit = self.budget.max_parsed_bytes;
                if text.len() as u64 > limit {
                    return failed(too_large_reason("extracted text", limit));
                }
                if vitae_parser::json_size(&document) > limit {
                    return failed(too_large_reason("parsed document", limit));
                }
                ParseOutcome::Ready {
                    document: Box::new(document),
                    text,
                    warnings,
                    confidence,
                }
            }
            Some(Err(reason)) => failed(reason),
            None => failed(crash_reason(status, &stderr, self.budget.memory_mib)),
        }
    }
}

/// Renew `claim`'s lease every third of it until aborted; tell `lost` when
/// the claim was taken over (the parse is then pointless). A renewal that
/// fails is tried again at the next turn: the lease has two more thirds.
async fn renew_lease(shared: Arc<SharedJobs>, claim: Claim, lost: Arc<Notify>) {
    loop {
        tokio::time::sleep(shared.lease / 3).await;
        match shared.queue.renew(&claim, shared.lease).await {
            Ok(true) => {}
            Ok(false) => {
                lost.notify_one();
                return;
            }
            Err(error) => {
                tracing::warn!(resume = %claim.resume_id, %error, "cannot renew a parse's lease")
            }
        }
    }
}

/// Test builds only: the variable that makes every parse worker report
/// what its sandbox lets it reach ([`crate::sandbox::probe`]), naming the
/// file it tries to open.
#[cfg(debug_assertions)]
const PROBE_VAR: &str = "VITAE_TEST_PARSE_PROBE";

/// Log, once per server run, that parse workers run with part of their
/// sandbox missing (the kernel lacks Landlock or seccomp), as the worker
/// reported on stderr.
fn warn_if_unconfined(stderr: &str) {
    use std::sync::atomic::{AtomicBool, Ordering};
    static WARNED: AtomicBool = AtomicBool::new(false);
    let Some(line) = stderr
        .lines()
        .find_map(|l| l.strip_prefix(crate::sandbox::PARTIAL_PREFIX))
    else {
        return;
    };
    if !WARNED.swap(true, Ordering::Relaxed) {
        tracing::warn!(
            sandbox = %vitae_common::clean::Escaped(line),
            "parse workers run without part of their sandbox on this kernel"
        );
    }
}

/// Why a parse child ended without an answer, in words for the user.
fn crash_reason(
    status: std::io::Result<std::process::ExitStatus>,
    stderr: &str,
    memory_mib: u64,
) -> String {
    use std::os::unix::process::ExitStatusExt;
    if stderr.contains("memory allocation") || stderr.contains("out of memory") {
        return format!("the document needs more than the {memory_mib} MiB memory budget");
    }
    if stderr.contains("overflowed its stack") {
        return "the document is nested too deeply to parse".into();
    }
    match status {
        Ok(status) => match status.signal() {
            Some(signal) => format!("the parser crashed on this document (signal {signal})"),
            None => format!(
                "the parser stopped without an answer (exit status {})",
                status.code().unwrap_or(-1)
            ),
        },
        Err(e) => format!("the parser could not be awaited: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pipeline(capacity: usize, per_owner: usize) -> (Pipeline, Arc<ParseQueue>) {
        let queue = Arc::new(ParseQueue {
            state: Default::default(),
            ready: Notify::new(),
            limits: QueueLimits {
                capacity,
                per_owner,
            },
        });
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::redb::RedbStore::open(dir.path()).unwrap();
        let pipeline = Pipeline {
            jobs: Jobs::Local(queue.clone()),
            hub: Arc::new(Hub::new()),
            store: Arc::new(store),
        };
        (pipeline, queue)
    }

    #[tokio::test]
    async fn the_queue_is_bounded_per_owner_and_in_total_and_serves_owners_in_turn() {
        let (pipeline, queue) = pipeline(3, 2);
        let (a1, a2) = (Uuid::new_v4(), Uuid::new_v4());
        pipeline.reserve("a").unwrap().enqueue(a1);
        let held = pipeline.reserve("a").unwrap();
        assert_eq!(pipeline.reserve("a").err(), Some(QueueFull::Owner(2)));
        // A reservation given back unused frees its place.
        drop(held);
        pipeline.reserve("a").unwrap().enqueue(a2);
        let b1 = Uuid::new_v4();
        pipeline.reserve("b").unwrap().enqueue(b1);
        assert_eq!(pipeline.reserve("c").err(), Some(QueueFull::Server(3)));
        assert_eq!(pipeline.waiting().await, 3);
        let next = || async {
            let (owner, (id, _queued)) = queue.pop().await;
            (owner, id)
        };
        assert_eq!(next().await, ("a".to_string(), a1));
        // "a" has a parse running, "b" none: "b" is next.
        assert_eq!(next().await, ("b".to_string(), b1));
        assert_eq!(next().await, ("a".to_string(), a2));
        assert_eq!(pipeline.waiting().await, 0);
        // Taken by workers, the places are free again.
        assert!(pipeline.reserve("c").is_ok());
    }

    #[test]
    fn too_large_names_the_limit_and_the_setting() {
        let reason = too_large_reason("extracted text", 20 * 1024 * 1024);
        assert!(
            reason.contains("20 MiB") && reason.contains("max_parsed_mib"),
            "{reason}"
        );
        assert_eq!(human_bytes(512 * 1024), "512 KiB");
    }
}
