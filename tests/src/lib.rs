//! Harness for the end-to-end tests: starts the real `vitae-server` binary on a
//! free port with a temporary data dir, and drives it over HTTP and SSE.
//!
//! - [`TestServer`] owns one server process: start, SIGTERM, SIGKILL, restart on
//!   the same data dir. Every process it starts is killed when the test binary
//!   exits, however it exits (Linux `PR_SET_PDEATHSIG`, plus an `atexit` hook
//!   that also removes the data dirs of servers kept in statics).
//! - [`Api`] is an HTTP client bound to one base URL and one bearer token. Every
//!   network await is bounded by a timeout, and every response is checked for a
//!   5xx status (no request in these tests may ever get one).
//! - [`SseStream`] reads the raw byte stream of an SSE response and parses it
//!   into [`SseFrame`]s, so tests can assert ids, retry hints and heartbeats.
//!
//! The server binary is `$VITAE_SERVER_BIN`, or `vitae-server` in the same
//! target dir as the test executable (`cargo build --workspace --bins` first).

pub mod webdriver;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::Value;

pub use serde_json::json;

/// The person every fixture describes.
pub const FIXTURE_NAME: &str = "Zoë Lindqvist";
pub const FIXTURE_EMAIL: &str = "zoe.lindqvist@example.com";

pub const CT_PDF: &str = "application/pdf";
pub const CT_DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const CT_MD: &str = "text/markdown";
pub const CT_TXT: &str = "text/plain";
pub const CT_JSON: &str = "application/json";

/// Bound on any single plain HTTP request (connect, send, read the whole body).
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(30);
/// Bound on a parse reaching `ready` or `failed`.
pub const PARSE_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the server may take to print its listening line.
pub const START_TIMEOUT: Duration = Duration::from_secs(20);
/// Default bound on waiting for the next SSE frame.
pub const FRAME_TIMEOUT: Duration = Duration::from_secs(15);

/// Stages of the parse stream, in order; the progress event of stage `i` has id `i + 1`.
pub const STAGES: [&str; 6] = [
    "received",
    "extracting",
    "sectioning",
    "fields",
    "validating",
    "stored",
];
/// The id of the terminal (`complete` or `failed`) event on a parse stream.
pub const TERMINAL_ID: &str = "7";

// ---------------------------------------------------------------------------
// Fixtures

/// The bytes of `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading fixture {}: {e}", path.display()))
}

/// The content type the fixture `name` is uploaded with, by its extension.
pub fn content_type_for(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("pdf") => CT_PDF,
        Some("docx") => CT_DOCX,
        Some("md") => CT_MD,
        Some("txt") => CT_TXT,
        Some("json") => CT_JSON,
        _ => panic!("no content type for fixture {name}"),
    }
}

/// The five good fixtures.
pub const GOOD_FIXTURES: [&str; 5] = [
    "resume.pdf",
    "resume.docx",
    "resume.md",
    "resume.txt",
    "resume.json",
];

// ---------------------------------------------------------------------------
// The server binary and processes

/// Path of the `vitae-server` binary under test.
pub fn server_bin() -> PathBuf {
    workspace_bin("vitae-server", "VITAE_SERVER_BIN")
}

/// Path of the `vitae` client binary under test.
pub fn client_bin() -> PathBuf {
    workspace_bin("vitae", "VITAE_CLIENT_BIN")
}

/// A binary of the workspace: `$ENV_VAR`, else next to the test executable's
/// profile dir (`target/<profile>/deps/<test>` → `target/<profile>/<name>`).
fn workspace_bin(name: &str, env_var: &str) -> PathBuf {
    if let Some(p) = std::env::var_os(env_var) {
        let p = PathBuf::from(p);
        assert!(p.is_file(), "{env_var}={} does not exist", p.display());
        return p;
    }
    let exe = std::env::current_exe().expect("current_exe");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test executable has no grandparent dir");
    let bin = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.is_file(),
        "binary {} is missing: run `cargo build --workspace --bins` first (or set {env_var})",
        bin.display()
    );
    bin
}

struct SpawnRequest {
    cmd: Command,
    reply: mpsc::Sender<std::io::Result<Child>>,
}

/// Spawns server processes from one thread that lives as long as the test
/// binary, so `PR_SET_PDEATHSIG` (which fires when the *spawning thread* dies)
/// kills them exactly when the test binary exits.
fn spawn_server_process(cmd: Command) -> std::io::Result<Child> {
    static SPAWNER: OnceLock<Mutex<mpsc::Sender<SpawnRequest>>> = OnceLock::new();
    let tx = SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<SpawnRequest>();
        std::thread::Builder::new()
            .name("vitae-server-spawner".into())
            .spawn(move || {
                for mut req in rx {
                    let res = req.cmd.spawn();
                    let _ = req.reply.send(res);
                }
            })
            .expect("spawn the spawner thread");
        // SAFETY: registering a plain extern "C" fn with no captured state.
        unsafe {
            libc::atexit(cleanup_at_exit);
        }
        Mutex::new(tx)
    });
    let (reply, rx) = mpsc::channel();
    tx.lock()
        .unwrap()
        .send(SpawnRequest { cmd, reply })
        .expect("spawner thread is gone");
    rx.recv().expect("spawner thread is gone")
}

