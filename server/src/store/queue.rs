//! The parse queue as a store feature: a queue that lives in the database,
//! shared by every server instance on it ([`SharedQueue`]).
//!
//! The embedded store (redb) has one server, and its parse queue is the
//! pipeline's own in-memory queue ([`crate::pipeline`]), rebuilt at start
//! from the resumes left unfinished. A store shared by several instances
//! (PostgreSQL, [`super::postgres::queue`]) keeps the queue itself, so that
//! an upload acknowledged by one instance is parsed by whichever instance
//! has a free worker, and a parse lost with its instance is taken over by
//! another. [`super::Store::shared_queue`] says which: `None` for the
//! embedded store, the queue otherwise.
//!
//! A worker *claims* a job for a *lease* and renews it while the parse
//! runs. A claim is fenced: it names the instance and the claim's number
//! ([`Claim::attempts`]), and [`SharedQueue::finish`] stores the outcome
//! only while the job is still that claim's, so a parse whose lease ran out
//! and was taken over stores nothing ([`Finished::Lost`]): a resume is
//! never parsed twice to two stored results. A job claimed more than
//! [`MAX_PARSE_ATTEMPTS`] times is failed by its next claimer instead of
//! parsed again (each lost claim is an instance that stopped mid-parse).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use uuid::Uuid;

use super::{NewResume, ParseOutcome, StoreError, StoredResume};

/// How full the parse queue may get.
#[derive(Debug, Clone, Copy)]
pub struct QueueLimits {
    /// Uploads waiting, all owners together.
    pub capacity: usize,
    /// Uploads waiting of one owner.
    pub per_owner: usize,
}

/// Why an upload found no place in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueFull {
    /// The whole queue is full: nobody is at fault.
    Server(usize),
    /// This owner has `per_owner` uploads waiting already.
    Owner(usize),
}

/// Why an upload was not stored and queued.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EnqueueError {
    #[error("the parse queue is full: {0:?}")]
    Full(QueueFull),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Claims a job may have before its next claimer fails it: each claim
/// beyond the first was a parse lost with its instance.
pub const MAX_PARSE_ATTEMPTS: u32 = 3;

/// A job claimed by this instance.
#[derive(Debug, Clone)]
pub struct Claim {
    pub resume_id: Uuid,
    /// This claim's number (1 for the first): with the instance, the fence.
    pub attempts: u32,
    /// How long the job waited since it was queued.
    pub waited: Duration,
}

impl Claim {
    /// Claimed more than [`MAX_PARSE_ATTEMPTS`] times: fail, do not parse.
    pub fn exhausted(&self) -> bool {
        self.attempts > MAX_PARSE_ATTEMPTS
    }
}

/// The reason a resume fails with when its parse was lost too often.
pub fn interrupted_reason() -> String {
    format!(
        "the parse was interrupted {MAX_PARSE_ATTEMPTS} times (the server instances parsing it \
         stopped or lost the database); it is not tried again: upload the file again, and tell \
         the operator if this repeats"
    )
}

/// What [`SharedQueue::finish`] did.
#[derive(Debug)]
pub enum Finished {
    /// The outcome is stored and the job done.
    Stored(Box<StoredResume>),
    /// The claim was taken over (its lease ran out): nothing was stored.
    Lost,
}

#[async_trait]
pub trait SharedQueue: Send + Sync + 'static {
    /// Store a new upload `pending` and queue its parse, in one transaction,
    /// within the bounds: the waiting jobs of the whole cluster against
    /// `limits.capacity`, the owner's against `limits.per_owner`. Wakes
    /// idle workers on every instance once committed.
    async fn create_queued(
        &self,
        new: NewResume,
        limits: QueueLimits,
    ) -> Result<StoredResume, EnqueueError>;
    /// Claim the next waiting job (owners in turn, then oldest first), or
    /// one whose lease ran out, for `lease`; `None` when there is none.
    async fn claim(&self, lease: Duration) -> Result<Option<Claim>, StoreError>;
    /// Extend the claim's lease; `false` when the claim was lost.
    async fn renew(&self, claim: &Claim, lease: Duration) -> Result<bool, StoreError>;
    /// Store the outcome and end the job, in one transaction, if the claim
    /// still holds the job.
    async fn finish(&self, claim: &Claim, outcome: ParseOutcome) -> Result<Finished, StoreError>;
    /// Give an unstarted claim back (shutdown): the job waits again, and
    /// this claim does not count as an attempt.
    async fn release(&self, claim: &Claim) -> Result<(), StoreError>;
    /// Drop the job of a resume that needs no parse (already finished).
    async fn abandon(&self, claim: &Claim) -> Result<(), StoreError>;
    /// Jobs waiting for a worker (not claimed, or their lease ran out),
    /// all instances together.
    async fn waiting(&self) -> Result<usize, StoreError>;
    /// Queue every `pending` or `parsing` resume that has no job (written
    /// by other means than an upload, e.g. a copy from another store);
    /// answers how many.
    async fn adopt_unqueued(&self) -> Result<usize, StoreError>;
    /// Woken when a job may be waiting: on every instance's
    /// [`Self::create_queued`], and when the wake-up feed was lost and is
    /// back (a missed wake-up). Started on first call.
    fn wake_ups(&self) -> Arc<tokio::sync::Notify>;
}
