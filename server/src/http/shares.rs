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
//!
//! Links made with options ([`create`]): `"password"` (401 until proven:
//! HTTP Basic with an empty user, or the password form, `POST /s/{token}`
//! ([`unlock`]), which sets a cookie for that one link; see
//! [`crate::share_lock`]); `"hide"` (fields and sections removed from the
//! public view, so from every form); `"pin"`/`"revision"` (the link shows
//! one revision, whatever happens to the resume later); `"label"`; and
//! `"allow_download": false` (the page only: every other form is 403).
//! `GET /v1/shares/{token}` ([`get`]) answers one link with its views per
//! day and form. Share URLs use `--public-url`, else the request's own
//! host ([`share_url`]), and `/{token}` when the root alias is on.

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

use super::body::{content_type, parse_optional_json, read_body, require_json};
use super::error::{HttpError, HttpResult};
use super::response::{full, json, json_encoded};
use super::{App, Body, Ctx, RequestSite};
use crate::resource;
use crate::share_lock;
use crate::share_pages::{Form, PageKey};
use crate::store::{NewShare, ShareLayout, ShareSettings, StoreError};

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

/// The most characters a label keeps.
pub const MAX_LABEL_CHARS: usize = 200;

/// The owner's choices of a new link, checked: label, pin, redaction,
/// downloads; and whether the password (hashed later, off the async
/// workers) is acceptable. Every refusal says what to send instead.
fn settings(request: &CreateShare) -> HttpResult<(ShareSettings, bool)> {
    let label = match request.label.as_deref() {
        None => None,
        Some(raw) => {
            let chars = raw.chars().count();
            if chars > MAX_LABEL_CHARS {
                return Err(HttpError::bad_request(format!(
                    "label is {chars} characters long; give at most {MAX_LABEL_CHARS}"
                )));
            }
            Some(vitae_common::clean::clean_name(raw)).filter(|l| !l.is_empty())
        }
    };
    let pin = request.pin.unwrap_or(false);
    if pin && request.revision.is_some() {
        return Err(HttpError::bad_request(
            "give either \"pin\": true (the current revision) or \"revision\": N, not both",
        ));
    }
    if request.revision == Some(0) {
        return Err(HttpError::bad_request(
            "revision 0 does not exist: revisions count from 1 (see GET /v1/resumes/{id}/revisions)",
        ));
    }
    let mut hide: Vec<String> = Vec::new();
    for name in request.hide.iter().flatten() {
        if !render::is_hideable(name) {
            return Err(HttpError::bad_request(format!(
                "hide: {} is not a field a link can hide; use any of {}",
                super::quote_capped(name),
                render::hideable().join(", ")
            )));
        }
        if !hide.contains(name) {
            hide.push(name.clone());
        }
    }
    // One order for the same choice, whatever order it was sent in.
    let order = render::hideable();
    hide.sort_by_key(|name| order.iter().position(|n| *n == name.as_str()));
    if let Some(password) = &request.password {
        if password.is_empty() {
            return Err(HttpError::bad_request(
                "password is empty: give the password recipients must type, or leave it out",
            ));
        }
        let chars = password.chars().count();
        if chars > share_lock::MAX_PASSWORD_CHARS {
            return Err(HttpError::bad_request(format!(
                "password is {chars} characters long; give at most {}",
                share_lock::MAX_PASSWORD_CHARS
            )));
        }
    }
    let settings = ShareSettings {
        label,
        pinned_revision: request.revision,
        hide,
        allow_download: request.allow_download.unwrap_or(true),
        password_hash: None,
    };
    Ok((settings, pin))
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
    let site = site(&req);
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
    let (mut settings, pin_current) = settings(&request)?;
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
    if let Some(password) = request.password.clone() {
        let hash = app
            .offload
            .run("hashing a share password", move || {
                share_lock::hash_password(&password)
            })
            .await?
            .map_err(|e| HttpError::internal("hashing a share password", e))?;
        settings.password_hash = Some(hash);
    }
    let pinned = settings.pinned_revision;
    let new = NewShare {
        expires_at,
        layout,
        settings,
        pin_current,
    };
    let share = match app.store.create_share_with(&user.user, id, new).await {
        Err(StoreError::NotFound("revision")) => {
            return Err(HttpError::new(
                ErrorCode::NotFound,
                format!(
                    "resume {id} has no revision {}: see GET /v1/resumes/{id}/revisions for the ones it keeps",
                    pinned.unwrap_or_default()
                ),
            ))
        }
        other => other?,
    };
    app.hub.publish_change(
        &user.user,
        &share_change("share.created", &share.resume_id.to_string(), &share.token),
    );
    json(
        StatusCode::CREATED,
        &resource::share_at(&share, &share_url(app, &site, &share.token)),
    )
}

