//! Vitae in a real browser: headless Chromium driven over WebDriver with
//! `fantoccini` (started by `vitae_tests::webdriver`), against the real server
//! binary.
//!
//! - the WebDriver client and our additions to it, on a plain page served by
//!   the test;
//! - the share page a recruiter opens: every JSON Resume section, the JSON and
//!   Markdown links, a screenshot kept as an artifact, and print to PDF in at
//!   most two pages for a typical resume;
//! - a hostile resume (script tags, event-handler attributes, `javascript:`
//!   URLs) renders inert on the share page and in the console;
//! - the web console at `/app`: token, upload, live parse progress, the parsed
//!   resume, share links created and revoked, and one hiding a field with
//!   downloads off (checked through the API and the link itself);
//! - a cross-origin `EventSource` on the account stream: an allowed origin gets
//!   events (with and without credentials mode), another origin is refused.
//!
//! Each test has its own server (temp data dir, free port) and its own
//! chromedriver + Chromium, so the tests run in parallel. Screenshots and the
//! printed PDF go to `$CARGO_TARGET_TMPDIR/browser-artifacts/` (paths are
//! printed); a timed-out wait also saves `failure-<test>.png` there.
//! See docs/browser-tests.md.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use vitae_tests::webdriver::{pdf_page_count, Browser, Locator, WdResult};
use vitae_tests::*;

/// Bound on page-level waits (a rendered element, a state reached by script).
const UI_TIMEOUT: Duration = Duration::from_secs(15);

/// Where screenshots and PDFs are kept (under the target dir, so `cargo clean` removes them).
fn artifacts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-artifacts");
    std::fs::create_dir_all(&dir).expect("create the artifacts dir");
    dir
}

/// Write an artifact and print its path.
fn keep_artifact(name: &str, bytes: &[u8]) -> PathBuf {
    let path = artifacts_dir().join(name);
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    println!("artifact: {}", path.display());
    path
}

async fn browser(test: &str) -> Browser {
    Browser::start()
        .await
        .keep_failures_in(&artifacts_dir(), test)
}

/// Width and height from a PNG's IHDR chunk (after checking the signature).
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(
        png.len() > 24 && png.starts_with(b"\x89PNG\r\n\x1a\n") && &png[12..16] == b"IHDR",
        "not a PNG ({} bytes)",
        png.len()
    );
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&png[16..20]), be(&png[20..24]))
}

// ---------------------------------------------------------------------------
// A tiny static web server: the plain page of the client check, and the
// "third-party" origins of the CORS test.

/// Serves fixed pages on `127.0.0.1:<free port>` until dropped.
struct StaticSite {
    task: tokio::task::JoinHandle<()>,
}

impl StaticSite {
    /// Bind first (the origin must be known before the pages are written).
    async fn bind() -> (TcpListener, String) {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a static site");
        let port = listener.local_addr().expect("local addr").port();
        (listener, format!("http://127.0.0.1:{port}"))
    }

    /// Answer `GET path` with the page for `path` (the query is ignored), 404 otherwise.
    fn serve(listener: TcpListener, pages: HashMap<&str, String>) -> StaticSite {
        let pages: Arc<HashMap<String, String>> =
            Arc::new(pages.into_iter().map(|(k, v)| (k.to_string(), v)).collect());
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let pages = pages.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    // Headers only: every request here is a GET without a body.
                    let read = tokio::time::timeout(Duration::from_secs(10), async {
                        while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 65536 {
                            match sock.read(&mut chunk).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                            }
                        }
                    })
                    .await;
                    if read.is_err() {
                        return;
                    }
                    let head = String::from_utf8_lossy(&buf);
                    let target = head.split_whitespace().nth(1).unwrap_or("/");
                    let path = target.split('?').next().unwrap_or("/");
                    let (status, body) = match pages.get(path) {
                        Some(page) => ("200 OK", page.as_str()),
                        None => ("404 Not Found", "not found"),
                    };
                    let answer = format!(
                        "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = sock.write_all(answer.as_bytes()).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        StaticSite { task }
    }
}

impl Drop for StaticSite {
    fn drop(&mut self) {
        self.task.abort();
    }
}

// ---------------------------------------------------------------------------
// Resumes

