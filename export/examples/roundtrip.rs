//! The round-trip proof, driven by `scripts/export-roundtrip.sh`: render
//! every ground-truth JSON Resume with every template to PDF and DOCX,
//! parse each file back with Vitae's own parser, and write the parsed
//! documents as predictions for the evaluation set's `score.py`.
//!
//! ```text
//! roundtrip --truth DIR --out DIR [--templates a,b] [--formats pdf,docx] [--keep]
//! ```
//!
//! Writes `OUT/<template>-<format>/<id>.json`; with `--keep` also the
//! rendered file and the extracted text next to it, for looking into a
//! miss. Exits non-zero when a render or a parse failed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // an example (a debug aid): a panic is the report

use std::path::PathBuf;
use std::time::Instant;

use vitae_export::{Engine, ExportRequest, Format};
use vitae_parser::{parse, Budget};

struct Args {
    truth: PathBuf,
    out: PathBuf,
    templates: Vec<String>,
    formats: Vec<Format>,
    keep: bool,
}

fn args() -> Result<Args, String> {
    let mut truth = None;
    let mut out = None;
    let mut templates: Vec<String> = vitae_export::templates()
        .iter()
        .map(|t| t.id.to_string())
        .collect();
    let mut formats = [Format::Pdf, Format::Docx].to_vec();
    let mut keep = false;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--truth" => truth = it.next().map(PathBuf::from),
            "--out" => out = it.next().map(PathBuf::from),
            "--templates" => {
                templates = it
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .map(str::to_string)
                    .collect()
            }
            "--formats" => {
                formats = it
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .map(Format::parse)
                    .collect::<Result<_, _>>()
                    .map_err(|e| e.to_string())?
            }
            "--keep" => keep = true,
            _ => return Err(format!("unknown argument {a}")),
        }
    }
    Ok(Args {
        truth: truth.ok_or("--truth DIR is required")?,
        out: out.ok_or("--out DIR is required")?,
        templates,
        formats,
        keep,
    })
}

fn main() {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("roundtrip: {e}");
            std::process::exit(2);
        }
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&args.truth)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "json"));
    files.sort();
    if files.is_empty() {
        eprintln!("roundtrip: no JSON files in {}", args.truth.display());
        std::process::exit(2);
    }
    let engine = match Engine::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("roundtrip: {e}");
            std::process::exit(1);
        }
    };
    let mut failed = 0;
    for template in &args.templates {
        for &format in &args.formats {
            let dir = args.out.join(format!("{template}-{}", format.as_str()));
            if let Err(e) = std::fs::create_dir_all(&dir) {
                eprintln!("roundtrip: {}: {e}", dir.display());
                std::process::exit(1);
            }
            let started = Instant::now();
            for file in &files {
                if let Err(e) = one(&engine, file, template, format, &dir, args.keep) {
                    eprintln!("{template} {} {}: {e}", format.as_str(), file.display());
                    failed += 1;
                }
            }
            eprintln!(
                "{template} {}: {} documents in {:.1} s",
                format.as_str(),
                files.len(),
                started.elapsed().as_secs_f32()
            );
        }
    }
    if failed > 0 {
        eprintln!("roundtrip: {failed} failed");
        std::process::exit(1);
    }
}

fn one(
    engine: &Engine,
    file: &std::path::Path,
    template: &str,
    format: Format,
    dir: &std::path::Path,
    keep: bool,
) -> Result<(), String> {
    let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let req = ExportRequest::new(format, template);
    let rendered = engine
        .render_value(&value, &req)
        .map_err(|e| e.to_string())?;
    let stem = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("out")
        .to_string();
    let parser_format = match format {
        Format::Pdf => vitae_parser::Format::Pdf,
        Format::Docx => vitae_parser::Format::Docx,
        other => panic!("{other} is not read back"),
    };
    let parsed = parse(
        &rendered.bytes,
        parser_format,
        &Budget::default(),
        &mut |_, _| {},
    )
    .map_err(|e| e.to_string())?;
    let json = serde_json::to_string_pretty(&parsed.document).map_err(|e| e.to_string())?;
    std::fs::write(dir.join(format!("{stem}.json")), json).map_err(|e| e.to_string())?;
    if keep {
        let ext = format.as_str();
        std::fs::write(dir.join(format!("{stem}.{ext}")), &rendered.bytes)
            .map_err(|e| e.to_string())?;
        std::fs::write(dir.join(format!("{stem}.txt")), &parsed.text).map_err(|e| e.to_string())?;
    }
    Ok(())
}
