//! Paged lists (`GET /v1/resumes`, `…/{id}/shares`, `…/{id}/revisions`,
//! `GET /v1/jobs`):
//! a `limit` outside 1–1000 or not a number is `400 bad_request` naming the
//! range; a `cursor` the list did not hand out (not base64url, not a
//! cursor, another list's) is `400 invalid_cursor` saying to start again.
//! Altered and other users' cursors need real ones: tests/tests/pagination.rs.

use reqwest::Method as M;

use super::*;

/// The paged lists, by name and path.
const LISTS: [(&str, &str); 4] = [
    ("resumes", "/v1/resumes"),
    ("shares", "/v1/resumes/{id}/shares"),
    ("revisions", "/v1/resumes/{id}/revisions"),
    ("jobs", "/v1/jobs"),
];

/// Each with the one right status and error code.
pub fn strict() -> Vec<Case> {
    let mut cases = Vec::new();
    for (list, path) in LISTS {
        for (what, limit) in [
            ("zero", "0"),
            ("over 1000", "1001"),
            ("a word", "ten"),
            ("negative", "-1"),
            ("empty", ""),
            ("fractional", "2.5"),
        ] {
            cases.push(
                case(
                    format!("{list} limit {what}"),
                    M::GET,
                    format!("{path}?limit={limit}"),
                    400,
                    "bad_request",
                )
                .says("from 1 to 1000"),
            );
        }
        for (what, cursor) in [
            ("not base64url", "!!not*a*cursor!!"),
            ("not a cursor", "aGVsbG8"),
            ("a future version", "djI6eA"),
            // `v1:resumes:000000000000:1:x` / `v1:shares:…`: well formed,
            // but no list of this user has that tag.
            ("another list's", "djE6cmVzdW1lczowMDAwMDAwMDAwMDA6MTp4"),
            (
                "a foreign share cursor",
                "djE6c2hhcmVzOjAwMDAwMDAwMDAwMDoxOmFiYw",
            ),
        ] {
            cases.push(
                case(
                    format!("{list} cursor {what}"),
                    M::GET,
                    format!("{path}?cursor={cursor}"),
                    400,
                    "invalid_cursor",
                )
                .says("leave cursor out"),
            );
        }
        cases.push(case(
            format!("{list} empty cursor is the first page"),
            M::GET,
            format!("{path}?cursor=&limit=1000"),
            200,
            "",
        ));
    }
    cases
}

/// Odd but harmless: never a 5xx.
pub fn loose() -> Vec<Case> {
    let mut cases = Vec::new();
    for (list, path) in LISTS {
        cases.push(
            case(
                format!("{list} limit past u64"),
                M::GET,
                format!("{path}?limit=99999999999999999999999999"),
                400,
                "",
            )
            .loose(&[400]),
        );
        cases.push(
            case(
                format!("{list} cursor 5000 characters"),
                M::GET,
                format!("{path}?cursor={{long}}"),
                400,
                "",
            )
            .loose(&[400]),
        );
        cases.push(
            case(
                format!("{list} limit and cursor twice"),
                M::GET,
                format!("{path}?limit=1&limit=2&cursor=&cursor=x"),
                200,
                "",
            )
            .loose(&[200, 400]),
        );
    }
    cases
}
