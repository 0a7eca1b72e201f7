//! The PostgreSQL backend end to end, beyond what the shared suite checks
//! on both backends (`VITAE_TEST_BACKEND=postgres`): `/readyz`, a database
//! that goes away while the server runs (503 with `Retry-After`, nothing
//! acknowledged lost, service back on its own; `/v1/events` streams end
//! cleanly or keep their heartbeats, and a client that reconnects is
//! served), start-up errors that say whether the host, the credentials or
//! the database is wrong, `--wait-for-db` (waits for a database that comes
//! up, not for wrong credentials), and TLS (`sslmode=verify-full` with the
//! test's own CA works, another CA is "not trusted").
//!
//! The database tests start a cluster of their own (they stop it), so they
//! need PostgreSQL: without it they say they skipped, unless
//! `VITAE_REQUIRE_POSTGRES=1` (which `.ci/run` sets).

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::Value;
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
    // A list is never cached: it needs the database at once. (A single
    // resume may still come from the read cache until the change feed
    // notices the database is gone; from then on it needs it too.)
    let r = send_unchecked(alice.request(Method::GET, "/v1/resumes")).await;
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(r.header("retry-after").is_some(), "503 without Retry-After");
    assert_error_body(&r, Some("unavailable"));
    let r = send_unchecked(alice.request(Method::GET, "/readyz")).await;
    assert_eq!(r.status, 503, "{}", r.text());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = send_unchecked(alice.request(Method::GET, &format!("/v1/resumes/{id}"))).await;
        if r.status == 503 {
            assert!(r.header("retry-after").is_some(), "503 without Retry-After");
            break;
        }
        assert_eq!(r.status, 200, "{}", r.text());
        assert!(
            Instant::now() < deadline,
            "a cached resume was still served 10 s after the database went away"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
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

/// Run `openssl ARGS...` in `dir`, panicking with its output on failure.
fn openssl(dir: &std::path::Path, args: &[&str]) {
    let out = std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl (apt-get install openssl)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA (`NAME.crt`, `NAME.key`) made with the openssl command.
fn make_ca(dir: &std::path::Path, name: &str) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &format!("/CN=Vitae test {name}"),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.crt"),
        ],
    );
}

