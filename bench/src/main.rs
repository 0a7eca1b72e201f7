//! `vitae-bench`: Vitae's performance figures, measured against
//! the real `vitae-server` release binary over HTTP on loopback, with a
//! fresh data dir, in one command.
//!
//! It starts its own server (`serve --addr 127.0.0.1:0` on a temporary data
//! dir) and runs these phases (`--only` picks some):
//!
//! 1. `uploads`: upload → `complete` latency for a one-page PDF, DOCX and
//!    Markdown file, sequentially and from 32 connections at once;
//! 2. `reads`: `GET /v1/resumes/{id}` and `GET /s/{token}` (JSON) by `wrk`
//!    at 1, 16 and 256 connections, against a bare hyper hello-world server
//!    measured in the same run as the machine's limit ([`reads`]);
//! 3. `fanout`: SSE fan-out to N subscribers of `/v1/events` ([`fanout`]);
//! 4. `writes`: durable share creations/s from 1, 16 and 128 clients, then a
//!    check that the server lists every acknowledged share;
//! 5. `versions`: diff and tailoring of a three-page resume ([`versions`]);
//! 6. `tui`: frame render time of the terminal UI at 200×60 ([`vitae_tui::perf`]);
//! 7. `export`: PDF export: the engine's cold start and warm renders
//!    in-process, cache hits and renders over HTTP against a server of its
//!    own, its memory after 1,000 renders, and headless Chromium printing
//!    the same resume as the reference ([`export`]);
//! 8. `abuse`: `/healthz` and a small GET while 30 clients flood a large
//!    resume's share page (and its GET), and another owner's parse while
//!    one owner uploads amplifying DOCX files, against a server of its own
//!    ([`abuse`]);
//! 9. `lists`: a page of share links with 100,000 links on one resume (first,
//!    middle, every page of a walk), against a server of its own, and
//!    optionally against a baseline build ([`lists`]);
//! 10. `password`: a view of a password-protected share link with the right
//!     password, wrong ones until the limit refuses, against a link without
//!     one ([`password`]);
//! 11. `backends`: reads, durable writes, upload → `complete` and event
//!     latency on redb, on PostgreSQL, and on two PostgreSQL instances of
//!     one database, against servers and a cluster of its own ([`backends`]);
//!
//! and samples the server's VmRSS/VmHWM around each phase. It prints tables,
//! writes them as JSON and CSV with one SVG chart per benchmark into `--out`
//! (default `target/bench-results`), and with `--docs DIR` rewrites
//! `DIR/benchmarks.md` and `DIR/benchmarks/*.svg` from the run, including
//! which targets were met.
//!
//! Non-2xx answers and transport errors are counted and shown, never timed.
//! The load generators run on the same machine as the server, so on a small
//! machine they compete for the cores: the figures are a floor, not the
//! server's ceiling.

mod abuse;
mod backends;
mod client;
mod export;
mod fanout;
mod lists;
mod password;
mod phases;
mod plot;
mod reads;
mod report;
mod server;
mod stats;
mod versions;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use bytes::Bytes;
use clap::Parser;
use serde::Serialize;

use crate::client::Target;
use crate::phases::{Op, Upload};
use crate::server::{LogSummary, Memory, Sampler, Server};
use crate::stats::Summary;

const PHASES: [&str; 11] = [
    "uploads", "reads", "fanout", "writes", "versions", "tui", "export", "abuse", "lists",
    "password", "backends",
];

