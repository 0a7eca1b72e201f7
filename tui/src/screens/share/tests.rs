//! The share screen's states drawn on a TestBackend (wide and narrow), and
//! what its keys and messages do: the list, the new-link form, the view
//! history, revoking.

use super::*;
use crate::app::msg::NewShare;
use crate::client::ClientError;
use crate::screens::testing::{ch, draw, key};

fn share(token: &str, created: &str, expires: &str, revoked: bool, count: u64) -> ShareResource {
    ShareResource {
        token: token.into(),
        url: format!("http://127.0.0.1:7878/s/{token}"),
        resume_id: "r1".into(),
        created_at: created.into(),
        expires_at: expires.into(),
        revoked,
        access_count: count,
        last_accessed_at: (count > 0).then(|| "2026-11-24T08:15:00Z".to_string()),
        template: "classic".into(),
        options: Default::default(),
        label: None,
        shows: "live".into(),
        pinned_revision: None,
        hide: vec![],
        allow_download: true,
        has_password: false,
    }
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn state() -> ShareState {
    let mut state = ShareState::new("r1", "zoe.pdf");
    state.now = Some(now());
    state
}

fn loaded() -> ShareState {
    let mut state = state();
    state.on_msg(&Msg::Shares {
        id: "r1".into(),
        result: Ok(vec![
            share(
                "k9QzT1vBfXw2LmNc",
                "2026-10-01T09:00:00Z",
                "2026-10-31T09:00:00Z",
                false,
                12,
            ),
            ShareResource {
                label: Some("Acme Corp, backend role".into()),
                shows: "pinned".into(),
                pinned_revision: Some(4),
                has_password: true,
                ..share(
                    "Hh7Yp0aZrT5uE3dS",
                    "2026-11-20T10:00:00Z",
                    "2026-12-20T10:00:00Z",
                    false,
                    3,
                )
            },
            share(
                "Mm2Wq8cVbN4xK6jL",
                "2026-11-01T10:00:00Z",
                "2027-01-01T10:00:00Z",
                true,
                0,
            ),
        ]),
    });
    state
}

#[test]
fn share_list_with_active_expired_and_revoked_links() {
    let mut state = loaded();
    // Newest first.
    assert_eq!(
        state.selected().map(|s| s.token.as_str()),
        Some("Hh7Yp0aZrT5uE3dS")
    );
    insta::assert_snapshot!(draw(&mut state, 100, 12));
}

#[test]
fn share_list_on_a_narrow_terminal_keeps_the_label() {
    let mut state = loaded();
    insta::assert_snapshot!(draw(&mut state, 80, 8));
}

#[test]
fn empty_share_list_says_how_to_create_one() {
    let mut state = state();
    insta::assert_snapshot!("share_loading", draw(&mut state, 80, 6));
    state.on_msg(&Msg::Shares {
        id: "r1".into(),
        result: Ok(vec![]),
    });
    insta::assert_snapshot!("share_empty", draw(&mut state, 80, 8));
    assert!(matches!(state.handle_key(&ch('y')), Effect::Info(_)));
}

/// Type `text` into the focused field.
fn type_in(state: &mut ShareState, text: &str) {
    for c in text.chars() {
        state.handle_key(&ch(c));
    }
}

fn tab(state: &mut ShareState) {
    state.handle_key(&key(KeyCode::Tab));
}

#[test]
fn new_link_form_takes_digits_and_creates_with_the_defaults() {
    let mut state = loaded();
    state.handle_key(&ch('n'));
    assert!(state.is_typing());
    insta::assert_snapshot!("share_new_link_prompt", draw(&mut state, 80, 20));
    state.handle_key(&KeyEvent::new(
        KeyCode::Char('u'),
        crossterm::event::KeyModifiers::CONTROL,
    ));
    state.handle_key(&ch('x'));
    state.handle_key(&ch('7'));
    assert_eq!(
        state.prompt.as_ref().map(|p| p.days.text.as_str()),
        Some("7"),
        "digits only"
    );
    let effect = state.handle_key(&key(KeyCode::Enter));
    assert_eq!(
        effect.request(),
        Some(Request::CreateShare {
            id: "r1".into(),
            options: NewShare::days(Some(7)),
        })
    );
    assert!(state.prompt.is_none());

    // Out of range: the form stays with the reason, on the days field.
    state.handle_key(&ch('n'));
    tab(&mut state);
    state.handle_key(&key(KeyCode::BackTab));
    state.handle_key(&key(KeyCode::Backspace));
    state.handle_key(&key(KeyCode::Backspace));
    state.handle_key(&ch('0'));
    tab(&mut state);
    assert!(state.handle_key(&key(KeyCode::Enter)).request().is_none());
    let form = state.prompt.as_ref().expect("still open");
    assert!(form.error.is_some());
    assert_eq!(
        form.focus,
        form::Field::Days,
        "the focus goes to what to fix"
    );
    insta::assert_snapshot!("share_new_link_invalid", draw(&mut state, 80, 20));
    state.handle_key(&key(KeyCode::Esc));
    assert!(state.prompt.is_none());
}

#[test]
fn new_link_form_sets_label_password_pin_hidden_fields_and_downloads() {
    let mut state = loaded();
    state.handle_key(&ch('n'));
    tab(&mut state);
    // Space and q are text in the label (q does not leave the screen).
    type_in(&mut state, "Acme Corp, backend q");
    tab(&mut state);
    type_in(&mut state, "s3cret pw");
    tab(&mut state);
    state.handle_key(&ch(' ')); // pin
    tab(&mut state);
    state.handle_key(&ch(' ')); // downloads off
    tab(&mut state);
    // hide: email (first), then phone (next).
    state.handle_key(&ch(' '));
    state.handle_key(&key(KeyCode::Right));
    state.handle_key(&ch(' '));
    state.handle_key(&key(KeyCode::Right));
    insta::assert_snapshot!("share_new_link_form_filled", draw(&mut state, 100, 24));
    insta::assert_snapshot!("share_new_link_form_narrow", draw(&mut state, 60, 24));
    let screen = format!("{:?}", draw(&mut state, 100, 24));
    assert!(!screen.contains("s3cret"), "the password is never drawn");
    assert!(screen.contains("•••••••••"), "but its length is");

    let effect = state.handle_key(&key(KeyCode::Enter));
    let Some(Request::CreateShare { id, options }) = effect.request() else {
        panic!("expected a create: {effect:?}");
    };
    assert_eq!(id, "r1");
    assert_eq!(
        options,
        NewShare {
            days: Some(30),
            label: Some("Acme Corp, backend q".into()),
            password: Some("s3cret pw".into()),
            pin: true,
            hide: vec!["email".into(), "phone".into()],
            allow_download: false,
        }
    );
    let wire = options.wire();
    assert_eq!(wire.pin, Some(true));
    assert_eq!(wire.allow_download, Some(false));
    assert_eq!(
        wire.hide,
        Some(vec!["email".to_string(), "phone".to_string()])
    );
    assert!(
        !format!("{options:?}").contains("s3cret"),
        "a request's Debug hides the password"
    );
    // Defaults are left out of the body, as the CLI sends them.
    let plain = NewShare::days(None).wire();
    assert_eq!(plain, vitae_common::CreateShare::default());
}

#[test]
fn new_link_form_offers_only_names_the_server_hides_and_caps_the_label() {
    let mut state = loaded();
    state.handle_key(&ch('n'));
    let form = state.prompt.as_ref().expect("open");
    let names: Vec<&str> = form.hide.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, vitae_common::render::hideable());
    assert!(names.iter().all(|n| vitae_common::render::is_hideable(n)));
    // ←/→ stop at the ends; Tab from the last field wraps to the first.
    for _ in 0..5 {
        tab(&mut state);
    }
    state.handle_key(&key(KeyCode::Left));
    assert_eq!(state.prompt.as_ref().map(|f| f.hide_cursor), Some(0));
    for _ in 0..100 {
        state.handle_key(&key(KeyCode::Right));
    }
    assert_eq!(
        state.prompt.as_ref().map(|f| f.hide_cursor),
        Some(names.len() - 1)
    );
    tab(&mut state);
    assert_eq!(
        state.prompt.as_ref().map(|f| f.focus),
        Some(form::Field::Days)
    );
    // A pasted label stops at the server's 200 characters.
    tab(&mut state);
    state.handle_paste(&"x".repeat(300));
    type_in(&mut state, "y");
    assert_eq!(
        state.prompt.as_ref().map(|f| f.label.text.chars().count()),
        Some(form::MAX_LABEL)
    );
}

