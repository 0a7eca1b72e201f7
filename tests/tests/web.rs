//! Browsers at the HTTP level: the web console's files at `/app` (types,
//! strict headers, ETag revalidation, HEAD, no auth) and CORS as a browser
//! sees it — an allowed origin reads answers, errors and event streams in
//! credentials mode and passes preflights; another origin gets a 403
//! preflight and no CORS headers; the server's own origin (the console's
//! same-origin requests) is allowed with no configuration at all.
//!
//! What a real browser does with these answers (the console driving an
//! upload, a cross-origin `EventSource`) is tested in Chromium elsewhere;
//! this file pins the headers those tests depend on.
//!
//! One shared server allows [`ALLOWED`]; same-origin tests start their own
//! server with no allow-list.

use futures_util::StreamExt;
use reqwest::header::HeaderMap;
use reqwest::Method;
use vitae_tests::*;

const ALLOWED: &str = "http://127.0.0.1:9";
const OTHER: &str = "https://evil.example.test";
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn server() -> &'static TestServer {
    shared_server(&["--cors-origin", ALLOWED])
}

async fn get_with(api: &Api, path: &str, headers: &[(&str, &str)]) -> Resp {
    let mut rb = api.request(Method::GET, path);
    for (name, value) in headers {
        rb = rb.header(*name, *value);
    }
    api.send(rb).await
}

async fn preflight(api: &Api, path: &str, origin: &str, method: &str, headers: &str) -> Resp {
    api.send(
        api.request(Method::OPTIONS, path)
            .header("origin", origin)
            .header("access-control-request-method", method)
            .header("access-control-request-headers", headers),
    )
    .await
}

/// The response lets a page on `origin` read it, in credentials mode.
#[track_caller]
fn assert_cors_allowed(headers: &HeaderMap, origin: &str, what: &str) {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    assert_eq!(
        get("access-control-allow-origin"),
        Some(origin),
        "{what}: {headers:?}"
    );
    assert_eq!(
        get("access-control-allow-credentials"),
        Some("true"),
        "{what}: {headers:?}"
    );
    let vary: Vec<String> = headers
        .get_all("vary")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase)
        .collect();
    assert!(
        vary.iter()
            .any(|v| v.split(',').any(|n| n.trim() == "origin")),
        "{what}: Vary: Origin, got {vary:?}"
    );
    let expose = get("access-control-expose-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    for name in ["etag", "location", "x-request-id", "retry-after"] {
        assert!(
            expose.split(',').any(|n| n.trim() == name),
            "{what}: expose {name}, got {expose:?}"
        );
    }
}

/// The response gives a page on another origin nothing to read.
#[track_caller]
fn assert_no_cors(headers: &HeaderMap, what: &str) {
    for name in [
        "access-control-allow-origin",
        "access-control-allow-credentials",
        "access-control-expose-headers",
    ] {
        assert!(headers.get(name).is_none(), "{what}: {name} in {headers:?}");
    }
}

/// Open a stream (which may never end) and return its status, headers and
/// first bytes; the connection is dropped afterwards.
async fn stream_head(url: &str, headers: &[(&str, &str)]) -> (u16, HeaderMap, String) {
    let mut rb = reqwest::Client::new().get(url);
    for (name, value) in headers {
        rb = rb.header(*name, *value);
    }
    let response = tokio::time::timeout(HTTP_TIMEOUT, rb.send())
        .await
        .expect("stream head within the timeout")
        .expect("stream request");
    let status = response.status().as_u16();
    let head = response.headers().clone();
    let mut body = response.bytes_stream();
    let first = match tokio::time::timeout(FRAME_TIMEOUT, body.next()).await {
        Ok(Some(Ok(bytes))) => String::from_utf8_lossy(&bytes).into_owned(),
        _ => String::new(),
    };
    (status, head, first)
}

// ---- the console's files ---------------------------------------------------

