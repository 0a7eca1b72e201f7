//! Export over plain HTTP, against the real server: `GET /v1/templates` and
//! the public previews; `GET /v1/resumes/{id}/export` in every format and
//! every template (type, `Content-Disposition` file name, magic bytes,
//! content); the strong `ETag` with `If-None-Match` → 304 and a new tag
//! after an edit; the export cache (`X-Vitae-Cache` miss, then hit with the
//! same bytes, also after a restart) and byte-for-byte determinism across
//! two servers; a resume made of Typst syntax printed literally; the page
//! limit (422, and the server stays healthy); the 400/404/409 errors; and
//! share links that serve the PDF and DOCX in their own template.
//!
//! One shared server for most of the file, each test with its own user and
//! its own document (the cache is keyed by content, so no two tests meet
//! each other's files); the tests that restart or compare servers start
//! their own.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::Value;
use vitae_tests::*;

fn server() -> &'static TestServer {
    shared_server(&[])
}

/// Bound on a fresh file reaching the export cache after it was served.
const CACHE_WRITE: Duration = Duration::from_secs(5);

#[tokio::test]
async fn templates_are_listed_with_public_previews() {
    let api = server().user("tpl").await;
    let list = list_templates(&api).await;
    let mut ids: Vec<&str> = list.iter().filter_map(|t| t["id"].as_str()).collect();
    ids.sort_unstable();
    let mut want = TEMPLATE_IDS.to_vec();
    want.sort_unstable();
    assert_eq!(ids, want, "the six templates: {list:#?}");
    for t in &list {
        let id = t["id"].as_str().unwrap();
        for format in ["pdf", "docx"] {
            assert!(
                t["formats"].as_array().unwrap().iter().any(|f| f == format),
                "{id} exports {format}: {t}"
            );
        }
        // The preview is public: a picker shows it as a plain <img>, which
        // cannot send a bearer token.
        let url = t["preview_url"].as_str().unwrap();
        let path = url.strip_prefix(api.base()).unwrap_or(url);
        assert!(path.starts_with('/'), "preview_url {url:?}");
        let r = api.without_token().get(path).await;
        assert_eq!(r.status, 200, "{id} preview {path}: {}", r.text());
        assert_eq!(
            r.header("content-type").as_deref(),
            Some("image/png"),
            "{id} preview"
        );
        assert_magic(&r.body, "png");
    }
    // The list itself is private like the rest of /v1.
    api.without_token()
        .get("/v1/templates")
        .await
        .assert_error(401, "unauthorized");
}

#[tokio::test]
async fn every_format_in_every_template() {
    let api = server().user("allfmt").await;
    let templates = list_templates(&api).await;
    assert_eq!(templates.len(), TEMPLATE_IDS.len(), "{templates:#?}");
    let name = "Zoë Lindqvist";
    let doc = sample_document(name, "every format in every template");
    let id = import_document(&api, &doc, "allfmt.json").await;
    let stored = api.resume(&id).await["document"].clone();

    for t in &templates {
        let template = t["id"].as_str().expect("template id");
        for format in EXPORT_FORMATS {
            let what = format!("{format} in {template}");
            let r = export_ok(&api, &id, &[("format", format), ("template", template)]).await;
            assert_export_headers(&r, format, name, template);
            assert_magic(&r.body, format);
            strong_etag(&r);
            if TYPESET_FORMATS.contains(&format) {
                let pages = r.header("x-vitae-pages").unwrap_or_default();
                assert!(
                    pages.parse::<u32>().is_ok_and(|p| p >= 1),
                    "{what}: X-Vitae-Pages {pages:?}"
                );
                let cache = r.header("x-vitae-cache").unwrap_or_default();
                assert!(
                    cache == "hit" || cache == "miss",
                    "{what}: X-Vitae-Cache {cache:?}"
                );
            }
            match format {
                "pdf" => {
                    let text = flatten(&pdf_text(&r.body));
                    assert!(text.contains(name), "{what}: name not in the text: {text}");
                    assert!(
                        text.contains("Nordlys Systems AB"),
                        "{what}: employer not in the text: {text}"
                    );
                }
                "html" | "md" => {
                    let body = r.text();
                    assert!(body.contains(name), "{what}: no name in {body}");
                    assert!(body.contains("Nordlys Systems AB"), "{what}: {body}");
                }
                "json" => assert_eq!(r.json(), stored, "{what}: the JSON is the document"),
                _ => {}
            }
        }
    }

    // The defaults are PDF in the classic template.
    let r = export_ok(&api, &id, &[]).await;
    assert_export_headers(&r, "pdf", name, "classic");
    assert_magic(&r.body, "pdf");
}