#[tokio::test]
async fn tls_verify_full_connects_with_the_right_ca_and_refuses_another() {
    let Some(cluster) = own_cluster("TLS to PostgreSQL") else {
        return;
    };
    let certs = tempfile::tempdir().unwrap();
    let dir = certs.path();
    make_ca(dir, "ca");
    make_ca(dir, "stranger");
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ],
    );
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
         keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            "server.crt",
        ],
    );
    cluster
        .enable_tls(&dir.join("server.crt"), &dir.join("server.key"))
        .unwrap_or_else(|e| panic!("turning TLS on: {e}"));
    let url = cluster.fresh_database();
    let ca = dir.join("ca.crt");
    let stranger = dir.join("stranger.crt");

    // The right CA: the server starts and serves over TLS.
    let verified = format!("{url}?sslmode=verify-full&sslrootcert={}", ca.display());
    let mut srv = TestServer::start_with(&["--database-url", &verified]);
    let alice = srv.user("alice").await;
    let done = alice.upload_ready("resume.md").await;
    assert_eq!(done["status"], "ready", "{done}");
    srv.stop().await;

    // Another CA: the start stops, saying the certificate was not trusted.
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_str().unwrap();
    for mode in ["verify-full", "verify-ca"] {
        let wrong = format!("{url}?sslmode={mode}&sslrootcert={}", stranger.display());
        let out = run_cli(&[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--data-dir",
            data_dir,
            "--database-url",
            &wrong,
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{mode}: {stderr}");
        assert!(
            stderr.contains("certificate was not trusted"),
            "{mode}: {stderr}"
        );
    }
    // sslmode=require encrypts without checking the certificate, as libpq does.
    let required = format!("{url}?sslmode=require");
    let mut srv = TestServer::start_with(&["--database-url", &required]);
    assert_eq!(srv.anon().get("/readyz").await.status, 200);
    srv.stop().await;
}

#[tokio::test]
async fn wait_for_db_waits_for_a_database_that_comes_up_but_not_for_wrong_credentials() {
    let Some(cluster) = own_cluster("--wait-for-db") else {
        return;
    };
    let url = cluster.fresh_database();
    cluster.stop();
    // Without the flag: a clear error at once, exit 1.
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_str().unwrap();
    let out = run_cli(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--data-dir",
        data_dir,
        "--database-url",
        &url,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("connection refused"));

    // With it: the server waits, and is ready once the database is up.
    let mut srv = std::thread::scope(|scope| {
        scope.spawn(|| {
            std::thread::sleep(Duration::from_secs(3));
            cluster
                .restart()
                .unwrap_or_else(|e| panic!("restarting the cluster: {e}"));
        });
        TestServer::start_with(&["--database-url", &url, "--wait-for-db", "60"])
    });
    let r = srv.anon().get("/readyz").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let log = srv.stderr_contents();
    assert!(
        log.contains("not reachable yet") && log.contains("connection refused"),
        "each try is logged with its reason: {log}"
    );
    srv.stop().await;

    // Wrong credentials will not fix themselves: no waiting (run_cli gives
    // up on a process that runs past 30 s).
    let stranger = format!(
        "postgres://stranger:hunter2@127.0.0.1:{}/postgres",
        cluster.port()
    );
    let out = run_cli(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--data-dir",
        data_dir,
        "--database-url",
        &stranger,
        "--wait-for-db=600",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("refused the credentials"), "{stderr}");
    assert!(!stderr.contains("not reachable yet"), "{stderr}");
}

#[tokio::test]
async fn event_streams_survive_a_database_outage_and_nothing_acknowledged_is_lost() {
    let Some(cluster) = own_cluster("events through an outage") else {
        return;
    };
    let url = cluster.fresh_database();
    let srv = TestServer::start_with(&["--database-url", &url, "--heartbeat-secs", "1"]);
    let alice = srv.user("alice").await;
    // The ledger: every write the server acknowledged, and what it said.
    let mut ledger: Vec<(String, Value)> = Vec::new();
    for name in ["resume.md", "resume.txt"] {
        let done = alice.upload_ready(name).await;
        let id = done["id"].as_str().unwrap().to_string();
        let r = alice
            .patch(
                &format!("/v1/resumes/{id}"),
                &json!({"basics": {"label": format!("before the outage {name}")}}),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        ledger.push((id, r.json()));
    }
    let mut stream = alice.sse("/v1/events", None).await;
    stream.assert_sse_headers();

    cluster.stop();
    // While the database is away the stream either ends cleanly or keeps
    // its heartbeats; it never carries an error as an event.
    let during = stream.events_for(Duration::from_secs(3)).await;
    assert!(
        during.iter().all(|f| f.event_name() != "error"),
        "{during:#?}"
    );
    assert!(
        stream.transport_error.is_none(),
        "the stream broke instead of ending: {:?}",
        stream.transport_error
    );
    // Writes meanwhile are refused, never acknowledged.
    let (id, _) = &ledger[0];
    let r = send_unchecked(
        alice
            .request(Method::PATCH, &format!("/v1/resumes/{id}"))
            .json(&json!({"basics": {"label": "during the outage"}})),
    )
    .await;
    assert_eq!(r.status, 503, "{}", r.text());

    cluster
        .restart()
        .unwrap_or_else(|e| panic!("restarting the cluster: {e}"));
    let deadline = Instant::now() + Duration::from_secs(30);
    while send_unchecked(alice.request(Method::GET, "/readyz"))
        .await
        .status
        != 200
    {
        assert!(Instant::now() < deadline, "not ready again");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Everything acknowledged before the outage is there, as acknowledged.
    for (id, acknowledged) in &ledger {
        let now = alice.resume(id).await;
        assert_eq!(now["revision"], acknowledged["revision"], "{id}");
        assert_eq!(now["document"], acknowledged["document"], "{id}");
    }
    // A client that reconnects is served, and hears the next change.
    let mut again = alice.sse("/v1/events", None).await;
    again.assert_sse_headers();
    let (id, _) = &ledger[1];
    let r = alice
        .patch(
            &format!("/v1/resumes/{id}"),
            &json!({"basics": {"label": "after the outage"}}),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let frame = again
        .read_until(Duration::from_secs(30), |f| {
            f.event_name() == "resume.updated" && f.json()["resume_id"] == json!(id)
        })
        .await;
    assert!(!frame.is_empty());
}
