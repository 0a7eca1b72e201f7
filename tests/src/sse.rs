//! Server-sent events read as raw bytes: [`SseStream`] parses the stream of a
//! response into [`SseFrame`]s, so tests can assert ids, retry hints and
//! heartbeats as well as events.

use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{RequestBuilder, StatusCode};
use serde_json::Value;

use crate::*;

/// One SSE block, as separated by a blank line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SseFrame {
    pub id: Option<String>,
    pub event: Option<String>,
    /// `data:` lines joined with `\n`.
    pub data: Option<String>,
    pub retry: Option<u64>,
    /// The block had at least one comment line (`: ...`).
    pub comment: bool,
}

impl SseFrame {
    /// A block with nothing but comments: a heartbeat.
    pub fn is_heartbeat(&self) -> bool {
        self.comment && self.data.is_none() && self.event.is_none() && self.id.is_none()
    }

    /// The data parsed as JSON (panics if absent or not JSON).
    pub fn json(&self) -> Value {
        let d = self
            .data
            .as_deref()
            .unwrap_or_else(|| panic!("frame has no data: {self:?}"));
        serde_json::from_str(d).unwrap_or_else(|e| panic!("frame data is not JSON ({e}): {self:?}"))
    }

    pub fn event_name(&self) -> &str {
        self.event.as_deref().unwrap_or("message")
    }
}

/// An open SSE response, parsed incrementally from the raw bytes.
pub struct SseStream {
    pub status: StatusCode,
    pub headers: HeaderMap,
    body: Option<futures_util::stream::BoxStream<'static, reqwest::Result<Bytes>>>,
    /// For non-streaming answers (not 200 text/event-stream): the whole body.
    pub error_body: Option<Bytes>,
    buf: Vec<u8>,
    cur: SseFrame,
    cur_has_fields: bool,
    /// Set when the stream ended with a transport error instead of a clean end.
    pub transport_error: Option<String>,
    ended: bool,
}

impl SseStream {
    pub(crate) async fn open(rb: RequestBuilder) -> SseStream {
        let resp = match tokio::time::timeout(HTTP_TIMEOUT, rb.send()).await {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => panic!("SSE request failed: {e:?}"),
            Err(_) => panic!("SSE response head not received within {HTTP_TIMEOUT:?}"),
        };
        let status = resp.status();
        let headers = resp.headers().clone();
        assert!(status.as_u16() < 500, "SSE request answered {status}");
        let is_stream = status == StatusCode::OK
            && headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/event-stream"));
        let mut s = SseStream {
            status,
            headers,
            body: None,
            error_body: None,
            buf: Vec::new(),
            cur: SseFrame::default(),
            cur_has_fields: false,
            transport_error: None,
            ended: false,
        };
        if is_stream {
            s.body = Some(resp.bytes_stream().boxed());
        } else {
            let body = match tokio::time::timeout(HTTP_TIMEOUT, resp.bytes()).await {
                Ok(Ok(b)) => b,
                Ok(Err(e)) => panic!("reading non-stream SSE answer: {e:?}"),
                Err(_) => panic!("non-stream SSE answer body not read within {HTTP_TIMEOUT:?}"),
            };
            s.error_body = Some(body);
            s.ended = true;
        }
        s
    }

