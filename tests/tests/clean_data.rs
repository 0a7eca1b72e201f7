//! Clean data at every boundary, and least privilege for the parse worker
//! (issue 18), against the real server binary.
//!
//! Proves: the Markdown forms of a hostile resume (export and share) read
//! back by a real CommonMark parser carry no HTML, image, unsafe link or
//! injected heading; every form of a share (page, JSON, Markdown, DOCX)
//! publishes only the public view; job titles become clean, bounded names
//! and cannot forge a log line; the language model's URL credentials, key
//! and error body reach neither a preview nor the log; the parse worker
//! cannot open `vitae.redb`, bind or connect a socket, sees no `VITAE_*`
//! variable and holds no descriptor but its pipes; `server.url` is 0600.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag};
use serde_json::{json, Value};
use vitae_tests::*;

fn server() -> &'static TestServer {
    shared_server(&[])
}

/// Upload `doc` as a JSON Resume and wait until it is ready.
async fn upload_doc(api: &Api, doc: &Value, filename: &str) -> String {
    let r = api
        .upload(doc.to_string().into_bytes(), "application/json", filename)
        .await;
    assert_eq!(r.status, 202, "upload: {}", r.text());
    let id = r.json()["id"].as_str().expect("id").to_string();
    let done = api.wait_terminal(&id).await;
    assert_eq!(done["status"], "ready", "{done}");
    id
}

/// `GET /s/{token}{query}` without credentials.
async fn view(api: &Api, token: &str, query: &str) -> Resp {
    let anon = api.without_token();
    let r = anon.get(&format!("/s/{token}{query}")).await;
    assert_eq!(r.status, 200, "/s/{token}{query}: {}", r.text());
    r
}

// ---- Markdown ---------------------------------------------------------------

const HOSTILE: [&str; 10] = [
    "<script>alert(1)</script>",
    "<iframe src=\"https://evil.example/\"></iframe>",
    "[click](javascript:alert(1))",
    "![x](http://evil/)",
    "# Injected heading",
    "ok\n# Injected heading\n<script>alert(2)</script>",
    "`code` ```fence```",
    "&lt;script&gt;alert(3)&lt;/script&gt;",
    "Title\n===\n- item\n1. item",
    "<img src=x onerror=alert(4)>",
];

fn hostile_document() -> Value {
    json!({
        "basics": {"name": HOSTILE[0], "label": HOSTILE[1], "email": "a@example.com",
                   "url": "javascript:alert(5)", "summary": HOSTILE.join("\n\n"),
                   "location": {"city": HOSTILE[4]}},
        "work": HOSTILE.iter().map(|v| json!({"name": v, "position": v,
                 "summary": v, "highlights": [v]})).collect::<Vec<_>>(),
        "projects": [{"name": HOSTILE[3], "url": "javascript:alert(6)"},
                     {"name": "Safe", "url": "https://vitae.example/p"}]
    })
}

/// Everything a CommonMark reader would make of `md` that is not text in
/// the renderer's own structure: a list of problems, empty when clean.
fn markup_in(md: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let (mut h1, mut h2, mut h3, mut items) = (0, 0, 0, 0);
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM;
    for event in Parser::new_ext(md, options) {
        match &event {
            Event::Html(h) | Event::InlineHtml(h) => problems.push(format!("raw HTML {h:?}")),
            Event::Start(Tag::HtmlBlock) => problems.push("an HTML block".into()),
            Event::Start(Tag::Image { dest_url, .. }) => {
                problems.push(format!("an image {dest_url:?}"))
            }
            Event::Start(Tag::Link { dest_url, .. })
                if !dest_url.starts_with("https://") && !dest_url.starts_with("http://") =>
            {
                problems.push(format!("a link to {dest_url:?}"))
            }
            Event::Start(Tag::Heading { level, .. }) => match level {
                HeadingLevel::H1 => h1 += 1,
                HeadingLevel::H2 => h2 += 1,
                HeadingLevel::H3 => h3 += 1,
                other => problems.push(format!("an {other:?} heading")),
            },
            Event::Start(Tag::Item) => items += 1,
            Event::Code(_) | Event::Start(Tag::CodeBlock(_) | Tag::Table(_)) => {
                problems.push(format!("{event:?}"))
            }
            _ => {}
        }
    }
    // One name; Experience and Projects; an entry heading each; one
    // highlight per job.
    let expected = (1, 2, HOSTILE.len() + 2, HOSTILE.len());
    if (h1, h2, h3, items) != expected {
        problems.push(format!(
            "structure (h1, h2, h3, items) = {:?}, not {expected:?}",
            (h1, h2, h3, items)
        ));
    }
    problems
}

