//! `backends`: the same server on redb and on PostgreSQL, with one and with
//! two instances, measured in one run.
//!
//! Three setups, each on fresh storage and torn down before the next:
//!
//! 1. redb, one instance (the embedded default);
//! 2. PostgreSQL, one instance;
//! 3. PostgreSQL, two instances on one database (the second gets the
//!    first's share-link key, as docs/deploy.md tells operators).
//!
//! The PostgreSQL cluster is a throw-away one started here with Debian's
//! `initdb`/`pg_ctl` ([`vitae_tests::postgres::Cluster::start_durable`]),
//! on this machine and disk, with `fsync=on`: an acknowledged write is on
//! disk on both backends, so the write figures compare like with like.
//!
//! Per setup, with the load spread over the instances (connection `i` to
//! instance `i mod n`):
//!
//! - **reads**: `GET /v1/resumes/{id}` from [`READ_CONNECTIONS`]
//!   connections for `--backends-seconds`;
//! - **durable writes**: share-link creations (`POST …/shares`, each one
//!   committed before its 201) from each of `--write-clients`;
//! - **upload → complete**: `--backends-uploads` Markdown uploads from
//!   [`UPLOAD_CONNECTIONS`] connections, each timed to its parse stream's
//!   `complete`;
//! - **event latency**: a share link created on the first instance, one at
//!   a time, timed from the request to its `share.created` event on
//!   `/v1/events` of the *last* instance (with one instance, the same one):
//!   with two, the cross-instance path (the database's events table and
//!   `LISTEN/NOTIFY`).
//!
//! Crash rounds are not timed here: `VITAE_TEST_BACKEND=postgres
//! VITAE_CRASH_ROUNDS=10 cargo test -p vitae-tests --test crash` is the
//! ledger check (bench/README.md, "Backends").

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use bytes::Bytes;
use hyper::{Method, StatusCode};
use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use vitae_tests::postgres::Cluster;

use crate::client::{Conn, Target};
use crate::phases::{self, Op, Upload};
use crate::server::{LogSummary, Server};
use crate::stats::{Samples, Summary};

/// Connections of the read row.
const READ_CONNECTIONS: usize = 16;
/// Connections of the upload row.
const UPLOAD_CONNECTIONS: usize = 4;
/// Pause between two timed changes of the event row, so each is timed
/// alone rather than queued behind the previous one.
const EVENT_GAP: Duration = Duration::from_millis(10);
/// The share-link key's file name in a data dir (server/src/store/sealing.rs).
const KEY_FILE: &str = "share.key";
/// How long one event may take before it counts as lost.
const EVENT_LIMIT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, clap::Args)]
pub struct BackendsArgs {
    /// Seconds of each read and write level of the backends phase.
    #[arg(long, default_value_t = 5.0)]
    pub backends_seconds: f64,
    /// Uploads timed per setup of the backends phase (upload → complete).
    #[arg(long, default_value_t = 40)]
    pub backends_uploads: usize,
    /// Changes timed per setup for the event latency of the backends phase.
    #[arg(long, default_value_t = 300)]
    pub backends_events: usize,
}

#[derive(Debug, Serialize)]
pub struct BackendsRun {
    pub setups: Vec<SetupRun>,
    /// `SELECT version()` of the cluster.
    pub postgres: String,
}

#[derive(Debug, Serialize)]
pub struct SetupRun {
    pub name: String,
    pub backend: &'static str,
    pub instances: usize,
    pub reads: Summary,
    pub writes: Vec<(usize, Summary)>,
    pub uploads: Summary,
    pub events: Summary,
    /// Events that did not arrive within [`EVENT_LIMIT`].
    pub events_lost: usize,
    pub server_logs: Vec<LogSummary>,
    pub server_exits: Vec<String>,
}

#[derive(Clone, Copy)]
enum Backend {
    Redb,
    Postgres,
}