/// A document that fills every JSON Resume section.
fn full_document() -> Value {
    json!({
        "basics": {
            "name": "Ingrid Åkesson",
            "label": "Principal Platform Engineer",
            "email": "ingrid.akesson@example.com",
            "phone": "+46 70 555 01 23",
            "url": "https://ingrid.example.com",
            "summary": "Platform engineer who keeps large fleets boring to operate.",
            "location": {"city": "Göteborg", "countryCode": "SE", "region": "Västra Götaland"},
            "profiles": [
                {"network": "GitHub", "username": "ingrida", "url": "https://github.com/ingrida"}
            ]
        },
        "work": [{
            "name": "Havsörn Logistics",
            "position": "Principal Platform Engineer",
            "url": "https://havsorn.example.com",
            "startDate": "2020-01",
            "summary": "Runs the internal platform for 300 engineers.",
            "highlights": ["Halved deploy times across 120 services"]
        }],
        "volunteer": [{
            "organization": "Kodklubben Göteborg",
            "position": "Mentor",
            "startDate": "2018-09",
            "summary": "Teaches programming to teenagers on weekends.",
            "highlights": ["Ran 40 workshops"]
        }],
        "education": [{
            "institution": "Chalmers University of Technology",
            "area": "Software Engineering",
            "studyType": "Master of Science",
            "startDate": "2010-09",
            "endDate": "2015-06",
            "courses": ["Distributed Systems"]
        }],
        "awards": [{
            "title": "Engineer of the Year",
            "date": "2022-12-01",
            "awarder": "Havsörn Logistics",
            "summary": "For the platform migration."
        }],
        "certificates": [{
            "name": "Certified Kubernetes Administrator",
            "date": "2021-04-01",
            "issuer": "CNCF",
            "url": "https://cncf.example.org/cka"
        }],
        "publications": [{
            "name": "Boring Platforms at Scale",
            "publisher": "Nordic Systems Journal",
            "releaseDate": "2023-03-01",
            "url": "https://journal.example.org/boring",
            "summary": "Why the best platform is the one nobody notices."
        }],
        "skills": [{"name": "Infrastructure", "level": "Expert", "keywords": ["Kubernetes", "Terraform"]}],
        "languages": [{"language": "Swedish", "fluency": "Native speaker"}],
        "interests": [{"name": "Sailing", "keywords": ["Archipelago racing"]}],
        "references": [{"name": "Erik Holm", "reference": "Ingrid made our platform dependable."}],
        "projects": [{
            "name": "Fleetwatch",
            "description": "Open-source fleet health dashboard.",
            "startDate": "2021-02",
            "url": "https://fleetwatch.example.org",
            "highlights": ["Used by 50 companies"]
        }]
    })
}

/// A typical resume: summary, three jobs with highlights, a degree, skills.
fn typical_document() -> Value {
    json!({
        "basics": {
            "name": "Zoë Lindqvist",
            "label": "Senior Backend Engineer",
            "email": "zoe.lindqvist@example.com",
            "phone": "+46 70 123 45 67",
            "url": "https://zoe.example.com",
            "summary": "Backend engineer with ten years of building reliable storage and streaming services. Cares about latency budgets, operability and clear APIs; happiest when a system is boring in production.",
            "location": {"city": "Uppsala", "countryCode": "SE"},
            "profiles": [{"network": "GitHub", "username": "zoel", "url": "https://github.com/zoel"}]
        },
        "work": [
            {
                "name": "Nordlys Systems AB",
                "position": "Senior Backend Engineer",
                "startDate": "2019-03",
                "summary": "Leads the event-streaming platform team (6 engineers).",
                "highlights": [
                    "Cut p99 ingest latency from 800 ms to 90 ms by reworking batching and back-pressure",
                    "Moved 40 services to a shared Rust runtime, removing two on-call rotations",
                    "Designed the tenant isolation model now used by every product team",
                    "Mentored four engineers into senior roles"
                ]
            },
            {
                "name": "Fjällräv Data",
                "position": "Software Engineer",
                "startDate": "2015-06",
                "endDate": "2019-02",
                "summary": "Built and ran the billing pipeline.",
                "highlights": [
                    "Wrote the invoice reconciliation service that replaced a nightly batch job",
                    "Brought billing disputes down 70% with an auditable ledger",
                    "Introduced property-based testing for the pricing engine"
                ]
            },
            {
                "name": "Uppsala Analytics",
                "position": "Junior Developer",
                "startDate": "2013-01",
                "endDate": "2015-05",
                "summary": "Data tooling for research groups.",
                "highlights": [
                    "Built an ETL tool used by 12 research groups",
                    "Cut report generation from hours to minutes"
                ]
            }
        ],
        "education": [{
            "institution": "Uppsala University",
            "area": "Computer Science",
            "studyType": "Master of Science",
            "startDate": "2010-09",
            "endDate": "2015-06"
        }],
        "skills": [
            {"name": "Languages", "keywords": ["Rust", "Go", "Python", "SQL"]},
            {"name": "Systems", "keywords": ["PostgreSQL", "Kafka", "Kubernetes", "Linux"]},
            {"name": "Practices", "keywords": ["Observability", "Incident response", "API design"]}
        ]
    })
}

/// Upload `doc` as a JSON Resume file, wait for `ready`, check the stored
/// document is `doc`; returns the resume id.
async fn ready_document(api: &Api, doc: &Value, filename: &str) -> String {
    let r = api
        .upload(serde_json::to_vec(doc).unwrap(), CT_JSON, filename)
        .await;
    assert_eq!(r.status, 202, "uploading {filename}: {}", r.text());
    let id = r.json()["id"].as_str().expect("id").to_string();
    let done = api.wait_terminal(&id).await;
    assert_eq!(done["status"], "ready", "{filename} did not import: {done}");
    if let Err(diff) = json_subset(doc, &done["document"], "document") {
        panic!("the stored document differs from the upload: {diff}");
    }
    id
}

