//! The measurements: upload → `complete`, reads under load, durable writes.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use bytes::Bytes;
use hyper::{Method, StatusCode};
use tokio::sync::Barrier;

use crate::client::{Conn, Target};
use crate::stats::{Samples, Summary};

/// A file to upload.
#[derive(Clone)]
pub struct Upload {
    pub bytes: Bytes,
    pub content_type: &'static str,
    pub filename: String,
}

/// How long one upload may take to reach its terminal event.
const UPLOAD_LIMIT: Duration = Duration::from_secs(120);

/// `n` uploads of `file` from `concurrency` connections; each timed from the
/// start of `POST /v1/resumes` to receipt of the parse stream's `complete`
/// event. Returns the summary and the ids of resumes that reached `ready`.
pub async fn uploads(
    target: &Target,
    file: &Upload,
    n: usize,
    concurrency: usize,
) -> anyhow::Result<(Summary, Vec<String>)> {
    uploads_spread(std::slice::from_ref(target), file, n, concurrency).await
}

/// [`uploads`] against several servers: connection `i` goes to
/// `targets[i % targets.len()]` (instances of one cluster).
pub async fn uploads_spread(
    targets: &[Target],
    file: &Upload,
    n: usize,
    concurrency: usize,
) -> anyhow::Result<(Summary, Vec<String>)> {
    anyhow::ensure!(!targets.is_empty(), "no server to upload to");
    let next = Arc::new(AtomicUsize::new(0));
    let barrier = Arc::new(Barrier::new(concurrency + 1));
    let path = format!("/v1/resumes?filename={}", percent_encode(&file.filename));
    let mut workers = Vec::new();
    for i in 0..concurrency {
        let target = targets[i % targets.len()].clone();
        let (file, path) = (file.clone(), path.clone());
        let (next, barrier) = (next.clone(), barrier.clone());
        workers.push(tokio::spawn(async move {
            let mut conn = Conn::new(target);
            let connected = conn.connect().await;
            barrier.wait().await;
            connected?;
            let mut samples = Samples::default();
            let mut ready = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < n {
                upload_one(&mut conn, &file, &path, &mut samples, &mut ready).await;
            }
            anyhow::Ok((samples, ready))
        }));
    }
    barrier.wait().await;
    let started = Instant::now();
    let mut all = Samples::default();
    let mut ready = Vec::new();
    for worker in workers {
        let (samples, ids) = worker.await??;
        all.merge(samples);
        ready.extend(ids);
    }
    Ok((all.summary(started.elapsed()), ready))
}

async fn upload_one(
    conn: &mut Conn,
    file: &Upload,
    path: &str,
    samples: &mut Samples,
    ready: &mut Vec<String>,
) {
    let started = Instant::now();
    let reply = match conn
        .send(
            Method::POST,
            path,
            Some(file.content_type),
            file.bytes.clone(),
        )
        .await
    {
        Ok(reply) => reply,
        Err(error) => return samples.problem(true, format!("upload: {error:#}")),
    };
    if reply.status != StatusCode::ACCEPTED {
        return samples.problem(false, describe("upload", reply.status, &reply.body));
    }
    let id = match serde_json::from_slice::<serde_json::Value>(&reply.body)
        .ok()
        .and_then(|v| v["id"].as_str().map(str::to_string))
    {
        Some(id) => id,
        None => {
            return samples.problem(false, describe("upload (no id)", reply.status, &reply.body))
        }
    };
    let events = format!("/v1/resumes/{id}/events");
    let terminal = match conn.await_terminal(&events, UPLOAD_LIMIT).await {
        Ok(terminal) => terminal,
        Err(error) => return samples.problem(true, format!("events of {id}: {error:#}")),
    };
    let status = serde_json::from_str::<serde_json::Value>(&terminal.event.data)
        .ok()
        .and_then(|v| v["status"].as_str().map(str::to_string));
    if terminal.event.name == "complete" && status.as_deref() == Some("ready") {
        samples.ok.push(terminal.at - started);
        ready.push(id);
    } else {
        samples.problem(
            false,
            format!(
                "parse of {id} ended with `{}`: {}",
                terminal.event.name,
                clip(&terminal.event.data)
            ),
        );
    }
}

/// One request the load generator repeats.
#[derive(Clone)]
pub struct Op {
    pub method: Method,
    pub path: String,
    pub body: Bytes,
    pub content_type: Option<&'static str>,
    pub expect: StatusCode,
}

