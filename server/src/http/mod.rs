//! The HTTP layer: accept loop, request dispatch, and the helpers every
//! handler shares (auth, bodies, JSON answers, CORS, request ids).
//!
//! One `hyper` HTTP/1.1 connection task per socket (`TCP_NODELAY` on, so SSE
//! events leave at once). [`dispatch`] gives each request an id, finds its
//! route, answers CORS preflights, authenticates, and calls the handler
//! module for the area: [`resumes`], [`shares`], [`streams`], [`admin`],
//! [`console`] (the web console's static files), [`openapi`] (the API's
//! OpenAPI document).
//! Handlers return `HttpResult<Response>`; errors become JSON bodies here.

pub mod admin;
pub mod console;
pub mod diff;
pub mod error;
pub mod jobs;
pub mod openapi;
pub mod resumes;
pub mod router;
pub mod shares;
pub mod static_file;
pub mod streams;
pub mod tailor;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tracing::Instrument;
use vitae_common::{ApiError, ErrorBody, ErrorCode};

use crate::config::Config;
use crate::logs::LogFeed;
use crate::pipeline::Pipeline;
use crate::sse::hub::Hub;
pub use crate::sse::stream::Body;
use crate::store::{Principal, Store};
use error::{HttpError, HttpResult};
use router::Route;

/// The largest request head (request line and headers) the server reads.
const MAX_REQUEST_HEAD: usize = 128 * 1024;

/// Everything handlers share.
pub struct App {
    pub store: Arc<dyn Store>,
    pub hub: Arc<Hub>,
    pub pipeline: Pipeline,
    pub config: Config,
    pub public_url: String,
    pub logs: LogFeed,
    /// Recent tailoring previews, by hash, for confirmation.
    pub previews: crate::tailoring::Previews,
    /// Encoded `GET /v1/resumes/{id}` answers (owner, id) → (revision, JSON).
    pub resume_answers: crate::read_cache::ReadCache<(String, uuid::Uuid), (u64, Bytes)>,
    /// The optional language-model provider (`llm_url`, `llm_model`).
    pub llm: Option<crate::llm::Provider>,
    /// Connection and stream caps, rate limits (`crate::limits`).
    pub admission: crate::limits::Admission,
    pub shutdown: watch::Receiver<bool>,
}

/// What a handler knows about the request besides its body.
pub struct Ctx {
    pub route: Route,
    pub params: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
    pub principal: Option<Principal>,
}

impl Ctx {
    pub fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The authenticated user; every private route has one.
    pub fn user(&self) -> HttpResult<&Principal> {
        self.principal
            .as_ref()
            .ok_or_else(|| HttpError::new(ErrorCode::Unauthorized, "authentication required"))
    }

    pub fn uuid_param(&self, name: &str) -> HttpResult<uuid::Uuid> {
        let raw = self.param(name);
        uuid::Uuid::parse_str(raw).map_err(|_| {
            HttpError::bad_request(format!(
                "{} is not a valid {name}: expected a UUID",
                quote_capped(raw)
            ))
        })
    }
}

/// `text` quoted for an error message, cut to 100 characters: a message
/// says what was wrong, it need not echo 20 KB back.
pub fn quote_capped(text: &str) -> String {
    const MAX: usize = 100;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{:?}… ({} bytes)", &text[..cut], text.len()),
        None => format!("{text:?}"),
    }
}

