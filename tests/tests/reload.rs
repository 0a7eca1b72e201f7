//! SIGHUP reloads the configuration (docs/operations.md, "Reloading the
//! configuration"): the server started with `--config FILE` reads the file
//! again, serves a new CORS origin from then on, keeps an open event stream
//! (nothing is rebound), logs a changed restart-only setting as needing a
//! restart, and keeps the old settings when the new file is invalid.

use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::Method;
use vitae_tests::*;

const OLD_ORIGIN: &str = "https://old.example.test";
const NEW_ORIGIN: &str = "https://new.example.test";

/// The CORS preflight of an upload from `origin`: the allowed origin echoed,
/// or `None`.
async fn allowed(api: &Api, origin: &str) -> Option<String> {
    let r = api
        .send(
            api.request(Method::OPTIONS, "/v1/resumes")
                .header("origin", origin)
                .header("access-control-request-method", "POST"),
        )
        .await;
    assert!(r.status < 500, "preflight: {} {}", r.status, r.text());
    r.header("access-control-allow-origin")
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write the config file");
}

/// Send SIGHUP and wait until the server logged `marker` once more than
/// before (a reload, or its refusal, is logged when it is done).
async fn hangup(srv: &TestServer, marker: &str) {
    let before = srv.stderr_contents().matches(marker).count();
    srv.signal(libc::SIGHUP);
    let deadline = Instant::now() + Duration::from_secs(20);
    while srv.stderr_contents().matches(marker).count() == before {
        assert!(
            Instant::now() < deadline,
            "no {marker:?} in the server log after SIGHUP:\n{}",
            srv.stderr_contents()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn sighup_applies_a_new_cors_origin_keeps_streams_and_refuses_a_bad_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("vitae.toml");
    write(
        &file,
        &format!("cors_origins = [{OLD_ORIGIN:?}]\nworkers = 2\n"),
    );
    let srv = TestServer::start_with(&["--config", file.to_str().unwrap()]);
    let anon = srv.anon();
    assert_eq!(
        allowed(&anon, OLD_ORIGIN).await.as_deref(),
        Some(OLD_ORIGIN)
    );
    assert_eq!(allowed(&anon, NEW_ORIGIN).await, None);

    let api = srv.user("reload").await;
    let mut stream = api.sse("/v1/events", None).await;
    assert_eq!(stream.status, 200);

    // A new origin, and a restart-only setting changed beside it.
    write(
        &file,
        &format!("cors_origins = [{NEW_ORIGIN:?}]\nworkers = 3\n"),
    );
    hangup(&srv, "configuration reloaded").await;
    assert_eq!(
        allowed(&anon, NEW_ORIGIN).await.as_deref(),
        Some(NEW_ORIGIN)
    );
    assert_eq!(
        allowed(&anon, OLD_ORIGIN).await,
        None,
        "the old origin is gone"
    );
    let log = srv.stderr_contents();
    assert!(
        log.lines()
            .any(|l| l.contains("needs a restart") && l.contains("workers")),
        "workers is logged as needing a restart:\n{log}"
    );

    // The stream opened before the reload still delivers.
    let id = api.upload_ready("resume.md").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let share = api.share(&id, &json!({})).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let frame = stream
            .next_event(left)
            .await
            .expect("the stream opened before SIGHUP ended");
        if frame.event_name() == "share.created" {
            assert_eq!(frame.json()["share_token"], share["token"]);
            break;
        }
    }

    // Invalid files change nothing: bad TOML, then a value the server refuses.
    write(&file, "cors_origins = [\n");
    hangup(&srv, "configuration not reloaded").await;
    assert_eq!(
        allowed(&anon, NEW_ORIGIN).await.as_deref(),
        Some(NEW_ORIGIN)
    );
    write(&file, "cors_origins = [\"*\"]\n");
    hangup(&srv, "configuration not reloaded").await;
    assert_eq!(
        allowed(&anon, NEW_ORIGIN).await.as_deref(),
        Some(NEW_ORIGIN)
    );
    assert_eq!(allowed(&anon, "*").await, None);
    // ...and the server still works, streams included.
    assert_eq!(anon.get("/healthz").await.status, 200);
    api.share(&id, &json!({})).await;
    let frame = stream
        .wait_for_event("share.created", Duration::from_secs(20))
        .await;
    assert_eq!(frame.json()["resume_id"], id.as_str());
}
