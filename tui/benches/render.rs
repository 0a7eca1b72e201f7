//! Frame render time of the terminal UI at 200×60 (`vitae_tui::perf`): the
//! library with 1,000 resumes, and the diff screen of two three-page resumes
//! (bench/fixtures). Run: `cargo bench -p vitae-tui --bench render`.
//! `vitae-bench` measures the same scenarios in its TUI phase.
//!
//! Prints p50/p99/max over 2,000 frames each; nothing is asserted.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench: a panic is the report

use std::time::Duration;

use vitae_common::Resume;
use vitae_tui::app::App;
use vitae_tui::perf::{diff_app, frame_times, library_app};

const FRAMES: usize = 2000;

fn measure(name: &str, app: &mut App) {
    let times = frame_times(app, 200, 60, FRAMES);
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
    measure("library, 1,000 resumes", &mut library_app(1000));

    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/fixtures");
    let read = |name: &str| -> Resume {
        let bytes = std::fs::read(fixtures.join(name)).expect("bench fixture");
        serde_json::from_slice(&bytes).expect("a JSON Resume")
    };
    let (a, b) = (read("three_page_a.json"), read("three_page_b.json"));
    measure("diff screen, two three-page resumes", &mut diff_app(&a, &b));
}
