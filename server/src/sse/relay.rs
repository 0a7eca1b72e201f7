//! Events across server instances on PostgreSQL: what one instance's hub
//! publishes reaches the subscribers on every instance, through the
//! database itself (an event table and `LISTEN`/`NOTIFY`, SQL in
//! [`crate::store::postgres::events`]), no broker.
//!
//! How it fits together:
//!
//! * **Sending.** A relaying hub ([`Hub::with_relay`]) hands what it
//!   publishes to the [`Outbox`]: a bounded queue ([`OUTBOX`] items) that
//!   never blocks the caller. One task per instance drains it, up to
//!   [`BATCH`] items per transaction. An account change is numbered per owner
//!   by the database (`event_seq`), stored in `events` and announced with
//!   `NOTIFY` in the same transaction; parse and export events are announced
//!   only. A batch's account events are written in owner order, so two
//!   instances' batches take owners' counter locks in one order (no
//!   deadlock); per owner the order is kept.
//! * **Database down.** The drain task retries its batch with backoff (up
//!   to 5 s apart) until the database answers; meanwhile the queue fills,
//!   and once full, new events are dropped with a warning (and counted,
//!   `vitae_events_relayed_total{operation="sent",outcome="dropped"}`). For
//!   every owner that lost an account event that way, a `resync` event is
//!   written as soon as writing works again: subscribers are told to
//!   refetch, never left with a silent gap. A write whose commit outcome is
//!   unknown is retried, which may store a change event twice (harmless:
//!   every change event says the state to refetch, not a delta).
//! * **Receiving.** Every instance holds one connection of its own (outside
//!   the pool) listening on `vitae_events`, reconnecting with backoff. Each
//!   account event is delivered into the local hub with its database
//!   number, on the instance that made it too, so every instance sees one
//!   order. A number past the next expected one means notifications were
//!   missed: the missing events are read from the table first (or, when
//!   they are gone, subscribers get `resync`). After a reconnect, every
//!   owner the hub knows is caught up from the table, and every unfinished
//!   parse and export log is ended, so its subscribers reconnect and get
//!   the log rebuilt from the store instead of waiting on events that
//!   went past.
//! * **Parse and export streams.** The instance that runs the work
//!   publishes to its own hub at once and ignores its own echo (the
//!   announcement names the instance). A terminal event too big for a
//!   notification (a parse's `complete` carries the resume) is announced
//!   as "ended" and rebuilt from the store by each receiver
//!   ([`crate::pipeline::terminal_event`], [`crate::exports::terminal_event`]).
//! * **Replay.** Account ids are `db-<seq>`, the same on every instance. A
//!   `Last-Event-ID` older than the hub's ring is read from the table
//!   ([`Outbox::replay`]); older than the table keeps gets `resync`.
//!
//! On redb there is no relay: the hub numbers account events itself.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use uuid::Uuid;

use super::hub::{Delivery, Hub};
use super::SseEvent;
use crate::metrics::Metrics;
use crate::store::postgres::events::{
    Announcement, LoggedEvent, Outgoing, PgEvents, StreamEvent, KEEP_PER_OWNER,
};
use crate::store::Store;

/// Events waiting to be written, at most; past it new ones are dropped.
pub const OUTBOX: usize = 8192;
/// Items written per transaction, at most.
const BATCH: usize = 64;
/// The longest wait between two attempts to reach the database.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

const GONE: &str = "some events of this account could not be delivered; refetch your resumes";

/// What [`Outbox`] and the relay's tasks share.
struct Shared {
    events: PgEvents,
    metrics: Arc<Metrics>,
    instance: Uuid,
    /// Owners who lost an account event to a full queue: each gets a
    /// `resync` event once writing works again.
    dropped: Mutex<HashSet<String>>,
}

/// The hub's side of the relay: where it sends what it publishes.
#[derive(Clone)]
pub struct Outbox {
    tx: mpsc::Sender<Outgoing>,
    shared: Arc<Shared>,
}

/// The tasks' side, until [`Relay::start`].
pub struct Relay {
    rx: mpsc::Receiver<Outgoing>,
    shared: Arc<Shared>,
}

