//! Operations: `/healthz`, CORS allow-list and preflight, the admin-only log
//! stream `/v1/logs`, `?access_token=` never logged, and graceful shutdown
//! (SIGTERM ends open streams, exit 0 within 15 s).
//!
//! One shared server (with two allowed CORS origins); shutdown tests start their own.

use std::time::{Duration, Instant};

use reqwest::Method;
use vitae_tests::*;

const ORIGIN_A: &str = "https://app.example.test";
const ORIGIN_B: &str = "http://localhost:5173";

fn server() -> &'static TestServer {
    shared_server(&["--cors-origin", ORIGIN_A, "--cors-origin", ORIGIN_B])
}

#[tokio::test]
async fn healthz_without_auth() {
    let r = server().anon().get("/healthz").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["status"], "ok");
    assert!(v["version"].as_str().is_some_and(|s| !s.is_empty()), "{v}");
}

#[tokio::test]
async fn cors_preflight_allows_listed_origins_only() {
    let anon = server().anon();
    for origin in [ORIGIN_A, ORIGIN_B] {
        for (path, method) in [("/v1/resumes", "POST"), ("/v1/events", "GET")] {
            let r = anon
                .send(
                    anon.request(Method::OPTIONS, path)
                        .header("origin", origin)
                        .header("access-control-request-method", method)
                        .header(
                            "access-control-request-headers",
                            "authorization, content-type",
                        ),
                )
                .await;
            assert_eq!(
                r.status,
                204,
                "preflight {path} from {origin}: {}",
                r.text()
            );
            assert_eq!(
                r.header("access-control-allow-origin").as_deref(),
                Some(origin),
                "preflight {path}"
            );
            let methods = r
                .header("access-control-allow-methods")
                .unwrap_or_default()
                .to_ascii_uppercase();
            assert!(methods.contains(method), "allow-methods {methods:?}");
            let headers = r
                .header("access-control-allow-headers")
                .unwrap_or_default()
                .to_ascii_lowercase();
            assert!(
                headers.contains("authorization"),
                "allow-headers {headers:?}"
            );
            let vary = r.header("vary").unwrap_or_default().to_ascii_lowercase();
            assert!(vary.contains("origin"), "Vary: Origin, got {vary:?}");
        }
    }
    let r = anon
        .send(
            anon.request(Method::OPTIONS, "/v1/resumes")
                .header("origin", "https://evil.example.test")
                .header("access-control-request-method", "POST"),
        )
        .await;
    assert!(r.status < 500);
    assert!(
        r.header("access-control-allow-origin").is_none(),
        "disallowed origin got {:?}",
        r.header("access-control-allow-origin")
    );
}

#[tokio::test]
async fn cors_actual_requests_echo_allowed_origin_never_star() {
    let srv = server();
    let api = srv.user("cors").await;
    let r = api
        .send(
            api.request(Method::GET, "/v1/resumes")
                .header("origin", ORIGIN_A),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("access-control-allow-origin").as_deref(),
        Some(ORIGIN_A)
    );
    let r = api
        .send(
            api.request(Method::GET, "/v1/resumes")
                .header("origin", "https://evil.example.test"),
        )
        .await;
    assert!(r.header("access-control-allow-origin").is_none());
    // Errors carry it too, so a browser can read the error body.
    let r = api
        .without_token()
        .send(
            api.without_token()
                .request(Method::GET, "/v1/resumes")
                .header("origin", ORIGIN_B),
        )
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.header("access-control-allow-origin").as_deref(),
        Some(ORIGIN_B)
    );
    for path in ["/healthz", "/v1/resumes"] {
        let r = api
            .send(api.request(Method::GET, path).header("origin", ORIGIN_A))
            .await;
        assert_ne!(
            r.header("access-control-allow-origin").as_deref(),
            Some("*")
        );
    }
}

#[tokio::test]
async fn cors_default_allows_no_origin() {
    let srv = TestServer::start();
    let anon = srv.anon();
    let r = anon
        .send(
            anon.request(Method::OPTIONS, "/v1/resumes")
                .header("origin", ORIGIN_A)
                .header("access-control-request-method", "GET"),
        )
        .await;
    assert!(
        r.header("access-control-allow-origin").is_none(),
        "{:?}",
        r.headers
    );
}