/// Serve until `shutdown` turns true, then drain: streams end, in-flight
/// requests finish (up to `drain`), new connections are refused.
pub async fn serve(
    app: Arc<App>,
    listener: TcpListener,
    mut shutdown: watch::Receiver<bool>,
    drain: Duration,
) {
    let graceful = GracefulShutdown::new();
    loop {
        let accepted = tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(error) => {
                // Out of file descriptors and the like: back off, keep serving.
                tracing::warn!(%error, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let permit = match app.admission.connections.admit() {
            Ok(permit) => permit,
            Err(refusal) => {
                tokio::spawn(refuse_connection(stream, refusal));
                continue;
            }
        };
        let service_app = app.clone();
        let service = service_fn(move |req| {
            let app = service_app.clone();
            async move { Ok::<_, Infallible>(dispatch(app, req, peer).await) }
        });
        // A request head over 128 KiB is refused with 431. hyper's default
        // buffer (~408 KiB) can take in a whole 500 KB head in one read on a
        // busy machine and serve it; with this cap even a doubled read
        // stays far below that.
        let connection = http1::Builder::new()
            .max_buf_size(MAX_REQUEST_HEAD)
            .timer(TokioTimer::new())
            .header_read_timeout(app.config.limits.header_timeout)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("some connections did not finish within the drain time");
    }
}

/// Answer a connection past `max_connections` with a 503 and close it.
///
/// The request is read first (briefly, and only its head): closing a
/// socket with unread bytes in it makes the kernel send a reset, and the
/// client would see "connection reset" instead of our answer.
async fn refuse_connection(mut stream: tokio::net::TcpStream, refusal: crate::limits::Refusal) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 1024];
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        while head.len() < 16 * 1024 && !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    let error = HttpError::from(refusal);
    let body = serde_json::to_vec(&ErrorBody {
        error: ApiError {
            code: error.code,
            message: error.message.clone(),
            request_id: new_request_id(),
        },
    })
    .unwrap_or_default();
    let mut answer = format!(
        "HTTP/1.1 {} Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        error.code.status(),
        body.len()
    );
    for (name, value) in &error.headers {
        answer.push_str(&format!("{name}: {value}\r\n"));
    }
    answer.push_str("\r\n");
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        stream.write_all(answer.as_bytes()).await?;
        stream.write_all(&body).await?;
        stream.shutdown().await
    })
    .await;
    tracing::debug!(reason = %error.message, "connection refused");
}

/// The address the per-address limits count a request against: the peer,
/// or, when the peer is a trusted reverse proxy, the client the proxy names
/// last in `X-Forwarded-For` (the entry it appended itself; earlier entries
/// come from the client and prove nothing). From anyone else the header is
/// ignored, so a client cannot pick its own address.
fn client_address(
    trusted: &[std::net::IpAddr],
    peer: SocketAddr,
    headers: &HeaderMap,
) -> std::net::IpAddr {
    if !trusted.contains(&peer.ip()) {
        return peer.ip();
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .next_back()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|last| last.trim().parse().ok())
        .unwrap_or(peer.ip())
}

/// The request path as it may be logged. Share tokens are credentials, so
/// on the two share routes every segment after the prefix is masked; a path
/// that matches no route is not logged at all, only its length, since a
/// token may hide anywhere in it (`//s/TOKEN`, `/s//TOKEN`, a typo).
fn redact_path(path: &str) -> String {
    if router::find(path).is_none() {
        return format!("<no route: {} bytes>", path.len());
    }
    for prefix in ["/s/", "/v1/shares/"] {
        if let Some(rest) = path.strip_prefix(prefix) {
            let masked = rest
                .split('/')
                .map(|_| "<token>")
                .collect::<Vec<_>>()
                .join("/");
            return format!("{prefix}{masked}");
        }
    }
    path.to_string()
}

/// A request id: 16 hex digits, unique within this process and very likely
/// across restarts. Ids only correlate log lines with answers, so they need
/// not be unpredictable: a random start (one system call per process, not
/// per request) plus a counter.
fn new_request_id() -> String {
    static NEXT: std::sync::OnceLock<std::sync::atomic::AtomicU64> = std::sync::OnceLock::new();
    let next = NEXT.get_or_init(|| {
        let mut seed = [0u8; 8];
        let _ = getrandom::fill(&mut seed);
        std::sync::atomic::AtomicU64::new(u64::from_le_bytes(seed))
    });
    let id = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{id:016x}")
}

/// When the request's body must have arrived; read by [`read_body`].
#[derive(Debug, Clone, Copy)]
struct BodyDeadline(Instant);

async fn dispatch(app: Arc<App>, mut req: Request<Incoming>, peer: SocketAddr) -> Response<Body> {
    let request_id = new_request_id();
    req.extensions_mut().insert(BodyDeadline(
        Instant::now() + app.config.limits.body_timeout,
    ));
    let started = Instant::now();
    let method = req.method().clone();
    // The path only: the query may hold an access token and is never logged;
    // share tokens are credentials too, so they are masked.
    let path = redact_path(req.uri().path());
    let span = tracing::info_span!("request", id = %request_id, %method, %path);
    let origin = req
        .headers()
        .get(hyper::header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .map(str::to_string);
    let cors_allowed = cors_allows(&app, &req);
    let mut response = async {
        let client = client_address(&app.config.limits.trusted_proxies, peer, req.headers());
        match route_and_call(&app, req, client).await {
            Ok(response) => response,
            Err(error) => error_response(&error, &request_id),
        }
    }
    .instrument(span.clone())
    .await;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        headers.insert("x-request-id", value);
    }
    apply_cors(origin.as_deref(), cors_allowed, headers);
    let status = response.status().as_u16();
    span.in_scope(|| {
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        if status >= 500 {
            tracing::error!(status, ms, %peer, "request failed");
        } else if status < 400 && (method == Method::GET || method == Method::HEAD) {
            // Successful reads are the bulk of the traffic and change
            // nothing: their line is DEBUG, so the INFO log stays a record
            // of what happened (writes, refusals, failures) and a read does
            // not pay for a formatted line and a write to stderr.
            tracing::debug!(status, ms, "request");
        } else {
            tracing::info!(status, ms, "request");
        }
    });
    response
}

