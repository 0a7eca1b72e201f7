//! The share page as a recruiter's browser gets it, end to end against the
//! real server: every JSON Resume section that has content, under its
//! heading; links only with `http:`, `https:`, `mailto:` or `tel:`; link
//! preview tags without contact details; the exact CSP; `?format=` over
//! `Accept`; friendly 404 and 410 pages for browsers and the JSON error for
//! everyone else; hostile values in every field rendered inert.
//!
//! One server for the whole file; each test uses its own fresh user. The
//! checks read the HTML as text with a small tag scanner (the page is
//! generated, so its tags are regular); a real browser renders the same page
//! in the Chromium tests.

use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use vitae_tests::*;

fn server() -> &'static TestServer {
    shared_server(&[])
}

/// JSON Resume keys of the sections, with the heading each gets.
const SECTIONS: [(&str, &str); 12] = [
    ("summary", "Summary"),
    ("work", "Experience"),
    ("education", "Education"),
    ("projects", "Projects"),
    ("skills", "Skills"),
    ("volunteer", "Volunteering"),
    ("awards", "Awards"),
    ("certificates", "Certificates"),
    ("publications", "Publications"),
    ("languages", "Languages"),
    ("interests", "Interests"),
    ("references", "References"),
];

const EMAIL: &str = "zoe.lindqvist@example.com";
const PHONE: &str = "+46 70 123 45 67";

/// A document with every section of the schema filled in.
fn full_document() -> Value {
    json!({
        "basics": {
            "name": "Zoë Lindqvist",
            "label": "Staff Backend Engineer",
            "email": EMAIL,
            "phone": PHONE,
            "url": "https://zoe.example.com",
            "summary": "Builds reliable storage and streaming services in Rust.",
            "location": {"city": "Uppsala", "region": "Uppsala län", "countryCode": "SE"},
            "profiles": [
                {"network": "GitHub", "username": "zoe", "url": "https://github.com/zoe"},
                {"network": "Mastodon", "username": "@zoe@example.social"}
            ]
        },
        "work": [
            {"name": "Nordlys Systems AB", "position": "Staff Engineer", "url": "https://nordlys.example",
             "location": "Uppsala", "startDate": "2019-03", "summary": "Leads the streaming team.",
             "highlights": ["Cut p99 ingest latency from 800 ms to 90 ms", "Moved 40 services to Rust"]},
            {"name": "Fjällräv Data", "position": "Software Engineer", "startDate": "2015-06",
             "endDate": "2019-02", "highlights": ["Wrote the invoice reconciliation service"]}
        ],
        "volunteer": [{"organization": "Rust Uppsala", "position": "Organiser", "url": "https://rust-uppsala.example",
                       "startDate": "2017-01", "summary": "Monthly meetups.", "highlights": ["30 talks hosted"]}],
        "education": [{"institution": "Uppsala University", "url": "https://uu.example", "area": "Computer Science",
                       "studyType": "Master of Science", "startDate": "2013-09", "endDate": "2015-06",
                       "score": "5.0", "courses": ["Distributed Systems"]}],
        "awards": [{"title": "Best Talk", "date": "2021-05-01", "awarder": "RustConf", "summary": "On redb."}],
        "certificates": [{"name": "CKA", "date": "2022-01", "issuer": "CNCF", "url": "https://cncf.example/cka"}],
        "publications": [{"name": "Streaming at scale", "publisher": "ACM Queue", "releaseDate": "2020-11",
                          "url": "https://queue.example/streaming", "summary": "Backpressure in practice."}],
        "skills": [{"name": "Rust", "level": "Expert", "keywords": ["tokio", "hyper"]},
                   {"name": "Databases", "keywords": ["PostgreSQL", "redb"]}],
        "languages": [{"language": "Swedish", "fluency": "Native"}, {"language": "English", "fluency": "Fluent"}],
        "interests": [{"name": "Sailing", "keywords": ["Baltic", "Racing"]}],
        "references": [{"name": "Ann Berg", "reference": "Zoë made our platform boring, in the best way."}],
        "projects": [{"name": "Vitae", "description": "A resume service.", "url": "https://vitae.example",
                      "startDate": "2024", "highlights": ["SSE progress"], "keywords": ["Rust", "SSE"],
                      "roles": ["Maintainer"], "entity": "Personal", "type": "application"}]
    })
}

