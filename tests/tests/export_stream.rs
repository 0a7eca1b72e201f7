//! Export jobs: `POST /v1/resumes/{id}/exports` (the 202 job), its stream
//! `GET /v1/exports/{id}/events` (the four stages with fixed ids, then one
//! terminal event with id 5, and the end of the stream), a late subscriber,
//! `Last-Event-ID: 5` → 204, the same input again complete at once from the
//! cache, `GET /v1/exports/{id}` and `/file`, another owner's 404; a
//! resume over the page limit failing on the stream; and resumes in eight
//! scripts, each of which either comes back out of the PDF or is named in
//! the job's warnings.
//!
//! One server for the whole file; each test uses its own user and its own
//! document.

use std::time::Duration;

use serde_json::Value;
use vitae_tests::*;

fn server() -> &'static TestServer {
    shared_server(&[])
}

/// Bound on a stream whose work is already done: it must be replayed and
/// ended at once.
const DONE: Duration = Duration::from_secs(5);

/// `GET {download_url}`, asserting 200.
async fn download(api: &Api, job: &Value) -> Resp {
    let url = job["download_url"].as_str().expect("download_url");
    let r = api.get(url).await;
    assert_eq!(r.status, 200, "GET {url}: {}", r.text());
    r
}

/// `GET /v1/exports/{id}`, asserting 200 and the job's shape.
async fn job_now(api: &Api, job: &Value) -> Value {
    let id = job["id"].as_str().expect("job id");
    let r = api.get(&format!("/v1/exports/{id}")).await;
    assert_eq!(r.status, 200, "GET /v1/exports/{id}: {}", r.text());
    let v = r.json();
    assert_export_job_shape(&v);
    assert_eq!(v["id"], job["id"]);
    v
}

#[tokio::test]
async fn a_job_streams_its_stages_then_completes() {
    let api = server().user("job").await;
    let name = "Stream Person";
    let id = import_document(&api, &sample_document(name, "job stream"), "job.json").await;
    let revision = api.resume(&id).await["revision"].clone();
    let body = json!({"format": "pdf", "template": "timeline", "paper": "letter"});
    let job = post_export(&api, &id, &body).await;
    assert_eq!(job["format"], "pdf", "{job}");
    assert_eq!(job["template"], "timeline", "{job}");
    assert_eq!(
        job["revision"], revision,
        "the job exports the current revision"
    );
    assert!(
        job["status"] == "queued" || job["status"] == "rendering" || job["status"] == "complete",
        "{job}"
    );

    let events = export_events(&api, &job).await;
    let terminal = assert_export_sequence(&events, 1);
    assert_eq!(
        events.len(),
        5,
        "four stages, then the terminal event: {events:#?}"
    );
    let done = assert_complete_payload(&terminal, &job);
    assert_eq!(
        done["cached"], false,
        "a first render is not from the cache: {done}"
    );
    let pages = done["pages"].as_u64().unwrap();
    // Once laid out, the progress events know the page count.
    for p in &events[2..4] {
        let d = p.json();
        assert_eq!(d["pages"], pages, "{}: {d}", d["stage"]);
        assert!(d["page"].as_u64().unwrap() <= pages, "{d}");
    }

    // The job resource agrees with the stream.
    let now = job_now(&api, &job).await;
    assert_eq!(now["status"], "complete", "{now}");
    assert_eq!(now["bytes"], done["bytes"], "{now}");
    assert_eq!(now["pages"], done["pages"], "{now}");
    assert_eq!(now["cached"], false, "{now}");

    // The file, with the same headers as GET …/export.
    let file = download(&api, &job).await;
    assert_export_headers(&file, "pdf", name, "timeline");
    assert_magic(&file.body, "pdf");
    assert_eq!(file.body.len() as u64, done["bytes"].as_u64().unwrap());
    assert_eq!(
        file.header("x-vitae-pages").as_deref(),
        Some(pages.to_string().as_str())
    );
    assert!(pdf_info(&file.body).contains("612 x 792"), "letter paper");
    let direct = export_ok(
        &api,
        &id,
        &[
            ("format", "pdf"),
            ("template", "timeline"),
            ("paper", "letter"),
        ],
    )
    .await;
    assert_eq!(direct.body, file.body, "GET …/export serves the same file");
    assert_eq!(strong_etag(&direct), strong_etag(&file));
}

