//! Tests of the Export screen: snapshots of its states (templates, options
//! changed, progress, saved, failed, a half-block preview), and its option
//! keys, path defaults and the messages of an export run.

use super::*;
use crate::client::ClientError;
use crate::graphics::tests::page_png;
use crate::screens::library::tests::resume;
use crate::screens::testing::{ch, draw, key};
use vitae_common::export::{ExportJob, ExportStage, ExportStatus, TemplateOptions};
use vitae_common::ResumeResource;

fn template(id: &str, name: &str, description: &str, one_page: bool) -> TemplateResource {
    TemplateResource {
        id: id.into(),
        name: name.into(),
        description: description.into(),
        formats: vec![ExportFormat::Pdf, ExportFormat::Docx, ExportFormat::Png],
        version: 1,
        options: TemplateOptions {
            paper: vec![Paper::A4, Paper::Letter],
            font_size: 10.5,
            font_size_min: 8.0,
            font_size_max: 12.0,
            accent: "#1f4e79".into(),
            sections: vec!["summary".into(), "work".into()],
            one_page,
        },
        preview_url: format!("/v1/templates/{id}/preview.png"),
    }
}

fn templates() -> Vec<TemplateResource> {
    vec![
        template(
            "classic",
            "Classic",
            "One column, serif, centred name, accent rules under titles",
            false,
        ),
        template(
            "modern",
            "Modern",
            "Name band across the top and a tinted sidebar for skills",
            false,
        ),
        template(
            "compact",
            "Compact",
            "Dense sans-serif, always fits one page",
            true,
        ),
    ]
}

fn ready_resume() -> ResumeResource {
    let mut r = resume("r1", "zoe.pdf", Status::Ready, None);
    r.document = Some(Some(
        serde_json::from_value(serde_json::json!({"basics": {"name": "Zoë Lindqvist"}})).unwrap(),
    ));
    r
}

/// The screen with its templates and resume loaded, and the request that
/// the load made (the first preview).
fn loaded() -> (ExportState, Effect) {
    let (mut state, first) = ExportState::open("r1", "zoe.pdf");
    assert_eq!(first, Request::ExportSetup("r1".into()));
    let effect = state.on_msg(&Msg::ExportSetup {
        id: "r1".into(),
        templates: Ok(templates()),
        resume: Ok(ready_resume()),
    });
    (state, effect)
}

fn job() -> ExportJob {
    ExportJob {
        id: "e1".into(),
        resume_id: "r1".into(),
        revision: 3,
        status: ExportStatus::Queued,
        format: ExportFormat::Pdf,
        template: "classic".into(),
        events_url: "/v1/exports/e1/events".into(),
        download_url: "/v1/exports/e1/file".into(),
        created_at: "2026-11-25T12:00:00Z".into(),
        reason: None,
        bytes: None,
        pages: None,
        cached: None,
        warnings: vec![],
    }
}

fn run(state: &mut ExportState, event: ExportEvent) -> Effect {
    state.on_msg(&Msg::ExportRun {
        id: "r1".into(),
        event,
    })
}

