//! Upload, review and edit: every format (raw and multipart) reaches `ready`
//! with the right name and email; the resource shape; a corrupt PDF fails
//! honestly; PATCH with merge patch, `If-Match` and revisions; DELETE.
//!
//! One server for the whole file; each test uses its own fresh user.

use std::time::Duration;

use serde_json::Value;
use vitae_tests::*;

fn server() -> &'static TestServer {
    shared_server(&[])
}

/// Upload `name` raw or as multipart, check the 202 answer, wait for `ready`,
/// and check the parsed name and email.
async fn upload_and_check(name: &str, multipart: bool) {
    let api = server().user("up").await;
    let ct = content_type_for(name);
    let r = if multipart {
        api.upload_multipart(fixture(name), ct, name).await
    } else {
        api.upload(fixture(name), ct, name).await
    };
    assert_eq!(r.status, 202, "upload {name}: {}", r.text());
    let v = r.json();
    assert_resume_shape(&v);
    let id = v["id"].as_str().unwrap().to_string();
    assert_eq!(v["status"], "pending", "a fresh upload is pending: {v}");
    assert_eq!(v["filename"], name, "{v}");
    assert!(
        v["content_type"]
            .as_str()
            .is_some_and(|c| c.starts_with(ct)),
        "content_type {} for {ct}",
        v["content_type"]
    );
    assert_eq!(v["owner"], api.user_name(), "owner is the user: {v}");
    assert_eq!(v["is_master"], false, "not master before it is ready: {v}");
    assert!(v["parent_id"].is_null(), "{v}");
    assert!(
        v.get("document").is_none_or(Value::is_null),
        "document is null until parsed: {v}"
    );
    let loc = r.header("location").expect("202 has a Location header");
    assert!(
        loc.ends_with(&format!("/v1/resumes/{id}")),
        "Location {loc:?} should point at the resume"
    );

    let done = api.wait_terminal(&id).await;
    assert_eq!(
        done["status"], "ready",
        "{name} ({multipart}) failed: {done}"
    );
    assert_resume_shape(&done);
    let doc = &done["document"];
    assert_eq!(doc["basics"]["name"], FIXTURE_NAME, "{name}: {doc}");
    assert_eq!(doc["basics"]["email"], FIXTURE_EMAIL, "{name}: {doc}");
    assert_eq!(done["is_master"], true, "the first ready resume is master");
}

macro_rules! format_tests {
    ($($raw:ident, $multi:ident, $file:literal;)*) => {$(
        #[tokio::test]
        async fn $raw() {
            upload_and_check($file, false).await;
        }
        #[tokio::test]
        async fn $multi() {
            upload_and_check($file, true).await;
        }
    )*};
}

format_tests! {
    upload_pdf_raw, upload_pdf_multipart, "resume.pdf";
    upload_docx_raw, upload_docx_multipart, "resume.docx";
    upload_md_raw, upload_md_multipart, "resume.md";
    upload_txt_raw, upload_txt_multipart, "resume.txt";
    upload_json_raw, upload_json_multipart, "resume.json";
}

#[tokio::test]
async fn parsed_document_has_work_education_and_skills() {
    for name in GOOD_FIXTURES {
        let api = server().user("doc").await;
        let v = api.upload_ready(name).await;
        let doc = &v["document"];
        let work = doc["work"].as_array().map(Vec::len).unwrap_or(0);
        assert!(work >= 2, "{name}: two jobs expected, got {work}: {doc}");
        let edu = doc["education"].as_array().map(Vec::len).unwrap_or(0);
        assert!(edu >= 1, "{name}: education expected: {doc}");
        let skills = doc["skills"].to_string();
        assert!(skills.contains("Rust"), "{name}: skills: {skills}");
    }
}

