//! Share links, v2, end to end against the real server: password links
//! (HTTP Basic for scripts, the form and its cookie for browsers, the same
//! 401 whether or not the link exists, the wrong-password limit), redaction
//! over every form of a share (a table over every hideable name), pinned
//! snapshots and labels, page-only links, the per-day view history, and
//! share URLs that follow the request's host (and the root alias).
//!
//! One server for most of the file, trusting 127.0.0.1 as a proxy so each
//! test can speak as its own client address (`X-Forwarded-For`): the
//! wrong-password and view limits count per address, and tests run side by
//! side. Share-view rate limiting is off on it (`--share-rate 0`): the
//! redaction table alone opens some hundred views.

use std::time::Duration;

use base64::Engine;
use reqwest::Method;
use serde_json::Value;
use vitae_tests::*;

fn server() -> &'static TestServer {
    shared_server(&["--trusted-proxy", "127.0.0.1", "--share-rate", "0"])
}

/// A client that does not follow redirects (the form's 303 is checked).
fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(HTTP_TIMEOUT)
        .build()
        .expect("http client")
}

/// One request to the server as client `client` (an address in
/// `X-Forwarded-For`), with extra headers.
async fn ask(
    method: Method,
    path: &str,
    client: &str,
    headers: &[(&str, String)],
    body: Option<String>,
) -> Resp {
    let mut rb = http()
        .request(method, format!("{}{path}", server().url()))
        .header("x-forwarded-for", client);
    for (name, value) in headers {
        rb = rb.header(*name, value);
    }
    if let Some(body) = body {
        rb = rb.body(body);
    }
    let r = send_unchecked(rb).await;
    assert!(r.status < 500, "{path}: {} {}", r.status, r.text());
    r
}

fn basic(password: &str) -> (&'static str, String) {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!(":{password}"));
    ("authorization", format!("Basic {encoded}"))
}

fn accept(media: &str) -> (&'static str, String) {
    ("accept", media.to_string())
}

fn form(password: &str) -> Option<String> {
    let encoded: String = url::form_urlencoded::byte_serialize(password.as_bytes()).collect();
    Some(format!("password={encoded}"))
}

const FORM_TYPE: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");

fn form_headers() -> Vec<(&'static str, String)> {
    vec![(FORM_TYPE.0, FORM_TYPE.1.to_string())]
}

/// A fresh user with a ready resume holding `doc`; returns both.
async fn resume_with(prefix: &str, doc: &Value) -> (Api, String) {
    let api = server().user(prefix).await;
    let id = import_document(&api, doc, "cv.json").await;
    (api, id)
}

fn token_of(share: &Value) -> String {
    share["token"].as_str().expect("token").to_string()
}

/// The error body without its request id, to compare two answers.
fn error_without_id(r: &Resp) -> Value {
    let mut v = r.json();
    v["error"]
        .as_object_mut()
        .expect("an error object")
        .remove("request_id");
    v
}

// ---- password links -------------------------------------------------------