#[tokio::test]
async fn etag_gives_304_and_changes_after_an_edit() {
    let api = server().user("etag").await;
    let doc = sample_document("Etag Person", "etag");
    let id = import_document(&api, &doc, "etag.json").await;
    let q = [("format", "pdf"), ("template", "classic")];

    let first = export_ok(&api, &id, &q).await;
    let etag = strong_etag(&first);
    let r = get_export_if_none_match(&api, &id, &q, &etag).await;
    assert_eq!(r.status, 304, "If-None-Match with the ETag: {}", r.text());
    assert!(
        r.body.is_empty(),
        "a 304 has no body: {} bytes",
        r.body.len()
    );
    assert_eq!(r.header("etag").as_deref(), Some(etag.as_str()));
    // A list naming it matches too (RFC 9110).
    let r = get_export_if_none_match(&api, &id, &q, &format!("\"nope\", {etag}")).await;
    assert_eq!(r.status, 304, "If-None-Match list: {}", r.text());
    // A tag for other bytes does not.
    let r = get_export_if_none_match(&api, &id, &q, "\"0000\"").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, first.body);
    // Other options are another file with another tag.
    let letter = export_ok(&api, &id, &[("format", "pdf"), ("paper", "letter")]).await;
    assert_ne!(strong_etag(&letter), etag, "letter and A4 share an ETag");

    // Edit the document at the revision we read.
    let revision = api.resume(&id).await["revision"].as_u64().unwrap();
    let r = api
        .patch(
            &format!("/v1/resumes/{id}"),
            &json!({"basics": {"label": "Principal Engineer"}}),
            Some(&revision.to_string()),
        )
        .await;
    assert_eq!(r.status, 200, "PATCH: {}", r.text());

    let after = get_export_if_none_match(&api, &id, &q, &etag).await;
    assert_eq!(
        after.status, 200,
        "the old ETag must not match the edited resume's export"
    );
    let new_etag = strong_etag(&after);
    assert_ne!(new_etag, etag, "the ETag changes with the document");
    assert_ne!(after.body, first.body);
    assert!(
        flatten(&pdf_text(&after.body)).contains("Principal Engineer"),
        "the export shows the edit"
    );
    let r = get_export_if_none_match(&api, &id, &q, &new_etag).await;
    assert_eq!(r.status, 304, "the new ETag matches: {}", r.text());
}

