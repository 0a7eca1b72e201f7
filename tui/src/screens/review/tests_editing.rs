//! Tests of the review screen's structural editing: snapshots of each new
//! state (an added entry being edited, the delete confirmation, a moved
//! entry, an invalid date, the add-section picker, an undo), and the one
//! merge patch a draft is saved as (whole lists for the lists that
//! changed, nothing for the rest).

use serde_json::json;
use vitae_common::schema;

use super::document::path_string;
use super::patch::diff;
use super::structure::{entry_of, item_of, Slot};
use super::tests::{api_error, clear_input, document, ready, select, state, type_text};
use super::*;
use crate::screens::testing::{ch, draw, key};

fn selected(state: &ReviewState) -> Option<String> {
    state.current_field().map(|f| path_string(&f.path))
}

fn save(state: &mut ReviewState) -> Value {
    match state.handle_key(&ch('w')).request() {
        Some(Request::Patch {
            id,
            patch,
            revision,
        }) => {
            assert_eq!(
                (id.as_str(), revision),
                ("r1", 3),
                "If-Match is the revision we have"
            );
            patch
        }
        other => panic!("expected a patch, got {other:?}"),
    }
}

#[test]
fn an_added_entry_opens_its_first_field_for_editing() {
    let mut state = state();
    select(&mut state, "work[0].position");
    assert!(matches!(state.handle_key(&ch('a')), Effect::None));
    assert_eq!(selected(&state).as_deref(), Some("work[1].name"));
    assert!(state.edit.as_ref().is_some_and(|e| e.added));
    assert!(state.is_typing());
    type_text(&mut state, "Initech");
    insta::assert_snapshot!(draw(&mut state, 100, 30));
    // Enter adds it to the draft: nothing is sent yet.
    let effect = state.handle_key(&key(KeyCode::Enter));
    assert!(effect.request().is_none());
    assert!(state.edit.is_none());
    assert_eq!(state.doc["work"][1], json!({"name": "Initech"}));
    assert_eq!(state.doc["work"][2]["name"], "Globex");
    assert_eq!(
        state.undo.len(),
        1,
        "the addition and its name are one change"
    );
}

#[test]
fn cancelling_or_emptying_an_addition_takes_it_back() {
    let mut state = state();
    select(&mut state, "work[0].highlights[1]");
    state.handle_key(&ch('A'));
    assert_eq!(selected(&state).as_deref(), Some("work[0].highlights[1]"));
    assert_eq!(state.doc["work"][0]["highlights"][1], "");
    state.handle_key(&key(KeyCode::Esc));
    assert_eq!(state.doc, document());
    assert!(!state.pending());

    state.handle_key(&ch('i'));
    assert_eq!(selected(&state).as_deref(), Some("work[0].highlights[2]"));
    state.handle_key(&key(KeyCode::Enter));
    assert_eq!(state.doc, document());
    assert!(!state.pending() && state.edit.is_none());
}

#[test]
fn a_delete_asks_first() {
    let mut state = state();
    select(&mut state, "work[1].startDate");
    state.handle_key(&ch('D'));
    assert!(state.confirm.is_some());
    assert!(state.doc == document(), "nothing deleted before the answer");
    insta::assert_snapshot!(draw(&mut state, 100, 30));
    // n keeps it.
    state.handle_key(&ch('n'));
    assert!(state.confirm.is_none() && !state.pending());
    // Delete (the key) and y delete it.
    state.handle_key(&key(KeyCode::Delete));
    assert!(matches!(state.handle_key(&ch('y')), Effect::Info(ref m) if m.contains("Globex")));
    assert_eq!(state.doc["work"].as_array().map(Vec::len), Some(1));
    assert_eq!(selected(&state).as_deref(), Some("work[0].name"));
    let patch = save(&mut state);
    assert_eq!(patch, json!({"work": [document()["work"][0]]}));
}

#[test]
fn deleting_a_list_item_and_the_last_entry_of_a_section() {
    let mut state = state();
    select(&mut state, "skills[0].keywords[0]");
    state.handle_key(&ch('D'));
    state.handle_key(&key(KeyCode::Enter));
    assert_eq!(state.doc["skills"][0]["keywords"], json!(["serde"]));
    assert_eq!(selected(&state).as_deref(), Some("skills[0].keywords[0]"));
    select(&mut state, "languages[0].fluency");
    state.handle_key(&ch('D'));
    state.handle_key(&ch('y'));
    assert!(
        !state.sections.iter().any(|s| s.key == "languages"),
        "an emptied section leaves the list"
    );
    assert_eq!(state.focus, Pane::Sections);
    let patch = save(&mut state);
    let mut skills = document()["skills"].clone();
    skills[0]["keywords"] = json!(["serde"]);
    assert_eq!(patch, json!({"skills": skills, "languages": []}));
}

