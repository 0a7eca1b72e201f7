//! Which server `vitae` talks to, and starting the local one.
//!
//! Precedence: `--url`/`--token` flags, then `VITAE_URL`/`VITAE_TOKEN`, then
//! the config file (`$XDG_CONFIG_HOME/vitae/config.toml`: `url`, `token`,
//! `data_dir`). With no URL anywhere, `vitae` uses the local server of the
//! data dir (`--data-dir`, `VITAE_DATA_DIR`, or the server's own default):
//! if `DIR/server.url` names a server that answers `/healthz`, it connects to
//! it; otherwise it starts `vitae-server serve --addr 127.0.0.1:0 --data-dir
//! DIR` in the background (its own session, log in `DIR/server.log`) and
//! waits for it. The server keeps running after `vitae` exits, so the next
//! command (or script) connects at once; `vitae server stop` stops it. The
//! token is the server's `DIR/admin.token`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde::Deserialize;

use crate::client::Client;

/// The global connection flags of every subcommand.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ConnectArgs {
    /// Server URL, e.g. https://cv.example.com (default: the local server).
    #[arg(long, env = "VITAE_URL", global = true)]
    pub url: Option<String>,
    /// API token for --url (the local server's admin token otherwise).
    #[arg(long, env = "VITAE_TOKEN", global = true, hide_env_values = true)]
    pub token: Option<String>,
    /// Data dir of the local server.
    #[arg(long, env = "VITAE_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Config file (default: $XDG_CONFIG_HOME/vitae/config.toml).
    #[arg(long, env = "VITAE_CONFIG", global = true)]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    url: Option<String>,
    token: Option<String>,
    data_dir: Option<PathBuf>,
}

/// How the client found its server, for the status bar and `--json` output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A URL from flags, env or the config file.
    Remote,
    /// The local server of a data dir; `started` when this run started it.
    Local { data_dir: PathBuf, started: bool },
}

pub struct Connection {
    pub client: Client,
    pub origin: Origin,
}

fn default_config_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("vitae").join("config.toml"))
}

/// The server's own default data dir (kept in step with `vitae-server`).
pub fn default_data_dir() -> PathBuf {
    dirs::data_dir()
        .map(|d| d.join("vitae"))
        .unwrap_or_else(|| PathBuf::from("vitae-data"))
}

fn read_config(args: &ConnectArgs) -> anyhow::Result<FileConfig> {
    let (path, explicit) = match &args.config {
        Some(path) => (path.clone(), true),
        None => match default_config_path() {
            Some(path) => (path, false),
            None => return Ok(FileConfig::default()),
        },
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => toml::from_str(&text)
            .with_context(|| format!("reading the config file {}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
            Ok(FileConfig::default())
        }
        Err(e) => Err(e).with_context(|| format!("reading the config file {}", path.display())),
    }
}

/// The data dir a local server would use.
pub fn local_data_dir(args: &ConnectArgs) -> anyhow::Result<PathBuf> {
    let file = read_config(args)?;
    Ok(args
        .data_dir
        .clone()
        .or(file.data_dir)
        .unwrap_or_else(default_data_dir))
}

/// Find (or start) the server and build a client for it.
pub async fn connect(args: &ConnectArgs) -> anyhow::Result<Connection> {
    let file = read_config(args)?;
    if let Some(url) = args.url.clone().or(file.url) {
        let Some(token) = args.token.clone().or(file.token) else {
            bail!(
                "no token for {url}: set VITAE_TOKEN (or --token, or `token` in the config file)"
            );
        };
        return Ok(Connection {
            client: Client::new(&url, &token)?,
            origin: Origin::Remote,
        });
    }
    let data_dir = args
        .data_dir
        .clone()
        .or(file.data_dir)
        .unwrap_or_else(default_data_dir);
    let (url, started) = match running_local(&data_dir).await {
        Some(url) => (url, false),
        None => (start_local(&data_dir).await?, true),
    };
    let token = match args.token.clone() {
        Some(token) => token,
        None => read_admin_token(&data_dir)?,
    };
    Ok(Connection {
        client: Client::new(&url, &token)?,
        origin: Origin::Local { data_dir, started },
    })
}

fn read_admin_token(data_dir: &Path) -> anyhow::Result<String> {
    let path = data_dir.join("admin.token");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("reading the local server's token {}", path.display()))?;
    let token = text.trim();
    if token.is_empty() {
        bail!(
            "{} is empty; delete it and the server writes a new one at its next start",
            path.display()
        );
    }
    Ok(token.to_string())
}

