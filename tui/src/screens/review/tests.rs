//! Tests of the review screen: snapshots of its panes and popups, and the
//! edits, patches, conflicts and revisions driven through its keys.

use vitae_common::{RevisionResource, Status};

use super::document::{member, path_string};
use super::*;
use crate::client::ClientError;
use crate::screens::library::tests::resume;
use crate::screens::testing::{ch, draw, key};
use serde_json::json;

pub(super) fn document() -> Value {
    json!({
        "basics": {
            "name": "Zoë Martin",
            "label": "Platform Engineer",
            "email": "zoe@example.com",
            "phone": "+33 6 12 34 56 78",
            "location": {"city": "Lyon", "countryCode": "FR"},
            "profiles": [{"network": "GitHub", "username": "zoem", "url": "https://github.com/zoem"}]
        },
        "work": [
            {
                "name": "Acme",
                "position": "Senior Engineer",
                "startDate": "2021-03",
                "summary": "Runs the platform team: build, deploy and observability for forty services, on call one week in six.",
                "highlights": ["Cut deploy time from 40 to 6 minutes", "Led the move to Kubernetes"]
            },
            {"name": "Globex", "position": "Engineer", "startDate": "2018", "endDate": "2021-02"}
        ],
        "education": [{"institution": "Université Lyon 1", "area": "Computer Science", "studyType": "MSc", "endDate": "2018"}],
        "skills": [{"name": "Rust", "keywords": ["tokio", "serde"]}, {"name": "Kubernetes"}],
        "languages": [{"language": "French", "fluency": "Native"}]
    })
}

pub(super) fn ready(doc: Value) -> ResumeResource {
    let mut r = resume("r1", "zoe.pdf", Status::Ready, None);
    r.revision = 3;
    r.document = Some(vitae_common::Resume::from_value(doc).ok());
    r
}

pub(super) fn state() -> ReviewState {
    ReviewState::from_resume(ready(document()))
}

/// Select the field at `path` (e.g. `work[1].position`) in the fields pane.
pub(super) fn select(state: &mut ReviewState, path: &str) {
    for (s, section) in state.sections.iter().enumerate() {
        if let Some(f) = section
            .fields
            .iter()
            .position(|f| path_string(&f.path) == path)
        {
            state.section.index = s;
            state.field.index = f;
            state.focus = Pane::Fields;
            return;
        }
    }
    panic!("no field {path}");
}

pub(super) fn type_text(state: &mut ReviewState, text: &str) {
    for c in text.chars() {
        state.handle_key(&ch(c));
    }
}

pub(super) fn clear_input(state: &mut ReviewState) {
    state.handle_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
}

pub(super) fn api_error(status: u16) -> ClientError {
    ClientError::Api {
        status,
        code: "x".into(),
        message: format!("the server said {status}"),
        request_id: "req-1".into(),
    }
}

pub(super) fn revisions() -> Vec<RevisionResource> {
    let rev = |revision, origin: &str, summary: &str| RevisionResource {
        revision,
        created_at: format!("2026-11-2{revision}T09:00:00Z"),
        origin: origin.into(),
        summary: summary.into(),
        document: None,
    };
    vec![
        rev(1, "parsed", "first revision"),
        rev(2, "edited", "basics: 1 changed"),
        rev(3, "edited", "work: 1 changed, 1 added"),
    ]
}

#[test]
fn review_with_the_sections_pane_focused() {
    let mut state = state();
    insta::assert_snapshot!(draw(&mut state, 100, 30));
}

#[test]
fn review_with_the_fields_pane_focused() {
    let mut state = state();
    state.handle_key(&ch('j'));
    state.handle_key(&key(KeyCode::Tab));
    state.handle_key(&ch('j'));
    state.handle_key(&ch('j'));
    state.handle_key(&ch('j'));
    assert_eq!(state.focus, Pane::Fields);
    assert_eq!(
        state
            .current_field()
            .map(|f| path_string(&f.path))
            .as_deref(),
        Some("work[0].url")
    );
    insta::assert_snapshot!(draw(&mut state, 100, 30));
}