async fn route_and_call(
    app: &Arc<App>,
    req: Request<Incoming>,
    client: std::net::IpAddr,
) -> HttpResult<Response<Body>> {
    check_host(&req)?;
    let Some((route, params)) = router::find(req.uri().path()) else {
        let path = req.uri().path();
        let target = if path.is_empty() {
            // CONNECT host:port has an authority, no path.
            req.uri().to_string()
        } else {
            path.to_string()
        };
        return Err(HttpError::new(
            ErrorCode::NotFound,
            format!("no route for {}: see docs/api.md", quote_capped(&target)),
        ));
    };
    if req.method() == Method::OPTIONS {
        return preflight(route, req.headers(), cors_allows(app, &req));
    }
    // HEAD is GET without a body, except on share links, where a HEAD from a
    // link-preview bot must not count as a view.
    let head_as_get = req.method() == Method::HEAD
        && route.methods().contains(&Method::GET)
        && route != Route::PublicShare;
    if !route.methods().contains(req.method()) && !head_as_get {
        return Err(HttpError::new(
            ErrorCode::MethodNotAllowed,
            format!(
                "{} is not allowed on {}; allowed: {}",
                req.method(),
                req.uri().path(),
                route.allow()
            ),
        )
        .with_header("allow", route.allow()));
    }
    let query: Vec<(String, String)> = req
        .uri()
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let public = matches!(
        route,
        Route::Health | Route::PublicShare | Route::Console | Route::ConsoleAsset | Route::OpenApi
    );
    if route == Route::PublicShare {
        app.admission.share_views.check(client).map_err(|refusal| {
            HttpError::from(refusal).with_message(
                "too many share-link views from your address; wait as long as Retry-After says",
            )
        })?;
    }
    let principal = if public {
        None
    } else {
        Some(authenticate(app, route, req.headers(), &query, client).await?)
    };
    let ctx = Ctx {
        route,
        params,
        query,
        principal,
    };
    match route {
        Route::Health => admin::health(),
        Route::Resumes
        | Route::Resume
        | Route::ResumeMaster
        | Route::ResumeRevisions
        | Route::ResumeRevision
        | Route::ResumeRevisionRestore => resumes::handle(app, &ctx, req).await,
        Route::ResumeDiff => diff::handle(app, &ctx).await,
        Route::ResumeTailor | Route::ResumeTailorConfirm => tailor::handle(app, &ctx, req).await,
        Route::Jobs | Route::Job => jobs::handle(app, &ctx, req).await,
        Route::ResumeShares | Route::Share | Route::PublicShare => {
            shares::handle(app, &ctx, req).await
        }
        Route::ResumeEvents | Route::Events | Route::Logs => streams::handle(app, &ctx, req).await,
        Route::AdminTokens => admin::handle(app, &ctx, req).await,
        Route::Console | Route::ConsoleAsset => console::handle(&ctx, req.headers()),
        Route::OpenApi => Ok(openapi::handle(req.headers())),
    }
}

/// An HTTP/1.1 request names exactly one host, and a host is one token
/// (RFC 9112, section 3.2): two `Host` headers, none, or one with spaces
/// is a 400. HTTP/1.0 requests may leave it out.
fn check_host<B>(req: &Request<B>) -> HttpResult<()> {
    if req.version() != hyper::Version::HTTP_11 {
        return Ok(());
    }
    // No allocation: this runs on every request.
    let mut hosts = req.headers().get_all(hyper::header::HOST).iter();
    match (hosts.next(), hosts.next()) {
        (Some(host), None)
            if !host.is_empty() && !host.as_bytes().iter().any(u8::is_ascii_whitespace) =>
        {
            Ok(())
        }
        (Some(_), None) => Err(HttpError::bad_request(
            "the Host header must name one host, like `Host: vitae.example:7878`",
        )),
        (None, _) => Err(HttpError::bad_request(
            "an HTTP/1.1 request must have a Host header (RFC 9112, section 3.2)",
        )),
        (Some(_), Some(_)) => Err(HttpError::bad_request(format!(
            "the request has {} Host headers; send exactly one",
            2 + hosts.count()
        ))),
    }
}