/// The request's [`RequestSite`] (set by `dispatch`; the default when a
/// test builds a request without it).
fn site<B>(req: &Request<B>) -> RequestSite {
    req.extensions()
        .get::<RequestSite>()
        .cloned()
        .unwrap_or_default()
}

/// A `Host` value fit for a link: `name[:port]` or `[v6][:port]`, not the
/// unspecified address, nothing else (no user info, path or spaces).
fn usable_host(host: &str) -> Option<String> {
    let host = host.trim().to_ascii_lowercase();
    let (name, port) = match host.strip_prefix('[') {
        Some(rest) => {
            let (v6, after) = rest.split_once(']')?;
            let ip: std::net::Ipv6Addr = v6.parse().ok()?;
            if ip.is_unspecified() {
                return None;
            }
            let port = match after {
                "" => None,
                more => Some(more.strip_prefix(':')?),
            };
            (None, port)
        }
        None => match host.rsplit_once(':') {
            Some((name, port)) => (Some(name), Some(port)),
            None => (Some(host.as_str()), None),
        },
    };
    if port.is_some_and(|p| p.parse::<u16>().map_or(true, |p| p == 0)) {
        return None;
    }
    if let Some(name) = name {
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        if name.len() > 253 || !name.split('.').all(label_ok) {
            return None;
        }
        if name
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_unspecified())
        {
            return None;
        }
    }
    Some(host.clone())
}

/// Where a link lives: `--public-url` when set; else the request's own
/// scheme and host ([`RequestSite`], when it is a usable host); else the
/// listen address (never 0.0.0.0: see `serve`). `/s/{token}`, or
/// `/{token}` with the root alias on.
pub fn share_url(app: &App, site: &RequestSite, token: &str) -> String {
    let base = match (
        &app.config.public_url,
        site.host.as_deref().and_then(usable_host),
    ) {
        (Some(configured), _) => configured.clone(),
        (None, Some(host)) => {
            format!("{}://{host}", if site.https { "https" } else { "http" })
        }
        (None, None) => app.public_url.clone(),
    };
    if app.config.share_root_alias {
        format!("{base}/{token}")
    } else {
        format!("{base}/s/{token}")
    }
}

/// `GET /v1/shares/{token}`: one of the caller's links with its views per
/// UTC day and form (the last 400 days).
pub async fn get(app: &Arc<App>, ctx: &Ctx, req: Request<Incoming>) -> HttpResult<Response<Body>> {
    let user = ctx.user()?;
    let (share, days) = app
        .store
        .share_history(&user.user, ctx.param("token"))
        .await?;
    let site = site(&req);
    let resource = resource::share_at(&share, &share_url(app, &site, &share.token));
    let views = days
        .into_iter()
        .map(|d| vitae_common::ShareDayViews {
            day: d.day.format("%Y-%m-%d").to_string(),
            total: d.forms.values().sum(),
            formats: d.forms,
        })
        .collect();
    json(
        StatusCode::OK,
        &vitae_common::ShareDetail {
            share: resource,
            views,
        },
    )
}

/// `GET /v1/resumes/{id}/shares`: one page ([`super::paging`]).
pub async fn list(app: &Arc<App>, ctx: &Ctx, req: Request<Incoming>) -> HttpResult<Response<Body>> {
    let user = ctx.user()?;
    let id = ctx.uuid_param("id")?;
    let scope = super::paging::Scope {
        list: super::paging::List::Shares,
        owner: &user.user,
        resume: Some(id),
    };
    let page = super::paging::Request::from_query(ctx)?.by_creation(&scope)?;
    let paged = app.store.shares_page(&user.user, id, page).await?;
    let site = site(&req);
    json(
        StatusCode::OK,
        &ShareList {
            shares: paged
                .items
                .iter()
                .map(|s| resource::share_at(s, &share_url(app, &site, &s.token)))
                .collect(),
            next_cursor: paged
                .next
                .map(|at| scope.cursor(&super::paging::creation_position(&at))),
        },
    )
}

