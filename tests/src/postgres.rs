//! A throw-away PostgreSQL cluster for the tests of the PostgreSQL backend.
//!
//! [`Cluster::start`] runs Debian's `initdb` and `pg_ctl` (from
//! `/usr/lib/postgresql/<version>/bin`, or `$VITAE_PG_BIN`) on a free port
//! of 127.0.0.1 in a temp dir, with trust authentication for the user
//! `vitae` (the cluster listens on loopback only and lives as long as the
//! test binary). PostgreSQL refuses to run as root, so when the tests run
//! as root (CI does) the cluster's files are handed to an unprivileged user
//! and its programs run as that user through `runuser`: `$VITAE_PG_USER`,
//! else `nobody`. The cluster runs with `fsync=off`: the tests kill
//! `vitae-server`, never PostgreSQL, so that costs no guarantee under test
//! and saves the disk ([`Cluster::start_durable`] syncs, for benchmarks).
//!
//! [`shared_cluster`] is the one cluster of a test binary, started on first
//! use and stopped (`pg_ctl stop -m immediate`, then its dir removed) when
//! the binary exits; [`Cluster::fresh_database`] gives each test or server
//! a database of its own. [`backend`] reads `VITAE_TEST_BACKEND`
//! (`redb`, the default, or `postgres`), which [`crate::TestServer`] uses
//! to run the same end-to-end tests on either backend.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// The store the end-to-end servers run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Redb,
    Postgres,
}

/// `VITAE_TEST_BACKEND`: `postgres` (or `pg`) runs every [`crate::TestServer`]
/// on a database of the shared cluster; anything else, or nothing, on redb.
pub fn backend() -> Backend {
    match std::env::var("VITAE_TEST_BACKEND").as_deref() {
        Ok("postgres") | Ok("pg") | Ok("postgresql") => Backend::Postgres,
        _ => Backend::Redb,
    }
}

