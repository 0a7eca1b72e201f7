//! Export from the web console at `/app`, in headless Chromium driven over
//! WebDriver (`vitae_tests::webdriver`), against the real server binary: the
//! template picker shows every template with its preview image (the page's
//! CSP lets same-origin images in), the export follows the job's stream
//! stage by stage, and the download link serves the file under the server's
//! file name — and Chromium really saves it.
//!
//! Screenshots go to `$CARGO_TARGET_TMPDIR/browser-artifacts/` like the other
//! browser tests' (see docs/browser-tests.md).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use vitae_tests::webdriver::{Browser, Locator, WdResult};
use vitae_tests::*;

/// Bound on page-level waits (a rendered element, a state reached by script).
const UI_TIMEOUT: Duration = Duration::from_secs(15);

fn artifacts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-artifacts");
    std::fs::create_dir_all(&dir).expect("create the artifacts dir");
    dir
}

fn keep_artifact(name: &str, bytes: &[u8]) {
    let path = artifacts_dir().join(name);
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    println!("artifact: {}", path.display());
}

/// Open `/app`, save the token, and pick the resume `id` from the list.
async fn console_with_resume(b: &Browser, server: &TestServer, id: &str) -> WdResult {
    b.goto(&format!("{}/app", server.url())).await?;
    let input = b.wait_for_element("input#token", UI_TIMEOUT).await;
    input.clear().await?;
    input.send_keys(server.admin_token()).await?;
    b.find(Locator::Css("button#token-save"))
        .await?
        .click()
        .await?;
    let item = format!("ul#resumes li[data-resume-id=\"{id}\"] button");
    b.wait_for_element(&item, UI_TIMEOUT).await.click().await?;
    b.wait_for_element(&format!("#resume[data-resume-id=\"{id}\"]"), UI_TIMEOUT)
        .await;
    Ok(())
}

