//! Server settings: each declared once, with its flag, environment
//! variable, config-file key and default, on the clap structs below.
//!
//! Precedence, highest first: command-line flag, `VITAE_*` environment
//! variable, the TOML file named by `--config` (or `VITAE_CONFIG`), the
//! default. clap itself does the first two and the last; [`parse_layered`]
//! slots the file in between by making each of its values the default of
//! the setting of the same name (a field's name is its file key), so every
//! command that takes `--config` (`serve`, `token create`) reads the file
//! the same way. [`Config::resolve`] then checks the values and derives
//! what the server runs with.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clap::{ArgAction, Command};

/// Where the store lives: the settings of every command that opens it.
#[derive(Debug, Clone, clap::Args)]
pub struct StoreArgs {
    /// TOML config file with the same keys as the flags (snake_case).
    #[arg(long, env = "VITAE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Where the redb file and admin.token live.
    #[arg(long, env = "VITAE_DATA_DIR", default_value_os_t = default_data_dir())]
    pub data_dir: PathBuf,
    /// PostgreSQL URL (postgres://USER:PASSWORD@HOST:PORT/DATABASE): keep
    /// the store there instead of the redb file in the data dir.
    #[arg(long, env = "VITAE_DATABASE_URL")]
    pub database_url: Option<crate::store::postgres::DatabaseUrl>,
}

