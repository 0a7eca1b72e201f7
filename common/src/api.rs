//! HTTP resources and request bodies of the v1 API.
//!
//! Field names here are the contract of `shared/DESIGN.md`: clients and outside
//! checks rely on them, so fields may be added but never renamed.

use serde::{Deserialize, Serialize};

use crate::resume::Resume;

/// Where a resume is in its parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pending,
    Parsing,
    Ready,
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Parsing => "parsing",
            Status::Ready => "ready",
            Status::Failed => "failed",
        }
    }

    /// `ready` and `failed` end a parse; nothing follows them on the stream.
    pub fn is_terminal(self) -> bool {
        matches!(self, Status::Ready | Status::Failed)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A resume as the API shows it. `document` is `None` in lists and until parsed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResumeResource {
    pub id: String,
    pub owner: String,
    pub filename: String,
    pub content_type: String,
    pub status: Status,
    /// Why the parse failed; present only when `status` is `failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default)]
    pub warnings: Vec<String>,
    pub is_master: bool,
    pub parent_id: Option<String>,
    pub revision: u64,
    pub created_at: String,
    pub updated_at: String,
    /// Per-field confidence of the parser, 0.0 to 1.0, keyed by JSON path.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub confidence: std::collections::BTreeMap<String, f32>,
    /// Size of the original upload in bytes.
    #[serde(default)]
    pub size: u64,
    pub events_url: String,
    /// Present on single-resume responses (`null` until parsed); omitted
    /// from lists. `None` = omitted, `Some(None)` = `null`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub document: Option<Option<Resume>>,
}

impl ResumeResource {
    /// The parsed document, if this answer carried one.
    pub fn document(&self) -> Option<&Resume> {
        self.document.as_ref()?.as_ref()
    }
}

/// A field that is present deserialises to `Some`, even when it is `null`.
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResumeList {
    pub resumes: Vec<ResumeResource>,
}

/// One stored revision of a resume's document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevisionResource {
    pub revision: u64,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<Resume>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevisionList {
    pub revisions: Vec<RevisionResource>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareResource {
    pub token: String,
    pub url: String,
    pub resume_id: String,
    pub created_at: String,
    pub expires_at: String,
    pub revoked: bool,
    pub access_count: u64,
    pub last_accessed_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareList {
    pub shares: Vec<ShareResource>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateShare {
    /// Days until the link expires; the server's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_days: Option<u32>,
    /// An exact expiry time (RFC 3339), instead of `expires_in_days`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateToken {
    pub user: String,
    #[serde(default)]
    pub admin: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenResource {
    pub token: String,
    pub user: String,
    pub admin: bool,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub version: String,
}
