//! Resume handlers: upload, list, read, edit (merge patch), delete, master,
//! and revisions (one `pub async fn` per row of the route table). Uploads are checked (size, type by magic bytes, empty) and
//! stored before the 202, which carries the stored status (`pending`), never
//! a promise of success.

use std::sync::Arc;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE, ETAG, IF_MATCH, LOCATION};
use hyper::{Request, Response, StatusCode};
use vitae_common::clean::Escaped;
use vitae_common::{ChangeEvent, ErrorCode, ResumeList, RevisionList};
use vitae_parser::{sniff, Format, SniffError};

use super::body::{content_type, read_body, require_json};
use super::error::{HttpError, HttpResult};
use super::response::{empty, encode_json, json, json_encoded};
use super::{paging, App, Body, Ctx};
use crate::pipeline::{EnqueueError, QueueFull};
use crate::resource;
use crate::store::{NewResume, StoreError, StoredResume};

pub fn with_etag(mut response: Response<Body>, revision: u64) -> Response<Body> {
    if let Ok(value) = HeaderValue::from_str(&format!("\"{revision}\"")) {
        response.headers_mut().insert(ETAG, value);
    }
    response
}

/// A write that made a new revision: tell the owner's other clients, then
/// answer the resource with its revision as the `ETag`.
fn new_revision(
    app: &App,
    owner: &str,
    stored: &StoredResume,
    status: StatusCode,
) -> HttpResult<Response<Body>> {
    app.hub
        .publish_change(owner, &change("resume.updated", stored));
    let response = json(status, &resource::resume(stored, true))?;
    Ok(with_etag(response, stored.record.revision))
}

pub fn change(kind: &str, stored: &StoredResume) -> ChangeEvent {
    ChangeEvent {
        kind: kind.to_string(),
        resume_id: stored.record.id.to_string(),
        status: Some(stored.record.status),
        share_token: None,
        at: resource::time(crate::store::now()),
    }
}

/// Keep the last path component, cleaned as every name is
/// ([`vitae_common::clean::clean_name`]: one line, no control or bidi
/// characters, at most 200 characters).
fn clean_filename(raw: &str, format: Format) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned = vitae_common::clean::clean_name(base);
    if cleaned.is_empty() {
        let ext = match format {
            Format::Pdf => "pdf",
            Format::Docx => "docx",
            Format::Markdown => "md",
            Format::Text => "txt",
            Format::JsonResume => "json",
        };
        format!("resume.{ext}")
    } else {
        cleaned
    }
}

fn sniff_error(error: SniffError) -> HttpError {
    match error {
        SniffError::Empty => HttpError::bad_request(error.to_string()),
        _ => HttpError::new(ErrorCode::UnsupportedMediaType, error.to_string()),
    }
}

/// The file of a multipart upload: its bytes, declared type and name.
async fn multipart_file(
    parts: &hyper::http::request::Parts,
    body: Bytes,
) -> HttpResult<(Bytes, Option<String>, Option<String>)> {
    let header = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let boundary = multer::parse_boundary(header)
        .map_err(|e| HttpError::bad_request(format!("bad multipart Content-Type: {e}")))?;
    // RFC 2046: a boundary has 1 to 70 characters; multer takes an empty one.
    if boundary.is_empty() {
        return Err(HttpError::bad_request(
            "bad multipart Content-Type: the boundary is empty; send `boundary=<1-70 characters>`",
        ));
    }
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    loop {
        let field = multipart
            .next_field()
            .await
            .map_err(|e| HttpError::bad_request(format!("malformed multipart body: {e}")))?;
        let Some(field) = field else {
            return Err(HttpError::bad_request(
                "the multipart body has no `file` field: send the resume as field `file`",
            ));
        };
        if field.name() != Some("file") {
            continue;
        }
        let declared = field.content_type().map(|m| m.essence_str().to_string());
        let filename = field.file_name().map(str::to_string);
        let bytes = field
            .bytes()
            .await
            .map_err(|e| HttpError::bad_request(format!("malformed multipart body: {e}")))?;
        return Ok((bytes, declared, filename));
    }
}