#[test]
fn a_moved_entry_keeps_the_selection_on_it() {
    let mut state = state();
    select(&mut state, "work[1].position");
    state.handle_key(&ch('K'));
    assert_eq!(selected(&state).as_deref(), Some("work[0].position"));
    assert_eq!(state.doc["work"][0]["name"], "Globex");
    insta::assert_snapshot!(draw(&mut state, 100, 30));
    assert!(matches!(state.handle_key(&ch('K')), Effect::Info(ref m) if m == "already the first"));
    // Alt-↓ moves it back down.
    state.handle_key(&KeyEvent::new(KeyCode::Down, KeyModifiers::ALT));
    assert_eq!(selected(&state).as_deref(), Some("work[1].position"));
    assert_eq!(state.doc, document());
    assert_eq!(state.undo.len(), 2);
    assert!(
        matches!(state.handle_key(&ch('w')), Effect::Info(ref m) if m.starts_with("no change"))
    );
    assert!(!state.pending());
}

#[test]
fn doubts_stay_on_their_field_while_the_draft_moves_it() {
    let mut r = ready(document());
    r.confidence.insert("work[1].startDate".into(), 0.42);
    let mut state = ReviewState::from_resume(r);
    let doubtful = |state: &ReviewState| -> Vec<String> {
        state
            .sections
            .iter()
            .flat_map(|s| &s.fields)
            .filter(|f| f.doubtful())
            .map(|f| path_string(&f.path))
            .collect()
    };
    assert_eq!(doubtful(&state), ["work[1].startDate"]);
    select(&mut state, "work[1].position");
    state.handle_key(&ch('K'));
    assert_eq!(
        doubtful(&state),
        ["work[0].startDate"],
        "the mark moved with its job"
    );
    // Correcting the date is looking at it: the mark goes.
    select(&mut state, "work[0].startDate");
    state.handle_key(&key(KeyCode::Enter));
    clear_input(&mut state);
    type_text(&mut state, "2020-01");
    state.handle_key(&key(KeyCode::Enter));
    assert!(doubtful(&state).is_empty());
    state.handle_key(&ch('u'));
    assert_eq!(doubtful(&state), ["work[0].startDate"]);
}

#[test]
fn an_invalid_end_date_in_a_new_entry_says_what_to_write() {
    let mut state = state();
    select(&mut state, "work[0].name");
    state.handle_key(&ch('a'));
    type_text(&mut state, "Initech");
    state.handle_key(&key(KeyCode::Enter));
    select(&mut state, "work[1].endDate");
    state.handle_key(&key(KeyCode::Enter));
    type_text(&mut state, "2021/03");
    assert!(state.handle_key(&key(KeyCode::Enter)).request().is_none());
    let error = state.edit.as_ref().and_then(|e| e.error.clone());
    assert!(error.is_some_and(|e| e.contains("empty for “present”")));
    insta::assert_snapshot!(draw(&mut state, 100, 30));
    // A valid one joins the draft; an empty one means "present".
    for _ in 0..7 {
        state.handle_key(&key(KeyCode::Backspace));
    }
    type_text(&mut state, "2021-03");
    state.handle_key(&key(KeyCode::Enter));
    assert_eq!(state.doc["work"][1]["endDate"], "2021-03");
    assert_eq!(state.undo.len(), 2);
}

#[test]
fn the_add_section_picker_lists_what_the_resume_lacks() {
    let mut state = state();
    state.handle_key(&ch('+'));
    let picker = state.picker.as_ref().expect("a picker");
    let keys: Vec<&str> = picker.options.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "projects",
            "volunteer",
            "awards",
            "certificates",
            "publications",
            "interests",
            "references"
        ]
    );
    insta::assert_snapshot!(draw(&mut state, 100, 30));
    for _ in 0..3 {
        state.handle_key(&ch('j'));
    }
    state.handle_key(&key(KeyCode::Enter));
    assert!(state.picker.is_none());
    assert_eq!(selected(&state).as_deref(), Some("certificates[0].name"));
    type_text(&mut state, "CKA");
    state.handle_key(&key(KeyCode::Enter));
    let patch = save(&mut state);
    assert_eq!(patch, json!({"certificates": [{"name": "CKA"}]}));
}