/// Share `id` and return the share's public URL.
async fn share_url(api: &Api, id: &str) -> String {
    let s = api.share(id, &json!({"expires_in_days": 7})).await;
    s["url"].as_str().expect("share url").to_string()
}

/// What a browser sends as `Accept` when following a link.
const BROWSER_ACCEPT: &str =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

async fn get_with_accept(url: &str, accept: &str) -> reqwest::Response {
    reqwest::Client::builder()
        .timeout(HTTP_TIMEOUT)
        .build()
        .unwrap()
        .get(url)
        .header("accept", accept)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
}

// ---------------------------------------------------------------------------
// The client itself

/// Every WebDriver call the other tests rely on, on a page with no Vitae code
/// in it: a failure here is the harness, not the product.
#[tokio::test]
async fn webdriver_client_drives_a_plain_page() -> WdResult {
    let (listener, origin) = StaticSite::bind().await;
    let page = r#"<!doctype html><html><head><meta charset="utf-8"><title>WebDriver check</title>
<style>@media print { #tall { display: none } }</style></head><body>
<h1 id="title">Plain page</h1>
<p id="hidden" style="display:none">hidden text</p>
<a id="link" href="/other?x=1">other</a>
<input id="name" type="text">
<input id="file" type="file">
<button id="go">Go</button>
<p id="out"></p>
<div id="tall" style="height: 3000px">tall</div>
<script>
document.getElementById('go').addEventListener('click', () => {
  const out = document.getElementById('out');
  out.textContent = 'clicked ' + document.getElementById('name').value;
  out.dataset.state = 'done';
});
</script></body></html>"#;
    let _site = StaticSite::serve(listener, HashMap::from([("/", page.into())]));
    // No failure dir: this test times out on purpose.
    let b = Browser::start().await;
    b.goto(&format!("{origin}/")).await?;
    assert_eq!(b.title().await?, "WebDriver check");
    assert_eq!(b.current_url().await?.as_str(), format!("{origin}/"));

    // Finding, text, tag, visibility, attributes and properties.
    let h1 = b.find(Locator::Css("#title")).await?;
    assert_eq!(h1.text().await?, "Plain page");
    assert_eq!(h1.tag_name().await?, "h1");
    assert!(h1.is_displayed().await?);
    let hidden = b.find(Locator::Css("#hidden")).await?;
    assert!(
        !hidden.is_displayed().await?,
        "display:none is not displayed"
    );
    assert_eq!(hidden.text().await?, "", "hidden text is not rendered text");
    assert!(b.try_find("#does-not-exist").await?.is_none());
    assert_eq!(b.find_all(Locator::Css("input")).await?.len(), 2);
    assert_eq!(b.find_all(Locator::Css("body > *")).await?.len(), 9);
    let link = b.find(Locator::Css("a#link")).await?;
    assert_eq!(link.attr("href").await?.as_deref(), Some("/other?x=1"));
    assert_eq!(
        link.prop("href").await?,
        Some(format!("{origin}/other?x=1"))
    );
    assert_eq!(link.attr("data-missing").await?, None);

    // Typing, clearing, clicking; a wait on the state the click produced.
    let name = b.find(Locator::Css("#name")).await?;
    name.send_keys("Åsa <b>&").await?;
    assert_eq!(name.prop("value").await?.as_deref(), Some("Åsa <b>&"));
    name.clear().await?;
    assert_eq!(name.prop("value").await?.as_deref(), Some(""));
    name.send_keys("Åsa").await?;
    b.find(Locator::Css("#go")).await?.click().await?;
    b.wait_until(
        "#out to record the click",
        "return document.querySelector('#out[data-state=done]') !== null;",
        UI_TIMEOUT,
    )
    .await;
    assert_eq!(
        b.find(Locator::Css("#out")).await?.text().await?,
        "clicked Åsa"
    );

    // A file input takes an absolute path; the page can read the file.
    b.find(Locator::Css("#file"))
        .await?
        .send_keys(&fixture_path("resume.md"))
        .await?;
    let read = b
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const f = document.getElementById('file').files[0];
             f.text().then((t) => done({name: f.name, size: f.size, text: t}));",
            vec![],
        )
        .await?;
    let want = fixture("resume.md");
    assert_eq!(read["name"], "resume.md");
    assert_eq!(read["size"], want.len());
    assert_eq!(read["text"], String::from_utf8(want).unwrap());

    // Scripts: arguments (values and elements), return values, errors.
    let v = b
        .execute(
            "return arguments[0] + arguments[1].n;",
            vec![json!(1), json!({"n": 2})],
        )
        .await?;
    assert_eq!(v, 3);
    let v = b
        .execute(
            "return arguments[0].id;",
            vec![serde_json::to_value(&h1).unwrap()],
        )
        .await?;
    assert_eq!(v, "title");
    let err = b
        .execute("throw new Error('boom');", vec![])
        .await
        .expect_err("a throwing script is an error");
    assert!(err.is_javascript_error(), "{err}");
    assert!(err.to_string().contains("boom"), "{err}");
    let v = b
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const x = arguments[0];
             setTimeout(() => done(x * 2), 50);",
            vec![json!(21)],
        )
        .await?;
    assert_eq!(v, 42);

    // The page's console, for failure reports.
    b.execute("console.warn('hello from the page');", vec![])
        .await?;
    let log = b.console_log().await;
    assert!(
        log.iter().any(|l| l.contains("hello from the page")),
        "console log: {log:?}"
    );

    // Screenshot: a PNG of the 1280-wide viewport.
    let png = b.screenshot().await?;
    let (w, h) = png_size(&png);
    assert!(w >= 1000 && h >= 600, "screenshot is {w}x{h}");
    keep_artifact("webdriver-check.png", &png);
    let png = b.screenshot_full_page().await?;
    let (fw, fh) = png_size(&png);
    assert!(fw >= 1000 && fh > 3000, "full-page screenshot is {fw}x{fh}");

    // Print: a one-page PDF (the print stylesheet hides the tall block).
    let pdf = b.print_pdf().await?;
    assert!(pdf.starts_with(b"%PDF-"), "print did not give a PDF");
    assert_eq!(pdf_page_count(&pdf), 1, "a short page prints on one page");
    keep_artifact("webdriver-check.pdf", &pdf);

    // A wait that cannot succeed reports what it waited for and what it saw.
    let report = b
        .try_wait_for_element("#never-there", Duration::from_millis(300))
        .await
        .expect_err("the wait must time out");
    assert!(
        report.contains("#never-there")
            && report.contains("timed out")
            && report.contains("Plain page"),
        "{report}"
    );
    let report = b
        .try_wait_until(
            "the impossible",
            "return document.title === 'nope' || {title: document.title};",
            Duration::from_millis(300),
        )
        .await
        .expect_err("the wait must time out");
    assert!(
        report.contains("the impossible") && report.contains("WebDriver check"),
        "the report shows the last value seen: {report}"
    );

    // Dropping the browser (as a panicking test does, without `close`) leaves
    // no process behind.
    let profile = b.profile_dir();
    let driver_pid = b.driver_pid();
    assert!(
        !processes_mentioning(&profile).is_empty(),
        "Chromium runs with the profile dir on its command line"
    );
    drop(b);
    assert!(
        !pid_alive(driver_pid),
        "chromedriver {driver_pid} outlived its Browser"
    );
    let left = processes_mentioning(&profile);
    assert!(
        left.is_empty(),
        "Chromium processes outlived their Browser: {left:?}"
    );
    Ok(())
}

