//! Server settings: defaults, then an optional TOML file, then environment
//! variables and command-line flags (clap merges the last two, flags win).
//!
//! Every setting has a `VITAE_*` environment variable; `--config FILE` (or
//! `VITAE_CONFIG`) names a TOML file with the same keys in snake_case.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use serde::Deserialize;

/// The settings of `vitae-server serve`, as flags and env vars.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port; the bound address is printed).
    #[arg(long, env = "VITAE_ADDR")]
    pub addr: Option<SocketAddr>,
    /// Where the redb file and admin.token live.
    #[arg(long, env = "VITAE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// TOML config file with the same keys as these flags (snake_case).
    #[arg(long, env = "VITAE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Base URL of share links, e.g. https://cv.example.com (default: http://ADDR).
    #[arg(long, env = "VITAE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Browser origin allowed by CORS; repeat for several (comma-separated in the env var).
    #[arg(
        long = "cors-origin",
        env = "VITAE_CORS_ORIGINS",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,
    /// Largest accepted upload in bytes.
    #[arg(long, env = "VITAE_MAX_UPLOAD_BYTES")]
    pub max_upload_bytes: Option<u64>,
    /// Share lifetime when a request gives none, in days.
    #[arg(long, env = "VITAE_SHARE_DEFAULT_DAYS")]
    pub share_default_days: Option<u32>,
    /// Longest share lifetime a request may ask for, in days.
    #[arg(long, env = "VITAE_SHARE_MAX_DAYS")]
    pub share_max_days: Option<u32>,
    /// Parse workers (default: the number of cores).
    #[arg(long, env = "VITAE_WORKERS")]
    pub workers: Option<usize>,
    /// Uploads waiting for a worker before uploads answer 429.
    #[arg(long, env = "VITAE_QUEUE_CAPACITY")]
    pub queue_capacity: Option<usize>,
    /// Wall-clock budget of one parse, in seconds.
    #[arg(long, env = "VITAE_PARSE_TIMEOUT_SECS")]
    pub parse_timeout_secs: Option<u64>,
    /// Memory budget of one parse, in MiB (address space of the parse process).
    #[arg(long, env = "VITAE_PARSE_MEMORY_MIB")]
    pub parse_memory_mib: Option<u64>,
    /// Seconds between SSE heartbeat comments.
    #[arg(long, env = "VITAE_HEARTBEAT_SECS")]
    pub heartbeat_secs: Option<u64>,
    /// Log format: `text` or `json`.
    #[arg(long, env = "VITAE_LOG_FORMAT")]
    pub log_format: Option<String>,
    /// Base URL of an OpenAI-compatible API (Ollama, llama.cpp server, vLLM),
    /// e.g. http://127.0.0.1:11434/v1. Off when absent.
    #[arg(long, env = "VITAE_LLM_URL")]
    pub llm_url: Option<String>,
    /// Model name to ask the provider for.
    #[arg(long, env = "VITAE_LLM_MODEL")]
    pub llm_model: Option<String>,
    /// Bearer key for the provider, if it wants one (env only: flags show in `ps`).
    #[arg(skip)]
    pub llm_api_key: Option<String>,
    /// Seconds to wait for the provider before using the deterministic result.
    #[arg(long, env = "VITAE_LLM_TIMEOUT_SECS")]
    pub llm_timeout_secs: Option<u64>,
    /// Seconds a client may take to send a request's headers.
    #[arg(long, env = "VITAE_HEADER_TIMEOUT_SECS")]
    pub header_timeout_secs: Option<u64>,
    /// Seconds a client may take to send a whole request body (else 408).
    #[arg(long, env = "VITAE_BODY_TIMEOUT_SECS")]
    pub body_timeout_secs: Option<u64>,
    /// Open connections at once; past it new ones get 503.
    #[arg(long, env = "VITAE_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Open event streams at once, all owners together; past it 503.
    #[arg(long, env = "VITAE_MAX_STREAMS")]
    pub max_streams: Option<usize>,
    /// Open event streams of one owner; past it 429.
    #[arg(long, env = "VITAE_MAX_STREAMS_PER_OWNER")]
    pub max_streams_per_owner: Option<usize>,
    /// Share-link views per second from one client address (bursts of 5x); 0 = no limit.
    #[arg(long, env = "VITAE_SHARE_RATE")]
    pub share_rate: Option<u32>,
    /// Failed authentications per minute from one client address (also the burst); 0 = no limit.
    #[arg(long, env = "VITAE_AUTH_FAILURES_PER_MIN")]
    pub auth_failures_per_min: Option<u32>,
    /// Free space (MiB) the data dir's disk must keep; writes that would go below answer 507.
    #[arg(long, env = "VITAE_MIN_FREE_MIB")]
    pub min_free_mib: Option<u64>,
    /// Address of a reverse proxy whose X-Forwarded-For names the client
    /// (for the per-address limits); repeat for several.
    #[arg(
        long = "trusted-proxy",
        env = "VITAE_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

