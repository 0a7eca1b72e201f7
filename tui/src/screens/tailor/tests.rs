//! Tests of the tailor screen: snapshots of its steps, and the job list,
//! prompts, preview, confirm and stale paths driven through its keys.

use super::*;
use crate::client::ClientError;
use crate::screens::library::tests::resume;
use crate::screens::testing::{ch, draw, key};
use serde_json::json;
use vitae_common::diff::diff_values;
use vitae_common::jobs::{JobKeywords, KeywordMatch};
use vitae_common::{Resume, Status};

fn job(id: &str, title: &str, company: Option<&str>, skills: &[&str]) -> JobResource {
    JobResource {
        id: id.into(),
        title: title.into(),
        company: company.map(str::to_string),
        keywords: JobKeywords {
            skills: skills.iter().map(|s| s.to_string()).collect(),
            phrases: vec![],
            seniority: Some("senior".into()),
            years: Some(5),
        },
        revision: 1,
        content_hash: "h".into(),
        format: "markdown".into(),
        created_at: "2026-11-20T09:30:00.000Z".into(),
        updated_at: "2026-11-20T09:30:00.000Z".into(),
        text: None,
    }
}

fn with_jobs() -> TailorState {
    let mut state = TailorState::new("r1", "zoe.pdf");
    state.on_msg(&Msg::Jobs(Ok(vec![
        job(
            "j1",
            "Senior Platform Engineer",
            Some("Acme"),
            &[
                "Rust",
                "Kubernetes",
                "Terraform",
                "PostgreSQL",
                "Go",
                "gRPC",
            ],
        ),
        job("j2", "Backend Developer", None, &["Go", "PostgreSQL"]),
        job(
            "j3",
            "Site Reliability Engineer",
            Some("Nordlys Systems AB"),
            &[],
        ),
    ])));
    state
}

fn sample_preview(job_id: &str) -> TailorPreview {
    let before = json!({
        "work": [{"name": "Acme Cloud", "position": "Backend Engineer", "highlights": [
            "Ran the on-call rotation for twelve services",
            "Built the billing service in Rust on PostgreSQL",
            "Moved CI to GitHub Actions"
        ]}],
        "skills": [{"name": "Go"}, {"name": "Python"}, {"name": "Rust"}, {"name": "PostgreSQL"}]
    });
    let after = json!({
        "work": [{"name": "Acme Cloud", "position": "Backend Engineer", "highlights": [
            "Built the billing service in Rust on PostgreSQL",
            "Ran the on-call rotation for twelve services",
            "Moved CI to GitHub Actions"
        ]}],
        "skills": [{"name": "Rust"}, {"name": "PostgreSQL"}, {"name": "Go"}, {"name": "Python"}]
    });
    TailorPreview {
        preview_hash: "hash-1".into(),
        source_id: "r1".into(),
        source_revision: 2,
        job_id: job_id.into(),
        job_revision: 1,
        tailored: Resume::default(),
        keyword_match: KeywordMatch {
            matched: vec!["Rust".into(), "PostgreSQL".into(), "Go".into()],
            missing: vec!["Kubernetes".into(), "Terraform".into(), "gRPC".into()],
            score_before: 42.46,
            score_after: 71.0,
        },
        diff: diff_values(&before, &after),
        warnings: vec![
            "the resume does not mention Kubernetes, Terraform, gRPC: add them only if they are true".into(),
            "project \"Old blog\" left out: it mentions none of the job's keywords".into(),
        ],
        drafts: None,
    }
}

fn previewing() -> TailorState {
    let mut state = with_jobs();
    state.handle_key(&key(KeyCode::Enter));
    state.on_msg(&Msg::Preview(Ok(sample_preview("j1"))));
    assert!(matches!(state.step, Step::Preview(_)));
    state
}

fn api(status: u16, message: &str) -> ClientError {
    ClientError::Api {
        status,
        code: "conflict".into(),
        message: message.into(),
        request_id: "q1".into(),
    }
}

#[test]
fn tailor_job_list() {
    let mut state = with_jobs();
    state.handle_key(&ch('j'));
    insta::assert_snapshot!(draw(&mut state, 100, 12));
}

#[test]
fn tailor_no_jobs_says_how_to_add_one() {
    let mut state = TailorState::new("r1", "zoe.pdf");
    state.on_msg(&Msg::Jobs(Ok(vec![])));
    insta::assert_snapshot!(draw(&mut state, 80, 12));
}