/// The directory holding `initdb`, `pg_ctl` and `createdb`, if PostgreSQL
/// is installed: `$VITAE_PG_BIN`, else the newest
/// `/usr/lib/postgresql/<version>/bin` (Debian's layout).
pub fn bin_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("VITAE_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version: u32 = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// A running cluster; stopped and removed when dropped.
pub struct Cluster {
    root: PathBuf,
    bin: PathBuf,
    port: u16,
    /// The user the server runs as (`None`: the current one).
    run_as: Option<String>,
    /// Whether commits reach the disk (`fsync=on`): off for the tests,
    /// on for the benchmarks that compare it with redb's durable commits.
    durable: bool,
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

impl Cluster {
    /// Make and start a cluster, or say why it cannot be.
    pub fn start() -> Result<Cluster, String> {
        Self::start_with(false)
    }

    /// A cluster that syncs every commit to disk, as a production one does
    /// (`fsync=on`, `full_page_writes=on`): what a benchmark must compare
    /// with redb, whose every acknowledged write is synced.
    pub fn start_durable() -> Result<Cluster, String> {
        Self::start_with(true)
    }

    fn start_with(durable: bool) -> Result<Cluster, String> {
        let bin = bin_dir().ok_or(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb; apt-get install \
             postgresql, or set VITAE_PG_BIN)",
        )?;
        let root = tempfile::Builder::new()
            .prefix("vitae-pg-")
            .tempdir()
            .map_err(|e| format!("temp dir: {e}"))?
            .keep();
        let run_as = if is_root() {
            let user = std::env::var("VITAE_PG_USER").unwrap_or_else(|_| "nobody".into());
            chown_to(&root, &user)?;
            Some(user)
        } else {
            None
        };
        let mut cluster = Cluster {
            root,
            bin,
            port: 0,
            run_as,
            durable,
        };
        let data = cluster.root.join("data");
        cluster.run(
            "initdb",
            &[
                "-D",
                path_str(&data)?,
                "-U",
                "vitae",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C",
            ],
        )?;
        let mut last_error = String::new();
        for _ in 0..5 {
            cluster.port = free_port()?;
            let options = cluster.options()?;
            let log = cluster.root.join("postgres.log");
            match cluster.run(
                "pg_ctl",
                &[
                    "-D",
                    path_str(&data)?,
                    "-l",
                    path_str(&log)?,
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    &options,
                    "start",
                ],
            ) {
                Ok(()) => return Ok(cluster),
                // Another process took the port between the probe and the
                // start: try another.
                Err(e) => last_error = format!("{e}\n{}", cluster.log_tail()),
            }
        }
        Err(last_error)
    }

    /// `postgres://vitae@127.0.0.1:PORT/DATABASE`.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://vitae@127.0.0.1:{}/{database}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Create a database with a name no other test uses, and answer its URL.
    pub fn fresh_database(&self) -> String {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let name = format!("vitae_{}_{n}", std::process::id());
        self.create_database(&name);
        self.url(&name)
    }

    /// Create database `name`.
    pub fn create_database(&self, name: &str) {
        let out = Command::new(self.bin.join("createdb"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "vitae",
                name,
            ])
            .stdin(Stdio::null())
            .output()
            .expect("run createdb");
        assert!(
            out.status.success(),
            "createdb {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Stop the server now (immediate shutdown); the files stay until drop.
    pub fn stop(&self) {
        if let Ok(data) = path_str(&self.root.join("data")) {
            let _ = self.run("pg_ctl", &["-D", data, "-m", "immediate", "-w", "stop"]);
        }
    }

    /// Start a stopped cluster again on the same port.
    pub fn restart(&self) -> Result<(), String> {
        let data = self.root.join("data");
        let log = self.root.join("postgres.log");
        let options = self.options()?;
        self.run(
            "pg_ctl",
            &[
                "-D",
                path_str(&data)?,
                "-l",
                path_str(&log)?,
                "-w",
                "-o",
                &options,
                "start",
            ],
        )
    }

    /// Turn TLS on with the PEM files `cert` and `key` (copied into the
    /// cluster's dir, owned by its user), by `ssl = on` in its
    /// `postgresql.conf` and a reload; answers once the server says it
    /// took the setting.
    pub fn enable_tls(&self, cert: &Path, key: &Path) -> Result<(), String> {
        let data = self.root.join("data");
        for (from, name) in [(cert, "server.crt"), (key, "server.key")] {
            let to = data.join(name);
            std::fs::copy(from, &to).map_err(|e| format!("copying {}: {e}", from.display()))?;
            std::fs::set_permissions(&to, std::os::unix::fs::PermissionsExt::from_mode(0o600))
                .map_err(|e| e.to_string())?;
            if let Some(user) = &self.run_as {
                chown_to(&to, user)?;
            }
        }
        let conf = data.join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf).map_err(|e| e.to_string())?;
        text.push_str("\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n");
        std::fs::write(&conf, text).map_err(|e| e.to_string())?;
        self.run("pg_ctl", &["-D", path_str(&data)?, "reload"])?;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let log = std::fs::read_to_string(self.root.join("postgres.log")).unwrap_or_default();
            if log.contains("parameter \"ssl\" changed to \"on\"") {
                return Ok(());
            }
            if std::time::Instant::now() > deadline {
                return Err(format!("TLS did not come on:\n{}", self.log_tail()));
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// The `postgres` options of this cluster (`pg_ctl -o`).
    fn options(&self) -> Result<String, String> {
        let sync = if self.durable { "on" } else { "off" };
        Ok(format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync={sync} \
             -c full_page_writes={sync} -c max_connections=400",
            self.port,
            path_str(&self.root)?
        ))
    }

    /// The last lines of the server's log, for failure messages.
    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.root.join("postgres.log")).unwrap_or_default();
        crate::tail(&log, 30)
    }

    /// Run one of the cluster's programs (as the cluster's user).
    fn run(&self, program: &str, args: &[&str]) -> Result<(), String> {
        let program = self.bin.join(program);
        let mut cmd = match &self.run_as {
            Some(user) => {
                let mut cmd = Command::new("runuser");
                cmd.args(["-u", user, "--"]).arg(&program);
                cmd
            }
            None => Command::new(&program),
        };
        // The cluster's programs must not start in a dir its user cannot read.
        cmd.args(args)
            .current_dir(&self.root)
            .stdin(Stdio::null())
            .env("LC_ALL", "C");
        let out = cmd
            .output()
            .map_err(|e| format!("running {}: {e}", program.display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{} {args:?} failed ({}): {}{}",
                program.display(),
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn path_str(path: &Path) -> Result<&str, String> {
    path.to_str()
        .ok_or_else(|| format!("{} is not UTF-8", path.display()))
}

fn free_port() -> Result<u16, String> {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("free port: {e}"))?;
    Ok(listener
        .local_addr()
        .map_err(|e| format!("free port: {e}"))?
        .port())
}

/// Hand `dir` to `user` (the cluster's files must be its own).
fn chown_to(dir: &Path, user: &str) -> Result<(), String> {
    let out = Command::new("chown")
        .arg(format!("{user}:"))
        .arg(dir)
        .output()
        .map_err(|e| format!("chown: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "chown {user} {}: {} (set VITAE_PG_USER to an existing unprivileged user)",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

/// The cluster this test binary shares, started on first use; `None` (with
/// the reason) when PostgreSQL is not installed or does not start.
pub fn shared_cluster() -> Result<&'static Cluster, String> {
    static SHARED: OnceLock<Mutex<Option<&'static Cluster>>> = OnceLock::new();
    let mut shared = SHARED
        .get_or_init(|| Mutex::new(None))
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(cluster) = *shared {
        return Ok(cluster);
    }
    let cluster: &'static Cluster = Box::leak(Box::new(Cluster::start()?));
    *shared = Some(cluster);
    STOP_AT_EXIT.get_or_init(|| {
        // SAFETY: registering a plain extern "C" fn with no captured state.
        unsafe {
            libc::atexit(stop_shared_at_exit);
        }
    });
    SHARED_ROOT.get_or_init(|| {
        (
            cluster.root.clone(),
            cluster.bin.clone(),
            cluster.run_as.clone(),
        )
    });
    Ok(cluster)
}

static STOP_AT_EXIT: OnceLock<()> = OnceLock::new();
static SHARED_ROOT: OnceLock<(PathBuf, PathBuf, Option<String>)> = OnceLock::new();

extern "C" fn stop_shared_at_exit() {
    if let Some((root, bin, run_as)) = SHARED_ROOT.get() {
        let cluster = Cluster {
            root: root.clone(),
            bin: bin.clone(),
            port: 0,
            run_as: run_as.clone(),
            durable: false,
        };
        // Dropping stops it and removes its files.
        drop(cluster);
    }
}

/// The shared cluster, or `None` when PostgreSQL is missing and the tests
/// may skip (`VITAE_REQUIRE_POSTGRES` unset): a test that needs it says it
/// skipped; with `VITAE_REQUIRE_POSTGRES=1` (CI) it fails instead.
pub fn cluster_or_skip(test: &str) -> Option<&'static Cluster> {
    match shared_cluster() {
        Ok(cluster) => Some(cluster),
        Err(why) => {
            assert!(
                std::env::var_os("VITAE_REQUIRE_POSTGRES").is_none(),
                "{test} needs PostgreSQL and VITAE_REQUIRE_POSTGRES is set: {why}"
            );
            eprintln!("SKIPPED {test}: {why}");
            None
        }
    }
}
