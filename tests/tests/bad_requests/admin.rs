//! `POST /v1/admin/tokens` and the admin-only log stream: user names that are
//! empty, too long or not text, bodies of the wrong shape, and users asking.

use reqwest::Method as M;

use super::*;

/// Each with the one right status and error code.
pub fn strict() -> Vec<Case> {
    vec![
        case(
            "token bad json",
            M::POST,
            "/v1/admin/tokens",
            400,
            "bad_request",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, "{\"user\": "),
        case(
            "token user a number",
            M::POST,
            "/v1/admin/tokens",
            400,
            "bad_request",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, r#"{"user": 5}"#),
        case(
            "token without user",
            M::POST,
            "/v1/admin/tokens",
            400,
            "bad_request",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, "{}"),
        case(
            "token body a list",
            M::POST,
            "/v1/admin/tokens",
            400,
            "bad_request",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, r#"["mallory", true]"#),
        case(
            "token admin a string",
            M::POST,
            "/v1/admin/tokens",
            400,
            "bad_request",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, r#"{"user": "x", "admin": "yes"}"#),
        case(
            "token user with a space",
            M::POST,
            "/v1/admin/tokens",
            422,
            "unprocessable",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, r#"{"user": "a b"}"#),
        case(
            "token user 65 characters",
            M::POST,
            "/v1/admin/tokens",
            422,
            "unprocessable",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, format!(r#"{{"user": "{}"}}"#, "a".repeat(65))),
        case(
            "token user empty (strict)",
            M::POST,
            "/v1/admin/tokens",
            422,
            "unprocessable",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, r#"{"user": ""}"#),
        case(
            "token user non-ascii",
            M::POST,
            "/v1/admin/tokens",
            422,
            "unprocessable",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, r#"{"user": "zoë"}"#),
        case(
            "token user with an escaped NUL",
            M::POST,
            "/v1/admin/tokens",
            422,
            "unprocessable",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, r#"{"user": "a\u0000b"}"#),
        case(
            "token user a path",
            M::POST,
            "/v1/admin/tokens",
            422,
            "unprocessable",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, r#"{"user": "../admin"}"#),
        case(
            "token unknown field",
            M::POST,
            "/v1/admin/tokens",
            400,
            "bad_request",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, r#"{"user": "x", "role": "admin"}"#),
        case(
            "token user null",
            M::POST,
            "/v1/admin/tokens",
            400,
            "bad_request",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, r#"{"user": null}"#),
        case(
            "token admin a number",
            M::POST,
            "/v1/admin/tokens",
            400,
            "bad_request",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, r#"{"user": "x", "admin": 1}"#),
        case(
            "token invalid UTF-8",
            M::POST,
            "/v1/admin/tokens",
            400,
            "bad_request",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, b"{\"user\": \"a\xffb\"}".to_vec()),
        case(
            "token as text/plain",
            M::POST,
            "/v1/admin/tokens",
            415,
            "unsupported_media_type",
        )
        .auth(Auth::Admin)
        .body(CT_TXT, r#"{"user": "x"}"#),
        case(
            "token body over 64 KiB",
            M::POST,
            "/v1/admin/tokens",
            413,
            "payload_too_large",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, padded(JSON_LIMIT + 1, r#"{"user": "x"}"#)),
        case(
            "token body empty",
            M::POST,
            "/v1/admin/tokens",
            400,
            "bad_request",
        )
        .auth(Auth::Admin)
        .body(CT_JSON, ""),
    ]
}

/// Judgment calls: any of the listed answers, never a 5xx.
pub fn loose() -> Vec<Case> {
    vec![
        case("token with empty user", M::POST, "/v1/admin/tokens", 0, "")
            .auth(Auth::Admin)
            .body(CT_JSON, r#"{"user": ""}"#)
            .loose(&[400, 422]),
        case("token duplicate keys", M::POST, "/v1/admin/tokens", 0, "")
            .auth(Auth::Admin)
            .body(CT_JSON, r#"{"user": "fine", "user": "not fine!"}"#)
            .loose(&[400, 422]),
    ]
}