/// Processes and data dirs still alive, for the `atexit` hook: servers kept in
/// statics are never dropped.
fn live_registry() -> &'static Mutex<HashMap<u32, PathBuf>> {
    static LIVE: OnceLock<Mutex<HashMap<u32, PathBuf>>> = OnceLock::new();
    LIVE.get_or_init(|| Mutex::new(HashMap::new()))
}

extern "C" fn cleanup_at_exit() {
    let Ok(live) = live_registry().lock() else {
        return;
    };
    for (pid, dir) in live.iter() {
        // SAFETY: plain syscalls on a pid we started.
        unsafe {
            libc::kill(*pid as libc::pid_t, libc::SIGKILL);
            let mut status = 0;
            libc::waitpid(*pid as libc::pid_t, &mut status, 0);
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}

fn unique(prefix: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let rand = uuid::Uuid::new_v4().simple().to_string();
    format!("{prefix}-{n}-{}", &rand[..6])
}

/// One `vitae-server serve` process on `127.0.0.1:<free port>` with a temp data dir.
pub struct TestServer {
    root: tempfile::TempDir,
    data_dir: PathBuf,
    /// The data dir came from the test: `admin.token` may legitimately be absent.
    foreign_dir: bool,
    args: Vec<String>,
    /// Extra environment for the process (e.g. `RUST_LOG`), kept for restarts.
    env: Vec<(String, String)>,
    child: Option<Child>,
    base: String,
    admin_token: String,
}

impl TestServer {
    /// Start a server with default settings.
    pub fn start() -> TestServer {
        Self::start_with(&[])
    }

    /// Start a server with extra `serve` flags (kept for [`TestServer::restart`]).
    pub fn start_with(args: &[&str]) -> TestServer {
        let root = Self::scratch_root();
        let data_dir = root.path().join("data");
        std::fs::create_dir(&data_dir).expect("create data dir");
        Self::launch(root, data_dir, false, args, &[])
    }

    /// Start a server with extra `serve` flags and environment variables
    /// (both kept for [`TestServer::restart`]), e.g. `RUST_LOG=debug`.
    /// `VITAE_*` variables are still taken from the flags alone.
    pub fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> TestServer {
        let root = Self::scratch_root();
        let data_dir = root.path().join("data");
        std::fs::create_dir(&data_dir).expect("create data dir");
        Self::launch(root, data_dir, false, args, env)
    }

    /// Start a server on a data dir the test made (e.g. after `token create`).
    /// The test owns that dir; `admin.token` is read when present.
    pub fn start_in(data_dir: &Path, args: &[&str]) -> TestServer {
        Self::launch(
            Self::scratch_root(),
            data_dir.to_path_buf(),
            true,
            args,
            &[],
        )
    }

    fn scratch_root() -> tempfile::TempDir {
        tempfile::Builder::new()
            .prefix("vitae-e2e-")
            .tempdir()
            .expect("temp dir")
    }

    fn launch(
        root: tempfile::TempDir,
        data_dir: PathBuf,
        foreign_dir: bool,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> TestServer {
        let mut server = TestServer {
            root,
            data_dir,
            foreign_dir,
            args: args.iter().map(|s| s.to_string()).collect(),
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            child: None,
            base: String::new(),
            admin_token: String::new(),
        };
        server.spawn();
        server
    }

    /// The data dir handed to `--data-dir`.
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir.clone()
    }

    /// Where the server's stderr goes (appended across restarts).
    pub fn stderr_path(&self) -> PathBuf {
        self.root.path().join("server.stderr.log")
    }

    /// Everything the server has written to stderr so far.
    pub fn stderr_contents(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(self.stderr_path()).unwrap_or_default()).into_owned()
    }

    fn spawn(&mut self) {
        let bin = server_bin();
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.stderr_path())
            .expect("open stderr log");
        let mut cmd = Command::new(&bin);
        // Settings come from the flags alone, never from the environment of the test run.
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("VITAE_") {
                cmd.env_remove(k);
            }
        }
        cmd.arg("serve")
            .arg("--addr")
            .arg("127.0.0.1:0")
            .arg("--data-dir")
            .arg(self.data_dir())
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("RUST_BACKTRACE", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr));
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::process::CommandExt;
            // SAFETY: prctl is async-signal-safe.
            unsafe {
                cmd.pre_exec(|| {
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                    Ok(())
                });
            }
        }
        let mut child =
            spawn_server_process(cmd).unwrap_or_else(|e| panic!("spawning {}: {e}", bin.display()));
        live_registry()
            .lock()
            .unwrap()
            .insert(child.id(), self.root.path().to_path_buf());

        // Read stdout on a thread until the listening line, then keep draining it.
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel::<String>();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let mut sent = false;
            loop {
                line.clear();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if !sent {
                            if let Some(rest) =
                                line.trim().strip_prefix("vitae-server listening on ")
                            {
                                let _ = tx.send(rest.trim().trim_end_matches('/').to_string());
                                sent = true;
                            }
                        }
                    }
                }
            }
        });
        let deadline = Instant::now() + START_TIMEOUT;
        let base = loop {
            match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(base) => break base,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Ok(Some(status)) = child.try_wait() {
                        live_registry().lock().unwrap().remove(&child.id());
                        panic!(
                            "vitae-server exited ({status}) before listening; stderr:\n{}",
                            tail(&self.stderr_contents(), 60)
                        );
                    }
                    if Instant::now() > deadline {
                        let _ = child.kill();
                        let _ = child.wait();
                        live_registry().lock().unwrap().remove(&child.id());
                        panic!(
                            "vitae-server did not print its listening line within {START_TIMEOUT:?}; stderr:\n{}",
                            tail(&self.stderr_contents(), 60)
                        );
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let status = child.wait().ok();
                    live_registry().lock().unwrap().remove(&child.id());
                    panic!(
                        "vitae-server closed stdout without a listening line (exit {status:?}); stderr:\n{}",
                        tail(&self.stderr_contents(), 60)
                    );
                }
            }
        };
        assert!(
            base.starts_with("http://127.0.0.1:"),
            "unexpected listening address {base:?}"
        );
        self.base = base;
        self.child = Some(child);
        let token_path = self.data_dir().join("admin.token");
        if self.foreign_dir && !token_path.exists() {
            return;
        }
        let token = std::fs::read_to_string(&token_path).unwrap_or_else(|e| {
            panic!(
                "{} must exist once the server listens: {e}",
                token_path.display()
            )
        });
        let token = token.trim().to_string();
        assert!(!token.is_empty(), "admin.token is empty");
        self.admin_token = token;
    }

    /// `http://127.0.0.1:PORT` (changes on every restart).
    pub fn url(&self) -> &str {
        &self.base
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("server is not running").id()
    }

    /// The token from `DATA_DIR/admin.token`.
    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    /// A client for this server with `token` as its bearer token.
    pub fn api(&self, token: &str) -> Api {
        Api::new(&self.base, Some(token))
    }

    /// A client without any token.
    pub fn anon(&self) -> Api {
        Api::new(&self.base, None)
    }

    /// A client with the admin token.
    pub fn admin(&self) -> Api {
        self.api(&self.admin_token)
    }

    /// `POST /v1/admin/tokens {"user": name}`; returns the new token.
    pub async fn create_user(&self, name: &str) -> String {
        let r = self
            .admin()
            .post_json("/v1/admin/tokens", &json!({ "user": name }))
            .await;
        assert_eq!(r.status, 201, "creating user {name}: {}", r.text());
        let v = r.json();
        assert_eq!(v["user"], name, "token resource: {v}");
        assert_eq!(v["admin"], false, "token resource: {v}");
        assert!(v["created_at"].is_string(), "token resource: {v}");
        v["token"]
            .as_str()
            .unwrap_or_else(|| panic!("no token in {v}"))
            .to_string()
    }

    /// A fresh user with a unique name starting with `prefix`, and its client.
    pub async fn user(&self, prefix: &str) -> Api {
        let name = unique(prefix);
        let token = self.create_user(&name).await;
        let mut api = self.api(&token);
        api.user = Some(name);
        api
    }

    /// Send a signal to the running server.
    pub fn signal(&self, sig: libc::c_int) {
        // SAFETY: kill(2) on the pid of our own child.
        let rc = unsafe { libc::kill(self.pid() as libc::pid_t, sig) };
        assert_eq!(rc, 0, "kill({}, {sig}) failed", self.pid());
    }

    /// SIGKILL the server and reap it.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
            live_registry().lock().unwrap().remove(&child.id());
        }
    }

    /// Wait (asynchronously) for the server to exit; `None` on timeout.
    pub async fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            let child = self.child.as_mut().expect("server is not running");
            if let Some(status) = child.try_wait().expect("try_wait") {
                let pid = child.id();
                self.child = None;
                live_registry().lock().unwrap().remove(&pid);
                return Some(status);
            }
            if Instant::now() > deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// SIGTERM, then wait up to 15 s for the exit; panics if it does not exit.
    pub async fn stop(&mut self) -> ExitStatus {
        self.signal(libc::SIGTERM);
        match self.wait_exit(Duration::from_secs(15)).await {
            Some(status) => status,
            None => {
                self.kill9();
                panic!(
                    "vitae-server did not exit within 15 s of SIGTERM; stderr:\n{}",
                    tail(&self.stderr_contents(), 40)
                );
            }
        }
    }

    /// Start again on the same data dir with the same flags (after `stop` or `kill9`).
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "stop or kill9 the server first");
        self.spawn();
    }

    /// Is the process still running?
    pub fn is_running(&mut self) -> bool {
        match self.child.as_mut() {
            Some(c) => c.try_wait().expect("try_wait").is_none(),
            None => false,
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.kill9();
        if std::thread::panicking() {
            eprintln!(
                "---- vitae-server stderr ({}), last lines ----\n{}",
                self.base,
                tail(&self.stderr_contents(), 40)
            );
        }
    }
}

