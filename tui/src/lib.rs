//! `vitae`, the terminal client of Vitae, as a library: the binary
//! (`main.rs`) is a thin entry point, so the benches and tests can drive the
//! UI and the client directly.
//!
//! | module | what |
//! |---|---|
//! | [`client`] | the typed HTTP client of the API |
//! | [`stream`] | SSE watchers with bounded reconnects (parse, account, logs) |
//! | [`connect`] | which server: configured URL, or the local one (started on demand) |
//! | [`app`] | the TUI: event loop, effects, tasks, keys, theme, terminal guard |
//! | [`screens`] | one module per screen: state, key table, render |
//! | [`cli`] | the scriptable subcommands (`--json` for machines) |

pub mod app;
pub mod cli;
pub mod client;
pub mod connect;
pub mod perf;
pub mod screens;
pub mod stream;
