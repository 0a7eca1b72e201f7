//! The event streams: `Last-Event-ID` values that are garbage, out of range
//! or from another epoch on a resume's parse stream and on the account stream
//! (an account id that cannot be replayed answers with `resync`).

use reqwest::Method as M;

use super::*;

/// Each with the one right status and error code.
pub fn strict() -> Vec<Case> {
    vec![
        case(
            "parse stream garbage last-event-id (strict)",
            M::GET,
            "/v1/resumes/{id}/events",
            400,
            "bad_request",
        )
        .header("last-event-id", "banana")
        .stream(None),
        case(
            "parse stream negative last-event-id",
            M::GET,
            "/v1/resumes/{id}/events",
            400,
            "bad_request",
        )
        .header("last-event-id", "-1")
        .stream(None),
        case(
            "parse stream last-event-id over u64",
            M::GET,
            "/v1/resumes/{id}/events",
            400,
            "bad_request",
        )
        .header("last-event-id", "99999999999999999999999")
        .stream(None),
        case(
            "parse stream fractional last-event-id",
            M::GET,
            "/v1/resumes/{id}/events",
            400,
            "bad_request",
        )
        .header("last-event-id", "1.5")
        .stream(None),
        case(
            "parse stream last-event-id with inner spaces",
            M::GET,
            "/v1/resumes/{id}/events",
            400,
            "bad_request",
        )
        .header("last-event-id", "3 4")
        .stream(None),
        case(
            "parse stream hex last-event-id",
            M::GET,
            "/v1/resumes/{id}/events",
            400,
            "bad_request",
        )
        .header("last-event-id", "0x7")
        .stream(None),
        case(
            "parse stream account-style last-event-id",
            M::GET,
            "/v1/resumes/{id}/events",
            400,
            "bad_request",
        )
        .header("last-event-id", "{epoch}-3")
        .stream(None),
        case(
            "parse stream unicode digit last-event-id",
            M::GET,
            "/v1/resumes/{id}/events",
            400,
            "bad_request",
        )
        .header_bytes("last-event-id", "٣".as_bytes())
        .stream(None)
        .says("Last-Event-ID"),
        case(
            "parse stream non-ascii last-event-id",
            M::GET,
            "/v1/resumes/{id}/events",
            400,
            "bad_request",
        )
        .header_bytes("last-event-id", b"7\xff")
        .stream(None)
        .says("Last-Event-ID"),
        ok_case(
            "parse stream far-future last-event-id on a finished parse",
            M::GET,
            "/v1/resumes/{id}/events",
            204,
        )
        .header("last-event-id", "1000000")
        .stream(None),
        ok_case(
            "parse stream last-event-id padded with spaces",
            M::GET,
            "/v1/resumes/{failed}/events",
            204,
        )
        .header("last-event-id", "   7   ")
        .stream(None),
        case(
            "parse stream of another owner's resume",
            M::GET,
            "/v1/resumes/{foreign}/events",
            404,
            "not_found",
        )
        .stream(None),
        ok_case(
            "account stream garbage last-event-id",
            M::GET,
            "/v1/events",
            200,
        )
        .header("last-event-id", "banana")
        .stream(Some("resync")),
        ok_case(
            "account stream negative last-event-id",
            M::GET,
            "/v1/events",
            200,
        )
        .header("last-event-id", "-5")
        .stream(Some("resync")),
        ok_case(
            "account stream huge last-event-id",
            M::GET,
            "/v1/events",
            200,
        )
        .header("last-event-id", "99999999999999999999999999")
        .stream(Some("resync")),
        ok_case(
            "account stream far-future last-event-id",
            M::GET,
            "/v1/events",
            200,
        )
        .header("last-event-id", "{epoch}-999999999")
        .stream(Some("resync")),
        ok_case(
            "account stream last-event-id from another run",
            M::GET,
            "/v1/events",
            200,
        )
        .header("last-event-id", "1-1")
        .stream(Some("resync")),
        ok_case("account stream negative seq", M::GET, "/v1/events", 200)
            .header("last-event-id", "{epoch}--1")
            .stream(Some("resync")),
        ok_case(
            "account stream last-event-id with spaces",
            M::GET,
            "/v1/events",
            200,
        )
        .header("last-event-id", "{epoch} - 1")
        .stream(Some("resync")),
        ok_case(
            "account stream unicode last-event-id",
            M::GET,
            "/v1/events",
            200,
        )
        .header_bytes("last-event-id", "ü-€".as_bytes())
        .stream(Some("resync")),
        ok_case(
            "account stream non-ascii bytes in last-event-id",
            M::GET,
            "/v1/events",
            200,
        )
        .header_bytes("last-event-id", b"\xff\xfe-1")
        .stream(Some("resync")),
        ok_case("log stream ignores last-event-id", M::GET, "/v1/logs", 200)
            .auth(Auth::Admin)
            .header("last-event-id", "not-a-number")
            .stream(None),
    ]
}

/// Judgment calls: any of the listed answers, never a 5xx.
pub fn loose() -> Vec<Case> {
    vec![
        case(
            "parse stream garbage last-event-id",
            M::GET,
            "/v1/resumes/{id}/events",
            0,
            "",
        )
        .header("last-event-id", "banana")
        .loose(&[200, 400])
        .stream(None),
        case(
            "parse stream last-event-id with a plus sign",
            M::GET,
            "/v1/resumes/{id}/events",
            0,
            "",
        )
        .header("last-event-id", "+7")
        .loose(&[204, 400])
        .stream(None),
        case(
            "parse stream garbage last-event-id, unknown resume",
            M::GET,
            "/v1/resumes/{uuid}/events",
            0,
            "",
        )
        .header("last-event-id", "x")
        .loose(&[400, 404])
        .stream(None),
    ]
}
