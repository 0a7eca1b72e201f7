//! The HTTP layer: per-request dispatch, and the modules it is made of.
//!
//! [`conn`] accepts connections (one `hyper` HTTP/1.1 task per socket) and
//! hands every request to [`dispatch`], which gives it an id, looks its path
//! up in the route table ([`router`]), answers CORS preflights ([`cors`]),
//! authenticates ([`auth`]) and calls the one handler the table names for
//! the path and method. Handlers live in one module per area: [`resumes`],
//! [`diff`], [`tailor`], [`jobs`], [`shares`], [`streams`], [`admin`],
//! [`console`] (the web console's static files) and [`openapi`] (the API's
//! OpenAPI document). They read bodies with [`body`], build answers with
//! [`response`], and return `HttpResult<Response>`; an error becomes its
//! JSON body here ([`error`]).

pub mod admin;
pub mod auth;
pub mod body;
pub mod conn;
pub mod console;
pub mod cors;
pub mod diff;
pub mod error;
pub mod exports;
pub mod jobs;
pub mod openapi;
pub mod paging;
pub mod response;
pub mod resumes;
pub mod router;
pub mod shares;
pub mod static_file;
pub mod streams;
pub mod tailor;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderValue};
use hyper::{Method, Request, Response};
use tokio::sync::watch;
use tracing::Instrument;
use vitae_common::ErrorCode;

use crate::config::Config;
use crate::logs::LogFeed;
use crate::pipeline::Pipeline;
use crate::sse::hub::Hub;
pub use crate::sse::stream::Body;
use crate::store::{Principal, Store};
use body::BodyDeadline;
pub use conn::serve;
use error::{HttpError, HttpResult};
use router::Access;

/// Everything handlers share.
pub struct App {
    pub store: Arc<dyn Store>,
    pub hub: Arc<Hub>,
    pub pipeline: Pipeline,
    /// The settings as at start; those a SIGHUP can change are read from
    /// [`App::live`] instead.
    pub config: Config,
    /// The settings a reload changes: CORS origins, upload size, the SSE
    /// heartbeat ([`crate::reload`]).
    pub live: crate::reload::LiveCell,
    pub public_url: String,
    pub logs: LogFeed,
    /// Recent tailoring previews, by hash, for confirmation.
    pub previews: crate::tailoring::Previews,
    /// Encoded `GET /v1/resumes/{id}` answers (owner, id) → (revision, JSON).
    pub resume_answers: crate::read_cache::ReadCache<(String, uuid::Uuid), (u64, Bytes)>,
    /// CPU-heavy request work (share renders, large answers), off the
    /// async workers and bounded ([`crate::offload`]).
    pub offload: crate::offload::Offload,
    /// Rendered share pages by link, revision and form ([`crate::share_pages`]).
    pub share_pages: crate::share_pages::SharePages,
    /// The optional language-model provider (`llm_url`, `llm_model`).
    pub llm: Option<crate::llm::Provider>,
    /// Connection and stream caps, rate limits (`crate::limits`).
    pub admission: crate::limits::Admission,
    /// PDF/DOCX/PNG exports: engine, render pool, export cache, jobs.
    pub exporter: Arc<crate::exports::Exporter>,
    /// Counters and histograms for `GET /metrics` ([`crate::metrics`]).
    pub metrics: Arc<crate::metrics::Metrics>,
    pub shutdown: watch::Receiver<bool>,
    /// Password-protected share links: cookie key, guessing limits
    /// ([`crate::share_lock`]).
    pub share_locks: crate::share_lock::ShareLocks,
}

/// How the request reached us, as far as we may believe it: over https
/// (only a trusted proxy's `X-Forwarded-Proto` can say so, since we speak
/// plain HTTP), and the host it named (a trusted proxy's
/// `X-Forwarded-Host`, else `Host`). Put in the request's extensions by
/// [`dispatch`]; share links read it for their URLs and cookies.
#[derive(Debug, Clone, Default)]
pub struct RequestSite {
    pub https: bool,
    pub host: Option<String>,
}

impl RequestSite {
    fn of(trusted: &[IpAddr], peer: SocketAddr, headers: &HeaderMap) -> RequestSite {
        let by_proxy = trusted.contains(&peer.ip());
        let first = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let https =
            by_proxy && first("x-forwarded-proto").is_some_and(|p| p.eq_ignore_ascii_case("https"));
        let host = by_proxy
            .then(|| first("x-forwarded-host"))
            .flatten()
            .or_else(|| first("host"));
        RequestSite { https, host }
    }
}

