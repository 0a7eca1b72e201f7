//! What happens before any handler: unknown routes, wrong methods named by
//! hand, trailing slashes, `/healthz`, the console's files, CORS preflights,
//! and headers that are repeated or unreadable.

use reqwest::Method as M;

use super::*;

/// Each with the one right status and error code.
pub fn strict() -> Vec<Case> {
    vec![
        case("unknown route", M::GET, "/v1/nope", 404, "not_found"),
        case("unknown root route", M::GET, "/nope", 404, "not_found").auth(Auth::None),
        case(
            "unknown nested route",
            M::GET,
            "/v1/resumes/{id}/nope",
            404,
            "not_found",
        ),
        case(
            "PUT on the collection",
            M::PUT,
            "/v1/resumes",
            405,
            "method_not_allowed",
        ),
        case(
            "DELETE on the collection",
            M::DELETE,
            "/v1/resumes",
            405,
            "method_not_allowed",
        ),
        case(
            "POST on a resume",
            M::POST,
            "/v1/resumes/{id}",
            405,
            "method_not_allowed",
        ),
        case(
            "PUT on a resume",
            M::PUT,
            "/v1/resumes/{id}",
            405,
            "method_not_allowed",
        )
        .body(CT_JSON, "{}"),
        case(
            "GET on master",
            M::GET,
            "/v1/resumes/{id}/master",
            405,
            "method_not_allowed",
        ),
        case(
            "POST on events",
            M::POST,
            "/v1/resumes/{id}/events",
            405,
            "method_not_allowed",
        ),
        case(
            "PUT on a share",
            M::PUT,
            "/v1/shares/{share}",
            405,
            "method_not_allowed",
        )
        .body(CT_JSON, "{}"),
        case(
            "POST on healthz",
            M::POST,
            "/healthz",
            405,
            "method_not_allowed",
        )
        .auth(Auth::None),
        case(
            "DELETE on account events",
            M::DELETE,
            "/v1/events",
            405,
            "method_not_allowed",
        ),
        case(
            "POST on the account",
            M::POST,
            "/v1/account",
            405,
            "method_not_allowed",
        )
        .body(CT_JSON, "{}"),
        case(
            "GET on admin tokens",
            M::GET,
            "/v1/admin/tokens",
            405,
            "method_not_allowed",
        )
        .auth(Auth::Admin),
        case(
            "PUT on a public share",
            M::PUT,
            "/s/{share}",
            405,
            "method_not_allowed",
        )
        .auth(Auth::None)
        .header("accept", "application/json"),
        ok_case(
            "healthz ignores a bad query and a bad token",
            M::GET,
            "/healthz?%zz=%zz&access_token=nope",
            200,
        )
        .auth(Auth::None),
        ok_case(
            "readyz ignores a bad query and a bad token",
            M::GET,
            "/readyz?%zz=%zz&access_token=nope",
            200,
        )
        .auth(Auth::None)
        .header("authorization", "Bearer not-a-token"),
        case(
            "POST on readyz",
            M::POST,
            "/readyz",
            405,
            "method_not_allowed",
        )
        .auth(Auth::None),
        case(
            "metrics for a token that is not an admin's",
            M::GET,
            "/metrics",
            403,
            "forbidden",
        ),
        case(
            "DELETE on metrics",
            M::DELETE,
            "/metrics",
            405,
            "method_not_allowed",
        )
        .auth(Auth::Admin),
        ok_case(
            "openapi spec ignores a bad query and a bad token",
            M::GET,
            "/openapi.json?%zz=%zz&access_token=nope",
            200,
        )
        .auth(Auth::None)
        .header("authorization", "Bearer not-a-token"),
        ok_case(
            "openapi spec with a garbage If-None-Match",
            M::GET,
            "/openapi.json",
            200,
        )
        .auth(Auth::None)
        .header("if-none-match", "\"\", W/, *x"),
        ok_case(
            "console page with a garbage If-None-Match",
            M::GET,
            "/app",
            200,
        )
        .auth(Auth::None)
        .header("if-none-match", "\"\", W/, *x"),
        ok_case("console page with a garbage Accept", M::GET, "/app/", 200)
            .auth(Auth::None)
            .header("accept", ";;;q=,"),
        case(
            "console file that does not exist",
            M::GET,
            "/app/nope.js",
            404,
            "not_found",
        )
        .auth(Auth::None),
        case(
            "console traversal",
            M::GET,
            "/app/..%2F..%2Fadmin.token",
            404,
            "not_found",
        )
        .auth(Auth::None),
        case(
            "console file with a NUL",
            M::GET,
            "/app/console.js%00",
            404,
            "not_found",
        )
        .auth(Auth::None),
        case("console nested path", M::GET, "/app/a/b", 404, "not_found").auth(Auth::None),
        case(
            "healthz with a trailing slash",
            M::GET,
            "/healthz/",
            404,
            "not_found",
        )
        .auth(Auth::None),
        case("v2 route", M::GET, "/v2/resumes", 404, "not_found").auth(Auth::None),
        case("double slash", M::GET, "//v1/resumes", 404, "not_found").auth(Auth::None),
        case(
            "route in upper case",
            M::GET,
            "/V1/RESUMES",
            404,
            "not_found",
        )
        .auth(Auth::None),
        case(
            "route too deep",
            M::GET,
            "/v1/resumes/{id}/revisions/1/restore/now",
            404,
            "not_found",
        ),
        case(
            "unknown route, wrong method",
            M::DELETE,
            "/v1/nope",
            404,
            "not_found",
        )
        .auth(Auth::None),
        case(
            "OPTIONS on an unknown route",
            M::OPTIONS,
            "/v1/nope",
            404,
            "not_found",
        )
        .auth(Auth::None),
        case(
            "preflight from a foreign origin",
            M::OPTIONS,
            "/v1/resumes",
            403,
            "forbidden",
        )
        .auth(Auth::None)
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST"),
        case(
            "preflight from the null origin",
            M::OPTIONS,
            "/v1/events",
            403,
            "forbidden",
        )
        .auth(Auth::None)
        .header("origin", "null")
        .header("access-control-request-method", "GET"),
        case(
            "preflight from a lookalike origin",
            M::OPTIONS,
            "/v1/resumes/{id}",
            403,
            "forbidden",
        )
        .auth(Auth::None)
        .header("origin", "http://127.0.0.1.evil.example")
        .header("access-control-request-method", "PATCH"),
        case(
            "bad accept does not change an error",
            M::GET,
            "/v1/resumes/not-a-uuid",
            400,
            "bad_request",
        )
        .header("accept", "text/html;q=abc, */*;;;"),
        case(
            "accept image/png does not change an error",
            M::GET,
            "/v1/nope",
            404,
            "not_found",
        )
        .header("accept", "image/png"),
        case(
            "a 40 KB header on an error",
            M::GET,
            "/v1/resumes/nope",
            400,
            "bad_request",
        )
        .header("x-filler", "f".repeat(40_000)),
        case(
            "a non-ascii header on an error",
            M::GET,
            "/v1/resumes/nope",
            400,
            "bad_request",
        )
        .header_bytes("x-name", "Zoë Lindqvist".as_bytes()),
    ]
}

/// Judgment calls: any of the listed answers, never a 5xx.
pub fn loose() -> Vec<Case> {
    vec![
        case("unknown route without auth", M::GET, "/v2/resumes", 0, "")
            .auth(Auth::None)
            .loose(&[401, 404]),
    ]
}
