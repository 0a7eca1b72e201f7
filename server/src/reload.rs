//! SIGHUP: read the settings again and apply those that can change while
//! the server runs, without closing a connection or a stream.
//!
//! The settings are read exactly as at start ([`crate::config`]: flag,
//! `VITAE_*` variable, `--config` file, default), so a value given by a
//! flag or a variable still wins over the file. They are checked by
//! [`Config::resolve`]; an invalid file (bad TOML, an unknown key, a bad
//! value) is logged as an error and changes nothing. A valid one swaps in
//! the live settings ([`Live`], the quotas, the free-space floor and the
//! log level) for the next request; each setting that needs a restart
//! (the listen address, the data dir, worker counts, caches, the per-address
//! limits…) and was changed is logged as "needs restart" and keeps its
//! running value. Nothing is rebound, so open connections and SSE streams
//! carry on.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::config::Config;

/// The settings a running server takes from a reload, read per request
/// (per stream for the heartbeat).
#[derive(Debug, Clone)]
pub struct Live {
    pub cors_origins: Vec<String>,
    pub max_upload_bytes: u64,
    pub heartbeat: Duration,
}

impl Live {
    pub fn of(config: &Config) -> Live {
        Live {
            cors_origins: config.cors_origins.clone(),
            max_upload_bytes: config.max_upload_bytes,
            heartbeat: config.heartbeat,
        }
    }
}

/// The live settings in force; a reload replaces them whole, so a request
/// sees either the old set or the new one, never half of each.
pub struct LiveCell(RwLock<Arc<Live>>);

impl LiveCell {
    pub fn new(live: Live) -> LiveCell {
        LiveCell(RwLock::new(Arc::new(live)))
    }

    pub fn get(&self) -> Arc<Live> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set(&self, live: Live) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(live);
    }
}

/// What a reload changes besides [`Live`]: the store's quotas and
/// free-space floor, and the log filter.
pub struct Targets<'a> {
    pub live: &'a LiveCell,
    pub store: &'a crate::store::Backend,
    pub log_level: &'a crate::logs::LogLevel,
}

/// Apply `fresh` (the settings read again) over `running` (those in force,
/// as read at start or at the last reload). On success `running` becomes
/// the new settings with the restart-only ones kept as they were.
pub fn apply(running: &mut Config, fresh: anyhow::Result<Config>, to: &Targets) {
    let fresh = match fresh {
        Ok(fresh) => fresh,
        Err(error) => {
            let error = format!("{error:#}");
            tracing::error!(%error, "configuration not reloaded: the old settings stay in force");
            return;
        }
    };
    if let Err(error) = to.log_level.set(&fresh.log_level) {
        tracing::error!(%error, "configuration not reloaded: the old settings stay in force");
        return;
    }
    let restart = needs_restart(running, &fresh);
    for setting in &restart {
        tracing::warn!(
            setting,
            "the setting changed and needs a restart; the running value stays until then"
        );
    }
    to.live.set(Live::of(&fresh));
    to.store.set_quotas(fresh.quotas);
    to.store.set_min_free_bytes(fresh.limits.min_free_bytes);
    let mut next = fresh;
    keep_restart_only(&mut next, running);
    *running = next;
    tracing::info!(
        cors_origins = ?running.cors_origins,
        max_upload_bytes = running.max_upload_bytes,
        log_level = %running.log_level,
        needs_restart = restart.len(),
        "configuration reloaded"
    );
}

/// The restart-only settings whose value differs, by file key.
fn needs_restart(running: &Config, fresh: &Config) -> Vec<&'static str> {
    let mut changed = Vec::new();
    macro_rules! compare {
        ($($key:literal => $($field:ident).+;)*) => {$(
            if format!("{:?}", running.$($field).+) != format!("{:?}", fresh.$($field).+) {
                changed.push($key);
            }
        )*};
    }
    compare! {
        "addr" => addr;
        "data_dir" => data_dir;
        "public_url" => public_url;
        "share_default_days" => share_default_days;
        "share_max_days" => share_max_days;
        "workers" => workers;
        "queue_capacity" => queue_capacity;
        "queue_per_owner" => queue_per_owner;
        "parse_timeout_secs" => parse_timeout;
        "parse_memory_mib" => parse_memory_mib;
        "max_parsed_mib" => max_parsed_bytes;
        "log_format" => log_json;
        "llm_url, llm_model, llm_timeout_secs" => llm;
        "export_*" => export;
        "header_timeout_secs" => limits.header_timeout;
        "body_timeout_secs" => limits.body_timeout;
        "max_connections" => limits.max_connections;
        "max_streams" => limits.max_streams;
        "max_streams_per_owner" => limits.max_streams_per_owner;
        "share_rate" => limits.share_rate;
        "auth_failures_per_min" => limits.auth_failures_per_min;
        "trusted_proxy" => limits.trusted_proxies;
        "preview_cache_mib" => preview_cache_bytes;
        "read_cache_mib" => read_cache_bytes;
    }
    changed
}

/// Put the running values of the restart-only settings back into `next`.
fn keep_restart_only(next: &mut Config, running: &Config) {
    let min_free_bytes = next.limits.min_free_bytes;
    next.addr = running.addr;
    next.data_dir = running.data_dir.clone();
    next.public_url = running.public_url.clone();
    next.share_default_days = running.share_default_days;
    next.share_max_days = running.share_max_days;
    next.workers = running.workers;
    next.queue_capacity = running.queue_capacity;
    next.queue_per_owner = running.queue_per_owner;
    next.parse_timeout = running.parse_timeout;
    next.parse_memory_mib = running.parse_memory_mib;
    next.max_parsed_bytes = running.max_parsed_bytes;
    next.log_json = running.log_json;
    next.llm = running.llm.clone();
    next.export = running.export.clone();
    next.limits = running.limits.clone();
    next.limits.min_free_bytes = min_free_bytes;
    next.preview_cache_bytes = running.preview_cache_bytes;
    next.read_cache_bytes = running.read_cache_bytes;
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Args {
        #[command(flatten)]
        serve: crate::config::ServeArgs,
    }

    fn config(args: &[&str]) -> Config {
        let mut argv = vec!["vitae-server"];
        argv.extend_from_slice(args);
        Config::resolve(Args::parse_from(argv).serve).unwrap()
    }

    #[test]
    fn only_restart_only_settings_are_reported_and_kept() {
        // `max_parsed_mib` given, since its default follows the upload limit.
        let running = config(&[
            "--addr",
            "127.0.0.1:7000",
            "--workers",
            "2",
            "--max-parsed-mib",
            "20",
        ]);
        let fresh = config(&[
            "--max-parsed-mib",
            "20",
            "--addr",
            "127.0.0.1:7001",
            "--workers",
            "3",
            "--cors-origin",
            "https://new.example",
            "--max-upload-bytes",
            "5",
        ]);
        assert_eq!(needs_restart(&running, &fresh), vec!["addr", "workers"]);
        let mut next = fresh.clone();
        keep_restart_only(&mut next, &running);
        assert_eq!(next.addr, running.addr);
        assert_eq!(next.workers, 2);
        assert_eq!(next.cors_origins, vec!["https://new.example".to_string()]);
        assert_eq!(next.max_upload_bytes, 5);
        assert!(needs_restart(&running, &next).is_empty());
    }
}