#[tokio::test]
async fn docx_and_png_jobs_complete_too() {
    let api = server().user("jobfmt").await;
    let id = import_document(
        &api,
        &sample_document("Format Person", "job formats"),
        "f.json",
    )
    .await;
    for format in ["docx", "png"] {
        let job = post_export(
            &api,
            &id,
            &json!({"format": format, "template": "academic"}),
        )
        .await;
        let events = export_events(&api, &job).await;
        let terminal = assert_export_sequence(&events, 1);
        let done = assert_complete_payload(&terminal, &job);
        let file = download(&api, &job).await;
        assert_magic(&file.body, format);
        assert_eq!(
            file.body.len() as u64,
            done["bytes"].as_u64().unwrap(),
            "{format}"
        );
        assert_export_headers(&file, format, "Format Person", "academic");
    }
}

#[tokio::test]
async fn late_subscribers_get_the_end_and_a_reconnect_after_it_gets_204() {
    let api = server().user("late").await;
    let id = import_document(&api, &sample_document("Late Person", "late"), "late.json").await;
    let job = post_export(&api, &id, &json!({"template": "compact"})).await;
    let first = export_events(&api, &job).await;
    let terminal = assert_export_sequence(&first, 1);
    let done = assert_complete_payload(&terminal, &job);
    let url = job["events_url"].as_str().unwrap();

    // Subscribing after the end: the log so far (at least the terminal
    // event) at once, then the end of the stream.
    for _ in 0..2 {
        let mut s = api.sse(url, None).await;
        s.assert_sse_headers();
        let events = s.events_to_end(DONE).await;
        let last = events.last().unwrap_or_else(|| panic!("no events"));
        assert_eq!(last.id.as_deref(), Some(EXPORT_TERMINAL_ID), "{events:#?}");
        assert_eq!(last.json(), done, "the same terminal event");
        if events.len() > 1 {
            let first_id = events[0].id.as_deref().unwrap().parse().unwrap();
            assert_export_sequence(&events, first_id);
        }
    }
    // A browser's EventSource sends the token in the query.
    let mut s = api
        .sse_query_token(url, api.token.as_deref().unwrap())
        .await;
    s.assert_sse_headers();
    let events = s.events_to_end(DONE).await;
    assert_eq!(events.last().map(|e| e.json()), Some(done.clone()));

    // Replay after an event in the middle: nothing again, nothing missed.
    let mut s = api.sse(url, Some("2")).await;
    s.assert_sse_headers();
    let events = s.events_to_end(DONE).await;
    let ids: Vec<u64> = events
        .iter()
        .map(|e| e.id.as_deref().unwrap().parse().unwrap())
        .collect();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]) && ids.iter().all(|&i| i > 2),
        "Last-Event-ID 2 replays only later events, in order: {ids:?}"
    );
    assert_eq!(ids.last(), Some(&5), "{events:#?}");

    // A reconnect after the terminal event: 204, which stops a browser.
    for last in [EXPORT_TERMINAL_ID, "9"] {
        let s = api.sse(url, Some(last)).await;
        assert_eq!(
            s.status.as_u16(),
            204,
            "Last-Event-ID {last}: body {:?}",
            s.error_body
        );
        assert!(s.error_body.as_deref().unwrap_or_default().is_empty());
    }
}

