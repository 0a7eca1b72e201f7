//! HTTP against a test server: [`Api`] (one base URL, one bearer token, every
//! request bounded by [`HTTP_TIMEOUT`] and checked for a 5xx), the fully read
//! [`Resp`], and the JSON error body every 4xx carries.

use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder};
use serde_json::Value;

use crate::*;

/// A fully read HTTP response.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON; panics (showing the body) when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {} body is not JSON ({e}): {:?}",
                self.status,
                self.text()
            )
        })
    }

    /// A header's value as a string.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    }

    /// Assert the status and the JSON error body
    /// `{"error": {"code", "message", "request_id"}}`; returns the body.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) -> Value {
        assert_eq!(
            self.status,
            status,
            "expected {status} {code}, got {}: {}",
            self.status,
            self.text()
        );
        assert_error_body(self, Some(code))
    }
}

/// Assert that `r` carries the JSON error body (and, when given, this code).
#[track_caller]
pub fn assert_error_body(r: &Resp, code: Option<&str>) -> Value {
    check_error_body(r, code).unwrap_or_else(|e| panic!("{e}"))
}

/// Check that `r` carries the JSON error body
/// `{"error": {"code", "message", "request_id"}}` (and, when given, this code).
pub fn check_error_body(r: &Resp, code: Option<&str>) -> Result<Value, String> {
    let ct = r.header("content-type").unwrap_or_default();
    if !ct.starts_with("application/json") {
        return Err(format!(
            "error response {} has content-type {ct:?}, body {:?}",
            r.status,
            r.text()
        ));
    }
    let v: Value = serde_json::from_slice(&r.body)
        .map_err(|e| format!("error body is not JSON ({e}): {:?}", r.text()))?;
    let e = &v["error"];
    if !e.is_object() {
        return Err(format!("no error object in {v}"));
    }
    match code {
        Some(code) if e["code"] != code => {
            return Err(format!("error code should be {code:?} in {v}"));
        }
        None if !e["code"].is_string() => return Err(format!("error.code in {v}")),
        _ => {}
    }
    if e["message"].as_str().is_none_or(str::is_empty) {
        return Err(format!("error.message missing in {v}"));
    }
    if e["request_id"].as_str().is_none_or(str::is_empty) {
        return Err(format!("error.request_id missing in {v}"));
    }
    Ok(v)
}

/// An HTTP client bound to one server and (optionally) one bearer token.
#[derive(Clone)]
pub struct Api {
    base: String,
    pub token: Option<String>,
    /// The user name, when made by [`TestServer::user`].
    pub user: Option<String>,
    http: reqwest::Client,
    sse: reqwest::Client,
}

impl Api {
    pub fn new(base: &str, token: Option<&str>) -> Api {
        let http = reqwest::Client::builder()
            .timeout(HTTP_TIMEOUT)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .expect("http client");
        // No overall timeout for streams: every read is bounded by the caller instead.
        let sse = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .tcp_nodelay(true)
            .build()
            .expect("sse client");
        Api {
            base: base.trim_end_matches('/').to_string(),
            token: token.map(str::to_string),
            user: None,
            http,
            sse,
        }
    }

    /// The same server with another token.
    pub fn with_token(&self, token: &str) -> Api {
        let mut a = self.clone();
        a.token = Some(token.to_string());
        a.user = None;
        a
    }

    /// The same server without a token.
    pub fn without_token(&self) -> Api {
        let mut a = self.clone();
        a.token = None;
        a.user = None;
        a
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The user name (panics for clients not made by [`TestServer::user`]).
    pub fn user_name(&self) -> &str {
        self.user.as_deref().expect("client has no user name")
    }

    /// A request with the bearer token (if any) set.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let rb = self.http.request(method, self.url(path));
        match &self.token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    }

