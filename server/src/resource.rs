//! Conversions from store records to the wire resources of `vitae_common`.
//! Times leave the server as RFC 3339 UTC strings with milliseconds.

use chrono::{DateTime, SecondsFormat, Utc};
use vitae_common::{ResumeResource, RevisionResource, ShareResource};

use crate::store::{RevisionRecord, ShareRecord, StoredResume};

pub fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub fn events_url(id: &uuid::Uuid) -> String {
    format!("/v1/resumes/{id}/events")
}

/// The resume resource; `document` only when asked (single-resume answers).
pub fn resume(stored: &StoredResume, with_document: bool) -> ResumeResource {
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
        revision: r.revision,
        created_at: time(r.created_at),
        updated_at: time(r.updated_at),
        confidence: r.confidence.clone(),
        size: r.size,
        events_url: events_url(&r.id),
        document: with_document.then(|| r.document.clone()),
    }
}

pub fn share(share: &ShareRecord, public_url: &str) -> ShareResource {
    ShareResource {
        token: share.token.clone(),
        url: format!("{public_url}/s/{}", share.token),
        resume_id: share.resume_id.to_string(),
        created_at: time(share.created_at),
        expires_at: time(share.expires_at),
        revoked: share.revoked,
        access_count: share.access_count,
        last_accessed_at: share.last_accessed_at.map(time),
    }
}

pub fn revision(revision: &RevisionRecord, with_document: bool) -> RevisionResource {
    RevisionResource {
        revision: revision.revision,
        created_at: time(revision.created_at),
        document: if with_document {
            revision.document.clone()
        } else {
            None
        },
    }
}
