//! Exports (`/v1/templates`, `/v1/resumes/{id}/export`, `…/exports`,
//! `/v1/exports/{id}…`): unknown templates and options named with their
//! valid values, resumes that cannot be exported, bodies of the wrong shape,
//! and export ids that are not ids.

use reqwest::Method as M;

use super::*;

/// Each with the one right status and error code.
pub fn strict() -> Vec<Case> {
    vec![
        case(
            "export unknown template",
            M::GET,
            "/v1/resumes/{id}/export?template=fancy",
            400,
            "bad_request",
        )
        .says("classic, modern, compact, academic, ats, timeline"),
        case(
            "export unknown format",
            M::GET,
            "/v1/resumes/{id}/export?format=odt",
            400,
            "bad_request",
        )
        .says("pdf, docx, png, html, md, json"),
        case(
            "export bad paper",
            M::GET,
            "/v1/resumes/{id}/export?paper=a5",
            400,
            "bad_request",
        )
        .says("a4, letter"),
        case(
            "export bad accent",
            M::GET,
            "/v1/resumes/{id}/export?accent=blue",
            400,
            "bad_request",
        )
        .says("#RRGGBB"),
        case(
            "export font size out of range",
            M::GET,
            "/v1/resumes/{id}/export?font_size=40",
            400,
            "bad_request",
        )
        .says("from 7 to 14"),
        case(
            "export unknown parameter",
            M::GET,
            "/v1/resumes/{id}/export?colour=red",
            400,
            "bad_request",
        )
        .says("font_size"),
        case(
            "export unknown section",
            M::GET,
            "/v1/resumes/{id}/export?hide=hobbies",
            400,
            "bad_request",
        )
        .says("interests"),
        case(
            "export of a failed resume",
            M::GET,
            "/v1/resumes/{failed}/export",
            409,
            "conflict",
        )
        .says("only a ready resume"),
        case(
            "export of another owner's resume",
            M::GET,
            "/v1/resumes/{foreign}/export",
            404,
            "not_found",
        ),
        case(
            "export job unknown field",
            M::POST,
            "/v1/resumes/{id}/exports",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"colour": "red"}"#)
        .says("colour"),
        case(
            "export job plain format",
            M::POST,
            "/v1/resumes/{id}/exports",
            400,
            "bad_request",
        )
        .body(CT_JSON, r#"{"format": "md"}"#)
        .says("pdf, docx or png"),
        case(
            "export job of a failed resume",
            M::POST,
            "/v1/resumes/{failed}/exports",
            409,
            "conflict",
        )
        .body(CT_JSON, "{}"),
        case(
            "export job not JSON",
            M::POST,
            "/v1/resumes/{id}/exports",
            415,
            "unsupported_media_type",
        )
        .body(CT_TXT, "pdf"),
        case(
            "export id not a UUID",
            M::GET,
            "/v1/exports/nope",
            400,
            "bad_request",
        ),
        case(
            "unknown export",
            M::GET,
            "/v1/exports/{uuid}",
            404,
            "not_found",
        ),
        case(
            "unknown export file",
            M::GET,
            "/v1/exports/{uuid}/file",
            404,
            "not_found",
        ),
        case(
            "unknown export stream",
            M::GET,
            "/v1/exports/{uuid}/events",
            404,
            "not_found",
        ),
        case("templates", M::GET, "/v1/templates", 200, ""),
        case(
            "preview of an unknown template",
            M::GET,
            "/v1/templates/fancy/preview.png",
            400,
            "bad_request",
        )
        .auth(Auth::None)
        .says("classic"),
    ]
}

/// Cases whose answer is right in more than one way.
pub fn loose() -> Vec<Case> {
    vec![case(
        "export a ready resume as Markdown",
        M::GET,
        "/v1/resumes/{scratch}/export?format=md",
        0,
        "",
    )]
}
