//! Versions of a resume: every accepted PATCH keeps the previous revision
//! (`GET /v1/resumes/{id}/revisions[/{n}]`, oldest first, with an origin and a
//! per-section summary), `POST …/revisions/{n}/restore` copies an old revision
//! into a new current one without rewriting history, and
//! `GET /v1/resumes/{id}/diff?against=…` compares two resumes or two revisions
//! with lists aligned by identity (a reorder is only `moved`, an insertion is
//! one `added` and no `moved`, a changed long string carries a word diff).
//! Errors: 400 for malformed input, 404 for unknown or other owners'
//! resources, 409 for a side without a parsed document or restoring the
//! current revision, 412 for a stale `If-Match`.
//!
//! One server for the whole file; each test uses a fresh user.

use serde_json::Value;
use vitae_tests::*;

fn server() -> &'static TestServer {
    shared_server(&[])
}

/// A fresh user with `resume.json` parsed; returns the client, the id and the resource.
async fn ready_json(prefix: &str) -> (Api, String, Value) {
    let api = server().user(prefix).await;
    let v = api.upload_ready("resume.json").await;
    let id = v["id"].as_str().unwrap().to_string();
    (api, id, v)
}

/// `GET /v1/resumes/{id}/revisions`, asserting 200 and the shape of every entry.
async fn revisions(api: &Api, id: &str) -> Vec<Value> {
    let r = api.get(&format!("/v1/resumes/{id}/revisions")).await;
    assert_eq!(r.status, 200, "GET revisions: {}", r.text());
    let list = r.json()["revisions"]
        .as_array()
        .unwrap_or_else(|| panic!("no revisions array: {}", r.text()))
        .clone();
    for rev in &list {
        assert!(rev["revision"].is_u64(), "revision number in {rev}");
        assert!(is_rfc3339(&rev["created_at"]), "created_at in {rev}");
        assert!(
            rev["origin"].as_str().is_some_and(|s| !s.is_empty()),
            "origin in {rev}"
        );
        assert!(
            rev["summary"].as_str().is_some_and(|s| !s.is_empty()),
            "summary in {rev}"
        );
    }
    list
}

fn numbers(list: &[Value]) -> Vec<u64> {
    list.iter()
        .map(|r| r["revision"].as_u64().unwrap())
        .collect()
}

/// PATCH the document, asserting 200; returns the resume.
async fn patch_ok(api: &Api, id: &str, body: &Value) -> Value {
    let r = api.patch(&format!("/v1/resumes/{id}"), body, None).await;
    assert_eq!(r.status, 200, "PATCH {body}: {}", r.text());
    r.json()
}

/// `GET /v1/resumes/{id}/revisions/{n}`, asserting 200; returns the revision.
async fn revision(api: &Api, id: &str, n: u64) -> Value {
    let r = api.get(&format!("/v1/resumes/{id}/revisions/{n}")).await;
    assert_eq!(r.status, 200, "GET revision {n}: {}", r.text());
    let v = r.json();
    assert_eq!(v["revision"].as_u64(), Some(n), "{v}");
    assert!(
        v["document"].is_object(),
        "a revision carries its document: {v}"
    );
    v
}

/// `GET /v1/resumes/{id}/diff?<query>` (query already encoded), unchecked.
async fn diff_raw(api: &Api, id: &str, query: &str) -> Resp {
    api.get(&format!("/v1/resumes/{id}/diff?{query}")).await
}

/// A diff that must succeed; asserts its shape and returns it.
async fn diff(api: &Api, id: &str, query: &str) -> Value {
    let r = diff_raw(api, id, query).await;
    assert_eq!(r.status, 200, "diff {id}?{query}: {}", r.text());
    let v = r.json();
    assert_diff_shape(&v);
    v
}

const KINDS: [&str; 4] = ["added", "removed", "changed", "moved"];

