//! A table of bad requests across every route and method: bad JSON, wrong
//! JSON types, deep nesting, huge numbers, duplicate keys, NUL bytes, invalid
//! UTF-8, BOMs, trailing garbage, merge patches that break the document, bad
//! ids, missing or bad auth, bad `If-Match`, bad `Last-Event-ID` on both event
//! streams, bad query strings, oversize bodies (declared and chunked), wrong or
//! lying content types, broken multipart, unknown routes and wrong methods
//! (every wrong method of every route, TRACE and made-up ones included).
//!
//! Each case gets the right status (from docs/api.md) with the JSON error body
//! `{"error": {"code", "message", "request_id"}}`, and never a 5xx. The strict
//! table names one status and one code; the loose table lists the statuses a
//! judgment call allows. Malformed HTTP that reqwest cannot send (Content-Length
//! lies, broken chunking, huge headers, slow clients) is in `bad_http.rs`.
//!
//! After each table: `/healthz` answers, a normal upload still parses, and the
//! fixture resumes (the caller's and another owner's) are unchanged.
//!
//! One server for the tables (`--max-upload-bytes 65536`); the default-limit
//! test starts its own. Requests that present an invalid credential are counted
//! (failed auth will be rate-limited per client IP: burst 60) and kept under 40
//! per server.

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

// ---------------------------------------------------------------------------
// The routes (a copy of server/src/http/router.rs, which the table must cover)

/// Every route pattern with its methods (HEAD goes with GET, except on `/s/`).
const ROUTES: &[(&str, &[&str])] = &[
    ("/healthz", &["GET"]),
    ("/openapi.json", &["GET"]),
    ("/v1/resumes", &["GET", "POST"]),
    ("/v1/resumes/{id}", &["GET", "PATCH", "DELETE"]),
    ("/v1/resumes/{id}/events", &["GET"]),
    ("/v1/resumes/{id}/master", &["POST"]),
    ("/v1/resumes/{id}/shares", &["GET", "POST"]),
    ("/v1/resumes/{id}/revisions", &["GET"]),
    ("/v1/resumes/{id}/revisions/{n}", &["GET"]),
    ("/v1/resumes/{id}/revisions/{n}/restore", &["POST"]),
    ("/v1/resumes/{id}/diff", &["GET"]),
    ("/v1/resumes/{id}/tailor", &["POST"]),
    ("/v1/resumes/{id}/tailor/confirm", &["POST"]),
    ("/v1/jobs", &["GET", "POST"]),
    ("/v1/jobs/{id}", &["GET", "PUT", "DELETE"]),
    ("/v1/shares/{token}", &["DELETE"]),
    ("/v1/events", &["GET"]),
    ("/v1/logs", &["GET"]),
    ("/v1/admin/tokens", &["POST"]),
    ("/s/{token}", &["GET"]),
    ("/app", &["GET"]),
    ("/app/", &["GET"]),
    ("/app/{asset}", &["GET"]),
];

fn is_public(pattern: &str) -> bool {
    pattern == "/healthz"
        || pattern == "/openapi.json"
        || pattern.starts_with("/s/")
        || pattern.starts_with("/app")
}

/// The route pattern a case's path falls on, if any.
fn route_of(path: &str) -> Option<&'static str> {
    let path = path.split('?').next().unwrap_or("");
    let segs: Vec<&str> = path.split('/').collect();
    ROUTES.iter().map(|(p, _)| *p).find(|pattern| {
        let pat: Vec<&str> = pattern.split('/').collect();
        pat.len() == segs.len()
            && pat.iter().zip(&segs).all(|(p, s)| {
                if p.starts_with('{') {
                    !s.is_empty()
                } else {
                    p == s
                }
            })
    })
}

/// A concrete path for a pattern, with ids that name nothing.
fn sample_path(pattern: &str) -> String {
    pattern
        .replace("{id}", "{uuid}")
        .replace("{n}", "1")
        .replace("{token}", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        .replace("{asset}", "console.js")
}

/// Every wrong method of every route: 405 with `Allow`, before auth (so no
/// token is sent). TRACE and a made-up method included; CONNECT, which reqwest
/// sends in authority form, is in `bad_http.rs`.
fn wrong_method_cases() -> Vec<Case> {
    let made_up = Method::from_bytes(b"FOO").unwrap();
    let candidates = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::TRACE,
        made_up,
    ];
    let mut out = Vec::new();
    for (pattern, methods) in ROUTES {
        let allowed = |m: &Method| {
            methods.contains(&m.as_str())
                || (*m == Method::HEAD && methods.contains(&"GET") && !pattern.starts_with("/s/"))
        };
        for m in candidates.iter().filter(|m| !allowed(m)) {
            let mut c = case(
                format!("{m} on {pattern}"),
                m.clone(),
                sample_path(pattern),
                405,
                "method_not_allowed",
            )
            .auth(Auth::None);
            if pattern.starts_with("/s/") {
                c = c.header("accept", "application/json");
            }
            out.push(c);
        }
    }
    out
}

/// Every private endpoint and method without a token: 401.
fn no_token_cases() -> Vec<Case> {
    let mut out = Vec::new();
    for (pattern, methods) in ROUTES.iter().filter(|(p, _)| !is_public(p)) {
        for m in *methods {
            let method = Method::from_bytes(m.as_bytes()).unwrap();
            out.push(
                case(
                    format!("{m} {pattern} without a token"),
                    method,
                    sample_path(pattern),
                    401,
                    "unauthorized",
                )
                .auth(Auth::None),
            );
        }
    }
    out
}

fn strict_table() -> Vec<Case> {
    let mut table = hand_written_strict();
    table.extend(wrong_method_cases());
    table.extend(no_token_cases());
    table
}