/// The settings of `vitae-server serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Address to listen on (port 0 picks a free port; the bound address is printed).
    #[arg(long, env = "VITAE_ADDR", default_value = "127.0.0.1:7878")]
    pub addr: SocketAddr,
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
    #[arg(long, env = "VITAE_MAX_UPLOAD_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_upload_bytes: u64,
    /// Share lifetime when a request gives none, in days.
    #[arg(long, env = "VITAE_SHARE_DEFAULT_DAYS", default_value_t = 30)]
    pub share_default_days: u32,
    /// Longest share lifetime a request may ask for, in days.
    #[arg(long, env = "VITAE_SHARE_MAX_DAYS", default_value_t = 365)]
    pub share_max_days: u32,
    /// Parse workers (default: the number of cores).
    #[arg(long, env = "VITAE_WORKERS", default_value_t = cores())]
    pub workers: usize,
    /// Uploads waiting for a worker before uploads answer 429.
    #[arg(long, env = "VITAE_QUEUE_CAPACITY", default_value_t = 1024)]
    pub queue_capacity: usize,
    /// Wall-clock budget of one parse, in seconds.
    #[arg(long, env = "VITAE_PARSE_TIMEOUT_SECS", default_value_t = 30)]
    pub parse_timeout_secs: u64,
    /// Memory budget of one parse, in MiB (address space of the parse process).
    #[arg(long, env = "VITAE_PARSE_MEMORY_MIB", default_value_t = 1024)]
    pub parse_memory_mib: u64,
    /// Render workers for PDF/DOCX exports (default: the number of cores, at most 4).
    #[arg(long, env = "VITAE_EXPORT_WORKERS", default_value_t = cores().min(4))]
    pub export_workers: usize,
    /// Exports waiting for a render worker before exports answer 503.
    #[arg(long, env = "VITAE_EXPORT_QUEUE_CAPACITY", default_value_t = 64)]
    pub export_queue_capacity: usize,
    /// Wall-clock budget of one export render, in seconds.
    #[arg(long, env = "VITAE_EXPORT_TIMEOUT_SECS", default_value_t = 10)]
    pub export_timeout_secs: u64,
    /// Most pages an export may have.
    #[arg(long, env = "VITAE_EXPORT_MAX_PAGES", default_value_t = 20)]
    pub export_max_pages: usize,
    /// Size of the export cache in the store, in MiB (least recently used files go first).
    #[arg(long, env = "VITAE_EXPORT_CACHE_MIB", default_value_t = 256)]
    pub export_cache_mib: u64,
    /// Seconds between SSE heartbeat comments (1-15).
    #[arg(long, env = "VITAE_HEARTBEAT_SECS", default_value_t = 15)]
    pub heartbeat_secs: u64,
    /// Log format: `text` or `json`.
    #[arg(long, env = "VITAE_LOG_FORMAT", default_value = "text")]
    pub log_format: String,
    /// Base URL of an OpenAI-compatible API (Ollama, llama.cpp server, vLLM),
    /// e.g. http://127.0.0.1:11434/v1. Off when absent.
    #[arg(long, env = "VITAE_LLM_URL")]
    pub llm_url: Option<String>,
    /// Model name to ask the provider for.
    #[arg(long, env = "VITAE_LLM_MODEL")]
    pub llm_model: Option<String>,
    /// Seconds to wait for the provider before using the deterministic result.
    #[arg(long, env = "VITAE_LLM_TIMEOUT_SECS", default_value_t = 20)]
    pub llm_timeout_secs: u64,
    /// Seconds a client may take to send a request's headers.
    #[arg(long, env = "VITAE_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    pub header_timeout_secs: u64,
    /// Seconds a client may take to send a whole request body (else 408).
    #[arg(long, env = "VITAE_BODY_TIMEOUT_SECS", default_value_t = 60)]
    pub body_timeout_secs: u64,
    /// Open connections at once; past it new ones get 503.
    #[arg(long, env = "VITAE_MAX_CONNECTIONS", default_value_t = 16_384)]
    pub max_connections: usize,
    /// Open event streams at once, all owners together; past it 503.
    #[arg(long, env = "VITAE_MAX_STREAMS", default_value_t = 16_384)]
    pub max_streams: usize,
    /// Open event streams of one owner; past it 429.
    #[arg(long, env = "VITAE_MAX_STREAMS_PER_OWNER", default_value_t = 256)]
    pub max_streams_per_owner: usize,
    /// Share-link views per second from one client address (bursts of 5x); 0 = no limit.
    #[arg(long, env = "VITAE_SHARE_RATE", default_value_t = 20)]
    pub share_rate: u32,
    /// Failed authentications per minute from one client address (also the burst); 0 = no limit.
    #[arg(long, env = "VITAE_AUTH_FAILURES_PER_MIN", default_value_t = 60)]
    pub auth_failures_per_min: u32,
    /// Free space (MiB) the data dir's disk must keep; writes that would go below answer 507.
    #[arg(long, env = "VITAE_MIN_FREE_MIB", default_value_t = 64)]
    pub min_free_mib: u64,
    /// Address of a reverse proxy whose X-Forwarded-For names the client
    /// (for the per-address limits); repeat for several.
    #[arg(
        long = "trusted-proxy",
        env = "VITAE_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<IpAddr>,
    /// Most MiB of extracted text, and of a parsed document as JSON, one
    /// parse may produce (default: twice the upload limit); past it the
    /// parse fails.
    #[arg(long, env = "VITAE_MAX_PARSED_MIB")]
    pub max_parsed_mib: Option<u64>,
    /// Uploads of one user waiting for a parse worker; past it 429.
    #[arg(long, env = "VITAE_QUEUE_PER_OWNER", default_value_t = 256)]
    pub queue_per_owner: usize,
    /// Per-user quota: MiB stored (originals, texts, documents, revisions); 0 = no limit.
    #[arg(long, env = "VITAE_QUOTA_BYTES_MIB", default_value_t = 10 * 1024)]
    pub quota_bytes_mib: u64,
    /// Per-user quota: resumes; 0 = no limit.
    #[arg(long, env = "VITAE_QUOTA_RESUMES", default_value_t = 10_000)]
    pub quota_resumes: u64,
    /// Per-user quota: earlier revisions kept per resume; 0 = no limit.
    #[arg(
        long,
        env = "VITAE_QUOTA_REVISIONS_PER_RESUME",
        default_value_t = 10_000
    )]
    pub quota_revisions_per_resume: u64,
    /// Per-user quota: job descriptions; 0 = no limit.
    #[arg(long, env = "VITAE_QUOTA_JOBS", default_value_t = 10_000)]
    pub quota_jobs: u64,
    /// Per-user quota: share links (revoked ones count until their resume is deleted); 0 = no limit.
    #[arg(long, env = "VITAE_QUOTA_SHARES", default_value_t = 10_000)]
    pub quota_shares: u64,
    /// Per-user quota: export jobs kept (the oldest finished ones make room); 0 = no limit.
    #[arg(long, env = "VITAE_QUOTA_EXPORTS", default_value_t = 200)]
    pub quota_exports: u64,
    /// MiB of tailoring previews kept in memory for their confirmation.
    #[arg(long, env = "VITAE_PREVIEW_CACHE_MIB", default_value_t = 64)]
    pub preview_cache_mib: u64,
    /// MiB of encoded resume answers kept in memory for repeated reads.
    #[arg(long, env = "VITAE_READ_CACHE_MIB", default_value_t = 64)]
    pub read_cache_mib: u64,
    /// Also serve every share link at the root of the host, `/{token}` as
    /// well as `/s/{token}`, and hand out links in that form (for a host of
    /// one's own, e.g. https://cv.example.com/TOKEN).
    #[arg(
        long,
        env = "VITAE_SHARE_ROOT_ALIAS",
        default_value_t = false,
        action = ArgAction::Set,
        num_args = 0..=1,
        default_missing_value = "true",
        value_name = "BOOL"
    )]
    pub share_root_alias: bool,
    /// Which log records to keep, as `RUST_LOG` takes them (`info`,
    /// `vitae_server=debug,info`); default: `RUST_LOG`, else `info`.
    /// SIGHUP applies a new value.
    #[arg(long, env = "VITAE_LOG_LEVEL")]
    pub log_level: Option<String>,
    /// At start, wait up to SECONDS (60 when the flag has no value) for a
    /// database that is down or out of reach, trying again with backoff;
    /// wrong credentials or an unknown database still stop the start at
    /// once. Without it, an unreachable database stops the start.
    #[arg(
        long,
        env = "VITAE_WAIT_FOR_DB",
        num_args = 0..=1,
        default_missing_value = "60",
        value_name = "SECONDS"
    )]
    pub wait_for_db: Option<u64>,
}