/// The shape of a diff response, and that the summary counts agree with the changes.
#[track_caller]
fn assert_diff_shape(v: &Value) {
    for side in ["before", "after"] {
        let s = &v[side];
        assert!(
            s["resume_id"]
                .as_str()
                .is_some_and(|id| uuid::Uuid::parse_str(id).is_ok()),
            "{side}.resume_id in {v}"
        );
        assert!(s["revision"].is_u64(), "{side}.revision in {v}");
        assert!(s["filename"].is_string(), "{side}.filename in {v}");
    }
    let changes = v["changes"]
        .as_array()
        .unwrap_or_else(|| panic!("changes in {v}"));
    let mut counts = [0u64; 4];
    for c in changes {
        let path = c["path"].as_str().unwrap_or_else(|| panic!("path in {c}"));
        assert!(path.starts_with('/'), "path must be a JSON Pointer: {c}");
        let kind = c["kind"].as_str().unwrap_or_else(|| panic!("kind in {c}"));
        let k = KINDS
            .iter()
            .position(|x| *x == kind)
            .unwrap_or_else(|| panic!("unknown kind {kind:?} in {c}"));
        counts[k] += 1;
        if kind == "moved" {
            assert!(
                c["from"].as_str().is_some_and(|f| f.starts_with('/')),
                "a moved change says where from: {c}"
            );
        }
        if let Some(words) = c.get("words").filter(|w| !w.is_null()) {
            let words = words
                .as_array()
                .unwrap_or_else(|| panic!("words is a list: {c}"));
            for w in words {
                assert!(
                    ["equal", "insert", "delete"].contains(&w["op"].as_str().unwrap_or("")),
                    "word op in {c}"
                );
                assert!(w["text"].is_string(), "word text in {c}");
            }
        }
    }
    let total = &v["summary"]["total"];
    for (i, kind) in KINDS.iter().enumerate() {
        assert_eq!(
            total[*kind].as_u64(),
            Some(counts[i]),
            "summary.total.{kind} counts the changes: {v}"
        );
    }
    assert!(
        v["summary"]["sections"].is_object(),
        "summary.sections in {v}"
    );
}

fn changes(v: &Value) -> Vec<Value> {
    v["changes"].as_array().cloned().unwrap_or_default()
}

fn total(v: &Value, kind: &str) -> u64 {
    v["summary"]["total"][kind].as_u64().unwrap()
}

fn section(v: &Value, section: &str, kind: &str) -> u64 {
    v["summary"]["sections"][section][kind]
        .as_u64()
        .unwrap_or(0)
}

