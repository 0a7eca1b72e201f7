//! `vitae-server`: the Vitae resume server and its offline tools.
//!
//! Commands: `serve` runs the HTTP API (docs/api.md); `parse FILE...` parses
//! files offline; `token create` mints an API token while no server holds
//! the data dir; `migrate` copies a redb store into PostgreSQL and
//! verifies it ([`migrate`]); `parse-worker` (hidden) is the budgeted child process the
//! server runs for each parse. Every command that opens the store reads its
//! settings the same way: flag, then `VITAE_*` variable, then `--config`
//! file, then default ([`config`]).
//!
//! A tour of the modules, in the order a request meets them:
//!
//! - [`serve`]: start-up (open the store, write `admin.token`, bind, start
//!   the workers, re-queue unfinished parses) and graceful shutdown.
//! - [`http`]: the accept loop, the route table (one handler per path and
//!   method), auth, CORS, bodies, and one handler module per area.
//! - [`limits`]: admission control: connection and stream caps, per-address
//!   rate limits.
//! - [`store`]: the storage seam (`store/mod.rs`: the `Store` trait, records
//!   and views) and the redb backend (`store/redb/`).
//! - [`pipeline`]: the bounded parse queue and its workers; each parse runs
//!   in a child process under a time and memory budget ([`offline`]),
//!   with an empty environment and, on Linux, no file system or network
//!   ([`sandbox`]).
//! - [`sse`]: the event hub and the `text/event-stream` bodies for the parse,
//!   account and log streams.
//! - [`exports`]: PDF, DOCX and PNG exports: the Typst engine, its bounded
//!   and fair render pool with a watchdog, the content-addressed export
//!   cache, and export jobs with their event stream.
//! - [`tailoring`] and [`llm`]: tailoring previews and confirmation, and the
//!   optional language-model provider that drafts rewordings.
//! - [`resource`]: store records to wire resources; [`read_cache`]: hot
//!   reads reused until the next write; [`digest`]: SHA-256 hex.
//! - [`offload`]: CPU-heavy request work (renders, large answers) on the
//!   blocking pool, bounded; [`share_pages`]: rendered share pages, cached
//!   per link, revision and form, bounded in bytes.
//! - [`config`]: the settings and their layering; [`reload`]: SIGHUP, the
//!   settings that change live; [`logs`]: the tracing setup and the admin
//!   log feed; [`metrics`]: what `GET /metrics` tells an operator's
//!   Prometheus.

// `deny`, not `forbid`: one function (`sandbox::close_inherited_on_exec`)
// needs `fcntl` and says why at its `allow`.
#![deny(unsafe_code)]

mod config;
mod digest;
mod exports;
mod fair_queue;
mod http;
mod limits;
mod llm;
mod logs;
mod metrics;
mod migrate;
mod offline;
mod offload;
mod pipeline;
mod read_cache;
mod reload;
mod resource;
mod sandbox;
mod serve;
mod share_lock;
mod share_pages;
mod sse;
mod store;
mod tailoring;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "vitae-server", version, about = "The Vitae resume server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server.
    Serve(Box<config::ServeArgs>),
    /// Parse resume files offline and print (or write) their JSON Resume documents.
    Parse {
        /// Write DIR/<file stem>.json per file instead of printing.
        #[arg(long)]
        out_dir: Option<PathBuf>,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Copy a redb store into PostgreSQL and verify the copy.
    Migrate(Box<migrate::MigrateArgs>),
    /// Internal: parse stdin under a budget and report JSON lines (used by `serve`).
    #[command(hide = true)]
    ParseWorker(offline::WorkerArgs),
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token for USER and print it alone on the last line.
    Create {
        #[arg(long)]
        user: String,
        #[arg(long)]
        admin: bool,
        #[command(flatten)]
        store: config::StoreArgs,
    },
}

/// The settings of `serve` read again from the same command line, the
/// environment and the config file as they are now: what SIGHUP reloads.
fn serve_args_again() -> anyhow::Result<config::ServeArgs> {
    let cli: Cli = config::parse_layered(std::env::args_os())?;
    match cli.command {
        Command::Serve(args) => Ok(*args),
        _ => anyhow::bail!("the command line no longer names `serve`"),
    }
}

fn main() -> ExitCode {
    let cli: Cli = match config::parse_layered(std::env::args_os()) {
        Ok(cli) => cli,
        Err(error) => match error.downcast::<clap::Error>() {
            Ok(error) => error.exit(),
            Err(error) => {
                eprintln!("vitae-server: {error:#}");
                return ExitCode::from(2);
            }
        },
    };
    match cli.command {
        Command::Serve(args) => serve::main(*args, serve_args_again),
        Command::Parse { out_dir, files } => offline::parse_files(out_dir.as_deref(), &files),
        Command::Token {
            command: TokenCommand::Create { user, admin, store },
        } => offline::create_token(&user, admin, Some(store.data_dir), store.database_url),
        Command::ParseWorker(args) => offline::worker(args),
        Command::Migrate(args) => migrate::main(*args),
    }
}
