//! Start-up and shutdown of `vitae-server serve`.
//!
//! Order matters: open the store (migrating old records), make sure the
//! admin token file exists, bind, start the parse workers, re-queue what a
//! crash left unfinished, and only then print the listening line (tests and
//! scripts wait for it). On SIGINT/SIGTERM: stop accepting, end every SSE
//! stream, let in-flight requests finish, let running parses finish within
//! the drain time; a parse cut short stays `parsing` in the store and is
//! re-queued at the next start (on a shared store, PostgreSQL: taken over
//! by another instance when its lease runs out; claims not yet started are
//! given back at once). On SIGHUP: read the settings again and
//! apply what can change live ([`crate::reload`]); connections stay open.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::{Config, ServeArgs};
use crate::http::{self, App};
use crate::pipeline::{ParseBudget, Pipeline, QueueLimits};
use crate::sse::hub::Hub;
use crate::store::Store;

/// How long shutdown waits for requests and parses in flight.
const DRAIN: Duration = Duration::from_secs(10);

/// Read the serve settings again from the same sources (SIGHUP).
pub type Reread = fn() -> anyhow::Result<ServeArgs>;

pub fn main(args: ServeArgs, reread: Reread) -> ExitCode {
    let mut config = match Config::resolve(args) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("vitae-server: {error:#}");
            return ExitCode::from(2);
        }
    };
    let (logs, log_level) = crate::logs::init(config.log_json, &config.log_level);
    // A reload compares with the settings as read, before the adjustment
    // below, so that it alone is not taken for a change.
    let as_read = config.clone();
    let inherited = crate::sandbox::close_inherited_on_exec();
    if inherited > 0 {
        // A supervisor's leak, not ours: the parse workers must not get it.
        tracing::info!(
            descriptors = inherited,
            "descriptors inherited without close-on-exec marked close-on-exec"
        );
    }
    if let Some(open_files) = raise_open_file_limit() {
        // Past the open-file limit a connection is an accept error, not a
        // clear 503: keep the cap under it, with room for the store, the
        // parse workers' pipes and the like.
        let room = usize::try_from(open_files.saturating_sub(256)).unwrap_or(usize::MAX);
        if config.limits.max_connections > room.max(1) {
            tracing::warn!(
                max_connections = config.limits.max_connections,
                open_files,
                "max_connections lowered to fit the open-file limit"
            );
            config.limits.max_connections = room.max(1);
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("vitae-server: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let reload = Reload {
        reread,
        as_read,
        log_level,
    };
    match runtime.block_on(run(config, logs, reload)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let message = format!("{error:#}");
            tracing::error!(error = %message, "the server stopped");
            eprintln!("vitae-server: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Raise the soft `RLIMIT_NOFILE` to the hard limit, and answer the limit
/// in force. Every connection and every SSE subscriber holds a socket; the
/// usual soft limit of 1,024 would turn the 1,025th subscriber into an
/// accept error, while the hard limit is what the administrator granted.
fn raise_open_file_limit() -> Option<u64> {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let limit = getrlimit(Resource::Nofile);
    // `None` is "unlimited" (RLIM_INFINITY).
    let soft = limit.current.unwrap_or(u64::MAX);
    let hard = limit.maximum.unwrap_or(u64::MAX);
    if soft < hard {
        let raised = Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        };
        if setrlimit(Resource::Nofile, raised).is_err() {
            tracing::warn!(soft, "could not raise the open-file limit");
            return Some(soft);
        }
    }
    tracing::debug!(open_files = hard, "open-file limit");
    Some(hard)
}

/// Write DIR/admin.token (mode 0600) on first start.
///
/// Written to a temporary file, synced, then renamed into place, so a crash
/// at any moment leaves either no file (the next start writes one) or the
/// whole token, never an empty file that later starts would take as done.
async fn ensure_admin_token(store: &dyn Store, data_dir: &Path) -> anyhow::Result<()> {
    let path = data_dir.join("admin.token");
    let empty = std::fs::metadata(&path).is_ok_and(|m| m.len() == 0);
    if path.exists() && !empty {
        return Ok(());
    }
    let (token, _) = store.create_token("admin", true).await?;
    let temporary = data_dir.join("admin.token.tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&temporary)
        .with_context(|| format!("writing {}", temporary.display()))?;
    writeln!(file, "{token}")?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temporary, &path).with_context(|| format!("writing {}", path.display()))?;
    if let Ok(dir) = std::fs::File::open(data_dir) {
        let _ = dir.sync_all();
    }
    tracing::info!(path = %path.display(), "wrote the admin token");
    Ok(())
}

/// Open the store; with `--wait-for-db`, a database that is down or out
/// of reach ([`crate::store::StoreError::Failing`]) is tried again with
/// backoff (0.5 s doubling to 5 s, each try logged with its reason) until
/// it answers or the time is up. Lasting failures (credentials, an unknown
/// database, TLS) are answered at once.
async fn open_store(config: &Config) -> Result<crate::store::Backend, crate::store::StoreError> {
    let open = || {
        crate::store::open(crate::store::OpenOptions {
            data_dir: &config.data_dir,
            database_url: config.database_url.as_ref(),
            quotas: config.quotas,
            min_free_bytes: config.limits.min_free_bytes,
        })
    };
    let Some(wait) = config.wait_for_db.filter(|_| config.database_url.is_some()) else {
        return open().await;
    };
    let deadline = tokio::time::Instant::now() + wait;
    let mut pause = Duration::from_millis(500);
    let mut attempt = 1u32;
    loop {
        match open().await {
            Err(crate::store::StoreError::Failing(reason)) => {
                let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                if left.is_zero() {
                    return Err(crate::store::StoreError::Failing(format!(
                        "{reason} (waited {} s for it, --wait-for-db)",
                        wait.as_secs()
                    )));
                }
                let next = pause.min(left);
                tracing::warn!(
                    attempt,
                    error = %reason,
                    retry_in_ms = next.as_millis() as u64,
                    "the database is not reachable yet; waiting for it (--wait-for-db)"
                );
                tokio::time::sleep(next).await;
                pause = (pause * 2).min(Duration::from_secs(5));
                attempt += 1;
            }
            other => {
                if attempt > 1 && other.is_ok() {
                    tracing::info!(attempt, "the database answered");
                }
                return other;
            }
        }
    }
}

/// What SIGHUP needs: how to read the settings again, those read at
/// start, and the log filter's handle.
struct Reload {
    reread: Reread,
    as_read: Config,
    log_level: crate::logs::LogLevel,
}

async fn run(config: Config, logs: crate::logs::LogFeed, reload: Reload) -> anyhow::Result<()> {
    let data_dir = config.data_dir.clone();
    let backend = open_store(&config)
        .await
        .with_context(|| match &config.database_url {
            Some(url) => format!("opening the store in PostgreSQL at {}", url.redacted()),
            None => format!("opening the store in {}", data_dir.display()),
        })?;
    let cookie_key = backend.derived_key(crate::share_lock::COOKIE_KEY_PURPOSE);
    let metrics = Arc::new(crate::metrics::Metrics::new());
    let store: Arc<dyn Store> = Arc::new(crate::store::metered::MeteredStore::new(
        backend.store(),
        metrics.clone(),
    ));
    // Makes the stand-in hash now (tens of ms), not on a request.
    let share_locks =
        tokio::task::spawn_blocking(move || crate::share_lock::ShareLocks::new(cookie_key)).await?;
    ensure_admin_token(store.as_ref(), &data_dir).await?;
    let listener = TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("binding {}", config.addr))?;
    let addr = listener.local_addr()?;
    let (shutdown_tx, shutdown) = watch::channel(false);
    // On PostgreSQL, events go through the database to every instance
    // (crate::sse::relay); on redb the hub is all there is.
    let (hub, relay) = match &backend {
        crate::store::Backend::Postgres(pg) => {
            let (outbox, relay) = crate::sse::relay::new(pg.events(), metrics.clone());
            (Arc::new(Hub::with_relay(outbox)), Some(relay))
        }
        crate::store::Backend::Redb(_) => (Arc::new(Hub::new()), None),
    };
    if let Some(relay) = relay {
        relay
            .start(
                hub.clone(),
                store.clone(),
                shutdown.clone(),
                Duration::from_secs(10),
            )
            .await;
    }
    let (pipeline, workers) = Pipeline::start(
        store.clone(),
        hub.clone(),
        metrics.clone(),
        config.workers,
        QueueLimits {
            capacity: config.queue_capacity,
            per_owner: config.queue_per_owner,
        },
        ParseBudget {
            timeout: config.parse_timeout,
            memory_mib: config.parse_memory_mib,
            max_parsed_bytes: config.max_parsed_bytes,
        },
        shutdown.clone(),
    );
    let requeued = pipeline.requeue_unfinished(store.as_ref()).await?;
    if requeued > 0 {
        tracing::info!(requeued, "queued parses left unfinished or not queued");
    }
    let exporter = {
        let (export, store, hub) = (config.export.clone(), store.clone(), hub.clone());
        tokio::task::spawn_blocking(move || crate::exports::Exporter::new(&export, store, hub))
            .await?
            .context("loading the export engine (fonts and templates)")?
    };
    let exporter = Arc::new(exporter);
    let resumed = exporter.resume_unfinished().await?;
    if resumed > 0 {
        tracing::info!(
            resumed,
            "running again exports left unfinished by the last run"
        );
    }
    // Without --public-url, share URLs follow each request's Host
    // (`http::shares::share_url`); this is the fallback for a request
    // without a usable one: the listen address, unless it is unspecified
    // (0.0.0.0 or [::], which no browser can open), then the loopback.
    let public_url = config.public_url.clone().unwrap_or_else(|| {
        let reachable = if addr.ip().is_unspecified() {
            std::net::SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), addr.port())
        } else {
            addr
        };
        format!("http://{reachable}")
    });
    let llm = match config.llm.clone() {
        Some(llm) => {
            tracing::info!(url = %crate::llm::redacted_url(&llm.url), model = %llm.model, "language-model drafts on");
            Some(crate::llm::Provider::new(llm).context("setting up the language-model client")?)
        }
        None => None,
    };
    let admission = crate::limits::Admission::new(&config.limits);
    let previews = crate::tailoring::Previews::new(config.preview_cache_bytes as usize);
    let resume_answers = crate::read_cache::ReadCache::new(4096, config.read_cache_bytes as usize);
    let live = crate::reload::Live::of(&config);
    let app = Arc::new(App {
        live: crate::reload::LiveCell::new(live),
        store,
        hub,
        pipeline,
        config,
        public_url,
        logs,
        previews,
        resume_answers,
        offload: Default::default(),
        share_pages: crate::share_pages::SharePages::new(crate::share_pages::DEFAULT_MAX_BYTES),
        llm,
        admission,
        exporter: exporter.clone(),
        metrics,
        shutdown: shutdown.clone(),
        share_locks,
    });
    let mut signals = Signals::install();
    tracing::info!(%addr, data_dir = %data_dir.display(), "listening");
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "vitae-server listening on http://{addr}")?;
        stdout.flush()?;
    }
    let url_file = data_dir.join(SERVER_URL_FILE);
    write_url_file(&url_file, &format!("http://{addr}"))
        .with_context(|| format!("writing {}", url_file.display()))?;
    let server = tokio::spawn(http::serve(app.clone(), listener, shutdown, DRAIN));
    let mut running = reload.as_read;
    while signals.next().await == Signal::Reload {
        tracing::info!("SIGHUP: reading the configuration again");
        let fresh = (reload.reread)().and_then(Config::resolve);
        let targets = crate::reload::Targets {
            live: &app.live,
            store: &backend,
            log_level: &reload.log_level,
        };
        crate::reload::apply(&mut running, fresh, &targets);
    }
    drop(app);
    tracing::info!("shutting down: ending streams, draining requests and parses");
    let _ = shutdown_tx.send(true);
    let _ = server.await;
    exporter.close();
    let drained = tokio::time::timeout(DRAIN, futures_util::future::join_all(workers)).await;
    if drained.is_err() {
        tracing::warn!(
            "parses still running after the drain time; they are parsed again at the next start \
             (or, on PostgreSQL, by another instance once their lease runs out)"
        );
    }
    let _ = std::fs::remove_file(&url_file);
    tracing::info!("stopped");
    Ok(())
}