/// The same keys, as read from the TOML file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    addr: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    public_url: Option<String>,
    cors_origins: Option<Vec<String>>,
    max_upload_bytes: Option<u64>,
    share_default_days: Option<u32>,
    share_max_days: Option<u32>,
    workers: Option<usize>,
    queue_capacity: Option<usize>,
    parse_timeout_secs: Option<u64>,
    parse_memory_mib: Option<u64>,
    heartbeat_secs: Option<u64>,
    log_format: Option<String>,
    llm_url: Option<String>,
    llm_model: Option<String>,
    llm_timeout_secs: Option<u64>,
    header_timeout_secs: Option<u64>,
    body_timeout_secs: Option<u64>,
    max_connections: Option<usize>,
    max_streams: Option<usize>,
    max_streams_per_owner: Option<usize>,
    share_rate: Option<u32>,
    auth_failures_per_min: Option<u32>,
    min_free_mib: Option<u64>,
    trusted_proxies: Option<Vec<std::net::IpAddr>>,
}

/// The resolved settings the server runs with.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    pub public_url: Option<String>,
    pub cors_origins: Vec<String>,
    pub max_upload_bytes: u64,
    pub share_default_days: u32,
    pub share_max_days: u32,
    pub workers: usize,
    pub queue_capacity: usize,
    pub parse_timeout: Duration,
    pub parse_memory_mib: u64,
    pub heartbeat: Duration,
    pub log_json: bool,
    /// The optional language-model provider; `None` = off.
    pub llm: Option<LlmConfig>,
    pub limits: Limits,
}

