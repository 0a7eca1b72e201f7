//! Malformed HTTP that reqwest cannot send, written by hand on raw sockets:
//! broken request lines and versions, Content-Length lies and conflicts,
//! broken chunked encoding, Transfer-Encoding tricks, oversize bodies and
//! headers, bad bytes in header names and values, CONNECT on every route,
//! pipelining, and (ignored until the timeouts land) slow clients.
//!
//! Each answer is parsed from the bytes: the status, the headers and the JSON
//! error body `{"error": {"code", "message", "request_id"}}`. Never a 5xx,
//! and the connection always ends cleanly (EOF, not a reset or a hang).
//!
//! Some requests are answered by hyper itself before our code sees them, so
//! they cannot carry our JSON body: a request line or header block it cannot
//! parse (400, empty body), headers over its limits (431), a target over
//! 65534 bytes (414), `Content-Length` values it refuses (400), a
//! `Transfer-Encoding` without a final `chunked` (400). Those are [`Want::Hyper`]:
//! the status, an empty body, and the connection closed. An HTTP/2
//! prior-knowledge preface gets no answer at all, only a clean close.

use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use vitae_tests::*;

const LIMIT: usize = 65536;
/// The upload limit with the multipart framing allowance.
const UPLOAD_CAP: usize = LIMIT + 16 * 1024;

fn server() -> &'static TestServer {
    shared_server(&["--max-upload-bytes", &LIMIT.to_string()])
}

// ---------------------------------------------------------------------------
// A raw HTTP/1.1 exchange

/// One parsed answer.
#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    /// Lower-case names.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Our JSON error body, with this code when given.
    fn check_error(&self, code: Option<&str>) -> Result<Value, String> {
        let ct = self.header("content-type").unwrap_or("");
        if !ct.starts_with("application/json") {
            return Err(format!(
                "{} with content-type {ct:?}: {:?}",
                self.status,
                self.text()
            ));
        }
        let v: Value = serde_json::from_slice(&self.body)
            .map_err(|e| format!("error body is not JSON ({e}): {:?}", self.text()))?;
        let e = &v["error"];
        if let Some(code) = code {
            if e["code"] != code {
                return Err(format!("error code should be {code:?}: {v}"));
            }
        }
        if e["message"].as_str().is_none_or(str::is_empty) {
            return Err(format!("error.message missing: {v}"));
        }
        if e["request_id"].as_str().is_none_or(str::is_empty) {
            return Err(format!("error.request_id missing: {v}"));
        }
        Ok(v)
    }
}

/// How the connection ended after what was read.
#[derive(Debug, Clone, Copy, PartialEq)]
enum End {
    /// The server closed it (FIN).
    Eof,
    /// The server reset it.
    Reset,
    /// Still open when the time was up.
    Open,
}

#[derive(Debug)]
struct Exchange {
    /// Final answers in order (interim 1xx answers are in `interim`).
    answers: Vec<Answer>,
    interim: Vec<u16>,
    end: End,
    /// Bytes after the last answer that do not parse as one.
    rest: Vec<u8>,
    elapsed: Duration,
}

/// How to send a request.
#[derive(Clone, Copy, Debug)]
struct Send {
    /// Shut down our write side after the bytes (the server reads EOF).
    half_close: bool,
    /// How long to wait for the server to end the connection.
    timeout: Duration,
    /// The first answer is to a HEAD (no body whatever its headers say).
    head_first: bool,
}

const SEND: Send = Send {
    half_close: false,
    timeout: Duration::from_secs(10),
    head_first: false,
};

