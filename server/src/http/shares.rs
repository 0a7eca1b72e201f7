//! Share links: create, list, revoke, and the public page at `/s/{token}`.
//!
//! The public page needs no token of ours: the share token is the
//! credential. Every form shows the resume's public view
//! (`render::public_view`: what the page shows, no private keys). It
//! answers HTML (the page from `render::share_html`: escaped, no script, a
//! strict CSP), JSON (the public view) or Markdown, by
//! `?format=html|json|md` or else by `Accept`, or the PDF or
//! DOCX in the template chosen when the link was made (`?format=pdf|docx`,
//! rendered and cached like any export). The first three are rendered off
//! the async workers and cached per link, revision and form
//! ([`crate::share_pages`]). A successful view counts once per client per
//! hour, in memory, stored in batches ([`crate::store::views`]). Unknown
//! tokens are 404; expired or revoked ones 410: a small HTML page when the
//! client asked for HTML by name, the JSON error body otherwise; every
//! error answer carries `Cache-Control: no-store` ([`protect_error`]).

use std::sync::{Arc, LazyLock};

use base64::Engine;
use bytes::Bytes;
use chrono::{DateTime, Duration, Utc};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ACCEPT, CACHE_CONTROL, CONTENT_TYPE};
use hyper::{Request, Response, StatusCode};
use sha2::{Digest, Sha256};
use vitae_common::export::{ExportFormat, ExportRequest};
use vitae_common::{render, ChangeEvent, CreateShare, ErrorCode, Resume, ShareList, Status};

use super::body::{parse_optional_json, read_body, require_json};
use super::error::{HttpError, HttpResult};
use super::response::{full, json, json_encoded};
use super::{App, Body, Ctx};
use crate::resource;
use crate::share_pages::{Form, PageKey};
use crate::store::{RawDocument, ResumeRecord, ShareLayout};

fn share_change(kind: &str, resume_id: &str, token: &str) -> ChangeEvent {
    ChangeEvent {
        kind: kind.into(),
        resume_id: resume_id.into(),
        status: None,
        share_token: Some(token.into()),
        at: resource::time(crate::store::now()),
    }
}

/// When a share asked for by `request` expires, checked against the limits.
fn expiry(
    request: &CreateShare,
    now: DateTime<Utc>,
    default_days: u32,
    max_days: u32,
) -> HttpResult<DateTime<Utc>> {
    let latest = now + Duration::days(i64::from(max_days));
    match (request.expires_in_days, request.expires_at.as_deref()) {
        (Some(_), Some(_)) => Err(HttpError::unprocessable(
            "give either expires_in_days or expires_at, not both",
        )),
        (Some(days), None) if days == 0 || days > max_days => Err(HttpError::unprocessable(
            format!("expires_in_days must be between 1 and {max_days}, got {days}"),
        )),
        (Some(days), None) => Ok(now + Duration::days(i64::from(days))),
        (None, None) => Ok(now + Duration::days(i64::from(default_days))),
        (None, Some(at)) => {
            let at = DateTime::parse_from_rfc3339(at)
                .map_err(|e| {
                    HttpError::bad_request(format!(
                        "expires_at {at:?} is not an RFC 3339 time ({e}): send one like \
                         \"2026-12-01T00:00:00Z\", or expires_in_days instead"
                    ))
                })?
                .with_timezone(&Utc);
            if at <= now {
                Err(HttpError::unprocessable("expires_at must be in the future"))
            } else if at > latest {
                Err(HttpError::unprocessable(format!(
                    "expires_at is more than {max_days} days away"
                )))
            } else {
                Ok(at)
            }
        }
    }
}

/// The template and options the link's PDF and DOCX use, checked now so a
/// link never carries a layout that cannot render.
fn layout(app: &App, request: &CreateShare) -> HttpResult<ShareLayout> {
    let layout = ShareLayout {
        template: request
            .template
            .clone()
            .unwrap_or_else(|| vitae_common::export::DEFAULT_TEMPLATE.to_string()),
        options: request.options.clone().unwrap_or_default(),
    };
    let probe = ExportRequest {
        options: layout.options.clone(),
        ..ExportRequest::new(ExportFormat::Pdf, &layout.template)
    };
    app.exporter.validate(&probe)?;
    Ok(layout)
}

