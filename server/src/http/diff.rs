//! `GET /v1/resumes/{id}/diff?against=…`: what changed between two versions.
//!
//! The engine is `vitae_common::diff` (the same one clients use); this module
//! only resolves the two sides. `against` names the *before* side: another
//! resume (`<id>`, at its current revision, or `<id>:rev:N`) or a revision of
//! this one (`rev:N`); `revision=N` picks the *after* side's revision (default:
//! current). A side without a parsed document is a 409 that says why, never an
//! empty diff.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use uuid::Uuid;
use vitae_common::{DiffResource, DiffSide, ErrorCode, Resume, Status};

use super::error::{HttpError, HttpResult};
use super::response::json;
use super::{App, Body, Ctx};

/// One side as the caller named it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SideRef {
    resume: Uuid,
    revision: Option<u64>,
}

/// `GET /v1/resumes/{id}/diff`.
pub async fn get(app: &Arc<App>, ctx: &Ctx, _: Request<Incoming>) -> HttpResult<Response<Body>> {
    let user = ctx.user()?;
    let id = ctx.uuid_param("id")?;
    let after_revision = match ctx.query("revision") {
        None => None,
        Some(raw) => Some(parse_revision(raw)?),
    };
    let against = ctx.query("against").ok_or_else(|| {
        HttpError::bad_request(
            "say what to compare with: ?against=<resume id>, ?against=rev:N (a revision of this resume) or ?against=<resume id>:rev:N",
        )
    })?;
    let before = parse_against(against, id)?;
    let after = SideRef {
        resume: id,
        revision: after_revision,
    };
    let (after_side, after_doc) = load_side(app, &user.user, after).await?;
    let (before_side, before_doc) = load_side(app, &user.user, before).await?;
    // Hundreds of microseconds for long resumes: off the runtime workers.
    let diff =
        tokio::task::spawn_blocking(move || vitae_common::diff::diff(&before_doc, &after_doc))
            .await
            .map_err(|e| HttpError::internal("comparing the versions", e))?;
    json(
        StatusCode::OK,
        &DiffResource {
            before: before_side,
            after: after_side,
            diff,
        },
    )
}

fn parse_revision(raw: &str) -> HttpResult<u64> {
    raw.parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(|| {
        HttpError::bad_request(format!(
            "{raw:?} is not a revision number (a positive integer)"
        ))
    })
}

fn parse_against(raw: &str, this: Uuid) -> HttpResult<SideRef> {
    let raw = raw.trim();
    if let Some(number) = raw.strip_prefix("rev:") {
        return Ok(SideRef {
            resume: this,
            revision: Some(parse_revision(number)?),
        });
    }
    let (id, revision) = match raw.split_once(":rev:") {
        Some((id, number)) => (id, Some(parse_revision(number)?)),
        None => (raw, None),
    };
    let resume = Uuid::parse_str(id).map_err(|_| {
        HttpError::bad_request(format!(
            "against={raw:?} is neither a resume id (UUID), rev:N, nor <id>:rev:N"
        ))
    })?;
    Ok(SideRef { resume, revision })
}

async fn load_side(app: &App, owner: &str, side: SideRef) -> HttpResult<(DiffSide, Resume)> {
    let stored = app.store.get_resume(owner, side.resume).await?;
    let record = stored.record;
    let not_parsed = |status: Status, reason: Option<&str>| {
        let why = match (status, reason) {
            (Status::Failed, Some(reason)) => format!("its parse failed: {reason}"),
            (Status::Failed, None) => "its parse failed".to_string(),
            (status, _) => format!("it is still {status}; compare once its parse is complete"),
        };
        HttpError::new(
            ErrorCode::Conflict,
            format!("resume {} has no parsed document: {why}", record.id),
        )
    };
    if record.status != Status::Ready {
        return Err(not_parsed(record.status, record.reason.as_deref()));
    }
    let (revision, document) = match side.revision {
        Some(n) if n != record.revision => {
            let old = app.store.get_revision(owner, side.resume, n).await?;
            (n, old.document)
        }
        _ => (record.revision, record.document.clone()),
    };
    let document = document.ok_or_else(|| {
        HttpError::new(
            ErrorCode::Conflict,
            format!(
                "revision {revision} of resume {} has no document to compare",
                record.id
            ),
        )
    })?;
    Ok((
        DiffSide {
            resume_id: record.id.to_string(),
            revision,
            filename: record.filename.clone(),
        },
        document,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn against_names_a_resume_a_revision_or_both() {
        let this = Uuid::new_v4();
        let other = Uuid::new_v4();
        assert_eq!(
            parse_against("rev:3", this).unwrap(),
            SideRef {
                resume: this,
                revision: Some(3)
            }
        );
        assert_eq!(
            parse_against(&other.to_string(), this).unwrap(),
            SideRef {
                resume: other,
                revision: None
            }
        );
        assert_eq!(
            parse_against(&format!("{other}:rev:2"), this).unwrap(),
            SideRef {
                resume: other,
                revision: Some(2)
            }
        );
        for bad in ["rev:", "rev:0", "rev:x", "nope", "", ":rev:2"] {
            assert!(parse_against(bad, this).is_err(), "{bad:?}");
        }
    }
}