#[tokio::test]
async fn a_password_link_opens_for_basic_auth_and_for_the_form_and_its_cookie() {
    let doc = sample_document("Ada Passworth", "pw-1");
    let (api, id) = resume_with("pw-open", &doc).await;
    let share = api
        .share(&id, &json!({"password": "lighthouse 42 ø"}))
        .await;
    assert_eq!(share["has_password"], true);
    assert!(!share.to_string().contains("argon2"), "{share}");
    assert!(!share.to_string().contains("lighthouse"), "{share}");
    let token = token_of(&share);
    let path = format!("/s/{token}");
    let me = "198.51.100.11";

    // Scripts without the password: JSON 401 with a Basic challenge.
    let r = ask(Method::GET, &path, me, &[accept("application/json")], None).await;
    r.assert_error(401, "unauthorized");
    let challenge = r.header("www-authenticate").unwrap_or_default();
    assert!(challenge.starts_with("Basic realm="), "{challenge}");
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));

    // A browser gets the form: 401, no script, posts to itself.
    let r = ask(Method::GET, &path, me, &[accept("text/html")], None).await;
    assert_eq!(r.status, 401);
    let page = r.text();
    assert!(page.contains("<form method=\"post\">"), "{page}");
    assert!(page.contains("type=\"password\""), "{page}");
    assert!(!page.to_ascii_lowercase().contains("<script"), "{page}");
    assert!(
        !page.contains("Ada Passworth"),
        "nothing of the resume: {page}"
    );
    let csp = r.header("content-security-policy").expect("a CSP");
    assert!(csp.contains("form-action 'self'"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    assert!(
        !r.header("www-authenticate")
            .unwrap_or_default()
            .starts_with("Basic"),
        "no browser dialog over the form"
    );

    // The right password as HTTP Basic opens every form.
    for format in ["html", "json", "md", "pdf", "docx"] {
        let r = ask(
            Method::GET,
            &format!("{path}?format={format}"),
            me,
            &[basic("lighthouse 42 ø")],
            None,
        )
        .await;
        assert_eq!(r.status, 200, "{format}: {}", r.text());
        if format == "pdf" || format == "docx" {
            assert_magic(&r.body, format);
        }
    }
    // A wrong one opens nothing.
    let r = ask(Method::GET, &path, me, &[basic("lighthouse")], None).await;
    r.assert_error(401, "unauthorized");

    // The form: a wrong password is the form again…
    let r = ask(Method::POST, &path, me, &form_headers(), form("nope")).await;
    assert_eq!(r.status, 401);
    assert!(r.text().contains("not right"), "{}", r.text());
    assert!(r.header("set-cookie").is_none());
    // …the right one a 303 back with the link's cookie.
    let r = ask(
        Method::POST,
        &format!("{path}?format=html"),
        me,
        &form_headers(),
        form("lighthouse 42 ø"),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(
        r.header("location").as_deref(),
        Some(format!("{path}?format=html").as_str())
    );
    let cookie = r.header("set-cookie").expect("a cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", &format!("Path={path}")] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");
    assert!(cookie.contains("Max-Age="), "{cookie}");
    assert!(!cookie.contains("lighthouse"), "{cookie}");
    let pair = cookie.split(';').next().unwrap().to_string();

    // The cookie opens this link, in every form…
    for format in ["html", "json", "pdf"] {
        let r = ask(
            Method::GET,
            &format!("{path}?format={format}"),
            me,
            &[("cookie", pair.clone())],
            None,
        )
        .await;
        assert_eq!(r.status, 200, "{format}: {}", r.text());
    }
    let page = ask(
        Method::GET,
        &path,
        me,
        &[("cookie", pair.clone()), accept("text/html")],
        None,
    )
    .await;
    assert!(page.text().contains("Ada Passworth"));
    // …and not another protected link, nor a forged one.
    let other = token_of(&api.share(&id, &json!({"password": "x"})).await);
    let r = ask(
        Method::GET,
        &format!("/s/{other}"),
        me,
        &[("cookie", pair.clone()), accept("application/json")],
        None,
    )
    .await;
    r.assert_error(401, "unauthorized");
    let (name, value) = pair.split_once('=').unwrap();
    let (expires, _) = value.split_once('.').unwrap();
    let forged = format!("{name}={expires}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    let r = ask(
        Method::GET,
        &path,
        me,
        &[("cookie", forged), accept("application/json")],
        None,
    )
    .await;
    r.assert_error(401, "unauthorized");

    // No form or password answer ever held the hash, and the owner's list
    // says only that there is a password.
    let listed = api.shares(&id).await;
    assert!(listed.iter().all(|s| s["has_password"] == true));
    assert!(!Value::Array(listed).to_string().contains("argon2"));
}

#[tokio::test]
async fn wrong_passwords_count_no_view_and_the_form_needs_its_field() {
    let (api, id) = resume_with("pw-views", &sample_document("Vera Views", "pw-2")).await;
    let token = token_of(&api.share(&id, &json!({"password": "right"})).await);
    let path = format!("/s/{token}");
    let me = "198.51.100.12";
    for _ in 0..3 {
        ask(Method::GET, &path, me, &[basic("wrong")], None)
            .await
            .assert_error(401, "unauthorized");
    }
    ask(Method::GET, &path, me, &[accept("application/json")], None)
        .await
        .assert_error(401, "unauthorized");
    let r = ask(
        Method::POST,
        &path,
        me,
        &form_headers(),
        Some("other=1".into()),
    )
    .await;
    r.assert_error(400, "bad_request");
    let r = ask(
        Method::POST,
        &path,
        me,
        &[("content-type", "application/json".into())],
        Some("{\"password\":\"right\"}".into()),
    )
    .await;
    r.assert_error(415, "unsupported_media_type");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let listed = &api.shares(&id).await[0];
    assert_eq!(listed["access_count"], 0, "{listed}");
    ask(Method::GET, &path, me, &[basic("right")], None).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(api.shares(&id).await[0]["access_count"], 1);
}

#[tokio::test]
async fn a_password_tells_nothing_about_whether_a_link_exists() {
    let (api, id) = resume_with("pw-oracle", &sample_document("Otto Oracle", "pw-3")).await;
    let live = token_of(&api.share(&id, &json!({"password": "right"})).await);
    let revoked = token_of(&api.share(&id, &json!({"password": "right"})).await);
    api.delete(&format!("/v1/shares/{revoked}")).await;
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(2))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let expired = token_of(
        &api.share(&id, &json!({"password": "right", "expires_at": soon}))
            .await,
    );
    let unprotected_gone = token_of(&api.share(&id, &json!({})).await);
    api.delete(&format!("/v1/shares/{unprotected_gone}")).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let unknown = "NoSuchLinkNoSuchLinkNoSuchLink00";

    // Each link from its own address: this compares answers, not limits.
    let mut answers = Vec::new();
    for (i, token) in [
        &live,
        &revoked,
        &expired,
        &unprotected_gone,
        &unknown.to_string(),
    ]
    .into_iter()
    .enumerate()
    {
        let me = format!("198.51.100.{}", 30 + i);
        let r = ask(
            Method::GET,
            &format!("/s/{token}?format=json"),
            &me,
            &[basic("wrong")],
            None,
        )
        .await;
        assert_eq!(r.status, 401, "{token}: {}", r.text());
        let posted = ask(
            Method::POST,
            &format!("/s/{token}"),
            &me,
            &form_headers(),
            form("wrong"),
        )
        .await;
        assert_eq!(posted.status, 401, "{token}");
        answers.push((
            error_without_id(&r),
            r.header("www-authenticate"),
            r.header("content-type"),
            r.header("cache-control"),
            posted.text(),
            posted.header("content-type"),
        ));
    }
    for other in &answers[1..] {
        assert_eq!(other, &answers[0]);
    }
    // Without a password the unknown link is still a plain 404.
    ask(
        Method::GET,
        &format!("/s/{unknown}"),
        "198.51.100.39",
        &[],
        None,
    )
    .await
    .assert_error(404, "not_found");
}

#[tokio::test]
async fn wrong_passwords_are_limited_per_address_and_secure_cookies_over_https() {
    let (api, id) = resume_with("pw-limit", &sample_document("Lim Itt", "pw-4")).await;
    let token = token_of(&api.share(&id, &json!({"password": "right"})).await);
    let path = format!("/s/{token}");
    let me = "198.51.100.13";
    for _ in 0..10 {
        ask(Method::GET, &path, me, &[basic("wrong")], None)
            .await
            .assert_error(401, "unauthorized");
    }
    // The eleventh within the minute is refused before it is checked, the
    // right password too.
    let r = ask(Method::GET, &path, me, &[basic("right")], None).await;
    r.assert_error(429, "too_many_requests");
    assert!(r.header("retry-after").is_some());
    let r = ask(Method::POST, &path, me, &form_headers(), form("right")).await;
    assert_eq!(r.status, 429);
    // Another address is not held up; over https (a trusted proxy says so)
    // the cookie is Secure.
    let r = ask(
        Method::POST,
        &path,
        "198.51.100.14",
        &[
            (FORM_TYPE.0, FORM_TYPE.1.to_string()),
            ("x-forwarded-proto", "https".into()),
        ],
        form("right"),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let cookie = r.header("set-cookie").expect("cookie");
    assert!(cookie.contains("; Secure"), "{cookie}");
}

// ---- redaction --------------------------------------------------------------

/// Every name `"hide"` takes, with the marker strings that field holds in
/// [`marked_document`] (what must vanish from every form when it is hidden).
const HIDEABLE: [(&str, &[&str]); 17] = [
    ("email", &["hidden-mail@example.com"]),
    ("phone", &["+46 70 999 11 22"]),
    ("location", &["Hiddenville", "Secretshire"]),
    ("url", &["hidden-site.example"]),
    ("profiles", &["hiddenprofileuser"]),
    ("summary", &["Hiddensummary sentence"]),
    ("work", &["Hiddenwork Corp"]),
    ("volunteer", &["Hiddenvol Org"]),
    ("education", &["Hiddenedu University"]),
    ("awards", &["Hiddenaward Prize"]),
    ("certificates", &["Hiddencert Badge"]),
    ("publications", &["Hiddenpub Paper"]),
    ("skills", &["Hiddenskill"]),
    ("languages", &["Hiddenlang"]),
    ("interests", &["Hiddeninterest"]),
    ("references", &["Hiddenref Person", "Hiddenref quote"]),
    ("projects", &["Hiddenproj Tool"]),
];

fn marked_document() -> Value {
    json!({
        "basics": {
            "name": "Rhea Redacted",
            "label": "Platform Engineer",
            "email": "hidden-mail@example.com",
            "phone": "+46 70 999 11 22",
            "url": "https://hidden-site.example",
            "summary": "Hiddensummary sentence about storage.",
            "location": {"city": "Hiddenville", "region": "Secretshire", "countryCode": "SE"},
            "profiles": [{"network": "GitHub", "username": "hiddenprofileuser",
                          "url": "https://github.com/hiddenprofileuser"}]
        },
        "work": [{"name": "Hiddenwork Corp", "position": "Engineer", "startDate": "2020-01",
                  "highlights": ["Shipped things"]}],
        "volunteer": [{"organization": "Hiddenvol Org", "position": "Organiser", "startDate": "2019"}],
        "education": [{"institution": "Hiddenedu University", "area": "Physics",
                       "studyType": "BSc", "startDate": "2012", "endDate": "2015"}],
        "awards": [{"title": "Hiddenaward Prize", "date": "2021-05-01", "awarder": "A Jury"}],
        "certificates": [{"name": "Hiddencert Badge", "date": "2022-01", "issuer": "An Issuer"}],
        "publications": [{"name": "Hiddenpub Paper", "publisher": "A Journal", "releaseDate": "2020-11"}],
        "skills": [{"name": "Hiddenskill", "keywords": ["tokio"]}],
        "languages": [{"language": "Hiddenlang", "fluency": "Native"}],
        "interests": [{"name": "Hiddeninterest", "keywords": ["boats"]}],
        "references": [{"name": "Hiddenref Person", "reference": "Hiddenref quote, in the best way."}],
        "projects": [{"name": "Hiddenproj Tool", "description": "A tool.", "startDate": "2024"}]
    })
}

/// Every form of `/s/{token}` as text: the HTML page (head and preview tags
/// included), JSON, Markdown, the PDF's text and the DOCX's XML.
async fn every_form(token: &str, client: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for format in ["html", "json", "md", "pdf", "docx"] {
        let r = ask(
            Method::GET,
            &format!("/s/{token}?format={format}"),
            client,
            &[],
            None,
        )
        .await;
        assert_eq!(r.status, 200, "{format}: {}", r.text());
        let text = match format {
            "pdf" => flatten(&pdf_text(&r.body)),
            "docx" => docx_text(&r.body),
            _ => r.text(),
        };
        out.push((format, text.to_lowercase()));
    }
    out
}

#[tokio::test]
async fn every_hideable_field_is_gone_from_every_form_of_the_share() {
    let (api, id) = resume_with("hide-all", &marked_document()).await;
    let client = "198.51.100.20";
    // Unhidden, each marker shows in the page and the JSON at least (and
    // wherever else the form shows that field): so absence below means
    // something.
    let plain = every_form(&token_of(&api.share(&id, &json!({})).await), client).await;
    let mut shown_in: Vec<Vec<&str>> = Vec::new();
    for (name, markers) in HIDEABLE {
        let mut forms = Vec::new();
        for (form, text) in &plain {
            if markers.iter().all(|m| text.contains(&m.to_lowercase())) {
                forms.push(*form);
            }
        }
        assert!(
            forms.contains(&"html") && forms.contains(&"json"),
            "{name} is not on the unhidden page and JSON: {forms:?}"
        );
        shown_in.push(forms);
    }
    // The PDF shows the contact details and most sections: the table is
    // checked there too, not only in the web forms.
    let in_pdf = shown_in.iter().filter(|f| f.contains(&"pdf")).count();
    assert!(
        in_pdf >= 10,
        "only {in_pdf} fields in the plain PDF: {shown_in:?}"
    );

    for (name, markers) in HIDEABLE {
        let share = api.share(&id, &json!({"hide": [name]})).await;
        assert_eq!(share["hide"], json!([name]));
        let forms = every_form(&token_of(&share), client).await;
        for (form, text) in &forms {
            for marker in markers {
                assert!(
                    !text.contains(&marker.to_lowercase()),
                    "hide {name}: {marker:?} still in the {form} form"
                );
            }
            // The name always shows; everything not hidden still does.
            assert!(text.contains("rhea redacted"), "{name}: no name in {form}");
        }
        for ((other, other_markers), other_forms) in HIDEABLE.iter().zip(&shown_in) {
            if *other == name {
                continue;
            }
            for (form, text) in &forms {
                if other_forms.contains(form) && *form != "pdf" {
                    for marker in *other_markers {
                        assert!(
                            text.contains(&marker.to_lowercase()),
                            "hide {name} also took {other} ({marker:?}) from {form}"
                        );
                    }
                }
            }
        }
    }

    // All at once, and the page's head (its preview tags) has none either.
    let all: Vec<&str> = HIDEABLE.iter().map(|(n, _)| *n).collect();
    let share = api.share(&id, &json!({"hide": all})).await;
    let token = token_of(&share);
    let page = ask(
        Method::GET,
        &format!("/s/{token}"),
        client,
        &[accept("text/html")],
        None,
    )
    .await
    .text();
    let head = page.split("</head>").next().unwrap().to_lowercase();
    for (_, markers) in HIDEABLE {
        for marker in markers {
            assert!(
                !head.contains(&marker.to_lowercase()),
                "{marker} in the head"
            );
        }
    }
    assert!(head.contains("og:title"), "{head}");
}

#[tokio::test]
async fn unknown_hide_names_are_a_400_that_lists_the_valid_ones() {
    let (api, id) = resume_with("hide-bad", &sample_document("Bad Hide", "hide-2")).await;
    for bad in [
        json!(["salary"]),
        json!(["name"]),
        json!(["Phone"]),
        json!(["image"]),
    ] {
        let r = api
            .post_json(&format!("/v1/resumes/{id}/shares"), &json!({"hide": bad}))
            .await;
        let body = r.assert_error(400, "bad_request");
        let message = body["error"]["message"].as_str().unwrap();
        for (name, _) in HIDEABLE {
            assert!(message.contains(name), "{name} not listed in {message}");
        }
    }
    let r = api
        .post_json(
            &format!("/v1/resumes/{id}/shares"),
            &json!({"hide": "phone"}),
        )
        .await;
    r.assert_error(400, "bad_request");
    assert!(api.shares(&id).await.is_empty(), "nothing was made");
}

// ---- pinned snapshots, labels -----------------------------------------------

#[tokio::test]
async fn pinned_links_keep_showing_their_revision_after_edits() {
    let (api, id) = resume_with("pin", &sample_document("Pia Pinned", "pin-1")).await;
    let pinned = api
        .share(
            &id,
            &json!({"pin": true, "label": "  Acme Corp,\nbackend\u{202e} role "}),
        )
        .await;
    assert_eq!(pinned["shows"], "pinned");
    assert_eq!(pinned["pinned_revision"], 1);
    assert_eq!(pinned["label"], "Acme Corp, backend role");
    let live = api.share(&id, &json!({})).await;
    assert_eq!(live["shows"], "live");
    assert!(live.get("pinned_revision").is_none(), "{live}");
    assert!(live.get("label").is_none(), "{live}");
    let client = "198.51.100.21";
    // Viewed once before the edit, so the page is in the cache.
    let r = ask(
        Method::GET,
        &format!("/s/{}?format=json", token_of(&pinned)),
        client,
        &[],
        None,
    )
    .await;
    assert_eq!(r.json()["basics"]["name"], "Pia Pinned");

    let r = api
        .patch(
            &format!("/v1/resumes/{id}"),
            &json!({"basics": {"name": "Pia Edited"}}),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let by_revision = api.share(&id, &json!({"revision": 1})).await;
    assert_eq!(by_revision["pinned_revision"], 1);

    for token in [token_of(&pinned), token_of(&by_revision)] {
        for (format, expect) in [
            ("json", "Pia Pinned"),
            ("md", "Pia Pinned"),
            ("html", "Pia Pinned"),
        ] {
            let text = ask(
                Method::GET,
                &format!("/s/{token}?format={format}"),
                client,
                &[],
                None,
            )
            .await
            .text();
            assert!(text.contains(expect), "{format}: {text}");
            assert!(!text.contains("Pia Edited"), "{format}: {text}");
        }
        let pdf = ask(
            Method::GET,
            &format!("/s/{token}?format=pdf"),
            client,
            &[],
            None,
        )
        .await;
        let text = flatten(&pdf_text(&pdf.body)).to_lowercase();
        assert!(
            text.contains("pia pinned") && !text.contains("pia edited"),
            "{text}"
        );
    }
    let text = ask(
        Method::GET,
        &format!("/s/{}?format=json", token_of(&live)),
        client,
        &[],
        None,
    )
    .await
    .text();
    assert!(text.contains("Pia Edited"), "{text}");

    // The owner's list says which is which.
    let listed = api.shares(&id).await;
    let shows: Vec<(&str, Option<u64>)> = listed
        .iter()
        .map(|s| (s["shows"].as_str().unwrap(), s["pinned_revision"].as_u64()))
        .collect();
    assert_eq!(
        shows,
        vec![("pinned", Some(1)), ("live", None), ("pinned", Some(1))]
    );

    // Revisions that do not exist, and contradictions.
    let post = |body: Value| {
        let api = api.clone();
        let id = id.clone();
        async move {
            api.post_json(&format!("/v1/resumes/{id}/shares"), &body)
                .await
        }
    };
    let r = post(json!({"revision": 99})).await;
    let message = r.assert_error(404, "not_found")["error"]["message"].to_string();
    assert!(message.contains("revision 99"), "{message}");
    post(json!({"revision": 0}))
        .await
        .assert_error(400, "bad_request");
    post(json!({"pin": true, "revision": 1}))
        .await
        .assert_error(400, "bad_request");
    post(json!({"label": "x".repeat(201)}))
        .await
        .assert_error(400, "bad_request");
    assert_eq!(api.shares(&id).await.len(), 3, "no refused share was made");
}

// ---- downloads off, view history --------------------------------------------

#[tokio::test]
async fn a_page_only_link_refuses_every_other_form_and_links_none() {
    let (api, id) = resume_with("nodl", &sample_document("Noah Download", "nodl-1")).await;
    let share = api.share(&id, &json!({"allow_download": false})).await;
    assert_eq!(share["allow_download"], false);
    let token = token_of(&share);
    let client = "198.51.100.22";
    for format in ["pdf", "docx", "json", "md"] {
        let r = ask(
            Method::GET,
            &format!("/s/{token}?format={format}"),
            client,
            &[],
            None,
        )
        .await;
        let body = r.assert_error(403, "forbidden");
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("downloads are off"));
    }
    ask(
        Method::GET,
        &format!("/s/{token}"),
        client,
        &[accept("application/json")],
        None,
    )
    .await
    .assert_error(403, "forbidden");
    let page = ask(
        Method::GET,
        &format!("/s/{token}?format=html"),
        client,
        &[],
        None,
    )
    .await;
    assert_eq!(page.status, 200);
    let page = page.text();
    assert!(page.contains("Noah Download"));
    for link in [
        "download-pdf",
        "download-docx",
        "format-json",
        "format-md",
        "?format=",
    ] {
        assert!(!page.contains(link), "{link} on a page-only link");
    }
    // A link with downloads has them.
    let open = token_of(&api.share(&id, &json!({})).await);
    let page = ask(
        Method::GET,
        &format!("/s/{open}"),
        client,
        &[accept("text/html")],
        None,
    )
    .await
    .text();
    assert!(page.contains("id=\"download-pdf\""));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let listed = api.shares(&id).await;
    assert_eq!(
        listed[0]["access_count"], 1,
        "the refused forms count nothing"
    );
}

#[tokio::test]
async fn the_view_history_counts_per_day_and_form_for_the_owner_only() {
    let (api, id) = resume_with("history", &sample_document("Hist Ory", "hist-1")).await;
    let token = token_of(&api.share(&id, &json!({})).await);
    // Three clients; one of them twice (counted once an hour).
    for (client, format) in [
        ("198.51.100.40", "html"),
        ("198.51.100.40", "html"),
        ("198.51.100.41", "json"),
        ("198.51.100.42", "pdf"),
    ] {
        let r = ask(
            Method::GET,
            &format!("/s/{token}?format={format}"),
            client,
            &[],
            None,
        )
        .await;
        assert_eq!(r.status, 200);
    }
    let detail = api.get(&format!("/v1/shares/{token}")).await;
    assert_eq!(detail.status, 200, "{}", detail.text());
    let detail = detail.json();
    assert_eq!(detail["token"], token);
    assert_eq!(detail["access_count"], 3);
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(
        detail["views"],
        json!([{"day": today, "total": 3, "formats": {"html": 1, "json": 1, "pdf": 1}}])
    );
    // Stored, the same a moment later.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let again = api.get(&format!("/v1/shares/{token}")).await.json();
    assert_eq!(again["views"], detail["views"]);
    // Nobody else's.
    let other = server().user("history-other").await;
    other
        .get(&format!("/v1/shares/{token}"))
        .await
        .assert_error(404, "not_found");
    api.without_token()
        .get(&format!("/v1/shares/{token}"))
        .await
        .assert_error(401, "unauthorized");
    api.get("/v1/shares/NoSuchLinkNoSuchLinkNoSuchLink00")
        .await
        .assert_error(404, "not_found");
}

// ---- where links live -------------------------------------------------------

/// `POST /v1/resumes/{id}/shares` over a raw socket with this `Host`.
async fn create_with_host(api: &Api, id: &str, host: &str) -> Value {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = server().url().trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let body = "{}";
    let request = format!(
        "POST /v1/resumes/{id}/shares HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        api.token.as_deref().unwrap(),
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(HTTP_TIMEOUT, stream.read_to_end(&mut answer))
        .await
        .expect("an answer")
        .unwrap();
    let answer = String::from_utf8(answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let (_, body) = answer.split_once("\r\n\r\n").unwrap();
    serde_json::from_str(body).unwrap()
}

#[tokio::test]
async fn share_urls_follow_the_requests_host_never_the_unspecified_address() {
    let (api, id) = resume_with("hosts", &sample_document("Hosta Name", "host-1")).await;
    let port = server().url().rsplit(':').next().unwrap().to_string();
    let share = create_with_host(&api, &id, "cv.example.com:8443").await;
    let token = token_of(&share);
    assert_eq!(
        share["url"],
        format!("http://cv.example.com:8443/s/{token}")
    );
    for bad in ["0.0.0.0:7878", "[::]:7878"] {
        let share = create_with_host(&api, &id, bad).await;
        assert_eq!(
            share["url"],
            format!("http://127.0.0.1:{port}/s/{}", token_of(&share)),
            "{bad}"
        );
    }
    // A trusted proxy names the host and the scheme.
    let r = api
        .send(
            api.request(Method::GET, &format!("/v1/resumes/{id}/shares"))
                .header("x-forwarded-host", "cv.example.org")
                .header("x-forwarded-proto", "https"),
        )
        .await;
    let listed = r.json()["shares"].as_array().unwrap().clone();
    assert!(listed.iter().all(|s| s["url"]
        .as_str()
        .unwrap()
        .starts_with("https://cv.example.org/s/")));
    // The link the URL names answers.
    let r = ask(
        Method::GET,
        &format!("/s/{token}?format=json"),
        "198.51.100.23",
        &[],
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    // Without the root alias, `/{token}` is no route.
    let r = ask(
        Method::GET,
        &format!("/{token}"),
        "198.51.100.23",
        &[],
        None,
    )
    .await;
    r.assert_error(404, "not_found");
}

#[tokio::test]
async fn the_root_alias_serves_links_at_the_root_and_leaves_other_routes_alone() {
    let server = TestServer::start_with(&[
        "--share-root-alias",
        "--public-url",
        "https://cv.example.com",
    ]);
    let api = server.user("alias").await;
    let id = import_document(&api, &sample_document("Al Ias", "alias-1"), "cv.json").await;
    let share = api.share(&id, &json!({"password": "pw"})).await;
    let token = token_of(&share);
    assert_eq!(share["url"], format!("https://cv.example.com/{token}"));
    let anon = api.without_token();
    let r = anon
        .send(
            anon.request(Method::GET, &format!("/{token}?format=json"))
                .basic_auth("", Some("pw")),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["basics"]["name"], "Al Ias");
    // The same link at /s/ still answers.
    let r = anon
        .send(
            anon.request(Method::GET, &format!("/s/{token}?format=json"))
                .basic_auth("", Some("pw")),
        )
        .await;
    assert_eq!(r.status, 200);
    // The form posts to the alias path, and the cookie is scoped to it.
    let r = send_unchecked(
        http()
            .post(format!("{}/{token}", server.url()))
            .header(FORM_TYPE.0, FORM_TYPE.1)
            .body("password=pw"),
    )
    .await;
    assert_eq!(r.status, 303);
    let cookie = r.header("set-cookie").unwrap();
    assert!(cookie.contains(&format!("Path=/{token};")), "{cookie}");
    // Other routes keep their meaning.
    assert_eq!(anon.get("/healthz").await.status, 200);
    assert_eq!(anon.get("/app").await.status, 200);
    anon.get("/v1/resumes")
        .await
        .assert_error(401, "unauthorized");
    assert_eq!(anon.get("/openapi.json").await.status, 200);
    // An unknown token at the root is the share 404, kept by no cache.
    let r = anon.get("/NoSuchLinkNoSuchLinkNoSuchLink00").await;
    r.assert_error(404, "not_found");
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    // Short or odd paths are never taken for a link.
    anon.get("/favicon.ico")
        .await
        .assert_error(404, "not_found");
    anon.get("/v1").await.assert_error(404, "not_found");
}

// ---- the terminal client ----------------------------------------------------

/// `vitae ARGS` against the shared server as `api`'s user, with `stdin`
/// fed in: exit code, stdout, stderr. Bounded by [`HTTP_TIMEOUT`].
async fn run_vitae(api: &Api, args: &[&str], stdin: &str) -> (i32, String, String) {
    run_vitae_env(api, args, stdin, &[]).await
}

/// [`run_vitae`] with extra environment variables.
async fn run_vitae_env(
    api: &Api,
    args: &[&str],
    stdin: &str,
    env: &[(&str, &str)],
) -> (i32, String, String) {
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};
    let config = tempfile::tempdir().expect("a config dir");
    let mut cmd = Command::new(client_bin());
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("VITAE_") {
            cmd.env_remove(name);
        }
    }
    let mut child = cmd
        .args(args)
        .env("NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", config.path())
        .env("VITAE_URL", server().url())
        .env("VITAE_TOKEN", api.token.as_deref().expect("a token"))
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn vitae");
    let mut input = child.stdin.take().expect("stdin");
    // A command that refuses its arguments exits without reading stdin.
    if let Err(e) = input.write_all(stdin.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "feed stdin: {e}");
    }
    drop(input);
    let (mut out, mut err) = (
        child.stdout.take().expect("stdout"),
        child.stderr.take().expect("stderr"),
    );
    let read_out = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = out.read_to_string(&mut text);
        text
    });
    let read_err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = err.read_to_string(&mut text);
        text
    });
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if started.elapsed() > HTTP_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("vitae {args:?} did not finish in time");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    (
        status.code().unwrap_or(-1),
        read_out.join().expect("stdout"),
        read_err.join().expect("stderr"),
    )
}

