//! `vitae`, the terminal client of Vitae, as a library: the binary
//! (`main.rs`) is a thin entry point, so the benches and tests can drive the
//! UI and the client directly.
//!
//! # A tour
//!
//! Both front ends start in [`connect`], which finds the server (a
//! configured URL, or the local server of the data dir, started on demand)
//! and hands back a [`client::Client`]: the typed HTTP client of the API.
//! [`stream`] follows the server's SSE streams (a parse, an export, the
//! account's changes, the logs) with bounded reconnects.
//!
//! The scriptable subcommands are [`cli`], with output for people or, with
//! `--json`, for machines.
//!
//! The terminal UI is [`app`] and [`screens`]:
//!
//! - [`app`] owns the terminal and one event loop that never blocks: it
//!   waits on keys, on answers from async tasks ([`app::tasks`], one tokio
//!   task per request, reporting over a channel as [`app::Msg`]), and on a
//!   tick only while something moves. Screens answer keys and messages with
//!   an [`app::Effect`]: a request to run, a status message, or a move
//!   ([`app::navigation::Route`]) that the app queues and applies once the
//!   event is handled. [`app::keys`] and [`app::theme`] are the key tables
//!   and the colours every screen uses.
//! - [`screens`] holds one module per screen (library, upload, progress,
//!   review, diff, share, tailor, export, logs), each its state, key table,
//!   message handling and render function; [`screens::Screen::open`] is the
//!   one place a route becomes a screen. Pieces several screens show live
//!   in [`screens::widgets`] (the text input, list cursor, text wrapping,
//!   and the diff pane of the diff and tailor screens). The largest screens
//!   are folders of their own ([`screens::review`], [`screens::tailor`],
//!   [`screens::export`]): the screen and its keys in `mod.rs`, drawing and
//!   the rest beside it.
//!
//! Exporting has two helpers of its own: [`save`] writes files (default
//! names, atomic writes) for the `export` subcommand and the Export screen,
//! and [`graphics`] shows the export preview in the terminal.
//!
//! Screens use app's message, navigation, key and theme types; the app
//! uses screens only through [`screens::Screen`], to keep its stack.
//!
//! [`perf`] draws whole frames on a test backend for the render benchmarks.
//!
//! | module | what |
//! |---|---|
//! | [`client`] | the typed HTTP client of the API |
//! | [`stream`] | SSE watchers with bounded reconnects (parse, export, account, logs) |
//! | [`connect`] | which server: configured URL, or the local one (started on demand) |
//! | [`save`] | writing exported files: default names, safe names, atomic writes |
//! | [`graphics`] | images in the terminal (the export preview): detection, PNG → picture |
//! | [`app`] | the TUI: event loop, effects, navigation, tasks, keys, theme, terminal guard |
//! | [`screens`] | one module per screen: state, key table, render; shared widgets |
//! | [`cli`] | the scriptable subcommands (`--json` for machines) |
//! | [`perf`] | frame-render scenarios for the benchmarks |
//! | [`usage`] | an account's usage against its quotas, in words (CLI and Library) |

pub mod app;
pub mod cli;
pub mod client;
pub mod connect;
pub mod graphics;
pub mod perf;
pub mod save;
pub mod screens;
pub mod stream;
pub mod usage;
