//! `POST /v1/resumes/{id}/tailor` (a preview) and `…/tailor/confirm` (store
//! it as a new resume). The logic lives in [`crate::tailoring`].

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use vitae_common::{ConfirmTailor, TailorRequest};

use super::body::{parse_json, read_body, require_json};
use super::error::{HttpError, HttpResult};
use super::response::json;
use super::resumes::{change, with_etag};
use super::{App, Body, Ctx};
use crate::{resource, tailoring};

/// Tailor requests are two ids and a hash; the limit is the one docs/api.md
/// gives every JSON body but uploads and PATCH.
const MAX_TAILOR_BODY: u64 = 64 * 1024;

fn job_uuid(raw: &str) -> HttpResult<uuid::Uuid> {
    uuid::Uuid::parse_str(raw.trim()).map_err(|_| {
        HttpError::bad_request(format!(
            "job_id {raw:?} is not a job id (a UUID from POST /v1/jobs)"
        ))
    })
}

/// The caller, the resume id and the JSON body, checked in the same order
/// by both endpoints.
async fn read_request<T: serde::de::DeserializeOwned>(
    ctx: &Ctx,
    req: Request<Incoming>,
) -> HttpResult<(String, uuid::Uuid, T)> {
    let user = ctx.user()?.user.clone();
    let id = ctx.uuid_param("id")?;
    require_json(req.headers(), &[])?;
    let (_, body) = read_body(req, MAX_TAILOR_BODY).await?;
    Ok((user, id, parse_json(&body)?))
}

/// `POST /v1/resumes/{id}/tailor/confirm`: store the preview as a new resume.
pub async fn confirm(
    app: &Arc<App>,
    ctx: &Ctx,
    req: Request<Incoming>,
) -> HttpResult<Response<Body>> {
    let (user, id, request): (_, _, ConfirmTailor) = read_request(ctx, req).await?;
    let job_id = job_uuid(&request.job_id)?;
    let stored = tailoring::confirm(
        app.store.as_ref(),
        &app.previews,
        &user,
        id,
        job_id,
        request.preview_hash.trim(),
    )
    .await?;
    app.hub
        .publish_change(&user, &change("resume.created", &stored));
    let response = json(StatusCode::CREATED, &resource::resume(&stored, true))?;
    Ok(with_etag(response, stored.record.revision))
}

/// `POST /v1/resumes/{id}/tailor`: a preview; nothing is stored as a resume.
pub async fn preview(
    app: &Arc<App>,
    ctx: &Ctx,
    req: Request<Incoming>,
) -> HttpResult<Response<Body>> {
    let (user, id, request): (_, _, TailorRequest) = read_request(ctx, req).await?;
    let job_id = job_uuid(&request.job_id)?;
    let preview = tailoring::preview(
        app.store.as_ref(),
        &app.previews,
        app.llm.as_ref(),
        &user,
        id,
        job_id,
    )
    .await?;
    json(StatusCode::OK, &preview)
}