fn pid_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// Pids whose command line mentions `marker`.
fn processes_mentioning(marker: &Path) -> Vec<u32> {
    let marker = marker.to_string_lossy().into_owned();
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
            continue;
        };
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        if String::from_utf8_lossy(&cmdline).contains(&marker) {
            out.push(pid);
        }
    }
    out
}

// ---------------------------------------------------------------------------
// The share page

/// The sections of the share page and a phrase each must show.
const SECTIONS: [(&str, &str); 12] = [
    ("summary", "keeps large fleets boring"),
    ("work", "Havsörn Logistics"),
    ("education", "Chalmers University of Technology"),
    ("skills", "Infrastructure"),
    ("projects", "Fleetwatch"),
    ("volunteer", "Kodklubben Göteborg"),
    ("awards", "Engineer of the Year"),
    ("certificates", "Certified Kubernetes Administrator"),
    ("publications", "Boring Platforms at Scale"),
    ("languages", "Swedish"),
    ("interests", "Sailing"),
    ("references", "Erik Holm"),
];

#[tokio::test]
async fn share_page_renders_every_section() -> WdResult {
    let server = TestServer::start();
    let api = server.admin();
    let doc = full_document();
    let id = ready_document(&api, &doc, "full.json").await;
    let url = share_url(&api, &id).await;

    let b = browser("share_page_renders_every_section").await;
    b.goto(&url).await?;
    let h1s = b.find_all(Locator::Css("h1")).await?;
    assert_eq!(h1s.len(), 1, "one <h1> on the share page");
    assert_eq!(h1s[0].text().await?.trim(), "Ingrid Åkesson");

    let mut problems = Vec::new();
    for (key, phrase) in SECTIONS {
        let Some(section) = b.try_find(&format!("section#{key}")).await? else {
            problems.push(format!("no section#{key}"));
            continue;
        };
        if !section.is_displayed().await? {
            problems.push(format!("section#{key} is not visible"));
        }
        let text = section.text().await?;
        if !text.contains(phrase) {
            problems.push(format!("section#{key} does not show {phrase:?}: {text:?}"));
        }
    }
    // Screenshot before judging, so a failure still leaves the picture.
    let png = b.screenshot_full_page().await?;
    png_size(&png);
    keep_artifact("share-page.png", &png);
    assert!(
        problems.is_empty(),
        "share page sections:\n{}",
        problems.join("\n")
    );

    // The footer links give the other forms even when followed by a browser
    // (which sends an HTML-first Accept header).
    let json_href = b
        .find(Locator::Css("a#format-json"))
        .await?
        .prop("href")
        .await?;
    let md_href = b
        .find(Locator::Css("a#format-md"))
        .await?
        .prop("href")
        .await?;
    let json_href = json_href.as_deref().expect("a#format-json href");
    let md_href = md_href.as_deref().expect("a#format-md href");
    let r = get_with_accept(json_href, BROWSER_ACCEPT).await;
    assert_eq!(r.status(), 200, "GET {json_href}");
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    assert!(
        ct.starts_with("application/json"),
        "{json_href} content-type {ct:?}"
    );
    let got: Value = r.json().await.expect("the JSON link gives JSON");
    if let Err(diff) = json_subset(&doc, &got, "document") {
        panic!("{json_href} is not the document: {diff}");
    }
    let r = get_with_accept(md_href, BROWSER_ACCEPT).await;
    assert_eq!(r.status(), 200, "GET {md_href}");
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    assert!(
        ct.starts_with("text/markdown") || ct.starts_with("text/plain"),
        "{md_href} content-type {ct:?}"
    );
    let md = r.text().await.unwrap();
    assert!(
        md.contains("# Ingrid Åkesson"),
        "{md_href} is not the Markdown form: {md}"
    );
    b.close().await;
    Ok(())
}

