//! A table of bad requests across every route and method: bad JSON, wrong
//! JSON types, deep nesting, huge numbers, duplicate keys, NUL bytes, invalid
//! UTF-8, BOMs, trailing garbage, merge patches that break the document, bad
//! ids, missing or bad auth, bad `If-Match`, bad `Last-Event-ID` on both event
//! streams, bad query strings, oversize bodies (declared and chunked), wrong or
//! lying content types, broken multipart, unknown routes and wrong methods
//! (every wrong method of every route, TRACE and made-up ones included).
//!
//! Each case gets the right status (from docs/api.md) with the JSON error body
//! `{"error": {"code", "message", "request_id"}}`, and never a 5xx. A strict
//! case names one status and one code; a loose case lists the statuses a
//! judgment call allows. Malformed HTTP that reqwest cannot send (Content-Length
//! lies, broken chunking, huge headers, slow clients) is in `bad_http.rs`.
//!
//! The cases live in one module per route group or kind of attack — `auth`,
//! `ids`, `uploads`, `resumes` (edits and history), `shares`, `admin`,
//! `routing`, `streams`, `diff`, `jobs`, `tailor` — each with a `strict()`
//! and a `loose()` table, plus `generated` (every wrong method and every
//! private route without a token, from the OpenAPI document's route table)
//! and `header_edges` (header values at their limits). This file holds the case type, the runner and the tests:
//! one test per table, each with its own user and fixtures.
//!
//! After each table: `/healthz` answers, a normal upload still parses, and the
//! fixture resumes (the caller's and another owner's) are unchanged.
//!
//! One server for the tables (`--max-upload-bytes 65536`); the default-limit
//! test starts its own. Requests that present an invalid credential are counted
//! (failed auth will be rate-limited per client IP: burst 60) and kept under 40
//! per server.

mod admin;
mod auth;
mod diff;
mod exports;
mod generated;
mod header_edges;
mod ids;
mod jobs;
mod paging;
mod resumes;
mod routing;
mod shares;
mod streams;
mod tailor;
mod uploads;

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::header::HeaderValue;
use reqwest::Method;
use serde_json::Value;
use vitae_tests::*;

const LIMIT: usize = 65536;
/// The limit of JSON bodies other than PATCH (docs/api.md, `payload_too_large`).
const JSON_LIMIT: usize = 64 * 1024;
/// The limit of job descriptions.
const JOB_LIMIT: usize = 1024 * 1024;

fn server() -> &'static TestServer {
    shared_server(&["--max-upload-bytes", &LIMIT.to_string()])
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Auth {
    User,
    Admin,
    None,
    Bad,
}

/// What the answer must carry besides its status.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    /// 4xx: the JSON error body (with `code` when given). 2xx: `check`, if any.
    Json,
    /// The small HTML page `/s/` answers browsers that ask for HTML by name.
    Html,
    /// 200: an event stream whose first event has this name (`None`: any
    /// first frame, a comment included). Anything else: the JSON error body.
    Stream(Option<&'static str>),
}

type Check = fn(&Value) -> Result<(), String>;

