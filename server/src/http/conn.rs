//! The accept loop: one `hyper` HTTP/1.1 connection task per socket, the
//! connection cap, and the graceful drain at shutdown.
//!
//! `TCP_NODELAY` is on for every socket, so SSE events leave at once. Each
//! request of a connection goes to [`super::dispatch`]. A connection past
//! `max_connections` never reaches hyper: it gets a 503 written by hand.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::watch;
use vitae_common::{ApiError, ErrorBody};

use super::error::HttpError;
use super::{dispatch, new_request_id, App};

/// The largest request head (request line and headers) the server reads.
const MAX_REQUEST_HEAD: usize = 128 * 1024;

/// Serve until `shutdown` turns true, then drain: streams end, in-flight
/// requests finish (up to `drain`), new connections are refused.
pub async fn serve(
    app: Arc<App>,
    listener: TcpListener,
    mut shutdown: watch::Receiver<bool>,
    drain: Duration,
) {
    let graceful = GracefulShutdown::new();
    loop {
        let accepted = tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(error) => {
                // Out of file descriptors and the like: back off, keep serving.
                tracing::warn!(%error, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let permit = match app.admission.connections.admit() {
            Ok(permit) => permit,
            Err(refusal) => {
                tokio::spawn(refuse_connection(stream, refusal));
                continue;
            }
        };
        let service_app = app.clone();
        let service = service_fn(move |req| {
            let app = service_app.clone();
            async move { Ok::<_, Infallible>(dispatch(app, req, peer).await) }
        });
        // A request head over 128 KiB is refused with 431. hyper's default
        // buffer (~408 KiB) can take in a whole 500 KB head in one read on a
        // busy machine and serve it; with this cap even a doubled read
        // stays far below that.
        let connection = http1::Builder::new()
            .max_buf_size(MAX_REQUEST_HEAD)
            .timer(TokioTimer::new())
            .header_read_timeout(app.config.limits.header_timeout)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("some connections did not finish within the drain time");
    }
}

/// Answer a connection past `max_connections` with a 503 and close it.
///
/// The request is read first (briefly, and only its head): closing a
/// socket with unread bytes in it makes the kernel send a reset, and the
/// client would see "connection reset" instead of our answer.
async fn refuse_connection(mut stream: tokio::net::TcpStream, refusal: crate::limits::Refusal) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 1024];
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        while head.len() < 16 * 1024 && !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    let error = HttpError::from(refusal);
    let body = serde_json::to_vec(&ErrorBody {
        error: ApiError {
            code: error.code,
            message: error.message.clone(),
            request_id: new_request_id(),
        },
    })
    .unwrap_or_default();
    let mut answer = format!(
        "HTTP/1.1 {} Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        error.status(),
        body.len()
    );
    for (name, value) in &error.headers {
        answer.push_str(&format!("{name}: {value}\r\n"));
    }
    answer.push_str("\r\n");
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        stream.write_all(answer.as_bytes()).await?;
        stream.write_all(&body).await?;
        stream.shutdown().await
    })
    .await;
    tracing::debug!(reason = %error.message, "connection refused");
}