#[test]
fn profiles_can_be_added_when_basics_has_none() {
    let mut doc = document();
    if let Some(basics) = doc["basics"].as_object_mut() {
        basics.remove("profiles");
    }
    let mut state = ReviewState::from_resume(ready(doc));
    state.handle_key(&ch('+'));
    state.handle_key(&ch('G'));
    let picker = state.picker.as_mut().expect("a picker");
    picker.cursor.index = picker.options.len() - 1;
    state.handle_key(&key(KeyCode::Enter));
    assert_eq!(
        selected(&state).as_deref(),
        Some("basics.profiles[0].network")
    );
    type_text(&mut state, "GitLab");
    state.handle_key(&key(KeyCode::Enter));
    let patch = save(&mut state);
    assert_eq!(
        patch,
        json!({"basics": {"profiles": [{"network": "GitLab"}]}})
    );
}

#[test]
fn undo_restores_each_previous_draft() {
    let mut state = state();
    select(&mut state, "work[0].highlights[1]");
    state.handle_key(&ch('K'));
    state.handle_key(&ch('D'));
    state.handle_key(&ch('y'));
    select(&mut state, "work[1].position");
    state.handle_key(&key(KeyCode::Enter));
    type_text(&mut state, " II");
    state.handle_key(&key(KeyCode::Enter));
    assert_eq!(state.undo.len(), 3);
    assert!(matches!(state.handle_key(&ch('u')), Effect::Info(ref m) if m.contains("2 unsaved")));
    assert_eq!(state.doc["work"][1]["position"], "Engineer");
    state.handle_key(&ch('u'));
    assert_eq!(
        state.doc["work"][0]["highlights"],
        json!([
            "Led the move to Kubernetes",
            "Cut deploy time from 40 to 6 minutes"
        ])
    );
    insta::assert_snapshot!(draw(&mut state, 100, 30));
    state.handle_key(&ch('u'));
    assert_eq!(state.doc, document());
    assert!(
        matches!(state.handle_key(&ch('u')), Effect::Info(ref m) if m.starts_with("nothing to undo"))
    );
}

#[test]
fn a_job_with_two_bullets_is_saved_as_one_patch() {
    let mut state = state();
    select(&mut state, "work[1].name");
    state.handle_key(&ch('a'));
    type_text(&mut state, "Initech");
    state.handle_key(&key(KeyCode::Enter));
    select(&mut state, "work[2].position");
    state.handle_key(&key(KeyCode::Enter));
    type_text(&mut state, "Staff Engineer");
    state.handle_key(&key(KeyCode::Enter));
    state.handle_key(&ch('i'));
    type_text(&mut state, "Shipped the TPS report service");
    state.handle_key(&key(KeyCode::Enter));
    state.handle_key(&ch('i'));
    type_text(&mut state, "Cut costs by half");
    state.handle_key(&key(KeyCode::Enter));
    assert_eq!(selected(&state).as_deref(), Some("work[2].highlights[1]"));
    // The second bullet first, then the job above Globex.
    state.handle_key(&ch('K'));
    assert_eq!(selected(&state).as_deref(), Some("work[2].highlights[0]"));
    // On a list item K moves the item; on another field, the entry.
    assert!(matches!(state.handle_key(&ch('K')), Effect::Info(ref m) if m == "already the first"));
    select(&mut state, "work[2].name");
    state.handle_key(&ch('K'));
    assert_eq!(selected(&state).as_deref(), Some("work[1].name"));
    let patch = save(&mut state);
    let job = json!({
        "name": "Initech",
        "position": "Staff Engineer",
        "highlights": ["Cut costs by half", "Shipped the TPS report service"]
    });
    let work = document()["work"].clone();
    assert_eq!(patch, json!({"work": [work[0], job, work[1]]}));
    assert!(state.saving);
    // Saved: the draft is the new revision, nothing pending.
    let mut doc = document();
    doc["work"] = patch["work"].clone();
    let mut saved = ready(doc);
    saved.revision = 4;
    let effect = state.on_msg(&Msg::Patched(Ok(saved)));
    assert!(matches!(effect, Effect::Info(ref m) if m == "saved: revision 4"));
    assert!(!state.pending() && !state.saving);
}

#[test]
fn a_field_edit_alone_still_saves_at_once() {
    let mut state = state();
    select(&mut state, "basics.label");
    state.handle_key(&key(KeyCode::Enter));
    type_text(&mut state, "!");
    assert!(matches!(
        state.handle_key(&key(KeyCode::Enter)).request(),
        Some(Request::Patch { .. })
    ));
    assert!(!state.pending());
}