#[tokio::test]
async fn the_same_input_again_completes_at_once_from_the_cache() {
    let api = server().user("again").await;
    let id = import_document(
        &api,
        &sample_document("Again Person", "again"),
        "again.json",
    )
    .await;
    let body = json!({"format": "pdf", "template": "ats", "accent": "#1f6feb", "font_size": 10});
    let first = post_export(&api, &id, &body).await;
    let events = export_events(&api, &first).await;
    let done = assert_complete_payload(&assert_export_sequence(&events, 1), &first);
    assert_eq!(done["cached"], false, "{done}");

    let second = post_export(&api, &id, &body).await;
    assert_eq!(
        second["status"], "complete",
        "cached: complete at once: {second}"
    );
    assert_eq!(second["cached"], true, "{second}");
    assert_eq!(second["bytes"], done["bytes"], "{second}");
    assert_eq!(second["pages"], done["pages"], "{second}");
    let events = {
        let url = second["events_url"].as_str().unwrap();
        let mut s = api.sse(url, None).await;
        s.assert_sse_headers();
        s.events_to_end(DONE).await
    };
    let last = events.last().unwrap_or_else(|| panic!("no events"));
    let again = assert_complete_payload(last, &second);
    assert_eq!(again["cached"], true, "{again}");
    assert_eq!(last.id.as_deref(), Some(EXPORT_TERMINAL_ID));
    assert_eq!(
        download(&api, &second).await.body,
        download(&api, &first).await.body,
        "the cached file is the file"
    );
}

#[tokio::test]
async fn another_owner_gets_404_for_the_job() {
    let api = server().user("owner").await;
    let id = import_document(&api, &sample_document("Owner Person", "owner"), "own.json").await;
    let job = post_export(&api, &id, &json!({})).await;
    export_events(&api, &job).await;
    let jid = job["id"].as_str().unwrap();

    let other = server().user("stranger").await;
    for path in [
        format!("/v1/exports/{jid}"),
        format!("/v1/exports/{jid}/file"),
    ] {
        other.get(&path).await.assert_error(404, "not_found");
        api.without_token()
            .get(&path)
            .await
            .assert_error(401, "unauthorized");
    }
    let events = format!("/v1/exports/{jid}/events");
    other
        .sse(&events, None)
        .await
        .as_resp()
        .assert_error(404, "not_found");
    other
        .sse_query_token(&events, other.token.as_deref().unwrap())
        .await
        .as_resp()
        .assert_error(404, "not_found");
    // An id that was never issued.
    let unknown = uuid::Uuid::new_v4();
    api.get(&format!("/v1/exports/{unknown}"))
        .await
        .assert_error(404, "not_found");
    api.get(&format!("/v1/exports/{unknown}/file"))
        .await
        .assert_error(404, "not_found");
    // The owner still has it.
    assert_eq!(job_now(&api, &job).await["status"], "complete");
}

#[tokio::test]
async fn over_the_page_limit_the_stream_ends_failed() {
    let api = server().user("toolong").await;
    let id = import_document(&api, &long_document("Long Career", 400), "long.json").await;
    let job = post_export(&api, &id, &json!({"format": "pdf"})).await;
    let events = export_events(&api, &job).await;
    let terminal = assert_export_sequence(&events, 1);
    assert_eq!(terminal.event_name(), "failed", "{events:#?}");
    let reason = terminal.json()["reason"]
        .as_str()
        .unwrap_or_else(|| panic!("failed without a reason: {terminal:?}"))
        .to_lowercase();
    assert!(
        reason.contains("page") && reason.contains("limit") && reason.contains(char::is_numeric),
        "the reason names the page limit: {reason:?}"
    );
    assert_healthz_quickly(&api, Duration::from_secs(2)).await;

    let now = job_now(&api, &job).await;
    assert_eq!(now["status"], "failed", "{now}");
    assert_eq!(
        now["reason"].as_str().map(str::to_lowercase),
        Some(reason.clone())
    );
    let r = download_failed(&api, &job).await;
    let message = r["error"]["message"].as_str().unwrap().to_lowercase();
    assert!(
        message.contains("page"),
        "the 409 gives the reason: {message:?}"
    );
    // A reconnect after a failure gets 204 as after a success.
    let s = api
        .sse(
            job["events_url"].as_str().unwrap(),
            Some(EXPORT_TERMINAL_ID),
        )
        .await;
    assert_eq!(s.status.as_u16(), 204);

    // The workers are free for the next export.
    let small = import_document(
        &api,
        &sample_document("Next Person", "after too long"),
        "n.json",
    )
    .await;
    let next = post_export(&api, &small, &json!({})).await;
    let events = export_events(&api, &next).await;
    assert_complete_payload(&assert_export_sequence(&events, 1), &next);
}