#[tokio::test]
async fn json_resume_import_is_lossless() {
    let api = server().user("lossless").await;
    let original: Value = serde_json::from_slice(&fixture("resume.json")).unwrap();
    let v = api.upload_ready("resume.json").await;
    if let Err(e) = json_subset(&original, &v["document"], "document") {
        panic!("JSON Resume import lost data: {e}\n{}", v["document"]);
    }
    // A document with sections the fixture lacks survives too.
    let mut rich = original.clone();
    rich["projects"] =
        json!([{"name": "Vitae", "description": "Résumé service", "keywords": ["rust"]}]);
    rich["languages"] = json!([{"language": "Swedish", "fluency": "Native speaker"}]);
    rich["awards"] = json!([{"title": "Best Talk", "date": "2021-05-01", "awarder": "RustConf"}]);
    rich["meta"] = json!({"version": "v1.0.0"});
    let r = api
        .upload(serde_json::to_vec(&rich).unwrap(), CT_JSON, "rich.json")
        .await;
    assert_eq!(r.status, 202, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    let v = api.wait_terminal(&id).await;
    assert_eq!(v["status"], "ready", "{v}");
    if let Err(e) = json_subset(&rich, &v["document"], "document") {
        panic!("JSON Resume import lost data: {e}\n{}", v["document"]);
    }
}

#[tokio::test]
async fn filename_and_content_type_parameters_are_kept() {
    let api = server().user("names").await;
    let name = "Zoë CV (final) #2.md";
    let r = api
        .upload(fixture("resume.md"), "text/markdown; charset=utf-8", name)
        .await;
    assert_eq!(r.status, 202, "{}", r.text());
    let v = r.json();
    assert_eq!(v["filename"], name, "{v}");
    let id = v["id"].as_str().unwrap();
    assert_eq!(api.wait_terminal(id).await["status"], "ready");

    let r = api
        .upload_multipart(
            fixture("resume.txt"),
            "text/plain; charset=utf-8",
            "Lindqvist – CV.txt",
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text());
    assert_eq!(r.json()["filename"], "Lindqvist – CV.txt");
}

#[tokio::test]
async fn get_has_etag_and_list_has_no_document() {
    let api = server().user("get").await;
    let v = api.upload_ready("resume.md").await;
    let id = v["id"].as_str().unwrap();
    let r = api.get(&format!("/v1/resumes/{id}")).await;
    assert_eq!(r.status, 200);
    let etag = r.header("etag").expect("GET resume has an ETag");
    let rev = r.json()["revision"].as_u64().unwrap();
    assert_eq!(
        etag.trim_start_matches("W/").trim_matches('"'),
        rev.to_string(),
        "ETag is the revision"
    );

    let list = api.list().await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["id"], id);
    assert_resume_shape(&list[0]);
    assert!(
        list[0].get("document").is_none_or(Value::is_null),
        "lists carry no document: {}",
        list[0]
    );
}

#[tokio::test]
async fn corrupt_pdf_fails_with_reason_in_resource_and_stream() {
    let api = server().user("corrupt").await;
    let r = api
        .upload(fixture("corrupt.pdf"), CT_PDF, "corrupt.pdf")
        .await;
    assert_eq!(
        r.status,
        202,
        "a PDF that starts well is accepted: {}",
        r.text()
    );
    let v = r.json();
    assert_ne!(
        v["status"], "ready",
        "the upload must not claim success: {v}"
    );
    assert_resume_shape(&v);
    let id = v["id"].as_str().unwrap();

    let done = api.wait_terminal(id).await;
    assert_eq!(done["status"], "failed", "{done}");
    assert!(
        done["reason"].as_str().is_some_and(|s| !s.is_empty()),
        "a failed resume has a reason: {done}"
    );
    assert_eq!(
        done["is_master"], false,
        "a failed parse never becomes master"
    );

    let mut s = api.sse(&format!("/v1/resumes/{id}/events"), None).await;
    s.assert_sse_headers();
    let events = s.events_to_end(Duration::from_secs(10)).await;
    let terminal = assert_parse_sequence(&events, 1);
    assert_eq!(terminal.event_name(), "failed", "{events:#?}");
    let reason = terminal.json()["reason"].as_str().unwrap_or("").to_string();
    assert!(
        !reason.is_empty(),
        "failed event has a reason: {terminal:?}"
    );
}

