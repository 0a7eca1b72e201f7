//! SSE fan-out (benchmark 3): N concurrent subscribers to the
//! account stream `GET /v1/events` of one owner, a burst of changes, and how
//! long each change takes to reach every subscriber.
//!
//! How, for each N of `--fanout`:
//!
//! 1. Setup (once per run): one Markdown resume is uploaded and parsed, so
//!    that shares can be made of it; this happens before any subscriber
//!    connects, so none of its events are in the figures.
//! 2. The server's VmRSS is read ("before"). N subscribers connect, each on
//!    its own TCP connection (at most `--fanout-connect-concurrency`
//!    handshakes in flight, so the listen backlog never overflows), send
//!    `GET /v1/events` with the admin token, and count as subscribed once
//!    they have the `200` headers and the `: stream open` comment. The server
//!    registers the subscriber in its hub (`Hub::subscribe_account`) inside
//!    the handler, before it answers, so a subscriber that has its headers
//!    cannot miss a later event. "connect all" is the time until the last
//!    one is subscribed.
//! 3. After ~1 s of idle, VmRSS again ("with subscribers"); bytes per
//!    subscriber = (with − before) / N.
//! 4. The burst: K changes (`--fanout-changes`) from one separate keep-alive
//!    connection, `POST /v1/resumes/{id}/shares`, one after another (each
//!    waits for its `201`; `--fanout-gap-ms` adds a pause between them). Each
//!    emits a `share.created` event carrying the new share token. The instant
//!    each request is sent is recorded; the token from its answer maps the
//!    events back to it.
//! 5. Every subscriber parses its stream incrementally (HTTP/1.1 chunked
//!    framing, then SSE blocks, over one reused buffer per subscriber) and
//!    records, for each `share.created`, its token and the instant the read
//!    that completed it returned. Latency = that instant − the send instant of
//!    the change. Expected deliveries are N × (changes answered 201); the
//!    bench waits until all are in or `--fanout-wait` seconds after the last
//!    change. `resync` events (a lagging subscriber, see docs/sse.md) and
//!    other events are counted, not timed.
//! 6. VmRSS after the burst (subscribers still connected), then every
//!    subscriber closes its socket and, ~2 s later, VmRSS once more.
//!
//! Non-2xx answers and transport errors (refused or failed connections, a
//! stream that ends early, a change that is not answered 201) are counted
//! and shown, never timed. Subscribers and server share the machine's cores:
//! the bench's own reading of N sockets competes with the server's writing
//! to them, so latency is a pessimistic figure, memory is not affected.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use bytes::Bytes;
use hyper::{Method, StatusCode};
use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch, Semaphore};

use crate::client::{Conn, Target};
use crate::phases::{self, Upload};
use crate::server::{Sampler, Server};
use crate::stats::Samples;

/// Options of the SSE fan-out phase.
#[derive(Debug, Clone, clap::Args)]
pub struct FanoutArgs {
    /// Subscriber counts of the SSE fan-out rows (`GET /v1/events`, one owner).
    #[arg(long = "fanout", value_delimiter = ',', default_value = "1000,10000")]
    pub subscribers: Vec<usize>,
    /// Changes (share creations) in each fan-out burst.
    #[arg(long, default_value_t = 20)]
    pub fanout_changes: usize,
    /// Pause between two changes of the burst, in ms (0: back to back, each
    /// change still waits for the previous one's 201).
    #[arg(long, default_value_t = 0)]
    pub fanout_gap_ms: u64,
    /// Seconds to wait for late deliveries after the last change.
    #[arg(long, default_value_t = 10.0)]
    pub fanout_wait: f64,
    /// Subscriber connections being opened at any one time.
    #[arg(long, default_value_t = 128)]
    pub fanout_connect_concurrency: usize,
}

/// All rows of the fan-out phase.
#[derive(Debug, Serialize)]
pub struct FanoutRun {
    pub changes: usize,
    pub gap_ms: u64,
    /// `RLIMIT_NOFILE` soft limit of the bench (and so of the server it starts).
    pub nofile_limit: u64,
    pub rows: Vec<FanoutRow>,
}

