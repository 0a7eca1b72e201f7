//! The parse queue in the database ([`crate::store::queue::SharedQueue`]):
//! the `parse_jobs` table (`migrations/0003_parse_jobs.sql`), shared by
//! every instance on the database.
//!
//! - **Queued with the upload.** The job row is inserted in the upload's
//!   own transaction ([`super::resumes::create_queued`]), so an upload that
//!   was answered 202 is queued even if its instance dies the next moment;
//!   the bounds (`queue_capacity` against the whole cluster's waiting jobs,
//!   `queue_per_owner` against the owner's) are checked in that
//!   transaction. A `NOTIFY vitae_parse_jobs` in it wakes the idle workers
//!   of every instance when it commits; each instance keeps one `LISTEN`
//!   connection for it ([`listen`]), reconnecting with backoff, and the
//!   pipeline also looks every half lease, for wake-ups missed meanwhile
//!   and for leases that ran out.
//! - **Claimed with `FOR UPDATE SKIP LOCKED`**: the first job in
//!   `(round, enqueued_at)` order that nobody holds or whose lease ran
//!   out; concurrent claimers skip each other's rows, so a job has one
//!   claimer at a time. `round` is the owner's jobs in the table when the
//!   job was queued: owners are served in turn, as the in-memory queue
//!   serves them.
//! - **Fenced.** A claim is (instance, attempts); renewing, finishing,
//!   releasing and abandoning all match both, so once a claim's lease ran
//!   out and another claim took the job, the old claim changes nothing:
//!   its outcome is not stored ([`Finished::Lost`]).
//! - **Finished with the outcome**: the job row is deleted in the outcome's
//!   transaction ([`super::resumes::finish_fenced`]); a resume is `pending`
//!   or `parsing` exactly while it has a job row.
//!
//! Lock order, the same in every transaction that takes more than one:
//! the owner's `usage` row, then the resume, then its job row. A claim and
//! a renewal are one statement each on the job row alone.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use deadpool_postgres::Pool;
use tokio::sync::Notify;
use tokio_postgres::{AsyncMessage, Transaction};
use uuid::Uuid;

use super::resumes;
use crate::store::queue::{Claim, EnqueueError, Finished, QueueLimits, SharedQueue};
use crate::store::{NewResume, ParseOutcome, Quotas, StoreError, StoredResume};

/// The channel of the wake-ups.
const CHANNEL: &str = "vitae_parse_jobs";

/// The longest wait between two tries to get the `LISTEN` connection back.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Wake every instance's workers once `txn` commits.
pub(super) async fn notify(txn: &Transaction<'_>) -> Result<(), StoreError> {
    txn.execute("SELECT pg_notify($1, '')", &[&CHANNEL]).await?;
    Ok(())
}

/// The queue of one instance: its pool, its id (the `claimed_by` of its
/// claims) and the wake-up feed.
pub struct PgQueue {
    pub(super) pool: Pool,
    pub(super) instance: Uuid,
    pub(super) quotas: Arc<std::sync::RwLock<Quotas>>,
    /// For the `LISTEN` connection, which is not pooled.
    pub(super) config: tokio_postgres::Config,
    /// The pool's TLS settings, for that connection too.
    pub(super) tls: super::connect::Tls,
    pub(super) wake: Arc<Notify>,
    /// Told of every write here, for the read caches ([`super::changes`]).
    pub(super) changes: Arc<super::changes::ChangeFeed>,
    pub(super) listener: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Drop for PgQueue {
    fn drop(&mut self) {
        if let Some(listener) = self
            .listener
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            listener.abort();
        }
    }
}

impl PgQueue {
    fn quotas(&self) -> Quotas {
        *self.quotas.read().unwrap_or_else(|e| e.into_inner())
    }

    fn fence(&self, claim: &Claim) -> (Uuid, i32) {
        (
            self.instance,
            i32::try_from(claim.attempts).unwrap_or(i32::MAX),
        )
    }
}

/// Seconds as PostgreSQL's `make_interval` takes them.
fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

#[async_trait]
impl SharedQueue for PgQueue {
    async fn create_queued(
        &self,
        new: NewResume,
        limits: QueueLimits,
    ) -> Result<StoredResume, EnqueueError> {
        let mut client = self.pool.get().await.map_err(StoreError::from)?;
        let created = resumes::create_queued(&mut client, &self.quotas(), new, Some(limits)).await;
        self.changes.wrote();
        match created? {
            Ok(stored) => Ok(stored),
            Err(full) => Err(EnqueueError::Full(full)),
        }
    }