#[test]
fn a_conflict_keeps_the_draft_and_leaving_asks_first() {
    let mut state = state();
    select(&mut state, "work[1].name");
    state.handle_key(&ch('J'));
    assert!(matches!(state.handle_key(&ch('J')), Effect::Info(ref m) if m == "already the last"));
    state.handle_key(&ch('K'));
    save(&mut state);
    state.on_msg(&Msg::Patched(Err(api_error(412))));
    assert_eq!(state.conflict, Some(3));
    let popup = draw(&mut state, 100, 30).to_string();
    assert!(popup.contains("your change discarded"), "{popup}");
    state.handle_key(&key(KeyCode::Esc));
    assert!(state.pending(), "Esc keeps the draft");
    // A change made elsewhere does not reload over the draft, nor does
    // another screen's copy of the resume replace it.
    let change = vitae_common::ChangeEvent {
        resume_id: "r1".into(),
        kind: "resume.updated".into(),
        status: Some(vitae_common::Status::Ready),
        share_token: None,
        at: "2026-11-23T10:06:00Z".into(),
    };
    let effect = state.on_msg(&Msg::Account(crate::stream::AccountUpdate::Change(change)));
    assert!(effect.request().is_none());
    state.on_msg(&Msg::Resume(Ok(ready(document()))));
    assert!(state.pending());
    // q and R ask once before discarding it.
    assert!(matches!(state.handle_key(&ch('q')), Effect::Info(ref m) if m.contains("q again")));
    assert!(matches!(state.handle_key(&ch('q')), Effect::Back));
    assert!(matches!(state.handle_key(&ch('R')), Effect::Info(ref m) if m.contains("R again")));
    state.handle_key(&ch('j'));
    assert!(
        matches!(state.handle_key(&ch('R')), Effect::Info(_)),
        "another key disarms"
    );
    assert_eq!(
        state.handle_key(&ch('R')).request(),
        Some(Request::LoadResume("r1".into()))
    );
}

#[test]
fn a_restore_over_unsaved_changes_asks_first() {
    let mut state = state();
    select(&mut state, "work[1].name");
    state.handle_key(&ch('K'));
    state.handle_key(&ch('v'));
    state.on_msg(&Msg::Revisions {
        id: "r1".into(),
        result: Ok(super::tests::revisions()),
    });
    state.handle_key(&ch('j'));
    assert!(
        matches!(state.handle_key(&ch('r')), Effect::Info(ref m) if m.contains("discards them")),
        "the first r only warns"
    );
    state.handle_key(&ch('k'));
    state.handle_key(&ch('j'));
    assert!(
        state.handle_key(&ch('r')).request().is_none(),
        "another key disarms"
    );
    assert_eq!(
        state.handle_key(&ch('r')).request(),
        Some(Request::Restore {
            id: "r1".into(),
            revision: 2
        })
    );
}

#[test]
fn rows_know_their_entry_and_list_item() {
    let slot = |list: &[Seg], index| Slot {
        list: list.to_vec(),
        index,
    };
    let work = [Seg::Key("work".into())];
    let path = [
        Seg::Key("work".into()),
        Seg::Index(2),
        Seg::Key("highlights".into()),
        Seg::Index(1),
    ];
    assert_eq!(entry_of(&path), Some(slot(&work, 2)));
    assert_eq!(item_of(&path), Some(slot(&path[..3], 1)));
    assert_eq!(item_of(&path[..2]), None, "an entry is not an item");
    assert_eq!(entry_of(&path[..1]), None);
    let profile = [
        Seg::Key("basics".into()),
        Seg::Key("profiles".into()),
        Seg::Index(0),
        Seg::Key("url".into()),
    ];
    assert_eq!(entry_of(&profile), Some(slot(&profile[..2], 0)));
    assert_eq!(item_of(&profile), None);
    assert!(schema::section("certificates").is_some());
}

#[test]
fn the_merge_patch_of_a_draft_sends_changed_lists_whole_and_nothing_else() {
    let before = document();
    assert_eq!(diff(&before, &before), None);
    // A reorder: the whole list, and no other member.
    let mut after = before.clone();
    after["skills"] = json!([before["skills"][1], before["skills"][0]]);
    assert_eq!(
        diff(&before, &after),
        Some(json!({"skills": [before["skills"][1], before["skills"][0]]}))
    );
    // An addition deep in basics: objects nest, the profiles list goes whole.
    let mut after = before.clone();
    after["basics"]["profiles"] = json!([before["basics"]["profiles"][0], {"network": "GitLab"}]);
    after["basics"]["label"] = json!("Staff Engineer");
    assert_eq!(
        diff(&before, &after),
        Some(json!({"basics": {
            "label": "Staff Engineer",
            "profiles": [before["basics"]["profiles"][0], {"network": "GitLab"}]
        }}))
    );
    // A member gone is null; a new section comes whole.
    let mut after = before.clone();
    after["basics"]["location"] = json!({"countryCode": "FR"});
    after["awards"] = json!([{"title": "Best talk"}]);
    assert_eq!(
        diff(&before, &after),
        Some(json!({"basics": {"location": {"city": null}}, "awards": [{"title": "Best talk"}]}))
    );
}
