//! The records the store keeps, their schema versions and the migrations
//! that bring old records up to date at start.
//!
//! Records are stored as JSON with a `v` field. A record with an older `v`
//! is migrated step by step by [`migrate_resume`]; a record that cannot be
//! migrated (say, one without a status) stops the start with an error that
//! names it: the server never guesses a default status.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;
use vitae_common::{Resume, Status};

/// The schema version written by this build.
pub const RESUME_SCHEMA: u32 = 2;
/// Shares: 1 stored the token in clear, keyed by it; 2 keys them by the
/// token's SHA-256 and keeps the token sealed ([`StoredShare`]).
pub const SHARE_SCHEMA: u32 = 2;
pub const TOKEN_SCHEMA: u32 = 1;
pub const JOB_SCHEMA: u32 = 1;
pub const EXPORT_SCHEMA: u32 = 1;

/// A document kept as the JSON text it was stored as (see
/// [`super::Store::get_resume_raw`]).
pub type RawDocument = Box<serde_json::value::RawValue>;

/// A stored resume. `D` is the document's type: [`Resume`], or
/// [`RawDocument`] for reads that pass the document through untouched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResumeRecord<D = Resume> {
    pub v: u32,
    pub id: Uuid,
    pub owner: String,
    pub filename: String,
    pub content_type: String,
    pub status: Status,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub warnings: Vec<String>,
    #[serde(default)]
    pub parent_id: Option<Uuid>,
    /// The job a tailored version was made for. Added without a schema bump:
    /// absent means "not tailored", which is true of every older record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<Uuid>,
    pub revision: u64,
    /// How the current revision came to be (see [`RevisionRecord::origin`]);
    /// absent on records written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_origin: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default = "Option::default")]
    pub document: Option<D>,
    #[serde(default)]
    pub confidence: BTreeMap<String, f32>,
    pub size: u64,
}

impl ResumeRecord {
    /// Every backend calls this when `document` replaces `previous` as the
    /// current revision: the parser's confidence marks move to where their
    /// fields are now and are dropped where a field changed
    /// ([`vitae_common::confidence::carry`]).
    pub fn carry_confidence(&mut self, previous: Option<&Resume>, document: &Resume) {
        if self.confidence.is_empty() {
            return;
        }
        let as_value = |d: Option<&Resume>| d.and_then(|d| serde_json::to_value(d).ok());
        self.confidence = match (as_value(previous), as_value(Some(document))) {
            (Some(before), Some(after)) => {
                vitae_common::confidence::carry(&self.confidence, &before, &after)
            }
            _ => Default::default(),
        };
    }
}

/// A resume with the facts derived from other tables.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResume<D = Resume> {
    pub record: ResumeRecord<D>,
    pub is_master: bool,
}

