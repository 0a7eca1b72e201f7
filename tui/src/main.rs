//! `vitae`: the terminal client of Vitae.
//!
//! Without a subcommand it opens the terminal UI ([`vitae_tui::app`]); with
//! one it runs a scriptable command ([`vitae_tui::cli`]) with human output, or
//! JSON with `--json`. Both find their server the same way
//! ([`vitae_tui::connect`]): a configured URL, or the local server of the data
//! dir, started on demand. The library's documentation ([`vitae_tui`])
//! tours the modules.

use std::process::ExitCode;

use clap::Parser;
use vitae_tui::{app, cli};

fn main() -> ExitCode {
    let args = cli::Args::parse();
    match args.command {
        Some(command) => cli::main(command, &args.connect, args.json),
        None => app::main(&args.connect),
    }
}