async fn download_failed(api: &Api, job: &Value) -> Value {
    let url = job["download_url"].as_str().unwrap();
    api.get(url).await.assert_error(409, "conflict")
}

/// A name and a summary in one script, and the name of the script as a
/// warning would give it.
struct Script {
    script: &'static str,
    name: &'static str,
    summary: &'static str,
}

const SCRIPTS: [Script; 8] = [
    Script {
        script: "Greek",
        name: "Αλέξανδρος Παπαδόπουλος",
        summary: "Μηχανικός λογισμικού",
    },
    Script {
        script: "Cyrillic",
        name: "Дмитрий Иванов",
        summary: "Инженер программного обеспечения",
    },
    Script {
        script: "Vietnamese",
        name: "Nguyễn Thị Hương",
        summary: "Kỹ sư phần mềm",
    },
    Script {
        script: "Chinese",
        name: "王小明",
        summary: "软件工程师",
    },
    Script {
        script: "Japanese",
        name: "山田はなこ",
        summary: "ソフトウェアエンジニア",
    },
    Script {
        script: "Korean",
        name: "김민수",
        summary: "소프트웨어 엔지니어",
    },
    Script {
        script: "Arabic",
        name: "فاطمة الزهراء",
        summary: "مهندسة برمجيات",
    },
    Script {
        script: "Hebrew",
        name: "דוד כהן",
        summary: "מהנדס תוכנה",
    },
];

#[tokio::test]
async fn every_script_comes_back_out_or_is_named_in_the_warnings() {
    let api = server().user("scripts").await;
    let mut report = Vec::new();
    for s in &SCRIPTS {
        let doc = json!({
            "basics": {"name": s.name, "label": s.summary, "summary": s.summary, "email": "intl@example.com"},
            "work": [{"name": s.summary, "position": s.name, "startDate": "2020-01"}]
        });
        let id = import_document(&api, &doc, &format!("{}.json", s.script)).await;
        for template in ["classic", "modern"] {
            let job = post_export(&api, &id, &json!({"template": template})).await;
            let events = export_events(&api, &job).await;
            let terminal = assert_export_sequence(&events, 1);
            assert_eq!(
                terminal.event_name(),
                "complete",
                "{} in {template} must render: {events:#?}",
                s.script
            );
            let done = assert_complete_payload(&terminal, &job);
            let file = download(&api, &job).await;
            assert_magic(&file.body, "pdf");
            let text = flatten(&pdf_text(&file.body));
            let round_trips = [s.name, s.summary].iter().all(|w| text.contains(w));
            let warnings: Vec<&str> = done["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_str)
                .collect();
            let named = warnings.iter().any(|w| w.contains(s.script));
            report.push(format!(
                "{} in {template}: text {} / warned {}",
                s.script,
                if round_trips { "back" } else { "lost" },
                if named { "yes" } else { "no" }
            ));
            // A warning about a script whose text did come out is as wrong
            // as silence about one that did not.
            assert!(
                !(round_trips && named),
                "{} in {template}: the text came back out, yet a warning says no font covers it: {warnings:?}",
                s.script
            );
            assert!(
                round_trips || named,
                "{} in {template}: the text did not come back out of the PDF and no warning names the script.\nwarnings: {warnings:?}\ntext: {text}",
                s.script
            );
        }
    }
    println!("{}", report.join("\n"));
}
