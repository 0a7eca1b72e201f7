//! Auth: bearer tokens (401 without or with a bad one), admin-only token
//! creation, the first-start `admin.token` file, the `token create` CLI, and
//! cross-owner isolation (404 on every endpoint, never 403).
//!
//! One shared server for most tests; the CLI tests start their own.

use std::time::Duration;

use reqwest::Method;
use vitae_tests::*;

fn server() -> &'static TestServer {
    shared_server(&[])
}

#[tokio::test]
async fn missing_or_bad_token_is_401_everywhere() {
    let api = server().user("owner").await;
    let v = api.upload_ready("resume.md").await;
    let id = v["id"].as_str().unwrap();
    let share = api.share(id, &json!({})).await;
    let token = share["token"].as_str().unwrap();
    let paths: Vec<(Method, String)> = vec![
        (Method::GET, "/v1/resumes".into()),
        (Method::POST, "/v1/resumes?filename=a.txt".into()),
        (Method::GET, format!("/v1/resumes/{id}")),
        (Method::PATCH, format!("/v1/resumes/{id}")),
        (Method::DELETE, format!("/v1/resumes/{id}")),
        (Method::GET, format!("/v1/resumes/{id}/revisions")),
        (Method::POST, format!("/v1/resumes/{id}/master")),
        (Method::GET, format!("/v1/resumes/{id}/events")),
        (Method::POST, format!("/v1/resumes/{id}/shares")),
        (Method::GET, format!("/v1/resumes/{id}/shares")),
        (Method::DELETE, format!("/v1/shares/{token}")),
        (Method::GET, "/v1/events".into()),
        (Method::GET, "/v1/logs".into()),
        (Method::POST, "/v1/admin/tokens".into()),
    ];
    let bad_auth: [Option<&str>; 5] = [
        None,
        Some("Bearer not-a-real-token"),
        Some("Bearer "),
        Some("Basic dXNlcjpwYXNz"),
        Some("bearer"),
    ];
    let anon = api.without_token();
    for (method, path) in &paths {
        for auth in bad_auth {
            let mut rb = anon.request(method.clone(), path);
            if let Some(a) = auth {
                rb = rb.header("authorization", a);
            }
            if *method == Method::POST || *method == Method::PATCH {
                rb = rb.header("content-type", "application/json").body("{}");
            }
            let r = anon.send(rb).await;
            assert_eq!(
                r.status,
                401,
                "{method} {path} with auth {auth:?}: {}",
                r.text()
            );
            r.assert_error(401, "unauthorized");
        }
    }
    // Nothing was touched.
    let after = api.resume(id).await;
    assert_eq!(after["status"], "ready");
    assert_eq!(after["revision"], v["revision"]);
    assert_eq!(api.shares(id).await[0]["revoked"], false);
}

