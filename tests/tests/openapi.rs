//! The OpenAPI document at `/openapi.json`, as a client sees it: served
//! without a token as JSON, an OpenAPI 3.1 document whose `servers` and
//! `paths` a tool can use against this very server, revalidated with its
//! strong `ETag` (304), and HEAD like GET.
//!
//! The live cross-check: every operation the document lists is answered by
//! the running server on that path with that method (never a 404 "no route"
//! or a 405), and its `security` says the truth — private operations answer
//! 401 without a token, public ones do not ask for one. (That the document
//! lists exactly the router's table is a unit test in
//! `server/src/http/openapi.rs`; that every answer conforms to it is
//! `scripts/schemathesis.sh`.)

use reqwest::Method;
use serde_json::Value;
use vitae_tests::*;

fn server() -> &'static TestServer {
    shared_server(&[])
}

async fn spec() -> (Resp, Value) {
    let r = server().anon().get("/openapi.json").await;
    let v = r.json();
    (r, v)
}

#[tokio::test]
async fn served_without_a_token_as_an_openapi_3_1_document() {
    let (r, spec) = spec().await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json")
    );
    assert!(r.header("x-request-id").is_some());
    assert_eq!(spec["openapi"], "3.1.0");
    assert_eq!(spec["info"]["title"], "Vitae API");
    assert!(spec["info"]["version"].is_string());

    // A bad token does not get in the way of a public document.
    let anon = server().anon();
    let r = anon
        .send(
            anon.request(Method::GET, "/openapi.json")
                .header("authorization", "Bearer nonsense"),
        )
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn servers_and_paths_are_usable_against_this_server() {
    let (_, spec) = spec().await;
    // One relative server: requests go to wherever the document came from.
    let servers = spec["servers"].as_array().expect("servers");
    assert_eq!(servers.len(), 1);
    assert_eq!(servers[0]["url"], "/");

    let paths = spec["paths"].as_object().expect("paths");
    for expected in [
        "/healthz",
        "/openapi.json",
        "/v1/resumes",
        "/v1/resumes/{id}",
        "/v1/resumes/{id}/events",
        "/s/{token}",
        "/v1/admin/tokens",
    ] {
        assert!(
            paths.contains_key(expected),
            "no {expected} in {:?}",
            paths.keys()
        );
    }
    for (path, item) in paths {
        assert!(path.starts_with('/'), "{path}");
        assert!(!path.contains("//") && !path.contains(':'), "{path}");
        for (method, op) in item.as_object().unwrap() {
            assert!(
                ["get", "post", "put", "patch", "delete"].contains(&method.as_str()),
                "{method} {path}"
            );
            assert!(
                op["operationId"].is_string(),
                "{method} {path}: operationId"
            );
            let responses = op["responses"].as_object().expect("responses");
            // A form post succeeds with 303 See Other (post/redirect/get).
            assert!(
                responses.keys().any(|s| s.starts_with('2') || s == "303"),
                "{method} {path}: no success answer"
            );
        }
    }
}

/// A concrete path for a pattern, with values the server can route.
fn concrete(pattern: &str) -> String {
    pattern
        .replace("{id}", "0f3c2a8e-5d1b-4c7a-9e6f-2b8d4a1c3e5f")
        .replace("{revision}", "1")
        .replace("{token}", "no-such-token")
        .replace("{asset}", "console.js")
}

#[tokio::test]
async fn every_documented_operation_is_routed_with_the_documented_auth() {
    let (_, spec) = spec().await;
    let default_security = spec["security"].clone();
    let anon = server().anon();
    let mut checked = 0;
    for (pattern, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let path = concrete(pattern);
            let security = op.get("security").unwrap_or(&default_security);
            let public = security.as_array().is_some_and(Vec::is_empty);
            let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
            let what = format!("{method} {path}");
            let r = anon.send(anon.request(method.clone(), &path)).await;
            assert_ne!(
                r.status,
                405,
                "{what}: not routed for this method: {}",
                r.text()
            );
            assert!(
                !r.text().contains("no route for"),
                "{what}: no route: {}",
                r.text()
            );
            if public {
                assert_ne!(
                    r.status,
                    401,
                    "{what} is documented as public: {}",
                    r.text()
                );
            } else {
                r.assert_error(401, "unauthorized");
                assert_eq!(
                    r.header("www-authenticate").as_deref(),
                    Some("Bearer realm=\"vitae\""),
                    "{what}"
                );
            }
            // Whatever the answer, it is one the document lists.
            let status = r.status.to_string();
            assert!(
                op["responses"].get(&status).is_some(),
                "{what} answered {status}, which the document does not list"
            );
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} operations");
}