#[derive(Clone)]
struct Case {
    name: String,
    method: Method,
    /// Placeholders (see [`Ctx::fill`]): `{id}` the caller's ready resume
    /// (never changed by any case), `{ID}` the same in upper case, `{scratch}`
    /// a second ready resume for cases that might succeed, `{failed}` a failed
    /// one, `{foreign}` another owner's ready resume, `{share}` a live share of
    /// `{id}`, `{revoked}` a revoked share, `{foreign_share}` another owner's
    /// share, `{job}` and `{job2}` two jobs, `{uuid}`/`{UUID}` an unknown UUID, `{long}` 5000
    /// characters, `{token}` the caller's token, `{epoch}` the account stream's
    /// epoch.
    path: String,
    auth: Auth,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    /// Send the body chunked, without a Content-Length.
    chunked: bool,
    headers: Vec<(&'static str, Vec<u8>)>,
    /// Acceptable statuses (exactly one for the strict table).
    want: Vec<u16>,
    /// The error code when the status is `want[0]`.
    code: Option<&'static str>,
    expect: Expect,
    /// Extra check of a 2xx JSON answer.
    check: Option<Check>,
    /// Words the error message must contain (it says what to fix).
    says: Option<&'static str>,
}

fn case(
    name: impl Into<String>,
    method: Method,
    path: impl Into<String>,
    want: u16,
    code: &'static str,
) -> Case {
    Case {
        name: name.into(),
        method,
        path: path.into(),
        auth: Auth::User,
        content_type: None,
        body: Vec::new(),
        chunked: false,
        headers: Vec::new(),
        want: vec![want],
        code: (!code.is_empty()).then_some(code),
        expect: Expect::Json,
        check: None,
        says: None,
    }
}

/// A case whose right answer is a success (a bad-looking request the server
/// must handle sensibly, e.g. a file name with a path in it).
fn ok_case(name: &'static str, method: Method, path: impl Into<String>, want: u16) -> Case {
    case(name, method, path, want, "")
}

impl Case {
    fn auth(mut self, a: Auth) -> Self {
        self.auth = a;
        self
    }
    fn body(mut self, ct: &'static str, body: impl Into<Vec<u8>>) -> Self {
        self.content_type = Some(ct);
        self.body = body.into();
        self
    }
    fn raw_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }
    fn chunked(mut self) -> Self {
        self.chunked = true;
        self
    }
    fn header(mut self, k: &'static str, v: impl Into<String>) -> Self {
        self.headers.push((k, v.into().into_bytes()));
        self
    }
    /// A header value that is not ASCII (obs-text), as raw bytes.
    fn header_bytes(mut self, k: &'static str, v: &[u8]) -> Self {
        self.headers.push((k, v.to_vec()));
        self
    }
    fn loose(mut self, want: &[u16]) -> Self {
        self.want = want.to_vec();
        self.code = None;
        self
    }
    fn html(mut self) -> Self {
        self.expect = Expect::Html;
        self
    }
    fn stream(mut self, first_event: Option<&'static str>) -> Self {
        self.expect = Expect::Stream(first_event);
        self
    }
    fn check(mut self, f: Check) -> Self {
        self.check = Some(f);
        self
    }
    fn says(mut self, words: &'static str) -> Self {
        self.says = Some(words);
        self
    }
    /// Does this request present a credential the server must refuse? Those
    /// count against the coming failed-auth rate limit.
    fn presents_bad_credential(&self) -> bool {
        self.auth == Auth::Bad
            || (self.want.contains(&401)
                && (self
                    .headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("authorization"))
                    || self.path.contains("access_token=")))
    }
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\nIDATx\x9cc\0\x01\0\0\x05\0\x01\r\n-\xb4\0\0\0\0IEND\xaeB`\x82";
const ZIP: &[u8] = b"PK\x03\x04\x14\0\0\0\0\0\0\0!\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
/// The magic of a legacy Word `.doc` (OLE2 compound file).
const OLE2: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
/// Bytes that claim to be gzip and are not.
const GZIP_GARBAGE: &[u8] =
    b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\xfe\x00garbage\x00\x01\x02";
/// A UTF-8 byte-order mark.
const BOM: &[u8] = b"\xef\xbb\xbf";
const MERGE: &str = "application/merge-patch+json";

fn multipart(boundary: &str, field: &str, filename: &str, ct: &str, content: &[u8]) -> Vec<u8> {
    let mut b = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: {ct}\r\n\r\n"
    )
    .into_bytes();
    b.extend_from_slice(content);
    b.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    b
}

/// `[[[…]]]` nested `depth` deep.
fn nested_arrays(depth: usize) -> Vec<u8> {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth)).into_bytes()
}

/// `{"key": [[…]]}`: a JSON object whose value nests `depth` levels in all.
fn nested_under(key: &str, depth: usize) -> Vec<u8> {
    let inner = depth - 1;
    format!("{{\"{key}\": {}{}}}", "[".repeat(inner), "]".repeat(inner)).into_bytes()
}

fn with_bom(body: &str) -> Vec<u8> {
    let mut b = BOM.to_vec();
    b.extend_from_slice(body.as_bytes());
    b
}

/// `body` padded with `n` spaces before it: valid JSON of any size.
fn padded(n: usize, body: &str) -> Vec<u8> {
    let mut b = vec![b' '; n];
    b.extend_from_slice(body.as_bytes());
    b
}

/// The error message names what to fix.
fn check_says(c: &Case, r: &Resp) -> Result<(), String> {
    let Some(words) = c.says else { return Ok(()) };
    let message = r.json()["error"]["message"]
        .as_str()
        .unwrap_or("")
        .to_string();
    if message.contains(words) {
        Ok(())
    } else {
        Err(format!("the message should say {words:?}: {message:?}"))
    }
}

fn want_filename(v: &Value, want: &str) -> Result<(), String> {
    if v["filename"] == want {
        Ok(())
    } else {
        Err(format!("filename should be {want:?}: {v}"))
    }
}

// ---------------------------------------------------------------------------
// Running the tables

struct Ctx {
    user: Api,
    admin: Api,
    token: String,
    id: String,
    scratch: String,
    failed: String,
    foreign: String,
    share: String,
    revoked: String,
    foreign_share: String,
    job: String,
    job2: String,
    epoch: String,
    /// Before the table: the resumes no case may change.
    before: Vec<(String, Value)>,
    owner_api: Api,
}

impl Ctx {
    fn fill(&self, s: &str) -> String {
        let mut id_pct = self.id.clone();
        let first = id_pct.remove(0);
        let id_pct = format!("%{:02X}{id_pct}", first as u32);
        let uuid = uuid::Uuid::new_v4().to_string();
        s.replace("{id}", &self.id)
            .replace("{ID}", &self.id.to_ascii_uppercase())
            .replace("{id_pct}", &id_pct)
            .replace("{id_simple}", &self.id.replace('-', ""))
            .replace("{scratch}", &self.scratch)
            .replace("{failed}", &self.failed)
            .replace("{foreign_share}", &self.foreign_share)
            .replace("{foreign}", &self.foreign)
            .replace("{share}", &self.share)
            .replace("{SHARE}", &self.share.to_ascii_uppercase())
            .replace("{revoked}", &self.revoked)
            .replace("{job}", &self.job)
            .replace("{job2}", &self.job2)
            .replace("{uuid}", &uuid)
            .replace("{UUID}", &uuid.to_ascii_uppercase())
            .replace("{long}", &"a".repeat(5000))
            .replace("{10k}", &"n".repeat(10_000))
            .replace("{token}", &self.token)
            .replace("{epoch}", &self.epoch)
    }
}

/// The id of the first event of an account stream opened with a
/// `Last-Event-ID` that cannot be replayed: the `resync`, `<epoch>-<seq>`.
async fn account_epoch(api: &Api) -> String {
    let rb = api
        .request(Method::GET, "/v1/events")
        .header("last-event-id", "x");
    let (status, _, text) = open_stream(rb, true).await.expect("account stream");
    assert_eq!(status, 200, "account stream: {text}");
    let id = text
        .lines()
        .find_map(|l| l.strip_prefix("id: "))
        .unwrap_or_else(|| panic!("no id in {text:?}"));
    id.split_once('-')
        .unwrap_or_else(|| panic!("id {id:?} is not <epoch>-<seq>"))
        .0
        .to_string()
}

async fn ctx() -> Ctx {
    let srv = server();
    let user = srv.user("bad").await;
    let token = user.token.clone().unwrap();
    let v = user.upload_ready("resume.md").await;
    let id = v["id"].as_str().unwrap().to_string();
    let scratch = user.upload_ready("resume.md").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let bad = user.upload_fixture("corrupt.pdf").await;
    let failed = bad["id"].as_str().unwrap().to_string();
    assert_eq!(user.wait_terminal(&failed).await["status"], "failed");
    let share = user.share(&id, &json!({})).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let revoked = user.share(&scratch, &json!({})).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = user.delete(&format!("/v1/shares/{revoked}")).await;
    assert_eq!(r.status, 200, "revoking: {}", r.text());
    let other = srv.user("other").await;
    let foreign = other.upload_ready("resume.md").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let foreign_share = other.share(&foreign, &json!({})).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = user
        .send(
            user.request(Method::POST, "/v1/jobs")
                .header("content-type", CT_TXT)
                .body(fixture("job_platform.txt")),
        )
        .await;
    assert_eq!(r.status, 201, "creating a job: {}", r.text());
    let job = r.json()["id"].as_str().unwrap().to_string();
    let r = user
        .send(
            user.request(Method::POST, "/v1/jobs")
                .header("content-type", CT_MD)
                .body(fixture("job_backend.md")),
        )
        .await;
    assert_eq!(r.status, 201, "creating a second job: {}", r.text());
    let job2 = r.json()["id"].as_str().unwrap().to_string();
    let epoch = account_epoch(&user).await;
    let before = vec![
        (id.clone(), user.resume(&id).await),
        (foreign.clone(), other.resume(&foreign).await),
    ];
    Ctx {
        user,
        admin: srv.admin(),
        token,
        id,
        scratch,
        failed,
        foreign,
        share,
        revoked,
        foreign_share,
        job,
        job2,
        epoch,
        before,
        owner_api: other,
    }
}

/// Send a request whose answer may be an endless event stream: the head,
/// then up to the first complete block of a 200 `text/event-stream` (or the
/// whole body of anything else), each read bounded by a timeout.
async fn open_stream(
    rb: reqwest::RequestBuilder,
    until_event: bool,
) -> Result<(u16, reqwest::header::HeaderMap, String), String> {
    let resp = match tokio::time::timeout(HTTP_TIMEOUT, rb.send()).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return Err(format!("no answer: {e:?}")),
        Err(_) => return Err(format!("no response head within {HTTP_TIMEOUT:?}")),
    };
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let is_stream = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    if !is_stream {
        let body = match tokio::time::timeout(HTTP_TIMEOUT, resp.bytes()).await {
            Ok(Ok(body)) => body,
            Ok(Err(e)) => return Err(format!("{status}, then the body failed: {e:?}")),
            Err(_) => return Err(format!("{status}, then no body within {HTTP_TIMEOUT:?}")),
        };
        return Ok((status, headers, String::from_utf8_lossy(&body).into_owned()));
    }
    use futures_util::StreamExt;
    let mut body = resp.bytes_stream();
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    // Read until the first complete block, or with `until_event` the first
    // block that is an event (not only a comment), or the end.
    loop {
        // Blocks end with a blank line; the last piece is still incomplete.
        let pieces: Vec<&str> = text.split("\n\n").collect();
        let complete = &pieces[..pieces.len() - 1];
        let done = if until_event {
            complete
                .iter()
                .any(|block| block.lines().any(|l| l.starts_with("event:")))
        } else {
            !complete.is_empty()
        };
        if done {
            break;
        }
        match tokio::time::timeout_at(deadline, body.next()).await {
            Ok(Some(Ok(chunk))) => text.push_str(&String::from_utf8_lossy(&chunk)),
            Ok(Some(Err(_))) | Ok(None) | Err(_) => break,
        }
    }
    Ok((status, headers, text))
}

/// The name of the first event in an SSE text, if any.
fn first_event_name(text: &str) -> Option<String> {
    text.split("\n\n").find_map(|block| {
        block
            .lines()
            .find_map(|l| l.strip_prefix("event:").map(|n| n.trim().to_string()))
    })
}

/// Run one case; `Err` says what was wrong with the answer.
async fn run(ctx: &Ctx, c: &Case) -> Result<u16, String> {
    let path = ctx.fill(&c.path);
    let api = match c.auth {
        Auth::User => ctx.user.clone(),
        Auth::Admin => ctx.admin.clone(),
        Auth::None => ctx.user.without_token(),
        Auth::Bad => ctx.user.with_token("this-is-not-a-token"),
    };
    let mut rb = api.request(c.method.clone(), &path);
    if let Some(ct) = c.content_type {
        rb = rb.header("content-type", ct);
    }
    for (k, v) in &c.headers {
        let value = match std::str::from_utf8(v) {
            Ok(s) => HeaderValue::from_str(&ctx.fill(s)),
            Err(_) => HeaderValue::from_bytes(v),
        }
        .map_err(|e| format!("test bug: header {k}: {e}"))?;
        rb = rb.header(*k, value);
    }
    let body = match std::str::from_utf8(&c.body) {
        Ok(s) if s.contains('{') && s.len() < 100_000 => ctx.fill(s).into_bytes(),
        _ => c.body.clone(),
    };
    if c.chunked {
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
            body.chunks(8192).map(|b| Ok(b.to_vec())).collect();
        rb = rb.body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )));
    } else if !body.is_empty() || c.content_type.is_some() {
        rb = rb.body(body);
    }
    let want_code = |status: u16| {
        if status == c.want[0] {
            c.code
        } else {
            None
        }
    };
    if let Expect::Stream(first) = c.expect {
        let (status, headers, text) = open_stream(rb, first.is_some()).await?;
        if status >= 500 {
            return Err(format!("{status}: {text}"));
        }
        if !c.want.contains(&status) {
            return Err(format!("-> {status} (want {:?}): {}", c.want, cut(&text)));
        }
        if status >= 400 {
            let r = Resp {
                status,
                headers,
                body: text.into_bytes().into(),
            };
            check_error_body(&r, want_code(status))?;
            check_says(c, &r)?;
        } else if status == 200 {
            let first_got = first_event_name(&text);
            if let Some(name) = first {
                if first_got.as_deref() != Some(name) {
                    return Err(format!(
                        "first event {first_got:?}, want {name:?}: {}",
                        cut(&text)
                    ));
                }
            } else if !text.starts_with(':') && !text.contains("\n\n") {
                return Err(format!("no SSE frame: {}", cut(&text)));
            }
        }
        return Ok(status);
    }
    let r = send(rb).await?;
    if r.status >= 500 {
        return Err(format!("{}: {}", r.status, r.text()));
    }
    if !c.want.contains(&r.status) {
        return Err(format!(
            "-> {} (want {:?}): {}",
            r.status,
            c.want,
            cut(&r.text())
        ));
    }
    if c.method == Method::HEAD {
        // No body; the head still says what the body would have been.
        if r.status >= 400 {
            let ct = r.header("content-type").unwrap_or_default();
            if !ct.starts_with("application/json") || r.header("x-request-id").is_none() {
                return Err(format!("HEAD {}: content-type {ct:?}", r.status));
            }
        }
    } else if c.expect == Expect::Html {
        let ct = r.header("content-type").unwrap_or_default();
        if !ct.starts_with("text/html") || !r.text().contains("<html") {
            return Err(format!("want an HTML page, got {ct:?}: {}", cut(&r.text())));
        }
    } else if r.status >= 400 {
        check_error_body(&r, want_code(r.status))?;
        check_says(c, &r)?;
        if r.status == 405 && r.header("allow").is_none_or(|a| a.is_empty()) {
            return Err("405 without an Allow header".into());
        }
        if r.status == 401 && r.header("www-authenticate").is_none() {
            return Err("401 without WWW-Authenticate".into());
        }
    } else if let Some(check) = c.check {
        check(&r.json())?;
    }
    Ok(r.status)
}

/// Send and read the whole answer within [`HTTP_TIMEOUT`]; a request that
/// gets no answer (a reset, a closed connection) is a failure of its case.
async fn send(rb: reqwest::RequestBuilder) -> Result<Resp, String> {
    match try_send(rb).await {
        Ok(r) => Ok(r),
        Err(NoAnswer::Failed(e)) => Err(format!("no answer: {e:?}")),
        Err(NoAnswer::TimedOut) => Err(format!("no answer within {HTTP_TIMEOUT:?}")),
    }
}

fn cut(s: &str) -> String {
    s.chars().take(200).collect()
}

/// The route groups with their strict and loose tables, in the order they
/// are listed (and the tests below run them).
type Tables = (&'static str, fn() -> Vec<Case>, fn() -> Vec<Case>);
const GROUPS: [Tables; 13] = [
    ("auth", auth::strict, auth::loose),
    ("ids", ids::strict, ids::loose),
    ("uploads", uploads::strict, uploads::loose),
    ("resumes", resumes::strict, resumes::loose),
    ("shares", shares::strict, shares::loose),
    ("admin", admin::strict, admin::loose),
    ("routing", routing::strict, routing::loose),
    ("streams", streams::strict, streams::loose),
    ("diff", diff::strict, diff::loose),
    ("jobs", jobs::strict, jobs::loose),
    ("tailor", tailor::strict, tailor::loose),
    ("exports", exports::strict, exports::loose),
    ("paging", paging::strict, paging::loose),
];

/// Every hand-written strict case, group by group.
fn hand_written_strict() -> Vec<Case> {
    GROUPS.iter().flat_map(|(_, strict, _)| strict()).collect()
}

/// Every strict case: the hand-written ones and those made from the route table.
fn strict_table() -> Vec<Case> {
    let mut table = hand_written_strict();
    table.extend(generated::wrong_method_cases());
    table.extend(generated::no_token_cases());
    table
}

/// Every loose case, group by group.
fn loose_table() -> Vec<Case> {
    GROUPS.iter().flat_map(|(_, _, loose)| loose()).collect()
}

/// Cover every route and method of the OpenAPI document: every (route,
/// method) pair has at least one case. Returns the number of distinct pairs hit.
fn coverage(tables: &[&[Case]]) -> usize {
    let mut hit = BTreeSet::new();
    for c in tables.iter().flat_map(|t| t.iter()) {
        if let Some(route) = route_of(&c.path) {
            hit.insert((route.pattern.as_str(), c.method.to_string()));
        }
    }
    let missing: Vec<String> = routes()
        .iter()
        .flat_map(|r| {
            r.methods
                .iter()
                .map(move |m| (r.pattern.as_str(), m.clone()))
        })
        .filter(|pair| !hit.contains(pair))
        .map(|(p, m)| format!("{m} {p}"))
        .collect();
    assert!(missing.is_empty(), "no case for: {missing:?}");
    hit.len()
}

/// Run `table` as a fresh user with fresh fixtures, then check the server is
/// still healthy and no fixture changed.
async fn run_table(table: &[Case], strict: bool) {
    let ctx = ctx().await;
    let mut failures = Vec::new();
    for c in table {
        if strict {
            assert_eq!(c.want.len(), 1, "{}: a strict case has one status", c.name);
        }
        if let Err(e) = run(&ctx, c).await {
            failures.push(format!("{}: {} {} {e}", c.name, c.method, c.path));
        }
    }
    // The caller's resume is read with the caller's token, the other owner's
    // with theirs.
    let unchanged: Vec<(&Api, &str, &Value)> = ctx
        .before
        .iter()
        .enumerate()
        .map(|(i, (id, before))| {
            let owner = if i == 0 { &ctx.user } else { &ctx.owner_api };
            (owner, id.as_str(), before)
        })
        .collect();
    failures.extend(health_problems(&ctx.user, &unchanged).await);
    assert!(
        failures.is_empty(),
        "{} of {} requests answered wrongly:\n{}",
        failures.len(),
        table.len(),
        failures.join("\n")
    );
}

#[test]
fn the_tables_cover_every_route_and_method_with_200_cases() {
    let strict = strict_table();
    let loose = loose_table();
    let pairs = coverage(&[&strict, &loose]);
    let bad_credentials = strict
        .iter()
        .chain(&loose)
        .filter(|c| c.presents_bad_credential())
        .count();
    let groups: Vec<String> = GROUPS
        .iter()
        .map(|(name, s, l)| format!("{name} {}+{}", s().len(), l().len()))
        .collect();
    eprintln!(
        "bad request table: {} strict ({} hand-written, {} wrong methods, {} without a token) + {} loose = {} cases; \
         {pairs} distinct route x method pairs; {bad_credentials} present a bad credential; by group (strict+loose): {}",
        strict.len(),
        hand_written_strict().len(),
        generated::wrong_method_cases().len(),
        generated::no_token_cases().len(),
        loose.len(),
        strict.len() + loose.len(),
        groups.join(", "),
    );
    assert!(
        strict.len() + loose.len() >= 200,
        "the bad request table has {} cases",
        strict.len() + loose.len()
    );
    // Failed auth will be limited per client IP (burst 60): all tables run
    // against one server, so their bad credentials together stay under 40.
    assert!(
        bad_credentials < 40,
        "{bad_credentials} requests with a bad credential against one server"
    );
    let names: BTreeSet<&str> = strict
        .iter()
        .chain(&loose)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(
        names.len(),
        strict.len() + loose.len(),
        "case names are unique"
    );
}

/// One test per table: a failure names its group, and the groups run in
/// parallel, each as its own user.
macro_rules! table_tests {
    ($($group:ident: $strict:ident, $loose:ident;)*) => {$(
        #[tokio::test]
        async fn $strict() {
            run_table(&$group::strict(), true).await;
        }

        #[tokio::test]
        async fn $loose() {
            run_table(&$group::loose(), false).await;
        }
    )*};
}

table_tests! {
    auth: auth_strict, auth_loose_never_5xx;
    ids: ids_strict, ids_loose_never_5xx;
    uploads: uploads_strict, uploads_loose_never_5xx;
    resumes: resumes_strict, resumes_loose_never_5xx;
    shares: shares_strict, shares_loose_never_5xx;
    admin: admin_strict, admin_loose_never_5xx;
    routing: routing_strict, routing_loose_never_5xx;
    streams: streams_strict, streams_loose_never_5xx;
    diff: diff_strict, diff_loose_never_5xx;
    jobs: jobs_strict, jobs_loose_never_5xx;
    tailor: tailor_strict, tailor_loose_never_5xx;
    paging: paging_strict, paging_loose_never_5xx;
}

#[tokio::test]
async fn wrong_methods_and_missing_tokens_on_every_route() {
    let mut table = generated::wrong_method_cases();
    table.extend(generated::no_token_cases());
    run_table(&table, true).await;
}

#[tokio::test]
async fn header_values_at_the_edges() {
    run_table(&header_edges::cases(), true).await;
}

/// A merge patch nested near serde_json's recursion limit (128) used to be
/// stored, after which the owner's list answered 500 and the server could
/// not start again on its data dir. Deep patches are refused; one at the
/// depth limit is stored and survives a restart.
#[tokio::test]
async fn deep_patches_cannot_brick_the_store() {
    let mut srv = TestServer::start();
    let api = srv.user("deep").await;
    let id = api.upload_ready("resume.md").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    for depth in [65, 100, 126, 127] {
        let r = send_unchecked(
            api.request(Method::PATCH, &format!("/v1/resumes/{id}"))
                .header("content-type", MERGE)
                .body(nested_under("x-deep", depth)),
        )
        .await;
        r.assert_error(422, "unprocessable");
    }
    let r = send_unchecked(
        api.request(Method::PATCH, &format!("/v1/resumes/{id}"))
            .header("content-type", MERGE)
            .body(nested_under("x-deep", 64)),
    )
    .await;
    assert_eq!(r.status, 200, "a patch 64 deep: {}", r.text());
    for path in [
        "/v1/resumes".to_string(),
        format!("/v1/resumes/{id}/revisions"),
        format!("/v1/resumes/{id}/revisions/1"),
        format!("/v1/resumes/{id}/diff?against=rev:1"),
    ] {
        let r = api.get(&path).await;
        assert_eq!(r.status, 200, "GET {path}: {}", r.text());
    }
    srv.stop().await;
    srv.restart();
    let api = srv.api(api.token.as_deref().unwrap());
    assert_eq!(api.list().await.len(), 1);
    assert_eq!(api.resume(&id).await["revision"], 2);
}

#[tokio::test]
async fn allow_header_lists_the_methods() {
    let ctx = ctx().await;
    let r = ctx
        .user
        .send(
            ctx.user
                .request(Method::PUT, &format!("/v1/resumes/{}", ctx.id)),
        )
        .await;
    r.assert_error(405, "method_not_allowed");
    let allow = r.header("allow").unwrap_or_default().to_ascii_uppercase();
    for m in ["GET", "PATCH", "DELETE"] {
        assert!(allow.contains(m), "Allow {allow:?} lacks {m}");
    }
    let r = ctx
        .user
        .send(ctx.user.request(Method::DELETE, "/v1/resumes"))
        .await;
    r.assert_error(405, "method_not_allowed");
    let allow = r.header("allow").unwrap_or_default().to_ascii_uppercase();
    for m in ["GET", "POST"] {
        assert!(allow.contains(m), "Allow {allow:?} lacks {m}");
    }
}

#[tokio::test]
async fn default_upload_limit_is_10_mib() {
    let srv = TestServer::start();
    let api = srv.user("big").await;
    let body = vec![b'a'; 10 * 1024 * 1024 + 1];
    eprintln!("step: declared length over the limit");
    api.upload(body, CT_TXT, "big.txt")
        .await
        .assert_error(413, "payload_too_large");
    // A body that says nothing of its length (chunked) is limited too.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..11).map(|_| Ok(vec![b'b'; 1024 * 1024])).collect();
    let stream = futures_util::stream::iter(chunks);
    eprintln!("step: chunked body over the limit");
    let r = send_unchecked(
        api.request(Method::POST, "/v1/resumes?filename=chunked.txt")
            .header("content-type", CT_TXT)
            .body(reqwest::Body::wrap_stream(stream)),
    )
    .await;
    r.assert_error(413, "payload_too_large");
    // Nothing was stored.
    assert!(api.list().await.is_empty());
}