/// Benchmark vitae-server on loopback.
#[derive(Debug, Parser)]
#[command(version)]
pub struct Args {
    /// The vitae-server binary (default: next to this binary).
    #[arg(long)]
    server: Option<PathBuf>,
    /// Run only these phases (uploads, reads, fanout, writes, versions, tui, export, abuse, lists,
    /// password, backends).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// One-page PDF to upload (default: tests/fixtures/resume.pdf).
    #[arg(long)]
    pdf: Option<PathBuf>,
    /// One-page DOCX to upload (default: tests/fixtures/resume.docx).
    #[arg(long)]
    docx: Option<PathBuf>,
    /// Markdown file to upload (default: tests/fixtures/resume.md).
    #[arg(long)]
    md: Option<PathBuf>,
    /// Uploads per format and concurrency level.
    #[arg(long, default_value_t = 200)]
    uploads: usize,
    /// Connections of the concurrent upload run.
    #[arg(long, default_value_t = 32)]
    upload_concurrency: usize,
    /// Connection counts of the read benchmark.
    #[arg(long, value_delimiter = ',', default_value = "1,16,256")]
    read_connections: Vec<usize>,
    /// Seconds of each load run (each read run, each write level).
    #[arg(long, short = 'd', default_value_t = 10.0)]
    duration: f64,
    /// Concurrent clients of the durable-write levels.
    #[arg(long, value_delimiter = ',', default_value = "1,16,128")]
    write_clients: Vec<usize>,
    #[command(flatten)]
    fanout: fanout::FanoutArgs,
    #[command(flatten)]
    export: export::ExportArgs,
    #[command(flatten)]
    abuse: abuse::AbuseArgs,
    #[command(flatten)]
    lists: lists::ListsArgs,
    #[command(flatten)]
    backends: backends::BackendsArgs,
    /// Frames drawn per TUI scenario.
    #[arg(long, default_value_t = 2000)]
    tui_frames: usize,
    /// Worker threads of the bench's own runtime (default: the number of cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Where to write report.json, the CSV tables and the SVG charts.
    #[arg(long, default_value = "target/bench-results")]
    out: PathBuf,
    /// Also rewrite DIR/benchmarks.md and DIR/benchmarks/*.svg from this run.
    #[arg(long)]
    docs: Option<PathBuf>,
    /// Print the results as JSON instead of tables.
    #[arg(long)]
    json: bool,
    /// Keep the server's data dir (and its log) instead of deleting it.
    #[arg(long)]
    keep_data: bool,
}

impl Args {
    fn runs(&self, phase: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|p| p == phase)
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(unknown) = args.only.iter().find(|p| !PHASES.contains(&p.as_str())) {
        bail!(
            "--only: unknown phase {unknown:?}; phases: {}",
            PHASES.join(", ")
        );
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.unwrap_or(cores).max(1))
        .enable_all()
        .build()?;
    let report = runtime.block_on(run(&args))?;
    report::write_outputs(&report, &args.out)?;
    if let Some(docs) = &args.docs {
        // With --only, the sections of the phases that ran replace theirs
        // and the rest of the page stays as the last full run wrote it.
        report::write_docs(&report, docs, !args.only.is_empty())?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        report::print_tables(&report);
        eprintln!("results written to {}", args.out.display());
    }
    Ok(())
}

#[derive(Debug, Serialize)]
pub struct Report {
    date_utc: String,
    /// The command line of the run (program name without its directory).
    command: String,
    machine: Machine,
    server_binary: String,
    settings: Settings,
    fsync_baseline: Summary,
    uploads: Vec<UploadRun>,
    reads: Vec<reads::ReadRow>,
    fanout: Option<fanout::FanoutRun>,
    writes: Vec<WriteRun>,
    shares_acknowledged: u64,
    shares_listed: usize,
    /// The final `GET /v1/resumes/{id}/shares` of every share written.
    share_listing: Option<phases::ShareListing>,
    versions: Option<versions::VersionsRun>,
    tui: Vec<TuiRun>,
    export: Option<export::ExportRun>,
    abuse: Option<abuse::AbuseRun>,
    lists: Option<lists::ListsRun>,
    password: Option<password::PasswordRun>,
    backends: Option<backends::BackendsRun>,
    memory: Vec<MemoryPoint>,
    server_log: LogSummary,
    /// How the server ended after SIGTERM.
    server_exit: String,
}

#[derive(Debug, Serialize)]
pub struct Machine {
    cores: usize,
    cpu: String,
    kernel: String,
    memory_mib: u64,
    /// 1-minute load average when the bench started and when it ended:
    /// anything else running on the machine skews the figures.
    loadavg_start: String,
    loadavg_end: String,
}

#[derive(Debug, Serialize)]
pub struct Settings {
    phases: Vec<String>,
    uploads: usize,
    upload_concurrency: usize,
    read_connections: Vec<usize>,
    duration_s: f64,
    write_clients: Vec<usize>,
    bench_threads: usize,
    files: Vec<(String, usize)>,
}

#[derive(Debug, Serialize)]
pub struct UploadRun {
    format: &'static str,
    concurrency: usize,
    summary: Summary,
}