#[tokio::test]
async fn cache_miss_then_hit_and_it_survives_a_restart() {
    let mut srv = TestServer::start();
    let api = srv.admin();
    let doc = sample_document("Cache Person", "cache");
    let id = import_document(&api, &doc, "cache.json").await;

    let mut first = Vec::new();
    for (format, template) in [("pdf", "modern"), ("docx", "ats"), ("png", "timeline")] {
        let q = [("format", format), ("template", template)];
        let a = export_ok(&api, &id, &q).await;
        assert_eq!(
            a.header("x-vitae-cache").as_deref(),
            Some("miss"),
            "{format}: first render"
        );
        // The server stores a fresh file after answering with it, and
        // serves a request right behind the first from the file on its way
        // into the cache: a hit, never a second render.
        let b = export_ok(&api, &id, &q).await;
        assert_eq!(
            b.header("x-vitae-cache").as_deref(),
            Some("hit"),
            "{format}: the repeat right behind the first"
        );
        assert_eq!(strong_etag(&a), strong_etag(&b));
        assert_eq!(a.body, b.body, "{format}: the cached file is the same file");
        first.push((q, a));
    }

    // The three files reach the store in the background: wait for the
    // three cache writes (the metrics count them) before the restart.
    let writes =
        r#"vitae_store_operation_duration_seconds_count{operation="cache_export",outcome="ok"} "#;
    let deadline = Instant::now() + CACHE_WRITE;
    loop {
        let metrics = api.get("/metrics").await.text();
        let done = metrics
            .lines()
            .find_map(|l| l.strip_prefix(writes))
            .and_then(|n| n.trim().parse::<f64>().ok())
            .unwrap_or(0.0);
        if done >= 3.0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{done} of 3 cache writes after {CACHE_WRITE:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    srv.stop().await;
    srv.restart();
    let api = srv.admin();
    for (q, before) in &first {
        let r = export_ok(&api, &id, q).await;
        assert_eq!(
            r.header("x-vitae-cache").as_deref(),
            Some("hit"),
            "{q:?}: the export cache is kept in the data dir"
        );
        assert_eq!(
            r.body, before.body,
            "{q:?}: the same bytes after the restart"
        );
        assert_eq!(strong_etag(&r), strong_etag(before));
    }
}

#[tokio::test]
async fn equal_input_gives_equal_bytes_on_two_servers() {
    // Two servers, two stores: both render from scratch (a miss each), so
    // equal bytes mean the render is deterministic, not that a cache
    // answered twice.
    let a = TestServer::start();
    let b = TestServer::start();
    let doc = sample_document("Determinism Person", "determinism");
    let id_a = import_document(&a.admin(), &doc, "same.json").await;
    let id_b = import_document(&b.admin(), &doc, "same.json").await;
    for (format, template) in [("pdf", "classic"), ("pdf", "modern"), ("docx", "academic")] {
        let q = [("format", format), ("template", template)];
        let ra = export_ok(&a.admin(), &id_a, &q).await;
        let rb = export_ok(&b.admin(), &id_b, &q).await;
        for r in [&ra, &rb] {
            assert_eq!(r.header("x-vitae-cache").as_deref(), Some("miss"), "{q:?}");
        }
        assert!(
            ra.body == rb.body,
            "{format} in {template}: {} and {} bytes, not the same file",
            ra.body.len(),
            rb.body.len()
        );
        assert_eq!(
            strong_etag(&ra),
            strong_etag(&rb),
            "{q:?}: content-hash ETags"
        );
    }
}

/// Typst syntax in every kind of field.
const INJECTION: [&str; 9] = [
    r#"#read("/etc/passwd")"#,
    r#"#import "x.typ""#,
    "$x$",
    "a ] b",
    r"back\slash",
    "@ref",
    "<label>",
    "// not a comment",
    "/* not a comment */",
];

#[tokio::test]
async fn typst_syntax_in_a_resume_is_printed_literally() {
    let api = server().user("inject").await;
    let doc = json!({
        "basics": {
            "name": "Mallory Example",
            "label": INJECTION[0],
            "email": "mallory@example.com",
            "summary": INJECTION[1]
        },
        "work": [{
            "name": INJECTION[2],
            "position": INJECTION[3],
            "startDate": "2020-01",
            // One per line: a long run of them could be hyphenated at a
            // line end, which is the layout's business, not an injection.
            "highlights": INJECTION.iter().map(|s| format!("item {s}")).collect::<Vec<_>>()
        }],
        "skills": [{"name": INJECTION[4], "keywords": [INJECTION[5], INJECTION[6]]}],
        "references": [{"name": INJECTION[7], "reference": INJECTION[8]}]
    });
    let id = import_document(&api, &doc, "inject.json").await;
    // What the first line of the server's /etc/passwd would put in the PDF.
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let first_entry = passwd.lines().next().unwrap_or("root:x:0:0").to_string();
    for template in TEMPLATE_IDS {
        let r = export_ok(&api, &id, &[("format", "pdf"), ("template", template)]).await;
        assert_magic(&r.body, "pdf");
        let text = flatten(&pdf_text(&r.body));
        for s in INJECTION {
            assert!(
                text.contains(&format!("item {s}")),
                "{template}: {s:?} is not printed literally in:\n{text}"
            );
        }
        for leak in ["root:x:0", first_entry.as_str()] {
            assert!(
                !text.contains(leak),
                "{template}: the PDF holds {leak:?} from /etc/passwd:\n{text}"
            );
        }
    }
}

#[tokio::test]
async fn a_sixty_page_resume_is_refused_and_the_server_stays_healthy() {
    let api = server().user("long").await;
    let id = import_document(&api, &long_document("Long Career", 400), "long.json").await;
    for format in ["pdf", "docx"] {
        let r = get_export(&api, &id, &[("format", format), ("template", "classic")]).await;
        let v = r.assert_error(422, "unprocessable");
        let message = v["error"]["message"].as_str().unwrap().to_lowercase();
        assert!(
            message.contains("page")
                && message.contains("limit")
                && message.contains(char::is_numeric),
            "{format}: the message names the page limit: {message:?}"
        );
        assert_healthz_quickly(&api, Duration::from_secs(2)).await;
    }
    // And a normal export right after still works.
    let small = import_document(
        &api,
        &sample_document("After Long", "after long"),
        "small.json",
    )
    .await;
    let r = export_ok(&api, &small, &[("format", "pdf")]).await;
    assert_magic(&r.body, "pdf");
}

#[tokio::test]
async fn bad_options_are_400_naming_the_valid_values() {
    let api = server().user("badopt").await;
    let id = import_document(
        &api,
        &sample_document("Options Person", "bad options"),
        "opt.json",
    )
    .await;

    let cases: [(&str, &str, &[&str]); 9] = [
        ("template", "fancy", &TEMPLATE_IDS),
        (
            "format",
            "odt",
            &["pdf", "docx", "png", "html", "md", "json"],
        ),
        ("paper", "a5", &["a4", "letter"]),
        ("accent", "blue", &["#rrggbb"]),
        ("accent", "#12345", &["#rrggbb"]),
        ("font_size", "40", &["7", "14"]),
        ("font_size", "tiny", &["7", "14"]),
        ("fit", "two-pages", &["one-page"]),
        (
            "colour",
            "red",
            &["format", "template", "paper", "accent", "font_size", "fit"],
        ),
    ];
    for (key, value, named) in cases {
        let r = get_export(&api, &id, &[(key, value)]).await;
        let v = r.assert_error(400, "bad_request");
        let message = v["error"]["message"].as_str().unwrap().to_lowercase();
        for n in named {
            assert!(
                message.contains(n),
                "GET {key}={value}: the message should name {n:?}: {message:?}"
            );
        }
    }

    // The same checks on the body of POST …/exports.
    let bodies: [(Value, &[&str]); 7] = [
        (json!({"template": "fancy"}), &TEMPLATE_IDS),
        (json!({"format": "odt"}), &["pdf", "docx"]),
        (json!({"paper": "a5"}), &["a4", "letter"]),
        (json!({"accent": "blue"}), &["#rrggbb"]),
        (json!({"font_size": 40}), &["7", "14"]),
        (json!({"fit": "two-pages"}), &["one-page"]),
        (json!({"colour": "red"}), &["colour"]),
    ];
    let path = format!("/v1/resumes/{id}/exports");
    for (body, named) in bodies {
        let r = api.post_json(&path, &body).await;
        let v = r.assert_error(400, "bad_request");
        let message = v["error"]["message"].as_str().unwrap().to_lowercase();
        for n in named {
            assert!(
                message.contains(n),
                "POST {body}: the message should name {n:?}: {message:?}"
            );
        }
    }
    // Not JSON at all.
    let r = api
        .send(
            api.request(Method::POST, &path)
                .header("content-type", "application/json")
                .body("{\"format\": "),
        )
        .await;
    r.assert_error(400, "bad_request");
}

#[tokio::test]
async fn failed_unknown_and_foreign_resumes() {
    let api = server().user("nr").await;
    // A resume whose parse failed has nothing to export.
    let bad = api.upload_fixture("corrupt.pdf").await;
    let bad_id = bad["id"].as_str().unwrap().to_string();
    assert_eq!(api.wait_terminal(&bad_id).await["status"], "failed");
    let v = get_export(&api, &bad_id, &[("format", "pdf")])
        .await
        .assert_error(409, "conflict");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains("failed"), "the 409 says why: {message:?}");
    api.post_json(&format!("/v1/resumes/{bad_id}/exports"), &json!({}))
        .await
        .assert_error(409, "conflict");

    // An id nobody has.
    let unknown = uuid::Uuid::new_v4();
    get_export(&api, &unknown.to_string(), &[])
        .await
        .assert_error(404, "not_found");
    api.post_json(&format!("/v1/resumes/{unknown}/exports"), &json!({}))
        .await
        .assert_error(404, "not_found");

    // Somebody else's resume is as unknown as that.
    let other = server().user("nr-other").await;
    let theirs = import_document(
        &other,
        &sample_document("Other Person", "foreign"),
        "o.json",
    )
    .await;
    get_export(&api, &theirs, &[])
        .await
        .assert_error(404, "not_found");
    api.post_json(&format!("/v1/resumes/{theirs}/exports"), &json!({}))
        .await
        .assert_error(404, "not_found");
    // And without a token there is no answer about it at all.
    get_export(&api.without_token(), &theirs, &[])
        .await
        .assert_error(401, "unauthorized");
}

/// With one parse worker and slow documents queued ahead, a fresh upload is
/// still pending when its export is asked for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resume_still_parsing_is_409() {
    let srv = TestServer::start_with(&["--workers", "1"]);
    let api = srv.user("pending").await;
    for i in 0..8 {
        api.upload_fixture(["resume.pdf", "resume.docx"][i % 2])
            .await;
    }
    let v = api.upload_fixture("resume.md").await;
    let id = v["id"].as_str().unwrap().to_string();
    let get = get_export(&api, &id, &[("format", "pdf")]).await;
    let post = api
        .post_json(&format!("/v1/resumes/{id}/exports"), &json!({}))
        .await;
    // The status only moves forward: unfinished now means unfinished when
    // the two requests were answered.
    let status = api.resume(&id).await["status"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        status == "pending" || status == "parsing",
        "the queue did not hold the resume back (it is {status}); the test proves nothing"
    );
    for (what, r) in [("GET export", get), ("POST exports", post)] {
        let v = r.assert_error(409, "conflict");
        let message = v["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("pending") || message.contains("parsing") || message.contains("ready"),
            "{what}: the 409 says the resume is not ready: {message:?}"
        );
    }
    // Once parsed, it exports.
    assert_eq!(api.wait_terminal(&id).await["status"], "ready");
    let r = export_ok(&api, &id, &[("format", "pdf")]).await;
    assert_magic(&r.body, "pdf");
}