#[tokio::test]
async fn share_page_prints_to_at_most_two_pages() -> WdResult {
    let server = TestServer::start();
    let api = server.admin();
    let id = ready_document(&api, &typical_document(), "typical.json").await;
    let url = share_url(&api, &id).await;

    let b = browser("share_page_prints").await;
    b.goto(&url).await?;
    b.find(Locator::Css("h1")).await?;
    let pdf = b.print_pdf().await?;
    let path = keep_artifact("share-page.pdf", &pdf);
    assert!(pdf.starts_with(b"%PDF-"), "print did not give a PDF");
    let pages = pdf_page_count(&pdf);
    assert!(
        (1..=2).contains(&pages),
        "a typical resume prints on 1-2 pages, got {pages} ({})",
        path.display()
    );
    b.close().await;
    Ok(())
}

// ---------------------------------------------------------------------------
// Hostile content

const SCRIPT_PAYLOAD: &str = "<script>window.__xss=1</script>";
const IMG_PAYLOAD: &str = "<img src=x onerror=\"window.__xss=1\">";
const ATTR_PAYLOAD: &str = "\" onmouseover=\"window.__xss=1";
const JS_URL: &str = "javascript:window.__xss=1";
const JS_URL_MIXED: &str = "JaVaScRiPt:window.__xss=1";
/// Browsers drop tabs and newlines inside URLs, so this is `javascript:` too.
const JS_URL_TAB: &str = "java\tscript:window.__xss=1";

fn hostile_name() -> String {
    format!("Mallory {SCRIPT_PAYLOAD}")
}

fn hostile_document() -> Value {
    json!({
        "basics": {
            "name": hostile_name(),
            "label": IMG_PAYLOAD,
            "email": format!("mallory{ATTR_PAYLOAD}@example.com"),
            "url": JS_URL,
            "image": JS_URL,
            "summary": format!("Summary {ATTR_PAYLOAD} end"),
            "profiles": [
                {"network": "GitHub", "username": ATTR_PAYLOAD, "url": JS_URL_MIXED},
                {"network": "Web", "url": JS_URL_TAB}
            ]
        },
        "work": [{
            "name": IMG_PAYLOAD,
            "position": SCRIPT_PAYLOAD,
            "url": JS_URL_MIXED,
            "startDate": "2020-01",
            "highlights": [ATTR_PAYLOAD, IMG_PAYLOAD]
        }],
        "projects": [{"name": "Payload project", "url": JS_URL, "description": SCRIPT_PAYLOAD}],
        "publications": [{"name": "Payload paper", "url": JS_URL_MIXED}],
        "certificates": [{"name": "Payload cert", "url": JS_URL_TAB}],
        "skills": [{"name": "Skills", "keywords": [IMG_PAYLOAD]}]
    })
}

/// Returns a list of problems on the current page: script ran, an element
/// carries an injected handler, a link or resource has a dangerous URL.
/// `scope` is the CSS selector of the part of the page that shows the resume.
const INERT_CHECK: &str = r#"
const scope = document.querySelector(arguments[0]);
const problems = [];
if (!scope) { return ['no ' + arguments[0]]; }
// Give any injected handler its chance to run.
for (const el of scope.querySelectorAll('*')) {
  for (const type of ['mouseover', 'mouseenter', 'focus', 'click']) {
    if (type === 'click' && el.closest('a, button, form, input')) continue;
    el.dispatchEvent(new MouseEvent(type, {bubbles: true}));
  }
}
if (window.__xss !== undefined) problems.push('window.__xss = ' + window.__xss);
for (const el of [scope, ...scope.querySelectorAll('*')]) {
  for (const attr of el.getAttributeNames()) {
    if (attr.toLowerCase().startsWith('on')) problems.push(el.tagName + ' has ' + attr + '=' + el.getAttribute(attr));
  }
  if (el.tagName === 'SCRIPT' && el.textContent.includes('__xss')) problems.push('a script element holds the payload');
  for (const prop of ['src', 'action', 'formAction', 'data']) {
    const v = typeof el[prop] === 'string' ? el[prop] : '';
    if (/^\s*(javascript|data|vbscript):/i.test(v)) problems.push(el.tagName + '.' + prop + ' = ' + v);
  }
}
for (const a of document.querySelectorAll('a[href], area[href]')) {
  if (!['http:', 'https:', 'mailto:', 'tel:'].includes(a.protocol)) {
    problems.push('link ' + a.getAttribute('href') + ' has protocol ' + a.protocol);
  }
}
return problems;
"#;

