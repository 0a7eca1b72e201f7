//! Export over HTTP and SSE: the formats and their media types, the file
//! checks every export test makes (type, `Content-Disposition`, magic
//! bytes), the export stream's sequence, JSON Resume documents built in code,
//! and the PDF's text read back with poppler's `pdftotext`.
//!
//! Everything here speaks the wire format (JSON values, headers, bytes), not
//! the server's Rust types: these tests check what a client sees.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

use crate::*;

/// Every format `GET /v1/resumes/{id}/export` serves.
pub const EXPORT_FORMATS: [&str; 6] = ["pdf", "docx", "png", "html", "md", "json"];

/// The formats typeset through a template (the ones `POST …/exports` renders,
/// caches and streams).
pub const TYPESET_FORMATS: [&str; 3] = ["pdf", "docx", "png"];

/// The six templates the contract promises.
pub const TEMPLATE_IDS: [&str; 6] = [
    "classic", "modern", "compact", "academic", "ats", "timeline",
];

/// Stages of the export stream, in order; the progress event of stage `i`
/// has id `i + 1`.
pub const EXPORT_STAGES: [&str; 4] = ["queued", "layout", "render", "stored"];

/// The id of the terminal (`complete` or `failed`) event of an export stream.
pub const EXPORT_TERMINAL_ID: &str = "5";

/// Bound on an export stream reaching its terminal event. Renders take
/// milliseconds; the margin is for a debug build on a loaded 2-core machine.
pub const EXPORT_TIMEOUT: Duration = Duration::from_secs(60);

/// The media type the contract gives each format (compared without
/// parameters for the binary ones).
pub fn export_content_type(format: &str) -> &'static str {
    match format {
        "pdf" => "application/pdf",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "png" => "image/png",
        "html" => "text/html; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "json" => "application/json",
        other => panic!("no export format {other:?}"),
    }
}

pub const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Does the body start the way a file of `format` must?
#[track_caller]
pub fn assert_magic(body: &[u8], format: &str) {
    let head = String::from_utf8_lossy(&body[..body.len().min(16)]).into_owned();
    match format {
        "pdf" => assert!(body.starts_with(b"%PDF-"), "not a PDF: {head:?}"),
        // A DOCX is a zip archive.
        "docx" => assert!(body.starts_with(b"PK\x03\x04"), "not a zip: {head:?}"),
        "png" => assert!(body.starts_with(PNG_SIGNATURE), "not a PNG: {head:?}"),
        _ => assert!(
            std::str::from_utf8(body).is_ok(),
            "{format} is not UTF-8 text"
        ),
    }
}

/// `GET /v1/resumes/{id}/export` with these query parameters (URL-encoded
/// by the client, so `accent=#123456` travels as `%23123456`).
pub async fn get_export(api: &Api, id: &str, query: &[(&str, &str)]) -> Resp {
    let path = format!("/v1/resumes/{id}/export");
    api.send(api.request(Method::GET, &path).query(query)).await
}

/// [`get_export`] with `If-None-Match`.
pub async fn get_export_if_none_match(
    api: &Api,
    id: &str,
    query: &[(&str, &str)],
    etag: &str,
) -> Resp {
    let path = format!("/v1/resumes/{id}/export");
    api.send(
        api.request(Method::GET, &path)
            .query(query)
            .header("if-none-match", etag),
    )
    .await
}

/// [`get_export`], asserting 200; returns the response.
pub async fn export_ok(api: &Api, id: &str, query: &[(&str, &str)]) -> Resp {
    let r = get_export(api, id, query).await;
    assert_eq!(r.status, 200, "GET export {query:?}: {}", r.text());
    r
}

/// Decode `%XX` escapes (RFC 5987 `ext-value`s keep `+` literal, so a form
/// decoder would be wrong here).
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The parts of a `Content-Disposition` header: its type, `filename` and
/// the decoded `filename*` (UTF-8 only).
#[derive(Debug, Clone, PartialEq)]
pub struct Disposition {
    pub kind: String,
    pub filename: Option<String>,
    pub filename_star: Option<String>,
}

