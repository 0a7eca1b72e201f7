//! Job descriptions: `POST /v1/jobs`, `GET /v1/jobs[/{id}]`, `PUT` and
//! `DELETE /v1/jobs/{id}`.
//!
//! The body is the description itself: `text/plain`, `text/markdown`, or
//! `application/json` holding the JSON Resume job schema (a body that opens
//! with `{` and has no Content-Type is taken as JSON). `?title=` overrides the
//! title found in the text. Keywords are extracted by `vitae_tailor` once per
//! distinct description: the store keys jobs by a SHA-256 of (format, title,
//! body), so posting the same description again answers the stored job (200)
//! without extracting it again.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use vitae_common::{ErrorCode, JobList};
use vitae_tailor::JobFormat;

use super::body::{content_type, read_body};
use super::error::{HttpError, HttpResult};
use super::response::{empty, json};
use super::{App, Body, Ctx};
use crate::resource;
use crate::store::NewJob;

/// Job descriptions are prose; a megabyte is far beyond any real one.
const MAX_JOB_BYTES: u64 = 1024 * 1024;

/// `POST /v1/jobs`: 201 with a new job, or 200 with the stored one when
/// the same description was posted before.
pub async fn create(
    app: &Arc<App>,
    ctx: &Ctx,
    req: Request<Incoming>,
) -> HttpResult<Response<Body>> {
    let user = ctx.user()?.user.clone();
    let new = read_job(ctx, &user, req).await?;
    if let Some(existing) = app.store.find_job_by_hash(&user, &new.content_hash).await? {
        return json(StatusCode::OK, &resource::job(&existing, true));
    }
    let new = extract(new)?;
    let (job, created) = app.store.create_job(new).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    json(status, &resource::job(&job, true))
}

/// `GET /v1/jobs`: one page ([`super::paging`]).
pub async fn list(app: &Arc<App>, ctx: &Ctx, _: Request<Incoming>) -> HttpResult<Response<Body>> {
    let user = ctx.user()?.user.clone();
    let scope = super::paging::Scope {
        list: super::paging::List::Jobs,
        owner: &user,
        resume: None,
    };
    let page = super::paging::Request::from_query(ctx)?.by_creation(&scope)?;
    let paged = app.store.jobs_page(&user, page).await?;
    json(
        StatusCode::OK,
        &JobList {
            jobs: paged
                .items
                .iter()
                .map(|j| resource::job(j, false))
                .collect(),
            next_cursor: paged
                .next
                .map(|at| scope.cursor(&super::paging::creation_position(&at))),
        },
    )
}

/// `PUT /v1/jobs/{id}`: replace the description (keywords extracted anew).
pub async fn update(
    app: &Arc<App>,
    ctx: &Ctx,
    req: Request<Incoming>,
) -> HttpResult<Response<Body>> {
    let user = ctx.user()?.user.clone();
    let id = ctx.uuid_param("id")?;
    let new = extract(read_job(ctx, &user, req).await?)?;
    let job = app.store.update_job(&user, id, new).await?;
    json(StatusCode::OK, &resource::job(&job, true))
}

/// `DELETE /v1/jobs/{id}`.
pub async fn delete(app: &Arc<App>, ctx: &Ctx, _: Request<Incoming>) -> HttpResult<Response<Body>> {
    let user = ctx.user()?.user.clone();
    let id = ctx.uuid_param("id")?;
    app.store.delete_job(&user, id).await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

/// `GET /v1/jobs/{id}`.
pub async fn get(app: &Arc<App>, ctx: &Ctx, _: Request<Incoming>) -> HttpResult<Response<Body>> {
    let user = ctx.user()?.user.clone();
    let id = ctx.uuid_param("id")?;
    let job = app.store.get_job(&user, id).await?;
    json(StatusCode::OK, &resource::job(&job, true))
}

/// Read and identify a description; keywords are not extracted yet, so a
/// repeated description costs only a hash.
async fn read_job(ctx: &Ctx, owner: &str, req: Request<Incoming>) -> HttpResult<NewJob> {
    let declared = content_type(req.headers());
    let (_, body) = read_body(req, MAX_JOB_BYTES).await?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(HttpError::bad_request(
            "the job description is empty: send its text (text/plain or text/markdown) or a JSON Resume job (application/json)",
        ));
    }
    let format = match declared.as_deref() {
        Some("application/json") => JobFormat::JsonResumeJob,
        Some("text/markdown" | "text/x-markdown") => JobFormat::Markdown,
        Some("text/plain") => JobFormat::Text,
        // curl -d labels everything as a form; the body decides.
        None | Some("application/x-www-form-urlencoded" | "application/octet-stream") => {
            if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
                JobFormat::JsonResumeJob
            } else {
                JobFormat::Text
            }
        }
        Some(other) => {
            return Err(HttpError::new(
                ErrorCode::UnsupportedMediaType,
                format!(
                    "a job description is text/plain, text/markdown or application/json (the JSON Resume job schema), not {other}"
                ),
            ))
        }
    };
    let body = String::from_utf8(body.to_vec()).map_err(|e| {
        HttpError::bad_request(format!(
            "the job description is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    let title = ctx
        .query("title")
        .map(vitae_common::clean::clean_name)
        .filter(|t| !t.is_empty());
    let format_name = format_name(format);
    let content_hash = crate::digest::sha256_hex(&[
        format_name.as_bytes(),
        b"\0",
        title.as_deref().unwrap_or("").as_bytes(),
        b"\0",
        body.as_bytes(),
    ]);
    Ok(NewJob {
        owner: owner.to_string(),
        title: title.unwrap_or_default(),
        company: None,
        format: format_name.to_string(),
        body,
        text: String::new(),
        keywords: Default::default(),
        content_hash,
    })
}

fn format_name(format: JobFormat) -> &'static str {
    match format {
        JobFormat::Text => "text",
        JobFormat::Markdown => "markdown",
        JobFormat::JsonResumeJob => "json",
    }
}

/// Parse the description and extract its keywords.
fn extract(mut new: NewJob) -> HttpResult<NewJob> {
    let format = match new.format.as_str() {
        "json" => JobFormat::JsonResumeJob,
        "markdown" => JobFormat::Markdown,
        _ => JobFormat::Text,
    };
    let posting = vitae_tailor::parse_job(new.body.as_bytes(), format).map_err(|e| {
        use vitae_tailor::JobError;
        // Unreadable bodies are 400, like every other endpoint's broken
        // JSON; readable JSON that is not a job is 422.
        match e {
            JobError::NotUtf8 { .. } | JobError::Empty | JobError::InvalidJson { .. } => {
                HttpError::bad_request(e.to_string())
            }
            _ => HttpError::unprocessable(e.to_string()),
        }
    })?;
    new.keywords = vitae_tailor::extract_keywords(&posting);
    // A title is a name: it becomes part of a tailored resume's filename
    // and origin, so it is cleaned like one (one line, at most 200
    // characters); a title that cleans to nothing is no title.
    if new.title.is_empty() {
        new.title = posting
            .title
            .as_deref()
            .map(vitae_common::clean::clean_name)
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "Untitled job".to_string());
    }
    new.company = posting
        .company
        .as_deref()
        .map(vitae_common::clean::clean_name)
        .filter(|c| !c.is_empty());
    new.text = posting.text;
    Ok(new)
}
