//! The PostgreSQL backend end to end, beyond what the shared suite checks
//! on both backends (`VITAE_TEST_BACKEND=postgres`): `/readyz`, a database
//! that goes away while the server runs (503 with `Retry-After`, nothing
//! acknowledged lost, service back on its own), and start-up errors that
//! say whether the host, the credentials or the database is wrong.
//!
//! The database tests start a cluster of their own (they stop it), so they
//! need PostgreSQL: without it they say they skipped, unless
//! `VITAE_REQUIRE_POSTGRES=1` (which `.ci/run` sets).

use std::time::{Duration, Instant};

use reqwest::Method;
use vitae_tests::postgres::{bin_dir, Cluster};
use vitae_tests::*;

/// A cluster of this test's own, or `None` (skipped) without PostgreSQL.
fn own_cluster(test: &str) -> Option<Cluster> {
    if bin_dir().is_none() {
        assert!(
            std::env::var_os("VITAE_REQUIRE_POSTGRES").is_none(),
            "{test} needs PostgreSQL and VITAE_REQUIRE_POSTGRES is set"
        );
        eprintln!("SKIPPED {test}: PostgreSQL is not installed");
        return None;
    }
    Some(Cluster::start().unwrap_or_else(|e| panic!("starting a cluster: {e}")))
}

#[tokio::test]
async fn readyz_answers_ready_on_every_backend() {
    let srv = TestServer::start();
    let r = srv.anon().get("/readyz").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "ready");
}

#[tokio::test]
async fn a_database_that_goes_away_is_503_with_retry_after_and_comes_back() {
    let Some(cluster) = own_cluster("database goes away") else {
        return;
    };
    let url = cluster.fresh_database();
    let srv = TestServer::start_with(&["--database-url", &url]);
    let alice = srv.user("alice").await;
    let done = alice.upload_ready("resume.md").await;
    let id = done["id"].as_str().unwrap().to_string();
    let before = alice.resume(&id).await;

    cluster.stop();
    let r = send_unchecked(alice.request(Method::GET, &format!("/v1/resumes/{id}"))).await;
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(r.header("retry-after").is_some(), "503 without Retry-After");
    assert_error_body(&r, Some("unavailable"));
    let r = send_unchecked(alice.request(Method::GET, "/readyz")).await;
    assert_eq!(r.status, 503, "{}", r.text());
    // A write while it is away is refused, not half-done.
    let r = send_unchecked(
        alice
            .request(Method::POST, &format!("/v1/resumes/{id}/shares"))
            .json(&json!({})),
    )
    .await;
    assert_eq!(r.status, 503, "{}", r.text());

    cluster
        .restart()
        .unwrap_or_else(|e| panic!("restarting the cluster: {e}"));
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = send_unchecked(alice.request(Method::GET, "/readyz")).await;
        if r.status == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still not ready 30 s after the database came back: {}",
            r.text()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let after = alice.resume(&id).await;
    assert_eq!(after["document"], before["document"]);
    assert_eq!(after["revision"], before["revision"]);
    assert!(
        alice.shares(&id).await.is_empty(),
        "the refused share was not stored"
    );
}

#[tokio::test]
async fn start_up_errors_say_which_part_of_the_url_is_wrong() {
    let Some(cluster) = own_cluster("start-up errors") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_str().unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    let cases = [
        (
            format!("postgres://vitae@127.0.0.1:{closed_port}/vitae"),
            "connection refused",
        ),
        (cluster.url("no_such_database"), "does not exist"),
        (
            format!(
                "postgres://stranger:hunter2@127.0.0.1:{}/postgres",
                cluster.port()
            ),
            "refused the credentials",
        ),
    ];
    for (url, says) in cases {
        let out = run_cli(&[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--data-dir",
            data_dir,
            "--database-url",
            &url,
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{url}: {stderr}");
        assert!(
            stderr.contains(says),
            "{url}: expected {says:?} in {stderr}"
        );
        assert!(
            !stderr.contains("hunter2"),
            "the password was printed: {stderr}"
        );
    }
}