    async fn claim(&self, lease: Duration) -> Result<Option<Claim>, StoreError> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                "UPDATE parse_jobs SET claimed_by = $1, \
                 lease_until = now() + make_interval(secs => $2), attempts = attempts + 1 \
                 WHERE resume_id = (SELECT resume_id FROM parse_jobs \
                   WHERE claimed_by IS NULL OR lease_until < now() \
                   ORDER BY round, enqueued_at FOR UPDATE SKIP LOCKED LIMIT 1) \
                 RETURNING resume_id, attempts, \
                   GREATEST(extract(epoch FROM now() - enqueued_at), 0)::float8",
                &[&self.instance, &secs(lease)],
            )
            .await?;
        Ok(row.map(|row| Claim {
            resume_id: row.get(0),
            attempts: row.get::<_, i32>(1).max(0) as u32,
            waited: Duration::try_from_secs_f64(row.get::<_, f64>(2)).unwrap_or_default(),
        }))
    }

    async fn renew(&self, claim: &Claim, lease: Duration) -> Result<bool, StoreError> {
        let (instance, attempts) = self.fence(claim);
        let client = self.pool.get().await?;
        let renewed = client
            .execute(
                "UPDATE parse_jobs SET lease_until = now() + make_interval(secs => $4) \
                 WHERE resume_id = $1 AND claimed_by = $2 AND attempts = $3",
                &[&claim.resume_id, &instance, &attempts, &secs(lease)],
            )
            .await?;
        Ok(renewed == 1)
    }

    async fn finish(&self, claim: &Claim, outcome: ParseOutcome) -> Result<Finished, StoreError> {
        let mut client = self.pool.get().await?;
        let fence = self.fence(claim);
        let finished = resumes::finish_fenced(
            &mut client,
            &self.quotas(),
            claim.resume_id,
            outcome,
            Some(fence),
        )
        .await;
        // The outcome changes the resume: the read caches must not serve
        // it as it was (see `super::changes`).
        self.changes.wrote();
        Ok(match finished? {
            Some(stored) => Finished::Stored(Box::new(stored)),
            None => Finished::Lost,
        })
    }

    async fn release(&self, claim: &Claim) -> Result<(), StoreError> {
        let (instance, attempts) = self.fence(claim);
        let mut client = self.pool.get().await?;
        let txn = client.transaction().await?;
        txn.execute(
            "UPDATE parse_jobs SET claimed_by = NULL, lease_until = NULL, \
             attempts = attempts - 1 \
             WHERE resume_id = $1 AND claimed_by = $2 AND attempts = $3",
            &[&claim.resume_id, &instance, &attempts],
        )
        .await?;
        notify(&txn).await?;
        txn.commit().await?;
        Ok(())
    }

    async fn abandon(&self, claim: &Claim) -> Result<(), StoreError> {
        let (instance, attempts) = self.fence(claim);
        let client = self.pool.get().await?;
        client
            .execute(
                "DELETE FROM parse_jobs WHERE resume_id = $1 AND claimed_by = $2 \
                 AND attempts = $3",
                &[&claim.resume_id, &instance, &attempts],
            )
            .await?;
        Ok(())
    }

    async fn waiting(&self) -> Result<usize, StoreError> {
        let client = self.pool.get().await?;
        let n: i64 = client
            .query_one(
                "SELECT count(*) FROM parse_jobs WHERE claimed_by IS NULL OR lease_until < now()",
                &[],
            )
            .await?
            .get(0);
        Ok(n.max(0) as usize)
    }

    async fn adopt_unqueued(&self) -> Result<usize, StoreError> {
        let mut client = self.pool.get().await?;
        let txn = client.transaction().await?;
        let adopted = txn
            .execute(
                "INSERT INTO parse_jobs (resume_id, owner, round, enqueued_at) \
                 SELECT id, owner, 0, created_at FROM resumes r \
                 WHERE status IN ('pending', 'parsing') \
                 AND NOT EXISTS (SELECT 1 FROM parse_jobs j WHERE j.resume_id = r.id) \
                 ON CONFLICT (resume_id) DO NOTHING",
                &[],
            )
            .await?;
        if adopted > 0 {
            notify(&txn).await?;
        }
        txn.commit().await?;
        Ok(adopted as usize)
    }

    fn wake_ups(&self) -> Arc<Notify> {
        let mut listener = self.listener.lock().unwrap_or_else(|e| e.into_inner());
        if listener.is_none() {
            *listener = Some(tokio::spawn(listen(
                self.config.clone(),
                self.tls.clone(),
                self.wake.clone(),
            )));
        }
        self.wake.clone()
    }
}

/// Keep a `LISTEN vitae_parse_jobs` connection open and wake one idle
/// worker per notification; when the connection is lost, get it back with
/// backoff, and wake every idle worker each time (wake-ups sent meanwhile
/// were missed).
async fn listen(config: tokio_postgres::Config, tls: super::connect::Tls, wake: Arc<Notify>) {
    let mut backoff = Duration::from_millis(250);
    loop {
        match listen_once(&config, &tls, &wake, &mut backoff).await {
            Ok(()) => tracing::warn!("the parse queue's wake-up connection closed; reconnecting"),
            Err(error) => tracing::warn!(
                %error,
                retry_ms = backoff.as_millis() as u64,
                "the parse queue's wake-up connection failed; workers look every half lease \
                 meanwhile"
            ),
        }
        wake.notify_waiters();
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// One `LISTEN` connection, until it ends.
async fn listen_once(
    config: &tokio_postgres::Config,
    tls: &super::connect::Tls,
    wake: &Arc<Notify>,
    backoff: &mut Duration,
) -> Result<(), tokio_postgres::Error> {
    let (client, mut connection) = config.connect(tls.clone()).await?;
    let notified = wake.clone();
    // The connection is driven here, not by tokio-postgres's usual spawn,
    // because only its owner sees the notifications.
    let driver = tokio::spawn(async move {
        loop {
            match futures_util::future::poll_fn(|cx| connection.poll_message(cx)).await {
                Some(Ok(AsyncMessage::Notification(_))) => notified.notify_one(),
                Some(Ok(_)) => {}
                Some(Err(error)) => return Err(error),
                None => return Ok(()),
            }
        }
    });
    let listening = client.batch_execute(&format!("LISTEN {CHANNEL}")).await;
    if let Err(error) = listening {
        driver.abort();
        return Err(error);
    }
    *backoff = Duration::from_millis(250);
    // Back after a loss: jobs queued meanwhile sent their wake-ups to nobody.
    wake.notify_waiters();
    let ended = driver.await;
    drop(client);
    match ended {
        Ok(result) => result,
        Err(_) => Ok(()),
    }
}
