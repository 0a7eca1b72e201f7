//! HTTP resources and request bodies of the v1 API.
//!
//! Field names here are the contract of `shared/DESIGN.md`: clients and outside
//! checks rely on them, so fields may be added but never renamed.

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::diff::Diff;
use crate::jobs::{JobKeywords, KeywordMatch};
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
/// `D` is the document's type: [`Resume`] for every client; the server may
/// answer with the stored JSON text in its place, which reads the same.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(serialize = "D: Serialize", deserialize = "D: Deserialize<'de>"))]
pub struct ResumeResource<D = Resume> {
    pub id: String,
    pub owner: String,
    pub filename: String,
    pub content_type: String,
    pub status: Status,
    /// Why the parse failed; present only when `status` is `failed`.
    pub reason: Option<String>,
    #[serde(default)]
    pub warnings: Vec<String>,
    pub is_master: bool,
    #[serialize_always]
    pub parent_id: Option<String>,
    /// The job a tailored version was made for.
    pub job_id: Option<String>,
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
    #[serde(default, deserialize_with = "present")]
    pub document: Option<Option<D>>,
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
    /// Where the next page starts (`?cursor=`); absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// One stored revision of a resume's document.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevisionResource {
    pub revision: u64,
    pub created_at: String,
    /// How this revision came to be: `parsed`, `edited`, `restored revision N`,
    /// `tailored for …`.
    #[serde(default)]
    pub origin: String,
    /// What changed against the revision before it, per section
    /// (`work: 1 added, 2 changed`), or `first revision`.
    #[serde(default)]
    pub summary: String,
    pub document: Option<Resume>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevisionList {
    pub revisions: Vec<RevisionResource>,
    /// Where the next page starts (`?cursor=`); absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
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
    /// The template `?format=pdf|docx` of the link renders with.
    #[serde(default = "default_template")]
    pub template: String,
    /// Its layout options.
    #[serde(default)]
    pub options: crate::export::Options,
    /// What the owner wrote to remember where the link went.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// `"live"` (the resume as it is now) or `"pinned"` (one revision).
    #[serde(default = "live")]
    pub shows: String,
    /// The revision a pinned link shows (from `"pin": true` or
    /// `"revision": N`); absent on a live link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned_revision: Option<u64>,
    /// Field names removed from every form of the share
    /// ([`crate::render::HIDEABLE`]).
    #[serde(default)]
    pub hide: Vec<String>,
    /// Whether `?format=pdf|docx|json|md` answer (else 403; the page only).
    #[serde(default = "yes")]
    pub allow_download: bool,
    /// Whether the link asks for a password (which is never returned).
    #[serde(default)]
    pub has_password: bool,
}

fn live() -> String {
    "live".to_string()
}

fn yes() -> bool {
    true
}

/// `GET /v1/shares/{token}`: the share with its views per day and form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareDetail {
    #[serde(flatten)]
    pub share: ShareResource,
    /// Counted views per UTC day, oldest first (the last 400 days at most).
    pub views: Vec<ShareDayViews>,
}

/// The counted views of one UTC day, per form (`html`, `json`, `md`,
/// `pdf`, `docx`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareDayViews {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub total: u64,
    pub formats: std::collections::BTreeMap<String, u64>,
}