fn hand_written_strict() -> Vec<Case> {
    use Method as M;
    let md = fixture("resume.md");
    let pdf = fixture("resume.pdf");
    let docx = fixture("resume.docx");
    let mp_ct: &'static str = "multipart/form-data; boundary=XyZzY";
    let mut table = vec![
        // --- auth
        case(
            "upload without auth",
            M::POST,
            "/v1/resumes?filename=a.md",
            401,
            "unauthorized",
        )
        .auth(Auth::None)
        .body(CT_MD, md.clone()),
        case(
            "list with a bad token",
            M::GET,
            "/v1/resumes",
            401,
            "unauthorized",
        )
        .auth(Auth::Bad),
        case("basic auth", M::GET, "/v1/resumes", 401, "unauthorized")
            .auth(Auth::None)
            .header("authorization", "Basic dXNlcjpwYXNz"),
        case("empty bearer", M::GET, "/v1/resumes", 401, "unauthorized")
            .auth(Auth::None)
            .header("authorization", "Bearer "),
        case(
            "events without auth",
            M::GET,
            "/v1/events",
            401,
            "unauthorized",
        )
        .auth(Auth::None),
        case("logs as a user", M::GET, "/v1/logs", 403, "forbidden"),
        case(
            "admin tokens as a user",
            M::POST,
            "/v1/admin/tokens",
            403,
            "forbidden",
        )
        .body(CT_JSON, r#"{"user":"eve"}"#),
        // --- bad ids
        case(
            "get malformed id",
            M::GET,
            "/v1/resumes/not-a-uuid",
            400,
            "bad_request",
        ),
        case(
            "get unknown id",
            M::GET,
            "/v1/resumes/{uuid}",
            404,
            "not_found",
        ),
        case(
            "patch malformed id",
            M::PATCH,
            "/v1/resumes/123",
            400,
            "bad_request",
        )
        .body("application/merge-patch+json", "{}"),
        case(
            "patch unknown id",
            M::PATCH,
            "/v1/resumes/{uuid}",
            404,
            "not_found",
        )
        .body("application/merge-patch+json", r#"{"basics":{"name":"x"}}"#),
        case(
            "delete malformed id",
            M::DELETE,
            "/v1/resumes/zzz",
            400,
            "bad_request",
        ),
        case(
            "delete unknown id",
            M::DELETE,
            "/v1/resumes/{uuid}",
            404,
            "not_found",
        ),
        case(
            "master malformed id",
            M::POST,
            "/v1/resumes/nope/master",
            400,
            "bad_request",
        ),
        case(
            "master unknown id",
            M::POST,
            "/v1/resumes/{uuid}/master",
            404,
            "not_found",
        ),
        case(
            "events malformed id",
            M::GET,
            "/v1/resumes/nope/events",
            400,
            "bad_request",
        ),
        case(
            "events unknown id",
            M::GET,
            "/v1/resumes/{uuid}/events",
            404,
            "not_found",
        ),
        case(
            "shares malformed id",
            M::GET,
            "/v1/resumes/nope/shares",
            400,
            "bad_request",
        ),
        case(
            "revisions unknown id",
            M::GET,
            "/v1/resumes/{uuid}/revisions",
            404,
            "not_found",
        ),
        case(
            "create share malformed id",
            M::POST,
            "/v1/resumes/1-2-3/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, "{}"),
        case(
            "revoke unknown share",
            M::DELETE,
            "/v1/shares/AAAAAAAAAAAAAAAAAAAAAAAAAA",
            404,
            "not_found",
        ),
        case(
            "uuid with trailing junk",
            M::GET,
            "/v1/resumes/{uuid}x",
            400,
            "bad_request",
        ),
        // --- uploads
        case(
            "empty upload",
            M::POST,
            "/v1/resumes?filename=a.txt",
            400,
            "bad_request",
        )
        .body(CT_TXT, ""),
        case(
            "empty pdf upload",
            M::POST,
            "/v1/resumes?filename=a.pdf",
            400,
            "bad_request",
        )
        .body(CT_PDF, ""),
        case(
            "text declared as pdf",
            M::POST,
            "/v1/resumes?filename=a.pdf",
            415,
            "unsupported_media_type",
        )
        .body(CT_PDF, md.clone())
        .says("declared as PDF"),
        case(
            "pdf declared as docx",
            M::POST,
            "/v1/resumes?filename=a.docx",
            415,
            "unsupported_media_type",
        )
        .body(CT_DOCX, pdf.clone()),
        case(
            "zip junk declared as pdf",
            M::POST,
            "/v1/resumes?filename=a.pdf",
            415,
            "unsupported_media_type",
        )
        .body(CT_PDF, ZIP),
        case(
            "png",
            M::POST,
            "/v1/resumes?filename=a.png",
            415,
            "unsupported_media_type",
        )
        .body("image/png", PNG),
        case(
            "png declared as text",
            M::POST,
            "/v1/resumes?filename=a.txt",
            415,
            "unsupported_media_type",
        )
        .body(CT_TXT, PNG),
        case(
            "docx declared as markdown",
            M::POST,
            "/v1/resumes?filename=a.md",
            415,
            "unsupported_media_type",
        )
        .body(CT_MD, docx.clone()),
        case(
            "unknown type",
            M::POST,
            "/v1/resumes?filename=a.bin",
            415,
            "unsupported_media_type",
        )
        .body("application/octet-stream", b"\x00\x01\x02\x03".to_vec()),
        case(
            "oversize raw",
            M::POST,
            "/v1/resumes?filename=big.txt",
            413,
            "payload_too_large",
        )
        .body(CT_TXT, vec![b'a'; LIMIT + 1]),
        case(
            "oversize multipart",
            M::POST,
            "/v1/resumes",
            413,
            "payload_too_large",
        )
        .body(
            mp_ct,
            multipart("XyZzY", "file", "big.txt", CT_TXT, &vec![b'a'; LIMIT + 10]),
        ),
        case(
            "multipart without a file field",
            M::POST,
            "/v1/resumes",
            400,
            "bad_request",
        )
        .body(mp_ct, multipart("XyZzY", "other", "a.md", CT_MD, &md)),
        case(
            "multipart with an empty file",
            M::POST,
            "/v1/resumes",
            400,
            "bad_request",
        )
        .body(mp_ct, multipart("XyZzY", "file", "a.md", CT_MD, b"")),
        case(
            "multipart png",
            M::POST,
            "/v1/resumes",
            415,
            "unsupported_media_type",
        )
        .body(mp_ct, multipart("XyZzY", "file", "a.png", "image/png", PNG)),
        case(
            "multipart lying type",
            M::POST,
            "/v1/resumes",
            415,
            "unsupported_media_type",
        )
        .body(mp_ct, multipart("XyZzY", "file", "a.pdf", CT_PDF, &md)),
        case(
            "multipart garbage body",
            M::POST,
            "/v1/resumes",
            400,
            "bad_request",
        )
        .body(mp_ct, "this is not multipart at all"),
        // --- PATCH bodies
        case(
            "patch bad json",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body("application/merge-patch+json", "{\"basics\": {"),
        case(
            "patch not json at all",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(CT_JSON, "hello"),
        case(
            "patch work not a list",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body("application/merge-patch+json", r#"{"work": "x"}"#),
        case(
            "patch name a number",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body("application/merge-patch+json", r#"{"basics": {"name": 7}}"#),
        case(
            "patch skills an object",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(CT_JSON, r#"{"skills": {"a": 1}}"#),
        case(
            "patch stale if-match",
            M::PATCH,
            "/v1/resumes/{id}",
            412,
            "precondition_failed",
        )
        .body(CT_JSON, r#"{"basics": {"label": "x"}}"#)
        .header("if-match", "\"999\""),
        case(
            "patch a failed resume",
            M::PATCH,
            "/v1/resumes/{failed}",
            409,
            "conflict",
        )
        .body(CT_JSON, r#"{"basics": {"label": "x"}}"#),
        case(
            "master of a failed resume",
            M::POST,
            "/v1/resumes/{failed}/master",
            409,
            "conflict",
        ),
        // --- shares
        case(
            "share bad json",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, "{\"expires_in_days\": "),
        case(
            "share days a string",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"expires_in_days": "ten"}"#),
        case(
            "share days a float",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"expires_in_days": 2.5}"#),
        case(
            "share expires_at a number",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"expires_at": 17}"#),
        case(
            "share body a list",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, "[]"),
        case(
            "share zero days",
            M::POST,
            "/v1/resumes/{id}/shares",
            422,
            "unprocessable",
        )
        .body(CT_JSON, r#"{"expires_in_days": 0}"#),
        case(
            "share 366 days",
            M::POST,
            "/v1/resumes/{id}/shares",
            422,
            "unprocessable",
        )
        .body(CT_JSON, r#"{"expires_in_days": 366}"#),
        case(
            "share in the past",
            M::POST,
            "/v1/resumes/{id}/shares",
            422,
            "unprocessable",
        )
        .body(CT_JSON, r#"{"expires_at": "2001-01-01T00:00:00Z"}"#),
        case(
            "public view unknown",
            M::GET,
            "/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            404,
            "not_found",
        )
        .auth(Auth::None)
        .header("accept", "application/json"),
        // --- admin tokens
        case(
            "token bad json",
            M::POST,
            "/v1/admin/tokens",
            400,
            "bad_request",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, "{\"user\": "),
        case(
            "token user a number",
            M::POST,
            "/v1/admin/tokens",
            400,
            "bad_request",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, r#"{"user": 5}"#),
        case(
            "token without user",
            M::POST,
            "/v1/admin/tokens",
            400,
            "bad_request",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, "{}"),
        case(
            "token body a list",
            M::POST,
            "/v1/admin/tokens",
            400,
            "bad_request",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, r#"["mallory", true]"#),
        case(
            "token admin a string",
            M::POST,
            "/v1/admin/tokens",
            400,
            "bad_request",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, r#"{"user": "x", "admin": "yes"}"#),
        // --- routes and methods
        case("unknown route", M::GET, "/v1/nope", 404, "not_found"),
        case("unknown root route", M::GET, "/nope", 404, "not_found").auth(Auth::None),
        case(
            "unknown nested route",
            M::GET,
            "/v1/resumes/{id}/nope",
            404,
            "not_found",
        ),
        case(
            "PUT on the collection",
            M::PUT,
            "/v1/resumes",
            405,
            "method_not_allowed",
        ),
        case(
            "DELETE on the collection",
            M::DELETE,
            "/v1/resumes",
            405,
            "method_not_allowed",
        ),
        case(
            "POST on a resume",
            M::POST,
            "/v1/resumes/{id}",
            405,
            "method_not_allowed",
        ),
        case(
            "PUT on a resume",
            M::PUT,
            "/v1/resumes/{id}",
            405,
            "method_not_allowed",
        )
        .body(CT_JSON, "{}"),
        case(
            "GET on master",
            M::GET,
            "/v1/resumes/{id}/master",
            405,
            "method_not_allowed",
        ),
        case(
            "POST on events",
            M::POST,
            "/v1/resumes/{id}/events",
            405,
            "method_not_allowed",
        ),
        case(
            "GET on a share",
            M::GET,
            "/v1/shares/{share}",
            405,
            "method_not_allowed",
        ),
        case(
            "POST on healthz",
            M::POST,
            "/healthz",
            405,
            "method_not_allowed",
        )
        .auth(Auth::None),
        case(
            "DELETE on account events",
            M::DELETE,
            "/v1/events",
            405,
            "method_not_allowed",
        ),
        case(
            "GET on admin tokens",
            M::GET,
            "/v1/admin/tokens",
            405,
            "method_not_allowed",
        )
        .auth(Auth::Admin),
        case(
            "POST on a public share",
            M::POST,
            "/s/{share}",
            405,
            "method_not_allowed",
        )
        .auth(Auth::None)
        .header("accept", "application/json"),
    ];
    table.extend(more_strict());
    table
}

/// Cases added for issue 7 ("Prove it holds"), endpoint by endpoint.
fn more_strict() -> Vec<Case> {
    use Method as M;
    let md = fixture("resume.md");
    let mp_ct: &'static str = "multipart/form-data; boundary=XyZzY";
    let hash = "0".repeat(64);
    vec![
        // ===== authorization: schemes, shapes, places =====
        case("digest auth", M::GET, "/v1/resumes", 401, "unauthorized")
            .auth(Auth::None)
            .header("authorization", "Digest username=\"a\", response=\"b\""),
        case(
            "token scheme instead of bearer",
            M::GET,
            "/v1/jobs",
            401,
            "unauthorized",
        )
        .auth(Auth::None)
        .header("authorization", "Token vt_abc"),
        case(
            "bearer without a space",
            M::GET,
            "/v1/resumes",
            401,
            "unauthorized",
        )
        .auth(Auth::None)
        .header("authorization", "Bearervt_abc"),
        case(
            "bearer with two words",
            M::GET,
            "/v1/resumes",
            401,
            "unauthorized",
        )
        .auth(Auth::None)
        .header("authorization", "Bearer vt_abc def")
        .says("token"),
        case(
            "bearer with a non-ascii token",
            M::GET,
            "/v1/resumes",
            401,
            "unauthorized",
        )
        .auth(Auth::None)
        .header_bytes("authorization", b"Bearer vt_\xc3\xa9\xff"),
        case(
            "bearer with a 30 KB token",
            M::GET,
            "/v1/resumes",
            401,
            "unauthorized",
        )
        .auth(Auth::None)
        .header("authorization", format!("Bearer vt_{}", "A".repeat(30_000))),
        case(
            "access_token on a non-stream endpoint",
            M::GET,
            "/v1/resumes?access_token={token}",
            401,
            "unauthorized",
        )
        .auth(Auth::None),
        case(
            "bad access_token on the parse stream",
            M::GET,
            "/v1/resumes/{id}/events?access_token=vt_nope",
            401,
            "unauthorized",
        )
        .auth(Auth::None),
        case(
            "empty access_token on the account stream",
            M::GET,
            "/v1/events?access_token=",
            401,
            "unauthorized",
        )
        .auth(Auth::None),
        case(
            "access_token with bad percent-encoding",
            M::GET,
            "/v1/events?access_token=%zz%",
            401,
            "unauthorized",
        )
        .auth(Auth::None),
        case(
            "a bad header wins over a good access_token",
            M::GET,
            "/v1/events?access_token={token}",
            401,
            "unauthorized",
        )
        .auth(Auth::Bad),
        case(
            "logs with a user's access_token",
            M::GET,
            "/v1/logs?access_token={token}",
            403,
            "forbidden",
        )
        .auth(Auth::None),
        case(
            "logs with a bad access_token",
            M::GET,
            "/v1/logs?access_token=vt_nope",
            401,
            "unauthorized",
        )
        .auth(Auth::None),
        case(
            "admin tokens with a bad token",
            M::POST,
            "/v1/admin/tokens",
            401,
            "unauthorized",
        )
        .auth(Auth::Bad)
        .body(CT_JSON, r#"{"user":"mallory","admin":true}"#),
        // ===== ids =====
        ok_case(
            "upper-case id (UUIDs are case-insensitive)",
            M::GET,
            "/v1/resumes/{ID}",
            200,
        )
        .check(|v| {
            let id = v["id"].as_str().unwrap_or("");
            (id == id.to_ascii_lowercase())
                .then_some(())
                .ok_or(format!("id not canonical: {id}"))
        }),
        case(
            "upper-case unknown id",
            M::GET,
            "/v1/resumes/{UUID}",
            404,
            "not_found",
        ),
        case(
            "nil uuid",
            M::GET,
            "/v1/resumes/00000000-0000-0000-0000-000000000000",
            404,
            "not_found",
        ),
        case(
            "percent-encoded braces around a uuid",
            M::GET,
            "/v1/resumes/%7B{uuid}%7D",
            400,
            "bad_request",
        ),
        case(
            "percent-encoded slash traversal",
            M::GET,
            "/v1/resumes/..%2F..%2Fadmin%2Ftokens",
            400,
            "bad_request",
        ),
        case(
            "percent-encoded NUL id",
            M::GET,
            "/v1/resumes/%00",
            400,
            "bad_request",
        ),
        case(
            "percent-encoded space before a uuid",
            M::GET,
            "/v1/resumes/%20{uuid}",
            400,
            "bad_request",
        ),
        case(
            "5000-character id",
            M::GET,
            "/v1/resumes/{long}",
            400,
            "bad_request",
        ),
        case(
            "another owner's resume",
            M::GET,
            "/v1/resumes/{foreign}",
            404,
            "not_found",
        ),
        case(
            "delete another owner's resume",
            M::DELETE,
            "/v1/resumes/{foreign}",
            404,
            "not_found",
        ),
        case(
            "delete traversal id",
            M::DELETE,
            "/v1/resumes/..%2F{id}",
            400,
            "bad_request",
        ),
        case(
            "delete upper-case unknown id",
            M::DELETE,
            "/v1/resumes/{UUID}",
            404,
            "not_found",
        ),
        case(
            "delete with a body, unknown id",
            M::DELETE,
            "/v1/resumes/{uuid}",
            404,
            "not_found",
        )
        .body(CT_JSON, r#"{"confirm": true}"#),
        case(
            "master of another owner's resume",
            M::POST,
            "/v1/resumes/{foreign}/master",
            404,
            "not_found",
        ),
        case(
            "master traversal id",
            M::POST,
            "/v1/resumes/..%2F..%2F/master",
            400,
            "bad_request",
        ),
        case(
            "master with a garbage body, unknown id",
            M::POST,
            "/v1/resumes/{uuid}/master",
            404,
            "not_found",
        )
        .body(CT_JSON, "{{{{"),
        case(
            "list shares of an unknown resume",
            M::GET,
            "/v1/resumes/{uuid}/shares",
            404,
            "not_found",
        ),
        case(
            "list shares of another owner's resume",
            M::GET,
            "/v1/resumes/{foreign}/shares",
            404,
            "not_found",
        ),
        case(
            "revisions malformed id",
            M::GET,
            "/v1/resumes/{long}/revisions",
            400,
            "bad_request",
        ),
        case(
            "revisions of another owner's resume",
            M::GET,
            "/v1/resumes/{foreign}/revisions",
            404,
            "not_found",
        ),
        case(
            "HEAD malformed id",
            M::HEAD,
            "/v1/resumes/not-a-uuid",
            400,
            "bad_request",
        ),
        case("HEAD unknown id", M::HEAD, "/v1/resumes/{uuid}", 404, "not_found"),
        // ===== revisions/{n} =====
        case(
            "revision not a number",
            M::GET,
            "/v1/resumes/{id}/revisions/abc",
            400,
            "bad_request",
        ),
        case(
            "revision negative",
            M::GET,
            "/v1/resumes/{id}/revisions/-1",
            400,
            "bad_request",
        ),
        case(
            "revision fractional",
            M::GET,
            "/v1/resumes/{id}/revisions/1.0",
            400,
            "bad_request",
        ),
        case(
            "revision over u64",
            M::GET,
            "/v1/resumes/{id}/revisions/99999999999999999999999",
            400,
            "bad_request",
        ),
        case(
            "revision that does not exist",
            M::GET,
            "/v1/resumes/{id}/revisions/99",
            404,
            "not_found",
        ),
        case(
            "revision zero",
            M::GET,
            "/v1/resumes/{id}/revisions/0",
            404,
            "not_found",
        ),
        case(
            "revision of an unknown resume",
            M::GET,
            "/v1/resumes/{uuid}/revisions/1",
            404,
            "not_found",
        ),
        case(
            "revision with a malformed resume id",
            M::GET,
            "/v1/resumes/x/revisions/1",
            400,
            "bad_request",
        ),
        case(
            "revision of another owner's resume",
            M::GET,
            "/v1/resumes/{foreign}/revisions/1",
            404,
            "not_found",
        ),
        // ===== restore =====
        case(
            "restore not a number",
            M::POST,
            "/v1/resumes/{id}/revisions/x/restore",
            400,
            "bad_request",
        ),
        case(
            "restore a revision that does not exist",
            M::POST,
            "/v1/resumes/{id}/revisions/99/restore",
            404,
            "not_found",
        ),
        case(
            "restore the current revision",
            M::POST,
            "/v1/resumes/{id}/revisions/1/restore",
            409,
            "conflict",
        ),
        case(
            "restore with a garbage If-Match",
            M::POST,
            "/v1/resumes/{id}/revisions/1/restore",
            400,
            "bad_request",
        )
        .header("if-match", "yesterday"),
        case(
            "restore of an unknown resume",
            M::POST,
            "/v1/resumes/{uuid}/revisions/1/restore",
            404,
            "not_found",
        ),
        case(
            "restore with a malformed id",
            M::POST,
            "/v1/resumes/not-a-uuid/revisions/1/restore",
            400,
            "bad_request",
        ),
        case(
            "restore on another owner's resume",
            M::POST,
            "/v1/resumes/{foreign}/revisions/1/restore",
            404,
            "not_found",
        ),
        // ===== PATCH: content types, If-Match, bodies, documents =====
        case(
            "patch as text/plain (strict)",
            M::PATCH,
            "/v1/resumes/{scratch}",
            415,
            "unsupported_media_type",
        )
        .body(CT_TXT, r#"{"basics": {"label": "x"}}"#),
        case(
            "patch as json-patch",
            M::PATCH,
            "/v1/resumes/{scratch}",
            415,
            "unsupported_media_type",
        )
        .body(
            "application/json-patch+json",
            r#"[{"op": "replace", "path": "/basics/label", "value": "x"}]"#,
        ),
        case(
            "patch as a form",
            M::PATCH,
            "/v1/resumes/{scratch}",
            415,
            "unsupported_media_type",
        )
        .body(
            "application/x-www-form-urlencoded",
            r#"{"basics": {"label": "x"}}"#,
        ),
        case(
            "patch with an empty content type",
            M::PATCH,
            "/v1/resumes/{scratch}",
            415,
            "unsupported_media_type",
        )
        .body("", r#"{"basics": {"label": "x"}}"#),
        case(
            "patch malformed id before content type",
            M::PATCH,
            "/v1/resumes/nope",
            400,
            "bad_request",
        )
        .body(CT_TXT, "x"),
        case(
            "patch content type before If-Match",
            M::PATCH,
            "/v1/resumes/{scratch}",
            415,
            "unsupported_media_type",
        )
        .body(CT_TXT, "{}")
        .header("if-match", "garbage"),
        case(
            "patch garbage if-match (strict)",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"basics": {"label": "x"}}"#)
        .header("if-match", "abc")
        .says("revision"),
        case(
            "patch if-match a list",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"basics": {"label": "x"}}"#)
        .header("if-match", "\"1\", \"2\""),
        case(
            "patch if-match negative",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"basics": {"label": "x"}}"#)
        .header("if-match", "\"-1\""),
        case(
            "patch if-match over u64",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"basics": {"label": "x"}}"#)
        .header("if-match", "\"18446744073709551616\""),
        case(
            "patch if-match empty quotes",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"basics": {"label": "x"}}"#)
        .header("if-match", "\"\""),
        case(
            "patch if-match weak prefix alone",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"basics": {"label": "x"}}"#)
        .header("if-match", "W/"),
        case(
            "patch if-match non-ascii",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"basics": {"label": "x"}}"#)
        .header_bytes("if-match", b"\"\xd9\xa1\"")
        .says("١"),
        case(
            "patch if-match zero is stale",
            M::PATCH,
            "/v1/resumes/{id}",
            412,
            "precondition_failed",
        )
        .body(CT_JSON, r#"{"basics": {"label": "x"}}"#)
        .header("if-match", "W/\"0\""),
        case(
            "patch if-match checked before the resume",
            M::PATCH,
            "/v1/resumes/{uuid}",
            400,
            "bad_request",
        )
        .body(CT_JSON, "{}")
        .header("if-match", "one"),
        case(
            "patch stale if-match on a failed resume",
            M::PATCH,
            "/v1/resumes/{failed}",
            412,
            "precondition_failed",
        )
        .body(CT_JSON, r#"{"basics": {"label": "x"}}"#)
        .header("if-match", "\"7\""),
        case(
            "patch stale if-match before an invalid document",
            M::PATCH,
            "/v1/resumes/{id}",
            412,
            "precondition_failed",
        )
        .body(CT_JSON, r#"{"work": 5}"#)
        .header("if-match", "\"42\""),
        case(
            "patch over max_upload_bytes",
            M::PATCH,
            "/v1/resumes/{id}",
            413,
            "payload_too_large",
        )
        .body(MERGE, padded(LIMIT + 1, "{}")),
        case(
            "patch over the limit, chunked",
            M::PATCH,
            "/v1/resumes/{id}",
            413,
            "payload_too_large",
        )
        .body(MERGE, padded(LIMIT + 1, "{}"))
        .chunked(),
        case(
            "patch size checked before JSON",
            M::PATCH,
            "/v1/resumes/{id}",
            413,
            "payload_too_large",
        )
        .body(MERGE, vec![b'x'; LIMIT + 1]),
        case("patch empty body", M::PATCH, "/v1/resumes/{id}", 400, "bad_request").body(MERGE, ""),
        case(
            "patch whitespace body",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(MERGE, " \r\n\t "),
        case(
            "patch a list",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, r#"[{"basics": {"label": "x"}}]"#),
        case(
            "patch null",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, "null"),
        case(
            "patch a string",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, "\"basics\""),
        case(
            "patch a number",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, "42"),
        case(
            "patch not-an-object checked before the resume",
            M::PATCH,
            "/v1/resumes/{uuid}",
            422,
            "unprocessable",
        )
        .body(MERGE, "true"),
        case(
            "patch invalid document on an unknown resume",
            M::PATCH,
            "/v1/resumes/{uuid}",
            404,
            "not_found",
        )
        .body(MERGE, r#"{"work": "x"}"#),
        case(
            "patch with a BOM",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(MERGE, with_bom(r#"{"basics": {"label": "x"}}"#)),
        case(
            "patch trailing garbage",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(MERGE, r#"{"basics": {"label": "x"}} trailing"#),
        case(
            "patch two objects",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(MERGE, r#"{"basics": {}}{"work": []}"#),
        case(
            "patch raw NUL in a string",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(MERGE, b"{\"basics\": {\"label\": \"a\x00b\"}}".to_vec()),
        case(
            "patch invalid UTF-8 in a string",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(MERGE, b"{\"basics\": {\"label\": \"a\xff\xfeb\"}}".to_vec()),
        case(
            "patch overlong UTF-8 in a string",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(MERGE, b"{\"basics\": {\"label\": \"\xc0\xaf\"}}".to_vec()),
        case(
            "patch lone surrogate escape",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(MERGE, r#"{"basics": {"label": "\ud800"}}"#),
        case(
            "patch 10,000 nested arrays",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(MERGE, nested_arrays(10_000)),
        case(
            "patch 10,000 nested arrays under a key",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(MERGE, nested_under("work", 10_000)),
        // A value nested 100 deep parses, but a document that deep would be
        // stored and then be unreadable (the store's JSON has a recursion
        // limit): it is refused as an invalid document.
        case(
            "patch nested 100 deep",
            M::PATCH,
            "/v1/resumes/{scratch}",
            422,
            "unprocessable",
        )
        .body(MERGE, nested_under("x-deep", 100)),
        case(
            "patch nested 127 deep",
            M::PATCH,
            "/v1/resumes/{scratch}",
            422,
            "unprocessable",
        )
        .body(MERGE, nested_under("x-deep", 127))
        .says("at most 64"),
        case(
            "patch a huge number",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(MERGE, r#"{"basics": {"name": 1e999}}"#),
        case(
            "patch a 400-digit integer as a name",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(MERGE, format!(r#"{{"basics": {{"name": {}}}}}"#, "9".repeat(400))),
        case(
            "patch a 20-digit integer as a name",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, r#"{"basics": {"name": 99999999999999999999}}"#),
        case(
            "patch nested 65 deep",
            M::PATCH,
            "/v1/resumes/{scratch}",
            422,
            "unprocessable",
        )
        .body(MERGE, nested_under("x-deep", 65))
        .says("at most 64"),
        case(
            "patch basics a string",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, r#"{"basics": "Zoë"}"#),
        case(
            "patch profiles a string",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, r#"{"basics": {"profiles": "github"}}"#),
        case(
            "patch location a number",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, r#"{"basics": {"location": 5}}"#),
        case(
            "patch email a list",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, r#"{"basics": {"email": ["a@b.c"]}}"#),
        case(
            "patch work entries numbers",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, r#"{"work": [1, 2]}"#)
        .says("work[0]"),
        case(
            "patch highlights a string",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, r#"{"work": [{"name": "X", "highlights": "one"}]}"#),
        case(
            "patch highlights holding objects",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, r#"{"work": [{"name": "X", "highlights": [{"a": 1}]}]}"#),
        case(
            "patch a start date a number",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, r#"{"work": [{"name": "X", "startDate": 2020}]}"#),
        case(
            "patch skill keywords a string",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, r#"{"skills": [{"name": "Rust", "keywords": "tokio"}]}"#),
        case(
            "patch education courses an object",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, r#"{"education": [{"institution": "U", "courses": {}}]}"#),
        case(
            "patch languages a string",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, r#"{"languages": "Swedish"}"#),
        case(
            "patch projects true",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, r#"{"projects": true}"#),
        case(
            "patch name a bool with a valid rest",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(
            MERGE,
            r#"{"basics": {"label": "Staff Engineer", "name": false}}"#,
        ),
        // ===== parse stream: Last-Event-ID =====
        case(
            "parse stream garbage last-event-id (strict)",
            M::GET,
            "/v1/resumes/{id}/events",
            400,
            "bad_request",
        )
        .header("last-event-id", "banana")
        .stream(None),
        case(
            "parse stream negative last-event-id",
            M::GET,
            "/v1/resumes/{id}/events",
            400,
            "bad_request",
        )
        .header("last-event-id", "-1")
        .stream(None),
        case(
            "parse stream last-event-id over u64",
            M::GET,
            "/v1/resumes/{id}/events",
            400,
            "bad_request",
        )
        .header("last-event-id", "99999999999999999999999")
        .stream(None),
        case(
            "parse stream fractional last-event-id",
            M::GET,
            "/v1/resumes/{id}/events",
            400,
            "bad_request",
        )
        .header("last-event-id", "1.5")
        .stream(None),
        case(
            "parse stream last-event-id with inner spaces",
            M::GET,
            "/v1/resumes/{id}/events",
            400,
            "bad_request",
        )
        .header("last-event-id", "3 4")
        .stream(None),
        case(
            "parse stream hex last-event-id",
            M::GET,
            "/v1/resumes/{id}/events",
            400,
            "bad_request",
        )
        .header("last-event-id", "0x7")
        .stream(None),
        case(
            "parse stream account-style last-event-id",
            M::GET,
            "/v1/resumes/{id}/events",
            400,
            "bad_request",
        )
        .header("last-event-id", "{epoch}-3")
        .stream(None),
        case(
            "parse stream unicode digit last-event-id",
            M::GET,
            "/v1/resumes/{id}/events",
            400,
            "bad_request",
        )
        .header_bytes("last-event-id", "٣".as_bytes())
        .stream(None)
        .says("Last-Event-ID"),
        case(
            "parse stream non-ascii last-event-id",
            M::GET,
            "/v1/resumes/{id}/events",
            400,
            "bad_request",
        )
        .header_bytes("last-event-id", b"7\xff")
        .stream(None)
        .says("Last-Event-ID"),
        ok_case(
            "parse stream far-future last-event-id on a finished parse",
            M::GET,
            "/v1/resumes/{id}/events",
            204,
        )
        .header("last-event-id", "1000000")
        .stream(None),
        ok_case(
            "parse stream last-event-id padded with spaces",
            M::GET,
            "/v1/resumes/{failed}/events",
            204,
        )
        .header("last-event-id", "   7   ")
        .stream(None),
        case(
            "parse stream of another owner's resume",
            M::GET,
            "/v1/resumes/{foreign}/events",
            404,
            "not_found",
        )
        .stream(None),
        // ===== account stream: Last-Event-ID that cannot be replayed → resync =====
        ok_case("account stream garbage last-event-id", M::GET, "/v1/events", 200)
            .header("last-event-id", "banana")
            .stream(Some("resync")),
        ok_case(
            "account stream negative last-event-id",
            M::GET,
            "/v1/events",
            200,
        )
        .header("last-event-id", "-5")
        .stream(Some("resync")),
        ok_case("account stream huge last-event-id", M::GET, "/v1/events", 200)
            .header("last-event-id", "99999999999999999999999999")
            .stream(Some("resync")),
        ok_case(
            "account stream far-future last-event-id",
            M::GET,
            "/v1/events",
            200,
        )
        .header("last-event-id", "{epoch}-999999999")
        .stream(Some("resync")),
        ok_case(
            "account stream last-event-id from another run",
            M::GET,
            "/v1/events",
            200,
        )
        .header("last-event-id", "1-1")
        .stream(Some("resync")),
        ok_case(
            "account stream negative seq",
            M::GET,
            "/v1/events",
            200,
        )
        .header("last-event-id", "{epoch}--1")
        .stream(Some("resync")),
        ok_case(
            "account stream last-event-id with spaces",
            M::GET,
            "/v1/events",
            200,
        )
        .header("last-event-id", "{epoch} - 1")
        .stream(Some("resync")),
        ok_case(
            "account stream unicode last-event-id",
            M::GET,
            "/v1/events",
            200,
        )
        .header_bytes("last-event-id", "ü-€".as_bytes())
        .stream(Some("resync")),
        ok_case(
            "account stream non-ascii bytes in last-event-id",
            M::GET,
            "/v1/events",
            200,
        )
        .header_bytes("last-event-id", b"\xff\xfe-1")
        .stream(Some("resync")),
        ok_case(
            "log stream ignores last-event-id",
            M::GET,
            "/v1/logs",
            200,
        )
        .auth(Auth::Admin)
        .header("last-event-id", "not-a-number")
        .stream(None),
        // ===== shares: create =====
        case(
            "share negative days (strict)",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"expires_in_days": -1}"#),
        case(
            "share unknown field (strict)",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"days": 3}"#)
        .says("expires_in_days"),
        case(
            "share huge number (strict)",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"expires_in_days": 99999999999999999999}"#),
        case(
            "share days over u32",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"expires_in_days": 4294967296}"#),
        case(
            "share days 1e400",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"expires_in_days": 1e400}"#),
        case(
            "share days a bool",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"expires_in_days": true}"#),
        case(
            "share days a numeric string",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"expires_in_days": "7"}"#),
        case(
            "share expires_at not a date (strict)",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"expires_at": "tomorrow"}"#)
        .says("2026-12-01T00:00:00Z"),
        case(
            "share expires_at without an offset",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"expires_at": "2030-01-01T00:00:00"}"#),
        case(
            "share expires_at a bare date",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"expires_at": "2030-01-01"}"#),
        case(
            "share expires_at empty",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"expires_at": ""}"#),
        case(
            "share expires_at with a NUL",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"expires_at": "2030-01-01T00:00:00Z\u0000"}"#),
        case(
            "share expires_at too far away",
            M::POST,
            "/v1/resumes/{id}/shares",
            422,
            "unprocessable",
        )
        .body(CT_JSON, r#"{"expires_at": "2999-01-01T00:00:00Z"}"#),
        case(
            "share both fields",
            M::POST,
            "/v1/resumes/{id}/shares",
            422,
            "unprocessable",
        )
        .body(
            CT_JSON,
            r#"{"expires_in_days": 3, "expires_at": "2030-01-01T00:00:00Z"}"#,
        ),
        case(
            "share body null",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, "null"),
        case(
            "share body a string",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, "\"7\""),
        case(
            "share body with a BOM",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, with_bom("{}")),
        case(
            "share trailing garbage",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, "{} {}"),
        case(
            "share raw NUL",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, b"{\"expires_at\": \"\x00\"}".to_vec()),
        case(
            "share invalid UTF-8",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, b"{\"expires_at\": \"\xff\"}".to_vec()),
        case(
            "share 10,000 nested arrays",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, nested_arrays(10_000)),
        case(
            "share as text/plain",
            M::POST,
            "/v1/resumes/{id}/shares",
            415,
            "unsupported_media_type",
        )
        .body(CT_TXT, "{}"),
        case(
            "share as a form",
            M::POST,
            "/v1/resumes/{id}/shares",
            415,
            "unsupported_media_type",
        )
        .body("application/x-www-form-urlencoded", "expires_in_days=3"),
        case(
            "share as merge-patch",
            M::POST,
            "/v1/resumes/{id}/shares",
            415,
            "unsupported_media_type",
        )
        .body(MERGE, "{}"),
        case(
            "share as multipart",
            M::POST,
            "/v1/resumes/{id}/shares",
            415,
            "unsupported_media_type",
        )
        .body(mp_ct, multipart("XyZzY", "file", "a.json", CT_JSON, b"{}")),
        case(
            "share body over 64 KiB",
            M::POST,
            "/v1/resumes/{id}/shares",
            413,
            "payload_too_large",
        )
        .body(CT_JSON, padded(JSON_LIMIT + 1, "{}")),
        case(
            "share body over 64 KiB, chunked",
            M::POST,
            "/v1/resumes/{id}/shares",
            413,
            "payload_too_large",
        )
        .body(CT_JSON, padded(JSON_LIMIT + 1, "{}"))
        .chunked(),
        case(
            "share gzip garbage",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, GZIP_GARBAGE)
        .header("content-encoding", "gzip"),
        case(
            "share body checked before the resume",
            M::POST,
            "/v1/resumes/{uuid}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, "{"),
        case(
            "share range checked before the resume",
            M::POST,
            "/v1/resumes/{uuid}/shares",
            422,
            "unprocessable",
        )
        .body(CT_JSON, r#"{"expires_in_days": 0}"#),
        case(
            "share of an unknown resume",
            M::POST,
            "/v1/resumes/{uuid}/shares",
            404,
            "not_found",
        )
        .body(CT_JSON, "{}"),
        case(
            "share of another owner's resume",
            M::POST,
            "/v1/resumes/{foreign}/shares",
            404,
            "not_found",
        )
        .body(CT_JSON, "{}"),
        case(
            "share of a failed resume",
            M::POST,
            "/v1/resumes/{failed}/shares",
            409,
            "conflict",
        )
        .body(CT_JSON, "{}"),
        // ===== shares: revoke =====
        case(
            "revoke traversal token",
            M::DELETE,
            "/v1/shares/..%2F..%2Fresumes",
            404,
            "not_found",
        ),
        case(
            "revoke 5000-character token",
            M::DELETE,
            "/v1/shares/{long}",
            404,
            "not_found",
        ),
        case(
            "revoke percent-encoded NUL token",
            M::DELETE,
            "/v1/shares/%00",
            404,
            "not_found",
        ),
        case(
            "revoke another owner's share",
            M::DELETE,
            "/v1/shares/{foreign_share}",
            404,
            "not_found",
        ),
        case(
            "revoke a share token in upper case",
            M::DELETE,
            "/v1/shares/{SHARE}",
            404,
            "not_found",
        ),
        case(
            "revoke with an empty token",
            M::DELETE,
            "/v1/shares/",
            404,
            "not_found",
        ),
        // ===== public share view =====
        case(
            "public view bad format",
            M::GET,
            "/s/{share}?format=pdf",
            400,
            "bad_request",
        )
        .auth(Auth::None)
        .says("html, json or md"),
        case(
            "public view empty format",
            M::GET,
            "/s/{share}?format=",
            400,
            "bad_request",
        )
        .auth(Auth::None),
        case(
            "public view upper-case format",
            M::GET,
            "/s/{share}?format=HTML",
            400,
            "bad_request",
        )
        .auth(Auth::None),
        case(
            "public view bad percent-encoding in format",
            M::GET,
            "/s/{share}?format=%zz",
            400,
            "bad_request",
        )
        .auth(Auth::None),
        case(
            "public view format with a NUL",
            M::GET,
            "/s/{share}?format=json%00",
            400,
            "bad_request",
        )
        .auth(Auth::None),
        case(
            "public view format checked before the lookup",
            M::GET,
            "/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA?format=xml",
            400,
            "bad_request",
        )
        .auth(Auth::None)
        .header("accept", "text/html"),
        case(
            "public view revoked",
            M::GET,
            "/s/{revoked}",
            410,
            "gone",
        )
        .auth(Auth::None)
        .header("accept", "application/json"),
        case(
            "public view traversal token",
            M::GET,
            "/s/..%2F..%2Fv1%2Fresumes",
            404,
            "not_found",
        )
        .auth(Auth::None)
        .header("accept", "application/json"),
        case(
            "public view 5000-character token",
            M::GET,
            "/s/{long}?format=json",
            404,
            "not_found",
        )
        .auth(Auth::None),
        case(
            "public view garbage accept",
            M::GET,
            "/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            404,
            "not_found",
        )
        .auth(Auth::None)
        .header("accept", ";;;,,,q=0,*/*;q=abc"),
        case(
            "public view non-ascii accept",
            M::GET,
            "/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            404,
            "not_found",
        )
        .auth(Auth::None)
        .header_bytes("accept", b"text/\xe9html"),
        case(
            "public view unknown, browser",
            M::GET,
            "/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            404,
            "",
        )
        .auth(Auth::None)
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .html(),
        case(
            "public view revoked, browser",
            M::GET,
            "/s/{revoked}?format=html",
            410,
            "",
        )
        .auth(Auth::None)
        .html(),
        // ===== diff =====
        case(
            "diff without against",
            M::GET,
            "/v1/resumes/{id}/diff",
            400,
            "bad_request",
        )
        .says("against="),
        case(
            "diff against empty",
            M::GET,
            "/v1/resumes/{id}/diff?against=",
            400,
            "bad_request",
        ),
        case(
            "diff against bad percent-encoding",
            M::GET,
            "/v1/resumes/{id}/diff?against=%zz",
            400,
            "bad_request",
        ),
        case(
            "diff against rev:0",
            M::GET,
            "/v1/resumes/{id}/diff?against=rev:0",
            400,
            "bad_request",
        ),
        case(
            "diff against rev:-1",
            M::GET,
            "/v1/resumes/{id}/diff?against=rev:-1",
            400,
            "bad_request",
        ),
        case(
            "diff against rev:x",
            M::GET,
            "/v1/resumes/{id}/diff?against=rev:x",
            400,
            "bad_request",
        ),
        case(
            "diff against rev over u64",
            M::GET,
            "/v1/resumes/{id}/diff?against=rev:99999999999999999999",
            400,
            "bad_request",
        ),
        case(
            "diff against a revision that does not exist",
            M::GET,
            "/v1/resumes/{id}/diff?against=rev:99",
            404,
            "not_found",
        ),
        case(
            "diff against an unknown resume",
            M::GET,
            "/v1/resumes/{id}/diff?against={uuid}",
            404,
            "not_found",
        ),
        case(
            "diff against another owner's resume",
            M::GET,
            "/v1/resumes/{id}/diff?against={foreign}",
            404,
            "not_found",
        ),
        case(
            "diff against a failed resume",
            M::GET,
            "/v1/resumes/{id}/diff?against={failed}",
            409,
            "conflict",
        ),
        case(
            "diff of a failed resume",
            M::GET,
            "/v1/resumes/{failed}/diff?against={id}",
            409,
            "conflict",
        ),
        case(
            "diff against id:rev: without a number",
            M::GET,
            "/v1/resumes/{id}/diff?against={scratch}:rev:",
            400,
            "bad_request",
        ),
        case(
            "diff against an unknown id:rev:N",
            M::GET,
            "/v1/resumes/{id}/diff?against={uuid}:rev:1",
            404,
            "not_found",
        ),
        case(
            "diff against a 5000-character value",
            M::GET,
            "/v1/resumes/{id}/diff?against={long}",
            400,
            "bad_request",
        ),
        case(
            "diff revision zero",
            M::GET,
            "/v1/resumes/{id}/diff?against=rev:1&revision=0",
            400,
            "bad_request",
        ),
        case(
            "diff revision not a number",
            M::GET,
            "/v1/resumes/{id}/diff?against=rev:1&revision=abc",
            400,
            "bad_request",
        ),
        case(
            "diff revision that does not exist",
            M::GET,
            "/v1/resumes/{id}/diff?against=rev:1&revision=99",
            404,
            "not_found",
        ),
        case(
            "diff malformed path id",
            M::GET,
            "/v1/resumes/%zz/diff?against=rev:1",
            400,
            "bad_request",
        ),
        case(
            "diff of an unknown resume",
            M::GET,
            "/v1/resumes/{uuid}/diff?against={id}",
            404,
            "not_found",
        ),
        // ===== jobs =====
        case("job empty body", M::POST, "/v1/jobs", 400, "bad_request").body(CT_TXT, ""),
        case("job whitespace body", M::POST, "/v1/jobs", 400, "bad_request")
            .body(CT_MD, "  \n\t\r\n  "),
        case("job invalid UTF-8", M::POST, "/v1/jobs", 400, "bad_request")
            .body(CT_TXT, b"Senior engineer \xff\xfe Rust".to_vec()),
        case(
            "job latin-1 declared as UTF-8",
            M::POST,
            "/v1/jobs",
            400,
            "bad_request",
        )
        .body("text/plain; charset=utf-8", b"D\xe9veloppeur Rust".to_vec()),
        case("job as png", M::POST, "/v1/jobs", 415, "unsupported_media_type")
            .body("image/png", PNG),
        case("job as xml", M::POST, "/v1/jobs", 415, "unsupported_media_type")
            .body("application/xml", "<job><title>x</title></job>"),
        case(
            "job as multipart",
            M::POST,
            "/v1/jobs",
            415,
            "unsupported_media_type",
        )
        .body(mp_ct, multipart("XyZzY", "file", "j.txt", CT_TXT, b"Rust")),
        case("job bad json", M::POST, "/v1/jobs", 400, "bad_request")
            .body(CT_JSON, r#"{"title": "Engineer", "#),
        case(
            "job json with a BOM and garbage",
            M::POST,
            "/v1/jobs",
            400,
            "bad_request",
        )
        .body(CT_JSON, with_bom("{\"title\": \"x\"} garbage")),
        case(
            "job 10,000 nested arrays",
            M::POST,
            "/v1/jobs",
            400,
            "bad_request",
        )
        .body(CT_JSON, nested_arrays(10_000)),
        case("job json a list", M::POST, "/v1/jobs", 422, "unprocessable")
            .body(CT_JSON, r#"["Rust", "Go"]"#),
        case("job json empty object", M::POST, "/v1/jobs", 422, "unprocessable")
            .body(CT_JSON, "{}"),
        case("job json title a number", M::POST, "/v1/jobs", 422, "unprocessable")
            .body(CT_JSON, r#"{"title": 5, "description": "Rust"}"#),
        case("job json skills a string", M::POST, "/v1/jobs", 422, "unprocessable")
            .body(CT_JSON, r#"{"title": "X", "skills": "Rust"}"#),
        case(
            "job sniffed as json without a content type",
            M::POST,
            "/v1/jobs",
            422,
            "unprocessable",
        )
        .raw_body(r#"{"title": ["not", "a", "string"]}"#),
        case("job over 1 MiB", M::POST, "/v1/jobs", 413, "payload_too_large")
            .body(CT_TXT, vec![b'a'; JOB_LIMIT + 1]),
        case(
            "job over 1 MiB, chunked",
            M::POST,
            "/v1/jobs",
            413,
            "payload_too_large",
        )
        .body(CT_TXT, vec![b'a'; JOB_LIMIT + 1])
        .chunked(),
        case(
            "put a job to another job's text",
            M::PUT,
            "/v1/jobs/{job2}",
            409,
            "conflict",
        )
        .body(CT_TXT, fixture("job_platform.txt")),
        case("get job malformed id", M::GET, "/v1/jobs/abc", 400, "bad_request"),
        case("get job unknown id", M::GET, "/v1/jobs/{uuid}", 404, "not_found"),
        case(
            "get job traversal id",
            M::GET,
            "/v1/jobs/..%2F..%2Fresumes",
            400,
            "bad_request",
        ),
        case(
            "get a resume id as a job",
            M::GET,
            "/v1/jobs/{id}",
            404,
            "not_found",
        ),
        case("put job malformed id", M::PUT, "/v1/jobs/abc", 400, "bad_request")
            .body(CT_TXT, "Rust engineer"),
        case("put job unknown id", M::PUT, "/v1/jobs/{uuid}", 404, "not_found")
            .body(CT_TXT, "Rust engineer wanted"),
        case("put job empty body", M::PUT, "/v1/jobs/{job}", 400, "bad_request")
            .body(CT_TXT, ""),
        case(
            "put job as png",
            M::PUT,
            "/v1/jobs/{job}",
            415,
            "unsupported_media_type",
        )
        .body("image/png", PNG),
        case("put job over 1 MiB", M::PUT, "/v1/jobs/{job}", 413, "payload_too_large")
            .body(CT_TXT, vec![b'a'; JOB_LIMIT + 1]),
        case(
            "put job json not a job",
            M::PUT,
            "/v1/jobs/{job}",
            422,
            "unprocessable",
        )
        .body(CT_JSON, "[]"),
        case(
            "delete job malformed id",
            M::DELETE,
            "/v1/jobs/%00",
            400,
            "bad_request",
        ),
        case(
            "delete job unknown id",
            M::DELETE,
            "/v1/jobs/{uuid}",
            404,
            "not_found",
        ),
        // ===== tailor =====
        case(
            "tailor malformed id",
            M::POST,
            "/v1/resumes/nope/tailor",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"job_id": "{job}"}"#),
        case(
            "tailor as text/plain",
            M::POST,
            "/v1/resumes/{id}/tailor",
            415,
            "unsupported_media_type",
        )
        .body(CT_TXT, r#"{"job_id": "{job}"}"#),
        case(
            "tailor bad json",
            M::POST,
            "/v1/resumes/{id}/tailor",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"job_id": "#),
        case(
            "tailor empty body",
            M::POST,
            "/v1/resumes/{id}/tailor",
            400,
            "bad_request",
        )
        .body(CT_JSON, ""),
        case(
            "tailor without job_id",
            M::POST,
            "/v1/resumes/{id}/tailor",
            400,
            "bad_request",
        )
        .body(CT_JSON, "{}"),
        case(
            "tailor job_id a number",
            M::POST,
            "/v1/resumes/{id}/tailor",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"job_id": 42}"#),
        case(
            "tailor job_id not a uuid",
            M::POST,
            "/v1/resumes/{id}/tailor",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"job_id": "../../etc/passwd"}"#)
        .says("POST /v1/jobs"),
        case(
            "tailor unknown field",
            M::POST,
            "/v1/resumes/{id}/tailor",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"job_id": "{job}", "force": true}"#),
        case(
            "tailor body a list",
            M::POST,
            "/v1/resumes/{id}/tailor",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"["{job}"]"#),
        case(
            "tailor 10,000 nested arrays",
            M::POST,
            "/v1/resumes/{id}/tailor",
            400,
            "bad_request",
        )
        .body(CT_JSON, nested_arrays(10_000)),
        case(
            "tailor body over 64 KiB",
            M::POST,
            "/v1/resumes/{id}/tailor",
            413,
            "payload_too_large",
        )
        .body(CT_JSON, padded(JSON_LIMIT + 1, r#"{"job_id": "{job}"}"#)),
        // Under the documented 64 KiB limit for JSON bodies: not a 413.
        case(
            "tailor 20 KB body for an unknown job",
            M::POST,
            "/v1/resumes/{id}/tailor",
            404,
            "not_found",
        )
        .body(CT_JSON, padded(20_000, r#"{"job_id": "{uuid}"}"#)),
        case(
            "tailor unknown job",
            M::POST,
            "/v1/resumes/{id}/tailor",
            404,
            "not_found",
        )
        .body(CT_JSON, r#"{"job_id": "{uuid}"}"#),
        case(
            "tailor unknown resume",
            M::POST,
            "/v1/resumes/{uuid}/tailor",
            404,
            "not_found",
        )
        .body(CT_JSON, r#"{"job_id": "{job}"}"#),
        case(
            "tailor another owner's resume",
            M::POST,
            "/v1/resumes/{foreign}/tailor",
            404,
            "not_found",
        )
        .body(CT_JSON, r#"{"job_id": "{job}"}"#),
        case(
            "tailor a failed resume",
            M::POST,
            "/v1/resumes/{failed}/tailor",
            409,
            "conflict",
        )
        .body(CT_JSON, r#"{"job_id": "{job}"}"#),
        // ===== tailor/confirm =====
        case(
            "confirm without preview_hash",
            M::POST,
            "/v1/resumes/{id}/tailor/confirm",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"job_id": "{job}"}"#),
        case(
            "confirm hash a number",
            M::POST,
            "/v1/resumes/{id}/tailor/confirm",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"job_id": "{job}", "preview_hash": 1}"#),
        case(
            "confirm job_id not a uuid",
            M::POST,
            "/v1/resumes/{id}/tailor/confirm",
            400,
            "bad_request",
        )
        .body(
            CT_JSON,
            format!(r#"{{"job_id": "job-1", "preview_hash": "{hash}"}}"#),
        ),
        case(
            "confirm unknown field",
            M::POST,
            "/v1/resumes/{id}/tailor/confirm",
            400,
            "bad_request",
        )
        .body(
            CT_JSON,
            format!(r#"{{"job_id": "{{job}}", "preview_hash": "{hash}", "x": 1}}"#),
        ),
        case(
            "confirm a hash no preview produced",
            M::POST,
            "/v1/resumes/{id}/tailor/confirm",
            409,
            "conflict",
        )
        .body(
            CT_JSON,
            format!(r#"{{"job_id": "{{job}}", "preview_hash": "{hash}"}}"#),
        ),
        case(
            "confirm as a form",
            M::POST,
            "/v1/resumes/{id}/tailor/confirm",
            415,
            "unsupported_media_type",
        )
        .body("application/x-www-form-urlencoded", "job_id=x&preview_hash=y"),
        case(
            "confirm malformed id",
            M::POST,
            "/v1/resumes/x/tailor/confirm",
            400,
            "bad_request",
        )
        .body(CT_JSON, "{}"),
        case(
            "confirm body over 64 KiB",
            M::POST,
            "/v1/resumes/{id}/tailor/confirm",
            413,
            "payload_too_large",
        )
        .body(CT_JSON, padded(JSON_LIMIT + 1, "{}")),
        // ===== admin tokens =====
        case(
            "token user with a space",
            M::POST,
            "/v1/admin/tokens",
            422,
            "unprocessable",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, r#"{"user": "a b"}"#),
        case(
            "token user 65 characters",
            M::POST,
            "/v1/admin/tokens",
            422,
            "unprocessable",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, format!(r#"{{"user": "{}"}}"#, "a".repeat(65))),
        case(
            "token user empty (strict)",
            M::POST,
            "/v1/admin/tokens",
            422,
            "unprocessable",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, r#"{"user": ""}"#),
        case(
            "token user non-ascii",
            M::POST,
            "/v1/admin/tokens",
            422,
            "unprocessable",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, r#"{"user": "zoë"}"#),
        case(
            "token user with an escaped NUL",
            M::POST,
            "/v1/admin/tokens",
            422,
            "unprocessable",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, r#"{"user": "a\u0000b"}"#),
        case(
            "token user a path",
            M::POST,
            "/v1/admin/tokens",
            422,
            "unprocessable",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, r#"{"user": "../admin"}"#),
        case(
            "token unknown field",
            M::POST,
            "/v1/admin/tokens",
            400,
            "bad_request",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, r#"{"user": "x", "role": "admin"}"#),
        case(
            "token user null",
            M::POST,
            "/v1/admin/tokens",
            400,
            "bad_request",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, r#"{"user": null}"#),
        case(
            "token admin a number",
            M::POST,
            "/v1/admin/tokens",
            400,
            "bad_request",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, r#"{"user": "x", "admin": 1}"#),
        case(
            "token invalid UTF-8",
            M::POST,
            "/v1/admin/tokens",
            400,
            "bad_request",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, b"{\"user\": \"a\xffb\"}".to_vec()),
        case(
            "token as text/plain",
            M::POST,
            "/v1/admin/tokens",
            415,
            "unsupported_media_type",
        )
        .auth(Auth::Admin)
        .body(CT_TXT, r#"{"user": "x"}"#),
        case(
            "token body over 64 KiB",
            M::POST,
            "/v1/admin/tokens",
            413,
            "payload_too_large",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, padded(JSON_LIMIT + 1, r#"{"user": "x"}"#)),
        case(
            "token body empty",
            M::POST,
            "/v1/admin/tokens",
            400,
            "bad_request",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, ""),
        // ===== uploads: types, multipart, names, sizes, encodings =====
        case(
            "legacy .doc declared as msword",
            M::POST,
            "/v1/resumes?filename=cv.doc",
            415,
            "unsupported_media_type",
        )
        .body("application/msword", OLE2),
        case(
            "legacy .doc without a type",
            M::POST,
            "/v1/resumes?filename=cv.doc",
            415,
            "unsupported_media_type",
        )
        .raw_body(OLE2),
        case(
            "legacy .doc declared as docx",
            M::POST,
            "/v1/resumes?filename=cv.docx",
            415,
            "unsupported_media_type",
        )
        .body(CT_DOCX, OLE2)
        .says(".docx"),
        case(
            "UTF-16 text declared as text",
            M::POST,
            "/v1/resumes?filename=cv.txt",
            415,
            "unsupported_media_type",
        )
        .body(
            "text/plain; charset=utf-16",
            "Zoë Lindqvist\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect::<Vec<u8>>(),
        ),
        ok_case(
            "multipart file name with a path",
            M::POST,
            "/v1/resumes",
            202,
        )
        .body(
            mp_ct,
            multipart("XyZzY", "file", "..\\..\\../../cv.md", CT_MD, &md),
        )
        .check(|v| want_filename(v, "cv.md")),
        case(
            "invalid UTF-8 declared as text",
            M::POST,
            "/v1/resumes?filename=cv.txt",
            415,
            "unsupported_media_type",
        )
        .body(CT_TXT, b"Zo\xeb Lindqvist\n".to_vec()),
        case(
            "latin-1 charset is still not UTF-8",
            M::POST,
            "/v1/resumes?filename=cv.txt",
            415,
            "unsupported_media_type",
        )
        .body("text/plain; charset=iso-8859-1", b"Zo\xeb Lindqvist\n".to_vec()),
        case(
            "NUL bytes declared as markdown",
            M::POST,
            "/v1/resumes?filename=cv.md",
            415,
            "unsupported_media_type",
        )
        .body(CT_MD, b"# Zo\x00\x00\n".to_vec()),
        case(
            "a JSON list declared as JSON",
            M::POST,
            "/v1/resumes?filename=cv.json",
            415,
            "unsupported_media_type",
        )
        .body(CT_JSON, r#"[{"basics": {"name": "x"}}]"#),
        case(
            "JSON nested 10,000 deep declared as JSON",
            M::POST,
            "/v1/resumes?filename=cv.json",
            415,
            "unsupported_media_type",
        )
        .body(CT_JSON, nested_under("basics", 10_000)),
        case(
            "html upload",
            M::POST,
            "/v1/resumes?filename=cv.html",
            415,
            "unsupported_media_type",
        )
        .body("text/html", "<h1>Zoë</h1>"),
        case(
            "svg upload",
            M::POST,
            "/v1/resumes?filename=cv.svg",
            415,
            "unsupported_media_type",
        )
        .body("image/svg+xml", "<svg/>"),
        case(
            "multipart/mixed upload",
            M::POST,
            "/v1/resumes",
            415,
            "unsupported_media_type",
        )
        .body(
            "multipart/mixed; boundary=XyZzY",
            multipart("XyZzY", "file", "a.md", CT_MD, &md),
        ),
        case(
            "gzip garbage upload",
            M::POST,
            "/v1/resumes?filename=cv.txt",
            415,
            "unsupported_media_type",
        )
        .body(CT_TXT, GZIP_GARBAGE)
        .header("content-encoding", "gzip"),
        case(
            "exe declared as octet-stream",
            M::POST,
            "/v1/resumes?filename=cv.exe",
            415,
            "unsupported_media_type",
        )
        .body("application/octet-stream", b"MZ\x90\x00\x03\x00\x00\x00".to_vec()),
        case(
            "multipart without boundary (strict)",
            M::POST,
            "/v1/resumes",
            400,
            "bad_request",
        )
        .body("multipart/form-data", "--x\r\n\r\n"),
        case(
            "multipart with an empty boundary",
            M::POST,
            "/v1/resumes",
            400,
            "bad_request",
        )
        .body("multipart/form-data; boundary=", multipart("", "file", "a.md", CT_MD, &md))
        .says("boundary"),
        case(
            "multipart truncated in the file",
            M::POST,
            "/v1/resumes",
            400,
            "bad_request",
        )
        .body(mp_ct, {
            let full = multipart("XyZzY", "file", "a.md", CT_MD, &md);
            full[..full.len() / 2].to_vec()
        }),
        case(
            "multipart without the closing boundary",
            M::POST,
            "/v1/resumes",
            400,
            "bad_request",
        )
        .body(mp_ct, {
            let mut b = b"--XyZzY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.md\"\r\nContent-Type: text/markdown\r\n\r\n".to_vec();
            b.extend_from_slice(&md);
            b
        }),
        case(
            "multipart with another boundary in the body",
            M::POST,
            "/v1/resumes",
            400,
            "bad_request",
        )
        .body(mp_ct, multipart("Other", "file", "a.md", CT_MD, &md)),
        case(
            "multipart part without headers end",
            M::POST,
            "/v1/resumes",
            400,
            "bad_request",
        )
        .body(
            mp_ct,
            "--XyZzY\r\nContent-Disposition: form-data; name=\"file\"\r\n--XyZzY--\r\n",
        ),
        case(
            "multipart with the file field misnamed",
            M::POST,
            "/v1/resumes",
            400,
            "bad_request",
        )
        .body(mp_ct, multipart("XyZzY", "File", "a.md", CT_MD, &md))
        .says("`file`"),
        case(
            "multipart file field empty, second one full",
            M::POST,
            "/v1/resumes",
            400,
            "bad_request",
        )
        .body(mp_ct, {
            let mut b = multipart("XyZzY", "file", "a.md", CT_MD, b"");
            // Drop the closing `--` line and add a second `file` part.
            b.truncate(b.len() - "--XyZzY--\r\n".len());
            b.extend_from_slice(&multipart("XyZzY", "file", "b.md", CT_MD, &md)[..]);
            b
        }),
        case(
            "multipart file over the limit within the framing allowance",
            M::POST,
            "/v1/resumes",
            413,
            "payload_too_large",
        )
        .body(
            mp_ct,
            multipart("XyZzY", "file", "big.txt", CT_TXT, &vec![b'a'; LIMIT + 1]),
        ),
        case(
            "oversize raw, chunked",
            M::POST,
            "/v1/resumes?filename=big.txt",
            413,
            "payload_too_large",
        )
        .body(CT_TXT, vec![b'a'; LIMIT + 16 * 1024 + 1])
        .chunked()
        .says("65536"),
        case(
            "oversize multipart, chunked",
            M::POST,
            "/v1/resumes",
            413,
            "payload_too_large",
        )
        .body(
            mp_ct,
            multipart("XyZzY", "file", "big.txt", CT_TXT, &vec![b'a'; LIMIT + 20_000]),
        )
        .chunked(),
        case(
            "size checked before the type",
            M::POST,
            "/v1/resumes?filename=big.png",
            413,
            "payload_too_large",
        )
        .body("image/png", vec![0u8; LIMIT + 20_000]),
        ok_case(
            "file name with a path",
            M::POST,
            "/v1/resumes?filename=..%2F..%2Fetc%2Fpasswd.md",
            202,
        )
        .body(CT_MD, md.clone())
        .check(|v| want_filename(v, "passwd.md")),
        ok_case(
            "file name with backslashes",
            M::POST,
            "/v1/resumes?filename=..%5C..%5Cwindows%5Cevil.md",
            202,
        )
        .body(CT_MD, md.clone())
        .check(|v| want_filename(v, "evil.md")),
        ok_case(
            "file name with a NUL and control characters",
            M::POST,
            "/v1/resumes?filename=cv%00%0d%0a%1b.md",
            202,
        )
        .body(CT_MD, md.clone())
        .check(|v| want_filename(v, "cv.md")),
        ok_case(
            "file name of 10 KB",
            M::POST,
            "/v1/resumes?filename={10k}.md",
            202,
        )
        .body(CT_MD, md.clone())
        .check(|v| {
            let n = v["filename"].as_str().map_or(0, |s| s.chars().count());
            (n == 200)
                .then_some(())
                .ok_or(format!("filename should be cut to 200 characters, is {n}"))
        }),
        ok_case(
            "file name with bad percent-encoding",
            M::POST,
            "/v1/resumes?filename=%zz.md",
            202,
        )
        .body(CT_MD, md.clone())
        .check(|v| want_filename(v, "%zz.md")),
        ok_case(
            "file name that is only a separator",
            M::POST,
            "/v1/resumes?filename=%2F",
            202,
        )
        .body(CT_MD, md.clone())
        .check(|v| want_filename(v, "resume.md")),
        // ===== healthz, console, unknown routes, preflights =====
        ok_case(
            "healthz ignores a bad query and a bad token",
            M::GET,
            "/healthz?%zz=%zz&access_token=nope",
            200,
        )
        .auth(Auth::None),
        ok_case(
            "openapi spec ignores a bad query and a bad token",
            M::GET,
            "/openapi.json?%zz=%zz&access_token=nope",
            200,
        )
        .auth(Auth::None)
        .header("authorization", "Bearer not-a-token"),
        ok_case(
            "openapi spec with a garbage If-None-Match",
            M::GET,
            "/openapi.json",
            200,
        )
        .auth(Auth::None)
        .header("if-none-match", "\"\", W/, *x"),
        ok_case("console page with a garbage If-None-Match", M::GET, "/app", 200)
            .auth(Auth::None)
            .header("if-none-match", "\"\", W/, *x"),
        ok_case("console page with a garbage Accept", M::GET, "/app/", 200)
            .auth(Auth::None)
            .header("accept", ";;;q=,"),
        case(
            "console file that does not exist",
            M::GET,
            "/app/nope.js",
            404,
            "not_found",
        )
        .auth(Auth::None),
        case(
            "console traversal",
            M::GET,
            "/app/..%2F..%2Fadmin.token",
            404,
            "not_found",
        )
        .auth(Auth::None),
        case(
            "console file with a NUL",
            M::GET,
            "/app/console.js%00",
            404,
            "not_found",
        )
        .auth(Auth::None),
        case("console nested path", M::GET, "/app/a/b", 404, "not_found").auth(Auth::None),
        case("healthz with a trailing slash", M::GET, "/healthz/", 404, "not_found")
            .auth(Auth::None),
        case("v2 route", M::GET, "/v2/resumes", 404, "not_found").auth(Auth::None),
        case("double slash", M::GET, "//v1/resumes", 404, "not_found").auth(Auth::None),
        case("route in upper case", M::GET, "/V1/RESUMES", 404, "not_found").auth(Auth::None),
        case(
            "route too deep",
            M::GET,
            "/v1/resumes/{id}/revisions/1/restore/now",
            404,
            "not_found",
        ),
        case("unknown route, wrong method", M::DELETE, "/v1/nope", 404, "not_found")
            .auth(Auth::None),
        case("OPTIONS on an unknown route", M::OPTIONS, "/v1/nope", 404, "not_found")
            .auth(Auth::None),
        case(
            "preflight from a foreign origin",
            M::OPTIONS,
            "/v1/resumes",
            403,
            "forbidden",
        )
        .auth(Auth::None)
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST"),
        case(
            "preflight from the null origin",
            M::OPTIONS,
            "/v1/events",
            403,
            "forbidden",
        )
        .auth(Auth::None)
        .header("origin", "null")
        .header("access-control-request-method", "GET"),
        case(
            "preflight from a lookalike origin",
            M::OPTIONS,
            "/v1/resumes/{id}",
            403,
            "forbidden",
        )
        .auth(Auth::None)
        .header("origin", "http://127.0.0.1.evil.example")
        .header("access-control-request-method", "PATCH"),
        // ===== headers: duplicates, bad accept =====
        case(
            "bad accept does not change an error",
            M::GET,
            "/v1/resumes/not-a-uuid",
            400,
            "bad_request",
        )
        .header("accept", "text/html;q=abc, */*;;;"),
        case(
            "accept image/png does not change an error",
            M::GET,
            "/v1/nope",
            404,
            "not_found",
        )
        .header("accept", "image/png"),
        case(
            "a 40 KB header on an error",
            M::GET,
            "/v1/resumes/nope",
            400,
            "bad_request",
        )
        .header("x-filler", "f".repeat(40_000)),
        case(
            "a non-ascii header on an error",
            M::GET,
            "/v1/resumes/nope",
            400,
            "bad_request",
        )
        .header_bytes("x-name", "Zoë Lindqvist".as_bytes()),
    ]
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

/// Requests whose exact 4xx is a judgment call; they must still be 4xx with
/// the JSON error body (or succeed sensibly where noted), never 5xx.
fn loose_table() -> Vec<Case> {
    use Method as M;
    vec![
        case(
            "upload without content type",
            M::POST,
            "/v1/resumes?filename=a.md",
            0,
            "",
        )
        .raw_body(fixture("resume.md"))
        .loose(&[202, 400, 415]),
        case(
            "upload invalid json declared json",
            M::POST,
            "/v1/resumes?filename=a.json",
            0,
            "",
        )
        .body(CT_JSON, "{not json")
        .loose(&[202, 400, 415, 422]),
        case("patch as text/plain", M::PATCH, "/v1/resumes/{id}", 0, "")
            .body(CT_TXT, r#"{"basics": {"label": "x"}}"#)
            .loose(&[200, 415]),
        case(
            "patch garbage if-match",
            M::PATCH,
            "/v1/resumes/{id}",
            0,
            "",
        )
        .body(CT_JSON, r#"{"basics": {"label": "x"}}"#)
        .header("if-match", "abc")
        .loose(&[400, 412]),
        case(
            "share negative days",
            M::POST,
            "/v1/resumes/{id}/shares",
            0,
            "",
        )
        .body(CT_JSON, r#"{"expires_in_days": -1}"#)
        .loose(&[400, 422]),
        case(
            "share expires_at not a date",
            M::POST,
            "/v1/resumes/{id}/shares",
            0,
            "",
        )
        .body(CT_JSON, r#"{"expires_at": "tomorrow"}"#)
        .loose(&[400, 422]),
        case(
            "share unknown field",
            M::POST,
            "/v1/resumes/{id}/shares",
            0,
            "",
        )
        .body(CT_JSON, r#"{"days": 3}"#)
        .loose(&[201, 400, 422]),
        case(
            "share huge number",
            M::POST,
            "/v1/resumes/{id}/shares",
            0,
            "",
        )
        .body(CT_JSON, r#"{"expires_in_days": 99999999999999999999}"#)
        .loose(&[400, 422]),
        case(
            "parse stream garbage last-event-id",
            M::GET,
            "/v1/resumes/{id}/events",
            0,
            "",
        )
        .header("last-event-id", "banana")
        .loose(&[200, 400])
        .stream(None),
        case("nul in the id", M::GET, "/v1/resumes/%00", 0, "").loose(&[400, 404]),
        case("very long id", M::GET, "/v1/resumes/{long}", 0, "").loose(&[400, 404, 414]),
        case("dot-dot path", M::GET, "/v1/resumes/../admin/tokens", 0, "").loose(&[400, 404, 405]),
        case(
            "filename with a path",
            M::POST,
            "/v1/resumes?filename=../../etc/passwd",
            0,
            "",
        )
        .body(CT_TXT, "Zoë Lindqvist\nzoe.lindqvist@example.com\n")
        .loose(&[202, 400]),
        case("token with empty user", M::POST, "/v1/admin/tokens", 0, "")
            .auth(Auth::Admin)
            .body(CT_JSON, r#"{"user": ""}"#)
            .loose(&[400, 422]),
        case("multipart without boundary", M::POST, "/v1/resumes", 0, "")
            .body("multipart/form-data", "--x\r\n\r\n")
            .loose(&[400, 415]),
        case(
            "share on a failed resume",
            M::POST,
            "/v1/resumes/{failed}/shares",
            0,
            "",
        )
        .body(CT_JSON, "{}")
        .loose(&[201, 409, 422]),
        case("unknown route without auth", M::GET, "/v2/resumes", 0, "")
            .auth(Auth::None)
            .loose(&[401, 404]),
        // --- added for issue 7
        // Duplicate keys: serde keeps the last one; rejecting them would be fine too.
        case(
            "share duplicate keys",
            M::POST,
            "/v1/resumes/{id}/shares",
            0,
            "",
        )
        .body(CT_JSON, r#"{"expires_in_days": 7, "expires_in_days": 0}"#)
        .loose(&[400, 422]),
        case("token duplicate keys", M::POST, "/v1/admin/tokens", 0, "")
            .auth(Auth::Admin)
            .body(CT_JSON, r#"{"user": "fine", "user": "not fine!"}"#)
            .loose(&[400, 422]),
        case("patch duplicate keys", M::PATCH, "/v1/resumes/{id}", 0, "")
            .body(MERGE, r#"{"work": [], "work": "x"}"#)
            .loose(&[400, 422]),
        case(
            "tailor duplicate keys",
            M::POST,
            "/v1/resumes/{id}/tailor",
            0,
            "",
        )
        .body(CT_JSON, r#"{"job_id": "{job}", "job_id": "nope"}"#)
        .loose(&[400]),
        // A struct-shaped value sent as a list: serde may read it as a tuple.
        case(
            "patch location a list",
            M::PATCH,
            "/v1/resumes/{scratch}",
            0,
            "",
        )
        .body(MERGE, r#"{"basics": {"location": ["Uppsala"]}}"#)
        .loose(&[200, 422]),
        // The header parser takes the first of repeated headers.
        case(
            "duplicate authorization, good first",
            M::GET,
            "/v1/jobs",
            0,
            "",
        )
        .header("authorization", "Basic eDp5")
        .loose(&[200, 400, 401]),
        case("duplicate if-match", M::PATCH, "/v1/resumes/{id}", 0, "")
            .body(MERGE, r#"{"basics": {"label": "x"}}"#)
            .header("if-match", "\"999\"")
            .header("if-match", "\"1\"")
            .loose(&[400, 412]),
        case(
            "duplicate content types on an upload",
            M::POST,
            "/v1/resumes?filename=cv.md",
            0,
            "",
        )
        .header("content-type", CT_PDF)
        .header("content-type", CT_MD)
        .raw_body(fixture("resume.md"))
        .loose(&[400, 415]),
        case(
            "duplicate content types on a share",
            M::POST,
            "/v1/resumes/{scratch}/shares",
            0,
            "",
        )
        .header("content-type", "text/plain")
        .header("content-type", "application/json")
        .raw_body("{}")
        .loose(&[400, 415]),
        // Repeated query parameters: the first one is used today.
        case(
            "repeated against, bad first",
            M::GET,
            "/v1/resumes/{id}/diff?against=nope&against=rev:1",
            0,
            "",
        )
        .loose(&[200, 400]),
        case(
            "repeated format, bad last",
            M::GET,
            "/s/{share}?format=json&format=pdf",
            0,
            "",
        )
        .auth(Auth::None)
        .loose(&[200, 400]),
        case(
            "repeated filename",
            M::POST,
            "/v1/resumes?filename=a.md&filename=b.pdf",
            0,
            "",
        )
        .body(CT_MD, fixture("resume.md"))
        .loose(&[202, 400]),
        // Percent-encoded forms of a valid id: decoding them is allowed, not required.
        case(
            "percent-encoded id character",
            M::GET,
            "/v1/resumes/{id_pct}",
            0,
            "",
        )
        .loose(&[200, 400]),
        case(
            "percent-encoded revision",
            M::GET,
            "/v1/resumes/{id}/revisions/%31",
            0,
            "",
        )
        .loose(&[200, 400]),
        case("hyphenless uuid", M::GET, "/v1/resumes/{id_simple}", 0, "").loose(&[200, 400]),
        // Integers with a sign or leading zeros: Rust's parser takes them.
        case(
            "revision with a plus sign",
            M::GET,
            "/v1/resumes/{id}/revisions/+1",
            0,
            "",
        )
        .loose(&[200, 400]),
        case(
            "revision with leading zeros",
            M::GET,
            "/v1/resumes/{id}/revisions/0001",
            0,
            "",
        )
        .loose(&[200, 400]),
        case(
            "parse stream last-event-id with a plus sign",
            M::GET,
            "/v1/resumes/{id}/events",
            0,
            "",
        )
        .header("last-event-id", "+7")
        .loose(&[204, 400])
        .stream(None),
        case("urn uuid", M::GET, "/v1/resumes/urn:uuid:{id}", 0, "").loose(&[200, 400]),
        // Content-Encoding is not supported; 415 would be the RFC 9110 answer.
        case(
            "share gzip-encoded valid JSON",
            M::POST,
            "/v1/resumes/{scratch}/shares",
            0,
            "",
        )
        .body(CT_JSON, "{}")
        .header("content-encoding", "gzip")
        .loose(&[201, 400, 415]),
        case("patch gzip garbage", M::PATCH, "/v1/resumes/{id}", 0, "")
            .body(MERGE, GZIP_GARBAGE)
            .header("content-encoding", "gzip")
            .loose(&[400, 415]),
        case("job with br encoding garbage", M::POST, "/v1/jobs", 0, "")
            .body(CT_TXT, GZIP_GARBAGE)
            .header("content-encoding", "br")
            .loose(&[400, 415]),
        case(
            "upload with an empty content type",
            M::POST,
            "/v1/resumes?filename=cv.md",
            0,
            "",
        )
        .body("", fixture("resume.md"))
        .loose(&[202, 400, 415]),
        case(
            "restore stale if-match of the current revision",
            M::POST,
            "/v1/resumes/{id}/revisions/1/restore",
            0,
            "",
        )
        .header("if-match", "\"9\"")
        .loose(&[409, 412]),
        case(
            "restore on a failed resume",
            M::POST,
            "/v1/resumes/{failed}/revisions/1/restore",
            0,
            "",
        )
        .loose(&[404, 409]),
        case(
            "parse stream garbage last-event-id, unknown resume",
            M::GET,
            "/v1/resumes/{uuid}/events",
            0,
            "",
        )
        .header("last-event-id", "x")
        .loose(&[400, 404])
        .stream(None),
        case("bearer in upper case", M::GET, "/v1/resumes", 0, "")
            .auth(Auth::None)
            .header("authorization", "BEARER {token}")
            .loose(&[200, 401]),
        case("bearer with extra spaces", M::GET, "/v1/resumes", 0, "")
            .auth(Auth::None)
            .header("authorization", "Bearer    {token}   ")
            .loose(&[200, 401]),
        case("job with a NUL in the text", M::POST, "/v1/jobs", 0, "")
            .body(CT_TXT, b"Rust engineer\x00 wanted".to_vec())
            .loose(&[201, 400]),
    ]
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

/// The server is still healthy and the fixtures are unchanged.
async fn assert_still_healthy(ctx: &Ctx, failures: &mut Vec<String>) {
    let r = ctx.user.without_token().get("/healthz").await;
    if r.status != 200 {
        failures.push(format!("/healthz answered {}", r.status));
    }
    let v = ctx.user.upload_ready("resume.txt").await;
    if v["document"]["basics"]["name"] != FIXTURE_NAME {
        failures.push(format!("a normal upload did not parse: {v}"));
    }
    for (i, (id, before)) in ctx.before.iter().enumerate() {
        let api = if i == 0 { &ctx.user } else { &ctx.owner_api };
        let after = api.resume(id).await;
        if &after != before {
            failures.push(format!(
                "resume {id} changed by bad requests:\nbefore {before}\nafter  {after}"
            ));
        }
    }
}

/// Cover every route and method: every (route, method) pair of [`ROUTES`]
/// has at least one case. Returns the number of distinct pairs hit.
fn coverage(tables: &[&[Case]]) -> usize {
    let mut hit = BTreeSet::new();
    for c in tables.iter().flat_map(|t| t.iter()) {
        if let Some(pattern) = route_of(&c.path) {
            hit.insert((pattern, c.method.to_string()));
        }
    }
    let missing: Vec<String> = ROUTES
        .iter()
        .flat_map(|(p, ms)| ms.iter().map(move |m| (*p, m.to_string())))
        .filter(|pair| !hit.contains(pair))
        .map(|(p, m)| format!("{m} {p}"))
        .collect();
    assert!(missing.is_empty(), "no case for: {missing:?}");
    hit.len()
}

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
    assert_still_healthy(&ctx, &mut failures).await;
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
    eprintln!(
        "bad request table: {} strict ({} hand-written, {} wrong methods, {} without a token) + {} loose = {} cases; \
         {pairs} distinct route x method pairs; {bad_credentials} present a bad credential",
        strict.len(),
        hand_written_strict().len(),
        wrong_method_cases().len(),
        no_token_cases().len(),
        loose.len(),
        strict.len() + loose.len(),
    );
    assert!(
        strict.len() + loose.len() >= 200,
        "the bad request table has {} cases",
        strict.len() + loose.len()
    );
    // Failed auth will be limited per client IP (burst 60): both tables run
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

#[tokio::test]
async fn bad_request_table() {
    run_table(&strict_table(), true).await;
}

#[tokio::test]
async fn loose_bad_request_table_never_5xx() {
    run_table(&loose_table(), false).await;
}

/// Bad requests the server answers wrongly today, whose fix belongs in files
/// outside the HTTP handlers (see the issue 7 report):
///
/// - `server/src/http/mod.rs` `content_type()` reads a Content-Type that is
///   not visible ASCII as *absent*, so a JSON endpoint takes the body as JSON
///   and an upload sniffs it, instead of the documented 415.
/// - `server/src/sse/hub.rs` `subscribe_account` computes `seq + 1` on the
///   client's `Last-Event-ID`: `<epoch>-18446744073709551615` overflows, which
///   panics in debug builds (the connection closes without an answer).
fn known_bugs() -> Vec<Case> {
    use Method as M;
    vec![
        case(
            "non-ascii content type on a share",
            M::POST,
            "/v1/resumes/{scratch}/shares",
            415,
            "unsupported_media_type",
        )
        .header_bytes("content-type", b"application/js\xc3\xb6n")
        .raw_body("{}"),
        case(
            "non-ascii content type on a job",
            M::POST,
            "/v1/jobs",
            415,
            "unsupported_media_type",
        )
        .header_bytes("content-type", b"text/pl\xc3\xa4in")
        .raw_body("Rust engineer, Kubernetes"),
        case(
            "non-ascii content type on a patch",
            M::PATCH,
            "/v1/resumes/{scratch}",
            415,
            "unsupported_media_type",
        )
        .header_bytes("content-type", b"application/merge-patch+js\xc3\xb6n")
        .raw_body(r#"{"basics": {"label": "x"}}"#),
        case(
            "non-ascii content type on an upload",
            M::POST,
            "/v1/resumes?filename=cv.md",
            415,
            "unsupported_media_type",
        )
        .header_bytes("content-type", b"text/mark\xc3\xa4down")
        .raw_body(fixture("resume.md")),
        ok_case(
            "account stream last-event-id at u64::MAX",
            M::GET,
            "/v1/events",
            200,
        )
        .header("last-event-id", "{epoch}-18446744073709551615")
        .stream(Some("resync")),
    ]
}

#[tokio::test]
async fn known_bugs_outside_the_handlers() {
    run_table(&known_bugs(), true).await;
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