#[test]
fn tailor_add_from_file_prompt() {
    let mut state = with_jobs();
    state.handle_key(&ch('a'));
    assert!(state.is_typing());
    for c in "~/jobs/acme.md".chars() {
        state.handle_key(&ch(c));
    }
    insta::assert_snapshot!(draw(&mut state, 100, 14));
    let effect = state.handle_key(&key(KeyCode::Enter));
    let Some(Request::AddJobFile(path)) = effect.request() else {
        panic!("expected AddJobFile, got {effect:?}")
    };
    assert!(path.ends_with("jobs/acme.md"));
    if let Some(home) = std::env::var_os("HOME") {
        assert!(path.starts_with(home), "~ is expanded: {path:?}");
    }
    // The new job is selected and the prompt closes.
    let added = job("j4", "Data Engineer", Some("Acme"), &["SQL"]);
    assert!(matches!(
        state.on_msg(&Msg::JobAdded(Ok(added))),
        Effect::Info(_)
    ));
    assert!(state.prompt.is_none());
    assert_eq!(state.jobs[state.cursor.index].id, "j4");
}

#[test]
fn a_refused_file_keeps_the_prompt_with_the_reason() {
    let mut state = with_jobs();
    state.handle_key(&ch('a'));
    assert!(
        state.handle_key(&key(KeyCode::Enter)).request().is_none(),
        "empty path"
    );
    assert!(state.prompt_error.is_some());
    state.handle_paste("/tmp/none.md\n");
    assert!(state.handle_key(&key(KeyCode::Enter)).request().is_some());
    state.on_msg(&Msg::JobAdded(Err(ClientError::Local(
        "cannot read /tmp/none.md: not found".into(),
    ))));
    assert!(matches!(state.prompt, Some(Prompt::File(_))));
    assert_eq!(
        state.prompt_error.as_deref(),
        Some("cannot add the job: cannot read /tmp/none.md: not found")
    );
}

#[test]
fn tailor_paste_box() {
    let mut state = with_jobs();
    state.handle_key(&ch('p'));
    state.handle_paste(
        "# Senior Platform Engineer\r\n\r\nAcme is hiring.\tYou know Rust and Kubernetes.\r\n",
    );
    for c in "5+ years".chars() {
        state.handle_key(&ch(c));
    }
    insta::assert_snapshot!(draw(&mut state, 100, 16));
    let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert_eq!(
        state.handle_key(&ctrl_s).request(),
        Some(Request::AddJob {
            body: "# Senior Platform Engineer\n\nAcme is hiring.    You know Rust and Kubernetes.\n5+ years".into(),
            content_type: "text/markdown",
        })
    );
    // While it is being added, typing does nothing.
    state.handle_key(&ch('x'));
    assert!(matches!(&state.prompt, Some(Prompt::Paste(t)) if t.ends_with("years")));
}

#[test]
fn paste_on_the_list_opens_the_box_and_plain_text_is_text() {
    let mut state = with_jobs();
    state.handle_paste("We need a Go developer.");
    assert!(matches!(&state.prompt, Some(Prompt::Paste(t)) if t == "We need a Go developer."));
    let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(matches!(
        state.handle_key(&ctrl_s).request(),
        Some(Request::AddJob {
            content_type: "text/plain",
            ..
        })
    ));
    let mut empty = with_jobs();
    empty.handle_key(&ch('p'));
    assert!(
        empty.handle_key(&ctrl_s).request().is_none(),
        "nothing to add"
    );
    empty.handle_key(&key(KeyCode::Esc));
    assert!(empty.prompt.is_none());
}

#[test]
fn enter_on_a_job_asks_for_its_preview() {
    let mut state = with_jobs();
    state.handle_key(&ch('j'));
    assert_eq!(
        state.handle_key(&key(KeyCode::Enter)).request(),
        Some(Request::Tailor {
            id: "r1".into(),
            job_id: "j2".into()
        })
    );
    let text = draw(&mut state, 80, 8).to_string();
    assert!(
        text.contains("Computing the preview for Backend Developer…"),
        "{text}"
    );
}

#[test]
fn tailor_preview() {
    let mut state = previewing();
    insta::assert_snapshot!(draw(&mut state, 100, 30));
}

#[test]
fn tailor_preview_side_by_side_and_notes() {
    let mut state = previewing();
    state.handle_key(&ch('s'));
    state.handle_key(&ch('n'));
    insta::assert_snapshot!("tailor_preview_side_by_side", draw(&mut state, 100, 30));
    let Step::Preview(preview) = &mut state.step else {
        unreachable!()
    };
    preview.drafts = Some(vitae_common::Drafts {
        cover_letter: Some(
            "Dear Acme,\n\nI built the billing service in Rust on PostgreSQL.".into(),
        ),
        outreach_message: None,
        model: "llama3".into(),
    });
    state.handle_key(&ch('d'));
    insta::assert_snapshot!("tailor_preview_notes", draw(&mut state, 100, 30));
}