/// The provider's bearer key: from the environment only, never a flag
/// (flags show in `ps`) nor the file (which tends to be world-readable).
const LLM_API_KEY_VAR: &str = "VITAE_LLM_API_KEY";

fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// The resolved settings the server runs with.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    /// The PostgreSQL database, when the store is there (else redb in
    /// `data_dir`).
    pub database_url: Option<crate::store::postgres::DatabaseUrl>,
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
    pub export: crate::exports::ExportConfig,
    /// Most bytes of extracted text, and of a parsed document as JSON.
    pub max_parsed_bytes: u64,
    /// Uploads of one owner waiting for a parse.
    pub queue_per_owner: usize,
    /// What one owner may keep in the store.
    pub quotas: crate::store::Quotas,
    /// Bytes of tailoring previews kept in memory.
    pub preview_cache_bytes: u64,
    /// Bytes of encoded resume answers kept in memory.
    pub read_cache_bytes: u64,
    /// `/{token}` is an alias of `/s/{token}`, and share URLs use it.
    pub share_root_alias: bool,
    /// The log filter, in `RUST_LOG`'s syntax.
    pub log_level: String,
    /// How long the start waits for an unreachable database (`None`: not at all).
    pub wait_for_db: Option<Duration>,
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

/// Where the optional OpenAI-compatible provider is. Its `Debug` form
/// redacts the key and the URL's credentials, so no log of the settings
/// can carry them.
#[derive(Clone)]
pub struct LlmConfig {
    /// Base URL without the trailing `/chat/completions`.
    pub url: String,
    pub model: String,
    pub api_key: Option<String>,
    pub timeout: Duration,
}

impl std::fmt::Debug for LlmConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmConfig")
            .field("url", &crate::llm::redacted_url(&self.url))
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "***"))
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// `$XDG_DATA_HOME/vitae` (or the platform's equivalent), else `./vitae-data`.
pub fn default_data_dir() -> PathBuf {
    dirs::data_dir()
        .map(|d| d.join("vitae"))
        .unwrap_or_else(|| PathBuf::from("vitae-data"))
}

