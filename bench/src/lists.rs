//! `lists`: the latency of a page of share links with many links on one
//! resume, against a server of its own (quotas off) — and, with
//! `--lists-baseline BINARY`, the same against another build (a server
//! from before paged lists answers the whole list to every request, since
//! it ignores `limit` and `cursor`).
//!
//! It uploads one resume, creates `--list-shares` links on it from
//! `--list-clients` connections, then times, one request at a time (each
//! measurement for `--list-seconds`, at least 5 requests):
//!
//! - the first page, `GET /v1/resumes/{id}/shares?limit=100`;
//! - a page deep in the list: the request that follows the cursor taken
//!   halfway through a walk of the list (the same cursor every time);
//! - every page of one walk over the whole list (limit 100), each page
//!   timed, which shows that the last page costs what the first does.
//!
//! A server that answers everything at once has no second page: its rows
//! show the whole list's cost instead.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use bytes::Bytes;
use hyper::{Method, StatusCode};
use serde::Serialize;

use crate::client::{Conn, Target};
use crate::phases::{self, Upload};
use crate::server::{LogSummary, Server};
use crate::stats::{Samples, Summary};

#[derive(Debug, Clone, clap::Args)]
pub struct ListsArgs {
    /// Share links created on the one resume of the `lists` phase.
    #[arg(long, default_value_t = 100_000)]
    pub list_shares: usize,
    /// Connections creating them.
    #[arg(long, default_value_t = 64)]
    pub list_clients: usize,
    /// Seconds of each list measurement (at least 5 requests each).
    #[arg(long, default_value_t = 10.0)]
    pub list_seconds: f64,
    /// Also measure this vitae-server binary (e.g. a build from before
    /// paged lists), on a server and data of its own.
    #[arg(long)]
    pub lists_baseline: Option<std::path::PathBuf>,
}

#[derive(Debug, Serialize)]
pub struct ListsRun {
    pub shares: usize,
    /// Share creations per second while the links were made.
    pub creation_per_second: f64,
    pub servers: Vec<ServerRun>,
}

#[derive(Debug, Serialize)]
pub struct ServerRun {
    /// `this build` or `baseline`.
    pub server: String,
    pub binary: String,
    pub rows: Vec<ListRow>,
    pub server_log: LogSummary,
    pub server_exit: String,
}

#[derive(Debug, Serialize)]
pub struct ListRow {
    pub what: String,
    /// Links in one answer (the last one measured).
    pub items: usize,
    /// Bytes of one answer (the last one measured; of all pages for a walk).
    pub bytes: usize,
    pub summary: Summary,
}

/// The phase: this build, then the baseline if one was given.
pub async fn run(binary: &Path, md: &Upload, args: &ListsArgs) -> anyhow::Result<ListsRun> {
    if args.list_shares == 0 || args.list_clients == 0 {
        bail!("--list-shares and --list-clients must be at least 1");
    }
    let mut servers = Vec::new();
    let (run, per_second) = one_server("this build", binary, md, args).await?;
    servers.push(run);
    if let Some(baseline) = &args.lists_baseline {
        let (run, _) = one_server("baseline", baseline, md, args).await?;
        servers.push(run);
    }
    Ok(ListsRun {
        shares: args.list_shares,
        creation_per_second: per_second,
        servers,
    })
}

async fn one_server(
    name: &str,
    binary: &Path,
    md: &Upload,
    args: &ListsArgs,
) -> anyhow::Result<(ServerRun, f64)> {
    let data_dir = tempfile::Builder::new()
        .prefix("vitae-bench-lists-")
        .tempdir()?;
    // Quotas off: 100,000 links on one resume is the point.
    let server = Server::start_with(
        binary,
        data_dir.path(),
        &["--quota-shares", "0", "--quota-bytes-mib", "0"],
    )
    .await?;
    let target = Target::new(server.addr, &server.token)?;
    let result = async {
        let (_, ids) = phases::uploads(&target, md, 1, 1).await?;
        let id = ids.first().context("the resume did not parse")?.clone();
        eprintln!(
            "… {name}: creating {} share links from {} connections",
            args.list_shares, args.list_clients
        );
        let per_second = create_shares(&target, &id, args.list_shares, args.list_clients).await?;
        let rows = measure(&target, &id, args).await?;
        anyhow::Ok((rows, per_second))
    }
    .await;
    let log_path = server.log_path.clone();
    let server_exit = server.stop().await;
    let (rows, per_second) = result?;
    Ok((
        ServerRun {
            server: name.to_string(),
            binary: binary.display().to_string(),
            rows,
            server_log: LogSummary::read(&log_path),
            server_exit,
        },
        per_second,
    ))
}

