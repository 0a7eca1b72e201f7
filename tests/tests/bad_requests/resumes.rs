//! A resume's edits and history: `PATCH /v1/resumes/{id}` (content types,
//! `If-Match`, JSON that is broken, too deep or too big, merge patches that
//! break the document), `GET …/revisions/{n}` and `POST …/restore`.

use reqwest::Method as M;

use super::*;

/// Each with the one right status and error code.
pub fn strict() -> Vec<Case> {
    vec![
        case(
            "patch bad json",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body("application/merge-patch+json", "{\"basics\": {"),
        case(
            "patch not json at all",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(CT_JSON, "hello"),
        case(
            "patch work not a list",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body("application/merge-patch+json", r#"{"work": "x"}"#),
        case(
            "patch name a number",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body("application/merge-patch+json", r#"{"basics": {"name": 7}}"#),
        case(
            "patch skills an object",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(CT_JSON, r#"{"skills": {"a": 1}}"#),
        case(
            "patch stale if-match",
            M::PATCH,
            "/v1/resumes/{id}",
            412,
            "precondition_failed",
        )
        .body(CT_JSON, r#"{"basics": {"label": "x"}}"#)
        .header("if-match", "\"999\""),
        case(
            "patch a failed resume",
            M::PATCH,
            "/v1/resumes/{failed}",
            409,
            "conflict",
        )
        .body(CT_JSON, r#"{"basics": {"label": "x"}}"#),
        case(
            "master of a failed resume",
            M::POST,
            "/v1/resumes/{failed}/master",
            409,
            "conflict",
        ),
        case(
            "revision not a number",
            M::GET,
            "/v1/resumes/{id}/revisions/abc",
            400,
            "bad_request",
        ),
        case(
            "revision negative",
            M::GET,
            "/v1/resumes/{id}/revisions/-1",
            400,
            "bad_request",
        ),
        case(
            "revision fractional",
            M::GET,
            "/v1/resumes/{id}/revisions/1.0",
            400,
            "bad_request",
        ),
        case(
            "revision over u64",
            M::GET,
            "/v1/resumes/{id}/revisions/99999999999999999999999",
            400,
            "bad_request",
        ),
        case(
            "revision that does not exist",
            M::GET,
            "/v1/resumes/{id}/revisions/99",
            404,
            "not_found",
        ),
        case(
            "revision zero",
            M::GET,
            "/v1/resumes/{id}/revisions/0",
            404,
            "not_found",
        ),
        case(
            "revision of an unknown resume",
            M::GET,
            "/v1/resumes/{uuid}/revisions/1",
            404,
            "not_found",
        ),
        case(
            "revision with a malformed resume id",
            M::GET,
            "/v1/resumes/x/revisions/1",
            400,
            "bad_request",
        ),
        case(
            "revision of another owner's resume",
            M::GET,
            "/v1/resumes/{foreign}/revisions/1",
            404,
            "not_found",
        ),
        case(
            "restore not a number",
            M::POST,
            "/v1/resumes/{id}/revisions/x/restore",
            400,
            "bad_request",
        ),
        case(
            "restore a revision that does not exist",
            M::POST,
            "/v1/resumes/{id}/revisions/99/restore",
            404,
            "not_found",
        ),
        case(
            "restore the current revision",
            M::POST,
            "/v1/resumes/{id}/revisions/1/restore",
            409,
            "conflict",
        ),
        case(
            "restore with a garbage If-Match",
            M::POST,
            "/v1/resumes/{id}/revisions/1/restore",
            400,
            "bad_request",
        )
        .header("if-match", "yesterday"),
        case(
            "restore of an unknown resume",
            M::POST,
            "/v1/resumes/{uuid}/revisions/1/restore",
            404,
            "not_found",
        ),
        case(
            "restore with a malformed id",
            M::POST,
            "/v1/resumes/not-a-uuid/revisions/1/restore",
            400,
            "bad_request",
        ),
        case(
            "restore on another owner's resume",
            M::POST,
            "/v1/resumes/{foreign}/revisions/1/restore",
            404,
            "not_found",
        ),
        case(
            "patch as text/plain (strict)",
            M::PATCH,
            "/v1/resumes/{scratch}",
            415,
            "unsupported_media_type",
        )
        .body(CT_TXT, r#"{"basics": {"label": "x"}}"#),
        case(
            "patch as json-patch",
            M::PATCH,
            "/v1/resumes/{scratch}",
            415,
            "unsupported_media_type",
        )
        .body(
            "application/json-patch+json",
            r#"[{"op": "replace", "path": "/basics/label", "value": "x"}]"#,
        ),
        case(
            "patch as a form",
            M::PATCH,
            "/v1/resumes/{scratch}",
            415,
            "unsupported_media_type",
        )
        .body(
            "application/x-www-form-urlencoded",
            r#"{"basics": {"label": "x"}}"#,
        ),
        case(
            "patch with an empty content type",
            M::PATCH,
            "/v1/resumes/{scratch}",
            415,
            "unsupported_media_type",
        )
        .body("", r#"{"basics": {"label": "x"}}"#),
        case(
            "patch malformed id before content type",
            M::PATCH,
            "/v1/resumes/nope",
            400,
            "bad_request",
        )
        .body(CT_TXT, "x"),
        case(
            "patch content type before If-Match",
            M::PATCH,
            "/v1/resumes/{scratch}",
            415,
            "unsupported_media_type",
        )
        .body(CT_TXT, "{}")
        .header("if-match", "garbage"),
        case(
            "patch garbage if-match (strict)",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"basics": {"label": "x"}}"#)
        .header("if-match", "abc")
        .says("revision"),
        case(
            "patch if-match a list",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"basics": {"label": "x"}}"#)
        .header("if-match", "\"1\", \"2\""),
        case(
            "patch if-match negative",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"basics": {"label": "x"}}"#)
        .header("if-match", "\"-1\""),
        case(
            "patch if-match over u64",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"basics": {"label": "x"}}"#)
        .header("if-match", "\"18446744073709551616\""),
        case(
            "patch if-match empty quotes",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"basics": {"label": "x"}}"#)
        .header("if-match", "\"\""),
        case(
            "patch if-match weak prefix alone",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"basics": {"label": "x"}}"#)
        .header("if-match", "W/"),
        case(
            "patch if-match non-ascii",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"basics": {"label": "x"}}"#)
        .header_bytes("if-match", b"\"\xd9\xa1\"")
        .says("١"),
        case(
            "patch if-match zero is stale",
            M::PATCH,
            "/v1/resumes/{id}",
            412,
            "precondition_failed",
        )
        .body(CT_JSON, r#"{"basics": {"label": "x"}}"#)
        .header("if-match", "W/\"0\""),
        case(
            "patch if-match checked before the resume",
            M::PATCH,
            "/v1/resumes/{uuid}",
            400,
            "bad_request",
        )
        .body(CT_JSON, "{}")
        .header("if-match", "one"),
        case(
            "patch stale if-match on a failed resume",
            M::PATCH,
            "/v1/resumes/{failed}",
            412,
            "precondition_failed",
        )
        .body(CT_JSON, r#"{"basics": {"label": "x"}}"#)
        .header("if-match", "\"7\""),
        case(
            "patch stale if-match before an invalid document",
            M::PATCH,
            "/v1/resumes/{id}",
            412,
            "precondition_failed",
        )
        .body(CT_JSON, r#"{"work": 5}"#)
        .header("if-match", "\"42\""),
        case(
            "patch over max_upload_bytes",
            M::PATCH,
            "/v1/resumes/{id}",
            413,
            "payload_too_large",
        )
        .body(MERGE, padded(LIMIT + 1, "{}")),
        case(
            "patch over the limit, chunked",
            M::PATCH,
            "/v1/resumes/{id}",
            413,
            "payload_too_large",
        )
        .body(MERGE, padded(LIMIT + 1, "{}"))
        .chunked(),
        case(
            "patch size checked before JSON",
            M::PATCH,
            "/v1/resumes/{id}",
            413,
            "payload_too_large",
        )
        .body(MERGE, vec![b'x'; LIMIT + 1]),
        case(
            "patch empty body",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(MERGE, ""),
        case(
            "patch whitespace body",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(MERGE, " \r\n\t "),
        case(
            "patch a list",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, r#"[{"basics": {"label": "x"}}]"#),
        case(
            "patch null",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, "null"),
        case(
            "patch a string",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, "\"basics\""),
        case(
            "patch a number",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, "42"),
        case(
            "patch not-an-object checked before the resume",
            M::PATCH,
            "/v1/resumes/{uuid}",
            422,
            "unprocessable",
        )
        .body(MERGE, "true"),
        case(
            "patch invalid document on an unknown resume",
            M::PATCH,
            "/v1/resumes/{uuid}",
            404,
            "not_found",
        )
        .body(MERGE, r#"{"work": "x"}"#),
        case(
            "patch with a BOM",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(MERGE, with_bom(r#"{"basics": {"label": "x"}}"#)),
        case(
            "patch trailing garbage",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(MERGE, r#"{"basics": {"label": "x"}} trailing"#),
        case(
            "patch two objects",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(MERGE, r#"{"basics": {}}{"work": []}"#),
        case(
            "patch raw NUL in a string",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(MERGE, b"{\"basics\": {\"label\": \"a\x00b\"}}".to_vec()),
        case(
            "patch invalid UTF-8 in a string",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(MERGE, b"{\"basics\": {\"label\": \"a\xff\xfeb\"}}".to_vec()),
        case(
            "patch overlong UTF-8 in a string",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(MERGE, b"{\"basics\": {\"label\": \"\xc0\xaf\"}}".to_vec()),
        case(
            "patch lone surrogate escape",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(MERGE, r#"{"basics": {"label": "\ud800"}}"#),
        case(
            "patch 10,000 nested arrays",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(MERGE, nested_arrays(10_000)),
        case(
            "patch 10,000 nested arrays under a key",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(MERGE, nested_under("work", 10_000)),
        // A value nested 100 deep parses, but a document that deep would be
        // stored and then be unreadable (the store's JSON has a recursion
        // limit): it is refused as an invalid document.
        case(
            "patch nested 100 deep",
            M::PATCH,
            "/v1/resumes/{scratch}",
            422,
            "unprocessable",
        )
        .body(MERGE, nested_under("x-deep", 100)),
        case(
            "patch nested 127 deep",
            M::PATCH,
            "/v1/resumes/{scratch}",
            422,
            "unprocessable",
        )
        .body(MERGE, nested_under("x-deep", 127))
        .says("at most 64"),
        case(
            "patch a huge number",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(MERGE, r#"{"basics": {"name": 1e999}}"#),
        case(
            "patch a 400-digit integer as a name",
            M::PATCH,
            "/v1/resumes/{id}",
            400,
            "bad_request",
        )
        .body(
            MERGE,
            format!(r#"{{"basics": {{"name": {}}}}}"#, "9".repeat(400)),
        ),
        case(
            "patch a 20-digit integer as a name",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, r#"{"basics": {"name": 99999999999999999999}}"#),
        case(
            "patch nested 65 deep",
            M::PATCH,
            "/v1/resumes/{scratch}",
            422,
            "unprocessable",
        )
        .body(MERGE, nested_under("x-deep", 65))
        .says("at most 64"),
        case(
            "patch basics a string",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, r#"{"basics": "Zoë"}"#),
        case(
            "patch profiles a string",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, r#"{"basics": {"profiles": "github"}}"#),
        case(
            "patch location a number",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, r#"{"basics": {"location": 5}}"#),
        case(
            "patch email a list",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, r#"{"basics": {"email": ["a@b.c"]}}"#),
        case(
            "patch work entries numbers",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, r#"{"work": [1, 2]}"#)
        .says("work[0]"),
        case(
            "patch highlights a string",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, r#"{"work": [{"name": "X", "highlights": "one"}]}"#),
        case(
            "patch highlights holding objects",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(
            MERGE,
            r#"{"work": [{"name": "X", "highlights": [{"a": 1}]}]}"#,
        ),
        case(
            "patch a start date a number",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, r#"{"work": [{"name": "X", "startDate": 2020}]}"#),
        case(
            "patch skill keywords a string",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(
            MERGE,
            r#"{"skills": [{"name": "Rust", "keywords": "tokio"}]}"#,
        ),
        case(
            "patch education courses an object",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(
            MERGE,
            r#"{"education": [{"institution": "U", "courses": {}}]}"#,
        ),
        case(
            "patch languages a string",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, r#"{"languages": "Swedish"}"#),
        case(
            "patch projects true",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(MERGE, r#"{"projects": true}"#),
        case(
            "patch name a bool with a valid rest",
            M::PATCH,
            "/v1/resumes/{id}",
            422,
            "unprocessable",
        )
        .body(
            MERGE,
            r#"{"basics": {"label": "Staff Engineer", "name": false}}"#,
        ),
    ]
}

/// Judgment calls: any of the listed answers, never a 5xx.
pub fn loose() -> Vec<Case> {
    vec![
        case("patch as text/plain", M::PATCH, "/v1/resumes/{id}", 0, "")
            .body(CT_TXT, r#"{"basics": {"label": "x"}}"#)
            .loose(&[200, 415]),
        case(
            "patch garbage if-match",
            M::PATCH,
            "/v1/resumes/{id}",
            0,
            "",
        )
        .body(CT_JSON, r#"{"basics": {"label": "x"}}"#)
        .header("if-match", "abc")
        .loose(&[400, 412]),
        case("patch duplicate keys", M::PATCH, "/v1/resumes/{id}", 0, "")
            .body(MERGE, r#"{"work": [], "work": "x"}"#)
            .loose(&[400, 422]),
        // A struct-shaped value sent as a list: serde may read it as a tuple.
        case(
            "patch location a list",
            M::PATCH,
            "/v1/resumes/{scratch}",
            0,
            "",
        )
        .body(MERGE, r#"{"basics": {"location": ["Uppsala"]}}"#)
        .loose(&[200, 422]),
        case("duplicate if-match", M::PATCH, "/v1/resumes/{id}", 0, "")
            .body(MERGE, r#"{"basics": {"label": "x"}}"#)
            .header("if-match", "\"999\"")
            .header("if-match", "\"1\"")
            .loose(&[400, 412]),
        case("patch gzip garbage", M::PATCH, "/v1/resumes/{id}", 0, "")
            .body(MERGE, GZIP_GARBAGE)
            .header("content-encoding", "gzip")
            .loose(&[400, 415]),
        case(
            "restore stale if-match of the current revision",
            M::POST,
            "/v1/resumes/{id}/revisions/1/restore",
            0,
            "",
        )
        .header("if-match", "\"9\"")
        .loose(&[409, 412]),
        case(
            "restore on a failed resume",
            M::POST,
            "/v1/resumes/{failed}/revisions/1/restore",
            0,
            "",
        )
        .loose(&[404, 409]),
    ]
}