async fn assert_inert(b: &Browser, scope: &str, page: &str) -> WdResult {
    let problems = b.execute(INERT_CHECK, vec![json!(scope)]).await?;
    assert_eq!(
        problems,
        json!([]),
        "the hostile resume is not inert on {page}"
    );
    let untouched = b
        .execute("return window.__xss === undefined;", vec![])
        .await?;
    assert_eq!(untouched, true, "a payload ran on {page}");
    Ok(())
}

#[tokio::test]
async fn hostile_resume_renders_inert() -> WdResult {
    let server = TestServer::start();
    let api = server.admin();
    let id = ready_document(&api, &hostile_document(), "hostile.json").await;
    let url = share_url(&api, &id).await;

    let b = browser("hostile_resume_renders_inert").await;
    b.goto(&url).await?;
    b.find(Locator::Css("h1")).await?;
    assert_inert(&b, "body", "the share page").await?;
    let text = b.find(Locator::Css("body")).await?.text().await?;
    for payload in [SCRIPT_PAYLOAD, IMG_PAYLOAD, ATTR_PAYLOAD] {
        assert!(
            text.contains(payload),
            "the payload {payload:?} is not shown as text on the share page: {text}"
        );
    }
    assert_eq!(
        b.find(Locator::Css("h1")).await?.text().await?.trim(),
        hostile_name()
    );
    keep_artifact("hostile-share-page.png", &b.screenshot_full_page().await?);

    // The console shows the same resume; loading it must run nothing either.
    open_console(&b, &server).await?;
    save_token(&b, server.admin_token()).await?;
    let item = format!("ul#resumes li[data-resume-id=\"{id}\"]");
    b.wait_for_element(&item, UI_TIMEOUT).await.click().await?;
    b.wait_for_element(&format!("#resume[data-resume-id=\"{id}\"]"), UI_TIMEOUT)
        .await;
    let name = b.wait_for_element("#resume-name", UI_TIMEOUT).await;
    assert_eq!(
        name.text().await?.trim(),
        hostile_name(),
        "#resume-name shows the name as text"
    );
    assert_inert(&b, "#resume", "the console").await?;
    keep_artifact("hostile-console.png", &b.screenshot_full_page().await?);
    b.close().await;
    Ok(())
}

// ---------------------------------------------------------------------------
// The console

/// Open the console at `/app` (checking first that the server serves it, so a
/// missing console fails at once rather than after a wait).
async fn open_console(b: &Browser, server: &TestServer) -> WdResult {
    let url = format!("{}/app", server.url());
    let r = get_with_accept(&url, BROWSER_ACCEPT).await;
    let status = r.status();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap_or_default().to_string())
        .unwrap_or_default();
    let body = r.text().await.unwrap_or_default();
    assert!(
        status == 200 && ct.starts_with("text/html"),
        "GET /app must serve the console page; got {status} {ct:?}: {}",
        body.chars().take(300).collect::<String>()
    );
    b.goto(&url).await?;
    Ok(())
}

/// Type the token into the console and save it.
async fn save_token(b: &Browser, token: &str) -> WdResult {
    let input = b.wait_for_element("input#token", UI_TIMEOUT).await;
    input.clear().await?;
    input.send_keys(token).await?;
    b.find(Locator::Css("button#token-save"))
        .await?
        .click()
        .await?;
    Ok(())
}

