//! The SSE hub: where the pipeline and the handlers publish events and where
//! stream subscribers pick them up.
//!
//! Two kinds of streams:
//!
//! * **Finite logs**: one per resume for its parse, one per export job. A
//!   short log (progress per stage, then one terminal event) with ids fixed
//!   by stage (parse: 1–6, terminal 7; export: 1–4, terminal 5).
//!   A subscriber gets the whole log so far, then live events. Finished logs
//!   are kept for [`FINISHED_LOG_TTL`]; after that (or after a restart) the
//!   handler rebuilds the log from the store as just the terminal event.
//! * **Account logs**, one per owner: every change to their resumes and
//!   shares, ids `<epoch>-<seq>` with a ring of recent events for
//!   `Last-Event-ID` replay. An id from another epoch (a previous server run)
//!   or older than the ring gets a `resync` event instead of a silent gap.
//!
//! Subscribing happens under the same lock as publishing: the subscriber is
//! registered, the history copied, and only then is the lock released. Every
//! event is therefore either in the copied history or delivered live, never
//! both, never neither. Publishing never waits for a subscriber: fan-out is a
//! bounded `broadcast` channel and a subscriber that falls behind is told to
//! resync.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::broadcast;
use uuid::Uuid;
use vitae_common::{names, ChangeEvent};

use super::{SharedEvent, SseEvent};

/// How long a finished parse log stays in memory.
pub const FINISHED_LOG_TTL: Duration = Duration::from_secs(300);
/// Recent account events kept per owner for replay.
pub const ACCOUNT_HISTORY: usize = 1024;
/// Events buffered per subscriber before it counts as lagging.
const FANOUT_CAPACITY: usize = 256;

struct FiniteLog {
    events: Vec<SharedEvent>,
    finished_at: Option<Instant>,
    tx: broadcast::Sender<SharedEvent>,
}

struct AccountLog {
    next_seq: u64,
    ring: VecDeque<(u64, SharedEvent)>,
    tx: broadcast::Sender<SharedEvent>,
}

/// What a new subscriber gets: the events to send first, then (unless the
/// stream is already finished) the live feed.
pub struct Subscription {
    pub history: Vec<SharedEvent>,
    pub live: Option<broadcast::Receiver<SharedEvent>>,
}

pub struct Hub {
    epoch: String,
    parse: Mutex<HashMap<Uuid, FiniteLog>>,
    exports: Mutex<HashMap<Uuid, FiniteLog>>,
    accounts: Mutex<HashMap<String, AccountLog>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain data behind; keep serving.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Default for Hub {
    fn default() -> Self {
        Self::new()
    }
}

impl Hub {
    pub fn new() -> Hub {
        let epoch = format!("{:x}", chrono::Utc::now().timestamp_millis());
        Hub {
            epoch,
            parse: Mutex::new(HashMap::new()),
            exports: Mutex::new(HashMap::new()),
            accounts: Mutex::new(HashMap::new()),
        }
    }

    // ---- parse logs ----------------------------------------------------

    /// Append an event to a resume's parse log and deliver it live.
    pub fn publish_parse(&self, resume: Uuid, event: SseEvent) {
        publish(&self.parse, resume, event);
    }

    /// Subscribe to a resume's parse log. `rebuilt` is the log to use when the
    /// hub has none (after a restart or eviction): the terminal event for a
    /// finished resume, or nothing for one still waiting to be parsed.
    pub fn subscribe_parse(&self, resume: Uuid, rebuilt: Option<SseEvent>) -> Subscription {
        subscribe(&self.parse, resume, rebuilt)
    }

    /// Forget a deleted resume's log; its live subscribers see the stream end.
    pub fn forget_parse(&self, resume: Uuid) {
        lock(&self.parse).remove(&resume);
    }

    /// Append an event to an export job's log and deliver it live.
    pub fn publish_export(&self, export: Uuid, event: SseEvent) {
        publish(&self.exports, export, event);
    }

    /// Subscribe to an export job's log (`rebuilt` as for parses).
    pub fn subscribe_export(&self, export: Uuid, rebuilt: Option<SseEvent>) -> Subscription {
        subscribe(&self.exports, export, rebuilt)
    }