/// The last `n` lines of `s`.
pub fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Run `vitae-server ARGS...` to completion (for the `token create` CLI).
pub fn run_cli(args: &[&str]) -> std::process::Output {
    let mut child = Command::new(server_bin())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn vitae-server CLI");
    // Read both pipes on threads so a chatty process cannot block, and bound the wait.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().expect("try_wait") {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("vitae-server {args:?} did not finish within 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    std::process::Output {
        status,
        stdout: t_out.join().unwrap(),
        stderr: t_err.join().unwrap(),
    }
}

/// Read a file from `offset` on (for following a log file).
pub fn read_from(path: &Path, offset: u64) -> String {
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(_) => return String::new(),
    };
    let _ = f.seek(SeekFrom::Start(offset));
    let mut s = Vec::new();
    let _ = f.read_to_end(&mut s);
    String::from_utf8_lossy(&s).into_owned()
}

// ---------------------------------------------------------------------------
// HTTP

/// A fully read HTTP response.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON; panics (showing the body) when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {} body is not JSON ({e}): {:?}",
                self.status,
                self.text()
            )
        })
    }

    /// A header's value as a string.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    }

    /// Assert the status and the JSON error body
    /// `{"error": {"code", "message", "request_id"}}`; returns the body.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) -> Value {
        assert_eq!(
            self.status,
            status,
            "expected {status} {code}, got {}: {}",
            self.status,
            self.text()
        );
        assert_error_body(self, Some(code))
    }
}

