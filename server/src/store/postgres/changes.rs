//! The change feed: how an instance learns that its read caches may be
//! stale because some instance, this one or another, wrote to the database.
//!
//! The read caches ([`crate::read_cache`], and the token cache in
//! [`super::tokens`]) serve a value only while [`Store::generation`]
//! (`crate::store::Store::generation`) is what it was when the value was
//! read. On redb the writer thread advances it after every commit. Here
//! the writes of every instance count, so:
//!
//! - every table a cached answer is built from (`resumes`, `revisions`,
//!   `shares`, `tokens`, `jobs`) has a statement-level trigger
//!   (migration 5) that runs `pg_notify('vitae_changes', '')` inside the
//!   writing transaction; PostgreSQL delivers it to every listening
//!   session at commit (and folds a transaction's repeats into one);
//! - each instance holds one connection that `LISTEN`s on that channel,
//!   and advances the generation on every notification;
//! - this instance's own writes advance it as soon as they return
//!   ([`ChangeFeed::wrote`]), before its own notification comes back, so
//!   an instance always reads its own writes;
//! - while the listening connection is down (the database restarting,
//!   the network), nothing is known of other instances' writes, so the
//!   generation advances on every read and the caches serve nothing; it
//!   advances once more when the connection is back and listening.
//!
//! What this costs: on another instance, a cached answer can outlive a
//! commit by the time its notification takes to arrive (the cross-instance
//! event latency of docs/benchmarks.md, milliseconds). A compare-and-set
//! (If-Match) is checked by the database, never against a cache, so no
//! write is ever lost to that window; docs/deploy.md says so.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio_postgres::AsyncMessage;

/// The notification channel of the triggers (migration 5).
pub(super) const CHANNEL: &str = "vitae_changes";
/// The longest wait between two tries to reconnect the listener.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

#[derive(Debug, Default)]
pub(super) struct ChangeFeed {
    generation: AtomicU64,
    /// The listening connection is up: notifications will arrive.
    listening: AtomicBool,
}

impl ChangeFeed {
    /// The generation the read caches key on; a new one on every call
    /// while the feed is down.
    pub(super) fn generation(&self) -> u64 {
        if self.listening.load(Ordering::Acquire) {
            self.generation.load(Ordering::Acquire)
        } else {
            self.generation.fetch_add(1, Ordering::AcqRel) + 1
        }
    }

    /// Some instance (maybe this one) committed a write.
    pub(super) fn wrote(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    fn set_listening(&self, up: bool) {
        self.listening.store(up, Ordering::Release);
        // Either way, what was cached before is no longer known current:
        // writes may have happened while nobody listened.
        self.wrote();
    }

    /// Whether the listening connection is up (for tests).
    #[cfg(test)]
    pub(super) fn is_listening(&self) -> bool {
        self.listening.load(Ordering::Acquire)
    }
}

/// Keep a `LISTEN` connection open for `feed`, reconnecting with backoff,
/// until the task is aborted.
pub(super) async fn listen(
    config: tokio_postgres::Config,
    tls: super::connect::Tls,
    feed: Arc<ChangeFeed>,
) {
    let mut backoff = Duration::from_millis(100);
    loop {
        match config.connect(tls.clone()).await {
            Ok((client, mut connection)) => {
                // The connection must be driven while LISTEN runs, and its
                // notifications read after: one stream does both.
                let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
                let driver = tokio::spawn(async move {
                    let mut messages =
                        futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
                    while let Some(message) = messages.next().await {
                        match message {
                            Ok(AsyncMessage::Notification(_)) => {
                                if tx.send(()).is_err() {
                                    return;
                                }
                            }
                            Ok(_) => {}
                            Err(error) => {
                                tracing::warn!(%error, "the change feed's connection failed");
                                return;
                            }
                        }
                    }
                });
                match client.batch_execute(&format!("LISTEN {CHANNEL}")).await {
                    Ok(()) => {
                        feed.set_listening(true);
                        backoff = Duration::from_millis(100);
                        tracing::debug!("change feed listening");
                        while rx.recv().await.is_some() {
                            feed.wrote();
                        }
                        feed.set_listening(false);
                        tracing::warn!("change feed lost; read caches off until it is back");
                    }
                    Err(error) => {
                        tracing::warn!(%error, "the change feed cannot LISTEN");
                    }
                }
                driver.abort();
            }
            Err(error) => {
                tracing::debug!(%error, "the change feed cannot connect yet");
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn while_down_every_read_gets_a_new_generation() {
        let feed = ChangeFeed::default();
        let first = feed.generation();
        assert_ne!(first, feed.generation());
        feed.set_listening(true);
        let steady = feed.generation();
        assert_eq!(steady, feed.generation());
        feed.wrote();
        assert_ne!(steady, feed.generation());
        let before = feed.generation();
        feed.set_listening(false);
        assert_ne!(before, feed.generation());
    }
}