async fn authenticate(
    app: &App,
    route: Route,
    headers: &HeaderMap,
    query: &[(String, String)],
    client: std::net::IpAddr,
) -> HttpResult<Principal> {
    let unauthorized = |message: &str| {
        HttpError::new(ErrorCode::Unauthorized, message)
            .with_header("www-authenticate", "Bearer realm=\"vitae\"")
    };
    let from_header = match headers.get(AUTHORIZATION) {
        Some(value) => {
            let value = value
                .to_str()
                .map_err(|_| unauthorized("the Authorization header is not readable text"))?;
            let token = value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
                .ok_or_else(|| unauthorized("use `Authorization: Bearer <token>`"))?;
            Some(token.trim().to_string())
        }
        None => None,
    };
    let token = match from_header {
        Some(token) => token,
        None if route.is_stream() => query
            .iter()
            .find(|(k, _)| k == "access_token")
            .map(|(_, v)| v.clone())
            .ok_or_else(|| {
                unauthorized("authentication required: send `Authorization: Bearer <token>` or `?access_token=`")
            })?,
        None => {
            return Err(unauthorized(
                "authentication required: send `Authorization: Bearer <token>`",
            ))
        }
    };
    // An address that keeps presenting bad tokens is refused before its
    // next token is even looked at, good or bad: that is what makes guessing
    // slow. Requests without a token guess nothing and are not counted.
    let too_many = |refusal| {
        HttpError::from(refusal).with_message(
            "too many failed authentications from your address; check the token and wait as long as Retry-After says",
        )
    };
    app.admission
        .failed_auth
        .would_admit(client)
        .map_err(too_many)?;
    match app.store.authenticate(&token).await? {
        Some(principal) => Ok(principal),
        None => {
            // This failure takes its token from the bucket; the answer is
            // still 401, the next attempt is the one refused.
            let _ = app.admission.failed_auth.check(client);
            Err(unauthorized("the token is not valid"))
        }
    }
}

// ---- CORS ------------------------------------------------------------------
//
// Browsers may read our answers from an explicit allow-list of origins
// (`--cors-origin`, `cors_origins`), never `*`. Two more origins are always
// allowed because they are this server itself: the origin the request was
// addressed to (its Host, over http or https: the console at /app, whose
// same-origin POSTs and fetches carry an Origin header too) and the origin
// of the configured public URL (the console behind a proxy). Allowed origins
// get credentials mode as well, so `EventSource(url, {withCredentials: true})`
// works; that exposes nothing, since the API reads no cookies: the bearer
// token (or `?access_token=` on a stream) is the only credential.

const CORS_ALLOW_HEADERS: &str =
    "authorization, content-type, if-match, if-none-match, last-event-id";
const CORS_EXPOSE_HEADERS: &str = "etag, location, x-request-id, retry-after";

/// Does the request carry an `Origin` that may read our answer?
fn cors_allows<B>(app: &App, req: &Request<B>) -> bool {
    let Some(origin) = req
        .headers()
        .get(hyper::header::ORIGIN)
        .and_then(|o| o.to_str().ok())
    else {
        return false;
    };
    // HTTP/1.1 requests name their host in `Host`; an absolute-form target
    // names it in the URI instead.
    let host = req
        .headers()
        .get(hyper::header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()));
    origin_allowed(origin, &app.config.cors_origins, &app.public_url, host)
}

/// The CORS decision itself: is `origin` in `configured`, the public URL's
/// origin, or this request's own host?
fn origin_allowed(
    origin: &str,
    configured: &[String],
    public_url: &str,
    host: Option<&str>,
) -> bool {
    let Some(origin) = normalize_origin(origin) else {
        return false;
    };
    let same_host = host.is_some_and(|host| {
        ["http", "https"]
            .iter()
            .any(|scheme| normalize_origin(&format!("{scheme}://{host}")).as_ref() == Some(&origin))
    });
    same_host
        || normalize_origin(public_url).as_ref() == Some(&origin)
        || configured
            .iter()
            .any(|o| normalize_origin(o).as_ref() == Some(&origin))
}

