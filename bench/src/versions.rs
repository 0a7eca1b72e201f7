//! The versions figures: how long a diff of two three-page resumes and a
//! tailoring preview take, in the engines alone and over HTTP.
//!
//! The documents are `bench/fixtures/three_page_{a,b}.json` (ten jobs of six
//! highlights each, twelve skills, six projects; `b` is `a` edited: entries
//! moved, added and removed, highlights reworded) and the job is
//! `bench/fixtures/job.md`; `make_three_page.py` writes all three.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use bytes::Bytes;
use hyper::{Method, StatusCode};
use serde::Serialize;
use vitae_common::Resume;

use crate::client::{Conn, Target};
use crate::phases::{self, Op, Upload};
use crate::stats::{Samples, Summary};

/// Engine runs per figure (each is microseconds, so this takes well under a
/// second).
const ENGINE_RUNS: usize = 2000;

#[derive(Debug, Serialize)]
pub struct VersionsRun {
    /// Changes the diff of the two documents reports.
    pub changes: usize,
    /// `vitae_common::diff::diff(a, b)` in-process.
    pub engine_diff: Summary,
    /// `vitae_tailor::tailor(a, job)` in-process (keywords already extracted).
    pub engine_tailor: Summary,
    /// `GET /v1/resumes/{b}/diff?against={a}`, one connection.
    pub http_diff: Summary,
    /// `POST /v1/resumes/{a}/tailor`, one connection (includes the diff of
    /// source and tailored document and the preview hash).
    pub http_tailor: Summary,
}

fn engine<T>(mut run: impl FnMut() -> T) -> Summary {
    let mut samples = Samples::default();
    let started = Instant::now();
    for _ in 0..ENGINE_RUNS {
        let one = Instant::now();
        std::hint::black_box(run());
        samples.ok.push(one.elapsed());
    }
    samples.summary(started.elapsed())
}

async fn post_json(
    conn: &mut Conn,
    path: &str,
    ct: &'static str,
    body: Bytes,
) -> anyhow::Result<serde_json::Value> {
    let reply = conn.send(Method::POST, path, Some(ct), body).await?;
    if !reply.status.is_success() {
        bail!(
            "{path}: {} {}",
            reply.status,
            String::from_utf8_lossy(&reply.body)
        );
    }
    Ok(serde_json::from_slice(&reply.body)?)
}

pub async fn run(target: &Target, duration: Duration) -> anyhow::Result<VersionsRun> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let read = |name: &str| {
        std::fs::read(dir.join(name)).with_context(|| format!("reading bench/fixtures/{name}"))
    };
    let (a_bytes, b_bytes, job_text) = (
        read("three_page_a.json")?,
        read("three_page_b.json")?,
        read("job.md")?,
    );
    let a: Resume = serde_json::from_slice(&a_bytes)?;
    let b: Resume = serde_json::from_slice(&b_bytes)?;
    let posting = vitae_tailor::parse_job(&job_text, vitae_tailor::JobFormat::Markdown)?;
    let keywords = vitae_tailor::extract_keywords(&posting);

    let changes = vitae_common::diff::diff(&a, &b).changes.len();
    let engine_diff = engine(|| vitae_common::diff::diff(&a, &b));
    let engine_tailor = engine(|| vitae_tailor::tailor(&a, &keywords));

    let mut ids = Vec::new();
    for (name, bytes) in [
        ("three_page_a.json", a_bytes),
        ("three_page_b.json", b_bytes),
    ] {
        let upload = Upload {
            bytes: Bytes::from(bytes),
            content_type: "application/json",
            filename: name.to_string(),
        };
        let (_, ready) = phases::uploads(target, &upload, 1, 1).await?;
        ids.push(
            ready
                .into_iter()
                .next()
                .with_context(|| format!("{name} did not parse"))?,
        );
    }
    let mut conn = Conn::new(target.clone());
    conn.connect().await?;
    let job = post_json(
        &mut conn,
        "/v1/jobs",
        "text/markdown",
        Bytes::from(job_text),
    )
    .await?;
    let job_id = job["id"].as_str().context("the job has no id")?.to_string();

    let diff = Op {
        method: Method::GET,
        path: format!("/v1/resumes/{}/diff?against={}", ids[1], ids[0]),
        body: Bytes::new(),
        content_type: None,
        expect: StatusCode::OK,
    };
    let http_diff = phases::load(target, &diff, 1, duration).await?;
    let tailor = Op {
        method: Method::POST,
        path: format!("/v1/resumes/{}/tailor", ids[0]),
        body: Bytes::from(serde_json::json!({ "job_id": job_id }).to_string()),
        content_type: Some("application/json"),
        expect: StatusCode::OK,
    };
    let http_tailor = phases::load(target, &tailor, 1, duration).await?;
    Ok(VersionsRun {
        changes,
        engine_diff,
        engine_tailor,
        http_diff,
        http_tailor,
    })
}