fn error_message(r: &Resp) -> String {
    r.json()["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// A failed resume (`corrupt.pdf`) for `api`; returns its id.
async fn failed_resume(api: &Api) -> String {
    let bad = api.upload_fixture("corrupt.pdf").await;
    let bad_id = bad["id"].as_str().unwrap().to_string();
    assert_eq!(api.wait_terminal(&bad_id).await["status"], "failed");
    bad_id
}

// ---------------------------------------------------------------------------
// Revisions

#[tokio::test]
async fn revisions_start_parsed_and_grow_by_one_per_patch() {
    let (api, id, v) = ready_json("revlist").await;
    assert_eq!(
        v["revision"].as_u64(),
        Some(1),
        "a fresh parse is revision 1: {v}"
    );

    let list = revisions(&api, &id).await;
    assert_eq!(numbers(&list), vec![1], "{list:?}");
    assert_eq!(list[0]["origin"], "parsed", "{list:?}");

    // An edit of basics.
    let p = patch_ok(&api, &id, &json!({"basics": {"label": "Staff Engineer"}})).await;
    assert_eq!(p["revision"].as_u64(), Some(2));
    let list = revisions(&api, &id).await;
    assert_eq!(numbers(&list), vec![1, 2], "oldest first: {list:?}");
    assert_eq!(list[1]["origin"], "edited", "{list:?}");
    let summary = list[1]["summary"].as_str().unwrap();
    assert!(
        summary.contains("basics"),
        "the summary names the changed section: {summary:?}"
    );
    assert!(
        !summary.contains("work") && !summary.contains("skills"),
        "the summary names only changed sections: {summary:?}"
    );

    // An edit of work (merge patch replaces the whole array).
    let mut work = v["document"]["work"].clone();
    work[1]["position"] = json!("Senior Software Engineer");
    patch_ok(&api, &id, &json!({ "work": work })).await;
    let list = revisions(&api, &id).await;
    assert_eq!(numbers(&list), vec![1, 2, 3], "{list:?}");
    let summary = list[2]["summary"].as_str().unwrap();
    assert!(summary.contains("work"), "{summary:?}");
    assert!(!summary.contains("basics"), "{summary:?}");

    // The last one is the current revision, and times never go backwards.
    assert_eq!(api.resume(&id).await["revision"].as_u64(), Some(3));
    let times: Vec<_> = list.iter().map(|r| parse_time(&r["created_at"])).collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "created_at in order: {list:?}"
    );
    // The earlier entries did not change when later ones were added.
    let again = revisions(&api, &id).await;
    assert_eq!(again, list);
}

#[tokio::test]
async fn each_revision_keeps_its_own_document() {
    let (api, id, v) = ready_json("revget").await;
    let original = v["document"].clone();
    patch_ok(&api, &id, &json!({"basics": {"label": "A"}})).await;
    let current = patch_ok(&api, &id, &json!({"basics": {"label": "B"}})).await;

    assert_eq!(revision(&api, &id, 1).await["document"], original);
    assert_eq!(
        revision(&api, &id, 2).await["document"]["basics"]["label"],
        "A"
    );
    let r3 = revision(&api, &id, 3).await;
    assert_eq!(r3["document"], current["document"]);
    assert_eq!(r3["document"]["basics"]["label"], "B");
    assert_eq!(
        r3["document"]["basics"]["name"], FIXTURE_NAME,
        "untouched members are kept in every revision"
    );

    api.get(&format!("/v1/resumes/{id}/revisions/99"))
        .await
        .assert_error(404, "not_found");
    api.get(&format!("/v1/resumes/{id}/revisions/abc"))
        .await
        .assert_error(400, "bad_request");
    let unknown = uuid::Uuid::new_v4();
    api.get(&format!("/v1/resumes/{unknown}/revisions"))
        .await
        .assert_error(404, "not_found");

    // Another owner sees neither the list nor a revision.
    let other = server().user("revget-other").await;
    other
        .get(&format!("/v1/resumes/{id}/revisions"))
        .await
        .assert_error(404, "not_found");
    other
        .get(&format!("/v1/resumes/{id}/revisions/1"))
        .await
        .assert_error(404, "not_found");
}

#[tokio::test]
async fn restore_makes_a_new_revision_and_never_rewrites_history() {
    let (api, id, v) = ready_json("restore").await;
    let original = v["document"].clone();
    patch_ok(&api, &id, &json!({"basics": {"label": "A"}})).await;
    patch_ok(
        &api,
        &id,
        &json!({"basics": {"label": "B"}, "skills": null}),
    )
    .await;
    let before = revisions(&api, &id).await;
    assert_eq!(numbers(&before), vec![1, 2, 3]);
    let mut docs = Vec::new();
    for n in 1..=3 {
        docs.push(revision(&api, &id, n).await["document"].clone());
    }

    let r = api
        .post_empty(&format!("/v1/resumes/{id}/revisions/1/restore"))
        .await;
    assert_eq!(r.status, 201, "restore: {}", r.text());
    let restored = r.json();
    assert_resume_shape(&restored);
    assert_eq!(restored["id"], id.as_str());
    assert_eq!(restored["revision"].as_u64(), Some(4), "{restored}");
    assert_eq!(restored["document"], original, "revision 1's document");
    assert_eq!(
        r.header("etag").unwrap_or_default().trim_matches('"'),
        "4",
        "ETag after restore"
    );

    // The resume is now at revision 4 with the old document.
    let g = api.resume(&id).await;
    assert_eq!(g["revision"].as_u64(), Some(4));
    assert_eq!(g["document"], original);

    // History: 1..3 exactly as before, 4 says where it came from.
    let after = revisions(&api, &id).await;
    assert_eq!(numbers(&after), vec![1, 2, 3, 4], "{after:?}");
    assert_eq!(&after[..3], &before[..], "earlier revisions are unchanged");
    assert_eq!(after[3]["origin"], "restored revision 1", "{after:?}");
    let summary = after[3]["summary"].as_str().unwrap();
    assert!(
        summary.contains("basics") && summary.contains("skills"),
        "restoring 1 over 3 changes basics and skills back: {summary:?}"
    );
    for n in 1..=3u64 {
        assert_eq!(
            revision(&api, &id, n).await["document"],
            docs[n as usize - 1],
            "revision {n} unchanged"
        );
    }
    assert_eq!(revision(&api, &id, 4).await["document"], original);

    // Restoring a middle revision works the same way.
    let r = api
        .post_empty(&format!("/v1/resumes/{id}/revisions/2/restore"))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let r5 = r.json();
    assert_eq!(r5["revision"].as_u64(), Some(5));
    assert_eq!(r5["document"], docs[1]);
    let after = revisions(&api, &id).await;
    assert_eq!(after[4]["origin"], "restored revision 2", "{after:?}");
}

#[tokio::test]
async fn restore_refuses_current_unknown_stale_and_foreign() {
    let (api, id, _) = ready_json("restorebad").await;
    patch_ok(&api, &id, &json!({"basics": {"label": "A"}})).await;
    let path = |n: &str| format!("/v1/resumes/{id}/revisions/{n}/restore");

    // The current revision: nothing to restore.
    api.post_empty(&path("2"))
        .await
        .assert_error(409, "conflict");
    api.post_empty(&path("99"))
        .await
        .assert_error(404, "not_found");
    api.post_empty(&path("abc"))
        .await
        .assert_error(400, "bad_request");

    // A stale If-Match.
    let r = api
        .send(
            api.request(reqwest::Method::POST, &path("1"))
                .header("if-match", "\"1\""),
        )
        .await;
    r.assert_error(412, "precondition_failed");

    // Another owner.
    let other = server().user("restorebad-other").await;
    other
        .post_empty(&path("1"))
        .await
        .assert_error(404, "not_found");

    // None of that changed anything.
    let g = api.resume(&id).await;
    assert_eq!(g["revision"].as_u64(), Some(2));
    assert_eq!(g["document"]["basics"]["label"], "A");
    assert_eq!(numbers(&revisions(&api, &id).await), vec![1, 2]);

    // The current If-Match, quoted, is accepted.
    let r = api
        .send(
            api.request(reqwest::Method::POST, &path("1"))
                .header("if-match", "\"2\""),
        )
        .await;
    assert_eq!(
        r.status,
        201,
        "restore with a current If-Match: {}",
        r.text()
    );
    assert_eq!(r.json()["revision"].as_u64(), Some(3));
}

// ---------------------------------------------------------------------------
// Diff

#[tokio::test]
async fn diff_of_a_changed_position_is_one_change_without_word_diff() {
    let (api, id, v) = ready_json("dpos").await;
    let mut work = v["document"]["work"].clone();
    work[0]["position"] = json!("Staff Backend Engineer");
    patch_ok(&api, &id, &json!({ "work": work })).await;

    let d = diff(&api, &id, "against=rev:1").await;
    assert_eq!(d["before"]["resume_id"], id.as_str());
    assert_eq!(d["before"]["revision"].as_u64(), Some(1));
    assert_eq!(d["after"]["resume_id"], id.as_str());
    assert_eq!(d["after"]["revision"].as_u64(), Some(2));
    assert_eq!(d["after"]["filename"], "resume.json");
    let ch = changes(&d);
    assert_eq!(ch.len(), 1, "exactly one change: {d}");
    let c = &ch[0];
    assert_eq!(c["path"], "/work/0/position", "{c}");
    assert_eq!(c["kind"], "changed", "{c}");
    assert_eq!(c["before"], "Senior Backend Engineer", "{c}");
    assert_eq!(c["after"], "Staff Backend Engineer", "{c}");
    assert!(
        c.get("words").is_none_or(Value::is_null),
        "no word diff for a 3-word string: {c}"
    );
    assert_eq!(total(&d, "changed"), 1);
    assert_eq!(section(&d, "work", "changed"), 1, "{d}");

    // Swapping the sides swaps before and after.
    let back = diff(&api, &id, "against=rev:2&revision=1").await;
    let ch = changes(&back);
    assert_eq!(ch.len(), 1, "{back}");
    assert_eq!(ch[0]["path"], "/work/0/position");
    assert_eq!(ch[0]["before"], "Staff Backend Engineer");
    assert_eq!(ch[0]["after"], "Senior Backend Engineer");
    assert_eq!(back["after"]["revision"].as_u64(), Some(1));
    assert_eq!(back["before"]["revision"].as_u64(), Some(2));
}

#[tokio::test]
async fn diff_of_reordered_work_is_only_moves() {
    let (api, id, v) = ready_json("dmove").await;
    let work = v["document"]["work"].as_array().unwrap().clone();
    assert_eq!(work.len(), 2, "fixture has two jobs");
    let reversed: Vec<Value> = work.iter().rev().cloned().collect();
    patch_ok(&api, &id, &json!({ "work": reversed })).await;

    let d = diff(&api, &id, "against=rev:1").await;
    let ch = changes(&d);
    assert!(!ch.is_empty(), "a reorder is a change: {d}");
    for c in &ch {
        assert_eq!(c["kind"], "moved", "a reorder is only moves: {d}");
        let path = c["path"].as_str().unwrap();
        let from = c["from"].as_str().unwrap();
        assert!(
            ["/work/0", "/work/1"].contains(&path) && ["/work/0", "/work/1"].contains(&from),
            "moves of whole work entries: {c}"
        );
        assert_ne!(path, from, "{c}");
    }
    // Nordlys moved from 0 to 1 or Fjällräv from 1 to 0 (or both are reported).
    assert!(
        ch.iter()
            .any(|c| (c["path"] == "/work/1" && c["from"] == "/work/0")
                || (c["path"] == "/work/0" && c["from"] == "/work/1")),
        "{d}"
    );
    assert_eq!(total(&d, "added"), 0);
    assert_eq!(total(&d, "removed"), 0);
    assert_eq!(total(&d, "changed"), 0);
    assert_eq!(total(&d, "moved"), ch.len() as u64);
    assert_eq!(section(&d, "work", "moved"), ch.len() as u64, "{d}");
}

#[tokio::test]
async fn diff_of_an_inserted_work_entry_is_one_added_and_no_moves() {
    let (api, id, v) = ready_json("dadd").await;
    let new_job = json!({
        "name": "Aurora Freight",
        "position": "Principal Engineer",
        "startDate": "2024-01",
        "highlights": ["Runs the tracking platform"]
    });
    let mut work = vec![new_job.clone()];
    work.extend(v["document"]["work"].as_array().unwrap().iter().cloned());
    patch_ok(&api, &id, &json!({ "work": work })).await;

    let d = diff(&api, &id, "against=rev:1").await;
    let ch = changes(&d);
    assert_eq!(ch.len(), 1, "one added entry, the others did not move: {d}");
    assert_eq!(ch[0]["kind"], "added");
    assert_eq!(ch[0]["path"], "/work/0");
    if let Err(e) = json_subset(&new_job, &ch[0]["after"], "after") {
        panic!("the added entry is in `after`: {e}; {d}");
    }
    assert!(
        ch[0].get("before").is_none_or(Value::is_null),
        "an added entry has no before: {d}"
    );
    assert_eq!(total(&d, "added"), 1);
    assert_eq!(total(&d, "moved"), 0);
    assert_eq!(section(&d, "work", "added"), 1);

    // The other way round it is one removal at its before index.
    let d = diff(&api, &id, "against=rev:2&revision=1").await;
    let ch = changes(&d);
    assert_eq!(ch.len(), 1, "{d}");
    assert_eq!(ch[0]["kind"], "removed");
    assert_eq!(ch[0]["path"], "/work/0");
    assert_eq!(ch[0]["before"]["name"], "Aurora Freight", "{d}");
}

#[tokio::test]
async fn diff_of_a_removed_middle_skill_and_added_skill() {
    let (api, id, v) = ready_json("dskills").await;
    let names: Vec<&str> = v["document"]["skills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Rust", "PostgreSQL", "Kubernetes", "Distributed Systems"]
    );
    // Drop Kubernetes, append Terraform, and change the label.
    let skills = json!([
        {"name": "Rust"},
        {"name": "PostgreSQL"},
        {"name": "Distributed Systems"},
        {"name": "Terraform"}
    ]);
    patch_ok(
        &api,
        &id,
        &json!({"skills": skills, "basics": {"label": "Platform Engineer"}}),
    )
    .await;

    let d = diff(&api, &id, "against=rev:1").await;
    let ch = changes(&d);
    let removed: Vec<&Value> = ch.iter().filter(|c| c["kind"] == "removed").collect();
    let added: Vec<&Value> = ch.iter().filter(|c| c["kind"] == "added").collect();
    assert_eq!(removed.len(), 1, "{d}");
    assert_eq!(
        removed[0]["path"], "/skills/2",
        "before index of Kubernetes: {d}"
    );
    assert_eq!(removed[0]["before"]["name"], "Kubernetes");
    assert_eq!(added.len(), 1, "{d}");
    assert_eq!(added[0]["path"], "/skills/3", "{d}");
    assert_eq!(added[0]["after"]["name"], "Terraform");
    assert_eq!(
        total(&d, "moved"),
        0,
        "a removal shifts indices but moves nothing: {d}"
    );
    let label: Vec<&Value> = ch.iter().filter(|c| c["path"] == "/basics/label").collect();
    assert_eq!(label.len(), 1, "{d}");
    assert_eq!(label[0]["kind"], "changed");
    assert_eq!(ch.len(), 3, "nothing else changed: {d}");

    assert_eq!(section(&d, "skills", "added"), 1, "{d}");
    assert_eq!(section(&d, "skills", "removed"), 1, "{d}");
    assert_eq!(section(&d, "basics", "changed"), 1, "{d}");
    assert!(
        d["summary"]["sections"]
            .get("work")
            .is_none_or(|w| { KINDS.iter().all(|k| w[*k].as_u64().unwrap_or(0) == 0) }),
        "work did not change: {d}"
    );

    // The revision summary names both sections.
    let list = revisions(&api, &id).await;
    let summary = list[1]["summary"].as_str().unwrap();
    assert!(
        summary.contains("skills") && summary.contains("basics"),
        "{summary:?}"
    );
}

