//! Assertions shared by the test files: the wire shape of resumes and shares,
//! the parse stream's sequence, JSON containment, and the health check every
//! abuse test ends with.

use serde_json::Value;

use crate::*;

/// Is `s` an RFC 3339 timestamp?
pub fn is_rfc3339(s: &Value) -> bool {
    s.as_str()
        .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok())
}

/// Parse an RFC 3339 timestamp (panics otherwise).
pub fn parse_time(s: &Value) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s.as_str().unwrap_or_else(|| panic!("not a string: {s}")))
        .unwrap_or_else(|e| panic!("not RFC 3339 ({e}): {s}"))
        .with_timezone(&chrono::Utc)
}

/// Assert the fields every resume resource has (the wire contract).
#[track_caller]
pub fn assert_resume_shape(v: &Value) {
    let id = v["id"].as_str().unwrap_or_else(|| panic!("id in {v}"));
    assert!(uuid::Uuid::parse_str(id).is_ok(), "id is not a UUID: {v}");
    assert!(
        v["owner"].as_str().is_some_and(|s| !s.is_empty()),
        "owner in {v}"
    );
    assert!(v["filename"].is_string(), "filename in {v}");
    assert!(v["content_type"].is_string(), "content_type in {v}");
    let status = v["status"]
        .as_str()
        .unwrap_or_else(|| panic!("status in {v}"));
    assert!(
        ["pending", "parsing", "ready", "failed"].contains(&status),
        "status {status:?} in {v}"
    );
    if status == "failed" {
        assert!(
            v["reason"].as_str().is_some_and(|s| !s.is_empty()),
            "a failed resume needs a reason: {v}"
        );
    } else {
        assert!(
            v.get("reason").is_none_or(Value::is_null),
            "reason only when failed: {v}"
        );
    }
    assert!(
        v["warnings"]
            .as_array()
            .is_some_and(|w| w.iter().all(Value::is_string)),
        "warnings must be a list of strings: {v}"
    );
    assert!(v["is_master"].is_boolean(), "is_master in {v}");
    assert!(
        v.get("parent_id")
            .is_some_and(|p| p.is_null() || p.is_string()),
        "parent_id in {v}"
    );
    assert!(v["revision"].is_u64(), "revision in {v}");
    assert!(is_rfc3339(&v["created_at"]), "created_at in {v}");
    assert!(is_rfc3339(&v["updated_at"]), "updated_at in {v}");
    assert_eq!(
        v["events_url"],
        format!("/v1/resumes/{id}/events"),
        "events_url in {v}"
    );
}

/// Assert the fields of a share resource.
#[track_caller]
pub fn assert_share_shape(v: &Value) {
    let token = v["token"]
        .as_str()
        .unwrap_or_else(|| panic!("token in {v}"));
    assert!(
        token.len() >= 22
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "share token must be >= 22 URL-safe chars (128 bits): {token:?}"
    );
    assert!(
        v["url"]
            .as_str()
            .is_some_and(|u| u.ends_with(&format!("/s/{token}"))),
        "url in {v}"
    );
    assert!(v["resume_id"].is_string(), "resume_id in {v}");
    assert!(is_rfc3339(&v["created_at"]), "created_at in {v}");
    assert!(is_rfc3339(&v["expires_at"]), "expires_at in {v}");
    assert!(v["revoked"].is_boolean(), "revoked in {v}");
    assert!(v["access_count"].is_u64(), "access_count in {v}");
    assert!(
        v.get("last_accessed_at")
            .is_some_and(|t| t.is_null() || is_rfc3339(t)),
        "last_accessed_at in {v}"
    );
}

