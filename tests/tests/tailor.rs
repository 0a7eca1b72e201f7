//! Job descriptions and tailoring. Jobs: `POST /v1/jobs` takes plain text,
//! Markdown or a JSON Resume job, extracts canonical keywords (`k8s` →
//! Kubernetes), deduplicates an identical description, and is listed, read,
//! replaced (revision +1 only when the text changed) and deleted per owner;
//! bad bodies are 400/415/422 with a message. Tailoring: a preview keeps
//! `basics` exactly, invents no skill, employer, position, date or highlight,
//! puts the job's skills first, never lowers the score, reports missing
//! keywords in `match.missing` and a warning, is deterministic and stores
//! nothing; confirm stores exactly the previewed document as a new resume
//! whose `parent_id` is the source, and answers 409 when the resume or the
//! job changed since the preview (or the hash is made up). Concurrent
//! previews for two jobs can both be confirmed.
//!
//! One server for the whole file; each test uses a fresh user.

use std::collections::HashSet;

use reqwest::Method;
use serde_json::Value;
use vitae_tests::*;

fn server() -> &'static TestServer {
    shared_server(&[])
}

const JOB_BACKEND: &str = "job_backend.md";
const JOB_PLATFORM: &str = "job_platform.txt";
const JOB_FRONTEND: &str = "job_frontend.json";

/// `POST /v1/jobs` with a raw body and content type (`path` may carry a query).
async fn post_job_raw(api: &Api, path: &str, body: Vec<u8>, content_type: &str) -> Resp {
    api.send(
        api.request(Method::POST, path)
            .header("content-type", content_type)
            .body(body),
    )
    .await
}

/// Post a job fixture, asserting 201; returns the job.
async fn create_job(api: &Api, name: &str) -> Value {
    let r = post_job_raw(api, "/v1/jobs", fixture(name), content_type_for(name)).await;
    assert_eq!(r.status, 201, "POST /v1/jobs {name}: {}", r.text());
    let job = r.json();
    assert_job_shape(&job);
    job
}

/// The fields of a job resource.
#[track_caller]
fn assert_job_shape(v: &Value) {
    let id = v["id"].as_str().unwrap_or_else(|| panic!("id in {v}"));
    assert!(uuid::Uuid::parse_str(id).is_ok(), "id is a UUID: {v}");
    assert!(
        v["title"].as_str().is_some_and(|t| !t.trim().is_empty()),
        "title in {v}"
    );
    assert!(
        v.get("company")
            .is_none_or(|c| c.is_null() || c.is_string()),
        "company in {v}"
    );
    let k = &v["keywords"];
    assert!(
        k["skills"]
            .as_array()
            .is_some_and(|s| s.iter().all(Value::is_string)),
        "keywords.skills in {v}"
    );
    assert!(
        k["phrases"]
            .as_array()
            .is_some_and(|s| s.iter().all(Value::is_string)),
        "keywords.phrases in {v}"
    );
    assert!(
        k.get("seniority")
            .is_some_and(|s| s.is_null() || s.is_string()),
        "keywords.seniority (string or null) in {v}"
    );
    assert!(
        k.get("years").is_none_or(|y| y.is_null() || y.is_u64()),
        "keywords.years in {v}"
    );
    assert!(v["revision"].is_u64(), "revision in {v}");
    assert!(
        v["content_hash"].as_str().is_some_and(|h| !h.is_empty()),
        "content_hash in {v}"
    );
    assert!(
        ["text", "markdown", "json"].contains(&v["format"].as_str().unwrap_or("")),
        "format in {v}"
    );
    assert!(is_rfc3339(&v["created_at"]), "created_at in {v}");
    assert!(is_rfc3339(&v["updated_at"]), "updated_at in {v}");
    assert!(v["text"].is_string(), "text in {v}");
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|s| {
            s.as_str()
                .unwrap_or_else(|| panic!("not a string: {s}"))
                .to_string()
        })
        .collect()
}

fn id_of(v: &Value) -> String {
    v["id"]
        .as_str()
        .unwrap_or_else(|| panic!("id in {v}"))
        .to_string()
}