#[tokio::test]
async fn console_page_is_served_with_strict_headers_and_no_token() {
    let anon = server().anon();
    let mut etags = Vec::new();
    for path in ["/app", "/app/"] {
        let r = anon.get(path).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        assert_eq!(
            r.header("content-type").as_deref(),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(r.header("content-security-policy").as_deref(), Some(CSP));
        assert_eq!(
            r.header("x-content-type-options").as_deref(),
            Some("nosniff")
        );
        assert_eq!(r.header("referrer-policy").as_deref(), Some("no-referrer"));
        assert_eq!(r.header("cache-control").as_deref(), Some("no-cache"));
        etags.push(r.header("etag").expect("etag"));

        let page = r.text();
        // The DOM contract the browser tests rely on.
        for id in [
            "token",
            "token-save",
            "file",
            "upload",
            "progress",
            "parse-status",
            "resume",
            "resume-name",
            "resumes",
            "share-days",
            "share-create",
            "shares",
            "error",
        ] {
            assert!(page.contains(&format!("id=\"{id}\"")), "{path}: no #{id}");
        }
        // Every control is labelled.
        for id in ["token", "file", "share-days"] {
            assert!(
                page.contains(&format!("for=\"{id}\"")),
                "no label for #{id}"
            );
        }
        // Nothing inline (the CSP would block it) and nothing from elsewhere.
        assert!(page.contains("<script src=\"/app/console.js\""));
        assert!(page.contains("href=\"/app/console.css\""));
        assert_eq!(page.matches("<script").count(), 1, "one script, by src");
        assert!(!page.contains("<style") && !page.contains(" style="));
        for attr in ["src=\"", "href=\""] {
            for value in page.split(attr).skip(1) {
                assert!(
                    value.starts_with("/app/") || value.starts_with("data:"),
                    "{path}: {attr}{}",
                    &value[..value.len().min(40)]
                );
            }
        }
    }
    assert_eq!(etags[0], etags[1], "/app and /app/ are the same page");

    // No token needed, and a bad one does not get in the way.
    let r = anon
        .send(
            anon.request(Method::GET, "/app")
                .header("authorization", "Bearer nonsense"),
        )
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn assets_have_their_types_and_revalidate_with_etags() {
    let anon = server().anon();
    let mut seen = Vec::new();
    for (path, content_type) in [
        ("/app", "text/html; charset=utf-8"),
        ("/app/console.js", "text/javascript; charset=utf-8"),
        ("/app/console.css", "text/css; charset=utf-8"),
    ] {
        let r = anon.get(path).await;
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type").as_deref(), Some(content_type));
        assert_eq!(r.header("cache-control").as_deref(), Some("no-cache"));
        assert_eq!(
            r.header("x-content-type-options").as_deref(),
            Some("nosniff")
        );
        assert!(!r.body.is_empty());
        let etag = r.header("etag").expect("etag");
        assert!(
            etag.len() > 2 && etag.starts_with('"') && etag.ends_with('"'),
            "{path}: a strong, quoted ETag: {etag}"
        );

        // Unchanged: 304, no body, the same validator.
        let weak = format!("W/{etag}");
        let listed = format!("\"other\", {etag}");
        for validator in [etag.as_str(), weak.as_str(), listed.as_str(), "*"] {
            let r = get_with(&anon, path, &[("if-none-match", validator)]).await;
            assert_eq!(r.status, 304, "{path} If-None-Match {validator}");
            assert!(r.body.is_empty(), "{path}: 304 has no body");
            assert_eq!(r.header("etag").as_deref(), Some(etag.as_str()));
            assert_eq!(r.header("cache-control").as_deref(), Some("no-cache"));
        }
        // Changed (another validator): the whole file again.
        let r = get_with(&anon, path, &[("if-none-match", "\"stale\"")]).await;
        assert_eq!(r.status, 200, "{path}");
        assert!(!r.body.is_empty());
        seen.push(etag);
    }
    seen.dedup();
    assert_eq!(seen.len(), 3, "each file has its own ETag: {seen:?}");
}

#[tokio::test]
async fn head_answers_the_headers_without_a_body() {
    let anon = server().anon();
    for path in ["/app", "/app/console.js", "/app/console.css"] {
        let get = anon.get(path).await;
        let head = anon.send(anon.request(Method::HEAD, path)).await;
        assert_eq!(head.status, 200, "HEAD {path}");
        assert!(head.body.is_empty(), "HEAD {path} has no body");
        for name in ["content-type", "etag", "cache-control"] {
            assert_eq!(head.header(name), get.header(name), "HEAD {path}: {name}");
        }
        assert_eq!(
            head.header("content-length"),
            Some(get.body.len().to_string()),
            "HEAD {path}: the length of the GET body"
        );
    }
}

#[tokio::test]
async fn console_routes_take_get_only_and_unknown_files_are_json_404s() {
    let anon = server().anon();
    let r = anon.send(anon.request(Method::POST, "/app")).await;
    r.assert_error(405, "method_not_allowed");
    assert_eq!(r.header("allow").as_deref(), Some("GET, OPTIONS"));
    for path in ["/app/nope.js", "/app/console.js.map", "/app/a/b"] {
        anon.get(path).await.assert_error(404, "not_found");
    }
}

#[tokio::test]
async fn console_script_sets_text_only_and_loads_nothing_from_elsewhere() {
    let script = server().anon().get("/app/console.js").await.text();
    for sink in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
    ] {
        assert!(!script.contains(sink), "console.js uses {sink}");
    }
    assert!(
        !script.contains("http://") && !script.contains("https://"),
        "no absolute URLs: the console talks to its own origin only"
    );
    // The API the console documents by using it.
    for used in [
        "EventSource",
        "?access_token=",
        ".close()",
        "'complete'",
        "'failed'",
        "'vitae.token'",
        "sessionStorage",
        "/v1/resumes",
        "/shares",
        "/v1/shares/",
        "textContent",
    ] {
        assert!(script.contains(used), "console.js should use {used}");
    }
    let style = server().anon().get("/app/console.css").await.text();
    assert!(!style.contains("@import") && !style.contains("url("));
}

// ---- CORS: an allowed origin -----------------------------------------------

#[tokio::test]
async fn allowed_origin_reads_answers_and_errors_in_credentials_mode() {
    let srv = server();
    let api = srv.user("corsweb").await;
    let origin = [("origin", ALLOWED)];

    let r = get_with(&api, "/v1/resumes", &origin).await;
    assert_eq!(r.status, 200);
    assert_cors_allowed(&r.headers, ALLOWED, "GET /v1/resumes");

    let r = api
        .send(
            api.request(Method::POST, "/v1/resumes")
                .query(&[("filename", "resume.md")])
                .header("origin", ALLOWED)
                .header("content-type", CT_MD)
                .body(fixture("resume.md")),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text());
    assert_cors_allowed(&r.headers, ALLOWED, "POST /v1/resumes");
    assert!(r.header("location").is_some());

    // Errors too, so a page can read `error.message`.
    let anon = api.without_token();
    let r = get_with(&anon, "/v1/resumes", &origin).await;
    r.assert_error(401, "unauthorized");
    assert_cors_allowed(&r.headers, ALLOWED, "401");
    let r = get_with(&api, "/v1/nope", &origin).await;
    r.assert_error(404, "not_found");
    assert_cors_allowed(&r.headers, ALLOWED, "404 route");
    let missing = format!("/v1/resumes/{}", uuid::Uuid::new_v4());
    let r = get_with(&api, &missing, &origin).await;
    r.assert_error(404, "not_found");
    assert_cors_allowed(&r.headers, ALLOWED, "404 resume");
    let r = api
        .send(
            api.request(Method::POST, "/v1/resumes")
                .header("origin", ALLOWED)
                .header("content-type", CT_PDF)
                .body("not a pdf"),
        )
        .await;
    r.assert_error(415, "unsupported_media_type");
    assert_cors_allowed(&r.headers, ALLOWED, "415");
    let r = anon
        .send(
            anon.request(Method::DELETE, "/healthz")
                .header("origin", ALLOWED),
        )
        .await;
    r.assert_error(405, "method_not_allowed");
    assert_cors_allowed(&r.headers, ALLOWED, "405");

    for path in ["/healthz", "/v1/resumes", "/app"] {
        let r = get_with(&api, path, &origin).await;
        assert_ne!(
            r.header("access-control-allow-origin").as_deref(),
            Some("*")
        );
    }
}

#[tokio::test]
async fn allowed_origin_reads_event_streams_with_the_query_token() {
    let srv = server();
    let api = srv.user("corssse").await;
    let token = api.token.clone().expect("token");
    let ready = api.upload_ready("resume.md").await;
    let id = ready["id"].as_str().expect("id");
    let events_url = ready["events_url"].as_str().expect("events_url");

    // What `new EventSource(events_url + '?access_token=' + token,
    // {withCredentials: true})` sends from a page on ALLOWED: no
    // Authorization header, the token in the query, and Origin.
    let anon = api.without_token();
    let path = format!("{events_url}?access_token={token}");
    let r = get_with(
        &anon,
        &path,
        &[("origin", ALLOWED), ("accept", "text/event-stream")],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r
        .header("content-type")
        .is_some_and(|ct| ct.starts_with("text/event-stream")));
    assert_cors_allowed(&r.headers, ALLOWED, "parse stream");
    let body = r.text();
    assert!(body.contains("event: progress"), "{body}");
    assert!(
        body.contains("event: complete") && body.contains(id),
        "{body}"
    );

    // The reconnect after the terminal event: 204, which a page may read too.
    let r = get_with(
        &anon,
        &path,
        &[("origin", ALLOWED), ("last-event-id", TERMINAL_ID)],
    )
    .await;
    assert_eq!(r.status, 204);
    assert_cors_allowed(&r.headers, ALLOWED, "204 after the terminal event");

    // A refused stream (bad token) is an error the page may read.
    let r = get_with(
        &anon,
        &format!("{events_url}?access_token=vt_wrong"),
        &[("origin", ALLOWED)],
    )
    .await;
    r.assert_error(401, "unauthorized");
    assert_cors_allowed(&r.headers, ALLOWED, "401 stream");

    // The account stream never ends: check its head and first bytes.
    let (status, headers, first) = stream_head(
        &srv.api(&token)
            .url(&format!("/v1/events?access_token={token}")),
        &[("origin", ALLOWED)],
    )
    .await;
    assert_eq!(status, 200);
    assert_cors_allowed(&headers, ALLOWED, "account stream");
    assert!(first.starts_with(": stream open"), "{first:?}");
}

#[tokio::test]
async fn allowed_origin_preflights_succeed_with_credentials() {
    let anon = server().anon();
    let id = uuid::Uuid::new_v4();
    for (path, method, headers) in [
        ("/v1/resumes", "POST", "authorization, content-type"),
        (
            &format!("/v1/resumes/{id}/events") as &str,
            "GET",
            "last-event-id",
        ),
        (
            &format!("/v1/resumes/{id}/shares"),
            "POST",
            "authorization, content-type",
        ),
        (
            &format!("/v1/resumes/{id}"),
            "PATCH",
            "authorization, content-type, if-match",
        ),
        ("/v1/shares/sometoken", "DELETE", "authorization"),
    ] {
        let r = preflight(&anon, path, ALLOWED, method, headers).await;
        assert_eq!(r.status, 204, "preflight {method} {path}: {}", r.text());
        assert_cors_allowed(&r.headers, ALLOWED, path);
        let methods = r.header("access-control-allow-methods").unwrap_or_default();
        assert!(
            methods.split(", ").any(|m| m == method),
            "{path}: {methods:?}"
        );
        let allowed = r
            .header("access-control-allow-headers")
            .unwrap_or_default()
            .to_ascii_lowercase();
        for header in headers.split(", ") {
            assert!(
                allowed.split(", ").any(|h| h == header),
                "{path}: {header} in {allowed:?}"
            );
        }
        assert_eq!(r.header("access-control-max-age").as_deref(), Some("600"));
        assert!(r.body.is_empty());
    }
}

// ---- CORS: another origin --------------------------------------------------

#[tokio::test]
async fn other_origins_get_a_403_preflight_and_no_cors_headers() {
    let srv = server();
    let api = srv.user("corsother").await;
    let anon = api.without_token();
    // Lookalikes of the allowed origin are other origins.
    for origin in [
        OTHER,
        "http://127.0.0.1:10",
        "https://127.0.0.1:9",
        "http://127.0.0.1:9.evil.test",
    ] {
        let r = preflight(&anon, "/v1/resumes", origin, "POST", "authorization").await;
        let body = r.assert_error(403, "forbidden");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(origin), "{message}");
        assert!(
            message.contains(&format!("--cors-origin {origin}"))
                && message.contains("cors_origins"),
            "the 403 says how to allow the origin: {message}"
        );
        assert_no_cors(&r.headers, origin);
        assert!(r.header("access-control-allow-methods").is_none());

        // A simple request is served (the browser hides the answer).
        let r = get_with(&api, "/v1/resumes", &[("origin", origin)]).await;
        assert_eq!(r.status, 200);
        assert_no_cors(&r.headers, origin);
        assert!(r.header("vary").is_some_and(|v| v.contains("Origin")));
    }

    // The opaque origin of sandboxed frames and file: pages.
    let r = get_with(&api, "/v1/resumes", &[("origin", "null")]).await;
    assert_no_cors(&r.headers, "null");
    let r = preflight(&anon, "/v1/resumes", "null", "GET", "authorization").await;
    r.assert_error(403, "forbidden");

    // An EventSource from another origin: the stream head carries nothing
    // the browser would accept, so the page never sees an event.
    let token = api.token.clone().expect("token");
    let (status, headers, _) = stream_head(
        &api.url(&format!("/v1/events?access_token={token}")),
        &[("origin", OTHER)],
    )
    .await;
    assert_eq!(status, 200);
    assert_no_cors(&headers, "account stream from another origin");
}

