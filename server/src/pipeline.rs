//! The parse pipeline: a bounded queue of resume ids and a pool of workers.
//!
//! Upload handlers reserve a queue slot *before* storing the upload (a full
//! queue answers 429 and stores nothing), then hand the id over. Each worker
//! moves its resume to `parsing`, runs the parser in a child process
//! (`vitae-server parse-worker`) and stores the outcome. The child gets the
//! original bytes on stdin and reports stage progress and the result as JSON
//! lines on stdout. A child process, not a thread, because it is the only way
//! to hold a hostile document to a memory budget (RLIMIT_AS) and to a time
//! budget (kill) and to survive a parser crash or stack overflow.
//!
//! Progress is published to the SSE hub as it happens: `received` when
//! queued, the parser's own stages from the child, `stored` after the commit,
//! then exactly one terminal event. At start, every resume left `pending` or
//! `parsing` is queued again (see [`Pipeline::requeue_unfinished`]).

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::sync::{mpsc, watch, Mutex};
use uuid::Uuid;
use vitae_common::{
    names, ChangeEvent, Failed, Progress, Resume, Stage, Status, TERMINAL_EVENT_ID,
};

use crate::resource;
use crate::sse::hub::Hub;
use crate::sse::SseEvent;
use crate::store::{ParseOutcome, Store, StoreError, StoredResume};

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
}

pub struct Pipeline {
    queue: mpsc::Sender<Uuid>,
    hub: Arc<Hub>,
}

/// A reserved place in the queue.
pub struct Slot<'a> {
    permit: mpsc::Permit<'a, Uuid>,
    hub: &'a Hub,
}

impl Slot<'_> {
    /// Queue the resume and announce `received` on its parse stream.
    pub fn enqueue(self, id: Uuid) {
        publish_progress(
            self.hub,
            id,
            Stage::Received,
            "upload stored; waiting for a parser",
        );
        self.permit.send(id);
    }
}

struct Worker {
    store: Arc<dyn Store>,
    hub: Arc<Hub>,
    budget: ParseBudget,
    jobs: Arc<Mutex<mpsc::Receiver<Uuid>>>,
    /// The queue itself, to try again a parse the store refused (weak, so
    /// the workers never keep the queue open on their own).
    requeue: mpsc::WeakSender<Uuid>,
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
    /// Start `workers` workers; they stop taking jobs when `shutdown` turns true.
    pub fn start(
        store: Arc<dyn Store>,
        hub: Arc<Hub>,
        workers: usize,
        capacity: usize,
        budget: ParseBudget,
        shutdown: watch::Receiver<bool>,
    ) -> (Pipeline, Vec<tokio::task::JoinHandle<()>>) {
        let (queue, jobs) = mpsc::channel(capacity);
        let jobs = Arc::new(Mutex::new(jobs));
        let handles = (0..workers)
            .map(|_| {
                let worker = Worker {
                    store: store.clone(),
                    hub: hub.clone(),
                    budget: budget.clone(),
                    jobs: jobs.clone(),
                    requeue: queue.downgrade(),
                    shutdown: shutdown.clone(),
                };
                tokio::spawn(worker.run())
            })
            .collect();
        (Pipeline { queue, hub }, handles)
    }

    /// Reserve a place in the queue, or `None` when it is full.
    pub fn reserve(&self) -> Option<Slot<'_>> {
        self.queue.try_reserve().ok().map(|permit| Slot {
            permit,
            hub: &self.hub,
        })
    }

    /// Queue every resume a crash or shutdown left unfinished. Waits for room
    /// in the queue rather than dropping any.
    pub async fn requeue_unfinished(&self, store: &dyn Store) -> Result<usize, StoreError> {
        let ids = store.unfinished_resumes().await?;
        let count = ids.len();
        for id in ids {
            publish_progress(&self.hub, id, Stage::Received, "re-queued after a restart");
            if self.queue.send(id).await.is_err() {
                break;
            }
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

impl Worker {
    async fn run(mut self) {
        loop {
            let next = {
                let mut jobs = self.jobs.lock().await;
                tokio::select! {
                    _ = self.shutdown.changed() => None,
                    id = jobs.recv() => id,
                }
            };
            let Some(id) = next else { return };
            if *self.shutdown.borrow() {
                // Left `pending`; the next start queues it again.
                return;
            }
            self.parse_one(id).await;
        }
    }

    async fn parse_one(&self, id: Uuid) {
        let started = std::time::Instant::now();
        let stored = match self.store.mark_parsing(id).await {
            Ok(stored) => stored,
            Err(StoreError::NotFound(_)) => return, // deleted while queued
            Err(StoreError::Conflict(why)) => {
                tracing::debug!(resume = %id, %why, "skipping parse");
                return;
            }
            Err(error) if store_will_recover(&error) => {
                tracing::warn!(resume = %id, %error, "parse waits for the store");
                self.retry_later(id);
                return;
            }
            Err(error) => {
                tracing::error!(resume = %id, %error, "cannot start parse");
                return;
            }
        };
        let outcome = match self.store.original(id).await {
            Ok(bytes) => {
                self.run_child(id, &stored.record.content_type, &bytes)
                    .await
            }
            Err(error) => ParseOutcome::Failed {
                reason: format!("the original upload could not be read: {error}"),
            },
        };
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
                self.retry_later(id);
            }
            Ok(stored) => {
                tracing::info!(
                    resume = %id,
                    status = %stored.record.status,
                    reason = stored.record.reason.as_deref().unwrap_or(""),
                    ms = started.elapsed().as_millis() as u64,
                    "parse finished"
                );
                publish_outcome(&self.hub, &stored);
            }
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
    fn retry_later(&self, id: Uuid) {
        let queue = self.requeue.clone();
        let shutdown = self.shutdown.clone();
        tokio::spawn(async move {
            tokio::time::sleep(STORE_RETRY).await;
            if *shutdown.borrow() {
                return; // still unfinished in the store: the next start queues it
            }
            if let Some(queue) = queue.upgrade() {
                let _ = queue.send(id).await;
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
            .arg(self.budget.memory_mib.to_string());
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
        let talk = async {
            let mut lines = BufReader::new(stdout).lines();
            let mut result = None;
            while let Ok(Some(line)) = lines.next_line().await {
                match serde_json::from_str::<WorkerMessage>(&line) {
                    Ok(WorkerMessage::Progress { stage, message }) => {
                        publish_progress(&self.hub, id, stage, &message)
                    }
                    Ok(WorkerMessage::Done(done)) => result = Some(Ok(done)),
                    Ok(WorkerMessage::Error { reason }) => result = Some(Err(reason)),
                    Err(e) => tracing::warn!(resume = %id, error = %e, "unreadable parser output"),
                }
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
