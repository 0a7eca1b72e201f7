//! Request bodies: reading one whole under a size limit and a deadline, and
//! checking and parsing the JSON ones.
//!
//! Every handler that takes a body goes through [`read_body`], so the limits
//! (413 with the connection closed, 408 for a slow sender) behave the same
//! on every endpoint. [`super::dispatch`] stamps each request with its
//! [`BodyDeadline`] when it arrives.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::{HeaderMap, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::Request;
use vitae_common::ErrorCode;

use super::error::{HttpError, HttpResult};

/// When the request's body must have arrived; read by [`read_body`].
#[derive(Debug, Clone, Copy)]
pub struct BodyDeadline(pub Instant);

/// Most bytes past the limit read and thrown away before a 413, so the
/// client (which is still sending) reads our answer instead of a reset.
const DRAIN_AFTER_LIMIT: u64 = 32 * 1024 * 1024;

/// Read a whole body, refusing more than `limit` bytes with 413.
///
/// A 413 closes the connection (`Connection: close`). Before answering, the
/// rest of an over-limit body is drained (up to [`DRAIN_AFTER_LIMIT`] and a
/// few seconds): answering while the client is still sending makes the
/// kernel reset the connection, and the client never sees the 413.
pub async fn read_body(
    req: Request<Incoming>,
    limit: u64,
) -> HttpResult<(hyper::http::request::Parts, Bytes)> {
    let too_large = || {
        HttpError::new(
            ErrorCode::PayloadTooLarge,
            format!("the body is larger than the {limit}-byte limit"),
        )
        .with_header("connection", "close")
    };
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // A client that sent `Expect: 100-continue` waits for our word before
    // it sends the body: refuse it at once instead of inviting the body in
    // just to drain it.
    let expects_continue = req
        .headers()
        .get(hyper::header::EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let (parts, mut body) = req.into_parts();
    if declared.is_some_and(|len| len > limit) {
        if !expects_continue && declared.is_some_and(|len| len <= limit + DRAIN_AFTER_LIMIT) {
            drain(&mut body, limit + DRAIN_AFTER_LIMIT).await;
        }
        return Err(too_large());
    }
    // The whole body must arrive by the deadline set when the request came
    // in (`body_timeout_secs`): a client that trickles bytes (slowloris)
    // would otherwise hold its connection and its buffer for ever.
    let deadline = parts
        .extensions
        .get::<BodyDeadline>()
        .map_or_else(|| Instant::now() + Duration::from_secs(60), |d| d.0);
    let reading = async {
        let mut buffer = bytes::BytesMut::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| {
                HttpError::bad_request(format!(
                    "the request body could not be read ({e}): it ended before its Content-Length, \
                     or its chunked encoding is broken"
                ))
            })?;
            if let Ok(data) = frame.into_data() {
                if (buffer.len() + data.len()) as u64 > limit {
                    drain(&mut body, DRAIN_AFTER_LIMIT).await;
                    return Err(too_large());
                }
                buffer.extend_from_slice(&data);
            }
        }
        Ok(buffer.freeze())
    };
    match tokio::time::timeout_at(deadline.into(), reading).await {
        Ok(read) => Ok((parts, read?)),
        Err(_) => Err(HttpError::new(
            ErrorCode::RequestTimeout,
            "the request body did not arrive in time; send it faster or in a smaller request",
        )
        .with_header("connection", "close")),
    }
}

async fn drain(body: &mut Incoming, max: u64) {
    let mut seen = 0u64;
    let reading = async {
        while let Some(Ok(frame)) = body.frame().await {
            if let Ok(data) = frame.into_data() {
                seen += data.len() as u64;
                if seen > max {
                    break;
                }
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), reading).await;
}

/// Parse a JSON object request body into `T`, with a 400 that says what is
/// wrong. Only objects: serde would otherwise accept a struct as an array.
/// A body that may be left out: empty (or only whitespace) is `T::default()`,
/// anything else must parse as [`parse_json`] parses.
pub fn parse_optional_json<T: serde::de::DeserializeOwned + Default>(
    bytes: &[u8],
) -> HttpResult<T> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        Ok(T::default())
    } else {
        parse_json(bytes)
    }
}

pub fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> HttpResult<T> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| HttpError::bad_request(format!("the body is not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(HttpError::bad_request(format!(
            "the body must be a JSON object, found {}",
            vitae_common::resume::json_type_name(&value)
        )));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        HttpError::bad_request(format!("the body does not have the expected shape: {e}"))
    })
}

/// The essence of the Content-Type header (`text/plain; charset=x` → `text/plain`).
/// A value that is not visible ASCII is still a value (one no endpoint
/// accepts), never taken for an absent header.
pub fn content_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
}

/// Require a JSON body's Content-Type (absent is accepted, for curl users).
pub fn require_json(headers: &HeaderMap, also: &[&str]) -> HttpResult<()> {
    match content_type(headers) {
        None => Ok(()),
        Some(ct) if ct == "application/json" || also.contains(&ct.as_str()) => Ok(()),
        Some(ct) => Err(HttpError::new(
            ErrorCode::UnsupportedMediaType,
            format!("send JSON (Content-Type: application/json), not {ct}"),
        )),
    }
}