/// Assert that `r` carries the JSON error body (and, when given, this code).
#[track_caller]
pub fn assert_error_body(r: &Resp, code: Option<&str>) -> Value {
    check_error_body(r, code).unwrap_or_else(|e| panic!("{e}"))
}

/// Check that `r` carries the JSON error body
/// `{"error": {"code", "message", "request_id"}}` (and, when given, this code).
pub fn check_error_body(r: &Resp, code: Option<&str>) -> Result<Value, String> {
    let ct = r.header("content-type").unwrap_or_default();
    if !ct.starts_with("application/json") {
        return Err(format!(
            "error response {} has content-type {ct:?}, body {:?}",
            r.status,
            r.text()
        ));
    }
    let v: Value = serde_json::from_slice(&r.body)
        .map_err(|e| format!("error body is not JSON ({e}): {:?}", r.text()))?;
    let e = &v["error"];
    if !e.is_object() {
        return Err(format!("no error object in {v}"));
    }
    match code {
        Some(code) if e["code"] != code => {
            return Err(format!("error code should be {code:?} in {v}"));
        }
        None if !e["code"].is_string() => return Err(format!("error.code in {v}")),
        _ => {}
    }
    if e["message"].as_str().is_none_or(str::is_empty) {
        return Err(format!("error.message missing in {v}"));
    }
    if e["request_id"].as_str().is_none_or(str::is_empty) {
        return Err(format!("error.request_id missing in {v}"));
    }
    Ok(v)
}

/// An HTTP client bound to one server and (optionally) one bearer token.
#[derive(Clone)]
pub struct Api {
    base: String,
    pub token: Option<String>,
    /// The user name, when made by [`TestServer::user`].
    pub user: Option<String>,
    http: reqwest::Client,
    sse: reqwest::Client,
}

impl Api {
    pub fn new(base: &str, token: Option<&str>) -> Api {
        let http = reqwest::Client::builder()
            .timeout(HTTP_TIMEOUT)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .expect("http client");
        // No overall timeout for streams: every read is bounded by the caller instead.
        let sse = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .tcp_nodelay(true)
            .build()
            .expect("sse client");
        Api {
            base: base.trim_end_matches('/').to_string(),
            token: token.map(str::to_string),
            user: None,
            http,
            sse,
        }
    }

    /// The same server with another token.
    pub fn with_token(&self, token: &str) -> Api {
        let mut a = self.clone();
        a.token = Some(token.to_string());
        a.user = None;
        a
    }

    /// The same server without a token.
    pub fn without_token(&self) -> Api {
        let mut a = self.clone();
        a.token = None;
        a.user = None;
        a
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The user name (panics for clients not made by [`TestServer::user`]).
    pub fn user_name(&self) -> &str {
        self.user.as_deref().expect("client has no user name")
    }

    /// A request with the bearer token (if any) set.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let rb = self.http.request(method, self.url(path));
        match &self.token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    }

