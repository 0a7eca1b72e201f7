//! `vitae-server migrate --from DATA_DIR --to postgres://…` end to end: a
//! redb store made by the real server (resumes with revisions, a master, a
//! failed parse, share links with a password, a pin, hidden fields and
//! counted views, jobs, API tokens) is copied into a database of the
//! shared PostgreSQL cluster; a copy killed half-way completes on the next
//! run; the verification table says every table matches; a server on the
//! database then answers every read exactly as the redb server did (the
//! same ids, times, revisions, links and counts), with the same API tokens
//! and share links; running migrate again copies nothing; and a target
//! that holds other data is refused unless `--force`.
//!
//! The source is a redb server, so this runs in the default (redb) pass of
//! the suite and says it skipped under `VITAE_TEST_BACKEND=postgres`.
//! Without PostgreSQL it skips too, unless `VITAE_REQUIRE_POSTGRES=1`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use reqwest::Method;
use serde_json::Value;
use vitae_tests::postgres::{backend, cluster_or_skip, Backend, Cluster};
use vitae_tests::*;

fn cluster(test: &str) -> Option<&'static Cluster> {
    if backend() == Backend::Postgres {
        eprintln!("SKIPPED {test}: it copies a redb store, and runs in the redb pass");
        return None;
    }
    cluster_or_skip(test)
}

fn migrate(args: &[&str]) -> std::process::Output {
    let mut all = vec!["migrate"];
    all.extend_from_slice(args);
    run_cli(&all)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Everything `api`'s user reads back over HTTP, with the server's own
/// address (in share URLs) replaced by `BASE`: what must be the same
/// after the move.
async fn snapshot(api: &Api, base: &str) -> String {
    let mut all = serde_json::Map::new();
    let resumes = api.all_pages("/v1/resumes", "resumes", 100).await;
    for resume in &resumes {
        let id = resume["id"].as_str().unwrap();
        all.insert(format!("resume {id}"), api.resume(id).await);
        let r = api.get(&format!("/v1/resumes/{id}/revisions")).await;
        assert_eq!(r.status, 200, "{}", r.text());
        all.insert(format!("revisions {id}"), r.json());
        for share in api.shares(id).await {
            let token = share["token"].as_str().unwrap();
            let r = api.get(&format!("/v1/shares/{token}")).await;
            assert_eq!(r.status, 200, "{}", r.text());
            all.insert(format!("share {token}"), r.json());
        }
    }
    all.insert("resumes".into(), json!(resumes));
    all.insert(
        "jobs".into(),
        json!(api.all_pages("/v1/jobs", "jobs", 100).await),
    );
    let r = api.get("/v1/account").await;
    assert_eq!(r.status, 200, "{}", r.text());
    all.insert("account".into(), r.json());
    serde_json::to_string_pretty(&all)
        .unwrap()
        .replace(base, "BASE")
}

fn basic(password: &str) -> String {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!(":{password}"));
    format!("Basic {encoded}")
}

async fn open_share(api: &Api, token: &str, password: Option<&str>) -> Resp {
    let mut rb = api
        .without_token()
        .request(Method::GET, &format!("/s/{token}"))
        .header("accept", "application/json");
    if let Some(password) = password {
        rb = rb.header("authorization", basic(password));
    }
    send_unchecked(rb).await
}