fn error_message(r: &Resp) -> String {
    r.json()["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// A fresh user with `resume.json` parsed; returns the client and the resume.
async fn ready_json(prefix: &str) -> (Api, Value) {
    let api = server().user(prefix).await;
    let v = api.upload_ready("resume.json").await;
    (api, v)
}

/// `POST /v1/resumes/{id}/tailor`, unchecked.
async fn preview_raw(api: &Api, resume_id: &str, body: &Value) -> Resp {
    api.post_json(&format!("/v1/resumes/{resume_id}/tailor"), body)
        .await
}

/// A preview that must succeed; asserts its shape and returns it.
async fn preview(api: &Api, resume_id: &str, job_id: &str) -> Value {
    let r = preview_raw(api, resume_id, &json!({ "job_id": job_id })).await;
    assert_eq!(r.status, 200, "tailor preview: {}", r.text());
    let p = r.json();
    assert_preview_shape(&p);
    assert_eq!(p["source_id"], resume_id, "{p}");
    assert_eq!(p["job_id"], job_id, "{p}");
    p
}

#[track_caller]
fn assert_preview_shape(p: &Value) {
    assert!(
        p["preview_hash"].as_str().is_some_and(|h| !h.is_empty()),
        "preview_hash in {p}"
    );
    assert!(p["source_revision"].is_u64(), "source_revision in {p}");
    assert!(p["job_revision"].is_u64(), "job_revision in {p}");
    assert!(p["tailored"].is_object(), "tailored in {p}");
    let m = &p["match"];
    strs(&m["matched"]);
    strs(&m["missing"]);
    for key in ["score_before", "score_after"] {
        let s = m[key]
            .as_f64()
            .unwrap_or_else(|| panic!("match.{key} in {p}"));
        assert!((0.0..=100.0).contains(&s), "match.{key} is 0-100: {p}");
    }
    assert!(p["diff"]["changes"].is_array(), "diff.changes in {p}");
    assert!(p["diff"]["summary"].is_object(), "diff.summary in {p}");
    strs(&p["warnings"]);
}

/// `POST /v1/resumes/{id}/tailor/confirm`, unchecked.
async fn confirm_raw(api: &Api, resume_id: &str, job_id: &str, hash: &str) -> Resp {
    api.post_json(
        &format!("/v1/resumes/{resume_id}/tailor/confirm"),
        &json!({ "job_id": job_id, "preview_hash": hash }),
    )
    .await
}

/// Assert the stale-preview 409 and that its message says to preview again.
#[track_caller]
fn assert_stale(r: &Resp) {
    r.assert_error(409, "conflict");
    let msg = error_message(r).to_lowercase();
    assert!(
        msg.contains("stale") || msg.contains("preview again"),
        "a stale confirm says so: {msg:?}"
    );
}

/// Every fact in `tailored` is in `source`: skill names, employers with their
/// positions and dates, highlights (per employer), education entries.
#[track_caller]
fn assert_invents_nothing(source: &Value, tailored: &Value) {
    let list = |d: &Value, key: &str| d[key].as_array().cloned().unwrap_or_default();
    let source_skills: HashSet<String> = list(source, "skills")
        .iter()
        .filter_map(|s| s["name"].as_str().map(str::to_string))
        .collect();
    for s in list(tailored, "skills") {
        let name = s["name"].as_str().unwrap_or_default();
        assert!(
            source_skills.contains(name),
            "invented skill {name:?}; source has {source_skills:?}"
        );
        if let Some(kw) = s["keywords"].as_array() {
            let source_kw: Vec<Value> = list(source, "skills")
                .iter()
                .find(|x| x["name"] == name)
                .and_then(|x| x["keywords"].as_array().cloned())
                .unwrap_or_default();
            for k in kw {
                assert!(
                    source_kw.contains(k),
                    "invented keyword {k} of skill {name:?}"
                );
            }
        }
    }
    let source_work = list(source, "work");
    for w in list(tailored, "work") {
        let same = source_work.iter().find(|s| {
            ["name", "position", "startDate", "endDate"]
                .iter()
                .all(|k| s.get(*k).unwrap_or(&Value::Null) == w.get(*k).unwrap_or(&Value::Null))
        });
        let same = same.unwrap_or_else(|| {
            panic!("work entry not in the source (employer, position, dates): {w}")
        });
        let source_hl: Vec<Value> = same["highlights"].as_array().cloned().unwrap_or_default();
        for h in w["highlights"].as_array().cloned().unwrap_or_default() {
            assert!(
                source_hl.contains(&h),
                "invented highlight {h} at {}; source has {source_hl:?}",
                w["name"]
            );
        }
    }
    let source_edu = list(source, "education");
    for e in list(tailored, "education") {
        assert!(
            source_edu.iter().any(|s| {
                ["institution", "area", "studyType", "startDate", "endDate"]
                    .iter()
                    .all(|k| s.get(*k).unwrap_or(&Value::Null) == e.get(*k).unwrap_or(&Value::Null))
            }),
            "education entry not in the source: {e}"
        );
    }
}

fn skill_names(doc: &Value) -> Vec<String> {
    doc["skills"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|s| s["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn ids_and_revisions(list: &[Value]) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = list
        .iter()
        .map(|r| (id_of(r), r["revision"].as_u64().unwrap()))
        .collect();
    v.sort();
    v
}

// ---------------------------------------------------------------------------
// Jobs

#[tokio::test]
async fn markdown_job_gets_canonical_keywords() {
    let api = server().user("jobmd").await;
    let job = create_job(&api, JOB_BACKEND).await;
    assert_eq!(job["format"], "markdown", "{job}");
    assert_eq!(job["revision"].as_u64(), Some(1), "{job}");
    assert!(
        job["title"].as_str().unwrap().contains("Backend Engineer"),
        "title from the heading: {job}"
    );
    let skills = strs(&job["keywords"]["skills"]);
    for want in ["Rust", "PostgreSQL", "Kubernetes", "Terraform"] {
        assert!(
            skills.iter().any(|s| s == want),
            "{want} among the skills: {skills:?}"
        );
    }
    for raw in ["k8s", "K8s", "Postgres", "postgres"] {
        assert!(
            !skills.iter().any(|s| s == raw),
            "{raw:?} is reported under its canonical name: {skills:?}"
        );
    }
    let unique: HashSet<&String> = skills.iter().collect();
    assert_eq!(
        unique.len(),
        skills.len(),
        "no duplicate skills: {skills:?}"
    );
    assert_eq!(job["keywords"]["seniority"], "senior", "{job}");
    assert_eq!(
        job["keywords"]["years"].as_u64(),
        Some(5),
        "5+ years: {job}"
    );
    assert!(
        job["text"].as_str().unwrap().contains("Terraform"),
        "text holds the description: {job}"
    );
    assert_eq!(job["created_at"], job["updated_at"], "{job}");

    // It reads back the same.
    let r = api.get(&format!("/v1/jobs/{}", id_of(&job))).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let got = r.json();
    assert_job_shape(&got);
    assert_eq!(got["keywords"], job["keywords"]);
    assert_eq!(got["content_hash"], job["content_hash"]);
}

#[tokio::test]
async fn json_resume_job_uses_its_fields() {
    let api = server().user("jobjson").await;
    let job = create_job(&api, JOB_FRONTEND).await;
    assert_eq!(job["format"], "json", "{job}");
    assert_eq!(job["title"], "Frontend Developer", "{job}");
    assert_eq!(job["company"], "Lumen Books", "{job}");
    let skills = strs(&job["keywords"]["skills"]);
    for want in ["JavaScript", "TypeScript", "React"] {
        assert!(
            skills.iter().any(|s| s == want),
            "{want} among the skills: {skills:?}"
        );
    }
    assert!(
        !skills.iter().any(|s| s == "JS"),
        "JS is reported as JavaScript: {skills:?}"
    );
    assert_eq!(job["keywords"]["years"].as_u64(), Some(3), "{job}");
}

#[tokio::test]
async fn plain_text_job_with_title_override() {
    let api = server().user("jobtxt").await;
    let r = post_job_raw(
        &api,
        "/v1/jobs?title=Cluster%20Wrangler",
        fixture(JOB_PLATFORM),
        CT_TXT,
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let job = r.json();
    assert_job_shape(&job);
    assert_eq!(job["format"], "text");
    assert_eq!(job["title"], "Cluster Wrangler", "?title= wins: {job}");
    let skills = strs(&job["keywords"]["skills"]);
    for want in ["Kubernetes", "Terraform"] {
        assert!(skills.iter().any(|s| s == want), "{want}: {skills:?}");
    }
    assert_eq!(job["keywords"]["years"].as_u64(), Some(3), "{job}");
}

#[tokio::test]
async fn posting_the_same_description_again_returns_the_same_job() {
    let api = server().user("jobdup").await;
    let first = create_job(&api, JOB_BACKEND).await;
    let r = post_job_raw(&api, "/v1/jobs", fixture(JOB_BACKEND), CT_MD).await;
    assert_eq!(r.status, 200, "a repeat is 200, not 201: {}", r.text());
    let again = r.json();
    assert_eq!(again["id"], first["id"], "same job: {again}");
    assert_eq!(again["revision"], first["revision"]);
    assert_eq!(again["keywords"], first["keywords"]);

    let r = api.get("/v1/jobs").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let jobs = r.json()["jobs"].as_array().cloned().unwrap();
    assert_eq!(jobs.len(), 1, "no duplicate: {jobs:?}");

    // Another user posting the same text gets a job of their own.
    let other = server().user("jobdup-other").await;
    let theirs = create_job(&other, JOB_BACKEND).await;
    assert_ne!(theirs["id"], first["id"]);
}

#[tokio::test]
async fn bad_job_bodies_are_rejected_with_a_reason() {
    let api = server().user("jobbad").await;
    post_job_raw(&api, "/v1/jobs", Vec::new(), CT_TXT)
        .await
        .assert_error(400, "bad_request");
    post_job_raw(&api, "/v1/jobs", b"  \n\t ".to_vec(), CT_MD)
        .await
        .assert_error(400, "bad_request");
    post_job_raw(
        &api,
        "/v1/jobs",
        b"Senior \xff\xfe engineer".to_vec(),
        CT_TXT,
    )
    .await
    .assert_error(400, "bad_request");
    post_job_raw(
        &api,
        "/v1/jobs",
        b"\x89PNG\r\n\x1a\n0000".to_vec(),
        "image/png",
    )
    .await
    .assert_error(415, "unsupported_media_type");
    // Broken JSON, JSON that is not a job object, or has wrong field types.
    for (body, field) in [
        ("{\"title\": ".to_string(), None),
        (json!(["Rust", "Postgres"]).to_string(), None),
        (json!("Senior Backend Engineer").to_string(), None),
        (
            json!({"title": 5, "description": "Rust"}).to_string(),
            Some("title"),
        ),
        (
            json!({"title": "Backend", "skills": "Rust"}).to_string(),
            Some("skills"),
        ),
        (
            json!({"title": "Backend", "responsibilities": [1, 2]}).to_string(),
            Some("responsibilities"),
        ),
    ] {
        let r = post_job_raw(&api, "/v1/jobs", body.clone().into_bytes(), CT_JSON).await;
        assert!(
            r.status == 422 || r.status == 400,
            "{body}: expected 422 or 400, got {}: {}",
            r.status,
            r.text()
        );
        assert_error_body(&r, None);
        if let Some(field) = field {
            let msg = error_message(&r);
            assert!(
                msg.contains(field),
                "{body}: the message names {field:?}: {msg:?}"
            );
        }
    }

    // Nothing was stored.
    let r = api.get("/v1/jobs").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["jobs"], json!([]), "{}", r.text());
}

#[tokio::test]
async fn jobs_are_listed_replaced_and_deleted_per_owner() {
    let api = server().user("jobcrud").await;
    let backend = create_job(&api, JOB_BACKEND).await;
    let frontend = create_job(&api, JOB_FRONTEND).await;
    let (b_id, f_id) = (id_of(&backend), id_of(&frontend));

    let r = api.get("/v1/jobs").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let jobs = r.json()["jobs"].as_array().cloned().unwrap();
    let mut ids: Vec<String> = jobs.iter().map(id_of).collect();
    ids.sort();
    let mut want = vec![b_id.clone(), f_id.clone()];
    want.sort();
    assert_eq!(ids, want, "{jobs:?}");
    for j in &jobs {
        assert!(j["title"].is_string() && j["keywords"].is_object(), "{j}");
        assert!(is_rfc3339(&j["created_at"]), "{j}");
    }

    // Other owners see none of it.
    let other = server().user("jobcrud-other").await;
    let r = other.get("/v1/jobs").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["jobs"], json!([]));
    other
        .get(&format!("/v1/jobs/{b_id}"))
        .await
        .assert_error(404, "not_found");
    let put = |a: &Api, id: &str, body: Vec<u8>, ct: &str| {
        let rb = a
            .request(Method::PUT, &format!("/v1/jobs/{id}"))
            .header("content-type", ct.to_string())
            .body(body);
        let a = a.clone();
        async move { a.send(rb).await }
    };
    put(&other, &b_id, fixture(JOB_BACKEND), CT_MD)
        .await
        .assert_error(404, "not_found");
    other
        .delete(&format!("/v1/jobs/{b_id}"))
        .await
        .assert_error(404, "not_found");

    // PUT the identical text: nothing changes.
    let r = put(&api, &b_id, fixture(JOB_BACKEND), CT_MD).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let same = r.json();
    assert_job_shape(&same);
    assert_eq!(same["id"], b_id.as_str());
    assert_eq!(same["revision"].as_u64(), Some(1), "identical text: {same}");
    assert_eq!(same["content_hash"], backend["content_hash"]);

    // PUT a changed text: revision 2 and new keywords.
    let mut text = String::from_utf8(fixture(JOB_BACKEND)).unwrap();
    text.push_str("- Experience with Kafka and gRPC\n");
    let r = put(&api, &b_id, text.clone().into_bytes(), CT_MD).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let changed = r.json();
    assert_job_shape(&changed);
    assert_eq!(changed["id"], b_id.as_str());
    assert_eq!(changed["revision"].as_u64(), Some(2), "{changed}");
    assert_ne!(changed["content_hash"], backend["content_hash"]);
    let skills = strs(&changed["keywords"]["skills"]);
    assert!(
        skills.iter().any(|s| s.contains("Kafka")) && skills.iter().any(|s| s == "gRPC"),
        "the new text's skills are extracted: {skills:?}"
    );
    assert!(
        parse_time(&changed["updated_at"]) >= parse_time(&backend["updated_at"]),
        "{changed}"
    );
    let r = api.get(&format!("/v1/jobs/{b_id}")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["revision"].as_u64(), Some(2));

    // PUT follows the POST body rules.
    put(&api, &b_id, Vec::new(), CT_MD)
        .await
        .assert_error(400, "bad_request");
    put(&api, &b_id, b"\x89PNG".to_vec(), "image/png")
        .await
        .assert_error(415, "unsupported_media_type");
    let unknown = uuid::Uuid::new_v4();
    put(&api, &unknown.to_string(), fixture(JOB_BACKEND), CT_MD)
        .await
        .assert_error(404, "not_found");

    // DELETE: 204, then gone.
    let r = api.delete(&format!("/v1/jobs/{b_id}")).await;
    assert_eq!(r.status, 204, "{}", r.text());
    api.get(&format!("/v1/jobs/{b_id}"))
        .await
        .assert_error(404, "not_found");
    api.delete(&format!("/v1/jobs/{b_id}"))
        .await
        .assert_error(404, "not_found");
    let r = api.get("/v1/jobs").await;
    let jobs = r.json()["jobs"].as_array().cloned().unwrap();
    assert_eq!(jobs.iter().map(id_of).collect::<Vec<_>>(), vec![f_id]);
}

// ---------------------------------------------------------------------------
// Tailoring: previews

#[tokio::test]
async fn preview_keeps_basics_invents_nothing_and_reports_missing() {
    let (api, resume) = ready_json("tprev").await;
    let id = id_of(&resume);
    let job = create_job(&api, JOB_BACKEND).await;
    let p = preview(&api, &id, &id_of(&job)).await;
    let source = &resume["document"];
    let tailored = &p["tailored"];

    assert_eq!(p["source_revision"], resume["revision"], "{p}");
    assert_eq!(p["job_revision"], job["revision"], "{p}");
    assert_eq!(
        tailored["basics"], source["basics"],
        "personal details are never altered"
    );
    assert_invents_nothing(source, tailored);
    assert!(
        !skill_names(tailored).is_empty(),
        "the matching skills are kept: {tailored}"
    );

    let m = &p["match"];
    let matched = strs(&m["matched"]);
    let missing = strs(&m["missing"]);
    for want in ["Rust", "PostgreSQL", "Kubernetes"] {
        assert!(matched.iter().any(|s| s == want), "{want} matched: {m}");
    }
    assert!(
        missing.iter().any(|s| s == "Terraform"),
        "Terraform is missing: {m}"
    );
    assert!(
        matched.iter().all(|s| !missing.contains(s)),
        "matched and missing are disjoint: {m}"
    );
    let job_skills: HashSet<String> = strs(&job["keywords"]["skills"]).into_iter().collect();
    for s in matched.iter().chain(&missing) {
        assert!(
            job_skills.contains(s),
            "{s:?} is one of the job's skills: {m}"
        );
    }
    let before = m["score_before"].as_f64().unwrap();
    let after = m["score_after"].as_f64().unwrap();
    assert!(
        after >= before,
        "score_after {after} >= score_before {before}"
    );
    assert!(before > 0.0, "the resume covers part of the job: {m}");

    let warnings = strs(&p["warnings"]);
    assert!(
        warnings.iter().any(|w| w.contains("Terraform")),
        "a warning names the missing keyword: {warnings:?}"
    );
}

#[tokio::test]
async fn preview_puts_the_jobs_skills_first() {
    let (api, resume) = ready_json("tfirst").await;
    let id = id_of(&resume);
    let job = create_job(&api, JOB_PLATFORM).await;
    let wanted: HashSet<String> = strs(&job["keywords"]["skills"])
        .iter()
        .map(|s| s.to_lowercase())
        .collect();
    assert!(wanted.contains("kubernetes"), "{job}");
    assert!(
        !wanted.contains("rust"),
        "the platform job does not ask for Rust: {job}"
    );

    let p = preview(&api, &id, &id_of(&job)).await;
    let names = skill_names(&p["tailored"]);
    let is_wanted: Vec<bool> = names
        .iter()
        .map(|n| wanted.contains(&n.to_lowercase()))
        .collect();
    let first_other = is_wanted.iter().position(|w| !w).unwrap_or(names.len());
    assert!(
        is_wanted[first_other..].iter().all(|w| !w),
        "skills the job asks for come first: {names:?} (job: {wanted:?})"
    );
    let k8s = names
        .iter()
        .position(|n| n == "Kubernetes")
        .unwrap_or_else(|| panic!("the matching skill Kubernetes is kept: {names:?}"));
    assert!(
        names
            .iter()
            .position(|n| n == "Rust")
            .is_none_or(|rust| k8s < rust),
        "Kubernetes comes before Rust: {names:?}"
    );
    assert_invents_nothing(&resume["document"], &p["tailored"]);
    assert_eq!(p["tailored"]["basics"], resume["document"]["basics"]);

    // The diff shows the reordering of skills.
    let changes = p["diff"]["changes"].as_array().unwrap();
    assert!(
        changes
            .iter()
            .any(|c| c["path"].as_str().unwrap_or("").starts_with("/skills")),
        "the diff shows the skills change: {}",
        p["diff"]
    );
    let m = &p["match"];
    assert!(
        m["score_after"].as_f64().unwrap() >= m["score_before"].as_f64().unwrap(),
        "{m}"
    );
}

#[tokio::test]
async fn preview_is_deterministic_and_stores_nothing() {
    let (api, resume) = ready_json("tdet").await;
    let id = id_of(&resume);
    let job = create_job(&api, JOB_BACKEND).await;
    let before = ids_and_revisions(&api.list().await);
    let revs_before = api.get(&format!("/v1/resumes/{id}/revisions")).await.json();

    let a = preview(&api, &id, &id_of(&job)).await;
    let b = preview(&api, &id, &id_of(&job)).await;
    assert_eq!(
        a["preview_hash"], b["preview_hash"],
        "same inputs, same hash"
    );
    assert_eq!(a["tailored"], b["tailored"]);
    assert_eq!(a["match"], b["match"]);
    assert_eq!(a["diff"], b["diff"]);

    // Another job gives another hash.
    let other_job = create_job(&api, JOB_PLATFORM).await;
    let c = preview(&api, &id, &id_of(&other_job)).await;
    assert_ne!(c["preview_hash"], a["preview_hash"]);

    assert_eq!(
        ids_and_revisions(&api.list().await),
        before,
        "a preview stores no resume and edits none"
    );
    let g = api.resume(&id).await;
    assert_eq!(g["document"], resume["document"]);
    assert_eq!(
        api.get(&format!("/v1/resumes/{id}/revisions")).await.json(),
        revs_before
    );
}

// ---------------------------------------------------------------------------
// Tailoring: confirm

#[tokio::test]
async fn confirm_stores_the_preview_as_a_child_resume() {
    let (api, resume) = ready_json("tconf").await;
    let id = id_of(&resume);
    let job = create_job(&api, JOB_BACKEND).await;
    let job_id = id_of(&job);
    let p = preview(&api, &id, &job_id).await;

    let r = confirm_raw(&api, &id, &job_id, p["preview_hash"].as_str().unwrap()).await;
    assert_eq!(r.status, 201, "confirm: {}", r.text());
    let child = r.json();
    assert_resume_shape(&child);
    let child_id = id_of(&child);
    assert_ne!(child_id, id);
    assert_eq!(child["parent_id"], id.as_str(), "{child}");
    assert_eq!(child["job_id"], job_id.as_str(), "{child}");
    assert_eq!(child["status"], "ready", "{child}");
    assert_eq!(child["is_master"], false, "{child}");
    assert_eq!(
        child["document"], p["tailored"],
        "exactly the previewed document"
    );
    assert_eq!(
        child["document"]["basics"], resume["document"]["basics"],
        "personal details unchanged"
    );

    // It is listed and readable; the source is untouched.
    let list = api.list().await;
    assert_eq!(list.len(), 2, "{list:?}");
    let listed = list
        .iter()
        .find(|r| r["id"] == child_id.as_str())
        .unwrap_or_else(|| panic!("the tailored resume is listed: {list:?}"));
    assert_eq!(listed["parent_id"], id.as_str());
    let got = api.resume(&child_id).await;
    assert_eq!(got["document"], p["tailored"]);
    let source = api.resume(&id).await;
    assert_eq!(source["revision"], resume["revision"]);
    assert_eq!(source["document"], resume["document"]);
    assert_eq!(source["is_master"], true);

    // Diffing the stored child against its source gives the preview's diff.
    let r = api
        .get(&format!("/v1/resumes/{child_id}/diff?against={id}"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let d = r.json();
    assert_eq!(d["changes"], p["diff"]["changes"], "same engine, same diff");
    assert_eq!(d["summary"], p["diff"]["summary"]);
}

#[tokio::test]
async fn confirm_after_the_resume_changed_is_stale() {
    let (api, resume) = ready_json("tstale").await;
    let id = id_of(&resume);
    let job_id = id_of(&create_job(&api, JOB_BACKEND).await);
    let p = preview(&api, &id, &job_id).await;
    let old_hash = p["preview_hash"].as_str().unwrap().to_string();

    let r = api
        .patch(
            &format!("/v1/resumes/{id}"),
            &json!({"basics": {"summary": "Builds storage engines."}}),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_stale(&confirm_raw(&api, &id, &job_id, &old_hash).await);
    assert_eq!(api.list().await.len(), 1, "a stale confirm stores nothing");

    // A fresh preview of the new revision confirms.
    let p2 = preview(&api, &id, &job_id).await;
    assert_ne!(p2["preview_hash"].as_str().unwrap(), old_hash);
    assert_eq!(
        p2["tailored"]["basics"]["summary"], "Builds storage engines.",
        "the preview follows the edit"
    );
    let r = confirm_raw(&api, &id, &job_id, p2["preview_hash"].as_str().unwrap()).await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["document"], p2["tailored"]);
}

#[tokio::test]
async fn confirm_after_the_job_changed_is_stale() {
    let (api, resume) = ready_json("tstalejob").await;
    let id = id_of(&resume);
    let job_id = id_of(&create_job(&api, JOB_BACKEND).await);
    let p = preview(&api, &id, &job_id).await;

    let mut text = String::from_utf8(fixture(JOB_BACKEND)).unwrap();
    text.push_str("- Distributed systems experience\n");
    let r = api
        .send(
            api.request(Method::PUT, &format!("/v1/jobs/{job_id}"))
                .header("content-type", CT_MD)
                .body(text),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["revision"].as_u64(), Some(2));

    assert_stale(&confirm_raw(&api, &id, &job_id, p["preview_hash"].as_str().unwrap()).await);
    assert_eq!(api.list().await.len(), 1, "a stale confirm stores nothing");
    let p2 = preview(&api, &id, &job_id).await;
    assert_eq!(p2["job_revision"].as_u64(), Some(2));
}

#[tokio::test]
async fn confirm_with_a_made_up_or_mismatched_hash_is_409() {
    let (api, resume) = ready_json("tfake").await;
    let id = id_of(&resume);
    let backend = id_of(&create_job(&api, JOB_BACKEND).await);
    let platform = id_of(&create_job(&api, JOB_PLATFORM).await);
    let p = preview(&api, &id, &backend).await;

    let fake = "0".repeat(64);
    confirm_raw(&api, &id, &backend, &fake)
        .await
        .assert_error(409, "conflict");
    confirm_raw(&api, &id, &backend, "not-a-hash")
        .await
        .assert_error(409, "conflict");
    // A real hash, but for another job.
    confirm_raw(&api, &id, &platform, p["preview_hash"].as_str().unwrap())
        .await
        .assert_error(409, "conflict");
    assert_eq!(api.list().await.len(), 1, "nothing stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_previews_for_two_jobs_both_confirm() {
    let (api, resume) = ready_json("tconc").await;
    let id = id_of(&resume);
    let backend = id_of(&create_job(&api, JOB_BACKEND).await);
    let platform = id_of(&create_job(&api, JOB_PLATFORM).await);

    let (a, b) = tokio::join!(preview(&api, &id, &backend), preview(&api, &id, &platform));
    assert_ne!(a["preview_hash"], b["preview_hash"]);
    let (ra, rb) = tokio::join!(
        confirm_raw(&api, &id, &backend, a["preview_hash"].as_str().unwrap()),
        confirm_raw(&api, &id, &platform, b["preview_hash"].as_str().unwrap()),
    );
    assert_eq!(ra.status, 201, "backend confirm: {}", ra.text());
    assert_eq!(rb.status, 201, "platform confirm: {}", rb.text());
    let (ca, cb) = (ra.json(), rb.json());
    assert_ne!(ca["id"], cb["id"], "two new resumes");
    assert_eq!(ca["job_id"], backend.as_str());
    assert_eq!(cb["job_id"], platform.as_str());
    assert_eq!(ca["parent_id"], id.as_str());
    assert_eq!(cb["parent_id"], id.as_str());
    assert_eq!(ca["document"], a["tailored"]);
    assert_eq!(cb["document"], b["tailored"]);
    let list = api.list().await;
    assert_eq!(list.len(), 3, "{list:?}");
    assert_eq!(
        list.iter()
            .filter(|r| r["parent_id"] == id.as_str())
            .count(),
        2
    );
}

#[tokio::test]
async fn tailor_rejects_bad_requests() {
    let (api, resume) = ready_json("tbad").await;
    let id = id_of(&resume);
    let job_id = id_of(&create_job(&api, JOB_BACKEND).await);
    let unknown = uuid::Uuid::new_v4().to_string();

    // A source that failed to parse.
    let bad = api.upload_fixture("corrupt.pdf").await;
    let bad_id = id_of(&bad);
    assert_eq!(api.wait_terminal(&bad_id).await["status"], "failed");
    preview_raw(&api, &bad_id, &json!({ "job_id": job_id }))
        .await
        .assert_error(409, "conflict");
    confirm_raw(&api, &bad_id, &job_id, &"0".repeat(64))
        .await
        .assert_error(409, "conflict");

    // Unknown or malformed job ids, unknown resumes, unknown fields.
    preview_raw(&api, &id, &json!({ "job_id": unknown }))
        .await
        .assert_error(404, "not_found");
    confirm_raw(&api, &id, &unknown, &"0".repeat(64))
        .await
        .assert_error(404, "not_found");
    preview_raw(&api, &id, &json!({ "job_id": "abc" }))
        .await
        .assert_error(400, "bad_request");
    preview_raw(&api, &unknown, &json!({ "job_id": job_id }))
        .await
        .assert_error(404, "not_found");
    preview_raw(&api, &id, &json!({ "job_id": job_id, "tone": "bold" }))
        .await
        .assert_error(400, "bad_request");
    let r = api
        .post_json(
            &format!("/v1/resumes/{id}/tailor/confirm"),
            &json!({"job_id": job_id, "preview_hash": "0", "force": true}),
        )
        .await;
    r.assert_error(400, "bad_request");
    api.send(
        api.request(Method::POST, &format!("/v1/resumes/{id}/tailor"))
            .header("content-type", CT_JSON)
            .body("{\"job_id\": "),
    )
    .await
    .assert_error(400, "bad_request");

    // Another owner's job, and another owner tailoring my resume.
    let other = server().user("tbad-other").await;
    let their_job = id_of(&create_job(&other, JOB_BACKEND).await);
    preview_raw(&api, &id, &json!({ "job_id": their_job }))
        .await
        .assert_error(404, "not_found");
    preview_raw(&other, &id, &json!({ "job_id": their_job }))
        .await
        .assert_error(404, "not_found");
    let p = preview(&api, &id, &job_id).await;
    confirm_raw(&other, &id, &job_id, p["preview_hash"].as_str().unwrap())
        .await
        .assert_error(404, "not_found");

    // Nothing was stored by any of it.
    assert_eq!(
        api.list().await.len(),
        2,
        "the source and the failed upload"
    );
    assert_eq!(other.list().await.len(), 0);
}