#[tokio::test]
async fn patch_merge_patch_bumps_revision_and_keeps_previous() {
    let api = server().user("patch").await;
    let v = api.upload_ready("resume.json").await;
    let id = v["id"].as_str().unwrap();
    let rev = v["revision"].as_u64().unwrap();

    let r = api
        .patch(
            &format!("/v1/resumes/{id}"),
            &json!({"basics": {"label": "Staff Engineer", "phone": null}}),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let p = r.json();
    assert_resume_shape(&p);
    assert_eq!(p["revision"].as_u64(), Some(rev + 1), "{p}");
    assert_eq!(p["document"]["basics"]["label"], "Staff Engineer");
    assert!(
        p["document"]["basics"]
            .get("phone")
            .is_none_or(Value::is_null),
        "merge patch null removes the member: {p}"
    );
    assert_eq!(
        p["document"]["basics"]["name"], FIXTURE_NAME,
        "untouched members stay"
    );
    let etag = r.header("etag").unwrap_or_default();
    assert_eq!(
        etag.trim_matches('"'),
        (rev + 1).to_string(),
        "ETag after PATCH"
    );

    // GET shows the new document.
    let g = api.resume(id).await;
    assert_eq!(g["document"]["basics"]["label"], "Staff Engineer");
    assert_eq!(g["revision"].as_u64(), Some(rev + 1));

    // The previous revision is kept.
    let r = api.get(&format!("/v1/resumes/{id}/revisions")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let revs = r.json()["revisions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let nums: Vec<u64> = revs.iter().filter_map(|r| r["revision"].as_u64()).collect();
    assert!(
        nums.contains(&rev),
        "previous revision {rev} kept: {revs:?}"
    );
    for r in &revs {
        assert!(is_rfc3339(&r["created_at"]), "{r}");
    }
}

#[tokio::test]
async fn patch_with_application_json_and_whole_document() {
    let api = server().user("patchjson").await;
    let v = api.upload_ready("resume.md").await;
    let id = v["id"].as_str().unwrap();
    let mut doc = v["document"].clone();
    doc["basics"]["summary"] = json!("Replaced whole");
    let r = api
        .send(
            api.request(reqwest::Method::PATCH, &format!("/v1/resumes/{id}"))
                .header("content-type", "application/json")
                .body(doc.to_string()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["document"]["basics"]["summary"], "Replaced whole");
}

#[tokio::test]
async fn patch_if_match_quoted_bare_and_stale() {
    let api = server().user("ifmatch").await;
    let v = api.upload_ready("resume.txt").await;
    let id = v["id"].as_str().unwrap();
    let path = format!("/v1/resumes/{id}");
    let rev = v["revision"].as_u64().unwrap();

    // Quoted.
    let r = api
        .patch(
            &path,
            &json!({"basics": {"label": "A"}}),
            Some(&format!("\"{rev}\"")),
        )
        .await;
    assert_eq!(r.status, 200, "quoted If-Match: {}", r.text());
    // Bare.
    let r = api
        .patch(
            &path,
            &json!({"basics": {"label": "B"}}),
            Some(&(rev + 1).to_string()),
        )
        .await;
    assert_eq!(r.status, 200, "bare If-Match: {}", r.text());
    assert_eq!(r.json()["revision"].as_u64(), Some(rev + 2));
    // Stale.
    let r = api
        .patch(
            &path,
            &json!({"basics": {"label": "C"}}),
            Some(&rev.to_string()),
        )
        .await;
    r.assert_error(412, "precondition_failed");
    // The stale write changed nothing.
    let g = api.resume(id).await;
    assert_eq!(g["document"]["basics"]["label"], "B");
    assert_eq!(g["revision"].as_u64(), Some(rev + 2));
}

#[tokio::test]
async fn patch_bad_json_400_invalid_resume_422_not_ready_409() {
    let api = server().user("patchbad").await;
    let v = api.upload_ready("resume.md").await;
    let id = v["id"].as_str().unwrap();
    let path = format!("/v1/resumes/{id}");
    let r = api
        .send(
            api.request(reqwest::Method::PATCH, &path)
                .header("content-type", "application/merge-patch+json")
                .body("{\"basics\": "),
        )
        .await;
    r.assert_error(400, "bad_request");
    let r = api.patch(&path, &json!({"work": "x"}), None).await;
    r.assert_error(422, "unprocessable");
    let r = api
        .patch(&path, &json!({"basics": {"name": 5}}), None)
        .await;
    r.assert_error(422, "unprocessable");
    // Nothing changed.
    let g = api.resume(id).await;
    assert_eq!(g["revision"], v["revision"]);
    assert_eq!(g["document"]["basics"]["name"], FIXTURE_NAME);

    // A failed resume is not ready: 409.
    let bad = api.upload_fixture("corrupt.pdf").await;
    let bad_id = bad["id"].as_str().unwrap();
    assert_eq!(api.wait_terminal(bad_id).await["status"], "failed");
    let r = api
        .patch(
            &format!("/v1/resumes/{bad_id}"),
            &json!({"basics": {"name": "X"}}),
            None,
        )
        .await;
    r.assert_error(409, "conflict");
}

#[tokio::test]
async fn delete_removes_resume_and_its_shares() {
    let api = server().user("del").await;
    let v = api.upload_ready("resume.md").await;
    let id = v["id"].as_str().unwrap();
    let share = api.share(id, &json!({})).await;
    let token = share["token"].as_str().unwrap();
    let anon = api.without_token();
    assert_eq!(anon.get(&format!("/s/{token}")).await.status, 200);

    let r = api.delete(&format!("/v1/resumes/{id}")).await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert!(r.body.is_empty(), "204 has no body");
    api.get(&format!("/v1/resumes/{id}"))
        .await
        .assert_error(404, "not_found");
    api.delete(&format!("/v1/resumes/{id}"))
        .await
        .assert_error(404, "not_found");
    let r = anon.get(&format!("/s/{token}")).await;
    assert_eq!(r.status, 404, "share of a deleted resume: {}", r.text());
    let s = api.sse(&format!("/v1/resumes/{id}/events"), None).await;
    s.as_resp().assert_error(404, "not_found");
    let s = api
        .sse(&format!("/v1/resumes/{id}/events"), Some(TERMINAL_ID))
        .await;
    s.as_resp().assert_error(404, "not_found");
    api.post_empty(&format!("/v1/resumes/{id}/master"))
        .await
        .assert_error(404, "not_found");
    api.patch(
        &format!("/v1/resumes/{id}"),
        &json!({"basics": {"label": "x"}}),
        None,
    )
    .await
    .assert_error(404, "not_found");
    api.get(&format!("/v1/resumes/{id}/shares"))
        .await
        .assert_error(404, "not_found");
    assert!(api.list().await.is_empty());
}

#[tokio::test]
async fn upload_limit_boundary() {
    // A separate server with a small limit: exactly the limit is accepted, one more byte is 413.
    let srv = TestServer::start_with(&["--max-upload-bytes", "4096"]);
    let api = srv.user("limit").await;
    let mut body = format!("{FIXTURE_NAME}\n{FIXTURE_EMAIL}\n").into_bytes();
    body.resize(4096, b'x');
    let r = api.upload(body.clone(), CT_TXT, "limit.txt").await;
    assert_eq!(r.status, 202, "exactly the limit: {}", r.text());
    body.push(b'x');
    api.upload(body.clone(), CT_TXT, "over.txt")
        .await
        .assert_error(413, "payload_too_large");
    api.upload_multipart(body, CT_TXT, "over.txt")
        .await
        .assert_error(413, "payload_too_large");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_patches_with_the_same_if_match_one_wins() {
    let api = server().user("race").await;
    let v = api.upload_ready("resume.md").await;
    let id = v["id"].as_str().unwrap().to_string();
    let rev = v["revision"].as_u64().unwrap();
    let futs = (0..10).map(|i| {
        let api = api.clone();
        let id = id.clone();
        tokio::spawn(async move {
            api.patch(
                &format!("/v1/resumes/{id}"),
                &json!({"basics": {"label": format!("writer {i}")}}),
                Some(&format!("\"{rev}\"")),
            )
            .await
        })
    });
    let results = futures_util::future::join_all(futs).await;
    let mut ok = Vec::new();
    for r in results {
        let r = r.unwrap();
        match r.status {
            200 => ok.push(r.json()),
            412 => {
                r.assert_error(412, "precondition_failed");
            }
            s => panic!("PATCH answered {s}: {}", r.text()),
        }
    }
    assert_eq!(ok.len(), 1, "exactly one writer wins: {ok:#?}");
    let after = api.resume(&id).await;
    assert_eq!(after["revision"].as_u64(), Some(rev + 1));
    assert_eq!(
        after["document"]["basics"]["label"],
        ok[0]["document"]["basics"]["label"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_patches_without_if_match_are_all_kept() {
    let api = server().user("race2").await;
    let v = api.upload_ready("resume.md").await;
    let id = v["id"].as_str().unwrap().to_string();
    let rev = v["revision"].as_u64().unwrap();
    let futs = (0..10).map(|i| {
        let api = api.clone();
        let id = id.clone();
        tokio::spawn(async move {
            api.patch(
                &format!("/v1/resumes/{id}"),
                &json!({"basics": {"label": format!("writer {i}")}}),
                None,
            )
            .await
            .status
        })
    });
    for s in futures_util::future::join_all(futs).await {
        assert_eq!(s.unwrap(), 200);
    }
    let after = api.resume(&id).await;
    assert_eq!(after["revision"].as_u64(), Some(rev + 10), "no lost update");
    let r = api.get(&format!("/v1/resumes/{id}/revisions")).await;
    let revs: Vec<u64> = r.json()["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["revision"].as_u64())
        .collect();
    let unique: std::collections::HashSet<_> = revs.iter().collect();
    assert_eq!(
        unique.len(),
        revs.len(),
        "revision numbers are unique: {revs:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_deletes_one_204_rest_404() {
    let api = server().user("delrace").await;
    let v = api.upload_ready("resume.txt").await;
    let id = v["id"].as_str().unwrap().to_string();
    let futs = (0..8).map(|_| {
        let api = api.clone();
        let id = id.clone();
        tokio::spawn(async move { api.delete(&format!("/v1/resumes/{id}")).await.status })
    });
    let statuses: Vec<u16> = futures_util::future::join_all(futs)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 204).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 404).count(),
        7,
        "{statuses:?}"
    );
}