#[test]
fn days_are_checked() {
    use form::parse_days;
    assert_eq!(parse_days("30"), Ok(30));
    assert_eq!(parse_days("3650"), Ok(3650));
    assert!(parse_days("0").is_err());
    assert!(parse_days("3651").is_err());
    assert!(parse_days("").is_err());
    assert!(parse_days("99999999999999").is_err());
}

fn detail() -> vitae_common::ShareDetail {
    let day = |day: &str, forms: &[(&str, u64)]| vitae_common::ShareDayViews {
        day: day.into(),
        total: forms.iter().map(|(_, n)| n).sum(),
        formats: forms.iter().map(|(f, n)| (f.to_string(), *n)).collect(),
    };
    let mut share = loaded().selected().cloned().expect("a link");
    share.hide = vec!["phone".into(), "location".into()];
    share.allow_download = false;
    vitae_common::ShareDetail {
        share,
        views: vec![
            day("2026-11-21", &[("html", 1)]),
            day("2026-11-23", &[("html", 5), ("pdf", 2), ("json", 1)]),
            day("2026-11-24", &[("html", 2), ("md", 1)]),
        ],
    }
}

#[test]
fn view_history_of_the_selected_link_loads_and_shows_days_newest_first() {
    let mut state = loaded();
    let effect = state.handle_key(&ch('v'));
    assert_eq!(
        effect.request(),
        Some(Request::LoadShareViews("Hh7Yp0aZrT5uE3dS".into()))
    );
    insta::assert_snapshot!("share_history_loading", draw(&mut state, 100, 16));
    // Another link's history is not this one's.
    state.on_msg(&Msg::ShareViews {
        token: "other".into(),
        result: Ok(detail()),
    });
    assert!(state.history.as_ref().is_some_and(|h| h.detail.is_none()));
    state.on_msg(&Msg::ShareViews {
        token: "Hh7Yp0aZrT5uE3dS".into(),
        result: Ok(detail()),
    });
    insta::assert_snapshot!("share_history_wide", draw(&mut state, 100, 16));
    insta::assert_snapshot!("share_history_narrow", draw(&mut state, 60, 16));
    // Keys belong to the history while it is open: q closes it, not the screen.
    assert!(matches!(state.handle_key(&ch('j')), Effect::None));
    assert_eq!(state.history.as_ref().map(|h| h.scroll), Some(1));
    assert_eq!(
        state.handle_key(&ch('R')).request(),
        Some(Request::LoadShareViews("Hh7Yp0aZrT5uE3dS".into()))
    );
    assert!(matches!(state.handle_key(&ch('q')), Effect::None));
    assert!(state.history.is_none());
    assert!(matches!(state.handle_key(&ch('q')), Effect::Back));
}