/// A user with a resume holding `document`, shared; returns the user, the
/// resume id and the share token.
async fn shared(prefix: &str, document: &Value) -> (Api, String, String) {
    let api = server().user(prefix).await;
    let r = api
        .upload(
            serde_json::to_vec(&full_document()).unwrap(),
            CT_JSON,
            "cv.json",
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    let done = api.wait_terminal(&id).await;
    assert_eq!(done["status"], "ready", "{done}");
    if document != &full_document() {
        // A merge patch replaces every key it names, arrays wholesale.
        let r = api
            .patch(&format!("/v1/resumes/{id}"), document, None)
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let token = api.share(&id, &json!({})).await["token"].clone();
    let token = token.as_str().unwrap().to_string();
    (api, id, token)
}

/// `GET /s/{token}{query}` with `accept` (none when `None`: reqwest would
/// otherwise send `*/*`, so "no Accept" is tested over a raw socket).
async fn view(api: &Api, token: &str, query: &str, accept: Option<&str>) -> Resp {
    let anon = api.without_token();
    let mut rb = anon.request(reqwest::Method::GET, &format!("/s/{token}{query}"));
    if let Some(accept) = accept {
        rb = rb.header("accept", accept);
    }
    anon.send(rb).await
}

/// The status line, headers (lower-cased names) and body of a GET sent with
/// no `Accept` header at all.
async fn raw_get(path: &str) -> (u16, Vec<(String, String)>, String) {
    let addr = server().url().trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(HTTP_TIMEOUT, stream.read_to_end(&mut answer))
        .await
        .expect("the server answers")
        .unwrap();
    let answer = String::from_utf8(answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body.to_string())
}

/// One start tag of the page: its name and its attributes (name, raw value).
#[derive(Debug)]
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
}

/// Every start tag in `html`, read strictly: attribute values must be
/// double-quoted. Anything the scanner cannot read fails the test, so an
/// attribute smuggled in by a value (`" onerror="…`) cannot hide.
fn start_tags(html: &str) -> Vec<Tag> {
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        if rest.starts_with('/') || rest.starts_with('!') {
            continue;
        }
        let close = rest.find('>').expect("every tag is closed");
        let inside = &rest[..close];
        let name_end = inside.find(' ').unwrap_or(inside.len());
        let name = inside[..name_end].to_ascii_lowercase();
        let mut attrs = Vec::new();
        let mut a = inside[name_end..].trim_start();
        while !a.is_empty() {
            let eq = a
                .find('=')
                .unwrap_or_else(|| panic!("bare attribute in <{inside}>"));
            let key = a[..eq].to_ascii_lowercase();
            assert!(
                key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'),
                "odd attribute name {key:?} in <{inside}>"
            );
            let value = a[eq + 1..]
                .strip_prefix('"')
                .unwrap_or_else(|| panic!("unquoted value in <{inside}>"));
            let end = value.find('"').expect("closing quote");
            attrs.push((key, value[..end].to_string()));
            a = value[end + 1..].trim_start();
        }
        tags.push(Tag { name, attrs });
        rest = &rest[close..];
    }
    tags
}