/// `POST /v1/resumes/{id}/shares`.
pub async fn create(
    app: &Arc<App>,
    ctx: &Ctx,
    req: Request<Incoming>,
) -> HttpResult<Response<Body>> {
    let user = ctx.user()?;
    let id = ctx.uuid_param("id")?;
    require_json(req.headers(), &[])?;
    let (_, body) = read_body(req, 64 * 1024).await?;
    let request: CreateShare = parse_optional_json(&body)?;
    let now = crate::store::now();
    let expires_at = expiry(
        &request,
        now,
        app.config.share_default_days,
        app.config.share_max_days,
    )?;
    let layout = layout(app, &request)?;
    let resume = app.store.get_resume(&user.user, id).await?;
    if resume.record.status != Status::Ready {
        return Err(HttpError::new(
            ErrorCode::Conflict,
            format!(
                "resume {id} is {}; only a ready resume can be shared",
                resume.record.status
            ),
        ));
    }
    let share = app
        .store
        .create_share(&user.user, id, expires_at, layout)
        .await?;
    app.hub.publish_change(
        &user.user,
        &share_change("share.created", &share.resume_id.to_string(), &share.token),
    );
    json(
        StatusCode::CREATED,
        &resource::share(&share, &app.public_url),
    )
}

/// `GET /v1/resumes/{id}/shares`: one page ([`super::paging`]).
pub async fn list(app: &Arc<App>, ctx: &Ctx, _: Request<Incoming>) -> HttpResult<Response<Body>> {
    let user = ctx.user()?;
    let id = ctx.uuid_param("id")?;
    let scope = super::paging::Scope {
        list: super::paging::List::Shares,
        owner: &user.user,
        resume: Some(id),
    };
    let page = super::paging::Request::from_query(ctx)?.by_creation(&scope)?;
    let paged = app.store.shares_page(&user.user, id, page).await?;
    json(
        StatusCode::OK,
        &ShareList {
            shares: paged
                .items
                .iter()
                .map(|s| resource::share(s, &app.public_url))
                .collect(),
            next_cursor: paged
                .next
                .map(|at| scope.cursor(&super::paging::creation_position(&at))),
        },
    )
}

/// `DELETE /v1/shares/{token}`.
pub async fn revoke(app: &Arc<App>, ctx: &Ctx, _: Request<Incoming>) -> HttpResult<Response<Body>> {
    let user = ctx.user()?;
    let share = app
        .store
        .revoke_share(&user.user, ctx.param("token"))
        .await?;
    app.hub.publish_change(
        &user.user,
        &share_change("share.revoked", &share.resume_id.to_string(), &share.token),
    );
    json(StatusCode::OK, &resource::share(&share, &app.public_url))
}

/// The page's CSP: nothing may load; the one inline style is allowed by hash.
static SHARE_PAGE_CSP: LazyLock<String> = LazyLock::new(|| {
    let digest = Sha256::digest(render::HTML_STYLE.as_bytes());
    let hash = base64::engine::general_purpose::STANDARD.encode(digest);
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
});

#[derive(Debug, Clone, Copy, PartialEq)]
enum Representation {
    Html,
    Json,
    Markdown,
    /// The PDF or DOCX in the share's template (`?format=pdf|docx` only).
    Typeset(ExportFormat),
}

/// The media types named in `Accept`, in order, lower-cased, without the
/// ones refused outright with `q=0`.
fn accepted(accept: &str) -> impl Iterator<Item = String> + '_ {
    accept.split(',').filter_map(|item| {
        let mut params = item.split(';');
        let media = params.next().unwrap_or("").trim().to_ascii_lowercase();
        let refused = params.any(|p| {
            p.split_once('=').is_some_and(|(k, v)| {
                k.trim().eq_ignore_ascii_case("q")
                    && v.trim().parse::<f32>().is_ok_and(|q| q == 0.0)
            })
        });
        (!media.is_empty() && !refused).then_some(media)
    })
}

