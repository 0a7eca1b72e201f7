//! Paged lists (docs/api.md, "Paged lists"): `GET /v1/resumes`,
//! `GET /v1/resumes/{id}/shares` and `GET /v1/resumes/{id}/revisions` take
//! `?limit=&cursor=` and answer `next_cursor` until the last page.
//!
//! A walk over every page meets every item that existed when it began
//! exactly once and in list order, while items are created (and deleted)
//! between its pages; the pages together are the whole list; the revision
//! summaries are the same paged or not; a cursor only continues its own
//! list (altered or another user's: `400 invalid_cursor`, and nothing of
//! the other user's is shown). Plain bad `limit`/`cursor` values are cases
//! of tests/tests/bad_requests/paging.rs.
//!
//! One server for the whole file; each test uses its own fresh user.

use std::collections::{BTreeSet, HashMap};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use futures_util::future::join_all;
use serde_json::Value;
use vitae_tests::*;

fn server() -> &'static TestServer {
    shared_server(&[])
}

/// One page: the items under `key`, and the next cursor.
async fn page(api: &Api, path: &str, key: &str, query: &str) -> (Vec<Value>, Option<String>) {
    let r = api.get(&format!("{path}?{query}")).await;
    assert_eq!(r.status, 200, "GET {path}?{query}: {}", r.text());
    let v = r.json();
    let items = v[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} array: {v}"))
        .clone();
    let next = match &v["next_cursor"] {
        Value::String(c) => Some(c.clone()),
        Value::Null => None,
        other => panic!("next_cursor is neither a string nor absent: {other}"),
    };
    (items, next)
}

/// Create `n` share links on `id`, 16 at a time; their tokens.
async fn create_shares(api: &Api, id: &str, n: usize) -> Vec<String> {
    let mut tokens = Vec::with_capacity(n);
    let ids: Vec<usize> = (0..n).collect();
    let body = json!({});
    for chunk in ids.chunks(16) {
        let made = join_all(chunk.iter().map(|_| api.share(id, &body))).await;
        tokens.extend(
            made.iter()
                .map(|s| s["token"].as_str().unwrap().to_string()),
        );
    }
    tokens
}

fn tokens_of(shares: &[Value]) -> Vec<String> {
    shares
        .iter()
        .map(|s| s["token"].as_str().unwrap().to_string())
        .collect()
}

/// Creation times never go down along a list.
fn assert_oldest_first(items: &[Value]) {
    for pair in items.windows(2) {
        assert!(
            parse_time(&pair[0]["created_at"]) <= parse_time(&pair[1]["created_at"]),
            "out of order: {} then {}",
            pair[0]["created_at"],
            pair[1]["created_at"]
        );
    }
}