impl Op {
    /// The durable write the benchmarks use: a new share link of resume
    /// `id` (one committed record, acknowledged with 201).
    pub fn new_share(id: &str) -> Op {
        Op {
            method: Method::POST,
            path: format!("/v1/resumes/{id}/shares"),
            body: Bytes::from_static(br#"{"expires_in_days": 30}"#),
            content_type: Some("application/json"),
            expect: StatusCode::CREATED,
        }
    }

    /// Send it once on `conn`.
    pub async fn send(&self, conn: &mut Conn) -> anyhow::Result<crate::client::Reply> {
        conn.send(
            self.method.clone(),
            &self.path,
            self.content_type,
            self.body.clone(),
        )
        .await
    }
}

/// `connections` keep-alive connections, each sending `op` back to back for
/// `duration` (connections are opened before the clock starts).
pub async fn load(
    target: &Target,
    op: &Op,
    connections: usize,
    duration: Duration,
) -> anyhow::Result<Summary> {
    load_spread(std::slice::from_ref(target), op, connections, duration).await
}

/// [`load`] against several servers: connection `i` goes to
/// `targets[i % targets.len()]` (instances of one cluster).
pub async fn load_spread(
    targets: &[Target],
    op: &Op,
    connections: usize,
    duration: Duration,
) -> anyhow::Result<Summary> {
    anyhow::ensure!(!targets.is_empty(), "no server to load");
    let barrier = Arc::new(Barrier::new(connections + 1));
    let mut workers = Vec::new();
    for i in 0..connections {
        let target = targets[i % targets.len()].clone();
        let (op, barrier) = (op.clone(), barrier.clone());
        workers.push(tokio::spawn(async move {
            let mut conn = Conn::new(target);
            let connected = conn.connect().await;
            barrier.wait().await;
            connected?;
            let deadline = Instant::now() + duration;
            let mut samples = Samples::default();
            while Instant::now() < deadline {
                let started = Instant::now();
                match conn
                    .send(
                        op.method.clone(),
                        &op.path,
                        op.content_type,
                        op.body.clone(),
                    )
                    .await
                {
                    Ok(reply) if reply.status == op.expect => samples.ok.push(started.elapsed()),
                    Ok(reply) => {
                        samples.problem(false, describe(&op.path, reply.status, &reply.body))
                    }
                    Err(error) => samples.problem(true, format!("{}: {error:#}", op.path)),
                }
            }
            anyhow::Ok(samples)
        }));
    }
    barrier.wait().await;
    let started = Instant::now();
    let mut all = Samples::default();
    for worker in workers {
        all.merge(worker.await??);
    }
    Ok(all.summary(started.elapsed()))
}

/// Create a share link of resume `id`; its token.
pub async fn create_share(target: &Target, id: &str) -> anyhow::Result<String> {
    let mut conn = Conn::new(target.clone());
    conn.connect().await?;
    let reply = conn
        .send(
            Method::POST,
            &format!("/v1/resumes/{id}/shares"),
            Some("application/json"),
            Bytes::from_static(br#"{"expires_in_days": 30}"#),
        )
        .await?;
    if reply.status != StatusCode::CREATED {
        bail!(
            "{}",
            describe("creating a share", reply.status, &reply.body)
        );
    }
    let value: serde_json::Value = serde_json::from_slice(&reply.body)?;
    value["token"]
        .as_str()
        .map(str::to_string)
        .context("no `token` in the share")
}

/// One `GET /v1/resumes/{id}/shares`: how many shares it listed, how long
/// it took and how big the answer was.
#[derive(Debug, serde::Serialize)]
pub struct ShareListing {
    pub shares: usize,
    pub ms: f64,
    pub bytes: usize,
}

/// List a resume's shares, every page of 1,000 (to check that every
/// acknowledged write is there); the time and bytes of all pages together.
pub async fn list_shares(target: &Target, id: &str) -> anyhow::Result<ShareListing> {
    let mut conn = Conn::new(target.clone());
    conn.connect().await?;
    let started = Instant::now();
    let base = format!("/v1/resumes/{id}/shares?limit=1000");
    let mut path = base.clone();
    let (mut shares, mut bytes) = (0, 0);
    loop {
        let reply = conn.send(Method::GET, &path, None, Bytes::new()).await?;
        if reply.status != StatusCode::OK {
            bail!("{}", describe("listing shares", reply.status, &reply.body));
        }
        let value: serde_json::Value = serde_json::from_slice(&reply.body)?;
        shares += value["shares"]
            .as_array()
            .map(Vec::len)
            .context("no `shares` list in the answer")?;
        bytes += reply.body.len();
        match value["next_cursor"].as_str() {
            Some(next) => path = format!("{base}&cursor={next}"),
            None => break,
        }
    }
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok(ShareListing { shares, ms, bytes })
}

/// The latency of overwriting one 4 KiB block of a 1 MiB file and
/// `fdatasync`ing it, in `dir`: roughly the floor under one durable commit on
/// this disk, for judging the write figures.
pub fn fsync_baseline(dir: &std::path::Path, rounds: usize) -> anyhow::Result<Summary> {
    use std::io::{Seek, SeekFrom, Write};
    let path = dir.join("fsync-probe");
    let mut file = std::fs::File::create(&path)?;
    file.write_all(&vec![0u8; 1 << 20])?;
    file.sync_all()?;
    let block = [0x5au8; 4096];
    let mut samples = Samples::default();
    let started = Instant::now();
    for round in 0..rounds {
        let t = Instant::now();
        file.seek(SeekFrom::Start((round % 256) as u64 * 4096))?;
        file.write_all(&block)?;
        file.sync_data()?;
        samples.ok.push(t.elapsed());
    }
    let elapsed = started.elapsed();
    drop(file);
    std::fs::remove_file(&path)?;
    Ok(samples.summary(elapsed))
}

pub(crate) fn describe(what: &str, status: StatusCode, body: &[u8]) -> String {
    format!(
        "{what} answered {status}: {}",
        clip(&String::from_utf8_lossy(body))
    )
}

fn clip(text: &str) -> String {
    let mut out: String = text.chars().take(200).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
