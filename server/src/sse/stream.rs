//! Turn a [`Subscription`] into a streaming `text/event-stream` response.
//!
//! The response body *is* the subscriber: a stream that hyper's connection
//! task polls, which reads the hub's broadcast channel directly. There is no
//! task or channel per subscriber in between, so an event costs each
//! subscriber one wake-up and one socket write, which is what lets one owner
//! keep 10,000 streams open (see docs/benchmarks.md). The body sends the
//! history, then live events, heartbeats every `heartbeat`, and ends on the
//! terminal event or server shutdown; when the client goes away hyper drops
//! the body and with it the subscription.
//!
//! A numbered account event (PostgreSQL, [`super::relay`]) is sent at most
//! once: a replay read from the event table may overlap the live feed, and
//! what the replay sent is dropped from the feed by number.
//!
//! A subscriber that is behind gets everything waiting for it in one chunk
//! (up to [`COALESCE_BYTES`]), so catching up costs one write, not one per
//! event. A slow client only ever delays itself: the hub's broadcast moves on
//! and the body learns it lagged, then sends the resync event of
//! [`StreamOptions::on_lag`].

use std::convert::Infallible;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::{combinators::UnsyncBoxBody, BodyExt, StreamBody};
use hyper::body::Frame;
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use tokio::sync::broadcast::{self, error::TryRecvError};
use tokio::sync::watch;
use tokio::time::{Interval, MissedTickBehavior};

use super::hub::Subscription;
use super::{heartbeat, SharedEvent, SseEvent};

pub type Body = UnsyncBoxBody<Bytes, Infallible>;

/// Most bytes of queued events joined into one chunk for a subscriber that
/// is behind; beyond it the rest follows in the next chunk.
const COALESCE_BYTES: usize = 64 * 1024;

/// Everything a stream needs besides its subscription.
pub struct StreamOptions {
    pub heartbeat: Duration,
    pub shutdown: watch::Receiver<bool>,
    /// The event to send when the subscriber fell behind by `n` events.
    pub on_lag: Box<dyn Fn(u64) -> SseEvent + Send>,
    /// The stream's slot under the stream limits, given back when the body
    /// is dropped (the stream ended or the client went away).
    pub permit: Option<crate::limits::Permit>,
}

/// Answer with the streaming response of `subscription`.
pub fn respond(subscription: Subscription, options: StreamOptions) -> Response<Body> {
    let subscriber = Subscriber::new(subscription, options);
    let stream = futures_util::stream::unfold(subscriber, |mut subscriber| async move {
        let chunk = subscriber.next_chunk().await?;
        Some((Ok(Frame::data(chunk)), subscriber))
    });
    let mut response = Response::new(StreamBody::new(stream).boxed_unsync());
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// One subscriber's position in its stream.
struct Subscriber {
    /// The opening comment and the history, sent as the first chunk: the
    /// comment makes headers and first bytes leave at once, so clients see
    /// the stream open even before the first event.
    opening: Option<Bytes>,
    live: Option<broadcast::Receiver<SharedEvent>>,
    ticker: Interval,
    shutdown: watch::Receiver<bool>,
    on_lag: Box<dyn Fn(u64) -> SseEvent + Send>,
    /// The terminal event (or the end of the live feed) has been sent.
    finished: bool,
    /// The newest numbered account event sent (or replayed before): live
    /// events numbered at or below it are not sent again.
    floor: u64,
    _permit: Option<crate::limits::Permit>,
}

impl Subscriber {
    fn new(subscription: Subscription, options: StreamOptions) -> Subscriber {
        let mut opening = BytesMut::from(&b": stream open\n\n"[..]);
        let mut finished = subscription.live.is_none();
        let mut floor = subscription.floor;
        for event in &subscription.history {
            floor = floor.max(event.seq);
            opening.extend_from_slice(&event.encode());
            if event.terminal {
                finished = true;
                break;
            }
        }
        let mut ticker = tokio::time::interval_at(
            tokio::time::Instant::now() + options.heartbeat,
            options.heartbeat,
        );
        ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Subscriber {
            opening: Some(opening.freeze()),
            live: subscription.live,
            ticker,
            shutdown: options.shutdown,
            on_lag: options.on_lag,
            finished,
            floor,
            _permit: options.permit,
        }
    }

    /// The next bytes for the socket, or `None` when the stream ends.
    async fn next_chunk(&mut self) -> Option<Bytes> {
        if let Some(opening) = self.opening.take() {
            return Some(opening);
        }
        if self.finished || *self.shutdown.borrow() {
            return None;
        }
        let live = self.live.as_mut()?;
        let first = loop {
            let first = tokio::select! {
                _ = self.shutdown.changed() => return None,
                _ = self.ticker.tick() => return Some(heartbeat()),
                received = live.recv() => match received {
                    Ok(event) => {
                        if !fresh(&mut self.floor, &event) {
                            continue;
                        }
                        self.finished = event.terminal;
                        event.encode()
                    }
                    Err(broadcast::error::RecvError::Lagged(missed)) => resync(&self.on_lag, missed),
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
            };
            break first;
        };
        // Whatever else is already queued goes out in the same write.
        let mut chunk: Option<BytesMut> = None;
        while !self.finished && chunk.as_ref().map_or(first.len(), BytesMut::len) < COALESCE_BYTES {
            let next = match live.try_recv() {
                Ok(event) if !fresh(&mut self.floor, &event) => continue,
                Ok(event) => {
                    self.finished = event.terminal;
                    event.encode()
                }
                Err(TryRecvError::Lagged(missed)) => resync(&self.on_lag, missed),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Closed) => {
                    self.finished = true;
                    break;
                }
            };
            chunk
                .get_or_insert_with(|| BytesMut::from(&first[..]))
                .extend_from_slice(&next);
        }
        Some(chunk.map_or(first, BytesMut::freeze))
    }
}

/// Whether `event` is to be sent: not a numbered event at or below
/// `floor` (sent already, in a replay that overlapped the live feed).
/// Moves `floor` up to a numbered event that is sent.
fn fresh(floor: &mut u64, event: &SseEvent) -> bool {
    if event.seq == 0 {
        return true;
    }
    if event.seq <= *floor {
        return false;
    }
    *floor = event.seq;
    true
}

/// The resync event for a subscriber that missed `missed` events.
fn resync(on_lag: &(dyn Fn(u64) -> SseEvent + Send), missed: u64) -> Bytes {
    // Debug level: the admin log feed (info and up) must not carry
    // records about its own lagging subscribers.
    tracing::debug!(missed, "SSE subscriber fell behind; sending resync");
    on_lag(missed).encode()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_events_go_out_once_in_order() {
        let numbered =
            |seq| SseEvent::raw(format!("db-{seq}"), "x".into(), "{}".into(), false, seq);
        let mut floor = 3;
        let sent: Vec<u64> = [2, 3, 4, 4, 5, 1, 6]
            .into_iter()
            .filter(|seq| fresh(&mut floor, &numbered(*seq)))
            .collect();
        assert_eq!(sent, vec![4, 5, 6]);
        // Unnumbered events (parse logs, resync) always go out.
        assert!(fresh(&mut floor, &SseEvent::json("7", "complete", &0)));
    }
}