#[test]
fn view_history_errors_say_how_to_retry_and_an_empty_history_says_so() {
    let mut state = loaded();
    state.handle_key(&key(KeyCode::Enter));
    state.on_msg(&Msg::ShareViews {
        token: "Hh7Yp0aZrT5uE3dS".into(),
        result: Err(ClientError::Local("offline".into())),
    });
    insta::assert_snapshot!("share_history_error", draw(&mut state, 80, 10));
    state.handle_key(&ch('R'));
    state.on_msg(&Msg::ShareViews {
        token: "Hh7Yp0aZrT5uE3dS".into(),
        result: Ok(vitae_common::ShareDetail {
            views: vec![],
            ..detail()
        }),
    });
    insta::assert_snapshot!("share_history_empty", draw(&mut state, 80, 10));
    state.handle_key(&key(KeyCode::Esc));
    // No link: nothing to show the history of.
    let mut empty = state_empty();
    assert!(matches!(empty.handle_key(&ch('v')), Effect::Info(_)));
}

fn state_empty() -> ShareState {
    let mut state = state();
    state.on_msg(&Msg::Shares {
        id: "r1".into(),
        result: Ok(vec![]),
    });
    state
}

#[test]
fn a_created_link_is_selected_and_announced() {
    let mut state = loaded();
    state.handle_key(&ch('n'));
    state.handle_key(&key(KeyCode::Enter));
    let created = share(
        "Nn1Bb2Cc3Dd4Ee5F",
        "2026-11-25T12:00:00Z",
        "2026-12-25T12:00:00Z",
        false,
        0,
    );
    let effect = state.on_msg(&Msg::ShareCreated(Ok(created)));
    let Effect::Many(effects) = &effect else {
        panic!("expected effects");
    };
    assert!(
        matches!(&effects[0], Effect::Info(m) if m == "created http://127.0.0.1:7878/s/Nn1Bb2Cc3Dd4Ee5F — y copies it")
    );
    assert_eq!(effect.request(), Some(Request::LoadShares("r1".into())));
    assert_eq!(
        state.selected().map(|s| s.token.as_str()),
        Some("Nn1Bb2Cc3Dd4Ee5F")
    );
    assert!(
        matches!(state.handle_key(&ch('y')), Effect::Copy(ref url) if url.ends_with("/s/Nn1Bb2Cc3Dd4Ee5F"))
    );
    // Errors of creates this screen did not ask for are not its own.
    assert!(matches!(
        state.on_msg(&Msg::ShareCreated(Err(ClientError::Local("x".into())))),
        Effect::None
    ));
}