#[tokio::test]
async fn admin_tokens_are_admin_only() {
    let srv = server();
    let user = srv.user("plain").await;
    let r = user
        .post_json("/v1/admin/tokens", &json!({"user": "mallory"}))
        .await;
    r.assert_error(403, "forbidden");

    let r = srv
        .admin()
        .post_json(
            "/v1/admin/tokens",
            &json!({"user": "carol-admin", "admin": true}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let v = r.json();
    assert_eq!(v["user"], "carol-admin");
    assert_eq!(v["admin"], true);
    assert!(is_rfc3339(&v["created_at"]), "{v}");
    let token = v["token"].as_str().unwrap();
    assert!(token.len() >= 22, "token {token:?} looks too short");

    // The new admin token can create tokens, and the new user token works.
    let carol = srv.api(token);
    let r = carol
        .post_json("/v1/admin/tokens", &json!({"user": "dave"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let dave = srv.api(r.json()["token"].as_str().unwrap());
    assert!(dave.list().await.is_empty());
}

#[tokio::test]
async fn tokens_for_the_same_user_see_the_same_resumes() {
    let srv = server();
    let first = srv.user("same").await;
    let name = first.user_name().to_string();
    let v = first.upload_ready("resume.txt").await;
    let second = srv.api(&srv.create_user(&name).await);
    let list = second.list().await;
    assert_eq!(list.len(), 1, "a second token of {name} sees its resumes");
    assert_eq!(list[0]["id"], v["id"]);
}

#[tokio::test]
async fn admin_token_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let path = server().data_dir().join("admin.token");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "admin.token mode is {mode:o}");
}

#[tokio::test]
async fn cross_owner_access_is_404_everywhere() {
    let srv = server();
    let alice = srv.user("alice").await;
    let bob = srv.user("bob").await;
    let v = alice.upload_ready("resume.md").await;
    let id = v["id"].as_str().unwrap();
    let share = alice.share(id, &json!({})).await;
    let token = share["token"].as_str().unwrap();
    bob.upload_ready("resume.txt").await;

    let cases: Vec<(Method, String, Option<serde_json::Value>)> = vec![
        (Method::GET, format!("/v1/resumes/{id}"), None),
        (
            Method::PATCH,
            format!("/v1/resumes/{id}"),
            Some(json!({"basics": {"name": "Bob"}})),
        ),
        (Method::DELETE, format!("/v1/resumes/{id}"), None),
        (Method::GET, format!("/v1/resumes/{id}/revisions"), None),
        (Method::POST, format!("/v1/resumes/{id}/master"), None),
        (
            Method::POST,
            format!("/v1/resumes/{id}/shares"),
            Some(json!({})),
        ),
        (Method::GET, format!("/v1/resumes/{id}/shares"), None),
        (Method::DELETE, format!("/v1/shares/{token}"), None),
    ];
    for (method, path, body) in cases {
        let mut rb = bob.request(method.clone(), &path);
        if let Some(b) = body {
            let ct = if method == Method::PATCH {
                "application/merge-patch+json"
            } else {
                "application/json"
            };
            rb = rb.header("content-type", ct).body(b.to_string());
        }
        let r = bob.send(rb).await;
        assert_eq!(
            r.status,
            404,
            "{method} {path} as another owner: {}",
            r.text()
        );
        r.assert_error(404, "not_found");
    }
    let s = bob.sse(&format!("/v1/resumes/{id}/events"), None).await;
    s.as_resp().assert_error(404, "not_found");

    // Bob's list does not show it; Alice's resume and share are untouched.
    let list = bob.list().await;
    assert!(list.iter().all(|r| r["id"] != id), "{list:?}");
    let after = alice.resume(id).await;
    assert_eq!(after["revision"], v["revision"]);
    assert_eq!(after["document"]["basics"]["name"], FIXTURE_NAME);
    assert_eq!(after["is_master"], true);
    let shares = alice.shares(id).await;
    assert_eq!(shares.len(), 1, "bob created no share: {shares:?}");
    assert_eq!(shares[0]["revoked"], false);
    assert_eq!(
        alice
            .without_token()
            .get(&format!("/s/{token}"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn account_stream_is_per_owner() {
    let srv = server();
    let alice = srv.user("astream").await;
    let bob = srv.user("bstream").await;
    let mut bob_stream = bob.sse("/v1/events", None).await;
    bob_stream.assert_sse_headers();
    let v = alice.upload_ready("resume.md").await;
    alice.share(v["id"].as_str().unwrap(), &json!({})).await;
    let seen = bob_stream.events_for(Duration::from_millis(1500)).await;
    assert!(
        seen.iter().all(|e| e.event_name() == "resync"
            || !e
                .data
                .as_deref()
                .unwrap_or("")
                .contains(v["id"].as_str().unwrap())),
        "bob saw alice's events: {seen:#?}"
    );
    assert!(seen.iter().all(|e| e.event_name() == "resync"), "{seen:#?}");
}

#[tokio::test]
async fn cli_token_create_works_offline_and_refuses_a_held_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let data_s = data.to_str().unwrap();
    let out = run_cli(&["token", "create", "--user", "erin", "--data-dir", data_s]);
    assert!(
        out.status.success(),
        "token create failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let token = stdout.lines().last().unwrap_or("").trim().to_string();
    assert!(
        token.len() >= 22,
        "token alone on the last line: {stdout:?}"
    );
    assert!(
        !token.contains(' '),
        "token alone on the last line: {stdout:?}"
    );

    let out = run_cli(&[
        "token",
        "create",
        "--user",
        "root2",
        "--admin",
        "--data-dir",
        data_s,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let admin_token = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or("")
        .trim()
        .to_string();

    // A server on that data dir accepts both tokens.
    let mut srv = TestServer::start_in(&data, &[]);
    let erin = srv.api(&token);
    assert!(erin.list().await.is_empty());
    let r = erin
        .post_json("/v1/admin/tokens", &json!({"user": "x"}))
        .await;
    r.assert_error(403, "forbidden");
    let root = srv.api(&admin_token);
    let r = root
        .post_json("/v1/admin/tokens", &json!({"user": "x"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());

    // While the server holds the data dir, the CLI fails with a clear error.
    let out = run_cli(&["token", "create", "--user", "frank", "--data-dir", data_s]);
    assert!(
        !out.status.success(),
        "token create must fail while a server runs"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.trim().is_empty(), "a clear error on stderr");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("frank"),
        "no token printed"
    );
    let status = srv.stop().await;
    assert!(status.success(), "exit status {status}");

    // Afterwards it works again.
    let out = run_cli(&["token", "create", "--user", "frank", "--data-dir", data_s]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn user_tokens_are_stored_hashed() {
    let mut srv = TestServer::start();
    let api = srv.user("hash").await;
    let token = api.token.clone().unwrap();
    let via_cli_dir = srv.data_dir();
    let status = srv.stop().await;
    assert!(status.success());
    let out = run_cli(&[
        "token",
        "create",
        "--user",
        "cli-user",
        "--data-dir",
        via_cli_dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli_token = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or("")
        .trim()
        .to_string();
    for entry in std::fs::read_dir(&via_cli_dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|n| n == "admin.token") || !path.is_file() {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        for t in [&token, &cli_token] {
            assert!(
                !bytes.windows(t.len()).any(|w| w == t.as_bytes()),
                "{} holds a raw API token",
                path.display()
            );
        }
    }
}