#[derive(Debug, Serialize)]
pub struct WriteRun {
    clients: usize,
    summary: Summary,
    /// Server CPU time per successful write, in microseconds.
    server_cpu_us_per_request: f64,
}

#[derive(Debug, Serialize)]
pub struct TuiRun {
    scenario: String,
    width: u16,
    height: u16,
    frames: usize,
    p50_us: f64,
    p99_us: f64,
    max_us: f64,
}

/// Microseconds of server CPU per successful request.
fn cpu_per_request(cpu_s: f64, summary: &Summary) -> f64 {
    if summary.ok == 0 {
        f64::NAN
    } else {
        cpu_s * 1e6 / summary.ok as f64
    }
}

#[derive(Debug, Serialize)]
pub struct MemoryPoint {
    point: String,
    vm_rss_kib: u64,
    vm_hwm_kib: u64,
    /// Highest VmRSS sampled during the phase that ended here.
    peak_sampled_rss_kib: Option<u64>,
}

fn progress(args: &Args, text: &str) {
    if !args.json {
        eprintln!("… {text}");
    }
}

/// A binary that sits next to this one (the workspace's target dir).
fn sibling(name: &str) -> anyhow::Result<PathBuf> {
    Ok(std::env::current_exe()?
        .parent()
        .context("the bench binary has no directory")?
        .join(name))
}

