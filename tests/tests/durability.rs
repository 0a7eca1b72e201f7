//! Durability: a restart (SIGTERM or SIGKILL) keeps resumes, documents,
//! masters, shares, revocations, access counts (stored within 100 ms of the
//! view) and tokens; `kill -9` during
//! parses leaves every acknowledged upload to reach `ready` or `failed` after
//! the restart; parse streams after a restart still end with the terminal event.
//!
//! Each test owns its server (they restart it).

use std::time::Duration;

use futures_util::future::join_all;
use serde_json::Value;
use vitae_tests::*;

struct Before {
    user_token: String,
    ready_id: String,
    second_id: String,
    failed_id: String,
    live_token: String,
    revoked_token: String,
    label_revision: u64,
}

/// Make state worth keeping: two ready resumes (the second made master), a
/// failed one, a patched document, a live share accessed twice, a revoked share.
async fn make_state(srv: &TestServer) -> Before {
    let api = srv.user("keep").await;
    let a = api.upload_ready("resume.pdf").await;
    let a_id = a["id"].as_str().unwrap().to_string();
    let b = api.upload_ready("resume.docx").await;
    let b_id = b["id"].as_str().unwrap().to_string();
    let bad = api.upload_fixture("corrupt.pdf").await;
    let bad_id = bad["id"].as_str().unwrap().to_string();
    assert_eq!(api.wait_terminal(&bad_id).await["status"], "failed");
    assert_eq!(
        api.post_empty(&format!("/v1/resumes/{b_id}/master"))
            .await
            .status,
        200
    );
    let r = api
        .patch(
            &format!("/v1/resumes/{a_id}"),
            &json!({"basics": {"label": "Kept"}}),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let label_revision = r.json()["revision"].as_u64().unwrap();
    let live = api.share(&a_id, &json!({"expires_in_days": 10})).await;
    let live_token = live["token"].as_str().unwrap().to_string();
    let anon = api.without_token();
    for _ in 0..2 {
        assert_eq!(anon.get(&format!("/s/{live_token}")).await.status, 200);
    }
    let dead = api.share(&a_id, &json!({})).await;
    let revoked_token = dead["token"].as_str().unwrap().to_string();
    assert_eq!(
        api.delete(&format!("/v1/shares/{revoked_token}"))
            .await
            .status,
        200
    );
    Before {
        user_token: api.token.clone().unwrap(),
        ready_id: a_id,
        second_id: b_id,
        failed_id: bad_id,
        live_token,
        revoked_token,
        label_revision,
    }
}

async fn check_state(srv: &TestServer, b: &Before) {
    let api = srv.api(&b.user_token);
    let list = api.list().await;
    assert_eq!(list.len(), 3, "{list:#?}");
    let a = api.resume(&b.ready_id).await;
    assert_eq!(a["status"], "ready");
    assert_eq!(a["document"]["basics"]["name"], FIXTURE_NAME);
    assert_eq!(a["document"]["basics"]["label"], "Kept");
    assert_eq!(a["revision"].as_u64(), Some(b.label_revision));
    assert_eq!(a["is_master"], false);
    let second = api.resume(&b.second_id).await;
    assert_eq!(second["status"], "ready");
    assert_eq!(second["is_master"], true, "master survives: {second}");
    let bad = api.resume(&b.failed_id).await;
    assert_eq!(bad["status"], "failed");
    assert!(bad["reason"].as_str().is_some_and(|r| !r.is_empty()));

    let shares = api.shares(&b.ready_id).await;
    assert_eq!(shares.len(), 2, "{shares:#?}");
    let live = shares
        .iter()
        .find(|s| s["token"] == b.live_token.as_str())
        .unwrap();
    // Two views from one client count once (one view per client per hour).
    assert_eq!(live["access_count"], 1, "access count survives: {live}");
    assert!(is_rfc3339(&live["last_accessed_at"]));
    assert_eq!(live["revoked"], false);
    let dead = shares
        .iter()
        .find(|s| s["token"] == b.revoked_token.as_str())
        .unwrap();
    assert_eq!(dead["revoked"], true, "revocation survives: {dead}");

    let anon = srv.anon();
    let r = anon.get(&format!("/s/{}", b.live_token)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        anon.get(&format!("/s/{}", b.revoked_token)).await.status,
        410
    );
    let shares = api.shares(&b.ready_id).await;
    let live = shares
        .iter()
        .find(|s| s["token"] == b.live_token.as_str())
        .unwrap();
    // A restart forgets who viewed (the set lives in memory only): the
    // same client counts once more.
    assert_eq!(live["access_count"], 2, "{live}");

    // A finished parse still streams its terminal event (maybe alone), then ends.
    let mut s = api
        .sse(&format!("/v1/resumes/{}/events", b.ready_id), None)
        .await;
    s.assert_sse_headers();
    let events = s.events_to_end(Duration::from_secs(5)).await;
    let last = events.last().expect("at least the terminal event");
    assert_eq!(last.event_name(), "complete", "{events:#?}");
    assert_eq!(last.id.as_deref(), Some(TERMINAL_ID));
    assert!(last.retry.is_some());
    if events.len() > 1 {
        assert_parse_sequence(&events, 1);
    }
    let mut s = api
        .sse(&format!("/v1/resumes/{}/events", b.failed_id), None)
        .await;
    let events = s.events_to_end(Duration::from_secs(5)).await;
    assert_eq!(events.last().unwrap().event_name(), "failed", "{events:#?}");
    let s = api
        .sse(
            &format!("/v1/resumes/{}/events", b.ready_id),
            Some(TERMINAL_ID),
        )
        .await;
    assert_eq!(s.status.as_u16(), 204);
}

#[tokio::test]
async fn restart_after_sigterm_keeps_everything() {
    let mut srv = TestServer::start();
    let admin_before = srv.admin_token().to_string();
    let before = make_state(&srv).await;
    let status = srv.stop().await;
    assert!(status.success(), "graceful exit status {status}");
    srv.restart();
    assert_eq!(srv.admin_token(), admin_before, "admin.token is kept");
    let r = srv
        .admin()
        .post_json("/v1/admin/tokens", &json!({"user": "later"}))
        .await;
    assert_eq!(r.status, 201, "the admin token still works: {}", r.text());
    check_state(&srv, &before).await;
}

#[tokio::test]
async fn restart_after_kill9_keeps_everything_acknowledged() {
    let mut srv = TestServer::start();
    let before = make_state(&srv).await;
    // Share views are a read for the viewer; the server stores their counts
    // within 100 ms (docs/operations.md), so a kill may only take the views of
    // the last 100 ms with it. Wait that out: everything else was durable
    // before it was answered.
    tokio::time::sleep(Duration::from_millis(400)).await;
    srv.kill9();
    srv.restart();
    check_state(&srv, &before).await;
}

#[tokio::test]
async fn kill9_during_parses_every_resume_reaches_terminal() {
    // One worker, so the queue backs up and the kill lands mid-parse.
    let mut srv = TestServer::start_with(&["--workers", "1"]);
    let api = srv.user("crash").await;
    let token = api.token.clone().unwrap();
    let files = [
        "resume.pdf",
        "resume.docx",
        "resume.md",
        "resume.txt",
        "resume.json",
        "corrupt.pdf",
    ];
    let futs = (0..20).map(|i| {
        let api = api.clone();
        let name = files[i % files.len()];
        async move {
            let r = api
                .upload(fixture(name), content_type_for(name), name)
                .await;
            assert_eq!(r.status, 202, "{}", r.text());
            let v = r.json();
            (v["id"].as_str().unwrap().to_string(), name)
        }
    });
    let acked: Vec<(String, &str)> = join_all(futs).await;
    srv.kill9();
    srv.restart();

    let api = srv.api(&token);
    let list = api.wait_all_terminal(acked.len()).await;
    assert_eq!(
        list.len(),
        acked.len(),
        "every acknowledged upload survives"
    );
    for (id, name) in &acked {
        let v = api.wait_terminal(id).await;
        let want = if *name == "corrupt.pdf" {
            "failed"
        } else {
            "ready"
        };
        assert_eq!(v["status"], want, "{name}: {v}");
        if want == "ready" {
            assert_eq!(v["document"]["basics"]["email"], FIXTURE_EMAIL, "{name}");
        }
        // Each stream ends with its terminal event.
        let mut s = api.sse(&format!("/v1/resumes/{id}/events"), None).await;
        let events = s.events_to_end(Duration::from_secs(10)).await;
        let last = events.last().expect("terminal event");
        assert_eq!(last.id.as_deref(), Some(TERMINAL_ID), "{events:#?}");
        let kind = if want == "ready" {
            "complete"
        } else {
            "failed"
        };
        assert_eq!(last.event_name(), kind, "{events:#?}");
    }
    let masters: Vec<&Value> = list.iter().filter(|r| r["is_master"] == true).collect();
    assert_eq!(
        masters.len(),
        1,
        "exactly one master after the crash: {masters:#?}"
    );
    assert_eq!(masters[0]["status"], "ready");
}

#[tokio::test]
async fn user_tokens_survive_restart() {
    let mut srv = TestServer::start();
    let api = srv.user("tok").await;
    let token = api.token.clone().unwrap();
    srv.kill9();
    srv.restart();
    let r = srv.api(&token).get("/v1/resumes").await;
    assert_eq!(
        r.status,
        200,
        "a token acknowledged before the crash works: {}",
        r.text()
    );
    let r = srv.api("bogus").get("/v1/resumes").await;
    r.assert_error(401, "unauthorized");
}

#[tokio::test]
async fn account_stream_id_from_before_a_restart_gets_resync() {
    let mut srv = TestServer::start();
    let api = srv.user("epoch").await;
    let token = api.token.clone().unwrap();
    let mut s = api.sse("/v1/events", None).await;
    s.assert_sse_headers();
    api.upload_fixture("resume.md").await;
    let f = s
        .next_event(Duration::from_secs(10))
        .await
        .expect("an event");
    let old_id = f.id.clone().expect("id");
    drop(s);
    let status = srv.stop().await;
    assert!(status.success());
    srv.restart();
    let api = srv.api(&token);
    let mut s = api.sse("/v1/events", Some(&old_id)).await;
    s.assert_sse_headers();
    let f = s
        .next_event(Duration::from_secs(10))
        .await
        .expect("an event");
    // Either the server kept its history across the restart and replays what
    // followed `old_id` (the parse finishing), or it says it cannot: resync.
    assert_ne!(
        f.id.as_deref(),
        Some(old_id.as_str()),
        "no duplicate: {f:?}"
    );
    assert!(
        f.event_name() == "resync"
            || ["resume.updated", "master.changed"].contains(&f.event_name()),
        "after a restart an old id gets resync or an exact replay: {f:?}"
    );
    assert!(f.id.is_some() && f.retry.is_some(), "{f:?}");
}

#[tokio::test]
async fn second_server_on_a_held_data_dir_refuses_to_start() {
    let srv = TestServer::start();
    let out = run_cli(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--data-dir",
        srv.data_dir().to_str().unwrap(),
    ]);
    assert!(
        !out.status.success(),
        "a second server on the same data dir must fail"
    );
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("listening on"),
        "it must not claim to listen"
    );
    assert!(!String::from_utf8_lossy(&out.stderr).trim().is_empty());
    // The first one is unharmed.
    let r = srv.admin().get("/v1/resumes").await;
    assert_eq!(r.status, 200);
}
