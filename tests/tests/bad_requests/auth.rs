//! Credentials, on any route: no token, a bad one, other schemes (`Basic`,
//! `Digest`, `Token`), malformed bearer values, tokens in the wrong place or
//! in two places, and a user's token on admin routes.

use reqwest::Method as M;

use super::*;

/// Each with the one right status and error code.
pub fn strict() -> Vec<Case> {
    let md = fixture("resume.md");
    vec![
        case(
            "upload without auth",
            M::POST,
            "/v1/resumes?filename=a.md",
            401,
            "unauthorized",
        )
        .auth(Auth::None)
        .body(CT_MD, md.clone()),
        case(
            "list with a bad token",
            M::GET,
            "/v1/resumes",
            401,
            "unauthorized",
        )
        .auth(Auth::Bad),
        case("basic auth", M::GET, "/v1/resumes", 401, "unauthorized")
            .auth(Auth::None)
            .header("authorization", "Basic dXNlcjpwYXNz"),
        case("empty bearer", M::GET, "/v1/resumes", 401, "unauthorized")
            .auth(Auth::None)
            .header("authorization", "Bearer "),
        case(
            "events without auth",
            M::GET,
            "/v1/events",
            401,
            "unauthorized",
        )
        .auth(Auth::None),
        case("logs as a user", M::GET, "/v1/logs", 403, "forbidden"),
        case(
            "account without auth",
            M::GET,
            "/v1/account",
            401,
            "unauthorized",
        )
        .auth(Auth::None),
        case(
            "admin tokens as a user",
            M::POST,
            "/v1/admin/tokens",
            403,
            "forbidden",
        )
        .body(CT_JSON, r#"{"user":"eve"}"#),
        case("digest auth", M::GET, "/v1/resumes", 401, "unauthorized")
            .auth(Auth::None)
            .header("authorization", "Digest username=\"a\", response=\"b\""),
        case(
            "token scheme instead of bearer",
            M::GET,
            "/v1/jobs",
            401,
            "unauthorized",
        )
        .auth(Auth::None)
        .header("authorization", "Token vt_abc"),
        case(
            "bearer without a space",
            M::GET,
            "/v1/resumes",
            401,
            "unauthorized",
        )
        .auth(Auth::None)
        .header("authorization", "Bearervt_abc"),
        case(
            "bearer with two words",
            M::GET,
            "/v1/resumes",
            401,
            "unauthorized",
        )
        .auth(Auth::None)
        .header("authorization", "Bearer vt_abc def")
        .says("token"),
        case(
            "bearer with a non-ascii token",
            M::GET,
            "/v1/resumes",
            401,
            "unauthorized",
        )
        .auth(Auth::None)
        .header_bytes("authorization", b"Bearer vt_\xc3\xa9\xff"),
        case(
            "bearer with a 30 KB token",
            M::GET,
            "/v1/resumes",
            401,
            "unauthorized",
        )
        .auth(Auth::None)
        .header("authorization", format!("Bearer vt_{}", "A".repeat(30_000))),
        case(
            "access_token on a non-stream endpoint",
            M::GET,
            "/v1/resumes?access_token={token}",
            401,
            "unauthorized",
        )
        .auth(Auth::None),
        case(
            "bad access_token on the parse stream",
            M::GET,
            "/v1/resumes/{id}/events?access_token=vt_nope",
            401,
            "unauthorized",
        )
        .auth(Auth::None),
        case(
            "empty access_token on the account stream",
            M::GET,
            "/v1/events?access_token=",
            401,
            "unauthorized",
        )
        .auth(Auth::None),
        case(
            "access_token with bad percent-encoding",
            M::GET,
            "/v1/events?access_token=%zz%",
            401,
            "unauthorized",
        )
        .auth(Auth::None),
        case(
            "a bad header wins over a good access_token",
            M::GET,
            "/v1/events?access_token={token}",
            401,
            "unauthorized",
        )
        .auth(Auth::Bad),
        case(
            "logs with a user's access_token",
            M::GET,
            "/v1/logs?access_token={token}",
            403,
            "forbidden",
        )
        .auth(Auth::None),
        case(
            "logs with a bad access_token",
            M::GET,
            "/v1/logs?access_token=vt_nope",
            401,
            "unauthorized",
        )
        .auth(Auth::None),
        case(
            "admin tokens with a bad token",
            M::POST,
            "/v1/admin/tokens",
            401,
            "unauthorized",
        )
        .auth(Auth::Bad)
        .body(CT_JSON, r#"{"user":"mallory","admin":true}"#),
    ]
}

/// Judgment calls: any of the listed answers, never a 5xx.
pub fn loose() -> Vec<Case> {
    vec![
        // The header parser takes the first of repeated headers.
        case(
            "duplicate authorization, good first",
            M::GET,
            "/v1/jobs",
            0,
            "",
        )
        .header("authorization", "Basic eDp5")
        .loose(&[200, 400, 401]),
        case("bearer in upper case", M::GET, "/v1/resumes", 0, "")
            .auth(Auth::None)
            .header("authorization", "BEARER {token}")
            .loose(&[200, 401]),
        case("bearer with extra spaces", M::GET, "/v1/resumes", 0, "")
            .auth(Auth::None)
            .header("authorization", "Bearer    {token}   ")
            .loose(&[200, 401]),
    ]
}