async fn run(args: &Args) -> anyhow::Result<Report> {
    if args.uploads == 0 || args.upload_concurrency == 0 {
        bail!("--uploads and --upload-concurrency must be at least 1");
    }
    if args.write_clients.contains(&0) || args.read_connections.contains(&0) {
        bail!("--write-clients and --read-connections must all be at least 1");
    }
    let duration = Duration::from_secs_f64(args.duration.max(1.0));
    let binary = match &args.server {
        Some(path) => path.clone(),
        None => sibling("vitae-server")?,
    };
    if !binary.is_file() {
        bail!(
            "no server binary at {} (build it with `cargo build --release -p vitae-server -p vitae-bench`, or pass --server)",
            binary.display()
        );
    }
    // Checked before anything runs, so a missing tool fails in a second.
    let wrk = if args.runs("reads") {
        Some(reads::find_wrk()?)
    } else {
        None
    };
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let file =
        |arg: &Option<PathBuf>, name: &str| arg.clone().unwrap_or_else(|| fixtures.join(name));
    let pdf = read_upload(&file(&args.pdf, "resume.pdf"), "application/pdf")?;
    let docx = read_upload(
        &file(&args.docx, "resume.docx"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )?;
    let md = read_upload(&file(&args.md, "resume.md"), "text/markdown")?;
    let formats = [("pdf", &pdf), ("docx", &docx), ("markdown", &md)];

    let loadavg_start = loadavg();
    let data_dir = tempfile::Builder::new().prefix("vitae-bench-").tempdir()?;
    let settings = Settings {
        phases: PHASES
            .iter()
            .filter(|p| args.runs(p))
            .map(|p| p.to_string())
            .collect(),
        uploads: args.uploads,
        upload_concurrency: args.upload_concurrency,
        read_connections: args.read_connections.clone(),
        duration_s: duration.as_secs_f64(),
        write_clients: args.write_clients.clone(),
        bench_threads: args
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        files: formats
            .iter()
            .map(|(format, f)| (format!("{format}: {}", f.filename), f.bytes.len()))
            .collect(),
    };

    let fsync_baseline =
        tokio::task::block_in_place(|| phases::fsync_baseline(data_dir.path(), 100))?;

    progress(args, &format!("starting {}", binary.display()));
    let server = Server::start(&binary, data_dir.path()).await?;
    let target = Target::new(server.addr, &server.token)?;
    let mut memory = Vec::new();
    tokio::time::sleep(Duration::from_secs(1)).await;
    memory.push(point("idle after start", server.memory()?, None));

    // A few untimed uploads first, so the timed runs do not include the
    // first spawn of the parse child or a cold page cache; they also give
    // the later phases a parsed resume to read and share.
    let mut pdf_ids = Vec::new();
    for (format, file) in formats {
        let (_, ids) = phases::uploads(&target, file, 3, 1).await?;
        if format == "pdf" {
            pdf_ids.extend(ids);
        }
    }
    let read_id = pdf_ids
        .first()
        .context("no PDF upload reached `ready`; nothing to read")?
        .clone();

    let mut uploads = Vec::new();
    if args.runs("uploads") {
        let sampler = Sampler::start(server.pid);
        for concurrency in [1, args.upload_concurrency] {
            for (format, file) in formats {
                progress(
                    args,
                    &format!("{} {format} uploads, {concurrency} at a time", args.uploads),
                );
                let (summary, _) =
                    phases::uploads(&target, file, args.uploads, concurrency).await?;
                uploads.push(UploadRun {
                    format,
                    concurrency,
                    summary,
                });
            }
        }
        memory.push(point(
            "after uploads",
            server.memory()?,
            Some(sampler.finish()),
        ));
    }

    let mut read_rows = Vec::new();
    if let Some(wrk) = &wrk {
        let share = phases::create_share(&target, &read_id).await?;
        let hello = reads::Hello::start(&sibling("vitae-bench-hello")?).await?;
        let limit = reads::Endpoint {
            target: "hello",
            addr: hello.addr,
            path: "/".into(),
            headers: vec![],
            pid: hello.pid,
        };
        let endpoints = [
            reads::Endpoint {
                target: "resume",
                addr: server.addr,
                path: format!("/v1/resumes/{read_id}"),
                headers: vec![format!("Authorization: Bearer {}", server.token)],
                pid: server.pid,
            },
            reads::Endpoint {
                target: "share",
                addr: server.addr,
                path: format!("/s/{share}"),
                headers: vec!["Accept: application/json".into()],
                pid: server.pid,
            },
        ];
        let sampler = Sampler::start(server.pid);
        read_rows = reads::run(
            wrk,
            &limit,
            &endpoints,
            &args.read_connections,
            duration,
            |text| progress(args, text),
        )
        .await?;
        hello.stop().await;
        memory.push(point(
            "after reads",
            server.memory()?,
            Some(sampler.finish()),
        ));
    }

    let fanout = if args.runs("fanout") {
        progress(args, "SSE fan-out");
        let run = fanout::run(&target, &server, &args.fanout).await?;
        memory.push(point("after fan-out", server.memory()?, None));
        Some(run)
    } else {
        None
    };

    // Durable writes: share links on a resume of their own, so the count is exact.
    let mut writes = Vec::new();
    let mut acknowledged = 0;
    let mut share_listing = None;
    let mut listed = 0;
    if args.runs("writes") {
        let share_id = pdf_ids.get(1).unwrap_or(&read_id).clone();
        let before = phases::list_shares(&target, &share_id).await?.shares;
        let write = Op::new_share(&share_id);
        let sampler = Sampler::start(server.pid);
        for &clients in &args.write_clients {
            progress(
                args,
                &format!(
                    "POST /v1/resumes/{{id}}/shares from {clients} clients for {:.0} s",
                    duration.as_secs_f64()
                ),
            );
            let cpu = server.cpu_seconds()?;
            let summary = phases::load(&target, &write, clients, duration).await?;
            let cpu = server.cpu_seconds()? - cpu;
            acknowledged += summary.ok;
            writes.push(WriteRun {
                clients,
                server_cpu_us_per_request: cpu_per_request(cpu, &summary),
                summary,
            });
        }
        memory.push(point(
            "after writes",
            server.memory()?,
            Some(sampler.finish()),
        ));
        // Listing them all (every page of 1,000): its cost is a figure too.
        let listing = phases::list_shares(&target, &share_id).await?;
        listed = listing.shares - before;
        share_listing = Some(listing);
    }

    let versions = if args.runs("versions") {
        progress(args, "diff and tailoring of a three-page resume");
        Some(versions::run(&target, duration.div_f64(2.0)).await?)
    } else {
        None
    };

    tokio::time::sleep(Duration::from_secs(3)).await;
    memory.push(point("idle 3 s after load", server.memory()?, None));
    let log_path = server.log_path.clone();
    let exit = server.stop().await;
    let server_log = LogSummary::read(&log_path);
    if args.keep_data {
        let kept = data_dir.keep();
        eprintln!("kept the data dir {}", kept.display());
    }

    // With the main server gone: the export phase starts a server of its
    // own, so its memory figures are the export's alone.
    let export = if args.runs("export") {
        Some(export::run(&binary, &args.export).await?)
    } else {
        None
    };

    // Its own server too, so that its floods meet nothing of the others.
    let abuse = if args.runs("abuse") {
        Some(abuse::run(&binary, &args.abuse).await?)
    } else {
        None
    };

    // Its own server (and the baseline's), quotas off, 100,000 links.
    let lists = if args.runs("lists") {
        Some(lists::run(&binary, &md, &args.lists).await?)
    } else {
        None
    };

    // Its own server, default limits: what a password-protected link costs.
    let password = if args.runs("password") {
        Some(password::run(&binary, &md).await?)
    } else {
        None
    };

    // Servers and a PostgreSQL cluster of its own: redb against PostgreSQL.
    let backends = if args.runs("backends") {
        Some(backends::run(&binary, &md, &args.write_clients, &args.backends).await?)
    } else {
        None
    };

    // Last, with the servers gone: the TUI draws on this machine's cores.
    let tui = if args.runs("tui") {
        progress(args, "TUI frame render time at 200×60");
        tokio::task::block_in_place(|| tui_frames(args.tui_frames))?
    } else {
        Vec::new()
    };

    Ok(Report {
        date_utc: now_utc(),
        command: command_line(),
        machine: machine(loadavg_start),
        server_binary: binary.display().to_string(),
        settings,
        fsync_baseline,
        uploads,
        reads: read_rows,
        fanout,
        writes,
        shares_acknowledged: acknowledged,
        shares_listed: listed,
        share_listing,
        versions,
        tui,
        export,
        abuse,
        lists,
        password,
        backends,
        memory,
        server_log,
        server_exit: exit,
    })
}

/// The two TUI scenarios of `vitae_tui::perf` at 200×60.
fn tui_frames(frames: usize) -> anyhow::Result<Vec<TuiRun>> {
    let frames = frames.max(1);
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let read = |name: &str| -> anyhow::Result<vitae_common::Resume> {
        let path = fixtures.join(name);
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        Ok(serde_json::from_slice(&bytes)?)
    };
    let (a, b) = (read("three_page_a.json")?, read("three_page_b.json")?);
    let scenarios = [
        ("library, 1,000 resumes", vitae_tui::perf::library_app(1000)),
        (
            "diff, two three-page resumes",
            vitae_tui::perf::diff_app(&a, &b),
        ),
    ];
    let mut runs = Vec::new();
    for (name, mut app) in scenarios {
        let times = vitae_tui::perf::frame_times(&mut app, 200, 60, frames);
        let us = |i: usize| times[i.min(frames - 1)].as_secs_f64() * 1e6;
        runs.push(TuiRun {
            scenario: name.to_string(),
            width: 200,
            height: 60,
            frames,
            p50_us: us(frames / 2),
            p99_us: us(frames * 99 / 100),
            max_us: us(frames - 1),
        });
    }
    Ok(runs)
}

/// How this run was started, for the docs: `vitae-bench --only export …`.
fn command_line() -> String {
    let mut args = std::env::args();
    let program = args
        .next()
        .map(|p| {
            Path::new(&p)
                .file_name()
                .map_or(p.clone(), |n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "vitae-bench".into());
    std::iter::once(program)
        .chain(args)
        .collect::<Vec<_>>()
        .join(" ")
}

fn read_upload(path: &Path, content_type: &'static str) -> anyhow::Result<Upload> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let filename = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "upload".into());
    Ok(Upload {
        bytes: Bytes::from(bytes),
        content_type,
        filename,
    })
}

fn point(name: &str, memory: Memory, peak: Option<u64>) -> MemoryPoint {
    MemoryPoint {
        point: name.to_string(),
        vm_rss_kib: memory.vm_rss_kib,
        vm_hwm_kib: memory.vm_hwm_kib,
        peak_sampled_rss_kib: peak,
    }
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}

fn machine(loadavg_start: String) -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    Machine {
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        cpu: cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_string())
            .unwrap_or_else(|| "unknown".into()),
        kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|_| "unknown".into()),
        memory_mib: meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .map_or(0, |kib| kib / 1024),
        loadavg_start,
        loadavg_end: loadavg(),
    }
}

/// The current time as RFC 3339 UTC, without a date library.
fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}