async fn ready_resume(api: &Api) -> String {
    api.upload_ready("resume.md").await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn every_page_of_250_shares_together_is_the_whole_list_even_while_links_are_created() {
    let api = server().user("pgshare").await;
    let id = ready_resume(&api).await;
    let path = format!("/v1/resumes/{id}/shares");
    let before = create_shares(&api, &id, 250).await;

    // Default page: 100, with a cursor; the last page has none.
    let (first, next) = page(&api, &path, "shares", "").await;
    assert_eq!(first.len(), 100, "default limit");
    assert!(next.is_some(), "more pages follow");

    // A walk in pages of 40, creating links between its pages.
    let mut walked: Vec<Value> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut during = Vec::new();
    let mut pages = 0;
    loop {
        let query = match &cursor {
            Some(c) => format!("limit=40&cursor={c}"),
            None => "limit=40".to_string(),
        };
        let (items, next) = page(&api, &path, "shares", &query).await;
        assert!(items.len() <= 40, "a page holds at most its limit");
        walked.extend(items);
        pages += 1;
        if pages <= 3 {
            during.extend(create_shares(&api, &id, 7).await);
        }
        match next {
            Some(c) => cursor = Some(c),
            None => break,
        }
        assert!(pages < 100, "the walk does not end");
    }
    let walked_tokens = tokens_of(&walked);
    let unique: BTreeSet<&String> = walked_tokens.iter().collect();
    assert_eq!(unique.len(), walked_tokens.len(), "no link twice");
    for token in &before {
        assert!(
            unique.contains(token),
            "a link that existed before the walk was skipped"
        );
    }
    // Links created meanwhile are newer than every page read so far: they
    // come on the pages after, so this walk meets them all.
    for token in &during {
        assert!(
            unique.contains(token),
            "a link created meanwhile is missing"
        );
    }
    assert_eq!(walked.len(), 250 + during.len());
    assert_oldest_first(&walked);
    for share in &walked {
        assert_share_shape(share);
    }

    // One page of 1000 is the same list in the same order.
    let (whole, next) = page(&api, &path, "shares", "limit=1000").await;
    assert!(next.is_none());
    assert_eq!(tokens_of(&whole), walked_tokens);
    // The last page ends the list: no cursor on an exactly full last page.
    let (_, next) = page(&api, &path, "shares", &format!("limit={}", whole.len())).await;
    assert!(
        next.is_none(),
        "an exactly full last page has no next_cursor"
    );
}

#[tokio::test]
async fn a_walk_over_resumes_skips_nothing_when_items_are_deleted_or_added_between_pages() {
    let api = server().user("pgres").await;
    let mut created = Vec::new();
    for i in 0..30 {
        let r = api
            .upload(
                format!("# Person {i}\n\nEngineer.\n").into_bytes(),
                "text/markdown",
                &format!("cv-{i}.md"),
            )
            .await;
        assert_eq!(r.status, 202, "{}", r.text());
        created.push(r.json()["id"].as_str().unwrap().to_string());
    }
    let (first, cursor) = page(&api, "/v1/resumes", "resumes", "limit=10").await;
    assert_eq!(first.len(), 10);
    let cursor = cursor.expect("more pages");
    // Delete a resume the walk has met, and one it has not met yet; add one.
    let met = first[3]["id"].as_str().unwrap().to_string();
    let unmet = created[25].clone();
    for id in [&met, &unmet] {
        let r = api.delete(&format!("/v1/resumes/{id}")).await;
        assert_eq!(r.status, 204, "{}", r.text());
    }
    let r = api
        .upload(
            b"# Late\n\nEngineer.\n".to_vec(),
            "text/markdown",
            "late.md",
        )
        .await;
    assert_eq!(r.status, 202);
    let late = r.json()["id"].as_str().unwrap().to_string();

    let mut walked: Vec<Value> = first;
    let mut cursor = Some(cursor);
    while let Some(c) = cursor {
        let (items, next) = page(
            &api,
            "/v1/resumes",
            "resumes",
            &format!("limit=10&cursor={c}"),
        )
        .await;
        walked.extend(items);
        cursor = next;
    }
    let ids: Vec<String> = walked
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no resume twice");
    for id in &created {
        if *id != unmet {
            assert!(unique.contains(id), "resume {id} was skipped");
        }
    }
    assert!(!unique.contains(&unmet), "a resume deleted before its page");
    assert!(unique.contains(&late), "the resume added during the walk");
    assert_oldest_first(&walked);
    for r in &walked {
        assert!(r.get("document").is_none(), "lists carry no document");
    }
}

#[tokio::test]
async fn revision_pages_match_the_whole_history_summaries_included() {
    let api = server().user("pgrev").await;
    let id = ready_resume(&api).await;
    for i in 0..40 {
        let body = json!({"basics": {"label": format!("Engineer {i}")}});
        let r = api.patch(&format!("/v1/resumes/{id}"), &body, None).await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let path = format!("/v1/resumes/{id}/revisions");
    let (whole, next) = page(&api, &path, "revisions", "limit=1000").await;
    assert!(next.is_none());
    assert_eq!(whole.len(), 41);
    let numbers: Vec<u64> = whole
        .iter()
        .map(|r| r["revision"].as_u64().unwrap())
        .collect();
    assert_eq!(
        numbers,
        (1..=41).collect::<Vec<u64>>(),
        "oldest first, current last"
    );
    for limit in [1, 7, 16, 40, 41] {
        let paged = api.all_pages(&path, "revisions", limit).await;
        assert_eq!(
            paged, whole,
            "pages of {limit}: the same revisions and summaries"
        );
    }
    // The default page is the first 100: all 41 here.
    let (default, next) = page(&api, &path, "revisions", "").await;
    assert_eq!(default, whole);
    assert!(next.is_none());
}

/// The text inside a cursor, and a cursor made from text.
fn open(cursor: &str) -> String {
    String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).expect("base64url")).expect("text")
}

