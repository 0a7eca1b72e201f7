//! The CI-sized round trip: two fixture resumes, every template, PDF and
//! DOCX, parsed back with Vitae's parser; names, contact details,
//! companies, positions, institutions and dates must come back as they
//! went in. `scripts/export-roundtrip.sh` runs the full evaluation set.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test file: a panic is the report

use serde_json::Value;
use vitae_common::Resume;
use vitae_export::{Engine, ExportRequest, Format};
use vitae_parser::{parse, Budget};

fn fixture(name: &str) -> Resume {
    let text = if name == "full" {
        vitae_export::SAMPLE_RESUME.to_string()
    } else {
        let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(path).expect("fixture")
    };
    let value: Value = serde_json::from_str(&text).expect("json");
    Resume::from_value(value).expect("resume")
}

/// Template and format pairs that do not yet read back, skipped here so a
/// gap stays visible (the full-set table in docs/export.md shows it too)
/// while the rest is checked. None at present: the modern sidebar, once
/// read as one flow with the main column, now reads back as a column.
const KNOWN_GAPS: &[(&str, Format)] = &[];

/// `2021-03-15` → `2021-03`: the scorer's precision.
fn month(d: &Option<String>) -> Option<String> {
    d.as_deref().map(|s| s.chars().take(7).collect())
}

#[test]
fn fixtures_survive_every_template_and_format() {
    let engine = Engine::new().expect("engine");
    let mut failures = Vec::new();
    for name in ["full", "second"] {
        let source = fixture(name);
        for template in vitae_export::templates() {
            for format in [Format::Pdf, Format::Docx] {
                if KNOWN_GAPS.contains(&(template.id, format)) {
                    continue;
                }
                let out = engine
                    .render(&source, &ExportRequest::new(format, template.id))
                    .expect("render");
                let parser_format = match format {
                    Format::Pdf => vitae_parser::Format::Pdf,
                    Format::Docx => vitae_parser::Format::Docx,
                    other => panic!("{other} is not read back"),
                };
                let back = parse(
                    &out.bytes,
                    parser_format,
                    &Budget::default(),
                    &mut |_, _| {},
                )
                .expect("parse")
                .document;
                let mut miss = |what: String| {
                    failures.push(format!(
                        "{name} {} {}: {what}",
                        template.id,
                        format.as_str()
                    ))
                };
                if back.name() != source.name() {
                    miss(format!("name {:?}", back.name()));
                }
                if back.email() != source.email() {
                    miss(format!("email {:?}", back.email()));
                }
                if back.work.len() != source.work.len() {
                    miss(format!("{} work entries", back.work.len()));
                }
                for (want, got) in source.work.iter().zip(&back.work) {
                    if got.name != want.name || got.position != want.position {
                        miss(format!("work {:?} / {:?}", got.name, got.position));
                    }
                    if month(&got.start_date) != month(&want.start_date)
                        || month(&got.end_date) != month(&want.end_date)
                    {
                        miss(format!("dates {:?} – {:?}", got.start_date, got.end_date));
                    }
                }
                let institutions = |r: &Resume| -> Vec<Option<String>> {
                    r.education.iter().map(|e| e.institution.clone()).collect()
                };
                if institutions(&back) != institutions(&source) {
                    miss(format!("education {:?}", institutions(&back)));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