/// One N.
#[derive(Debug, Serialize)]
pub struct FanoutRow {
    pub subscribers: usize,
    /// Subscribers that got their `200` and `: stream open`.
    pub subscribed: usize,
    pub connect_all_ms: f64,
    /// Changes answered `201`.
    pub changes_ok: usize,
    /// Request → `201` of the changes themselves (a durable commit each).
    pub change_p50_ms: f64,
    pub change_max_ms: f64,
    /// Wall time from the first change sent to the last delivery received.
    pub burst_ms: f64,
    pub deliveries_expected: u64,
    pub deliveries_received: u64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
    /// `resync` events received (subscribers that fell behind).
    pub resyncs: u64,
    /// Other events received on the stream (not from the burst).
    pub other_events: u64,
    /// CPU time (user + system) of the server during the burst, per
    /// delivery received; and of the bench itself (its subscribers reading).
    pub server_cpu_us_per_delivery: f64,
    pub bench_cpu_us_per_delivery: f64,
    pub rss_before_kib: u64,
    pub rss_subscribed_kib: u64,
    pub rss_after_burst_kib: u64,
    pub rss_peak_kib: u64,
    pub rss_after_close_kib: u64,
    /// (RSS with subscribers − RSS before) / subscribers, in bytes.
    pub bytes_per_subscriber: f64,
    pub load_average: String,
    /// Failed connections, non-200 answers, streams that ended, failed changes.
    pub errors: u64,
    pub first_problems: Vec<String>,
}

/// Raise this process's `RLIMIT_NOFILE` soft limit to its hard limit (N
/// subscribers need N sockets; a server started by the bench inherits it).
/// Returns the soft limit now in force.
pub fn raise_nofile_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit with a valid pointer to a local rlimit.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 0;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit.rlim_cur = limit.rlim_max;
            }
        }
    }
    limit.rlim_cur
}

/// A resume to share: uploaded, parsed, `ready`.
async fn shareable_resume(target: &Target) -> anyhow::Result<String> {
    let upload = Upload {
        bytes: Bytes::from_static(
            b"# Fan Out\n\nfan.out@example.com\n\n## Experience\n\n### Engineer, Example (2020-2024)\n\n- Sent events to many subscribers.\n",
        ),
        content_type: "text/markdown",
        filename: "fanout.md".into(),
    };
    let (summary, ids) = phases::uploads(target, &upload, 1, 1).await?;
    match ids.into_iter().next() {
        Some(id) => Ok(id),
        None => bail!(
            "the fan-out resume did not reach `ready`: {:?}",
            summary.first_problems
        ),
    }
}

/// Run every row of the fan-out phase against `server`.
pub async fn run(target: &Target, server: &Server, args: &FanoutArgs) -> anyhow::Result<FanoutRun> {
    if args.subscribers.contains(&0) || args.fanout_changes == 0 {
        bail!("--fanout values and --fanout-changes must be at least 1");
    }
    let nofile_limit = raise_nofile_limit();
    let resume = shareable_resume(target).await?;
    let mut rows = Vec::new();
    for &n in &args.subscribers {
        if n as u64 + 64 > nofile_limit {
            eprintln!(
                "… warning: {n} subscribers with RLIMIT_NOFILE {nofile_limit}: connections will fail"
            );
        }
        eprintln!(
            "… SSE fan-out: {n} subscribers, {} changes",
            args.fanout_changes
        );
        rows.push(row(target, server, args, &resume, n).await?);
    }
    Ok(FanoutRun {
        changes: args.fanout_changes,
        gap_ms: args.fanout_gap_ms,
        nofile_limit,
        rows,
    })
}

/// What one subscriber saw.
#[derive(Default)]
struct Seen {
    /// `share.created` tokens and when they arrived.
    deliveries: Vec<(String, Instant)>,
    resyncs: u64,
    other: u64,
    /// A transport error or an early end, after the subscription was made.
    problem: Option<String>,
}

