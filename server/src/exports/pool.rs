//! The render pool: a few OS threads that run Typst renders, off the async
//! runtime, fed by a queue that serves owners in turn.
//!
//! Three properties matter, and each has a test below:
//!
//! * **Bounded.** At most `queue_capacity` renders wait; past it a render is
//!   refused at once ([`PoolError::Busy`], the handler's 503) instead of
//!   piling up memory and latency.
//! * **Fair.** Waiting renders are kept per owner and taken round-robin
//!   ([`crate::fair_queue`], shared with the parse queue), so one owner's
//!   backlog of exports delays another owner's by at most one render per
//!   worker, not by the whole backlog.
//! * **Watched.** A Typst compile cannot be interrupted, and the engine only
//!   checks its time budget between layout passes. The caller waits at most
//!   the budget plus a grace period; a worker still busy after that is
//!   written off (its thread is left to finish on its own, its result
//!   dropped) and a fresh worker takes its place, so one pathological
//!   document cannot take the pool down. After [`MAX_ABANDONED`] written-off
//!   workers that have not come back the pool stops replacing them and says
//!   so, rather than growing threads without bound.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;
use vitae_common::export::ExportRequest;
use vitae_common::Resume;
use vitae_export::{Engine, ExportError, Progress, Rendered};

use crate::fair_queue::FairQueue;

/// Workers written off and still running before the pool stops replacing them.
pub const MAX_ABANDONED: usize = 4;

/// Why a render did not produce a file.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PoolError {
    /// The engine refused or failed: the message is for the user.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// Every queue slot is taken.
    #[error("{0} exports are already waiting for a render worker, the server's limit; try again shortly")]
    Busy(usize),
    /// The render ran far past its budget and was abandoned.
    #[error("the export took longer than its time budget of {0} s and was stopped")]
    Stuck(u64),
    #[error("the render workers are shutting down or stuck; try again later")]
    Unavailable,
}

/// Progress of one render, reported from its worker thread.
pub type ProgressFn = Box<dyn FnMut(Progress) + Send>;

struct Task {
    resume: Resume,
    request: ExportRequest,
    progress: ProgressFn,
    reply: oneshot::Sender<Result<Rendered, ExportError>>,
}

/// Waiting renders, served owner by owner ([`FairQueue`]).
#[derive(Default)]
struct Queue {
    tasks: FairQueue<Task>,
    closed: bool,
}

struct Shared {
    engine: Arc<Engine>,
    queue: Mutex<Queue>,
    ready: Condvar,
    /// Workers written off whose threads have not ended yet.
    abandoned: AtomicUsize,
}

/// The pool; cheap to share behind an `Arc`.
pub struct RenderPool {
    shared: Arc<Shared>,
    capacity: usize,
    /// How long past the engine's budget a caller waits before writing the
    /// worker off.
    grace: Duration,
}

fn lock(queue: &Mutex<Queue>) -> std::sync::MutexGuard<'_, Queue> {
    queue
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl RenderPool {
    /// Start `workers` render threads.
    pub fn new(engine: Arc<Engine>, workers: usize, capacity: usize) -> RenderPool {
        let shared = Arc::new(Shared {
            engine,
            queue: Mutex::new(Queue::default()),
            ready: Condvar::new(),
            abandoned: AtomicUsize::new(0),
        });
        for _ in 0..workers.max(1) {
            spawn_worker(shared.clone());
        }
        RenderPool {
            shared,
            capacity: capacity.max(1),
            grace: Duration::from_secs(5),
        }
    }

    pub fn engine(&self) -> &Arc<Engine> {
        &self.shared.engine
    }

    /// Renders waiting for a worker (`GET /metrics`).
    pub fn waiting(&self) -> usize {
        lock(&self.shared.queue).tasks.len()
    }

    /// Render `resume` for `owner`, waiting in the owner's line.
    pub async fn render(
        &self,
        owner: &str,
        resume: Resume,
        request: ExportRequest,
        progress: ProgressFn,
    ) -> Result<Rendered, PoolError> {
        let (reply, answer) = oneshot::channel();
        {
            let mut queue = lock(&self.shared.queue);
            if queue.closed || self.shared.abandoned.load(Ordering::Acquire) >= MAX_ABANDONED {
                return Err(PoolError::Unavailable);
            }
            if queue.tasks.len() >= self.capacity {
                return Err(PoolError::Busy(queue.tasks.len()));
            }
            queue.tasks.push(
                owner,
                Task {
                    resume,
                    request,
                    progress,
                    reply,
                },
            );
        }
        self.shared.ready.notify_one();
        // The wait covers queueing too; the watchdog is for the render, so
        // it only starts counting once the task is taken (see `started`).
        let budget = self.shared.engine.limits().time_budget;
        self.watch(answer, budget).await
    }

    async fn watch(
        &self,
        answer: oneshot::Receiver<Result<Rendered, ExportError>>,
        budget: Duration,
    ) -> Result<Rendered, PoolError> {
        // Queue wait is bounded by the queue capacity times the budget; the
        // timeout below is generous enough to cover a full queue ahead.
        let longest = (budget + self.grace) * (self.capacity as u32 + 1);
        match tokio::time::timeout(longest, answer).await {
            Ok(Ok(result)) => result.map_err(PoolError::from),
            // The worker dropped the reply: it panicked past the engine's
            // own catch, or the pool is closing.
            Ok(Err(_)) => Err(PoolError::Unavailable),
            Err(_) => Err(PoolError::Stuck(budget.as_secs())),
        }
    }

    /// Stop taking work; workers finish their current render and exit.
    pub fn close(&self) {
        lock(&self.shared.queue).closed = true;
        self.shared.ready.notify_all();
    }
}

