//! Export endpoints: the template catalogue, a resume's export as a file
//! (`GET …/export`), export jobs (`POST …/exports`, their state, stream and
//! file), and template previews.
//!
//! The rendering, the cache and the jobs are `crate::exports`; this module
//! turns requests into [`ExportRequest`]s, picks the resume's current
//! document, and answers files with their headers: a strong `ETag` (the
//! cache key for typeset formats, a hash of the bytes otherwise),
//! `If-None-Match` → 304, and `Content-Disposition: attachment`.

use std::sync::Arc;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, ETAG};
use hyper::{Request, Response, StatusCode};
use vitae_common::export::{
    ExportFormat, ExportRequest, ExportStatus, TemplateList, TemplateOptions, TemplateResource,
    EXPORT_TERMINAL_EVENT_ID, FONT_SIZE_RANGE,
};
use vitae_common::{render, ErrorCode, Resume, Status};

use super::body::{parse_optional_json, read_body, require_json};
use super::error::{HttpError, HttpResult};
use super::response::{empty, full, header_value, json};
use super::{App, Body, Ctx};
use crate::exports::{file_name, ExportFailure, ExportFile};
use crate::sse::hub::Subscription;
use crate::sse::stream::{respond, StreamOptions};
use crate::store::{RawDocument, StoredResume};

impl From<ExportFailure> for HttpError {
    fn from(failure: ExportFailure) -> HttpError {
        match failure {
            ExportFailure::Request(e) => HttpError::bad_request(e.to_string()),
            ExportFailure::Unprocessable(message) => HttpError::unprocessable(message),
            ExportFailure::Busy(message) => {
                HttpError::new(ErrorCode::Unavailable, message).with_header("retry-after", "5")
            }
            ExportFailure::Store(e) => HttpError::from(e),
            ExportFailure::Internal(message) => HttpError::internal("exporting", message),
        }
    }
}

/// `GET /v1/templates`.
pub async fn templates(
    _: &Arc<App>,
    ctx: &Ctx,
    _: Request<Incoming>,
) -> HttpResult<Response<Body>> {
    ctx.user()?;
    let templates = vitae_export::templates()
        .iter()
        .map(|t| TemplateResource {
            id: t.id.to_string(),
            name: t.name.to_string(),
            description: t.description.to_string(),
            formats: t.formats.to_vec(),
            version: t.version,
            options: TemplateOptions {
                paper: vitae_common::export::Paper::ALL.to_vec(),
                font_size: t.font_size,
                font_size_min: FONT_SIZE_RANGE.0,
                font_size_max: FONT_SIZE_RANGE.1,
                accent: t.accent.to_string(),
                sections: vitae_export::view::section_order(t.order),
                one_page: t.one_page,
            },
            preview_url: format!("/v1/templates/{}/preview.png", t.id),
        })
        .collect();
    json(StatusCode::OK, &TemplateList { templates })
}

/// `GET /v1/templates/{id}/preview.png`: public, so an `<img>` can show it.
pub async fn preview(
    app: &Arc<App>,
    ctx: &Ctx,
    _: Request<Incoming>,
) -> HttpResult<Response<Body>> {
    let png = app.exporter.preview(ctx.param("id")).await?;
    let mut response = Response::new(full(png));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("image/png"));
    headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    Ok(response)
}

/// The request from the query string, checked against the catalogue.
fn request_from_query(app: &App, ctx: &Ctx) -> HttpResult<ExportRequest> {
    let pairs = ctx.query.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let req =
        ExportRequest::from_query(pairs).map_err(|e| HttpError::bad_request(e.to_string()))?;
    app.exporter.validate(&req)?;
    Ok(req)
}

/// The resume, which must be ready to export.
async fn ready_resume(
    app: &App,
    owner: &str,
    id: uuid::Uuid,
) -> HttpResult<(StoredResume<RawDocument>, String)> {
    let stored = app.store.get_resume_raw(owner, id).await?;
    let document = match (&stored.record.status, &stored.record.document) {
        (Status::Ready, Some(document)) => document.get().to_string(),
        (status, _) => {
            return Err(HttpError::new(
                ErrorCode::Conflict,
                format!("resume {id} is {status}; only a ready resume can be exported"),
            ))
        }
    };
    Ok((stored, document))
}

/// The person's name in a stored document, for the file name.
fn person(document: &str) -> String {
    #[derive(serde::Deserialize)]
    struct Named {
        basics: Option<Basics>,
    }
    #[derive(serde::Deserialize)]
    struct Basics {
        name: Option<String>,
    }
    serde_json::from_str::<Named>(document)
        .ok()
        .and_then(|n| n.basics?.name)
        .unwrap_or_default()
}