#[test]
fn review_shows_the_detected_language() {
    let mut doc = document();
    doc["meta"] = json!({"language": "de"});
    let mut german = ReviewState::from_resume(ready(doc));
    assert!(draw(&mut german, 100, 30)
        .to_string()
        .contains("language de"));
    let mut undetected = state();
    assert!(!draw(&mut undetected, 100, 30)
        .to_string()
        .contains("language "));
}

#[test]
fn review_shows_warnings_low_confidence_and_missing_fields() {
    let mut doc = document();
    doc["basics"].as_object_mut().unwrap().remove("email");
    let mut r = ready(doc);
    r.warnings = vec![
        "no email address found".into(),
        "work[1]: the end date read as 2021-02 from \"02/21\"".into(),
    ];
    r.confidence.insert("work[0].startDate".into(), 0.42);
    r.confidence.insert("work[0].position".into(), 0.93);
    r.confidence.insert("basics.phone".into(), 0.5);
    let mut state = ReviewState::from_resume(r);
    let basics = &state.sections[0];
    assert!(basics
        .fields
        .iter()
        .any(|f| f.missing && f.label == "email"));
    assert!(basics
        .fields
        .iter()
        .any(|f| f.doubtful() && f.label == "phone"));
    select(&mut state, "basics.phone");
    insta::assert_snapshot!(draw(&mut state, 100, 30));
    select(&mut state, "work[0].startDate");
    insta::assert_snapshot!("review_low_confidence_date", draw(&mut state, 100, 30));
}

#[test]
fn editing_a_field_with_a_validation_error() {
    let mut state = state();
    select(&mut state, "work[0].startDate");
    state.handle_key(&ch('e'));
    assert!(state.is_typing());
    clear_input(&mut state);
    type_text(&mut state, "March 2021");
    let effect = state.handle_key(&key(KeyCode::Enter));
    assert!(effect.request().is_none(), "an invalid date is not sent");
    assert!(state.edit.as_ref().is_some_and(|e| e.error.is_some()));
    insta::assert_snapshot!(draw(&mut state, 100, 30));
    // Typing again clears the error; Esc cancels.
    state.handle_key(&key(KeyCode::Backspace));
    assert!(state.edit.as_ref().is_some_and(|e| e.error.is_none()));
    state.handle_key(&key(KeyCode::Esc));
    assert!(state.edit.is_none() && !state.is_typing());
}

#[test]
fn validation_accepts_and_rejects() {
    let path = |p: &[&str]| p.iter().map(|k| member(k)).collect::<Vec<_>>();
    let start = path(&["work", "startDate"]);
    for ok in ["2021", "2021-03", "2021-03-31", "2024-02-29", ""] {
        assert!(validate(&start, ok).is_ok(), "{ok}");
    }
    for bad in [
        "21",
        "2021-3",
        "2021-13",
        "2021-02-30",
        "March 2021",
        "2021/03",
        "2021-03-01T00",
    ] {
        assert!(validate(&start, bad).is_err(), "{bad}");
    }
    assert!(validate(&path(&["awards", "date"]), "2020-1").is_err());
    let email = path(&["basics", "email"]);
    assert!(validate(&email, "zoe@example.com").is_ok());
    for bad in ["zoe", "@example.com", "zoe@", "a@b@c", "zo e@example.com"] {
        assert!(validate(&email, bad).is_err(), "{bad}");
    }
    let url = path(&["basics", "url"]);
    assert!(validate(&url, "https://zoe.dev").is_ok());
    assert!(validate(&url, "http://zoe.dev").is_ok());
    for bad in ["zoe.dev", "ftp://zoe.dev", "https://"] {
        assert!(validate(&url, bad).is_err(), "{bad}");
    }
    assert!(
        validate(&path(&["basics", "name"]), "").is_err(),
        "the name is required"
    );
    assert!(
        validate(&path(&["work", "name"]), "").is_ok(),
        "other fields may be cleared"
    );
}