/// A new relay over `events`, with the outbox to build the hub with.
pub fn new(events: PgEvents, metrics: Arc<Metrics>) -> (Outbox, Relay) {
    let (tx, rx) = mpsc::channel(OUTBOX);
    let shared = Arc::new(Shared {
        events,
        metrics,
        instance: Uuid::new_v4(),
        dropped: Mutex::new(HashSet::new()),
    });
    (
        Outbox {
            tx,
            shared: shared.clone(),
        },
        Relay { rx, shared },
    )
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Outbox {
    /// This instance's id in announcements.
    pub fn instance(&self) -> Uuid {
        self.shared.instance
    }

    /// Queue `item` for the database; never waits. A full queue drops it.
    pub fn send(&self, item: Outgoing) {
        let item = match self.tx.try_send(item) {
            Ok(()) => return,
            Err(mpsc::error::TrySendError::Full(item)) => item,
            Err(mpsc::error::TrySendError::Closed(item)) => item,
        };
        self.shared.metrics.events_sent(1, true);
        match item {
            Outgoing::Change { owner, event } => {
                tracing::warn!(owner = %owner, kind = %event.kind, "event relay queue full (database slow or down); dropping an account event, its subscribers get resync");
                lock(&self.shared.dropped).insert(owner);
            }
            Outgoing::Notice(_) => {
                tracing::warn!("event relay queue full (database slow or down); dropping a stream event for the other instances");
            }
        }
    }

    /// `owner`'s events after `after` from the table, or why they cannot
    /// be replayed (the reason of the `resync` to send instead).
    pub async fn replay(&self, owner: &str, after: u64) -> Result<Vec<(u64, LoggedEvent)>, String> {
        let replay = self
            .shared
            .events
            .after(owner, after, KEEP_PER_OWNER + 2 * BATCH as i64)
            .await
            .map_err(|error| {
                tracing::warn!(%error, "cannot read the event table for a replay");
                format!("the events after your Last-Event-ID cannot be read now ({error}); refetch your resumes")
            })?;
        let gone = || {
            "the events after your Last-Event-ID are no longer available; refetch your resumes"
                .to_string()
        };
        if after > replay.newest {
            return Err(gone());
        }
        match replay.events.first() {
            Some((first, _)) if *first != after + 1 => Err(gone()),
            None if after < replay.newest => Err(gone()),
            _ => Ok(replay.events),
        }
    }
}

impl Relay {
    /// Start the writing and the listening task; they run until `shutdown`
    /// (the writer until the hub, and with it the outbox, is gone). Answers
    /// once the listening connection is up, or after `wait` (then it keeps
    /// trying in the background): an instance that serves streams before it
    /// listens would miss the first events of its subscribers.
    pub async fn start(
        self,
        hub: Arc<Hub>,
        store: Arc<dyn Store>,
        shutdown: watch::Receiver<bool>,
        wait: Duration,
    ) {
        tokio::spawn(write_loop(self.rx, self.shared.clone()));
        let listener = Listener {
            hub,
            store,
            shared: self.shared,
        };
        let (listening_tx, listening) = tokio::sync::oneshot::channel();
        tokio::spawn(listener.run(shutdown, listening_tx));
        if tokio::time::timeout(wait, listening).await.is_err() {
            tracing::warn!(
                seconds = wait.as_secs(),
                "not yet listening for other instances' events; starting anyway"
            );
        }
    }
}

/// Drain the outbox into the database, a batch per transaction.
async fn write_loop(mut rx: mpsc::Receiver<Outgoing>, shared: Arc<Shared>) {
    let mut batch = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        let resyncs: Vec<String> = lock(&shared.dropped).drain().collect();
        for owner in resyncs {
            let data = serde_json::json!({ "reason": GONE }).to_string();
            batch.push(Outgoing::Change {
                owner,
                event: LoggedEvent {
                    kind: vitae_common::names::RESYNC.to_string(),
                    data,
                },
            });
        }
        // Owner order across instances (no deadlock on the counter rows);
        // a stable sort keeps each owner's own order.
        batch.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
        let mut backoff = Duration::from_millis(100);
        let mut failures = 0u32;
        loop {
            match shared.events.write(&batch).await {
                Ok(_) => break,
                Err(error) => {
                    failures += 1;
                    if failures == 1 {
                        tracing::warn!(%error, queued = rx.len(), "cannot write events to the database; retrying");
                    } else {
                        tracing::debug!(%error, failures, "still cannot write events");
                    }
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
        if failures > 0 {
            tracing::info!(failures, "writing events to the database works again");
        }
        shared.metrics.events_sent(batch.len() as u64, false);
        batch.clear();
    }
}

fn sort_key(item: &Outgoing) -> (u8, &str) {
    match item {
        Outgoing::Change { owner, .. } => (0, owner),
        Outgoing::Notice(_) => (1, ""),
    }
}

/// The listening side: one connection, its notifications into the hub.
struct Listener {
    hub: Arc<Hub>,
    store: Arc<dyn Store>,
    shared: Arc<Shared>,
}

impl Listener {
    async fn run(
        self,
        mut shutdown: watch::Receiver<bool>,
        listening: tokio::sync::oneshot::Sender<()>,
    ) {
        let mut listening = Some(listening);
        let mut backoff = Duration::from_millis(100);
        let mut connected_before = false;
        let mut failures = 0u32;
        loop {
            let connected = tokio::select! {
                _ = shutdown.changed() => return,
                connected = self.shared.events.listen() => connected,
            };
            let (client, mut notes) = match connected {
                Ok(connected) => connected,
                Err(error) => {
                    failures += 1;
                    if failures == 1 {
                        tracing::warn!(%error, "cannot listen for other instances' events; retrying");
                    }
                    tokio::select! {
                        _ = shutdown.changed() => return,
                        _ = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
            };
            if connected_before {
                tracing::info!(
                    failures,
                    "listening for other instances' events again; catching up"
                );
                self.hub.end_open_logs();
            }
            connected_before = true;
            if let Some(listening) = listening.take() {
                let _ = listening.send(());
            }
            failures = 0;
            backoff = Duration::from_millis(100);
            self.catch_up().await;
            loop {
                let note = tokio::select! {
                    _ = shutdown.changed() => return,
                    note = notes.recv() => note,
                };
                let Some(payload) = note else { break };
                self.handle(&payload).await;
            }
            drop(client);
            tracing::warn!(
                "lost the connection that listens for other instances' events; reconnecting"
            );
        }
    }

    async fn handle(&self, payload: &str) {
        let announcement: Announcement = match serde_json::from_str(payload) {
            Ok(announcement) => announcement,
            Err(error) => {
                tracing::warn!(%error, "an event notification that is not one of ours; ignored");
                return;
            }
        };
        self.shared.metrics.event_received();
        let me = self.shared.instance;
        match announcement {
            Announcement::Change { owner, seq, event } => self.change(&owner, seq, event).await,
            Announcement::Parse { from, id, event } if from != me => match event {
                Some(event) => self.hub.deliver_parse(id, stream_event(event)),
                None => self.rebuild_parse(id),
            },
            Announcement::Export { from, id, event } if from != me => match event {
                Some(event) => self.hub.deliver_export(id, stream_event(event)),
                None => self.rebuild_export(id),
            },
            Announcement::ForgetParse { from, id } if from != me => self.hub.forget_parse_here(id),
            // Our own stream events, already published here.
            _ => {}
        }
    }

    /// Deliver account event `seq`, after any it finds missing.
    async fn change(&self, owner: &str, seq: u64, event: Option<LoggedEvent>) {
        let after = match event.clone() {
            Some(event) => match self.hub.deliver_change(owner, seq, event) {
                Delivery::Delivered | Delivery::Duplicate => return,
                Delivery::Gap { after } => after,
            },
            None => match self.hub.account_position(owner) {
                Some(last) if last >= seq => return,
                Some(last) => last,
                None => seq - 1,
            },
        };
        self.fill(owner, after, Some(seq)).await;
        if self.hub.account_position(owner).unwrap_or(0) < seq {
            // Not in the table (pruned, or the read failed).
            match event {
                Some(event) => {
                    self.hub.skip_to(owner, seq - 1, GONE);
                    self.hub.deliver_change(owner, seq, event);
                }
                None => self.hub.skip_to(owner, seq, GONE),
            }
        }
    }

    /// Deliver `owner`'s events after `after` (up to `upto`) from the table.
    async fn fill(&self, owner: &str, after: u64, upto: Option<u64>) {
        let limit = match upto {
            Some(upto) => i64::try_from(upto - after).unwrap_or(i64::MAX),
            None => KEEP_PER_OWNER + 2 * BATCH as i64,
        };
        let replay = match self.shared.events.after(owner, after, limit).await {
            Ok(replay) => replay,
            Err(error) => {
                tracing::warn!(%error, "cannot read missed events from the database");
                return;
            }
        };
        for (seq, event) in replay.events {
            if let Delivery::Gap { .. } = self.hub.deliver_change(owner, seq, event.clone()) {
                self.hub.skip_to(owner, seq - 1, GONE);
                self.hub.deliver_change(owner, seq, event);
            }
        }
    }

    /// Deliver what every owner this hub knows missed while not listening.
    async fn catch_up(&self) {
        let positions = self.hub.account_positions();
        if positions.is_empty() {
            return;
        }
        let behind = match self.shared.events.owners_behind(&positions).await {
            Ok(behind) => behind,
            Err(error) => {
                tracing::warn!(%error, "cannot catch up on missed events");
                return;
            }
        };
        for (owner, last) in positions {
            if behind.contains(&owner) {
                self.fill(&owner, last, None).await;
            }
        }
    }

    /// Publish a parse's terminal event, rebuilt from the store.
    fn rebuild_parse(&self, id: Uuid) {
        let (hub, store, events) = (
            self.hub.clone(),
            self.store.clone(),
            self.shared.events.clone(),
        );
        tokio::spawn(async move {
            let Ok(Some(owner)) = events.resume_owner(id).await else {
                return;
            };
            match store.get_resume(&owner, id).await {
                Ok(stored) => {
                    if let Some(event) = crate::pipeline::terminal_event(&stored) {
                        hub.deliver_parse(id, event);
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, resume = %id, "cannot rebuild a parse's end from the store")
                }
            }
        });
    }

    /// Publish an export's terminal event, rebuilt from the store.
    fn rebuild_export(&self, id: Uuid) {
        let (hub, store, events) = (
            self.hub.clone(),
            self.store.clone(),
            self.shared.events.clone(),
        );
        tokio::spawn(async move {
            let Ok(Some(owner)) = events.export_owner(id).await else {
                return;
            };
            match store.get_export(&owner, id).await {
                Ok(record) => {
                    if let Some(event) = crate::exports::terminal_event(&record) {
                        hub.deliver_export(id, event);
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, export = %id, "cannot rebuild an export's end from the store")
                }
            }
        });
    }
}

fn stream_event(event: StreamEvent) -> SseEvent {
    SseEvent::raw(event.id, event.event, event.data, event.terminal, 0)
}

/// Against a real database (the shared throw-away cluster of
/// `vitae_tests::postgres`): two instances' hubs on one database see one
/// order, a listener that missed notifications fills the gap from the
/// table, and a replay reads exactly what came after an id. Without
/// PostgreSQL these say they skipped (unless `VITAE_REQUIRE_POSTGRES=1`).
#[cfg(test)]
mod tests {
    use super::*;
    use crate::sse::hub::tests::change;
    use crate::store::postgres::PgStore;
    use vitae_tests::postgres::cluster_or_skip;

    struct Instance {
        hub: Arc<Hub>,
        outbox: Outbox,
        shared: Arc<Shared>,
        store: Arc<PgStore>,
        _dir: tempfile::TempDir,
    }

    async fn instance(url: &str, shutdown: &watch::Receiver<bool>) -> Instance {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(
            PgStore::open(&url.parse().unwrap(), dir.path())
                .await
                .unwrap(),
        );
        let (outbox, relay) = new(store.events(), Arc::new(Metrics::new()));
        let shared = relay.shared.clone();
        let hub = Arc::new(Hub::with_relay(outbox.clone()));
        relay
            .start(
                hub.clone(),
                store.clone(),
                shutdown.clone(),
                Duration::from_secs(10),
            )
            .await;
        Instance {
            hub,
            outbox,
            shared,
            store,
            _dir: dir,
        }
    }

    async fn next(
        live: &mut tokio::sync::broadcast::Receiver<super::super::SharedEvent>,
    ) -> (String, String) {
        let event = tokio::time::timeout(Duration::from_secs(20), live.recv())
            .await
            .expect("an event within 20 s")
            .expect("the feed is open");
        (event.id.clone(), event.event.clone())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn instances_on_one_database_see_one_order_and_fill_gaps() {
        let Some(cluster) = cluster_or_skip("relay across instances") else {
            return;
        };
        let url = cluster.fresh_database();
        let (_stop, shutdown) = watch::channel(false);
        let one = instance(&url, &shutdown).await;
        let two = instance(&url, &shutdown).await;
        // Both listening: an owner's first event is taken whatever its
        // number, so warm up until each hub has one.
        while one.hub.account_position("warm").is_none()
            || two.hub.account_position("warm").is_none()
        {
            one.hub.publish_change("warm", &change("warm"));
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut live_one = one.hub.subscribe_account("alice", None).live.unwrap();
        let mut live_two = two.hub.subscribe_account("alice", None).live.unwrap();
        for i in 0..20 {
            let from = if i % 2 == 0 { &one.hub } else { &two.hub };
            from.publish_change("alice", &change(&format!("e{i}")));
        }
        let mut seen_one = Vec::new();
        let mut seen_two = Vec::new();
        for _ in 0..20 {
            seen_one.push(next(&mut live_one).await);
            seen_two.push(next(&mut live_two).await);
        }
        assert_eq!(seen_one, seen_two, "one order on every instance");
        let ids: Vec<_> = seen_one.iter().map(|(id, _)| id.clone()).collect();
        let expected: Vec<_> = (1..=20).map(|n| format!("db-{n}")).collect();
        assert_eq!(ids, expected);
        // Each instance's own events keep their order too.
        let mine: Vec<_> = seen_one
            .iter()
            .filter(|(_, kind)| kind[1..].parse::<u32>().unwrap() % 2 == 0)
            .map(|(_, kind)| kind.clone())
            .collect();
        assert_eq!(
            mine,
            (0..20)
                .step_by(2)
                .map(|i| format!("e{i}"))
                .collect::<Vec<_>>()
        );

        // A listener that missed 2..19 fills them in from the table.
        let three = Arc::new(Hub::with_relay(one.outbox.clone()));
        let listener = Listener {
            hub: three.clone(),
            store: one.store.clone(),
            shared: one.shared.clone(),
        };
        three.deliver_change(
            "alice",
            1,
            LoggedEvent {
                kind: "e0".into(),
                data: "{}".into(),
            },
        );
        let mut live_three = three.subscribe_account("alice", None).live.unwrap();
        listener.change("alice", 20, None).await;
        let mut filled = Vec::new();
        for _ in 2..=20 {
            filled.push(next(&mut live_three).await);
        }
        assert_eq!(filled, seen_one[1..].to_vec(), "the gap, filled in order");

        // Replays read from the table: exactly what came after.
        let after_15 = one.outbox.replay("alice", 15).await.unwrap();
        let numbers: Vec<_> = after_15.iter().map(|(seq, _)| *seq).collect();
        assert_eq!(numbers, vec![16, 17, 18, 19, 20]);
        assert!(one.outbox.replay("alice", 20).await.unwrap().is_empty());
        assert!(
            one.outbox.replay("alice", 21).await.is_err(),
            "an id past the newest"
        );
        assert_eq!(
            one.outbox.replay("nobody", 0).await.unwrap(),
            Vec::new(),
            "an owner without events"
        );
    }
}
