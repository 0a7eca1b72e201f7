//! The export figures (`--only export`): how fast a resume becomes a PDF,
//! in the engine the server embeds and over HTTP, against headless
//! Chromium printing the same resume's share page.
//!
//! The resumes are `bench/fixtures/export_one_page.json` (three jobs, one
//! school, three skill groups: a full page) and `export_three_page.json`
//! (six jobs of three to six highlights, volunteering, projects,
//! publications, awards, certificates, references: three pages in most
//! templates). Every figure is measured for every template.
//!
//! In this process, with [`vitae_export::Engine`]:
//!
//! 1. **Cold start**: `Engine::new()` (font indexing and loading, template
//!    parsing), then the first render (the one-page resume, default
//!    template), which also fills Typst's caches of fonts and templates.
//! 2. **Warm renders**: per template and resume, one untimed render, then
//!    `--export-iters` renders in a row, each with one field changed since
//!    the render before it (the summary on even ones, the first highlight of
//!    the first job on odd ones), as when someone edits a resume and watches
//!    the preview. This is the time Typst's memoisation leaves: the layout
//!    of everything the edit did not touch is reused.
//!
//! Over HTTP, against a server of its own (a fresh data dir, so that its
//! memory is the export's alone and the other phases' state plays no part):
//!
//! 3. **Cache hits**: each resume uploaded as JSON Resume
//!    (`application/json`), then per template one
//!    `GET /v1/resumes/{id}/export?format=pdf&template=T` (the miss, which
//!    renders), untimed GETs until the server has stored the file (it does
//!    so in the background, so the next GET may render again), then
//!    `--export-hits` timed ones on the same keep-alive connection, each
//!    expected to say `X-Vitae-Cache: hit`, and the server's CPU time per hit
//!    (which tells work in the server from waiting for a core).
//! 4. **The reference**: `chromium --headless --print-to-pdf` of the
//!    resume's share page (`GET /s/{token}`, the HTML a browser gets),
//!    timed from spawn to exit, `--chromium-runs` times per resume; the
//!    speed-up is Chromium's median over a template's warm p50. Skipped,
//!    with a note, when no Chromium is installed.
//! 5. **Memory**: `--export-renders` renders over HTTP of distinct content
//!    (each `PATCH`es the summary first, so every export is a cache miss),
//!    cycling through the templates and both resumes; the server's VmRSS
//!    idle after start (the server builds its engine at start: fonts
//!    indexed, templates parsed), after the first export (the font data in
//!    use), and after them all. The export cache lives in the server's
//!    store, so the figure includes whatever the store keeps of it in
//!    memory; for comparison, the bench's own VmRSS around its in-process
//!    renders is the engine's alone.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use bytes::Bytes;
use hyper::{Method, StatusCode};
use serde::Serialize;
use serde_json::{json, Value};
use vitae_export::{Engine, ExportRequest, Format};

use crate::client::{Conn, Target};
use crate::phases::{self, Upload};
use crate::server::{LogSummary, Memory, Sampler, Server};
use crate::stats::{Samples, Summary};

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Warm renders per template and resume (in-process).
    #[arg(long, default_value_t = 200)]
    pub export_iters: usize,
    /// Cache hits over HTTP per template and resume.
    #[arg(long, default_value_t = 500)]
    pub export_hits: usize,
    /// Renders of distinct content over HTTP before the memory reading.
    #[arg(long, default_value_t = 1000)]
    pub export_renders: usize,
    /// Headless Chromium for the reference (default: `chromium`,
    /// `chromium-browser` or `google-chrome` on PATH).
    #[arg(long)]
    pub chromium: Option<PathBuf>,
    /// Timed Chromium prints per resume.
    #[arg(long, default_value_t = 5)]
    pub chromium_runs: usize,
}

/// The two resumes, by the name the tables use.
const FIXTURES: [(&str, &str); 2] = [
    ("one page", "export_one_page.json"),
    ("three pages", "export_three_page.json"),
];

/// Everything the export phase measured.
#[derive(Debug, Serialize)]
pub struct ExportRun {
    pub cold: Cold,
    pub warm: Vec<WarmRow>,
    pub hits: Vec<HitRow>,
    /// Chromium's print of each resume's share page, or why it was skipped.
    pub chromium: Vec<ChromiumRow>,
    pub chromium_note: Option<String>,
    pub memory: ExportMemory,
    /// Warnings and errors the export server logged, and how it ended.
    pub server_log: LogSummary,
    pub server_exit: String,
}