/// Connect, write `bytes` while reading, and read until the server closes the
/// connection or `timeout` passes; then parse the answers.
async fn exchange(addr: &str, bytes: Vec<u8>, how: Send) -> Exchange {
    let started = Instant::now();
    let stream = tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(addr))
        .await
        .expect("connect within 5 s")
        .expect("connect");
    let (mut rd, mut wr) = stream.into_split();
    // Write on a task, so that an answer sent before we finish (a 413, a
    // 431) is read at once instead of behind a full send buffer.
    let writer = tokio::spawn(async move {
        let _ = tokio::time::timeout(Duration::from_secs(20), wr.write_all(&bytes)).await;
        if how.half_close {
            let _ = wr.shutdown().await;
        }
        // Keep the write half alive (not closed) until the reader is done.
        wr
    });
    let deadline = tokio::time::Instant::now() + how.timeout;
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    let end = loop {
        match tokio::time::timeout_at(deadline, rd.read(&mut chunk)).await {
            Err(_) => break End::Open,
            Ok(Ok(0)) => break End::Eof,
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionReset => break End::Reset,
            Ok(Err(e)) => panic!("reading from the server: {e}"),
        }
    };
    let elapsed = started.elapsed();
    writer.abort();
    let (answers, interim, rest) = parse_answers(&buf, how.head_first);
    Exchange {
        answers,
        interim,
        end,
        rest,
        elapsed,
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Split a byte stream into HTTP/1.1 answers.
fn parse_answers(mut buf: &[u8], head_first: bool) -> (Vec<Answer>, Vec<u16>, Vec<u8>) {
    let mut answers = Vec::new();
    let mut interim = Vec::new();
    loop {
        let Some(head_end) = find(buf, b"\r\n\r\n") else {
            return (answers, interim, buf.to_vec());
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or("");
        let Some(status) = status_line
            .strip_prefix("HTTP/1.")
            .and_then(|s| s.get(2..5))
            .and_then(|s| s.parse::<u16>().ok())
        else {
            return (answers, interim, buf.to_vec());
        };
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let rest = &buf[head_end + 4..];
        if (100..200).contains(&status) {
            interim.push(status);
            buf = rest;
            continue;
        }
        let get = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let bodiless = status == 204 || status == 304 || (head_first && answers.is_empty());
        let (body, consumed) = if bodiless {
            (Vec::new(), 0)
        } else if let Some(len) = get("content-length").and_then(|v| v.parse::<usize>().ok()) {
            let len = len.min(rest.len());
            (rest[..len].to_vec(), len)
        } else if get("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
            dechunk(rest)
        } else {
            (rest.to_vec(), rest.len())
        };
        answers.push(Answer {
            status,
            headers,
            body,
        });
        buf = &rest[consumed..];
        if buf.is_empty() {
            return (answers, interim, Vec::new());
        }
    }
}

/// A chunked body: its data and how many bytes it took (all that is there
/// when it is cut short).
fn dechunk(buf: &[u8]) -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(line_end) = find(&buf[at..], b"\r\n") {
        let line = String::from_utf8_lossy(&buf[at..at + line_end]).into_owned();
        let size = usize::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16);
        let Ok(size) = size else { break };
        at += line_end + 2;
        if size == 0 {
            // Trailers, then the blank line.
            return match find(&buf[at..], b"\r\n") {
                Some(i) => (out, at + i + 2),
                None => (out, buf.len()),
            };
        }
        let end = (at + size).min(buf.len());
        out.extend_from_slice(&buf[at..end]);
        at = (end + 2).min(buf.len());
    }
    (out, buf.len())
}

// ---------------------------------------------------------------------------
// The table