/// `scheme://host[:port]` of an origin or URL, lower-case, without a default
/// port or a path, so `https://App.example:443/` and `https://app.example`
/// compare equal. `None` for anything but http(s) with a host, which also
/// rules out the opaque origin `null` (sandboxed frames, `file:` pages).
fn normalize_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => ":80",
        "https" => ":443",
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() || authority.contains('@') || authority.contains(char::is_whitespace) {
        return None;
    }
    let mut authority = authority.to_ascii_lowercase();
    if authority.ends_with(default_port) {
        authority.truncate(authority.len() - default_port.len());
    }
    Some(format!("{scheme}://{authority}"))
}

/// `OPTIONS` on a known path. A CORS preflight (one with
/// `Access-Control-Request-Method`) from an allowed origin is a 204 saying
/// what may follow; from any other origin it is a 403 that says how to
/// allow the origin (browsers hide the body, but it shows in the network
/// panel and in curl). A plain `OPTIONS` answers `Allow`. The allow-origin
/// and credentials headers come from [`apply_cors`], like on every answer.
fn preflight(route: Route, headers: &HeaderMap, allowed: bool) -> HttpResult<Response<Body>> {
    let mut response = empty(StatusCode::NO_CONTENT);
    let h = response.headers_mut();
    h.insert("allow", header_value(&route.allow()));
    let origin = headers
        .get(hyper::header::ORIGIN)
        .and_then(|o| o.to_str().ok());
    let (Some(origin), true) = (
        origin,
        headers.contains_key("access-control-request-method"),
    ) else {
        return Ok(response);
    };
    if !allowed {
        return Err(HttpError::new(
            ErrorCode::Forbidden,
            format!(
                "origin {origin} is not in this server's CORS allow-list, so browsers on it may not call the API; \
                 to allow it, start the server with `--cors-origin {origin}` (or add it to `cors_origins` in the \
                 config file, or to VITAE_CORS_ORIGINS)"
            ),
        ));
    }
    h.insert("access-control-allow-methods", header_value(&route.allow()));
    h.insert(
        "access-control-allow-headers",
        HeaderValue::from_static(CORS_ALLOW_HEADERS),
    );
    h.insert("access-control-max-age", HeaderValue::from_static("600"));
    // The answer also depends on what was asked, for caches between us and
    // the browser. One header, Origin first, for clients that read only the
    // first `Vary`.
    h.append(
        hyper::header::VARY,
        HeaderValue::from_static(
            "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
        ),
    );
    Ok(response)
}

/// CORS headers for every answer (errors and event streams included, so a
/// page can read an error body and keep a stream open). An allowed origin
/// gets itself back, never `*`, with credentials mode; any other origin gets
/// nothing, and the browser withholds the answer from the page.
fn apply_cors(origin: Option<&str>, allowed: bool, headers: &mut HeaderMap) {
    let varies_by_origin = headers
        .get_all(hyper::header::VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|name| name.trim().eq_ignore_ascii_case("origin"));
    if !varies_by_origin {
        headers.append(hyper::header::VARY, HeaderValue::from_static("Origin"));
    }
    let Some(origin) = origin.filter(|_| allowed) else {
        return;
    };
    headers.insert("access-control-allow-origin", header_value(origin));
    headers.insert(
        "access-control-allow-credentials",
        HeaderValue::from_static("true"),
    );
    headers.insert(
        "access-control-expose-headers",
        HeaderValue::from_static(CORS_EXPOSE_HEADERS),
    );
}

fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

// ---- response helpers ------------------------------------------------------

pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed_unsync()
}

pub fn empty(status: StatusCode) -> Response<Body> {
    let mut response = Response::new(full(Bytes::new()));
    *response.status_mut() = status;
    response
}

pub fn json<T: Serialize>(status: StatusCode, value: &T) -> HttpResult<Response<Body>> {
    Ok(json_encoded(status, encode_json(value)?))
}

/// `value` as JSON, or the error that answers a value we cannot encode.
pub fn encode_json<T: Serialize>(value: &T) -> HttpResult<Bytes> {
    serde_json::to_vec(value).map(Bytes::from).map_err(|e| {
        HttpError::internal(&format!("serialising a {}", std::any::type_name::<T>()), e)
    })
}