impl Config {
    /// Check the settings and derive what the server runs with.
    pub fn resolve(args: ServeArgs) -> anyhow::Result<Config> {
        let llm = match (args.llm_url, args.llm_model) {
            (None, None) => None,
            (Some(url), Some(model)) => {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    anyhow::bail!(
                        "llm_url {:?}: give an http:// or https:// URL, e.g. http://127.0.0.1:11434/v1",
                        crate::llm::redacted_url(&url)
                    );
                }
                Some(LlmConfig {
                    url: url.trim_end_matches('/').to_string(),
                    model,
                    api_key: std::env::var(LLM_API_KEY_VAR)
                        .ok()
                        .filter(|k| !k.is_empty()),
                    timeout: Duration::from_secs(args.llm_timeout_secs.max(1)),
                })
            }
            (Some(_), None) => anyhow::bail!(
                "llm_url is set but llm_model is not: name the model to use (VITAE_LLM_MODEL)"
            ),
            (None, Some(_)) => anyhow::bail!(
                "llm_model is set but llm_url is not: give the provider's base URL (VITAE_LLM_URL)"
            ),
        };
        const MIB: u64 = 1024 * 1024;
        let config = Config {
            max_parsed_bytes: match args.max_parsed_mib {
                Some(mib) => mib.max(1) * MIB,
                None => (args.max_upload_bytes.saturating_mul(2)).max(MIB),
            },
            queue_per_owner: args.queue_per_owner.max(1),
            quotas: crate::store::Quotas {
                bytes: args.quota_bytes_mib.saturating_mul(MIB),
                resumes: args.quota_resumes,
                revisions_per_resume: args.quota_revisions_per_resume,
                jobs: args.quota_jobs,
                shares: args.quota_shares,
                exports: args.quota_exports,
            },
            preview_cache_bytes: args.preview_cache_mib.saturating_mul(MIB),
            read_cache_bytes: args.read_cache_mib.saturating_mul(MIB),
            share_root_alias: args.share_root_alias,
            wait_for_db: args.wait_for_db.map(Duration::from_secs),
            log_level: crate::logs::check_level(
                args.log_level
                    .or_else(|| std::env::var("RUST_LOG").ok())
                    .as_deref(),
            )?,
            addr: args.addr,
            data_dir: args.store.data_dir,
            database_url: args.store.database_url,
            public_url: args.public_url.map(|u| u.trim_end_matches('/').to_string()),
            cors_origins: args.cors_origins,
            max_upload_bytes: args.max_upload_bytes,
            share_default_days: args.share_default_days,
            share_max_days: args.share_max_days,
            workers: args.workers.max(1),
            queue_capacity: args.queue_capacity.max(1),
            parse_timeout: Duration::from_secs(args.parse_timeout_secs.max(1)),
            parse_memory_mib: args.parse_memory_mib,
            heartbeat: Duration::from_secs(args.heartbeat_secs.clamp(1, 15)),
            log_json: match args.log_format.as_str() {
                "text" => false,
                "json" => true,
                other => anyhow::bail!("log format {other:?}: use `text` or `json`"),
            },
            llm,
            export: crate::exports::ExportConfig {
                workers: args.export_workers.max(1),
                queue_capacity: args.export_queue_capacity.max(1),
                cache_bytes: args.export_cache_mib * 1024 * 1024,
                limits: vitae_export::Limits {
                    max_pages: args.export_max_pages.max(1),
                    time_budget: Duration::from_secs(args.export_timeout_secs.max(1)),
                    ..vitae_export::Limits::default()
                },
            },
            limits: Limits {
                header_timeout: Duration::from_secs(args.header_timeout_secs.max(1)),
                body_timeout: Duration::from_secs(args.body_timeout_secs.max(1)),
                max_connections: args.max_connections.max(1),
                max_streams: args.max_streams.max(1),
                max_streams_per_owner: args.max_streams_per_owner.max(1),
                share_rate: args.share_rate,
                auth_failures_per_min: args.auth_failures_per_min,
                min_free_bytes: args.min_free_mib * 1024 * 1024,
                trusted_proxies: args.trusted_proxies,
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

/// Parse the command line as `P`, with the config file layered between the
/// environment and the defaults.
///
/// The command line is read twice: once to learn `--config` (flag or env)
/// of the command that runs, then, when there is a file, again with each
/// of the file's values installed as the default of its setting. A key
/// that no command taking `--config` knows is an error, so a typo does not
/// pass silently; a key the running command lacks (`addr` for `token
/// create`) is another command's, and ignored. Values are checked by the
/// setting's own parser, with the file and key named in the error.
///
/// Errors: a `clap::Error` (print it with `exit()`, as clap would) or a
/// config file error.
pub fn parse_layered<P: clap::Parser>(
    argv: impl IntoIterator<Item = impl Into<OsString> + Clone>,
) -> anyhow::Result<P> {
    let argv: Vec<OsString> = argv.into_iter().map(Into::into).collect();
    let command = P::command();
    let matches = command.clone().try_get_matches_from(&argv)?;
    let mut path = Vec::new();
    let mut leaf = &matches;
    while let Some((name, sub)) = leaf.subcommand() {
        path.push(name.to_string());
        leaf = sub;
    }
    let file = leaf.try_get_one::<PathBuf>("config").ok().flatten();
    let Some(file) = file else {
        return Ok(P::from_arg_matches(&matches)?);
    };
    let defaults = file_defaults(&command, &path, file)?;
    let command = with_defaults(command, &path, defaults);
    let matches = command.try_get_matches_from(&argv)?;
    Ok(P::from_arg_matches(&matches)?)
}

/// The file's values as defaults for the command at `path`: `(arg id,
/// values)`, each value already checked by the arg's parser.
fn file_defaults(
    root: &Command,
    path: &[String],
    file: &Path,
) -> anyhow::Result<Vec<(String, Vec<String>)>> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("reading config file {}", file.display()))?;
    let table: toml::Table =
        toml::from_str(&text).with_context(|| format!("parsing config file {}", file.display()))?;
    let mut leaf = root;
    for name in path {
        leaf = leaf
            .find_subcommand(name)
            .context("the command line names a subcommand clap does not know")?;
    }
    let known = file_keys(root);
    let mut defaults = Vec::new();
    for (key, value) in &table {
        let invalid =
            |why: String| anyhow::anyhow!("config file {}: `{key}`: {why}", file.display());
        if !known.contains(key.as_str()) {
            return Err(invalid(format!(
                "unknown key; the keys are {}",
                known.iter().copied().collect::<Vec<_>>().join(", ")
            )));
        }
        let Some(arg) = leaf.get_arguments().find(|a| a.get_id() == key) else {
            continue; // another command's setting
        };
        let many = matches!(arg.get_action(), ArgAction::Append);
        let values = match value {
            toml::Value::Array(items) if many => items
                .iter()
                .map(scalar)
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| invalid("give a list of plain values".into()))?,
            toml::Value::Array(_) => return Err(invalid("give one value, not a list".into())),
            _ if many => return Err(invalid("give a list, e.g. [\"a\", \"b\"]".into())),
            other => vec![scalar(other).ok_or_else(|| invalid("give a plain value".into()))?],
        };
        check_values(arg, &values).map_err(|e| invalid(clap_reason(&e)))?;
        defaults.push((key.clone(), values));
    }
    Ok(defaults)
}