/// What a parse produced.
#[derive(Debug, Clone)]
pub enum ParseOutcome {
    Ready {
        document: Box<Resume>,
        text: String,
        warnings: Vec<String>,
        confidence: BTreeMap<String, f32>,
    },
    Failed {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevisionRecord {
    pub revision: u64,
    pub created_at: DateTime<Utc>,
    pub document: Option<Resume>,
    /// `parsed`, `edited`, `restored revision N`, `tailored for …`; `None`
    /// on revisions stored before origins were kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

impl RevisionRecord {
    /// The origin to show: revision 1 came from the parse (or from
    /// tailoring, which records its own), later ones from edits.
    pub fn origin_or_default(&self) -> String {
        match (&self.origin, self.revision) {
            (Some(origin), _) => origin.clone(),
            (None, 1) => "parsed".into(),
            (None, _) => "edited".into(),
        }
    }
}

/// A stored job description.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRecord {
    pub v: u32,
    pub id: Uuid,
    pub owner: String,
    pub title: String,
    #[serde(default)]
    pub company: Option<String>,
    /// `text`, `markdown` or `json`.
    pub format: String,
    /// The description as submitted (UTF-8).
    pub body: String,
    /// The description as prose, for display.
    pub text: String,
    pub keywords: vitae_common::jobs::JobKeywords,
    pub content_hash: String,
    pub revision: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A share link as the store answers it: with its token in clear, which
/// only the owner's answers and the request that named it ever hold. On disk
/// it is a [`StoredShare`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareRecord {
    pub v: u32,
    pub token: String,
    pub owner: String,
    pub resume_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked: bool,
    pub access_count: u64,
    pub last_accessed_at: Option<DateTime<Utc>>,
    /// How the link's PDF and DOCX are laid out. Added without a schema
    /// bump: records written before it get the default template.
    #[serde(default)]
    pub layout: ShareLayout,
    /// Label, pin, redaction, downloads and password. Added without a
    /// schema bump: records written before it are live, hide nothing,
    /// allow downloads and ask for no password, as they always did.
    #[serde(default)]
    pub settings: ShareSettings,
}

/// What the owner chose for a link when making it, beyond its expiry and
/// layout; fixed for the link's life.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The revision the link shows; `None`: the current one (live).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned_revision: Option<u64>,
    /// Names from `vitae_common::render::hideable`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hide: Vec<String>,
    #[serde(default = "allowed")]
    pub allow_download: bool,
    /// The password's argon2id hash (PHC string), never the password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
}

fn allowed() -> bool {
    true
}

impl Default for ShareSettings {
    fn default() -> ShareSettings {
        ShareSettings {
            label: None,
            pinned_revision: None,
            hide: Vec::new(),
            allow_download: true,
            password_hash: None,
        }
    }
}

/// A share link as stored (schema 2): filed under the SHA-256 of its token
/// ([`super::views::share_key`]), the token itself sealed with the data
/// dir's key ([`super::sealing`]), never in clear.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredShare {
    pub v: u32,
    pub sealed_token: String,
    pub owner: String,
    pub resume_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked: bool,
    pub access_count: u64,
    pub last_accessed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub layout: ShareLayout,
    #[serde(default)]
    pub settings: ShareSettings,
}

impl StoredShare {
    /// `share` for the disk, sealed under its lookup key `key`.
    pub fn seal(
        share: &ShareRecord,
        key: &str,
        seal: &super::sealing::TokenSeal,
    ) -> Result<StoredShare, super::StoreError> {
        Ok(StoredShare {
            v: SHARE_SCHEMA,
            sealed_token: seal.seal(&share.token, key)?,
            owner: share.owner.clone(),
            resume_id: share.resume_id,
            created_at: share.created_at,
            expires_at: share.expires_at,
            revoked: share.revoked,
            access_count: share.access_count,
            last_accessed_at: share.last_accessed_at,
            layout: share.layout.clone(),
            settings: share.settings.clone(),
        })
    }

    /// The share with `token` in clear: opened with the key, or the one
    /// the caller already holds (a view names its token).
    pub fn with_token(self, token: String) -> ShareRecord {
        ShareRecord {
            v: self.v,
            token,
            owner: self.owner,
            resume_id: self.resume_id,
            created_at: self.created_at,
            expires_at: self.expires_at,
            revoked: self.revoked,
            access_count: self.access_count,
            last_accessed_at: self.last_accessed_at,
            layout: self.layout,
            settings: self.settings,
        }
    }

    /// Open the sealed token (filed under `key`) with the key.
    pub fn open(
        self,
        key: &str,
        seal: &super::sealing::TokenSeal,
    ) -> Result<ShareRecord, super::StoreError> {
        let token = seal.open(&self.sealed_token, key)?;
        Ok(self.with_token(token))
    }
}

/// The template and options a share link exports with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareLayout {
    pub template: String,
    #[serde(default)]
    pub options: vitae_common::export::Options,
}

impl Default for ShareLayout {
    fn default() -> ShareLayout {
        ShareLayout {
            template: vitae_common::export::DEFAULT_TEMPLATE.to_string(),
            options: vitae_common::export::Options::default(),
        }
    }
}

/// An export job: what was asked, of which revision, and how it ended.
/// The file itself lives in the export cache under `key`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportRecord {
    pub v: u32,
    pub id: Uuid,
    pub owner: String,
    pub resume_id: Uuid,
    /// The document revision exported (the file is re-rendered from it if
    /// the cache dropped the file).
    pub revision: u64,
    pub request: vitae_common::export::ExportRequest,
    /// The export cache key of the file (see `crate::exports::cache_key`).
    pub key: String,
    pub status: vitae_common::export::ExportStatus,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub bytes: Option<u64>,
    #[serde(default)]
    pub pages: Option<u32>,
    #[serde(default)]
    pub cached: Option<bool>,
    #[serde(default)]
    pub warnings: Vec<String>,
    /// The name the file is served under.
    pub filename: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A rendered file in the export cache.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedExport {
    pub key: String,
    pub resume_id: Uuid,
    pub format: vitae_common::export::ExportFormat,
    pub bytes: bytes::Bytes,
    pub pages: u32,
    pub warnings: Vec<String>,
}