#[test]
fn c_confirms_with_the_preview_hash_and_opens_the_new_resume() {
    let mut state = previewing();
    assert_eq!(
        state.handle_key(&ch('c')).request(),
        Some(Request::ConfirmTailor {
            id: "r1".into(),
            job_id: "j1".into(),
            preview_hash: "hash-1".into(),
        })
    );
    assert!(
        matches!(state.handle_key(&ch('c')), Effect::Info(_)),
        "once"
    );
    assert!(
        matches!(state.handle_key(&ch('b')), Effect::Info(_)),
        "stays for the answer"
    );
    assert!(matches!(state.step, Step::Preview(_)));
    let saved = resume(
        "r2",
        "zoe (for Senior Platform Engineer).json",
        Status::Ready,
        Some("r1"),
    );
    let Effect::Many(effects) = state.on_msg(&Msg::Confirmed(Ok(saved))) else {
        panic!("expected effects")
    };
    assert!(
        matches!(&effects[0], Effect::Info(t) if t == "saved as zoe (for Senior Platform Engineer).json")
    );
    assert!(matches!(&effects[1], Effect::Request(Request::LoadResumes)));
    assert!(matches!(&effects[2], Effect::Replace(Route::Reviewing(_))));
}

#[test]
fn tailor_stale_confirm() {
    let mut state = previewing();
    state.handle_key(&ch('c'));
    let effect = state.on_msg(&Msg::Confirmed(Err(api(
        409,
        "the resume changed since (revision 2 then, 3 now); preview again",
    ))));
    assert!(matches!(effect, Effect::None));
    assert!(matches!(state.step, Step::Stale { .. }));
    insta::assert_snapshot!(draw(&mut state, 100, 12));
    assert_eq!(
        state.handle_key(&ch('r')).request(),
        Some(Request::Tailor {
            id: "r1".into(),
            job_id: "j1".into()
        })
    );
}

#[test]
fn other_confirm_errors_go_to_the_status_bar() {
    let mut state = previewing();
    state.handle_key(&ch('c'));
    let effect = state.on_msg(&Msg::Confirmed(Err(api(500, "storage failed"))));
    assert!(matches!(effect, Effect::Error(ref t) if t == "storage failed"));
    assert!(matches!(state.step, Step::Preview(_)));
    // A confirm answer nobody here asked for is not ours.
    let other = resume("x", "x.json", Status::Ready, Some("r1"));
    assert!(matches!(
        state.on_msg(&Msg::Confirmed(Ok(other))),
        Effect::None
    ));
}

#[test]
fn previews_not_asked_for_are_ignored() {
    let mut state = with_jobs();
    state.on_msg(&Msg::Preview(Ok(sample_preview("j1"))));
    assert!(matches!(state.step, Step::Jobs), "none was asked");
    state.handle_key(&key(KeyCode::Enter));
    let mut foreign = sample_preview("j1");
    foreign.source_id = "another-resume".into();
    state.on_msg(&Msg::Preview(Ok(foreign)));
    assert!(
        matches!(state.step, Step::Computing { .. }),
        "another resume's"
    );
    state.on_msg(&Msg::Preview(Ok(sample_preview("j2"))));
    assert!(
        matches!(state.step, Step::Computing { .. }),
        "another job's"
    );
    state.on_msg(&Msg::Preview(Ok(sample_preview("j1"))));
    assert!(matches!(state.step, Step::Preview(_)));
}

#[test]
fn tailor_preview_failed_shows_the_reason() {
    let mut state = with_jobs();
    state.handle_key(&key(KeyCode::Enter));
    state.on_msg(&Msg::Preview(Err(api(
        409,
        "resume r1 is parsing; tailor it once it is ready",
    ))));
    insta::assert_snapshot!(draw(&mut state, 80, 10));
    assert!(matches!(state.handle_key(&ch('b')), Effect::None));
    assert!(matches!(state.step, Step::Jobs));
}

#[test]
fn odd_scores_and_tiny_sizes_do_not_panic() {
    let mut state = previewing();
    let Step::Preview(preview) = &mut state.step else {
        unreachable!()
    };
    preview.keyword_match.score_before = f64::NAN;
    preview.keyword_match.score_after = 1e9;
    preview.warnings = vec!["w".repeat(500); 20];
    for (w, h) in [(10, 5), (30, 12), (100, 30)] {
        draw(&mut state, w, h);
    }
    state.handle_key(&ch('d'));
    state.handle_key(&ch('G'));
    draw(&mut state, 40, 10);
}