    /// Send and read the whole response within [`HTTP_TIMEOUT`]; panics on a 5xx.
    pub async fn send(&self, rb: RequestBuilder) -> Resp {
        let r = send_unchecked(rb).await;
        assert!(r.status < 500, "server answered {}: {}", r.status, r.text());
        r
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(self.request(Method::GET, path)).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.send(self.request(Method::DELETE, path)).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Resp {
        self.send(self.request(Method::POST, path).json(body)).await
    }

    pub async fn post_empty(&self, path: &str) -> Resp {
        self.send(self.request(Method::POST, path)).await
    }

    /// `PATCH` with a merge patch (`application/merge-patch+json`).
    pub async fn patch(&self, path: &str, body: &Value, if_match: Option<&str>) -> Resp {
        let mut rb = self
            .request(Method::PATCH, path)
            .header("content-type", "application/merge-patch+json")
            .body(body.to_string());
        if let Some(m) = if_match {
            rb = rb.header("if-match", m);
        }
        self.send(rb).await
    }

    /// Raw upload: `POST /v1/resumes?filename=...` with the body and its content type.
    pub async fn upload(&self, bytes: Vec<u8>, content_type: &str, filename: &str) -> Resp {
        let rb = self
            .request(Method::POST, "/v1/resumes")
            .query(&[("filename", filename)])
            .header("content-type", content_type)
            .body(bytes);
        self.send(rb).await
    }

    /// Multipart upload: field `file` with its filename and content type.
    pub async fn upload_multipart(
        &self,
        bytes: Vec<u8>,
        content_type: &str,
        filename: &str,
    ) -> Resp {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(filename.to_string())
            .mime_str(content_type)
            .expect("mime");
        let form = reqwest::multipart::Form::new().part("file", part);
        self.send(self.request(Method::POST, "/v1/resumes").multipart(form))
            .await
    }

    /// Upload a fixture (raw) and assert the 202; returns the resource.
    pub async fn upload_fixture(&self, name: &str) -> Value {
        let r = self
            .upload(fixture(name), content_type_for(name), name)
            .await;
        assert_eq!(r.status, 202, "uploading {name}: {}", r.text());
        r.json()
    }

    /// Upload a fixture and wait until it is `ready`; returns the full resource.
    pub async fn upload_ready(&self, name: &str) -> Value {
        let created = self.upload_fixture(name).await;
        let id = created["id"].as_str().expect("id").to_string();
        let done = self.wait_terminal(&id).await;
        assert_eq!(done["status"], "ready", "{name} did not parse: {done}");
        done
    }

    /// `GET /v1/resumes/{id}`, asserting 200.
    pub async fn resume(&self, id: &str) -> Value {
        let r = self.get(&format!("/v1/resumes/{id}")).await;
        assert_eq!(r.status, 200, "GET resume {id}: {}", r.text());
        r.json()
    }

    /// `GET /v1/resumes`, asserting 200; returns the list.
    pub async fn list(&self) -> Vec<Value> {
        let r = self.get("/v1/resumes").await;
        assert_eq!(r.status, 200, "GET /v1/resumes: {}", r.text());
        r.json()["resumes"]
            .as_array()
            .unwrap_or_else(|| panic!("no resumes array: {}", r.text()))
            .clone()
    }

    /// Poll `GET /v1/resumes/{id}` until its status is `ready` or `failed`
    /// (within [`PARSE_TIMEOUT`]); returns the resource.
    pub async fn wait_terminal(&self, id: &str) -> Value {
        let deadline = Instant::now() + PARSE_TIMEOUT;
        loop {
            let v = self.resume(id).await;
            match v["status"].as_str() {
                Some("ready") | Some("failed") => return v,
                Some("pending") | Some("parsing") => {}
                other => panic!("resume {id} has unexpected status {other:?}: {v}"),
            }
            assert!(
                Instant::now() < deadline,
                "resume {id} not ready or failed within {PARSE_TIMEOUT:?}: {v}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Poll the list until every resume is `ready` or `failed`; returns the list.
    pub async fn wait_all_terminal(&self, expected: usize) -> Vec<Value> {
        let deadline = Instant::now() + PARSE_TIMEOUT;
        loop {
            let list = self.list().await;
            let done = list
                .iter()
                .filter(|r| r["status"] == "ready" || r["status"] == "failed")
                .count();
            if list.len() >= expected && done == list.len() {
                return list;
            }
            assert!(
                Instant::now() < deadline,
                "{done}/{} of {expected} resumes terminal after {PARSE_TIMEOUT:?}",
                list.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Create a share link, asserting 201.
    pub async fn share(&self, resume_id: &str, body: &Value) -> Value {
        let r = self
            .post_json(&format!("/v1/resumes/{resume_id}/shares"), body)
            .await;
        assert_eq!(r.status, 201, "creating share: {}", r.text());
        r.json()
    }

    /// The shares of a resume, asserting 200.
    pub async fn shares(&self, resume_id: &str) -> Vec<Value> {
        let r = self.get(&format!("/v1/resumes/{resume_id}/shares")).await;
        assert_eq!(r.status, 200, "listing shares: {}", r.text());
        r.json()["shares"]
            .as_array()
            .unwrap_or_else(|| panic!("no shares array: {}", r.text()))
            .clone()
    }

    /// Open an SSE stream with the bearer token; `last_event_id` sets the
    /// `Last-Event-ID` header. Returns the response head even when it is not 200.
    pub async fn sse(&self, path: &str, last_event_id: Option<&str>) -> SseStream {
        let mut rb = self
            .sse
            .get(self.url(path))
            .header("accept", "text/event-stream");
        if let Some(t) = &self.token {
            rb = rb.bearer_auth(t);
        }
        if let Some(id) = last_event_id {
            rb = rb.header("last-event-id", id);
        }
        SseStream::open(rb).await
    }

    /// Open an SSE stream with `?access_token=` instead of the header.
    pub async fn sse_query_token(&self, path: &str, token: &str) -> SseStream {
        let sep = if path.contains('?') { '&' } else { '?' };
        let rb = self
            .sse
            .get(format!("{}{path}{sep}access_token={token}", self.base))
            .header("accept", "text/event-stream");
        SseStream::open(rb).await
    }
}

/// Why a request got no answer.
#[derive(Debug)]
pub enum NoAnswer {
    /// The connection failed, or was cut off before the whole answer came.
    Failed(reqwest::Error),
    /// Nothing complete within [`HTTP_TIMEOUT`].
    TimedOut,
}

/// Send and read the whole response within [`HTTP_TIMEOUT`], whatever the
/// status; `Err` when no complete answer came.
pub async fn try_send(rb: RequestBuilder) -> Result<Resp, NoAnswer> {
    let fut = async {
        let resp = rb.send().await?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.bytes().await?;
        Ok::<_, reqwest::Error>(Resp {
            status,
            headers,
            body,
        })
    };
    match tokio::time::timeout(HTTP_TIMEOUT, fut).await {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(e)) => Err(NoAnswer::Failed(e)),
        Err(_) => Err(NoAnswer::TimedOut),
    }
}

/// Send and read the whole response within [`HTTP_TIMEOUT`], whatever the status.
pub async fn send_unchecked(rb: RequestBuilder) -> Resp {
    match try_send(rb).await {
        Ok(r) => r,
        Err(NoAnswer::Failed(e)) => panic!("HTTP request failed: {e:?}"),
        Err(NoAnswer::TimedOut) => panic!("HTTP request timed out after {HTTP_TIMEOUT:?}"),
    }
}

// ---------------------------------------------------------------------------
// SSE

/// One SSE block, as separated by a blank line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SseFrame {
    pub id: Option<String>,
    pub event: Option<String>,
    /// `data:` lines joined with `\n`.
    pub data: Option<String>,
    pub retry: Option<u64>,
    /// The block had at least one comment line (`: ...`).
    pub comment: bool,
}

impl SseFrame {
    /// A block with nothing but comments: a heartbeat.
    pub fn is_heartbeat(&self) -> bool {
        self.comment && self.data.is_none() && self.event.is_none() && self.id.is_none()
    }

    /// The data parsed as JSON (panics if absent or not JSON).
    pub fn json(&self) -> Value {
        let d = self
            .data
            .as_deref()
            .unwrap_or_else(|| panic!("frame has no data: {self:?}"));
        serde_json::from_str(d).unwrap_or_else(|e| panic!("frame data is not JSON ({e}): {self:?}"))
    }

    pub fn event_name(&self) -> &str {
        self.event.as_deref().unwrap_or("message")
    }
}

/// An open SSE response, parsed incrementally from the raw bytes.
pub struct SseStream {
    pub status: StatusCode,
    pub headers: HeaderMap,
    body: Option<futures_util::stream::BoxStream<'static, reqwest::Result<Bytes>>>,
    /// For non-streaming answers (not 200 text/event-stream): the whole body.
    pub error_body: Option<Bytes>,
    buf: Vec<u8>,
    cur: SseFrame,
    cur_has_fields: bool,
    /// Set when the stream ended with a transport error instead of a clean end.
    pub transport_error: Option<String>,
    ended: bool,
}

impl SseStream {
    async fn open(rb: RequestBuilder) -> SseStream {
        let resp = match tokio::time::timeout(HTTP_TIMEOUT, rb.send()).await {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => panic!("SSE request failed: {e:?}"),
            Err(_) => panic!("SSE response head not received within {HTTP_TIMEOUT:?}"),
        };
        let status = resp.status();
        let headers = resp.headers().clone();
        assert!(status.as_u16() < 500, "SSE request answered {status}");
        let is_stream = status == StatusCode::OK
            && headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/event-stream"));
        let mut s = SseStream {
            status,
            headers,
            body: None,
            error_body: None,
            buf: Vec::new(),
            cur: SseFrame::default(),
            cur_has_fields: false,
            transport_error: None,
            ended: false,
        };
        if is_stream {
            s.body = Some(resp.bytes_stream().boxed());
        } else {
            let body = match tokio::time::timeout(HTTP_TIMEOUT, resp.bytes()).await {
                Ok(Ok(b)) => b,
                Ok(Err(e)) => panic!("reading non-stream SSE answer: {e:?}"),
                Err(_) => panic!("non-stream SSE answer body not read within {HTTP_TIMEOUT:?}"),
            };
            s.error_body = Some(body);
            s.ended = true;
        }
        s
    }

    /// The non-stream answer as a [`Resp`] (for error assertions).
    pub fn as_resp(&self) -> Resp {
        Resp {
            status: self.status.as_u16(),
            headers: self.headers.clone(),
            body: self.error_body.clone().unwrap_or_default(),
        }
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v: &HeaderValue| String::from_utf8_lossy(v.as_bytes()).into_owned())
    }

    /// Assert 200 and the SSE response headers of the contract.
    #[track_caller]
    pub fn assert_sse_headers(&self) {
        assert_eq!(
            self.status,
            StatusCode::OK,
            "SSE status; body {:?}",
            self.error_body
        );
        let ct = self.header("content-type").unwrap_or_default();
        assert!(ct.starts_with("text/event-stream"), "content-type {ct:?}");
        let cc = self.header("cache-control").unwrap_or_default();
        assert!(cc.contains("no-cache"), "cache-control {cc:?}");
        assert_eq!(
            self.header("x-accel-buffering").as_deref(),
            Some("no"),
            "x-accel-buffering"
        );
        assert!(
            self.header("content-encoding").is_none(),
            "SSE must not be compressed"
        );
    }

    /// Has the server ended the stream?
    pub fn ended(&self) -> bool {
        self.ended
    }

    /// Take one complete line from the buffer (without its terminator).
    fn take_line(&mut self) -> Option<String> {
        let pos = self.buf.iter().position(|&b| b == b'\n' || b == b'\r')?;
        let term = self.buf[pos];
        let mut skip = 1;
        if term == b'\r' {
            if pos + 1 < self.buf.len() {
                if self.buf[pos + 1] == b'\n' {
                    skip = 2;
                }
            } else if !self.ended {
                // A lone CR at the end of the buffer may be the first half of CRLF.
                return None;
            }
        }
        let line = String::from_utf8_lossy(&self.buf[..pos]).into_owned();
        self.buf.drain(..pos + skip);
        Some(line)
    }

    /// Feed one line to the frame being built; returns a finished frame on a blank line.
    fn feed_line(&mut self, line: &str) -> Option<SseFrame> {
        if line.is_empty() {
            if self.cur_has_fields {
                self.cur_has_fields = false;
                return Some(std::mem::take(&mut self.cur));
            }
            return None;
        }
        self.cur_has_fields = true;
        if line.starts_with(':') {
            self.cur.comment = true;
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "id" => self.cur.id = Some(value.to_string()),
            "event" => self.cur.event = Some(value.to_string()),
            "data" => match &mut self.cur.data {
                Some(d) => {
                    d.push('\n');
                    d.push_str(value);
                }
                None => self.cur.data = Some(value.to_string()),
            },
            "retry" => self.cur.retry = value.trim().parse().ok(),
            _ => {}
        }
        None
    }

    /// The next frame (comments included), `Ok(None)` when the stream has ended,
    /// `Err(())` when nothing arrived within `timeout`.
    pub async fn try_next_frame(&mut self, timeout: Duration) -> Result<Option<SseFrame>, ()> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            while let Some(line) = self.take_line() {
                if let Some(frame) = self.feed_line(&line) {
                    return Ok(Some(frame));
                }
            }
            if self.ended {
                return Ok(None);
            }
            let Some(body) = self.body.as_mut() else {
                self.ended = true;
                return Ok(None);
            };
            match tokio::time::timeout_at(deadline, body.next()).await {
                Err(_) => return Err(()),
                Ok(None) => {
                    self.ended = true;
                    self.body = None;
                }
                Ok(Some(Err(e))) => {
                    self.transport_error = Some(format!("{e:?}"));
                    self.ended = true;
                    self.body = None;
                }
                Ok(Some(Ok(chunk))) => self.buf.extend_from_slice(&chunk),
            }
        }
    }

    /// The next frame, `None` when the stream has ended; panics on timeout.
    pub async fn next_frame(&mut self, timeout: Duration) -> Option<SseFrame> {
        self.try_next_frame(timeout)
            .await
            .unwrap_or_else(|_| panic!("no SSE frame within {timeout:?}"))
    }

    /// The next frame that is not a heartbeat, `None` when the stream has ended;
    /// panics on timeout.
    pub async fn next_event(&mut self, timeout: Duration) -> Option<SseFrame> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.try_next_frame(left).await {
                Ok(Some(f)) if f.is_heartbeat() => continue,
                Ok(other) => return other,
                Err(()) => panic!("no SSE event within {timeout:?}"),
            }
        }
    }