fn default_template() -> String {
    crate::export::DEFAULT_TEMPLATE.to_string()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareList {
    pub shares: Vec<ShareResource>,
    /// Where the next page starts (`?cursor=`); absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateShare {
    /// Days until the link expires; the server's default when absent.
    pub expires_in_days: Option<u32>,
    /// An exact expiry time (RFC 3339), instead of `expires_in_days`.
    pub expires_at: Option<String>,
    /// The template the link's PDF and DOCX use (the default template when absent).
    pub template: Option<String>,
    /// Layout options for the link's PDF and DOCX.
    pub options: Option<crate::export::Options>,
    /// A note for the owner (`"Acme Corp, backend role"`), at most 200 characters.
    pub label: Option<String>,
    /// Freeze the link to the resume's current revision.
    pub pin: Option<bool>,
    /// Freeze the link to this revision (which must exist).
    pub revision: Option<u64>,
    /// Field names to remove from every form of the share
    /// ([`crate::render::HIDEABLE`]).
    pub hide: Option<Vec<String>>,
    /// `false`: only the HTML page; `?format=pdf|docx|json|md` answer 403.
    pub allow_download: Option<bool>,
    /// Ask for this password before showing anything (stored as an
    /// argon2id hash; never returned).
    pub password: Option<String>,
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

/// One side of a diff: a resume at a revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiffSide {
    pub resume_id: String,
    pub revision: u64,
    pub filename: String,
}

/// `GET /v1/resumes/{id}/diff?against=…`: what changed from `before` (the
/// `against` side) to `after` (the resume in the path).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiffResource {
    pub before: DiffSide,
    pub after: DiffSide,
    #[serde(flatten)]
    pub diff: Diff,
}

/// A stored job description and what was extracted from it.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobResource {
    pub id: String,
    pub title: String,
    pub company: Option<String>,
    pub keywords: JobKeywords,
    /// Bumped when `PUT` changes the description; previews name it.
    pub revision: u64,
    /// SHA-256 of the submitted description: the same text is never
    /// stored or extracted twice.
    pub content_hash: String,
    /// `text`, `markdown` or `json` (the JSON Resume job schema).
    pub format: String,
    pub created_at: String,
    pub updated_at: String,
    /// The description as prose; present on single-job answers.
    pub text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobList {
    pub jobs: Vec<JobResource>,
    /// Where the next page starts (`?cursor=`); absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `POST /v1/resumes/{id}/tailor`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TailorRequest {
    pub job_id: String,
}

/// `POST /v1/resumes/{id}/tailor/confirm`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmTailor {
    pub job_id: String,
    pub preview_hash: String,
}

/// Drafts from the optional language-model provider, each already checked
/// against the source: anything naming an employer, date or skill the
/// source lacks was dropped (and said so in `warnings`).
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Drafts {
    pub cover_letter: Option<String>,
    pub outreach_message: Option<String>,
    /// The provider's model name, for the record.
    pub model: String,
}

/// A tailoring preview: nothing is stored until it is confirmed with its
/// `preview_hash`.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TailorPreview {
    /// SHA-256 over (source id + revision, job id + revision, tailored
    /// document); confirm answers 409 when it no longer matches.
    pub preview_hash: String,
    pub source_id: String,
    pub source_revision: u64,
    pub job_id: String,
    pub job_revision: u64,
    pub tailored: Resume,
    #[serde(rename = "match")]
    pub keyword_match: KeywordMatch,
    pub diff: Diff,
    pub warnings: Vec<String>,
    pub drafts: Option<Drafts>,
}

/// The exact bytes of resources whose optional fields are sometimes omitted
/// and sometimes sent as `null`: scripts and browsers rely on both.
#[cfg(test)]
mod wire_tests {
    use super::*;
    use crate::diff::{Change, ChangeKind};
    use crate::jobs::JobKeywords;
    use crate::ChangeEvent;

    fn resume(document: Option<Option<Resume>>) -> ResumeResource {
        ResumeResource {
            id: "r".into(),
            owner: "o".into(),
            filename: "f.pdf".into(),
            content_type: "application/pdf".into(),
            status: Status::Pending,
            reason: None,
            warnings: Vec::new(),
            is_master: false,
            parent_id: None,
            job_id: None,
            revision: 1,
            created_at: "t".into(),
            updated_at: "t".into(),
            confidence: Default::default(),
            size: 3,
            events_url: "/e".into(),
            document,
        }
    }

    fn json<T: Serialize>(value: &T) -> String {
        serde_json::to_string(value).unwrap()
    }

