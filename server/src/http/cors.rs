//! CORS: which browser origins may read our answers, preflights, and the
//! headers every answer carries for them.
//!
//! [`super::dispatch`] asks [`cors_allows`] once per request, answers an
//! `OPTIONS` with [`preflight`], and stamps every answer (errors and event
//! streams included) with [`apply_cors`].
//!
//! Browsers may read our answers from an explicit allow-list of origins
//! (`--cors-origin`, `cors_origins`), never `*`. Two more origins are always
//! allowed because they are this server itself: the origin the request was
//! addressed to (its Host, over http or https: the console at /app, whose
//! same-origin POSTs and fetches carry an Origin header too) and the origin
//! of the configured public URL (the console behind a proxy). Allowed origins
//! get credentials mode as well, so `EventSource(url, {withCredentials: true})`
//! works; that exposes nothing, since the API reads no cookies: the bearer
//! token (or `?access_token=` on a stream) is the only credential.

use hyper::header::{HeaderMap, HeaderValue};
use hyper::{Request, Response, StatusCode};
use vitae_common::ErrorCode;

use super::error::{HttpError, HttpResult};
use super::response::{empty, header_value};
use super::router::Route;
use super::{App, Body};

const CORS_ALLOW_HEADERS: &str =
    "authorization, content-type, if-match, if-none-match, last-event-id";
const CORS_EXPOSE_HEADERS: &str = "etag, location, x-request-id, retry-after";

/// Does the request carry an `Origin` that may read our answer?
pub fn cors_allows<B>(app: &App, req: &Request<B>) -> bool {
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
    origin_allowed(origin, &app.live.get().cors_origins, &app.public_url, host)
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
pub fn preflight(route: &Route, headers: &HeaderMap, allowed: bool) -> HttpResult<Response<Body>> {
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
pub fn apply_cors(origin: Option<&str>, allowed: bool, headers: &mut HeaderMap) {
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

#[cfg(test)]
mod tests {
    use super::super::response::error_response;
    use super::super::router;
    use super::*;

    /// The route of a concrete path.
    fn route(path: &str) -> &'static Route {
        router::find(path).expect("a routed path").0
    }

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
        let mut r = preflight(route("/v1/resumes"), &h, true).unwrap();
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
        let error = preflight(route("/v1/events"), &h, false).unwrap_err();
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
            let r = preflight(route("/v1/resumes/x"), &h, false).unwrap();
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