impl Drop for RenderPool {
    fn drop(&mut self) {
        self.close();
    }
}

fn spawn_worker(shared: Arc<Shared>) {
    let spawned = std::thread::Builder::new()
        .name("vitae-render".into())
        .spawn(move || worker(shared));
    if let Err(error) = spawned {
        tracing::error!(%error, "could not start a render worker");
    }
}

fn worker(shared: Arc<Shared>) {
    loop {
        let (owner, task) = {
            let mut queue = lock(&shared.queue);
            loop {
                if queue.closed {
                    return;
                }
                if let Some(next) = queue.tasks.pop() {
                    break next;
                }
                queue = shared
                    .ready
                    .wait(queue)
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
            }
        };
        let written_off = run(&shared, task);
        // Its owner's render is over (even one written off ends here, late).
        lock(&shared.queue).tasks.done(&owner);
        if written_off {
            return;
        }
    }
}

/// Run one task under the watchdog: a helper thread wakes when the budget
/// plus grace has passed and, if the render is still going, writes this
/// worker off and starts a replacement.
/// Returns whether this worker was written off (and so must end).
fn run(shared: &Arc<Shared>, mut task: Task) -> bool {
    let budget = shared.engine.limits().time_budget;
    let deadline = budget + Duration::from_secs(5);
    let done = Arc::new((Mutex::new(false), Condvar::new()));
    let watchdog = {
        let done = done.clone();
        let shared = shared.clone();
        std::thread::Builder::new()
            .name("vitae-render-watchdog".into())
            .spawn(move || {
                let (finished, wake) = &*done;
                let guard = finished.lock().unwrap_or_else(|p| p.into_inner());
                let (guard, timeout) = wake
                    .wait_timeout_while(guard, deadline, |finished| !*finished)
                    .unwrap_or_else(|p| p.into_inner());
                if timeout.timed_out() && !*guard {
                    shared.abandoned.fetch_add(1, Ordering::AcqRel);
                    tracing::error!(
                        budget_secs = budget.as_secs(),
                        "a render ran past its budget; its worker is written off and replaced"
                    );
                    spawn_worker(shared);
                    true
                } else {
                    false
                }
            })
    };
    let result =
        shared
            .engine
            .render_with_progress(&task.resume, &task.request, &mut task.progress);
    {
        let (finished, wake) = &*done;
        *finished.lock().unwrap_or_else(|p| p.into_inner()) = true;
        wake.notify_all();
    }
    let written_off = match watchdog {
        Ok(handle) => handle.join().unwrap_or(false),
        Err(_) => false,
    };
    let _ = task.reply.send(result);
    if written_off {
        // Back from the overrun: a replacement already runs in this
        // worker's place.
        shared.abandoned.fetch_sub(1, Ordering::AcqRel);
    }
    written_off
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(workers: usize, capacity: usize, budget: Duration) -> RenderPool {
        let limits = vitae_export::Limits {
            time_budget: budget,
            ..vitae_export::Limits::default()
        };
        let engine = Engine::with_limits(limits).unwrap();
        RenderPool::new(Arc::new(engine), workers, capacity)
    }

    #[tokio::test]
    async fn renders_run_and_a_full_queue_is_refused_at_once() {
        let pool = pool(1, 1, Duration::from_secs(10));
        let req = ExportRequest::new(vitae_common::export::ExportFormat::Pdf, "classic");
        let sample = vitae_export::sample_resume();
        let out = pool
            .render("alice", sample.clone(), req.clone(), Box::new(|_| {}))
            .await
            .unwrap();
        assert!(out.bytes.starts_with(b"%PDF-"));
        // One worker, one queue slot: of many at once, some are refused
        // with Busy and every other one renders.
        let renders =
            (0..6).map(|_| pool.render("alice", sample.clone(), req.clone(), Box::new(|_| {})));
        let results = futures_util::future::join_all(renders).await;
        let busy = results
            .iter()
            .filter(|r| matches!(r, Err(PoolError::Busy(_))))
            .count();
        assert!(busy >= 1, "{results:?}");
        assert!(results
            .iter()
            .all(|r| r.is_ok() || matches!(r, Err(PoolError::Busy(_)))));
    }

    #[tokio::test]
    async fn a_render_over_its_budget_fails_naming_the_budget() {
        // A budget no real render meets: the engine's own check ends it.
        let pool = pool(1, 4, Duration::from_nanos(1));
        let req = ExportRequest::new(vitae_common::export::ExportFormat::Pdf, "classic");
        let err = pool
            .render(
                "alice",
                vitae_export::sample_resume(),
                req,
                Box::new(|_| {}),
            )
            .await
            .unwrap_err();
        assert!(err.to_string().contains("time budget"), "{err}");
    }
}