pub async fn run(
    binary: &Path,
    md: &Upload,
    write_clients: &[usize],
    args: &BackendsArgs,
) -> anyhow::Result<BackendsRun> {
    // initdb, pg_ctl and psql are processes waited for: off the async threads.
    let (cluster, postgres) = tokio::task::spawn_blocking(|| {
        let cluster = Cluster::start_durable()?;
        let version = postgres_version(&cluster);
        Ok::<_, String>((cluster, version))
    })
    .await?
    .map_err(|why| anyhow::anyhow!("starting a PostgreSQL cluster: {why}"))?;
    let mut setups = Vec::new();
    for (backend, instances) in [
        (Backend::Redb, 1),
        (Backend::Postgres, 1),
        (Backend::Postgres, 2),
    ] {
        let name = match backend {
            Backend::Redb => "redb, 1 instance".to_string(),
            Backend::Postgres => format!(
                "PostgreSQL, {instances} instance{}",
                if instances == 1 { "" } else { "s" }
            ),
        };
        eprintln!("… backends: {name}");
        let database = match backend {
            Backend::Redb => None,
            Backend::Postgres => Some(cluster.fresh_database()),
        };
        setups.push(
            setup(
                binary,
                md,
                write_clients,
                args,
                &name,
                database.as_deref(),
                instances,
            )
            .await
            .with_context(|| format!("backends: {name}"))?,
        );
    }
    Ok(BackendsRun { setups, postgres })
}