/// What a handler knows about the request besides its body.
pub struct Ctx {
    /// The address the per-address limits count the request against.
    pub client: IpAddr,
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

/// The address the per-address limits count a request against: the peer,
/// or, when the peer is a trusted reverse proxy, the client the proxy names
/// last in `X-Forwarded-For` (the entry it appended itself; earlier entries
/// come from the client and prove nothing). From anyone else the header is
/// ignored, so a client cannot pick its own address.
fn client_address(trusted: &[IpAddr], peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
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
    if root_alias_token(path).is_some() && router::find(path).is_none() {
        return "/<token>".to_string();
    }
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
pub(crate) fn new_request_id() -> String {
    static NEXT: std::sync::OnceLock<std::sync::atomic::AtomicU64> = std::sync::OnceLock::new();
    let next = NEXT.get_or_init(|| {
        let mut seed = [0u8; 8];
        let _ = getrandom::fill(&mut seed);
        std::sync::atomic::AtomicU64::new(u64::from_le_bytes(seed))
    });
    let id = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{id:016x}")
}

/// Answer one request: never fails, since every error becomes its JSON body.
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
    let share_page = req.uri().path().starts_with("/s/")
        || (app.config.share_root_alias && root_alias_token(req.uri().path()).is_some());
    let site = RequestSite::of(&app.config.limits.trusted_proxies, peer, req.headers());
    req.extensions_mut().insert(site);
    let span = tracing::info_span!("request", id = %request_id, %method, %path);
    let origin = req
        .headers()
        .get(hyper::header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .map(str::to_string);
    let cors_allowed = cors::cors_allows(&app, &req);
    // The route's pattern, never the path: the metric's labels stay a
    // closed set whatever paths clients send.
    let route = router::find_route(req.uri().path()).map_or("unmatched", |r| r.pattern);
    let mut response = async {
        let client = client_address(&app.config.limits.trusted_proxies, peer, req.headers());
        match route_and_call(&app, req, client).await {
            Ok(response) => response,
            Err(error) => response::error_response(&error, &request_id),
        }
    }
    .instrument(span.clone())
    .await;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        headers.insert("x-request-id", value);
    }
    if share_page && status_is_error(response.status()) {
        shares::protect_error(response.headers_mut());
    }
    let headers = response.headers_mut();
    cors::apply_cors(origin.as_deref(), cors_allowed, headers);
    let status = response.status().as_u16();
    let took = started.elapsed();
    app.metrics.request(route, &method, status, took);
    span.in_scope(|| {
        let ms = took.as_secs_f64() * 1000.0;
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

fn status_is_error(status: hyper::StatusCode) -> bool {
    status.is_client_error() || status.is_server_error()
}

/// Find the route and its handler, refuse what the route does not take
/// (404, 405 with `Allow`), answer `OPTIONS`, authenticate, call.
async fn route_and_call(
    app: &Arc<App>,
    req: Request<Incoming>,
    client: IpAddr,
) -> HttpResult<Response<Body>> {
    check_host(&req)?;
    let found = router::find(req.uri().path()).or_else(|| {
        // `/{token}` is `/s/{token}` when the operator asked for it, for
        // paths no route takes (`/healthz`, `/app`, `/v1/…` win).
        let token = root_alias_token(req.uri().path()).filter(|_| app.config.share_root_alias)?;
        router::find(&format!("/s/{token}"))
    });
    let Some((route, params)) = found else {
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
        return cors::preflight(route, req.headers(), cors::cors_allows(app, &req));
    }
    let Some(handler) = route.handler(req.method()) else {
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
    };
    let query: Vec<(String, String)> = req
        .uri()
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let principal = match route.access {
        Access::Public => None,
        Access::Token | Access::TokenOrQuery => {
            let query_token = route.access == Access::TokenOrQuery;
            Some(auth::authenticate(app, query_token, req.headers(), &query, client).await?)
        }
    };
    let ctx = Ctx {
        client,
        params,
        query,
        principal,
    };
    handler(app, &ctx, req).await
}

/// The token of a root-alias share path `/{token}`: one segment of the
/// share tokens' alphabet (base64url), long enough not to be a word, so
/// `/favicon.ico`, `/robots.txt` or `/v1` are never taken for a link.
pub fn root_alias_token(path: &str) -> Option<&str> {
    let token = path.strip_prefix('/')?;
    (token.len() >= 16
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    .then_some(token)
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