#[derive(Debug, Serialize)]
pub struct Cold {
    /// `Engine::new()`: fonts indexed and loaded, templates parsed.
    pub engine_ms: f64,
    /// The first render after it (one-page resume, default template).
    pub first_render_ms: f64,
    pub template: String,
    /// The first export over HTTP on a freshly started server (which built
    /// its engine at start): the first render plus HTTP.
    pub http_first_export_ms: f64,
    /// This process's VmRSS before `Engine::new()`, after it, and after
    /// every in-process render (`renders` of them), in KiB: the engine's
    /// own memory, without a server or a store around it.
    pub rss_before_kib: u64,
    pub rss_engine_kib: u64,
    pub rss_after_kib: u64,
    pub renders: usize,
    /// The same after the 1,000th render, as the server's figure is.
    pub rss_1000_kib: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct WarmRow {
    pub template: String,
    pub fixture: &'static str,
    pub pages: usize,
    pub summary: Summary,
}

#[derive(Debug, Serialize)]
pub struct HitRow {
    pub template: String,
    pub fixture: &'static str,
    /// The first GET, which rendered.
    pub miss_ms: f64,
    /// Untimed GETs after the miss until the first hit: the server stores a
    /// rendered file in the background, so a GET right after a miss may
    /// render again.
    pub misses_before_hit: usize,
    pub hits: Summary,
    /// Server CPU time per hit (user + system, all threads), in µs: next to
    /// the latency, it tells work in the server from waiting for a core.
    pub server_cpu_us: f64,
}

#[derive(Debug, Serialize)]
pub struct ChromiumRow {
    pub fixture: &'static str,
    /// Wall time of each run, spawn to exit, in ms.
    pub runs_ms: Vec<f64>,
    pub median_ms: f64,
    /// Bytes of the PDF Chromium wrote (last run).
    pub pdf_bytes: usize,
}

#[derive(Debug, Serialize)]
pub struct ExportMemory {
    /// Server VmRSS idle after start (its engine built), in KiB.
    pub before_kib: u64,
    /// After the first export (the font data in use).
    pub fonts_loaded_kib: u64,
    /// After `renders` renders of distinct content.
    pub after_kib: u64,
    pub hwm_kib: u64,
    /// Highest VmRSS sampled while they ran.
    pub peak_sampled_kib: u64,
    pub renders: usize,
    /// Of those, how many the server said were cache misses (all should be).
    pub misses: usize,
    /// Latency of those exports (a render each, over HTTP).
    pub render_over_http: Summary,
    /// Bytes of the files those exports answered (all of them go into the
    /// export cache in the store).
    pub bytes_rendered: u64,
    /// Size of the server's data dir at the end (store, cache included).
    pub data_dir_bytes: u64,
}

fn fixture(name: &str) -> anyhow::Result<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(serde_json::from_str(&text)?)
}

