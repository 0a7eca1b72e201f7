//! Benchmark 1, reads: `GET /v1/resumes/{id}` (a parsed one-page PDF resume
//! with its document) and `GET /s/{token}` with `Accept: application/json`
//! (a share link's JSON form, which counts a view), measured by `wrk` — a
//! load generator in its own process — at several connection counts.
//!
//! In the same run, at each connection count and right before them, `wrk`
//! measures `vitae-bench-hello` (src/bin/hello.rs), a bare hyper server built
//! like ours that answers a fixed body: the machine's limit for an HTTP/1.1
//! server on this runtime with this load generator beside it. Each row
//! reports its requests/s as a fraction of that limit.
//!
//! `wrk` runs min(connections, cores) threads; its latency percentiles come
//! from its own `--latency` histogram. The server CPU time per request
//! (`/proc/PID/stat`) is measured around each run.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context};
use serde::Serialize;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::server::cpu_seconds_of;

#[derive(Debug, Clone, Serialize)]
pub struct ReadRow {
    /// `hello` (the limit), `resume` or `share`.
    pub target: String,
    pub path: String,
    pub connections: usize,
    pub requests: u64,
    pub requests_per_s: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub non_2xx: u64,
    pub socket_errors: u64,
    /// Server CPU time per request, in microseconds.
    pub server_cpu_us_per_request: f64,
    /// requests/s as a fraction of `hello` at the same connection count.
    pub fraction_of_limit: f64,
}

impl ReadRow {
    /// How the tables name the row.
    pub fn label(&self) -> &'static str {
        match self.target.as_str() {
            "hello" => "bare hyper (limit)",
            "resume" => "GET /v1/resumes/{id}",
            _ => "GET /s/{token} (JSON)",
        }
    }
}

/// What `wrk --latency` printed, parsed.
#[derive(Debug, Default, PartialEq)]
struct WrkOutput {
    requests: u64,
    requests_per_s: f64,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    non_2xx: u64,
    socket_errors: u64,
}

/// `136.00us`, `2.16ms`, `1.02s`, `1.5m` → milliseconds.
fn duration_ms(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number.parse().ok()?;
    let factor = match unit {
        "us" => 1e-3,
        "ms" => 1.0,
        "s" => 1e3,
        "m" => 60e3,
        "h" => 3600e3,
        _ => return None,
    };
    Some(value * factor)
}

fn parse_wrk(text: &str) -> anyhow::Result<WrkOutput> {
    let mut out = WrkOutput::default();
    let mut seen_rate = false;
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Latency", _avg, _stdev, max, ..] => {
                out.max_ms = duration_ms(max).unwrap_or(f64::NAN);
            }
            [pct, value] if pct.ends_with('%') => {
                let ms = duration_ms(value).unwrap_or(f64::NAN);
                match *pct {
                    "50%" => out.p50_ms = ms,
                    "90%" => out.p90_ms = ms,
                    "99%" => out.p99_ms = ms,
                    _ => {}
                }
            }
            [n, "requests", "in", ..] => out.requests = n.parse().unwrap_or(0),
            ["Requests/sec:", rate] => {
                out.requests_per_s = rate.parse().context("Requests/sec")?;
                seen_rate = true;
            }
            ["Non-2xx", "or", "3xx", "responses:", n] => out.non_2xx = n.parse().unwrap_or(0),
            ["Socket", "errors:", rest @ ..] => {
                out.socket_errors = rest
                    .iter()
                    .filter_map(|w| w.trim_end_matches(',').parse::<u64>().ok())
                    .sum();
            }
            _ => {}
        }
    }
    if !seen_rate {
        bail!("no `Requests/sec:` line in wrk's output:\n{text}");
    }
    Ok(out)
}

/// The hello-world limit server, running.
pub struct Hello {
    child: Child,
    pub pid: u32,
    pub addr: SocketAddr,
}

impl Hello {
    pub async fn start(binary: &Path) -> anyhow::Result<Hello> {
        let mut child = Command::new(binary)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let pid = child.id().context("vitae-bench-hello exited at once")?;
        let mut lines = BufReader::new(child.stdout.take().context("no stdout")?);
        let mut first = String::new();
        tokio::time::timeout(Duration::from_secs(10), lines.read_line(&mut first))
            .await
            .context("vitae-bench-hello printed no address within 10 s")??;
        let addr = first
            .trim()
            .strip_prefix("listening on http://")
            .with_context(|| format!("unexpected line from vitae-bench-hello: {first:?}"))?
            .parse()?;
        Ok(Hello { child, pid, addr })
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// The `wrk` binary on `PATH`, or an error that says how to get it.
pub fn find_wrk() -> anyhow::Result<PathBuf> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("wrk"))
        .find(|path| path.is_file())
        .context("the read benchmark needs wrk: `apt-get install wrk` (Debian), or skip it with `--only` without `reads`")
}

