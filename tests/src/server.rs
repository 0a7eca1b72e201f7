//! The processes under test: the `vitae-server` and `vitae` binaries of this
//! workspace, [`TestServer`] (one server on a free port with a temp data dir,
//! killed with the test binary however it exits), the one shared server per
//! test binary ([`shared_server`]), and the server's own CLI ([`run_cli`]).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::*;

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
    /// The database of this server when the tests run on PostgreSQL
    /// (`VITAE_TEST_BACKEND=postgres`, [`crate::postgres::backend`]); kept
    /// across restarts like the data dir.
    database_url: Option<String>,
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

    /// [`TestServer::start_in`] with environment variables as well (as
    /// [`TestServer::start_with_env`] takes them).
    pub fn start_in_with_env(data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> TestServer {
        Self::launch(
            Self::scratch_root(),
            data_dir.to_path_buf(),
            true,
            args,
            env,
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
            // A test that names its own database keeps it.
            database_url: match crate::postgres::backend() {
                _ if args.contains(&"--database-url") => None,
                crate::postgres::Backend::Redb => None,
                crate::postgres::Backend::Postgres => {
                    let cluster = crate::postgres::shared_cluster().unwrap_or_else(|why| {
                        panic!("VITAE_TEST_BACKEND=postgres but no PostgreSQL cluster: {why}")
                    });
                    Some(cluster.fresh_database())
                }
            },
        };
        server.spawn();
        server
    }

    /// The PostgreSQL database this server runs on, when it does.
    pub fn database_url(&self) -> Option<&str> {
        self.database_url.as_deref()
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
            .args(
                self.database_url
                    .iter()
                    .flat_map(|url| ["--database-url", url.as_str()]),
            )
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

    /// `127.0.0.1:PORT`, for raw TCP clients.
    pub fn addr(&self) -> String {
        self.base.trim_start_matches("http://").to_string()
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

/// The server that the tests of one test binary share, started on first use
/// with the `serve` flags `args`: one per distinct `args`, kept for the life of
/// the binary (the `atexit` hook kills it and removes its data dir). Tests that
/// share it must not depend on each other's state: each makes its own user.
pub fn shared_server(args: &[&str]) -> &'static TestServer {
    static SHARED: OnceLock<Mutex<HashMap<Vec<String>, &'static TestServer>>> = OnceLock::new();
    let key: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    // Held while the server starts, so concurrent first uses start it once; a
    // start that panicked leaves nothing behind, and the next use tries again.
    let mut shared = SHARED
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(server) = shared.get(&key) {
        return server;
    }
    let server: &'static TestServer = Box::leak(Box::new(TestServer::start_with(args)));
    shared.insert(key, server);
    server
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