impl Disposition {
    pub fn parse(header: &str) -> Disposition {
        let mut parts = header.split(';').map(str::trim);
        let kind = parts.next().unwrap_or_default().to_ascii_lowercase();
        let mut d = Disposition {
            kind,
            filename: None,
            filename_star: None,
        };
        for part in parts {
            let Some((key, value)) = part.split_once('=') else {
                continue;
            };
            match key.trim().to_ascii_lowercase().as_str() {
                "filename" => {
                    let v = value.trim();
                    let v = v
                        .strip_prefix('"')
                        .and_then(|v| v.strip_suffix('"'))
                        .unwrap_or(v);
                    d.filename = Some(v.replace("\\\"", "\"").replace("\\\\", "\\"));
                }
                "filename*" => {
                    let v = value.trim();
                    let lower = v.to_ascii_lowercase();
                    if let Some(rest) = lower.strip_prefix("utf-8''") {
                        let encoded = &v[v.len() - rest.len()..];
                        d.filename_star = percent_decode(encoded);
                    }
                }
                _ => {}
            }
        }
        d
    }

    /// The name a browser saves the file as: `filename*` when given (it
    /// carries the real UTF-8 name), else `filename`.
    pub fn name(&self) -> Option<&str> {
        self.filename_star.as_deref().or(self.filename.as_deref())
    }
}

/// Assert the type, `attachment` and the file name of an export answer:
/// `<name> - <template id>.<ext>` for the typeset formats, and `<name>.<ext>`
/// for the plain renderings (`html`, `md`, `json`), which take no template,
/// so a template in their name would tell two equal files apart
/// (docs/api.md, "GET /v1/resumes/{id}/export").
#[track_caller]
pub fn assert_export_headers(r: &Resp, format: &str, name: &str, template: &str) {
    let ct = r.header("content-type").unwrap_or_default();
    let want = export_content_type(format);
    assert!(
        ct.replace(' ', "")
            .eq_ignore_ascii_case(&want.replace(' ', "")),
        "{format}: content-type {ct:?}, want {want:?}"
    );
    let cd = r
        .header("content-disposition")
        .unwrap_or_else(|| panic!("{format}: no content-disposition"));
    let d = Disposition::parse(&cd);
    assert_eq!(d.kind, "attachment", "{format}: content-disposition {cd:?}");
    let file = d
        .name()
        .unwrap_or_else(|| panic!("{format}: no filename in {cd:?}"));
    let wanted = if TYPESET_FORMATS.contains(&format) {
        format!("{name} - {template}.{format}")
    } else {
        format!("{name}.{format}")
    };
    assert_eq!(file, wanted, "{format}: the file name (from {cd:?})");
    // The plain `filename` is what older clients use: it must at least end
    // in the right extension even when it is an ASCII stand-in.
    if let Some(plain) = &d.filename {
        assert!(
            plain.ends_with(&format!(".{format}")),
            "{format}: filename {plain:?} in {cd:?}"
        );
    }
}

/// A strong `ETag`: quoted, not `W/`.
#[track_caller]
pub fn strong_etag(r: &Resp) -> String {
    let etag = r
        .header("etag")
        .unwrap_or_else(|| panic!("no ETag on the export ({:?})", r.headers));
    assert!(
        !etag.starts_with("W/") && etag.len() > 2 && etag.starts_with('"') && etag.ends_with('"'),
        "the export's ETag must be strong and quoted: {etag:?}"
    );
    etag
}

