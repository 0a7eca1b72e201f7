//! Parse budgets: a document over its time or memory budget ends `failed`
//! with a reason that names the budget, and the server keeps serving.
//!
//! The hostile document is a resume-shaped text of ~9 MB: far more work than
//! a one-second budget allows, and more memory than a 16 MiB one.

use std::time::{Duration, Instant};

use vitae_tests::*;

async fn upload_and_wait(api: &Api) -> (serde_json::Value, Duration) {
    let started = Instant::now();
    let r = api
        .upload(huge_text_resume(), "text/plain", "huge.txt")
        .await;
    assert_eq!(r.status, 202, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    let done = api.wait_terminal(&id).await;
    (done, started.elapsed())
}

#[tokio::test]
async fn over_the_time_budget_ends_failed_with_a_reason() {
    let srv = TestServer::start_with(&["--parse-timeout-secs", "1"]);
    let api = srv.user("slow").await;
    let (done, took) = upload_and_wait(&api).await;
    assert_eq!(done["status"], "failed", "{done}");
    let reason = done["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("budget") || reason.contains("longer than"),
        "reason should name the time budget: {reason}"
    );
    assert!(took < Duration::from_secs(15), "took {took:?}");
    // The server still parses ordinary documents afterwards.
    let fine = api.upload_ready("resume.md").await;
    assert_eq!(fine["status"], "ready", "{fine}");
}

#[tokio::test]
async fn over_the_memory_budget_ends_failed_with_a_reason() {
    let srv = TestServer::start_with(&["--parse-memory-mib", "16", "--parse-timeout-secs", "120"]);
    let api = srv.user("hungry").await;
    let (done, _) = upload_and_wait(&api).await;
    assert_eq!(done["status"], "failed", "{done}");
    let reason = done["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("memory budget"),
        "reason should name the memory budget: {reason}"
    );
    assert_eq!(done["is_master"], false);
}