/// The page's markup is only what the renderer writes: these elements and
/// attributes, and links with the allowed schemes.
fn assert_page_is_inert(page: &str) {
    const ELEMENTS: &[&str] = &[
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "header",
        "h1",
        "p",
        "address",
        "ul",
        "li",
        "a",
        "main",
        "section",
        "h2",
        "article",
        "div",
        "h3",
        "span",
        "time",
        "blockquote",
        "br",
        "footer",
    ];
    const ATTRIBUTES: &[&str] = &[
        "lang",
        "charset",
        "name",
        "content",
        "property",
        "id",
        "class",
        "aria-labelledby",
        "href",
        "rel",
        "type",
        "datetime",
    ];
    for tag in start_tags(page) {
        assert!(
            ELEMENTS.contains(&tag.name.as_str()),
            "element <{}> in the page",
            tag.name
        );
        for (key, value) in &tag.attrs {
            assert!(
                ATTRIBUTES.contains(&key.as_str()),
                "attribute {key} on <{}>",
                tag.name
            );
            assert!(!value.contains('<'), "unescaped < in {key}={value:?}");
            if key == "href" {
                let lower = value.to_ascii_lowercase();
                assert!(
                    ["https://", "http://", "mailto:", "tel:", "?format="]
                        .iter()
                        .any(|s| lower.starts_with(s)),
                    "link with another scheme: {value:?}"
                );
                if lower.starts_with("http") {
                    let rel = tag.attrs.iter().find(|(k, _)| k == "rel");
                    assert_eq!(
                        rel.map(|(_, v)| v.as_str()),
                        Some("noopener noreferrer nofollow"),
                        "external link {value:?}"
                    );
                }
            }
        }
    }
}

/// The `<head>` of a page.
fn head(page: &str) -> &str {
    &page[..page.find("</head>").expect("a head")]
}

/// The text of the one `<style>` element.
fn stylesheet(page: &str) -> &str {
    assert_eq!(page.matches("<style>").count(), 1, "one stylesheet");
    let start = page.find("<style>").unwrap() + "<style>".len();
    let end = page[start..].find("</style>").unwrap();
    &page[start..start + end]
}

/// `sha256-<base64>` of `text`, from coreutils' `sha256sum`, so the test
/// does not share the server's code for it.
fn csp_hash(text: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("sha256sum (coreutils) is installed");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let hex = String::from_utf8(out.stdout).unwrap();
    let bytes: Vec<u8> = (0..64)
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut encoded = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                encoded.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                encoded.push('=');
            }
        }
    }
    format!("sha256-{encoded}")
}

fn expected_csp(page: &str) -> String {
    format!(
        "default-src 'none'; style-src '{}'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        csp_hash(stylesheet(page))
    )
}