/// The user a token authenticates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Principal {
    pub v: u32,
    pub user: String,
    pub admin: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error("record {id}: schema version {found} is newer than this server ({supported}); upgrade vitae-server")]
    TooNew {
        id: String,
        found: u64,
        supported: u32,
    },
    #[error("record {id}: {problem}")]
    Broken { id: String, problem: String },
}

/// Bring a stored resume record to [`RESUME_SCHEMA`].
///
/// Version history:
/// - 1 (the prototype layout): `state` held the status; `master` was a
///   per-record flag (now the
///   `masters` table is the single source of truth).
/// - 2: `status`, no per-record master flag.
///
/// Returns `Ok(None)` when the record is already current, so the caller only
/// rewrites what changed. The second value is the owner to make master when
/// a v1 record said it was.
pub fn migrate_resume(mut value: Value) -> Result<Option<(Value, bool)>, MigrationError> {
    let id = value
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("<no id>")
        .to_string();
    let version = value.get("v").and_then(Value::as_u64).unwrap_or(1);
    if version > RESUME_SCHEMA as u64 {
        return Err(MigrationError::TooNew {
            id,
            found: version,
            supported: RESUME_SCHEMA,
        });
    }
    if version == RESUME_SCHEMA as u64 {
        return Ok(None);
    }
    let Some(object) = value.as_object_mut() else {
        return Err(MigrationError::Broken {
            id,
            problem: "not a JSON object".into(),
        });
    };
    // v1 -> v2
    let status = object.remove("state").or_else(|| object.remove("status"));
    match status.as_ref().and_then(Value::as_str) {
        Some("pending" | "parsing" | "ready" | "failed") => {}
        other => {
            return Err(MigrationError::Broken {
                id,
                problem: format!(
                "has no valid status ({other:?}); fix or remove it, the server will not guess one"
            ),
            })
        }
    }
    object.insert("status".into(), status.unwrap_or(Value::Null));
    let was_master = object
        .remove("master")
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    object.insert("v".into(), Value::from(RESUME_SCHEMA));
    // Fail now, not on first read, if the migrated record still does not fit.
    serde_json::from_value::<ResumeRecord>(value.clone()).map_err(|e| MigrationError::Broken {
        id,
        problem: e.to_string(),
    })?;
    Ok(Some((value, was_master)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn v1(state: Option<&str>) -> Value {
        let mut record = json!({
            "id": "6f1c1f1e-7a59-4f0e-9d55-2f4f3c1f9a10", "owner": "alice",
            "filename": "cv.md", "content_type": "text/markdown",
            "revision": 1, "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z", "size": 10, "master": true
        });
        if let Some(state) = state {
            record["state"] = json!(state);
        }
        record
    }

    #[test]
    fn v1_records_migrate_to_current() {
        let (migrated, was_master) = migrate_resume(v1(Some("ready"))).unwrap().unwrap();
        assert!(was_master);
        let record: ResumeRecord = serde_json::from_value(migrated).unwrap();
        assert_eq!(record.status, Status::Ready);
        assert_eq!(record.v, RESUME_SCHEMA);
    }

    #[test]
    fn a_record_without_status_is_an_error_not_a_guess() {
        let err = migrate_resume(v1(None)).unwrap_err();
        assert!(err.to_string().contains("no valid status"), "{err}");
    }

    #[test]
    fn current_records_are_left_alone_and_newer_ones_refused() {
        let mut current = v1(Some("ready"));
        current["v"] = json!(RESUME_SCHEMA);
        assert!(migrate_resume(current.clone()).unwrap().is_none());
        current["v"] = json!(RESUME_SCHEMA + 1);
        assert!(matches!(
            migrate_resume(current),
            Err(MigrationError::TooNew { .. })
        ));
    }
}