#[tokio::test]
async fn diff_of_an_edited_highlight_has_a_word_diff() {
    let (api, id, v) = ready_json("dwords").await;
    let mut work = v["document"]["work"].clone();
    let old = "Cut p99 ingest latency from 800 ms to 90 ms";
    let new = "Cut p99 ingest latency from 800 ms to 45 ms";
    assert_eq!(work[0]["highlights"][0], old);
    work[0]["highlights"][0] = json!(new);
    patch_ok(&api, &id, &json!({ "work": work })).await;

    let d = diff(&api, &id, "against=rev:1").await;
    let ch = changes(&d);
    assert_eq!(ch.len(), 1, "{d}");
    let c = &ch[0];
    assert_eq!(c["path"], "/work/0/highlights/0", "{c}");
    assert_eq!(c["kind"], "changed");
    assert_eq!(c["before"], old);
    assert_eq!(c["after"], new);
    let words = c["words"]
        .as_array()
        .unwrap_or_else(|| panic!("a changed long string has words: {c}"));
    let text = |ops: &[&str]| -> String {
        words
            .iter()
            .filter(|w| ops.contains(&w["op"].as_str().unwrap()))
            .map(|w| w["text"].as_str().unwrap())
            .collect::<String>()
            .split_whitespace()
            .collect()
    };
    let squash = |s: &str| -> String { s.split_whitespace().collect() };
    assert_eq!(
        text(&["equal", "delete"]),
        squash(old),
        "words rebuild before: {c}"
    );
    assert_eq!(
        text(&["equal", "insert"]),
        squash(new),
        "words rebuild after: {c}"
    );
    assert!(
        words
            .iter()
            .any(|w| w["op"] == "delete" && w["text"].as_str().unwrap().contains("90")),
        "{c}"
    );
    assert!(
        words
            .iter()
            .any(|w| w["op"] == "insert" && w["text"].as_str().unwrap().contains("45")),
        "{c}"
    );
    assert!(
        !words
            .iter()
            .any(|w| w["op"] != "equal" && w["text"].as_str().unwrap().contains("latency")),
        "unchanged words are equal: {c}"
    );
}