#[tokio::test]
async fn logs_are_admin_only() {
    let srv = server();
    let user = srv.user("nolog").await;
    let s = user.sse("/v1/logs", None).await;
    s.as_resp().assert_error(403, "forbidden");
    let s = user
        .without_token()
        .sse_query_token("/v1/logs", user.token.as_deref().unwrap())
        .await;
    s.as_resp().assert_error(403, "forbidden");

    let mut logs = srv.admin().sse("/v1/logs", None).await;
    logs.assert_sse_headers();
    // Make something to log.
    for _ in 0..3 {
        user.get("/v1/resumes").await;
        user.get("/v1/does-not-exist").await;
    }
    let f = logs.wait_for_event("log", Duration::from_secs(10)).await;
    assert!(f.id.is_some() && f.retry.is_some(), "{f:?}");
    let d = f.json();
    assert!(is_rfc3339(&d["time"]), "{d}");
    for k in ["level", "target", "message"] {
        assert!(d[k].is_string(), "{k} in {d}");
    }
    assert!(d["fields"].is_object(), "fields in {d}");
    // The request line carries its span: id, method and path, with the
    // event's own status and duration.
    let deadline = Instant::now() + Duration::from_secs(10);
    let missing = format!("/v1/resumes/{}", uuid::Uuid::new_v4());
    loop {
        user.get(&missing).await;
        let f = logs.wait_for_event("log", Duration::from_secs(5)).await;
        let d = f.json();
        if d["message"] == "request" && d["span"]["path"] == missing.as_str() {
            assert_eq!(d["span"]["method"], "GET", "{d}");
            let id = d["span"]["id"].as_str().unwrap_or_default();
            assert!(
                id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()),
                "{d}"
            );
            assert_eq!(d["fields"]["status"], 404, "{d}");
            assert!(d["fields"]["ms"].is_number(), "{d}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no request record with its span: last {d}"
        );
    }
}

#[tokio::test]
async fn access_token_is_never_logged() {
    let srv = server();
    let stderr_start = std::fs::metadata(srv.stderr_path())
        .map(|m| m.len())
        .unwrap_or(0);
    let mut logs = srv.admin().sse("/v1/logs", None).await;
    logs.assert_sse_headers();

    let user = srv.user("secret").await;
    let v = user.upload_ready("resume.md").await;
    let id = v["id"].as_str().unwrap();
    let token = user.token.clone().unwrap();
    let bogus = "bogusTOKENmarker1234567890abcdef";
    let anon = user.without_token();
    {
        let mut s = anon
            .sse_query_token(&format!("/v1/resumes/{id}/events"), &token)
            .await;
        s.assert_sse_headers();
        s.events_to_end(Duration::from_secs(5)).await;
        let mut s = anon.sse_query_token("/v1/events", &token).await;
        s.assert_sse_headers();
        let _ = s.try_next_frame(Duration::from_millis(200)).await;
        let s = anon.sse_query_token("/v1/events", bogus).await;
        assert_eq!(s.status.as_u16(), 401);
        let s = anon
            .sse_query_token(&format!("/v1/resumes/{id}/events"), bogus)
            .await;
        assert_eq!(s.status.as_u16(), 401);
        // A non-SSE endpoint with the query parameter: whatever it answers, not logged.
        let r = anon
            .send(anon.request(Method::GET, &format!("/v1/resumes?access_token={bogus}")))
            .await;
        assert!(r.status < 500);
    }
    // Collect what the log stream says for a moment.
    let deadline = Instant::now() + Duration::from_millis(1500);
    let mut seen = String::new();
    let mut count = 0;
    while Instant::now() < deadline {
        let left = deadline.saturating_duration_since(Instant::now());
        match logs.try_next_frame(left).await {
            Ok(Some(f)) => {
                if let Some(d) = f.data {
                    count += 1;
                    seen.push_str(&d);
                    seen.push('\n');
                }
            }
            _ => break,
        }
    }
    assert!(count > 0, "the log stream showed the requests");
    for secret in [token.as_str(), bogus] {
        assert!(
            !seen.contains(secret),
            "log stream contains an access token: {seen}"
        );
    }
    let stderr = read_from(&srv.stderr_path(), stderr_start);
    for secret in [token.as_str(), bogus] {
        assert!(
            !stderr.contains(secret),
            "stderr contains an access token:\n{}",
            tail(&stderr, 30)
        );
    }
}

#[tokio::test]
async fn sigterm_ends_streams_and_exits_zero() {
    let mut srv = TestServer::start_with(&["--heartbeat-secs", "1", "--workers", "1"]);
    let api = srv.user("term").await;
    api.upload_ready("resume.md").await;
    // A parse stream of a resume still queued behind slower ones.
    let mut last = String::new();
    for i in 0..10 {
        let name = ["resume.pdf", "resume.docx"][i % 2];
        last = api.upload_fixture(name).await["id"]
            .as_str()
            .unwrap()
            .to_string();
    }
    let mut parse = api.sse(&format!("/v1/resumes/{last}/events"), None).await;
    parse.assert_sse_headers();
    let mut account = api.sse("/v1/events", None).await;
    account.assert_sse_headers();
    let mut logs = srv.admin().sse("/v1/logs", None).await;
    logs.assert_sse_headers();
    let mut account2 = api
        .without_token()
        .sse_query_token("/v1/events", api.token.as_deref().unwrap())
        .await;
    account2.assert_sse_headers();

    let t0 = Instant::now();
    srv.signal(libc::SIGTERM);
    for (name, s) in [
        ("account", &mut account),
        ("logs", &mut logs),
        ("account2", &mut account2),
        ("parse", &mut parse),
    ] {
        let left = Duration::from_secs(15).saturating_sub(t0.elapsed());
        let deadline = Instant::now() + left;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match s.try_next_frame(left).await {
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(()) => panic!("{name} stream still open {:?} after SIGTERM", t0.elapsed()),
            }
        }
    }
    let status = srv
        .wait_exit(Duration::from_secs(15).saturating_sub(t0.elapsed()))
        .await
        .unwrap_or_else(|| panic!("no exit within 15 s of SIGTERM"));
    assert!(status.success(), "exit status {status}");
}