#[tokio::test]
async fn a_redb_store_moves_into_postgresql_exactly_and_verified() {
    let Some(cluster) = cluster("migrate") else {
        return;
    };
    // ---- a redb store with a bit of everything --------------------------
    let mut srv = TestServer::start();
    let alice = srv.user("alice").await;
    let bob = srv.user("bob").await;
    let first = alice.upload_ready("resume.md").await;
    let a = first["id"].as_str().unwrap().to_string();
    let b = alice.upload_ready("resume.json").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    for name in ["Ada Moved", "Ada Migrated"] {
        let r = alice
            .patch(
                &format!("/v1/resumes/{a}"),
                &json!({"basics": {"name": name}}),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let r = alice.post_empty(&format!("/v1/resumes/{b}/master")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let failed = alice
        .upload(fixture("corrupt.pdf"), "application/pdf", "corrupt.pdf")
        .await
        .json();
    let failed = alice.wait_terminal(failed["id"].as_str().unwrap()).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    bob.upload_ready("resume.txt").await;
    let locked = alice.share(&a, &json!({"password": "open sesame"})).await;
    let pinned = alice
        .share(&a, &json!({"revision": 2, "label": "Acme"}))
        .await;
    let hidden = alice.share(&b, &json!({"hide": ["email", "phone"]})).await;
    let locked_token = locked["token"].as_str().unwrap().to_string();
    let pinned_token = pinned["token"].as_str().unwrap().to_string();
    let hidden_token = hidden["token"].as_str().unwrap().to_string();
    assert_eq!(
        open_share(&alice, &locked_token, Some("open sesame"))
            .await
            .status,
        200
    );
    for token in [&pinned_token, &hidden_token] {
        assert_eq!(open_share(&alice, token, None).await.status, 200);
    }
    // Enough jobs that a copy one row per transaction takes a while.
    let bodies: Vec<String> = (0..200)
        .map(|i| format!("Job {i}: Rust engineer number {i}, Kubernetes and PostgreSQL."))
        .collect();
    for chunk in bodies.chunks(20) {
        let posts = chunk.iter().map(|body| {
            alice.send(
                alice
                    .request(Method::POST, "/v1/jobs")
                    .header("content-type", "text/plain")
                    .body(body.clone()),
            )
        });
        for r in futures_util::future::join_all(posts).await {
            assert_eq!(r.status, 201, "{}", r.text());
        }
    }
    let alice_before = snapshot(&alice, srv.url()).await;
    let bob_before = snapshot(&bob, srv.url()).await;
    let (alice_token, bob_token) = (alice.token.clone().unwrap(), bob.token.clone().unwrap());
    srv.stop().await;
    let from = srv.data_dir();
    let from = from.to_str().unwrap();

    // ---- a running server holds the dir: refused ------------------------
    let url = cluster.fresh_database();
    let mut holder = TestServer::start_in(srv.data_dir().as_path(), &[]);
    let out = migrate(&["--from", from, "--to", &url]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("stop the server first"),
        "{}",
        text(&out.stderr)
    );
    holder.stop().await;

    // ---- killed half-way, then completed --------------------------------
    let mut child = Command::new(server_bin())
        .args(["migrate", "--from", from, "--to", &url, "--batch-rows", "1"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn migrate");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        seen.push(line.clone());
        if line.starts_with("copying jobs:") {
            break;
        }
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "the copy finished before it was killed: {seen:?}"
    );
    drop(lines);
    let tmp = tempfile::tempdir().unwrap();
    let new_dir = tmp.path().join("data");
    let new_dir_str = new_dir.to_str().unwrap();
    let out = migrate(&["--from", from, "--to", &url, "--data-dir", new_dir_str]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("verified"), "{stdout}");
    assert!(!stdout.contains("MISMATCH"), "{stdout}");
    let jobs_line = stdout
        .lines()
        .find(|l| l.starts_with("jobs "))
        .unwrap_or_else(|| panic!("no jobs row in {stdout}"));
    let numbers: Vec<u64> = jobs_line
        .split_whitespace()
        .skip(1)
        .take(4)
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(&numbers[..2], &[200, 200], "{jobs_line}");
    assert!(
        numbers[2] < 200,
        "the killed run's batches were kept, not copied again: {jobs_line}"
    );
    assert!(stdout.contains("share.key"), "{stdout}");
    // The figure for docs and reports (not a timed assertion).
    if let Some(line) = stdout.lines().find(|l| l.starts_with("verified in")) {
        eprintln!("migrate (completing a killed copy): {line}");
    }
    assert!(new_dir.join("share.key").is_file());
    assert_eq!(
        std::fs::read(new_dir.join("share.key")).unwrap(),
        std::fs::read(srv.data_dir().join("share.key")).unwrap()
    );

    // ---- again: nothing to copy, verified (JSON for scripts) ------------
    let out = migrate(&["--from", from, "--to", &url, "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], true, "{report}");
    let tables = report["tables"].as_array().unwrap();
    assert!(tables.len() >= 10, "{report}");
    for table in tables {
        assert_eq!(table["copied"], 0, "{table}");
        assert_eq!(table["source_rows"], table["target_rows"], "{table}");
        assert_eq!(table["source_hash"], table["target_hash"], "{table}");
        assert_eq!(table["ok"], true, "{table}");
    }
    let count = |name: &str| {
        tables.iter().find(|t| t["table"] == name).unwrap()["source_rows"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(count("resumes"), 4);
    assert_eq!(count("masters"), 2);
    assert_eq!(count("shares"), 3);
    assert_eq!(count("revisions"), 2);
    assert_eq!(count("jobs"), 200);
    let rows: u64 = tables
        .iter()
        .map(|t| t["source_rows"].as_u64().unwrap())
        .sum();
    eprintln!(
        "migrate again (look and verify, nothing to copy): {rows} rows in {} s",
        report["seconds"]
    );
    assert!(count("share_views") >= 1);

    // ---- a server on PostgreSQL answers as the redb one did -------------
    let mut pg = TestServer::start_in(&new_dir, &["--database-url", &url]);
    let alice = pg.api(&alice_token);
    let bob = pg.api(&bob_token);
    assert_eq!(snapshot(&alice, pg.url()).await, alice_before);
    assert_eq!(snapshot(&bob, pg.url()).await, bob_before);
    let r = open_share(&alice, &locked_token, None).await;
    assert_eq!(r.status, 401, "the password still guards: {}", r.text());
    let r = open_share(&alice, &locked_token, Some("wrong")).await;
    assert_eq!(r.status, 401, "{}", r.text());
    let r = open_share(&alice, &locked_token, Some("open sesame")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = open_share(&alice, &pinned_token, None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.json()["basics"]["name"],
        "Ada Moved",
        "pinned to revision 2"
    );
    let r = open_share(&alice, &hidden_token, None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.json()["basics"].get("email").is_none(), "{}", r.text());
    let r = pg.admin().get("/v1/account").await;
    assert_eq!(r.status, 200, "the admin token moved too: {}", r.text());

    // ---- the database now holds data not from the source: refused -------
    let r = alice
        .patch(
            &format!("/v1/resumes/{a}"),
            &json!({"basics": {"name": "Ada on PostgreSQL"}}),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let out = migrate(&["--from", from, "--to", &url]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("not empty"), "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    assert!(stderr.contains("resumes"), "says which table: {stderr}");
    pg.stop().await;
}

#[tokio::test]
async fn migrate_refuses_a_dir_without_a_store() {
    let Some(cluster) = cluster("migrate without a store") else {
        return;
    };
    let empty = tempfile::tempdir().unwrap();
    let url = cluster.fresh_database();
    let out = migrate(&["--from", empty.path().to_str().unwrap(), "--to", &url]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("holds no vitae.redb"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        !empty.path().join("vitae.redb").exists(),
        "nothing was made there"
    );
}