#[tokio::test]
async fn diff_of_a_version_against_itself_is_empty() {
    let (api, id, _) = ready_json("dself").await;
    patch_ok(&api, &id, &json!({"basics": {"label": "A"}})).await;
    for query in [
        format!("against={id}"),
        "against=rev:2".to_string(),
        format!("against={id}:rev:2"),
        "against=rev:1&revision=1".to_string(),
    ] {
        let d = diff(&api, &id, &query).await;
        assert!(changes(&d).is_empty(), "{query}: {d}");
        for k in KINDS {
            assert_eq!(total(&d, k), 0, "{query}: {d}");
        }
    }
}

#[tokio::test]
async fn diff_between_two_resumes_and_their_revisions() {
    let api = server().user("dtwo").await;
    let a = api.upload_ready("resume.json").await;
    let b = api.upload_ready("resume.json").await;
    let (a_id, b_id) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    patch_ok(&api, b_id, &json!({"basics": {"label": "Staff Engineer"}})).await;

    let d = diff(&api, b_id, &format!("against={a_id}")).await;
    assert_eq!(d["before"]["resume_id"], a_id);
    assert_eq!(d["before"]["revision"].as_u64(), Some(1));
    assert_eq!(d["after"]["resume_id"], b_id);
    assert_eq!(d["after"]["revision"].as_u64(), Some(2));
    let ch = changes(&d);
    assert_eq!(ch.len(), 1, "{d}");
    assert_eq!(ch[0]["path"], "/basics/label");
    assert_eq!(ch[0]["kind"], "changed");
    assert_eq!(ch[0]["before"], "Senior Backend Engineer");
    assert_eq!(ch[0]["after"], "Staff Engineer");

    // Revision 1 of B is the same parse as A.
    let d = diff(&api, b_id, &format!("against={a_id}&revision=1")).await;
    assert!(changes(&d).is_empty(), "{d}");
    // A against B's first revision: nothing; against B's current: the label back.
    let d = diff(&api, a_id, &format!("against={b_id}:rev:1")).await;
    assert!(changes(&d).is_empty(), "{d}");
    assert_eq!(d["before"]["revision"].as_u64(), Some(1));
    let d = diff(&api, a_id, &format!("against={b_id}:rev:2")).await;
    let ch = changes(&d);
    assert_eq!(ch.len(), 1, "{d}");
    assert_eq!(ch[0]["before"], "Staff Engineer");
    assert_eq!(ch[0]["after"], "Senior Backend Engineer");
}

