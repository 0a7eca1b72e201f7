//! Bad requests the server answers wrongly today, whose fix belongs outside
//! the HTTP handlers; each case states the right answer, so the test fails
//! until the fix lands:
//!
//! - `server/src/http/mod.rs` `content_type()` reads a Content-Type that is
//!   not visible ASCII as *absent*, so a JSON endpoint takes the body as JSON
//!   and an upload sniffs it, instead of the documented 415.
//! - `server/src/sse/hub.rs` `subscribe_account` computes `seq + 1` on the
//!   client's `Last-Event-ID`: `<epoch>-18446744073709551615` overflows, which
//!   panics in debug builds (the connection closes without an answer).

use reqwest::Method as M;

use super::*;

/// Each with the answer it should get.
pub fn cases() -> Vec<Case> {
    vec![
        case(
            "non-ascii content type on a share",
            M::POST,
            "/v1/resumes/{scratch}/shares",
            415,
            "unsupported_media_type",
        )
        .header_bytes("content-type", b"application/js\xc3\xb6n")
        .raw_body("{}"),
        case(
            "non-ascii content type on a job",
            M::POST,
            "/v1/jobs",
            415,
            "unsupported_media_type",
        )
        .header_bytes("content-type", b"text/pl\xc3\xa4in")
        .raw_body("Rust engineer, Kubernetes"),
        case(
            "non-ascii content type on a patch",
            M::PATCH,
            "/v1/resumes/{scratch}",
            415,
            "unsupported_media_type",
        )
        .header_bytes("content-type", b"application/merge-patch+js\xc3\xb6n")
        .raw_body(r#"{"basics": {"label": "x"}}"#),
        case(
            "non-ascii content type on an upload",
            M::POST,
            "/v1/resumes?filename=cv.md",
            415,
            "unsupported_media_type",
        )
        .header_bytes("content-type", b"text/mark\xc3\xa4down")
        .raw_body(fixture("resume.md")),
        ok_case(
            "account stream last-event-id at u64::MAX",
            M::GET,
            "/v1/events",
            200,
        )
        .header("last-event-id", "{epoch}-18446744073709551615")
        .stream(Some("resync")),
    ]
}