    /// Every non-heartbeat frame until the server ends the stream; panics if it
    /// has not ended within `timeout`.
    pub async fn events_to_end(&mut self, timeout: Duration) -> Vec<SseFrame> {
        let deadline = Instant::now() + timeout;
        let mut out = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.try_next_frame(left).await {
                Ok(Some(f)) if f.is_heartbeat() => {}
                Ok(Some(f)) => out.push(f),
                Ok(None) => return out,
                Err(()) => {
                    panic!("SSE stream did not end within {timeout:?}; events so far: {out:#?}")
                }
            }
        }
    }

    /// Every non-heartbeat frame that arrives within `window` (the stream may stay open).
    pub async fn events_for(&mut self, window: Duration) -> Vec<SseFrame> {
        let deadline = Instant::now() + window;
        let mut out = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return out;
            }
            match self.try_next_frame(left).await {
                Ok(Some(f)) if f.is_heartbeat() => {}
                Ok(Some(f)) => out.push(f),
                Ok(None) | Err(()) => return out,
            }
        }
    }

    /// Wait for the next event named `name`, skipping others; panics on timeout or end.
    pub async fn wait_for_event(&mut self, name: &str, timeout: Duration) -> SseFrame {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.try_next_frame(left).await {
                Ok(Some(f)) if f.event_name() == name => return f,
                Ok(Some(_)) => {}
                Ok(None) => panic!("stream ended before a {name:?} event"),
                Err(()) => panic!("no {name:?} event within {timeout:?}"),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Assertions on resources

/// Is `s` an RFC 3339 timestamp?
pub fn is_rfc3339(s: &Value) -> bool {
    s.as_str()
        .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok())
}

/// Parse an RFC 3339 timestamp (panics otherwise).
pub fn parse_time(s: &Value) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s.as_str().unwrap_or_else(|| panic!("not a string: {s}")))
        .unwrap_or_else(|e| panic!("not RFC 3339 ({e}): {s}"))
        .with_timezone(&chrono::Utc)
}