    /// Send and read the whole response within [`HTTP_TIMEOUT`]; panics on a 5xx.
    pub async fn send(&self, rb: RequestBuilder) -> Resp {
        let r = send_unchecked(rb).await;
        assert!(r.status < 500, "server answered {}: {}", r.status, r.text());
        r
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(self.request(Method::GET, path)).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.send(self.request(Method::DELETE, path)).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Resp {
        self.send(self.request(Method::POST, path).json(body)).await
    }

    pub async fn post_empty(&self, path: &str) -> Resp {
        self.send(self.request(Method::POST, path)).await
    }

    /// `PATCH` with a merge patch (`application/merge-patch+json`).
    pub async fn patch(&self, path: &str, body: &Value, if_match: Option<&str>) -> Resp {
        let mut rb = self
            .request(Method::PATCH, path)
            .header("content-type", "application/merge-patch+json")
            .body(body.to_string());
        if let Some(m) = if_match {
            rb = rb.header("if-match", m);
        }
        self.send(rb).await
    }

    /// Raw upload: `POST /v1/resumes?filename=...` with the body and its content type.
    pub async fn upload(&self, bytes: Vec<u8>, content_type: &str, filename: &str) -> Resp {
        let rb = self
            .request(Method::POST, "/v1/resumes")
            .query(&[("filename", filename)])
            .header("content-type", content_type)
            .body(bytes);
        self.send(rb).await
    }

    /// Multipart upload: field `file` with its filename and content type.
    pub async fn upload_multipart(
        &self,
        bytes: Vec<u8>,
        content_type: &str,
        filename: &str,
    ) -> Resp {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(filename.to_string())
            .mime_str(content_type)
            .expect("mime");
        let form = reqwest::multipart::Form::new().part("file", part);
        self.send(self.request(Method::POST, "/v1/resumes").multipart(form))
            .await
    }

    /// Upload a fixture (raw) and assert the 202; returns the resource.
    pub async fn upload_fixture(&self, name: &str) -> Value {
        let r = self
            .upload(fixture(name), content_type_for(name), name)
            .await;
        assert_eq!(r.status, 202, "uploading {name}: {}", r.text());
        r.json()
    }

    /// Upload a fixture and wait until it is `ready`; returns the full resource.
    pub async fn upload_ready(&self, name: &str) -> Value {
        let created = self.upload_fixture(name).await;
        let id = created["id"].as_str().expect("id").to_string();
        let done = self.wait_terminal(&id).await;
        assert_eq!(done["status"], "ready", "{name} did not parse: {done}");
        done
    }

    /// `GET /v1/resumes/{id}`, asserting 200.
    pub async fn resume(&self, id: &str) -> Value {
        let r = self.get(&format!("/v1/resumes/{id}")).await;
        assert_eq!(r.status, 200, "GET resume {id}: {}", r.text());
        r.json()
    }

    /// `GET /v1/resumes`, every page, asserting 200; returns the list.
    pub async fn list(&self) -> Vec<Value> {
        self.all_pages("/v1/resumes", "resumes", 1000).await
    }

    /// Every item of a paged list (`key` of each page), following
    /// `next_cursor` with pages of `limit`, asserting 200 on each.
    pub async fn all_pages(&self, path: &str, key: &str, limit: usize) -> Vec<Value> {
        let mut all = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut query = format!("limit={limit}");
            if let Some(c) = &cursor {
                query.push_str(&format!("&cursor={c}"));
            }
            let r = self.get(&format!("{path}?{query}")).await;
            assert_eq!(r.status, 200, "GET {path}?{query}: {}", r.text());
            let page = r.json();
            all.extend(
                page[key]
                    .as_array()
                    .unwrap_or_else(|| panic!("no {key} array: {}", r.text()))
                    .iter()
                    .cloned(),
            );
            match page["next_cursor"].as_str() {
                Some(next) => {
                    assert_ne!(cursor.as_deref(), Some(next), "the same cursor twice");
                    cursor = Some(next.to_string());
                }
                None => return all,
            }
        }
    }

