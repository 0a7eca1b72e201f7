//! `vitae-bench`: the server figures of issue 2, measured against the real
//! `vitae-server` binary on loopback.
//!
//! It starts its own server (`serve --addr 127.0.0.1:0` on a temporary data
//! dir), then measures, in order:
//!
//! 1. upload → `complete` latency: `POST /v1/resumes`, then the parse stream
//!    `GET /v1/resumes/{id}/events` until `complete`, timed from the start of
//!    the upload to receipt of that event; a PDF and a Markdown file, N each,
//!    sequentially and from several connections at once;
//! 2. `GET /v1/resumes/{id}` requests/s and latency from C keep-alive
//!    connections for D seconds;
//! 3. durable writes/s: `POST /v1/resumes/{id}/shares` (each acknowledged
//!    share is a committed redb write) from 1, 8, 32 and 64 clients, D
//!    seconds each, then checks that the server lists every acknowledged share;
//! 4. diff and tailoring (issue 5): the engines in-process and
//!    `GET …/diff`, `POST …/tailor` over HTTP, on a three-page resume;
//! 5. the server's VmRSS and VmHWM (`/proc/PID/status`) idle after start, at
//!    the peak of each phase (sampled every 50 ms) and after each phase.
//!
//! Non-2xx answers and transport errors are counted and shown, never timed.
//! The load generator runs on the same machine as the server, so on a small
//! machine the two compete for the cores: the figures are a floor, not the
//! server's ceiling.

mod client;
mod phases;
mod server;
mod stats;
mod versions;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use bytes::Bytes;
use clap::Parser;
use hyper::{Method, StatusCode};
use serde::Serialize;

use crate::client::Target;
use crate::phases::{Op, Upload};
use crate::server::{LogSummary, Memory, Sampler, Server};
use crate::stats::Summary;

/// Benchmark vitae-server on loopback.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// The vitae-server binary (default: next to this binary).
    #[arg(long)]
    server: Option<PathBuf>,
    /// One-page PDF to upload (default: tests/fixtures/resume.pdf).
    #[arg(long)]
    pdf: Option<PathBuf>,
    /// Markdown file to upload (default: tests/fixtures/resume.md).
    #[arg(long)]
    md: Option<PathBuf>,
    /// Uploads per format and concurrency level.
    #[arg(long, default_value_t = 200)]
    uploads: usize,
    /// Connections of the concurrent upload run.
    #[arg(long, default_value_t = 8)]
    upload_concurrency: usize,
    /// Keep-alive connections of the GET load.
    #[arg(long, short = 'c', default_value_t = 32)]
    connections: usize,
    /// Seconds of each load phase (the GET load and each write level).
    #[arg(long, short = 'd', default_value_t = 10.0)]
    duration: f64,
    /// Concurrent clients of the durable-write levels.
    #[arg(long, value_delimiter = ',', default_value = "1,8,32,64")]
    write_clients: Vec<usize>,
    /// Worker threads of the bench's own runtime (default: the number of cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Print the results as JSON instead of tables.
    #[arg(long)]
    json: bool,
    /// Keep the server's data dir (and its log) instead of deleting it.
    #[arg(long)]
    keep_data: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.unwrap_or(cores).max(1))
        .enable_all()
        .build()?;
    let report = runtime.block_on(run(&args))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_tables(&report);
    }
    Ok(())
}

#[derive(Debug, Serialize)]
struct Report {
    date_utc: String,
    machine: Machine,
    server_binary: String,
    settings: Settings,
    fsync_baseline: Summary,
    uploads: Vec<UploadRun>,
    reads: ReadRun,
    writes: Vec<WriteRun>,
    shares_acknowledged: u64,
    shares_listed: usize,
    /// The final `GET /v1/resumes/{id}/shares` of every share written.
    share_listing: phases::ShareListing,
    versions: versions::VersionsRun,
    memory: Vec<MemoryPoint>,
    server_log: LogSummary,
    /// How the server ended after SIGTERM.
    server_exit: String,
}