#[tokio::test]
async fn diff_rejects_bad_queries_unknown_sides_and_unparsed_ones() {
    let (api, id, _) = ready_json("dbad").await;

    // Missing or malformed `against`.
    diff_raw(&api, &id, "")
        .await
        .assert_error(400, "bad_request");
    for bad in ["nope", "rev:x", "rev:", "12345", "rev:1:rev:2"] {
        diff_raw(&api, &id, &format!("against={bad}"))
            .await
            .assert_error(400, "bad_request");
    }
    diff_raw(&api, &id, "against=rev:1&revision=abc")
        .await
        .assert_error(400, "bad_request");

    // Unknown resumes and revisions.
    let unknown = uuid::Uuid::new_v4();
    diff_raw(&api, &id, &format!("against={unknown}"))
        .await
        .assert_error(404, "not_found");
    diff_raw(&api, &unknown.to_string(), &format!("against={id}"))
        .await
        .assert_error(404, "not_found");
    diff_raw(&api, &id, "against=rev:99")
        .await
        .assert_error(404, "not_found");
    diff_raw(&api, &id, "against=rev:1&revision=99")
        .await
        .assert_error(404, "not_found");

    // Another owner's resume, on either side.
    let other = server().user("dbad-other").await;
    let theirs = other.upload_ready("resume.json").await;
    let theirs = theirs["id"].as_str().unwrap();
    diff_raw(&api, &id, &format!("against={theirs}"))
        .await
        .assert_error(404, "not_found");
    diff_raw(&api, theirs, &format!("against={id}"))
        .await
        .assert_error(404, "not_found");
    diff_raw(&other, &id, "against=rev:1")
        .await
        .assert_error(404, "not_found");

    // A side that failed to parse: 409 that says why.
    let bad = failed_resume(&api).await;
    for (this, query) in [
        (id.as_str(), format!("against={bad}")),
        (bad.as_str(), format!("against={id}")),
    ] {
        let r = diff_raw(&api, this, &query).await;
        r.assert_error(409, "conflict");
        let msg = error_message(&r).to_lowercase();
        assert!(
            msg.contains("fail") || msg.contains("pars"),
            "the 409 says the side is not parsed: {msg:?}"
        );
    }
}