async fn row(
    target: &Target,
    server: &Server,
    args: &FanoutArgs,
    resume: &str,
    n: usize,
) -> anyhow::Result<FanoutRow> {
    let mut problems = Samples::default();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = server.memory()?.vm_rss_kib;

    // Connect every subscriber; each reports once when subscribed (or failed).
    let received = Arc::new(AtomicU64::new(0));
    let (stop_tx, stop_rx) = watch::channel(false);
    let (ready_tx, mut ready_rx) = mpsc::unbounded_channel::<Result<(), String>>();
    let handshakes = Arc::new(Semaphore::new(args.fanout_connect_concurrency.max(1)));
    let request = Bytes::from(format!(
        "GET /v1/events HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nAccept: text/event-stream\r\n\r\n",
        target.addr, server.token
    ));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(n);
    for _ in 0..n {
        let subscriber = Subscriber {
            addr: target.addr,
            request: request.clone(),
            handshakes: handshakes.clone(),
            ready: ready_tx.clone(),
            received: received.clone(),
            stop: stop_rx.clone(),
        };
        tasks.push(tokio::spawn(subscriber.run()));
    }
    drop(ready_tx);
    let mut subscribed = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    for _ in 0..n {
        match tokio::time::timeout_at(deadline, ready_rx.recv()).await {
            Ok(Some(Ok(()))) => subscribed += 1,
            Ok(Some(Err(problem))) => problems.problem(true, problem),
            Ok(None) => break,
            Err(_) => {
                problems.problem(true, "subscribers still connecting after 120 s".into());
                break;
            }
        }
    }
    let connect_all = started.elapsed();

    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_subscribed = server.memory()?.vm_rss_kib;

    // The burst, from one separate connection.
    let sampler = Sampler::start(server.pid);
    let (server_cpu, bench_cpu) = (server.cpu_seconds()?, own_cpu_seconds());
    let mut conn = Conn::new(target.clone());
    conn.connect().await?;
    let path = format!("/v1/resumes/{resume}/shares");
    let mut sent_at: HashMap<String, Instant> = HashMap::new();
    let mut change_ms = Vec::new();
    let burst_start = Instant::now();
    for i in 0..args.fanout_changes {
        if i > 0 && args.fanout_gap_ms > 0 {
            tokio::time::sleep(Duration::from_millis(args.fanout_gap_ms)).await;
        }
        let sent = Instant::now();
        let reply = conn
            .send(
                Method::POST,
                &path,
                Some("application/json"),
                Bytes::from_static(br#"{"expires_in_days": 30}"#),
            )
            .await;
        let token = match reply {
            Ok(reply) if reply.status == StatusCode::CREATED => {
                serde_json::from_slice::<serde_json::Value>(&reply.body)
                    .ok()
                    .and_then(|v| v["token"].as_str().map(str::to_string))
            }
            Ok(reply) => {
                problems.problem(
                    false,
                    format!(
                        "change answered {}: {}",
                        reply.status,
                        String::from_utf8_lossy(&reply.body)
                    ),
                );
                continue;
            }
            Err(error) => {
                problems.problem(true, format!("change: {error:#}"));
                continue;
            }
        };
        match token {
            Some(token) => {
                change_ms.push(sent.elapsed().as_secs_f64() * 1000.0);
                sent_at.insert(token, sent);
            }
            None => problems.problem(false, "a 201 without a share token".into()),
        }
    }
    let expected = (sent_at.len() * subscribed) as u64;
    let wait_until = Instant::now() + Duration::from_secs_f64(args.fanout_wait.max(0.0));
    while received.load(Ordering::Relaxed) < expected && Instant::now() < wait_until {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let server_cpu = server.cpu_seconds()? - server_cpu;
    let bench_cpu = own_cpu_seconds() - bench_cpu;
    let rss_peak = sampler.finish();
    let rss_after_burst = server.memory()?.vm_rss_kib;

    // Close every subscriber and gather what each saw.
    let _ = stop_tx.send(true);
    let mut latencies = Samples::default();
    let (mut resyncs, mut other, mut last_delivery) = (0, 0, burst_start);
    for task in tasks {
        let seen = task.await.context("a subscriber task panicked")?;
        resyncs += seen.resyncs;
        other += seen.other;
        if let Some(problem) = seen.problem {
            problems.problem(true, problem);
        }
        for (token, at) in seen.deliveries {
            match sent_at.get(&token) {
                Some(sent) => {
                    latencies.ok.push(at.saturating_duration_since(*sent));
                    last_delivery = last_delivery.max(at);
                }
                None => other += 1,
            }
        }
    }
    let received = latencies.ok.len() as u64;
    let burst = last_delivery.saturating_duration_since(burst_start);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_after_close = server.memory()?.vm_rss_kib;

    let summary = latencies.summary(burst.max(Duration::from_millis(1)));
    change_ms.sort_by(f64::total_cmp);
    Ok(FanoutRow {
        subscribers: n,
        subscribed,
        connect_all_ms: connect_all.as_secs_f64() * 1000.0,
        changes_ok: sent_at.len(),
        change_p50_ms: change_ms
            .get(change_ms.len() / 2)
            .copied()
            .unwrap_or(f64::NAN),
        change_max_ms: change_ms.last().copied().unwrap_or(f64::NAN),
        burst_ms: burst.as_secs_f64() * 1000.0,
        deliveries_expected: expected,
        deliveries_received: received,
        p50_ms: summary.p50_ms,
        p90_ms: summary.p90_ms,
        p99_ms: summary.p99_ms,
        max_ms: summary.max_ms,
        mean_ms: summary.mean_ms,
        resyncs,
        other_events: other,
        server_cpu_us_per_delivery: server_cpu * 1e6 / received.max(1) as f64,
        bench_cpu_us_per_delivery: bench_cpu * 1e6 / received.max(1) as f64,
        rss_before_kib: rss_before,
        rss_subscribed_kib: rss_subscribed,
        rss_after_burst_kib: rss_after_burst,
        rss_peak_kib: rss_peak,
        rss_after_close_kib: rss_after_close,
        bytes_per_subscriber: (rss_subscribed as f64 - rss_before as f64) * 1024.0
            / subscribed.max(1) as f64,
        load_average: loadavg(),
        errors: problems.errors + problems.unexpected,
        first_problems: problems.first_problems,
    })
}

/// One subscriber: a raw TCP connection and an incremental parser.
struct Subscriber {
    addr: std::net::SocketAddr,
    request: Bytes,
    handshakes: Arc<Semaphore>,
    ready: mpsc::UnboundedSender<Result<(), String>>,
    received: Arc<AtomicU64>,
    stop: watch::Receiver<bool>,
}

impl Subscriber {
    async fn run(mut self) -> Seen {
        let mut seen = Seen::default();
        let permit = self.handshakes.clone().acquire_owned().await;
        let mut parser = StreamParser::default();
        let mut buffer = vec![0u8; 4096];
        let opened = async {
            let mut socket = TcpStream::connect(self.addr).await?;
            socket.set_nodelay(true)?;
            socket.write_all(&self.request).await?;
            loop {
                let read = socket.read(&mut buffer).await?;
                if read == 0 {
                    bail!("the server closed the stream before it opened");
                }
                parser.feed(&buffer[..read], Instant::now(), &mut seen)?;
                if parser.opened {
                    return anyhow::Ok(socket);
                }
            }
        }
        .await;
        drop(permit);
        let mut socket = match opened {
            Ok(socket) => {
                let _ = self.ready.send(Ok(()));
                socket
            }
            Err(error) => {
                let _ = self.ready.send(Err(format!("subscribe: {error:#}")));
                return seen;
            }
        };
        loop {
            tokio::select! {
                _ = self.stop.changed() => break,
                read = socket.read(&mut buffer) => {
                    let at = Instant::now();
                    let result = match read {
                        Ok(0) => Err(anyhow::anyhow!("the server ended the stream")),
                        Ok(read) => {
                            let before = seen.deliveries.len();
                            let fed = parser.feed(&buffer[..read], at, &mut seen);
                            self.received
                                .fetch_add((seen.deliveries.len() - before) as u64, Ordering::Relaxed);
                            fed
                        }
                        Err(error) => Err(error.into()),
                    };
                    if let Err(error) = result {
                        seen.problem = Some(format!("stream: {error:#}"));
                        break;
                    }
                }
            }
        }
        seen
    }
}

/// Incremental parser of an HTTP/1.1 response carrying an SSE body in
/// chunked framing. `raw` holds bytes not yet framed, `body` de-chunked
/// bytes not yet split into SSE blocks; both are reused.
#[derive(Default)]
struct StreamParser {
    raw: Vec<u8>,
    body: Vec<u8>,
    headers_done: bool,
    chunked: bool,
    /// Bytes left in the current chunk (data only, not its CRLF).
    chunk_left: usize,
    /// The CRLF after a chunk's data is still to be skipped.
    chunk_crlf: bool,
    /// Saw the `: stream open` comment (or any first block).
    opened: bool,
}

impl StreamParser {
    fn feed(&mut self, bytes: &[u8], at: Instant, seen: &mut Seen) -> anyhow::Result<()> {
        self.raw.extend_from_slice(bytes);
        if !self.headers_done {
            let Some(end) = find(&self.raw, b"\r\n\r\n") else {
                return Ok(());
            };
            let head = String::from_utf8_lossy(&self.raw[..end]).to_ascii_lowercase();
            let status = head.split_whitespace().nth(1).unwrap_or("");
            if status != "200" {
                bail!("GET /v1/events answered {status}");
            }
            self.chunked = head.contains("transfer-encoding: chunked");
            self.headers_done = true;
            self.raw.drain(..end + 4);
        }
        self.dechunk()?;
        self.blocks(at, seen);
        Ok(())
    }

    /// Move complete chunk data from `raw` to `body`.
    fn dechunk(&mut self) -> anyhow::Result<()> {
        if !self.chunked {
            self.body.extend_from_slice(&self.raw);
            self.raw.clear();
            return Ok(());
        }
        let mut at = 0;
        loop {
            if self.chunk_left > 0 {
                let take = self.chunk_left.min(self.raw.len() - at);
                self.body.extend_from_slice(&self.raw[at..at + take]);
                self.chunk_left -= take;
                at += take;
                if self.chunk_left > 0 {
                    break;
                }
                self.chunk_crlf = true;
            }
            if self.chunk_crlf {
                if self.raw.len() - at < 2 {
                    break;
                }
                at += 2;
                self.chunk_crlf = false;
            }
            let Some(line_end) = find(&self.raw[at..], b"\r\n") else {
                break;
            };
            let size_text = std::str::from_utf8(&self.raw[at..at + line_end])?;
            let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
                .with_context(|| format!("bad chunk size {size_text:?}"))?;
            at += line_end + 2;
            if size == 0 {
                bail!("the server ended the stream");
            }
            self.chunk_left = size;
        }
        self.raw.drain(..at);
        Ok(())
    }

    /// Take complete SSE blocks off the front of `body`.
    fn blocks(&mut self, at: Instant, seen: &mut Seen) {
        let mut start = 0;
        while let Some(end) = find(&self.body[start..], b"\n\n") {
            let block = &self.body[start..start + end];
            start += end + 2;
            self.opened = true;
            let mut event: &[u8] = b"";
            let mut data: &[u8] = b"";
            for line in block.split(|b| *b == b'\n') {
                if let Some(rest) = line.strip_prefix(b"event: ") {
                    event = rest;
                } else if let Some(rest) = line.strip_prefix(b"data: ") {
                    data = rest;
                }
            }
            match event {
                b"" => {} // a comment: stream open, keep-alive
                b"share.created" => match share_token(data) {
                    Some(token) => seen.deliveries.push((token, at)),
                    None => seen.other += 1,
                },
                b"resync" => seen.resyncs += 1,
                _ => seen.other += 1,
            }
        }
        self.body.drain(..start);
    }
}

/// CPU time this process has used so far (user + system), in seconds.
fn own_cpu_seconds() -> f64 {
    // SAFETY: getrusage with a valid pointer to a zeroed local rusage.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// The 1-minute load average (other work on the machine skews latency).
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The `share_token` of a change event's JSON data, without a JSON parse.
pub(crate) fn share_token(data: &[u8]) -> Option<String> {
    const KEY: &[u8] = b"\"share_token\":\"";
    let start = find(data, KEY)? + KEY.len();
    let len = data[start..].iter().position(|b| *b == b'"')?;
    String::from_utf8(data[start..start + len].to_vec()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_chunked_sse_split_anywhere() {
        let mut wire = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
        for chunk in [
            ": stream open\n\n",
            "id: 1-1\nevent: share.created\nretry: 2000\ndata: {\"kind\":\"share.created\",\"share_token\":\"abc\"}\n\n",
            ": keep-alive\n\nid: 1-2\nevent: resync\nretry: 2000\ndata: {}\n\n",
        ] {
            wire.extend_from_slice(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes());
        }
        for split in 1..wire.len() {
            let mut parser = StreamParser::default();
            let mut seen = Seen::default();
            let now = Instant::now();
            parser.feed(&wire[..split], now, &mut seen).unwrap();
            parser.feed(&wire[split..], now, &mut seen).unwrap();
            assert!(parser.opened);
            assert_eq!(seen.deliveries.len(), 1, "split at {split}");
            assert_eq!(seen.deliveries[0].0, "abc");
            assert_eq!((seen.other, seen.resyncs), (0, 1));
        }
    }
}
