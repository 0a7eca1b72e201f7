//! A small W3C WebDriver client for the browser tests: starts `chromedriver`,
//! opens one headless Chromium session through it, and speaks the WebDriver
//! HTTP protocol with reqwest (navigate, find by CSS, click, send keys, read
//! text and attributes, run scripts, screenshot, print to PDF).
//!
//! Why hand-written: the tests need about fifteen endpoints, all plain JSON
//! over HTTP, and reqwest, tokio and serde_json are already here; a WebDriver
//! crate would bring its own HTTP stack for no extra behaviour.
//!
//! Process hygiene: every [`Browser`] owns one `chromedriver` started in its own
//! process group with `--port=0` (it prints the port it bound, so there is no
//! free-port race between parallel tests), and one fresh Chromium profile dir.
//! Dropping the [`Browser`] — also while a test panics — kills that process
//! group (Chromium and all its helpers stay in it), then, in case the browser
//! process ever left the group, any process with that profile dir on its
//! command line, and removes the profile.
//!
//! Every wait is bounded: requests have timeouts, and the `wait_*` helpers poll
//! against a deadline and panic with what they were waiting for, what they saw
//! last, the page's URL and the start of its text (and save a screenshot when
//! the browser has a failure dir).
//!
//! The binaries are `$CHROMEDRIVER` (default `chromedriver` on `PATH`) and
//! `$CHROMIUM` (default `/usr/bin/chromium`).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

/// The key W3C WebDriver uses for element references in JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Bound on one WebDriver command (navigation and scripts have their own,
/// shorter, session timeouts, so this only catches a wedged driver).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(45);
/// Bound on chromedriver printing its port and answering `/status` ready.
const DRIVER_START_TIMEOUT: Duration = Duration::from_secs(20);
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

/// A WebDriver error answer: the W3C error code and message.
#[derive(Debug, Clone)]
pub struct WdError {
    /// HTTP status of the answer (0 when the request itself failed).
    pub status: u16,
    /// W3C error code, e.g. `no such element`, `javascript error`.
    pub code: String,
    pub message: String,
}

impl std::fmt::Display for WdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status, self.message)
    }
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
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while kill_processes_mentioning(&self.profile) > 0 && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
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

/// The HTTP side of one session; shared by the [`Browser`] and its [`Element`]s.
struct Wire {
    http: reqwest::Client,
    /// `http://127.0.0.1:PORT/session/ID`
    session: String,
}

impl Wire {
    /// Send one command; `Ok(value)` is the answer's `value` member.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, WdError> {
        let url = format!("{}{}", self.session, path);
        call_at(&self.http, method, &url, body).await
    }
}

async fn call_at(
    http: &reqwest::Client,
    method: Method,
    url: &str,
    body: Option<Value>,
) -> Result<Value, WdError> {
    let mut rb = http.request(method.clone(), url);
    // chromedriver wants a JSON body (even `{}`) on every POST.
    if method == Method::POST {
        rb = rb.json(&body.unwrap_or_else(|| json!({})));
    }
    let fail = |code: &str, message: String| WdError {
        status: 0,
        code: code.to_string(),
        message,
    };
    let resp = rb
        .send()
        .await
        .map_err(|e| fail("transport", format!("{method} {url}: {e}")))?;
    let status = resp.status().as_u16();
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| fail("transport", format!("{method} {url}: reading body: {e}")))?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|e| WdError {
        status,
        code: "bad answer".into(),
        message: format!(
            "{method} {url}: not JSON ({e}): {}",
            String::from_utf8_lossy(&bytes)
        ),
    })?;
    let value = v.get("value").cloned().unwrap_or(Value::Null);
    if (200..300).contains(&status) {
        return Ok(value);
    }
    Err(WdError {
        status,
        code: value["error"]
            .as_str()
            .unwrap_or("unknown error")
            .to_string(),
        message: format!(
            "{method} {url}: {}",
            value["message"].as_str().unwrap_or_default()
        ),
    })
}