/// The headers every answer of `/s/` carries, page or notice.
fn assert_page_headers(r: &Resp, page: &str) {
    let ct = r.header("content-type").unwrap_or_default();
    assert_eq!(ct, "text/html; charset=utf-8");
    assert_eq!(
        r.header("content-security-policy").as_deref(),
        Some(expected_csp(page).as_str())
    );
    assert_eq!(
        r.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
    assert_eq!(r.header("referrer-policy").as_deref(), Some("no-referrer"));
    assert_eq!(r.header("x-frame-options").as_deref(), Some("DENY"));
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
}

#[tokio::test]
async fn every_section_with_content_appears_under_its_heading() {
    let (api, _, token) = shared("spfull", &full_document()).await;
    let r = view(&api, &token, "", Some("text/html")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let page = r.text();
    assert_page_headers(&r, &page);
    assert_eq!(page.matches("<h1").count(), 1, "one h1");
    assert!(page.contains("<h1>Zoë Lindqvist</h1>"), "{page}");
    assert!(page.contains("<p class=\"label\">Staff Backend Engineer</p>"));
    assert!(page.contains("<header>") && page.contains("<main>") && page.contains("<footer>"));
    let mut last = 0;
    for (key, heading) in SECTIONS {
        let open = format!("<section id=\"{key}\"");
        assert_eq!(page.matches(&open).count(), 1, "section {key}: {page}");
        let at = page.find(&open).unwrap();
        assert!(at > last, "{key} is out of order");
        last = at;
        let tag_end = at + page[at..].find('>').unwrap();
        assert!(
            page[at..tag_end].contains(&format!(" aria-labelledby=\"{key}-title\"")),
            "{key} is labelled by its heading"
        );
        let h2 = format!("<h2 id=\"{key}-title\">{heading}</h2>");
        assert!(
            page[tag_end + 1..].starts_with(&h2),
            "{key} opens with {h2}"
        );
    }
    // Entries are articles with an h3; dates are <time>; highlights a list.
    assert_eq!(page.matches("<article>").count(), 14, "{page}");
    assert!(page.contains(
        "<h3>Staff Engineer<span class=\"org\">, <a href=\"https://nordlys.example\" rel=\"noopener noreferrer nofollow\">Nordlys Systems AB</a></span></h3>"
    ), "{page}");
    assert!(
        page.contains("<p class=\"when\"><time datetime=\"2019-03\">Mar 2019</time> – Present</p>")
    );
    assert!(page.contains("<time datetime=\"2021-05-01\">1 May 2021</time>"));
    assert!(page.contains("<ul><li>Cut p99 ingest latency from 800 ms to 90 ms</li><li>Moved 40 services to Rust</li></ul>"));
    assert!(page.contains("<ul class=\"tags\"><li>tokio</li><li>hyper</li></ul>"));
    assert!(page.contains(
        "<blockquote><p>Zoë made our platform boring, in the best way.</p></blockquote>"
    ));
    // The contact line: every way to reach the person, clickable.
    for contact in [
        format!("<a href=\"mailto:{EMAIL}\">{EMAIL}</a>"),
        format!("<a href=\"tel:+46701234567\">{PHONE}</a>"),
        "<a href=\"https://zoe.example.com\" rel=\"noopener noreferrer nofollow\">zoe.example.com</a>".into(),
        "<a href=\"https://github.com/zoe\" rel=\"noopener noreferrer nofollow\">github.com/zoe</a>".into(),
        "<li>Mastodon: @zoe@example.social</li>".into(),
        "<li>Uppsala, Uppsala län, SE</li>".into(),
    ] {
        assert!(page.contains(&contact), "{contact} in {page}");
    }
    // The links to the other forms of the same share.
    assert!(
        page.contains("<a id=\"format-json\" href=\"?format=json\""),
        "{page}"
    );
    assert!(
        page.contains("<a id=\"format-md\" href=\"?format=md\""),
        "{page}"
    );
    assert_page_is_inert(&page);
}

#[tokio::test]
async fn sections_without_content_are_left_out() {
    let doc = json!({
        "basics": {"name": "Ann Berg", "summary": "   ", "label": null},
        "work": [{"name": "", "highlights": []}],
        "volunteer": null, "awards": null, "certificates": null, "publications": null,
        "languages": null, "interests": null, "references": null, "projects": null,
        "education": [], "skills": [{"name": "Go"}]
    });
    let (api, _, token) = shared("spsparse", &doc).await;
    let page = view(&api, &token, "", Some("text/html")).await.text();
    let sections: Vec<_> = start_tags(&page)
        .into_iter()
        .filter(|t| t.name == "section")
        .flat_map(|t| t.attrs.into_iter().filter(|(k, _)| k == "id"))
        .map(|(_, id)| id)
        .collect();
    assert_eq!(sections, vec!["skills"], "{page}");
    assert!(
        page.contains("<title>Ann Berg</title>"),
        "no label, no dash: {page}"
    );
}

#[tokio::test]
async fn head_has_preview_tags_without_contact_details() {
    let (api, _, token) = shared("sphead", &full_document()).await;
    let page = view(&api, &token, "", Some("text/html")).await.text();
    let head = head(&page);
    assert!(
        head.contains("<title>Zoë Lindqvist — Staff Backend Engineer</title>"),
        "{head}"
    );
    assert!(head.contains("<meta name=\"robots\" content=\"noindex, nofollow\">"));
    assert!(head.contains("<meta property=\"og:title\" content=\"Zoë Lindqvist\">"));
    assert!(head.contains("<meta property=\"og:description\" content=\"Staff Backend Engineer\">"));
    assert!(head.contains("<meta property=\"og:type\" content=\"profile\">"));
    assert!(head.contains("<meta name=\"viewport\""));
    for private in [
        EMAIL,
        PHONE,
        "+4670",
        "Uppsala",
        "zoe.example.com",
        "github.com",
    ] {
        assert!(!head.contains(private), "{private:?} in the head: {head}");
    }
    // The stylesheet loads nothing and has a print layout.
    let css = stylesheet(&page);
    assert!(!css.contains("url(") && !css.contains("@import"), "{css}");
    assert!(
        css.contains("@media print") && css.contains("@page"),
        "{css}"
    );
}

#[tokio::test]
async fn the_csp_allows_the_one_stylesheet_and_nothing_else() {
    let (api, _, token) = shared("spcsp", &full_document()).await;
    let r = view(
        &api,
        &token,
        "",
        Some("text/html,application/xhtml+xml,*/*;q=0.8"),
    )
    .await;
    assert_eq!(r.status, 200);
    let page = r.text();
    let csp = r.header("content-security-policy").unwrap();
    assert_eq!(csp, expected_csp(&page));
    assert!(
        !page.contains("<script") && !page.contains(" style=\""),
        "{page}"
    );
    // JSON and Markdown are not pages: no CSP, the same protective headers.
    let r = view(&api, &token, "?format=md", None).await;
    assert!(r.header("content-security-policy").is_none());
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(
        r.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
}

#[tokio::test]
async fn format_parameter_overrides_accept() {
    let (api, id, token) = shared("spformat", &full_document()).await;
    let stored = api.resume(&id).await["document"].clone();

    let by_accept = view(&api, &token, "", Some("application/json")).await;
    assert_eq!(by_accept.status, 200);
    for accept in [Some("text/html"), Some("text/markdown"), None] {
        let r = view(&api, &token, "?format=json", accept).await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(
            r.header("content-type").as_deref(),
            Some("application/json")
        );
        assert_eq!(
            r.body, by_accept.body,
            "the same bytes as by Accept ({accept:?})"
        );
        assert_eq!(r.json(), stored, "the stored document");
    }

    let r = view(&api, &token, "?format=md", Some("text/html")).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("text/markdown; charset=utf-8")
    );
    let md = r.text();
    assert!(md.starts_with("# Zoë Lindqvist\n"), "{md}");
    assert!(md.contains("## Experience"), "{md}");

    let r = view(&api, &token, "?format=html", Some("application/json")).await;
    assert_eq!(r.status, 200);
    let page = r.text();
    assert_page_headers(&r, &page);
    assert!(page.starts_with("<!doctype html>"), "{page:.80}");

    // The footer links, followed the way a browser resolves them.
    let page_url = api.url(&format!("/s/{token}"));
    for (id_attr, ct) in [
        ("format-json", "application/json"),
        ("format-md", "text/markdown"),
    ] {
        let tag = start_tags(&page)
            .into_iter()
            .find(|t| t.attrs.iter().any(|(k, v)| k == "id" && v == id_attr))
            .unwrap_or_else(|| panic!("a#{id_attr}"));
        let href = &tag.attrs.iter().find(|(k, _)| k == "href").unwrap().1;
        let target = reqwest::Url::parse(&page_url).unwrap().join(href).unwrap();
        let r = api
            .without_token()
            .send(
                reqwest::Client::new()
                    .get(target)
                    .header("accept", "text/html"),
            )
            .await;
        assert_eq!(r.status, 200);
        assert!(
            r.header("content-type").unwrap().starts_with(ct),
            "{id_attr}"
        );
    }
    let views = api.shares(&id).await[0]["access_count"].clone();
    assert_eq!(
        views, 1,
        "answered views from one client count once an hour"
    );
}

#[tokio::test]
async fn unknown_format_is_400_and_counts_no_view() {
    let (api, id, token) = shared("spbadfmt", &full_document()).await;
    for bad in ["png", "", "HTML", "markdown", "<script>"] {
        let query = format!("?format={}", bad.replace('<', "%3C").replace('>', "%3E"));
        for accept in [Some("text/html"), Some("application/json")] {
            let r = view(&api, &token, &query, accept).await;
            let body = r.assert_error(400, "bad_request");
            let message = body["error"]["message"].as_str().unwrap();
            assert!(message.contains("html, json, md, pdf or docx"), "{message}");
            // No error of a link may be kept by a cache.
            assert_eq!(
                r.header("cache-control").as_deref(),
                Some("no-store"),
                "{query} {accept:?}"
            );
        }
    }
    // Nor one the router answers before the handler (a method the route
    // does not take).
    let r = api
        .without_token()
        .send(api.request(reqwest::Method::PUT, &format!("/s/{token}")))
        .await;
    r.assert_error(405, "method_not_allowed");
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    // Also for a token that does not exist: the request is wrong first.
    view(
        &api,
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "?format=png",
        Some("text/html"),
    )
    .await
    .assert_error(400, "bad_request");
    assert_eq!(api.shares(&id).await[0]["access_count"], 0);
}

#[tokio::test]
async fn unknown_link_is_a_404_page_for_browsers_and_json_otherwise() {
    let api = server().user("sp404").await;
    let token = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    for (query, accept) in [
        ("", Some("text/html")),
        (
            "",
            Some("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
        ),
        ("?format=html", None),
        ("?format=html", Some("application/json")),
    ] {
        let r = view(&api, token, query, accept).await;
        assert_eq!(r.status, 404, "{query} {accept:?}");
        let page = r.text();
        assert_page_headers(&r, &page);
        assert!(page.contains("<h1>No resume at this link</h1>"), "{page}");
        assert!(head(&page).contains("noindex"));
        assert_page_is_inert(&page);
    }
    for (query, accept) in [
        ("", Some("application/json")),
        ("", Some("*/*")),
        ("?format=json", Some("text/html")),
        ("?format=md", Some("text/html")),
        ("", Some("text/html;q=0, application/json")),
    ] {
        let r = view(&api, token, query, accept).await;
        r.assert_error(404, "not_found");
        assert_eq!(
            r.header("cache-control").as_deref(),
            Some("no-store"),
            "{accept:?}"
        );
    }
    let (status, headers, body) = raw_get(&format!("/s/{token}")).await;
    assert_eq!(status, 404);
    let ct = headers
        .iter()
        .find(|(k, _)| k == "content-type")
        .map(|(_, v)| v.as_str());
    assert_eq!(ct, Some("application/json"), "no Accept: the JSON error");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"]["code"], "not_found", "{v}");
}

#[tokio::test]
async fn revoked_and_expired_links_are_a_410_page_for_browsers_and_json_otherwise() {
    let (api, id, token) = shared("sp410", &full_document()).await;
    let at =
        (Utc::now() + chrono::Duration::seconds(2)).to_rfc3339_opts(SecondsFormat::Millis, true);
    let expiring = api.share(&id, &json!({"expires_at": at})).await["token"].clone();
    let expiring = expiring.as_str().unwrap().to_string();
    assert_eq!(
        view(&api, &expiring, "", Some("text/html")).await.status,
        200
    );
    let r = api.delete(&format!("/v1/shares/{token}")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    tokio::time::sleep(Duration::from_millis(2500)).await;

    for gone in [&token, &expiring] {
        for (query, accept) in [("", Some("text/html")), ("?format=html", Some("*/*"))] {
            let r = view(&api, gone, query, accept).await;
            assert_eq!(r.status, 410, "{}", r.text());
            let page = r.text();
            assert_page_headers(&r, &page);
            assert!(
                page.contains("<h1>This link has expired or was revoked</h1>"),
                "{page}"
            );
            assert!(
                page.contains("<p>Ask the person who shared it for a new one.</p>"),
                "{page}"
            );
            assert!(
                !page.contains("Zoë") && !page.contains(EMAIL),
                "nothing of the resume"
            );
            assert_page_is_inert(&page);
        }
        for accept in [Some("application/json"), Some("*/*")] {
            view(&api, gone, "", accept).await.assert_error(410, "gone");
        }
        let (status, _, body) = raw_get(&format!("/s/{gone}")).await;
        assert_eq!(status, 410);
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap()["error"]["code"],
            "gone"
        );
    }
}

/// Payloads that would run script or add markup if any value were not
/// escaped, and URLs that would if any became a link.
const TEXT_PAYLOADS: [&str; 5] = [
    "<script>alert(1)</script>",
    "\" onerror=\"alert(2)",
    "<img src=x onerror=alert(3)>",
    "' onmouseover='alert(4)",
    "</style><script>alert(5)</script>",
];
const URL_PAYLOADS: [&str; 8] = [
    "javascript:alert(6)",
    "JaVaScRiPt:alert(7)",
    "\u{0}javascript:alert(8)",
    " javascript:alert(9)",
    "java\tscript:alert(10)",
    "data:text/html,<script>alert(11)</script>",
    "vbscript:msgbox(12)",
    "https://example.com/\" onclick=\"alert(13)",
];

/// `value` with every string replaced by a payload: URLs (keys named `url`)
/// from [`URL_PAYLOADS`], everything else from [`TEXT_PAYLOADS`], in turn.
fn poison(value: &Value, key: &str, n: &mut usize) -> Value {
    match value {
        Value::String(_) => {
            *n += 1;
            if key == "url" {
                json!(URL_PAYLOADS[*n % URL_PAYLOADS.len()])
            } else {
                json!(TEXT_PAYLOADS[*n % TEXT_PAYLOADS.len()])
            }
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| poison(v, key, n)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), poison(v, k, n)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[tokio::test]
async fn hostile_values_in_every_field_render_inert() {
    let mut n = 0;
    let mut doc = poison(&full_document(), "", &mut n);
    // Every URL payload in every URL field, and in email and phone too.
    doc["basics"]["email"] = json!("x@example.com\" onmouseover=\"alert(14)");
    doc["basics"]["phone"] = json!("javascript:alert(15)");
    doc["projects"] = json!(URL_PAYLOADS
        .iter()
        .map(|u| json!({"name": "P", "url": u}))
        .collect::<Vec<_>>());
    doc["basics"]["profiles"] = json!(URL_PAYLOADS
        .iter()
        .map(|u| json!({"url": u}))
        .collect::<Vec<_>>());
    let (api, _, token) = shared("spxss", &doc).await;
    let r = view(&api, &token, "", Some("text/html")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let page = r.text();
    assert_page_headers(&r, &page);
    assert_page_is_inert(&page);
    let lower = page.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "{page}");
    assert!(!lower.contains("<img"), "{page}");
    assert_eq!(page.matches("</style>").count(), 1, "{page}");
    // The values are shown, escaped: the page still says what was written.
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(page.contains("&quot; onerror=&quot;alert(2)"), "{page}");
    assert!(page.contains("&#39; onmouseover=&#39;alert(4)"), "{page}");
    assert!(
        page.contains("javascript:alert(6)"),
        "shown as text: {page}"
    );
    assert!(
        !lower.contains("href=\"mailto:") && !lower.contains("href=\"tel:"),
        "{page}"
    );
    // Section headings survive hostile entries.
    for (key, _) in SECTIONS {
        assert!(page.contains(&format!("<section id=\"{key}\"")), "{key}");
    }
    // Head: name and label are payloads, escaped in attributes too.
    let head = head(&page);
    assert!(
        !head.contains("\" onerror") && !head.contains("<script"),
        "{head}"
    );
}
