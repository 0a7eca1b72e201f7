//! `vitae-server`: the Vitae resume server and its offline tools.
//!
//! - `serve`: the HTTP API (see docs/api.md), in [`serve`].
//! - `parse FILE...`: parse files offline, in [`offline`].
//! - `token create`: mint an API token while no server holds the data dir.
//! - `parse-worker` (internal): the budgeted child process the server runs
//!   for each parse, in [`offline`].
//!
//! Layout: [`store`] is the storage layer (one trait, a redb backend);
//! [`pipeline`] the parse queue and workers; [`sse`] the event hub and
//! streams; [`http`] the routes and handlers; [`config`] the settings;
//! [`logs`] the tracing setup and the admin log feed.

mod config;
mod digest;
mod http;
mod limits;
mod llm;
mod logs;
mod offline;
mod pipeline;
mod read_cache;
mod resource;
mod serve;
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
        Command::Serve(args) => serve::main(*args),
        Command::Parse { out_dir, files } => offline::parse_files(out_dir.as_deref(), &files),
        Command::Token {
            command: TokenCommand::Create { user, admin, store },
        } => offline::create_token(&user, admin, Some(store.data_dir)),
        Command::ParseWorker(args) => offline::worker(args),
    }
}
