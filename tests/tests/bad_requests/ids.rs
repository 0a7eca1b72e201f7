//! Path parameters that name nothing or are not ids at all: malformed and
//! unknown UUIDs, ids in odd encodings (upper case, percent-encoded,
//! hyphenless, `urn:uuid:`), NUL bytes and dot segments, very long ids, and
//! revision numbers that are not plain decimal integers.

use reqwest::Method as M;

use super::*;

/// Each with the one right status and error code.
pub fn strict() -> Vec<Case> {
    vec![
        case(
            "get malformed id",
            M::GET,
            "/v1/resumes/not-a-uuid",
            400,
            "bad_request",
        ),
        case(
            "get unknown id",
            M::GET,
            "/v1/resumes/{uuid}",
            404,
            "not_found",
        ),
        case(
            "patch malformed id",
            M::PATCH,
            "/v1/resumes/123",
            400,
            "bad_request",
        )
        .body("application/merge-patch+json", "{}"),
        case(
            "patch unknown id",
            M::PATCH,
            "/v1/resumes/{uuid}",
            404,
            "not_found",
        )
        .body("application/merge-patch+json", r#"{"basics":{"name":"x"}}"#),
        case(
            "delete malformed id",
            M::DELETE,
            "/v1/resumes/zzz",
            400,
            "bad_request",
        ),
        case(
            "delete unknown id",
            M::DELETE,
            "/v1/resumes/{uuid}",
            404,
            "not_found",
        ),
        case(
            "master malformed id",
            M::POST,
            "/v1/resumes/nope/master",
            400,
            "bad_request",
        ),
        case(
            "master unknown id",
            M::POST,
            "/v1/resumes/{uuid}/master",
            404,
            "not_found",
        ),
        case(
            "events malformed id",
            M::GET,
            "/v1/resumes/nope/events",
            400,
            "bad_request",
        ),
        case(
            "events unknown id",
            M::GET,
            "/v1/resumes/{uuid}/events",
            404,
            "not_found",
        ),
        case(
            "shares malformed id",
            M::GET,
            "/v1/resumes/nope/shares",
            400,
            "bad_request",
        ),
        case(
            "revisions unknown id",
            M::GET,
            "/v1/resumes/{uuid}/revisions",
            404,
            "not_found",
        ),
        case(
            "create share malformed id",
            M::POST,
            "/v1/resumes/1-2-3/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, "{}"),
        case(
            "revoke unknown share",
            M::DELETE,
            "/v1/shares/AAAAAAAAAAAAAAAAAAAAAAAAAA",
            404,
            "not_found",
        ),
        case(
            "uuid with trailing junk",
            M::GET,
            "/v1/resumes/{uuid}x",
            400,
            "bad_request",
        ),
        ok_case(
            "upper-case id (UUIDs are case-insensitive)",
            M::GET,
            "/v1/resumes/{ID}",
            200,
        )
        .check(|v| {
            let id = v["id"].as_str().unwrap_or("");
            (id == id.to_ascii_lowercase())
                .then_some(())
                .ok_or(format!("id not canonical: {id}"))
        }),
        case(
            "upper-case unknown id",
            M::GET,
            "/v1/resumes/{UUID}",
            404,
            "not_found",
        ),
        case(
            "nil uuid",
            M::GET,
            "/v1/resumes/00000000-0000-0000-0000-000000000000",
            404,
            "not_found",
        ),
        case(
            "percent-encoded braces around a uuid",
            M::GET,
            "/v1/resumes/%7B{uuid}%7D",
            400,
            "bad_request",
        ),
        case(
            "percent-encoded slash traversal",
            M::GET,
            "/v1/resumes/..%2F..%2Fadmin%2Ftokens",
            400,
            "bad_request",
        ),
        case(
            "percent-encoded NUL id",
            M::GET,
            "/v1/resumes/%00",
            400,
            "bad_request",
        ),
        case(
            "percent-encoded space before a uuid",
            M::GET,
            "/v1/resumes/%20{uuid}",
            400,
            "bad_request",
        ),
        case(
            "5000-character id",
            M::GET,
            "/v1/resumes/{long}",
            400,
            "bad_request",
        ),
        case(
            "another owner's resume",
            M::GET,
            "/v1/resumes/{foreign}",
            404,
            "not_found",
        ),
        case(
            "delete another owner's resume",
            M::DELETE,
            "/v1/resumes/{foreign}",
            404,
            "not_found",
        ),
        case(
            "delete traversal id",
            M::DELETE,
            "/v1/resumes/..%2F{id}",
            400,
            "bad_request",
        ),
        case(
            "delete upper-case unknown id",
            M::DELETE,
            "/v1/resumes/{UUID}",
            404,
            "not_found",
        ),
        case(
            "delete with a body, unknown id",
            M::DELETE,
            "/v1/resumes/{uuid}",
            404,
            "not_found",
        )
        .body(CT_JSON, r#"{"confirm": true}"#),
        case(
            "master of another owner's resume",
            M::POST,
            "/v1/resumes/{foreign}/master",
            404,
            "not_found",
        ),
        case(
            "master traversal id",
            M::POST,
            "/v1/resumes/..%2F..%2F/master",
            400,
            "bad_request",
        ),
        case(
            "master with a garbage body, unknown id",
            M::POST,
            "/v1/resumes/{uuid}/master",
            404,
            "not_found",
        )
        .body(CT_JSON, "{{{{"),
        case(
            "list shares of an unknown resume",
            M::GET,
            "/v1/resumes/{uuid}/shares",
            404,
            "not_found",
        ),
        case(
            "list shares of another owner's resume",
            M::GET,
            "/v1/resumes/{foreign}/shares",
            404,
            "not_found",
        ),
        case(
            "revisions malformed id",
            M::GET,
            "/v1/resumes/{long}/revisions",
            400,
            "bad_request",
        ),
        case(
            "revisions of another owner's resume",
            M::GET,
            "/v1/resumes/{foreign}/revisions",
            404,
            "not_found",
        ),
        case(
            "HEAD malformed id",
            M::HEAD,
            "/v1/resumes/not-a-uuid",
            400,
            "bad_request",
        ),
        case(
            "HEAD unknown id",
            M::HEAD,
            "/v1/resumes/{uuid}",
            404,
            "not_found",
        ),
    ]
}

/// Judgment calls: any of the listed answers, never a 5xx.
pub fn loose() -> Vec<Case> {
    vec![
        case("nul in the id", M::GET, "/v1/resumes/%00", 0, "").loose(&[400, 404]),
        case("very long id", M::GET, "/v1/resumes/{long}", 0, "").loose(&[400, 404, 414]),
        case("dot-dot path", M::GET, "/v1/resumes/../admin/tokens", 0, "").loose(&[400, 404, 405]),
        // Percent-encoded forms of a valid id: decoding them is allowed, not required.
        case(
            "percent-encoded id character",
            M::GET,
            "/v1/resumes/{id_pct}",
            0,
            "",
        )
        .loose(&[200, 400]),
        case(
            "percent-encoded revision",
            M::GET,
            "/v1/resumes/{id}/revisions/%31",
            0,
            "",
        )
        .loose(&[200, 400]),
        case("hyphenless uuid", M::GET, "/v1/resumes/{id_simple}", 0, "").loose(&[200, 400]),
        // Integers with a sign or leading zeros: Rust's parser takes them.
        case(
            "revision with a plus sign",
            M::GET,
            "/v1/resumes/{id}/revisions/+1",
            0,
            "",
        )
        .loose(&[200, 400]),
        case(
            "revision with leading zeros",
            M::GET,
            "/v1/resumes/{id}/revisions/0001",
            0,
            "",
        )
        .loose(&[200, 400]),
        case("urn uuid", M::GET, "/v1/resumes/urn:uuid:{id}", 0, "").loose(&[200, 400]),
    ]
}
