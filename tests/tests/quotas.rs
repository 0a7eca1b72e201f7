//! Amplification and fairness: what one account can make the server hold
//! or wait for.
//!
//! - A small DOCX whose `word/document.xml` repeats one paragraph into 60
//!   MiB of XML ends `failed` with a reason naming `max_parsed_mib`, and
//!   leaves the store about as large as the upload (before the cap it
//!   became a 62.7 MB document and +128 MiB on disk).
//! - Per-user quotas refuse writes with `quota_exceeded` (429 for counts,
//!   507 for bytes) naming the limit, the use and the setting, and
//!   `GET /v1/account` shows the usage against them.
//! - The parse queue serves users in turn, and bounds each user's share.

use std::io::Write;
use std::path::Path;

use serde_json::{json, Value};
use vitae_tests::*;

/// A DOCX of ~200 KB whose main part is `xml_mib` MiB of the same
/// paragraph: the amplifier.
fn amplifying_docx(xml_mib: usize) -> Vec<u8> {
    let paragraph = "<w:p><w:r><w:t>Led the migration of the billing platform to a new stack, \
                     cutting costs and keeping every customer on board during the move.</w:t></w:r></w:p>";
    let mut xml = String::with_capacity(xml_mib << 20);
    xml.push_str(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Jane Doe</w:t></w:r></w:p><w:p><w:r><w:t>jane@example.com</w:t></w:r></w:p><w:p><w:r><w:t>Experience</w:t></w:r></w:p>"#,
    );
    while xml.len() < (xml_mib << 20) {
        xml.push_str(paragraph);
    }
    xml.push_str("</w:body></w:document>");
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let deflate = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(9));
        let parts = [
            (
                "[Content_Types].xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#,
            ),
            (
                "_rels/.rels",
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#,
            ),
            ("word/document.xml", xml.as_str()),
        ];
        for (name, body) in parts {
            zip.start_file(name, deflate).unwrap();
            zip.write_all(body.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
    }
    out.into_inner()
}

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The size of the store's one file.
fn store_bytes(dir: &Path) -> u64 {
    std::fs::metadata(dir.join("vitae.redb")).map_or(0, |m| m.len())
}

/// The server's resident memory (`VmRSS` in /proc), in KiB, for the log.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn an_amplifying_docx_fails_naming_the_limit_and_the_store_stays_small() {
    // Default limits but the time budget: a debug build on a busy machine
    // may take longer than 30 s to read the 20 MiB of text it may produce.
    let srv = TestServer::start_with(&["--parse-timeout-secs", "300"]);
    let api = srv.user("amplifier").await;
    let docx = amplifying_docx(60);
    assert!(
        docx.len() < 1024 * 1024,
        "the file is small: {}",
        docx.len()
    );
    let before = store_bytes(&srv.data_dir());
    let rss_before = rss_kib(srv.pid());
    let r = api.upload(docx.clone(), DOCX, "amplifier.docx").await;
    assert_eq!(r.status, 202, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    let done = api.wait_terminal(&id).await;
    assert_eq!(done["status"], "failed", "{done}");
    let reason = done["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("max_parsed_mib") && reason.contains("20 MiB"),
        "the reason names the limit and the setting: {reason}"
    );
    assert!(done["document"].is_null());
    let grown = store_bytes(&srv.data_dir()).saturating_sub(before);
    eprintln!(
        "amplifying DOCX of {} bytes: store grew by {grown} bytes; server RSS {rss_before} KiB before, {} KiB after",
        docx.len(),
        rss_kib(srv.pid())
    );
    // The upload itself and a page or two of redb: nowhere near the 60 MiB
    // of text it unpacks to.
    assert!(grown < 8 * 1024 * 1024, "the store grew by {grown} bytes");
    // The account counts the original only.
    let account = api.get("/v1/account").await;
    assert_eq!(account.status, 200, "{}", account.text());
    assert_eq!(account.json()["usage"]["bytes"], docx.len() as u64);
}

