//! Wire types shared by the Vitae server and its clients.
//!
//! Everything that crosses a process boundary lives here and nowhere else:
//! the JSON Resume document model ([`resume`]), the HTTP resources and
//! requests ([`api`]), the Server-Sent Event payloads ([`events`]) and the
//! JSON error body ([`error`]); export requests, templates and export jobs
//! ([`export`]). Ids and timestamps are plain strings on the
//! wire (UUIDs and RFC 3339 UTC), so every field serialises to plain JSON and
//! a browser or `curl` sees exactly what the Rust client sees.
//!
//! The parser's confidence marks follow the fields they score across edits
//! by one rule, [`confidence::carry`], which the server and the terminal
//! client share.
//!
//! The JSON Resume schema itself (sections, fields, how entries are told
//! apart and headlined) is written down once, in [`schema`], for the diff,
//! the renderers and the clients to share.

#![forbid(unsafe_code)]

pub mod api;
pub mod clean;
pub mod confidence;
pub mod diff;
pub mod error;
pub mod events;
pub mod export;
pub mod jobs;
pub mod render;
pub mod resume;
pub mod schema;

pub use api::*;
pub use error::{ApiError, ErrorBody, ErrorCode};
pub use events::*;
pub use resume::Resume;
