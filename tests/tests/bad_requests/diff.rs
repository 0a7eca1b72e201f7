//! `GET /v1/resumes/{id}/diff`: `against` values that are missing, repeated,
//! malformed, or name another owner's resume or a revision that does not exist.

use reqwest::Method as M;

use super::*;

/// Each with the one right status and error code.
pub fn strict() -> Vec<Case> {
    vec![
        case(
            "diff without against",
            M::GET,
            "/v1/resumes/{id}/diff",
            400,
            "bad_request",
        )
        .says("against="),
        case(
            "diff against empty",
            M::GET,
            "/v1/resumes/{id}/diff?against=",
            400,
            "bad_request",
        ),
        case(
            "diff against bad percent-encoding",
            M::GET,
            "/v1/resumes/{id}/diff?against=%zz",
            400,
            "bad_request",
        ),
        case(
            "diff against rev:0",
            M::GET,
            "/v1/resumes/{id}/diff?against=rev:0",
            400,
            "bad_request",
        ),
        case(
            "diff against rev:-1",
            M::GET,
            "/v1/resumes/{id}/diff?against=rev:-1",
            400,
            "bad_request",
        ),
        case(
            "diff against rev:x",
            M::GET,
            "/v1/resumes/{id}/diff?against=rev:x",
            400,
            "bad_request",
        ),
        case(
            "diff against rev over u64",
            M::GET,
            "/v1/resumes/{id}/diff?against=rev:99999999999999999999",
            400,
            "bad_request",
        ),
        case(
            "diff against a revision that does not exist",
            M::GET,
            "/v1/resumes/{id}/diff?against=rev:99",
            404,
            "not_found",
        ),
        case(
            "diff against an unknown resume",
            M::GET,
            "/v1/resumes/{id}/diff?against={uuid}",
            404,
            "not_found",
        ),
        case(
            "diff against another owner's resume",
            M::GET,
            "/v1/resumes/{id}/diff?against={foreign}",
            404,
            "not_found",
        ),
        case(
            "diff against a failed resume",
            M::GET,
            "/v1/resumes/{id}/diff?against={failed}",
            409,
            "conflict",
        ),
        case(
            "diff of a failed resume",
            M::GET,
            "/v1/resumes/{failed}/diff?against={id}",
            409,
            "conflict",
        ),
        case(
            "diff against id:rev: without a number",
            M::GET,
            "/v1/resumes/{id}/diff?against={scratch}:rev:",
            400,
            "bad_request",
        ),
        case(
            "diff against an unknown id:rev:N",
            M::GET,
            "/v1/resumes/{id}/diff?against={uuid}:rev:1",
            404,
            "not_found",
        ),
        case(
            "diff against a 5000-character value",
            M::GET,
            "/v1/resumes/{id}/diff?against={long}",
            400,
            "bad_request",
        ),
        case(
            "diff revision zero",
            M::GET,
            "/v1/resumes/{id}/diff?against=rev:1&revision=0",
            400,
            "bad_request",
        ),
        case(
            "diff revision not a number",
            M::GET,
            "/v1/resumes/{id}/diff?against=rev:1&revision=abc",
            400,
            "bad_request",
        ),
        case(
            "diff revision that does not exist",
            M::GET,
            "/v1/resumes/{id}/diff?against=rev:1&revision=99",
            404,
            "not_found",
        ),
        case(
            "diff malformed path id",
            M::GET,
            "/v1/resumes/%zz/diff?against=rev:1",
            400,
            "bad_request",
        ),
        case(
            "diff of an unknown resume",
            M::GET,
            "/v1/resumes/{uuid}/diff?against={id}",
            404,
            "not_found",
        ),
    ]
}

/// Judgment calls: any of the listed answers, never a 5xx.
pub fn loose() -> Vec<Case> {
    vec![
        // Repeated query parameters: the first one is used today.
        case(
            "repeated against, bad first",
            M::GET,
            "/v1/resumes/{id}/diff?against=nope&against=rev:1",
            0,
            "",
        )
        .loose(&[200, 400]),
    ]
}