/// `n` links on `id` from `clients` connections; creations per second.
async fn create_shares(target: &Target, id: &str, n: usize, clients: usize) -> anyhow::Result<f64> {
    let next = Arc::new(AtomicUsize::new(0));
    let path = format!("/v1/resumes/{id}/shares");
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..clients {
        let (target, next, path) = (target.clone(), next.clone(), path.clone());
        workers.push(tokio::spawn(async move {
            let mut conn = Conn::new(target);
            conn.connect().await?;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return anyhow::Ok(());
                }
                if i > 0 && i % 20_000 == 0 {
                    eprintln!("…   {i} links");
                }
                let body = Bytes::from_static(br#"{"expires_in_days": 30}"#);
                let reply = conn
                    .send(Method::POST, &path, Some("application/json"), body)
                    .await?;
                if reply.status != StatusCode::CREATED {
                    bail!(
                        "creating link {i}: {} {}",
                        reply.status,
                        String::from_utf8_lossy(&reply.body)
                    );
                }
            }
        }));
    }
    for worker in workers {
        worker.await??;
    }
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

/// One answer of a list request: its links, its next cursor, its size.
struct Answer {
    items: usize,
    next: Option<String>,
    bytes: usize,
}

async fn get(conn: &mut Conn, path: &str) -> anyhow::Result<(Duration, Answer)> {
    let started = Instant::now();
    let reply = conn.send(Method::GET, path, None, Bytes::new()).await?;
    let took = started.elapsed();
    if reply.status != StatusCode::OK {
        bail!("GET {path}: {}", reply.status);
    }
    let value: serde_json::Value = serde_json::from_slice(&reply.body)?;
    let items = value["shares"]
        .as_array()
        .map(Vec::len)
        .context("no `shares` list in the answer")?;
    let next = value["next_cursor"].as_str().map(str::to_string);
    Ok((
        took,
        Answer {
            items,
            next,
            bytes: reply.body.len(),
        },
    ))
}

/// The same request again and again for `seconds` (at least 5 times).
async fn repeat(conn: &mut Conn, what: &str, path: &str, seconds: f64) -> anyhow::Result<ListRow> {
    eprintln!("…   {what}");
    let mut samples = Samples::default();
    let started = Instant::now();
    let mut last = None;
    while samples.ok.len() < 5 || started.elapsed().as_secs_f64() < seconds {
        let (took, answer) = get(conn, path).await?;
        samples.ok.push(took);
        last = Some(answer);
    }
    let last = last.context("no request was made")?;
    Ok(ListRow {
        what: what.to_string(),
        items: last.items,
        bytes: last.bytes,
        summary: samples.summary(started.elapsed()),
    })
}

async fn measure(target: &Target, id: &str, args: &ListsArgs) -> anyhow::Result<Vec<ListRow>> {
    let mut conn = Conn::new(target.clone());
    conn.connect().await?;
    let base = format!("/v1/resumes/{id}/shares?limit=100");
    let mut rows = vec![
        repeat(
            &mut conn,
            "first page (limit 100)",
            &base,
            args.list_seconds,
        )
        .await?,
    ];

    // One walk over every page, each page timed.
    eprintln!("…   every page of one walk (limit 100)");
    let mut samples = Samples::default();
    let started = Instant::now();
    let mut cursors = Vec::new();
    let mut path = base.clone();
    let (mut total, mut bytes) = (0, 0);
    loop {
        let (took, answer) = get(&mut conn, &path).await?;
        samples.ok.push(took);
        total += answer.items;
        bytes += answer.bytes;
        match answer.next {
            Some(next) => {
                path = format!("{base}&cursor={next}");
                cursors.push(next);
            }
            None => break,
        }
    }
    if total != args.list_shares {
        bail!(
            "the walk met {total} links, not {}: a page skipped or repeated some",
            args.list_shares
        );
    }
    let walk = samples.summary(started.elapsed());
    let pages = walk.ok as usize;
    if let Some(middle) = cursors.get(cursors.len() / 2) {
        let deep = format!("{base}&cursor={middle}");
        let what = format!("page {} of {pages} (limit 100)", cursors.len() / 2 + 2);
        rows.push(repeat(&mut conn, &what, &deep, args.list_seconds).await?);
    }
    rows.push(ListRow {
        what: format!("every page of one walk ({pages} pages, {total} links)"),
        items: total,
        bytes,
        summary: walk,
    });
    Ok(rows)
}
