//! The optional language-model provider, against a real fake provider
//! process (`fake-llm`, tests/src/bin/fake-llm.rs) on a real socket.
//!
//! Proves: faithful drafts reach the preview (and a confirmed preview keeps
//! its reworded highlight); drafts that name a skill, employer or year the
//! resume lacks are dropped with a warning each; a provider that is slow,
//! failing or talking nonsense leaves a warning and the deterministic
//! result, never silence; basics are never touched.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};
use vitae_tests::*;

/// A `fake-llm MODE` process, killed on drop.
struct FakeProvider {
    child: Child,
    url: String,
}

impl FakeProvider {
    fn start(mode: &str) -> FakeProvider {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fake-llm"))
            .arg(mode)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start fake-llm");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("fake-llm address");
        let url = line
            .trim()
            .strip_prefix("fake-llm listening on ")
            .unwrap_or_else(|| panic!("unexpected fake-llm banner {line:?}"))
            .to_string();
        FakeProvider { child, url }
    }
}

impl Drop for FakeProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A server that drafts with `mode`, a user with the JSON fixture parsed,
/// and a job for it. Returns the preview as well.
async fn preview_with(mode: &str) -> (FakeProvider, TestServer, Api, Value, Value) {
    let provider = FakeProvider::start(mode);
    let llm_url = format!("{}/v1", provider.url);
    let server = TestServer::start_with(&[
        "--llm-url",
        &llm_url,
        "--llm-model",
        "fake",
        "--llm-timeout-secs",
        "2",
    ]);
    let api = server.user("drafts").await;
    let source = api.upload_ready("resume.json").await;
    let job = api
        .send(
            api.request(reqwest::Method::POST, "/v1/jobs")
                .header("content-type", "text/plain")
                .body("Senior Rust Engineer\n\nWe need Rust, PostgreSQL and Kubernetes, and Terraform."),
        )
        .await;
    assert_eq!(job.status, 201, "{}", job.text());
    let job = job.json();
    let preview = api
        .post_json(
            &format!("/v1/resumes/{}/tailor", source["id"].as_str().unwrap()),
            &json!({"job_id": job["id"]}),
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.text());
    let preview = preview.json();
    assert_eq!(
        preview["tailored"]["basics"], source["document"]["basics"],
        "basics are never altered"
    );
    (provider, server, api, source, preview)
}

fn warnings(preview: &Value) -> Vec<String> {
    preview["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect()
}

fn all_highlights(document: &Value) -> Vec<String> {
    document["work"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|w| w["highlights"].as_array().cloned().unwrap_or_default())
        .map(|h| h.as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn faithful_drafts_reach_the_preview_and_survive_confirmation() {
    let (_provider, _server, api, source, preview) = preview_with("faithful").await;
    let drafts = &preview["drafts"];
    assert_eq!(drafts["model"], "fake", "{preview}");
    assert!(drafts["cover_letter"]
        .as_str()
        .unwrap()
        .contains("Nordlys Systems AB"));
    assert!(drafts["outreach_message"].as_str().is_some());
    let reworded = "Cut p99 ingest latency from 800 ms to 90 ms in Rust";
    assert!(
        all_highlights(&preview["tailored"]).contains(&reworded.to_string()),
        "the faithful rewrite is applied: {}",
        preview["tailored"]
    );
    assert!(
        !warnings(&preview).iter().any(|w| w.contains("dropped")),
        "nothing was dropped: {:?}",
        warnings(&preview)
    );

    let confirmed = api
        .post_json(
            &format!(
                "/v1/resumes/{}/tailor/confirm",
                source["id"].as_str().unwrap()
            ),
            &json!({"job_id": preview["job_id"], "preview_hash": preview["preview_hash"]}),
        )
        .await;
    assert_eq!(confirmed.status, 201, "{}", confirmed.text());
    let confirmed = confirmed.json();
    assert_eq!(confirmed["document"], preview["tailored"]);
    assert_eq!(confirmed["parent_id"], source["id"]);
}

#[tokio::test]
async fn invented_facts_are_dropped_with_a_warning_each() {
    let (_provider, _server, _api, source, preview) = preview_with("invent").await;
    let warnings = warnings(&preview);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("dropped the reworded highlight") && w.contains("Terraform")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("dropped the cover letter")),
        "{warnings:?}"
    );
    let mut tailored = all_highlights(&preview["tailored"]);
    let mut original = all_highlights(&source["document"]);
    tailored.sort();
    original.sort();
    assert_eq!(tailored, original, "no invented highlight got through");
    assert!(preview["drafts"]["cover_letter"].is_null(), "{preview}");
    assert!(
        preview["drafts"]["outreach_message"].as_str().is_some(),
        "the faithful outreach message is kept: {preview}"
    );
}

#[tokio::test]
async fn a_failing_provider_is_a_warning_and_the_deterministic_result() {
    for (mode, says) in [
        ("slow", "did not answer"),
        ("error", "HTTP 500"),
        ("garbage", "not the expected JSON"),
    ] {
        let (_provider, _server, _api, source, preview) = preview_with(mode).await;
        let warnings = warnings(&preview);
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("language model") && w.contains(says)),
            "{mode}: {warnings:?}"
        );
        assert!(preview["drafts"].is_null(), "{mode}: {preview}");
        let mut tailored = all_highlights(&preview["tailored"]);
        let mut original = all_highlights(&source["document"]);
        tailored.sort();
        original.sort();
        assert_eq!(tailored, original, "{mode}: deterministic result");
    }
}