/// Run `values` through `arg`'s own parser, as its default would be, so a
/// bad one is reported against its file key rather than its flag later.
fn check_values(arg: &clap::Arg, values: &[String]) -> Result<(), clap::Error> {
    let alone = arg
        .clone()
        .env(None)
        .required(false)
        .default_values(values.to_vec());
    Command::new("vitae-server")
        .no_binary_name(true)
        .arg(alone)
        .try_get_matches_from(Vec::<OsString>::new())
        .map(drop)
}

/// The keys a config file may hold: every setting of every command that
/// takes `--config`.
fn file_keys(command: &Command) -> BTreeSet<&str> {
    let mut keys = BTreeSet::new();
    if command.get_arguments().any(|a| a.get_id() == "config") {
        keys.extend(
            command
                .get_arguments()
                .map(|a| a.get_id().as_str())
                .filter(|id| !matches!(*id, "config" | "help" | "version")),
        );
    }
    for sub in command.get_subcommands() {
        keys.extend(file_keys(sub));
    }
    keys
}

/// A TOML scalar as the text a flag would carry.
fn scalar(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        toml::Value::Datetime(d) => Some(d.to_string()),
        toml::Value::Array(_) | toml::Value::Table(_) => None,
    }
}

/// The first line of a clap error, without its `error: ` prefix.
fn clap_reason(error: &clap::Error) -> String {
    let text = error.to_string();
    let line = text.lines().next().unwrap_or("");
    line.strip_prefix("error: ").unwrap_or(line).to_string()
}