#[test]
fn export_template_list() {
    let (mut state, effect) = loaded();
    // Loading asks for the preview of the first template.
    match effect.request() {
        Some(Request::ExportPreview {
            id,
            request,
            ticket,
            ..
        }) => {
            assert_eq!((id.as_str(), ticket), ("r1", 1));
            assert_eq!(request.template, "classic");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(state.path.text, "./Zoë Lindqvist - classic.pdf");
    insta::assert_snapshot!(draw(&mut state, 110, 24));
}

#[test]
fn export_loading_and_load_error() {
    let (mut state, _) = ExportState::open("r1", "zoe.pdf");
    insta::assert_snapshot!("export_loading", draw(&mut state, 70, 18));
    let effect = state.on_msg(&Msg::ExportSetup {
        id: "r1".into(),
        templates: Err(ClientError::Local("connection refused".into())),
        resume: Ok(ready_resume()),
    });
    assert!(matches!(effect, Effect::Error(_)));
    insta::assert_snapshot!("export_load_error", draw(&mut state, 70, 18));
    assert_eq!(
        state.handle_key(&ch('R')).request(),
        Some(Request::ExportSetup("r1".into()))
    );
}

#[test]
fn export_options_changed() {
    let (mut state, _) = loaded();
    state.handle_key(&ch('j'));
    assert_eq!(state.path.text, "./Zoë Lindqvist - modern.pdf");
    state.handle_key(&ch('f'));
    assert_eq!(state.choices.format, ExportFormat::Docx);
    assert_eq!(state.path.text, "./Zoë Lindqvist - modern.docx");
    state.handle_key(&ch('p'));
    state.handle_key(&ch('o'));
    state.handle_key(&ch('+'));
    state.handle_key(&ch('a'));
    let request = state.request().unwrap();
    assert_eq!(request.format, ExportFormat::Docx);
    assert_eq!(request.template, "modern");
    assert_eq!(request.options.paper, Paper::Letter);
    assert!(request.options.fit_one_page);
    assert_eq!(request.options.font_size, Some(11.0));
    assert_eq!(request.options.accent, Some(ACCENTS[0].1));
    insta::assert_snapshot!(draw(&mut state, 110, 24));
}

#[test]
fn option_keys_change_the_request_and_the_preview() {
    let (mut state, _) = loaded();
    let ticket = |effect: Effect| match effect.request() {
        Some(Request::ExportPreview { ticket, .. }) => Some(ticket),
        _ => None,
    };
    // Each layout change asks for a newer preview…
    assert_eq!(ticket(state.handle_key(&ch('p'))), Some(2));
    assert_eq!(ticket(state.handle_key(&ch('o'))), Some(3));
    assert_eq!(ticket(state.handle_key(&ch('-'))), Some(4));
    assert_eq!(ticket(state.handle_key(&ch('j'))), Some(5));
    // …the format does not (the preview is the PDF layout either way).
    assert_eq!(ticket(state.handle_key(&ch('f'))), None);
    // Paper and fit toggle back.
    state.handle_key(&ch('p'));
    state.handle_key(&ch('o'));
    assert_eq!(state.choices.paper, Paper::A4);
    assert!(!state.choices.fit_one_page);

    // Font size: steps of 0.5 within the template's range; its own size is
    // sent as none.
    state.handle_key(&ch('0'));
    assert_eq!(state.choices.font_size, None);
    assert_eq!(state.font_size(), Some(10.5));
    state.handle_key(&ch('+'));
    assert_eq!(state.choices.font_size, Some(11.0));
    state.handle_key(&ch('-'));
    assert_eq!(state.choices.font_size, None, "back to the template's own");
    for _ in 0..10 {
        state.handle_key(&ch('-'));
    }
    assert_eq!(state.choices.font_size, Some(8.0));
    assert!(
        matches!(state.handle_key(&ch('-')), Effect::Info(_)),
        "at the edge"
    );

    // Accent: the presets in turn, then the template's own again.
    state.handle_key(&ch('0'));
    for preset in ACCENTS {
        state.handle_key(&ch('a'));
        assert_eq!(state.choices.accent, Some(preset.1));
    }
    state.handle_key(&ch('a'));
    assert_eq!(state.choices.accent, None);

    // A typed accent is checked; a bad one stays open with the reason.
    state.handle_key(&ch('A'));
    assert!(state.is_typing());
    state.handle_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    for c in "#12".chars() {
        state.handle_key(&ch(c));
    }
    assert!(state.handle_key(&key(KeyCode::Enter)).request().is_none());
    assert!(matches!(
        state.editing,
        Some(Editing::Accent { error: Some(_), .. })
    ));
    state.handle_key(&ch('3'));
    state.handle_key(&ch('4'));
    state.handle_key(&ch('5'));
    state.handle_key(&ch('6'));
    assert!(state.handle_key(&key(KeyCode::Enter)).request().is_some());
    assert_eq!(state.choices.accent, Some([0x12, 0x34, 0x56]));
    assert!(!state.is_typing());

    // A template that always fits one page says so.
    state.handle_key(&ch('G'));
    assert_eq!(state.selected().map(|t| t.id.as_str()), Some("compact"));
    assert!(matches!(state.handle_key(&ch('o')), Effect::Info(_)));
}

#[test]
fn the_path_follows_the_template_until_typed() {
    let (mut state, _) = loaded();
    state.handle_key(&ch('e'));
    assert!(state.is_typing());
    // Keys that are options elsewhere are text here.
    for c in "xq".chars() {
        state.handle_key(&ch(c));
    }
    assert_eq!(state.path.text, "./Zoë Lindqvist - classic.pdfxq");
    state.handle_key(&key(KeyCode::Esc));
    assert_eq!(
        state.path.text, "./Zoë Lindqvist - classic.pdf",
        "Esc restores"
    );
    assert!(!state.path_typed);

    state.handle_key(&ch('e'));
    state.handle_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    state.handle_paste("/tmp/out/cv.pdf");
    let effect = state.handle_key(&key(KeyCode::Enter));
    // Enter in the path exports to it.
    match effect.request() {
        Some(Request::RunExport {
            path, overwrite, ..
        }) => {
            assert_eq!(path, PathBuf::from("/tmp/out/cv.pdf"));
            assert!(!overwrite);
        }
        other => panic!("{other:?}"),
    }
    run(&mut state, ExportEvent::Failed("x".into()));
    // A typed path keeps its name; the format changes its extension.
    state.handle_key(&ch('j'));
    assert_eq!(state.path.text, "/tmp/out/cv.pdf");
    state.handle_key(&ch('f'));
    assert_eq!(state.path.text, "/tmp/out/cv.docx");
    // A directory gets the default name; ~ is the home directory.
    state.path = Input::with_text("~/exports/");
    let path = state.target_path().unwrap();
    assert!(
        path.ends_with("exports/Zoë Lindqvist - modern.docx"),
        "{path:?}"
    );
    assert!(path.is_absolute() || dirs::home_dir().is_none());
    // A name that says another format is refused before anything is sent.
    state.path = Input::with_text("cv.pdf");
    assert!(state.target_path().unwrap_err().contains("press f"));
    state.path = Input::with_text("  ");
    assert!(state.target_path().is_err());
}

#[test]
fn default_paths_use_the_name_else_the_file() {
    let (state, _) = ExportState::open("r1", "cv-2026.pdf");
    assert_eq!(state.default_path(), "./cv-2026 - classic.pdf");
    let (mut state, _) = loaded();
    assert_eq!(state.default_path(), "./Zoë Lindqvist - classic.pdf");
    state.name = Some("Ann/Lee".into());
    assert_eq!(state.default_path(), "./AnnLee - classic.pdf");
}

#[test]
fn export_progress() {
    let (mut state, _) = loaded();
    let effect = state.handle_key(&key(KeyCode::Enter));
    match effect.request() {
        Some(Request::RunExport {
            id,
            request,
            path,
            overwrite,
        }) => {
            assert_eq!(id, "r1");
            assert_eq!(request.template, "classic");
            assert_eq!(path, PathBuf::from("./Zoë Lindqvist - classic.pdf"));
            assert!(!overwrite);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(state.handle_key(&key(KeyCode::Enter)), Effect::Info(_)),
        "one export at a time"
    );
    run(&mut state, ExportEvent::Started(job()));
    run(
        &mut state,
        ExportEvent::Update(ExportUpdate::Link(Link::Live)),
    );
    run(
        &mut state,
        ExportEvent::Update(ExportUpdate::Progress(ExportProgress {
            stage: ExportStage::Render,
            page: 1,
            pages: 2,
        })),
    );
    insta::assert_snapshot!(draw(&mut state, 110, 24));
    // Leaving cancels the export.
    let Effect::Many(effects) = state.handle_key(&ch('q')) else {
        panic!("expected effects");
    };
    assert!(matches!(effects[0], Effect::Request(Request::CancelExport)));
    assert!(matches!(effects[1], Effect::Back));
    assert!(matches!(effects[2], Effect::Info(_)));
}

#[test]
fn export_done() {
    let (mut state, _) = loaded();
    state.handle_key(&key(KeyCode::Enter));
    run(&mut state, ExportEvent::Started(job()));
    let effect = run(
        &mut state,
        ExportEvent::Saved(Saved {
            path: PathBuf::from("/home/zoe/Zoë Lindqvist - classic.pdf"),
            bytes: 48213,
            pages: 2,
            cached: true,
            warnings: vec!["no font covers the Ge'ez text; it is left out".into()],
        }),
    );
    assert!(
        matches!(&effect, Effect::Info(m) if m == "Saved to /home/zoe/Zoë Lindqvist - classic.pdf (48213 bytes, 2 pages, from cache)"),
        "{effect:?}"
    );
    insta::assert_snapshot!(draw(&mut state, 110, 24));
}

#[test]
fn export_failed() {
    let (mut state, _) = loaded();
    state.handle_key(&key(KeyCode::Enter));
    run(&mut state, ExportEvent::Started(job()));
    let effect = run(
        &mut state,
        ExportEvent::Failed("exports are limited to 20 pages".into()),
    );
    assert!(matches!(effect, Effect::Error(_)));
    insta::assert_snapshot!(draw(&mut state, 110, 24));
    // Enter tries again.
    assert!(state.handle_key(&key(KeyCode::Enter)).request().is_some());
}

#[test]
fn an_existing_file_is_replaced_only_after_asking() {
    let (mut state, _) = loaded();
    state.handle_key(&key(KeyCode::Enter));
    run(
        &mut state,
        ExportEvent::Exists(PathBuf::from("./Zoë Lindqvist - classic.pdf")),
    );
    insta::assert_snapshot!("export_replace", draw(&mut state, 110, 24));
    assert!(matches!(state.handle_key(&ch('n')), Effect::Info(_)));
    assert_eq!(state.run, Run::Idle);
    state.handle_key(&key(KeyCode::Enter));
    run(
        &mut state,
        ExportEvent::Exists(PathBuf::from("./Zoë Lindqvist - classic.pdf")),
    );
    match state.handle_key(&ch('y')).request() {
        Some(Request::RunExport { overwrite, .. }) => assert!(overwrite),
        other => panic!("{other:?}"),
    }
}

#[test]
fn export_preview_in_half_blocks() {
    let (mut state, _) = loaded();
    // 300×600 px into the pane: half blocks count 10×20 px a cell, so it
    // is scaled down to 22 rows.
    let picture = Picture::from_png(&page_png(300, 600), (47, 22)).unwrap();
    // An answer to an older request is dropped.
    state.on_msg(&Msg::ExportPreview {
        id: "r1".into(),
        ticket: 0,
        result: Ok(picture.clone()),
    });
    assert!(state.preview.picture.is_none());
    state.on_msg(&Msg::ExportPreview {
        id: "r1".into(),
        ticket: 1,
        result: Ok(picture),
    });
    let backend = draw(&mut state, 110, 24);
    let text = format!("{backend}");
    assert!(text.contains('▀'), "{text}");
    insta::assert_snapshot!(backend);
    // The preview's pane is known now, and asked for at its size.
    assert_eq!(state.preview_cells, Some((47, 22)));
    match state.handle_key(&ch('p')).request() {
        Some(Request::ExportPreview { cells, .. }) => assert_eq!(cells, (47, 22)),
        other => panic!("{other:?}"),
    }
    // A failed preview says why.
    state.on_msg(&Msg::ExportPreview {
        id: "r1".into(),
        ticket: 2,
        result: Err("resume is not ready".into()),
    });
    let text = format!("{}", draw(&mut state, 110, 24));
    assert!(text.contains("No preview: resume is not ready"), "{text}");
}

#[test]
fn a_resume_that_is_not_ready_cannot_be_exported() {
    let (mut state, _) = ExportState::open("r1", "zoe.pdf");
    let effect = state.on_msg(&Msg::ExportSetup {
        id: "r1".into(),
        templates: Ok(templates()),
        resume: Ok(resume("r1", "zoe.pdf", Status::Parsing, None)),
    });
    assert!(effect.request().is_none(), "no preview");
    assert!(matches!(
        state.handle_key(&key(KeyCode::Enter)),
        Effect::Error(_)
    ));
    // Messages of other resumes are not this screen's.
    state.on_msg(&Msg::ExportRun {
        id: "other".into(),
        event: ExportEvent::Failed("x".into()),
    });
    assert_eq!(state.run, Run::Idle);
}

#[test]
fn a_narrow_terminal_leaves_the_preview_out() {
    let (mut state, _) = loaded();
    let text = format!("{}", draw(&mut state, 70, 24));
    assert!(!text.contains("Preview"), "{text}");
    assert_eq!(state.preview_cells, None);
    assert!(state.handle_key(&ch('p')).request().is_none());
}
