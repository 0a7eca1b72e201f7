//! `GET /metrics` and `GET /readyz` on a real server: after an upload, its
//! parse, a read, an event stream and a request for an unknown path, a
//! scrape in the Prometheus text format counts each by route pattern (never
//! by raw path), times the store's operations and the parse's wait, and
//! shows the stream; only admin tokens may scrape. `/readyz` answers 200
//! while the store serves (its 503 on a full disk is in
//! `storage_faults.rs`).

use vitae_tests::*;

/// The value of the sample line `name{labels}` (exactly), if present.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|value| value.trim().parse().ok())
}

#[tokio::test]
async fn a_scrape_counts_requests_by_route_and_times_store_and_queue() {
    let server = TestServer::start();
    let ready = server.anon().get("/readyz").await;
    assert_eq!(ready.status, 200, "{}", ready.text());
    assert_eq!(ready.json()["status"], "ready");

    let api = server.user("metrics").await;
    let resume = api.upload_ready("resume.md").await;
    let id = resume["id"].as_str().unwrap();
    assert_eq!(api.get(&format!("/v1/resumes/{id}")).await.status, 200);
    let secret_path = "/no/such/path/with-a-secret-abc123";
    assert_eq!(api.get(secret_path).await.status, 404);
    let stream = api.sse("/v1/events", None).await;
    stream.assert_sse_headers();

    // Everyone but an admin is refused.
    let refused = api.get("/metrics").await;
    refused.assert_error(403, "forbidden");
    assert_eq!(server.anon().get("/metrics").await.status, 401);

    let scrape = server.admin().get("/metrics").await;
    assert_eq!(scrape.status, 200, "{}", scrape.text());
    assert!(
        scrape
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/plain; version=0.0.4")),
        "{:?}",
        scrape.header("content-type")
    );
    let text = scrape.text();
    let at_least_one = |series: &str| {
        let value = sample(&text, series).unwrap_or_else(|| panic!("{series} missing:\n{text}"));
        assert!(value >= 1.0, "{series} = {value}");
    };
    at_least_one(
        r#"vitae_http_requests_total{route="/v1/resumes/{id}",method="GET",status="200"}"#,
    );
    at_least_one(r#"vitae_http_requests_total{route="/v1/resumes",method="POST",status="202"}"#);
    at_least_one(r#"vitae_http_requests_total{route="unmatched",method="GET",status="404"}"#);
    at_least_one(
        r#"vitae_http_request_duration_seconds_count{route="/v1/resumes/{id}",method="GET"}"#,
    );
    at_least_one(
        r#"vitae_store_operation_duration_seconds_count{operation="create_resume",outcome="ok"}"#,
    );
    at_least_one(
        r#"vitae_store_operation_duration_seconds_count{operation="finish_parse",outcome="ok"}"#,
    );
    at_least_one("vitae_parse_queue_wait_seconds_count");
    at_least_one(r#"vitae_parses_total{operation="parse",outcome="ready"}"#);
    at_least_one("vitae_sse_subscribers");
    at_least_one("vitae_connections");
    assert_eq!(sample(&text, "vitae_parse_queue_depth"), Some(0.0));
    // Raw paths (which can carry ids and tokens) are never labels.
    assert!(!text.contains("abc123"), "{text}");
    assert!(!text.contains(id), "a resume id became a label:\n{text}");
    match vitae_tests::postgres::backend() {
        // The embedded store has no pool.
        vitae_tests::postgres::Backend::Redb => {
            assert!(!text.contains("vitae_db_pool_connections{"), "{text}")
        }
        // PostgreSQL's pool: a positive max, and in use + idle within it.
        vitae_tests::postgres::Backend::Postgres => {
            let state = |s: &str| {
                sample(
                    &text,
                    &format!(r#"vitae_db_pool_connections{{state="{s}"}}"#),
                )
                .unwrap_or_else(|| panic!("no pool {s} in:\n{text}"))
            };
            let (in_use, idle, max) = (state("in_use"), state("idle"), state("max"));
            assert!(max >= 1.0 && in_use + idle <= max, "{in_use} {idle} {max}");
        }
    }
    drop(stream);
}
