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
//! On PostgreSQL the hub has a relay ([`Hub::with_relay`], [`super::relay`]):
//! account events are not numbered here but by the database, which carries
//! them to every instance (this one included) to be delivered with
//! [`Hub::deliver_change`]; their ids are `db-<seq>`, the same on every
//! instance, so a client may reconnect anywhere. Parse and export events are
//! published here at once and also sent to the other instances. The
//! callers' API is the same on both backends.
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

use super::relay::Outbox;
use super::{SharedEvent, SseEvent};
use crate::store::postgres::events::{Announcement, LoggedEvent, Outgoing, StreamEvent};

/// The "epoch" of account event ids numbered by the database: `db-<seq>`.
pub const DB_EPOCH: &str = "db";

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
    /// Numbered account events up to this one are not sent (already sent
    /// in the history or seen by the client before it reconnected).
    pub floor: u64,
}

/// What an account subscription needs on PostgreSQL when the ring does not
/// hold what the client missed: the live feed, registered, and where the
/// replay from the event table starts.
enum AccountStart {
    Ready(Subscription),
    FromTable {
        live: broadcast::Receiver<SharedEvent>,
        after: u64,
    },
}

/// What [`Hub::deliver_change`] did with a numbered account event.
#[derive(Debug, PartialEq, Eq)]
pub enum Delivery {
    Delivered,
    /// Already delivered (or older than what was).
    Duplicate,
    /// Events between the last delivered one (`after`) and this one have
    /// not arrived: fetch them first.
    Gap {
        after: u64,
    },
}