/// Assert a parse stream's events: progress stages in order with ids 1..,
/// then exactly one terminal event with id 7, and every event carrying `id:`
/// and `retry:`. Returns the terminal frame.
#[track_caller]
pub fn assert_parse_sequence(events: &[SseFrame], first_id: u64) -> SseFrame {
    assert!(!events.is_empty(), "parse stream had no events");
    for e in events {
        assert!(e.data.is_some(), "every event carries data: {e:?}");
        assert!(e.id.is_some(), "every event carries id: {e:?}");
        assert!(e.retry.is_some(), "every event carries retry: {e:?}");
    }
    let (terminal, progress) = events.split_last().unwrap();
    assert!(
        terminal.event_name() == "complete" || terminal.event_name() == "failed",
        "last event must be complete or failed: {events:#?}"
    );
    assert_eq!(
        terminal.id.as_deref(),
        Some(TERMINAL_ID),
        "terminal event id: {terminal:?}"
    );
    let mut last_stage: Option<usize> = None;
    let mut last_percent = 0u64;
    for (i, p) in progress.iter().enumerate() {
        assert_eq!(
            p.event_name(),
            "progress",
            "only progress events before the terminal one: {events:#?}"
        );
        let d = p.json();
        let stage = d["stage"]
            .as_str()
            .unwrap_or_else(|| panic!("stage in {d}"));
        let idx = STAGES
            .iter()
            .position(|s| *s == stage)
            .unwrap_or_else(|| panic!("unknown stage {stage:?}"));
        assert_eq!(
            p.id.as_deref(),
            Some((idx + 1).to_string().as_str()),
            "progress id is the stage ordinal: {p:?}"
        );
        if let Some(prev) = last_stage {
            assert!(idx > prev, "stages out of order: {events:#?}");
        }
        if i == 0 {
            assert_eq!(
                idx as u64 + 1,
                first_id,
                "first progress event id: {events:#?}"
            );
        }
        last_stage = Some(idx);
        let pct = d["percent"]
            .as_u64()
            .unwrap_or_else(|| panic!("percent in {d}"));
        assert!(pct <= 100, "percent {pct}");
        assert!(pct >= last_percent, "percent went down: {events:#?}");
        last_percent = pct;
        assert!(d["message"].is_string(), "message in {d}");
    }
    terminal.clone()
}

/// Check that every value in `sub` appears at the same path in `sup` (objects
/// may have more members in `sup`, and may omit members that are empty in
/// `sub`; arrays must match element by element). Returns the first difference.
pub fn json_subset(sub: &Value, sup: &Value, path: &str) -> Result<(), String> {
    match (sub, sup) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let p = format!("{path}.{k}");
                match b.get(k) {
                    Some(w) => json_subset(v, w, &p)?,
                    // An empty list, empty object or null carries no data.
                    None if is_empty_json(v) => {}
                    None => return Err(format!("{p} missing (want {v})")),
                }
            }
            Ok(())
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                return Err(format!("{path}: {} elements, want {}", b.len(), a.len()));
            }
            for (i, (v, w)) in a.iter().zip(b).enumerate() {
                json_subset(v, w, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        (a, b) if a == b => Ok(()),
        (a, b) => Err(format!("{path}: got {b}, want {a}")),
    }
}

fn is_empty_json(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// What is wrong with a server that was just sent bad input, or nothing:
/// `/healthz` answers 200, a normal upload through `api` still parses, and
/// each resume of `unchanged` — (its owner's client, its id, the resource read
/// before) — reads the same as before.
pub async fn health_problems(api: &Api, unchanged: &[(&Api, &str, &Value)]) -> Vec<String> {
    let mut problems = Vec::new();
    let r = api.without_token().get("/healthz").await;
    if r.status != 200 {
        problems.push(format!("/healthz answered {}", r.status));
    }
    let v = api.upload_ready("resume.txt").await;
    if v["document"]["basics"]["name"] != FIXTURE_NAME {
        problems.push(format!("a normal upload did not parse: {v}"));
    }
    for (owner, id, before) in unchanged {
        let after = owner.resume(id).await;
        if &after != *before {
            problems.push(format!(
                "resume {id} changed:\nbefore {before}\nafter  {after}"
            ));
        }
    }
    problems
}

/// [`health_problems`] that panics with them.
pub async fn assert_healthy(api: &Api, unchanged: &[(&Api, &str, &Value)]) {
    let problems = health_problems(api, unchanged).await;
    assert!(
        problems.is_empty(),
        "the server is not healthy:\n{}",
        problems.join("\n")
    );
}
