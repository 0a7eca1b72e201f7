//! Vitae in a real browser: headless Chromium driven over WebDriver
//! (`vitae_tests::webdriver`), against the real server binary.
//!
//! - the WebDriver client itself, on a plain page served by the test;
//! - the share page a recruiter opens: every JSON Resume section, the JSON and
//!   Markdown links, a screenshot kept as an artifact, and print to PDF in at
//!   most two pages for a typical resume;
//! - a hostile resume (script tags, event-handler attributes, `javascript:`
//!   URLs) renders inert on the share page and in the console;
//! - the web console at `/app`: token, upload, live parse progress, the parsed
//!   resume, share links created and revoked;
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

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use vitae_tests::webdriver::{pdf_page_count, Browser};
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
// The client itself

/// Every WebDriver call the other tests rely on, on a page with no Vitae code
/// in it: a failure here is the harness, not the product.
#[tokio::test]
async fn webdriver_client_drives_a_plain_page() {
    let (listener, origin) = StaticSite::bind().await;
    let page = r#"<!doctype html><html><head><meta charset="utf-8"><title>WebDriver check</title></head><body>
<h1 id="title">Plain page</h1>
<p id="hidden" style="display:none">hidden text</p>
<a id="link" href="/other?x=1">other</a>
<input id="name" type="text">
<input id="file" type="file">
<button id="go">Go</button>
<p id="out"></p>
<script>
document.getElementById('go').addEventListener('click', () => {
  const out = document.getElementById('out');
  out.textContent = 'clicked ' + document.getElementById('name').value;
  out.dataset.state = 'done';
});
</script></body></html>"#;
    let _site = StaticSite::serve(listener, HashMap::from([("/", page.into())]));
    let b = browser("webdriver_client").await;
    b.goto(&format!("{origin}/")).await;
    assert_eq!(b.title().await, "WebDriver check");
    assert_eq!(b.current_url().await, format!("{origin}/"));

    // Finding, text, tag, visibility, attributes and properties.
    let h1 = b.find("#title").await;
    assert_eq!(h1.text().await, "Plain page");
    assert_eq!(h1.tag_name().await, "h1");
    assert!(h1.is_displayed().await);
    let hidden = b.find("#hidden").await;
    assert!(
        !hidden.is_displayed().await,
        "display:none is not displayed"
    );
    assert_eq!(hidden.text().await, "", "hidden text is not rendered text");
    assert!(b.try_find("#does-not-exist").await.is_none());
    assert_eq!(b.find_all("input").await.len(), 2);
    assert_eq!(b.find_all("body > *").await.len(), 8);
    let link = b.find("a#link").await;
    assert_eq!(link.attribute("href").await.as_deref(), Some("/other?x=1"));
    assert_eq!(link.property("href").await, format!("{origin}/other?x=1"));
    assert_eq!(link.attribute("data-missing").await, None);

    // Typing, clearing, clicking; a wait on the state the click produced.
    let name = b.find("#name").await;
    name.send_keys("Åsa <b>&").await;
    assert_eq!(name.property("value").await, "Åsa <b>&");
    name.clear().await;
    assert_eq!(name.property("value").await, "");
    name.send_keys("Åsa").await;
    b.find("#go").await.click().await;
    b.wait_until(
        "#out to record the click",
        "return document.querySelector('#out[data-state=done]') !== null;",
        UI_TIMEOUT,
    )
    .await;
    assert_eq!(b.find("#out").await.text().await, "clicked Åsa");

    // A file input takes an absolute path; the page can read the file.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/resume.md");
    b.find("#file")
        .await
        .send_keys(path.to_str().unwrap())
        .await;
    let read = b
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const f = document.getElementById('file').files[0];
             f.text().then((t) => done({name: f.name, size: f.size, text: t}));",
            &[],
        )
        .await
        .expect("reading the chosen file");
    let want = fixture("resume.md");
    assert_eq!(read["name"], "resume.md");
    assert_eq!(read["size"], want.len());
    assert_eq!(read["text"], String::from_utf8(want).unwrap());

    // Scripts: arguments (values and elements), return values, errors.
    let v = b
        .js(
            "return arguments[0] + arguments[1].n;",
            &[json!(1), json!({"n": 2})],
        )
        .await;
    assert_eq!(v, 3);
    let v = b.js("return arguments[0].id;", &[h1.to_json()]).await;
    assert_eq!(v, "title");
    let err = b
        .execute("throw new Error('boom');", &[])
        .await
        .expect_err("a throwing script is an error");
    assert_eq!(err.code, "javascript error", "{err}");
    assert!(err.message.contains("boom"), "{err}");
    let v = b
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const x = arguments[0];
             setTimeout(() => done(x * 2), 50);",
            &[json!(21)],
        )
        .await
        .expect("async script");
    assert_eq!(v, 42);

    // The page's console, for failure reports.
    b.js("console.warn('hello from the page');", &[]).await;
    let log = b.console_log().await;
    assert!(
        log.iter().any(|l| l.contains("hello from the page")),
        "console log: {log:?}"
    );

    // Screenshot: a PNG of the 1280-wide viewport.
    let png = b.screenshot().await;
    let (w, h) = png_size(&png);
    assert!(w >= 1000 && h >= 600, "screenshot is {w}x{h}");
    keep_artifact("webdriver-check.png", &png);

    // Print: a one-page PDF.
    let pdf = b.print_pdf().await;
    assert!(pdf.starts_with(b"%PDF-"), "print did not give a PDF");
    assert_eq!(pdf_page_count(&pdf), 1, "a short page prints on one page");
    keep_artifact("webdriver-check.pdf", &pdf);

    // A wait that cannot succeed reports what it waited for and what it saw.
    let report = b
        .try_wait_for("#never-there", Duration::from_millis(300))
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