fn seal(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(text)
}

#[tokio::test]
async fn a_cursor_continues_only_its_own_list() {
    let alice = server().user("pgalice").await;
    let bob = server().user("pgbob").await;
    let alice_resume = ready_resume(&alice).await;
    let other_resume = ready_resume(&alice).await;
    let bob_resume = ready_resume(&bob).await;
    create_shares(&alice, &alice_resume, 5).await;
    create_shares(&alice, &other_resume, 3).await;
    create_shares(&bob, &bob_resume, 4).await;
    let alice_shares = format!("/v1/resumes/{alice_resume}/shares");
    let (_, cursor) = page(&alice, &alice_shares, "shares", "limit=2").await;
    let cursor = cursor.expect("more pages");
    let (_, resumes_cursor) = page(&alice, "/v1/resumes", "resumes", "limit=1").await;
    let resumes_cursor = resumes_cursor.expect("alice has two resumes");

    let refused = |r: &Resp, why: &str| {
        let v = r.assert_error(400, "invalid_cursor");
        let message = v["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(message.contains("leave cursor out"), "{why}: {message}");
    };
    // Bob with Alice's cursors: on his own lists, and on hers.
    for (path, c) in [
        ("/v1/resumes".to_string(), &resumes_cursor),
        (format!("/v1/resumes/{bob_resume}/shares"), &cursor),
        (alice_shares.clone(), &cursor),
    ] {
        let r = bob.get(&format!("{path}?cursor={c}")).await;
        assert_ne!(r.status, 200, "bob listed {path} with alice's cursor");
        assert!(
            !r.text().contains(&alice_resume),
            "nothing of alice's: {}",
            r.text()
        );
        refused(&r, "another user's cursor");
    }
    // Alice's own cursor on another of her lists.
    let r = alice
        .get(&format!(
            "/v1/resumes/{other_resume}/shares?cursor={cursor}"
        ))
        .await;
    refused(&r, "another resume's cursor");
    let r = alice.get(&format!("/v1/resumes?cursor={cursor}")).await;
    refused(&r, "a shares cursor on the resumes");
    // Altered positions (the list's own tag kept): refused, never a 5xx.
    let text = open(&cursor);
    let (head, _) = text.rsplit_once(':').expect("v1:list:tag:at:key");
    let (head, _) = head.rsplit_once(':').unwrap();
    for position in ["x:y", "1:", "99999999999999999999:abc", "1:a/b", "1:../x"] {
        let altered = seal(&format!("{head}:{position}"));
        let r = alice.get(&format!("{alice_shares}?cursor={altered}")).await;
        refused(&r, "an altered cursor");
    }
    // A well-formed position past every item: an empty last page.
    let past = seal(&format!("{head}:{}:zzzz", i64::MAX));
    let (items, next) = page(&alice, &alice_shares, "shares", &format!("cursor={past}")).await;
    assert!(items.is_empty() && next.is_none());
    // And the cursor still works for its own list.
    let (rest, next) = page(&alice, &alice_shares, "shares", &format!("cursor={cursor}")).await;
    assert_eq!(rest.len(), 3);
    assert!(next.is_none());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for s in alice.shares(&alice_resume).await {
        *seen
            .entry(s["token"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    assert_eq!(seen.len(), 5);
}

/// `vitae ARGS` against the shared server as the user of `api`; its stdout
/// (asserting success) and stderr.
fn vitae(api: &Api, args: &[&str]) -> (String, String) {
    let config = tempfile::tempdir().unwrap();
    let mut command = std::process::Command::new(client_bin());
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("VITAE_") {
            command.env_remove(name);
        }
    }
    let out = command
        .args(args)
        .env("NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", config.path())
        .env("VITAE_URL", server().url())
        .env("VITAE_TOKEN", api.token.clone().expect("a user token"))
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run vitae");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "vitae {args:?}: {stderr}");
    (stdout, stderr)
}

#[tokio::test]
async fn the_cli_lists_everything_past_the_default_page_and_one_page_on_request() {
    let api = server().user("pgcli").await;
    let id = ready_resume(&api).await;
    let made = create_shares(&api, &id, 130).await;
    // Created 16 at a time: the list's order is the server's, not `made`'s.
    let sorted = |mut tokens: Vec<String>| {
        tokens.sort();
        tokens
    };

    // No paging options: every link, more than the server's default page.
    let (all, _) = vitae(&api, &["shares", &id, "--json"]);
    let all: Value = serde_json::from_str(&all).unwrap();
    let listed = tokens_of(all["shares"].as_array().unwrap());
    assert_oldest_first(all["shares"].as_array().unwrap());
    assert_eq!(sorted(listed.clone()), sorted(made.clone()));
    assert!(all.get("next_cursor").is_none(), "{all}");
    let (table, _) = vitae(&api, &["shares", &id]);
    assert!(
        made.iter().all(|t| table.contains(&t[..8])),
        "every link in the table"
    );

    // One page at a time with --limit and --cursor.
    let mut walked = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut args = vec!["shares", id.as_str(), "--limit", "50", "--json"];
        if let Some(c) = &cursor {
            args.extend(["--cursor", c.as_str()]);
        }
        let (page, _) = vitae(&api, &args);
        let page: Value = serde_json::from_str(&page).unwrap();
        walked.extend(tokens_of(page["shares"].as_array().unwrap()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(walked, listed, "the pages, one after another, are the list");
    // A person gets the next page's command on stderr.
    let (_, hint) = vitae(&api, &["shares", &id, "--limit", "100"]);
    assert!(hint.contains("--cursor"), "{hint}");
    let (_, hint) = vitae(&api, &["revisions", &id, "--limit", "1"]);
    assert!(
        !hint.contains("--cursor"),
        "one revision, no next page: {hint}"
    );
    let (list, _) = vitae(&api, &["list", "--limit", "1", "--json"]);
    let list: Value = serde_json::from_str(&list).unwrap();
    assert_eq!(list["resumes"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn job_pages_together_are_the_whole_list() {
    let api = server().user("pgjobs").await;
    let mut made = Vec::new();
    for i in 0..15 {
        let body = format!("Backend engineer {i}: Rust, PostgreSQL, Kubernetes, on-call rota {i}.");
        let r = api
            .send(
                api.request(reqwest::Method::POST, "/v1/jobs")
                    .header("content-type", "text/plain")
                    .body(body),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        made.push(r.json()["id"].as_str().unwrap().to_string());
    }
    let ids = |jobs: Vec<Value>| -> Vec<String> {
        jobs.iter()
            .map(|j| j["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(api.all_pages("/v1/jobs", "jobs", 4).await), made);
    let (first, next) = page(&api, "/v1/jobs", "jobs", "limit=15").await;
    assert_eq!(ids(first), made);
    assert!(next.is_none());
}
