//! Jobs (`/v1/jobs`, `/v1/jobs/{id}`): content types, empty and oversize job
//! descriptions, NUL bytes and unsupported encodings, and `PUT` bodies.

use reqwest::Method as M;

use super::*;

/// Each with the one right status and error code.
pub fn strict() -> Vec<Case> {
    let mp_ct: &'static str = "multipart/form-data; boundary=XyZzY";
    vec![
        case("job empty body", M::POST, "/v1/jobs", 400, "bad_request").body(CT_TXT, ""),
        case(
            "job whitespace body",
            M::POST,
            "/v1/jobs",
            400,
            "bad_request",
        )
        .body(CT_MD, "  \n\t\r\n  "),
        case("job invalid UTF-8", M::POST, "/v1/jobs", 400, "bad_request")
            .body(CT_TXT, b"Senior engineer \xff\xfe Rust".to_vec()),
        case(
            "job latin-1 declared as UTF-8",
            M::POST,
            "/v1/jobs",
            400,
            "bad_request",
        )
        .body("text/plain; charset=utf-8", b"D\xe9veloppeur Rust".to_vec()),
        case(
            "job as png",
            M::POST,
            "/v1/jobs",
            415,
            "unsupported_media_type",
        )
        .body("image/png", PNG),
        case(
            "job as xml",
            M::POST,
            "/v1/jobs",
            415,
            "unsupported_media_type",
        )
        .body("application/xml", "<job><title>x</title></job>"),
        case(
            "job as multipart",
            M::POST,
            "/v1/jobs",
            415,
            "unsupported_media_type",
        )
        .body(mp_ct, multipart("XyZzY", "file", "j.txt", CT_TXT, b"Rust")),
        case("job bad json", M::POST, "/v1/jobs", 400, "bad_request")
            .body(CT_JSON, r#"{"title": "Engineer", "#),
        case(
            "job json with a BOM and garbage",
            M::POST,
            "/v1/jobs",
            400,
            "bad_request",
        )
        .body(CT_JSON, with_bom("{\"title\": \"x\"} garbage")),
        case(
            "job 10,000 nested arrays",
            M::POST,
            "/v1/jobs",
            400,
            "bad_request",
        )
        .body(CT_JSON, nested_arrays(10_000)),
        case("job json a list", M::POST, "/v1/jobs", 422, "unprocessable")
            .body(CT_JSON, r#"["Rust", "Go"]"#),
        case(
            "job json empty object",
            M::POST,
            "/v1/jobs",
            422,
            "unprocessable",
        )
        .body(CT_JSON, "{}"),
        case(
            "job json title a number",
            M::POST,
            "/v1/jobs",
            422,
            "unprocessable",
        )
        .body(CT_JSON, r#"{"title": 5, "description": "Rust"}"#),
        case(
            "job json skills a string",
            M::POST,
            "/v1/jobs",
            422,
            "unprocessable",
        )
        .body(CT_JSON, r#"{"title": "X", "skills": "Rust"}"#),
        case(
            "job sniffed as json without a content type",
            M::POST,
            "/v1/jobs",
            422,
            "unprocessable",
        )
        .raw_body(r#"{"title": ["not", "a", "string"]}"#),
        case(
            "job over 1 MiB",
            M::POST,
            "/v1/jobs",
            413,
            "payload_too_large",
        )
        .body(CT_TXT, vec![b'a'; JOB_LIMIT + 1]),
        case(
            "job over 1 MiB, chunked",
            M::POST,
            "/v1/jobs",
            413,
            "payload_too_large",
        )
        .body(CT_TXT, vec![b'a'; JOB_LIMIT + 1])
        .chunked(),
        case(
            "put a job to another job's text",
            M::PUT,
            "/v1/jobs/{job2}",
            409,
            "conflict",
        )
        .body(CT_TXT, fixture("job_platform.txt")),
        case(
            "get job malformed id",
            M::GET,
            "/v1/jobs/abc",
            400,
            "bad_request",
        ),
        case(
            "get job unknown id",
            M::GET,
            "/v1/jobs/{uuid}",
            404,
            "not_found",
        ),
        case(
            "get job traversal id",
            M::GET,
            "/v1/jobs/..%2F..%2Fresumes",
            400,
            "bad_request",
        ),
        case(
            "get a resume id as a job",
            M::GET,
            "/v1/jobs/{id}",
            404,
            "not_found",
        ),
        case(
            "put job malformed id",
            M::PUT,
            "/v1/jobs/abc",
            400,
            "bad_request",
        )
        .body(CT_TXT, "Rust engineer"),
        case(
            "put job unknown id",
            M::PUT,
            "/v1/jobs/{uuid}",
            404,
            "not_found",
        )
        .body(CT_TXT, "Rust engineer wanted"),
        case(
            "put job empty body",
            M::PUT,
            "/v1/jobs/{job}",
            400,
            "bad_request",
        )
        .body(CT_TXT, ""),
        case(
            "put job as png",
            M::PUT,
            "/v1/jobs/{job}",
            415,
            "unsupported_media_type",
        )
        .body("image/png", PNG),
        case(
            "put job over 1 MiB",
            M::PUT,
            "/v1/jobs/{job}",
            413,
            "payload_too_large",
        )
        .body(CT_TXT, vec![b'a'; JOB_LIMIT + 1]),
        case(
            "put job json not a job",
            M::PUT,
            "/v1/jobs/{job}",
            422,
            "unprocessable",
        )
        .body(CT_JSON, "[]"),
        case(
            "delete job malformed id",
            M::DELETE,
            "/v1/jobs/%00",
            400,
            "bad_request",
        ),
        case(
            "delete job unknown id",
            M::DELETE,
            "/v1/jobs/{uuid}",
            404,
            "not_found",
        ),
    ]
}

/// Judgment calls: any of the listed answers, never a 5xx.
pub fn loose() -> Vec<Case> {
    vec![
        case("job with br encoding garbage", M::POST, "/v1/jobs", 0, "")
            .body(CT_TXT, GZIP_GARBAGE)
            .header("content-encoding", "br")
            .loose(&[400, 415]),
        case("job with a NUL in the text", M::POST, "/v1/jobs", 0, "")
            .body(CT_TXT, b"Rust engineer\x00 wanted".to_vec())
            .loose(&[201, 400]),
    ]
}
