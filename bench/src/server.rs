//! The `vitae-server` process under measurement.
//!
//! Started as `vitae-server serve --addr 127.0.0.1:0 --data-dir <tempdir>`
//! with the admission limits lifted;
//! the bound address comes from the first stdout line, the admin token from
//! `<data-dir>/admin.token`. Its stderr (the server's logs) goes to a file
//! in the data dir, so that warnings and errors logged during the run can be
//! reported. Memory figures come from `/proc/PID/status`.

use std::fs::File;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context};
use serde::Serialize;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

pub struct Server {
    child: Child,
    pub pid: u32,
    pub addr: SocketAddr,
    pub token: String,
    pub log_path: PathBuf,
}

impl Server {
    /// Start the server and wait for its listening line.
    pub async fn start(binary: &Path, data_dir: &Path) -> anyhow::Result<Server> {
        Self::start_with(binary, data_dir, &[]).await
    }

    /// [`Server::start`] with more `serve` flags (a phase's own settings).
    pub async fn start_with(
        binary: &Path,
        data_dir: &Path,
        extra: &[&str],
    ) -> anyhow::Result<Server> {
        let log_path = data_dir.join("server.log");
        let log =
            File::create(&log_path).with_context(|| format!("creating {}", log_path.display()))?;
        let mut child = Command::new(binary)
            .arg("serve")
            .arg("--addr")
            .arg("127.0.0.1:0")
            .arg("--data-dir")
            .arg(data_dir)
            // The benchmarks are one client address opening 10,000 streams
            // of one owner and reading share links at the machine's limit:
            // the admission limits (docs/operations.md, "Limits") that guard
            // a shared server against exactly that are lifted here.
            .args(["--max-connections", "1000000"])
            .args(["--max-streams", "1000000"])
            .args(["--max-streams-per-owner", "1000000"])
            .args(["--share-rate", "0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let pid = child.id().context("the server exited at once")?;
        let stdout = child.stdout.take().context("no stdout pipe")?;
        let mut lines = BufReader::new(stdout);
        let mut first = String::new();
        tokio::time::timeout(Duration::from_secs(30), lines.read_line(&mut first))
            .await
            .context("the server printed no listening line within 30 s")??;
        // Keep draining stdout so the server can never block on a full pipe.
        tokio::spawn(async move {
            let mut sink = Vec::new();
            let _ = lines.read_to_end(&mut sink).await;
        });
        let url = first
            .trim()
            .strip_prefix("vitae-server listening on http://")
            .with_context(|| {
                format!(
                    "unexpected first stdout line {first:?} (log: {})",
                    log_path.display()
                )
            })?;
        let addr: SocketAddr = url
            .trim_end_matches('/')
            .parse()
            .with_context(|| format!("bad address in {first:?}"))?;
        let token_path = data_dir.join("admin.token");
        let token = std::fs::read_to_string(&token_path)
            .with_context(|| format!("reading {}", token_path.display()))?
            .trim()
            .to_string();
        if token.is_empty() {
            bail!("{} is empty", token_path.display());
        }
        Ok(Server {
            child,
            pid,
            addr,
            token,
            log_path,
        })
    }

    pub fn memory(&self) -> anyhow::Result<Memory> {
        Memory::of(self.pid)
    }

    /// CPU time the server process has used so far (user + system, all
    /// threads; not its parse children while they run), in seconds.
    pub fn cpu_seconds(&self) -> anyhow::Result<f64> {
        cpu_seconds_of(self.pid)
    }

    /// SIGTERM, then wait for a graceful exit (SIGKILL after 15 s); how it ended.
    pub async fn stop(mut self) -> String {
        // SAFETY: kill(2) on the pid of our own child, which has not been reaped yet.
        unsafe {
            libc::kill(self.pid as libc::pid_t, libc::SIGTERM);
        }
        let started = std::time::Instant::now();
        match tokio::time::timeout(Duration::from_secs(15), self.child.wait()).await {
            Ok(Ok(status)) => format!(
                "{status} after SIGTERM, in {} ms",
                started.elapsed().as_millis()
            ),
            Ok(Err(error)) => format!("cannot wait for the server: {error}"),
            Err(_) => {
                let _ = self.child.kill().await;
                "still running 15 s after SIGTERM; killed it".into()
            }
        }
    }
}

/// CPU time process `pid` has used so far (user + system, all threads), in
/// seconds.
pub fn cpu_seconds_of(pid: u32) -> anyhow::Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name (which may hold spaces) start at `state`.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .context("unreadable /proc/PID/stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| -> anyhow::Result<f64> {
        Ok(fields
            .get(i)
            .context("short /proc/PID/stat")?
            .parse::<f64>()?)
    };
    // utime and stime are fields 14 and 15 of stat(5); `state` is field 3.
    let used = ticks(14 - 3)? + ticks(15 - 3)?;
    // SAFETY: sysconf has no preconditions.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    Ok(used / per_second.max(1) as f64)
}

/// Resident memory of one process, in KiB.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Memory {
    /// Resident set size now.
    pub vm_rss_kib: u64,
    /// Peak resident set size since the process started.
    pub vm_hwm_kib: u64,
}

impl Memory {
    pub fn of(pid: u32) -> anyhow::Result<Memory> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .with_context(|| format!("reading /proc/{pid}/status"))?;
        let field = |name: &str| -> anyhow::Result<u64> {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
                .with_context(|| format!("no {name} in /proc/{pid}/status"))
        };
        Ok(Memory {
            vm_rss_kib: field("VmRSS:")?,
            vm_hwm_kib: field("VmHWM:")?,
        })
    }
}

/// Warnings and errors the server logged, found by level in its log file.
#[derive(Debug, Default, Serialize)]
pub struct LogSummary {
    pub warn_lines: usize,
    pub error_lines: usize,
    /// The first few of them, verbatim.
    pub samples: Vec<String>,
}

impl LogSummary {
    pub fn read(path: &Path) -> LogSummary {
        let mut summary = LogSummary::default();
        let Ok(text) = std::fs::read_to_string(path) else {
            return summary;
        };
        for line in text.lines() {
            // Both the text format (" WARN ") and the JSON format ("level":"WARN").
            let warn = line.contains(" WARN ") || line.contains("\"WARN\"");
            let error = line.contains(" ERROR ") || line.contains("\"ERROR\"");
            if warn {
                summary.warn_lines += 1;
            }
            if error {
                summary.error_lines += 1;
            }
            if (warn || error) && summary.samples.len() < 5 {
                summary.samples.push(strip_ansi(line));
            }
        }
        summary
    }
}

/// Drop terminal colour codes from a log line.
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Samples the server's RSS in the background to catch the peak of a phase.
pub struct Sampler {
    peak: std::sync::Arc<std::sync::atomic::AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Sampler {
    pub fn start(pid: u32) -> Sampler {
        use std::sync::atomic::{AtomicU64, Ordering};
        let peak = std::sync::Arc::new(AtomicU64::new(0));
        let seen = peak.clone();
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(50));
            loop {
                tick.tick().await;
                if let Ok(memory) = Memory::of(pid) {
                    seen.fetch_max(memory.vm_rss_kib, Ordering::Relaxed);
                }
            }
        });
        Sampler { peak, task }
    }

    /// Stop sampling; the highest VmRSS seen, in KiB.
    pub fn finish(self) -> u64 {
        self.task.abort();
        self.peak.load(std::sync::atomic::Ordering::Relaxed)
    }
}
