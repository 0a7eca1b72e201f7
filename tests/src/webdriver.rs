//! Headless Chromium for the browser tests, driven with the `fantoccini`
//! WebDriver client: this module only starts `chromedriver` and one Chromium
//! session through it, cleans up after it, and adds what WebDriver itself
//! lacks (a full-page screenshot and the console log through chromedriver's
//! Chromium extensions, and waits that report what they saw). Everything else
//! — navigate, find, click, type, scripts, screenshots, print — is
//! `fantoccini::Client`'s own API, reached through [`Browser`]'s `Deref`.
//!
//! Process hygiene: every [`Browser`] owns one `chromedriver` started in its own
//! process group with `--port=0` (it prints the port it bound, so there is no
//! free-port race between parallel tests), and one fresh Chromium profile dir.
//! Dropping the [`Browser`] — also while a test panics or returns an error —
//! kills that process group (Chromium and all its helpers stay in it), then, in
//! case the browser process ever left the group, any process with that profile
//! dir on its command line, and removes the profile.
//!
//! Bounds: the session's page-load (20 s) and script (15 s) timeouts bound the
//! browser's side of a command, and the `wait_*` helpers poll against a
//! deadline and panic with what they were waiting for, what they saw last, the
//! page's URL, the start of its text and its console (and save a screenshot
//! when the browser has a failure dir).
//!
//! The binaries are `$CHROMEDRIVER` (default `chromedriver` on `PATH`) and
//! `$CHROMIUM` (default `/usr/bin/chromium`).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub use fantoccini::elements::Element;
pub use fantoccini::error::CmdError;
use fantoccini::wd::{PrintConfiguration, PrintMargins, PrintSize, WebDriverCompatibleCommand};
pub use fantoccini::Locator;
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};

/// What a browser test returns: any WebDriver error fails it with the driver's message.
pub type WdResult<T = ()> = Result<T, CmdError>;

/// Bound on chromedriver printing its port and answering `/status` ready.
const DRIVER_START_TIMEOUT: Duration = Duration::from_secs(20);
/// Bound on opening the session (Chromium's start included).
const SESSION_TIMEOUT: Duration = Duration::from_secs(45);
/// Session timeouts handed to the browser (milliseconds).
const PAGE_LOAD_MS: u64 = 20_000;
const SCRIPT_MS: u64 = 15_000;
/// How often the `wait_*` helpers poll.
const POLL: Duration = Duration::from_millis(50);

/// The Chromium flags of every session, and why:
/// - `--headless=new`: the real browser without a display (the old headless
///   mode is a separate, thinner implementation);
/// - `--no-sandbox`: CI containers run as root, where the sandbox refuses to start;
/// - `--disable-gpu`: no GPU in CI; software rendering is deterministic;
/// - `--disable-dev-shm-usage`: containers often have a tiny `/dev/shm`;
/// - `--disable-quic`, `--disable-background-networking`,
///   `--disable-component-update`, `--disable-sync`: no traffic to Google or
///   anywhere but the test's own servers;
/// - `--no-first-run`, `--no-default-browser-check`: no first-run UI;
/// - `--window-size=1280,1024`: screenshots and layout are the same everywhere.
pub const CHROMIUM_FLAGS: [&str; 11] = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1024",
];

/// At most this many browsers at once per test binary: each is a handful of
/// processes, and CI machines may have two cores shared with other test binaries.
const MAX_BROWSERS: usize = 3;
/// Bound on waiting for one of those slots.
const SLOT_TIMEOUT: Duration = Duration::from_secs(180);

/// Browsers running in this process (each test has its own runtime, so this is
/// a plain counter polled asynchronously rather than a runtime's semaphore).
static RUNNING: Mutex<usize> = Mutex::new(0);

/// One of the [`MAX_BROWSERS`] slots; freed on drop.
struct Slot;