/// Pick by the first media type of `Accept` we can serve; HTML otherwise.
fn negotiate(accept: &str) -> Representation {
    accepted(accept)
        .find_map(|media| match media.as_str() {
            "application/json" => Some(Representation::Json),
            "text/markdown" | "text/x-markdown" => Some(Representation::Markdown),
            "text/html" | "application/xhtml+xml" => Some(Representation::Html),
            _ => None,
        })
        .unwrap_or(Representation::Html)
}

/// `?format=`, which overrides `Accept` (the page's own links use it, and a
/// link cannot set a header). Absent is `None`; an unknown value is a 400.
fn format_param(ctx: &Ctx) -> HttpResult<Option<Representation>> {
    match ctx.query("format") {
        None => Ok(None),
        Some("html") => Ok(Some(Representation::Html)),
        Some("json") => Ok(Some(Representation::Json)),
        Some("md") => Ok(Some(Representation::Markdown)),
        Some("pdf") => Ok(Some(Representation::Typeset(ExportFormat::Pdf))),
        Some("docx") => Ok(Some(Representation::Typeset(ExportFormat::Docx))),
        Some(other) => Err(HttpError::bad_request(format!(
            "unknown format {other:?}: use html, json, md, pdf or docx"
        ))),
    }
}

/// Whether a failed view should answer a page rather than the JSON error:
/// only when the client asked for HTML in so many words (`?format=html`, or
/// `text/html` named in `Accept`). `curl`'s `*/*`, no `Accept` and scripts
/// keep the JSON error body every other endpoint answers.
fn wants_html_errors(format: Option<Representation>, accept: &str) -> bool {
    match format {
        Some(f) => f == Representation::Html,
        None => accepted(accept).any(|media| media == "text/html"),
    }
}

/// Headers on every answer of the public view, pages and errors alike.
fn protect(headers: &mut hyper::HeaderMap, html: bool) {
    if html {
        if let Ok(csp) = HeaderValue::from_str(&SHARE_PAGE_CSP) {
            headers.insert("content-security-policy", csp);
        }
    }
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    // A revoked link must stop working at once, so nothing may cache it.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.append(hyper::header::VARY, HeaderValue::from_static("Accept"));
}

fn html_response(status: StatusCode, page: impl Into<Bytes>) -> Response<Body> {
    let mut r = Response::new(full(page));
    *r.status_mut() = status;
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    protect(r.headers_mut(), true);
    r
}

/// The page a browser gets instead of a resume: the same words for every
/// reason in a class, since the visitor can do one thing about it.
fn notice(error: &HttpError) -> Option<Response<Body>> {
    let (status, heading, message) = match error.code {
        ErrorCode::NotFound => (
            StatusCode::NOT_FOUND,
            "No resume at this link",
            "Check that the address is complete, or ask the person who shared it for a new link.",
        ),
        ErrorCode::Gone => (
            StatusCode::GONE,
            "This link has expired or was revoked",
            "Ask the person who shared it for a new one.",
        ),
        _ => return None,
    };
    Some(html_response(status, render::notice_html(heading, message)))
}

/// Headers on every error answer of `/s/`, whichever layer made it (a bad
/// `?format=`, a rate-limit refusal, an unknown token, a method the route
/// does not take): 404 and 410 are cacheable by default, and no error of a
/// link may be kept by a cache, nor be handed to a browser for another form.
pub fn protect_error(headers: &mut hyper::HeaderMap) {
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if !headers
        .get_all(hyper::header::VARY)
        .iter()
        .any(|v| v.as_bytes().eq_ignore_ascii_case(b"accept"))
    {
        headers.append(hyper::header::VARY, HeaderValue::from_static("Accept"));
    }
}