#[tokio::test]
async fn vitae_share_makes_and_vitae_shares_lists_labelled_pinned_protected_links() {
    let (api, id) = resume_with("cli-v2", &sample_document("Cleo Cli", "cli-1")).await;
    let (code, out, err) = run_vitae(
        &api,
        &[
            "share",
            &id,
            "--label",
            "Acme Corp, backend role",
            "--pin",
            "--hide",
            "phone,location",
            "--no-download",
            "--password-stdin",
            "--json",
        ],
        "s3cret pass\n",
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let share: Value = serde_json::from_str(&out).expect("one JSON share");
    assert_eq!(share["label"], "Acme Corp, backend role");
    assert_eq!(share["shows"], "pinned");
    assert_eq!(share["pinned_revision"], 1);
    assert_eq!(share["hide"], json!(["phone", "location"]));
    assert_eq!(share["allow_download"], false);
    assert_eq!(share["has_password"], true);
    // The password read from stdin is the link's.
    let token = token_of(&share);
    let r = ask(
        Method::GET,
        &format!("/s/{token}?format=html"),
        "198.51.100.50",
        &[basic("s3cret pass")],
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        !r.text().contains("+46 70 123 45 67"),
        "the phone is hidden"
    );

    let (code, out, err) = run_vitae(&api, &["shares", &id], "").await;
    assert_eq!(code, 0, "{err}");
    let header = out.lines().next().unwrap_or_default();
    assert!(
        header.contains("SHOWS") && header.contains("LABEL"),
        "{out}"
    );
    let row = out.lines().nth(1).unwrap_or_default();
    assert!(row.contains("rev 1 +pw"), "{out}");
    assert!(row.contains("Acme Corp, backend role"), "{out}");

    // An empty password line is refused before anything is made.
    let (code, _, err) = run_vitae(&api, &["share", &id, "--password-stdin"], "\n").await;
    assert_ne!(code, 0);
    assert!(err.contains("--password-stdin"), "{err}");
    assert_eq!(api.shares(&id).await.len(), 1);
}

/// `vitae share --password-env` takes the password from the environment
/// (never from argv), and `vitae views` shows the link's views per day and
/// form, as a table and as the API's JSON.
#[tokio::test]
async fn vitae_views_shows_a_links_views_per_day_and_form() {
    let (api, id) = resume_with("cli-views", &sample_document("Vera Views", "views-1")).await;
    // A variable that is not set is a usage error, and nothing is made.
    let (code, _, err) = run_vitae(
        &api,
        &[
            "share",
            &id,
            "--password-env",
            "VITAE_TEST_NO_SUCH_VARIABLE",
        ],
        "",
    )
    .await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("VITAE_TEST_NO_SUCH_VARIABLE"), "{err}");
    assert!(api.shares(&id).await.is_empty());
    // Only one way to give the password at a time.
    let (code, _, err) = run_vitae(
        &api,
        &["share", &id, "--password-stdin", "--password-env", "X"],
        "pw\n",
    )
    .await;
    assert_eq!(code, 2, "{err}");

    let (code, out, err) = run_vitae_env(
        &api,
        &[
            "share",
            &id,
            "--password-env",
            "SHARE_PW",
            "--label",
            "Initech, data role",
            "--hide",
            "phone",
            "--json",
        ],
        "",
        &[("SHARE_PW", "from the env 7")],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let share: Value = serde_json::from_str(&out).expect("one JSON share");
    assert_eq!(share["has_password"], true);
    let token = token_of(&share);

    // No views yet: said so, and an empty list as JSON.
    let (code, out, err) = run_vitae(&api, &["views", &token], "").await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("no views recorded yet"), "{out}");
    assert!(out.contains("Initech, data role"), "{out}");
    assert!(out.contains("hides phone"), "{out}");

    // Without the password nothing is counted; with it, three clients.
    let r = ask(
        Method::GET,
        &format!("/s/{token}?format=json"),
        "198.51.100.60",
        &[],
        None,
    )
    .await;
    assert_eq!(r.status, 401);
    for (client, format) in [
        ("198.51.100.61", "html"),
        ("198.51.100.62", "html"),
        ("198.51.100.63", "md"),
    ] {
        let r = ask(
            Method::GET,
            &format!("/s/{token}?format={format}"),
            client,
            &[basic("from the env 7")],
            None,
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }

    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    // The URL works as well as the token (people paste what they have).
    let url = share["url"].as_str().expect("url");
    let (code, out, err) = run_vitae(&api, &["views", url], "").await;
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with(&token), "{out}");
    assert!(lines[0].contains("live +pw"), "{out}");
    assert!(out.contains("3 views"), "{out}");
    let header = lines
        .iter()
        .position(|l| l.starts_with("DAY (UTC)"))
        .unwrap_or_else(|| panic!("a table: {out}"));
    let columns: Vec<&str> = lines[header].split_whitespace().collect();
    assert_eq!(
        columns,
        ["DAY", "(UTC)", "VIEWS", "HTML", "PDF", "DOCX", "JSON", "MD"],
        "{out}"
    );
    let row: Vec<&str> = lines[header + 1].split_whitespace().collect();
    assert_eq!(row, [today.as_str(), "3", "2", "0", "0", "0", "1"], "{out}");

    let (code, out, err) = run_vitae(&api, &["views", &token, "--json"], "").await;
    assert_eq!(code, 0, "{err}");
    let detail: Value = serde_json::from_str(&out).expect("one JSON document");
    assert_eq!(detail, api.get(&format!("/v1/shares/{token}")).await.json());
    assert_eq!(
        detail["views"],
        json!([{"day": today, "total": 3, "formats": {"html": 2, "md": 1}}])
    );

    // Someone else's link is the server's 404; a bad token a usage error.
    let other = server().user("cli-views-other").await;
    let (code, _, err) = run_vitae(&other, &["views", &token], "").await;
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("404") || err.contains("not"), "{err}");
    let (code, _, err) = run_vitae(&api, &["views", "no/such?token"], "").await;
    assert_eq!(code, 2, "{err}");
}
