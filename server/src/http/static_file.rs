//! Files compiled into the binary and served as they are (the web console's
//! page, script and stylesheet; the OpenAPI document).
//!
//! Each answer carries a strong `ETag` (128 bits of the file's SHA-256) and
//! `Cache-Control: no-cache`: clients revalidate on every load and get a
//! bodiless `304` while the file is unchanged, so an upgraded server never
//! leaves a stale copy in use. Callers add their own headers (the console
//! its CSP) to what [`StaticFile::answer`] returns.

use hyper::header::{HeaderMap, HeaderValue, CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use hyper::{Response, StatusCode};

use super::response::{empty, full};
use super::Body;

/// One embedded file and what we answer with it.
pub struct StaticFile {
    pub bytes: &'static [u8],
    pub content_type: &'static str,
    pub etag: HeaderValue,
}

impl StaticFile {
    pub fn new(bytes: &'static [u8], content_type: &'static str) -> StaticFile {
        // 128 bits of the hash is plenty to tell versions of a file apart.
        let hash = crate::digest::sha256_hex(&[bytes]);
        let etag = HeaderValue::from_str(&format!("\"{}\"", &hash[..32]))
            .unwrap_or_else(|_| HeaderValue::from_static("\"0\""));
        StaticFile {
            bytes,
            content_type,
            etag,
        }
    }

    /// The file, or `304` when `If-None-Match` names it; with its `ETag`,
    /// `Cache-Control: no-cache` and `X-Content-Type-Options: nosniff`.
    pub fn answer(&self, request: &HeaderMap) -> Response<Body> {
        let mut response = if if_none_match(request, &self.etag) {
            empty(StatusCode::NOT_MODIFIED)
        } else {
            let mut response = Response::new(full(self.bytes));
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static(self.content_type));
            response
        };
        let h = response.headers_mut();
        h.insert(ETAG, self.etag.clone());
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        h.insert(
            "x-content-type-options",
            HeaderValue::from_static("nosniff"),
        );
        response
    }
}

/// Does `If-None-Match` name this entity? Weak comparison, as RFC 9110
/// prescribes for this header: `W/"x"` matches `"x"`; `*` matches anything.
fn if_none_match(request: &HeaderMap, etag: &HeaderValue) -> bool {
    let ours = etag.to_str().unwrap_or("");
    request
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == ours)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(IF_NONE_MATCH, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn etags_are_quoted_content_hashes() {
        let a = StaticFile::new(b"a", "text/plain");
        let b = StaticFile::new(b"b", "text/plain");
        let tag = a.etag.to_str().unwrap();
        assert!(tag.starts_with('"') && tag.ends_with('"') && tag.len() == 34);
        assert_ne!(a.etag, b.etag);
    }

    #[test]
    fn if_none_match_uses_weak_comparison_and_lists() {
        let etag = HeaderValue::from_static("\"abc\"");
        assert!(if_none_match(&headers("\"abc\""), &etag));
        assert!(if_none_match(&headers("W/\"abc\""), &etag));
        assert!(if_none_match(&headers("\"x\", \"abc\""), &etag));
        assert!(if_none_match(&headers("*"), &etag));
        assert!(!if_none_match(&headers("\"abcd\""), &etag));
        assert!(!if_none_match(&headers("abc"), &etag));
        assert!(!if_none_match(&HeaderMap::new(), &etag));
    }

    #[test]
    fn a_named_file_is_a_bodiless_304_with_its_headers() {
        let file = StaticFile::new(b"hello", "text/plain");
        let fresh = file.answer(&HeaderMap::new());
        assert_eq!(fresh.status(), StatusCode::OK);
        assert_eq!(fresh.headers()[CONTENT_TYPE], "text/plain");
        let tag = file.etag.to_str().unwrap().to_string();
        let cached = file.answer(&headers(&tag));
        assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(cached.headers()[ETAG], file.etag);
        assert_eq!(cached.headers()[CACHE_CONTROL], "no-cache");
    }
}