/// The file in the data dir that tells local clients (`vitae`) where the
/// server that holds this dir listens. Removed at a clean stop; a stale one
/// (after a crash) is caught by the client's health check.
pub const SERVER_URL_FILE: &str = "server.url";

/// Write via a temporary file and a rename, so a reader never sees half a
/// URL. The second line is the server's pid, for `vitae server stop`. Mode
/// 0600 like every other file in the data dir: it tells who may talk to the
/// owner's server, and the owner only is meant to. The mode is set on the
/// open file too, since a temporary left by a crash keeps its old mode.
fn write_url_file(path: &Path, url: &str) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let temporary = path.with_extension("url.tmp");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&temporary)?;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    write!(file, "{url}\npid {}\n", std::process::id())?;
    drop(file);
    std::fs::rename(&temporary, path)
}

/// What a signal asks of the server.
#[derive(Debug, PartialEq, Eq)]
enum Signal {
    /// SIGINT or SIGTERM: shut down.
    Stop,
    /// SIGHUP: read the configuration again.
    Reload,
}

/// The signal handlers, installed once before the server says it listens,
/// so that a SIGHUP from then on reloads instead of ending the process.
struct Signals {
    term: Option<tokio::signal::unix::Signal>,
    hangup: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    fn install() -> Signals {
        use tokio::signal::unix::{signal, SignalKind};
        let term = signal(SignalKind::terminate())
            .inspect_err(|error| {
                tracing::warn!(%error, "no SIGTERM handler; only Ctrl-C stops the server");
            })
            .ok();
        let hangup = signal(SignalKind::hangup())
            .inspect_err(|error| {
                tracing::warn!(%error, "no SIGHUP handler; the configuration cannot be reloaded");
            })
            .ok();
        Signals { term, hangup }
    }

    async fn next(&mut self) -> Signal {
        let Signals { term, hangup } = self;
        let term = async {
            match term {
                Some(term) => {
                    term.recv().await;
                }
                None => std::future::pending().await,
            }
        };
        let hangup = async {
            match hangup {
                Some(hangup) => {
                    hangup.recv().await;
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = term => Signal::Stop,
            _ = tokio::signal::ctrl_c() => Signal::Stop,
            _ = hangup => Signal::Reload,
        }
    }
}