#[tokio::test]
async fn sigterm_while_parsing_then_restart_finishes_them() {
    let mut srv = TestServer::start_with(&["--workers", "1"]);
    let api = srv.user("termparse").await;
    let token = api.token.clone().unwrap();
    let mut ids = Vec::new();
    for i in 0..16 {
        let name = GOOD_FIXTURES[i % GOOD_FIXTURES.len()];
        ids.push(
            api.upload_fixture(name).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let status = srv.stop().await;
    assert!(status.success(), "exit status {status}");
    srv.restart();
    let api = srv.api(&token);
    for id in &ids {
        assert_eq!(api.wait_terminal(id).await["status"], "ready");
    }
}

#[tokio::test]
async fn request_ids_differ() {
    let anon = server().anon();
    let a = anon
        .get("/v1/resumes")
        .await
        .assert_error(401, "unauthorized");
    let b = anon
        .get("/v1/resumes")
        .await
        .assert_error(401, "unauthorized");
    assert_ne!(a["error"]["request_id"], b["error"]["request_id"]);
    let r = anon.get("/v1/nope").await;
    let body = r.assert_error(404, "not_found");
    if let Some(h) = r.header("x-request-id") {
        assert_eq!(
            body["error"]["request_id"],
            h.as_str(),
            "header and body agree"
        );
    }
}

#[tokio::test]
async fn logs_accept_admin_access_token_query() {
    let srv = server();
    let mut logs = srv
        .anon()
        .sse_query_token("/v1/logs", srv.admin_token())
        .await;
    logs.assert_sse_headers();
    srv.anon().get("/healthz").await;
    srv.anon().get("/v1/resumes").await;
    let f = logs.wait_for_event("log", Duration::from_secs(10)).await;
    assert!(f.json()["message"].is_string());
}

#[tokio::test]
async fn toml_config_file_sets_options() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("vitae.toml");
    std::fs::write(
        &cfg,
        "max_upload_bytes = 2048\nshare_max_days = 5\nshare_default_days = 2\npublic_url = \"https://cfg.example.test\"\n",
    )
    .unwrap();
    let srv = TestServer::start_with(&["--config", cfg.to_str().unwrap()]);
    let api = srv.user("cfg").await;
    api.upload(vec![b'a'; 2049], CT_TXT, "big.txt")
        .await
        .assert_error(413, "payload_too_large");
    let v = api.upload_ready("resume.md").await;
    let id = v["id"].as_str().unwrap();
    let s = api.share(id, &json!({})).await;
    assert!(
        s["url"]
            .as_str()
            .unwrap()
            .starts_with("https://cfg.example.test/s/"),
        "{s}"
    );
    let days = (parse_time(&s["expires_at"]) - chrono::Utc::now()).num_hours();
    assert!((46..=48).contains(&days), "default from the file: {s}");
    api.post_json(
        &format!("/v1/resumes/{id}/shares"),
        &json!({"expires_in_days": 6}),
    )
    .await
    .assert_error(422, "unprocessable");
}

#[tokio::test]
async fn bad_config_fails_to_start_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = run_cli(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--data-dir",
        data.to_str().unwrap(),
        "--cors-origin",
        "*",
    ]);
    assert!(!out.status.success(), "CORS origin * must be refused");
    assert!(!String::from_utf8_lossy(&out.stderr).trim().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_queue_answers_429_never_5xx() {
    let srv = TestServer::start_with(&["--workers", "1", "--queue-capacity", "1"]);
    let api = srv.user("busy").await;
    let futs = (0..30).map(|i| {
        let api = api.clone();
        let name = ["resume.pdf", "resume.docx"][i % 2];
        tokio::spawn(async move {
            api.upload(fixture(name), content_type_for(name), name)
                .await
        })
    });
    let mut accepted = Vec::new();
    let mut busy = 0;
    for r in futures_util::future::join_all(futs).await {
        let r = r.expect("task");
        match r.status {
            202 => accepted.push(r.json()["id"].as_str().unwrap().to_string()),
            429 => {
                r.assert_error(429, "too_many_requests");
                busy += 1;
            }
            s => panic!("upload answered {s}: {}", r.text()),
        }
    }
    assert_eq!(accepted.len() + busy, 30);
    // Every accepted upload finishes; a refused one left nothing behind.
    for id in &accepted {
        assert_eq!(api.wait_terminal(id).await["status"], "ready");
    }
    assert_eq!(api.list().await.len(), accepted.len());
}