/// Change one field of `doc` for render `i`: the summary on even renders,
/// the first highlight of the first job on odd ones. Each value is new, so
/// no render repeats an earlier document.
fn edit(doc: &mut Value, original: &Value, i: usize) {
    if i.is_multiple_of(2) {
        let summary = original["basics"]["summary"].as_str().unwrap_or("");
        doc["basics"]["summary"] = json!(format!("{summary} (edit {i})"));
    } else {
        let first = original["work"][0]["highlights"][0].as_str().unwrap_or("");
        doc["work"][0]["highlights"][0] = json!(format!("{first} (edit {i})"));
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Cold start and warm renders, in this process (blocking: run it off the
/// async workers).
fn in_process(args: &ExportArgs) -> anyhow::Result<(Cold, Vec<WarmRow>)> {
    let docs: Vec<(&'static str, Value)> = FIXTURES
        .iter()
        .map(|(label, file)| Ok((*label, fixture(file)?)))
        .collect::<anyhow::Result<_>>()?;
    let own_rss = || Memory::of(std::process::id()).map(|m| m.vm_rss_kib);
    let rss_before_kib = own_rss()?;
    let started = Instant::now();
    let engine = Engine::new().map_err(|e| anyhow::anyhow!("Engine::new: {e}"))?;
    let engine_ms = ms(started.elapsed());
    let rss_engine_kib = own_rss()?;
    let mut renders = 1;
    let mut rss_1000_kib = None;
    let default = vitae_export::templates::DEFAULT_TEMPLATE;
    let started = Instant::now();
    engine
        .render_value(&docs[0].1, &ExportRequest::new(Format::Pdf, default))
        .map_err(|e| anyhow::anyhow!("first render: {e}"))?;
    let first_render_ms = ms(started.elapsed());

    let iters = args.export_iters.max(1);
    let mut warm = Vec::new();
    for template in vitae_export::templates() {
        let req = ExportRequest::new(Format::Pdf, template.id);
        for (label, original) in &docs {
            let mut doc = original.clone();
            // The untimed render the first edit is warm against.
            let pages = engine
                .render_value(&doc, &req)
                .map_err(|e| anyhow::anyhow!("{} {label}: {e}", template.id))?
                .pages;
            renders += 1;
            let mut samples = Samples::default();
            let clock = Instant::now();
            for i in 0..iters {
                edit(&mut doc, original, i);
                let one = Instant::now();
                match engine.render_value(&doc, &req) {
                    Ok(out) => {
                        samples.ok.push(one.elapsed());
                        std::hint::black_box(out.bytes.len());
                    }
                    Err(error) => samples.problem(false, format!("{}: {error}", template.id)),
                }
                renders += 1;
                if renders == 1000 {
                    rss_1000_kib = Some(own_rss()?);
                }
            }
            warm.push(WarmRow {
                template: template.id.to_string(),
                fixture: label,
                pages,
                summary: samples.summary(clock.elapsed()),
            });
        }
    }
    Ok((
        Cold {
            engine_ms,
            first_render_ms,
            template: default.to_string(),
            http_first_export_ms: f64::NAN,
            rss_before_kib,
            rss_engine_kib,
            rss_after_kib: own_rss()?,
            renders,
            rss_1000_kib,
        },
        warm,
    ))
}

/// The whole phase: in-process figures first (nothing else runs then), then
/// the HTTP ones against a server of its own started from `binary`.
pub async fn run(binary: &Path, args: &ExportArgs) -> anyhow::Result<ExportRun> {
    eprintln!(
        "… export: cold start and {} warm renders per template and resume, in-process",
        args.export_iters
    );
    let (mut cold, warm) = tokio::task::block_in_place(|| in_process(args))?;

    let data_dir = tempfile::Builder::new()
        .prefix("vitae-bench-export-")
        .tempdir()?;
    let server = Server::start(binary, data_dir.path()).await?;
    let result = over_http(&server, data_dir.path(), args, &mut cold).await;
    let log_path = server.log_path.clone();
    let server_exit = server.stop().await;
    let (hits, chromium, chromium_note, memory) = result?;
    Ok(ExportRun {
        cold,
        warm,
        hits,
        chromium,
        chromium_note,
        memory,
        server_log: LogSummary::read(&log_path),
        server_exit,
    })
}

type HttpFigures = (Vec<HitRow>, Vec<ChromiumRow>, Option<String>, ExportMemory);

async fn over_http(
    server: &Server,
    data_dir: &Path,
    args: &ExportArgs,
    cold: &mut Cold,
) -> anyhow::Result<HttpFigures> {
    let target = Target::new(server.addr, &server.token)?;
    let mut ids = Vec::new();
    for (label, file) in FIXTURES {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(file);
        let upload = Upload {
            bytes: Bytes::from(std::fs::read(&path)?),
            content_type: "application/json",
            filename: file.to_string(),
        };
        let (_, ready) = phases::uploads(&target, &upload, 1, 1).await?;
        let id = ready
            .into_iter()
            .next()
            .with_context(|| format!("the {label} resume ({file}) did not reach `ready`"))?;
        ids.push((label, id));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = server.memory()?;

    let mut conn = Conn::new(target.clone());
    conn.connect().await?;
    // The server's first export (its engine was built at start, so this is
    // the first render). On letter paper, so that it does not fill the
    // cache for the A4 hit rows below.
    let first = format!(
        "{}&paper=letter",
        export_path(&ids[0].1, vitae_export::templates::DEFAULT_TEMPLATE)
    );
    let started = Instant::now();
    let reply = conn.send(Method::GET, &first, None, Bytes::new()).await?;
    cold.http_first_export_ms = ms(started.elapsed());
    expect_pdf(&first, &reply)?;
    let fonts_loaded = server.memory()?;

    eprintln!(
        "… export: cache hits over HTTP, {} per template and resume",
        args.export_hits
    );
    let mut hits = Vec::new();
    for template in vitae_export::templates() {
        for (label, id) in &ids {
            hits.push(hit_row(server, &mut conn, template.id, label, id, args.export_hits).await?);
        }
    }

    let (chromium, chromium_note) = match find_chromium(args.chromium.as_deref()) {
        Some(browser) => {
            eprintln!(
                "… export: {} Chromium prints per resume ({})",
                args.chromium_runs,
                browser.display()
            );
            let mut rows = Vec::new();
            for (label, id) in &ids {
                let token = phases::create_share(&target, id).await?;
                let url = format!("http://{}/s/{token}", server.addr);
                rows.push(chromium_row(&browser, label, &url, args.chromium_runs).await?);
            }
            (rows, None)
        }
        None => (
            Vec::new(),
            Some(
                "no Chromium found (chromium, chromium-browser or google-chrome on PATH, or \
                 --chromium): the reference and the speed-up were not measured"
                    .to_string(),
            ),
        ),
    };

    eprintln!(
        "… export: {} renders of distinct content over HTTP",
        args.export_renders
    );
    let memory = renders(
        server,
        data_dir,
        &mut conn,
        &ids,
        args.export_renders,
        before,
        fonts_loaded,
    )
    .await?;
    Ok((hits, chromium, chromium_note, memory))
}

fn export_path(id: &str, template: &str) -> String {
    format!("/v1/resumes/{id}/export?format=pdf&template={template}")
}

fn expect_pdf(path: &str, reply: &crate::client::Reply) -> anyhow::Result<()> {
    if reply.status != StatusCode::OK || !reply.body.starts_with(b"%PDF") {
        bail!(
            "GET {path} answered {} with {} bytes: {}",
            reply.status,
            reply.body.len(),
            String::from_utf8_lossy(&reply.body[..reply.body.len().min(200)])
        );
    }
    Ok(())
}

/// One miss (the first GET of this template, which renders), then `n`
/// hits, each checked for `X-Vitae-Cache: hit`.
async fn hit_row(
    server: &Server,
    conn: &mut Conn,
    template: &str,
    label: &'static str,
    id: &str,
    n: usize,
) -> anyhow::Result<HitRow> {
    let path = export_path(id, template);
    let started = Instant::now();
    let reply = conn.send(Method::GET, &path, None, Bytes::new()).await?;
    let miss_ms = ms(started.elapsed());
    expect_pdf(&path, &reply)?;
    let mut samples = Samples::default();
    if reply.header("x-vitae-cache") != Some("miss") {
        samples.problem(
            false,
            format!(
                "{path}: the first GET said X-Vitae-Cache {:?}, not a miss",
                reply.header("x-vitae-cache")
            ),
        );
    }
    // Until the file is in the cache (untimed, bounded): the hits measured
    // below are then all hits.
    let mut misses_before_hit = 0;
    loop {
        let reply = conn.send(Method::GET, &path, None, Bytes::new()).await?;
        expect_pdf(&path, &reply)?;
        if reply.header("x-vitae-cache") == Some("hit") {
            break;
        }
        misses_before_hit += 1;
        if misses_before_hit >= 100 {
            bail!("{path}: still not a cache hit after 100 GETs");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let cpu = server.cpu_seconds()?;
    let clock = Instant::now();
    for _ in 0..n {
        let one = Instant::now();
        match conn.send(Method::GET, &path, None, Bytes::new()).await {
            Ok(reply)
                if reply.status == StatusCode::OK
                    && reply.header("x-vitae-cache") == Some("hit") =>
            {
                samples.ok.push(one.elapsed())
            }
            Ok(reply) => samples.problem(
                false,
                format!(
                    "{path}: {} with X-Vitae-Cache {:?}",
                    reply.status,
                    reply.header("x-vitae-cache")
                ),
            ),
            Err(error) => samples.problem(true, format!("{path}: {error:#}")),
        }
    }
    let elapsed = clock.elapsed();
    let cpu = server.cpu_seconds()? - cpu;
    Ok(HitRow {
        template: template.to_string(),
        fixture: label,
        miss_ms,
        misses_before_hit,
        server_cpu_us: cpu * 1e6 / samples.ok.len().max(1) as f64,
        hits: samples.summary(elapsed),
    })
}

/// `chromium`, `chromium-browser` or `google-chrome` on PATH, or the given one.
fn find_chromium(given: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = given {
        return Some(path.to_path_buf());
    }
    let dirs = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&dirs).map(move |dir| dir.join(name)))
        .find(|path| path.is_file())
}

/// The flags of every print, and why:
/// - `--no-sandbox`: CI runs as root, where the sandbox refuses to start;
/// - `--disable-gpu`, `--disable-dev-shm-usage`: no GPU, small /dev/shm in containers;
/// - `--no-pdf-header-footer`: a resume has no date and URL in its margins;
/// - the rest: no first-run UI and no traffic but to the bench's server.
const CHROMIUM_FLAGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-pdf-header-footer",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
];

/// How long one print may take before it is killed and counted as failed.
const CHROMIUM_LIMIT: Duration = Duration::from_secs(60);

/// `runs` prints of `url` to PDF, each a fresh Chromium process with a
/// fresh profile, timed from spawn to exit.
async fn chromium_row(
    browser: &Path,
    label: &'static str,
    url: &str,
    runs: usize,
) -> anyhow::Result<ChromiumRow> {
    let mut runs_ms = Vec::new();
    let mut pdf_bytes = 0;
    for _ in 0..runs.max(1) {
        let dir = tempfile::Builder::new()
            .prefix("vitae-bench-chromium-")
            .tempdir()?;
        let out = dir.path().join("out.pdf");
        let started = Instant::now();
        let mut child = tokio::process::Command::new(browser)
            .args(CHROMIUM_FLAGS)
            .arg(format!(
                "--user-data-dir={}",
                dir.path().join("profile").display()
            ))
            .arg(format!("--print-to-pdf={}", out.display()))
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", browser.display()))?;
        let status = match tokio::time::timeout(CHROMIUM_LIMIT, child.wait()).await {
            Ok(status) => status?,
            Err(_) => bail!(
                "{} did not finish within {} s",
                browser.display(),
                CHROMIUM_LIMIT.as_secs()
            ),
        };
        let took = ms(started.elapsed());
        let pdf = std::fs::read(&out).unwrap_or_default();
        if !status.success() || !pdf.starts_with(b"%PDF") {
            bail!(
                "{} --print-to-pdf {url} ended with {status} and wrote {} bytes",
                browser.display(),
                pdf.len()
            );
        }
        pdf_bytes = pdf.len();
        runs_ms.push(took);
    }
    let mut sorted = runs_ms.clone();
    sorted.sort_by(f64::total_cmp);
    Ok(ChromiumRow {
        fixture: label,
        median_ms: sorted[sorted.len() / 2],
        runs_ms,
        pdf_bytes,
    })
}

/// `n` exports of distinct content: before each, a `PATCH` of the resume's
/// summary (a new revision, so the export cannot come from the cache);
/// templates and resumes in turn. Then the server's memory.
async fn renders(
    server: &Server,
    data_dir: &Path,
    conn: &mut Conn,
    ids: &[(&'static str, String)],
    n: usize,
    before: Memory,
    fonts_loaded: Memory,
) -> anyhow::Result<ExportMemory> {
    let templates = vitae_export::templates();
    let sampler = Sampler::start(server.pid);
    let mut samples = Samples::default();
    let mut misses = 0;
    let mut bytes_rendered = 0;
    let clock = Instant::now();
    for i in 0..n {
        let (_, id) = &ids[i % ids.len()];
        let template = templates[(i / ids.len()) % templates.len()].id;
        let patch = json!({"basics": {"summary": format!("Summary of render {i}: infrastructure engineer who builds reliable systems.")}});
        let reply = conn
            .send(
                Method::PATCH,
                &format!("/v1/resumes/{id}"),
                Some("application/merge-patch+json"),
                Bytes::from(patch.to_string()),
            )
            .await?;
        if reply.status != StatusCode::OK {
            bail!(
                "PATCH /v1/resumes/{id} answered {}: {}",
                reply.status,
                String::from_utf8_lossy(&reply.body)
            );
        }
        let path = export_path(id, template);
        let one = Instant::now();
        match conn.send(Method::GET, &path, None, Bytes::new()).await {
            Ok(reply) if reply.status == StatusCode::OK => {
                samples.ok.push(one.elapsed());
                bytes_rendered += reply.body.len() as u64;
                if reply.header("x-vitae-cache") == Some("miss") {
                    misses += 1;
                }
            }
            Ok(reply) => samples.problem(false, format!("{path}: {}", reply.status)),
            Err(error) => samples.problem(true, format!("{path}: {error:#}")),
        }
    }
    let render_over_http = samples.summary(clock.elapsed());
    let peak_sampled_kib = sampler.finish();
    let after = server.memory()?;
    Ok(ExportMemory {
        bytes_rendered,
        data_dir_bytes: dir_size(data_dir),
        before_kib: before.vm_rss_kib,
        fonts_loaded_kib: fonts_loaded.vm_rss_kib,
        after_kib: after.vm_rss_kib,
        hwm_kib: after.vm_hwm_kib,
        peak_sampled_kib,
        renders: n,
        misses,
        render_over_http,
    })
}

/// Bytes of the regular files under `dir`.
pub(crate) fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| match entry.file_type() {
                    Ok(t) if t.is_dir() => dir_size(&entry.path()),
                    Ok(_) => entry.metadata().map_or(0, |m| m.len()),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}