// ---- the server's own origin -----------------------------------------------

#[tokio::test]
async fn same_origin_console_requests_work_with_no_allow_list() {
    let public = "https://cv.example.test";
    let srv = TestServer::start_with(&["--public-url", public]);
    let api = srv.user("sameorigin").await;
    // The console at http://127.0.0.1:PORT/app sends Origin on its POSTs.
    let own = srv.url().to_string();

    let r = api
        .send(
            api.request(Method::POST, "/v1/resumes")
                .query(&[("filename", "resume.md")])
                .header("origin", &own)
                .header("content-type", CT_MD)
                .body(fixture("resume.md")),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text());
    assert_cors_allowed(&r.headers, &own, "same-origin upload");
    let id = r.json()["id"].as_str().expect("id").to_string();
    assert_eq!(api.wait_terminal(&id).await["status"], "ready");

    let r = api
        .send(
            api.request(Method::POST, &format!("/v1/resumes/{id}/shares"))
                .header("origin", &own)
                .json(&json!({"expires_in_days": 3})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_cors_allowed(&r.headers, &own, "same-origin share");
    let token = r.json()["token"].as_str().expect("token").to_string();
    let r = api
        .send(
            api.request(Method::DELETE, &format!("/v1/shares/{token}"))
                .header("origin", &own),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_cors_allowed(&r.headers, &own, "same-origin revoke");

    let anon = api.without_token();
    let r = preflight(&anon, "/v1/resumes", &own, "POST", "authorization").await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_cors_allowed(&r.headers, &own, "same-origin preflight");

    // The configured public URL is the server too (the console behind a proxy).
    let r = preflight(&anon, "/v1/resumes", public, "POST", "authorization").await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_cors_allowed(&r.headers, public, "public URL preflight");

    // Nothing else is allowed: not another name for the same address, not
    // another origin.
    let port = own.rsplit(':').next().expect("port");
    for origin in [format!("http://localhost:{port}"), OTHER.to_string()] {
        let r = preflight(&anon, "/v1/resumes", &origin, "POST", "authorization").await;
        r.assert_error(403, "forbidden");
        let r = get_with(&api, "/v1/resumes", &[("origin", &origin)]).await;
        assert_no_cors(&r.headers, &origin);
    }
}