#[test]
fn the_patch_for_a_work_field_replaces_the_whole_work_array() {
    let mut state = state();
    select(&mut state, "work[1].position");
    state.handle_key(&key(KeyCode::Enter));
    clear_input(&mut state);
    type_text(&mut state, "Staff Engineer");
    let Some(Request::Patch {
        id,
        patch,
        revision,
    }) = state.handle_key(&key(KeyCode::Enter)).request()
    else {
        panic!("expected a patch");
    };
    assert_eq!((id.as_str(), revision), ("r1", 3));
    let mut work = document()["work"].clone();
    work[1]["position"] = json!("Staff Engineer");
    assert_eq!(patch, json!({ "work": work }));
    assert!(
        state.saving && state.edit.is_some(),
        "the edit stays until the answer"
    );
}

#[test]
fn basics_patches_merge_and_clearing_sends_null() {
    let mut state = state();
    select(&mut state, "basics.email");
    state.handle_key(&key(KeyCode::Enter));
    clear_input(&mut state);
    type_text(&mut state, "zoe@martin.dev");
    let patch = state.handle_key(&key(KeyCode::Enter)).request();
    assert!(
        matches!(patch, Some(Request::Patch { ref patch, .. }) if *patch == json!({"basics": {"email": "zoe@martin.dev"}}))
    );

    let mut state = self::state();
    select(&mut state, "basics.location.city");
    state.handle_key(&key(KeyCode::Enter));
    clear_input(&mut state);
    let patch = state.handle_key(&key(KeyCode::Enter)).request();
    assert!(
        matches!(patch, Some(Request::Patch { ref patch, .. }) if *patch == json!({"basics": {"location": {"city": null}}}))
    );

    // A highlight lives in an array: the work array goes whole, the
    // emptied highlight removed from it.
    let mut state = self::state();
    select(&mut state, "work[0].highlights[0]");
    state.handle_key(&key(KeyCode::Enter));
    clear_input(&mut state);
    let Some(Request::Patch { patch, .. }) = state.handle_key(&key(KeyCode::Enter)).request()
    else {
        panic!("expected a patch");
    };
    assert_eq!(
        patch["work"][0]["highlights"],
        json!(["Led the move to Kubernetes"])
    );
    assert_eq!(patch["work"][1], document()["work"][1]);

    // An unchanged value sends nothing.
    let mut state = self::state();
    select(&mut state, "basics.name");
    state.handle_key(&key(KeyCode::Enter));
    assert!(matches!(
        state.handle_key(&key(KeyCode::Enter)),
        Effect::Info(_)
    ));
    assert!(state.edit.is_none());
}

#[test]
fn a_missing_basics_object_is_created_by_the_patch() {
    let mut state = ReviewState::from_resume(ready(json!({"work": [{"name": "Acme"}]})));
    select(&mut state, "basics.name");
    state.handle_key(&key(KeyCode::Enter));
    type_text(&mut state, "Zoë");
    let patch = state.handle_key(&key(KeyCode::Enter)).request();
    assert!(
        matches!(patch, Some(Request::Patch { ref patch, .. }) if *patch == json!({"basics": {"name": "Zoë"}}))
    );
}

#[test]
fn a_saved_edit_closes_and_says_the_new_revision() {
    let mut state = state();
    select(&mut state, "work[1].position");
    state.handle_key(&key(KeyCode::Enter));
    type_text(&mut state, " II");
    state.handle_key(&key(KeyCode::Enter));
    let mut doc = document();
    doc["work"][1]["position"] = json!("Engineer II");
    let mut saved = ready(doc);
    saved.revision = 4;
    let effect = state.on_msg(&Msg::Patched(Ok(saved)));
    assert!(matches!(effect, Effect::Info(ref m) if m == "saved: revision 4"));
    assert!(state.edit.is_none() && !state.saving);
    assert_eq!(
        state.current_field().and_then(|f| f.value.as_deref()),
        Some("Engineer II"),
        "selection kept"
    );
}

