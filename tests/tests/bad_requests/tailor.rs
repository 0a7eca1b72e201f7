//! Tailoring: `POST /v1/resumes/{id}/tailor` (which job, which resume, body
//! shapes and sizes) and `POST …/tailor/confirm` (previews that are stale,
//! unknown or another owner's).

use reqwest::Method as M;

use super::*;

/// Each with the one right status and error code.
pub fn strict() -> Vec<Case> {
    let hash = "0".repeat(64);
    vec![
        case(
            "tailor malformed id",
            M::POST,
            "/v1/resumes/nope/tailor",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"job_id": "{job}"}"#),
        case(
            "tailor as text/plain",
            M::POST,
            "/v1/resumes/{id}/tailor",
            415,
            "unsupported_media_type",
        )
        .body(CT_TXT, r#"{"job_id": "{job}"}"#),
        case(
            "tailor bad json",
            M::POST,
            "/v1/resumes/{id}/tailor",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"job_id": "#),
        case(
            "tailor empty body",
            M::POST,
            "/v1/resumes/{id}/tailor",
            400,
            "bad_request",
        )
        .body(CT_JSON, ""),
        case(
            "tailor without job_id",
            M::POST,
            "/v1/resumes/{id}/tailor",
            400,
            "bad_request",
        )
        .body(CT_JSON, "{}"),
        case(
            "tailor job_id a number",
            M::POST,
            "/v1/resumes/{id}/tailor",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"job_id": 42}"#),
        case(
            "tailor job_id not a uuid",
            M::POST,
            "/v1/resumes/{id}/tailor",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"job_id": "../../etc/passwd"}"#)
        .says("POST /v1/jobs"),
        case(
            "tailor unknown field",
            M::POST,
            "/v1/resumes/{id}/tailor",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"job_id": "{job}", "force": true}"#),
        case(
            "tailor body a list",
            M::POST,
            "/v1/resumes/{id}/tailor",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"["{job}"]"#),
        case(
            "tailor 10,000 nested arrays",
            M::POST,
            "/v1/resumes/{id}/tailor",
            400,
            "bad_request",
        )
        .body(CT_JSON, nested_arrays(10_000)),
        case(
            "tailor body over 64 KiB",
            M::POST,
            "/v1/resumes/{id}/tailor",
            413,
            "payload_too_large",
        )
        .body(CT_JSON, padded(JSON_LIMIT + 1, r#"{"job_id": "{job}"}"#)),
        // Under the documented 64 KiB limit for JSON bodies: not a 413.
        case(
            "tailor 20 KB body for an unknown job",
            M::POST,
            "/v1/resumes/{id}/tailor",
            404,
            "not_found",
        )
        .body(CT_JSON, padded(20_000, r#"{"job_id": "{uuid}"}"#)),
        case(
            "tailor unknown job",
            M::POST,
            "/v1/resumes/{id}/tailor",
            404,
            "not_found",
        )
        .body(CT_JSON, r#"{"job_id": "{uuid}"}"#),
        case(
            "tailor unknown resume",
            M::POST,
            "/v1/resumes/{uuid}/tailor",
            404,
            "not_found",
        )
        .body(CT_JSON, r#"{"job_id": "{job}"}"#),
        case(
            "tailor another owner's resume",
            M::POST,
            "/v1/resumes/{foreign}/tailor",
            404,
            "not_found",
        )
        .body(CT_JSON, r#"{"job_id": "{job}"}"#),
        case(
            "tailor a failed resume",
            M::POST,
            "/v1/resumes/{failed}/tailor",
            409,
            "conflict",
        )
        .body(CT_JSON, r#"{"job_id": "{job}"}"#),
        case(
            "confirm without preview_hash",
            M::POST,
            "/v1/resumes/{id}/tailor/confirm",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"job_id": "{job}"}"#),
        case(
            "confirm hash a number",
            M::POST,
            "/v1/resumes/{id}/tailor/confirm",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"job_id": "{job}", "preview_hash": 1}"#),
        case(
            "confirm job_id not a uuid",
            M::POST,
            "/v1/resumes/{id}/tailor/confirm",
            400,
            "bad_request",
        )
        .body(
            CT_JSON,
            format!(r#"{{"job_id": "job-1", "preview_hash": "{hash}"}}"#),
        ),
        case(
            "confirm unknown field",
            M::POST,
            "/v1/resumes/{id}/tailor/confirm",
            400,
            "bad_request",
        )
        .body(
            CT_JSON,
            format!(r#"{{"job_id": "{{job}}", "preview_hash": "{hash}", "x": 1}}"#),
        ),
        case(
            "confirm a hash no preview produced",
            M::POST,
            "/v1/resumes/{id}/tailor/confirm",
            409,
            "conflict",
        )
        .body(
            CT_JSON,
            format!(r#"{{"job_id": "{{job}}", "preview_hash": "{hash}"}}"#),
        ),
        case(
            "confirm as a form",
            M::POST,
            "/v1/resumes/{id}/tailor/confirm",
            415,
            "unsupported_media_type",
        )
        .body(
            "application/x-www-form-urlencoded",
            "job_id=x&preview_hash=y",
        ),
        case(
            "confirm malformed id",
            M::POST,
            "/v1/resumes/x/tailor/confirm",
            400,
            "bad_request",
        )
        .body(CT_JSON, "{}"),
        case(
            "confirm body over 64 KiB",
            M::POST,
            "/v1/resumes/{id}/tailor/confirm",
            413,
            "payload_too_large",
        )
        .body(CT_JSON, padded(JSON_LIMIT + 1, "{}")),
    ]
}

/// Judgment calls: any of the listed answers, never a 5xx.
pub fn loose() -> Vec<Case> {
    vec![case(
        "tailor duplicate keys",
        M::POST,
        "/v1/resumes/{id}/tailor",
        0,
        "",
    )
    .body(CT_JSON, r#"{"job_id": "{job}", "job_id": "nope"}"#)
    .loose(&[400])]
}
