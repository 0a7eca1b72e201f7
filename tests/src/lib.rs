//! Harness for the end-to-end tests: starts the real `vitae-server` binary on a
//! free port with a temporary data dir, and drives it over HTTP and SSE.
//!
//! - [`server`]: [`TestServer`] owns one server process: start, SIGTERM,
//!   SIGKILL, restart on the same data dir. Every process it starts is killed
//!   when the test binary exits, however it exits (Linux `PR_SET_PDEATHSIG`,
//!   plus an `atexit` hook that also removes the data dirs of servers kept in
//!   statics). [`shared_server`] is the one server a test binary shares.
//! - [`api`]: [`Api`] is an HTTP client bound to one base URL and one bearer
//!   token. Every network await is bounded by a timeout, and every response is
//!   checked for a 5xx status (no request in these tests may ever get one).
//! - [`sse`]: [`SseStream`] reads the raw byte stream of an SSE response and
//!   parses it into [`SseFrame`]s, so tests can assert ids, retry hints and
//!   heartbeats.
//! - [`checks`]: shape assertions and the healthy-server check.
//! - [`export`]: export files and streams: media types, `Content-Disposition`,
//!   magic bytes, the export stream's sequence, JSON Resume documents built
//!   in code, and a PDF's text through poppler's `pdftotext`.
//! - [`fixtures`]: the fixture files ([`fixture`], [`fixture_path`]).
//! - [`rng`]: the seeded random generator ([`test_seed`], [`seeded_rng`]).
//! - [`routes`]: the route table, from the server's OpenAPI document.
//! - [`webdriver`]: headless Chromium for the browser tests.
//! - [`instances`]: several server instances on one PostgreSQL database.
//! - [`postgres`]: a throw-away PostgreSQL cluster, and `VITAE_TEST_BACKEND`,
//!   which makes every [`TestServer`] run on PostgreSQL instead of redb.
//! - [`cluster`]: [`cluster::Instances`], several servers on one database.
//!
//! Everything but [`webdriver`] and [`postgres`] is re-exported at the top, for
//! `use vitae_tests::*`.
//!
//! The server binary is `$VITAE_SERVER_BIN`, or `vitae-server` in the same
//! target dir as the test executable (`cargo build --workspace --bins` first).

pub mod api;
pub mod checks;
pub mod cluster;
pub mod export;
pub mod fixtures;
pub mod instances;
pub mod postgres;
pub mod rng;
pub mod routes;
pub mod server;
pub mod sse;
pub mod webdriver;

use std::time::Duration;

pub use api::*;
pub use checks::*;
pub use export::*;
pub use fixtures::*;
pub use rng::*;
pub use routes::*;
pub use server::*;
pub use sse::*;

pub use serde_json::json;

/// Bound on any single plain HTTP request (connect, send, read the whole body).
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(30);
/// Bound on a parse reaching `ready` or `failed`.
pub const PARSE_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the server may take to print its listening line.
pub const START_TIMEOUT: Duration = Duration::from_secs(20);
/// Default bound on waiting for the next SSE frame.
pub const FRAME_TIMEOUT: Duration = Duration::from_secs(15);

/// Stages of the parse stream, in order; the progress event of stage `i` has id `i + 1`.
pub const STAGES: [&str; 6] = [
    "received",
    "extracting",
    "sectioning",
    "fields",
    "validating",
    "stored",
];
/// The id of the terminal (`complete` or `failed`) event on a parse stream.
pub const TERMINAL_ID: &str = "7";
