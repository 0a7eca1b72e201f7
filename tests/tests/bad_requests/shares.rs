//! Share links: creating one (`POST /v1/resumes/{id}/shares`: bodies,
//! expiry values, content types), revoking one (`DELETE /v1/shares/{token}`),
//! and the public view `GET /s/{token}` (unknown, revoked and malformed
//! tokens, formats, `Accept`).

use reqwest::Method as M;

use super::*;

/// Each with the one right status and error code.
pub fn strict() -> Vec<Case> {
    let mp_ct: &'static str = "multipart/form-data; boundary=XyZzY";
    vec![
        case(
            "share bad json",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, "{\"expires_in_days\": "),
        case(
            "share days a string",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"expires_in_days": "ten"}"#),
        case(
            "share days a float",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"expires_in_days": 2.5}"#),
        case(
            "share expires_at a number",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"expires_at": 17}"#),
        case(
            "share body a list",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, "[]"),
        case(
            "share zero days",
            M::POST,
            "/v1/resumes/{id}/shares",
            422,
            "unprocessable",
        )
        .body(CT_JSON, r#"{"expires_in_days": 0}"#),
        case(
            "share 366 days",
            M::POST,
            "/v1/resumes/{id}/shares",
            422,
            "unprocessable",
        )
        .body(CT_JSON, r#"{"expires_in_days": 366}"#),
        case(
            "share in the past",
            M::POST,
            "/v1/resumes/{id}/shares",
            422,
            "unprocessable",
        )
        .body(CT_JSON, r#"{"expires_at": "2001-01-01T00:00:00Z"}"#),
        case(
            "public view unknown",
            M::GET,
            "/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            404,
            "not_found",
        )
        .auth(Auth::None)
        .header("accept", "application/json"),
        case(
            "share negative days (strict)",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"expires_in_days": -1}"#),
        case(
            "share unknown field (strict)",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"days": 3}"#)
        .says("expires_in_days"),
        case(
            "share huge number (strict)",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"expires_in_days": 99999999999999999999}"#),
        case(
            "share days over u32",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"expires_in_days": 4294967296}"#),
        case(
            "share days 1e400",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"expires_in_days": 1e400}"#),
        case(
            "share days a bool",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"expires_in_days": true}"#),
        case(
            "share days a numeric string",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"expires_in_days": "7"}"#),
        case(
            "share expires_at not a date (strict)",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"expires_at": "tomorrow"}"#)
        .says("2026-12-01T00:00:00Z"),
        case(
            "share expires_at without an offset",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"expires_at": "2030-01-01T00:00:00"}"#),
        case(
            "share expires_at a bare date",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"expires_at": "2030-01-01"}"#),
        case(
            "share expires_at empty",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"expires_at": ""}"#),
        case(
            "share expires_at with a NUL",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"expires_at": "2030-01-01T00:00:00Z\u0000"}"#),
        case(
            "share expires_at too far away",
            M::POST,
            "/v1/resumes/{id}/shares",
            422,
            "unprocessable",
        )
        .body(CT_JSON, r#"{"expires_at": "2999-01-01T00:00:00Z"}"#),
        case(
            "share both fields",
            M::POST,
            "/v1/resumes/{id}/shares",
            422,
            "unprocessable",
        )
        .body(
            CT_JSON,
            r#"{"expires_in_days": 3, "expires_at": "2030-01-01T00:00:00Z"}"#,
        ),
        case(
            "share body null",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, "null"),
        case(
            "share body a string",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, "\"7\""),
        case(
            "share body with a BOM",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, with_bom("{}")),
        case(
            "share trailing garbage",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, "{} {}"),
        case(
            "share raw NUL",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, b"{\"expires_at\": \"\x00\"}".to_vec()),
        case(
            "share invalid UTF-8",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, b"{\"expires_at\": \"\xff\"}".to_vec()),
        case(
            "share 10,000 nested arrays",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, nested_arrays(10_000)),
        case(
            "share as text/plain",
            M::POST,
            "/v1/resumes/{id}/shares",
            415,
            "unsupported_media_type",
        )
        .body(CT_TXT, "{}"),
        case(
            "share as a form",
            M::POST,
            "/v1/resumes/{id}/shares",
            415,
            "unsupported_media_type",
        )
        .body("application/x-www-form-urlencoded", "expires_in_days=3"),
        case(
            "share as merge-patch",
            M::POST,
            "/v1/resumes/{id}/shares",
            415,
            "unsupported_media_type",
        )
        .body(MERGE, "{}"),
        case(
            "share as multipart",
            M::POST,
            "/v1/resumes/{id}/shares",
            415,
            "unsupported_media_type",
        )
        .body(mp_ct, multipart("XyZzY", "file", "a.json", CT_JSON, b"{}")),
        case(
            "share body over 64 KiB",
            M::POST,
            "/v1/resumes/{id}/shares",
            413,
            "payload_too_large",
        )
        .body(CT_JSON, padded(JSON_LIMIT + 1, "{}")),
        case(
            "share body over 64 KiB, chunked",
            M::POST,
            "/v1/resumes/{id}/shares",
            413,
            "payload_too_large",
        )
        .body(CT_JSON, padded(JSON_LIMIT + 1, "{}"))
        .chunked(),
        case(
            "share gzip garbage",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, GZIP_GARBAGE)
        .header("content-encoding", "gzip"),
        case(
            "share body checked before the resume",
            M::POST,
            "/v1/resumes/{uuid}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, "{"),
        case(
            "share range checked before the resume",
            M::POST,
            "/v1/resumes/{uuid}/shares",
            422,
            "unprocessable",
        )
        .body(CT_JSON, r#"{"expires_in_days": 0}"#),
        case(
            "share hides an unknown field",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"hide": ["salary"]}"#)
        .says("phone"),
        case(
            "share hide not a list",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"hide": "phone"}"#),
        case(
            "share empty password",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"password": ""}"#)
        .says("password is empty"),
        case(
            "share password of 257 characters",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, format!(r#"{{"password": "{}"}}"#, "p".repeat(257)))
        .says("at most 256"),
        case(
            "share label of 201 characters",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, format!(r#"{{"label": "{}"}}"#, "l".repeat(201)))
        .says("at most 200"),
        case(
            "share pin and revision",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"pin": true, "revision": 1}"#)
        .says("not both"),
        case(
            "share revision 0",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"revision": 0}"#),
        case(
            "share revision that does not exist",
            M::POST,
            "/v1/resumes/{id}/shares",
            404,
            "not_found",
        )
        .body(CT_JSON, r#"{"revision": 9999}"#)
        .says("revision 9999"),
        case(
            "share allow_download a string",
            M::POST,
            "/v1/resumes/{id}/shares",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"allow_download": "no"}"#),
        case(
            "password form without a form body",
            M::POST,
            "/s/{share}",
            415,
            "unsupported_media_type",
        )
        .auth(Auth::None)
        .body(CT_JSON, r#"{"password": "x"}"#),
        case(
            "password form without the password field",
            M::POST,
            "/s/{share}",
            400,
            "bad_request",
        )
        .auth(Auth::None)
        .body("application/x-www-form-urlencoded", "pass=x"),
        case(
            "password form over 4 KiB",
            M::POST,
            "/s/{share}",
            413,
            "payload_too_large",
        )
        .auth(Auth::None)
        .body(
            "application/x-www-form-urlencoded",
            format!("password={}", "p".repeat(5000)),
        ),
        case(
            "share history of an unknown token",
            M::GET,
            "/v1/shares/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            404,
            "not_found",
        ),
        case(
            "share history of another owner's share",
            M::GET,
            "/v1/shares/{foreign_share}",
            404,
            "not_found",
        ),
        case(
            "share of an unknown resume",
            M::POST,
            "/v1/resumes/{uuid}/shares",
            404,
            "not_found",
        )
        .body(CT_JSON, "{}"),
        case(
            "share of another owner's resume",
            M::POST,
            "/v1/resumes/{foreign}/shares",
            404,
            "not_found",
        )
        .body(CT_JSON, "{}"),
        case(
            "share of a failed resume",
            M::POST,
            "/v1/resumes/{failed}/shares",
            409,
            "conflict",
        )
        .body(CT_JSON, "{}"),
        case(
            "revoke traversal token",
            M::DELETE,
            "/v1/shares/..%2F..%2Fresumes",
            404,
            "not_found",
        ),
        case(
            "revoke 5000-character token",
            M::DELETE,
            "/v1/shares/{long}",
            404,
            "not_found",
        ),
        case(
            "revoke percent-encoded NUL token",
            M::DELETE,
            "/v1/shares/%00",
            404,
            "not_found",
        ),
        case(
            "revoke another owner's share",
            M::DELETE,
            "/v1/shares/{foreign_share}",
            404,
            "not_found",
        ),
        case(
            "revoke a share token in upper case",
            M::DELETE,
            "/v1/shares/{SHARE}",
            404,
            "not_found",
        ),
        case(
            "revoke with an empty token",
            M::DELETE,
            "/v1/shares/",
            404,
            "not_found",
        ),
        case(
            "public view bad format",
            M::GET,
            "/s/{share}?format=png",
            400,
            "bad_request",
        )
        .auth(Auth::None)
        .says("html, json, md, pdf or docx"),
        case(
            "public view empty format",
            M::GET,
            "/s/{share}?format=",
            400,
            "bad_request",
        )
        .auth(Auth::None),
        case(
            "public view upper-case format",
            M::GET,
            "/s/{share}?format=HTML",
            400,
            "bad_request",
        )
        .auth(Auth::None),
        case(
            "public view bad percent-encoding in format",
            M::GET,
            "/s/{share}?format=%zz",
            400,
            "bad_request",
        )
        .auth(Auth::None),
        case(
            "public view format with a NUL",
            M::GET,
            "/s/{share}?format=json%00",
            400,
            "bad_request",
        )
        .auth(Auth::None),
        case(
            "public view format checked before the lookup",
            M::GET,
            "/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA?format=xml",
            400,
            "bad_request",
        )
        .auth(Auth::None)
        .header("accept", "text/html"),
        case("public view revoked", M::GET, "/s/{revoked}", 410, "gone")
            .auth(Auth::None)
            .header("accept", "application/json"),
        case(
            "public view traversal token",
            M::GET,
            "/s/..%2F..%2Fv1%2Fresumes",
            404,
            "not_found",
        )
        .auth(Auth::None)
        .header("accept", "application/json"),
        case(
            "public view 5000-character token",
            M::GET,
            "/s/{long}?format=json",
            404,
            "not_found",
        )
        .auth(Auth::None),
        case(
            "public view garbage accept",
            M::GET,
            "/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            404,
            "not_found",
        )
        .auth(Auth::None)
        .header("accept", ";;;,,,q=0,*/*;q=abc"),
        case(
            "public view non-ascii accept",
            M::GET,
            "/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            404,
            "not_found",
        )
        .auth(Auth::None)
        .header_bytes("accept", b"text/\xe9html"),
        case(
            "public view unknown, browser",
            M::GET,
            "/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            404,
            "",
        )
        .auth(Auth::None)
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .html(),
        case(
            "public view revoked, browser",
            M::GET,
            "/s/{revoked}?format=html",
            410,
            "",
        )
        .auth(Auth::None)
        .html(),
    ]
}

/// Judgment calls: any of the listed answers, never a 5xx.
pub fn loose() -> Vec<Case> {
    vec![
        case(
            "share negative days",
            M::POST,
            "/v1/resumes/{id}/shares",
            0,
            "",
        )
        .body(CT_JSON, r#"{"expires_in_days": -1}"#)
        .loose(&[400, 422]),
        case(
            "share expires_at not a date",
            M::POST,
            "/v1/resumes/{id}/shares",
            0,
            "",
        )
        .body(CT_JSON, r#"{"expires_at": "tomorrow"}"#)
        .loose(&[400, 422]),
        case(
            "share unknown field",
            M::POST,
            "/v1/resumes/{id}/shares",
            0,
            "",
        )
        .body(CT_JSON, r#"{"days": 3}"#)
        .loose(&[201, 400, 422]),
        case(
            "share huge number",
            M::POST,
            "/v1/resumes/{id}/shares",
            0,
            "",
        )
        .body(CT_JSON, r#"{"expires_in_days": 99999999999999999999}"#)
        .loose(&[400, 422]),
        case(
            "share on a failed resume",
            M::POST,
            "/v1/resumes/{failed}/shares",
            0,
            "",
        )
        .body(CT_JSON, "{}")
        .loose(&[201, 409, 422]),
        // Duplicate keys: serde keeps the last one; rejecting them would be fine too.
        case(
            "share duplicate keys",
            M::POST,
            "/v1/resumes/{id}/shares",
            0,
            "",
        )
        .body(CT_JSON, r#"{"expires_in_days": 7, "expires_in_days": 0}"#)
        .loose(&[400, 422]),
        case(
            "duplicate content types on a share",
            M::POST,
            "/v1/resumes/{scratch}/shares",
            0,
            "",
        )
        .header("content-type", "text/plain")
        .header("content-type", "application/json")
        .raw_body("{}")
        .loose(&[400, 415]),
        case(
            "repeated format, bad last",
            M::GET,
            "/s/{share}?format=json&format=png",
            0,
            "",
        )
        .auth(Auth::None)
        .loose(&[200, 400]),
        // Content-Encoding is not supported; 415 would be the RFC 9110 answer.
        case(
            "share gzip-encoded valid JSON",
            M::POST,
            "/v1/resumes/{scratch}/shares",
            0,
            "",
        )
        .body(CT_JSON, "{}")
        .header("content-encoding", "gzip")
        .loose(&[201, 400, 415]),
    ]
}