/// `GET /s/{token}`: the public view. Views are rate-limited per client
/// address before anything else, so scanning for tokens stays slow.
///
/// The HTML, JSON and Markdown bodies come from [`crate::share_pages`]:
/// rendered once per link, revision and form on the blocking pool, so a
/// crowd of anonymous views costs a cache lookup each, and the async
/// workers stay free for everyone else. A view counts once per client per
/// hour, in memory ([`crate::store::views`]): no write on the request path.
pub async fn view(app: &Arc<App>, ctx: &Ctx, req: Request<Incoming>) -> HttpResult<Response<Body>> {
    app.admission
        .share_views
        .check(ctx.client)
        .map_err(|refusal| {
            HttpError::from(refusal).with_message(
                "too many share-link views from your address; wait as long as Retry-After says",
            )
        })?;
    let token = ctx.param("token");
    let accept = req
        .headers()
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // Checked before the lookup, so a malformed request counts no view.
    let format = format_param(ctx)?;
    let representation = format.unwrap_or_else(|| negotiate(accept));
    let shared = match app
        .store
        .access_share(token, ctx.client, crate::store::now())
        .await
    {
        Ok(shared) => shared,
        Err(error) => {
            let error = HttpError::from(error);
            if wants_html_errors(format, accept) {
                if let Some(page) = notice(&error) {
                    return Ok(page);
                }
            }
            // `dispatch` adds `Cache-Control: no-store` to every /s/ error.
            return Err(error);
        }
    };
    // A view is a read: DEBUG, like the request line of any other read.
    tracing::debug!(resume = %shared.resume.id, views = shared.share.access_count, "share viewed");
    let form = match representation {
        Representation::Typeset(format) => {
            let request = ExportRequest {
                options: shared.share.layout.options.clone(),
                ..ExportRequest::new(format, &shared.share.layout.template)
            };
            // Reading a large document is work: it goes to the blocking
            // pool like every other share rendering.
            let resume = shared.resume.clone();
            let named = request.clone();
            let (document, filename) = app
                .offload
                .run("share download", move || {
                    let document = public_document(&resume).to_string();
                    let filename =
                        super::exports::file_name_for(&document, &resume.filename, &named);
                    (document, filename)
                })
                .await?;
            let file = super::exports::render_any(
                app,
                &shared.share.owner,
                shared.resume.id,
                &document,
                &request,
            )
            .await?;
            let mut response = super::exports::file_response(&req, file, &filename, true);
            protect(response.headers_mut(), false);
            return Ok(response);
        }
        Representation::Json => Form::Json,
        Representation::Markdown => Form::Markdown,
        Representation::Html => Form::Html,
    };
    let key = PageKey {
        share: crate::store::views::share_key(token),
        revision: shared.resume.revision,
        updated_ms: shared.resume.updated_at.timestamp_millis(),
        form,
    };
    let resume = shared.resume.clone();
    let body = app
        .share_pages
        .get_or_render(&app.offload, key, move || render_page(&resume, form))
        .await?;
    let mut response = match form {
        Form::Html => return Ok(html_response(StatusCode::OK, body)),
        Form::Json => json_encoded(StatusCode::OK, body),
        Form::Markdown => {
            let mut r = Response::new(full(body));
            r.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/markdown; charset=utf-8"),
            );
            r
        }
    };
    protect(response.headers_mut(), false);
    Ok(response)
}

/// The resume's public view ([`render::public_view`]): what the page
/// shows, and no more (no street address, no unknown private keys). Every
/// form of a share is made from it.
fn public_document(resume: &ResumeRecord<RawDocument>) -> serde_json::Value {
    render::public_view(
        &resume
            .document
            .as_deref()
            .and_then(|raw| serde_json::from_str(raw.get()).ok())
            .unwrap_or_default(),
    )
}

