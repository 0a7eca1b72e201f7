//! A minimal keep-alive HTTP/1.1 client for loopback load generation.
//!
//! Each [`Conn`] owns exactly one TCP connection (hyper's low-level
//! `client::conn::http1`), so "C concurrent connections" means exactly C
//! sockets, with no pool in between hiding queueing. A connection that the
//! server closed, or that failed mid-request, is replaced on the next call;
//! the failed request itself is reported to the caller and counted there.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// Where the server is and how to authenticate against it.
#[derive(Clone)]
pub struct Target {
    pub addr: SocketAddr,
    host: HeaderValue,
    bearer: HeaderValue,
}

impl Target {
    pub fn new(addr: SocketAddr, token: &str) -> anyhow::Result<Target> {
        Ok(Target {
            addr,
            host: HeaderValue::from_str(&addr.to_string())?,
            bearer: HeaderValue::from_str(&format!("Bearer {token}"))
                .context("the admin token is not a valid header value")?,
        })
    }
}

/// A whole response: status, headers and body.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    /// A header's value as text, if present and readable.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// One keep-alive connection to the server.
pub struct Conn {
    target: Target,
    sender: Option<SendRequest<Full<Bytes>>>,
}

impl Conn {
    pub fn new(target: Target) -> Conn {
        Conn {
            target,
            sender: None,
        }
    }

    /// Open the connection now (so the timed part of a phase does not
    /// include the TCP handshake).
    pub async fn connect(&mut self) -> anyhow::Result<()> {
        self.sender().await.map(|_| ())
    }

    async fn sender(&mut self) -> anyhow::Result<&mut SendRequest<Full<Bytes>>> {
        let usable = match &mut self.sender {
            Some(sender) if !sender.is_closed() => sender.ready().await.is_ok(),
            _ => false,
        };
        if !usable {
            let stream = TcpStream::connect(self.target.addr)
                .await
                .with_context(|| format!("connecting to {}", self.target.addr))?;
            stream.set_nodelay(true)?;
            let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(async move {
                // Ends when the server closes the socket or the sender is dropped.
                let _ = connection.await;
            });
            self.sender = Some(sender);
        }
        Ok(self.sender.as_mut().expect("just connected"))
    }

    fn request(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&'static str>,
        body: Bytes,
        authorization: Option<HeaderValue>,
    ) -> anyhow::Result<Request<Full<Bytes>>> {
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .header(HOST, self.target.host.clone())
            .header(
                AUTHORIZATION,
                authorization.unwrap_or_else(|| self.target.bearer.clone()),
            );
        if let Some(content_type) = content_type {
            builder = builder.header(CONTENT_TYPE, content_type);
        }
        Ok(builder.body(Full::new(body))?)
    }

    /// Send a request and read the whole response body.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        content_type: Option<&'static str>,
        body: Bytes,
    ) -> anyhow::Result<Reply> {
        let request = self.request(method, path, content_type, body, None)?;
        self.exchange(request).await
    }

    /// A body-less request with this `Authorization` instead of the admin
    /// token (e.g. HTTP Basic for a password-protected share link).
    pub async fn send_authorized(
        &mut self,
        method: Method,
        path: &str,
        authorization: HeaderValue,
    ) -> anyhow::Result<Reply> {
        let request = self.request(method, path, None, Bytes::new(), Some(authorization))?;
        self.exchange(request).await
    }

    async fn exchange(&mut self, request: Request<Full<Bytes>>) -> anyhow::Result<Reply> {
        let result = async {
            let response = self.sender().await?.send_request(request).await?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = response.into_body().collect().await?.to_bytes();
            anyhow::Ok(Reply {
                status,
                headers,
                body,
            })
        }
        .await;
        if result.is_err() {
            // Never reuse a connection in an unknown state.
            self.sender = None;
        }
        result
    }

    /// Open a parse event stream and read it until its terminal event.
    ///
    /// Returns the terminal event and the instant its last byte arrived. The
    /// rest of the stream is then drained (untimed, bounded by `limit`) so
    /// the connection can carry the next request.
    pub async fn await_terminal(
        &mut self,
        path: &str,
        limit: Duration,
    ) -> anyhow::Result<Terminal> {
        let request = self.request(Method::GET, path, None, Bytes::new(), None)?;
        let result = tokio::time::timeout(limit, async {
            let response = self.sender().await?.send_request(request).await?;
            if response.status() != StatusCode::OK {
                let status = response.status();
                let body = response.into_body().collect().await?.to_bytes();
                bail!(
                    "event stream answered {status}: {}",
                    String::from_utf8_lossy(&body)
                );
            }
            let mut body = response.into_body();
            let mut buffer = BytesMut::new();
            let mut terminal = None;
            while let Some(frame) = body.frame().await {
                let frame = frame?;
                let Ok(data) = frame.into_data() else {
                    continue;
                };
                if terminal.is_none() {
                    buffer.extend_from_slice(&data);
                    if let Some(event) = find_terminal(&mut buffer) {
                        terminal = Some((event, Instant::now()));
                    }
                }
            }
            match terminal {
                Some((event, at)) => Ok(Terminal { event, at }),
                None => bail!("the event stream ended without a terminal event"),
            }
        })
        .await;
        match result {
            Ok(Ok(terminal)) => Ok(terminal),
            Ok(Err(error)) => {
                self.sender = None;
                Err(error)
            }
            Err(_) => {
                self.sender = None;
                bail!("no terminal event within {} s", limit.as_secs())
            }
        }
    }
}

/// The last event of a parse stream.
pub struct Terminal {
    pub event: SseEvent,
    pub at: Instant,
}

/// One server-sent event.
#[derive(Debug, Default)]
pub struct SseEvent {
    pub name: String,
    pub data: String,
}

/// Take complete events off the front of `buffer`; return the first
/// `complete` or `failed` one.
fn find_terminal(buffer: &mut BytesMut) -> Option<SseEvent> {
    loop {
        let end = buffer.windows(2).position(|w| w == b"\n\n")?;
        let block = buffer.split_to(end + 2);
        let text = String::from_utf8_lossy(&block);
        let mut event = SseEvent::default();
        for line in text.lines() {
            if let Some(name) = line.strip_prefix("event:") {
                event.name = name.trim_start().to_string();
            } else if let Some(data) = line.strip_prefix("data:") {
                if !event.data.is_empty() {
                    event.data.push('\n');
                }
                event.data.push_str(data.strip_prefix(' ').unwrap_or(data));
            }
        }
        if event.name == "complete" || event.name == "failed" {
            return Some(event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_terminal_event_across_chunks() {
        let mut buffer = BytesMut::from(
            &b": stream open\n\nid: 1\nevent: progress\ndata: {\"stage\":\"received\"}\n\nid: 7\nevent: comp"[..],
        );
        assert!(find_terminal(&mut buffer).is_none());
        buffer.extend_from_slice(b"lete\nretry: 2000\ndata: {\"status\":\"ready\"}\n\n");
        let event = find_terminal(&mut buffer).expect("terminal");
        assert_eq!(event.name, "complete");
        assert_eq!(event.data, "{\"status\":\"ready\"}");
    }
}