/// One headless Chromium session behind its own chromedriver.
pub struct Browser {
    wire: Arc<Wire>,
    driver: DriverProcess,
    failure_dir: Option<(PathBuf, String)>,
    _slot: Slot,
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
        let http = reqwest::Client::builder()
            .timeout(COMMAND_TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .build()
            .expect("webdriver http client");
        let base = wait_driver_ready(&mut driver, &http).await;

        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", driver.profile.display()));
        let caps = json!({
            "capabilities": {"alwaysMatch": {
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
            }}
        });
        let v = call_at(&http, Method::POST, &format!("{base}/session"), Some(caps))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "new WebDriver session: {e}\nchromedriver log:\n{}",
                    driver.log_tail()
                )
            });
        let id = v["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no sessionId in {v}"))
            .to_string();
        Browser {
            wire: Arc::new(Wire {
                http,
                session: format!("{base}/session/{id}"),
            }),
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

    /// Send a raw command to this session (`path` after `/session/{id}`).
    pub async fn command(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, WdError> {
        self.wire.call(method, path, body).await
    }

    async fn must(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        self.command(method, path, body)
            .await
            .unwrap_or_else(|e| panic!("WebDriver command failed: {e}"))
    }

    /// Navigate and wait for the page's load event.
    pub async fn goto(&self, url: &str) {
        self.must(Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    /// The current URL.
    pub async fn current_url(&self) -> String {
        let v = self.must(Method::GET, "/url", None).await;
        v.as_str().unwrap_or_default().to_string()
    }

    /// The document's title.
    pub async fn title(&self) -> String {
        let v = self.must(Method::GET, "/title", None).await;
        v.as_str().unwrap_or_default().to_string()
    }

    /// The first element matching `css`, or `None`.
    pub async fn try_find(&self, css: &str) -> Option<Element> {
        let body = json!({"using": "css selector", "value": css});
        match self.command(Method::POST, "/element", Some(body)).await {
            Ok(v) => Some(Element::from_json(&self.wire, &v, css)),
            Err(e) if e.code == "no such element" => None,
            Err(e) => panic!("finding {css:?}: {e}"),
        }
    }

    /// The first element matching `css`; panics when there is none.
    pub async fn find(&self, css: &str) -> Element {
        match self.try_find(css).await {
            Some(el) => el,
            None => panic!(
                "no element matches {css:?} on {}\npage text: {}",
                self.current_url().await,
                self.page_text_excerpt().await
            ),
        }
    }

    /// Every element matching `css`, in document order.
    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        let body = json!({"using": "css selector", "value": css});
        let v = self.must(Method::POST, "/elements", Some(body)).await;
        v.as_array()
            .unwrap_or_else(|| panic!("elements answer is not a list: {v}"))
            .iter()
            .map(|e| Element::from_json(&self.wire, e, css))
            .collect()
    }

    /// Run `script` as the body of a function with `args` (`arguments[i]`); its
    /// `return` value comes back as JSON (elements as WebDriver references).
    pub async fn execute(&self, script: &str, args: &[Value]) -> Result<Value, WdError> {
        let body = json!({"script": script, "args": args});
        self.command(Method::POST, "/execute/sync", Some(body))
            .await
    }

    /// [`Browser::execute`] that panics on a script error.
    pub async fn js(&self, script: &str, args: &[Value]) -> Value {
        self.execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\nscript: {script}"))
    }

    /// Run an asynchronous script: it gets a callback as its last argument and
    /// its result is what it passes to that callback (bounded by the session's
    /// script timeout).
    pub async fn execute_async(&self, script: &str, args: &[Value]) -> Result<Value, WdError> {
        let body = json!({"script": script, "args": args});
        self.command(Method::POST, "/execute/async", Some(body))
            .await
    }

    /// A PNG of the viewport.
    pub async fn screenshot(&self) -> Vec<u8> {
        let v = self.must(Method::GET, "/screenshot", None).await;
        base64_decode(v.as_str().unwrap_or_else(|| panic!("screenshot: {v}")))
            .unwrap_or_else(|e| panic!("screenshot is not base64: {e}"))
    }

    /// A PNG of the whole page, beyond the viewport (Chromium's DevTools
    /// `Page.captureScreenshot` through chromedriver; W3C WebDriver has only
    /// viewport screenshots).
    pub async fn screenshot_full_page(&self) -> Vec<u8> {
        let metrics = self.cdp("Page.getLayoutMetrics", json!({})).await;
        let size = &metrics["cssContentSize"];
        let (w, h) = (size["width"].as_f64(), size["height"].as_f64());
        let (Some(w), Some(h)) = (w, h) else {
            panic!("no cssContentSize in {metrics}");
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
            .await;
        base64_decode(
            shot["data"]
                .as_str()
                .unwrap_or_else(|| panic!("screenshot: {shot}")),
        )
        .unwrap_or_else(|e| panic!("screenshot is not base64: {e}"))
    }

    /// A Chrome DevTools Protocol command, through chromedriver.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        let body = json!({"cmd": cmd, "params": params});
        self.must(Method::POST, "/goog/cdp/execute", Some(body))
            .await
    }

    /// The page printed to PDF with the browser's defaults (US Letter, 1 cm
    /// margins, no backgrounds), as a person's "Print → Save as PDF" would.
    pub async fn print_pdf(&self) -> Vec<u8> {
        let v = self.must(Method::POST, "/print", Some(json!({}))).await;
        base64_decode(v.as_str().unwrap_or_else(|| panic!("print: {v}")))
            .unwrap_or_else(|e| panic!("printed PDF is not base64: {e}"))
    }

    /// The browser console's messages since the last call (Chromium's log endpoint).
    pub async fn console_log(&self) -> Vec<String> {
        match self
            .command(Method::POST, "/se/log", Some(json!({"type": "browser"})))
            .await
        {
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
            .execute(
                "return document.body ? document.body.innerText.slice(0, 800) : '(no body)';",
                &[],
            )
            .await;
        match v {
            Ok(v) => v.as_str().unwrap_or_default().to_string(),
            Err(e) => format!("(could not read the page: {e})"),
        }
    }

    /// Poll until an element matches `css` (within `timeout`); panics with
    /// [`Browser::try_wait_for`]'s report otherwise.
    pub async fn wait_for(&self, css: &str, timeout: Duration) -> Element {
        self.try_wait_for(css, timeout)
            .await
            .unwrap_or_else(|report| panic!("{report}"))
    }

    /// Poll until an element matches `css`; on timeout, the report says what
    /// was awaited and shows the page.
    pub async fn try_wait_for(&self, css: &str, timeout: Duration) -> Result<Element, String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(el) = self.try_find(css).await {
                return Ok(el);
            }
            if Instant::now() >= deadline {
                let what = format!("an element matching {css:?}");
                return Err(self.timeout_report(&what, timeout, "no match").await);
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
            let seen = match self.execute(script, &[]).await {
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
            if let Ok(v) = self.command(Method::GET, "/screenshot", None).await {
                if let Some(png) = v.as_str().and_then(|s| base64_decode(s).ok()) {
                    let _ = std::fs::create_dir_all(dir);
                    let path = dir.join(format!("failure-{name}.png"));
                    if std::fs::write(&path, png).is_ok() {
                        shot = format!("\nscreenshot: {}", path.display());
                    }
                }
            }
        }
        let url = match self.command(Method::GET, "/url", None).await {
            Ok(v) => v.as_str().unwrap_or_default().to_string(),
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
        let _ = self.wire.call(Method::DELETE, "", None).await;
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
async fn wait_driver_ready(driver: &mut DriverProcess, http: &reqwest::Client) -> String {
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
            match call_at(http, Method::GET, &format!("{base}/status"), None).await {
                Ok(v) if v["ready"] == true => return base,
                Ok(v) => last = format!("/status: {v}"),
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

/// A reference to an element of the current page.
#[derive(Clone)]
pub struct Element {
    wire: Arc<Wire>,
    id: String,
    /// The selector that found it, for messages.
    css: String,
}

impl std::fmt::Debug for Element {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Element({:?})", self.css)
    }
}

impl Element {
    fn from_json(wire: &Arc<Wire>, v: &Value, css: &str) -> Element {
        let id = v[ELEMENT_KEY]
            .as_str()
            .unwrap_or_else(|| panic!("not an element reference: {v}"))
            .to_string();
        Element {
            wire: wire.clone(),
            id,
            css: css.to_string(),
        }
    }

    /// The WebDriver JSON reference, to pass an element to a script.
    pub fn to_json(&self) -> Value {
        json!({ ELEMENT_KEY: self.id })
    }

    async fn must(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        self.wire
            .call(method, &format!("/element/{}{path}", self.id), body)
            .await
            .unwrap_or_else(|e| panic!("element {:?}: {e}", self.css))
    }

    /// Click it as a user would (scrolls into view; fails if something covers it).
    pub async fn click(&self) {
        self.must(Method::POST, "/click", None).await;
    }

    /// Type `text` into it; for `<input type=file>`, `text` is an absolute path.
    pub async fn send_keys(&self, text: &str) {
        self.must(Method::POST, "/value", Some(json!({ "text": text })))
            .await;
    }

    /// Empty an input or textarea.
    pub async fn clear(&self) {
        self.must(Method::POST, "/clear", None).await;
    }

    /// Its rendered text (as a user sees it: hidden text is not included).
    pub async fn text(&self) -> String {
        let v = self.must(Method::GET, "/text", None).await;
        v.as_str().unwrap_or_default().to_string()
    }

    /// An HTML attribute (`None` when absent).
    pub async fn attribute(&self, name: &str) -> Option<String> {
        let v = self
            .must(Method::GET, &format!("/attribute/{name}"), None)
            .await;
        v.as_str().map(str::to_string)
    }

    /// A DOM property (e.g. `href` resolved to an absolute URL, `value`).
    pub async fn property(&self, name: &str) -> Value {
        self.must(Method::GET, &format!("/property/{name}"), None)
            .await
    }

    /// Is it displayed (WebDriver's visibility algorithm)?
    pub async fn is_displayed(&self) -> bool {
        self.must(Method::GET, "/displayed", None).await == Value::Bool(true)
    }

    /// Its tag name, lower case.
    pub async fn tag_name(&self) -> String {
        let v = self.must(Method::GET, "/name", None).await;
        v.as_str().unwrap_or_default().to_ascii_lowercase()
    }

    /// Descendants matching `css`.
    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        let body = json!({"using": "css selector", "value": css});
        let v = self.must(Method::POST, "/elements", Some(body)).await;
        v.as_array()
            .unwrap_or_else(|| panic!("elements answer is not a list: {v}"))
            .iter()
            .map(|e| Element::from_json(&self.wire, e, &format!("{} {css}", self.css)))
            .collect()
    }
}

/// Decode the standard base64 WebDriver answers with (screenshots, PDFs).
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