pub struct Endpoint<'a> {
    pub target: &'a str,
    pub addr: SocketAddr,
    pub path: String,
    pub headers: Vec<String>,
    /// Whose CPU time to charge.
    pub pid: u32,
}

async fn run_wrk(
    wrk: &Path,
    endpoint: &Endpoint<'_>,
    connections: usize,
    duration: Duration,
) -> anyhow::Result<ReadRow> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = connections.min(cores).max(1);
    let mut command = Command::new(wrk);
    command
        .arg(format!("-t{threads}"))
        .arg(format!("-c{connections}"))
        .arg(format!("-d{}s", duration.as_secs().max(1)))
        .arg("--latency");
    for header in &endpoint.headers {
        command.arg("-H").arg(header);
    }
    command.arg(format!("http://{}{}", endpoint.addr, endpoint.path));
    let cpu_before = cpu_seconds_of(endpoint.pid)?;
    let output = command
        .stdin(Stdio::null())
        .output()
        .await
        .with_context(|| format!("running {}", wrk.display()))?;
    let cpu = cpu_seconds_of(endpoint.pid)? - cpu_before;
    if !output.status.success() {
        bail!(
            "wrk failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let parsed = parse_wrk(&String::from_utf8_lossy(&output.stdout))?;
    Ok(ReadRow {
        target: endpoint.target.to_string(),
        path: endpoint.path.clone(),
        connections,
        requests: parsed.requests,
        requests_per_s: parsed.requests_per_s,
        p50_ms: parsed.p50_ms,
        p90_ms: parsed.p90_ms,
        p99_ms: parsed.p99_ms,
        max_ms: parsed.max_ms,
        non_2xx: parsed.non_2xx,
        socket_errors: parsed.socket_errors,
        server_cpu_us_per_request: if parsed.requests == 0 {
            f64::NAN
        } else {
            cpu * 1e6 / parsed.requests as f64
        },
        fraction_of_limit: f64::NAN,
    })
}

/// Every endpoint at every connection count; the limit first at each.
pub async fn run(
    wrk: &Path,
    limit: &Endpoint<'_>,
    endpoints: &[Endpoint<'_>],
    connections: &[usize],
    duration: Duration,
    progress: impl Fn(&str),
) -> anyhow::Result<Vec<ReadRow>> {
    let mut rows = Vec::new();
    for &c in connections {
        progress(&format!("wrk: {} from {c} connections", limit.target));
        let hello = run_wrk(wrk, limit, c, duration).await?;
        let limit_rate = hello.requests_per_s;
        rows.push(ReadRow {
            fraction_of_limit: 1.0,
            ..hello
        });
        for endpoint in endpoints {
            progress(&format!("wrk: {} from {c} connections", endpoint.path));
            let row = run_wrk(wrk, endpoint, c, duration).await?;
            rows.push(ReadRow {
                fraction_of_limit: row.requests_per_s / limit_rate,
                ..row
            });
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "Running 5s test @ http://127.0.0.1:40000/v1/resumes/x
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   380.00us    1.20ms   21.50ms   97.00%
    Req/Sec    21.10k     2.00k   25.00k    70.00%
  Latency Distribution
     50%  303.00us
     75%  400.00us
     90%  600.00us
     99%    2.16ms
  211883 requests in 5.00s, 400.00MB read
  Non-2xx or 3xx responses: 3
  Socket errors: connect 0, read 2, write 0, timeout 1
Requests/sec:  42376.15
Transfer/sec:     80.00MB
";

    #[test]
    fn wrk_output_is_read_with_units() {
        let out = parse_wrk(SAMPLE).unwrap();
        assert_eq!(out.requests, 211_883);
        assert!((out.requests_per_s - 42_376.15).abs() < 1e-6);
        assert!((out.p50_ms - 0.303).abs() < 1e-9);
        assert!((out.p90_ms - 0.6).abs() < 1e-9);
        assert!((out.p99_ms - 2.16).abs() < 1e-9);
        assert!((out.max_ms - 21.5).abs() < 1e-9);
        assert_eq!(out.non_2xx, 3);
        assert_eq!(out.socket_errors, 3);
        assert_eq!(duration_ms("1.02s"), Some(1020.0));
        assert!(parse_wrk("garbage").is_err());
    }
}