    #[test]
    fn absent_options_are_omitted_or_null_as_documented() {
        let base = r#"{"id":"r","owner":"o","filename":"f.pdf","content_type":"application/pdf","status":"pending","warnings":[],"is_master":false,"parent_id":null,"revision":1,"created_at":"t","updated_at":"t","size":3,"events_url":"/e""#;
        assert_eq!(json(&resume(None)), format!("{base}}}"));
        assert_eq!(
            json(&resume(Some(None))),
            format!("{base},\"document\":null}}")
        );
        let mut full = resume(Some(Some(Resume::default())));
        full.reason = Some("x".into());
        full.job_id = Some("j".into());
        full.parent_id = Some("p".into());
        assert_eq!(
            json(&full),
            r#"{"id":"r","owner":"o","filename":"f.pdf","content_type":"application/pdf","status":"pending","reason":"x","warnings":[],"is_master":false,"parent_id":"p","job_id":"j","revision":1,"created_at":"t","updated_at":"t","size":3,"events_url":"/e","document":{}}"#
        );
        let share = ShareResource {
            token: "k".into(),
            url: "u".into(),
            resume_id: "r".into(),
            created_at: "t".into(),
            expires_at: "e".into(),
            revoked: false,
            access_count: 0,
            last_accessed_at: None,
            template: "classic".into(),
            options: Default::default(),
            label: None,
            shows: "live".into(),
            pinned_revision: None,
            hide: vec![],
            allow_download: true,
            has_password: false,
        };
        assert_eq!(
            json(&share),
            r#"{"token":"k","url":"u","resume_id":"r","created_at":"t","expires_at":"e","revoked":false,"access_count":0,"last_accessed_at":null,"template":"classic","options":{"paper":"a4","fit":"none","order":[],"hide":[]},"shows":"live","hide":[],"allow_download":true,"has_password":false}"#
        );
        assert_eq!(json(&CreateShare::default()), "{}");
        let revision = RevisionResource {
            revision: 2,
            created_at: "t".into(),
            origin: "edited".into(),
            summary: "s".into(),
            document: None,
        };
        assert_eq!(
            json(&revision),
            r#"{"revision":2,"created_at":"t","origin":"edited","summary":"s"}"#
        );
        let drafts = Drafts {
            cover_letter: None,
            outreach_message: None,
            model: "m".into(),
        };
        assert_eq!(json(&drafts), r#"{"model":"m"}"#);
        let event = ChangeEvent {
            kind: "resume.updated".into(),
            resume_id: "r".into(),
            status: None,
            share_token: None,
            at: "t".into(),
        };
        assert_eq!(
            json(&event),
            r#"{"kind":"resume.updated","resume_id":"r","at":"t"}"#
        );
        assert_eq!(
            json(&JobKeywords::default()),
            r#"{"skills":[],"phrases":[],"seniority":null}"#
        );
        let change = Change {
            path: "/work/0".into(),
            kind: ChangeKind::Added,
            before: None,
            after: Some(serde_json::json!(1)),
            from: None,
            words: Vec::new(),
        };
        assert_eq!(
            json(&change),
            r#"{"path":"/work/0","kind":"added","before":null,"after":1}"#
        );
    }
}

/// `GET /v1/account`: who the caller is, what it keeps, and its quotas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountResource {
    pub user: String,
    pub admin: bool,
    pub usage: AccountUsage,
    pub quotas: AccountQuotas,
}

/// What an account keeps now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountUsage {
    /// Bytes stored: originals, extracted texts, documents and revisions.
    pub bytes: u64,
    pub resumes: u64,
    /// Earlier revisions kept, all resumes together.
    pub revisions: u64,
    pub jobs: u64,
    /// Share links, revoked ones included until their resume is deleted.
    pub shares: u64,
    /// Export jobs kept.
    pub exports: u64,
}

/// What an account may keep; `null` is no limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountQuotas {
    pub bytes: Option<u64>,
    pub resumes: Option<u64>,
    /// Earlier revisions kept per resume.
    pub revisions_per_resume: Option<u64>,
    pub jobs: Option<u64>,
    pub shares: Option<u64>,
    pub exports: Option<u64>,
}
