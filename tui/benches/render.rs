//! Frame render time of the terminal UI at 200×60, on ratatui's
//! `TestBackend` (the same draw code as the real terminal, minus the bytes
//! written to it): the library with 1,000 resumes, and the diff screen of two
//! three-page resumes (bench/fixtures). Run: `cargo bench -p vitae-tui --bench render`.
//!
//! Prints p50/p99/max over 2,000 frames each; nothing is asserted.

use std::time::{Duration, Instant};

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use vitae_common::{DiffResource, DiffSide, Resume, ResumeResource, Status};
use vitae_tui::app::theme::Theme;
use vitae_tui::app::{App, Effect, Msg};
use vitae_tui::screens::diff::DiffState;

const FRAMES: usize = 2000;

fn resume(i: usize) -> ResumeResource {
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

fn measure(name: &str, app: &mut App) {
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("terminal");
    let mut times = Vec::with_capacity(FRAMES);
    for _ in 0..FRAMES {
        let started = Instant::now();
        terminal.draw(|frame| app.render(frame)).expect("draw");
        times.push(started.elapsed());
    }
    times.sort();
    let pick = |p: f64| times[((p * FRAMES as f64) as usize).min(FRAMES - 1)];
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "{name:<44} p50 {:>7.0} µs   p99 {:>7.0} µs   max {:>7.0} µs",
        us(pick(0.50)),
        us(pick(0.99)),
        us(times[FRAMES - 1])
    );
}

fn main() {
    println!("vitae TUI frame render time at 200×60 ({FRAMES} frames each)");
    let mut library = App::new(Theme::from_env(), "http://127.0.0.1:7878");
    library.on_msg(Msg::Resumes(Ok((0..1000).map(resume).collect())));
    measure("library, 1,000 resumes", &mut library);

    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/fixtures");
    let read = |name: &str| -> Resume {
        let bytes = std::fs::read(fixtures.join(name)).expect("bench fixture");
        serde_json::from_slice(&bytes).expect("a JSON Resume")
    };
    let (a, b) = (read("three_page_a.json"), read("three_page_b.json"));
    let side = |id: &str, filename: &str| DiffSide {
        resume_id: id.into(),
        revision: 1,
        filename: filename.into(),
    };
    let mut diff = App::new(Theme::from_env(), "http://127.0.0.1:7878");
    diff.apply(Effect::open(DiffState::new("b", "a", None, "a → b")));
    diff.on_msg(Msg::Diff(Ok(DiffResource {
        before: side("a", "three_page_a.json"),
        after: side("b", "three_page_b.json"),
        diff: vitae_common::diff::diff(&a, &b),
    })));
    measure("diff screen, two three-page resumes", &mut diff);
}