#[test]
fn a_412_opens_the_conflict_popup_and_r_reloads() {
    let mut state = state();
    select(&mut state, "work[1].position");
    state.handle_key(&key(KeyCode::Enter));
    type_text(&mut state, " II");
    state.handle_key(&key(KeyCode::Enter));
    assert!(matches!(
        state.on_msg(&Msg::Patched(Err(api_error(412)))),
        Effect::None
    ));
    assert_eq!(state.conflict, Some(3));
    assert!(!state.is_typing(), "keys go to the popup");
    insta::assert_snapshot!(draw(&mut state, 100, 30));
    // Esc keeps the edit open.
    state.handle_key(&key(KeyCode::Esc));
    assert!(state.conflict.is_none() && state.edit.is_some());
    // Again, and this time r reloads and drops the edit.
    state.handle_key(&key(KeyCode::Enter));
    state.on_msg(&Msg::Patched(Err(api_error(412))));
    let effect = state.handle_key(&ch('r'));
    assert_eq!(effect.request(), Some(Request::LoadResume("r1".into())));
    assert!(state.conflict.is_none() && state.edit.is_none());
}

#[test]
fn other_save_errors_keep_the_edit_open() {
    let mut state = state();
    select(&mut state, "work[1].position");
    state.handle_key(&key(KeyCode::Enter));
    state.handle_key(&key(KeyCode::Enter));
    assert!(state.edit.is_none(), "unchanged");
    state.handle_key(&key(KeyCode::Enter));
    type_text(&mut state, "!");
    state.handle_key(&key(KeyCode::Enter));
    let effect = state.on_msg(&Msg::Patched(Err(api_error(422))));
    assert!(matches!(effect, Effect::Error(ref m) if m.contains("the server said 422")));
    assert!(state.edit.is_some() && !state.saving);
    // Another screen's failure is not ours.
    assert!(matches!(
        state.on_msg(&Msg::Patched(Err(api_error(500)))),
        Effect::None
    ));
}

#[test]
fn revisions_popup_diffs_and_restores() {
    let mut state = state();
    assert_eq!(
        state.handle_key(&ch('v')).request(),
        Some(Request::LoadRevisions("r1".into()))
    );
    state.on_msg(&Msg::Revisions {
        id: "other".into(),
        result: Ok(vec![]),
    });
    assert!(
        state.revisions.as_ref().is_some_and(|p| p.list.is_none()),
        "not ours"
    );
    state.on_msg(&Msg::Revisions {
        id: "r1".into(),
        result: Ok(revisions()),
    });
    insta::assert_snapshot!(draw(&mut state, 100, 30));
    // Newest first: the current one cannot be diffed with itself.
    assert!(matches!(
        state.handle_key(&key(KeyCode::Enter)),
        Effect::Info(_)
    ));
    state.handle_key(&ch('j'));
    let effect = state.handle_key(&key(KeyCode::Enter));
    assert!(matches!(
        effect.route(),
        Some(Route::Diff { id, against, revision: None, .. }) if id == "r1" && against == "rev:2"
    ));
    state.handle_key(&ch('j'));
    assert_eq!(
        state.handle_key(&ch('r')).request(),
        Some(Request::Restore {
            id: "r1".into(),
            revision: 1
        })
    );
    let mut restored = ready(document());
    restored.revision = 4;
    assert!(
        matches!(state.on_msg(&Msg::Restored(Ok(restored))), Effect::Info(ref m) if m == "restored revision 1 as revision 4")
    );
    assert!(state.revisions.is_none());
    assert_eq!(state.revision(), 4);
}

#[test]
fn d_diffs_against_the_previous_revision() {
    let mut state = state();
    let effect = state.handle_key(&ch('d'));
    assert_eq!(
        effect.route(),
        Some(&Route::Diff {
            id: "r1".into(),
            against: "rev:2".into(),
            revision: None,
            title: "zoe.pdf r2 → r3".into(),
        })
    );
    let mut first = ready(document());
    first.revision = 1;
    let mut state = ReviewState::from_resume(first);
    assert!(matches!(state.handle_key(&ch('d')), Effect::Info(_)));
}