/// Assert the fields every resume resource has (the wire contract).
#[track_caller]
pub fn assert_resume_shape(v: &Value) {
    let id = v["id"].as_str().unwrap_or_else(|| panic!("id in {v}"));
    assert!(uuid::Uuid::parse_str(id).is_ok(), "id is not a UUID: {v}");
    assert!(
        v["owner"].as_str().is_some_and(|s| !s.is_empty()),
        "owner in {v}"
    );
    assert!(v["filename"].is_string(), "filename in {v}");
    assert!(v["content_type"].is_string(), "content_type in {v}");
    let status = v["status"]
        .as_str()
        .unwrap_or_else(|| panic!("status in {v}"));
    assert!(
        ["pending", "parsing", "ready", "failed"].contains(&status),
        "status {status:?} in {v}"
    );
    if status == "failed" {
        assert!(
            v["reason"].as_str().is_some_and(|s| !s.is_empty()),
            "a failed resume needs a reason: {v}"
        );
    } else {
        assert!(
            v.get("reason").is_none_or(Value::is_null),
            "reason only when failed: {v}"
        );
    }
    assert!(
        v["warnings"]
            .as_array()
            .is_some_and(|w| w.iter().all(Value::is_string)),
        "warnings must be a list of strings: {v}"
    );
    assert!(v["is_master"].is_boolean(), "is_master in {v}");
    assert!(
        v.get("parent_id")
            .is_some_and(|p| p.is_null() || p.is_string()),
        "parent_id in {v}"
    );
    assert!(v["revision"].is_u64(), "revision in {v}");
    assert!(is_rfc3339(&v["created_at"]), "created_at in {v}");
    assert!(is_rfc3339(&v["updated_at"]), "updated_at in {v}");
    assert_eq!(
        v["events_url"],
        format!("/v1/resumes/{id}/events"),
        "events_url in {v}"
    );
}