/// An answer whose JSON body is already encoded.
pub fn json_encoded(status: StatusCode, body: Bytes) -> Response<Body> {
    let mut response = Response::new(full(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

pub fn error_response(error: &HttpError, request_id: &str) -> Response<Body> {
    let body = ErrorBody {
        error: ApiError {
            code: error.code,
            message: error.message.clone(),
            request_id: request_id.to_string(),
        },
    };
    let bytes = serde_json::to_vec(&body).unwrap_or_else(|_| b"{}".to_vec());
    let mut response = Response::new(full(bytes));
    *response.status_mut() =
        StatusCode::from_u16(error.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    for (name, value) in &error.headers {
        headers.insert(*name, header_value(value));
    }
    response
}

/// Most bytes past the limit read and thrown away before a 413, so the
/// client (which is still sending) reads our answer instead of a reset.
const DRAIN_AFTER_LIMIT: u64 = 32 * 1024 * 1024;

/// Read a whole body, refusing more than `limit` bytes with 413.
///
/// A 413 closes the connection (`Connection: close`). Before answering, the
/// rest of an over-limit body is drained (up to [`DRAIN_AFTER_LIMIT`] and a
/// few seconds): answering while the client is still sending makes the
/// kernel reset the connection, and the client never sees the 413.
pub async fn read_body(
    req: Request<Incoming>,
    limit: u64,
) -> HttpResult<(hyper::http::request::Parts, Bytes)> {
    let too_large = || {
        HttpError::new(
            ErrorCode::PayloadTooLarge,
            format!("the body is larger than the {limit}-byte limit"),
        )
        .with_header("connection", "close")
    };
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // A client that sent `Expect: 100-continue` waits for our word before
    // it sends the body: refuse it at once instead of inviting the body in
    // just to drain it.
    let expects_continue = req
        .headers()
        .get(hyper::header::EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let (parts, mut body) = req.into_parts();
    if declared.is_some_and(|len| len > limit) {
        if !expects_continue && declared.is_some_and(|len| len <= limit + DRAIN_AFTER_LIMIT) {
            drain(&mut body, limit + DRAIN_AFTER_LIMIT).await;
        }
        return Err(too_large());
    }
    // The whole body must arrive by the deadline set when the request came
    // in (`body_timeout_secs`): a client that trickles bytes (slowloris)
    // would otherwise hold its connection and its buffer for ever.
    let deadline = parts
        .extensions
        .get::<BodyDeadline>()
        .map_or_else(|| Instant::now() + Duration::from_secs(60), |d| d.0);
    let reading = async {
        let mut buffer = bytes::BytesMut::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| {
                HttpError::bad_request(format!(
                    "the request body could not be read ({e}): it ended before its Content-Length, \
                     or its chunked encoding is broken"
                ))
            })?;
            if let Ok(data) = frame.into_data() {
                if (buffer.len() + data.len()) as u64 > limit {
                    drain(&mut body, DRAIN_AFTER_LIMIT).await;
                    return Err(too_large());
                }
                buffer.extend_from_slice(&data);
            }
        }
        Ok(buffer.freeze())
    };
    match tokio::time::timeout_at(deadline.into(), reading).await {
        Ok(read) => Ok((parts, read?)),
        Err(_) => Err(HttpError::new(
            ErrorCode::RequestTimeout,
            "the request body did not arrive in time; send it faster or in a smaller request",
        )
        .with_header("connection", "close")),
    }
}

async fn drain(body: &mut Incoming, max: u64) {
    let mut seen = 0u64;
    let reading = async {
        while let Some(Ok(frame)) = body.frame().await {
            if let Ok(data) = frame.into_data() {
                seen += data.len() as u64;
                if seen > max {
                    break;
                }
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), reading).await;
}

/// Parse a JSON object request body into `T`, with a 400 that says what is
/// wrong. Only objects: serde would otherwise accept a struct as an array.
pub fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> HttpResult<T> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| HttpError::bad_request(format!("the body is not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(HttpError::bad_request(format!(
            "the body must be a JSON object, found {}",
            vitae_common::resume::json_type_name(&value)
        )));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        HttpError::bad_request(format!("the body does not have the expected shape: {e}"))
    })
}

/// The essence of the Content-Type header (`text/plain; charset=x` → `text/plain`).
/// A value that is not visible ASCII is still a value (one no endpoint
/// accepts), never taken for an absent header.
pub fn content_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
}