/// The body of a share page in `form` (runs on the blocking pool): JSON is
/// the public view; the pages render it.
fn render_page(resume: &ResumeRecord<RawDocument>, form: Form) -> Bytes {
    let public = public_document(resume);
    let document = || -> Resume { Resume::from_value(public.clone()).unwrap_or_default() };
    match form {
        Form::Json => Bytes::from(public.to_string()),
        Form::Markdown => Bytes::from(render::markdown(&document())),
        Form::Html => Bytes::from(render::share_html(&document())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_picks_the_representation() {
        assert_eq!(negotiate(""), Representation::Html);
        assert_eq!(
            negotiate("text/html,application/xhtml+xml,*/*;q=0.8"),
            Representation::Html
        );
        assert_eq!(negotiate("application/json"), Representation::Json);
        assert_eq!(
            negotiate("text/markdown; charset=utf-8"),
            Representation::Markdown
        );
        assert_eq!(
            negotiate("image/png, application/json"),
            Representation::Json
        );
    }

    #[test]
    fn accept_refusals_and_parameters() {
        assert_eq!(
            negotiate("application/json;q=0, text/markdown"),
            Representation::Markdown
        );
        assert_eq!(negotiate("*/*"), Representation::Html);
        assert_eq!(negotiate("TEXT/MARKDOWN"), Representation::Markdown);
    }

    fn ctx_with_query(query: &[(&str, &str)]) -> Ctx {
        Ctx {
            client: std::net::IpAddr::from([127, 0, 0, 1]),
            params: Vec::new(),
            query: query
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            principal: None,
        }
    }

    #[test]
    fn the_format_parameter_names_five_forms() {
        let format = |v| format_param(&ctx_with_query(&[("format", v)]));
        assert_eq!(format("html").unwrap(), Some(Representation::Html));
        assert_eq!(format("json").unwrap(), Some(Representation::Json));
        assert_eq!(format("md").unwrap(), Some(Representation::Markdown));
        assert_eq!(
            format("pdf").unwrap(),
            Some(Representation::Typeset(ExportFormat::Pdf))
        );
        assert_eq!(
            format("docx").unwrap(),
            Some(Representation::Typeset(ExportFormat::Docx))
        );
        assert_eq!(format_param(&ctx_with_query(&[])).unwrap(), None);
        for bad in ["", "png", "HTML", "markdown", "<script>"] {
            let err = format(bad).unwrap_err();
            assert_eq!(err.code, ErrorCode::BadRequest);
            assert!(
                err.message.contains("html, json, md, pdf or docx"),
                "{}",
                err.message
            );
        }
    }

    #[test]
    fn html_errors_only_when_html_is_asked_for_by_name() {
        assert!(wants_html_errors(Some(Representation::Html), ""));
        assert!(!wants_html_errors(Some(Representation::Json), "text/html"));
        assert!(wants_html_errors(
            None,
            "text/html,application/xhtml+xml,*/*;q=0.8"
        ));
        assert!(wants_html_errors(None, "application/json, text/html;q=0.5"));
        assert!(!wants_html_errors(None, ""));
        assert!(!wants_html_errors(None, "*/*"));
        assert!(!wants_html_errors(None, "application/json"));
        assert!(!wants_html_errors(None, "text/html;q=0"));
    }

    #[test]
    fn the_notice_pages_answer_the_right_status() {
        let page = notice(&HttpError::not_found("share")).unwrap();
        assert_eq!(page.status(), StatusCode::NOT_FOUND);
        let page = notice(&HttpError::new(ErrorCode::Gone, "expired")).unwrap();
        assert_eq!(page.status(), StatusCode::GONE);
        let h = page.headers();
        assert_eq!(h[CACHE_CONTROL], "no-store");
        assert_eq!(h["content-security-policy"], SHARE_PAGE_CSP.as_str());
        assert!(notice(&HttpError::internal("testing", "x")).is_none());
    }

    #[test]
    fn expiry_limits() {
        let now = Utc::now();
        let ask = |days: Option<u32>, at: Option<String>| {
            expiry(
                &CreateShare {
                    expires_in_days: days,
                    expires_at: at,
                    ..CreateShare::default()
                },
                now,
                30,
                365,
            )
        };
        assert_eq!(ask(None, None).unwrap(), now + Duration::days(30));
        assert_eq!(ask(Some(7), None).unwrap(), now + Duration::days(7));
        assert!(ask(Some(0), None).is_err());
        assert!(ask(Some(366), None).is_err());
        assert!(ask(None, Some("yesterday".into())).is_err());
        let soon = (now + Duration::seconds(5)).to_rfc3339();
        assert!(ask(None, Some(soon)).is_ok());
        let past = (now - Duration::seconds(5)).to_rfc3339();
        assert_eq!(
            ask(None, Some(past)).unwrap_err().code,
            ErrorCode::Unprocessable
        );
    }

    #[test]
    fn the_csp_allows_exactly_the_page_style() {
        let hash = base64::engine::general_purpose::STANDARD
            .encode(Sha256::digest(render::HTML_STYLE.as_bytes()));
        assert_eq!(
            *SHARE_PAGE_CSP,
            format!("default-src 'none'; style-src 'sha256-{hash}'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
        );
    }
}