/// `command` with `defaults` installed on the command at `path`.
fn with_defaults(
    command: Command,
    path: &[String],
    defaults: Vec<(String, Vec<String>)>,
) -> Command {
    match path.split_first() {
        Some((name, rest)) => {
            let name = name.clone();
            command.mut_subcommand(name, |sub| with_defaults(sub, rest, defaults))
        }
        None => defaults.into_iter().fold(command, |command, (id, values)| {
            command.mut_arg(id, |arg| arg.default_values(values))
        }),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    /// The shape of the real command line: `serve` and a command that only
    /// opens the store, like `token create`.
    #[derive(Debug, Parser)]
    struct Cli {
        #[command(subcommand)]
        command: Sub,
    }

    #[derive(Debug, clap::Subcommand)]
    enum Sub {
        Serve(Box<ServeArgs>),
        Token {
            #[arg(long)]
            user: String,
            #[command(flatten)]
            store: StoreArgs,
        },
        Parse {
            files: Vec<PathBuf>,
        },
    }

    fn file(text: &str) -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vitae.toml");
        std::fs::write(&path, text).unwrap();
        let path = path.to_str().unwrap().to_string();
        (dir, path)
    }

    fn serve(args: &[&str]) -> anyhow::Result<Config> {
        let argv = ["vitae-server", "serve"].iter().chain(args);
        match parse_layered::<Cli>(argv.copied())?.command {
            Sub::Serve(args) => Config::resolve(*args),
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn flags_override_the_file_which_overrides_defaults() {
        let (_dir, path) = file(
            "share_max_days = 90\nmax_upload_bytes = 1000\ncors_origins = [\"https://a.example\"]\n",
        );
        let config = serve(&["--config", &path, "--max-upload-bytes", "2000"]).unwrap();
        assert_eq!(config.share_max_days, 90);
        assert_eq!(config.max_upload_bytes, 2000);
        assert_eq!(config.cors_origins, vec!["https://a.example".to_string()]);
        assert_eq!(config.share_default_days, 30);
        let config = serve(&["--config", &path, "--cors-origin", "https://b.example"]).unwrap();
        assert_eq!(
            config.cors_origins,
            vec!["https://b.example".to_string()],
            "a list given as flags replaces the file's"
        );
    }

    #[test]
    fn without_a_file_the_defaults_hold() {
        let config = serve(&[]).unwrap();
        assert_eq!(config.addr, SocketAddr::from(([127, 0, 0, 1], 7878)));
        assert_eq!(config.max_upload_bytes, 10 * 1024 * 1024);
        assert_eq!(config.heartbeat, Duration::from_secs(15));
        assert!(!config.log_json);
        assert!(config.cors_origins.is_empty());
    }

    #[test]
    fn every_command_with_config_reads_the_file() {
        // `data_dir` from the file; `addr` is serve's and ignored here.
        let (_dir, path) = file("data_dir = \"/srv/from-file\"\naddr = \"127.0.0.1:9\"\n");
        let argv = ["vitae-server", "token", "--user", "u", "--config", &path];
        match parse_layered::<Cli>(argv).unwrap().command {
            Sub::Token { store, .. } => assert_eq!(store.data_dir, PathBuf::from("/srv/from-file")),
            other => panic!("parsed as {other:?}"),
        }
        let argv = [
            "vitae-server",
            "token",
            "--user",
            "u",
            "--config",
            &path,
            "--data-dir",
            "/x",
        ];
        match parse_layered::<Cli>(argv).unwrap().command {
            Sub::Token { store, .. } => assert_eq!(store.data_dir, PathBuf::from("/x")),
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn file_errors_name_the_file_and_the_key() {
        for (text, key, why) in [
            ("colour = 1", "colour", "unknown key"),
            ("config = \"x.toml\"", "config", "unknown key"),
            ("llm_api_key = \"k\"", "llm_api_key", "unknown key"),
            ("addr = \"nowhere\"", "addr", "invalid value"),
            ("max_upload_bytes = -1", "max_upload_bytes", "invalid value"),
            (
                "cors_origins = \"https://a.example\"",
                "cors_origins",
                "give a list",
            ),
            ("addr = [\"127.0.0.1:1\"]", "addr", "one value"),
        ] {
            let (_dir, path) = file(text);
            let error = serve(&["--config", &path]).unwrap_err();
            let message = format!("{error:#}");
            assert!(error.downcast_ref::<clap::Error>().is_none(), "{message}");
            assert!(message.contains(&path), "{message}");
            assert!(message.contains(&format!("`{key}`")), "{message}");
            assert!(message.contains(why), "{text}: {message}");
        }
        let error = serve(&["--config", "/nonexistent/vitae.toml"]).unwrap_err();
        assert!(format!("{error:#}").contains("reading config file"));
        let (_dir, path) = file("addr = ");
        let error = serve(&["--config", &path]).unwrap_err();
        assert!(format!("{error:#}").contains("parsing config file"));
    }

    #[test]
    fn flag_errors_stay_clap_errors() {
        let error = serve(&["--addr", "nowhere"]).unwrap_err();
        assert!(error.downcast_ref::<clap::Error>().is_some());
        // Commands without `--config` are parsed once, as clap would.
        let argv = ["vitae-server", "parse", "a.pdf"];
        assert!(matches!(
            parse_layered::<Cli>(argv).unwrap().command,
            Sub::Parse { .. }
        ));
    }

    #[test]
    fn wildcard_cors_is_refused() {
        assert!(serve(&["--cors-origin", "*"]).is_err());
        let (_dir, path) = file("cors_origins = [\"*\"]");
        assert!(serve(&["--config", &path]).is_err());
    }
}