/// `GET /v1/templates`, asserting 200 and the shape of each template;
/// returns the list.
pub async fn list_templates(api: &Api) -> Vec<Value> {
    let r = api.get("/v1/templates").await;
    assert_eq!(r.status, 200, "GET /v1/templates: {}", r.text());
    let v = r.json();
    let list = v["templates"]
        .as_array()
        .unwrap_or_else(|| panic!("no templates array: {v}"))
        .clone();
    for t in &list {
        for key in ["id", "name", "description", "preview_url"] {
            assert!(
                t[key].as_str().is_some_and(|s| !s.is_empty()),
                "template {key} in {t}"
            );
        }
        let formats: Vec<&str> = t["formats"]
            .as_array()
            .unwrap_or_else(|| panic!("formats in {t}"))
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(formats.contains(&"pdf"), "every template makes PDFs: {t}");
        assert!(t["options"].is_object(), "options in {t}");
    }
    list
}

/// A small JSON Resume: one job, one degree, skills. `tag` goes into the
/// label and summary so that two tests never render equal documents (the
/// export cache is keyed by content, and a test that wants a miss must not
/// meet another test's file).
pub fn sample_document(name: &str, tag: &str) -> Value {
    json!({
        "basics": {
            "name": name,
            "label": format!("Backend Engineer {tag}"),
            "email": "sample@example.com",
            "phone": "+46 70 123 45 67",
            "summary": format!("Builds reliable storage services ({tag})."),
            "location": {"city": "Uppsala", "countryCode": "SE"}
        },
        "work": [{
            "name": "Nordlys Systems AB",
            "position": "Senior Backend Engineer",
            "startDate": "2019-03",
            "summary": "Leads the event-streaming platform team.",
            "highlights": [
                "Cut p99 ingest latency from 800 ms to 90 ms",
                "Moved 40 services to a shared runtime"
            ]
        }],
        "education": [{
            "institution": "Uppsala University",
            "area": "Computer Science",
            "studyType": "Master of Science",
            "startDate": "2010-09",
            "endDate": "2015-06"
        }],
        "skills": [{"name": "Languages", "keywords": ["Rust", "Go", "SQL"]}]
    })
}

/// A resume far over any page limit: `entries` jobs with four highlights
/// each (about seven jobs a page).
pub fn long_document(name: &str, entries: usize) -> Value {
    let work: Vec<Value> = (0..entries)
        .map(|i| {
            json!({
                "name": format!("Company number {i}"),
                "position": format!("Engineer {i}"),
                "startDate": format!("{:04}-{:02}", 1990 + i % 30, 1 + i % 12),
                "summary": "Worked on the storage engine, the query planner and the release process.",
                "highlights": [
                    format!("Shipped feature {i}a to every customer on time"),
                    format!("Cut the cost of service {i}b by a third"),
                    format!("Mentored {} engineers on the team", i % 7 + 1),
                    "Wrote the runbooks the on-call rotation still uses"
                ]
            })
        })
        .collect();
    json!({
        "basics": {"name": name, "label": "Very Long Career", "email": "long@example.com"},
        "work": work
    })
}

/// Upload `doc` as a JSON Resume file and wait for `ready`; returns the id.
pub async fn import_document(api: &Api, doc: &Value, filename: &str) -> String {
    let r = api
        .upload(
            serde_json::to_vec(doc).expect("serialise the document"),
            CT_JSON,
            filename,
        )
        .await;
    assert_eq!(r.status, 202, "uploading {filename}: {}", r.text());
    let id = r.json()["id"].as_str().expect("id").to_string();
    let done = api.wait_terminal(&id).await;
    assert_eq!(done["status"], "ready", "{filename} did not import: {done}");
    id
}

/// `POST /v1/resumes/{id}/exports` with `body`, asserting 202 and the job's
/// shape; returns the job.
pub async fn post_export(api: &Api, id: &str, body: &Value) -> Value {
    let r = api
        .post_json(&format!("/v1/resumes/{id}/exports"), body)
        .await;
    assert_eq!(r.status, 202, "POST exports {body}: {}", r.text());
    let job = r.json();
    assert_export_job_shape(&job);
    assert_eq!(job["resume_id"], id, "{job}");
    job
}