/// `DIR/server.url`: the URL on the first line, `pid N` on the second.
fn read_url_file(data_dir: &Path) -> Option<(String, Option<i32>)> {
    let text = std::fs::read_to_string(data_dir.join("server.url")).ok()?;
    let mut lines = text.lines();
    let url = lines.next()?.trim().to_string();
    let pid = lines
        .next()
        .and_then(|l| l.trim().strip_prefix("pid "))
        .and_then(|p| p.parse().ok());
    Some((url, pid))
}

/// The URL of a live server on this data dir, if one answers.
pub async fn running_local(data_dir: &Path) -> Option<String> {
    let (url, _) = read_url_file(data_dir)?;
    healthy(&url).await.then_some(url)
}

async fn healthy(url: &str) -> bool {
    let Ok(http) = reqwest::Client::builder()
        .timeout(Duration::from_millis(800))
        .build()
    else {
        return false;
    };
    matches!(http.get(format!("{url}/healthz")).send().await, Ok(r) if r.status().is_success())
}

/// The `vitae-server` binary: `VITAE_SERVER_BIN`, else next to `vitae`, else `$PATH`.
fn server_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("VITAE_SERVER_BIN") {
        return PathBuf::from(path);
    }
    if let Some(sibling) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("vitae-server")))
        .filter(|p| p.is_file())
    {
        return sibling;
    }
    PathBuf::from("vitae-server")
}

/// Start the local server in its own session and wait until it answers.
// unsafe: setsid in pre_exec so the local server outlives the client.
#[allow(unsafe_code)]
async fn start_local(data_dir: &Path) -> anyhow::Result<String> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating the data dir {}", data_dir.display()))?;
    let log_path = data_dir.join("server.log");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .with_context(|| format!("opening {}", log_path.display()))?;
    let binary = server_binary();
    let mut command = tokio::process::Command::new(&binary);
    command
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        // Logs in the file without colour codes.
        .env("NO_COLOR", "1")
        .kill_on_drop(false);
    // Its own session: a Ctrl-C in the terminal (or closing it) does not
    // reach the server, which outlives this `vitae`.
    // SAFETY: setsid is async-signal-safe and touches no memory of ours.
    unsafe {
        command.pre_exec(|| {
            // Fails only when already a group leader, which a fresh child is not.
            let _ = rustix::process::setsid();
            Ok(())
        });
    }
    let mut child = command.spawn().with_context(|| {
        format!(
            "starting the local server {} (install vitae-server next to vitae or on PATH, or set VITAE_URL)",
            binary.display()
        )
    })?;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(url) = running_local(data_dir).await {
            return Ok(url);
        }
        if let Ok(Some(status)) = child.try_wait() {
            let log = std::fs::read_to_string(&log_path).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(5).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            bail!(
                "the local server exited ({status}) before it answered; its log ({}) ends:\n{}",
                log_path.display(),
                tail.join("\n")
            );
        }
        if Instant::now() > deadline {
            bail!(
                "the local server did not answer within 15 s; see {}",
                log_path.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Stop the local server of `data_dir` (SIGTERM; it drains and exits).
/// `Ok(false)` when none was running.
pub async fn stop_local(data_dir: &Path) -> anyhow::Result<bool> {
    let Some((url, pid)) = read_url_file(data_dir) else {
        return Ok(false);
    };
    if !healthy(&url).await {
        return Ok(false);
    }
    let Some(pid) = pid else {
        bail!("a server answers at {url} but server.url names no pid; stop it by hand");
    };
    let process = rustix::process::Pid::from_raw(pid)
        .with_context(|| format!("server.url names an invalid pid {pid}"))?;
    if let Err(e) = rustix::process::kill_process(process, rustix::process::Signal::TERM) {
        bail!("cannot signal process {pid}: {}", std::io::Error::from(e));
    }
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if !healthy(&url).await {
            return Ok(true);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("the server at {url} (pid {pid}) is still running 15 s after SIGTERM")
}