/// Require a JSON body's Content-Type (absent is accepted, for curl users).
pub fn require_json(headers: &HeaderMap, also: &[&str]) -> HttpResult<()> {
    match content_type(headers) {
        None => Ok(()),
        Some(ct) if ct == "application/json" || also.contains(&ct.as_str()) => Ok(()),
        Some(ct) => Err(HttpError::new(
            ErrorCode::UnsupportedMediaType,
            format!("send JSON (Content-Type: application/json), not {ct}"),
        )),
    }
}

#[cfg(test)]
mod client_address_tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_proxy() {
        let proxy: SocketAddr = "10.0.0.1:5000".parse().unwrap();
        let trusted = ["10.0.0.1".parse().unwrap()];
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        // The proxy's own entry is the last one; what the client sent before it is not believed.
        assert_eq!(
            client_address(&trusted, proxy, &headers(&["6.6.6.6, 203.0.113.7"])),
            ip("203.0.113.7")
        );
        assert_eq!(
            client_address(&trusted, proxy, &headers(&["6.6.6.6", "203.0.113.8"])),
            ip("203.0.113.8")
        );
        assert_eq!(
            client_address(&trusted, proxy, &headers(&["2001:db8::1"])),
            ip("2001:db8::1")
        );
        // Garbage, or no header: the proxy itself.
        assert_eq!(
            client_address(&trusted, proxy, &headers(&["not an ip"])),
            ip("10.0.0.1")
        );
        assert_eq!(
            client_address(&trusted, proxy, &headers(&[])),
            ip("10.0.0.1")
        );
        // Anyone else cannot choose their address.
        let direct: SocketAddr = "198.51.100.4:4000".parse().unwrap();
        assert_eq!(
            client_address(&trusted, direct, &headers(&["203.0.113.7"])),
            ip("198.51.100.4")
        );
        assert_eq!(
            client_address(&[], proxy, &headers(&["203.0.113.7"])),
            ip("10.0.0.1")
        );
    }
}

#[cfg(test)]
mod redact_tests {
    use super::redact_path;

    #[test]
    fn share_tokens_never_reach_the_log() {
        assert_eq!(redact_path("/s/abc123"), "/s/<token>");
        assert_eq!(redact_path("/v1/shares/abc123"), "/v1/shares/<token>");
        for odd in [
            "//s/abc123",
            "/s//abc123",
            "/v1/shares//abc123",
            "//v1/shares/abc123",
            "/s/abc123/more",
            "/x/abc123",
        ] {
            let logged = redact_path(odd);
            assert!(!logged.contains("abc123"), "{odd} logged as {logged}");
        }
        assert_eq!(redact_path("/v1/resumes"), "/v1/resumes");
        assert_eq!(redact_path("/nope"), "<no route: 5 bytes>");
    }
}

#[cfg(test)]
mod cors_tests {
    use super::*;

    const PUBLIC: &str = "http://127.0.0.1:7878";

    fn allowed(origin: &str, configured: &[&str], host: Option<&str>) -> bool {
        let configured: Vec<String> = configured.iter().map(|s| s.to_string()).collect();
        origin_allowed(origin, &configured, PUBLIC, host)
    }