/// Assert the fields of a share resource.
#[track_caller]
pub fn assert_share_shape(v: &Value) {
    let token = v["token"]
        .as_str()
        .unwrap_or_else(|| panic!("token in {v}"));
    assert!(
        token.len() >= 22
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "share token must be >= 22 URL-safe chars (128 bits): {token:?}"
    );
    assert!(
        v["url"]
            .as_str()
            .is_some_and(|u| u.ends_with(&format!("/s/{token}"))),
        "url in {v}"
    );
    assert!(v["resume_id"].is_string(), "resume_id in {v}");
    assert!(is_rfc3339(&v["created_at"]), "created_at in {v}");
    assert!(is_rfc3339(&v["expires_at"]), "expires_at in {v}");
    assert!(v["revoked"].is_boolean(), "revoked in {v}");
    assert!(v["access_count"].is_u64(), "access_count in {v}");
    assert!(
        v.get("last_accessed_at")
            .is_some_and(|t| t.is_null() || is_rfc3339(t)),
        "last_accessed_at in {v}"
    );
}

/// Assert a parse stream's events: progress stages in order with ids 1..,
/// then exactly one terminal event with id 7, and every event carrying `id:`
/// and `retry:`. Returns the terminal frame.
#[track_caller]
pub fn assert_parse_sequence(events: &[SseFrame], first_id: u64) -> SseFrame {
    assert!(!events.is_empty(), "parse stream had no events");
    for e in events {
        assert!(e.data.is_some(), "every event carries data: {e:?}");
        assert!(e.id.is_some(), "every event carries id: {e:?}");
        assert!(e.retry.is_some(), "every event carries retry: {e:?}");
    }
    let (terminal, progress) = events.split_last().unwrap();
    assert!(
        terminal.event_name() == "complete" || terminal.event_name() == "failed",
        "last event must be complete or failed: {events:#?}"
    );
    assert_eq!(
        terminal.id.as_deref(),
        Some(TERMINAL_ID),
        "terminal event id: {terminal:?}"
    );
    let mut last_stage: Option<usize> = None;
    let mut last_percent = 0u64;
    for (i, p) in progress.iter().enumerate() {
        assert_eq!(
            p.event_name(),
            "progress",
            "only progress events before the terminal one: {events:#?}"
        );
        let d = p.json();
        let stage = d["stage"]
            .as_str()
            .unwrap_or_else(|| panic!("stage in {d}"));
        let idx = STAGES
            .iter()
            .position(|s| *s == stage)
            .unwrap_or_else(|| panic!("unknown stage {stage:?}"));
        assert_eq!(
            p.id.as_deref(),
            Some((idx + 1).to_string().as_str()),
            "progress id is the stage ordinal: {p:?}"
        );
        if let Some(prev) = last_stage {
            assert!(idx > prev, "stages out of order: {events:#?}");
        }
        if i == 0 {
            assert_eq!(
                idx as u64 + 1,
                first_id,
                "first progress event id: {events:#?}"
            );
        }
        last_stage = Some(idx);
        let pct = d["percent"]
            .as_u64()
            .unwrap_or_else(|| panic!("percent in {d}"));
        assert!(pct <= 100, "percent {pct}");
        assert!(pct >= last_percent, "percent went down: {events:#?}");
        last_percent = pct;
        assert!(d["message"].is_string(), "message in {d}");
    }
    terminal.clone()
}

/// Check that every value in `sub` appears at the same path in `sup` (objects
/// may have more members in `sup`, and may omit members that are empty in
/// `sub`; arrays must match element by element). Returns the first difference.
pub fn json_subset(sub: &Value, sup: &Value, path: &str) -> Result<(), String> {
    match (sub, sup) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let p = format!("{path}.{k}");
                match b.get(k) {
                    Some(w) => json_subset(v, w, &p)?,
                    // An empty list, empty object or null carries no data.
                    None if is_empty_json(v) => {}
                    None => return Err(format!("{p} missing (want {v})")),
                }
            }
            Ok(())
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                return Err(format!("{path}: {} elements, want {}", b.len(), a.len()));
            }
            for (i, (v, w)) in a.iter().zip(b).enumerate() {
                json_subset(v, w, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        (a, b) if a == b => Ok(()),
        (a, b) => Err(format!("{path}: got {b}, want {a}")),
    }
}

fn is_empty_json(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}
