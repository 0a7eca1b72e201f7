//! Secrets: API tokens and share tokens (both are credentials) never reach
//! the server's logs, on stderr or on the `/v1/logs` stream, in either log
//! format and at the most verbose level; the files in the data dir that hold secrets
//! are private; share and API tokens carry at least 128 random bits.
//!
//! Traffic per server (the failed-auth and share-view rate limits): the log
//! tests send 6 requests with an invalid token and 12 to `/s/`; the entropy
//! tests send none of either.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use reqwest::Method;
use vitae_tests::*;

/// Reads a `/v1/logs` stream in the background until told to stop, keeping
/// every record's data.
struct LogTap {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<TapResult>,
}

#[derive(Default)]
struct TapResult {
    text: String,
    records: usize,
    resyncs: usize,
}

impl LogTap {
    fn start(mut stream: SseStream) -> LogTap {
        stream.assert_sse_headers();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let task = tokio::spawn(async move {
            let mut out = TapResult::default();
            loop {
                match stream.try_next_frame(Duration::from_millis(250)).await {
                    Ok(Some(frame)) => {
                        if frame.event_name() == "resync" {
                            out.resyncs += 1;
                        }
                        if let Some(data) = frame.data {
                            out.records += 1;
                            out.text.push_str(&data);
                            out.text.push('\n');
                        }
                    }
                    Ok(None) => break,
                    // Quiet for a moment: stop if asked to.
                    Err(()) if flag.load(Ordering::Relaxed) => break,
                    Err(()) => {}
                }
            }
            out
        });
        LogTap { stop, task }
    }

    async fn finish(self) -> TapResult {
        self.stop.store(true, Ordering::Relaxed);
        tokio::time::timeout(Duration::from_secs(20), self.task)
            .await
            .expect("the log stream went quiet")
            .expect("the log tap task")
    }
}

