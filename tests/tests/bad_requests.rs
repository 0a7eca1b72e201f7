//! A table of bad requests: bad JSON, wrong JSON types, bad ids, missing or
//! bad auth, oversize bodies, wrong or lying content types, unknown routes and
//! wrong methods. Each gets the right 4xx status with the JSON error body
//! `{"error": {"code", "message", "request_id"}}`, and never a 5xx.
//!
//! One server for the table (`--max-upload-bytes 65536`); the default-limit
//! test starts its own.

use std::sync::OnceLock;

use reqwest::Method;
use vitae_tests::*;

const LIMIT: usize = 65536;

fn server() -> &'static TestServer {
    static S: OnceLock<TestServer> = OnceLock::new();
    S.get_or_init(|| TestServer::start_with(&["--max-upload-bytes", &LIMIT.to_string()]))
}

#[derive(Clone, Copy, Debug)]
enum Auth {
    User,
    Admin,
    None,
    Bad,
}

#[derive(Clone, Debug)]
struct Case {
    name: &'static str,
    method: Method,
    /// `{id}` a ready resume, `{failed}` a failed one, `{share}` a share token,
    /// `{uuid}` an unknown UUID.
    path: &'static str,
    auth: Auth,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    headers: Vec<(&'static str, String)>,
    /// Acceptable statuses (exactly one for the strict table).
    want: &'static [u16],
    /// The error code when the status is `want[0]`.
    code: Option<&'static str>,
}

fn case(
    name: &'static str,
    method: Method,
    path: &'static str,
    want: u16,
    code: &'static str,
) -> Case {
    Case {
        name,
        method,
        path,
        auth: Auth::User,
        content_type: None,
        body: Vec::new(),
        headers: Vec::new(),
        want: Box::leak(vec![want].into_boxed_slice()),
        code: Some(code),
    }
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
    fn header(mut self, k: &'static str, v: impl Into<String>) -> Self {
        self.headers.push((k, v.into()));
        self
    }
    fn loose(mut self, want: &'static [u16]) -> Self {
        self.want = want;
        self.code = None;
        self
    }
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\nIDATx\x9cc\0\x01\0\0\x05\0\x01\r\n-\xb4\0\0\0\0IEND\xaeB`\x82";
const ZIP: &[u8] = b"PK\x03\x04\x14\0\0\0\0\0\0\0!\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";

fn multipart(boundary: &str, field: &str, filename: &str, ct: &str, content: &[u8]) -> Vec<u8> {
    let mut b = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: {ct}\r\n\r\n"
    )
    .into_bytes();
    b.extend_from_slice(content);
    b.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    b
}

fn strict_table() -> Vec<Case> {
    use Method as M;
    let md = fixture("resume.md");
    let pdf = fixture("resume.pdf");
    let docx = fixture("resume.docx");
    let mp_ct: &'static str = "multipart/form-data; boundary=XyZzY";
    vec![
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
        .body(CT_PDF, md.clone()),
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
    ]
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
        .loose(&[200, 400]),
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
    ]
}

struct Ctx {
    user: Api,
    admin: Api,
    id: String,
    failed: String,
    share: String,
}

async fn ctx() -> Ctx {
    let srv = server();
    let user = srv.user("bad").await;
    let v = user.upload_ready("resume.md").await;
    let bad = user.upload_fixture("corrupt.pdf").await;
    let failed = bad["id"].as_str().unwrap().to_string();
    assert_eq!(user.wait_terminal(&failed).await["status"], "failed");
    let id = v["id"].as_str().unwrap().to_string();
    let share = user.share(&id, &json!({})).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    Ctx {
        user,
        admin: srv.admin(),
        id,
        failed,
        share,
    }
}

async fn run(ctx: &Ctx, c: &Case) -> Resp {
    let path = c
        .path
        .replace("{id}", &ctx.id)
        .replace("{failed}", &ctx.failed)
        .replace("{share}", &ctx.share)
        .replace("{uuid}", &uuid::Uuid::new_v4().to_string())
        .replace("{long}", &"a".repeat(5000));
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
        rb = rb.header(*k, v.as_str());
    }
    if !c.body.is_empty() || c.content_type.is_some() {
        rb = rb.body(c.body.clone());
    }
    send_unchecked(rb).await
}

#[tokio::test]
async fn bad_request_table() {
    let ctx = ctx().await;
    let mut failures = Vec::new();
    for c in strict_table() {
        let r = run(&ctx, &c).await;
        let want = c.want[0];
        if r.status != want {
            failures.push(format!(
                "{}: {} {} -> {} (want {want}): {}",
                c.name,
                c.method,
                c.path,
                r.status,
                r.text().chars().take(200).collect::<String>()
            ));
            continue;
        }
        if let Err(e) = check_error_body(&r, c.code) {
            failures.push(format!("{}: {e}", c.name));
        }
        if want == 405 && r.header("allow").is_none_or(|a| a.is_empty()) {
            failures.push(format!("{}: 405 without an Allow header", c.name));
        }
    }
    // The resume is untouched by all of that.
    let after = ctx.user.resume(&ctx.id).await;
    if after["document"]["basics"]["name"] != FIXTURE_NAME {
        failures.push(format!("resume changed by bad requests: {after}"));
    }
    assert!(
        failures.is_empty(),
        "{} bad requests answered wrongly:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn loose_bad_request_table_never_5xx() {
    let ctx = ctx().await;
    let mut failures = Vec::new();
    for c in loose_table() {
        let r = run(&ctx, &c).await;
        if !c.want.contains(&r.status) {
            failures.push(format!(
                "{}: {} {} -> {} (want one of {:?}): {}",
                c.name,
                c.method,
                c.path,
                r.status,
                c.want,
                r.text().chars().take(200).collect::<String>()
            ));
            continue;
        }
        if r.status >= 400 {
            if let Err(e) = check_error_body(&r, None) {
                failures.push(format!("{}: {e}", c.name));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} requests answered wrongly:\n{}",
        failures.len(),
        failures.join("\n")
    );
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
