//! Share links: create (`expires_in_days`, `expires_at`, limits), list with
//! access counts, revoke; the public view `GET /s/{token}` as HTML (escaped,
//! strict headers), JSON and Markdown; 404 unknown, 410 expired or revoked.
//!
//! One server for the whole file (with `--public-url`); each test uses its own
//! fresh user.

use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use vitae_tests::*;

const PUBLIC_URL: &str = "https://cv.example.test";

fn server() -> &'static TestServer {
    // The test client is a trusted proxy, so that tests can view a link
    // from several client addresses (`X-Forwarded-For`).
    shared_server(&["--public-url", PUBLIC_URL, "--trusted-proxy", "127.0.0.1"])
}

/// View `/s/{token}` as the client at `address`.
async fn view_from(anon: &Api, token: &str, address: &str) -> u16 {
    anon.send(
        anon.request(reqwest::Method::GET, &format!("/s/{token}"))
            .header("x-forwarded-for", address),
    )
    .await
    .status
}

async fn ready_resume(prefix: &str) -> (Api, String) {
    let api = server().user(prefix).await;
    let v = api.upload_ready("resume.md").await;
    (api, v["id"].as_str().unwrap().to_string())
}

fn approx_days_from_now(t: &serde_json::Value, days: i64) {
    let t = parse_time(t);
    let want = Utc::now() + chrono::Duration::days(days);
    let diff = (t - want).num_seconds().abs();
    assert!(diff < 120, "expires_at {t} should be about {want}");
}