    #[test]
    fn origins_normalise_case_default_ports_and_paths() {
        let n = |s| normalize_origin(s);
        assert_eq!(
            n("https://App.Example:443/"),
            Some("https://app.example".into())
        );
        assert_eq!(n("http://a.example:80"), Some("http://a.example".into()));
        assert_eq!(
            n("http://a.example:8080"),
            Some("http://a.example:8080".into())
        );
        assert_eq!(
            n("http://a.example:1080"),
            Some("http://a.example:1080".into())
        );
        assert_eq!(
            n("https://a.example/base/path?q"),
            Some("https://a.example".into())
        );
        assert_eq!(n("http://[::1]:7878"), Some("http://[::1]:7878".into()));
        for bad in [
            "null",
            "*",
            "",
            "file:///x",
            "ftp://a.example",
            "https://",
            "http://u@a.example",
        ] {
            assert_eq!(n(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn configured_origins_are_allowed_and_nothing_else() {
        let list = ["https://app.example", "http://localhost:5173/"];
        assert!(allowed("https://app.example", &list, None));
        assert!(allowed("http://localhost:5173", &list, None));
        assert!(allowed("https://APP.example:443", &list, None));
        assert!(
            !allowed("http://app.example", &list, None),
            "scheme matters"
        );
        assert!(
            !allowed("https://app.example:8443", &list, None),
            "port matters"
        );
        assert!(!allowed("https://app.example.evil.test", &list, None));
        assert!(!allowed("https://evil.test", &list, None));
        assert!(!allowed("null", &list, None));
        assert!(
            !allowed("*", &["*"], None),
            "a wildcard entry allows nothing"
        );
    }

    #[test]
    fn the_server_itself_is_always_allowed() {
        // Same origin as the request's Host (the console), over http or https.
        assert!(allowed(
            "http://vitae.lan:7878",
            &[],
            Some("vitae.lan:7878")
        ));
        assert!(allowed("https://vitae.example", &[], Some("vitae.example")));
        assert!(!allowed(
            "http://vitae.lan:9999",
            &[],
            Some("vitae.lan:7878")
        ));
        assert!(!allowed("http://evil.test", &[], Some("vitae.lan:7878")));
        // The public URL's origin, whatever the Host.
        assert!(allowed(PUBLIC, &[], None));
        assert!(allowed("http://127.0.0.1:7878", &[], Some("10.0.0.5")));
        assert!(!allowed("http://127.0.0.1:7879", &[], None));
    }

    fn preflight_headers(origin: Option<&str>, method: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(o) = origin {
            h.insert(hyper::header::ORIGIN, header_value(o));
        }
        if let Some(m) = method {
            h.insert("access-control-request-method", header_value(m));
        }
        h
    }

    #[test]
    fn preflight_from_an_allowed_origin_says_what_may_follow() {
        let h = preflight_headers(Some("https://app.example"), Some("POST"));
        let mut r = preflight(Route::Resumes, &h, true).unwrap();
        apply_cors(Some("https://app.example"), true, r.headers_mut());
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let get = |name: &str| {
            r.headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_string())
        };
        assert_eq!(
            get("access-control-allow-origin").as_deref(),
            Some("https://app.example")
        );
        assert_eq!(
            get("access-control-allow-credentials").as_deref(),
            Some("true")
        );
        assert_eq!(
            get("access-control-allow-methods").as_deref(),
            Some("GET, POST, OPTIONS")
        );
        assert!(get("access-control-allow-headers")
            .unwrap()
            .contains("authorization"));
        assert_eq!(get("access-control-max-age").as_deref(), Some("600"));
        let vary: Vec<_> = r.headers().get_all("vary").iter().collect();
        assert_eq!(
            vary,
            ["Origin, Access-Control-Request-Method, Access-Control-Request-Headers"],
            "one Vary, Origin first, not repeated"
        );
    }

    #[test]
    fn preflight_from_another_origin_is_refused_with_the_fix() {
        let h = preflight_headers(Some("https://evil.test"), Some("GET"));
        let error = preflight(Route::Events, &h, false).unwrap_err();
        assert_eq!(error.code, ErrorCode::Forbidden);
        assert!(
            error.message.contains("https://evil.test"),
            "{}",
            error.message
        );
        assert!(
            error.message.contains("--cors-origin https://evil.test"),
            "{}",
            error.message
        );
        assert!(error.message.contains("cors_origins"), "{}", error.message);
        let mut r = error_response(&error, "r1");
        apply_cors(Some("https://evil.test"), false, r.headers_mut());
        assert!(r.headers().get("access-control-allow-origin").is_none());
        assert!(r
            .headers()
            .get("access-control-allow-credentials")
            .is_none());
    }

    #[test]
    fn plain_options_answers_allow_only() {
        for h in [
            preflight_headers(None, None),
            preflight_headers(Some("https://evil.test"), None),
            preflight_headers(None, Some("GET")),
        ] {
            let r = preflight(Route::Resume, &h, false).unwrap();
            assert_eq!(r.status(), StatusCode::NO_CONTENT);
            assert_eq!(r.headers()["allow"], "GET, PATCH, DELETE, OPTIONS");
            assert!(r.headers().get("access-control-allow-methods").is_none());
        }
    }

    #[test]
    fn answers_to_other_origins_carry_no_cors_headers_but_vary() {
        let mut h = HeaderMap::new();
        apply_cors(Some("https://evil.test"), false, &mut h);
        assert_eq!(h.len(), 1);
        assert_eq!(h["vary"], "Origin");
        let mut h = HeaderMap::new();
        h.insert(hyper::header::VARY, HeaderValue::from_static("Accept"));
        apply_cors(Some("https://app.example"), true, &mut h);
        let vary: Vec<_> = h.get_all("vary").iter().collect();
        assert_eq!(vary, ["Accept", "Origin"], "Vary is added to, not replaced");
        assert_eq!(h["access-control-expose-headers"], CORS_EXPOSE_HEADERS);
    }
}
