//! Payloads of the Server-Sent Event streams.
//!
//! The parse stream (`/v1/resumes/{id}/events`) carries [`Progress`] events for
//! the [`Stage`]s in order, then exactly one terminal event: `complete` (the
//! resume resource) or `failed` ([`Failed`]). Event ids on the parse stream are
//! fixed by stage (see [`Stage::event_id`]), so a reconnect after a restart
//! still resumes at the right place. The account stream (`/v1/events`) carries
//! [`ChangeEvent`]s.

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// SSE event names.
pub mod names {
    pub const PROGRESS: &str = "progress";
    pub const COMPLETE: &str = "complete";
    pub const FAILED: &str = "failed";
    /// A server bug: a payload could not be serialised. Carries [`super::StreamError`].
    pub const ERROR: &str = "error";
    /// The subscriber fell behind or asked for history the server no longer
    /// has; it should refetch state (`GET /v1/resumes`) and carry on.
    pub const RESYNC: &str = "resync";
    pub const LOG: &str = "log";
}

/// The stages of a parse, in the order they happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Received,
    Extracting,
    Sectioning,
    Fields,
    Validating,
    Stored,
}

impl Stage {
    pub const ALL: [Stage; 6] = [
        Stage::Received,
        Stage::Extracting,
        Stage::Sectioning,
        Stage::Fields,
        Stage::Validating,
        Stage::Stored,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Received => "received",
            Stage::Extracting => "extracting",
            Stage::Sectioning => "sectioning",
            Stage::Fields => "fields",
            Stage::Validating => "validating",
            Stage::Stored => "stored",
        }
    }

    /// The SSE `id:` of this stage's progress event: 1 for `received` up to 6
    /// for `stored`. The terminal event always has [`TERMINAL_EVENT_ID`].
    pub fn event_id(self) -> u64 {
        self as u64 + 1
    }

    /// How far along the parse is when this stage starts.
    pub fn percent(self) -> u8 {
        match self {
            Stage::Received => 0,
            Stage::Extracting => 10,
            Stage::Sectioning => 40,
            Stage::Fields => 60,
            Stage::Validating => 85,
            Stage::Stored => 100,
        }
    }
}

/// The `id:` of the `complete` or `failed` event that ends every parse stream.
pub const TERMINAL_EVENT_ID: u64 = 7;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub stage: Stage,
    pub percent: u8,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failed {
    pub reason: String,
}

/// Sent as an `error` event when the server could not serialise a payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamError {
    pub message: String,
}

/// What changed, on the account stream `/v1/events`. The SSE event name is `kind`.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeEvent {
    /// `resume.created`, `resume.updated`, `resume.deleted`, `master.changed`,
    /// `share.created`, `share.revoked`.
    pub kind: String,
    pub resume_id: String,
    /// The resume's status after the change, for resume events.
    pub status: Option<super::Status>,
    pub share_token: Option<String>,
    pub at: String,
}

/// One server log record on `/v1/logs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogRecord {
    pub time: String,
    pub level: String,
    pub target: String,
    pub message: String,
    #[serde(default)]
    pub fields: serde_json::Map<String, serde_json::Value>,
    /// The fields of the spans the record was logged in, outermost first (an
    /// inner span's field of the same name wins): for anything logged while
    /// serving a request, the request's `id`, `method` and `path`.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub span: serde_json::Map<String, serde_json::Value>,
}