/// The name a file of `document` is served under.
pub fn file_name_for(document: &str, upload_name: &str, request: &ExportRequest) -> String {
    file_name(&person(document), upload_name, request)
}

/// `GET /v1/resumes/{id}/export`.
pub async fn export(
    app: &Arc<App>,
    ctx: &Ctx,
    req: Request<Incoming>,
) -> HttpResult<Response<Body>> {
    let user = ctx.user()?;
    let id = ctx.uuid_param("id")?;
    let request = request_from_query(app, ctx)?;
    let (stored, document) = ready_resume(app, &user.user, id).await?;
    let filename = file_name_for(&document, &stored.record.filename, &request);
    let file = render_any(app, &user.user, id, &document, &request).await?;
    Ok(file_response(&req, file, &filename, false))
}

/// A file in any format: typeset ones through the exporter (and its
/// cache), plain ones rendered here.
pub async fn render_any(
    app: &App,
    owner: &str,
    resume_id: uuid::Uuid,
    document: &str,
    request: &ExportRequest,
) -> HttpResult<ExportFile> {
    if request.format.is_typeset() {
        return Ok(app
            .exporter
            .export(owner, resume_id, document, request)
            .await?);
    }
    let bytes = match request.format {
        ExportFormat::Json => Bytes::copy_from_slice(document.as_bytes()),
        format => {
            let resume: Resume = serde_json::from_str(document).map_err(|e| {
                HttpError::unprocessable(format!("the document cannot be exported: {e}"))
            })?;
            // Markdown and HTML of a large resume take real time: off the
            // async workers.
            tokio::task::spawn_blocking(move || match format {
                ExportFormat::Md => render::markdown(&resume),
                _ => render::html(&resume),
            })
            .await
            .map(Bytes::from)
            .map_err(|e| HttpError::internal("rendering an export", e))?
        }
    };
    Ok(ExportFile {
        key: crate::digest::sha256_hex(&[&bytes]),
        format: request.format,
        bytes,
        pages: 0,
        warnings: Vec::new(),
        cached: false,
    })
}

/// A file answer: type, attachment name, strong ETag, 304 on a match.
pub fn file_response(
    req: &Request<Incoming>,
    file: ExportFile,
    filename: &str,
    public: bool,
) -> Response<Body> {
    let etag = format!("\"{}\"", file.key);
    let matches = req
        .headers()
        .get(hyper::header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        });
    let mut response = if matches {
        empty(StatusCode::NOT_MODIFIED)
    } else {
        Response::new(full(file.bytes))
    };
    let headers = response.headers_mut();
    if !matches {
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static(file.format.content_type()),
        );
    }
    headers.insert(ETAG, header_value(&etag));
    headers.insert(CONTENT_DISPOSITION, header_value(&attachment(filename)));
    // A share's file must stop being served the moment the link is
    // revoked; the owner's may be kept by the client and revalidated.
    let cache = if public {
        "no-store"
    } else {
        "private, no-cache"
    };
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        "x-vitae-cache",
        HeaderValue::from_static(if file.cached { "hit" } else { "miss" }),
    );
    if file.format.is_typeset() {
        headers.insert("x-vitae-pages", header_value(&file.pages.to_string()));
    }
    response
}