/// What a raw case must get.
#[derive(Clone, Debug)]
enum Want {
    /// Our JSON error body with this status and code, then the close.
    Json(u16, &'static str),
    /// hyper answers before routing: this status, an empty body, the close.
    Hyper(u16),
    /// One of these statuses (our JSON error body when 4xx), then the close.
    Status(&'static [u16]),
    /// Several answers in order (pipelined): each status, JSON when 4xx and
    /// `true`, hyper's empty answer when 4xx and `false`.
    Seq(&'static [(u16, bool)]),
    /// No answer, a clean close.
    Closed,
}

struct RawCase {
    name: String,
    bytes: Vec<u8>,
    how: Send,
    want: Want,
}

fn raw(name: impl Into<String>, bytes: impl Into<Vec<u8>>, want: Want) -> RawCase {
    RawCase {
        name: name.into(),
        bytes: bytes.into(),
        how: SEND,
        want,
    }
}

impl RawCase {
    fn half_close(mut self) -> Self {
        self.how.half_close = true;
        self
    }
    fn head_first(mut self) -> Self {
        self.how.head_first = true;
        self
    }
}

/// What the table needs to know about the server.
struct Ctx {
    api: Api,
    token: String,
    /// A ready resume no case may change.
    id: String,
    /// A ready resume for cases that may succeed.
    scratch: String,
    before: Value,
}

async fn ctx() -> Ctx {
    let srv = server();
    let api = srv.user("raw").await;
    let token = api.token.clone().unwrap();
    let id = api.upload_ready("resume.md").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let scratch = api.upload_ready("resume.md").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let before = api.resume(&id).await;
    Ctx {
        api,
        token,
        id,
        scratch,
        before,
    }
}

/// A request head: `METHOD TARGET HTTP/1.1`, Host, the caller's token when
/// `auth`, the extra lines, and `Connection: close` (so every exchange ends
/// with the server's close), then the blank line.
fn head(ctx: &Ctx, method: &str, target: &str, auth: bool, extra: &[&str]) -> Vec<u8> {
    let mut h = format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    if auth {
        h.push_str(&format!("Authorization: Bearer {}\r\n", ctx.token));
    }
    for line in extra {
        h.push_str(line);
        h.push_str("\r\n");
    }
    h.push_str("Connection: close\r\n\r\n");
    h.into_bytes()
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// `bytes` with the first `from` replaced by `to`.
fn swap(bytes: Vec<u8>, from: &[u8], to: &[u8]) -> Vec<u8> {
    let at = find(&bytes, from).expect("the bytes to swap");
    cat(&[&bytes[..at], to, &bytes[at + from.len()..]])
}

fn table(ctx: &Ctx) -> Vec<RawCase> {
    use Want::*;
    let id = ctx.id.as_str();
    let scratch = ctx.scratch.as_str();
    let shares = format!("/v1/resumes/{scratch}/shares");
    let json = "Content-Type: application/json";
    let post_share = |extra: &[&str]| {
        let mut lines = vec![json];
        lines.extend_from_slice(extra);
        head(ctx, "POST", &shares, true, &lines)
    };
    let upload = |extra: &[&str]| {
        let mut lines = vec!["Content-Type: text/plain"];
        lines.extend_from_slice(extra);
        head(ctx, "POST", "/v1/resumes?filename=raw.txt", true, &lines)
    };
    let healthz = |extra: &[&str]| head(ctx, "GET", "/healthz", false, extra);
    let chunked_share = |body: &[u8]| cat(&[&post_share(&["Transfer-Encoding: chunked"]), body]);
    let mut t = vec![
        // ===== request lines =====
        raw("broken request line", "GARBAGE\r\n\r\n", Hyper(400)),
        raw(
            "HTTP/2.0 in a request line",
            "GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n",
            Hyper(400),
        ),
        raw(
            "HTTP/1.2",
            "GET /healthz HTTP/1.2\r\nHost: x\r\n\r\n",
            Hyper(400),
        ),
        raw("HTTP/0.9 request", "GET /healthz\r\n\r\n", Hyper(400)),
        raw(
            "tabs in the request line",
            "GET\t/healthz\tHTTP/1.1\r\nHost: x\r\n\r\n",
            Hyper(400),
        ),
        raw(
            "two spaces in the request line",
            "GET  /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
            Hyper(400),
        ),
        raw(
            "a TLS ClientHello on the plain port",
            cat(&[b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", &[0u8; 40]]),
            Hyper(400),
        ),
        raw(
            "HTTP/2 prior-knowledge preface",
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
            Closed,
        ),
        raw(
            "a space in the path",
            "GET /v1/res umes HTTP/1.1\r\nHost: x\r\n\r\n",
            Hyper(400),
        ),
        raw(
            "a raw space in the query",
            "GET /healthz?a=b c HTTP/1.1\r\nHost: x\r\n\r\n",
            Hyper(400),
        ),
        raw(
            "a path without the leading slash",
            "GET v1/resumes HTTP/1.1\r\nHost: x\r\n\r\n",
            Hyper(400),
        ),
        raw(
            "a raw NUL in the path",
            b"GET /v1/resumes/\x00 HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
            Hyper(400),
        ),
        raw(
            "a target of 70 KB",
            head(
                ctx,
                "GET",
                &format!("/v1/resumes/{}", "a".repeat(70_000)),
                true,
                &[],
            ),
            Hyper(414),
        ),
        raw(
            "an id of 20 KB",
            head(
                ctx,
                "GET",
                &format!("/v1/resumes/{}", "a".repeat(20_000)),
                true,
                &[],
            ),
            Json(400, "bad_request"),
        ),
        raw(
            "literal braces around an id",
            // The uuid crate reads `{…}` as the same UUID: an alias, not an error.
            head(ctx, "GET", &format!("/v1/resumes/{{{id}}}"), true, &[]),
            Status(&[200, 400]),
        ),
        raw(
            "raw UTF-8 bytes in an id",
            swap(
                head(ctx, "GET", "/v1/resumes/TARGET", true, &[]),
                b"TARGET",
                "é".as_bytes(),
            ),
            Json(400, "bad_request"),
        ),
        raw(
            "a raw 0xFF byte in the path",
            swap(
                head(ctx, "GET", "/v1/resumes/TARGET", true, &[]),
                b"TARGET",
                b"\xff",
            ),
            Hyper(400),
        ),
        raw(
            "raw UTF-8 bytes in a query value",
            cat(&[
                b"GET /s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA?format=\xc3\xa9 HTTP/1.1\r\n",
                b"Host: x\r\nConnection: close\r\n\r\n",
            ]),
            Json(400, "bad_request"),
        ),
        raw(
            "asterisk target on GET",
            head(ctx, "GET", "*", false, &[]),
            Json(404, "not_found"),
        ),
        raw(
            "OPTIONS *",
            head(ctx, "OPTIONS", "*", false, &[]),
            Status(&[200, 204, 404]),
        ),
        raw(
            "lower-case method",
            head(ctx, "get", "/healthz", false, &[]),
            Json(405, "method_not_allowed"),
        ),
        raw(
            "a 100-character method",
            head(ctx, &"A".repeat(100), "/v1/resumes", false, &[]),
            Json(405, "method_not_allowed"),
        ),
        raw(
            "CONNECT in authority form",
            head(ctx, "CONNECT", "127.0.0.1:80", false, &[]),
            Json(404, "not_found"),
        ),
        raw(
            "absolute-form target naming another host",
            head(ctx, "GET", "http://elsewhere.example/healthz", false, &[]),
            Status(&[200]),
        ),
        raw(
            "bare LF line endings",
            "GET /healthz HTTP/1.1\nHost: x\nConnection: close\n\n",
            Status(&[200]),
        ),
        raw(
            "empty lines before the request",
            cat(&[b"\r\n\r\n", &healthz(&[])]),
            Status(&[200]),
        ),
        // ===== header names and values =====
        raw(
            "a NUL in a header value",
            healthz(&["X-Name: a\0b"]),
            Hyper(400),
        ),
        raw(
            "a BEL in a header value",
            healthz(&["X-Name: a\x07b"]),
            Hyper(400),
        ),
        raw(
            "a DEL in a header value",
            healthz(&["X-Name: a\x7fb"]),
            Hyper(400),
        ),
        raw(
            "a lone CR in a header value",
            healthz(&["X-Name: a\rb"]),
            Hyper(400),
        ),
        raw(
            "a header line without a colon",
            healthz(&["NoColonHere"]),
            Hyper(400),
        ),
        raw(
            "a space before the colon",
            healthz(&["X-Name : v"]),
            Hyper(400),
        ),
        raw(
            "a space in a header name",
            healthz(&["X Name: v"]),
            Hyper(400),
        ),
        raw("an empty header name", healthz(&[": v"]), Hyper(400)),
        raw(
            "an obs-fold continuation line",
            healthz(&["X-Name: a", "  folded"]),
            Hyper(400),
        ),
        raw(
            "a header of 500 KB",
            healthz(&[&format!("X-Filler: {}", "f".repeat(500_000))]),
            Hyper(431),
        ),
        raw(
            "200 headers",
            healthz(
                &(0..200)
                    .map(|i| format!("X-H{i}: v"))
                    .collect::<Vec<_>>()
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
            ),
            Hyper(431),
        ),
        raw(
            "a header name of 10 KB",
            healthz(&[&format!("{}: v", "X".repeat(10_000))]),
            Status(&[200]),
        ),
        raw(
            "obs-text in Authorization",
            cat(&[
                b"GET /v1/resumes HTTP/1.1\r\nHost: x\r\n",
                b"Authorization: Bearer vt_\xc3\xa9\xff\r\nConnection: close\r\n\r\n",
            ]),
            Json(401, "unauthorized"),
        ),
        raw(
            "obs-text in If-Match",
            cat(&[
                &head(
                    ctx,
                    "PATCH",
                    &format!("/v1/resumes/{id}"),
                    true,
                    &[json, "Content-Length: 2"],
                ),
                b"{}",
            ])
            .replace_header("If-Match", b"\"\xd9\xa1\""),
            Json(400, "bad_request"),
        ),
        raw(
            "obs-text in Last-Event-ID on the parse stream",
            head(ctx, "GET", &format!("/v1/resumes/{id}/events"), true, &[])
                .replace_header("Last-Event-ID", b"\xd9\xa3"),
            Json(400, "bad_request"),
        ),
        raw(
            "obs-text in an ignored header",
            healthz(&[]).replace_header("X-Name", b"Zo\xc3\xab"),
            Status(&[200]),
        ),
        raw(
            "two Host headers",
            "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n",
            // RFC 9112, section 3.2: exactly one.
            Json(400, "bad_request"),
        ),
        raw(
            "no Host header",
            "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n",
            Json(400, "bad_request"),
        ),
        raw(
            "a Host header with spaces",
            "GET /healthz HTTP/1.1\r\nHost: a b c\r\nConnection: close\r\n\r\n",
            Json(400, "bad_request"),
        ),
        raw(
            "no Host header on HTTP/1.0",
            "GET /healthz HTTP/1.0\r\n\r\n",
            // HTTP/1.0 predates Host; it is served.
            Status(&[200]),
        ),
        // ===== Content-Length =====
        raw(
            "two different Content-Lengths",
            cat(&[&post_share(&["Content-Length: 2", "Content-Length: 3"]), b"{} "]),
            Hyper(400),
        ),
        raw(
            "a Content-Length list",
            cat(&[&post_share(&["Content-Length: 2, 2"]), b"{}"]),
            Hyper(400),
        ),
        raw(
            "a Content-Length that is not a number",
            cat(&[&post_share(&["Content-Length: two"]), b"{}"]),
            Hyper(400),
        ),
        raw(
            "a negative Content-Length",
            cat(&[&post_share(&["Content-Length: -2"]), b"{}"]),
            Hyper(400),
        ),
        raw(
            "a Content-Length with a plus sign",
            cat(&[&post_share(&["Content-Length: +2"]), b"{}"]),
            Hyper(400),
        ),
        raw(
            "a Content-Length over u64",
            cat(&[&post_share(&["Content-Length: 99999999999999999999999"]), b"{}"]),
            Hyper(400),
        ),
        raw(
            "a Content-Length with leading zeros",
            cat(&[&post_share(&["Content-Length: 0002"]), b"{}"]),
            Status(&[201]),
        ),
        raw(
            "a Content-Length longer than the body, then half-close",
            cat(&[&post_share(&["Content-Length: 100"]), b"{}"]),
            Json(400, "bad_request"),
        )
        .half_close(),
        raw(
            "an upload shorter than its Content-Length, then half-close",
            cat(&[&upload(&["Content-Length: 5000"]), &fixture("resume.txt")[..200]]),
            Json(400, "bad_request"),
        )
        .half_close(),
        raw(
            "a Content-Length shorter than the body",
            // `{"exp` is the body (bad JSON); the server closes after it.
            cat(&[
                &post_share(&["Content-Length: 5"]),
                br#"{"expires_in_days": 3}"#,
            ]),
            Json(400, "bad_request"),
        ),
        raw(
            "a Content-Length shorter than the body, kept alive",
            // The rest of the body is read as the next request: hyper's 400.
            cat(&[
                &post_share(&["Content-Length: 5"]).replace_header("Connection", b"keep-alive"),
                br#"{"expires_in_days": 3}"#,
            ]),
            Seq(&[(400, true), (400, false)]),
        ),
        raw(
            "a Content-Length shorter than the body, the rest a request",
            cat(&[
                &head(ctx, "POST", &shares, true, &[json, "Content-Length: 2"])
                    .replace_header("Connection", b"keep-alive"),
                b"{}",
                &healthz(&[]),
            ]),
            Seq(&[(201, true), (200, true)]),
        ),
        raw(
            "a GET declaring a body it never sends",
            healthz(&["Content-Length: 100"]),
            Status(&[200]),
        ),
        // ===== Transfer-Encoding =====
        raw(
            "a chunk size that is not hex",
            chunked_share(b"zz\r\n{}\r\n0\r\n\r\n"),
            Json(400, "bad_request"),
        ),
        raw(
            "a chunk size over u64",
            chunked_share(b"ffffffffffffffffffff\r\n{}\r\n0\r\n\r\n"),
            Json(400, "bad_request"),
        ),
        raw(
            "a negative chunk size",
            chunked_share(b"-2\r\n{}\r\n0\r\n\r\n"),
            Json(400, "bad_request"),
        ),
        raw(
            "chunk data longer than its size",
            chunked_share(b"2\r\n{}XX\r\n0\r\n\r\n"),
            Json(400, "bad_request"),
        ),
        raw(
            "a chunk size with spaces inside",
            chunked_share(b"1 0\r\n{}\r\n0\r\n\r\n"),
            Json(400, "bad_request"),
        ),
        raw(
            "a chunk extension of 20 KB",
            chunked_share(&cat(&[b"2;", &[b'a'; 20_000], b"\r\n{}\r\n0\r\n\r\n"])),
            Json(400, "bad_request"),
        ),
        raw(
            "a bad trailer",
            chunked_share(b"2\r\n{}\r\n0\r\nX-Trailer \x01bad\r\n\r\n"),
            Json(400, "bad_request"),
        ),
        raw(
            "a chunked body cut short, then half-close",
            chunked_share(b"10\r\n{}"),
            Json(400, "bad_request"),
        )
        .half_close(),
        raw(
            "a chunked body without the last chunk, then half-close",
            chunked_share(b"2\r\n{}\r\n"),
            Json(400, "bad_request"),
        )
        .half_close(),
        raw(
            "5000 one-byte chunks",
            cat(&[
                &head(
                    ctx,
                    "POST",
                    "/v1/jobs",
                    true,
                    &["Content-Type: text/plain", "Transfer-Encoding: chunked"],
                ),
                &b"1\r\nx\r\n".repeat(5000),
                b"0\r\n\r\n",
            ]),
            Status(&[200, 201]),
        ),
        raw(
            "Transfer-Encoding gzip without chunked",
            cat(&[&post_share(&["Transfer-Encoding: gzip"]), b"{}"]),
            Hyper(400),
        ),
        raw(
            "Transfer-Encoding identity",
            cat(&[&post_share(&["Transfer-Encoding: identity", "Content-Length: 2"]), b"{}"]),
            Hyper(400),
        ),
        raw(
            "chunked on HTTP/1.0",
            cat(&[
                b"POST /v1/jobs HTTP/1.0\r\nHost: x\r\n",
                format!("Authorization: Bearer {}\r\n", ctx.token).as_bytes(),
                b"Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            ]),
            Hyper(400),
        ),
        raw(
            "Transfer-Encoding and Content-Length together",
            cat(&[
                &post_share(&["Transfer-Encoding: chunked", "Content-Length: 2"]),
                b"2\r\n{}\r\n0\r\n\r\n",
            ]),
            // RFC 9112: chunked wins and the connection closes, or 400.
            Status(&[201, 400]),
        ),
        raw(
            "chunked given twice",
            cat(&[
                &post_share(&["Transfer-Encoding: chunked", "Transfer-Encoding: chunked"]),
                b"2\r\n{}\r\n0\r\n\r\n",
            ]),
            Status(&[201, 400]),
        ),
        raw(
            "gzip content coding on a chunked share",
            cat(&[
                &post_share(&["Transfer-Encoding: chunked", "Content-Encoding: gzip"]),
                b"4\r\n\x1f\x8b\x08\x00\r\n0\r\n\r\n",
            ]),
            Status(&[400, 415]),
        ),
        // ===== sizes =====
        raw(
            "a declared 1 GB upload, no body",
            upload(&["Content-Length: 1000000000"]),
            Json(413, "payload_too_large"),
        ),
        raw(
            "a declared oversize upload with a short body",
            // The server drains (up to 5 s) what the client sends, then 413.
            cat(&[&upload(&[&format!("Content-Length: {}", UPLOAD_CAP + 10)]), b"abc"]),
            Json(413, "payload_too_large"),
        ),
        raw(
            "Expect: 100-continue on an oversize upload",
            upload(&[
                &format!("Content-Length: {}", UPLOAD_CAP + 10),
                "Expect: 100-continue",
            ]),
            Json(413, "payload_too_large"),
        ),
        raw(
            "a chunked upload over the limit",
            cat(&[
                &upload(&["Transfer-Encoding: chunked"]),
                &format!("8000\r\n{}\r\n", "a".repeat(0x8000)).repeat(4).into_bytes(),
                b"0\r\n\r\n",
            ]),
            Json(413, "payload_too_large"),
        ),
        raw(
            "a declared 1 GB share body",
            post_share(&["Content-Length: 1000000000"]),
            Json(413, "payload_too_large"),
        ),
        raw(
            "a chunked patch over the limit",
            cat(&[
                &head(
                    ctx,
                    "PATCH",
                    &format!("/v1/resumes/{id}"),
                    true,
                    &[json, "Transfer-Encoding: chunked"],
                ),
                &format!("8000\r\n{}\r\n", " ".repeat(0x8000)).repeat(3).into_bytes(),
                b"0\r\n\r\n",
            ]),
            Json(413, "payload_too_large"),
        ),
        // ===== pipelining =====
        raw(
            "a good request, then garbage",
            cat(&[
                &healthz(&[]).replace_header("Connection", b"keep-alive"),
                b"BROKEN\r\n\r\n",
            ]),
            Seq(&[(200, true), (400, false)]),
        ),
        raw(
            "HEAD on the account stream, then a request",
            cat(&[
                &head(ctx, "HEAD", "/v1/events", true, &[]).replace_header("Connection", b"keep-alive"),
                &healthz(&[]),
            ]),
            Seq(&[(200, true), (200, true)]),
        )
        .head_first(),
    ];
    // Every route of the OpenAPI document, for CONNECT (which reqwest sends
    // in authority form, so the request table cannot): a known path with a
    // wrong method is 405.
    for route in routes() {
        let path = &route.pattern;
        let target = path
            .replace("{id}", "8c4e1f3c-5a7b-4f0e-9d2a-1b3c5d7e9f10")
            .replace("{revision}", "1")
            .replace("{token}", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
            .replace("{asset}", "console.js");
        t.push(raw(
            format!("CONNECT {path}"),
            head(ctx, "CONNECT", &target, false, &[]),
            Json(405, "method_not_allowed"),
        ));
    }
    t
}

/// Set (or add) a header line in a raw request head, with a raw value.
trait ReplaceHeader {
    fn replace_header(self, name: &str, value: &[u8]) -> Vec<u8>;
}

impl ReplaceHeader for Vec<u8> {
    fn replace_header(self, name: &str, value: &[u8]) -> Vec<u8> {
        let head_end = find(&self, b"\r\n\r\n").expect("a request head");
        let (head, rest) = self.split_at(head_end);
        let mut out = Vec::new();
        let mut replaced = false;
        for (i, line) in head.split(|&b| b == b'\n').enumerate() {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if i > 0 {
                out.extend_from_slice(b"\r\n");
            }
            let is_it = line.len() > name.len()
                && line[..name.len()].eq_ignore_ascii_case(name.as_bytes())
                && line[name.len()] == b':';
            if is_it {
                out.extend_from_slice(format!("{name}: ").as_bytes());
                out.extend_from_slice(value);
                replaced = true;
            } else {
                out.extend_from_slice(line);
            }
        }
        if !replaced {
            out.extend_from_slice(format!("\r\n{name}: ").as_bytes());
            out.extend_from_slice(value);
        }
        out.extend_from_slice(rest);
        out
    }
}

/// Check one exchange against what the case wants.
fn judge(want: &Want, x: &Exchange) -> Result<(), String> {
    for a in &x.answers {
        if a.status >= 500 {
            return Err(format!("{}: {}", a.status, a.text()));
        }
    }
    let summary = || {
        format!(
            "answers {:?}, interim {:?}, end {:?}, {} stray bytes, after {:?}",
            x.answers
                .iter()
                .map(|a| (a.status, a.text().chars().take(120).collect::<String>()))
                .collect::<Vec<_>>(),
            x.interim,
            x.end,
            x.rest.len(),
            x.elapsed
        )
    };
    if x.end != End::Eof {
        return Err(format!("the connection did not end cleanly: {}", summary()));
    }
    if !x.rest.is_empty() {
        return Err(format!("bytes that are not an answer: {}", summary()));
    }
    let one = |statuses: &[u16]| -> Result<&Answer, String> {
        match x.answers.as_slice() {
            [a] if statuses.contains(&a.status) => Ok(a),
            _ => Err(format!("want one answer of {statuses:?}: {}", summary())),
        }
    };
    match want {
        Want::Json(status, code) => {
            one(&[*status])?.check_error(Some(code))?;
        }
        Want::Hyper(status) => {
            let a = one(&[*status])?;
            if !a.body.is_empty() {
                return Err(format!("hyper's answers have no body: {}", summary()));
            }
        }
        Want::Status(statuses) => {
            let a = one(statuses)?;
            if a.status >= 400 {
                a.check_error(None)?;
            }
        }
        Want::Seq(seq) => {
            let got: Vec<u16> = x.answers.iter().map(|a| a.status).collect();
            let want: Vec<u16> = seq.iter().map(|(s, _)| *s).collect();
            if got != want {
                return Err(format!("want answers {want:?}: {}", summary()));
            }
            for (a, (status, ours)) in x.answers.iter().zip(seq.iter()) {
                if *status >= 400 && *ours {
                    a.check_error(None)?;
                } else if *status >= 400 && !a.body.is_empty() {
                    return Err(format!("hyper's answers have no body: {}", summary()));
                }
            }
        }
        Want::Closed => {
            if !x.answers.is_empty() {
                return Err(format!("want no answer: {}", summary()));
            }
        }
    }
    Ok(())
}

#[tokio::test]
async fn malformed_http_gets_a_clean_4xx_or_close() {
    let srv = server();
    let ctx = ctx().await;
    let cases = table(&ctx);
    let hyper_answered = cases
        .iter()
        .filter(|c| matches!(c.want, Want::Hyper(_) | Want::Closed))
        .count();
    eprintln!(
        "raw HTTP table: {} cases ({} answered by hyper before routing, without our JSON body)",
        cases.len(),
        hyper_answered
    );
    assert!(cases.len() >= 80, "{} raw cases", cases.len());
    let addr = srv.addr();
    let mut failures = Vec::new();
    for c in &cases {
        let x = exchange(&addr, c.bytes.clone(), c.how).await;
        if let Err(e) = judge(&c.want, &x) {
            failures.push(format!("{}: {e}", c.name));
        }
    }
    // The server still answers, a normal upload still parses, and the
    // fixture resume is unchanged.
    failures.extend(health_problems(&ctx.api, &[(&ctx.api, &ctx.id, &ctx.before)]).await);
    assert!(
        failures.is_empty(),
        "{} of {} raw requests answered wrongly:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------
// Slow clients

/// Send `head`, then `body` one byte per `gap`, until the server answers or
/// closes; returns what came back and when.
async fn trickle(addr: &str, head: Vec<u8>, body: Vec<u8>, gap: Duration) -> Exchange {
    let started = Instant::now();
    let stream = tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(addr))
        .await
        .expect("connect within 5 s")
        .expect("connect");
    let (mut rd, mut wr) = stream.into_split();
    let writer = tokio::spawn(async move {
        let _ = wr.write_all(&head).await;
        for b in body {
            tokio::time::sleep(gap).await;
            if wr.write_all(&[b]).await.is_err() {
                break;
            }
        }
        // Never finish the request: hold the socket until aborted.
        tokio::time::sleep(Duration::from_secs(120)).await;
        drop(wr);
    });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 16 * 1024];
    let end = loop {
        match tokio::time::timeout_at(deadline, rd.read(&mut chunk)).await {
            Err(_) => break End::Open,
            Ok(Ok(0)) => break End::Eof,
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
            Ok(Err(_)) => break End::Reset,
        }
    };
    let elapsed = started.elapsed();
    writer.abort();
    let (answers, interim, rest) = parse_answers(&buf, false);
    Exchange {
        answers,
        interim,
        end,
        rest,
        elapsed,
    }
}

/// Header and body timeouts (`--header-timeout-secs 2 --body-timeout-secs 3`):
/// slow headers are cut off (closed, or 408), a slow body gets 408
/// `request_timeout` with `Connection: close` within the body timeout + 2 s,
/// and other clients are served promptly meanwhile.
#[tokio::test]
async fn slow_clients_are_cut_off() {
    let srv = TestServer::start_with(&["--header-timeout-secs", "2", "--body-timeout-secs", "3"]);
    let api = srv.user("slow").await;
    let token = api.token.clone().unwrap();
    let id = api.upload_ready("resume.md").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let before = api.resume(&id).await;
    let addr = srv.addr();
    let second = Duration::from_secs(1);

    // Slow headers: the request line, then a header byte per second.
    let slow_headers = tokio::spawn({
        let addr = addr.clone();
        async move {
            trickle(
                &addr,
                b"GET /healthz HTTP/1.1\r\n".to_vec(),
                b"Host: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n".to_vec(),
                second,
            )
            .await
        }
    });
    // Slow bodies (slowloris): complete heads, then a byte per second, on a
    // JSON endpoint, an upload, and a chunked upload; a dozen more to load
    // the server.
    let auth = format!("Authorization: Bearer {token}\r\n");
    let share_head = format!(
        "POST /v1/resumes/{id}/shares HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\nContent-Length: 40\r\n\r\n"
    );
    let upload_head = format!(
        "POST /v1/resumes?filename=slow.txt HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: text/plain\r\nContent-Length: 4000\r\n\r\n"
    );
    let chunked_head = format!(
        "POST /v1/resumes?filename=slow.txt HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    let mut slow_bodies = Vec::new();
    for (name, head, body) in [
        ("share", share_head.clone(), vec![b' '; 40]),
        ("upload", upload_head.clone(), vec![b'a'; 4000]),
        ("chunked upload", chunked_head, b"1\r\na\r\n".repeat(100)),
    ]
    .into_iter()
    .chain((0..12).map(|_| ("extra", upload_head.clone(), vec![b'a'; 4000])))
    {
        let addr = addr.clone();
        slow_bodies.push((
            name,
            tokio::spawn(async move { trickle(&addr, head.into_bytes(), body, second).await }),
        ));
    }

    // Meanwhile a normal client is served promptly, more than once.
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let t = Instant::now();
        let r = api.without_token().get("/healthz").await;
        assert_eq!(r.status, 200, "/healthz during the slowloris");
        assert!(
            t.elapsed() < Duration::from_secs(1),
            "/healthz took {:?} during the slowloris",
            t.elapsed()
        );
    }
    let t = Instant::now();
    let v = api.upload_fixture("resume.txt").await;
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "an upload took {:?} during the slowloris: {v}",
        t.elapsed()
    );

    let x = slow_headers.await.unwrap();
    let closed_or_408 = match x.answers.as_slice() {
        [] => x.end != End::Open,
        [a] => a.status == 408 && x.end != End::Open,
        _ => false,
    };
    assert!(
        closed_or_408,
        "slow headers: want a close (or 408) within the header timeout: {x:?}"
    );
    assert!(
        x.elapsed < Duration::from_secs(2 + 3),
        "slow headers were cut off after {:?}",
        x.elapsed
    );

    for (name, task) in slow_bodies {
        let x = task.await.unwrap();
        let [a] = x.answers.as_slice() else {
            panic!("slow {name} body: want one 408 answer: {x:?}");
        };
        assert_eq!(a.status, 408, "slow {name} body: {:?}", a.text());
        a.check_error(Some("request_timeout"))
            .unwrap_or_else(|e| panic!("slow {name} body: {e}"));
        assert!(
            a.header("connection")
                .is_some_and(|v| v.eq_ignore_ascii_case("close")),
            "slow {name} body: 408 without Connection: close: {:?}",
            a.headers
        );
        assert!(
            x.elapsed < Duration::from_secs(3 + 2),
            "slow {name} body answered after {:?}",
            x.elapsed
        );
        assert_ne!(
            x.end,
            End::Open,
            "slow {name} body: the connection stays open"
        );
    }

    // Still healthy: the fixture is unchanged and nothing slow was stored.
    assert_eq!(api.resume(&id).await, before, "the fixture changed");
    let list = api.list().await;
    assert!(
        list.iter().all(|r| r["filename"] != "slow.txt"),
        "a slow upload was stored: {list:?}"
    );
    let done = api.wait_terminal(v["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "ready", "{done}");
}
