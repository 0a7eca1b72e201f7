//! Turn a [`Subscription`] into a streaming `text/event-stream` response.
//!
//! Each subscriber gets its own task and a small bounded channel to its HTTP
//! body. The task sends the history, then forwards live events, heartbeats
//! every `heartbeat`, and stops on the terminal event, on server shutdown, or
//! when the client goes away (the body is dropped and the send fails). A slow
//! client only ever blocks its own task; the hub's broadcast moves on and the
//! task learns it lagged.

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{combinators::UnsyncBoxBody, BodyExt, StreamBody};
use hyper::body::Frame;
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use tokio::sync::{broadcast, mpsc, watch};

use super::hub::Subscription;
use super::{heartbeat, SseEvent};

pub type Body = UnsyncBoxBody<Bytes, Infallible>;

/// Chunks buffered between a subscriber's task and its socket.
const BODY_BUFFER: usize = 16;

/// Everything a stream task needs besides its subscription.
pub struct StreamOptions {
    pub heartbeat: Duration,
    pub shutdown: watch::Receiver<bool>,
    /// The event to send when the subscriber fell behind by `n` events.
    pub on_lag: Box<dyn Fn(u64) -> SseEvent + Send>,
}

/// Start the subscriber's task and answer with the streaming response.
pub fn respond(subscription: Subscription, options: StreamOptions) -> Response<Body> {
    let (tx, mut rx) = mpsc::channel::<Bytes>(BODY_BUFFER);
    tokio::spawn(run(subscription, options, tx));
    let stream = futures_util::stream::poll_fn(move |cx| {
        rx.poll_recv(cx)
            .map(|chunk| chunk.map(|b| Ok(Frame::data(b))))
    });
    let mut response = Response::new(StreamBody::new(stream).boxed_unsync());
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

async fn run(subscription: Subscription, mut options: StreamOptions, tx: mpsc::Sender<Bytes>) {
    // An opening comment makes the headers and first bytes leave at once, so
    // clients see the stream open even before the first event.
    if tx
        .send(Bytes::from_static(b": stream open\n\n"))
        .await
        .is_err()
    {
        return;
    }
    for event in &subscription.history {
        if tx.send(event.encode()).await.is_err() || event.terminal {
            return;
        }
    }
    let Some(mut live) = subscription.live else {
        return;
    };
    let mut ticker = tokio::time::interval_at(
        tokio::time::Instant::now() + options.heartbeat,
        options.heartbeat,
    );
    if *options.shutdown.borrow() {
        return;
    }
    loop {
        let chunk = tokio::select! {
            _ = options.shutdown.changed() => return,
            _ = ticker.tick() => heartbeat(),
            received = live.recv() => match received {
                Ok(event) => {
                    if tx.send(event.encode()).await.is_err() || event.terminal {
                        return;
                    }
                    continue;
                }
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    // Debug level: the admin log feed (info and up) must not carry
                    // records about its own lagging subscribers.
                    tracing::debug!(missed, "SSE subscriber fell behind; sending resync");
                    (options.on_lag)(missed).encode()
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = tx.closed() => return,
        };
        if tx.send(chunk).await.is_err() {
            return;
        }
    }
}
