//! Header values at the edges, on every route that reads them: a
//! Content-Type that is not visible ASCII is refused as unsupported (never
//! read as absent, which would take the body as JSON or sniff an upload),
//! and a `Last-Event-ID` at `u64::MAX` resynchronises instead of
//! overflowing.

use reqwest::Method as M;

use super::*;

/// Each with the answer it gets.
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