#[tokio::test]
async fn create_share_defaults_to_30_days() {
    let (api, id) = ready_resume("sdef").await;
    let r = api
        .post_json(&format!("/v1/resumes/{id}/shares"), &json!({}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let s = r.json();
    assert_share_shape(&s);
    let token = s["token"].as_str().unwrap();
    assert_eq!(s["url"], format!("{PUBLIC_URL}/s/{token}"));
    assert_eq!(s["resume_id"], id.as_str());
    assert_eq!(s["revoked"], false);
    assert_eq!(s["access_count"], 0);
    assert!(s["last_accessed_at"].is_null());
    approx_days_from_now(&s["expires_at"], 30);

    // An empty body also means the defaults.
    let r = api.post_empty(&format!("/v1/resumes/{id}/shares")).await;
    assert_eq!(r.status, 201, "empty body: {}", r.text());
    let s2 = r.json();
    approx_days_from_now(&s2["expires_at"], 30);
    assert_ne!(s2["token"], s["token"], "tokens are unique");

    let list = api.shares(&id).await;
    assert_eq!(list.len(), 2, "{list:?}");
    for s in &list {
        assert_share_shape(s);
    }
}

#[tokio::test]
async fn create_share_with_days_and_expires_at() {
    let (api, id) = ready_resume("sdays").await;
    let s = api.share(&id, &json!({"expires_in_days": 7})).await;
    approx_days_from_now(&s["expires_at"], 7);
    let s = api.share(&id, &json!({"expires_in_days": 1})).await;
    approx_days_from_now(&s["expires_at"], 1);
    let s = api.share(&id, &json!({"expires_in_days": 365})).await;
    approx_days_from_now(&s["expires_at"], 365);
    let at = (Utc::now() + chrono::Duration::days(3)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let s = api.share(&id, &json!({"expires_at": at})).await;
    approx_days_from_now(&s["expires_at"], 3);
}

#[tokio::test]
async fn create_share_out_of_range_422_wrong_types_400() {
    let (api, id) = ready_resume("srange").await;
    let path = format!("/v1/resumes/{id}/shares");
    let past = (Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let too_far = (Utc::now() + chrono::Duration::days(400)).to_rfc3339();
    for body in [
        json!({"expires_in_days": 0}),
        json!({"expires_in_days": 366}),
        json!({"expires_in_days": 100000}),
        json!({"expires_at": past}),
        json!({"expires_at": too_far}),
    ] {
        api.post_json(&path, &body)
            .await
            .assert_error(422, "unprocessable");
    }
    for body in [
        json!({"expires_in_days": "ten"}),
        json!({"expires_in_days": 1.5}),
        json!({"expires_in_days": [1]}),
        json!({"expires_at": 12345}),
        json!([]),
        json!("x"),
    ] {
        let r = api.post_json(&path, &body).await;
        assert_eq!(r.status, 400, "body {body}: {}", r.text());
        r.assert_error(400, "bad_request");
    }
    let r = api
        .send(
            api.request(reqwest::Method::POST, &path)
                .header("content-type", "application/json")
                .body("{\"expires_in_days\": "),
        )
        .await;
    r.assert_error(400, "bad_request");
    assert!(api.shares(&id).await.is_empty(), "nothing was created");
}

#[tokio::test]
async fn share_on_unknown_resume_404() {
    let api = server().user("s404").await;
    let unknown = uuid::Uuid::new_v4();
    api.post_json(&format!("/v1/resumes/{unknown}/shares"), &json!({}))
        .await
        .assert_error(404, "not_found");
    api.get(&format!("/v1/resumes/{unknown}/shares"))
        .await
        .assert_error(404, "not_found");
    api.delete("/v1/shares/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        .await
        .assert_error(404, "not_found");
}

#[tokio::test]
async fn public_view_html_is_escaped_with_strict_headers() {
    let (api, id) = ready_resume("shtml").await;
    let evil = "<script>alert(1)</script>";
    let r = api
        .patch(
            &format!("/v1/resumes/{id}"),
            &json!({"basics": {"name": evil, "summary": "a \"quoted\" & <b>bold</b> 'x'"}}),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let s = api.share(&id, &json!({})).await;
    let token = s["token"].as_str().unwrap();
    let anon = api.without_token();
    for accept in [
        None,
        Some("text/html"),
        Some("text/html,application/xhtml+xml,*/*;q=0.8"),
    ] {
        let mut rb = anon.request(reqwest::Method::GET, &format!("/s/{token}"));
        if let Some(a) = accept {
            rb = rb.header("accept", a);
        }
        let r = anon.send(rb).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let ct = r.header("content-type").unwrap_or_default();
        assert!(ct.starts_with("text/html"), "content-type {ct:?}");
        assert!(
            ct.to_ascii_lowercase().contains("charset=utf-8"),
            "the page declares UTF-8 (the name has an ë): {ct:?}"
        );
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("default-src 'none'"), "CSP {csp:?}");
        assert_eq!(
            r.header("x-content-type-options").as_deref(),
            Some("nosniff")
        );
        assert_eq!(r.header("referrer-policy").as_deref(), Some("no-referrer"));
        let body = r.text();
        assert!(!body.contains(evil), "raw script in the page: {body}");
        assert!(!body.contains("<script"), "no script tag at all: {body}");
        assert!(!body.contains("<b>bold</b>"), "raw markup in the page");
        assert!(
            body.contains("&lt;script&gt;"),
            "escaped name shown: {body}"
        );
        assert!(body.contains(FIXTURE_EMAIL), "email shown: {body}");
    }
}

#[tokio::test]
async fn public_view_json_and_markdown() {
    let (api, id) = ready_resume("sneg").await;
    let s = api.share(&id, &json!({"expires_in_days": 2})).await;
    let token = s["token"].as_str().unwrap();
    let anon = api.without_token();

    let r = anon
        .send(
            anon.request(reqwest::Method::GET, &format!("/s/{token}"))
                .header("accept", "application/json"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r
        .header("content-type")
        .unwrap_or_default()
        .starts_with("application/json"));
    let doc = r.json();
    assert_eq!(
        doc["basics"]["name"], FIXTURE_NAME,
        "the JSON Resume document: {doc}"
    );
    assert_eq!(doc["basics"]["email"], FIXTURE_EMAIL);

    let r = anon
        .send(
            anon.request(reqwest::Method::GET, &format!("/s/{token}"))
                .header("accept", "text/markdown"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r
        .header("content-type")
        .unwrap_or_default()
        .starts_with("text/markdown"));
    let ct = r
        .header("content-type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(
        ct.contains("charset=utf-8"),
        "RFC 7763: text/markdown needs a charset: {ct:?}"
    );
    let md = r.text();
    assert!(md.contains(FIXTURE_NAME), "{md}");
    assert!(md.contains(FIXTURE_EMAIL), "{md}");
}

#[tokio::test]
async fn repeated_views_from_one_client_count_once() {
    let (api, id) = ready_resume("scount").await;
    let s = api.share(&id, &json!({})).await;
    let token = s["token"].as_str().unwrap();
    let anon = api.without_token();
    for _ in 0..5 {
        assert_eq!(view_from(&anon, token, "198.51.100.7").await, 200);
        assert_eq!(
            anon.get(&format!("/s/{token}?format=json")).await.status,
            200
        );
    }
    let count = |list: Vec<serde_json::Value>| {
        let mine = list
            .iter()
            .find(|s| s["token"] == token)
            .expect("share listed")
            .clone();
        assert!(is_rfc3339(&mine["last_accessed_at"]), "{mine}");
        mine["access_count"].clone()
    };
    // Ten views from two clients (the proxied one and the proxy itself).
    assert_eq!(count(api.shares(&id).await), 2);
    // A third client counts; an IPv6 client is its /64.
    assert_eq!(view_from(&anon, token, "2001:db8:5:6::1").await, 200);
    assert_eq!(view_from(&anon, token, "2001:db8:5:6::2").await, 200);
    assert_eq!(count(api.shares(&id).await), 3);
}

#[tokio::test]
async fn revoked_share_is_410() {
    let (api, id) = ready_resume("srev").await;
    let s = api.share(&id, &json!({})).await;
    let token = s["token"].as_str().unwrap();
    let anon = api.without_token();
    assert_eq!(anon.get(&format!("/s/{token}")).await.status, 200);

    // Another owner cannot revoke it.
    let other = server().user("srevother").await;
    other
        .delete(&format!("/v1/shares/{token}"))
        .await
        .assert_error(404, "not_found");
    assert_eq!(anon.get(&format!("/s/{token}")).await.status, 200);

    let r = api.delete(&format!("/v1/shares/{token}")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_share_shape(&v);
    assert_eq!(v["revoked"], true);
    assert_eq!(v["token"], token);

    let r = anon
        .send(
            anon.request(reqwest::Method::GET, &format!("/s/{token}"))
                .header("accept", "application/json"),
        )
        .await;
    r.assert_error(410, "gone");
    let r = anon.get(&format!("/s/{token}")).await;
    assert_eq!(r.status, 410, "HTML view of a revoked share");
    let list = api.shares(&id).await;
    let mine = list
        .iter()
        .find(|s| s["token"] == token)
        .expect("still listed");
    assert_eq!(mine["revoked"], true);
}

#[tokio::test]
async fn expired_share_is_410() {
    let (api, id) = ready_resume("sexp").await;
    let at =
        (Utc::now() + chrono::Duration::seconds(2)).to_rfc3339_opts(SecondsFormat::Millis, true);
    let s = api.share(&id, &json!({"expires_at": at})).await;
    let token = s["token"].as_str().unwrap();
    let anon = api.without_token();
    let r = anon.get(&format!("/s/{token}")).await;
    assert_eq!(r.status, 200, "not yet expired: {}", r.text());
    tokio::time::sleep(Duration::from_millis(3200)).await;
    let r = anon
        .send(
            anon.request(reqwest::Method::GET, &format!("/s/{token}"))
                .header("accept", "application/json"),
        )
        .await;
    r.assert_error(410, "gone");
    assert_eq!(anon.get(&format!("/s/{token}")).await.status, 410);
}

#[tokio::test]
async fn unknown_share_is_404() {
    let anon = server().anon();
    for token in ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "x", "..%2F..%2Fetc"] {
        let r = anon
            .send(
                anon.request(reqwest::Method::GET, &format!("/s/{token}"))
                    .header("accept", "application/json"),
            )
            .await;
        r.assert_error(404, "not_found");
        assert_eq!(anon.get(&format!("/s/{token}")).await.status, 404);
    }
}

#[tokio::test]
async fn public_view_needs_no_auth_and_ignores_bad_auth() {
    let (api, id) = ready_resume("snoauth").await;
    let s = api.share(&id, &json!({})).await;
    let token = s["token"].as_str().unwrap();
    let stranger = api.with_token("garbage-token");
    let r = stranger.get(&format!("/s/{token}")).await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn share_limit_is_configurable() {
    let srv = TestServer::start_with(&[
        "--share-max-days",
        "7",
        "--share-default-days",
        "7",
        "--public-url",
        "http://x.test/base",
    ]);
    let api = srv.user("smax").await;
    let v = api.upload_ready("resume.txt").await;
    let id = v["id"].as_str().unwrap();
    let s = api.share(id, &json!({"expires_in_days": 7})).await;
    let token = s["token"].as_str().unwrap();
    assert_eq!(s["url"], format!("http://x.test/base/s/{token}"));
    api.post_json(
        &format!("/v1/resumes/{id}/shares"),
        &json!({"expires_in_days": 8}),
    )
    .await
    .assert_error(422, "unprocessable");
}

#[tokio::test]
async fn public_view_neutralises_hostile_links() {
    let (api, id) = ready_resume("slinks").await;
    let r = api
        .patch(
            &format!("/v1/resumes/{id}"),
            &json!({
                "basics": {
                    "url": "javascript:alert(1)",
                    "email": "x@example.com\" onmouseover=\"alert(2)",
                    "profiles": [
                        {"network": "GitHub", "username": "zoe", "url": "https://example.com/\" onclick=\"alert(3)"},
                        {"network": "Evil", "username": "e", "url": "JaVaScRiPt:alert(4)"},
                        {"network": "Data", "username": "d", "url": "data:text/html,<script>alert(5)</script>"}
                    ]
                },
                "work": [{"name": "<img src=x onerror=alert(6)>", "position": "P", "url": "vbscript:msgbox(7)"}]
            }),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let s = api.share(&id, &json!({})).await;
    let token = s["token"].as_str().unwrap();
    let r = api.without_token().get(&format!("/s/{token}")).await;
    assert_eq!(r.status, 200);
    let body = r.text();
    let lower = body.to_ascii_lowercase();
    for bad in [
        "href=\"javascript:",
        "href='javascript:",
        "href=javascript:",
        "href=\"vbscript:",
        "href=\"data:",
        "onmouseover=\"alert",
        "onclick=\"alert",
        "<img",
        "<script",
    ] {
        assert!(!lower.contains(bad), "page contains {bad:?}:\n{body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_accesses_are_all_counted() {
    let (api, id) = ready_resume("sconc").await;
    let s = api.share(&id, &json!({})).await;
    let token = s["token"].as_str().unwrap().to_string();
    let anon = api.without_token();
    // Forty clients at once, each viewing twice: forty views.
    let futs = (0..80).map(|i| {
        let anon = anon.clone();
        let token = token.clone();
        tokio::spawn(
            async move { view_from(&anon, &token, &format!("203.0.113.{}", i % 40)).await },
        )
    });
    for s in futures_util::future::join_all(futs).await {
        assert_eq!(s.unwrap(), 200);
    }
    let list = api.shares(&id).await;
    assert_eq!(
        list[0]["access_count"], 40,
        "no lost increments: {}",
        list[0]
    );
}

#[tokio::test]
async fn the_store_file_holds_no_share_token_in_clear() {
    let srv = TestServer::start();
    let api = srv.user("sclear").await;
    let id = api.upload_ready("resume.md").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let token = api.share(&id, &json!({})).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(srv.anon().get(&format!("/s/{token}")).await.status, 200);
    // The owner sees the link again...
    let listed = api.shares(&id).await;
    assert_eq!(listed[0]["token"], token.as_str());
    assert!(listed[0]["url"].as_str().unwrap().ends_with(&token));
    // ...while the store file holds only its hash and the sealed token;
    // the key lives beside it, private.
    // (On PostgreSQL there is no store file here; the backend's own test
    // `share_views_count_once_per_client_and_are_stored_in_rows` checks
    // the table holds the token sealed.)
    if srv.database_url().is_none() {
        let bytes = std::fs::read(srv.data_dir().join("vitae.redb")).unwrap();
        assert!(
            !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
            "the share token is in vitae.redb in clear"
        );
    }
    let key = srv.data_dir().join("share.key");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&key).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600, "share.key is private");
}
