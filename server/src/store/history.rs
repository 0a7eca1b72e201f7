//! Revision history rows, shared by every backend: how an earlier revision
//! is stored (whole, or as a reverse delta from the revision after it,
//! [`crate::store::delta`]), how a chain of them is read back, and the
//! checks and merge every edit makes.
//!
//! A backend keeps the current document in its resume record and every
//! earlier revision as a [`StoredRevision`] row (JSON) under (id,
//! revision); [`prepare_push`] turns an edit into the row to write and the
//! usage it costs, [`rebuild`] and [`rebuild_page`] read rows back. The
//! redb backend (`redb/revisions.rs`) and the PostgreSQL backend
//! (`postgres/revisions.rs`) only differ in where the rows live.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use vitae_common::Resume;

use super::delta::{self, Delta, SNAPSHOT_EVERY};
use super::quota::{self, Quotas};
use super::records::{ResumeRecord, RevisionRecord};
use super::{now, Paged, StoreError};

/// A row of `revisions`: the revision whole (`document`), or as the delta
/// that turns the next revision's document into it.
#[derive(Debug, Serialize, Deserialize)]
pub struct StoredRevision {
    pub revision: u64,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<Resume>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta: Option<Delta>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

impl StoredRevision {
    /// The record with its document, given the next revision's document
    /// (needed only when this one is a delta).
    pub fn resolve(self, next: Option<&Resume>) -> Result<RevisionRecord, StoreError> {
        let document = match (self.document, self.delta) {
            (Some(document), _) => Some(document),
            (None, None) => None,
            (None, Some(change)) => {
                let Some(next) = next else {
                    return Err(damaged(self.revision, &"the next revision has no document"));
                };
                let value = delta::apply(serde_json::to_value(next)?, &change)
                    .map_err(|e| damaged(self.revision, &e))?;
                Some(Resume::from_value(value).map_err(|e| damaged(self.revision, &e))?)
            }
        };
        Ok(RevisionRecord {
            revision: self.revision,
            created_at: self.created_at,
            document,
            origin: self.origin,
        })
    }
}

fn damaged(revision: u64, detail: &dyn std::fmt::Display) -> StoreError {
    StoreError::Backend(format!(
        "revision {revision} does not rebuild from the revision after it ({detail}); the store is damaged"
    ))
}

/// An earlier revision `revision` (not the current one) of `record`, from
/// the stored rows of `revision` and up, in revision order: read up to the
/// first row stored whole (or the current document), then the deltas
/// applied downwards. A backend may pass more rows than needed (at most
/// [`SNAPSHOT_EVERY`] are ever used).
pub fn rebuild(
    record: &ResumeRecord,
    revision: u64,
    rows: impl IntoIterator<Item = Result<StoredRevision, StoreError>>,
) -> Result<RevisionRecord, StoreError> {
    if revision >= record.revision {
        return Err(StoreError::NotFound("revision"));
    }
    let mut chain: Vec<StoredRevision> = Vec::new();
    for stored in rows {
        let stored = stored?;
        if stored.revision >= record.revision {
            break;
        }
        if chain.is_empty() && stored.revision != revision {
            return Err(StoreError::NotFound("revision"));
        }
        let whole = stored.delta.is_none();
        chain.push(stored);
        if whole {
            break;
        }
    }
    if chain.is_empty() {
        return Err(StoreError::NotFound("revision"));
    }
    let mut next = match chain.last() {
        Some(last) if last.delta.is_none() => None,
        _ => record.document.clone(),
    };
    let mut resolved = None;
    for stored in chain.into_iter().rev() {
        let record = stored.resolve(next.as_ref())?;
        next = record.document.clone();
        resolved = Some(record);
    }
    resolved.ok_or(StoreError::NotFound("revision"))
}

/// One page of `record`'s revisions ([`super::Page`]: `limit` of them from
/// revision `first`), oldest first, the current one last, from its stored
/// rows of `first` and up in revision order (none when `first` is not
/// below the current revision).
///
/// Earlier revisions are reverse deltas from the one after, so the page's
/// rows are read, then on to the first row stored whole (at most
/// [`SNAPSHOT_EVERY`] more) or the current document, and rebuilt downwards
/// from there: a backend may pass `limit + SNAPSHOT_EVERY + 1` rows at
/// most and this reads no further than it needs.
pub fn rebuild_page(
    record: ResumeRecord,
    first: u64,
    limit: usize,
    rows: impl IntoIterator<Item = Result<StoredRevision, StoreError>>,
) -> Result<Paged<RevisionRecord, u64>, StoreError> {
    // The page's rows, then the rows that rebuild its last one.
    let mut kept: Vec<StoredRevision> = Vec::new();
    let mut in_page = 0;
    let mut more = false;
    for stored in rows {
        let stored = stored?;
        if stored.revision >= record.revision {
            break;
        }
        if in_page < limit {
            in_page += 1;
            kept.push(stored);
            continue;
        }
        more = true;
        if kept.last().is_some_and(|last| last.delta.is_none()) {
            break;
        }
        kept.push(stored);
    }
    // Below the page's last row all is rebuilt; the current revision
    // follows the stored ones.
    let current = current_revision(record);
    let mut next = current.document.clone();
    let mut items = Vec::with_capacity(in_page + 1);
    for (index, stored) in kept.into_iter().enumerate().rev() {
        let resolved = stored.resolve(next.as_ref())?;
        next = resolved.document.clone();
        if index < in_page {
            items.push(resolved);
        }
    }
    items.reverse();
    if !more && in_page < limit && current.revision >= first {
        items.push(current);
    } else if !more && current.revision >= first {
        // The page is full and only the current revision is left.
        more = true;
    }
    let next = if more {
        items.last().map(|r| r.revision)
    } else {
        None
    };
    Ok(Paged { items, next })
}

/// What making `document` the record's new current revision writes: the
/// row that keeps the current one (with its origin), as a delta from
/// `document` where that is worth it, and the usage that costs. `record`
/// becomes the new revision; the caller charges the usage, then writes the
/// row (under the old revision number, `record.revision - 1`) and the
/// record. Callers have checked ownership, status and `If-Match`; the
/// revisions quota is checked here, before anything changes.
pub fn prepare_push(
    quotas: &Quotas,
    record: &mut ResumeRecord,
    document: Resume,
    origin: String,
) -> Result<(Vec<u8>, quota::Delta), StoreError> {
    // Every revision before the current one is kept: `revision - 1` rows.
    quota::check_revisions(record.revision - 1, quotas)?;
    let old_bytes = document_bytes(record.document.as_ref());
    let previous_document = record.document.take();
    record.carry_confidence(previous_document.as_ref(), &document);
    let (whole, change) = store_as(record.revision, previous_document, &document)?;
    let previous = StoredRevision {
        revision: record.revision,
        created_at: record.updated_at,
        document: whole,
        delta: change,
        origin: record.revision_origin.take(),
    };
    let kept = serde_json::to_vec(&previous)?;
    let usage = quota::Delta {
        revisions: 1,
        bytes: (kept.len() as u64 + document_bytes(Some(&document))) as i64 - old_bytes as i64,
        ..quota::Delta::default()
    };
    record.document = Some(document);
    record.revision += 1;
    record.revision_origin = Some(origin);
    record.updated_at = now();
    Ok((kept, usage))
}

/// The size a document counts for in the quotas: its length as compact JSON.
pub fn document_bytes(document: Option<&Resume>) -> u64 {
    document.map_or(0, vitae_parser::json_size)
}

/// How to store revision `revision` (`previous`) once `next` replaces it:
/// whole, or as the delta from `next`.
pub fn store_as(
    revision: u64,
    previous: Option<Resume>,
    next: &Resume,
) -> Result<(Option<Resume>, Option<Delta>), StoreError> {
    let Some(previous) = previous else {
        return Ok((None, None));
    };
    if revision.is_multiple_of(SNAPSHOT_EVERY) {
        return Ok((Some(previous), None));
    }
    let previous_value = serde_json::to_value(&previous)?;
    let change = delta::delta(&serde_json::to_value(next)?, &previous_value);
    let delta_bytes = serde_json::to_vec(&change)?.len();
    let whole_bytes = serde_json::to_vec(&previous_value)?.len();
    Ok(if delta::worth_a_delta(delta_bytes, whole_bytes) {
        (None, Some(change))
    } else {
        (Some(previous), None)
    })
}

/// The current revision of a record, in the shape of a stored one.
pub fn current_revision(record: ResumeRecord) -> RevisionRecord {
    RevisionRecord {
        revision: record.revision,
        created_at: record.updated_at,
        document: record.document,
        origin: record.revision_origin,
    }
}

/// `If-Match` check shared by every edit.
pub fn check_revision(record: &ResumeRecord, if_match: Option<u64>) -> Result<(), StoreError> {
    match if_match {
        Some(expected) if expected != record.revision => Err(StoreError::StaleRevision {
            expected,
            current: record.revision,
        }),
        _ => Ok(()),
    }
}

/// Apply an RFC 7396 merge patch to a document and validate the result.
pub fn merge_document(current: &Resume, patch: &serde_json::Value) -> Result<Resume, StoreError> {
    let mut value = serde_json::to_value(current)?;
    json_patch::merge(&mut value, patch);
    Resume::from_value(value).map_err(|e| StoreError::Invalid(e.to_string()))
}