pub struct Hub {
    epoch: String,
    relay: Option<Outbox>,
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
            relay: None,
            parse: Mutex::new(HashMap::new()),
            exports: Mutex::new(HashMap::new()),
            accounts: Mutex::new(HashMap::new()),
        }
    }

    /// A hub whose account events are numbered by the database and whose
    /// events reach the other instances through `relay` (PostgreSQL).
    pub fn with_relay(relay: Outbox) -> Hub {
        Hub {
            epoch: DB_EPOCH.to_string(),
            relay: Some(relay),
            ..Hub::new()
        }
    }

    /// Send a parse or export event to the other instances.
    fn relay_stream(&self, export: bool, id: Uuid, event: &SseEvent) {
        let Some(relay) = &self.relay else { return };
        let from = relay.instance();
        let wire = Some(StreamEvent {
            id: event.id.clone(),
            event: event.event.clone(),
            data: event.data.clone(),
            terminal: event.terminal,
        });
        let mut notice = match export {
            false => Announcement::Parse {
                from,
                id,
                event: wire,
            },
            true => Announcement::Export {
                from,
                id,
                event: wire,
            },
        };
        if !crate::store::postgres::events::fits(&notice) {
            // Too big for a notification (a parse's `complete` carries the
            // whole resume): the others rebuild it from the store.
            notice = match export {
                false => Announcement::Parse {
                    from,
                    id,
                    event: None,
                },
                true => Announcement::Export {
                    from,
                    id,
                    event: None,
                },
            };
        }
        relay.send(Outgoing::Notice(notice));
    }

    // ---- parse logs ----------------------------------------------------

    /// Append an event to a resume's parse log and deliver it live.
    pub fn publish_parse(&self, resume: Uuid, event: SseEvent) {
        self.relay_stream(false, resume, &event);
        publish(&self.parse, resume, event);
    }

    /// Deliver a parse event relayed from another instance.
    pub fn deliver_parse(&self, resume: Uuid, event: SseEvent) {
        publish(&self.parse, resume, event);
    }

    /// Deliver an export event relayed from another instance.
    pub fn deliver_export(&self, export: Uuid, event: SseEvent) {
        publish(&self.exports, export, event);
    }

    /// End every unfinished parse and export log: after the relay lost its
    /// connection, events may be missing; the subscribers reconnect and get
    /// the log rebuilt from the store.
    pub fn end_open_logs(&self) {
        lock(&self.parse).retain(|_, log| log.finished_at.is_some());
        lock(&self.exports).retain(|_, log| log.finished_at.is_some());
    }

    /// Forget a resume's log here only (told by another instance).
    pub fn forget_parse_here(&self, resume: Uuid) {
        lock(&self.parse).remove(&resume);
    }

    /// Subscribe to a resume's parse log. `rebuilt` is the log to use when the
    /// hub has none (after a restart or eviction): the terminal event for a
    /// finished resume, or nothing for one still waiting to be parsed.
    pub fn subscribe_parse(&self, resume: Uuid, rebuilt: Option<SseEvent>) -> Subscription {
        subscribe(&self.parse, resume, rebuilt)
    }

    /// Forget a deleted resume's log; its live subscribers see the stream end.
    pub fn forget_parse(&self, resume: Uuid) {
        if let Some(relay) = &self.relay {
            relay.send(Outgoing::Notice(Announcement::ForgetParse {
                from: relay.instance(),
                id: resume,
            }));
        }
        lock(&self.parse).remove(&resume);
    }

    /// Append an event to an export job's log and deliver it live.
    pub fn publish_export(&self, export: Uuid, event: SseEvent) {
        self.relay_stream(true, export, &event);
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

    /// Publish a change to `owner`'s account stream. With a relay, the
    /// change goes to the database, which numbers it and brings it back to
    /// every instance's hub ([`Hub::deliver_change`]); this never waits.
    pub fn publish_change(&self, owner: &str, change: &ChangeEvent) {
        if let Some(relay) = &self.relay {
            let event = SseEvent::json(String::new(), &change.kind, change);
            relay.send(Outgoing::Change {
                owner: owner.to_string(),
                event: LoggedEvent {
                    kind: event.event,
                    data: event.data,
                },
            });
            return;
        }
        let mut accounts = lock(&self.accounts);
        let log = accounts
            .entry(owner.to_string())
            .or_insert_with(new_account_log);
        let seq = log.next_seq;
        let event = Arc::new(SseEvent::json(
            format!("{}-{seq}", self.epoch),
            &change.kind,
            change,
        ));
        push(log, seq, event);
    }

    /// Subscribe to `owner`'s account stream, replaying what came after
    /// `last_event_id` (or a `resync` event when that history is gone). On
    /// PostgreSQL what the ring no longer holds is read from the event
    /// table: the live feed is registered first, then the table read, and
    /// the stream drops live events the replay already sent
    /// ([`Subscription::floor`]): no gap, no duplicate.
    pub async fn subscribe_account_replay(
        &self,
        owner: &str,
        last_event_id: Option<&str>,
    ) -> Subscription {
        let (live, after) = match self.start_account(owner, last_event_id) {
            AccountStart::Ready(subscription) => return subscription,
            AccountStart::FromTable { live, after } => (live, after),
        };
        let Some(relay) = &self.relay else {
            unreachable!("only a relaying hub reads the event table")
        };
        let history = match relay.replay(owner, after).await {
            Ok(events) => events
                .into_iter()
                .map(|(seq, event)| Arc::new(self.numbered(seq, event)))
                .collect(),
            Err(reason) => vec![Arc::new(
                self.resync_event(after.max(self.latest_account_seq(owner)), &reason),
            )],
        };
        let floor = match history.last() {
            Some(event) if event.seq > 0 => event.seq,
            _ => after,
        };
        Subscription {
            history,
            live: Some(live),
            floor,
        }
    }

    /// The account event numbered `seq` by the database.
    fn numbered(&self, seq: u64, event: LoggedEvent) -> SseEvent {
        SseEvent::raw(
            format!("{}-{seq}", self.epoch),
            event.kind,
            event.data,
            false,
            seq,
        )
    }

    /// Deliver an account event numbered by the database (relay side).
    /// Delivers only the next number after the last delivered one (or any
    /// number, for an owner this hub has not heard of yet).
    pub fn deliver_change(&self, owner: &str, seq: u64, event: LoggedEvent) -> Delivery {
        let mut accounts = lock(&self.accounts);
        let log = accounts
            .entry(owner.to_string())
            .or_insert_with(new_account_log);
        let known = log.next_seq > 1;
        if known && seq < log.next_seq {
            return Delivery::Duplicate;
        }
        if known && seq > log.next_seq {
            return Delivery::Gap {
                after: log.next_seq - 1,
            };
        }
        let event = Arc::new(self.numbered(seq, event));
        push(log, seq, event);
        Delivery::Delivered
    }

    /// Move `owner`'s stream past `seq` without the events up to it (they
    /// are gone): subscribers get a `resync` instead.
    pub fn skip_to(&self, owner: &str, seq: u64, reason: &str) {
        let resync = Arc::new(self.resync_event(seq, reason));
        let mut accounts = lock(&self.accounts);
        let log = accounts
            .entry(owner.to_string())
            .or_insert_with(new_account_log);
        if seq >= log.next_seq {
            log.next_seq = seq + 1;
            let _ = log.tx.send(resync);
        }
    }

    /// Every owner this hub has delivered events for, with the last number.
    pub fn account_positions(&self) -> Vec<(String, u64)> {
        lock(&self.accounts)
            .iter()
            .filter(|(_, log)| log.next_seq > 1)
            .map(|(owner, log)| (owner.clone(), log.next_seq - 1))
            .collect()
    }

    /// The last number delivered for `owner`, if any.
    pub fn account_position(&self, owner: &str) -> Option<u64> {
        lock(&self.accounts)
            .get(owner)
            .filter(|log| log.next_seq > 1)
            .map(|log| log.next_seq - 1)
    }

    fn start_account(&self, owner: &str, last_event_id: Option<&str>) -> AccountStart {
        if self.relay.is_none() {
            return AccountStart::Ready(self.subscribe_account(owner, last_event_id));
        }
        let mut accounts = lock(&self.accounts);
        let log = accounts
            .entry(owner.to_string())
            .or_insert_with(new_account_log);
        let live = log.tx.subscribe();
        let Some(last) = last_event_id else {
            return AccountStart::Ready(Subscription {
                history: Vec::new(),
                live: Some(live),
                floor: 0,
            });
        };
        let seq = last
            .split_once('-')
            .filter(|(epoch, _)| *epoch == self.epoch)
            .and_then(|(_, seq)| seq.parse::<u64>().ok());
        let Some(seq) = seq else {
            let resync = self.resync_event(
                log.next_seq.saturating_sub(1),
                "the events after your Last-Event-ID are no longer available; refetch your resumes",
            );
            return AccountStart::Ready(Subscription {
                history: vec![Arc::new(resync)],
                live: Some(live),
                floor: 0,
            });
        };
        let in_ring = log
            .ring
            .front()
            .is_some_and(|(oldest, _)| seq >= oldest.saturating_sub(1) && seq < log.next_seq);
        if in_ring {
            let history: Vec<_> = log
                .ring
                .iter()
                .filter(|(s, _)| *s > seq)
                .map(|(_, e)| e.clone())
                .collect();
            let floor = log.next_seq - 1;
            return AccountStart::Ready(Subscription {
                history,
                live: Some(live),
                floor,
            });
        }
        AccountStart::FromTable { live, after: seq }
    }

    /// Subscribe to `owner`'s account stream from what the hub holds (the
    /// ring); see [`Hub::subscribe_account_replay`] for the stream handler.
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
                floor: 0,
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
        Subscription {
            history,
            live,
            floor: 0,
        }
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
        floor: 0,
    }
}