#[tokio::test]
async fn console_upload_shows_live_progress_and_parsed_resume() -> WdResult {
    let server = TestServer::start();
    let api = server.admin();
    let b = browser("console_upload").await;
    open_console(&b, &server).await?;
    save_token(&b, server.admin_token()).await?;
    let stored = b
        .execute("return sessionStorage.getItem('vitae.token');", vec![])
        .await?;
    assert_eq!(
        stored,
        server.admin_token(),
        "the token is kept in sessionStorage"
    );

    b.find(Locator::Css("input#file"))
        .await?
        .send_keys(&fixture_path("resume.md"))
        .await?;
    b.find(Locator::Css("button#upload")).await?.click().await?;
    let status = b
        .wait_until(
            "#parse-status to reach complete or failed",
            "const s = document.querySelector('#parse-status');
             const v = s && s.dataset.status;
             const err = document.querySelector('#error');
             return (v === 'complete' || v === 'failed')
                 ? v
                 : {status: v, error: err && err.textContent};",
            PARSE_TIMEOUT,
        )
        .await;
    assert_eq!(status, "complete", "the parse ended {status}");

    let stages = b
        .find_all(Locator::Css("ol#progress li[data-stage]"))
        .await?;
    assert!(stages.len() >= 2, "{} progress stages shown", stages.len());
    for li in &stages {
        let stage = li.attr("data-stage").await?.unwrap_or_default();
        let class = li.attr("class").await?.unwrap_or_default();
        assert!(
            class.split_whitespace().any(|c| c == "done"),
            "stage {stage:?} is not done (class {class:?})"
        );
    }

    let list = api.list().await;
    assert_eq!(list.len(), 1, "one resume after one upload: {list:?}");
    let id = list[0]["id"].as_str().unwrap().to_string();
    let resume = api.resume(&id).await;
    assert_eq!(resume["status"], "ready");
    let shown_id = b
        .find(Locator::Css("#resume"))
        .await?
        .attr("data-resume-id")
        .await?;
    assert_eq!(
        shown_id.as_deref(),
        Some(id.as_str()),
        "#resume shows the new resume"
    );
    let name = resume["document"]["basics"]["name"]
        .as_str()
        .expect("parsed name");
    assert_eq!(name, FIXTURE_NAME);
    assert_eq!(
        b.find(Locator::Css("#resume-name"))
            .await?
            .text()
            .await?
            .trim(),
        name
    );
    keep_artifact("console-parsed.png", &b.screenshot_full_page().await?);

    // Share it for 7 days from the console.
    let days = b.find(Locator::Css("input#share-days")).await?;
    days.clear().await?;
    days.send_keys("7").await?;
    b.find(Locator::Css("button#share-create"))
        .await?
        .click()
        .await?;
    let row = b
        .wait_for_element("table#shares tbody tr[data-token]", UI_TIMEOUT)
        .await;
    let token = row.attr("data-token").await?.expect("data-token");
    let shares = api.shares(&id).await;
    let share = shares
        .iter()
        .find(|s| s["token"] == token.as_str())
        .unwrap_or_else(|| panic!("the row's token {token} is not among {shares:?}"));
    let expires = parse_time(&share["expires_at"]);
    let want = chrono::Utc::now() + chrono::Duration::days(7);
    assert!(
        (expires - want).num_seconds().abs() < 300,
        "share-days 7 gave expires_at {expires}"
    );
    let href = b
        .find(Locator::Css(&format!(
            "tr[data-token=\"{token}\"] a.share-url"
        )))
        .await?
        .prop("href")
        .await?;
    let href = href.expect("share-url href");
    assert!(href.ends_with(&format!("/s/{token}")), "share url {href}");
    b.find(Locator::Css(&format!(
        "tr[data-token=\"{token}\"] .access-count"
    )))
    .await?;
    let r = get_with_accept(&href, "application/json").await;
    assert_eq!(r.status(), 200, "GET {href}");
    let got: Value = r.json().await.expect("share JSON");
    assert_eq!(got["basics"]["name"], name, "the share shows the resume");

    // Revoke from the console: the row says so and the link is gone.
    b.find(Locator::Css(&format!(
        "tr[data-token=\"{token}\"] button.revoke"
    )))
    .await?
    .click()
    .await?;
    b.wait_for_element(
        &format!("table#shares tbody tr[data-token=\"{token}\"][data-revoked=\"true\"]"),
        UI_TIMEOUT,
    )
    .await;
    let r = get_with_accept(&href, "application/json").await;
    assert_eq!(r.status(), 410, "a revoked share answers 410");

    // A second link hiding the phone, the page only: the form's choices
    // reach the API, and the row says what the link leaves out.
    let phone = resume["document"]["basics"]["phone"]
        .as_str()
        .expect("the fixture has a phone")
        .to_string();
    b.find(Locator::Css("#share-hide input[value=\"phone\"]"))
        .await?
        .click()
        .await?;
    let downloads = b.find(Locator::Css("input#share-download")).await?;
    assert_eq!(
        downloads.prop("checked").await?.as_deref(),
        Some("true"),
        "downloads are on until turned off"
    );
    downloads.click().await?;
    let label = b.find(Locator::Css("input#share-label")).await?;
    label.send_keys("Globex, no downloads").await?;
    b.find(Locator::Css("button#share-create"))
        .await?
        .click()
        .await?;
    let row = b
        .wait_for_element(
            "table#shares tbody tr[data-token]:not([data-revoked])",
            UI_TIMEOUT,
        )
        .await;
    let second = row.attr("data-token").await?.expect("data-token");
    assert_ne!(second, token);
    let shares = api.shares(&id).await;
    let share = shares
        .iter()
        .find(|s| s["token"] == second.as_str())
        .unwrap_or_else(|| panic!("the row's token {second} is not among {shares:?}"));
    assert_eq!(share["hide"], json!(["phone"]), "{share}");
    assert_eq!(share["allow_download"], false, "{share}");
    assert_eq!(share["label"], "Globex, no downloads", "{share}");
    let cell = |class: &str| format!("tr[data-token=\"{second}\"] .{class}");
    assert_eq!(
        b.find(Locator::Css(&cell("share-hides")))
            .await?
            .text()
            .await?,
        "phone"
    );
    assert_eq!(
        b.find(Locator::Css(&cell("share-downloads")))
            .await?
            .text()
            .await?,
        "page only"
    );
    let url = share["url"].as_str().expect("url");
    let r = get_with_accept(url, BROWSER_ACCEPT).await;
    assert_eq!(r.status(), 200, "the page of {url}");
    let page = r.text().await.unwrap_or_default();
    assert!(page.contains(name), "the page shows the resume");
    assert!(!page.contains(&phone), "the phone is hidden: {phone}");
    let r = get_with_accept(&format!("{url}?format=json"), "application/json").await;
    assert_eq!(r.status(), 403, "no downloads: ?format=json is refused");
    keep_artifact("console-shares.png", &b.screenshot_full_page().await?);
    b.close().await;
    Ok(())
}

