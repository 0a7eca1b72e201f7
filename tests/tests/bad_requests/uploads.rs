//! `POST /v1/resumes`: missing, wrong, lying and empty content types, broken
//! multipart, file names with paths in them, encodings, and bodies over the
//! upload limit (declared and chunked).

use reqwest::Method as M;

use super::*;

/// Each with the one right status and error code.
pub fn strict() -> Vec<Case> {
    let md = fixture("resume.md");
    let pdf = fixture("resume.pdf");
    let docx = fixture("resume.docx");
    let mp_ct: &'static str = "multipart/form-data; boundary=XyZzY";
    vec![
        case(
            "empty upload",
            M::POST,
            "/v1/resumes?filename=a.txt",
            400,
            "bad_request",
        )
        .body(CT_TXT, ""),
        case(
            "empty pdf upload",
            M::POST,
            "/v1/resumes?filename=a.pdf",
            400,
            "bad_request",
        )
        .body(CT_PDF, ""),
        case(
            "text declared as pdf",
            M::POST,
            "/v1/resumes?filename=a.pdf",
            415,
            "unsupported_media_type",
        )
        .body(CT_PDF, md.clone())
        .says("declared as PDF"),
        case(
            "pdf declared as docx",
            M::POST,
            "/v1/resumes?filename=a.docx",
            415,
            "unsupported_media_type",
        )
        .body(CT_DOCX, pdf.clone()),
        case(
            "zip junk declared as pdf",
            M::POST,
            "/v1/resumes?filename=a.pdf",
            415,
            "unsupported_media_type",
        )
        .body(CT_PDF, ZIP),
        case(
            "png",
            M::POST,
            "/v1/resumes?filename=a.png",
            415,
            "unsupported_media_type",
        )
        .body("image/png", PNG),
        case(
            "png declared as text",
            M::POST,
            "/v1/resumes?filename=a.txt",
            415,
            "unsupported_media_type",
        )
        .body(CT_TXT, PNG),
        case(
            "docx declared as markdown",
            M::POST,
            "/v1/resumes?filename=a.md",
            415,
            "unsupported_media_type",
        )
        .body(CT_MD, docx.clone()),
        case(
            "unknown type",
            M::POST,
            "/v1/resumes?filename=a.bin",
            415,
            "unsupported_media_type",
        )
        .body("application/octet-stream", b"\x00\x01\x02\x03".to_vec()),
        case(
            "oversize raw",
            M::POST,
            "/v1/resumes?filename=big.txt",
            413,
            "payload_too_large",
        )
        .body(CT_TXT, vec![b'a'; LIMIT + 1]),
        case(
            "oversize multipart",
            M::POST,
            "/v1/resumes",
            413,
            "payload_too_large",
        )
        .body(
            mp_ct,
            multipart("XyZzY", "file", "big.txt", CT_TXT, &vec![b'a'; LIMIT + 10]),
        ),
        case(
            "multipart without a file field",
            M::POST,
            "/v1/resumes",
            400,
            "bad_request",
        )
        .body(mp_ct, multipart("XyZzY", "other", "a.md", CT_MD, &md)),
        case(
            "multipart with an empty file",
            M::POST,
            "/v1/resumes",
            400,
            "bad_request",
        )
        .body(mp_ct, multipart("XyZzY", "file", "a.md", CT_MD, b"")),
        case(
            "multipart png",
            M::POST,
            "/v1/resumes",
            415,
            "unsupported_media_type",
        )
        .body(mp_ct, multipart("XyZzY", "file", "a.png", "image/png", PNG)),
        case(
            "multipart lying type",
            M::POST,
            "/v1/resumes",
            415,
            "unsupported_media_type",
        )
        .body(mp_ct, multipart("XyZzY", "file", "a.pdf", CT_PDF, &md)),
        case(
            "multipart garbage body",
            M::POST,
            "/v1/resumes",
            400,
            "bad_request",
        )
        .body(mp_ct, "this is not multipart at all"),
        case(
            "legacy .doc declared as msword",
            M::POST,
            "/v1/resumes?filename=cv.doc",
            415,
            "unsupported_media_type",
        )
        .body("application/msword", OLE2),
        case(
            "legacy .doc without a type",
            M::POST,
            "/v1/resumes?filename=cv.doc",
            415,
            "unsupported_media_type",
        )
        .raw_body(OLE2),
        case(
            "legacy .doc declared as docx",
            M::POST,
            "/v1/resumes?filename=cv.docx",
            415,
            "unsupported_media_type",
        )
        .body(CT_DOCX, OLE2)
        .says(".docx"),
        case(
            "UTF-16 text declared as text",
            M::POST,
            "/v1/resumes?filename=cv.txt",
            415,
            "unsupported_media_type",
        )
        .body(
            "text/plain; charset=utf-16",
            "Zoë Lindqvist\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect::<Vec<u8>>(),
        ),
        ok_case(
            "multipart file name with a path",
            M::POST,
            "/v1/resumes",
            202,
        )
        .body(
            mp_ct,
            multipart("XyZzY", "file", "..\\..\\../../cv.md", CT_MD, &md),
        )
        .check(|v| want_filename(v, "cv.md")),
        case(
            "invalid UTF-8 declared as text",
            M::POST,
            "/v1/resumes?filename=cv.txt",
            415,
            "unsupported_media_type",
        )
        .body(CT_TXT, b"Zo\xeb Lindqvist\n".to_vec()),
        case(
            "latin-1 charset is still not UTF-8",
            M::POST,
            "/v1/resumes?filename=cv.txt",
            415,
            "unsupported_media_type",
        )
        .body("text/plain; charset=iso-8859-1", b"Zo\xeb Lindqvist\n".to_vec()),
        case(
            "NUL bytes declared as markdown",
            M::POST,
            "/v1/resumes?filename=cv.md",
            415,
            "unsupported_media_type",
        )
        .body(CT_MD, b"# Zo\x00\x00\n".to_vec()),
        case(
            "a JSON list declared as JSON",
            M::POST,
            "/v1/resumes?filename=cv.json",
            415,
            "unsupported_media_type",
        )
        .body(CT_JSON, r#"[{"basics": {"name": "x"}}]"#),
        case(
            "JSON nested 10,000 deep declared as JSON",
            M::POST,
            "/v1/resumes?filename=cv.json",
            415,
            "unsupported_media_type",
        )
        .body(CT_JSON, nested_under("basics", 10_000)),
        case(
            "html upload",
            M::POST,
            "/v1/resumes?filename=cv.html",
            415,
            "unsupported_media_type",
        )
        .body("text/html", "<h1>Zoë</h1>"),
        case(
            "svg upload",
            M::POST,
            "/v1/resumes?filename=cv.svg",
            415,
            "unsupported_media_type",
        )
        .body("image/svg+xml", "<svg/>"),
        case(
            "multipart/mixed upload",
            M::POST,
            "/v1/resumes",
            415,
            "unsupported_media_type",
        )
        .body(
            "multipart/mixed; boundary=XyZzY",
            multipart("XyZzY", "file", "a.md", CT_MD, &md),
        ),
        case(
            "gzip garbage upload",
            M::POST,
            "/v1/resumes?filename=cv.txt",
            415,
            "unsupported_media_type",
        )
        .body(CT_TXT, GZIP_GARBAGE)
        .header("content-encoding", "gzip"),
        case(
            "exe declared as octet-stream",
            M::POST,
            "/v1/resumes?filename=cv.exe",
            415,
            "unsupported_media_type",
        )
        .body("application/octet-stream", b"MZ\x90\x00\x03\x00\x00\x00".to_vec()),
        case(
            "multipart without boundary (strict)",
            M::POST,
            "/v1/resumes",
            400,
            "bad_request",
        )
        .body("multipart/form-data", "--x\r\n\r\n"),
        case(
            "multipart with an empty boundary",
            M::POST,
            "/v1/resumes",
            400,
            "bad_request",
        )
        .body("multipart/form-data; boundary=", multipart("", "file", "a.md", CT_MD, &md))
        .says("boundary"),
        case(
            "multipart truncated in the file",
            M::POST,
            "/v1/resumes",
            400,
            "bad_request",
        )
        .body(mp_ct, {
            let full = multipart("XyZzY", "file", "a.md", CT_MD, &md);
            full[..full.len() / 2].to_vec()
        }),
        case(
            "multipart without the closing boundary",
            M::POST,
            "/v1/resumes",
            400,
            "bad_request",
        )
        .body(mp_ct, {
            let mut b = b"--XyZzY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.md\"\r\nContent-Type: text/markdown\r\n\r\n".to_vec();
            b.extend_from_slice(&md);
            b
        }),
        case(
            "multipart with another boundary in the body",
            M::POST,
            "/v1/resumes",
            400,
            "bad_request",
        )
        .body(mp_ct, multipart("Other", "file", "a.md", CT_MD, &md)),
        case(
            "multipart part without headers end",
            M::POST,
            "/v1/resumes",
            400,
            "bad_request",
        )
        .body(
            mp_ct,
            "--XyZzY\r\nContent-Disposition: form-data; name=\"file\"\r\n--XyZzY--\r\n",
        ),
        case(
            "multipart with the file field misnamed",
            M::POST,
            "/v1/resumes",
            400,
            "bad_request",
        )
        .body(mp_ct, multipart("XyZzY", "File", "a.md", CT_MD, &md))
        .says("`file`"),
        case(
            "multipart file field empty, second one full",
            M::POST,
            "/v1/resumes",
            400,
            "bad_request",
        )
        .body(mp_ct, {
            let mut b = multipart("XyZzY", "file", "a.md", CT_MD, b"");
            // Drop the closing `--` line and add a second `file` part.
            b.truncate(b.len() - "--XyZzY--\r\n".len());
            b.extend_from_slice(&multipart("XyZzY", "file", "b.md", CT_MD, &md)[..]);
            b
        }),
        case(
            "multipart file over the limit within the framing allowance",
            M::POST,
            "/v1/resumes",
            413,
            "payload_too_large",
        )
        .body(
            mp_ct,
            multipart("XyZzY", "file", "big.txt", CT_TXT, &vec![b'a'; LIMIT + 1]),
        ),
        case(
            "oversize raw, chunked",
            M::POST,
            "/v1/resumes?filename=big.txt",
            413,
            "payload_too_large",
        )
        .body(CT_TXT, vec![b'a'; LIMIT + 16 * 1024 + 1])
        .chunked()
        .says("65536"),
        case(
            "oversize multipart, chunked",
            M::POST,
            "/v1/resumes",
            413,
            "payload_too_large",
        )
        .body(
            mp_ct,
            multipart("XyZzY", "file", "big.txt", CT_TXT, &vec![b'a'; LIMIT + 20_000]),
        )
        .chunked(),
        case(
            "size checked before the type",
            M::POST,
            "/v1/resumes?filename=big.png",
            413,
            "payload_too_large",
        )
        .body("image/png", vec![0u8; LIMIT + 20_000]),
        ok_case(
            "file name with a path",
            M::POST,
            "/v1/resumes?filename=..%2F..%2Fetc%2Fpasswd.md",
            202,
        )
        .body(CT_MD, md.clone())
        .check(|v| want_filename(v, "passwd.md")),
        ok_case(
            "file name with backslashes",
            M::POST,
            "/v1/resumes?filename=..%5C..%5Cwindows%5Cevil.md",
            202,
        )
        .body(CT_MD, md.clone())
        .check(|v| want_filename(v, "evil.md")),
        ok_case(
            "file name with a NUL and control characters",
            M::POST,
            "/v1/resumes?filename=cv%00%0d%0a%1b.md",
            202,
        )
        .body(CT_MD, md.clone())
        // The one name cleaner drops the NUL and the escape and turns the
        // line break into one space (vitae_common::clean::clean_name).
        .check(|v| want_filename(v, "cv .md")),
        ok_case(
            "file name of 10 KB",
            M::POST,
            "/v1/resumes?filename={10k}.md",
            202,
        )
        .body(CT_MD, md.clone())
        .check(|v| {
            let n = v["filename"].as_str().map_or(0, |s| s.chars().count());
            (n == 200)
                .then_some(())
                .ok_or(format!("filename should be cut to 200 characters, is {n}"))
        }),
        ok_case(
            "file name with bad percent-encoding",
            M::POST,
            "/v1/resumes?filename=%zz.md",
            202,
        )
        .body(CT_MD, md.clone())
        .check(|v| want_filename(v, "%zz.md")),
        ok_case(
            "file name that is only a separator",
            M::POST,
            "/v1/resumes?filename=%2F",
            202,
        )
        .body(CT_MD, md.clone())
        .check(|v| want_filename(v, "resume.md")),
    ]
}

/// Judgment calls: any of the listed answers, never a 5xx.
pub fn loose() -> Vec<Case> {
    vec![
        case(
            "upload without content type",
            M::POST,
            "/v1/resumes?filename=a.md",
            0,
            "",
        )
        .raw_body(fixture("resume.md"))
        .loose(&[202, 400, 415]),
        case(
            "upload invalid json declared json",
            M::POST,
            "/v1/resumes?filename=a.json",
            0,
            "",
        )
        .body(CT_JSON, "{not json")
        .loose(&[202, 400, 415, 422]),
        case(
            "filename with a path",
            M::POST,
            "/v1/resumes?filename=../../etc/passwd",
            0,
            "",
        )
        .body(CT_TXT, "Zoë Lindqvist\nzoe.lindqvist@example.com\n")
        .loose(&[202, 400]),
        case("multipart without boundary", M::POST, "/v1/resumes", 0, "")
            .body("multipart/form-data", "--x\r\n\r\n")
            .loose(&[400, 415]),
        case(
            "duplicate content types on an upload",
            M::POST,
            "/v1/resumes?filename=cv.md",
            0,
            "",
        )
        .header("content-type", CT_PDF)
        .header("content-type", CT_MD)
        .raw_body(fixture("resume.md"))
        .loose(&[400, 415]),
        case(
            "repeated filename",
            M::POST,
            "/v1/resumes?filename=a.md&filename=b.pdf",
            0,
            "",
        )
        .body(CT_MD, fixture("resume.md"))
        .loose(&[202, 400]),
        case(
            "upload with an empty content type",
            M::POST,
            "/v1/resumes?filename=cv.md",
            0,
            "",
        )
        .body("", fixture("resume.md"))
        .loose(&[202, 400, 415]),
    ]
}