/// Keep `event` in `log`'s ring and deliver it live.
fn push(log: &mut AccountLog, seq: u64, event: SharedEvent) {
    log.next_seq = seq + 1;
    if log.ring.len() == ACCOUNT_HISTORY {
        log.ring.pop_front();
    }
    log.ring.push_back((seq, event.clone()));
    let _ = log.tx.send(event);
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
pub(crate) mod tests {
    use super::*;

    /// A change event of `kind` (also for the relay's tests).
    pub(crate) fn change(kind: &str) -> ChangeEvent {
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

    fn relaying() -> Hub {
        let events = crate::store::postgres::events::PgEvents::unconnected();
        let metrics = Arc::new(crate::metrics::Metrics::new());
        Hub::with_relay(super::super::relay::new(events, metrics).0)
    }

    fn logged(kind: &str) -> LoggedEvent {
        LoggedEvent {
            kind: kind.into(),
            data: "{}".into(),
        }
    }

    #[tokio::test]
    async fn relayed_changes_are_delivered_once_in_number_order() {
        let hub = relaying();
        let mut live = hub.subscribe_account("alice", None).live.unwrap();
        // Published changes go to the database, not straight to subscribers.
        hub.publish_change("alice", &change("resume.created"));
        assert!(live.try_recv().is_err());
        // A first number for an owner is taken as it comes (another instance
        // may have numbered events before this one started).
        assert_eq!(
            hub.deliver_change("alice", 5, logged("a")),
            Delivery::Delivered
        );
        assert_eq!(
            hub.deliver_change("alice", 6, logged("b")),
            Delivery::Delivered
        );
        assert_eq!(
            hub.deliver_change("alice", 6, logged("b")),
            Delivery::Duplicate
        );
        assert_eq!(
            hub.deliver_change("alice", 3, logged("c")),
            Delivery::Duplicate
        );
        assert_eq!(
            hub.deliver_change("alice", 9, logged("d")),
            Delivery::Gap { after: 6 }
        );
        let got: Vec<_> = std::iter::from_fn(|| live.try_recv().ok())
            .map(|e| (e.id.clone(), e.seq))
            .collect();
        assert_eq!(got, vec![("db-5".to_string(), 5), ("db-6".to_string(), 6)]);
        // A gap that cannot be filled: subscribers get resync, then it goes on.
        hub.skip_to("alice", 8, "gone");
        assert_eq!(
            hub.deliver_change("alice", 9, logged("d")),
            Delivery::Delivered
        );
        let names: Vec<_> = std::iter::from_fn(|| live.try_recv().ok())
            .map(|e| e.event.clone())
            .collect();
        assert_eq!(names, vec!["resync", "d"]);
        assert_eq!(hub.account_position("alice"), Some(9));
        assert_eq!(hub.account_positions(), vec![("alice".to_string(), 9)]);
    }

    #[tokio::test]
    async fn relayed_replay_uses_the_ring_and_else_the_table() {
        let hub = relaying();
        let total = ACCOUNT_HISTORY as u64 + 10;
        for seq in 1..=total {
            hub.deliver_change("alice", seq, logged("resume.updated"));
        }
        // In the ring: from it, with the floor at the newest delivered.
        let AccountStart::Ready(sub) =
            hub.start_account("alice", Some(&format!("db-{}", total - 3)))
        else {
            panic!("in the ring")
        };
        let seqs: Vec<_> = sub.history.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, vec![total - 2, total - 1, total]);
        assert_eq!(sub.floor, total);
        // Older than the ring, or ahead of what arrived here: the table.
        for last in [2, total + 5] {
            match hub.start_account("alice", Some(&format!("db-{last}"))) {
                AccountStart::FromTable { after, .. } => assert_eq!(after, last),
                AccountStart::Ready(_) => panic!("db-{last} is read from the table"),
            }
        }
        // An owner this instance has not heard of: the table too.
        assert!(matches!(
            hub.start_account("bob", Some("db-0")),
            AccountStart::FromTable { after: 0, .. }
        ));
        // Not an id of this database: resync.
        let AccountStart::Ready(sub) = hub.start_account("alice", Some("18c0a-3")) else {
            panic!("answered at once")
        };
        assert_eq!(sub.history[0].event, "resync");
        // The table cannot be read (no database here): resync, not silence.
        let sub = hub.subscribe_account_replay("alice", Some("db-2")).await;
        assert_eq!(sub.history.len(), 1);
        assert_eq!(sub.history[0].event, "resync");
        assert_eq!(sub.history[0].id, format!("db-{total}"));
    }

    #[tokio::test]
    async fn relayed_stream_events_are_published_here_at_once() {
        let hub = relaying();
        let id = Uuid::new_v4();
        hub.publish_parse(id, SseEvent::json("1", "progress", &1));
        let sub = hub.subscribe_parse(id, None);
        assert_eq!(sub.history.len(), 1);
        hub.end_open_logs();
        // The log ended: its subscriber's feed is closed.
        let mut live = sub.live.unwrap();
        assert!(matches!(
            live.try_recv(),
            Err(broadcast::error::TryRecvError::Closed)
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