/// `POST /v1/resumes`.
pub async fn upload(
    app: &Arc<App>,
    ctx: &Ctx,
    req: Request<Incoming>,
) -> HttpResult<Response<Body>> {
    let user = ctx.user()?;
    // Multipart framing adds a little; the file itself is held to the limit below.
    let limit = app.live.get().max_upload_bytes;
    let (parts, body) = read_body(req, limit + 16 * 1024).await.map_err(|e| {
        if e.code == ErrorCode::PayloadTooLarge {
            HttpError {
                message: format!("the file is larger than the {limit}-byte upload limit"),
                ..e
            }
        } else {
            e
        }
    })?;
    let content_type = content_type(&parts.headers);
    let (bytes, declared, filename) = if content_type.as_deref() == Some("multipart/form-data") {
        multipart_file(&parts, body).await?
    } else {
        // `curl --data-binary @cv.pdf` labels the body as a form; that label
        // says nothing about the file, so the bytes and file name decide.
        let declared = content_type.filter(|ct| ct != "application/x-www-form-urlencoded");
        (body, declared, ctx.query("filename").map(str::to_string))
    };
    if bytes.len() as u64 > limit {
        return Err(HttpError::new(
            ErrorCode::PayloadTooLarge,
            format!("the file is larger than the {limit}-byte upload limit"),
        ));
    }
    let format = sniff(&bytes, declared.as_deref(), filename.as_deref()).map_err(sniff_error)?;
    let new = NewResume {
        owner: user.user.clone(),
        filename: clean_filename(filename.as_deref().unwrap_or(""), format),
        content_type: format.content_type().to_string(),
        original: bytes,
        parent_id: None,
    };
    // Stored and queued together: a full queue answers 429 and stores nothing.
    let stored = match app.pipeline.upload(new).await {
        Ok(stored) => stored,
        Err(EnqueueError::Full(QueueFull::Server(_))) => {
            return Err(HttpError::new(
                ErrorCode::TooManyRequests,
                "the parse queue is full; retry in a few seconds",
            )
            .with_header("retry-after", "5"))
        }
        Err(EnqueueError::Full(QueueFull::Owner(cap))) => {
            return Err(HttpError::new(
                ErrorCode::TooManyRequests,
                format!(
                    "you have {cap} uploads waiting to be parsed, the limit per user \
                     (setting queue_per_owner); retry once some have finished"
                ),
            )
            .with_header("retry-after", "5"))
        }
        Err(EnqueueError::Store(error)) => return Err(error.into()),
    };
    let id = stored.record.id;
    app.hub
        .publish_change(&user.user, &change("resume.created", &stored));
    tracing::info!(resume = %id, format = %format, bytes = stored.record.size, "upload stored");
    let mut response = json(StatusCode::ACCEPTED, &resource::resume(&stored, true))?;
    if let Ok(location) = HeaderValue::from_str(&format!("/v1/resumes/{id}")) {
        response.headers_mut().insert(LOCATION, location);
    }
    Ok(with_etag(response, stored.record.revision))
}

/// `GET /v1/resumes`: one page ([`paging`]).
pub async fn list(app: &Arc<App>, ctx: &Ctx, _: Request<Incoming>) -> HttpResult<Response<Body>> {
    let user = ctx.user()?;
    let scope = paging::Scope {
        list: paging::List::Resumes,
        owner: &user.user,
        resume: None,
    };
    let page = paging::Request::from_query(ctx)?.by_creation(&scope)?;
    let paged = app.store.resumes_page(&user.user, page).await?;
    json(
        StatusCode::OK,
        &ResumeList {
            resumes: paged
                .items
                .iter()
                .map(|r| resource::resume(r, false))
                .collect(),
            next_cursor: paged
                .next
                .map(|at| scope.cursor(&paging::creation_position(&at))),
        },
    )
}

/// Documents larger than this are encoded on the blocking pool: about a
/// millisecond of work, the most an async worker should spend on one answer.
const LARGE_ANSWER_BYTES: usize = 256 * 1024;