/// Wait for a file named `name` to be complete in `dir` (Chromium writes a
/// `.crdownload` first and renames it when done).
async fn downloaded(dir: &Path, name: &str, timeout: Duration) -> Vec<u8> {
    let path = dir.join(name);
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(bytes) = std::fs::read(&path) {
            if !bytes.is_empty() {
                return bytes;
            }
        }
        if Instant::now() > deadline {
            let seen: Vec<String> = std::fs::read_dir(dir)
                .map(|d| {
                    d.filter_map(Result::ok)
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            panic!("{name:?} was not downloaded within {timeout:?}; the dir has {seen:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn console_exports_a_pdf_and_offers_the_download() -> WdResult {
    let server = TestServer::start();
    let api = server.admin();
    let name = "Ingrid Åkesson";
    let id = import_document(
        &api,
        &sample_document(name, "console export"),
        "console.json",
    )
    .await;
    let templates = list_templates(&api).await;

    let b = Browser::start()
        .await
        .keep_failures_in(&artifacts_dir(), "console_export");
    console_with_resume(&b, &server, &id).await?;

    // Every template is offered, with its name and a preview that loaded.
    for t in &templates {
        let tid = t["id"].as_str().unwrap();
        let card = b
            .wait_for_element(
                &format!("#template-list .template-card[data-template=\"{tid}\"]"),
                UI_TIMEOUT,
            )
            .await;
        let text = card.text().await?;
        assert!(
            text.contains(t["name"].as_str().unwrap()),
            "{tid}: the card shows the template's name: {text:?}"
        );
    }
    b.wait_until(
        "every template preview to load",
        "const imgs = Array.from(document.querySelectorAll('#template-list img.template-preview'));
         const bad = imgs.filter((i) => !(i.complete && i.naturalWidth > 0)).map((i) => i.src);
         return (imgs.length > 0 && bad.length === 0) || {count: imgs.length, notLoaded: bad};",
        UI_TIMEOUT,
    )
    .await;
    let previews = b
        .find_all(Locator::Css("#template-list img.template-preview"))
        .await?;
    assert_eq!(previews.len(), templates.len(), "one preview per template");

    // Modern, PDF, US Letter.
    b.find(Locator::Css(
        "#template-list .template-card[data-template=\"modern\"] input[type=radio]",
    ))
    .await?
    .click()
    .await?;
    b.find(Locator::Css("select#export-format option[value=\"pdf\"]"))
        .await?
        .click()
        .await?;
    b.find(Locator::Css("select#export-paper option[value=\"letter\"]"))
        .await?
        .click()
        .await?;

    // Chromium saves downloads here (headless Chromium asks no questions
    // once a download dir is set).
    let downloads = tempfile::tempdir().expect("download dir");
    b.cdp(
        "Browser.setDownloadBehavior",
        json!({"behavior": "allow", "downloadPath": downloads.path().to_string_lossy()}),
    )
    .await?;

    b.find(Locator::Css("button#export-start"))
        .await?
        .click()
        .await?;
    let status = b
        .wait_until(
            "#export-status to reach complete or failed",
            "const s = document.querySelector('#export-status');
             const v = s && s.dataset.status;
             const err = document.querySelector('#error');
             return (v === 'complete' || v === 'failed' || v === 'error')
                 ? v
                 : {status: v, error: err && !err.hidden && err.textContent};",
            UI_TIMEOUT,
        )
        .await;
    let error = b.find(Locator::Css("#error")).await?.text().await?;
    assert_eq!(status, "complete", "the export ended {status}: {error}");

    // The stream's stages, in order, every one done.
    let stages = b
        .find_all(Locator::Css("ol#export-progress li[data-stage]"))
        .await?;
    let mut names = Vec::new();
    for li in &stages {
        let stage = li.attr("data-stage").await?.unwrap_or_default();
        let class = li.attr("class").await?.unwrap_or_default();
        assert!(
            class.split_whitespace().any(|c| c == "done"),
            "stage {stage:?} is not done (class {class:?})"
        );
        names.push(stage);
    }
    assert_eq!(
        names, EXPORT_STAGES,
        "a fresh export shows every stage of its stream"
    );

    // The link: a blob of the file, named by the server.
    let link = b
        .wait_for_element("#export-download a#export-link", UI_TIMEOUT)
        .await;
    assert!(
        b.find(Locator::Css("#export-download"))
            .await?
            .is_displayed()
            .await?,
        "the download line is shown"
    );
    let href = link.attr("href").await?.unwrap_or_default();
    assert!(
        href.starts_with("blob:"),
        "the link is a blob URL: {href:?}"
    );
    let file_name = link.attr("download").await?.unwrap_or_default();
    assert!(
        file_name == format!("{name} - modern.pdf") || file_name == format!("{name} - Modern.pdf"),
        "the link saves as the server's file name: {file_name:?}"
    );
    let job_id = link.attr("data-export-id").await?.expect("data-export-id");
    let job = api.get(&format!("/v1/exports/{job_id}")).await;
    assert_eq!(job.status, 200, "{}", job.text());
    let job = job.json();
    assert_eq!(job["status"], "complete", "{job}");
    assert_eq!(job["template"], "modern", "{job}");
    let file = api.get(&format!("/v1/exports/{job_id}/file")).await;
    assert_eq!(file.status, 200);
    assert_eq!(
        link.attr("data-bytes").await?,
        Some(file.body.len().to_string()),
        "the page holds the whole file"
    );
    assert!(
        pdf_info(&file.body).contains("612 x 792"),
        "letter, as picked"
    );
    keep_artifact("console-export.png", &b.screenshot_full_page().await?);

    // Click it: Chromium saves the same bytes under that name.
    link.click().await?;
    let saved = downloaded(downloads.path(), &file_name, UI_TIMEOUT).await;
    assert!(saved.starts_with(b"%PDF-"), "the saved file is a PDF");
    assert!(saved == file.body, "the saved file is the export");
    b.close().await;
    Ok(())
}