/// The fields of an export job (the 202 body and `GET /v1/exports/{id}`).
#[track_caller]
pub fn assert_export_job_shape(job: &Value) {
    let id = job["id"].as_str().unwrap_or_else(|| panic!("id in {job}"));
    assert!(!id.is_empty(), "id in {job}");
    assert!(job["resume_id"].is_string(), "resume_id in {job}");
    assert!(job["revision"].is_u64(), "revision in {job}");
    let status = job["status"]
        .as_str()
        .unwrap_or_else(|| panic!("status in {job}"));
    assert!(
        ["queued", "rendering", "complete", "failed"].contains(&status),
        "status {status:?} in {job}"
    );
    assert_eq!(
        job["events_url"],
        format!("/v1/exports/{id}/events"),
        "{job}"
    );
    assert_eq!(
        job["download_url"],
        format!("/v1/exports/{id}/file"),
        "{job}"
    );
    assert!(job["format"].is_string(), "format in {job}");
    assert!(job["template"].is_string(), "template in {job}");
    assert!(is_rfc3339(&job["created_at"]), "created_at in {job}");
    if status == "failed" {
        assert!(
            job["reason"].as_str().is_some_and(|s| !s.is_empty()),
            "a failed job says why: {job}"
        );
    }
    if status == "complete" {
        assert!(
            job["bytes"].as_u64().is_some_and(|b| b > 0),
            "bytes in {job}"
        );
        assert!(
            job["pages"].as_u64().is_some_and(|p| p > 0),
            "pages in {job}"
        );
        assert!(job["cached"].is_boolean(), "cached in {job}");
    }
    if let Some(w) = job.get("warnings") {
        assert!(
            w.as_array().is_some_and(|w| w.iter().all(Value::is_string)),
            "warnings in {job}"
        );
    }
}

/// Every event of an export's stream, from the start to the server's end of
/// it (which must come within [`EXPORT_TIMEOUT`]).
pub async fn export_events(api: &Api, job: &Value) -> Vec<SseFrame> {
    let url = job["events_url"].as_str().expect("events_url");
    let mut s = api.sse(url, None).await;
    s.assert_sse_headers();
    let events = s.events_to_end(EXPORT_TIMEOUT).await;
    assert!(
        s.transport_error.is_none(),
        "the export stream broke: {:?}",
        s.transport_error
    );
    events
}

/// Assert an export stream's events: `progress` stages in order with ids
/// `first_id..` (the stage's ordinal), then exactly one terminal event with
/// id 5; every event carries data, `id:` and `retry:`. Returns the terminal
/// frame.
#[track_caller]
pub fn assert_export_sequence(events: &[SseFrame], first_id: u64) -> SseFrame {
    assert!(!events.is_empty(), "the export stream had no events");
    for e in events {
        assert!(e.data.is_some(), "every event carries data: {e:?}");
        assert!(e.id.is_some(), "every event carries id: {e:?}");
        assert!(e.retry.is_some(), "every event carries retry: {e:?}");
    }
    let (terminal, progress) = events.split_last().expect("non-empty");
    assert!(
        terminal.event_name() == "complete" || terminal.event_name() == "failed",
        "the last event must be complete or failed: {events:#?}"
    );
    assert_eq!(
        terminal.id.as_deref(),
        Some(EXPORT_TERMINAL_ID),
        "terminal event id: {terminal:?}"
    );
    let mut last: Option<usize> = None;
    for (i, p) in progress.iter().enumerate() {
        assert_eq!(
            p.event_name(),
            "progress",
            "only progress events before the terminal one: {events:#?}"
        );
        let d = p.json();
        let stage = d["stage"]
            .as_str()
            .unwrap_or_else(|| panic!("stage in {d}"));
        let idx = EXPORT_STAGES
            .iter()
            .position(|s| *s == stage)
            .unwrap_or_else(|| panic!("unknown export stage {stage:?}"));
        assert_eq!(
            p.id.as_deref(),
            Some((idx + 1).to_string().as_str()),
            "a progress event's id is its stage's ordinal: {p:?}"
        );
        if let Some(prev) = last {
            assert!(idx > prev, "stages out of order: {events:#?}");
        }
        if i == 0 {
            assert_eq!(idx as u64 + 1, first_id, "first progress id: {events:#?}");
        }
        last = Some(idx);
        assert!(d["page"].is_u64(), "page in {d}");
        assert!(d["pages"].is_u64(), "pages in {d}");
    }
    terminal.clone()
}