// ---------------------------------------------------------------------------
// Cross-origin EventSource

/// A third-party page that opens the account stream of `server` with `token`
/// (in credentials mode when its URL has `?credentials`) and records events.
fn event_source_page(server: &str, token: &str) -> String {
    let server = serde_json::to_string(server).unwrap();
    let token = serde_json::to_string(token).unwrap();
    format!(
        r#"<!doctype html><html><head><meta charset="utf-8"><title>third-party app</title></head><body>
<p>A page on another origin that follows the Vitae account stream.</p>
<script>
const withCredentials = new URLSearchParams(location.search).has('credentials');
window.__events = [];
window.__errors = [];
window.__opened = false;
const es = new EventSource({server} + '/v1/events?access_token=' + encodeURIComponent({token}), {{ withCredentials }});
window.__es = es;
es.onopen = () => {{ window.__opened = true; }};
es.onerror = () => {{ window.__errors.push(es.readyState); }};
for (const name of ['resume.created', 'resume.updated', 'resume.deleted', 'master.changed',
                    'share.created', 'share.revoked', 'resync']) {{
  es.addEventListener(name, (e) => window.__events.push({{ name, data: JSON.parse(e.data) }}));
}}
</script></body></html>"#
    )
}

/// On an allowed origin's page: the stream opens, and a share created over the
/// API arrives as `share.created`.
async fn allowed_page_receives(b: &Browser, api: &Api, resume_id: &str, page: &str) -> WdResult {
    b.goto(page).await?;
    b.wait_until(
        &format!("the EventSource of {page} to open"),
        "return window.__opened ? true : {readyState: window.__es && window.__es.readyState, errors: window.__errors};",
        UI_TIMEOUT,
    )
    .await;
    let token = api.share(resume_id, &json!({"expires_in_days": 1})).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let script = format!(
        "return window.__events.some((e) => e.name === 'share.created' && e.data.share_token === '{token}')
             || {{events: window.__events, errors: window.__errors}};"
    );
    let got = b
        .wait_until(
            &format!("share.created {token} on {page}"),
            &script,
            UI_TIMEOUT,
        )
        .await;
    assert_eq!(got, true, "share.created on {page}: {got}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_origin_event_source() -> WdResult {
    let (allowed_listener, allowed) = StaticSite::bind().await;
    let (other_listener, other) = StaticSite::bind().await;
    let server = TestServer::start_with(&["--cors-origin", &allowed]);
    let api = server.admin();
    let id = api.upload_ready("resume.md").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let page = event_source_page(server.url(), server.admin_token());
    let _allowed_site = StaticSite::serve(allowed_listener, HashMap::from([("/", page.clone())]));
    let _other_site = StaticSite::serve(other_listener, HashMap::from([("/", page)]));
    let b = browser("cross_origin_event_source").await;

    // The allowed origin, without credentials mode.
    allowed_page_receives(&b, &api, &id, &format!("{allowed}/")).await?;

    // Another origin: the browser refuses the stream (CORS), so the
    // EventSource fails for good and nothing reaches the page.
    b.goto(&format!("{other}/")).await?;
    let seen = b
        .wait_until(
            "the EventSource of the disallowed origin to fail (readyState CLOSED)",
            "return (window.__es.readyState === 2 && window.__errors.length > 0)
                 || {readyState: window.__es.readyState, errors: window.__errors, opened: window.__opened};",
            UI_TIMEOUT,
        )
        .await;
    assert_eq!(seen, true);
    api.share(&id, &json!({"expires_in_days": 1})).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let state = b
        .execute(
            "return {opened: window.__opened, events: window.__events};",
            vec![],
        )
        .await?;
    assert_eq!(
        state,
        json!({"opened": false, "events": []}),
        "a disallowed origin must not get the stream"
    );

    // The allowed origin in credentials mode (needs Access-Control-Allow-Credentials).
    allowed_page_receives(&b, &api, &id, &format!("{allowed}/?credentials")).await?;
    b.close().await;
    Ok(())
}