/// `attachment; filename="…"; filename*=UTF-8''…`: an ASCII name for old
/// clients, the real one percent-encoded for the rest.
fn attachment(filename: &str) -> String {
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .filter(|c| !matches!(c, '"' | '\\' | '%'))
        .collect();
    let mut encoded = String::new();
    for byte in filename.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// `POST /v1/resumes/{id}/exports`.
pub async fn start(
    app: &Arc<App>,
    ctx: &Ctx,
    req: Request<Incoming>,
) -> HttpResult<Response<Body>> {
    let user = ctx.user()?;
    let id = ctx.uuid_param("id")?;
    require_json(req.headers(), &[])?;
    let (_, body) = read_body(req, 64 * 1024).await?;
    let request: ExportRequest = parse_optional_json(&body)?;
    app.exporter.validate(&request)?;
    if !request.format.is_typeset() {
        return Err(HttpError::bad_request(format!(
            "export jobs make pdf, docx or png files; get {} from GET /v1/resumes/{id}/export?format={}",
            request.format, request.format
        )));
    }
    let (stored, document) = ready_resume(app, &user.user, id).await?;
    let filename = file_name_for(&document, &stored.record.filename, &request);
    let record = app
        .exporter
        .start(
            &user.user,
            id,
            stored.record.revision,
            &document,
            filename,
            request,
        )
        .await?;
    let mut response = json(StatusCode::ACCEPTED, &crate::exports::resource(&record))?;
    response.headers_mut().insert(
        hyper::header::LOCATION,
        header_value(&format!("/v1/exports/{}", record.id)),
    );
    Ok(response)
}

/// `GET /v1/exports/{id}`.
pub async fn get(app: &Arc<App>, ctx: &Ctx, _: Request<Incoming>) -> HttpResult<Response<Body>> {
    let user = ctx.user()?;
    let id = ctx.uuid_param("id")?;
    let record = app.store.get_export(&user.user, id).await?;
    let mut job = crate::exports::resource(&record);
    // The record says `queued` until the job ends (a store write per stage
    // would cost more than the render); the live log knows better.
    let laying_out = vitae_common::export::ExportStage::Layout.event_id();
    if job.status == ExportStatus::Queued
        && app
            .hub
            .export_position(id)
            .is_some_and(|at| at >= laying_out)
    {
        job.status = ExportStatus::Rendering;
    }
    json(StatusCode::OK, &job)
}

/// `GET /v1/exports/{id}/file`.
pub async fn file(app: &Arc<App>, ctx: &Ctx, req: Request<Incoming>) -> HttpResult<Response<Body>> {
    let user = ctx.user()?;
    let id = ctx.uuid_param("id")?;
    let record = app.store.get_export(&user.user, id).await?;
    match record.status {
        ExportStatus::Complete => {}
        ExportStatus::Failed => {
            return Err(HttpError::new(
                ErrorCode::Conflict,
                format!(
                    "export {id} failed: {}",
                    record.reason.as_deref().unwrap_or("no reason was recorded")
                ),
            ))
        }
        status => {
            return Err(HttpError::new(
                ErrorCode::Conflict,
                format!(
                    "export {id} is {}; follow {} until it is complete",
                    status.as_str(),
                    crate::exports::events_url(id)
                ),
            ))
        }
    }
    let file = app.exporter.file_of(&record).await?;
    Ok(file_response(&req, file, &record.filename, false))
}

/// `GET /v1/exports/{id}/events`: the job's stream, from the start or after
/// `Last-Event-ID`; 204 once the terminal event was seen.
pub async fn events(
    app: &Arc<App>,
    ctx: &Ctx,
    req: Request<Incoming>,
) -> HttpResult<Response<Body>> {
    let last_event_id = super::streams::last_event_id(&req);
    let user = ctx.user()?;
    let id = ctx.uuid_param("id")?;
    let record = app.store.get_export(&user.user, id).await?;
    let last = match last_event_id.as_deref() {
        None => 0,
        Some(raw) => raw.parse::<u64>().map_err(|_| {
            HttpError::bad_request(format!(
                "Last-Event-ID {raw:?} is not an event id of this stream (1-{EXPORT_TERMINAL_EVENT_ID})"
            ))
        })?,
    };
    if last >= EXPORT_TERMINAL_EVENT_ID && record.status.is_terminal() {
        return Ok(empty(StatusCode::NO_CONTENT));
    }
    let permit = app.admission.streams.admit_for(&user.user)?;
    let subscription = app
        .hub
        .subscribe_export(id, crate::exports::terminal_event(&record));
    let history = subscription
        .history
        .into_iter()
        .filter(|event| event.id.parse::<u64>().map_or(true, |n| n > last))
        .collect();
    Ok(respond(
        Subscription {
            history,
            live: subscription.live,
            floor: 0,
        },
        StreamOptions {
            heartbeat: app.live.get().heartbeat,
            shutdown: app.shutdown.clone(),
            // An export log holds at most five events, far below the
            // fan-out buffer; a lagging subscriber reconnects from the start.
            on_lag: Box::new(|_| {
                super::streams::resync_from_start(
                    "this client fell behind; fetch the export again".into(),
                )
            }),
            permit: Some(permit),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachments_name_the_file_safely() {
        assert_eq!(
            attachment("Ada Lovelace - classic.pdf"),
            "attachment; filename=\"Ada Lovelace - classic.pdf\"; filename*=UTF-8''Ada%20Lovelace%20-%20classic.pdf"
        );
        let header = attachment("Zoë \"x\" - modern.pdf");
        assert!(
            header.starts_with("attachment; filename=\"Zo_ x - modern.pdf\""),
            "{header}"
        );
        assert!(header.contains("Zo%C3%AB"), "{header}");
        assert!(HeaderValue::from_str(&header).is_ok());
    }

    #[test]
    fn the_person_is_read_without_parsing_the_whole_document() {
        assert_eq!(
            person(r#"{"basics": {"name": "Ada"}, "work": [1, 2]}"#),
            "Ada"
        );
        assert_eq!(person(r#"{"work": []}"#), "");
        assert_eq!(person("not json"), "");
    }
}