/// What one client, one owner and the whole server may hold or ask for
/// (docs/operations.md, "Limits"; enforced by `crate::limits`).
#[derive(Debug, Clone)]
pub struct Limits {
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub max_connections: usize,
    pub max_streams: usize,
    pub max_streams_per_owner: usize,
    /// Share views per second per client address; 0 = off.
    pub share_rate: u32,
    /// Failed authentications per minute per client address; 0 = off.
    pub auth_failures_per_min: u32,
    /// Bytes the data dir's file system must keep free after a write.
    pub min_free_bytes: u64,
    /// Peers whose `X-Forwarded-For` names the client address.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

/// Where the optional OpenAI-compatible provider is.
#[derive(Debug, Clone)]
pub struct LlmConfig {
    /// Base URL without the trailing `/chat/completions`.
    pub url: String,
    pub model: String,
    pub api_key: Option<String>,
    pub timeout: Duration,
}

/// `$XDG_DATA_HOME/vitae` (or the platform's equivalent), else `./vitae-data`.
pub fn default_data_dir() -> PathBuf {
    dirs::data_dir()
        .map(|d| d.join("vitae"))
        .unwrap_or_else(|| PathBuf::from("vitae-data"))
}

impl Config {
    pub fn resolve(args: ServeArgs) -> anyhow::Result<Config> {
        let file = match &args.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let llm = match (
            args.llm_url.or(file.llm_url),
            args.llm_model.or(file.llm_model),
        ) {
            (None, None) => None,
            (Some(url), Some(model)) => {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    anyhow::bail!("llm_url {url:?}: give an http:// or https:// URL, e.g. http://127.0.0.1:11434/v1");
                }
                Some(LlmConfig {
                    url: url.trim_end_matches('/').to_string(),
                    model,
                    api_key: args
                        .llm_api_key
                        .or_else(|| std::env::var("VITAE_LLM_API_KEY").ok())
                        .filter(|k| !k.is_empty()),
                    timeout: Duration::from_secs(
                        args.llm_timeout_secs
                            .or(file.llm_timeout_secs)
                            .unwrap_or(20)
                            .max(1),
                    ),
                })
            }
            (Some(_), None) => anyhow::bail!(
                "llm_url is set but llm_model is not: name the model to use (VITAE_LLM_MODEL)"
            ),
            (None, Some(_)) => anyhow::bail!(
                "llm_model is set but llm_url is not: give the provider's base URL (VITAE_LLM_URL)"
            ),
        };
        let config = Config {
            addr: args
                .addr
                .or(file.addr)
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 7878))),
            data_dir: args
                .data_dir
                .or(file.data_dir)
                .unwrap_or_else(default_data_dir),
            public_url: args
                .public_url
                .or(file.public_url)
                .map(|u| u.trim_end_matches('/').to_string()),
            cors_origins: if args.cors_origins.is_empty() {
                file.cors_origins.unwrap_or_default()
            } else {
                args.cors_origins
            },
            max_upload_bytes: args
                .max_upload_bytes
                .or(file.max_upload_bytes)
                .unwrap_or(10 * 1024 * 1024),
            share_default_days: args
                .share_default_days
                .or(file.share_default_days)
                .unwrap_or(30),
            share_max_days: args.share_max_days.or(file.share_max_days).unwrap_or(365),
            workers: args.workers.or(file.workers).unwrap_or(cores).max(1),
            queue_capacity: args
                .queue_capacity
                .or(file.queue_capacity)
                .unwrap_or(1024)
                .max(1),
            parse_timeout: Duration::from_secs(
                args.parse_timeout_secs
                    .or(file.parse_timeout_secs)
                    .unwrap_or(30)
                    .max(1),
            ),
            parse_memory_mib: args
                .parse_memory_mib
                .or(file.parse_memory_mib)
                .unwrap_or(1024),
            heartbeat: Duration::from_secs(
                args.heartbeat_secs
                    .or(file.heartbeat_secs)
                    .unwrap_or(15)
                    .clamp(1, 15),
            ),
            log_json: match args.log_format.or(file.log_format).as_deref() {
                None | Some("text") => false,
                Some("json") => true,
                Some(other) => anyhow::bail!("log format {other:?}: use `text` or `json`"),
            },
            llm,
            limits: Limits {
                header_timeout: Duration::from_secs(
                    args.header_timeout_secs
                        .or(file.header_timeout_secs)
                        .unwrap_or(10)
                        .max(1),
                ),
                body_timeout: Duration::from_secs(
                    args.body_timeout_secs
                        .or(file.body_timeout_secs)
                        .unwrap_or(60)
                        .max(1),
                ),
                max_connections: args
                    .max_connections
                    .or(file.max_connections)
                    .unwrap_or(16_384)
                    .max(1),
                max_streams: args
                    .max_streams
                    .or(file.max_streams)
                    .unwrap_or(16_384)
                    .max(1),
                max_streams_per_owner: args
                    .max_streams_per_owner
                    .or(file.max_streams_per_owner)
                    .unwrap_or(256)
                    .max(1),
                share_rate: args.share_rate.or(file.share_rate).unwrap_or(20),
                auth_failures_per_min: args
                    .auth_failures_per_min
                    .or(file.auth_failures_per_min)
                    .unwrap_or(60),
                min_free_bytes: args.min_free_mib.or(file.min_free_mib).unwrap_or(64) * 1024 * 1024,
                trusted_proxies: if args.trusted_proxies.is_empty() {
                    file.trusted_proxies.unwrap_or_default()
                } else {
                    args.trusted_proxies
                },
            },
        };
        if config.share_default_days == 0 || config.share_default_days > config.share_max_days {
            anyhow::bail!(
                "share_default_days ({}) must be between 1 and share_max_days ({})",
                config.share_default_days,
                config.share_max_days
            );
        }
        for origin in &config.cors_origins {
            if origin == "*" || !(origin.starts_with("http://") || origin.starts_with("https://")) {
                anyhow::bail!("CORS origin {origin:?}: give full origins like https://app.example.com, never *");
            }
        }
        Ok(config)
    }
}

fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading config file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("parsing config file {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_file_which_overrides_defaults() {
        let dir = std::env::temp_dir().join(format!("vitae-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("vitae.toml");
        std::fs::write(
            &file,
            "share_max_days = 90\nmax_upload_bytes = 1000\ncors_origins = [\"https://a.example\"]\n",
        )
        .unwrap();
        let args = ServeArgs {
            config: Some(file),
            max_upload_bytes: Some(2000),
            ..Default::default()
        };
        let config = Config::resolve(args).unwrap();
        assert_eq!(config.share_max_days, 90);
        assert_eq!(config.max_upload_bytes, 2000);
        assert_eq!(config.cors_origins, vec!["https://a.example".to_string()]);
        assert_eq!(config.share_default_days, 30);
    }

    #[test]
    fn wildcard_cors_and_unknown_keys_are_refused() {
        let args = ServeArgs {
            cors_origins: vec!["*".into()],
            ..Default::default()
        };
        assert!(Config::resolve(args).is_err());
        assert!(toml::from_str::<FileConfig>("colour = 1").is_err());
    }
}