#[tokio::test]
async fn revalidates_with_a_strong_etag_and_head_works() {
    let anon = server().anon();
    let (r, _) = spec().await;
    let etag = r.header("etag").expect("an ETag");
    assert!(
        etag.starts_with('"') && etag.ends_with('"'),
        "strong: {etag}"
    );
    assert_eq!(r.header("cache-control").as_deref(), Some("no-cache"));

    for validator in [etag.clone(), format!("W/{etag}"), "*".to_string()] {
        let r = anon
            .send(
                anon.request(Method::GET, "/openapi.json")
                    .header("if-none-match", &validator),
            )
            .await;
        assert_eq!(r.status, 304, "If-None-Match: {validator}");
        assert!(r.body.is_empty());
        assert_eq!(r.header("etag").as_deref(), Some(etag.as_str()));
    }
    let r = anon
        .send(
            anon.request(Method::GET, "/openapi.json")
                .header("if-none-match", "\"something-else\""),
        )
        .await;
    assert_eq!(r.status, 200);

    let head = anon.send(anon.request(Method::HEAD, "/openapi.json")).await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("etag").as_deref(), Some(etag.as_str()));
    assert_eq!(
        head.header("content-type").as_deref(),
        Some("application/json")
    );

    let post = anon.send(anon.request(Method::POST, "/openapi.json")).await;
    post.assert_error(405, "method_not_allowed");
    assert_eq!(post.header("allow").as_deref(), Some("GET, OPTIONS"));
}

// ---- what schemathesis found ----------------------------------------------
//
// Regression tests for the server bugs `scripts/schemathesis.sh` found (see
// docs/api.md, "OpenAPI spec").

/// A `Last-Event-ID` whose bytes are not visible ASCII was taken for no
/// header at all: the parse stream replayed everything instead of refusing
/// it, and the account stream sent no `resync`.
#[tokio::test]
async fn an_unreadable_last_event_id_is_still_a_last_event_id() {
    let api = server().user("lei").await;
    let resume = api.upload_ready("resume.md").await;
    let id = resume["id"].as_str().unwrap();
    let odd = reqwest::header::HeaderValue::from_bytes(b"\xc2\x84").unwrap();

    let r = api
        .send(
            api.request(Method::GET, &format!("/v1/resumes/{id}/events"))
                .header("last-event-id", odd.clone()),
        )
        .await;
    r.assert_error(400, "bad_request");

    // The account stream answers an id it cannot replay with `resync`.
    let response = api
        .request(Method::GET, "/v1/events")
        .header("last-event-id", odd)
        .send()
        .await
        .expect("account stream");
    assert_eq!(response.status(), 200);
    let mut body = response.bytes_stream();
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + FRAME_TIMEOUT;
    while !seen.contains("event: resync") {
        use futures_util::StreamExt;
        match tokio::time::timeout_at(deadline, body.next()).await {
            Ok(Some(Ok(bytes))) => seen.push_str(&String::from_utf8_lossy(&bytes)),
            other => panic!("no resync on the account stream (got {seen:?}, then {other:?})"),
        }
    }
}

/// A job's `skills` entries were read from arrays by position
/// (`[["Rust", ["tokio"]]]` was the skill Rust), not refused like every
/// other wrong type.
#[tokio::test]
async fn job_skills_are_objects() {
    let api = server().user("skills").await;
    for skills in [
        serde_json::json!([[null, null]]),
        serde_json::json!([["Rust", ["tokio"]]]),
    ] {
        let r = api
            .post_json(
                "/v1/jobs",
                &serde_json::json!({"title": "Engineer", "skills": skills}),
            )
            .await;
        let body = r.assert_error(422, "unprocessable");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("skills[0]"),
            "{body}"
        );
    }
    let r = api
        .post_json(
            "/v1/jobs",
            &serde_json::json!({"title": "Engineer", "skills": [{"name": "Rust", "level": {"x": 1}}]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["keywords"]["skills"][0], "Rust");
}