    /// Poll `GET /v1/resumes/{id}` until its status is `ready` or `failed`
    /// (within [`PARSE_TIMEOUT`]); returns the resource.
    pub async fn wait_terminal(&self, id: &str) -> Value {
        let deadline = Instant::now() + PARSE_TIMEOUT;
        loop {
            let v = self.resume(id).await;
            match v["status"].as_str() {
                Some("ready") | Some("failed") => return v,
                Some("pending") | Some("parsing") => {}
                other => panic!("resume {id} has unexpected status {other:?}: {v}"),
            }
            assert!(
                Instant::now() < deadline,
                "resume {id} not ready or failed within {PARSE_TIMEOUT:?}: {v}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Poll the list until every resume is `ready` or `failed`; returns the list.
    pub async fn wait_all_terminal(&self, expected: usize) -> Vec<Value> {
        let deadline = Instant::now() + PARSE_TIMEOUT;
        loop {
            let list = self.list().await;
            let done = list
                .iter()
                .filter(|r| r["status"] == "ready" || r["status"] == "failed")
                .count();
            if list.len() >= expected && done == list.len() {
                return list;
            }
            assert!(
                Instant::now() < deadline,
                "{done}/{} of {expected} resumes terminal after {PARSE_TIMEOUT:?}",
                list.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Create a share link, asserting 201.
    pub async fn share(&self, resume_id: &str, body: &Value) -> Value {
        let r = self
            .post_json(&format!("/v1/resumes/{resume_id}/shares"), body)
            .await;
        assert_eq!(r.status, 201, "creating share: {}", r.text());
        r.json()
    }

    /// The shares of a resume, every page, asserting 200.
    pub async fn shares(&self, resume_id: &str) -> Vec<Value> {
        self.all_pages(&format!("/v1/resumes/{resume_id}/shares"), "shares", 1000)
            .await
    }

    /// Open an SSE stream with the bearer token; `last_event_id` sets the
    /// `Last-Event-ID` header. Returns the response head even when it is not 200.
    pub async fn sse(&self, path: &str, last_event_id: Option<&str>) -> SseStream {
        let mut rb = self
            .sse
            .get(self.url(path))
            .header("accept", "text/event-stream");
        if let Some(t) = &self.token {
            rb = rb.bearer_auth(t);
        }
        if let Some(id) = last_event_id {
            rb = rb.header("last-event-id", id);
        }
        SseStream::open(rb).await
    }

    /// Open an SSE stream with `?access_token=` instead of the header.
    pub async fn sse_query_token(&self, path: &str, token: &str) -> SseStream {
        let sep = if path.contains('?') { '&' } else { '?' };
        let rb = self
            .sse
            .get(format!("{}{path}{sep}access_token={token}", self.base))
            .header("accept", "text/event-stream");
        SseStream::open(rb).await
    }
}

/// Why a request got no answer.
#[derive(Debug)]
pub enum NoAnswer {
    /// The connection failed, or was cut off before the whole answer came.
    Failed(reqwest::Error),
    /// Nothing complete within [`HTTP_TIMEOUT`].
    TimedOut,
}

/// Send and read the whole response within [`HTTP_TIMEOUT`], whatever the
/// status; `Err` when no complete answer came.
pub async fn try_send(rb: RequestBuilder) -> Result<Resp, NoAnswer> {
    let fut = async {
        let resp = rb.send().await?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.bytes().await?;
        Ok::<_, reqwest::Error>(Resp {
            status,
            headers,
            body,
        })
    };
    match tokio::time::timeout(HTTP_TIMEOUT, fut).await {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(e)) => Err(NoAnswer::Failed(e)),
        Err(_) => Err(NoAnswer::TimedOut),
    }
}

/// Send and read the whole response within [`HTTP_TIMEOUT`], whatever the status.
pub async fn send_unchecked(rb: RequestBuilder) -> Resp {
    match try_send(rb).await {
        Ok(r) => r,
        Err(NoAnswer::Failed(e)) => panic!("HTTP request failed: {e:?}"),
        Err(NoAnswer::TimedOut) => panic!("HTTP request timed out after {HTTP_TIMEOUT:?}"),
    }
}