#[test]
fn revoke_asks_first_and_needs_y() {
    let mut state = loaded();
    assert!(matches!(state.handle_key(&ch('x')), Effect::None));
    insta::assert_snapshot!("share_revoke_confirmation", draw(&mut state, 100, 12));
    assert!(
        matches!(state.handle_key(&ch('n')), Effect::Info(_)),
        "anything else keeps it"
    );
    assert!(state.confirm.is_none());
    state.handle_key(&key(KeyCode::Delete));
    let effect = state.handle_key(&ch('y'));
    assert_eq!(
        effect.request(),
        Some(Request::Revoke {
            id: "r1".into(),
            token: "Hh7Yp0aZrT5uE3dS".into()
        })
    );
    let mut revoked = share(
        "Hh7Yp0aZrT5uE3dS",
        "2026-11-20T10:00:00Z",
        "2026-12-20T10:00:00Z",
        true,
        3,
    );
    revoked.resume_id = "r1".into();
    assert!(matches!(
        state.on_msg(&Msg::Revoked(Ok(revoked))),
        Effect::Info(_)
    ));
    assert_eq!(state.selected().map(|s| s.revoked), Some(true));
    assert!(
        matches!(state.handle_key(&ch('x')), Effect::Info(_)),
        "already revoked"
    );
    assert!(
        matches!(state.handle_key(&ch('y')), Effect::Info(_)),
        "a revoked link is not copied"
    );
}

#[test]
fn load_errors_are_shown_and_other_resumes_ignored() {
    let mut state = state();
    state.on_msg(&Msg::Shares {
        id: "other".into(),
        result: Ok(vec![share("a", "b", "c", false, 0)]),
    });
    assert!(state.shares.is_none());
    let effect = state.on_msg(&Msg::Shares {
        id: "r1".into(),
        result: Err(ClientError::Local("offline".into())),
    });
    assert!(matches!(effect, Effect::Error(_)));
    assert_eq!(
        state.handle_key(&ch('R')).request(),
        Some(Request::LoadShares("r1".into()))
    );
    assert!(matches!(state.handle_key(&ch('q')), Effect::Back));
}
