//! The authorization matrix: every route × every method it answers, asked by
//! five principals — no token, a bad token, another owner (B), the owner (A)
//! and the admin — with the status each one must get, written out in
//! [`MATRIX`] so a reader sees at a glance who gets what.
//!
//! Rules the table encodes (docs/api.md, "Authentication"):
//! - no token or an unknown one: `401` on every private route, before any
//!   lookup; the public routes (`/healthz`, `/s/{token}`, `/app…`, `OPTIONS`)
//!   answer everyone alike;
//! - another owner's resume, revision, share, job or stream: `404`, exactly
//!   like a missing one (never `403`, never `200`), also when only one of
//!   two ids is foreign (diff `against`, tailor `job_id`);
//! - the admin is a user like any other (owner `admin`): `404` on A's
//!   records; admin-only are `/v1/logs`, `GET /metrics` and
//!   `POST /v1/admin/tokens` (`403` for everyone else).
//!
//! The matrix runs in two passes on one server: first every refused or
//! foreign principal (no token, bad, B, admin), after which A's and B's data
//! must be byte-identical to before (save the share views the public route
//! counts, accounted for below) and no body anyone but A received may hold
//! A's markers; then the owner's column, whose writes are expected, after
//! which B's data must still be untouched. Account streams of A, B and the
//! admin are open throughout: B and the admin must see nothing of A's.
//!
//! Traffic against the one server (failed-auth and share-view rate limits):
//! one bad-token request per private row (55) and one no-token request per
//! private row (55); 15 requests on `/s/`. The test asserts those budgets.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use bytes::Bytes;
use reqwest::Method;
use serde_json::Value;
use vitae_tests::*;

/// The principals, in the order of the table's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    NoToken,
    BadToken,
    OtherB,
    OwnerA,
    Admin,
}

const COLUMNS: [Who; 5] = [
    Who::NoToken,
    Who::BadToken,
    Who::OtherB,
    Who::OwnerA,
    Who::Admin,
];

