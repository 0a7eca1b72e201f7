//! The abuse figures (`--only abuse`): what heavy traffic from anonymous
//! visitors, or from one owner, does to everyone else's latency.
//!
//! Against a server of its own (a fresh data dir, so nothing of the other
//! phases plays a part):
//!
//! 1. **Share-page flood.** A large JSON Resume (`--abuse-resume-mib`,
//!    5 MiB: hundreds of jobs with long highlights) is uploaded and shared.
//!    Two probes, on a thread and runtime of their own so the load
//!    generator's work does not delay them, send `GET /healthz` and an
//!    authenticated `GET /v1/resumes/{id}` of a small resume every 10 ms:
//!    first for half of `--abuse-seconds` with nothing else running (the
//!    quiet baseline), then while `--abuse-clients` (30) keep-alive clients
//!    fetch the large resume's share page (`GET /s/{token}`, HTML, the
//!    heaviest form) back to back for `--abuse-seconds`, then while as many
//!    clients fetch the large resume itself (`GET /v1/resumes/{id}`, a
//!    multi-megabyte JSON answer) for half that. The target: both probes'
//!    p99 under 50 ms during the floods. The share's `access_count` after
//!    the flood tells how many of those views were counted (all come from
//!    one client address).
//! 2. **Amplifying uploads.** One owner uploads `--abuse-docx` (6) DOCX
//!    files at once, each a small zip whose `word/document.xml` holds
//!    `--abuse-docx-mib` (60) MiB of repeated paragraphs, built here with
//!    the `zip` crate; meanwhile a second owner uploads a small Markdown
//!    resume and times upload → `complete` (its quiet latency is measured
//!    first). Also measured: how the six ended (ready, failed with a reason,
//!    or refused), the largest parsed document, the server's peak RSS and
//!    the data dir's growth. Per-owner quotas, caps on derived documents and
//!    a fair parse queue bound these; before them, one owner's uploads
//!    delayed the other owner's parse by the whole backlog.
//!
//! The phase takes about a minute with the defaults (longer on a server
//! without the caps, whose amplified parses take seconds each).

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use bytes::Bytes;
use hyper::{Method, StatusCode};
use serde::Serialize;
use serde_json::{json, Value};

use crate::client::{Conn, Target};
use crate::phases::{self, Op, Upload};
use crate::server::{LogSummary, Sampler, Server};
use crate::stats::{Samples, Summary};

#[derive(Debug, clap::Args)]
pub struct AbuseArgs {
    /// Concurrent clients of the share-page (and large GET) flood.
    #[arg(long, default_value_t = 30)]
    pub abuse_clients: usize,
    /// Seconds of the share-page flood; the quiet baseline and the large
    /// GET flood take half as long each.
    #[arg(long, default_value_t = 10.0)]
    pub abuse_seconds: f64,
    /// Size of the large JSON Resume, in MiB.
    #[arg(long, default_value_t = 5.0)]
    pub abuse_resume_mib: f64,
    /// Amplifying DOCX files one owner uploads at once.
    #[arg(long, default_value_t = 6)]
    pub abuse_docx: usize,
    /// MiB of repeated paragraphs in each amplifying DOCX's document.xml.
    #[arg(long, default_value_t = 60)]
    pub abuse_docx_mib: usize,
}

/// Everything the abuse phase measured.
#[derive(Debug, Serialize)]
pub struct AbuseRun {
    pub flood: Flood,
    pub uploads: Amplification,
    pub server_log: LogSummary,
    pub server_exit: String,
}

#[derive(Debug, Serialize)]
pub struct Flood {
    pub clients: usize,
    /// Bytes of the large resume's JSON, as uploaded.
    pub resume_bytes: usize,
    /// Bytes of its share page (HTML).
    pub page_bytes: usize,
    /// Bytes of `GET /v1/resumes/{id}` of it.
    pub get_bytes: usize,
    /// The probes with nothing else running.
    pub quiet_healthz: Summary,
    pub quiet_small_get: Summary,
    /// The probes while the share page is flooded, and the flood itself.
    pub share_healthz: Summary,
    pub share_small_get: Summary,
    pub share_views: Summary,
    /// The share's `access_count` after the flood (one client address).
    pub views_counted: u64,
    /// The probes while the large resume is fetched, and those fetches.
    pub get_healthz: Summary,
    pub get_small_get: Summary,
    pub large_gets: Summary,
    /// Server CPU seconds and peak VmRSS during the share-page flood.
    pub share_server_cpu_s: f64,
    pub peak_rss_kib: u64,
}