#[tokio::test]
async fn the_parsed_limit_is_configurable_and_ordinary_resumes_pass_it() {
    let srv = TestServer::start_with(&["--max-parsed-mib", "1"]);
    let api = srv.user("limited").await;
    let r = api.upload(amplifying_docx(4), DOCX, "four.docx").await;
    assert_eq!(r.status, 202, "{}", r.text());
    let done = api.wait_terminal(r.json()["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "failed", "{done}");
    let reason = done["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("1 MiB") && reason.contains("max_parsed_mib"),
        "{reason}"
    );
    let fine = api.upload_ready("resume.md").await;
    assert_eq!(fine["status"], "ready");
}

#[tokio::test]
async fn quotas_refuse_with_quota_exceeded_and_the_account_shows_usage() {
    let srv = TestServer::start_with(&[
        "--quota-resumes",
        "2",
        "--quota-shares",
        "1",
        "--quota-jobs",
        "1",
        "--quota-bytes-mib",
        "1",
    ]);
    let api = srv.user("quota").await;
    let first = api.upload_ready("resume.md").await;
    let id = first["id"].as_str().unwrap();
    api.upload_ready("resume.md").await;

    let third = api
        .upload(fixture("resume.md"), "text/markdown", "c.md")
        .await;
    let err = third.assert_error(429, "quota_exceeded");
    let message = err["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("quota of 2 resumes") && message.contains("you have 2"),
        "{message}"
    );
    assert!(message.contains("quota_resumes"), "{message}");

    let share = api
        .post_json(&format!("/v1/resumes/{id}/shares"), &json!({}))
        .await;
    assert_eq!(share.status, 201, "{}", share.text());
    let second_share = api
        .post_json(&format!("/v1/resumes/{id}/shares"), &json!({}))
        .await;
    let err = second_share.assert_error(429, "quota_exceeded");
    assert!(err["error"]["message"]
        .as_str()
        .unwrap()
        .contains("quota_shares"));

    let account: Value = api.get("/v1/account").await.json();
    assert_eq!(account["user"], api.user_name());
    assert_eq!(account["usage"]["resumes"], 2);
    assert_eq!(account["usage"]["shares"], 1);
    assert_eq!(account["quotas"]["resumes"], 2);
    assert_eq!(account["quotas"]["bytes"], 1024 * 1024);
    assert_eq!(account["quotas"]["revisions_per_resume"], 10_000);
    let stored = account["usage"]["bytes"].as_u64().unwrap();
    assert!(stored > 0 && stored < 1024 * 1024, "{account}");

    // Deleting a resume frees its place, its bytes and its share.
    assert_eq!(api.delete(&format!("/v1/resumes/{id}")).await.status, 204);
    let account: Value = api.get("/v1/account").await.json();
    assert_eq!(account["usage"]["resumes"], 1);
    assert_eq!(account["usage"]["shares"], 0);
    assert!(account["usage"]["bytes"].as_u64().unwrap() < stored);

    // Bytes: a file that does not fit in what is left is 507.
    let big = "Jane Doe\njane@example.com\n".repeat(45_000).into_bytes();
    let r = send_unchecked(
        api.request(reqwest::Method::POST, "/v1/resumes?filename=big.txt")
            .header("content-type", "text/plain")
            .body(big),
    )
    .await;
    let err = r.assert_error(507, "quota_exceeded");
    let message = err["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("storage quota")
            && message.contains("1 MiB")
            && message.contains("quota_bytes_mib"),
        "{message}"
    );
    // Other users have quotas of their own.
    let other = srv.user("other").await;
    other.upload_ready("resume.md").await;
}

#[tokio::test]
async fn one_users_backlog_does_not_hold_up_another_users_parse() {
    // One worker, and parses of the slow file end at a 3 s budget: the
    // slow user's backlog is 4 × 3 s of work, while its uploads take well
    // under a second each.
    let srv = TestServer::start_with(&["--workers", "1", "--parse-timeout-secs", "3"]);
    let slow = srv.user("backlog").await;
    let quick = srv.user("quick").await;
    let big = huge_text_resume();
    let mut slow_ids = Vec::new();
    for i in 0..4 {
        let r = slow
            .upload(big.clone(), "text/plain", &format!("slow{i}.txt"))
            .await;
        assert_eq!(r.status, 202, "{}", r.text());
        slow_ids.push(r.json()["id"].as_str().unwrap().to_string());
    }
    let r = quick
        .upload(fixture("resume.md"), "text/markdown", "quick.md")
        .await;
    assert_eq!(r.status, 202, "{}", r.text());
    let quick_id = r.json()["id"].as_str().unwrap().to_string();
    let quick_done = quick.wait_terminal(&quick_id).await;
    assert_eq!(quick_done["status"], "ready", "{quick_done}");
    let finished = |v: &Value| {
        chrono::DateTime::parse_from_rfc3339(v["updated_at"].as_str().unwrap()).unwrap()
    };
    let quick_at = finished(&quick_done);
    let mut after_quick = 0;
    for id in &slow_ids {
        let done = slow.wait_terminal(id).await;
        if finished(&done) > quick_at {
            after_quick += 1;
        }
    }
    // In arrival order the quick parse would come last (none of the slow
    // ones after it). In turns it comes right after the slow parse running
    // when it arrived: every slow one still waiting then (two or three of
    // the four, as the uploads take well under the 3 s budget) after it.
    assert!(
        after_quick >= 2,
        "{after_quick} of the 4 slow parses finished after the quick one"
    );
}

#[tokio::test]
async fn a_users_share_of_the_parse_queue_is_bounded() {
    let srv = TestServer::start_with(&[
        "--workers",
        "1",
        "--parse-timeout-secs",
        "2",
        "--queue-per-owner",
        "2",
    ]);
    let slow = srv.user("greedy").await;
    let big = huge_text_resume();
    let mut refused = None;
    for i in 0..5 {
        let r = slow
            .upload(big.clone(), "text/plain", &format!("s{i}.txt"))
            .await;
        if r.status == 429 {
            refused = Some(r);
            break;
        }
        assert_eq!(r.status, 202, "{}", r.text());
    }
    let refused = refused.expect("a user's fifth upload in a row waits past a cap of 2");
    let err = refused.assert_error(429, "too_many_requests");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("queue_per_owner"),
        "{err}"
    );
    assert!(refused.header("retry-after").is_some());
    // Another user still gets a place.
    let other = srv.user("patient").await;
    assert_eq!(
        other
            .upload(fixture("resume.md"), "text/markdown", "a.md")
            .await
            .status,
        202
    );
}
