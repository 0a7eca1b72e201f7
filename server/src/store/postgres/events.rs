//! The SQL side of events across instances ([`crate::sse::relay`]): the
//! per-owner event log (`events`, numbered by `event_seq`, migration 4),
//! the `vitae_events` notification channel, and the one dedicated
//! connection per instance that listens on it.
//!
//! An account event is numbered, stored and announced in one transaction:
//! the upsert on `event_seq` locks the owner's counter row until commit, so
//! an owner's events commit in number order, and PostgreSQL delivers a
//! transaction's `NOTIFY`s at commit, in commit order. Parse and export
//! progress is announced only (a parse log is short and rebuilt from the
//! store when its events are gone). A notification payload is at most
//! [`MAX_PAYLOAD`] bytes: an account event too big for one is announced
//! without its data (a listener reads it from the table), a stream event
//! too big is announced as "ended" and rebuilt from the store.
//!
//! Each owner keeps its newest [`KEEP_PER_OWNER`] events (older ones are
//! deleted by the insert that pushes them out): enough for any client that
//! reconnects within minutes; an older `Last-Event-ID` gets `resync`.

use std::collections::HashSet;

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio_postgres::AsyncMessage;
use uuid::Uuid;

use crate::store::StoreError;

/// The notification channel every instance listens on.
pub const CHANNEL: &str = "vitae_events";
/// Events kept per owner for replay.
pub const KEEP_PER_OWNER: i64 = 4096;
/// PostgreSQL refuses a notification payload of 8000 bytes or more; stay
/// well clear of it.
pub const MAX_PAYLOAD: usize = 7800;
/// Notifications buffered between the listening connection and the task
/// that delivers them; when full, the connection waits (PostgreSQL keeps
/// queueing on its side).
const LISTEN_BUFFER: usize = 4096;

/// One event as it travels between instances, in a notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "k", rename_all = "snake_case")]
pub enum Announcement {
    /// An account event, stored under `(owner, seq)`. `event` is `None`
    /// when it did not fit the payload: read it from the table.
    Change {
        owner: String,
        seq: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<LoggedEvent>,
    },
    /// A parse log's event, from the instance `from`. `event` is `None`
    /// for a terminal event too big to carry: rebuild it from the store.
    Parse {
        from: Uuid,
        id: Uuid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<StreamEvent>,
    },
    /// An export job's event (as for `Parse`).
    Export {
        from: Uuid,
        id: Uuid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<StreamEvent>,
    },
    /// A resume was deleted: its parse log ends everywhere.
    ForgetParse { from: Uuid, id: Uuid },
}

/// An account event's kind and serialised data, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedEvent {
    pub kind: String,
    pub data: String,
}

/// A parse or export stream event, as published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamEvent {
    pub id: String,
    pub event: String,
    pub data: String,
    pub terminal: bool,
}

/// What one relay write carries.
#[derive(Debug, Clone)]
pub enum Outgoing {
    /// An account event: numbered, stored, announced.
    Change { owner: String, event: LoggedEvent },
    /// Announced only.
    Notice(Announcement),
}

/// What the log holds for an owner after a given number.
#[derive(Debug, Default)]
pub struct Replay {
    /// The events numbered after it, oldest first.
    pub events: Vec<(u64, LoggedEvent)>,
    /// The newest number the owner has been given (0: none yet).
    pub newest: u64,
}

/// The event log of one database: a pooled writer and reader, and the
/// settings for the listening connection.
#[derive(Clone)]
pub struct PgEvents {
    pool: deadpool_postgres::Pool,
    config: tokio_postgres::Config,
    /// The pool's TLS settings, for the listening connection too.
    tls: super::connect::Tls,
}

impl std::fmt::Debug for PgEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgEvents").finish_non_exhaustive()
    }
}

impl PgEvents {
    pub(super) fn new(
        pool: deadpool_postgres::Pool,
        config: tokio_postgres::Config,
        tls: super::connect::Tls,
    ) -> PgEvents {
        PgEvents { pool, config, tls }
    }

    /// An event log that never connected (for tests of what happens
    /// before or without the database; every call fails).
    #[cfg(test)]
    pub fn unconnected() -> PgEvents {
        let mut config = tokio_postgres::Config::new();
        config.host("/nonexistent").dbname("none");
        let url: super::DatabaseUrl = "postgres://none@localhost/none"
            .parse()
            .expect("a valid URL");
        let tls = url.tls().expect("default TLS settings");
        let manager = deadpool_postgres::Manager::new(config.clone(), tls.clone());
        let pool = deadpool_postgres::Pool::builder(manager)
            .max_size(1)
            .build()
            .expect("a pool builds without connecting");
        PgEvents { pool, config, tls }
    }