/// `GET /v1/resumes/{id}`.
pub async fn get(app: &Arc<App>, ctx: &Ctx, _: Request<Incoming>) -> HttpResult<Response<Body>> {
    let user = ctx.user()?;
    let id = ctx.uuid_param("id")?;
    // The busiest read: answered from the read cache while nothing was
    // written since it was encoded, and otherwise with the document passed
    // through as stored (no parse and re-encode).
    let key = (user.user.clone(), id);
    let generation = app.store.generation();
    if let Some((revision, body)) = app.resume_answers.get(&key, generation) {
        return Ok(with_etag(json_encoded(StatusCode::OK, body), revision));
    }
    // Read on the blocking pool (the store's raw read), and a large one
    // encoded there too: a multi-megabyte answer must not hold an async
    // worker while `/healthz` and small requests wait behind it.
    let stored = app.store.get_resume_raw(&user.user, id).await?;
    let revision = stored.record.revision;
    let large = stored
        .record
        .document
        .as_ref()
        .is_some_and(|d| d.get().len() > LARGE_ANSWER_BYTES);
    let body = if large {
        app.offload
            .run("serialising a resume", move || {
                encode_json(&resource::resume(&stored, true))
            })
            .await??
    } else {
        encode_json(&resource::resume(&stored, true))?
    };
    let size = body.len();
    app.resume_answers
        .put(key, generation, (revision, body.clone()), size);
    Ok(with_etag(json_encoded(StatusCode::OK, body), revision))
}

/// `If-Match: "3"`, `If-Match: 3` or `W/"3"`; `*` means "any revision".
fn if_match(headers: &hyper::HeaderMap) -> HttpResult<Option<u64>> {
    let Some(value) = headers.get(IF_MATCH) else {
        return Ok(None);
    };
    // Not ASCII is not a revision either; the message shows what was sent.
    let text = String::from_utf8_lossy(value.as_bytes());
    let text = text.trim();
    if text == "*" {
        return Ok(None);
    }
    let bare = text.trim_start_matches("W/").trim_matches('"');
    bare.parse::<u64>().map(Some).map_err(|_| {
        HttpError::bad_request(format!(
            "If-Match {text:?} is not a revision: send the resume's `revision` (its ETag)"
        ))
    })
}

/// `PATCH /v1/resumes/{id}`: a JSON Merge Patch of the document.
pub async fn patch(
    app: &Arc<App>,
    ctx: &Ctx,
    req: Request<Incoming>,
) -> HttpResult<Response<Body>> {
    let user = ctx.user()?;
    let id = ctx.uuid_param("id")?;
    require_json(req.headers(), &["application/merge-patch+json"])?;
    let expected = if_match(req.headers())?;
    let (_, body) = read_body(req, app.live.get().max_upload_bytes).await?;
    let patch: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| HttpError::bad_request(format!("the body is not valid JSON: {e}")))?;
    if !patch.is_object() {
        return Err(HttpError::unprocessable(format!(
            "a merge patch of the document must be a JSON object, found {}",
            vitae_common::resume::json_type_name(&patch)
        )));
    }
    // A merged value sits as deep in the document as in the patch. The store
    // keeps records as JSON, read back with serde_json's recursion limit
    // (128): a document nested near it would be written and then be
    // unreadable (the owner's list, and the next start, would fail).
    let depth = vitae_common::resume::json_depth(&patch);
    if depth > vitae_common::resume::MAX_DOCUMENT_DEPTH {
        return Err(HttpError::unprocessable(format!(
            "the patch nests {depth} levels deep; a resume document may nest at most \
             {} (JSON Resume itself needs about 5)",
            vitae_common::resume::MAX_DOCUMENT_DEPTH
        )));
    }
    let stored = app
        .store
        .patch_document(&user.user, id, expected, patch)
        .await?;
    new_revision(app, &user.user, &stored, StatusCode::OK)
}