    /// The id of the newest event on an export job's log, if the hub has one.
    pub fn export_position(&self, export: Uuid) -> Option<u64> {
        let logs = lock(&self.exports);
        let last = logs.get(&export)?.events.last()?;
        last.id.parse().ok()
    }

    pub fn forget_export(&self, export: Uuid) {
        lock(&self.exports).remove(&export);
    }

    // ---- account logs --------------------------------------------------

    /// Publish a change to `owner`'s account stream.
    pub fn publish_change(&self, owner: &str, change: &ChangeEvent) {
        let mut accounts = lock(&self.accounts);
        let log = accounts
            .entry(owner.to_string())
            .or_insert_with(new_account_log);
        let seq = log.next_seq;
        log.next_seq += 1;
        let event = Arc::new(SseEvent::json(
            format!("{}-{seq}", self.epoch),
            &change.kind,
            change,
        ));
        if log.ring.len() == ACCOUNT_HISTORY {
            log.ring.pop_front();
        }
        log.ring.push_back((seq, event.clone()));
        let _ = log.tx.send(event);
    }

    /// Subscribe to `owner`'s account stream, replaying what came after
    /// `last_event_id` (or a `resync` event when that history is gone).
    pub fn subscribe_account(&self, owner: &str, last_event_id: Option<&str>) -> Subscription {
        let mut accounts = lock(&self.accounts);
        let log = accounts
            .entry(owner.to_string())
            .or_insert_with(new_account_log);
        let live = Some(log.tx.subscribe());
        let Some(last) = last_event_id else {
            return Subscription {
                history: Vec::new(),
                live,
            };
        };
        let oldest_kept = log.ring.front().map_or(log.next_seq, |(seq, _)| *seq);
        let replayable = last
            .split_once('-')
            .filter(|(epoch, _)| *epoch == self.epoch)
            .and_then(|(_, seq)| seq.parse::<u64>().ok())
            // `seq` comes from the client: no arithmetic on it that can overflow.
            .filter(|seq| *seq >= oldest_kept.saturating_sub(1) && *seq < log.next_seq);
        let history = match replayable {
            Some(seq) => log
                .ring
                .iter()
                .filter(|(s, _)| *s > seq)
                .map(|(_, e)| e.clone())
                .collect(),
            None => vec![Arc::new(self.resync_event(
                log.next_seq.saturating_sub(1),
                "the events after your Last-Event-ID are no longer available; refetch your resumes",
            ))],
        };
        Subscription { history, live }
    }

    /// A `resync` event: the subscriber should refetch state.
    pub fn resync_event(&self, seq: u64, reason: &str) -> SseEvent {
        SseEvent::json(
            format!("{}-{seq}", self.epoch),
            names::RESYNC,
            &serde_json::json!({ "reason": reason }),
        )
    }