#[tokio::test]
async fn markdown_forms_of_a_hostile_resume_carry_no_markup() {
    let api = server().user("cleanmd").await;
    let id = upload_doc(&api, &hostile_document(), "hostile.json").await;

    let export = api.get(&format!("/v1/resumes/{id}/export?format=md")).await;
    assert_eq!(export.status, 200, "{}", export.text());
    let problems = markup_in(&export.text());
    assert!(problems.is_empty(), "{problems:?}\n{}", export.text());

    let share = api.share(&id, &json!({})).await;
    let token = share["token"].as_str().unwrap();
    let md = view(&api, token, "?format=md").await.text();
    let problems = markup_in(&md);
    assert!(problems.is_empty(), "{problems:?}\n{md}");
    // The values are still there, as text a reader sees.
    assert!(md.contains("\\<script\\>alert(1)\\</script\\>"), "{md}");
    assert!(md.contains("<https://vitae.example/p>"), "{md}");
}

// ---- the public view of a share ---------------------------------------------

fn private_document() -> Value {
    json!({
        "basics": {"name": "Zoë Lindqvist", "label": "Staff Engineer", "email": "zoe@example.com",
                   "image": "https://example.com/private-photo.jpg",
                   "location": {"address": "Storgatan 12", "postalCode": "75220",
                                "city": "Uppsala", "countryCode": "SE"},
                   "x-private": {"salary": "SALARY-98765"}},
        "work": [{"name": "Nordlys Systems AB", "position": "Staff Engineer", "startDate": "2019-03",
                  "highlights": ["Cut p99 ingest latency from 800 ms to 90 ms"],
                  "x-private": {"reason": "LEAVING-REASON"}}],
        "x-private": {"salary": "SALARY-12345"}
    })
}

const PRIVATE: [&str; 6] = [
    "Storgatan",
    "75220",
    "SALARY-98765",
    "SALARY-12345",
    "LEAVING-REASON",
    "private-photo",
];

#[tokio::test]
async fn every_share_form_shows_only_the_public_view() {
    let api = server().user("cleanview").await;
    let id = upload_doc(&api, &private_document(), "private.json").await;
    // The owner still has every detail.
    let own = api.resume(&id).await["document"].to_string();
    for private in PRIVATE {
        assert!(own.contains(private), "{private} kept for the owner: {own}");
    }
    let share = api.share(&id, &json!({})).await;
    let token = share["token"].as_str().unwrap();

    let page = view(&api, token, "?format=html").await.text();
    let json_form = view(&api, token, "?format=json").await;
    let markdown = view(&api, token, "?format=md").await.text();
    let docx = view(&api, token, "?format=docx").await;
    let docx = docx_text(&docx.body);
    for (form, text) in [
        ("html", &page),
        ("json", &json_form.text()),
        ("md", &markdown),
        ("docx", &docx),
    ] {
        for private in PRIVATE {
            assert!(
                !text.contains(private),
                "{private} published in {form}:\n{text}"
            );
        }
        assert!(text.contains("Uppsala"), "{form} shows the city:\n{text}");
        assert!(
            text.contains("Cut p99 ingest latency"),
            "{form} shows the work:\n{text}"
        );
    }
    let public = json_form.json();
    assert_eq!(
        public["basics"]["location"],
        json!({"city": "Uppsala", "countryCode": "SE"})
    );
    assert!(public.get("x-private").is_none(), "{public}");
}

// ---- names and logs ---------------------------------------------------------

const FORGED: &str =
    "Engineer\n\u{1b}[0m2026-12-07T02:00:00.000000Z  INFO vitae_server::http::admin: token created user=mallory admin=true by=admin";