fn postgres_version(cluster: &Cluster) -> String {
    let bin = vitae_tests::postgres::bin_dir();
    let psql = bin.map(|b| b.join("psql"));
    let out = psql.and_then(|psql| {
        std::process::Command::new(psql)
            .args(["-At", "-c", "SHOW server_version", &cluster.url("postgres")])
            .output()
            .ok()
    });
    out.filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

async fn setup(
    binary: &Path,
    md: &Upload,
    write_clients: &[usize],
    args: &BackendsArgs,
    name: &str,
    database: Option<&str>,
    instances: usize,
) -> anyhow::Result<SetupRun> {
    let mut dirs = Vec::new();
    let mut servers = Vec::new();
    for i in 0..instances {
        let dir = tempfile::Builder::new()
            .prefix("vitae-bench-backends-")
            .tempdir()?;
        if i > 0 {
            // Every instance on one database needs the same share-link key.
            let first: &tempfile::TempDir = &dirs[0];
            std::fs::copy(first.path().join(KEY_FILE), dir.path().join(KEY_FILE))
                .context("copying the share-link key to the second instance")?;
        }
        let mut extra = vec!["--quota-shares", "0", "--quota-resumes", "0"];
        if let Some(url) = database {
            extra.extend(["--database-url", url]);
        }
        servers.push(Server::start_with(binary, dir.path(), &extra).await?);
        dirs.push(dir);
    }
    // One owner everywhere: the first instance's admin token is in the database.
    let token = servers[0].token.clone();
    let targets = servers
        .iter()
        .map(|s| Target::new(s.addr, &token))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let measured = measure(&targets, &token, md, write_clients, args).await;
    let mut server_logs = Vec::new();
    let mut server_exits = Vec::new();
    for server in servers {
        let log = server.log_path.clone();
        server_exits.push(server.stop().await);
        server_logs.push(LogSummary::read(&log));
    }
    let (reads, writes, uploads, (events, events_lost)) = measured?;
    Ok(SetupRun {
        name: name.to_string(),
        backend: if database.is_some() {
            "postgres"
        } else {
            "redb"
        },
        instances,
        reads,
        writes,
        uploads,
        events,
        events_lost,
        server_logs,
        server_exits,
    })
}

type Measured = (Summary, Vec<(usize, Summary)>, Summary, (Summary, usize));

async fn measure(
    targets: &[Target],
    token: &str,
    md: &Upload,
    write_clients: &[usize],
    args: &BackendsArgs,
) -> anyhow::Result<Measured> {
    let seconds = Duration::from_secs_f64(args.backends_seconds.max(1.0));
    let (_, ids) = phases::uploads(&targets[0], md, 1, 1).await?;
    let id = ids
        .first()
        .context("the first upload did not parse")?
        .clone();

    eprintln!("…   GET /v1/resumes/{{id}} from {READ_CONNECTIONS} connections");
    let read = Op {
        method: Method::GET,
        path: format!("/v1/resumes/{id}"),
        body: Bytes::new(),
        content_type: None,
        expect: StatusCode::OK,
    };
    let reads = phases::load_spread(targets, &read, READ_CONNECTIONS, seconds).await?;

    let write = Op::new_share(&id);
    let mut writes = Vec::new();
    for &clients in write_clients {
        eprintln!("…   share creations from {clients} clients");
        writes.push((
            clients,
            phases::load_spread(targets, &write, clients, seconds).await?,
        ));
    }

    eprintln!(
        "…   {} uploads → complete from {UPLOAD_CONNECTIONS} connections",
        args.backends_uploads
    );
    let (uploads, _) =
        phases::uploads_spread(targets, md, args.backends_uploads, UPLOAD_CONNECTIONS).await?;

    eprintln!("…   {} changes → event", args.backends_events);
    let events = event_latency(targets, token, &id, args.backends_events).await?;
    Ok((reads, writes, uploads, events))
}

/// Create `n` share links on the first instance, one at a time, and time
/// each from its request to its `share.created` event on the last
/// instance's `/v1/events`.
async fn event_latency(
    targets: &[Target],
    token: &str,
    id: &str,
    n: usize,
) -> anyhow::Result<(Summary, usize)> {
    let watcher = targets.last().context("no instance")?;
    let mut arrivals = subscribe(watcher, token).await?;
    let mut conn = Conn::new(targets[0].clone());
    conn.connect().await?;
    let write = Op::new_share(id);
    let mut samples = Samples::default();
    let mut lost = 0;
    let mut early: HashMap<String, Instant> = HashMap::new();
    let started = Instant::now();
    for _ in 0..n {
        tokio::time::sleep(EVENT_GAP).await;
        let sent = Instant::now();
        let reply = write.send(&mut conn).await?;
        if reply.status != write.expect {
            samples.problem(false, format!("creating a link: {}", reply.status));
            continue;
        }
        let value: serde_json::Value = serde_json::from_slice(&reply.body)?;
        let link = value["token"]
            .as_str()
            .context("no token in the new link")?
            .to_string();
        // The event may beat the 201 home: look among those seen first.
        if let Some(at) = early.remove(&link) {
            samples.ok.push(at.saturating_duration_since(sent));
            continue;
        }
        let deadline = tokio::time::Instant::now() + EVENT_LIMIT;
        loop {
            match tokio::time::timeout_at(deadline, arrivals.recv()).await {
                Ok(Some((seen, at))) if seen == link => {
                    samples.ok.push(at.saturating_duration_since(sent));
                    break;
                }
                Ok(Some((seen, at))) => {
                    early.insert(seen, at);
                }
                Ok(None) => bail!("the event stream of {} ended", watcher.addr),
                Err(_) => {
                    lost += 1;
                    samples.problem(true, format!("no event for link {link} within 10 s"));
                    break;
                }
            }
        }
    }
    Ok((samples.summary(started.elapsed()), lost))
}

/// Subscribe to `/v1/events` of `target`; every `share_token` seen, with
/// the instant its event arrived.
async fn subscribe(
    target: &Target,
    token: &str,
) -> anyhow::Result<mpsc::UnboundedReceiver<(String, Instant)>> {
    let mut stream = TcpStream::connect(target.addr).await?;
    stream.set_nodelay(true)?;
    let request = format!(
        "GET /v1/events HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n",
        target.addr
    );
    stream.write_all(request.as_bytes()).await?;
    let (tx, rx) = mpsc::unbounded_channel();
    let mut head = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    // The stream is open once the response head is in.
    while crate::fanout::find(&head, b"\r\n\r\n").is_none() {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            bail!("the event stream closed before answering");
        }
        head.extend_from_slice(&buf[..n]);
    }
    if !head.starts_with(b"HTTP/1.1 200") {
        bail!(
            "the event stream answered {}",
            String::from_utf8_lossy(&head[..head.len().min(200)])
        );
    }
    tokio::spawn(async move {
        // The chunk framing stays in the bytes: an event is written whole,
        // so its block (up to the blank line) holds its token intact.
        let mut pending = head;
        loop {
            while let Some(end) = crate::fanout::find(&pending, b"\n\n") {
                let block: Vec<u8> = pending.drain(..end + 2).collect();
                if let Some(token) = crate::fanout::share_token(&block) {
                    if tx.send((token, Instant::now())).is_err() {
                        return;
                    }
                }
            }
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => pending.extend_from_slice(&buf[..n]),
            }
        }
    });
    Ok(rx)
}
