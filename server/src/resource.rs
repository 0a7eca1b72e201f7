//! Conversions from store records to the wire resources of `vitae_common`.
//! Times leave the server as RFC 3339 UTC strings with milliseconds.

use chrono::{DateTime, SecondsFormat, Utc};
use vitae_common::{JobResource, ResumeResource, RevisionResource, ShareResource};

use crate::store::{JobRecord, RevisionRecord, ShareRecord, StoredResume};

pub fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub fn events_url(id: &uuid::Uuid) -> String {
    format!("/v1/resumes/{id}/events")
}

/// The resume resource; `document` only when asked (single-resume answers).
pub fn resume<D: Clone>(stored: &StoredResume<D>, with_document: bool) -> ResumeResource<D> {
    let r = &stored.record;
    ResumeResource {
        id: r.id.to_string(),
        owner: r.owner.clone(),
        filename: r.filename.clone(),
        content_type: r.content_type.clone(),
        status: r.status,
        reason: r.reason.clone(),
        warnings: r.warnings.clone(),
        is_master: stored.is_master,
        parent_id: r.parent_id.map(|p| p.to_string()),
        job_id: r.job_id.map(|p| p.to_string()),
        revision: r.revision,
        created_at: time(r.created_at),
        updated_at: time(r.updated_at),
        confidence: r.confidence.clone(),
        size: r.size,
        events_url: events_url(&r.id),
        document: with_document.then(|| r.document.clone()),
    }
}

/// The share resource with `url` as its link (the HTTP layer picks the
/// host and the path form: `crate::http::shares::share_url`). Never the
/// password's hash: only whether there is one.
pub fn share_at(share: &ShareRecord, url: &str) -> ShareResource {
    let settings = &share.settings;
    ShareResource {
        label: settings.label.clone(),
        shows: if settings.pinned_revision.is_some() {
            "pinned"
        } else {
            "live"
        }
        .to_string(),
        pinned_revision: settings.pinned_revision,
        hide: settings.hide.clone(),
        allow_download: settings.allow_download,
        has_password: settings.password_hash.is_some(),
        token: share.token.clone(),
        url: url.to_string(),
        resume_id: share.resume_id.to_string(),
        created_at: time(share.created_at),
        expires_at: time(share.expires_at),
        revoked: share.revoked,
        access_count: share.access_count,
        last_accessed_at: share.last_accessed_at.map(time),
        template: share.layout.template.clone(),
        options: share.layout.options.clone(),
    }
}

/// One revision; `summary` says what changed against the one before it,
/// when the caller knows (the history list does).
pub fn revision(
    revision: &RevisionRecord,
    with_document: bool,
    summary: Option<String>,
) -> RevisionResource {
    RevisionResource {
        revision: revision.revision,
        created_at: time(revision.created_at),
        origin: revision.origin_or_default(),
        summary: summary.unwrap_or_default(),
        document: if with_document {
            revision.document.clone()
        } else {
            None
        },
    }
}

/// The history list, oldest first, each revision summarised against the one
/// before it by the diff engine; `before` is the revision before the first
/// (the end of the previous page), if any.
pub fn revision_history(
    before: Option<&RevisionRecord>,
    revisions: &[RevisionRecord],
) -> Vec<RevisionResource> {
    let mut previous: Option<&RevisionRecord> = before;
    let mut out = Vec::with_capacity(revisions.len());
    for current in revisions {
        let summary = match (
            previous.and_then(|p| p.document.as_ref()),
            &current.document,
        ) {
            (Some(before), Some(after)) => {
                vitae_common::diff::diff(before, after).summary.describe()
            }
            (None, _) if previous.is_none() => "first revision".to_string(),
            _ => "no document to compare".to_string(),
        };
        out.push(revision(current, false, Some(summary)));
        previous = Some(current);
    }
    out
}

pub fn job(job: &JobRecord, with_text: bool) -> JobResource {
    JobResource {
        id: job.id.to_string(),
        title: job.title.clone(),
        company: job.company.clone(),
        keywords: job.keywords.clone(),
        revision: job.revision,
        content_hash: job.content_hash.clone(),
        format: job.format.clone(),
        created_at: time(job.created_at),
        updated_at: time(job.updated_at),
        text: with_text.then(|| job.text.clone()),
    }
}
