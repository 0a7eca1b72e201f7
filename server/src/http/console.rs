//! The web console at `/app`: one page, one script, one stylesheet, compiled
//! into the binary from `server/web/` so the server stays a single file to
//! deploy and the console always matches the API it was built with.
//!
//! The files are public (the person pastes their API token into the page; the
//! page then calls the same `/v1` API as every other client), so these routes
//! skip authentication. Each answer carries a strong `ETag` (a hash of the
//! file) and `Cache-Control: no-cache`: browsers revalidate on every load and
//! get a bodiless `304` while the file is unchanged, so an upgraded server
//! never leaves a stale script running against a newer API. The page's CSP
//! allows only same-origin script, style and connections, which is why the
//! console has no inline script or style at all.

use std::sync::{Arc, LazyLock};

use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderValue};
use hyper::{Request, Response};
use vitae_common::ErrorCode;

use super::error::{HttpError, HttpResult};
use super::static_file::StaticFile;
use super::{App, Body, Ctx};

/// The page's Content-Security-Policy. `img-src data:` is for the inline
/// favicon, which keeps browsers from asking for a `/favicon.ico` we lack.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; \
frame-ancestors 'none'";

static PAGE: LazyLock<StaticFile> = LazyLock::new(|| {
    StaticFile::new(
        include_bytes!("../../web/console.html"),
        "text/html; charset=utf-8",
    )
});
static SCRIPT: LazyLock<StaticFile> = LazyLock::new(|| {
    StaticFile::new(
        include_bytes!("../../web/console.js"),
        "text/javascript; charset=utf-8",
    )
});
static STYLE: LazyLock<StaticFile> = LazyLock::new(|| {
    StaticFile::new(
        include_bytes!("../../web/console.css"),
        "text/css; charset=utf-8",
    )
});

/// `GET`/`HEAD` of `/app` or `/app/`: the page.
pub async fn page(_: &Arc<App>, _: &Ctx, req: Request<Incoming>) -> HttpResult<Response<Body>> {
    Ok(answer(&PAGE, req.headers()))
}

/// `GET`/`HEAD` of `/app/{asset}`: the script or the stylesheet.
pub async fn asset(_: &Arc<App>, ctx: &Ctx, req: Request<Incoming>) -> HttpResult<Response<Body>> {
    let asset: &StaticFile = match ctx.param("asset") {
        "console.js" => &SCRIPT,
        "console.css" => &STYLE,
        other => {
            return Err(HttpError::new(
                ErrorCode::NotFound,
                format!("the console has no file {other:?}: it serves /app, /app/console.js and /app/console.css"),
            ))
        }
    };
    Ok(answer(asset, req.headers()))
}

fn answer(asset: &StaticFile, request: &HeaderMap) -> Response<Body> {
    let mut response = asset.answer(request);
    let h = response.headers_mut();
    // The same strict set on every file (and on 304s, which refresh the
    // cached headers): harmless on scripts, and nothing to forget.
    h.insert("content-security-policy", HeaderValue::from_static(CSP));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_are_quoted_content_hashes_and_differ_per_file() {
        let page = PAGE.etag.to_str().unwrap();
        assert!(page.starts_with('"') && page.ends_with('"') && page.len() == 34);
        assert_ne!(PAGE.etag, SCRIPT.etag);
        assert_ne!(SCRIPT.etag, STYLE.etag);
    }

    #[test]
    fn the_page_loads_only_its_own_files() {
        let page = std::str::from_utf8(PAGE.bytes).unwrap();
        assert!(page.contains("src=\"/app/console.js\""));
        assert!(page.contains("href=\"/app/console.css\""));
        // The CSP forbids inline code; keep the page honest about it.
        assert!(!page.contains("<style"));
        assert!(!page.contains(" style="));
        let handler = page.split(" on").skip(1).any(|rest| {
            let name: String = rest.chars().take_while(char::is_ascii_lowercase).collect();
            !name.is_empty() && rest[name.len()..].starts_with('=')
        });
        assert!(!handler, "no inline event handlers");
        let script = std::str::from_utf8(SCRIPT.bytes).unwrap();
        assert!(
            !script.contains("innerHTML"),
            "server text goes in as textContent"
        );
    }

    /// The share form offers exactly the names `"hide"` accepts, in the
    /// server's order, so the console can neither miss a new one nor send
    /// one the API refuses.
    #[test]
    fn the_share_form_offers_every_hideable_field_and_no_other() {
        let page = std::str::from_utf8(PAGE.bytes).unwrap();
        let offered: Vec<&str> = page
            .split("name=\"share-hide\" value=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect();
        assert_eq!(offered, vitae_common::render::hideable());
    }
}
