//! Speed and memory of the export engine, for docs/export.md:
//!
//! ```text
//! cargo run --release -p vitae-export --example speed [-- ITERS]
//! ```
//!
//! Times `Engine::new()` (the cold start: fonts indexed and loaded,
//! templates parsed), then for every template renders a one-page resume
//! (`tests/fixtures/second.json`) and a three-page one (the crate's sample resume with
//! copies of its work entries added until that template's layout has three
//! pages) ITERS times each (default 200) to PDF, one field changed per
//! render (the label) so no render is the same document as the one before.
//! Prints p50/p99 per template and size, and the resident memory (VmRSS)
//! after 1,000 renders (the three-page searches included) and at the end.

#![allow(clippy::unwrap_used, clippy::expect_used)] // an example (a debug aid): a panic is the report

use std::time::Instant;

use serde_json::{json, Value};
use vitae_export::{Engine, ExportRequest, Format};

fn fixture(name: &str) -> Value {
    if name == "full" {
        return serde_json::from_str(vitae_export::SAMPLE_RESUME).expect("sample");
    }
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json")
}

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// `doc` with `extra` more copies of its work entries (renamed).
fn longer(doc: &Value, extra: usize) -> Value {
    let mut doc = doc.clone();
    let work = doc["work"].as_array().cloned().unwrap_or_default();
    let list = doc["work"].as_array_mut().expect("work");
    for i in 0..extra {
        let mut w = work[i % work.len()].clone();
        w["name"] = json!(format!("Company {i}"));
        list.push(w);
    }
    doc
}

fn main() {
    let iters: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let rss_start = rss_mib();
    let started = Instant::now();
    let engine = Engine::new().expect("engine");
    let cold = started.elapsed().as_secs_f64() * 1e3;
    println!(
        "cold start (Engine::new): {cold:.1} ms, RSS {:.1} MiB (before: {rss_start:.1} MiB)",
        rss_mib()
    );
    let one = fixture("second");
    let full = fixture("full");
    let mut renders = 0usize;
    let mut rss_1000 = None;
    println!(
        "{:<10} {:>5} {:>9} {:>9} {:>9}",
        "template", "pages", "p50 ms", "p99 ms", "first ms"
    );
    for t in vitae_export::templates() {
        let req = ExportRequest::new(Format::Pdf, t.id);
        // The three-page document for this template.
        let mut three = full.clone();
        for extra in 0..60 {
            three = longer(&full, extra);
            let pages = engine.render_value(&three, &req).expect("render").pages;
            renders += 1;
            if pages >= 3 {
                break;
            }
        }
        for doc in [&one, &three] {
            let mut doc = doc.clone();
            let mut times = Vec::with_capacity(iters);
            let mut pages = 0;
            for i in 0..iters {
                doc["basics"]["label"] = json!(format!("Engineer, render {i}"));
                let s = Instant::now();
                let out = engine.render_value(&doc, &req).expect("render");
                times.push(s.elapsed().as_secs_f64() * 1e3);
                pages = out.pages;
                renders += 1;
                if renders >= 1000 && rss_1000.is_none() {
                    rss_1000 = Some(rss_mib());
                }
            }
            let first = times[0];
            times.sort_by(f64::total_cmp);
            println!(
                "{:<10} {:>5} {:>9.2} {:>9.2} {:>9.2}",
                t.id,
                pages,
                percentile(&times, 0.5),
                percentile(&times, 0.99),
                first
            );
        }
    }
    if let Some(r) = rss_1000 {
        println!("RSS after 1000 renders: {r:.1} MiB");
    }
    println!("RSS after {renders} renders: {:.1} MiB", rss_mib());
}