/// A token-shaped string nobody was given: `vt_` + 43 base64url characters.
fn made_up_token() -> String {
    let mut bytes = [0u8; 32];
    bytes[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    format!(
        "vt_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// A share-token-shaped string nobody was given (32 base64url characters).
fn made_up_share_token() -> String {
    let mut bytes = [0u8; 24];
    bytes[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes[16..].copy_from_slice(&uuid::Uuid::new_v4().as_bytes()[..8]);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Every string that would give a secret away: the secret itself, each run
/// of 16 of its characters, and each run of 16 characters of its random
/// bytes written as hex or as standard base64.
fn fragments(secret: &str) -> Vec<String> {
    fn windows(s: &str) -> impl Iterator<Item = String> + '_ {
        let chars: Vec<char> = s.chars().collect();
        (0..chars.len().saturating_sub(15))
            .map(move |i| chars[i..i + 16].iter().collect::<String>())
    }
    let mut out = vec![secret.to_string()];
    out.extend(windows(secret));
    let random = secret.strip_prefix("vt_").unwrap_or(secret);
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(random)
        .unwrap_or_else(|e| panic!("{secret:?} is not base64url: {e}"));
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    out.extend(windows(&hex));
    out.extend(windows(&hex.to_uppercase()));
    let standard = base64::engine::general_purpose::STANDARD.encode(&bytes);
    out.extend(windows(&standard));
    out
}

/// Which of `secrets` (by label) show up in `haystack`, and as what.
fn exposed(secrets: &[(String, String)], haystack: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (label, secret) in secrets {
        if let Some(f) = fragments(secret).into_iter().find(|f| haystack.contains(f)) {
            found.push(format!("{label} ({f:?})"));
        }
    }
    found
}

/// A full session against a server that logs everything (`RUST_LOG=trace`,
/// which also lets every dependency's records through) in `format`,
/// tapping `/v1/logs` as the admin all along; then every secret used is
/// looked for in stderr and in the log stream.
async fn secrets_stay_out_of_the_logs(format: &str) {
    let srv = TestServer::start_with_env(&["--log-format", format], &[("RUST_LOG", "trace")]);
    let admin = srv.admin();
    let admin_token = srv.admin_token().to_string();
    let anon = srv.anon();
    // Two taps: one by the header, one by `?access_token=`.
    let tap_header = LogTap::start(admin.sse("/v1/logs", None).await);
    let tap_query = LogTap::start(anon.sse_query_token("/v1/logs", &admin_token).await);

    let mut secrets: Vec<(String, String)> = vec![("admin.token".into(), admin_token.clone())];

    // Tokens made through POST /v1/admin/tokens.
    let a = srv.user("secret-a").await;
    let b = srv.user("secret-b").await;
    let a_token = a.token.clone().unwrap();
    let b_token = b.token.clone().unwrap();
    secrets.push(("A's token".into(), a_token.clone()));
    secrets.push(("B's token".into(), b_token.clone()));
    let r = admin
        .post_json(
            "/v1/admin/tokens",
            &json!({"user": "second-root", "admin": true}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let root2_token = r.json()["token"].as_str().unwrap().to_string();
    secrets.push(("a second admin token".into(), root2_token.clone()));
    let root2 = srv.api(&root2_token);
    let r = root2
        .post_json("/v1/admin/tokens", &json!({"user": "made-by-root2"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    secrets.push((
        "a token made by the second admin".into(),
        r.json()["token"].as_str().unwrap().to_string(),
    ));

    // Upload (raw and multipart), watch the parse by `?access_token=`, edit.
    let created = a.upload_fixture("resume.md").await;
    let id = created["id"].as_str().unwrap().to_string();
    let mut parse = anon
        .sse_query_token(&format!("/v1/resumes/{id}/events"), &a_token)
        .await;
    parse.assert_sse_headers();
    let events = parse.events_to_end(PARSE_TIMEOUT).await;
    assert_eq!(
        events.last().unwrap().event_name(),
        "complete",
        "{events:?}"
    );
    let r = a
        .upload_multipart(fixture("resume.txt"), CT_TXT, "second.txt")
        .await;
    assert_eq!(r.status, 202, "{}", r.text());
    let second = r.json()["id"].as_str().unwrap().to_string();
    a.wait_terminal(&second).await;
    let r = a
        .patch(
            &format!("/v1/resumes/{id}"),
            &json!({"basics": {"label": "Staff Engineer"}}),
            Some("\"1\""),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        a.get(&format!("/v1/resumes/{id}/revisions")).await.status,
        200
    );
    assert_eq!(a.list().await.len(), 2);

    // Shares: create, view in every form, revoke, and the failures.
    let share = a.share(&id, &json!({"expires_in_days": 5})).await;
    let token = share["token"].as_str().unwrap().to_string();
    let doomed = a.share(&id, &json!({})).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let victim = a.share(&second, &json!({})).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    secrets.push(("share token".into(), token.clone()));
    secrets.push(("revoked share token".into(), doomed.clone()));
    secrets.push(("share token of a deleted resume".into(), victim.clone()));
    let view = |path: String, accept: &'static str| {
        let anon = anon.clone();
        async move {
            anon.send(anon.request(Method::GET, &path).header("accept", accept))
                .await
        }
    };
    for (query, accept, want) in [
        ("", "application/json", "application/json"),
        ("", "text/html", "text/html"),
        ("", "text/markdown", "text/markdown"),
        ("?format=md", "*/*", "text/markdown"),
        ("?format=json", "*/*", "application/json"),
    ] {
        let r = view(format!("/s/{token}{query}"), accept).await;
        assert_eq!(r.status, 200, "{query} {accept}: {}", r.text());
        assert!(r.header("content-type").unwrap().starts_with(want));
    }
    let r = anon
        .send(anon.request(Method::HEAD, &format!("/s/{token}")))
        .await;
    assert_eq!(r.status, 405);
    let r = a.delete(&format!("/v1/shares/{doomed}")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    view(format!("/s/{doomed}"), "application/json")
        .await
        .assert_error(410, "gone");
    assert_eq!(view(format!("/s/{doomed}"), "text/html").await.status, 410);
    let guess = made_up_share_token();
    secrets.push(("a guessed share token".into(), guess.clone()));
    view(format!("/s/{guess}"), "application/json")
        .await
        .assert_error(404, "not_found");
    assert_eq!(view(format!("/s/{guess}"), "text/html").await.status, 404);
    // Another owner revoking it, and the owner deleting a shared resume.
    b.delete(&format!("/v1/shares/{token}"))
        .await
        .assert_error(404, "not_found");
    assert_eq!(a.shares(&id).await.len(), 2);
    assert_eq!(a.delete(&format!("/v1/resumes/{second}")).await.status, 204);
    view(format!("/s/{victim}"), "application/json")
        .await
        .assert_error(404, "not_found");

    // B's resume and share, viewed once.
    let b_resume = b.upload_ready("resume.json").await;
    let b_id = b_resume["id"].as_str().unwrap().to_string();
    let b_share = b.share(&b_id, &json!({})).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    secrets.push(("B's share token".into(), b_share.clone()));
    assert_eq!(
        view(format!("/s/{b_share}?format=md"), "*/*").await.status,
        200
    );

    // A job, a tailoring preview and its confirmation, a diff.
    let r = a
        .send(
            a.request(Method::POST, "/v1/jobs")
                .header("content-type", CT_MD)
                .body(fixture("job_backend.md")),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let job = r.json()["id"].as_str().unwrap().to_string();
    let r = a
        .post_json(&format!("/v1/resumes/{id}/tailor"), &json!({"job_id": job}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let hash = r.json()["preview_hash"].as_str().unwrap().to_string();
    let r = a
        .post_json(
            &format!("/v1/resumes/{id}/tailor/confirm"),
            &json!({"job_id": job, "preview_hash": hash}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let tailored = r.json()["id"].as_str().unwrap().to_string();
    let r = a
        .get(&format!("/v1/resumes/{tailored}/diff?against={id}"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        a.get(&format!("/v1/resumes/{id}/diff?against=rev:1"))
            .await
            .status,
        200
    );

    // Streams by `?access_token=`: good, foreign, bad and not admin.
    let mut account = anon.sse_query_token("/v1/events", &a_token).await;
    account.assert_sse_headers();
    let _ = account.try_next_frame(Duration::from_millis(200)).await;
    drop(account);
    anon.sse_query_token(&format!("/v1/resumes/{id}/events"), &b_token)
        .await
        .as_resp()
        .assert_error(404, "not_found");
    anon.sse_query_token("/v1/logs", &a_token)
        .await
        .as_resp()
        .assert_error(403, "forbidden");
    let root2_logs = anon.sse_query_token("/v1/logs", &root2_token).await;
    root2_logs.assert_sse_headers();
    drop(root2_logs);

    // Failed authentication: six made-up tokens, each presented once.
    let bad: Vec<String> = (0..6).map(|_| made_up_token()).collect();
    for (i, t) in bad.iter().enumerate() {
        secrets.push((format!("bad token {i}"), t.clone()));
    }
    a.with_token(&bad[0])
        .get("/v1/resumes")
        .await
        .assert_error(401, "unauthorized");
    a.with_token(&bad[1])
        .get(&format!("/v1/resumes/{id}"))
        .await
        .assert_error(401, "unauthorized");
    anon.sse_query_token("/v1/events", &bad[2])
        .await
        .as_resp()
        .assert_error(401, "unauthorized");
    anon.sse_query_token(&format!("/v1/resumes/{id}/events"), &bad[3])
        .await
        .as_resp()
        .assert_error(401, "unauthorized");
    // Only the streams read `?access_token=`; elsewhere it is no token at all.
    anon.get(&format!("/v1/resumes?access_token={}", bad[4]))
        .await
        .assert_error(401, "unauthorized");
    a.with_token(&bad[5])
        .post_json("/v1/admin/tokens", &json!({"user": "nobody"}))
        .await
        .assert_error(401, "unauthorized");
    // Refusals and misses with good tokens.
    a.post_json("/v1/admin/tokens", &json!({"user": "mallory"}))
        .await
        .assert_error(403, "forbidden");
    a.get(&format!("/v1/resumes/{}", uuid::Uuid::new_v4()))
        .await
        .assert_error(404, "not_found");
    a.get("/v1/no-such-route")
        .await
        .assert_error(404, "not_found");

    // Let the last records arrive, then look.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let by_header = tap_header.finish().await;
    let by_query = tap_query.finish().await;
    let stderr = srv.stderr_contents();

    // The logs are there and at debug level, and the masking is in effect.
    let debug = if format == "json" {
        "\"level\":\"DEBUG\""
    } else {
        " DEBUG "
    };
    assert!(
        stderr.contains(debug),
        "no debug records on stderr:\n{}",
        tail(&stderr, 20)
    );
    assert!(stderr.contains("/s/<token>"), "share paths are masked");
    assert!(
        stderr.contains("/v1/shares/<token>"),
        "share paths are masked"
    );
    for (how, tap) in [("header", &by_header), ("query", &by_query)] {
        assert!(
            tap.records > 50,
            "the log stream ({how}) carried {} records",
            tap.records
        );
        assert_eq!(
            tap.resyncs, 0,
            "the log stream ({how}) fell behind and lost records"
        );
        assert!(
            tap.text.contains("\"level\":\"DEBUG\""),
            "debug records on the stream"
        );
    }

    for (what, text) in [
        ("stderr", &stderr),
        ("the log stream (header)", &by_header.text),
        ("the log stream (query)", &by_query.text),
    ] {
        let found = exposed(&secrets, text);
        assert!(
            found.is_empty(),
            "{what} ({format}) holds {found:?}:\n{}",
            tail(text, 40)
        );
    }
    eprintln!(
        "{format}: {} secrets ({} fragments each at most) not found in {} bytes of stderr and {} + {} bytes ({} + {} records) of /v1/logs",
        secrets.len(),
        fragments(&admin_token).len(),
        stderr.len(),
        by_header.text.len(),
        by_query.text.len(),
        by_header.records,
        by_query.records,
    );
}

#[tokio::test]
async fn no_secret_in_text_logs_at_trace_level() {
    secrets_stay_out_of_the_logs("text").await;
}

#[tokio::test]
async fn no_secret_in_json_logs_at_trace_level() {
    secrets_stay_out_of_the_logs("json").await;
}

/// Request paths that do not match a route are logged as they came, so a
/// share token in a mistyped link (a doubled slash, say) reaches the log:
/// `redact_path` in server/src/http/mod.rs only masks paths that start with
/// exactly `/s/` or `/v1/shares/`, and only their first segment.
#[tokio::test]
async fn share_tokens_in_malformed_paths_are_not_logged() {
    let srv = TestServer::start();
    let anon = srv.anon();
    let mut secrets = Vec::new();
    for shape in ["//s/{t}", "/s//{t}", "/v1/shares//{t}", "//v1/shares/{t}"] {
        let t = made_up_share_token();
        let path = shape.replace("{t}", &t);
        let r = anon.send(anon.request(Method::DELETE, &path)).await;
        assert!(
            r.status == 404 || r.status == 405 || r.status == 401,
            "{path}: {}",
            r.status
        );
        let r = anon.get(&path).await;
        assert!(r.status == 404 || r.status == 401, "{path}: {}", r.status);
        secrets.push((format!("share token in {shape}"), t));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let stderr = srv.stderr_contents();
    let found = exposed(&secrets, &stderr);
    assert!(
        found.is_empty(),
        "stderr holds {found:?}:\n{}",
        tail(&stderr, 20)
    );
}

/// The store holds every resume (personal data, original uploads) and the
/// token hashes; nobody but the server's user should read it, whatever the
/// umask the server was started with. (`admin.token` is checked in auth.rs.)
#[tokio::test]
async fn store_and_data_dir_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    // The server makes the data dir itself.
    let data = root.path().join("fresh");
    let srv = TestServer::start_in(&data, &[]);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = mode(&srv.data_dir());
    assert_eq!(dir & 0o077, 0, "the data dir is mode {dir:o}");
    for entry in std::fs::read_dir(srv.data_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("server.url") {
            // The address, not a secret; written (via server.url.tmp and a
            // rename) just after the listening line, so it may be mid-rename.
            continue;
        }
        let m = mode(&path);
        assert_eq!(m & 0o077, 0, "{name} is mode {m:o}");
    }
}

/// Bits of entropy a token of `len` characters from `alphabet` can carry.
fn bits(len: usize, alphabet: usize) -> f64 {
    len as f64 * (alphabet as f64).log2()
}

/// Checks a batch of random tokens (without any fixed prefix): the alphabet
/// and length give at least 128 bits, all are distinct, no two share a
/// longer prefix than chance allows, every position varies, and the decoded
/// bytes are half ones.
fn assert_random_tokens(what: &str, tokens: &[String], bytes_each: usize) {
    let n = tokens.len();
    let base64url = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let hex = |c: char| c.is_ascii_hexdigit();
    let len = tokens[0].len();
    assert!(
        tokens.iter().all(|t| t.len() == len),
        "{what}: lengths differ"
    );
    let alphabet = if tokens.iter().all(|t| t.chars().all(hex)) {
        16
    } else {
        assert!(
            tokens.iter().all(|t| t.chars().all(base64url)),
            "{what}: not base64url: {tokens:?}"
        );
        64
    };
    let b = bits(len, alphabet);
    assert!(
        b >= 128.0,
        "{what}: {len} characters of {alphabet} = {b} bits"
    );
    let distinct: std::collections::BTreeSet<&String> = tokens.iter().collect();
    assert_eq!(distinct.len(), n, "{what}: repeated tokens");
    // Sorted, the longest common prefix of neighbours is the longest of all
    // pairs. For n tokens, P(some pair shares k characters) ≈ n²/2 / 64^k:
    // 6 characters is about 1 in 3 million for 200 tokens.
    let sorted: Vec<&String> = distinct.into_iter().collect();
    let longest = sorted
        .windows(2)
        .map(|w| {
            w[0].chars()
                .zip(w[1].chars())
                .take_while(|(x, y)| x == y)
                .count()
        })
        .max()
        .unwrap();
    let limit = if alphabet == 64 { 6 } else { 9 };
    assert!(
        longest < limit,
        "{what}: two tokens share {longest} leading characters"
    );
    // Every position varies (the last of a base64 string may carry fewer bits).
    for i in 0..len - 1 {
        let seen: std::collections::BTreeSet<u8> = tokens.iter().map(|t| t.as_bytes()[i]).collect();
        assert!(
            seen.len() >= alphabet / 4,
            "{what}: position {i} takes only {} values in {n} tokens",
            seen.len()
        );
    }
    // Monobit: the share of one bits, within 5 standard deviations of half.
    let mut ones = 0u64;
    for t in tokens {
        let raw = if alphabet == 64 {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(t)
                .unwrap_or_else(|e| panic!("{what}: {t:?} does not decode: {e}"))
        } else {
            (0..t.len() / 2)
                .map(|i| u8::from_str_radix(&t[2 * i..2 * i + 2], 16).unwrap())
                .collect()
        };
        assert_eq!(
            raw.len(),
            bytes_each,
            "{what}: {t:?} holds {} bytes",
            raw.len()
        );
        ones += raw.iter().map(|b| u64::from(b.count_ones())).sum::<u64>();
    }
    let total = (n * bytes_each * 8) as f64;
    let sigma = total.sqrt() / 2.0;
    let off = (ones as f64 - total / 2.0).abs();
    assert!(off < 5.0 * sigma, "{what}: {ones} ones in {total} bits");
}

#[tokio::test]
async fn share_tokens_carry_at_least_128_random_bits() {
    let srv = TestServer::start();
    let api = srv.user("entropy").await;
    let id = api.upload_ready("resume.md").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut tokens = Vec::new();
    for _ in 0..200 {
        let share = api.share(&id, &json!({})).await;
        assert_share_shape(&share);
        tokens.push(share["token"].as_str().unwrap().to_string());
    }
    // docs/api.md: 24 random bytes in base64url (32 characters).
    assert!(tokens.iter().all(|t| t.len() == 32), "{tokens:?}");
    assert_random_tokens("share tokens", &tokens, 24);
    assert_eq!(api.shares(&id).await.len(), 200);
}

#[tokio::test]
async fn api_tokens_carry_at_least_128_random_bits() {
    let srv = TestServer::start();
    let admin = srv.admin();
    let mut tokens = vec![srv.admin_token().to_string()];
    for i in 0..149 {
        let r = admin
            .post_json(
                "/v1/admin/tokens",
                &json!({"user": format!("entropy-{}", i % 7), "admin": i % 2 == 0}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        tokens.push(r.json()["token"].as_str().unwrap().to_string());
    }
    // docs/api.md: `vt_` + 43 base64url characters (256 random bits).
    let random: Vec<String> = tokens
        .iter()
        .map(|t| {
            t.strip_prefix("vt_")
                .unwrap_or_else(|| panic!("token {t:?} lacks the vt_ prefix"))
                .to_string()
        })
        .collect();
    assert!(random.iter().all(|t| t.len() == 43), "{random:?}");
    assert_random_tokens("API tokens", &random, 32);
}