/// Issue 18's reproduction: twenty 30-byte PATCHes of a JSON resume near the
/// upload limit (10 MiB) added 336 MiB to the store when every revision was
/// kept whole. Kept as deltas, the store grows by a bounded multiple of the
/// document (the current document is rewritten by each edit, and redb
/// reuses the freed pages), and every revision still reads back exactly.
#[tokio::test]
async fn twenty_small_edits_of_a_big_resume_do_not_store_it_twenty_times() {
    let srv = TestServer::start();
    let api = srv.user("bigrev").await;
    let work: Vec<Value> = (0..5200)
        .map(|i| {
            json!({
                "name": format!("Company {i}"),
                "position": "Engineer",
                "startDate": "2020-01",
                "summary": format!("Role {i}: ").repeat(4) + &"Owned the service end to end, from the design review to the pager, for three years. ".repeat(15),
                "highlights": [
                    format!("Shipped the feature set number {i} to every customer across all regions on time"),
                    format!("Cut the monthly cost of running service {i} by a third without losing any request"),
                    format!("Mentored {} engineers and wrote the runbooks the on-call rotation still uses today", i % 9 + 1),
                    "Led the migration of the billing pipeline to an event-sourced design with zero downtime",
                    "Designed the on-call handbook, the incident review template and the quarterly load tests"
                ]
            })
        })
        .collect();
    let doc = json!({"basics": {"name": "Big Resume", "label": "Engineer"}, "work": work});
    let bytes = serde_json::to_vec(&doc).unwrap();
    assert!(
        bytes.len() > 9 * 1024 * 1024 && bytes.len() < 10 * 1024 * 1024,
        "{} bytes",
        bytes.len()
    );
    let r = api.upload(bytes.clone(), CT_JSON, "big.json").await;
    assert_eq!(r.status, 202, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    let done = api.wait_terminal(&id).await;
    assert_eq!(done["status"], "ready", "{done}");

    // What the store holds: the redb file's size, or on PostgreSQL (no file
    // of ours) the owner's stored bytes as the account counts them.
    let store = srv.data_dir().join("vitae.redb");
    let on_postgres = srv.database_url().is_some();
    let size = || {
        let api = api.clone();
        let store = store.clone();
        async move {
            if on_postgres {
                api.get("/v1/account").await.json()["usage"]["bytes"]
                    .as_u64()
                    .unwrap()
            } else {
                std::fs::metadata(&store).unwrap().len()
            }
        }
    };
    let before = size().await;
    for i in 0..20 {
        let r = api
            .patch(
                &format!("/v1/resumes/{id}"),
                &json!({"basics": {"label": format!("Edit {i:02}")}}),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "PATCH {i}: {}", r.text());
    }
    let grown = size().await.saturating_sub(before);
    let doc_bytes = bytes.len() as u64;
    eprintln!(
        "store grew by {grown} bytes ({:.1} MiB) for 20 edits of a {doc_bytes}-byte resume",
        grown as f64 / 1048576.0
    );
    assert!(
        grown <= 4 * doc_bytes,
        "20 small edits grew the store by {grown} bytes (the document is {doc_bytes})"
    );
    // Every revision reads back: 1 is the parse, k+2 carries "Edit k".
    for n in 1..=21u64 {
        let r = api.get(&format!("/v1/resumes/{id}/revisions/{n}")).await;
        assert_eq!(r.status, 200, "revision {n}: {}", r.text());
        let v = r.json();
        let label = v["document"]["basics"]["label"]
            .as_str()
            .unwrap()
            .to_string();
        let want = if n == 1 {
            "Engineer".to_string()
        } else {
            format!("Edit {:02}", n - 2)
        };
        assert_eq!(label, want, "revision {n}");
        assert_eq!(
            v["document"]["work"].as_array().map(Vec::len),
            Some(5200),
            "revision {n} keeps every work entry"
        );
    }
}