#[derive(Debug, Serialize)]
pub struct Amplification {
    pub files: usize,
    /// Size of each DOCX, and of the document.xml inside it.
    pub docx_bytes: usize,
    pub document_xml_bytes: usize,
    /// The other owner's Markdown upload → `complete`, quiet.
    pub quiet_parse: Summary,
    /// The same while the amplifying uploads are parsed.
    pub parse_under_flood: Summary,
    /// The amplifying uploads: `ok` are the ones that became `ready`;
    /// failures and refusals are counted with their first reasons.
    pub flood: Summary,
    /// Bytes of the largest parsed document among them (`GET` answer).
    pub largest_answer_bytes: Option<usize>,
    pub peak_rss_kib: u64,
    pub rss_after_kib: u64,
    pub data_dir_growth_bytes: u64,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The whole phase, against a server of its own started from `binary`.
pub async fn run(binary: &Path, args: &AbuseArgs) -> anyhow::Result<AbuseRun> {
    if args.abuse_clients == 0 || args.abuse_docx == 0 {
        bail!("--abuse-clients and --abuse-docx must be at least 1");
    }
    let data_dir = tempfile::Builder::new()
        .prefix("vitae-bench-abuse-")
        .tempdir()?;
    let server = Server::start(binary, data_dir.path()).await?;
    let result = async {
        let flood = share_flood(&server, args).await?;
        let uploads = amplification(&server, data_dir.path(), args).await?;
        anyhow::Ok((flood, uploads))
    }
    .await;
    let log_path = server.log_path.clone();
    let server_exit = server.stop().await;
    let (flood, uploads) = result?;
    Ok(AbuseRun {
        flood,
        uploads,
        server_log: LogSummary::read(&log_path),
        server_exit,
    })
}

/// A JSON Resume of about `mib` MiB: one person, many jobs with long
/// highlights (the page renders every one of them).
pub fn large_resume(mib: f64) -> Vec<u8> {
    let target = (mib * 1024.0 * 1024.0) as usize;
    let mut work = Vec::new();
    let mut size = 0;
    let mut i = 0;
    while size < target {
        let highlights: Vec<String> = (0..8)
            .map(|h| {
                format!(
                    "Led project {i}.{h}: cut the p99 latency of service {i} by {h}0 % and \
                     mentored {h} engineers through design reviews, on-call and releases."
                )
            })
            .collect();
        let job = json!({
            "name": format!("Company {i}"),
            "position": format!("Senior Engineer {i}"),
            "startDate": "2010-01-01",
            "endDate": "2011-01-01",
            "summary": format!("Worked on system {i}, a distributed store with a query layer."),
            "highlights": highlights,
        });
        size += job.to_string().len() + 1;
        work.push(job);
        i += 1;
    }
    serde_json::to_vec(&json!({
        "basics": {
            "name": "Abuse Bench",
            "label": "Engineer",
            "email": "bench@example.com",
            "summary": "A resume large enough to make rendering cost real time."
        },
        "work": work,
    }))
    .unwrap_or_default()
}

/// A DOCX whose `word/document.xml` holds about `mib` MiB of one paragraph
/// repeated: a small file (deflate squeezes the repeats) that parses into a
/// large document.
pub fn amplifying_docx(mib: usize) -> anyhow::Result<(Vec<u8>, usize)> {
    use zip::write::SimpleFileOptions;
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("[Content_Types].xml", options)?;
    zip.write_all(
        br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#,
    )?;
    zip.start_file("_rels/.rels", options)?;
    zip.write_all(
        br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#,
    )?;
    zip.start_file("word/document.xml", options)?;
    let head = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Amplified Person</w:t></w:r></w:p><w:p><w:r><w:t>Experience</w:t></w:r></w:p>"#;
    let paragraph = b"<w:p><w:r><w:t>Built and ran large distributed systems for many years at several companies.</w:t></w:r></w:p>";
    let tail = b"</w:body></w:document>";
    zip.write_all(head)?;
    let target = mib * 1024 * 1024;
    let mut written = head.len();
    while written < target {
        zip.write_all(paragraph)?;
        written += paragraph.len();
    }
    zip.write_all(tail)?;
    written += tail.len();
    let bytes = zip.finish()?.into_inner();
    Ok((bytes, written))
}

/// Probe `GET /healthz` and `GET {small}` every 10 ms until `stop`, on a
/// thread with a runtime of its own.
fn probes(
    target: Target,
    small: String,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<anyhow::Result<(Samples, Samples)>> {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        runtime.block_on(async move {
            let probe = |path: String| {
                let (target, stop) = (target.clone(), stop.clone());
                async move {
                    let mut conn = Conn::new(target);
                    conn.connect().await?;
                    let mut samples = Samples::default();
                    while !stop.load(Ordering::Relaxed) {
                        let started = Instant::now();
                        match conn.send(Method::GET, &path, None, Bytes::new()).await {
                            Ok(reply) if reply.status == StatusCode::OK => {
                                samples.ok.push(started.elapsed())
                            }
                            Ok(reply) => {
                                samples.problem(false, format!("{path}: {}", reply.status))
                            }
                            Err(error) => samples.problem(true, format!("{path}: {error:#}")),
                        }
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                    anyhow::Ok(samples)
                }
            };
            let (healthz, small) =
                tokio::join!(probe("/healthz".to_string()), probe(small.clone()));
            Ok((healthz?, small?))
        })
    })
}

/// Run the probes while `load` runs (or for `quiet` when there is none).
async fn probed<F, T>(
    target: &Target,
    small: &str,
    load: F,
) -> anyhow::Result<(Summary, Summary, T)>
where
    F: std::future::Future<Output = anyhow::Result<T>>,
{
    let stop = Arc::new(AtomicBool::new(false));
    let thread = probes(target.clone(), small.to_string(), stop.clone());
    let started = Instant::now();
    let result = load.await;
    stop.store(true, Ordering::Relaxed);
    let elapsed = started.elapsed();
    let (healthz, small) = tokio::task::spawn_blocking(move || thread.join())
        .await?
        .map_err(|_| anyhow::anyhow!("the probe thread panicked"))??;
    Ok((healthz.summary(elapsed), small.summary(elapsed), result?))
}

async fn upload_ready(target: &Target, file: &Upload) -> anyhow::Result<String> {
    let (summary, ids) = phases::uploads(target, file, 1, 1).await?;
    ids.into_iter().next().with_context(|| {
        format!(
            "uploading {} did not end `ready`: {:?}",
            file.filename, summary.first_problems
        )
    })
}

async fn get(target: &Target, path: &str) -> anyhow::Result<Bytes> {
    let mut conn = Conn::new(target.clone());
    let reply = conn.send(Method::GET, path, None, Bytes::new()).await?;
    if reply.status != StatusCode::OK {
        bail!("{}", phases::describe(path, reply.status, &reply.body));
    }
    Ok(reply.body)
}

fn markdown_resume() -> Upload {
    Upload {
        bytes: Bytes::from_static(
            b"# Small Person\n\nsmall@example.com\n\n## Experience\n\n### Engineer, Acme\n\n- Did things.\n",
        ),
        content_type: "text/markdown",
        filename: "small.md".into(),
    }
}

async fn share_flood(server: &Server, args: &AbuseArgs) -> anyhow::Result<Flood> {
    let target = Target::new(server.addr, &server.token)?;
    let big = Upload {
        bytes: Bytes::from(large_resume(args.abuse_resume_mib)),
        content_type: "application/json",
        filename: "large.json".into(),
    };
    eprintln!(
        "… abuse: uploading a {:.1} MiB JSON Resume and a small one",
        big.bytes.len() as f64 / 1048576.0
    );
    let big_id = upload_ready(&target, &big).await?;
    let small_id = upload_ready(&target, &markdown_resume()).await?;
    let small = format!("/v1/resumes/{small_id}");
    let token = phases::create_share(&target, &big_id).await?;
    let page = format!("/s/{token}");
    // Untimed: the page's size, and a first render.
    let page_bytes = get(&target, &page).await?.len();
    let get_bytes = get(&target, &format!("/v1/resumes/{big_id}")).await?.len();

    let seconds = args.abuse_seconds.max(1.0);
    let half = Duration::from_secs_f64(seconds / 2.0);
    eprintln!(
        "… abuse: probes on a quiet server for {:.0} s",
        half.as_secs_f64()
    );
    let (quiet_healthz, quiet_small_get, ()) = probed(&target, &small, async {
        tokio::time::sleep(half).await;
        Ok(())
    })
    .await?;

    eprintln!(
        "… abuse: {} clients on the share page (HTML, {:.1} MiB) for {seconds:.0} s",
        args.abuse_clients,
        page_bytes as f64 / 1048576.0
    );
    let view = Op {
        method: Method::GET,
        path: page.clone(),
        body: Bytes::new(),
        content_type: None,
        expect: StatusCode::OK,
    };
    let sampler = Sampler::start(server.pid);
    let cpu = server.cpu_seconds()?;
    let (share_healthz, share_small_get, share_views) = probed(
        &target,
        &small,
        phases::load(
            &target,
            &view,
            args.abuse_clients,
            Duration::from_secs_f64(seconds),
        ),
    )
    .await?;
    let share_server_cpu_s = server.cpu_seconds()? - cpu;
    let listed: Value =
        serde_json::from_slice(&get(&target, &format!("/v1/resumes/{big_id}/shares")).await?)?;
    let views_counted = listed["shares"][0]["access_count"].as_u64().unwrap_or(0);

    eprintln!(
        "… abuse: {} clients on GET /v1/resumes/{{id}} ({:.1} MiB) for {:.0} s",
        args.abuse_clients,
        get_bytes as f64 / 1048576.0,
        half.as_secs_f64()
    );
    let read = Op {
        path: format!("/v1/resumes/{big_id}"),
        ..view
    };
    let (get_healthz, get_small_get, large_gets) = probed(
        &target,
        &small,
        phases::load(&target, &read, args.abuse_clients, half),
    )
    .await?;
    Ok(Flood {
        clients: args.abuse_clients,
        resume_bytes: big.bytes.len(),
        page_bytes,
        get_bytes,
        quiet_healthz,
        quiet_small_get,
        share_healthz,
        share_small_get,
        share_views,
        views_counted,
        get_healthz,
        get_small_get,
        large_gets,
        share_server_cpu_s,
        peak_rss_kib: sampler.finish(),
    })
}

/// A token for another owner, from the admin token.
async fn other_owner(server: &Server, admin: &Target, user: &str) -> anyhow::Result<Target> {
    let mut conn = Conn::new(admin.clone());
    let reply = conn
        .send(
            Method::POST,
            "/v1/admin/tokens",
            Some("application/json"),
            Bytes::from(serde_json::to_vec(&json!({ "user": user }))?),
        )
        .await?;
    if reply.status != StatusCode::CREATED {
        bail!(
            "{}",
            phases::describe("creating a token", reply.status, &reply.body)
        );
    }
    let value: Value = serde_json::from_slice(&reply.body)?;
    let token = value["token"]
        .as_str()
        .context("no `token` in the answer")?;
    Target::new(server.addr, token)
}

async fn amplification(
    server: &Server,
    data_dir: &Path,
    args: &AbuseArgs,
) -> anyhow::Result<Amplification> {
    let admin = Target::new(server.addr, &server.token)?;
    let flooder = other_owner(server, &admin, "bench-flooder").await?;
    let victim = other_owner(server, &admin, "bench-victim").await?;
    let (docx, document_xml_bytes) = amplifying_docx(args.abuse_docx_mib)?;
    let docx = Upload {
        bytes: Bytes::from(docx),
        content_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename: "amplified.docx".into(),
    };
    let md = markdown_resume();
    eprintln!("… abuse: the other owner's Markdown parse, quiet");
    let (quiet_parse, _) = phases::uploads(&victim, &md, 5, 1).await?;

    eprintln!(
        "… abuse: {} DOCX files of {} KB ({} MiB of document.xml each) at once, and the other \
         owner's Markdown parse meanwhile",
        args.abuse_docx,
        docx.bytes.len() / 1000,
        document_xml_bytes / 1048576
    );
    let before = crate::export::dir_size(data_dir);
    let sampler = Sampler::start(server.pid);
    let flood = {
        let (flooder, docx, n) = (flooder.clone(), docx.clone(), args.abuse_docx);
        tokio::spawn(async move { phases::uploads(&flooder, &docx, n, n).await })
    };
    // Let the six reach the server (and its queue) first.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (parse_under_flood, _) = phases::uploads(&victim, &md, 1, 1).await?;
    let started = Instant::now();
    let (flood, ready) = flood.await??;
    eprintln!(
        "… abuse: the amplifying uploads ended {:.1} s after the other owner's parse",
        ms(started.elapsed()) / 1000.0
    );
    let peak_rss_kib = sampler.finish();
    let mut largest_answer_bytes = None;
    for id in ready.iter().take(1) {
        let body = get(&flooder, &format!("/v1/resumes/{id}")).await?;
        largest_answer_bytes = Some(body.len());
    }
    let rss_after_kib = server.memory()?.vm_rss_kib;
    Ok(Amplification {
        files: args.abuse_docx,
        docx_bytes: docx.bytes.len(),
        document_xml_bytes,
        quiet_parse,
        parse_under_flood,
        flood,
        largest_answer_bytes,
        peak_rss_kib,
        rss_after_kib,
        data_dir_growth_bytes: crate::export::dir_size(data_dir).saturating_sub(before),
    })
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn the_large_resume_is_about_the_size_asked_for_and_valid() {
        let bytes = large_resume(0.5);
        let half = 512 * 1024;
        assert!(
            bytes.len() >= half && bytes.len() < half + 4096,
            "{}",
            bytes.len()
        );
        let value: Value = serde_json::from_slice(&bytes).unwrap();
        assert!(value["work"].as_array().unwrap().len() > 100);
    }

    #[test]
    fn the_amplifying_docx_is_small_and_expands() {
        let (docx, xml) = amplifying_docx(2).unwrap();
        assert!(xml >= 2 * 1024 * 1024);
        assert!(docx.len() * 50 < xml, "{} bytes for {xml}", docx.len());
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
        let mut text = String::new();
        archive
            .by_name("word/document.xml")
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text.len(), xml);
        assert!(text.ends_with("</w:body></w:document>"));
    }
}