/// `DELETE /v1/shares/{token}`.
pub async fn revoke(
    app: &Arc<App>,
    ctx: &Ctx,
    req: Request<Incoming>,
) -> HttpResult<Response<Body>> {
    let user = ctx.user()?;
    let share = app
        .store
        .revoke_share(&user.user, ctx.param("token"))
        .await?;
    app.hub.publish_change(
        &user.user,
        &share_change("share.revoked", &share.resume_id.to_string(), &share.token),
    );
    let url = share_url(app, &site(&req), &share.token);
    json(StatusCode::OK, &resource::share_at(&share, &url))
}

/// The page's CSP: nothing may load; the one inline style is allowed by hash.
static SHARE_PAGE_CSP: LazyLock<String> = LazyLock::new(|| page_csp("'none'"));

/// The password form's CSP: the page's, except that the form may post to
/// this origin (its own address).
static PASSWORD_PAGE_CSP: LazyLock<String> = LazyLock::new(|| page_csp("'self'"));

fn page_csp(form_action: &str) -> String {
    let digest = Sha256::digest(render::HTML_STYLE.as_bytes());
    let hash = base64::engine::general_purpose::STANDARD.encode(digest);
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; img-src 'none'; base-uri 'none'; form-action {form_action}; frame-ancestors 'none'"
    )
}

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
/// A link with a password answers 401 until the request proves it: the
/// link's cookie ([`unlock`]) or HTTP Basic (checked off the async workers,
/// wrong ones limited per client and per link: [`crate::share_lock`]). A
/// password sent to a link that does not exist or no longer works gets the
/// very answer a wrong one gets. Then a link without downloads answers 403
/// to every form but the page, and only then does the view count.
///
/// The HTML, JSON and Markdown bodies come from [`crate::share_pages`]:
/// rendered once per link, revision and form on the blocking pool, so a
/// crowd of anonymous views costs a cache lookup each, and the async
/// workers stay free for everyone else. A view counts once per client per
/// hour, in memory ([`crate::store::views`]): no write on the request path.
pub async fn view(app: &Arc<App>, ctx: &Ctx, req: Request<Incoming>) -> HttpResult<Response<Body>> {
    check_view_rate(app, ctx)?;
    let token = ctx.param("token");
    let accept = req
        .headers()
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // Checked before the lookup, so a malformed request counts no view.
    let format = format_param(ctx)?;
    let representation = format.unwrap_or_else(|| negotiate(accept));
    let basic = share_lock::basic_password(req.headers());
    let now = crate::store::now();
    let key = crate::store::views::share_key(token);
    let mut shared = match app.store.open_share(token, now).await {
        Ok(shared) => shared,
        Err(error) => {
            if let Some(sent) = basic {
                // No hint whether the link exists: the wrong-password answer.
                return Err(check_password(app, &key, ctx.client, None, sent)
                    .await
                    .err()
                    .unwrap_or_else(wrong_password));
            }
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
    if let Some(hash) = shared.share.settings.password_hash.clone() {
        let by_cookie = share_lock::cookie_value(req.headers())
            .is_some_and(|value| app.share_locks.cookie_opens(&value, &key, &hash, now));
        if !by_cookie {
            match basic {
                Some(sent) => check_password(app, &key, ctx.client, Some(hash), sent).await?,
                None if wants_html_errors(format, accept) => {
                    return Ok(password_page(StatusCode::UNAUTHORIZED, false));
                }
                None => {
                    return Err(HttpError::new(
                        ErrorCode::Unauthorized,
                        "this link asks for a password: send it as HTTP Basic with an empty user \
                         name (`curl -u :PASSWORD`), or open the link in a browser",
                    )
                    .with_header("www-authenticate", BASIC_CHALLENGE));
                }
            }
        }
    }
    if !shared.share.settings.allow_download && representation != Representation::Html {
        return Err(HttpError::new(
            ErrorCode::Forbidden,
            "downloads are off for this link: only its page is shared (?format=html, or open it in a browser)",
        ));
    }
    app.store.count_share_view(
        token,
        ctx.client,
        now,
        form_name(representation),
        &mut shared.share,
    );
    // A view is a read: DEBUG, like the request line of any other read.
    tracing::debug!(resume = %shared.resume.id, views = shared.share.access_count, "share viewed");
    let settings = shared.share.settings.clone();
    // A pinned link shows its revision (the current one needs no lookup).
    let pinned = settings
        .pinned_revision
        .filter(|n| *n != shared.resume.revision);
    let form = match representation {
        Representation::Typeset(format) => {
            let request = ExportRequest {
                options: shared.share.layout.options.clone(),
                ..ExportRequest::new(format, &shared.share.layout.template)
            };
            // Reading a large document (and the revision of a pinned link)
            // is work: it goes to the blocking pool like every other share
            // rendering.
            let source = load_source(app, &shared, pinned).await?;
            let hide = settings.hide.clone();
            let upload_name = shared.resume.filename.clone();
            let named = request.clone();
            let (document, filename) = app
                .offload
                .run("share download", move || {
                    let document =
                        render::public_view_hiding(&source.document(), &hide).to_string();
                    let filename = super::exports::file_name_for(&document, &upload_name, &named);
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
    let page_key = PageKey {
        share: key,
        revision: pinned.unwrap_or(shared.resume.revision),
        updated_ms: match pinned {
            // A kept revision never changes.
            Some(_) => 0,
            None => shared.resume.updated_at.timestamp_millis(),
        },
        form,
    };
    let body = match app.share_pages.cached(&page_key) {
        Some(body) => body,
        None => {
            let source = load_source(app, &shared, pinned).await?;
            app.share_pages
                .get_or_render(&app.offload, page_key, move || {
                    render_page(&source.document(), &settings, form)
                })
                .await?
        }
    };
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

/// `POST /s/{token}`: the password form's answer. The right password is a
/// `303 See Other` back to the page with a cookie that opens this one link
/// (`Path` = the link's path) until it expires: `HttpOnly`,
/// `SameSite=Strict`, `Secure` when the request came over https. A wrong
/// one, or a password for a link that does not exist or no longer works,
/// is the form again with 401. A link without a password just sends the
/// browser to its page.
pub async fn unlock(
    app: &Arc<App>,
    ctx: &Ctx,
    req: Request<Incoming>,
) -> HttpResult<Response<Body>> {
    check_view_rate(app, ctx)?;
    let token = ctx.param("token").to_string();
    match content_type(req.headers()).as_deref() {
        Some("application/x-www-form-urlencoded") => {}
        other => {
            return Err(HttpError::new(
                ErrorCode::UnsupportedMediaType,
                format!(
                    "send the password form (Content-Type: application/x-www-form-urlencoded, \
                     field `password`), not {}; scripts use HTTP Basic on GET instead",
                    other.unwrap_or("no Content-Type")
                ),
            ))
        }
    }
    let site = site(&req);
    let path = req.uri().path().to_string();
    let location = req
        .uri()
        .path_and_query()
        .map_or_else(|| path.clone(), |pq| pq.as_str().to_string());
    let (_, body) = read_body(req, 4 * 1024).await?;
    let password = form_urlencoded::parse(&body)
        .find(|(name, _)| name == "password")
        .map(|(_, value)| value.into_owned())
        .ok_or_else(|| {
            HttpError::bad_request("the form has no `password` field: send password=…")
        })?;
    let now = crate::store::now();
    let key = crate::store::views::share_key(&token);
    let opened = app.store.open_share(&token, now).await;
    let hash = match &opened {
        Ok(shared) => match &shared.share.settings.password_hash {
            Some(hash) => Some(hash.clone()),
            None => return Ok(see_other(&location, None)),
        },
        Err(_) => None,
    };
    match check_password(app, &key, ctx.client, hash.clone(), Ok(password)).await {
        Ok(()) => {
            let (Ok(shared), Some(hash)) = (&opened, hash) else {
                return Ok(password_page(StatusCode::UNAUTHORIZED, true));
            };
            let expires = shared.share.expires_at;
            let value = app.share_locks.cookie(&key, expires, &hash);
            let max_age = (expires - now).num_seconds().max(0);
            let mut cookie = format!(
                "{}={value}; Path={path}; Max-Age={max_age}; Expires={}; HttpOnly; SameSite=Strict",
                share_lock::COOKIE_NAME,
                expires.format("%a, %d %b %Y %H:%M:%S GMT"),
            );
            if site.https {
                cookie.push_str("; Secure");
            }
            Ok(see_other(&location, Some(&cookie)))
        }
        Err(error) if error.code == ErrorCode::TooManyRequests => {
            let mut page = html_response(
                StatusCode::TOO_MANY_REQUESTS,
                render::notice_html(
                    "Too many tries",
                    "Too many wrong passwords were sent for this link or from your address. Wait a minute, then try again.",
                ),
            );
            if let Some(after) = error.headers.iter().find(|(n, _)| *n == "retry-after") {
                page.headers_mut()
                    .insert("retry-after", super::response::header_value(&after.1));
            }
            Ok(page)
        }
        Err(_) => Ok(password_page(StatusCode::UNAUTHORIZED, true)),
    }
}

/// The challenge every password 401 of a script carries.
const BASIC_CHALLENGE: &str = "Basic realm=\"vitae share link\", charset=\"UTF-8\"";

/// The one answer to a password that opens nothing, whichever the reason.
fn wrong_password() -> HttpError {
    HttpError::new(
        ErrorCode::Unauthorized,
        "the password is not right, or this link does not exist or no longer works",
    )
    .with_header("www-authenticate", BASIC_CHALLENGE)
}

/// Check a password sent for the link filed under `key`: refused at once
/// (429) when the client or the link is over its tries; otherwise hashed
/// off the async workers against `hash` (the stand-in when the link does
/// not exist or no longer works, so that costs the same), and a miss is
/// counted against both and answered [`wrong_password`].
async fn check_password(
    app: &Arc<App>,
    key: &str,
    client: std::net::IpAddr,
    hash: Option<String>,
    sent: Result<String, ()>,
) -> HttpResult<()> {
    app.share_locks.may_try(key, client).map_err(|refusal| {
        HttpError::from(refusal).with_message(
            "too many wrong passwords for this link or from your address; wait as long as Retry-After says",
        )
    })?;
    let right = match sent {
        Ok(password) if password.len() <= share_lock::MAX_PASSWORD_BYTES => {
            app.offload
                .run("checking a share password", move || match hash {
                    Some(hash) => share_lock::verify_password(&hash, &password),
                    None => share_lock::verify_stand_in(&password),
                })
                .await?
        }
        _ => false,
    };
    if right {
        Ok(())
    } else {
        app.share_locks.failed(key, client);
        Err(wrong_password())
    }
}

/// Share-link requests per client address, before anything else.
fn check_view_rate(app: &App, ctx: &Ctx) -> HttpResult<()> {
    app.admission
        .share_views
        .check(ctx.client)
        .map_err(|refusal| {
            HttpError::from(refusal).with_message(
                "too many share-link views from your address; wait as long as Retry-After says",
            )
        })
}

/// The form a view is counted under in the link's history.
fn form_name(representation: Representation) -> &'static str {
    match representation {
        Representation::Html => "html",
        Representation::Json => "json",
        Representation::Markdown => "md",
        Representation::Typeset(ExportFormat::Docx) => "docx",
        Representation::Typeset(_) => "pdf",
    }
}

/// `303 See Other` to `location` (a path on this host), with a cookie.
fn see_other(location: &str, cookie: Option<&str>) -> Response<Body> {
    let mut r = Response::new(full(Bytes::new()));
    *r.status_mut() = StatusCode::SEE_OTHER;
    r.headers_mut().insert(
        hyper::header::LOCATION,
        super::response::header_value(location),
    );
    if let Some(cookie) = cookie {
        r.headers_mut().insert(
            hyper::header::SET_COOKIE,
            super::response::header_value(cookie),
        );
    }
    protect(r.headers_mut(), false);
    r
}

/// The password form ([`render::password_html`]) with `status`: the page's
/// CSP, but the form may post to this origin.
fn password_page(status: StatusCode, wrong: bool) -> Response<Body> {
    let mut r = html_response(status, render::password_html(wrong));
    if let Ok(csp) = HeaderValue::from_str(&PASSWORD_PAGE_CSP) {
        r.headers_mut().insert("content-security-policy", csp);
    }
    // Not `Basic`: a browser would put up its own dialog over the form.
    r.headers_mut().insert(
        "www-authenticate",
        HeaderValue::from_static("Form realm=\"vitae share link\""),
    );
    r
}

/// The document a view shows: the resume as it is now, or a kept revision.
enum Source {
    Live(Arc<crate::store::ResumeRecord<crate::store::RawDocument>>),
    Pinned(Box<Resume>),
}

impl Source {
    fn document(&self) -> serde_json::Value {
        match self {
            Source::Live(resume) => resume
                .document
                .as_deref()
                .and_then(|raw| serde_json::from_str(raw.get()).ok())
                .unwrap_or_default(),
            Source::Pinned(document) => serde_json::to_value(document).unwrap_or_default(),
        }
    }
}

async fn load_source(
    app: &App,
    shared: &crate::store::SharedView,
    pinned: Option<u64>,
) -> HttpResult<Source> {
    let Some(revision) = pinned else {
        return Ok(Source::Live(shared.resume.clone()));
    };
    let kept = app
        .store
        .get_revision(&shared.share.owner, shared.resume.id, revision)
        .await?;
    Ok(Source::Pinned(Box::new(kept.document.unwrap_or_default())))
}

/// The body of a share page in `form` (runs on the blocking pool): the
/// public view ([`render::public_view_hiding`]: what the page shows, less
/// what the link hides) as JSON, or the pages rendered from it.
fn render_page(document: &serde_json::Value, settings: &ShareSettings, form: Form) -> Bytes {
    let public = render::public_view_hiding(document, &settings.hide);
    let resume = || -> Resume { Resume::from_value(public.clone()).unwrap_or_default() };
    match form {
        Form::Json => Bytes::from(public.to_string()),
        Form::Markdown => Bytes::from(render::markdown(&resume())),
        Form::Html if settings.allow_download => Bytes::from(render::share_html(&resume())),
        Form::Html => Bytes::from(render::share_html_without_downloads(&resume())),
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
    fn share_settings_are_checked_and_say_what_to_send() {
        let ask = |request: CreateShare| settings(&request);
        let (plain, pin) = ask(CreateShare::default()).unwrap();
        assert_eq!(plain, ShareSettings::default());
        assert!(!pin);
        let (s, pin) = ask(CreateShare {
            label: Some("  Acme\nCorp\u{202e} ".into()),
            pin: Some(true),
            hide: Some(vec!["references".into(), "phone".into(), "phone".into()]),
            allow_download: Some(false),
            password: Some("pw".into()),
            ..CreateShare::default()
        })
        .unwrap();
        assert!(pin);
        assert_eq!(s.label.as_deref(), Some("Acme Corp"));
        assert_eq!(s.hide, vec!["phone".to_string(), "references".to_string()]);
        assert!(!s.allow_download);
        assert!(
            s.password_hash.is_none(),
            "hashed later, off the async workers"
        );
        let refused = |request: CreateShare| ask(request).unwrap_err();
        let e = refused(CreateShare {
            hide: Some(vec!["salary".into()]),
            ..CreateShare::default()
        });
        assert_eq!(e.code, ErrorCode::BadRequest);
        for name in render::hideable() {
            assert!(e.message.contains(name), "{}", e.message);
        }
        let e = refused(CreateShare {
            password: Some(String::new()),
            ..CreateShare::default()
        });
        assert!(e.message.contains("password is empty"), "{}", e.message);
        let e = refused(CreateShare {
            password: Some("x".repeat(share_lock::MAX_PASSWORD_CHARS + 1)),
            ..CreateShare::default()
        });
        assert!(e.message.contains("at most"), "{}", e.message);
        let e = refused(CreateShare {
            label: Some("x".repeat(MAX_LABEL_CHARS + 1)),
            ..CreateShare::default()
        });
        assert!(e.message.contains("at most 200"), "{}", e.message);
        let e = refused(CreateShare {
            pin: Some(true),
            revision: Some(2),
            ..CreateShare::default()
        });
        assert!(e.message.contains("not both"), "{}", e.message);
        assert!(refused(CreateShare {
            revision: Some(0),
            ..CreateShare::default()
        })
        .message
        .contains("count from 1"));
    }

    #[test]
    fn only_real_hosts_make_share_urls() {
        for good in [
            "cv.example.com",
            "CV.Example.com:8443",
            "localhost:7878",
            "127.0.0.1:7878",
            "[::1]:7878",
            "[2001:db8::1]",
        ] {
            assert!(usable_host(good).is_some(), "{good}");
        }
        assert_eq!(
            usable_host("CV.Example.com").as_deref(),
            Some("cv.example.com")
        );
        for bad in [
            "",
            "0.0.0.0",
            "0.0.0.0:7878",
            "[::]:7878",
            "[::]",
            "a b",
            "user@host",
            "host/path",
            "host:0",
            "host:99999",
            "host:",
            "-.example",
            "[::1",
            "[::1]x",
        ] {
            assert!(usable_host(bad).is_none(), "{bad}");
        }
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