    /// The id of the newest event on `owner`'s stream (for resync events).
    pub fn latest_account_seq(&self, owner: &str) -> u64 {
        lock(&self.accounts)
            .get(owner)
            .map_or(0, |log| log.next_seq.saturating_sub(1))
    }
}

/// Append `event` to the log `id` of `logs`, dropping logs finished longer
/// than [`FINISHED_LOG_TTL`] ago, and deliver it live.
fn publish(logs: &Mutex<HashMap<Uuid, FiniteLog>>, id: Uuid, event: SseEvent) {
    let event = Arc::new(event);
    let mut logs = lock(logs);
    let now = Instant::now();
    logs.retain(|_, log| {
        log.finished_at
            .is_none_or(|at| now.duration_since(at) < FINISHED_LOG_TTL)
    });
    let log = logs.entry(id).or_insert_with(new_finite_log);
    if log.finished_at.is_some() {
        // Work restarted after its log ended (re-queued work): start over.
        *log = new_finite_log();
    }
    if event.terminal {
        log.finished_at = Some(now);
    }
    log.events.push(event.clone());
    let _ = log.tx.send(event);
}

fn subscribe(
    logs: &Mutex<HashMap<Uuid, FiniteLog>>,
    id: Uuid,
    rebuilt: Option<SseEvent>,
) -> Subscription {
    let mut logs = lock(logs);
    let log = logs.entry(id).or_insert_with(|| {
        let mut log = new_finite_log();
        if let Some(event) = rebuilt {
            log.finished_at = event.terminal.then(Instant::now);
            log.events.push(Arc::new(event));
        }
        log
    });
    Subscription {
        history: log.events.clone(),
        live: log.finished_at.is_none().then(|| log.tx.subscribe()),
    }
}

fn new_finite_log() -> FiniteLog {
    FiniteLog {
        events: Vec::new(),
        finished_at: None,
        tx: broadcast::channel(16).0,
    }
}

fn new_account_log() -> AccountLog {
    AccountLog {
        next_seq: 1,
        ring: VecDeque::new(),
        tx: broadcast::channel(FANOUT_CAPACITY).0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(kind: &str) -> ChangeEvent {
        ChangeEvent {
            kind: kind.into(),
            resume_id: "r".into(),
            status: None,
            share_token: None,
            at: "t".into(),
        }
    }

    #[test]
    fn late_parse_subscribers_get_the_whole_log_and_no_live_feed() {
        let hub = Hub::new();
        let id = Uuid::new_v4();
        hub.publish_parse(id, SseEvent::json("1", "progress", &1));
        let early = hub.subscribe_parse(id, None);
        hub.publish_parse(id, SseEvent::json("7", "complete", &2).terminal());
        let late = hub.subscribe_parse(id, None);
        assert_eq!(early.history.len(), 1);
        let mut live = early.live.unwrap();
        assert_eq!(live.try_recv().unwrap().id, "7");
        assert_eq!(late.history.len(), 2);
        assert!(late.live.is_none());
    }

    #[test]
    fn rebuilt_logs_are_used_only_when_the_hub_has_none() {
        let hub = Hub::new();
        let id = Uuid::new_v4();
        let sub = hub.subscribe_parse(id, Some(SseEvent::json("7", "failed", &0).terminal()));
        assert_eq!(sub.history.len(), 1);
        assert!(sub.live.is_none());
    }

    #[test]
    fn account_replay_has_no_gap_and_no_duplicate() {
        let hub = Hub::new();
        for _ in 0..5 {
            hub.publish_change("alice", &change("resume.created"));
        }
        hub.publish_change("bob", &change("resume.created"));
        let last = format!("{}-2", hub.epoch);
        let mut sub = hub.subscribe_account("alice", Some(&last));
        let ids: Vec<_> = sub.history.iter().map(|e| e.id.clone()).collect();
        assert_eq!(
            ids,
            (3..=5)
                .map(|s| format!("{}-{s}", hub.epoch))
                .collect::<Vec<_>>()
        );
        hub.publish_change("alice", &change("resume.deleted"));
        let next = sub.live.as_mut().unwrap().try_recv().unwrap();
        assert_eq!(next.id, format!("{}-6", hub.epoch));
        assert!(sub.live.unwrap().try_recv().is_err());
    }

    #[test]
    fn a_subscriber_that_never_reads_never_blocks_publishing() {
        let hub = Hub::new();
        let mut stalled = hub.subscribe_account("alice", None).live.unwrap();
        let mut reader = hub.subscribe_account("alice", None).live.unwrap();
        // Far more than the fan-out buffer: publish must not wait for anyone.
        for i in 0..(FANOUT_CAPACITY * 4) {
            hub.publish_change("alice", &change("resume.updated"));
            // The reading subscriber keeps up and sees every event in order.
            let got = reader.try_recv().unwrap();
            assert_eq!(got.id, format!("{}-{}", hub.epoch, i + 1));
        }
        // The stalled one learns it fell behind (and its stream sends resync).
        assert!(matches!(
            stalled.try_recv(),
            Err(broadcast::error::TryRecvError::Lagged(_))
        ));
    }

    #[test]
    fn ids_from_another_run_get_a_resync() {
        let hub = Hub::new();
        hub.publish_change("alice", &change("resume.created"));
        let sub = hub.subscribe_account("alice", Some("0-1"));
        assert_eq!(sub.history.len(), 1);
        assert_eq!(sub.history[0].event, "resync");
        let sub = hub.subscribe_account("alice", Some("garbage"));
        assert_eq!(sub.history[0].event, "resync");
    }
}
