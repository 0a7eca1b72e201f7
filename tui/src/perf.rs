//! Frame-render scenarios for the benchmarks: the library with many resumes
//! and the diff screen of two long resumes, drawn on ratatui's `TestBackend`
//! (the same draw code as the real terminal, minus the bytes written to it).
//! Shared by `cargo bench -p vitae-tui --bench render` and `vitae-bench`'s
//! TUI phase, so both measure the same thing.

use std::time::{Duration, Instant};

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use vitae_common::{DiffResource, DiffSide, Resume, ResumeResource, Status};

use crate::app::theme::Theme;
use crate::app::{App, Effect, Msg, Route};

const SERVER: &str = "http://127.0.0.1:7878";

/// A plausible library row: mostly ready PDFs, some failed, every fifth a
/// tailored version of the one before it.
fn library_row(i: usize) -> ResumeResource {
    ResumeResource {
        id: format!("{i:08x}-0000-4000-8000-000000000000"),
        owner: "bench".into(),
        filename: format!("resume-{i:04}.pdf"),
        content_type: "application/pdf".into(),
        status: if i.is_multiple_of(17) {
            Status::Failed
        } else {
            Status::Ready
        },
        reason: None,
        warnings: vec![],
        is_master: i == 0,
        parent_id: (i % 5 == 4).then(|| format!("{:08x}-0000-4000-8000-000000000000", i - 1)),
        job_id: None,
        revision: 1 + (i % 4) as u64,
        created_at: format!("2026-11-{:02}T10:{:02}:00.000Z", 1 + i % 28, i % 60),
        updated_at: "2026-11-23T10:05:00.000Z".into(),
        confidence: Default::default(),
        size: 40_000,
        events_url: String::new(),
        document: None,
    }
}

/// The library screen holding `resumes` resumes.
pub fn library_app(resumes: usize) -> App {
    let mut app = App::new(Theme::from_env(), SERVER);
    app.on_msg(Msg::Resumes(Ok((0..resumes).map(library_row).collect())));
    app
}

/// The diff screen of `before` → `after`.
pub fn diff_app(before: &Resume, after: &Resume) -> App {
    let side = |id: &str, filename: &str| DiffSide {
        resume_id: id.into(),
        revision: 1,
        filename: filename.into(),
    };
    let mut app = App::new(Theme::from_env(), SERVER);
    app.apply(Effect::Open(Route::Diff {
        id: "b".into(),
        against: "a".into(),
        revision: None,
        title: "a → b".into(),
    }));
    app.on_msg(Msg::Diff(Ok(DiffResource {
        before: side("a", "before.json"),
        after: side("b", "after.json"),
        diff: vitae_common::diff::diff(before, after),
    })));
    app
}

/// Draw `frames` whole frames of `app` at `width`×`height`; each one's time,
/// sorted.
pub fn frame_times(app: &mut App, width: u16, height: u16, frames: usize) -> Vec<Duration> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a test backend");
    let mut times = Vec::with_capacity(frames);
    for _ in 0..frames {
        let started = Instant::now();
        // TestBackend's draw cannot fail.
        let _ = terminal.draw(|frame| app.render(frame));
        times.push(started.elapsed());
    }
    times.sort();
    times
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenarios_draw_what_they_claim() {
        let mut library = library_app(50);
        let times = frame_times(&mut library, 120, 40, 3);
        assert_eq!(times.len(), 3);
        assert!(times.windows(2).all(|w| w[0] <= w[1]));

        let document = |name: &str| -> Resume {
            serde_json::from_value(serde_json::json!({"basics": {"name": name}})).unwrap()
        };
        let (before, after) = (document("Ada"), document("Ada Lovelace"));
        let mut diff = diff_app(&before, &after);
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
        terminal.draw(|frame| diff.render(frame)).unwrap();
        let text: String = terminal
            .backend()
            .buffer()
            .content()
            .iter()
            .map(|c| c.symbol())
            .collect();
        assert!(
            text.contains("Lovelace"),
            "the diff screen shows the change"
        );
    }
}