/// `POST /v1/jobs` with a JSON job description titled `title`.
async fn job_titled(api: &Api, title: &str) -> Value {
    let body = json!({"title": title, "description": "Build services in Rust and PostgreSQL.",
                      "skills": [{"name": "Rust"}]});
    let r = api
        .send(
            api.request(reqwest::Method::POST, "/v1/jobs")
                .header("content-type", "application/json")
                .body(body.to_string()),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()
}

/// Preview and confirm `resume` for `job`; the new tailored resume.
async fn tailor(api: &Api, resume: &str, job: &Value) -> Value {
    let job_id = job["id"].as_str().unwrap();
    let r = api
        .post_json(
            &format!("/v1/resumes/{resume}/tailor"),
            &json!({"job_id": job_id}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let hash = r.json()["preview_hash"].as_str().unwrap().to_string();
    let r = api
        .post_json(
            &format!("/v1/resumes/{resume}/tailor/confirm"),
            &json!({"job_id": job_id, "preview_hash": hash}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()
}

#[track_caller]
fn assert_clean_name(name: &str) {
    assert!(
        name.chars().count() <= 200,
        "{} chars",
        name.chars().count()
    );
    assert!(
        !name
            .chars()
            .any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
        "{name:?}"
    );
}

#[tokio::test]
async fn hostile_job_titles_become_clean_names_and_forge_no_log_line() {
    let server = TestServer::start_with_env(&[], &[("RUST_LOG", "debug")]);
    let api = server.user("cleannames").await;
    let resume = api.upload_ready("resume.json").await;
    let resume = resume["id"].as_str().unwrap().to_string();

    let long = "J".repeat(100_000);
    for title in [FORGED, long.as_str(), "Rust \u{202e}reenignE"] {
        let job = job_titled(&api, title).await;
        assert_clean_name(job["title"].as_str().unwrap());
        let tailored = tailor(&api, &resume, &job).await;
        let id = tailored["id"].as_str().unwrap();
        let filename = tailored["filename"].as_str().unwrap();
        assert_clean_name(filename);
        assert!(filename.ends_with(").json"), "{filename}");
        let revisions = api.get(&format!("/v1/resumes/{id}/revisions")).await;
        assert_eq!(revisions.status, 200, "{}", revisions.text());
        let origin = revisions.json()["revisions"][0]["origin"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(origin.starts_with("tailored for "), "{origin}");
        assert_clean_name(&origin);
        // Deleting logs the filename.
        assert_eq!(api.delete(&format!("/v1/resumes/{id}")).await.status, 204);
    }
    // A hostile upload name is cleaned the same way.
    let r = api
        .upload(
            fixture("resume.json"),
            "application/json",
            "cv\n\u{1b}[31m INFO forged admin=true.json",
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text());
    assert_clean_name(r.json()["filename"].as_str().unwrap());

    let stderr = server.stderr_contents();
    assert!(stderr.contains("resume deleted"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "an escape reached the log");
    for line in stderr.lines() {
        assert!(
            !(line.contains("token created") && line.contains("admin=true")),
            "a forged record: {line}"
        );
        assert!(!line.contains("forged admin=true") || !line.starts_with(" INFO"));
    }
}

// ---- the language model -----------------------------------------------------

/// A one-shot provider that answers every request with HTTP 500 and a body
/// quoting a secret, as some gateways quote the key they refused.
fn failing_provider(secret: &'static str) -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().unwrap();
    let handle = std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            // Read the head and as much of the body as Content-Length says.
            while let Ok(n) = stream.read(&mut buf) {
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&request).to_ascii_lowercase();
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if request.len() >= end + 4 + length {
                        break;
                    }
                }
            }
            let body = format!("{{\"error\": \"invalid api key {secret}\"}}");
            let _ = write!(
                stream,
                "HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (format!("http://{addr}"), handle)
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn language_model_credentials_and_errors_reach_no_warning_or_log() {
    const BODY_SECRET: &str = "sk-BODY-SECRET-5150";
    let (failing, _provider) = failing_provider(BODY_SECRET);
    let closed = format!("http://127.0.0.1:{}", closed_port());
    for (base, says) in [
        (closed.as_str(), "could not be reached"),
        (failing.as_str(), "answered with an error (HTTP 500)"),
    ] {
        let url = base.replace("http://", "http://llmuser:URL-PASSWORD-1@") + "/v1?key=QUERY-KEY-2";
        let server = TestServer::start_with_env(
            &[
                "--llm-url",
                &url,
                "--llm-model",
                "fake",
                "--llm-timeout-secs",
                "5",
            ],
            &[
                ("RUST_LOG", "debug"),
                ("VITAE_LLM_API_KEY", "ENV-API-KEY-3"),
            ],
        );
        let api = server.user("cleanllm").await;
        let resume = api.upload_ready("resume.json").await;
        let job = job_titled(&api, "Backend Engineer").await;
        let r = api
            .post_json(
                &format!("/v1/resumes/{}/tailor", resume["id"].as_str().unwrap()),
                &json!({"job_id": job["id"]}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let preview = r.text();
        let warnings = r.json()["warnings"].to_string();
        assert!(
            warnings.contains(says) && warnings.contains("the deterministic result is shown"),
            "{base}: {warnings}"
        );
        let stderr = server.stderr_contents();
        assert!(stderr.contains("language-model drafts failed"), "{stderr}");
        assert!(
            stderr.contains("http://***@127.0.0.1:"),
            "the start-up log names the provider, redacted: {stderr}"
        );
        for secret in [
            "URL-PASSWORD-1",
            "QUERY-KEY-2",
            "ENV-API-KEY-3",
            BODY_SECRET,
            "llmuser",
        ] {
            assert!(
                !preview.contains(secret),
                "{secret} in the preview: {preview}"
            );
            assert!(!stderr.contains(secret), "{secret} in the log: {stderr}");
        }
    }
}

// ---- the parse worker's sandbox ---------------------------------------------

#[tokio::test]
async fn the_parse_worker_cannot_reach_the_data_or_the_network() {
    let root = tempfile::tempdir().unwrap();
    let data_dir = root.path().join("data");
    std::fs::create_dir(&data_dir).unwrap();
    let redb = data_dir.join("vitae.redb");
    // A descriptor a careless supervisor would leak: open, and inheritable.
    let leaked = leak_a_descriptor(&root.path().join("leaked"));
    let server = TestServer::start_in_with_env(
        &data_dir,
        &[],
        &[
            ("VITAE_TEST_PARSE_PROBE", redb.to_str().unwrap()),
            ("VITAE_LLM_API_KEY", "must-not-reach-the-worker"),
        ],
    );
    assert!(redb.exists(), "the store is {}", redb.display());
    let api = server.user("sandbox").await;
    let created = api.upload_fixture("resume.md").await;
    let id = created["id"].as_str().unwrap();
    let mut stream = api.sse(&format!("/v1/resumes/{id}/events"), None).await;
    let mut probe = None;
    let mut terminal = None;
    while let Some(frame) = stream.next_event(Duration::from_secs(60)).await {
        let data = frame.json();
        if let Some(message) = data["message"].as_str() {
            if message.starts_with("sandbox probe:") {
                probe = Some(message.to_string());
            }
        }
        if frame.event_name() == "complete" || frame.event_name() == "failed" {
            terminal = Some(frame.event_name().to_string());
            break;
        }
    }
    // The confined worker still parses.
    assert_eq!(terminal.as_deref(), Some("complete"));
    let probe = probe.expect("the worker's probe report");
    assert!(probe.contains("file denied"), "{probe}");
    assert!(probe.contains("bind denied"), "{probe}");
    assert!(probe.contains("connect denied"), "{probe}");
    assert!(probe.contains("env 0;"), "an empty environment: {probe}");
    assert!(probe.contains("vitae_env []"), "{probe}");
    let fds = probe
        .split("fds [")
        .nth(1)
        .and_then(|rest| rest.strip_suffix(']'))
        .expect("the descriptor list");
    // This test process holds descriptors without close-on-exec (cargo's
    // jobserver pipes, at least the one opened below): they reach the
    // server as a supervisor's leak would, and the server keeps them from
    // the worker, which gets its three pipes and nothing else.
    assert!(
        inheritable_fds().contains(&leaked.to_string()),
        "the test leaks descriptor {leaked} to the server"
    );
    for fd in fds.split(',').filter(|fd| !fd.is_empty()) {
        let (number, target) = fd.split_once('=').unwrap_or((fd, ""));
        assert!(
            ["0", "1", "2"].contains(&number) && target.starts_with("pipe:"),
            "the worker holds descriptor {fd}: {probe}"
        );
    }
}

/// Open `path` and clear its descriptor's close-on-exec flag, as a
/// supervisor that leaks descriptors would leave it; the file stays open
/// for the rest of the test process (answers its number).
fn leak_a_descriptor(path: &std::path::Path) -> i32 {
    use std::os::fd::IntoRawFd;
    let fd = std::fs::File::create(path).unwrap().into_raw_fd();
    // SAFETY: `fd` was just taken out of its `File`, so nothing else owns
    // it; F_SETFD to 0 only clears its close-on-exec flag.
    assert_eq!(unsafe { libc::fcntl(fd, libc::F_SETFD, 0) }, 0);
    fd
}

/// This process's descriptors above 2 that a child inherits (no
/// close-on-exec flag in `/proc/self/fdinfo`).
fn inheritable_fds() -> Vec<String> {
    const O_CLOEXEC: u32 = 0o2_000_000;
    std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.parse::<u32>().is_ok_and(|n| n > 2))
        .filter(|n| {
            std::fs::read_to_string(format!("/proc/self/fdinfo/{n}"))
                .ok()
                .and_then(|info| {
                    info.lines()
                        .find_map(|l| l.strip_prefix("flags:"))
                        .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
                })
                .is_some_and(|flags| flags & O_CLOEXEC == 0)
        })
        .collect()
}

// ---- server.url -------------------------------------------------------------

#[tokio::test]
async fn server_url_is_readable_by_the_owner_only() {
    let server = TestServer::start();
    // The server answers only once `server.url` is written.
    assert_eq!(server.anon().get("/healthz").await.status, 200);
    for name in ["server.url", "admin.token"] {
        let path = server.data_dir().join(name);
        let mode = std::fs::metadata(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name} is {:o}", mode & 0o777);
    }
}