#[test]
fn keys_open_share_tailor_and_export_and_reload() {
    let mut state = state();
    assert!(matches!(
        state.handle_key(&ch('s')).route(),
        Some(Route::Share { .. })
    ));
    assert!(matches!(
        state.handle_key(&ch('t')).route(),
        Some(Route::Tailor { .. })
    ));
    assert!(matches!(
        state.handle_key(&ch('x')).route(),
        Some(Route::Export { id, .. }) if id == "r1"
    ));
    assert_eq!(
        state.handle_key(&ch('R')).request(),
        Some(Request::LoadResume("r1".into()))
    );
    assert!(matches!(state.handle_key(&ch('q')), Effect::Back));
}

#[test]
fn a_reload_keeps_the_selection_and_other_resumes_are_ignored() {
    let mut state = state();
    select(&mut state, "skills[1].name");
    let mut other = ready(json!({"basics": {"name": "Someone else"}}));
    other.id = "r2".into();
    state.on_msg(&Msg::Resume(Ok(other)));
    assert_eq!(state.current_section().map(|s| s.key), Some("skills"));
    let mut doc = document();
    doc["skills"]
        .as_array_mut()
        .unwrap()
        .insert(0, json!({"name": "Go"}));
    state.on_msg(&Msg::Resume(Ok(ready(doc))));
    assert_eq!(
        state
            .current_field()
            .map(|f| path_string(&f.path))
            .as_deref(),
        Some("skills[1].name")
    );
    assert_eq!(
        state.current_field().and_then(|f| f.value.as_deref()),
        Some("Rust")
    );
}

#[test]
fn a_resume_that_is_not_ready_shows_its_status_and_reason() {
    let mut failed = resume("r1", "scan.pdf", Status::Failed, None);
    failed.reason =
        Some("no text found in the PDF (is it a scanned image? Vitae does not OCR)".into());
    failed.document = Some(None);
    let mut state = ReviewState::new("r1", "scan.pdf");
    insta::assert_snapshot!("review_loading", draw(&mut state, 100, 8));
    state.on_msg(&Msg::Resume(Ok(failed)));
    assert!(matches!(state.handle_key(&ch('e')), Effect::Info(_)));
    insta::assert_snapshot!("review_not_ready", draw(&mut state, 100, 12));
}

#[test]
fn mouse_scroll_moves_the_focused_selection() {
    let mut state = state();
    let scroll = |kind| MouseEvent {
        kind,
        column: 0,
        row: 0,
        modifiers: KeyModifiers::NONE,
    };
    state.handle_mouse(&scroll(MouseEventKind::ScrollDown));
    assert_eq!(state.section.index, 1);
    state.handle_key(&key(KeyCode::Tab));
    state.handle_mouse(&scroll(MouseEventKind::ScrollDown));
    assert_eq!((state.section.index, state.field.index), (1, 1));
}

#[test]
fn fields_follow_the_schema_and_unknown_members_come_last() {
    let doc = json!({
        "education": [{"institution": "Uni", "url": "https://uni.example", "courses": ["Compilers"], "x-note": "kept"}],
        "projects": [{"description": "no name"}],
        "skills": [{"name": "Rust"}]
    });
    let state = ReviewState::from_resume(ready(doc));
    let keys: Vec<&str> = state.sections.iter().map(|s| s.key).collect();
    assert_eq!(keys, ["basics", "education", "projects", "skills"]);
    let labels: Vec<&str> = state.sections[1]
        .fields
        .iter()
        .map(|f| f.label.as_str())
        .collect();
    assert_eq!(
        labels,
        [
            "institution",
            "url",
            "area",
            "studyType",
            "startDate",
            "endDate",
            "score",
            "courses[0]",
            "x-note"
        ]
    );
    let project = &state.sections[2].fields;
    assert!(project[0].missing && project[0].label == "name");
    assert_eq!(project[0].header.as_deref(), Some("projects[0]"));
}