impl Slot {
    async fn acquire() -> Slot {
        let deadline = Instant::now() + SLOT_TIMEOUT;
        loop {
            {
                let mut n = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
                if *n < MAX_BROWSERS {
                    *n += 1;
                    return Slot;
                }
            }
            assert!(
                Instant::now() < deadline,
                "no browser slot free within {SLOT_TIMEOUT:?} ({MAX_BROWSERS} browsers running)"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        *RUNNING.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
    }
}

/// Path of the chromedriver binary.
pub fn chromedriver_bin() -> PathBuf {
    std::env::var_os("CHROMEDRIVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("chromedriver"))
}

/// Path of the Chromium binary.
pub fn chromium_bin() -> PathBuf {
    std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// The chromedriver process, its log, and the Chromium profile dir.
struct DriverProcess {
    child: Child,
    /// Holds the profile dir and chromedriver's log.
    dir: tempfile::TempDir,
    profile: PathBuf,
}

impl DriverProcess {
    fn log_path(dir: &Path) -> PathBuf {
        dir.join("chromedriver.log")
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(Self::log_path(self.dir.path())).unwrap_or_default();
        crate::tail(&text, 30)
    }

    /// Kill the process group, then stragglers with our profile on their command line.
    fn kill(&mut self) {
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: signals to the process group we created (its leader is our child).
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        // A killed Chromium takes a moment to die (tearing down a large
        // address space), and a helper may be forking as the first signal
        // lands: signal until none is left, for at most five seconds.
        let deadline = Instant::now() + Duration::from_secs(5);
        while kill_processes_mentioning(&self.profile) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for DriverProcess {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "---- chromedriver log, last lines ----\n{}",
                self.log_tail()
            );
        }
        self.kill();
    }
}

/// SIGKILL every process whose command line contains `marker` (a unique temp
/// path of ours), so no Chromium helper outlives its test even if it left the
/// process group. Answers how many were found (a zombie has no command line).
fn kill_processes_mentioning(marker: &Path) -> usize {
    let marker = marker.to_string_lossy().into_owned();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let mut found = 0;
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<libc::pid_t>().ok())
        else {
            continue;
        };
        let mut cmdline = Vec::new();
        if std::fs::File::open(entry.path().join("cmdline"))
            .and_then(|mut f| f.read_to_end(&mut cmdline))
            .is_err()
        {
            continue;
        }
        if String::from_utf8_lossy(&cmdline).contains(&marker) {
            found += 1;
            // SAFETY: kill(2) on a process that runs with our own temp profile.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
    }
    found
}

/// A chromedriver command outside W3C WebDriver (its Chromium extensions),
/// sent through fantoccini's session: `path` is relative to `/session/{id}/`.
#[derive(Debug)]
struct Extension {
    path: &'static str,
    body: Value,
}

impl WebDriverCompatibleCommand for Extension {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.unwrap_or_default();
        base_url
            .join(&format!("session/{session}/"))?
            .join(self.path)
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

/// One headless Chromium session behind its own chromedriver; derefs to the
/// `fantoccini::Client` of that session.
pub struct Browser {
    client: fantoccini::Client,
    driver: DriverProcess,
    failure_dir: Option<(PathBuf, String)>,
    _slot: Slot,
}

impl std::ops::Deref for Browser {
    type Target = fantoccini::Client;

    fn deref(&self) -> &fantoccini::Client {
        &self.client
    }
}

impl Browser {
    /// Start chromedriver and open a session with [`CHROMIUM_FLAGS`] and a fresh profile.
    pub async fn start() -> Browser {
        let slot = Slot::acquire().await;
        let dir = tempfile::Builder::new()
            .prefix("vitae-browser-")
            .tempdir()
            .expect("temp dir for the browser");
        let profile = dir.path().join("profile");
        std::fs::create_dir(&profile).expect("create profile dir");
        let log = std::fs::File::create(DriverProcess::log_path(dir.path())).expect("driver log");
        let bin = chromedriver_bin();
        let mut cmd = Command::new(&bin);
        cmd.arg("--port=0")
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone().expect("dup log")))
            .stderr(Stdio::from(log));
        {
            use std::os::unix::process::CommandExt;
            // Its own group, so one kill reaches chromedriver and the browser it starts.
            cmd.process_group(0);
        }
        let child = cmd.spawn().unwrap_or_else(|e| {
            panic!(
                "starting {}: {e} (install chromium-driver; .ci/run does)",
                bin.display()
            )
        });
        let mut driver = DriverProcess {
            child,
            dir,
            profile,
        };
        let base = wait_driver_ready(&mut driver).await;

        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", driver.profile.display()));
        let caps = json!({
            "browserName": "chrome",
            "acceptInsecureCerts": false,
            "pageLoadStrategy": "normal",
            // A confirm() before a destructive click (revoke) is accepted,
            // as a person would; the default would dismiss it.
            "unhandledPromptBehavior": "accept",
            "timeouts": {"implicit": 0, "pageLoad": PAGE_LOAD_MS, "script": SCRIPT_MS},
            "goog:chromeOptions": {
                "binary": chromium_bin().to_string_lossy(),
                "args": args,
            },
            // Console messages, for diagnosing a failing page.
            "goog:loggingPrefs": {"browser": "ALL"},
        });
        let Value::Object(caps) = caps else {
            unreachable!("capabilities are an object")
        };
        // chromedriver is on 127.0.0.1: plain HTTP, no TLS stack.
        let mut builder = fantoccini::ClientBuilder::new(HttpConnector::new());
        builder.capabilities(caps);
        let connect = builder.connect(&base);
        let client = match tokio::time::timeout(SESSION_TIMEOUT, connect).await {
            Ok(Ok(client)) => client,
            Ok(Err(e)) => panic!(
                "new WebDriver session: {e}\nchromedriver log:\n{}",
                driver.log_tail()
            ),
            Err(_) => panic!(
                "no WebDriver session within {SESSION_TIMEOUT:?}\nchromedriver log:\n{}",
                driver.log_tail()
            ),
        };
        Browser {
            client,
            driver,
            failure_dir: None,
            _slot: slot,
        }
    }

    /// When a `wait_*` helper times out, save a screenshot as `DIR/failure-NAME.png`.
    pub fn keep_failures_in(mut self, dir: &Path, name: &str) -> Browser {
        self.failure_dir = Some((dir.to_path_buf(), name.to_string()));
        self
    }

    /// The Chromium profile dir (unique to this browser; it is on the command
    /// line of every Chromium process of this session).
    pub fn profile_dir(&self) -> PathBuf {
        self.driver.profile.clone()
    }

    /// The chromedriver process id (also its process group id).
    pub fn driver_pid(&self) -> u32 {
        self.driver.child.id()
    }

    /// The first element matching `css`, or `None` when there is none.
    pub async fn try_find(&self, css: &str) -> WdResult<Option<Element>> {
        match self.client.find(Locator::Css(css)).await {
            Ok(el) => Ok(Some(el)),
            Err(e) if e.is_no_such_element() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// A PNG of the whole page, beyond the viewport (Chromium's DevTools
    /// `Page.captureScreenshot` through chromedriver; W3C WebDriver has only
    /// viewport screenshots).
    pub async fn screenshot_full_page(&self) -> WdResult<Vec<u8>> {
        let metrics = self.cdp("Page.getLayoutMetrics", json!({})).await?;
        let size = &metrics["cssContentSize"];
        let (Some(w), Some(h)) = (size["width"].as_f64(), size["height"].as_f64()) else {
            return Err(CmdError::NotW3C(metrics));
        };
        let shot = self
            .cdp(
                "Page.captureScreenshot",
                json!({
                    "format": "png",
                    "captureBeyondViewport": true,
                    "clip": {"x": 0, "y": 0, "width": w.ceil(), "height": h.ceil(), "scale": 1},
                }),
            )
            .await?;
        let data = shot["data"].as_str().unwrap_or_default();
        base64_decode(data).map_err(|_| CmdError::NotW3C(shot))
    }

    /// A Chrome DevTools Protocol command, through chromedriver.
    pub async fn cdp(&self, cmd: &str, params: Value) -> WdResult<Value> {
        self.client
            .issue_cmd(Extension {
                path: "goog/cdp/execute",
                body: json!({"cmd": cmd, "params": params}),
            })
            .await
    }

    /// The page printed to PDF with the browser's own defaults (US Letter,
    /// 1 cm margins, no backgrounds), as a person's "Print → Save as PDF"
    /// would; fantoccini's default page is A4.
    pub async fn print_pdf(&self) -> WdResult<Vec<u8>> {
        let config = PrintConfiguration::builder()
            .size(PrintSize::US_LETTER)
            .margins(PrintMargins::default())
            .build()
            .expect("a valid print configuration");
        self.client.print(config).await
    }

    /// The browser console's messages since the last call (chromedriver's log endpoint).
    pub async fn console_log(&self) -> Vec<String> {
        let entries = self
            .client
            .issue_cmd(Extension {
                path: "se/log",
                body: json!({"type": "browser"}),
            })
            .await;
        match entries {
            Ok(Value::Array(entries)) => entries
                .iter()
                .map(|e| {
                    format!(
                        "{} {}",
                        e["level"].as_str().unwrap_or(""),
                        e["message"].as_str().unwrap_or("")
                    )
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The first ~800 characters of the body's rendered text (for failure messages).
    pub async fn page_text_excerpt(&self) -> String {
        let v = self
            .client
            .execute(
                "return document.body ? document.body.innerText.slice(0, 800) : '(no body)';",
                vec![],
            )
            .await;
        match v {
            Ok(v) => v.as_str().unwrap_or_default().to_string(),
            Err(e) => format!("(could not read the page: {e})"),
        }
    }

    /// Poll until an element matches `css` (within `timeout`); panics with
    /// [`Browser::try_wait_for_element`]'s report otherwise.
    pub async fn wait_for_element(&self, css: &str, timeout: Duration) -> Element {
        self.try_wait_for_element(css, timeout)
            .await
            .unwrap_or_else(|report| panic!("{report}"))
    }

    /// Poll until an element matches `css`; on timeout, the report says what
    /// was awaited and shows the page.
    pub async fn try_wait_for_element(
        &self,
        css: &str,
        timeout: Duration,
    ) -> Result<Element, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let seen = match self.try_find(css).await {
                Ok(Some(el)) => return Ok(el),
                Ok(None) => "no match".to_string(),
                Err(e) => format!("error: {e}"),
            };
            if Instant::now() >= deadline {
                let what = format!("an element matching {css:?}");
                return Err(self.timeout_report(&what, timeout, &seen).await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Poll until `script` (a function body) returns a truthy scalar (`true`, a
    /// non-empty string, a non-zero number); returns it. Anything else means
    /// "not yet": `null`, `false`, or an object describing the state, which the
    /// panic message shows as the last value seen (so a script can return
    /// `cond || {details}`). `what` names the awaited condition.
    pub async fn wait_until(&self, what: &str, script: &str, timeout: Duration) -> Value {
        self.try_wait_until(what, script, timeout)
            .await
            .unwrap_or_else(|report| panic!("{report}"))
    }

    /// [`Browser::wait_until`] that returns the report instead of panicking.
    pub async fn try_wait_until(
        &self,
        what: &str,
        script: &str,
        timeout: Duration,
    ) -> Result<Value, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let seen = match self.client.execute(script, vec![]).await {
                Ok(v) if is_done(&v) => return Ok(v),
                Ok(v) => v.to_string(),
                // A navigation in flight can make a script fail; that is "not yet".
                Err(e) => format!("script error: {e}"),
            };
            if Instant::now() >= deadline {
                return Err(self.timeout_report(what, timeout, &seen).await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// What a timed-out wait awaited and saw, with the page's URL, text and
    /// console; saves a screenshot when the browser has a failure dir.
    async fn timeout_report(&self, what: &str, timeout: Duration, seen: &str) -> String {
        let mut shot = String::new();
        if let Some((dir, name)) = &self.failure_dir {
            if let Ok(png) = self.client.screenshot().await {
                let _ = std::fs::create_dir_all(dir);
                let path = dir.join(format!("failure-{name}.png"));
                if std::fs::write(&path, png).is_ok() {
                    shot = format!("\nscreenshot: {}", path.display());
                }
            }
        }
        let url = match self.client.current_url().await {
            Ok(u) => u.to_string(),
            Err(e) => format!("(unknown: {e})"),
        };
        format!(
            "timed out after {timeout:?} waiting for {what}; last seen: {seen}\nurl: {url}\npage text: {}\nconsole: {:#?}{shot}",
            self.page_text_excerpt().await,
            self.console_log().await,
        )
    }

    /// End the session (Chromium quits) and stop chromedriver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        self.driver.kill();
    }
}

/// Does a `wait_until` script's result mean the condition holds? A truthy
/// scalar does; objects and arrays are reports of the state so far.
fn is_done(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Null | Value::Array(_) | Value::Object(_) => false,
    }
}

/// Wait for chromedriver's "started successfully on port N" line, then for
/// `/status` to say ready; returns `http://127.0.0.1:N`.
async fn wait_driver_ready(driver: &mut DriverProcess) -> String {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("http client");
    let deadline = Instant::now() + DRIVER_START_TIMEOUT;
    let log = DriverProcess::log_path(driver.dir.path());
    let mut port: Option<u16> = None;
    let mut last = String::from("nothing yet");
    loop {
        if let Ok(Some(status)) = driver.child.try_wait() {
            panic!(
                "chromedriver exited ({status}) before it was ready; log:\n{}",
                driver.log_tail()
            );
        }
        if port.is_none() {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            port = text
                .split("started successfully on port ")
                .nth(1)
                .and_then(|rest| {
                    rest.split(|c: char| !c.is_ascii_digit())
                        .next()
                        .and_then(|d| d.parse().ok())
                });
        }
        if let Some(port) = port {
            let base = format!("http://127.0.0.1:{port}");
            match http.get(format!("{base}/status")).send().await {
                Ok(r) => match r.json::<Value>().await {
                    Ok(v) if v["value"]["ready"] == true => return base,
                    Ok(v) => last = format!("/status: {v}"),
                    Err(e) => last = format!("/status: {e}"),
                },
                Err(e) => last = format!("/status: {e}"),
            }
        }
        if Instant::now() >= deadline {
            panic!(
                "chromedriver not ready within {DRIVER_START_TIMEOUT:?}; last seen: {last}; log:\n{}",
                driver.log_tail()
            );
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Decode the standard base64 that chromedriver's DevTools answers use.
pub fn base64_decode(s: &str) -> Result<Vec<u8>, String> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .map_err(|e| e.to_string())
}

/// The number of pages of a PDF: its `/Type /Page` objects (not `/Pages`, the
/// page tree nodes). Chromium writes page dictionaries uncompressed, so a byte
/// scan is enough.
pub fn pdf_page_count(pdf: &[u8]) -> usize {
    let mut count = 0;
    let mut i = 0;
    while let Some(pos) = find(&pdf[i..], b"/Type") {
        let mut j = i + pos + b"/Type".len();
        while j < pdf.len() && pdf[j].is_ascii_whitespace() {
            j += 1;
        }
        if pdf[j..].starts_with(b"/Page") {
            let after = pdf.get(j + b"/Page".len()).copied().unwrap_or(b' ');
            // `/Pages` and any other name that merely starts with "Page".
            if !after.is_ascii_alphanumeric() {
                count += 1;
            }
        }
        i = j;
    }
    count
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_pages_counts_page_objects_only() {
        let pdf = b"1 0 obj <</Type /Pages /Count 2 /Kids [2 0 R 3 0 R]>>\n\
                    2 0 obj <</Type /Page /Parent 1 0 R>>\n\
                    3 0 obj <</Type/Page/Parent 1 0 R>>\n\
                    4 0 obj <</Type /PageLabel>>";
        assert_eq!(pdf_page_count(pdf), 2);
        assert_eq!(pdf_page_count(b"%PDF-1.4"), 0);
    }

    #[test]
    fn waits_end_on_truthy_scalars_only() {
        assert!(!is_done(&Value::Null));
        assert!(!is_done(&json!(false)));
        assert!(!is_done(&json!(0)));
        assert!(!is_done(&json!("")));
        assert!(!is_done(&json!({"readyState": 0})));
        assert!(!is_done(&json!([1])));
        assert!(is_done(&json!(true)));
        assert!(is_done(&json!("complete")));
        assert!(is_done(&json!(2)));
    }
}