/// A request body, with `{name}` placeholders like the path.
#[derive(Debug, Clone, Copy)]
enum Payload {
    Empty,
    Json(&'static str),
    MergePatch(&'static str),
    Text(&'static str),
    /// `tests/fixtures/resume.md` as `text/markdown`.
    Upload,
}
use Payload::*;

struct Row {
    method: &'static str,
    /// `{a1}` etc. name the set-up's records (see [`Fixture::vars`]);
    /// `access_token={tok}` carries the principal's token in the query
    /// instead of the `Authorization` header (left out for "no token").
    path: &'static str,
    body: Payload,
    /// Expected status per column: no token, bad token, B, A, admin.
    expect: [u16; 5],
}

const fn row(method: &'static str, path: &'static str, body: Payload, expect: [u16; 5]) -> Row {
    Row {
        method,
        path,
        body,
        expect,
    }
}

/// A's records: `a1` (ready, master, a revision, shares `sa` and `sa2`,
/// previewed for job `ja` as `ha`), `a2` (ready, the diff `against`, gets the
/// owner's edits), `a3` (ready, deleted by the owner); jobs `ja` and `ja2`
/// (`ja2`'s text is what the `POST /v1/jobs` row sends). B's: `b1` (ready,
/// share `sb`), job `jb`. Rows are run in this order, so the owner's writes
/// come before anything that depends on them.
#[rustfmt::skip]
const MATRIX: &[Row] = &[
    //   method     path                                                   body                                   none bad  B    A    admin
    row("GET",     "/healthz",                                            Empty,                                 [200, 200, 200, 200, 200]),
    row("HEAD",    "/healthz",                                            Empty,                                 [200, 200, 200, 200, 200]),
    row("GET",     "/readyz",                                             Empty,                                 [200, 200, 200, 200, 200]),
    row("GET",     "/metrics",                                            Empty,                                 [401, 401, 403, 403, 200]),
    row("GET",     "/openapi.json",                                       Empty,                                 [200, 200, 200, 200, 200]),
    // resumes
    row("GET",     "/v1/resumes",                                         Empty,                                 [401, 401, 200, 200, 200]),
    row("HEAD",    "/v1/resumes",                                         Empty,                                 [401, 401, 200, 200, 200]),
    row("POST",    "/v1/resumes?filename=matrix.md",                      Upload,                                [401, 401, 202, 202, 202]),
    row("GET",     "/v1/resumes/{a1}",                                    Empty,                                 [401, 401, 404, 200, 404]),
    row("HEAD",    "/v1/resumes/{a1}",                                    Empty,                                 [401, 401, 404, 200, 404]),
    row("OPTIONS", "/v1/resumes/{a1}",                                    Empty,                                 [204, 204, 204, 204, 204]),
    row("PATCH",   "/v1/resumes/{a2}",                                    MergePatch(r#"{"basics":{"label":"set by the matrix"}}"#),
                                                                                                                 [401, 401, 404, 200, 404]),
    row("DELETE",  "/v1/resumes/{a3}",                                    Empty,                                 [401, 401, 404, 204, 404]),
    row("POST",    "/v1/resumes/{a2}/master",                             Empty,                                 [401, 401, 404, 200, 404]),
    // revisions
    row("GET",     "/v1/resumes/{a1}/revisions",                          Empty,                                 [401, 401, 404, 200, 404]),
    row("HEAD",    "/v1/resumes/{a1}/revisions",                          Empty,                                 [401, 401, 404, 200, 404]),
    row("GET",     "/v1/resumes/{a1}/revisions/1",                        Empty,                                 [401, 401, 404, 200, 404]),
    row("HEAD",    "/v1/resumes/{a1}/revisions/1",                        Empty,                                 [401, 401, 404, 200, 404]),
    row("POST",    "/v1/resumes/{a2}/revisions/1/restore",                Empty,                                 [401, 401, 404, 201, 404]),
    // diff: one foreign side is enough for a 404
    row("GET",     "/v1/resumes/{a1}/diff?against={a2}",                  Empty,                                 [401, 401, 404, 200, 404]),
    row("HEAD",    "/v1/resumes/{a1}/diff?against={a2}",                  Empty,                                 [401, 401, 404, 200, 404]),
    row("GET",     "/v1/resumes/{a1}/diff?against={b1}",                  Empty,                                 [401, 401, 404, 404, 404]),
    row("GET",     "/v1/resumes/{b1}/diff?against={a1}",                  Empty,                                 [401, 401, 404, 404, 404]),
    row("GET",     "/v1/resumes/{b1}/diff?against={a1}:rev:1",            Empty,                                 [401, 401, 404, 404, 404]),
    // jobs (B and the admin posting A's text get a job of their own: 201, not A's 200)
    row("GET",     "/v1/jobs",                                            Empty,                                 [401, 401, 200, 200, 200]),
    row("HEAD",    "/v1/jobs",                                            Empty,                                 [401, 401, 200, 200, 200]),
    row("POST",    "/v1/jobs",                                            Text(JOB_A2_TEXT),                     [401, 401, 201, 200, 201]),
    row("GET",     "/v1/jobs/{ja}",                                       Empty,                                 [401, 401, 404, 200, 404]),
    row("HEAD",    "/v1/jobs/{ja}",                                       Empty,                                 [401, 401, 404, 200, 404]),
    row("PUT",     "/v1/jobs/{ja2}",                                      Text("Staff engineer: Rust, gRPC and AWS; rewritten by the matrix."),
                                                                                                                 [401, 401, 404, 200, 404]),
    row("DELETE",  "/v1/jobs/{ja2}",                                      Empty,                                 [401, 401, 404, 204, 404]),
    // tailoring: a foreign resume or a foreign job is a 404; a foreign preview hash matches nothing
    row("POST",    "/v1/resumes/{a1}/tailor",                             Json(r#"{"job_id":"{ja}"}"#),          [401, 401, 404, 200, 404]),
    row("POST",    "/v1/resumes/{b1}/tailor",                             Json(r#"{"job_id":"{ja}"}"#),          [401, 401, 404, 404, 404]),
    row("POST",    "/v1/resumes/{a1}/tailor/confirm",                     Json(r#"{"job_id":"{ja}","preview_hash":"{ha}"}"#),
                                                                                                                 [401, 401, 404, 201, 404]),
    row("POST",    "/v1/resumes/{b1}/tailor/confirm",                     Json(r#"{"job_id":"{ja}","preview_hash":"{ha}"}"#),
                                                                                                                 [401, 401, 404, 404, 404]),
    row("POST",    "/v1/resumes/{b1}/tailor/confirm",                     Json(r#"{"job_id":"{jb}","preview_hash":"{ha}"}"#),
                                                                                                                 [401, 401, 409, 404, 404]),
    // shares
    row("GET",     "/v1/resumes/{a1}/shares",                             Empty,                                 [401, 401, 404, 200, 404]),
    row("HEAD",    "/v1/resumes/{a1}/shares",                             Empty,                                 [401, 401, 404, 200, 404]),
    row("POST",    "/v1/resumes/{a1}/shares",                             Json(r#"{"expires_in_days":7}"#),      [401, 401, 404, 201, 404]),
    row("DELETE",  "/v1/shares/{sa2}",                                    Empty,                                 [401, 401, 404, 200, 404]),
    row("GET",     "/v1/shares/{sa}",                                     Empty,                                 [401, 401, 404, 200, 404]),
    row("GET",     "/s/{sa}",                                             Empty,                                 [200, 200, 200, 200, 200]),
    row("HEAD",    "/s/{sa}",                                             Empty,                                 [405, 405, 405, 405, 405]),
    // the password form's POST: public, and it needs its form body first
    row("POST",    "/s/{sa}",                                             Empty,                                 [415, 415, 415, 415, 415]),
    // event streams (the response head only; HEAD runs the same handler)
    row("GET",     "/v1/templates",                                       Empty,                                 [401, 401, 200, 200, 200]),
    row("GET",     "/v1/templates/classic/preview.png",                   Empty,                                 [200, 200, 200, 200, 200]),
    row("GET",     "/v1/resumes/{a1}/export?format=pdf",                  Empty,                                 [401, 401, 404, 200, 404]),
    row("GET",     "/v1/resumes/{b1}/export?format=json",                 Empty,                                 [401, 401, 200, 404, 404]),
    row("POST",    "/v1/resumes/{a1}/exports",                            Json(r#"{"format":"docx"}"#),          [401, 401, 404, 202, 404]),
    row("GET",     "/v1/exports/{ea}",                                    Empty,                                 [401, 401, 404, 200, 404]),
    row("GET",     "/v1/exports/{ea}/file",                               Empty,                                 [401, 401, 404, 200, 404]),
    row("GET",     "/v1/exports/{ea}/events",                             Empty,                                 [401, 401, 404, 200, 404]),
    row("GET",     "/v1/exports/{ea}/events?access_token={tok}",          Empty,                                 [401, 401, 404, 200, 404]),
    row("GET",     "/v1/resumes/{a1}/events",                             Empty,                                 [401, 401, 404, 200, 404]),
    row("GET",     "/v1/resumes/{a1}/events?access_token={tok}",          Empty,                                 [401, 401, 404, 200, 404]),
    row("HEAD",    "/v1/resumes/{a1}/events",                             Empty,                                 [401, 401, 404, 200, 404]),
    row("GET",     "/v1/events",                                          Empty,                                 [401, 401, 200, 200, 200]),
    row("GET",     "/v1/events?access_token={tok}",                       Empty,                                 [401, 401, 200, 200, 200]),
    row("HEAD",    "/v1/events",                                          Empty,                                 [401, 401, 200, 200, 200]),
    row("GET",     "/v1/logs",                                            Empty,                                 [401, 401, 403, 403, 200]),
    row("GET",     "/v1/logs?access_token={tok}",                         Empty,                                 [401, 401, 403, 403, 200]),
    row("HEAD",    "/v1/logs",                                            Empty,                                 [401, 401, 403, 403, 200]),
    // administration
    row("POST",    "/v1/admin/tokens",                                    Json(r#"{"user":"made-by-the-matrix"}"#),
                                                                                                                 [401, 401, 403, 403, 201]),
    // the caller's own account: everyone with a token sees their own usage
    row("GET",     "/v1/account",                                         Empty,                                 [401, 401, 200, 200, 200]),
    // the web console's files are public
    row("GET",     "/app",                                                Empty,                                 [200, 200, 200, 200, 200]),
    row("HEAD",    "/app",                                                Empty,                                 [200, 200, 200, 200, 200]),
    row("GET",     "/app/",                                               Empty,                                 [200, 200, 200, 200, 200]),
    row("GET",     "/app/console.js",                                     Empty,                                 [200, 200, 200, 200, 200]),
    row("GET",     "/app/console.css",                                    Empty,                                 [200, 200, 200, 200, 200]),
];

/// The text of A's second job, which every principal posts in the matrix.
const JOB_A2_TEXT: &str =
    "Backend engineer for a logistics start-up: Go, Terraform and PostgreSQL; 3+ years.";

/// What the failed-auth and share-view rate limits allow per client IP
/// before they start answering 429 (burst sizes).
const FAILED_AUTH_BURST: usize = 60;
const SHARE_VIEW_BURST: usize = 100;

fn is_stream(row: &Row) -> bool {
    row.method == "GET" && (row.path.contains("/events") || row.path.starts_with("/v1/logs"))
}

fn is_public(row: &Row) -> bool {
    row.expect[0] != 401
}

/// The content type of a row that downloads a file rather than JSON: the
/// export routes, the template previews and the metrics.
fn file_content_type(row: &Row) -> Option<&'static str> {
    let path = row.path;
    if path.ends_with("/preview.png") {
        Some("image/png")
    } else if path == "/metrics" {
        Some("text/plain")
    } else if path.contains("/export?format=json") {
        Some("application/json")
    } else if path.contains("/export?format=pdf") || path.ends_with("/file") {
        // A's export job in the set-up is a PDF.
        Some("application/pdf")
    } else {
        None
    }
}

/// Replace `{name}` placeholders (JSON braces are left alone).
fn fill(template: &str, vars: &HashMap<&str, String>) -> String {
    let mut out = template.to_string();
    for (name, value) in vars {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    let unfilled = out.split('{').skip(1).any(|rest| {
        rest.split_once('}').is_some_and(|(name, _)| {
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric())
        })
    });
    assert!(!unfilled, "unfilled placeholder in {out}");
    out
}

/// The request of a cell as text (path and body), to tell what it carried.
fn request_text(row: &Row, vars: &HashMap<&str, String>) -> String {
    let body = match row.body {
        Json(t) | MergePatch(t) => fill(t, vars),
        Text(t) => t.to_string(),
        Empty | Upload => String::new(),
    };
    format!("{} {body}", fill(&row.path.replace("{tok}", ""), vars))
}

/// One answer of the matrix.
struct Answer {
    status: u16,
    content_type: String,
    headers: reqwest::header::HeaderMap,
    /// The whole body (empty for HEAD and for event streams, whose head is
    /// all we read).
    body: Bytes,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Send one cell. `token` is the principal's (None for no token).
async fn send_cell(
    base: &Api,
    row: &Row,
    token: Option<&str>,
    vars: &HashMap<&str, String>,
) -> Answer {
    let mut path = row.path.to_string();
    let in_query = path.contains("access_token={tok}");
    if in_query {
        path = match token {
            Some(t) => path.replace("{tok}", t),
            None => path.replace("?access_token={tok}", ""),
        };
    }
    let path = fill(&path, vars);
    let api = match (token, in_query) {
        (Some(t), false) => base.with_token(t),
        _ => base.without_token(),
    };
    if is_stream(row) {
        let s = api.sse(&path, None).await;
        let content_type = s.header("content-type").unwrap_or_default();
        return Answer {
            status: s.status.as_u16(),
            content_type,
            headers: s.headers.clone(),
            body: s.error_body.clone().unwrap_or_default(),
        };
        // The stream (if one opened) is dropped here: the head is all we check.
    }
    let method = Method::from_bytes(row.method.as_bytes()).unwrap();
    let mut rb = api.request(method, &path);
    rb = match row.body {
        Empty => rb,
        Json(t) => rb
            .header("content-type", "application/json")
            .body(fill(t, vars)),
        MergePatch(t) => rb
            .header("content-type", "application/merge-patch+json")
            .body(fill(t, vars)),
        Text(t) => rb.header("content-type", "text/plain").body(t.to_string()),
        Upload => rb.header("content-type", CT_MD).body(fixture("resume.md")),
    };
    let r = send_unchecked(rb).await;
    Answer {
        status: r.status,
        content_type: r.header("content-type").unwrap_or_default(),
        headers: r.headers.clone(),
        body: r.body,
    }
}

/// Check one answer against its cell; returns what is wrong, if anything.
fn check_cell(row: &Row, who: Who, expected: u16, a: &Answer) -> Option<String> {
    let label = format!("{} {} as {who:?}", row.method, row.path);
    if a.status != expected {
        return Some(format!(
            "{label}: expected {expected}, got {}: {}",
            a.status,
            a.text()
        ));
    }
    if row.method == "HEAD" {
        return (!a.body.is_empty()).then(|| format!("{label}: HEAD answered a body"));
    }
    let code = match expected {
        401 => Some("unauthorized"),
        403 => Some("forbidden"),
        404 => Some("not_found"),
        405 => Some("method_not_allowed"),
        409 => Some("conflict"),
        _ => None,
    };
    if let Some(code) = code {
        let r = Resp {
            status: a.status,
            headers: a.headers.clone(),
            body: a.body.clone(),
        };
        if let Err(e) = check_error_body(&r, Some(code)) {
            return Some(format!("{label}: {e}"));
        }
        if expected == 401 && r.header("www-authenticate").is_none() {
            return Some(format!("{label}: 401 without WWW-Authenticate"));
        }
        return None;
    }
    if is_stream(row) && expected == 200 && !a.content_type.starts_with("text/event-stream") {
        return Some(format!(
            "{label}: a stream answered content-type {:?}",
            a.content_type
        ));
    }
    if let Some(file_type) = file_content_type(row) {
        return (expected == 200 && !a.content_type.starts_with(file_type)).then(|| {
            format!(
                "{label}: a {file_type} file answered content-type {:?}",
                a.content_type
            )
        });
    }
    let json_api = row.path.starts_with("/v1/") && expected != 204 && !is_stream(row);
    if json_api && !a.content_type.starts_with("application/json") {
        return Some(format!(
            "{label}: content-type {:?}, not JSON",
            a.content_type
        ));
    }
    None
}

/// Everything the set-up made, and the strings that must not leak.
struct Fixture {
    a: Api,
    b: Api,
    admin: Api,
    bad_token: String,
    vars: HashMap<&'static str, String>,
    a_resumes: Vec<String>,
    a_jobs: Vec<String>,
    b_resumes: Vec<String>,
    b_jobs: Vec<String>,
    /// Strings only A's own answers (and the public share page) may hold.
    a_markers: Vec<String>,
    /// Strings only B's own answers may hold.
    b_markers: Vec<String>,
}

async fn upload_named(api: &Api, name: &str, filename: &str) -> String {
    let r = api
        .upload(fixture(name), content_type_for(name), filename)
        .await;
    assert_eq!(r.status, 202, "uploading {name}: {}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    let done = api.wait_terminal(&id).await;
    assert_eq!(done["status"], "ready", "{done}");
    id
}

async fn patch_ok(api: &Api, id: &str, patch: Value) {
    let r = api.patch(&format!("/v1/resumes/{id}"), &patch, None).await;
    assert_eq!(r.status, 200, "PATCH {id}: {}", r.text());
}

async fn post_job(api: &Api, content_type: &str, text: &str) -> String {
    let r = api
        .send(
            api.request(Method::POST, "/v1/jobs")
                .header("content-type", content_type)
                .body(text.to_string()),
        )
        .await;
    assert_eq!(r.status, 201, "POST /v1/jobs: {}", r.text());
    r.json()["id"].as_str().unwrap().to_string()
}

async fn set_up(srv: &TestServer) -> Fixture {
    let a = srv.user("authz-a").await;
    let b = srv.user("authz-b").await;
    let admin = srv.admin();
    let mark = uuid::Uuid::new_v4().simple().to_string();
    let a_doc = format!("A-DOC-{mark}");
    let a_file = format!("A-FILE-{mark}");
    let a_job = format!("A-JOB-{mark}");
    let b_doc = format!("B-DOC-{mark}");
    let b_file = format!("B-FILE-{mark}");
    let b_job = format!("B-JOB-{mark}");

    let a1 = upload_named(&a, "resume.md", &format!("{a_file}.md")).await;
    patch_ok(&a, &a1, json!({"basics": {"summary": a_doc}})).await;
    let a2 = upload_named(&a, "resume.txt", &format!("{a_file}-2.txt")).await;
    patch_ok(
        &a,
        &a2,
        json!({"basics": {"label": format!("{a_doc} two")}}),
    )
    .await;
    let a3 = upload_named(&a, "resume.json", &format!("{a_file}-3.json")).await;
    let sa = a.share(&a1, &json!({})).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let sa2 = a.share(&a1, &json!({"expires_in_days": 3})).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let backend = String::from_utf8(fixture("job_backend.md")).unwrap();
    let ja = post_job(
        &a,
        CT_MD,
        &backend.replacen(
            "# Senior Backend Engineer",
            &format!("# Senior Backend Engineer {a_job}"),
            1,
        ),
    )
    .await;
    let ja2 = post_job(&a, CT_TXT, JOB_A2_TEXT).await;
    let r = a
        .post_json(&format!("/v1/resumes/{a1}/tailor"), &json!({"job_id": ja}))
        .await;
    assert_eq!(r.status, 200, "tailor preview: {}", r.text());
    let ha = r.json()["preview_hash"].as_str().unwrap().to_string();
    let export_job = post_export(&a, &a1, &json!({"format": "pdf"})).await;
    assert_export_sequence(&export_events(&a, &export_job).await, 1);
    let ea = export_job["id"].as_str().unwrap().to_string();

    let b1 = upload_named(&b, "resume.md", &format!("{b_file}.md")).await;
    patch_ok(&b, &b1, json!({"basics": {"summary": b_doc}})).await;
    let sb = b.share(&b1, &json!({})).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let jb = post_job(
        &b,
        CT_TXT,
        &format!("Data engineer {b_job}: Python, Airflow and PostgreSQL; 4+ years."),
    )
    .await;

    let bad_token = format!(
        "vt_{}{}",
        uuid::Uuid::new_v4().simple(),
        &uuid::Uuid::new_v4().simple().to_string()[..11]
    );
    let vars: HashMap<&'static str, String> = [
        ("a1", a1.clone()),
        ("a2", a2.clone()),
        ("a3", a3.clone()),
        ("ja", ja.clone()),
        ("ja2", ja2.clone()),
        ("sa", sa.clone()),
        ("sa2", sa2.clone()),
        ("ha", ha.clone()),
        ("ea", ea.clone()),
        ("b1", b1.clone()),
        ("jb", jb.clone()),
        ("sb", sb.clone()),
    ]
    .into_iter()
    .collect();
    let a_markers = vec![
        a_doc,
        a_file,
        a_job,
        a.user_name().to_string(),
        a.token.clone().unwrap(),
        a1,
        a2,
        a3.clone(),
        ja,
        ja2,
        sa,
        sa2,
        ha,
        ea,
    ];
    let b_markers = vec![
        b_doc,
        b_file,
        b_job,
        b.user_name().to_string(),
        b.token.clone().unwrap(),
        b1.clone(),
        jb.clone(),
        sb,
    ];
    Fixture {
        a_resumes: vec![vars["a1"].clone(), vars["a2"].clone(), a3],
        a_jobs: vec![vars["ja"].clone(), vars["ja2"].clone()],
        b_resumes: vec![b1],
        b_jobs: vec![jb],
        a,
        b,
        admin,
        bad_token,
        vars,
        a_markers,
        b_markers,
    }
}

/// Everything an owner can read about the given records, by request path.
/// Single records are kept as the raw bytes of the answer (as a JSON
/// string), so "unchanged" means byte-identical; share lists are parsed (their
/// view counts may move, see [`add_share_views`]); the resume and job lists
/// are filtered to `resumes`/`jobs`, leaving out records the matrix
/// legitimately adds.
async fn snapshot(api: &Api, resumes: &[String], jobs: &[String]) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let get = |path: String| {
        let api = api.clone();
        async move {
            let r = api.get(&path).await;
            // A record that went missing shows as its error in the diff.
            let parsed = if r.status == 200 {
                r.json()
            } else {
                json!({"status": r.status, "body": r.text()})
            };
            (
                path,
                Value::String(format!("{} {}", r.status, r.text())),
                parsed,
            )
        }
    };
    let (path, _, list) = get("/v1/resumes".into()).await;
    let listed: Vec<Value> = list["resumes"]
        .as_array()
        .expect("a resume list")
        .iter()
        .filter(|r| resumes.iter().any(|id| r["id"] == id.as_str()))
        .cloned()
        .collect();
    out.insert(path, Value::Array(listed));
    for id in resumes {
        let (path, raw, resume) = get(format!("/v1/resumes/{id}")).await;
        let revision = resume["revision"].as_u64().unwrap_or(0);
        out.insert(path, raw);
        let (path, raw, _) = get(format!("/v1/resumes/{id}/revisions")).await;
        out.insert(path, raw);
        for n in 1..revision {
            let (path, raw, _) = get(format!("/v1/resumes/{id}/revisions/{n}")).await;
            out.insert(path, raw);
        }
        let (path, _, shares) = get(format!("/v1/resumes/{id}/shares")).await;
        out.insert(path, shares);
    }
    let (path, _, list) = get("/v1/jobs".into()).await;
    let listed: Vec<Value> = list["jobs"]
        .as_array()
        .expect("a job list")
        .iter()
        .filter(|j| jobs.iter().any(|id| j["id"] == id.as_str()))
        .cloned()
        .collect();
    out.insert(path, Value::Array(listed));
    for id in jobs {
        let (path, raw, _) = get(format!("/v1/jobs/{id}")).await;
        out.insert(path, raw);
    }
    out
}

/// The differences between two snapshots, as readable lines.
fn snapshot_diff(before: &BTreeMap<String, Value>, after: &BTreeMap<String, Value>) -> Vec<String> {
    let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| {
            format!(
                "{k}:\n  before {}\n  after  {}",
                before.get(k).map_or("-".into(), Value::to_string),
                after.get(k).map_or("-".into(), Value::to_string)
            )
        })
        .collect()
}

/// Account for `views` counted views of share `token` in a snapshot: its
/// `access_count` goes up by that much and `last_accessed_at` moves to the
/// value found `after` (which must be set and not earlier).
fn add_share_views(
    before: &mut BTreeMap<String, Value>,
    after: &BTreeMap<String, Value>,
    token: &str,
    views: u64,
) {
    let mut seen = false;
    for (path, value) in before.iter_mut() {
        let Some(shares) = value.get_mut("shares").and_then(Value::as_array_mut) else {
            continue;
        };
        for share in shares.iter_mut().filter(|s| s["token"] == token) {
            seen = true;
            let now = after[path]["shares"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["token"] == token)
                .unwrap_or_else(|| panic!("share {token} vanished"))["last_accessed_at"]
                .clone();
            assert!(
                is_rfc3339(&now),
                "a viewed share has last_accessed_at: {now}"
            );
            if !share["last_accessed_at"].is_null() {
                assert!(parse_time(&now) >= parse_time(&share["last_accessed_at"]));
            }
            share["access_count"] = json!(share["access_count"].as_u64().unwrap() + views);
            share["last_accessed_at"] = now;
        }
    }
    assert!(seen, "share {token} is in the snapshot");
}

/// The markers of `markers` in `body` that the request itself did not carry.
fn leaked<'m>(markers: &'m [String], body: &str, request: &str) -> Vec<&'m str> {
    markers
        .iter()
        .filter(|m| !request.contains(m.as_str()) && body.contains(m.as_str()))
        .map(String::as_str)
        .collect()
}

/// The resume ids named by the change events of a stream so far, and their raw data.
async fn drain_events(stream: &mut SseStream, window: Duration) -> (BTreeSet<String>, String) {
    let mut ids = BTreeSet::new();
    let mut raw = String::new();
    for e in stream.events_for(window).await {
        let data = e.data.clone().unwrap_or_default();
        raw.push_str(&data);
        raw.push('\n');
        if e.event_name() != "resync" {
            if let Some(id) = e.json()["resume_id"].as_str() {
                ids.insert(id.to_string());
            }
        }
    }
    (ids, raw)
}

#[tokio::test]
async fn authz_matrix() {
    let srv = TestServer::start();
    let f = set_up(&srv).await;
    let base = srv.anon();
    let token_of = |who: Who| -> Option<String> {
        match who {
            Who::NoToken => None,
            Who::BadToken => Some(f.bad_token.clone()),
            Who::OtherB => f.b.token.clone(),
            Who::OwnerA => f.a.token.clone(),
            Who::Admin => f.admin.token.clone(),
        }
    };

    // The budgets of the rate limits this file must stay under.
    let private_rows = MATRIX.iter().filter(|r| !is_public(r)).count();
    let share_views = MATRIX.iter().filter(|r| r.path.starts_with("/s/")).count() * COLUMNS.len();
    assert!(
        private_rows < FAILED_AUTH_BURST,
        "{private_rows} failed auths"
    );
    assert!(share_views < SHARE_VIEW_BURST, "{share_views} share views");
    // Every route and method of the OpenAPI document (the router's table) has
    // a row, so a new route cannot go unchecked.
    for route in routes() {
        for method in &route.methods {
            assert!(
                MATRIX
                    .iter()
                    .any(|row| row.method == method.as_str() && route.matches(row.path)),
                "no row for {method} {}",
                route.pattern
            );
        }
    }

    let mut a_stream = f.a.sse("/v1/events", None).await;
    a_stream.assert_sse_headers();
    let mut b_stream = f.b.sse("/v1/events", None).await;
    b_stream.assert_sse_headers();
    let mut admin_stream = f.admin.sse("/v1/events", None).await;
    admin_stream.assert_sse_headers();

    let a_before = snapshot(&f.a, &f.a_resumes, &f.a_jobs).await;
    let b_before = snapshot(&f.b, &f.b_resumes, &f.b_jobs).await;

    let mut problems: Vec<String> = Vec::new();
    let mut statuses: Vec<[u16; 5]> = vec![[0; 5]; MATRIX.len()];
    // Resumes the matrix lets B and the admin create (their own).
    let mut created_by: HashMap<&str, BTreeSet<String>> = HashMap::new();
    let mut bodies_checked = 0usize;

    // Pass 1: everyone but the owner.
    for (i, row) in MATRIX.iter().enumerate() {
        for (c, who) in COLUMNS.iter().enumerate() {
            if *who == Who::OwnerA {
                continue;
            }
            let token = token_of(*who);
            let a = send_cell(&base, row, token.as_deref(), &f.vars).await;
            statuses[i][c] = a.status;
            problems.extend(check_cell(row, *who, row.expect[c], &a));
            let request = request_text(row, &f.vars);
            // The share page shows A's document to anyone: that is what it is for.
            if !row.path.starts_with("/s/") {
                bodies_checked += 1;
                let body = a.text();
                let found = leaked(&f.a_markers, &body, &request);
                if !found.is_empty() {
                    problems.push(format!(
                        "{} {} as {who:?} leaks A's {found:?}: {body}",
                        row.method, row.path
                    ));
                }
            }
            if matches!(a.status, 201 | 202) && row.path.starts_with("/v1/resumes") {
                if let Some(id) = serde_json::from_slice::<Value>(&a.body)
                    .ok()
                    .and_then(|v| v["id"].as_str().map(str::to_string))
                {
                    let key = if *who == Who::OtherB { "b" } else { "admin" };
                    created_by.entry(key).or_default().insert(id);
                }
            }
        }
    }

    // Another owner's id answers exactly like an id nobody has.
    for row in MATRIX
        .iter()
        .filter(|r| r.expect[2] == 404 && r.method != "HEAD")
    {
        let mut fresh = f.vars.clone();
        for name in ["a1", "a2", "a3", "ja", "ja2", "sa", "sa2", "ea"] {
            if row.path.contains(&format!("{{{name}}}"))
                || matches!(row.body, Json(t) if t.contains(&format!("{{{name}}}")))
            {
                let random = if name.starts_with('s') {
                    uuid::Uuid::new_v4().simple().to_string()
                } else {
                    uuid::Uuid::new_v4().to_string()
                };
                fresh.insert(name, random);
            }
        }
        let foreign = send_cell(&base, row, f.b.token.as_deref(), &f.vars).await;
        let missing = send_cell(&base, row, f.b.token.as_deref(), &fresh).await;
        let message = |a: &Answer, vars: &HashMap<&str, String>| -> (u16, Value, String) {
            let v: Value = serde_json::from_slice(&a.body).unwrap_or(Value::Null);
            let mut m = v["error"]["message"].as_str().unwrap_or("").to_string();
            for (name, value) in vars {
                m = m.replace(value.as_str(), &format!("{{{name}}}"));
            }
            (a.status, v["error"]["code"].clone(), m)
        };
        let (x, y) = (message(&foreign, &f.vars), message(&missing, &fresh));
        if x != y {
            problems.push(format!(
                "{} {}: B can tell A's record from a missing one: {x:?} vs {y:?}",
                row.method, row.path
            ));
        }
    }

    // Nothing of A's or B's changed, except the views of A's share: four
    // from one client, which count once (one view per client per hour).
    let a_after = snapshot(&f.a, &f.a_resumes, &f.a_jobs).await;
    let mut a_expected = a_before.clone();
    add_share_views(&mut a_expected, &a_after, &f.vars["sa"], 1);
    problems.extend(
        snapshot_diff(&a_expected, &a_after)
            .into_iter()
            .map(|d| format!("A's data changed by the refused pass: {d}")),
    );
    let b_after = snapshot(&f.b, &f.b_resumes, &f.b_jobs).await;
    problems.extend(
        snapshot_diff(&b_before, &b_after)
            .into_iter()
            .map(|d| format!("B's data changed by the refused pass: {d}")),
    );
    // A's lists hold exactly A's records; B's hold B's plus what B made.
    let ids = |list: Vec<Value>| -> BTreeSet<String> {
        list.iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    let a_list = ids(f.a.list().await);
    if a_list != f.a_resumes.iter().cloned().collect() {
        problems.push(format!("A's resumes after the refused pass: {a_list:?}"));
    }
    let b_created = created_by.get("b").cloned().unwrap_or_default();
    let b_list = ids(f.b.list().await);
    let b_expected: BTreeSet<String> = f
        .b_resumes
        .iter()
        .cloned()
        .chain(b_created.iter().cloned())
        .collect();
    if b_list != b_expected {
        problems.push(format!(
            "B's resumes {b_list:?}, expected B's own and those B made: {b_expected:?}"
        ));
    }
    let b_jobs = ids(f.b.get("/v1/jobs").await.json()["jobs"]
        .as_array()
        .expect("a job list")
        .clone());
    if b_jobs.contains(&f.vars["ja2"]) || b_jobs.contains(&f.vars["ja"]) {
        problems.push(format!("B posting A's job text got A's job: {b_jobs:?}"));
    }

    // Pass 2: the owner.
    for (i, row) in MATRIX.iter().enumerate() {
        let a = send_cell(&base, row, f.a.token.as_deref(), &f.vars).await;
        statuses[i][3] = a.status;
        problems.extend(check_cell(row, Who::OwnerA, row.expect[3], &a));
        let found = leaked(&f.b_markers, &a.text(), &request_text(row, &f.vars));
        if !found.is_empty() {
            problems.push(format!(
                "{} {} as OwnerA leaks B's {found:?}: {}",
                row.method,
                row.path,
                a.text()
            ));
        }
    }
    // A's refused cells on B's records changed nothing.
    let b_final = snapshot(&f.b, &f.b_resumes, &f.b_jobs).await;
    problems.extend(
        snapshot_diff(&b_after, &b_final)
            .into_iter()
            .map(|d| format!("B's data changed by the owner's pass: {d}")),
    );
    // The owner's writes did happen (so the refusals above were not vacuous).
    let a2 = f.a.resume(&f.vars["a2"]).await;
    if a2["is_master"] != true || a2["revision"] != 4 {
        problems.push(format!(
            "the owner's master, PATCH and restore of a2 did not all happen: {a2}"
        ));
    }
    let r = f.a.get(&format!("/v1/resumes/{}", f.vars["a3"])).await;
    if r.status != 404 {
        problems.push(format!(
            "the owner's DELETE of a3 did not happen: {}",
            r.status
        ));
    }

    // The streams: B and the admin saw nothing of A's; A saw its own writes.
    let (a_ids, _) = drain_events(&mut a_stream, Duration::from_millis(1500)).await;
    let (b_ids, b_raw) = drain_events(&mut b_stream, Duration::from_millis(200)).await;
    let (admin_ids, admin_raw) = drain_events(&mut admin_stream, Duration::from_millis(200)).await;
    for id in ["a2", "a3"] {
        if !a_ids.contains(&f.vars[id]) {
            problems.push(format!("A's stream misses A's writes to {id}: {a_ids:?}"));
        }
    }
    let b_own: BTreeSet<String> = b_created.iter().chain(&f.b_resumes).cloned().collect();
    if !b_ids.is_subset(&b_own) {
        problems.push(format!(
            "B's stream names resumes not B's: {b_ids:?} (B's: {b_own:?})"
        ));
    }
    let admin_own = created_by.get("admin").cloned().unwrap_or_default();
    if !admin_ids.is_subset(&admin_own) {
        problems.push(format!(
            "the admin's stream names resumes not the admin's: {admin_ids:?}"
        ));
    }
    for (who, raw) in [("B", &b_raw), ("admin", &admin_raw)] {
        let found = leaked(&f.a_markers, raw, "");
        if !found.is_empty() {
            problems.push(format!("{who}'s stream carries A's {found:?}: {raw}"));
        }
    }

    if !problems.is_empty() {
        let mut table = String::new();
        for (row, got) in MATRIX.iter().zip(&statuses) {
            table.push_str(&format!("{:<7} {:<50} {got:?}\n", row.method, row.path));
        }
        panic!(
            "{} problems:\n{}\n\nstatuses (none, bad, B, A, admin):\n{table}",
            problems.len(),
            problems.join("\n")
        );
    }
    assert!(bodies_checked > 100, "{bodies_checked} bodies checked");
}