    /// Store and announce `batch` in one transaction. Answers the numbers
    /// the account events got, in order. On error nothing was written,
    /// or (commit outcome unknown) possibly all of it.
    pub async fn write(&self, batch: &[Outgoing]) -> Result<Vec<u64>, StoreError> {
        let mut client = self.pool.get().await?;
        let txn = client.transaction().await?;
        let next = txn
            .prepare_cached(
                "INSERT INTO event_seq (owner, seq) VALUES ($1, 1)
                 ON CONFLICT (owner) DO UPDATE SET seq = event_seq.seq + 1
                 RETURNING seq",
            )
            .await?;
        let insert = txn
            .prepare_cached("INSERT INTO events (owner, seq, kind, data) VALUES ($1, $2, $3, $4)")
            .await?;
        let prune = txn
            .prepare_cached("DELETE FROM events WHERE owner = $1 AND seq <= $2")
            .await?;
        let mut numbers = Vec::new();
        for item in batch {
            let announcement = match item {
                Outgoing::Change { owner, event } => {
                    let seq: i64 = txn.query_one(&next, &[owner]).await?.get(0);
                    txn.execute(&insert, &[owner, &seq, &event.kind, &event.data])
                        .await?;
                    if seq > KEEP_PER_OWNER && seq % 64 == 0 {
                        // Pruned in steps, not on every insert: one delete
                        // of 64 rows costs about what one of a row does.
                        txn.execute(&prune, &[owner, &(seq - KEEP_PER_OWNER)])
                            .await?;
                    }
                    numbers.push(seq as u64);
                    let full = Announcement::Change {
                        owner: owner.clone(),
                        seq: seq as u64,
                        event: Some(event.clone()),
                    };
                    fitted(full).unwrap_or(Announcement::Change {
                        owner: owner.clone(),
                        seq: seq as u64,
                        event: None,
                    })
                }
                Outgoing::Notice(notice) => notice.clone(),
            };
            let payload = serde_json::to_string(&announcement)
                .map_err(|e| StoreError::Backend(format!("encoding an event: {e}")))?;
            txn.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &payload])
                .await?;
        }
        txn.commit().await?;
        Ok(numbers)
    }

    /// `owner`'s events numbered after `after`, at most `limit` of them.
    pub async fn after(&self, owner: &str, after: u64, limit: i64) -> Result<Replay, StoreError> {
        let client = self.pool.get().await?;
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let rows = client
            .query(
                "SELECT seq, kind, data FROM events WHERE owner = $1 AND seq > $2
                 ORDER BY seq LIMIT $3",
                &[&owner, &after, &limit],
            )
            .await?;
        let newest = client
            .query_opt("SELECT seq FROM event_seq WHERE owner = $1", &[&owner])
            .await?;
        Ok(Replay {
            events: rows
                .iter()
                .map(|row| {
                    let seq: i64 = row.get(0);
                    (
                        seq as u64,
                        LoggedEvent {
                            kind: row.get(1),
                            data: row.get(2),
                        },
                    )
                })
                .collect(),
            newest: newest.map_or(0, |row| row.get::<_, i64>(0) as u64),
        })
    }

    /// The owner of a resume (to rebuild its parse log's terminal event).
    pub async fn resume_owner(&self, id: Uuid) -> Result<Option<String>, StoreError> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt("SELECT owner FROM resumes WHERE id = $1", &[&id])
            .await?;
        Ok(row.map(|row| row.get(0)))
    }

    /// The owner of an export job.
    pub async fn export_owner(&self, id: Uuid) -> Result<Option<String>, StoreError> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt("SELECT owner FROM exports WHERE id = $1", &[&id])
            .await?;
        Ok(row.map(|row| row.get(0)))
    }

    /// Open a connection of its own (outside the pool, which recycles
    /// connections and would drop the `LISTEN`) and listen on [`CHANNEL`].
    /// The payloads arrive on the receiver, which closes when the
    /// connection is lost; the client must be kept while listening.
    pub async fn listen(
        &self,
    ) -> Result<(tokio_postgres::Client, mpsc::Receiver<String>), StoreError> {
        let (client, mut connection) = self.config.connect(self.tls.clone()).await?;
        let (tx, rx) = mpsc::channel(LISTEN_BUFFER);
        tokio::spawn(async move {
            let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
            while let Some(message) = messages.next().await {
                match message {
                    Ok(AsyncMessage::Notification(note)) => {
                        if tx.send(note.payload().to_string()).await.is_err() {
                            break;
                        }
                    }
                    Ok(_) => {}
                    Err(error) => {
                        tracing::warn!(%error, "the event listening connection failed");
                        break;
                    }
                }
            }
        });
        client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
        Ok((client, rx))
    }

    /// The owners among `owners` that have events after the numbers given
    /// (a cheap check before catching up after a reconnect).
    pub async fn owners_behind(
        &self,
        owners: &[(String, u64)],
    ) -> Result<HashSet<String>, StoreError> {
        let client = self.pool.get().await?;
        let names: Vec<&str> = owners.iter().map(|(o, _)| o.as_str()).collect();
        let seqs: Vec<i64> = owners
            .iter()
            .map(|(_, s)| i64::try_from(*s).unwrap_or(i64::MAX))
            .collect();
        let rows = client
            .query(
                "SELECT s.owner FROM event_seq s
                 JOIN unnest($1::text[], $2::bigint[]) AS known(owner, seq) ON known.owner = s.owner
                 WHERE s.seq > known.seq",
                &[&names, &seqs],
            )
            .await?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }
}

/// `announcement` if it fits a notification payload.
fn fitted(announcement: Announcement) -> Option<Announcement> {
    fits(&announcement).then_some(announcement)
}

/// Whether `announcement` fits a notification payload.
pub fn fits(announcement: &Announcement) -> bool {
    serde_json::to_string(announcement).is_ok_and(|s| s.len() <= MAX_PAYLOAD)
}