#[derive(Debug, Serialize)]
struct Machine {
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
struct Settings {
    uploads: usize,
    upload_concurrency: usize,
    connections: usize,
    duration_s: f64,
    write_clients: Vec<usize>,
    bench_threads: usize,
    pdf: String,
    pdf_bytes: usize,
    md: String,
    md_bytes: usize,
}

#[derive(Debug, Serialize)]
struct UploadRun {
    format: &'static str,
    concurrency: usize,
    summary: Summary,
}

#[derive(Debug, Serialize)]
struct ReadRun {
    connections: usize,
    summary: Summary,
    /// Server CPU time per successful request, in microseconds.
    server_cpu_us_per_request: f64,
}

#[derive(Debug, Serialize)]
struct WriteRun {
    clients: usize,
    summary: Summary,
    /// Server CPU time per successful write, in microseconds.
    server_cpu_us_per_request: f64,
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
struct MemoryPoint {
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

async fn run(args: &Args) -> anyhow::Result<Report> {
    if args.uploads == 0 || args.upload_concurrency == 0 || args.connections == 0 {
        bail!("--uploads, --upload-concurrency and --connections must be at least 1");
    }
    if args.write_clients.contains(&0) {
        bail!("--write-clients must all be at least 1");
    }
    let duration = Duration::from_secs_f64(args.duration.max(0.1));
    let binary = match &args.server {
        Some(path) => path.clone(),
        None => std::env::current_exe()?
            .parent()
            .context("the bench binary has no directory")?
            .join("vitae-server"),
    };
    if !binary.is_file() {
        bail!(
            "no server binary at {} (build it with `cargo build --release -p vitae-server -p vitae-bench`, or pass --server)",
            binary.display()
        );
    }
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let pdf_path = args
        .pdf
        .clone()
        .unwrap_or_else(|| fixtures.join("resume.pdf"));
    let md_path = args
        .md
        .clone()
        .unwrap_or_else(|| fixtures.join("resume.md"));
    let pdf = read_upload(&pdf_path, "application/pdf")?;
    let md = read_upload(&md_path, "text/markdown")?;

    let loadavg_start = loadavg();
    let data_dir = tempfile::Builder::new().prefix("vitae-bench-").tempdir()?;
    let settings = Settings {
        uploads: args.uploads,
        upload_concurrency: args.upload_concurrency,
        connections: args.connections,
        duration_s: duration.as_secs_f64(),
        write_clients: args.write_clients.clone(),
        bench_threads: args
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        pdf: pdf_path.display().to_string(),
        pdf_bytes: pdf.bytes.len(),
        md: md_path.display().to_string(),
        md_bytes: md.bytes.len(),
    };

    let fsync_baseline =
        tokio::task::block_in_place(|| phases::fsync_baseline(data_dir.path(), 100))?;

    progress(args, &format!("starting {}", binary.display()));
    let server = Server::start(&binary, data_dir.path()).await?;
    let target = Target::new(server.addr, &server.token)?;
    let mut memory = Vec::new();
    tokio::time::sleep(Duration::from_secs(1)).await;
    memory.push(point("idle after start", server.memory()?, None));

    // Uploads. A few untimed ones first, so the timed runs do not include
    // the first spawn of the parse child or a cold page cache.
    for file in [&pdf, &md] {
        phases::uploads(&target, file, 3, 1).await?;
    }
    let mut uploads = Vec::new();
    let mut pdf_ids = Vec::new();
    let sampler = Sampler::start(server.pid);
    for concurrency in [1, args.upload_concurrency] {
        for (format, file) in [("pdf", &pdf), ("markdown", &md)] {
            progress(
                args,
                &format!("{} {format} uploads, {concurrency} at a time", args.uploads),
            );
            let (summary, ids) = phases::uploads(&target, file, args.uploads, concurrency).await?;
            if format == "pdf" {
                pdf_ids.extend(ids);
            }
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

    // Reads of one parsed PDF resume (a full resource with its document).
    let read_id = pdf_ids
        .first()
        .context("no PDF upload reached `ready`; nothing to read")?
        .clone();
    progress(
        args,
        &format!(
            "GET /v1/resumes/{{id}} from {} connections for {:.0} s",
            args.connections,
            duration.as_secs_f64()
        ),
    );
    let read = Op {
        method: Method::GET,
        path: format!("/v1/resumes/{read_id}"),
        body: Bytes::new(),
        content_type: None,
        expect: StatusCode::OK,
    };
    let sampler = Sampler::start(server.pid);
    let cpu = server.cpu_seconds()?;
    let summary = phases::load(&target, &read, args.connections, duration).await?;
    let cpu = server.cpu_seconds()? - cpu;
    let reads = ReadRun {
        connections: args.connections,
        server_cpu_us_per_request: cpu_per_request(cpu, &summary),
        summary,
    };
    memory.push(point(
        "after GET load",
        server.memory()?,
        Some(sampler.finish()),
    ));

    // Durable writes: share links on a second resume, so the count is exact.
    let share_id = pdf_ids
        .get(1)
        .or(pdf_ids.first())
        .context("no resume to share")?
        .clone();
    let before = phases::list_shares(&target, &share_id).await?.shares;
    let write = Op {
        method: Method::POST,
        path: format!("/v1/resumes/{share_id}/shares"),
        body: Bytes::from_static(br#"{"expires_in_days": 30}"#),
        content_type: Some("application/json"),
        expect: StatusCode::CREATED,
    };
    let sampler = Sampler::start(server.pid);
    let mut writes = Vec::new();
    let mut acknowledged = 0;
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
    progress(args, "diff and tailoring of a three-page resume");
    let versions = versions::run(&target, duration.div_f64(2.0)).await?;

    // Listing them all is one unpaginated answer: its cost is a figure too.
    let sampler = Sampler::start(server.pid);
    let listing = phases::list_shares(&target, &share_id).await?;
    memory.push(point(
        "after listing shares",
        server.memory()?,
        Some(sampler.finish()),
    ));
    let listed = listing.shares - before;

    tokio::time::sleep(Duration::from_secs(3)).await;
    memory.push(point("idle 3 s after load", server.memory()?, None));

    let log_path = server.log_path.clone();
    let exit = server.stop().await;
    let server_log = LogSummary::read(&log_path);
    if args.keep_data {
        let kept = data_dir.keep();
        eprintln!("kept the data dir {}", kept.display());
    }

    Ok(Report {
        date_utc: now_utc(),
        machine: machine(loadavg_start),
        server_binary: binary.display().to_string(),
        settings,
        fsync_baseline,
        uploads,
        reads,
        writes,
        shares_acknowledged: acknowledged,
        shares_listed: listed,
        versions,
        share_listing: listing,
        memory,
        server_log,
        server_exit: exit,
    })
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

fn print_tables(report: &Report) {
    let m = &report.machine;
    let s = &report.settings;
    println!("vitae-bench — {}", report.date_utc);
    println!(
        "machine: {} cores, {}, {} MiB, Linux {}; load average (1 min) {} at start, {} at end",
        m.cores, m.cpu, m.memory_mib, m.kernel, m.loadavg_start, m.loadavg_end
    );
    println!(
        "server: {} (load generator in the same machine, {} runtime threads)",
        report.server_binary, s.bench_threads
    );
    println!(
        "disk: 4 KiB overwrite + fdatasync in the data dir: p50 {:.2} ms, p99 {:.2} ms",
        report.fsync_baseline.p50_ms, report.fsync_baseline.p99_ms
    );
    println!();
    println!(
        "Upload → `complete` ({} uploads per row; pdf {} B, markdown {} B)",
        s.uploads, s.pdf_bytes, s.md_bytes
    );
    println!(
        "{:<10} {:>5} {:>6} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "format", "conc", "ok", "failed", "uploads/s", "p50 ms", "p90 ms", "p99 ms", "max ms"
    );
    for run in &report.uploads {
        let x = &run.summary;
        println!(
            "{:<10} {:>5} {:>6} {:>6} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>9.1}",
            run.format,
            run.concurrency,
            x.ok,
            x.unexpected + x.errors,
            x.per_second,
            x.p50_ms,
            x.p90_ms,
            x.p99_ms,
            x.max_ms
        );
    }
    println!();
    let r = &report.reads.summary;
    println!(
        "GET /v1/resumes/{{id}} ({} keep-alive connections, {:.1} s)",
        report.reads.connections, r.elapsed_s
    );
    println!(
        "{:>10} {:>10} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7} {:>7} {:>11}",
        "requests",
        "req/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms",
        "mean ms",
        "non-2xx",
        "errors",
        "cpu µs/req"
    );
    println!(
        "{:>10} {:>10.0} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>7} {:>7} {:>11.0}",
        r.ok,
        r.per_second,
        r.p50_ms,
        r.p90_ms,
        r.p99_ms,
        r.max_ms,
        r.mean_ms,
        r.unexpected,
        r.errors,
        report.reads.server_cpu_us_per_request
    );
    println!();
    println!(
        "Durable writes: POST /v1/resumes/{{id}}/shares ({:.0} s per row)",
        s.duration_s
    );
    println!(
        "{:>8} {:>9} {:>9} {:>8} {:>8} {:>8} {:>8} {:>7} {:>7} {:>11}",
        "clients",
        "writes",
        "writes/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms",
        "non-2xx",
        "errors",
        "cpu µs/req"
    );
    for run in &report.writes {
        let x = &run.summary;
        println!(
            "{:>8} {:>9} {:>9.0} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>7} {:>7} {:>11.0}",
            run.clients,
            x.ok,
            x.per_second,
            x.p50_ms,
            x.p90_ms,
            x.p99_ms,
            x.max_ms,
            x.unexpected,
            x.errors,
            run.server_cpu_us_per_request
        );
    }
    println!(
        "acknowledged (201) shares: {}, listed by the server afterwards: {}{}",
        report.shares_acknowledged,
        report.shares_listed,
        if report.shares_acknowledged as usize == report.shares_listed {
            ""
        } else {
            "  <-- MISMATCH"
        }
    );
    println!(
        "listing them: GET /v1/resumes/{{id}}/shares answered {} shares, {:.1} MB, in {:.0} ms",
        report.share_listing.shares,
        report.share_listing.bytes as f64 / 1e6,
        report.share_listing.ms
    );
    println!();
    versions::print(&report.versions);
    println!();
    println!("Server memory (/proc/PID/status; the parse child processes are not included)");
    println!(
        "{:<22} {:>10} {:>10} {:>16}",
        "point", "VmRSS MiB", "VmHWM MiB", "phase peak MiB"
    );
    let mib = |kib: u64| kib as f64 / 1024.0;
    for p in &report.memory {
        println!(
            "{:<22} {:>10.1} {:>10.1} {:>16}",
            p.point,
            mib(p.vm_rss_kib),
            mib(p.vm_hwm_kib),
            p.peak_sampled_rss_kib
                .map_or_else(|| "-".to_string(), |k| format!("{:.1}", mib(k)))
        );
    }
    let problems: Vec<&String> = report
        .uploads
        .iter()
        .flat_map(|u| &u.summary.first_problems)
        .chain(&report.reads.summary.first_problems)
        .chain(report.writes.iter().flat_map(|w| &w.summary.first_problems))
        .collect();
    if !problems.is_empty() {
        println!();
        println!("First problems seen:");
        for problem in problems {
            println!("  {problem}");
        }
    }
    println!();
    println!(
        "server log: {} WARN, {} ERROR lines; shutdown: {}",
        report.server_log.warn_lines, report.server_log.error_lines, report.server_exit
    );
    for line in &report.server_log.samples {
        println!("  {line}");
    }
}