    /// The non-stream answer as a [`Resp`] (for error assertions).
    pub fn as_resp(&self) -> Resp {
        Resp {
            status: self.status.as_u16(),
            headers: self.headers.clone(),
            body: self.error_body.clone().unwrap_or_default(),
        }
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v: &HeaderValue| String::from_utf8_lossy(v.as_bytes()).into_owned())
    }

    /// Assert 200 and the SSE response headers of the contract.
    #[track_caller]
    pub fn assert_sse_headers(&self) {
        self.assert_sse_headers_through_proxy();
        assert_eq!(
            self.header("x-accel-buffering").as_deref(),
            Some("no"),
            "x-accel-buffering"
        );
    }

    /// [`Self::assert_sse_headers`] as a client behind nginx sees them:
    /// nginx acts on `X-Accel-Buffering` and does not pass it on.
    pub fn assert_sse_headers_through_proxy(&self) {
        assert_eq!(
            self.status,
            StatusCode::OK,
            "SSE status; body {:?}",
            self.error_body
        );
        let ct = self.header("content-type").unwrap_or_default();
        assert!(ct.starts_with("text/event-stream"), "content-type {ct:?}");
        let cc = self.header("cache-control").unwrap_or_default();
        assert!(cc.contains("no-cache"), "cache-control {cc:?}");
        assert!(
            self.header("content-encoding").is_none(),
            "SSE must not be compressed"
        );
    }

    /// Has the server ended the stream?
    pub fn ended(&self) -> bool {
        self.ended
    }

    /// Take one complete line from the buffer (without its terminator).
    fn take_line(&mut self) -> Option<String> {
        let pos = self.buf.iter().position(|&b| b == b'\n' || b == b'\r')?;
        let term = self.buf[pos];
        let mut skip = 1;
        if term == b'\r' {
            if pos + 1 < self.buf.len() {
                if self.buf[pos + 1] == b'\n' {
                    skip = 2;
                }
            } else if !self.ended {
                // A lone CR at the end of the buffer may be the first half of CRLF.
                return None;
            }
        }
        let line = String::from_utf8_lossy(&self.buf[..pos]).into_owned();
        self.buf.drain(..pos + skip);
        Some(line)
    }

    /// Feed one line to the frame being built; returns a finished frame on a blank line.
    fn feed_line(&mut self, line: &str) -> Option<SseFrame> {
        if line.is_empty() {
            if self.cur_has_fields {
                self.cur_has_fields = false;
                return Some(std::mem::take(&mut self.cur));
            }
            return None;
        }
        self.cur_has_fields = true;
        if line.starts_with(':') {
            self.cur.comment = true;
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "id" => self.cur.id = Some(value.to_string()),
            "event" => self.cur.event = Some(value.to_string()),
            "data" => match &mut self.cur.data {
                Some(d) => {
                    d.push('\n');
                    d.push_str(value);
                }
                None => self.cur.data = Some(value.to_string()),
            },
            "retry" => self.cur.retry = value.trim().parse().ok(),
            _ => {}
        }
        None
    }

    /// The next frame (comments included), `Ok(None)` when the stream has ended,
    /// `Err(())` when nothing arrived within `timeout`.
    pub async fn try_next_frame(&mut self, timeout: Duration) -> Result<Option<SseFrame>, ()> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            while let Some(line) = self.take_line() {
                if let Some(frame) = self.feed_line(&line) {
                    return Ok(Some(frame));
                }
            }
            if self.ended {
                return Ok(None);
            }
            let Some(body) = self.body.as_mut() else {
                self.ended = true;
                return Ok(None);
            };
            match tokio::time::timeout_at(deadline, body.next()).await {
                Err(_) => return Err(()),
                Ok(None) => {
                    self.ended = true;
                    self.body = None;
                }
                Ok(Some(Err(e))) => {
                    self.transport_error = Some(format!("{e:?}"));
                    self.ended = true;
                    self.body = None;
                }
                Ok(Some(Ok(chunk))) => self.buf.extend_from_slice(&chunk),
            }
        }
    }

    /// The next frame, `None` when the stream has ended; panics on timeout.
    pub async fn next_frame(&mut self, timeout: Duration) -> Option<SseFrame> {
        self.try_next_frame(timeout)
            .await
            .unwrap_or_else(|_| panic!("no SSE frame within {timeout:?}"))
    }

    /// The next frame that is not a heartbeat, `None` when the stream has ended;
    /// panics on timeout.
    pub async fn next_event(&mut self, timeout: Duration) -> Option<SseFrame> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.try_next_frame(left).await {
                Ok(Some(f)) if f.is_heartbeat() => continue,
                Ok(other) => return other,
                Err(()) => panic!("no SSE event within {timeout:?}"),
            }
        }
    }

    /// Events until `pred` holds for one of them (that one included), all
    /// of them returned; panics when the stream ends or `timeout` passes
    /// first.
    pub async fn read_until(
        &mut self,
        timeout: Duration,
        pred: impl Fn(&SseFrame) -> bool,
    ) -> Vec<SseFrame> {
        let deadline = Instant::now() + timeout;
        let mut out = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.try_next_frame(left).await {
                Ok(Some(f)) if f.is_heartbeat() => {}
                Ok(Some(f)) => {
                    let done = pred(&f);
                    out.push(f);
                    if done {
                        return out;
                    }
                }
                Ok(None) => panic!("the stream ended: {out:#?}"),
                Err(()) => panic!("condition not met within {timeout:?}: {out:#?}"),
            }
        }
    }

    /// Every non-heartbeat frame until the server ends the stream; panics if it
    /// has not ended within `timeout`.
    pub async fn events_to_end(&mut self, timeout: Duration) -> Vec<SseFrame> {
        let deadline = Instant::now() + timeout;
        let mut out = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.try_next_frame(left).await {
                Ok(Some(f)) if f.is_heartbeat() => {}
                Ok(Some(f)) => out.push(f),
                Ok(None) => return out,
                Err(()) => {
                    panic!("SSE stream did not end within {timeout:?}; events so far: {out:#?}")
                }
            }
        }
    }

    /// Every non-heartbeat frame that arrives within `window` (the stream may stay open).
    pub async fn events_for(&mut self, window: Duration) -> Vec<SseFrame> {
        let deadline = Instant::now() + window;
        let mut out = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return out;
            }
            match self.try_next_frame(left).await {
                Ok(Some(f)) if f.is_heartbeat() => {}
                Ok(Some(f)) => out.push(f),
                Ok(None) | Err(()) => return out,
            }
        }
    }

    /// Wait for the next event named `name`, skipping others; panics on timeout or end.
    pub async fn wait_for_event(&mut self, name: &str, timeout: Duration) -> SseFrame {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.try_next_frame(left).await {
                Ok(Some(f)) if f.event_name() == name => return f,
                Ok(Some(_)) => {}
                Ok(None) => panic!("stream ended before a {name:?} event"),
                Err(()) => panic!("no {name:?} event within {timeout:?}"),
            }
        }
    }
}