/// Assert the `complete` payload; returns it.
#[track_caller]
pub fn assert_complete_payload(frame: &SseFrame, job: &Value) -> Value {
    assert_eq!(frame.event_name(), "complete", "{frame:?}");
    let d = frame.json();
    assert_eq!(d["download_url"], job["download_url"], "{d}");
    assert!(d["bytes"].as_u64().is_some_and(|b| b > 0), "bytes in {d}");
    assert!(d["pages"].as_u64().is_some_and(|p| p > 0), "pages in {d}");
    assert!(d["cached"].is_boolean(), "cached in {d}");
    assert!(
        d["warnings"]
            .as_array()
            .is_some_and(|w| w.iter().all(Value::is_string)),
        "warnings in {d}"
    );
    d
}

// ---- the PDF's text ------------------------------------------------------

/// Write `bytes` to a temp file and run a poppler tool on it: `tool ARGS
/// FILE TRAILING` (pdftotext wants `-` after the file to print the text).
fn poppler(tool: &str, args: &[&str], trailing: &[&str], bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path: PathBuf = dir.path().join("export.pdf");
    std::fs::write(&path, bytes).expect("write the PDF");
    let out = Command::new(tool)
        .args(args)
        .arg(&path)
        .args(trailing)
        .output()
        .unwrap_or_else(|e| panic!("running {tool} ({e}): install poppler-utils (.ci/run does)"));
    assert!(
        out.status.success(),
        "{tool} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap_or_else(|e| panic!("{tool} printed non-UTF-8: {e}"))
}

/// The text of a PDF, as `pdftotext` reads it (UTF-8, reading order).
pub fn pdf_text(pdf: &[u8]) -> String {
    poppler("pdftotext", &["-enc", "UTF-8"], &["-"], pdf)
}

/// `pdfinfo`'s report (page count, page size, metadata).
pub fn pdf_info(pdf: &[u8]) -> String {
    poppler("pdfinfo", &[], &[], pdf)
}

/// The XML of `word/document.xml` in a DOCX: its text, in the runs Word
/// reads.
pub fn docx_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a DOCX zip");
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .expect("word/document.xml")
        .read_to_string(&mut xml)
        .expect("UTF-8 XML");
    xml
}

/// Text with every run of white space made one space: line breaks and the
/// layout's spacing are not what these tests check.
pub fn flatten(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `/healthz` answers 200 within `within` of being asked.
pub async fn assert_healthz_quickly(api: &Api, within: Duration) {
    let started = std::time::Instant::now();
    let r = api.without_token().get("/healthz").await;
    let took = started.elapsed();
    assert_eq!(r.status, 200, "/healthz: {}", r.text());
    assert!(took < within, "/healthz took {took:?} (limit {within:?})");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispositions_prefer_the_utf8_name() {
        let d = Disposition::parse(
            "attachment; filename=\"Zo? Lindqvist - classic.pdf\"; filename*=UTF-8''Zo%C3%AB%20Lindqvist%20-%20classic.pdf",
        );
        assert_eq!(d.kind, "attachment");
        assert_eq!(d.filename.as_deref(), Some("Zo? Lindqvist - classic.pdf"));
        assert_eq!(d.name(), Some("Zoë Lindqvist - classic.pdf"));
        let d = Disposition::parse("Attachment; filename=a+b.md");
        assert_eq!(d.kind, "attachment");
        assert_eq!(d.name(), Some("a+b.md"));
        assert_eq!(percent_decode("a+b%2B"), Some("a+b+".to_string()));
        assert_eq!(percent_decode("%zz"), None);
    }

    #[test]
    fn flatten_joins_lines() {
        assert_eq!(flatten(" a\n\n b\tc  "), "a b c");
    }
}