/// `GET /s/{token}` with `Accept`.
async fn share_get(anon: &Api, token: &str, query: &str, accept: &str) -> Resp {
    anon.send(
        anon.request(Method::GET, &format!("/s/{token}{query}"))
            .header("accept", accept),
    )
    .await
}

async fn access_count(api: &Api, resume_id: &str, token: &str) -> u64 {
    let shares = api.shares(resume_id).await;
    let share = shares
        .iter()
        .find(|s| s["token"] == token)
        .unwrap_or_else(|| panic!("share {token} not listed: {shares:?}"));
    share["access_count"].as_u64().expect("access_count")
}

#[tokio::test]
async fn share_links_serve_pdf_and_docx_in_their_template() {
    let api = server().user("sharefmt").await;
    let name = "Share Person";
    let id = import_document(&api, &sample_document(name, "share formats"), "share.json").await;
    let share = api
        .share(
            &id,
            &json!({"template": "modern", "options": {"paper": "letter"}}),
        )
        .await;
    assert_share_shape(&share);
    assert_eq!(share["template"], "modern", "{share}");
    assert_eq!(share["options"]["paper"], "letter", "{share}");
    let token = share["token"].as_str().unwrap().to_string();
    let anon = api.without_token();
    assert_eq!(access_count(&api, &id, &token).await, 0);

    // The PDF, in the share's template and paper.
    let r = share_get(&anon, &token, "?format=pdf", "*/*").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_export_headers(&r, "pdf", name, "modern");
    assert_magic(&r.body, "pdf");
    let info = pdf_info(&r.body);
    assert!(
        info.contains("612 x 792"),
        "the share's PDF is on US letter paper:\n{info}"
    );
    assert!(flatten(&pdf_text(&r.body)).contains(name));
    assert_eq!(
        access_count(&api, &id, &token).await,
        1,
        "a download is a view"
    );
    // The owner's own export with the same choices is the same file.
    let own = export_ok(
        &api,
        &id,
        &[
            ("format", "pdf"),
            ("template", "modern"),
            ("paper", "letter"),
        ],
    )
    .await;
    assert_eq!(
        pdf_info(&own.body)
            .lines()
            .find(|l| l.starts_with("Pages:")),
        info.lines().find(|l| l.starts_with("Pages:")),
        "the share's PDF has as many pages as the owner's"
    );

    // The DOCX too.
    let r = share_get(&anon, &token, "?format=docx", "*/*").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_export_headers(&r, "docx", name, "modern");
    assert_magic(&r.body, "docx");
    assert_eq!(
        access_count(&api, &id, &token).await,
        1,
        "one client counts once an hour"
    );

    // The page a browser gets links to the PDF.
    let r = share_get(&anon, &token, "", "text/html").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let page = r.text();
    assert!(
        page.contains("Download PDF"),
        "no Download PDF link: {page}"
    );
    assert!(
        page.contains("?format=pdf\""),
        "the link points at ?format=pdf: {page}"
    );
    assert_eq!(access_count(&api, &id, &token).await, 1);

    // A share made without a template uses the default one.
    let plain = api.share(&id, &json!({})).await;
    assert_eq!(plain["template"], "classic", "{plain}");
    let plain_token = plain["token"].as_str().unwrap();
    let r = share_get(&anon, plain_token, "?format=pdf", "*/*").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_export_headers(&r, "pdf", name, "classic");
    let info = pdf_info(&r.body);
    assert!(
        info.contains("595") && info.contains("841"),
        "the default paper is A4 (595 x 842 pt):\n{info}"
    );

    // An unknown template is refused when the share is made.
    let r = api
        .post_json(
            &format!("/v1/resumes/{id}/shares"),
            &json!({"template": "fancy"}),
        )
        .await;
    let v = r.assert_error(400, "bad_request");
    let message = v["error"]["message"].as_str().unwrap();
    for t in TEMPLATE_IDS {
        assert!(message.contains(t), "the 400 names {t}: {message:?}");
    }

    // Revoked: gone in every form.
    let r = api.delete(&format!("/v1/shares/{token}")).await;
    assert_eq!(r.status, 200, "revoke: {}", r.text());
    for query in ["?format=pdf", "?format=docx"] {
        let r = share_get(&anon, &token, query, "*/*").await;
        assert_eq!(r.status, 410, "{query} of a revoked share: {}", r.text());
        assert!(
            !r.body.starts_with(b"%PDF") && !r.body.starts_with(b"PK"),
            "{query}: no file after the revoke"
        );
    }
}