/// `DELETE /v1/resumes/{id}`, with its shares.
pub async fn delete(app: &Arc<App>, ctx: &Ctx, _: Request<Incoming>) -> HttpResult<Response<Body>> {
    let user = ctx.user()?;
    let id = ctx.uuid_param("id")?;
    let deleted = app.store.delete_resume(&user.user, id).await?;
    tracing::info!(resume = %id, filename = %Escaped(&deleted.record.filename), shares = deleted.share_tokens.len(), "resume deleted");
    app.hub.forget_parse(id);
    let at = resource::time(crate::store::now());
    for token in &deleted.share_tokens {
        app.hub.publish_change(
            &user.user,
            &ChangeEvent {
                kind: "share.revoked".into(),
                resume_id: id.to_string(),
                status: None,
                share_token: Some(token.clone()),
                at: at.clone(),
            },
        );
    }
    app.hub.publish_change(
        &user.user,
        &ChangeEvent {
            kind: "resume.deleted".into(),
            resume_id: id.to_string(),
            status: None,
            share_token: None,
            at: at.clone(),
        },
    );
    if let Some(successor) = deleted.new_master {
        app.hub.publish_change(
            &user.user,
            &ChangeEvent {
                kind: "master.changed".into(),
                resume_id: successor.to_string(),
                status: None,
                share_token: None,
                at,
            },
        );
    }
    Ok(empty(StatusCode::NO_CONTENT))
}

/// `POST /v1/resumes/{id}/master`.
pub async fn master(app: &Arc<App>, ctx: &Ctx, _: Request<Incoming>) -> HttpResult<Response<Body>> {
    let user = ctx.user()?;
    let id = ctx.uuid_param("id")?;
    let stored = app.store.set_master(&user.user, id).await?;
    app.hub
        .publish_change(&user.user, &change("master.changed", &stored));
    let response = json(StatusCode::OK, &resource::resume(&stored, true))?;
    Ok(with_etag(response, stored.record.revision))
}

/// `GET /v1/resumes/{id}/revisions`.
pub async fn revisions(
    app: &Arc<App>,
    ctx: &Ctx,
    _: Request<Incoming>,
) -> HttpResult<Response<Body>> {
    let user = ctx.user()?;
    let id = ctx.uuid_param("id")?;
    let scope = paging::Scope {
        list: paging::List::Revisions,
        owner: &user.user,
        resume: Some(id),
    };
    let page = paging::Request::from_query(ctx)?.by_revision(&scope)?;
    let paged = app.store.revisions_page(&user.user, id, page).await?;
    // The page's first revision is summarised against the one before it,
    // which the previous page ended with.
    let before = match paged.items.first() {
        Some(first) if first.revision > 1 => {
            match app
                .store
                .get_revision(&user.user, id, first.revision - 1)
                .await
            {
                Ok(before) => Some(before),
                Err(StoreError::NotFound(_)) => None,
                Err(other) => return Err(other.into()),
            }
        }
        _ => None,
    };
    let revisions = paged.items;
    // One diff per revision: on the blocking pool, off the runtime workers.
    let revisions = tokio::task::spawn_blocking(move || {
        resource::revision_history(before.as_ref(), &revisions)
    })
    .await
    .map_err(|e| HttpError::internal("summarising revisions", e))?;
    json(
        StatusCode::OK,
        &RevisionList {
            revisions,
            next_cursor: paged.next.map(|n| scope.cursor(&n.to_string())),
        },
    )
}

fn revision_number(ctx: &Ctx) -> HttpResult<u64> {
    let raw = ctx.param("revision");
    raw.parse::<u64>()
        .map_err(|_| HttpError::bad_request(format!("{raw:?} is not a revision number")))
}

/// `GET /v1/resumes/{id}/revisions/{revision}`.
pub async fn revision(
    app: &Arc<App>,
    ctx: &Ctx,
    _: Request<Incoming>,
) -> HttpResult<Response<Body>> {
    let user = ctx.user()?;
    let id = ctx.uuid_param("id")?;
    let number = revision_number(ctx)?;
    let revision = app.store.get_revision(&user.user, id, number).await?;
    json(StatusCode::OK, &resource::revision(&revision, true, None))
}

/// `POST /v1/resumes/{id}/revisions/{revision}/restore`: copy revision N
/// into a new current revision. `If-Match` guards it like an edit; the
/// body, if any, is ignored.
pub async fn restore(
    app: &Arc<App>,
    ctx: &Ctx,
    req: Request<Incoming>,
) -> HttpResult<Response<Body>> {
    let user = ctx.user()?;
    let id = ctx.uuid_param("id")?;
    let number = revision_number(ctx)?;
    let expected = if_match(req.headers())?;
    let stored = app
        .store
        .restore_revision(&user.user, id, number, expected)
        .await?;
    new_revision(app, &user.user, &stored, StatusCode::CREATED)
}
